//! `opretail passenger-flow …`: one file per command in `passenger_flow/`.

use crate::failure::Failure;
use crate::global::GlobalArgs;

// The generated `mod files` (every file of `passenger_flow/`) and `Command`.
include!(concat!(env!("OUT_DIR"), "/commands/passenger_flow.rs"));

/// Passenger-flow figures.
#[derive(Debug, clap::Args)]
#[command(display_order = 1)]
pub struct Args {
    /// What to show.
    #[command(subcommand)]
    command: Command,
}

impl Args {
    /// Runs the passenger-flow command given.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        self.command.run(global)
    }
}
