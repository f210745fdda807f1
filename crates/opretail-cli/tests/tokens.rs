//! The token kept by `opretail login`, through the binary against sandboxes on loopback: it
//! goes only to the gateway, developer key, application id and user it was issued for; the
//! embedded sandbox never touches it; a user set without a password uses it; a broken token
//! file is refused by name; and the password prompt gives the terminal its echo back whatever
//! ends it.

use std::path::{Path, PathBuf};

mod common;

use common::Exited;
use opretail_sandbox::{DEFAULT_AKEY, DEMO_PASSWORD, DEMO_USER, Sandbox};
use serde_json::Value;

/// A fresh cache directory for one test.
fn cache_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("opretail-cli-tokens-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The binary with `cache` as its cache directory and `env` set.
fn run_in(cache: &Path, args: &[String], env: &[(&str, &str)]) -> Exited {
    common::exited(common::isolated_in("opretail-cli-tokens-empty-home", cache, env).args(args))
}

/// `--endpoint` of `sandbox` with its demo developer key and secret, then `rest`.
fn to(sandbox: &opretail_sandbox::SandboxHandle, rest: &[&str]) -> Vec<String> {
    common::gateway(sandbox.url())
        .iter()
        .chain(rest)
        .map(|s| (*s).to_owned())
        .collect()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

const DEMO: &[(&str, &str)] = &[
    ("OPRETAIL_USER", DEMO_USER),
    ("OPRETAIL_PASSWORD", DEMO_PASSWORD),
];

fn token_file(cache: &Path) -> PathBuf {
    cache.join("opretail").join("token")
}

/// Logs the demo user in to `sandbox`, keeping the token in `cache`; returns the token file's
/// contents.
fn login(cache: &Path, sandbox: &opretail_sandbox::SandboxHandle) -> Value {
    let out = run_in(cache, &to(sandbox, &["login"]), DEMO);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(token_file(cache)).expect("the token is kept");
    // A bare token is what `login` wrote before tokens were bound: read so, the other checks
    // still say what such a file lets happen.
    serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({ "token": text.trim() }))
}

fn token_of(file: &Value) -> &str {
    file["token"].as_str().expect("a token")
}

#[test]
fn a_kept_token_goes_only_to_the_gateway_key_application_and_user_it_was_issued_for() {
    let issuer = Sandbox::builder().start_blocking().expect("sandbox starts");
    let other = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("binding");
    let file = login(&cache, &issuer);
    let token = token_of(&file).to_owned();
    assert_eq!(file["user"], DEMO_USER);
    assert_eq!(file["akey"], DEFAULT_AKEY);
    assert_eq!(file["profile"], "classic");
    assert_eq!(file["aid"], "S107");
    assert!(
        file["endpoint"]
            .as_str()
            .is_some_and(|e| e.starts_with(issuer.url().trim_end_matches('/'))),
        "{file}"
    );

    // Where it was issued: used.
    let out = run_in(&cache, &to(&issuer, &["stores", "--output", "ndjson"]), &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.lines().count() > 1);

    // Another endpoint: as if no token were kept, so nothing is sent at all; `-v` says why,
    // without the token.
    let out = run_in(&cache, &to(&other, &["-v", "stores"]), &[]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_eq!(
        other.counters().requests(),
        0,
        "the token went to {}",
        other.url()
    );
    assert!(out.stderr.contains("opretail login"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("is not used: it was issued for the endpoint"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&token));

    // Another developer key, or another application id, at the same endpoint: not sent either.
    let before = issuer.counters().requests();
    let mut other_key = to(&issuer, &["stores"]);
    other_key[3] = "another-key".to_owned();
    let other_aid = to(&issuer, &["--aid", "DC-0042", "stores"]);
    for command in [other_key, other_aid] {
        let out = run_in(&cache, &command, &[]);
        assert_eq!(out.status, 1, "{command:?}: {}", out.stderr);
        assert!(out.stderr.contains("opretail login"), "{}", out.stderr);
        assert_eq!(issuer.counters().requests(), before, "{command:?}");
    }

    // Another user, without a password: a usage error, nothing sent.
    let out = run_in(
        &cache,
        &to(&issuer, &["stores"]),
        &[("OPRETAIL_USER", "someone-else")],
    );
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("opretail login"), "{}", out.stderr);
    assert_eq!(issuer.counters().requests(), before);
}

#[test]
fn a_user_without_a_password_uses_the_token_kept_for_that_user() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("user");
    let user = &[("OPRETAIL_USER", DEMO_USER)];
    let stores = to(&sandbox, &["stores", "--output", "ndjson"]);

    // Nothing kept yet: a usage error that says to log in, before anything is sent.
    let out = run_in(&cache, &stores, user);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("opretail login"), "{}", out.stderr);
    assert_eq!(sandbox.counters().requests(), 0);

    // The README's workflow: the user in the environment, `login`, then commands.
    let file = login(&cache, &sandbox);
    let logins = sandbox.counters().logins();
    let out = run_in(&cache, &stores, user);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.lines().count() > 1, "{}", out.stdout);
    assert_eq!(
        sandbox.counters().logins(),
        logins,
        "the kept token is used"
    );
    assert!(!out.stderr.contains(token_of(&file)));
}

