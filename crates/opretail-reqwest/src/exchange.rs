//! One HTTP exchange: post a prepared form, read the answer within the body limit, and turn
//! every failure into an [`Error::Transport`] of the right kind.

use std::time::Duration;

use opretail_model::engine::{HttpAnswer, PreparedRequest};
use opretail_model::{Config, Error, TransportKind};
use reqwest::header::{CONTENT_TYPE, HeaderValue, LOCATION, USER_AGENT};

/// The headers every request carries, checked once rather than at every request.
#[derive(Debug, Clone)]
pub(crate) struct CommonHeaders {
    content_type: HeaderValue,
    /// `None` if the configured user agent is no valid header value: each request then
    /// fails to build, as it says.
    user_agent: Option<HeaderValue>,
}

impl CommonHeaders {
    pub(crate) fn new(config: &Config) -> CommonHeaders {
        CommonHeaders {
            content_type: HeaderValue::from_static(PreparedRequest::CONTENT_TYPE),
            user_agent: HeaderValue::from_str(config.user_agent()).ok(),
        }
    }
}

/// Posts `request`, giving up after `timeout`.
pub(crate) async fn exchange(
    http: &reqwest::Client,
    url: &reqwest::Url,
    config: &Config,
    common: &CommonHeaders,
    request: PreparedRequest,
    timeout: Duration,
) -> Result<HttpAnswer, Error> {
    let builder = http
        .post(url.clone())
        .header(CONTENT_TYPE, common.content_type.clone());
    let mut builder = match &common.user_agent {
        Some(agent) => builder.header(USER_AGENT, agent.clone()),
        None => builder.header(USER_AGENT, config.user_agent()),
    }
    .timeout(timeout);
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let mut response = builder
        .body(request.into_body())
        .send()
        .await
        .map_err(|e| transport(config, timeout, e))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limit = config.body_limit();
    if let Some(announced) = response.content_length() {
        if announced > limit as u64 {
            return Err(over_limit(config, Some(announced)));
        }
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(config, timeout, e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(over_limit(config, None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpAnswer {
        status,
        location,
        body,
    })
}

fn over_limit(config: &Config, announced: Option<u64>) -> Error {
    Error::body_over_limit(
        config.endpoint().as_str(),
        config.body_limit() as u64,
        announced,
    )
}

/// Maps a reqwest failure to its kind. The message says what happened in the SDK's terms;
/// reqwest's error, with its chain, is the source.
fn transport(config: &Config, timeout: Duration, error: reqwest::Error) -> Error {
    let endpoint = config.endpoint().as_str();
    let error = error.without_url();
    let (kind, message) = if error.is_builder() {
        (
            TransportKind::Request,
            "the request could not be built (a header value?)".to_owned(),
        )
    } else if crate::tls::is_tls_error(&error) {
        (
            TransportKind::Tls,
            "the TLS handshake failed: the server's certificate is not trusted or TLS could \
             not be agreed (to trust a private CA, add it to Config's root certificates)"
                .to_owned(),
        )
    } else if error.is_connect() && error.is_timeout() {
        (
            TransportKind::Connect,
            format!(
                "could not connect within the connect timeout of {:?} (Config::connect_timeout)",
                config.connect_timeout()
            ),
        )
    } else if error.is_timeout() {
        return Error::timeout(endpoint, timeout, error);
    } else if error.is_connect() {
        (
            TransportKind::Connect,
            "could not connect (check the endpoint's host and port, and the network)".to_owned(),
        )
    } else {
        (
            TransportKind::Io,
            "the connection broke before the whole answer came".to_owned(),
        )
    };
    Error::transport(kind, endpoint, message, error)
}
