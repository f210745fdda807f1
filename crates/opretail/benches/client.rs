//! What the clients cost over a raw HTTP call, against the in-process sandbox.
//!
//! ```text
//! cargo bench -p opretail --features async,blocking --bench client        # 20,000 calls per run
//! OPRETAIL_BENCH_QUICK=1 cargo bench -p opretail --features async,blocking --bench client
//! OPRETAIL_BENCH_ONLY=async,async-raw-with-model OPRETAIL_BENCH_CALLS=2000 cargo bench ...
//! ```
//!
//! `OPRETAIL_BENCH_ONLY` runs only the named lines (ratios need both a client and its
//! baseline) and `OPRETAIL_BENCH_CALLS` sets the calls per run: for profiling one side, as
//! under callgrind, where two call counts give the instructions of one call by difference.
//!
//! The async client (64 calls in flight) is compared with a hand-written reqwest loop
//! posting forms signed before the clock starts; the blocking client (8 threads) with a raw
//! ureq loop doing the same. Both sides ask for the same store ids; the sandbox runs without
//! replay protection, so the forms can be sent again. Targets: each client's calls per
//! second at least 0.9 times its raw loop's, and its own CPU time per call at most 1.25
//! times the raw loop's.
//!
//! CPU time is split by thread (Linux, from `/proc/self/task`): the sandbox's named runtime
//! threads on one side (`-sandbox-cpu`), every other thread of the process on the other
//! (`-cpu`, the code being measured). The `-raw-with-model` lines are the raw loops doing
//! the client's pure work too (signing each call with `Engine`, decoding each
//! answer with `decode_response`): the client's figures over theirs are what the transport
//! layer itself costs.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use opretail::engine::{Engine, Preparation, PreparedRequest, decode_response};
use opretail::{Config, Credentials, EntityId, GetTotalData, RetryPolicy};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, Sandbox};

#[path = "../../../benches-common/proc_cpu.rs"]
mod proc_cpu;

use proc_cpu::{SANDBOX_THREADS, cpu_time, sandbox_cpu_time};

const ASYNC_CONCURRENCY: usize = 64;
const THREADS: usize = 8;
/// Each client's calls per second over its raw loop's: at least this.
const RATE_TARGET: f64 = 0.9;
/// Each client's own CPU per call over its raw loop's: at most this.
const CPU_TARGET: f64 = 1.25;

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let calls = match std::env::var("OPRETAIL_BENCH_CALLS") {
        Ok(n) => n
            .parse()
            .expect("OPRETAIL_BENCH_CALLS is a number of calls"),
        Err(_) if std::env::var_os("OPRETAIL_BENCH_QUICK").is_some() => 500,
        Err(_) => 20_000,
    };
    let sandbox = Sandbox::builder()
        .replay_protection(false)
        .start_blocking()
        .expect("the sandbox starts");
    // The raw reqwest loops build their client with reqwest's own rustls set-up, which needs
    // a process-wide crypto provider (the SDK configures its client with ring directly). No
    // TLS is spoken: the sandbox is plain http on loopback.
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Some(cpu) = CpuTime::now() {
        // Without its threads the sandbox's CPU would be counted as the client's.
        assert!(
            cpu.sandbox_threads > 0,
            "no thread named {SANDBOX_THREADS}*: the sandbox's runtime no longer names its threads as this benchmark expects"
        );
    }
    let config = Config::builder()
        .endpoint(sandbox.url())
        .retry(RetryPolicy::never())
        .build()
        .expect("valid configuration");
    let credentials = Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).expect("valid credentials");
    let signer = Engine::new(credentials.clone(), config.clone());
    let forms = Arc::new(SignedForms::new(&signer, calls));
    eprintln!(
        "client benchmark: {calls} calls per run against {}",
        sandbox.url()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let only = std::env::var("OPRETAIL_BENCH_ONLY").ok();
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|n| n.trim() == name))
    };
    let baseline =
        wanted("async-baseline").then(|| runtime.block_on(async_baseline(&config, &forms, calls)));
    let ours =
        wanted("async").then(|| runtime.block_on(async_client(&config, &credentials, calls)));
    report("async", ours, baseline);
    if wanted("async-raw-with-model") {
        let floor = runtime.block_on(async_with_model(&config, &credentials, calls));
        floor.print("async-raw-with-model", None);
    }

    let baseline = wanted("blocking-baseline").then(|| blocking_baseline(&config, &forms, calls));
    let ours = wanted("blocking").then(|| blocking_client(&config, &credentials, calls));
    report("blocking", ours, baseline);
    if wanted("blocking-raw-with-model") {
        let floor = blocking_with_model(&config, &credentials, calls);
        floor.print("blocking-raw-with-model", None);
    }
    drop(runtime);
    sandbox.shutdown_blocking();
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
struct Figures {
    /// Calls per second of wall time.
    rate: f64,
    /// CPU time per call, in µs, split between the client and the sandbox; `None` where
    /// `/proc` cannot be read.
    cpu: Option<CpuPerCall>,
}

