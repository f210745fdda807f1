//! What an answer may decode into: a cap on rows and elements, enforced while decoding, and
//! no empty success for a typed read whose `data` is empty, `null` or some other answer.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use opretail_model::engine::{Call, Engine, Moment, Step, decode_response, decode_response_capped};
use opretail_model::{
    AnswerLimits, Config, Credentials, DEFAULT_MAX_ROWS_PER_ANSWER, DateRange, Error,
    GetAgeGroupAndGenderDistribution, GetDepartments, GetDeptListByPage,
    GetManyShopsPassengerIndicatorData, GetPassengerIndicatorData, GetTotalData, Grain,
    LoginMethod, Operation, UserLogin,
};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn series() -> GetManyShopsPassengerIndicatorData {
    GetManyShopsPassengerIndicatorData::new(
        ["S_1001".parse().unwrap()],
        DateRange::day(day()),
        Grain::Hour,
    )
    .unwrap()
}

fn total() -> GetTotalData {
    GetTotalData::new("S_1001".parse().unwrap())
}

fn success(data: &str) -> String {
    format!(r#"{{"stat":{{"cid":"c-cap","code":0}},"data":{data}}}"#)
}

/// `n` copies of `item`, comma-separated.
fn many(item: &str, n: usize) -> String {
    let mut text = String::with_capacity((item.len() + 1) * n);
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(item);
    }
    text
}

/// Asserts a decode error that names `method`, `limit` and `setting`.
fn assert_capped(error: Error, method: &str, limit: usize, setting: &str) {
    let text = error.to_string();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(text.contains(method), "{text}");
    assert!(text.contains(&format!("more than {limit} ")), "{text}");
    assert!(text.contains(setting), "{text}");
    assert_eq!(error.cid(), Some("c-cap"));
}

const ROWS: &str = "max_rows_per_answer";
const ELEMENTS: &str = "max_elements_per_answer";

