//! `opretail passenger-flow total`: totals of many ids, concurrently, in input order.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use opretail_model::{EntityId, GetTotalData};
use tokio::sync::Mutex;
use tokio::time::{Interval, MissedTickBehavior};

use crate::args::{TotalArgs, TotalFormat};
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::output::{CsvSink, ErrorInfo, JsonSink, Outcome, Sink, TableSink};

/// Every id of the command line and the ids file, checked, in input order.
pub fn collect_ids(args: &TotalArgs) -> Result<Vec<EntityId>, Failure> {
    let mut ids = args.ids.clone();
    if let Some(path) = &args.ids_file {
        if path == Path::new("-") {
            read_ids(std::io::stdin().lock(), "stdin", &mut ids)?;
        } else {
            let file = std::fs::File::open(path).map_err(|e| {
                Failure::usage(format!("cannot read the ids file {}: {e}", path.display()))
            })?;
            read_ids(
                std::io::BufReader::new(file),
                &path.display().to_string(),
                &mut ids,
            )?;
        }
    }
    if ids.is_empty() {
        return Err(Failure::usage(
            "no ids: give --id S_1001 (or O_42), or ids in --ids-file",
        ));
    }
    Ok(ids)
}

fn read_ids(reader: impl BufRead, name: &str, ids: &mut Vec<EntityId>) -> Result<(), Failure> {
    for (n, line) in reader.lines().enumerate() {
        let line =
            line.map_err(|e| Failure::usage(format!("cannot read the ids from {name}: {e}")))?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let id = text
            .parse::<EntityId>()
            .map_err(|e| Failure::usage(format!("{name}, line {}: {e}", n + 1)))?;
        ids.push(id);
    }
    Ok(())
}

/// The format when none was asked for: a table for people, JSON for programs.
pub fn default_format() -> TotalFormat {
    if std::io::stdout().is_terminal() {
        TotalFormat::Table
    } else {
        TotalFormat::Json
    }
}

/// Calls `getTotalData` for every id and writes each result as soon as it is its turn.
pub async fn run(gateway: &Gateway, args: &TotalArgs, ids: Vec<EntityId>) -> Result<(), Failure> {
    let format = args.output.unwrap_or_else(default_format);
    let sandbox = gateway.is_sandbox();
    let total = ids.len();
    let id_width = ids
        .iter()
        .map(|id| id.as_str().chars().count())
        .max()
        .unwrap_or(2);

    let stdout = std::io::stdout();
    let mut sink: Box<dyn Sink> = match format {
        TotalFormat::Table => Box::new(TableSink::new(stdout.lock(), id_width)),
        TotalFormat::Json => Box::new(JsonSink::new(stdout.lock(), false, sandbox)),
        TotalFormat::Ndjson => Box::new(JsonSink::new(stdout.lock(), true, sandbox)),
        TotalFormat::Csv => Box::new(CsvSink::new(stdout.lock())),
    };
    let stderr_notes = matches!(format, TotalFormat::Table | TotalFormat::Csv);
    if sandbox && stderr_notes {
        eprintln!("note: sandbox data, not from the real gateway");
    }

    let progress = progress_bar(total);
    let limiter = args
        .rate
        .map(|rate| Arc::new(Mutex::new(rate_interval(rate))));
    let with_units = args.with_units;
    let client = &gateway.client;

    let mut results = futures_util::stream::iter(ids)
        .map(|id| {
            let limiter = limiter.clone();
            async move {
                if let Some(limiter) = limiter {
                    limiter.lock().await.tick().await;
                }
                let result = client
                    .send(&GetTotalData::new(id.clone()).with_units(with_units))
                    .await;
                Outcome { id, result }
            }
        })
        .buffered(usize::from(args.concurrency));

    // Listening before the first call, so that Ctrl-C at any point ends the output cleanly
    // (a JSON array closed) instead of killing the process mid-line.
    let mut interrupt = Interrupt::listen()?;
    progress.suspend(|| sink.start())?;
    let mut failed = 0usize;
    let mut done = 0usize;
    let mut interrupted = false;
    loop {
        let outcome = tokio::select! {
            next = results.next() => match next {
                Some(outcome) => outcome,
                None => break,
            },
            () = interrupt.recv() => {
                interrupted = true;
                break;
            }
        };
        done += 1;
        if let Err(error) = &outcome.result {
            failed += 1;
            let line = format!("{}: {}", outcome.id, ErrorInfo::of(error).line());
            tracing::info!(id = %outcome.id, "call failed");
            if format != TotalFormat::Table {
                progress.suspend(|| eprintln!("error: {line}"));
            }
        }
        progress.suspend(|| sink.write(&outcome))?;
        progress.inc(1);
    }
    drop(results);
    progress.finish_and_clear();
    sink.finish()?;
    drop(sink);
    std::io::stdout().flush()?;

    if interrupted {
        eprintln!("interrupted after {done} of {total} ids ({failed} failed)");
        return Err(Failure::Interrupted);
    }
    if failed > 0 {
        eprintln!("{failed} of {total} ids failed");
        return Err(Failure::Reported);
    }
    Ok(())
}

fn rate_interval(per_sec: f64) -> Interval {
    let period = Duration::from_secs_f64(1.0 / per_sec).max(Duration::from_micros(1));
    let mut interval = tokio::time::interval(period);
    // A slow call must not be followed by a burst that makes up for it.
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval
}

fn progress_bar(total: usize) -> ProgressBar {
    if total < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} ids, {per_sec}, eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Ctrl-C (SIGINT), listened for from creation on.
struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupt {
    #[cfg(unix)]
    fn listen() -> Result<Interrupt, Failure> {
        use tokio::signal::unix::{SignalKind, signal};
        let signal = signal(SignalKind::interrupt())
            .map_err(|e| Failure::Failed(format!("cannot listen for Ctrl-C: {e}")))?;
        Ok(Interrupt { signal })
    }

    #[cfg(unix)]
    async fn recv(&mut self) {
        if self.signal.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
    }

    #[cfg(not(unix))]
    fn listen() -> Result<Interrupt, Failure> {
        Ok(Interrupt {})
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
