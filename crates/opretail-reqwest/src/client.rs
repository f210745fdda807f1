//! The async client: drives [`opretail_model::Call`] over reqwest.

use std::fmt;
use std::sync::Arc;

use opretail_model::{
    Call, Config, Credentials, EntityId, Error, GetTotalData, Moment, Operation, RawCall,
    RequestPreparer, Response, Step, TotalData, TransportKind,
};
use tracing::Instrument;

use crate::exchange::exchange;

/// An async client of the gateway.
///
/// Cheap to clone (the clones share one connection pool and one signer), `Send` and `Sync`:
/// make one and share it, even across hundreds of concurrent calls. Every attempt is signed
/// afresh; retries follow the configuration's [`RetryPolicy`](opretail_model::RetryPolicy).
///
/// ```no_run
/// use opretail_model::{Config, Credentials, EntityId};
/// use opretail_reqwest::Client;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::new(Credentials::new("my-key", "my-secret")?, Config::default())?;
/// let id: EntityId = "S_1001".parse()?;
/// let totals = client.get_total_data(&id).await?;
/// println!("{:?}", totals.day_flow);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    preparer: RequestPreparer,
    http: reqwest::Client,
    url: reqwest::Url,
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
    /// A client with its own `reqwest::Client`: the configuration's connect timeout and user
    /// agent, redirects never followed, and TLS by the enabled feature trusting the roots of
    /// [`opretail_model::tls::trusted_roots`].
    ///
    /// Fails for an `https` endpoint when this build has no TLS feature.
    pub fn new(credentials: Credentials, config: Config) -> Result<Client, Error> {
        opretail_model::tls::check_tls_available(&config, crate::tls::ENABLED)?;
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .user_agent(config.user_agent())
            .redirect(reqwest::redirect::Policy::none());
        let http = crate::tls::configure(builder, &config)?
            .build()
            .map_err(|e| {
                Error::transport(
                    TransportKind::Request,
                    config.endpoint().as_str(),
                    "the HTTP client could not be built",
                    e,
                )
            })?;
        Ok(Client::with_http_client(credentials, config, http))
    }

    /// A client on a `reqwest::Client` of your own (proxies, TLS settings, a shared pool).
    ///
    /// The configuration's timeouts and user agent are applied to every request; its connect
    /// timeout is the one of `http`. Build `http` with `redirect::Policy::none()`: a 3xx is
    /// then refused as [`TransportKind::Redirect`], where a client that follows redirects
    /// would re-send the signed form wherever `Location` points.
    pub fn with_http_client(
        credentials: Credentials,
        config: Config,
        http: reqwest::Client,
    ) -> Client {
        let url = config
            .endpoint()
            .url()
            .as_str()
            .parse()
            .expect("a checked endpoint is a valid URL");
        opretail_model::tls::warn_if_clear_text(&config);
        Client {
            inner: Arc::new(Inner {
                preparer: RequestPreparer::new(credentials, config),
                http,
                url,
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
    ///
    /// The future is `Send` when the operation is `Sync` (every operation of the SDK is), so
    /// calls can be spawned on a multi-threaded runtime.
    pub async fn send<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output, Error> {
        self.send_with_meta(operation).await.map(|r| r.output)
    }

    /// Calls `operation` and returns its output with `cid`, `systime`, `result` and the
    /// number of attempts made.
    pub async fn send_with_meta<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<Response<O::Output>, Error> {
        let span = tracing::info_span!(
            "opretail.call",
            method = operation.method(),
            attempts = tracing::field::Empty
        );
        self.drive(operation).instrument(span).await
    }

    /// `open.shopweb.passengerFlow.getTotalData` for a store or an enterprise, as plain
    /// numbers (`needUnit=0`).
    pub async fn get_total_data(&self, id: &EntityId) -> Result<TotalData, Error> {
        self.send(&GetTotalData::new(id.clone())).await
    }

    /// Any method, any parameters and headers; `data` comes back as JSON.
    pub async fn call_raw(&self, call: &RawCall) -> Result<serde_json::Value, Error> {
        self.send(call).await
    }

    async fn drive<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<Response<O::Output>, Error> {
        let inner = &*self.inner;
        let config = inner.preparer.config();
        let mut call = Call::new(&inner.preparer, operation, Vec::new(), moment());
        loop {
            match call.next(moment()) {
                Step::Send { request, timeout } => {
                    let outcome = exchange(&inner.http, &inner.url, config, request, timeout).await;
                    call.on_outcome(outcome, moment());
                }
                Step::Sleep(delay) => tokio::time::sleep(delay).await,
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
