//! `cargo xtask release VERSION|major|minor|patch [--execute]`.
//!
//! The plan (versions, edits, order, problems) is computed by a pure function from text the
//! tree already holds; only [`run`] touches files, git, cargo and the registry.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crate::changelog;
use crate::cmd::Invocation;
use crate::manifest;
use crate::order::{self, PublishOrder};
use crate::version::{Bump, Target, Version};

/// Files a release edits in the tree.
const EDITED: [&str; 3] = ["Cargo.toml", "Cargo.lock", "CHANGELOG.md"];

/// Seconds to wait before each retry of a publish that the registry refused for now.
pub const BACKOFF_SECONDS: [u64; 4] = [10, 20, 40, 80];

/// Parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The version asked for.
    pub target: Target,
    /// Publish for real; otherwise a dry run.
    pub execute: bool,
}

/// Reads `VERSION|major|minor|patch [--execute]`.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let usage = "usage: cargo xtask release VERSION|major|minor|patch [--execute]";
    let mut target = None;
    let mut execute = false;
    for arg in args {
        match arg.as_str() {
            "--execute" => execute = true,
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`; {usage}")),
            version if target.is_none() => target = Some(Target::parse(version)?),
            extra => return Err(format!("unexpected argument `{extra}`; {usage}")),
        }
    }
    let target = target.ok_or_else(|| format!("which version? {usage}"))?;
    Ok(Options { target, execute })
}

/// What the release reads from the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The root `Cargo.toml`.
    pub manifest: String,
    /// `CHANGELOG.md`, if there is one.
    pub changelog: Option<String>,
    /// `cargo metadata --format-version 1 --no-deps`.
    pub metadata: String,
    /// `git status --porcelain` lines: changes not committed.
    pub uncommitted: Vec<String>,
    /// Today, `YYYY-MM-DD`.
    pub date: String,
}

/// Everything a release will do, decided before anything is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The version move, or a resumed release.
    pub bump: Bump,
    /// The new root `Cargo.toml` (`None` when resuming: it already carries the version).
    pub manifest: Option<String>,
    /// Internal `[workspace.dependencies]` entries whose version moves.
    pub internal: Vec<String>,
    /// The stamped `CHANGELOG.md` (`None` when resuming or when it cannot be stamped).
    pub changelog: Option<String>,
    /// Publish order and unpublished members.
    pub order: PublishOrder,
    /// Reasons the release must not go ahead. A dry run reports them and goes on verifying.
    pub problems: Vec<String>,
    /// Things worth knowing that do not stop a dry run.
    pub notes: Vec<String>,
}

impl Plan {
    /// The version being released.
    pub fn version(&self) -> &Version {
        match &self.bump {
            Bump::To { new, .. } => new,
            Bump::Resume(version) => version,
        }
    }

    /// The git tag for the release.
    pub fn tag(&self) -> String {
        format!("v{}", self.version())
    }
}

/// Works out the release. `Err` means no plan can be made at all (the version or the
/// workspace cannot be read); anything else that is wrong is listed in `problems`.
pub fn plan(inputs: &Inputs, options: &Options) -> Result<Plan, String> {
    let current = manifest::workspace_version(&inputs.manifest)?;
    let bump = crate::version::next_version(&current, &options.target)?;
    let members = order::members(&inputs.metadata)?;
    let order = order::publish_order(&members)?;
    let mut problems = Vec::new();
    let mut notes = Vec::new();

    if !inputs.uncommitted.is_empty() {
        let what = format!(
            "the tree has uncommitted changes ({}); a release is made from a clean, committed tree",
            summarise(&inputs.uncommitted)
        );
        if options.execute {
            problems.push(what);
        } else {
            notes.push(format!(
                "{what}. This dry run verifies the tree as it is, uncommitted changes included"
            ));
        }
    }
    for member in members
        .iter()
        .filter(|m| m.publish && m.version != current.to_string())
    {
        problems.push(format!(
            "`{}` is at {} but the workspace is at {current}; give it `version.workspace = true`",
            member.name, member.version
        ));
    }

    let (manifest, internal, changelog) = match &bump {
        Bump::To { old, new } => {
            let bumped = manifest::bump_manifest(&inputs.manifest, old, new)?;
            let changelog = match &inputs.changelog {
                None => {
                    problems.push("there is no CHANGELOG.md at the workspace root; create one with a `## [Unreleased]` section".to_string());
                    None
                }
                Some(text) => changelog::stamp(text, new, &inputs.date)
                    .map_err(|why| problems.push(why))
                    .ok(),
            };
            (Some(bumped.text), bumped.internal, changelog)
        }
        Bump::Resume(version) => {
            notes.push(format!(
                "the workspace is already at {version}: resuming that release (publish what is missing, then tag)"
            ));
            let stamped = inputs
                .changelog
                .as_deref()
                .is_some_and(|text| changelog::has_release(text, version));
            if !stamped {
                problems.push(format!(
                    "resuming {version}, but CHANGELOG.md has no `## [{version}]` section; a release is stamped before it is published"
                ));
            }
            (None, Vec::new(), None)
        }
    };
    Ok(Plan {
        bump,
        manifest,
        internal,
        changelog,
        order,
        problems,
        notes,
    })
}

