//! The PostgreSQL step: the PostgreSQL sink's tests (`crates/opretail-sync/tests/postgres.rs`)
//! start a throwaway PostgreSQL 15 cluster from Debian's `postgresql-15` binaries, which this
//! installs with apt before the workspace tests run, when they are missing.

use std::path::Path;

use crate::cmd::Invocation;

/// The program the tests look for first.
const INITDB: &str = "/usr/lib/postgresql/15/bin/initdb";

/// The Debian package that ships it.
const PACKAGE: &str = "postgresql-15";

fn apt_install() -> Invocation {
    Invocation::new(
        "apt-get",
        &["install", "-y", "--no-install-recommends", PACKAGE],
    )
    .with_env("DEBIAN_FRONTEND", "noninteractive")
}

/// The commands of the step, for `cargo xtask ci --list`.
pub fn describe() -> Vec<String> {
    vec![
        format!("(only when {INITDB} is missing)"),
        "apt-get update".to_string(),
        apt_install().display(),
    ]
}

/// Installs PostgreSQL 15 unless it is there. `Ok(Some(why))` when it is missing and cannot
/// be installed here: it needs Debian's apt as root.
pub fn run(root: &Path) -> Result<Option<String>, String> {
    if Path::new(INITDB).exists() {
        println!("    {INITDB} is there");
        return Ok(None);
    }
    let skipped = |why: &str| {
        Ok(Some(format!(
            "{why}, so PostgreSQL 15 was NOT installed and the PostgreSQL sink's tests will fail; \
             install it (Debian: apt-get install {PACKAGE}) so that {INITDB} exists"
        )))
    };
    if let Some(why) = super::apt_unavailable(root) {
        return skipped(why);
    }
    for step in [Invocation::of("apt-get update"), apt_install()] {
        println!("    {}", step.display());
        step.run(root)?;
    }
    if Path::new(INITDB).exists() {
        Ok(None)
    } else {
        Err(format!(
            "`{}` succeeded but {INITDB} is still missing; is {PACKAGE} the right package?",
            apt_install().display()
        ))
    }
}
