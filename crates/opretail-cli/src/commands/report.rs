//! `opretail report`: one self-contained HTML page of a period's footfall, from the gateway
//! or from a database kept by `opretail sync`.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use futures_util::{StreamExt, TryStreamExt};
use opretail_model::{
    DEFAULT_MAX_IDS_PER_CALL, DateRange, EntityId, EntityKind, GetAgeGroupAndGenderDistribution,
    GetManyShopsPassengerIndicatorData, Grain, SeriesRequest, engine::Batch,
};
use opretail_sync::read::{self, DemographicsRow, FlowRow, FlowTable};
use opretail_sync::{Sink, Target};

use crate::commands::passenger_flow::demographics::MAX_DAYS as MAX_DEMOGRAPHICS_DAYS;
use crate::commands::sync;
use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{AnswerCaps, Gateway, Tuning, parse_rate};
use crate::ids::{IdSource, Ids};
use crate::report::figures::{self, Figures, Tally};
use crate::report::page::{self, Origin, Source};
use crate::global::GlobalArgs;

/// The longest period a report covers: a year (and the year before it, for the change).
const MAX_DAYS: i64 = 366;

/// Writes one self-contained HTML page of a period's footfall: a summary, the daily
/// curve, a weekday x hour heat map, stores ranked and compared with the previous period,
/// and visitors by gender and age with --demographics.
///
/// From the gateway, or with --from-db from a database kept by `opretail sync` (then no
/// call is made). The page needs no network to be viewed and prints well.
#[derive(Debug, clap::Args)]
#[command(display_order = 13)]
pub struct Args {
    /// The stores.
    #[command(flatten)]
    pub stores: IdSource,

    /// First day of the period (`2026-11-01`).
    #[arg(long, value_name = "DATE")]
    pub from: NaiveDate,

    /// Last day of the period, inclusive (`2026-11-30`).
    #[arg(long, value_name = "DATE")]
    pub to: NaiveDate,

    /// Read the rows from a database kept by `opretail sync` (`sqlite:footfall.db` or
    /// `postgres://…`) instead of the gateway: no call is made.
    #[arg(long, value_name = "TARGET")]
    pub from_db: Option<String>,

    /// Also show visitors by gender and age group (periods of at most 31 days from the
    /// gateway; from a database, its `demographics_daily` rows).
    #[arg(long)]
    pub demographics: bool,

    /// Where to write the page.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,

    /// Calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,
}

impl Args {
    /// Writes the page, from the database or the gateway.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let plan = self.plan()?;
        if !plan.needs_gateway() {
            return run_from_db(&self, plan);
        }
        Gateway::run(global, self.tuning(), async |gateway| {
            run_with(gateway, &self, plan).await
        })
    }
}

/// What `report` does, checked before anything is sent or opened.
#[derive(Debug)]
pub struct ReportPlan {
    ids: Ids,
    target: Option<Target>,
}

impl Args {
    /// The stores, the period and the source, checked: usage errors before any call.
    pub fn plan(&self) -> Result<ReportPlan, Failure> {
        if self.to < self.from {
            return Err(Failure::usage(format!(
                "--from/--to: the last day {} is before the first {}",
                self.to, self.from
            )));
        }
        let days = (self.to - self.from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(Failure::usage(format!(
                "--from/--to: a report covers at most {MAX_DAYS} days; {} to {} is {days}",
                self.from, self.to
            )));
        }
        let ids = self.stores.read()?;
        let target = match &self.from_db {
            Some(text) => {
                if let Ids::Given(batch) = &ids
                    && let Some(id) = batch
                        .unique
                        .iter()
                        .find(|id| id.kind() != EntityKind::Store)
                {
                    return Err(Failure::usage(format!(
                        "--from-db: {id} is not a store: a synced database holds stores \
                         (S_…), give their ids or --all-stores"
                    )));
                }
                if let Ok(Target::Parquet(_)) = text.parse::<Target>() {
                    return Err(Failure::usage(
                        "--from-db: a report reads SQLite or PostgreSQL; query Parquet files \
                         with DuckDB, Polars or pandas",
                    ));
                }
                let target = sync::target("--from-db", text)?;
                if let Target::Sqlite(path) = &target
                    && !path.exists()
                {
                    return Err(Failure::usage(format!(
                        "--from-db: {} does not exist; fill it first with `opretail sync --to \
                         {text}`",
                        path.display()
                    )));
                }
                Some(target)
            }
            None => {
                if self.demographics && days > MAX_DEMOGRAPHICS_DAYS as i64 {
                    return Err(Failure::usage(format!(
                        "--demographics: the gateway gives them for at most \
                         {MAX_DEMOGRAPHICS_DAYS} days; {days} were asked for (a synced \
                         database with --from-db has no such limit)"
                    )));
                }
                None
            }
        };
        Ok(ReportPlan { ids, target })
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            rate_limit: self.rate,
            answer_caps: Some(AnswerCaps::SERIES_CALL),
        }
    }

    fn previous_from(&self) -> NaiveDate {
        figures::previous_from(self.from, self.to)
    }
}

