//! The listing commands (`stores`, `passenger-flow series`, `demographics`) through the binary:
//! what a period means, what is checked before anything is sent, and output that stays valid
//! whatever the gateway does and whenever the command is stopped.

mod common;
mod stub;

use std::time::Duration;

use common::{Output, json, words};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID};
use serde_json::{Value, json};
use stub::{Reply, Stub};

/// The binary, isolated, with `args`; the secret and a token come from the environment so
/// that a stand-in gateway needs no login.
fn run(args: &[&str]) -> Output {
    let mut command = common::isolated_command("opretail-cli-listings-empty-home");
    command
        .env("OPRETAIL_ASID", DEFAULT_ASID)
        .env("OPRETAIL_TOKEN", "tok-listings")
        .timeout(Duration::from_secs(120))
        .args(args);
    common::output(&mut command)
}

/// `--endpoint URL --akey KEY` then `rest`.
fn at<'a>(stub: &'a Stub, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--endpoint", stub.url(), "--akey", DEFAULT_AKEY];
    args.extend_from_slice(rest);
    args
}

/// The rows of a JSON array on stdout.
fn rows(out: &Output) -> Vec<Value> {
    json(&out.stdout).as_array().expect("an array").clone()
}

/// `--sandbox passenger-flow series --id S_1001` with `period` and JSON output.
fn sandbox_series(period: &[&str]) -> Output {
    let mut args = vec!["--sandbox", "passenger-flow", "series", "--id", "S_1001"];
    args.extend_from_slice(period);
    args.extend(["--output", "json"]);
    run(&args)
}

fn buckets(out: &Output) -> Vec<String> {
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    rows(out)
        .iter()
        .map(|r| r["bucket"].as_str().expect("a bucket").to_owned())
        .collect()
}

// ----- periods --------------------------------------------------------------------------------

#[test]
fn times_in_from_and_to_make_one_continuous_span() {
    let times = buckets(&sandbox_series(&[
        "--from",
        "2026-11-01T10:00",
        "--to",
        "2026-11-03T18:00",
        "--by",
        "hour",
    ]));
    // 10:00-24:00 on the 1st, the whole 2nd, 00:00-18:00 on the 3rd.
    assert_eq!(times.len(), 14 + 24 + 18, "{times:?}");
    assert_eq!(times[0], "2026-11-01 10:00:00");
    assert_eq!(times[14], "2026-11-02 00:00:00");
    assert_eq!(
        times.last().map(String::as_str),
        Some("2026-11-03 17:00:00")
    );
    assert!(times.windows(2).all(|w| w[0] < w[1]), "not in time order");
}

#[test]
fn hours_filter_the_same_hours_on_every_day() {
    let times = buckets(&sandbox_series(&[
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-03",
        "--hours",
        "10-18",
    ]));
    assert_eq!(times.len(), 3 * 8, "{times:?}");
    assert!(
        times.iter().all(|t| ("10".."18").contains(&&t[11..13])),
        "{times:?}"
    );
}

#[test]
fn minutes_and_empty_spans_are_usage_errors() {
    let out = sandbox_series(&["--from", "2026-11-01T10:30", "--to", "2026-11-01T18:00"]);
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not on the hour"), "{}", out.stderr);
    assert!(out.stderr.contains("2026-11-01T10:00"), "{}", out.stderr);
    let out = sandbox_series(&[
        "--from",
        "2026-11-01T19:00",
        "--to",
        "2026-11-01T22:00",
        "--hours",
        "10-18",
    ]);
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("no hour"), "{}", out.stderr);
}

// ----- checked before anything is sent --------------------------------------------------------

/// A stand-in that answers every request with an empty success, and counts them.
fn counting() -> Stub {
    Stub::start(|_, _| Reply::data(json!([])))
}

#[test]
fn ids_holding_separators_are_refused_before_anything_is_sent() {
    let stub = counting();
    for command in [
        "passenger-flow total",
        "passenger-flow series --from 2026-11-01 --to 2026-11-01",
    ] {
        for id in ["S_1001,S_1002", "S_1&x=1"] {
            let mut args = words(command);
            args.extend(["--id", id]);
            let out = run(&at(&stub, &args));
            assert_eq!(out.status, Some(2), "{id}: {}", out.stderr);
            assert!(out.stderr.contains("on its own"), "{}", out.stderr);
        }
    }
    assert!(stub.seen().is_empty(), "{:?}", stub.seen());
}

#[test]
fn a_tiny_or_huge_rate_is_a_usage_error() {
    for rate in ["1e-20", "1e-19", "0", "-1", "1e300", "NaN"] {
        let rate = format!("--rate={rate}");
        for command in [
            &["total"][..],
            &["series", "--from", "2026-11-01", "--to", "2026-11-01"],
        ] {
            let mut args = vec!["--sandbox", "passenger-flow"];
            args.extend_from_slice(command);
            args.extend(["--id", "S_1001", &rate]);
            let out = run(&args);
            assert_eq!(out.status, Some(2), "--rate {rate}: {}", out.stderr);
            assert!(out.stderr.contains("per second"), "{}", out.stderr);
        }
    }
}

