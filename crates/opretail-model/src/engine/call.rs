//! [`Call`]: one call as the transports drive it, the token handshake included.

use super::attempts::Attempts;
use super::{Budget, Engine, HttpAnswer, Moment, Step};
use crate::token::{Ticket, TokenCache, TokenPlan};
use crate::{Error, Operation, Response, ResponseMeta, UserLogin};

/// Where a call stands.
enum Phase<'a, O: Operation + ?Sized> {
    /// Nothing done yet.
    Start,
    /// [`Step::Lock`] was returned: the next step decides with the token cache. `refused` is
    /// the token the gateway refused, `earlier` what the refused try spent.
    WantLock {
        refused: Option<Ticket>,
        earlier: Option<Budget>,
    },
    /// Logging in, holding the token lock.
    LoggingIn {
        login: Attempts<'a, UserLogin>,
        earlier: Option<Budget>,
    },
    /// The operation's attempts; `repeated` once they are the one repeat with a new token.
    Running {
        attempts: Attempts<'a, O>,
        repeated: bool,
    },
    Over,
}

/// One call of an operation: drive it with [`Call::next`] until it is [`Step::Done`].
///
/// Every decision is made here, once for both transports: whether the operation needs the
/// user's token, whether the cached token will do or a login must come first (one login for
/// all concurrent calls: the transport holds its token lock from [`Step::Lock`] to
/// [`Step::Unlock`]), signing each attempt afresh, pacing under the rate limit, decoding,
/// retrying, the deadline, and the one repeat with a new login after the gateway refused the
/// token (`TOKEN_NOT_EXIST`, 9990001). The transport sends, sleeps and locks.
///
/// Asking for the next step while an attempt is in flight, reporting an outcome when none is,
/// or going on after [`Step::Done`] is a bug in the transport, and panics.
///
/// ```
/// use opretail_model::engine::{Call, Engine, Moment, Step};
/// use opretail_model::{Config, Credentials, RawCall};
///
/// let engine = Engine::new(Credentials::new("key", "secret")?, Config::default());
/// let op = RawCall::new("open.sandbox.echo").param("q", "1");
/// let mut call = Call::new(&engine, &op, Moment::now(7));
/// let Step::Send { request, .. } = call.next(Moment::now(7), None) else { panic!() };
/// assert!(request.body().contains("_sig="));
/// // A transport would POST the body here; suppose the gateway answered:
/// let body = br#"{"stat":{"code":"0","cid":"c"},"data":{"q":"1"}}"#;
/// call.on_response(200, None, body, Moment::now(7));
/// let Step::Done(Ok(response)) = call.next(Moment::now(7), None) else { panic!() };
/// assert_eq!(response.output["q"], "1");
/// assert_eq!(response.meta.attempts, 1);
/// # Ok::<(), opretail_model::Error>(())
/// ```
///
/// A transport's whole drive loop:
///
/// ```text
/// let mut guard = None;
/// loop {
///     match call.next(now(), guard.as_deref_mut()) {
///         Step::Send { request, timeout } => call.on_outcome(send(request, timeout), now()),
///         Step::Sleep(delay) => sleep(delay),
///         Step::Lock => guard = Some(token_lock.lock()),
///         Step::Unlock => guard = None,
///         Step::Done(result) => return result,
///     }
/// }
/// ```
pub struct Call<'a, O: Operation + ?Sized> {
    engine: &'a Engine,
    /// `None` for an explicit login ([`Call::login`]).
    operation: Option<&'a O>,
    /// What an explicit login ends with.
    login_only: Option<O::Output>,
    phase: Phase<'a, O>,
    attempts: u32,
}

impl<'a, O: Operation + ?Sized> Call<'a, O> {
    /// A call of `operation` with `engine`'s credentials, configuration and token source,
    /// starting at `start`.
    pub fn new(engine: &'a Engine, operation: &'a O, start: Moment) -> Self {
        let mut call = Call {
            engine,
            operation: Some(operation),
            login_only: None,
            phase: Phase::Start,
            attempts: 0,
        };
        if !operation.needs_token() {
            call.phase = call.running(operation, None, None, start);
        }
        call
    }

