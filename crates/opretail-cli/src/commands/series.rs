//! `opretail passenger-flow series`: passenger flow over time, one row per store and bucket.
//!
//! The stores go in chunks of [`DEFAULT_MAX_IDS_PER_CALL`]; each chunk is one call per part
//! of the period and per window of at most [`DEFAULT_MAX_DAYS_PER_CALL`] days. A chunk's
//! answers wait until all of them are in, so that its stores are written whole, store by
//! store in input order, buckets in time order; chunks are written in order as they complete.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::num::NonZeroU32;

use opretail_model::{
    Bucket, DEFAULT_MAX_DAYS_PER_CALL, DEFAULT_MAX_IDS_PER_CALL, DEFAULT_MAX_SERIES_CALLS,
    EntityId, EntityKind, FlowMethod, GetManyShopsPassengerIndicatorData, Grain, SeriesLimits,
    SeriesRequest, ShopSeries, ShopSeriesList, merge_series,
};
use serde_json::Value;

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{Gateway, Tuning};
use crate::ids::Ids;
use crate::listing::{self, ListingArgs, Started};
use crate::output::tidy::{Tidy, figure, text};
use crate::output::{Format, Sink};
use crate::period::Period;

/// `opretail passenger-flow series`
#[derive(Debug, clap::Args)]
pub struct SeriesArgs {
    /// The stores, the period, the pace and the output.
    #[command(flatten)]
    pub listing: ListingArgs,

    /// Size of the buckets.
    #[arg(long, value_name = "GRAIN", default_value = "hour")]
    pub by: GrainArg,

    /// Only the stores' business hours.
    #[arg(long)]
    pub business_hours: bool,

    /// Which name of the many-stores flow method to call: both answer the same series.
    #[arg(long, value_name = "NAME", default_value = "passengerflow")]
    pub flow_method: FlowMethodArg,
}

/// The names of the many-stores flow method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FlowMethodArg {
    /// open.passengerflow.…, the documented name.
    Passengerflow,
    /// open.shopwebpassengerflow.customerflow.…, the cloud gateway's second name, which also
    /// takes the tenant's own store codes.
    Customerflow,
}

impl From<FlowMethodArg> for FlowMethod {
    fn from(arg: FlowMethodArg) -> FlowMethod {
        match arg {
            FlowMethodArg::Passengerflow => FlowMethod::PassengerFlow,
            FlowMethodArg::Customerflow => FlowMethod::CustomerFlow,
        }
    }
}

/// Bucket sizes of `passenger-flow series`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GrainArg {
    /// One bucket an hour.
    Hour,
    /// One a day.
    Day,
    /// One a week.
    Week,
    /// One a month.
    Month,
}

impl From<GrainArg> for Grain {
    fn from(arg: GrainArg) -> Grain {
        match arg {
            GrainArg::Hour => Grain::Hour,
            GrainArg::Day => Grain::Day,
            GrainArg::Week => Grain::Week,
            GrainArg::Month => Grain::Month,
        }
    }
}

/// What `series` asks for, checked before anything is sent.
#[derive(Debug)]
pub struct SeriesPlan {
    ids: Ids,
    period: Period,
}

impl SeriesArgs {
    /// The ids and the period, checked: a period too long for even one store is a usage
    /// error before the store list is fetched.
    pub fn plan(&self) -> Result<SeriesPlan, Failure> {
        let (ids, period) = self.listing.read()?;
        if period.parts.len() > 1 && matches!(self.by, GrainArg::Week | GrainArg::Month) {
            return Err(Failure::usage(
                "--by week and --by month count whole days: give --from and --to as days \
                 (2026-11-01), and --hours for the same hours on every day",
            ));
        }
        let probe = match &ids {
            Ids::Given(batch) => batch.unique.clone(),
            Ids::AllStores => vec![EntityId::store(1).expect("1 is a store number")],
        };
        self.calls(&probe, &period)?;
        Ok(SeriesPlan { ids, period })
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        self.listing.tuning()
    }

    /// The calls for `ids`, chunk by chunk, each chunk's in time order.
    fn calls(&self, ids: &[EntityId], period: &Period) -> Result<Vec<Call>, Failure> {
        let mut calls = Vec::new();
        for (chunk, chunk_ids) in ids
            .chunks(DEFAULT_MAX_IDS_PER_CALL.get() as usize)
            .enumerate()
        {
            for part in &period.parts {
                let mut whole = GetManyShopsPassengerIndicatorData::new(
                    chunk_ids.to_vec(),
                    part.days,
                    self.by.into(),
                )
                .map_err(|e| Failure::usage(e.to_string()))?
                .flow_method(self.flow_method.into());
                if self.business_hours {
                    whole = whole.business_hours_only(true);
                }
                if let Some(hours) = part.hours {
                    whole = whole.hours(hours);
                }
                let in_flight = NonZeroU32::new(u32::from(self.listing.concurrency))
                    .expect("clap keeps --concurrency at 1 or more");
                let request = SeriesRequest::new(whole)
                    .limits(SeriesLimits::default().max_in_flight(in_flight));
                let parts = request.calls().map_err(|e| too_long(&e.to_string()))?;
                calls.extend(parts.into_iter().map(|operation| Call { chunk, operation }));
                if calls.len() > DEFAULT_MAX_SERIES_CALLS.get() as usize {
                    return Err(too_long(&format!(
                        "{} ids over {} days need more than {DEFAULT_MAX_SERIES_CALLS} calls \
                         (at most {DEFAULT_MAX_IDS_PER_CALL} ids and \
                         {DEFAULT_MAX_DAYS_PER_CALL} days per call); ask for fewer days or ids",
                        ids.len(),
                        period.days()
                    )));
                }
            }
        }
        Ok(calls)
    }
}

