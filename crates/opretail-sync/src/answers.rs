//! Answers turned into rows, checked first: an answer about another store, a bucket that is
//! not a time or lies outside the days asked for, a bucket or group given twice, or no
//! buckets at all is refused whole, so that nothing of it is written.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use opretail::{
    AgeShare, Demographics, EntityId, Gender, Measure, ShopSeriesList, Store, TotalData,
};

use crate::plan::{BucketState, Now, Window};
use crate::rows::{Cell, Rows};
use crate::stream::Stream;

/// The longest piece of gateway text quoted in an error.
const QUOTED: usize = 64;

/// `text` quoted for an error, clipped: it came from the gateway and may be anything.
pub(crate) fn quoted(text: &str) -> String {
    let clipped: String = text.chars().take(QUOTED).collect();
    if clipped.len() < text.len() {
        format!("{:?}…", clipped)
    } else {
        format!("{clipped:?}")
    }
}

pub(crate) fn count(measure: Option<&Measure>) -> Cell {
    measure
        .and_then(|m| m.as_i64().or_else(|| float_count(m.value())))
        .into()
}

/// A count sent with a fraction (`12.0`, `12.5`): rounded, when it is a number at all.
fn float_count(value: f64) -> Option<i64> {
    (value.is_finite() && value.abs() < 9.0e15).then(|| value.round() as i64)
}

fn real(measure: Option<&Measure>) -> Cell {
    measure.map(Measure::value).filter(|v| v.is_finite()).into()
}

/// The row of a store of the store list, seen at `seen_at`; `None` without an id.
pub(crate) fn store_row(store: &Store, seen_at: NaiveDateTime) -> Option<Vec<Cell>> {
    let id = store.entity_id()?;
    Some(vec![
        Cell::Text(id.as_str().to_owned()),
        store.name.clone().into(),
        store.shop_id.clone().into(),
        store.organize_id.clone().into(),
        store.organize_name.clone().into(),
        store.address.clone().into(),
        real(store.longitude.as_ref()),
        real(store.latitude.as_ref()),
        store.open_status.into(),
        Cell::Timestamp(seen_at),
        Cell::Timestamp(seen_at),
    ])
}

/// The rows of a series answer for one store over one window: every bucket begun by now,
/// the running one marked partial.
pub(crate) fn flow_rows(
    stream: Stream,
    store: &EntityId,
    window: Window,
    answer: ShopSeriesList,
    now: Now,
) -> Result<Rows, String> {
    let mut series = None;
    for shop in answer.shops {
        match shop.entity_id() {
            Some(id) if id == *store && series.is_none() => series = Some(shop),
            Some(id) if id == *store => return Err("the answer has this store twice".into()),
            Some(other) => {
                return Err(format!("the answer is about another store ({other})"));
            }
            None => {
                let dep = shop.dep_id.as_deref().unwrap_or("");
                return Err(format!(
                    "the answer has a series with no usable depId ({})",
                    quoted(dep)
                ));
            }
        }
    }
    let series = series.ok_or("the answer has no series for this store")?;
    if series.buckets.is_empty() {
        return Err(format!(
            "the answer has no buckets for {} to {}: the gateway sent an empty series",
            window.first, window.last
        ));
    }
    let mut rows = Rows::new(stream);
    let mut seen = BTreeSet::new();
    for bucket in &series.buckets {
        let text = bucket.time.as_deref().unwrap_or("");
        let start = bucket
            .date_time()
            .ok_or_else(|| format!("a bucket's time is not a time ({})", quoted(text)))?;
        let aligned = match stream {
            Stream::FlowHourly => start.minute() == 0 && start.second() == 0,
            _ => start.time() == NaiveTime::MIN,
        };
        if !aligned || start.date() < window.first || start.date() > window.last {
            return Err(format!(
                "a bucket ({}) is not a {} of {} to {}",
                quoted(text),
                if stream == Stream::FlowHourly {
                    "whole hour"
                } else {
                    "day"
                },
                window.first,
                window.last
            ));
        }
        if !seen.insert(start) {
            return Err(format!("the answer has the bucket {} twice", quoted(text)));
        }
        let partial = match now.state(stream, start) {
            BucketState::Complete => false,
            BucketState::Partial => true,
            BucketState::Future => continue,
        };
        let at = match stream {
            Stream::FlowHourly => Cell::Timestamp(start),
            _ => Cell::Date(start.date()),
        };
        rows.push([
            Cell::Text(store.as_str().to_owned()),
            at,
            count(bucket.passenger_flow.as_ref()),
            count(bucket.pass_passenger_flow.as_ref()),
            count(bucket.outside_passenger_flow.as_ref()),
            real(bucket.in_shop_rate.as_ref()),
            count(bucket.out_flow_count.as_ref()),
            real(bucket.dressing_rate.as_ref()),
            Cell::Boolean(partial),
            Cell::Timestamp(now.at()),
        ]);
    }
    Ok(rows)
}

