//! The call state machine: what a transport is told to do for each outcome.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opretail_model::engine::{Call, Engine, Moment, Step, TokenCache};
use opretail_model::{
    Config, Credentials, Error, LoginMethod, RawCall, RetryPolicy, ReturnCode, TokenSource,
    TransportKind,
};

struct Clock {
    wall: SystemTime,
    mono: Instant,
}

impl Clock {
    fn new() -> Self {
        Clock {
            wall: UNIX_EPOCH + Duration::from_millis(1_795_832_100_250),
            mono: Instant::now(),
        }
    }
    fn now(&self) -> Moment {
        Moment {
            wall: self.wall,
            monotonic: self.mono,
            random: 42,
        }
    }
    fn advance(&mut self, d: Duration) {
        self.wall += d;
        self.mono += d;
    }
}

fn signer(policy: RetryPolicy) -> Engine {
    timed(policy, Duration::from_secs(60))
}

/// A preparer whose calls retry by `policy` and may take `timeout`.
fn timed(policy: RetryPolicy, timeout: Duration) -> Engine {
    let config = Config::builder()
        .retry(policy)
        .timeout(timeout)
        .build()
        .unwrap();
    Engine::new(Credentials::new("key", "secret").unwrap(), config)
}

fn envelope(code: i64) -> String {
    format!(
        r#"{{"stat":{{"cid":"c{code}","code":"{code}","codename":"X"}},"result":"r","data":{{"ok":true}}}}"#
    )
}

/// Drives a call through scripted answers; returns the result, the sleeps and the timestamps sent.
fn drive(
    signer: &Engine,
    op: &RawCall,
    answers: &[Result<(u16, String), TransportKind>],
) -> (Result<serde_json::Value, Error>, Vec<Duration>, Vec<String>) {
    let mut clock = Clock::new();
    let mut call = Call::new(signer, op, clock.now());
    let mut answers = answers.iter();
    let mut sleeps = Vec::new();
    let mut stamps = Vec::new();
    loop {
        match call.next(clock.now(), None) {
            Step::Send { request, .. } => {
                stamps.push(request.timestamp().to_string());
                clock.advance(Duration::from_millis(10));
                match answers
                    .next()
                    .expect("the call sent more requests than scripted")
                {
                    Ok((status, body)) => {
                        call.on_response(*status, None, body.as_bytes(), clock.now())
                    }
                    Err(kind) => call.on_transport_error(
                        Error::transport_message(*kind, "http://gw/m.api", "scripted"),
                        clock.now(),
                    ),
                }
            }
            Step::Sleep(d) => {
                sleeps.push(d);
                clock.advance(d);
            }
            Step::Lock | Step::Unlock => unreachable!("no token is needed"),
            Step::Done(result) => {
                assert!(
                    answers.next().is_none(),
                    "the call stopped before using every scripted answer"
                );
                return (result.map(|r| r.output), sleeps, stamps);
            }
        }
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(100))
}

/// A read: safe to repeat, so the whole retry policy applies.
fn read(method: &str) -> RawCall {
    RawCall::new(method).mark_idempotent()
}

#[test]
fn success_takes_one_attempt() {
    let s = signer(fast());
    let (result, sleeps, stamps) = drive(&s, &RawCall::new("m"), &[Ok((200, envelope(0)))]);
    assert_eq!(result.unwrap()["ok"], true);
    assert!(sleeps.is_empty());
    assert_eq!(stamps.len(), 1);
}

#[test]
fn system_errors_are_retried_with_backoff_and_fresh_signatures() {
    let s = signer(fast());
    let (result, sleeps, stamps) = drive(
        &s,
        &read("m"),
        &[
            Ok((200, envelope(-500))),
            Ok((200, envelope(-999))),
            Ok((200, envelope(0))),
        ],
    );
    assert!(result.is_ok());
    assert_eq!(sleeps.len(), 2);
    assert!(
        sleeps[0] >= Duration::from_millis(50) && sleeps[0] <= Duration::from_millis(100),
        "{sleeps:?}"
    );
    assert!(
        sleeps[1] >= Duration::from_millis(100) && sleeps[1] <= Duration::from_millis(200),
        "{sleeps:?}"
    );
    assert_eq!(stamps.len(), 3);
}

