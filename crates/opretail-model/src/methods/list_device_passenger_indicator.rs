//! `open.shopwebpassengerflow.customerflow.listDevicePassengerIndicator`: one device's
//! passenger flow over a window, in buckets from an hour to a year.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::get_many_shops_passenger_indicator_data::flag;
use crate::lenient::OneOrMany;
use crate::{Bucket, Error, Grain, Operation, Params, TimeWindow};

/// The method name of one device's passenger flow.
pub const METHOD_LIST_DEVICE_PASSENGER_INDICATOR: &str =
    "open.shopwebpassengerflow.customerflow.listDevicePassengerIndicator";

/// `open.shopwebpassengerflow.customerflow.listDevicePassengerIndicator` (v1): the passenger
/// flow counted by one device over a window, in buckets of a [`Grain`].
///
/// Sends `mac` (12 hex digits, no separators), `startTime` and `endTime`
/// (`yyyy-MM-dd HH:mm:ss` at the gateway: see [`TimeWindow`]), `timeType` (the grain's code)
/// and `isOnBusinessTime`, all required, as the platform documents them. The answer is not
/// shown anywhere and is read as buckets of the many-stores series (see [`DeviceFlow`]).
/// Needs a token; idempotent.
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{Grain, ListDevicePassengerIndicator, Operation};
///
/// let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
/// let op = ListDevicePassengerIndicator::new("a1:b2:c3:d4:e5:f6", day, Grain::Day)?;
/// assert_eq!(
///     op.params(),
///     [
///         ("mac", "A1B2C3D4E5F6".into()),
///         ("startTime", "2026-11-28 00:00:00".into()),
///         ("endTime", "2026-11-28 23:59:59".into()),
///         ("timeType", "2".into()),
///         ("isOnBusinessTime", "0".into()),
///     ]
/// );
/// assert!(ListDevicePassengerIndicator::new("A1B2", day, Grain::Day).is_err());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListDevicePassengerIndicator {
    mac: String,
    window: TimeWindow,
    grain: Grain,
    business_hours_only: bool,
}

impl ListDevicePassengerIndicator {
    /// The method name.
    pub const METHOD: &'static str = METHOD_LIST_DEVICE_PASSENGER_INDICATOR;
    /// Parameter name: the device's MAC address.
    pub const PARAM_MAC: &'static str = "mac";
    /// Parameter name: the window's start.
    pub const PARAM_START_TIME: &'static str = "startTime";
    /// Parameter name: the window's end.
    pub const PARAM_END_TIME: &'static str = "endTime";
    /// Parameter name: the grain's code.
    pub const PARAM_TIME_TYPE: &'static str = "timeType";
    /// Parameter name: `1` for business hours only.
    pub const PARAM_IS_ON_BUSINESS_TIME: &'static str = "isOnBusinessTime";

    /// The flow of the device with MAC address `mac` (12 hex digits; `:`, `-` and `.`
    /// separators and case are accepted and normalized) over `window`, in `grain` buckets.
    pub fn new(mac: &str, window: impl Into<TimeWindow>, grain: Grain) -> Result<Self, Error> {
        let digits: String = mac
            .trim()
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .collect();
        if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::invalid_input(
                Self::PARAM_MAC,
                "a MAC address is 12 hex digits (A1B2C3D4E5F6, or with : or - between pairs)",
            ));
        }
        Ok(ListDevicePassengerIndicator {
            mac: digits.to_ascii_uppercase(),
            window: window.into(),
            grain,
            business_hours_only: false,
        })
    }

    /// Whether to count business hours only (`isOnBusinessTime=1`).
    pub fn business_hours_only(mut self, only: bool) -> Self {
        self.business_hours_only = only;
        self
    }

    /// The MAC address sent: 12 upper-case hex digits.
    pub fn mac(&self) -> &str {
        &self.mac
    }

    /// The window asked about.
    pub fn window(&self) -> TimeWindow {
        self.window
    }

    /// The grain asked for.
    pub fn grain(&self) -> Grain {
        self.grain
    }
}

