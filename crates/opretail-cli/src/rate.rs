//! `--rate`: at most so many requests a second, retries included.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Spaces requests evenly: each one gets the next free slot, `1 / rate` after the previous
/// one. Time left unused is not saved up, so a pause is never followed by a burst.
#[derive(Debug)]
pub struct RateLimit {
    period: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    /// At most `per_sec` requests a second (a positive, finite number).
    pub fn new(per_sec: f64) -> RateLimit {
        RateLimit {
            period: Duration::from_secs_f64(1.0 / per_sec).max(Duration::from_nanos(1)),
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    pub async fn until_ready(&self) {
        let at = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.period);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_period() {
        let limit = RateLimit::new(10.0);
        let start = Instant::now();
        for _ in 0..5 {
            limit.until_ready().await;
        }
        // Slots at 0, 100, 200, 300 and 400 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