fn summarise(lines: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<&str> = lines.iter().take(SHOWN).map(|l| l.trim()).collect();
    match lines.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The plan as printed before anything runs.
pub fn describe(plan: &Plan, execute: bool) -> String {
    let mut out = String::new();
    let mode = if execute {
        "EXECUTE"
    } else {
        "dry run (nothing is published; pass --execute to publish)"
    };
    out.push_str(&format!("release plan: {mode}\n"));
    match &plan.bump {
        Bump::To { old, new } => out.push_str(&format!("  version: {old} -> {new}\n")),
        Bump::Resume(version) => out.push_str(&format!(
            "  version: {version} (already in the tree: resuming)\n"
        )),
    }
    out.push_str("  publish order:\n");
    for (i, name) in plan.order.publish.iter().enumerate() {
        out.push_str(&format!("    {}. {name} {}\n", i + 1, plan.version()));
    }
    if !plan.order.unpublished.is_empty() {
        out.push_str(&format!(
            "  not published (publish = false): {}\n",
            plan.order.unpublished.join(", ")
        ));
    }
    out.push_str("  steps:\n");
    let mut steps = Vec::new();
    if let Bump::To { old, new } = &plan.bump {
        steps.push(format!("set [workspace.package] version {old} -> {new}"));
        if !plan.internal.is_empty() {
            steps.push(format!(
                "set `version = \"{new}\"` on internal dependencies: {}",
                plan.internal.join(", ")
            ));
        }
        steps.push("refresh Cargo.lock (cargo update --workspace)".to_string());
        steps.push(format!(
            "stamp CHANGELOG.md: `## [Unreleased]` -> `## [{new}] - DATE`"
        ));
    }
    if execute {
        if matches!(plan.bump, Bump::To { .. }) {
            steps.push(format!(
                "commit {} as \"Release {}\"",
                EDITED.join(", "),
                plan.version()
            ));
        }
        steps.push("verify every crate packages and builds (cargo publish --dry-run)".to_string());
        steps.push("publish in order, skipping versions already on crates.io, retrying while the index catches up".to_string());
        steps.push(format!("tag {}", plan.tag()));
    } else {
        steps.push(
            "apply the edits in a temporary copy of the workspace, never in this tree".to_string(),
        );
        steps.push(
            "verify every crate packages and builds there (cargo publish --dry-run)".to_string(),
        );
    }
    for (i, step) in steps.iter().enumerate() {
        out.push_str(&format!("    {}. {step}\n", i + 1));
    }
    for note in &plan.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    for problem in &plan.problems {
        out.push_str(&format!("  problem: {problem}\n"));
    }
    out
}

/// How one `cargo publish` attempt ended, read from its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Uploaded.
    Published,
    /// This version is on the registry already (an earlier, interrupted run published it).
    AlreadyPublished,
    /// The registry is not ready yet (index not caught up, rate limit): try again later.
    RetryLater,
    /// Anything else: stop and let the maintainer look.
    Failed,
}

