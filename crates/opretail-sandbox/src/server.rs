//! The gateway's HTTP handler: `/m.api` and `/cloud.api`, from the request body to the
//! envelope, with the fault plan applied on the way.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::routing::post;
use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use http::{HeaderValue, StatusCode, header};
use http_body::{Frame, SizeHint};
use opretail_model::{Gateway, ReturnCode};

use crate::call::{Call, Data};
use crate::clock::Clock;
use crate::connections::ConnectionKill;
use crate::counters::LiveCounters;
use crate::envelope::Envelope;
use crate::faults::{Decision, Fault, FaultKind, FaultState};
use crate::params::Params;
use crate::platform::Platform;
use crate::recordings::Recorded;
use crate::rejection::{METHOD_NOT_GRANTED, PARAM_ILLEGAL, Rejection, business_error, return_code};
use crate::replay::ReplayCache;
use crate::synthesis::revision::Revision;
use crate::validate::{AidRule, Rules, validate_on};

/// The largest request body read; larger ones get HTTP 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The most `name=value` pairs read from a request (query string and body together); more
/// get HTTP 400. A gateway call has about a dozen.
pub const MAX_FORM_PAIRS: usize = 256;

/// Everything the handler shares across requests.
pub(crate) struct Shared {
    pub(crate) rules: Rules,
    pub(crate) clock: Clock,
    pub(crate) replay: Option<ReplayCache>,
    pub(crate) quirks: bool,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) counters: LiveCounters,
    pub(crate) platform: Platform,
    /// How many recent hours each answer revises (0: none).
    revise_recent_hours: u32,
    /// The revisions handed out so far.
    revisions: AtomicU64,
    cid_prefix: u32,
    cid_next: AtomicU64,
}

impl Shared {
    pub(crate) fn new(
        rules: Rules,
        clock: Clock,
        replay: bool,
        quirks: bool,
        faults: FaultState,
        platform: Platform,
        revise_recent_hours: u32,
    ) -> Self {
        Shared {
            rules,
            clock,
            replay: replay.then(ReplayCache::default),
            quirks,
            faults: Mutex::new(faults),
            counters: LiveCounters::default(),
            platform,
            revise_recent_hours,
            revisions: AtomicU64::new(0),
            cid_prefix: fastrand::u32(..),
            cid_next: AtomicU64::new(1),
        }
    }

