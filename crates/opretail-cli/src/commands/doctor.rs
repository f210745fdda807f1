//! `opretail doctor`: checks a setup against the configured gateway, in order, one line per
//! check with a verdict, what was found and what to do.
//!
//! Only reads are sent: a raw call that the key-pair check reads the code of, a login when a
//! user is configured, and each typed read method once over today.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::ToSocketAddrs;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, NaiveTime, Utc};
use opretail_model::{
    DateRange, Error, GetAgeGroupAndGenderDistribution, GetManyShopsPassengerIndicatorData,
    GetPassengerIndicatorData, GetTotalData, Grain, ListStores, RawCall, ReturnCode, TimeWindow,
    TransportKind,
};
use serde::Serialize;

use crate::escape;
use crate::failure::Failure;
use crate::gateway::{Gateway, Tuning};
use crate::global::GlobalArgs;
use crate::settings::{Provenance, Settings};

/// `opretail doctor`
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<DoctorFormat>,
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

/// How far the clocks may be apart before the line warns.
const MAX_SKEW_SECS: i64 = 60;

/// Runs every check and prints the checklist; fails (exit 1) when a check failed.
pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<(), Failure> {
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
    let sent = Utc::now();
    let started = Instant::now();
    let probe = gateway
        .client
        .send_with_meta(&RawCall::new(opretail_model::METHOD_GET_TOTAL_DATA))
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

/// The first line: every setting and where it came from; the secret is never shown.
fn configuration(settings: &Settings, provenance: &Provenance, sandbox: bool) -> Check {
    let mut found = Vec::new();
    let endpoint = if sandbox {
        "the embedded sandbox".to_owned()
    } else {
        settings.endpoint.clone()
    };
    found.push(format!(
        "endpoint {endpoint} ({})",
        provenance.endpoint.as_str()
    ));
    let profile = match opretail_model::Endpoint::parse(&settings.endpoint) {
        Ok(endpoint) if endpoint.url().path().ends_with("/cloud.api") => "cloud",
        _ => "classic",
    };
    found.push(format!("gateway profile {profile}"));
    found.push(format!(
        "_aid {} ({})",
        settings
            .aid
            .as_deref()
            .unwrap_or(opretail_model::DEFAULT_AID),
        provenance.aid.as_str()
    ));
    let akey = match (&settings.akey, sandbox) {
        (Some(key), _) => mask(key),
        (None, true) => mask(opretail_sandbox::DEFAULT_AKEY),
        (None, false) => "none".to_owned(),
    };
    found.push(format!("_akey {akey} ({})", provenance.akey.as_str()));
    let asid = if settings.asid.is_some() || sandbox {
        "set, not shown"
    } else {
        "none"
    };
    found.push(format!("secret {asid} ({})", provenance.asid.as_str()));
    found.push(format!(
        "sign method {} ({})",
        settings.sign_method,
        provenance.sign_method.as_str()
    ));
    if settings.user.is_some() || sandbox {
        found.push(format!(
            "user {} ({})",
            settings
                .user
                .as_deref()
                .unwrap_or(opretail_sandbox::DEMO_USER),
            provenance.user.as_str()
        ));
    }
    let mut verdict = Verdict::Ok;
    let mut remedy = String::new();
    match &settings.file {
        Some(path) => {
            let (text, exposed) = permissions(path);
            found.push(format!("config file {} ({text})", path.display()));
            let secret_in_file = provenance.asid == crate::settings::Source::File
                || provenance.password == crate::settings::Source::File;
            if exposed && secret_in_file {
                verdict = Verdict::Warn;
                remedy = format!(
                    "the file holds a secret others can read: run `chmod 600 {}`",
                    path.display()
                );
            }
        }
        None => found.push("no config file".to_owned()),
    }
    if !sandbox && (settings.akey.is_none() || settings.asid.is_none()) {
        verdict = Verdict::Fail;
        remedy = "set the developer key and its secret: --akey/OPRETAIL_AKEY/`akey` and \
                  OPRETAIL_ASID/`asid` in the config file"
            .to_owned();
    }
    Check {
        check: "configuration",
        verdict,
        found: found.join("; "),
        remedy,
    }
}

/// The first characters of a key, enough to tell keys apart, not to use one.
fn mask(key: &str) -> String {
    let chars = key.chars().count();
    let shown = if chars >= 8 { 4 } else { chars / 3 };
    let head: String = key.chars().take(shown).collect();
    format!("{head}… ({chars} characters)")
}

/// The mode of a file in words, and whether the group or others can read it.
#[cfg(unix)]
fn permissions(path: &std::path::Path) -> (String, bool) {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o777;
            (format!("mode {mode:o}"), mode & 0o044 != 0)
        }
        Err(e) => (format!("unreadable: {e}"), false),
    }
}

