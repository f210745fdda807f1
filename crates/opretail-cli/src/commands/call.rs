//! `opretail call`: a raw signed call of any method.

use std::io::Write;

use opretail_model::RawCall;

use crate::args::CallArgs;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::output::ErrorInfo;

/// Prints `data` as pretty JSON, or the error on stderr.
pub async fn run(gateway: &Gateway, args: CallArgs) -> Result<(), Failure> {
    let mut call = RawCall::new(args.method)
        .at_version(args.method_version)
        .with_params(args.params);
    for (name, value) in args.headers {
        call = call.header(name, value);
    }
    match gateway.client.call_raw(&call).await {
        Ok(data) => {
            if gateway.is_sandbox() {
                eprintln!("note: sandbox data, not from the real gateway");
            }
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &data).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
        Err(error @ opretail_model::Error::InvalidInput { .. }) => {
            Err(Failure::usage(error.to_string()))
        }
        Err(error) => Err(Failure::Failed(ErrorInfo::of(&error).line())),
    }
}
