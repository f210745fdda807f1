//! One HTTP exchange: post a prepared form, read the answer within the body limit, and turn
//! every failure into an [`Error::Transport`] of the right kind.

use std::io;

use opretail_model::{
    Config, Error, FORM_CONTENT_TYPE, PreparedRequest, TransportKind, looks_like_tls,
};

/// Posts `request` and returns the HTTP status and the whole body.
pub(crate) fn exchange(
    agent: &ureq::Agent,
    config: &Config,
    request: &PreparedRequest,
) -> Result<(u16, Vec<u8>), Error> {
    let mut builder = agent
        .post(config.endpoint().as_str())
        .header("content-type", FORM_CONTENT_TYPE);
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // Per request, so that a caller's own `ureq::Agent` honours the configuration too.
    let builder = builder
        .config()
        .http_status_as_error(false)
        .timeout_global(Some(config.timeout()))
        .user_agent(config.user_agent())
        .build();
    let mut response = builder
        .send(request.body())
        .map_err(|e| transport(config, e))?;
    let status = response.status().as_u16();
    let limit = config.body_limit();
    if let Some(announced) = response.body().content_length() {
        if announced > limit as u64 {
            return Err(Error::body_over_limit(
                config.endpoint().as_str(),
                limit as u64,
                Some(announced),
            ));
        }
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(limit as u64)
        .read_to_vec()
        .map_err(|e| transport(config, e))?;
    Ok((status, body))
}

/// Maps a ureq failure to its kind, with a message that says which limit was hit.
fn transport(config: &Config, error: ureq::Error) -> Error {
    let text = error.to_string();
    let (kind, message) = match &error {
        ureq::Error::Timeout(ureq::Timeout::Connect) => (
            TransportKind::Timeout,
            format!(
                "could not connect within the connect timeout of {:?} (Config::connect_timeout)",
                config.connect_timeout()
            ),
        ),
        ureq::Error::Timeout(which) => (
            TransportKind::Timeout,
            format!(
                "no complete answer within the timeout of {:?} per attempt (Config::timeout; \
                 ureq's {which} timer fired)",
                config.timeout()
            ),
        ),
        ureq::Error::BodyExceedsLimit(limit) => {
            return Error::body_over_limit(config.endpoint().as_str(), *limit, None);
        }
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => (TransportKind::Connect, text),
        ureq::Error::Io(_) if looks_like_tls(&text) => (TransportKind::Tls, text),
        ureq::Error::Io(io) => (io_kind(io), text),
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => (TransportKind::Request, text),
        ureq::Error::Tls(_) => (TransportKind::Tls, text),
        // The TLS variants exist only with some of ureq's features: tell them by their text.
        _ if looks_like_tls(&text) => (TransportKind::Tls, text),
        _ => (TransportKind::Io, text),
    };
    Error::Transport {
        kind,
        endpoint: config.endpoint().as_str().to_owned(),
        message,
        source: Some(Box::new(error)),
    }
}

fn io_kind(error: &io::Error) -> TransportKind {
    match error.kind() {
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::NotFound => TransportKind::Connect,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportKind::Timeout,
        _ => TransportKind::Io,
    }
}