#[test]
fn attempts_run_out() {
    let s = signer(fast().max_attempts(2));
    let (result, _, stamps) = drive(
        &s,
        &read("m"),
        &[Ok((200, envelope(-500))), Ok((200, envelope(-500)))],
    );
    assert_eq!(
        result.unwrap_err().return_code(),
        Some(&ReturnCode::ApiSystemCallError)
    );
    assert_eq!(stamps.len(), 2);
}

#[test]
fn signature_errors_are_not_retried() {
    let s = signer(fast());
    let (result, sleeps, _) = drive(&s, &RawCall::new("m"), &[Ok((200, envelope(7)))]);
    assert_eq!(
        result.unwrap_err().return_code(),
        Some(&ReturnCode::SignWrong)
    );
    assert!(sleeps.is_empty());
}

#[test]
fn a_repeat_waits_for_the_next_second_and_is_signed_again() {
    let s = signer(fast());
    let (result, sleeps, stamps) = drive(
        &s,
        &read("m"),
        &[Ok((200, envelope(-100))), Ok((200, envelope(0)))],
    );
    assert!(result.is_ok());
    // Sent at .250, answered at .260: the wait ends just past the next whole second.
    assert_eq!(sleeps, [Duration::from_millis(745)]);
    assert_eq!(stamps, ["20261128101500", "20261128101501"]);
}

#[test]
fn overtime_is_retried_exactly_once() {
    let s = signer(fast().max_attempts(5));
    let (result, sleeps, stamps) = drive(
        &s,
        &read("m"),
        &[Ok((200, envelope(16))), Ok((200, envelope(16)))],
    );
    let err = result.unwrap_err();
    assert_eq!(err.return_code(), Some(&ReturnCode::TimestampOvertime));
    assert!(sleeps.is_empty());
    assert_eq!(stamps.len(), 2);
    // Same second, same request: the second attempt still got its own signature.
    assert_ne!(stamps[0], stamps[1]);
}

#[test]
fn transport_failures_are_retried_but_not_tls_or_body_limit() {
    let s = signer(fast());
    let (result, _, stamps) = drive(
        &s,
        &read("m"),
        &[
            Err(TransportKind::Io),
            Err(TransportKind::Timeout),
            Ok((200, envelope(0))),
        ],
    );
    assert!(result.is_ok());
    assert_eq!(stamps.len(), 3);
    for kind in [
        TransportKind::Tls,
        TransportKind::BodyLimit,
        TransportKind::Redirect,
    ] {
        let (result, _, stamps) = drive(&s, &read("other"), &[Err(kind)]);
        assert_eq!(result.unwrap_err().transport_kind(), Some(kind));
        assert_eq!(stamps.len(), 1);
    }
}

#[test]
fn proxy_errors_are_retried_only_when_transient() {
    let s = signer(fast());
    let (result, _, _) = drive(
        &s,
        &read("m"),
        &[Ok((503, "busy".into())), Ok((200, envelope(0)))],
    );
    assert!(result.is_ok());
    let (result, _, _) = drive(&s, &read("m2"), &[Ok((404, "not found".into()))]);
    assert!(matches!(result, Err(Error::HttpStatus { status: 404, .. })));
}

#[test]
fn invalid_operations_never_send() {
    let s = signer(fast());
    let (result, _, stamps) = drive(&s, &RawCall::new("m").param("a", "1").param("a", "2"), &[]);
    assert!(matches!(result, Err(Error::InvalidInput { .. })));
    assert!(stamps.is_empty());
}

#[test]
fn the_attempt_count_reaches_the_metadata() {
    let s = signer(fast());
    let op = read("m");
    let mut clock = Clock::new();
    let mut call = Call::new(&s, &op, clock.now());
    let mut answers = [envelope(-500), envelope(0)].into_iter();
    let response = loop {
        match call.next(clock.now(), None) {
            Step::Send { .. } => {
                call.on_response(200, None, answers.next().unwrap().as_bytes(), clock.now())
            }
            Step::Sleep(d) => clock.advance(d),
            Step::Lock | Step::Unlock => unreachable!("no token is needed"),
            Step::Done(r) => break r.unwrap(),
        }
    };
    assert_eq!(response.meta.attempts, 2);
    assert_eq!(call.attempts(), 2);
}

