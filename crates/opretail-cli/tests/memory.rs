//! Memory stays bounded whatever a gateway sends: every command that calls the gateway runs
//! against a hostile stand-in (answers that decode into millions of values within the 16 MiB
//! body limit, store lists that never end), and the peak resident memory of the `opretail`
//! process must stay under 64 MiB while it ends with a clear error and valid output.
//!
//! The peak is the kernel's own count for waited-for children (`getrusage`): exact, not
//! sampled. It counts every child reaped so far, so the runs take turns and each is checked
//! against the highest peak yet. This measures the binary the tests were built with (a debug
//! build under `cargo test`, which takes more memory than a release build).

#![cfg(target_os = "linux")]

mod common;
mod stub;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use nix::sys::resource::{UsageWho, getrusage};
use opretail_model::{
    METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION, METHOD_GET_DEPT_LIST_BY_PAGE,
    METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA, METHOD_GET_TOTAL_DATA, METHOD_MOBILE_LOGIN,
};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID};
use serde_json::json;
use stub::{Reply, Stub, success_body};

/// The bound every command must keep, whatever it is sent.
const PEAK_LIMIT_KIB: i64 = 64 * 1024;

/// The SDK's body limit: no answer may be larger.
const BODY_CAP: usize = 16 * 1024 * 1024;

/// Room for the envelope around `data` within a body limit.
const ENVELOPE: usize = 512;

