//! `opretail sales upload` through the binary against one sandbox that keeps the uploads
//! between runs: upload and read back, a refused repeat that says to pass --replace, the
//! failed lines' file sent again with --replace, --dry-run and a bad line sending nothing.

mod common;

use std::path::Path;

use chrono::{FixedOffset, NaiveDate, Utc};
use common::{gateway, isolated_command, output, temp_file};
use opretail_sandbox::{Sandbox, SandboxHandle};

const ENTERPRISE: &str = "88001";

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3_600).unwrap())
        .date_naive()
}

/// Runs `opretail` against `sandbox` with `args`.
fn opretail(sandbox: &SandboxHandle, args: &[&str]) -> common::Output {
    let mut command = isolated_command("opretail-sales-tests");
    command.args(gateway(sandbox.url())).args(args);
    output(&mut command)
}

fn upload(sandbox: &SandboxHandle, file: &Path, flags: &[&str]) -> common::Output {
    let file = file.to_str().unwrap();
    let mut args = vec!["sales", "upload", file, "--enterprise-id", ENTERPRISE];
    args.extend_from_slice(flags);
    opretail(sandbox, &args)
}

/// The store's sales today, as `passenger-flow total` reads them.
fn sales_of(sandbox: &SandboxHandle, id: &str) -> f64 {
    let out = opretail(
        sandbox,
        &["passenger-flow", "total", "--id", id, "--output", "json"],
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    common::json(&out.stdout)[0]["data"]["total_sale"]
        .as_f64()
        .unwrap_or_else(|| panic!("no total_sale: {}", out.stdout))
}

fn hours_file(name: &str, store: &str, rows: &[(u32, &str)]) -> std::path::PathBuf {
    let day = today();
    let mut text = String::from("hour,store,deals,total,buyers\n");
    for (hour, total) in rows {
        text.push_str(&format!("{day} {hour:02}:00,{store},2,{total},2\n"));
    }
    temp_file(name, &text)
}

#[test]
fn upload_read_back_refused_repeat_then_replace_from_the_failed_file() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let first = hours_file("first.csv", "S_1050", &[(9, "100.25"), (10, "200")]);
    let out = upload(&sandbox, &first, &["--hourly"]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("uploaded 2 of 2 lines"),
        "{}",
        out.stderr
    );
    assert_eq!(sales_of(&sandbox, "S_1050"), 300.25);

    // The same hours again: refused, each line says to pass --replace, exit 1, and the
    // failed lines are kept.
    let again = hours_file("again.csv", "S_1050", &[(9, "1"), (10, "2"), (11, "4")]);
    let failed = again.with_file_name("again.failed.csv");
    let _ = std::fs::remove_file(&failed);
    let out = upload(&sandbox, &again, &["--hourly"]);
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    for line in [2, 3] {
        let said = out
            .stderr
            .lines()
            .find(|l| l.starts_with(&format!("line {line} ")))
            .unwrap_or_else(|| panic!("line {line} not reported: {}", out.stderr));
        assert!(said.contains("already uploaded"), "{said}");
        assert!(said.contains("pass --replace"), "{said}");
    }
    assert!(!out.stderr.contains("line 4 "), "{}", out.stderr);
    assert!(
        out.stderr.contains("uploaded 1 of 3 lines; 2 failed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(failed.to_str().unwrap()),
        "{}",
        out.stderr
    );
    let kept = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(kept.lines().count(), 3, "{kept}");
    assert!(
        kept.starts_with("hour,store,deals,total,buyers\n"),
        "{kept}"
    );
    assert_eq!(sales_of(&sandbox, "S_1050"), 304.25);

    // The failed lines' file, sent again with --replace: accepted as it is.
    let out = upload(&sandbox, &failed, &["--hourly", "--replace"]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert_eq!(sales_of(&sandbox, "S_1050"), 7.0);
    sandbox.shutdown_blocking();
}

#[test]
fn daily_uploads_by_day_and_a_repeat_cannot_be_replaced() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let file = temp_file(
        "days.csv",
        &format!(
            "store,date,deals,total,buyers\nS_1051,{},10,1234.5,8\nS_1052,{},1,1,1\n",
            today(),
            today().pred_opt().unwrap()
        ),
    );
    let out = upload(&sandbox, &file, &[]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert_eq!(sales_of(&sandbox, "S_1051"), 1234.5);
    let out = upload(&sandbox, &file, &[]);
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("--hourly only"), "{}", out.stderr);
    let out = upload(&sandbox, &file, &["--replace"]);
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("--replace needs --hourly"),
        "{}",
        out.stderr
    );
    sandbox.shutdown_blocking();
}