#[test]
fn hostile_lists_stop_at_the_cap_for_every_typed_read() {
    let cap = 1_000;
    let limits = AnswerLimits::new(cap, cap);
    let over = cap + 10;
    let buckets = success(&format!(
        r#"[{{"depId":1001,"dataList":[{}]}}]"#,
        many("{}", over)
    ));
    let error = decode_response_capped(&series(), 200, buckets.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetManyShopsPassengerIndicatorData::METHOD, cap, ROWS);

    let shops = success(&format!("[{}]", many(r#"{"depId":1}"#, over)));
    let error = decode_response_capped(&series(), 200, shops.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetManyShopsPassengerIndicatorData::METHOD, cap, ROWS);

    let stores = success(&format!(
        r#"{{"total":999999999,"rows":[{}]}}"#,
        many("{}", over)
    ));
    let error =
        decode_response_capped(&GetDepartments::new(), 200, stores.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetDepartments::METHOD, cap, ROWS);

    let cfg = success(&format!(
        r#"{{"DAY_FLOW":1,"cfgData":[{}]}}"#,
        many("{}", over)
    ));
    let error = decode_response_capped(&total(), 200, cfg.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetTotalData::METHOD, cap, ROWS);

    // Undocumented fields, and what they hold, count too.
    let extra = success(&format!(
        r#"{{"DAY_FLOW":1,"junk":[{}]}}"#,
        many("[]", over)
    ));
    let error = decode_response_capped(&total(), 200, extra.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetTotalData::METHOD, cap, ELEMENTS);
    let keys: Vec<String> = (0..over).map(|i| format!(r#""k{i}":0"#)).collect();
    let fields = success(&format!(r#"{{"DAY_FLOW":1,{}}}"#, keys.join(",")));
    let error = decode_response_capped(&total(), 200, fields.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetTotalData::METHOD, cap, ELEMENTS);

    let shares = success(&format!(
        r#"{{"genderDistribution":[{}]}}"#,
        many("{}", over)
    ));
    let op = GetAgeGroupAndGenderDistribution::new(["S_1".parse().unwrap()], DateRange::day(day()))
        .unwrap();
    let error = decode_response_capped(&op, 200, shares.as_bytes(), limits).unwrap_err();
    assert_capped(error, GetAgeGroupAndGenderDistribution::METHOD, cap, ROWS);
}

#[test]
fn the_largest_legitimate_series_fits_the_default_limits() {
    // 20 stores, 31 days by the hour: 14,880 buckets, each with undocumented fields too.
    let bucket = r#"{"time":"2026-11-01 10:00:00","passengerFlow":12,"passPassengerFlow":30,"outsidePassengerFlow":42,"inShopRate":28.6,"a":1,"b":"x","c":null,"d":[1,2]}"#;
    let shop = |id: usize| {
        format!(
            r#"{{"name":"S","depId":{id},"dataList":[{}]}}"#,
            many(bucket, 31 * 24)
        )
    };
    let shops: Vec<String> = (1..=20).map(shop).collect();
    let body = success(&format!("[{}]", shops.join(",")));
    let list = decode_response(&series(), 200, body.as_bytes())
        .unwrap()
        .output;
    assert_eq!(
        list.shops.iter().map(|s| s.buckets.len()).sum::<usize>(),
        14_880
    );
}

#[test]
fn the_configured_cap_is_the_one_a_call_applies() {
    let config = Config::builder().max_rows_per_answer(5).build().unwrap();
    let engine = Engine::new(Credentials::new("key", "secret").unwrap(), config);
    let op = total();
    let now = Moment::now(3);
    let mut call = Call::new(&engine, &op, now);
    assert!(matches!(call.next(now, None), Step::Send { .. }));
    let body = success(&format!(r#"{{"cfgData":[{}]}}"#, many(r#"{"type":1}"#, 6)));
    call.on_response(200, None, body.as_bytes(), now);
    let Step::Done(Err(error)) = call.next(now, None) else {
        panic!("six items are over a cap of five")
    };
    assert_capped(error, GetTotalData::METHOD, 5, ROWS);
}

#[test]
fn a_sixteen_mebibyte_answer_of_empty_buckets_fails_fast_at_the_default_cap() {
    // Built in place, so that the test itself holds one copy of the 16 MiB.
    let n = 16 * 1024 * 1024 / 3;
    let mut body = String::with_capacity(n * 3 + 100);
    body.push_str(r#"{"stat":{"cid":"c-cap","code":0},"data":[{"depId":1,"dataList":[{}"#);
    for _ in 1..n {
        body.push_str(",{}");
    }
    body.push_str("]}]}");
    assert!(body.len() > 16_000_000);
    let start = Instant::now();
    let error = decode_response(&series(), 200, body.as_bytes()).unwrap_err();
    assert_capped(
        error,
        GetManyShopsPassengerIndicatorData::METHOD,
        DEFAULT_MAX_ROWS_PER_ANSWER,
        ROWS,
    );
    // Decoding stops at the cap instead of building five million buckets; generous for a
    // debug build on a busy machine.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// Asserts that `data` is a decode error naming `op`'s method.
fn assert_not_empty_success(op: &impl Operation, data: &str) {
    let body = success(data);
    let error = decode_response(op, 200, body.as_bytes())
        .err()
        .unwrap_or_else(|| panic!("{} accepted data {data}", op.method()));
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let short = op.method().rsplit('.').next().unwrap();
    let text = error.to_string();
    assert!(
        text.contains(short) || text.contains("store list"),
        "{data}: {text}"
    );
}

#[test]
fn empty_null_or_unrelated_data_is_no_success_for_any_typed_read() {
    let unrelated = r#"{"orderId":7,"status":"paid"}"#;
    let indicator = GetPassengerIndicatorData::new(&"S_1001".parse().unwrap(), day()).unwrap();
    let demographics =
        GetAgeGroupAndGenderDistribution::new(["S_1".parse().unwrap()], DateRange::day(day()))
            .unwrap();
    let login = UserLogin::new("u", "p", LoginMethod::Mobile).unwrap();
    for data in ["{}", "[]", "null", unrelated] {
        assert_not_empty_success(&total(), data);
        assert_not_empty_success(&indicator, data);
        assert_not_empty_success(&GetDepartments::new(), data);
        assert_not_empty_success(&GetDeptListByPage::new(), data);
        assert_not_empty_success(&demographics, data);
        assert_not_empty_success(&login, data);
    }
    // A series is a list: empty is legitimate (an organization without stores), but not
    // `null`, nor an object or entries that are not a store's series.
    for data in ["{}", "null", unrelated, "[{}]", &format!("[{unrelated}]")] {
        assert_not_empty_success(&series(), data);
    }
    let no_data = r#"{"stat":{"code":0}}"#;
    assert!(decode_response(&total(), 200, no_data.as_bytes()).is_err());
}

#[test]
fn documented_empty_shapes_are_still_answers() {
    let empty_page = success(r#"{"total":0,"rows":[]}"#);
    let page = decode_response(&GetDepartments::new(), 200, empty_page.as_bytes()).unwrap();
    assert_eq!((page.output.total, page.output.stores.len()), (Some(0), 0));
    let total_only = success(r#"{"total":"0"}"#);
    assert!(decode_response(&GetDeptListByPage::new(), 200, total_only.as_bytes()).is_ok());
    let no_series = success("[]");
    assert!(
        decode_response(&series(), 200, no_series.as_bytes())
            .unwrap()
            .output
            .shops
            .is_empty()
    );
    let no_visitors = success(r#"{"genderDistribution":[],"ageDistribution":null}"#);
    let op = GetAgeGroupAndGenderDistribution::new(["S_1".parse().unwrap()], DateRange::day(day()))
        .unwrap();
    assert!(decode_response(&op, 200, no_visitors.as_bytes()).is_ok());
}
