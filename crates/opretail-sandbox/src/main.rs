//! `opretail-sandbox`: the gateway emulator on loopback, until Ctrl-C or SIGTERM.

use clap::Parser;
use opretail_sandbox::cli::SandboxArgs;

/// A local emulator of the Opretail open-platform gateway.
#[derive(Debug, Parser)]
#[command(name = "opretail-sandbox", version, about)]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(opretail_sandbox::cli::run(cli.sandbox))
}