fn too_long(why: &str) -> Failure {
    Failure::usage(format!("the period is too long for these stores: {why}"))
}

/// One call and the chunk of stores it is about.
struct Call {
    chunk: usize,
    operation: GetManyShopsPassengerIndicatorData,
}

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

/// The columns of `series` in a table on a terminal: a glance at each store's shape too.
const COLUMNS_WITH_SHAPE: &[&str] = &[
    "id",
    "store",
    "bucket",
    "entering",
    "passing",
    "outside",
    "entry_rate",
    "exit",
    "fitting_rate",
    "shape",
];

/// The blocks of a sparkline, lowest first.
const BLOCKS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// One block of a store's sparkline: its entering in a bucket against its busiest bucket;
/// blank when the bucket has no figure.
fn spark(entering: Option<i64>, busiest: i64) -> &'static str {
    match entering {
        Some(n) if busiest > 0 => {
            let level = (n.clamp(0, busiest) * (BLOCKS.len() as i64 - 1) + busiest / 2) / busiest;
            BLOCKS[usize::try_from(level).unwrap_or(0)]
        }
        Some(_) => BLOCKS[0],
        None => "",
    }
}

/// A chunk of stores while its calls come in.
struct Chunk {
    /// Its stores, in input order.
    ids: Vec<EntityId>,
    /// Its first place in the output: one per store, then one for stores the answers add (the
    /// stores of an `O_…` id).
    first_place: usize,
    /// Its answers, in time order, as they come.
    answers: Vec<Option<ShopSeriesList>>,
    /// How many of its calls are still to come in.
    left: usize,
    /// Whether one of its calls failed.
    failed: bool,
    /// The bytes its answers are counted for in the sink's bound.
    held: usize,
}

/// Fetches the series and writes its rows, store by store in input order, buckets in time
/// order.
///
/// A failed call fails its stores only: they get no rows (not a part of their period either),
/// the failure is reported on stderr, and the exit status is 1 once every other store is
/// written. A store asked for that no answer has is reported the same way.
pub async fn run(gateway: &Gateway, args: &SeriesArgs, plan: SeriesPlan) -> Result<(), Failure> {
    // The shape column is for people: a table on a terminal, never a pipe or a file.
    let shape =
        Format::or_default(args.listing.output) == Format::Table && std::io::stdout().is_terminal();
    let columns = if shape { COLUMNS_WITH_SHAPE } else { COLUMNS };
    let Started { tidy, ids, mut run } =
        listing::start(gateway, &args.listing, columns, plan.ids).await?;
    let calls = args
        .calls(&ids, &plan.period)
        .map_err(|failure| run.abandon(failure))?;
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut slot_in_chunk = Vec::with_capacity(calls.len());
    for call in &calls {
        if chunks.len() <= call.chunk {
            let first_place = chunks.last().map_or(0, |c| c.first_place + c.ids.len() + 1);
            chunks.push(Chunk {
                ids: call.operation.ids().to_vec(),
                first_place,
                answers: Vec::new(),
                left: 0,
                failed: false,
                held: 0,
            });
        }
        let chunk = &mut chunks[call.chunk];
        slot_in_chunk.push(chunk.answers.len());
        chunk.answers.push(None);
        chunk.left += 1;
    }
    let labels: Vec<String> = calls
        .iter()
        .map(|c| {
            format!(
                "{} from {} to {}",
                fanout::some_ids(c.operation.ids()),
                c.operation.days().first(),
                c.operation.days().last()
            )
        })
        .collect();
    let chunk_of: Vec<usize> = calls.iter().map(|c| c.chunk).collect();
    let operations: Vec<GetManyShopsPassengerIndicatorData> =
        calls.into_iter().map(|c| c.operation).collect();
    let total_calls = operations.len();

    let mut done = 0usize;
    let (mut failed_calls, mut failed_stores, mut missing) = (0usize, 0usize, 0usize);
    let label = |index: usize| format!("the series of {}", labels[index]);
    let sent = run
        .send(
            listing::Calls::new(operations, "the passenger-flow series", "calls", &label),
            |index, answer: Option<ShopSeriesList>, sink, progress| {
                done += 1;
                let chunk = &mut chunks[chunk_of[index]];
                match answer {
                    Some(answer) => {
                        let bytes = weight(&answer);
                        sink.hold(bytes);
                        chunk.held += bytes;
                        chunk.answers[slot_in_chunk[index]] = Some(answer);
                    }
                    None => {
                        failed_calls += 1;
                        chunk.failed = true;
                    }
                }
                chunk.left -= 1;
                if chunk.left == 0 {
                    sink.release(chunk.held);
                    let answers = std::mem::take(&mut chunk.answers);
                    if chunk.failed {
                        // Half a series would read as a quiet day: the chunk's stores are left out.
                        failed_stores += chunk.ids.len();
                        for place in 0..=chunk.ids.len() {
                            sink.put(chunk.first_place + place, Vec::new())?;
                        }
                    } else {
                        let merged = merge_series(answers.into_iter().flatten());
                        missing += write_chunk(chunk, merged, &tidy, shape, sink, progress)?;
                    }
                }
                Ok(())
            },
        )
        .await;
    run.close(
        sent,
        || format!("{done} of {total_calls} calls"),
        failed_calls > 0 || missing > 0,
    )?;
    if failed_calls > 0 {
        say!(
            "{failed_calls} of {total_calls} calls failed: the rows of {failed_stores} of {} \
             stores are left out",
            ids.len()
        );
    }
    if missing > 0 {
        say!(
            "{missing} of {} stores are in no answer: the user may not see them, or the ids \
             are wrong",
            ids.len()
        );
    }
    if failed_calls > 0 || missing > 0 {
        return Err(Failure::Reported);
    }
    Ok(())
}