#[test]
fn a_period_the_gateway_would_refuse_is_refused_before_any_request() {
    let cases = [
        (
            "passenger-flow demographics --id S_1001 --from 2026-10-01 --to 2026-11-15",
            "at most 31 days",
        ),
        // Too long even for one store: refused before the store list is fetched.
        (
            "passenger-flow series --all-stores --from 1980-01-01 --to 2026-01-01",
            "too long",
        ),
    ];
    let stub = counting();
    for (args, message) in cases {
        let out = run(&at(&stub, &words(args)));
        assert_eq!(out.status, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{}", out.stderr);
    }
    assert!(stub.seen().is_empty(), "{} requests", stub.seen().len());
}

// ----- what the answers lack ------------------------------------------------------------------

#[test]
fn a_store_that_no_answer_has_is_reported_and_fails_the_command() {
    let out = run(&words(
        "--sandbox passenger-flow series --id S_1001 --id S_999999 \
         --from 2026-11-01 --to 2026-11-01 --by day --output json",
    ));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let ids: Vec<Value> = rows(&out).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [json!("S_1001")]);
    assert!(
        out.stderr
            .contains("error: S_999999: no answer has a series"),
        "{}",
        out.stderr
    );
}

#[test]
fn every_listing_marks_its_json_rows_as_sandbox_data() {
    for args in [
        "stores",
        "passenger-flow series --id S_1001 --from 2026-11-01 --to 2026-11-01",
        "passenger-flow demographics --id S_1001 --from 2026-11-01 --to 2026-11-01",
    ] {
        let mut all = vec!["--sandbox"];
        all.extend(words(args));
        all.extend(["--output", "json"]);
        let out = run(&all);
        assert_eq!(out.status, Some(0), "{args:?}: {}", out.stderr);
        let rows = rows(&out);
        assert!(!rows.is_empty(), "{args:?}");
        assert!(
            rows.iter().all(|r| r["sandbox"] == true),
            "{args:?}: {rows:?}"
        );
    }
}

// ----- a broken or hostile store list ---------------------------------------------------------

/// A page of the store list: `stores` and the `total` announced.
fn page(total: u64, stores: Vec<Value>) -> Reply {
    Reply::data(json!({"total": total, "rows": stores}))
}

fn store(n: u64) -> Value {
    json!({"id": n.to_string(), "name": format!("Store {n}")})
}

