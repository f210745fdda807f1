//! The fault matrix: every fault the sandbox can inject, against the async and the blocking
//! client, in one table (`fault_matrix/cases.rs`).
//!
//! Each case asserts the outcome (success or a typed error of the right kind, and what its
//! message must say), how many requests the sandbox saw and, where it matters, which answers
//! it gave, that the call finished within its bound, and that nothing panicked. `docs/errors-and-retries.md` ("Fault matrix") shows the same table.

#[path = "fault_matrix/cases.rs"]
mod cases;
mod common;

use std::time::{Duration, Instant};

use cases::{BOUND, Kind, Run, matrix, run_case, total_async, total_blocking};
use common::{AKEY, ASID, sandbox};
use opretail::{Config, Credentials, Error, GetTotalData, TransportKind};
use opretail_sandbox::{Fault, FaultPlan};

/// Runs every case through `call` (one `getTotalData` call, giving the attempts it took, or
/// `Err` if it panicked) and reports every case that went wrong at once.
fn run_matrix(
    client: &str,
    call: impl Fn(Credentials, Config, Kind) -> std::thread::Result<Result<u32, Error>>,
) {
    let mut failures = Vec::new();
    for case in matrix() {
        let Run {
            outcome,
            requests,
            counters,
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
                if let Err(error) = result {
                    let message = error.to_string();
                    for word in case.says.iter().filter(|w| !message.contains(**w)) {
                        problems.push(format!("the error does not say {word:?}: {message}"));
                    }
                }
            }
        }
        if requests != case.requests {
            problems.push(format!("{requests} requests, expected {}", case.requests));
        }
        for &(code, expected) in case.answers {
            let answered = counters.answers(code);
            if answered != expected {
                problems.push(format!("{answered} answers {code}, expected {expected}"));
            }
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn async_client_meets_every_fault() {
    let runtime = runtime();
    run_matrix("async", |credentials, config, kind| {
        // A task of its own, so that a panic inside the client shows as a `JoinError`.
        runtime
            .block_on(runtime.spawn(total_async(credentials, config, kind)))
            .map_err(|e| match e.try_into_panic() {
                Ok(payload) => payload,
                Err(e) => Box::new(e.to_string()),
            })
    });
}

#[test]
fn blocking_client_meets_every_fault() {
    run_matrix("blocking", |credentials, config, kind| {
        std::thread::spawn(move || total_blocking(credentials, config, kind)).join()
    });
}

/// The whole-call timeout is a deadline: against a gateway that answers every attempt
/// slower than it, with retries allowed, the call ends at the deadline plus a margin (the
/// margin measured on an idle 2-core machine was a few milliseconds; the bound leaves room
/// for a busy one).
#[test]
fn the_timeout_bounds_the_whole_call_for_both_clients() {
    const DEADLINE: Duration = Duration::from_millis(800);
    const MARGIN: Duration = Duration::from_millis(700);
    let config = |url: &str| {
        Config::builder()
            .endpoint(url)
            .timeout(DEADLINE)
            .retry(common::fast_retry().max_attempts(10))
            .build()
            .expect("valid test configuration")
    };
    let slow = || {
        FaultPlan::script(std::iter::repeat_n(
            Fault::Delay(Duration::from_secs(3)),
            12,
        ))
    };
    let runtime = runtime();
    for client in ["async", "blocking"] {
        let sandbox = sandbox()
            .faults(slow())
            .start_blocking()
            .expect("sandbox starts");
        let config = config(sandbox.url());
        let op = GetTotalData::new(common::store(1));
        // Clients are built before the clock starts: the deadline is the call's.
        let (started, result) = match client {
            "async" => {
                let client = opretail::Client::new(common::credentials(), config).expect("client");
                let started = Instant::now();
                (started, runtime.block_on(client.send(&op)))
            }
            _ => {
                let client =
                    opretail::blocking::Client::new(common::credentials(), config).expect("client");
                let started = Instant::now();
                (started, client.send(&op))
            }
        };
        let elapsed = started.elapsed();
        let error = result.expect_err("every attempt is slower than the deadline");
        assert_eq!(
            error.transport_kind(),
            Some(TransportKind::Timeout),
            "{client}: {error}"
        );
        eprintln!(
            "{client}: deadline {DEADLINE:?}, call ended after {elapsed:?} (margin {:?})",
            elapsed.saturating_sub(DEADLINE)
        );
        assert!(
            elapsed >= DEADLINE - Duration::from_millis(50),
            "{client}: {elapsed:?}"
        );
        assert!(elapsed <= DEADLINE + MARGIN, "{client}: {elapsed:?}");
    }
}
