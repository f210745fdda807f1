//! The gateway's checks of the common parameters, in the order the sandbox applies them.
//!
//! Pure: the time is a parameter and nothing is recorded. Replay protection, which needs
//! memory of earlier requests, comes after these checks (see `replay`).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use opretail_model::ReturnCode;
use opretail_sign::{RSA_SIGN_METHOD, RsaVerifyingKey, SignMethod, verify, verify_rsa};

use crate::call::{Handler, Registry};
use crate::clock::parse_timestamp;
use crate::params::Params;
use crate::platform::Platform;
use crate::rejection::Rejection;

/// The `_aid` of the classic gateway: the model's, defined once.
pub use opretail_model::DEFAULT_AID as GATEWAY_AID;

/// A registered developer key.
#[derive(Clone)]
pub(crate) struct Credential {
    pub(crate) secret: String,
    pub(crate) expired: bool,
}

/// What validation needs to know besides the request.
pub(crate) struct Rules {
    pub(crate) credentials: HashMap<String, Credential>,
    pub(crate) tolerance_secs: i64,
    pub(crate) registry: Registry,
    /// The public key `_sm=rsa` calls are verified with, when one is configured.
    pub(crate) rsa_public_key: Option<RsaVerifyingKey>,
}

/// A request that passed every check of the common parameters.
pub(crate) struct Accepted<'p> {
    pub(crate) method: &'p str,
    pub(crate) handler: Handler,
    pub(crate) sig: &'p str,
}

fn reject<T>(code: ReturnCode, detail: impl std::fmt::Display) -> Result<T, Rejection> {
    Err(Rejection::new(code, detail))
}

/// Which `_aid` a request must carry: the gateway's profile decides.
pub(crate) enum AidRule<'a> {
    /// The classic gateway (`/m.api`): [`GATEWAY_AID`].
    Classic,
    /// The cloud gateway (`/cloud.api`): an application id registered with the key.
    Cloud(&'a Platform),
}

/// Checks the common parameters of a classic-gateway request.
#[cfg(test)]
pub(crate) fn validate<'p>(
    params: &'p Params<'_>,
    rules: &Rules,
    now: DateTime<FixedOffset>,
) -> Result<Accepted<'p>, Rejection> {
    validate_on(params, rules, now, &AidRule::Classic)
}