/// Classifies a `cargo publish` run by its success and its stderr.
pub fn classify(success: bool, stderr: &str) -> Attempt {
    let text = stderr.to_ascii_lowercase();
    if text.contains("already exists") || text.contains("already uploaded") {
        return Attempt::AlreadyPublished;
    }
    if success {
        return Attempt::Published;
    }
    let transient = [
        "failed to select a version",
        "no matching package named",
        "candidate versions found which didn't match",
        "429",
        "too many requests",
        "published too many",
        "timed out",
        "503",
    ];
    if transient.iter().any(|needle| text.contains(needle)) {
        Attempt::RetryLater
    } else {
        Attempt::Failed
    }
}

/// `cargo publish --dry-run` for every crate of the plan, in order, as one cargo run: cargo
/// resolves not-yet-published workspace crates locally, so the whole set verifies before any
/// of it is on the registry.
pub fn verify_invocation(order: &PublishOrder, allow_dirty: bool) -> Invocation {
    let mut args = vec!["publish", "--dry-run"];
    if allow_dirty {
        args.push("--allow-dirty");
    }
    for name in &order.publish {
        args.push("-p");
        args.push(name);
    }
    Invocation::new("cargo", &args)
}

/// Runs the release from the workspace at `root`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    let inputs = read_inputs(root)?;
    let plan = plan(&inputs, &options)?;
    print!("{}", describe(&plan, options.execute));
    if options.execute {
        execute(root, &plan)
    } else {
        dry_run(root, &plan)
    }
}

fn read_inputs(root: &Path) -> Result<Inputs, String> {
    let read = |name: &str| std::fs::read_to_string(root.join(name));
    let manifest = read("Cargo.toml").map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    let changelog = match read("CHANGELOG.md") {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read CHANGELOG.md: {e}")),
    };
    let metadata = Invocation::new("cargo", &["metadata", "--format-version", "1", "--no-deps"])
        .stdout(root)?;
    let status = Invocation::new("git", &["status", "--porcelain"]).stdout(root)?;
    Ok(Inputs {
        manifest,
        changelog,
        metadata,
        uncommitted: status.lines().map(str::to_string).collect(),
        date: crate::date::today_utc(),
    })
}

fn snapshot(root: &Path) -> Vec<Option<Vec<u8>>> {
    EDITED
        .iter()
        .map(|name| std::fs::read(root.join(name)).ok())
        .collect()
}

/// The files of [`EDITED`] whose content differs between two snapshots.
fn changed(before: &[Option<Vec<u8>>], after: &[Option<Vec<u8>>]) -> Vec<&'static str> {
    EDITED
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (b, a))| b != a)
        .map(|(name, _)| *name)
        .collect()
}

fn dry_run(root: &Path, plan: &Plan) -> Result<(), String> {
    let before = snapshot(root);
    let copy = TempCopy::of(root)?;
    println!("==> applying the edits in {}", copy.path.display());
    if let Some(text) = &plan.manifest {
        write(&copy.path, "Cargo.toml", text)?;
    }
    if let Some(text) = &plan.changelog {
        write(&copy.path, "CHANGELOG.md", text)?;
    }
    // Building in this workspace's target directory (or the one the caller chose) reuses
    // what is already compiled instead of building everything again in the copy.
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let target_dir = target_dir.to_string_lossy();
    let update = Invocation::new("cargo", &["update", "--workspace"])
        .with_env("CARGO_TARGET_DIR", &target_dir);
    println!("==> {}", update.display());
    let verified = update.run(&copy.path).and_then(|()| {
        let verify = verify_invocation(&plan.order, true).with_env("CARGO_TARGET_DIR", &target_dir);
        println!("==> {}", verify.display());
        verify.run(&copy.path)
    });
    drop(copy);
    let changed = changed(&before, &snapshot(root));
    match changed.as_slice() {
        [] => println!("==> this tree's {} are unchanged", EDITED.join(", ")),
        files => println!(
            "==> this tree's {} CHANGED during the dry run",
            files.join(", ")
        ),
    }
    println!("==> not verified by a dry run:");
    println!("    - that the crate names on crates.io are ours to publish to (owners)");
    println!(
        "    - whether {} of each crate is already published (--execute skips those)",
        plan.version()
    );
    println!(
        "    - checks the registry only makes at upload (rate limits for new crates, size limits)"
    );
    verified.map_err(|why| format!("packaging failed in the temporary copy: {why}"))?;
    if !changed.is_empty() {
        return Err(format!(
            "{} changed while the dry run ran; the dry run writes only to its temporary copy, so unless \
             something else edited the tree meanwhile (an editor, another cargo command), please report this",
            changed.join(", ")
        ));
    }
    if !plan.problems.is_empty() {
        return Err(format!(
            "every crate packages, but the release would be refused:\n  - {}",
            plan.problems.join("\n  - ")
        ));
    }
    println!(
        "==> dry run passed: `cargo xtask release {} --execute` would publish {} crates",
        plan.version(),
        plan.order.publish.len()
    );
    Ok(())
}

