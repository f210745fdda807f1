//! `opretail report` from a synced SQLite database: the 300 demo stores over 31 days.
//!
//! ```text
//! cargo bench -p opretail-cli --bench report
//! OPRETAIL_BENCH_QUICK=1 cargo bench -p opretail-cli --bench report   # 30 stores
//! ```
//!
//! Set up by `opretail sync` from the sandbox (in this process) of `stores`, `flow_hourly`
//! and `flow_daily` over 62 days (the period and the one before it). Then:
//!
//! - `report/from-sqlite`: the median wall time of five runs of `opretail report --from-db
//!   sqlite:… --all-stores` over the last 31 complete days (about 223,000 hourly and 18,600
//!   daily rows read), the page written; target 2 s.
//! - `report/over-reading`: that time over the time this process takes to read the same rows
//!   with `opretail_sync`'s reader alone (the floor), for how much the figures, the charts
//!   and starting a process add.
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) nothing is measured.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, Sandbox};
use opretail_sync::Target;
use opretail_sync::read::FlowTable;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let stores = if std::env::var_os("OPRETAIL_BENCH_QUICK").is_some() {
        30
    } else {
        300
    };
    let sandbox = Sandbox::builder()
        .start_blocking()
        .expect("the sandbox starts");
    let work = tempfile::tempdir().expect("a scratch directory");
    let ids = work.path().join("ids.txt");
    let list: String = (0..stores).map(|n| format!("S_{}\n", 1001 + n)).collect();
    std::fs::write(&ids, list).expect("the ids file is written");
    let db = work.path().join("footfall.db");
    let today = (chrono::Utc::now() + TimeDelta::hours(8)).date_naive();
    let (from, to) = (today - TimeDelta::days(31), today - TimeDelta::days(1));
    let since = from - TimeDelta::days(31);
    run(
        Command::new(env!("CARGO_BIN_EXE_opretail"))
            .args(["--endpoint", sandbox.url(), "--akey", DEFAULT_AKEY])
            .args(["--asid", DEFAULT_ASID, "sync", "--to"])
            .arg(format!("sqlite:{}", db.display()))
            .args(["--streams", "stores,flow_hourly,flow_daily"])
            .args([
                "--since",
                &since.to_string(),
                "--concurrency",
                "16",
                "--ids-file",
            ])
            .arg(&ids)
            .env("OPRETAIL_USER", DEMO_USER)
            .env("OPRETAIL_PASSWORD", DEMO_PASSWORD),
        work.path(),
    );
    sandbox.shutdown_blocking();

    let html = work.path().join("report.html");
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let begun = Instant::now();
            run(
                Command::new(env!("CARGO_BIN_EXE_opretail"))
                    .args(["report", "--all-stores", "--from-db"])
                    .arg(format!("sqlite:{}", db.display()))
                    .args([
                        "--from",
                        &from.to_string(),
                        "--to",
                        &to.to_string(),
                        "--html",
                    ])
                    .arg(&html),
                work.path(),
            );
            begun.elapsed()
        })
        .collect();
    times.sort();
    let report = times[times.len() / 2];
    let floor = read_alone(&db, from, to);
    let size = std::fs::metadata(&html).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "report: {stores} stores, {from} to {to}: {:.0} ms (reading alone {:.0} ms), page \
         {size} bytes",
        report.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3
    );
    println!(
        "bench report/from-sqlite {:.1} ms target=<=2000 stores={stores} page_bytes={size}",
        report.as_secs_f64() * 1e3
    );
    println!(
        "bench report/over-reading {:.1} ms ratio={:.3}",
        report.as_secs_f64() * 1e3,
        report.as_secs_f64() / floor.as_secs_f64()
    );
}

/// The median time to read the rows a report reads, in this process.
fn read_alone(db: &Path, from: NaiveDate, to: NaiveDate) -> Duration {
    let target: Target = format!("sqlite:{}", db.display())
        .parse()
        .expect("a target");
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let begun = Instant::now();
            let mut sink = target.open().expect("the database opens");
            let before = from - (to - from) - TimeDelta::days(1);
            let daily = sink
                .read_flow(FlowTable::Daily, before, to)
                .expect("daily rows");
            let hourly = sink
                .read_flow(FlowTable::Hourly, from, to)
                .expect("hourly rows");
            assert!(!daily.is_empty() && !hourly.is_empty());
            begun.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Runs `command` with nothing of this machine's configuration; panics when it fails.
fn run(command: &mut Command, scratch: &Path) {
    let out = command
        .env("HOME", scratch)
        .env("XDG_CONFIG_HOME", scratch)
        .env("XDG_CACHE_HOME", scratch)
        .env_remove("OPRETAIL_CONFIG")
        .env_remove("OPRETAIL_ENDPOINT")
        .env_remove("OPRETAIL_TOKEN")
        .stdin(Stdio::null())
        .output()
        .expect("the opretail binary starts");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
