//! `open.shopweb.passengerFlow.getTotalData` v1: deterministic, realistic passenger-flow totals.
//!
//! Every figure follows from the `id` and the gateway-local day alone, so runs agree. Daily
//! flows are drawn per day; the week and month figures are sums of those days, which makes
//! `DAY_FLOW <= WEEK_FLOW <= MONTH_FLOW` hold by construction (the month window also covers
//! the current week's days when the week began in the previous month).

use std::cell::RefCell;
use std::collections::HashMap;

use bytes::Bytes;
use opretail_model::ReturnCode;
use opretail_sign::{Timestamp, UtcOffset};
use serde_json::{Map, Value, json};

use super::Call;
use crate::validate::Rejection;

/// The method's name.
pub(crate) const METHOD: &str = "open.shopweb.passengerFlow.getTotalData";

/// The sandbox's business code for an `id` without an `S_` or `O_` prefix (not a gateway code).
pub const ID_ILLEGAL: i64 = 4001;
/// The sandbox's business code for a `needUnit` other than `0` or `1`.
pub const NEED_UNIT_ILLEGAL: i64 = 4002;

const SECONDS_PER_DAY: i64 = 86_400;

/// A stable 64-bit hash (FNV-1a): `std`'s hasher may change between releases.
fn seed(parts: &[&[u8]]) -> u64 {
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

fn rng_for(id: &str, day: i64, salt: &str) -> fastrand::Rng {
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

fn daily_flow(id: &str, day: i64) -> u64 {
    // A store sees a few hundred to a few thousand visitors; an enterprise is many stores.
    let mut base_rng = rng_for(id, 0, "base");
    let mut base = base_rng.u64(300..3_000);
    if id.starts_with("O_") {
        base *= base_rng.u64(20..120);
    }
    let weekday = (day + 3).rem_euclid(7); // 0 = Monday; 1970-01-01 was a Thursday.
    let weekday_factor = match weekday {
        4 => 1.1,
        5 | 6 => 1.35,
        _ => 1.0,
    };
    let noise = 0.8 + rng_for(id, day, "flow").f64() * 0.4;
    (base as f64 * weekday_factor * noise).round() as u64
}

impl Figures {
    /// The figures of `id` on the gateway-local day that contains `now_unix`.
    pub(crate) fn compute(id: &str, now_unix: i64) -> Figures {
        let day = gateway_day(now_unix);
        let day_of_month = Timestamp::from_unix(now_unix, UtcOffset::GATEWAY)
            .ok()
            .and_then(|ts| ts.as_str()[6..8].parse::<i64>().ok())
            .unwrap_or(1);
        let week_start = day - (day + 3).rem_euclid(7);
        let month_start = (day - (day_of_month - 1)).min(week_start);
        let (mut week_flow, mut month_flow) = (0, 0);
        let mut day_flow = 0;
        for d in month_start..=day {
            let flow = daily_flow(id, d);
            month_flow += flow;
            if d >= week_start {
                week_flow += flow;
            }
            day_flow = flow;
        }
        let mut rng = rng_for(id, day, "rates");
        let enter_rate = rng.u32(200..600);
        let buy_rate_target = rng.u64(100..400);
        let fitting_rate = rng.u32(150..500);
        let buyers = (day_flow * buy_rate_target + 500) / 1000;
        let buy_rate = (buyers * 1000 + day_flow / 2)
            .checked_div(day_flow)
            .map_or(0, |r| r as u32);
        let unit_price_fen = rng.u64(8_000..60_000);
        let sales_fen = buyers * unit_price_fen;
        let price_fen = (sales_fen + buyers / 2).checked_div(buyers).unwrap_or(0);
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

impl Style {
    fn count(self, n: u64) -> Value {
        match (self.units, self.quirks) {
            (true, false) => Value::String(format!("{n}人")),
            (true, true) => Value::String(format!("{}人", thousands(n))),
            (false, false) => json!(n),
            (false, true) => Value::String(n.to_string()),
        }
    }

    fn rate(self, tenths: u32) -> Value {
        let text = format!("{}.{}", tenths / 10, tenths % 10);
        match (self.units, self.quirks) {
            (true, _) => Value::String(format!("{text}%")),
            (false, false) => json!(f64::from(tenths) / 10.0),
            (false, true) => Value::String(text),
        }
    }

    fn money(self, fen: u64) -> Value {
        let text = format!("{}.{:02}", fen / 100, fen % 100);
        match (self.units, self.quirks) {
            (true, _) => Value::String(format!("{text}元")),
            (false, false) => json!(fen as f64 / 100.0),
            (false, true) => Value::String(text),
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

fn gateway_date(unix: i64) -> (String, String) {
    let ts = Timestamp::from_unix(unix, UtcOffset::GATEWAY)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|_| "19700101000000".to_owned());
    let date = format!("{}-{}-{}", &ts[0..4], &ts[4..6], &ts[6..8]);
    (ts, date)
}

fn weather(id: &str, figures: &Figures, now_unix: i64, quirks: bool) -> Value {
    let (digits, date) = gateway_date(now_unix);
    let (name, icon) = WEATHERS[figures.weather % WEATHERS.len()];
    let city = 101_010_100 + (seed(&[id.as_bytes()]) % 3_000) * 100;
    let weather_id: i64 = digits[0..8].parse().unwrap_or_default();
    json!({
        "classify": "1",
        "dayPictureUrl": format!("https://weather.sandbox.invalid/day/{icon}.png"),
        "nightPictureUrl": format!("https://weather.sandbox.invalid/night/{icon}.png"),
        "weatherDate": date,
        "temperature": format!("{} ~ {}℃", figures.low_temp, figures.low_temp + 8),
        "weather": name,
        "cityId": city.to_string(),
        "id": if quirks { Value::String(weather_id.to_string()) } else { json!(weather_id) },
        "customIcon": if quirks { Value::String(String::new()) } else { Value::String(icon.to_owned()) },
        "createDate": format!("{date} 06:00:00"),
        "wind": WINDS[(figures.low_temp.rem_euclid(4)) as usize],
    })
}

fn cfg_data(figures: &Figures, style: Style) -> Value {
    let text = |v: Value| match v {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let plain = Style {
        quirks: false,
        ..style
    };
    let items = [
        (
            "进店率",
            1,
            "ENTER_RATE",
            text(plain.rate(figures.enter_rate)),
        ),
        ("成交率", 1, "BUY_RATE", text(plain.rate(figures.buy_rate))),
        (
            "试衣率",
            1,
            "FITTING_RATE",
            text(plain.rate(figures.fitting_rate)),
        ),
        (
            "客单价",
            0,
            "EXPENDITURE",
            text(plain.money(figures.price_fen)),
        ),
    ];
    let list: Vec<Value> = items
        .into_iter()
        .take(figures.cfg_items)
        .map(|(name, kind, key, value)| json!({"name": name, "type": kind, "value": value, "key": key}))
        .collect();
    if style.quirks {
        // Loose gateways send a lone item as an object instead of a one-element list.
        list.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(list)
    }
}

/// The return code for a number: a documented gateway code, or one of the sandbox's
/// business codes with its name.
pub(crate) fn return_code(code: i64) -> ReturnCode {
    let name = match code {
        ID_ILLEGAL => Some("ID_ILLEGAL"),
        NEED_UNIT_ILLEGAL => Some("NEED_UNIT_ILLEGAL"),
        _ => None,
    };
    ReturnCode::from_wire(code, name)
}

fn business_error(code: i64, detail: String) -> Rejection {
    Rejection {
        code: return_code(code),
        message: detail,
    }
}

pub(crate) fn handle(call: &Call<'_>) -> Result<Bytes, Rejection> {
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
    let day = gateway_day(call.now_unix);
    Ok(cached(id, day, units, call.quirks, || {
        super::to_json(&payload(id, call.now_unix, units, call.quirks))
    }))
}

/// The gateway-local day number (days since 1970-01-01 in UTC+08:00).
fn gateway_day(now_unix: i64) -> i64 {
    now_unix
        .saturating_add(i64::from(UtcOffset::GATEWAY.seconds()))
        .div_euclid(SECONDS_PER_DAY)
}

const CACHE_ENTRIES: usize = 1024;

thread_local! {
    // The payload depends only on (id, day, units, quirks): each worker thread keeps the
    // JSON of the ones it served, so a benchmark measures the gateway, not the generator.
    static CACHE: RefCell<HashMap<u64, (Box<str>, Bytes)>> = RefCell::new(HashMap::new());
}

fn cached(id: &str, day: i64, units: bool, quirks: bool, build: impl FnOnce() -> Bytes) -> Bytes {
    let key = seed(&[
        id.as_bytes(),
        &day.to_le_bytes(),
        &[u8::from(units), u8::from(quirks)],
    ]);
    let hit = CACHE.with_borrow(|cache| {
        cache
            .get(&key)
            .filter(|(cached_id, _)| **cached_id == *id)
            .map(|(_, json)| json.clone())
    });
    if let Some(json) = hit {
        return json;
    }
    let json = build();
    CACHE.with_borrow_mut(|cache| {
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, (id.into(), json.clone()));
    });
    json
}

/// The `data` object of `id` on the day of `now_unix`.
fn payload(id: &str, now_unix: i64, units: bool, quirks: bool) -> Value {
    let style = Style { units, quirks };
    let f = Figures::compute(id, now_unix);
    let mut data = Map::with_capacity(14);
    data.insert("DAY_FLOW".into(), style.count(f.day_flow));
    data.insert("WEEK_FLOW".into(), style.count(f.week_flow));
    data.insert("MONTH_FLOW".into(), style.count(f.month_flow));
    data.insert("TOTAL_SALE".into(), style.money(f.sales_fen));
    data.insert("ENTER_RATE".into(), style.rate(f.enter_rate));
    data.insert("BUY_RATE".into(), style.rate(f.buy_rate));
    if quirks {
        // Loose gateways: a rate as a bare number, a null, a missing field, extra fields.
        let updated_ms =
            (gateway_day(now_unix) * SECONDS_PER_DAY - 2 * 3_600).saturating_mul(1_000);
        data.insert("ENTER_RATE".into(), json!(f64::from(f.enter_rate) / 10.0));
        data.insert("FITTING_RATE".into(), Value::Null);
        data.insert("REMARK".into(), Value::String("sandbox quirks".into()));
        data.insert("UPDATE_TIME".into(), json!(updated_ms));
    } else {
        data.insert("EXPENDITURE".into(), style.money(f.price_fen));
        data.insert("FITTING_RATE".into(), style.rate(f.fitting_rate));
    }
    data.insert("WEATHER".into(), weather(id, &f, now_unix, quirks));
    data.insert("cfgData".into(), cfg_data(&f, style));
    Value::Object(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_consistent_and_deterministic_over_many_days() {
        let start = 1_767_225_600; // 2026-01-01T00:00:00Z
        for id in ["S_1", "S_1001", "O_42", "O_7"] {
            for day in 0..400 {
                let now = start + day * SECONDS_PER_DAY + 3_600 * (day % 24);
                let f = Figures::compute(id, now);
                assert_eq!(f, Figures::compute(id, now));
                assert!(f.day_flow > 0);
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
    fn cached_payloads_match_fresh_ones() {
        let now = 1_795_832_100;
        for (units, quirks) in [(true, false), (false, false), (true, true), (false, true)] {
            for id in ["S_1", "O_1"] {
                let fresh = super::super::to_json(&payload(id, now, units, quirks));
                let first = cached(id, gateway_day(now), units, quirks, || fresh.clone());
                let again = cached(id, gateway_day(now), units, quirks, Bytes::new);
                assert_eq!((&first, &again), (&fresh, &fresh));
            }
        }
        let next_day = cached("S_1", gateway_day(now) + 1, true, false, Bytes::new);
        assert!(next_day.is_empty());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
