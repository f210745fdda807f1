//! The command line, as clap sees it.
//!
//! Credentials, endpoint, sign method and timeout are read here from flags only; the
//! environment and the config file are consulted in `settings.rs`, so that `--sandbox` can
//! ignore credentials meant for the real gateway and so that `--sandbox` conflicts with an
//! `--endpoint` flag but not with an `OPRETAIL_ENDPOINT` left in the environment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use opretail_model::{EntityId, SignMethod};
use secrecy::SecretString;

/// Passenger-flow figures, raw signed calls and signature debugging for the Opretail (万店掌)
/// open platform, plus a local sandbox of its gateway.
///
/// Try it without keys: `opretail --sandbox passenger-flow total --id S_1001 --id O_42`.
#[derive(Debug, Parser)]
#[command(name = "opretail", version, max_term_width = 100)]
pub struct Cli {
    /// Options that apply to every command that calls the gateway.
    #[command(
        flatten,
        next_help_heading = "Global options (give them before the command)"
    )]
    pub global: GlobalArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

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

    /// Signature algorithm [env: OPRETAIL_SIGN_METHOD] [default: md5]
    #[arg(long, value_name = "METHOD")]
    pub sign_method: Option<SignMethodArg>,

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

    /// Config file (TOML: endpoint, akey, asid, aid, user, password, sign_method, timeout,
    /// ca_cert) [env: OPRETAIL_CONFIG]
    /// [default: opretail/config.toml in the user's config directory]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Start the embedded sandbox on loopback and send every call there, with its demo
    /// credentials: the endpoint and credentials of the environment and config file are
    /// ignored, but an --akey/--asid flag still wins (to try a wrong secret). Every output
    /// says the figures are sandbox data.
    #[arg(long)]
    pub sandbox: bool,

    /// Log to stderr: -v for each call, -vv for more detail.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Passenger-flow figures.
    #[command(subcommand)]
    PassengerFlow(PassengerFlowCommand),

    /// A raw signed call of any method; prints `data` as pretty JSON.
    Call(CallArgs),

    /// Signs exactly the pairs given and prints the signature, to compare with another
    /// implementation when the gateway answers SIGN_WRONG.
    Sign(SignArgs),

    /// Runs the gateway sandbox in the foreground until Ctrl-C.
    Sandbox(SandboxCommandArgs),

    /// The gateway's return codes, with meaning and remedy.
    Codes(CodesArgs),

    /// Every store the user can see, one row per store. Needs the user: OPRETAIL_USER and
    /// OPRETAIL_PASSWORD, OPRETAIL_TOKEN, or `opretail login` first.
    Stores(StoresArgs),

    /// Logs the user in (OPRETAIL_USER and OPRETAIL_PASSWORD, or `user` and `password` in the
    /// config file) and keeps the token for later commands to the same gateway.
    ///
    /// Without a password set, it is asked for on the terminal. The token is kept readable by
    /// its owner only, and used by later commands that have no password or token set, only
    /// for the endpoint, developer key, application id and user it was issued for. With
    /// --sandbox the demo user logs in and nothing is kept.
    Login,

    /// Forgets the token kept by `login`, saying whose it was.
    Logout,

    /// Prints a shell completion script.
    Completions(CompletionsArgs),
}

/// `opretail stores`
#[derive(Debug, Args)]
pub struct StoresArgs {
    /// Only stores whose name contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<ListFormat>,

    /// With --output csv: write every cell exactly as received (see `passenger-flow total`).
    #[arg(long)]
    pub csv_raw: bool,
}

/// Which stores a command is about: ids given, or every store of the user.
#[derive(Debug, Args)]
pub struct IdSource {
    /// A store id (`S_1001`); repeat for more.
    #[arg(long = "id", value_name = "ID", value_parser = parse_id,
          required_unless_present_any = ["ids_file", "all_stores"])]
    pub ids: Vec<EntityId>,

    /// Read more ids from a file, one a line (`-` for stdin; blank lines and `#` comments skipped).
    #[arg(long, value_name = "FILE|-")]
    pub ids_file: Option<PathBuf>,

    /// Every store the user can see (from the store list).
    #[arg(long, conflicts_with_all = ["ids", "ids_file"])]
    pub all_stores: bool,
}

/// A period of whole days or from a time: `--from` and `--to`, both inclusive.
#[derive(Debug, Args)]
pub struct Period {
    /// First day (`2026-11-01`) or start time (`2026-11-01T08:00`), inclusive.
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    pub from: When,

