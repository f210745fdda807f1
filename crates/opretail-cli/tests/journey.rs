//! The user journey after `getTotalData`, through the binary: store list, passenger flow over
//! time, demographics, and a login kept between commands.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;

use common::{Exited, words};
use opretail_sandbox::{DEMO_PASSWORD, DEMO_STORE_COUNT, DEMO_USER, Fault, FaultPlan, Sandbox};
use serde_json::Value;

/// A run with its own cache directory `cache` (where `login` keeps the token).
fn run_in(cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Exited {
    common::exited(common::isolated_in("opretail-cli-journey-empty-home", cache, env).args(args))
}

fn cache_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "opretail-cli-journey-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(args: &[&str]) -> Exited {
    run_in(&cache_dir("none"), args, &[])
}

fn ok_json(args: &[&str]) -> Vec<Value> {
    let out = run(args);
    assert_eq!(out.status, 0, "{args:?}: {}", out.stderr);
    let value: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout));
    value.as_array().expect("an array").clone()
}

#[test]
fn every_demo_store_is_listed_and_the_name_filters() {
    let stores = ok_json(&["--sandbox", "stores", "--output", "json"]);
    assert_eq!(stores.len(), DEMO_STORE_COUNT);
    assert_eq!(stores[0]["id"], "S_1001");
    assert!(
        stores
            .iter()
            .all(|s| s["id"].as_str().unwrap().starts_with("S_"))
    );
    assert!(stores[0]["name"].is_string() && stores[0]["shop_code"].is_string());

    let word: String = stores[0]["name"]
        .as_str()
        .unwrap()
        .chars()
        .take(2)
        .collect();
    let some = ok_json(&["--sandbox", "stores", "--name", &word, "--output", "json"]);
    assert!(
        !some.is_empty() && some.len() < stores.len(),
        "{}",
        some.len()
    );
    assert!(
        some.iter()
            .all(|s| s["name"].as_str().unwrap().contains(&word))
    );

    let out = run(&["--sandbox", "stores", "--output", "csv"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1 + DEMO_STORE_COUNT);
    assert!(out.stdout.starts_with("id,name,shop_code,"));
}

#[test]
fn a_week_of_hourly_flow_of_two_stores_comes_in_order() {
    let rows = ok_json(&words(
        "--sandbox passenger-flow series --id S_1002 --id S_1001 \
         --from 2026-11-16 --to 2026-11-22 --by hour --output json",
    ));
    assert_eq!(rows.len(), 2 * 168);
    let (first, second) = rows.split_at(168);
    assert!(first.iter().all(|r| r["id"] == "S_1002"));
    assert!(second.iter().all(|r| r["id"] == "S_1001"));
    for half in [first, second] {
        let times: Vec<&str> = half.iter().map(|r| r["bucket"].as_str().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "not in time order");
        assert!(times[0].starts_with("2026-11-16 00"), "{}", times[0]);
        assert!(times[167].starts_with("2026-11-22 23"), "{}", times[167]);
    }
    assert!(rows[0]["entering"].is_number() && rows[0]["entry_rate"].is_number());
    assert!(rows[0]["store"].is_string());
}

#[test]
fn the_largest_call_a_series_makes_is_read_whole() {
    // 20 stores' 31 days by the hour in one call: 14,880 buckets, about 4 MiB, the most a
    // call of the series can hold; the command's answer caps (8 MiB, 16,000 rows) leave
    // room for it.
    let mut args = words("--sandbox passenger-flow series --from 2026-10-01 --to 2026-10-31");
    args.extend(["--by", "hour", "--output", "csv"]);
    let ids: Vec<String> = (1001..1021).map(|n| format!("S_{n}")).collect();
    for id in &ids {
        args.extend(["--id", id]);
    }
    let out = run(&args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1 + 20 * 31 * 24);
}

#[test]
fn many_windows_and_chunks_come_store_by_store_whatever_the_concurrency() {
    // 25 stores are two chunks of calls (20 ids a call), and 70 days three windows: six calls
    // whose answers come in any order, written once each chunk is whole.
    let ids: Vec<String> = (0..25)
        .map(|n| format!("S_{}", 1001 + (n * 7) % 25))
        .collect();
    let mut args = words(
        "--sandbox passenger-flow series --by day --from 2026-08-01 --to 2026-10-09 --output json",
    );
    for id in &ids {
        args.extend(["--id", id]);
    }
    let rows = ok_json(&args);
    assert_eq!(rows.len(), 25 * 70);
    for (store, id) in rows.chunks(70).zip(&ids) {
        assert!(
            store.iter().all(|r| r["id"] == id.as_str()),
            "{id} out of place"
        );
        let days: Vec<&str> = store
            .iter()
            .map(|r| r["bucket"].as_str().unwrap())
            .collect();
        assert!(
            days.windows(2).all(|w| w[0] < w[1]),
            "{id}: not in time order"
        );
        assert!(days[0].starts_with("2026-08-01") && days[69].starts_with("2026-10-09"));
    }
    // The same rows one call at a time, and a store's rows as its own call gives them.
    args.extend(["--concurrency", "1"]);
    assert_eq!(ok_json(&args), rows);
    let alone = ok_json(&words(&format!(
        "--sandbox passenger-flow series --by day --from 2026-09-01 --to 2026-09-30 --id {} \
         --output json",
        ids[21]
    )));
    assert_eq!(alone[..], rows[21 * 70 + 31..21 * 70 + 61]);
}

#[test]
fn every_store_for_one_day_by_day() {
    let out = run(&words(
        "--sandbox passenger-flow series --all-stores --by day \
         --from 2026-11-01 --to 2026-11-01 --output csv",
    ));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1 + DEMO_STORE_COUNT);
}

