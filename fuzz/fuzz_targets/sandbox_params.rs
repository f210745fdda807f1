//! Any bytes as a request's query string and form body: the sandbox's parser never panics
//! and stays within bounds, and a running sandbox answers the same bytes posted as a form
//! with an HTTP 200 error envelope (its validation never panics either).
#![no_main]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use opretail_sandbox::{Params, Sandbox, SandboxHandle};

fn sandbox() -> &'static SandboxHandle {
    static SANDBOX: OnceLock<SandboxHandle> = OnceLock::new();
    SANDBOX.get_or_init(|| Sandbox::builder().start_blocking().expect("sandbox starts"))
}

/// Posts `body` with `query`, returns the status line's code and the body.
fn post(query: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let sandbox = sandbox();
    let mut stream = TcpStream::connect(sandbox.addr()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let head = format!(
        "POST /m.api?{query} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let status = response
        .get(9..12)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(Vec::new(), |at| response[at + 4..].to_vec());
    (status, body)
}

fuzz_target!(|data: &[u8]| {
    // The first line is the query string, the rest the body.
    let (query, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let query = String::from_utf8_lossy(query);
    let params = Params::parse(Some(&query), body);
    let decoded: usize = params.pairs().iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(decoded <= 3 * (query.len() + body.len()));
    let _ = params.duplicate_name();
    let _ = params.business().count();

    // Only what a client could send in a request line.
    let query: String = query
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-._~%&=+*!$'(),;:@/?".contains(*c))
        .collect();
    let (status, answer) = post(&query, body);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let envelope: serde_json::Value = serde_json::from_slice(&answer).expect("a JSON answer");
    // Nothing arbitrary is validly signed: every answer is an error.
    let code = envelope["stat"]["code"].as_str().expect("a code");
    assert_ne!(code, "0", "{envelope}");
});