    /// Last day (`2026-11-07`, the whole day) or end time, inclusive.
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    pub to: When,
}

/// A date, or a date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A whole day.
    Day(chrono::NaiveDate),
    /// A point in time.
    At(chrono::NaiveDateTime),
}

impl When {
    /// The day it falls on.
    pub fn date(self) -> chrono::NaiveDate {
        match self {
            When::Day(day) => day,
            When::At(at) => at.date(),
        }
    }
}

fn parse_when(text: &str) -> Result<When, String> {
    let text = text.trim();
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(When::Day(day));
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Ok(When::At(at));
        }
    }
    Err(format!(
        "{text:?} is not a date (2026-11-01) or a date and time (2026-11-01T08:00)"
    ))
}

/// What `passenger-flow series` and `demographics` share: the stores, the period, how many
/// calls at once, and the output.
#[derive(Debug, Args)]
pub struct OverTime {
    /// The stores.
    #[command(flatten)]
    pub stores: IdSource,

    /// The period.
    #[command(flatten)]
    pub period: Period,

    /// Calls in flight at once (a slow call holds only its own slot).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<ListFormat>,

    /// With --output csv: write every cell exactly as received (see `passenger-flow total`).
    #[arg(long)]
    pub csv_raw: bool,
}

/// `opretail passenger-flow series`
#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// The stores, the period and the output.
    #[command(flatten)]
    pub over: OverTime,

    /// Size of the buckets.
    #[arg(long, value_name = "GRAIN", default_value = "hour")]
    pub by: GrainArg,

    /// Only the stores' business hours.
    #[arg(long)]
    pub business_hours: bool,
}

/// `opretail passenger-flow demographics`
#[derive(Debug, Args)]
pub struct DemographicsArgs {
    /// The stores, the period and the output.
    #[command(flatten)]
    pub over: OverTime,
}

/// Bucket sizes of `passenger-flow series`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GrainArg {
    /// One bucket an hour.
    Hour,
    /// One a day.
    Day,
    /// One a week.
    Week,
    /// One a month.
    Month,
}

impl From<GrainArg> for opretail_model::Grain {
    fn from(arg: GrainArg) -> opretail_model::Grain {
        match arg {
            GrainArg::Hour => opretail_model::Grain::Hour,
            GrainArg::Day => opretail_model::Grain::Day,
            GrainArg::Week => opretail_model::Grain::Week,
            GrainArg::Month => opretail_model::Grain::Month,
        }
    }
}

/// `opretail passenger-flow …`
#[derive(Debug, Subcommand)]
pub enum PassengerFlowCommand {
    /// Today's, this week's and this month's totals of stores (`S_…`) or enterprises (`O_…`).
    Total(TotalArgs),

    /// Passenger flow over time: one row per store and bucket.
    Series(SeriesArgs),

    /// Visitors by gender and age group over a period.
    Demographics(DemographicsArgs),
}

/// `opretail passenger-flow total`
#[derive(Debug, Args)]
pub struct TotalArgs {
    /// A store (`S_1001`) or enterprise (`O_42`) id; repeat for more.
    #[arg(long = "id", value_name = "ID", value_parser = parse_id,
          required_unless_present_any = ["ids_file", "all_stores"])]
    pub ids: Vec<EntityId>,

    /// Read more ids from a file, one a line (`-` for stdin; blank lines and `#` comments skipped).
    #[arg(long, value_name = "FILE|-")]
    pub ids_file: Option<PathBuf>,

    /// Every store the user can see (from the store list).
    #[arg(long, conflicts_with_all = ["ids", "ids_file"])]
    pub all_stores: bool,

    /// Ask for values with units (`needUnit=1`), such as "1,234人" and "35.2%".
    #[arg(long)]
    pub with_units: bool,

    /// Calls in flight at once; a slow id holds only its own slot.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<TotalFormat>,

    /// With --output csv: write every cell exactly as received. By default a cell that starts
    /// with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a plain number gets a
    /// leading `'`, so that spreadsheets show it as text instead of running it as a formula.
    #[arg(long)]
    pub csv_raw: bool,
}

/// Output formats of `passenger-flow total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TotalFormat {
    /// Aligned columns for people; failures shown in the row.
    Table,
    /// One JSON array, one element per id in input order.
    Json,
    /// One JSON object per line, written as each result is ready (in any order; each line
    /// carries its id).
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// Output formats of the listings (`stores`, `passenger-flow series`, `demographics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people, text escaped for the terminal.
    Table,
    /// One JSON array of objects, one per row.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

