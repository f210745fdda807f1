//! `TotalData` decoding: one test per fixture of `fixtures/data/`, error paths, the stored
//! (snake_case) form, round trips, `Display`, and a property that no input panics.

use opretail_model::{Measure, TotalData};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Decodes a `data` object the way the envelope decoder does, so errors carry the path.
fn decode(json: &str) -> Result<TotalData, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(json))
}

fn fixture(json: &str) -> TotalData {
    let data =
        decode(json).unwrap_or_else(|e| panic!("fixture must decode, failed at {}: {e}", e.path()));
    assert_round_trips(&data);
    data
}

fn assert_round_trips(data: &TotalData) {
    let stored = serde_json::to_string(data).expect("TotalData serializes");
    let back: TotalData = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("stored form {stored} must decode: {e}"));
    assert_eq!(&back, data, "round trip through {stored}");
}

fn measure(json: &str) -> Measure {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} must decode as a Measure: {e}"))
}

/// (value, as_i64, unit, text, Display) of a measure, for compact assertions.
fn parts(m: &Option<Measure>) -> (f64, Option<i64>, Option<&str>, Option<&str>, String) {
    let m = m.as_ref().expect("the measure is present");
    (m.value(), m.as_i64(), m.unit(), m.text(), m.to_string())
}

#[test]
fn numbers_fixture_decodes_every_documented_field() {
    let data = fixture(include_str!("fixtures/data/numbers.json"));
    assert_eq!(
        parts(&data.day_flow),
        (1234.0, Some(1234), None, None, "1234".into())
    );
    assert_eq!(
        data.week_flow.as_ref().and_then(Measure::as_i64),
        Some(8765)
    );
    assert_eq!(
        data.month_flow.as_ref().and_then(Measure::as_i64),
        Some(35120)
    );
    assert_eq!(
        data.total_sale.as_ref().and_then(Measure::as_i64),
        Some(567_890)
    );
    assert_eq!(
        data.expenditure.as_ref().and_then(Measure::as_i64),
        Some(268)
    );
    assert_eq!(
        parts(&data.enter_rate),
        (35.2, None, None, None, "35.2".into())
    );
    assert_eq!(data.buy_rate.as_ref().and_then(Measure::as_i64), Some(18));
    assert_eq!(
        data.fitting_rate.as_ref().and_then(Measure::as_i64),
        Some(42)
    );

    let weather = data.weather.as_ref().expect("WEATHER is present");
    assert_eq!(weather.classify.as_deref(), Some("晴"));
    assert_eq!(
        weather.day_picture_url.as_deref(),
        Some("http://api.map.baidu.com/images/weather/day/qing.png")
    );
    assert_eq!(
        weather.night_picture_url.as_deref(),
        Some("http://api.map.baidu.com/images/weather/night/qing.png")
    );
    assert_eq!(weather.weather_date.as_deref(), Some("2026-11-28"));
    assert_eq!(weather.temperature.as_deref(), Some("12 ~ 3℃"));
    assert_eq!(weather.weather.as_deref(), Some("晴"));
    assert_eq!(weather.city_id.as_deref(), Some("101010100"));
    assert_eq!(weather.id, Some(5021));
    assert_eq!(
        weather.custom_icon.as_deref(),
        Some(""),
        "an empty string is text, kept"
    );
    assert_eq!(weather.create_date.as_deref(), Some("2026-11-28 08:00:00"));
    assert_eq!(weather.wind.as_deref(), Some("北风3-4级"));
    assert!(weather.extra.is_empty());

    assert_eq!(data.cfg_data.len(), 2);
    let first = &data.cfg_data[0];
    assert_eq!(
        (
            first.name.as_deref(),
            first.kind,
            first.value.as_deref(),
            first.key.as_deref()
        ),
        (Some("进店率"), Some(1), Some("35.2"), Some("ENTER_RATE"))
    );
    assert!(first.is_ratio());
    assert!(!data.cfg_data[1].is_ratio());
    assert!(data.extra.is_empty());
}

