//! The `data` of `open.shopweb.passengerFlow.getTotalData`: passenger-flow totals.
//!
//! The gateway is loose with types (a documented int arrives as `123`, `"123"`, `"1,234人"`
//! or `""`), so every type here is decoded by hand, leniently, and keeps what it cannot type:
//! the original text of a number with a unit, and undocumented fields in an `extra` map.
//! Decoding never goes through an intermediate `serde_json::Value` and never uses
//! `#[serde(flatten)]` (which buffers the whole object); errors come from serde, so
//! `serde_path_to_error` names the field (`DAY_FLOW`, `WEATHER.id`, `cfgData[1].type`).

use std::collections::BTreeMap;

mod cfg;
mod weather;

pub use cfg::CfgItem;
pub use weather::Weather;

use crate::lenient::{OneOrMany, OptionalObject};
use crate::measure::LenientMeasure;
use crate::{EntityId, Measure, Operation, Params};

/// Passenger-flow totals of a store or an enterprise: the `data` of `getTotalData`.
///
/// Every field is optional, as the platform documents. The numeric fields are [`Measure`]s:
/// a JSON number, a numeric string, or (with `needUnit=1`) text with thousands separators and
/// a unit such as `"35.2%"` or `"1,234人"`; the original text is kept whenever it says more
/// than the number. `null`, a missing field, `""` and the placeholders `"-"`, `"--"`, `"N/A"`
/// all decode to `None`. A value that cannot mean a number (`"abc"`, `true`, a list) is an
/// error that names the field.
///
/// Deserializing accepts the gateway's names (`DAY_FLOW`, `WEATHER`, `cfgData`) and the
/// snake_case names it serializes under (`day_flow`, `weather`, `cfg_data`), so stored
/// values read back equal. Undocumented fields are kept in [`TotalData::extra`] and
/// serialized back at the top level, as they came.
///
/// ```
/// use opretail_model::TotalData;
///
/// let data: TotalData = serde_json::from_str(
///     r#"{"DAY_FLOW": "1,234人", "ENTER_RATE": "35.2%", "TOTAL_SALE": 5678, "NEW_FIELD": 1}"#,
/// )?;
/// let day = data.day_flow.as_ref().unwrap();
/// assert_eq!((day.as_i64(), day.unit()), (Some(1234), Some("人")));
/// assert_eq!(data.enter_rate.as_ref().unwrap().value(), 35.2);
/// assert_eq!(data.total_sale.as_ref().unwrap().to_string(), "5678");
/// assert!(data.weather.is_none() && data.cfg_data.is_empty());
/// assert_eq!(data.extra["NEW_FIELD"], 1);
///
/// let stored = serde_json::to_value(&data)?;
/// assert_eq!(stored["total_sale"], 5678);
/// assert_eq!(serde_json::from_value::<TotalData>(stored)?, data);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct TotalData {
    /// Passenger flow today (`DAY_FLOW`).
    pub day_flow: Option<Measure>,
    /// Passenger flow this week (`WEEK_FLOW`).
    pub week_flow: Option<Measure>,
    /// Passenger flow this month (`MONTH_FLOW`).
    pub month_flow: Option<Measure>,
    /// Sales (`TOTAL_SALE`).
    pub total_sale: Option<Measure>,
    /// Customer price, the spend per customer (`EXPENDITURE`).
    pub expenditure: Option<Measure>,
    /// Store-entry rate (`ENTER_RATE`).
    pub enter_rate: Option<Measure>,
    /// Bag (purchase) rate (`BUY_RATE`).
    pub buy_rate: Option<Measure>,
    /// Fitting rate (`FITTING_RATE`).
    pub fitting_rate: Option<Measure>,
    /// The weather at the store (`WEATHER`); `null` and `""` mean none.
    pub weather: Option<Weather>,
    /// The passenger-flow configuration items (`cfgData`). The gateway sends one object or a
    /// list; one object becomes a list of one, `null` and a missing field an empty list.
    pub cfg_data: Vec<CfgItem>,
    /// Fields the platform does not document, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(TotalData, "the getTotalData data object", data_of = crate::METHOD_GET_TOTAL_DATA, null = default, {
    day_flow: LenientMeasure = "day_flow" | "DAY_FLOW",
    week_flow: LenientMeasure = "week_flow" | "WEEK_FLOW",
    month_flow: LenientMeasure = "month_flow" | "MONTH_FLOW",
    total_sale: LenientMeasure = "total_sale" | "TOTAL_SALE",
    expenditure: LenientMeasure = "expenditure" | "EXPENDITURE",
    enter_rate: LenientMeasure = "enter_rate" | "ENTER_RATE",
    buy_rate: LenientMeasure = "buy_rate" | "BUY_RATE",
    fitting_rate: LenientMeasure = "fitting_rate" | "FITTING_RATE",
    weather: OptionalObject<Weather> = "weather" | "WEATHER",
    cfg_data: OneOrMany<CfgItem> = "cfg_data" | "cfgData",
});

/// The method name of `getTotalData`, defined once for the model, the sandbox and the CLI.
pub const METHOD_GET_TOTAL_DATA: &str = "open.shopweb.passengerFlow.getTotalData";

/// `open.shopweb.passengerFlow.getTotalData` (v1): the passenger-flow totals of a store or an
/// enterprise.
///
/// Sends `needUnit=0` by default, so figures come as plain numbers;
/// [`GetTotalData::with_units`] asks for values with units (`"35.2%"`), which the platform
/// sends when `needUnit` is absent.
///
/// ```
/// use opretail_model::{GetTotalData, Operation};
///
/// let op = GetTotalData::new("S_1001".parse()?).with_units(true);
/// assert_eq!(op.method(), "open.shopweb.passengerFlow.getTotalData");
/// assert_eq!(op.params(), [("id", "S_1001".into()), ("needUnit", "1".into())]);
/// assert!(op.idempotent());
/// # Ok::<(), opretail_model::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetTotalData {
    id: EntityId,
    with_units: bool,
}

impl GetTotalData {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_TOTAL_DATA;
    /// Parameter name: the store or enterprise id.
    pub const PARAM_ID: &'static str = "id";
    /// Parameter name: `1` for values with units.
    pub const PARAM_NEED_UNIT: &'static str = "needUnit";

    /// Totals for a store (`S_…`) or an enterprise (`O_…`), as plain numbers.
    pub fn new(id: EntityId) -> Self {
        GetTotalData {
            id,
            with_units: false,
        }
    }

    /// Whether to ask for values with units (`needUnit=1`).
    pub fn with_units(mut self, with_units: bool) -> Self {
        self.with_units = with_units;
        self
    }

    /// The store or enterprise asked about.
    pub fn id(&self) -> &EntityId {
        &self.id
    }
}

impl Operation for GetTotalData {
    type Output = TotalData;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let need_unit = if self.with_units { "1" } else { "0" };
        vec![
            (Self::PARAM_ID, self.id.as_str().into()),
            (Self::PARAM_NEED_UNIT, need_unit.into()),
        ]
    }

    fn idempotent(&self) -> bool {
        true
    }
}