pub(crate) fn gender_group(gender: Gender) -> String {
    match gender {
        Gender::Unknown => "unknown".into(),
        Gender::Male => "male".into(),
        Gender::Female => "female".into(),
        Gender::Other(code) => format!("gender_{code}"),
    }
}

/// The name of an age group: `18-25`, `60+`, or `type_<code>` when the share has no ages.
pub(crate) fn age_group(share: &AgeShare) -> Option<String> {
    match (share.age_from, share.age_to) {
        (Some(from), Some(to)) => Some(format!("{from}-{to}")),
        (Some(from), None) => Some(format!("{from}+")),
        (None, _) => share.age_division_type.map(|kind| format!("type_{kind}")),
    }
}

/// The rows of a demographics answer for one store on one day.
pub(crate) fn demographics_rows(
    store: &EntityId,
    day: NaiveDate,
    answer: &Demographics,
    now: Now,
) -> Result<Rows, String> {
    let partial = match now.state(Stream::DemographicsDaily, day.and_time(NaiveTime::MIN)) {
        BucketState::Complete => false,
        BucketState::Partial => true,
        BucketState::Future => return Ok(Rows::new(Stream::DemographicsDaily)),
    };
    let mut groups: Vec<(&str, String, Option<&Measure>, Option<&Measure>)> = Vec::new();
    for share in &answer.gender {
        let gender = share.gender.ok_or("a gender share has no gender code")?;
        groups.push((
            "gender",
            gender_group(gender),
            share.people_num.as_ref(),
            share.percentage.as_ref(),
        ));
    }
    for share in &answer.age {
        let group = age_group(share).ok_or("an age share has neither ages nor a division type")?;
        groups.push((
            "age",
            group,
            share.people_num.as_ref(),
            share.percentage.as_ref(),
        ));
    }
    if groups.is_empty() {
        return Err(format!("the answer has no gender or age group for {day}"));
    }
    let mut rows = Rows::new(Stream::DemographicsDaily);
    let mut seen = BTreeSet::new();
    for (dimension, group, people, percentage) in groups {
        if !seen.insert((dimension, group.clone())) {
            return Err(format!(
                "the answer has the {dimension} group {} twice",
                quoted(&group)
            ));
        }
        rows.push([
            Cell::Text(store.as_str().to_owned()),
            Cell::Date(day),
            Cell::Text(dimension.to_owned()),
            Cell::Text(group),
            count(people),
            real(percentage),
            Cell::Boolean(partial),
            Cell::Timestamp(now.at()),
        ]);
    }
    Ok(rows)
}

