//! When to try a call again, and after how long. Pure: the caller supplies time and chance.

use std::time::Duration;

use super::{Budget, Moment};
use crate::timestamp::until_next_second;
use crate::{Error, ReturnCode, TransportKind};

/// Bounds on retrying a call. Every attempt is signed afresh with a new timestamp, and no
/// retry starts that could not finish before the call's deadline
/// ([`Config::timeout`](crate::Config::timeout)).
///
/// For an operation that is safe to repeat ([`Operation::idempotent`](crate::Operation::idempotent)):
/// connection failures, timeouts and broken connections; HTTP 429, 502, 503 and 504; gateway
/// codes `-500` and `-999` are retried with exponential backoff and jitter. `-100`
/// (`API_CALL_REPEAT`) waits for the next whole second, for any operation. `16` (`TIMESTAMP_OVERTIME`) is
/// retried once at once with a fresh timestamp.
///
/// For any other operation only failures where the request surely never ran on the server
/// are retried: the connection could not be made, or the gateway refused the request as a
/// repeat (`-100`, `API_CALL_REPEAT`: it refuses without running it), after the next second.
///
/// Key, signature, parameter, TLS and decoding errors are never retried: the same request
/// would fail the same way.
///
/// ```
/// use opretail_model::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_attempts(5);
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::never().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms doubling up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Give up: return this error.
    Stop,
    /// Sign again and retry after this long.
    RetryAfter(Duration),
}

/// Why an error is worth another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retryable {
    Backoff,
    NextSecond,
    FreshTimestampOnce,
}

fn classify(error: &Error, idempotent: bool) -> Option<Retryable> {
    match error {
        // Nothing was sent: safe for any operation.
        Error::Transport {
            kind: TransportKind::Connect,
            ..
        } => return Some(Retryable::Backoff),
        // The gateway refused the request without running it (an identical signature was
        // seen, from this process or another): safe for any operation, logins included, once
        // the next second gives it a new timestamp.
        Error::Gateway(g) if g.code == ReturnCode::ApiCallRepeat => {
            return Some(Retryable::NextSecond);
        }
        _ => {}
    }
    if !idempotent {
        return None;
    }
    match error {
        Error::Transport {
            kind: TransportKind::Timeout | TransportKind::Io,
            ..
        } => Some(Retryable::Backoff),
        Error::HttpStatus { status, .. } => {
            matches!(status, 429 | 502 | 503 | 504).then_some(Retryable::Backoff)
        }
        Error::Gateway(g) => match g.code {
            ReturnCode::ApiSystemCallError | ReturnCode::UnknownError => Some(Retryable::Backoff),
            ReturnCode::TimestampOvertime => Some(Retryable::FreshTimestampOnce),
            _ => None,
        },
        _ => None,
    }
}

impl RetryPolicy {
    /// No retries: one attempt only.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The most attempts made, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff; each further one doubles, up to [`RetryPolicy::max_backoff`].
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The most attempts made.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Decides after a failed attempt of an operation (`idempotent` or not), at `now`, and
    /// spends what the retry takes of `budget` (the one retry of a `TIMESTAMP_OVERTIME`).
    pub fn decide(
        &self,
        error: &Error,
        budget: &mut Budget,
        idempotent: bool,
        now: Moment,
    ) -> RetryDecision {
        let Some(kind) = classify(error, idempotent) else {
            return RetryDecision::Stop;
        };
        if budget.attempts >= self.max_attempts {
            return RetryDecision::Stop;
        }
        let delay = match kind {
            Retryable::FreshTimestampOnce if budget.overtime_retried => {
                return RetryDecision::Stop;
            }
            Retryable::FreshTimestampOnce => Duration::ZERO,
            Retryable::NextSecond => until_next_second(now.wall),
            // The low 64 bits: truncation is the point.
            Retryable::Backoff => self.backoff(budget.attempts, now.random as u64),
        };
        // A retry needs time to run after its wait, not only the wait.
        if now
            .monotonic
            .checked_add(delay)
            .is_none_or(|at| at >= budget.deadline)
        {
            return RetryDecision::Stop;
        }
        if kind == Retryable::FreshTimestampOnce {
            budget.overtime_retried = true;
        }
        RetryDecision::RetryAfter(delay)
    }

