//! `open.shopweb.passengerFlow.getTotalData` v1: deterministic, realistic passenger-flow
//! totals of a store or an enterprise today, this week and this month (the figures come from
//! [`totals`](crate::synthesis::totals)). Needs no token.
//!
//! The answer is a typed payload rather than a `serde_json::Value`, with each figure formatted
//! only where text is sent: this is the call every batch makes, and the `scale/20000` figure
//! of `docs/benchmarks.md` (the CLI and the sandbox sharing two cores) needs it. Built as a
//! tree, the sandbox took about 129,000 instructions per call; typed, about 88,400.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use opretail_model::METHOD_GET_TOTAL_DATA;
use serde::Serialize;

use crate::call::{Call, Data};
use crate::rejection::{ID_ILLEGAL, NEED_UNIT_ILLEGAL, Rejection, business_error};
use crate::synthesis::random::seed;
use crate::synthesis::revision::FlowView;
use crate::synthesis::tenant::is_entity_id;
use crate::synthesis::totals::{Figures, WEATHERS, WINDS};

pub(crate) const METHOD: &str = METHOD_GET_TOTAL_DATA;
pub(crate) const VERSION: &str = "v1";

/// The store (`S_…`) or enterprise (`O_…`).
const ID: &str = opretail_model::GetTotalData::PARAM_ID;
/// `1` or absent: figures with units (`人`, `%`, `元`) as text; `0`: plain numbers.
const NEED_UNIT: &str = opretail_model::GetTotalData::PARAM_NEED_UNIT;

/// How values are written: with units, plain, and whether loose types are used.
#[derive(Clone, Copy)]
struct Style {
    units: bool,
    quirks: bool,
}

/// One value of the answer: text, or a JSON number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
enum Figure {
    Text(String),
    Int(u64),
    Signed(i64),
    Float(f64),
}

impl Figure {
    /// The value as the text `cfgData` carries: a number as JSON writes it.
    fn into_text(self) -> String {
        match self {
            Figure::Text(text) => text,
            Figure::Int(n) => n.to_string(),
            Figure::Signed(n) => n.to_string(),
            Figure::Float(x) => {
                serde_json::Number::from_f64(x).map_or_else(|| "null".to_owned(), |n| n.to_string())
            }
        }
    }
}

impl Style {
    fn count(self, n: u64) -> Figure {
        match (self.units, self.quirks) {
            (true, false) => Figure::Text(format!("{n}人")),
            (true, true) => Figure::Text(format!("{}人", thousands(n))),
            (false, false) => Figure::Int(n),
            (false, true) => Figure::Text(n.to_string()),
        }
    }

    fn rate(self, tenths: u32) -> Figure {
        let (whole, tenth) = (tenths / 10, tenths % 10);
        match (self.units, self.quirks) {
            (true, _) => Figure::Text(format!("{whole}.{tenth}%")),
            (false, false) => Figure::Float(f64::from(tenths) / 10.0),
            (false, true) => Figure::Text(format!("{whole}.{tenth}")),
        }
    }

    fn money(self, fen: u64) -> Figure {
        let (yuan, fen_part) = (fen / 100, fen % 100);
        match (self.units, self.quirks) {
            (true, _) => Figure::Text(format!("{yuan}.{fen_part:02}元")),
            (false, false) => Figure::Float(fen as f64 / 100.0),
            (false, true) => Figure::Text(format!("{yuan}.{fen_part:02}")),
        }
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `data` of `getTotalData`, serialized as it is: no JSON tree is built for it. Fields
/// in the order the answer has always had (by name, as a JSON map sorts them).
#[derive(Debug, Serialize)]
struct Payload {
    #[serde(rename = "BUY_RATE")]
    buy_rate: Figure,
    #[serde(rename = "DAY_FLOW")]
    day_flow: Figure,
    #[serde(rename = "ENTER_RATE")]
    enter_rate: Figure,
    /// Absent from loose answers.
    #[serde(rename = "EXPENDITURE", skip_serializing_if = "Option::is_none")]
    expenditure: Option<Figure>,
    /// `null` in loose answers.
    #[serde(rename = "FITTING_RATE")]
    fitting_rate: Option<Figure>,
    #[serde(rename = "MONTH_FLOW")]
    month_flow: Figure,
    /// Only in loose answers.
    #[serde(rename = "REMARK", skip_serializing_if = "Option::is_none")]
    remark: Option<&'static str>,
    #[serde(rename = "TOTAL_SALE")]
    total_sale: Figure,
    /// Only in loose answers: milliseconds since 1970.
    #[serde(rename = "UPDATE_TIME", skip_serializing_if = "Option::is_none")]
    update_time: Option<i64>,
    #[serde(rename = "WEATHER")]
    weather: Weather,
    #[serde(rename = "WEEK_FLOW")]
    week_flow: Figure,
    #[serde(rename = "cfgData")]
    cfg_data: CfgData,
}

/// `WEATHER`, fields by name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Weather {
    city_id: String,
    classify: &'static str,
    create_date: String,
    custom_icon: &'static str,
    day_picture_url: String,
    id: Figure,
    night_picture_url: String,
    temperature: String,
    weather: &'static str,
    weather_date: String,
    wind: &'static str,
}

/// `cfgData`: a list, or (loose gateways) its first item alone.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum CfgData {
    One(CfgItem),
    List(Vec<CfgItem>),
}

/// One item of `cfgData`, fields by name.
#[derive(Debug, Serialize)]
struct CfgItem {
    key: &'static str,
    name: &'static str,
    #[serde(rename = "type")]
    kind: u8,
    value: String,
}

