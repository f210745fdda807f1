//! The login token kept by `opretail login`: `opretail/token` in the user's cache directory,
//! readable and writable by its owner only.

use std::io::Write;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use crate::failure::Failure;

/// Where the token is kept, when the system has a cache directory.
pub fn path() -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("opretail").join("token"))
}

/// The kept token, if there is one.
pub fn load() -> Option<SecretString> {
    let path = path()?;
    let text = std::fs::read_to_string(&path).ok()?;
    let token = text.trim();
    if token.is_empty() {
        return None;
    }
    crate::private_file::warn_if_exposed(&path, "holds a login token");
    Some(SecretString::from(token.to_owned()))
}

/// Keeps `token`, replacing any kept before. The file is created with mode 0600, so that it
/// is never readable by others, not even for a moment.
pub fn store(token: &SecretString) -> Result<PathBuf, Failure> {
    let path = path().ok_or_else(|| {
        Failure::Failed("this system has no cache directory to keep the token in".to_owned())
    })?;
    let failed = |what: &str, e: std::io::Error| {
        Failure::Failed(format!("cannot {what} {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| failed("create the directory of", e))?;
    }
    // A new file each time: an existing one may have looser permissions.
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed("replace", e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(|e| failed("create", e))?;
    file.write_all(token.expose_secret().as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .map_err(|e| failed("write", e))?;
    Ok(path)
}

/// Forgets the kept token; returns whether there was one.
pub fn remove() -> Result<bool, Failure> {
    let Some(path) = path() else {
        return Ok(false);
    };
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Failure::Failed(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}
