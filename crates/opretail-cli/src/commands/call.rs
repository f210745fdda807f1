//! `opretail call`: a raw signed call of any method.

use std::io::Write;
use std::path::Path;

use opretail_model::RawCall;
use secrecy::{ExposeSecret, SecretString};

use crate::args::{CallArgs, Header};
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::output::ErrorInfo;

/// Every header of the command line, values read from the environment and files. A usage
/// error names the header and where its value should have been, never the value.
pub fn collect_headers(args: &CallArgs) -> Result<Vec<Header>, Failure> {
    let mut headers = args.headers.clone();
    for (name, var) in &args.header_envs {
        let value = std::env::var(var).map_err(|_| {
            Failure::usage(format!(
                "--header-env {name}={var}: the environment variable {var} is not set (or not \
                 valid Unicode)"
            ))
        })?;
        headers.push(Header {
            name: name.clone(),
            value: SecretString::from(value),
        });
    }
    for (name, file) in &args.header_files {
        let path = Path::new(file);
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "--header-file {name}={file}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        crate::private_file::warn_if_exposed(
            path,
            &format!("holds the value of the {name} header"),
        );
        let value = text.strip_suffix('\n').unwrap_or(&text);
        let value = value.strip_suffix('\r').unwrap_or(value);
        headers.push(Header {
            name: name.clone(),
            value: SecretString::from(value),
        });
    }
    Ok(headers)
}

/// Prints `data` as pretty JSON, or the error on stderr.
pub async fn run(gateway: &Gateway, args: CallArgs, headers: Vec<Header>) -> Result<(), Failure> {
    let mut call = RawCall::new(args.method)
        .at_version(args.method_version)
        .with_params(args.params);
    if args.idempotent {
        call = call.mark_idempotent();
    }
    for header in headers {
        call = call.header(header.name, header.value.expose_secret());
    }
    match gateway.client.send(&call).await {
        Ok(data) => {
            if gateway.is_sandbox() {
                say!("note: sandbox data, not from the real gateway");
            }
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &data).map_err(std::io::Error::from)?;
            writeln!(out)?;
            out.flush()?;
            Ok(())
        }
        Err(error @ opretail_model::Error::InvalidInput { .. }) => {
            Err(Failure::usage(error.to_string()))
        }
        Err(error) => Err(Failure::Failed(ErrorInfo::of(&error).line())),
    }
}
