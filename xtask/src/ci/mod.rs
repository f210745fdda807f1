//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

mod msrv;
mod packages;

use std::path::Path;
use std::time::Instant;

use crate::cmd::Invocation;

/// What a step does.
enum Action {
    /// Passes when each command exits successfully, in turn (see [`run_all`], [`run_each`]).
    Run(Vec<Invocation>),
    /// Fail when any of these `cargo tree`s lists crates of more than `at_most` groups (a
    /// group, `a/b`, counts once whichever of its crates appear).
    Tree(Vec<Invocation>, &'static [&'static str], usize),
    /// A step with a module of its own ([`msrv`], [`packages`]): its `--list` lines, the step.
    Own(fn(&Path) -> Vec<String>, fn(&Path) -> Outcome),
}

/// How a step ended when it did not fail: `Some(why)` when it could not run on this machine.
type Outcome = Result<Option<String>, String>;

/// One CI step: the name for `--skip`, what it checks, the command, what to do on failure.
struct Step(&'static str, &'static str, Action, &'static str);

/// The facade's feature sets that are tested on their own: each client alone with rustls,
/// and both clients with the platform's TLS.
const FACADE_FEATURE_SETS: [&str; 3] = [
    "async,rustls",
    "blocking,rustls",
    "async,blocking,native-tls",
];

/// The step that runs `invocations` in turn, [`without_incremental`].
fn run_all(invocations: impl IntoIterator<Item = Invocation>) -> Action {
    Action::Run(invocations.into_iter().map(without_incremental).collect())
}

/// The step that runs the command `line`.
fn run_line(line: &str) -> Action {
    run_all([Invocation::of(line)])
}

/// The arguments that select the facade with only `features`.
fn facade(features: &str) -> String {
    format!("-p opretail --no-default-features --features {features}")
}

/// `cargo tree` of the facade `selection`, one crate a line.
fn facade_tree(selection: &str) -> Invocation {
    let line = format!("cargo tree {selection} -e normal,build --prefix none");
    Invocation::of(&line)
}

/// The CI steps, in the order they run: cheap checks first so that a formatting slip fails
/// in seconds rather than after a full build.
fn steps() -> Vec<Step> {
    use Action::{Own, Tree};
    let blocking_only = facade(FACADE_FEATURE_SETS[1]);
    let facade_tests =
        FACADE_FEATURE_SETS.map(|f| Invocation::of(&format!("cargo test {}", facade(f))));
    vec![
        Step(
            "fmt",
            "formatting (cargo fmt --check)",
            run_line("cargo fmt --all --check"),
            "run `cargo fmt --all` and commit the result",
        ),
        Step(
            "clippy",
            "lints (clippy, warnings are errors)",
            run_line("cargo clippy --workspace --all-targets --all-features -- -D warnings"),
            "fix the lints shown above; `cargo clippy --fix` handles some",
        ),
        Step(
            "packages",
            "PostgreSQL 15 and Chromium for the tests (installed with apt when missing)",
            Own(packages::describe, packages::run),
            "install Debian's postgresql-15 and chromium by hand (PostgreSQL 15's programs in \
             /usr/lib/postgresql/15/bin, Chromium as /usr/bin/chromium)",
        ),
        Step(
            "test",
            "tests with all features, doc tests included",
            run_line("cargo test --workspace --all-features"),
            "the failing tests are named above; rerun one with `cargo test -p CRATE NAME`",
        ),
        Step(
            "test-facade",
            "facade tests with each client alone on rustls, and both on native-tls",
            run_all(facade_tests),
            "a test or an item is wrong with only some features (the failing set is named \
             above); check the `#[cfg(feature = ...)]` gates",
        ),
        Step(
            "doc",
            "documentation builds without warnings",
            run_all([
                Invocation::of("cargo doc --workspace --no-deps --all-features")
                    .with_env("RUSTDOCFLAGS", "-D warnings"),
            ]),
            "fix the rustdoc warnings shown above (broken intra-doc links, bad code blocks)",
        ),
        Step(
            "footprint",
            "a blocking-only facade has no tokio, hyper or reqwest",
            Tree(
                vec![facade_tree(&blocking_only)],
                &["tokio", "hyper", "reqwest"],
                0,
            ),
            "keep the async stack optional, behind the `async` feature",
        ),
        Step(
            "tls-provider",
            "one rustls crypto provider (ring or aws-lc), never both",
            Tree(
                vec![
                    facade_tree(&facade("async,blocking,rustls")),
                    facade_tree("-p opretail --all-features"),
                ],
                &["ring", "aws-lc-rs/aws-lc-sys"],
                1,
            ),
            "make reqwest and ureq use the same rustls provider (their TLS features choose it)",
        ),
        Step(
            "msrv",
            "the libraries build with Rust 1.85 (rust-version)",
            Own(msrv::describe, msrv::run),
            "use only what Rust 1.85 has in the libraries, or pin the dependency that needs newer Rust \
             in Cargo.lock (`cargo update -p CRATE --precise VERSION`)",
        ),
    ]
}

/// `invocation` without incremental compilation: CI builds each crate once, so its
/// incremental caches (gigabytes for this workspace) would only fill the disk.
fn without_incremental(invocation: Invocation) -> Invocation {
    invocation.with_env("CARGO_INCREMENTAL", "0")
}

/// Reads `[--skip STEP]... [--list]`: the steps to run, those skipped, whether to only list.
fn parse_args(args: &[String]) -> Result<(Vec<Step>, Vec<String>, bool), String> {
    let mut steps = steps();
    let known: Vec<&str> = steps.iter().map(|s| s.0).collect();
    let mut skip = Vec::new();
    let mut list = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => list = true,
            "--skip" => {
                let id = args.next();
                let id = id.ok_or("`--skip` needs a step name; see `cargo xtask ci --list`")?;
                if !known.contains(&id.as_str()) {
                    let known = known.join(", ");
                    return Err(format!(
                        "there is no CI step `{id}`; the steps are: {known}"
                    ));
                }
                skip.push(id.clone());
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` for `cargo xtask ci`; it takes `--skip STEP` and `--list`"
                ));
            }
        }
    }
    steps.retain(|step| !skip.iter().any(|id| id == step.0));
    Ok((steps, skip, list))
}

/// `apt-get update`, then an `apt-get install` of `packages` that asks nothing, adds no extras.
fn apt_steps(packages: &[impl AsRef<str>]) -> [Invocation; 2] {
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(packages.iter().map(AsRef::as_ref));
    let install = Invocation::new("apt-get", &args).with_env("DEBIAN_FRONTEND", "noninteractive");
    [Invocation::of("apt-get update"), install]
}

/// Runs `invocations` in turn, each shown as it runs.
fn run_each<'i>(root: &Path, invocations: impl IntoIterator<Item = &'i Invocation>) -> Outcome {
    for invocation in invocations {
        invocation.run_shown(root, "    ")?;
    }
    Ok(None)
}

/// Why apt-get cannot install packages here (no Debian apt-get, or not root), if it cannot.
fn apt_unavailable(root: &Path) -> Option<&'static str> {
    if !Path::new("/etc/debian_version").exists() || !Path::new("/usr/bin/apt-get").exists() {
        return Some("this machine has no Debian apt-get");
    }
    let uid = Invocation::of("id -u").stdout(root).unwrap_or_default();
    (uid.trim() != "0").then_some("apt-get needs root and this runs as another user")
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let (chosen, skipped, list) = parse_args(args)?;
    if list {
        for Step(id, title, action, _) in &chosen {
            println!("{id:<16} {title}");
            let commands = match action {
                Action::Run(invocations) | Action::Tree(invocations, ..) => {
                    invocations.iter().map(Invocation::display).collect()
                }
                Action::Own(describe, _) => describe(root),
            };
            for command in commands {
                println!("{:<16} {command}", "");
            }
        }
        return Ok(());
    }
    let mut not_run = Vec::new();
    for Step(id, title, action, hint) in &chosen {
        println!("==> {title}");
        let started = Instant::now();
        let outcome = match action {
            Action::Run(invocations) => run_each(root, invocations),
            Action::Tree(trees, groups, at_most) => check_trees(root, trees, groups, *at_most),
            Action::Own(_, run) => run(root),
        };
        let cannot_run =
            outcome.map_err(|why| format!("CI step `{id}` failed: {why}\nnext: {hint}"))?;
        if let Some(why) = cannot_run {
            println!("    SKIPPED: {why}");
            not_run.push(*id);
        }
        println!("    done in {:.1}s", started.elapsed().as_secs_f64());
    }
    if !skipped.is_empty() {
        println!("note: skipped {}", skipped.join(", "));
    }
    match not_run.as_slice() {
        [] => println!("==> all {} CI steps passed", chosen.len()),
        ids => println!(
            "==> {} CI steps passed; {} could not run on this machine (see SKIPPED above)",
            chosen.len() - ids.len(),
            ids.join(", ")
        ),
    }
    Ok(())
}

/// The groups (`a/b`: crates that count as one) of which `tree` lists a crate. `tree` is
/// `cargo tree --prefix none` output: one `name vX.Y.Z ...` per line.
fn groups_in<'g>(tree: &str, groups: &[&'g str]) -> Vec<&'g str> {
    let listed: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let is_listed = |group: &&str| group.split('/').any(|name| listed.contains(&name));
    groups.iter().copied().filter(is_listed).collect()
}

/// Runs each of `trees` and fails when one lists crates of more than `at_most` of `groups`.
fn check_trees(root: &Path, trees: &[Invocation], groups: &[&str], at_most: usize) -> Outcome {
    for tree in trees {
        println!("    {}", tree.display());
        let found = groups_in(&tree.stdout(root)?, groups);
        println!("    found: [{}]", found.join(", "));
        if found.len() > at_most {
            let first = found[0].split('/').next().unwrap_or_default();
            let why = tree
                .display()
                .replace("--prefix none", &format!("-i {first}"));
            return Err(format!(
                "it lists {}, but at most {at_most} of these may appear: {}; see why with `{why}`",
                found.join(", "),
                groups.join(", "),
            ));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(args: &[&str]) -> Result<(Vec<&'static str>, bool), String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_args(&args).map(|(steps, _, list)| (steps.iter().map(|s| s.0).collect(), list))
    }

    #[test]
    fn skip_leaves_steps_out_and_list_only_lists() {
        let (all, list) = ids(&[]).expect("parses");
        assert_eq!((all.len(), list), (9, false));
        let unique: std::collections::HashSet<_> = all.iter().collect();
        let ambiguous = "two steps share a name: --skip would be ambiguous";
        assert_eq!(unique.len(), all.len(), "{ambiguous}");
        let (kept, list) = ids(&["--skip", "doc", "--list", "--skip", "msrv"]).expect("parses");
        assert!(list && kept.len() == 7 && !kept.contains(&"doc") && !kept.contains(&"msrv"));
        let packages = all.iter().position(|id| *id == "packages");
        let test = all.iter().position(|id| *id == "test");
        assert!(
            packages < test,
            "PostgreSQL and Chromium are installed before the tests that need them"
        );
        let err = ids(&["--skip", "nope"]).expect_err("unknown step");
        crate::contains(&err, "fmt, clippy");
        assert!(ids(&["--skip"]).is_err() && ids(&["--fast"]).is_err());
    }

    #[test]
    fn matches_crates_by_exact_name_and_counts_a_group_once() {
        let tree = "opretail v0.1.0 (/w/crates/opretail)\nureq v3.1.0\ntokio v1.48.0\ntokio v1.48.0 (*)\n\
                    tokio-util v0.7.0\nhyper-util v0.1.0\nmy-reqwest-helper v1.0.0\n";
        assert_eq!(groups_in(tree, &["tokio", "hyper", "reqwest"]), ["tokio"]);
        let providers = ["ring", "aws-lc-rs/aws-lc-sys"];
        let aws = "rustls v0.23.0\naws-lc-sys v0.47.0\naws-lc-rs v1.19.0\n";
        assert_eq!(groups_in(aws, &providers), ["aws-lc-rs/aws-lc-sys"]);
        let both = format!("{aws}ring v0.17.14\n");
        assert_eq!(groups_in(&both, &providers), providers);
        assert!(groups_in("rustls v0.23.0\nrustls-pki-types v1.0.0\n", &providers).is_empty());
    }
}
