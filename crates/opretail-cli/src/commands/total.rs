//! `opretail passenger-flow total`: totals of many ids, `--concurrency` calls always in flight.
//!
//! Calls start in input order and finish in any order. A slow id holds only its own slot:
//! the others go on starting as soon as a slot frees. `ndjson` rows are written as they
//! finish; the other formats keep input order through the sink's bounded reorder buffer.

use opretail_model::GetTotalData;

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout::{self, Cut};
use crate::gateway::{Gateway, Tuning, parse_rate};
use crate::ids::{Batch, IdSource, Ids, Origin};
use crate::output::{
    CsvRows, ErrorInfo, Format, Framing, JsonRows, Outcome, Render, Sink, TableRows,
};

/// The largest `getTotalData` answer read. A real one is a few kilobytes; with hundreds of
/// calls in flight against a hostile or broken endpoint, the SDK's default (16 MiB) per call
/// could add up to gigabytes.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// `opretail passenger-flow total`
#[derive(Debug, clap::Args)]
#[command(mut_arg("ids", |arg| arg.help(
    "A store (`S_1001`) or enterprise (`O_42`) id; repeat for more"
)))]
pub struct TotalArgs {
    /// The ids.
    #[command(flatten)]
    pub ids: IdSource,

    /// Ask for values with units (`needUnit=1`), such as "1,234人" and "35.2%".
    #[arg(long)]
    pub with_units: bool,

    /// Calls in flight at once; a slow id holds only its own slot.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT", value_parser = Format::parser([
        "Aligned columns for people; failures shown in the row",
        "One JSON array, one element per id in input order",
        "One JSON object per line, written as each result is ready (in any order; each line \
         carries its id)",
        "Comma-separated values with a header row",
    ]))]
    pub output: Option<Format>,

    /// With --output csv: write every cell exactly as received. By default a cell that starts
    /// with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a plain number gets a
    /// leading `'`, so that spreadsheets show it as text instead of running it as a formula.
    #[arg(long)]
    pub csv_raw: bool,
}

impl TotalArgs {
    /// The ids, read and checked before anything starts.
    pub fn plan(&self) -> Result<Ids, Failure> {
        self.ids.read()
    }

    /// What the batch's client needs: the small body limit, and `--rate` (which the client
    /// applies to every request it sends, retries included).
    pub fn tuning(&self) -> Tuning {
        Tuning {
            body_limit: Some(BODY_LIMIT_BYTES),
            rate_limit: self.rate,
        }
    }
}

/// Calls `getTotalData` for every id and writes each result as soon as its format allows.
pub async fn run(gateway: &Gateway, args: &TotalArgs, ids: Ids) -> Result<(), Failure> {
    // Listening before the first byte of output, so that a signal at any point ends the
    // output cleanly instead of killing the process mid-line.
    let mut stop = fanout::listen()?;
    let format = Format::or_default(args.output);
    let batch = match ids {
        Ids::Given(batch) => batch,
        Ids::AllStores => match fanout::all_store_ids(gateway, &mut stop).await {
            Ok(ids) => {
                let mut batch = Batch::default();
                for (n, id) in ids.into_iter().enumerate() {
                    batch.push(id, Origin::Listed(n + 1));
                }
                batch
            }
            Err(failure) => {
                // Whole, if empty, output: a JSON reader sees `[]`.
                if format == Format::Json {
                    let mut sink =
                        Sink::new(Framing::Array, true, indicatif::ProgressBar::hidden());
                    sink.start()?;
                    sink.finish()?;
                }
                return Err(failure);
            }
        },
    };
    let sandbox = gateway.is_sandbox();
    let total = batch.rows;
    let id_width = batch
        .unique
        .iter()
        .map(|id| id.as_str().chars().count())
        .max()
        .unwrap_or(2);
    let mut render: Box<dyn Render> = match format {
        Format::Table => Box::new(TableRows::new(id_width)),
        Format::Json => Box::new(JsonRows::new(false, sandbox)),
        Format::Ndjson => Box::new(JsonRows::new(true, sandbox)),
        Format::Csv => Box::new(CsvRows::new(args.csv_raw)),
    };
    if sandbox && matches!(format, Format::Table | Format::Csv) {
        say!("note: sandbox data, not from the real gateway");
    }
    batch.report_duplicates();

    let mut header = Vec::new();
    render.header(&mut header)?;
    let framing = match format {
        Format::Json => Framing::Array,
        _ => Framing::Lines(header),
    };
    let progress = fanout::progress_bar(total, "ids");
    let mut sink = Sink::new(framing, format != Format::Ndjson, progress.clone());
    sink.start()?;

    let calls: Vec<GetTotalData> = batch
        .unique
        .iter()
        .map(|id| GetTotalData::new(id.clone()).with_units(args.with_units))
        .collect();
    let (mut done, mut failed) = (0usize, 0usize);
    let sent = fanout::send_all(
        gateway,
        calls,
        usize::from(args.concurrency),
        &mut sink,
        &progress,
        &mut stop,
        |unique, result, sink| {
            let outcome = Outcome {
                id: batch.unique[unique].clone(),
                result,
            };
            let positions = &batch.positions[unique];
            done += positions.len();
            if let Err(error) = &outcome.result {
                failed += positions.len();
                tracing::info!(id = %outcome.id, "call failed");
                if format != Format::Table {
                    progress
                        .suspend(|| say!("error: {}: {}", outcome.id, ErrorInfo::of(error).line()));
                }
            }
            for &position in positions {
                let mut row = Vec::new();
                render.row(position, &outcome, &mut row)?;
                sink.put(position, vec![row])?;
            }
            Ok(())
        },
    )
    .await;
    let closed = sink.finish();
    let mut cut = sent?;
    closed?;
    if sink.reader_gone() {
        cut = Some(Cut::ReaderGone);
    }
    let written = sink.places_written();

    match cut {
        Some(Cut::Signal(signal)) => {
            say!("interrupted after {written} of {total} ids ({failed} failed)");
            Err(Failure::Interrupted(signal))
        }
        // Nobody reads any more: no point in calling further. The exit status still tells
        // whether an id that was called failed.
        Some(Cut::ReaderGone) if failed > 0 => {
            say!("{failed} of {done} ids called failed; the output was closed before the end");
            Err(Failure::Reported)
        }
        Some(Cut::ReaderGone) => Err(Failure::BrokenPipe),
        None if failed > 0 => {
            say!("{failed} of {total} ids failed");
            Err(Failure::Reported)
        }
        None => Ok(()),
    }
}
