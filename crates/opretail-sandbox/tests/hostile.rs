//! Hostile requests: arbitrary forms to the parser, arbitrary forms and raw bytes over TCP
//! to a running sandbox (garbage, huge headers, a request that never ends, an oversized
//! body). The sandbox never panics, answers what it can, and keeps answering valid requests.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::Form;
use opretail_sandbox::{MAX_BODY_BYTES, MAX_FORM_PAIRS, Params, Sandbox, SandboxHandle};
use proptest::prelude::*;

/// How long a test waits for any answer; a hung sandbox fails instead of hanging CI.
const PATIENCE: Duration = Duration::from_secs(10);

/// Writes `request` whole, then reads until the sandbox closes: the status (if a response
/// came) and the body. A write or read failure counts as "no response". The request must
/// end the connection (`connection: close`); for hostile ones, see [`send_hostile`].
fn exchange(addr: SocketAddr, request: &[u8]) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).expect("connect to the sandbox");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_write_timeout(Some(PATIENCE)).expect("timeout");
    // The sandbox may answer and close before reading everything (413, 431): keep reading.
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    parse_response(&response)
}

/// How the sandbox met a hostile request.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// An HTTP/1.1 response with this status.
    Answered(u16),
    /// The connection was closed (or reset) without a byte of response.
    Closed,
    /// Nothing came and the connection stayed open for all of [`PATIENCE`].
    Hung,
    /// Bytes came that are not an HTTP/1.1 response.
    Unreadable(String),
}

impl Outcome {
    /// What a hostile request must meet: a 4xx, or a connection closed without an answer.
    fn is_refusal(&self) -> bool {
        match self {
            Outcome::Answered(status) => (400..500).contains(status),
            Outcome::Closed => true,
            Outcome::Hung | Outcome::Unreadable(_) => false,
        }
    }
}

/// Writes `request` whole, closes the sending side (so that the sandbox sees the end of an
/// incomplete request at once), then reads until the sandbox closes or [`PATIENCE`] runs
/// out, and tells which of those happened.
fn send_hostile(addr: SocketAddr, request: &[u8]) -> Outcome {
    let mut stream = TcpStream::connect(addr).expect("connect to the sandbox");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_write_timeout(Some(PATIENCE)).expect("timeout");
    // The sandbox may answer and close before reading everything (413, 431): keep reading.
    let _ = stream.write_all(request);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut response = Vec::new();
    let read = stream.read_to_end(&mut response);
    if let Err(e) = &read
        && response.is_empty()
        && matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    {
        return Outcome::Hung;
    }
    if response.is_empty() {
        return Outcome::Closed;
    }
    match parse_response(&response) {
        Some((status, _)) => Outcome::Answered(status),
        None => Outcome::Unreadable(String::from_utf8_lossy(&response).into_owned()),
    }
}

fn parse_response(response: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(response);
    let status = text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_owned()))
}

/// A complete HTTP/1.1 POST of `body` to the gateway path, closing afterwards.
fn post_request(addr: SocketAddr, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST /m.api HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

/// Posts a form body; returns the status and the parsed envelope.
fn post_form(addr: SocketAddr, body: &[u8]) -> (u16, serde_json::Value) {
    let (status, text) = exchange(addr, &post_request(addr, body))
        .unwrap_or_else(|| panic!("no response to a form of {} bytes", body.len()));
    let envelope = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, envelope)
}

/// Asserts that a valid, signed request is answered with `SUCCESS`.
fn assert_still_serving(sandbox: &SandboxHandle, after: &str) {
    let form = Form::total_data("S_1001").signed().encode();
    let (status, envelope) = post_form(sandbox.addr(), form.as_bytes());
    assert_eq!(status, 200, "after {after}: {envelope}");
    assert_eq!(envelope["stat"]["code"], "0", "after {after}: {envelope}");
}

#[test]
fn garbage_bytes_get_an_error_or_a_closed_connection() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let addr = sandbox.addr();
    let garbage: [&[u8]; 7] = [
        b"",
        b"\r\n\r\n",
        b"\x00\xff\xfe garbage \x01\x02",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /m.api HTTP/1.1\r\ncontent-length: -1\r\n\r\n",
        b"POST /m.api HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ];
    for bytes in garbage {
        let outcome = send_hostile(addr, bytes);
        assert!(
            outcome.is_refusal(),
            "{outcome:?} for {:?}",
            String::from_utf8_lossy(bytes)
        );
        assert_still_serving(&sandbox, &format!("{:?}", String::from_utf8_lossy(bytes)));
    }
    // Other paths and methods are HTTP errors, not gateway answers.
    let (status, _) =
        exchange(addr, b"GET /m.api HTTP/1.1\r\nconnection: close\r\n\r\n").expect("an answer");
    assert_eq!(status, 405);
    let (status, _) =
        exchange(addr, b"POST /other HTTP/1.1\r\nconnection: close\r\n\r\n").expect("an answer");
    assert_eq!(status, 404);
}

