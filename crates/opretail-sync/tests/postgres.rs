//! The PostgreSQL sink against a real PostgreSQL 15 (a throwaway cluster per test, on a Unix
//! socket): its tables, upserts, marks, all-or-nothing batches, status, secrets, and a whole
//! sync from the sandbox.

#![cfg(feature = "postgres")]

mod pg_cluster;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Utc};
use opretail_sync::sinks::postgres::PostgresSink;
use opretail_sync::{
    Batch, Cell, ColumnType, Engine, Mark, Outcome, RawAnswer, Rows, RunEnd, RunStart, Sink,
    Stream, SyncOptions, Target,
};
use pg_cluster::{Cluster, Db};

fn at(day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("a valid time")
}

fn hourly_row(store: &str, bucket: NaiveDateTime, entering: i64, partial: bool) -> Vec<Cell> {
    vec![
        Cell::Text(store.into()),
        Cell::Timestamp(bucket),
        Cell::Integer(entering),
        Cell::Integer(entering * 3),
        Cell::Null,
        Cell::Real(12.5),
        Cell::Null,
        Cell::Null,
        Cell::Boolean(partial),
        Cell::Timestamp(at(20, 0)),
    ]
}

fn daily_row(store: &str, day: u32, entering: i64) -> Vec<Cell> {
    let mut row = hourly_row(store, at(day, 0), entering, false);
    row[1] = Cell::Date(at(day, 0).date());
    row
}

fn store_row(id: &str, name: &str, seen: NaiveDateTime) -> Vec<Cell> {
    vec![
        Cell::Text(id.into()),
        Cell::Text(name.into()),
        Cell::Text("SHOP-1".into()),
        Cell::Null,
        Cell::Null,
        Cell::Text("1 Main St".into()),
        Cell::Real(121.47),
        Cell::Real(31.23),
        Cell::Integer(1),
        Cell::Timestamp(seen),
        Cell::Timestamp(seen),
    ]
}

/// `hours` hourly rows from the 2nd at midnight for `store`, and the mark they complete.
fn hours_of(store: &str, hours: u32, entering: i64) -> Batch {
    let all = Rows::of(
        Stream::FlowHourly,
        (0..hours).map(|h| {
            hourly_row(
                store,
                at(2, 0) + TimeDelta::hours(h.into()),
                entering,
                false,
            )
        }),
    );
    let until = at(2, 0) + TimeDelta::hours(hours.into());
    Batch::new(all, vec![Mark::new(Stream::FlowHourly, store, until)])
}

fn run_start(run_id: i64, streams: &[Stream]) -> RunStart {
    RunStart {
        run_id,
        started_at: at(20, 1),
        streams: streams.to_vec(),
    }
}

/// A sink of the cluster's database with every stream's table.
fn started_sink(cluster: &Cluster) -> PostgresSink {
    let mut sink = PostgresSink::connect(&cluster.url()).expect("connects");
    sink.start_run(&run_start(1, &Stream::ALL)).expect("starts");
    sink
}

fn hourly_rows(db: &Db) -> Vec<String> {
    db.rows_as_text("flow_hourly", &["store_id", "bucket_start"], &[])
}

fn marks_in(db: &Db) -> Vec<String> {
    db.rows_as_text("_opretail_state", &["stream", "store_id"], &[])
}

/// The type `information_schema` shows for a catalog type: written out here, apart from the
/// sink's own mapping, so that a change of either shows.
fn shown_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text => "text",
        ColumnType::Integer => "bigint",
        ColumnType::Real => "double precision",
        ColumnType::Boolean => "boolean",
        ColumnType::Date => "date",
        ColumnType::Timestamp => "timestamp without time zone",
    }
}