#[test]
fn a_dry_run_and_a_bad_line_send_nothing() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let good = hours_file("dry.csv", "S_1053", &[(9, "5"), (10, "6")]);
    let out = upload(&sandbox, &good, &["--hourly", "--dry-run"]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("2 lines"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing was sent"), "{}", out.stderr);
    assert_eq!(sandbox.counters().requests(), 0);

    let day = today();
    let bad = temp_file(
        "bad.csv",
        &format!(
            "store,hour,deals,total,buyers\n\
             S_1053,{day} 09:00,1,5,1\n\
             S_1053,{day} 10:00,1,5.123,1\n\
             ,{day} 11:00,1,5,1\n\
             S_1053,{day} 12:30,1,5,1\n\
             S_1053,{day} 13:00,1,5\n"
        ),
    );
    let out = upload(&sandbox, &bad, &["--hourly"]);
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    for line in [3, 4, 5, 6] {
        assert!(
            out.stderr.contains(&format!("line {line}: ")),
            "line {line}: {}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("line 2:"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing was sent"), "{}", out.stderr);
    assert_eq!(
        sandbox.counters().requests(),
        0,
        "nothing reached the gateway"
    );
    sandbox.shutdown_blocking();
}

#[test]
fn the_embedded_sandbox_takes_the_enterprise_from_the_login() {
    let file = hours_file("embedded.csv", "S_1054", &[(8, "10")]);
    let mut command = isolated_command("opretail-sales-tests");
    command.args([
        "--sandbox",
        "sales",
        "upload",
        file.to_str().unwrap(),
        "--hourly",
    ]);
    let out = output(&mut command);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("sandbox data"), "{}", out.stderr);
    assert!(
        out.stderr.contains("uploaded 1 of 1 lines"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_wrong_secret_fails_every_line_without_showing_the_secret() {
    const CANARY: &str = "sales-canary-5e1d";
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let file = hours_file("secret.csv", "S_1055", &[(9, "1"), (10, "2")]);
    let failed = file.with_file_name("secret.failed.csv");
    let mut command = isolated_command("opretail-sales-tests");
    command.args([
        "-vv",
        "--endpoint",
        sandbox.url(),
        "--akey",
        opretail_sandbox::DEFAULT_AKEY,
        "--asid",
        CANARY,
        "sales",
        "upload",
        file.to_str().unwrap(),
        "--hourly",
        "--enterprise-id",
        ENTERPRISE,
    ]);
    let out = output(&mut command);
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.matches("SIGN_WRONG").count() >= 2,
        "{}",
        out.stderr
    );
    let kept = std::fs::read_to_string(&failed).unwrap();
    for text in [&out.stdout, &out.stderr, &kept] {
        assert!(!text.contains(CANARY), "the secret shows: {text}");
        assert!(!has_signature_like(text), "a signature shows: {text}");
    }
    sandbox.shutdown_blocking();
}

/// 32 or more upper-case hex digits in a row: something shaped like a signature.
fn has_signature_like(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if c.is_ascii_digit() || ('A'..='F').contains(&c) {
            run + 1
        } else {
            0
        };
        run >= 32
    })
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_lines_not_answered_for_a_second_run() {
    // Accepts the connection and never answers: the first upload hangs until the signal.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/m.api", silent.local_addr().unwrap());
    let file = hours_file("stopped.csv", "S_1056", &[(9, "1"), (10, "2")]);
    let failed = file.with_file_name("stopped.failed.csv");
    let _ = std::fs::remove_file(&failed);
    let command = std::process::Command::new(env!("CARGO_BIN_EXE_opretail"));
    let child = common::isolated(command, "opretail-sales-tests")
        .args(gateway(&url))
        .args(["sales", "upload", file.to_str().unwrap(), "--hourly"])
        .args(["--enterprise-id", ENTERPRISE, "--concurrency", "1"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The upload has reached the gateway: the command listens for signals by then.
    let (connection, _) = silent.accept().unwrap();
    common::kill("-INT", child.id());
    let out = child.wait_with_output().unwrap();
    drop(connection);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("uploaded 0 of 2 lines; 2 failed"),
        "{stderr}"
    );
    assert!(stderr.contains("not sent or not answered"), "{stderr}");
    let kept = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(kept.lines().count(), 3, "{kept}");
}
