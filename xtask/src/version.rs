//! Choosing the version to release, with the `semver` crate's parsing and precedence.

use semver::{BuildMetadata, Version};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn bumped(current: &str, target: &str) -> Result<String, String> {
        let current = parse_version(current).expect("fixture version parses");
        let new = next_version(&current, target)?;
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
        assert!(
            err.contains("lower than the current version 1.0.0"),
            "{err}"
        );
    }

    #[test]
    fn versions_cargo_refuses_are_refused() {
        // `rc.01`: a numeric pre-release identifier with a leading zero, which cargo rejects.
        for bad in [
            "1.0.0-rc.01",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.x.3",
            "",
            "1.2.3-",
            "1.2.3-a..b",
        ] {
            let err = parse_version(bad).expect_err(bad);
            assert!(err.contains("MAJOR.MINOR.PATCH"), "{bad}: {err}");
        }
        let err = parse_version("1.2.3+build").expect_err("build metadata");
        assert!(err.contains("build metadata"), "{err}");
    }
}