fn columns_of(db: &Db, table: &str) -> Vec<(String, String, bool)> {
    db.query(
        "SELECT column_name::text, data_type::text, is_nullable::text = 'YES' \
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
         ORDER BY ordinal_position",
        &[&table],
    )
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

fn primary_key_of(db: &Db, table: &str) -> Vec<String> {
    db.query(
        "SELECT k.column_name::text FROM information_schema.table_constraints c \
         JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema \
         AND k.constraint_name = c.constraint_name \
         WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() \
         AND c.table_name = $1 ORDER BY k.ordinal_position",
        &[&table],
    )
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn owned(columns: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    columns
        .iter()
        .map(|(n, t, null)| (n.to_string(), t.to_string(), *null))
        .collect()
}

#[test]
fn tables_match_the_catalog() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    // A second run finds everything there and only records itself.
    sink.start_run(&run_start(2, &Stream::ALL))
        .expect("starts again");
    let db = cluster.db();
    for stream in Stream::ALL {
        let table = stream.table();
        let expected: Vec<(String, String, bool)> = table
            .columns
            .iter()
            .map(|c| (c.name.to_owned(), shown_type(c.kind).to_owned(), c.nullable))
            .collect();
        assert_eq!(columns_of(&db, table.name), expected, "{stream}");
        assert_eq!(
            primary_key_of(&db, table.name),
            table.primary_key,
            "{stream}"
        );
    }
    let timestamp = "timestamp without time zone";
    assert_eq!(
        columns_of(&db, "_opretail_state"),
        owned(&[
            ("stream", "text", false),
            ("store_id", "text", false),
            ("complete_until", timestamp, false),
        ])
    );
    assert_eq!(
        primary_key_of(&db, "_opretail_state"),
        ["stream", "store_id"]
    );
    assert_eq!(
        columns_of(&db, "_opretail_runs"),
        owned(&[
            ("run_id", "bigint", false),
            ("started_at", timestamp, false),
            ("finished_at", timestamp, true),
            ("outcome", "text", true),
            ("streams", "text", false),
            ("rows", "bigint", true),
            ("failed_stores", "bigint", true),
        ])
    );
    assert_eq!(primary_key_of(&db, "_opretail_runs"), ["run_id"]);
    assert_eq!(
        columns_of(&db, "_opretail_raw"),
        owned(&[
            ("run_id", "bigint", false),
            ("method", "text", false),
            ("params", "text", false),
            ("cid", "text", true),
            ("received_at", timestamp, false),
            ("body", "text", false),
        ])
    );
    let runs = db.query(
        "SELECT run_id, streams FROM _opretail_runs ORDER BY run_id",
        &[],
    );
    let runs: Vec<(i64, String)> = runs.iter().map(|r| (r.get(0), r.get(1))).collect();
    let streams = "stores,flow_hourly,flow_daily,demographics_daily,totals";
    assert_eq!(runs, [(1, streams.to_owned()), (2, streams.to_owned())]);
}

#[test]
fn an_upsert_replaces_a_revised_row_and_keeps_first_seen() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    let first = Rows::of(
        Stream::Stores,
        [
            store_row("S_1", "Old name", at(3, 9)),
            store_row("S_2", "Other", at(3, 9)),
        ],
    );
    sink.write(Batch::new(first, Vec::new())).expect("writes");
    let revised = Rows::of(Stream::Stores, [store_row("S_1", "New name", at(4, 9))]);
    sink.write(Batch::new(revised, Vec::new())).expect("writes");

    sink.write(Batch::new(
        Rows::of(Stream::FlowHourly, [hourly_row("S_1", at(2, 10), 5, true)]),
        Vec::new(),
    ))
    .expect("writes");
    sink.write(Batch::new(
        Rows::of(Stream::FlowHourly, [hourly_row("S_1", at(2, 10), 7, false)]),
        Vec::new(),
    ))
    .expect("writes");

    let db = cluster.db();
    let stores = db.query(
        "SELECT store_id, name, first_seen, last_seen FROM stores ORDER BY store_id",
        &[],
    );
    let stores: Vec<(String, String, NaiveDateTime, NaiveDateTime)> = stores
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        stores,
        [
            ("S_1".into(), "New name".into(), at(3, 9), at(4, 9)),
            ("S_2".into(), "Other".into(), at(3, 9), at(3, 9)),
        ]
    );
    let hourly = db.query("SELECT entering, passing, partial FROM flow_hourly", &[]);
    let hourly: Vec<(i64, i64, bool)> = hourly
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(hourly, [(7, 21, false)]);
}

#[test]
fn a_repeated_batch_gives_the_same_rows() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    let db = cluster.db();
    let both = |sink: &mut PostgresSink| {
        sink.write(hours_of("S_1", 48, 4)).expect("writes");
        sink.write(hours_of("S_2", 30, 6)).expect("writes");
        let daily = Rows::of(
            Stream::FlowDaily,
            [daily_row("S_1", 2, 96), daily_row("S_1", 3, 90)],
        );
        sink.write(Batch::new(daily, Vec::new())).expect("writes");
    };
    both(&mut sink);
    let once = (
        hourly_rows(&db),
        db.rows_as_text("flow_daily", &["store_id", "day"], &[]),
        marks_in(&db),
    );
    assert_eq!(once.0.len(), 78);
    assert_eq!(once.1.len(), 2);
    both(&mut sink);
    let twice = (
        hourly_rows(&db),
        db.rows_as_text("flow_daily", &["store_id", "day"], &[]),
        marks_in(&db),
    );
    assert_eq!(once, twice);
}

