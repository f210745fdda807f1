//! `opretail passenger-flow series`: passenger flow over time, one row per store and bucket.

use std::collections::HashMap;

use futures_util::{StreamExt, TryStreamExt, stream};
use opretail_model::{GetManyShopsPassengerIndicatorData, SeriesRequest, ShopSeries};

use crate::args::SeriesArgs;
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::ids::Batch;
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
pub async fn run(gateway: &Gateway, args: &SeriesArgs, given: Batch) -> Result<(), Failure> {
    let format = crate::args::ListFormat::or_default(args.output);
    let (days, hours) = super::period::window(&args.period)?;
    if gateway.is_sandbox() {
        say!("note: sandbox data, not from the real gateway");
    }
    let ids = super::period::ids(gateway, &args.stores, &given).await?;
    let mut whole = GetManyShopsPassengerIndicatorData::new(ids.clone(), days, args.by.into())
        .map_err(|e| Failure::usage(e.to_string()))?
        .business_hours_only(args.business_hours);
    if let Some(hours) = hours {
        whole = whole.hours(hours);
    }
    let request = SeriesRequest::new(whole);
    let calls = request
        .calls()
        .map_err(|e| Failure::usage(format!("the period is too long for these stores: {e}")))?;

    let progress = super::total::progress_bar(calls.len(), "calls");
    let client = gateway.client.clone();
    let answers: Vec<_> = stream::iter(calls.iter().map(|call| {
        let (client, progress) = (client.clone(), progress.clone());
        async move {
            let answer = client.send(call).await;
            progress.inc(1);
            answer
        }
    }))
    .buffered(opretail::SERIES_CONCURRENCY)
    .try_collect()
    .await
    .map_err(|e| super::stores::call_failed("the passenger-flow series", &e))?;
    progress.finish_and_clear();

    let mut series = request.merge(answers);
    let order: HashMap<String, usize> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| (id.as_str().to_owned(), n))
        .collect();
    let position = |s: &ShopSeries| {
        s.entity_id()
            .and_then(|id| order.get(id.as_str()).copied())
            .unwrap_or(usize::MAX)
    };
    series.sort_by_key(position);

    let mut out = TidyWriter::new(COLUMNS, format, args.csv_raw, std::io::stdout().lock())?;
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
    Ok(())
}