/// Children are measured one at a time: the kernel keeps one peak for all of them.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The highest peak resident memory of any child reaped so far, in KiB.
fn peak_of_children_kib() -> i64 {
    getrusage(UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage")
        .max_rss()
}

/// What one run of the binary gave, and its peak memory.
struct Run {
    out: common::Output,
    /// The peak resident memory of this run, or of an earlier one that was higher.
    peak_kib: i64,
    /// Whether `peak_kib` is this run's own.
    own_peak: bool,
}

/// Runs `opretail --endpoint STUB --akey … ARGS` with a user and password (the stand-in
/// accepts the login), and measures it.
fn run(stub: &Stub, args: &[&str]) -> Run {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let mut command = common::isolated_command("opretail-cli-memory-tests-home");
    command
        .env("OPRETAIL_ASID", DEFAULT_ASID)
        .env("OPRETAIL_USER", "memory")
        .env("OPRETAIL_PASSWORD", "memory-password")
        .timeout(Duration::from_secs(120))
        .args(["--endpoint", stub.url(), "--akey", DEFAULT_AKEY])
        .args(args);
    let before = peak_of_children_kib();
    let out = common::output(&mut command);
    let after = peak_of_children_kib();
    Run {
        out,
        peak_kib: after,
        own_peak: after > before,
    }
}

/// Runs `args` and checks the bound, a clear failure and output that is whole JSON.
fn check(stub: &Stub, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    let run = run(stub, &all);
    let shown = format!(
        "{args:?}: exit {:?}, peak {} KiB{}; stderr: {}",
        run.out.status,
        run.peak_kib,
        if run.own_peak {
            ""
        } else {
            " (an earlier run's)"
        },
        clip(&run.out.stderr)
    );
    eprintln!("{shown}");
    assert!(run.peak_kib < PEAK_LIMIT_KIB, "over 64 MiB: {shown}");
    assert_eq!(run.out.status, Some(1), "{shown}");
    assert!(run.out.stderr.contains("error"), "{shown}");
    common::json(&run.out.stdout);
    run
}

fn clip(text: &str) -> String {
    text.chars().take(600).collect()
}

/// `n` empty objects in a JSON list, with `before` and `after` around it.
fn empties(before: &str, n: usize, after: &str) -> Vec<u8> {
    let mut text = Vec::with_capacity(before.len() + n * 3 + after.len());
    text.extend_from_slice(before.as_bytes());
    for i in 0..n {
        text.extend_from_slice(if i == 0 { b"{}" } else { b",{}" });
    }
    text.extend_from_slice(after.as_bytes());
    text
}

/// How many `{}` fit in `bytes` of body.
fn fitting(bytes: usize) -> usize {
    (bytes - ENVELOPE) / 3
}

/// An undocumented field of `n` elements (`[0,0,…]`), inside `before` and `after`.
fn elements(before: &str, n: usize, after: &str) -> Vec<u8> {
    let mut text = before.as_bytes().to_vec();
    text.extend_from_slice(b"\"undocumented\":[");
    for i in 0..n {
        text.extend_from_slice(if i == 0 { b"0" } else { b",0" });
    }
    text.extend_from_slice(b"]");
    text.extend_from_slice(after.as_bytes());
    text
}

/// The worst answers of each method, taken in turn: the largest that fit the body limit,
/// and those just under the SDK's default answer limits, which decode.
struct Worst {
    series: Vec<Bytes>,
    total: Vec<Bytes>,
    demographics: Vec<Bytes>,
    turn: AtomicUsize,
}

impl Worst {
    fn new() -> Worst {
        let series = [
            // Millions of empty buckets in one store.
            empties(
                r#"[{"depId":"1","dataList":["#,
                fitting(BODY_CAP) - 20,
                "]}]",
            ),
            // Millions of empty stores.
            empties("[", fitting(BODY_CAP), "]"),
            // Within the default answer limits: these decode.
            empties(r#"[{"depId":"1","dataList":["#, 19_990, "]}]"),
            elements(r#"[{"depId":"1","#, 99_990, "}]"),
            empties(r#"[{"depId":"2","dataList":["#, fitting(1024 * 1024), "]}]"),
        ];
        // 256 KiB: the most `passenger-flow total` reads of an answer.
        let total = [
            empties(
                r#"{"DAY_FLOW":1,"cfgData":["#,
                fitting(256 * 1024) - 10,
                "]}",
            ),
            empties(r#"{"DAY_FLOW":1,"cfgData":["#, 19_990, "]}"),
            elements(r#"{"DAY_FLOW":1,"#, 99_990, "}"),
            empties(r#"{"DAY_FLOW":1,"cfgData":["#, fitting(BODY_CAP) - 10, "]}"),
        ];
        let half = fitting(BODY_CAP) / 2 - 10;
        let demographics = [
            empties(
                r#"{"gender":["#,
                half,
                &String::from_utf8(empties(r#"],"age":["#, half, "]}")).expect("UTF-8"),
            ),
            empties(
                r#"{"gender":["#,
                9_990,
                &String::from_utf8(empties(r#"],"age":["#, 9_990, "]}")).expect("UTF-8"),
            ),
            elements(r#"{"gender":[{"gender":1}],"#, 99_990, "}"),
        ];
        let bodies = |answers: &[Vec<u8>]| -> Vec<Bytes> {
            answers.iter().map(|data| success_body(data)).collect()
        };
        Worst {
            series: bodies(&series),
            total: bodies(&total),
            demographics: bodies(&demographics),
            turn: AtomicUsize::new(0),
        }
    }

    /// The next of `bodies`, in turn.
    fn next(&self, bodies: &[Bytes]) -> Reply {
        let n = self.turn.fetch_add(1, Ordering::Relaxed);
        Reply::raw(bodies[n % bodies.len()].clone())
    }
}

/// What the store list answers.
#[derive(Clone, Copy)]
enum StoreList {
    /// `total=999999999` and full pages of `{}`.
    EmptyPages,
    /// `total=999999999` and the same page of stores every time.
    RepeatedPages,
    /// One page of millions of `{}`.
    OneHugePage,
    /// Three real stores: the hostile answers come after.
    Fine,
}

/// A hostile gateway: logins succeed, the store list answers as `list` says, and every other
/// method answers with its worst.
fn hostile(list: StoreList) -> Stub {
    let worst = Arc::new(Worst::new());
    let huge_page = success_body(&empties(
        r#"{"total":999999999,"rows":["#,
        fitting(BODY_CAP) - 20,
        "]}",
    ));
    Stub::start(move |form: &HashMap<String, String>, _| {
        let method = form.get("_mt").map(String::as_str).unwrap_or_default();
        match method {
            METHOD_MOBILE_LOGIN => Reply::data(json!({"token": "tok-memory"})),
            METHOD_GET_DEPT_LIST_BY_PAGE => match list {
                StoreList::EmptyPages => {
                    Reply::data(json!({"total": 999_999_999, "rows": vec![json!({}); 100]}))
                }
                StoreList::RepeatedPages => Reply::data(json!({
                    "total": 999_999_999,
                    "rows": (1..=100).map(|n| json!({"id": n, "name": format!("Store {n}")}))
                        .collect::<Vec<_>>(),
                })),
                StoreList::OneHugePage => Reply::raw(huge_page.clone()),
                StoreList::Fine => Reply::data(json!({
                    "total": 3,
                    "rows": (1..=3).map(|n| json!({"id": n, "name": format!("Store {n}")}))
                        .collect::<Vec<_>>(),
                })),
            },
            METHOD_GET_TOTAL_DATA => worst.next(&worst.total),
            METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA => worst.next(&worst.series),
            METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION => worst.next(&worst.demographics),
            _ => Reply::error(4004, "METHOD_NOT_EXIST", "no such method", "c1"),
        }
    })
}

/// `--id S_1 --id S_2 …` for `n` stores.
fn ids(n: usize) -> Vec<String> {
    (1..=n)
        .flat_map(|i| ["--id".to_owned(), format!("S_{i}")])
        .collect()
}

fn with<'a>(head: &[&'a str], tail: &'a [String]) -> Vec<&'a str> {
    let mut args = head.to_vec();
    args.extend(tail.iter().map(String::as_str));
    args
}

#[test]
fn total_of_many_ids() {
    let stub = hostile(StoreList::Fine);
    let few = ids(40);
    check(
        &stub,
        &with(&["passenger-flow", "total", "--concurrency", "64"], &few),
    );
    let many = ids(600);
    check(
        &stub,
        &with(&["passenger-flow", "total", "--concurrency", "256"], &many),
    );
    check(
        &stub,
        &with(&["passenger-flow", "total", "--concurrency", "1024"], &many),
    );
}

#[test]
fn series_of_several_stores_over_a_year() {
    let stub = hostile(StoreList::Fine);
    let stores = ids(30);
    for by in ["day", "hour"] {
        let run = check(
            &stub,
            &with(
                &[
                    "passenger-flow",
                    "series",
                    "--from",
                    "2025-01-01",
                    "--to",
                    "2025-12-31",
                    "--by",
                    by,
                    "--concurrency",
                    "64",
                ],
                &stores,
            ),
        );
        assert!(
            run.out.stderr.contains("calls failed"),
            "{}",
            run.out.stderr
        );
    }
}

#[test]
fn demographics_of_many_stores() {
    let stub = hostile(StoreList::Fine);
    let stores = ids(100);
    check(
        &stub,
        &with(
            &[
                "passenger-flow",
                "demographics",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--concurrency",
                "256",
            ],
            &stores,
        ),
    );
}

#[test]
fn every_command_of_the_store_list_against_hostile_lists() {
    for list in [
        StoreList::EmptyPages,
        StoreList::RepeatedPages,
        StoreList::OneHugePage,
    ] {
        let stub = hostile(list);
        for args in [
            &["stores"][..],
            &["passenger-flow", "total", "--all-stores"],
            &[
                "passenger-flow",
                "series",
                "--all-stores",
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
                "--concurrency",
                "64",
            ],
            &[
                "passenger-flow",
                "demographics",
                "--all-stores",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
            ],
        ] {
            check(&stub, args);
        }
        let pages = stub.seen().len();
        assert!(pages <= 4 * 4, "{pages} pages asked for");
    }
}

#[test]
fn every_listing_of_all_stores_against_hostile_answers() {
    let stub = hostile(StoreList::Fine);
    for args in [
        &[
            "passenger-flow",
            "total",
            "--all-stores",
            "--concurrency",
            "256",
        ][..],
        &[
            "passenger-flow",
            "series",
            "--all-stores",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--by",
            "hour",
            "--concurrency",
            "64",
        ],
    ] {
        check(&stub, args);
    }
}
