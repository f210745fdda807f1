//! Syncs from the real sandbox, over loopback, into a real SQLite database.

#![cfg(feature = "sqlite")]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta, Utc};
use opretail::{
    Client, Config, Credentials, EntityId, Gateway, LoginMethod, RetryPolicy, TokenSource,
};
use opretail_sandbox::{
    DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, Fault, FaultPlan, Sandbox, SandboxHandle,
};
use opretail_sync::{Engine, Outcome, Stores, Stream, SyncOptions, Target};
use rusqlite::Connection;

fn client(sandbox: &SandboxHandle) -> Client {
    let config = Config::builder()
        .endpoint(sandbox.url())
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    let user = TokenSource::login(
        DEMO_USER,
        DEMO_PASSWORD,
        LoginMethod::for_gateway(Gateway::Classic),
    )
    .unwrap();
    Client::new(
        Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).unwrap(),
        config,
    )
    .unwrap()
    .with_token_source(user)
}

fn stores(n: u32) -> Stores {
    Stores::Given(
        (1001..1001 + n)
            .map(|n| EntityId::store(n).unwrap())
            .collect(),
    )
}

/// Two days back at the gateway: small, and spanning a midnight.
fn since() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(8)).date_naive() - TimeDelta::days(2)
}

fn target(dir: &Path) -> Target {
    format!("sqlite:{}", dir.join("footfall.db").display())
        .parse()
        .unwrap()
}

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("footfall.db")).unwrap()
}

/// Every row of a query, as text.
fn rows(db: &Connection, sql: &str) -> Vec<Vec<String>> {
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
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The complete hourly rows, without the time they were read.
fn complete_hours(db: &Connection) -> Vec<Vec<String>> {
    rows(
        db,
        "SELECT store_id, bucket_start, entering, passing, outside, entry_rate, exit, fitting_rate \
         FROM flow_hourly WHERE partial = 0 ORDER BY store_id, bucket_start",
    )
}

fn marks(db: &Connection, stream: &str) -> BTreeMap<String, String> {
    rows(
        db,
        &format!("SELECT store_id, complete_until FROM _opretail_state WHERE stream = '{stream}'"),
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].clone()))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_fills_every_store_and_a_repeat_gives_the_same_rows() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions::default().since(since()).concurrency(8);
    let engine = Engine::new(client(&sandbox), options);
    let first = engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::Complete, "{:?}", first.failures);
    let db = db(dir.path());
    let listed: i64 = db
        .query_row("SELECT count(*) FROM stores", [], |r| r.get(0))
        .unwrap();
    assert_eq!(listed as usize, first.stores);
    assert!(
        first.stores >= 100,
        "the demo tenant has hundreds of stores"
    );
    // Every store has every hour from `since` to the running one, which alone is partial.
    let per_store = rows(
        &db,
        "SELECT count(*), sum(partial), min(bucket_start) FROM flow_hourly GROUP BY store_id",
    );
    assert_eq!(per_store.len(), first.stores);
    let hours = &per_store[0];
    assert!(per_store.iter().all(|r| r == hours), "{per_store:?}");
    assert_eq!(hours[1], "Integer(1)");
    assert!(
        hours[2].contains(&format!("{} 00:00:00", since())),
        "{hours:?}"
    );
    let daily = rows(
        &db,
        "SELECT count(*), sum(partial) FROM flow_daily GROUP BY store_id",
    );
    assert!(
        daily.iter().all(|r| r == &["Integer(3)", "Integer(1)"]),
        "{daily:?}"
    );
    assert_eq!(marks(&db, "flow_hourly").len(), first.stores);
    let before = complete_hours(&db);

    let again = engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::Complete);
    let after = complete_hours(&db);
    // The hour may have turned between the runs: the rows of the first run are all there,
    // unchanged, and nothing is there twice (the key would refuse it).
    for row in &before {
        assert!(after.binary_search(row).is_ok(), "{row:?} changed or went");
    }
    let runs = rows(&db, "SELECT outcome FROM _opretail_runs ORDER BY run_id");
    assert_eq!(runs, [["Text(\"complete\")"], ["Text(\"complete\")"]]);
}

