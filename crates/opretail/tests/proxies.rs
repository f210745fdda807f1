//! Proxies: a loopback endpoint (the sandbox) is never reached through a proxy, whatever the
//! proxy variables say, by either client.
//!
//! The variables are set for a child process: this binary runs itself again, with
//! `HTTP_PROXY`, `http_proxy`, `HTTPS_PROXY` and `ALL_PROXY` pointing at a listener the parent
//! owns, and the child's calls (a login, a call with its token, a call without) go to the
//! sandbox. The parent then checks that the listener saw no connection at all.

mod common;

use std::io::ErrorKind;
use std::net::TcpListener;
use std::process::Command;

use opretail::{GetDepartments, GetTotalData, LoginMethod, TokenSource};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, Sandbox};

/// Set in the child: the test that makes the calls runs only there.
const CHILD: &str = "OPRETAIL_PROXIES_TEST_CHILD";
const CHILD_TEST: &str = "calls_to_loopback_under_proxy_variables";

#[test]
fn loopback_endpoints_are_never_proxied() {
    let trap = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let proxy = format!("http://{}", trap.local_addr().expect("its address"));
    let output = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads", "1"])
        .env(CHILD, "1")
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env("ALL_PROXY", &proxy)
        .env("all_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .expect("the child runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the child failed:\n{text}");
    assert!(text.contains("1 passed"), "the child ran no test:\n{text}");
    // A connection made and closed stays in the listener's backlog: none may be there.
    trap.set_nonblocking(true).expect("non-blocking");
    match trap.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("the proxy was connected to from {from}:\n{text}"),
        Err(e) => panic!("accept failed: {e}"),
    }
}

/// Runs in the child only (the parent sets [`CHILD`]); elsewhere it passes at once.
#[test]
fn calls_to_loopback_under_proxy_variables() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    // Two clients make the same calls in the same second: that is not what is tested here.
    let sandbox = Sandbox::builder()
        .replay_protection(false)
        .start_blocking()
        .expect("the sandbox starts");
    let credentials = || opretail::Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).unwrap();
    let user = || TokenSource::login(DEMO_USER, DEMO_PASSWORD, LoginMethod::Mobile).unwrap();
    let config = common::config_without_retries(sandbox.url());
    let totals = GetTotalData::new(common::store(1001));

    let blocking = opretail::blocking::Client::new(credentials(), config.clone())
        .expect("the blocking client builds")
        .with_token_source(user());
    blocking
        .send(&totals)
        .expect("blocking: a call direct to loopback");
    blocking
        .send(&GetDepartments::new())
        .expect("blocking: a token call direct to loopback");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = opretail::Client::new(credentials(), config)
            .expect("the async client builds")
            .with_token_source(user());
        client
            .send(&totals)
            .await
            .expect("async: a call direct to loopback");
        client
            .send(&GetDepartments::new())
            .await
            .expect("async: a token call direct to loopback");
    });
}
