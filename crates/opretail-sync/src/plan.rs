//! Which days a run asks for, per stream and store, and how far each answer moves the mark.
//!
//! Pure: the time is given. A store with a mark is read from its mark less the lookback; a
//! store without one from `--since`. Everything up to now is read; buckets not yet over are
//! written as partial and the mark stops at the current bucket, so the next run reads it
//! again.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use opretail::DEFAULT_MAX_DAYS_PER_CALL;

use crate::stream::Stream;

/// How many days back a store's first run starts, unless `--since` says.
pub const DEFAULT_SINCE_DAYS: u32 = 30;

/// How much before its mark each run re-reads a store, unless `--lookback` says: the
/// platform revises recent hours (face de-duplication, late uploads) for about a day.
pub const DEFAULT_LOOKBACK_DAYS: u32 = 2;

/// Reads a lookback: `2d` (days), `36h` (hours) or `0`.
///
/// ```
/// use chrono::TimeDelta;
/// use opretail_sync::parse_lookback;
///
/// assert_eq!(parse_lookback("2d"), Ok(TimeDelta::days(2)));
/// assert_eq!(parse_lookback("36h"), Ok(TimeDelta::hours(36)));
/// assert_eq!(parse_lookback("0"), Ok(TimeDelta::zero()));
/// assert!(parse_lookback("90m").is_err());
/// ```
pub fn parse_lookback(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(TimeDelta::zero());
    }
    let usage = || format!("{text:?} is not a lookback: give days (2d), hours (36h) or 0");
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let number: u32 = number.parse().map_err(|_| usage())?;
    // A year back is more than any revision; the cap keeps the arithmetic far from overflow.
    if number > 366 * 24 {
        return Err(format!("{text:?} is more than a year: give at most 366d"));
    }
    match unit {
        "d" => Ok(TimeDelta::days(i64::from(number))),
        "h" => Ok(TimeDelta::hours(i64::from(number))),
        _ => Err(usage()),
    }
}

/// The days of one call and the mark its answer completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// The first day asked for.
    pub(crate) first: NaiveDate,
    /// The last day asked for.
    pub(crate) last: NaiveDate,
    /// The mark once the window is written: the end of its complete buckets.
    pub(crate) complete_until: NaiveDateTime,
}

/// Where a bucket stands at the time of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BucketState {
    /// Over: its figures are final (until the platform revises them).
    Complete,
    /// Still running: written as partial, replaced by a later run.
    Partial,
    /// Not begun: never written.
    Future,
}

/// The gateway's time of a run, and the buckets running at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Now {
    at: NaiveDateTime,
}

impl Now {
    pub(crate) fn new(at: NaiveDateTime) -> Now {
        Now { at }
    }

    pub(crate) fn at(self) -> NaiveDateTime {
        self.at
    }

    fn today(self) -> NaiveDate {
        self.at.date()
    }

    /// The start of the bucket of `stream` running now.
    fn current_bucket(self, stream: Stream) -> NaiveDateTime {
        match stream {
            Stream::FlowHourly => self
                .at
                .with_minute(0)
                .and_then(|t| t.with_second(0))
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(self.at),
            _ => self.today().and_time(NaiveTime::MIN),
        }
    }

    /// Whether the bucket of `stream` starting at `start` is over, running or to come.
    pub(crate) fn state(self, stream: Stream, start: NaiveDateTime) -> BucketState {
        let current = self.current_bucket(stream);
        match start.cmp(&current) {
            std::cmp::Ordering::Less => BucketState::Complete,
            std::cmp::Ordering::Equal => BucketState::Partial,
            std::cmp::Ordering::Greater => BucketState::Future,
        }
    }
}

/// How many days one call of `stream` covers: the series methods take a month; the
/// demographics method sums its window, so a day is a call.
fn days_per_call(stream: Stream) -> u64 {
    match stream {
        Stream::DemographicsDaily => 1,
        _ => u64::from(DEFAULT_MAX_DAYS_PER_CALL.get()),
    }
}