impl ListFormat {
    /// The format of the rows; without one, a table on a terminal and JSON elsewhere.
    pub fn or_default(format: Option<ListFormat>) -> TotalFormat {
        match format {
            Some(ListFormat::Table) => TotalFormat::Table,
            Some(ListFormat::Json) => TotalFormat::Json,
            Some(ListFormat::Ndjson) => TotalFormat::Ndjson,
            Some(ListFormat::Csv) => TotalFormat::Csv,
            None => crate::commands::total::default_format(),
        }
    }
}

/// `opretail call`
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The method only reads: retry it after timeouts, broken connections and transient
    /// gateway errors too. Without it the call is retried only when the connection could not
    /// be made, so that nothing runs twice on the gateway.
    #[arg(long)]
    pub idempotent: bool,

    /// Method name (`_mt`), e.g. open.shopweb.passengerFlow.getTotalData.
    #[arg(value_name = "METHOD")]
    pub method: String,

    /// Method version (`_version`).
    #[arg(long = "version", value_name = "V", default_value = "v1")]
    pub method_version: String,

    /// Extra HTTP header, e.g. Ovo-Authorization=TOKEN; repeat for more. The value shows in
    /// the process list: prefer --header-env or --header-file for tokens.
    #[arg(long = "header", value_name = "NAME=VALUE", value_parser = parse_header)]
    pub headers: Vec<Header>,

    /// Extra HTTP header whose value is read from an environment variable, e.g.
    /// Ovo-Authorization=OVO_TOKEN; repeat for more.
    #[arg(long = "header-env", value_name = "NAME=VAR", value_parser = parse_pair)]
    pub header_envs: Vec<(String, String)>,

    /// Extra HTTP header whose value is the content of a file (a final line break is
    /// dropped), e.g. Ovo-Authorization=token.txt; repeat for more.
    #[arg(long = "header-file", value_name = "NAME=FILE", value_parser = parse_pair)]
    pub header_files: Vec<(String, String)>,

    /// Business parameters.
    #[arg(value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub params: Vec<(String, String)>,
}

/// `opretail sign`
#[derive(Debug, Args)]
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

/// `opretail sandbox`
#[derive(Debug, Args)]
pub struct SandboxCommandArgs {
    /// The sandbox's own options.
    #[command(flatten)]
    pub sandbox: opretail_sandbox::cli::SandboxArgs,
}

/// `opretail codes`
#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub output: CodesFormat,
}

/// Output formats of `codes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodesFormat {
    /// Aligned columns.
    Table,
    /// A JSON array of `{code, name, meaning, remedy}`.
    Json,
}

/// `opretail completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// A sign method as a clap value (the model's type has no clap support).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignMethodArg {
    /// MD5, 32 hex characters.
    Md5,
    /// SHA-1, 40 hex characters.
    Sha1,
}

impl From<SignMethodArg> for SignMethod {
    fn from(arg: SignMethodArg) -> SignMethod {
        match arg {
            SignMethodArg::Md5 => SignMethod::Md5,
            SignMethodArg::Sha1 => SignMethod::Sha1,
        }
    }
}

fn parse_id(text: &str) -> Result<EntityId, String> {
    crate::ids::parse_id(text)
}

/// A secret from the command line: held as a secret from the start, so that no `Debug` of the
/// arguments can show it.
fn parse_secret(text: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(text))
}

/// An HTTP header given on the command line; the value may be a token, so it is a secret.
#[derive(Debug, Clone)]
pub struct Header {
    /// The header's name.
    pub name: String,
    /// Its value.
    pub value: SecretString,
}

fn parse_header(text: &str) -> Result<Header, String> {
    match text.split_once('=') {
        Some(("", _)) => Err("the header has an empty name before `=`".to_owned()),
        Some((name, value)) => Ok(Header {
            name: name.to_owned(),
            value: SecretString::from(value),
        }),
        None => Err("a header is NAME=VALUE".to_owned()),
    }
}

/// `KEY=VALUE`, split at the first `=`; the value is kept exactly (it may contain `=`).
fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some(("", _)) => Err(format!("{text:?} has an empty name before `=`")),
        Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
        None => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a positive number of calls per second"
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        assert_eq!(parse_pair("a=b=c"), Ok(("a".to_owned(), "b=c".to_owned())));
        assert_eq!(parse_pair("a="), Ok(("a".to_owned(), String::new())));
        assert!(parse_pair("=b").is_err());
        assert!(parse_pair("ab").is_err());
    }
}
