//! One id's call, attempt by attempt, so that `--rate` counts every request sent.
//!
//! The SDK's client retries inside `send`, out of the caller's sight: a rate limit placed
//! around `send` would let retries through unpaced. The batch's client is therefore built with
//! [`RetryPolicy::never`], and this loop makes the attempts, asking the SDK's own
//! [`RetryPolicy::decide`] whether and when to try again. Each attempt is a fresh `send`, so it
//! is signed afresh with a new timestamp, as the SDK's own retries are.

use std::time::{Duration, Instant};

use opretail_model::{
    Error, Moment, Operation, RetryDecision, RetryPolicy, RetryState, ReturnCode,
};

use crate::gateway::Client;
use crate::rate::RateLimit;

/// Calls `operation` until it succeeds, `policy` says to stop or `timeout` (the whole call's,
/// as `Config::timeout` is for the SDK's own retries) would pass, each attempt waiting for its
/// slot of `rate` first.
pub async fn send<O: Operation + Sync>(
    client: &Client,
    operation: &O,
    policy: &RetryPolicy,
    timeout: Duration,
    rate: Option<&RateLimit>,
) -> Result<O::Output, Error> {
    let mut state = RetryState {
        attempts: 0,
        overtime_retried: false,
        deadline: Instant::now() + timeout,
        idempotent: operation.idempotent(),
    };
    loop {
        if let Some(rate) = rate {
            rate.until_ready().await;
        }
        state.attempts += 1;
        let error = match client.send(operation).await {
            Ok(output) => return Ok(output),
            Err(error) => error,
        };
        match policy.decide(&error, &state, Moment::now(fastrand::u64(..))) {
            RetryDecision::Stop => return Err(error),
            RetryDecision::RetryAfter(delay) => {
                if error.return_code() == Some(&ReturnCode::TimestampOvertime) {
                    state.overtime_retried = true;
                }
                tracing::info!(
                    attempt = state.attempts,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    error = %error,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
            }
        }
    }
}
