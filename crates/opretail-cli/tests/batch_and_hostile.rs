//! `opretail` under load and against hostile data: a slow id among fast ones, requests paced
//! with retries, text from the gateway that tries to drive the terminal or a spreadsheet, ids
//! files as spreadsheets save them, a reader that goes away, signals, and secrets.

use std::time::{Duration, Instant};

mod common;
mod stub;

use common::{Output, json, words};

use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, Fault, FaultPlan, Sandbox};
use serde_json::{Value, json};
use stub::{Reply, Stub};

fn run_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::isolated_command("opretail-cli-batch-tests-empty-home");
    cmd.env("OPRETAIL_ASID", DEFAULT_ASID);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.timeout(Duration::from_secs(120)).args(args);
    common::output(&mut cmd)
}

fn run(args: &[&str]) -> Output {
    run_with(args, &[])
}

/// The binary, isolated as [`run_with`] isolates it, to be started by the test.
fn command(args: &[&str]) -> std::process::Command {
    let mut command = common::isolated(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("opretail")),
        "opretail-cli-batch-tests-empty-home",
    );
    command.args(args);
    command
}

/// Starts `args` with JSON output (the secret in the environment, stdout and stderr piped) and
/// reads the first line of stdout, which must open the array; gives the child and the rest of
/// its stdout.
fn started_json(
    args: &[&str],
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
) {
    use std::io::BufRead;
    use std::process::Stdio;

    let mut child = command(args)
        .env("OPRETAIL_ASID", DEFAULT_ASID)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped stdout"));
    // The opening bracket is written after the signals are being listened for.
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the first line");
    assert_eq!(first, "[\n");
    (child, stdout)
}

/// All that `child` writes to its piped stderr.
fn stderr_of(child: &mut std::process::Child) -> String {
    use std::io::Read;

    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("stderr");
    stderr
}

/// `--endpoint URL --akey sandbox passenger-flow total` and the rest.
fn total_at<'a>(url: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--endpoint",
        url,
        "--akey",
        DEFAULT_AKEY,
        "passenger-flow",
        "total",
    ];
    args.extend_from_slice(rest);
    args
}

fn figures() -> Value {
    json!({"DAY_FLOW": 10, "WEEK_FLOW": 20, "MONTH_FLOW": 30, "ENTER_RATE": 1.5})
}

// ----- no head-of-line blocking -------------------------------------------------------------

const SLOW: &str = "S_SLOW";
const SLOW_DELAY: Duration = Duration::from_secs(3);

/// A gateway where `S_SLOW` answers after 3 s and every other id at once.
fn slow_one() -> Stub {
    Stub::start(|form, _| {
        if form.get("id").map(String::as_str) == Some(SLOW) {
            Reply::data(figures()).after(SLOW_DELAY)
        } else {
            Reply::data(figures())
        }
    })
}

/// 40 ids, the slow one second.
fn forty_ids() -> Vec<String> {
    (0..40)
        .map(|i| {
            if i == 1 {
                SLOW.to_owned()
            } else {
                format!("S_{i}")
            }
        })
        .collect()
}

#[test]
fn a_slow_id_does_not_hold_up_the_others() {
    let ids = forty_ids();
    let file = common::temp_file("forty.txt", &ids.join("\n"));
    let file = file.to_str().expect("UTF-8 path");
    for format in ["json", "ndjson"] {
        let stub = slow_one();
        let begun = Instant::now();
        let out = run(&total_at(
            stub.url(),
            &["--ids-file", file, "--concurrency", "4", "--output", format],
        ));
        let wall = begun.elapsed();
        assert_eq!(out.status, Some(0), "{}", out.stderr);

        // While the slow id waited, the 39 others were called and answered.
        let seen = stub.seen();
        assert_eq!(seen.len(), 40);
        assert_eq!(
            seen.last()
                .and_then(|s| s.form.get("id"))
                .map(String::as_str),
            Some(SLOW),
            "{format}: ids waited for the slow one"
        );
        // About as long as the slow id, not the slow id plus the rest in series (generous
        // slack: this is a deadline).
        assert!(wall < SLOW_DELAY * 2, "{format}: {wall:?}");

        let order: Vec<String> = if format == "json" {
            common::ids_in(&out.stdout)
        } else {
            out.stdout
                .lines()
                .map(|l| json(l)["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        if format == "json" {
            assert_eq!(order, ids, "json keeps input order");
        } else {
            assert_eq!(order.len(), 40);
            assert_eq!(
                order.last().map(String::as_str),
                Some(SLOW),
                "ndjson as finished"
            );
        }
    }
}

#[test]
fn the_rate_limit_paces_retries_too() {
    // Every answer is -500, which the CLI retries (3 attempts per id).
    let stub = Stub::start(|_, _| Reply::error(-500, "API_SYSTEM_CALL_ERROR", "busy", "c1"));
    let out = run(&total_at(
        stub.url(),
        &[
            "--id",
            "S_1",
            "--id",
            "S_2",
            "--rate",
            "4",
            "--concurrency",
            "2",
            "--output",
            "json",
        ],
    ));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let mut arrivals: Vec<Duration> = stub.seen().iter().map(|s| s.arrived).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 6, "3 attempts for each of 2 ids");
    // At 4 a second, the k-th request cannot come before k × 250 ms after the first.
    for (k, at) in arrivals.iter().enumerate() {
        let earliest =
            Duration::from_millis(250 * k as u64).saturating_sub(Duration::from_millis(30));
        assert!(
            at.saturating_sub(arrivals[0]) >= earliest,
            "request {k} came {:?} after the first: {arrivals:?}",
            at.saturating_sub(arrivals[0])
        );
    }
}

// ----- text from the gateway is data --------------------------------------------------------

const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}gnp.exe\u{2066}";