#[cfg(not(unix))]
fn permissions(_path: &std::path::Path) -> (String, bool) {
    ("permissions not checked here".to_owned(), false)
}

/// Resolves the host and connects to it; the TLS handshake follows with the first call.
async fn network(endpoint: &opretail_model::Endpoint) -> (bool, Check) {
    let url = endpoint.url();
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let started = Instant::now();
    let resolved = tokio::task::spawn_blocking(move || {
        (lookup.as_str(), port)
            .to_socket_addrs()
            .map(|addrs| addrs.collect::<Vec<_>>())
    })
    .await;
    let addrs = match resolved {
        Ok(Ok(addrs)) if !addrs.is_empty() => addrs,
        Ok(Err(e)) => {
            return (
                false,
                line(
                    "network",
                    Verdict::Fail,
                    format!("{host} does not resolve: {e}"),
                    "check the host name of the endpoint and this machine's DNS",
                ),
            );
        }
        _ => {
            return (
                false,
                line(
                    "network",
                    Verdict::Fail,
                    format!("{host} resolves to no address"),
                    "check the host name of the endpoint and this machine's DNS",
                ),
            );
        }
    };
    let resolve_ms = started.elapsed().as_millis();
    let first = addrs[0];
    let started = Instant::now();
    let connected = tokio::task::spawn_blocking(move || {
        std::net::TcpStream::connect_timeout(&first, Duration::from_secs(10))
    })
    .await;
    match connected {
        Ok(Ok(_stream)) => {
            let loopback = first.ip().is_loopback();
            let tls = if url.scheme() == "https" {
                ""
            } else if loopback {
                "; TLS skipped: plain http on loopback"
            } else {
                "; plain http to another machine: everything travels in clear text"
            };
            let verdict = if url.scheme() != "https" && !loopback {
                Verdict::Warn
            } else {
                Verdict::Ok
            };
            let check = line(
                "network",
                verdict,
                format!(
                    "{host} resolved to {first} in {resolve_ms} ms; connected in {} ms{tls}",
                    started.elapsed().as_millis()
                ),
                if verdict == Verdict::Warn {
                    "use the https endpoint"
                } else {
                    ""
                },
            );
            (true, check)
        }
        Ok(Err(e)) => (
            false,
            line(
                "network",
                Verdict::Fail,
                format!("{host} resolved to {first}, but connecting failed: {e}"),
                "check the port, a firewall or a proxy",
            ),
        ),
        Err(e) => (
            false,
            line(
                "network",
                Verdict::Fail,
                format!("the connect task failed: {e}"),
                "",
            ),
        ),
    }
}

