//! `opretail doctor`: checks a setup against the configured gateway, in order, one line per
//! check with a verdict, what was found and what to do.
//!
//! Only reads are sent: a raw call that the key-pair check reads the code of, a login when a
//! user is configured, and each typed read method once over today.

mod configuration;
mod methods;
mod network;
mod probe;
mod user;

use std::cell::RefCell;
use std::time::{Duration, Instant};

use chrono::Utc;
use opretail_model::{Error, RawCall, ReturnCode, TransportKind};
use serde::Serialize;
use serde::de::IgnoredAny;

use crate::escape;
use crate::failure::Failure;
use crate::gateway::{Gateway, Tuning};
use crate::global::GlobalArgs;
use crate::settings::{Provenance, Settings};

use configuration::configuration;
use methods::methods;
use network::network;
use probe::{clock, key_pair};
use user::user;

/// Checks the setup against the configured gateway, one line per check; exits 0 unless
/// one failed.
///
/// In order: configuration, network and TLS, clock, key pair, user, methods. Each line
/// has a verdict (ok, warn, fail, skipped), what was found and what to do. Sends reads
/// only, each typed read method once over today. Warnings do not fail the run; a check
/// that cannot run because an earlier one failed is skipped. The secret, the password
/// and tokens are never shown.
#[derive(Debug, clap::Args)]
#[command(display_order = 12)]
pub struct Args {
    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<DoctorFormat>,
}

impl Args {
    /// Runs the checks.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        run_checks(global, &self)
    }
}

/// How the checklist is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DoctorFormat {
    /// Aligned lines for people, text from the gateway escaped.
    Table,
    /// One JSON object: `{"ok": bool, "checks": [{"check", "verdict", "found", "remedy"}]}`.
    Json,
}

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Works.
    Ok,
    /// Works, but something deserves attention; does not fail the run.
    Warn,
    /// Does not work: the run exits 1.
    Fail,
    /// Not run, for the reason given.
    Skipped,
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Which check.
    pub check: &'static str,
    /// Its verdict.
    pub verdict: Verdict,
    /// What was found.
    pub found: String,
    /// What to do; empty when nothing.
    pub remedy: String,
}

fn line(check: &'static str, verdict: Verdict, found: impl Into<String>, remedy: &str) -> Check {
    Check {
        check,
        verdict,
        found: found.into(),
        remedy: remedy.to_owned(),
    }
}

/// The names of the checks, in order.
const CHECKS: [&str; 6] = [
    "configuration",
    "network",
    "clock",
    "key pair",
    "user",
    "methods",
];

