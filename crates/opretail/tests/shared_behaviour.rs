//! What both clients must do alike that is not a row of the fault matrix: typed answers,
//! raw calls, units, quirky answers, every gateway code as a typed error, errors that name
//! what to fix, limits on streamed bodies, replay protection across identical calls, the rate
//! limit, logins refused as repeats, and secrets kept out of `Debug`, errors and traces.
//!
//! One table of cases; each case runs through the async and the blocking client against a
//! sandbox on loopback, and every case that fails is reported at once.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;

use opretail::{
    Config, Credentials, Error, GetTotalData, LoginData, LoginMethod, Operation, RawCall, Response,
    TokenSource, TransportKind,
};
use opretail_sandbox::{DEMO_PASSWORD, DEMO_USER, Fault, FaultPlan};

/// Which client a case runs through.
enum Runner {
    /// The async client, driven on a current-thread runtime so that its events reach the
    /// subscriber of the thread running the case.
    Async(tokio::runtime::Runtime),
    Blocking,
}

/// A client of either kind; every call returns once it is done.
enum AnyClient<'r> {
    Async {
        client: opretail::Client,
        runtime: &'r tokio::runtime::Runtime,
    },
    Blocking(opretail::blocking::Client),
}

impl Runner {
    fn name(&self) -> &'static str {
        match self {
            Runner::Async(_) => "async",
            Runner::Blocking => "blocking",
        }
    }

    /// Waits for `work` (which blocks) while the async client's runtime keeps running, so
    /// that its connections are still driven (and closed) meanwhile.
    fn wait<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        match self {
            Runner::Async(runtime) => runtime
                .block_on(async { tokio::task::spawn_blocking(work).await })
                .expect("the work does not panic"),
            Runner::Blocking => work(),
        }
    }

    fn client(&self, config: Config) -> AnyClient<'_> {
        self.client_with(credentials(), config)
    }

    fn client_with(&self, credentials: Credentials, config: Config) -> AnyClient<'_> {
        match self {
            Runner::Async(runtime) => AnyClient::Async {
                client: opretail::Client::new(credentials, config).expect("client builds"),
                runtime,
            },
            Runner::Blocking => AnyClient::Blocking(
                opretail::blocking::Client::new(credentials, config).expect("client builds"),
            ),
        }
    }
}

impl AnyClient<'_> {
    fn send<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output, Error> {
        match self {
            AnyClient::Async { client, runtime } => runtime.block_on(client.send(operation)),
            AnyClient::Blocking(client) => client.send(operation),
        }
    }

    fn send_with_meta<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<Response<O::Output>, Error> {
        match self {
            AnyClient::Async { client, runtime } => {
                runtime.block_on(client.send_with_meta(operation))
            }
            AnyClient::Blocking(client) => client.send_with_meta(operation),
        }
    }

    /// `count` copies of `operation` in flight at once through this one client: tasks on
    /// the runtime for the async client, threads for the blocking one.
    fn send_at_once(&self, operation: &GetTotalData, count: usize) -> Vec<Result<(), Error>> {
        match self {
            AnyClient::Async { client, runtime } => runtime.block_on(async {
                let calls: Vec<_> = (0..count)
                    .map(|_| {
                        let client = client.clone();
                        let operation = operation.clone();
                        tokio::spawn(async move { client.send(&operation).await.map(drop) })
                    })
                    .collect();
                let mut results = Vec::new();
                for call in calls {
                    results.push(call.await.expect("the call does not panic"));
                }
                results
            }),
            AnyClient::Blocking(client) => std::thread::scope(|scope| {
                let calls: Vec<_> = (0..count)
                    .map(|_| scope.spawn(|| client.send(operation).map(drop)))
                    .collect();
                calls
                    .into_iter()
                    .map(|call| call.join().expect("the call does not panic"))
                    .collect()
            }),
        }
    }

    fn with_token_source(self, source: TokenSource) -> Self {
        match self {
            AnyClient::Async { client, runtime } => AnyClient::Async {
                client: client.with_token_source(source),
                runtime,
            },
            AnyClient::Blocking(client) => AnyClient::Blocking(client.with_token_source(source)),
        }
    }

    /// Every result of `send_all`, in the order they came.
    fn send_all(
        &self,
        operations: Vec<RawCall>,
        in_flight: usize,
    ) -> Vec<(usize, Result<serde_json::Value, Error>)> {
        match self {
            AnyClient::Async { client, runtime } => {
                runtime.block_on(client.send_all(operations, in_flight).collect())
            }
            AnyClient::Blocking(client) => client.send_all(operations, in_flight).collect(),
        }
    }

    fn login(&self) -> Result<Arc<LoginData>, Error> {
        match self {
            AnyClient::Async { client, runtime } => runtime.block_on(client.login()),
            AnyClient::Blocking(client) => client.login(),
        }
    }

    fn config(&self) -> &Config {
        match self {
            AnyClient::Async { client, .. } => client.config(),
            AnyClient::Blocking(client) => client.config(),
        }
    }

    fn debug(&self) -> String {
        match self {
            AnyClient::Async { client, .. } => format!("{client:?}"),
            AnyClient::Blocking(client) => format!("{client:?}"),
        }
    }
}

