//! `opretail sign`: the signature of exactly the pairs given.

use std::io::Write;

use opretail_sign::{SignMethod, explain, sign};
use secrecy::{ExposeSecret, SecretString};

use super::call::parse_pair;
use crate::global::{SignMethodArg, parse_secret};

use crate::diag::say;
use crate::failure::Failure;

/// `opretail sign`
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The signing secret (`_asid`); never shown.
    #[arg(
        long,
        value_name = "SECRET",
        env = "OPRETAIL_ASID",
        hide_env_values = true,
        hide_default_value = true,
        value_parser = parse_secret
    )]
    pub asid: SecretString,

    /// Signature algorithm.
    #[arg(long, value_name = "METHOD", default_value = "md5")]
    pub sign_method: SignMethodArg,

    /// Also print the canonical string, secret masked, on stderr.
    #[arg(long)]
    pub explain: bool,

    /// The parameters exactly as sent (a `_sig` pair is ignored; nothing is added).
    #[arg(value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub pairs: Vec<(String, String)>,
}

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
