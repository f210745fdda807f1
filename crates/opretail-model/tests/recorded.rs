//! Recorded answers of every typed method (as `opretail --record` writes them: the sandbox's
//! answers, trimmed, and the shapes third-party clients show), each decoded by its typed
//! output through the envelope decoder.

use std::marker::PhantomData;

use opretail_model::engine::decode_response;
use opretail_model::recording::Exchange;
use opretail_model::{
    Demographics, DeviceFlow, DeviceList, FlowDeviceStores, HotspotShopPage, LoginData, Operation,
    Params, PassengerIndicator, ShopSeriesList, StorePage, TotalData, Uploaded,
};
use serde::de::DeserializeOwned;

/// An operation of `method` decoding into `T`: enough for the decoder, which needs the
/// output type and the method name only.
struct As<T>(String, PhantomData<T>);

impl<T: DeserializeOwned> Operation for As<T> {
    type Output = T;

    fn method(&self) -> &str {
        &self.0
    }

    fn params(&self) -> Params<'_> {
        Vec::new()
    }

    fn data_is_required(&self) -> bool {
        false
    }
}

fn decode<T: DeserializeOwned>(exchange: &Exchange) -> T {
    let op = As::<T>(exchange.method.clone(), PhantomData);
    decode_response(&op, exchange.status, exchange.body().as_bytes())
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", exchange.method))
        .output
}

fn recordings() -> Vec<(String, Exchange)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/recorded");
    let mut all: Vec<(String, Exchange)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let exchange = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name} is not a recorded exchange: {e}"));
            (name, exchange)
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn count(measure: Option<&opretail_model::Measure>) -> Option<i64> {
    measure.and_then(opretail_model::Measure::as_i64)
}

#[test]
fn every_recorded_answer_decodes_by_its_method() {
    let mut methods = std::collections::BTreeSet::new();
    for (name, exchange) in recordings() {
        methods.insert(exchange.method.rsplit('.').next().unwrap().to_owned());
        let short = exchange.method.rsplit('.').next().unwrap();
        match short {
            "mobileLogin" => {
                let login: LoginData = decode(&exchange);
                assert_eq!(login.user_name.as_deref(), Some("demo"), "{name}");
            }
            "getDeptListByPage" => {
                let page: StorePage = decode(&exchange);
                assert_eq!(page.stores.len(), 2, "{name}");
                assert!(page.stores[0].entity_id().is_some(), "{name}");
            }
            "getTotalData" => {
                let total: TotalData = decode(&exchange);
                assert!(count(total.day_flow.as_ref()).is_some(), "{name}");
            }
            "getManyShopsPassengerIndicatorData" => {
                let list: ShopSeriesList = decode(&exchange);
                let bucket = &list.shops[0].buckets[0];
                assert!(count(bucket.passenger_flow.as_ref()).is_some(), "{name}");
                assert!(
                    bucket.outside_passenger_flow.is_some(),
                    "{name}: either spelling"
                );
            }
            "getPassengerIndicatorData" => {
                let figures: PassengerIndicator = decode(&exchange);
                assert!(count(figures.passenger_flow.as_ref()).is_some(), "{name}");
            }
            "getAgeGroupAndGenderDistribution" => {
                let shares: Demographics = decode(&exchange);
                assert!(
                    !shares.gender.is_empty() && !shares.age.is_empty(),
                    "{name}"
                );
            }
            "getAllHotspotShops" => {
                let page: HotspotShopPage = decode(&exchange);
                let shop = &page.shops[0];
                assert!(shop.entity_id().is_some(), "{name}");
                assert!(
                    shop.devices.iter().all(|d| d.normalized_mac().is_some()),
                    "{name}"
                );
            }
            "getDeviceList" => {
                let list: DeviceList = decode(&exchange);
                assert!(!list.devices.is_empty(), "{name}");
            }
            "getDepsHavingFlowDevice" => {
                let stores: FlowDeviceStores = decode(&exchange);
                assert_eq!(stores.stores.len(), 2, "{name}");
            }
            "listDevicePassengerIndicator" => {
                let flow: DeviceFlow = decode(&exchange);
                assert!(!flow.buckets.is_empty(), "{name}");
            }
            "reportSales" | "reportSalesHourly" | "sendOrder" => {
                let _: Uploaded = decode(&exchange);
            }
            other => panic!("{name}: no decoder for {other}: add it here"),
        }
    }
    for method in [
        "mobileLogin",
        "getDeptListByPage",
        "getTotalData",
        "getManyShopsPassengerIndicatorData",
        "getPassengerIndicatorData",
        "getAgeGroupAndGenderDistribution",
        "getAllHotspotShops",
        "getDeviceList",
        "getDepsHavingFlowDevice",
        "listDevicePassengerIndicator",
        "reportSales",
        "reportSalesHourly",
        "sendOrder",
    ] {
        assert!(methods.contains(method), "no recording of {method}");
    }
}

#[test]
fn the_recordings_hold_no_token_or_password() {
    for (name, exchange) in recordings() {
        let text = serde_json::to_string(&exchange).unwrap();
        assert!(
            !text.contains("demo-password") && !text.contains("\"_sig\""),
            "{name}"
        );
        if exchange.method.ends_with("Login") {
            assert_eq!(exchange.answer["data"]["token"], "<removed>", "{name}");
            assert_eq!(exchange.params["password"], "<removed>", "{name}");
        }
    }
}