fn login_answer(token: &str) -> String {
    format!(r#"{{"stat":{{"code":"0","cid":"login"}},"data":{{"token":"{token}"}}}}"#)
}

fn user() -> TokenSource {
    TokenSource::login("demo", "pw", LoginMethod::Mobile).unwrap()
}

/// Steps `call` through taking the lock and logging in with `token`, `login_takes` long;
/// stops at the operation's first step after the lock is released.
fn log_in(
    call: &mut Call<'_, RawCall>,
    cache: &mut TokenCache,
    clock: &mut Clock,
    token: &str,
    login_takes: Duration,
) {
    assert!(matches!(call.next(clock.now(), None), Step::Lock));
    let Step::Send { request, .. } = call.next(clock.now(), Some(cache)) else {
        panic!("expected the login")
    };
    assert_eq!(request.method(), "open.shopweb.security.mobileLogin");
    clock.advance(login_takes);
    call.on_response(200, None, login_answer(token).as_bytes(), clock.now());
    assert!(matches!(call.next(clock.now(), Some(cache)), Step::Unlock));
}

#[test]
fn a_repeat_after_a_new_login_counts_on_and_keeps_the_deadline() {
    let s = timed(fast(), Duration::from_secs(2)).with_token_source(user());
    let op = read("m").mark_needs_token();
    let mut clock = Clock::new();
    let mut cache = TokenCache::new();
    let mut call = Call::new(&s, &op, clock.now());
    log_in(&mut call, &mut cache, &mut clock, "t1", Duration::ZERO);
    let Step::Send { request, .. } = call.next(clock.now(), None) else {
        panic!("expected a request")
    };
    assert_eq!(request.headers()[0].1, "t1");
    call.on_response(200, None, envelope(9_990_001).as_bytes(), clock.now());

    // The refused token calls for a new login, which took half a second: the repeat gets
    // what is left of the 2 s.
    log_in(
        &mut call,
        &mut cache,
        &mut clock,
        "t2",
        Duration::from_millis(500),
    );
    let Step::Send { timeout, request } = call.next(clock.now(), None) else {
        panic!("expected a request")
    };
    assert_eq!(timeout, Duration::from_millis(1500));
    assert_eq!(request.headers()[0].1, "t2");
    call.on_response(200, None, envelope(0).as_bytes(), clock.now());
    let Step::Done(Ok(response)) = call.next(clock.now(), None) else {
        panic!("expected the answer")
    };
    assert_eq!(response.meta.attempts, 2);
    assert_eq!(cache.logins(), 2);

    // A login that took all the time: the repeat is not sent, and says why.
    let mut cache = TokenCache::new();
    let mut late = Call::new(&s, &op, clock.now());
    log_in(&mut late, &mut cache, &mut clock, "t1", Duration::ZERO);
    let Step::Send { .. } = late.next(clock.now(), None) else {
        panic!("expected a request")
    };
    late.on_response(200, None, envelope(9_990_001).as_bytes(), clock.now());
    log_in(
        &mut late,
        &mut cache,
        &mut clock,
        "t2",
        Duration::from_secs(2),
    );
    let Step::Done(Err(error)) = late.next(clock.now(), None) else {
        panic!("nothing may be sent after the deadline")
    };
    assert!(error.to_string().contains("logging in again"), "{error}");
}

#[test]
fn a_second_refusal_ends_the_call() {
    let s = signer(fast()).with_token_source(user());
    let op = read("m").mark_needs_token();
    let mut clock = Clock::new();
    let mut cache = TokenCache::new();
    let mut call = Call::new(&s, &op, clock.now());
    for token in ["t1", "t2"] {
        log_in(&mut call, &mut cache, &mut clock, token, Duration::ZERO);
        let Step::Send { .. } = call.next(clock.now(), None) else {
            panic!("expected a request")
        };
        call.on_response(200, None, envelope(9_990_001).as_bytes(), clock.now());
    }
    let Step::Done(Err(error)) = call.next(clock.now(), None) else {
        panic!("one repeat only")
    };
    assert_eq!(error.return_code(), Some(&ReturnCode::TokenNotExist));
}

#[test]
fn concurrent_calls_share_one_login() {
    let s = signer(fast()).with_token_source(user());
    let op = read("m").mark_needs_token();
    let mut clock = Clock::new();
    let mut cache = TokenCache::new();
    let mut first = Call::new(&s, &op, clock.now());
    let mut second = Call::new(&s, &op, clock.now());
    // Both ask for the lock; the first gets it and logs in, the second waits for it and then
    // finds the token.
    assert!(matches!(second.next(clock.now(), None), Step::Lock));
    log_in(&mut first, &mut cache, &mut clock, "shared", Duration::ZERO);
    assert!(matches!(
        second.next(clock.now(), Some(&mut cache)),
        Step::Unlock
    ));
    let Step::Send { request, .. } = second.next(clock.now(), None) else {
        panic!("expected a request")
    };
    assert_eq!(request.headers()[0].1, "shared");
    assert_eq!(cache.logins(), 1);
}

#[test]
fn a_call_without_a_token_source_is_refused_before_sending() {
    let s = signer(fast());
    let op = read("m").mark_needs_token();
    let clock = Clock::new();
    let mut cache = TokenCache::new();
    let mut call = Call::new(&s, &op, clock.now());
    assert!(matches!(call.next(clock.now(), None), Step::Lock));
    let Step::Done(Err(error)) = call.next(clock.now(), Some(&mut cache)) else {
        panic!("nothing may be sent without a token")
    };
    assert!(error.to_string().contains("OPRETAIL_USER"), "{error}");
}

#[test]
fn an_explicit_login_logs_in_once() {
    let s = signer(fast()).with_token_source(user());
    let mut clock = Clock::new();
    let mut cache = TokenCache::new();
    let mut login = Call::login(&s);
    assert!(matches!(login.next(clock.now(), None), Step::Lock));
    let Step::Send { .. } = login.next(clock.now(), Some(&mut cache)) else {
        panic!("expected the login")
    };
    login.on_response(200, None, login_answer("t1").as_bytes(), clock.now());
    assert!(matches!(
        login.next(clock.now(), Some(&mut cache)),
        Step::Done(Ok(_))
    ));
    assert!(cache.login().is_some());
    // Once logged in, a second explicit login sends nothing.
    let mut again = Call::login(&s);
    assert!(matches!(again.next(clock.now(), None), Step::Lock));
    assert!(matches!(
        again.next(clock.now(), Some(&mut cache)),
        Step::Done(Ok(_))
    ));
    assert_eq!(cache.logins(), 1);
    clock.advance(Duration::ZERO);
    let Step::Done(Err(error)) = Call::login(&signer(fast())).next(clock.now(), None) else {
        panic!("no login without user credentials")
    };
    assert!(error.to_string().contains("OPRETAIL_USER"), "{error}");
}

/// A preparer whose calls may take `timeout`, at most `per_sec` requests a second.
fn paced(per_sec: f64, timeout: Duration) -> Engine {
    let config = Config::builder()
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
        .timeout(timeout)
        .rate_limit(per_sec)
        .build()
        .unwrap();
    Engine::new(Credentials::new("key", "secret").unwrap(), config)
}

#[test]
fn the_rate_limit_spaces_calls_and_their_retries() {
    let s = paced(10.0, Duration::from_secs(60));
    let (a, b) = (read("a"), read("b"));
    let mut clock = Clock::new();
    let mut first = Call::new(&s, &a, clock.now());
    let mut second = Call::new(&s, &b, clock.now());
    assert!(matches!(first.next(clock.now(), None), Step::Send { .. }));
    // The second call waits for its slot, 100 ms after the first request…
    assert!(
        matches!(second.next(clock.now(), None), Step::Sleep(d) if d == Duration::from_millis(100))
    );
    // …and the first call's retry, after its 10 ms backoff, for the slot after that.
    first.on_response(200, None, envelope(-500).as_bytes(), clock.now());
    assert!(
        matches!(first.next(clock.now(), None), Step::Sleep(d) if d <= Duration::from_millis(20))
    );
    clock.advance(Duration::from_millis(20));
    assert!(
        matches!(first.next(clock.now(), None), Step::Sleep(d) if d == Duration::from_millis(180))
    );
    clock.advance(Duration::from_millis(80));
    // The slots are held: once awake, each is sent without asking again.
    assert!(matches!(second.next(clock.now(), None), Step::Send { .. }));
    clock.advance(Duration::from_millis(100));
    assert!(matches!(first.next(clock.now(), None), Step::Send { .. }));
    assert_eq!(first.attempts(), 2);
}

#[test]
fn a_call_whose_turn_would_come_after_its_deadline_is_not_sent() {
    let s = paced(0.1, Duration::from_secs(2));
    let (a, b) = (read("a"), read("b"));
    let clock = Clock::new();
    let mut first = Call::new(&s, &a, clock.now());
    assert!(matches!(first.next(clock.now(), None), Step::Send { .. }));
    let mut second = Call::new(&s, &b, clock.now());
    let Step::Done(Err(error)) = second.next(clock.now(), None) else {
        panic!("a slot 10 s away is past the 2 s timeout")
    };
    assert!(error.to_string().contains("rate limit"), "{error}");
    assert_eq!(second.attempts(), 0);
}

#[test]
fn rate_limits_out_of_range_are_refused() {
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 2e6] {
        let error = Config::builder().rate_limit(rate).build().unwrap_err();
        assert!(error.to_string().contains("rate limit"), "{rate}: {error}");
    }
    let config = Config::builder().rate_limit(4.0).build().unwrap();
    assert_eq!(config.request_spacing(), Some(Duration::from_millis(250)));
    assert_eq!(Config::default().request_spacing(), None);
}

