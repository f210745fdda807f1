//! The effective settings of a gateway call: flag, then environment, then config file. The
//! environment is read here and nowhere else.

use std::path::{Path, PathBuf};
use std::time::Duration;

use opretail_model::env::{
    ENV_AID, ENV_AKEY, ENV_ASID, ENV_ENDPOINT, ENV_ENVIRONMENT, ENV_LOGIN_METHOD, ENV_PASSWORD,
    ENV_TOKEN, ENV_USER,
};
use opretail_model::{Environment, OPRETAIL_GATEWAY, SignMethod};
use opretail_sign::RSA_SIGN_METHOD;
use secrecy::SecretString;

use crate::failure::Failure;
use crate::global::{GlobalArgs, parse_timeout};

/// Environment variable naming the config file.
pub const ENV_CONFIG: &str = "OPRETAIL_CONFIG";
/// Environment variable for the sign method.
pub const ENV_SIGN_METHOD: &str = "OPRETAIL_SIGN_METHOD";
/// Environment variable for the timeout in seconds.
pub const ENV_TIMEOUT: &str = "OPRETAIL_TIMEOUT";
/// Environment variable for a PEM file of extra trusted CA certificates.
pub const ENV_CA_CERT: &str = "OPRETAIL_CA_CERT";
/// The RSA private key file of `_sm=rsa`.
pub const ENV_PRIVATE_KEY_FILE: &str = "OPRETAIL_PRIVATE_KEY_FILE";

/// The config file's contents. Unknown keys are refused so that a typo does not go unnoticed.
#[derive(Default)]
struct FileConfig {
    endpoint: Option<String>,
    akey: Option<String>,
    asid: Option<SecretString>,
    sign_method: Option<String>,
    private_key_file: Option<String>,
    environment: Option<String>,
    timeout: Option<f64>,
    ca_cert: Option<String>,
    aid: Option<String>,
    user: Option<String>,
    password: Option<SecretString>,
}

/// The keys a config file may hold, for messages.
const FILE_KEYS: &str = "endpoint, akey, asid, aid, user, password, sign_method, \
     private_key_file, environment, timeout, ca_cert";