fn execute(root: &Path, plan: &Plan) -> Result<(), String> {
    if !plan.problems.is_empty() {
        return Err(format!(
            "refusing to release:\n  - {}",
            plan.problems.join("\n  - ")
        ));
    }
    let git = |args: &[&str]| Invocation::new("git", args).run(root);
    if let Bump::To { new, .. } = &plan.bump {
        if let Some(text) = &plan.manifest {
            write(root, "Cargo.toml", text)?;
        }
        if let Some(text) = &plan.changelog {
            write(root, "CHANGELOG.md", text)?;
        }
        Invocation::new("cargo", &["update", "--workspace"]).run(root)?;
        let mut add = vec!["add", "--"];
        add.extend(EDITED);
        git(&add)?;
        git(&["commit", "-m", &format!("Release {new}")])?;
    }
    let verify = verify_invocation(&plan.order, false);
    println!("==> {}", verify.display());
    verify.run(root)?;
    let version = plan.version().to_string();
    for name in &plan.order.publish {
        publish_one(root, name, &version)?;
    }
    let tag = plan.tag();
    let exists = Invocation::new("git", &["tag", "--list", &tag]).stdout(root)?;
    if exists.trim().is_empty() {
        git(&["tag", "-a", &tag, "-m", &format!("Release {version}")])?;
    } else {
        println!("==> tag {tag} exists already");
    }
    println!("==> released {version}; push the commit and the tag: git push origin HEAD {tag}");
    Ok(())
}

fn publish_one(root: &Path, name: &str, version: &str) -> Result<(), String> {
    let publish = Invocation::new("cargo", &["publish", "-p", name]);
    let mut delays = BACKOFF_SECONDS.iter();
    loop {
        println!("==> {}", publish.display());
        let output = publish.output(root)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        eprint!("{stderr}");
        match classify(output.status.success(), &stderr) {
            Attempt::Published => return Ok(()),
            Attempt::AlreadyPublished => {
                println!("    {name} {version} is already on crates.io: skipped");
                return Ok(());
            }
            Attempt::RetryLater => match delays.next() {
                Some(seconds) => {
                    println!(
                        "    the registry is not ready for {name} yet; retrying in {seconds}s"
                    );
                    thread::sleep(Duration::from_secs(*seconds));
                }
                None => {
                    return Err(format!(
                        "publishing {name} {version} kept failing; wait a few minutes and run the same command again: \
                         published crates are skipped (see docs/releasing.md)"
                    ));
                }
            },
            Attempt::Failed => {
                return Err(format!(
                    "publishing {name} {version} failed (output above); fix it, commit, and run the same command again: \
                     published crates are skipped (see docs/releasing.md)"
                ));
            }
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    std::fs::write(dir.join(name), text)
        .map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))
}

/// A copy of the workspace's tracked and untracked-but-not-ignored files (so no `target/`
/// and no `.git/`), removed when dropped.
struct TempCopy {
    path: PathBuf,
}

impl TempCopy {
    fn of(root: &Path) -> Result<Self, String> {
        let unique = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("opretail-release-{}-{unique}", std::process::id()));
        let copy = Self { path };
        let listing = Invocation::new(
            "git",
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
        )
        .stdout(root)?;
        for file in listing.split('\0').filter(|f| !f.is_empty()) {
            let from = root.join(file);
            // Files deleted in the working tree but still in the index are not part of it.
            if !from.is_file() {
                continue;
            }
            let to = copy.path.join(file);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::copy(&from, &to).map_err(|e| format!("cannot copy {file}: {e}"))?;
        }
        Ok(copy)
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir is harmless.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    fn metadata() -> String {
        let package = |name: &str, publish: serde_json::Value, deps: &[&str]| {
            let deps: Vec<_> = deps
                .iter()
                .map(|d| json!({"name": d, "req": "^0.1.0", "kind": null, "path": format!("/w/crates/{d}")}))
                .collect();
            json!({"name": name, "version": "0.1.0", "id": name, "publish": publish, "dependencies": deps})
        };
        json!({
            "packages": [
                package("top", json!(null), &["base"]),
                package("base", json!(null), &[]),
                package("xtask", json!([]), &[]),
            ],
            "workspace_members": ["top", "base", "xtask"],
        })
        .to_string()
    }

