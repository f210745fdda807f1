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
    let newline = if changelog.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let Some(heading) = lines.iter().position(|line| is_unreleased_heading(line)) else {
        return Err("CHANGELOG.md has no `## [Unreleased]` section; add one listing the changes in this release".to_string());
    };
    let body_end = lines[heading + 1..]
        .iter()
        .position(|line| line.starts_with("## ") || is_link_definition(line))
        .map_or(lines.len(), |offset| heading + 1 + offset);
    let body_is_empty = lines[heading + 1..body_end]
        .iter()
        .all(|line| line.trim().is_empty());
    if body_is_empty {
        return Err(
            "the `## [Unreleased]` section of CHANGELOG.md is empty; list the changes in this release there first"
                .to_string(),
        );
    }
    let mut out = String::with_capacity(changelog.len() + 64);
    for line in &lines[..heading] {
        out.push_str(line);
    }
    out.push_str(&format!(
        "## [Unreleased]{newline}{newline}## [{version}] - {}{newline}",
        date.format("%Y-%m-%d")
    ));
    for line in &lines[heading + 1..] {
        match update_link(line, version, newline) {
            Some(replacement) => out.push_str(&replacement),
            None => out.push_str(line),
        }
    }
    Ok(out)
}

/// Whether the changelog already holds the section for `version` (a release that is being
/// resumed has stamped it already).
pub fn has_release(changelog: &str, version: &Version) -> bool {
    let heading = format!("## [{version}]");
    changelog.lines().any(|line| line.starts_with(&heading))
}

fn is_unreleased_heading(line: &str) -> bool {
    let Some(title) = line.strip_prefix("## ") else {
        return false;
    };
    let title = title.trim();
    title.eq_ignore_ascii_case("[unreleased]") || title.eq_ignore_ascii_case("unreleased")
}

fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// `[Unreleased]: .../compare/v0.1.0...HEAD` becomes the new `Unreleased` link plus a link
/// for the release, keeping the tag style (`v` prefix or not) already in use.
fn update_link(line: &str, version: &Version, newline: &str) -> Option<String> {
    let (label, url) = line.trim_end().split_once("]: ")?;
    if !label.eq_ignore_ascii_case("[unreleased") {
        return None;
    }
    let (base, range) = url.rsplit_once("/compare/")?;
    let previous = range.strip_suffix("...HEAD")?;
    let prefix = if previous.starts_with('v') { "v" } else { "" };
    let tag = format!("{prefix}{version}");
    Some(format!(
        "{label}]: {base}/compare/{tag}...HEAD{newline}[{version}]: {base}/compare/{previous}...{tag}{newline}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("fixture version parses")
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("fixture date parses")
    }

    const FIXTURE: &str = "# Changelog\n\
\n\
All notable changes to this project are documented here.\n\
\n\
## [Unreleased]\n\
\n\
### Added\n\
- `cargo xtask release`.\n\
\n\
## [0.1.0] - 2026-11-01\n\
\n\
### Added\n\
- First release.\n\
\n\
[Unreleased]: https://github.com/opretail-rs/opretail/compare/v0.1.0...HEAD\n\
[0.1.0]: https://github.com/opretail-rs/opretail/releases/tag/v0.1.0\n";

    #[test]
    fn stamps_the_section_and_opens_a_new_one() {
        let stamped = stamp(FIXTURE, &v("0.2.0"), day("2026-11-28")).expect("stamps");
        let expected = "# Changelog\n\
\n\
All notable changes to this project are documented here.\n\
\n\
## [Unreleased]\n\
\n\
## [0.2.0] - 2026-11-28\n\
\n\
### Added\n\
- `cargo xtask release`.\n\
\n\
## [0.1.0] - 2026-11-01\n\
\n\
### Added\n\
- First release.\n\
\n\
[Unreleased]: https://github.com/opretail-rs/opretail/compare/v0.2.0...HEAD\n\
[0.2.0]: https://github.com/opretail-rs/opretail/compare/v0.1.0...v0.2.0\n\
[0.1.0]: https://github.com/opretail-rs/opretail/releases/tag/v0.1.0\n";
        assert_eq!(stamped, expected);
        assert!(has_release(&stamped, &v("0.2.0")));
        assert!(!has_release(FIXTURE, &v("0.2.0")));
    }

    #[test]
    fn an_empty_unreleased_section_is_refused() {
        let empty = "# Changelog\n\n## [Unreleased]\n\n\n## [0.1.0] - 2026-11-01\n- First.\n";
        let err = stamp(empty, &v("0.2.0"), day("2026-11-28")).expect_err("refused");
        assert!(err.contains("is empty"), "{err}");
        let empty_at_end =
            "# Changelog\n\n## [Unreleased]\n\n[Unreleased]: https://x/compare/v0.1.0...HEAD\n";
        assert!(stamp(empty_at_end, &v("0.2.0"), day("2026-11-28")).is_err());
    }

    #[test]
    fn a_missing_unreleased_section_is_refused() {
        let err = stamp(
            "# Changelog\n\n## [0.1.0]\n- x\n",
            &v("0.2.0"),
            day("2026-11-28"),
        )
        .expect_err("refused");
        assert!(err.contains("no `## [Unreleased]`"), "{err}");
    }

    #[test]
    fn works_without_links_and_with_a_plain_heading() {
        let plain = "# Changelog\n\n## Unreleased\n- Fixed a thing.\n";
        let stamped = stamp(plain, &v("1.0.1"), day("2027-01-02")).expect("stamps");
        assert_eq!(
            stamped,
            "# Changelog\n\n## [Unreleased]\n\n## [1.0.1] - 2027-01-02\n- Fixed a thing.\n"
        );
    }

    #[test]
    fn keeps_an_unprefixed_tag_style() {
        let text = "## [Unreleased]\n- x\n\n[unreleased]: https://h/o/r/compare/0.1.0...HEAD\n";
        let stamped = stamp(text, &v("0.2.0"), day("2026-11-28")).expect("stamps");
        assert!(
            stamped.contains("[unreleased]: https://h/o/r/compare/0.2.0...HEAD\n"),
            "{stamped}"
        );
        assert!(
            stamped.contains("[0.2.0]: https://h/o/r/compare/0.1.0...0.2.0\n"),
            "{stamped}"
        );
    }
}
