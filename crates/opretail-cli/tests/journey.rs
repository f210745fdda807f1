//! The user journey after `getTotalData`, through the binary: store list, passenger flow over
//! time, demographics, and a login kept between commands.

use std::path::PathBuf;

mod common;

use opretail_sandbox::{
    DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_STORE_COUNT, DEMO_USER, Sandbox,
};
use serde_json::Value;

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

/// A run with its own cache directory `cache` (where `login` keeps the token).
fn run_in(cache: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::isolated_command("opretail-cli-journey-empty-home");
    cmd.env("XDG_CACHE_HOME", cache);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().expect("the binary runs");
    Output {
        status: out.status.code().expect("the binary exits normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn cache_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "opretail-cli-journey-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(args: &[&str]) -> Output {
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
    let rows = ok_json(&[
        "--sandbox",
        "passenger-flow",
        "series",
        "--id",
        "S_1002",
        "--id",
        "S_1001",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--by",
        "hour",
        "--output",
        "json",
    ]);
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
fn every_store_for_one_day_by_day() {
    let out = run(&[
        "--sandbox",
        "passenger-flow",
        "series",
        "--all-stores",
        "--by",
        "day",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-01",
        "--output",
        "csv",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1 + DEMO_STORE_COUNT);
}

#[test]
fn a_start_time_limits_the_hours() {
    let rows = ok_json(&[
        "--sandbox",
        "passenger-flow",
        "series",
        "--id",
        "S_1001",
        "--from",
        "2026-11-01T08:00",
        "--to",
        "2026-11-01T10:00",
        "--output",
        "json",
    ]);
    let times: Vec<&str> = rows.iter().map(|r| r["bucket"].as_str().unwrap()).collect();
    assert_eq!(times, ["2026-11-01 08:00:00", "2026-11-01 09:00:00"]);
}

#[test]
fn dates_in_the_wrong_order_are_a_usage_error() {
    let out = run(&[
        "--sandbox",
        "passenger-flow",
        "series",
        "--id",
        "S_1001",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-01",
    ]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("after the last day"), "{}", out.stderr);
}

#[test]
fn totals_of_every_store() {
    let rows = ok_json(&[
        "--sandbox",
        "passenger-flow",
        "total",
        "--all-stores",
        "--output",
        "json",
    ]);
    assert_eq!(rows.len(), DEMO_STORE_COUNT);
    assert!(rows.iter().all(|r| r["ok"] == true));
}

#[test]
fn demographics_of_stores() {
    let rows = ok_json(&[
        "--sandbox",
        "passenger-flow",
        "demographics",
        "--id",
        "S_1001",
        "--id",
        "S_1002",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--output",
        "json",
    ]);
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
    let gateway = [
        "--endpoint",
        sandbox.url(),
        "--akey",
        DEFAULT_AKEY,
        "--asid",
        DEFAULT_ASID,
    ];
    let with = |rest: &[&str]| -> Vec<String> {
        gateway
            .iter()
            .chain(rest)
            .map(|s| (*s).to_owned())
            .collect()
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
    let token = std::fs::read_to_string(&path).expect("the token is kept");
    let token = token.trim();
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
