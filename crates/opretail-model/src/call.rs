//! One call from first attempt to final answer, as a state machine the transports drive.
//!
//! The transports own the I/O (sending bytes, sleeping, reading clocks); every decision
//! (signing each attempt afresh, decoding, retrying, waiting, pacing under the rate limit,
//! the deadline) is made here, once, for both.

use std::time::{Duration, Instant, SystemTime};

use crate::retry::{RetryDecision, RetryState};
use crate::{
    Error, Operation, Pace, Preparation, PreparedRequest, RequestPreparer, Response, ReturnCode,
    decode_response_capped,
};

/// The time and a random number, as the transport sees them when it asks for the next step.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    /// Wall-clock time, for `_timestamp`.
    pub wall: SystemTime,
    /// Monotonic time, for the deadline.
    pub monotonic: Instant,
    /// Any random number, for backoff jitter.
    pub random: u64,
}

impl Moment {
    /// The clocks now and a random number from `random`.
    pub fn now(random: u64) -> Moment {
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

/// What the transport must do next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request, giving up on it after `timeout`; then report with
    /// [`Call::on_response`] or [`Call::on_transport_error`].
    Send {
        /// The signed request.
        request: PreparedRequest,
        /// The most this attempt may take: the time left of the call, or less.
        timeout: Duration,
    },
    /// Sleep this long, then ask again.
    Sleep(Duration),
    /// The call is over.
    Done(Result<Response<T>, Error>),
}

enum State<T> {
    /// Ready to prepare an attempt; the error of the last attempt, if one failed.
    Ready(Option<Error>),
    /// Sleep before the next attempt.
    Backoff(Duration, Error),
    InFlight,
    Finished(Result<Response<T>, Error>),
    Over,
}

/// One call of an operation: drive it with [`Call::next`] until it is [`Step::Done`].
///
/// Asking for the next step while an attempt is in flight, reporting an outcome when none is,
/// or going on after [`Step::Done`] is a bug in the transport, and panics.
///
/// ```
/// use opretail_model::{Call, Config, Credentials, Moment, RawCall, RequestPreparer, Step};
///
/// let preparer = RequestPreparer::new(Credentials::new("key", "secret")?, Config::default());
/// let op = RawCall::new("open.sandbox.echo").param("q", "1");
/// let mut call = Call::new(&preparer, &op, Vec::new(), Moment::now(7));
/// let Step::Send { request, .. } = call.next(Moment::now(7)) else { panic!() };
/// assert!(request.body().contains("_sig="));
/// // A transport would POST the body here; suppose the gateway answered:
/// let body = br#"{"stat":{"code":"0","cid":"c"},"data":{"q":"1"}}"#;
/// call.on_response(200, None, body, Moment::now(7));
/// let Step::Done(Ok(response)) = call.next(Moment::now(7)) else { panic!() };
/// assert_eq!(response.output["q"], "1");
/// assert_eq!(response.meta.attempts, 1);
/// # Ok::<(), opretail_model::Error>(())
/// ```
pub struct Call<'a, O: Operation + ?Sized> {
    preparer: &'a RequestPreparer,
    operation: &'a O,
    headers: Vec<(&'a str, &'a str)>,
    state: State<O::Output>,
    retry: RetryState,
    overall: Duration,
    sent_at: Instant,
    /// Whether the next attempt holds its slot of the rate limit already.
    paced: bool,
}

impl<'a, O: Operation + ?Sized> Call<'a, O> {
    /// A call of `operation` prepared by `preparer`, starting at `start`, with extra
    /// `headers` (a login token, say) on every attempt.
    pub fn new(
        preparer: &'a RequestPreparer,
        operation: &'a O,
        headers: Vec<(&'a str, &'a str)>,
        start: Moment,
    ) -> Self {
        let overall = preparer.config().timeout();
        Call {
            preparer,
            operation,
            headers,
            state: State::Ready(None),
            retry: RetryState {
                attempts: 0,
                overtime_retried: false,
                deadline: start.monotonic + overall,
                idempotent: operation.idempotent(),
            },
            overall,
            sent_at: start.monotonic,
            paced: false,
        }
    }

