//! Memory stays bounded whatever a gateway sends: every command that calls the gateway runs
//! against a hostile stand-in (answers that decode into millions of values within the 16 MiB
//! body limit, store lists that never end), and the peak resident memory of the `opretail`
//! process must stay under 64 MiB while it ends with a clear error and valid output.
//!
//! The peak is the kernel's high-water mark of the child's resident memory (`VmHWM` in
//! `/proc/<pid>/status`), read over and over while the child runs: a mark, not a sample, so
//! a peak at any moment is seen by every read after it; only one in the child's last
//! millisecond could be missed. (`getrusage` of the children would not do: a child spawned
//! by this large test process starts out sharing its memory, and the kernel counts that in
//! the child's peak.) This measures the binary the tests were built with (a debug build under
//! `cargo test`, which takes more memory than a release build).

#![cfg(target_os = "linux")]

mod common;
mod stub;

use std::collections::HashMap;
use std::io::Read;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use common::words;
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

/// The most the command reads of a `passenger-flow series` answer.
const SERIES_CAP: usize = 8 * 1024 * 1024;

/// The most the command reads of a `total` or `demographics` answer.
const SMALL_CAP: usize = 32 * 1024;

/// The most `devices` reads of an answer.
const DEVICES_CAP: usize = 4 * 1024 * 1024;

/// The most any command reads of a page of the store list.
const STORE_PAGE_CAP: usize = 1024 * 1024;

/// Room for the envelope around `data` within a body limit.
const ENVELOPE: usize = 512;

/// The peak resident memory of the process `pid` so far, in KiB; `None` once it is gone.
fn peak_kib(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What one run of the binary gave, and its peak memory.
struct Run {
    out: common::Output,
    /// The highest peak resident memory read while it ran.
    peak_kib: i64,
}

/// Runs `opretail --endpoint STUB --akey … ARGS` with a user and password (the stand-in
/// accepts the login), and measures it.
fn run(stub: &Stub, args: &[&str]) -> Run {
    run_at(stub.url(), ("memory", "memory-password"), args)
}

/// [`run`] against the gateway at `url`, as `user` (name and password).
fn run_at(url: &str, user: (&str, &str), args: &[&str]) -> Run {
    let mut command = common::isolated(
        std::process::Command::new(env!("CARGO_BIN_EXE_opretail")),
        "opretail-cli-memory-tests-home",
    );
    command
        .env("OPRETAIL_ASID", DEFAULT_ASID)
        .env("OPRETAIL_USER", user.0)
        .env("OPRETAIL_PASSWORD", user.1)
        .args(["--endpoint", url, "--akey", DEFAULT_AKEY])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            pipe.read_to_end(&mut text).expect("the child's output");
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        // Read before asking whether it ended: the last read is then at most one round old.
        peak = peak.max(peak_kib(child.id()).unwrap_or(0));
        if let Some(status) = child.try_wait().expect("the child's status") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().expect("kill the child");
            panic!("{args:?} ran for over 2 minutes");
        }
        // A pause between reads, not a wait for anything: the mark keeps the peak meanwhile.
        std::thread::sleep(Duration::from_millis(1));
    };
    let out = common::Output {
        status: status.code(),
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    };
    assert!(!out.stderr.contains("panicked"), "a panic: {}", out.stderr);
    Run {
        out,
        peak_kib: peak,
    }
}

/// Runs `args` and checks the bound, a clear failure and output that is whole JSON.
fn check(stub: &Stub, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    let run = check_failed(stub, &all);
    common::json(&run.out.stdout);
    run
}

/// Runs `args` and checks the bound and a clear failure (exit 1, an error on stderr).
fn check_failed(stub: &Stub, args: &[&str]) -> Run {
    let run = run(stub, args);
    let shown = format!(
        "{}: exit {:?}, peak {} KiB; stderr: {}",
        short(args),
        run.out.status,
        run.peak_kib,
        clip(&run.out.stderr)
    );
    eprintln!("{shown}");
    assert!(run.peak_kib < PEAK_LIMIT_KIB, "over 64 MiB: {shown}");
    assert_eq!(run.out.status, Some(1), "{shown}");
    assert!(run.out.stderr.contains("error"), "{shown}");
    run
}

