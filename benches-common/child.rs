//! A child process run to its end while its peak memory and CPU time are read from Linux's
//! `/proc`, for the benchmarks that measure the `opretail` binary. Included by path
//! (`#[path = …] mod child;`) next to `proc_cpu.rs`, which it uses.

use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// What a child run measured.
pub struct ChildRun {
    /// How it ended.
    pub status: ExitStatus,
    /// From start to exit.
    pub wall: Duration,
    /// Its peak resident set in bytes, as last read before it exited.
    pub peak_rss: Option<u64>,
    /// Its CPU time (user and system), as last read before it exited.
    pub cpu: Option<Duration>,
}

/// Waits for `child` (started at `begun`), polling its peak memory and CPU time until it
/// exits.
pub fn watch(mut child: Child, begun: Instant) -> ChildRun {
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let stat_file = PathBuf::from(format!("/proc/{}/stat", child.id()));
    let (mut peak_rss, mut cpu) = (None, None);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        // Once the child has exited (but before it is reaped) the file no longer shows
        // memory: keep the last value read while it ran.
        if let Some(bytes) = vm_hwm(&status_file) {
            peak_rss = Some(bytes);
        }
        if let Some(time) = crate::proc_cpu::cpu_time(&stat_file) {
            cpu = Some(time);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    ChildRun {
        status,
        wall: begun.elapsed(),
        peak_rss,
        cpu,
    }
}

/// `VmHWM` (the peak resident set) from a `/proc/<pid>/status` file, in bytes.
pub fn vm_hwm(status_file: &Path) -> Option<u64> {
    let status = std::fs::read_to_string(status_file).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}
