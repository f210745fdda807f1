//! `opretail doctor` against a sandbox on loopback: healthy, and with each fault switch that
//! one line of the checklist must catch.

mod common;

use common::{Exited, exited, isolated_command};
use opretail_sandbox::{
    DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, Sandbox, SandboxBuilder, SandboxHandle,
};
use serde_json::Value;

/// The demo secret and password: neither may appear in any output.
const SECRETS: [&str; 2] = [DEFAULT_ASID, DEMO_PASSWORD];

/// Runs `doctor --output json` against `sandbox` as the demo user, with `akey` and `asid`,
/// and checks that neither the secret nor the password was printed.
fn doctor_with(sandbox: &SandboxHandle, akey: &str, asid: &str, format: &str) -> Exited {
    let out = exited(
        isolated_command("opretail-cli-doctor-empty-home")
            .args(["--endpoint", sandbox.url(), "--akey", akey])
            .env("OPRETAIL_ASID", asid)
            .env("OPRETAIL_USER", DEMO_USER)
            .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
            .args(["doctor", "--output", format]),
    );
    for secret in SECRETS.iter().chain([&asid]) {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "a secret was printed:\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
    // No write method exists in the sandbox: a write would have been answered
    // METHOD_NOTEXIST (9).
    assert_eq!(
        sandbox.counters().answers(9),
        0,
        "a method the sandbox lacks was called"
    );
    out
}

/// `doctor --output json` against `url` with the demo key and secret, `more` global
/// arguments and `env` set.
fn doctor_at(url: &str, more: &[&str], env: &[(&str, &str)]) -> Exited {
    let mut command = isolated_command("opretail-cli-doctor-empty-home");
    command
        .args(["--endpoint", url, "--akey", DEFAULT_AKEY])
        .args(more)
        .env("OPRETAIL_ASID", DEFAULT_ASID);
    for (name, value) in env {
        command.env(name, value);
    }
    exited(command.args(["doctor", "--output", "json"]))
}

/// The demo user's name and password, as [`doctor_at`] takes them.
const DEMO: [(&str, &str); 2] = [
    ("OPRETAIL_USER", DEMO_USER),
    ("OPRETAIL_PASSWORD", DEMO_PASSWORD),
];

/// The verdict of every check, in order, from the JSON output.
fn verdicts(out: &Exited) -> Vec<(String, String)> {
    let value: Value = serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "doctor's JSON does not parse ({e}):\n{}\n{}",
            out.stdout, out.stderr
        )
    });
    value["checks"]
        .as_array()
        .expect("checks is an array")
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn start(builder: SandboxBuilder) -> SandboxHandle {
    builder.start_blocking().expect("sandbox starts")
}

