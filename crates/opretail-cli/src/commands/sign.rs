//! `opretail sign`: the signature of exactly the pairs given.

use std::io::Write;

use opretail_sign::{SignMethod, explain, sign};
use secrecy::ExposeSecret;

use crate::args::SignArgs;
use crate::diag::say;
use crate::failure::Failure;

/// Prints the signature on stdout and, with `--explain`, the masked canonical string on stderr.
///
/// Names and values are trimmed first, as the SDK trims everything it signs and sends (the
/// vendor's SDK does the same), so that this signature is the one a call would carry.
pub fn run(args: &SignArgs) -> Result<(), Failure> {
    let asid = args.asid.expose_secret();
    if asid.is_empty() {
        return Err(Failure::usage(
            "the signing secret is empty; pass --asid or set OPRETAIL_ASID",
        ));
    }
    let method = SignMethod::from(args.sign_method);
    let pairs: Vec<(&str, &str)> = args
        .pairs
        .iter()
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    if args.explain {
        say!("canonical string ({method}, secret masked):");
        crate::diag::whole_line(&explain(&pairs, asid).to_string());
    }
    let signature = sign(method, asid, &pairs);
    writeln!(std::io::stdout().lock(), "{signature}")?;
    Ok(())
}
