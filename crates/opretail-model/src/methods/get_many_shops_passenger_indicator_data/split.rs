//! Splitting a long series request into calls the platform accepts, and merging the answers.

use std::collections::HashMap;
use std::num::NonZeroU32;

use chrono::{Datelike, Days, NaiveDate};

use super::{GetManyShopsPassengerIndicatorData, Grain, ShopSeries, ShopSeriesList};
use crate::{DateRange, Error};

/// Days per call by default: 31, a month. The platform publishes no limit; this is a guess
/// that keeps hourly answers small (31 × 24 buckets per store).
pub const DEFAULT_MAX_DAYS_PER_CALL: NonZeroU32 = NonZeroU32::new(31).expect("31 is not zero");
/// Ids per call by default: 20. The platform publishes no limit; this is a guess.
pub const DEFAULT_MAX_IDS_PER_CALL: NonZeroU32 = NonZeroU32::new(20).expect("20 is not zero");
/// Calls per request by default: 500. A bound against a request that would take hours (ten
/// years of days for twenty stores is 119 calls).
pub const DEFAULT_MAX_SERIES_CALLS: NonZeroU32 = NonZeroU32::new(500).expect("500 is not zero");

/// Calls of a split request in flight at once by default, on the async client: 4. The
/// platform publishes no rate limit; this keeps one command from looking like a flood.
pub const DEFAULT_SERIES_IN_FLIGHT: NonZeroU32 = NonZeroU32::new(4).expect("4 is not zero");

/// How [`SeriesRequest`] splits a request: days and ids per call, the most calls it may
/// take, and how many of them a client sends at once. The platform publishes none of these
/// limits; the defaults are guesses, see [`DEFAULT_MAX_DAYS_PER_CALL`],
/// [`DEFAULT_MAX_IDS_PER_CALL`], [`DEFAULT_MAX_SERIES_CALLS`] and
/// [`DEFAULT_SERIES_IN_FLIGHT`].
///
/// ```
/// use std::num::NonZeroU32;
/// use opretail_model::SeriesLimits;
///
/// let limits = SeriesLimits::default().max_in_flight(NonZeroU32::new(8).unwrap());
/// assert_eq!(limits.in_flight(), 8);
/// assert_eq!(SeriesLimits::default().in_flight(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesLimits {
    max_days_per_call: NonZeroU32,
    max_ids_per_call: NonZeroU32,
    max_calls: NonZeroU32,
    max_in_flight: NonZeroU32,
}

impl Default for SeriesLimits {
    fn default() -> Self {
        SeriesLimits {
            max_days_per_call: DEFAULT_MAX_DAYS_PER_CALL,
            max_ids_per_call: DEFAULT_MAX_IDS_PER_CALL,
            max_calls: DEFAULT_MAX_SERIES_CALLS,
            max_in_flight: DEFAULT_SERIES_IN_FLIGHT,
        }
    }
}

impl SeriesLimits {
    /// The most days one call covers (a bucket of the grain is never cut, see
    /// [`SeriesRequest::calls`]).
    pub fn max_days_per_call(mut self, days: NonZeroU32) -> Self {
        self.max_days_per_call = days;
        self
    }

    /// The most ids one call names.
    pub fn max_ids_per_call(mut self, ids: NonZeroU32) -> Self {
        self.max_ids_per_call = ids;
        self
    }

    /// The most calls one request may be split into; more is an error.
    pub fn max_calls(mut self, calls: NonZeroU32) -> Self {
        self.max_calls = calls;
        self
    }

    /// The most calls of the request a client has in flight at once. The async client sends
    /// this many concurrently; the blocking client sends one after another whatever it is.
    pub fn max_in_flight(mut self, calls: NonZeroU32) -> Self {
        self.max_in_flight = calls;
        self
    }

    /// How many calls may be in flight at once.
    pub fn in_flight(&self) -> usize {
        self.max_in_flight.get() as usize
    }
}

/// A series request of any length, split into the calls the platform accepts; their answers
/// merge back with [`SeriesRequest::merge`]. No I/O: a client sends the calls.
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{
///     DateRange, EntityId, GetManyShopsPassengerIndicatorData, Grain, SeriesRequest, ShopSeriesList,
/// };
///
/// let ids: Vec<EntityId> = (1..=25).map(|n| EntityId::store(n).unwrap()).collect();
/// let days = DateRange::new(
///     NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
///     NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
/// )?;
/// let request = SeriesRequest::new(GetManyShopsPassengerIndicatorData::new(ids, days, Grain::Day)?);
/// let calls = request.calls()?;
/// assert_eq!(calls.len(), 2 * 3); // 20 + 5 ids, 31 + 28 + 31 days
/// assert_eq!(calls[1].days().first(), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
///
/// // A client sends each call and hands the answers back in the same order.
/// let answers: Vec<ShopSeriesList> = calls.iter().map(|_| ShopSeriesList::default()).collect();
/// assert!(request.merge(answers).is_empty());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRequest {
    whole: GetManyShopsPassengerIndicatorData,
    limits: SeriesLimits,
}

impl SeriesRequest {
    /// The request `whole`, to split with the default [`SeriesLimits`].
    pub fn new(whole: GetManyShopsPassengerIndicatorData) -> Self {
        SeriesRequest {
            whole,
            limits: SeriesLimits::default(),
        }
    }