#[test]
fn a_call_not_safe_to_repeat_is_retried_only_when_it_surely_did_not_run() {
    let s = signer(fast());
    let write = RawCall::new("open.sandbox.write");
    // Not sent, or refused unexecuted as a repeat (`-100`): sent again, signed afresh.
    for refusal in [Err(TransportKind::Connect), Ok((200, envelope(-100)))] {
        let (result, _, stamps) = drive(&s, &write, &[refusal, Ok((200, envelope(0)))]);
        assert!(result.is_ok());
        assert_eq!(stamps.len(), 2);
        assert_ne!(stamps[0], stamps[1]);
    }
    for answer in [
        Err(TransportKind::Timeout),
        Err(TransportKind::Io),
        Ok((200, envelope(-500))),
        Ok((503, "busy".to_owned())),
    ] {
        let (result, _, stamps) = drive(&s, &write, std::slice::from_ref(&answer));
        assert!(result.is_err(), "{answer:?}");
        assert_eq!(stamps.len(), 1, "{answer:?} must not be sent again");
    }
}

#[test]
fn each_attempt_gets_at_most_the_time_left_of_the_call() {
    let s = timed(fast().max_attempts(5), Duration::from_secs(2));
    let op = read("m");
    let mut clock = Clock::new();
    let start = clock.mono;
    let mut call = Call::new(&s, &op, clock.now());
    let mut timeouts = Vec::new();
    let result = loop {
        match call.next(clock.now(), None) {
            Step::Send { timeout, .. } => {
                timeouts.push(timeout);
                // The attempt uses all of its time and times out.
                clock.advance(timeout.min(Duration::from_millis(1500)));
                call.on_transport_error(
                    Error::transport_message(TransportKind::Timeout, "http://gw/m.api", "slow"),
                    clock.now(),
                );
            }
            Step::Sleep(d) => clock.advance(d),
            Step::Lock | Step::Unlock => unreachable!("no token is needed"),
            Step::Done(r) => break r,
        }
    };
    assert_eq!(
        result.unwrap_err().transport_kind(),
        Some(TransportKind::Timeout)
    );
    assert_eq!(timeouts[0], Duration::from_secs(2));
    assert!(timeouts.len() >= 2, "{timeouts:?}");
    // The second attempt only had what the first and the backoff left of the 2 s.
    assert!(timeouts[1] < Duration::from_millis(500), "{timeouts:?}");
    assert!(clock.mono - start <= Duration::from_secs(2), "{timeouts:?}");
}

