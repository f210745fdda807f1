//! Stamping a Keep a Changelog `CHANGELOG.md` for a release.

use chrono::NaiveDate;
use semver::Version;

/// Turns the `## [Unreleased]` section into `## [VERSION] - DATE` under a new, empty
/// `## [Unreleased]`, and moves the compare links at the bottom (if present) along.
///
/// Fails when the `Unreleased` section is missing or says nothing: a release without notes
/// is refused rather than published silently.
pub fn stamp(changelog: &str, version: &Version, date: NaiveDate) -> Result<String, String> {
    let lines: Vec<&str> = changelog.split_inclusive('\n').collect();
    let is_unreleased = |line: &&str| {
        let title = line.strip_prefix("## ").unwrap_or_default().trim();
        let title = title.to_ascii_lowercase();
        title == "[unreleased]" || title == "unreleased"
    };
    let heading = lines.iter().position(is_unreleased).ok_or(
        "CHANGELOG.md has no `## [Unreleased]` section; add one listing the changes in this release",
    )?;
    let says_something = lines[heading + 1..]
        .iter()
        .take_while(|line| !line.starts_with("## ") && !is_link(line))
        .any(|line| !line.trim().is_empty());
    if !says_something {
        return Err("the `## [Unreleased]` section of CHANGELOG.md is empty; list the changes in this release there first".to_string());
    }
    let mut out = lines[..heading].concat();
    out.push_str(&format!("## [Unreleased]\n\n## [{version}] - {date}\n"));
    for line in &lines[heading + 1..] {
        out.push_str(&update_link(line, version).unwrap_or_else(|| line.to_string()));
    }
    Ok(out)
}

/// Whether the changelog already holds the section for `version` (a release that is being
/// resumed has stamped it already).
pub fn has_release(changelog: &str, version: &Version) -> bool {
    let heading = format!("## [{version}]");
    changelog.lines().any(|line| line.starts_with(&heading))
}

fn is_link(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// `[Unreleased]: .../compare/v0.1.0...HEAD` becomes the new `Unreleased` link plus a link
/// for the release, keeping the tag style (`v` prefix or not) already in use.
fn update_link(line: &str, version: &Version) -> Option<String> {
    let (label, url) = line.trim_end().split_once("]: ")?;
    if !label.eq_ignore_ascii_case("[unreleased") {
        return None;
    }
    let (base, range) = url.rsplit_once("/compare/")?;
    let previous = range.strip_suffix("...HEAD")?;
    let v = if previous.starts_with('v') { "v" } else { "" };
    let tag = format!("{v}{version}");
    Some(format!(
        "{label}]: {base}/compare/{tag}...HEAD\n[{version}]: {base}/compare/{previous}...{tag}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(text: &str, version: &str) -> Result<String, String> {
        let today = "2026-11-28".parse().expect("fixture date parses");
        stamp(text, &crate::version::tests::v(version), today)
    }

    const FIXTURE: &str = "# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n### Added\n\
- `cargo xtask release`.\n\n## [0.1.0] - 2026-11-01\n- First release.\n\n\
[Unreleased]: https://github.com/o/r/compare/v0.1.0...HEAD\n\
[0.1.0]: https://github.com/o/r/releases/tag/v0.1.0\n";

    #[test]
    fn stamps_the_section_opens_a_new_one_and_moves_the_links() {
        let stamped = stamped(FIXTURE, "0.2.0").expect("stamps");
        let expected = "# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n\
## [0.2.0] - 2026-11-28\n\n### Added\n- `cargo xtask release`.\n\n## [0.1.0] - 2026-11-01\n\
- First release.\n\n[Unreleased]: https://github.com/o/r/compare/v0.2.0...HEAD\n\
[0.2.0]: https://github.com/o/r/compare/v0.1.0...v0.2.0\n\
[0.1.0]: https://github.com/o/r/releases/tag/v0.1.0\n";
        assert_eq!(stamped, expected);
        let v = Version::new(0, 2, 0);
        assert!(has_release(&stamped, &v) && !has_release(FIXTURE, &v));
    }

    #[test]
    fn a_missing_or_empty_unreleased_section_is_refused() {
        for (text, expected) in [
            ("# Changelog\n\n## [0.1.0]\n- x\n", "no `## [Unreleased]`"),
            (
                "# C\n\n## [Unreleased]\n\n\n## [0.1.0] - 2026-11-01\n- First.\n",
                "is empty",
            ),
            (
                "# C\n\n## [Unreleased]\n\n[Unreleased]: https://x/compare/v0.1.0...HEAD\n",
                "is empty",
            ),
        ] {
            let err = stamped(text, "0.2.0").expect_err(text);
            crate::contains(&err, expected);
        }
    }

    #[test]
    fn works_with_a_plain_heading_and_an_unprefixed_tag_style() {
        let text = "## Unreleased\n- x\n\n[unreleased]: https://h/compare/0.1.0...HEAD\n";
        let expected = "## [Unreleased]\n\n## [0.2.0] - 2026-11-28\n- x\n\n\
                        [unreleased]: https://h/compare/0.2.0...HEAD\n\
                        [0.2.0]: https://h/compare/0.1.0...0.2.0\n";
        assert_eq!(stamped(text, "0.2.0").as_deref(), Ok(expected));
    }
}