/// One behaviour both clients must show; it asserts, and a failed assertion is the failure.
struct Case {
    behaviour: &'static str,
    run: fn(&Runner),
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            behaviour: "getTotalData without and with units",
            run: get_total_data_without_and_with_units,
        },
        Case {
            behaviour: "every sign method is accepted, and a wrong secret refused",
            run: every_sign_method_is_accepted_and_a_wrong_secret_refused,
        },
        Case {
            behaviour: "rsa calls verify with the registered public key and need no akey",
            run: rsa_calls_verify_with_the_registered_public_key,
        },
        Case {
            behaviour: "a sandbox that requires a nonce gets a fresh one on every call",
            run: a_sandbox_that_requires_a_nonce_gets_a_fresh_one_on_every_call,
        },
        Case {
            behaviour: "answers share a byte budget as small as one answer",
            run: answers_share_a_byte_budget_as_small_as_one_answer,
        },
        Case {
            behaviour: "a method's own body limit holds only its answers",
            run: a_methods_own_body_limit_holds_only_its_answers,
        },
        Case {
            behaviour: "quirky answers decode",
            run: quirky_answers_decode,
        },
        Case {
            behaviour: "a raw call returns JSON",
            run: raw_call_returns_json,
        },
        Case {
            behaviour: "a raw call's JSON body reaches the cloud gateway unsigned",
            run: a_raw_calls_json_body_reaches_the_cloud_gateway,
        },
        Case {
            behaviour: "send_all gives every result with the index of its operation",
            run: send_all_gives_every_result_with_its_index,
        },
        Case {
            behaviour: "every gateway code is a typed error",
            run: every_gateway_code_is_a_typed_error,
        },
        Case {
            behaviour: "identical calls at once do not trip replay protection",
            run: identical_calls_at_once_do_not_trip_replay_protection,
        },
        Case {
            behaviour: "a real repeat from another client is retried",
            run: a_real_repeat_from_another_client_is_retried,
        },
        Case {
            behaviour: "logins of one user from several processes in one second all succeed",
            run: logins_of_one_user_in_one_second_all_succeed,
        },
        Case {
            behaviour: "the rate limit spaces every request, retries included",
            run: the_rate_limit_spaces_every_request_retries_included,
        },
        Case {
            behaviour: "the whole-call timeout ends a slow call and is named",
            run: whole_call_timeout_ends_a_slow_call_and_is_named,
        },
        Case {
            behaviour: "a 502 page is kept in the error",
            run: a_502_page_is_kept_in_the_error,
        },
        Case {
            behaviour: "a streamed body over the limit is cut off while reading",
            run: streamed_body_over_the_limit_is_cut_off_while_reading,
        },
        Case {
            behaviour: "TLS to a plain HTTP server is a TLS error",
            run: tls_to_a_plain_http_server_is_a_tls_error,
        },
        Case {
            behaviour: "a refused connection names the endpoint",
            run: refused_connection_names_the_endpoint,
        },
        Case {
            behaviour: "secrets stay out of Debug, errors and traces",
            run: secrets_stay_out_of_debug_errors_and_traces,
        },
    ]
}

/// Runs every case through `runner` and reports every case that failed at once.
fn run_all(runner: &Runner) {
    let mut failures = Vec::new();
    for case in cases() {
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| (case.run)(runner)));
        eprintln!(
            "{}: {}: {:?}",
            runner.name(),
            case.behaviour,
            started.elapsed()
        );
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panicked".to_owned());
            failures.push(format!("{}: {}: {message}", runner.name(), case.behaviour));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn async_client_shows_every_shared_behaviour() {
    // Before any case registers a callsite, so that none is ever cached as silenced.
    global_traces();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    run_all(&Runner::Async(runtime));
}

