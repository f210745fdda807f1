//! A running sandbox: its address, counters, fault plan and shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;

use crate::counters::Counters;
use crate::faults::{FaultPlan, FaultState};
use crate::server::Shared;

pub(crate) enum Runner {
    Task(tokio::task::JoinHandle<()>),
    Thread(std::thread::JoinHandle<()>),
}

/// A running sandbox. Dropping it stops the server (and joins its thread when it was
/// started with [`start_blocking`](crate::SandboxBuilder::start_blocking)).
pub struct SandboxHandle {
    addr: SocketAddr,
    url: String,
    cloud_url: String,
    ca_cert_pem: Option<String>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    runner: Option<Runner>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    pub(crate) fn new(
        addr: SocketAddr,
        ca_cert_pem: Option<String>,
        shared: Arc<Shared>,
        stop: watch::Sender<bool>,
        runner: Runner,
    ) -> Self {
        let scheme = if ca_cert_pem.is_some() {
            "https"
        } else {
            "http"
        };
        SandboxHandle {
            url: format!("{scheme}://{addr}/m.api"),
            cloud_url: format!("{scheme}://{addr}/cloud.api"),
            ca_cert_pem,
            addr,
            shared,
            stop,
            runner: Some(runner),
        }
    }

    /// The gateway URL: `http://HOST:PORT/m.api`, or `https://HOST:PORT/m.api` when TLS is
    /// on.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The cloud gateway's URL: `http://HOST:PORT/cloud.api` (`https://` when TLS is on).
    /// There `_aid` is an application id registered with the key
    /// ([`DEMO_APPLICATION_ID`](crate::DEMO_APPLICATION_ID) for the demo key) and the
    /// token header is `Ovo-Authorization`.
    pub fn cloud_url(&self) -> &str {
        &self.cloud_url
    }

    /// Makes every login token issued so far invalid: the next call with one gets
    /// `9990001 TOKEN_NOT_EXIST`, to test that a client logs in again.
    pub fn expire_tokens(&self) {
        self.shared.platform.tokens.expire_all();
    }

    /// The PEM of the CA that signed the sandbox's certificate, when it serves HTTPS: the one
    /// certificate a client must trust. `None` over plain HTTP.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_cert_pem.as_deref()
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.shared
            .counters
            .snapshot()
            .with_logins(self.shared.platform.logins())
    }

    /// Replaces the fault plan, for the requests that arrive from now on.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.shared.set_faults(FaultState::new(plan));
    }

    /// Stops accepting connections, lets open ones finish (at most 2 s), and waits for it.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        match self.runner.take() {
            Some(Runner::Task(task)) => {
                let _ = task.await;
            }
            Some(Runner::Thread(thread)) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
            None => {}
        }
    }

    /// Like [`shutdown`](Self::shutdown), for callers without a runtime. For a sandbox started
    /// with [`start`](crate::SandboxBuilder::start), this only signals the server to stop.
    pub fn shutdown_blocking(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let _ = self.stop.send(true);
        if let Some(Runner::Thread(thread)) = self.runner.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
