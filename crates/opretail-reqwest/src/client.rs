//! The async client: drives [`opretail_model::Call`] over reqwest.

use std::fmt;
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use opretail_model::engine::{Batch, Call, Engine, Moment, Paging, Step, TokenCache};
use opretail_model::{
    Config, Credentials, Error, LoginData, Operation, Response, TokenSource, TransportKind,
};
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::exchange::{AnswerBudget, CommonHeaders, exchange};

/// An async client of the gateway.
///
/// Cheap to clone (the clones share one connection pool and one signer), `Send` and `Sync`:
/// make one and share it, even across hundreds of concurrent calls. Every attempt is signed
/// afresh; retries follow the configuration's [`RetryPolicy`](opretail_model::RetryPolicy).
/// The client names no operation: every method is an [`Operation`] given to
/// [`Client::send`], and many at once go through [`Client::send_all`], [`Client::walk`] or
/// [`Client::send_batch`].
///
/// ```no_run
/// use opretail_model::{Config, Credentials, EntityId, GetTotalData};
/// use opretail_reqwest::Client;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::new(Credentials::new("my-key", "my-secret")?, Config::default())?;
/// let id: EntityId = "S_1001".parse()?;
/// let totals = client.send(&GetTotalData::new(id)).await?;
/// println!("{:?}", totals.day_flow);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The one login all clones share: held while a call logs in, so that concurrent calls
    /// wait for that login instead of logging in each.
    tokens: Arc<Mutex<TokenCache>>,
}

