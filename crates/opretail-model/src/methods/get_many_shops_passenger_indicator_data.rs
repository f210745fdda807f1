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

use crate::engine::Batch;
use crate::id::unique_ids;
use crate::{DateRange, EntityId, Error, HourRange, Operation, Params};

/// The method name of passenger-flow series for several stores.
pub const METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA: &str =
    "open.passengerflow.getManyShopsPassengerIndicatorData";

/// The cloud gateway's second name of the many-stores flow method, which accepts the
/// tenant's own store codes as well: see [`FlowMethod::CustomerFlow`].
pub const METHOD_CUSTOMERFLOW_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA: &str =
    "open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData";

/// Which name of the many-stores flow method a series is asked with. Both answer with the
/// same series; they differ in the method name and in the spelling of the hour filter's
/// parameters.
///
/// ```
/// use opretail_model::FlowMethod;
///
/// let method: FlowMethod = "customerflow".parse()?;
/// assert_eq!(
///     method.name(),
///     "open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData"
/// );
/// assert_eq!(FlowMethod::default(), FlowMethod::PassengerFlow);
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FlowMethod {
    /// `open.passengerflow.getManyShopsPassengerIndicatorData`, the documented name; hours
    /// as `startHour`/`endHour`. The default.
    #[default]
    PassengerFlow,
    /// `open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData`, the name
    /// a data-warehouse project called live on the cloud gateway ("supports third-party
    /// store codes"); hours as `starthour`/`endhour`, in lower case. Known only from that
    /// third-party use.
    CustomerFlow,
}

impl FlowMethod {
    /// Both names, the default first.
    pub const ALL: [FlowMethod; 2] = [FlowMethod::PassengerFlow, FlowMethod::CustomerFlow];

    /// The method name sent as `_mt`.
    pub const fn name(self) -> &'static str {
        match self {
            FlowMethod::PassengerFlow => METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
            FlowMethod::CustomerFlow => METHOD_CUSTOMERFLOW_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
        }
    }

    /// The short name a setting or command line uses: `passengerflow` or `customerflow`.
    pub const fn short_name(self) -> &'static str {
        match self {
            FlowMethod::PassengerFlow => "passengerflow",
            FlowMethod::CustomerFlow => "customerflow",
        }
    }

    /// The names of the hour filter's parameters: the first hour, the hour it ends.
    pub const fn hour_params(self) -> (&'static str, &'static str) {
        match self {
            FlowMethod::PassengerFlow => (
                GetManyShopsPassengerIndicatorData::PARAM_START_HOUR,
                GetManyShopsPassengerIndicatorData::PARAM_END_HOUR,
            ),
            FlowMethod::CustomerFlow => ("starthour", "endhour"),
        }
    }
}

impl fmt::Display for FlowMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

impl std::str::FromStr for FlowMethod {
    type Err = Error;

    /// The short name (`passengerflow`, `customerflow`) or the full method name, in any
    /// letter case.
    fn from_str(text: &str) -> Result<Self, Error> {
        FlowMethod::ALL
            .into_iter()
            .find(|m| {
                text.eq_ignore_ascii_case(m.short_name()) || text.eq_ignore_ascii_case(m.name())
            })
            .ok_or_else(|| {
                Error::invalid_input(
                    "flow method",
                    format!(
                        "{text:?} is not a name of the many-stores flow method: use \
                         `passengerflow` ({}) or `customerflow` ({})",
                        FlowMethod::PassengerFlow.name(),
                        FlowMethod::CustomerFlow.name()
                    ),
                )
            })
    }
}

/// The 0/1 of `isOnBusinessTime`.
pub(crate) fn flag(on: bool) -> &'static str {
    if on { "1" } else { "0" }
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
    flow_method: FlowMethod,
}

impl GetManyShopsPassengerIndicatorData {
    /// The method name by default (see [`FlowMethod`] for the other).
    pub const METHOD: &'static str = METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA;
    /// Parameter name: the ids, comma-separated.
    pub const PARAM_ID: &'static str = "id";
    /// Parameter name: the start of the first day.
    pub const PARAM_START_TIME: &'static str = "startTime";
    /// Parameter name: the end of the last day.
    pub const PARAM_END_TIME: &'static str = "endTime";
    /// Parameter name: the grain's code.
    pub const PARAM_TIME_TYPE: &'static str = "timeType";
    /// Parameter name: the first hour of each day.
    pub const PARAM_START_HOUR: &'static str = "startHour";
    /// Parameter name: the hour each day ends.
    pub const PARAM_END_HOUR: &'static str = "endHour";
    /// Parameter name: `1` for business hours only.
    pub const PARAM_IS_ON_BUSINESS_TIME: &'static str = "isOnBusinessTime";

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
            flow_method: FlowMethod::default(),
        })
    }

    /// Asks with the other name of the method (see [`FlowMethod`]); the answer is the same.
    pub fn flow_method(mut self, method: FlowMethod) -> Self {
        self.flow_method = method;
        self
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
            flow_method: self.flow_method,
        }
    }
}

impl Operation for GetManyShopsPassengerIndicatorData {
    type Output = ShopSeriesList;

    fn method(&self) -> &str {
        self.flow_method.name()
    }

    fn params(&self) -> Params<'_> {
        let ids: Vec<&str> = self.ids.iter().map(EntityId::as_str).collect();
        let mut params = vec![
            (Self::PARAM_ID, Cow::Owned(ids.join(","))),
            (Self::PARAM_START_TIME, Cow::Owned(self.days.start_param())),
            (Self::PARAM_END_TIME, Cow::Owned(self.days.end_param())),
            (
                Self::PARAM_TIME_TYPE,
                Cow::Owned(self.grain.code().to_string()),
            ),
        ];
        if let Some(hours) = self.hours {
            let (start, end) = self.flow_method.hour_params();
            params.push((start, Cow::Owned(hours.start().to_string())));
            params.push((end, Cow::Owned(hours.end().to_string())));
        }
        if let Some(only) = self.business_hours_only {
            params.push((Self::PARAM_IS_ON_BUSINESS_TIME, flag(only).into()));
        }
        params
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}

/// What a transport's generic `send_batch` drives: the split calls, sent
/// [`SeriesRequest::in_flight`] at a time, merged into one series per store.
impl Batch for SeriesRequest {
    type Request = GetManyShopsPassengerIndicatorData;
    type Merged = Vec<ShopSeries>;

    fn requests(&self) -> Result<Vec<GetManyShopsPassengerIndicatorData>, Error> {
        self.calls()
    }

    fn in_flight(&self) -> usize {
        SeriesRequest::in_flight(self)
    }

    fn merge(&self, answers: Vec<ShopSeriesList>) -> Vec<ShopSeries> {
        SeriesRequest::merge(self, answers)
    }
}
