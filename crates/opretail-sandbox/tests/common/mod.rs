//! Hand-built, hand-signed forms and a plain HTTP client, shared by the black-box tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{FixedOffset, TimeDelta, Utc};
use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID};
use opretail_sign::{SignMethod, sign};
use serde_json::Value;

pub const TOTAL_DATA: &str = "open.shopweb.passengerFlow.getTotalData";

/// The gateway's `_timestamp` (`yyyyMMddHHmmss` in UTC+08:00) for now plus `offset_secs`.
pub fn timestamp(offset_secs: i64) -> String {
    let gateway = FixedOffset::east_opt(8 * 3_600).unwrap();
    (Utc::now() + TimeDelta::seconds(offset_secs))
        .with_timezone(&gateway)
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// A request's parameters, in the order they are sent.
#[derive(Debug, Clone)]
pub struct Form {
    pub pairs: Vec<(String, String)>,
}

static NONCE: AtomicU64 = AtomicU64::new(0);

impl Form {
    /// The common parameters for `method` with the default key, a fresh timestamp and a
    /// unique business parameter so that no two forms share a signature.
    pub fn common(method: &str) -> Form {
        let nonce = NONCE.fetch_add(1, Ordering::Relaxed).to_string();
        Form {
            pairs: vec![
                ("_aid".into(), "S107".into()),
                ("_akey".into(), DEFAULT_AKEY.into()),
                ("_mt".into(), method.into()),
                ("_sm".into(), "md5".into()),
                ("_requestMode".into(), "post".into()),
                ("_version".into(), "v1".into()),
                ("_timestamp".into(), timestamp(0)),
                ("_format".into(), "json".into()),
                ("nonce".into(), nonce),
            ],
        }
    }

    /// A `getTotalData` form for `id` (no `needUnit`).
    pub fn total_data(id: &str) -> Form {
        Form::common(TOTAL_DATA).set("id", id)
    }

    /// Sets a parameter (replacing it if present).
    pub fn set(mut self, name: &str, value: &str) -> Form {
        match self.pairs.iter_mut().find(|(k, _)| k == name) {
            Some(pair) => pair.1 = value.to_owned(),
            None => self.pairs.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    /// Adds a parameter even if one of that name exists.
    pub fn push(mut self, name: &str, value: &str) -> Form {
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Removes a parameter.
    pub fn remove(mut self, name: &str) -> Form {
        self.pairs.retain(|(k, _)| k != name);
        self
    }

    /// Signs with `secret` using the form's `_sm` (MD5 if it names no method).
    pub fn signed_with(self, secret: &str) -> Form {
        let method = self
            .pairs
            .iter()
            .find(|(k, _)| k == "_sm")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(SignMethod::Md5);
        let sig = sign(method, secret, &self.pairs).to_string();
        self.remove("_sig").push("_sig", &sig)
    }

    /// Signs with the default secret.
    pub fn signed(self) -> Form {
        self.signed_with(DEFAULT_ASID)
    }

    /// `application/x-www-form-urlencoded` body.
    pub fn encode(&self) -> String {
        form_encode(&self.pairs)
    }
}

pub fn form_encode(pairs: &[(String, String)]) -> String {
    let mut s = url_encoder();
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn url_encoder() -> form_urlencoded::Serializer<'static, String> {
    form_urlencoded::Serializer::new(String::new())
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Posts a freshly signed `getTotalData` form for `S_1` with `client`, as it is answered.
pub async fn send_total_data(
    client: &reqwest::Client,
    url: &str,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Form::total_data("S_1").signed().encode())
        .send()
        .await
}

/// Posts a form body, returns the HTTP status and the body.
pub async fn post_raw(url: &str, body: String) -> (u16, String) {
    post_raw_with(url, body, &[]).await
}

/// [`post_raw`] with extra headers (a login token).
pub async fn post_raw_with(url: &str, body: String, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = client().post(url).header(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Posts a form and parses the JSON envelope (HTTP 200 expected).
pub async fn post(url: &str, form: &Form) -> Value {
    post_with(url, form, &[]).await
}

/// [`post`] with extra headers (a login token).
pub async fn post_with(url: &str, form: &Form, headers: &[(&str, &str)]) -> Value {
    let (status, body) = post_raw_with(url, form.encode(), headers).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Asserts a strict error envelope with this code and name.
pub fn assert_error(envelope: &Value, code: i64, name: &str) {
    let stat = &envelope["stat"];
    assert_eq!(stat["code"], Value::String(code.to_string()), "{envelope}");
    assert_eq!(stat["codename"], name, "{envelope}");
    assert!(stat["cid"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(stat["systime"].as_str().is_some());
    assert!(
        envelope["result"].as_str().is_some_and(|r| !r.is_empty()),
        "{envelope}"
    );
    assert!(envelope.get("data").is_none(), "{envelope}");
}

/// The `opretail-sandbox` binary, killed when dropped.
#[cfg(feature = "cli")]
pub struct Binary {
    child: std::process::Child,
    stdout: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

#[cfg(feature = "cli")]
impl Binary {
    /// Starts the binary with `args` and the log filter `RUST_LOG=error`.
    pub fn start<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Binary {
        use std::io::BufRead;
        use std::process::{Command, Stdio};

        let mut child = Command::new(env!("CARGO_BIN_EXE_opretail-sandbox"))
            .args(args)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        Binary { child, stdout }
    }

    /// The next line on stdout.
    pub fn line(&mut self) -> String {
        self.stdout.next().unwrap().unwrap()
    }

    /// The binary's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Stops the binary; what it wrote on stderr.
    pub fn stop(mut self) -> String {
        use std::io::Read;

        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        stderr
    }

    /// Waits for the binary to exit by itself.
    pub fn wait(mut self) -> std::process::ExitStatus {
        self.child.wait().unwrap()
    }
}

#[cfg(feature = "cli")]
impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