#[test]
fn huge_headers_are_refused() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let addr = sandbox.addr();
    let one_long = format!(
        "POST /m.api HTTP/1.1\r\nx-long: {}\r\ncontent-length: 0\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let many: String = (0..10_000).map(|i| format!("x-h{i}: v\r\n")).collect();
    let many = format!("POST /m.api HTTP/1.1\r\n{many}content-length: 0\r\n\r\n");
    for (what, request) in [("one long header", one_long), ("many headers", many)] {
        let outcome = send_hostile(addr, request.as_bytes());
        assert!(outcome.is_refusal(), "{what}: {outcome:?}");
        assert_still_serving(&sandbox, what);
    }
}

#[test]
fn oversized_bodies_get_413() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let addr = sandbox.addr();
    let body = vec![b'a'; MAX_BODY_BYTES + 1];
    let (status, text) = exchange(addr, &post_request(addr, &body)).expect("an answer");
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("64 KiB"), "{text}");

    // A length announced far beyond the limit is refused once the limit is passed, without
    // waiting for the rest.
    let claim = [
        &b"POST /m.api HTTP/1.1\r\ncontent-length: 10000000000\r\nconnection: close\r\n\r\n"[..],
        &vec![b'a'; 2 * MAX_BODY_BYTES],
    ]
    .concat();
    let (status, _) = exchange(addr, &claim).expect("an answer");
    assert_eq!(status, 413);

    // So is a chunked body that grows past the limit.
    let mut chunked =
        b"POST /m.api HTTP/1.1\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    for _ in 0..(MAX_BODY_BYTES / 4096 + 2) {
        chunked.extend_from_slice(b"1000\r\n");
        chunked.extend_from_slice(&[b'a'; 4096]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, _) = exchange(addr, &chunked).expect("an answer");
    assert_eq!(status, 413);
    assert_still_serving(&sandbox, "oversized bodies");
}

#[test]
fn too_many_pairs_get_400_with_the_figure() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let addr = sandbox.addr();
    let pairs = |n: usize| -> String {
        (0..n)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&")
    };
    // At the cap: read, then refused by the gateway (unsigned), as an envelope.
    let (status, envelope) = post_form(addr, pairs(MAX_FORM_PAIRS).as_bytes());
    assert_eq!(status, 200, "{envelope}");
    // One over, split between the query string and the body: refused before validation.
    let request = post_request(addr, pairs(MAX_FORM_PAIRS).as_bytes());
    let request =
        String::from_utf8(request)
            .unwrap()
            .replacen("POST /m.api ", "POST /m.api?extra=1 ", 1);
    let (status, text) = exchange(addr, request.as_bytes()).expect("an answer");
    assert_eq!(status, 400, "{text}");
    assert!(text.contains(&MAX_FORM_PAIRS.to_string()), "{text}");
    // Empty pairs (`&&&`) are skipped by the form encoding and do not count.
    let (status, _) = post_form(addr, "&".repeat(MAX_BODY_BYTES - 1).as_bytes());
    assert_eq!(status, 200);
    assert_eq!(sandbox.counters().answers_total(), 2);
    assert_still_serving(&sandbox, "too many pairs");
}

#[test]
fn a_repeated_name_among_many_is_found() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let mut form = Form::total_data("S_1");
    for i in 0..MAX_FORM_PAIRS - 20 {
        form = form.set(&format!("extra{i}"), "x");
    }
    let form = form.push("extra7", "y").signed();
    let (status, envelope) = post_form(sandbox.addr(), form.encode().as_bytes());
    assert_eq!(status, 200);
    assert_eq!(envelope["stat"]["code"], "7", "{envelope}");
    assert!(
        envelope["result"].as_str().unwrap().contains("extra7"),
        "{envelope}"
    );
}