#[test]
fn blocking_client_shows_every_shared_behaviour() {
    // Before any case registers a callsite, so that none is ever cached as silenced.
    global_traces();
    run_all(&Runner::Blocking);
}

// The cases. Each sandbox runs on a runtime thread of its own (`start_blocking`), apart
// from the client's.

fn get_total_data_without_and_with_units(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    let client = runner.client(config(sandbox.url()));

    let plain = client
        .send(&opretail::GetTotalData::new(store(1001)))
        .unwrap();
    let day = plain.day_flow.as_ref().expect("DAY_FLOW present");
    assert!(day.as_i64().is_some(), "{day:?}");

    let response = client
        .send_with_meta(&GetTotalData::new(store(1001)).with_units(true))
        .unwrap();
    assert!(response.output.day_flow.is_some());
    assert!(response.meta.cid.is_some());
    assert_eq!(response.meta.attempts, 1);
    assert_eq!(sandbox.counters().answers(0), 2);
}

fn every_sign_method_is_accepted_and_a_wrong_secret_refused(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    for method in opretail::SignMethod::ALL {
        let config = || {
            Config::builder()
                .endpoint(sandbox.url())
                .retry(fast_retry())
                .sign_method(method)
                .build()
                .unwrap()
        };
        let client = runner.client(config());
        let totals = client.send(&GetTotalData::new(store(1001)));
        assert!(totals.is_ok(), "{method}: {totals:?}");
        let wrong_secret =
            Credentials::new(opretail_sandbox::DEFAULT_AKEY, "wrong-secret").unwrap();
        let wrong = runner.client_with(wrong_secret, config());
        let refused = wrong.send(&GetTotalData::new(store(1001))).unwrap_err();
        let gateway = refused
            .gateway()
            .unwrap_or_else(|| panic!("{method}: {refused}"));
        assert_eq!(gateway.code.code(), 7, "{method}: {refused}");
    }
    assert_eq!(
        sandbox.counters().answers(0),
        opretail::SignMethod::ALL.len() as u64
    );
}

fn rsa_calls_verify_with_the_registered_public_key(runner: &Runner) {
    let public =
        opretail_sign::RsaVerifyingKey::from_text(include_str!("data/rsa-test-key.pub.pem"))
            .unwrap();
    let sandbox = sandbox().rsa_public_key(public).start_blocking().unwrap();
    let config = || {
        Config::builder()
            .endpoint(sandbox.url())
            .retry(fast_retry())
            .build()
            .unwrap()
    };
    let key = Credentials::rsa(include_str!("data/rsa-test-key.pem")).unwrap();
    let totals = runner
        .client_with(key, config())
        .send(&GetTotalData::new(store(1001)));
    assert!(totals.is_ok(), "{totals:?}");
    let other = Credentials::rsa(include_str!("data/rsa-other-key.pem")).unwrap();
    let refused = runner
        .client_with(other, config())
        .send(&GetTotalData::new(store(1001)))
        .unwrap_err();
    assert_eq!(
        refused.gateway().map(|g| g.code.code()),
        Some(7),
        "{refused}"
    );
    assert_eq!(sandbox.counters().answers(0), 1);
}

fn a_sandbox_that_requires_a_nonce_gets_a_fresh_one_on_every_call(runner: &Runner) {
    let sandbox = sandbox().require_nonce(true).start_blocking().unwrap();
    let config = |nonce: bool| {
        Config::builder()
            .endpoint(sandbox.url())
            .retry(fast_retry())
            .nonce(nonce)
            .build()
            .unwrap()
    };
    let refused = runner
        .client(config(false))
        .send(&GetTotalData::new(store(1001)))
        .unwrap_err();
    assert!(refused.to_string().contains("_nonce"), "{refused}");
    // Identical calls at once: the same second, distinct nonces, none refused as a repeat.
    let client = runner.client(config(true));
    let results = client.send_at_once(&GetTotalData::new(store(1001)), 6);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sandbox.counters().answers(0), 6);
    assert_eq!(sandbox.counters().answers(-100), 0);
}