/// Whether `text` holds anything a terminal would act on instead of showing.
fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    })
}

fn hostile() -> Stub {
    Stub::start(|form, _| match form.get("id").map(String::as_str) {
        Some("S_1") => Reply::error(
            7,
            &format!("SIGN{HOSTILE}"),
            &format!("bad{HOSTILE}"),
            &format!("cid{HOSTILE}"),
        ),
        Some("S_2") => Reply::error(
            4001,
            "ID_ILLEGAL",
            "=HYPERLINK(\"http://x\",\"ok\")",
            "cid2",
        ),
        _ => Reply::data(json!({
            "DAY_FLOW": 10,
            "ENTER_RATE": "-12.5",
            "WEATHER": {"weather": "@SUM(1+1)"}
        })),
    })
}

#[test]
fn gateway_text_reaches_terminals_escaped_and_json_exact() {
    let stub = hostile();
    let ids = ["--id", "S_1", "--id", "S_2", "--id", "S_3"];

    let mut args = vec!["-v"];
    args.extend(total_at(stub.url(), &ids));
    args.extend(["--output", "table"]);
    let table = run(&args);
    assert_eq!(table.status, Some(1));
    for (name, text) in [("table", &table.stdout), ("stderr", &table.stderr)] {
        assert!(
            !has_raw_controls(text),
            "{name} holds raw control characters: {text:?}"
        );
    }
    assert!(table.stdout.contains("\\u{1b}[2J"), "{}", table.stdout);
    assert!(table.stderr.contains("\\u{202e}"), "{}", table.stderr);
    assert!(
        table.stderr.contains("attempt failed"),
        "-v logs are escaped too: {}",
        table.stderr
    );

    let mut args = total_at(stub.url(), &ids);
    args.extend(["--output", "json"]);
    let out = run(&args);
    let array = json(&out.stdout);
    assert_eq!(array[0]["error"]["message"], format!("bad{HOSTILE}"));
    assert_eq!(array[0]["error"]["cid"], format!("cid{HOSTILE}"));
    assert!(!has_raw_controls(&out.stderr), "{:?}", out.stderr);
    // C0 controls (ESC among them) are escaped by JSON itself; the rest is exact text.
    assert!(
        !out.stdout.chars().any(|c| c < ' ' && c != '\n'),
        "{:?}",
        out.stdout
    );
}

#[test]
fn csv_cells_that_look_like_formulas_are_written_as_text() {
    let stub = hostile();
    let mut args = total_at(
        stub.url(),
        &["--id", "S_2", "--id", "S_3", "--output", "csv"],
    );
    let out = run(&args);
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid CSV")).collect();
    assert_eq!(&rows[0][13], "'=HYPERLINK(\"http://x\",\"ok\")");
    assert_eq!(&rows[1][10], "'@SUM(1+1)");
    assert_eq!(
        &rows[1][7], "-12.5",
        "a plain negative number stays a number"
    );

    args.push("--csv-raw");
    let out = run(&args);
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid CSV")).collect();
    assert_eq!(&rows[0][13], "=HYPERLINK(\"http://x\",\"ok\")");
    assert_eq!(&rows[1][10], "@SUM(1+1)");
}

