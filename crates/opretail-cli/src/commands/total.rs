//! `opretail passenger-flow total`: totals of many ids, `--concurrency` calls always in flight.
//!
//! Calls start in input order and finish in any order. A slow id holds only its own slot:
//! the others go on starting as soon as a slot frees. `ndjson` rows are written as they
//! finish; the other formats keep input order through a [`Reorder`] buffer of bounded size.

use std::io::{IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use opretail_model::GetTotalData;
use tokio::task::JoinSet;

use crate::args::{TotalArgs, TotalFormat};
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::{Gateway, Tuning};
use crate::ids::{Batch, Origin, read_ids};
use crate::output::{CsvRows, ErrorInfo, JsonRows, Outcome, Render, TableRows};
use crate::reorder::{REORDER_LIMIT_BYTES, Reorder};
use crate::signals::{Signal, StopRequest};

/// The largest `getTotalData` answer read. A real one is a few kilobytes; with hundreds of
/// calls in flight against a hostile or broken endpoint, the SDK's default (16 MiB) per call
/// could add up to gigabytes.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// What the batch's client needs: the small body limit, and `--rate` (which the client
/// applies to every request it sends, retries included).
pub fn tuning(args: &TotalArgs) -> Tuning {
    Tuning {
        body_limit: Some(BODY_LIMIT_BYTES),
        rate_limit: args.rate,
    }
}

/// Every id of the command line and the ids file, checked, in input order.
pub fn collect_ids(args: &TotalArgs) -> Result<Batch, Failure> {
    collect(&args.ids, args.ids_file.as_deref(), args.all_stores)
}

/// The ids of `--id` flags and an ids file, checked, in input order; none at all is an error
/// unless they come from the store list.
pub fn collect(
    ids: &[opretail_model::EntityId],
    ids_file: Option<&Path>,
    all_stores: bool,
) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    if all_stores {
        return Ok(batch);
    }
    for (n, id) in ids.iter().enumerate() {
        batch.push(id.clone(), Origin::Flag(n + 1));
    }
    if let Some(path) = ids_file {
        if path == Path::new("-") {
            read_ids(std::io::stdin().lock(), "stdin", &mut batch)?;
        } else {
            let file = std::fs::File::open(path).map_err(|e| {
                Failure::usage(format!("cannot read the ids file {}: {e}", path.display()))
            })?;
            read_ids(
                std::io::BufReader::new(file),
                &path.display().to_string(),
                &mut batch,
            )?;
        }
    }
    if batch.rows == 0 {
        return Err(Failure::usage(
            "no ids: give --id S_1001 (or O_42), ids in --ids-file, or --all-stores",
        ));
    }
    Ok(batch)
}

/// The format when none was asked for: a table for people, JSON for programs.
pub fn default_format() -> TotalFormat {
    if std::io::stdout().is_terminal() {
        TotalFormat::Table
    } else {
        TotalFormat::Json
    }
}

/// Why the batch stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Ctrl-C or SIGTERM.
    Signal(Signal),
    /// The reader of stdout went away (`| head`).
    ReaderGone,
}

