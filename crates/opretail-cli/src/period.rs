//! The period of `passenger-flow series` and `demographics`: `--from`, `--to` and `--hours`,
//! parsed once into the parts of days that the gateway is asked about.
//!
//! `--from 2026-11-01T10:00 --to 2026-11-03T18:00` is one continuous span: 10:00 on the 1st
//! through 18:00 on the 3rd (the hour from 18:00 not included). The gateway takes whole days
//! and one hour filter for every day, so such a span is three parts: the 1st from 10:00, the
//! 2nd whole, the 3rd until 18:00. `--hours 10-18` is the other thing: the same hours on
//! every day of the period.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use opretail_model::{DateRange, HourRange};

use crate::failure::Failure;

/// `--from`, `--to` and `--hours`, as clap parses them.
#[derive(Debug, clap::Args)]
pub struct PeriodArgs {
    /// First day (`2026-11-01`) or start time on the hour (`2026-11-01T08:00`), inclusive.
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    pub from: When,

    /// Last day (`2026-11-07`, the whole day) or end time on the hour (`2026-11-07T18:00`: up
    /// to 18:00, the hour from 18:00 not included).
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    pub to: When,

    /// Only these hours of every day of the period, such as business hours (`10-18`: from
    /// 10:00 up to 18:00).
    #[arg(long, value_name = "FROM-TO", value_parser = parse_hours)]
    pub hours: Option<HourRange>,
}

/// A date, or a date and a time on the hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A whole day.
    Day(NaiveDate),
    /// A point in time, on the hour.
    At(NaiveDateTime),
}

impl When {
    /// The day it falls on.
    pub fn date(self) -> NaiveDate {
        match self {
            When::Day(day) => day,
            When::At(at) => at.date(),
        }
    }
}

/// One part of the period: days, and the hours of each of them (`None`: the whole day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The days.
    pub days: DateRange,
    /// The hours of each day, when not all of them.
    pub hours: Option<HourRange>,
}

/// The period, as parts in time order: one part, or up to three when a time cuts the first
/// or the last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// The parts, earliest first.
    pub parts: Vec<Part>,
}

impl Period {
    /// The days from the first to the last of the period.
    pub fn days(&self) -> u64 {
        let first = self.parts.first().map(|p| p.days.first());
        let last = self.parts.last().map(|p| p.days.last());
        match (first, last) {
            (Some(first), Some(last)) => (last - first).num_days().unsigned_abs() + 1,
            _ => 0,
        }
    }
}

impl PeriodArgs {
    /// The parts of the period; a usage error says which flag is wrong and how.
    pub fn period(&self) -> Result<Period, Failure> {
        let start = match self.from {
            When::Day(day) => day.and_time(NaiveTime::MIN),
            When::At(at) => at,
        };
        let end = match self.to {
            When::Day(day) => day.and_time(NaiveTime::MIN) + TimeDelta::days(1),
            When::At(at) => at,
        };
        let last_hour = end - TimeDelta::hours(1);
        // Checked on days first, for the message users know.
        DateRange::new(self.from.date(), self.to.date())
            .map_err(|e| Failure::usage(format!("--from/--to: {e}")))?;
        if end <= start {
            return Err(Failure::usage(format!(
                "--from/--to: the end {} is not after the start {}: nothing to ask for",
                end.format("%Y-%m-%dT%H:%M"),
                start.format("%Y-%m-%dT%H:%M")
            )));
        }
        let (first, last) = (start.date(), last_hour.date());
        let (first_hour, end_hour) = (start.hour() as u8, last_hour.hour() as u8 + 1);
        let mut spans: Vec<(NaiveDate, NaiveDate, u8, u8)> = Vec::new();
        if first == last {
            spans.push((first, last, first_hour, end_hour));
        } else {
            spans.push((first, first, first_hour, 24));
            if let Some(second) = first.succ_opt().filter(|d| *d < last) {
                let before_last = last.pred_opt().expect("the last day is after the first");
                spans.push((second, before_last, 0, 24));
            }
            spans.push((last, last, 0, end_hour));
        }
        // Whole days next to each other are one part.
        let mut merged: Vec<(NaiveDate, NaiveDate, u8, u8)> = Vec::new();
        for span in spans {
            match merged.last_mut() {
                Some(prev) if (prev.2, prev.3, span.2, span.3) == (0, 24, 0, 24) => prev.1 = span.1,
                _ => merged.push(span),
            }
        }
        let mut parts = Vec::new();
        for (first, last, from, to) in merged {
            let (from, to) = match self.hours {
                Some(h) => (from.max(h.start()), to.min(h.end())),
                None => (from, to),
            };
            if from >= to {
                continue;
            }
            let days = DateRange::new(first, last)
                .map_err(|e| Failure::usage(format!("--from/--to: {e}")))?;
            let hours = if (from, to) == (0, 24) {
                None
            } else {
                Some(HourRange::new(from, to).map_err(|e| Failure::usage(e.to_string()))?)
            };
            parts.push(Part { days, hours });
        }
        if parts.is_empty() {
            return Err(Failure::usage(
                "--hours leaves no hour of the period from --from to --to: nothing to ask for",
            ));
        }
        Ok(Period { parts })
    }
}

