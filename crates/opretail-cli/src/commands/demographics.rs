//! `opretail passenger-flow demographics`: visitors of each store by gender and age group.

use futures_util::{StreamExt, stream};
use opretail_model::{Gender, GetAgeGroupAndGenderDistribution};

use crate::args::DemographicsArgs;
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::ids::Batch;
use crate::output::tidy::{TidyWriter, figure};

/// The columns of `demographics`.
const COLUMNS: &[&str] = &["id", "dimension", "group", "people", "percentage"];

/// Calls in flight at once.
const CONCURRENCY: usize = 4;

/// One call per store; rows in input order: genders, then age groups.
pub async fn run(gateway: &Gateway, args: &DemographicsArgs, given: Batch) -> Result<(), Failure> {
    let format = crate::args::ListFormat::or_default(args.output);
    let (days, hours) = super::period::window(&args.period)?;
    if gateway.is_sandbox() {
        say!("note: sandbox data, not from the real gateway");
    }
    let ids = super::period::ids(gateway, &args.stores, &given).await?;
    let progress = super::total::progress_bar(ids.len(), "ids");
    let client = gateway.client.clone();
    let mut answers = stream::iter(ids.iter().map(|id| {
        let (client, progress) = (client.clone(), progress.clone());
        async move {
            let mut call = GetAgeGroupAndGenderDistribution::new([id.clone()], days)?;
            if let Some(hours) = hours {
                call = call.hours(hours);
            }
            let answer = client.send(&call).await;
            progress.inc(1);
            answer.map(|a| (id.clone(), a))
        }
    }))
    .buffered(CONCURRENCY);

    let mut out = TidyWriter::new(COLUMNS, format, args.csv_raw, std::io::stdout().lock())?;
    while let Some(answer) = answers.next().await {
        let (id, data) = answer.map_err(|e| {
            progress.finish_and_clear();
            super::stores::call_failed("the demographics", &e)
        })?;
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
    progress.finish_and_clear();
    out.finish()?;
    Ok(())
}
