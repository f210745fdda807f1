//! `opretail sandbox`: the gateway sandbox in the foreground, as `opretail-sandbox` runs it.

use crate::args::SandboxCommandArgs;
use crate::failure::Failure;

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(args: SandboxCommandArgs) -> Result<(), Failure> {
    let listen = args.sandbox.listen;
    opretail_sandbox::cli::run(args.sandbox)
        .await
        .map_err(|e| Failure::Failed(format!("the sandbox on {listen} failed: {e}")))
}
