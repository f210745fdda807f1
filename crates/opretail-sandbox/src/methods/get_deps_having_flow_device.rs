//! `open.shopweb.departments.getDepsHavingFlowDevice`: the stores with a device that counts
//! (every demo store has one unless all its devices were made dead), as the store lists
//! show stores. No business parameter; needs a token.

use opretail_model::METHOD_GET_DEPS_HAVING_FLOW_DEVICE;
use serde_json::Value;

use crate::call::{Call, Data};
use crate::rejection::Rejection;
use crate::synthesis::devices::devices_of;
use crate::synthesis::tenant;

pub(crate) const METHOD: &str = METHOD_GET_DEPS_HAVING_FLOW_DEVICE;
pub(crate) const VERSION: &str = "v1";

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let dead = &call.platform.dead_devices;
    let stores: Vec<Value> = tenant::demo()
        .stores
        .iter()
        .filter(|s| devices_of(s, dead).iter().any(|d| !dead.contains(&d.mac)))
        .map(|s| s.to_json(call.quirks))
        .collect();
    Ok(Data::new(Value::Array(stores)))
}
