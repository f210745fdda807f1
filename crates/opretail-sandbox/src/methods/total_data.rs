//! `open.shopweb.passengerFlow.getTotalData` v1: deterministic, realistic passenger-flow totals.
//!
//! Every figure follows from the `id` and the gateway-local day and hour alone, so runs
//! agree. `DAY_FLOW` is today's hours so far (up to and including the current hour) of the
//! hourly figures in [`flow`](super::flow), the same the time-series methods answer; the week
//! and month figures add the earlier days' whole figures, which makes
//! `DAY_FLOW <= WEEK_FLOW <= MONTH_FLOW` hold by construction (the month window also covers
//! the current week's days when the week began in the previous month).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Timelike};
use serde::Serialize;

use super::codes::{ID_ILLEGAL, NEED_UNIT_ILLEGAL, business_error};
use super::{Call, Data};
use crate::validate::Rejection;

/// The method's name.
pub(crate) const METHOD: &str = opretail_model::METHOD_GET_TOTAL_DATA;

/// A stable 64-bit hash (FNV-1a): `std`'s hasher may change between releases.
pub(crate) fn seed(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The seed's day number: days since 1970-01-01, so that the data of a day never changes.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    (date - DateTime::UNIX_EPOCH.date_naive()).num_days()
}

pub(crate) fn rng_for(id: &str, day: i64, salt: &str) -> fastrand::Rng {
    fastrand::Rng::with_seed(seed(&[id.as_bytes(), &day.to_le_bytes(), salt.as_bytes()]))
}

/// The figures of one id on one day, before formatting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figures {
    pub(crate) day_flow: u64,
    pub(crate) week_flow: u64,
    pub(crate) month_flow: u64,
    pub(crate) buyers: u64,
    /// Sales in fen (hundredths of a yuan).
    pub(crate) sales_fen: u64,
    /// Customer price in fen: sales / buyers, rounded.
    pub(crate) price_fen: u64,
    /// Rates in tenths of a percent.
    pub(crate) enter_rate: u32,
    pub(crate) buy_rate: u32,
    pub(crate) fitting_rate: u32,
    pub(crate) weather: usize,
    pub(crate) low_temp: i64,
    pub(crate) cfg_items: usize,
}

const WEATHERS: [(&str, &str); 6] = [
    ("晴", "qing"),
    ("多云", "duoyun"),
    ("阴", "yin"),
    ("小雨", "xiaoyu"),
    ("中雨", "zhongyu"),
    ("雷阵雨", "leizhenyu"),
];
const WINDS: [&str; 4] = ["东北风3-4级", "南风微风", "西北风4-5级", "东风2级"];

pub(crate) fn daily_flow(id: &str, date: NaiveDate) -> u64 {
    // A store sees a few hundred to a few thousand visitors; an enterprise is many stores.
    let mut base_rng = rng_for(id, 0, "base");
    let mut base = base_rng.u64(300..3_000);
    if id.starts_with("O_") {
        base *= base_rng.u64(20..120);
    }
    let weekday_factor = match date.weekday() {
        chrono::Weekday::Fri => 1.1,
        chrono::Weekday::Sat | chrono::Weekday::Sun => 1.35,
        _ => 1.0,
    };
    let noise = 0.8 + rng_for(id, day_number(date), "flow").f64() * 0.4;
    (base as f64 * weekday_factor * noise).round() as u64
}

impl Figures {
    /// The figures of `id` at the end of the gateway-local day `date`.
    #[cfg(test)]
    pub(crate) fn compute(id: &str, date: NaiveDate) -> Figures {
        Figures::at(id, date, 23)
    }

