//! The packages step: what the tests run that is not Rust, installed with apt before the
//! workspace tests when missing: a throwaway PostgreSQL 15 cluster for the PostgreSQL sink's
//! tests (`crates/opretail-sync/tests/postgres.rs`), started from Debian's `postgresql-15`
//! binaries, and headless Chromium for the report's browser tests
//! (`crates/opretail-cli/tests/report.rs`).

use std::path::Path;

/// A program the tests look for, the Debian package that ships it, and what needs it.
struct Needed {
    program: &'static str,
    package: &'static str,
    for_what: &'static str,
}

const NEEDED: [Needed; 2] = [
    Needed {
        program: "/usr/lib/postgresql/15/bin/initdb",
        package: "postgresql-15",
        for_what: "the PostgreSQL sink's tests",
    },
    Needed {
        program: "/usr/bin/chromium",
        package: "chromium",
        for_what: "the report's browser tests",
    },
];

/// The commands of the step, for `cargo xtask ci --list`.
pub fn describe() -> Vec<String> {
    let programs: Vec<&str> = NEEDED.iter().map(|n| n.program).collect();
    let packages: Vec<&str> = NEEDED.iter().map(|n| n.package).collect();
    vec![
        format!("(only what is missing of {})", programs.join(", ")),
        "apt-get update".to_string(),
        super::apt_install(&packages).display(),
    ]
}

/// Installs what is missing. `Ok(Some(why))` when something is missing and cannot be
/// installed here: it needs Debian's apt as root.
pub fn run(root: &Path) -> Result<Option<String>, String> {
    let missing: Vec<&Needed> = NEEDED
        .iter()
        .filter(|n| !Path::new(n.program).exists())
        .collect();
    for there in NEEDED.iter().filter(|n| Path::new(n.program).exists()) {
        println!("    {} is there", there.program);
    }
    if missing.is_empty() {
        return Ok(None);
    }
    let packages: Vec<&str> = missing.iter().map(|n| n.package).collect();
    if let Some(why) = super::apt_unavailable(root) {
        let what: Vec<String> = missing
            .iter()
            .map(|n| format!("{} ({}, for {})", n.package, n.program, n.for_what))
            .collect();
        return Ok(Some(format!(
            "{why}, so {} were NOT installed and the tests that need them will fail or skip; \
             install them (Debian: apt-get install {})",
            what.join(", "),
            packages.join(" ")
        )));
    }
    super::apt(root, &packages)?;
    match missing.iter().find(|n| !Path::new(n.program).exists()) {
        None => Ok(None),
        Some(still) => Err(format!(
            "`{}` succeeded but {} is still missing; is {} the right package?",
            super::apt_install(&packages).display(),
            still.program,
            still.package
        )),
    }
}
