//! The sales uploaded to the sandbox, per store and period, and the refusal of a repeat.
//! (What the upload methods share in reading a call is in [`upload`](crate::upload).)
//!
//! A store's figures for one day (`reportSales`) or one hour (`reportSalesHourly`) are
//! kept once; a second upload for the same store and period is refused
//! ([`SALES_ALREADY_REPORTED`](crate::rejection::SALES_ALREADY_REPORTED)) unless it
//! replaces (`isCover=1`, hourly only). `getTotalData` reads a store's day from here when
//! there is an upload for it. At most [`MAX_SALES_PERIODS`] periods are kept; beyond that
//! a new period is refused, so memory stays bounded whatever clients send.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use opretail_model::Sales;

use crate::rejection::{Rejection, SALES_ALREADY_REPORTED, SALES_LEDGER_FULL, business_error};

/// The most store periods (days and hours together) the sandbox keeps.
pub const MAX_SALES_PERIODS: usize = 100_000;

/// What one period of a store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Figures {
    pub(crate) deals: u64,
    pub(crate) sales_fen: u64,
    pub(crate) buyers: u64,
}

impl Figures {
    fn add(self, other: Figures) -> Figures {
        Figures {
            deals: self.deals.saturating_add(other.deals),
            sales_fen: self.sales_fen.saturating_add(other.sales_fen),
            buyers: self.buyers.saturating_add(other.buyers),
        }
    }
}

impl From<Sales> for Figures {
    fn from(sales: Sales) -> Figures {
        Figures {
            deals: sales.deals,
            sales_fen: sales.total.fen(),
            buyers: sales.buyers,
        }
    }
}

/// A period of a store: a day or an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    Day(NaiveDate),
    Hour(NaiveDateTime),
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Day(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            Period::Hour(hour) => write!(f, "{}", hour.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

#[derive(Debug, Default)]
struct Books {
    days: BTreeMap<(i64, NaiveDate), Figures>,
    hours: BTreeMap<(i64, NaiveDateTime), Figures>,
}

/// The uploaded sales of every store.
#[derive(Debug, Default)]
pub(crate) struct SalesLedger {
    books: Mutex<Books>,
    /// Whether anything was ever uploaded: `getTotalData`, the call every batch makes, does
    /// not take the lock until then.
    used: AtomicBool,
}

impl SalesLedger {
    /// Keeps `figures` for store `dep_id` and `period`; refuses a repeat unless `replace`,
    /// and a new period once the ledger is full. Whether it replaced figures.
    pub(crate) fn record(
        &self,
        dep_id: i64,
        period: Period,
        figures: Figures,
        replace: bool,
    ) -> Result<bool, Rejection> {
        let mut books = self.books.lock().unwrap_or_else(|e| e.into_inner());
        let books = &mut *books;
        let full = books.days.len() + books.hours.len() >= MAX_SALES_PERIODS;
        let slot = match period {
            Period::Day(day) => books.days.get_mut(&(dep_id, day)),
            Period::Hour(hour) => books.hours.get_mut(&(dep_id, hour)),
        };
        if let Some(kept) = slot {
            if !replace {
                return Err(business_error(
                    SALES_ALREADY_REPORTED,
                    format!(
                        "sales of S_{dep_id} for {period} were reported already; send isCover=1 \
                         to replace them"
                    ),
                ));
            }
            *kept = figures;
            return Ok(true);
        }
        if full {
            return Err(business_error(
                SALES_LEDGER_FULL,
                format!(
                    "the sandbox keeps at most {MAX_SALES_PERIODS} uploaded periods; start a new \
                     sandbox"
                ),
            ));
        }
        match period {
            Period::Day(day) => books.days.insert((dep_id, day), figures),
            Period::Hour(hour) => books.hours.insert((dep_id, hour), figures),
        };
        self.used.store(true, Ordering::Release);
        Ok(false)
    }

    /// The figures of store `dep_id` on `date`: its daily upload, or else the sum of its
    /// hourly uploads of that day; `None` when there is neither.
    pub(crate) fn day(&self, dep_id: i64, date: NaiveDate) -> Option<Figures> {
        if !self.used.load(Ordering::Acquire) {
            return None;
        }
        let books = self.books.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(figures) = books.days.get(&(dep_id, date)) {
            return Some(*figures);
        }
        let start = date.and_time(NaiveTime::MIN);
        let end = start.checked_add_signed(TimeDelta::days(1))?;
        books
            .hours
            .range((dep_id, start)..(dep_id, end))
            .map(|(_, figures)| *figures)
            .reduce(Figures::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn sold(fen: u64) -> Figures {
        Figures {
            deals: 1,
            sales_fen: fen,
            buyers: 1,
        }
    }

    #[test]
    fn a_repeat_is_refused_unless_it_replaces() {
        let ledger = SalesLedger::default();
        let hour = Period::Hour(day(28).and_hms_opt(10, 0, 0).unwrap());
        assert_eq!(ledger.record(1001, hour, sold(100), false), Ok(false));
        let refused = ledger.record(1001, hour, sold(200), false).unwrap_err();
        assert_eq!(refused.code.code(), SALES_ALREADY_REPORTED);
        assert!(refused.message.contains("isCover=1"), "{}", refused.message);
        assert_eq!(ledger.record(1001, hour, sold(300), true), Ok(true));
        assert_eq!(ledger.day(1001, day(28)).unwrap().sales_fen, 300);
        // Another store, another hour, another day: each its own period.
        assert!(ledger.record(1002, hour, sold(1), false).is_ok());
        let later = Period::Hour(day(28).and_hms_opt(11, 0, 0).unwrap());
        assert!(ledger.record(1001, later, sold(50), false).is_ok());
        assert_eq!(ledger.day(1001, day(28)).unwrap().sales_fen, 350);
        assert_eq!(ledger.day(1001, day(29)), None);
        // A daily upload is the day's figure, whatever the hours say.
        assert!(
            ledger
                .record(1001, Period::Day(day(28)), sold(7), false)
                .is_ok()
        );
        assert_eq!(ledger.day(1001, day(28)).unwrap().sales_fen, 7);
        assert!(
            ledger
                .record(1001, Period::Day(day(28)), sold(7), false)
                .is_err()
        );
    }

    #[test]
    fn the_ledger_is_bounded() {
        let ledger = SalesLedger::default();
        let start = day(1).and_hms_opt(0, 0, 0).unwrap();
        for n in 0..MAX_SALES_PERIODS {
            let hour = start + TimeDelta::hours(n as i64);
            ledger
                .record(1, Period::Hour(hour), sold(1), false)
                .unwrap();
        }
        let next = start + TimeDelta::hours(MAX_SALES_PERIODS as i64);
        let refused = ledger
            .record(1, Period::Hour(next), sold(1), false)
            .unwrap_err();
        assert_eq!(refused.code.code(), SALES_LEDGER_FULL);
        // Replacing a kept period still works when full.
        assert_eq!(
            ledger.record(1, Period::Hour(start), sold(2), true),
            Ok(true)
        );
    }
}
