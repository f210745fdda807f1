//! `opretail sync`, `sync status` and `discover`, run as a user runs them: against the
//! sandbox on loopback (in this process, or built into the binary), or a stand-in gateway
//! for hostile answers, into real SQLite databases.

mod common;
mod stub;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta, Timelike, Utc};
use opretail_sandbox::{DEMO_PASSWORD, DEMO_USER, FaultPlan, Sandbox, SandboxHandle};
use rusqlite::Connection;
use serde_json::json;
use stub::{Reply, Stub};

/// The gateway's day and hour now (UTC+08:00).
fn gateway_now() -> chrono::NaiveDateTime {
    (Utc::now() + TimeDelta::hours(8)).naive_utc()
}

fn days_ago(n: i64) -> NaiveDate {
    gateway_now().date() - TimeDelta::days(n)
}

/// Every row of a query, as text.
fn rows(db: &Path, sql: &str) -> Vec<String> {
    let db = Connection::open(db).unwrap();
    let mut statement = db.prepare(sql).unwrap();
    let width = statement.column_count();
    statement
        .query_map([], |row| {
            (0..width)
                .map(|i| {
                    row.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|cells| cells.join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// `opretail sync` against the sandbox at `url` as the demo user, into `db`.
fn sync_at(url: &str, db: &Path, more: &[&str]) -> std::process::Command {
    let mut command = common::isolated(
        std::process::Command::new(env!("CARGO_BIN_EXE_opretail")),
        "sync",
    );
    command
        .env("OPRETAIL_USER", DEMO_USER)
        .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
        .args(common::gateway(url))
        .args(["sync", "--to", &format!("sqlite:{}", db.display())])
        .args(more);
    command
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_readme_example_syncs_the_sandbox_and_a_query_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::output(
        common::isolated_command("sync")
            .current_dir(dir.path())
            .args(common::words("--sandbox sync --to sqlite:footfall.db")),
    );
    assert!(out.status == Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("synced: 300 stores, 600 calls"),
        "{}",
        out.stderr
    );
    let db = dir.path().join("footfall.db");
    let busiest = rows(
        &db,
        "SELECT store_id, sum(entering) FROM flow_daily WHERE partial = 0 \
         GROUP BY store_id ORDER BY 2 DESC LIMIT 3",
    );
    assert_eq!(busiest.len(), 3, "{busiest:?}");

    let status = common::output(
        common::isolated_command("sync")
            .current_dir(dir.path())
            .args(common::words("sync status --to sqlite:footfall.db")),
    );
    assert!(status.status == Some(0), "{}", status.stderr);
    let status = common::json(&status.stdout);
    assert_eq!(status["streams"]["stores"]["rows"], 300);
    assert_eq!(status["streams"]["flow_hourly"]["stores"], 300);
    assert_eq!(status["last_run"]["outcome"], "complete");
    let hour = gateway_now()
        .with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap();
    let mark = status["streams"]["flow_hourly"]["newest_mark"]
        .as_str()
        .unwrap();
    // The running hour, unless it turned since the run.
    assert!(
        mark <= hour.format("%Y-%m-%dT%H:%M:%S").to_string().as_str(),
        "{mark}"
    );
}

#[test]
fn flow_method_customerflow_syncs_the_same_rows_under_the_other_name() {
    let dir = tempfile::tempdir().unwrap();
    let since = days_ago(3).to_string();
    let sync = |db: &str, more: &[&str]| {
        let mut args = vec!["--sandbox", "sync", "--to", db, "--since", &since];
        args.extend(["--id", "S_1001", "--id", "S_1002", "--keep-raw"]);
        args.extend_from_slice(more);
        let out = common::output(
            common::isolated_command("sync")
                .current_dir(dir.path())
                .args(&args),
        );
        assert!(out.status == Some(0), "{}", out.stderr);
    };
    sync("sqlite:passengerflow.db", &[]);
    sync("sqlite:customerflow.db", &["--flow-method", "customerflow"]);
    let (first, second) = (
        dir.path().join("passengerflow.db"),
        dir.path().join("customerflow.db"),
    );
    // Whole hours and days long past: the running ones may have moved between the runs.
    let cutoff = days_ago(1).to_string();
    let settled_rows = settled(&first, &cutoff);
    assert!(settled_rows.len() > 2 * 24, "{settled_rows:?}");
    assert_eq!(settled(&second, &cutoff), settled_rows);
    let methods = |db: &Path| {
        rows(
            db,
            "SELECT DISTINCT method FROM _opretail_raw WHERE method LIKE '%ManyShops%'",
        )
    };
    assert_eq!(
        methods(&first),
        ["Text(\"open.passengerflow.getManyShopsPassengerIndicatorData\")"]
    );
    assert_eq!(
        methods(&second),
        ["Text(\"open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData\")"]
    );
}

#[test]
fn discover_prints_the_catalog_of_every_stream() {
    let out = common::output(common::isolated_command("sync").arg("discover"));
    assert!(out.status == Some(0), "{}", out.stderr);
    let catalog = common::json(&out.stdout);
    let names: Vec<&str> = catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "stores",
            "flow_hourly",
            "flow_daily",
            "demographics_daily",
            "totals"
        ]
    );
    assert_eq!(
        catalog["streams"][4]["primary_key"],
        json!(["store_id", "taken_at"])
    );
}

#[test]
fn usage_errors_send_nothing_and_never_show_a_password() {
    let stub = Stub::start(|_, _| Reply::data(json!([])));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let cases: &[(&[&str], &str)] = &[
        (&["--since", "2999-01-01"], "in the future"),
        (&["--id", "O_42"], "not a store"),
        (&["--streams", "flow_minutely"], "flow_hourly"),
        (&["--lookback", "90m"], "lookback"),
        (&["--concurrency", "0"], "concurrency"),
    ];
    for (args, expected) in cases {
        let out = common::output(&mut assert_cmd::Command::from_std(sync_at(
            stub.url(),
            &db,
            args,
        )));
        assert_eq!(out.status, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
    }
    let out = common::output(
        common::isolated_command("sync")
            .args(common::gateway(stub.url()))
            .args(["sync", "--to", "mysql://me:pw-never-shown@db/x"]),
    );
    assert_eq!(out.status, Some(2));
    assert!(!out.stderr.contains("pw-never-shown"), "{}", out.stderr);
    assert!(out.stderr.contains("sqlite:PATH"), "{}", out.stderr);
    // From the environment, a URL's password is never shown either, not even by --help.
    let out = common::output(
        common::isolated_command("sync")
            .env("OPRETAIL_SYNC_TO", "mysql://me:pw-never-shown@db/x")
            .args(common::gateway(stub.url()))
            .args(["sync"]),
    );
    assert_eq!(out.status, Some(2));
    assert!(
        !out.stderr.contains("pw-never-shown") && out.stderr.contains("sqlite:PATH"),
        "{}",
        out.stderr
    );
    let help = common::output(
        common::isolated_command("sync")
            .env("OPRETAIL_SYNC_TO", "postgres://me:pw-never-shown@db/x")
            .args(["sync", "--help"]),
    );
    assert!(help.stdout.contains("OPRETAIL_SYNC_TO") && !help.stdout.contains("pw-never-shown"));
    // A sink this build does not have is a usage error, naming the feature.
    #[cfg(not(feature = "parquet"))]
    {
        let out = common::output(
            common::isolated_command("sync")
                .args(common::gateway(stub.url()))
                .args(["sync", "--to", "parquet:out"]),
        );
        assert_eq!(out.status, Some(2));
        assert!(out.stderr.contains("`parquet` feature"), "{}", out.stderr);
    }
    assert!(stub.seen().is_empty(), "nothing was sent");
    assert!(!db.exists(), "nothing was created");
}

/// A day's hourly buckets for `dep_id`, as the stand-in answers.
fn hours(dep_id: &str, form: &std::collections::HashMap<String, String>) -> serde_json::Value {
    let day = |key: &str| {
        NaiveDate::parse_from_str(&form[key][..10], "%Y-%m-%d").expect("a day was asked for")
    };
    let buckets: Vec<serde_json::Value> = day("startTime")
        .iter_days()
        .take_while(|d| *d <= day("endTime"))
        .flat_map(|d| {
            (0..24).map(move |h| json!({"time": format!("{d} {h:02}:00:00"), "passengerFlow": h}))
        })
        .collect();
    json!([{"depId": dep_id, "name": "Store", "dataList": buckets}])
}

#[test]
fn a_hostile_answer_fails_its_store_only_and_writes_nothing_of_it() {
    let stub = Stub::start(|form, _| match form.get("id").map(String::as_str) {
        Some("S_1") => Reply::data(hours("1", form)),
        // Another store's figures, with a terminal escape in its time.
        _ => Reply::data(json!([{"depId": "1", "dataList": [{"time": "\u{1b}[2J2026"}]}])),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let mut command = common::isolated(
        std::process::Command::new(env!("CARGO_BIN_EXE_opretail")),
        "sync",
    );
    command
        .env("OPRETAIL_TOKEN", "tok-sync")
        .args(common::gateway(stub.url()))
        .args(["sync", "--to", &format!("sqlite:{}", db.display())])
        .args(["--streams", "flow_hourly", "--id", "S_1", "--id", "S_2"])
        .args(["--since", &days_ago(1).to_string()]);
    let out = common::output(&mut assert_cmd::Command::from_std(command));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("error: flow_hourly S_2:")
            && out.stderr.contains("another store (S_1)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains('\u{1b}'), "gateway text is escaped");
    assert_eq!(
        rows(&db, "SELECT DISTINCT store_id FROM flow_hourly"),
        ["Text(\"S_1\")"]
    );
    assert_eq!(
        rows(&db, "SELECT store_id FROM _opretail_state"),
        ["Text(\"S_1\")"]
    );
    assert_eq!(
        rows(&db, "SELECT outcome, failed_stores FROM _opretail_runs"),
        ["Text(\"some_failed\")|Integer(1)"]
    );
}

/// The rows two databases must agree on: complete hours and days before `cutoff` (both runs
/// saw them complete, whenever the hour turned), without the time they were read.
fn settled(db: &Path, cutoff: &str) -> Vec<String> {
    let mut all = rows(
        db,
        &format!(
            "SELECT store_id, bucket_start, entering, passing, outside, entry_rate, exit, fitting_rate \
             FROM flow_hourly WHERE partial = 0 AND bucket_start < '{cutoff}' ORDER BY 1, 2"
        ),
    );
    all.extend(rows(
        db,
        &format!(
            "SELECT store_id, day, entering, passing, outside, entry_rate, exit, fitting_rate \
             FROM flow_daily WHERE partial = 0 AND day < substr('{cutoff}', 1, 10) ORDER BY 1, 2"
        ),
    ));
    all.extend(rows(
        db,
        "SELECT store_id, name, shop_code, address FROM stores ORDER BY 1",
    ));
    all
}

/// Waits until the sandbox has answered `requests` requests or the child has ended.
fn wait_for_requests(sandbox: &SandboxHandle, requests: u64, child: &mut std::process::Child) {
    while sandbox.counters().requests() < requests {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::yield_now();
    }
}

#[test]
fn killed_at_random_points_a_rerun_gives_the_rows_of_an_uninterrupted_run() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::builder().start()).unwrap();
    // Calls take a little while, so that kills land in the middle of the run.
    sandbox.set_faults(
        FaultPlan::default().with_latency(Duration::from_millis(3), Duration::from_millis(3)),
    );
    let cutoff = gateway_now()
        .with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap();
    let cutoff = cutoff.format("%Y-%m-%d %H:%M:%S").to_string();
    let dir = tempfile::tempdir().unwrap();
    // 50 stores over 33 days: two calls a store and stream, 80,000 rows.
    let since = days_ago(33).to_string();
    let ids: Vec<String> = (1001..1051).map(|n| format!("S_{n}")).collect();
    let ids_file = dir.path().join("ids.txt");
    std::fs::write(&ids_file, ids.join("\n")).unwrap();
    let ids_file = ids_file.display().to_string();
    let args = [
        "--since",
        since.as_str(),
        "--concurrency",
        "8",
        "--ids-file",
        &ids_file,
    ];

    let whole = dir.path().join("whole.db");
    let out = sync_at(sandbox.url(), &whole, &args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let killed = dir.path().join("killed.db");
    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut kills = 0;
    for _ in 0..4 {
        let start = sandbox.counters().requests();
        let mut child = sync_at(sandbox.url(), &killed, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Somewhere in the login, the store list or the 200 series calls of a first run.
        wait_for_requests(&sandbox, start + rng.u64(1..150), &mut child);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills > 0, "seed {seed}: every run ended before its kill");
    let out = sync_at(sandbox.url(), &killed, &args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (expected, got) = (settled(&whole, &cutoff), settled(&killed, &cutoff));
    assert_eq!(
        expected.len(),
        got.len(),
        "seed {seed}: a gap or a duplicate"
    );
    assert!(expected == got, "seed {seed}: the rows differ");
    let runs = rows(
        &killed,
        "SELECT outcome FROM _opretail_runs ORDER BY run_id",
    );
    assert_eq!(runs.last().unwrap(), "Text(\"complete\")");
    assert!(
        runs.iter().filter(|r| *r == "Null").count() >= kills.min(1),
        "{runs:?}"
    );
}

#[cfg(feature = "parquet")]
#[test]
fn the_sandbox_synced_into_parquet_files_reads_back_in_status() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!("parquet:{}", dir.path().join("footfall").display());
    let out = common::output(common::isolated_command("sync").args([
        "--sandbox",
        "sync",
        "--to",
        &target,
        "--streams",
        "flow_daily",
        "--id",
        "S_1001",
        "--id",
        "S_1002",
    ]));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let today = gateway_now().date();
    assert!(
        dir.path()
            .join(format!("footfall/flow_daily/date={today}/part.parquet"))
            .exists()
    );
    let status =
        common::output(common::isolated_command("sync").args(["sync", "status", "--to", &target]));
    let status = common::json(&status.stdout);
    assert_eq!(status["streams"]["flow_daily"]["stores"], 2);
    assert_eq!(status["streams"]["flow_daily"]["rows"], 2 * 31);
    assert_eq!(status["last_run"]["outcome"], "complete");
}
