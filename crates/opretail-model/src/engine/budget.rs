//! [`Budget`]: what one call may still spend on attempts.

use std::time::Instant;

/// What a call has spent and may still spend: its deadline, its attempts so far and the one
/// retry of a `TIMESTAMP_OVERTIME`. The retry decision
/// ([`RetryPolicy::decide`](crate::RetryPolicy::decide)) reads and updates it; a call
/// repeated after a new login carries it on, so that one timeout and one attempt limit bound
/// both tries together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// When the call must be over.
    pub deadline: Instant,
    /// Attempts made so far, the failed one included.
    pub attempts: u32,
    /// Whether the one retry after `TIMESTAMP_OVERTIME` was spent.
    pub overtime_retried: bool,
}

impl Budget {
    /// A fresh budget: nothing spent, over at `deadline`.
    pub fn until(deadline: Instant) -> Budget {
        Budget {
            deadline,
            attempts: 0,
            overtime_retried: false,
        }
    }
}
