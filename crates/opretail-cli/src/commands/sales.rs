//! `opretail sales upload`: stores' sales from a CSV file, one upload per line
//! (`reportSales`, or `reportSalesHourly` with `--hourly`).
//!
//! Every line is checked before anything is sent; one bad line and nothing is. Lines that
//! fail to upload are written, with the header, to a file that can be sent again as it is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use futures_util::StreamExt;
use opretail_model::{
    Error, Operation, ReportSales, ReportSalesHourly, Sales, SalesStore, duplicate_upload,
};

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout::{self, Call};
use crate::gateway::{Gateway, Tuning, parse_rate};
use crate::global::GlobalArgs;
use crate::output::ErrorInfo;

/// The largest file read: 16 MiB, far more than a year of hourly figures of hundreds of
/// stores, and little enough that the command stays within its memory bound.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most lines one run uploads; split a longer file.
pub const MAX_LINES: usize = 100_000;

/// Sales uploads (writes to the platform).
#[derive(Debug, clap::Args)]
#[command(display_order = 15)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    command: SalesCommand,
}

impl Args {
    /// Runs the sales command given.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        match self.command {
            SalesCommand::Upload(args) => upload(global, &args),
        }
    }
}

/// `opretail sales …`
#[derive(Debug, clap::Subcommand)]
pub enum SalesCommand {
    /// Uploads stores' sales from a CSV file: one day (or, with --hourly, one hour) of one
    /// store per line.
    ///
    /// The file starts with a header naming its columns, in any order: `store` (the store's
    /// id, S_1001 or 1001, or the tenant's own store code), `date` (yyyy-MM-dd; with
    /// --hourly `hour`, yyyy-MM-dd HH:00 or yyyy-MM-dd HH:00:00, gateway time), `deals`
    /// (transactions), `total` (yuan, at most two decimals, no separators) and `buyers`
    /// (customers who bought). Every line is checked first; if any is bad, each bad line is
    /// reported with its number and nothing is sent (exit 2).
    ///
    /// The platform refuses a second upload for the same store and period; with --hourly,
    /// --replace overwrites instead (isCover=1). Lines that fail are written to a file that
    /// can be sent again as it is (FILE.failed.csv next to FILE unless --failed-to), and the
    /// exit status is 1.
    Upload(UploadArgs),
}

/// `opretail sales upload`
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The CSV file.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,

    /// One line per store and hour (`hour` column, reportSalesHourly) instead of per day.
    #[arg(long)]
    pub hourly: bool,

    /// Overwrite figures uploaded before for the same store and hour (isCover=1; with
    /// --hourly only, the platform documents no replacing of a day's figures).
    #[arg(long)]
    pub replace: bool,

    /// Check every line and say what would be sent; send nothing (no settings needed).
    #[arg(long)]
    pub dry_run: bool,

    /// The business-platform enterprise id the sales belong to [default: the logged-in
    /// user's, as the login answers it].
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub enterprise_id: Option<i64>,

    /// Where to write the lines that failed [default: FILE.failed.csv next to FILE].
    #[arg(long, value_name = "PATH")]
    pub failed_to: Option<PathBuf>,

    /// Uploads in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,
}

/// The period of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Period {
    Day(NaiveDate),
    Hour(NaiveDateTime),
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Day(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            Period::Hour(hour) => write!(f, "{}", hour.format("%Y-%m-%d %H:00")),
        }
    }
}

/// One checked line of the file: its number, its cells as read, and what it uploads.
#[derive(Debug)]
struct Line {
    number: u64,
    cells: csv::StringRecord,
    store: SalesStore,
    period: Period,
    sales: Sales,
}

/// The file, checked: its header and its lines.
#[derive(Debug)]
pub struct UploadPlan {
    header: csv::StringRecord,
    lines: Vec<Line>,
    failed_to: PathBuf,
}

/// Where each column is.
struct Columns {
    store: usize,
    period: usize,
    deals: usize,
    total: usize,
    buyers: usize,
}

