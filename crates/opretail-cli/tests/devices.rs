//! `opretail devices`, run as a user runs it against the sandbox: in this process (with a
//! dead device) or built into the binary.

mod common;

use std::process::Command;

use opretail_sandbox::{DEMO_PASSWORD, DEMO_USER, Sandbox, SandboxHandle};
use serde_json::Value;

/// The first device of S_1002, made dead in these tests.
const DEAD: &str = "0C0003EA0001";

fn sandbox_with_a_dead_device() -> SandboxHandle {
    Sandbox::builder()
        .dead_device(DEAD)
        .start_blocking()
        .expect("the sandbox starts")
}

/// `opretail devices` against `url` as the demo user.
fn devices(url: &str, args: &[&str]) -> common::Exited {
    let mut command = common::isolated(Command::new(env!("CARGO_BIN_EXE_opretail")), "devices");
    command
        .env("OPRETAIL_USER", DEMO_USER)
        .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
        .args(common::gateway(url))
        .arg("devices")
        .args(args);
    let out = command.output().expect("the binary runs");
    let exited = common::Exited {
        status: out.status.code().expect("an exit"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    };
    assert!(!exited.stderr.contains("panicked"), "{}", exited.stderr);
    exited
}

#[test]
fn a_dead_device_is_flagged_offline_and_counting_nothing_and_the_run_exits_1() {
    let sandbox = sandbox_with_a_dead_device();
    let args = [
        "--id",
        "S_1001",
        "--id",
        "S_1002",
        "--offline",
        "--zero-flow",
        "3",
    ];
    let out = devices(sandbox.url(), &[&args[..], &["--output", "json"]].concat());
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("1 of "), "{}", out.stderr);
    let rows = common::json(&out.stdout);
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 2);
    // Store by store in input order.
    let first_s1002 = rows.iter().position(|r| r["store"] == "S_1002").unwrap();
    assert!(rows[..first_s1002].iter().all(|r| r["store"] == "S_1001"));
    let dead = &rows[first_s1002];
    assert_eq!(dead["mac"], "…0001");
    assert_eq!(dead["online"], false);
    assert_eq!(dead["last_flow_day"], Value::Null);
    assert_eq!(dead["flags"], "offline,zero_flow");
    for row in rows
        .iter()
        .filter(|r| r["store"] != "S_1002" || r["mac"] != "…0001")
    {
        assert_eq!(row["flags"], "", "{row}");
        assert!(row["last_flow_day"].is_string(), "{row}");
    }
    assert!(!out.stdout.contains(DEAD), "the MAC address is masked");

    // No flag asked for: nothing raised, exit 0.
    let out = devices(sandbox.url(), &["--id", "S_1002", "--output", "json"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        common::json(&out.stdout)
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["flags"] == "")
    );

    // Only a zero-flow check: the dead device raises it on its own.
    let out = devices(
        sandbox.url(),
        &["--id", "S_1002", "--zero-flow", "1", "--output", "ndjson"],
    );
    assert_eq!(out.status, 1);
    let flags: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| common::json(l)["flags"].clone())
        .collect();
    assert_eq!(
        flags.iter().filter(|f| **f == "zero_flow").count(),
        1,
        "{flags:?}"
    );
}

#[test]
fn whole_mac_addresses_show_only_when_asked_for_and_every_format_parses() {
    let sandbox = sandbox_with_a_dead_device();
    for format in ["json", "ndjson", "csv", "table"] {
        let out = devices(sandbox.url(), &["--id", "S_1002", "--output", format]);
        assert_eq!(out.status, 0, "{format}: {}", out.stderr);
        assert!(!out.stdout.contains("0C0003EA"), "{format}: {}", out.stdout);
        match format {
            "json" => assert!(common::json(&out.stdout).is_array()),
            "ndjson" => out
                .stdout
                .lines()
                .for_each(|l| assert!(common::json(l).is_object())),
            "csv" => {
                let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
                let headers = reader.headers().unwrap().clone();
                assert_eq!(
                    headers.iter().collect::<Vec<_>>(),
                    [
                        "store",
                        "device_id",
                        "device",
                        "mac",
                        "online",
                        "last_flow_day",
                        "flags"
                    ]
                );
                assert!(reader.records().all(|r| r.unwrap().len() == headers.len()));
            }
            _ => assert!(out.stdout.lines().next().unwrap().starts_with("store")),
        }
    }
    let out = devices(
        sandbox.url(),
        &["--id", "S_1002", "--show-mac", "--output", "json"],
    );
    assert!(out.stdout.contains(DEAD), "{}", out.stdout);
}

#[test]
fn offline_devices_of_the_demo_tenant_raise_the_flag() {
    let out = common::output(common::isolated_command("devices-all").args([
        "--sandbox",
        "devices",
        "--all-stores",
        "--offline",
        "--output",
        "csv",
    ]));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let offline: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[4] == "false").collect();
    assert!(!offline.is_empty());
    assert!(offline.iter().all(|r| &r[6] == "offline"));
    assert!(
        rows.iter()
            .filter(|r| &r[4] == "true")
            .all(|r| r[6].is_empty())
    );
    assert!(
        out.stderr.contains(&format!(
            "{} of {} devices flagged",
            offline.len(),
            rows.len()
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn enterprises_and_bad_lookbacks_are_refused_before_anything_is_sent() {
    for (args, expected) in [
        (vec!["--id", "O_42"], "not a store"),
        (vec!["--id", "S_1001", "--zero-flow", "0"], "--zero-flow"),
        (vec!["--id", "S_1001", "--zero-flow", "91"], "--zero-flow"),
    ] {
        let out = common::output(
            common::isolated_command("devices-usage")
                .args(["--sandbox", "devices"])
                .args(&args),
        );
        assert_eq!(out.status, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
    }
}
