//! The methods line: each typed read method once over today, with one store of the list.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use chrono::{NaiveTime, Utc};
use opretail_model::{
    DateRange, Error, GetAgeGroupAndGenderDistribution, GetManyShopsPassengerIndicatorData,
    GetPassengerIndicatorData, GetTotalData, Grain, ListStores, TimeWindow,
};

use super::{Check, Verdict, line};
use crate::gateway::Gateway;

/// Fields of a page of stores that only say where the page is: the walk does not need them,
/// so they are not reported as unknown.
const PAGING_FIELDS: &[&str] = &["current", "pages", "size", "pageNumber", "pageSize"];

/// How one method did.
enum MethodResult {
    Works(Vec<String>),
    NotGranted(String),
    Mismatch(String),
    Failed(String),
}

/// Each typed read method once over today with one store of the list.
pub(super) async fn methods(gateway: &Gateway, user_failed: bool) -> Check {
    if user_failed {
        return line(
            "methods",
            Verdict::Skipped,
            "the user could not log in, and the reads need its token",
            "fix the user line first",
        );
    }
    let config = gateway.client.config();
    let mut results: BTreeMap<&'static str, MethodResult> = BTreeMap::new();
    let list = ListStores::for_gateway(config.gateway()).page(
        NonZeroU32::MIN,
        NonZeroU32::new(1).unwrap_or(NonZeroU32::MIN),
    );
    let list_name = method_name(&list);
    let store = match gateway.client.send(&list).await {
        Ok(page) => {
            let mut unknown: Vec<String> = page
                .extra
                .keys()
                .filter(|k| !PAGING_FIELDS.contains(&k.as_str()))
                .cloned()
                .collect();
            let first = page.stores.first();
            if let Some(store) = first {
                unknown.extend(store.extra.keys().map(|k| format!("stores[].{k}")));
            }
            results.insert(list_name, MethodResult::Works(unknown));
            first.and_then(|s| s.entity_id())
        }
        Err(e) => {
            results.insert(list_name, classify(&e));
            None
        }
    };
    let Some(store) = store else {
        return summarise(
            results,
            "the store list gave no store to call the others with",
        );
    };
    let today = Utc::now().with_timezone(&config.utc_offset()).date_naive();
    let days = DateRange::day(today);
    let window = TimeWindow::new(
        today.and_time(NaiveTime::MIN),
        today.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
    );
    results.insert(
        "getTotalData",
        match gateway.client.send(&GetTotalData::new(store.clone())).await {
            Ok(data) => MethodResult::Works(data.extra.keys().cloned().collect()),
            Err(e) => classify(&e),
        },
    );
    if let Ok(window) = window
        && let Ok(call) = GetPassengerIndicatorData::new(&store, window)
    {
        results.insert(
            "getPassengerIndicatorData",
            match gateway.client.send(&call).await {
                Ok(_) => MethodResult::Works(Vec::new()),
                Err(e) => classify(&e),
            },
        );
    }
    if let Ok(call) = GetManyShopsPassengerIndicatorData::new([store.clone()], days, Grain::Hour) {
        results.insert(
            "getManyShopsPassengerIndicatorData",
            match gateway.client.send(&call).await {
                Ok(_) => MethodResult::Works(Vec::new()),
                Err(e) => classify(&e),
            },
        );
    }
    if let Ok(call) = GetAgeGroupAndGenderDistribution::new([store], days) {
        results.insert(
            "getAgeGroupAndGenderDistribution",
            match gateway.client.send(&call).await {
                Ok(data) => MethodResult::Works(data.extra.keys().cloned().collect()),
                Err(e) => classify(&e),
            },
        );
    }
    summarise(results, "")
}

/// The short name of the store list's method on this gateway (its last dotted part).
fn method_name(list: &ListStores) -> &'static str {
    use opretail_model::Operation;
    if list.method() == opretail_model::METHOD_GET_DEPARTMENTS {
        "getDepartments"
    } else {
        "getDeptListByPage"
    }
}

fn classify(error: &Error) -> MethodResult {
    match error {
        Error::Gateway(g) => {
            let code = g.code.code();
            let shown = format!("{code} {}", g.code.name());
            if (1..=17).contains(&code) || matches!(code, -100 | -500 | -999 | 9_990_001) {
                MethodResult::Failed(shown)
            } else {
                // Whatever the platform answers for a method the app was not granted: shown as
                // it came, since no code for it is published.
                MethodResult::NotGranted(shown)
            }
        }
        Error::Decode { path, message, .. } => MethodResult::Mismatch(format!("{path}: {message}")),
        other => MethodResult::Failed(crate::output::words(other)),
    }
}

fn summarise(results: BTreeMap<&'static str, MethodResult>, note: &str) -> Check {
    let mut parts = Vec::new();
    let mut verdict = Verdict::Ok;
    let mut remedies = Vec::new();
    for (name, result) in &results {
        match result {
            MethodResult::Works(unknown) if unknown.is_empty() => {
                parts.push(format!("{name} works"))
            }
            MethodResult::Works(unknown) => {
                verdict = verdict.max_with(Verdict::Warn);
                parts.push(format!(
                    "{name} works, with fields we do not decode: {}",
                    unknown.join(", ")
                ));
                remedies.push("unknown fields are kept as they came; tell the SDK's maintainers");
            }
            MethodResult::NotGranted(code) => {
                verdict = Verdict::Fail;
                parts.push(format!("{name} not granted to this app (answered {code})"));
                remedies.push("grant the method to the application in the developer console");
            }
            MethodResult::Mismatch(what) => {
                verdict = Verdict::Fail;
                parts.push(format!(
                    "{name}: the answer does not match what we decode: {what}"
                ));
                remedies
                    .push("the answer lacks or mistypes a field we need: report it with the cid");
            }
            MethodResult::Failed(what) => {
                verdict = Verdict::Fail;
                parts.push(format!("{name} failed: {what}"));
                remedies.push("see `opretail codes` for the code");
            }
        }
    }
    if !note.is_empty() {
        verdict = Verdict::Fail;
        parts.push(note.to_owned());
        remedies.push("the user sees no store: check its rights on the business platform");
    }
    remedies.dedup();
    line("methods", verdict, parts.join("; "), &remedies.join("; "))
}

impl Verdict {
    fn max_with(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Fail, _) | (_, Verdict::Fail) => Verdict::Fail,
            (Verdict::Warn, _) | (_, Verdict::Warn) => Verdict::Warn,
            _ => self,
        }
    }
}
