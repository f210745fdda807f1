//! `opretail passenger-flow series`: passenger flow over time, one row per store and bucket.
//!
//! The stores go in chunks of [`DEFAULT_MAX_IDS_PER_CALL`]; each chunk is one call per part
//! of the period and per window of at most [`DEFAULT_MAX_DAYS_PER_CALL`] days. A chunk's
//! answers wait until all of them are in, so that its stores are written whole, store by
//! store in input order, buckets in time order; chunks are written in order as they complete.
//!
//! What waits is packed on the call's own task as soon as its answer is in (each store entry's
//! name and cells, [`Packed`]) and kept in a temporary file ([`Spill`]), never decoded in
//! memory: a chunk may take hundreds of calls, and a gateway may send anything. The rows are
//! made from the file when the chunk's turn comes, a store entry at a time.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::io::IsTerminal;
use std::num::NonZeroU32;

use opretail_model::{
    Bucket, DEFAULT_MAX_DAYS_PER_CALL, DEFAULT_MAX_IDS_PER_CALL, DEFAULT_MAX_SERIES_CALLS,
    EntityId, EntityKind, FlowMethod, GetManyShopsPassengerIndicatorData, Grain, SeriesLimits,
    SeriesRequest, ShopSeriesList,
};
use serde_json::Value;

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{AnswerCaps, Gateway, Tuning};
use crate::ids::Ids;
use crate::listing::{self, ListingArgs, Started};
use crate::output::tidy::{Tidy, figure, text};
use crate::output::{Format, Sink};
use crate::period::Period;
use crate::spill::{Record, Span, Spill};
use crate::global::GlobalArgs;

/// Passenger flow over time: one row per store and bucket.
#[derive(Debug, clap::Args)]
#[command(display_order = 2)]
pub struct Args {
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

impl Args {
    /// Prints the rows of every store.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let plan = self.plan()?;
        Gateway::run(global, self.tuning(), async |gateway| {
            run_with(gateway, &self, plan).await
        })
    }
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

impl Args {
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

    /// The client's `--rate`, and answers read up to the size of the largest a call can
    /// have.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            answer_caps: Some(AnswerCaps::SERIES_CALL),
            ..self.listing.tuning()
        }
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

/// The columns of `series`: all but the shape.
const COLUMNS: &[&str] = COLUMNS_WITH_SHAPE.split_at(COLUMNS_WITH_SHAPE.len() - 1).0;

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

/// An answer packed on its call's own task: each store entry's record, one after another,
/// and what is needed to put the entries in order without reading them back.
struct Packed {
    records: Vec<u8>,
    entries: Vec<Entry>,
}

/// One store entry of an answer (`merge_series` in the model merges them the same way).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The store it is about: a hash of its merge key, with the run's own random key; `None`
    /// for an entry with neither `depId` nor `shopId`, never merged with another.
    store: Option<u64>,
    /// Its place among the ids of its chunk, when it is one of them.
    asked: Option<u32>,
    /// Whether it names its store.
    named: bool,
    /// The entering of its busiest bucket, for the sparkline.
    busiest: Option<i64>,
    /// Its record: in [`Packed::records`], then in its chunk's [`Spill`].
    span: Span,
}

/// The figures of a row after its id and name, as `series` shows them.
fn cells(bucket: &Bucket) -> [Value; BUCKET_CELLS] {
    [
        text(bucket.time.as_deref()),
        figure(bucket.passenger_flow.as_ref()),
        figure(bucket.pass_passenger_flow.as_ref()),
        figure(bucket.outside_passenger_flow.as_ref()),
        figure(bucket.in_shop_rate.as_ref()),
        figure(bucket.out_flow_count.as_ref()),
        figure(bucket.dressing_rate.as_ref()),
    ]
}

/// A bucket's entering, for the sparkline.
fn entering(bucket: &Bucket) -> Option<i64> {
    bucket.passenger_flow.as_ref().and_then(|m| m.as_i64())
}

