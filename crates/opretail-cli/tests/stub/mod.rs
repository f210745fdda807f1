#![allow(dead_code)] // each test binary uses its own part of this module

//! A stand-in gateway on loopback for what the sandbox cannot do: answer one id slowly and the
//! others at once, or send hostile text. It checks no signature: it only answers envelopes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Form, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

/// What the stand-in answers to one request: after how long, and which body.
pub struct Reply {
    /// Time to wait before answering.
    pub delay: Duration,
    /// The JSON body.
    pub body: Value,
    /// A body sent as these bytes instead of `body`: for answers too large to build as values.
    pub raw: Option<axum::body::Bytes>,
}

impl Reply {
    /// A success envelope around `data`, at once.
    pub fn data(data: Value) -> Reply {
        Reply {
            delay: Duration::ZERO,
            body: json!({
                "stat": {"cid": "c0ffee", "code": "0", "codename": "SUCCESS", "systime": "2026-11-28 10:00:00"},
                "result": "success",
                "data": data,
            }),
            raw: None,
        }
    }

    /// `bytes` as the whole body, at once: for answers too large to build as values, built
    /// once (see [`success_body`]) and sent many times.
    pub fn raw(bytes: axum::body::Bytes) -> Reply {
        Reply {
            delay: Duration::ZERO,
            body: Value::Null,
            raw: Some(bytes),
        }
    }

    /// An error envelope, at once.
    pub fn error(code: i64, codename: &str, message: &str, cid: &str) -> Reply {
        Reply {
            delay: Duration::ZERO,
            body: json!({
                "stat": {"cid": cid, "code": code.to_string(), "codename": codename, "systime": "2026-11-28 10:00:00"},
                "result": message,
            }),
            raw: None,
        }
    }

    /// The same reply, `delay` later.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// The bytes of a success envelope around `data`, given as JSON text.
pub fn success_body(data: &[u8]) -> axum::body::Bytes {
    let mut body = br#"{"stat":{"cid":"c0ffee","code":"0","codename":"SUCCESS","systime":"2026-11-28 10:00:00"},"result":"success","data":"#.to_vec();
    body.extend_from_slice(data);
    body.push(b'}');
    body.into()
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Its form fields.
    pub form: HashMap<String, String>,
    /// When it came, since the stand-in started.
    pub arrived: Duration,
}

type Answer = dyn Fn(&HashMap<String, String>, &HeaderMap) -> Reply + Send + Sync;

struct Shared {
    answer: Box<Answer>,
    started: Instant,
    seen: Mutex<Vec<Seen>>,
}

/// A running stand-in; stops when dropped.
pub struct Stub {
    url: String,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Stub {
    /// Starts a stand-in on a free loopback port that answers each request with `answer`.
    pub fn start(
        answer: impl Fn(&HashMap<String, String>, &HeaderMap) -> Reply + Send + Sync + 'static,
    ) -> Stub {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the stand-in");
        let shared = Arc::new(Shared {
            answer: Box::new(answer),
            started: Instant::now(),
            seen: Mutex::new(Vec::new()),
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let url = format!(
            "http://{}/m.api",
            listener.local_addr().expect("its address")
        );
        let app = axum::Router::new()
            .route("/m.api", axum::routing::post(handle))
            .with_state(shared.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Stub {
            url,
            shared,
            runtime: Some(runtime),
        }
    }

    /// The gateway URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request answered so far, in the order of the answers.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().expect("not poisoned").clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;

    let arrived = shared.started.elapsed();
    let reply = (shared.answer)(&form, &headers);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    shared
        .seen
        .lock()
        .expect("not poisoned")
        .push(Seen { form, arrived });
    match reply.raw {
        Some(bytes) => ([("content-type", "application/json")], bytes).into_response(),
        None => axum::Json(reply.body).into_response(),
    }
}
