//! The two gateway profiles of the platform: which `_aid` they expect and which header
//! carries a user's login token.

use std::fmt;

use crate::Endpoint;

/// The `_aid` of the open-platform system the classic gateway serves.
pub const DEFAULT_AID: &str = "S107";
/// The header the classic gateway (`m.api`) reads a login token from.
pub const CLASSIC_TOKEN_HEADER: &str = "authenticator";
/// The header the cloud gateway (`cloud.api`) reads a login token from (seen in third-party
/// clients only).
pub const CLOUD_TOKEN_HEADER: &str = "Ovo-Authorization";

/// Which kind of gateway an endpoint is: the signing rule is the same, the `_aid` and the
/// token header differ.
///
/// | profile | path | `_aid` | token header |
/// |---|---|---|---|
/// | [`Gateway::Classic`] | `/m.api` | `S107` | `authenticator` |
/// | [`Gateway::Cloud`] | `/cloud.api` | the developer's application id (`DC-…`) | `Ovo-Authorization` |
///
/// [`Config`](crate::Config) infers the profile from the endpoint's path unless it is set
/// explicitly with [`ConfigBuilder::gateway`](crate::ConfigBuilder::gateway).
///
/// ```
/// use opretail_model::{Endpoint, Gateway};
///
/// let cloud = Endpoint::parse("https://cloudapi.ovopark.com/cloud.api")?;
/// assert_eq!(Gateway::from_endpoint(&cloud), Gateway::Cloud);
/// assert_eq!(Gateway::Cloud.token_header(), "Ovo-Authorization");
/// assert_eq!(Gateway::Classic.default_aid(), Some("S107"));
/// assert_eq!(Gateway::Cloud.default_aid(), None);
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Gateway {
    /// The classic gateway, `…/m.api` (also `cloudapi.ovopark.com/m.api`).
    #[default]
    Classic,
    /// The cloud gateway, `…/cloud.api`.
    Cloud,
}

impl Gateway {
    /// The profile of an endpoint: [`Gateway::Cloud`] when the last segment of its path is
    /// `cloud.api`, [`Gateway::Classic`] otherwise (a sandbox's or a proxy's URL included).
    pub fn from_endpoint(endpoint: &Endpoint) -> Gateway {
        let last = endpoint
            .url()
            .path_segments()
            .and_then(|mut segments| segments.rfind(|s| !s.is_empty()));
        if last.is_some_and(|s| s.eq_ignore_ascii_case("cloud.api")) {
            Gateway::Cloud
        } else {
            Gateway::Classic
        }
    }

    /// The `_aid` this gateway expects when none is configured: `S107` on the classic
    /// gateway, none on the cloud gateway (each application has its own).
    pub fn default_aid(self) -> Option<&'static str> {
        match self {
            Gateway::Classic => Some(DEFAULT_AID),
            Gateway::Cloud => None,
        }
    }

    /// The header a login token is sent in.
    pub fn token_header(self) -> &'static str {
        match self {
            Gateway::Classic => CLASSIC_TOKEN_HEADER,
            Gateway::Cloud => CLOUD_TOKEN_HEADER,
        }
    }
}

impl fmt::Display for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Gateway::Classic => "classic gateway (m.api)",
            Gateway::Cloud => "cloud gateway (cloud.api)",
        })
    }
}

/// The header that names the platform's back end, as the vendor's Java clients send it.
pub const ENVIRONMENT_HEADER: &str = "environment";

/// The back end a call asks for with the `environment` header. The vendor's Java clients
/// always send `formal`; `test` and `dev` are their other values, presumably routing to other
/// back ends (the platform documents none of this). The SDK sends the header only when one
/// is set ([`ConfigBuilder::environment`](crate::ConfigBuilder::environment)).
///
/// ```
/// use opretail_model::Environment;
///
/// assert_eq!("Formal".parse::<Environment>()?, Environment::Formal);
/// assert!("prod".parse::<Environment>().unwrap_err().to_string().contains("formal"));
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `formal`: production, what the vendor's clients send.
    Formal,
    /// `test`.
    Test,
    /// `dev`.
    Dev,
}

impl Environment {
    /// Every value.
    pub const ALL: [Environment; 3] = [Environment::Formal, Environment::Test, Environment::Dev];

    /// The header's value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Formal => "formal",
            Environment::Test => "test",
            Environment::Dev => "dev",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Environment {
    type Err = crate::Error;

    /// `formal`, `test` or `dev`, in any letter case.
    fn from_str(text: &str) -> Result<Self, crate::Error> {
        Environment::ALL
            .into_iter()
            .find(|e| text.trim().eq_ignore_ascii_case(e.as_str()))
            .ok_or_else(|| {
                crate::Error::invalid_input(
                    ENVIRONMENT_HEADER,
                    format!("{text:?} is not an environment: use `formal`, `test` or `dev`"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(url: &str) -> Gateway {
        Gateway::from_endpoint(&Endpoint::parse(url).expect("a valid URL"))
    }

    #[test]
    fn the_path_decides_the_profile() {
        assert_eq!(
            profile("https://openapi.opretail.com/m.api"),
            Gateway::Classic
        );
        assert_eq!(
            profile("https://cloudapi.ovopark.com/m.api"),
            Gateway::Classic
        );
        assert_eq!(
            profile("https://openapi.opretail.com/cloud.api"),
            Gateway::Cloud
        );
        assert_eq!(profile("http://127.0.0.1:9/gw/cloud.api/"), Gateway::Cloud);
        // A query would not be signed, so Endpoint::parse refuses it; case still does not count.
        assert_eq!(profile("http://127.0.0.1:9/CLOUD.API"), Gateway::Cloud);
        assert!(Endpoint::parse("http://127.0.0.1:9/CLOUD.API?x=1").is_err());
        assert_eq!(profile("http://127.0.0.1:9/"), Gateway::Classic);
        assert_eq!(
            profile("http://127.0.0.1:9/cloud.api.bak"),
            Gateway::Classic
        );
    }
}
