//! The options every command that calls the gateway shares, given before the command.
//!
//! Credentials, endpoint, sign method and timeout are read here from flags only; the
//! environment and the config file are consulted in `settings.rs`, so that `--sandbox` can
//! ignore credentials meant for the real gateway and so that `--sandbox` conflicts with an
//! `--endpoint` flag but not with an `OPRETAIL_ENDPOINT` left in the environment.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use opretail_model::{Environment, SignMethod};
use secrecy::SecretString;

/// Where and as whom to call the gateway. Precedence: flag, then environment, then config file.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Gateway URL [env: OPRETAIL_ENDPOINT] [default: https://openapi.opretail.com/m.api]
    #[arg(long, value_name = "URL", conflicts_with = "sandbox")]
    pub endpoint: Option<String>,

    /// Developer key (`_akey`) [env: OPRETAIL_AKEY]
    #[arg(long, value_name = "KEY")]
    pub akey: Option<String>,

    /// Signing secret (`_asid`); never shown. Prefer the environment variable or the config
    /// file, which other users cannot see in the process list [env: OPRETAIL_ASID]
    #[arg(long, value_name = "SECRET", hide_default_value = true, value_parser = parse_secret)]
    pub asid: Option<SecretString>,

    /// Application id (`_aid`) the cloud gateway needs [env: OPRETAIL_AID]
    #[arg(long, value_name = "AID")]
    pub aid: Option<String>,

    /// Signature algorithm [env: OPRETAIL_SIGN_METHOD] [default: md5, or rsa with a private
    /// key]
    #[arg(long, value_name = "METHOD")]
    pub sign_method: Option<SignMethodArg>,

    /// RSA private key of `--sign-method rsa` (the developer console's base64 PKCS#8 text, or
    /// PEM); never shown. No `_akey` or secret is needed then [env:
    /// OPRETAIL_PRIVATE_KEY_FILE]
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,

    /// Send the `environment` header with this value, as the vendor's clients do (`formal`,
    /// `test` or `dev`) [env: OPRETAIL_ENVIRONMENT] [default: not sent]
    #[arg(long, value_name = "NAME", value_parser = parse_environment)]
    pub environment: Option<Environment>,

    /// Send a fresh `_nonce` (a random UUID, signed) with every request, as the vendor's
    /// newer SDKs do
    #[arg(long)]
    pub nonce: bool,

    /// Whole-call timeout in seconds, retries and waits included [env: OPRETAIL_TIMEOUT]
    /// [default: 30]
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub timeout: Option<f64>,

    /// Also trust the CA certificates in this PEM file (a corporate proxy's, a test
    /// gateway's), besides the bundled Mozilla roots [env: OPRETAIL_CA_CERT]
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// Send extra headers (login tokens) even over plain http to another machine, where
    /// anyone on the path can read and reuse them
    #[arg(long)]
    pub allow_clear_text_headers: bool,

    /// The most rows (stores, buckets, age groups) one answer may decode into; an answer with
    /// more fails as DECODE, naming the limit [default: 1000 for total and demographics, 1500
    /// a call of sync, 16000 a call of series or report, 20000 otherwise]
    #[arg(long, value_name = "N", hide_short_help = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_rows_per_answer: Option<u32>,

    /// The most bytes of one answer read, whatever the method; a larger one fails as
    /// TRANSPORT_BODY_LIMIT, unread [default: 32 KiB for total and demographics, 512 KiB a
    /// call of sync, 8 MiB a call of series and a raw call, 1 MiB a page of the store list, 16 MiB
    /// otherwise]
    #[arg(long, value_name = "BYTES", hide_short_help = true, value_parser = clap::value_parser!(u32).range(1024..))]
    pub max_answer_bytes: Option<u32>,

    /// The most values of undocumented fields one answer may decode into; an answer with
    /// more fails as DECODE, naming the limit [default: 100000]
    #[arg(long, value_name = "N", hide_short_help = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_elements_per_answer: Option<u32>,

    /// Config file (TOML: endpoint, akey, asid, aid, user, password, sign_method,
    /// private_key_file, timeout, ca_cert) [env: OPRETAIL_CONFIG]
    /// [default: opretail/config.toml in the user's config directory]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Start the embedded sandbox on loopback and send every call there, with its demo
    /// credentials: the endpoint and credentials of the environment and config file are
    /// ignored, but an --akey/--asid flag still wins (to try a wrong secret). Every output
    /// says the figures are sandbox data.
    #[arg(long)]
    pub sandbox: bool,

    /// Record every exchange (method, business parameters, answer, status, time) into DIR, one
    /// JSON file per call, with the secret, signature, key, tokens and passwords removed;
    /// DIR/README says what was removed.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,

    /// With --sandbox: answer the calls recorded in DIR (by --record) with their recorded
    /// answers, and every other call as usual.
    #[arg(long, value_name = "DIR", requires = "sandbox")]
    pub replay: Option<PathBuf>,

    /// Log to stderr: -v for each call, -vv for more detail.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// The whole command line, for a command that describes it (`completions`); set by
    /// `Cli::run`, so that no command depends on the module that lists the commands.
    #[arg(skip)]
    pub command_line: Option<fn() -> clap::Command>,
}

/// A sign method as a clap value (the model's type has no clap support).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignMethodArg {
    /// MD5, 32 hex characters.
    Md5,
    /// SHA-1, 40 hex characters.
    Sha1,
    /// SHA-256, 64 hex characters (the vendor's newer SDKs).
    Sha256,
    /// SHA1withRSA with the developer's private key (--private-key), base64 (the vendor's
    /// newer SDKs); no `_akey` is sent.
    Rsa,
}

impl SignMethodArg {
    /// The digest method, or `None` for `rsa`.
    pub fn digest(self) -> Option<SignMethod> {
        match self {
            SignMethodArg::Md5 => Some(SignMethod::Md5),
            SignMethodArg::Sha1 => Some(SignMethod::Sha1),
            SignMethodArg::Sha256 => Some(SignMethod::Sha256),
            SignMethodArg::Rsa => None,
        }
    }
}

/// An `--environment` value.
fn parse_environment(text: &str) -> Result<Environment, String> {
    text.parse()
        .map_err(|e: opretail_model::Error| e.to_string())
}

/// A secret from the command line: held as a secret from the start, so that no `Debug` of the
/// arguments can show it.
pub fn parse_secret(text: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(text))
}

/// Seconds, as a positive number (fractions allowed).
pub fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!(
            "{text:?} is not a timeout in seconds (a number above 0, at most 86400)"
        )),
    }
}
