//! Where criterion writes its estimates, how it is set up, and how a benchmark reads back the
//! estimates of its own run, for the benchmarks that print their figures after criterion has
//! measured them. Included by path (`#[path = …] mod criterion_estimates;`) from each such
//! benchmark.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::Criterion;

/// `<target>/criterion`, the bench executable being `<target>/<profile>/deps/<name>-<hash>`;
/// set explicitly so the estimates are read from where criterion wrote them.
pub fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("criterion")
}

/// Runs `benches` under criterion (shortened when `OPRETAIL_BENCH_QUICK` is set) when the
/// binary is run with `--bench`; `None` otherwise, as `cargo test --all-targets` runs it,
/// with nothing measured.
pub fn measure(benches: impl FnOnce(&mut Criterion)) -> Option<Measured> {
    if !std::env::args().any(|a| a == "--bench") {
        return None;
    }
    let output = criterion_dir();
    let mut criterion = configured(&output);
    let started = SystemTime::now();
    benches(&mut criterion);
    criterion.final_summary();
    Some(Measured { output, started })
}

/// A run of [`measure`]: where criterion wrote, and since when.
pub struct Measured {
    output: PathBuf,
    started: SystemTime,
}

impl Measured {
    /// The median of `group/name` in nanoseconds, if this run measured it.
    pub fn median(&self, group: &str, name: &str) -> Option<f64> {
        fresh_median(&self.output, group, name, self.started)
    }
}

/// Criterion writing to `output`, shortened when `OPRETAIL_BENCH_QUICK` is set, then
/// configured from the command line.
pub fn configured(output: &Path) -> Criterion {
    let mut criterion = Criterion::default().output_directory(output);
    if std::env::var_os("OPRETAIL_BENCH_QUICK").is_some() {
        criterion = criterion
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
    }
    criterion.configure_from_args()
}

/// The median of `group/name` in nanoseconds, if criterion wrote it during this run (an
/// older file left by a filtered-out bench would report a stale figure).
pub fn fresh_median(output: &Path, group: &str, name: &str, since: SystemTime) -> Option<f64> {
    let path = output.join(group).join(name).join("new/estimates.json");
    let written = std::fs::metadata(&path).ok()?.modified().ok()?;
    if written < since {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}
