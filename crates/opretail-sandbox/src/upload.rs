//! What the sales upload methods share in reading a call: the store (`depId` or `shopId`),
//! the enterprise, and the figures, each checked as the platform checks them.

use opretail_model::{Amount, PARAM_ENTERPRISE_ID, Sales, SalesStore};

use crate::call::Call;
use crate::rejection::{PARAM_ILLEGAL, Rejection, STORE_NOT_FOUND, business_error};
use crate::sales::Figures;
use crate::synthesis::tenant::{self, DEMO_ENTERPRISE_ID, DemoStore};

/// The store of an upload: `depId` (which wins) or `shopId`, a store of the demo tenant.
pub(crate) fn store(
    dep_id: Option<&str>,
    shop_id: Option<&str>,
) -> Result<&'static DemoStore, Rejection> {
    let tenant = tenant::demo();
    match (
        dep_id.filter(|t| !t.is_empty()),
        shop_id.filter(|t| !t.is_empty()),
    ) {
        (Some(text), _) => {
            let id = tenant::parse_id(text).ok_or_else(|| {
                business_error(
                    PARAM_ILLEGAL,
                    format!("depId {text:?} is not a store id (the digits of S_…)"),
                )
            })?;
            tenant.store(id).ok_or_else(|| {
                business_error(
                    STORE_NOT_FOUND,
                    format!("no store {id} in the demo tenant (its stores are S_1001 to S_1300)"),
                )
            })
        }
        (None, Some(code)) => tenant
            .stores
            .iter()
            .find(|s| s.shop_id == code)
            .ok_or_else(|| {
                business_error(
                    STORE_NOT_FOUND,
                    format!("no store of the demo tenant has the code (shopId) {code:?}"),
                )
            }),
        (None, None) => Err(business_error(
            PARAM_ILLEGAL,
            "name the store with depId or shopId",
        )),
    }
}

/// The store of a `reportSales`/`reportSalesHourly` call.
pub(crate) fn store_of(call: &Call<'_>) -> Result<&'static DemoStore, Rejection> {
    store(
        Some(call.params.get(SalesStore::PARAM_DEP_ID)),
        Some(call.params.get(SalesStore::PARAM_SHOP_ID)),
    )
}

/// `enterpriseId` must be the demo tenant's.
pub(crate) fn check_enterprise(call: &Call<'_>, name: &str) -> Result<(), Rejection> {
    let text = call.params.get(name);
    if tenant::parse_id(text) == Some(DEMO_ENTERPRISE_ID) {
        return Ok(());
    }
    Err(business_error(
        PARAM_ILLEGAL,
        format!(
            "{name} {text:?} is not the demo tenant's enterprise id ({DEMO_ENTERPRISE_ID}, as a \
             login answers it)"
        ),
    ))
}

/// `enterpriseId`, `dealNum`, `total` and `dealPersonNum`, checked.
pub(crate) fn figures(call: &Call<'_>) -> Result<Figures, Rejection> {
    check_enterprise(call, PARAM_ENTERPRISE_ID)?;
    let count = |name: &str| {
        let text = call.params.get(name);
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(business_error(
                PARAM_ILLEGAL,
                format!("{name} {text:?} is not a count (digits only)"),
            ));
        }
        text.parse::<u64>()
            .map_err(|_| business_error(PARAM_ILLEGAL, format!("{name} {text:?} is too large")))
    };
    let deals = count(Sales::PARAM_DEAL_NUM)?;
    let buyers = count(Sales::PARAM_DEAL_PERSON_NUM)?;
    let text = call.params.get(Sales::PARAM_TOTAL);
    // Exactly as sent: the platform gets no trimming from the sandbox either.
    let total = (text.trim() == text)
        .then(|| text.parse::<Amount>().ok())
        .flatten()
        .ok_or_else(|| {
            business_error(
                PARAM_ILLEGAL,
                format!(
                    "{} {text:?} is not an amount (yuan, at most two decimals)",
                    Sales::PARAM_TOTAL
                ),
            )
        })?;
    Ok(Figures::from(Sales::new(deals, total, buyers)))
}
