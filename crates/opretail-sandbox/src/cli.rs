//! Command-line arguments and the serve-until-stopped loop, shared by the `opretail-sandbox`
//! binary and the `opretail sandbox` command.

use std::io;
use std::net::SocketAddr;
#[cfg(feature = "tls")]
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{
    DEFAULT_AKEY, DEFAULT_ASID, DEMO_APPLICATION_ID, DEMO_PASSWORD, DEMO_USER, Fault, FaultPlan,
    Sandbox, SandboxBuilder,
};

/// Arguments of a sandbox started from the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// An extra developer key to accept, besides the demo key `sandbox` (or instead of it,
    /// with `--no-demo-key`).
    #[arg(long, requires = "asid", env = "OPRETAIL_SANDBOX_AKEY")]
    pub akey: Option<String>,

    /// The signing secret of `--akey` (never printed; prefer the environment variable).
    #[arg(
        long,
        requires = "akey",
        env = "OPRETAIL_SANDBOX_ASID",
        hide_env_values = true
    )]
    pub asid: Option<String>,

    /// Do not accept the public demo key `sandbox` (then only `--akey` is accepted).
    #[arg(long)]
    pub no_demo_key: bool,

    /// Do not accept the public demo user `demo` (no user can log in then).
    #[arg(long)]
    pub no_demo_user: bool,

    /// Answer with the loose types real gateways send (numbers as strings, `cfgData` as one
    /// object, nulls, missing and extra fields).
    #[arg(long)]
    pub quirks: bool,

    /// Revise the passenger figures of the last N hours a little on every answer, as a
    /// gateway that is still counting does (0: never).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub revise_recent_hours: u32,

    /// Milliseconds of latency added to every request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Up to this many more milliseconds of random latency per request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub jitter: u64,

    /// Probability (0 to 1) that a request fails on purpose, split evenly between gateway
    /// `-500`, gateway `-999` and HTTP 502.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub fail_rate: f64,

    /// Seed of the random faults and latency, for reproducible runs.
    #[arg(long, default_value_t = 0x5eed)]
    pub seed: u64,

    /// Accept a signature seen before (for load tests resending one signed request).
    #[arg(long)]
    pub no_replay_protection: bool,

    /// Run the sandbox's clock this many seconds ahead (behind when negative): its answers'
    /// `stat.systime` is that far off, as from a machine whose clock is wrong.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub clock_skew: i64,

    /// Answer this method with code 4008 METHOD_NOT_GRANTED, as for a method not granted to
    /// the application in the developer console (the platform publishes no code for it).
    /// The full name or its last dotted part (`getTotalData`); repeat for more methods.
    #[arg(long, value_name = "METHOD")]
    pub refuse_method: Vec<String>,

    /// Accept `_sm=rsa` calls signed with the private half of this public key (a PEM file,
    /// or the base64 text the developer console shows); others get SIGN_WRONG.
    #[arg(long, value_name = "FILE", value_parser = read_public_key)]
    pub rsa_public_key: Option<opretail_sign::RsaVerifyingKey>,

    /// Answer calls recorded with `opretail --record DIR` (same method and business
    /// parameters) with their recorded answers; every other call as usual.
    #[arg(long, value_name = "DIR", value_parser = load_recordings)]
    pub replay: Option<crate::Recordings>,

    /// Make the device with this MAC address dead: offline and counting nothing, its store
    /// counting that much less (`0C0003E90001`: the first device of S_1001); repeat for more.
    #[arg(long, value_name = "MAC")]
    pub dead_device: Vec<String>,

    /// Require a fresh `_nonce` on every call, as the vendor's newer SDKs send: none is
    /// PARAM_ILLEGAL, one seen again API_CALL_REPEAT.
    #[arg(long)]
    pub require_nonce: bool,

    /// Seconds `_timestamp` may be from the sandbox's clock, either way.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub tolerance: u64,

    /// Most connections open at once; past it a new one closes the oldest idle one, or
    /// waits while every one is busy.
    #[arg(long, value_name = "N", default_value_t = crate::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Seconds a connection may go without sending a complete request head (from its start
    /// and from each answer) before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = crate::DEFAULT_IDLE_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// Serve HTTPS with a certificate for localhost, 127.0.0.1 and ::1, signed by a CA
    /// generated at start (its PEM is written to `--ca-cert`).
    #[cfg(feature = "tls")]
    #[arg(long)]
    pub tls: bool,

    /// Where to write the CA certificate (PEM) with `--tls`; default: a file in the
    /// temporary directory, removed when the sandbox stops.
    #[cfg(feature = "tls")]
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub ca_cert: Option<PathBuf>,
}