/// Whether `report` calls the gateway (no `--from-db`).
impl ReportPlan {
    /// Whether the rows come from the gateway.
    pub fn needs_gateway(&self) -> bool {
        self.target.is_none()
    }
}

/// `report --from-db`: reads the database and writes the page; no gateway.
fn run_from_db(args: &Args, plan: ReportPlan) -> Result<(), Failure> {
    let Some(target) = plan.target else {
        return Err(Failure::Failed("no database to read".into()));
    };
    let failed = |e: opretail_sync::SinkError| Failure::Failed(e.to_string());
    let mut sink: Box<dyn Sink> = target.open().map_err(failed)?;
    let given: Option<HashSet<&str>> = match &plan.ids {
        Ids::AllStores => None,
        Ids::Given(batch) => Some(batch.unique.iter().map(EntityId::as_str).collect()),
    };
    let wanted = |store: &str| given.as_ref().is_none_or(|ids| ids.contains(store));
    // Rows are summed as they are read: a year of hundreds of stores is millions of rows.
    let mut tally = Tally::new(args.from, args.to, args.demographics);
    let mut with_rows: HashSet<String> = HashSet::new();
    let mut daily = |row: FlowRow| {
        if wanted(&row.store_id) {
            tally.add_daily(&row);
            if !with_rows.contains(&row.store_id) {
                with_rows.insert(row.store_id);
            }
        }
    };
    let previous_from = args.previous_from();
    sink.each_flow_row(FlowTable::Daily, previous_from, args.to, &mut daily)
        .map_err(failed)?;
    let mut hourly = |row: FlowRow| {
        if wanted(&row.store_id) {
            tally.add_hourly(&row);
        }
    };
    sink.each_flow_row(FlowTable::Hourly, args.from, args.to, &mut hourly)
        .map_err(failed)?;
    if args.demographics {
        let mut demographics = |row: DemographicsRow| {
            if wanted(&row.store_id) {
                tally.add_demographics(&row);
            }
        };
        sink.each_demographics_row(args.from, args.to, &mut demographics)
            .map_err(failed)?;
    }
    if let Ids::Given(batch) = &plan.ids {
        for id in &batch.unique {
            if !with_rows.contains(id.as_str()) {
                say!("warning: {id}: the database has no daily rows of this store in the period");
            }
        }
    }
    let synced = sink
        .status()
        .ok()
        .and_then(|status| status.last_run)
        .and_then(|run| run.finished_at.or(Some(run.started_at)))
        .map(|at| format!("; last synced {}", at.format("%Y-%m-%d %H:%M")))
        .unwrap_or_default();
    let origin = Origin {
        source: Source::Database(target.to_string()),
        read_at: format!("{}{synced}", now()),
    };
    write(args, tally.finish(), &origin)
}

/// `report` from the gateway: the daily series of the period and the one before, the hourly
/// series of the period, and the demographics when asked for, then the page.
async fn run_with(gateway: &Gateway, args: &Args, plan: ReportPlan) -> Result<(), Failure> {
    if gateway.is_sandbox() {
        say!("note: the data comes from the built-in sandbox, not the platform");
    }
    let mut stop = fanout::listen()?;
    let ids = match plan.ids {
        Ids::Given(batch) => batch.unique,
        Ids::AllStores => fanout::all_store_ids(gateway, &mut stop).await?,
    };
    fanout::log_in_first(gateway).await?;
    let mut tally = Tally::new(args.from, args.to, args.demographics);
    let work = async {
        let previous_from = args.previous_from();
        series(gateway, &ids, args, previous_from, Grain::Day, |row| {
            tally.add_daily(row);
        })
        .await?;
        series(gateway, &ids, args, args.from, Grain::Hour, |row| {
            tally.add_hourly(row);
        })
        .await?;
        if args.demographics {
            demographics(gateway, &ids, args, |row| tally.add_demographics(row)).await?;
        }
        Ok::<_, Failure>(())
    };
    tokio::select! {
        done = work => done?,
        signal = stop.wait() => {
            say!("interrupted: no report written");
            return Err(Failure::Interrupted(signal));
        }
    };
    let origin = Origin {
        source: if gateway.is_sandbox() {
            Source::Sandbox
        } else {
            Source::Gateway(gateway.client.config().endpoint().to_string())
        },
        read_at: now(),
    };
    write(args, tally.finish(), &origin)
}

