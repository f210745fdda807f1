//! Login: a user's token for the methods that need one (store lists, passenger flow over
//! time), from the business-platform account (not the developer console's).

use std::collections::BTreeMap;
use std::fmt;

use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};

use crate::lenient::{LenientInt, LenientSecret, LenientString};
use crate::{Error, Operation, Params};

/// The method name of the classic login, defined once for the model, the sandbox and the CLI.
pub const METHOD_MOBILE_LOGIN: &str = "open.shopweb.security.mobileLogin";
/// The method name of the login seen on the cloud gateway.
pub const METHOD_SSO_LOGIN: &str = "open.shopweb.security.ssoLogin";

/// A user name and password, checked: neither may be empty.
fn checked(user_name: String, password: &SecretString) -> Result<String, Error> {
    let user_name = user_name.trim().to_owned();
    if user_name.is_empty() {
        return Err(Error::invalid_input(
            "userName",
            "the user name is empty; log in with the business-platform account",
        ));
    }
    if password.expose_secret().is_empty() {
        return Err(Error::invalid_input(
            "password",
            "the password is empty; log in with the business-platform account's password",
        ));
    }
    Ok(user_name)
}

/// `open.shopweb.security.mobileLogin` (v1): logs a business-platform user in and returns a
/// token. The password is sent as given (as the vendor's own examples do).
///
/// Not idempotent (each call makes a new login) and needs no token. The password is a
/// [`SecretString`]: `Debug` and errors never show it.
///
/// ```
/// use opretail_model::{MobileLogin, Operation};
///
/// let login = MobileLogin::new("shop-admin", "s3cret")?;
/// assert_eq!(login.method(), "open.shopweb.security.mobileLogin");
/// assert_eq!(login.params()[0], ("userName", "shop-admin".into()));
/// assert!(!login.needs_token() && !login.idempotent());
/// assert!(!format!("{login:?}").contains("s3cret"));
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Clone)]
pub struct MobileLogin {
    user_name: String,
    password: SecretString,
}

impl MobileLogin {
    /// The method name.
    pub const METHOD: &'static str = METHOD_MOBILE_LOGIN;

    /// A login of `user_name` (trimmed) with `password`; both must be non-empty.
    pub fn new(
        user_name: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Result<Self, Error> {
        let password = password.into();
        let user_name = checked(user_name.into(), &password)?;
        Ok(MobileLogin {
            user_name,
            password,
        })
    }

    /// The user name.
    pub fn user_name(&self) -> &str {
        &self.user_name
    }
}

impl fmt::Debug for MobileLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MobileLogin")
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Operation for MobileLogin {
    type Output = LoginData;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        vec![
            ("userName", self.user_name.as_str().into()),
            ("password", self.password.expose_secret().into()),
        ]
    }
}

/// `open.shopweb.security.ssoLogin` (v1), seen on the cloud gateway: logs a business-platform
/// user in and returns a token. The password is sent as the lowercase hex of its MD5, which
/// is computed here; the plain password is not kept.
///
/// Not idempotent and needs no token. `Debug` and errors never show the password or its
/// hash.
///
/// ```
/// use opretail_model::{Operation, SsoLogin};
///
/// let login = SsoLogin::new("shop-admin", "123456")?;
/// assert_eq!(login.method(), "open.shopweb.security.ssoLogin");
/// assert_eq!(login.params()[1], ("password", "e10adc3949ba59abbe56e057f20f883e".into()));
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Clone)]
pub struct SsoLogin {
    user_name: String,
    password_md5: SecretString,
}

impl SsoLogin {
    /// The method name.
    pub const METHOD: &'static str = METHOD_SSO_LOGIN;

    /// A login of `user_name` (trimmed) with `password`; both must be non-empty.
    pub fn new(
        user_name: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Result<Self, Error> {
        let password = password.into();
        let user_name = checked(user_name.into(), &password)?;
        let digest = Md5::digest(password.expose_secret().as_bytes());
        Ok(SsoLogin {
            user_name,
            password_md5: hex::encode(digest).into(),
        })
    }

    /// The user name.
    pub fn user_name(&self) -> &str {
        &self.user_name
    }
}

impl fmt::Debug for SsoLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoLogin")
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Operation for SsoLogin {
    type Output = LoginData;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        vec![
            ("userName", self.user_name.as_str().into()),
            ("password", self.password_md5.expose_secret().into()),
        ]
    }
}

