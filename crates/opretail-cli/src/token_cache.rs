//! The login token kept by `opretail login`: `opretail/token` in the user's cache directory,
//! readable and writable by its owner only, together with what it was issued for.
//!
//! A token lets whoever holds it act as the user, so it is sent only to the gateway that
//! issued it: a kept token is used only when the endpoint, the gateway profile, the
//! application id (`_aid`), the developer key (`_akey`) and, when one is set, the user all
//! match the ones it was issued for. Anything else is as if no token were kept.
//!
//! The file is JSON: `{"format":1,"endpoint":…,"profile":…,"aid":…,"akey":…,"user":…,
//! "token":…}`. A file of the older format (the bare token) says nothing of where the token
//! may go: it is never used.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use opretail_model::env::ENV_PASSWORD;
use opretail_model::{Config, Gateway, TokenSource};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// The largest token file read. A real one is a few hundred bytes: anything bigger is not
/// a file `opretail login` wrote.
pub const SIZE_LIMIT: u64 = 64 * 1024;

/// The version of the file's layout written by this build.
const FORMAT: u32 = 1;

/// What a token was issued for; it is sent nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Binding {
    /// The gateway URL.
    pub endpoint: String,
    /// The gateway profile (`classic` or `cloud`): it decides the header the token goes in.
    pub profile: String,
    /// The application id (`_aid`).
    pub aid: String,
    /// The developer key (`_akey`).
    pub akey: String,
    /// The user who logged in; `None` in a lookup that accepts whichever user logged in.
    pub user: Option<String>,
}

impl Binding {
    /// The binding of calls made with `config` and `akey`, for `user`.
    pub fn new(config: &Config, akey: &str, user: Option<&str>) -> Binding {
        Binding {
            endpoint: config.endpoint().as_str().to_owned(),
            profile: profile_name(config.gateway()).to_owned(),
            aid: config.aid().to_owned(),
            akey: akey.to_owned(),
            user: user.map(str::to_owned),
        }
    }

    /// How `self` (what a kept token was issued for) differs from `wanted`, in words; empty
    /// when the token may be sent. The developer key is named, never shown: logs mask it.
    fn differences(&self, wanted: &Binding) -> Vec<String> {
        let mut differ = Vec::new();
        if self.endpoint != wanted.endpoint {
            differ.push(format!("the endpoint {}", self.endpoint));
        }
        if self.profile != wanted.profile {
            differ.push(format!("the {} gateway profile", self.profile));
        }
        if self.aid != wanted.aid {
            differ.push(format!("the application id {:?}", self.aid));
        }
        if self.akey != wanted.akey {
            differ.push("another developer key".to_owned());
        }
        if let (Some(kept), Some(user)) = (&self.user, &wanted.user)
            && kept != user
        {
            differ.push(format!("the user {kept}"));
        }
        differ
    }

    /// Whose token and where, for messages: never the token itself.
    pub fn describe(&self) -> String {
        let user = self.user.as_deref().unwrap_or("an unnamed user");
        format!("the token of {user} for {}", self.endpoint)
    }
}

/// The name of a profile in the file and in messages.
fn profile_name(gateway: Gateway) -> &'static str {
    match gateway {
        Gateway::Classic => "classic",
        Gateway::Cloud => "cloud",
    }
}

/// The file as written. No `Debug`: it holds the token.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    format: u32,
    endpoint: String,
    profile: String,
    aid: String,
    akey: String,
    user: String,
    token: String,
}

/// A token read from the file, with what it was issued for.
struct Kept {
    /// What the token was issued for.
    binding: Binding,
    /// The token.
    token: SecretString,
}

/// What the token file holds.
enum Contents {
    /// No file, or an empty one.
    Nothing,
    /// A file of the format before tokens were bound to their gateway.
    Unbound,
    /// A bound token.
    Kept(Kept),
}

/// Where the token is kept, when the system has a cache directory.
pub fn path() -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("opretail").join("token"))
}

