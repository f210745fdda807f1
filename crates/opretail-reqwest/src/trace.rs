//! What one attempt is recorded as: method, attempt, return code, `cid` and duration, never
//! the form (it carries `_sig`) nor anything of the credentials.

use std::time::Duration;

use opretail_model::{Error, ResponseMeta};

/// Records the end of one attempt as a `tracing` event in the current call's span.
pub(crate) fn attempt_finished(
    method: &str,
    attempt: u32,
    duration: Duration,
    outcome: Result<&ResponseMeta, Option<&Error>>,
) {
    let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(meta) => tracing::debug!(
            method,
            attempt,
            code = 0_i64,
            cid = meta.cid.as_deref().unwrap_or(""),
            duration_ms = millis,
            "attempt succeeded"
        ),
        Err(Some(error)) => tracing::debug!(
            method,
            attempt,
            code = error.return_code().map(|c| c.code()),
            cid = error.cid().unwrap_or(""),
            duration_ms = millis,
            error = %error,
            "attempt failed"
        ),
        Err(None) => tracing::debug!(method, attempt, duration_ms = millis, "attempt failed"),
    }
}
