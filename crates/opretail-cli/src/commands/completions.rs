//! `opretail completions`: a completion script for a shell.

use std::io::Write;

use crate::failure::Failure;

/// `opretail completions`
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Writes the script of `command` (the whole command line, which the caller holds) on stdout.
pub fn run(args: &CompletionsArgs, mut command: clap::Command) -> Result<(), Failure> {
    // Into a buffer first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "opretail", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(())
}
