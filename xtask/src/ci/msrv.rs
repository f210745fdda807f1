//! The MSRV step: the libraries a user depends on must build with the Rust of the
//! workspace's `rust-version`, checked with a real toolchain of that version: Debian's
//! `rustc-web` and `cargo-web` packages, installed pinned with apt.

use std::path::{Path, PathBuf};

use crate::cmd::Invocation;

/// The Rust of the root `Cargo.toml`'s `rust-version`.
pub const RUST_VERSION: &str = "1.85";

/// The Debian package version that ships Rust [`RUST_VERSION`] (bookworm's `rustc-web`).
const DEB_VERSION: &str = "1.85.0+dfsg3-1~deb12u3";

/// The packages of that toolchain; the libraries are pinned too, since apt would otherwise
/// pick the newest `libstd-rust-web-*` and refuse the older compiler.
const DEBS: [&str; 4] = [
    "rustc-web",
    "cargo-web",
    "libstd-rust-web-dev",
    "libstd-rust-web-1.85",
];

/// `cargo check` arguments, one run per feature set of the facade that CI tests. Each
/// builds the libraries under it (`opretail-sign`, `opretail-model` and the client crates
/// with the same TLS features a direct user enables), so the libraries need no run of their own.
fn checks() -> Vec<Vec<String>> {
    super::FACADE_FEATURE_SETS
        .iter()
        .map(|features| {
            [
                "-p",
                "opretail",
                "--no-default-features",
                "--features",
                features,
            ]
            .map(String::from)
            .to_vec()
        })
        .collect()
}

fn apt_install() -> Invocation {
    let pinned: Vec<String> = DEBS.iter().map(|d| format!("{d}={DEB_VERSION}")).collect();
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(pinned.iter().map(String::as_str));
    Invocation::new("apt-get", &args)
}

/// The `/usr/bin/NAME` (or other `bin/NAME`) that a package installs, from `dpkg -L`.
pub fn find_binary(listing: &str, name: &str) -> Option<PathBuf> {
    let suffix = format!("/bin/{name}");
    let mut found: Vec<&str> = listing
        .lines()
        .map(str::trim)
        .filter(|path| path.ends_with(&suffix))
        .collect();
    // Prefer the one on the usual PATH over copies kept for other tools.
    found.sort_by_key(|path| !path.starts_with("/usr/bin/"));
    found.first().map(PathBuf::from)
}

fn check_invocation(
    cargo: &Path,
    rustc: &Path,
    rustdoc: &Path,
    target: &Path,
    args: &[String],
) -> Invocation {
    let mut all = vec!["check", "--locked"];
    all.extend(args.iter().map(String::as_str));
    Invocation::new(&cargo.to_string_lossy(), &all)
        .with_env("RUSTC", &rustc.to_string_lossy())
        .with_env("RUSTDOC", &rustdoc.to_string_lossy())
        .with_env("CARGO_TARGET_DIR", &target.to_string_lossy())
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("msrv")
}

/// The commands of the step, for `cargo xtask ci --list`.
pub fn describe(root: &Path) -> Vec<String> {
    let bin = |name: &str| PathBuf::from("/usr/bin").join(name);
    let mut lines = vec!["apt-get update".to_string(), apt_install().display()];
    lines.extend(checks().iter().map(|args| {
        check_invocation(
            &bin("cargo"),
            &bin("rustc"),
            &bin("rustdoc"),
            &target_dir(root),
            args,
        )
        .display()
    }));
    lines
}

/// Why the toolchain cannot be installed here, if it cannot: the step needs Debian's apt as
/// root.
fn unavailable() -> Option<String> {
    if !Path::new("/etc/debian_version").exists() || !Path::new("/usr/bin/apt-get").exists() {
        return Some("this machine has no Debian apt-get".to_string());
    }
    let uid = Invocation::new("id", &["-u"]).stdout(Path::new("/")).ok()?;
    (uid.trim() != "0").then(|| "apt-get needs root and this runs as another user".to_string())
}

/// Installs the pinned toolchain unless it is there already, and returns its cargo, rustc
/// and rustdoc.
fn install(root: &Path) -> Result<[PathBuf; 3], String> {
    let installed = Invocation::new(
        "dpkg-query",
        &["-W", "-f=${Version}\\n", "rustc-web", "cargo-web"],
    )
    .output(root)
    .map(|out| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|v| *v == DEB_VERSION)
            .count()
            == 2
    })
    .unwrap_or(false);
    if installed {
        println!("    rustc-web and cargo-web {DEB_VERSION} are installed");
    } else {
        for step in [Invocation::new("apt-get", &["update"]), apt_install()] {
            println!("    {}", step.display());
            step.with_env("DEBIAN_FRONTEND", "noninteractive")
                .run(root)?;
        }
    }
    let listing = |package: &str| Invocation::new("dpkg", &["-L", package]).stdout(root);
    let (cargo_files, rustc_files) = (listing("cargo-web")?, listing("rustc-web")?);
    let find = |listing: &str, name: &str, package: &str| {
        find_binary(listing, name).ok_or_else(|| {
            format!("`dpkg -L {package}` lists no bin/{name}; is the package broken?")
        })
    };
    let tools = [
        find(&cargo_files, "cargo", "cargo-web")?,
        find(&rustc_files, "rustc", "rustc-web")?,
        find(&rustc_files, "rustdoc", "rustc-web")?,
    ];
    for tool in &tools[..2] {
        let version = Invocation::new(&tool.to_string_lossy(), &["--version"]).stdout(root)?;
        if !version.contains(&format!(" {RUST_VERSION}.")) {
            return Err(format!(
                "{} is `{}`, not Rust {RUST_VERSION}; another package replaced it",
                tool.display(),
                version.trim()
            ));
        }
    }
    Ok(tools)
}

/// Runs the step in the workspace at `root`. `Ok(Some(why))` when it could not run here.
pub fn run(root: &Path) -> Result<Option<String>, String> {
    if let Some(why) = unavailable() {
        return Ok(Some(format!(
            "{why}, so the libraries were NOT checked with Rust {RUST_VERSION}; CI (Debian, root) checks them"
        )));
    }
    let [cargo, rustc, rustdoc] = install(root)?;
    let target = target_dir(root);
    for args in checks() {
        let check = check_invocation(&cargo, &rustc, &rustdoc, &target, &args);
        println!("    {}", check.display());
        check.run(root)?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_binary_on_the_usual_path() {
        let listing = "/.\n/usr\n/usr/share/cargo/bin/cargo\n/usr/bin/cargo\n/usr/bin/cargo-fmt\n/usr/share/doc/cargo-web\n";
        assert_eq!(
            find_binary(listing, "cargo"),
            Some(PathBuf::from("/usr/bin/cargo"))
        );
        assert_eq!(
            find_binary("/usr/lib/x/bin/rustc\n", "rustc"),
            Some(PathBuf::from("/usr/lib/x/bin/rustc"))
        );
        assert_eq!(find_binary(listing, "rustc"), None);
    }

    #[test]
    fn the_pinned_toolchain_is_the_root_manifests_rust_version() {
        let manifest = include_str!("../../../Cargo.toml");
        assert!(
            manifest.contains(&format!("rust-version = \"{RUST_VERSION}\"")),
            "the root Cargo.toml's rust-version moved: update RUST_VERSION, DEB_VERSION and DEBS to a Debian rustc-web of that version"
        );
    }
}