/// Puts the rows of a complete chunk in the sink, each store at its place (with a sparkline
/// block per row when `shape`); says which stores asked for no answer has, and gives how
/// many.
fn write_chunk(
    chunk: &Chunk,
    merged: Vec<ShopSeries>,
    tidy: &Tidy,
    shape: bool,
    sink: &mut Sink,
    progress: &indicatif::ProgressBar,
) -> Result<usize, Failure> {
    let mut places: Vec<Vec<Vec<u8>>> = vec![Vec::new(); chunk.ids.len() + 1];
    let mut found = vec![false; chunk.ids.len()];
    for shop in merged {
        let id = shop.entity_id();
        let at = id
            .as_ref()
            .and_then(|id| chunk.ids.iter().position(|asked| asked == id));
        if let Some(at) = at {
            found[at] = true;
        }
        let place = &mut places[at.unwrap_or(chunk.ids.len())];
        let entering = |bucket: &Bucket| bucket.passenger_flow.as_ref().and_then(|m| m.as_i64());
        let busiest = shop.buckets.iter().filter_map(entering).max().unwrap_or(0);
        for bucket in &shop.buckets {
            let mut cells = vec![
                text(id.as_ref().map(|id| id.as_str())),
                text(shop.name.as_deref()),
                text(bucket.time.as_deref()),
                figure(bucket.passenger_flow.as_ref()),
                figure(bucket.pass_passenger_flow.as_ref()),
                figure(bucket.outside_passenger_flow.as_ref()),
                figure(bucket.in_shop_rate.as_ref()),
                figure(bucket.out_flow_count.as_ref()),
                figure(bucket.dressing_rate.as_ref()),
            ];
            if shape {
                cells.push(Value::from(spark(entering(bucket), busiest)));
            }
            place.push(tidy.row(cells)?);
        }
    }
    let mut missing = 0;
    for (id, found) in chunk.ids.iter().zip(found) {
        // An enterprise's answer names its stores, not itself.
        if !found && id.kind() == EntityKind::Store {
            missing += 1;
            progress.suspend(|| say!("error: {id}: no answer has a series for this store"));
        }
    }
    for (n, rows) in places.into_iter().enumerate() {
        sink.put(chunk.first_place + n, rows)?;
    }
    Ok(missing)
}

/// About how many bytes an answer takes once decoded, to bound what waits: each store and
/// bucket as laid out in memory, their undocumented values, and room for their texts.
fn weight(answer: &ShopSeriesList) -> usize {
    use std::mem::size_of;
    let values =
        |extra: &BTreeMap<String, Value>| -> usize { extra.values().map(value_weight).sum() };
    answer
        .shops
        .iter()
        .map(|shop| {
            let buckets: usize = shop
                .buckets
                .iter()
                .map(|b| size_of::<Bucket>() + TEXT_ROOM + values(&b.extra))
                .sum();
            size_of::<ShopSeries>() + TEXT_ROOM + values(&shop.extra) + buckets
        })
        .sum()
}

/// Room for the short texts of a store or bucket (names, times, figures' texts).
const TEXT_ROOM: usize = 64;

/// About how many bytes a JSON value takes in memory.
fn value_weight(value: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match value {
            Value::String(text) => text.len(),
            Value::Array(items) => items.iter().map(value_weight).sum(),
            Value::Object(map) => map.iter().map(|(k, v)| k.len() + value_weight(v)).sum(),
            _ => 0,
        }
}
