//! `_sm=rsa`: the vectors made with OpenSSL, every accepted key form, and keys that never
//! show their material.

use opretail_sign::{RsaSigningKey, RsaVerifyingKey, sign_rsa, verify_rsa};
use serde::Deserialize;

const KEY_PEM: &str = include_str!("data/rsa-test-key.pem");
const KEY_PKCS1_PEM: &str = include_str!("data/rsa-test-key.pkcs1.pem");
const KEY_CONSOLE: &str = include_str!("data/rsa-test-key.console.txt");
const PUBLIC_PEM: &str = include_str!("data/rsa-test-key.pub.pem");
const PUBLIC_CONSOLE: &str = include_str!("data/rsa-test-key.pub.console.txt");

#[derive(Deserialize)]
struct Vectors {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    params: serde_json::Map<String, serde_json::Value>,
    canonical: String,
    sig: String,
}

fn cases() -> Vec<Case> {
    let vectors: Vectors =
        serde_json::from_str(include_str!("data/rsa-vectors.json")).expect("valid JSON");
    assert_eq!(vectors.cases.len(), 3, "the vector file lost cases");
    vectors.cases
}

fn pairs(case: &Case) -> Vec<(String, String)> {
    case.params
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn every_key_form_signs_the_openssl_vectors() {
    for text in [
        KEY_PEM,
        KEY_PKCS1_PEM,
        KEY_CONSOLE,
        &KEY_CONSOLE.replace('A', "A\n")[..],
    ] {
        let key = RsaSigningKey::from_text(text).expect("the key reads");
        for case in cases() {
            assert_eq!(
                sign_rsa(&key, &pairs(&case)).as_str(),
                case.sig,
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn the_vectors_verify_with_either_public_form_and_nothing_else_does() {
    let key = RsaSigningKey::from_text(KEY_PEM).unwrap();
    for public in [
        RsaVerifyingKey::from_text(PUBLIC_PEM).unwrap(),
        RsaVerifyingKey::from_text(PUBLIC_CONSOLE).unwrap(),
        key.verifying_key(),
    ] {
        for case in cases() {
            let pairs = pairs(&case);
            assert!(verify_rsa(&public, &pairs, &case.sig), "{}", case.name);
            // `_sig` is never signed, whatever it holds.
            let mut with_sig = pairs.clone();
            with_sig.retain(|(k, _)| k != "_sig");
            with_sig.push(("_sig".into(), "anything".into()));
            assert!(verify_rsa(&public, &with_sig, &case.sig), "{}", case.name);
            let mut tampered = pairs.clone();
            tampered[0].1.push('x');
            assert!(!verify_rsa(&public, &tampered, &case.sig), "{}", case.name);
            assert!(!verify_rsa(&public, &pairs, "not base64!"), "{}", case.name);
            assert!(!verify_rsa(&public, &pairs, "AAAA"), "{}", case.name);
            assert!(!case.canonical.is_empty());
        }
    }
}

#[test]
fn keys_never_show_their_material_and_bad_keys_say_what_to_give() {
    let key = RsaSigningKey::from_text(KEY_PEM).unwrap();
    let shown = format!("{key:?} {:?}", key.verifying_key());
    assert_eq!(
        shown,
        "RsaSigningKey(1024 bits, material not shown) RsaVerifyingKey(1024 bits)"
    );
    let body: String = KEY_CONSOLE.chars().skip(40).take(24).collect();
    for (text, expected) in [
        ("", "empty"),
        ("  \n", "empty"),
        ("not a key!", "neither PEM nor base64"),
        ("QUJD", "not a readable RSA key"),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----",
            "openssl pkcs8",
        ),
        (PUBLIC_PEM, "not an RSA private key"),
        (
            &KEY_CONSOLE[..KEY_CONSOLE.len() / 2],
            "not a readable RSA key",
        ),
    ] {
        let error = RsaSigningKey::from_text(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text:?}: {error}");
        assert!(!error.contains(&body), "{error}");
    }
    let error = RsaVerifyingKey::from_text(KEY_PEM).unwrap_err().to_string();
    assert!(error.contains("not an RSA public key"), "{error}");
}