/// The calls of an incremental `stream` for a store with `mark` (none on its first run), in
/// time order.
pub(crate) fn windows(
    stream: Stream,
    mark: Option<NaiveDateTime>,
    since: NaiveDate,
    lookback: TimeDelta,
    now: Now,
) -> Vec<Window> {
    let today = now.today();
    let start = match mark {
        Some(mark) => mark.checked_sub_signed(lookback).unwrap_or(mark),
        None => since.and_time(NaiveTime::MIN),
    };
    let mut first = start.date().min(today);
    let mut out = Vec::new();
    while first <= today {
        let last = first
            .checked_add_days(Days::new(days_per_call(stream) - 1))
            .map_or(today, |d| d.min(today));
        let complete_until = if last == today {
            now.current_bucket(stream)
        } else {
            next_midnight(last)
        };
        out.push(Window {
            first,
            last,
            complete_until,
        });
        match last.succ_opt() {
            Some(next) => first = next,
            None => break,
        }
    }
    out
}

fn next_midnight(day: NaiveDate) -> NaiveDateTime {
    day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_first_run_reads_from_since_to_now_and_stops_the_mark_at_the_running_hour() {
        let now = Now::new(at(28, 14, 25));
        let w = windows(Stream::FlowHourly, None, day(1), TimeDelta::days(2), now);
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].first, w[0].last), (day(1), day(28)));
        assert_eq!(w[0].complete_until, at(28, 14, 0));
        assert_eq!(
            now.state(Stream::FlowHourly, at(28, 13, 0)),
            BucketState::Complete
        );
        assert_eq!(
            now.state(Stream::FlowHourly, at(28, 14, 0)),
            BucketState::Partial
        );
        assert_eq!(
            now.state(Stream::FlowHourly, at(28, 15, 0)),
            BucketState::Future
        );
    }

    #[test]
    fn a_long_backfill_is_split_in_months_each_completing_its_days() {
        let now = Now::new(at(28, 14, 25));
        let since = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let w = windows(Stream::FlowDaily, None, since, TimeDelta::zero(), now);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].last, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(
            w[0].complete_until,
            NaiveDate::from_ymd_opt(2026, 10, 2)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        );
        assert_eq!(w[2].last, day(28));
        // Today is still running: the daily mark stops at its midnight.
        assert_eq!(w[2].complete_until, at(28, 0, 0));
        assert_eq!(
            Now::new(at(28, 14, 25)).state(Stream::FlowDaily, at(28, 0, 0)),
            BucketState::Partial
        );
    }

    #[test]
    fn a_later_run_rereads_the_lookback_and_no_complete_day_without_it() {
        let now = Now::new(at(28, 14, 25));
        let w = windows(
            Stream::FlowHourly,
            Some(at(28, 9, 0)),
            day(1),
            TimeDelta::days(2),
            now,
        );
        assert_eq!((w[0].first, w[0].last), (day(26), day(28)));
        let w = windows(
            Stream::FlowHourly,
            Some(at(28, 14, 0)),
            day(1),
            TimeDelta::zero(),
            now,
        );
        assert_eq!((w[0].first, w[0].last), (day(28), day(28)));
        let w = windows(
            Stream::FlowDaily,
            Some(at(28, 0, 0)),
            day(1),
            TimeDelta::zero(),
            now,
        );
        assert_eq!((w[0].first, w[0].last), (day(28), day(28)));
    }

    #[test]
    fn demographics_are_one_day_a_call() {
        let now = Now::new(at(28, 14, 25));
        let w = windows(
            Stream::DemographicsDaily,
            None,
            day(26),
            TimeDelta::zero(),
            now,
        );
        let days: Vec<_> = w
            .iter()
            .map(|w| (w.first, w.last, w.complete_until))
            .collect();
        assert_eq!(
            days,
            [
                (day(26), day(26), at(27, 0, 0)),
                (day(27), day(27), at(28, 0, 0)),
                (day(28), day(28), at(28, 0, 0)),
            ]
        );
    }

    #[test]
    fn lookbacks_are_days_hours_or_zero() {
        assert_eq!(parse_lookback(" 1d "), Ok(TimeDelta::days(1)));
        for bad in ["", "d", "-1d", "2 days", "1.5d", "9000d"] {
            assert!(parse_lookback(bad).is_err(), "{bad}");
        }
    }
}
