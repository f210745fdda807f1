//! The one error type of the SDK.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::ReturnCode;

/// How many bytes of an unexpected body an error keeps.
pub const BODY_SNIPPET_LIMIT: usize = 1024;

/// Everything that can go wrong with a call, each saying what happened and what to do.
///
/// No variant ever holds the signing secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter, the credentials or the configuration were refused before anything was sent.
    #[error("invalid {param}: {reason}")]
    InvalidInput {
        /// Which parameter or setting.
        param: Cow<'static, str>,
        /// Why, and what to do.
        reason: String,
    },

    /// The gateway answered with a return code other than `SUCCESS`.
    #[error(transparent)]
    Gateway(Box<GatewayError>),

    /// The request did not get an answer: connection, timeout, TLS, a redirect, or a body
    /// over the limit. The HTTP library's own error, when there is one, is the
    /// [`source`](std::error::Error::source), not repeated in the message.
    #[error("{kind} talking to {endpoint}: {message}")]
    Transport {
        /// What failed.
        kind: TransportKind,
        /// The gateway URL.
        endpoint: String,
        /// What happened and what to do, in words.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },

    /// An HTTP status that is not the gateway's (the gateway answers 200 even for its errors),
    /// so something in front of it failed: a proxy, a load balancer, a wrong URL.
    #[error(
        "HTTP status {status} (something in front of the gateway failed; check the endpoint URL, or retry later): {body}"
    )]
    HttpStatus {
        /// The status code.
        status: u16,
        /// At most 1 KiB of the body.
        body: String,
    },

    /// The body is not JSON (a proxy's page, or a cut-off answer).
    #[error("the gateway's answer is not JSON ({detail}); check the endpoint URL: {body}")]
    NotJson {
        /// What the parser said.
        detail: String,
        /// At most 1 KiB of the body.
        body: String,
    },

    /// JSON, but not the gateway's envelope (no `stat`, or no usable `stat.code`).
    #[error("the answer is not a gateway envelope ({detail}); check the endpoint URL: {body}")]
    Envelope {
        /// What is missing or wrong.
        detail: String,
        /// At most 1 KiB of the body.
        body: String,
    },

    /// The call succeeded but `data` does not have the documented shape.
    #[error("could not decode `{path}` of the answer: {message} ({})", cid_text(.cid.as_deref()))]
    Decode {
        /// Where in the answer, e.g. `data.DAY_FLOW`.
        path: String,
        /// What was wrong there.
        message: String,
        /// The request id (`stat.cid`), to quote to the platform's support; `None` when the
        /// gateway sent none.
        cid: Option<String>,
    },
}

/// What kind of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// Could not connect (DNS, refused, unreachable, or not within the connect timeout):
    /// nothing was sent.
    Connect,
    /// No complete answer within the time the attempt had.
    Timeout,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The answer is larger than the configured body limit; it was not read to the end.
    BodyLimit,
    /// The connection broke during the exchange (closed early, cut-off body, protocol error).
    Io,
    /// The request could not be built (an invalid header value, for example).
    Request,
    /// The server answered with a redirect, which the SDK never follows: a signed form is
    /// not re-sent to wherever a `Location` points.
    Redirect,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Tls => "TLS failed",
            TransportKind::BodyLimit => "response body over the limit",
            TransportKind::Io => "connection broken",
            TransportKind::Request => "request could not be built",
            TransportKind::Redirect => "redirect refused",
        })
    }
}

/// What a transport saw fail in an exchange, told from its HTTP library's error, for
/// [`Error::failed_exchange`]: the message then is the SDK's, the same whichever transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExchangeFailure {
    /// The request could not be built (a header value the library refused).
    Request,
    /// The TLS handshake or the certificate check.
    Tls,
    /// No connection within [`Config::connect_timeout`](crate::Config::connect_timeout).
    ConnectTimeout,
    /// No connection: refused, unreachable, or the host not found.
    Connect,
    /// No complete answer within the time the attempt had.
    Timeout,
    /// The connection broke before the whole answer came.
    Broken,
}

