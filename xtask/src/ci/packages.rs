//! The packages step: what the tests run that is not Rust, installed with apt when missing:
//! PostgreSQL 15 (`crates/opretail-sync/tests/postgres.rs` starts throwaway clusters from
//! Debian's `postgresql-15`) and headless Chromium (`crates/opretail-cli/tests/report.rs`).

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
pub fn describe(_root: &Path) -> Vec<String> {
    let programs: Vec<&str> = NEEDED.iter().map(|n| n.program).collect();
    let packages: Vec<&str> = NEEDED.iter().map(|n| n.package).collect();
    let only = format!("(only what is missing of {})", programs.join(", "));
    let apt = super::apt_steps(&packages).map(|step| step.display());
    std::iter::once(only).chain(apt).collect()
}

/// Installs what is missing; that needs Debian's apt as root.
pub fn run(root: &Path) -> super::Outcome {
    let (there, missing): (Vec<&Needed>, Vec<&Needed>) =
        NEEDED.iter().partition(|n| Path::new(n.program).exists());
    for there in there {
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
    super::run_each(root, &super::apt_steps(&packages))?;
    match missing.iter().find(|n| !Path::new(n.program).exists()) {
        None => Ok(None),
        Some(still) => Err(format!(
            "`{}` succeeded but {} is still missing; is {} the right package?",
            super::apt_steps(&packages)[1].display(),
            still.program,
            still.package
        )),
    }
}
