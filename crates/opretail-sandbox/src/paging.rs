//! Reading the store lists' page parameters and cutting a page out of the demo tenant.

use serde_json::Value;

use crate::call::Call;
use crate::rejection::{PAGE_SIZE_TOO_LARGE, PARAM_ILLEGAL, Rejection, business_error};
use crate::synthesis::tenant::DemoStore;

/// The platform's own page size when none is sent.
const DEFAULT_PAGE_SIZE: u32 = 10;

/// The page number (from 1, default 1) and the page size (default 10, at most the cap), read
/// from the parameters `number` and `size`.
pub(crate) fn paging(call: &Call<'_>, number: &str, size: &str) -> Result<(u32, u32), Rejection> {
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
    let (number_name, size_name) = (number, size);
    let number = read(number_name, 1)?;
    let size = read(size_name, DEFAULT_PAGE_SIZE)?;
    let max = call.platform.limits.max_page_size;
    if size > max {
        return Err(business_error(
            PAGE_SIZE_TOO_LARGE,
            format!("{size_name} {size} is over the sandbox's cap of {max}; ask for smaller pages"),
        ));
    }
    Ok((number, size))
}

/// The stores of page `number` of `size`, as the store lists send them, and how many there
/// are in all.
pub(crate) fn page<'t>(
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