    fn inputs() -> Inputs {
        Inputs {
            manifest: MANIFEST.to_string(),
            changelog: Some(CHANGELOG.to_string()),
            metadata: metadata(),
            uncommitted: Vec::new(),
            date: "2026-11-28".to_string(),
        }
    }

    fn options(target: &str, execute: bool) -> Options {
        Options {
            target: Target::parse(target).expect("fixture target parses"),
            execute,
        }
    }

    fn v(text: &str) -> Version {
        Version::parse(text).expect("fixture version parses")
    }

    #[test]
    fn parses_arguments() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_args(&args(&["minor"])), Ok(options("minor", false)));
        assert_eq!(
            parse_args(&args(&["--execute", "0.2.0"])),
            Ok(options("0.2.0", true))
        );
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["0.2.0", "0.3.0"])).is_err());
        assert!(parse_args(&args(&["0.2.0", "--force"])).is_err());
        assert!(parse_args(&args(&["0.2"])).is_err());
    }

    #[test]
    fn a_clean_minor_release_plans_every_edit() {
        let plan = plan(&inputs(), &options("minor", true)).expect("plans");
        assert_eq!(
            plan.bump,
            Bump::To {
                old: v("0.1.0"),
                new: v("0.2.0")
            }
        );
        assert_eq!(plan.order.publish, ["base", "top"]);
        assert_eq!(plan.order.unpublished, ["xtask"]);
        assert_eq!(plan.internal, ["base", "top"]);
        let manifest = plan.manifest.as_deref().expect("manifest edited");
        assert_eq!(manifest.matches("\"0.2.0\"").count(), 3, "{manifest}");
        let changelog = plan.changelog.as_deref().expect("changelog stamped");
        assert!(
            changelog.contains("## [Unreleased]\n\n## [0.2.0] - 2026-11-28\n- Added"),
            "{changelog}"
        );
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        assert_eq!(plan.tag(), "v0.2.0");
    }

    #[test]
    fn a_dirty_tree_stops_an_execute_but_not_a_dry_run() {
        let mut dirty = inputs();
        dirty.uncommitted = vec![" M crates/top/src/lib.rs".to_string()];
        let dry = plan(&dirty, &options("0.2.0", false)).expect("plans");
        assert!(dry.problems.is_empty());
        assert!(
            dry.notes[0].contains("uncommitted changes (M crates/top/src/lib.rs)"),
            "{:?}",
            dry.notes
        );
        let real = plan(&dirty, &options("0.2.0", true)).expect("plans");
        assert!(
            real.problems[0].contains("uncommitted"),
            "{:?}",
            real.problems
        );
    }

    #[test]
    fn an_empty_or_missing_changelog_is_a_problem() {
        let mut empty = inputs();
        empty.changelog =
            Some("# Changelog\n\n## [Unreleased]\n\n## [0.1.0]\n- First.\n".to_string());
        let plan_empty = plan(&empty, &options("patch", false)).expect("plans");
        assert!(plan_empty.changelog.is_none());
        assert!(
            plan_empty.problems[0].contains("is empty"),
            "{:?}",
            plan_empty.problems
        );
        let mut missing = inputs();
        missing.changelog = None;
        let plan_missing = plan(&missing, &options("patch", false)).expect("plans");
        assert!(
            plan_missing.problems[0].contains("no CHANGELOG.md"),
            "{:?}",
            plan_missing.problems
        );
    }

    #[test]
    fn the_current_version_resumes_without_edits() {
        let mut released = inputs();
        released.manifest = MANIFEST.replace("0.1.0", "0.2.0");
        released.metadata = metadata().replace("0.1.0", "0.2.0");
        released.changelog =
            Some(changelog::stamp(CHANGELOG, &v("0.2.0"), "2026-11-28").expect("stamps"));
        let plan = plan(&released, &options("0.2.0", true)).expect("plans");
        assert_eq!(plan.bump, Bump::Resume(v("0.2.0")));
        assert_eq!(
            (plan.manifest.as_ref(), plan.changelog.as_ref()),
            (None, None)
        );
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let text = describe(&plan, true);
        assert!(
            text.contains("resuming") && !text.contains("commit"),
            "{text}"
        );

        // Resuming a version that was never stamped is not a resume: refuse.
        released.changelog = Some(CHANGELOG.to_string());
        let unstamped = super::plan(&released, &options("0.2.0", true)).expect("plans");
        assert!(
            unstamped.problems[0].contains("no `## [0.2.0]`"),
            "{:?}",
            unstamped.problems
        );
    }

    #[test]
    fn a_crate_with_its_own_version_is_a_problem() {
        let mut odd = inputs();
        let mut root: serde_json::Value = serde_json::from_str(&odd.metadata).expect("json");
        root["packages"][0]["version"] = json!("0.0.5");
        odd.metadata = root.to_string();
        let plan = plan(&odd, &options("minor", false)).expect("plans");
        assert!(
            plan.problems[0].contains("`top` is at 0.0.5"),
            "{:?}",
            plan.problems
        );
    }

    #[test]
    fn a_lower_version_makes_no_plan() {
        let err = plan(&inputs(), &options("0.0.9", false)).expect_err("refused");
        assert!(err.contains("lower"), "{err}");
    }

    #[test]
    fn the_printed_plan_shows_versions_order_and_steps() {
        let plan = plan(&inputs(), &options("0.2.0", false)).expect("plans");
        let text = describe(&plan, false);
        for expected in [
            "dry run",
            "version: 0.1.0 -> 0.2.0",
            "1. base 0.2.0\n    2. top 0.2.0",
            "not published (publish = false): xtask",
            "internal dependencies: base, top",
            "temporary copy",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        assert!(
            !text.contains("tag v0.2.0"),
            "a dry run does not tag:\n{text}"
        );
        assert!(describe(&plan, true).contains("tag v0.2.0"));
    }

    #[test]
    fn planning_is_pure_and_leaves_inputs_alone() {
        let before = inputs();
        let again = before.clone();
        let first = plan(&before, &options("minor", false)).expect("plans");
        assert_eq!(before, again);
        assert_eq!(
            first,
            plan(&again, &options("minor", false)).expect("plans")
        );
    }

    #[test]
    fn verification_publishes_nothing() {
        let plan = plan(&inputs(), &options("minor", false)).expect("plans");
        let dry = verify_invocation(&plan.order, true).display();
        assert_eq!(dry, "cargo publish --dry-run --allow-dirty -p base -p top");
        assert_eq!(
            verify_invocation(&plan.order, false).display(),
            "cargo publish --dry-run -p base -p top"
        );
    }

    #[test]
    fn changed_files_are_named() {
        let before = vec![Some(b"a".to_vec()), Some(b"b".to_vec()), None];
        assert!(changed(&before, &before).is_empty());
        let after = vec![
            Some(b"a".to_vec()),
            Some(b"B".to_vec()),
            Some(b"new".to_vec()),
        ];
        assert_eq!(changed(&before, &after), ["Cargo.lock", "CHANGELOG.md"]);
    }

    #[test]
    fn publish_outcomes_are_classified() {
        assert_eq!(
            classify(true, "Uploading base v0.2.0\nPublished base v0.2.0"),
            Attempt::Published
        );
        assert_eq!(
            classify(
                false,
                "error: crate base@0.2.0 already exists on crates.io index"
            ),
            Attempt::AlreadyPublished
        );
        assert_eq!(
            classify(false, "error: crate version `0.2.0` is already uploaded"),
            Attempt::AlreadyPublished
        );
        assert_eq!(
            classify(
                false,
                "error: failed to select a version for the requirement `base = \"^0.2.0\"`"
            ),
            Attempt::RetryLater
        );
        assert_eq!(
            classify(
                false,
                "the remote server responded with an error (status 429 Too Many Requests)"
            ),
            Attempt::RetryLater
        );
        assert_eq!(
            classify(false, "error: missing field `description`"),
            Attempt::Failed
        );
        assert_eq!(BACKOFF_SECONDS.len() + 1, 5, "five tries in all");
    }
}
