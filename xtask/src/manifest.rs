//! Line-based edits of the root `Cargo.toml`: the `[workspace.package]` version and the
//! `version = "..."` of every internal crate in `[workspace.dependencies]`.
//!
//! Editing lines keeps comments, order and formatting exactly as written, and avoids a TOML
//! editing dependency. The cost is a supported shape: internal crates are one-line inline
//! tables (`name = { path = "...", version = "..." }`), which is how this workspace is written.

use crate::version::Version;

/// The root manifest after a version bump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bumped {
    /// The new manifest text.
    pub text: String,
    /// The `[workspace.dependencies]` entries whose version moved, in file order.
    pub internal: Vec<String>,
}

/// Reads `version` from `[workspace.package]`.
pub fn workspace_version(manifest: &str) -> Result<Version, String> {
    let mut section = String::new();
    for line in manifest.lines() {
        if let Some(name) = section_header(line) {
            section = name;
            continue;
        }
        if section == "workspace.package" {
            if let Some((start, end)) = key_string(line, "version") {
                return Version::parse(&line[start..end]);
            }
        }
    }
    Err(
        "the root Cargo.toml has no `version = \"...\"` in `[workspace.package]`; \
         every crate takes its version from there (`version.workspace = true`), so add it"
            .to_string(),
    )
}

/// Moves the workspace version and every internal dependency from `old` to `new`.
///
/// An entry of `[workspace.dependencies]` is internal when it has a `path`. Every internal
/// entry must carry `version = "old"`: crates.io needs the version, and an entry that is out
/// of step with the workspace is a mistake to fix before releasing, not to paper over.
pub fn bump_manifest(manifest: &str, old: &Version, new: &Version) -> Result<Bumped, String> {
    let current = workspace_version(manifest)?;
    if &current != old {
        return Err(format!(
            "`[workspace.package]` says {current}, but the release was planned from {old}; re-run the release"
        ));
    }
    let old_text = old.to_string();
    let new_text = new.to_string();
    let mut section = String::new();
    let mut out = String::with_capacity(manifest.len() + 16);
    let mut internal = Vec::new();
    for line in manifest.split_inclusive('\n') {
        if let Some(name) = section_header(line) {
            if name.starts_with("workspace.dependencies.") {
                return Err(format!(
                    "`[{name}]` is a table; write internal crates as one line in `[workspace.dependencies]`, \
                     e.g. `name = {{ path = \"crates/name\", version = \"{old_text}\" }}`"
                ));
            }
            section = name;
            out.push_str(line);
            continue;
        }
        let edited = match section.as_str() {
            "workspace.package" => replace_key_string(line, "version", &old_text, &new_text)
                .map_err(|found| {
                    format!("`[workspace.package]` version is {found}, expected {old_text}")
                })?,
            "workspace.dependencies" if key_string(line, "path").is_some() => {
                let name = entry_name(line);
                let Some(edited) = replace_key_string(line, "version", &old_text, &new_text)
                    .map_err(|found| {
                        format!(
                            "internal crate `{name}` is at version {found} in `[workspace.dependencies]` \
                             but the workspace is at {old_text}; make them equal first"
                        )
                    })?
                else {
                    return Err(format!(
                        "internal crate `{name}` in `[workspace.dependencies]` has a path but no \
                         `version = \"{old_text}\"`; crates.io needs the version, so add it"
                    ));
                };
                internal.push(name);
                Some(edited)
            }
            _ => None,
        };
        out.push_str(edited.as_deref().unwrap_or(line));
    }
    Ok(Bumped {
        text: out,
        internal,
    })
}

/// `[name]` or `[[name]]` alone on a line (a trailing comment allowed).
fn section_header(line: &str) -> Option<String> {
    let line = line.trim();
    let line = line
        .split_once('#')
        .map_or(line, |(code, _)| code)
        .trim_end();
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner.trim_start_matches('[').trim_end_matches(']').trim();
    let plain = inner
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '"' | ' '));
    (plain && !inner.is_empty()).then(|| inner.replace([' ', '"'], ""))
}

fn entry_name(line: &str) -> String {
    let key = line.split_once('=').map_or(line, |(key, _)| key);
    key.trim().trim_matches('"').to_string()
}

/// The byte range of the string value of `key` on this line, if `key = "..."` appears as a
/// key (at the start of the line or after `{` or `,`), not as part of another key or a value.
fn key_string(line: &str, key: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(found) = line[from..].find(key) {
        let start = from + found;
        from = start + key.len();
        let before = line[..start].trim_end();
        if !(before.is_empty() || before.ends_with('{') || before.ends_with(',')) {
            continue;
        }
        let rest = &line[from..];
        let Some(after_eq) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let Some(value) = after_eq.trim_start().strip_prefix('"') else {
            continue;
        };
        let value_start = line.len() - value.len();
        let value_end = value_start + value.find('"')?;
        debug_assert!(value_end <= bytes.len());
        return Some((value_start, value_end));
    }
    None
}

