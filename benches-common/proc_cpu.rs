//! CPU time read from Linux's `/proc`, for the benchmarks that run the sandbox in their own
//! process and must tell its CPU from the code they measure. Included by path (`#[path = …]
//! mod proc_cpu;`) from each such benchmark. Every reader gives `None` where `/proc` cannot
//! be read.

use std::path::Path;
use std::time::Duration;

/// The beginning of the names of the sandbox's threads: its runtime names them
/// `opretail-sandbox` (workers) and `opretail-sandbox-main`, which Linux cuts to 15 bytes.
pub const SANDBOX_THREADS: &str = "opretail-sandbo";

/// User plus system CPU time of the sandbox's threads in this process so far, and how many
/// of its threads were found.
pub fn sandbox_cpu_time() -> Option<(Duration, usize)> {
    let (mut total, mut threads) = (Duration::ZERO, 0);
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        // A thread may end between listing and reading: it is not the sandbox's, whose
        // threads live as long as the benchmark.
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if !comm.starts_with(SANDBOX_THREADS) {
            continue;
        }
        total += cpu_time(&dir.join("stat"))?;
        threads += 1;
    }
    Some((total, threads))
}

/// User plus system CPU time from a `/proc/.../stat` file, which the kernel counts in ticks
/// of 1/100 s (`USER_HZ`): plenty over a run of thousands of calls.
pub fn cpu_time(stat_file: &Path) -> Option<Duration> {
    let stat = std::fs::read_to_string(stat_file).ok()?;
    // The command name, in parentheses, may hold spaces: count fields after its end.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}
