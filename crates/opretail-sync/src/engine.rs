//! One run: the store list, then every stream's calls, `concurrency` at a time, each answer
//! checked, turned into rows and handed with its new mark to the sink, which writes on a
//! thread of its own. A store whose call fails keeps its mark; the others go on.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use opretail::{Client, EntityId, Error, FlowMethod, StorePages};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::answers;
use crate::calls;
use crate::plan::{self, DEFAULT_LOOKBACK_DAYS, DEFAULT_SINCE_DAYS, Now, Window};
use crate::rows::{Batch, Mark, RawAnswer, Rows};
use crate::sink::{Outcome, RunEnd, RunStart, Sink, SinkError};
use crate::stream::Stream;

/// Which stores a run covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stores {
    /// Every store of the store list.
    All,
    /// These stores (`S_…`), whether or not the store list shows them.
    Given(Vec<EntityId>),
}

/// What a run does.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SyncOptions {
    /// The streams to fill; default [`Stream::DEFAULT`].
    pub streams: Vec<Stream>,
    /// The stores; default all.
    pub stores: Stores,
    /// Where a store's first run starts; default [`DEFAULT_SINCE_DAYS`] days ago.
    pub since: Option<NaiveDate>,
    /// How much before its mark a store is read again; default [`DEFAULT_LOOKBACK_DAYS`]
    /// days.
    pub lookback: TimeDelta,
    /// Calls in flight at once; default 8.
    pub concurrency: usize,
    /// Whether every answer is kept in the target's raw table; default no.
    pub keep_raw: bool,
    /// The name the flow streams are asked with; default the documented one.
    pub flow_method: FlowMethod,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            streams: Stream::DEFAULT.to_vec(),
            stores: Stores::All,
            since: None,
            lookback: TimeDelta::days(i64::from(DEFAULT_LOOKBACK_DAYS)),
            concurrency: 8,
            keep_raw: false,
            flow_method: FlowMethod::default(),
        }
    }
}

impl SyncOptions {
    /// These streams.
    pub fn streams(mut self, streams: impl IntoIterator<Item = Stream>) -> Self {
        self.streams = streams.into_iter().collect();
        self
    }

    /// These stores.
    pub fn stores(mut self, stores: Stores) -> Self {
        self.stores = stores;
        self
    }

    /// First runs start on `since`.
    pub fn since(mut self, since: NaiveDate) -> Self {
        self.since = Some(since);
        self
    }

    /// Re-read this much before each store's mark.
    pub fn lookback(mut self, lookback: TimeDelta) -> Self {
        self.lookback = lookback;
        self
    }

    /// At most this many calls in flight (at least one).
    pub fn concurrency(mut self, calls: usize) -> Self {
        self.concurrency = calls.max(1);
        self
    }

    /// Keep every answer in the raw table.
    pub fn keep_raw(mut self, keep: bool) -> Self {
        self.keep_raw = keep;
        self
    }

    /// Ask for the flow streams with this name of the many-stores flow method (see
    /// [`FlowMethod`]): both give the same rows.
    pub fn flow_method(mut self, method: FlowMethod) -> Self {
        self.flow_method = method;
        self
    }
}

/// A store whose data of one stream could not be brought up to date in a run: its mark did
/// not move, and the next run tries again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailure {
    /// The stream.
    pub stream: Stream,
    /// The store, `S_…`.
    pub store_id: String,
    /// What went wrong, as the gateway's or the check's message (gateway text is quoted and
    /// clipped, not escaped: escape it before a terminal).
    pub message: String,
}

/// Where a run stands, handed to the progress callback after every call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The stores covered.
    pub stores: usize,
    /// The calls planned (a store's later windows are planned when its earlier ones succeed).
    pub calls: usize,
    /// The calls done, failed ones included.
    pub calls_done: usize,
    /// The calls that failed.
    pub calls_failed: usize,
    /// The rows written so far.
    pub rows_written: u64,
}

