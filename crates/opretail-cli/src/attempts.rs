//! One id's call, attempt by attempt, so that `--rate` counts every request sent.
//!
//! The SDK's client retries inside `send`, out of the caller's sight: a rate limit placed
//! around `send` would let retries through unpaced. The batch's client is therefore built with
//! [`RetryPolicy::never`], and this loop makes the attempts, asking the SDK's own
//! [`RetryPolicy::decide`] whether and when to try again. Each attempt is a fresh `send`, so it
//! is signed afresh with a new timestamp, as the SDK's own retries are.

use std::time::{Instant, SystemTime};

use opretail_model::{Error, Operation, RetryDecision, RetryPolicy, ReturnCode};

use crate::gateway::Client;
use crate::rate::RateLimit;

/// Calls `operation` until it succeeds or `policy` says to stop, each attempt waiting for its
/// slot of `rate` first.
pub async fn send<O: Operation + Sync>(
    client: &Client,
    operation: &O,
    policy: &RetryPolicy,
    rate: Option<&RateLimit>,
) -> Result<O::Output, Error> {
    let started = Instant::now();
    let mut attempts = 0u32;
    let mut overtime_retried = false;
    loop {
        if let Some(rate) = rate {
            rate.until_ready().await;
        }
        attempts += 1;
        let error = match client.send(operation).await {
            Ok(output) => return Ok(output),
            Err(error) => error,
        };
        let subsec = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let decision = policy.decide(
            &error,
            attempts,
            overtime_retried,
            started.elapsed(),
            subsec,
            fastrand::u64(..),
        );
        match decision {
            RetryDecision::Stop => return Err(error),
            RetryDecision::RetryAfter(delay) => {
                if error.return_code() == Some(&ReturnCode::TimestampOvertime) {
                    overtime_retried = true;
                }
                tracing::info!(
                    attempt = attempts,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    error = %error,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
            }
        }
    }
}
