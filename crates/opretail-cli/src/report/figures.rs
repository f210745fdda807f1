//! The numbers of a report, computed from rows alone: the same rows `passenger-flow series`
//! prints and `sync` stores, so that every number on the page can be checked against them.
//!
//! Totals, ranks and changes come from the daily rows (the platform's own day figures, which
//! de-duplicate visitors over the day, so they are not the sum of the hours); the weekday x
//! hour heat map comes from the hourly rows.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Timelike};
use opretail_sync::read::{DemographicsRow, FlowRow};
use serde::Serialize;

/// How many stores the daily curve draws on their own; the rest are one line, their average.
pub const CURVE_STORES: usize = 5;

/// How many stores each ranking chart shows (the table below it has them all).
pub const RANKED_STORES: usize = 15;

/// The first day of the period before `from..=to`: as many days before `from` as it has.
pub fn previous_from(from: NaiveDate, to: NaiveDate) -> NaiveDate {
    from - (to - from) - chrono::TimeDelta::days(1)
}

/// One store's figures over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreFigures {
    /// `S_…`.
    pub id: String,
    /// Its name as the gateway or the database gave it (may be empty).
    pub name: String,
    /// Entering flow over the period: the sum of its daily figures.
    pub entering: i64,
    /// Entering plus passing over the period.
    pub outside: i64,
    /// Entering flow over the previous period.
    pub previous: i64,
    /// Change of entering against the previous period, in percent; none when the previous
    /// period counted nobody.
    pub change: Option<f64>,
    /// Entering / outside, in percent; none when nobody passed.
    pub entry_rate: Option<f64>,
}

/// One line of the daily curve: a store, or the average of the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveLine {
    /// The store's name (its id when it has none), or `others (N stores, average)`.
    pub label: String,
    /// Entering flow of each day of the period, in order.
    pub days: Vec<i64>,
}

/// A share of visitors: a group and its people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// `male`, `female`, `18-25`…
    pub group: String,
    /// Visitors in it, summed over stores and days.
    pub people: i64,
    /// Its share of the dimension's people, in percent.
    pub percent: f64,
}

/// Everything the page shows, as numbers: embedded in the page as JSON too.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// First day of the previous period.
    pub previous_from: NaiveDate,
    /// Entering flow of every store over the period.
    pub entering: i64,
    /// The same over the previous period.
    pub previous: i64,
    /// Change in percent; none when the previous period counted nobody.
    pub change: Option<f64>,
    /// Entering / outside over all stores, in percent.
    pub entry_rate: Option<f64>,
    /// The store with the most entering.
    pub busiest_store: Option<String>,
    /// The day with the most entering over all stores, and its figure.
    pub busiest_day: Option<(NaiveDate, i64)>,
    /// The weekday and hour with the most entering over the period (the heat map's top
    /// cell): weekday from Monday = 0, hour from 0.
    pub busiest_hour: Option<(u32, u32, i64)>,
    /// The days of the period, in order.
    pub days: Vec<NaiveDate>,
    /// The daily curve: the top stores, then the average of the others.
    pub curve: Vec<CurveLine>,
    /// Entering by weekday (Monday first) and hour.
    pub heat: [[i64; 24]; 7],
    /// Every store, by entering, most first.
    pub stores: Vec<StoreFigures>,
    /// Gender shares, when asked for.
    pub gender: Option<Vec<Share>>,
    /// Age-group shares, when asked for.
    pub age: Option<Vec<Share>>,
    /// Rows of buckets still running when they were read (their figures may still grow).
    pub partial_rows: usize,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| round2(part as f64 * 100.0 / whole as f64))
}

fn change(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| round2((now - before) as f64 * 100.0 / before as f64))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A row's outside flow: as given, else entering plus passing.
fn outside(row: &FlowRow) -> i64 {
    row.outside
        .unwrap_or_else(|| row.entering.unwrap_or(0) + row.passing.unwrap_or(0))
}

