//! Connections: the cap on open connections, and the idle timeout that keeps idle or slow
//! clients from holding them. Idle connections, however many, never keep a valid call out.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::Form;
use opretail_sandbox::{Counters, DEFAULT_MAX_CONNECTIONS, Sandbox, SandboxHandle};

/// How long a test waits for any answer; a hung sandbox fails instead of hanging CI.
const PATIENCE: Duration = Duration::from_secs(10);

/// Sends one keep-alive `getTotalData` request on `stream`, returns the status line's code.
fn keep_alive_request(stream: &mut TcpStream, addr: SocketAddr) -> std::io::Result<u16> {
    let body = Form::total_data("S_1").signed().encode();
    write!(
        stream,
        "POST /m.api HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )?;
    // Read the head, then exactly the announced body, leaving the connection open.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte)?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|v| v.trim().parse().ok())
        .expect("a content-length");
    stream.read_exact(&mut vec![0; length])?;
    Ok(head[9..12].parse().expect("a status"))
}

/// A connection with a read timeout of [`PATIENCE`].
fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream
}

/// Whether the sandbox closed `stream` (end of file or reset) without sending anything.
fn closed_by_the_sandbox(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(n) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// Whether a read on `stream` waits (a short read timeout shows the client waiting).
fn waits_for_an_answer(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let mut buf = [0u8; 64];
    let waited = matches!(
        stream.read(&mut buf),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
    );
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    waited
}

/// Waits (polling, up to [`PATIENCE`]) until the sandbox's counters satisfy `done`.
fn until(sandbox: &SandboxHandle, done: impl Fn(&Counters) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done(&sandbox.counters()) {
        assert!(Instant::now() < deadline, "{:?}", sandbox.counters());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// How many connections [`capped`] sandboxes take.
const CAP: usize = 3;

/// A sandbox that takes at most [`CAP`] connections, and its address.
fn capped() -> (SandboxHandle, SocketAddr) {
    let sandbox = Sandbox::builder()
        .max_connections(CAP)
        .start_blocking()
        .expect("sandbox starts");
    let addr = sandbox.addr();
    (sandbox, addr)
}

#[test]
fn connections_over_the_cap_wait_while_every_one_is_busy() {
    let (sandbox, addr) = capped();
    // CAP requests whose bodies never finish: every slot is busy.
    let mut busy: Vec<TcpStream> = (0..CAP)
        .map(|_| {
            let mut stream = connect(addr);
            stream
                .write_all(b"POST /m.api HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n_aid=")
                .expect("write");
            stream
        })
        .collect();
    until(&sandbox, |c| c.in_flight() == CAP as u64);
    // One more: the kernel completes the TCP handshake, but the sandbox does not take it, so
    // its request stays unanswered.
    let mut extra = connect(addr);
    let body = Form::total_data("S_1").signed().encode();
    write!(
        extra,
        "POST /m.api HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    assert!(waits_for_an_answer(&mut extra), "answered over the cap");
    assert_eq!(sandbox.counters().requests(), CAP as u64);
    // A slot frees up: the waiting connection is accepted and its request answered.
    drop(busy.pop());
    let mut head = [0u8; 12];
    extra
        .read_exact(&mut head)
        .expect("the answer once a slot is free");
    assert_eq!(&head, b"HTTP/1.1 200");
}

#[test]
fn at_the_cap_a_new_connection_closes_the_oldest_idle_one() {
    let (_sandbox, addr) = capped();
    // CAP connections, each answered once and kept open, idle.
    let mut idle: Vec<TcpStream> = (0..CAP)
        .map(|_| {
            let mut stream = connect(addr);
            assert_eq!(keep_alive_request(&mut stream, addr).expect("answer"), 200);
            stream
        })
        .collect();
    let mut extra = connect(addr);
    assert_eq!(keep_alive_request(&mut extra, addr).expect("answer"), 200);
    assert!(closed_by_the_sandbox(&mut idle[0]), "the oldest stays open");
    // The others are still served.
    for stream in &mut idle[1..] {
        assert_eq!(keep_alive_request(stream, addr).expect("answer"), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_idle_connections_do_not_keep_a_valid_call_out() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox starts");
    // More idle connections than the default cap, none sending a byte.
    let mut idle = Vec::new();
    for _ in 0..DEFAULT_MAX_CONNECTIONS + 88 {
        idle.push(
            tokio::net::TcpStream::connect(sandbox.addr())
                .await
                .expect("connect"),
        );
    }
    // A valid call on a new connection is answered within the client's own timeout, well
    // below the idle timeout that would free the slots otherwise.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .expect("client");
    let response = common::send_total_data(&client, sandbox.url())
        .await
        .expect("answered despite the idle connections");
    let body = response.text().await.expect("a body");
    let envelope: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
    drop(idle);
}

#[test]
fn idle_and_slow_connections_are_closed_after_the_idle_timeout() {
    let sandbox = Sandbox::builder()
        .idle_timeout(Duration::from_millis(200))
        .start_blocking()
        .expect("sandbox starts");
    let addr = sandbox.addr();
    // Silent from the start.
    let mut silent = connect(addr);
    // Headers that never end.
    let mut slow = connect(addr);
    slow.write_all(b"POST /m.api HTTP/1.1\r\nhost: x\r\nx-slow: ")
        .expect("write");
    // Answered once, then idle.
    let mut kept = connect(addr);
    assert_eq!(keep_alive_request(&mut kept, addr).expect("answer"), 200);
    for (name, stream) in [
        ("silent", &mut silent),
        ("slow", &mut slow),
        ("kept", &mut kept),
    ] {
        assert!(closed_by_the_sandbox(stream), "{name} stays open");
    }
}