/// The series of `ids` from `first` to the period's end, store chunk by store chunk, each
/// chunk's calls split by the SDK to the gateway's window and sent `--concurrency` at a time.
/// Each answer's rows go to `add` as it comes, so that only the figures grow, not the rows.
async fn series(
    gateway: &Gateway,
    ids: &[EntityId],
    args: &Args,
    first: NaiveDate,
    grain: Grain,
    mut add: impl FnMut(&FlowRow),
) -> Result<(), Failure> {
    let last = args.to;
    let days = DateRange::new(first, last).map_err(|e| Failure::usage(e.to_string()))?;
    for chunk in ids.chunks(DEFAULT_MAX_IDS_PER_CALL.get() as usize) {
        let failed = |e: &opretail_model::Error| {
            let grain = if grain == Grain::Day {
                "daily"
            } else {
                "hourly"
            };
            let stores = fanout::some_ids(chunk);
            fanout::call_failed(
                &format!("the {grain} series of {stores} from {first} to {last}"),
                e,
            )
        };
        let operation = GetManyShopsPassengerIndicatorData::new(chunk.to_vec(), days, grain)
            .map_err(|e| Failure::usage(e.to_string()))?;
        let calls = SeriesRequest::new(operation)
            .requests()
            .map_err(|e| failed(&e))?;
        let mut answers = gateway
            .client
            .send_all(calls, usize::from(args.concurrency));
        while let Some((_, answer)) = answers.next().await {
            let answer = answer.map_err(|e| failed(&e))?;
            read::flow_rows_of(&answer.shops).iter().for_each(&mut add);
        }
    }
    Ok(())
}

/// Each store's visitors by gender and age over the period, one call a store,
/// `--concurrency` at a time; each answer's rows go to `add` in the stores' order.
async fn demographics(
    gateway: &Gateway,
    ids: &[EntityId],
    args: &Args,
    mut add: impl FnMut(&DemographicsRow),
) -> Result<(), Failure> {
    let days = DateRange::new(args.from, args.to).map_err(|e| Failure::usage(e.to_string()))?;
    let stores = ids.iter().filter(|id| id.kind() == EntityKind::Store);
    let mut answers = futures_util::stream::iter(stores)
        .map(|id| async move {
            let call = GetAgeGroupAndGenderDistribution::new([id.clone()], days)
                .map_err(|e| Failure::usage(e.to_string()))?;
            let answer = gateway
                .client
                .send(&call)
                .await
                .map_err(|e| fanout::call_failed(&format!("the demographics of {id}"), &e))?;
            Ok::<_, Failure>(read::demographics_rows_of(id, args.from, &answer))
        })
        .buffered(usize::from(args.concurrency));
    while let Some(rows) = answers.try_next().await? {
        rows.iter().for_each(&mut add);
    }
    Ok(())
}

/// Now, as the page says when the rows were read.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Renders the page of `figures` and writes it (through a file beside it renamed
/// over the target, so a failed run never leaves half a page).
fn write(args: &Args, figures: Figures, origin: &Origin) -> Result<(), Failure> {
    let html = page::render(&figures, origin)
        .map_err(|e| Failure::Failed(format!("cannot draw a chart: {e}")))?;
    let path = &args.html;
    let partial = path.with_extension("html.part");
    std::fs::write(&partial, html.as_bytes())
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            Failure::Failed(format!("cannot write {}: {e}", path.display()))
        })?;
    say!(
        "wrote {} ({} stores, {} to {}, {} entering)",
        path.display(),
        figures.stores.len(),
        figures.from,
        figures.to,
        page::thousands(figures.entering)
    );
    Ok(())
}