/// The settings of a run, resolved from flags, the environment, the config file and defaults,
/// in that order; [`Settings::provenance`] says which one each came from.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The gateway URL, unchecked (the model's `Config` checks it).
    pub endpoint: String,
    /// The developer key, if any source had one.
    pub akey: Option<String>,
    /// The signing secret, if any source had one.
    pub asid: Option<SecretString>,
    /// The signature algorithm of the digest modes.
    pub sign_method: SignMethod,
    /// The RSA private key file, when requests are signed in `_sm=rsa` mode.
    pub private_key: Option<PathBuf>,
    /// Where exchanges are recorded, when they are.
    pub record: Option<PathBuf>,
    /// The recordings the embedded sandbox replays.
    pub replay: Option<PathBuf>,
    /// The `environment` header's value, when one is sent.
    pub environment: Option<Environment>,
    /// Whether every request carries a fresh `_nonce`.
    pub nonce: bool,
    /// The whole-call timeout, when one was set.
    pub timeout: Option<Duration>,
    /// A PEM file of CA certificates to trust besides the bundled roots.
    pub ca_cert: Option<PathBuf>,
    /// Whether extra headers may go over plain http to another machine.
    pub allow_clear_text_headers: bool,
    /// The most bytes of one answer read, when set; else the command's own cap.
    pub max_answer_bytes: Option<usize>,
    /// The most rows one answer may decode into, when set; else the SDK's default.
    pub max_rows_per_answer: Option<usize>,
    /// The most elements of undocumented fields one answer may decode into, when set.
    pub max_elements_per_answer: Option<usize>,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// The cloud gateway's application id (`_aid`), when one was set.
    pub aid: Option<String>,
    /// The user of the business platform, when one was set.
    pub user: Option<String>,
    /// That user's password.
    pub password: Option<SecretString>,
    /// A login token obtained elsewhere (`OPRETAIL_TOKEN`).
    pub token: Option<SecretString>,
    /// How to log the user in (`OPRETAIL_LOGIN_METHOD`), when set; else the gateway's way.
    pub login_method: Option<String>,
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
        let secret = |flag: &Option<SecretString>, var: &str, file: &Option<SecretString>| {
            flag.clone()
                .or_else(|| env(var).map(SecretString::from))
                .or_else(|| file.clone())
        };

        // `None` for rsa; the outer `None` when no source names a method.
        let named: Option<Option<SignMethod>> = match args.sign_method {
            Some(m) => Some(m.digest()),
            None => match env(ENV_SIGN_METHOD).or_else(|| file.sign_method.clone()) {
                Some(text) if text.trim().eq_ignore_ascii_case(RSA_SIGN_METHOD) => Some(None),
                Some(text) => Some(Some(text.parse::<SignMethod>().map_err(|e| {
                    Failure::usage(format!(
                        "{e}, or rsa (from {ENV_SIGN_METHOD} or the config file)"
                    ))
                })?)),
                None => None,
            },
        };
        let private_key = args
            .private_key
            .clone()
            .or_else(|| env(ENV_PRIVATE_KEY_FILE).map(PathBuf::from))
            .or_else(|| file.private_key_file.clone().map(PathBuf::from));
        let (sign_method, private_key) = match (named, private_key) {
            // A private key alone means rsa.
            (None | Some(None), Some(key)) => (SignMethod::default(), Some(key)),
            (Some(None), None) => {
                return Err(Failure::usage(format!(
                    "--sign-method rsa needs the private key: --private-key FILE, \
                     {ENV_PRIVATE_KEY_FILE} or `private_key_file` in the config file"
                )));
            }
            (Some(Some(method)), Some(_)) => {
                return Err(Failure::usage(format!(
                    "a private key is set, so requests would be signed with rsa, but the sign \
                     method is {method}: drop the private key or use --sign-method rsa"
                )));
            }
            (Some(Some(method)), None) => (method, None),
            (None, None) => (SignMethod::default(), None),
        };
        let environment = match args.environment {
            Some(environment) => Some(environment),
            None => match env(ENV_ENVIRONMENT).or_else(|| file.environment.clone()) {
                Some(text) => Some(text.parse::<Environment>().map_err(|e| {
                    Failure::usage(format!("{e} (from {ENV_ENVIRONMENT} or the config file)"))
                })?),
                None => None,
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
                secret(&args.asid, ENV_ASID, &file.asid),
            )
        };
        // The user and token are meant for the real gateway: the sandbox has its demo user.
        let (aid, user, password, token) = if args.sandbox {
            (args.aid.clone(), None, None, None)
        } else {
            (
                from(&args.aid, ENV_AID, &file.aid),
                env(ENV_USER).or_else(|| file.user.clone()),
                env(ENV_PASSWORD)
                    .map(SecretString::from)
                    .or_else(|| file.password.clone()),
                env(ENV_TOKEN).map(|t| SecretString::from(t.trim().to_owned())),
            )
        };
        let ca_cert = args
            .ca_cert
            .clone()
            .or_else(|| env(ENV_CA_CERT).map(PathBuf::from))
            .or_else(|| file.ca_cert.clone().map(PathBuf::from));
        Ok(Settings {
            endpoint,
            akey,
            asid,
            sign_method,
            private_key,
            record: args.record.clone(),
            replay: args.replay.clone(),
            environment,
            nonce: args.nonce,
            timeout: timeout.map(Duration::from_secs_f64),
            ca_cert,
            allow_clear_text_headers: args.allow_clear_text_headers,
            max_answer_bytes: args.max_answer_bytes.map(widen),
            max_rows_per_answer: args.max_rows_per_answer.map(widen),
            max_elements_per_answer: args.max_elements_per_answer.map(widen),
            file: path,
            aid,
            user,
            password,
            token,
            login_method: env(ENV_LOGIN_METHOD),
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

/// Where one setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Environment,
    /// The config file.
    File,
    /// Nothing set it: the built-in default, or none.
    Default,
    /// The embedded sandbox's own (its URL, its demo key and user).
    Sandbox,
}

impl Source {
    /// The word for messages and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Environment => "environment",
            Source::File => "file",
            Source::Default => "default",
            Source::Sandbox => "sandbox",
        }
    }
}