/// Runs every check and prints the checklist; fails (exit 1) when a check failed.
fn run_checks(global: &GlobalArgs, args: &Args) -> Result<(), Failure> {
    let checks = RefCell::new(Vec::new());
    match Settings::resolve(global) {
        Err(Failure::Usage(message)) | Err(Failure::Failed(message)) => {
            checks.borrow_mut().push(line(
                "configuration",
                Verdict::Fail,
                message,
                "fix the setting named, then run `opretail doctor` again",
            ));
        }
        Err(other) => return Err(other),
        Ok(settings) => {
            let provenance = settings.provenance(global);
            let budget = settings.timeout.unwrap_or(Duration::from_secs(30));
            let runtime = crate::gateway::runtime()?;
            let finished = runtime.block_on(async {
                tokio::time::timeout(budget, all(&settings, &provenance, global.sandbox, &checks))
                    .await
            });
            if finished.is_err() {
                let done = checks.borrow().len();
                if let Some(name) = CHECKS.get(done) {
                    checks.borrow_mut().push(line(
                        name,
                        Verdict::Fail,
                        format!("not finished within {} s", budget.as_secs_f64()),
                        "raise --timeout, or look at the network line",
                    ));
                }
            }
        }
    }
    let mut checks = checks.into_inner();
    let done = checks.len();
    for name in CHECKS.iter().skip(done) {
        checks.push(line(
            name,
            Verdict::Skipped,
            "an earlier check failed",
            "fix the failed line first",
        ));
    }
    let failed = checks.iter().any(|c| c.verdict == Verdict::Fail);
    let format = args.output.unwrap_or_else(|| {
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            DoctorFormat::Table
        } else {
            DoctorFormat::Json
        }
    });
    print(&checks, format, !failed)?;
    if failed {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

fn print(checks: &[Check], format: DoctorFormat, ok: bool) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match format {
        DoctorFormat::Json => {
            let value = serde_json::json!({ "ok": ok, "checks": checks });
            writeln!(out, "{value}")?;
        }
        DoctorFormat::Table => {
            for check in checks {
                let verdict = match check.verdict {
                    Verdict::Ok => "ok",
                    Verdict::Warn => "warn",
                    Verdict::Fail => "FAIL",
                    Verdict::Skipped => "skipped",
                };
                // One finding a line: the configuration's settings, each method.
                for (i, part) in check.found.split("; ").enumerate() {
                    let (name, verdict) = if i == 0 {
                        (check.check, verdict)
                    } else {
                        ("", "")
                    };
                    writeln!(
                        out,
                        "{name:<14} {verdict:<8} {}",
                        escape::for_terminal(part, 2000)
                    )?;
                }
                if !check.remedy.is_empty() {
                    writeln!(
                        out,
                        "{:<14} {:<8} -> {}",
                        "",
                        "",
                        escape::for_terminal(&check.remedy, 2000)
                    )?;
                }
            }
            writeln!(
                out,
                "{}",
                if ok {
                    "every check passed (warnings do not fail)"
                } else {
                    "some checks failed"
                }
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs the checks in order, pushing each line as it is decided; returns at the first line
/// that leaves the later ones nothing to stand on.
async fn all(
    settings: &Settings,
    provenance: &Provenance,
    sandbox: bool,
    checks: &RefCell<Vec<Check>>,
) {
    let push = |check: Check| checks.borrow_mut().push(check);
    let config = configuration(settings, provenance, sandbox);
    let config_failed = config.verdict == Verdict::Fail;
    push(config);
    if config_failed {
        return;
    }
    let gateway = match Gateway::connect(settings, sandbox, Tuning::default()).await {
        Ok(gateway) => gateway,
        Err(Failure::Usage(m)) | Err(Failure::Failed(m)) => {
            push(line(
                "network",
                Verdict::Fail,
                format!("cannot build the client: {m}"),
                "fix the setting named",
            ));
            return;
        }
        Err(_) => return,
    };
    let outcome = probe_all(&gateway, settings, sandbox, checks).await;
    gateway.close().await;
    outcome
}

async fn probe_all(
    gateway: &Gateway,
    settings: &Settings,
    sandbox: bool,
    checks: &RefCell<Vec<Check>>,
) {
    let push = |check: Check| checks.borrow_mut().push(check);
    let endpoint = gateway.client.config().endpoint().clone();
    let (reached, network_line) = network(&endpoint).await;
    if !reached {
        push(network_line);
        return;
    }
    // One signed read whose answer (whatever its code) tells the clock and the key pair.
    // Only the envelope counts: `data` is skipped, not decoded (a hostile 16 MiB of `{}`
    // made into JSON values took over 200 MB).
    let sent = Utc::now();
    let started = Instant::now();
    let probe = gateway
        .client
        .send_with_meta(
            &RawCall::new(opretail_model::METHOD_GET_TOTAL_DATA).with_output::<IgnoredAny>(),
        )
        .await;
    let elapsed = started.elapsed();
    let mid = sent + chrono::TimeDelta::from_std(elapsed / 2).unwrap_or_default();
    let (systime, code) = match &probe {
        Ok(response) => (response.meta.systime.clone(), Some(ReturnCode::Success)),
        Err(Error::Gateway(g)) => (g.systime.clone(), Some(g.code.clone())),
        Err(_) => (None, None),
    };
    let Some(code) = code else {
        let tls = matches!(
            &probe,
            Err(Error::Transport {
                kind: TransportKind::Tls,
                ..
            })
        );
        let error = probe
            .err()
            .map(|e| crate::output::words(&e))
            .unwrap_or_default();
        push(line(
            "network",
            Verdict::Fail,
            format!(
                "{} ; then the first call failed: {error}",
                network_line.found
            ),
            if tls {
                "the certificate is not trusted: pass --ca-cert with the CA of a proxy or test gateway"
            } else {
                "check the endpoint URL, a proxy, or a firewall"
            },
        ));
        return;
    };
    let mut network_line = network_line;
    network_line.found.push_str(&format!(
        "; a signed call answered in {} ms",
        elapsed.as_millis()
    ));
    if endpoint.url().scheme() == "https" {
        network_line
            .found
            .push_str("; TLS handshake with the configured roots succeeded");
    }
    push(network_line);
    push(clock(systime.as_deref(), mid, gateway));
    let pair = key_pair(&code);
    let pair_failed = pair.verdict == Verdict::Fail;
    push(pair);
    if pair_failed {
        return;
    }
    let user = user(gateway, settings, sandbox).await;
    let user_failed = user.verdict == Verdict::Fail;
    push(user);
    push(methods(gateway, user_failed).await);
}