    /// Other limits.
    pub fn limits(mut self, limits: SeriesLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How many of its calls a client may have in flight at once
    /// ([`SeriesLimits::max_in_flight`]).
    pub fn in_flight(&self) -> usize {
        self.limits.in_flight()
    }

    /// The calls to send, in order: the ids in chunks of
    /// [`max_ids_per_call`](SeriesLimits::max_ids_per_call), in the order given, and for
    /// each chunk the days in windows of at most
    /// [`max_days_per_call`](SeriesLimits::max_days_per_call), earliest first. Every call
    /// keeps the grain, hours and business-hours setting.
    ///
    /// Windows of weekly and coarser grains end on the grain's boundaries (weeks from
    /// Monday, calendar months, quarters and years), so that no bucket is cut in two; a
    /// single week, month, quarter or year is never split, even when it is longer than the
    /// limit. More calls than [`max_calls`](SeriesLimits::max_calls) is an error.
    pub fn calls(&self) -> Result<Vec<GetManyShopsPassengerIndicatorData>, Error> {
        let ids = self.whole.ids();
        let id_chunks = ids
            .len()
            .div_ceil(self.limits.max_ids_per_call.get() as usize);
        let max_calls = self.limits.max_calls.get() as usize;
        let max_windows = max_calls / id_chunks.max(1);
        let windows = split_days(
            self.whole.days(),
            self.whole.grain(),
            self.limits.max_days_per_call.get(),
            max_windows,
        )
        .ok_or_else(|| {
            Error::invalid_input(
                "startTime",
                format!(
                    "{} ids over {} days at {} grain need more than {max_calls} calls \
                     (at most {} ids and {} days per call); ask for fewer days or ids, or \
                     raise SeriesLimits::max_calls",
                    ids.len(),
                    self.whole.days().len_days(),
                    self.whole.grain(),
                    self.limits.max_ids_per_call,
                    self.limits.max_days_per_call,
                ),
            )
        })?;
        Ok(ids
            .chunks(self.limits.max_ids_per_call.get() as usize)
            .flat_map(|chunk| windows.iter().map(|days| self.whole.part(chunk, *days)))
            .collect())
    }

    /// The answers of [`SeriesRequest::calls`], given in the same order, as one series per
    /// store: see [`merge_series`].
    pub fn merge(&self, answers: impl IntoIterator<Item = ShopSeriesList>) -> Vec<ShopSeries> {
        merge_series(answers)
    }
}

/// Merges the answers of split calls into one series per store: a store's buckets are
/// concatenated in the order of the answers, so answers given in the order of
/// [`SeriesRequest::calls`] keep the buckets in time order and the stores in the order they
/// first appear (the order of the ids asked for, chunk by chunk).
///
/// A store is recognised by its `depId`, else its `shopId`; an entry with neither is kept
/// as it came, unmerged. Fields missing from a store's first entry are taken from its
/// later ones.
pub fn merge_series(answers: impl IntoIterator<Item = ShopSeriesList>) -> Vec<ShopSeries> {
    let mut merged: Vec<ShopSeries> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for answer in answers {
        for shop in answer.shops {
            let Some(key) = shop.merge_key() else {
                merged.push(shop);
                continue;
            };
            match by_key.get(&key) {
                Some(&at) => {
                    let into = &mut merged[at];
                    into.buckets.extend(shop.buckets);
                    into.name = into.name.take().or(shop.name);
                    into.dep_id = into.dep_id.take().or(shop.dep_id);
                    into.shop_id = into.shop_id.take().or(shop.shop_id);
                    for (field, value) in shop.extra {
                        into.extra.entry(field).or_insert(value);
                    }
                }
                None => {
                    by_key.insert(key, merged.len());
                    merged.push(shop);
                }
            }
        }
    }
    merged
}

/// The windows of `days`: each at most `max_days` long unless one period of `grain` is
/// longer, each ending on a boundary of `grain` (or on the last day). `None` when more than
/// `max_windows` windows are needed.
pub(crate) fn split_days(
    days: DateRange,
    grain: Grain,
    max_days: u32,
    max_windows: usize,
) -> Option<Vec<DateRange>> {
    let span = |first: NaiveDate, last: NaiveDate| (last - first).num_days() + 1;
    let mut windows = Vec::new();
    let mut start = days.first();
    loop {
        let mut end = period_end(start, grain).min(days.last());
        // Whole periods more, while the window stays within the limit.
        while let Some(next) = end.succ_opt().filter(|d| *d <= days.last()) {
            let candidate = period_end(next, grain).min(days.last());
            if span(start, candidate) > i64::from(max_days) {
                break;
            }
            end = candidate;
        }
        if windows.len() == max_windows {
            return None;
        }
        windows.push(DateRange::new(start, end).expect("a window's start is not after its end"));
        match end.succ_opt() {
            Some(next) if next <= days.last() => start = next,
            _ => return Some(windows),
        }
    }
}

/// The last day of the period of `grain` that holds `day`.
fn period_end(day: NaiveDate, grain: Grain) -> NaiveDate {
    let last_of_month = |year: i32, month: u32| {
        let (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|first| first.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    };
    match grain {
        Grain::Hour | Grain::Day => day,
        Grain::Week => day
            .checked_add_days(Days::new(
                6 - u64::from(day.weekday().num_days_from_monday()),
            ))
            .unwrap_or(NaiveDate::MAX),
        Grain::Month => last_of_month(day.year(), day.month()),
        Grain::Quarter => last_of_month(day.year(), day.month0() / 3 * 3 + 3),
        Grain::Year => last_of_month(day.year(), 12),
    }
}
