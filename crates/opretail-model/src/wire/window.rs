//! Time windows of the passenger-flow methods, in the gateway's time zone.
//!
//! The platform reads times as `yyyy-MM-dd HH:mm:ss` on its own clock (UTC+08:00 by
//! default, [`Config::utc_offset`](crate::Config::utc_offset)). A window is built either from
//! naive values, taken as they are (the gateway's local time), or from zoned values, which
//! are converted to the gateway's offset first.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use crate::Error;

/// The wire format of the methods' time parameters.
pub const WINDOW_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Whole days, first and last included, at the gateway.
///
/// On the wire a range is sent as `yyyy-MM-dd 00:00:00` to `yyyy-MM-dd 23:59:59`: the
/// platform asks for whole days but documents only the date-time format; a date-only parser
/// on its side reads the date from this text too.
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::DateRange;
///
/// let days = DateRange::new(
///     NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
///     NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
/// )?;
/// assert_eq!(days.len_days(), 30);
/// assert_eq!(days.to_string(), "2026-11-01..=2026-11-30");
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl DateRange {
    /// The days from `first` to `last`, both included; `first` after `last` is an error.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<Self, Error> {
        if first > last {
            return Err(Error::invalid_input(
                "startTime",
                format!("the first day {first} is after the last day {last}; swap them"),
            ));
        }
        Ok(DateRange { first, last })
    }

    /// One day.
    pub fn day(day: NaiveDate) -> Self {
        DateRange {
            first: day,
            last: day,
        }
    }

    /// The gateway's days on which two instants fall, converted to the gateway's offset
    /// (`gateway`, normally [`Config::utc_offset`](crate::Config::utc_offset)).
    pub fn between<Tz: TimeZone>(
        start: &DateTime<Tz>,
        end: &DateTime<Tz>,
        gateway: FixedOffset,
    ) -> Result<Self, Error> {
        DateRange::new(
            start.with_timezone(&gateway).date_naive(),
            end.with_timezone(&gateway).date_naive(),
        )
    }

    /// The first day.
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// The last day (included).
    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// How many days the range holds (at least 1).
    pub fn len_days(&self) -> u64 {
        (self.last - self.first).num_days().unsigned_abs() + 1
    }

    /// `yyyy-MM-dd 00:00:00` of the first day.
    pub(crate) fn start_param(&self) -> String {
        self.first
            .and_time(NaiveTime::MIN)
            .format(WINDOW_FORMAT)
            .to_string()
    }

    /// `yyyy-MM-dd 23:59:59` of the last day.
    pub(crate) fn end_param(&self) -> String {
        format!("{} 23:59:59", self.last.format("%Y-%m-%d"))
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.first, self.last)
    }
}

/// A window of time at the gateway, to the second, start and end included.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use opretail_model::{TimeWindow, gateway_offset};
///
/// // Zoned values are converted to the gateway's offset: 02:00 UTC is 10:00 at UTC+8.
/// let window = TimeWindow::between(
///     &Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap(),
///     &Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap(),
///     gateway_offset(),
/// )?;
/// assert_eq!(window.to_string(), "2026-11-28 10:00:00..=2026-11-28 12:00:00");
///
/// // Whole days run from midnight to 23:59:59.
/// let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
/// assert_eq!(TimeWindow::from(day).to_string(), "2026-11-28 00:00:00..=2026-11-28 23:59:59");
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    start: NaiveDateTime,
    end: NaiveDateTime,
}

impl TimeWindow {
    /// A window in the gateway's local time, taken as given (fractions of a second are
    /// dropped on the wire); `start` after `end` is an error.
    pub fn new(start: NaiveDateTime, end: NaiveDateTime) -> Result<Self, Error> {
        if start > end {
            return Err(Error::invalid_input(
                "startTime",
                format!("the start {start} is after the end {end}; swap them"),
            ));
        }
        Ok(TimeWindow { start, end })
    }

    /// The window between two instants, converted to the gateway's offset (`gateway`,
    /// normally [`Config::utc_offset`](crate::Config::utc_offset)).
    pub fn between<Tz: TimeZone>(
        start: &DateTime<Tz>,
        end: &DateTime<Tz>,
        gateway: FixedOffset,
    ) -> Result<Self, Error> {
        TimeWindow::new(
            start.with_timezone(&gateway).naive_local(),
            end.with_timezone(&gateway).naive_local(),
        )
    }

