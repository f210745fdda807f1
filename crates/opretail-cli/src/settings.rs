//! The effective settings of a gateway call: flag, then environment, then config file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use opretail_model::{ENV_AKEY, ENV_ASID, ENV_ENDPOINT, OPRETAIL_GATEWAY, SignMethod};
use serde::Deserialize;

use crate::args::{GlobalArgs, parse_timeout};
use crate::failure::Failure;

/// Environment variable naming the config file.
pub const ENV_CONFIG: &str = "OPRETAIL_CONFIG";
/// Environment variable for the sign method.
pub const ENV_SIGN_METHOD: &str = "OPRETAIL_SIGN_METHOD";
/// Environment variable for the timeout in seconds.
pub const ENV_TIMEOUT: &str = "OPRETAIL_TIMEOUT";

/// A secret string whose `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, to hand to the credentials and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The config file's contents. Unknown keys are refused so that a typo does not go unnoticed.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    endpoint: Option<String>,
    akey: Option<String>,
    asid: Option<String>,
    sign_method: Option<String>,
    timeout: Option<f64>,
}

/// Where one setting came from, for error messages.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The gateway URL, unchecked (the model's `Config` checks it).
    pub endpoint: String,
    /// The developer key, if any source had one.
    pub akey: Option<String>,
    /// The signing secret, if any source had one.
    pub asid: Option<Secret>,
    /// The signature algorithm.
    pub sign_method: SignMethod,
    /// The whole-call timeout, when one was set.
    pub timeout: Option<Duration>,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The default config file: `opretail/config.toml` in the user's config directory.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("opretail").join("config.toml"))
}

impl Settings {
    /// Resolves every setting. In sandbox mode the environment and the file are not read for
    /// credentials and endpoint: they are meant for the real gateway.
    pub fn resolve(args: &GlobalArgs) -> Result<Settings, Failure> {
        let explicit = args
            .config
            .clone()
            .or_else(|| env(ENV_CONFIG).map(PathBuf::from));
        let (file, path) = match &explicit {
            Some(path) => (read_file(path, true)?, Some(path.clone())),
            None => match default_config_path() {
                Some(path) if path.exists() => (read_file(&path, false)?, Some(path)),
                _ => (FileConfig::default(), None),
            },
        };
        let from = |flag: &Option<String>, var: &str, file: &Option<String>| {
            flag.clone().or_else(|| env(var)).or_else(|| file.clone())
        };

        let sign_method = match args.sign_method {
            Some(m) => m.into(),
            None => match env(ENV_SIGN_METHOD).or_else(|| file.sign_method.clone()) {
                Some(text) => text.parse::<SignMethod>().map_err(|e| {
                    Failure::usage(format!("{e} (from {ENV_SIGN_METHOD} or the config file)"))
                })?,
                None => SignMethod::default(),
            },
        };
        let timeout = match args.timeout {
            Some(secs) => Some(secs),
            None => match env(ENV_TIMEOUT) {
                Some(text) => Some(
                    parse_timeout(&text)
                        .map_err(|e| Failure::usage(format!("{ENV_TIMEOUT}: {e}")))?,
                ),
                None => match file.timeout {
                    Some(secs) => Some(parse_timeout(&secs.to_string()).map_err(|e| {
                        Failure::usage(format!("`timeout` in the config file: {e}"))
                    })?),
                    None => None,
                },
            },
        };

        let (endpoint, akey, asid) = if args.sandbox {
            (String::new(), args.akey.clone(), args.asid.clone())
        } else {
            (
                from(&args.endpoint, ENV_ENDPOINT, &file.endpoint)
                    .unwrap_or_else(|| OPRETAIL_GATEWAY.to_owned()),
                from(&args.akey, ENV_AKEY, &file.akey),
                from(&args.asid, ENV_ASID, &file.asid),
            )
        };
        Ok(Settings {
            endpoint,
            akey,
            asid: asid.map(Secret),
            sign_method,
            timeout: timeout.map(Duration::from_secs_f64),
            file: path,
        })
    }

    /// What to tell a user who has no key or secret configured.
    pub fn missing(&self, what: &str, flag: &str, var: &str, key: &str) -> Failure {
        let file = match &self.file {
            Some(path) => path.display().to_string(),
            None => default_config_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the config file".to_owned()),
        };
        Failure::usage(format!(
            "no {what}: pass {flag}, set {var}, or put `{key} = \"…\"` in {file} \
             (or try --sandbox)"
        ))
    }
}

fn read_file(path: &Path, explicit: bool) -> Result<FileConfig, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileConfig::default());
        }
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )));
        }
    };
    // toml's own message quotes the offending line, which may hold the secret: give the
    // position and the reason only.
    let config: FileConfig = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        Failure::usage(format!(
            "the config file {} is not valid:{at} {} (expected keys: endpoint, akey, asid, sign_method, timeout)",
            path.display(),
            e.message().trim()
        ))
    })?;
    if config.asid.is_some() {
        warn_if_readable_by_others(path);
    }
    Ok(config)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        eprintln!(
            "warning: {} holds the signing secret and other users can read it; run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_never_debugged() {
        let s = Secret("very-secret".to_owned());
        assert!(!format!("{s:?}").contains("very-secret"));
    }
}
