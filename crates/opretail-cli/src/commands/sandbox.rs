//! `opretail sandbox`: the gateway sandbox in the foreground, as `opretail-sandbox` runs it.

use crate::failure::Failure;

/// `opretail sandbox`
#[derive(Debug, clap::Args)]
pub struct SandboxCommandArgs {
    /// The sandbox's own options.
    #[command(flatten)]
    pub sandbox: opretail_sandbox::cli::SandboxArgs,
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(args: SandboxCommandArgs) -> Result<(), Failure> {
    let listen = args.sandbox.listen;
    opretail_sandbox::cli::run(args.sandbox)
        .await
        .map_err(|e| Failure::Failed(format!("the sandbox on {listen} failed: {e}")))
}
