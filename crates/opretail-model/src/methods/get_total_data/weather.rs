//! `WEATHER`: the weather at the store, as the platform reports it (from Baidu).

use std::collections::BTreeMap;

use crate::lenient::{LenientInt, LenientString};

/// The weather at the store (`WEATHER` of `getTotalData`).
///
/// Every field is optional. The documented strings are kept as text: a number where a string
/// is documented becomes its text, and `""` stays `Some("")`. `id` is an int that may also
/// arrive as a numeric string. Deserializing accepts the gateway's camelCase names
/// (`dayPictureUrl`) and the snake_case names it serializes under (`day_picture_url`).
/// Undocumented fields are kept in [`Weather::extra`].
///
/// ```
/// use opretail_model::Weather;
///
/// let w: Weather = serde_json::from_str(r#"{"id": "7", "temperature": 21, "cityId": "101010100"}"#)?;
/// assert_eq!(w.id, Some(7));
/// assert_eq!(w.temperature.as_deref(), Some("21"));
/// assert_eq!(serde_json::to_value(&w)?["city_id"], "101010100");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Weather {
    /// Weather category (`classify`).
    pub classify: Option<String>,
    /// Address of the daytime icon (`dayPictureUrl`).
    pub day_picture_url: Option<String>,
    /// Address of the night icon (`nightPictureUrl`).
    pub night_picture_url: Option<String>,
    /// Time of the report (`weatherDate`), as the gateway wrote it.
    pub weather_date: Option<String>,
    /// Temperature (`temperature`), as the gateway wrote it (often a range with a unit).
    pub temperature: Option<String>,
    /// The weather in words (`weather`).
    pub weather: Option<String>,
    /// City id (`cityId`).
    pub city_id: Option<String>,
    /// Record id (`id`).
    pub id: Option<i64>,
    /// Custom icon (`customIcon`).
    pub custom_icon: Option<String>,
    /// Creation time of the record (`createDate`), as the gateway wrote it.
    pub create_date: Option<String>,
    /// Wind (`wind`).
    pub wind: Option<String>,
    /// Fields the platform does not document, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(Weather, "the WEATHER object", {
    classify: LenientString = "classify",
    day_picture_url: LenientString = "day_picture_url" | "dayPictureUrl",
    night_picture_url: LenientString = "night_picture_url" | "nightPictureUrl",
    weather_date: LenientString = "weather_date" | "weatherDate",
    temperature: LenientString = "temperature",
    weather: LenientString = "weather",
    city_id: LenientString = "city_id" | "cityId",
    id: LenientInt = "id",
    custom_icon: LenientString = "custom_icon" | "customIcon",
    create_date: LenientString = "create_date" | "createDate",
    wind: LenientString = "wind",
});