/// The figures of a report in the making: rows are added as they come, daily and hourly in
/// any order, and only sums are kept (each store's days, the heat map, the shares), so that a
/// year of hourly rows of hundreds of stores takes the memory of its figures, not of its rows.
#[derive(Debug, Clone)]
pub struct Tally {
    from: NaiveDate,
    to: NaiveDate,
    previous_from: NaiveDate,
    days: Vec<NaiveDate>,
    /// Whether a daily row of each day of the period came.
    seen: Vec<bool>,
    stores: BTreeMap<String, StoreTally>,
    heat: [[i64; 24]; 7],
    partial_rows: usize,
    gender: Option<Shares>,
    age: Option<Shares>,
}

/// A store's sums so far.
#[derive(Debug, Clone)]
struct StoreTally {
    /// The name of its latest row that has one, and that row's start: the same name
    /// whatever order the rows come in.
    name: Option<(chrono::NaiveDateTime, String)>,
    entering: i64,
    outside: i64,
    previous: i64,
    /// Entering of each day of the period.
    days: Vec<i64>,
}

/// People by group of one dimension, the groups in the order they first came.
#[derive(Debug, Clone, Default)]
struct Shares {
    order: Vec<String>,
    people: HashMap<String, i64>,
}

impl Tally {
    /// Nothing yet of the period `from..=to`; with `demographics`, the figures will have
    /// gender and age shares.
    pub fn new(from: NaiveDate, to: NaiveDate, demographics: bool) -> Tally {
        Tally {
            from,
            to,
            previous_from: previous_from(from, to),
            days: from.iter_days().take_while(|d| *d <= to).collect(),
            seen: from
                .iter_days()
                .take_while(|d| *d <= to)
                .map(|_| false)
                .collect(),
            stores: BTreeMap::new(),
            heat: [[0; 24]; 7],
            partial_rows: 0,
            gender: demographics.then(Shares::default),
            age: demographics.then(Shares::default),
        }
    }

    /// A daily row, of the period or of the previous one (others are left out, but their
    /// store is listed).
    pub fn add_daily(&mut self, row: &FlowRow) {
        let days = self.days.len();
        let store = self
            .stores
            .entry(row.store_id.clone())
            .or_insert_with(|| StoreTally {
                name: None,
                entering: 0,
                outside: 0,
                previous: 0,
                days: vec![0; days],
            });
        if let Some(name) = row.name.as_deref().filter(|n| !n.is_empty())
            && store
                .name
                .as_ref()
                .is_none_or(|(at, known)| (row.start, name) > (*at, known.as_str()))
        {
            store.name = Some((row.start, name.to_owned()));
        }
        let day = row.start.date();
        let entering = row.entering.unwrap_or(0);
        if day >= self.from && day <= self.to {
            store.entering += entering;
            store.outside += outside(row);
            if let Ok(offset) = usize::try_from((day - self.from).num_days())
                && let (Some(sum), Some(seen)) =
                    (store.days.get_mut(offset), self.seen.get_mut(offset))
            {
                *sum += entering;
                *seen = true;
            }
            self.partial_rows += usize::from(row.partial);
        } else if day >= self.previous_from && day < self.from {
            store.previous += entering;
        }
    }

    /// An hourly row; those outside the period are left out.
    pub fn add_hourly(&mut self, row: &FlowRow) {
        let day = row.start.date();
        if day < self.from || day > self.to {
            return;
        }
        let weekday = row.start.weekday().num_days_from_monday() as usize;
        self.heat[weekday][row.start.hour() as usize] += row.entering.unwrap_or(0);
        self.partial_rows += usize::from(row.partial);
    }

    /// A demographics row (left out unless the tally was made for them).
    pub fn add_demographics(&mut self, row: &DemographicsRow) {
        let shares = match row.dimension.as_str() {
            "gender" => self.gender.as_mut(),
            "age" => self.age.as_mut(),
            _ => None,
        };
        if let Some(shares) = shares {
            shares.add(&row.group, row.people.unwrap_or(0));
        }
    }