/// How many recent hours the sandbox revises in the lookback test.
const REVISED_HOURS: u32 = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revised_hours_are_replaced_by_the_lookback_and_older_ones_stay() {
    // A whole day of revised hours: a revision moves an hour by up to 5 %, which leaves the
    // few visitors of night hours as they were, so a shorter span would see no change at all
    // when the gateway's clock is in the small hours.
    let sandbox = Sandbox::builder()
        .revise_recent_hours(REVISED_HOURS)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions::default()
        .streams([Stream::FlowHourly])
        .stores(stores(20))
        .since(since());
    let engine = Engine::new(client(&sandbox), options);
    engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    let db = db(dir.path());
    let all =
        "SELECT store_id, bucket_start, entering FROM flow_hourly ORDER BY store_id, bucket_start";
    let first = rows(&db, all);
    engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    let second = rows(&db, all);
    let changed: Vec<usize> = (0..first.len().min(second.len()))
        .filter(|&i| first[i] != second[i])
        .collect();
    assert!(
        !changed.is_empty(),
        "the revised hours were read again and replaced"
    );
    // Only the last hours of each store move: a revision never reaches older ones.
    let per_store = second.len() / 20;
    for i in &changed {
        assert!(
            i % per_store >= per_store.saturating_sub(REVISED_HOURS as usize + 2),
            "row {i} of {per_store} changed"
        );
    }
    assert!(
        second.len() - first.len() <= 20,
        "no duplicates: at most the hour that began"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_keeps_its_mark_while_the_others_advance() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&sandbox);
    let options = SyncOptions::default()
        .streams([Stream::FlowHourly])
        .stores(stores(30))
        .since(since());
    let engine = Engine::new(client.clone(), options);
    engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    let db = db(dir.path());
    // Every mark a day back, as if the last run were yesterday's: one call a store.
    let old = format!("{} 00:00:00", since() + TimeDelta::days(1));
    db.execute("UPDATE _opretail_state SET complete_until = ?1", [&old])
        .unwrap();
    client.login().await.unwrap();
    sandbox.set_faults(
        FaultPlan::default()
            .with_random(Fault::NonJson200, 0.3)
            .seed(7),
    );
    let summary = engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::SomeFailed);
    assert!(
        !summary.failures.is_empty() && summary.failures.len() < 30,
        "{summary:?}"
    );
    let held = marks(&db, "flow_hourly");
    for (store, mark) in &held {
        let failed = summary
            .failures
            .iter()
            .any(|f| &format!("Text({:?})", f.store_id) == store);
        assert_eq!(failed, mark.contains(&old), "{store}: {mark}");
    }
    let failure = &summary.failures[0];
    assert_eq!(failure.stream, Stream::FlowHourly);
    assert!(failure.message.contains("not JSON"), "{}", failure.message);
    let runs = rows(
        &db,
        "SELECT outcome, failed_stores FROM _opretail_runs ORDER BY run_id",
    );
    assert_eq!(runs[1][0], "Text(\"some_failed\")");
    assert_eq!(runs[1][1], format!("Integer({})", summary.failures.len()));

    // Once the gateway answers again, the failed stores catch up.
    sandbox.set_faults(FaultPlan::default());
    let summary = engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Complete);
    let held = marks(&db, "flow_hourly");
    assert!(held.values().all(|m| !m.contains(&old)), "{held:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_answers_are_kept_without_any_secret() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions::default()
        .streams([Stream::FlowDaily, Stream::Totals, Stream::DemographicsDaily])
        // A store given twice is synced once.
        .stores(Stores::Given(
            [1001, 1002, 1001, 1003]
                .map(|n| EntityId::store(n).unwrap())
                .to_vec(),
        ))
        .since(since())
        .keep_raw(true);
    let engine = Engine::new(client(&sandbox), options);
    let summary = engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Complete, "{:?}", summary.failures);
    let db = db(dir.path());
    let raw = rows(&db, "SELECT method, params, cid, body FROM _opretail_raw");
    // Per store: one series call, one snapshot, three days of demographics.
    assert_eq!(raw.len(), 3 * (1 + 1 + 3));
    let all = format!("{raw:?}");
    for secret in [
        DEFAULT_ASID,
        DEMO_PASSWORD,
        "_sig",
        "_asid",
        "authenticator",
        "token",
    ] {
        assert!(!all.contains(secret), "{secret} is in the raw table");
    }
    assert!(all.contains("getManyShopsPassengerIndicatorData") && all.contains("S_1002"));
    let totals: i64 = db
        .query_row("SELECT count(*) FROM totals", [], |r| r.get(0))
        .unwrap();
    assert_eq!(totals, 3);
    let groups = rows(
        &db,
        "SELECT DISTINCT dimension, grp FROM demographics_daily ORDER BY dimension, grp",
    );
    assert!(
        groups.iter().any(|g| g[1] == "Text(\"female\")"),
        "{groups:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_is_recorded_and_the_next_one_completes_it() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    sandbox
        .set_faults(FaultPlan::default().with_latency(Duration::from_millis(20), Duration::ZERO));
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions::default()
        .streams([Stream::FlowHourly])
        .stores(stores(40))
        .since(since())
        .concurrency(2);
    let engine = Engine::new(client(&sandbox), options);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let summary = engine
        .run_until(
            target(dir.path()).open().unwrap(),
            |progress| {
                if progress.calls_done == 10
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(());
                }
            },
            async {
                let _ = rx.await;
            },
        )
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Stopped);
    let db = db(dir.path());
    let marked = marks(&db, "flow_hourly").len();
    assert!((10..40).contains(&marked), "{marked} stores marked");
    let stored: i64 = db
        .query_row(
            "SELECT count(DISTINCT store_id) FROM flow_hourly",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stored as usize, marked,
        "a store has rows exactly when it has a mark"
    );
    assert_eq!(
        rows(&db, "SELECT outcome FROM _opretail_runs"),
        [["Text(\"stopped\")"]]
    );
    let summary = engine
        .run(target(dir.path()).open().unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Complete);
    assert_eq!(marks(&db, "flow_hourly").len(), 40);
}

