//! Every case of the gateway's signing vectors: the canonical string where the vector gives
//! one, then the signature, then verification in both hex cases.

use opretail_sign::{SECRET_MASK, SignMethod, explain, sign, verify};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    secret: String,
    method: String,
    params: serde_json::Map<String, serde_json::Value>,
    canonical: Option<String>,
    sig: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("data/signing-vectors.json");
    let vectors: Vectors = serde_json::from_str(text).expect("vector file is valid JSON");
    assert!(vectors.cases.len() >= 7, "the vector file lost cases");
    vectors.cases
}

fn pairs(case: &Case) -> Vec<(String, String)> {
    case.params
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("vector values are strings").to_owned(),
            )
        })
        .collect()
}

#[test]
fn canonical_strings_match_where_given() {
    let mut checked = 0;
    for case in cases() {
        let Some(canonical) = &case.canonical else {
            continue;
        };
        let middle = canonical
            .strip_prefix(case.secret.as_str())
            .and_then(|rest| rest.strip_suffix(case.secret.as_str()))
            .expect("vector canonical strings are wrapped in the secret");
        // A value equal to the secret (the vendor's example uses `test` for both) is masked too.
        let middle = middle.replace(case.secret.as_str(), SECRET_MASK);
        let expected = format!("{SECRET_MASK}{middle}{SECRET_MASK}");
        assert_eq!(
            explain(&pairs(&case), &case.secret).as_str(),
            expected,
            "case {}",
            case.name
        );
        checked += 1;
    }
    assert!(checked >= 5);
}

#[test]
fn signatures_match_every_vector() {
    for case in cases() {
        let method: SignMethod = case.method.parse().expect("known method");
        let sig = sign(method, &case.secret, &pairs(&case));
        assert_eq!(sig.as_str(), case.sig, "case {}", case.name);
        assert_eq!(sig.as_str().len(), method.hex_len(), "case {}", case.name);
    }
}

#[test]
fn verifier_accepts_every_vector_in_both_cases_and_rejects_a_wrong_secret() {
    for case in cases() {
        let method: SignMethod = case.method.parse().expect("known method");
        let pairs = pairs(&case);
        assert!(
            verify(method, &pairs, &case.secret, &case.sig),
            "case {}",
            case.name
        );
        assert!(
            verify(method, &pairs, &case.secret, &case.sig.to_lowercase()),
            "case {}",
            case.name
        );
        assert!(
            !verify(method, &pairs, "not-the-secret", &case.sig),
            "case {}",
            case.name
        );
        assert!(
            !verify(method, &pairs, &case.secret, &case.sig[1..]),
            "case {}",
            case.name
        );
    }
}

#[test]
fn a_sig_pair_is_never_signed() {
    for case in cases() {
        let method: SignMethod = case.method.parse().expect("known method");
        let mut with_sig = pairs(&case);
        with_sig.push(("_sig".into(), case.sig.clone()));
        assert_eq!(
            sign(method, &case.secret, &with_sig).as_str(),
            case.sig,
            "case {}",
            case.name
        );
    }
}
