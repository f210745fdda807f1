//! Where and how to call the gateway.

use std::fmt;
use std::time::Duration;

use chrono::FixedOffset;
use opretail_sign::SignMethod;

use crate::{AnswerLimits, DEFAULT_AID, Environment, Error, Gateway, RetryPolicy, gateway_offset};

/// The default of [`Config::answer_bytes_in_flight`]: four answers at the default body
/// limit, thousands of real ones (a few kilobytes each, a few megabytes for the largest
/// series).
pub const DEFAULT_ANSWER_BYTES_IN_FLIGHT: usize = 64 * 1024 * 1024;

/// The classic gateway, over HTTPS (the platform documents it over plain HTTP too, and the
/// vendor's SDK over HTTPS on the same host and path). The default endpoint.
pub const OPRETAIL_GATEWAY: &str = "https://openapi.opretail.com/m.api";
/// The classic gateway under the vendor's other brand.
pub const OVOPARK_GATEWAY: &str = "https://openapi.ovopark.com/m.api";
/// The vendor's newer gateway host, which accepts every classic call on the classic path.
pub const OVOPARK_CLOUDAPI_GATEWAY: &str = "https://cloudapi.ovopark.com/m.api";
/// The cloud gateway (the developer's application id in `_aid`).
pub const OPRETAIL_CLOUD_GATEWAY: &str = "https://openapi.opretail.com/cloud.api";
/// The cloud gateway under the vendor's other brand.
pub const OVOPARK_CLOUD_GATEWAY: &str = "https://cloudapi.ovopark.com/cloud.api";
/// Environment variable for the endpoint, read by [`Config::from_env`], the examples and the
/// CLI.
pub const ENV_ENDPOINT: &str = "OPRETAIL_ENDPOINT";
/// Environment variable for the `_aid` (the application id the cloud gateway needs), read by
/// [`Config::from_env`].
pub const ENV_AID: &str = "OPRETAIL_AID";
/// The variable [`Config::from_env`] reads the `environment` header from (`formal`, `test`,
/// `dev`).
pub const ENV_ENVIRONMENT: &str = "OPRETAIL_ENVIRONMENT";

/// The slowest [`ConfigBuilder::rate_limit`] accepted: one request an hour. Slower limits
/// would make a single call wait longer than any sane timeout.
pub const MIN_RATE_LIMIT: f64 = 1.0 / 3600.0;
/// The fastest [`ConfigBuilder::rate_limit`] accepted: a million requests a second.
pub const MAX_RATE_LIMIT: f64 = 1_000_000.0;
/// The longest timeout accepted (a day), for [`Config::timeout`], [`Config::connect_timeout`]
/// and [`Config::attempt_timeout`]: the deadline of a call is computed from it.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// The setting that lets login tokens travel over clear-text `http` beyond loopback, as
/// errors name it: a command line may replace it with its own flag.
pub const CLEAR_TEXT_HEADERS_SETTING: &str = "ConfigBuilder::headers_over_clear_text";

/// A checked gateway URL: `http` or `https`, with a host, no credentials, no query, no
/// fragment.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint(url::Url);

/// `text` with whatever sits between `://` and the last `@` of the authority replaced by
/// `***`: a refused URL is quoted in the error, and a password in it must not be.
fn without_user_info(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.into();
    };
    let rest = &text[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]).into(),
        None => text.into(),
    }
}

