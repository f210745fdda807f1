//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

mod msrv;
mod packages;

use std::path::Path;
use std::time::Instant;

use crate::cmd::Invocation;

/// What a step does. `Run` passes when each command exits successfully, in turn.
#[derive(Debug)]
enum Action {
    Run(Vec<Invocation>),
    /// Fail when any of these `cargo tree`s lists crates of more than `at_most` groups (a
    /// group, `a/b`, counts once whichever of its crates appear).
    Tree(Vec<Invocation>, &'static [&'static str], usize),
    /// Build the libraries with the minimum supported Rust (see [`msrv`]).
    Msrv,
    /// Install what the tests run that is not Rust (PostgreSQL 15, Chromium) when missing
    /// (see [`packages`]).
    Packages,
}

/// One CI step: the name for `--skip`, what it checks, the command, what to do on failure.
#[derive(Debug)]
struct Step(&'static str, &'static str, Action, &'static str);

/// The facade's feature sets that are tested on their own: each client alone with rustls,
/// and both clients with the platform's TLS.
const FACADE_FEATURE_SETS: [&str; 3] = [
    "async,rustls",
    "blocking,rustls",
    "async,blocking,native-tls",
];

/// The step that runs the command `line`.
fn run_line(line: &str) -> Action {
    Action::Run(vec![Invocation::of(line)])
}

fn facade_tree(features: &str) -> Invocation {
    Invocation::of(&format!(
        "cargo tree -p opretail {features} -e normal,build --prefix none"
    ))
}

/// The CI steps, in the order they run: cheap checks first so that a formatting slip fails
/// in seconds rather than after a full build.
fn steps() -> Vec<Step> {
    use Action::{Msrv, Packages, Run, Tree};
    let blocking_only = FACADE_FEATURE_SETS[1];
    let facade_tests = FACADE_FEATURE_SETS.map(|features| {
        Invocation::of(&format!(
            "cargo test -p opretail --no-default-features --features {features}"
        ))
    });
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
            Packages,
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
            Run(facade_tests.into()),
            "a test or an item is wrong with only some features (the failing set is named \
             above); check the `#[cfg(feature = ...)]` gates",
        ),
        Step(
            "doc",
            "documentation builds without warnings",
            Run(vec![
                Invocation::of("cargo doc --workspace --no-deps --all-features")
                    .with_env("RUSTDOCFLAGS", "-D warnings"),
            ]),
            "fix the rustdoc warnings shown above (broken intra-doc links, bad code blocks)",
        ),
        Step(
            "footprint",
            "a blocking-only facade has no tokio, hyper or reqwest",
            Tree(
                vec![facade_tree(&format!(
                    "--no-default-features --features {blocking_only}"
                ))],
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
                    facade_tree("--no-default-features --features async,blocking,rustls"),
                    facade_tree("--all-features"),
                ],
                &["ring", "aws-lc-rs/aws-lc-sys"],
                1,
            ),
            "make reqwest and ureq use the same rustls provider (their TLS features choose it)",
        ),
        Step(
            "msrv",
            "the libraries build with Rust 1.85 (rust-version)",
            Msrv,
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

/// Reads `[--skip STEP]... [--list]` into the steps to run, those skipped, and whether to
/// only list them.
fn parse_args(args: &[String]) -> Result<(Vec<Step>, Vec<String>, bool), String> {
    let mut steps = steps();
    let known: Vec<&str> = steps.iter().map(|s| s.0).collect();
    let mut skip = Vec::new();
    let mut list = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => list = true,
            "--skip" => match args.next() {
                Some(id) if known.contains(&id.as_str()) => skip.push(id.clone()),
                Some(id) => {
                    return Err(format!(
                        "there is no CI step `{id}`; the steps are: {}",
                        known.join(", ")
                    ));
                }
                None => {
                    return Err("`--skip` needs a step name; see `cargo xtask ci --list`".into());
                }
            },
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

/// `apt-get install` of `packages`, without questions or recommended extras.
fn apt_install(packages: &[&str]) -> Invocation {
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(packages);
    Invocation::new("apt-get", &args).with_env("DEBIAN_FRONTEND", "noninteractive")
}

/// `apt-get update`, then [`apt_install`] of `packages`, each shown as it runs.
fn apt(root: &Path, packages: &[&str]) -> Result<(), String> {
    for step in [Invocation::of("apt-get update"), apt_install(packages)] {
        println!("    {}", step.display());
        step.run(root)?;
    }
    Ok(())
}

/// Why the steps that install Debian packages cannot here (no apt-get, or not root); `None`
/// when they can.
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
                Action::Run(invocations) => invocations
                    .iter()
                    .map(|i| without_incremental(i.clone()).display())
                    .collect(),
                Action::Tree(trees, ..) => trees.iter().map(Invocation::display).collect(),
                Action::Msrv => msrv::describe(root),
                Action::Packages => packages::describe(),
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
            Action::Run(invocations) => invocations
                .iter()
                .try_for_each(|invocation| {
                    let invocation = without_incremental(invocation.clone());
                    println!("    {}", invocation.display());
                    invocation.run(root)
                })
                .map(|()| None),
            Action::Tree(trees, groups, at_most) => trees
                .iter()
                .try_for_each(|tree| check_tree(root, tree, groups, *at_most))
                .map(|()| None),
            Action::Msrv => msrv::run(root),
            Action::Packages => packages::run(root),
        }
        .map(|skipped| {
            if let Some(why) = skipped {
                println!("    SKIPPED: {why}");
                not_run.push(*id);
            }
        });
        outcome.map_err(|why| format!("CI step `{id}` failed: {why}\nnext: {hint}"))?;
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

/// Runs `tree` and fails when it lists crates of more than `at_most` of `groups`.
fn check_tree(
    root: &Path,
    tree: &Invocation,
    groups: &[&str],
    at_most: usize,
) -> Result<(), String> {
    println!("    {}", tree.display());
    let found = groups_in(&tree.stdout(root)?, groups);
    println!("    found: [{}]", found.join(", "));
    if found.len() <= at_most {
        return Ok(());
    }
    let first = found[0]
        .split('/')
        .next()
        .expect("split yields a first piece");
    let why = tree
        .display()
        .replace("--prefix none", &format!("-i {first}"));
    Err(format!(
        "it lists {}, but at most {at_most} of these may appear: {}; see why with `{why}`",
        found.join(", "),
        groups.join(", "),
    ))
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
        let repeated = all
            .iter()
            .enumerate()
            .find(|(i, id)| all[..*i].contains(id));
        assert_eq!(
            repeated, None,
            "two steps share a name: --skip would be ambiguous"
        );
        let (kept, list) = ids(&["--skip", "doc", "--list", "--skip", "msrv"]).expect("parses");
        assert!(list && kept.len() == 7 && !kept.contains(&"doc") && !kept.contains(&"msrv"));
        let packages = all.iter().position(|id| *id == "packages");
        let test = all.iter().position(|id| *id == "test");
        assert!(
            packages < test,
            "PostgreSQL and Chromium are installed before the tests that need them"
        );
        let err = ids(&["--skip", "nope"]).expect_err("unknown step");
        assert!(err.contains("fmt, clippy"), "{err}");
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