#[test]
fn the_embedded_sandbox_never_touches_the_kept_token_and_logout_says_whose_it_removed() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("sandbox");
    let file = login(&cache, &sandbox);
    let token = token_of(&file).to_owned();
    let path = token_file(&cache);
    let kept = std::fs::read(&path).expect("kept");

    let out = run_in(&cache, &args(&["--sandbox", "login"]), &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("not kept"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(&path).expect("still kept"),
        kept,
        "overwritten"
    );

    let out = run_in(&cache, &args(&["--sandbox", "logout"]), &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(std::fs::read(&path).expect("still kept"), kept, "removed");

    let out = run_in(&cache, &args(&["logout"]), &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(!path.exists());
    let endpoint = file["endpoint"].as_str().expect("an endpoint");
    assert!(
        out.stderr
            .contains(&format!("removed the token of {DEMO_USER} for {endpoint}")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&token));

    let out = run_in(&cache, &args(&["logout"]), &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("nothing to do"), "{}", out.stderr);
}

#[test]
fn a_token_file_of_the_older_format_is_never_used() {
    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("older");
    let file = login(&cache, &sandbox);
    // What `login` used to write: the bare token, bound to nothing.
    std::fs::write(token_file(&cache), format!("{}\n", token_of(&file))).expect("written");
    let before = sandbox.counters().requests();

    let out = run_in(&cache, &to(&sandbox, &["-v", "stores"]), &[]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("older format"), "{}", out.stderr);
    assert!(out.stderr.contains("opretail login"), "{}", out.stderr);
    assert_eq!(sandbox.counters().requests(), before, "the token was sent");
    assert!(!out.stderr.contains(token_of(&file)));

    let out = run_in(&cache, &args(&["logout"]), &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("older format"), "{}", out.stderr);
    assert!(!token_file(&cache).exists());
}

/// A token file that `login` would not have written is an error naming the file: nothing
/// is sent, and `logout` still removes it.
#[cfg(unix)]
#[test]
fn a_broken_token_file_is_refused_by_name() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    let cache = cache_dir("broken");
    let file = login(&cache, &sandbox);
    let path = token_file(&cache);
    let dir_mode = std::fs::metadata(path.parent().expect("a directory"))
        .expect("the directory")
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700, "{dir_mode:o}");

    let with_token = |token: &str| {
        let mut file = file.clone();
        file["token"] = token.into();
        file.to_string()
    };
    let elsewhere = cache.join("elsewhere.json");
    std::fs::write(&elsewhere, file.to_string()).expect("written");
    // What the file holds, or `None` for a link to a valid token file.
    let cases: [(&str, Option<Vec<u8>>); 4] = [
        ("is not UTF-8", Some(b"\xff\xfe token\n".to_vec())),
        (
            "holds a token with a line break",
            Some(with_token("abc\ndef").into_bytes()),
        ),
        (
            "is larger than 64 KiB",
            Some(with_token(&"t".repeat(70_000)).into_bytes()),
        ),
        ("is a symbolic link", None),
    ];
    let before = sandbox.counters().requests();
    for (expected, contents) in cases {
        match contents {
            Some(bytes) => std::fs::write(&path, bytes).expect("written"),
            None => std::os::unix::fs::symlink(&elsewhere, &path).expect("linked"),
        }
        let out = run_in(&cache, &to(&sandbox, &["stores"]), &[]);
        assert_eq!(out.status, 2, "{expected}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
        assert!(
            out.stderr.contains(&path.display().to_string()),
            "{expected}: {}",
            out.stderr
        );
        assert_eq!(sandbox.counters().requests(), before, "{expected}");

        let out = run_in(&cache, &args(&["logout"]), &[]);
        assert_eq!(out.status, 0, "{expected}: {}", out.stderr);
        assert!(std::fs::symlink_metadata(&path).is_err(), "{expected}");
    }
    assert!(
        elsewhere.exists(),
        "logout removed the link, not its target"
    );
}

/// `opretail login` on a pseudo-terminal (util-linux's `script`), ended at the password prompt
/// by a typed Ctrl-C, SIGINT or SIGTERM: the shell that ran it has echo and line editing back.
#[cfg(target_os = "linux")]
#[test]
fn ending_the_password_prompt_gives_the_terminal_its_echo_back() {
    use rustix::process::Signal;

    let sandbox = Sandbox::builder().start_blocking().expect("sandbox starts");
    for (ending, code) in [("ctrl-c", 130), ("sigint", 130), ("sigterm", 143)] {
        let cache = cache_dir(&format!("prompt-{ending}"));
        let modes = common::terminal::login_at_the_prompt(
            sandbox.url(),
            "; echo status=$?; stty -a",
            "opretail-cli-tokens-empty-home",
            &cache,
            |stdin, opretail| {
                use std::io::Write;
                match ending {
                    "ctrl-c" => stdin.write_all(b"\x03").expect("typed"),
                    "sigint" => kill(opretail, Signal::INT),
                    _ => kill(opretail, Signal::TERM),
                }
            },
        );
        assert!(
            modes.contains(&format!("status={code}")),
            "{ending}: {modes}"
        );
        let modes: Vec<&str> = modes
            .split_whitespace()
            .map(|m| m.trim_end_matches(';'))
            .collect();
        for mode in ["echo", "icanon", "isig"] {
            assert!(modes.contains(&mode), "{ending}: {mode} is off: {modes:?}");
        }
        assert!(!token_file(&cache).exists(), "{ending}");
    }
    assert_eq!(sandbox.counters().requests(), 0, "nothing is sent");
}

#[cfg(target_os = "linux")]
fn kill(pid: u32, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).expect("a process id");
    rustix::process::kill_process(pid, signal).expect("the signal is sent");
}