/// Calls `getTotalData` for every id and writes each result as soon as its format allows.
pub async fn run(
    gateway: &Gateway,
    args: &TotalArgs,
    batch: Batch,
    mut stop: StopRequest,
) -> Result<(), Failure> {
    let format = args.output.unwrap_or_else(default_format);
    let ordered = format != TotalFormat::Ndjson;
    let sandbox = gateway.is_sandbox();
    let total = batch.rows;
    let id_width = batch
        .unique
        .iter()
        .map(|id| id.as_str().chars().count())
        .max()
        .unwrap_or(2);
    let mut render: Box<dyn Render> = match format {
        TotalFormat::Table => Box::new(TableRows::new(id_width)),
        TotalFormat::Json => Box::new(JsonRows::new(false, sandbox)),
        TotalFormat::Ndjson => Box::new(JsonRows::new(true, sandbox)),
        TotalFormat::Csv => Box::new(CsvRows::new(args.csv_raw)),
    };
    if sandbox && matches!(format, TotalFormat::Table | TotalFormat::Csv) {
        say!("note: sandbox data, not from the real gateway");
    }
    batch.report_duplicates();

    let progress = progress_bar(total, "ids");
    let emit = |bytes: &[u8]| -> Result<(), Failure> {
        progress.suspend(|| {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        })?;
        Ok(())
    };

    let mut cut = None;
    let mut chunk = Vec::new();
    render.header(&mut chunk)?;
    if let Err(failure) = emit(&chunk) {
        match failure {
            Failure::BrokenPipe => cut = Some(Cut::ReaderGone),
            other => return Err(other),
        }
    }

    let client = gateway.client.clone();
    let with_units = args.with_units;
    let concurrency = usize::from(args.concurrency);
    let mut tasks = JoinSet::new();
    let mut started = 0usize;
    let mut reorder = Reorder::new(REORDER_LIMIT_BYTES);
    let (mut done, mut failed) = (0usize, 0usize);

    while cut.is_none() {
        // Keep `concurrency` calls in flight. Only a full reorder buffer holds new ids back,
        // and never the earliest unfinished one: with nothing in flight, the next to start is
        // the one every waiting row waits for.
        while tasks.len() < concurrency
            && started < batch.unique.len()
            && (tasks.is_empty() || !reorder.is_full())
        {
            let unique = started;
            let operation = GetTotalData::new(batch.unique[unique].clone()).with_units(with_units);
            let client = client.clone();
            tasks.spawn(async move { (unique, client.send(&operation).await) });
            started += 1;
        }
        let first = tokio::select! {
            joined = tasks.join_next() => match joined {
                Some(joined) => joined,
                None => break,
            },
            signal = stop.wait() => {
                cut = Some(Cut::Signal(signal));
                break;
            }
        };
        // Every call finished by now is written in one go: one write per wake-up rather
        // than per id.
        chunk.clear();
        let mut finished = 0;
        let mut joined = Some(first);
        while let Some(next) = joined {
            let (unique, result) =
                next.map_err(|e| Failure::Failed(format!("a call ended unexpectedly: {e}")))?;
            let outcome = Outcome {
                id: batch.unique[unique].clone(),
                result,
            };
            let positions = &batch.positions[unique];
            done += positions.len();
            finished += positions.len();
            if let Err(error) = &outcome.result {
                failed += positions.len();
                tracing::info!(id = %outcome.id, "call failed");
                if format != TotalFormat::Table {
                    progress
                        .suspend(|| say!("error: {}: {}", outcome.id, ErrorInfo::of(error).line()));
                }
            }
            for &position in positions {
                if ordered {
                    let mut row = Vec::new();
                    render.row(position, &outcome, &mut row)?;
                    reorder.insert(position, row);
                } else {
                    render.row(position, &outcome, &mut chunk)?;
                }
            }
            joined = tasks.try_join_next();
        }
        reorder.drain_ready(&mut chunk);
        if !chunk.is_empty() {
            match emit(&chunk) {
                Ok(()) => {}
                Err(Failure::BrokenPipe) => cut = Some(Cut::ReaderGone),
                Err(other) => return Err(other),
            }
        }
        progress.inc(finished as u64);
    }
    // Calls still in flight are abandoned.
    drop(tasks);
    progress.finish_and_clear();

    let written = if ordered { reorder.written() } else { done };
    if cut != Some(Cut::ReaderGone) {
        chunk.clear();
        render.footer(written, &mut chunk)?;
        match emit(&chunk) {
            Ok(()) => {}
            Err(Failure::BrokenPipe) => cut = Some(Cut::ReaderGone),
            Err(other) => return Err(other),
        }
    }

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

/// A progress bar of `total` `things` on stderr when it is a terminal; hidden otherwise.
pub fn progress_bar(total: usize, things: &str) -> ProgressBar {
    if total < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {things}, {{per_sec}}, eta {{eta}}"
    )) {
        bar.set_style(style);
    }
    bar
}
