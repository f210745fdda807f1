//! `opretail completions`: a completion script for a shell.

use std::io::Write;

use crate::failure::Failure;
use crate::global::GlobalArgs;

/// Prints a shell completion script.
#[derive(Debug, clap::Args)]
#[command(display_order = 14)]
pub struct Args {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

impl Args {
    /// Prints the script of the whole command line.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let command_line = global
            .command_line
            .ok_or_else(|| Failure::Failed("the command line is not known here".to_owned()))?;
        write(&self, command_line())
    }
}

/// Writes the script of `command` (the whole command line, which the caller holds) on stdout.
fn write(args: &Args, mut command: clap::Command) -> Result<(), Failure> {
    // Into a buffer first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "opretail", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(())
}
