//! What the integration tests of both clients share: credentials, configurations and checks.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opretail::{Config, Credentials, EntityId, Error, RetryPolicy, ReturnCode};
use opretail_sandbox::SandboxBuilder;

/// A key and a secret the sandbox is told to accept; the secret is easy to spot in any text.
pub const AKEY: &str = "it-key";
pub const ASID: &str = "it-SECRET-do-not-leak-9f3a";

/// A sandbox accepting [`AKEY`] / [`ASID`].
pub fn sandbox() -> SandboxBuilder {
    opretail_sandbox::Sandbox::builder().credential(AKEY, ASID)
}

pub fn credentials() -> Credentials {
    Credentials::new(AKEY, ASID).expect("valid test credentials")
}

/// Retries as by default, but with short backoffs so tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(10))
}

pub fn config(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .retry(fast_retry())
        .build()
        .expect("valid test configuration")
}

pub fn config_without_retries(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .retry(RetryPolicy::never())
        .build()
        .expect("valid test configuration")
}

pub fn store(n: u32) -> EntityId {
    format!("S_{n}").parse().expect("valid store id")
}

/// Every documented code but `SUCCESS`, plus one the platform does not document.
pub fn error_codes() -> Vec<i64> {
    ReturnCode::DOCUMENTED
        .iter()
        .map(ReturnCode::code)
        .filter(|c| *c != 0)
        .chain([4711])
        .collect()
}

/// Whether `text` holds something shaped like a signature: 32 or more upper-case hex digits
/// in a row (`_sig` is 32 for MD5, 40 for SHA-1).
pub fn has_signature_like(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || ('A'..='F').contains(&c) {
            run += 1;
            if run >= 32 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Asserts that nothing secret shows in `text`.
pub fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains(ASID), "{what} shows the secret: {text}");
    assert!(!text.contains("_sig="), "{what} shows the form: {text}");
    assert!(
        !has_signature_like(text),
        "{what} shows a signature: {text}"
    );
}

/// Every trace of this test binary, from a global subscriber set on first use. A subscriber
/// of one thread (`set_default`) proved unreliable: other tests' threads hit the same
/// callsites without it, and tracing can keep a callsite's cached interest at "never". The
/// global one is always there, so every event of every test lands in it; what traces must
/// never hold, they must never hold in any test. Call it at the start of each capturing test.
pub fn global_traces() -> &'static LogBuffer {
    static TRACES: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    TRACES.get_or_init(|| {
        let logs = LogBuffer::default();
        tracing::subscriber::set_global_default(logs.subscriber())
            .expect("the only global subscriber of this test binary");
        logs
    })
}

/// A `tracing` writer into memory.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }

    /// A subscriber writing every level, with span fields, into this buffer.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        let buffer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || buffer.clone())
            .finish()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An address on loopback that nothing listens on.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}/m.api")
}

/// A one-connection server on loopback that answers with a chunked body of `total` bytes,
/// no `Content-Length`, so that only counting while reading can enforce a limit. Returns
/// the URL and a handle giving how many body bytes it managed to write before the client
/// hung up.
pub fn endless_chunked_server(total: usize) -> (String, std::thread::JoinHandle<usize>) {
    use std::io::{Read, Write};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/m.api", listener.local_addr().expect("address"));
    let server = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return 0;
        };
        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return 0,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if stream.write_all(head).is_err() {
            return 0;
        }
        let chunk = vec![b' '; 64 * 1024];
        let mut written = 0;
        while written < total {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if stream.write_all(&framed).is_err() {
                break;
            }
            written += chunk.len();
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        written
    });
    (url, server)
}

/// The configuration for [`endless_chunked_server`]: a 1 MiB limit, no retries.
pub fn config_with_small_body_limit(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .body_limit(1024 * 1024)
        .retry(RetryPolicy::never())
        .build()
        .expect("valid test configuration")
}

/// How much [`endless_chunked_server`] sends: far more than any socket buffers hold.
pub const ENDLESS: usize = 512 * 1024 * 1024;

/// `error` is the sandbox's 502 page (`Fault::Http502Html`), status and page kept.
pub fn assert_bad_gateway_page(error: &Error) {
    match error {
        Error::HttpStatus { status, body } => {
            assert_eq!(*status, 502);
            assert!(body.contains("Bad Gateway"), "{body}");
        }
        other => panic!("expected an HTTP status error, got {other}"),
    }
}