fn quirky_answers_decode(runner: &Runner) {
    let sandbox = sandbox().quirks(true).start_blocking().unwrap();
    let client = runner.client(config(sandbox.url()));
    for n in 1..=5 {
        for units in [false, true] {
            let op = GetTotalData::new(store(n)).with_units(units);
            if let Err(error) = client.send(&op) {
                panic!("store {n}, units {units}: {error}");
            }
        }
    }
    let enterprise = client
        .send(&opretail::GetTotalData::new("O_42".parse().unwrap()))
        .unwrap();
    assert!(enterprise.month_flow.is_some() || !enterprise.extra.is_empty());
}

fn raw_call_returns_json(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    let client = runner.client(config(sandbox.url()));
    let data = client
        .send(&RawCall::new(opretail_sandbox::METHOD_ECHO).param("q", "héllo"))
        .unwrap();
    assert_eq!(data["q"], "héllo", "{data}");
}

fn a_raw_calls_json_body_reaches_the_cloud_gateway(runner: &Runner) {
    let sandbox = sandbox()
        .application_for(common::AKEY, opretail_sandbox::DEMO_APPLICATION_ID)
        .start_blocking()
        .unwrap();
    let config = Config::builder()
        .endpoint(sandbox.cloud_url())
        .aid(opretail_sandbox::DEMO_APPLICATION_ID)
        .retry(fast_retry())
        .build()
        .unwrap();
    let client = runner.client(config);
    let call = RawCall::new(opretail_sandbox::METHOD_ECHO)
        .param("q", "signed")
        .with_json_body(serde_json::json!({"order": {"lines": [1, 2]}, "name": "中文"}))
        .unwrap();
    let data = client.send(&call).unwrap();
    assert_eq!(data["q"], "signed", "{data}");
    assert_eq!(data["name"], "中文", "{data}");
    assert_eq!(data["order"], r#"{"lines":[1,2]}"#, "{data}");
}

fn send_all_gives_every_result_with_its_index(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    let client = runner.client(config_without_retries(sandbox.url()));
    let operations: Vec<_> = (0..12)
        .map(|n| RawCall::new(opretail_sandbox::METHOD_ECHO).param("q", n.to_string()))
        .collect();
    let mut results = client.send_all(operations, 4);
    results.sort_by_key(|(n, _)| *n);
    assert_eq!(results.len(), 12);
    for (expected, (n, result)) in results.into_iter().enumerate() {
        assert_eq!(n, expected);
        let data = result.unwrap();
        assert_eq!(data["q"], n.to_string(), "{data}");
    }
    assert_eq!(sandbox.counters().requests(), 12);
}

fn answers_share_a_byte_budget_as_small_as_one_answer(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    // One answer at a time may be held, 12 calls at 8 in flight: each waits its turn, and
    // a reservation is given back after a refused call too.
    let config = Config::builder()
        .endpoint(sandbox.url())
        .body_limit(64 * 1024)
        .answer_bytes_in_flight(0)
        .retry(opretail::RetryPolicy::never())
        .build()
        .unwrap();
    assert_eq!(config.answer_bytes_in_flight(), 64 * 1024);
    sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(-1)));
    let client = runner.client(config);
    let operations: Vec<_> = (0..12)
        .map(|n| RawCall::new(opretail_sandbox::METHOD_ECHO).param("q", n.to_string()))
        .collect();
    let results = client.send_all(operations, 8);
    assert_eq!(results.len(), 12);
    assert_eq!(results.iter().filter(|(_, r)| r.is_err()).count(), 1);
}

fn a_methods_own_body_limit_holds_only_its_answers(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    let client = |body: usize, method: &str, own: usize| {
        let config = Config::builder()
            .endpoint(sandbox.url())
            .body_limit(body)
            .method_body_limit(method, own)
            .retry(opretail::RetryPolicy::never())
            .build()
            .unwrap();
        runner.client(config)
    };
    let echo = |q: &str| RawCall::new(opretail_sandbox::METHOD_ECHO).param("q", q);
    // About 1.5 KiB of answer; one letter per client, as clients do not share their memory
    // of signatures sent (the same call in the same second would be refused as a repeat).
    let long = |letter: &str| letter.repeat(1500);
    let refused = |client: &AnyClient<'_>, letter: &str, limit: &str, setting: &str| {
        let error = client.send(&echo(&long(letter))).unwrap_err();
        assert_eq!(
            error.transport_kind(),
            Some(TransportKind::BodyLimit),
            "{error}"
        );
        let text = error.to_string();
        assert!(text.contains(&format!("limit of {limit} bytes")), "{text}");
        assert!(text.contains(&format!("raise {setting} ")), "{text}");
    };
    // The method's own limit, below the client's.
    let echo_held = client(4096, opretail_sandbox::METHOD_ECHO, 1024);
    let setting = format!(
        "ConfigBuilder::method_body_limit of {}",
        opretail_sandbox::METHOD_ECHO
    );
    refused(&echo_held, "a", "1024", &setting);
    assert_eq!(echo_held.send(&echo("short")).unwrap()["q"], "short");
    // Above the client's.
    let echo_roomy = client(1024, opretail_sandbox::METHOD_ECHO, 4096);
    assert_eq!(echo_roomy.send(&echo(&long("b"))).unwrap()["q"], long("b"));
    // Another method's limit leaves the client's in force.
    let total_roomy = client(1024, GetTotalData::METHOD, 16 * 1024);
    refused(&total_roomy, "c", "1024", "Config::body_limit");
}

