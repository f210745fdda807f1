//! One HTTP exchange: post a prepared form, read the answer within the body limit, and turn
//! every failure into an [`Error::Transport`] of the right kind.

use std::io;

use opretail_model::{Config, Error, FORM_CONTENT_TYPE, PreparedRequest, TransportKind};

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
            return Err(Error::transport_message(
                TransportKind::BodyLimit,
                config.endpoint().as_str(),
                format!(
                    "the answer announces {announced} bytes, over the limit of {limit} bytes; it \
                     was not read (raise Config::body_limit if such answers are expected)"
                ),
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
        ureq::Error::BodyExceedsLimit(limit) => (
            TransportKind::BodyLimit,
            format!(
                "the answer passed the limit of {limit} bytes; reading stopped there \
                 (raise Config::body_limit if such answers are expected)"
            ),
        ),
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

/// TLS failures reach us as their libraries' errors (wrapped in I/O errors, or in variants
/// that exist only with some features): their messages are telling enough.
fn looks_like_tls(text: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "tls",
        "ssl",
        "certificate",
        "handshake",
        "corrupt message",
        "alert",
    ];
    let lower = text.to_ascii_lowercase();
    SIGNS.iter().any(|sign| lower.contains(sign))
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
