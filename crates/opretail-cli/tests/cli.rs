//! The `opretail` binary, run as a user runs it, against the embedded sandbox or one started
//! here on loopback.
//!
//! Every run goes through [`run`], which puts a known secret in `OPRETAIL_ASID` and asserts
//! that no secret of the test appears in stdout or stderr.

use std::path::{Path, PathBuf};

mod common;

use common::{Exited, json, words};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, Fault, FaultPlan, Sandbox};
use serde_json::Value;

/// Present in the environment of every run; must never be printed.
const ENV_SECRET: &str = "env-secret-never-shown-7f3a";
/// A wrong secret passed on the command line; must never be printed either.
const FLAG_SECRET: &str = "flag-secret-never-shown-91c2";

fn run(args: &[&str]) -> Exited {
    run_with(args, &[], None)
}

fn run_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Exited {
    let mut cmd = common::isolated_command("opretail-cli-tests-empty-home");
    cmd.env("OPRETAIL_ASID", ENV_SECRET);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = common::exited(cmd.args(args));
    for secret in [ENV_SECRET, FLAG_SECRET] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "a secret leaked in the output of {args:?}:\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
    out
}

// ----- help snapshots -------------------------------------------------------------------

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares with `tests/snapshots/NAME.txt`; `UPDATE_SNAPSHOTS=1` rewrites the file.
fn assert_snapshot(name: &str, actual: &str) {
    let path = snapshot_dir().join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        expected, actual,
        "help of {name} changed; run with UPDATE_SNAPSHOTS=1 if that is intended"
    );
}

#[test]
fn help_of_every_command_matches_its_snapshot() {
    let commands: [(&str, &[&str]); 22] = [
        ("opretail", &[]),
        ("passenger-flow", &["passenger-flow"]),
        ("passenger-flow-total", &["passenger-flow", "total"]),
        ("passenger-flow-series", &["passenger-flow", "series"]),
        (
            "passenger-flow-demographics",
            &["passenger-flow", "demographics"],
        ),
        ("stores", &["stores"]),
        ("sync", &["sync"]),
        ("sync-status", &["sync", "status"]),
        ("discover", &["discover"]),
        ("login", &["login"]),
        ("logout", &["logout"]),
        ("call", &["call"]),
        ("sign", &["sign"]),
        ("sandbox", &["sandbox"]),
        ("codes", &["codes"]),
        ("doctor", &["doctor"]),
        ("devices", &["devices"]),
        ("report", &["report"]),
        ("completions", &["completions"]),
        ("sales", &["sales"]),
        ("sales-upload", &["sales", "upload"]),
        ("help-short", &["-h"]),
    ];
    for (name, path) in commands {
        let mut args = path.to_vec();
        if name != "help-short" {
            args.push("--help");
        }
        let out = run(&args);
        assert_eq!(out.status, 0, "{name}: {}", out.stderr);
        assert_snapshot(name, &out.stdout);
    }
}

#[test]
fn the_secret_is_not_shown_by_help_even_when_set() {
    for args in [&["--help"][..], &["sign", "--help"], &["sandbox", "--help"]] {
        let out = run_with(args, &[("OPRETAIL_SANDBOX_ASID", ENV_SECRET)], None);
        assert_eq!(out.status, 0);
        assert!(out.stdout.contains("ASID"));
    }
}

// ----- passenger-flow total against the embedded sandbox ----------------------------------

const TWO: [&str; 7] = [
    "--sandbox",
    "passenger-flow",
    "total",
    "--id",
    "S_1001",
    "--id",
    "O_42",
];

fn total(format: &str) -> Exited {
    let mut args = TWO.to_vec();
    args.extend(["--output", format]);
    run(&args)
}

#[test]
fn every_sign_method_works_against_the_sandbox() {
    let mut rows = Vec::new();
    for method in ["md5", "sha1", "sha256"] {
        let mut args = vec!["--sign-method", method];
        args.extend(TWO);
        args.extend(["--output", "json"]);
        let out = run(&args);
        assert_eq!(out.status, 0, "{method}: {}", out.stderr);
        rows.push(json(&out.stdout).as_array().expect("rows").len());
    }
    assert_eq!(rows, [2, 2, 2]);
}

#[test]
fn sandbox_table() {
    let out = total("table");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0].starts_with("ID") && lines[0].contains("DAY") && lines[0].contains("ENTER"));
    assert!(lines[1].starts_with("S_1001") && lines[1].contains('%'));
    assert!(lines[2].starts_with("O_42"));
    assert!(out.stderr.contains("sandbox data"), "{}", out.stderr);
}

