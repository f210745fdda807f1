//! [`RateLimiter`]: the slots of [`Config::rate_limit`](crate::Config::rate_limit).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Hands out the slots of a rate limit, shared by every call of a client and its clones,
/// retries included. Without a limit every request may go at once.
#[derive(Debug)]
pub struct RateLimiter {
    spacing: Option<Duration>,
    /// The next free slot; `None` before the first request.
    next_slot: Mutex<Option<Instant>>,
}

/// When a request may be sent under [`Config::rate_limit`](crate::Config::rate_limit): see [`RateLimiter::pace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Now (the slot is taken).
    Now,
    /// At this moment (the slot is taken: wait for it, then prepare and send).
    At(Instant),
    /// Not before the deadline: no slot was taken.
    AfterDeadline,
}

impl RateLimiter {
    /// A limiter spacing requests `spacing` apart, or none with `None` (see
    /// [`Config::request_spacing`](crate::Config::request_spacing)).
    pub fn new(spacing: Option<Duration>) -> Self {
        RateLimiter {
            spacing,
            next_slot: Mutex::new(None),
        }
    }

    /// Takes the next free slot at monotonic time `now`, for a request that must be sent
    /// before `deadline`. Without a limit it is always [`Pace::Now`].
    pub fn pace(&self, now: Instant, deadline: Instant) -> Pace {
        let Some(spacing) = self.spacing else {
            return Pace::Now;
        };
        let mut next = self
            .next_slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let at = next.map_or(now, |slot| slot.max(now));
        if at >= deadline {
            return Pace::AfterDeadline;
        }
        *next = Some(at.checked_add(spacing).unwrap_or(at));
        if at > now { Pace::At(at) } else { Pace::Now }
    }
}