/// The row of a `getTotalData` snapshot of one store.
pub(crate) fn totals_rows(store: &EntityId, answer: &TotalData, now: Now) -> Rows {
    let mut rows = Rows::new(Stream::Totals);
    rows.push([
        Cell::Text(store.as_str().to_owned()),
        Cell::Timestamp(now.at()),
        count(answer.day_flow.as_ref()),
        count(answer.week_flow.as_ref()),
        count(answer.month_flow.as_ref()),
        real(answer.total_sale.as_ref()),
        real(answer.expenditure.as_ref()),
        real(answer.enter_rate.as_ref()),
        real(answer.buy_rate.as_ref()),
        real(answer.fitting_rate.as_ref()),
    ]);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Now {
        Now::new(
            NaiveDate::from_ymd_opt(2026, 11, 28)
                .unwrap()
                .and_hms_opt(14, 25, 0)
                .unwrap(),
        )
    }

    fn window() -> Window {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        Window {
            first: day,
            last: day,
            complete_until: day.and_hms_opt(14, 0, 0).unwrap(),
        }
    }

    fn series(json: serde_json::Value) -> ShopSeriesList {
        serde_json::from_value(json).unwrap()
    }

    fn store() -> EntityId {
        "S_1001".parse().unwrap()
    }

    #[test]
    fn buckets_begun_are_rows_and_the_running_one_is_partial() {
        let answer = series(serde_json::json!([{"depId": 1001, "dataList": [
            {"time": "2026-11-28 13:00:00", "passengerFlow": 12, "inShopRate": "8.5%"},
            {"time": "2026-11-28 14:00:00", "passengerFlow": "3"},
            {"time": "2026-11-28 15:00:00", "passengerFlow": 0},
        ]}]));
        let rows = flow_rows(Stream::FlowHourly, &store(), window(), answer, now()).unwrap();
        assert_eq!(rows.len(), 2);
        let partial: Vec<&Cell> = rows.column(8).collect();
        assert_eq!(partial, [&Cell::Boolean(false), &Cell::Boolean(true)]);
        assert_eq!(rows.iter().next().unwrap()[5], Cell::Real(8.5));
    }

    #[test]
    fn hostile_answers_are_refused_whole() {
        let cases = [
            (serde_json::json!([]), "no series for this store"),
            (
                serde_json::json!([{"depId": 7, "dataList": [{"time": "2026-11-28 13:00:00"}]}]),
                "another store (S_7)",
            ),
            (
                serde_json::json!([{"depId": 1001, "dataList": []}]),
                "empty series",
            ),
            (
                serde_json::json!([{"depId": 1001, "dataList": [{"time": "soon"}]}]),
                "not a time (\"soon\")",
            ),
            (
                serde_json::json!([{"depId": 1001, "dataList": [{"time": "2026-11-27 13:00:00"}]}]),
                "is not a whole hour of",
            ),
            (
                serde_json::json!([{"depId": 1001, "dataList": [{"time": "2026-11-28 13:30:00"}]}]),
                "is not a whole hour of",
            ),
            (
                serde_json::json!([{"depId": 1001, "dataList": [{"time": "2026-11-28 13"}, {"time": "2026-11-28 13:00:00"}]}]),
                "twice",
            ),
            (
                serde_json::json!([{"depId": "x".repeat(500), "dataList": []}]),
                "no usable depId",
            ),
        ];
        for (json, expected) in cases {
            let error = flow_rows(
                Stream::FlowHourly,
                &store(),
                window(),
                series(json.clone()),
                now(),
            )
            .unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
            assert!(error.len() < 200, "{error}");
        }
    }

    #[test]
    fn demographics_groups_are_named_and_never_twice() {
        let answer: Demographics = serde_json::from_value(serde_json::json!({
            "genderDistribution": [{"gender": 1, "peopleNum": 40, "percentage": 40}, {"gender": 2, "peopleNum": 60}],
            "ageDistribution": [{"ageFrom": 18, "ageTo": 25, "peopleNum": 10}, {"ageFrom": 60, "peopleNum": 5}],
        }))
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let rows = demographics_rows(&store(), day, &answer, now()).unwrap();
        let groups: Vec<&Cell> = rows.column(3).collect();
        assert_eq!(
            groups,
            [
                &Cell::Text("male".into()),
                &Cell::Text("female".into()),
                &Cell::Text("18-25".into()),
                &Cell::Text("60+".into())
            ]
        );
        let twice: Demographics = serde_json::from_value(serde_json::json!({
            "gender": [{"gender": 1}, {"gender": 1}],
        }))
        .unwrap();
        assert!(
            demographics_rows(&store(), day, &twice, now())
                .unwrap_err()
                .contains("twice")
        );
    }
}
