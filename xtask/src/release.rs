//! `cargo xtask release VERSION|major|minor|patch [--execute]`.
//!
//! [`plan`] decides everything from what the tree holds (manifest, changelog, workspace
//! members, git status) without touching anything; [`run`] then verifies in a copy of the
//! tree (dry run) or edits, commits, publishes with one `cargo publish` and tags.

use std::path::{Path, PathBuf};

use cargo_metadata::MetadataCommand;
use chrono::{NaiveDate, Utc};
use semver::Version;

use crate::changelog;
use crate::cmd::Invocation;
use crate::version::{self, next_version};

/// Files a release edits in the tree.
const EDITED: [&str; 3] = ["Cargo.toml", "Cargo.lock", "CHANGELOG.md"];

/// Reads `VERSION|major|minor|patch [--execute]`: the version asked for (see
/// [`next_version`]) and whether to publish for real.
pub fn parse_args(args: &[String]) -> Result<(String, bool), String> {
    let usage = "usage: cargo xtask release VERSION|major|minor|patch [--execute]";
    let (mut target, mut execute) = (None, false);
    for arg in args {
        match arg.as_str() {
            "--execute" => execute = true,
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`; {usage}")),
            version if target.is_none() => target = Some(version.to_string()),
            extra => return Err(format!("unexpected argument `{extra}`; {usage}")),
        }
    }
    let target = target.ok_or_else(|| format!("which version? {usage}"))?;
    Ok((target, execute))
}

/// A workspace member, as far as publishing cares (read with `cargo_metadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub version: Version,
    /// False for `publish = false`. Other registries than crates.io are cargo's to refuse.
    pub publishable: bool,
}

/// What the release reads from the tree.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The root `Cargo.toml` and `CHANGELOG.md`.
    pub manifest: String,
    pub changelog: String,
    pub members: Vec<Member>,
    /// `git status --porcelain` lines: changes not committed.
    pub uncommitted: Vec<String>,
    /// Today in UTC, the release date in the changelog.
    pub today: NaiveDate,
}

/// The edits that move the tree to the new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edits {
    /// The new root `Cargo.toml`, and the internal dependencies whose version it moves.
    pub manifest: String,
    pub internal: Vec<String>,
    /// The stamped `CHANGELOG.md` (as it is when it cannot be stamped: see the problems).
    pub changelog: String,
}

/// Everything a release will do, decided before anything is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The version in the tree now, and the one being released.
    pub from: Version,
    pub version: Version,
    /// `None` when the tree already carries `version`: an interrupted release is resumed.
    pub edits: Option<Edits>,
    /// Crates to publish (cargo orders them by their dependencies), and members with
    /// `publish = false`.
    pub publish: Vec<String>,
    pub unpublished: Vec<String>,
    /// Reasons the release must not go ahead. A dry run reports them and goes on verifying.
    pub problems: Vec<String>,
    /// Things worth knowing that do not stop a dry run.
    pub notes: Vec<String>,
}

impl Plan {
    /// `Err` listing the problems after `why`, when there are any.
    fn refuse_on_problems(&self, why: &str) -> Result<(), String> {
        match self.problems.join("\n  - ") {
            problems if problems.is_empty() => Ok(()),
            problems => Err(format!("{why}:\n  - {problems}")),
        }
    }
}

/// Works out the release. `Err` means no plan can be made at all (the version cannot be
/// read or goes down); anything else that is wrong is listed in `problems`.
pub fn plan(inputs: &Inputs, target: &str, execute: bool) -> Result<Plan, String> {
    let from = version::workspace_version(&inputs.manifest)?;
    let new = next_version(&from, target)?;
    let (mut problems, mut notes) = (Vec::new(), Vec::new());

    if let [first, ..] = &inputs.uncommitted[..] {
        let what = format!(
            "the tree has {} uncommitted change(s) (first: {}); a release is made from a clean, committed tree",
            inputs.uncommitted.len(),
            first.trim()
        );
        if execute {
            problems.push(what);
        } else {
            notes.push(format!("{what}. This dry run verifies the tree as it is"));
        }
    }

    let (mut publish, mut unpublished) = (Vec::new(), Vec::new());
    for member in &inputs.members {
        let name = member.name.clone();
        if !member.publishable {
            unpublished.push(name);
        } else if name == "xtask" {
            problems.push(format!(
                "`{name}` is publishable; give it `publish = false`: it is project automation"
            ));
        } else if member.version != from {
            problems.push(format!(
                "`{name}` is at {} but the workspace is at {from}; give it `version.workspace = true`",
                member.version
            ));
        } else {
            publish.push(name);
        }
    }
    publish.sort();
    unpublished.sort();

    let edits = match &new {
        Some(new) => {
            let (manifest, internal) = version::bump(&inputs.manifest, &from, new)?;
            let stamped = changelog::stamp(&inputs.changelog, new, inputs.today);
            let changelog = stamped.unwrap_or_else(|why| {
                problems.push(why);
                inputs.changelog.clone()
            });
            Some(Edits {
                manifest,
                internal,
                changelog,
            })
        }
        None => {
            notes.push(format!(
                "the workspace is already at {from}: resuming that release (publish what is missing, then tag)"
            ));
            if !changelog::has_release(&inputs.changelog, &from) {
                problems.push(format!(
                    "resuming {from}, but CHANGELOG.md has no `## [{from}]` section; a release is stamped before it is published"
                ));
            }
            None
        }
    };
    let version = new.unwrap_or_else(|| from.clone());
    Ok(Plan {
        from,
        version,
        edits,
        publish,
        unpublished,
        problems,
        notes,
    })
}

