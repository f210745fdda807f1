//! `opretail passenger-flow demographics`: visitors of each store by gender and age group.

use opretail_model::{Gender, GetAgeGroupAndGenderDistribution};

use crate::args::OverTime;
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::ids::Batch;
use crate::output::ErrorInfo;
use crate::output::tidy::{TidyWriter, figure};

/// The columns of `demographics`.
const COLUMNS: &[&str] = &["id", "dimension", "group", "people", "percentage"];

/// One call per store; rows in input order: genders, then age groups.
///
/// A failed call fails its store only: it gets no rows, the failure is reported on stderr, and
/// the exit status is 1 once every other store is written.
pub async fn run(gateway: &Gateway, over: &OverTime, given: Batch) -> Result<(), Failure> {
    let format = crate::args::ListFormat::or_default(over.output);
    let (days, hours) = super::over_time::window(&over.period)?;
    if gateway.is_sandbox() {
        say!("note: sandbox data, not from the real gateway");
    }
    let ids = super::over_time::ids(gateway, &over.stores, &given).await?;
    let calls = ids
        .iter()
        .map(|id| {
            let call = GetAgeGroupAndGenderDistribution::new([id.clone()], days)
                .map_err(|e| Failure::usage(e.to_string()))?;
            Ok(match hours {
                Some(hours) => call.hours(hours),
                None => call,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;

    super::over_time::log_in_first(gateway).await?;
    let progress = super::total::progress_bar(calls.len(), "ids");
    let in_flight = usize::from(over.concurrency);
    let results =
        super::over_time::send_all(gateway, &calls, in_flight, &progress, "the demographics")
            .await?;

    let mut out = TidyWriter::new(COLUMNS, format, over.csv_raw, std::io::stdout().lock())?;
    let mut failed = 0usize;
    for (id, result) in ids.iter().zip(results) {
        let data = match result {
            Ok(data) => data,
            Err(error) => {
                failed += 1;
                say!(
                    "error: the demographics of {id}: {}",
                    ErrorInfo::of(&error).line()
                );
                continue;
            }
        };
        for share in &data.gender {
            let group = match share.gender {
                Some(Gender::Male) => "male".to_owned(),
                Some(Gender::Female) => "female".to_owned(),
                Some(Gender::Unknown) => "unknown".to_owned(),
                Some(Gender::Other(code)) => format!("gender {code}"),
                None => String::new(),
            };
            out.row(vec![
                id.as_str().into(),
                "gender".into(),
                group.into(),
                figure(share.people_num.as_ref()),
                figure(share.percentage.as_ref()),
            ])?;
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
            out.row(vec![
                id.as_str().into(),
                "age".into(),
                group.into(),
                figure(share.people_num.as_ref()),
                figure(share.percentage.as_ref()),
            ])?;
        }
    }
    out.finish()?;
    if failed > 0 {
        say!(
            "{failed} of {} stores failed: their rows are left out",
            ids.len()
        );
        return Err(Failure::Reported);
    }
    Ok(())
}
