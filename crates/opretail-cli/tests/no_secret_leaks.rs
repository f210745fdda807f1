//! The `opretail` binary at `-vv`, with a known secret given in `OPRETAIL_ASID` or in
//! `--asid`, through every error the sandbox can produce: stdout and stderr never show the
//! secret, the form or a signature. (`tests/cli.rs` covers a wrong secret, usage errors and
//! a refused connection; this adds every gateway code and every injected fault.)

use std::time::Duration;

mod common;

use opretail_sandbox::{Fault, FaultPlan, Sandbox, SandboxBuilder};

const CANARY: &str = "leak-canary-7f3a";
const KEY: &str = "leak-key";

/// Where the secret is given.
#[derive(Clone, Copy, Debug)]
enum Source {
    Env,
    Flag,
}

struct Output {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Whether `text` holds something shaped like a signature: 32 or more upper-case hex digits
/// in a row.
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

/// Runs the binary at `-vv` against `url` with the secret from `source`, and asserts that
/// nothing secret shows.
fn run(url: &str, source: Source, args: &[&str]) -> Output {
    let mut cmd = common::isolated_command("opretail-cli-leak-tests-empty-home");
    cmd.args(["-vv", "--endpoint", url, "--akey", KEY, "--timeout", "1"]);
    match source {
        Source::Env => {
            cmd.env("OPRETAIL_ASID", CANARY);
        }
        Source::Flag => {
            cmd.args(["--asid", CANARY]);
        }
    }
    cmd.timeout(Duration::from_secs(60));
    let out = cmd.args(args).output().expect("the binary runs");
    let out = Output {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let context = || format!("{args:?} with the secret in {source:?}, {name}:\n{text}");
        assert!(!text.contains(CANARY), "the secret shows: {}", context());
        assert!(!text.contains("_sig="), "the form shows: {}", context());
        assert!(
            !has_signature_like(text),
            "a signature shows: {}",
            context()
        );
    }
    out
}

/// One failing situation: how the sandbox is set up, and a word the CLI's stderr must hold.
struct Case {
    name: &'static str,
    sandbox: fn(SandboxBuilder) -> SandboxBuilder,
    plan: FaultPlan,
    expect: &'static str,
}

fn always(fault: Fault) -> FaultPlan {
    FaultPlan::script(std::iter::repeat_n(fault, 5))
}

fn cases() -> Vec<Case> {
    let plain = |b: SandboxBuilder| b;
    vec![
        Case {
            name: "wrong secret",
            sandbox: |b| b.credential(KEY, "the-sandbox-knows-another"),
            plan: FaultPlan::default(),
            expect: "SIGN_WRONG",
        },
        Case {
            name: "expired key",
            sandbox: |b| b.expired_credential(KEY, CANARY),
            plan: FaultPlan::default(),
            expect: "KEY_HAS_EXPIRED",
        },
        Case {
            name: "wrong clock",
            sandbox: |b| b.clock_skew_secs(1800),
            plan: FaultPlan::default(),
            expect: "TIMESTAMP_OVERTIME",
        },
        Case {
            name: "latency beyond the timeout",
            sandbox: plain,
            plan: always(Fault::Delay(Duration::from_secs(3))),
            expect: "timed out",
        },
        Case {
            name: "502 page",
            sandbox: plain,
            plan: always(Fault::Http502Html),
            expect: "502",
        },
        Case {
            name: "connection closed",
            sandbox: plain,
            plan: always(Fault::CloseConnection),
            expect: "connection",
        },
        Case {
            name: "truncated JSON",
            sandbox: plain,
            plan: always(Fault::TruncatedJson),
            expect: "not JSON",
        },
        Case {
            name: "non-JSON 200",
            sandbox: plain,
            plan: always(Fault::NonJson200),
            expect: "not JSON",
        },
        Case {
            name: "huge body",
            sandbox: plain,
            plan: always(Fault::HugeBody(20 * 1024 * 1024)),
            expect: "limit",
        },
        Case {
            name: "gateway -500",
            sandbox: plain,
            plan: always(Fault::Gateway(-500)),
            expect: "API_SYSTEM_CALL_ERROR",
        },
        Case {
            name: "gateway -999",
            sandbox: plain,
            plan: always(Fault::Gateway(-999)),
            expect: "UNKNOWN_ERROR",
        },
        Case {
            name: "gateway -100",
            sandbox: plain,
            plan: always(Fault::Gateway(-100)),
            expect: "API_CALL_REPEAT",
        },
    ]
}

/// Every code the sandbox can answer that the client does not retry, one id each.
const UNRETRIED_CODES: [i64; 17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 4711];

fn sandbox(builder: SandboxBuilder) -> opretail_sandbox::SandboxHandle {
    builder.start_blocking().expect("sandbox starts")
}

fn every_error_path(source: Source) {
    for case in cases() {
        for args in [
            "passenger-flow total --id S_1 --output ndjson",
            "call open.sandbox.echo a=1",
        ] {
            let args = &common::words(args);
            let builder = (case.sandbox)(Sandbox::builder().credential(KEY, CANARY));
            let server = sandbox(builder.faults(case.plan.clone()));
            let out = run(server.url(), source, args);
            assert_eq!(out.status, Some(1), "{}: {}", case.name, out.stderr);
            assert!(
                out.stderr.contains(case.expect),
                "{}: {} missing from {}",
                case.name,
                case.expect,
                out.stderr
            );
        }
    }

    // Every other gateway code, one id each, in one run.
    let plan = UNRETRIED_CODES
        .iter()
        .fold(FaultPlan::default(), |plan, code| {
            plan.then(Fault::Gateway(*code))
        });
    let server = sandbox(Sandbox::builder().credential(KEY, CANARY).faults(plan));
    let ids: Vec<String> = (1..=UNRETRIED_CODES.len())
        .map(|n| format!("S_{n}"))
        .collect();
    let mut args = vec![
        "passenger-flow",
        "total",
        "--concurrency",
        "1",
        "--output",
        "json",
    ];
    for id in &ids {
        args.extend(["--id", id]);
    }
    let out = run(server.url(), source, &args);
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let answers: serde_json::Value = serde_json::from_str(&out.stdout).expect("a JSON array");
    let codes: Vec<i64> = answers
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|a| a["error"]["code"].as_i64())
        .collect();
    assert_eq!(codes, UNRETRIED_CODES, "{}", out.stdout);
}

#[test]
fn the_secret_from_the_environment_never_shows() {
    every_error_path(Source::Env);
}

#[test]
fn the_secret_from_the_flag_never_shows() {
    every_error_path(Source::Flag);
}
