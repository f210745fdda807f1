//! Where criterion writes its estimates and how a benchmark reads back those of its own run,
//! for the benchmarks that print their figures after criterion has measured them. Included
//! by path (`#[path = …] mod criterion_estimates;`) from each such benchmark.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

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
