//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

mod msrv;
mod tree;

use std::path::Path;
use std::time::Instant;

use crate::cmd::Invocation;

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run the command; the step passes when it exits successfully.
    Run(Invocation),
    /// Run each `cargo tree` and fail if it lists more than `at_most` of the crate groups.
    Tree {
        /// `cargo tree ... --prefix none` commands, one per feature set.
        trees: Vec<Invocation>,
        /// Crates that count as one: a group is listed when any of its crates is.
        groups: &'static [&'static [&'static str]],
        /// How many groups may appear.
        at_most: usize,
    },
    /// Build the libraries with the minimum supported Rust (see [`msrv`]).
    Msrv,
}

/// One CI step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Short name for `--skip`.
    pub id: &'static str,
    /// What it checks, printed as `==> title`.
    pub title: &'static str,
    /// The command.
    pub action: Action,
    /// What to do when it fails.
    pub hint: &'static str,
}

/// The facade's feature sets that are tested on their own: each client alone with rustls,
/// and both clients with the platform's TLS.
pub const FACADE_FEATURE_SETS: [&str; 3] = [
    "async,rustls",
    "blocking,rustls",
    "async,blocking,native-tls",
];

fn cargo(args: &[&str]) -> Invocation {
    Invocation::new("cargo", args)
}

fn facade(command: &str, features: &str) -> Invocation {
    cargo(&[
        command,
        "-p",
        "opretail",
        "--no-default-features",
        "--features",
        features,
    ])
}

fn facade_tree(features: &[&str]) -> Invocation {
    let mut args = vec!["tree", "-p", "opretail"];
    args.extend(features);
    args.extend(["-e", "normal,build", "--prefix", "none"]);
    cargo(&args)
}

/// The CI steps, in the order they run: cheap checks first so that a formatting slip fails
/// in seconds rather than after a full build.
pub fn steps() -> Vec<Step> {
    let [async_only, blocking_only, native] = FACADE_FEATURE_SETS;
    vec![
        Step {
            id: "fmt",
            title: "formatting (cargo fmt --check)",
            action: Action::Run(cargo(&["fmt", "--all", "--check"])),
            hint: "run `cargo fmt --all` and commit the result",
        },
        Step {
            id: "clippy",
            title: "lints (clippy, warnings are errors)",
            action: Action::Run(cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ])),
            hint: "fix the lints shown above; `cargo clippy --fix` handles some",
        },
        Step {
            id: "test",
            title: "tests with all features, doc tests included",
            action: Action::Run(cargo(&["test", "--workspace", "--all-features"])),
            hint: "the failing tests are named above; rerun one with `cargo test -p CRATE NAME`",
        },
        Step {
            id: "test-async",
            title: "facade tests with only `async` and `rustls`",
            action: Action::Run(facade("test", async_only)),
            hint: "a test or an item is wrong without `blocking`; check the `#[cfg(feature = ...)]` gates",
        },
        Step {
            id: "test-blocking",
            title: "facade tests with only `blocking` and `rustls`",
            action: Action::Run(facade("test", blocking_only)),
            hint: "a test or an item is wrong without `async`; check the `#[cfg(feature = ...)]` gates",
        },
        Step {
            id: "test-native-tls",
            title: "facade tests with both clients on `native-tls` and no rustls",
            action: Action::Run(facade("test", native)),
            hint: "a test or an item assumes rustls; check the `#[cfg(feature = ...)]` gates",
        },
        Step {
            id: "doc",
            title: "documentation builds without warnings",
            action: Action::Run(
                cargo(&["doc", "--workspace", "--no-deps", "--all-features"])
                    .with_env("RUSTDOCFLAGS", "-D warnings"),
            ),
            hint: "fix the rustdoc warnings shown above (broken intra-doc links, bad code blocks)",
        },
        Step {
            id: "footprint",
            title: "a blocking-only facade has no tokio, hyper or reqwest",
            action: Action::Tree {
                trees: vec![facade_tree(&[
                    "--no-default-features",
                    "--features",
                    blocking_only,
                ])],
                groups: &[&["tokio"], &["hyper"], &["reqwest"]],
                at_most: 0,
            },
            hint: "keep the async stack optional, behind the `async` feature",
        },
        Step {
            id: "tls-provider",
            title: "one rustls crypto provider (ring or aws-lc), never both",
            action: Action::Tree {
                trees: vec![
                    facade_tree(&[
                        "--no-default-features",
                        "--features",
                        "async,blocking,rustls",
                    ]),
                    facade_tree(&["--all-features"]),
                ],
                groups: &[&["ring"], &["aws-lc-rs", "aws-lc-sys"]],
                at_most: 1,
            },
            hint: "make reqwest and ureq use the same rustls provider (their TLS features choose it)",
        },
        Step {
            id: "msrv",
            title: "the libraries build with Rust 1.85 (rust-version)",
            action: Action::Msrv,
            hint: "use only what Rust 1.85 has in the libraries, or pin the dependency that needs newer Rust \
                   in Cargo.lock (`cargo update -p CRATE --precise VERSION`)",
        },
    ]
}