/// How a run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The run's number, as recorded in the target.
    pub run_id: i64,
    /// How it ended.
    pub outcome: Outcome,
    /// The stores covered.
    pub stores: usize,
    /// The calls made.
    pub calls: usize,
    /// The rows handed to the sink (a buffering sink makes them durable by the run's end).
    pub rows: u64,
    /// The stores that failed, per stream, in the order they failed.
    pub failures: Vec<StoreFailure>,
}

/// Why a run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The target refused a read or a write; what was written before stays, consistent.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The store list could not be read, so no store could be synced.
    #[error("the store list failed: {0}")]
    StoreList(Error),
    /// The user sees no store.
    #[error("the user sees no store with an id: nothing to sync")]
    NoStores,
}

/// A sync of one client's stores into one target. See the crate's documentation.
#[derive(Debug)]
pub struct Engine {
    client: Client,
    options: SyncOptions,
}

/// The calls of one stream for one store, done in order: a window's mark is written only
/// once the windows before it are.
#[derive(Debug)]
struct Chain {
    stream: Stream,
    store: usize,
    windows: Vec<Window>,
    next: usize,
    mark: Option<NaiveDateTime>,
}

type CallResult = (usize, Result<(Rows, Option<RawAnswer>), String>);

impl Engine {
    /// A sync through `client` (its gateway, credentials, pacing and retries).
    pub fn new(client: Client, options: SyncOptions) -> Engine {
        Engine { client, options }
    }

    /// The gateway's time now.
    fn now(&self) -> Now {
        let offset = self.client.config().utc_offset();
        Now::new(Utc::now().with_timezone(&offset).naive_local())
    }

    /// Runs to the end. `progress` is called after every call.
    pub async fn run(
        &self,
        sink: Box<dyn Sink>,
        progress: impl FnMut(Progress),
    ) -> Result<Summary, SyncError> {
        self.run_until(sink, progress, std::future::pending()).await
    }

    /// Runs until the end or until `stop` completes, whichever comes first. Stopped, the
    /// calls in flight are dropped, what was answered is written, and the run is recorded as
    /// stopped.
    pub async fn run_until(
        &self,
        sink: Box<dyn Sink>,
        mut progress: impl FnMut(Progress),
        stop: impl Future<Output = ()>,
    ) -> Result<Summary, SyncError> {
        let now = self.now();
        let options = &self.options;
        let mut streams = options.streams.clone();
        streams.sort();
        streams.dedup();
        let start = RunStart {
            run_id: Utc::now().timestamp_micros(),
            started_at: now.at(),
            streams: streams.clone(),
        };
        let run_id = start.run_id;
        let incremental: Vec<Stream> = streams
            .iter()
            .copied()
            .filter(|s| s.is_incremental())
            .collect();
        let (sink, marks) = blocking(move || {
            let mut sink = sink;
            sink.start_run(&start)?;
            let mut marks = BTreeMap::new();
            for stream in incremental {
                marks.insert(stream, sink.marks(stream)?);
            }
            Ok((sink, marks))
        })
        .await?;

        let (batches, writes) = mpsc::channel::<Batch>(WRITES_IN_FLIGHT);
        let written = Arc::new(AtomicU64::new(0));
        let writer = {
            let written = written.clone();
            std::thread::spawn(move || write_all(sink, writes, &written))
        };

        let mut stop = std::pin::pin!(stop);
        let mut state = Run {
            engine: self,
            now,
            run_id,
            batches,
            written: written.clone(),
            failures: Vec::new(),
            progress: Progress::default(),
            stopped: false,
        };
        let fetched = tokio::select! {
            fetched = state.fetch(&streams, &marks, &mut progress) => fetched,
            () = &mut stop => { state.stopped = true; Ok(()) }
        };
        let Run {
            failures,
            progress: counts,
            batches,
            stopped,
            ..
        } = state;
        drop(batches);
        let (mut sink, wrote) = blocking(move || {
            writer
                .join()
                .map_err(|_| SinkError::new("sync", "the writer thread panicked"))
        })
        .await?;
        let outcome = if stopped || fetched.is_err() || wrote.is_err() {
            Outcome::Stopped
        } else if failures.is_empty() {
            Outcome::Complete
        } else {
            Outcome::SomeFailed
        };
        let rows = written.load(Ordering::Relaxed);
        let failed_stores = {
            let mut stores: Vec<&str> = failures.iter().map(|f| f.store_id.as_str()).collect();
            stores.sort_unstable();
            stores.dedup();
            stores.len() as u64
        };
        let end = RunEnd {
            run_id,
            finished_at: self.now().at(),
            outcome,
            rows,
            failed_stores,
        };
        let finished = blocking(move || sink.finish_run(&end)).await;
        wrote?;
        fetched?;
        finished?;
        Ok(Summary {
            run_id,
            outcome,
            stores: counts.stores,
            calls: counts.calls_done,
            rows,
            failures,
        })
    }
}

