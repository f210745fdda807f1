//! The `data` of the passenger-flow window methods.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lenient::{LenientString, OneOrMany};
use crate::measure::LenientMeasure;
use crate::{EntityId, Measure};

/// Declares a passenger-flow struct: its own fields around the figures both window methods
/// send (entering, passing and outside flow, entry rate, exit flow, fitting rate), so that
/// those are named, documented and decoded in one place; then its lenient decoding.
///
/// Each own field is `name: Wrapper = "stored_name" | "wire_name"`, with its doc comment,
/// listed `before` or `after` the shared figures (the order they are serialized in).
macro_rules! flow_figures {
    (
        $(#[$attr:meta])*
        pub struct $ty:ident, $expecting:literal, $(data_of = $method:expr,)? $(null = $null:ident,)?
        before { $( $(#[$bdoc:meta])* $before:ident: $bty:ty => $bwrap:ty = $bname:literal $(| $balias:literal)* ),* $(,)? }
        after { $( $(#[$adoc:meta])* $after:ident: $aty:ty => $awrap:ty = $aname:literal $(| $aalias:literal)* ),* $(,)? }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $ty {
            $( $(#[$bdoc])* pub $before: $bty, )*
            /// Entering flow (`passengerFlow`).
            pub passenger_flow: Option<Measure>,
            /// Passing flow, walked by without entering (`passPassengerFlow`).
            pub pass_passenger_flow: Option<Measure>,
            /// Outside flow, entering plus passing (`outsidePassengerFlow`, also
            /// `outSidePassengerFlow`).
            pub outside_passenger_flow: Option<Measure>,
            /// Entry rate, in percent (`inShopRate`, e.g. 8.14).
            pub in_shop_rate: Option<Measure>,
            /// Exit flow, only from head-and-shoulder devices (`outFlowCount`).
            pub out_flow_count: Option<Measure>,
            /// Fitting rate (`dressingRate`).
            pub dressing_rate: Option<Measure>,
            $( $(#[$adoc])* pub $after: $aty, )*
            /// Fields the platform does not document, by their wire name, as they came.
            pub extra: BTreeMap<String, serde_json::Value>,
        }

        lenient_object!($ty, $expecting, $(data_of = $method,)? $(null = $null,)? {
            $( $before: $bwrap = $bname $(| $balias)*, )*
            passenger_flow: LenientMeasure = "passenger_flow" | "passengerFlow",
            pass_passenger_flow: LenientMeasure = "pass_passenger_flow" | "passPassengerFlow",
            outside_passenger_flow: LenientMeasure =
                "outside_passenger_flow" | "outsidePassengerFlow" | "outSidePassengerFlow",
            in_shop_rate: LenientMeasure = "in_shop_rate" | "inShopRate",
            out_flow_count: LenientMeasure = "out_flow_count" | "outFlowCount",
            dressing_rate: LenientMeasure = "dressing_rate" | "dressingRate",
            $( $after: $awrap = $aname $(| $aalias)*, )*
        });
    };
}

flow_figures! {
    /// One store's passenger flow over a window: the `data` of `getPassengerIndicatorData`.
    ///
    /// Every field is optional and a [`Measure`] (a number, a numeric string, or text with a
    /// unit); the whole shape rests on third-party use. Outside flow is read from
    /// `outsidePassengerFlow` or `outSidePassengerFlow`. `null` decodes to an empty value;
    /// undocumented fields are kept in [`PassengerIndicator::extra`].
    ///
    /// ```
    /// use opretail_model::PassengerIndicator;
    ///
    /// let data: PassengerIndicator = serde_json::from_str(
    ///     r#"{"passengerFlow": "1,204", "outSidePassengerFlow": 14790, "inShopRate": 8.14, "shopId": 7}"#,
    /// )?;
    /// assert_eq!(data.passenger_flow.unwrap().as_i64(), Some(1204));
    /// assert_eq!(data.outside_passenger_flow.unwrap().as_i64(), Some(14790));
    /// assert_eq!(data.in_shop_rate.unwrap().value(), 8.14);
    /// assert_eq!(data.shop_id.as_deref(), Some("7"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub struct PassengerIndicator, "the getPassengerIndicatorData data object",
        data_of = crate::METHOD_GET_PASSENGER_INDICATOR_DATA, null = default,
    before {}
    after {
        /// Fitting flow (`dressingPassengerFlow`).
        dressing_passenger_flow: Option<Measure> => LenientMeasure =
            "dressing_passenger_flow" | "dressingPassengerFlow",
        /// The store (`shopId`), as text.
        shop_id: Option<String> => LenientString = "shop_id" | "shopId",
    }
}

flow_figures! {
    /// One bucket of a series (an element of `dataList`).
    ///
    /// `time` is kept as the text sent; [`Bucket::date_time`] reads it. The figures are
    /// optional [`Measure`]s; outside flow is read from `outsidePassengerFlow` or
    /// `outSidePassengerFlow`. The shape rests on third-party use; undocumented fields are kept
    /// in [`Bucket::extra`].
    pub struct Bucket, "a dataList bucket object",
    before {
        /// The start of the bucket, as the gateway wrote it (`time`).
        time: Option<String> => LenientString = "time",
    }
    after {
        /// Entering flow counted where a passing-flow device is installed
        /// (`inCountHavingPassDevice`).
        in_count_having_pass_device: Option<Measure> => LenientMeasure =
            "in_count_having_pass_device" | "inCountHavingPassDevice",
        /// Flow counted more than once (`duplicatedFlow`).
        duplicated_flow: Option<Measure> => LenientMeasure = "duplicated_flow" | "duplicatedFlow",
    }
}

impl Bucket {
    /// The start of the bucket at the gateway, read from [`Bucket::time`] when it parses.
    ///
    /// Read: `yyyy-MM-dd HH:mm:ss` (with `T` or `/` as well, fractions of a second
    /// ignored), `yyyy-MM-dd HH:mm`, `yyyy-MM-dd HH` (an hour), `yyyy-MM-dd` and `yyyyMMdd`
    /// (midnight), `yyyy-MM` (the first of the month) and `yyyy` (New Year). Anything else
    /// (a week number, milliseconds since 1970) gives `None`; the text stays in `time`.
    ///
    /// ```
    /// use opretail_model::Bucket;
    ///
    /// let at = |time: &str| {
    ///     let bucket: Bucket = serde_json::from_value(serde_json::json!({ "time": time })).unwrap();
    ///     bucket.date_time().map(|t| t.to_string())
    /// };
    /// assert_eq!(at("2026-11-28 10:00:00").as_deref(), Some("2026-11-28 10:00:00"));
    /// assert_eq!(at("2026-11-28 10").as_deref(), Some("2026-11-28 10:00:00"));
    /// assert_eq!(at("2026-11").as_deref(), Some("2026-11-01 00:00:00"));
    /// assert_eq!(at("week 48"), None);
    /// ```
    pub fn date_time(&self) -> Option<NaiveDateTime> {
        parse_bucket_time(self.time.as_deref()?)
    }
}

fn parse_bucket_time(text: &str) -> Option<NaiveDateTime> {
    const DATE_TIMES: &[&str] = &[
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ];
    const DATES: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"];
    let text = text.trim();
    let midnight = |date: NaiveDate| date.and_time(NaiveTime::MIN);
    DATE_TIMES
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            let (date, hour) = text.split_once(' ')?;
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
            date.and_hms_opt(hour.parse().ok()?, 0, 0)
        })
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
                .map(midnight)
        })
        .or_else(|| {
            // Year and month, or a year alone: chrono needs a day to make a date.
            let mut parts = text.split('-');
            let year = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
            let month = match parts.next() {
                Some(m) if (1..=2).contains(&m.len()) => m.parse().ok()?,
                Some(_) => return None,
                None => 1,
            };
            if parts.next().is_some() {
                return None;
            }
            NaiveDate::from_ymd_opt(year, month, 1).map(midnight)
        })
}

/// The series of one store (an element of the `data` list of
/// `getManyShopsPassengerIndicatorData`).
///
/// The buckets come from `dataList` (one object is a list of one; `null` an empty list).
/// Ids are kept as text. Undocumented fields are kept in [`ShopSeries::extra`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ShopSeries {
    /// The store's name (`name`).
    pub name: Option<String>,
    /// The store's id (`depId`), as text; `S_<depId>` names it.
    pub dep_id: Option<String>,
    /// The tenant's own store code (`shopId`).
    pub shop_id: Option<String>,
    /// The buckets, in the order sent (`dataList`).
    pub buckets: Vec<Bucket>,
    /// Fields the platform does not document, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(ShopSeries, "a store's series object", data_of = crate::METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA, {
    name: LenientString = "name",
    dep_id: LenientString = "dep_id" | "depId",
    shop_id: LenientString = "shop_id" | "shopId",
    buckets: OneOrMany<Bucket> = "buckets" | "dataList",
});

impl ShopSeries {
    /// The store's id, `S_<depId>`; `None` without a usable `depId`.
    pub fn entity_id(&self) -> Option<EntityId> {
        EntityId::store(self.dep_id.as_deref()?.trim()).ok()
    }

    /// What [`merge_series`](crate::merge_series) recognises the store by across answers:
    /// its `depId`, else its `shopId` (trimmed, each marked with its field); `None` when it
    /// has neither, and such an entry is never merged with another.
    ///
    /// ```
    /// use opretail_model::ShopSeriesList;
    ///
    /// let list: ShopSeriesList =
    ///     serde_json::from_str(r#"[{"depId": " 1001 "}, {"shopId": "A-7"}, {"name": "?"}]"#)?;
    /// let keys: Vec<_> = list.shops.iter().map(|s| s.merge_key()).collect();
    /// assert_eq!(keys, [Some("depId:1001".to_owned()), Some("shopId:A-7".to_owned()), None]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn merge_key(&self) -> Option<String> {
        let present = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        present(&self.dep_id)
            .map(|id| format!("depId:{id}"))
            .or_else(|| present(&self.shop_id).map(|code| format!("shopId:{code}")))
    }
}

/// The `data` of `getManyShopsPassengerIndicatorData`: one series per store.
///
/// A list, one object (a list of one), or `null`/absent (no stores). Serialized as the list.
///
/// ```
/// use opretail_model::ShopSeriesList;
///
/// let list: ShopSeriesList = serde_json::from_str(
///     r#"[{"name": "A", "depId": 1001, "dataList": [{"time": "2026-11-28 10:00:00", "passengerFlow": 12}]}]"#,
/// )?;
/// let store = &list.shops[0];
/// assert_eq!(store.entity_id().unwrap().as_str(), "S_1001");
/// assert_eq!(store.buckets[0].passenger_flow.as_ref().unwrap().as_i64(), Some(12));
/// assert!(serde_json::from_str::<ShopSeriesList>("null")?.shops.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ShopSeriesList {
    /// The stores, in the order sent.
    pub shops: Vec<ShopSeries>,
}

impl ShopSeriesList {
    /// A list of these stores.
    pub fn new(shops: Vec<ShopSeries>) -> Self {
        ShopSeriesList { shops }
    }
}

impl<'de> Deserialize<'de> for ShopSeriesList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        OneOrMany::deserialize(deserializer).map(|OneOrMany(shops)| ShopSeriesList { shops })
    }
}

impl Serialize for ShopSeriesList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.shops.serialize(serializer)
    }
}