#[test]
fn the_tables_match_the_catalog() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(Sandbox::builder().start()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions::default()
        .streams(Stream::ALL)
        .stores(stores(1))
        .since(since());
    let engine = Engine::new(client(&sandbox), options);
    runtime
        .block_on(engine.run(target(dir.path()).open().unwrap(), |_| {}))
        .unwrap();
    let db = db(dir.path());
    let catalog = serde_json::to_value(opretail_sync::catalog()).unwrap();
    for stream in catalog["streams"].as_array().unwrap() {
        let name = stream["name"].as_str().unwrap();
        let columns = rows(
            &db,
            &format!(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{name}') ORDER BY cid"
            ),
        );
        let expected: Vec<Vec<String>> = stream["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let column = c["name"].as_str().unwrap();
                let key = stream["primary_key"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|k| k == column)
                    .map_or(0, |p| p + 1);
                let sql_type = match c["type"].as_str().unwrap() {
                    "integer" | "boolean" => "INTEGER",
                    "real" => "REAL",
                    _ => "TEXT",
                };
                vec![
                    format!("Text({column:?})"),
                    format!("Text({sql_type:?})"),
                    format!("Integer({})", i64::from(!c["nullable"].as_bool().unwrap())),
                    format!("Integer({key})"),
                ]
            })
            .collect();
        assert_eq!(columns, expected, "{name}");
    }
}