fn probability(text: &str) -> Result<f64, String> {
    let p: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number; give a probability such as 0.1"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not between 0 and 1"))
    }
}

impl SandboxArgs {
    /// The fault plan these arguments describe.
    pub fn fault_plan(&self) -> FaultPlan {
        let mut plan = FaultPlan::default()
            .with_latency(
                Duration::from_millis(self.latency),
                Duration::from_millis(self.jitter),
            )
            .seed(self.seed);
        if self.fail_rate > 0.0 {
            let each = self.fail_rate / 3.0;
            plan = plan
                .with_random(Fault::Gateway(-500), each)
                .with_random(Fault::Gateway(-999), each)
                .with_random(Fault::Http502Html, each);
        }
        plan
    }

    /// A builder configured by these arguments.
    pub fn builder(&self) -> SandboxBuilder {
        let mut builder = Sandbox::builder()
            .listen(self.listen)
            .quirks(self.quirks)
            .revise_recent_hours(self.revise_recent_hours)
            .replay_protection(!self.no_replay_protection)
            .tolerance(Duration::from_secs(self.tolerance))
            .clock_skew_secs(self.clock_skew)
            .max_connections(self.max_connections)
            .idle_timeout(Duration::from_secs(self.idle_timeout))
            .faults(self.fault_plan());
        #[cfg(feature = "tls")]
        {
            builder = builder.tls(self.tls);
        }
        if self.no_demo_key {
            builder = builder.without_default_credential();
        }
        if self.no_demo_user {
            builder = builder.without_demo_user();
        }
        for method in &self.refuse_method {
            builder = builder.refuse_method(method.clone());
        }
        if let Some(recordings) = &self.replay {
            builder = builder.replay(recordings.clone());
        }
        if let Some(key) = &self.rsa_public_key {
            builder = builder.rsa_public_key(key.clone());
        }
        for mac in &self.dead_device {
            builder = builder.dead_device(mac);
        }
        builder = builder.require_nonce(self.require_nonce);
        if let (Some(akey), Some(asid)) = (&self.akey, &self.asid) {
            builder = builder.credential(akey.clone(), asid.clone());
        }
        builder
    }
}

/// Starts a sandbox, prints `listening on http://HOST:PORT/m.api` (`https://` with `--tls`,
/// then `ca certificate: PATH`), the accepted credentials, the cloud gateway's URL and the
/// demo user on stdout, and serves until Ctrl-C or SIGTERM. A sandbox that listens beyond
/// loopback with the demo key says so on stderr, whatever the log filter.
pub async fn run(args: SandboxArgs) -> io::Result<()> {
    // Installed before the first line is printed: whoever reads it may signal right away.
    let stop = StopSignals::install()?;
    let sandbox = args.builder().warnings_on_stderr().start().await?;
    #[cfg(feature = "tls")]
    let ca_file = match sandbox.ca_cert_pem() {
        Some(pem) => Some(CaFile::write(args.ca_cert.as_deref(), pem)?),
        None => None,
    };
    println!("listening on {}", sandbox.url());
    #[cfg(feature = "tls")]
    if let Some(ca_file) = &ca_file {
        println!("ca certificate: {}", ca_file.path.display());
    }
    if !args.no_demo_key {
        println!("credentials: _akey={DEFAULT_AKEY} _asid={DEFAULT_ASID}");
    }
    match &args.akey {
        Some(akey) => println!("credentials: _akey={akey} _asid=<as given, not shown>"),
        None if args.no_demo_key => {
            println!("credentials: none (every call gets KEY_UNLAWFUL; add --akey and --asid)");
        }
        None => {}
    }
    if args.no_demo_key {
        println!("cloud gateway: {}", sandbox.cloud_url());
    } else {
        println!(
            "cloud gateway: {} (_aid={DEMO_APPLICATION_ID})",
            sandbox.cloud_url()
        );
    }
    if args.no_demo_user {
        println!("user: none (every login gets a user-name error)");
    } else {
        println!("user: userName={DEMO_USER} password={DEMO_PASSWORD}");
    }
    tracing::info!(url = sandbox.url(), "sandbox started");
    stop.wait().await;
    tracing::info!("stopping");
    sandbox.shutdown().await;
    #[cfg(feature = "tls")]
    drop(ca_file);
    Ok(())
}

