//! Login: a user's token for the methods that need one (store lists, passenger flow over
//! time), from the business-platform account (not the developer console's).

use std::collections::BTreeMap;
use std::fmt;

use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};

use crate::lenient::{LenientInt, LenientSecret, LenientString};
use crate::token::ENV_LOGIN_METHOD;
use crate::{Error, Gateway, Operation, Params};

/// The method name of the classic login, defined once for the model, the sandbox and the CLI.
pub const METHOD_MOBILE_LOGIN: &str = "open.shopweb.security.mobileLogin";
/// The method name of the login seen on the cloud gateway.
pub const METHOD_SSO_LOGIN: &str = "open.shopweb.security.ssoLogin";

/// Which login method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginMethod {
    /// `open.shopweb.security.mobileLogin`: the password is sent as given (as the vendor's
    /// own examples do).
    Mobile,
    /// `open.shopweb.security.ssoLogin`, seen on the cloud gateway: the password is sent as
    /// the lowercase hex of its MD5.
    Sso,
}

impl LoginMethod {
    /// The method seen on each gateway: `mobileLogin` on the classic one, `ssoLogin` on the
    /// cloud one.
    pub fn for_gateway(gateway: Gateway) -> LoginMethod {
        match gateway {
            Gateway::Classic => LoginMethod::Mobile,
            Gateway::Cloud => LoginMethod::Sso,
        }
    }

    /// `mobile` or `sso` (any case, trimmed).
    pub fn parse(text: &str) -> Result<LoginMethod, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mobile" => Ok(LoginMethod::Mobile),
            "sso" => Ok(LoginMethod::Sso),
            _ => Err(Error::invalid_input(
                ENV_LOGIN_METHOD,
                format!("{text:?} is not a login method; use `mobile` or `sso`"),
            )),
        }
    }

    /// The method name.
    pub fn method_name(self) -> &'static str {
        match self {
            LoginMethod::Mobile => METHOD_MOBILE_LOGIN,
            LoginMethod::Sso => METHOD_SSO_LOGIN,
        }
    }
}

/// A login of a business-platform user (not the developer console's account):
/// `open.shopweb.security.mobileLogin` or `open.shopweb.security.ssoLogin` (v1), by
/// [`LoginMethod`], returning a token in [`LoginData`].
///
/// Not idempotent (each call makes a new login) and needs no token. The password is kept
/// only in the form it is sent (as given, or as its MD5 hex for `ssoLogin`), as a
/// [`SecretString`]: `Debug` and errors never show it.
///
/// ```
/// use opretail_model::{LoginMethod, Operation, UserLogin};
///
/// let mobile = UserLogin::new("shop-admin", "123456", LoginMethod::Mobile)?;
/// assert_eq!(mobile.method(), "open.shopweb.security.mobileLogin");
/// assert_eq!(mobile.params()[0], ("userName", "shop-admin".into()));
/// assert_eq!(mobile.params()[1], ("password", "123456".into()));
/// assert!(!mobile.needs_token() && !mobile.idempotent());
///
/// let sso = UserLogin::new("shop-admin", "123456", LoginMethod::Sso)?;
/// assert_eq!(sso.method(), "open.shopweb.security.ssoLogin");
/// assert_eq!(sso.params()[1], ("password", "e10adc3949ba59abbe56e057f20f883e".into()));
/// assert!(!format!("{sso:?}").contains("e10adc"));
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Clone)]
pub struct UserLogin {
    method: LoginMethod,
    user_name: String,
    /// The password as it is sent.
    password: SecretString,
}

impl UserLogin {
    /// A login of `user_name` (trimmed) with `password` by `method`; neither may be empty.
    pub fn new(
        user_name: impl Into<String>,
        password: impl Into<SecretString>,
        method: LoginMethod,
    ) -> Result<UserLogin, Error> {
        let password = password.into();
        let user_name = user_name.into().trim().to_owned();
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
        let password = match method {
            LoginMethod::Mobile => password,
            LoginMethod::Sso => {
                hex::encode(Md5::digest(password.expose_secret().as_bytes())).into()
            }
        };
        Ok(UserLogin {
            method,
            user_name,
            password,
        })
    }

    /// Parameter name: the user name.
    pub const PARAM_USER_NAME: &'static str = "userName";
    /// Parameter name: the password, as sent.
    pub const PARAM_PASSWORD: &'static str = "password";

    /// The user name.
    pub fn user_name(&self) -> &str {
        &self.user_name
    }

    /// The login method.
    pub fn login_method(&self) -> LoginMethod {
        self.method
    }
}

impl fmt::Debug for UserLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserLogin")
            .field("method", &self.method)
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Operation for UserLogin {
    type Output = LoginData;

    fn method(&self) -> &str {
        self.method.method_name()
    }

    fn params(&self) -> Params<'_> {
        vec![
            (Self::PARAM_USER_NAME, self.user_name.as_str().into()),
            (Self::PARAM_PASSWORD, self.password.expose_secret().into()),
        ]
    }

    fn answer_is_secret(&self) -> bool {
        true
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