/// Packs `answer` to `call` into records: per store entry, its id, name and buckets (each its
/// entering and its cells).
fn pack(
    call: &GetManyShopsPassengerIndicatorData,
    answer: ShopSeriesList,
    keys: &RandomState,
) -> Packed {
    let mut record = Record::new();
    let mut entries = Vec::with_capacity(answer.shops.len());
    for shop in answer.shops {
        let start = record.bytes().len();
        let id = shop.entity_id();
        record.text(id.as_ref().map(EntityId::as_str));
        record.text(shop.name.as_deref());
        record.count(shop.buckets.len());
        for bucket in &shop.buckets {
            record.integer(entering(bucket));
            record.cells(&cells(bucket));
        }
        entries.push(Entry {
            store: shop.merge_key().map(|key| keys.hash_one(key)),
            asked: id
                .and_then(|id| call.ids().iter().position(|asked| *asked == id))
                .and_then(|at| u32::try_from(at).ok()),
            named: shop.name.is_some(),
            busiest: shop.buckets.iter().filter_map(entering).max(),
            span: Span {
                start: start as u64,
                len: u32::try_from(record.bytes().len() - start).unwrap_or(u32::MAX),
            },
        });
    }
    Packed {
        records: record.into_bytes(),
        entries,
    }
}

/// How many cells follow a bucket's entering in its record: those of [`cells`].
const BUCKET_CELLS: usize = 7;

/// A chunk of stores while its calls come in.
struct Chunk {
    /// Its stores, in input order.
    ids: Vec<EntityId>,
    /// Its answers' store entries with the place of their answer in time order, as they come.
    entries: Vec<(usize, Entry)>,
    /// Where their records wait; made with the first answer.
    spill: Option<Spill>,
    /// How many of its calls are still to come in.
    left: usize,
    /// Whether one of its calls failed.
    failed: bool,
    /// The bytes it is counted for in the sink's bound.
    held: usize,
}

/// A byte waiting on disk counts for this share of a byte in memory in the sink's bound: the
/// temporary file stays within eight times the bound on what waits in memory.
const DISK_SHARE: usize = 8;

impl Chunk {
    /// Keeps the entries of an answer, the `slot`-th of the chunk in time order.
    fn keep(&mut self, slot: usize, packed: Packed, sink: &mut Sink) -> Result<(), Failure> {
        if self.failed {
            return Ok(());
        }
        let spill = match &mut self.spill {
            Some(spill) => spill,
            None => self.spill.insert(Spill::new()?),
        };
        let start = spill.append(&packed.records)?;
        let held = packed.entries.len() * std::mem::size_of::<(usize, Entry)>()
            + packed.records.len() / DISK_SHARE;
        sink.hold(held);
        self.held += held;
        self.entries
            .extend(packed.entries.into_iter().map(|mut entry| {
                entry.span.start += start;
                (slot, entry)
            }));
        Ok(())
    }

    /// Forgets what was kept: a failed call fails the whole chunk.
    fn fail(&mut self, sink: &mut Sink) {
        self.failed = true;
        self.entries = Vec::new();
        self.spill = None;
        sink.release(std::mem::take(&mut self.held));
    }
}

