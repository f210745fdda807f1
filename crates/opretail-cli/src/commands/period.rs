//! What the listing commands share: the stores asked about and the period.

use chrono::Timelike;
use opretail_model::{DateRange, EntityId, HourRange};

use crate::args::{IdSource, Period, When};
use crate::failure::Failure;
use crate::gateway::Gateway;

/// The days of `period` and, when either end has a time, the hours of each day.
pub fn window(period: &Period) -> Result<(DateRange, Option<HourRange>), Failure> {
    let days = DateRange::new(period.from.date(), period.to.date())
        .map_err(|e| Failure::usage(format!("--from/--to: {e}")))?;
    let start = match period.from {
        When::Day(_) => 0,
        When::At(at) => at.hour() as u8,
    };
    let end = match period.to {
        When::Day(_) => 24,
        // An end within an hour counts that hour.
        When::At(at) if at.minute() > 0 || at.second() > 0 => at.hour() as u8 + 1,
        When::At(at) => at.hour() as u8,
    };
    if (start, end) == (0, 24) {
        return Ok((days, None));
    }
    let hours = HourRange::new(start, end)
        .map_err(|e| Failure::usage(format!("--from/--to: the hours of each day: {e}")))?;
    Ok((days, Some(hours)))
}

/// Whether the ids come from the store list; checks that some id was given otherwise.
pub fn needs_store_list(source: &IdSource) -> bool {
    source.all_stores
}

/// The ids given, or every store's with `--all-stores`; each id once, in input order.
pub async fn ids(
    gateway: &Gateway,
    source: &IdSource,
    given: &crate::ids::Batch,
) -> Result<Vec<EntityId>, Failure> {
    if needs_store_list(source) {
        super::stores::all_store_ids(gateway).await
    } else {
        Ok(given.unique.clone())
    }
}
