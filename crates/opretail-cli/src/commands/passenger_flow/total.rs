//! `opretail passenger-flow total`: totals of many ids, `--concurrency` calls always in flight.
//!
//! Calls start in input order and finish in any order. A slow id holds only its own slot:
//! the others go on starting as soon as a slot frees. `ndjson` rows are written as they
//! finish; the other formats keep input order through the sink's bounded reorder buffer.

use opretail_model::{GetTotalData, TotalData};

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout::{self, Cut};
use crate::gateway::{AnswerCaps, Gateway, Tuning, parse_rate};
use crate::ids::{Batch, IdSource, Ids, Origin};
use crate::output::tidy::{Cell, Column, Shown, Tidy, columns_of, text};
use crate::output::{ErrorInfo, Format, Framing, Sink};
use crate::global::GlobalArgs;

/// The columns of `total`'s rows: the id, the figures (in a table: counts, money, rates, as
/// wide as their figures usually are) and the weather (not in a table). The rows add whether
/// the call succeeded and its error (see [`Tidy::results`]).
const COLUMNS: &[Column] = &[
    column("id", "ID", Shown::Text),
    column("day_flow", "DAY", Shown::Count(8)),
    column("week_flow", "WEEK", Shown::Count(9)),
    column("month_flow", "MONTH", Shown::Count(10)),
    column("total_sale", "SALES", Shown::Money(13)),
    column("expenditure", "PRICE", Shown::Money(9)),
    column("enter_rate", "ENTER", Shown::Rate(7)),
    column("buy_rate", "BUY", Shown::Rate(7)),
    column("fitting_rate", "FITTING", Shown::Rate(7)),
    column("weather", "WEATHER", Shown::Hidden),
];

const fn column(name: &'static str, heading: &'static str, shown: Shown) -> Column {
    Column {
        name,
        heading,
        shown,
    }
}

/// The cells of the figures of one id, one per column after the id.
fn cells(data: &TotalData) -> Vec<Cell<'_>> {
    let figures = [
        &data.day_flow,
        &data.week_flow,
        &data.month_flow,
        &data.total_sale,
        &data.expenditure,
        &data.enter_rate,
        &data.buy_rate,
        &data.fitting_rate,
    ];
    let mut cells: Vec<Cell<'_>> = figures.map(|m| Cell::Figure(m.as_ref())).into();
    let weather = data.weather.as_ref().and_then(|w| w.weather.as_deref());
    cells.push(Cell::Value(text(weather)));
    cells
}

/// Today's, this week's and this month's totals of stores (`S_…`) or enterprises (`O_…`).
#[derive(Debug, clap::Args)]
#[command(mut_arg("ids", |arg| arg.help(
    "A store (`S_1001`) or enterprise (`O_42`) id; repeat for more"
)))]
#[command(display_order = 1)]
pub struct Args {
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

impl Args {
    /// Prints the totals of every id.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let plan = self.plan()?;
        Gateway::run(global, self.tuning(), async |gateway| {
            run_with(gateway, &self, plan).await
        })
    }
}

impl Args {
    /// The ids, read and checked before anything starts.
    pub fn plan(&self) -> Result<Ids, Failure> {
        self.ids.read()
    }

    /// What the batch's client needs: the small body limit and answer caps, and `--rate` (which the client
    /// applies to every request it sends, retries included).
    pub fn tuning(&self) -> Tuning {
        Tuning {
            rate_limit: self.rate,
            answer_caps: Some(AnswerCaps::SMALL),
        }
    }
}

