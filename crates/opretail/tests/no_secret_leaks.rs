//! A known secret never shows: not in any error (`Display` or `Debug`), not in the `Debug` of
//! clients, configurations or credentials, not in the traces at TRACE level, on every error
//! path of both clients: every row of the fault matrix, a wrong secret, every gateway code,
//! a refused connection and invalid input. Nor does any signature.

#[path = "fault_matrix/cases.rs"]
mod cases;
mod common;

use cases::{Case, matrix, run_case, total_async, total_blocking};
use common::{closed_port_url, config, config_without_retries, error_codes, global_traces};
use opretail::{Config, Credentials, Error, RawCall};
use opretail_sandbox::{Fault, FaultPlan};

const CANARY: &str = "leak-canary-7f3a";
const KEY: &str = "leak-key";

/// Asserts that neither the canary, nor a form, nor anything shaped like a signature shows.
fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "{what} shows the secret: {text}");
    assert!(!text.contains("_sig="), "{what} shows the form: {text}");
    assert!(
        !common::has_signature_like(text),
        "{what} shows a signature: {text}"
    );
}

fn assert_error_clean(what: &str, error: &Error) {
    assert_clean(what, &format!("{error}"));
    assert_clean(what, &format!("{error:?}"));
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        assert_clean(what, &format!("{cause} {cause:?}"));
        source = cause.source();
    }
}

/// Every way a call can fail: the matrix's rows, a sandbox that knows another secret for
/// the key (`SIGN_WRONG`), and every gateway code the sandbox can produce.
fn error_paths() -> Vec<Case> {
    let mut cases = matrix();
    let template = || cases::matrix().remove(0);
    cases.push(Case {
        fault: "wrong secret",
        sandbox: |b, akey, _| b.credential(akey, "the-sandbox-knows-another"),
        plan: FaultPlan::default(),
        config,
        ..template()
    });
    for code in error_codes() {
        cases.push(Case {
            fault: "gateway code",
            sandbox: |b, _, _| b,
            plan: FaultPlan::script([Fault::Gateway(code)]),
            config: config_without_retries,
            ..template()
        });
    }
    cases
}

/// Failures before anything is sent: credentials, configuration and operations refused.
fn invalid_input_errors() -> Vec<Error> {
    let mut errors = vec![
        Credentials::new("", CANARY).unwrap_err(),
        Credentials::new(KEY, "").unwrap_err(),
        Credentials::new("k".repeat(10_000), CANARY).unwrap_err(),
    ];
    for endpoint in [
        "ftp://host/m.api".to_owned(),
        format!("http://user:{CANARY}@host/m.api"),
        "http://host/m.api#frag".to_owned(),
        "not a url".to_owned(),
    ] {
        if let Err(e) = Config::builder().endpoint(endpoint).build() {
            errors.push(e);
        }
    }
    errors
}

fn credentials() -> Credentials {
    Credentials::new(KEY, CANARY).expect("valid credentials")
}

/// Operations that are refused before sending, one with the secret where it must not go
/// (its `Debug` shows it: it is the caller's own parameter; the error must not).
fn invalid_calls() -> Vec<RawCall> {
    vec![
        RawCall::new(""),
        RawCall::new("open.sandbox.echo").param("_asid", CANARY),
        RawCall::new("open.sandbox.echo").param("_sig", "0123456789ABCDEF0123456789ABCDEF"),
        RawCall::new("open.sandbox.echo")
            .param("a", "1")
            .param("a", "2"),
    ]
}

#[test]
fn async_client_keeps_the_secret_on_every_path() {
    let logs = global_traces();
    // On this thread, so that the client's events reach this thread's subscriber; each
    // sandbox runs on a thread of its own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut failures = 0;
    for case in error_paths() {
        let run = run_case(&case, KEY, CANARY, |credentials, config, kind| {
            runtime.block_on(total_async(credentials, config, kind))
        });
        if let Err(error) = &run.outcome {
            failures += 1;
            assert_error_clean(case.fault, error);
        }
    }
    let client =
        opretail::Client::new(credentials(), config(&closed_port_url())).expect("client builds");
    assert_clean("Debug of the client", &format!("{client:?}"));
    assert_clean("Debug of the config", &format!("{:?}", client.config()));
    assert_clean("Debug of the credentials", &format!("{:?}", credentials()));
    let client = opretail::Client::new(credentials(), config_without_retries(&closed_port_url()))
        .expect("client builds");
    for call in invalid_calls() {
        let error = runtime.block_on(client.send(&call)).unwrap_err();
        assert_error_clean("a refused call", &error);
    }
    let error = runtime
        .block_on(client.send(&RawCall::new("open.sandbox.echo")))
        .unwrap_err();
    assert_error_clean("a refused connection", &error);
    for error in invalid_input_errors() {
        assert_error_clean("invalid input", &error);
    }

    assert!(failures > error_codes().len(), "{failures} failures");
    let text = logs.text();
    assert!(text.contains("attempt failed"), "{text}");
    assert!(text.contains("attempt succeeded"), "{text}");
    assert_clean("the traces", &text);
}

#[test]
fn blocking_client_keeps_the_secret_on_every_path() {
    let logs = global_traces();
    let mut failures = 0;
    for case in error_paths() {
        let run = run_case(&case, KEY, CANARY, total_blocking);
        if let Err(error) = &run.outcome {
            failures += 1;
            assert_error_clean(case.fault, error);
        }
    }
    let client = opretail::blocking::Client::new(credentials(), config(&closed_port_url()))
        .expect("client builds");
    assert_clean("Debug of the client", &format!("{client:?}"));
    assert_clean("Debug of the config", &format!("{:?}", client.config()));
    let client =
        opretail::blocking::Client::new(credentials(), config_without_retries(&closed_port_url()))
            .expect("client builds");
    for call in invalid_calls() {
        let error = client.send(&call).unwrap_err();
        assert_error_clean("a refused call", &error);
    }
    let error = client.send(&RawCall::new("open.sandbox.echo")).unwrap_err();
    assert_error_clean("a refused connection", &error);

    assert!(failures > error_codes().len(), "{failures} failures");
    let text = logs.text();
    assert!(text.contains("attempt failed"), "{text}");
    assert!(text.contains("attempt succeeded"), "{text}");
    assert_clean("the traces", &text);
}
