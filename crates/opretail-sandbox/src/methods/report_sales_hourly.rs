//! `open.ovopark.pos.reportSalesHourly` v1: one store's sales of one hour, kept in the
//! sandbox's [`SalesLedger`](crate::sales::SalesLedger); a day's hours add up to its figures
//! in `getTotalData` (unless the day was uploaded whole). A second upload for the same store
//! and hour is refused (`SALES_ALREADY_REPORTED`, the sandbox's code) unless `isCover=1`,
//! which replaces it. Needs no token.
//!
//! `createTime` must be the start of an hour (`yyyy-MM-dd HH:00:00`): the sandbox does not
//! guess which hour another time belongs to. The answer's `data` is the sandbox's own (the
//! platform's is not documented): the store's `depId`, the `createTime` kept and whether it
//! `replaced` earlier figures.

use chrono::{NaiveDateTime, Timelike};
use opretail_model::{METHOD_REPORT_SALES_HOURLY, ReportSalesHourly, WINDOW_FORMAT};
use serde_json::json;

use crate::call::{Call, Data};
use crate::rejection::{PARAM_ILLEGAL, Rejection, business_error};
use crate::sales::Period;
use crate::upload;

pub(crate) const METHOD: &str = METHOD_REPORT_SALES_HOURLY;
pub(crate) const VERSION: &str = "v1";

/// The hour, `yyyy-MM-dd HH:00:00`.
const CREATE_TIME: &str = ReportSalesHourly::PARAM_CREATE_TIME;
/// `1` replaces earlier figures; `0` or absent does not.
const IS_COVER: &str = ReportSalesHourly::PARAM_IS_COVER;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let figures = upload::figures(call)?;
    let store = upload::store_of(call)?;
    let text = call.params.get(CREATE_TIME);
    let hour = NaiveDateTime::parse_from_str(text, WINDOW_FORMAT)
        .ok()
        .filter(|t| t.minute() == 0 && t.second() == 0)
        .ok_or_else(|| {
            business_error(
                PARAM_ILLEGAL,
                format!("{CREATE_TIME} {text:?} is not the start of an hour yyyy-MM-dd HH:00:00"),
            )
        })?;
    let replace = match call.params.get(IS_COVER) {
        "" | "0" => false,
        "1" => true,
        other => {
            return Err(business_error(
                PARAM_ILLEGAL,
                format!("{IS_COVER} {other:?} must be 0 or 1"),
            ));
        }
    };
    let replaced = call
        .platform
        .sales
        .record(store.dep_id, Period::Hour(hour), figures, replace)?;
    Ok(Data::new(json!({
        "depId": store.dep_id,
        "createTime": Period::Hour(hour).to_string(),
        "replaced": replaced,
    })))
}
