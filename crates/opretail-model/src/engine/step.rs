//! What a transport and the engine say to each other: the [`Moment`] and the [`HttpAnswer`]
//! the transport reports, the [`Step`] the engine answers with.

use std::time::{Duration, Instant, SystemTime};

use super::PreparedRequest;
use crate::{Error, Response};

/// The time and random bits, as the transport sees them when it asks for the next step.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    /// Wall-clock time, for `_timestamp`.
    pub wall: SystemTime,
    /// Monotonic time, for the deadline.
    pub monotonic: Instant,
    /// Random bits: the low 64 for backoff jitter, all 128 for a `_nonce` (when the
    /// configuration sends one, see [`ConfigBuilder::nonce`](crate::ConfigBuilder::nonce)).
    pub random: u128,
}

impl Moment {
    /// The clocks now and the random bits `random`.
    pub fn now(random: u128) -> Moment {
        Moment {
            wall: SystemTime::now(),
            monotonic: Instant::now(),
            random,
        }
    }
}

/// What a transport got back for a request: the HTTP status, the `Location` header if any,
/// and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The `Location` header, for a redirect's error.
    pub location: Option<String>,
    /// The body, read to its end within the body limit.
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// An answer of `status`, with its `Location` header when it had one, and its `body`.
    pub fn new(status: u16, location: Option<String>, body: Vec<u8>) -> HttpAnswer {
        HttpAnswer {
            status,
            location,
            body,
        }
    }
}

/// What the transport must do next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request, giving up on it after `timeout`; then report what came of it with
    /// [`Call::on_outcome`](super::Call::on_outcome).
    Send {
        /// The signed request.
        request: PreparedRequest,
        /// The most this attempt may take: the time left of the call, or less.
        timeout: Duration,
    },
    /// Sleep this long, then ask again.
    Sleep(Duration),
    /// Take the client's token lock (waiting for it), then pass its cache to every
    /// [`Call::next`](super::Call::next) until [`Step::Unlock`] or [`Step::Done`]. Holding it
    /// while the call logs in makes concurrent calls wait for that one login.
    Lock,
    /// Release the token lock.
    Unlock,
    /// The call is over.
    Done(Result<Response<T>, Error>),
}
