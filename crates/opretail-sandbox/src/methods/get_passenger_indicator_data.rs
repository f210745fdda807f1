//! `open.shopweb.passengerFlow.getPassengerIndicatorData` v1: one store's passenger flow over
//! a window, summed from the hourly figures. Hours that have not begun at the gateway count
//! zero. Needs a token.

use chrono::{NaiveDateTime, TimeDelta};
use opretail_model::METHOD_GET_PASSENGER_INDICATOR_DATA;
use serde_json::{Value, json};

use crate::call::{Call, Data};
use crate::format::{count, flow_fields};
use crate::rejection::{ID_ILLEGAL, PARAM_ILLEGAL, Rejection, STORE_NOT_FOUND, business_error};
use crate::synthesis::flow::Flow;
use crate::synthesis::tenant;
use crate::window::{self, HourFilter, Hours};

pub(crate) const METHOD: &str = METHOD_GET_PASSENGER_INDICATOR_DATA;
pub(crate) const VERSION: &str = "v1";

/// The store: the digits of its `S_…` id.
const DEP_ID: &str = opretail_model::GetPassengerIndicatorData::PARAM_DEP_ID;
/// The window's start, `yyyy-MM-dd HH:mm:ss`.
const START_TIME: &str = opretail_model::GetPassengerIndicatorData::PARAM_START_TIME;
/// The window's end, `yyyy-MM-dd HH:mm:ss`.
const END_TIME: &str = opretail_model::GetPassengerIndicatorData::PARAM_END_TIME;
/// `1`: the store's business hours only.
const IS_ON_BUSINESS_TIME: &str = opretail_model::GetPassengerIndicatorData::PARAM_IS_ON_BUSINESS_TIME;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let text = call.params.get(DEP_ID).trim();
    let Some(dep_id) = tenant::parse_id(text) else {
        return Err(business_error(
            ID_ILLEGAL,
            format!("{DEP_ID} {text:?} is not a store id (the digits of S_…)"),
        ));
    };
    let Some(store) = tenant::demo().store(dep_id) else {
        return Err(business_error(
            STORE_NOT_FOUND,
            format!("no store {dep_id} in the demo tenant (its stores are S_1001 to S_1300)"),
        ));
    };
    let (start, end) = (
        window::time(call, START_TIME)?,
        window::time(call, END_TIME)?,
    );
    if start > end {
        return Err(business_error(
            PARAM_ILLEGAL,
            format!("{START_TIME} {start} is after {END_TIME} {end}; swap them"),
        ));
    }
    window::check_days(start.date(), end.date(), call.platform.limits, None)?;
    let filter = HourFilter {
        hours: Hours::ALL_DAY,
        business_only: window::business_hours_only(call, IS_ON_BUSINESS_TIME)?,
        now: call.now.naive_local(),
    };
    let mut total = Flow::default();
    let entity = store.entity();
    let view = call.flows();
    for day in start.date().iter_days().take_while(|d| *d <= end.date()) {
        let flows = view.day_flows(&entity, day);
        for hour in 0..24 {
            let Some(hour_start) = day.and_hms_opt(hour, 0, 0) else {
                continue;
            };
            // The hours the window touches.
            let hour_end = hour_start
                .checked_add_signed(TimeDelta::hours(1))
                .unwrap_or(NaiveDateTime::MAX);
            let touched = hour_start <= end && hour_end > start;
            if touched && filter.asked(store, hour) {
                total.add(filter.counted(&flows, day, hour));
            }
        }
    }
    let q = call.quirks;
    let mut data = flow_fields(total, dep_id, q);
    data.insert("dressingPassengerFlow".into(), count(total.fitting, q));
    data.insert("shopId".into(), json!(store.shop_id));
    Ok(Data::new(Value::Object(data)))
}