struct Inner {
    engine: Engine,
    http: reqwest::Client,
    url: reqwest::Url,
    headers: CommonHeaders,
    answers: AnswerBudget,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.inner.engine)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with its own `reqwest::Client`: the configuration's connect timeout and user
    /// agent, redirects never followed, and TLS by the enabled feature trusting the roots of
    /// [`opretail_model::engine::tls::trusted_roots`].
    ///
    /// Fails for an `https` endpoint when this build has no TLS feature.
    pub fn new(credentials: Credentials, config: Config) -> Result<Client, Error> {
        let http = Client::default_http_client(&config)?;
        Ok(Client::with_http_client(credentials, config, http))
    }

    fn default_http_client(config: &Config) -> Result<reqwest::Client, Error> {
        Client::http_client_builder(config)?.build().map_err(|e| {
            Error::transport(
                TransportKind::Request,
                config.endpoint().as_str(),
                "the HTTP client could not be built",
                e,
            )
        })
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
        opretail_model::engine::tls::check_tls_available(config, crate::tls::ENABLED)?;
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
        Client::on(Engine::new(credentials, config), http)
    }

    /// The client of `engine` over `http`, with a token cache of its own.
    fn on(engine: Engine, http: reqwest::Client) -> Client {
        let url = engine
            .config()
            .endpoint()
            .url()
            .as_str()
            .parse()
            .expect("a checked endpoint is a valid URL");
        let headers = CommonHeaders::new(engine.config());
        let answers = AnswerBudget::new(engine.config());
        let inner = Inner {
            engine,
            http,
            url,
            headers,
            answers,
        };
        Client {
            inner: Arc::new(inner),
            tokens: Arc::default(),
        }
    }

    /// A client as [`Client::new`] builds it, with the credentials, endpoint and token
    /// source of the environment: see [`Engine::from_env`].
    pub fn from_env() -> Result<Client, Error> {
        let engine = Engine::from_env()?;
        let http = Client::default_http_client(engine.config())?;
        Ok(Client::on(engine, http))
    }

    /// This client, sharing its connection pool and pacing, with another source of the user
    /// token (store lists and passenger flow over time need one). From a user's credentials
    /// it logs in when a call first needs the token, once for every clone and concurrent
    /// call, and once more when the gateway answers `TOKEN_NOT_EXIST`.
    ///
    /// Clones made before this call keep the old source.
    pub fn with_token_source(self, source: TokenSource) -> Client {
        let engine = self.inner.engine.with_token_source(source);
        Client::on(engine, self.inner.http.clone())
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.inner.engine.config()
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
        let call = Call::new(&self.inner.engine, operation, moment());
        let span = call.span();
        self.drive(call).instrument(span).await
    }

    /// What the login of the token source's user answered, logging in first unless a call
    /// of this client already did. An error without user credentials.
    pub async fn login(&self) -> Result<Arc<LoginData>, Error> {
        self.drive(Call::login(&self.inner.engine)).await?;
        self.tokens.lock().await.logged_in()
    }

    /// Calls `operations`, up to `in_flight` at a time (at least 1), and yields each result
    /// as it comes, with the index of its operation: unordered, so that a slow call holds
    /// only its own slot.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use opretail_model::GetTotalData;
    /// # async fn run(client: opretail_reqwest::Client) -> Result<(), opretail_model::Error> {
    /// let ops = ["S_1001", "S_1002"].map(|id| GetTotalData::new(id.parse().unwrap()));
    /// let mut results = client.send_all(ops, 8);
    /// while let Some((n, result)) = results.next().await {
    ///     println!("{n}: {:?}", result?.day_flow);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn send_all<I>(
        &self,
        operations: I,
        in_flight: usize,
    ) -> impl Stream<Item = (usize, Result<<I::Item as Operation>::Output, Error>)> + Send + 'static
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Operation + Send + Sync + 'static,
        <I::Item as Operation>::Output: Send,
    {
        let client = self.clone();
        stream::iter(operations.into_iter().enumerate())
            .map(move |(n, operation)| {
                let client = client.clone();
                async move { (n, client.send(&operation).await) }
            })
            .buffer_unordered(in_flight.max(1))
    }

    /// Sends the calls of `batch` (see [`Batch`]), [`Batch::in_flight`] at a time, and
    /// merges their answers in request order. The first failing call ends it with its error.
    /// Every answer is held, decoded, until the last is in: for a long period of many stores
    /// (a year by the hour of 20 stores is 12 answers of up to 15,000 buckets), send the
    /// calls of [`Batch::requests`] with `send_all` and use each answer as it comes, as the
    /// `opretail` command does.
    ///
    /// ```no_run
    /// use opretail_model::{GetManyShopsPassengerIndicatorData, Grain, SeriesRequest};
    /// # async fn run(client: opretail_reqwest::Client, days: opretail_model::DateRange) -> Result<(), Box<dyn std::error::Error>> {
    /// let whole = GetManyShopsPassengerIndicatorData::new(["S_1001".parse()?], days, Grain::Hour)?;
    /// let series = client.send_batch(&SeriesRequest::new(whole)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_batch<B>(&self, batch: &B) -> Result<B::Merged, Error>
    where
        B: Batch,
        B::Request: Send + Sync + 'static,
        <B::Request as Operation>::Output: Send,
    {
        let requests = batch.requests()?;
        let count = requests.len();
        let mut answers: Vec<(usize, _)> = self
            .send_all(requests, batch.in_flight())
            .map(|(n, result)| result.map(|answer| (n, answer)))
            .try_collect()
            .await?;
        debug_assert_eq!(answers.len(), count);
        answers.sort_unstable_by_key(|(n, _)| *n);
        Ok(batch.merge(answers.into_iter().map(|(_, answer)| answer).collect()))
    }

    /// The items of every page of `pages` (see [`Paging`]), fetched a page at a time as the
    /// stream is read. An error ends the stream, as does a walk that stopped early (an error
    /// saying so).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use opretail_model::StorePages;
    /// # async fn run(client: opretail_reqwest::Client) -> Result<(), opretail_model::Error> {
    /// let pages = StorePages::for_gateway(client.config().gateway());
    /// let stores: Vec<_> = client.walk(pages).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn walk<P>(&self, pages: P) -> impl Stream<Item = Result<P::Item, Error>> + Send + 'static
    where
        P: Paging + Send + 'static,
        P::Request: Send + Sync,
        P::Item: Send,
        <P::Request as Operation>::Output: Send,
    {
        stream::try_unfold((self.clone(), pages), |(client, mut pages)| async move {
            let Some(request) = pages.next_request() else {
                return pages.truncation().map_or(Ok(None), Err);
            };
            let page = client.send(&request).await?;
            let items = stream::iter(pages.on_page(page).into_iter().map(Ok));
            Ok(Some((items, (client, pages))))
        })
        .try_flatten()
    }

    /// Drives one call to its end: the I/O, the sleeps and the token lock it asks for.
    async fn drive<O: Operation + ?Sized>(
        &self,
        mut call: Call<'_, O>,
    ) -> Result<Response<O::Output>, Error> {
        let inner = &*self.inner;
        let config = inner.engine.config();
        let mut guard = None;
        loop {
            match call.next(moment(), guard.as_deref_mut()) {
                Step::Send { request, timeout } => {
                    let outcome = exchange(
                        &inner.http,
                        &inner.url,
                        config,
                        &inner.headers,
                        &inner.answers,
                        request,
                        timeout,
                    )
                    .await;
                    // The answer's reservation lasts until `on_outcome` has decoded it.
                    let (outcome, _reservation) = match outcome {
                        Ok((answer, reservation)) => (Ok(answer), reservation),
                        Err(error) => (Err(error), None),
                    };
                    call.on_outcome(outcome, moment());
                }
                Step::Sleep(delay) => tokio::time::sleep(delay).await,
                Step::Lock => guard = Some(self.tokens.lock().await),
                Step::Unlock => guard = None,
                Step::Done(result) => return result,
            }
        }
    }
}

fn moment() -> Moment {
    // fastrand, seeded from the system per thread: the bits need to differ between calls
    // and processes (jitter, `_nonce`), not to be secret; the nonce is signed with the secret.
    Moment::now(fastrand::u128(..))
}
