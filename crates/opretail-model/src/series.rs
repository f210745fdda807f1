//! Passenger flow over a time window: one store's figures for a window
//! ([`GetPassengerIndicatorData`]) and series of buckets for several stores
//! ([`GetManyShopsPassengerIndicatorData`]), with the splitting of long requests into calls
//! the platform accepts ([`SeriesRequest`]).
//!
//! Definitions, from the platform: entering flow is counted at the store's main entrance;
//! passing flow walked by without entering; outside flow is the two together. Face devices
//! de-duplicate per day for totals and per hour for hourly buckets, so hours can add up to
//! more than the day.

mod data;
mod split;

use std::borrow::Cow;
use std::fmt;

pub use data::{Bucket, PassengerIndicator, ShopSeries, ShopSeriesList};
pub use split::{
    DEFAULT_MAX_DAYS_PER_CALL, DEFAULT_MAX_IDS_PER_CALL, DEFAULT_MAX_SERIES_CALLS,
    DEFAULT_SERIES_IN_FLIGHT, SeriesLimits, SeriesRequest, merge_series,
};

use crate::id::unique_ids;
use crate::{DateRange, EntityId, EntityKind, Error, HourRange, Operation, Params, TimeWindow};

/// The method name of one store's passenger-flow figures for a window.
pub const METHOD_GET_PASSENGER_INDICATOR_DATA: &str =
    "open.shopweb.passengerFlow.getPassengerIndicatorData";
/// The method name of passenger-flow series for several stores.
pub const METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA: &str =
    "open.passengerflow.getManyShopsPassengerIndicatorData";

/// The 0/1 of `isOnBusinessTime`.
fn flag(on: bool) -> &'static str {
    if on { "1" } else { "0" }
}

/// `open.shopweb.passengerFlow.getPassengerIndicatorData` (v1): one store's passenger-flow
/// figures over a window, as one [`PassengerIndicator`].
///
/// Sends `depId` (the store id without `S_`), `startTime` and `endTime`
/// (`yyyy-MM-dd HH:mm:ss` at the gateway: see [`TimeWindow`]) and `isOnBusinessTime` (`0`,
/// the whole day, unless [`business_hours_only`](Self::business_hours_only)). Only `depId`
/// is documented by the platform; the rest rests on third-party use. Needs a token;
/// idempotent.
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{GetPassengerIndicatorData, Operation};
///
/// let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
/// let op = GetPassengerIndicatorData::new(&"S_1001".parse()?, day)?.business_hours_only(true);
/// assert_eq!(
///     op.params(),
///     [
///         ("depId", "1001".into()),
///         ("startTime", "2026-11-28 00:00:00".into()),
///         ("endTime", "2026-11-28 23:59:59".into()),
///         ("isOnBusinessTime", "1".into()),
///     ]
/// );
/// assert!(GetPassengerIndicatorData::new(&"O_42".parse()?, day).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPassengerIndicatorData {
    store: EntityId,
    window: TimeWindow,
    business_hours_only: bool,
}

impl GetPassengerIndicatorData {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_PASSENGER_INDICATOR_DATA;

    /// The figures of `store` (an `S_…` id) over `window` (a [`TimeWindow`], a
    /// [`DateRange`] or one [`NaiveDate`](chrono::NaiveDate)), the whole day.
    pub fn new(store: &EntityId, window: impl Into<TimeWindow>) -> Result<Self, Error> {
        if store.kind() != EntityKind::Store {
            return Err(Error::invalid_input(
                "depId",
                format!(
                    "{store} is not a store; this method takes one store (S_…): for an \
                     enterprise use getManyShopsPassengerIndicatorData"
                ),
            ));
        }
        Ok(GetPassengerIndicatorData {
            store: store.clone(),
            window: window.into(),
            business_hours_only: false,
        })
    }

    /// Whether to count business hours only (`isOnBusinessTime=1`).
    pub fn business_hours_only(mut self, only: bool) -> Self {
        self.business_hours_only = only;
        self
    }

    /// The store asked about.
    pub fn store(&self) -> &EntityId {
        &self.store
    }

    /// The window asked about.
    pub fn window(&self) -> TimeWindow {
        self.window
    }
}

impl Operation for GetPassengerIndicatorData {
    type Output = PassengerIndicator;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        vec![
            ("depId", self.store.local_part().into()),
            ("startTime", Cow::Owned(self.window.start_param())),
            ("endTime", Cow::Owned(self.window.end_param())),
            ("isOnBusinessTime", flag(self.business_hours_only).into()),
        ]
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn data_is_required(&self) -> bool {
        true
    }
}

/// The size of the buckets of a series (`timeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    /// Hourly buckets (`1`).
    Hour,
    /// Daily buckets (`2`).
    Day,
    /// Weekly buckets (`3`).
    Week,
    /// Monthly buckets (`4`).
    Month,
    /// Quarterly buckets (`5`).
    Quarter,
    /// Yearly buckets (`6`).
    Year,
}