#[test]
fn a_key_given_twice_in_a_batch_keeps_its_last_row_and_mark() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    let twice = Rows::of(
        Stream::FlowHourly,
        [
            hourly_row("S_1", at(2, 10), 1, true),
            hourly_row("S_2", at(2, 10), 50, false),
            hourly_row("S_1", at(2, 10), 2, false),
        ],
    );
    let marks = vec![
        Mark::new(Stream::FlowHourly, "S_1", at(2, 10)),
        Mark::new(Stream::FlowHourly, "S_1", at(2, 11)),
    ];
    sink.write(Batch::new(twice, marks))
        .expect("a repeated key does not fail the batch");
    let db = cluster.db();
    let hourly = db.query(
        "SELECT store_id, entering, partial FROM flow_hourly ORDER BY store_id",
        &[],
    );
    let hourly: Vec<(String, i64, bool)> = hourly
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        hourly,
        [("S_1".into(), 2, false), ("S_2".into(), 50, false)]
    );
    let marks = sink.marks(Stream::FlowHourly).expect("reads");
    assert_eq!(marks, BTreeMap::from([("S_1".to_owned(), at(2, 11))]));
}

#[test]
fn marks_read_back_per_stream_and_move() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    assert!(sink.marks(Stream::FlowHourly).expect("reads").is_empty());
    let marks = vec![
        Mark::new(Stream::FlowHourly, "S_1", at(2, 13)),
        Mark::new(Stream::FlowHourly, "S_2", at(3, 0)),
        Mark::new(Stream::FlowDaily, "S_1", at(2, 0)),
    ];
    sink.write(Batch::new(Rows::new(Stream::FlowHourly), marks))
        .expect("writes");
    sink.write(Batch::new(
        Rows::new(Stream::FlowHourly),
        vec![Mark::new(Stream::FlowHourly, "S_1", at(4, 5))],
    ))
    .expect("writes");
    assert_eq!(
        sink.marks(Stream::FlowHourly).expect("reads"),
        BTreeMap::from([("S_1".to_owned(), at(4, 5)), ("S_2".to_owned(), at(3, 0))])
    );
    assert_eq!(
        sink.marks(Stream::FlowDaily).expect("reads"),
        BTreeMap::from([("S_1".to_owned(), at(2, 0))])
    );
    assert!(
        sink.marks(Stream::DemographicsDaily)
            .expect("reads")
            .is_empty()
    );
    // A new connection reads what the first one committed.
    let mut other = PostgresSink::connect(&cluster.url()).expect("connects");
    assert_eq!(other.marks(Stream::FlowDaily).expect("reads").len(), 1);
}

/// A raw answer the server refuses: PostgreSQL text cannot hold a NUL. It is written last,
/// after the rows and the marks of its batch.
fn refused_raw() -> RawAnswer {
    RawAnswer {
        run_id: 1,
        method: "open.passengerflow.getManyShopsPassengerIndicatorData".into(),
        params: "{}".into(),
        cid: None,
        received_at: at(20, 0),
        body: "[\u{0}]".into(),
    }
}