fn weather(id: &str, figures: &Figures, date: NaiveDate, quirks: bool) -> Weather {
    let (name, icon) = WEATHERS[figures.weather % WEATHERS.len()];
    let city = 101_010_100 + (seed(&[id.as_bytes()]) % 3_000) * 100;
    let weather_id = i64::from(date.year()) * 10_000 + i64::from(date.month() * 100 + date.day());
    let date = date.format("%Y-%m-%d").to_string();
    Weather {
        city_id: city.to_string(),
        classify: "1",
        create_date: format!("{date} 06:00:00"),
        custom_icon: if quirks { "" } else { icon },
        day_picture_url: format!("https://weather.sandbox.invalid/day/{icon}.png"),
        id: if quirks {
            Figure::Text(weather_id.to_string())
        } else {
            Figure::Signed(weather_id)
        },
        night_picture_url: format!("https://weather.sandbox.invalid/night/{icon}.png"),
        temperature: format!("{} ~ {}℃", figures.low_temp, figures.low_temp + 8),
        weather: name,
        weather_date: date,
        wind: WINDS[figures.low_temp.rem_euclid(4) as usize],
    }
}

fn cfg_data(figures: &Figures, style: Style) -> CfgData {
    let plain = Style {
        quirks: false,
        ..style
    };
    let items = [
        ("进店率", 1, "ENTER_RATE", plain.rate(figures.enter_rate)),
        ("成交率", 1, "BUY_RATE", plain.rate(figures.buy_rate)),
        (
            "试衣率",
            1,
            "FITTING_RATE",
            plain.rate(figures.fitting_rate),
        ),
        ("客单价", 0, "EXPENDITURE", plain.money(figures.price_fen)),
    ];
    let mut list: Vec<CfgItem> = items
        .into_iter()
        .take(figures.cfg_items)
        .map(|(name, kind, key, value)| CfgItem {
            key,
            name,
            kind,
            value: value.into_text(),
        })
        .collect();
    if style.quirks {
        // Loose gateways send a lone item as an object instead of a one-element list.
        CfgData::One(list.swap_remove(0))
    } else {
        CfgData::List(list)
    }
}

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let id = call.params.get(ID);
    if !is_entity_id(id) {
        return Err(business_error(
            ID_ILLEGAL,
            format!(
                "{ID} {id:?} is not a store (S_…) or enterprise (O_…) id; prefix it with S_ or O_"
            ),
        ));
    }
    let units = match call.params.get(NEED_UNIT) {
        "" | "1" => true,
        "0" => false,
        other => {
            return Err(business_error(
                NEED_UNIT_ILLEGAL,
                format!("{NEED_UNIT} {other:?} must be 0 or 1"),
            ));
        }
    };
    let date = call.now.date_naive();
    // A store's uploaded sales of the day replace the synthesized ones.
    let uploaded = id
        .strip_prefix("S_")
        .and_then(crate::synthesis::tenant::parse_id)
        .and_then(|dep_id| call.platform.sales.day(dep_id, date));
    Ok(Data::new(payload(
        &call.flows(),
        id,
        &call.now,
        units,
        call.quirks,
        uploaded,
    )))
}

/// The `data` object of `id` on the gateway-local day of `now`.
fn payload(
    flows: &FlowView,
    id: &str,
    now: &DateTime<FixedOffset>,
    units: bool,
    quirks: bool,
    uploaded: Option<crate::sales::Figures>,
) -> Payload {
    let style = Style { units, quirks };
    let date = now.date_naive();
    let mut f = Figures::at(flows, id, date, now.hour());
    if let Some(sales) = uploaded {
        f.use_sales(sales);
    }
    let mut data = Payload {
        buy_rate: style.rate(f.buy_rate),
        day_flow: style.count(f.day_flow),
        enter_rate: style.rate(f.enter_rate),
        expenditure: Some(style.money(f.price_fen)),
        fitting_rate: Some(style.rate(f.fitting_rate)),
        month_flow: style.count(f.month_flow),
        remark: None,
        total_sale: style.money(f.sales_fen),
        update_time: None,
        weather: weather(id, &f, date, quirks),
        week_flow: style.count(f.week_flow),
        cfg_data: cfg_data(&f, style),
    };
    if quirks {
        // Loose gateways: a rate as a bare number, a null, a missing field, extra fields.
        let updated_ms = date
            .and_hms_opt(6, 0, 0)
            .expect("06:00:00 is a valid time")
            .and_local_timezone(now.timezone())
            .single()
            .expect("a fixed offset maps every local time to one instant")
            .timestamp_millis();
        data.enter_rate = Figure::Float(f64::from(f.enter_rate) / 10.0);
        data.fitting_rate = None;
        data.remark = Some("sandbox quirks");
        data.update_time = Some(updated_ms);
        data.expenditure = None;
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weather_and_update_time_use_the_gateway_day() {
        // 2026-11-27 23:30 UTC is already the 28th in UTC+08:00.
        let now = crate::clock::parse_timestamp("20261128073000", crate::clock::gateway_offset())
            .unwrap();
        let data = serde_json::to_value(payload(&FlowView::new(now.naive_local(), None), "S_1", &now, true, true, None)).unwrap();
        assert_eq!(data["WEATHER"]["weatherDate"], "2026-11-28");
        assert_eq!(data["WEATHER"]["id"], "20261128");
        assert_eq!(data["WEATHER"]["createDate"], "2026-11-28 06:00:00");
        // 2026-11-28 06:00:00 UTC+08:00 is 2026-11-27 22:00:00 UTC.
        assert_eq!(data["UPDATE_TIME"], 1_795_816_800_000_i64);
        assert_eq!(
            serde_json::to_value(payload(&FlowView::new(now.naive_local(), None), "S_1", &now, true, false, None)).unwrap()["WEATHER"]["id"],
            20_261_128
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
