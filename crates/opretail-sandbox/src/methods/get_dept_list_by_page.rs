//! `open.shopweb.departments.getDeptListByPage` v1 (the classic gateway's store list): the
//! demo tenant's stores, page by page, optionally by name and by tenant code. Needs a token
//! and answers on both gateways.

use opretail_model::METHOD_GET_DEPT_LIST_BY_PAGE;
use serde_json::json;

use crate::call::{Call, Data};
use crate::format::count;
use crate::paging::{page, paging};
use crate::rejection::Rejection;
use crate::synthesis::tenant;

pub(crate) const METHOD: &str = METHOD_GET_DEPT_LIST_BY_PAGE;
pub(crate) const VERSION: &str = "v1";

/// The page, from 1.
const PAGE_NUMBER: &str = opretail_model::ListStores::PARAM_PAGE_NUMBER;
/// The stores per page.
const PAGE_SIZE: &str = opretail_model::ListStores::PARAM_PAGE_SIZE;
/// Text the store's name contains (optional).
const NAME: &str = opretail_model::GetDeptListByPage::PARAM_NAME;
/// Tenant codes (`shopId`), comma-separated (optional).
const SHOP_IDS: &str = opretail_model::GetDeptListByPage::PARAM_SHOP_IDS;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let (number, size) = paging(call, PAGE_NUMBER, PAGE_SIZE)?;
    let name = call.params.get(NAME).trim();
    let codes: Vec<&str> = call
        .params
        .get(SHOP_IDS)
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let stores = tenant::demo().stores.iter().filter(|s| {
        (name.is_empty() || s.name_contains(name))
            && (codes.is_empty() || codes.contains(&s.shop_id.as_str()))
    });
    let (total, records) = page(stores, number, size, call.quirks);
    Ok(Data::new(json!({
        "total": count(total as u64, call.quirks),
        "records": records,
        "current": number,
        "size": size,
        "pages": (total as u64).div_ceil(u64::from(size)),
    })))
}