fn expect(out: &Exited, status: i32, expected: [&str; 6]) {
    let names = [
        "configuration",
        "network",
        "clock",
        "key pair",
        "user",
        "methods",
    ];
    let want: Vec<(String, String)> = names
        .iter()
        .zip(expected)
        .map(|(n, v)| ((*n).to_owned(), v.to_owned()))
        .collect();
    assert_eq!(verdicts(out), want, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.status, status, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn a_healthy_sandbox_passes_every_check() {
    let sandbox = start(Sandbox::builder());
    let out = doctor_with(&sandbox, DEFAULT_AKEY, DEFAULT_ASID, "json");
    expect(&out, 0, ["ok"; 6]);
    let value: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(value["ok"], true);
    for check in value["checks"].as_array().unwrap() {
        let fields: Vec<&str> = check
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(fields, ["check", "found", "remedy", "verdict"], "{check}");
    }
    let config = value["checks"][0]["found"].as_str().unwrap();
    assert!(
        config.contains("(flag)") && config.contains("(environment)"),
        "{config}"
    );
    assert!(config.contains("secret set, not shown"), "{config}");
    let methods = value["checks"][5]["found"].as_str().unwrap();
    for method in [
        "getDeptListByPage works",
        "getTotalData works",
        "getPassengerIndicatorData works",
        "getManyShopsPassengerIndicatorData works",
        "getAgeGroupAndGenderDistribution works",
    ] {
        assert!(methods.contains(method), "{methods}");
    }
}

#[test]
fn the_table_says_every_check_passed() {
    let sandbox = start(Sandbox::builder());
    let out = doctor_with(&sandbox, DEFAULT_AKEY, DEFAULT_ASID, "table");
    assert_eq!(out.status, 0, "{}", out.stderr);
    for name in [
        "configuration",
        "network",
        "clock",
        "key pair",
        "user",
        "methods",
    ] {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(name)),
            "{}",
            out.stdout
        );
    }
    assert!(
        out.stdout
            .ends_with("every check passed (warnings do not fail)\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn clock_skew_warns_on_the_clock_line_only() {
    let sandbox = start(Sandbox::builder().clock_skew_secs(300));
    let out = doctor_with(&sandbox, DEFAULT_AKEY, DEFAULT_ASID, "json");
    expect(&out, 0, ["ok", "ok", "warn", "ok", "ok", "ok"]);
    assert!(out.stdout.contains("code 16"), "{}", out.stdout);
}

#[test]
fn an_unknown_key_fails_the_key_pair_line() {
    let sandbox = start(Sandbox::builder().without_default_credential());
    let out = doctor_with(&sandbox, DEFAULT_AKEY, DEFAULT_ASID, "json");
    expect(&out, 1, ["ok", "ok", "ok", "fail", "skipped", "skipped"]);
    assert!(out.stdout.contains("unknown key"), "{}", out.stdout);
}

#[test]
fn a_wrong_secret_fails_the_key_pair_line_as_such() {
    let sandbox = start(Sandbox::builder());
    let wrong = "wrong-secret-never-shown-5d1e";
    let out = doctor_with(&sandbox, DEFAULT_AKEY, wrong, "json");
    expect(&out, 1, ["ok", "ok", "ok", "fail", "skipped", "skipped"]);
    assert!(
        out.stdout.contains("wrong secret") && out.stdout.contains("SIGN_WRONG"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_refused_method_fails_the_methods_line_with_its_code() {
    let sandbox = start(Sandbox::builder().refuse_method(opretail_sandbox::METHOD_TOTAL_DATA));
    let out = doctor_with(&sandbox, DEFAULT_AKEY, DEFAULT_ASID, "json");
    expect(&out, 1, ["ok", "ok", "ok", "ok", "ok", "fail"]);
    assert!(
        out.stdout
            .contains("getTotalData not granted to this app (answered 4008 METHOD_NOT_GRANTED)"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_wrong_password_and_an_unknown_user_are_told_apart() {
    let sandbox = start(Sandbox::builder());
    for (user, password, said) in [
        (DEMO_USER, "not-the-password-3e9a", "wrong password"),
        ("nobody-here", DEMO_PASSWORD, "unknown user"),
    ] {
        let out = doctor_at(
            sandbox.url(),
            &[],
            &[("OPRETAIL_USER", user), ("OPRETAIL_PASSWORD", password)],
        );
        expect(&out, 1, ["ok", "ok", "ok", "ok", "fail", "skipped"]);
        assert!(out.stdout.contains(said), "{}", out.stdout);
        assert!(!out.stdout.contains(password) && !out.stderr.contains(password));
        assert!(!out.stdout.contains(DEFAULT_ASID) && !out.stderr.contains(DEFAULT_ASID));
    }
}

#[test]
fn a_gateway_that_is_not_there_fails_the_network_line() {
    // A port just freed on a loopback address of this test's own, so that no other test can
    // take it meanwhile: nothing listens there any more.
    let own: std::net::SocketAddr = "127.41.7.3:0".parse().unwrap();
    let sandbox = start(Sandbox::builder().listen(own));
    let url = sandbox.url().to_owned();
    sandbox.shutdown_blocking();
    let out = doctor_at(&url, &["--timeout", "5"], &[]);
    expect(
        &out,
        1,
        ["ok", "fail", "skipped", "skipped", "skipped", "skipped"],
    );
}

#[test]
fn missing_credentials_fail_the_configuration_line() {
    let out = exited(
        isolated_command("opretail-cli-doctor-empty-home")
            .args(["--endpoint", "http://127.0.0.1:9/m.api"])
            .args(["doctor", "--output", "json"]),
    );
    expect(
        &out,
        1,
        [
            "fail", "skipped", "skipped", "skipped", "skipped", "skipped",
        ],
    );
}

#[test]
fn a_wrong_application_id_fails_the_key_pair_line_as_such() {
    let sandbox = start(Sandbox::builder());
    let out = doctor_at(sandbox.url(), &["--aid", "NOT-OURS"], &[]);
    expect(&out, 1, ["ok", "ok", "ok", "fail", "skipped", "skipped"]);
    assert!(out.stdout.contains("wrong _aid"), "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn a_config_file_others_can_read_warns_and_settings_say_where_they_came_from() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = start(Sandbox::builder());
    let dir = std::env::temp_dir().join(format!("opretail-doctor-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "endpoint = \"{}\"\nakey = \"{DEFAULT_AKEY}\"\nasid = \"{DEFAULT_ASID}\"\n\
             environment = \"test\"\n",
            sandbox.url()
        ),
    )
    .unwrap();
    let run = |mode: u32| {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        exited(
            isolated_command("opretail-cli-doctor-empty-home")
                .env("OPRETAIL_CONFIG", &file)
                .env("OPRETAIL_USER", DEMO_USER)
                .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
                .args(["doctor", "--output", "json"]),
        )
    };
    let open = run(0o644);
    expect(&open, 0, ["warn", "ok", "ok", "ok", "ok", "ok"]);
    assert!(open.stdout.contains("chmod 600"), "{}", open.stdout);
    // The file is read twice (settings, then where each came from) but warned about once.
    assert_eq!(
        open.stderr.matches("holds a secret").count(),
        1,
        "{}",
        open.stderr
    );
    let value: Value = serde_json::from_str(open.stdout.trim()).unwrap();
    let found = value["checks"][0]["found"].as_str().unwrap();
    assert!(
        found.contains(&format!("endpoint {} (file)", sandbox.url())),
        "{found}"
    );
    assert!(
        found.contains("(7 characters) (file)") && found.contains("secret set, not shown (file)"),
        "{found}"
    );
    assert!(found.contains("mode 644"), "{found}");
    assert!(found.contains("environment header test (file)"), "{found}");
    let private = run(0o600);
    expect(&private, 0, ["ok"; 6]);
    for out in [&open, &private] {
        assert!(!out.stdout.contains(DEFAULT_ASID) && !out.stderr.contains(DEFAULT_ASID));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_run_is_bounded_by_the_timeout() {
    let sandbox = start(Sandbox::builder().faults(
        opretail_sandbox::FaultPlan::default().with_latency(
            std::time::Duration::from_secs(60),
            std::time::Duration::ZERO,
        ),
    ));
    let out = doctor_at(sandbox.url(), &["--timeout", "1"], &[]);
    expect(
        &out,
        1,
        ["ok", "fail", "skipped", "skipped", "skipped", "skipped"],
    );
}

#[test]
fn https_is_checked_with_the_configured_roots() {
    let sandbox = start(Sandbox::builder().tls(true));
    let dir = std::env::temp_dir().join(format!("opretail-doctor-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, sandbox.ca_cert_pem().expect("a TLS sandbox has a CA")).unwrap();
    let run = |extra: &[&str]| doctor_at(sandbox.url(), extra, &DEMO);
    let trusted = run(&["--ca-cert", ca.to_str().expect("a UTF-8 path")]);
    expect(&trusted, 0, ["ok"; 6]);
    assert!(
        trusted
            .stdout
            .contains("TLS handshake with the configured roots succeeded"),
        "{}",
        trusted.stdout
    );
    let untrusted = run(&[]);
    expect(
        &untrusted,
        1,
        ["ok", "fail", "skipped", "skipped", "skipped", "skipped"],
    );
    assert!(
        untrusted.stdout.contains("--ca-cert"),
        "{}",
        untrusted.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_password_in_the_endpoint_is_not_shown() {
    let url = "https://someone:url-password-4b7c@127.0.0.1:9/m.api";
    let out = doctor_at(url, &[], &[]);
    assert!(
        !out.stdout.contains("url-password-4b7c") && !out.stderr.contains("url-password-4b7c"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stdout.contains(DEFAULT_ASID) && !out.stderr.contains(DEFAULT_ASID));
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    let checks = verdicts(&out);
    assert_eq!(
        checks[0],
        ("configuration".to_owned(), "fail".to_owned()),
        "{}",
        out.stdout
    );
}