/// Batches waiting for the writer: enough to keep it busy while calls come in, few enough
/// that memory stays bounded whatever the number of stores.
const WRITES_IN_FLIGHT: usize = 8;

/// Batches per store list batch: one transaction per thousand stores.
const STORES_PER_BATCH: usize = 1_000;

/// Runs `work` on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SinkError> + Send + 'static,
) -> Result<T, SinkError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SinkError::new("sync", format!("the sink's work ended unexpectedly: {e}")))?
}

/// The writer thread: every batch, in order, until the engine is done or a write fails.
fn write_all(
    mut sink: Box<dyn Sink>,
    mut batches: mpsc::Receiver<Batch>,
    written: &AtomicU64,
) -> (Box<dyn Sink>, Result<(), SinkError>) {
    while let Some(batch) = batches.blocking_recv() {
        let rows = batch.rows.len() as u64;
        if let Err(error) = sink.write(batch) {
            return (sink, Err(error));
        }
        written.fetch_add(rows, Ordering::Relaxed);
    }
    (sink, Ok(()))
}

/// A run's moving parts.
struct Run<'a> {
    engine: &'a Engine,
    now: Now,
    run_id: i64,
    batches: mpsc::Sender<Batch>,
    written: Arc<AtomicU64>,
    failures: Vec<StoreFailure>,
    progress: Progress,
    stopped: bool,
}