impl Endpoint {
    /// Parses and checks a gateway URL.
    ///
    /// ```
    /// use opretail_model::Endpoint;
    ///
    /// assert!(Endpoint::parse("https://openapi.ovopark.com/m.api").is_ok());
    /// let err = Endpoint::parse("ftp://example.com/m.api").unwrap_err();
    /// assert!(err.to_string().contains("http"));
    /// ```
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |why: String| {
            Error::invalid_input(
                "endpoint",
                format!(
                    "{:?} is not a usable gateway URL: {why}",
                    without_user_info(text)
                ),
            )
        };
        let url = url::Url::parse(text.trim())
            .map_err(|e| bad(format!("{e}; expected something like {OPRETAIL_GATEWAY}")))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(bad(format!(
                "the scheme is {:?}; use http or https",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "it carries a user name or password; the gateway signs requests instead".into(),
            ));
        }
        if url.fragment().is_some() {
            return Err(bad("it has a #fragment".into()));
        }
        if url.query().is_some() {
            return Err(bad(
                "it has a ?query; the gateway reads its parameters from the signed form only, \
                 so every call would fail SIGN_WRONG: drop everything from the `?`"
                    .into(),
            ));
        }
        Ok(Endpoint(url))
    }

    /// Whether requests to this endpoint travel in clear text beyond this machine: `http`
    /// to a host that is not loopback (`localhost`, `127.0.0.0/8`, `::1`).
    ///
    /// ```
    /// use opretail_model::Endpoint;
    ///
    /// assert!(Endpoint::parse("http://openapi.opretail.com/m.api")?.is_clear_text_remote());
    /// assert!(!Endpoint::parse("http://127.0.0.1:8080/m.api")?.is_clear_text_remote());
    /// assert!(!Endpoint::parse("https://openapi.opretail.com/m.api")?.is_clear_text_remote());
    /// # Ok::<(), opretail_model::Error>(())
    /// ```
    pub fn is_clear_text_remote(&self) -> bool {
        self.0.scheme() == "http" && !self.is_loopback()
    }

    /// Whether the host is this machine.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn url(&self) -> &url::Url {
        &self.0
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint::parse(OPRETAIL_GATEWAY).expect("the documented gateway URL parses")
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.as_str())
    }
}

impl std::str::FromStr for Endpoint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Endpoint::parse(s)
    }
}

/// How the SDK calls the gateway. Build one with [`Config::builder`]; the defaults suit the
/// documented (classic) gateway.
///
/// The gateway profile ([`Gateway`]) decides the `_aid` and the header a login token goes
/// in. It is inferred from the endpoint's path (`…/cloud.api` is the cloud gateway, anything
/// else the classic one) unless set with [`ConfigBuilder::gateway`]; the `_aid` and the
/// token header can each be overridden. The cloud gateway has no default `_aid`: building
/// without one is an error.
///
/// ```
/// use opretail_model::{Config, Gateway, OVOPARK_CLOUD_GATEWAY};
///
/// let cloud = Config::builder()
///     .endpoint(OVOPARK_CLOUD_GATEWAY)
///     .aid("DC-0042")
///     .build()?;
/// assert_eq!(cloud.gateway(), Gateway::Cloud);
/// assert_eq!((cloud.aid(), cloud.token_header()), ("DC-0042", "Ovo-Authorization"));
///
/// let err = Config::builder().endpoint(OVOPARK_CLOUD_GATEWAY).build().unwrap_err();
/// assert!(err.to_string().contains("application id"));
/// # Ok::<(), opretail_model::Error>(())
/// ```
///
/// ```
/// use std::time::Duration;
/// use opretail_model::{Config, SignMethod, OVOPARK_GATEWAY};
///
/// let config = Config::builder()
///     .endpoint(OVOPARK_GATEWAY)
///     .sign_method(SignMethod::Sha1)
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(config.endpoint().as_str(), OVOPARK_GATEWAY);
/// assert_eq!(Config::default().endpoint().as_str(), "https://openapi.opretail.com/m.api");
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    endpoint: Endpoint,
    gateway: Gateway,
    aid: String,
    token_header: String,
    sign_method: SignMethod,
    environment: Option<Environment>,
    nonce: bool,
    utc_offset: FixedOffset,
    connect_timeout: Duration,
    timeout: Duration,
    attempt_timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    body_limit: usize,
    /// Limits of single methods, in place of `body_limit` (a handful: looked up in order).
    method_body_limits: Vec<(String, usize)>,
    answer_bytes_in_flight: usize,
    replay_backdate: u32,
    rate_limit: Option<f64>,
    root_certificates: Vec<RootCertificate>,
    headers_over_clear_text: bool,
    answer_limits: AnswerLimits,
    exchange_observer: Option<crate::recording::ExchangeObserver>,
}

/// An extra trusted root certificate, PEM-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct RootCertificate(Vec<u8>);