impl Grain {
    /// Every grain, finest first.
    pub const ALL: [Grain; 6] = [
        Grain::Hour,
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::Year,
    ];

    /// The `timeType` sent.
    pub fn code(self) -> u8 {
        match self {
            Grain::Hour => 1,
            Grain::Day => 2,
            Grain::Week => 3,
            Grain::Month => 4,
            Grain::Quarter => 5,
            Grain::Year => 6,
        }
    }

    /// The grain of a `timeType`, if it is one.
    pub fn from_code(code: u8) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.code() == code)
    }
}

impl fmt::Display for Grain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grain::Hour => "hour",
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        })
    }
}

/// `open.passengerflow.getManyShopsPassengerIndicatorData` (v1): passenger-flow series of
/// stores (`S_…`) and organization nodes (`O_…`, one series per store under them) over whole
/// days, in buckets of a [`Grain`].
///
/// Sends `id` (the ids, comma-separated), `startTime` and `endTime` (whole days, see
/// [`DateRange`]), `timeType`, and when set `startHour`/`endHour` and `isOnBusinessTime`.
/// The platform documents `id`, the times and `timeType`; the hour filter and
/// `isOnBusinessTime` rest on third-party use. The platform publishes no limit on the days
/// or ids of one call: for long requests use [`SeriesRequest`], which splits them. Needs a
/// token; idempotent.
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{DateRange, GetManyShopsPassengerIndicatorData, Grain, HourRange, Operation};
///
/// let days = DateRange::day(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
/// let ids = ["S_1001".parse()?, "O_42".parse()?];
/// let op = GetManyShopsPassengerIndicatorData::new(ids, days, Grain::Hour)?
///     .hours(HourRange::new(10, 22)?);
/// assert_eq!(
///     op.params(),
///     [
///         ("id", "S_1001,O_42".into()),
///         ("startTime", "2026-11-28 00:00:00".into()),
///         ("endTime", "2026-11-28 23:59:59".into()),
///         ("timeType", "1".into()),
///         ("startHour", "10".into()),
///         ("endHour", "22".into()),
///     ]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetManyShopsPassengerIndicatorData {
    ids: Vec<EntityId>,
    days: DateRange,
    grain: Grain,
    hours: Option<HourRange>,
    business_hours_only: Option<bool>,
}

impl GetManyShopsPassengerIndicatorData {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA;

    /// The series of `ids` over `days` in buckets of `grain`. Repeated ids are sent once;
    /// no id at all is an error.
    pub fn new(
        ids: impl IntoIterator<Item = EntityId>,
        days: DateRange,
        grain: Grain,
    ) -> Result<Self, Error> {
        Ok(GetManyShopsPassengerIndicatorData {
            ids: unique_ids(ids)?,
            days,
            grain,
            hours: None,
            business_hours_only: None,
        })
    }

    /// Only the hours `hours` of each day (`startHour`, `endHour`).
    pub fn hours(mut self, hours: HourRange) -> Self {
        self.hours = Some(hours);
        self
    }

    /// Whether to count business hours only (`isOnBusinessTime`); not sent unless set.
    pub fn business_hours_only(mut self, only: bool) -> Self {
        self.business_hours_only = Some(only);
        self
    }

    /// The ids asked about, in order, without repeats.
    pub fn ids(&self) -> &[EntityId] {
        &self.ids
    }

    /// The days asked about.
    pub fn days(&self) -> DateRange {
        self.days
    }

    /// The size of the buckets.
    pub fn grain(&self) -> Grain {
        self.grain
    }

    /// The same request for other ids and days.
    fn part(&self, ids: &[EntityId], days: DateRange) -> Self {
        GetManyShopsPassengerIndicatorData {
            ids: ids.to_vec(),
            days,
            grain: self.grain,
            hours: self.hours,
            business_hours_only: self.business_hours_only,
        }
    }
}

impl Operation for GetManyShopsPassengerIndicatorData {
    type Output = ShopSeriesList;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let ids: Vec<&str> = self.ids.iter().map(EntityId::as_str).collect();
        let mut params = vec![
            ("id", Cow::Owned(ids.join(","))),
            ("startTime", Cow::Owned(self.days.start_param())),
            ("endTime", Cow::Owned(self.days.end_param())),
            ("timeType", Cow::Owned(self.grain.code().to_string())),
        ];
        if let Some(hours) = self.hours {
            params.push(("startHour", Cow::Owned(hours.start().to_string())));
            params.push(("endHour", Cow::Owned(hours.end().to_string())));
        }
        if let Some(only) = self.business_hours_only {
            params.push(("isOnBusinessTime", flag(only).into()));
        }
        params
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn data_is_required(&self) -> bool {
        true
    }
}