fn parse_when(text: &str) -> Result<When, String> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(When::Day(day));
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            if at.minute() != 0 || at.second() != 0 {
                return Err(format!(
                    "{text:?} is not on the hour: the gateway counts whole hours, so give \
                     {}:00 or {}:00",
                    at.format("%Y-%m-%dT%H"),
                    (at + TimeDelta::hours(1)).format("%Y-%m-%dT%H")
                ));
            }
            return Ok(When::At(at));
        }
    }
    Err(format!(
        "{text:?} is not a date (2026-11-01) or a date and time (2026-11-01T08:00)"
    ))
}

/// `10-18`: from 10:00 up to 18:00 (`0-24` is the whole day).
fn parse_hours(text: &str) -> Result<HourRange, String> {
    let wrong = || format!("{text:?} is not hours FROM-TO, such as 10-18 (0 to 24)");
    let (from, to) = text.trim().split_once('-').ok_or_else(wrong)?;
    let from: u8 = from.trim().parse().map_err(|_| wrong())?;
    let to: u8 = to.trim().parse().map_err(|_| wrong())?;
    if from >= to {
        return Err(format!(
            "{text:?}: the first hour must come before the last (such as 10-18)"
        ));
    }
    HourRange::new(from, to).map_err(|e| format!("{text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(from: &str, to: &str, hours: Option<&str>) -> Result<Vec<String>, Failure> {
        let args = PeriodArgs {
            from: parse_when(from).unwrap(),
            to: parse_when(to).unwrap(),
            hours: hours.map(|h| parse_hours(h).unwrap()),
        };
        Ok(args
            .period()?
            .parts
            .iter()
            .map(|p| match p.hours {
                Some(h) => format!("{} {}-{}", p.days, h.start(), h.end()),
                None => p.days.to_string(),
            })
            .collect())
    }

    #[test]
    fn times_make_one_continuous_span() {
        let parts = period("2026-11-01T10:00", "2026-11-03T18:00", None).unwrap();
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[0].ends_with(" 10-24"), "{parts:?}");
        assert_eq!(
            parts[1], "2026-11-02..=2026-11-02",
            "the middle day whole: {parts:?}"
        );
        assert!(parts[2].ends_with(" 0-18"), "{parts:?}");
        let whole = period("2026-11-01", "2026-11-07", None).unwrap();
        assert_eq!(whole.len(), 1);
        let same_day = period("2026-11-01T08:00", "2026-11-01T10:00", None).unwrap();
        assert_eq!(same_day.len(), 1);
        assert!(same_day[0].ends_with(" 8-10"), "{same_day:?}");
        // A start at midnight and an end at midnight are whole days.
        let midnight = period("2026-11-01T00:00", "2026-11-03T00:00", None).unwrap();
        assert_eq!(midnight.len(), 1, "{midnight:?}");
    }

    #[test]
    fn hours_filter_every_day_and_cut_the_span() {
        let parts = period("2026-11-01", "2026-11-07", Some("10-18")).unwrap();
        assert_eq!(parts.len(), 1);
        assert!(parts[0].ends_with(" 10-18"), "{parts:?}");
        let cut = period("2026-11-01T12:00", "2026-11-02T23:00", Some("10-18")).unwrap();
        assert_eq!(cut.len(), 2);
        assert!(
            cut[0].ends_with(" 12-18") && cut[1].ends_with(" 10-18"),
            "{cut:?}"
        );
        assert!(period("2026-11-01T19:00", "2026-11-01T22:00", Some("10-18")).is_err());
    }

    #[test]
    fn minutes_other_than_zero_are_refused() {
        let message = parse_when("2026-11-01T10:30").unwrap_err();
        assert!(message.contains("not on the hour"), "{message}");
        assert!(message.contains("2026-11-01T10:00"), "{message}");
        assert!(parse_when("2026-11-01T10:00:05").is_err());
        assert!(parse_when("2026-11-01 10:00:00").is_ok());
    }

    #[test]
    fn hours_are_checked() {
        assert!(parse_hours("18-10").is_err());
        assert!(parse_hours("0-25").is_err());
        assert!(parse_hours("ten-18").is_err());
        assert_eq!(parse_hours("0-24").unwrap(), HourRange::ALL_DAY);
    }
}
