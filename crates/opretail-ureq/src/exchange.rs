//! One HTTP exchange: post a prepared form, read the answer within the body limit, and turn
//! every failure into an [`Error::Transport`] of the right kind.

use std::io;
use std::time::Duration;

use opretail_model::engine::{ExchangeFailure, HttpAnswer, PreparedRequest};
use opretail_model::{Config, Error};

use crate::budget::{AnswerBudget, Reservation};

/// Posts `request`, giving up after `timeout`. The answer comes with its reservation in
/// `budget`, to be dropped once it is decoded.
pub(crate) fn exchange<'b>(
    agent: &ureq::Agent,
    config: &Config,
    budget: &'b AnswerBudget,
    request: PreparedRequest,
    timeout: Duration,
) -> Result<(HttpAnswer, Reservation<'b>), Error> {
    // The answer's own limit: its method's, or the client's.
    let method = request.method().to_owned();
    let limit = config.body_limit_for(&method) as u64;
    let url = match request.query() {
        Some(query) => format!("{}?{query}", config.endpoint().as_str()),
        None => config.endpoint().as_str().to_owned(),
    };
    let mut builder = agent
        .post(url)
        .header("content-type", request.content_type());
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // Per request, so that a caller's own `ureq::Agent` honours the configuration too.
    let mut builder = builder.config();
    if config.endpoint().is_loopback() {
        // Never through a proxy, whatever the agent says: see `proxy.rs`.
        builder = builder.proxy(None);
    }
    let builder = builder
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .user_agent(config.user_agent())
        .build();
    let mut response = builder
        .send(request.into_body())
        .map_err(|e| transport(config, timeout, e))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let announced = response.body().content_length();
    if let Some(announced) = announced {
        if announced > limit {
            return Err(Error::answer_over_limit(config, &method, Some(announced)));
        }
    }
    // Read only once the answer fits beside those the client's other threads hold; until
    // then it waits in the socket's buffers, not in memory of ours.
    let reservation = budget.reserve(announced.unwrap_or(limit));
    let body = response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => Error::answer_over_limit(config, &method, None),
            e => transport(config, timeout, e),
        })?;
    Ok((HttpAnswer::new(status, location, body), reservation))
}

/// Tells what failed from ureq's error, which stays the source.
fn transport(config: &Config, timeout: Duration, error: ureq::Error) -> Error {
    let failure = match &error {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            ExchangeFailure::ConnectTimeout
        }
        ureq::Error::Timeout(_) => ExchangeFailure::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => ExchangeFailure::Connect,
        _ if is_tls(&error) => ExchangeFailure::Tls,
        ureq::Error::Io(io) if is_connect(io) => ExchangeFailure::Connect,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => ExchangeFailure::Request,
        _ => ExchangeFailure::Broken,
    };
    Error::failed_exchange(failure, config, timeout, error)
}

/// Whether ureq failed in TLS: told by the variant, or by the error inside an I/O error.
fn is_tls(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Tls(_) => true,
        #[cfg(feature = "rustls")]
        ureq::Error::Rustls(_) => true,
        #[cfg(feature = "native-tls")]
        ureq::Error::NativeTls(_) => true,
        ureq::Error::Io(io) => {
            opretail_model::engine::tls::is_tls_error(io, &crate::tls::is_tls_library_error)
        }
        _ => false,
    }
}

fn is_connect(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::NotFound
    )
}
