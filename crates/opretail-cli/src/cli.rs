//! The command line as clap sees it, and which command runs.

use clap::Parser;

use crate::commands::Command;
use crate::failure::Failure;
use crate::global::GlobalArgs;

/// Passenger-flow figures, raw signed calls and signature debugging for the Opretail (万店掌)
/// open platform, plus a local sandbox of its gateway.
///
/// Try it without keys: `opretail --sandbox passenger-flow total --id S_1001 --id O_42`.
#[derive(Debug, Parser)]
#[command(name = "opretail", version, max_term_width = 100)]
pub struct Cli {
    /// Options that apply to every command that calls the gateway.
    #[command(
        flatten,
        next_help_heading = "Global options (give them before the command)"
    )]
    pub global: GlobalArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Runs the command. Every command checks what it can locally (ids, periods, settings)
    /// before it starts the runtime or sends anything.
    pub fn run(mut self) -> Result<(), Failure> {
        self.global.command_line = Some(<Cli as clap::CommandFactory>::command);
        self.command.run(&self.global)
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Each file of `commands/` is a command through the build script: its help comes from
    /// its `Args` and its place in the list from its `display_order`, which a new file must
    /// not forget or take from another.
    #[test]
    fn every_command_has_its_help_and_its_own_place() {
        fn check(command: &clap::Command, path: &str) {
            let mut orders = std::collections::HashSet::new();
            for sub in command.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                assert!(sub.get_about().is_some(), "{name} has no help");
                assert!(
                    orders.insert(sub.get_display_order()),
                    "{name} shares its display_order"
                );
                check(sub, &name);
            }
        }
        let cli = Cli::command();
        let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
        assert!(
            names.contains(&"passenger-flow") && names.contains(&"discover"),
            "{names:?}"
        );
        check(&cli, "opretail");
    }
}
