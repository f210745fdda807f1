//! `opretail sandbox`: the gateway sandbox in the foreground, as `opretail-sandbox` runs it.

use crate::failure::Failure;
use crate::global::GlobalArgs;

/// Runs the gateway sandbox in the foreground until Ctrl-C.
#[derive(Debug, clap::Args)]
#[command(display_order = 4)]
pub struct Args {
    /// The sandbox's own options.
    #[command(flatten)]
    pub sandbox: opretail_sandbox::cli::SandboxArgs,
}

impl Args {
    /// Serves until Ctrl-C or SIGTERM.
    pub fn run(self, _global: &GlobalArgs) -> Result<(), Failure> {
        crate::gateway::runtime()?.block_on(serve(self))
    }
}

/// Serves until Ctrl-C or SIGTERM.
async fn serve(args: Args) -> Result<(), Failure> {
    let listen = args.sandbox.listen;
    opretail_sandbox::cli::run(args.sandbox)
        .await
        .map_err(|e| Failure::Failed(format!("the sandbox on {listen} failed: {e}")))
}
