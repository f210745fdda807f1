//! `open.shopweb.passengerFlow.flowGroup.getAgeGroupAndGenderDistribution` v1: the visitors of
//! a window by gender and age group. The visitors are the entering flow of the same hours the
//! series methods count, so both groupings add up to the window's visitors.

use opretail_model::METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION;
use serde_json::{Value, json};

use super::Call;
use super::flow::{day_flows, percent};
use super::total_data::seed;
use super::window::{self, count, has_begun, rate};
use crate::tenant::{self, DemoStore};
use crate::validate::Rejection;

/// The method's name.
pub(crate) const METHOD: &str = METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION;

/// The age groups: `ageDivisionType`, `ageFrom`, `ageTo` (`None`: open-ended), weight.
const AGE_GROUPS: [(i64, i64, Option<i64>, u32); 5] = [
    (0, 0, Some(18), 8),
    (1, 19, Some(30), 34),
    (2, 31, Some(45), 33),
    (3, 46, Some(59), 17),
    (4, 60, None, 8),
];

pub(crate) fn handle(call: &Call<'_>) -> Result<Value, Rejection> {
    call.session()?;
    let limits = call.platform.limits;
    let ids = window::ids(call, limits)?;
    let (first, last) = window::days(call, "stime", "etime")?;
    let hours = window::hours(call)?;
    window::check_days(first, last, limits, None)?;
    let mut stores: Vec<&DemoStore> = Vec::new();
    for id in &ids {
        for store in tenant::demo().resolve(id).unwrap_or_default() {
            if !stores.iter().any(|s| s.dep_id == store.dep_id) {
                stores.push(store);
            }
        }
    }
    let now = call.now.naive_local();
    let mut visitors = 0;
    for store in &stores {
        let entity = store.entity();
        for day in first.iter_days().take_while(|d| *d <= last) {
            let flows = day_flows(&entity, day);
            for hour in (0..24).filter(|h| hours.contains(*h) && has_begun(now, day, *h)) {
                visitors += flows[hour as usize].entering;
            }
        }
    }
    // The shares depend on who is asked about, not on the window.
    let mut rng = fastrand::Rng::with_seed(seed(&[ids.join(",").as_bytes(), b"demographics"]));
    let gender_weights = [rng.u32(2..8), rng.u32(35..50), rng.u32(45..60)];
    let genders = split(visitors, &gender_weights);
    let age_weights: Vec<u32> = AGE_GROUPS
        .iter()
        .map(|(_, _, _, w)| w * rng.u32(80..120))
        .collect();
    let ages = split(visitors, &age_weights);
    let q = call.quirks;
    let gender: Vec<Value> = genders
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
        .zip(&ages)
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
    Ok(json!({
        "genderDistribution": gender,
        "ageDistribution": age,
    }))
}

/// `total` split by `weights`, the parts adding up to `total` exactly (largest remainders
/// rounded up).
fn split(total: u64, weights: &[u32]) -> Vec<u64> {
    let sum: u64 = weights.iter().map(|w| u64::from(*w)).sum::<u64>().max(1);
    let mut parts: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u64, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(*w);
        let whole = u64::try_from(exact / u128::from(sum)).unwrap_or(u64::MAX);
        parts.push(whole);
        remainders.push((u64::try_from(exact % u128::from(sum)).unwrap_or(0), i));
    }
    let given: u64 = parts.iter().sum();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = usize::try_from(total - given).unwrap_or(0);
    for (_, i) in remainders.into_iter().take(left) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_add_up() {
        for total in [0, 1, 7, 999, 123_457] {
            let parts = split(total, &[3, 40, 57]);
            assert_eq!(parts.iter().sum::<u64>(), total);
        }
        assert_eq!(split(10, &[1, 1]), vec![5, 5]);
    }
}
