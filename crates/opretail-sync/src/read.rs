//! Reading synced figures back, for reports over a synced database: the rows of the flow
//! tables and of `demographics_daily` over a range of days, each with its store's name.
//!
//! Rows come back exactly as stored, partial ones included and flagged, so that a report
//! shows the same numbers as a query of the tables would.

use chrono::{NaiveDate, NaiveDateTime};
use opretail::{Demographics, EntityId, Measure, ShopSeries};

use crate::answers;
use crate::rows::Cell;

/// Which flow table to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowTable {
    /// `flow_hourly`: one row per store and hour.
    Hourly,
    /// `flow_daily`: one row per store and day (the platform's own day figure, which is not
    /// the sum of its hours).
    Daily,
}

impl FlowTable {
    /// The table's name.
    pub fn name(self) -> &'static str {
        match self {
            FlowTable::Hourly => "flow_hourly",
            FlowTable::Daily => "flow_daily",
        }
    }
}

/// One row of `flow_hourly` or `flow_daily`, with its store's name from `stores`.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRow {
    /// The store, `S_<depId>`.
    pub store_id: String,
    /// Its name, when the `stores` table has it.
    pub name: Option<String>,
    /// The bucket's start (a day's midnight in `flow_daily`), gateway time.
    pub start: NaiveDateTime,
    /// Entering flow.
    pub entering: Option<i64>,
    /// Passing flow.
    pub passing: Option<i64>,
    /// Entering plus passing, as the platform gave it.
    pub outside: Option<i64>,
    /// Whether the bucket was still running when it was read.
    pub partial: bool,
}

/// One row of `demographics_daily`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemographicsRow {
    /// The store, `S_<depId>`.
    pub store_id: String,
    /// The day, gateway time.
    pub day: NaiveDate,
    /// `gender` or `age`.
    pub dimension: String,
    /// The group (`male`, `18-25`…).
    pub group: String,
    /// Visitors in the group.
    pub people: Option<i64>,
}

/// The rows of a series answer, as a flow table would hold them: the same counts and
/// names `sync` writes, so that a report made from the gateway and one made from a synced
/// database show the same numbers. Buckets whose time does not parse, and series of no
/// usable store, are left out; nothing is marked partial (that takes the time of reading).
pub fn flow_rows_of(shops: &[ShopSeries]) -> Vec<FlowRow> {
    let mut rows = Vec::new();
    for shop in shops {
        let Some(id) = shop.entity_id() else { continue };
        for bucket in &shop.buckets {
            let Some(start) = bucket.date_time() else {
                continue;
            };
            rows.push(FlowRow {
                store_id: id.as_str().to_owned(),
                name: shop.name.clone(),
                start,
                entering: integer(bucket.passenger_flow.as_ref()),
                passing: integer(bucket.pass_passenger_flow.as_ref()),
                outside: integer(bucket.outside_passenger_flow.as_ref()),
                partial: false,
            });
        }
    }
    rows
}

/// The rows of a demographics answer for `store` over a period starting on `day`, with the
/// group names `sync` writes in `demographics_daily`.
pub fn demographics_rows_of(
    store: &EntityId,
    day: NaiveDate,
    answer: &Demographics,
) -> Vec<DemographicsRow> {
    let row = |dimension: &str, group: String, people: Option<&Measure>| DemographicsRow {
        store_id: store.as_str().to_owned(),
        day,
        dimension: dimension.to_owned(),
        group,
        people: integer(people),
    };
    let genders = answer.gender.iter().filter_map(|share| {
        let gender = share.gender?;
        Some(row(
            "gender",
            answers::gender_group(gender),
            share.people_num.as_ref(),
        ))
    });
    let ages = answer.age.iter().filter_map(|share| {
        Some(row(
            "age",
            answers::age_group(share)?,
            share.people_num.as_ref(),
        ))
    });
    genders.chain(ages).collect()
}

fn integer(measure: Option<&Measure>) -> Option<i64> {
    match answers::count(measure) {
        Cell::Integer(n) => Some(n),
        _ => None,
    }
}