    pub(crate) fn set_faults(&self, state: FaultState) {
        *self.faults.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    fn decide_faults(&self) -> Decision {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .decide()
    }

    fn next_cid(&self) -> String {
        let n = self.cid_next.fetch_add(1, Ordering::Relaxed);
        format!("{:08x}{:012x}", self.cid_prefix, n)
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/m.api", post(gateway))
        .route("/cloud.api", post(gateway))
        .with_state(shared)
}

fn json_response(body: Vec<u8>) -> axum::response::Response {
    let mut response = axum::response::Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

fn text_response(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Body>,
) -> axum::response::Response {
    let mut response = axum::response::Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

const TEXT: &str = "text/plain; charset=utf-8";

/// How long the sandbox waits for a request body once the headers are in.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const MAINTENANCE_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>系统维护</title></head><body><h1>系统维护中，请稍后再试</h1><p>The service is under maintenance.</p></body></html>";

async fn gateway(State(shared): State<Arc<Shared>>, request: Request) -> axum::response::Response {
    let started = Instant::now();
    // Dropped with this future: when the answer is ready or when the connection goes away.
    let _in_flight = shared.counters.request();
    let (parts, body) = request.into_parts();
    let gateway = if parts.uri.path() == "/cloud.api" {
        Gateway::Cloud
    } else {
        Gateway::Classic
    };
    let token = parts
        .headers
        .get(gateway.token_header())
        .and_then(|v| v.to_str().ok());
    // hyper's header timeout does not cover the body: a client that announces a body and
    // never sends it must not hold a task forever.
    let body = match tokio::time::timeout(
        BODY_READ_TIMEOUT,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return text_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                TEXT,
                "request body too large or unreadable: the sandbox reads at most 64 KiB\n",
            );
        }
        Err(_) => {
            return text_response(
                StatusCode::REQUEST_TIMEOUT,
                TEXT,
                "the request body did not arrive within 10 seconds\n",
            );
        }
    };
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    let params = if json {
        match Params::with_json_body(parts.uri.query(), &body, MAX_FORM_PAIRS) {
            Ok(params) => params,
            Err(why) => {
                return text_response(
                    StatusCode::BAD_REQUEST,
                    TEXT,
                    format!(
                        "{why}: with a JSON body the common parameters and _sig go in the \
                         query string and the business parameters in one JSON object\n"
                    ),
                );
            }
        }
    } else {
        Params::parse_at_most(parts.uri.query(), &body, MAX_FORM_PAIRS)
    };
    let Some(params) = params else {
        return text_response(
            StatusCode::BAD_REQUEST,
            TEXT,
            format!(
                "too many parameters: the sandbox reads at most {MAX_FORM_PAIRS} name=value pairs (query string and body together)\n"
            ),
        );
    };

    let decision = shared.decide_faults();
    if !decision.latency.is_zero() {
        shared.counters.fault(FaultKind::Latency);
        tokio::time::sleep(decision.latency).await;
    }
    let mut truncate = false;
    if let Some(fault) = decision.fault {
        shared.counters.fault(fault.kind());
        tracing::info!(fault = ?fault, "injecting fault");
        match fault {
            Fault::Delay(delay) => tokio::time::sleep(delay).await,
            Fault::TruncatedJson => truncate = true,
            Fault::Http502Html => {
                return text_response(StatusCode::BAD_GATEWAY, "text/html", BAD_GATEWAY_PAGE);
            }
            Fault::NonJson200 => {
                return text_response(StatusCode::OK, "text/html; charset=utf-8", MAINTENANCE_PAGE);
            }
            Fault::HugeBody(size) => return huge_response(size),
            Fault::Redirect { status, location } => return redirect_response(status, &location),
            Fault::CloseConnection => {
                if let Some(kill) = parts.extensions.get::<ConnectionKill>() {
                    kill.close();
                    // The connection task drops this request with the connection.
                    std::future::pending::<()>().await;
                }
                let mut response = text_response(StatusCode::OK, "text/plain", "");
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                return response;
            }
            Fault::Gateway(code) => {
                let code = return_code(code);
                let rejection = Rejection::new(code, "injected by the sandbox's fault plan");
                let now = shared.clock.now();
                return answer(&shared, &params, Err(rejection), &now, started, false);
            }
        }
    }
    let now = shared.clock.now();
    let outcome = handle(&shared, &params, now, gateway, token);
    match outcome {
        Ok(Handled::Recorded(recorded)) => recorded_response(&recorded),
        Ok(Handled::Data(data)) => answer(&shared, &params, Ok(data), &now, started, truncate),
        Err(rejection) => answer(&shared, &params, Err(rejection), &now, started, truncate),
    }
}

/// What a request that passed the checks gets: the method's data, or a recorded answer.
enum Handled {
    Data(Data),
    Recorded(Recorded),
}

/// A recorded answer, as it was recorded.
fn recorded_response(recorded: &Recorded) -> axum::response::Response {
    let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
    text_response(
        status,
        "application/json;charset=UTF-8",
        recorded.body.clone(),
    )
}

/// The status and `Location` of a [`Fault::Redirect`], with an empty body.
fn redirect_response(status: u16, location: &str) -> axum::response::Response {
    let (Ok(status), Ok(location)) = (
        StatusCode::from_u16(status),
        HeaderValue::from_str(location),
    ) else {
        return text_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT,
            format!(
                "the sandbox's fault plan asks for an invalid redirect (status {status}, Location {location:?}); give a 3xx status and a valid header value\n"
            ),
        );
    };
    let mut response = axum::response::Response::new(Body::empty());
    *response.status_mut() = status;
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// Validates and runs a request: the business payload or the first error.
fn handle(
    shared: &Shared,
    params: &Params<'_>,
    now: DateTime<FixedOffset>,
    gateway: Gateway,
    token: Option<&str>,
) -> Result<Handled, Rejection> {
    let aid_rule = match gateway {
        Gateway::Classic => AidRule::Classic,
        Gateway::Cloud => AidRule::Cloud(&shared.platform),
    };
    let accepted = validate_on(params, &shared.rules, now, &aid_rule)?;
    if shared.platform.refuses(accepted.method) {
        return Err(business_error(
            METHOD_NOT_GRANTED,
            format!(
                "method {:?} is not granted to this application; grant it in the developer console",
                accepted.method
            ),
        ));
    }
    let window = shared.rules.tolerance_secs.saturating_mul(2).max(1);
    if let Some(nonces) = &shared.platform.nonces {
        let nonce = params.get("_nonce");
        if nonce.is_empty() {
            return Err(business_error(
                PARAM_ILLEGAL,
                "send a _nonce (a fresh UUID, signed like the other parameters) with every call",
            ));
        }
        if !nonces.first_use(nonce, now.timestamp(), window) {
            return Err(Rejection::new(
                ReturnCode::ApiCallRepeat,
                "this _nonce was already used; send a fresh one with every call",
            ));
        }
    }
    if let Some(replay) = &shared.replay {
        if !replay.first_use(accepted.sig, now.timestamp(), window) {
            return Err(Rejection::new(
                ReturnCode::ApiCallRepeat,
                "this _sig was already used; sign again with a fresh _timestamp",
            ));
        }
    }
    let version = params.get("_version");
    if let Some(recorded) =
        shared
            .platform
            .recordings
            .find(accepted.method, version, params.business())
    {
        tracing::debug!(method = accepted.method, "answering from a recording");
        return Ok(Handled::Recorded(recorded.clone()));
    }
    let call = Call {
        params,
        now,
        quirks: shared.quirks,
        platform: &shared.platform,
        gateway,
        token,
        revision: (shared.revise_recent_hours > 0).then(|| Revision {
            hours: shared.revise_recent_hours,
            number: shared.revisions.fetch_add(1, Ordering::Relaxed),
        }),
    };
    tracing::trace!(method = accepted.method, "dispatching");
    (accepted.handler)(&call).map(Handled::Data)
}

fn answer(
    shared: &Shared,
    params: &Params<'_>,
    outcome: Result<Data, Rejection>,
    now: &DateTime<FixedOffset>,
    started: Instant,
    truncate: bool,
) -> axum::response::Response {
    let cid = shared.next_cid();
    let (code, result, data) = match outcome {
        Ok(data) => (ReturnCode::Success, "success".to_owned(), Some(data)),
        Err(rejection) => (rejection.code, rejection.message, None),
    };
    let mut bytes = Envelope {
        cid: &cid,
        code: &code,
        result: &result,
        now,
        data,
        quirks: shared.quirks,
    }
    .into_bytes();
    if truncate {
        bytes.truncate((bytes.len() / 2).max(1));
    }
    shared.counters.answer(code.code());
    tracing::info!(
        method = params.get("_mt"),
        code = code.code(),
        codename = code.name(),
        cid = %cid,
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "answered"
    );
    json_response(bytes)
}

/// A JSON-looking body of an exact size, streamed from static memory.
struct HugeBody {
    remaining: usize,
    sent: usize,
}

const HUGE_PREFIX: &[u8] =
    br#"{"stat":{"cid":"huge","code":"0","codename":"SUCCESS","systime":""},"result":"success","data":{"padding":""#;
static PADDING: [u8; 64 * 1024] = [b'x'; 64 * 1024];

impl http_body::Body for HugeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let chunk = if this.sent < HUGE_PREFIX.len() {
            let rest = &HUGE_PREFIX[this.sent..];
            Bytes::from_static(&rest[..rest.len().min(this.remaining)])
        } else {
            Bytes::from_static(&PADDING[..PADDING.len().min(this.remaining)])
        };
        this.remaining -= chunk.len();
        this.sent += chunk.len();
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining as u64)
    }
}

fn huge_response(size: usize) -> axum::response::Response {
    let mut response = axum::response::Response::new(Body::new(HugeBody {
        remaining: size,
        sent: 0,
    }));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    response
}