#[test]
fn a_request_that_never_ends_does_not_block_others() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let addr = sandbox.addr();
    // Slowloris: headers and a body that are never finished, on several connections.
    let mut stalled: Vec<TcpStream> = Vec::new();
    for partial in [
        &b"POST /m.api HTTP/1.1\r\nhost: x\r\nx-slow: "[..],
        b"POST /m.api HTTP/1.1\r\ncontent-length: 1000\r\n\r\n_aid=S1",
        b"POS",
    ] {
        for _ in 0..4 {
            let mut stream = TcpStream::connect(addr).expect("connect");
            stream.write_all(partial).expect("write");
            stalled.push(stream);
        }
    }
    // The stalled connections get no answer (the client side would wait: a short read
    // timeout shows it), while valid requests on new connections are answered at once.
    let probe = &mut stalled[0];
    probe
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut buf = [0u8; 64];
    match probe.read(&mut buf) {
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e}"
        ),
        Ok(n) => panic!("an unfinished request was answered: {:?}", &buf[..n]),
    }
    for _ in 0..3 {
        assert_still_serving(&sandbox, "stalled connections");
    }
    drop(stalled);
    assert_still_serving(&sandbox, "stalled connections closed");
}

/// Form-encoded pairs with names and values from a small, collision-prone alphabet, so that
/// duplicates, empty names and common parameters all occur.
fn form_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("_aid".to_owned()),
        Just("_akey".to_owned()),
        Just("_mt".to_owned()),
        Just("_sm".to_owned()),
        Just("_sig".to_owned()),
        Just("_timestamp".to_owned()),
        Just("id".to_owned()),
        "[a-z_]{0,3}",
        "\\PC{0,6}",
    ];
    prop::collection::vec((name, "\\PC{0,12}"), 0..16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_parser_reads_any_bytes_within_bounds(
        query in proptest::option::of(any::<String>()),
        body in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let params = Params::parse(query.as_deref(), &body);
        let input = query.as_deref().map_or(0, str::len) + body.len();
        let separators = query.as_deref().map_or(0, |q| q.matches('&').count() + 1)
            + body.iter().filter(|b| **b == b'&').count() + 1;
        prop_assert!(params.pairs().len() <= separators);
        // Each byte decodes to at most one U+FFFD (3 bytes); `%XX` shrinks.
        let decoded: usize = params.pairs().iter().map(|(k, v)| k.len() + v.len()).sum();
        prop_assert!(decoded <= 3 * input, "{decoded} from {input}");
        // `get` is the first pair of a name.
        for (i, (name, value)) in params.pairs().iter().enumerate() {
            if !params.pairs()[..i].iter().any(|(k, _)| k == name) {
                prop_assert_eq!(params.get(name), value.as_ref());
            }
        }
        let mut names: Vec<&str> = params.pairs().iter().map(|(k, _)| k.as_ref()).collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        prop_assert_eq!(params.duplicate_name().is_some(), names.len() < total);
        prop_assert!(params.business().all(|(k, _)| !k.starts_with('_')));
    }

    #[test]
    fn encoded_pairs_come_back_as_they_were(pairs in form_pairs()) {
        let body = common::form_encode(&pairs);
        let params = Params::parse(None, body.as_bytes());
        let back: Vec<(String, String)> = params
            .pairs()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        prop_assert_eq!(back, pairs);
    }
}

proptest! {
    // Each case is a round trip over loopback: fewer cases keep the suite fast.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_forms_over_http_get_an_error_envelope(
        pairs in form_pairs(),
        raw in prop::collection::vec(any::<u8>(), 0..256),
        use_raw in any::<bool>(),
    ) {
        let sandbox = shared_sandbox();
        let body = if use_raw { raw } else { common::form_encode(&pairs).into_bytes() };
        let (status, envelope) = post_form(sandbox.addr(), &body);
        prop_assert_eq!(status, 200);
        // Nothing arbitrary is validly signed: every answer is a strict error envelope.
        let code = envelope["stat"]["code"].as_str().unwrap_or("missing");
        prop_assert!(code != "0" && code != "missing", "{}", envelope);
        prop_assert!(envelope["stat"]["cid"].is_string(), "{}", envelope);
    }
}

/// One sandbox for every case of the HTTP proptest (starting one per case is slower than the
/// case), checked still serving at the end by [`the_shared_sandbox_survives_the_proptest`].
fn shared_sandbox() -> &'static SandboxHandle {
    static SANDBOX: std::sync::OnceLock<SandboxHandle> = std::sync::OnceLock::new();
    SANDBOX.get_or_init(|| Sandbox::builder().start_blocking().expect("sandbox starts"))
}

#[test]
fn the_shared_sandbox_serves_valid_requests_between_hostile_ones() {
    let sandbox = shared_sandbox();
    for body in [&b"\xff\xfe=\x00&&&=="[..], b"_sig=%ZZ&_sig=", b"=&=&="] {
        let (status, _) = post_form(sandbox.addr(), body);
        assert_eq!(status, 200);
        assert_still_serving(sandbox, &format!("{body:?}"));
    }
}
