//! Verified `getTotalData` requests per second, replay protection off, with the load
//! generator (64 keep-alive HTTP/1.1 connections) in the same process and runtime.
//!
//! Prints one line on stdout: `bench sandbox/throughput <N> req/s target=>=20000`.
//! `OPRETAIL_BENCH_QUICK=1` makes it a short smoke run; without `--bench` (as `cargo test
//! --all-targets` runs it) nothing is measured.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{FixedOffset, Utc};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, Sandbox};
use opretail_sign::{SignMethod, sign};

const CONNECTIONS: usize = 64;

fn signed_body() -> Bytes {
    let gateway = FixedOffset::east_opt(8 * 3_600).expect("UTC+08:00 is a valid offset");
    let ts = Utc::now()
        .with_timezone(&gateway)
        .format("%Y%m%d%H%M%S")
        .to_string();
    let mut pairs = vec![
        ("_aid", "S107".to_owned()),
        ("_akey", DEFAULT_AKEY.to_owned()),
        ("_mt", "open.shopweb.passengerFlow.getTotalData".to_owned()),
        ("_sm", "md5".to_owned()),
        ("_requestMode", "post".to_owned()),
        ("_version", "v1".to_owned()),
        ("_timestamp", ts),
        ("_format", "json".to_owned()),
        ("id", "S_1001".to_owned()),
        ("needUnit", "1".to_owned()),
    ];
    let sig = sign(SignMethod::Md5, DEFAULT_ASID, &pairs).to_string();
    pairs.push(("_sig", sig));
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        form.append_pair(k, v);
    }
    Bytes::from(form.finish())
}

async fn worker(
    addr: std::net::SocketAddr,
    body: Bytes,
    deadline: Instant,
    budget: Arc<AtomicI64>,
    done: Arc<AtomicU64>,
) {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    while Instant::now() < deadline && budget.fetch_sub(1, Ordering::Relaxed) > 0 {
        let request = hyper::Request::post("/m.api")
            .header("host", "127.0.0.1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(body.clone()))
            .expect("request");
        let response = sender.send_request(request).await.expect("response");
        assert_eq!(response.status(), 200);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let ok = bytes.windows(10).any(|w| w == br#""code":"0""#);
        assert!(ok, "not a success: {}", String::from_utf8_lossy(&bytes));
        done.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::var("OPRETAIL_BENCH_QUICK").is_ok_and(|v| v == "1");
    let (requests, limit) = if quick {
        (2_000, Duration::from_secs(3))
    } else {
        (400_000, Duration::from_secs(15))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sandbox = Sandbox::builder()
            .replay_protection(false)
            .start()
            .await
            .expect("sandbox");
        let body = signed_body();
        let run = |n: i64, limit: Duration| {
            let body = body.clone();
            let addr = sandbox.addr();
            async move {
                let budget = Arc::new(AtomicI64::new(n));
                let done = Arc::new(AtomicU64::new(0));
                let started = Instant::now();
                let deadline = started + limit;
                let workers: Vec<_> = (0..CONNECTIONS)
                    .map(|_| {
                        tokio::spawn(worker(
                            addr,
                            body.clone(),
                            deadline,
                            budget.clone(),
                            done.clone(),
                        ))
                    })
                    .collect();
                for w in workers {
                    w.await.expect("worker");
                }
                (done.load(Ordering::Relaxed), started.elapsed())
            }
        };
        // Warm up connections, caches and the allocator.
        run(if quick { 200 } else { 20_000 }, limit).await;
        let (done, elapsed) = run(requests, limit).await;
        let rate = done as f64 / elapsed.as_secs_f64();
        eprintln!(
            "{done} verified getTotalData requests in {:.2} s over {CONNECTIONS} connections",
            elapsed.as_secs_f64()
        );
        let counters = sandbox.counters();
        eprintln!(
            "sandbox counted {} requests, {} successes",
            counters.requests(),
            counters.answers(0)
        );
        println!("bench sandbox/throughput {rate:.0} req/s target=>=20000");
        sandbox.shutdown().await;
    });
}
