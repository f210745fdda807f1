//! Starting and stopping: blocking use without a runtime, drop, the binary, and the signing
//! vectors every verifier of the project must accept.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

#[cfg(feature = "cli")]
use common::Binary;
use common::Form;
use opretail_sandbox::{Sandbox, SandboxHandle};
use serde_json::Value;

/// Where the tests that check a stopped sandbox no longer listens start one: an address of
/// the loopback range no other test listens on, so that the port it frees cannot be taken by
/// another test's listener before the check connects (all of 127.0.0.0/8 is loopback on
/// Linux; elsewhere the tests fall back to 127.0.0.1).
fn own_loopback() -> SocketAddr {
    let own = SocketAddr::from(([127, 0, 0, 41], 0));
    match std::net::TcpListener::bind(own) {
        Ok(_) => own,
        Err(_) => SocketAddr::from(([127, 0, 0, 1], 0)),
    }
}

/// A plain blocking HTTP/1.1 POST over a socket: no client library, no runtime.
fn blocking_post(sandbox: &SandboxHandle, body: &str) -> (String, Value) {
    post_to(sandbox.addr(), body)
}

/// [`blocking_post`] to an address.
fn post_to(addr: SocketAddr, body: &str) -> (String, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /m.api HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.lines().next().unwrap().to_owned();
    (status, serde_json::from_str(body).unwrap())
}

#[test]
fn blocking_start_serves_and_stops() {
    let own = own_loopback();
    let sandbox = Sandbox::builder().listen(own).start_blocking().unwrap();
    assert!(sandbox.url().starts_with(&format!("http://{}:", own.ip())));
    assert!(sandbox.url().ends_with("/m.api"));
    let (status, envelope) = blocking_post(&sandbox, &Form::total_data("S_1").signed().encode());
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
    assert_eq!(sandbox.counters().answers(0), 1);
    let addr = sandbox.addr();
    sandbox.shutdown_blocking();
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening after shutdown"
    );
}

#[test]
fn dropping_a_blocking_sandbox_stops_it() {
    let sandbox = Sandbox::builder()
        .listen(own_loopback())
        .start_blocking()
        .unwrap();
    let addr = sandbox.addr();
    drop(sandbox);
    assert!(TcpStream::connect(addr).is_err());
}

