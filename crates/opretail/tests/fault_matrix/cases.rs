//! The rows of the fault matrix and how to run one, shared by the fault matrix and the
//! secret-leak suite (which runs every row with a known secret).

#![allow(dead_code)] // each test binary uses its own part of this module

use std::time::{Duration, Instant};

use opretail::{Config, Credentials, Error, GetTotalData, RawCall, TransportKind};
use opretail_sandbox::{Counters, Fault, FaultPlan, Sandbox, SandboxBuilder};

use crate::common::{config, fast_retry, store};

/// The per-attempt timeout of the cases that test it; [`SLOW`] is well beyond it.
pub const TIMEOUT: Duration = Duration::from_millis(400);
/// Latency injected by the delay cases.
pub const SLOW: Duration = Duration::from_millis(1500);
/// The body limit of the huge-body case, and the size of the body sent.
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const HUGE: usize = 20 * 1024 * 1024;
/// The retry policy's default, which every persistent transient fault exhausts.
pub const MAX_ATTEMPTS: u64 = 3;
/// Generous: every case takes well under a second or two on an idle machine.
pub const BOUND: Duration = Duration::from_secs(5);

/// What a case must end in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    Success,
    Gateway(i64),
    Transport(TransportKind),
    HttpStatus(u16),
    NotJson,
}

impl Expect {
    pub fn check(self, outcome: &Result<u32, Error>) -> Result<(), String> {
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
pub struct Case {
    /// The fault, as the docs' table names it.
    pub fault: &'static str,
    /// Changes to a sandbox that accepts the client's key and secret.
    pub sandbox: fn(SandboxBuilder, &str, &str) -> SandboxBuilder,
    pub plan: FaultPlan,
    pub config: fn(&str) -> Config,
    pub expect: Expect,
    /// Requests the sandbox must have seen.
    pub requests: u64,
    /// Answers the sandbox must have given, by code (codes not listed are not checked).
    pub answers: &'static [(i64, u64)],
    /// Words the error's message must hold (for an error outcome).
    pub says: &'static [&'static str],
    /// Whether the call is a raw call not marked idempotent (else a `getTotalData`, a read).
    pub unsafe_to_repeat: bool,
}

/// How the case's call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `getTotalData`, safe to repeat.
    Read,
    /// The same method as a raw call not marked idempotent.
    Unmarked,
}

fn as_is(builder: SandboxBuilder, _akey: &str, _asid: &str) -> SandboxBuilder {
    builder
}

pub fn config_short_timeout(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .attempt_timeout(TIMEOUT)
        .retry(fast_retry())
        .build()
        .expect("valid test configuration")
}

pub fn config_small_body_limit(url: &str) -> Config {
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
        answers: &[],
        says: &[],
        unsafe_to_repeat: false,
    }
}

/// A case whose call is a raw call not marked idempotent.
fn unmarked(fault: &'static str, plan: FaultPlan, expect: Expect, requests: u64) -> Case {
    Case {
        unsafe_to_repeat: true,
        ..case(fault, plan, expect, requests)
    }
}