/// The gateway's `stat.systime` against this machine's clock at the middle of the call.
fn clock(systime: Option<&str>, mid: chrono::DateTime<Utc>, gateway: &Gateway) -> Check {
    let Some(systime) = systime else {
        return line(
            "clock",
            Verdict::Skipped,
            "the answer had no stat.systime",
            "",
        );
    };
    let offset = gateway.client.config().utc_offset();
    let parsed = NaiveDateTime::parse_from_str(systime.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|t| t.and_local_timezone(offset).single());
    let Some(theirs) = parsed else {
        return line(
            "clock",
            Verdict::Warn,
            format!("stat.systime {systime:?} is not yyyy-MM-dd HH:mm:ss"),
            "the clock could not be compared; the gateway refuses stale timestamps with code 16",
        );
    };
    let skew = (theirs.with_timezone(&Utc) - mid).num_seconds();
    let found = format!(
        "the gateway's clock is {} s {} this machine's (stat.systime {systime}, UTC{offset})",
        skew.abs(),
        if skew >= 0 { "ahead of" } else { "behind" }
    );
    if skew.abs() > MAX_SKEW_SECS {
        line(
            "clock",
            Verdict::Warn,
            found,
            "set this machine's clock (NTP): the gateway refuses a _timestamp too far from its \
             own with code 16 TIMESTAMP_OVERTIME",
        )
    } else {
        line("clock", Verdict::Ok, found, "")
    }
}

/// What the probe's code says of the developer key, its secret and the application id.
fn key_pair(code: &ReturnCode) -> Check {
    let shown = format!("{} {}", code.code(), code.name());
    let (verdict, found, remedy) = match code.code() {
        1 | 2 => (
            Verdict::Fail,
            format!("unknown key: the gateway answered {shown}"),
            "use the developer key (_akey) the platform assigned to you; the app's access key is not it",
        ),
        3 => (
            Verdict::Fail,
            format!("expired key: {shown}"),
            code.remedy(),
        ),
        7 => (
            Verdict::Fail,
            format!("wrong secret: the gateway answered {shown}"),
            "the secret (_asid) is not the key's: copy it again from the developer console",
        ),
        4 | 5 => (
            Verdict::Fail,
            format!("sign method refused: {shown}"),
            "use --sign-method md5 or sha1",
        ),
        11 | 12 => (
            Verdict::Fail,
            format!("wrong _aid: the gateway answered {shown}"),
            "use the application id registered with the key (--aid / OPRETAIL_AID)",
        ),
        16 => (
            Verdict::Fail,
            format!("timestamp refused: {shown}"),
            "set this machine's clock: the gateway refuses a stale _timestamp with code 16",
        ),
        -100 | -500 | -999 => (
            Verdict::Warn,
            format!("the gateway answered {shown}: the key pair could not be told apart"),
            "run again later",
        ),
        _ => (
            Verdict::Ok,
            format!("the key and its secret are accepted (the read answered {shown})"),
            "",
        ),
    };
    line("key pair", verdict, found, remedy)
}

/// A login of the configured user; skipped without one.
async fn user(gateway: &Gateway, settings: &Settings, sandbox: bool) -> Check {
    if !sandbox && settings.user.is_none() {
        let found = if settings.token.is_some() {
            "no user configured; a token is set (OPRETAIL_TOKEN), used as it is"
        } else {
            "no user configured (OPRETAIL_USER and OPRETAIL_PASSWORD)"
        };
        return line("user", Verdict::Skipped, found, "");
    }
    if !sandbox && settings.password.is_none() {
        return line(
            "user",
            Verdict::Skipped,
            "a user is configured but no password (OPRETAIL_PASSWORD); `opretail login` may \
             have kept a token",
            "",
        );
    }
    match gateway.client.login().await {
        Ok(data) => line(
            "user",
            Verdict::Ok,
            format!(
                "logged in as {}",
                data.user_name
                    .as_deref()
                    .or(settings.user.as_deref())
                    .unwrap_or(opretail_sandbox::DEMO_USER)
            ),
            "",
        ),
        Err(Error::Gateway(g)) => {
            let shown = format!("{} {}", g.code.code(), g.code.name());
            let (found, remedy) = match g.code.code() {
                103_094 => (
                    format!("unknown user: {shown}"),
                    "log in with the business-platform account, not the developer console's: \
                     the console account is not a user of the business platform",
                ),
                103_095 => (
                    format!("wrong password: {shown}"),
                    "check the password of the business-platform account",
                ),
                9_990_001 => (
                    format!("no login token: {shown}"),
                    "log in with the business-platform account (mobileLogin or ssoLogin); a \
                     developer-console ticket is not a login token",
                ),
                _ => (format!("the login answered {shown}"), g.code.remedy()),
            };
            line("user", Verdict::Fail, found, remedy)
        }
        Err(e) => line(
            "user",
            Verdict::Fail,
            format!("the login failed: {}", crate::output::words(&e)),
            "",
        ),
    }
}

