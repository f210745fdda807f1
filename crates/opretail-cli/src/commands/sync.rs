//! `opretail sync`: keeps a database (SQLite, PostgreSQL, Parquet files) of every store's
//! passenger flow up to date; `opretail sync status` says what it holds.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{NaiveDate, TimeDelta};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use opretail_model::EntityId;
use opretail_sync::{
    Engine, Outcome, Progress, Sink, Stores, Stream, SyncError, SyncOptions, Target, parse_lookback,
};

use super::passenger_flow::series::FlowMethodArg;
use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{AnswerCaps, Gateway, Tuning, parse_rate};
use crate::ids::{IdSource, Ids, parse_id};
use crate::global::GlobalArgs;

/// Keeps a database of every store's passenger flow up to date: SQLite, PostgreSQL or
/// Parquet files. Each run reads from a little before where the last one stopped to now;
/// `sync status` says what the target holds.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(display_order = 10)]
pub struct Args {
    /// Where to keep the data: sqlite:PATH, postgres://USER@HOST/DATABASE or parquet:DIR.
    #[arg(
        long,
        value_name = "TARGET",
        required = true,
        env = "OPRETAIL_SYNC_TO",
        hide_env_values = true
    )]
    pub to: Option<String>,

    /// The streams to keep, comma-separated: stores, flow_hourly, flow_daily,
    /// demographics_daily, totals.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "stores,flow_hourly,flow_daily"
    )]
    pub streams: Vec<Stream>,

    /// Where a store's first run starts (a day, 2026-11-01) [default: 30 days ago].
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,

    /// How much before each store's mark to read again, so that hours the platform revises
    /// converge: days (2d), hours (36h) or 0.
    #[arg(long, value_name = "DURATION", default_value = "2d", value_parser = parse_lookback)]
    pub lookback: TimeDelta,

    /// Keep every answer (method, parameters, cid, time, data) in the target's raw table.
    #[arg(long)]
    pub keep_raw: bool,

    /// Which name of the many-stores flow method the flow streams call: both give the same
    /// rows.
    #[arg(long, value_name = "NAME", default_value = "passengerflow")]
    pub flow_method: FlowMethodArg,

    /// A store id (`S_1001`); repeat for more [default: every store of the store list].
    #[arg(long = "id", value_name = "ID", value_parser = parse_id)]
    pub ids: Vec<EntityId>,

    /// Read more ids from a file, one a line (`-` for stdin).
    #[arg(long, value_name = "FILE|-")]
    pub ids_file: Option<PathBuf>,

    /// Every store the user can see (the default without --id or --ids-file).
    #[arg(long, conflicts_with_all = ["ids", "ids_file"])]
    pub all_stores: bool,

    /// Calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// What the target holds instead of a run.
    #[command(subcommand)]
    pub status: Option<StatusCommand>,
}

impl Args {
    /// Syncs, or says what the target holds.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        if let Some(StatusCommand::Status { to }) = &self.status {
            return status(to);
        }
        let plan = self.plan()?;
        Gateway::run(global, self.tuning(), async |gateway| {
            run_with(gateway, plan).await
        })
    }
}

/// `opretail sync status`
#[derive(Debug, clap::Subcommand)]
pub enum StatusCommand {
    /// Per stream: stores covered, rows, the oldest and newest marks, and the last run, as
    /// JSON. Sends nothing.
    Status {
        /// The target, as for a run.
        #[arg(
            long,
            value_name = "TARGET",
            env = "OPRETAIL_SYNC_TO",
            hide_env_values = true
        )]
        to: String,
    },
}

/// A run, checked before anything is sent.
#[derive(Debug)]
pub struct SyncPlan {
    target: Target,
    options: SyncOptions,
}

impl Args {
    /// The target, the stores and the options, checked: a usage error before anything is
    /// sent or opened.
    pub fn plan(&self) -> Result<SyncPlan, Failure> {
        let target = target(
            "--to",
            self.to
                .as_deref()
                .ok_or_else(|| Failure::usage("give the target: --to sqlite:footfall.db"))?,
        )?;
        if self.streams.is_empty() {
            return Err(Failure::usage("--streams lists no stream"));
        }
        let stores = if self.ids.is_empty() && self.ids_file.is_none() {
            Stores::All
        } else {
            let source = IdSource {
                ids: self.ids.clone(),
                ids_file: self.ids_file.clone(),
                all_stores: false,
            };
            match source.read()? {
                Ids::Given(batch) => Stores::Given(batch.unique),
                Ids::AllStores => Stores::All,
            }
        };
        if let Stores::Given(ids) = &stores
            && let Some(other) = ids.iter().find(|id| !id.as_str().starts_with("S_"))
        {
            return Err(Failure::usage(format!(
                "{other} is not a store: sync keeps stores (S_…); an organisation's stores come with --all-stores"
            )));
        }
        let today = chrono::Utc::now().date_naive();
        if let Some(since) = self.since
            && since > today + TimeDelta::days(1)
        {
            return Err(Failure::usage(format!("--since {since} is in the future")));
        }
        let options = SyncOptions::default()
            .streams(self.streams.iter().copied())
            .stores(stores)
            .lookback(self.lookback)
            .concurrency(usize::from(self.concurrency))
            .keep_raw(self.keep_raw)
            .flow_method(self.flow_method.into());
        let options = match self.since {
            Some(since) => options.since(since),
            None => options,
        };
        Ok(SyncPlan { target, options })
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            rate_limit: self.rate,
            answer_caps: Some(AnswerCaps::STORE_MONTH),
        }
    }
}

