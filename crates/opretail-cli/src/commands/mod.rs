//! One module per command: its arguments (`Args`, whose doc comment is its help) and its
//! `run`. The build script lists every file of this folder, and `declare_commands!` makes
//! each one a module and a variant of `Command`, so that adding a command is adding its
//! file; a folder beside a file is a group of commands (`passenger_flow.rs` and
//! `passenger_flow/`).

/// Declares each command's module, and `Command`, whose variants are their `Args`.
macro_rules! declare_commands {
    ($($variant:ident $file:ident),* $(,)?) => {
        $(pub(crate) mod $file;)*

        /// The commands, one a file; each one's help is its `Args`' doc comment.
        #[derive(Debug, clap::Subcommand)]
        pub enum Command {
            $($variant(Box<$file::Args>),)*
        }

        impl Command {
            /// Runs the command given.
            pub fn run(
                self,
                global: &crate::global::GlobalArgs,
            ) -> Result<(), crate::failure::Failure> {
                match self {
                    $(Command::$variant(args) => (*args).run(global),)*
                }
            }
        }
    };
}

// `files_of_commands!`, which hands the build script's list of commands to a macro.
include!(concat!(env!("OUT_DIR"), "/commands.rs"));
files_of_commands!(declare_commands);
