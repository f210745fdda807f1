//! Passenger flow over time: the answers, the parameters, and the splitting of long
//! requests at their boundaries.

use std::num::NonZeroU32;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use opretail_model::engine::{decode_response, gateway_offset};
use opretail_model::{
    Bucket, DateRange, EntityId, FlowMethod, GetManyShopsPassengerIndicatorData,
    GetPassengerIndicatorData, Grain, HourRange, Measure, Operation, SeriesLimits, SeriesRequest,
    ShopSeries, ShopSeriesList, TimeWindow, merge_series,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn int(m: &Option<Measure>) -> Option<i64> {
    m.as_ref().and_then(Measure::as_i64)
}

fn stores(n: u32) -> Vec<EntityId> {
    (1..=n)
        .map(|i| EntityId::store(1000 + i).unwrap())
        .collect()
}

fn series(ids: Vec<EntityId>, first: NaiveDate, last: NaiveDate, grain: Grain) -> SeriesRequest {
    let days = DateRange::new(first, last).unwrap();
    SeriesRequest::new(GetManyShopsPassengerIndicatorData::new(ids, days, grain).unwrap())
}

/// Each call's (ids, first day, last day).
fn plan(request: &SeriesRequest) -> Vec<(usize, NaiveDate, NaiveDate)> {
    request
        .calls()
        .unwrap()
        .iter()
        .map(|c| (c.ids().len(), c.days().first(), c.days().last()))
        .collect()
}

#[test]
fn the_indicator_answer_decodes_every_figure() {
    let op =
        GetPassengerIndicatorData::new(&"S_1001".parse().unwrap(), date(2026, 11, 28)).unwrap();
    let body = include_bytes!("fixtures/series/indicator.json");
    let data = decode_response(&op, 200, body).unwrap().output;
    assert_eq!(int(&data.passenger_flow), Some(1204));
    assert_eq!(int(&data.pass_passenger_flow), Some(13_586));
    assert_eq!(int(&data.outside_passenger_flow), Some(14_790));
    assert_eq!(data.in_shop_rate.as_ref().unwrap().value(), 8.14);
    assert_eq!(data.out_flow_count, None);
    let dressing = data.dressing_rate.as_ref().unwrap();
    assert_eq!((dressing.value(), dressing.unit()), (12.5, Some("%")));
    assert_eq!(data.dressing_passenger_flow, None);
    assert_eq!(data.shop_id.as_deref(), Some("1001"));
    assert_eq!(data.extra["weatherText"], "晴");

    let body = include_bytes!("fixtures/series/indicator-outside-spelling.json");
    let data = decode_response(&op, 200, body).unwrap().output;
    assert_eq!(int(&data.outside_passenger_flow), Some(901));
    assert!(data.extra.is_empty());
    // No `data` at all is not an empty success: the error names the method.
    let empty = decode_response(&op, 200, br#"{"stat":{"code":"0"}}"#).unwrap_err();
    assert!(
        empty.to_string().contains("getPassengerIndicatorData"),
        "{empty}"
    );
}

#[test]
fn the_indicator_window_is_sent_at_the_gateways_clock() {
    // 23:30 in New York (UTC-5) on the 27th is 12:30 on the 28th at UTC+8.
    let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
    let start = new_york.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
    let end = new_york.with_ymd_and_hms(2026, 11, 28, 1, 30, 0).unwrap();
    let window = TimeWindow::between(&start, &end, gateway_offset()).unwrap();
    let op = GetPassengerIndicatorData::new(&"S_7".parse().unwrap(), window).unwrap();
    assert_eq!(
        op.params(),
        [
            ("depId", "7".into()),
            ("startTime", "2026-11-28 12:30:00".into()),
            ("endTime", "2026-11-28 14:30:00".into()),
            ("isOnBusinessTime", "0".into()),
        ]
    );
    assert!(op.needs_token() && op.idempotent());
    // Naive values are the gateway's local time, taken as they are.
    let naive = NaiveDateTime::parse_from_str("2026-11-28 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let window = TimeWindow::new(naive, naive).unwrap();
    let op = GetPassengerIndicatorData::new(&"S_7".parse().unwrap(), window).unwrap();
    assert_eq!(op.params()[1].1, "2026-11-28 09:00:00");
}

#[test]
fn the_many_shops_answer_merges_both_spellings_and_keeps_what_it_does_not_know() {
    let days = DateRange::day(date(2026, 11, 28));
    let op = GetManyShopsPassengerIndicatorData::new(stores(3), days, Grain::Hour).unwrap();
    assert!(op.needs_token() && op.idempotent());
    let body = include_bytes!("fixtures/series/many-shops.json");
    let list = decode_response(&op, 200, body).unwrap().output;
    assert_eq!(list.shops.len(), 3);

    let first = &list.shops[0];
    assert_eq!(first.entity_id().unwrap().as_str(), "S_1001");
    assert_eq!(first.shop_id.as_deref(), Some("SH-001"));
    let outside: Vec<Option<i64>> = first
        .buckets
        .iter()
        .map(|b| int(&b.outside_passenger_flow))
        .collect();
    assert_eq!(outside, [Some(662), Some(773)]);
    let late = &first.buckets[1];
    assert_eq!(int(&late.passenger_flow), Some(71));
    assert_eq!(late.in_shop_rate.as_ref().unwrap().value(), 9.18);
    assert_eq!(
        (late.out_flow_count.clone(), late.dressing_rate.clone()),
        (None, None)
    );
    assert_eq!(int(&late.duplicated_flow), Some(0));
    assert_eq!(int(&first.buckets[0].in_count_having_pass_device), Some(52));
    assert_eq!(late.extra["temperature"], "12℃");
    assert_eq!(
        late.date_time(),
        Some(date(2026, 11, 28).and_hms_opt(11, 0, 0).unwrap())
    );

    assert!(list.shops[1].buckets.is_empty());
    assert_eq!(list.shops[1].shop_id.as_deref(), Some(""));
    let lone = &list.shops[2].buckets;
    assert_eq!(lone.len(), 1);
    assert_eq!(lone[0].time.as_deref(), Some("2026-11-28 10"));
    assert_eq!(
        lone[0].date_time(),
        Some(date(2026, 11, 28).and_hms_opt(10, 0, 0).unwrap())
    );

    let stored = serde_json::to_string(&list).unwrap();
    assert_eq!(
        serde_json::from_str::<ShopSeriesList>(&stored).unwrap(),
        list
    );

    let none = decode_response(
        &op,
        200,
        include_bytes!("fixtures/series/many-shops-null.json"),
    );
    let none = none.unwrap_err();
    assert!(
        none.to_string()
            .contains("getManyShopsPassengerIndicatorData"),
        "{none}"
    );
}

#[test]
fn bucket_times_parse_when_they_can_and_stay_as_text_otherwise() {
    let bucket = |time: &str| -> Bucket {
        serde_json::from_value(serde_json::json!({ "time": time })).unwrap()
    };
    let midnight = |y, m, d| Some(date(y, m, d).and_hms_opt(0, 0, 0).unwrap());
    assert_eq!(bucket("2026-11-28").date_time(), midnight(2026, 11, 28));
    assert_eq!(bucket("20261128").date_time(), midnight(2026, 11, 28));
    assert_eq!(
        bucket("2026/11/28 00:00:00").date_time(),
        midnight(2026, 11, 28)
    );
    assert_eq!(
        bucket("2026-11-28T00:00:00").date_time(),
        midnight(2026, 11, 28)
    );
    assert_eq!(
        bucket("2026-11-28 00:00:00.0").date_time(),
        midnight(2026, 11, 28)
    );
    assert_eq!(bucket("2026-11").date_time(), midnight(2026, 11, 1));
    assert_eq!(bucket("2026").date_time(), midnight(2026, 1, 1));
    for text in [
        "2026-W48",
        "1764547200000",
        "2026-13",
        "2026-11-28 25",
        "soon",
        "",
    ] {
        let b = bucket(text);
        assert_eq!(b.date_time(), None, "{text}");
        assert_eq!(b.time.as_deref(), Some(text));
    }
}

#[test]
fn many_shops_sends_ids_days_grain_and_only_the_filters_set() {
    let days = DateRange::new(date(2026, 11, 1), date(2026, 11, 30)).unwrap();
    let ids = [
        "S_1".parse().unwrap(),
        "O_9".parse().unwrap(),
        "S_1".parse().unwrap(),
    ];
    let op = GetManyShopsPassengerIndicatorData::new(ids, days, Grain::Week).unwrap();
    assert_eq!(
        op.params(),
        [
            ("id", "S_1,O_9".into()),
            ("startTime", "2026-11-01 00:00:00".into()),
            ("endTime", "2026-11-30 23:59:59".into()),
            ("timeType", "3".into()),
        ]
    );
    let op = op
        .hours(HourRange::new(9, 24).unwrap())
        .business_hours_only(true);
    let params = op.params();
    assert_eq!(
        params[4..],
        [
            ("startHour", "9".into()),
            ("endHour", "24".into()),
            ("isOnBusinessTime", "1".into()),
        ]
    );
    assert!(GetManyShopsPassengerIndicatorData::new([], days, Grain::Day).is_err());
    let codes: Vec<u8> = Grain::ALL.iter().map(|g| g.code()).collect();
    assert_eq!(codes, [1, 2, 3, 4, 5, 6]);
    assert_eq!(Grain::from_code(4), Some(Grain::Month));
    assert_eq!(Grain::from_code(7), None);
}

#[test]
fn windows_split_at_the_day_limit() {
    let d = |n: u32| date(2026, 1, 1) + chrono::Days::new(u64::from(n) - 1);
    // One day, exactly the limit, one day more.
    assert_eq!(
        plan(&series(stores(1), d(1), d(1), Grain::Day)),
        [(1, d(1), d(1))]
    );
    assert_eq!(
        plan(&series(stores(1), d(1), d(31), Grain::Day)),
        [(1, d(1), d(31))]
    );
    assert_eq!(
        plan(&series(stores(1), d(1), d(32), Grain::Hour)),
        [(1, d(1), d(31)), (1, d(32), d(32))]
    );
    // A smaller limit, over a year boundary.
    let limits = SeriesLimits::default().max_days_per_call(NonZeroU32::new(7).unwrap());
    let request =
        series(stores(1), date(2026, 12, 28), date(2027, 1, 10), Grain::Day).limits(limits);
    assert_eq!(
        plan(&request),
        [
            (1, date(2026, 12, 28), date(2027, 1, 3)),
            (1, date(2027, 1, 4), date(2027, 1, 10))
        ]
    );
}

#[test]
fn ids_split_at_the_id_limit_in_the_order_given() {
    let day = date(2026, 11, 28);
    assert_eq!(
        plan(&series(stores(20), day, day, Grain::Day)),
        [(20, day, day)]
    );
    let request = series(stores(21), day, day, Grain::Day);
    assert_eq!(plan(&request), [(20, day, day), (1, day, day)]);
    let calls = request.calls().unwrap();
    assert_eq!(calls[0].ids()[0].as_str(), "S_1001");
    assert_eq!(calls[1].ids()[0].as_str(), "S_1021");
    assert_eq!(calls[1].grain(), Grain::Day);
}

#[test]
fn ids_outer_and_windows_inner_keep_every_combination() {
    let request = series(stores(41), date(2026, 1, 1), date(2026, 2, 10), Grain::Day);
    let calls = plan(&request);
    assert_eq!(calls.len(), 3 * 2);
    assert_eq!(calls[0], (20, date(2026, 1, 1), date(2026, 1, 31)));
    assert_eq!(calls[1], (20, date(2026, 2, 1), date(2026, 2, 10)));
    assert_eq!(calls[5], (1, date(2026, 2, 1), date(2026, 2, 10)));
}

#[test]
fn coarse_grains_split_on_their_own_boundaries() {
    let d = date;
    let cases = [
        // Months: each window is whole months within 31 days, the ends clipped to the range.
        (
            Grain::Month,
            (d(2026, 1, 15), d(2026, 3, 10)),
            vec![
                (d(2026, 1, 15), d(2026, 1, 31)),
                (d(2026, 2, 1), d(2026, 2, 28)),
                (d(2026, 3, 1), d(2026, 3, 10)),
            ],
        ),
        // Weeks start on Monday; 2026-11-04 is a Wednesday. Four whole weeks fit in 31 days.
        (
            Grain::Week,
            (d(2026, 11, 4), d(2026, 12, 31)),
            vec![
                (d(2026, 11, 4), d(2026, 11, 29)),
                (d(2026, 11, 30), d(2026, 12, 27)),
                (d(2026, 12, 28), d(2026, 12, 31)),
            ],
        ),
        // A quarter is longer than the limit and is never cut.
        (
            Grain::Quarter,
            (d(2026, 2, 1), d(2026, 7, 31)),
            vec![
                (d(2026, 2, 1), d(2026, 3, 31)),
                (d(2026, 4, 1), d(2026, 6, 30)),
                (d(2026, 7, 1), d(2026, 7, 31)),
            ],
        ),
        (
            Grain::Year,
            (d(2025, 6, 1), d(2026, 6, 1)),
            vec![
                (d(2025, 6, 1), d(2025, 12, 31)),
                (d(2026, 1, 1), d(2026, 6, 1)),
            ],
        ),
    ];
    for (grain, (first, last), windows) in cases {
        // One store: one call per window.
        let expected: Vec<_> = windows.into_iter().map(|(a, b)| (1, a, b)).collect();
        assert_eq!(
            plan(&series(stores(1), first, last, grain)),
            expected,
            "{grain:?}"
        );
    }
}

#[test]
fn too_many_calls_is_an_error_that_says_what_to_change() {
    let limits = SeriesLimits::default().max_calls(NonZeroU32::new(4).unwrap());
    // 2 id chunks × 2 windows: exactly the cap.
    let request = series(stores(21), date(2026, 1, 1), date(2026, 2, 1), Grain::Day).limits(limits);
    assert_eq!(request.calls().unwrap().len(), 4);
    // 2 id chunks × 3 windows: over it.
    let request = series(stores(21), date(2026, 1, 1), date(2026, 3, 5), Grain::Day).limits(limits);
    let err = request.calls().unwrap_err().to_string();
    assert!(
        err.contains("more than 4 calls") && err.contains("SeriesLimits::max_calls"),
        "{err}"
    );
    // A century of days is refused quickly rather than planned.
    let request = series(stores(1), date(1926, 1, 1), date(2026, 1, 1), Grain::Day);
    assert!(request.calls().is_err());
}

fn shop(dep_id: &str, name: &str, times: &[&str]) -> ShopSeries {
    serde_json::from_value(serde_json::json!({
        "depId": dep_id,
        "name": name,
        "dataList": times.iter().map(|t| serde_json::json!({"time": t, "passengerFlow": 1})).collect::<Vec<_>>(),
    }))
    .unwrap()
}

#[test]
fn merging_concatenates_each_stores_buckets_in_call_order() {
    let answers = vec![
        ShopSeriesList::new(vec![shop("1", "A", &["d1", "d2"]), shop("2", "B", &["d1"])]),
        ShopSeriesList::new(vec![shop("2", "B", &["d3"]), shop("1", "A", &["d3"])]),
        ShopSeriesList::new(vec![shop("3", "C", &["d1"])]),
        ShopSeriesList::new(vec![shop("3", "", &["d3"])]),
    ];
    let merged = merge_series(answers);
    let summary: Vec<(String, Vec<String>)> = merged
        .iter()
        .map(|s| {
            let times = s.buckets.iter().map(|b| b.time.clone().unwrap()).collect();
            (s.dep_id.clone().unwrap(), times)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "1".to_owned(),
                vec!["d1".to_owned(), "d2".into(), "d3".into()]
            ),
            ("2".to_owned(), vec!["d1".to_owned(), "d3".into()]),
            ("3".to_owned(), vec!["d1".to_owned(), "d3".into()]),
        ]
    );
    assert_eq!(merged[2].name.as_deref(), Some("C"));
}

#[test]
fn entries_without_ids_are_kept_unmerged() {
    let anonymous: ShopSeries = serde_json::from_str(r#"{"name": "?", "dataList": []}"#).unwrap();
    let answers = vec![
        ShopSeriesList::new(vec![anonymous.clone()]),
        ShopSeriesList::new(vec![anonymous]),
    ];
    assert_eq!(merge_series(answers).len(), 2);
}

proptest::proptest! {
    /// Whatever the range, grain and limit: the windows are contiguous, cover the range
    /// exactly, keep to the limit (unless one period is longer) and end on the grain's
    /// boundaries.
    #[test]
    fn windows_tile_the_range_on_the_grains_boundaries(
        start in 0u64..3000,
        len in 1u64..800,
        grain in proptest::sample::select(Grain::ALL.to_vec()),
        max_days in 1u32..100,
    ) {
        use chrono::{Datelike, Weekday};
        let first = date(2020, 1, 1) + chrono::Days::new(start);
        let last = first + chrono::Days::new(len - 1);
        let limits = SeriesLimits::default()
            .max_days_per_call(NonZeroU32::new(max_days).unwrap())
            .max_calls(NonZeroU32::new(100_000).unwrap());
        let windows = plan(&series(stores(1), first, last, grain).limits(limits));
        proptest::prop_assert_eq!(windows[0].1, first);
        proptest::prop_assert_eq!(windows[windows.len() - 1].2, last);
        for pair in windows.windows(2) {
            proptest::prop_assert_eq!(pair[0].2.succ_opt().unwrap(), pair[1].1);
        }
        for &(_, from, to) in &windows {
            let days = (to - from).num_days() + 1;
            let next = to.succ_opt().unwrap();
            let on_boundary = match grain {
                Grain::Hour | Grain::Day => true,
                Grain::Week => next.weekday() == Weekday::Mon,
                Grain::Month => next.day() == 1,
                Grain::Quarter => next.day() == 1 && next.month0() % 3 == 0,
                Grain::Year => next.ordinal() == 1,
            };
            proptest::prop_assert!(to == last || on_boundary, "{from}..{to} at {grain}");
            let one_period = match grain {
                Grain::Hour | Grain::Day => 1,
                Grain::Week => 7,
                Grain::Month => 31,
                Grain::Quarter => 92,
                Grain::Year => 366,
            };
            proptest::prop_assert!(
                days <= i64::from(max_days) || days <= one_period,
                "{from}..{to} is {days} days at {grain}, limit {max_days}"
            );
        }
    }
}

#[test]
fn the_customerflow_name_keeps_through_the_split_with_its_lower_case_hours() {
    let whole = GetManyShopsPassengerIndicatorData::new(
        stores(25),
        DateRange::new(date(2026, 1, 1), date(2026, 2, 10)).unwrap(),
        Grain::Hour,
    )
    .unwrap()
    .hours(HourRange::new(9, 21).unwrap())
    .flow_method(FlowMethod::CustomerFlow);
    let calls = SeriesRequest::new(whole).calls().unwrap();
    assert_eq!(calls.len(), 4);
    for call in &calls {
        assert_eq!(
            call.method(),
            "open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData"
        );
        let params = call.params();
        let names: Vec<&str> = params.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "id",
                "startTime",
                "endTime",
                "timeType",
                "starthour",
                "endhour"
            ]
        );
        assert_eq!(params[4].1, "9");
    }
    // The default is the documented name and spelling.
    let plain = GetManyShopsPassengerIndicatorData::new(
        stores(1),
        DateRange::day(date(2026, 1, 1)),
        Grain::Day,
    )
    .unwrap()
    .hours(HourRange::new(9, 21).unwrap());
    assert_eq!(plain.method(), GetManyShopsPassengerIndicatorData::METHOD);
    assert!(plain.params().iter().any(|(k, _)| *k == "startHour"));
}

#[test]
fn flow_method_names_parse_in_any_case_and_others_say_which_exist() {
    for text in [
        "customerflow",
        "CustomerFlow",
        "open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData",
    ] {
        assert_eq!(
            text.parse::<FlowMethod>().unwrap(),
            FlowMethod::CustomerFlow
        );
    }
    assert_eq!(
        "passengerflow".parse::<FlowMethod>().unwrap(),
        FlowMethod::PassengerFlow
    );
    let error = "customer".parse::<FlowMethod>().unwrap_err().to_string();
    assert!(
        error.contains("passengerflow") && error.contains("customerflow"),
        "{error}"
    );
}
