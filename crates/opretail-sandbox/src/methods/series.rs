//! `open.shopweb.passengerFlow.getPassengerIndicatorData` and
//! `open.passengerflow.getManyShopsPassengerIndicatorData` v1: passenger flow over a window,
//! as one figure or as a series of buckets, summed from the hourly figures of
//! [`flow`](super::flow). Hours that have not begun at the gateway count zero.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use opretail_model::{
    Grain, METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA, METHOD_GET_PASSENGER_INDICATOR_DATA,
};
use serde_json::{Map, Value, json};

use super::Call;
use super::codes::{ID_ILLEGAL, PARAM_ILLEGAL, STORE_NOT_FOUND, business_error};
use super::flow::{Flow, day_flows};
use super::window::{self, Hours, count, has_begun, outside_field, rate};
use crate::tenant::{self, DemoStore};
use crate::validate::Rejection;

/// One store's figures over a window.
pub(crate) const INDICATOR: &str = METHOD_GET_PASSENGER_INDICATOR_DATA;
/// Series of several stores.
pub(crate) const MANY_SHOPS: &str = METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA;

/// Which hours of a store's days count.
#[derive(Clone, Copy)]
struct HourFilter {
    hours: Hours,
    business_only: bool,
    now: NaiveDateTime,
}

impl HourFilter {
    /// Whether hour `hour` of `day` is asked for (its figures may still be zero when it has
    /// not begun).
    fn asked(&self, store: &DemoStore, hour: u32) -> bool {
        self.hours.contains(hour)
            && (!self.business_only || (store.open_hour..store.close_hour).contains(&hour))
    }

    /// The figures of hour `hour` of `day` that count: zero when it has not begun.
    fn counted(&self, flows: &[Flow; 24], day: NaiveDate, hour: u32) -> Flow {
        if has_begun(self.now, day, hour) {
            flows[hour as usize]
        } else {
            Flow::default()
        }
    }
}