#[test]
fn sandbox_json() {
    let out = total("json");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let array = json(&out.stdout);
    let array = array.as_array().expect("an array");
    assert_eq!(array.len(), 2);
    for (element, id) in array.iter().zip(["S_1001", "O_42"]) {
        assert_eq!(element["id"], id);
        assert_eq!(element["ok"], true);
        assert_eq!(element["sandbox"], true);
        assert!(element["data"]["day_flow"].is_u64(), "{element}");
        assert!(element["data"]["month_flow"].as_u64() >= element["data"]["day_flow"].as_u64());
        assert!(element["data"]["enter_rate"].is_number());
    }
}

#[test]
fn sandbox_ndjson() {
    let out = total("ndjson");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let lines: Vec<Value> = out.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    // Lines come as the calls finish: each carries its id.
    let mut ids: Vec<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["O_42", "S_1001"]);
    assert!(
        lines
            .iter()
            .all(|l| l["ok"] == true && l["sandbox"] == true)
    );
}

#[test]
fn sandbox_csv_with_units() {
    let mut args = TWO.to_vec();
    args.extend(["--output", "csv", "--with-units"]);
    let out = run(&args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("id,ok,day_flow,week_flow,month_flow,total_sale"));
    assert!(lines[1].starts_with("S_1001,true,"));
    assert!(
        lines[1].contains('%') && lines[1].contains('人'),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("O_42,true,"));
    assert!(out.stderr.contains("sandbox data"));
}

#[test]
fn default_output_off_a_terminal_is_json() {
    let out = run(&TWO);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(json(&out.stdout).as_array().map(Vec::len), Some(2));
}