/// Where each setting came from, found again by the same precedence as
/// [`Settings::resolve`] (which stays as it is: most commands never ask).
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The endpoint.
    pub endpoint: Source,
    /// The developer key.
    pub akey: Source,
    /// The signing secret.
    pub asid: Source,
    /// The application id.
    pub aid: Source,
    /// The sign method.
    pub sign_method: Source,
    /// The `environment` header.
    pub environment: Source,
    /// The user.
    pub user: Source,
    /// The user's password.
    pub password: Source,
}

impl Settings {
    /// The sign method's name, as `_sm` carries it.
    pub fn sign_method_name(&self) -> &'static str {
        if self.private_key.is_some() {
            RSA_SIGN_METHOD
        } else {
            self.sign_method.as_str()
        }
    }

    /// Where each of these settings came from. Call it after [`Settings::resolve`] succeeded
    /// with the same arguments: the config file is read again, and read without error then.
    pub fn provenance(&self, args: &GlobalArgs) -> Provenance {
        let file = self
            .file
            .as_deref()
            .and_then(|path| parse_file(path, false).ok())
            .unwrap_or_default();
        let pick = |flag: bool, var: &str, in_file: bool| {
            if flag {
                Source::Flag
            } else if env(var).is_some() {
                Source::Environment
            } else if in_file {
                Source::File
            } else {
                Source::Default
            }
        };
        let mut sign_method = pick(
            args.sign_method.is_some(),
            ENV_SIGN_METHOD,
            file.sign_method.is_some(),
        );
        if sign_method == Source::Default && self.private_key.is_some() {
            // rsa, chosen by the private key alone.
            sign_method = pick(
                args.private_key.is_some(),
                ENV_PRIVATE_KEY_FILE,
                file.private_key_file.is_some(),
            );
        }
        let environment = pick(
            args.environment.is_some(),
            ENV_ENVIRONMENT,
            file.environment.is_some(),
        );
        if args.sandbox {
            let own = |flag: bool| if flag { Source::Flag } else { Source::Sandbox };
            return Provenance {
                endpoint: Source::Sandbox,
                akey: own(args.akey.is_some()),
                asid: own(args.asid.is_some()),
                aid: own(args.aid.is_some()),
                sign_method,
                environment,
                user: Source::Sandbox,
                password: Source::Sandbox,
            };
        }
        Provenance {
            endpoint: pick(
                args.endpoint.is_some(),
                ENV_ENDPOINT,
                file.endpoint.is_some(),
            ),
            akey: pick(args.akey.is_some(), ENV_AKEY, file.akey.is_some()),
            asid: pick(args.asid.is_some(), ENV_ASID, file.asid.is_some()),
            aid: pick(args.aid.is_some(), ENV_AID, file.aid.is_some()),
            sign_method,
            environment,
            user: pick(false, ENV_USER, file.user.is_some()),
            password: pick(false, ENV_PASSWORD, file.password.is_some()),
        }
    }
}

/// A count from the command line as a size: every `u32` fits in the `usize` of the
/// platforms the command is built for (32 and 64 bits).
fn widen(count: u32) -> usize {
    usize::try_from(count).expect("a u32 fits in a usize on 32- and 64-bit platforms")
}

fn read_file(path: &Path, explicit: bool) -> Result<FileConfig, Failure> {
    let config = parse_file(path, explicit)?;
    if config.asid.is_some() || config.password.is_some() {
        crate::private_file::warn_if_exposed(path, "holds a secret");
    }
    Ok(config)
}

/// [`read_file`] without the warning about who can read it, for a file read again.
fn parse_file(path: &Path, explicit: bool) -> Result<FileConfig, Failure> {
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
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| line_of(&text, span.start));
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        Failure::usage(format!(
            "the config file {} is not valid TOML:{at} {} (expected keys: {FILE_KEYS})",
            path.display(),
            e.message().trim()
        ))
    })?;
    let config = FileConfig::from_table(table).map_err(|reason| {
        Failure::usage(format!(
            "the config file {} is not valid: {reason}",
            path.display()
        ))
    })?;
    Ok(config)
}

/// The line (from 1) of the byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].matches('\n').count() + 1
}