    /// The backoff after the `attempts`-th failure: `initial × 2^(attempts-1)`, capped, then
    /// "equal jitter": a random point in its upper half, so retries of many clients spread out
    /// without ever retrying at once.
    fn backoff(&self, attempts: u32, random: u64) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = full / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = if nanos == 0 {
            0
        } else {
            random % nanos.saturating_add(1)
        };
        half.saturating_add(Duration::from_nanos(jitter))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Instant, UNIX_EPOCH};

    use super::*;
    use crate::GatewayError;

    fn gateway(code: i64) -> Error {
        Error::Gateway(Box::new(GatewayError {
            code: ReturnCode::from_code(code),
            message: None,
            cid: None,
            systime: None,
        }))
    }

    fn transport(kind: TransportKind) -> Error {
        Error::transport_message(kind, "http://x/m.api", "boom")
    }

    fn status(status: u16) -> Error {
        Error::HttpStatus {
            status,
            body: String::new(),
        }
    }

    struct At {
        now: Moment,
    }

    impl At {
        fn new(subsec_ms: u64, random: u64) -> Self {
            At {
                now: Moment {
                    wall: UNIX_EPOCH + Duration::from_millis(1_795_832_100_000 + subsec_ms),
                    monotonic: Instant::now(),
                    random: u128::from(random),
                },
            }
        }

        fn budget(&self, attempts: u32) -> Budget {
            Budget {
                attempts,
                overtime_retried: false,
                deadline: self.now.monotonic + Duration::from_secs(3600),
            }
        }
    }

    fn decide(e: &Error, attempts: u32, idempotent: bool) -> RetryDecision {
        let at = At::new(0, 12345);
        RetryPolicy::default().decide(e, &mut at.budget(attempts), idempotent, at.now)
    }

    fn retried(d: RetryDecision) -> bool {
        matches!(d, RetryDecision::RetryAfter(_))
    }

    #[test]
    fn transient_failures_of_a_read_are_retried() {
        for e in [
            gateway(-500),
            gateway(-999),
            gateway(-100),
            gateway(16),
            transport(TransportKind::Connect),
            transport(TransportKind::Timeout),
            transport(TransportKind::Io),
            status(429),
            status(502),
            status(503),
            status(504),
        ] {
            assert!(retried(decide(&e, 1, true)), "{e}");
        }
    }

    #[test]
    fn a_call_not_safe_to_repeat_is_retried_only_when_it_surely_did_not_run() {
        assert!(retried(decide(
            &transport(TransportKind::Connect),
            1,
            false
        )));
        // `-100`: the gateway refused it unexecuted, so even a login may go again.
        assert!(retried(decide(&gateway(-100), 1, false)));
        for e in [
            gateway(-500),
            gateway(-999),
            gateway(16),
            transport(TransportKind::Timeout),
            transport(TransportKind::Io),
            status(502),
            status(503),
        ] {
            assert_eq!(decide(&e, 1, false), RetryDecision::Stop, "{e}");
        }
    }

    #[test]
    fn caller_errors_are_never_retried() {
        for code in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 4001] {
            assert_eq!(
                decide(&gateway(code), 1, true),
                RetryDecision::Stop,
                "{code}"
            );
        }
        for e in [
            transport(TransportKind::Tls),
            transport(TransportKind::BodyLimit),
            transport(TransportKind::Redirect),
            status(404),
            status(500),
            Error::invalid_input("id", "bad"),
            Error::NotJson {
                detail: String::new(),
                body: String::new(),
            },
        ] {
            assert_eq!(decide(&e, 1, true), RetryDecision::Stop, "{e}");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let at = At::new(0, 0);
        let policy = RetryPolicy::default().max_attempts(3);
        let e = gateway(-500);
        assert!(retried(policy.decide(&e, &mut at.budget(2), true, at.now)));
        assert_eq!(
            policy.decide(&e, &mut at.budget(3), true, at.now),
            RetryDecision::Stop
        );
        assert_eq!(
            RetryPolicy::never().decide(&e, &mut at.budget(1), true, at.now),
            RetryDecision::Stop
        );
    }

    #[test]
    fn no_retry_whose_wait_reaches_the_deadline() {
        let at = At::new(0, 0);
        let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(400));
        let mut state = at.budget(1);
        state.deadline = at.now.monotonic + Duration::from_millis(150);
        // The backoff is at least 200 ms (the upper half of 400 ms).
        assert_eq!(
            policy.decide(&gateway(-500), &mut state, true, at.now),
            RetryDecision::Stop
        );
        state.deadline = at.now.monotonic + Duration::from_millis(500);
        assert!(retried(policy.decide(
            &gateway(-500),
            &mut state,
            true,
            at.now
        )));
    }

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half_and_is_capped() {
        let policy = RetryPolicy::default()
            .max_attempts(20)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        let e = gateway(-999);
        for (attempt, full_ms) in [
            (1u32, 100u64),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (12, 1000),
        ] {
            for random in [0, 1, 7_777_777, u64::MAX] {
                let at = At::new(0, random);
                let RetryDecision::RetryAfter(d) =
                    policy.decide(&e, &mut at.budget(attempt), true, at.now)
                else {
                    panic!("expected a retry")
                };
                assert!(
                    d >= Duration::from_millis(full_ms / 2) && d <= Duration::from_millis(full_ms),
                    "attempt {attempt}: {d:?}"
                );
            }
        }
    }

    #[test]
    fn repeat_waits_for_the_next_second() {
        let at = At::new(700, 0);
        let d = RetryPolicy::default().decide(&gateway(-100), &mut at.budget(1), true, at.now);
        assert_eq!(d, RetryDecision::RetryAfter(Duration::from_millis(305)));
    }

    #[test]
    fn overtime_is_retried_once_at_once() {
        let at = At::new(0, 0);
        let policy = RetryPolicy::default();
        let mut state = at.budget(1);
        assert_eq!(
            policy.decide(&gateway(16), &mut state, true, at.now),
            RetryDecision::RetryAfter(Duration::ZERO)
        );
        // The decision spent the one retry of the budget.
        assert!(state.overtime_retried);
        state.attempts = 2;
        assert_eq!(
            policy.decide(&gateway(16), &mut state, true, at.now),
            RetryDecision::Stop
        );
    }
}