#[test]
fn a_failing_batch_writes_nothing_and_the_sink_goes_on() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    let db = cluster.db();

    // The stream's first batch fails, whole; the same batch without the refused answer
    // then goes through on the same connection.
    let mut first = Batch::new(
        Rows::of(Stream::FlowDaily, [daily_row("S_1", 2, 96)]),
        vec![Mark::new(Stream::FlowDaily, "S_1", at(3, 0))],
    );
    first.raw = vec![refused_raw()];
    let error = sink
        .write(first.clone())
        .expect_err("the server refuses the NUL");
    let shown = error.to_string();
    assert!(shown.starts_with("postgres://sync@"), "{shown}");
    assert!(
        shown.contains("cannot write") && shown.contains("22021"),
        "{shown}"
    );
    assert_eq!(db.query("SELECT 1 FROM flow_daily", &[]).len(), 0);
    assert!(sink.marks(Stream::FlowDaily).expect("reads").is_empty());
    first.raw.clear();
    sink.write(first)
        .expect("the same batch without the refused answer");
    assert_eq!(db.query("SELECT 1 FROM flow_daily", &[]).len(), 1);

    sink.write(hours_of("S_1", 24, 5)).expect("writes");
    let rows_before = hourly_rows(&db);
    let marks_before = marks_in(&db);
    let mut revision = hours_of("S_1", 30, 9);
    let more = hours_of("S_2", 10, 1);
    for row in more.rows.iter() {
        revision.rows.push(row.to_vec());
    }
    revision.marks.extend(more.marks);
    revision.raw = vec![refused_raw()];
    sink.write(revision.clone())
        .expect_err("the server refuses the NUL");
    assert_eq!(hourly_rows(&db), rows_before, "rows unchanged");
    assert_eq!(marks_in(&db), marks_before, "marks unchanged");
    assert_eq!(db.query("SELECT 1 FROM _opretail_raw", &[]).len(), 0);

    revision.raw.clear();
    sink.write(revision).expect("writes after a failed batch");
    assert_eq!(hourly_rows(&db).len(), 40);
    let marks = sink.marks(Stream::FlowHourly).expect("reads");
    assert_eq!(marks.get("S_1"), Some(&at(3, 6)));
    assert_eq!(marks.get("S_2"), Some(&at(2, 10)));
}

#[test]
fn raw_answers_are_kept() {
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    let mut with_raw = hours_of("S_1", 2, 5);
    let mut answer = refused_raw();
    answer.body = "[{\"passengerFlow\":5}]".into();
    answer.cid = Some("cid-1".into());
    with_raw.raw = vec![
        answer.clone(),
        RawAnswer {
            cid: None,
            ..answer
        },
    ];
    sink.write(with_raw).expect("writes");
    let raw = cluster.db().query(
        "SELECT run_id, method, cid, received_at, body FROM _opretail_raw ORDER BY cid NULLS LAST",
        &[],
    );
    let raw: Vec<(i64, String, Option<String>, NaiveDateTime, String)> = raw
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    let method = "open.passengerflow.getManyShopsPassengerIndicatorData".to_owned();
    let body = "[{\"passengerFlow\":5}]".to_owned();
    assert_eq!(
        raw,
        [
            (
                1,
                method.clone(),
                Some("cid-1".into()),
                at(20, 0),
                body.clone()
            ),
            (1, method, None, at(20, 0), body),
        ]
    );
}

#[test]
fn status_counts_rows_stores_and_marks_and_shows_the_last_run() {
    let cluster = Cluster::start();
    let mut sink = PostgresSink::connect(&cluster.url()).expect("connects");
    let empty = sink.status().expect("an empty database has a status");
    assert!(
        empty.streams.is_empty() && empty.last_run.is_none(),
        "{empty:?}"
    );

    let streams = [Stream::Stores, Stream::FlowHourly, Stream::FlowDaily];
    sink.start_run(&run_start(7, &streams)).expect("starts");
    sink.write(hours_of("S_1", 3, 5)).expect("writes");
    sink.write(hours_of("S_2", 2, 5)).expect("writes");
    let status = sink.status().expect("reads");
    let hourly = &status.streams[&Stream::FlowHourly];
    assert_eq!((hourly.rows, hourly.stores), (5, 2));
    assert_eq!(
        (hourly.oldest_mark, hourly.newest_mark),
        (Some(at(2, 2)), Some(at(2, 3)))
    );
    let daily = &status.streams[&Stream::FlowDaily];
    assert_eq!((daily.rows, daily.stores, daily.oldest_mark), (0, 0, None));
    assert!(!status.streams.contains_key(&Stream::Totals));
    let running = status.last_run.expect("a run");
    assert_eq!((running.run_id, running.started_at), (7, at(20, 1)));
    assert_eq!(
        (running.finished_at, running.outcome, running.rows),
        (None, None, None)
    );

    sink.finish_run(&RunEnd {
        run_id: 7,
        finished_at: at(20, 2),
        outcome: Outcome::SomeFailed,
        rows: 5,
        failed_stores: 1,
    })
    .expect("finishes");
    let ended = sink.status().expect("reads").last_run.expect("a run");
    assert_eq!(ended.finished_at, Some(at(20, 2)));
    assert_eq!(ended.outcome.as_deref(), Some("some_failed"));
    assert_eq!((ended.rows, ended.failed_stores), (Some(5), Some(1)));
}