/// CPU time (user and system) per call, in µs.
#[derive(Debug, Clone, Copy)]
struct CpuPerCall {
    /// Every thread of this process but the sandbox's: the code being measured.
    client: f64,
    /// The sandbox's threads, answering the calls.
    sandbox: f64,
}

impl Figures {
    fn print(&self, name: &str, baseline: Option<&Figures>) {
        let rate = self.rate;
        match baseline {
            Some(base) => println!(
                "bench client/{name} {rate:.0} req/s ratio={:.3} target=>={RATE_TARGET}",
                rate / base.rate
            ),
            None => println!("bench client/{name} {rate:.0} req/s"),
        }
        let Some(cpu) = self.cpu else {
            eprintln!("client/{name}: no CPU figures (no /proc/self/task)");
            return;
        };
        match baseline.and_then(|base| base.cpu) {
            Some(base) => {
                println!(
                    "bench client/{name}-cpu {:.1} us/req ratio={:.3} target=<={CPU_TARGET}",
                    cpu.client,
                    cpu.client / base.client
                );
                // Informational, and too small to divide by in a smoke run.
                println!("bench client/{name}-sandbox-cpu {:.1} us/req", cpu.sandbox);
            }
            None => {
                println!("bench client/{name}-cpu {:.1} us/req", cpu.client);
                println!("bench client/{name}-sandbox-cpu {:.1} us/req", cpu.sandbox);
            }
        }
    }
}

/// Prints a client's figures and its raw loop's, with the ratios when both ran.
fn report(name: &str, ours: Option<Figures>, baseline: Option<Figures>) {
    if let Some(baseline) = &baseline {
        baseline.print(&format!("{name}-baseline"), None);
    }
    if let Some(ours) = ours {
        ours.print(name, baseline.as_ref());
    }
}

/// A clock for one measured run: wall time and CPU time.
struct Stopwatch {
    wall: Instant,
    cpu: Option<CpuTime>,
}

impl Stopwatch {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: CpuTime::now(),
        }
    }

    fn stop(self, calls: usize) -> Figures {
        let elapsed = self.wall.elapsed();
        let per_call = |spent: Duration| spent.as_secs_f64() * 1e6 / calls as f64;
        let cpu = match (self.cpu, CpuTime::now()) {
            (Some(before), Some(after)) => Some(CpuPerCall {
                client: per_call(after.client().saturating_sub(before.client())),
                sandbox: per_call(after.sandbox.saturating_sub(before.sandbox)),
            }),
            _ => None,
        };
        Figures {
            rate: calls as f64 / elapsed.as_secs_f64(),
            cpu,
        }
    }
}