#[test]
fn a_hostile_endpoint_cannot_send_more_than_the_body_limit() {
    let sandbox = Sandbox::builder()
        .faults(FaultPlan::script([Fault::HugeBody(1024 * 1024)]))
        .start_blocking()
        .expect("sandbox starts");
    let out = run(&total_at(
        sandbox.url(),
        &["--id", "S_1", "--output", "json"],
    ));
    assert_eq!(out.status, Some(1));
    assert_eq!(
        json(&out.stdout)[0]["error"]["name"],
        "TRANSPORT_BODY_LIMIT",
        "{}",
        out.stdout
    );
    sandbox.shutdown_blocking();
}

// ----- ids files ----------------------------------------------------------------------------

#[test]
fn an_ids_file_saved_by_a_spreadsheet_is_read() {
    let file = common::temp_file("bom.txt", "\u{FEFF}S_1\r\nO_2\r\n");
    let file = file.to_str().expect("UTF-8");
    let total = words("--sandbox passenger-flow total --ids-file");
    let out = run(&[&total[..], &[file, "--output", "json"]].concat());
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert_eq!(common::ids_in(&out.stdout), ["S_1", "O_2"]);
}

#[test]
fn invisible_characters_in_an_id_are_refused_with_the_line() {
    for (name, bad) in [("zwsp", "S_\u{200b}1"), ("rlo", "S_1\u{202e}2")] {
        let file = common::temp_file(&format!("{name}.txt"), &format!("S_1\n{bad}\n"));
        let file = file.to_str().expect("UTF-8");
        let total = words("--sandbox passenger-flow total --ids-file");
        let out = run(&[&total[..], &[file]].concat());
        assert_eq!(out.status, Some(2), "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains("line 2") && out.stderr.contains("invisible"),
            "{}",
            out.stderr
        );
        assert!(!has_raw_controls(&out.stderr), "{:?}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let out = run(&words("--sandbox passenger-flow total --id S_\u{2066}1"));
    assert_eq!(out.status, Some(2));
}

#[test]
fn duplicate_ids_are_called_once_and_shown_in_every_row() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let file = common::temp_file("dups.txt", "S_1\nO_2\nS_1\n# c\nS_1\n");
    let out = run(&total_at(
        sandbox.url(),
        &[
            "--ids-file",
            file.to_str().expect("UTF-8"),
            "--output",
            "json",
        ],
    ));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert_eq!(sandbox.counters().requests(), 2, "each id once");
    assert_eq!(common::ids_in(&out.stdout), ["S_1", "O_2", "S_1", "S_1"]);
    assert!(
        out.stderr
            .contains("S_1 is given 3 times (line 1, line 3, line 5)"),
        "{}",
        out.stderr
    );
    sandbox.shutdown_blocking();
}

// ----- readers that go away, closed stderr ----------------------------------------------------

#[test]
fn a_reader_that_goes_away_ends_the_batch_without_a_panic_and_keeps_the_status() {
    // The first call fails (SIGN_WRONG is not retried); the output is far larger than a pipe.
    let sandbox = Sandbox::builder()
        .faults(FaultPlan::script([Fault::Gateway(7)]))
        .start_blocking()
        .expect("sandbox starts");
    let ids: String = (0..5000).map(|i| format!("S_{i}\n")).collect();
    let file = common::temp_file("many.txt", &ids);
    let file = file.to_str().expect("UTF-8");
    let (mut child, stdout) = started_json(&total_at(
        sandbox.url(),
        &["--ids-file", file, "--concurrency", "1", "--output", "json"],
    ));
    drop(stdout);
    let stderr = stderr_of(&mut child);
    let status = child.wait().expect("it ends");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(1), "an id failed: {stderr}");
    assert!(
        sandbox.counters().requests() < 5000,
        "calls stop when nobody reads"
    );
    sandbox.shutdown_blocking();
}

#[cfg(target_os = "linux")]
#[test]
fn a_stderr_that_cannot_be_written_is_ignored() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = command(&words(
        "-vv --sandbox --asid wrong passenger-flow total --id S_1 --output json",
    ))
    .stderr(full)
    .output()
    .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1), "not a panic (101)");
    let array = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(array[0]["error"]["name"], "SIGN_WRONG");
}

// ----- signals --------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn ctrl_c_or_sigterm_closes_the_json_array_and_exits_128_plus_the_signal() {
    use std::io::Read;

    // Accepts connections and never answers: the calls hang until the signal.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}/m.api", silent.local_addr().expect("its address"));
    for (signal, status) in [("-INT", 130), ("-TERM", 143)] {
        let (mut child, mut stdout) =
            started_json(&total_at(&url, &words("--id S_1 --id S_2 --output json")));
        common::kill(signal, child.id());
        let mut whole = String::from("[\n");
        stdout
            .read_to_string(&mut whole)
            .expect("the rest of stdout");
        let stderr = stderr_of(&mut child);
        let exit = child.wait().expect("the command ends");
        assert_eq!(exit.code(), Some(status), "{signal}: {stderr}");
        assert_eq!(json(&whole), json!([]));
        assert!(stderr.contains("interrupted after 0 of 2 ids"), "{stderr}");
        assert!(!stderr.contains(DEFAULT_ASID));
    }
    drop(silent);
}