impl RootCertificate {
    /// The PEM text.
    pub fn pem(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RootCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootCertificate({} bytes of PEM)", self.0.len())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            endpoint: Endpoint::default(),
            gateway: Gateway::Classic,
            aid: DEFAULT_AID.to_owned(),
            token_header: Gateway::Classic.token_header().to_owned(),
            sign_method: SignMethod::Md5,
            environment: None,
            nonce: false,
            utc_offset: gateway_offset(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            attempt_timeout: None,
            retry: RetryPolicy::default(),
            user_agent: concat!("opretail-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            body_limit: 16 * 1024 * 1024,
            method_body_limits: Vec::new(),
            answer_bytes_in_flight: DEFAULT_ANSWER_BYTES_IN_FLIGHT,
            replay_backdate: 5,
            rate_limit: None,
            root_certificates: Vec::new(),
            headers_over_clear_text: false,
            answer_limits: AnswerLimits::default(),
            exchange_observer: None,
        }
    }
}

impl Config {
    /// The defaults, with the endpoint from `OPRETAIL_ENDPOINT` and the `_aid` from
    /// `OPRETAIL_AID` when they are set (the gateway profile is inferred from the endpoint).
    pub fn from_env() -> Result<Config, Error> {
        Config::from_vars(env_var)
    }

    /// [`Config::from_env`] with the variables read by `var`.
    fn from_vars(
        var: impl Fn(&'static str) -> Result<Option<String>, Error>,
    ) -> Result<Config, Error> {
        let mut builder = Config::builder();
        if let Some(endpoint) = var(ENV_ENDPOINT)? {
            builder = builder.endpoint(endpoint);
        }
        if let Some(aid) = var(ENV_AID)? {
            builder = builder.aid(aid);
        }
        if let Some(environment) = var(ENV_ENVIRONMENT)? {
            builder = builder.environment(environment.parse()?);
        }
        builder.build()
    }

    /// A builder starting from the defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::default(),
            endpoint: None,
            gateway: None,
            aid: None,
            token_header: None,
        }
    }