    /// This call as the repeat of an earlier one whose [`Call::progress`] was `earlier`: the
    /// same operation sent again after a new login, because the gateway refused the first
    /// one's token. Its attempts count on from the earlier call's, in the retry policy's
    /// limit and in [`ResponseMeta::attempts`](crate::ResponseMeta::attempts), and it keeps
    /// the earlier call's deadline, so that [`Config::timeout`](crate::Config::timeout)
    /// bounds both together.
    pub fn repeating(mut self, earlier: &RetryState) -> Self {
        self.retry.attempts = earlier.attempts;
        self.retry.deadline = earlier.deadline;
        self
    }

    /// Attempts sent so far.
    pub fn attempts(&self) -> u32 {
        self.retry.attempts
    }

    /// Where the call stands: its attempts so far and its deadline, for
    /// [`Call::repeating`].
    pub fn progress(&self) -> RetryState {
        self.retry
    }

    /// The next thing to do.
    ///
    /// # Panics
    ///
    /// While an attempt is in flight, and after [`Step::Done`] was returned.
    pub fn next(&mut self, now: Moment) -> Step<O::Output> {
        match std::mem::replace(&mut self.state, State::Over) {
            State::Finished(result) => Step::Done(result),
            State::Backoff(delay, error) => {
                self.state = State::Ready(Some(error));
                Step::Sleep(delay)
            }
            State::Ready(last_error) => self.attempt(last_error, now),
            State::InFlight => panic!(
                "Call::next while an attempt is in flight: report its outcome with \
                 Call::on_response or Call::on_transport_error first"
            ),
            State::Over => panic!("Call::next after the call returned Step::Done"),
        }
    }

    fn attempt(&mut self, last_error: Option<Error>, now: Moment) -> Step<O::Output> {
        let left = self.retry.deadline.saturating_duration_since(now.monotonic);
        if left.is_zero() {
            return Step::Done(Err(last_error.unwrap_or_else(|| self.deadline_passed())));
        }
        if !self.paced {
            match self.preparer.pace(now.monotonic, self.retry.deadline) {
                Pace::Now => self.paced = true,
                Pace::At(at) => {
                    self.paced = true;
                    self.state = State::Ready(last_error);
                    return Step::Sleep(at - now.monotonic);
                }
                Pace::AfterDeadline => {
                    return Step::Done(Err(last_error.unwrap_or_else(|| self.no_slot())));
                }
            }
        }
        let headers = &self.headers;
        match self.preparer.prepare(self.operation, headers, now.wall) {
            Ok(Preparation::Ready(request)) => {
                self.paced = false;
                self.retry.attempts += 1;
                self.sent_at = now.monotonic;
                self.state = State::InFlight;
                let timeout = match self.preparer.config().attempt_timeout() {
                    Some(cap) => cap.min(left),
                    None => left,
                };
                Step::Send { request, timeout }
            }
            Ok(Preparation::Wait(delay)) if delay < left => {
                self.state = State::Ready(last_error);
                Step::Sleep(delay)
            }
            Ok(Preparation::Wait(_)) => {
                Step::Done(Err(last_error.unwrap_or_else(|| self.deadline_passed())))
            }
            Err(e) => Step::Done(Err(e)),
        }
    }

    fn no_slot(&self) -> Error {
        Error::invalid_input(
            "rate_limit",
            format!(
                "the call's timeout of {:?} (Config::timeout) would pass before its turn under \
                 the rate limit of {} requests a second (Config::rate_limit): too many calls \
                 are waiting; send fewer at once, or raise the timeout or the limit",
                self.overall,
                self.preparer.config().rate_limit().unwrap_or_default()
            ),
        )
    }

