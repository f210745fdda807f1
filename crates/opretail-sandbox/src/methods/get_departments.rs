//! `open.organize.departments.getDepartments` v1 (the cloud gateway's store list): the demo
//! tenant's stores, page by page, optionally by name. Needs a token and answers on both
//! gateways.

use opretail_model::METHOD_GET_DEPARTMENTS;
use serde_json::json;

use crate::call::{Call, Data};
use crate::format::count;
use crate::paging::{page, paging};
use crate::rejection::Rejection;
use crate::synthesis::tenant;

pub(crate) const METHOD: &str = METHOD_GET_DEPARTMENTS;
pub(crate) const VERSION: &str = "v1";

/// The page, from 1.
const PAGE_NUMBER: &str = opretail_model::ListStores::PARAM_PAGE_NUMBER;
/// The stores per page.
const PAGE_SIZE: &str = opretail_model::ListStores::PARAM_PAGE_SIZE;
/// Text the store's name contains (optional).
const DEPT_NAME: &str = opretail_model::GetDepartments::PARAM_DEPT_NAME;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let (number, size) = paging(call, PAGE_NUMBER, PAGE_SIZE)?;
    let name = call.params.get(DEPT_NAME).trim();
    let stores = tenant::demo()
        .stores
        .iter()
        .filter(|s| name.is_empty() || s.name_contains(name));
    let (total, rows) = page(stores, number, size, call.quirks);
    Ok(Data::new(json!({
        "total": count(total as u64, call.quirks),
        "rows": rows,
    })))
}
