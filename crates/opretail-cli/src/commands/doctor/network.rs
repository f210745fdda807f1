//! The network line: the host resolves and takes a connection (the TLS handshake follows with
//! the first signed call, made with the client's configured roots).

use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use super::{Check, Verdict, line};

/// Resolves the host and connects to it; the TLS handshake follows with the first call.
pub(super) async fn network(endpoint: &opretail_model::Endpoint) -> (bool, Check) {
    let url = endpoint.url();
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let started = Instant::now();
    let resolved = tokio::task::spawn_blocking(move || {
        (lookup.as_str(), port)
            .to_socket_addrs()
            .map(|addrs| addrs.collect::<Vec<_>>())
    })
    .await;
    let addrs = match resolved {
        Ok(Ok(addrs)) if !addrs.is_empty() => addrs,
        Ok(Err(e)) => {
            return (
                false,
                line(
                    "network",
                    Verdict::Fail,
                    format!("{host} does not resolve: {e}"),
                    "check the host name of the endpoint and this machine's DNS",
                ),
            );
        }
        _ => {
            return (
                false,
                line(
                    "network",
                    Verdict::Fail,
                    format!("{host} resolves to no address"),
                    "check the host name of the endpoint and this machine's DNS",
                ),
            );
        }
    };
    let resolve_ms = started.elapsed().as_millis();
    let first = addrs[0];
    let started = Instant::now();
    let connected = tokio::task::spawn_blocking(move || {
        std::net::TcpStream::connect_timeout(&first, Duration::from_secs(10))
    })
    .await;
    match connected {
        Ok(Ok(_stream)) => {
            let loopback = first.ip().is_loopback();
            let tls = if url.scheme() == "https" {
                ""
            } else if loopback {
                "; TLS skipped: plain http on loopback"
            } else {
                "; plain http to another machine: everything travels in clear text"
            };
            let verdict = if url.scheme() != "https" && !loopback {
                Verdict::Warn
            } else {
                Verdict::Ok
            };
            let check = line(
                "network",
                verdict,
                format!(
                    "{host} resolved to {first} in {resolve_ms} ms; connected in {} ms{tls}",
                    started.elapsed().as_millis()
                ),
                if verdict == Verdict::Warn {
                    "use the https endpoint"
                } else {
                    ""
                },
            );
            (true, check)
        }
        Ok(Err(e)) => (
            false,
            line(
                "network",
                Verdict::Fail,
                format!("{host} resolved to {first}, but connecting failed: {e}"),
                "check the port, a firewall or a proxy",
            ),
        ),
        Err(e) => (
            false,
            line(
                "network",
                Verdict::Fail,
                format!("the connect task failed: {e}"),
                "",
            ),
        ),
    }
}