    /// The figures of the rows added.
    pub fn finish(self) -> Figures {
        let mut by_day = vec![0i64; self.days.len()];
        let mut curves: Vec<(String, Vec<i64>)> = Vec::with_capacity(self.stores.len());
        let mut stores: Vec<StoreFigures> = Vec::with_capacity(self.stores.len());
        for (id, store) in self.stores {
            for (sum, day) in by_day.iter_mut().zip(&store.days) {
                *sum += day;
            }
            curves.push((id.clone(), store.days));
            stores.push(StoreFigures {
                id,
                name: store.name.map(|(_, name)| name).unwrap_or_default(),
                change: change(store.entering, store.previous),
                entry_rate: percent(store.entering, store.outside),
                entering: store.entering,
                outside: store.outside,
                previous: store.previous,
            });
        }
        // Most entering first; ties by id, so that the order never depends on the source.
        stores.sort_by(|a, b| b.entering.cmp(&a.entering).then_with(|| a.id.cmp(&b.id)));

        let entering: i64 = stores.iter().map(|s| s.entering).sum();
        let previous: i64 = stores.iter().map(|s| s.previous).sum();
        let outside_all: i64 = stores.iter().map(|s| s.outside).sum();
        // The busiest of the days that have rows; the earliest of equals.
        let busiest_day = self
            .days
            .iter()
            .zip(&by_day)
            .zip(&self.seen)
            .filter(|(_, seen)| **seen)
            .map(|((day, n), _)| (*day, *n))
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        let heat = self.heat;
        let busiest_hour = (0..7)
            .flat_map(|w| (0..24).map(move |h| (w, h)))
            .map(|(w, h)| (w as u32, h as u32, heat[w][h]))
            .filter(|cell| cell.2 > 0)
            .max_by(|a, b| a.2.cmp(&b.2).then_with(|| (b.0, b.1).cmp(&(a.0, a.1))));
        Figures {
            from: self.from,
            to: self.to,
            previous_from: self.previous_from,
            entering,
            previous,
            change: change(entering, previous),
            entry_rate: percent(entering, outside_all),
            busiest_store: stores.first().filter(|s| s.entering > 0).map(label),
            busiest_day,
            busiest_hour,
            curve: curve(curves, &stores, self.days.len()),
            days: self.days,
            heat,
            stores,
            gender: self.gender.map(Shares::into_shares),
            age: self.age.map(Shares::into_shares),
            partial_rows: self.partial_rows,
        }
    }
}

impl Shares {
    fn add(&mut self, group: &str, people: i64) {
        match self.people.get_mut(group) {
            Some(sum) => *sum += people,
            None => {
                self.order.push(group.to_owned());
                self.people.insert(group.to_owned(), people);
            }
        }
    }

    /// The shares, in the order the groups first came.
    fn into_shares(self) -> Vec<Share> {
        let total: i64 = self.people.values().sum();
        self.order
            .into_iter()
            .map(|group| {
                let n = self.people[&group];
                Share {
                    percent: percent(n, total).unwrap_or(0.0),
                    people: n,
                    group,
                }
            })
            .collect()
    }
}

/// How a store is named on the page: its name, else its id.
pub fn label(store: &StoreFigures) -> String {
    if store.name.is_empty() {
        store.id.clone()
    } else {
        store.name.clone()
    }
}

/// The daily curve: the [`CURVE_STORES`] stores with the most entering (`stores`, ranked),
/// then the average of the others (rounded); `days` is each store's entering by day.
fn curve(days: Vec<(String, Vec<i64>)>, stores: &[StoreFigures], len: usize) -> Vec<CurveLine> {
    let top = stores.len().min(CURVE_STORES);
    let mut by_id: HashMap<String, Vec<i64>> = days.into_iter().collect();
    let mut lines: Vec<CurveLine> = stores[..top]
        .iter()
        .map(|s| CurveLine {
            label: label(s),
            days: by_id.remove(&s.id).unwrap_or_else(|| vec![0; len]),
        })
        .collect();
    let others = stores.len() - top;
    if others > 0 {
        let mut sum = vec![0i64; len];
        for store in by_id.values() {
            for (total, day) in sum.iter_mut().zip(store) {
                *total += day;
            }
        }
        // The others as one average store: their sum would dwarf the lines of single stores.
        let count = i64::try_from(others).unwrap_or(i64::MAX);
        lines.push(CurveLine {
            label: format!("others ({others} stores, average)"),
            days: sum.into_iter().map(|n| (n + count / 2) / count).collect(),
        });
    }
    lines
}