/// The plan as printed before anything runs.
pub fn describe(plan: &Plan, execute: bool) -> String {
    let Plan { from, version, .. } = plan;
    let mode = match execute {
        true => "EXECUTE",
        false => "dry run (nothing is published; pass --execute to publish)",
    };
    let mut out = format!("release plan: {mode}\n");
    out += &match &plan.edits {
        Some(_) => format!("  version: {from} -> {version}\n"),
        None => format!("  version: {version} (already in the tree: resuming)\n"),
    };
    let (publish, unpublished) = (plan.publish.join(", "), plan.unpublished.join(", "));
    out += &format!("  crates (cargo publishes each after the crates it needs): {publish}\n");
    if !unpublished.is_empty() {
        out += &format!("  not published (publish = false): {unpublished}\n");
    }
    let mut steps = Vec::new();
    if let Some(edits) = &plan.edits {
        let internal = edits.internal.join(", ");
        steps.extend([
            format!(
                "set {version} in [workspace.package] and on the internal dependencies ({internal})"
            ),
            "refresh Cargo.lock (cargo update --workspace)".to_string(),
            format!("stamp CHANGELOG.md: `## [Unreleased]` -> `## [{version}] - DATE`"),
        ]);
        if execute {
            let edited = EDITED.join(", ");
            steps.push(format!("commit {edited} as \"Release {version}\""));
        }
    }
    steps.extend(match execute {
        true => [
            format!("publish with one `cargo publish`, leaving out crates whose {version} is on crates.io already"),
            format!("tag v{version}"),
        ],
        false => [
            "apply the edits in a temporary copy of the workspace, never in this tree".to_string(),
            "package and build every crate there (cargo publish --dry-run)".to_string(),
        ],
    });
    out += "  steps:\n";
    for (i, step) in steps.iter().enumerate() {
        out += &format!("    {}. {step}\n", i + 1);
    }
    let notes = plan.notes.iter().map(|note| ("note", note));
    for (kind, text) in notes.chain(plan.problems.iter().map(|p| ("problem", p))) {
        out += &format!("  {kind}: {text}\n");
    }
    out
}

/// Runs the release from the workspace at `root`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let (target, execute) = parse_args(args)?;
    let plan = plan(&read_inputs(root)?, &target, execute)?;
    print!("{}", describe(&plan, execute));
    match execute {
        true => publish_for_real(root, &plan),
        false => dry_run(root, &plan),
    }
}

fn read_inputs(root: &Path) -> Result<Inputs, String> {
    let read = |name: &str| {
        let text = std::fs::read_to_string(root.join(name));
        text.map_err(|e| format!("cannot read {name} at the workspace root: {e}"))
    };
    let (manifest, changelog) = (read("Cargo.toml")?, read("CHANGELOG.md")?);
    let metadata = MetadataCommand::new().current_dir(root).no_deps().exec();
    let metadata =
        metadata.map_err(|e| format!("cannot read the workspace with `cargo metadata`: {e}"))?;
    let members = metadata.workspace_packages().into_iter().map(|p| Member {
        name: p.name.to_string(),
        version: p.version.clone(),
        publishable: !p.publish.as_ref().is_some_and(Vec::is_empty),
    });
    let status = Invocation::of("git status --porcelain").stdout(root)?;
    Ok(Inputs {
        manifest,
        changelog,
        members: members.collect(),
        uncommitted: status.lines().map(str::to_string).collect(),
        today: Utc::now().date_naive(),
    })
}

/// `cargo publish` naming every crate: cargo packages and builds them all first, resolving
/// the workspace crates not yet on crates.io locally, then uploads in dependency order.
fn publish(crates: &[String], dry_run: bool) -> Invocation {
    let mut args = vec!["publish"];
    if dry_run {
        args.extend(["--dry-run", "--allow-dirty"]);
    }
    args.extend(crates.iter().flat_map(|name| ["-p", name]));
    Invocation::new("cargo", &args)
}