#[cfg(target_os = "linux")]
#[test]
fn a_second_signal_ends_a_command_stuck_writing_at_once() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;

    // A pipe filled to the brim that nobody reads: the command's first write blocks for good.
    let (reader, writer) = rustix::pipe::pipe().expect("a pipe");
    let size = rustix::pipe::fcntl_getpipe_size(&writer).expect("its size");
    let mut filler = std::fs::File::from(writer.try_clone().expect("a second handle"));
    filler.write_all(&vec![b'x'; size]).expect("fill the pipe");
    drop(filler);

    let mut child = command(&words(
        "--sandbox passenger-flow total --id S_1 --output csv",
    ))
    .stdout(Stdio::from(writer))
    .stderr(Stdio::piped())
    .spawn()
    .expect("the command starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut wait_for = |words: &str| {
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            let n = stderr.read_line(&mut line).expect("stderr");
            seen.push_str(&line);
            assert!(n > 0, "stderr ended before {words:?}: {seen}");
            if line.contains(words) {
                return;
            }
        }
    };
    // The note comes once signals are listened for, just before the blocked write.
    wait_for("sandbox data");
    common::kill("-TERM", child.id());
    wait_for("stopping");
    common::kill("-TERM", child.id());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the second signal did not end the command");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(143));
    drop(reader);
}

// ----- secrets --------------------------------------------------------------------------------

#[test]
fn a_type_error_in_the_config_file_does_not_show_the_secret() {
    let config = common::temp_file("typed.toml", "akey = \"k\"\nasid = 12345678\n");
    let out = run(&["--config", config.to_str().expect("UTF-8"), "call", "m"]);
    assert_eq!(out.status, Some(2));
    assert!(out.stderr.contains("`asid`"), "{}", out.stderr);
    assert!(!out.stderr.contains("12345678"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn the_config_file_is_checked_as_ssh_checks_a_key() {
    use std::os::unix::fs::PermissionsExt;

    let stub = Stub::start(|_, _| Reply::data(json!({})));
    let config = common::temp_file(
        "perms.toml",
        &format!(
            "endpoint = \"{}\"\nakey = \"k\"\nasid = \"s\"\n",
            stub.url()
        ),
    );
    let path = config.to_str().expect("UTF-8");
    let call = ["--config", path, "call", "open.sandbox.echo"];

    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o620)).expect("chmod");
    let out = run_with(&call, &[("OPRETAIL_ASID", "")]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("other users can change it"),
        "{}",
        out.stderr
    );

    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    if rustix::process::geteuid().is_root() {
        let nobody = rustix::process::Uid::from_raw(65534);
        rustix::fs::chown(&config, Some(nobody), None).expect("chown");
        let out = run_with(&call, &[("OPRETAIL_ASID", "")]);
        assert!(
            out.stderr.contains("belongs to another user"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn call_headers_come_from_the_environment_or_a_file() {
    const TOKEN: &str = "token-never-on-the-command-line-5e1";
    let stub = Stub::start(|_, headers| {
        let token = headers
            .get("Ovo-Authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Reply::data(json!({ "token": token }))
    });
    let token_file = common::temp_file("token.txt", &format!("{TOKEN}\n"));
    let header_file = format!("Ovo-Authorization={}", token_file.to_str().expect("UTF-8"));
    let call = ["--endpoint", stub.url(), "--akey", "k", "call", "open.x"];
    for (flag, value) in [
        ("--header-env", "Ovo-Authorization=OVO_TOKEN"),
        ("--header-file", header_file.as_str()),
    ] {
        let out = run_with(
            &[&["-vvv"][..], &call, &[flag, value]].concat(),
            &[("OVO_TOKEN", TOKEN)],
        );
        assert_eq!(out.status, Some(0), "{flag}: {}", out.stderr);
        assert_eq!(json(&out.stdout)["token"], TOKEN, "{flag}");
        assert!(!out.stderr.contains(TOKEN), "{flag}: the token is logged");
    }
    let out = run(&[&call[..], &["--header-env", "A=NO_SUCH_VAR_HERE"]].concat());
    assert_eq!(out.status, Some(2));
    assert!(out.stderr.contains("NO_SUCH_VAR_HERE"), "{}", out.stderr);
}
