//! Revisions of recent hours: a gateway that is still counting revises the figures of the
//! last few hours, so that the same window asked for twice can answer a little differently.
//!
//! Off by default. When on, each answer gets a revision of its own, and every figure of that
//! answer comes from the same revised hours, so within one answer the figures agree exactly
//! as they do without revisions. Hours older than the revised span never change.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use crate::synthesis::flow::{Flow, daily_flow, derived_flows, hours_of_day};
use crate::synthesis::random::{day_number, seed};
use crate::synthesis::{devices, tenant};

/// One answer's revision of the recent hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Revision {
    /// How many hours back (the current hour included) are revised.
    pub(crate) hours: u32,
    /// Which revision: each one moves every revised hour by up to 5 % either way.
    pub(crate) number: u64,
}

/// The passenger flow as one answer sees it: the hourly figures at the gateway's `now`,
/// the recent hours revised when the sandbox revises them.
#[derive(Debug, Clone)]
pub(crate) struct FlowView {
    now: NaiveDateTime,
    revision: Option<Revision>,
    /// Devices that count nothing: their stores count that much less.
    dead_devices: Arc<BTreeSet<String>>,
}

impl FlowView {
    pub(crate) fn new(now: NaiveDateTime, revision: Option<Revision>) -> Self {
        FlowView {
            now,
            revision,
            dead_devices: Arc::default(),
        }
    }

    /// The same view, with `dead` devices (MAC addresses) counting nothing.
    pub(crate) fn with_dead_devices(mut self, dead: Arc<BTreeSet<String>>) -> Self {
        self.dead_devices = dead;
        self
    }

    /// The entering flow of `id` in each hour of `date`, less what its dead devices would
    /// have counted.
    pub(crate) fn hours(&self, id: &str, date: NaiveDate) -> [u64; 24] {
        let mut hours = self.counted_hours(id, date);
        if self.dead_devices.is_empty() {
            return hours;
        }
        let store = id
            .strip_prefix("S_")
            .and_then(tenant::parse_id)
            .and_then(|dep_id| tenant::demo().store(dep_id));
        if let Some(store) = store {
            let devices = devices::devices_of(store, &self.dead_devices);
            if devices.iter().any(|d| self.dead_devices.contains(&d.mac)) {
                for entering in &mut hours {
                    *entering = devices::alive_share(*entering, &devices, &self.dead_devices);
                }
            }
        }
        hours
    }

    /// The entering flow of `id` in each hour of `date` (gateway-local), as every device
    /// counted it.
    fn counted_hours(&self, id: &str, date: NaiveDate) -> [u64; 24] {
        let mut hours = hours_of_day(id, date);
        if let Some(revision) = self.revision {
            for (hour, entering) in (0..24).zip(hours.iter_mut()) {
                if self.is_recent(date, hour, revision.hours) {
                    *entering = revised(*entering, id, date, hour, revision.number);
                }
            }
        }
        hours
    }

    /// The figures of `id` in every hour of `date`.
    pub(crate) fn day_flows(&self, id: &str, date: NaiveDate) -> [Flow; 24] {
        derived_flows(id, date, self.hours(id, date))
    }

    /// The visitors of `id` on `date`, all day.
    pub(crate) fn day_total(&self, id: &str, date: NaiveDate) -> u64 {
        match self.revision {
            _ if !self.dead_devices.is_empty() => self.hours(id, date).iter().sum(),
            Some(revision) if (0..24).any(|h| self.is_recent(date, h, revision.hours)) => {
                self.hours(id, date).iter().sum()
            }
            // The same sum, without splitting the day into hours.
            _ => daily_flow(id, date),
        }
    }

    /// The visitors of `id` on `date` in its hours up to and including `hour` (0 to 23).
    pub(crate) fn day_so_far(&self, id: &str, date: NaiveDate, hour: u32) -> u64 {
        let last = usize::try_from(hour.min(23)).unwrap_or(23);
        self.hours(id, date)[..=last].iter().sum()
    }

    /// Whether hour `hour` of `date` has begun and lies within the last `span` hours.
    fn is_recent(&self, date: NaiveDate, hour: u32, span: u32) -> bool {
        let Some(start) = date.and_hms_opt(hour, 0, 0) else {
            return false;
        };
        let span = TimeDelta::hours(i64::from(span));
        start <= self.now
            && self
                .now
                .checked_sub_signed(span)
                .is_none_or(|earliest| start > earliest)
    }
}

/// `entering` moved by up to 5 % either way, at least one visitor, for this revision.
fn revised(entering: u64, id: &str, date: NaiveDate, hour: u32, number: u64) -> u64 {
    let day = day_number(date).to_le_bytes();
    let mut rng = fastrand::Rng::with_seed(seed(&[
        id.as_bytes(),
        &day,
        &hour.to_le_bytes(),
        &number.to_le_bytes(),
        b"revision",
    ]));
    let factor = 0.95 + 0.1 * rng.f64();
    ((entering as f64 * factor).round() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 30, 0)
            .unwrap()
    }

    #[test]
    fn without_revisions_the_view_is_the_plain_flow() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let view = FlowView::new(at(28, 10), None);
        assert_eq!(view.hours("S_1001", date), hours_of_day("S_1001", date));
        assert_eq!(view.day_total("S_1001", date), daily_flow("S_1001", date));
        let morning: u64 = hours_of_day("S_1001", date)[..=10].iter().sum();
        assert_eq!(view.day_so_far("S_1001", date, 10), morning);
    }

    #[test]
    fn recent_hours_reach_back_over_midnight() {
        let view = FlowView::new(
            at(28, 1),
            Some(Revision {
                hours: 3,
                number: 0,
            }),
        );
        let (today, yesterday) = (
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        );
        let recent = |date, hour| view.is_recent(date, hour, 3);
        assert!(recent(today, 0) && recent(today, 1) && recent(yesterday, 23));
        assert!(!recent(today, 2) && !recent(yesterday, 22));
    }

    #[test]
    fn only_the_recent_hours_change_and_the_day_is_their_sum() {
        // Three hours back from 19:30: 17:00, 18:00 and 19:00.
        let now = at(28, 19);
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let plain = FlowView::new(now, None);
        let base = plain.hours("S_1001", today);
        let mut seen = std::collections::BTreeSet::new();
        for number in 0..20 {
            let view = FlowView::new(now, Some(Revision { hours: 3, number }));
            let hours = view.hours("S_1001", today);
            for h in 0..24 {
                let (revised, was) = (hours[h], base[h]);
                if (17..=19).contains(&h) {
                    assert!(
                        revised.abs_diff(was) * 20 <= was + 20,
                        "{h}: {revised} {was}"
                    );
                } else {
                    assert_eq!(revised, was, "{h}");
                }
            }
            seen.insert(hours[17..=19].to_vec());
            assert_eq!(view.day_total("S_1001", today), hours.iter().sum::<u64>());
            assert_eq!(
                view.day_so_far("S_1001", today, 19),
                hours[..=19].iter().sum::<u64>()
            );
            let earlier = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
            assert_eq!(
                view.day_total("S_1001", earlier),
                daily_flow("S_1001", earlier)
            );
        }
        assert!(seen.len() > 10, "{seen:?}");
    }
}
