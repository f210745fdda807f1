//! The version to release: chosen with the `semver` crate's parsing and precedence, and
//! written into the root `Cargo.toml` with `toml_edit`, which keeps comments and formatting.

use semver::{BuildMetadata, Version};
use toml_edit::{DocumentMut, Item, Value};

/// Parses a version as cargo does, refusing build metadata: crates.io ignores it when
/// comparing versions, so `0.2.0+x` after `0.2.0` could never be published.
pub fn parse_version(text: &str) -> Result<Version, String> {
    let version = Version::parse(text).map_err(|e| {
        format!("`{text}` is not a valid version ({e}); write MAJOR.MINOR.PATCH, e.g. 0.2.0")
    })?;
    if version.build != BuildMetadata::EMPTY {
        return Err(format!(
            "`{text}` has build metadata (`+{}`), which crates.io ignores; leave it out",
            version.build
        ));
    }
    Ok(version)
}

/// The version to release from `current` for `target`: `major`, `minor`, `patch` or an
/// explicit version (`0.2.0`, `v0.2.0`, `1.0.0-rc.1`). `None` when `target` is `current`
/// itself: a release that stopped half-way is resumed, not bumped again.
///
/// Bumping a pre-release releases it (`1.0.0-rc.1` + `patch` is `1.0.0`), as cargo-release
/// does. An explicit version must not be lower than the current one.
pub fn next_version(current: &Version, target: &str) -> Result<Option<Version>, String> {
    let c = current;
    let pre = !c.pre.is_empty();
    let new = match target {
        "major" if pre && c.minor == 0 && c.patch == 0 => Version::new(c.major, 0, 0),
        "major" => Version::new(c.major + 1, 0, 0),
        "minor" if pre && c.patch == 0 => Version::new(c.major, c.minor, 0),
        "minor" => Version::new(c.major, c.minor + 1, 0),
        "patch" if pre => Version::new(c.major, c.minor, c.patch),
        "patch" => Version::new(c.major, c.minor, c.patch + 1),
        _ => {
            let v = parse_version(target.strip_prefix('v').unwrap_or(target))?;
            if &v < c {
                return Err(format!(
                    "{v} is lower than the current version {c}; crates.io only accepts increasing versions, so ask for a version above {c}"
                ));
            }
            return Ok((&v != c).then_some(v));
        }
    };
    Ok(Some(new))
}

fn parse(manifest: &str) -> Result<DocumentMut, String> {
    let doc = manifest.parse::<DocumentMut>();
    doc.map_err(|e| format!("the root Cargo.toml is not valid TOML: {e}"))
}

/// Reads `version` from `[workspace.package]`.
pub fn workspace_version(manifest: &str) -> Result<Version, String> {
    let doc = parse(manifest)?;
    let package = doc.get("workspace").and_then(|w| w.get("package"));
    let version = package.and_then(|p| p.get("version")?.as_str()).ok_or(
        "the root Cargo.toml has no `version = \"...\"` in `[workspace.package]`; every crate \
         takes its version from there (`version.workspace = true`), so add it",
    )?;
    parse_version(version)
}

/// Moves the workspace version and every internal dependency from `old` to `new`; returns
/// the new text and the internal entries, in file order.
///
/// An entry of `[workspace.dependencies]` is internal when it has a `path`. Every internal
/// entry must carry `version = "old"`: crates.io needs the version, and an entry out of step
/// with the workspace is a mistake to fix before releasing, not to paper over.
pub fn bump(manifest: &str, old: &Version, new: &Version) -> Result<(String, Vec<String>), String> {
    let mut doc = parse(manifest)?;
    let (old, new) = (old.to_string(), new.to_string());
    let mut internal = Vec::new();
    if let Some(deps) = doc["workspace"]["dependencies"].as_table_like_mut() {
        for (name, entry) in deps.iter_mut() {
            let Some(entry) = entry.as_table_like_mut().filter(|e| e.contains_key("path")) else {
                continue;
            };
            match entry.get_mut("version").and_then(Item::as_value_mut) {
                Some(version) if version.as_str() == Some(old.as_str()) => {
                    set_keeping_decor(version, &new)
                }
                Some(other) => {
                    return Err(format!(
                        "internal crate `{name}` is at version {} in `[workspace.dependencies]` \
                         but the workspace is at {old}; make them equal first",
                        other.to_string().trim()
                    ));
                }
                None => {
                    return Err(format!(
                        "internal crate `{name}` in `[workspace.dependencies]` has a path but no \
                         `version = \"{old}\"`; crates.io needs the version, so add it"
                    ));
                }
            }
            internal.push(name.get().to_string());
        }
    }
    let version = doc["workspace"]["package"]["version"].as_value_mut();
    let version = version.expect("the caller read the workspace version from this manifest");
    set_keeping_decor(version, &new);
    Ok((doc.to_string(), internal))
}