/// Fetches the series and writes its rows, store by store in input order, buckets in time
/// order.
///
/// A failed call fails its stores only: they get no rows (not a part of their period either),
/// the failure is reported on stderr, and the exit status is 1 once every other store is
/// written. A store asked for that no answer has is reported the same way.
async fn run_with(gateway: &Gateway, args: &Args, plan: SeriesPlan) -> Result<(), Failure> {
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
            chunks.push(Chunk {
                ids: call.operation.ids().to_vec(),
                entries: Vec::new(),
                spill: None,
                left: 0,
                failed: false,
                held: 0,
            });
        }
        let chunk = &mut chunks[call.chunk];
        slot_in_chunk.push(chunk.left);
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
    let mut writer = ChunkWriter {
        tidy: &tidy,
        shape,
        place: 0,
        record: Vec::new(),
    };
    let mut next_chunk = 0usize;
    let label = |index: usize| format!("the series of {}", labels[index]);
    let keys = RandomState::new();
    let sent = run
        .send(
            listing::Calls::new(operations, "the passenger-flow series", "calls", &label),
            move |call, answer| pack(call, answer, &keys),
            |index, answer: Option<Packed>, sink, progress| {
                done += 1;
                let chunk = &mut chunks[chunk_of[index]];
                match answer {
                    Some(answer) => chunk.keep(slot_in_chunk[index], answer, sink)?,
                    None => {
                        failed_calls += 1;
                        chunk.fail(sink);
                    }
                }
                chunk.left -= 1;
                // Chunks are written in order, each once all its calls are in.
                while let Some(chunk) = chunks.get_mut(next_chunk).filter(|c| c.left == 0) {
                    next_chunk += 1;
                    sink.release(std::mem::take(&mut chunk.held));
                    if chunk.failed {
                        // Half a series would read as a quiet day: the chunk's stores are left out.
                        failed_stores += chunk.ids.len();
                    } else {
                        missing += writer.write(chunk, sink, progress)?;
                    }
                    chunk.entries = Vec::new();
                    chunk.spill = None;
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

/// Writes complete chunks, in order.
struct ChunkWriter<'a> {
    tidy: &'a Tidy,
    /// Whether rows end with a sparkline block.
    shape: bool,
    /// The next place in the sink: one per store entry written.
    place: usize,
    /// Room for a record read back.
    record: Vec<u8>,
}

/// A store of a chunk, as its entries are merged.
struct Store {
    /// Its place: its position among the chunk's ids, or after them (the stores of an `O_…`
    /// id).
    place: usize,
    /// Its entries (indices in the chunk's entries), in time order.
    entries: Vec<usize>,
    /// The entering of its busiest bucket.
    busiest: Option<i64>,
}

impl ChunkWriter<'_> {
    /// Puts the rows of a complete chunk in the sink, each store at its place (with a
    /// sparkline block per row when `shape`), a store entry at a time; says which stores asked
    /// for no answer has, and gives how many.
    fn write(
        &mut self,
        chunk: &mut Chunk,
        sink: &mut Sink,
        progress: &indicatif::ProgressBar,
    ) -> Result<usize, Failure> {
        // Entries in time order (those of one answer stay in the answer's order), then
        // merged into stores in the order they first appear.
        chunk.entries.sort_by_key(|(slot, _)| *slot);
        let mut stores: Vec<Store> = Vec::new();
        let mut by_key: HashMap<u64, usize> = HashMap::new();
        for (at, (_, entry)) in chunk.entries.iter().enumerate() {
            let known = entry.store.and_then(|key| by_key.get(&key).copied());
            let store = match known {
                Some(store) => &mut stores[store],
                None => {
                    if let Some(key) = entry.store {
                        by_key.insert(key, stores.len());
                    }
                    stores.push(Store {
                        place: entry.asked.map_or(chunk.ids.len(), |at| at as usize),
                        entries: Vec::new(),
                        busiest: None,
                    });
                    stores.last_mut().expect("just pushed")
                }
            };
            store.entries.push(at);
            store.busiest = store.busiest.max(entry.busiest);
        }
        drop(by_key);
        stores.sort_by_key(|store| store.place);

        let mut found = vec![false; chunk.ids.len()];
        let Some(spill) = chunk.spill.as_mut() else {
            return Ok(self.report_missing(&chunk.ids, &found, progress));
        };
        for store in &stores {
            if let Some(found) = found.get_mut(store.place) {
                *found = true;
            }
            let entry = |at: usize| &chunk.entries[at].1;
            // The store's id is its first entry's; its name the first one given.
            spill.read(entry(store.entries[0]).span, &mut self.record)?;
            let id = Record::read(&self.record).text();
            let name = match store.entries.iter().find(|&&at| entry(at).named) {
                Some(&at) => {
                    spill.read(entry(at).span, &mut self.record)?;
                    let mut reader = Record::read(&self.record);
                    reader.text();
                    reader.text()
                }
                None => None,
            };
            let busiest = store.busiest.unwrap_or(0);
            for &at in &store.entries {
                spill.read(entry(at).span, &mut self.record)?;
                let mut reader = Record::read(&self.record);
                reader.text();
                reader.text();
                let buckets = reader.count();
                let mut rows = Vec::with_capacity(buckets);
                for _ in 0..buckets {
                    let entering = reader.integer();
                    let mut row = Vec::with_capacity(2 + BUCKET_CELLS + 1);
                    row.push(text(id.as_deref()));
                    row.push(text(name.as_deref()));
                    row.extend((0..BUCKET_CELLS).map(|_| reader.cell()));
                    if self.shape {
                        row.push(Value::from(spark(entering, busiest)));
                    }
                    rows.push(self.tidy.row(row)?);
                }
                sink.put(self.place, rows)?;
                self.place += 1;
                sink.flush()?;
            }
        }
        Ok(self.report_missing(&chunk.ids, &found, progress))
    }

    /// Says which of `ids` were not `found`, and gives how many.
    fn report_missing(
        &self,
        ids: &[EntityId],
        found: &[bool],
        progress: &indicatif::ProgressBar,
    ) -> usize {
        let mut missing = 0;
        for (id, found) in ids.iter().zip(found) {
            // An enterprise's answer names its stores, not itself.
            if !found && id.kind() == EntityKind::Store {
                missing += 1;
                progress.suspend(|| say!("error: {id}: no answer has a series for this store"));
            }
        }
        missing
    }
}