fn page_number(form: &std::collections::HashMap<String, String>) -> u64 {
    form.get("pageNumber")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[test]
fn a_failed_page_closes_the_json_of_stores() {
    let stub = Stub::start(|form, _| match page_number(form) {
        1 => page(300, (1..=100).map(store).collect()),
        _ => Reply::error(-500, "SERVICE_ERROR", "the list broke", "c1"),
    });
    let out = run(&at(&stub, &["stores", "--output", "json"]));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_eq!(rows(&out).len(), 100, "the first page, in a closed array");
    assert!(
        out.stderr.contains("the store list failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_store_list_of_empty_or_repeating_pages_stops_early() {
    let empty = Stub::start(|_, _| page(999_999_999, vec![json!({}); 100]));
    let repeating = Stub::start(|_, _| page(999_999_999, (1..=100).map(store).collect()));
    for (stub, why) in [
        (&empty, "none has an id or a name"),
        (&repeating, "again: its pages repeat"),
    ] {
        for args in [
            "stores --output json",
            "passenger-flow total --all-stores --output json",
        ] {
            let out = run(&at(stub, &words(args)));
            assert_eq!(out.status, Some(1), "{args:?}: {}", out.stderr);
            assert!(out.stderr.contains(why), "{}", out.stderr);
            json(&out.stdout);
        }
    }
    assert!(empty.seen().len() <= 4, "{} pages", empty.seen().len());
    assert!(
        repeating.seen().len() <= 4,
        "{} pages",
        repeating.seen().len()
    );
}

// ----- signals ----------------------------------------------------------------------------------

/// Runs `args` against `stub`, waits for the first row on stdout, sends SIGTERM, and gives
/// the status and the whole stdout.
#[cfg(unix)]
fn terminated_after_the_first_row(stub: &Stub, args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    terminated_after(stub, args, |stdout| {
        let mut seen = String::new();
        // A row is not a whole line until the next one comes: read what there is.
        while !seen.contains("\n  {") {
            let mut buffer = [0u8; 4096];
            let n = stdout.read(&mut buffer).expect("stdout");
            assert!(n > 0, "stdout ended before the first row: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
        seen
    })
}

/// Runs `args` against `stub`, lets `wait` wait for the moment to stop it (giving what it
/// read of stdout), sends SIGTERM, and gives the status and the whole stdout.
#[cfg(unix)]
fn terminated_after(
    stub: &Stub,
    args: &[&str],
    wait: impl FnOnce(&mut std::process::ChildStdout) -> String,
) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::Stdio;

    let mut command = common::isolated(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("opretail")),
        "opretail-cli-listings-empty-home",
    );
    let mut child = command
        .args(at(stub, args))
        .env("OPRETAIL_ASID", DEFAULT_ASID)
        .env("OPRETAIL_TOKEN", "tok-listings")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the command starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut seen = wait(&mut stdout);
    common::kill("-TERM", child.id());
    stdout
        .read_to_string(&mut seen)
        .expect("the rest of stdout");
    let status = child.wait().expect("the command ends");
    (status.code(), seen)
}

#[cfg(unix)]
#[test]
fn sigterm_closes_the_json_of_every_listing() {
    let hang = || Reply::data(json!([])).after(Duration::from_secs(60));
    // The store list: the first page at once, the second never.
    let stores = Stub::start(move |form, _| match page_number(form) {
        1 => page(300, (1..=100).map(store).collect()),
        _ => hang(),
    });
    let (status, stdout) = terminated_after_the_first_row(&stores, &["stores", "--output", "json"]);
    assert_eq!(status, Some(143));
    // Rows are written as they come: the signal may cut the first page short.
    let written = json(&stdout).as_array().map_or(0, Vec::len);
    assert!((1..=100).contains(&written), "{written} rows");

    // `total --all-stores`, stopped while the store list is read: an empty, closed array.
    let list = Stub::start(move |form, _| match page_number(form) {
        1 => page(300, (1..=100).map(store).collect()),
        _ => hang(),
    });
    let (status, stdout) = terminated_after(
        &list,
        &words("passenger-flow total --all-stores --output json"),
        |_| {
            // The first page is answered once the signals are listened for: poll the stand-in.
            while list.seen().is_empty() {
                std::thread::sleep(Duration::from_millis(10));
            }
            String::new()
        },
    );
    assert_eq!(status, Some(143));
    assert_eq!(json(&stdout), json!([]));

    // The series: the first chunk of 20 stores at once, the second never.
    let series = Stub::start(move |form, _| {
        let ids: Vec<&str> = form
            .get("id")
            .map_or(vec![], |ids| ids.split(',').collect());
        if ids.contains(&"S_1021") {
            return hang();
        }
        let shops: Vec<Value> = ids
            .iter()
            .map(|id| {
                json!({"name": id, "depId": &id[2..], "dataList": [
                    {"time": "2026-11-01 00:00:00", "passengerFlow": 1}
                ]})
            })
            .collect();
        Reply::data(Value::Array(shops))
    });
    let mut args = words("passenger-flow series --from 2026-11-01 --to 2026-11-01");
    let ids: Vec<String> = (1001..=1021).map(|n| format!("S_{n}")).collect();
    for id in &ids {
        args.extend(["--id", id]);
    }
    args.extend(["--by", "day", "--output", "json"]);
    let (status, stdout) = terminated_after_the_first_row(&series, &args);
    assert_eq!(status, Some(143));
    assert_eq!(json(&stdout).as_array().map(Vec::len), Some(20));

    // Demographics: the first store at once, the second never.
    let demographics = Stub::start(move |form, _| {
        if form.get("id").map(String::as_str) == Some("S_2") {
            return hang();
        }
        Reply::data(
            json!({"genderDistribution": [{"gender": 1, "peopleNum": 5, "percentage": 100}]}),
        )
    });
    let (status, stdout) = terminated_after_the_first_row(
        &demographics,
        &words(
            "passenger-flow demographics --id S_1 --id S_2 \
             --from 2026-11-01 --to 2026-11-01 --output json",
        ),
    );
    assert_eq!(status, Some(143));
    assert_eq!(json(&stdout).as_array().map(Vec::len), Some(1));
}

// ----- the second name of the flow method ------------------------------------------------------

#[test]
fn flow_method_customerflow_sends_the_other_name_and_gives_the_same_rows() {
    let period = [
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-02",
        "--hours",
        "9-18",
    ];
    let default = sandbox_series(&period);
    let mut with_flag = period.to_vec();
    with_flag.extend(["--flow-method", "customerflow"]);
    let customer = sandbox_series(&with_flag);
    assert_eq!(buckets(&default).len(), 2 * 9);
    assert_eq!(customer.status, Some(0), "{}", customer.stderr);
    assert_eq!(rows(&customer), rows(&default));

    // What goes on the wire: a stand-in that knows no store (the command fails, which is
    // beside the point here) shows the name and the hours' spelling.
    let stub = Stub::start(|_, _| Reply::data(json!([])));
    let mut args = vec!["passenger-flow", "series", "--id", "S_1001"];
    args.extend(with_flag);
    run(&at(&stub, &args));
    let seen = stub.seen();
    assert_eq!(seen.len(), 1);
    let form = &seen[0].form;
    assert_eq!(
        form["_mt"],
        "open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData"
    );
    assert_eq!(
        (form["starthour"].as_str(), form["endhour"].as_str()),
        ("9", "18")
    );
    assert!(!form.contains_key("startHour"), "{form:?}");
}