#[test]
fn a_start_time_limits_the_hours() {
    let rows = ok_json(&words(
        "--sandbox passenger-flow series --id S_1001 \
         --from 2026-11-01T08:00 --to 2026-11-01T10:00 --output json",
    ));
    let times: Vec<&str> = rows.iter().map(|r| r["bucket"].as_str().unwrap()).collect();
    assert_eq!(times, ["2026-11-01 08:00:00", "2026-11-01 09:00:00"]);
}

#[test]
fn dates_in_the_wrong_order_are_a_usage_error() {
    let out = run(&words(
        "--sandbox passenger-flow series --id S_1001 \
         --from 2026-11-02 --to 2026-11-01",
    ));
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("after the last day"), "{}", out.stderr);
}

#[test]
fn totals_of_every_store() {
    let rows = ok_json(&words(
        "--sandbox passenger-flow total --all-stores --output json",
    ));
    assert_eq!(rows.len(), DEMO_STORE_COUNT);
    assert!(rows.iter().all(|r| r["ok"] == true));
}

#[test]
fn demographics_of_stores() {
    let rows = ok_json(&words(
        "--sandbox passenger-flow demographics --id S_1001 --id S_1002 \
         --from 2026-11-16 --to 2026-11-22 --output json",
    ));
    assert!(
        rows.iter()
            .any(|r| r["id"] == "S_1002" && r["dimension"] == "age")
    );
    let first_second = rows.iter().position(|r| r["id"] == "S_1002").unwrap();
    assert!(rows[..first_second].iter().all(|r| r["id"] == "S_1001"));
    assert!(
        rows.iter()
            .any(|r| r["dimension"] == "gender" && r["people"].is_number())
    );
}

