//! `opretail passenger-flow …`: one file per command in `passenger_flow/`.

use crate::failure::Failure;
use crate::global::GlobalArgs;

// `files_of_passenger_flow!`, which hands the build script's list of the commands of
// `passenger_flow/` to a macro; `declare_commands!` declares them and their `Command`.
include!(concat!(env!("OUT_DIR"), "/passenger_flow.rs"));
files_of_passenger_flow!(declare_commands);

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
