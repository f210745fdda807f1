//! `open.organize.departments.getDepartments` (cloud) and
//! `open.shopweb.departments.getDeptListByPage` (classic) v1: the demo tenant's stores, page
//! by page. Both need a token and answer on both gateways.

use opretail_model::{METHOD_GET_DEPARTMENTS, METHOD_GET_DEPT_LIST_BY_PAGE};
use serde_json::{Value, json};

use super::Call;
use super::codes::{PAGE_SIZE_TOO_LARGE, PARAM_ILLEGAL, business_error};
use super::window::count;
use crate::tenant::{self, DemoStore};
use crate::validate::Rejection;

/// The cloud gateway's store list.
pub(crate) const DEPARTMENTS: &str = METHOD_GET_DEPARTMENTS;
/// The classic gateway's store list.
pub(crate) const DEPT_LIST: &str = METHOD_GET_DEPT_LIST_BY_PAGE;

/// The platform's own page size when none is sent.
const DEFAULT_PAGE_SIZE: u32 = 10;

/// `pageNumber` (from 1, default 1) and `pageSize` (default 10, at most the cap).
fn paging(call: &Call<'_>) -> Result<(u32, u32), Rejection> {
    let read = |name: &str, default: u32| -> Result<u32, Rejection> {
        let text = call.params.get(name).trim();
        if text.is_empty() {
            return Ok(default);
        }
        text.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            business_error(
                PARAM_ILLEGAL,
                format!("{name} {text:?} is not a whole number from 1"),
            )
        })
    };
    let number = read("pageNumber", 1)?;
    let size = read("pageSize", DEFAULT_PAGE_SIZE)?;
    let max = call.platform.limits.max_page_size;
    if size > max {
        return Err(business_error(
            PAGE_SIZE_TOO_LARGE,
            format!("pageSize {size} is over the sandbox's cap of {max}; ask for smaller pages"),
        ));
    }
    Ok((number, size))
}

/// The stores of page `number` of `size`, and how many there are in all.
fn page<'t>(
    stores: impl Iterator<Item = &'t DemoStore>,
    number: u32,
    size: u32,
    quirks: bool,
) -> (usize, Vec<Value>) {
    let matching: Vec<&DemoStore> = stores.collect();
    let skip = (number as usize - 1).saturating_mul(size as usize);
    let rows = matching
        .iter()
        .skip(skip)
        .take(size as usize)
        .map(|s| s.to_json(quirks))
        .collect();
    (matching.len(), rows)
}

pub(crate) fn departments(call: &Call<'_>) -> Result<Value, Rejection> {
    call.session()?;
    let (number, size) = paging(call)?;
    let name = call.params.get("deptName").trim();
    let stores = tenant::demo()
        .stores
        .iter()
        .filter(|s| name.is_empty() || s.name_contains(name));
    let (total, rows) = page(stores, number, size, call.quirks);
    Ok(json!({
        "total": count(total as u64, call.quirks),
        "rows": rows,
    }))
}

pub(crate) fn dept_list(call: &Call<'_>) -> Result<Value, Rejection> {
    call.session()?;
    let (number, size) = paging(call)?;
    let name = call.params.get("name").trim();
    let codes: Vec<&str> = call
        .params
        .get("shopIds")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let stores = tenant::demo().stores.iter().filter(|s| {
        (name.is_empty() || s.name_contains(name))
            && (codes.is_empty() || codes.contains(&s.shop_id.as_str()))
    });
    let (total, records) = page(stores, number, size, call.quirks);
    Ok(json!({
        "total": count(total as u64, call.quirks),
        "records": records,
        "current": number,
        "size": size,
        "pages": (total as u64).div_ceil(u64::from(size)),
    }))
}