#[test]
fn a_password_never_shows_and_errors_say_what_to_do() {
    let password = "pw-Sekr3t-7c1d";
    let cluster = Cluster::start_with_password(password);

    let wrong = PostgresSink::connect(&cluster.url_with_password("wrong-Sekr3t-9a2b"))
        .expect_err("a wrong password is refused");
    for shown in [wrong.to_string(), format!("{wrong:?}")] {
        assert!(!shown.contains("Sekr3t"), "{shown}");
        assert!(shown.contains("secretive:***@"), "{shown}");
        assert!(
            shown.contains("28P01") && shown.contains("check the user and password"),
            "{shown}"
        );
    }

    let mut sink = PostgresSink::connect(&cluster.url_with_password(password)).expect("connects");
    let shown = format!("{sink:?}");
    assert!(
        !shown.contains("Sekr3t") && shown.contains("secretive:***@"),
        "{shown}"
    );
    sink.start_run(&run_start(1, &[Stream::FlowHourly]))
        .expect("starts");
    let mut refused = hours_of("S_1", 1, 1);
    refused.raw = vec![refused_raw()];
    let error = sink.write(refused).expect_err("refused");
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(
            !shown.contains("Sekr3t") && shown.contains("***"),
            "{shown}"
        );
    }

    // No server on that socket: the error says to check that one runs.
    let nothing = cluster.url().replace(":5432/", ":1/");
    let error = PostgresSink::connect(&nothing)
        .expect_err("nothing listens")
        .to_string();
    assert!(
        error.contains("check that the server is running"),
        "{error}"
    );
    let missing = cluster.url().replace("/footfall", "/nowhere");
    let error = PostgresSink::connect(&missing)
        .expect_err("no such database")
        .to_string();
    assert!(
        error.contains("3D000") && error.contains("createdb"),
        "{error}"
    );
}

#[test]
fn a_sync_fills_every_store_and_a_second_run_gives_the_same_complete_rows() {
    use opretail::{Config, Credentials, Gateway, LoginMethod, TokenSource};
    use opretail_sandbox::{
        DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_STORE_COUNT, DEMO_USER,
    };

    let cluster = Cluster::start();
    let sandbox = opretail_sandbox::Sandbox::builder()
        .start_blocking()
        .expect("the sandbox starts");
    let config = Config::builder()
        .endpoint(sandbox.url())
        .build()
        .expect("a configuration");
    let credentials = Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).expect("credentials");
    let login = TokenSource::login(
        DEMO_USER,
        DEMO_PASSWORD,
        LoginMethod::for_gateway(Gateway::Classic),
    )
    .expect("a login");
    let client = opretail::Client::new(credentials, config)
        .expect("a client")
        .with_token_source(login);
    let since = Utc::now().date_naive() - TimeDelta::days(1);
    let engine = Engine::new(client, SyncOptions::default().since(since));
    let target: Target = cluster.url().parse().expect("a target");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let db = cluster.db();
    let complete = |db: &Db| {
        let hourly = db.rows_as_text(
            "(SELECT * FROM flow_hourly WHERE NOT partial)",
            &["store_id", "bucket_start"],
            &["fetched_at"],
        );
        let daily = db.rows_as_text(
            "(SELECT * FROM flow_daily WHERE NOT partial)",
            &["store_id", "day"],
            &["fetched_at"],
        );
        (hourly, daily)
    };
    let count = |sql: &str| -> i64 { db.query(sql, &[])[0].get(0) };

    let first = runtime
        .block_on(engine.run(target.open().expect("opens"), |_| {}))
        .expect("the first run");
    assert_eq!(first.outcome, Outcome::Complete, "{:?}", first.failures);
    let stores = DEMO_STORE_COUNT as i64;
    assert_eq!(count("SELECT count(*) FROM stores"), stores);
    assert_eq!(
        count("SELECT count(DISTINCT store_id) FROM flow_hourly"),
        stores
    );
    assert_eq!(
        count("SELECT count(DISTINCT store_id) FROM flow_daily"),
        stores
    );
    assert_eq!(count("SELECT count(*) FROM _opretail_state"), 2 * stores);
    let written = count(
        "SELECT (SELECT count(*) FROM stores) + (SELECT count(*) FROM flow_hourly) \
         + (SELECT count(*) FROM flow_daily)",
    );
    assert_eq!(first.rows, written as u64, "every row written once");
    let (hourly, daily) = complete(&db);
    assert!(
        hourly.len() >= 24 * DEMO_STORE_COUNT,
        "a whole day per store"
    );
    assert!(daily.len() >= DEMO_STORE_COUNT, "a whole day per store");

    let second = runtime
        .block_on(engine.run(target.open().expect("opens"), |_| {}))
        .expect("the second run");
    assert_eq!(second.outcome, Outcome::Complete, "{:?}", second.failures);
    let (hourly_again, daily_again) = complete(&db);
    // An hour may have ended between the runs, and the lookback reaches before the first
    // run's start: rows may be added, but what was complete stays exactly as it was.
    let again: BTreeSet<&String> = hourly_again.iter().collect();
    let missing: Vec<&String> = hourly.iter().filter(|r| !again.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "complete rows changed: {:?}",
        &missing[..missing.len().min(3)]
    );
    let again: BTreeSet<&String> = daily_again.iter().collect();
    assert!(
        daily.iter().all(|r| again.contains(r)),
        "complete days changed"
    );
    assert_eq!(count("SELECT count(*) FROM stores"), stores);

    let mut sink = target.open().expect("opens");
    let status = sink.status().expect("reads");
    let last = status.last_run.expect("a run");
    assert_eq!(
        (last.run_id, last.outcome.as_deref()),
        (second.run_id, Some("complete"))
    );
    assert_eq!(
        status.streams[&Stream::FlowHourly].stores,
        DEMO_STORE_COUNT as u64
    );
}