impl Operation for ListDevicePassengerIndicator {
    type Output = DeviceFlow;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        vec![
            (Self::PARAM_MAC, Cow::Borrowed(self.mac.as_str())),
            (
                Self::PARAM_START_TIME,
                Cow::Owned(self.window.start_param()),
            ),
            (Self::PARAM_END_TIME, Cow::Owned(self.window.end_param())),
            (
                Self::PARAM_TIME_TYPE,
                Cow::Owned(self.grain.code().to_string()),
            ),
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

/// One device's buckets: the `data` of `listDevicePassengerIndicator`.
///
/// No source shows this answer. It is read as the many-stores series' buckets: a list of
/// [`Bucket`]s, or an object holding them in `dataList` (as one store's series does) or
/// `list`; one bucket object is a list of one and `null` is none.
///
/// ```
/// use opretail_model::DeviceFlow;
///
/// let flat: DeviceFlow = serde_json::from_str(r#"[{"time": "2026-11-28", "passengerFlow": 12}]"#)?;
/// let nested: DeviceFlow = serde_json::from_str(r#"{"mac": "A1B2C3D4E5F6", "dataList": [{"time": "2026-11-28", "passengerFlow": "12"}]}"#)?;
/// assert_eq!(flat.buckets[0].passenger_flow, nested.buckets[0].passenger_flow);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct DeviceFlow {
    /// The buckets, in the order sent.
    pub buckets: Vec<Bucket>,
}

/// The object form of [`DeviceFlow`].
#[derive(Default)]
struct NestedBuckets {
    buckets: Vec<Bucket>,
    extra: std::collections::BTreeMap<String, serde_json::Value>,
}

lenient_deserialize!(NestedBuckets, "an object of buckets", {
    buckets: OneOrMany<Bucket> = "dataList" | "list" | "data_list",
});

impl<'de> Deserialize<'de> for DeviceFlow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlowVisitor;

        impl<'de> Visitor<'de> for FlowVisitor {
            type Value = DeviceFlow;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of buckets, an object with `dataList`, or null")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let OneOrMany(buckets) = OneOrMany::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(DeviceFlow { buckets })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let nested = NestedBuckets::deserialize(MapAccessDeserializer::new(map))?;
                // A lone bucket has figures at the top and no list of buckets.
                if nested.buckets.is_empty() && nested.extra.contains_key("time") {
                    let bucket = serde_json::to_value(&nested.extra)
                        .and_then(serde_json::from_value::<Bucket>)
                        .map_err(serde::de::Error::custom)?;
                    return Ok(DeviceFlow {
                        buckets: vec![bucket],
                    });
                }
                Ok(DeviceFlow {
                    buckets: nested.buckets,
                })
            }

            null_means!(DeviceFlow::default());
        }

        deserializer.deserialize_any(FlowVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_decode_in_every_plausible_shape() {
        let nested: DeviceFlow = serde_json::from_str(
            r#"{"dataList": [{"time": "2026-11-28 10:00:00", "passengerFlow": 3}, null]}"#,
        )
        .unwrap();
        assert_eq!(nested.buckets.len(), 1);
        let lone: DeviceFlow =
            serde_json::from_str(r#"{"time": "2026-11-28", "passengerFlow": "1,204"}"#).unwrap();
        assert_eq!(
            lone.buckets[0].passenger_flow.as_ref().unwrap().as_i64(),
            Some(1204)
        );
        assert!(
            serde_json::from_str::<DeviceFlow>("null")
                .unwrap()
                .buckets
                .is_empty()
        );
        assert!(
            serde_json::from_str::<DeviceFlow>(r#"{"dataList": null}"#)
                .unwrap()
                .buckets
                .is_empty()
        );
        assert!(serde_json::from_str::<DeviceFlow>("\"x\"").is_err());
    }

    #[test]
    fn a_mac_is_checked_and_normalized() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let op =
            ListDevicePassengerIndicator::new(" a1-b2-c3-d4-e5-f6 ", day, Grain::Hour).unwrap();
        assert_eq!(op.mac(), "A1B2C3D4E5F6");
        for bad in ["", "A1B2C3D4E5F", "A1B2C3D4E5F6A", "G1B2C3D4E5F6"] {
            let error = ListDevicePassengerIndicator::new(bad, day, Grain::Hour).unwrap_err();
            assert!(error.to_string().contains("12 hex digits"), "{error}");
        }
    }
}
