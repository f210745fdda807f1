//! The developer's key pair: `_akey` (sent) and `_asid` (the signing secret, never sent).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// The longest `_akey` the gateway accepts.
pub const MAX_AKEY_CHARS: usize = 20;

/// Environment variable read by [`Credentials::from_env`] for the key.
pub const ENV_AKEY: &str = "OPRETAIL_AKEY";
/// Environment variable read by [`Credentials::from_env`] for the secret.
pub const ENV_ASID: &str = "OPRETAIL_ASID";

/// The developer key (`_akey`) and the signing secret (`_asid`).
///
/// The secret is held as a [`SecretString`]: it is zeroed on drop and shown nowhere, not in
/// `Debug`, not in errors, not in logs. The key is not secret, but `Debug` shows only its
/// first characters so that logs do not collect it.
///
/// ```
/// use opretail_model::Credentials;
///
/// let creds = Credentials::new("demo-key", "demo-secret")?;
/// assert_eq!(creds.akey(), "demo-key");
/// assert!(!format!("{creds:?}").contains("demo-secret"));
/// assert!(Credentials::new("", "x").is_err());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    akey: String,
    asid: SecretString,
}

impl Credentials {
    /// Checks and keeps a key pair. Both are trimmed of surrounding white space, as the
    /// gateway's own SDK does; an empty key or secret, or a key over 20 characters, is refused.
    pub fn new(akey: impl Into<String>, asid: impl Into<String>) -> Result<Self, Error> {
        let akey = akey.into();
        let akey = akey.trim();
        if akey.is_empty() {
            return Err(Error::invalid_input(
                "_akey",
                "the developer key is empty; pass the key the platform assigned to you",
            ));
        }
        if akey.chars().count() > MAX_AKEY_CHARS {
            return Err(Error::invalid_input(
                "_akey",
                format!(
                    "the developer key has {} characters; the gateway accepts at most {MAX_AKEY_CHARS}",
                    akey.chars().count()
                ),
            ));
        }
        let asid: String = asid.into();
        let asid = SecretString::from(asid.trim());
        if asid.expose_secret().is_empty() {
            return Err(Error::invalid_input(
                "_asid",
                "the signing secret is empty; pass the secret the platform assigned to you",
            ));
        }
        Ok(Credentials {
            akey: akey.to_owned(),
            asid,
        })
    }

    /// Reads `OPRETAIL_AKEY` and `OPRETAIL_ASID`.
    pub fn from_env() -> Result<Self, Error> {
        let read = |name: &'static str| {
            std::env::var(name).map_err(|e| {
                let why = match e {
                    std::env::VarError::NotPresent => "is not set",
                    std::env::VarError::NotUnicode(_) => "is not valid Unicode",
                };
                Error::invalid_input(name, format!("the environment variable {name} {why}"))
            })
        };
        Credentials::new(read(ENV_AKEY)?, read(ENV_ASID)?)
    }

    /// The developer key, as sent in `_akey`.
    pub fn akey(&self) -> &str {
        &self.akey
    }

    /// The signing secret. Handle with care: it must never be logged or sent.
    pub fn asid(&self) -> &SecretString {
        &self.asid
    }
}

/// The first characters of a key followed by `…`, for logs.
pub fn mask_key(key: &str) -> String {
    let shown: String = key.chars().take(3).collect();
    format!("{shown}…")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("akey", &mask_key(&self.akey))
            .field("asid", &"<redacted>")
            .finish()
    }
}