/// The target of `--to`, read here rather than by clap: clap would repeat a refused value,
/// and a PostgreSQL URL may hold a password.
pub fn target(flag: &str, text: &str) -> Result<Target, Failure> {
    let target: Target = text
        .parse()
        .map_err(|e: String| Failure::usage(format!("{flag}: {e}")))?;
    if !target.is_built() {
        let kind = target.kind();
        return Err(Failure::usage(format!(
            "{flag}: this build of opretail has no {kind} sink: build it with the `{kind}` \
             feature (cargo install opretail-cli --features all-sinks)"
        )));
    }
    Ok(target)
}

/// Opens the target off the runtime: opening may connect to a database.
async fn open(target: &Target) -> Result<Box<dyn Sink>, Failure> {
    let target = target.clone();
    tokio::task::spawn_blocking(move || target.open())
        .await
        .map_err(|e| Failure::Failed(format!("opening the target ended unexpectedly: {e}")))?
        .map_err(|e| Failure::Failed(e.to_string()))
}

/// Runs the sync: progress on a terminal, each failed store on stderr, one line at the end.
async fn run_with(gateway: &Gateway, plan: SyncPlan) -> Result<(), Failure> {
    let mut stop = fanout::listen()?;
    let sink = open(&plan.target).await?;
    if gateway.is_sandbox() {
        say!("note: the data comes from the built-in sandbox, not the platform");
    }
    let started = Instant::now();
    let engine = Engine::new(gateway.client.clone(), plan.options);
    let bar = progress_bar();
    let signal = std::cell::Cell::new(None);
    let stopped = async {
        signal.set(Some(stop.wait().await));
    };
    let summary = engine
        .run_until(
            sink,
            |p: Progress| {
                bar.set_length(p.calls as u64);
                bar.set_position(p.calls_done as u64);
                bar.set_message(format!(
                    "{} rows, {} failed",
                    p.rows_written, p.calls_failed
                ));
            },
            stopped,
        )
        .await;
    bar.finish_and_clear();
    let summary = summary.map_err(|e| match e {
        SyncError::StoreList(error) => fanout::call_failed("the store list", &error),
        other => Failure::Failed(other.to_string()),
    })?;
    for failure in &summary.failures {
        say!(
            "error: {} {}: {}",
            failure.stream,
            failure.store_id,
            failure.message
        );
    }
    let failed_stores = {
        let mut stores: Vec<&str> = summary
            .failures
            .iter()
            .map(|f| f.store_id.as_str())
            .collect();
        stores.sort_unstable();
        stores.dedup();
        stores.len()
    };
    say!(
        "{}: {} stores, {} calls, {} rows written, {} stores failed, in {:.1} s",
        match summary.outcome {
            Outcome::Complete => "synced",
            Outcome::SomeFailed => "synced with failures",
            Outcome::Stopped => "stopped",
        },
        summary.stores,
        summary.calls,
        summary.rows,
        failed_stores,
        started.elapsed().as_secs_f64()
    );
    match (summary.outcome, signal.take()) {
        (_, Some(signal)) => Err(Failure::Interrupted(signal)),
        (Outcome::Complete, None) => Ok(()),
        _ => Err(Failure::Reported),
    }
}

/// Calls done of calls planned, rows written and calls failed, on stderr when it is a
/// terminal; hidden otherwise.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} calls, {msg}, eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// `opretail sync status`: what the target holds, as JSON on stdout.
fn status(target_text: &str) -> Result<(), Failure> {
    let mut sink = target("--to", target_text)?
        .open()
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let status = sink.status().map_err(|e| Failure::Failed(e.to_string()))?;
    print_json(&status)
}

/// Writes `value` as pretty JSON and a newline on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Failed(format!("cannot write the JSON: {e}")))?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