/// Writes the edits (not yet `Cargo.lock`) into the workspace at `dir`.
fn apply(dir: &Path, edits: &Edits) -> Result<(), String> {
    for (name, text) in [
        ("Cargo.toml", &edits.manifest),
        ("CHANGELOG.md", &edits.changelog),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn dry_run(root: &Path, plan: &Plan) -> Result<(), String> {
    let copy = TempCopy::of(root)?;
    println!("==> applying the edits in {}", copy.0.display());
    if let Some(edits) = &plan.edits {
        apply(&copy.0, edits)?;
    }
    // Building into this workspace's target directory reuses what is compiled already.
    let target_dir = crate::cmd::target_dir(root);
    let steps = [
        Invocation::of("cargo update --workspace"),
        publish(&plan.publish, true),
    ];
    let verified = steps.into_iter().try_for_each(|step| {
        let step = step.with_env("CARGO_TARGET_DIR", &target_dir.to_string_lossy());
        step.run_shown(&copy.0, "==> ")
    });
    drop(copy);
    println!(
        "==> not verified by a dry run:\n    - that the crate names on crates.io are ours to publish to (owners)\n    \
         - whether {} of each crate is already published (--execute leaves those out)\n    \
         - checks crates.io makes only at upload (rate limits for new crates, size limits)",
        plan.version
    );
    verified.map_err(|why| format!("packaging failed in the temporary copy: {why}"))?;
    plan.refuse_on_problems("every crate packages, but the release would be refused")?;
    println!(
        "==> dry run passed: `cargo xtask release {} --execute` would publish {} crates",
        plan.version,
        plan.publish.len()
    );
    Ok(())
}

fn publish_for_real(root: &Path, plan: &Plan) -> Result<(), String> {
    plan.refuse_on_problems("refusing to release")?;
    let version = plan.version.to_string();
    let git = |args: &[&str]| Invocation::new("git", args).run(root);
    if let Some(edits) = &plan.edits {
        apply(root, edits)?;
        Invocation::of("cargo update --workspace").run(root)?;
        git(&[&["add", "--"][..], &EDITED].concat())?;
        git(&["commit", "-m", &format!("Release {version}")])?;
    }
    // A release that stopped half-way has published some crates; cargo refuses to publish a
    // version twice, so those are left out.
    let mut pending = Vec::new();
    for name in &plan.publish {
        // Outside the workspace, `cargo info` asks crates.io rather than reading the member.
        let info = Invocation::new("cargo", &["info", &format!("{name}@{version}")]);
        if info.stdout(&std::env::temp_dir()).is_ok() {
            println!("==> {name} {version} is on crates.io already: left out");
        } else {
            pending.push(name.clone());
        }
    }
    if !pending.is_empty() {
        publish(&pending, false).run_shown(root, "==> ").map_err(|why| {
            format!(
                "{why}\nfix what cargo reports (wait a few minutes if crates.io limited the rate), commit any fix, \
                 and run `cargo xtask release {version} --execute` again: crates already published are left out"
            )
        })?;
    }
    let tag = format!("v{version}");
    let exists = Invocation::new("git", &["tag", "--list", &tag]).stdout(root)?;
    if exists.trim().is_empty() {
        git(&["tag", "-a", &tag, "-m", &format!("Release {version}")])?;
    }
    println!("==> released {version}; push the commit and the tag: git push origin HEAD {tag}");
    Ok(())
}

/// A copy of the workspace's tracked and untracked-but-not-ignored files (so no `target/`
/// and no `.git/`), removed when dropped.
struct TempCopy(PathBuf);

impl TempCopy {
    fn of(root: &Path) -> Result<Self, String> {
        let copy = format!("opretail-release-{}", std::process::id());
        let copy = Self(std::env::temp_dir().join(copy));
        let list = Invocation::of("git ls-files -z --cached --others --exclude-standard");
        let files = list.stdout(root)?;
        // Files deleted in the working tree but still in the index are not part of it.
        for file in files.split('\0').filter(|f| root.join(f).is_file()) {
            let to = copy.0.join(file);
            let parent = to.parent().unwrap_or(&copy.0);
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            std::fs::copy(root.join(file), &to).map_err(|e| format!("cannot copy {file}: {e}"))?;
        }
        Ok(copy)
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contains;
    use crate::version::tests::v;

    const MANIFEST: &str = r#"[workspace]
members = ["crates/*", "xtask"]

[workspace.package]
version = "0.1.0"

[workspace.dependencies]
base = { path = "crates/base", version = "0.1.0" }
top = { path = "crates/top", version = "0.1.0" }
serde = "1"
"#;

    const CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n- Added `top::run`.\n\n## [0.1.0] - 2026-11-01\n- First.\n";

    fn member(name: &str, version: &str, publishable: bool) -> Member {
        let (name, version) = (name.to_string(), v(version));
        Member {
            name,
            version,
            publishable,
        }
    }

    fn inputs() -> Inputs {
        Inputs {
            manifest: MANIFEST.to_string(),
            changelog: CHANGELOG.to_string(),
            members: vec![
                member("top", "0.1.0", true),
                member("base", "0.1.0", true),
                member("xtask", "0.0.0", false),
            ],
            uncommitted: Vec::new(),
            today: "2026-11-28".parse().expect("fixture date parses"),
        }
    }

    fn planned(inputs: &Inputs, target: &str, execute: bool) -> Plan {
        plan(inputs, target, execute).expect("plans")
    }

    #[test]
    fn parses_arguments() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_args(&args(&["minor"])), Ok(("minor".into(), false)));
        let execute = parse_args(&args(&["--execute", "0.2.0"]));
        assert_eq!(execute, Ok(("0.2.0".into(), true)));
        for bad in [&[][..], &["0.2.0", "0.3.0"], &["0.2.0", "--force"]] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_clean_minor_release_plans_and_prints_every_edit() {
        let plan = planned(&inputs(), "minor", false);
        assert_eq!((&plan.from, &plan.version), (&v("0.1.0"), &v("0.2.0")));
        let crates = (plan.publish.join(" "), plan.unpublished.join(" "));
        assert_eq!(crates, ("base top".into(), "xtask".into()));
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let text = describe(&plan, false);
        for expected in [
            "dry run",
            "version: 0.1.0 -> 0.2.0",
            "needs): base, top\n",
            "not published (publish = false): xtask",
            "internal dependencies (base, top)",
            "temporary copy",
        ] {
            contains(&text, expected);
        }
        assert!(
            !text.contains("tag v0.2.0"),
            "a dry run does not tag:\n{text}"
        );
        contains(&describe(&plan, true), "tag v0.2.0");
        let edits = plan.edits.expect("edits");
        assert_eq!(edits.internal, ["base", "top"]);
        assert_eq!(edits.manifest, MANIFEST.replace("0.1.0", "0.2.0"));
        contains(
            &edits.changelog,
            "## [Unreleased]\n\n## [0.2.0] - 2026-11-28\n- Added",
        );
        for (target, expected) in [("0.0.9", "lower"), ("1.0.0-rc.01", "MAJOR.MINOR.PATCH")] {
            let err = super::plan(&inputs(), target, false).expect_err("no plan");
            contains(&err, expected);
        }
    }

    #[test]
    fn what_stops_a_release_is_a_problem() {
        // A dirty tree is a note for a dry run and a problem for a real release.
        let mut odd = inputs();
        odd.uncommitted = vec![" M crates/top/src/lib.rs".to_string()];
        let dry = planned(&odd, "0.2.0", false);
        assert!(dry.problems.is_empty(), "{:?}", dry.problems);
        contains(&dry.notes.join("\n"), "M crates/top/src/lib.rs");
        let real = planned(&odd, "0.2.0", true);
        contains(&real.problems.join("\n"), "uncommitted");

        odd.changelog = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0]\n- First.\n".to_string();
        odd.members[0].version = v("0.0.5");
        odd.members[2].publishable = true;
        let plan = planned(&odd, "minor", false);
        assert_eq!(plan.publish, ["base"]);
        assert_eq!(plan.edits.map(|e| e.changelog), Some(odd.changelog));
        for expected in [
            "`top` is at 0.0.5",
            "`xtask` is publishable",
            "[Unreleased]` section of CHANGELOG.md is empty",
        ] {
            contains(&plan.problems.join("\n"), expected);
        }
    }

    #[test]
    fn the_current_version_resumes_without_edits() {
        let mut released = inputs();
        released.manifest = MANIFEST.replace("0.1.0", "0.2.0");
        for member in &mut released.members[..2] {
            member.version = v("0.2.0");
        }
        let stamped = changelog::stamp(CHANGELOG, &v("0.2.0"), released.today);
        released.changelog = stamped.expect("stamps");
        let plan = planned(&released, "0.2.0", true);
        assert_eq!((&plan.version, &plan.edits), (&v("0.2.0"), &None));
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let text = describe(&plan, true);
        contains(&text, "resuming");
        assert!(!text.contains("commit"), "{text}");

        // A version that was never stamped was never started: refuse rather than publish it.
        released.changelog = CHANGELOG.to_string();
        let unstamped = planned(&released, "0.2.0", true);
        contains(&unstamped.problems.join("\n"), "no `## [0.2.0]`");
    }
}
