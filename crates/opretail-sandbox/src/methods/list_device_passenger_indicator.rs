//! `open.shopwebpassengerflow.customerflow.listDevicePassengerIndicator` v1: one device's
//! entering and exit flow over the days of a window, in buckets of a grain, as the
//! many-stores series sends its buckets (`{mac, deviceName, dataList}`). Each hour the
//! store's counted flow is split among its devices (see `synthesis::devices`), so a store's
//! devices add up to its series exactly; a dead device counts zero. Needs a token.

use opretail_model::{ListDevicePassengerIndicator, METHOD_LIST_DEVICE_PASSENGER_INDICATOR};
use serde_json::{Value, json};

use crate::call::{Call, Data};
use crate::format::count;
use crate::rejection::{PARAM_ILLEGAL, Rejection, STORE_NOT_FOUND, business_error};
use crate::synthesis::devices::{devices_of, find, split};
use crate::synthesis::tenant;
use crate::window::{self, HourFilter, Hours};

pub(crate) const METHOD: &str = METHOD_LIST_DEVICE_PASSENGER_INDICATOR;
pub(crate) const VERSION: &str = "v1";

/// The device: 12 hex digits.
const MAC: &str = ListDevicePassengerIndicator::PARAM_MAC;
/// The window's start, `yyyy-MM-dd HH:mm:ss`.
const START_TIME: &str = ListDevicePassengerIndicator::PARAM_START_TIME;
/// The window's end, `yyyy-MM-dd HH:mm:ss`.
const END_TIME: &str = ListDevicePassengerIndicator::PARAM_END_TIME;
/// The grain's code.
const TIME_TYPE: &str = ListDevicePassengerIndicator::PARAM_TIME_TYPE;
/// `1`: the store's business hours only.
const IS_ON_BUSINESS_TIME: &str = ListDevicePassengerIndicator::PARAM_IS_ON_BUSINESS_TIME;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let mac = call.params.get(MAC).trim().to_ascii_uppercase();
    if mac.len() != 12 || !mac.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(business_error(
            PARAM_ILLEGAL,
            format!("{MAC} {mac:?} is not 12 hex digits"),
        ));
    }
    let dead = &call.platform.dead_devices;
    let Some((store, device)) = find(&tenant::demo().stores, &mac, dead) else {
        return Err(business_error(
            STORE_NOT_FOUND,
            format!("no device {mac} in the demo tenant"),
        ));
    };
    let (start, end) = (window::time(call, START_TIME)?, window::time(call, END_TIME)?);
    if start > end {
        return Err(business_error(
            PARAM_ILLEGAL,
            format!("{START_TIME} {start} is after {END_TIME} {end}; swap them"),
        ));
    }
    let grain = window::grain(call, TIME_TYPE)?;
    let (first, last) = (start.date(), end.date());
    window::check_days(first, last, call.platform.limits, Some(grain))?;
    let filter = HourFilter {
        hours: Hours::ALL_DAY,
        business_only: window::business_hours_only(call, IS_ON_BUSINESS_TIME)?,
        now: call.now.naive_local(),
    };
    let devices = devices_of(store, dead);
    let index = devices.iter().position(|d| d.mac == mac).unwrap_or(0);
    let counts = !dead.contains(&mac);
    let view = call.counted_flows();
    let entity = store.entity();
    let mut buckets: Vec<(String, u64, u64)> = Vec::new();
    let mut current = None;
    for day in first.iter_days().take_while(|d| *d <= last) {
        let flows = view.day_flows(&entity, day);
        for hour in (0..24).filter(|h| filter.asked(store, *h)) {
            let flow = filter.counted(&flows, day, hour);
            let label = if grain == opretail_model::Grain::Hour {
                window::label(day, hour, grain)
            } else {
                window::label(window::period_start(day, grain), 0, grain)
            };
            if current.as_ref() != Some(&label) {
                current = Some(label.clone());
                buckets.push((label, 0, 0));
            }
            if counts && let Some((_, entering, exits)) = buckets.last_mut() {
                *entering += split(flow.entering, &devices)[index];
                *exits += split(flow.exits, &devices)[index];
            }
        }
    }
    let q = call.quirks;
    let data_list: Vec<Value> = buckets
        .into_iter()
        .map(|(time, entering, exits)| {
            json!({
                "time": time,
                "passengerFlow": count(entering, q),
                "outFlowCount": count(exits, q),
            })
        })
        .collect();
    Ok(Data::new(json!({
        "mac": device.mac,
        "deviceName": device.name,
        "dataList": data_list,
    })))
}
