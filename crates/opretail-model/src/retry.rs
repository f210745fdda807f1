//! When to try a call again, and after how long. Pure: the caller supplies time and chance.

use std::time::Duration;

use crate::{Error, ReturnCode, TransportKind};

/// Bounds on retrying a call. Every attempt is signed afresh with a new timestamp.
///
/// Retried: connection failures, timeouts and broken connections; HTTP 429, 502, 503 and 504;
/// gateway codes `-500` and `-999`, with exponential backoff and jitter. `-100`
/// (`API_CALL_REPEAT`) waits for the next whole second. `16` (`TIMESTAMP_OVERTIME`) is
/// retried once at once with a fresh timestamp. Key, signature, parameter and decoding
/// errors are never retried: the same request would fail the same way.
///
/// ```
/// use std::time::Duration;
/// use opretail_model::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_attempts(5).max_elapsed(Duration::from_secs(60));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::never().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms doubling up to 5 s, no retry started after 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(60),
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

fn classify(error: &Error) -> Option<Retryable> {
    match error {
        Error::Transport { kind, .. } => match kind {
            TransportKind::Connect | TransportKind::Timeout | TransportKind::Io => {
                Some(Retryable::Backoff)
            }
            TransportKind::Tls | TransportKind::BodyLimit | TransportKind::Request => None,
        },
        Error::HttpStatus { status, .. } => {
            matches!(status, 429 | 502 | 503 | 504).then_some(Retryable::Backoff)
        }
        Error::Gateway(g) => match g.code {
            ReturnCode::ApiSystemCallError | ReturnCode::UnknownError => Some(Retryable::Backoff),
            ReturnCode::ApiCallRepeat => Some(Retryable::NextSecond),
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

    /// No retry starts once this much time has passed since the first attempt began.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// The most attempts made.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The total time bound on retrying.
    pub fn elapsed_bound(&self) -> Duration {
        self.max_elapsed
    }

    /// Decides after a failed attempt.
    ///
    /// `attempts` is how many attempts have been made (the failed one included);
    /// `overtime_retried` whether a `TIMESTAMP_OVERTIME` was already retried; `elapsed` the
    /// time since the first attempt began; `subsec_nanos` the sub-second part of the wall
    /// clock now (to wait for the next whole second); `random` any random number (the jitter).
    pub fn decide(
        &self,
        error: &Error,
        attempts: u32,
        overtime_retried: bool,
        elapsed: Duration,
        subsec_nanos: u32,
        random: u64,
    ) -> RetryDecision {
        let Some(kind) = classify(error) else {
            return RetryDecision::Stop;
        };
        if attempts >= self.max_attempts {
            return RetryDecision::Stop;
        }
        let delay = match kind {
            Retryable::FreshTimestampOnce if overtime_retried => return RetryDecision::Stop,
            Retryable::FreshTimestampOnce => Duration::ZERO,
            // A few milliseconds past the boundary, so the new timestamp is surely a new second.
            Retryable::NextSecond => {
                Duration::from_nanos(u64::from(1_000_000_000 - subsec_nanos.min(999_999_999)))
                    + Duration::from_millis(5)
            }
            Retryable::Backoff => self.backoff(attempts, random),
        };
        if elapsed.saturating_add(delay) > self.max_elapsed {
            return RetryDecision::Stop;
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
        let jitter = if nanos == 0 { 0 } else { random % (nanos + 1) };
        half + Duration::from_nanos(jitter)
    }
}

#[cfg(test)]
mod tests {
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

    fn decide(e: &Error, attempts: u32) -> RetryDecision {
        RetryPolicy::default().decide(e, attempts, false, Duration::ZERO, 0, 12345)
    }

    #[test]
    fn transient_failures_are_retried() {
        for e in [
            gateway(-500),
            gateway(-999),
            transport(TransportKind::Connect),
            transport(TransportKind::Timeout),
            transport(TransportKind::Io),
            Error::HttpStatus {
                status: 502,
                body: String::new(),
            },
            Error::HttpStatus {
                status: 503,
                body: String::new(),
            },
            Error::HttpStatus {
                status: 504,
                body: String::new(),
            },
        ] {
            assert!(matches!(decide(&e, 1), RetryDecision::RetryAfter(_)), "{e}");
        }
    }

    #[test]
    fn caller_errors_are_never_retried() {
        for code in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 4001] {
            assert_eq!(
                decide(&gateway(code), 1),
                RetryDecision::Stop,
                "code {code}"
            );
        }
        for e in [
            transport(TransportKind::Tls),
            transport(TransportKind::BodyLimit),
            Error::HttpStatus {
                status: 404,
                body: String::new(),
            },
            Error::HttpStatus {
                status: 500,
                body: String::new(),
            },
            Error::invalid_input("id", "bad"),
            Error::NotJson {
                detail: String::new(),
                body: String::new(),
            },
        ] {
            assert_eq!(decide(&e, 1), RetryDecision::Stop, "{e}");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let policy = RetryPolicy::default().max_attempts(3);
        let e = gateway(-500);
        assert!(matches!(
            policy.decide(&e, 2, false, Duration::ZERO, 0, 0),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(
            policy.decide(&e, 3, false, Duration::ZERO, 0, 0),
            RetryDecision::Stop
        );
        assert_eq!(
            RetryPolicy::never().decide(&e, 1, false, Duration::ZERO, 0, 0),
            RetryDecision::Stop
        );
    }

    #[test]
    fn total_time_is_bounded() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(1));
        let e = gateway(-500);
        assert_eq!(
            policy.decide(&e, 1, false, Duration::from_millis(999), 0, 0),
            RetryDecision::Stop
        );
        assert!(matches!(
            policy.decide(&e, 1, false, Duration::ZERO, 0, 0),
            RetryDecision::RetryAfter(_)
        ));
    }

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half_and_is_capped() {
        let policy = RetryPolicy::default()
            .max_attempts(20)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000))
            .max_elapsed(Duration::from_secs(3600));
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
                let RetryDecision::RetryAfter(d) =
                    policy.decide(&e, attempt, false, Duration::ZERO, 0, random)
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
        let e = gateway(-100);
        let d = RetryPolicy::default().decide(&e, 1, false, Duration::ZERO, 700_000_000, 0);
        assert_eq!(d, RetryDecision::RetryAfter(Duration::from_millis(305)));
    }

    #[test]
    fn overtime_is_retried_once_at_once() {
        let e = gateway(16);
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(&e, 1, false, Duration::ZERO, 0, 0),
            RetryDecision::RetryAfter(Duration::ZERO)
        );
        assert_eq!(
            policy.decide(&e, 2, true, Duration::ZERO, 0, 0),
            RetryDecision::Stop
        );
    }
}