#[test]
fn strings_fixture_reads_numbers_and_keeps_text_that_is_not_the_plain_number() {
    let data = fixture(include_str!("fixtures/data/strings.json"));
    assert_eq!(
        parts(&data.day_flow),
        (1234.0, Some(1234), None, None, "1234".into())
    );
    assert_eq!(
        parts(&data.week_flow),
        (8765.0, Some(8765), None, Some(" 8765 "), " 8765 ".into())
    );
    assert_eq!(
        data.month_flow.as_ref().and_then(Measure::as_i64),
        Some(35120)
    );
    assert_eq!(
        parts(&data.total_sale),
        (5678.9, None, None, Some("5678.90"), "5678.90".into())
    );
    assert_eq!(
        parts(&data.expenditure),
        (
            12_345_678.0,
            Some(12_345_678),
            None,
            Some("1.2345678E7"),
            "1.2345678E7".into()
        )
    );
    assert_eq!(
        parts(&data.enter_rate),
        (35.2, None, None, None, "35.2".into())
    );
    assert_eq!(
        parts(&data.buy_rate),
        (-3.0, Some(-3), None, None, "-3".into())
    );
    assert_eq!(
        parts(&data.fitting_rate),
        (0.0, Some(0), None, None, "0".into())
    );
}

#[test]
fn units_fixture_splits_number_and_unit_and_keeps_the_text() {
    let data = fixture(include_str!("fixtures/data/units.json"));
    assert_eq!(
        parts(&data.day_flow),
        (
            1234.0,
            Some(1234),
            Some("人"),
            Some("1,234人"),
            "1,234人".into()
        )
    );
    assert_eq!(
        parts(&data.week_flow),
        (
            8765.0,
            Some(8765),
            Some("人次"),
            Some("8，765 人次"),
            "8，765 人次".into()
        )
    );
    assert_eq!(
        data.month_flow.as_ref().and_then(Measure::as_i64),
        Some(1_035_120)
    );
    assert_eq!(
        parts(&data.total_sale),
        (
            5678.9,
            None,
            Some("元"),
            Some("5678.90元"),
            "5678.90元".into()
        )
    );
    assert_eq!(
        parts(&data.expenditure),
        (
            268.0,
            Some(268),
            Some("¥"),
            Some("¥268.00"),
            "¥268.00".into()
        )
    );
    assert_eq!(
        parts(&data.enter_rate),
        (35.2, None, Some("%"), Some("35.2%"), "35.2%".into())
    );
    assert_eq!(
        parts(&data.buy_rate),
        (18.0, Some(18), Some("%"), Some("18 %"), "18 %".into())
    );
    assert_eq!(
        parts(&data.fitting_rate),
        (42.0, Some(42), Some("%"), Some("42.0%"), "42.0%".into())
    );
}

#[test]
fn nulls_fixture_gives_no_values() {
    let data = fixture(include_str!("fixtures/data/nulls.json"));
    assert_eq!(data, TotalData::default());
}

#[test]
fn empty_strings_and_placeholders_mean_no_value() {
    let data = fixture(include_str!("fixtures/data/empty_and_placeholders.json"));
    assert_eq!(data, TotalData::default());
}

#[test]
fn missing_fixture_leaves_the_rest_empty() {
    let data = fixture(include_str!("fixtures/data/missing.json"));
    assert_eq!(data.day_flow, Some(Measure::from(87)));
    let mut expected = TotalData::default();
    expected.day_flow = Some(Measure::from(87));
    assert_eq!(data, expected);
    assert_eq!(fixture("null"), TotalData::default());
    // An object with none of the documented fields is some other answer.
    assert!(serde_json::from_str::<TotalData>("{}").is_err());
}

#[test]
fn extra_fields_fixture_keeps_undocumented_fields_at_every_level() {
    let data = fixture(include_str!("fixtures/data/extra_fields.json"));
    assert_eq!(data.day_flow, Some(Measure::from(87)));
    assert_eq!(data.extra.len(), 3);
    assert_eq!(data.extra["PASS_RATE"], json!("12.5%"));
    assert_eq!(data.extra["storeName"], json!("徐汇店"));
    assert_eq!(data.extra["flags"], json!([1, 2]));

    let weather = data.weather.as_ref().expect("WEATHER is present");
    assert_eq!(
        (weather.id, weather.weather.as_deref()),
        (Some(9), Some("多云"))
    );
    assert_eq!(weather.extra["aqi"], json!(57));
    assert_eq!(weather.extra["pm25"], json!("31"));

    assert_eq!(data.cfg_data.len(), 1);
    assert_eq!(data.cfg_data[0].extra["sort"], json!(3));

    let stored = serde_json::to_value(&data).expect("serializes");
    assert_eq!(
        stored["PASS_RATE"],
        json!("12.5%"),
        "undocumented fields are stored as they came"
    );
    assert_eq!(stored["weather"]["aqi"], json!(57));
    assert_eq!(stored["cfg_data"][0]["sort"], json!(3));
}