/// User plus system CPU time of this process so far, and of the sandbox's threads within it.
///
/// The client and the sandbox share the process, and they do not do the same work on both
/// sides of a comparison (the client's requests and connections are its own), so their CPU
/// is told apart by thread: the sandbox runs on its own named runtime, and every other
/// thread (this program's runtime, the blocking callers, the main thread) is the client's.
/// The process's total also holds threads that have already ended, such as the blocking
/// callers, so the client's share is the total less the sandbox's.
#[derive(Debug, Clone, Copy)]
struct CpuTime {
    process: Duration,
    sandbox: Duration,
    /// How many of the sandbox's threads were found.
    sandbox_threads: usize,
}

impl CpuTime {
    /// Read from `/proc` (Linux; `None` elsewhere).
    fn now() -> Option<Self> {
        let process = cpu_time(Path::new("/proc/self/stat"))?;
        let (sandbox, sandbox_threads) = sandbox_cpu_time()?;
        Some(Self {
            process,
            sandbox,
            sandbox_threads,
        })
    }

    fn client(&self) -> Duration {
        self.process.saturating_sub(self.sandbox)
    }
}

/// Calls of the warm-up runs ask for ids from here on, so that no id of the measured run is
/// asked for twice by one client.
const WARM_UP_ID: usize = 1_000_000;

fn warm_up_calls() -> usize {
    (ASYNC_CONCURRENCY * 2).max(THREADS * 4)
}

/// Takes the next call's number from `left`, or `None` when all are taken.
fn next(left: &AtomicUsize) -> Option<usize> {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .ok()
        .map(|before| before - 1)
}

/// A store id per call number. The client never sends two identical requests in the same
/// second with the same timestamp (a gateway with replay protection would refuse the
/// second), so identical calls are paced; distinct ids measure the transport alone.
fn store(n: usize) -> EntityId {
    format!("S_{}", 100_000 + n).parse().expect("valid id")
}

/// A warm-up that opens the connections, then `calls` calls with `ASYNC_CONCURRENCY` in
/// flight.
async fn run_async<F, Fut>(calls: usize, call: F) -> Figures
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let mut figures = None;
    for (n, first) in [(warm_up_calls(), WARM_UP_ID), (calls, 0)] {
        let left = Arc::new(AtomicUsize::new(n));
        let clock = Stopwatch::start();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..ASYNC_CONCURRENCY {
            let left = left.clone();
            let call = call.clone();
            tasks.spawn(async move {
                while let Some(i) = next(&left) {
                    call(first + i).await;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("a worker panicked");
        }
        figures = Some(clock.stop(n));
    }
    figures.expect("the measured run ran")
}

async fn async_baseline(config: &Config, forms: &Arc<SignedForms>, calls: usize) -> Figures {
    let http = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout())
        .timeout(config.timeout())
        .build()
        .expect("a reqwest client");
    let url = config.endpoint().as_str().to_owned();
    let forms = forms.clone();
    run_async(calls, move |i| {
        let (http, url, form) = (http.clone(), url.clone(), forms.get(i).to_owned());
        async move {
            let response = http
                .post(url)
                .header("content-type", PreparedRequest::CONTENT_TYPE)
                .body(form)
                .send()
                .await
                .expect("the baseline call succeeds");
            assert!(response.status().is_success());
            response.bytes().await.expect("the body is read");
        }
    })
    .await
}

async fn async_client(config: &Config, credentials: &Credentials, calls: usize) -> Figures {
    let client = opretail::Client::new(credentials.clone(), config.clone()).expect("a client");
    run_async(calls, move |i| {
        let client = client.clone();
        async move {
            client
                .send(&opretail::GetTotalData::new(store(i)))
                .await
                .expect("the call succeeds");
        }
    })
    .await
}

/// A warm-up, then `calls` calls on `THREADS` threads.
fn run_threads<F: Fn(usize) + Sync>(calls: usize, call: F) -> Figures {
    let mut figures = None;
    for (n, first) in [(warm_up_calls(), WARM_UP_ID), (calls, 0)] {
        let left = AtomicUsize::new(n);
        let clock = Stopwatch::start();
        std::thread::scope(|scope| {
            for _ in 0..THREADS {
                scope.spawn(|| {
                    while let Some(i) = next(&left) {
                        call(first + i);
                    }
                });
            }
        });
        figures = Some(clock.stop(n));
    }
    figures.expect("the measured run ran")
}

/// An agent set up as the blocking client's own.
fn raw_agent(config: &Config) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(config.connect_timeout()))
        .timeout_global(Some(config.timeout()))
        .max_idle_connections(32)
        .max_idle_connections_per_host(32)
        .build()
        .new_agent()
}

