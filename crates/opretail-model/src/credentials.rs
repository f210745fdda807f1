//! The developer's key pair: `_akey` (sent) and `_asid` (the signing secret, never sent).

use std::fmt;

use std::sync::Arc;

use opretail_sign::RsaSigningKey;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// The longest `_akey` the gateway accepts.
pub const MAX_AKEY_CHARS: usize = 20;

/// Environment variable read by [`Credentials::from_env`] for the key.
pub const ENV_AKEY: &str = "OPRETAIL_AKEY";
/// Environment variable read by [`Credentials::from_env`] for the secret.
pub const ENV_ASID: &str = "OPRETAIL_ASID";

/// What signs requests: the developer key (`_akey`) and the signing secret (`_asid`), or in
/// `_sm=rsa` mode the developer's RSA private key ([`Credentials::rsa`]).
///
/// The secret is held as a [`SecretString`]: it is zeroed on drop and shown nowhere, not in
/// `Debug`, not in errors, not in logs. The key is not secret, but `Debug` shows only its
/// first characters so that logs do not collect it.
///
/// ```
/// use opretail_model::Credentials;
///
/// let creds = Credentials::new("demo-key", "demo-secret")?;
/// assert_eq!(creds.akey(), Some("demo-key"));
/// assert!(!format!("{creds:?}").contains("demo-secret"));
/// assert!(Credentials::new("", "x").is_err());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    /// `_akey`: none in `_sm=rsa` mode, which identifies the application by `_aid`.
    akey: Option<String>,
    signer: Signer,
}

/// What signs: the shared secret (`_sm` md5, sha1, sha256) or the developer's RSA key
/// (`_sm=rsa`).
#[derive(Clone)]
pub(crate) enum Signer {
    /// `_asid`.
    Secret(SecretString),
    /// The private key.
    Rsa(Arc<RsaSigningKey>),
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
            akey: Some(akey.to_owned()),
            signer: Signer::Secret(asid),
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

    /// Credentials of the `_sm=rsa` mode: the developer's RSA private key, as the developer
    /// console gives it (base64 PKCS#8) or as PEM (PKCS#8 or PKCS#1). No `_akey` is sent in
    /// this mode; the application is named by `_aid`. A key that does not read is refused
    /// here, before any request; its text never appears in the error or in `Debug`.
    ///
    /// ```
    /// use opretail_model::Credentials;
    ///
    /// let error = Credentials::rsa("not a key!").unwrap_err();
    /// assert!(error.to_string().contains("neither PEM nor base64"));
    /// ```
    pub fn rsa(private_key: &str) -> Result<Self, Error> {
        let key = RsaSigningKey::from_text(private_key)
            .map_err(|e| Error::invalid_input("private key", e.to_string()))?;
        Ok(Credentials {
            akey: None,
            signer: Signer::Rsa(Arc::new(key)),
        })
    }

    /// The developer key, as sent in `_akey`; none in `_sm=rsa` mode.
    pub fn akey(&self) -> Option<&str> {
        self.akey.as_deref()
    }

    /// The signing secret; none in `_sm=rsa` mode. Handle with care: it must never be
    /// logged or sent.
    pub fn asid(&self) -> Option<&SecretString> {
        match &self.signer {
            Signer::Secret(secret) => Some(secret),
            Signer::Rsa(_) => None,
        }
    }

    /// Whether these credentials sign with an RSA key (`_sm=rsa`).
    pub fn is_rsa(&self) -> bool {
        matches!(self.signer, Signer::Rsa(_))
    }

    /// What signs.
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }
}

/// The first characters of a key followed by `…`, for logs.
pub fn mask_key(key: &str) -> String {
    let shown: String = key.chars().take(3).collect();
    format!("{shown}…")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.signer {
            Signer::Secret(_) => f
                .debug_struct("Credentials")
                .field("akey", &self.akey.as_deref().map(mask_key))
                .field("asid", &"<redacted>")
                .finish(),
            Signer::Rsa(key) => f.debug_struct("Credentials").field("rsa", key).finish(),
        }
    }
}
