//! The `opretail` command: passenger-flow figures, raw signed calls, signature debugging and a
//! local sandbox of the Opretail (万店掌) open-platform gateway.

mod args;
mod commands;
mod diag;
mod escape;
mod failure;
mod gateway;
mod ids;
mod output;
mod private_file;
mod prompt;
mod reorder;
mod settings;
mod signals;
mod token_cache;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, PassengerFlowCommand};
use failure::Failure;
use gateway::{Gateway, Tuning};
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
        // Logged errors carry the gateway's own text: escaped like every other message.
        .fmt_fields(escaped_fields())
        // Its internal errors are reported with `eprintln!`, which panics when stderr cannot
        // be written: a log line is not worth a panic.
        .log_internal_errors(false)
        .init();
}

/// Log fields as the default formatter writes them (`name=value`, the message bare), each
/// value escaped for the terminal.
fn escaped_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + 'static {
    use tracing_subscriber::field::MakeExt;
    tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        let text = escape::for_stderr(&text);
        if field.name() == "message" {
            write!(writer, "{text}")
        } else {
            write!(writer, "{}={text}", field.name())
        }
    })
    .delimited(" ")
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
            let batch = commands::total::collect_ids(&args)?;
            with_gateway(
                &settings,
                cli.global.sandbox,
                commands::total::tuning(&args),
                async |gateway| {
                    // Listening before the first byte of output, so that a signal at any
                    // point ends the output cleanly instead of killing the process mid-line.
                    let stop = signals::listen()?;
                    let batch = if args.all_stores {
                        let mut batch = ids::Batch::default();
                        for (n, id) in commands::stores::all_store_ids(gateway)
                            .await?
                            .into_iter()
                            .enumerate()
                        {
                            batch.push(id, ids::Origin::Listed(n + 1));
                        }
                        batch
                    } else {
                        batch
                    };
                    commands::total::run(gateway, &args, batch, stop).await
                },
            )
        }
        Command::PassengerFlow(PassengerFlowCommand::Series(args)) => {
            over_time(&cli.global, &args.over, async |gateway, batch| {
                commands::series::run(gateway, &args, batch).await
            })
        }
        Command::PassengerFlow(PassengerFlowCommand::Demographics(args)) => {
            over_time(&cli.global, &args.over, async |gateway, batch| {
                commands::demographics::run(gateway, &args.over, batch).await
            })
        }
        Command::Stores(args) => {
            let settings = Settings::resolve(&cli.global)?;
            with_gateway(
                &settings,
                cli.global.sandbox,
                Tuning::default(),
                async |gateway| commands::stores::run(gateway, &args).await,
            )
        }
        Command::Login => commands::login::run(&cli.global),
        Command::Logout => commands::login::logout(&cli.global),
        Command::Call(args) => {
            let settings = Settings::resolve(&cli.global)?;
            let headers = commands::call::collect_headers(&args)?;
            with_gateway(
                &settings,
                cli.global.sandbox,
                Tuning::default(),
                async |gateway| commands::call::run(gateway, args, headers).await,
            )
        }
    }
}

/// Runs `passenger-flow series` or `demographics`: the ids and the period are checked before
/// anything is started.
fn over_time(
    global: &args::GlobalArgs,
    over: &args::OverTime,
    command: impl AsyncFnOnce(&Gateway, ids::Batch) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let settings = Settings::resolve(global)?;
    let s = &over.stores;
    let batch = commands::total::collect(&s.ids, s.ids_file.as_deref(), s.all_stores)?;
    commands::over_time::window(&over.period)?;
    let tuning = Tuning {
        body_limit: None,
        rate_limit: over.rate,
    };
    with_gateway(&settings, global.sandbox, tuning, async |gateway| {
        command(gateway, batch).await
    })
}

/// Runs a command that calls the gateway, then stops the embedded sandbox if there is one.
fn with_gateway(
    settings: &Settings,
    sandbox: bool,
    tuning: Tuning,
    command: impl AsyncFnOnce(&Gateway) -> Result<(), Failure>,
) -> Result<(), Failure> {
    runtime()?.block_on(async {
        let gateway = Gateway::connect(settings, sandbox, tuning).await?;
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