/// Calls `getTotalData` for every id and writes each result as soon as its format allows.
async fn run_with(gateway: &Gateway, args: &Args, ids: Ids) -> Result<(), Failure> {
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
        .map(|id| columns_of(id.as_str()))
        .max()
        .unwrap_or(2);
    let tidy = Tidy::results(COLUMNS, id_width, format, args.csv_raw, sandbox);
    if sandbox && matches!(format, Format::Table | Format::Csv) {
        say!("note: sandbox data, not from the real gateway");
    }
    batch.report_duplicates();

    let progress = fanout::progress_bar(total, "ids");
    let mut sink = Sink::new(tidy.framing()?, format != Format::Ndjson, progress.clone());
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
        fanout::keep,
        |unique, result, sink| {
            let id = &batch.unique[unique];
            let positions = &batch.positions[unique];
            done += positions.len();
            let row = match &result {
                Ok(data) => tidy.result(id.as_str(), Ok((data, cells(data))))?,
                Err(error) => {
                    failed += positions.len();
                    tracing::info!(id = %id, "call failed");
                    let info = ErrorInfo::of(error);
                    if format != Format::Table {
                        progress.suspend(|| say!("error: {id}: {}", info.line()));
                    }
                    tidy.result::<TotalData>(id.as_str(), Err(&info))?
                }
            };
            for &position in positions {
                sink.put(position, vec![row.clone()])?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape;
    use opretail_model::{EntityId, Error, TransportKind};

    /// The CSV columns of `total`.
    const HEADER: [&str; 15] = [
        "id",
        "ok",
        "day_flow",
        "week_flow",
        "month_flow",
        "total_sale",
        "expenditure",
        "enter_rate",
        "buy_rate",
        "fitting_rate",
        "weather",
        "error_code",
        "error_name",
        "error_message",
        "cid",
    ];

    /// The framing and the row of the result of `id` in `format`.
    fn render(
        format: Format,
        id: &EntityId,
        result: &Result<TotalData, Error>,
    ) -> (Framing, Vec<u8>) {
        let tidy = Tidy::results(COLUMNS, id.as_str().chars().count(), format, false, false);
        let row = match result {
            Ok(data) => tidy.result(id.as_str(), Ok((data, cells(data)))),
            Err(error) => tidy.result::<TotalData>(id.as_str(), Err(&ErrorInfo::of(error))),
        };
        (tidy.framing().expect("framing"), row.expect("row"))
    }

    /// The table row of the result of `S_1001`.
    fn row(result: Result<TotalData, Error>) -> String {
        let id: EntityId = "S_1001".parse().expect("a valid id");
        let (framing, row) = render(Format::Table, &id, &result);
        let Framing::Aligned(mut table) = framing else {
            panic!("a table is aligned");
        };
        let mut out = Vec::new();
        table.row(row, &mut out);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn figures_are_integers_money_and_percentages() {
        let data: TotalData = serde_json::from_str(
            r#"{"DAY_FLOW":"1,234人","WEEK_FLOW":5678.0,"TOTAL_SALE":"12.5元","ENTER_RATE":"35.2%","BUY_RATE":7}"#,
        )
        .expect("decodes");
        let row = row(Ok(data));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            [
                "S_1001", "1234", "5678", "-", "12.50", "-", "35.2%", "7.0%", "-"
            ]
        );
    }

    #[test]
    fn a_failure_is_shown_in_its_row() {
        let error = Error::transport_message(
            TransportKind::Timeout,
            "http://127.0.0.1:1/m.api",
            "no answer within 1s",
        );
        let row = row(Err(error));
        assert!(
            row.starts_with("S_1001  failed: TRANSPORT_TIMEOUT: timed out"),
            "{row}"
        );
        assert!(row.ends_with("…\n"), "long messages are cut: {row}");
    }

    #[test]
    fn gateway_text_cannot_drive_the_terminal() {
        let error = Error::Gateway(Box::new(opretail_model::GatewayError {
            code: opretail_model::ReturnCode::from_code(-500),
            message: Some("\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}gnp.exe".to_owned()),
            cid: None,
            systime: None,
        }));
        let row = row(Err(error));
        assert!(!row.trim_end().chars().any(escape::is_unsafe), "{row:?}");
        assert!(row.contains("\\u{1b}[2J"), "{row}");
    }

    #[test]
    fn a_failed_row_has_the_error_columns_filled() {
        let id: EntityId = "O_42".parse().expect("a valid id");
        let result = Err(Error::invalid_input("id", "bad, \"quoted\""));
        let (framing, row) = render(Format::Csv, &id, &result);
        let Framing::Lines(mut out) = framing else {
            panic!("CSV is a header and lines");
        };
        out.extend(row);
        let text = String::from_utf8(out).expect("UTF-8");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().expect("header").len(), HEADER.len());
        assert_eq!(reader.headers().expect("header"), HEADER.as_slice());
        let row = reader.records().next().expect("a row").expect("valid CSV");
        assert_eq!(row.len(), HEADER.len());
        assert_eq!((&row[0], &row[1]), ("O_42", "false"));
        assert_eq!(&row[12], "INVALID_INPUT");
        assert!(row[13].contains("\"quoted\""));
    }

    #[test]
    fn a_json_element_names_id_ok_then_data_or_error() {
        let id: EntityId = "O_42".parse().expect("a valid id");
        let data: TotalData = serde_json::from_str(r#"{"DAY_FLOW":3}"#).expect("decodes");
        let (_, row) = render(Format::Json, &id, &Ok(data));
        let text = String::from_utf8(row).expect("UTF-8");
        assert!(
            text.starts_with(r#"{"id":"O_42","ok":true,"data":{"day_flow":3,"#),
            "{text}"
        );
        let result = Err(Error::invalid_input("id", "bad"));
        let (_, row) = render(Format::Ndjson, &id, &result);
        let text = String::from_utf8(row).expect("UTF-8");
        assert!(
            text.starts_with(
                r#"{"id":"O_42","ok":false,"error":{"code":null,"name":"INVALID_INPUT","#
            ),
            "{text}"
        );
        assert!(text.ends_with("}\n"), "{text}");
    }
}