    /// The gateway URL. Default: [`OPRETAIL_GATEWAY`].
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
    /// The gateway profile: set explicitly, or inferred from the endpoint's path. Default:
    /// [`Gateway::Classic`].
    pub fn gateway(&self) -> Gateway {
        self.gateway
    }
    /// The `_aid` sent. Default: `S107` on the classic gateway; the cloud gateway has none
    /// (see [`ConfigBuilder::aid`]).
    pub fn aid(&self) -> &str {
        &self.aid
    }
    /// The HTTP header a login token is sent in. Default: the gateway profile's,
    /// `authenticator` (classic) or `Ovo-Authorization` (cloud).
    pub fn token_header(&self) -> &str {
        &self.token_header
    }
    /// The signature algorithm. Default: MD5.
    pub fn sign_method(&self) -> SignMethod {
        self.sign_method
    }
    /// The value of the `environment` header, when one is sent (default: none).
    pub fn environment(&self) -> Option<Environment> {
        self.environment
    }
    /// Whether every request carries a fresh, signed `_nonce` (default: no).
    pub fn nonce(&self) -> bool {
        self.nonce
    }
    /// The gateway's UTC offset, for `_timestamp` and the time windows of methods. Default:
    /// +08:00 (China Standard Time), whatever this machine's zone.
    pub fn utc_offset(&self) -> FixedOffset {
        self.utc_offset
    }
    /// Time allowed to open a connection. Default: 10 s.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// Time allowed for the whole call, from its start to its answer, every attempt, backoff
    /// and wait included: each attempt gets at most the time left. Default: 30 s.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// The most time one attempt may take (never more than the time left of
    /// [`Config::timeout`]). Default: none, an attempt may use all the time left.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }
    /// When and how often to retry. Default: [`RetryPolicy::default`].
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    /// The `User-Agent` header. Default: `opretail-rust/<version>`.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
    /// The largest response body read, in bytes, for methods without a limit of their own
    /// ([`ConfigBuilder::method_body_limit`]). Default: 16 MiB.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }
    /// The largest answer of `method` read, in bytes: its own limit when it has one
    /// ([`ConfigBuilder::method_body_limit`]), otherwise [`Config::body_limit`].
    ///
    /// ```
    /// use opretail_model::{Config, METHOD_GET_TOTAL_DATA};
    ///
    /// let config = Config::builder()
    ///     .method_body_limit(METHOD_GET_TOTAL_DATA, 32 * 1024)
    ///     .build()?;
    /// assert_eq!(config.body_limit_for(METHOD_GET_TOTAL_DATA), 32 * 1024);
    /// assert_eq!(config.body_limit_for("open.other.method"), config.body_limit());
    /// # Ok::<(), opretail_model::Error>(())
    /// ```
    pub fn body_limit_for(&self, method: &str) -> usize {
        self.method_limit(method).unwrap_or(self.body_limit)
    }
    /// The limit of `method` alone, when it has one.
    pub(crate) fn method_limit(&self, method: &str) -> Option<usize> {
        self.method_body_limits
            .iter()
            .find(|(name, _)| name == method)
            .map(|(_, bytes)| *bytes)
    }
    /// The most bytes of answers one client holds at once while it reads and decodes them,
    /// over all its calls in flight: a call whose answer would pass it waits, after the
    /// answer's headers, until others are decoded. An answer counts for the length it
    /// announces, or for its method's body limit when it announces none. Never less than the
    /// largest body limit, so that any answer can be read on its own. Without it, each call in
    /// flight may hold a whole answer of up to the body limit: 64 calls of 16 MiB answers
    /// would be a gigabyte. Honoured by both clients, over all the tasks or threads sending
    /// through one client and its clones. Default: [`DEFAULT_ANSWER_BYTES_IN_FLIGHT`].
    pub fn answer_bytes_in_flight(&self) -> usize {
        let largest = self.method_body_limits.iter().map(|(_, bytes)| *bytes);
        largest.fold(self.answer_bytes_in_flight.max(self.body_limit), usize::max)
    }
    /// How many seconds into the past a timestamp may be moved so that identical calls made
    /// in the same second get distinct signatures (the gateway rejects a repeated signature
    /// with `API_CALL_REPEAT`). `0` disables it: identical calls then wait for the next second.
    /// Default: 5.
    pub fn replay_backdate(&self) -> u32 {
        self.replay_backdate
    }
    /// The most requests a second that a client and its clones send, every attempt counted
    /// (retries and logins too): each request gets the next free slot, `1 / rate` after the
    /// one before, and waits for it within the call's [`Config::timeout`]. Time left unused
    /// is not saved up, so a pause is never followed by a burst. The platform publishes no
    /// rate limit. Default: none.
    pub fn rate_limit(&self) -> Option<f64> {
        self.rate_limit
    }
    /// The time between two requests under [`Config::rate_limit`].
    pub fn request_spacing(&self) -> Option<Duration> {
        self.rate_limit.map(|per_sec| {
            Duration::try_from_secs_f64(1.0 / per_sec).expect(
                "the builder keeps a rate limit at least one an hour: an hour apart at most",
            )
        })
    }
    /// Root certificates trusted besides the default ones (for a corporate proxy, or a test
    /// gateway). Default: none.
    pub fn root_certificates(&self) -> &[RootCertificate] {
        &self.root_certificates
    }
    /// Whether extra headers (login tokens) may be sent over clear-text `http` to a host
    /// that is not loopback. Default: `false`, such calls are refused before sending.
    pub fn headers_over_clear_text(&self) -> bool {
        self.headers_over_clear_text
    }
    /// The most rows and undocumented values one answer may decode into (see
    /// [`AnswerLimits`]): decoding stops with [`Error::Decode`] as soon as an answer passes
    /// either, so a hostile answer of millions of `{}` never becomes millions of values.
    /// What receives every exchange, when something does (see [`crate::recording`]).
    pub fn exchange_observer(&self) -> Option<&crate::recording::ExchangeObserver> {
        self.exchange_observer.as_ref()
    }

    /// Default: [`AnswerLimits::default`], 20,000 rows and 100,000 elements.
    pub fn answer_limits(&self) -> AnswerLimits {
        self.answer_limits
    }
}

/// Builds a [`Config`]; checks happen in [`ConfigBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ConfigBuilder {
    config: Config,
    endpoint: Option<String>,
    gateway: Option<Gateway>,
    aid: Option<String>,
    token_header: Option<String>,
}

