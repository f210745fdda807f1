//! The MSRV step: the libraries a user depends on must build with the Rust of the
//! workspace's `rust-version`, checked with a real toolchain of that version: Debian's
//! `rustc-web` and `cargo-web` packages, installed pinned with apt.

use std::path::{Path, PathBuf};

use crate::cmd::Invocation;

/// The Rust of the root `Cargo.toml`'s `rust-version`.
const RUST_VERSION: &str = "1.85";

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

/// The packages, each pinned at [`DEB_VERSION`].
fn pinned() -> Vec<String> {
    DEBS.iter().map(|d| format!("{d}={DEB_VERSION}")).collect()
}

/// `cargo check` with the given toolchain, one run per feature set of the facade that CI
/// tests. Each builds the libraries under it (`opretail-sign`, `opretail-model` and the
/// client crates with the TLS features a direct user enables), so they need no run of their
/// own. The build goes to `target/msrv`, apart from the current toolchain's.
fn checks(root: &Path, [cargo, rustc, rustdoc]: &[PathBuf; 3]) -> Vec<Invocation> {
    let target = crate::cmd::target_dir(root).join("msrv");
    let check = |features: &&str| {
        let args = super::facade(features);
        let check = Invocation::of(&format!("{} check --locked {args}", cargo.display()))
            .with_env("RUSTC", &rustc.to_string_lossy())
            .with_env("RUSTDOC", &rustdoc.to_string_lossy())
            .with_env("CARGO_TARGET_DIR", &target.to_string_lossy());
        super::without_incremental(check)
    };
    super::FACADE_FEATURE_SETS.iter().map(check).collect()
}

/// The `/usr/bin/NAME` (or other `bin/NAME`) that a package installs, from `dpkg -L`.
fn find_binary(listing: &str, name: &str) -> Option<PathBuf> {
    let suffix = format!("/bin/{name}");
    let paths = listing.lines().map(str::trim);
    let found = paths.filter(|p| p.ends_with(&suffix));
    // Prefer the one on the usual PATH over copies kept for other tools.
    found
        .min_by_key(|path| !path.starts_with("/usr/bin/"))
        .map(PathBuf::from)
}

/// The commands of the step, for `cargo xtask ci --list`.
pub fn describe(root: &Path) -> Vec<String> {
    let tools = ["cargo", "rustc", "rustdoc"].map(|name| Path::new("/usr/bin").join(name));
    let mut steps = super::apt_steps(&pinned()).to_vec();
    steps.extend(checks(root, &tools));
    steps.iter().map(Invocation::display).collect()
}

/// Installs the pinned toolchain unless it is there; returns its cargo, rustc and rustdoc.
fn install(root: &Path) -> Result<[PathBuf; 3], String> {
    let query = Invocation::of("dpkg-query -W -f=${Version}\\n rustc-web cargo-web");
    // dpkg-query fails when a package is not installed at all.
    let installed = query
        .stdout(root)
        .is_ok_and(|versions| versions.lines().filter(|v| *v == DEB_VERSION).count() == 2);
    if installed {
        println!("    rustc-web and cargo-web {DEB_VERSION} are installed");
    } else {
        super::run_each(root, &super::apt_steps(&pinned()))?;
    }
    let tool = |package: &str, name: &str| {
        let listing = Invocation::new("dpkg", &["-L", package]).stdout(root)?;
        find_binary(&listing, name).ok_or_else(|| {
            format!("`dpkg -L {package}` lists no bin/{name}; is the package broken?")
        })
    };
    Ok([
        tool("cargo-web", "cargo")?,
        tool("rustc-web", "rustc")?,
        tool("rustc-web", "rustdoc")?,
    ])
}

/// Runs the step in the workspace at `root`; it needs Debian's apt as root.
pub fn run(root: &Path) -> super::Outcome {
    if let Some(why) = super::apt_unavailable(root) {
        let not_checked = format!("the libraries were NOT checked with Rust {RUST_VERSION}");
        return Ok(Some(format!(
            "{why}, so {not_checked}; CI (Debian, root) checks them"
        )));
    }
    super::run_each(root, &checks(root, &install(root)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_binary_on_the_usual_path() {
        let listing = "/.\n/usr\n/usr/share/cargo/bin/cargo\n/usr/bin/cargo\n/usr/bin/cargo-fmt\n/usr/share/doc/cargo-web\n";
        let usual = find_binary(listing, "cargo");
        assert_eq!(usual, Some(PathBuf::from("/usr/bin/cargo")));
        let elsewhere = find_binary("/usr/lib/x/bin/rustc\n", "rustc");
        assert_eq!(elsewhere, Some(PathBuf::from("/usr/lib/x/bin/rustc")));
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