impl UploadArgs {
    /// Reads and checks the file: every bad line is reported on stderr with its number, and
    /// any makes it a usage error (nothing is sent).
    pub fn plan(&self) -> Result<UploadPlan, Failure> {
        if self.replace && !self.hourly {
            return Err(Failure::usage(
                "--replace needs --hourly: the platform documents replacing (isCover) for \
                 hourly uploads only",
            ));
        }
        let failed_to = self
            .failed_to
            .clone()
            .unwrap_or_else(|| default_failed_path(&self.file));
        if same_file(&failed_to, &self.file) {
            return Err(Failure::usage(format!(
                "--failed-to {} is the input file; name another file",
                failed_to.display()
            )));
        }
        let bytes = read_limited(&self.file)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let header = reader.headers().map_err(|e| {
            Failure::usage(format!(
                "{}: cannot read the header row: {e}",
                self.file.display()
            ))
        })?;
        let header = strip_bom(header.clone());
        let columns = self.columns(&header)?;
        let mut lines = Vec::new();
        let mut bad = 0usize;
        let mut seen: HashMap<(SalesStore, Period), u64> = HashMap::new();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    let number = e.position().map_or(0, csv::Position::line);
                    bad += 1;
                    say!("line {number}: cannot be read: {e}");
                    if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                        break;
                    }
                    continue;
                }
            };
            let number = record.position().map_or(0, csv::Position::line);
            if lines.len() + bad >= MAX_LINES {
                return Err(Failure::usage(format!(
                    "{} has more than {MAX_LINES} lines; split it",
                    self.file.display()
                )));
            }
            match self.line(&columns, &header, number, record) {
                Ok(line) => match seen.insert((line.store.clone(), line.period), number) {
                    Some(first) => {
                        bad += 1;
                        say!(
                            "line {number}: {} {} again (line {first} has it already); keep one",
                            line.store,
                            line.period
                        );
                    }
                    None => lines.push(line),
                },
                Err(why) => {
                    bad += 1;
                    say!("line {number}: {why}");
                }
            }
        }
        if bad > 0 {
            return Err(Failure::usage(format!(
                "{bad} bad line(s) in {}: nothing was sent; fix them and run again",
                self.file.display()
            )));
        }
        if lines.is_empty() {
            return Err(Failure::usage(format!(
                "{} has no line after its header: nothing to send",
                self.file.display()
            )));
        }
        Ok(UploadPlan {
            header,
            lines,
            failed_to,
        })
    }

    fn columns(&self, header: &csv::StringRecord) -> Result<Columns, Failure> {
        let (period, other) = if self.hourly {
            ("hour", "date")
        } else {
            ("date", "hour")
        };
        let find = |name: &str| {
            header
                .iter()
                .position(|cell| cell.eq_ignore_ascii_case(name))
        };
        let expected = ["store", period, "deals", "total", "buyers"];
        if let Some(unknown) = header
            .iter()
            .find(|cell| !expected.iter().any(|e| cell.eq_ignore_ascii_case(e)))
        {
            let hint = if unknown.eq_ignore_ascii_case(other) {
                if self.hourly {
                    " (a file of days: drop --hourly)".to_owned()
                } else {
                    " (a file of hours: add --hourly)".to_owned()
                }
            } else {
                String::new()
            };
            return Err(Failure::usage(format!(
                "{}: unknown column {unknown:?}{hint}; the columns are {}",
                self.file.display(),
                expected.join(", ")
            )));
        }
        let mut at = expected.iter().map(|name| {
            find(name).ok_or_else(|| {
                Failure::usage(format!(
                    "{}: the header has no column {name:?}; the columns are {}",
                    self.file.display(),
                    expected.join(", ")
                ))
            })
        });
        let mut next = || at.next().expect("five columns are expected");
        Ok(Columns {
            store: next()?,
            period: next()?,
            deals: next()?,
            total: next()?,
            buyers: next()?,
        })
    }

    fn line(
        &self,
        columns: &Columns,
        header: &csv::StringRecord,
        number: u64,
        cells: csv::StringRecord,
    ) -> Result<Line, String> {
        if cells.len() != header.len() {
            return Err(format!(
                "{} cells, the header has {}",
                cells.len(),
                header.len()
            ));
        }
        let cell = |i: usize| cells.get(i).unwrap_or_default();
        let model = |e: Error| match e {
            Error::InvalidInput { param, reason } => format!("{param}: {reason}"),
            other => other.to_string(),
        };
        let store: SalesStore = cell(columns.store).parse().map_err(model)?;
        let period = if self.hourly {
            Period::Hour(parse_hour(cell(columns.period))?)
        } else {
            let text = cell(columns.period);
            Period::Day(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| format!("date {text:?} is not a day yyyy-MM-dd"))?,
            )
        };
        let count = |name: &str, i: usize| {
            let text = cell(i);
            text.parse::<u64>()
                .ok()
                .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("{name} {text:?} is not a count (digits only)"))
        };
        let deals = count("deals", columns.deals)?;
        let buyers = count("buyers", columns.buyers)?;
        let total = cell(columns.total).parse().map_err(model)?;
        Ok(Line {
            number,
            cells,
            store,
            period,
            sales: Sales::new(deals, total, buyers),
        })
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            rate_limit: self.rate,
            answer_caps: Some(crate::gateway::AnswerCaps::SMALL),
        }
    }
}

