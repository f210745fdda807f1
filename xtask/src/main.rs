//! `cargo xtask`: the project's automation (see `USAGE`), in Rust so that it runs wherever
//! cargo does. `release` is a dry run unless `--execute`.

mod bench;
mod changelog;
mod ci;
mod cmd;
mod release;
mod version;

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask ci [--skip STEP]... [--list]            run what CI runs, in order
  cargo xtask release VERSION|major|minor|patch [--execute]
                                                     plan, verify and (with --execute) publish a release
  cargo xtask bench [--quick] [-- ARGS]               run the benchmarks and check their targets";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
    let root = root.expect("xtask/ is inside the workspace");
    // `--help` anywhere before the bench programs' own `--` arguments.
    let mut before_dashes = args.iter().take_while(|a| *a != "--");
    let help = before_dashes.any(|a| ["help", "--help", "-h"].contains(&a.as_str()));
    if help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let run = match args.first().map(String::as_str) {
        Some("ci") => ci::run,
        Some("release") => release::run,
        Some("bench") => bench::run,
        unknown => {
            let what = unknown.map_or("no command".into(), |c| format!("unknown command `{c}`"));
            eprintln!("{what}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(root, &args[1..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Asserts that `text` contains `expected`, showing `text` when it does not.
#[cfg(test)]
fn contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
}