/// A gateway return code other than `SUCCESS`, with everything the gateway said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    /// The return code (documented or not).
    pub code: ReturnCode,
    /// `result`: the gateway's message, if any.
    pub message: Option<String>,
    /// `stat.cid`: the request id to quote to support.
    pub cid: Option<String>,
    /// `stat.systime`: the gateway's time.
    pub systime: Option<String>,
}

impl GatewayError {
    /// What the platform documents as the remedy.
    pub fn remedy(&self) -> &'static str {
        self.code.remedy()
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gateway error {}: {}", self.code, self.code.meaning())?;
        if let Some(message) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, " ({message})")?;
        }
        if let Some(cid) = &self.cid {
            write!(f, " [cid {cid}]")?;
        }
        write!(f, "; what to do: {}", self.code.remedy())
    }
}

impl std::error::Error for GatewayError {}

impl Error {
    /// An [`Error::InvalidInput`].
    pub fn invalid_input(param: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            param: param.into(),
            reason: reason.into(),
        }
    }

    /// A [`Error::Transport`] with what happened in `message` and the HTTP library's error
    /// as its source.
    pub fn transport<E>(
        kind: TransportKind,
        endpoint: impl Into<String>,
        message: impl Into<String>,
        source: E,
    ) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error::Transport {
            kind,
            endpoint: endpoint.into(),
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The [`Error::Transport`] of `failure` talking to `config`'s endpoint, in an attempt
    /// that had `attempt` to run, with the HTTP library's error as its source.
    pub fn failed_exchange<E>(
        failure: ExchangeFailure,
        config: &crate::Config,
        attempt: Duration,
        source: E,
    ) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let endpoint = config.endpoint().as_str();
        let (kind, message) = match failure {
            ExchangeFailure::Request => (
                TransportKind::Request,
                "the request could not be built (a header value?)".to_owned(),
            ),
            ExchangeFailure::Tls => (
                TransportKind::Tls,
                "the TLS handshake failed: the server's certificate is not trusted or TLS could \
                 not be agreed (to trust a private CA, add it to Config's root certificates)"
                    .to_owned(),
            ),
            ExchangeFailure::ConnectTimeout => (
                TransportKind::Connect,
                format!(
                    "could not connect within the connect timeout of {:?} \
                     (Config::connect_timeout)",
                    config.connect_timeout()
                ),
            ),
            ExchangeFailure::Connect => (
                TransportKind::Connect,
                "could not connect (check the endpoint's host and port, and the network)"
                    .to_owned(),
            ),
            ExchangeFailure::Timeout => return Error::timeout(endpoint, attempt, source),
            ExchangeFailure::Broken => (
                TransportKind::Io,
                "the connection broke before the whole answer came".to_owned(),
            ),
        };
        Error::transport(kind, endpoint, message, source)
    }

    /// A [`TransportKind::Redirect`] error: the SDK does not follow `status` to `location`.
    pub fn redirect(endpoint: impl Into<String>, status: u16, location: Option<&str>) -> Self {
        let endpoint = endpoint.into();
        let target = match location {
            Some(location) => match url::Url::parse(&endpoint).and_then(|base| base.join(location))
            {
                Ok(url) => format!(
                    "to {}://{}",
                    url.scheme(),
                    url.host_str().unwrap_or("(no host)")
                ),
                Err(_) => "to a malformed location".to_owned(),
            },
            None => "without a Location".to_owned(),
        };
        Error::transport_message(
            TransportKind::Redirect,
            endpoint,
            format!(
                "HTTP {status} redirect {target}; redirects are never followed (the signed form \
                 would go elsewhere): configure the endpoint the gateway really answers on"
            ),
        )
    }

    /// A [`Error::Transport`] described in words only.
    pub fn transport_message(
        kind: TransportKind,
        endpoint: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Transport {
            kind,
            endpoint: endpoint.into(),
            message: message.into(),
            source: None,
        }
    }

    /// A [`TransportKind::Timeout`] error: no complete answer within `attempt`, the time the
    /// attempt had.
    pub fn timeout<E>(endpoint: impl Into<String>, attempt: Duration, source: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error::transport(
            TransportKind::Timeout,
            endpoint,
            format!(
                "no complete answer within {attempt:?}, the time this attempt had (Config::timeout \
                 bounds the whole call, retries included; Config::attempt_timeout each attempt)"
            ),
            source,
        )
    }

    /// A [`TransportKind::BodyLimit`] error: the answer announced (`Some(length)`) or
    /// reached more bytes than `limit`, the [`Config::body_limit`](crate::Config::body_limit).
    pub fn body_over_limit(
        endpoint: impl Into<String>,
        limit: u64,
        announced: Option<u64>,
    ) -> Self {
        Error::over_limit(
            endpoint.into(),
            limit,
            announced,
            "Config::body_limit".to_owned(),
        )
    }

    /// A [`TransportKind::BodyLimit`] error for an answer of `method`, whichever limit
    /// applied to it: [`Config::body_limit_for`](crate::Config::body_limit_for) `method`.
    pub fn answer_over_limit(config: &crate::Config, method: &str, announced: Option<u64>) -> Self {
        let endpoint = config.endpoint().as_str().to_owned();
        match config.method_limit(method) {
            Some(limit) => Error::over_limit(
                endpoint,
                limit as u64,
                announced,
                format!("ConfigBuilder::method_body_limit of {method}"),
            ),
            None => Error::body_over_limit(endpoint, config.body_limit() as u64, announced),
        }
    }

    fn over_limit(endpoint: String, limit: u64, announced: Option<u64>, setting: String) -> Self {
        let message = match announced {
            Some(n) => format!(
                "the answer announces {n} bytes, over the limit of {limit} bytes; it was not read \
                 (raise {setting} if such answers are expected)"
            ),
            None => format!(
                "the answer passed the limit of {limit} bytes; reading stopped there \
                 (raise {setting} if such answers are expected)"
            ),
        };
        Error::transport_message(TransportKind::BodyLimit, endpoint, message)
    }

    /// The gateway error, if this is one.
    pub fn gateway(&self) -> Option<&GatewayError> {
        match self {
            Error::Gateway(g) => Some(g),
            _ => None,
        }
    }

    /// The gateway return code, if the gateway answered with an error.
    pub fn return_code(&self) -> Option<&ReturnCode> {
        self.gateway().map(|g| &g.code)
    }

    /// The transport failure kind, if this is one.
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Error::Transport { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The request id (`stat.cid`) the gateway gave, if any.
    pub fn cid(&self) -> Option<&str> {
        match self {
            Error::Gateway(g) => g.cid.as_deref(),
            Error::Decode { cid, .. } => cid.as_deref(),
            _ => None,
        }
    }
}

/// `cid x`, or `no cid`, for an error's text.
fn cid_text(cid: Option<&str>) -> String {
    match cid {
        Some(cid) => format!("cid {cid}"),
        None => "no cid".to_owned(),
    }
}

/// What an error says instead of the body of an answer that may hold a secret (a login's).
pub(crate) const SECRET_BODY: &str =
    "(not shown: the answer to a login may hold a token; use a raw call to see it)";

/// At most [`BODY_SNIPPET_LIMIT`] bytes of a body, as text, cut on a character boundary, with
/// the values of token-like fields hidden ([`redact_secrets`](crate::engine::redact_secrets)).
pub(crate) fn body_snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_SNIPPET_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    let mut text = crate::redact::redact_secrets(text.trim());
    if body.len() > BODY_SNIPPET_LIMIT {
        text.push_str(" …");
    }
    text
}
