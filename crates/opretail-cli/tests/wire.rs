//! The `opretail` binary on the wire: https with an extra CA, the clear-text warning, tokens
//! refused over clear text, which raw calls are retried, and the `environment` header.

mod common;
mod stub;

use std::process::Output;

use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, Fault, FaultPlan, Sandbox};

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = common::isolated_command("opretail-cli-wire-tests-home");
    cmd.env("OPRETAIL_ASID", DEFAULT_ASID);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.args(args).output().expect("the binary runs");
    (
        status.code().expect("the binary exits normally"),
        String::from_utf8(stdout).expect("UTF-8"),
        String::from_utf8(stderr).expect("UTF-8"),
    )
}

fn ca_file(pem: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("opretail-cli-wire-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("ca.pem");
    std::fs::write(&path, pem).expect("CA file");
    path
}

#[test]
fn https_with_the_gateways_ca_from_a_flag_the_environment_or_the_config_file() {
    let sandbox = Sandbox::builder()
        .tls(true)
        .start_blocking()
        .expect("sandbox starts");
    let ca = ca_file(sandbox.ca_cert_pem().expect("a TLS sandbox has a CA"));
    let ca = ca.to_str().expect("UTF-8 path");
    let total = ["passenger-flow", "total", "--id", "S_1", "--output", "json"];
    let base = ["--endpoint", sandbox.url(), "--akey", DEFAULT_AKEY];

    let args: Vec<&str> = base
        .iter()
        .chain(["--ca-cert", ca].iter())
        .chain(total.iter())
        .copied()
        .collect();
    let (status, stdout, stderr) = run(&args, &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("\"day_flow\""), "{stdout}");
    assert!(
        !stderr.contains("warning"),
        "https draws no warning: {stderr}"
    );

    let args: Vec<&str> = base.iter().chain(total.iter()).copied().collect();
    let (status, _, stderr) = run(&args, &[("OPRETAIL_CA_CERT", ca)]);
    assert_eq!(status, 0, "{stderr}");

    // Without the CA the certificate is not trusted: a TLS error, said as such.
    let (status, stdout, stderr) = run(&args, &[]);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stdout.contains("TRANSPORT_TLS") || stderr.contains("TLS"),
        "{stdout}{stderr}"
    );
    sandbox.shutdown_blocking();
}

#[test]
fn an_unreadable_ca_file_is_a_usage_error() {
    let (status, _, stderr) = run(
        &[
            "--sandbox",
            "--ca-cert",
            "/nonexistent/ca.pem",
            "passenger-flow",
            "total",
            "--id",
            "S_1",
        ],
        &[],
    );
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("/nonexistent/ca.pem"), "{stderr}");
}

/// A documentation address (TEST-NET-3): nothing is ever sent to it by these tests, since
/// each call below is refused before sending.
const REMOTE_HTTP: &str = "http://203.0.113.7/m.api";

#[test]
fn plain_http_to_another_machine_is_warned_about_once_and_tokens_are_refused() {
    let (status, _, stderr) = run(
        &[
            "--endpoint",
            REMOTE_HTTP,
            "--akey",
            "k",
            "call",
            "--header-env",
            "Ovo-Authorization=OVO_TOKEN",
            "open.shopweb.departments.getDeptListByPage",
        ],
        &[("OVO_TOKEN", "tok-never-shown-51")],
    );
    assert_eq!(status, 2, "{stderr}");
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("clear text") && stderr.contains("token"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Ovo-Authorization") && stderr.contains("--allow-clear-text-headers")
            || stderr.contains("headers_over_clear_text"),
        "{stderr}"
    );
    assert!(!stderr.contains("tok-never-shown-51"), "{stderr}");
}

#[test]
fn loopback_http_draws_no_warning() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let (status, _, stderr) = run(
        &[
            "--endpoint",
            sandbox.url(),
            "--akey",
            DEFAULT_AKEY,
            "call",
            "open.sandbox.echo",
            "k=v",
        ],
        &[],
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    sandbox.shutdown_blocking();
}

#[test]
fn a_raw_call_is_retried_after_a_gateway_error_only_when_marked_idempotent() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let args = |idempotent: bool, value: &'static str| {
        let mut args = vec!["--endpoint", sandbox.url(), "--akey", DEFAULT_AKEY, "call"];
        if idempotent {
            args.push("--idempotent");
        }
        args.extend(["open.sandbox.echo", value]);
        args
    };
    sandbox.set_faults(FaultPlan::script([Fault::Gateway(-500)]));
    let (status, _, stderr) = run(&args(false, "k=1"), &[]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("-500"), "{stderr}");
    assert_eq!(sandbox.counters().requests(), 1);

    sandbox.set_faults(FaultPlan::script([Fault::Gateway(-500)]));
    let (status, stdout, stderr) = run(&args(true, "k=2"), &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("\"k\""), "{stdout}");
    assert_eq!(sandbox.counters().requests(), 3);
    sandbox.shutdown_blocking();
}

#[test]
fn sign_trims_names_and_values_as_calls_do() {
    let (status, trimmed, _) = run(&["sign", "--asid", "test", "a=1"], &[]);
    assert_eq!(status, 0);
    let (status, padded, _) = run(&["sign", "--asid", "test", " a = 1 "], &[]);
    assert_eq!(status, 0);
    assert_eq!(trimmed, padded);
}

#[test]
fn the_environment_header_goes_out_only_when_set_from_a_flag_the_environment_or_the_file() {
    use std::sync::{Arc, Mutex};

    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let stub = {
        let seen = seen.clone();
        stub::Stub::start(move |_, headers| {
            let value = headers
                .get("environment")
                .map(|v| v.to_str().unwrap_or("<not text>").to_owned());
            seen.lock().unwrap().push(value);
            stub::Reply::data(serde_json::json!({"k": "v"}))
        })
    };
    let call = |more: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["--endpoint", stub.url(), "--akey", DEFAULT_AKEY];
        args.extend_from_slice(more);
        args.extend(["call", "open.sandbox.echo", "k=v"]);
        let (status, _, stderr) = run(&args, env);
        assert_eq!(status, 0, "{stderr}");
    };
    call(&[], &[]);
    call(&["--environment", "test"], &[]);
    call(&[], &[("OPRETAIL_ENVIRONMENT", "DEV")]);
    let file = ca_file("").with_file_name("environment.toml");
    std::fs::write(&file, "environment = \"formal\"\n").unwrap();
    call(&["--config", file.to_str().unwrap()], &[]);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            None,
            Some("test".into()),
            Some("dev".into()),
            Some("formal".into())
        ]
    );
    let (status, _, stderr) = run(&["--environment", "prod", "call", "open.sandbox.echo"], &[]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("`formal`, `test` or `dev`"), "{stderr}");
}

#[test]
fn nonce_sends_a_fresh_signed_nonce_that_a_sandbox_requiring_one_accepts() {
    let sandbox = Sandbox::builder()
        .require_nonce(true)
        .start_blocking()
        .expect("sandbox starts");
    let call = |more: &[&str]| {
        let mut args = vec!["--endpoint", sandbox.url(), "--akey", DEFAULT_AKEY];
        args.extend_from_slice(more);
        args.extend(["call", "open.sandbox.echo", "k=v"]);
        run(&args, &[])
    };
    let (status, _, stderr) = call(&[]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("_nonce"), "{stderr}");
    for _ in 0..3 {
        let (status, stdout, stderr) = call(&["--nonce"]);
        assert_eq!(status, 0, "{stderr}");
        assert!(stdout.contains("\"k\""), "{stdout}");
    }
    sandbox.shutdown_blocking();
}