impl ConfigBuilder {
    /// The gateway URL, for example [`OPRETAIL_GATEWAY`], [`OVOPARK_GATEWAY`] or a sandbox's.
    ///
    /// An `http` URL to a host that is not loopback works, but everything but the secret
    /// travels in clear text: the clients log a warning.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }
    /// Sends the `environment` header with this value on every request (see
    /// [`Environment`]); without it no such header is sent.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.config.environment = Some(environment);
        self
    }
    /// Sends a fresh `_nonce` with every request, signed like the other parameters, as the
    /// vendor's newer SDKs do: a random version-4 UUID in lower case with dashes. Older
    /// SDKs never send one; whether a gateway requires or de-duplicates it is not published.
    pub fn nonce(mut self, send: bool) -> Self {
        self.config.nonce = send;
        self
    }
    /// The gateway profile, instead of inferring it from the endpoint's path (for a proxy
    /// or a sandbox whose path says nothing).
    pub fn gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = Some(gateway);
        self
    }
    /// The `_aid`: on the cloud gateway the developer's application id (`DC-…`), required
    /// there; on the classic gateway `S107` unless the platform told you otherwise.
    pub fn aid(mut self, aid: impl Into<String>) -> Self {
        self.aid = Some(aid.into());
        self
    }
    /// The HTTP header a login token is sent in, instead of the gateway profile's.
    pub fn token_header(mut self, name: impl Into<String>) -> Self {
        self.token_header = Some(name.into());
        self
    }
    /// The signature algorithm.
    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.config.sign_method = method;
        self
    }
    /// The gateway's UTC offset.
    pub fn utc_offset(mut self, offset: FixedOffset) -> Self {
        self.config.utc_offset = offset;
        self
    }
    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }
    /// Time allowed for the whole call, retries and waits included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }
    /// The most time one attempt may take.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.config.attempt_timeout = Some(timeout);
        self
    }
    /// The retry policy; [`RetryPolicy::never`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }
    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.config.user_agent = agent.into();
        self
    }
    /// The largest response body read, in bytes, for methods without a limit of their own.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }
    /// The largest answer of `method` read, in bytes, in place of [`Self::body_limit`] for
    /// that method (smaller or larger); set again, the last value counts. A method whose real
    /// answers are small can be held to that, so that many calls of it in flight against a
    /// broken or hostile gateway hold little, while another method of the same client (a
    /// page of the store list) keeps a larger limit.
    pub fn method_body_limit(mut self, method: impl Into<String>, bytes: usize) -> Self {
        let method = method.into();
        self.config
            .method_body_limits
            .retain(|(name, _)| *name != method);
        self.config.method_body_limits.push((method, bytes));
        self
    }
    /// Hands every exchange (method, business parameters, status, answer, time; secrets
    /// removed) to `observer`, to record calls: see [`crate::recording`].
    pub fn observe_exchanges(mut self, observer: crate::recording::ExchangeObserver) -> Self {
        self.config.exchange_observer = Some(observer);
        self
    }

    /// See [`Config::answer_bytes_in_flight`].
    pub fn answer_bytes_in_flight(mut self, bytes: usize) -> Self {
        self.config.answer_bytes_in_flight = bytes;
        self
    }
    /// See [`Config::replay_backdate`].
    pub fn replay_backdate(mut self, seconds: u32) -> Self {
        self.config.replay_backdate = seconds;
        self
    }
    /// See [`Config::rate_limit`]: at most `per_second` requests a second, from
    /// [`MIN_RATE_LIMIT`] (one an hour) to [`MAX_RATE_LIMIT`] (`0.5` is one request every
    /// two seconds); anything else (0, negative, NaN, infinite) is refused by
    /// [`ConfigBuilder::build`].
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        self.config.rate_limit = Some(per_second);
        self
    }
    /// Trusts the PEM certificates in `pem` as roots, besides the default ones.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.config
            .root_certificates
            .push(RootCertificate(pem.into()));
        self
    }
    /// Allows extra headers (login tokens) over clear-text `http` to a host that is not
    /// loopback. Anyone on the path can then read and reuse the token.
    pub fn headers_over_clear_text(mut self, allow: bool) -> Self {
        self.config.headers_over_clear_text = allow;
        self
    }
    /// The most rows (stores, buckets, shares, items) one answer may decode into; at least
    /// 1. See [`Config::answer_limits`].
    pub fn max_rows_per_answer(mut self, rows: usize) -> Self {
        self.config.answer_limits.max_rows = rows;
        self
    }
    /// The most elements of undocumented fields one answer may decode into; at least 1. See
    /// [`Config::answer_limits`].
    pub fn max_elements_per_answer(mut self, elements: usize) -> Self {
        self.config.answer_limits.max_elements = elements;
        self
    }

    /// Checks everything and returns the configuration.
    pub fn build(self) -> Result<Config, Error> {
        let mut config = self.config;
        if let Some(url) = self.endpoint {
            config.endpoint = Endpoint::parse(&url)?;
        }
        config.gateway = self
            .gateway
            .unwrap_or_else(|| Gateway::from_endpoint(&config.endpoint));
        config.aid = match (self.aid, config.gateway.default_aid()) {
            (Some(aid), _) => aid.trim().to_owned(),
            (None, Some(default)) => default.to_owned(),
            (None, None) => {
                return Err(Error::invalid_input(
                    "_aid",
                    format!(
                        "the {} needs your application id (DC-…) as _aid: set it with \
                         ConfigBuilder::aid or the environment variable {ENV_AID}",
                        config.gateway
                    ),
                ));
            }
        };
        if config.aid.is_empty() || config.aid.chars().count() > 20 {
            return Err(Error::invalid_input(
                "_aid",
                "the application id must be 1 to 20 characters (the classic gateway's is S107, \
                 a cloud application's looks like DC-…)",
            ));
        }
        config.token_header = match self.token_header {
            Some(name) => name.trim().to_owned(),
            None => config.gateway.token_header().to_owned(),
        };
        if !is_header_name(&config.token_header) {
            return Err(Error::invalid_input(
                "token_header",
                format!(
                    "{:?} is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)",
                    config.token_header
                ),
            ));
        }
        if config.timeout.is_zero()
            || config.connect_timeout.is_zero()
            || config.attempt_timeout.is_some_and(|t| t.is_zero())
        {
            return Err(Error::invalid_input(
                "timeout",
                "timeouts must be greater than zero",
            ));
        }
        if config.timeout > MAX_TIMEOUT
            || config.connect_timeout > MAX_TIMEOUT
            || config.attempt_timeout.is_some_and(|t| t > MAX_TIMEOUT)
        {
            return Err(Error::invalid_input(
                "timeout",
                "timeouts must be at most a day (24 h)",
            ));
        }
        if config.answer_limits.max_rows == 0 {
            return Err(Error::invalid_input(
                "max_rows_per_answer",
                "at least 1 (the default is 20,000)",
            ));
        }
        if config.answer_limits.max_elements == 0 {
            return Err(Error::invalid_input(
                "max_elements_per_answer",
                "at least 1 (the default is 100,000)",
            ));
        }
        if config.body_limit < 1024 {
            return Err(Error::invalid_input(
                "body_limit",
                "the body limit must be at least 1 KiB",
            ));
        }
        for (method, bytes) in &config.method_body_limits {
            if *bytes < 1024 {
                return Err(Error::invalid_input(
                    "method_body_limit",
                    format!("the body limit of {method} must be at least 1 KiB"),
                ));
            }
        }
        if config.user_agent.is_empty() || config.user_agent.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "user_agent",
                "the user agent must be non-empty printable text",
            ));
        }
        if config.replay_backdate > 300 {
            return Err(Error::invalid_input(
                "replay_backdate",
                "at most 300 seconds: further back the gateway would refuse the timestamp",
            ));
        }
        if let Some(rate) = config.rate_limit {
            if !(MIN_RATE_LIMIT..=MAX_RATE_LIMIT).contains(&rate) {
                return Err(Error::invalid_input(
                    "rate_limit",
                    format!(
                        "{rate:?} is not a usable rate limit: give a number of requests a second from \
                         1/3600 (one an hour, {MIN_RATE_LIMIT:.6}) to 1,000,000"
                    ),
                ));
            }
        }
        for cert in &config.root_certificates {
            if !cert
                .0
                .windows(27)
                .any(|w| w == b"-----BEGIN CERTIFICATE-----")
            {
                return Err(Error::invalid_input(
                    "root certificate",
                    "holds no PEM certificate (a `-----BEGIN CERTIFICATE-----` block)",
                ));
            }
        }
        Ok(config)
    }
}