/// A weekday's short English name, Monday = 0.
pub fn weekday_name(index: u32) -> &'static str {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    NAMES.get(index as usize).copied().unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a report at once, as the tests give them.
    #[derive(Debug, Clone)]
    struct Dataset {
        from: NaiveDate,
        to: NaiveDate,
        daily: Vec<FlowRow>,
        hourly: Vec<FlowRow>,
        demographics: Option<Vec<DemographicsRow>>,
    }

    impl Figures {
        /// The figures of `data`, its rows added in the order given.
        fn of(data: &Dataset) -> Figures {
            let mut tally = Tally::new(data.from, data.to, data.demographics.is_some());
            data.daily.iter().for_each(|row| tally.add_daily(row));
            data.hourly.iter().for_each(|row| tally.add_hourly(row));
            for row in data.demographics.iter().flatten() {
                tally.add_demographics(row);
            }
            tally.finish()
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn row(store: &str, at: chrono::NaiveDateTime, entering: i64, passing: i64) -> FlowRow {
        FlowRow {
            store_id: store.into(),
            name: Some(format!("name of {store}")),
            start: at,
            entering: Some(entering),
            passing: Some(passing),
            outside: None,
            partial: false,
        }
    }

    fn daily(store: &str, d: u32, entering: i64) -> FlowRow {
        row(
            store,
            day(d).and_hms_opt(0, 0, 0).unwrap(),
            entering,
            entering * 3,
        )
    }

    #[test]
    fn the_figures_are_the_same_whatever_order_the_rows_come_in() {
        let hour = |store: &str, d: u32, h: u32, entering: i64| {
            row(store, day(d).and_hms_opt(h, 0, 0).unwrap(), entering, 1)
        };
        let mut renamed = daily("S_1", 9, 5);
        renamed.name = Some("S_1, renamed on the 9th".into());
        let mut daily_rows = vec![
            daily("S_1", 7, 50),
            daily("S_1", 8, 60),
            renamed,
            daily("S_2", 8, 0),
            daily("S_3", 9, 7),
        ];
        for n in 4..12 {
            daily_rows.push(daily(&format!("S_{n}"), 8, n));
        }
        let data = |daily: Vec<FlowRow>| Dataset {
            from: day(8),
            to: day(9),
            daily,
            hourly: vec![hour("S_1", 8, 10, 3), hour("S_2", 9, 23, 4)],
            demographics: None,
        };
        let forward = Figures::of(&data(daily_rows.clone()));
        daily_rows.reverse();
        let backward = Figures::of(&data(daily_rows));
        assert_eq!(forward, backward);
        assert_eq!(forward.stores.len(), 11);
        let first = forward.stores.iter().find(|s| s.id == "S_1").unwrap();
        assert_eq!(first.name, "S_1, renamed on the 9th");
        // The curve: five stores, then the average of the six others.
        assert_eq!(forward.curve.len(), 6);
        assert_eq!(forward.curve[5].label, "others (6 stores, average)");
        assert_eq!(
            forward.busiest_day,
            Some((day(8), 60 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11))
        );
        // The 9th is a Monday (0).
        assert_eq!(forward.busiest_hour, Some((0, 23, 4)));
    }

    #[test]
    fn the_previous_period_is_as_long_and_just_before() {
        assert_eq!(previous_from(day(8), day(14)), day(1));
        assert_eq!(previous_from(day(2), day(2)), day(1));
    }

    #[test]
    fn totals_changes_rates_and_ranks_come_from_the_daily_rows() {
        let data = Dataset {
            from: day(8),
            to: day(9),
            daily: vec![
                daily("S_1", 6, 50),
                daily("S_1", 7, 50),
                daily("S_1", 8, 60),
                daily("S_1", 9, 90),
                daily("S_2", 8, 200),
                daily("S_2", 9, 100),
                // Another store with nothing before: no change to show.
                daily("S_3", 9, 10),
            ],
            hourly: vec![],
            demographics: None,
        };
        let f = Figures::of(&data);
        let ids: Vec<&str> = f.stores.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["S_2", "S_1", "S_3"]);
        assert_eq!((f.stores[1].entering, f.stores[1].previous), (150, 100));
        assert_eq!(f.stores[1].change, Some(50.0));
        assert_eq!(f.stores[2].change, None);
        // Entering over entering plus passing (3 x entering): a quarter.
        assert_eq!(f.stores[1].entry_rate, Some(25.0));
        assert_eq!((f.entering, f.previous, f.change), (460, 100, Some(360.0)));
        assert_eq!(f.busiest_store.as_deref(), Some("name of S_2"));
        assert_eq!(f.busiest_day, Some((day(8), 260)));
        assert_eq!(f.days, vec![day(8), day(9)]);
    }

    #[test]
    fn the_curve_draws_the_top_stores_and_sums_the_others() {
        let mut rows = Vec::new();
        for n in 1..=7 {
            rows.push(daily(&format!("S_{n}"), 8, n * 10));
        }
        let data = Dataset {
            from: day(8),
            to: day(8),
            daily: rows,
            hourly: vec![],
            demographics: None,
        };
        let f = Figures::of(&data);
        assert_eq!(f.curve.len(), CURVE_STORES + 1);
        assert_eq!(f.curve[0].label, "name of S_7");
        assert_eq!(f.curve[0].days, vec![70]);
        assert_eq!(f.curve[CURVE_STORES].label, "others (2 stores, average)");
        assert_eq!(f.curve[CURVE_STORES].days, vec![(10 + 20) / 2]);
    }

    #[test]
    fn the_heat_map_adds_hours_by_weekday_and_the_busiest_cell_is_named() {
        // 2026-11-09 is a Monday.
        let at = |d: u32, h: u32| day(d).and_hms_opt(h, 0, 0).unwrap();
        let data = Dataset {
            from: day(9),
            to: day(16),
            daily: vec![],
            hourly: vec![
                row("S_1", at(9, 10), 5, 0),
                row("S_2", at(9, 10), 7, 0),
                row("S_1", at(16, 10), 1, 0),
                row("S_1", at(15, 18), 12, 0),
                // Outside the period: not counted.
                row("S_1", at(8, 18), 100, 0),
            ],
            demographics: None,
        };
        let f = Figures::of(&data);
        assert_eq!(f.heat[0][10], 13);
        assert_eq!(f.heat[6][18], 12);
        assert_eq!(f.heat.iter().flatten().sum::<i64>(), 25);
        assert_eq!(f.busiest_hour, Some((0, 10, 13)));
        assert_eq!(weekday_name(0), "Mon");
        assert_eq!(weekday_name(9), "?");
    }

    #[test]
    fn shares_add_people_over_stores_and_days() {
        let share =
            |store: &str, d: u32, dimension: &str, group: &str, people: i64| DemographicsRow {
                store_id: store.into(),
                day: day(d),
                dimension: dimension.into(),
                group: group.into(),
                people: Some(people),
            };
        let data = Dataset {
            from: day(8),
            to: day(9),
            daily: vec![],
            hourly: vec![],
            demographics: Some(vec![
                share("S_1", 8, "gender", "male", 30),
                share("S_1", 8, "gender", "female", 10),
                share("S_2", 9, "gender", "male", 10),
                share("S_2", 9, "age", "18-25", 4),
            ]),
        };
        let f = Figures::of(&data);
        let gender = f.gender.unwrap();
        assert_eq!(gender[0].group, "male");
        assert_eq!((gender[0].people, gender[0].percent), (40, 80.0));
        assert_eq!((gender[1].people, gender[1].percent), (10, 20.0));
        assert_eq!(f.age.unwrap()[0].percent, 100.0);
    }
}
