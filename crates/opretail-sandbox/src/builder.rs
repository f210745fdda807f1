//! Configuring and starting a sandbox.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use opretail_sign::RsaVerifyingKey;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::connections::{
    ConnectionLimits, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Transport, serve,
};
use crate::faults::{FaultPlan, FaultState};
use crate::handle::{Runner, SandboxHandle};
use crate::methods;
use crate::platform::{DEFAULT_AKEY, DEFAULT_ASID, DEMO_USER, Platform, PlatformConfig};
use crate::server::{Shared, router};
use crate::validate::{Credential, Rules};

/// The gateway emulator. Start one with [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: listen on `127.0.0.1:0` (a free port) over plain HTTP,
    /// accept [`DEFAULT_AKEY`] / [`DEFAULT_ASID`], ±10 minutes of clock tolerance, replay
    /// protection on, strict types, no faults, at most
    /// [`DEFAULT_MAX_CONNECTIONS`](crate::DEFAULT_MAX_CONNECTIONS) open connections.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// How to start a sandbox. See [`Sandbox::builder`].
#[derive(Clone)]
pub struct SandboxBuilder {
    credentials: HashMap<String, Credential>,
    tolerance: Duration,
    skew_secs: i64,
    replay: bool,
    quirks: bool,
    faults: FaultPlan,
    listen: SocketAddr,
    max_connections: usize,
    idle_timeout: Duration,
    tls: bool,
    revise_recent_hours: u32,
    /// Whether the beyond-loopback warning goes to stderr instead of the log.
    warnings_on_stderr: bool,
    /// The public key of `_sm=rsa` calls.
    rsa_public_key: Option<RsaVerifyingKey>,
    pub(crate) platform: PlatformConfig,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            credentials: HashMap::new(),
            tolerance: Duration::from_secs(600),
            skew_secs: 0,
            replay: true,
            quirks: false,
            faults: FaultPlan::default(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            tls: false,
            revise_recent_hours: 0,
            warnings_on_stderr: false,
            rsa_public_key: None,
            platform: PlatformConfig::default(),
        }
        .credential(DEFAULT_AKEY, DEFAULT_ASID)
    }
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<(&str, bool)> = self
            .credentials
            .iter()
            .map(|(k, c)| (k.as_str(), c.expired))
            .collect();
        keys.sort_unstable();
        f.debug_struct("SandboxBuilder")
            .field("keys (expired?)", &keys)
            .field("tolerance", &self.tolerance)
            .field("skew_secs", &self.skew_secs)
            .field("replay", &self.replay)
            .field("quirks", &self.quirks)
            .field("revise_recent_hours", &self.revise_recent_hours)
            .field("faults", &self.faults)
            .field("listen", &self.listen)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("tls", &self.tls)
            .field("rsa_public_key", &self.rsa_public_key)
            .field("platform", &self.platform)
            .finish()
    }
}

impl SandboxBuilder {
    /// Accepts another key with its signing secret (replacing an earlier one of that key).
    pub fn credential(self, akey: impl Into<String>, asid: impl Into<String>) -> Self {
        self.with_credential(akey.into(), asid.into(), false)
    }

    /// Registers a key that has expired: requests with it get `KEY_HAS_EXPIRED` (3).
    pub fn expired_credential(self, akey: impl Into<String>, asid: impl Into<String>) -> Self {
        self.with_credential(akey.into(), asid.into(), true)
    }

    fn with_credential(mut self, akey: String, secret: String, expired: bool) -> Self {
        self.credentials
            .insert(akey, Credential { secret, expired });
        self
    }

    /// Stops accepting the default demo key ([`DEFAULT_AKEY`]).
    pub fn without_default_credential(mut self) -> Self {
        self.credentials.remove(DEFAULT_AKEY);
        self
    }

    /// How far `_timestamp` may be from the sandbox's clock, either way (default 10 minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Answers calls that match a recorded exchange (method, version and business
    /// parameters) with the recorded status and body, after the usual checks of the common
    /// parameters; every other call as usual. See [`Recordings::load`](crate::Recordings::load).
    pub fn replay(mut self, recordings: crate::Recordings) -> Self {
        self.platform.recordings = recordings;
        self
    }