fn parse_hour(text: &str) -> Result<NaiveDateTime, String> {
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .filter(|t| t.minute() == 0 && t.second() == 0)
        .ok_or_else(|| {
            format!("hour {text:?} is not the start of an hour yyyy-MM-dd HH:00 (gateway time)")
        })
}

fn strip_bom(mut header: csv::StringRecord) -> csv::StringRecord {
    if header.get(0).is_some_and(|c| c.starts_with('\u{feff}')) {
        let cells: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.trim_start_matches('\u{feff}').trim().to_owned()
                } else {
                    c.to_owned()
                }
            })
            .collect();
        header = csv::StringRecord::from(cells);
    }
    header
}

/// `sales.csv` gives `sales.failed.csv`, next to it.
fn default_failed_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sales".to_owned());
    file.with_file_name(format!("{stem}.failed.csv"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn read_limited(path: &Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is larger than {} MiB; split it",
            path.display(),
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    Ok(bytes)
}

/// Checks the file, then (unless `--dry-run`) uploads its lines.
fn upload(global: &GlobalArgs, args: &UploadArgs) -> Result<(), Failure> {
    let plan = args.plan()?;
    if args.dry_run {
        let what = if args.hourly { "hours" } else { "days" };
        let replace = if args.replace { ", replacing" } else { "" };
        say!(
            "dry run: {} lines of store {what} are valid and would be uploaded{replace}; \
             nothing was sent",
            plan.lines.len()
        );
        return Ok(());
    }
    Gateway::run(global, args.tuning(), async |gateway| {
        run(gateway, args, plan).await
    })
}

/// The business-platform enterprise: `--enterprise-id`, or the login's.
async fn enterprise(gateway: &Gateway, args: &UploadArgs) -> Result<i64, Failure> {
    if let Some(id) = args.enterprise_id {
        return Ok(id);
    }
    let missing = "the uploads need the business-platform enterprise id: give \
                   --enterprise-id, or set a user (OPRETAIL_USER and OPRETAIL_PASSWORD) whose \
                   login answers it";
    match gateway.client.login().await {
        Ok(login) => login
            .enterprise_id
            .filter(|id| *id > 0)
            .ok_or_else(|| Failure::usage(missing)),
        Err(Error::InvalidInput { .. }) => Err(Failure::usage(missing)),
        Err(error) => Err(fanout::call_failed("the login", &error)),
    }
}

/// How one line ended.
enum Outcome {
    Sent,
    Failed(Error),
    NotSent,
}

async fn run(gateway: &Gateway, args: &UploadArgs, plan: UploadPlan) -> Result<(), Failure> {
    let mut stop = fanout::listen()?;
    if gateway.is_sandbox() {
        say!("note: sandbox data, not from the real gateway");
    }
    let enterprise = enterprise(gateway, args).await?;
    let in_flight = usize::from(args.concurrency);
    let outcomes = if args.hourly {
        let ops = plan
            .lines
            .iter()
            .map(|line| {
                let Period::Hour(hour) = line.period else {
                    unreachable!("an hourly plan holds hours only");
                };
                ReportSalesHourly::new(enterprise, line.store.clone(), hour, line.sales)
                    .map(|op| op.replace(args.replace))
            })
            .collect::<Result<Vec<_>, Error>>();
        send(gateway, ops, in_flight, &mut stop).await?
    } else {
        let ops = plan
            .lines
            .iter()
            .map(|line| {
                let Period::Day(day) = line.period else {
                    unreachable!("a daily plan holds days only");
                };
                ReportSales::new(enterprise, line.store.clone(), day, line.sales)
            })
            .collect::<Result<Vec<_>, Error>>();
        send(gateway, ops, in_flight, &mut stop).await?
    };
    finish(args, &plan, outcomes.0, outcomes.1)
}

/// Sends the uploads, `in_flight` at a time at the client's pace; each line's outcome, and
/// the signal that cut the run short, if one did.
async fn send<O>(
    gateway: &Gateway,
    ops: Result<Vec<O>, Error>,
    in_flight: usize,
    stop: &mut crate::signals::StopRequest,
) -> Result<(Vec<Outcome>, Option<crate::signals::Signal>), Failure>
where
    O: Call + Operation,
{
    let ops = ops.map_err(|e| Failure::usage(crate::output::words(&e)))?;
    let mut outcomes: Vec<Outcome> = ops.iter().map(|_| Outcome::NotSent).collect();
    let progress = fanout::progress_bar(ops.len(), "lines");
    let mut results = gateway.client.send_all(ops, in_flight);
    let cut = loop {
        tokio::select! {
            next = results.next() => match next {
                Some((index, result)) => {
                    outcomes[index] = match result {
                        Ok(_) => Outcome::Sent,
                        Err(error) => Outcome::Failed(error),
                    };
                    progress.inc(1);
                }
                None => break None,
            },
            signal = stop.wait() => break Some(signal),
        }
    };
    progress.finish_and_clear();
    Ok((outcomes, cut))
}

/// Reports each failed line, writes the failed lines for a second run, and sums up.
fn finish(
    args: &UploadArgs,
    plan: &UploadPlan,
    outcomes: Vec<Outcome>,
    cut: Option<crate::signals::Signal>,
) -> Result<(), Failure> {
    let mut failed = Vec::new();
    let mut sent = 0usize;
    for (line, outcome) in plan.lines.iter().zip(&outcomes) {
        match outcome {
            Outcome::Sent => sent += 1,
            Outcome::Failed(error) => {
                say!(
                    "line {} ({} {}): {}",
                    line.number,
                    line.store,
                    line.period,
                    explain(args, error)
                );
                failed.push(line);
            }
            Outcome::NotSent => failed.push(line),
        }
    }
    let total = plan.lines.len();
    if failed.is_empty() {
        say!("uploaded {sent} of {total} lines");
        return Ok(());
    }
    write_failed(&plan.failed_to, &plan.header, &failed)?;
    let mut again = format!("opretail sales upload {}", plan.failed_to.display());
    if args.hourly {
        again.push_str(" --hourly");
    }
    if args.replace {
        again.push_str(" --replace");
    }
    let not_sent = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::NotSent))
        .count();
    let interrupted = if not_sent > 0 {
        format!(
            " ({not_sent} not sent or not answered before the stop: any that did arrive will be \
             refused as repeats when sent again)"
        )
    } else {
        String::new()
    };
    say!(
        "uploaded {sent} of {total} lines; {} failed{interrupted}: written to {} (send them \
         again with `{again}`)",
        failed.len(),
        plan.failed_to.display()
    );
    match cut {
        Some(signal) => Err(Failure::Interrupted(signal)),
        None => Err(Failure::Reported),
    }
}

