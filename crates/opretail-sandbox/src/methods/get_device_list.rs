//! `open.shopweb.device.getDeviceList` v1: one store's devices. Needs a token.

use opretail_model::{GetDeviceList, METHOD_GET_DEVICE_LIST};
use serde_json::json;

use crate::call::{Call, Data};
use crate::format::count;
use crate::rejection::{ID_ILLEGAL, Rejection, STORE_NOT_FOUND, business_error};
use crate::synthesis::devices::devices_of;
use crate::synthesis::tenant;

pub(crate) const METHOD: &str = METHOD_GET_DEVICE_LIST;
pub(crate) const VERSION: &str = "v1";

/// The store: the digits of its `S_…` id.
const ID: &str = GetDeviceList::PARAM_ID;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let text = call.params.get(ID).trim();
    let Some(dep_id) = tenant::parse_id(text) else {
        return Err(business_error(
            ID_ILLEGAL,
            format!("{ID} {text:?} is not a store id (the digits of S_…)"),
        ));
    };
    let Some(store) = tenant::demo().store(dep_id) else {
        return Err(business_error(
            STORE_NOT_FOUND,
            format!("no store {dep_id} in the demo tenant (its stores are S_1001 to S_1300)"),
        ));
    };
    let q = call.quirks;
    let records: Vec<_> = devices_of(store, &call.platform.dead_devices)
        .iter()
        .map(|d| {
            json!({
                "id": count(u64::try_from(d.id).unwrap_or(0), q),
                "mac": d.mac,
                "deviceName": d.name,
                "online": if q { json!(u8::from(d.online)) } else { json!(d.online) },
                "depId": count(u64::try_from(d.dep_id).unwrap_or(0), q),
            })
        })
        .collect();
    Ok(Data::new(json!({
        "total": count(records.len() as u64, q),
        "records": records,
    })))
}
