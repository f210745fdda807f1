//! `opretail passenger-flow demographics`: visitors of each store by gender and age group.

use opretail_model::{Demographics, Gender, GetAgeGroupAndGenderDistribution};

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{AnswerCaps, Gateway, Tuning};
use crate::ids::Ids;
use crate::listing::{self, ListingArgs, Started};
use crate::output::tidy::{Tidy, figure};
use crate::period::Part;
use crate::global::GlobalArgs;

/// The most days one demographics call covers: the gateway refuses more (return code 4004).
/// Shares of several calls cannot be added up into the shares of the whole period, so a
/// longer period is refused before anything is sent rather than split.
pub const MAX_DAYS: u64 = 31;

/// Visitors by gender and age group over a period.
#[derive(Debug, clap::Args)]
#[command(display_order = 3)]
pub struct Args {
    /// The stores, the period, the pace and the output.
    #[command(flatten)]
    pub listing: ListingArgs,
}

impl Args {
    /// Prints the shares of every store.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let plan = self.plan()?;
        Gateway::run(global, self.tuning(), async |gateway| {
            run_with(gateway, &self, plan).await
        })
    }
}

/// What `demographics` asks for, checked before anything is sent.
#[derive(Debug)]
pub struct DemographicsPlan {
    ids: Ids,
    part: Part,
}

impl Args {
    /// The ids and the period, checked: one part of at most [`MAX_DAYS`] days.
    pub fn plan(&self) -> Result<DemographicsPlan, Failure> {
        let (ids, period) = self.listing.read()?;
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

    /// The client's `--rate`, and the caps of small answers.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            answer_caps: Some(AnswerCaps::SMALL),
            ..self.listing.tuning()
        }
    }
}

/// The columns of `demographics`.
const COLUMNS: &[&str] = &["id", "dimension", "group", "people", "percentage"];

/// One call per store; rows in input order: genders, then age groups.
///
/// A failed call fails its store only: it gets no rows, the failure is reported on stderr, and
/// the exit status is 1 once every other store is written.
async fn run_with(
    gateway: &Gateway,
    args: &Args,
    plan: DemographicsPlan,
) -> Result<(), Failure> {
    let Started { tidy, ids, mut run } =
        listing::start(gateway, &args.listing, COLUMNS, plan.ids).await?;
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
        .collect::<Result<Vec<_>, Failure>>();
    let calls = calls.map_err(|failure| run.abandon(failure))?;
    let (mut done, mut failed) = (0usize, 0usize);
    let label = |index: usize| format!("the demographics of {}", ids[index]);
    let sent = run
        .send(
            listing::Calls::new(calls, "the demographics", "ids", &label),
            fanout::keep,
            |index, answer: Option<Demographics>, sink, _| {
                done += 1;
                let rows = match answer {
                    Some(data) => rows(ids[index].as_str(), &data, &tidy)?,
                    None => {
                        failed += 1;
                        Vec::new()
                    }
                };
                sink.put(index, rows)
            },
        )
        .await;
    let stores = ids.len();
    run.close(sent, || format!("{done} of {stores} stores"), failed > 0)?;
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
    let genders = data.gender.iter().map(|share| {
        let group = match share.gender {
            Some(Gender::Male) => "male".to_owned(),
            Some(Gender::Female) => "female".to_owned(),
            Some(Gender::Unknown) => "unknown".to_owned(),
            Some(Gender::Other(code)) => format!("gender {code}"),
            None => String::new(),
        };
        ("gender", group, &share.people_num, &share.percentage)
    });
    let ages = data.age.iter().map(|share| {
        let group = match (share.age_from, share.age_to) {
            (Some(from), Some(to)) => format!("{from}-{to}"),
            (Some(from), None) => format!("{from}+"),
            (None, Some(to)) => format!("-{to}"),
            (None, None) => share
                .age_division_type
                .map(|t| format!("type {t}"))
                .unwrap_or_default(),
        };
        ("age", group, &share.people_num, &share.percentage)
    });
    let mut rows = Vec::new();
    for (dimension, group, people, percentage) in genders.chain(ages) {
        rows.push(tidy.row(vec![
            id.into(),
            dimension.into(),
            group.into(),
            figure(people.as_ref()),
            figure(percentage.as_ref()),
        ])?);
    }
    Ok(rows)
}
