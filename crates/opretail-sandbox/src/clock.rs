//! The gateway's clock and calendar: a fixed offset from UTC (UTC+08:00) and `_timestamp`
//! as `yyyyMMddHHmmss` at that offset.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Timelike, Utc};

/// The gateway's offset from UTC, in seconds: UTC+08:00.
pub(crate) const GATEWAY_OFFSET_SECS: i32 = 8 * 3_600;

/// The largest clock skew the sandbox applies either way; more is clamped. A hundred years
/// keeps every shifted clock far inside chrono's range.
const MAX_SKEW_SECS: i64 = 100 * 366 * 86_400;

/// The gateway's offset from UTC as a chrono offset.
pub(crate) fn gateway_offset() -> FixedOffset {
    FixedOffset::east_opt(GATEWAY_OFFSET_SECS).expect("UTC+08:00 is less than a day from UTC")
}

/// The sandbox's clock: the system's, shifted by the configured skew, read at the gateway's
/// offset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    offset: FixedOffset,
    skew: TimeDelta,
}

impl Clock {
    /// A clock `skew_secs` ahead of the system's (behind when negative), clamped to a
    /// hundred years either way.
    pub(crate) fn new(skew_secs: i64) -> Self {
        let skew = TimeDelta::try_seconds(skew_secs.clamp(-MAX_SKEW_SECS, MAX_SKEW_SECS))
            .expect("a skew clamped to a hundred years fits a TimeDelta");
        Clock {
            offset: gateway_offset(),
            skew,
        }
    }

    /// The gateway's time now.
    pub(crate) fn now(&self) -> DateTime<FixedOffset> {
        (Utc::now() + self.skew).with_timezone(&self.offset)
    }
}

/// Reads a `_timestamp`: exactly 14 ASCII digits of a real date and time (no leap second),
/// at `offset`. `None` for anything else.
pub(crate) fn parse_timestamp(text: &str, offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    // chrono alone also takes a leading space or a 13-digit text.
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    if local.nanosecond() >= 1_000_000_000 {
        return None;
    }
    local.and_local_timezone(offset).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_fourteen_digits_of_a_real_time() {
        let offset = gateway_offset();
        let parsed = parse_timestamp("20261128101500", offset).unwrap();
        assert_eq!(parsed.timestamp(), 1_795_832_100);
        assert_eq!(parsed.format("%Y%m%d%H%M%S").to_string(), "20261128101500");
        for bad in [
            "",
            "2026112810150",
            " 2026112810150",
            "+2026112810150",
            "202611281015000",
            "2026112810150a",
            "20260230101500",
            "20261128241500",
            "20261128101560",
            "２０２６１１２８１０１５",
        ] {
            assert_eq!(parse_timestamp(bad, offset), None, "{bad:?}");
        }
    }

    #[test]
    fn skew_shifts_the_clock_and_is_clamped() {
        let ahead = Clock::new(3_600).now();
        let now = Clock::new(0).now();
        let drift = (ahead - now).num_seconds();
        assert!((3_590..=3_610).contains(&drift), "{drift}");
        assert_eq!(now.offset().local_minus_utc(), GATEWAY_OFFSET_SECS);
        // Absurd skews must not overflow the clock.
        let _ = Clock::new(i64::MAX).now();
        let _ = Clock::new(i64::MIN).now();
    }
}
