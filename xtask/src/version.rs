//! Release versions: parsing `MAJOR.MINOR.PATCH[-PRE]` and choosing the next one.

use std::cmp::Ordering;
use std::fmt;

/// A crate version as published on crates.io (build metadata is not accepted: crates.io
/// ignores it when comparing, so it can only confuse a release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Incompatible-change counter.
    pub major: u64,
    /// Feature counter.
    pub minor: u64,
    /// Fix counter.
    pub patch: u64,
    /// Pre-release identifiers such as `rc.1`, if any.
    pub pre: Option<String>,
}

impl Version {
    /// Parses `1.2.3` or `1.2.3-rc.1`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!(
                "`{text}` is not a release version ({why}); write it as MAJOR.MINOR.PATCH, e.g. 0.2.0"
            )
        };
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        if text.contains('+') {
            return Err(bad("build metadata `+...` is not allowed"));
        }
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(bad("it needs exactly three numbers"));
        };
        let number = |part: &str| -> Result<u64, String> {
            let leading_zero = part.len() > 1 && part.starts_with('0');
            if part.is_empty() || leading_zero || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("each part is a number without leading zeros"));
            }
            part.parse().map_err(|_| bad("a number is too large"))
        };
        let pre = match pre {
            None => None,
            Some(pre) => {
                let valid = pre.split('.').all(|id| {
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
                if !valid {
                    return Err(bad(
                        "the pre-release part is dot-separated [0-9A-Za-z-] identifiers",
                    ));
                }
                Some(pre.to_string())
            }
        };
        Ok(Self {
            major: number(major)?,
            minor: number(minor)?,
            patch: number(patch)?,
            pre,
        })
    }

    fn release(major: u64, minor: u64, patch: u64) -> Self {
        Self {
            major,
            minor,
            patch,
            pre: None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if let Some(pre) = &self.pre {
            write!(f, "-{pre}")?;
        }
        Ok(())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    /// Semver precedence: a pre-release sorts before its release; pre-release identifiers
    /// compare numerically when both are numbers, otherwise as text.
    fn cmp(&self, other: &Self) -> Ordering {
        let core =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if core != Ordering::Equal {
            return core;
        }
        match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => compare_pre(a, b),
        }
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// What the maintainer asked for on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `major`: the next incompatible release.
    Major,
    /// `minor`: the next feature release.
    Minor,
    /// `patch`: the next fix release.
    Patch,
    /// An explicit version.
    Exact(Version),
}

impl Target {
    /// Reads `major`, `minor`, `patch` or an explicit version.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "major" => Ok(Self::Major),
            "minor" => Ok(Self::Minor),
            "patch" => Ok(Self::Patch),
            _ => Version::parse(text.strip_prefix('v').unwrap_or(text)).map(Self::Exact),
        }
    }
}

/// Whether a release moves the version or finishes one that already moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bump {
    /// Move from `old` to `new`: edit manifests and changelog, then publish.
    To {
        /// The version in the tree now.
        old: Version,
        /// The version being released.
        new: Version,
    },
    /// The tree already carries this version (a release that stopped half-way):
    /// publish what is missing and tag, without editing anything.
    Resume(Version),
}

/// Chooses the next version. Bumping a pre-release releases it (`1.0.0-rc.1` + `patch` is
/// `1.0.0`), as cargo-release and npm do. An explicit version must be greater than the
/// current one, or equal to it to resume an interrupted release.
pub fn next_version(current: &Version, target: &Target) -> Result<Bump, String> {
    let c = current;
    let is_pre = c.pre.is_some();
    let new = match target {
        Target::Major if is_pre && c.minor == 0 && c.patch == 0 => Version::release(c.major, 0, 0),
        Target::Major => Version::release(c.major + 1, 0, 0),
        Target::Minor if is_pre && c.patch == 0 => Version::release(c.major, c.minor, 0),
        Target::Minor => Version::release(c.major, c.minor + 1, 0),
        Target::Patch if is_pre => Version::release(c.major, c.minor, c.patch),
        Target::Patch => Version::release(c.major, c.minor, c.patch + 1),
        Target::Exact(v) if v == c => return Ok(Bump::Resume(v.clone())),
        Target::Exact(v) if v < c => {
            return Err(format!(
                "{v} is lower than the current version {c}; crates.io only accepts increasing versions, so ask for a version above {c}"
            ));
        }
        Target::Exact(v) => v.clone(),
    };
    Ok(Bump::To {
        old: current.clone(),
        new,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("fixture version parses")
    }

    fn bumped(current: &str, target: &str) -> String {
        let target = Target::parse(target).expect("fixture target parses");
        match next_version(&v(current), &target).expect("bump succeeds") {
            Bump::To { new, .. } => new.to_string(),
            Bump::Resume(version) => format!("resume {version}"),
        }
    }

    #[test]
    fn keywords_bump_the_right_part() {
        assert_eq!(bumped("0.1.0", "minor"), "0.2.0");
        assert_eq!(bumped("0.1.0", "patch"), "0.1.1");
        assert_eq!(bumped("0.1.7", "major"), "1.0.0");
        assert_eq!(bumped("1.4.2", "minor"), "1.5.0");
    }

    #[test]
    fn bumping_a_pre_release_releases_it() {
        assert_eq!(bumped("1.0.0-rc.1", "major"), "1.0.0");
        assert_eq!(bumped("1.0.0-rc.1", "patch"), "1.0.0");
        assert_eq!(bumped("1.2.0-alpha", "minor"), "1.2.0");
        assert_eq!(bumped("1.2.3-alpha", "minor"), "1.3.0");
    }

    #[test]
    fn explicit_versions_must_go_up() {
        assert_eq!(bumped("0.1.0", "0.2.0"), "0.2.0");
        assert_eq!(bumped("0.1.0", "v0.1.1"), "0.1.1");
        assert_eq!(bumped("0.2.0", "0.2.0"), "resume 0.2.0");
        let err = next_version(&v("0.2.0"), &Target::parse("0.1.9").expect("parses"))
            .expect_err("a lower version is refused");
        assert!(
            err.contains("lower than the current version 0.2.0"),
            "{err}"
        );
    }

    #[test]
    fn malformed_versions_are_refused_with_the_expected_form() {
        for bad in [
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.x.3",
            "",
            "1.2.3+build",
            "1.2.3-",
            "1.2.3-a..b",
        ] {
            let err = Version::parse(bad).expect_err(bad);
            assert!(err.contains("MAJOR.MINOR.PATCH"), "{bad}: {err}");
        }
    }

    #[test]
    fn precedence_follows_semver() {
        let ordered = [
            "0.9.9",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["0.1.0", "10.20.30", "1.0.0-rc.1"] {
            assert_eq!(v(text).to_string(), text);
        }
    }
}