impl Run<'_> {
    /// Hands a batch to the writer; an error when the writer has stopped (its error is
    /// reported when it is joined).
    async fn write(&self, batch: Batch) -> Result<(), ()> {
        self.batches.send(batch).await.map_err(drop)
    }

    /// The stores, writing the store list when its stream is asked for.
    async fn stores(&mut self, streams: &[Stream]) -> Result<Vec<EntityId>, SyncError> {
        let options = &self.engine.options;
        let keep_list = streams.contains(&Stream::Stores);
        let given = match &options.stores {
            Stores::Given(ids) => {
                // Each store once, in the order given.
                let mut seen = std::collections::HashSet::new();
                Some(
                    ids.iter()
                        .filter(|id| seen.insert(*id))
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            }
            Stores::All => None,
        };
        if given.is_some() && !keep_list {
            return Ok(given.unwrap_or_default());
        }
        let client = &self.engine.client;
        let mut walk =
            std::pin::pin!(client.walk(StorePages::for_gateway(client.config().gateway())));
        let mut ids = Vec::new();
        let mut rows = Rows::new(Stream::Stores);
        while let Some(store) = walk.next().await {
            let store = store.map_err(SyncError::StoreList)?;
            let Some(id) = store.entity_id() else {
                continue;
            };
            if given.as_ref().is_some_and(|given| !given.contains(&id)) {
                continue;
            }
            if keep_list && let Some(row) = answers::store_row(&store, self.now.at()) {
                rows.push(row);
                if rows.len() == STORES_PER_BATCH {
                    let full = std::mem::replace(&mut rows, Rows::new(Stream::Stores));
                    self.write_rows(full).await;
                }
            }
            ids.push(id);
        }
        if !rows.is_empty() {
            self.write_rows(rows).await;
        }
        let ids = given.unwrap_or(ids);
        if ids.is_empty() {
            return Err(SyncError::NoStores);
        }
        Ok(ids)
    }

    async fn write_rows(&mut self, rows: Rows) {
        let batch = Batch {
            rows,
            marks: Vec::new(),
            raw: Vec::new(),
        };
        // A stopped writer is reported when it is joined.
        let _ = self.write(batch).await;
    }

    /// Every stream's calls, `concurrency` at a time.
    async fn fetch(
        &mut self,
        streams: &[Stream],
        marks: &BTreeMap<Stream, BTreeMap<String, NaiveDateTime>>,
        progress: &mut impl FnMut(Progress),
    ) -> Result<(), SyncError> {
        let ids = self.stores(streams).await?;
        let options = &self.engine.options;
        self.progress.stores = ids.len();
        let since = options.since.unwrap_or_else(|| {
            self.now.at().date() - TimeDelta::days(i64::from(DEFAULT_SINCE_DAYS))
        });
        let mut chains = Vec::new();
        for &stream in streams.iter().filter(|s| **s != Stream::Stores) {
            for (store, id) in ids.iter().enumerate() {
                let mark = marks.get(&stream).and_then(|m| m.get(id.as_str())).copied();
                let windows = match stream {
                    Stream::Totals => Vec::new(),
                    _ => plan::windows(stream, mark, since, options.lookback, self.now),
                };
                chains.push(Chain {
                    stream,
                    store,
                    windows,
                    next: 0,
                    mark,
                });
            }
        }
        self.progress.calls = chains.len();
        progress(self.progress);
        let mut ready: VecDeque<usize> = (0..chains.len()).collect();
        let mut tasks: JoinSet<CallResult> = JoinSet::new();
        loop {
            while tasks.len() < options.concurrency
                && let Some(at) = ready.pop_front()
            {
                let chain = &chains[at];
                let client = self.engine.client.clone();
                let id = ids[chain.store].clone();
                let window = chain.windows.get(chain.next).copied();
                let (stream, now) = (chain.stream, self.now);
                let keep = self.engine.options.keep_raw.then_some(self.run_id);
                let flow = self.engine.options.flow_method;
                // Decoded and checked on the call's own task: both cores share the work, and
                // what waits to be joined is rows, never an answer's raw text.
                tasks.spawn(async move {
                    (
                        at,
                        calls::rows(&client, (stream, flow), &id, window, now, keep).await,
                    )
                });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let (at, answer) = joined.map_err(|e| {
                SyncError::Sink(SinkError::new(
                    "sync",
                    format!("a call ended unexpectedly: {e}"),
                ))
            })?;
            let chain = &mut chains[at];
            let id = &ids[chain.store];
            let window = chain.windows.get(chain.next).copied();
            let batch = answer.map(|(rows, raw)| {
                let marks = match window {
                    Some(window) => {
                        let complete_until = chain
                            .mark
                            .map_or(window.complete_until, |m| m.max(window.complete_until));
                        chain.mark = Some(complete_until);
                        vec![Mark {
                            stream: chain.stream,
                            store_id: id.as_str().to_owned(),
                            complete_until,
                        }]
                    }
                    None => Vec::new(),
                };
                Batch {
                    rows,
                    marks,
                    raw: raw.into_iter().collect(),
                }
            });
            self.progress.calls_done += 1;
            match batch {
                Ok(batch) => {
                    if self.write(batch).await.is_err() {
                        break;
                    }
                    chain.next += 1;
                    if chain.next < chain.windows.len() {
                        ready.push_back(at);
                        self.progress.calls += 1;
                    }
                }
                Err(message) => {
                    self.progress.calls_failed += 1;
                    let what = match window {
                        Some(w) if w.first == w.last => format!("{}: ", w.first),
                        Some(w) => format!("{} to {}: ", w.first, w.last),
                        None => String::new(),
                    };
                    self.failures.push(StoreFailure {
                        stream: chain.stream,
                        store_id: id.as_str().to_owned(),
                        message: format!("{what}{message}"),
                    });
                }
            }
            self.progress.rows_written = self.written.load(Ordering::Relaxed);
            progress(self.progress);
        }
        Ok(())
    }
}
