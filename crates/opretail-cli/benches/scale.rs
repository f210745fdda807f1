//! `opretail passenger-flow total` over many ids: wall time against the ideal and peak memory.
//!
//! ```text
//! cargo bench -p opretail-cli --bench scale                           # the points below
//! OPRETAIL_BENCH_QUICK=1 cargo bench -p opretail-cli --bench scale    # 200 ids, a smoke run
//! ```
//!
//! The sandbox runs in this process, replay protection off, adding 20 ms to every answer.
//! The CLI binary runs as a child with `--output ndjson`, stdout to `/dev/null`: 1,000, 2,000
//! and 4,000 ids at `--concurrency 64`, then 20,000 ids at `--concurrency 256`. With `c`
//! calls in flight each taking 20 ms, the ideal wall time is `ids / c × 20 ms`; the target is
//! at most 1.25 times that at every point (cost grows linearly with the ids), and a peak
//! resident set of at most 64 MiB at 4,000 and at 20,000 ids, read from the child's `VmHWM`
//! in `/proc/<pid>/status`.
//!
//! Lines: `bench scale/1000 <ms> ms ratio=<wall/ideal> target=<=1.25 concurrency=64`, the
//! same for each point, `bench scale/<n>-peak-rss <MiB> MiB` for each point, with
//! `target=<=64` at 4,000 and 20,000, `bench scale/<n>-cli-cpu <µs> us/id`, the CLI's CPU
//! time (user and system) per id, and `bench scale/<n>-sandbox-cpu <µs> us/call`, that of the
//! sandbox's threads in this process (named `opretail-sandbox…` by its runtime) per call.
//! Without `--bench` (as `cargo test --all-targets` runs it) nothing is measured.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, FaultPlan, Sandbox};

#[path = "../../../benches-common/proc_cpu.rs"]
mod proc_cpu;

#[path = "../../../benches-common/child.rs"]
mod child;

const LATENCY: Duration = Duration::from_millis(20);
const WALL_TARGET: f64 = 1.25;
const RSS_TARGET_MIB: f64 = 64.0;

/// One measured point: how many ids, how many calls in flight, and whether the memory target
/// applies.
struct Point {
    ids: usize,
    concurrency: u32,
    rss_target: bool,
}

const POINTS: [Point; 4] = [
    Point {
        ids: 1_000,
        concurrency: 64,
        rss_target: false,
    },
    Point {
        ids: 2_000,
        concurrency: 64,
        rss_target: false,
    },
    Point {
        ids: 4_000,
        concurrency: 64,
        rss_target: true,
    },
    Point {
        ids: 20_000,
        concurrency: 256,
        rss_target: true,
    },
];

const QUICK: [Point; 1] = [Point {
    ids: 200,
    concurrency: 64,
    rss_target: false,
}];