/// Checks the common parameters in the documented order; the first failure wins.
pub(crate) fn validate_on<'p>(
    params: &'p Params<'_>,
    rules: &Rules,
    now: DateTime<FixedOffset>,
    aid_rule: &AidRule<'_>,
) -> Result<Accepted<'p>, Rejection> {
    // `_sm=rsa` calls carry no `_akey`: the signature is checked with the public key the
    // developer registered, and the application is named by `_aid`.
    let rsa = params
        .get("_sm")
        .trim()
        .eq_ignore_ascii_case(RSA_SIGN_METHOD);
    let akey = if rsa { "" } else { params.get("_akey") };
    let credential = if rsa {
        None
    } else {
        if akey.is_empty() {
            return reject(ReturnCode::KeyNotNull, "send the _akey parameter");
        }
        let Some(credential) = rules.credentials.get(akey) else {
            return reject(
                ReturnCode::KeyUnlawful,
                format_args!("no key {akey:?} is registered"),
            );
        };
        if credential.expired {
            return reject(
                ReturnCode::KeyHasExpired,
                format_args!("key {akey:?} has expired"),
            );
        }
        Some(credential)
    };
    let sm = params.get("_sm");
    if sm.is_empty() {
        return reject(
            ReturnCode::SignMethodNotNull,
            "send _sm (md5, sha1, sha256 or rsa)",
        );
    }
    let sign_method = if rsa {
        None
    } else {
        let Ok(method) = sm.parse::<SignMethod>() else {
            return reject(
                ReturnCode::SignTypeNotExist,
                format_args!("{sm:?} is not md5, sha1, sha256 or rsa"),
            );
        };
        Some(method)
    };
    let sig = params.get("_sig");
    if sig.is_empty() {
        return reject(ReturnCode::SignNotNull, "send the _sig parameter");
    }
    if let Some(name) = params.duplicate_name() {
        return reject(
            ReturnCode::SignWrong,
            format_args!("parameter {name:?} was sent more than once"),
        );
    }
    match (sign_method, credential) {
        (Some(method), Some(credential)) => {
            if !verify(method, params.pairs(), &credential.secret, sig) {
                return reject(
                    ReturnCode::SignWrong,
                    "the signature does not match the parameters sent and the key's secret",
                );
            }
        }
        _ => {
            let Some(public) = &rules.rsa_public_key else {
                return reject(
                    ReturnCode::SignWrong,
                    "no RSA public key is registered: start the sandbox with --rsa-public-key FILE",
                );
            };
            if !verify_rsa(public, params.pairs(), sig) {
                return reject(
                    ReturnCode::SignWrong,
                    "the RSA signature does not match the parameters sent and the registered \
                     public key",
                );
            }
        }
    }
    let method = params.get("_mt");
    if method.is_empty() {
        return reject(ReturnCode::MethodNotNull, "send the _mt parameter");
    }
    if !rules.registry.knows(method) {
        return reject(
            ReturnCode::MethodNotExist,
            format_args!("no method {method:?}"),
        );
    }
    if params.get("_requestMode").is_empty() {
        return reject(ReturnCode::RequestModeNotNull, "send _requestMode (post)");
    }
    let aid = params.get("_aid");
    match aid_rule {
        AidRule::Classic => {
            if aid.is_empty() {
                return reject(ReturnCode::ApplicationIdNotNull, "send _aid (S107)");
            }
            if aid != GATEWAY_AID {
                return reject(
                    ReturnCode::ApplicationIdNotSame,
                    format_args!("_aid is {aid:?}, this gateway expects {GATEWAY_AID:?}"),
                );
            }
        }
        AidRule::Cloud(platform) => {
            if aid.is_empty() {
                return reject(
                    ReturnCode::ApplicationIdNotNull,
                    "send _aid (the application id registered with your key)",
                );
            }
            let known = if rsa {
                platform.application_known(aid)
            } else {
                platform.application_matches(akey, aid)
            };
            if !known {
                return reject(
                    ReturnCode::ApplicationIdNotSame,
                    format_args!(
                        "_aid {aid:?} is not an application of key {akey:?}; the cloud gateway expects the application id registered with the key"
                    ),
                );
            }
        }
    }
    let version = params.get("_version");
    if version.is_empty() {
        return reject(ReturnCode::VersionNotNull, "send _version (v1)");
    }
    let Some(handler) = rules.registry.lookup(method, version) else {
        return reject(
            ReturnCode::MethodNotExist,
            format_args!("method {method:?} has no version {version:?}"),
        );
    };
    let timestamp = params.get("_timestamp");
    if timestamp.is_empty() {
        return reject(
            ReturnCode::TimestampNotNull,
            "send _timestamp (yyyyMMddHHmmss)",
        );
    }
    let Some(parsed) = parse_timestamp(timestamp, now.timezone()) else {
        return reject(
            ReturnCode::TimestampFormatError,
            format_args!("{timestamp:?} is not yyyyMMddHHmmss"),
        );
    };
    let drift = (parsed - now).num_seconds();
    if drift.saturating_abs() > rules.tolerance_secs {
        return reject(
            ReturnCode::TimestampOvertime,
            format_args!(
                "{timestamp} (UTC+08:00) is {drift} s from the gateway's clock; at most {} s is allowed",
                rules.tolerance_secs
            ),
        );
    }
    let format = params.get("_format");
    if !format.is_empty() && !format.eq_ignore_ascii_case("json") {
        return reject(
            ReturnCode::FormatTypeNotExist,
            format_args!("{format:?} is not supported, use json"),
        );
    }
    Ok(Accepted {
        method,
        handler,
        sig,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::call::{Call, Data};
    use proptest::prelude::*;

    /// A registry of one method, `getTotalData` v1, answering `{}`.
    fn registry() -> Registry {
        fn empty(_: &Call<'_>) -> Result<Data, Rejection> {
            Ok(Data::new(serde_json::json!({})))
        }
        Registry::new(vec![(opretail_model::METHOD_GET_TOTAL_DATA, "v1", empty)])
    }

    /// The key `k` with the secret `s`, ±10 minutes, the methods of `registry`.
    pub(crate) fn rules_with(registry: Registry) -> Rules {
        let mut credentials = HashMap::new();
        credentials.insert(
            "k".to_owned(),
            Credential {
                secret: "s".to_owned(),
                expired: false,
            },
        );
        Rules {
            credentials,
            tolerance_secs: 600,
            registry,
            rsa_public_key: None,
        }
    }

    /// 2026-11-28 10:15:00 in UTC+08:00.
    pub(crate) fn now() -> DateTime<FixedOffset> {
        crate::clock::parse_timestamp("20261128101500", crate::clock::gateway_offset())
            .expect("a valid timestamp")
    }

    /// A `getTotalData` form signed with `k`/`s` at [`now`], with business parameters `extra`.
    pub(crate) fn signed_form(extra: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = [
            ("_aid", "S107"),
            ("_akey", "k"),
            ("_mt", "open.shopweb.passengerFlow.getTotalData"),
            ("_sm", "md5"),
            ("_requestMode", "post"),
            ("_version", "v1"),
            ("_timestamp", "20261128101500"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let sig = opretail_sign::sign(SignMethod::Md5, "s", &pairs).to_string();
        pairs.push(("_sig".into(), sig));
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            form.append_pair(k, v);
        }
        form.finish()
    }

    #[test]
    fn a_signed_form_passes_and_a_changed_one_does_not() {
        let body = signed_form(&[("id", "S_1")]);
        let params = Params::parse(None, body.as_bytes());
        let accepted = validate(&params, &rules_with(registry()), now()).unwrap();
        assert_eq!(accepted.method, opretail_model::METHOD_GET_TOTAL_DATA);
        let tampered = body.replace("S_1", "S_2");
        let params = Params::parse(None, tampered.as_bytes());
        let rejection = validate(&params, &rules_with(registry()), now())
            .err()
            .unwrap();
        assert_eq!(rejection.code, ReturnCode::SignWrong);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(query in proptest::option::of(".{0,200}"), body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let params = Params::parse(query.as_deref(), &body);
            let _ = params.duplicate_name();
            let _ = validate(&params, &rules_with(registry()), now());
        }
    }
}
