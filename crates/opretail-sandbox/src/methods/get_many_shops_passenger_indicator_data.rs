//! `open.passengerflow.getManyShopsPassengerIndicatorData` v1: several stores' passenger flow
//! as a series of buckets (hours to years), summed from the hourly figures. Hours that have
//! not begun at the gateway count zero. Needs a token.

use chrono::NaiveDate;
use opretail_model::{Grain, METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::call::{Call, Data};
use crate::format::{Figure, Written, flow_entries};
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
    let series: Vec<StoreSeries> = tenant::demo()
        .resolve_all(&ids)
        .into_iter()
        .map(|store| StoreSeries {
            buckets: buckets(&call.flows(), store, (first, last), grain, filter),
            store,
            quirks: call.quirks,
        })
        .collect();
    Ok(Data::new(series))
}

/// One store's entry of the answer: its buckets, kept as figures and written as JSON when the
/// answer is. A tree of 14,880 buckets took about 12 MB; with these, the README's
/// `--sandbox report` of 300 stores over a month peaks at 25 MB instead of 50 (release).
struct StoreSeries {
    store: &'static DemoStore,
    buckets: Vec<(String, Flow)>,
    quirks: bool,
}

impl Serialize for StoreSeries {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Buckets<'a>(&'a StoreSeries);
        impl Serialize for Buckets<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let StoreSeries { store, quirks, .. } = *self.0;
                serializer.collect_seq(self.0.buckets.iter().map(|(time, flow)| Bucket {
                    time,
                    flow: *flow,
                    dep_id: store.dep_id,
                    quirks,
                }))
            }
        }
        let dep_id = u64::try_from(self.store.dep_id).unwrap_or(0);
        // Members in the order a `serde_json::Map` sorts them, as every other answer has.
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("dataList", &Buckets(self))?;
        map.serialize_entry("depId", &Written(Figure::Count(dep_id), self.quirks))?;
        map.serialize_entry("name", &self.store.name)?;
        map.serialize_entry("shopId", &self.store.shop_id)?;
        map.end()
    }
}

/// One bucket of a store's `dataList`.
struct Bucket<'a> {
    time: &'a str,
    flow: Flow,
    dep_id: i64,
    quirks: bool,
}

impl Serialize for Bucket<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Bucket {
            time,
            flow,
            dep_id,
            quirks,
        } = *self;
        // The indicator's fields and the bucket's own, in the order a `serde_json::Map` sorts
        // them (the bucket's two go after the first of the indicator's). Every demo store has
        // a passing-flow device, and the sandbox never counts twice.
        let [first, rest @ ..] = flow_entries(flow, dep_id);
        let own = [
            ("duplicatedFlow", Figure::Count(0)),
            ("inCountHavingPassDevice", Figure::Count(flow.entering)),
        ];
        let mut map = serializer.serialize_map(Some(9))?;
        for (name, figure) in std::iter::once(first).chain(own).chain(rest) {
            map.serialize_entry(name, &Written(figure, quirks))?;
        }
        map.serialize_entry("time", time)?;
        map.end()
    }
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

#[cfg(test)]
mod tests {
    use crate::call::Call;
    use crate::params::Params;
    use crate::platform::{Platform, PlatformConfig};
    use crate::tokens::User;
    use crate::validate::tests::now;

    #[test]
    fn buckets_are_written_as_a_sorted_map_would_write_them() {
        let platform = Platform::new(PlatformConfig::default());
        let user = User {
            name: "u".into(),
            password: "p".into(),
            user_id: 1,
        };
        let (token, _) = platform.tokens.issue(&user, now());
        let body = "id=S_1001,S_1002&startTime=2026-11-27&endTime=2026-11-28&timeType=2";
        let params = Params::parse(None, body.as_bytes());
        for quirks in [false, true] {
            let call = Call {
                params: &params,
                now: now(),
                quirks,
                platform: &platform,
                gateway: opretail_model::Gateway::Classic,
                token: Some(&token),
                revision: None,
            };
            let mut json = Vec::new();
            super::handle(&call).expect("an answer").write_json(&mut json);
            let json = String::from_utf8(json).expect("UTF-8");
            // Its own tree written again: a `serde_json::Map` sorts the members, so the text
            // is the same only if they came sorted, as the other answers' do.
            let tree: serde_json::Value = serde_json::from_str(&json).expect("JSON");
            assert_eq!(tree.to_string(), json);
            let bucket = &tree[0]["dataList"][0];
            assert_eq!(bucket.as_object().map(|b| b.len()), Some(9), "{json}");
            assert!(bucket.get("outSidePassengerFlow").is_some(), "{json}");
            assert!(tree[1]["dataList"][0].get("outsidePassengerFlow").is_some(), "{json}");
            let dep_id = &tree[1]["depId"];
            let expected = if quirks {
                serde_json::json!("1002")
            } else {
                serde_json::json!(1002)
            };
            assert_eq!(dep_id, &expected);
        }
    }
}