/// `Ok(None)` when the key is absent, `Err(found)` when it holds something other than `old`.
fn replace_key_string(
    line: &str,
    key: &str,
    old: &str,
    new: &str,
) -> Result<Option<String>, String> {
    let Some((start, end)) = key_string(line, key) else {
        return Ok(None);
    };
    let found = &line[start..end];
    if found != old {
        return Err(found.to_string());
    }
    Ok(Some(format!("{}{new}{}", &line[..start], &line[end..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"[workspace]
resolver = "3"
members = [
    "crates/*",
    "xtask",
]

[workspace.package]
version = "0.1.0" # shared by every crate
edition = "2024"
rust-version = "1.85"

[workspace.dependencies]
# Internal crates: path for development, version for publishing.
opretail-sign = { path = "crates/opretail-sign", version = "0.1.0" }
opretail = { version = "0.1.0", path = "crates/opretail", default-features = false }
"opretail-model" = {path="crates/opretail-model",version="0.1.0"}

serde = { version = "1", features = ["derive"] }
url = "0.1.0"

[profile.release]
debug = "line-tables-only"
"#;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("fixture version parses")
    }

    #[test]
    fn reads_the_workspace_version() {
        assert_eq!(workspace_version(FIXTURE), Ok(v("0.1.0")));
        let err = workspace_version("[package]\nversion = \"1.0.0\"\n")
            .expect_err("no workspace version");
        assert!(err.contains("[workspace.package]"), "{err}");
    }

    #[test]
    fn bumps_workspace_and_internal_entries_only() {
        let bumped = bump_manifest(FIXTURE, &v("0.1.0"), &v("0.2.0")).expect("bump succeeds");
        let expected = FIXTURE
            .replace(
                r#"version = "0.1.0" # shared"#,
                r#"version = "0.2.0" # shared"#,
            )
            .replace(
                r#"opretail-sign", version = "0.1.0""#,
                r#"opretail-sign", version = "0.2.0""#,
            )
            .replace(
                r#"opretail = { version = "0.1.0""#,
                r#"opretail = { version = "0.2.0""#,
            )
            .replace(r#"version="0.1.0"}"#, r#"version="0.2.0"}"#);
        assert_eq!(bumped.text, expected);
        assert_eq!(
            bumped.internal,
            ["opretail-sign", "opretail", "opretail-model"]
        );
        // External crates keep their requirement, even one that looks like the old version.
        assert!(bumped.text.contains("url = \"0.1.0\""));
        assert!(bumped.text.contains("rust-version = \"1.85\""));
    }

    #[test]
    fn an_internal_entry_without_version_is_refused() {
        let manifest = FIXTURE.replace(
            r#"opretail-sign = { path = "crates/opretail-sign", version = "0.1.0" }"#,
            r#"opretail-sign = { path = "crates/opretail-sign" }"#,
        );
        let err = bump_manifest(&manifest, &v("0.1.0"), &v("0.2.0")).expect_err("refused");
        assert!(
            err.contains("`opretail-sign`") && err.contains("no `version"),
            "{err}"
        );
    }

    #[test]
    fn an_internal_entry_out_of_step_is_refused() {
        let manifest = FIXTURE.replace(
            r#"crates/opretail-sign", version = "0.1.0""#,
            r#"crates/opretail-sign", version = "0.0.9""#,
        );
        let err = bump_manifest(&manifest, &v("0.1.0"), &v("0.2.0")).expect_err("refused");
        assert!(
            err.contains("0.0.9") && err.contains("opretail-sign"),
            "{err}"
        );
    }

    #[test]
    fn table_form_entries_are_refused_rather_than_missed() {
        let manifest = format!(
            "{FIXTURE}\n[workspace.dependencies.opretail-ureq]\npath = \"crates/opretail-ureq\"\n"
        );
        let err = bump_manifest(&manifest, &v("0.1.0"), &v("0.2.0")).expect_err("refused");
        assert!(err.contains("one line"), "{err}");
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let crlf = FIXTURE.replace('\n', "\r\n");
        let bumped = bump_manifest(&crlf, &v("0.1.0"), &v("0.2.0")).expect("bump succeeds");
        assert_eq!(
            bumped.text.matches("\r\n").count(),
            crlf.matches("\r\n").count()
        );
        assert_eq!(workspace_version(&bumped.text), Ok(v("0.2.0")));
    }

    #[test]
    fn key_lookup_ignores_look_alike_keys() {
        assert_eq!(key_string(r#"rust-version = "1.85""#, "version"), None);
        assert_eq!(
            key_string(r#"x = { default-version = "1" }"#, "version"),
            None
        );
        let line = r#"x = { path = "a", version = "1.0.0" }"#;
        let (start, end) = key_string(line, "version").expect("found");
        assert_eq!(&line[start..end], "1.0.0");
    }
}