#[test]
fn an_attempt_timeout_caps_each_attempt() {
    let config = Config::builder()
        .timeout(Duration::from_secs(30))
        .attempt_timeout(Duration::from_secs(4))
        .build()
        .unwrap();
    let s = Engine::new(Credentials::new("key", "secret").unwrap(), config);
    let op = read("m");
    let clock = Clock::new();
    let mut call = Call::new(&s, &op, clock.now());
    let Step::Send { timeout, .. } = call.next(clock.now(), None) else {
        panic!("expected a request")
    };
    assert_eq!(timeout, Duration::from_secs(4));
}

#[test]
fn extra_headers_go_with_every_attempt() {
    let s = signer(fast());
    let op = read("m");
    let clock = Clock::new();
    let s = s.with_token_source(TokenSource::token("tok"));
    let op = op.mark_needs_token();
    let mut cache = TokenCache::new();
    let mut call = Call::new(&s, &op, clock.now());
    assert!(matches!(call.next(clock.now(), None), Step::Lock));
    assert!(matches!(
        call.next(clock.now(), Some(&mut cache)),
        Step::Unlock
    ));
    for _ in 0..2 {
        let Step::Send { request, .. } = call.next(clock.now(), None) else {
            panic!("expected a request")
        };
        assert_eq!(
            request.headers(),
            [("authenticator".to_owned(), "tok".to_owned())]
        );
        call.on_response(200, None, envelope(-500).as_bytes(), clock.now());
        if let Step::Sleep(_) = call.next(clock.now(), None) {
        } else {
            panic!("a system error of a read is retried after a backoff");
        }
    }
}

