//! The blocking client: drives [`opretail_model::Call`] over ureq, sleeping on the calling thread.

use std::fmt;
use std::sync::Arc;

use crate::exchange::exchange;
use opretail_model::{
    Call, Config, Credentials, EntityId, Error, GetTotalData, Moment, Operation, RawCall,
    RequestPreparer, Response, Step, TotalData,
};

/// Idle connections kept by the agent [`Client::new`] builds (ureq keeps 3 per host by
/// default, too few for a client shared by many threads).
const IDLE_CONNECTIONS: usize = 32;

/// A blocking client of the gateway: calls run on the calling thread, and retries sleep it.
///
/// Cheap to clone (the clones share one connection pool and one signer), `Send` and `Sync`:
/// make one and share it between threads. Every attempt is signed afresh; retries follow
/// the configuration's [`RetryPolicy`](opretail_model::RetryPolicy).
///
/// ```no_run
/// use opretail_model::{Config, Credentials, EntityId};
/// use opretail_ureq::Client;
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::new(Credentials::new("my-key", "my-secret")?, Config::default())?;
/// let id: EntityId = "S_1001".parse()?;
/// let totals = client.get_total_data(&id)?;
/// println!("{:?}", totals.day_flow);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    preparer: RequestPreparer,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("credentials", self.inner.preparer.credentials())
            .field("config", self.inner.preparer.config())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with its own `ureq::Agent`: the configuration's connect timeout and user
    /// agent, non-2xx statuses read as answers (so that the body of a proxy's error page can
    /// be reported), redirects never followed, and TLS by the enabled feature trusting the
    /// roots of [`opretail_model::tls::trusted_roots`]. It keeps up to 32 idle connections to
    /// the gateway, so that a client shared by many threads reuses them.
    ///
    /// Fails for an `https` endpoint when this build has no TLS feature.
    pub fn new(credentials: Credentials, config: Config) -> Result<Client, Error> {
        opretail_model::tls::check_tls_available(&config, crate::tls::ENABLED)?;
        let builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(config.connect_timeout()))
            .user_agent(config.user_agent())
            .max_idle_connections(IDLE_CONNECTIONS)
            .max_idle_connections_per_host(IDLE_CONNECTIONS);
        let agent = crate::tls::apply(builder, &config).build().new_agent();
        Ok(Client::with_agent(credentials, config, agent))
    }

    /// A client on a `ureq::Agent` of your own (proxies, TLS settings, a shared pool).
    ///
    /// The configuration's timeouts and user agent are applied to every request, non-2xx
    /// statuses are always read as answers and redirects never followed; the connect timeout
    /// and TLS settings are the ones of `agent`.
    pub fn with_agent(credentials: Credentials, config: Config, agent: ureq::Agent) -> Client {
        opretail_model::tls::warn_if_clear_text(&config);
        Client {
            inner: Arc::new(Inner {
                preparer: RequestPreparer::new(credentials, config),
                agent,
            }),
        }
    }

    /// A client from `OPRETAIL_AKEY`, `OPRETAIL_ASID` and, if set, `OPRETAIL_ENDPOINT`.
    pub fn from_env() -> Result<Client, Error> {
        Client::new(Credentials::from_env()?, Config::from_env()?)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.inner.preparer.config()
    }

    /// Calls `operation` and returns its typed output.
    pub fn send<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output, Error> {
        self.send_with_meta(operation).map(|r| r.output)
    }

    /// Calls `operation` and returns its output with `cid`, `systime`, `result` and the
    /// number of attempts made.
    pub fn send_with_meta<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<Response<O::Output>, Error> {
        let span = tracing::info_span!(
            "opretail.call",
            method = operation.method(),
            attempts = tracing::field::Empty
        );
        let _entered = span.enter();
        self.drive(operation)
    }

    /// `open.shopweb.passengerFlow.getTotalData` for a store or an enterprise, as plain
    /// numbers (`needUnit=0`).
    pub fn get_total_data(&self, id: &EntityId) -> Result<TotalData, Error> {
        self.send(&GetTotalData::new(id.clone()))
    }

    /// Any method, any parameters and headers; `data` comes back as JSON.
    pub fn call_raw(&self, call: &RawCall) -> Result<serde_json::Value, Error> {
        self.send(call)
    }

    fn drive<O: Operation + ?Sized>(&self, operation: &O) -> Result<Response<O::Output>, Error> {
        let inner = &*self.inner;
        let config = inner.preparer.config();
        let mut call = Call::new(&inner.preparer, operation, Vec::new(), moment());
        loop {
            match call.next(moment()) {
                Step::Send { request, timeout } => {
                    let outcome = exchange(&inner.agent, config, request, timeout);
                    call.on_outcome(outcome, moment());
                }
                Step::Sleep(delay) => std::thread::sleep(delay),
                Step::Done(result) => {
                    tracing::Span::current().record("attempts", call.attempts());
                    return result;
                }
            }
        }
    }
}

fn moment() -> Moment {
    Moment::now(fastrand::u64(..))
}