/// Fields of a page of stores that only say where the page is: the walk does not need them,
/// so they are not reported as unknown.
const PAGING_FIELDS: &[&str] = &["current", "pages", "size", "pageNumber", "pageSize"];

/// How one method did.
enum MethodResult {
    Works(Vec<String>),
    NotGranted(String),
    Mismatch(String),
    Failed(String),
}

/// Each typed read method once over today with one store of the list.
async fn methods(gateway: &Gateway, user_failed: bool) -> Check {
    if user_failed {
        return line(
            "methods",
            Verdict::Skipped,
            "the user could not log in, and the reads need its token",
            "fix the user line first",
        );
    }
    let config = gateway.client.config();
    let mut results: BTreeMap<&'static str, MethodResult> = BTreeMap::new();
    let list = ListStores::for_gateway(config.gateway()).page(
        NonZeroU32::MIN,
        NonZeroU32::new(1).unwrap_or(NonZeroU32::MIN),
    );
    let list_name = method_name(&list);
    let store = match gateway.client.send(&list).await {
        Ok(page) => {
            let mut unknown: Vec<String> = page
                .extra
                .keys()
                .filter(|k| !PAGING_FIELDS.contains(&k.as_str()))
                .cloned()
                .collect();
            let first = page.stores.first();
            if let Some(store) = first {
                unknown.extend(store.extra.keys().map(|k| format!("stores[].{k}")));
            }
            results.insert(list_name, MethodResult::Works(unknown));
            first.and_then(|s| s.entity_id())
        }
        Err(e) => {
            results.insert(list_name, classify(&e));
            None
        }
    };
    let Some(store) = store else {
        return summarise(
            results,
            "the store list gave no store to call the others with",
        );
    };
    let today = Utc::now().with_timezone(&config.utc_offset()).date_naive();
    let days = DateRange::day(today);
    let window = TimeWindow::new(
        today.and_time(NaiveTime::MIN),
        today.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
    );
    results.insert(
        "getTotalData",
        match gateway.client.send(&GetTotalData::new(store.clone())).await {
            Ok(data) => MethodResult::Works(data.extra.keys().cloned().collect()),
            Err(e) => classify(&e),
        },
    );
    if let Ok(window) = window
        && let Ok(call) = GetPassengerIndicatorData::new(&store, window)
    {
        results.insert(
            "getPassengerIndicatorData",
            match gateway.client.send(&call).await {
                Ok(_) => MethodResult::Works(Vec::new()),
                Err(e) => classify(&e),
            },
        );
    }
    if let Ok(call) = GetManyShopsPassengerIndicatorData::new([store.clone()], days, Grain::Hour) {
        results.insert(
            "getManyShopsPassengerIndicatorData",
            match gateway.client.send(&call).await {
                Ok(_) => MethodResult::Works(Vec::new()),
                Err(e) => classify(&e),
            },
        );
    }
    if let Ok(call) = GetAgeGroupAndGenderDistribution::new([store], days) {
        results.insert(
            "getAgeGroupAndGenderDistribution",
            match gateway.client.send(&call).await {
                Ok(data) => MethodResult::Works(data.extra.keys().cloned().collect()),
                Err(e) => classify(&e),
            },
        );
    }
    summarise(results, "")
}

