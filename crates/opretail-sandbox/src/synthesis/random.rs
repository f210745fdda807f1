//! Seeds and random streams: each figure has a stream of its own, drawn from the id, the day
//! and a salt, so that a figure never depends on which other figures were asked for first.

use chrono::{DateTime, NaiveDate};

/// A stable 64-bit hash (FNV-1a): `std`'s hasher may change between releases.
pub(crate) fn seed(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The seed's day number: days since 1970-01-01, so that the data of a day never changes.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    (date - DateTime::UNIX_EPOCH.date_naive()).num_days()
}

/// The random stream of `id` on day number `day` for the figure named by `salt`.
pub(crate) fn rng_for(id: &str, day: i64, salt: &str) -> fastrand::Rng {
    fastrand::Rng::with_seed(seed(&[id.as_bytes(), &day.to_le_bytes(), salt.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_stable_and_days_count_from_1970() {
        assert_eq!(seed(&[b"S_1001"]), seed(&[b"S_1001"]));
        assert_ne!(seed(&[b"S_1", b"001"]), seed(&[b"S_1001"]));
        assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(
            rng_for("S_1", 3, "a").u64(..),
            rng_for("S_1", 3, "a").u64(..)
        );
    }
}