/// The refusal of a login token or password over clear-text `http` beyond loopback: `what`
/// would travel in clear text. Worded so that a command line can swap
/// [`CLEAR_TEXT_HEADERS_SETTING`] for its own flag.
pub(crate) fn clear_text_refused(what: String) -> Error {
    Error::invalid_input(
        "endpoint",
        format!(
            "{what} in clear text over http to a host that is not this machine; use the https \
             endpoint, or allow headers over clear text ({CLEAR_TEXT_HEADERS_SETTING})"
        ),
    )
}

/// An environment variable, `None` when it is not set.
fn env_var(name: &'static str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::invalid_input(
            name,
            format!("the environment variable {name} is not valid Unicode"),
        )),
    }
}

/// Whether `name` is an HTTP header name (an RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_endpoint_is_quoted_without_its_password() {
        for text in [
            "http://user:pa55word@host/m.api",
            "http://pa55word@host:80/m.api?x=@",
            "http://user:pa55word@ho st/m.api",
        ] {
            let error = Endpoint::parse(text).unwrap_err().to_string();
            assert!(!error.contains("pa55word"), "{error}");
            assert!(error.contains("***@ho"), "{error}");
        }
        let error = Endpoint::parse("ftp://host/m.api").unwrap_err().to_string();
        assert!(error.contains("\"ftp://host/m.api\""), "{error}");
    }

    #[test]
    fn the_profile_follows_the_endpoint_unless_set() {
        let classic = Config::default();
        assert_eq!(
            (classic.gateway(), classic.aid(), classic.token_header()),
            (Gateway::Classic, "S107", "authenticator")
        );

        let cloud = Config::builder()
            .endpoint(crate::OPRETAIL_CLOUD_GATEWAY)
            .aid(" DC-1 ")
            .build()
            .unwrap();
        assert_eq!(
            (cloud.gateway(), cloud.aid(), cloud.token_header()),
            (Gateway::Cloud, "DC-1", "Ovo-Authorization")
        );

        // A sandbox URL says nothing: the explicit profile wins over the path.
        let sandbox = Config::builder()
            .endpoint("http://127.0.0.1:8080/m.api")
            .gateway(Gateway::Cloud)
            .aid("DC-1")
            .build()
            .unwrap();
        assert_eq!(sandbox.gateway(), Gateway::Cloud);
        assert_eq!(sandbox.token_header(), "Ovo-Authorization");

        let overridden = Config::builder()
            .gateway(Gateway::Classic)
            .aid("S200")
            .token_header("X-Token")
            .build()
            .unwrap();
        assert_eq!(
            (overridden.aid(), overridden.token_header()),
            ("S200", "X-Token")
        );
    }

    #[test]
    fn cloud_without_an_application_id_is_refused_with_the_fix() {
        let error = Config::builder()
            .gateway(Gateway::Cloud)
            .build()
            .unwrap_err()
            .to_string();
        assert!(error.contains("application id"), "{error}");
        assert!(
            error.contains(ENV_AID) && error.contains("ConfigBuilder::aid"),
            "{error}"
        );
        assert!(
            Config::builder()
                .gateway(Gateway::Cloud)
                .aid("  ")
                .build()
                .is_err()
        );
    }

    #[test]
    fn a_token_header_must_be_a_header_name() {
        for bad in ["", "X Token", "X-Token:", "Jeton\u{e9}"] {
            let error = Config::builder().token_header(bad).build().unwrap_err();
            assert!(error.to_string().contains("token_header"), "{error}");
        }
    }

    #[test]
    fn the_environment_names_the_endpoint_and_the_application_id() {
        let vars = |endpoint: Option<&'static str>, aid: Option<&'static str>| {
            move |name: &'static str| {
                Ok(match name {
                    ENV_ENDPOINT => endpoint.map(str::to_owned),
                    ENV_AID => aid.map(str::to_owned),
                    _ => None,
                })
            }
        };
        let cloud =
            Config::from_vars(vars(Some(crate::OVOPARK_CLOUD_GATEWAY), Some("DC-7"))).unwrap();
        assert_eq!((cloud.gateway(), cloud.aid()), (Gateway::Cloud, "DC-7"));
        let error = Config::from_vars(vars(Some(crate::OVOPARK_CLOUD_GATEWAY), None)).unwrap_err();
        assert!(error.to_string().contains(ENV_AID), "{error}");
        let classic = Config::from_vars(vars(None, None)).unwrap();
        assert_eq!(
            (classic.gateway(), classic.aid()),
            (Gateway::Classic, "S107")
        );
        assert_eq!(classic.environment(), None);
    }

    #[test]
    fn the_environment_header_comes_from_its_variable_and_a_bad_value_says_which_exist() {
        let vars = |value: &'static str| {
            move |name: &'static str| Ok((name == ENV_ENVIRONMENT).then(|| value.to_owned()))
        };
        let test = Config::from_vars(vars("TEST")).unwrap();
        assert_eq!(test.environment(), Some(Environment::Test));
        let error = Config::from_vars(vars("prod")).unwrap_err().to_string();
        assert!(
            error.contains("environment") && error.contains("`formal`, `test` or `dev`"),
            "{error}"
        );
    }
}
