//! One HTTP exchange: post a prepared form, read the answer within the body limit, and turn
//! every failure into an [`Error::Transport`] of the right kind.

use std::time::Duration;

use opretail_model::engine::{ExchangeFailure, HttpAnswer, PreparedRequest};
use opretail_model::{Config, Error};
use reqwest::header::{CONTENT_TYPE, HeaderValue, LOCATION, USER_AGENT};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The headers every request carries, checked once rather than at every request.
#[derive(Debug, Clone)]
pub(crate) struct CommonHeaders {
    content_type: HeaderValue,
    /// `None` if the configured user agent is no valid header value: each request then
    /// fails to build, as it says.
    user_agent: Option<HeaderValue>,
}

impl CommonHeaders {
    pub(crate) fn new(config: &Config) -> CommonHeaders {
        CommonHeaders {
            content_type: HeaderValue::from_static(PreparedRequest::CONTENT_TYPE),
            user_agent: HeaderValue::from_str(config.user_agent()).ok(),
        }
    }
}

/// The bytes of answers a client may hold at once (`Config::answer_bytes_in_flight`),
/// shared by all its calls, counted in KiB (a semaphore counts permits in `u32`).
#[derive(Debug)]
pub(crate) struct AnswerBudget(Semaphore);

/// What an answer's reservation holds until it is decoded.
pub(crate) type Reservation<'a> = SemaphorePermit<'a>;

impl AnswerBudget {
    pub(crate) fn new(config: &Config) -> AnswerBudget {
        AnswerBudget(Semaphore::new(
            kib(config.answer_bytes_in_flight() as u64) as usize
        ))
    }

    /// Waits until `bytes` fit. `None` only if the semaphore were closed, which it never is.
    async fn reserve(&self, bytes: u64) -> Option<Reservation<'_>> {
        self.0.acquire_many(kib(bytes)).await.ok()
    }
}

/// `bytes` in KiB, rounded up, within what one reservation may ask for.
fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX >> 3)
}

/// Posts `request`, giving up after `timeout`. The answer comes with its reservation in
/// `budget`, to be dropped once it is decoded.
#[allow(clippy::too_many_arguments)] // each is one piece of the client; a struct would only rename them
pub(crate) async fn exchange<'b>(
    http: &reqwest::Client,
    url: &reqwest::Url,
    config: &Config,
    common: &CommonHeaders,
    budget: &'b AnswerBudget,
    request: PreparedRequest,
    timeout: Duration,
) -> Result<(HttpAnswer, Option<Reservation<'b>>), Error> {
    let content_type = if request.query().is_some() {
        HeaderValue::from_static(request.content_type())
    } else {
        common.content_type.clone()
    };
    // The answer's own limit: its method's, or the client's.
    let method = request.method().to_owned();
    let limit = config.body_limit_for(&method);
    let mut url = url.clone();
    if let Some(query) = request.query() {
        url.set_query(Some(query));
    }
    let builder = http.post(url).header(CONTENT_TYPE, content_type);
    let mut builder = match &common.user_agent {
        Some(agent) => builder.header(USER_AGENT, agent.clone()),
        None => builder.header(USER_AGENT, config.user_agent()),
    }
    .timeout(timeout);
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let mut response = builder
        .body(request.into_body())
        .send()
        .await
        .map_err(|e| transport(config, timeout, e))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let announced = response.content_length();
    if let Some(announced) = announced {
        if announced > limit as u64 {
            return Err(Error::answer_over_limit(config, &method, Some(announced)));
        }
    }
    // Read only once the answer fits in what the client's answers in flight may hold; until
    // then it waits in the socket's buffers, not in memory of ours.
    let reservation = budget.reserve(announced.unwrap_or(limit as u64)).await;
    // Sized by the announced length, the buffer never grows by doubling past it.
    let mut body = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(config, timeout, e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(Error::answer_over_limit(config, &method, None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((HttpAnswer::new(status, location, body), reservation))
}

/// Tells what failed from reqwest's error, which stays the source.
fn transport(config: &Config, timeout: Duration, error: reqwest::Error) -> Error {
    let error = error.without_url();
    let failure = if error.is_builder() {
        ExchangeFailure::Request
    } else if crate::tls::is_tls_error(&error) {
        ExchangeFailure::Tls
    } else if error.is_connect() && error.is_timeout() {
        ExchangeFailure::ConnectTimeout
    } else if error.is_timeout() {
        ExchangeFailure::Timeout
    } else if error.is_connect() {
        ExchangeFailure::Connect
    } else {
        ExchangeFailure::Broken
    };
    Error::failed_exchange(failure, config, timeout, error)
}