/// The `data` of a login: the token and what came with it.
///
/// `token` is required (a login answer without one is a decode error naming `data`); every
/// other field is optional and decoded leniently (ids as numbers or numeric strings).
/// `mobileLogin` is documented to send `enterpriseId` and `token`; the other fields are
/// those third-party clients saw from `ssoLogin`. Undocumented fields (such as `result`) are
/// kept in [`LoginData::extra`].
///
/// The token is a [`SecretString`]: `Debug` does not show it, and the type does not
/// serialize. What the expiry fields count (milliseconds since 1970, or left) is not
/// documented; they are kept as the numbers sent.
///
/// ```
/// use secrecy::ExposeSecret;
/// use opretail_model::LoginData;
///
/// let data: LoginData = serde_json::from_str(r#"{"token": "tok-1", "enterpriseId": "42"}"#)?;
/// assert_eq!(data.token.expose_secret(), "tok-1");
/// assert_eq!(data.enterprise_id, Some(42));
/// assert!(!format!("{data:?}").contains("tok-1"));
/// assert!(serde_json::from_str::<LoginData>(r#"{"enterpriseId": 42}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct LoginData {
    /// The login token (`token`), sent in the gateway's token header by later calls.
    pub token: SecretString,
    /// The business-platform enterprise id (`enterpriseId`).
    pub enterprise_id: Option<i64>,
    /// The user's id (`userId`), as text (a number becomes its digits).
    pub user_id: Option<String>,
    /// The user name (`userName`).
    pub user_name: Option<String>,
    /// When the token expires (`tokenExpirationTimestamp`), as sent.
    pub token_expiration_timestamp: Option<i64>,
    /// How long the token has left (`tokenExpirationSurplusTimestamp`), as sent.
    pub token_expiration_surplus_timestamp: Option<i64>,
    /// Fields the platform does not document, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl fmt::Debug for LoginData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginData")
            .field("token", &"<redacted>")
            .field("enterprise_id", &self.enterprise_id)
            .field("user_id", &self.user_id)
            .field("user_name", &self.user_name)
            .field(
                "token_expiration_timestamp",
                &self.token_expiration_timestamp,
            )
            .field(
                "token_expiration_surplus_timestamp",
                &self.token_expiration_surplus_timestamp,
            )
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The wire form, with the token still optional.
#[derive(Default)]
struct WireLogin {
    token: Option<SecretString>,
    enterprise_id: Option<i64>,
    user_id: Option<String>,
    user_name: Option<String>,
    token_expiration_timestamp: Option<i64>,
    token_expiration_surplus_timestamp: Option<i64>,
    extra: BTreeMap<String, serde_json::Value>,
}

lenient_deserialize!(WireLogin, "the data object of a login", null = default, {
    token: LenientSecret = "token",
    enterprise_id: LenientInt = "enterpriseId",
    user_id: LenientString = "userId",
    user_name: LenientString = "userName",
    token_expiration_timestamp: LenientInt = "tokenExpirationTimestamp",
    token_expiration_surplus_timestamp: LenientInt = "tokenExpirationSurplusTimestamp",
});

impl<'de> serde::Deserialize<'de> for LoginData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = <WireLogin as serde::Deserialize>::deserialize(deserializer)?;
        let token = wire.token.ok_or_else(|| {
            serde::de::Error::custom(
                "the login answer has no `token`: check the method and the account, \
                 and quote the cid to the platform's support",
            )
        })?;
        Ok(LoginData {
            token,
            enterprise_id: wire.enterprise_id,
            user_id: wire.user_id,
            user_name: wire.user_name,
            token_expiration_timestamp: wire.token_expiration_timestamp,
            token_expiration_surplus_timestamp: wire.token_expiration_surplus_timestamp,
            extra: wire.extra,
        })
    }
}