/// Checks the bound and the exit status of a `run` of `what`, which may succeed.
fn check_exit(run: &Run, what: &str, status: i32) {
    eprintln!(
        "{what}: exit {:?}, peak {} KiB",
        run.out.status, run.peak_kib
    );
    assert!(
        run.peak_kib < PEAK_LIMIT_KIB,
        "over 64 MiB: {what}: {} KiB",
        run.peak_kib
    );
    assert_eq!(
        run.out.status,
        Some(status),
        "{what}: {}",
        clip(&run.out.stderr)
    );
}

/// `args` with a run of `--id` flags shown as their count.
fn short(args: &[&str]) -> String {
    let ids = args.iter().filter(|a| **a == "--id").count();
    let rest: Vec<&str> = args
        .iter()
        .enumerate()
        .filter(|(n, a)| **a != "--id" && (*n == 0 || args[n - 1] != "--id"))
        .map(|(_, a)| *a)
        .collect();
    match ids {
        0 => rest.join(" "),
        n => format!("{} (and {n} --id)", rest.join(" ")),
    }
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
    /// For every other method (devices, raw calls): millions of `{}` where a list may be.
    any: Vec<Bytes>,
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
            // The largest the command reads of a series answer (8 MiB), millions of buckets.
            empties(
                r#"[{"depId":"1","dataList":["#,
                fitting(SERIES_CAP) - 20,
                "]}]",
            ),
            // Within the default answer limits: these decode.
            empties(r#"[{"depId":"1","dataList":["#, 15_990, "]}]"),
            elements(r#"[{"depId":"1","#, 99_990, "}]"),
            empties(r#"[{"depId":"2","dataList":["#, fitting(1024 * 1024), "]}]"),
        ];
        // The most `passenger-flow total` reads of an answer, and larger ones.
        let total = [
            empties(
                r#"{"DAY_FLOW":1,"cfgData":["#,
                fitting(SMALL_CAP) - 10,
                "]}",
            ),
            elements(r#"{"DAY_FLOW":1,"#, fitting(SMALL_CAP) - 10, "}"),
            empties(r#"{"DAY_FLOW":1,"cfgData":["#, 19_990, "]}"),
            elements(r#"{"DAY_FLOW":1,"#, 99_990, "}"),
            empties(r#"{"DAY_FLOW":1,"cfgData":["#, fitting(BODY_CAP) - 10, "]}"),
        ];
        let gender_and_age = |bytes: usize| {
            let half = fitting(bytes) / 2 - 10;
            let age = String::from_utf8(empties(r#"],"age":["#, half, "]}")).expect("UTF-8");
            empties(r#"{"gender":["#, half, &age)
        };
        let demographics = [
            gender_and_age(BODY_CAP),
            gender_and_age(SMALL_CAP),
            empties(
                r#"{"gender":["#,
                9_990,
                &String::from_utf8(empties(r#"],"age":["#, 9_990, "]}")).expect("UTF-8"),
            ),
            elements(r#"{"gender":[{"gender":1}],"#, 99_990, "}"),
        ];
        // The first as large as a raw call reads (8 MiB), then as large as `devices` reads
        // (4 MiB), then 16 MiB, in several shapes.
        let any = [
            ("[", SERIES_CAP),
            ("[", DEVICES_CAP),
            (r#"{"rows":["#, DEVICES_CAP),
            (r#"{"list":["#, DEVICES_CAP),
            ("[", BODY_CAP),
            (r#"{"rows":["#, BODY_CAP),
            (r#"{"list":["#, BODY_CAP),
            (r#"{"data":["#, BODY_CAP),
        ]
        .map(|(before, bytes)| {
            let after = if before == "[" { "]" } else { "]}" };
            empties(before, fitting(bytes) - 20, after)
        });
        let bodies = |answers: &[Vec<u8>]| -> Vec<Bytes> {
            answers.iter().map(|data| success_body(data)).collect()
        };
        Worst {
            series: bodies(&series),
            total: bodies(&total),
            demographics: bodies(&demographics),
            any: bodies(&any),
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
    /// One page of `{}`, as large as a page may be read.
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
        fitting(STORE_PAGE_CAP) - 20,
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
            _ => worst.next(&worst.any),
        }
    })
}

/// [`check`] of `command` for `n` stores, `--id S_1 --id S_2 …`.
fn check_stores(stub: &Stub, command: &[&str], n: u32) -> Run {
    let ids = id_flags(1..=n);
    let mut args = command.to_vec();
    args.extend(ids.iter().map(String::as_str));
    check(stub, &args)
}

/// `--id S_<n>` for each `n` of `numbers`.
fn id_flags(numbers: std::ops::RangeInclusive<u32>) -> Vec<String> {
    numbers
        .flat_map(|n| ["--id".to_owned(), format!("S_{n}")])
        .collect()
}

/// A file in `dir` of the ids `S_<n>` for each `n` of `numbers`, one a line.
fn ids_file(dir: &std::path::Path, numbers: std::ops::RangeInclusive<u32>) -> std::path::PathBuf {
    let path = dir.join("ids.txt");
    let ids: String = numbers.map(|n| format!("S_{n}\n")).collect();
    std::fs::write(&path, ids).expect("the ids file");
    path
}

/// The series of a year (by day unless told otherwise).
const SERIES_OF_A_YEAR: &str = "passenger-flow series --from 2025-01-01 --to 2025-12-31";

/// The demographics of a month (the gateway takes at most 31 days).
const DEMOGRAPHICS_OF_A_MONTH: &str =
    "passenger-flow demographics --from 2026-11-01 --to 2026-11-30";

#[test]
fn total_of_many_ids() {
    let stub = hostile(StoreList::Fine);
    // Answers are bounded in bytes and rows whatever the concurrency; each open connection
    // also keeps a read buffer as large as its largest answer grew it, which the small cap
    // of a total's answer keeps small (at 256 KiB, 256 connections peaked at about 105 MB).
    for concurrency in ["16", "64", "256"] {
        let command = ["passenger-flow", "total", "--concurrency", concurrency];
        check_stores(&stub, &command, 600);
    }
}

#[test]
fn series_of_several_stores_over_a_year() {
    // Two groups of stores, twelve windows each: what waits for a group is on disk; the
    // answers of up to 8 MiB are read one at a time, whatever the calls in flight.
    let stub = hostile(StoreList::Fine);
    for by in ["day", "hour"] {
        let mut command = words(SERIES_OF_A_YEAR);
        command.extend(["--by", by, "--concurrency", "64"]);
        let run = check_stores(&stub, &command, 30);
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
    let mut command = words(DEMOGRAPHICS_OF_A_MONTH);
    command.extend(["--concurrency", "256"]);
    check_stores(&stub, &command, 100);
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
            "stores",
            "passenger-flow total --all-stores",
            &format!("{SERIES_OF_A_YEAR} --all-stores --concurrency 64"),
            &format!("{DEMOGRAPHICS_OF_A_MONTH} --all-stores"),
        ] {
            check(&stub, &words(args));
        }
        let pages = stub.seen().len();
        assert!(pages <= 4 * 4, "{pages} pages asked for");
    }
}

#[test]
fn total_of_all_stores_against_hostile_answers() {
    let stub = hostile(StoreList::Fine);
    check(
        &stub,
        &words("passenger-flow total --all-stores --concurrency 256"),
    );
}

#[test]
fn every_other_command_that_reads_the_gateway() {
    let stub = hostile(StoreList::Fine);
    let dir = tempfile::tempdir().expect("a scratch directory");
    let html = dir.path().join("report.html").display().to_string();
    let report = format!("report --from 2025-01-01 --to 2025-12-31 --html {html} --concurrency 64");
    let report_with_demographics = format!(
        "report --from 2026-11-01 --to 2026-11-30 --demographics --html {html} --concurrency 64"
    );
    // A raw call prints what it is sent: millions of `{}`, and it succeeds.
    let call = run(&stub, &words("call open.memory.anything"));
    check_exit(&call, "call", 0);
    assert_eq!(
        call.out
            .stdout
            .lines()
            .filter(|l| l.trim() == "{},")
            .count(),
        fitting(SERIES_CAP) - 21
    );
    for args in [
        "devices --all-stores --concurrency 64",
        "devices --all-stores --zero-flow 30 --concurrency 64",
        &format!("{report} --all-stores"),
        &format!("{report_with_demographics} --all-stores"),
    ] {
        check_failed(&stub, &words(args));
    }
    // Uploads: whatever the answers, a few lines.
    let csv = dir.path().join("sales.csv");
    let lines: String = (1..=40)
        .map(|n| format!("S_{n},2026-11-28,{n},100.50,{n}\n"))
        .collect();
    std::fs::write(&csv, format!("store,date,deals,total,buyers\n{lines}")).expect("the file");
    let upload = format!(
        "sales upload {} --enterprise-id 1 --concurrency 16",
        csv.display()
    );
    let sales = run(&stub, &words(&upload));
    check_exit(&sales, "sales upload", 1);
    let mut report = words(&report);
    let ids = id_flags(1..=30);
    report.extend(ids.iter().map(String::as_str));
    check_failed(&stub, &report);
}

#[test]
fn login_against_hostile_answers() {
    // Every answer the worst of any method, the login's included.
    let worst = Arc::new(Worst::new());
    let stub = Stub::start(move |_: &HashMap<String, String>, _| worst.next(&worst.any));
    for _ in 0..3 {
        let login = run(&stub, &["login"]);
        check_exit(&login, "login", 1);
        assert!(
            !login.out.stderr.contains("memory-password"),
            "{}",
            clip(&login.out.stderr)
        );
    }
}

#[test]
fn report_of_a_year_of_thirty_stores() {
    // Real data, as much as a report reads: two years of daily rows and a year of hourly
    // rows of 30 stores (262,800 hourly rows). The page's figures are summed as the answers
    // come; the rows were kept before, and took 128 MB.
    let sandbox = opretail_sandbox::Sandbox::builder()
        .start_blocking()
        .expect("the sandbox starts");
    let dir = tempfile::tempdir().expect("a scratch directory");
    let html = dir.path().join("report.html");
    let command = format!(
        "report --from 2025-01-01 --to 2025-12-31 --concurrency 16 --html {}",
        html.display()
    );
    let mut args = words(&command);
    let ids = id_flags(1001..=1030);
    args.extend(ids.iter().map(String::as_str));
    let user = (opretail_sandbox::DEMO_USER, opretail_sandbox::DEMO_PASSWORD);
    let run = run_at(sandbox.url(), user, &args);
    check_exit(&run, "report", 0);
    assert!(
        run.out.stderr.contains("(30 stores,"),
        "{}",
        clip(&run.out.stderr)
    );
}

#[test]
fn report_of_a_year_of_thirty_stores_from_a_database() {
    // The tables as `sync` makes them (two days of 30 stores from the embedded sandbox),
    // then filled to a year of hours and two years of days: 262,800 and 21,900 rows. The
    // rows were read whole before they were summed, and took 73 MB.
    let dir = tempfile::tempdir().expect("a scratch directory");
    let db = dir.path().join("footfall.db");
    let ids_file = ids_file(dir.path(), 1001..=1030);
    let yesterday = (chrono::Utc::now() - chrono::TimeDelta::days(1)).date_naive();
    let synced = common::isolated(
        std::process::Command::new(env!("CARGO_BIN_EXE_opretail")),
        "opretail-cli-memory-tests-home",
    )
    .args([
        "--sandbox",
        "sync",
        "--streams",
        "stores,flow_hourly,flow_daily",
    ])
    .arg("--to")
    .arg(format!("sqlite:{}", db.display()))
    .args(["--since", &yesterday.to_string(), "--ids-file"])
    .arg(&ids_file)
    .output()
    .expect("sync runs");
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let connection = rusqlite::Connection::open(&db).expect("the database opens");
    connection
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 8759) \
             INSERT OR REPLACE INTO flow_hourly \
             (store_id, bucket_start, entering, passing, outside, partial, fetched_at) \
             SELECT s.store_id, strftime('%Y-%m-%d %H:%M:%S', '2025-01-01', '+' || n.i || ' hours'), \
             n.i % 50, 100, 100 + n.i % 50, 0, '2026-01-01 00:00:00' FROM stores s, n; \
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 729) \
             INSERT OR REPLACE INTO flow_daily \
             (store_id, day, entering, passing, outside, partial, fetched_at) \
             SELECT s.store_id, date('2024-01-01', '+' || n.i || ' days'), \
             n.i, 1000, 1000 + n.i, 0, '2026-01-01 00:00:00' FROM stores s, n;",
        )
        .expect("a year of rows");
    let hours: i64 = connection
        .query_row(
            "SELECT count(*) FROM flow_hourly WHERE bucket_start LIKE '2025-%'",
            [],
            |row| row.get(0),
        )
        .expect("a count");
    assert_eq!(hours, 30 * 8760);
    drop(connection);
    let html = dir.path().join("report.html");
    let command = format!(
        "report --from-db sqlite:{} --from 2025-01-01 --to 2025-12-31 --all-stores --html {}",
        db.display(),
        html.display()
    );
    let run = run_at(
        "http://127.0.0.1:9/m.api",
        ("nobody", "unused"),
        &words(&command),
    );
    check_exit(&run, "report --from-db", 0);
    assert!(
        run.out.stderr.contains("(30 stores,"),
        "{}",
        clip(&run.out.stderr)
    );
}

#[test]
fn sync_of_many_stores_against_hostile_answers() {
    let stub = hostile(StoreList::Fine);
    let dir = tempfile::tempdir().expect("a scratch directory");
    let ids_file = ids_file(dir.path(), 1..=100);
    let target = format!("sqlite:{}", dir.path().join("footfall.db").display());
    let ids_file = ids_file.display().to_string();
    // Two days: demographics are a call a store and day, and some worst answers decode.
    let since = (chrono::Utc::now() - chrono::TimeDelta::days(1))
        .date_naive()
        .to_string();
    let args = [
        "sync",
        "--to",
        &target,
        "--streams",
        "stores,flow_hourly,flow_daily,demographics_daily,totals",
        "--since",
        &since,
        "--concurrency",
        "64",
        "--ids-file",
        &ids_file,
    ];
    let run = check_failed(&stub, &args);
    // The stores' series are refused (none of the worst answers is a store's whole series),
    // and say so.
    assert!(
        run.out.stderr.contains("error: flow_hourly S_"),
        "{}",
        clip(&run.out.stderr)
    );
}

#[test]
fn doctor_against_every_worst_answer() {
    // The doctor calls every typed read method once, one after another: each run answers
    // each method with one of its worst, so that every one of them is met (in a shared
    // rotation, which the doctor meets depends on how many calls came before).
    let worst = Arc::new(Worst::new());
    let runs = [&worst.series, &worst.total, &worst.demographics, &worst.any]
        .iter()
        .map(|bodies| bodies.len())
        .max()
        .unwrap_or(1);
    for n in 0..runs {
        let worst = Arc::clone(&worst);
        let stub = Stub::start(move |form: &HashMap<String, String>, _| {
            let nth = |bodies: &[Bytes]| Reply::raw(bodies[n % bodies.len()].clone());
            match form.get("_mt").map(String::as_str).unwrap_or_default() {
                METHOD_MOBILE_LOGIN => Reply::data(json!({"token": "tok-memory"})),
                METHOD_GET_DEPT_LIST_BY_PAGE => {
                    Reply::data(json!({"total": 1, "rows": [{"id": 1, "name": "Store 1"}]}))
                }
                METHOD_GET_TOTAL_DATA => nth(&worst.total),
                METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA => nth(&worst.series),
                METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION => nth(&worst.demographics),
                _ => nth(&worst.any),
            }
        });
        let doctor = run(&stub, &words("doctor --output json"));
        check_exit(&doctor, &format!("doctor, the worst answers n°{n}"), 1);
        common::json(&doctor.out.stdout);
    }
}
