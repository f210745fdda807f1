//! `_sm=rsa` through the binary: `opretail sign` against the OpenSSL vectors, calls signed
//! with a private key against a sandbox that knows its public half, and a key that never
//! shows.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use opretail_sandbox::{Sandbox, SandboxHandle};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A private copy of a test key (readable by its owner only, as a real one would be).
fn private_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opretail-rsa-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::copy(data(name), &path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn opretail() -> Command {
    common::isolated(Command::new(env!("CARGO_BIN_EXE_opretail")), "rsa")
}

struct Ran {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Ran {
    let out = command.output().expect("the binary runs");
    let ran = Ran {
        status: out.status.code().expect("an exit"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    ran
}

/// Pieces of the private key's body: none may ever be printed.
fn key_pieces() -> Vec<String> {
    let body = std::fs::read_to_string(data("rsa-test-key.console.txt")).unwrap();
    body.as_bytes()
        .chunks(16)
        .skip(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

fn assert_no_key_in(text: &str) {
    for piece in key_pieces() {
        assert!(
            !text.contains(&piece),
            "a piece of the private key was printed: {text}"
        );
    }
}

#[test]
fn sign_reproduces_the_openssl_vectors_and_verify_tells_them_apart() {
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("rsa-vectors.json")).unwrap()).unwrap();
    for key in ["rsa-test-key.pem", "rsa-test-key.console.txt"] {
        let key = private_copy(key);
        for case in vectors["cases"].as_array().unwrap() {
            let pairs: Vec<String> = case["params"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                .collect();
            let signed = run(opretail()
                .args(["sign", "--sign-method", "rsa", "--private-key"])
                .arg(&key)
                .args(&pairs));
            assert_eq!(signed.status, 0, "{}", signed.stderr);
            assert_eq!(signed.stdout.trim(), case["sig"], "{}", case["name"]);
            assert_no_key_in(&signed.stdout);
            assert_no_key_in(&signed.stderr);
            let checked = run(opretail()
                .args(["sign", "--public-key"])
                .arg(data("rsa-test-key.pub.pem"))
                .args(["--verify", case["sig"].as_str().unwrap()])
                .args(&pairs));
            assert_eq!((checked.status, checked.stdout.trim()), (0, "valid"));
            let tampered = run(opretail()
                .args(["sign", "--public-key"])
                .arg(data("rsa-test-key.pub.pem"))
                .args(["--verify", case["sig"].as_str().unwrap(), "extra=1"])
                .args(&pairs));
            assert_eq!((tampered.status, tampered.stdout.trim()), (1, "invalid"));
        }
    }
}

fn rsa_sandbox() -> SandboxHandle {
    let public = std::fs::read_to_string(data("rsa-test-key.pub.pem")).unwrap();
    Sandbox::builder()
        .rsa_public_key(opretail_sign::RsaVerifyingKey::from_text(&public).unwrap())
        .start_blocking()
        .unwrap()
}

#[test]
fn calls_signed_with_the_private_key_need_no_akey_and_another_key_is_refused() {
    let sandbox = rsa_sandbox();
    let key = private_copy("rsa-test-key.pem");
    let ok = run(opretail()
        .args(["-vv", "--endpoint", sandbox.url(), "--private-key"])
        .arg(&key)
        .args(common::words(
            "passenger-flow total --id S_1001 --output json",
        )));
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    assert_eq!(common::json(&ok.stdout)[0]["ok"], true);
    assert_no_key_in(&ok.stdout);
    assert_no_key_in(&ok.stderr);
    assert!(
        !ok.stderr.contains("_akey="),
        "no _akey in rsa mode: {}",
        ok.stderr
    );

    let other = private_copy("rsa-other-key.pem");
    let refused = run(opretail()
        .args([
            "--endpoint",
            sandbox.url(),
            "--sign-method",
            "rsa",
            "--private-key",
        ])
        .arg(&other)
        .args(common::words(
            "passenger-flow total --id S_1001 --output json",
        )));
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(refused.stdout.contains("SIGN_WRONG"), "{}", refused.stdout);

    // The embedded sandbox learns the key's public half by itself.
    let embedded = run(opretail()
        .args(["--sandbox", "--private-key"])
        .arg(&key)
        .args(common::words(
            "passenger-flow total --id S_1001 --output json",
        )));
    assert_eq!(embedded.status, 0, "{}", embedded.stderr);
}

#[test]
fn a_missing_or_bad_key_and_a_clash_of_methods_are_usage_errors_that_show_no_key() {
    let key = private_copy("rsa-test-key.pem");
    let public = data("rsa-test-key.pub.pem");
    let garbage = std::env::temp_dir().join(format!("opretail-rsa-garbage-{}", std::process::id()));
    std::fs::write(&garbage, "not a key!").unwrap();
    let total = ["passenger-flow", "total", "--id", "S_1001"];
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec!["--sign-method".into(), "rsa".into()],
            "needs the private key",
        ),
        (
            vec![
                "--sign-method".into(),
                "md5".into(),
                "--private-key".into(),
                key.clone().into(),
            ],
            "drop the private key or use --sign-method rsa",
        ),
        (
            vec!["--private-key".into(), "/nonexistent/key.pem".into()],
            "cannot read the private key file",
        ),
        (
            vec!["--private-key".into(), garbage.clone().into()],
            "neither PEM nor base64",
        ),
        (
            vec!["--private-key".into(), public.into()],
            "not an RSA private key",
        ),
    ];
    for (args, expected) in cases {
        let ran = run(opretail()
            .args(["--endpoint", "https://gateway.invalid/m.api"])
            .args(&args)
            .args(total));
        assert_eq!(ran.status, 2, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(expected), "{args:?}: {}", ran.stderr);
        assert_no_key_in(&ran.stderr);
    }
    let help = run(opretail().arg("--help"));
    assert!(help.stdout.contains("--private-key"));
    assert_no_key_in(&help.stdout);
}

#[test]
fn doctor_shows_the_rsa_mode_and_passes_with_a_registered_key() {
    let key = private_copy("rsa-test-key.pem");
    let ran = run(opretail()
        .args(["--sandbox", "--private-key"])
        .arg(&key)
        .args(["doctor", "--output", "json"]));
    assert_eq!(ran.status, 0, "{}{}", ran.stdout, ran.stderr);
    let report = common::json(&ran.stdout);
    let configuration = report["checks"][0]["found"].as_str().unwrap();
    assert!(
        configuration.contains("sign method rsa (flag)"),
        "{configuration}"
    );
    assert!(
        configuration.contains("_akey not sent (rsa)"),
        "{configuration}"
    );
    assert_no_key_in(&ran.stdout);
    assert_no_key_in(&ran.stderr);
}