/// Every fault the sandbox can inject, once (then a normal answer) and, where the client
/// retries it, persistently.
pub fn matrix() -> Vec<Case> {
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
        Case {
            answers: &[(-100, 1), (0, 1)],
            ..case("gateway -100, once", once(Fault::Gateway(-100)), Success, 2)
        },
        Case {
            answers: &[(-500, 1), (-999, 1), (0, 1)],
            ..case(
                "gateway -500 then -999, then an answer",
                FaultPlan::script([Fault::Gateway(-500), Fault::Gateway(-999)]),
                Success,
                3,
            )
        },
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
            sandbox: |b, _, _| b.clock_skew_secs(1800),
            // Retried once with a fresh timestamp, then given up.
            answers: &[(16, 2)],
            says: &["clock"],
            ..case("wrong clock (30 min)", FaultPlan::default(), Gateway(16), 2)
        },
        Case {
            // The sandbox knows another secret for the key: `SIGN_WRONG`, never retried.
            sandbox: |b, akey, _| b.credential(akey, "the-sandbox-knows-another"),
            answers: &[(7, 1)],
            says: &["SIGN_WRONG"],
            ..case("wrong secret", FaultPlan::default(), Gateway(7), 1)
        },
        Case {
            sandbox: |b, akey, asid| b.expired_credential(akey, asid),
            ..case("expired key", FaultPlan::default(), Gateway(3), 1)
        },
        case(
            "307 redirect to another host",
            always(Fault::Redirect {
                status: 307,
                location: "http://elsewhere.example/m.api".to_owned(),
            }),
            Transport(TransportKind::Redirect),
            1,
        ),
        case(
            "308 redirect on the same host",
            always(Fault::Redirect {
                status: 308,
                location: "/other.api".to_owned(),
            }),
            Transport(TransportKind::Redirect),
            1,
        ),
        Case {
            config: config_short_timeout,
            ..unmarked(
                "latency beyond the timeout, call not safe to repeat",
                always(Fault::Delay(SLOW)),
                Transport(TransportKind::Timeout),
                1,
            )
        },
        unmarked(
            "connection closed, call not safe to repeat",
            always(Fault::CloseConnection),
            Transport(TransportKind::Io),
            1,
        ),
        unmarked(
            "gateway -500, call not safe to repeat",
            always(Fault::Gateway(-500)),
            Gateway(-500),
            1,
        ),
        // `-100` is a refusal without running the call: even a call not safe to repeat is
        // sent again, in the next second, as long as the attempts last.
        unmarked(
            "gateway -100, call not safe to repeat, refused unexecuted",
            always(Fault::Gateway(-100)),
            Gateway(-100),
            MAX_ATTEMPTS,
        ),
        unmarked(
            "502 HTML page, call not safe to repeat",
            always(Fault::Http502Html),
            HttpStatus(502),
            1,
        ),
    ]
}

/// What running one case gave.
pub struct Run<T> {
    /// What the call returned.
    pub outcome: T,
    /// Requests the sandbox saw.
    pub requests: u64,
    /// What the sandbox counted, answers by code included.
    pub counters: Counters,
    /// How long the call took (not counting the sandbox's start and stop).
    pub elapsed: Duration,
}

/// Runs `case` against a fresh sandbox that accepts `akey` / `asid`: `call` makes one call
/// of the case's kind with credentials and a configuration pointing at that sandbox.
pub fn run_case<T>(
    case: &Case,
    akey: &str,
    asid: &str,
    call: impl FnOnce(Credentials, Config, Kind) -> T,
) -> Run<T> {
    let builder = Sandbox::builder().credential(akey, asid);
    let sandbox = (case.sandbox)(builder, akey, asid)
        .faults(case.plan.clone())
        .start_blocking()
        .expect("sandbox starts");
    let config = (case.config)(sandbox.url());
    let credentials = Credentials::new(akey, asid).expect("valid test credentials");
    let started = Instant::now();
    let kind = if case.unsafe_to_repeat {
        Kind::Unmarked
    } else {
        Kind::Read
    };
    let outcome = call(credentials, config, kind);
    let elapsed = started.elapsed();
    let counters = sandbox.counters();
    Run {
        outcome,
        requests: counters.requests(),
        counters,
        elapsed,
    }
}

/// `getTotalData` of one store as a raw call, not marked idempotent.
fn unmarked_call() -> RawCall {
    RawCall::new(GetTotalData::METHOD)
        .param("id", store(1).as_str())
        .param("needUnit", "0")
}

/// One call with the async client: the attempts it took.
pub async fn total_async(
    credentials: Credentials,
    config: Config,
    kind: Kind,
) -> Result<u32, Error> {
    let client = opretail::Client::new(credentials, config)?;
    let attempts = match kind {
        Kind::Read => {
            client
                .send_with_meta(&GetTotalData::new(store(1)))
                .await?
                .meta
                .attempts
        }
        Kind::Unmarked => client.send_with_meta(&unmarked_call()).await?.meta.attempts,
    };
    Ok(attempts)
}

/// One call with the blocking client: the attempts it took.
pub fn total_blocking(credentials: Credentials, config: Config, kind: Kind) -> Result<u32, Error> {
    let client = opretail::blocking::Client::new(credentials, config)?;
    let attempts = match kind {
        Kind::Read => {
            client
                .send_with_meta(&GetTotalData::new(store(1)))?
                .meta
                .attempts
        }
        Kind::Unmarked => client.send_with_meta(&unmarked_call())?.meta.attempts,
    };
    Ok(attempts)
}
