//! Settings refused when the configuration is built, and time arithmetic that cannot
//! overflow whatever the settings: rate limits, timeouts, backoffs, endpoints, the clear-text
//! header guard.

use std::time::{Duration, Instant, SystemTime};

use opretail_model::engine::{Budget, Call, Engine, Moment, RetryDecision, Step};
use opretail_model::{
    CLEAR_TEXT_HEADERS_SETTING, Config, Credentials, Error, MAX_TIMEOUT, MIN_RATE_LIMIT, RawCall,
    RetryPolicy, TransportKind,
};

fn refused_setting(error: Error) -> (String, String) {
    match error {
        Error::InvalidInput { param, reason } => (param.into_owned(), reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn rate_limits_outside_one_an_hour_to_a_million_a_second_are_refused() {
    for rate in [
        1e-20,
        1e-19,
        1e-9,
        MIN_RATE_LIMIT / 2.0,
        0.0,
        -0.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e6 + 1.0,
    ] {
        let (param, reason) =
            refused_setting(Config::builder().rate_limit(rate).build().unwrap_err());
        assert_eq!(param, "rate_limit", "{rate}");
        assert!(
            reason.contains("1/3600") && reason.contains("1,000,000"),
            "{rate}: {reason}"
        );
    }
}

#[test]
fn the_slowest_rate_limit_paces_without_overflow() {
    let config = Config::builder()
        .rate_limit(MIN_RATE_LIMIT)
        .build()
        .expect("one request an hour is a rate");
    let spacing = config.request_spacing().expect("a rate limit");
    assert!(
        (Duration::from_secs(3599)..=Duration::from_secs(3601)).contains(&spacing),
        "{spacing:?}"
    );
    let engine = Engine::new(Credentials::new("key", "secret").unwrap(), config);
    let op = RawCall::new("m").mark_idempotent();
    let now = Moment::now(1);
    let mut first = Call::new(&engine, &op, now);
    assert!(matches!(first.next(now, None), Step::Send { .. }));
    // The next slot is an hour away, past the 30 s timeout: refused at once, not waited for.
    let mut second = Call::new(&engine, &op, now);
    let Step::Done(Err(error)) = second.next(now, None) else {
        panic!("the second call must not wait an hour")
    };
    assert!(error.to_string().contains("rate limit"), "{error}");
}

#[test]
fn timeouts_over_a_day_are_refused() {
    let over = MAX_TIMEOUT + Duration::from_secs(1);
    for builder in [
        Config::builder().timeout(over),
        Config::builder().connect_timeout(over),
        Config::builder().attempt_timeout(Duration::MAX),
        Config::builder().timeout(Duration::MAX),
    ] {
        let (param, reason) = refused_setting(builder.build().unwrap_err());
        assert_eq!(param, "timeout");
        assert!(reason.contains("a day"), "{reason}");
    }
    assert!(Config::builder().timeout(MAX_TIMEOUT).build().is_ok());
}

#[test]
fn a_huge_backoff_stops_retrying_instead_of_overflowing_the_clock() {
    let policy = RetryPolicy::default()
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX);
    let now = Moment {
        wall: SystemTime::now(),
        monotonic: Instant::now(),
        random: u128::MAX,
    };
    let mut budget = Budget::until(now.monotonic + Duration::from_secs(30));
    budget.attempts = 1;
    let refused = Error::transport_message(TransportKind::Connect, "http://gw/m.api", "refused");
    assert_eq!(
        policy.decide(&refused, &mut budget, true, now),
        RetryDecision::Stop
    );
}

#[test]
fn an_endpoint_with_a_query_or_fragment_is_refused_when_built() {
    for url in [
        "https://openapi.opretail.com/m.api?x=1",
        "https://openapi.opretail.com/m.api?",
        "https://openapi.opretail.com/m.api#top",
    ] {
        let (param, reason) = refused_setting(Config::builder().endpoint(url).build().unwrap_err());
        assert_eq!(param, "endpoint", "{url}");
        assert!(
            reason.contains('?') || reason.contains('#'),
            "{url}: {reason}"
        );
    }
    let (_, reason) = refused_setting(
        Config::builder()
            .endpoint("https://h/m.api?x=1")
            .build()
            .unwrap_err(),
    );
    assert!(reason.contains("SIGN_WRONG"), "{reason}");
}

#[test]
fn the_clear_text_refusal_names_the_setting_the_same_way_for_headers_and_logins() {
    let config = Config::builder()
        .endpoint("http://gateway.example/m.api")
        .build()
        .unwrap();
    let engine = Engine::new(Credentials::new("key", "secret").unwrap(), config);
    let op = RawCall::new("m").header("authenticator", "tok-over-clear-text");
    let error = engine
        .prepare(&op, &[], SystemTime::now())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!(
            "allow headers over clear text ({CLEAR_TEXT_HEADERS_SETTING})"
        )),
        "{error}"
    );
    assert!(!error.contains("tok-over-clear-text"), "{error}");
    assert_eq!(
        CLEAR_TEXT_HEADERS_SETTING,
        "ConfigBuilder::headers_over_clear_text"
    );
}

