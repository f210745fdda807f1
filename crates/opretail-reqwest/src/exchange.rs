//! One HTTP exchange: post a prepared form, read the answer within the body limit, and turn
//! every failure into an [`Error::Transport`] of the right kind.

use std::error::Error as StdError;

use bytes::Bytes;
use opretail_model::{
    Config, Error, FORM_CONTENT_TYPE, PreparedRequest, TransportKind, looks_like_tls,
};
use reqwest::header::{CONTENT_TYPE, USER_AGENT};

/// Posts `request` and returns the HTTP status and the whole body.
pub(crate) async fn exchange(
    http: &reqwest::Client,
    url: &reqwest::Url,
    config: &Config,
    request: &PreparedRequest,
) -> Result<(u16, Bytes), Error> {
    let mut builder = http
        .post(url.clone())
        .header(CONTENT_TYPE, FORM_CONTENT_TYPE)
        .header(USER_AGENT, config.user_agent())
        // Per request, so that a caller's own `reqwest::Client` honours the configuration too.
        .timeout(config.timeout())
        .body(request.body().to_owned());
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let mut response = builder.send().await.map_err(|e| transport(config, e))?;
    let status = response.status().as_u16();
    let limit = config.body_limit();
    if let Some(announced) = response.content_length() {
        if announced > limit as u64 {
            return Err(over_limit(config, Some(announced)));
        }
    }
    // Most answers come in one chunk: keep it as it is, copying only when there are more.
    let mut first = Bytes::new();
    let mut joined: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(config, e))? {
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(over_limit(config, None));
        }
        if first.is_empty() && joined.is_empty() {
            first = chunk;
        } else {
            if joined.is_empty() {
                joined.extend_from_slice(&first);
            }
            joined.extend_from_slice(&chunk);
        }
    }
    let body = if joined.is_empty() {
        first
    } else {
        Bytes::from(joined)
    };
    Ok((status, body))
}

fn over_limit(config: &Config, announced: Option<u64>) -> Error {
    Error::body_over_limit(
        config.endpoint().as_str(),
        config.body_limit() as u64,
        announced,
    )
}

/// Maps a reqwest failure to its kind, with a message that says which limit was hit.
fn transport(config: &Config, error: reqwest::Error) -> Error {
    // The endpoint is already in the error's own text.
    let error = error.without_url();
    let chain = describe(&error);
    let (kind, message) = if error.is_builder() {
        (TransportKind::Request, chain)
    } else if error.is_timeout() && error.is_connect() {
        (
            TransportKind::Timeout,
            format!(
                "could not connect within the connect timeout of {:?} (Config::connect_timeout): {chain}",
                config.connect_timeout()
            ),
        )
    } else if error.is_timeout() {
        (
            TransportKind::Timeout,
            format!(
                "no complete answer within the timeout of {:?} per attempt (Config::timeout): {chain}",
                config.timeout()
            ),
        )
    } else if looks_like_tls(&chain) {
        (TransportKind::Tls, chain)
    } else if error.is_connect() {
        (TransportKind::Connect, chain)
    } else {
        (TransportKind::Io, chain)
    };
    Error::Transport {
        kind,
        endpoint: config.endpoint().as_str().to_owned(),
        message,
        source: Some(Box::new(error)),
    }
}

/// The error and its sources in one line: reqwest's own message alone rarely says what broke.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
