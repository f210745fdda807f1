//! `opretail sign`: the signature of exactly the pairs given, or whether a signature is theirs.

use std::io::Write;
use std::path::PathBuf;

use opretail_sign::{
    RSA_SIGN_METHOD, RsaVerifyingKey, SignMethod, explain, sign, sign_rsa, verify, verify_rsa,
};
use secrecy::{ExposeSecret, SecretString};

use super::call::parse_pair;
use crate::global::{SignMethodArg, parse_secret};

use crate::diag::say;
use crate::failure::Failure;
use crate::global::GlobalArgs;

/// Signs exactly the pairs given and prints the signature, to compare with another
/// implementation when the gateway answers SIGN_WRONG.
#[derive(Debug, clap::Args)]
#[command(display_order = 3)]
pub struct Args {
    /// The signing secret (`_asid`) of md5, sha1 and sha256; never shown.
    #[arg(
        long,
        value_name = "SECRET",
        env = "OPRETAIL_ASID",
        hide_env_values = true,
        hide_default_value = true,
        value_parser = parse_secret
    )]
    pub asid: Option<SecretString>,

    /// Signature algorithm [default: md5, or rsa with --private-key or --public-key]
    #[arg(long, value_name = "METHOD")]
    pub sign_method: Option<SignMethodArg>,

    /// The RSA private key of `rsa` (base64 PKCS#8 or PEM); never shown.
    #[arg(long, value_name = "FILE", env = "OPRETAIL_PRIVATE_KEY_FILE")]
    pub private_key: Option<PathBuf>,

    /// The RSA public key to check an `rsa` signature with (base64 SubjectPublicKeyInfo or
    /// PEM), with --verify.
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,

    /// Check this signature instead of printing one: prints `valid` (exit 0) or `invalid`
    /// (exit 1).
    #[arg(long, value_name = "SIG")]
    pub verify: Option<String>,

    /// Also print the canonical string, secret masked, on stderr.
    #[arg(long)]
    pub explain: bool,

    /// The parameters exactly as sent (a `_sig` pair is ignored; nothing is added).
    #[arg(value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub pairs: Vec<(String, String)>,
}

impl Args {
    /// Signs the pairs and prints the signature.
    pub fn run(self, _global: &GlobalArgs) -> Result<(), Failure> {
        print(&self)
    }
}

/// Prints the signature on stdout (or, with `--verify`, whether the one given matches) and,
/// with `--explain`, the canonical string on stderr (the secret masked).
///
/// Names and values are trimmed first, as the SDK trims everything it signs and sends (the
/// vendor's SDK does the same), so that this signature is the one a call would carry.
fn print(args: &Args) -> Result<(), Failure> {
    let pairs: Vec<(&str, &str)> = args
        .pairs
        .iter()
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let rsa = match args.sign_method {
        Some(method) => method.digest().is_none(),
        None => args.private_key.is_some() || args.public_key.is_some(),
    };
    let valid = if rsa {
        if args.explain {
            say!("canonical string ({RSA_SIGN_METHOD}, no secret):");
            let text: String = opretail_sign::sorted_pairs(&pairs)
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect();
            crate::diag::whole_line(&text);
        }
        match (&args.verify, &args.private_key, &args.public_key) {
            (Some(claimed), _, Some(public)) => verify_rsa(&public_key(public)?, &pairs, claimed),
            (Some(claimed), Some(private), None) => {
                let key = private_key(private)?;
                verify_rsa(&key.verifying_key(), &pairs, claimed)
            }
            (None, Some(private), _) => {
                let signature = sign_rsa(&private_key(private)?, &pairs);
                writeln!(std::io::stdout().lock(), "{signature}")?;
                return Ok(());
            }
            _ => {
                return Err(Failure::usage(
                    "rsa signs with --private-key FILE (or OPRETAIL_PRIVATE_KEY_FILE) and \
                     checks a signature (--verify SIG) with --public-key FILE",
                ));
            }
        }
    } else {
        let method = args
            .sign_method
            .and_then(SignMethodArg::digest)
            .unwrap_or(SignMethod::Md5);
        let asid = args
            .asid
            .as_ref()
            .map(|s| s.expose_secret())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Failure::usage("the signing secret is empty; pass --asid or set OPRETAIL_ASID")
            })?;
        if args.explain {
            say!("canonical string ({method}, secret masked):");
            crate::diag::whole_line(&explain(&pairs, asid).to_string());
        }
        match &args.verify {
            Some(claimed) => verify(method, &pairs, asid, claimed),
            None => {
                let signature = sign(method, asid, &pairs);
                writeln!(std::io::stdout().lock(), "{signature}")?;
                return Ok(());
            }
        }
    };
    let verdict = if valid { "valid" } else { "invalid" };
    writeln!(std::io::stdout().lock(), "{verdict}")?;
    if valid {
        Ok(())
    } else {
        Err(Failure::Reported)
    }
}

fn private_key(path: &std::path::Path) -> Result<opretail_sign::RsaSigningKey, Failure> {
    let text = crate::gateway::read_private_key(path)?;
    opretail_sign::RsaSigningKey::from_text(text.expose_secret())
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

fn public_key(path: &std::path::Path) -> Result<RsaVerifyingKey, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the public key file {}: {e}",
            path.display()
        ))
    })?;
    RsaVerifyingKey::from_text(&text)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}
