//! What only the blocking client has: one client shared by threads, a caller's own
//! `ureq::Agent`, and `from_env`; no async runtime here. What both clients do alike is in
//! `shared_behaviour.rs` and the fault matrix.

mod common;

use common::*;
use opretail::blocking::Client;
use opretail::{Config, GetTotalData, TransportKind};
use opretail_sandbox::{Fault, FaultPlan};

fn client(config: Config) -> Client {
    Client::new(credentials(), config).expect("client builds")
}

/// One client, cloned into threads and borrowed by them, all calling at once.
#[test]
fn client_is_shared_between_threads() {
    fn assert_shareable<T: Send + Sync + Clone>() {}
    assert_shareable::<Client>();

    let sandbox = sandbox().start_blocking().unwrap();
    let client = client(config(sandbox.url()));
    std::thread::scope(|scope| {
        let borrowed: Vec<_> = (0..4u32)
            .map(|t| {
                let client = &client;
                scope.spawn(move || {
                    (0..5).try_for_each(|n| {
                        client
                            .send(&opretail::GetTotalData::new(store(100 + t * 5 + n)))
                            .map(drop)
                    })
                })
            })
            .collect();
        let cloned: Vec<_> = (0..4u32)
            .map(|t| {
                let client = client.clone();
                std::thread::spawn(move || {
                    (0..5).try_for_each(|n| {
                        client
                            .send(&opretail::GetTotalData::new(store(200 + t * 5 + n)))
                            .map(drop)
                    })
                })
            })
            .collect();
        for call in borrowed {
            call.join().unwrap().unwrap();
        }
        for call in cloned {
            call.join().unwrap().unwrap();
        }
    });
    assert_eq!(sandbox.counters().answers(0), 40);
    assert_eq!(sandbox.counters().requests(), 40);
}

/// A caller's own `ureq::Agent` with ureq's defaults, which follow redirects and turn a
/// non-2xx status into an error without its body: the client still refuses the redirect
/// and reports the status with the page.
#[test]
fn a_callers_own_agent_does_not_follow_redirects_and_keeps_error_pages() {
    let sandbox = sandbox().start_blocking().unwrap();
    let ours = Client::with_agent(
        credentials(),
        config_without_retries(sandbox.url()),
        ureq::Agent::new_with_defaults(),
    );
    let response = ours.send_with_meta(&GetTotalData::new(store(1))).unwrap();
    assert_eq!(response.meta.attempts, 1);

    sandbox.set_faults(FaultPlan::script([Fault::Redirect {
        status: 308,
        location: "/other.api".to_owned(),
    }]));
    let error = ours
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Redirect),
        "{error}"
    );

    sandbox.set_faults(FaultPlan::script([Fault::Http502Html]));
    let error = ours
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_bad_gateway_page(&error);
    // The redirect was not followed: one request each, none to `/other.api`.
    assert_eq!(sandbox.counters().requests(), 3);
}

/// Runs only in a child process started by `from_env_reads_the_environment`, whose
/// environment it reads (tests must not change their own process's environment).
#[test]
fn from_env_child() {
    if std::env::var_os("OPRETAIL_TEST_CHILD").is_none() {
        return;
    }
    match Client::from_env().and_then(|client| client.send(&opretail::GetTotalData::new(store(1))))
    {
        Ok(totals) => println!("CHILD OK {:?}", totals.day_flow.is_some()),
        Err(error) => println!("CHILD ERR {error}"),
    }
}

#[test]
fn from_env_reads_the_environment() {
    let sandbox = sandbox().start_blocking().unwrap();
    let child = |asid: Option<&str>| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--exact",
                "from_env_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("OPRETAIL_TEST_CHILD", "1")
            .env("OPRETAIL_ENDPOINT", sandbox.url())
            .env("OPRETAIL_AKEY", AKEY)
            .env_remove("OPRETAIL_ASID");
        if let Some(asid) = asid {
            command.env("OPRETAIL_ASID", asid);
        }
        let output = command.output().unwrap();
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let ok = child(Some(ASID));
    assert!(ok.contains("CHILD OK true"), "{ok}");
    let missing = child(None);
    assert!(
        missing.contains("CHILD ERR") && missing.contains("OPRETAIL_ASID"),
        "{missing}"
    );
    assert_eq!(sandbox.counters().requests(), 1);
}