    fn deadline_passed(&self) -> Error {
        if self.retry.attempts > 0 {
            // Only a repeat (see `repeating`) gets here with attempts made and no error kept.
            return Error::invalid_input(
                "timeout",
                format!(
                    "the call's timeout of {:?} (Config::timeout) passed while logging in \
                     again, before the call could be repeated with the new token; raise the \
                     timeout",
                    self.overall
                ),
            );
        }
        Error::invalid_input(
            "timeout",
            format!(
                "the call's timeout of {:?} (Config::timeout) passed before a request could \
                 be sent: identical calls were already sent in every allowed second; raise the \
                 timeout or Config::replay_backdate",
                self.overall
            ),
        )
    }

    /// Reports the HTTP answer to the request last sent (its status, its `Location` header
    /// if any, and its body), and the moment it came. Call [`Call::next`] afterwards.
    ///
    /// A redirect (3xx) is an error, never followed: the signed form would go elsewhere.
    ///
    /// # Panics
    ///
    /// When no attempt is in flight.
    pub fn on_response(&mut self, status: u16, location: Option<&str>, body: &[u8], now: Moment) {
        self.expect_in_flight("Call::on_response");
        let outcome = if (300..400).contains(&status) {
            let endpoint = self.preparer.config().endpoint().as_str();
            Err(Error::redirect(endpoint, status, location))
        } else {
            let attempts = self.retry.attempts;
            let limits = self.preparer.config().answer_limits();
            decode_response_capped(self.operation, status, body, limits).map(|mut response| {
                response.meta.attempts = attempts;
                response
            })
        };
        self.settle(outcome, now);
    }

    /// Reports what came of the request last sent: an answer, or the transport's error.
    ///
    /// # Panics
    ///
    /// When no attempt is in flight.
    pub fn on_outcome(&mut self, outcome: Result<HttpAnswer, Error>, now: Moment) {
        match outcome {
            Ok(answer) => {
                self.on_response(answer.status, answer.location.as_deref(), &answer.body, now)
            }
            Err(error) => self.on_transport_error(error, now),
        }
    }

    /// Reports that the request last sent got no answer, and the moment the failure came.
    ///
    /// # Panics
    ///
    /// When no attempt is in flight.
    pub fn on_transport_error(&mut self, error: Error, now: Moment) {
        self.expect_in_flight("Call::on_transport_error");
        self.settle(Err(error), now);
    }

    fn expect_in_flight(&self, what: &str) {
        assert!(
            matches!(self.state, State::InFlight),
            "{what} without an attempt in flight: send the request of Step::Send first"
        );
    }

    fn settle(&mut self, outcome: Result<Response<O::Output>, Error>, now: Moment) {
        self.trace_attempt(&outcome, now);
        let error = match outcome {
            Ok(response) => {
                self.state = State::Finished(Ok(response));
                return;
            }
            Err(error) => error,
        };
        let policy = self.preparer.config().retry();
        self.state = match policy.decide(&error, &self.retry, now) {
            RetryDecision::Stop => State::Finished(Err(error)),
            RetryDecision::RetryAfter(delay) => {
                if error.return_code() == Some(&ReturnCode::TimestampOvertime) {
                    self.retry.overtime_retried = true;
                }
                if delay.is_zero() {
                    State::Ready(Some(error))
                } else {
                    State::Backoff(delay, error)
                }
            }
        };
    }

    /// Records the end of an attempt as a `tracing` event: method, attempt, return code,
    /// `cid` and duration; never the form (it carries `_sig`), the headers (they may carry a
    /// token) nor anything of the credentials.
    fn trace_attempt(&self, outcome: &Result<Response<O::Output>, Error>, now: Moment) {
        let method = self.operation.method();
        let attempt = self.retry.attempts;
        let elapsed = now.monotonic.saturating_duration_since(self.sent_at);
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