#[test]
fn answer_limits_of_zero_are_refused() {
    let (param, _) = refused_setting(
        Config::builder()
            .max_elements_per_answer(0)
            .build()
            .unwrap_err(),
    );
    assert_eq!(param, "max_elements_per_answer");
    let (param, _) = refused_setting(
        Config::builder()
            .max_rows_per_answer(0)
            .build()
            .unwrap_err(),
    );
    assert_eq!(param, "max_rows_per_answer");
    let limits = Config::default().answer_limits();
    assert_eq!(
        (limits.max_rows, limits.max_elements),
        (
            opretail_model::DEFAULT_MAX_ROWS_PER_ANSWER,
            opretail_model::DEFAULT_MAX_ELEMENTS_PER_ANSWER
        )
    );
}

#[test]
fn the_answer_budget_is_never_below_the_body_limit() {
    let config = |builder: opretail_model::ConfigBuilder| builder.build().unwrap();
    let default = config(Config::builder());
    assert_eq!(
        default.answer_bytes_in_flight(),
        opretail_model::DEFAULT_ANSWER_BYTES_IN_FLIGHT
    );
    let small = config(Config::builder().answer_bytes_in_flight(4096));
    assert_eq!(small.answer_bytes_in_flight(), small.body_limit());
    let roomy = config(
        Config::builder()
            .body_limit(1024 * 1024)
            .answer_bytes_in_flight(8 * 1024 * 1024),
    );
    assert_eq!(roomy.answer_bytes_in_flight(), 8 * 1024 * 1024);
}

#[test]
fn a_method_can_have_a_body_limit_of_its_own() {
    let total = opretail_model::METHOD_GET_TOTAL_DATA;
    let config = Config::builder()
        .body_limit(64 * 1024)
        .method_body_limit(total, 1024 * 1024)
        .method_body_limit(total, 32 * 1024)
        .build()
        .unwrap();
    // Set again, the last value counts.
    assert_eq!(config.body_limit_for(total), 32 * 1024);
    assert_eq!(config.body_limit_for("open.other.method"), 64 * 1024);
    // The budget of answers in flight still lets the largest answer be read on its own.
    let roomy = Config::builder()
        .body_limit(64 * 1024)
        .method_body_limit(total, 2 * 1024 * 1024)
        .answer_bytes_in_flight(0)
        .build()
        .unwrap();
    assert_eq!(roomy.answer_bytes_in_flight(), 2 * 1024 * 1024);
    let error = Config::builder()
        .method_body_limit(total, 100)
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("method_body_limit"), "{error}");
    assert!(error.contains(total), "{error}");
    assert!(error.contains("at least 1 KiB"), "{error}");
}