    /// The start, at the gateway.
    pub fn start(&self) -> NaiveDateTime {
        self.start
    }

    /// The end (included), at the gateway.
    pub fn end(&self) -> NaiveDateTime {
        self.end
    }

    pub(crate) fn start_param(&self) -> String {
        self.start.format(WINDOW_FORMAT).to_string()
    }

    pub(crate) fn end_param(&self) -> String {
        self.end.format(WINDOW_FORMAT).to_string()
    }
}

impl From<DateRange> for TimeWindow {
    fn from(days: DateRange) -> Self {
        TimeWindow {
            start: days.first.and_time(NaiveTime::MIN),
            end: days
                .last
                .and_hms_opt(23, 59, 59)
                .expect("23:59:59 is a valid time"),
        }
    }
}

impl From<NaiveDate> for TimeWindow {
    fn from(day: NaiveDate) -> Self {
        DateRange::day(day).into()
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.start_param(), self.end_param())
    }
}

/// An hour filter: from `start` (0 to 23) to `end` (up to 24, so `0..=24` is the whole day).
///
/// ```
/// use opretail_model::HourRange;
///
/// let opening = HourRange::new(10, 22)?;
/// assert_eq!((opening.start(), opening.end()), (10, 22));
/// assert_eq!(HourRange::ALL_DAY.end(), 24);
/// assert!(HourRange::new(22, 10).is_err());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HourRange {
    start: u8,
    end: u8,
}

impl HourRange {
    /// The whole day, 0 to 24.
    pub const ALL_DAY: HourRange = HourRange { start: 0, end: 24 };

    /// Hours `start` to `end`: `start` at most 23, `end` at most 24 and not before `start`.
    pub fn new(start: u8, end: u8) -> Result<Self, Error> {
        if start > 23 {
            return Err(Error::invalid_input(
                "startHour",
                format!("{start} is not an hour of the day; use 0 to 23"),
            ));
        }
        if end > 24 || end < start {
            return Err(Error::invalid_input(
                "endHour",
                format!("{end} must be from the start hour {start} to 24"),
            ));
        }
        Ok(HourRange { start, end })
    }

    /// The first hour.
    pub fn start(&self) -> u8 {
        self.start
    }

    /// The last hour (24 for the end of the day).
    pub fn end(&self) -> u8 {
        self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_are_sent_from_midnight_to_the_last_second() {
        let days = DateRange::new(date(2026, 2, 27), date(2026, 3, 1)).unwrap();
        assert_eq!(days.len_days(), 3);
        assert_eq!(days.start_param(), "2026-02-27 00:00:00");
        assert_eq!(days.end_param(), "2026-03-01 23:59:59");
        assert!(DateRange::new(date(2026, 3, 2), date(2026, 3, 1)).is_err());
    }

    #[test]
    fn zoned_instants_land_on_the_gateways_day() {
        // 20:00 UTC on the 27th is 04:00 on the 28th at UTC+8.
        let start = Utc.with_ymd_and_hms(2026, 11, 27, 20, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 11, 28, 15, 59, 59).unwrap();
        let days = DateRange::between(&start, &end, crate::gateway_offset()).unwrap();
        assert_eq!(
            (days.first(), days.last()),
            (date(2026, 11, 28), date(2026, 11, 28))
        );
        let window = TimeWindow::between(&start, &end, crate::gateway_offset()).unwrap();
        assert_eq!(window.start_param(), "2026-11-28 04:00:00");
        assert_eq!(window.end_param(), "2026-11-28 23:59:59");
        assert!(TimeWindow::between(&end, &start, crate::gateway_offset()).is_err());
    }

    #[test]
    fn hours_allow_24_as_the_end_only() {
        assert!(HourRange::new(0, 24).is_ok());
        assert!(HourRange::new(5, 5).is_ok());
        assert!(HourRange::new(24, 24).is_err());
        assert!(HourRange::new(0, 25).is_err());
    }
}
