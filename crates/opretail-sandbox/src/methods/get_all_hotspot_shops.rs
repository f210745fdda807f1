//! `open.passengerflow.getAllHotspotShops` v1: the stores of the demo enterprise (or under one
//! of its organisation nodes), page by page, each with its devices and their online flags. Needs a token.

use opretail_model::{GetAllHotspotShops, METHOD_GET_ALL_HOTSPOT_SHOPS};
use serde_json::{Value, json};

use crate::call::{Call, Data};
use crate::format::count;
use crate::paging::paging;
use crate::rejection::{ID_ILLEGAL, Rejection, STORE_NOT_FOUND, business_error};
use crate::synthesis::devices::{DemoDevice, devices_of};
use crate::synthesis::tenant::{self, DemoStore};

pub(crate) const METHOD: &str = METHOD_GET_ALL_HOTSPOT_SHOPS;
pub(crate) const VERSION: &str = "v1";

/// The organisation node: the digits of its `O_…` id (required).
const ORG_ID: &str = GetAllHotspotShops::PARAM_ORG_ID;
/// One store: the digits of its `S_…` id (optional).
const DEP_ID: &str = GetAllHotspotShops::PARAM_DEP_ID;
/// One tenant store code (optional).
const SHOP_ID: &str = GetAllHotspotShops::PARAM_SHOP_ID;
/// The page, from 1.
const PAGE_NUMBER: &str = opretail_model::ListStores::PARAM_PAGE_NUMBER;
/// The stores per page.
const PAGE_SIZE: &str = opretail_model::ListStores::PARAM_PAGE_SIZE;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let text = call.params.get(ORG_ID).trim();
    // The enterprise's id (every store), or one of its organisation nodes.
    let stores = tenant::parse_id(text).and_then(|id| {
        if id == tenant::DEMO_ENTERPRISE_ID {
            Some(tenant::demo().stores.iter().collect())
        } else {
            tenant::demo().resolve(&format!("O_{id}"))
        }
    });
    let Some(stores) = stores else {
        return Err(business_error(
            ID_ILLEGAL,
            format!(
                "{ORG_ID} {text:?} is not the demo enterprise ({}) or one of its organisation \
                 nodes",
                tenant::DEMO_ENTERPRISE_ID
            ),
        ));
    };
    let (number, size) = paging(call, PAGE_NUMBER, PAGE_SIZE)?;
    let dep_id = call.params.get(DEP_ID).trim();
    let dep_id = match dep_id {
        "" => None,
        text => Some(tenant::parse_id(text).ok_or_else(|| {
            business_error(ID_ILLEGAL, format!("{DEP_ID} {text:?} is not a store id"))
        })?),
    };
    let code = call.params.get(SHOP_ID).trim();
    let matching: Vec<&DemoStore> = stores
        .into_iter()
        .filter(|s| dep_id.is_none_or(|id| s.dep_id == id))
        .filter(|s| code.is_empty() || s.shop_id == code)
        .collect();
    if dep_id.is_some() && matching.is_empty() {
        return Err(business_error(
            STORE_NOT_FOUND,
            format!("no store {} under {ORG_ID} {text}", dep_id.unwrap_or_default()),
        ));
    }
    let q = call.quirks;
    let list: Vec<Value> = matching
        .iter()
        .skip((number as usize - 1).saturating_mul(size as usize))
        .take(size as usize)
        .map(|store| {
            let devices = devices_of(store, &call.platform.dead_devices);
            json!({
                "depId": count(u64::try_from(store.dep_id).unwrap_or(0), q),
                "depName": store.name,
                "nums": count(devices.len() as u64, q),
                "devices": devices.iter().map(|d| device_json(d, q)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let all = matching.len() as u64;
    Ok(Data::new(json!({
        // As a third-party client reads it: the number of pages.
        "total": count(all.div_ceil(u64::from(size)), q),
        "all": count(all, q),
        "pageNumber": number,
        "pageSize": size,
        "list": list,
    })))
}

/// A device as this method's `devices` entries show it (the Go client's fields).
pub(crate) fn device_json(device: &DemoDevice, quirks: bool) -> Value {
    json!({
        "online": if quirks { json!(u8::from(device.online)) } else { json!(device.online) },
        "deviceUrl": format!("rtsp://sandbox.invalid/devices/{}", device.id),
        "deviceName": device.name,
        "mac": device.mac,
    })
}
