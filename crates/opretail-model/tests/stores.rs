//! Store lists: both gateways' answers, lenient values, and a walk over real-shaped pages.

use std::num::NonZeroU32;

use opretail_model::engine::decode_response;
use opretail_model::{
    Error, Gateway, GetDepartments, GetDeptListByPage, ListStores, Operation, StorePage, StorePages,
};
use serde_json::json;

fn page(op: &impl Operation<Output = StorePage>, body: &[u8]) -> StorePage {
    decode_response(op, 200, body)
        .unwrap_or_else(|e| panic!("the page must decode: {e}"))
        .output
}

#[test]
fn both_store_methods_need_a_token_and_are_reads() {
    let cloud = GetDepartments::new();
    let classic = GetDeptListByPage::new();
    assert_eq!(cloud.method(), "open.organize.departments.getDepartments");
    assert_eq!(
        classic.method(),
        "open.shopweb.departments.getDeptListByPage"
    );
    assert!(cloud.needs_token() && cloud.idempotent());
    assert!(classic.needs_token() && classic.idempotent());
    assert_eq!(
        cloud.params(),
        [("pageNumber", "1".into()), ("pageSize", "100".into())]
    );
}

#[test]
fn a_cloud_page_decodes_every_listed_field_leniently() {
    let data = page(
        &GetDepartments::new(),
        include_bytes!("fixtures/stores/departments.json"),
    );
    assert_eq!(data.total, Some(3));
    assert_eq!(data.stores.len(), 3);
    let s = &data.stores[0];
    assert_eq!(s.entity_id().unwrap().as_str(), "S_1001");
    assert_eq!(s.name.as_deref(), Some("南京东路店"));
    assert_eq!(s.organize_id.as_deref(), Some("42"));
    assert_eq!(s.dep_organize_id.as_deref(), Some("4201"));
    assert_eq!(s.group_id.as_deref(), Some("1234567"));
    assert_eq!(s.shop_id.as_deref(), Some("SH-001"));
    assert_eq!(s.trilateral_id.as_deref(), Some(""));
    assert_eq!(s.longitude.as_ref().unwrap().value(), 121.4737);
    assert_eq!(s.latitude.as_ref().unwrap().value(), 31.2304);
    assert_eq!((s.open_status, s.validate_status), (Some(1), Some(1)));
    assert_eq!(s.close_time, None);
    assert_eq!(s.device_register_time.as_deref(), Some("1709254800000"));
    assert_eq!(
        (s.dev_count, s.ipc_current_count, s.ipc_count_limit),
        (Some(3), Some(2), Some(8))
    );
    assert_eq!((s.has_pc, s.is_complete_config), (Some(true), Some(true)));
    assert_eq!(s.service_permission, Some(json!(["flow", "face"])));
    assert_eq!(s.extra["floorArea"], "320㎡");

    let second = &data.stores[1];
    assert_eq!(second.entity_id().unwrap().as_str(), "S_1002");
    assert_eq!((second.open_status, second.has_pc), (None, Some(false)));
    // A record without an id has no store id to ask about.
    assert_eq!(data.stores[2].entity_id(), None);
}

#[test]
fn a_store_page_survives_a_round_trip_through_its_stored_form() {
    let data = page(
        &GetDepartments::new(),
        include_bytes!("fixtures/stores/departments.json"),
    );
    let stored = serde_json::to_value(&data).unwrap();
    assert_eq!(stored["stores"][0]["dev_count"], 3);
    assert_eq!(stored["stores"][0]["floorArea"], "320㎡");
    assert_eq!(serde_json::from_value::<StorePage>(stored).unwrap(), data);
}

#[test]
fn classic_pages_read_records_a_text_total_and_keep_the_paging_fields() {
    let data = page(
        &GetDeptListByPage::new(),
        include_bytes!("fixtures/stores/dept-list-page-1.json"),
    );
    assert_eq!(data.total, Some(3));
    let ids: Vec<String> = data
        .stores
        .iter()
        .map(|s| s.entity_id().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["S_2001", "S_2002"]);
    assert_eq!(
        (data.extra["pages"].clone(), data.extra["current"].clone()),
        (json!(2), json!(1))
    );
}

#[test]
fn a_single_object_under_list_is_a_page_and_null_data_an_error() {
    let data = page(
        &GetDeptListByPage::new(),
        include_bytes!("fixtures/stores/list-single-object.json"),
    );
    assert_eq!((data.total, data.stores.len()), (None, 1));
    assert_eq!(data.stores[0].id.as_deref(), Some("3001"));
    let empty = decode_response(
        &GetDepartments::new(),
        200,
        br#"{"stat":{"code":"0"},"data":null}"#,
    )
    .unwrap_err();
    assert!(empty.to_string().contains("getDepartments"), "{empty}");
}

#[test]
fn a_negative_total_is_an_error_naming_it() {
    let err = decode_response(
        &GetDepartments::new(),
        200,
        include_bytes!("fixtures/stores/negative-total.json"),
    )
    .unwrap_err();
    match err {
        Error::Decode { path, .. } => assert_eq!(path, "data.total"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_walk_over_the_classic_pages_collects_every_store_once() {
    let bodies: [&[u8]; 2] = [
        include_bytes!("fixtures/stores/dept-list-page-1.json"),
        include_bytes!("fixtures/stores/dept-list-page-2.json"),
    ];
    let mut pages = StorePages::new(ListStores::for_gateway(Gateway::Classic))
        .page_size(NonZeroU32::new(2).unwrap());
    let mut stores = Vec::new();
    let mut asked = Vec::new();
    while let Some(request) = pages.next_request() {
        assert_eq!(
            request.method(),
            "open.shopweb.departments.getDeptListByPage"
        );
        asked.push(request.params()[0].1.to_string());
        let body = bodies[asked.len() - 1];
        let data = page(&request, body);
        pages.on_page(&data);
        stores.extend(data.stores);
    }
    assert_eq!(asked, ["1", "2"]);
    assert_eq!(stores.len(), 3);
    assert_eq!(stores[2].shop_id.as_deref(), Some("C03"));
    assert!(!pages.hit_page_cap());
}