    /// Accepts `_sm=rsa` calls signed with the private half of `key` (as the platform does
    /// with the public key a developer registers), with no `_akey`; any other RSA signature
    /// gets `SIGN_WRONG`. Without a key, every `_sm=rsa` call gets `SIGN_WRONG`.
    ///
    /// ```
    /// # let pem = include_str!("../tests/data/rsa-test-key.pub.pem");
    /// let key = opretail_sign::RsaVerifyingKey::from_text(pem)?;
    /// let builder = opretail_sandbox::Sandbox::builder().rsa_public_key(key);
    /// # Ok::<(), opretail_sign::KeyError>(())
    /// ```
    pub fn rsa_public_key(mut self, key: RsaVerifyingKey) -> Self {
        self.rsa_public_key = Some(key);
        self
    }

    /// Shifts the sandbox's clock by this many seconds, to test clients with a wrong clock.
    pub fn clock_skew_secs(mut self, skew: i64) -> Self {
        self.skew_secs = skew;
        self
    }

    /// Makes the device with this MAC address (12 hex digits; separators and case ignored)
    /// dead: offline, and counting nothing, so that its store counts that much less in every
    /// method (a store whose devices are all dead counts zero). Repeat for more devices. The
    /// demo devices' addresses are `0C` + the store's `depId` in 6 hex digits + the device
    /// number in 4 (`0C0003E90001`: the first device of `S_1001`).
    pub fn dead_device(mut self, mac: impl AsRef<str>) -> Self {
        let mac: String = mac
            .as_ref()
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect();
        self.platform.dead_devices.insert(mac.to_ascii_uppercase());
        self
    }

    /// Answers `method` with [`METHOD_NOT_GRANTED`](crate::METHOD_NOT_GRANTED) (after the
    /// key, signature and timestamp checks), as the platform does for a method the
    /// developer console has not granted to the application. The full name or its last
    /// dotted part (`getTotalData`). Repeat for more methods.
    pub fn refuse_method(mut self, method: impl Into<String>) -> Self {
        self.platform.refused_methods.insert(method.into());
        self
    }

    /// Whether every call must carry a `_nonce` (as the vendor's newer SDKs send) never seen
    /// before: a call without one is refused with `PARAM_ILLEGAL`, a nonce seen again inside
    /// the tolerance window with `API_CALL_REPEAT` (default off: older SDKs send none).
    pub fn require_nonce(mut self, on: bool) -> Self {
        self.platform.require_nonce = on;
        self
    }

    /// Whether a `_sig` seen again inside the tolerance window gets `API_CALL_REPEAT`
    /// (default on; switch it off for load tests that resend one signed request).
    pub fn replay_protection(mut self, on: bool) -> Self {
        self.replay = on;
        self
    }

    /// Whether answers use the loose types real gateways send (default off).
    pub fn quirks(mut self, on: bool) -> Self {
        self.quirks = on;
        self
    }

    /// Revises the passenger figures of the last `hours` hours (the current one included) a
    /// little on every answer (default 0: never), as a gateway that is still counting does:
    /// the same recent window asked for twice answers up to 5 % differently per hour, while
    /// older hours never change. Within one answer the figures agree as always (a day is the
    /// sum of its hours, `DAY_FLOW` the sum of today's), across every passenger-flow method.
    pub fn revise_recent_hours(mut self, hours: u32) -> Self {
        self.revise_recent_hours = hours;
        self
    }

    /// The fault plan to start with; change it later with [`SandboxHandle::set_faults`].
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// The address to listen on (default `127.0.0.1:0`: a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The most connections open at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`](crate::DEFAULT_MAX_CONNECTIONS); 0 counts as 1). At the
    /// cap, a new connection closes the oldest one with no request in progress; when every
    /// one is busy, it waits in the listen backlog until one closes.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// How long a connection may go without sending a complete request head (default
    /// [`DEFAULT_IDLE_TIMEOUT`](crate::DEFAULT_IDLE_TIMEOUT), 10 s), counted from when it
    /// opens and from each answer: idle keep-alive connections and clients that send their
    /// headers too slowly are closed after it. Zero counts as one millisecond.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Whether to serve HTTPS (default off) with a certificate for `localhost`, `127.0.0.1`
    /// and `::1`, signed by a CA generated at start: trust
    /// [`SandboxHandle::ca_cert_pem`] in the client. The URL becomes
    /// `https://HOST:PORT/m.api`.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Whether the demo key would be reachable from other machines: the address is not
    /// loopback and [`DEFAULT_AKEY`] is accepted with [`DEFAULT_ASID`].
    fn exposes_demo_key(&self, addr: SocketAddr) -> bool {
        !addr.ip().is_loopback()
            && self
                .credentials
                .get(DEFAULT_AKEY)
                .is_some_and(|c| !c.expired && c.secret == DEFAULT_ASID)
    }

