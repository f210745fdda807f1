//! The configuration line: every setting, where it came from, and the config file's mode.

use super::{Check, Verdict};
use crate::settings::{Provenance, Settings, Source};

/// The first line: every setting and where it came from; the secret is never shown.
pub(super) fn configuration(settings: &Settings, provenance: &Provenance, sandbox: bool) -> Check {
    let mut found = Vec::new();
    let mut invalid = None;
    // Shown as the model parsed it: a URL with a user and password in it is refused, and
    // the refusal does not repeat them.
    let (endpoint, profile) = if sandbox {
        ("the embedded sandbox".to_owned(), "classic")
    } else {
        match opretail_model::Endpoint::parse(&settings.endpoint) {
            Ok(endpoint) => {
                let profile = if endpoint.url().path().ends_with("/cloud.api") {
                    "cloud"
                } else {
                    "classic"
                };
                (endpoint.to_string(), profile)
            }
            Err(e) => {
                invalid = Some(crate::output::words(&e));
                ("not valid".to_owned(), "unknown")
            }
        }
    };
    found.push(format!(
        "endpoint {endpoint} ({})",
        provenance.endpoint.as_str()
    ));
    found.push(format!("gateway profile {profile}"));
    found.push(format!(
        "_aid {} ({})",
        settings
            .aid
            .as_deref()
            .unwrap_or(opretail_model::DEFAULT_AID),
        provenance.aid.as_str()
    ));
    if settings.private_key.is_some() {
        // `_sm=rsa` sends no `_akey` and uses no secret.
        found.push("_akey not sent (rsa)".to_owned());
    } else {
        let akey = match (&settings.akey, sandbox) {
            (Some(key), _) => mask(key),
            (None, true) => mask(opretail_sandbox::DEFAULT_AKEY),
            (None, false) => "none".to_owned(),
        };
        found.push(format!("_akey {akey} ({})", provenance.akey.as_str()));
        let asid = if settings.asid.is_some() || sandbox {
            "set, not shown"
        } else {
            "none"
        };
        found.push(format!("secret {asid} ({})", provenance.asid.as_str()));
    }
    found.push(format!(
        "sign method {} ({})",
        settings.sign_method_name(),
        provenance.sign_method.as_str()
    ));
    if let Some(path) = &settings.private_key {
        found.push(format!("private key {} (not shown)", path.display()));
    }
    if let Some(environment) = settings.environment {
        found.push(format!(
            "environment header {environment} ({})",
            provenance.environment.as_str()
        ));
    }
    if settings.user.is_some() || sandbox {
        found.push(format!(
            "user {} ({})",
            settings
                .user
                .as_deref()
                .unwrap_or(opretail_sandbox::DEMO_USER),
            provenance.user.as_str()
        ));
    }
    let mut verdict = Verdict::Ok;
    let mut remedy = String::new();
    match &settings.file {
        Some(path) => {
            let (text, exposed) = permissions(path);
            found.push(format!("config file {} ({text})", path.display()));
            let secret_in_file =
                provenance.asid == Source::File || provenance.password == Source::File;
            if exposed && secret_in_file {
                verdict = Verdict::Warn;
                remedy = format!(
                    "the file holds a secret others can read: run `chmod 600 {}`",
                    path.display()
                );
            }
        }
        None => found.push("no config file".to_owned()),
    }
    if let Some(reason) = invalid {
        verdict = Verdict::Fail;
        remedy = format!("fix the endpoint: {reason}");
    } else if !sandbox && (settings.akey.is_none() || settings.asid.is_none()) {
        verdict = Verdict::Fail;
        remedy = "set the developer key and its secret: --akey/OPRETAIL_AKEY/`akey` and \
                  OPRETAIL_ASID/`asid` in the config file"
            .to_owned();
    }
    Check {
        check: "configuration",
        verdict,
        found: found.join("; "),
        remedy,
    }
}

/// The first characters of a key, enough to tell keys apart, not to use one.
fn mask(key: &str) -> String {
    let chars = key.chars().count();
    let shown = if chars >= 8 { 4 } else { chars / 3 };
    let head: String = key.chars().take(shown).collect();
    let plural = if chars == 1 { "" } else { "s" };
    format!("{head}… ({chars} character{plural})")
}

/// The mode of a file in words, and whether the group or others can read it.
#[cfg(unix)]
fn permissions(path: &std::path::Path) -> (String, bool) {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o777;
            (format!("mode {mode:o}"), mode & 0o044 != 0)
        }
        Err(e) => (format!("unreadable: {e}"), false),
    }
}

#[cfg(not(unix))]
fn permissions(_path: &std::path::Path) -> (String, bool) {
    ("permissions not checked here".to_owned(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked() {
        assert_eq!(mask("abcdefghijkl"), "abcd… (12 characters)");
        assert_eq!(mask("sandbox"), "sa… (7 characters)");
        assert!(!mask("secretkey1").contains("secretkey1"));
        assert_eq!(mask("k"), "… (1 character)");
    }
}