    /// The `tracing` span to run the call in: `opretail.call` with the method, and the
    /// attempts recorded when the call is done.
    pub fn span(&self) -> tracing::Span {
        let method = self.operation.map_or("login", |op| op.method());
        tracing::info_span!("opretail.call", method, attempts = tracing::field::Empty)
    }

    /// Attempts sent so far, the login's not counted.
    pub fn attempts(&self) -> u32 {
        match &self.phase {
            Phase::Running { attempts, .. } => attempts.budget().attempts,
            _ => self.attempts,
        }
    }

    fn running(
        &self,
        operation: &'a O,
        ticket: Option<Ticket>,
        earlier: Option<Budget>,
        now: Moment,
    ) -> Phase<'a, O> {
        let repeated = earlier.is_some();
        let budget = earlier.unwrap_or_else(|| self.fresh_budget(now));
        Phase::Running {
            attempts: Attempts::new(self.engine, operation, ticket, budget, now),
            repeated,
        }
    }

    fn fresh_budget(&self, now: Moment) -> Budget {
        let timeout = self.engine.config().timeout();
        Budget::until(now.monotonic.checked_add(timeout).unwrap_or(now.monotonic))
    }

    /// The next thing to do. `tokens` is the token cache while the transport holds the token
    /// lock (from [`Step::Lock`] to [`Step::Unlock`] or [`Step::Done`]), `None` otherwise.
    ///
    /// # Panics
    ///
    /// While an attempt is in flight, after [`Step::Done`] was returned, and without `tokens`
    /// after [`Step::Lock`].
    pub fn next(&mut self, now: Moment, mut tokens: Option<&mut TokenCache>) -> Step<O::Output> {
        // The attempts, where a call spends its time, are driven in place: the phase holds
        // them, and with them room for the output (about a kilobyte for `TotalData`), which
        // taking the phase out and putting it back would copy twice a step.
        if let Phase::Running { attempts, repeated } = &mut self.phase {
            let step = attempts.next(now);
            self.attempts = attempts.budget().attempts;
            return match step {
                Step::Done(Err(error))
                    if !*repeated
                        && attempts.ticket().is_some()
                        && self.engine.token_source().log_in_again(&error) =>
                {
                    self.phase = Phase::WantLock {
                        refused: attempts.ticket().cloned(),
                        earlier: Some(attempts.budget()),
                    };
                    Step::Lock
                }
                Step::Done(result) => {
                    self.phase = Phase::Over;
                    tracing::Span::current().record("attempts", self.attempts);
                    Step::Done(result)
                }
                step => step,
            };
        }
        loop {
            match std::mem::replace(&mut self.phase, Phase::Over) {
                Phase::Start => {
                    if self.operation.is_none() {
                        if let Err(error) = self.engine.token_source().user_login() {
                            return Step::Done(Err(error));
                        }
                    }
                    self.phase = Phase::WantLock {
                        refused: None,
                        earlier: None,
                    };
                    return Step::Lock;
                }
                Phase::WantLock { refused, earlier } => {
                    let cache = tokens.as_deref_mut().expect(
                        "Call::next after Step::Lock without the token cache: take the lock \
                         and pass its cache",
                    );
                    let config = self.engine.config();
                    let plan = self
                        .engine
                        .token_source()
                        .plan(config, cache, refused.as_ref());
                    match plan {
                        Err(error) => return Step::Done(Err(error)),
                        Ok(TokenPlan::Use(ticket)) => match self.operation {
                            None => return self.login_done(),
                            Some(operation) => {
                                self.phase = self.running(operation, Some(ticket), earlier, now);
                                return Step::Unlock;
                            }
                        },
                        Ok(TokenPlan::LogIn(login)) => {
                            let budget = self.fresh_budget(now);
                            self.phase = Phase::LoggingIn {
                                login: Attempts::new(self.engine, login, None, budget, now),
                                earlier,
                            };
                        }
                    }
                }
                Phase::LoggingIn { mut login, earlier } => match login.next(now) {
                    Step::Done(Ok(response)) => {
                        let cache = tokens.as_deref_mut().expect(
                            "Call::next while logging in without the token cache: keep the \
                             lock from Step::Lock and pass its cache",
                        );
                        let ticket = cache.store(response.output);
                        match self.operation {
                            None => return self.login_done(),
                            Some(operation) => {
                                self.phase = self.running(operation, Some(ticket), earlier, now);
                                return Step::Unlock;
                            }
                        }
                    }
                    Step::Done(Err(error)) => return Step::Done(Err(error)),
                    Step::Send { request, timeout } => {
                        self.phase = Phase::LoggingIn { login, earlier };
                        return Step::Send { request, timeout };
                    }
                    Step::Sleep(delay) => {
                        self.phase = Phase::LoggingIn { login, earlier };
                        return Step::Sleep(delay);
                    }
                    Step::Lock | Step::Unlock => {
                        unreachable!("the attempts of one operation never ask for the lock")
                    }
                },
                Phase::Running { .. } => unreachable!("driven in place above"),
                Phase::Over => panic!("Call::next after the call returned Step::Done"),
            }
        }
    }

    fn login_done(&mut self) -> Step<O::Output> {
        let output = self
            .login_only
            .take()
            .expect("only an explicit login has no operation");
        Step::Done(Ok(Response {
            output,
            meta: ResponseMeta::default(),
        }))
    }

    /// Reports what came of the request last sent: an answer, or the transport's error, and
    /// the moment it came. Call [`Call::next`] afterwards.
    ///
    /// A redirect (3xx) is an error, never followed: the signed form would go elsewhere.
    ///
    /// # Panics
    ///
    /// When no attempt is in flight.
    pub fn on_outcome(&mut self, outcome: Result<HttpAnswer, Error>, now: Moment) {
        match &mut self.phase {
            Phase::LoggingIn { login, .. } => login.on_outcome(outcome, now),
            Phase::Running { attempts, .. } => attempts.on_outcome(outcome, now),
            _ => panic!(
                "Call::on_outcome without an attempt in flight: send the request of Step::Send \
                 first"
            ),
        }
    }

    /// Reports the HTTP answer to the request last sent: its status, its `Location` header if
    /// any, and its body. The same as [`Call::on_outcome`] with an [`HttpAnswer`].
    ///
    /// # Panics
    ///
    /// When no attempt is in flight.
    pub fn on_response(&mut self, status: u16, location: Option<&str>, body: &[u8], now: Moment) {
        match &mut self.phase {
            Phase::LoggingIn { login, .. } => login.on_response(status, location, body, now),
            Phase::Running { attempts, .. } => attempts.on_response(status, location, body, now),
            _ => panic!(
                "Call::on_response without an attempt in flight: send the request of Step::Send \
                 first"
            ),
        }
    }

    /// Reports that the request last sent got no answer. The same as [`Call::on_outcome`]
    /// with an error.
    ///
    /// # Panics
    ///
    /// When no attempt is in flight.
    pub fn on_transport_error(&mut self, error: Error, now: Moment) {
        self.on_outcome(Err(error), now);
    }
}

/// What an explicit login is: no operation of its own, nothing back but success (the login's
/// data is in the token cache).
#[derive(Debug, Clone, Copy)]
pub struct LogIn;

impl Operation for LogIn {
    type Output = ();

    fn method(&self) -> &str {
        "(log in)"
    }

    fn params(&self) -> crate::Params<'_> {
        Vec::new()
    }
}

impl<'a> Call<'a, LogIn> {
    /// An explicit login with `engine`'s token source: it logs in unless the token cache
    /// holds a token already, and fails without user credentials. Its data is then
    /// [`TokenCache::login`].
    pub fn login(engine: &'a Engine) -> Self {
        Call {
            engine,
            operation: None,
            login_only: Some(()),
            phase: Phase::Start,
            attempts: 0,
        }
    }
}
