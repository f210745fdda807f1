//! The one figure function behind every passenger-flow answer: the visitors entering a store
//! (or an organisation id) in one hour of one day.
//!
//! A day's figure is [`daily_flow`]; it is split over the day's 24 hours by weights drawn from
//! the id and the day, every hour getting at least one visitor and the hours adding up to the
//! day exactly. Everything else (passing flow, exits, fittings) is derived per hour from the
//! entering flow, so any window's figures are sums of hours.

use chrono::{Datelike, NaiveDate};

use crate::synthesis::random::{day_number, rng_for};

/// The visitors of `id` on the gateway-local day `date`, all day.
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

/// The shape of a retail day: how busy each hour is, relative to the others.
const SHAPE: [u32; 24] = [
    2, 1, 1, 1, 1, 2, 4, 8, 18, 40, 70, 85, 95, 90, 85, 88, 92, 100, 105, 95, 70, 40, 15, 5,
];

/// The entering flow of `id` in each hour of `date` (gateway-local): at least one per hour,
/// adding up to the day's figure exactly.
pub(crate) fn hours_of_day(id: &str, date: NaiveDate) -> [u64; 24] {
    let total = daily_flow(id, date);
    let mut rng = rng_for(id, day_number(date), "hours");
    let weights: [f64; 24] = std::array::from_fn(|h| f64::from(SHAPE[h]) * (0.8 + 0.4 * rng.f64()));
    let weight_sum: f64 = weights.iter().sum();
    // One visitor per hour first, the rest by weight with the largest remainders rounded up.
    let rest = total.saturating_sub(24);
    let mut parts = [1_u64; 24];
    let mut remainders = [(0.0_f64, 0_usize); 24];
    let mut given = 0;
    for h in 0..24 {
        let exact = rest as f64 * weights[h] / weight_sum;
        let whole = exact.floor() as u64;
        parts[h] += whole;
        given += whole;
        remainders[h] = (exact - whole as f64, h);
    }
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = usize::try_from(rest.saturating_sub(given)).unwrap_or(usize::MAX);
    for (_, h) in remainders.iter().take(left) {
        parts[*h] += 1;
    }
    parts
}

/// The figures of one hour, or of a sum of hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flow {
    /// Entering flow.
    pub(crate) entering: u64,
    /// Passing flow: walked by without entering.
    pub(crate) passing: u64,
    /// Exit flow.
    pub(crate) exits: u64,
    /// Visitors who tried clothes on.
    pub(crate) fitting: u64,
}

impl Flow {
    /// Outside flow: entering plus passing.
    pub(crate) fn outside(&self) -> u64 {
        self.entering + self.passing
    }

    /// Entry rate in percent, to two decimals: entering / outside.
    pub(crate) fn in_shop_rate(&self) -> f64 {
        percent(self.entering, self.outside())
    }

    /// Fitting rate in percent, to two decimals: fitting / entering.
    pub(crate) fn dressing_rate(&self) -> f64 {
        percent(self.fitting, self.entering)
    }

    pub(crate) fn add(&mut self, other: Flow) {
        self.entering += other.entering;
        self.passing += other.passing;
        self.exits += other.exits;
        self.fitting += other.fitting;
    }
}

/// `part / whole` in percent, rounded to two decimals; 0 when `whole` is 0.
pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

/// The figures of `id` in every hour of `date`, all derived from [`hours_of_day`].
#[cfg(test)]
pub(crate) fn day_flows(id: &str, date: NaiveDate) -> [Flow; 24] {
    derived_flows(id, date, hours_of_day(id, date))
}

/// The figures of `id` in every hour of `date`, derived from the hours' entering flow.
pub(crate) fn derived_flows(id: &str, date: NaiveDate, entering: [u64; 24]) -> [Flow; 24] {
    let mut rng = rng_for(id, day_number(date), "derived");
    // Per day: how many walk by for each who enters, how many leave, how many try on.
    let passing_per_mille = rng.u64(1_500..9_000);
    let exit_per_mille = rng.u64(930..1_000);
    let fitting_per_mille = rng.u64(150..500);
    std::array::from_fn(|h| {
        let e = entering[h];
        Flow {
            entering: e,
            passing: (e * passing_per_mille + 500) / 1_000,
            exits: (e * exit_per_mille + 500) / 1_000,
            fitting: (e * fitting_per_mille + 500) / 1_000,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_add_up_to_the_day_and_each_has_a_visitor() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for id in ["S_1001", "S_1300", "O_42"] {
            for date in start.iter_days().take(120) {
                let hours = hours_of_day(id, date);
                assert_eq!(
                    hours.iter().sum::<u64>(),
                    daily_flow(id, date),
                    "{id} {date}"
                );
                assert!(hours.iter().all(|h| *h >= 1), "{hours:?}");
                assert_eq!(hours, hours_of_day(id, date));
                let flows = day_flows(id, date);
                for (flow, entering) in flows.iter().zip(hours) {
                    assert_eq!(flow.entering, entering);
                    assert!(flow.passing > flow.entering && flow.exits <= flow.entering);
                }
            }
        }
    }

    #[test]
    fn evenings_are_busier_than_nights() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let hours = hours_of_day("S_1001", date);
        assert!(hours[18] > 10 * hours[3], "{hours:?}");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(5, 5), 100.0);
    }
}
