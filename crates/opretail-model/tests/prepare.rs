//! Request preparation: the signed form is exactly what the gateway's rule demands.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opretail_model::engine::{Engine, Preparation, PreparedRequest};
use opretail_model::{Config, Credentials, Environment, Error, GetTotalData, RawCall, SignMethod};

/// 2026-11-28T02:15:00Z, which is 10:15:00 at the gateway (UTC+08:00).
const NOW: u64 = 1_795_832_100;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn signer(method: SignMethod) -> Engine {
    let config = Config::builder().sign_method(method).build().unwrap();
    Engine::new(Credentials::new("demo-key", "demo-secret").unwrap(), config)
}

fn ready(p: Preparation) -> PreparedRequest {
    match p {
        Preparation::Ready(r) => r,
        Preparation::Wait(d) => panic!("expected a request, got a wait of {d:?}"),
    }
}

fn value(r: &PreparedRequest, name: &str) -> String {
    r.value(name).unwrap()
}

fn sent(r: &PreparedRequest) -> Vec<(String, String)> {
    r.pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn get_total_data_matches_the_signing_vectors() {
    let op = GetTotalData::new("S_1001".parse().unwrap());
    for (method, sig) in [
        (SignMethod::Md5, "5DF86E5EC56A50793D81B05DA93AEC3F"),
        (SignMethod::Sha1, "B6D2C586106AD2F7196AD6B04FDF0F7C4E21BD04"),
        // Computed with Python's hashlib from the same canonical string.
        (
            SignMethod::Sha256,
            "4CBA0C60D3ED7AC81DF9E16C093A25B148B472D60146072BFEFEE04AA0F17394",
        ),
    ] {
        let r = ready(signer(method).prepare(&op, &[], at(NOW)).unwrap());
        assert_eq!(value(&r, "_timestamp"), "20261128101500");
        assert_eq!(value(&r, "_sig"), sig);
        assert_eq!(value(&r, "needUnit"), "0");
        assert_eq!(value(&r, "_requestMode"), "POST");
        let sent = sent(&r);
        assert_eq!(sent.last().unwrap().0, "_sig");
        let names: Vec<&str> = sent.iter().map(|(k, _)| k.as_str()).collect();
        let mut sorted = names[..names.len() - 1].to_vec();
        sorted.sort_unstable();
        assert_eq!(
            names[..names.len() - 1],
            sorted,
            "the form goes out in signing order"
        );
        assert_eq!(sent.len(), 11);
        assert!(r.body().contains(&format!("_sig={sig}")));
        assert!(
            r.body()
                .contains("_mt=open.shopweb.passengerFlow.getTotalData")
        );
    }
}

#[test]
fn values_are_trimmed_and_percent_encoded_only_on_the_wire() {
    let op = RawCall::new("open.sandbox.echo").param("name", "  门店 A&B=1  ");
    let r = ready(signer(SignMethod::Md5).prepare(&op, &[], at(NOW)).unwrap());
    assert_eq!(value(&r, "name"), "门店 A&B=1");
    let sent = sent(&r);
    assert!(
        r.body().contains("name=%E9%97%A8%E5%BA%97+A%26B%3D1"),
        "{}",
        r.body()
    );
    assert!(!r.body().contains('门'));
    let expected = opretail_sign::sign(SignMethod::Md5, "demo-secret", &sent);
    assert_eq!(value(&r, "_sig"), expected.as_str());
}

#[test]
fn the_gateway_offset_sets_the_wall_clock() {
    let config = Config::builder()
        .utc_offset(chrono::FixedOffset::east_opt(0).unwrap())
        .build()
        .unwrap();
    let s = Engine::new(Credentials::new("k", "s").unwrap(), config);
    let r = ready(s.prepare(&RawCall::new("m"), &[], at(NOW)).unwrap());
    assert_eq!(value(&r, "_timestamp"), "20261128021500");
}

#[test]
fn identical_calls_in_one_second_get_distinct_signatures_then_wait() {
    let s = signer(SignMethod::Md5); // replay_backdate defaults to 5
    let op = GetTotalData::new("S_1".parse().unwrap());
    let mut sigs = std::collections::HashSet::new();
    let mut stamps = Vec::new();
    for _ in 0..6 {
        let r = ready(s.prepare(&op, &[], at(NOW)).unwrap());
        assert!(sigs.insert(value(&r, "_sig").to_owned()));
        stamps.push(r.timestamp().unix());
    }
    let now = NOW as i64;
    assert_eq!(stamps, [now, now - 1, now - 2, now - 3, now - 4, now - 5]);
    match s
        .prepare(&op, &[], at(NOW) + Duration::from_millis(250))
        .unwrap()
    {
        Preparation::Wait(d) => assert!(
            d > Duration::from_millis(740) && d <= Duration::from_millis(760),
            "{d:?}"
        ),
        Preparation::Ready(_) => panic!("all six timestamps are used; the seventh call must wait"),
    }
    // A second later the current second is free again.
    let r = ready(s.prepare(&op, &[], at(NOW + 1)).unwrap());
    assert_eq!(r.timestamp().unix(), now + 1);
    // A different call is not affected.
    let other = GetTotalData::new("S_2".parse().unwrap());
    assert_eq!(
        ready(s.prepare(&other, &[], at(NOW)).unwrap())
            .timestamp()
            .unix(),
        now
    );
}

#[test]
fn backdating_can_be_switched_off() {
    let config = Config::builder().replay_backdate(0).build().unwrap();
    let s = Engine::new(Credentials::new("k", "s").unwrap(), config);
    let op = RawCall::new("m");
    ready(s.prepare(&op, &[], at(NOW)).unwrap());
    assert!(matches!(
        s.prepare(&op, &[], at(NOW)).unwrap(),
        Preparation::Wait(_)
    ));
}

fn invalid(result: Result<Preparation, Error>) -> String {
    match result {
        Err(e @ Error::InvalidInput { .. }) => e.to_string(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn bad_operations_are_refused_before_sending() {
    let s = signer(SignMethod::Md5);
    let msg = invalid(s.prepare(
        &RawCall::new("m").param("id", "1").param("id", "2"),
        &[],
        at(NOW),
    ));
    assert!(msg.contains("id") && msg.contains("twice"), "{msg}");
    let msg = invalid(s.prepare(&RawCall::new("m").param("_sig", "x"), &[], at(NOW)));
    assert!(msg.contains("_sig"), "{msg}");
    let msg = invalid(s.prepare(&RawCall::new("m").param("_timestamp", "x"), &[], at(NOW)));
    assert!(msg.contains("_timestamp"), "{msg}");
    // Any name of the common parameters' prefix, in any case, not only the nine sent.
    for name in ["_asid", "_SIG", "_nonce"] {
        let msg = invalid(s.prepare(&RawCall::new("m").param(name, "x"), &[], at(NOW)));
        assert!(
            msg.contains(name) && msg.contains("starts with `_`"),
            "{msg}"
        );
    }
    let msg = invalid(s.prepare(&RawCall::new("m").param(" ", "x"), &[], at(NOW)));
    assert!(msg.contains("empty name"), "{msg}");
    let msg = invalid(s.prepare(&RawCall::new(""), &[], at(NOW)));
    assert!(msg.contains("_mt"), "{msg}");
    let msg = invalid(s.prepare(&RawCall::new("m".repeat(101)), &[], at(NOW)));
    assert!(msg.contains("100"), "{msg}");
    let msg = invalid(s.prepare(&RawCall::new("m").at_version(""), &[], at(NOW)));
    assert!(msg.contains("_version"), "{msg}");
    assert!(
        s.prepare(&RawCall::new("m".repeat(100)), &[], at(NOW))
            .is_ok()
    );
}

#[test]
fn headers_are_not_sent_in_clear_text_beyond_this_machine_unless_allowed() {
    let op = RawCall::new("m").header("Ovo-Authorization", "tok-123");
    let clear = |allow: bool| {
        let config = Config::builder()
            .endpoint("http://gateway.example/m.api")
            .headers_over_clear_text(allow)
            .build()
            .unwrap();
        Engine::new(Credentials::new("k", "s").unwrap(), config)
    };
    let msg = invalid(clear(false).prepare(&op, &[], at(NOW)));
    assert!(
        msg.contains("clear text") && msg.contains("Ovo-Authorization"),
        "{msg}"
    );
    assert!(!msg.contains("tok-123"), "{msg}");
    let msg = invalid(clear(false).prepare(&RawCall::new("m"), &[("authenticator", "t")], at(NOW)));
    assert!(msg.contains("authenticator"), "{msg}");
    let r = ready(clear(true).prepare(&op, &[], at(NOW)).unwrap());
    assert_eq!(
        r.headers(),
        [("Ovo-Authorization".to_owned(), "tok-123".to_owned())]
    );
    assert!(!format!("{r:?}").contains("tok-123"));
    // Loopback and https are fine without the opt-in.
    for endpoint in ["http://127.0.0.1:1/m.api", "https://gateway.example/m.api"] {
        let config = Config::builder().endpoint(endpoint).build().unwrap();
        let s = Engine::new(Credentials::new("k", "s").unwrap(), config);
        ready(s.prepare(&op, &[], at(NOW)).unwrap());
    }
}

#[test]
fn the_environment_header_is_sent_only_when_set_even_over_clear_text() {
    let engine = |environment: Option<Environment>| {
        let builder = Config::builder().endpoint("http://gateway.example/m.api");
        let builder = match environment {
            Some(environment) => builder.environment(environment),
            None => builder,
        };
        Engine::new(
            Credentials::new("k", "s").unwrap(),
            builder.build().unwrap(),
        )
    };
    let plain = ready(
        engine(None)
            .prepare(&RawCall::new("m"), &[], at(NOW))
            .unwrap(),
    );
    assert!(plain.headers().is_empty());
    let test = ready(
        engine(Some(Environment::Test))
            .prepare(&RawCall::new("m"), &[], at(NOW))
            .unwrap(),
    );
    assert_eq!(
        test.headers(),
        [("environment".to_owned(), "test".to_owned())]
    );
    // A header, not a parameter: the signature is the same as without it.
    assert_eq!(value(&test, "_sig"), value(&plain, "_sig"));
}

#[test]
fn a_nonce_is_a_fresh_signed_lower_case_uuid_and_needs_the_transports_random_bits() {
    use opretail_model::engine::Moment;

    let engine = |nonce: bool| {
        let config = Config::builder().nonce(nonce).build().unwrap();
        Engine::new(Credentials::new("k", "s").unwrap(), config)
    };
    let moment = |random: u128| Moment {
        wall: at(NOW),
        monotonic: std::time::Instant::now(),
        random,
    };
    let op = GetTotalData::new("S_1001".parse().unwrap());
    let with = engine(true);
    let first = ready(with.prepare(&op, &[], moment(1)).unwrap());
    let second = ready(with.prepare(&op, &[], moment(u128::MAX - 7)).unwrap());
    let nonce = value(&first, "_nonce");
    assert_eq!(nonce.len(), 36, "{nonce}");
    assert_eq!(nonce, nonce.to_lowercase());
    assert_eq!(nonce.matches('-').count(), 4, "{nonce}");
    assert_eq!(&nonce[14..15], "4", "a version-4 UUID: {nonce}");
    assert_ne!(value(&second, "_nonce"), nonce);
    // Signed like any parameter: it sorts between _mt and _requestMode.
    let names: Vec<String> = sent(&first).into_iter().map(|(k, _)| k).collect();
    let at_nonce = names.iter().position(|k| k == "_nonce").unwrap();
    assert_eq!(
        (names[at_nonce - 1].as_str(), names[at_nonce + 1].as_str()),
        ("_mt", "_requestMode")
    );
    let pairs: Vec<(String, String)> = sent(&first)
        .into_iter()
        .filter(|(k, _)| k != "_sig")
        .collect();
    assert_eq!(
        opretail_sign::sign(SignMethod::Md5, "s", &pairs).as_str(),
        value(&first, "_sig")
    );
    // Off by default, whatever the bits.
    let without = ready(engine(false).prepare(&op, &[], moment(1)).unwrap());
    assert_eq!(without.value("_nonce"), None);
    // A bare time has no random bits: refused rather than a nonce that repeats.
    let msg = invalid(with.prepare(&op, &[], at(NOW)));
    assert!(msg.contains("_nonce") && msg.contains("Moment"), "{msg}");
}

#[test]
fn bad_credentials_and_config_are_refused() {
    let e = Credentials::new("", "s").unwrap_err().to_string();
    assert!(e.contains("_akey") && e.contains("empty"), "{e}");
    let e = Credentials::new("k".repeat(21), "s")
        .unwrap_err()
        .to_string();
    assert!(e.contains("20"), "{e}");
    assert!(Credentials::new("k".repeat(20), "s").is_ok());
    let e = Credentials::new("k", "  ").unwrap_err().to_string();
    assert!(e.contains("_asid"), "{e}");
    for url in [
        "",
        "not a url",
        "ftp://h/m.api",
        "http://",
        "openapi.opretail.com/m.api",
        "https://user:pw@h/m.api",
        "https://h/m.api#x",
    ] {
        let e = Config::builder()
            .endpoint(url)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid endpoint"), "{url}: {e}");
    }
    assert!(Config::builder().aid("").build().is_err());
    assert!(Config::builder().timeout(Duration::ZERO).build().is_err());
    assert!(
        Config::builder()
            .endpoint("http://127.0.0.1:8080/m.api")
            .build()
            .is_ok()
    );
}

#[test]
fn the_secret_is_never_shown() {
    let s = signer(SignMethod::Md5);
    let r = ready(
        s.prepare(&GetTotalData::new("S_1".parse().unwrap()), &[], at(NOW))
            .unwrap(),
    );
    for text in [
        format!("{s:?}"),
        format!("{r:?}"),
        format!("{:?}", s.credentials()),
    ] {
        assert!(!text.contains("demo-secret"), "{text}");
        assert!(!text.contains(&value(&r, "_sig")), "{text}");
    }
    assert!(!r.body().contains("demo-secret"));
    assert!(!format!("{:?}", s.credentials()).contains("demo-key"));
}

proptest::proptest! {
    #[test]
    fn any_values_survive_the_wire_encoding(values in proptest::collection::vec("\\PC{0,12}", 1..6)) {
        let op = values.iter().enumerate().fold(RawCall::new("m"), |op, (i, v)| op.param(format!("p{i}"), v.clone()));
        let r = ready(signer(SignMethod::Md5).prepare(&op, &[], at(NOW)).unwrap());
        for (i, v) in values.iter().enumerate() {
            proptest::prop_assert_eq!(value(&r, &format!("p{i}")), v.trim());
        }
        let sent = sent(&r);
        let sig = value(&r, "_sig");
        proptest::prop_assert!(opretail_sign::verify(SignMethod::Md5, &sent, "demo-secret", &sig));
    }
}

#[test]
fn rsa_credentials_sign_with_the_key_and_send_no_akey() {
    let key = include_str!("data/rsa-test-key.pem");
    let public =
        opretail_sign::RsaVerifyingKey::from_text(include_str!("data/rsa-test-key.pub.pem"))
            .unwrap();
    // The sign method set for digests does not matter: the key decides.
    let config = Config::builder()
        .sign_method(SignMethod::Sha1)
        .build()
        .unwrap();
    let credentials = Credentials::rsa(key).unwrap();
    assert!(credentials.is_rsa() && credentials.akey().is_none() && credentials.asid().is_none());
    let shown = format!("{credentials:?}");
    assert!(
        !shown.contains("MII") && shown.contains("material not shown"),
        "{shown}"
    );
    let engine = Engine::new(credentials, config);
    let op = GetTotalData::new("S_1001".parse().unwrap());
    let request = ready(engine.prepare(&op, &[], at(NOW)).unwrap());
    assert_eq!(request.value("_akey"), None);
    assert_eq!(value(&request, "_sm"), "rsa");
    let pairs = sent(&request);
    let sig = value(&request, "_sig");
    assert!(opretail_sign::verify_rsa(&public, &pairs, &sig), "{sig}");
    // Standard base64 of a 1024-bit signature.
    assert_eq!(sig.len(), 172);
    let mut tampered = pairs.clone();
    tampered.retain(|(k, _)| k != "id");
    assert!(!opretail_sign::verify_rsa(&public, &tampered, &sig));
}

#[test]
fn a_json_body_goes_unsigned_and_the_signed_form_goes_in_the_query() {
    let engine = signer(SignMethod::Md5);
    let call = RawCall::new("open.demo.nested")
        .param("id", "S_1001")
        .with_json_body(serde_json::json!({"order": {"lines": [1, 2]}}))
        .unwrap();
    let request = ready(engine.prepare(&call, &[], at(NOW)).unwrap());
    assert_eq!(request.body(), r#"{"order":{"lines":[1,2]}}"#);
    assert_eq!(request.content_type(), "application/json;charset=utf-8");
    let query = request.query().expect("the signed form in the query");
    assert!(
        query.contains("_sig=") && query.contains("id=S_1001"),
        "{query}"
    );
    let pairs = sent(&request);
    assert!(
        pairs.iter().all(|(k, _)| k != "order"),
        "the JSON is not a signed field"
    );
    let sig = value(&request, "_sig");
    assert!(opretail_sign::verify(
        SignMethod::Md5,
        &pairs,
        "demo-secret",
        &sig
    ));
    // A form call is as before.
    let form = ready(
        engine
            .prepare(&RawCall::new("open.demo.nested"), &[], at(NOW + 10))
            .unwrap(),
    );
    assert_eq!(
        (form.query(), form.content_type()),
        (None, PreparedRequest::CONTENT_TYPE)
    );
}