fn blocking_baseline(config: &Config, forms: &SignedForms, calls: usize) -> Figures {
    let agent = raw_agent(config);
    let url = config.endpoint().as_str();
    run_threads(calls, |i| {
        let mut response = agent
            .post(url)
            .header("content-type", PreparedRequest::CONTENT_TYPE)
            .send(forms.get(i))
            .expect("the baseline call succeeds");
        assert!(response.status().is_success());
        response.body_mut().read_to_vec().expect("the body is read");
    })
}

fn blocking_client(config: &Config, credentials: &Credentials, calls: usize) -> Figures {
    let client =
        opretail::blocking::Client::new(credentials.clone(), config.clone()).expect("a client");
    run_threads(calls, |i| {
        client
            .send(&opretail::GetTotalData::new(store(i)))
            .expect("the call succeeds");
    })
}

/// A raw reqwest loop that signs and decodes like the client: the floor of the client's cost.
async fn async_with_model(config: &Config, credentials: &Credentials, calls: usize) -> Figures {
    let http = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout())
        .timeout(config.timeout())
        .build()
        .expect("a reqwest client");
    let url = config.endpoint().as_str().to_owned();
    let signer = Arc::new(Engine::new(credentials.clone(), config.clone()));
    run_async(calls, move |i| {
        let (http, url, signer) = (http.clone(), url.clone(), signer.clone());
        async move {
            let op = GetTotalData::new(store(i));
            let form = signed(&signer, &op);
            let response = http
                .post(url)
                .header("content-type", PreparedRequest::CONTENT_TYPE)
                .body(form)
                .send()
                .await
                .expect("the call succeeds");
            let status = response.status().as_u16();
            let body = response.bytes().await.expect("the body is read");
            decode_response(&op, status, &body).expect("the answer decodes");
        }
    })
    .await
}

/// A raw ureq loop that signs and decodes like the client: the floor of the client's cost.
fn blocking_with_model(config: &Config, credentials: &Credentials, calls: usize) -> Figures {
    let agent = raw_agent(config);
    let url = config.endpoint().as_str();
    let signer = Engine::new(credentials.clone(), config.clone());
    run_threads(calls, |i| {
        let op = GetTotalData::new(store(i));
        let form = signed(&signer, &op);
        let mut response = agent
            .post(url)
            .header("content-type", PreparedRequest::CONTENT_TYPE)
            .send(&form)
            .expect("the call succeeds");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_vec().expect("the body is read");
        decode_response(&op, status, &body).expect("the answer decodes");
    })
}

/// The baselines' forms, signed before the clock starts: one per call number of the
/// measured run and of the warm-up.
struct SignedForms {
    measured: Vec<String>,
    warm_up: Vec<String>,
}

impl SignedForms {
    fn new(signer: &Engine, calls: usize) -> Self {
        let sign = |n| signed(signer, &GetTotalData::new(store(n)));
        Self {
            measured: (0..calls).map(sign).collect(),
            warm_up: (WARM_UP_ID..WARM_UP_ID + warm_up_calls())
                .map(sign)
                .collect(),
        }
    }

    fn get(&self, n: usize) -> &str {
        match n.checked_sub(WARM_UP_ID) {
            Some(warm_up) => &self.warm_up[warm_up],
            None => &self.measured[n],
        }
    }
}

fn signed(signer: &Engine, op: &GetTotalData) -> String {
    match signer.prepare(op, &[], SystemTime::now()) {
        Ok(Preparation::Ready(request)) => request.into_body(),
        _ => panic!("the form could not be signed"),
    }
}
