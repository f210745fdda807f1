//! `opretail sync` into SQLite: a month's back-fill of every demo store, then a run with
//! nothing new.
//!
//! ```text
//! cargo bench -p opretail-cli --bench sync
//! OPRETAIL_BENCH_QUICK=1 cargo bench -p opretail-cli --bench sync   # 30 stores
//! ```
//!
//! The sandbox runs in this process, adding 20 ms to every answer; the CLI runs as a child.
//!
//! - `sync/backfill`: the 300 demo stores, `flow_hourly`, 31 days to now (about 223,000 rows)
//!   at `--concurrency 64`. One call a store (a call covers up to 31 days), so the ideal wall
//!   time is `calls / 64 × 20 ms`; the ratio is wall time over that, target 1.15. Also
//!   `sync/backfill-peak-rss` (target 64 MiB) and `sync/backfill-rows-per-sec`.
//! - `sync/noop`: the same stores again right after, `--lookback 0`: the series calls made
//!   for days already complete (target 0; one call a store for today, still running, is
//!   expected and not counted).
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) nothing is measured.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, FaultPlan, Sandbox};

#[path = "../../../benches-common/proc_cpu.rs"]
mod proc_cpu;

#[path = "../../../benches-common/child.rs"]
mod child;

const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 64;

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
        .faults(FaultPlan::default().with_latency(LATENCY, Duration::ZERO))
        .start_blocking()
        .expect("the sandbox starts");
    let work = tempfile::tempdir().expect("a scratch directory");
    let ids = work.path().join("ids.txt");
    let list: String = (0..stores).map(|n| format!("S_{}\n", 1001 + n)).collect();
    std::fs::write(&ids, list).expect("the ids file is written");
    let db = work.path().join("footfall.db");
    let since = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
        - chrono::TimeDelta::days(30);
    let since = since.to_string();

    let before = sandbox.counters();
    let sandbox_before = proc_cpu::sandbox_cpu_time().map(|(time, _)| time);
    let run = sync(sandbox.url(), &db, &ids, &["--since", &since], work.path());
    let after = sandbox.counters();
    let sandbox_cpu = proc_cpu::sandbox_cpu_time()
        .map(|(time, _)| time)
        .zip(sandbox_before)
        .map(|(after, before)| after.saturating_sub(before));
    let calls = (after.requests() - after.logins()) - (before.requests() - before.logins());
    let rows = rows_in(&db);
    let ideal = (calls as f64 / CONCURRENCY as f64) * LATENCY.as_secs_f64();
    let wall = run.wall.as_secs_f64();
    eprintln!(
        "sync: {stores} stores, {calls} calls, {rows} rows in {wall:.3} s; ideal {ideal:.3} s"
    );
    println!(
        "bench sync/backfill {:.1} ms ratio={:.3} target=<=1.15 calls={calls} rows={rows}",
        wall * 1e3,
        wall / ideal
    );
    println!(
        "bench sync/backfill-rows-per-sec {:.0} rows/s",
        rows as f64 / wall
    );
    // Two cores serve both processes: the sandbox's share of the CPU is time the sync waits.
    if let Some(cpu) = run.cpu {
        println!(
            "bench sync/backfill-cli-cpu {:.2} us/row",
            cpu.as_secs_f64() * 1e6 / rows as f64
        );
    }
    if let Some(cpu) = sandbox_cpu {
        println!(
            "bench sync/backfill-sandbox-cpu {:.2} us/row",
            cpu.as_secs_f64() * 1e6 / rows as f64
        );
    }
    if let Some(bytes) = run.peak_rss {
        println!(
            "bench sync/backfill-peak-rss {:.1} MiB target=<=64",
            bytes as f64 / (1024.0 * 1024.0)
        );
    }

    let before = sandbox.counters();
    sync(sandbox.url(), &db, &ids, &["--lookback", "0"], work.path());
    let after = sandbox.counters();
    let calls = (after.requests() - after.logins()) - (before.requests() - before.logins());
    // One call a store for today is expected: the running hour is read again.
    let for_complete_days = calls.saturating_sub(stores as u64);
    println!("bench sync/noop {for_complete_days} calls target=<=0 calls_made={calls}");
    sandbox.shutdown_blocking();
}

/// Runs `opretail sync` of the ids' hourly flow into `db`; panics when it fails.
fn sync(endpoint: &str, db: &Path, ids: &Path, more: &[&str], scratch: &Path) -> child::ChildRun {
    let concurrency = CONCURRENCY.to_string();
    let stderr = scratch.join("stderr.txt");
    let begun = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_opretail"))
        .args(["--endpoint", endpoint, "--akey", DEFAULT_AKEY])
        .args(["--asid", DEFAULT_ASID, "sync", "--to"])
        .arg(format!("sqlite:{}", db.display()))
        .args([
            "--streams",
            "flow_hourly",
            "--concurrency",
            &concurrency,
            "--ids-file",
        ])
        .arg(ids)
        .args(more)
        .env("OPRETAIL_USER", DEMO_USER)
        .env("OPRETAIL_PASSWORD", DEMO_PASSWORD)
        // Nothing from this machine's configuration.
        .env("HOME", scratch)
        .env("XDG_CONFIG_HOME", scratch)
        .env("XDG_CACHE_HOME", scratch)
        .env_remove("OPRETAIL_CONFIG")
        .env_remove("OPRETAIL_ENDPOINT")
        .env_remove("OPRETAIL_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("a file for the CLI's stderr"))
        .spawn()
        .expect("the opretail binary starts");
    let run = child::watch(child, begun);
    if !run.status.success() {
        let said = std::fs::read_to_string(&stderr).unwrap_or_default();
        panic!("opretail sync failed ({}):\n{said}", run.status);
    }
    run
}

/// The hourly rows in `db`.
fn rows_in(db: &Path) -> u64 {
    let db = rusqlite::Connection::open(db).expect("the database opens");
    db.query_row("SELECT count(*) FROM flow_hourly", [], |r| {
        r.get::<_, i64>(0)
    })
    .expect("the rows are counted") as u64
}
