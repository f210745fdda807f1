//! The `opretail` command: passenger-flow figures, raw signed calls, signature debugging and a
//! local sandbox of the Opretail (万店掌) open-platform gateway.

mod allocator;
mod cli;
mod commands;
mod diag;
mod escape;
mod failure;
mod fanout;
mod gateway;
mod global;
mod ids;
mod listing;
mod logging;
mod output;
mod period;
mod private_file;
mod prompt;
mod recorder;
mod reorder;
mod report;
mod settings;
mod signals;
mod spill;
mod token_cache;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // First, while this is the only thread.
    allocator::tune();
    let cli = cli::Cli::parse();
    logging::init(cli.global.verbose);
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
