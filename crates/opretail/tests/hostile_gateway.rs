//! A hostile gateway, over HTTP, for both clients: answers that would decode into millions
//! of values stop at the answer limits, empty `data` is no success, and a login's error page
//! never shows its token. The gateway is a small server of this test's own on loopback.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread;

use chrono::NaiveDate;
use common::{credentials, store};
use opretail::{
    Config, DateRange, Error, GetManyShopsPassengerIndicatorData, GetTotalData, Grain, LoginMethod,
    Operation, RetryPolicy, TokenSource,
};

/// A gateway on a loopback port that answers every request with `status` and `body`.
fn hostile_gateway(status: u16, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!(
        "http://{}/m.api",
        listener.local_addr().expect("its address")
    );
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                line.clear();
            }
            let mut form = vec![0; length];
            if reader.read_exact(&mut form).is_err() {
                continue;
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

fn config(url: &str) -> Config {
    Config::builder()
        .endpoint(url)
        .retry(RetryPolicy::never())
        .build()
        .expect("valid test configuration")
}

fn series() -> GetManyShopsPassengerIndicatorData {
    let day = DateRange::day(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    GetManyShopsPassengerIndicatorData::new([store(1001)], day, Grain::Hour).unwrap()
}

/// `n` empty objects, comma-separated.
fn empties(n: usize) -> String {
    let mut text = String::with_capacity(n * 3);
    for i in 0..n {
        text.push_str(if i == 0 { "{}" } else { ",{}" });
    }
    text
}

/// The error both clients get calling `op` at `url` with the token `tok`.
fn both_fail<O>(url: &str, op: &O) -> [Error; 2]
where
    O: Operation + Sync,
    O::Output: std::fmt::Debug + Send,
{
    let blocking = opretail::blocking::Client::new(credentials(), config(url))
        .expect("the blocking client builds")
        .with_token_source(TokenSource::token("tok"));
    let blocking = blocking
        .send(op)
        .expect_err("the blocking client must fail");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let asynchronous = runtime.block_on(async {
        let client = opretail::Client::new(credentials(), config(url))
            .expect("the async client builds")
            .with_token_source(TokenSource::token("tok"));
        client
            .send(op)
            .await
            .expect_err("the async client must fail")
    });
    [blocking, asynchronous]
}

#[test]
fn millions_of_empty_buckets_stop_at_the_row_limit_in_both_clients() {
    let body = format!(
        r#"{{"stat":{{"code":0,"cid":"c-h"}},"data":[{{"depId":1001,"dataList":[{}]}}]}}"#,
        empties(4 * 1024 * 1024 / 3)
    );
    let url = hostile_gateway(200, body.into_bytes());
    for error in both_fail(&url, &series()) {
        let text = error.to_string();
        assert!(matches!(error, Error::Decode { .. }), "{error:?}");
        assert!(
            text.contains("getManyShopsPassengerIndicatorData"),
            "{text}"
        );
        assert!(
            text.contains("20000") && text.contains("max_rows_per_answer"),
            "{text}"
        );
    }
}

#[test]
fn configuration_items_stop_at_the_row_limit_in_both_clients() {
    let body = format!(
        r#"{{"stat":{{"code":0}},"data":{{"DAY_FLOW":1,"cfgData":[{}]}}}}"#,
        empties(256 * 1024 / 3)
    );
    let url = hostile_gateway(200, body.into_bytes());
    for error in both_fail(&url, &GetTotalData::new(store(1001))) {
        assert!(error.to_string().contains("getTotalData"), "{error}");
        assert_eq!(error.cid(), None);
    }
}

#[test]
fn empty_data_is_no_success_in_both_clients() {
    for data in ["{}", "null", r#"{"orderId":1}"#] {
        let body = format!(r#"{{"stat":{{"code":0}},"data":{data}}}"#);
        let url = hostile_gateway(200, body.into_bytes());
        for error in both_fail(&url, &series()) {
            assert!(matches!(error, Error::Decode { .. }), "{data}: {error:?}");
        }
        for error in both_fail(&url, &GetTotalData::new(store(1001))) {
            assert!(matches!(error, Error::Decode { .. }), "{data}: {error:?}");
        }
    }
}

#[test]
fn a_login_error_page_never_shows_its_token_in_either_client() {
    const TOKEN: &str = "tok-hostile-page-4411";
    let body = format!(r#"<h1>500</h1>{{"token":"{TOKEN}"}} token={TOKEN}"#);
    let url = hostile_gateway(500, body.into_bytes());
    let user = || TokenSource::login("u", "p", LoginMethod::Mobile).unwrap();
    let blocking = opretail::blocking::Client::new(credentials(), config(&url))
        .unwrap()
        .with_token_source(user());
    let blocking = blocking.login().expect_err("a 500 is no login");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let asynchronous = runtime.block_on(async {
        let client = opretail::Client::new(credentials(), config(&url))
            .unwrap()
            .with_token_source(user());
        client.login().await.expect_err("a 500 is no login")
    });
    for error in [blocking, asynchronous] {
        let shown = format!("{error}\n{error:?}");
        assert!(
            matches!(error, Error::HttpStatus { status: 500, .. }),
            "{error:?}"
        );
        assert!(!shown.contains(TOKEN), "{shown}");
    }
}