#[test]
#[should_panic(expected = "in flight")]
fn asking_for_the_next_step_while_an_attempt_is_in_flight_is_a_bug() {
    let s = signer(fast());
    let op = read("m");
    let clock = Clock::new();
    let mut call = Call::new(&s, &op, clock.now());
    let _ = call.next(clock.now(), None);
    let _ = call.next(clock.now(), None);
}

#[test]
#[should_panic(expected = "after the call returned Step::Done")]
fn going_on_after_the_end_is_a_bug() {
    let s = signer(fast());
    let op = read("m");
    let clock = Clock::new();
    let mut call = Call::new(&s, &op, clock.now());
    let _ = call.next(clock.now(), None);
    call.on_response(200, None, envelope(0).as_bytes(), clock.now());
    assert!(matches!(call.next(clock.now(), None), Step::Done(Ok(_))));
    let _ = call.next(clock.now(), None);
}

#[test]
#[should_panic(expected = "without an attempt in flight")]
fn reporting_an_outcome_without_a_request_is_a_bug() {
    let s = signer(fast());
    let op = read("m");
    let clock = Clock::new();
    let mut call = Call::new(&s, &op, clock.now());
    call.on_response(200, None, envelope(0).as_bytes(), clock.now());
}

#[test]
fn a_redirect_is_an_error_naming_the_status_and_the_host_and_is_not_followed() {
    let s = signer(fast());
    let op = read("m");
    let clock = Clock::new();
    let mut call = Call::new(&s, &op, clock.now());
    let _ = call.next(clock.now(), None);
    call.on_response(
        307,
        Some("http://elsewhere.example/collect"),
        b"",
        clock.now(),
    );
    let Step::Done(Err(err)) = call.next(clock.now(), None) else {
        panic!("a redirect must end the call")
    };
    assert_eq!(err.transport_kind(), Some(TransportKind::Redirect));
    let text = err.to_string();
    assert!(
        text.contains("307") && text.contains("http://elsewhere.example"),
        "{text}"
    );
    assert_eq!(call.attempts(), 1);
}