#[tokio::test]
async fn async_shutdown_stops_listening() {
    let sandbox = Sandbox::builder()
        .listen(own_loopback())
        .start()
        .await
        .unwrap();
    let addr = sandbox.addr();
    sandbox.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn a_busy_address_is_an_error_that_says_so() {
    let first = Sandbox::builder().start_blocking().unwrap();
    assert!(first.url().starts_with("http://127.0.0.1:"), "the default");
    let error = Sandbox::builder()
        .listen(first.addr())
        .start_blocking()
        .unwrap_err();
    assert!(error.to_string().contains("cannot listen on"), "{error}");
}

#[test]
fn signing_vectors_verify() {
    let vectors: Value = serde_json::from_str(include_str!(
        "../../opretail-sign/tests/data/signing-vectors.json"
    ))
    .unwrap();
    for case in vectors["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let params = case["params"].as_object().unwrap();
        let akey = params["_akey"].as_str().unwrap();
        // The vectors' timestamps are fixed, so the clock check is widened to let them through.
        let sandbox = Sandbox::builder()
            .credential(akey, case["secret"].as_str().unwrap())
            .tolerance(Duration::from_secs(100 * 365 * 86_400))
            .start_blocking()
            .unwrap();
        let mut pairs: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        pairs.push(("_sig".into(), case["sig"].as_str().unwrap().to_owned()));
        let (_, envelope) = blocking_post(&sandbox, &common::form_encode(&pairs));
        let code: i64 = envelope["stat"]["code"].as_str().unwrap().parse().unwrap();
        assert!(!(1..=7).contains(&code), "{name}: {envelope}");
        if params["_mt"] == common::TOTAL_DATA {
            assert_eq!(code, 0, "{name}: {envelope}");
        }
        // The same case with one character of the signature changed is refused.
        let sig = pairs.last_mut().unwrap();
        sig.1 = if sig.1.starts_with('0') {
            format!("1{}", &sig.1[1..])
        } else {
            format!("0{}", &sig.1[1..])
        };
        let (_, envelope) = blocking_post(&sandbox, &common::form_encode(&pairs));
        assert_eq!(envelope["stat"]["code"], "7", "{name}: {envelope}");
    }
}

#[cfg(feature = "cli")]
#[test]
fn binary_prints_its_url_then_the_credentials() {
    let mut binary = Binary::start(&[
        "--listen",
        "127.0.0.1:0",
        "--akey",
        "mine",
        "--asid",
        "hidden-secret",
    ]);
    let [first, second, third, cloud, user] = [(); 5].map(|_| binary.line());
    binary.stop();
    let url = first
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap();
    assert!(url.ends_with("/m.api"), "{first}");
    assert!(url.split('/').next().unwrap().parse::<u16>().unwrap() > 0);
    assert_eq!(second, "credentials: _akey=sandbox _asid=sandbox-secret");
    assert!(
        third.contains("mine") && !third.contains("hidden-secret"),
        "{third}"
    );
    assert!(
        cloud.starts_with("cloud gateway: http://127.0.0.1:")
            && cloud.ends_with("/cloud.api (_aid=DC-SANDBOX)"),
        "{cloud}"
    );
    assert_eq!(user, "user: userName=demo password=demo-password");
}

#[cfg(all(unix, feature = "cli"))]
#[test]
fn binary_stops_cleanly_on_sigterm() {
    let mut binary = Binary::start(&["--listen", "127.0.0.1:0"]);
    let first = binary.line();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    let status = std::process::Command::new("kill")
        .args(["-TERM", &binary.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = binary.wait();
    assert!(exit.success(), "{exit:?}");
}

/// The port of a `listening on http://HOST:PORT/m.api` line.
#[cfg(feature = "cli")]
fn port_of(first: &str) -> u16 {
    let rest = first.strip_prefix("listening on http://").unwrap();
    let host_port = rest.strip_suffix("/m.api").unwrap();
    host_port.rsplit(':').next().unwrap().parse().unwrap()
}

#[cfg(feature = "cli")]
#[test]
fn binary_warns_on_stderr_beyond_loopback_whatever_the_log_filter() {
    let mut exposed = Binary::start(&["--listen", "0.0.0.0:0"]);
    // The warning is written before the first line on stdout.
    let first = exposed.line();
    assert!(first.starts_with("listening on http://0.0.0.0:"), "{first}");
    let stderr = exposed.stop();
    assert!(
        stderr.contains("warning: the sandbox listens beyond loopback")
            && stderr.contains("--no-demo-key"),
        "{stderr}"
    );
    // Without the demo key, nothing to warn about.
    let mut private = Binary::start(&[
        "--listen",
        "0.0.0.0:0",
        "--no-demo-key",
        "--akey",
        "mine",
        "--asid",
        "s3cret",
    ]);
    let first = private.line();
    assert!(first.starts_with("listening on http://0.0.0.0:"), "{first}");
    let stderr = private.stop();
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[cfg(feature = "cli")]
#[test]
fn binary_can_drop_the_demo_key_and_the_demo_user() {
    let mut binary = Binary::start(&[
        "--listen",
        "127.0.0.1:0",
        "--no-demo-key",
        "--no-demo-user",
        "--akey",
        "mine",
        "--asid",
        "s3cret",
    ]);
    let lines: Vec<String> = (0..4).map(|_| binary.line()).collect();
    let addr = SocketAddr::from(([127, 0, 0, 1], port_of(&lines[0])));
    assert!(lines[1].contains("_akey=mine"), "{lines:?}");
    assert!(lines[2].ends_with("/cloud.api"), "{lines:?}");
    assert!(lines[3].starts_with("user: none"), "{lines:?}");
    assert!(!lines.join("\n").contains("sandbox-secret"), "{lines:?}");
    // The demo key is refused, the given one accepted.
    let (_, demo) = post_to(addr, &Form::total_data("S_1").signed().encode());
    assert_eq!(demo["stat"]["code"], "2", "{demo}");
    let mine = |form: Form| form.set("_akey", "mine").signed_with("s3cret").encode();
    let (_, own) = post_to(addr, &mine(Form::total_data("S_1")));
    assert_eq!(own["stat"]["code"], "0", "{own}");
    // The demo user cannot log in.
    let login = Form::common(opretail_model::METHOD_MOBILE_LOGIN)
        .set("userName", opretail_sandbox::DEMO_USER)
        .set("password", opretail_sandbox::DEMO_PASSWORD);
    let (_, refused) = post_to(addr, &mine(login));
    assert_eq!(refused["stat"]["code"], "103094", "{refused}");
    binary.stop();
}
