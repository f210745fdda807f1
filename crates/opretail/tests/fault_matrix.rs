//! The fault matrix: every fault the sandbox can inject, against the async and the blocking
//! client, in one table (`fault_matrix/cases.rs`).
//!
//! Each case asserts the outcome (success or a typed error of the right kind), how many
//! requests the sandbox saw, that the call finished within its bound, and that nothing
//! panicked. `docs/errors-and-retries.md` ("Fault matrix") shows the same table.

#[path = "fault_matrix/cases.rs"]
mod cases;
mod common;

use cases::{BOUND, Run, matrix, run_case, total_async, total_blocking};
use common::{AKEY, ASID};
use opretail::{Config, Credentials, Error};

/// Runs every case through `call` (one `getTotalData` call, giving the attempts it took, or
/// `Err` if it panicked) and reports every case that went wrong at once.
fn run_matrix(
    client: &str,
    call: impl Fn(Credentials, Config) -> std::thread::Result<Result<u32, Error>>,
) {
    let mut failures = Vec::new();
    for case in matrix() {
        let Run {
            outcome,
            requests,
            elapsed,
        } = run_case(&case, AKEY, ASID, &call);
        let mut problems = Vec::new();
        match &outcome {
            Err(_) => problems.push("panicked".to_owned()),
            Ok(result) => {
                if let Err(problem) = case.expect.check(result) {
                    problems.push(problem);
                }
                if let Ok(attempts) = result
                    && u64::from(*attempts) != requests
                {
                    problems.push(format!("{attempts} attempts reported, {requests} seen"));
                }
            }
        }
        if requests != case.requests {
            problems.push(format!("{requests} requests, expected {}", case.requests));
        }
        if elapsed > BOUND {
            problems.push(format!("took {elapsed:?}, bound {BOUND:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{client}: {}: {}", case.fault, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn async_client_meets_every_fault() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    run_matrix("async", |credentials, config| {
        // A task of its own, so that a panic inside the client shows as a `JoinError`.
        runtime
            .block_on(runtime.spawn(total_async(credentials, config)))
            .map_err(|e| match e.try_into_panic() {
                Ok(payload) => payload,
                Err(e) => Box::new(e.to_string()),
            })
    });
}

#[test]
fn blocking_client_meets_every_fault() {
    run_matrix("blocking", |credentials, config| {
        std::thread::spawn(move || total_blocking(credentials, config)).join()
    });
}
