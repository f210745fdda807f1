//! The command line as clap sees it, and which command runs.

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{
    call, codes, completions, demographics, devices, doctor, login, report, sales, sandbox, series,
    sign, stores, sync, total,
};
use crate::failure::Failure;
use crate::gateway::{AnswerCaps, Gateway, Tuning};
use crate::global::GlobalArgs;
use crate::settings::Settings;

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

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Passenger-flow figures.
    #[command(subcommand)]
    PassengerFlow(PassengerFlowCommand),

    /// A raw signed call of any method; prints `data` as pretty JSON.
    Call(call::CallArgs),

    /// Signs exactly the pairs given and prints the signature, to compare with another
    /// implementation when the gateway answers SIGN_WRONG.
    Sign(sign::SignArgs),

    /// Runs the gateway sandbox in the foreground until Ctrl-C.
    Sandbox(Box<sandbox::SandboxCommandArgs>),

    /// The gateway's return codes, with meaning and remedy.
    Codes(codes::CodesArgs),

    /// Every store the user can see, one row per store. Needs the user: OPRETAIL_USER and
    /// OPRETAIL_PASSWORD, OPRETAIL_TOKEN, or `opretail login` first.
    Stores(stores::StoresArgs),

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

    /// Every counting device of the stores: online or not, and the last day it counted
    /// anyone. With --offline and --zero-flow DAYS, flags the devices to look at and exits 1
    /// when there is one (for alarms from cron).
    Devices(devices::DevicesArgs),

    /// Keeps a database of every store's passenger flow up to date: SQLite, PostgreSQL or
    /// Parquet files. Each run reads from a little before where the last one stopped to now;
    /// `sync status` says what the target holds.
    Sync(sync::SyncArgs),

    /// The catalog of the tables `sync` keeps (columns, types, primary keys), as JSON.
    Discover,

    /// Checks the setup against the configured gateway, one line per check; exits 0 unless
    /// one failed.
    ///
    /// In order: configuration, network and TLS, clock, key pair, user, methods. Each line
    /// has a verdict (ok, warn, fail, skipped), what was found and what to do. Sends reads
    /// only, each typed read method once over today. Warnings do not fail the run; a check
    /// that cannot run because an earlier one failed is skipped. The secret, the password
    /// and tokens are never shown.
    Doctor(doctor::DoctorArgs),

    /// Writes one self-contained HTML page of a period's footfall: a summary, the daily
    /// curve, a weekday x hour heat map, stores ranked and compared with the previous period,
    /// and visitors by gender and age with --demographics.
    ///
    /// From the gateway, or with --from-db from a database kept by `opretail sync` (then no
    /// call is made). The page needs no network to be viewed and prints well.
    Report(report::ReportArgs),

    /// Prints a shell completion script.
    Completions(completions::CompletionsArgs),

    /// Sales uploads (writes to the platform).
    #[command(subcommand)]
    Sales(sales::SalesCommand),
}

/// `opretail passenger-flow …`
#[derive(Debug, Subcommand)]
pub enum PassengerFlowCommand {
    /// Today's, this week's and this month's totals of stores (`S_…`) or enterprises (`O_…`).
    Total(total::TotalArgs),

    /// Passenger flow over time: one row per store and bucket.
    Series(series::SeriesArgs),

    /// Visitors by gender and age group over a period.
    Demographics(demographics::DemographicsArgs),
}

impl Cli {
    /// Runs the command. Every command checks what it can locally (ids, periods, settings)
    /// before it starts the runtime or sends anything.
    pub fn run(self) -> Result<(), Failure> {
        let global = &self.global;
        match self.command {
            Command::Sign(args) => sign::run(&args),
            Command::Codes(args) => codes::run(&args),
            Command::Completions(args) => completions::run(&args, Cli::command()),
            Command::Sandbox(args) => crate::gateway::runtime()?.block_on(sandbox::run(*args)),
            Command::PassengerFlow(PassengerFlowCommand::Total(args)) => {
                let settings = Settings::resolve(global)?;
                let plan = args.plan()?;
                Gateway::run(&settings, global.sandbox, args.tuning(), async |gateway| {
                    total::run(gateway, &args, plan).await
                })
            }
            Command::PassengerFlow(PassengerFlowCommand::Series(args)) => {
                let settings = Settings::resolve(global)?;
                let plan = args.plan()?;
                Gateway::run(&settings, global.sandbox, args.tuning(), async |gateway| {
                    series::run(gateway, &args, plan).await
                })
            }
            Command::PassengerFlow(PassengerFlowCommand::Demographics(args)) => {
                let settings = Settings::resolve(global)?;
                let plan = args.plan()?;
                Gateway::run(&settings, global.sandbox, args.tuning(), async |gateway| {
                    demographics::run(gateway, &args, plan).await
                })
            }
            Command::Stores(args) => {
                let settings = Settings::resolve(global)?;
                Gateway::run(
                    &settings,
                    global.sandbox,
                    Tuning::default(),
                    async |gateway| stores::run(gateway, &args).await,
                )
            }
            Command::Sync(args) => match &args.status {
                Some(sync::StatusCommand::Status { to }) => sync::status(to),
                None => {
                    let settings = Settings::resolve(global)?;
                    let plan = args.plan()?;
                    Gateway::run(&settings, global.sandbox, args.tuning(), async |gateway| {
                        sync::run(gateway, plan).await
                    })
                }
            },
            Command::Discover => sync::discover(),
            Command::Devices(args) => {
                let settings = Settings::resolve(global)?;
                let ids = args.plan()?;
                Gateway::run(&settings, global.sandbox, args.tuning(), async |gateway| {
                    devices::run(gateway, &args, ids).await
                })
            }
            Command::Report(args) => {
                let plan = args.plan()?;
                if !plan.needs_gateway() {
                    return report::run_from_db(&args, plan);
                }
                let settings = Settings::resolve(global)?;
                Gateway::run(&settings, global.sandbox, args.tuning(), async |gateway| {
                    report::run(gateway, &args, plan).await
                })
            }
            Command::Doctor(args) => doctor::run(global, &args),
            Command::Sales(sales::SalesCommand::Upload(args)) => sales::upload(global, &args),
            Command::Login => login::run(global),
            Command::Logout => login::logout(global),
            Command::Call(args) => {
                let settings = Settings::resolve(global)?;
                let headers = call::collect_headers(&args)?;
                let tuning = Tuning {
                    answer_caps: Some(AnswerCaps::RAW_CALL),
                    ..Tuning::default()
                };
                Gateway::run(&settings, global.sandbox, tuning, async |gateway| {
                    call::run(gateway, args, headers).await
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
