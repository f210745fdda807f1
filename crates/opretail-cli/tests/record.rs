//! `--record DIR` and `--replay DIR` through the binary: what is written (and what never
//! is), and a recorded answer served back by the sandbox.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use opretail_sandbox::{DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, Sandbox};

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opretail-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn opretail() -> Command {
    common::isolated(Command::new(env!("CARGO_BIN_EXE_opretail")), "record")
}

fn run(command: &mut Command) -> (i32, String, String) {
    let out = command.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().expect("an exit"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// Every recorded file of `dir` (not the README), by name.
fn recorded(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_recording_holds_each_exchange_and_no_secret_token_or_password() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let out = dir("secrets");
    // A token of the demo user, to prove it never reaches the files.
    let (status, token_run, stderr) = run(opretail()
        .env("OPRETAIL_USER", DEMO_USER)
        .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
        .args(common::gateway(sandbox.url()))
        .arg("--record")
        .arg(&out)
        .args(["stores", "--output", "json"]));
    assert_eq!(status, 0, "{stderr}");
    assert!(token_run.contains("S_1001"));
    let (status, _, stderr) = run(opretail()
        .env("OPRETAIL_USER", DEMO_USER)
        .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
        .args(common::gateway(sandbox.url()))
        .args(["--nonce", "--record"])
        .arg(&out)
        .args(common::words(
            "passenger-flow total --id S_1001 --id S_1002",
        )));
    assert_eq!(status, 0, "{stderr}");

    let files = recorded(&out);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names[0].starts_with("0001-open.shopweb.security.mobileLogin"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("getDeptListByPage")),
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| n.contains("getTotalData")).count(),
        2,
        "{names:?}"
    );
    // Numbered after the first run's files, in one sequence.
    for (i, name) in names.iter().enumerate() {
        assert!(name.starts_with(&format!("{:04}-", i + 1)), "{names:?}");
    }
    let login: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(login["params"]["password"], "<removed>");
    assert_eq!(login["answer"]["data"]["token"], "<removed>");
    assert_eq!(login["params"]["userName"], DEMO_USER);
    for (name, text) in &files {
        for secret in [
            DEFAULT_ASID,
            DEMO_PASSWORD,
            "_sig",
            "_akey",
            "_nonce",
            "_timestamp",
        ] {
            assert!(!text.contains(secret), "{secret} in {name}: {text}");
        }
        let exchange: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(exchange["status"], 200, "{name}");
        assert!(exchange["at"].as_str().unwrap().ends_with('Z'), "{name}");
    }
    let readme = std::fs::read_to_string(out.join("README")).unwrap();
    assert!(readme.contains("<removed>") && readme.contains("--replay"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700);
        assert_eq!(mode(&out.join(&files[0].0)), 0o600);
    }
}

#[test]
fn a_replaying_sandbox_answers_recorded_calls_with_the_recorded_answer() {
    let out = dir("replay");
    let (status, _, stderr) =
        run(opretail()
            .args(["--sandbox", "--record"])
            .arg(&out)
            .args(common::words(
                "passenger-flow total --id S_1001 --output json",
            )));
    assert_eq!(status, 0, "{stderr}");
    // Change the recorded figure: only a replay can show it.
    let (name, text) = recorded(&out).remove(0);
    let mut exchange: serde_json::Value = serde_json::from_str(&text).unwrap();
    exchange["answer"]["data"]["DAY_FLOW"] = 4_242_424.into();
    std::fs::write(out.join(&name), exchange.to_string()).unwrap();

    let (status, stdout, stderr) = run(opretail()
        .args(["--sandbox", "--replay"])
        .arg(&out)
        .args(common::words(
            "passenger-flow total --id S_1001 --id S_1002",
        ))
        .args(["--output", "json"]));
    assert_eq!(status, 0, "{stderr}");
    let rows = common::json(&stdout);
    assert_eq!(rows[0]["data"]["day_flow"], 4_242_424, "{stdout}");
    assert_ne!(
        rows[1]["data"]["day_flow"], 4_242_424,
        "an unrecorded call is answered as usual"
    );

    // A file that is not a recorded exchange stops the start, naming it.
    std::fs::write(out.join("9999-broken.json"), "{\"method\": 1}").unwrap();
    let (status, _, stderr) = run(opretail()
        .args(["--sandbox", "--replay"])
        .arg(&out)
        .args(common::words("passenger-flow total --id S_1001")));
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("9999-broken.json"), "{stderr}");
    // --replay is for the embedded sandbox.
    let (status, _, stderr) = run(opretail()
        .arg("--replay")
        .arg(&out)
        .args(common::words("passenger-flow total --id S_1001")));
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("--sandbox"), "{stderr}");
}
