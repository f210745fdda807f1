//! `open.shopweb.passengerFlow.flowGroup.getAgeGroupAndGenderDistribution` v1: the visitors of
//! a window by gender and age group. The visitors are the entering flow of the same hours the
//! series methods count, so both groupings add up to the window's visitors. Needs a token.

use opretail_model::METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION;
use serde_json::{Value, json};

use crate::call::{Call, Data};
use crate::format::{count, rate};
use crate::rejection::Rejection;
use crate::synthesis::flow::percent;
use crate::synthesis::shares::{AGE_GROUPS, shares};
use crate::synthesis::tenant;
use crate::window::{self, has_begun};

pub(crate) const METHOD: &str = METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION;
pub(crate) const VERSION: &str = "v1";

/// `S_…`/`O_…` ids, comma-separated.
const ID: &str = opretail_model::GetAgeGroupAndGenderDistribution::PARAM_ID;
/// The first day, `yyyy-MM-dd HH:mm:ss` (the time is ignored) or `yyyy-MM-dd`.
const STIME: &str = opretail_model::GetAgeGroupAndGenderDistribution::PARAM_STIME;
/// The last day, as `stime`.
const ETIME: &str = opretail_model::GetAgeGroupAndGenderDistribution::PARAM_ETIME;
/// The first hour of each day counted (optional).
const START_HOUR: &str = opretail_model::GetAgeGroupAndGenderDistribution::PARAM_START_HOUR;
/// The hour after the last one counted (optional).
const END_HOUR: &str = opretail_model::GetAgeGroupAndGenderDistribution::PARAM_END_HOUR;

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    call.session()?;
    let limits = call.platform.limits;
    let ids = window::ids(call, ID, limits)?;
    let (first, last) = window::days(call, STIME, ETIME)?;
    let hours = window::hours(call, START_HOUR, END_HOUR)?;
    window::check_days(first, last, limits, None)?;
    let now = call.now.naive_local();
    let flows = call.flows();
    let mut visitors = 0;
    for store in tenant::demo().resolve_all(&ids) {
        let entity = store.entity();
        for day in first.iter_days().take_while(|d| *d <= last) {
            let entering = flows.hours(&entity, day);
            for hour in (0..24).filter(|h| hours.contains(*h) && has_begun(now, day, *h)) {
                visitors += entering[hour as usize];
            }
        }
    }
    let split = shares(&ids, visitors);
    let q = call.quirks;
    let gender: Vec<Value> = split
        .genders
        .iter()
        .enumerate()
        .map(|(code, n)| {
            json!({
                "gender": code,
                "peopleNum": count(*n, q),
                "percentage": rate(percent(*n, visitors), q),
            })
        })
        .collect();
    let age: Vec<Value> = AGE_GROUPS
        .iter()
        .zip(&split.ages)
        .map(|((kind, from, to, _), n)| {
            json!({
                "ageDivisionType": kind,
                "peopleNum": count(*n, q),
                "percentage": rate(percent(*n, visitors), q),
                "ageFrom": from,
                "ageTo": to,
            })
        })
        .collect();
    Ok(Data::new(json!({
        "genderDistribution": gender,
        "ageDistribution": age,
    })))
}
