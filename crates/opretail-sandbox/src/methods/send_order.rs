//! `open.ovopark.pos.sendOrder` v2: one till order, as JSON text in `iposJson`. The sandbox
//! checks the order (a JSON object naming a demo store by `depId` or `shopId`, a `machineId`
//! and an optional `ticketId` of 1 to 60 characters) and answers without `data`; orders are
//! not kept and do not change any figure. Needs no token.

use opretail_model::{MAX_ORDER_ID_CHARS, METHOD_SEND_ORDER, Order, SalesStore, SendOrder};
use serde_json::Value;

use crate::call::{Call, Data};
use crate::rejection::{PARAM_ILLEGAL, Rejection, business_error};
use crate::upload;
use crate::synthesis::tenant;

pub(crate) const METHOD: &str = METHOD_SEND_ORDER;
pub(crate) const VERSION: &str = SendOrder::VERSION;

/// The open-platform enterprise id.
const ORG_ID: &str = SendOrder::PARAM_ORG_ID;
/// The order, as JSON text.
const IPOS_JSON: &str = SendOrder::PARAM_IPOS_JSON;

fn illegal(detail: String) -> Rejection {
    business_error(PARAM_ILLEGAL, detail)
}

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let org_id = call.params.get(ORG_ID);
    if tenant::parse_id(org_id).is_none_or(|id| id == 0) {
        return Err(illegal(format!(
            "{ORG_ID} {org_id:?} is not an enterprise id (a positive number)"
        )));
    }
    upload::check_enterprise(call, SendOrder::PARAM_ENTERPRISE_ID)?;
    let order: serde_json::Map<String, Value> =
        serde_json::from_str(call.params.get(IPOS_JSON)).map_err(|e| {
            illegal(format!("{IPOS_JSON} is not a JSON object: {e}"))
        })?;
    let text = |name: &str| match order.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    upload::store(
        text(SalesStore::PARAM_DEP_ID).as_deref(),
        text(SalesStore::PARAM_SHOP_ID).as_deref(),
    )?;
    for (name, required) in [(Order::FIELD_MACHINE_ID, true), (Order::FIELD_TICKET_ID, false)] {
        match text(name) {
            Some(id) if (1..=MAX_ORDER_ID_CHARS).contains(&id.chars().count()) => {}
            None if !required => {}
            _ => {
                return Err(illegal(format!(
                    "{IPOS_JSON}.{name} must be 1 to {MAX_ORDER_ID_CHARS} characters"
                )));
            }
        }
    }
    Ok(Data::new(Value::Null))
}
