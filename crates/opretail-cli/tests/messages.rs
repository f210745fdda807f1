//! What `opretail` says when a call cannot be made or its answer cannot be read: in the
//! command line's own terms (its flags, not the SDK's settings), with values that readers of
//! JSON and CSV can test (`null`, an empty cell), and with the exit status a script expects.

use std::time::{Duration, Instant};

mod common;
mod stub;

use common::{Output, json};

use opretail_sandbox::DEFAULT_ASID;
use serde_json::json;
use stub::{Reply, Stub};

/// A plain-http endpoint beyond loopback (TEST-NET-1, never routed): every run below is
/// refused before anything is sent there, and `--timeout 2` bounds a run that would not be.
const REMOTE_HTTP: &str = "http://192.0.2.1/m.api";

/// The longest a refusal before sending may take: far below what a connection attempt to
/// an unrouted address would.
const REFUSED_WITHIN: Duration = Duration::from_secs(15);

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::isolated_command("opretail-cli-messages-tests-home");
    cmd.env("OPRETAIL_ASID", DEFAULT_ASID);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.timeout(Duration::from_secs(60)).args(args);
    common::output(&mut cmd)
}

// ----- a decoding failure has no cid ----------------------------------------------------------

/// A gateway whose success envelopes carry no `stat.cid` and a `DAY_FLOW` that is no number.
fn undecodable_without_cid() -> Stub {
    Stub::start(|_, _| Reply {
        delay: Duration::ZERO,
        body: json!({
            "stat": {"code": "0", "codename": "SUCCESS", "systime": "2026-11-28 10:00:00"},
            "result": "success",
            "data": {"DAY_FLOW": {"not": "a number"}},
        }),
        raw: None,
    })
}

#[test]
fn a_decoding_failure_without_cid_shows_null_and_an_empty_cell() {
    let stub = undecodable_without_cid();
    let total = |format: &str| {
        run(
            &[
                "--endpoint",
                stub.url(),
                "--akey",
                "k",
                "passenger-flow",
                "total",
                "--id",
                "S_1001",
                "--output",
                format,
            ],
            &[],
        )
    };

    let out = total("json");
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let array = json(&out.stdout);
    let error = &array[0]["error"];
    assert_eq!(error["name"], "DECODE", "{}", out.stdout);
    assert!(error["cid"].is_null(), "{}", out.stdout);
    assert!(!out.stdout.contains("none"), "{}", out.stdout);

    let out = total("ndjson");
    let line = json(out.stdout.lines().next().expect("one line"));
    assert!(line["error"]["cid"].is_null(), "{}", out.stdout);

    let out = total("csv");
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    let cid = headers
        .iter()
        .position(|h| h == "cid")
        .expect("a cid column");
    let row = reader.records().next().expect("a row").expect("valid CSV");
    assert_eq!(&row[cid], "", "{}", out.stdout);
    assert!(!out.stderr.contains("[cid"), "{}", out.stderr);
}

// ----- the clear-text refusal names the flag --------------------------------------------------

/// Runs `args` after the global options of a remote plain-http endpoint, with a user and a
/// password set, and checks that it is refused at once, naming the flag that allows it.
fn refused_for_clear_text(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["--endpoint", REMOTE_HTTP, "--akey", "k", "--timeout", "2"];
    all.extend_from_slice(args);
    let started = Instant::now();
    let out = run(&all, env);
    assert!(
        started.elapsed() < REFUSED_WITHIN,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status, Some(2), "{args:?}: {}", out.stderr);
    assert!(
        out.stderr.contains("--allow-clear-text-headers"),
        "{args:?}: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("ConfigBuilder"),
        "{args:?}: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("pw-never-shown"), "{}", out.stderr);
    out
}

const USER: [(&str, &str); 2] = [
    ("OPRETAIL_USER", "u"),
    ("OPRETAIL_PASSWORD", "pw-never-shown"),
];

#[test]
fn a_login_over_clear_text_is_refused_naming_the_flag() {
    let out = refused_for_clear_text(&["login"], &USER);
    assert!(out.stderr.contains("password"), "{}", out.stderr);
    // Refused before the settings are used: no password is asked for, none is needed.
    refused_for_clear_text(&["login"], &[("OPRETAIL_USER", "u")]);
}

#[test]
fn a_command_that_logs_in_over_clear_text_is_refused_naming_the_flag() {
    refused_for_clear_text(&["stores"], &USER);
}

#[test]
fn a_token_header_over_clear_text_is_refused_naming_the_flag() {
    let out = refused_for_clear_text(
        &[
            "call",
            "--header-env",
            "Ovo-Authorization=OVO_TOKEN",
            "open.shopweb.departments.getDeptListByPage",
        ],
        &[("OVO_TOKEN", "tok-never-shown")],
    );
    assert!(!out.stderr.contains("tok-never-shown"), "{}", out.stderr);
}

// ----- the answer limits ----------------------------------------------------------------------

#[test]
fn the_answer_size_is_a_flag_and_an_answer_over_it_names_it() {
    // A page of 100 demo stores is a few kilobytes.
    let stores = |bytes: &str| {
        run(
            &[
                "--sandbox",
                "--max-answer-bytes",
                bytes,
                "stores",
                "--output",
                "json",
            ],
            &[],
        )
    };
    let out = stores("1024");
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("TRANSPORT_BODY_LIMIT"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--max-answer-bytes"), "{}", out.stderr);
    assert!(!out.stderr.contains("Config::"), "{}", out.stderr);
    assert_eq!(json(&out.stdout), json!([]));
    let out = stores("1000000");
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(!json(&out.stdout).as_array().expect("rows").is_empty());
}

#[test]
fn the_answer_limits_are_flags_and_an_answer_over_one_names_it() {
    let out = run(
        &[
            "--sandbox",
            "--max-rows-per-answer",
            "3",
            "stores",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("more than 3 rows"), "{}", out.stderr);
    assert!(
        out.stderr.contains("--max-rows-per-answer"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("ConfigBuilder"), "{}", out.stderr);
    assert_eq!(json(&out.stdout), json!([]));

    let out = run(
        &[
            "--sandbox",
            "--max-rows-per-answer",
            "1000",
            "--max-elements-per-answer",
            "1000",
            "stores",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(json(&out.stdout)[0]["id"].is_string(), "{}", out.stdout);

    for flag in ["--max-rows-per-answer", "--max-elements-per-answer"] {
        let out = run(&["--sandbox", flag, "0", "stores"], &[]);
        assert_eq!(out.status, Some(2), "{flag} 0: {}", out.stderr);
        assert!(out.stderr.contains(flag), "{}", out.stderr);
    }
}
