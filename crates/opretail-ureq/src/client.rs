//! The blocking client: drives [`opretail_model::Call`] over ureq, sleeping on the calling thread.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::exchange::exchange;
use opretail_model::{
    Call, Config, Credentials, DateRange, Demographics, EntityId, Error,
    GetAgeGroupAndGenderDistribution, GetPassengerIndicatorData, GetTotalData, ListStores,
    LoginData, Moment, Operation, PassengerIndicator, RawCall, RequestPreparer, Response,
    RetryState, SeriesRequest, ShopSeries, Step, Store, StorePages, Ticket, TimeWindow, TokenCache,
    TokenPlan, TokenSource, TotalData,
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

    /// The cache, also after a thread panicked holding it: a cache is never left half
    /// written (`store` replaces it whole).
    fn lock(&self) -> MutexGuard<'_, TokenCache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
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
            .field("token_source", &self.tokens.source)
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
            .max_idle_connections_per_host(IDLE_CONNECTIONS)
            .proxy(crate::proxy::for_endpoint(&config));
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
    /// needs a token, shares that login between all its clones and threads, and logs in
    /// again once when the gateway says the token expired (`TOKEN_NOT_EXIST`).
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
        self.call(operation)
    }

    /// Logs in with the token source's user credentials, unless this client already did,
    /// and returns what the login answered. Fails without user credentials.
    pub fn login(&self) -> Result<Arc<LoginData>, Error> {
        let source = &self.tokens.source;
        source.user_login()?;
        let mut cache = self.tokens.lock();
        if let TokenPlan::LogIn(login) = source.plan(self.config(), &cache, None)? {
            let data = self.drive(login, None, None).0?.output;
            cache.store(data);
        }
        cache
            .login()
            .ok_or_else(|| Error::invalid_input("token", "no login was made"))
    }

    /// Every store the user can see, fetched page by page as the iterator is read, with the
    /// store-list method of the configured gateway. Stops after the last page (the gateway's
    /// `total`, or an empty page); an error is the last item, also when the walk reached
    /// [`StorePages::max_pages`] with stores left.
    ///
    /// ```no_run
    /// # fn run(client: opretail_ureq::Client) -> Result<(), opretail_model::Error> {
    /// let stores = client.stores().collect::<Result<Vec<_>, _>>()?;
    /// # Ok(()) }
    /// ```
    pub fn stores(&self) -> Stores {
        let request = ListStores::for_gateway(self.config().gateway());
        self.stores_from(StorePages::new(request))
    }

    /// Like [`Client::stores`], walking `pages`: a page size, filters or a page cap of your
    /// own.
    ///
    /// ```no_run
    /// use std::num::NonZeroU32;
    /// use opretail_model::{ListStores, StorePages};
    /// # fn run(client: opretail_ureq::Client) {
    /// let request = ListStores::for_gateway(client.config().gateway());
    /// let pages = StorePages::new(request).page_size(NonZeroU32::new(20).unwrap());
    /// let stores = client.stores_from(pages);
    /// # }
    /// ```
    pub fn stores_from(&self, pages: StorePages) -> Stores {
        Stores {
            client: self.clone(),
            pages,
            buffer: VecDeque::new(),
            over: false,
        }
    }

    /// Passenger flow over time for the stores of `request`: its calls (split by days and
    /// ids, see [`SeriesRequest::calls`]) are sent one after the other and their answers
    /// merged into one series per store, buckets in time order. The first failing call ends
    /// it with its error.
    pub fn passenger_flow_series(&self, request: &SeriesRequest) -> Result<Vec<ShopSeries>, Error> {
        let answers = request
            .calls()?
            .iter()
            .map(|call| self.send(call))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(request.merge(answers))
    }

    /// `getPassengerIndicatorData`: one store's passenger-flow figures over `window` (a
    /// [`TimeWindow`], a [`DateRange`] or one day), the whole day counted.
    pub fn passenger_indicator(
        &self,
        store: &EntityId,
        window: impl Into<TimeWindow>,
    ) -> Result<PassengerIndicator, Error> {
        self.send(&GetPassengerIndicatorData::new(store, window)?)
    }

    /// `getAgeGroupAndGenderDistribution`: visitors of `ids` by age and gender over `days`.
    pub fn demographics(
        &self,
        ids: impl IntoIterator<Item = EntityId>,
        days: DateRange,
    ) -> Result<Demographics, Error> {
        self.send(&GetAgeGroupAndGenderDistribution::new(ids, days)?)
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

    /// One call, with the user token when the operation needs one, and once more with a
    /// new token when the gateway refused the first: the repeat counts its attempts on from
    /// the first try's and shares its deadline.
    fn call<O: Operation + ?Sized>(&self, operation: &O) -> Result<Response<O::Output>, Error> {
        if !operation.needs_token() {
            return self.drive(operation, None, None).0;
        }
        let ticket = self.ticket(None)?;
        match self.drive(operation, Some(&ticket), None) {
            (Err(error), earlier) if self.tokens.source.log_in_again(&error) => {
                let ticket = self.ticket(Some(&ticket))?;
                self.drive(operation, Some(&ticket), Some(&earlier)).0
            }
            (result, _) => result,
        }
    }

    /// The token to send, logging in first when the source says so.
    fn ticket(&self, refused: Option<&Ticket>) -> Result<Ticket, Error> {
        let mut cache = self.tokens.lock();
        match self.tokens.source.plan(self.config(), &cache, refused)? {
            TokenPlan::Use(ticket) => Ok(ticket),
            TokenPlan::LogIn(login) => {
                let data = self.drive(login, None, None).0?.output;
                Ok(cache.store(data))
            }
        }
    }

    /// Drives one call to its end, as the repeat of `earlier` if given; gives back where it
    /// ended too, for a repeat.
    fn drive<O: Operation + ?Sized>(
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
                    let outcome = exchange(&inner.agent, config, request, timeout);
                    call.on_outcome(outcome, moment());
                }
                Step::Sleep(delay) => std::thread::sleep(delay),
                Step::Done(result) => {
                    tracing::Span::current().record("attempts", call.attempts());
                    return (result, call.progress());
                }
            }
        }
    }
}

/// The stores of [`Client::stores`], fetched a page at a time as they are read.
#[derive(Debug)]
pub struct Stores {
    client: Client,
    pages: StorePages,
    buffer: VecDeque<Store>,
    /// Whether the walk ended (an error is the last item).
    over: bool,
}

impl Iterator for Stores {
    type Item = Result<Store, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(store) = self.buffer.pop_front() {
                return Some(Ok(store));
            }
            if self.over {
                return None;
            }
            let Some(request) = self.pages.next_request() else {
                self.over = true;
                return self.pages.truncation().map(Err);
            };
            match self.client.send(&request) {
                Ok(page) => {
                    self.pages.on_page(&page);
                    self.buffer.extend(page.stores);
                }
                Err(error) => {
                    self.over = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

fn moment() -> Moment {
    Moment::now(fastrand::u64(..))
}
