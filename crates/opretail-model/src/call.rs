//! One call from first attempt to final answer, as a state machine the transports drive.
//!
//! The transports own the I/O (sending bytes, sleeping, reading clocks); every decision
//! (signing each attempt afresh, decoding, retrying, waiting) is made here, once, for both.

use std::time::{Duration, Instant, SystemTime};

use crate::retry::RetryDecision;
use crate::{
    Error, Operation, Preparation, PreparedRequest, RequestSigner, Response, ReturnCode,
    decode_response,
};

/// The time and a random number, as the transport sees them when it asks for the next step.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    /// Wall-clock time, for `_timestamp`.
    pub wall: SystemTime,
    /// Monotonic time, for the total retry bound.
    pub monotonic: Instant,
    /// Any random number, for backoff jitter.
    pub random: u64,
}

/// What the transport must do next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request, then report with [`Call::on_response`] or
    /// [`Call::on_transport_error`].
    Send(PreparedRequest),
    /// Sleep this long, then ask again.
    Sleep(Duration),
    /// The call is over.
    Done(Result<Response<T>, Error>),
}

enum State<T> {
    Ready,
    Backoff(Duration),
    InFlight,
    Finished(Result<Response<T>, Error>),
    Taken,
}

/// One call of an operation: drive it with [`Call::next`] until it is [`Step::Done`].
///
/// ```
/// use std::time::{Instant, SystemTime};
/// use opretail_model::{Call, Config, Credentials, Moment, RawCall, RequestSigner, Step};
///
/// let signer = RequestSigner::new(Credentials::new("key", "secret")?, Config::default());
/// let op = RawCall::new("open.sandbox.echo").param("q", "1");
/// let mut call = Call::new(&signer, &op);
/// let now = || Moment { wall: SystemTime::now(), monotonic: Instant::now(), random: 7 };
/// let Step::Send(request) = call.next(now()) else { panic!() };
/// assert!(request.body().contains("_sig="));
/// // A transport would POST the body here; suppose the gateway answered:
/// call.on_response(200, br#"{"stat":{"code":"0","cid":"c"},"data":{"q":"1"}}"#, now());
/// let Step::Done(Ok(response)) = call.next(now()) else { panic!() };
/// assert_eq!(response.output["q"], "1");
/// assert_eq!(response.meta.attempts, 1);
/// # Ok::<(), opretail_model::Error>(())
/// ```
pub struct Call<'a, O: Operation + ?Sized> {
    signer: &'a RequestSigner,
    operation: &'a O,
    state: State<O::Output>,
    attempts: u32,
    overtime_retried: bool,
    started: Option<Instant>,
    sent_at: Option<Instant>,
    last_error: Option<Error>,
}

impl<'a, O: Operation + ?Sized> Call<'a, O> {
    /// A call of `operation` signed by `signer`.
    pub fn new(signer: &'a RequestSigner, operation: &'a O) -> Self {
        Call {
            signer,
            operation,
            state: State::Ready,
            attempts: 0,
            overtime_retried: false,
            started: None,
            sent_at: None,
            last_error: None,
        }
    }

    /// Attempts sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The error of the last failed attempt that is being retried, if any (for logs).
    pub fn last_error(&self) -> Option<&Error> {
        self.last_error.as_ref()
    }

    /// The next thing to do.
    pub fn next(&mut self, now: Moment) -> Step<O::Output> {
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Finished(result) => Step::Done(result),
            State::Backoff(delay) => {
                self.state = State::Ready;
                Step::Sleep(delay)
            }
            State::Taken => Step::Done(Err(Error::invalid_input(
                "call",
                "the call is already over",
            ))),
            State::InFlight => {
                self.state = State::InFlight;
                Step::Done(Err(Error::invalid_input(
                    "call",
                    "an attempt is in flight: report its outcome first",
                )))
            }
            State::Ready => {
                self.started.get_or_insert(now.monotonic);
                match self.signer.prepare(self.operation, now.wall) {
                    Ok(Preparation::Ready(request)) => {
                        self.attempts += 1;
                        self.sent_at = Some(now.monotonic);
                        self.state = State::InFlight;
                        Step::Send(request)
                    }
                    Ok(Preparation::Wait(delay)) => {
                        self.state = State::Ready;
                        Step::Sleep(delay)
                    }
                    Err(e) => Step::Done(Err(e)),
                }
            }
        }
    }

    /// Reports the HTTP answer to the request last sent, and the moment it came. Call
    /// [`Call::next`] afterwards.
    pub fn on_response(&mut self, status: u16, body: &[u8], now: Moment) {
        let attempts = self.attempts;
        let outcome = decode_response(self.operation, status, body).map(|mut response| {
            response.meta.attempts = attempts;
            response
        });
        self.settle(outcome, now);
    }

    /// Reports that the request last sent got no answer, and the moment the failure came.
    pub fn on_transport_error(&mut self, error: Error, now: Moment) {
        self.settle(Err(error), now);
    }

    fn settle(&mut self, outcome: Result<Response<O::Output>, Error>, now: Moment) {
        self.trace_attempt(&outcome, now);
        let error = match outcome {
            Ok(response) => {
                self.last_error = None;
                self.state = State::Finished(Ok(response));
                return;
            }
            Err(error) => error,
        };
        let elapsed = self.started.map_or(Duration::ZERO, |s| {
            now.monotonic.saturating_duration_since(s)
        });
        let subsec = now
            .wall
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let policy = self.signer.config().retry();
        match policy.decide(
            &error,
            self.attempts,
            self.overtime_retried,
            elapsed,
            subsec,
            now.random,
        ) {
            RetryDecision::Stop => self.state = State::Finished(Err(error)),
            RetryDecision::RetryAfter(delay) => {
                if error.return_code() == Some(&ReturnCode::TimestampOvertime) {
                    self.overtime_retried = true;
                }
                self.last_error = Some(error);
                self.state = if delay.is_zero() {
                    State::Ready
                } else {
                    State::Backoff(delay)
                };
            }
        }
    }

    /// Records the end of an attempt as a `tracing` event: method, attempt, return code,
    /// `cid` and duration; never the form (it carries `_sig`) nor anything of the credentials.
    fn trace_attempt(&self, outcome: &Result<Response<O::Output>, Error>, now: Moment) {
        let method = self.operation.method();
        let attempt = self.attempts;
        let elapsed = self.sent_at.map_or(Duration::ZERO, |at| {
            now.monotonic.saturating_duration_since(at)
        });
        let duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        match outcome {
            Ok(response) => tracing::debug!(
                method,
                attempt,
                code = 0_i64,
                cid = response.meta.cid.as_deref().unwrap_or(""),
                duration_ms,
                "attempt succeeded"
            ),
            Err(error) => tracing::debug!(
                method,
                attempt,
                code = error.return_code().map(ReturnCode::code),
                cid = error.cid().unwrap_or(""),
                duration_ms,
                error = %error,
                "attempt failed"
            ),
        }
    }
}