/// Replaces a string value, keeping the spaces and comment around it.
fn set_keeping_decor(value: &mut Value, text: &str) {
    let decor = value.decor().clone();
    *value = Value::from(text);
    *value.decor_mut() = decor;
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::contains;

    /// A version written in a test.
    pub fn v(text: &str) -> Version {
        parse_version(text).expect("fixture version parses")
    }

    fn bumped(current: &str, target: &str) -> Result<String, String> {
        let new = next_version(&v(current), target)?;
        Ok(new.map_or(format!("resume {current}"), |new| new.to_string()))
    }

    #[test]
    fn keywords_and_explicit_versions_choose_the_next_version() {
        for (current, target, expected) in [
            ("0.1.0", "minor", "0.2.0"),
            ("0.1.0", "patch", "0.1.1"),
            ("0.1.7", "major", "1.0.0"),
            ("1.4.2", "minor", "1.5.0"),
            // Bumping a pre-release releases it.
            ("1.0.0-rc.1", "major", "1.0.0"),
            ("1.0.0-rc.1", "patch", "1.0.0"),
            ("1.2.0-alpha", "minor", "1.2.0"),
            ("1.2.3-alpha", "minor", "1.3.0"),
            ("0.1.0", "v0.1.1", "0.1.1"),
            ("1.0.0-rc.2", "1.0.0-rc.10", "1.0.0-rc.10"),
            ("0.2.0", "0.2.0", "resume 0.2.0"),
        ] {
            assert_eq!(
                bumped(current, target).as_deref(),
                Ok(expected),
                "{current} {target}"
            );
        }
        let err = bumped("1.0.0", "1.0.0-rc.1").expect_err("a pre-release of 1.0.0 is lower");
        contains(&err, "lower than the current version 1.0.0");
    }

    #[test]
    fn versions_cargo_refuses_are_refused() {
        // `rc.01`: a numeric pre-release identifier with a leading zero, which cargo rejects.
        for bad in ["1.0.0-rc.01", "1.2", "01.2.3", ""] {
            let err = parse_version(bad).expect_err(bad);
            contains(&err, "MAJOR.MINOR.PATCH");
        }
        let err = parse_version("1.2.3+build").expect_err("build metadata");
        contains(&err, "build metadata");
    }

    const FIXTURE: &str = r#"[workspace]
members = ["crates/*", "xtask"]

[workspace.package]
version = "0.1.0" # shared by every crate

[workspace.dependencies]
# Internal crates: path for development, version for publishing.
opretail-sign = { path = "crates/opretail-sign", version = "0.1.0" }
opretail = { version = "0.1.0", path = "crates/opretail", default-features = false }
"opretail-model" = {path="crates/opretail-model",version="0.1.0"}
serde = { version = "1", features = ["derive"] }
url = "0.1.0"

[workspace.dependencies.opretail-ureq]
path = "crates/opretail-ureq"
version = "0.1.0"   # table form
"#;

    #[test]
    fn reads_the_workspace_version() {
        assert_eq!(workspace_version(FIXTURE), Ok(v("0.1.0")));
        let err = workspace_version("[package]\nversion = \"1.0.0\"\n").expect_err("none");
        contains(&err, "[workspace.package]");
    }

    #[test]
    fn bumps_workspace_and_internal_entries_keeping_the_text_around_them() {
        let (text, internal) = bump(FIXTURE, &v("0.1.0"), &v("0.2.0")).expect("bump succeeds");
        // Every "0.1.0" moves but the external `url`'s.
        let expected = FIXTURE.replace("\"0.1.0\"", "\"0.2.0\"");
        assert_eq!(text, expected.replace("url = \"0.2.0\"", "url = \"0.1.0\""));
        let internal = internal.join(" ");
        assert_eq!(
            internal,
            "opretail-sign opretail opretail-model opretail-ureq"
        );
    }

    #[test]
    fn an_internal_entry_without_version_or_out_of_step_is_refused() {
        let entry = r#"opretail-sign", version = "0.1.0""#;
        for (wrong, expected) in [
            (r#"opretail-sign""#, "no `version"),
            (r#"x", version = "0.0.9""#, "0.0.9"),
        ] {
            let manifest = FIXTURE.replace(entry, wrong);
            let err = bump(&manifest, &v("0.1.0"), &v("0.2.0")).expect_err("refused");
            contains(&err, "`opretail-sign`");
            contains(&err, expected);
        }
    }
}