pub(crate) fn indicator(call: &Call<'_>) -> Result<Value, Rejection> {
    call.session()?;
    let text = call.params.get("depId").trim();
    let Some(dep_id) = tenant::parse_id(text) else {
        return Err(business_error(
            ID_ILLEGAL,
            format!("depId {text:?} is not a store id (the digits of S_…)"),
        ));
    };
    let Some(store) = tenant::demo().store(dep_id) else {
        return Err(business_error(
            STORE_NOT_FOUND,
            format!("no store {dep_id} in the demo tenant (its stores are S_1001 to S_1300)"),
        ));
    };
    let (start, end) = (
        window::time(call, "startTime")?,
        window::time(call, "endTime")?,
    );
    if start > end {
        return Err(business_error(
            PARAM_ILLEGAL,
            format!("startTime {start} is after endTime {end}; swap them"),
        ));
    }
    window::check_days(start.date(), end.date(), call.platform.limits, None)?;
    let filter = HourFilter {
        hours: Hours::ALL_DAY,
        business_only: window::business_hours_only(call)?,
        now: call.now.naive_local(),
    };
    let mut total = Flow::default();
    let entity = store.entity();
    for day in start.date().iter_days().take_while(|d| *d <= end.date()) {
        let flows = day_flows(&entity, day);
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
    let mut data = Map::new();
    data.insert("passengerFlow".into(), count(total.entering, q));
    data.insert("passPassengerFlow".into(), count(total.passing, q));
    data.insert(outside_field(dep_id).into(), count(total.outside(), q));
    data.insert("inShopRate".into(), rate(total.in_shop_rate(), q));
    data.insert("outFlowCount".into(), count(total.exits, q));
    data.insert("dressingRate".into(), rate(total.dressing_rate(), q));
    data.insert("dressingPassengerFlow".into(), count(total.fitting, q));
    data.insert("shopId".into(), json!(store.shop_id));
    Ok(Value::Object(data))
}

pub(crate) fn many_shops(call: &Call<'_>) -> Result<Value, Rejection> {
    call.session()?;
    let limits = call.platform.limits;
    let ids = window::ids(call, limits)?;
    let (first, last) = window::days(call, "startTime", "endTime")?;
    let grain = window::grain(call)?;
    let filter = HourFilter {
        hours: window::hours(call)?,
        business_only: window::business_hours_only(call)?,
        now: call.now.naive_local(),
    };
    window::check_days(first, last, limits, Some(grain))?;
    // Ids the tenant does not know are left out, as stores the user cannot see.
    let mut stores: Vec<&DemoStore> = Vec::new();
    for id in &ids {
        for store in tenant::demo().resolve(id).unwrap_or_default() {
            if !stores.iter().any(|s| s.dep_id == store.dep_id) {
                stores.push(store);
            }
        }
    }
    let series: Vec<Value> = stores
        .into_iter()
        .map(|store| {
            let buckets = buckets(store, first, last, grain, filter);
            let data_list: Vec<Value> = buckets
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
    Ok(Value::Array(series))
}

/// A store's buckets over the days `first..=last`: every asked-for hour (hour grain), or the
/// days of each period of the grain that fall in the window, summed.
fn buckets(
    store: &DemoStore,
    first: NaiveDate,
    last: NaiveDate,
    grain: Grain,
    filter: HourFilter,
) -> Vec<(String, Flow)> {
    let entity = store.entity();
    let mut out: Vec<(String, Flow)> = Vec::new();
    let mut current: Option<NaiveDate> = None;
    for day in first.iter_days().take_while(|d| *d <= last) {
        let flows = day_flows(&entity, day);
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
    let mut bucket = Map::new();
    bucket.insert("time".into(), json!(time));
    bucket.insert("passengerFlow".into(), count(flow.entering, quirks));
    bucket.insert("passPassengerFlow".into(), count(flow.passing, quirks));
    bucket.insert(outside_field(dep_id).into(), count(flow.outside(), quirks));
    bucket.insert("inShopRate".into(), rate(flow.in_shop_rate(), quirks));
    bucket.insert("outFlowCount".into(), count(flow.exits, quirks));
    bucket.insert("dressingRate".into(), rate(flow.dressing_rate(), quirks));
    // Every demo store has a passing-flow device, and the sandbox never counts twice.
    bucket.insert(
        "inCountHavingPassDevice".into(),
        count(flow.entering, quirks),
    );
    bucket.insert("duplicatedFlow".into(), count(0, quirks));
    Value::Object(bucket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::platform::Platform;
    use crate::tokens::User;
    use proptest::prelude::*;

    fn form(pairs: &[(&str, &str)]) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            form.append_pair(k, v);
        }
        form.finish()
    }

    proptest! {
        #[test]
        fn arbitrary_window_parameters_never_panic(
            id in "(S_|O_)?[0-9]{0,6}(,(S_|O_)?[0-9]{0,5}){0,3}",
            start in "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{2}:[0-9]{2})?",
            end in "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{2}:[0-9]{2})?",
            time_type in "[0-9]{0,2}",
            hours in proptest::option::of(("[0-9]{0,2}", "[0-9]{0,2}")),
            business in "[0-2]?",
            quirks in any::<bool>(),
            at in -10_000_000_000i64..200_000_000_000,
        ) {
            let now = chrono::DateTime::from_timestamp(at, 0)
                .expect("inside chrono's range")
                .with_timezone(&crate::clock::gateway_offset());
            let platform = Platform::new(Default::default());
            let user = User { name: "u".into(), password: "p".into(), user_id: 1 };
            let (token, _) = platform.tokens.issue(&user, now);
            let (start_hour, end_hour) = hours.unwrap_or_default();
            let dep_id = id.trim_start_matches("S_").trim_start_matches("O_").to_owned();
            let body = form(&[
                ("id", &id), ("depId", &dep_id),
                ("startTime", &start), ("endTime", &end), ("stime", &start), ("etime", &end),
                ("timeType", &time_type), ("startHour", &start_hour), ("endHour", &end_hour),
                ("isOnBusinessTime", &business),
            ]);
            let params = Params::parse(None, body.as_bytes());
            let call = Call {
                params: &params,
                now,
                quirks,
                platform: &platform,
                gateway: opretail_model::Gateway::Classic,
                token: Some(&token),
            };
            let _ = indicator(&call);
            let _ = many_shops(&call);
            let _ = super::super::demographics::handle(&call);
        }
    }
}
