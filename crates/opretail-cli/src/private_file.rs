//! The check ssh makes on a private key, for files that hold a secret.

use std::path::Path;

/// Warns on stderr when the file at `path` (which `holds` something secret) can be read or
/// written by the group or others, or belongs to another user than the one running the command
/// (root excepted, as ssh allows). Never fails: the command goes on.
#[cfg(unix)]
pub fn warn_if_exposed(path: &Path, holds: &str) {
    use std::os::unix::fs::MetadataExt;

    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let shown = path.display();
    let mode = meta.mode();
    let mut problems = Vec::new();
    if mode & 0o044 != 0 {
        problems.push("other users can read it");
    }
    if mode & 0o022 != 0 {
        problems.push("other users can change it");
    }
    if mode & 0o066 != 0 {
        crate::diag::say!(
            "warning: {shown} {holds} and {}; run `chmod 600 {shown}`",
            problems.join(" and ")
        );
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        crate::diag::say!(
            "warning: {shown} {holds} but belongs to another user (uid {}, you are {me}); \
             whoever owns it can change it: make it yours with `chown`",
            meta.uid()
        );
    }
}

/// Nothing to check where permissions are not Unix modes.
#[cfg(not(unix))]
pub fn warn_if_exposed(_path: &Path, _holds: &str) {}

/// Creates `dir` and its missing parents, each new one with mode 0700; an existing `dir`
/// that others may enter is narrowed to 0700 (it is this command's own directory).
#[cfg(unix)]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if meta.is_dir() && meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates `dir` and its missing parents; their access is the system's own.
#[cfg(not(unix))]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}
