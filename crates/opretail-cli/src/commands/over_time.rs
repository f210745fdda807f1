//! What `passenger-flow series` and `demographics` share: the stores asked about, the period,
//! and sending many calls of which some may fail.

use chrono::Timelike;
use futures_util::{StreamExt, stream};
use indicatif::ProgressBar;
use opretail_model::{DateRange, EntityId, Error, HourRange, Operation};

use crate::args::{IdSource, Period, When};
use crate::failure::Failure;
use crate::gateway::Gateway;

/// The days of `period` and, when either end has a time, the hours of each day.
pub fn window(period: &Period) -> Result<(DateRange, Option<HourRange>), Failure> {
    let days = DateRange::new(period.from.date(), period.to.date())
        .map_err(|e| Failure::usage(format!("--from/--to: {e}")))?;
    let start = match period.from {
        When::Day(_) => 0,
        When::At(at) => at.hour() as u8,
    };
    let end = match period.to {
        When::Day(_) => 24,
        // An end within an hour counts that hour.
        When::At(at) if at.minute() > 0 || at.second() > 0 => at.hour() as u8 + 1,
        When::At(at) => at.hour() as u8,
    };
    if (start, end) == (0, 24) {
        return Ok((days, None));
    }
    let hours = HourRange::new(start, end)
        .map_err(|e| Failure::usage(format!("--from/--to: the hours of each day: {e}")))?;
    Ok((days, Some(hours)))
}

/// Whether the ids come from the store list; checks that some id was given otherwise.
pub fn needs_store_list(source: &IdSource) -> bool {
    source.all_stores
}

/// The ids given, or every store's with `--all-stores`; each id once, in input order.
pub async fn ids(
    gateway: &Gateway,
    source: &IdSource,
    given: &crate::ids::Batch,
) -> Result<Vec<EntityId>, Failure> {
    if needs_store_list(source) {
        super::stores::all_store_ids(gateway).await
    } else {
        Ok(given.unique.clone())
    }
}

/// Logs in before the calls when the token comes from a user's credentials, so that a wrong
/// password ends the command once instead of failing every call (each of which would try
/// to log in). Without credentials there is nothing to do: each call uses the given token.
pub async fn log_in_first(gateway: &Gateway) -> Result<(), Failure> {
    match gateway.client.login().await {
        Ok(_) | Err(Error::InvalidInput { .. }) => Ok(()),
        Err(error) => Err(super::stores::call_failed("the login", &error)),
    }
}

/// Sends every call, `in_flight` at a time: a slow call holds only its own slot. Gives the
/// results in the order of `calls`, counting each on `progress` as it comes.
///
/// A call refused before sending ([`Error::InvalidInput`]: no token, a bad setting) would be
/// refused for every call alike: that ends the command. Any other failure is only its call's.
pub async fn send_all<O>(
    gateway: &Gateway,
    calls: &[O],
    in_flight: usize,
    progress: &ProgressBar,
    what: &str,
) -> Result<Vec<Result<O::Output, Error>>, Failure>
where
    O: Operation + Sync,
    O::Output: Send,
{
    let client = &gateway.client;
    let mut results: Vec<(usize, Result<O::Output, Error>)> =
        stream::iter(calls.iter().enumerate().map(|(n, call)| async move {
            let result = client.send(call).await;
            progress.inc(1);
            (n, result)
        }))
        .buffer_unordered(in_flight)
        .collect()
        .await;
    progress.finish_and_clear();
    if let Some((_, Err(error))) = results
        .iter()
        .find(|(_, r)| matches!(r, Err(Error::InvalidInput { .. })))
    {
        return Err(super::stores::call_failed(what, error));
    }
    results.sort_unstable_by_key(|(n, _)| *n);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// The ids of a call as a short list for a message: the first few, then how many more.
pub fn some_ids(ids: &[EntityId]) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<&str> = ids.iter().take(SHOWN).map(EntityId::as_str).collect();
    match ids.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