/// The kept token, if there is one and it was issued for `wanted`; with `-v`, a log line
/// says why a kept token is not used. A token file that cannot be trusted (a symbolic
/// link, too big, not UTF-8, not the format written by `opretail login`, a token no HTTP
/// header can carry) is an error naming the file.
fn load_for(wanted: &Binding) -> Result<Option<SecretString>, Failure> {
    let Some(path) = path() else {
        return Ok(None);
    };
    match read(&path).map_err(|broken| broken.failure(&path))? {
        Contents::Nothing => Ok(None),
        Contents::Unbound => {
            tracing::info!(
                "the token kept in {} is of an older format that does not say which gateway \
                 it was issued for: it is not used; run `opretail login` again",
                path.display()
            );
            Ok(None)
        }
        Contents::Kept(kept) => {
            let differ = kept.binding.differences(wanted);
            if differ.is_empty() {
                return Ok(Some(kept.token));
            }
            tracing::info!(
                "the token kept in {} is not used: it was issued for {}",
                path.display(),
                differ.join(", ")
            );
            Ok(None)
        }
    }
}

/// Where the user token comes from when no password is set: the kept token, if it was issued
/// for calls made with `config` and `akey` (and for `user`, when one is set). A user set
/// without a password and without such a token is a usage error.
pub fn source(config: &Config, akey: &str, user: Option<&str>) -> Result<TokenSource, Failure> {
    let wanted = Binding::new(config, akey, user);
    match (load_for(&wanted)?, user) {
        (Some(token), _) => Ok(TokenSource::Token(token)),
        (None, None) => Ok(TokenSource::None),
        (None, Some(user)) => Err(Failure::usage(format!(
            "a user ({user}) is set but no password, and no token is kept for that user at {}: \
             set {ENV_PASSWORD} (or `password` in the config file), or run `opretail login`",
            wanted.endpoint
        ))),
    }
}