/// One CLI run.
struct Run {
    wall: Duration,
    /// The child's peak resident set in bytes, as last read before it exited.
    peak_rss: Option<u64>,
    /// The child's CPU time (user and system), as last read before it exited.
    cpu: Option<Duration>,
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let points: &[Point] = if std::env::var_os("OPRETAIL_BENCH_QUICK").is_some() {
        &QUICK
    } else {
        &POINTS
    };
    let sandbox = Sandbox::builder()
        .replay_protection(false)
        .faults(FaultPlan::default().with_latency(LATENCY, Duration::ZERO))
        .start_blocking()
        .expect("the sandbox starts");
    let work = std::env::temp_dir().join(format!("opretail-scale-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("a scratch directory");

    // A first short run pays for loading the binary and the first connections.
    run_cli(sandbox.url(), &ids_file(&work, 64), 64, &work);
    for point in points {
        let (ids, concurrency) = (point.ids, point.concurrency);
        let before = sandbox.counters().requests();
        let sandbox_before = sandbox_cpu_time();
        let run = run_cli(sandbox.url(), &ids_file(&work, ids), concurrency, &work);
        let sandbox_after = sandbox_cpu_time();
        let answered = sandbox.counters().requests() - before;
        assert_eq!(
            answered, ids as u64,
            "the sandbox should see one request per id"
        );
        let ideal = ids as f64 / f64::from(concurrency) * LATENCY.as_secs_f64();
        let wall = run.wall.as_secs_f64();
        eprintln!(
            "scale: {ids} ids in {wall:.3} s, ideal {ideal:.3} s ({} ms latency, {concurrency} in flight)",
            LATENCY.as_millis()
        );
        println!(
            "bench scale/{ids} {:.1} ms ratio={:.3} target=<={WALL_TARGET} concurrency={concurrency}",
            wall * 1e3,
            wall / ideal
        );
        match run.peak_rss {
            Some(bytes) => {
                let mib = bytes as f64 / (1024.0 * 1024.0);
                let target = if point.rss_target {
                    format!(" target=<={RSS_TARGET_MIB}")
                } else {
                    String::new()
                };
                println!("bench scale/{ids}-peak-rss {mib:.1} MiB{target}");
            }
            None => eprintln!("scale: the peak memory could not be read (no /proc?)"),
        }
        if let Some(cpu) = run.cpu {
            println!(
                "bench scale/{ids}-cli-cpu {:.1} us/id",
                cpu.as_secs_f64() * 1e6 / ids as f64
            );
        }
        if let (Some(before), Some(after)) = (sandbox_before, sandbox_after) {
            println!(
                "bench scale/{ids}-sandbox-cpu {:.1} us/call",
                after.saturating_sub(before).as_secs_f64() * 1e6 / ids as f64
            );
        }
    }
    sandbox.shutdown_blocking();
    let _ = std::fs::remove_dir_all(&work);
}

/// A file of `n` distinct store ids, one per line.
fn ids_file(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("ids-{n}.txt"));
    let ids: String = (0..n).map(|i| format!("S_{}\n", 200_000 + i)).collect();
    std::fs::write(&path, ids).expect("the ids file is written");
    path
}

/// Runs the CLI over the ids, polling its peak memory until it exits.
fn run_cli(endpoint: &str, ids: &Path, concurrency: u32, scratch: &Path) -> Run {
    let stderr_path = scratch.join("stderr.txt");
    let stderr = std::fs::File::create(&stderr_path).expect("a file for the CLI's stderr");
    let concurrency = concurrency.to_string();
    let begun = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_opretail"))
        .args(["--endpoint", endpoint, "--akey", DEFAULT_AKEY])
        .args(["--asid", DEFAULT_ASID])
        .args(["passenger-flow", "total", "--ids-file"])
        .arg(ids)
        .args(["--output", "ndjson", "--concurrency", &concurrency])
        // Nothing from this machine's configuration: no config file, no OPRETAIL_* settings.
        .env("HOME", scratch)
        .env("XDG_CONFIG_HOME", scratch)
        .env_remove("OPRETAIL_CONFIG")
        .env_remove("OPRETAIL_ENDPOINT")
        .env_remove("OPRETAIL_AKEY")
        .env_remove("OPRETAIL_ASID")
        .env_remove("OPRETAIL_SIGN_METHOD")
        .env_remove("OPRETAIL_TIMEOUT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("the opretail binary starts");
    let child::ChildRun {
        status,
        wall,
        peak_rss,
        cpu,
    } = child::watch(child, begun);
    if !status.success() {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        panic!("opretail failed ({status}):\n{stderr}");
    }
    Run {
        wall,
        peak_rss,
        cpu,
    }
}

/// User plus system CPU time of the sandbox's threads in this process so far; `None` when
/// no such thread is found.
fn sandbox_cpu_time() -> Option<Duration> {
    proc_cpu::sandbox_cpu_time()
        .filter(|&(_, threads)| threads > 0)
        .map(|(time, _)| time)
}
