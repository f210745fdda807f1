//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

use std::collections::BTreeSet;
use std::path::Path;

use crate::cmd::Invocation;

/// Crates a blocking-only build of the facade must not pull in: the async stack.
pub const ASYNC_STACK: [&str; 3] = ["tokio", "hyper", "reqwest"];

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run the command; the step passes when it exits successfully.
    Run(Invocation),
    /// Run `cargo tree` and fail if it lists any crate of [`ASYNC_STACK`].
    Footprint(Invocation),
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

/// The CI steps, in the order they run: cheap checks first so that a formatting slip fails
/// in seconds rather than after a full build.
pub fn steps() -> Vec<Step> {
    let cargo = |args: &[&str]| Invocation::new("cargo", args);
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
            title: "facade tests with only `async`",
            action: Action::Run(cargo(&[
                "test",
                "-p",
                "opretail",
                "--no-default-features",
                "--features",
                "async",
            ])),
            hint: "a test or an item is wrong without the `blocking` feature; check `#[cfg(feature = ...)]` gates",
        },
        Step {
            id: "test-blocking",
            title: "facade tests with only `blocking`",
            action: Action::Run(cargo(&[
                "test",
                "-p",
                "opretail",
                "--no-default-features",
                "--features",
                "blocking",
            ])),
            hint: "a test or an item is wrong without the `async` feature; check `#[cfg(feature = ...)]` gates",
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
            action: Action::Footprint(cargo(&[
                "tree",
                "-p",
                "opretail",
                "--no-default-features",
                "--features",
                "blocking",
                "-e",
                "normal,build",
                "--prefix",
                "none",
            ])),
            hint: "make the async stack optional behind the `async` feature",
        },
    ]
}

/// Every async-stack crate named in `cargo tree --prefix none` output, each once, sorted.
pub fn async_stack_in(tree: &str) -> Vec<String> {
    tree.lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| ASYNC_STACK.contains(name))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
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
            let (Action::Run(invocation) | Action::Footprint(invocation)) = &step.action;
            println!(
                "{:<14} {}\n{:<14} {}",
                step.id,
                step.title,
                "",
                invocation.display()
            );
        }
        return Ok(());
    }
    for step in &steps {
        println!("==> {}", step.title);
        let started = std::time::Instant::now();
        let outcome = match &step.action {
            Action::Run(invocation) => {
                println!("    {}", invocation.display());
                invocation.run(root)
            }
            Action::Footprint(invocation) => footprint(root, invocation),
        };
        outcome
            .map_err(|why| format!("CI step `{}` failed: {why}\nnext: {}", step.id, step.hint))?;
        println!("    passed in {:.1}s", started.elapsed().as_secs_f64());
    }
    if !options.skip.is_empty() {
        println!("note: skipped {}", options.skip.join(", "));
    }
    println!("==> all {} CI steps passed", steps.len());
    Ok(())
}

fn footprint(root: &Path, invocation: &Invocation) -> Result<(), String> {
    println!("    {}", invocation.display());
    let tree = invocation.stdout(root)?;
    let found = async_stack_in(&tree);
    if found.is_empty() {
        println!(
            "    none of {} in the blocking-only dependency tree",
            ASYNC_STACK.join(", ")
        );
        return Ok(());
    }
    let lines: Vec<&str> = tree
        .lines()
        .filter(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|name| found.iter().any(|f| f == name))
        })
        .collect();
    Err(format!(
        "the blocking-only build pulls in {}:\n    {}\nfind the path with `cargo tree -p opretail --no-default-features --features blocking -i {}`",
        found.join(", "),
        lines.join("\n    "),
        found[0]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn steps_run_in_the_documented_order() {
        let ids: Vec<&str> = steps().iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                "fmt",
                "clippy",
                "test",
                "test-async",
                "test-blocking",
                "doc",
                "footprint"
            ]
        );
    }

    #[test]
    fn step_commands_are_the_documented_ones() {
        let commands: Vec<String> = steps()
            .iter()
            .map(|s| match &s.action {
                Action::Run(i) | Action::Footprint(i) => i.display(),
            })
            .collect();
        assert_eq!(
            commands,
            [
                "cargo fmt --all --check",
                "cargo clippy --workspace --all-targets --all-features -- -D warnings",
                "cargo test --workspace --all-features",
                "cargo test -p opretail --no-default-features --features async",
                "cargo test -p opretail --no-default-features --features blocking",
                "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps --all-features",
                "cargo tree -p opretail --no-default-features --features blocking -e normal,build --prefix none",
            ]
        );
        assert!(matches!(steps()[6].action, Action::Footprint(_)));
    }

    #[test]
    fn finds_the_async_stack_by_exact_name() {
        let tree = "opretail v0.1.0 (/w/crates/opretail)\nureq v3.1.0\ntokio v1.48.0\ntokio v1.48.0 (*)\n\
                    tokio-util v0.7.0\nhyper-util v0.1.0\nhyper v1.7.0\nmy-reqwest-helper v1.0.0\n";
        assert_eq!(async_stack_in(tree), ["hyper", "tokio"]);
        assert!(async_stack_in("opretail v0.1.0\nureq v3.1.0\nrustls v0.23.0\n").is_empty());
    }

    #[test]
    fn parses_skip_and_list() {
        assert_eq!(parse_args(&[]), Ok(Options::default()));
        let parsed =
            parse_args(&args(&["--skip", "doc", "--list", "--skip", "footprint"])).expect("parses");
        assert_eq!(
            parsed,
            Options {
                skip: args(&["doc", "footprint"]),
                list: true
            }
        );
        assert!(
            parse_args(&args(&["--skip", "nope"]))
                .expect_err("unknown step")
                .contains("fmt, clippy")
        );
        assert!(parse_args(&args(&["--skip"])).is_err());
        assert!(parse_args(&args(&["--fast"])).is_err());
    }
}
