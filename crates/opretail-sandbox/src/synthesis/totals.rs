//! The figures of `getTotalData`: a day so far, its week and its month, buyers, sales, rates
//! and the day's weather, all drawn from the id and the gateway-local day.
//!
//! `DAY_FLOW` is today's hours so far (up to and including the current hour) of the hourly
//! figures in [`flow`](super::flow), the same the time-series methods answer; the week and
//! month figures add the earlier days' whole figures, which makes
//! `DAY_FLOW <= WEEK_FLOW <= MONTH_FLOW` hold by construction (the month window also covers
//! the current week's days when the week began in the previous month).

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::synthesis::random::{day_number, rng_for};
use crate::synthesis::revision::FlowView;

/// The weathers a day may have: the name sent, and the icon it is drawn with.
pub(crate) const WEATHERS: [(&str, &str); 6] = [
    ("晴", "qing"),
    ("多云", "duoyun"),
    ("阴", "yin"),
    ("小雨", "xiaoyu"),
    ("中雨", "zhongyu"),
    ("雷阵雨", "leizhenyu"),
];
/// The winds a day may have.
pub(crate) const WINDS: [&str; 4] = ["东北风3-4级", "南风微风", "西北风4-5级", "东风2级"];

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

impl Figures {
    /// The figures of `id` at the end of the gateway-local day `date`.
    #[cfg(test)]
    pub(crate) fn compute(id: &str, date: NaiveDate) -> Figures {
        let end_of_day = date
            .and_hms_opt(23, 59, 59)
            .expect("23:59:59 is a valid time");
        Figures::at(&FlowView::new(end_of_day, None), id, date, 23)
    }

    /// The figures of `id` on the gateway-local day `date` when its hour `hour` (0 to 23)
    /// has begun, the flow as `flows` sees it: today counts its hours up to and including
    /// `hour`.
    pub(crate) fn at(flows: &FlowView, id: &str, date: NaiveDate, hour: u32) -> Figures {
        let week_start = date - TimeDelta::days(i64::from(date.weekday().num_days_from_monday()));
        let month_start = date
            .with_day(1)
            .expect("every month has a first day")
            .min(week_start);
        let (mut week_flow, mut month_flow) = (0, 0);
        let mut day_flow = 0;
        for d in month_start.iter_days().take_while(|d| *d <= date) {
            let flow = if d == date {
                flows.day_so_far(id, date, hour)
            } else {
                flows.day_total(id, d)
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

    /// The day's sales as uploaded: buyers and sales from `sales`, and the rates derived
    /// from them as for synthesized ones (purchase rate = buyers / day flow, customer price
    /// = sales / buyers), so that the figures still agree with each other. A rate may then
    /// pass 100 %, as uploaded figures allow; no buyer gives a customer price of 0.
    pub(crate) fn use_sales(&mut self, sales: crate::sales::Figures) {
        self.buyers = sales.buyers;
        self.sales_fen = sales.sales_fen;
        let day_flow = self.day_flow.max(1);
        let buy_rate =
            (u128::from(sales.buyers) * 1000 + u128::from(day_flow / 2)) / u128::from(day_flow);
        self.buy_rate = u32::try_from(buy_rate).unwrap_or(u32::MAX);
        self.price_fen = (sales.sales_fen.saturating_add(sales.buyers / 2))
            .checked_div(sales.buyers)
            .unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthesis::flow::daily_flow;

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
    fn uploaded_sales_replace_the_synthesized_ones_and_the_rates_follow() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let mut f = Figures::compute("S_1001", date);
        let (flow, enter_rate) = (f.day_flow, f.enter_rate);
        f.use_sales(crate::sales::Figures {
            deals: 12,
            sales_fen: 345_670,
            buyers: 10,
        });
        assert_eq!((f.buyers, f.sales_fen, f.price_fen), (10, 345_670, 34_567));
        assert_eq!(u64::from(f.buy_rate), (10 * 1000 + flow / 2) / flow);
        assert_eq!((f.day_flow, f.enter_rate), (flow, enter_rate));
        f.use_sales(crate::sales::Figures::default());
        assert_eq!(
            (f.buyers, f.sales_fen, f.price_fen, f.buy_rate),
            (0, 0, 0, 0)
        );
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
}
