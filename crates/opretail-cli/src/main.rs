//! The `opretail` command: passenger-flow figures, raw signed calls, signature debugging and a
//! local sandbox of the Opretail (万店掌) open-platform gateway.

mod args;
mod commands;
mod failure;
mod gateway;
mod output;
mod settings;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, PassengerFlowCommand};
use failure::Failure;
use gateway::Gateway;
use settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// `RUST_LOG` wins; otherwise warnings only, `-v` for each call and attempt, `-vv` for the
/// HTTP layer too, `-vvv` for everything.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "warn,opretail=info,opretail_model=debug,opretail_reqwest=debug,opretail_sandbox=info",
        2 => {
            "info,opretail=debug,opretail_model=trace,opretail_reqwest=trace,opretail_sandbox=debug,reqwest=debug,hyper_util=debug"
        }
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Sign(args) => commands::sign::run(&args),
        Command::Codes(args) => commands::codes::run(&args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Sandbox(args) => runtime()?.block_on(commands::sandbox::run(args)),
        Command::PassengerFlow(PassengerFlowCommand::Total(args)) => {
            // Everything that can be a usage error is checked before anything is started.
            let settings = Settings::resolve(&cli.global)?;
            let ids = commands::total::collect_ids(&args)?;
            with_gateway(&settings, cli.global.sandbox, async |gateway| {
                commands::total::run(gateway, &args, ids).await
            })
        }
        Command::Call(args) => {
            let settings = Settings::resolve(&cli.global)?;
            with_gateway(&settings, cli.global.sandbox, async |gateway| {
                commands::call::run(gateway, args).await
            })
        }
    }
}

/// Runs a command that calls the gateway, then stops the embedded sandbox if there is one.
fn with_gateway(
    settings: &Settings,
    sandbox: bool,
    command: impl AsyncFnOnce(&Gateway) -> Result<(), Failure>,
) -> Result<(), Failure> {
    runtime()?.block_on(async {
        let gateway = Gateway::connect(settings, sandbox).await?;
        let result = command(&gateway).await;
        gateway.close().await;
        result
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))
}