/// A failed upload in words, with what to do; a repeated upload says to pass `--replace`.
fn explain(args: &UploadArgs, error: &Error) -> String {
    let info = ErrorInfo::of(error);
    if let Some(refusal) = duplicate_upload(error) {
        let cid = refusal
            .cid
            .as_deref()
            .map(|cid| format!(" [cid {cid}]"))
            .unwrap_or_default();
        let code = format!("{} ({})", refusal.code.name(), refusal.code.code());
        return if args.hourly {
            format!(
                "already uploaded for this store and hour, refused by the platform: {code}{cid}; \
                 what to do: pass --replace to overwrite it"
            )
        } else {
            format!(
                "already uploaded for this store and day, refused by the platform: {code}{cid}; \
                 the platform documents no replacing of a day's figures (--replace works with \
                 --hourly only)"
            )
        };
    }
    info.line()
}

/// The header and the failed lines' cells as read, in file order: a file this command takes
/// again as it is.
fn write_failed(path: &Path, header: &csv::StringRecord, failed: &[&Line]) -> Result<(), Failure> {
    let mut writer = csv::Writer::from_path(path).map_err(|e| cannot_write(path, &e))?;
    writer
        .write_record(header)
        .map_err(|e| cannot_write(path, &e))?;
    for line in failed {
        writer
            .write_record(&line.cells)
            .map_err(|e| cannot_write(path, &e))?;
    }
    writer.flush().map_err(|e| cannot_write(path, &e))
}

fn cannot_write(path: &Path, error: &dyn std::fmt::Display) -> Failure {
    Failure::Failed(format!(
        "cannot write the failed lines to {}: {error} (their numbers are listed above)",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_whole_hours() {
        assert!(parse_hour("2026-11-28 10:00").is_ok());
        assert!(parse_hour("2026-11-28 10:00:00").is_ok());
        assert!(parse_hour("2026-11-28 10:30").is_err());
        assert!(parse_hour("2026-11-28").is_err());
    }

    #[test]
    fn the_failed_file_sits_next_to_the_input() {
        assert_eq!(
            default_failed_path(Path::new("/tmp/x/sales.csv")),
            Path::new("/tmp/x/sales.failed.csv")
        );
        assert_eq!(
            default_failed_path(Path::new("week")),
            Path::new("week.failed.csv")
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_column() {
        let header = strip_bom(csv::StringRecord::from(vec!["\u{feff}store", "date"]));
        assert_eq!(header.get(0), Some("store"));
    }
}
