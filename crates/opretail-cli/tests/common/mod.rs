#![allow(dead_code)] // each test binary uses its own part of this module

//! What every test of the binary shares.

use std::path::Path;

use assert_cmd::Command;
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID};

#[cfg(target_os = "linux")]
pub mod terminal;

/// The `opretail` binary, cut off from the settings of the machine running the tests: no
/// `OPRETAIL_*` or `RUST_LOG` variable of the environment, and an empty home directory so that
/// no config file leaks in.
pub fn isolated_command(home_name: &str) -> Command {
    Command::from_std(isolated(
        std::process::Command::new(env!("CARGO_BIN_EXE_opretail")),
        home_name,
    ))
}

/// [`isolated_command`] with `cache` as its cache directory (where `login` keeps the token)
/// and `env` set.
pub fn isolated_in(home_name: &str, cache: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = isolated_command(home_name);
    command.env("XDG_CACHE_HOME", cache);
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// `command` (the binary, or a program that runs it) with the isolation of
/// [`isolated_command`].
pub fn isolated(mut command: std::process::Command, home_name: &str) -> std::process::Command {
    for var in [
        "OPRETAIL_ENDPOINT",
        "OPRETAIL_AKEY",
        "OPRETAIL_ASID",
        "OPRETAIL_SIGN_METHOD",
        "OPRETAIL_TIMEOUT",
        "OPRETAIL_CONFIG",
        "OPRETAIL_CA_CERT",
        "OPRETAIL_AID",
        "OPRETAIL_USER",
        "OPRETAIL_PASSWORD",
        "OPRETAIL_SYNC_TO",
        "OPRETAIL_TOKEN",
        "OPRETAIL_LOGIN_METHOD",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    let home = std::env::temp_dir().join(home_name);
    command
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"));
    command
}

/// What a run of the binary gave: the exit status (`None` after a signal) and its output,
/// decoded lossily so that a test can show whatever came.
pub struct Output {
    /// The exit status.
    pub status: Option<i32>,
    /// Stdout.
    pub stdout: String,
    /// Stderr.
    pub stderr: String,
}

/// Runs `command` to its end; a panic of the binary fails the test whatever it asserts.
pub fn output(command: &mut Command) -> Output {
    let out = command.output().expect("the binary runs");
    let out = Output {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!out.stderr.contains("panicked"), "a panic: {}", out.stderr);
    out
}

/// What a run of the binary that ended by itself gave, its output being UTF-8.
pub struct Exited {
    /// The exit status.
    pub status: i32,
    /// Stdout.
    pub stdout: String,
    /// Stderr.
    pub stderr: String,
}

/// Runs `command` to its end, which must be an exit (not a signal) with UTF-8 output.
pub fn exited(command: &mut Command) -> Exited {
    let out = command.output().expect("the binary runs");
    Exited {
        status: out.status.code().expect("the binary exits normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The flags that reach the gateway at `url` with the sandbox's default developer key and
/// secret.
pub fn gateway(url: &str) -> [&str; 6] {
    [
        "--endpoint",
        url,
        "--akey",
        DEFAULT_AKEY,
        "--asid",
        DEFAULT_ASID,
    ]
}

/// The words of a command line: `"stores --output json"` gives `["stores", "--output",
/// "json"]`.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The `id` of every element of the JSON array `text`, in order (`""` where one has none).
pub fn ids_in(text: &str) -> Vec<String> {
    json(text)
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Parses `text` as JSON, showing it when it is not.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Sends `signal` (`-TERM`, `-INT`) to the process `pid`.
#[cfg(unix)]
pub fn kill(signal: &str, pid: u32) {
    let sent = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}

/// A file `name` holding `contents`, in a directory of this test run.
pub fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("opretail-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("temp file");
    path
}