    /// Sends the beyond-loopback warning to stderr, whatever the log filter lets through:
    /// for the command line, where a log filter of `error` must not hide it.
    #[cfg(feature = "cli")]
    pub(crate) fn warnings_on_stderr(mut self) -> Self {
        self.warnings_on_stderr = true;
        self
    }

    fn warn_if_exposed(&self, addr: SocketAddr) {
        if !self.exposes_demo_key(addr) {
            return;
        }
        let warning = format!(
            "the sandbox listens beyond loopback ({addr}) and accepts the public demo key {DEFAULT_AKEY:?}: anyone who can reach it can call it; listen on 127.0.0.1, or drop the demo key (without_default_credential(), --no-demo-key)"
        );
        if self.warnings_on_stderr {
            eprintln!("warning: {warning}");
        } else {
            tracing::warn!(%addr, "{warning}");
        }
    }

    fn transport(&self) -> io::Result<(Transport, Option<String>)> {
        #[cfg(feature = "tls")]
        if self.tls {
            let tls = crate::tls::Tls::generate()?;
            return Ok((Transport::Tls(tls.acceptor), Some(tls.ca_cert_pem)));
        }
        Ok((Transport::Plain, None))
    }

    fn bind(&self) -> io::Result<std::net::TcpListener> {
        let listener = std::net::TcpListener::bind(self.listen).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot listen on {}: {e}; choose another address or port 0",
                    self.listen
                ),
            )
        })?;
        listener.set_nonblocking(true)?;
        Ok(listener)
    }

    fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max: self.max_connections.max(1),
            idle_timeout: self.idle_timeout,
        }
    }

    fn into_shared(self) -> Arc<Shared> {
        let rules = Rules {
            credentials: self.credentials,
            tolerance_secs: i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX),
            registry: methods::registry(),
            rsa_public_key: self.rsa_public_key,
        };
        Arc::new(Shared::new(
            rules,
            Clock::new(self.skew_secs),
            self.replay,
            self.quirks,
            FaultState::new(self.faults),
            Platform::new(self.platform),
            self.revise_recent_hours,
        ))
    }

    /// Starts the sandbox on the current tokio runtime.
    ///
    /// Fails when the address cannot be bound (or is in use).
    pub async fn start(self) -> io::Result<SandboxHandle> {
        let (transport, ca_cert_pem) = self.transport()?;
        let listener = tokio::net::TcpListener::from_std(self.bind()?)?;
        let addr = listener.local_addr()?;
        self.warn_if_exposed(addr);
        let limits = self.connection_limits();
        let shared = self.into_shared();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(
            listener,
            transport,
            router(shared.clone()),
            limits,
            stopped,
        ));
        Ok(SandboxHandle::new(
            addr,
            ca_cert_pem,
            shared,
            stop,
            Runner::Task(task),
        ))
    }

    /// Starts the sandbox on its own multi-thread runtime on a background thread; the caller
    /// needs no runtime. The thread ends when the handle is shut down or dropped.
    pub fn start_blocking(self) -> io::Result<SandboxHandle> {
        let (transport, ca_cert_pem) = self.transport()?;
        let std_listener = self.bind()?;
        let addr = std_listener.local_addr()?;
        self.warn_if_exposed(addr);
        let limits = self.connection_limits();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("opretail-sandbox")
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let shared = self.into_shared();
        let (stop, stopped) = watch::channel(false);
        let app = router(shared.clone());
        let thread = std::thread::Builder::new()
            .name("opretail-sandbox-main".into())
            .spawn(move || {
                runtime.block_on(serve(listener, transport, app, limits, stopped));
            })?;
        Ok(SandboxHandle::new(
            addr,
            ca_cert_pem,
            shared,
            stop,
            Runner::Thread(thread),
        ))
    }
}

/// The platform-side settings of a sandbox.
impl SandboxBuilder {
    /// Adds a business-platform user who can log in with `password` (replacing an earlier
    /// user of that name). [`DEMO_USER`] / [`DEMO_PASSWORD`](crate::DEMO_PASSWORD) is there by default.
    pub fn user(mut self, name: impl Into<String>, password: impl Into<String>) -> Self {
        self.platform.users.insert(name.into(), password.into());
        self
    }

    /// Stops accepting the demo user ([`DEMO_USER`]).
    pub fn without_demo_user(mut self) -> Self {
        self.platform.users.remove(DEMO_USER);
        self
    }

