//! `_timestamp` values: `yyyyMMddHHmmss` in the gateway's local time.
//!
//! The clock is never read here: the instant is always a parameter. Civil-date arithmetic is
//! the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`), which is all the
//! gateway's format needs and saves a date-time dependency.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A fixed offset from UTC, in whole seconds east of Greenwich.
///
/// ```
/// use opretail_sign::UtcOffset;
///
/// let cst: UtcOffset = "+08:00".parse().unwrap();
/// assert_eq!(cst, UtcOffset::GATEWAY);
/// assert_eq!(UtcOffset::from_hm(-3, -30).unwrap().to_string(), "-03:30");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UtcOffset {
    seconds: i32,
}

/// The gateway's time zone: China Standard Time, UTC+08:00 (an inference, see the spec).
pub const GATEWAY_OFFSET: UtcOffset = UtcOffset::GATEWAY;

const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset { seconds: 0 };
    /// UTC+08:00, the gateway's time zone and the SDK's default.
    pub const GATEWAY: UtcOffset = UtcOffset { seconds: 8 * 3600 };

    /// An offset of whole seconds east of UTC, at most 18 hours either way.
    pub const fn from_seconds(seconds: i32) -> Result<Self, UtcOffsetError> {
        if seconds > MAX_OFFSET_SECONDS || seconds < -MAX_OFFSET_SECONDS {
            Err(UtcOffsetError::OutOfRange)
        } else {
            Ok(UtcOffset { seconds })
        }
    }

    /// An offset of hours and minutes; both carry the sign (`-3, -30` is `-03:30`).
    pub const fn from_hm(hours: i8, minutes: i8) -> Result<Self, UtcOffsetError> {
        if minutes <= -60
            || minutes >= 60
            || (hours > 0 && minutes < 0)
            || (hours < 0 && minutes > 0)
        {
            return Err(UtcOffsetError::Malformed);
        }
        Self::from_seconds(hours as i32 * 3600 + minutes as i32 * 60)
    }

    /// Seconds east of UTC.
    pub const fn seconds(self) -> i32 {
        self.seconds
    }
}

impl Default for UtcOffset {
    fn default() -> Self {
        UtcOffset::GATEWAY
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let abs = self.seconds.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)?;
        if abs % 60 != 0 {
            write!(f, ":{:02}", abs % 60)?;
        }
        Ok(())
    }
}

/// Why a UTC offset was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UtcOffsetError {
    /// More than 18 hours from UTC.
    OutOfRange,
    /// Not of the form `+HH:MM`, `-HH:MM`, `+HH` or `Z`.
    Malformed,
}

impl fmt::Display for UtcOffsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UtcOffsetError::OutOfRange => f.write_str("UTC offset is more than 18 hours from UTC"),
            UtcOffsetError::Malformed => {
                f.write_str("UTC offset must look like `+08:00`, `-03:30`, `+8` or `Z`")
            }
        }
    }
}

impl std::error::Error for UtcOffsetError {}

impl FromStr for UtcOffset {
    type Err = UtcOffsetError;

    /// Parses `Z`, `+HH`, `+HH:MM` or `+HHMM` (or with `-`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
            return Ok(UtcOffset::UTC);
        }
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'+') => (false, &s[1..]),
            Some(b'-') => (true, &s[1..]),
            _ => return Err(UtcOffsetError::Malformed),
        };
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) => (h, m),
            None if rest.len() == 4 => rest.split_at(2),
            None => (rest, "0"),
        };
        let parse = |t: &str| -> Result<i32, UtcOffsetError> {
            if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(UtcOffsetError::Malformed);
            }
            t.parse().map_err(|_| UtcOffsetError::Malformed)
        };
        let (h, m) = (parse(h)?, parse(m)?);
        if m >= 60 {
            return Err(UtcOffsetError::Malformed);
        }
        let seconds = (h * 3600 + m * 60) * if negative { -1 } else { 1 };
        UtcOffset::from_seconds(seconds)
    }
}

/// A gateway timestamp: `yyyyMMddHHmmss`, 14 ASCII digits, in the gateway's local time.
///
/// ```
/// use opretail_sign::{Timestamp, UtcOffset};
///
/// // 2026-11-28T02:15:00Z is 10:15 in China.
/// let ts = Timestamp::from_unix(1_795_832_100, UtcOffset::GATEWAY).unwrap();
/// assert_eq!(ts.as_str(), "20261128101500");
/// assert_eq!(Timestamp::parse("20261128101500", UtcOffset::GATEWAY).unwrap().unix(), 1_795_832_100);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    digits: [u8; 14],
    unix: i64,
}

/// Why a timestamp could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// The instant falls outside the years 0000 to 9999, which the format cannot hold.
    OutOfRange,
    /// Not 14 ASCII digits.
    NotFourteenDigits,
    /// 14 digits, but not a real date and time (month 13, 30 February, hour 24…).
    NoSuchTime,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampError::OutOfRange => "the instant is outside the years 0000-9999",
            TimestampError::NotFourteenDigits => "a timestamp is 14 digits, yyyyMMddHHmmss",
            TimestampError::NoSuchTime => {
                "the digits are not a real date and time (yyyyMMddHHmmss)"
            }
        })
    }
}

impl std::error::Error for TimestampError {}

// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Timestamp {
    /// The timestamp of an instant given in seconds since the Unix epoch, at an offset.
    pub fn from_unix(unix: i64, offset: UtcOffset) -> Result<Self, TimestampError> {
        let local = unix
            .checked_add(i64::from(offset.seconds()))
            .ok_or(TimestampError::OutOfRange)?;
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (y, mo, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return Err(TimestampError::OutOfRange);
        }
        let mut digits = [b'0'; 14];
        let mut put = |at: usize, width: usize, mut v: i64| {
            for i in (at..at + width).rev() {
                digits[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, y);
        put(4, 2, mo);
        put(6, 2, d);
        put(8, 2, secs / 3600);
        put(10, 2, secs % 3600 / 60);
        put(12, 2, secs % 60);
        Ok(Timestamp { digits, unix })
    }

    /// The timestamp of a [`SystemTime`] (sub-second parts are dropped), at an offset.
    pub fn from_system_time(time: SystemTime, offset: UtcOffset) -> Result<Self, TimestampError> {
        let unix = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).map_err(|_| TimestampError::OutOfRange)?,
            Err(before) => {
                let d = before.duration();
                let whole = i64::try_from(d.as_secs()).map_err(|_| TimestampError::OutOfRange)?;
                // Round towards the past, as for instants after the epoch.
                -whole - i64::from(d.subsec_nanos() > 0)
            }
        };
        Self::from_unix(unix, offset)
    }

    /// Reads a `yyyyMMddHHmmss` timestamp given in local time at `offset`.
    pub fn parse(text: &str, offset: UtcOffset) -> Result<Self, TimestampError> {
        let bytes = text.as_bytes();
        if bytes.len() != 14 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(TimestampError::NotFourteenDigits);
        }
        let num = |at: usize, width: usize| {
            bytes[at..at + width]
                .iter()
                .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'))
        };
        let (y, mo, d) = (num(0, 4), num(4, 2), num(6, 2));
        let (h, mi, s) = (num(8, 2), num(10, 2), num(12, 2));
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 59
        {
            return Err(TimestampError::NoSuchTime);
        }
        let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
        let mut digits = [0u8; 14];
        digits.copy_from_slice(bytes);
        Ok(Timestamp {
            digits,
            unix: local - i64::from(offset.seconds()),
        })
    }

    /// The 14 digits, as sent in `_timestamp`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.digits).unwrap_or_default()
    }

    /// The instant, in seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.unix
    }

    /// The instant as a [`SystemTime`].
    pub fn to_system_time(&self) -> SystemTime {
        let magnitude = Duration::from_secs(self.unix.unsigned_abs());
        if self.unix >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.as_str())
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_many_years() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn leap_day_and_rejections() {
        let o = UtcOffset::UTC;
        assert!(Timestamp::parse("20240229120000", o).is_ok());
        assert_eq!(
            Timestamp::parse("20230229120000", o),
            Err(TimestampError::NoSuchTime)
        );
        assert_eq!(
            Timestamp::parse("20231301000000", o),
            Err(TimestampError::NoSuchTime)
        );
        assert_eq!(
            Timestamp::parse("20231201240000", o),
            Err(TimestampError::NoSuchTime)
        );
        assert_eq!(
            Timestamp::parse("2023120100000", o),
            Err(TimestampError::NotFourteenDigits)
        );
        assert_eq!(
            Timestamp::parse("2023-12-01 000", o),
            Err(TimestampError::NotFourteenDigits)
        );
        assert_eq!(
            Timestamp::parse("２０２３１２０１０００００", o),
            Err(TimestampError::NotFourteenDigits)
        );
    }

    #[test]
    fn offsets_shift_the_wall_clock() {
        let t = 0; // 1970-01-01T00:00:00Z
        assert_eq!(
            Timestamp::from_unix(t, UtcOffset::UTC).unwrap().as_str(),
            "19700101000000"
        );
        assert_eq!(
            Timestamp::from_unix(t, UtcOffset::GATEWAY)
                .unwrap()
                .as_str(),
            "19700101080000"
        );
        let west = UtcOffset::from_hm(-5, 0).unwrap();
        assert_eq!(
            Timestamp::from_unix(t, west).unwrap().as_str(),
            "19691231190000"
        );
    }

    #[test]
    fn out_of_range_instants_are_errors_not_panics() {
        assert_eq!(
            Timestamp::from_unix(i64::MAX, UtcOffset::GATEWAY),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            Timestamp::from_unix(i64::MIN, UtcOffset::GATEWAY),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            Timestamp::from_unix(253_402_300_800, UtcOffset::UTC),
            Err(TimestampError::OutOfRange)
        );
        assert!(Timestamp::from_unix(253_402_300_799, UtcOffset::UTC).is_ok());
    }

    #[test]
    fn system_time_before_epoch_rounds_down() {
        let t = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(
            Timestamp::from_system_time(t, UtcOffset::UTC)
                .unwrap()
                .unix(),
            -1
        );
    }

    #[test]
    fn offset_parsing() {
        assert_eq!("+08:00".parse(), Ok(UtcOffset::GATEWAY));
        assert_eq!("+0800".parse(), Ok(UtcOffset::GATEWAY));
        assert_eq!("+8".parse(), Ok(UtcOffset::GATEWAY));
        assert_eq!("Z".parse(), Ok(UtcOffset::UTC));
        assert_eq!("-03:30".parse::<UtcOffset>().unwrap().seconds(), -12_600);
        assert_eq!(
            "+19:00".parse::<UtcOffset>(),
            Err(UtcOffsetError::OutOfRange)
        );
        assert_eq!("08:00".parse::<UtcOffset>(), Err(UtcOffsetError::Malformed));
        assert_eq!(
            "+08:60".parse::<UtcOffset>(),
            Err(UtcOffsetError::Malformed)
        );
        assert_eq!(UtcOffset::GATEWAY.to_string(), "+08:00");
    }
}