fn every_gateway_code_is_a_typed_error(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    let client = runner.client(config_without_retries(sandbox.url()));
    // A store of its own per code: identical calls would wait for fresh timestamps.
    for (n, code) in (1..).zip(error_codes()) {
        sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(code)));
        let error = client
            .send(&opretail::GetTotalData::new(store(n)))
            .unwrap_err();
        let gateway = error.gateway().unwrap_or_else(|| panic!("{code}: {error}"));
        assert_eq!(gateway.code.code(), code);
        assert!(!gateway.code.name().is_empty(), "{code}");
        assert!(
            gateway.message.as_deref().is_some_and(|m| !m.is_empty()),
            "{code}: {error}"
        );
        let cid = error.cid().expect("a cid");
        assert!(error.to_string().contains(cid), "{error}");
        assert!(error.to_string().contains(gateway.code.name()), "{error}");
    }
    assert_eq!(sandbox.counters().requests(), error_codes().len() as u64);
}

fn identical_calls_at_once_do_not_trip_replay_protection(runner: &Runner) {
    let sandbox = sandbox().replay_protection(true).start_blocking().unwrap();
    let client = runner.client(config(sandbox.url()));
    // Backdating gives 6 distinct timestamps at once, then one new one per second.
    for result in client.send_at_once(&GetTotalData::new(store(5)), 8) {
        result.unwrap();
    }
    assert_eq!(sandbox.counters().answers(0), 8);
    assert_eq!(sandbox.counters().requests(), 8);
}

fn a_real_repeat_from_another_client_is_retried(runner: &Runner) {
    // Two clients do not share their signers: the same call from both in the same second
    // carries the same signature, and the sandbox refuses the second with -100.
    let sandbox = sandbox().replay_protection(true).start_blocking().unwrap();
    let first = runner.client(config(sandbox.url()));
    let second = runner.client(config(sandbox.url()));
    let op = GetTotalData::new(store(9));
    first.send(&op).unwrap();
    let response = second.send_with_meta(&op).unwrap();
    let repeats = sandbox.counters().answers(-100);
    assert!(repeats <= 1, "{repeats}");
    assert_eq!(u64::from(response.meta.attempts), 1 + repeats);
    assert_eq!(sandbox.counters().requests(), 2 + repeats);
}

fn logins_of_one_user_in_one_second_all_succeed(runner: &Runner) {
    // Each client stands for a process of its own (a cron job, say): its replay memory
    // knows nothing of the others, so logins of one user in one second carry one signature
    // and the sandbox refuses all but the first with -100. A login is not safe to repeat,
    // but -100 means it did not run: each is sent again in the next second.
    let sandbox = sandbox().replay_protection(true).start_blocking().unwrap();
    let user = || TokenSource::login(DEMO_USER, DEMO_PASSWORD, LoginMethod::Mobile).unwrap();
    let clients: Vec<_> = (0..3)
        .map(|_| {
            runner
                .client(config(sandbox.url()))
                .with_token_source(user())
        })
        .collect();
    for (n, client) in clients.iter().enumerate() {
        let login = client.login();
        assert!(login.is_ok(), "login {n}: {login:?}");
    }
    let repeats = sandbox.counters().answers(-100);
    assert_eq!(sandbox.counters().requests(), 3 + repeats);
}

