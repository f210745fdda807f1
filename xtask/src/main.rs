//! `cargo xtask`: the project's automation, in Rust so that it runs wherever cargo does.
//!
//! - `cargo xtask ci [--skip STEP]... [--list]`: exactly what CI runs.
//! - `cargo xtask release VERSION|major|minor|patch [--execute]`: a checked, ordered
//!   release of every published crate (a dry run unless `--execute`).
//! - `cargo xtask bench [--quick] [-- ARGS]`: the benchmarks and a summary of their targets.

mod bench;
mod changelog;
mod ci;
mod cmd;
mod release;
mod version;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask ci [--skip STEP]... [--list]            run what CI runs, in order
  cargo xtask release VERSION|major|minor|patch [--execute]
                                                     plan, verify and (with --execute) publish a release
  cargo xtask bench [--quick] [-- ARGS]               run the benchmarks and check their targets";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // `--help` anywhere before the bench programs' own `--` arguments.
    if rest
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--help" || a == "-h")
    {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let outcome = match command.as_str() {
        "ci" => ci::run(&root, rest),
        "release" => release::run(&root, rest),
        "bench" => bench::run(&root, rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("unknown command `{other}`\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf()
}