#[test]
fn cfg_data_as_one_object_is_a_list_of_one() {
    let data = fixture(include_str!("fixtures/data/cfg_object.json"));
    assert_eq!(data.cfg_data.len(), 1);
    let item = &data.cfg_data[0];
    assert_eq!(item.kind, Some(1), "a numeric string type is an int");
    assert_eq!(
        item.value.as_deref(),
        Some("35.2"),
        "a number where text is documented becomes its text"
    );
    assert_eq!(item.name.as_deref(), Some("进店率"));
}

#[test]
fn cfg_data_as_a_list_keeps_order_and_skips_null_items() {
    let data = fixture(include_str!("fixtures/data/cfg_list.json"));
    let keys: Vec<_> = data.cfg_data.iter().map(|c| c.key.as_deref()).collect();
    assert_eq!(
        keys,
        [Some("ENTER_RATE"), Some("BUY_RATE"), Some("EXPENDITURE")]
    );
    let kinds: Vec<_> = data.cfg_data.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [Some(1), Some(1), Some(0)]);
    assert_eq!(data.cfg_data[2].value.as_deref(), Some("268"));
}

#[test]
fn weather_id_as_a_string_and_numbers_as_text() {
    let data = fixture(include_str!("fixtures/data/weather_id_string.json"));
    let weather = data.weather.as_ref().expect("WEATHER is present");
    assert_eq!(weather.id, Some(5022));
    assert_eq!(weather.temperature.as_deref(), Some("8"));
    assert_eq!(weather.city_id.as_deref(), Some("101020100"));
    assert_eq!(weather.day_picture_url, None);
    let integral_float = fixture(r#"{"WEATHER": {"id": 5022.0, "cityId": ""}}"#);
    let weather = integral_float.weather.expect("WEATHER is present");
    assert_eq!(
        (weather.id, weather.city_id.as_deref()),
        (Some(5022), Some(""))
    );
}

fn error_of(json: &str) -> (String, String) {
    let err = decode(json).expect_err("must not decode");
    (err.path().to_string(), err.inner().to_string())
}

#[test]
fn a_value_that_cannot_mean_a_number_names_the_field() {
    let (path, message) = error_of(include_str!("fixtures/data/bad_day_flow.json"));
    assert_eq!(path, "DAY_FLOW");
    assert!(
        message.contains("\"abc\"") && message.contains("expected a number"),
        "{message}"
    );
}

#[test]
fn a_weather_id_that_is_not_an_int_names_the_path() {
    let (path, message) = error_of(include_str!("fixtures/data/bad_weather_id.json"));
    assert_eq!(path, "WEATHER.id");
    assert!(
        message.contains("\"sunny\"") && message.contains("expected an integer"),
        "{message}"
    );
}

#[test]
fn a_cfg_type_that_is_not_an_int_names_the_item() {
    let (path, message) = error_of(include_str!("fixtures/data/bad_cfg_type.json"));
    assert_eq!(path, "cfgData[1].type");
    assert!(message.contains("\"ratio\""), "{message}");
    let (path, _) = error_of(r#"{"cfgData": {"type": 1.5}}"#);
    assert_eq!(path, "cfgData.type");
}

#[test]
fn values_of_the_wrong_kind_are_errors_naming_the_field() {
    for (json, path) in [
        (r#"{"ENTER_RATE": true}"#, "ENTER_RATE"),
        (r#"{"BUY_RATE": [18]}"#, "BUY_RATE"),
        (r#"{"TOTAL_SALE": {"amount": 1}}"#, "TOTAL_SALE"),
        (r#"{"FITTING_RATE": "%"}"#, "FITTING_RATE"),
        (r#"{"DAY_FLOW": "NaN"}"#, "DAY_FLOW"),
        (r#"{"DAY_FLOW": "inf"}"#, "DAY_FLOW"),
        (r#"{"DAY_FLOW": "1e999"}"#, "DAY_FLOW"),
        (r#"{"WEEK_FLOW": "1,5"}"#, "WEEK_FLOW"),
        (r#"{"WEEK_FLOW": "1,2345"}"#, "WEEK_FLOW"),
        (r#"{"MONTH_FLOW": "12-15"}"#, "MONTH_FLOW"),
        (r#"{"MONTH_FLOW": "1.2.3"}"#, "MONTH_FLOW"),
        (r#"{"WEATHER": "sunny"}"#, "WEATHER"),
        (r#"{"WEATHER": {"wind": {"speed": 3}}}"#, "WEATHER.wind"),
        (r#"{"cfgData": 3}"#, "cfgData"),
    ] {
        assert_eq!(error_of(json).0, path, "{json}");
    }
    let (path, message) = error_of(r#"{"DAY_FLOW": 1, "day_flow": 2}"#);
    assert_eq!(path, ".", "a field given twice is an error of the object");
    assert!(message.contains("duplicate field `day_flow`"), "{message}");
}

#[test]
fn a_data_value_that_is_not_an_object_is_an_error() {
    for json in ["[]", "\"\"", "3", "true"] {
        let (path, message) = error_of(json);
        assert_eq!(path, ".", "{json}");
        assert!(
            message.contains("expected the getTotalData data object"),
            "{message}"
        );
    }
}

#[test]
fn lenient_number_texts() {
    for (json, value, unit) in [
        (r#""+12""#, 12.0, None),
        (r#""-1,234.5元""#, -1234.5, Some("元")),
        (r#""-¥12""#, -12.0, Some("¥")),
        (r#""￥-12""#, -12.0, Some("￥")),
        (r#""¥ 1,234.50元""#, 1234.5, Some("元")),
        (r#""\u3000 35.2 %\t""#, 35.2, Some("%")),
        (r#"".5%""#, 0.5, Some("%")),
        (r#""12.""#, 12.0, None),
        (r#""3e""#, 3.0, Some("e")),
        (r#""007""#, 7.0, None),
        (r#""1.2万""#, 1.2, Some("万")),
        (r#"-0.25"#, -0.25, None),
    ] {
        let m = measure(json);
        assert_eq!((m.value(), m.unit()), (value, unit), "{json}");
    }
    assert_eq!(
        measure(r#""007""#).text(),
        Some("007"),
        "leading zeros are kept as text"
    );
    assert_eq!(measure(r#""35.0%""#).as_i64(), Some(35));
    assert_eq!(measure("35.5").as_i64(), None);
}

#[test]
fn integers_are_exact_and_big_ones_keep_their_digits() {
    let big = measure("9007199254740993");
    assert_eq!(
        (big.as_i64(), big.text()),
        (Some(9_007_199_254_740_993), None)
    );
    let huge = measure("18446744073709551615");
    assert_eq!(huge.text(), Some("18446744073709551615"));
    assert_eq!(huge.to_string(), "18446744073709551615");
    let from_text = measure(r#""123,456,789,012,345,678,901人""#);
    assert_eq!(from_text.unit(), Some("人"));
    assert_eq!(from_text.value(), 123_456_789_012_345_678_901.0);
    assert_eq!(from_text.as_i64(), None);
}

#[test]
fn a_required_measure_rejects_no_value() {
    for json in ["null", r#""""#, r#""-""#] {
        let err = serde_json::from_str::<Measure>(json)
            .expect_err(json)
            .to_string();
        assert!(err.contains("found no value"), "{err}");
    }
}

#[test]
fn stored_form_uses_snake_case_names() {
    let data = fixture(include_str!("fixtures/data/numbers.json"));
    let stored = serde_json::to_value(&data).expect("serializes");
    let keys: Vec<&str> = stored
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "day_flow",
        "week_flow",
        "month_flow",
        "total_sale",
        "expenditure",
        "enter_rate",
        "buy_rate",
        "fitting_rate",
        "weather",
        "cfg_data",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let weather_keys: Vec<&str> = stored["weather"]
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected_weather = [
        "classify",
        "day_picture_url",
        "night_picture_url",
        "weather_date",
        "temperature",
        "weather",
        "city_id",
        "id",
        "custom_icon",
        "create_date",
        "wind",
    ];
    expected_weather.sort_unstable();
    assert_eq!(weather_keys, expected_weather);
    assert_eq!(
        stored["cfg_data"][0],
        json!({"name": "进店率", "type": 1, "value": "35.2", "key": "ENTER_RATE"})
    );
    assert_eq!(stored["day_flow"], json!(1234));
    assert_eq!(stored["enter_rate"], json!(35.2));
    assert_eq!(stored["weather"]["id"], json!(5021));
}

#[test]
fn stored_form_of_measures_with_text() {
    let data = fixture(include_str!("fixtures/data/units.json"));
    let stored = serde_json::to_value(&data).expect("serializes");
    assert_eq!(
        stored["enter_rate"],
        json!({"value": 35.2, "unit": "%", "text": "35.2%"})
    );
    assert_eq!(
        stored["day_flow"],
        json!({"value": 1234, "unit": "人", "text": "1,234人"})
    );
    let empty = serde_json::to_value(TotalData::default()).expect("serializes");
    assert_eq!(empty["day_flow"], Value::Null);
    assert_eq!(empty["weather"], Value::Null);
    assert_eq!(empty["cfg_data"], json!([]));
    assert_eq!(
        serde_json::to_value(measure(r#""5678.90""#)).expect("serializes"),
        json!({"value": 5678.9, "text": "5678.90"})
    );
}

#[test]
fn a_stored_measure_reads_back_from_its_text() {
    assert_eq!(
        measure(r#"{"value": 1, "unit": "x", "text": "35.2%"}"#),
        measure(r#""35.2%""#)
    );
    assert_eq!(measure(r#"{"value": 12}"#), measure("12"));
    assert!(serde_json::from_str::<Measure>(r#"{"text": "abc"}"#).is_err());
    assert!(serde_json::from_str::<Measure>(r#"{"other": 1}"#).is_err());
}

#[test]
fn display_prefers_the_original_text() {
    assert_eq!(measure("42").to_string(), "42");
    assert_eq!(
        measure("42.0").to_string(),
        "42",
        "integral floats print without .0"
    );
    assert_eq!(measure("0.1").to_string(), "0.1");
    assert_eq!(measure(r#""42.0%""#).to_string(), "42.0%");
    assert_eq!(Measure::from(-7).to_string(), "-7");
    let debug = format!("{:?}", measure(r#""35.2%""#));
    assert!(debug.contains(r#"unit: Some("%")"#), "{debug}");
}

/// Texts close to what the gateway sends, so the number grammar is exercised at its edges.
const NUMBER_LIKE: &str =
    "[-+ ¥]{0,2}[0-9]{0,7}([.,，][0-9]{0,4})?[eE]?[-+]?[0-9]{0,2}[ %人元次万a-z.,-]{0,3}";

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1_000_000i64..1_000_000, 0u32..4)
            .prop_map(|(m, e)| json!(m as f64 / 10f64.powi(e as i32))),
        NUMBER_LIKE.prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("DAY_FLOW".to_owned()),
        Just("ENTER_RATE".to_owned()),
        Just("total_sale".to_owned()),
        Just("WEATHER".to_owned()),
        Just("cfgData".to_owned()),
        Just("id".to_owned()),
        Just("type".to_owned()),
        Just("value".to_owned()),
        Just("text".to_owned()),
        "[a-zA-Z_]{1,8}",
    ];
    json_leaf().prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn any_json_decodes_or_fails_without_panicking_and_round_trips(value in json_value()) {
        let json = value.to_string();
        match serde_json::from_str::<TotalData>(&json) {
            Ok(data) => assert_round_trips(&data),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn answers_with_a_documented_field_always_decode_and_round_trip(
        day in any::<i64>(),
        rate in 0.0f64..100.0,
        extra in json_value(),
    ) {
        let json = serde_json::json!({
            "DAY_FLOW": day,
            "ENTER_RATE": format!("{rate}%"),
            "SOMETHING_NEW": extra,
        })
        .to_string();
        let data = serde_json::from_str::<TotalData>(&json);
        prop_assert!(data.is_ok(), "{json}: {data:?}");
        let data = data.expect("checked above");
        prop_assert_eq!(data.day_flow.as_ref().and_then(|m| m.as_i64()), Some(day));
        assert_round_trips(&data);
    }

    #[test]
    fn any_text_decodes_or_fails_without_panicking(text in prop_oneof![".{0,40}", NUMBER_LIKE]) {
        let _ = serde_json::from_str::<TotalData>(&text);
        let quoted = Value::from(text.clone()).to_string();
        match serde_json::from_str::<Measure>(&quoted) {
            Ok(m) => {
                // Nothing is lost: either the text is kept, or it was the number's own rendering.
                prop_assert_eq!(m.to_string(), text);
                let stored = serde_json::to_string(&m).expect("a Measure serializes");
                prop_assert_eq!(serde_json::from_str::<Measure>(&stored).ok(), Some(m));
            }
            // Whatever is refused, a plain integer never is.
            Err(_) => prop_assert!(text.trim().parse::<i64>().is_err(), "{text:?} was refused"),
        }
    }

    #[test]
    fn every_integer_text_reads_exactly(v in any::<i64>()) {
        let m = measure(&Value::from(v.to_string()).to_string());
        prop_assert_eq!((m.as_i64(), m.text()), (Some(v), None));
    }
}

/// Found by the property above: an integer beyond i64 whose float renders as its own digits.
#[test]
fn an_integer_beyond_i64_that_a_float_renders_exactly_round_trips() {
    let data = fixture(r#"{"TOTAL_SALE": 18389101310249695000}"#);
    assert_eq!(data.total_sale.as_ref().and_then(Measure::text), None);
    let rounded = fixture(r#"{"TOTAL_SALE": 18446744073709551615}"#);
    assert_eq!(
        rounded.total_sale.as_ref().and_then(Measure::text),
        Some("18446744073709551615")
    );
}