/// The short name of the store list's method on this gateway (its last dotted part).
fn method_name(list: &ListStores) -> &'static str {
    use opretail_model::Operation;
    if list.method() == opretail_model::METHOD_GET_DEPARTMENTS {
        "getDepartments"
    } else {
        "getDeptListByPage"
    }
}

fn classify(error: &Error) -> MethodResult {
    match error {
        Error::Gateway(g) => {
            let code = g.code.code();
            let shown = format!("{code} {}", g.code.name());
            if (1..=17).contains(&code) || matches!(code, -100 | -500 | -999 | 9_990_001) {
                MethodResult::Failed(shown)
            } else {
                // Whatever the platform answers for a method the app was not granted: shown as
                // it came, since no code for it is published.
                MethodResult::NotGranted(shown)
            }
        }
        Error::Decode { path, message, .. } => MethodResult::Mismatch(format!("{path}: {message}")),
        other => MethodResult::Failed(crate::output::words(other)),
    }
}

fn summarise(results: BTreeMap<&'static str, MethodResult>, note: &str) -> Check {
    let mut parts = Vec::new();
    let mut verdict = Verdict::Ok;
    let mut remedies = Vec::new();
    for (name, result) in &results {
        match result {
            MethodResult::Works(unknown) if unknown.is_empty() => {
                parts.push(format!("{name} works"))
            }
            MethodResult::Works(unknown) => {
                verdict = verdict.max_with(Verdict::Warn);
                parts.push(format!(
                    "{name} works, with fields we do not decode: {}",
                    unknown.join(", ")
                ));
                remedies.push("unknown fields are kept as they came; tell the SDK's maintainers");
            }
            MethodResult::NotGranted(code) => {
                verdict = Verdict::Fail;
                parts.push(format!("{name} not granted to this app (answered {code})"));
                remedies.push("grant the method to the application in the developer console");
            }
            MethodResult::Mismatch(what) => {
                verdict = Verdict::Fail;
                parts.push(format!(
                    "{name}: the answer does not match what we decode: {what}"
                ));
                remedies
                    .push("the answer lacks or mistypes a field we need: report it with the cid");
            }
            MethodResult::Failed(what) => {
                verdict = Verdict::Fail;
                parts.push(format!("{name} failed: {what}"));
                remedies.push("see `opretail codes` for the code");
            }
        }
    }
    if !note.is_empty() {
        verdict = Verdict::Fail;
        parts.push(note.to_owned());
        remedies.push("the user sees no store: check its rights on the business platform");
    }
    remedies.dedup();
    line("methods", verdict, parts.join("; "), &remedies.join("; "))
}

impl Verdict {
    fn max_with(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Fail, _) | (_, Verdict::Fail) => Verdict::Fail,
            (Verdict::Warn, _) | (_, Verdict::Warn) => Verdict::Warn,
            _ => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked() {
        assert_eq!(mask("abcdefghijkl"), "abcd… (12 characters)");
        assert_eq!(mask("sandbox"), "sa… (7 characters)");
        assert!(!mask("secretkey1").contains("secretkey1"));
    }

    #[test]
    fn key_pair_codes_are_told_apart() {
        assert_eq!(key_pair(&ReturnCode::KeyUnlawful).verdict, Verdict::Fail);
        assert!(
            key_pair(&ReturnCode::KeyUnlawful)
                .found
                .contains("unknown key")
        );
        assert!(
            key_pair(&ReturnCode::SignWrong)
                .found
                .contains("wrong secret")
        );
        assert!(
            key_pair(&ReturnCode::ApplicationIdNotSame)
                .found
                .contains("wrong _aid")
        );
        assert_eq!(key_pair(&ReturnCode::Success).verdict, Verdict::Ok);
        assert_eq!(key_pair(&ReturnCode::from_code(4006)).verdict, Verdict::Ok);
    }
}