/// Parsed `cargo xtask ci` arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Step ids to leave out.
    pub skip: Vec<String>,
    /// Print the steps instead of running them.
    pub list: bool,
}

/// Reads `[--skip STEP]... [--list]`.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let known: Vec<&str> = steps().iter().map(|s| s.id).collect();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => options.list = true,
            "--skip" => {
                let id = args
                    .next()
                    .ok_or("`--skip` needs a step name; see `cargo xtask ci --list`")?;
                if !known.contains(&id.as_str()) {
                    return Err(format!(
                        "there is no CI step `{id}`; the steps are: {}",
                        known.join(", ")
                    ));
                }
                options.skip.push(id.clone());
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` for `cargo xtask ci`; it takes `--skip STEP` and `--list`"
                ));
            }
        }
    }
    Ok(options)
}

/// Runs the CI steps in `root`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    let steps: Vec<Step> = steps()
        .into_iter()
        .filter(|s| !options.skip.iter().any(|id| id == s.id))
        .collect();
    if options.list {
        for step in &steps {
            println!("{:<16} {}", step.id, step.title);
            let commands = match &step.action {
                Action::Run(invocation) => vec![invocation.display()],
                Action::Tree { trees, .. } => trees.iter().map(Invocation::display).collect(),
                Action::Msrv => msrv::describe(root),
            };
            for command in commands {
                println!("{:<16} {command}", "");
            }
        }
        return Ok(());
    }
    let mut not_run = Vec::new();
    for step in &steps {
        println!("==> {}", step.title);
        let started = Instant::now();
        let outcome = match &step.action {
            Action::Run(invocation) => {
                println!("    {}", invocation.display());
                invocation.run(root)
            }
            Action::Tree {
                trees,
                groups,
                at_most,
            } => trees
                .iter()
                .try_for_each(|tree| tree::check(root, tree, groups, *at_most)),
            Action::Msrv => msrv::run(root).map(|skipped| {
                if let Some(why) = skipped {
                    println!("    SKIPPED: {why}");
                    not_run.push(step.id);
                }
            }),
        };
        outcome
            .map_err(|why| format!("CI step `{}` failed: {why}\nnext: {}", step.id, step.hint))?;
        println!("    done in {:.1}s", started.elapsed().as_secs_f64());
    }
    if !options.skip.is_empty() {
        println!("note: skipped {}", options.skip.join(", "));
    }
    match not_run.as_slice() {
        [] => println!("==> all {} CI steps passed", steps.len()),
        ids => println!(
            "==> {} CI steps passed; {} could not run on this machine (see SKIPPED above)",
            steps.len() - ids.len(),
            ids.join(", ")
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_skip_and_list() {
        assert_eq!(parse_args(&[]), Ok(Options::default()));
        let parsed =
            parse_args(&args(&["--skip", "doc", "--list", "--skip", "msrv"])).expect("parses");
        assert_eq!(
            parsed,
            Options {
                skip: args(&["doc", "msrv"]),
                list: true
            }
        );
        let err = parse_args(&args(&["--skip", "nope"])).expect_err("unknown step");
        assert!(err.contains("fmt, clippy"), "{err}");
        assert!(parse_args(&args(&["--skip"])).is_err());
        assert!(parse_args(&args(&["--fast"])).is_err());
    }

    #[test]
    fn step_names_are_unique() {
        let mut ids: Vec<&str> = steps().iter().map(|s| s.id).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            count,
            "two steps share a name: --skip would be ambiguous"
        );
    }
}
