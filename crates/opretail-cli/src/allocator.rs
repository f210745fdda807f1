//! The system allocator's tuning for this command.
//!
//! glibc maps a large block on its own (and gives it back when freed) only above a threshold
//! that it raises, up to 32 MiB, each time such a block is freed. After the first large
//! answer, every answer body and decoded series of megabytes then comes from the heaps of the
//! threads, and what is freed there mostly stays: with 64 `passenger-flow series` calls in
//! flight against a gateway sending 8 MiB answers, the peak went from 48-63 MiB with the
//! moving threshold to 38 MiB with a fixed one (`tests/memory.rs`, debug build). Setting the
//! threshold also stops glibc from moving it.

/// Blocks from this size up are mapped on their own: glibc's starting threshold, kept.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// The variable with which a user sets glibc's threshold themselves; then theirs stays.
const THRESHOLD_VARIABLE: &str = "MALLOC_MMAP_THRESHOLD_";

/// Fixes glibc's threshold for mapping blocks on their own (nothing elsewhere), unless the
/// user set it. Called first in `main`, while no other thread exists.
pub fn tune() {
    if std::env::var_os(THRESHOLD_VARIABLE).is_some() {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` changes a parameter of the allocator and touches no memory of ours;
    // glibc documents it as safe to call at any time. A refusal (0) leaves the default,
    // which is only a larger peak.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `unsafe_code` is denied, not forbidden, for one call into glibc; no other file may
    /// allow it.
    #[test]
    fn unsafe_code_is_allowed_in_one_file_only() {
        fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir)
                .expect("a source directory")
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["crates", "xtask/src", "benches-common"] {
            sources(&root.join(dir), &mut files);
        }
        let allowing: Vec<String> = files
            .iter()
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                text.contains(concat!("allow(", "unsafe_code)"))
            })
            .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
            .collect();
        assert_eq!(allowing, ["crates/opretail-cli/src/allocator.rs"]);
    }
}
