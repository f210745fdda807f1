//! `open.ovopark.pos.reportSales` v1: one store's sales of one day, kept in the sandbox's
//! [`SalesLedger`](crate::sales::SalesLedger) so that `getTotalData` answers them. A second
//! upload for the same store and day is refused (`SALES_ALREADY_REPORTED`, the sandbox's
//! code): the platform documents replacing (`isCover`) for hourly uploads only. Needs no
//! token.
//!
//! The answer's `data` is the sandbox's own (the platform's is not documented): the store's
//! `depId`, the `createTime` kept and `replaced: false`.

use chrono::NaiveDate;
use opretail_model::{METHOD_REPORT_SALES, ReportSales};
use serde_json::json;

use crate::call::{Call, Data};
use crate::rejection::{PARAM_ILLEGAL, Rejection, business_error};
use crate::sales::Period;
use crate::upload;

pub(crate) const METHOD: &str = METHOD_REPORT_SALES;
pub(crate) const VERSION: &str = "v1";

/// The day, `yyyy-MM-dd`.
const CREATE_TIME: &str = ReportSales::PARAM_CREATE_TIME;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let figures = upload::figures(call)?;
    let store = upload::store_of(call)?;
    let text = call.params.get(CREATE_TIME);
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        business_error(
            PARAM_ILLEGAL,
            format!("{CREATE_TIME} {text:?} is not a day yyyy-MM-dd"),
        )
    })?;
    let replaced = call
        .platform
        .sales
        .record(store.dep_id, Period::Day(day), figures, false)?;
    Ok(Data::new(json!({
        "depId": store.dep_id,
        "createTime": Period::Day(day).to_string(),
        "replaced": replaced,
    })))
}
