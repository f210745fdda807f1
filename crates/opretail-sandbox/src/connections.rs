//! The connections: the accept loop, the cap on open connections, the timeouts that keep
//! idle or slow clients from holding them, and HTTP/1.1 on each.
//!
//! At the cap a new connection pushes out the oldest one that has no request in progress (an
//! idle keep-alive connection, or one still sending its headers); only when every connection
//! is busy does it wait. So idle connections, however many, cannot keep a valid call out.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The default cap on open connections
/// ([`SandboxBuilder::max_connections`](crate::SandboxBuilder::max_connections)); past it, a
/// new connection pushes out an idle one, or waits until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// How long a connection may go without sending a complete request head by default
/// ([`SandboxBuilder::idle_timeout`](crate::SandboxBuilder::idle_timeout)): from when it
/// opens, and from each answer to the next request.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long open connections get to finish when the sandbox stops.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a client gets to complete the TLS handshake.
#[cfg(feature = "tls")]
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How connections are served: plain HTTP, or HTTPS with the sandbox's certificate.
#[derive(Clone)]
pub(crate) enum Transport {
    Plain,
    #[cfg(feature = "tls")]
    Tls(tokio_rustls::TlsAcceptor),
}

/// The limits on connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// The most open at once (at least one).
    pub(crate) max: usize,
    /// How long a connection may go without a complete request head.
    pub(crate) idle_timeout: Duration,
}

/// What one connection is doing, seen from the accept loop.
#[derive(Default)]
struct Activity {
    /// Requests in progress.
    busy: AtomicUsize,
    /// Ends the connection at once, without a response.
    kill: Notify,
}

/// Closes the connection a request came on, without a response.
#[derive(Clone)]
pub(crate) struct ConnectionKill(Arc<Activity>);

impl ConnectionKill {
    pub(crate) fn close(&self) {
        self.0.kill.notify_one();
    }
}

/// The open connections, oldest first.
#[derive(Default)]
struct Open {
    connections: Mutex<BTreeMap<u64, Arc<Activity>>>,
    next_id: AtomicU64,
    /// Told whenever a connection's last request ends.
    went_idle: Notify,
}

impl Open {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Activity>>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a new connection; it is forgotten when the returned guard drops.
    fn register(self: &Arc<Self>) -> Registered {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity::default());
        self.lock().insert(id, activity.clone());
        Registered {
            id,
            activity,
            open: self.clone(),
        }
    }

    /// Ends the oldest connection with no request in progress; false if every one is busy.
    fn evict_idle(&self) -> bool {
        let mut connections = self.lock();
        let idle = connections
            .iter()
            .find(|(_, a)| a.busy.load(Ordering::Acquire) == 0)
            .map(|(id, _)| *id);
        match idle.and_then(|id| connections.remove(&id)) {
            Some(activity) => {
                activity.kill.notify_one();
                tracing::debug!("at the connection cap: closed the oldest idle connection");
                true
            }
            None => false,
        }
    }
}

/// A connection's place among the open ones, until it ends.
struct Registered {
    id: u64,
    activity: Arc<Activity>,
    open: Arc<Open>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.open.lock().remove(&self.id);
    }
}

/// A request in progress on a connection.
struct Busy {
    activity: Arc<Activity>,
    open: Arc<Open>,
}

impl Busy {
    fn start(activity: Arc<Activity>, open: Arc<Open>) -> Busy {
        activity.busy.fetch_add(1, Ordering::AcqRel);
        Busy { activity, open }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.activity.busy.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.open.went_idle.notify_one();
        }
    }
}

/// Accepts connections within `limits` until `shutdown` turns true (or its sender is gone),
/// then lets open connections finish for a short while.
pub(crate) async fn serve(
    listener: TcpListener,
    transport: Transport,
    router: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(limits.max.max(1)));
    let open = Arc::new(Open::default());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let permit = tokio::select! {
                        permit = permit_for_new(&permits, &open) => permit,
                        _ = shutdown.changed() => break,
                    };
                    connections.spawn(connection(
                        stream,
                        transport.clone(),
                        router.clone(),
                        limits.idle_timeout,
                        shutdown.clone(),
                        (permit, open.register()),
                    ));
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

/// A place for a connection just accepted: a free one, or at the cap the place of the oldest
/// idle connection, closed for it (waiting for one to go idle when all are busy). Meanwhile
/// further connections wait in the listen backlog.
async fn permit_for_new(permits: &Arc<Semaphore>, open: &Open) -> OwnedSemaphorePermit {
    loop {
        if let Ok(permit) = permits.clone().try_acquire_owned() {
            return permit;
        }
        let went_idle = open.went_idle.notified();
        if !open.evict_idle() {
            tokio::select! {
                permit = permits.clone().acquire_owned() => {
                    return permit.expect("the connection semaphore is never closed");
                }
                _ = went_idle => continue,
            }
        }
        return permits
            .clone()
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
    }
}

/// One connection, holding its place until it ends or is closed on purpose.
async fn connection(
    stream: TcpStream,
    transport: Transport,
    router: Router,
    idle_timeout: Duration,
    shutdown: watch::Receiver<bool>,
    (_permit, registered): (OwnedSemaphorePermit, Registered),
) {
    let _ = stream.set_nodelay(true);
    let activity = registered.activity.clone();
    let open = registered.open.clone();
    let http = Http {
        router,
        idle_timeout,
        activity: activity.clone(),
        open,
    };
    let serve = async move {
        match transport {
            Transport::Plain => http.serve(stream, shutdown).await,
            #[cfg(feature = "tls")]
            Transport::Tls(acceptor) => {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => http.serve(stream, shutdown).await,
                    Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                }
            }
        }
    };
    tokio::select! {
        _ = serve => {}
        _ = activity.kill.notified() => {}
    }
}

/// What HTTP on one connection needs.
struct Http {
    router: Router,
    idle_timeout: Duration,
    activity: Arc<Activity>,
    open: Arc<Open>,
}

impl Http {
    /// HTTP/1.1 until the client or the sandbox closes the connection.
    async fn serve<S>(self, stream: S, mut shutdown: watch::Receiver<bool>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Http {
            router,
            idle_timeout,
            activity,
            open,
        } = self;
        let kill = ConnectionKill(activity.clone());
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(kill.clone());
            let busy = Busy::start(activity.clone(), open.clone());
            let answer = router.clone().oneshot(request);
            async move {
                let _busy = busy;
                answer.await
            }
        });
        // hyper's header-read timer runs whenever the connection waits for a request head:
        // from the connection's start and again after each answer, so it closes idle
        // keep-alive connections as well as clients that send their headers too slowly.
        // Half-close stays off (hyper's default): a client that closes its side while its
        // request waits (in a `Fault::Delay`, say) ends the connection and drops the request.
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(idle_timeout)
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        if !*shutdown.borrow() {
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = shutdown.changed() => {}
            }
        }
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
    }
}