#[test]
fn a_thousand_ids_from_a_file_come_back_in_input_order() {
    // Interleaved stores and enterprises, not sorted, so any reordering shows.
    let ids: Vec<String> = (0..1000)
        .map(|i| {
            let n = (i * 7919) % 1000 + 1;
            if i % 3 == 0 {
                format!("O_{n}")
            } else {
                format!("S_{n}")
            }
        })
        .collect();
    let file = common::temp_file("thousand-ids.txt", &(ids.join("\n") + "\n"));
    let file = file.to_str().expect("UTF-8 path");
    let out = run(&[
        "--sandbox",
        "passenger-flow",
        "total",
        "--ids-file",
        file,
        "--concurrency",
        "32",
        "--output",
        "json",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let array = json(&out.stdout);
    let array = array.as_array().expect("an array");
    assert_eq!(array.len(), 1000);
    for (element, id) in array.iter().zip(&ids) {
        assert_eq!(element["id"], id.as_str());
        assert_eq!(element["ok"], true, "{element}");
    }
}

#[test]
fn ids_from_stdin_and_flags_are_combined_in_order() {
    let out = run_with(
        &words("--sandbox passenger-flow total --id S_1 --ids-file - --output json"),
        &[],
        Some("# a comment\nO_2\n\nS_3\n"),
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(common::ids_in(&out.stdout), ["S_1", "O_2", "S_3"]);
}

// ----- failures -------------------------------------------------------------------------

#[test]
fn a_bad_id_is_a_usage_error_before_any_call() {
    let out = run(&words("--sandbox passenger-flow total --id S_1 --id X_9"));
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("X_9"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    let file = common::temp_file("bad-ids.txt", "S_1\nS_2\nnot-an-id\n");
    let out = run(&[
        "--sandbox",
        "passenger-flow",
        "total",
        "--ids-file",
        file.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("line 3") && out.stderr.contains("not-an-id"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_mixed_list_gives_one_result_per_id_and_exit_1() {
    // One call at a time, so the scripted faults hit the ids in order: the first is answered,
    // the second gets a business error, the third a bad signature, the fourth is answered.
    for format in ["json", "table"] {
        let sandbox = Sandbox::builder()
            .faults(FaultPlan::script([
                Fault::Delay(std::time::Duration::from_millis(1)),
                Fault::Gateway(opretail_sandbox::ID_ILLEGAL),
                Fault::Gateway(7),
            ]))
            .start_blocking()
            .expect("sandbox starts");
        let out = run(&[
            &common::gateway(sandbox.url())[..],
            &words("passenger-flow total --concurrency 1 --id S_1 --id S_2 --id S_3 --id O_4"),
            &["--output", format],
        ]
        .concat());
        assert_eq!(out.status, 1, "{}", out.stderr);
        assert!(out.stderr.contains("2 of 4 ids failed"), "{}", out.stderr);
        if format == "table" {
            let lines: Vec<&str> = out.stdout.lines().collect();
            assert_eq!(lines.len(), 5);
            assert!(
                lines[1].starts_with("S_1") && lines[1].contains('%'),
                "{}",
                out.stdout
            );
            assert!(lines[2].contains("failed") && lines[2].contains("4001"));
            assert!(lines[3].contains("failed: SIGN_WRONG (7)"));
            assert!(lines[4].starts_with("O_4") && lines[4].contains('%'));
            sandbox.shutdown_blocking();
            continue;
        }
        let array = json(&out.stdout);
        let array = array.as_array().expect("an array");
        let ids: Vec<&str> = array.iter().filter_map(|e| e["id"].as_str()).collect();
        assert_eq!(ids, ["S_1", "S_2", "S_3", "O_4"]);
        assert_eq!(array[0]["ok"], true);
        assert_eq!(array[1]["ok"], false);
        assert_eq!(array[1]["error"]["code"], opretail_sandbox::ID_ILLEGAL);
        assert!(array[1]["error"]["cid"].is_string());
        assert_eq!(array[2]["error"]["name"], "SIGN_WRONG");
        assert_eq!(array[2]["error"]["code"], 7);
        assert_eq!(array[3]["ok"], true);
        assert!(array.iter().all(|e| e.get("sandbox").is_none()));
        // Each failure is reported on stderr with its remedy.
        assert!(out.stderr.contains("S_3: SIGN_WRONG (7)") && out.stderr.contains("what to do"));
        sandbox.shutdown_blocking();
    }
}

#[test]
fn a_wrong_asid_gives_sign_wrong_per_id_with_the_remedy() {
    let out = run(&[
        &["-vv", "--sandbox", "--asid", FLAG_SECRET][..],
        &words("passenger-flow total --id S_1001 --id O_42 --output ndjson"),
    ]
    .concat());
    assert_eq!(out.status, 1);
    let lines: Vec<Value> = out.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(line["ok"], false);
        assert_eq!(line["error"]["name"], "SIGN_WRONG");
        assert!(line["error"]["cid"].is_string());
        assert!(
            line["error"]["remedy"]
                .as_str()
                .is_some_and(|r| r.contains("sign --explain"))
        );
    }
    assert!(out.stderr.contains("SIGN_WRONG"));

    // Everything logged at the most verbose level, the secret still nowhere (checked by `run`).
    let out = run(&[
        "-vvv",
        "--sandbox",
        "--asid",
        FLAG_SECRET,
        "call",
        "open.sandbox.echo",
        "a=1",
    ]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("TRACE") && out.stderr.contains("SIGN_WRONG"));
}

#[test]
fn call_prints_data_or_the_gateway_error() {
    let out = run(&words("-vv --sandbox call open.sandbox.echo a=1 b=x=y"));
    assert_eq!(out.status, 0, "{}", out.stderr);
    let data = json(&out.stdout);
    assert_eq!(data["a"], "1");
    assert_eq!(data["b"], "x=y");

    let out = run(&["--sandbox", "call", "open.no.such.method"]);
    assert_eq!(out.status, 1);
    assert!(out.stdout.is_empty());
    for part in ["METHOD_NOTEXIST_CODE", "(9)", "cid", "what to do"] {
        assert!(out.stderr.contains(part), "{part} missing: {}", out.stderr);
    }
}

#[test]
fn transport_errors_say_what_failed_and_where() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/m.api");
    let out = run(&[
        &["--endpoint", &url, "--akey", "k"][..],
        &words("passenger-flow total --id S_1 --output json"),
    ]
    .concat());
    assert_eq!(out.status, 1);
    let array = json(&out.stdout);
    assert_eq!(array[0]["error"]["name"], "TRANSPORT_CONNECT");
    assert!(
        out.stderr.contains("connect") && out.stderr.contains(&url),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_say_what_to_set() {
    let out = run(&["--endpoint", "ftp://x/m.api", "--akey", "k", "call", "m"]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("http"));

    let out = run_with(
        &["passenger-flow", "total", "--id", "S_1"],
        &[("OPRETAIL_ASID", "")],
        None,
    );
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("--akey") && out.stderr.contains("OPRETAIL_AKEY"));

    let out = run(&["--sandbox", "--endpoint", "http://x/m.api", "codes"]);
    assert_eq!(out.status, 2);

    let out = run(&["passenger-flow", "total"]);
    assert_eq!(out.status, 2);
}

// ----- settings: flag, then environment, then file ----------------------------------------

#[cfg(unix)]
#[test]
fn settings_come_from_flag_then_environment_then_file() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let config = common::temp_file(
        "config.toml",
        &format!(
            "endpoint = \"{}\"\nakey = \"{DEFAULT_AKEY}\"\nasid = \"{FLAG_SECRET}\"\n",
            sandbox.url()
        ),
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let config = config.to_str().expect("UTF-8 path");
    // A value of its own per run: the runs are separate processes, and two identical calls in
    // one second would carry one signature, which the sandbox refuses as a replay.
    let mut run_number = 0;
    let mut echo = || {
        run_number += 1;
        [
            "call".to_owned(),
            "open.sandbox.echo".to_owned(),
            format!("k={run_number}"),
        ]
    };

    // The file's secret is wrong, the environment's is right: the environment wins.
    let echo_args = echo();
    let mut args = vec!["--config", config];
    args.extend(echo_args.iter().map(String::as_str));
    let out = run_with(&args, &[("OPRETAIL_ASID", DEFAULT_ASID)], None);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("other users can read it"),
        "{}",
        out.stderr
    );

    // The flag beats the environment.
    let echo_args = echo();
    let mut args = vec!["--config", config, "--asid", "also-wrong"];
    args.extend(echo_args.iter().map(String::as_str));
    let out = run_with(&args, &[("OPRETAIL_ASID", DEFAULT_ASID)], None);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("SIGN_WRONG"));

    // Only the file: its wrong secret is used.
    let echo_args = echo();
    let mut args = vec!["--config", config];
    args.extend(echo_args.iter().map(String::as_str));
    let out = run_with(&args, &[("OPRETAIL_ASID", "")], None);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("SIGN_WRONG"));

    // A private file draws no warning.
    std::fs::set_permissions(config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let echo_args = echo();
    let mut args = vec!["--config", config];
    args.extend(echo_args.iter().map(String::as_str));
    let out = run_with(&args, &[("OPRETAIL_ASID", DEFAULT_ASID)], None);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("other users"));
    sandbox.shutdown_blocking();
}

#[test]
fn a_broken_config_file_is_named_without_quoting_it() {
    for (name, text, line) in [
        (
            "broken.toml",
            format!("asid = \"{FLAG_SECRET}\nakey = 1\n"),
            "line",
        ),
        (
            "duplicate.toml",
            format!("akey = \"k\"\nasid = \"{FLAG_SECRET}\"\n\nakey = \"k2\"\n"),
            "line 4: duplicate key",
        ),
    ] {
        let config = common::temp_file(name, &text);
        let out = run(&[
            "--config",
            config.to_str().expect("UTF-8 path"),
            "call",
            "m",
        ]);
        assert_eq!(out.status, 2);
        assert!(
            out.stderr.contains(name) && out.stderr.contains(line),
            "{}",
            out.stderr
        );
    }
}

// ----- sign, codes, completions -----------------------------------------------------------

#[derive(serde::Deserialize)]
struct Vectors {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    secret: String,
    method: String,
    params: serde_json::Map<String, Value>,
    sig: String,
}

#[test]
fn sign_reproduces_every_signing_vector() {
    let vectors: Vectors = serde_json::from_str(include_str!(
        "../../opretail-sign/tests/data/signing-vectors.json"
    ))
    .expect("the vectors are JSON");
    assert!(vectors.cases.len() >= 7);
    for case in &vectors.cases {
        let pairs: Vec<String> = case
            .params
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().expect("string values")))
            .collect();
        let mut args = vec![
            "sign",
            "--asid",
            &case.secret,
            "--sign-method",
            &case.method,
        ];
        args.extend(pairs.iter().map(String::as_str));
        let out = run(&args);
        assert_eq!(out.status, 0, "{}: {}", case.name, out.stderr);
        assert_eq!(out.stdout, format!("{}\n", case.sig), "case {}", case.name);
        assert!(out.stderr.is_empty());

        // A `_sig` pair is ignored; --explain adds the masked canonical string on stderr only.
        args.extend(["_sig=0123", "--explain"]);
        let out = run(&args);
        assert_eq!(out.stdout, format!("{}\n", case.sig), "case {}", case.name);
        assert!(out.stderr.contains("<secret>"), "{}", out.stderr);
        let canonical = out.stderr.lines().nth(1).unwrap_or_default();
        assert!(
            !canonical.contains(&case.secret),
            "case {}: {canonical}",
            case.name
        );
    }
}

#[test]
fn sign_takes_the_secret_from_the_environment() {
    let out = run_with(&["sign", "a=1"], &[("OPRETAIL_ASID", "test")], None);
    assert_eq!(out.status, 0);
    let flag = run(&["sign", "--asid", "test", "a=1"]);
    assert_eq!(out.stdout, flag.stdout);
    assert_eq!(out.stdout.trim().len(), 32);
    let sha1 = run(&["sign", "--asid", "test", "--sign-method", "sha1", "a=1"]);
    assert_eq!(sha1.stdout.trim().len(), 40);
    let sha256 = run(&["sign", "--asid", "test", "--sign-method", "sha256", "a=1"]);
    assert_eq!(sha256.stdout.trim().len(), 64);
    assert_eq!(run(&["sign", "--asid", "test", "novalue"]).status, 2);
}

#[test]
fn codes_lists_the_21_published_and_the_3_seen_on_the_platform() {
    let out = run(&["codes", "--output", "json"]);
    assert_eq!(out.status, 0);
    let codes = json(&out.stdout);
    let codes = codes.as_array().expect("an array");
    assert_eq!(codes.len(), 24);
    for seen in [103094, 103095, 9990001] {
        let code = codes.iter().find(|c| c["code"] == seen).expect("listed");
        assert_eq!(code["published"], false, "{code}");
    }
    assert_eq!(codes.iter().filter(|c| c["published"] == true).count(), 21);
    assert!(
        codes
            .iter()
            .all(|c| c["remedy"].is_string() && c["meaning"].is_string())
    );
    let table = run(&["codes"]);
    for code in codes {
        let name = code["name"].as_str().expect("a name");
        assert!(table.stdout.contains(name), "{name} missing from the table");
    }
    assert!(table.stdout.contains("-999") && table.stdout.contains("sign --explain"));
}

#[test]
fn completions_for_bash_produce_a_script() {
    let out = run(&["completions", "bash"]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.contains("_opretail()") && out.stdout.contains("complete -F"));
    assert!(out.stdout.contains("passenger-flow"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status, 0, "{shell}");
        assert!(!out.stdout.is_empty());
    }
}

// ----- the remaining paths ----------------------------------------------------------------

#[test]
fn latency_above_the_timeout_is_a_timeout_error() {
    let sandbox = Sandbox::builder()
        .faults(
            FaultPlan::default()
                .with_latency(std::time::Duration::from_secs(5), std::time::Duration::ZERO),
        )
        .start_blocking()
        .expect("sandbox starts");
    let out = run(&[
        &["--endpoint", sandbox.url(), "--akey", DEFAULT_AKEY][..],
        &words("--timeout 0.2 passenger-flow total --id S_1 --output ndjson"),
    ]
    .concat());
    assert_eq!(out.status, 1);
    let line = json(out.stdout.trim());
    assert_eq!(line["error"]["name"], "TRANSPORT_TIMEOUT", "{line}");
    assert!(out.stderr.contains("timed out") && out.stderr.contains(sandbox.url()));
    sandbox.shutdown_blocking();
}

#[test]
fn a_rate_limit_still_answers_every_id_in_order() {
    let out = run(&words(
        "--sandbox passenger-flow total --rate 500 --concurrency 4 \
         --id S_1 --id S_2 --id O_3 --output json",
    ));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(common::ids_in(&out.stdout), ["S_1", "S_2", "O_3"]);
    assert_eq!(
        run(&words("--sandbox passenger-flow total --id S_1 --rate 0")).status,
        2
    );
}

#[test]
fn the_sandbox_command_serves_in_the_foreground() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("opretail"))
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    let out = run_with(
        &[
            "--endpoint",
            &url,
            "--akey",
            DEFAULT_AKEY,
            "call",
            "open.sandbox.echo",
            "x=1",
        ],
        &[("OPRETAIL_ASID", DEFAULT_ASID)],
        None,
    );
    child.kill().expect("stop the sandbox");
    let _ = child.wait();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(json(&out.stdout)["x"], "1");
}

#[test]
fn verbose_logs_each_attempt_on_stderr() {
    let total = "--sandbox passenger-flow total --id S_1001 --output json";
    let out = run(&words(&format!("-v {total}")));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("attempt succeeded"), "{}", out.stderr);
    assert!(out.stderr.contains("attempt=1"), "{}", out.stderr);
    let quiet = run(&words(total));
    assert!(
        !quiet.stderr.contains("attempt succeeded"),
        "{}",
        quiet.stderr
    );
}