fn the_rate_limit_spaces_every_request_retries_included(runner: &Runner) {
    // The first answer is -500, retried: five requests for four calls, at 20 a second.
    let plan = FaultPlan::script([Fault::Gateway(-500)]);
    let sandbox = sandbox().faults(plan).start_blocking().unwrap();
    let config = Config::builder()
        .endpoint(sandbox.url())
        .retry(opretail::RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .rate_limit(20.0)
        .build()
        .unwrap();
    let client = runner.client(config);
    let started = Instant::now();
    for n in 1..=4 {
        client.send(&opretail::GetTotalData::new(store(n))).unwrap();
    }
    assert_eq!(sandbox.counters().requests(), 5);
    // The fifth request's slot is 4 × 50 ms after the first's: a slower machine only adds.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
}

fn whole_call_timeout_ends_a_slow_call_and_is_named(runner: &Runner) {
    let plan = FaultPlan::script([Fault::Delay(Duration::from_secs(5))]);
    let sandbox = sandbox().faults(plan).start_blocking().unwrap();
    let config = Config::builder()
        .endpoint(sandbox.url())
        .timeout(Duration::from_millis(300))
        .retry(opretail::RetryPolicy::never())
        .build()
        .unwrap();
    let client = runner.client(config);
    let started = Instant::now();
    let error = client
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    // Far below the 5 s delay: the client gave up, the gateway did not answer.
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Timeout),
        "{error}"
    );
    assert!(error.to_string().contains("Config::timeout"), "{error}");
}

fn a_502_page_is_kept_in_the_error(runner: &Runner) {
    let sandbox = sandbox()
        .faults(FaultPlan::script([Fault::Http502Html]))
        .start_blocking()
        .unwrap();
    let error = runner
        .client(config_without_retries(sandbox.url()))
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_bad_gateway_page(&error);
    assert_eq!(sandbox.counters().requests(), 1);
}

fn streamed_body_over_the_limit_is_cut_off_while_reading(runner: &Runner) {
    let (url, server) = endless_chunked_server(ENDLESS);
    let error = runner
        .client(config_with_small_body_limit(&url))
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::BodyLimit),
        "{error}"
    );
    let written = runner.wait(move || server.join().unwrap());
    assert!(written < ENDLESS, "the client read the whole body");
}

fn tls_to_a_plain_http_server_is_a_tls_error(runner: &Runner) {
    let sandbox = sandbox().start_blocking().unwrap();
    let url = sandbox.url().replace("http://", "https://");
    let error = runner
        .client(config(&url))
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_eq!(error.transport_kind(), Some(TransportKind::Tls), "{error}");
    assert_eq!(sandbox.counters().requests(), 0);
}

fn refused_connection_names_the_endpoint(runner: &Runner) {
    let url = closed_port_url();
    let error = runner
        .client(config_without_retries(&url))
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Connect),
        "{error}"
    );
    assert!(error.to_string().contains(&url), "{error}");
}

fn secrets_stay_out_of_debug_errors_and_traces(runner: &Runner) {
    let logs = global_traces();
    let sandbox = sandbox().start_blocking().unwrap();
    let ours = runner.client(config(sandbox.url()));
    assert_no_secret("Debug of the client", &ours.debug());
    assert_no_secret("Debug of the credentials", &format!("{:?}", credentials()));
    assert_no_secret("Debug of the config", &format!("{:?}", ours.config()));

    ours.send(&opretail::GetTotalData::new(store(3))).unwrap();
    sandbox.set_faults(FaultPlan::script([
        Fault::Gateway(-500),
        Fault::Http502Html,
    ]));
    ours.send(&opretail::GetTotalData::new(store(3))).unwrap();
    let wrong = Credentials::new(AKEY, "not-the-secret").unwrap();
    let error = runner
        .client_with(wrong, config(sandbox.url()))
        .send(&opretail::GetTotalData::new(store(3)))
        .unwrap_err();
    assert_no_secret("an error", &format!("{error} {error:?}"));
    let error = runner
        .client(config_without_retries(&closed_port_url()))
        .send(&opretail::GetTotalData::new(store(3)))
        .unwrap_err();
    assert_no_secret("an error", &format!("{error} {error:?}"));

    let text = logs.text();
    assert!(text.contains("attempt succeeded"), "{text}");
    assert!(text.contains("attempt failed"), "{text}");
    assert!(text.contains("getTotalData"), "{text}");
    assert_no_secret("the traces", &text);
    assert!(!text.contains("not-the-secret"), "{text}");
}
