//! `opretail passenger-flow demographics`: visitors of each store by gender and age group.

use opretail_model::{Demographics, Error, Gender, GetAgeGroupAndGenderDistribution};

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout::{self, Cut};
use crate::gateway::{Gateway, Tuning, parse_rate};
use crate::ids::{IdSource, Ids};
use crate::output::tidy::{Tidy, figure};
use crate::output::{ErrorInfo, Format, Sink, list_formats};
use crate::period::{Part, PeriodArgs};

/// The most days one demographics call covers: the gateway refuses more (return code 4004).
/// Shares of several calls cannot be added up into the shares of the whole period, so a
/// longer period is refused before anything is sent rather than split.
pub const MAX_DAYS: u64 = 31;

/// `opretail passenger-flow demographics`
#[derive(Debug, clap::Args)]
pub struct DemographicsArgs {
    /// The stores.
    #[command(flatten)]
    pub stores: IdSource,

    /// The period.
    #[command(flatten)]
    pub period: PeriodArgs,

    /// Calls in flight at once (a slow call holds only its own slot).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT", value_parser = list_formats())]
    pub output: Option<Format>,

    /// With --output csv: write every cell exactly as received (see `passenger-flow total`).
    #[arg(long)]
    pub csv_raw: bool,
}

/// What `demographics` asks for, checked before anything is sent.
#[derive(Debug)]
pub struct DemographicsPlan {
    ids: Ids,
    part: Part,
}

impl DemographicsArgs {
    /// The ids and the period, checked: one part of at most [`MAX_DAYS`] days.
    pub fn plan(&self) -> Result<DemographicsPlan, Failure> {
        let ids = self.stores.read()?;
        let period = self.period.period()?;
        let [part] = period.parts[..] else {
            return Err(Failure::usage(
                "demographics counts the same hours on every day of its period: give --from \
                 and --to as days (2026-11-01), or as times on the same day, and --hours for \
                 the same hours on every day",
            ));
        };
        if part.days.len_days() > MAX_DAYS {
            return Err(Failure::usage(format!(
                "--from/--to: demographics covers at most {MAX_DAYS} days (the gateway refuses \
                 more, and shares of shorter periods do not add up): {} is {} days",
                part.days,
                part.days.len_days()
            )));
        }
        Ok(DemographicsPlan { ids, part })
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            body_limit: None,
            rate_limit: self.rate,
        }
    }
}

/// The columns of `demographics`.
const COLUMNS: &[&str] = &["id", "dimension", "group", "people", "percentage"];

/// One call per store; rows in input order: genders, then age groups.
///
/// A failed call fails its store only: it gets no rows, the failure is reported on stderr, and
/// the exit status is 1 once every other store is written.
pub async fn run(
    gateway: &Gateway,
    args: &DemographicsArgs,
    plan: DemographicsPlan,
) -> Result<(), Failure> {
    let mut stop = fanout::listen()?;
    let sandbox = gateway.is_sandbox();
    if sandbox {
        say!("note: sandbox data, not from the real gateway");
    }
    let tidy = Tidy::new(
        COLUMNS,
        Format::or_default(args.output),
        args.csv_raw,
        sandbox,
    );
    let mut sink = Sink::new(tidy.framing()?, true, indicatif::ProgressBar::hidden());
    // The output begins before the store list and the login, so that it is whole (empty)
    // when either fails.
    sink.start()?;
    let ready = async {
        let ids = match plan.ids {
            Ids::Given(batch) => batch.unique,
            Ids::AllStores => fanout::all_store_ids(gateway).await?,
        };
        let calls = ids
            .iter()
            .map(|id| {
                let call = GetAgeGroupAndGenderDistribution::new([id.clone()], plan.part.days)
                    .map_err(|e| Failure::usage(e.to_string()))?;
                Ok(match plan.part.hours {
                    Some(hours) => call.hours(hours),
                    None => call,
                })
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        fanout::log_in_first(gateway).await?;
        Ok::<_, Failure>((ids, calls))
    };
    let (ids, calls) = match ready.await {
        Ok(ready) => ready,
        Err(failure) => {
            sink.finish()?;
            return Err(failure);
        }
    };
    let progress = fanout::progress_bar(calls.len(), "ids");
    sink.show_progress(progress.clone());
    let mut failed = 0usize;
    let sent = fanout::send_all(
        gateway,
        calls,
        usize::from(args.concurrency),
        &mut sink,
        &progress,
        &mut stop,
        |index, result: Result<Demographics, Error>, sink| {
            let id = &ids[index];
            let rows = match result {
                Ok(data) => rows(id.as_str(), &data, &tidy)?,
                Err(error @ Error::InvalidInput { .. }) => {
                    return Err(fanout::call_failed("the demographics", &error));
                }
                Err(error) => {
                    failed += 1;
                    progress.suspend(|| {
                        say!(
                            "error: the demographics of {id}: {}",
                            ErrorInfo::of(&error).line()
                        )
                    });
                    Vec::new()
                }
            };
            sink.put(index, rows)
        },
    )
    .await;
    let closed = sink.finish();
    let cut = sent?;
    closed?;
    match cut {
        Some(Cut::Signal(signal)) => {
            say!(
                "interrupted after {} of {} stores",
                sink.places_written(),
                ids.len()
            );
            return Err(Failure::Interrupted(signal));
        }
        _ if sink.reader_gone() && failed == 0 => return Err(Failure::BrokenPipe),
        _ => {}
    }
    if failed > 0 {
        say!(
            "{failed} of {} stores failed: their rows are left out",
            ids.len()
        );
        return Err(Failure::Reported);
    }
    Ok(())
}

/// The rows of one store: genders, then age groups.
fn rows(id: &str, data: &Demographics, tidy: &Tidy) -> Result<Vec<Vec<u8>>, Failure> {
    let mut rows = Vec::new();
    for share in &data.gender {
        let group = match share.gender {
            Some(Gender::Male) => "male".to_owned(),
            Some(Gender::Female) => "female".to_owned(),
            Some(Gender::Unknown) => "unknown".to_owned(),
            Some(Gender::Other(code)) => format!("gender {code}"),
            None => String::new(),
        };
        rows.push(tidy.row(vec![
            id.into(),
            "gender".into(),
            group.into(),
            figure(share.people_num.as_ref()),
            figure(share.percentage.as_ref()),
        ])?);
    }
    for share in &data.age {
        let group = match (share.age_from, share.age_to) {
            (Some(from), Some(to)) => format!("{from}-{to}"),
            (Some(from), None) => format!("{from}+"),
            (None, Some(to)) => format!("-{to}"),
            (None, None) => share
                .age_division_type
                .map(|t| format!("type {t}"))
                .unwrap_or_default(),
        };
        rows.push(tidy.row(vec![
            id.into(),
            "age".into(),
            group.into(),
            figure(share.people_num.as_ref()),
            figure(share.percentage.as_ref()),
        ])?);
    }
    Ok(rows)
}
