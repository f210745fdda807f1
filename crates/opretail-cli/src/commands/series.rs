//! `opretail passenger-flow series`: passenger flow over time, one row per store and bucket.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;

use opretail_model::{
    EntityId, GetManyShopsPassengerIndicatorData, SeriesLimits, SeriesRequest, ShopSeries,
};

use crate::args::SeriesArgs;
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::ids::Batch;
use crate::output::ErrorInfo;
use crate::output::tidy::{TidyWriter, figure, text};

/// The columns of `series`.
const COLUMNS: &[&str] = &[
    "id",
    "store",
    "bucket",
    "entering",
    "passing",
    "outside",
    "entry_rate",
    "exit",
    "fitting_rate",
];

/// Fetches the series and writes its rows, store by store in input order, buckets in time order.
///
/// A failed call fails its stores only: they get no rows (not a part of their period either),
/// the failure is reported on stderr, and the exit status is 1 once every other store is
/// written.
pub async fn run(gateway: &Gateway, args: &SeriesArgs, given: Batch) -> Result<(), Failure> {
    let over = &args.over;
    let format = crate::args::ListFormat::or_default(over.output);
    let (days, hours) = super::over_time::window(&over.period)?;
    if gateway.is_sandbox() {
        say!("note: sandbox data, not from the real gateway");
    }
    let ids = super::over_time::ids(gateway, &over.stores, &given).await?;
    let mut whole = GetManyShopsPassengerIndicatorData::new(ids.clone(), days, args.by.into())
        .map_err(|e| Failure::usage(e.to_string()))?
        .business_hours_only(args.business_hours);
    if let Some(hours) = hours {
        whole = whole.hours(hours);
    }
    let in_flight = NonZeroU32::new(u32::from(over.concurrency))
        .expect("clap keeps --concurrency at 1 or more");
    let request =
        SeriesRequest::new(whole).limits(SeriesLimits::default().max_in_flight(in_flight));
    let calls = request
        .calls()
        .map_err(|e| Failure::usage(format!("the period is too long for these stores: {e}")))?;

    super::over_time::log_in_first(gateway).await?;
    let progress = super::total::progress_bar(calls.len(), "calls");
    let results = super::over_time::send_all(
        gateway,
        &calls,
        request.in_flight(),
        &progress,
        "the passenger-flow series",
    )
    .await?;

    // A store with any part of its period missing is left out whole: half a series would
    // read as a quiet day.
    let mut failed_stores: HashSet<EntityId> = HashSet::new();
    let mut failed_calls = 0usize;
    let mut answers = Vec::with_capacity(results.len());
    for (call, result) in calls.iter().zip(results) {
        match result {
            Ok(answer) => answers.push(answer),
            Err(error) => {
                failed_calls += 1;
                failed_stores.extend(call.ids().iter().cloned());
                say!(
                    "error: the series of {} from {} to {}: {}",
                    super::over_time::some_ids(call.ids()),
                    call.days().first(),
                    call.days().last(),
                    ErrorInfo::of(&error).line()
                );
            }
        }
    }
    let mut series = request.merge(answers);
    series.retain(|s| s.entity_id().is_none_or(|id| !failed_stores.contains(&id)));
    let order: HashMap<&EntityId, usize> = ids.iter().enumerate().map(|(n, id)| (id, n)).collect();
    let position = |s: &ShopSeries| {
        s.entity_id()
            .and_then(|id| order.get(&id).copied())
            .unwrap_or(usize::MAX)
    };
    series.sort_by_key(position);

    let mut out = TidyWriter::new(COLUMNS, format, over.csv_raw, std::io::stdout().lock())?;
    for shop in &series {
        let id = shop.entity_id();
        for bucket in &shop.buckets {
            out.row(vec![
                text(id.as_ref().map(|id| id.as_str())),
                text(shop.name.as_deref()),
                text(bucket.time.as_deref()),
                figure(bucket.passenger_flow.as_ref()),
                figure(bucket.pass_passenger_flow.as_ref()),
                figure(bucket.outside_passenger_flow.as_ref()),
                figure(bucket.in_shop_rate.as_ref()),
                figure(bucket.out_flow_count.as_ref()),
                figure(bucket.dressing_rate.as_ref()),
            ])?;
        }
    }
    out.finish()?;
    if failed_calls > 0 {
        say!(
            "{failed_calls} of {} calls failed: the rows of {} of {} stores are left out",
            calls.len(),
            failed_stores.len(),
            ids.len()
        );
        return Err(Failure::Reported);
    }
    Ok(())
}
