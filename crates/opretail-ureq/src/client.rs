//! The blocking client: drives [`opretail_model::Call`] over ureq, sleeping on the calling thread.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};

use crate::budget::AnswerBudget;
use crate::exchange::exchange;
use opretail_model::engine::{Batch, Call, Engine, Moment, Paging, Step, TokenCache};
use opretail_model::{Config, Credentials, Error, LoginData, Operation, Response, TokenSource};

/// Idle connections kept by the agent [`Client::new`] builds (ureq keeps 3 per host by
/// default, too few for a client shared by many threads).
const IDLE_CONNECTIONS: usize = 32;

/// A blocking client of the gateway: calls run on the calling thread, and retries sleep it.
///
/// Cheap to clone (the clones share one connection pool and one signer), `Send` and `Sync`:
/// make one and share it between threads. Every attempt is signed afresh; retries follow
/// the configuration's [`RetryPolicy`](opretail_model::RetryPolicy). The client names no
/// operation: every method is an [`Operation`] given to [`Client::send`], and many at once
/// go through [`Client::send_all`], [`Client::walk`] or [`Client::send_batch`].
///
/// ```no_run
/// use opretail_model::{Config, Credentials, EntityId, GetTotalData};
/// use opretail_ureq::Client;
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::new(Credentials::new("my-key", "my-secret")?, Config::default())?;
/// let id: EntityId = "S_1001".parse()?;
/// let totals = client.send(&GetTotalData::new(id))?;
/// println!("{:?}", totals.day_flow);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    /// The login every clone and thread shares, locked during a login so that the other
    /// threads wait for it rather than log in too.
    tokens: Arc<Mutex<TokenCache>>,
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    agent: ureq::Agent,
    /// Bytes of answers held at once by all threads (`Config::answer_bytes_in_flight`).
    answers: AnswerBudget,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = &self.inner.engine;
        f.debug_struct("Client")
            .field("engine", engine)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client on an agent of its own, which reads non-2xx statuses as answers (a proxy's
    /// error page can then be reported), follows no redirect, keeps up to 32 idle
    /// connections (a client shared by many threads reuses them) and speaks TLS by the
    /// enabled feature, trusting [`opretail_model::engine::tls::trusted_roots`]; connect
    /// timeout and user agent come from `config`. An `https` endpoint in a build without
    /// TLS is refused here.
    pub fn new(credentials: Credentials, config: Config) -> Result<Client, Error> {
        Client::default_agent(&config).map(|agent| Client::with_agent(credentials, config, agent))
    }

    fn default_agent(config: &Config) -> Result<ureq::Agent, Error> {
        opretail_model::engine::tls::check_tls_available(config, crate::tls::ENABLED)?;
        let builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(config.connect_timeout()))
            .user_agent(config.user_agent())
            .max_idle_connections(IDLE_CONNECTIONS)
            .max_idle_connections_per_host(IDLE_CONNECTIONS)
            .proxy(crate::proxy::for_endpoint(config));
        Ok(crate::tls::apply(builder, config).build().new_agent())
    }

    /// A client on a `ureq::Agent` of your own (proxies, TLS settings, a shared pool).
    ///
    /// The configuration's timeouts and user agent are applied to every request, non-2xx
    /// statuses are always read as answers and redirects never followed; the connect timeout
    /// and TLS settings are the ones of `agent`.
    pub fn with_agent(credentials: Credentials, config: Config, agent: ureq::Agent) -> Client {
        Client::over(agent, Engine::new(credentials, config))
    }

    /// The client of `engine` on `agent`; its token cache starts empty.
    fn over(agent: ureq::Agent, engine: Engine) -> Client {
        Client {
            tokens: Arc::default(),
            inner: Arc::new(Inner {
                answers: AnswerBudget::new(engine.config().answer_bytes_in_flight() as u64),
                engine,
                agent,
            }),
        }
    }

    /// [`Client::new`] from the environment's credentials, endpoint and token source (see
    /// [`Engine::from_env`]).
    pub fn from_env() -> Result<Client, Error> {
        Engine::from_env().and_then(|engine| {
            Client::default_agent(engine.config()).map(|agent| Client::over(agent, engine))
        })
    }

    /// This client with another token source, on the same agent and pacing. A user's
    /// credentials make it log in on the first call needing the user token (store lists,
    /// passenger flow over time), one login for all its clones and threads, repeated once
    /// after a `TOKEN_NOT_EXIST` answer.
    ///
    /// Clones made before this call keep the old source.
    pub fn with_token_source(self, source: TokenSource) -> Client {
        let agent = self.inner.agent.clone();
        Client::over(agent, self.inner.engine.with_token_source(source))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.inner.engine.config()
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
        let call = Call::new(&self.inner.engine, operation, moment());
        let _entered = call.span().entered();
        self.drive(call)
    }

    /// Logs the token source's user in (once per client: a login already made is reused)
    /// and gives back the login's answer; fails when the source holds no user.
    pub fn login(&self) -> Result<Arc<LoginData>, Error> {
        self.drive(Call::login(&self.inner.engine))?;
        self.lock_tokens().logged_in()
    }

    /// Calls `operations` on `in_flight` threads (at least 1) and yields each result as it
    /// comes, with the index of its operation: unordered, so that a slow call holds only its
    /// own thread. Dropping the iterator stops the threads after their current call.
    ///
    /// ```no_run
    /// use opretail_model::GetTotalData;
    /// # fn run(client: opretail_ureq::Client) -> Result<(), opretail_model::Error> {
    /// let ops = ["S_1001", "S_1002"].map(|id| GetTotalData::new(id.parse().unwrap()));
    /// for (n, result) in client.send_all(ops, 8) {
    ///     println!("{n}: {:?}", result?.day_flow);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn send_all<I>(&self, operations: I, in_flight: usize) -> Outcomes<I::Item>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Operation + Send + 'static,
        <I::Item as Operation>::Output: Send + 'static,
    {
        let operations = operations.into_iter();
        // No more threads than operations, when the iterator knows how many it holds.
        let threads = operations
            .size_hint()
            .1
            .map_or(in_flight, |count| count.min(in_flight))
            .max(1);
        let work = Arc::new(Mutex::new(operations.enumerate()));
        let (results, received) = mpsc::channel();
        for _ in 0..threads {
            let (work, results, client) = (Arc::clone(&work), results.clone(), self.clone());
            std::thread::spawn(move || {
                loop {
                    // The guard is dropped before the call: the work queue is never held
                    // across one.
                    let next = work.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((n, operation)) = next else { break };
                    if results.send((n, client.send(&operation))).is_err() {
                        break;
                    }
                }
            });
        }
        received.into_iter()
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
    /// # fn run(client: opretail_ureq::Client, days: opretail_model::DateRange) -> Result<(), Box<dyn std::error::Error>> {
    /// let whole = GetManyShopsPassengerIndicatorData::new(["S_1001".parse()?], days, Grain::Hour)?;
    /// let series = client.send_batch(&SeriesRequest::new(whole))?;
    /// # Ok(()) }
    /// ```
    pub fn send_batch<B>(&self, batch: &B) -> Result<B::Merged, Error>
    where
        B: Batch,
        B::Request: Send + 'static,
        <B::Request as Operation>::Output: Send + 'static,
    {
        let mut answers = self
            .send_all(batch.requests()?, batch.in_flight())
            .map(|(n, result)| result.map(|answer| (n, answer)))
            .collect::<Result<Vec<_>, _>>()?;
        answers.sort_unstable_by_key(|(n, _)| *n);
        Ok(batch.merge(answers.into_iter().map(|(_, answer)| answer).collect()))
    }

    /// The items of every page of `pages` (see [`Paging`]), fetched a page at a time as the
    /// iterator is read. An error is the last item, also when the walk stopped early.
    ///
    /// ```no_run
    /// use opretail_model::StorePages;
    /// # fn run(client: opretail_ureq::Client) -> Result<(), opretail_model::Error> {
    /// let pages = StorePages::for_gateway(client.config().gateway());
    /// let stores = client.walk(pages).collect::<Result<Vec<_>, _>>()?;
    /// # Ok(()) }
    /// ```
    pub fn walk<P: Paging>(&self, pages: P) -> Walk<P> {
        Walk {
            client: self.clone(),
            pages,
            buffer: VecDeque::new(),
            over: false,
        }
    }

    /// The token cache, also after a thread panicked holding it: a cache is never left half
    /// written (`store` replaces it whole).
    fn lock_tokens(&self) -> MutexGuard<'_, TokenCache> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `call` to its end on this thread: sending, sleeping, and holding the token lock
    /// from the step that asks for it to the one that releases it.
    fn drive<O>(&self, mut call: Call<'_, O>) -> Result<Response<O::Output>, Error>
    where
        O: Operation + ?Sized,
    {
        let mut held = None;
        loop {
            let now = moment();
            match call.next(now, held.as_deref_mut()) {
                Step::Lock => held = Some(self.lock_tokens()),
                Step::Unlock => held = None,
                Step::Sleep(delay) => std::thread::sleep(delay),
                Step::Send { request, timeout } => {
                    let config = self.inner.engine.config();
                    let answer = exchange(
                        &self.inner.agent,
                        config,
                        &self.inner.answers,
                        request,
                        timeout,
                    );
                    // The answer's reservation lasts until `on_outcome` has decoded it.
                    let (answer, _reservation) = match answer {
                        Ok((answer, reservation)) => (Ok(answer), Some(reservation)),
                        Err(error) => (Err(error), None),
                    };
                    call.on_outcome(answer, moment());
                }
                Step::Done(result) => return result,
            }
        }
    }
}

/// The results of [`Client::send_all`] as they come, each with the index of its operation.
pub type Outcomes<O> = mpsc::IntoIter<(usize, Result<<O as Operation>::Output, Error>)>;

/// The items of [`Client::walk`], fetched a page at a time as they are read.
#[derive(Debug)]
pub struct Walk<P: Paging> {
    client: Client,
    pages: P,
    buffer: VecDeque<P::Item>,
    /// Whether the walk ended (an error is the last item).
    over: bool,
}

impl<P: Paging> Iterator for Walk<P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.over {
                return None;
            }
            let Some(request) = self.pages.next_request() else {
                self.over = true;
                return self.pages.truncation().map(Err);
            };
            match self.client.send(&request) {
                Ok(page) => self.buffer.extend(self.pages.on_page(page)),
                Err(error) => {
                    self.over = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

fn moment() -> Moment {
    // fastrand, seeded from the system per thread: the bits need to differ between calls
    // and processes (jitter, `_nonce`), not to be secret; the nonce is signed with the secret.
    Moment::now(fastrand::u128(..))
}
