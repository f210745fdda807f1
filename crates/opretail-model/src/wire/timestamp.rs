//! `_timestamp`: `yyyyMMddHHmmss` in the gateway's time zone. The clock is never read here:
//! the instant is always a parameter.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// The wire format of `_timestamp`.
pub const TIMESTAMP_FORMAT: &str = "%Y%m%d%H%M%S";

/// The gateway's time zone: China Standard Time, UTC+08:00, no daylight saving time (an
/// inference from the vendor's samples; see [`Config::utc_offset`](crate::Config::utc_offset)).
pub fn gateway_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+08:00 is a valid offset")
}

/// A `_timestamp`: a whole second, shown at a fixed UTC offset as `yyyyMMddHHmmss`.
///
/// ```
/// use opretail_model::engine::{Timestamp, gateway_offset};
///
/// let ts = Timestamp::from_unix(1_795_832_100, gateway_offset()).unwrap();
/// assert_eq!(ts.to_string(), "20261128101500"); // 02:15 UTC is 10:15 at the gateway
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<FixedOffset>);

impl Timestamp {
    /// The second `unix` (seconds since 1970 UTC) at `offset`; `None` outside chrono's range.
    pub fn from_unix(unix: i64, offset: FixedOffset) -> Option<Self> {
        DateTime::from_timestamp(unix, 0).map(|t| Timestamp(t.with_timezone(&offset)))
    }

    /// The whole second of a wall-clock time at `offset`; `None` before 1970 or out of range.
    pub fn from_system_time(time: SystemTime, offset: FixedOffset) -> Option<Self> {
        let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
        Self::from_unix(i64::try_from(secs).ok()?, offset)
    }

    /// Seconds since 1970 UTC.
    pub fn unix(&self) -> i64 {
        self.0.timestamp()
    }

    /// The same second, `seconds` earlier.
    pub fn earlier(&self, seconds: i64) -> Option<Self> {
        Self::from_unix(self.unix().checked_sub(seconds)?, *self.0.offset())
    }

    /// The date and time at the offset it was made with.
    pub fn date_time(&self) -> DateTime<FixedOffset> {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0.naive_local();
        // `yyyyMMddHHmmss` is one 14-digit number: written as one, it costs a tenth of what
        // `format` does (which reads TIMESTAMP_FORMAT again at every call), in the form of
        // every request (`client/async-cpu`, see docs/benchmarks.md). A year beyond four
        // digits takes chrono's way, which signs it.
        if let Ok(year @ 0..=9999) = u64::try_from(t.year()) {
            let digits = ((((year * 100 + u64::from(t.month())) * 100 + u64::from(t.day())) * 100
                + u64::from(t.hour()))
                * 100
                + u64::from(t.minute()))
                * 100
                + u64::from(t.second());
            write!(f, "{digits:014}")
        } else {
            write!(f, "{}", self.0.format(TIMESTAMP_FORMAT))
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self} {})", self.0.offset())
    }
}

/// How long from `now` until a few milliseconds past the next whole second: the wait after
/// which a new `_timestamp` (and so a new signature) is certain.
pub(crate) fn until_next_second(now: SystemTime) -> Duration {
    let subsec = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Duration::from_nanos(u64::from(1_000_000_000 - subsec)) + Duration::from_millis(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_at_the_offset_it_was_given() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let ts = Timestamp::from_unix(1_795_832_100, utc).unwrap();
        assert_eq!(ts.to_string(), "20261128021500");
        assert_eq!(ts.earlier(61).unwrap().to_string(), "20261128021359");
        assert_eq!(ts.unix(), 1_795_832_100);
    }

    #[test]
    fn formats_like_the_wire_format_at_any_year() {
        let utc = FixedOffset::east_opt(0).unwrap();
        // 0001-01-01, 1970-01-01, 2000-02-29 23:59:59, 9999-12-31 23:59:59, 10000-01-01.
        for unix in [
            -62_135_596_800,
            0,
            951_868_799,
            253_402_300_799,
            253_402_300_800,
        ] {
            let ts = Timestamp::from_unix(unix, utc).unwrap();
            let chrono = ts.date_time().format(TIMESTAMP_FORMAT).to_string();
            assert_eq!(ts.to_string(), chrono, "{unix}");
        }
        let east = Timestamp::from_unix(951_868_799, gateway_offset()).unwrap();
        assert_eq!(east.to_string(), "20000301075959");
    }

    #[test]
    fn waits_until_just_past_the_next_second() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_832_100_700);
        assert_eq!(until_next_second(at), Duration::from_millis(305));
    }

    #[test]
    fn a_time_before_1970_has_no_timestamp() {
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert!(Timestamp::from_system_time(before, gateway_offset()).is_none());
    }
}