/// The CA certificate written for clients; a file the sandbox chose is removed on drop.
#[cfg(feature = "tls")]
struct CaFile {
    path: PathBuf,
    remove: bool,
}

#[cfg(feature = "tls")]
impl CaFile {
    fn write(path: Option<&Path>, pem: &str) -> io::Result<CaFile> {
        let (path, remove) = match path {
            Some(path) => (path.to_owned(), false),
            None => (
                std::env::temp_dir()
                    .join(format!("opretail-sandbox-ca-{}.pem", std::process::id())),
                true,
            ),
        };
        std::fs::write(&path, pem).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot write the CA certificate to {}: {e}; choose another --ca-cert path",
                    path.display()
                ),
            )
        })?;
        Ok(CaFile { path, remove })
    }
}

#[cfg(feature = "tls")]
impl Drop for CaFile {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Ctrl-C and, on Unix, SIGTERM.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    #[cfg(unix)]
    fn install() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> io::Result<Self> {
        Ok(StopSignals {})
    }

    #[cfg(unix)]
    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `--replay DIR`: the recordings loaded, so that a bad one is a usage error before the start.
fn load_recordings(dir: &str) -> Result<crate::Recordings, String> {
    crate::Recordings::load(std::path::Path::new(dir))
}

/// `--rsa-public-key FILE`: the file read and its key checked, so that a bad file is a usage
/// error before the sandbox starts.
fn read_public_key(path: &str) -> Result<opretail_sign::RsaVerifyingKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the key file {path}: {e}"))?;
    opretail_sign::RsaVerifyingKey::from_text(&text).map_err(|e| format!("{path}: {e}"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::faults::FaultPlan;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }

    fn parse(args: &[&str]) -> Result<SandboxArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("opretail-sandbox").chain(args.iter().copied()))
            .map(|cli| cli.sandbox)
    }

    #[test]
    fn setup_switches_reach_the_builder() {
        let args = parse(&[
            "--clock-skew",
            "-120",
            "--refuse-method",
            "getTotalData",
            "--refuse-method",
            "mobileLogin",
            "--require-nonce",
        ])
        .unwrap();
        assert_eq!(args.clock_skew, -120);
        assert_eq!(args.refuse_method, ["getTotalData", "mobileLogin"]);
        let text = format!("{:?}", args.builder());
        assert!(text.contains("skew_secs: -120"), "{text}");
        assert!(text.contains("\"getTotalData\", \"mobileLogin\""), "{text}");
        assert!(text.contains("require_nonce: true"), "{text}");
        let defaults = parse(&[]).unwrap();
        assert_eq!(defaults.clock_skew, 0);
        assert!(defaults.refuse_method.is_empty());
    }

    #[test]
    fn defaults_inject_nothing() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(args.fault_plan().is_empty());
        assert!(!args.no_replay_protection && !args.quirks);
        assert_eq!(args.tolerance, 600);
        assert_eq!(args.max_connections, crate::DEFAULT_MAX_CONNECTIONS);
        assert_eq!(args.idle_timeout, crate::DEFAULT_IDLE_TIMEOUT.as_secs());
        assert!(!args.no_demo_key && !args.no_demo_user);
        assert_eq!(args.revise_recent_hours, 0);
    }

    #[test]
    fn recent_hours_can_be_revised() {
        let args = parse(&["--revise-recent-hours", "6"]).unwrap();
        let text = format!("{:?}", args.builder());
        assert!(text.contains("revise_recent_hours: 6"), "{text}");
    }

    #[test]
    fn the_demo_key_and_user_can_be_dropped() {
        let args = parse(&["--no-demo-key", "--no-demo-user", "--idle-timeout", "3"]).unwrap();
        let text = format!("{:?}", args.builder());
        assert!(text.contains("keys (expired?): []"), "{text}");
        assert!(text.contains("(passwords not shown): []"), "{text}");
        assert!(text.contains("idle_timeout: 3s"), "{text}");
        let kept = format!("{:?}", parse(&[]).unwrap().builder());
        assert!(
            kept.contains(&format!("[({DEFAULT_AKEY:?}, false)]")),
            "{kept}"
        );
        assert!(kept.contains(&format!("[{DEMO_USER:?}]")), "{kept}");
        assert!(parse(&["--idle-timeout", "0"]).is_err());
    }

    #[cfg(feature = "tls")]
    #[test]
    fn ca_cert_needs_tls() {
        assert!(parse(&["--ca-cert", "ca.pem"]).is_err());
        let args = parse(&["--tls", "--ca-cert", "ca.pem"]).unwrap();
        assert!(args.tls);
        assert_eq!(args.ca_cert.as_deref(), Some(Path::new("ca.pem")));
    }

    #[test]
    fn fail_rate_splits_over_three_faults() {
        let args = parse(&["--fail-rate", "0.3", "--seed", "9", "--latency", "5"]).unwrap();
        let each = 0.3 / 3.0;
        let expected = FaultPlan::default()
            .with_latency(Duration::from_millis(5), Duration::ZERO)
            .seed(9)
            .with_random(Fault::Gateway(-500), each)
            .with_random(Fault::Gateway(-999), each)
            .with_random(Fault::Http502Html, each);
        assert_eq!(args.fault_plan(), expected);
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let error = parse(&["--fail-rate", "1.5"]).unwrap_err().to_string();
        assert!(error.contains("between 0 and 1"), "{error}");
        assert!(parse(&["--akey", "k"]).is_err(), "--akey needs --asid");
        assert!(parse(&["--listen", "localhost"]).is_err());
    }

    #[test]
    fn an_rsa_public_key_file_is_read_and_checked_before_the_start() {
        let dir = std::env::temp_dir().join(format!("sandbox-cli-rsa-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("pub.pem");
        std::fs::write(&good, include_str!("../tests/data/rsa-test-key.pub.pem")).unwrap();
        let args = parse(&["--rsa-public-key", good.to_str().unwrap()]).unwrap();
        assert!(args.rsa_public_key.is_some());
        assert!(format!("{:?}", args.builder()).contains("RsaVerifyingKey(1024 bits)"));
        let bad = dir.join("bad.pem");
        std::fs::write(&bad, "not a key!").unwrap();
        let error = parse(&["--rsa-public-key", bad.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("bad.pem") && error.contains("neither PEM nor base64"),
            "{error}"
        );
        let missing = parse(&["--rsa-public-key", "/nonexistent.pem"])
            .unwrap_err()
            .to_string();
        assert!(missing.contains("cannot read the key file"), "{missing}");
    }

    #[test]
    fn recordings_are_loaded_before_the_start() {
        let dir = std::env::temp_dir().join(format!("sandbox-cli-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("README"), "not json, skipped").unwrap();
        let exchange = serde_json::json!({
            "method": "open.shopweb.passengerFlow.getTotalData", "version": "v1",
            "params": {"id": "S_1001"}, "status": 200,
            "answer": {"stat": {"code": "0"}, "data": {}}, "at": "2026-12-05T00:00:00Z"
        });
        std::fs::write(dir.join("0001-x.json"), exchange.to_string()).unwrap();
        let args = parse(&["--replay", dir.to_str().unwrap()]).unwrap();
        assert_eq!(args.replay.as_ref().map(crate::Recordings::len), Some(1));
        std::fs::write(dir.join("0002-y.json"), "[]").unwrap();
        let error = parse(&["--replay", dir.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("0002-y.json") && error.contains("not a recorded exchange"),
            "{error}"
        );
    }
}