    /// The figures of `id` on the gateway-local day `date` when its hour `hour` (0 to 23)
    /// has begun: today counts its hours up to and including `hour`.
    pub(crate) fn at(id: &str, date: NaiveDate, hour: u32) -> Figures {
        let week_start = date - TimeDelta::days(i64::from(date.weekday().num_days_from_monday()));
        let month_start = date
            .with_day(1)
            .expect("every month has a first day")
            .min(week_start);
        let (mut week_flow, mut month_flow) = (0, 0);
        let mut day_flow = 0;
        for d in month_start.iter_days().take_while(|d| *d <= date) {
            let flow = if d == date {
                super::flow::day_so_far(id, date, hour)
            } else {
                daily_flow(id, d)
            };
            month_flow += flow;
            if d >= week_start {
                week_flow += flow;
            }
            day_flow = flow;
        }
        let mut rng = rng_for(id, day_number(date), "rates");
        let enter_rate = rng.u32(200..600);
        let buy_rate_target = rng.u64(100..400);
        let fitting_rate = rng.u32(150..500);
        // Every hour counts at least one visitor, so a day so far has one; a whole day has at
        // least 240 (300 × 0.8), so at least 24 buyers (10 %). At least one buyer keeps the
        // customer price defined early in the morning.
        let day_flow = day_flow.max(1);
        let buyers = ((day_flow * buy_rate_target + 500) / 1000).clamp(1, day_flow);
        let buy_rate = (buyers * 1000 + day_flow / 2) / day_flow;
        let buy_rate = u32::try_from(buy_rate).expect("a rate is at most 1000 tenths");
        let unit_price_fen = rng.u64(8_000..60_000);
        let sales_fen = buyers * unit_price_fen;
        let price_fen = (sales_fen + buyers / 2)
            .checked_div(buyers)
            .expect("a day has buyers");
        Figures {
            day_flow,
            week_flow,
            month_flow,
            buyers,
            sales_fen,
            price_fen,
            enter_rate,
            buy_rate,
            fitting_rate,
            weather: rng.usize(0..WEATHERS.len()),
            low_temp: rng.i64(-5..25),
            cfg_items: rng.usize(3..=4),
        }
    }
}

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
pub(crate) struct Payload {
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
    let id = call.params.get("id");
    let valid_id = ["S_", "O_"]
        .iter()
        .any(|p| id.len() > p.len() && id.starts_with(p));
    if !valid_id {
        return Err(business_error(
            ID_ILLEGAL,
            format!(
                "id {id:?} is not a store (S_…) or enterprise (O_…) id; prefix it with S_ or O_"
            ),
        ));
    }
    let units = match call.params.get("needUnit") {
        "" | "1" => true,
        "0" => false,
        other => {
            return Err(business_error(
                NEED_UNIT_ILLEGAL,
                format!("needUnit {other:?} must be 0 or 1"),
            ));
        }
    };
    Ok(Data::TotalData(Box::new(payload(
        id,
        &call.now,
        units,
        call.quirks,
    ))))
}

/// The `data` object of `id` on the gateway-local day of `now`.
fn payload(id: &str, now: &DateTime<FixedOffset>, units: bool, quirks: bool) -> Payload {
    let style = Style { units, quirks };
    let date = now.date_naive();
    let f = Figures::at(id, date, now.hour());
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
    fn figures_are_consistent_and_deterministic_over_many_days() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for id in ["S_1", "S_1001", "O_42", "O_7"] {
            for date in start.iter_days().take(400) {
                let f = Figures::compute(id, date);
                assert_eq!(f, Figures::compute(id, date));
                assert!(f.day_flow >= 240 && f.buyers >= 24, "{f:?}");
                assert!(
                    f.day_flow <= f.week_flow && f.week_flow <= f.month_flow,
                    "{f:?}"
                );
                for rate in [f.enter_rate, f.buy_rate, f.fitting_rate] {
                    assert!(rate <= 1000);
                }
                let price = (f.sales_fen + f.buyers / 2) / f.buyers;
                assert_eq!(price, f.price_fen);
                assert!((3..=4).contains(&f.cfg_items));
            }
        }
    }

    #[test]
    fn windows_follow_the_gateway_calendar() {
        // 2026-11-28 is a Saturday: the week began on Monday the 23rd.
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let f = Figures::compute("S_1", date);
        let week: u64 = (23..=28)
            .map(|d| daily_flow("S_1", NaiveDate::from_ymd_opt(2026, 11, d).unwrap()))
            .sum();
        let month: u64 = (1..=28)
            .map(|d| daily_flow("S_1", NaiveDate::from_ymd_opt(2026, 11, d).unwrap()))
            .sum();
        assert_eq!((f.week_flow, f.month_flow), (week, month));
        // Sunday 2026-11-01: the week began in October, and the month window covers it.
        let date = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let f = Figures::compute("S_1", date);
        assert_eq!(f.week_flow, f.month_flow);
        assert!(f.week_flow > f.day_flow);
        assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    }

    #[test]
    fn weather_and_update_time_use_the_gateway_day() {
        // 2026-11-27 23:30 UTC is already the 28th in UTC+08:00.
        let now = crate::clock::parse_timestamp("20261128073000", crate::clock::gateway_offset())
            .unwrap();
        let data = serde_json::to_value(payload("S_1", &now, true, true)).unwrap();
        assert_eq!(data["WEATHER"]["weatherDate"], "2026-11-28");
        assert_eq!(data["WEATHER"]["id"], "20261128");
        assert_eq!(data["WEATHER"]["createDate"], "2026-11-28 06:00:00");
        // 2026-11-28 06:00:00 UTC+08:00 is 2026-11-27 22:00:00 UTC.
        assert_eq!(data["UPDATE_TIME"], 1_795_816_800_000_i64);
        assert_eq!(
            serde_json::to_value(payload("S_1", &now, true, false)).unwrap()["WEATHER"]["id"],
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
