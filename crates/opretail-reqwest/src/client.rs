//! The async client: drives [`opretail_model::Call`] over reqwest.

use std::fmt;
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use opretail_model::{
    Call, Config, Credentials, DateRange, Demographics, EntityId, Error,
    GetAgeGroupAndGenderDistribution, GetPassengerIndicatorData, GetTotalData, ListStores,
    LoginData, Moment, Operation, PassengerIndicator, RawCall, RequestPreparer, Response,
    RetryState, SeriesRequest, ShopSeries, ShopSeriesList, Step, Store, StorePages, Ticket,
    TimeWindow, TokenCache, TokenPlan, TokenSource, TotalData, TransportKind,
};
use tokio::sync::Mutex;
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
    tokens: Arc<Tokens>,
}

/// The token source and the one login all clones share; the lock is held during a login,
/// so that concurrent calls wait for it instead of logging in each.
struct Tokens {
    source: TokenSource,
    cache: Mutex<TokenCache>,
}

impl Tokens {
    fn new(source: TokenSource) -> Arc<Tokens> {
        Arc::new(Tokens {
            source,
            cache: Mutex::new(TokenCache::new()),
        })
    }
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
            .field("token_source", &self.tokens.source)
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
        let http = Client::http_client_builder(&config)?.build().map_err(|e| {
            Error::transport(
                TransportKind::Request,
                config.endpoint().as_str(),
                "the HTTP client could not be built",
                e,
            )
        })?;
        Ok(Client::with_http_client(credentials, config, http))
    }

    /// The `reqwest::ClientBuilder` that [`Client::new`] builds its HTTP client from: the
    /// configuration's connect timeout and user agent, redirects never followed, and the
    /// SDK's TLS. Add your own settings (a proxy, say), build it, and pass the result to
    /// [`Client::with_http_client`].
    ///
    /// With the `rustls` feature, reqwest is built without a process-wide crypto provider
    /// (the SDK gives it a ring configuration instead), so a plain
    /// `reqwest::Client::builder().build()` would panic: start from this builder.
    ///
    /// ```no_run
    /// use opretail_model::{Config, Credentials};
    /// use opretail_reqwest::Client;
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = Config::default();
    /// let http = Client::http_client_builder(&config)?
    ///     .proxy(reqwest::Proxy::https("http://proxy.example:3128")?)
    ///     .build()?;
    /// let client = Client::with_http_client(Credentials::from_env()?, config, http);
    /// # Ok(()) }
    /// ```
    pub fn http_client_builder(config: &Config) -> Result<reqwest::ClientBuilder, Error> {
        opretail_model::tls::check_tls_available(config, crate::tls::ENABLED)?;
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .user_agent(config.user_agent())
            .redirect(reqwest::redirect::Policy::none());
        let builder = crate::proxy::configure(builder, config);
        crate::tls::configure(builder, config)
    }

    /// A client on a `reqwest::Client` of your own (proxies, TLS settings, a shared pool),
    /// best built from [`Client::http_client_builder`].
    ///
    /// The configuration's timeouts and user agent are applied to every request; its connect
    /// timeout is the one of `http`. Build `http` with `redirect::Policy::none()` (as
    /// [`Client::http_client_builder`] does): a 3xx is then refused as
    /// [`TransportKind::Redirect`], where a client that follows redirects would re-send the
    /// signed form wherever `Location` points.
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
            tokens: Tokens::new(TokenSource::None),
        }
    }

    /// A client from `OPRETAIL_AKEY`, `OPRETAIL_ASID` and, if set, `OPRETAIL_ENDPOINT`, with
    /// the token source of [`TokenSource::from_env`] (`OPRETAIL_TOKEN`, or `OPRETAIL_USER`
    /// and `OPRETAIL_PASSWORD`).
    pub fn from_env() -> Result<Client, Error> {
        let config = Config::from_env()?;
        let source = TokenSource::from_env(config.gateway())?;
        Ok(Client::new(Credentials::from_env()?, config)?.with_token_source(source))
    }

    /// This client with another source of the user token that store lists and passenger
    /// flow over time need. With user credentials the client logs in on the first call that
    /// needs a token, shares that login between all its clones and concurrent calls, and
    /// logs in again once when the gateway says the token expired (`TOKEN_NOT_EXIST`).
    ///
    /// Clones made before this call keep the old source.
    pub fn with_token_source(mut self, source: TokenSource) -> Client {
        self.tokens = Tokens::new(source);
        self
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
        self.call(operation).instrument(span).await
    }

    /// Logs in with the token source's user credentials, unless this client already did,
    /// and returns what the login answered. Fails without user credentials.
    pub async fn login(&self) -> Result<Arc<LoginData>, Error> {
        let source = &self.tokens.source;
        source.user_login()?;
        let mut cache = self.tokens.cache.lock().await;
        if let TokenPlan::LogIn(login) = source.plan(self.config(), &cache, None)? {
            let data = self.drive(login, None, None).await.0?.output;
            cache.store(data);
        }
        cache
            .login()
            .ok_or_else(|| Error::invalid_input("token", "no login was made"))
    }

    /// Every store the user can see, fetched page by page as the stream is read, with the
    /// store-list method of the configured gateway. Stops after the last page (the gateway's
    /// `total`, or an empty page); an error ends the stream, as does reaching
    /// [`StorePages::max_pages`] with stores left (an error saying so).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn run(client: opretail_reqwest::Client) -> Result<(), opretail_model::Error> {
    /// let stores: Vec<_> = client.stores().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stores(&self) -> impl Stream<Item = Result<Store, Error>> + Send + 'static {
        let request = ListStores::for_gateway(self.config().gateway());
        self.stores_from(StorePages::new(request))
    }

    /// Like [`Client::stores`], walking `pages`: a page size, filters or a page cap of your
    /// own.
    ///
    /// ```no_run
    /// use std::num::NonZeroU32;
    /// use opretail_model::{ListStores, StorePages};
    /// # fn run(client: opretail_reqwest::Client) {
    /// let request = ListStores::for_gateway(client.config().gateway());
    /// let pages = StorePages::new(request).page_size(NonZeroU32::new(20).unwrap());
    /// let stores = client.stores_from(pages);
    /// # }
    /// ```
    pub fn stores_from(
        &self,
        pages: StorePages,
    ) -> impl Stream<Item = Result<Store, Error>> + Send + 'static {
        stream::try_unfold((self.clone(), pages), |(client, mut pages)| async move {
            let Some(request) = pages.next_request() else {
                return pages.truncation().map_or(Ok(None), Err);
            };
            let page = client.send(&request).await?;
            pages.on_page(&page);
            let stores = stream::iter(page.stores.into_iter().map(Ok));
            Ok(Some((stores, (client, pages))))
        })
        .try_flatten()
    }

    /// Passenger flow over time for the stores of `request`: its calls (split by days and
    /// ids, see [`SeriesRequest::calls`]) are sent [`SeriesRequest::in_flight`] at a time (a
    /// slow call holds only its own slot) and their answers merged into one series per store,
    /// buckets in time order. The first failing call ends it with its error.
    pub async fn passenger_flow_series(
        &self,
        request: &SeriesRequest,
    ) -> Result<Vec<ShopSeries>, Error> {
        let calls = request.calls()?;
        // Unordered, so that a slow call holds only its own slot; put back in order below.
        let mut answers: Vec<(usize, ShopSeriesList)> = stream::iter(
            calls
                .iter()
                .enumerate()
                .map(|(n, call)| async move { Ok((n, self.send(call).await?)) }),
        )
        .buffer_unordered(request.in_flight())
        .try_collect()
        .await?;
        answers.sort_unstable_by_key(|(n, _)| *n);
        Ok(request.merge(answers.into_iter().map(|(_, answer)| answer)))
    }

    /// `getPassengerIndicatorData`: one store's passenger-flow figures over `window` (a
    /// [`TimeWindow`], a [`DateRange`] or one day), the whole day counted.
    pub async fn passenger_indicator(
        &self,
        store: &EntityId,
        window: impl Into<TimeWindow>,
    ) -> Result<PassengerIndicator, Error> {
        self.send(&GetPassengerIndicatorData::new(store, window)?)
            .await
    }

    /// `getAgeGroupAndGenderDistribution`: visitors of `ids` by age and gender over `days`.
    pub async fn demographics(
        &self,
        ids: impl IntoIterator<Item = EntityId>,
        days: DateRange,
    ) -> Result<Demographics, Error> {
        self.send(&GetAgeGroupAndGenderDistribution::new(ids, days)?)
            .await
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

    /// One call, with the user token when the operation needs one, and once more with a
    /// new token when the gateway refused the first: the repeat counts its attempts on from
    /// the first try's and shares its deadline.
    async fn call<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<Response<O::Output>, Error> {
        if !operation.needs_token() {
            return self.drive(operation, None, None).await.0;
        }
        let ticket = self.ticket(None).await?;
        match self.drive(operation, Some(&ticket), None).await {
            (Err(error), earlier) if self.tokens.source.log_in_again(&error) => {
                let ticket = self.ticket(Some(&ticket)).await?;
                self.drive(operation, Some(&ticket), Some(&earlier)).await.0
            }
            (result, _) => result,
        }
    }

    /// The token to send, logging in first when the source says so.
    async fn ticket(&self, refused: Option<&Ticket>) -> Result<Ticket, Error> {
        let mut cache = self.tokens.cache.lock().await;
        match self.tokens.source.plan(self.config(), &cache, refused)? {
            TokenPlan::Use(ticket) => Ok(ticket),
            TokenPlan::LogIn(login) => {
                let data = self.drive(login, None, None).await.0?.output;
                Ok(cache.store(data))
            }
        }
    }

    /// Drives one call to its end, as the repeat of `earlier` if given; gives back where it
    /// ended too, for a repeat.
    async fn drive<O: Operation + ?Sized>(
        &self,
        operation: &O,
        ticket: Option<&Ticket>,
        earlier: Option<&RetryState>,
    ) -> (Result<Response<O::Output>, Error>, RetryState) {
        let inner = &*self.inner;
        let config = inner.preparer.config();
        let headers = ticket.map_or_else(Vec::new, |t| t.header(config.token_header()));
        let mut call = Call::new(&inner.preparer, operation, headers, moment());
        if let Some(earlier) = earlier {
            call = call.repeating(earlier);
        }
        loop {
            match call.next(moment()) {
                Step::Send { request, timeout } => {
                    let outcome = exchange(&inner.http, &inner.url, config, request, timeout).await;
                    call.on_outcome(outcome, moment());
                }
                Step::Sleep(delay) => tokio::time::sleep(delay).await,
                Step::Done(result) => {
                    tracing::Span::current().record("attempts", call.attempts());
                    return (result, call.progress());
                }
            }
        }
    }
}

fn moment() -> Moment {
    Moment::now(fastrand::u64(..))
}
