//! The attempts of one operation, from the first to the final answer: signing each afresh,
//! pacing, decoding, retrying, the deadline. [`Call`](super::Call) runs one (two after a
//! refused token) and the token handshake around them.

use std::time::{Duration, Instant};

use super::{Budget, Engine, HttpAnswer, Moment, Pace, Preparation, RetryDecision, Step};
use crate::recording::Exchange;
use crate::token::Ticket;
use crate::{Error, Operation, Response, ReturnCode, decode_response_capped};

enum State<T> {
    /// Ready to prepare an attempt; the error of the last attempt, if one failed.
    Ready(Option<Error>),
    /// Sleep before the next attempt.
    Backoff(Duration, Error),
    InFlight,
    Finished(Result<Response<T>, Error>),
    Over,
}

/// The attempts of one operation with one token (or none).
///
/// Asking for the next step while an attempt is in flight, reporting an outcome when none is,
/// or going on after [`Step::Done`] is a bug in the transport, and panics.
pub(crate) struct Attempts<'a, O: Operation + ?Sized> {
    engine: &'a Engine,
    operation: &'a O,
    ticket: Option<Ticket>,
    state: State<O::Output>,
    budget: Budget,
    overall: Duration,
    sent_at: Instant,
    /// Whether the next attempt holds its slot of the rate limit already.
    paced: bool,
}

impl<'a, O: Operation + ?Sized> Attempts<'a, O> {
    /// The attempts of `operation` with `ticket`'s token if any, spending `budget`.
    pub(crate) fn new(
        engine: &'a Engine,
        operation: &'a O,
        ticket: Option<Ticket>,
        budget: Budget,
        start: Moment,
    ) -> Self {
        Attempts {
            engine,
            operation,
            ticket,
            state: State::Ready(None),
            budget,
            overall: engine.config().timeout(),
            sent_at: start.monotonic,
            paced: false,
        }
    }

    /// What the attempts spent so far.
    pub(crate) fn budget(&self) -> Budget {
        self.budget
    }

    /// The token sent, if any.
    pub(crate) fn ticket(&self) -> Option<&Ticket> {
        self.ticket.as_ref()
    }

    /// The next thing to do.
    ///
    /// # Panics
    ///
    /// While an attempt is in flight, and after [`Step::Done`] was returned.
    pub(crate) fn next(&mut self, now: Moment) -> Step<O::Output> {
        // The state is taken out whole only to end it: it is as large as the output
        // (`TotalData` is about a kilobyte), and every attempt passes here.
        match &mut self.state {
            State::Ready(last_error) => {
                let last_error = last_error.take();
                self.state = State::Over;
                self.attempt(last_error, now)
            }
            State::InFlight => panic!(
                "Call::next while an attempt is in flight: report its outcome with \
                 Call::on_outcome first"
            ),
            State::Over => panic!("Call::next after the call returned Step::Done"),
            State::Finished(_) | State::Backoff(..) => {
                match std::mem::replace(&mut self.state, State::Over) {
                    State::Finished(result) => Step::Done(result),
                    State::Backoff(delay, error) => {
                        self.state = State::Ready(Some(error));
                        Step::Sleep(delay)
                    }
                    State::Ready(_) | State::InFlight | State::Over => {
                        unreachable!("matched above")
                    }
                }
            }
        }
    }

    fn attempt(&mut self, last_error: Option<Error>, now: Moment) -> Step<O::Output> {
        let left = self
            .budget
            .deadline
            .saturating_duration_since(now.monotonic);
        if left.is_zero() {
            return Step::Done(Err(last_error.unwrap_or_else(|| self.deadline_passed())));
        }
        if !self.paced {
            match self
                .engine
                .rate_limiter()
                .pace(now.monotonic, self.budget.deadline)
            {
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
        let config = self.engine.config();
        let headers = self
            .ticket
            .as_ref()
            .map_or_else(Vec::new, |t| t.header(config.token_header()));
        match self.engine.prepare(self.operation, &headers, now) {
            Ok(Preparation::Ready(request)) => {
                self.paced = false;
                self.budget.attempts += 1;
                self.sent_at = now.monotonic;
                self.state = State::InFlight;
                let timeout = match self.engine.config().attempt_timeout() {
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
                self.engine.config().rate_limit().unwrap_or_default()
            ),
        )
    }

    fn deadline_passed(&self) -> Error {
        if self.budget.attempts > 0 {
            // Only a repeat after a new login gets here with attempts made and no error kept.
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
    pub(crate) fn on_response(
        &mut self,
        status: u16,
        location: Option<&str>,
        body: &[u8],
        now: Moment,
    ) {
        self.expect_in_flight("Call::on_response");
        if let Some(observer) = self.engine.config().exchange_observer() {
            let params = self.operation.params();
            observer.observe(&Exchange::new(
                self.operation.method(),
                self.operation.version(),
                &params,
                status,
                body,
                now.wall,
            ));
        }
        let outcome = if (300..400).contains(&status) {
            let endpoint = self.engine.config().endpoint().as_str();
            Err(Error::redirect(endpoint, status, location))
        } else {
            let attempts = self.budget.attempts;
            let limits = self.engine.config().answer_limits();
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
    pub(crate) fn on_outcome(&mut self, outcome: Result<HttpAnswer, Error>, now: Moment) {
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
    pub(crate) fn on_transport_error(&mut self, error: Error, now: Moment) {
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
        let policy = self.engine.config().retry();
        let idempotent = self.operation.idempotent();
        self.state = match policy.decide(&error, &mut self.budget, idempotent, now) {
            RetryDecision::Stop => State::Finished(Err(error)),
            RetryDecision::RetryAfter(delay) => {
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
        let attempt = self.budget.attempts;
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