#[cfg(unix)]
#[test]
fn a_login_is_kept_for_later_commands_until_logout() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("login");
    let with = |rest: &[&str]| -> Vec<String> {
        let mut args = gateway_args(&sandbox);
        args.extend(rest.iter().map(|s| (*s).to_owned()));
        args
    };
    let args = with(&["login"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // No password: refused before anything is sent.
    let out = run_in(&cache, &args, &[("OPRETAIL_USER", DEMO_USER)]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("OPRETAIL_PASSWORD"), "{}", out.stderr);

    let out = run_in(
        &cache,
        &args,
        &[
            ("OPRETAIL_USER", DEMO_USER),
            ("OPRETAIL_PASSWORD", DEMO_PASSWORD),
        ],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    let path = cache.join("opretail").join("token");
    let token = kept_token(&path);
    let token = token.as_str();
    assert!(!token.is_empty());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert!(!out.stdout.contains(token) && !out.stderr.contains(token));
    assert!(!out.stderr.contains(DEMO_PASSWORD));

    // No user, no password: the kept token is used.
    let args = with(&["stores", "--output", "ndjson"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_in(&cache, &args, &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), DEMO_STORE_COUNT);
    assert!(!out.stdout.contains(token) && !out.stderr.contains(token));

    let out = run_in(&cache, &["logout"], &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(!path.exists());

    let out = run_in(&cache, &args, &[]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("opretail login"), "{}", out.stderr);
}

/// The token kept in the token file at `path` (a JSON object that also says what the token
/// was issued for).
fn kept_token(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("the token is kept");
    let file: Value = serde_json::from_str(&text).expect("the token file is JSON");
    file["token"].as_str().expect("a token").to_owned()
}

/// The flags that reach `sandbox` with its demo developer key.
fn gateway_args(sandbox: &opretail_sandbox::SandboxHandle) -> Vec<String> {
    common::gateway(sandbox.url()).map(str::to_owned).to_vec()
}

/// A sandbox whose first request (the login) is answered normally and whose second fails with
/// a code that is not retried; the command line to reach it as the demo user, and the
/// environment.
fn second_request_fails() -> (opretail_sandbox::SandboxHandle, Vec<String>) {
    let sandbox = Sandbox::builder()
        .faults(FaultPlan::script([
            Fault::Delay(std::time::Duration::ZERO),
            Fault::Gateway(7),
        ]))
        .start_blocking()
        .expect("sandbox starts");
    let args = gateway_args(&sandbox);
    (sandbox, args)
}

/// `passenger-flow demographics` of `ids` from `from` to `to`, as JSON, then `extra`.
fn demographics(ids: &[&str], from: &str, to: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["passenger-flow", "demographics"];
    for id in ids {
        args.extend(["--id", id]);
    }
    args.extend(["--from", from, "--to", to, "--output", "json"]);
    args.extend(extra);
    args.into_iter().map(str::to_owned).collect()
}

const DEMO_LOGIN: [(&str, &str); 2] = [
    ("OPRETAIL_USER", DEMO_USER),
    ("OPRETAIL_PASSWORD", DEMO_PASSWORD),
];

#[test]
fn a_failed_series_call_fails_only_its_stores() {
    let (sandbox, mut args) = second_request_fails();
    // 21 stores, one call at a time: the first call (20 stores) fails, the second (1) not.
    args.extend(["passenger-flow", "series"].map(str::to_owned));
    for n in 0..21 {
        args.extend(["--id".to_owned(), format!("S_{}", 1001 + n)]);
    }
    args.extend(
        [
            "--from",
            "2026-11-16",
            "--to",
            "2026-11-16",
            "--by",
            "day",
            "--concurrency",
            "1",
            "--output",
            "ndjson",
        ]
        .map(str::to_owned),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_in(&cache_dir("series-fails"), &args, &DEMO_LOGIN);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let ids: Vec<String> = out
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["S_1021"], "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "error: the series of S_1001, S_1002, S_1003 and 17 more from 2026-11-16 to 2026-11-16"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 of 2 calls failed"), "{}", out.stderr);
    assert_eq!(sandbox.counters().requests(), 3, "the login and both calls");
}

#[test]
fn a_failed_demographics_call_fails_only_its_store() {
    let (sandbox, mut args) = second_request_fails();
    args.extend(demographics(
        &["S_1001", "S_1002", "S_1003"],
        "2026-11-16",
        "2026-11-22",
        &["--concurrency", "1"],
    ));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_in(&cache_dir("demographics-fails"), &args, &DEMO_LOGIN);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).expect("the JSON array is closed");
    let ids: BTreeSet<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, BTreeSet::from(["S_1002", "S_1003"]));
    assert!(
        out.stderr.contains("error: the demographics of S_1001:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 of 3 stores failed"),
        "{}",
        out.stderr
    );
    assert_eq!(
        sandbox.counters().requests(),
        4,
        "the login and three calls"
    );
}

#[test]
fn a_wrong_password_ends_the_command_after_one_login() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let mut args = gateway_args(&sandbox);
    args.extend(demographics(
        &["S_1001", "S_1002"],
        "2026-11-16",
        "2026-11-16",
        &[],
    ));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_in(
        &cache_dir("wrong-password"),
        &args,
        &[
            ("OPRETAIL_USER", DEMO_USER),
            ("OPRETAIL_PASSWORD", "wrong-canary"),
        ],
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("the login failed: PASSWORD_ERROE"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("wrong-canary"), "{}", out.stderr);
    assert_eq!(
        sandbox.counters().requests(),
        1,
        "one login, and no call after it failed"
    );
}

/// `opretail login` on a terminal (a pseudo-terminal made by util-linux's `script`, which every
/// Debian system has) asks for the password without echo, logs in and keeps the token.
#[cfg(target_os = "linux")]
#[test]
fn login_asks_for_the_password_on_a_terminal() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("prompt");
    let transcript = common::terminal::login_at_the_prompt(
        sandbox.url(),
        "",
        "opretail-cli-journey-empty-home",
        &cache,
        |stdin, _| {
            use std::io::Write;
            stdin
                .write_all(format!("{DEMO_PASSWORD}\n").as_bytes())
                .expect("type the password");
        },
    );
    assert!(transcript.contains("logged in as demo"), "{transcript}");
    assert!(!transcript.contains(DEMO_PASSWORD), "echoed: {transcript}");
    assert_eq!(sandbox.counters().logins(), 1);
    let token = kept_token(&cache.join("opretail").join("token"));
    assert!(!token.is_empty() && !transcript.contains(&token));
}

#[test]
fn the_rate_limit_paces_the_login_and_every_call() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let mut args = gateway_args(&sandbox);
    args.extend(demographics(
        &["S_1001", "S_1002", "S_1003"],
        "2026-11-16",
        "2026-11-16",
        &["--concurrency", "3", "--rate", "10"],
    ));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = std::time::Instant::now();
    let out = run_in(&cache_dir("rate"), &args, &DEMO_LOGIN);
    let elapsed = started.elapsed();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        sandbox.counters().requests(),
        4,
        "the login and three calls"
    );
    // Four requests at 10 a second: the last one's slot is 300 ms after the first's.
    assert!(
        elapsed >= std::time::Duration::from_millis(300),
        "{elapsed:?}"
    );
}