/// Keeps `token`, issued for `binding` (whose user is set), replacing any kept before. The
/// directory is created with mode 0700 and the file with mode 0600, so that the token is
/// never readable by others, not even for a moment.
pub fn store(binding: &Binding, token: &SecretString) -> Result<PathBuf, Failure> {
    let path = path().ok_or_else(|| {
        Failure::Failed("this system has no cache directory to keep the token in".to_owned())
    })?;
    if !header_safe(token.expose_secret()) {
        return Err(Failure::Failed(
            "the gateway answered the login with a token that no HTTP header can carry (a line \
             break, a space, a control or a non-ASCII character): it is not kept"
                .to_owned(),
        ));
    }
    let failed = |what: &str, e: std::io::Error| {
        Failure::Failed(format!("cannot {what} {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent() {
        crate::private_file::create_private_dir(dir)
            .map_err(|e| failed("create the directory of", e))?;
    }
    let file = TokenFile {
        format: FORMAT,
        endpoint: binding.endpoint.clone(),
        profile: binding.profile.clone(),
        aid: binding.aid.clone(),
        akey: binding.akey.clone(),
        user: binding.user.clone().unwrap_or_default(),
        token: token.expose_secret().to_owned(),
    };
    let text = serde_json::to_string(&file).expect("a struct of strings serializes");
    // A new file each time: an existing one may have looser permissions, or be a link.
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
    let mut out = options.open(&path).map_err(|e| failed("create", e))?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| failed("write", e))?;
    Ok(path)
}

/// What `remove` found.
pub enum Removed {
    /// No token was kept.
    Nothing,
    /// A bound token, of the user and endpoint described.
    Token(String),
    /// A file that held no usable token (older format, unreadable): the reason.
    Other(String),
}

/// Forgets the kept token, saying whose it was. A file that cannot be read is removed too:
/// that is the way out of a broken one.
pub fn remove() -> Result<(PathBuf, Removed), Failure> {
    let Some(path) = path() else {
        return Ok((PathBuf::new(), Removed::Nothing));
    };
    let removed = match read(&path) {
        Ok(Contents::Nothing) => Removed::Nothing,
        Ok(Contents::Unbound) => {
            Removed::Other("a token of an older format, bound to no gateway".to_owned())
        }
        Ok(Contents::Kept(kept)) => Removed::Token(kept.binding.describe()),
        Err(Broken(why)) => Removed::Other(format!("a file that {why}")),
    };
    match std::fs::remove_file(&path) {
        Ok(()) => Ok((path, removed)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((path, Removed::Nothing)),
        Err(e) => Err(Failure::Failed(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}

/// Why a token file cannot be trusted, in words that follow its name.
struct Broken(String);

impl Broken {
    /// The error of a command that found the file at `path` so.
    fn failure(self, path: &Path) -> Failure {
        Failure::usage(format!(
            "the token file {} {}; remove it with `opretail logout`, then run `opretail login` \
             again",
            path.display(),
            self.0
        ))
    }
}

/// Reads the token file at `path`, refusing anything `store` would not have written.
fn read(path: &Path) -> Result<Contents, Broken> {
    let broken = |why: &str| Broken(why.to_owned());
    let Some(file) = open(path).map_err(|e| match e {
        Refused::Io(e) => Broken(format!("cannot be read ({e})")),
        Refused::Link => broken("is a symbolic link, and a token is read only from a regular file"),
        Refused::NotAFile => broken("is not a regular file"),
    })?
    else {
        return Ok(Contents::Nothing);
    };
    let mut bytes = Vec::new();
    file.take(SIZE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Broken(format!("cannot be read ({e})")))?;
    if bytes.len() as u64 > SIZE_LIMIT {
        return Err(Broken(format!(
            "is larger than {} KiB, far more than a token",
            SIZE_LIMIT / 1024
        )));
    }
    crate::private_file::warn_if_exposed(path, "holds a login token");
    let text = String::from_utf8(bytes).map_err(|_| broken("is not UTF-8 text"))?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(Contents::Nothing);
    }
    if !text.starts_with('{') {
        return Ok(Contents::Unbound);
    }
    // serde_json's messages may quote a value, and a value here may be the token: the
    // position only.
    let file: TokenFile = serde_json::from_str(text).map_err(|e| {
        Broken(format!(
            "is not a token file of `opretail login` (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if file.format != FORMAT {
        return Err(Broken(format!(
            "has format {}, which this version does not read (it reads format {FORMAT})",
            file.format
        )));
    }
    if !header_safe(&file.token) {
        return Err(broken(
            "holds a token with a line break, a space, a control or a non-ASCII character, \
             which no HTTP header can carry",
        ));
    }
    Ok(Contents::Kept(Kept {
        binding: Binding {
            endpoint: file.endpoint,
            profile: file.profile,
            aid: file.aid,
            akey: file.akey,
            user: Some(file.user),
        },
        token: SecretString::from(file.token),
    }))
}

/// Whether `token` can travel in an HTTP header as it is: visible ASCII, nothing else.
fn header_safe(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

/// Why a token file was not opened.
enum Refused {
    Io(std::io::Error),
    Link,
    NotAFile,
}

/// Opens the file at `path` for reading without following a symbolic link at its end and
/// without blocking on a FIFO; `None` when there is none.
#[cfg(unix)]
fn open(path: &Path) -> Result<Option<std::fs::File>, Refused> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => return Ok(None),
        Err(rustix::io::Errno::LOOP) => return Err(Refused::Link),
        Err(e) => return Err(Refused::Io(e.into())),
    };
    let file = std::fs::File::from(fd);
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotAFile);
    }
    Ok(Some(file))
}

/// Opens the file at `path` for reading, refusing a symbolic link; `None` when there is none.
#[cfg(not(unix))]
fn open(path: &Path) -> Result<Option<std::fs::File>, Refused> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(Refused::Link),
        Ok(meta) if !meta.is_file() => return Err(Refused::NotAFile),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Refused::Io(e)),
    }
    std::fs::File::open(path).map(Some).map_err(Refused::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(user: Option<&str>) -> Binding {
        Binding {
            endpoint: "https://openapi.opretail.com/m.api".to_owned(),
            profile: "classic".to_owned(),
            aid: "S107".to_owned(),
            akey: "key-1".to_owned(),
            user: user.map(str::to_owned),
        }
    }

    #[test]
    fn every_part_of_the_binding_must_match_and_the_key_is_never_shown() {
        let kept = binding(Some("alice"));
        assert!(kept.differences(&binding(Some("alice"))).is_empty());
        assert!(kept.differences(&binding(None)).is_empty(), "any user");
        assert_eq!(kept.differences(&binding(Some("bob"))), ["the user alice"]);
        let mut other = binding(None);
        other.endpoint = "https://evil.example/m.api".to_owned();
        other.profile = "cloud".to_owned();
        other.aid = "DC-1".to_owned();
        other.akey = "key-2".to_owned();
        let differ = kept.differences(&other).join(", ");
        assert_eq!(differ.matches(", ").count(), 3, "{differ}");
        assert!(differ.contains("openapi.opretail.com"), "{differ}");
        assert!(!differ.contains("key-1"), "{differ}");
    }
}