#[test]
fn rows_read_back_for_reports_with_their_store_names() {
    use opretail_sync::read::FlowTable;
    let cluster = Cluster::start();
    let mut sink = started_sink(&cluster);
    sink.write(Batch::new(
        Rows::of(Stream::Stores, [store_row("S_1", "<b>One</b>", at(20, 0))]),
        vec![],
    ))
    .expect("stores");
    sink.write(hours_of("S_1", 3, 5)).expect("hours");
    sink.write(hours_of("S_2", 2, 7)).expect("hours");
    sink.write(Batch::new(
        Rows::of(
            Stream::FlowDaily,
            [
                daily_row("S_1", 1, 40),
                daily_row("S_1", 2, 15),
                daily_row("S_1", 3, 9),
            ],
        ),
        vec![],
    ))
    .expect("days");

    // The 2nd only: the day's hours, ordered by store and time, names where known.
    let day = at(2, 0).date();
    let hours = sink.read_flow(FlowTable::Hourly, day, day).expect("hours");
    let shown: Vec<(String, Option<String>, NaiveDateTime, Option<i64>)> = hours
        .iter()
        .map(|r| (r.store_id.clone(), r.name.clone(), r.start, r.entering))
        .collect();
    let one = Some("<b>One</b>".to_owned());
    assert_eq!(
        shown,
        vec![
            ("S_1".into(), one.clone(), at(2, 0), Some(5)),
            ("S_1".into(), one.clone(), at(2, 1), Some(5)),
            ("S_1".into(), one.clone(), at(2, 2), Some(5)),
            ("S_2".into(), None, at(2, 0), Some(7)),
            ("S_2".into(), None, at(2, 1), Some(7)),
        ]
    );
    assert_eq!((hours[0].passing, hours[0].partial), (Some(15), false));
    let days = sink
        .read_flow(FlowTable::Daily, at(2, 0).date(), at(3, 0).date())
        .expect("days");
    let entering: Vec<(NaiveDateTime, Option<i64>)> =
        days.iter().map(|r| (r.start, r.entering)).collect();
    assert_eq!(entering, vec![(at(2, 0), Some(15)), (at(3, 0), Some(9))]);
    assert!(
        sink.read_demographics(day, day)
            .expect("none yet")
            .is_empty()
    );
}

#[test]
fn reading_a_table_that_was_never_synced_says_how_to_fill_it() {
    let cluster = Cluster::start();
    let mut sink = PostgresSink::connect(&cluster.url()).expect("connects");
    let day = at(2, 0).date();
    let error = sink
        .read_flow(opretail_sync::read::FlowTable::Daily, day, day)
        .expect_err("no table")
        .to_string();
    assert!(
        error.contains("opretail sync --to") && error.contains("flow_daily"),
        "{error}"
    );
}
