//! `open.passengerflow.getManyShopsPassengerIndicatorData` v1: several stores' passenger flow
//! as a series of buckets (hours to years), summed from the hourly figures. Hours that have
//! not begun at the gateway count zero. Needs a token.

use chrono::NaiveDate;
use opretail_model::{Grain, METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA};
use serde_json::{Value, json};

use crate::call::{Call, Data};
use crate::format::{count, flow_fields};
use crate::rejection::Rejection;
use crate::synthesis::flow::Flow;
use crate::synthesis::revision::FlowView;
use crate::synthesis::tenant::{self, DemoStore};
use crate::window::{self, HourFilter};

pub(crate) const METHOD: &str = METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA;
pub(crate) const VERSION: &str = "v1";

/// `S_…`/`O_…` ids, comma-separated.
const ID: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_ID;
/// The first day, `yyyy-MM-dd HH:mm:ss` (the time is ignored) or `yyyy-MM-dd`.
const START_TIME: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_START_TIME;
/// The last day, as `startTime`.
const END_TIME: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_END_TIME;
/// The grain: 1 hour to 6 year.
const TIME_TYPE: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_TIME_TYPE;
/// The first hour of each day counted (optional).
const START_HOUR: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_START_HOUR;
/// The hour after the last one counted (optional).
const END_HOUR: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_END_HOUR;
/// `1`: the store's business hours only.
const IS_ON_BUSINESS_TIME: &str = opretail_model::GetManyShopsPassengerIndicatorData::PARAM_IS_ON_BUSINESS_TIME;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    series(call, (START_HOUR, END_HOUR))
}

/// The answer of either name of the method, whose hour filter comes in the parameters
/// named `hour_params` (first hour, the hour it ends).
pub(super) fn series(
    call: &Call<'_>,
    (start_hour, end_hour): (&str, &str),
) -> Result<Data, Rejection> {
    call.session()?;
    let limits = call.platform.limits;
    let ids = window::ids(call, ID, limits)?;
    let (first, last) = window::days(call, START_TIME, END_TIME)?;
    let grain = window::grain(call, TIME_TYPE)?;
    let filter = HourFilter {
        hours: window::hours(call, start_hour, end_hour)?,
        business_only: window::business_hours_only(call, IS_ON_BUSINESS_TIME)?,
        now: call.now.naive_local(),
    };
    window::check_days(first, last, limits, Some(grain))?;
    let series: Vec<Value> = tenant::demo()
        .resolve_all(&ids)
        .into_iter()
        .map(|store| {
            let data_list: Vec<Value> = buckets(&call.flows(), store, (first, last), grain, filter)
                .into_iter()
                .map(|(time, flow)| bucket_json(&time, flow, store.dep_id, call.quirks))
                .collect();
            json!({
                "name": store.name,
                "depId": count(u64::try_from(store.dep_id).unwrap_or(0), call.quirks),
                "shopId": store.shop_id,
                "dataList": data_list,
            })
        })
        .collect();
    Ok(Data::new(Value::Array(series)))
}

/// A store's buckets over the days `first..=last`: every asked-for hour (hour grain), or the
/// days of each period of the grain that fall in the window, summed.
fn buckets(
    view: &FlowView,
    store: &DemoStore,
    (first, last): (NaiveDate, NaiveDate),
    grain: Grain,
    filter: HourFilter,
) -> Vec<(String, Flow)> {
    let entity = store.entity();
    let mut out: Vec<(String, Flow)> = Vec::new();
    let mut current: Option<NaiveDate> = None;
    for day in first.iter_days().take_while(|d| *d <= last) {
        let flows = view.day_flows(&entity, day);
        if grain == Grain::Hour {
            for hour in (0..24).filter(|h| filter.asked(store, *h)) {
                let flow = filter.counted(&flows, day, hour);
                out.push((window::label(day, hour, grain), flow));
            }
            continue;
        }
        let period = window::period_start(day, grain);
        if current != Some(period) {
            current = Some(period);
            out.push((window::label(period, 0, grain), Flow::default()));
        }
        let (_, sum) = out.last_mut().expect("a bucket was just pushed");
        for hour in (0..24).filter(|h| filter.asked(store, *h)) {
            sum.add(filter.counted(&flows, day, hour));
        }
    }
    out
}

fn bucket_json(time: &str, flow: Flow, dep_id: i64, quirks: bool) -> Value {
    let mut bucket = flow_fields(flow, dep_id, quirks);
    bucket.insert("time".into(), json!(time));
    // Every demo store has a passing-flow device, and the sandbox never counts twice.
    bucket.insert(
        "inCountHavingPassDevice".into(),
        count(flow.entering, quirks),
    );
    bucket.insert("duplicatedFlow".into(), count(0, quirks));
    Value::Object(bucket)
}