    /// How long a login token stays valid (default [`DEFAULT_TOKEN_TTL`](crate::DEFAULT_TOKEN_TTL), one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.platform.token_ttl = ttl;
        self
    }

    /// Registers an application id with the default key ([`DEFAULT_AKEY`]): the cloud
    /// gateway accepts it as `_aid` with that key. [`DEMO_APPLICATION_ID`](crate::DEMO_APPLICATION_ID) is registered by
    /// default.
    pub fn application(self, app_id: impl Into<String>) -> Self {
        self.application_for(DEFAULT_AKEY, app_id)
    }

    /// Registers an application id with the key `akey` (see
    /// [`application`](Self::application)).
    pub fn application_for(mut self, akey: impl Into<String>, app_id: impl Into<String>) -> Self {
        let ids = self.platform.applications.entry(akey.into()).or_default();
        let app_id = app_id.into();
        if !ids.contains(&app_id) {
            ids.push(app_id);
        }
        self
    }

    /// The largest `pageSize` the store lists accept (default [`DEFAULT_MAX_PAGE_SIZE`](crate::DEFAULT_MAX_PAGE_SIZE); 0
    /// counts as 1); larger ones get [`PAGE_SIZE_TOO_LARGE`](crate::PAGE_SIZE_TOO_LARGE).
    pub fn max_page_size(mut self, max: u32) -> Self {
        self.platform.limits.max_page_size = max.max(1);
        self
    }

    /// The most days one time-series call may cover (default [`DEFAULT_MAX_WINDOW_DAYS`](crate::DEFAULT_MAX_WINDOW_DAYS); 0
    /// counts as 1); longer windows get [`WINDOW_TOO_LONG`](crate::WINDOW_TOO_LONG). A
    /// series of weeks, months, quarters or years may always cover one whole period of its
    /// grain, as the SDK's splitting never cuts one.
    pub fn max_window_days(mut self, max: u32) -> Self {
        self.platform.limits.max_window_days = max.max(1);
        self
    }

    /// The most ids one time-series or demographics call may name (default
    /// [`DEFAULT_MAX_IDS_PER_CALL`](crate::DEFAULT_MAX_IDS_PER_CALL); 0 counts as 1); more get
    /// [`TOO_MANY_IDS`](crate::TOO_MANY_IDS).
    pub fn max_ids_per_call(mut self, max: u32) -> Self {
        self.platform.limits.max_ids_per_call = max.max(1);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{DEMO_APPLICATION_ID, DEMO_PASSWORD, DEMO_USER_ID};

    #[test]
    fn the_demo_key_is_exposed_only_beyond_loopback() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let lan: SocketAddr = "192.0.2.7:8080".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let loopback6: SocketAddr = "[::1]:8080".parse().unwrap();
        let builder = Sandbox::builder();
        assert!(builder.exposes_demo_key(any));
        assert!(builder.exposes_demo_key(lan));
        assert!(!builder.exposes_demo_key(loopback));
        assert!(!builder.exposes_demo_key(loopback6));
        let private = Sandbox::builder().without_default_credential();
        assert!(!private.exposes_demo_key(any));
        let own_secret = Sandbox::builder().credential(DEFAULT_AKEY, "not-the-demo-secret");
        assert!(!own_secret.exposes_demo_key(any));
    }

    #[test]
    fn debug_shows_users_but_not_their_passwords() {
        let builder = Sandbox::builder().user("analyst", "not-for-logs");
        let text = format!("{builder:?}");
        assert!(
            text.contains("analyst") && text.contains(DEMO_USER),
            "{text}"
        );
        assert!(
            !text.contains("not-for-logs") && !text.contains(DEMO_PASSWORD),
            "{text}"
        );
        assert!(text.contains(DEMO_APPLICATION_ID), "{text}");
    }

    #[test]
    fn applications_belong_to_their_key_and_users_get_ids() {
        let builder = Sandbox::builder()
            .application("DC-A")
            .application("DC-A")
            .application_for("other", "DC-B")
            .user("zed", "pw")
            .max_page_size(0);
        let platform = Platform::new(builder.platform);
        assert!(platform.application_matches(DEFAULT_AKEY, DEMO_APPLICATION_ID));
        assert!(platform.application_matches(DEFAULT_AKEY, "DC-A"));
        assert!(!platform.application_matches(DEFAULT_AKEY, "DC-B"));
        assert!(platform.application_matches("other", "DC-B"));
        assert!(!platform.application_matches("nobody", DEMO_APPLICATION_ID));
        assert_eq!(platform.user(DEMO_USER).unwrap().user_id, DEMO_USER_ID);
        assert_eq!(platform.user("zed").unwrap().user_id, DEMO_USER_ID + 1);
        assert_eq!(platform.limits.max_page_size, 1);
    }
}
