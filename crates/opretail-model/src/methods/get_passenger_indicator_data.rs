//! `open.shopweb.passengerFlow.getPassengerIndicatorData`: one store's passenger-flow figures
//! for a window. Its output, [`PassengerIndicator`], shares its decoding with the series
//! buckets of `getManyShopsPassengerIndicatorData`.

use std::borrow::Cow;

use super::get_many_shops_passenger_indicator_data::flag;
use crate::{EntityId, EntityKind, Error, Operation, Params, PassengerIndicator, TimeWindow};

/// The method name of one store's passenger-flow figures for a window.
pub const METHOD_GET_PASSENGER_INDICATOR_DATA: &str =
    "open.shopweb.passengerFlow.getPassengerIndicatorData";

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
    /// Parameter name: the store id without `S_`.
    pub const PARAM_DEP_ID: &'static str = "depId";
    /// Parameter name: the window's start.
    pub const PARAM_START_TIME: &'static str = "startTime";
    /// Parameter name: the window's end.
    pub const PARAM_END_TIME: &'static str = "endTime";
    /// Parameter name: `1` for business hours only.
    pub const PARAM_IS_ON_BUSINESS_TIME: &'static str = "isOnBusinessTime";

    /// The figures of `store` (an `S_…` id) over `window` (a [`TimeWindow`], a
    /// [`DateRange`](crate::DateRange) or one [`NaiveDate`](chrono::NaiveDate)), the whole day.
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
            (Self::PARAM_DEP_ID, self.store.local_part().into()),
            (
                Self::PARAM_START_TIME,
                Cow::Owned(self.window.start_param()),
            ),
            (Self::PARAM_END_TIME, Cow::Owned(self.window.end_param())),
            (
                Self::PARAM_IS_ON_BUSINESS_TIME,
                flag(self.business_hours_only).into(),
            ),
        ]
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}