impl FileConfig {
    /// Takes the known keys out of the parsed file. Messages name the key and the type found,
    /// never the value: a secret put in without quotes is still a secret.
    fn from_table(table: toml::Table) -> Result<FileConfig, String> {
        let mut config = FileConfig::default();
        for (key, value) in table {
            let text = |value: toml::Value| match value {
                toml::Value::String(s) => Ok(s),
                other => Err(format!(
                    "`{key}` must be a string in quotes, not {}",
                    type_name(&other)
                )),
            };
            match key.as_str() {
                "endpoint" => config.endpoint = Some(text(value)?),
                "akey" => config.akey = Some(text(value)?),
                "asid" => config.asid = Some(SecretString::from(text(value)?)),
                "aid" => config.aid = Some(text(value)?),
                "user" => config.user = Some(text(value)?),
                "password" => config.password = Some(SecretString::from(text(value)?)),
                "sign_method" => config.sign_method = Some(text(value)?),
                "private_key_file" => config.private_key_file = Some(text(value)?),
                "environment" => config.environment = Some(text(value)?),
                "ca_cert" => config.ca_cert = Some(text(value)?),
                "timeout" => {
                    config.timeout = Some(match value {
                        toml::Value::Integer(n) => n as f64,
                        toml::Value::Float(x) => x,
                        other => {
                            return Err(format!(
                                "`timeout` must be a number of seconds, not {}",
                                type_name(&other)
                            ));
                        }
                    });
                }
                _ => {
                    return Err(format!(
                        "unknown key `{}` (expected keys: {FILE_KEYS})",
                        crate::escape::for_terminal(&key, 60)
                    ));
                }
            }
        }
        Ok(config)
    }
}

/// What a TOML value is, in words, without the value itself.
fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileConfig, String> {
        FileConfig::from_table(toml::from_str(text).expect("valid TOML"))
    }

    #[test]
    fn a_type_error_names_the_key_and_never_the_value() {
        for text in ["asid = 12345678", "asid = 1234.5678", "asid = [12345678]"] {
            let Err(message) = parse(text) else {
                panic!("{text} accepted")
            };
            assert!(message.contains("`asid`"), "{message}");
            assert!(!message.contains("1234"), "{message}");
        }
        let Err(message) = parse("secret = \"x\"") else {
            panic!("an unknown key accepted")
        };
        assert!(message.contains("unknown key `secret`"), "{message}");
    }

    #[test]
    fn the_user_and_application_id_are_read_and_the_password_stays_secret() {
        let config = parse("aid = \"DC-1\"\nuser = \"u\"\npassword = \"pw-9\"").expect("valid");
        assert_eq!(config.aid.as_deref(), Some("DC-1"));
        assert_eq!(config.user.as_deref(), Some("u"));
        assert!(!format!("{:?}", config.password).contains("pw-9"));
        let Err(message) = parse("password = 12345678") else {
            panic!("a number accepted as password")
        };
        assert!(
            message.contains("`password`") && !message.contains("1234"),
            "{message}"
        );
    }

    #[test]
    fn a_duplicate_key_is_reported_at_its_own_line() {
        let text = "akey = \"a\"\nasid = \"s\"\nakey = \"b\"\n";
        let path = std::env::temp_dir().join(format!(
            "opretail-cli-duplicate-key-{}.toml",
            std::process::id()
        ));
        std::fs::write(&path, text).expect("a temporary file");
        let Err(Failure::Usage(message)) = read_file(&path, true) else {
            panic!("a duplicate key accepted")
        };
        let _ = std::fs::remove_file(&path);
        assert!(message.contains("line 3:"), "{message}");
        assert!(message.contains("duplicate key"), "{message}");
        assert_eq!(line_of("a\nb", 0), 1);
        assert_eq!(line_of("a\nb", 2), 2);
        assert_eq!(line_of("上\n", 1), 1);
    }

    #[test]
    fn a_valid_file_is_read() {
        let config = parse("akey = \"k\"\ntimeout = 5\nasid = \"s\"").expect("valid");
        assert_eq!(config.akey.as_deref(), Some("k"));
        assert_eq!(config.timeout, Some(5.0));
        assert!(config.asid.is_some());
    }
}
