//! The fault matrix: every fault the sandbox can inject, against the async and the blocking
//! client, in one table.
//!
//! Each case asserts the outcome (success or a typed error of the right kind), how many
//! requests the sandbox saw, that the call finished within its bound, and that nothing
//! panicked. `docs/errors-and-retries.md` ("Fault matrix") shows the same table.

mod common;

use std::time::{Duration, Instant};

use common::{AKEY, ASID, config, fast_retry, store};
use opretail::{Config, Credentials, Error, GetTotalData, TransportKind};
use opretail_sandbox::{Fault, FaultPlan, SandboxBuilder};

/// The per-attempt timeout of the cases that test it; [`SLOW`] is well beyond it.
const TIMEOUT: Duration = Duration::from_millis(400);
/// Latency injected by the delay cases.
const SLOW: Duration = Duration::from_millis(1500);
/// The body limit of the huge-body case, and the size of the body sent.
const BODY_LIMIT: usize = 1024 * 1024;
const HUGE: usize = 20 * 1024 * 1024;
/// The retry policy's default, which every persistent transient fault exhausts.
const MAX_ATTEMPTS: u64 = 3;
/// Generous: every case takes well under a second or two on an idle machine.
const BOUND: Duration = Duration::from_secs(5);

/// What a case must end in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Success,
    Gateway(i64),
    Transport(TransportKind),
    HttpStatus(u16),
    NotJson,
}

impl Expect {
    fn check(self, outcome: &Result<u32, Error>) -> Result<(), String> {
        let matches = match (self, outcome) {
            (Expect::Success, Ok(_)) => true,
            (Expect::Gateway(code), Err(e)) => e.return_code().map(|c| c.code()) == Some(code),
            (Expect::Transport(kind), Err(e)) => e.transport_kind() == Some(kind),
            (Expect::HttpStatus(code), Err(Error::HttpStatus { status, .. })) => *status == code,
            (Expect::NotJson, Err(Error::NotJson { .. })) => true,
            _ => false,
        };
        if matches {
            Ok(())
        } else {
            Err(format!("expected {self:?}, got {outcome:?}"))
        }
    }
}

/// One row of the matrix.
struct Case {
    fault: &'static str,
    sandbox: fn(SandboxBuilder) -> SandboxBuilder,
    plan: FaultPlan,
    config: fn(&str) -> Config,
    expect: Expect,
    /// Requests the sandbox must have seen.
    requests: u64,
}

fn as_is(builder: SandboxBuilder) -> SandboxBuilder {
    builder
}

fn config_short_timeout(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .timeout(TIMEOUT)
        .retry(fast_retry())
        .build()
        .expect("valid test configuration")
}

fn config_small_body_limit(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .body_limit(BODY_LIMIT)
        .retry(fast_retry())
        .build()
        .expect("valid test configuration")
}

fn once(fault: Fault) -> FaultPlan {
    FaultPlan::script([fault])
}

fn always(fault: Fault) -> FaultPlan {
    // More than the client will ever try, so that every attempt meets the fault.
    FaultPlan::script(std::iter::repeat_n(fault, MAX_ATTEMPTS as usize + 2))
}

fn case(fault: &'static str, plan: FaultPlan, expect: Expect, requests: u64) -> Case {
    Case {
        fault,
        sandbox: as_is,
        plan,
        config,
        expect,
        requests,
    }
}

/// Every fault the sandbox can inject, once (then a normal answer) and, where the client
/// retries it, persistently.
fn matrix() -> Vec<Case> {
    use Expect::*;
    vec![
        Case {
            config: config_short_timeout,
            ..case(
                "latency beyond the timeout, once",
                once(Fault::Delay(SLOW)),
                Success,
                2,
            )
        },
        Case {
            config: config_short_timeout,
            ..case(
                "latency beyond the timeout, always",
                always(Fault::Delay(SLOW)),
                Transport(TransportKind::Timeout),
                MAX_ATTEMPTS,
            )
        },
        case("502 HTML page, once", once(Fault::Http502Html), Success, 2),
        case(
            "502 HTML page, always",
            always(Fault::Http502Html),
            HttpStatus(502),
            MAX_ATTEMPTS,
        ),
        case(
            "connection closed, once",
            once(Fault::CloseConnection),
            Success,
            2,
        ),
        case(
            "connection closed, always",
            always(Fault::CloseConnection),
            Transport(TransportKind::Io),
            MAX_ATTEMPTS,
        ),
        case("truncated JSON", once(Fault::TruncatedJson), NotJson, 1),
        case("non-JSON 200", once(Fault::NonJson200), NotJson, 1),
        case("gateway -500, once", once(Fault::Gateway(-500)), Success, 2),
        case(
            "gateway -500, always",
            always(Fault::Gateway(-500)),
            Gateway(-500),
            MAX_ATTEMPTS,
        ),
        case("gateway -999, once", once(Fault::Gateway(-999)), Success, 2),
        case(
            "gateway -999, always",
            always(Fault::Gateway(-999)),
            Gateway(-999),
            MAX_ATTEMPTS,
        ),
        case("gateway -100, once", once(Fault::Gateway(-100)), Success, 2),
        case(
            "gateway -100, always",
            always(Fault::Gateway(-100)),
            Gateway(-100),
            MAX_ATTEMPTS,
        ),
        Case {
            config: config_small_body_limit,
            ..case(
                "huge body (20 MiB, limit 1 MiB)",
                once(Fault::HugeBody(HUGE)),
                Transport(TransportKind::BodyLimit),
                1,
            )
        },
        Case {
            sandbox: |b| b.clock_skew_secs(1800),
            ..case("wrong clock (30 min)", FaultPlan::default(), Gateway(16), 2)
        },
        Case {
            sandbox: |b| b.expired_credential(AKEY, ASID),
            ..case("expired key", FaultPlan::default(), Gateway(3), 1)
        },
    ]
}

/// Runs every case through `call` (which makes one `getTotalData` call with these
/// credentials and configuration, returning the attempts it took, or `Err` if it panicked)
/// and reports every case that went wrong at once.
fn run_matrix(
    client: &str,
    call: impl Fn(Credentials, Config) -> std::thread::Result<Result<u32, Error>>,
) {
    let mut failures = Vec::new();
    for case in matrix() {
        let sandbox = (case.sandbox)(common::sandbox())
            .faults(case.plan.clone())
            .start_blocking()
            .expect("sandbox starts");
        let config = (case.config)(sandbox.url());
        let started = Instant::now();
        let outcome = call(common::credentials(), config);
        let elapsed = started.elapsed();
        let requests = sandbox.counters().requests();
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
        runtime.block_on(async move {
            // A task of its own, so that a panic inside the client shows as a `JoinError`.
            let task = tokio::spawn(async move {
                let client = opretail::Client::new(credentials, config)?;
                let response = client.send_with_meta(&GetTotalData::new(store(1))).await?;
                Ok(response.meta.attempts)
            });
            task.await.map_err(|e| match e.try_into_panic() {
                Ok(payload) => payload,
                Err(e) => Box::new(e.to_string()),
            })
        })
    });
}

#[test]
fn blocking_client_meets_every_fault() {
    run_matrix("blocking", |credentials, config| {
        std::thread::spawn(move || {
            let client = opretail::blocking::Client::new(credentials, config)?;
            let response = client.send_with_meta(&GetTotalData::new(store(1)))?;
            Ok(response.meta.attempts)
        })
        .join()
    });
}
