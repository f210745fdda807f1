//! Any bytes as the gateway's answer, decoded for a typed and a raw call: no panic, and an
//! error's text stays small whatever the answer's size (the gateway's own message and cid,
//! which are the answer itself, excepted).
#![no_main]

use libfuzzer_sys::fuzz_target;
use opretail_model::engine::{BODY_SNIPPET_LIMIT, decode_response};
use opretail_model::{Error, GetTotalData, RawCall};

fn check(error: &Error) {
    if matches!(error, Error::Gateway(_)) {
        return;
    }
    // A snippet of 1 KiB of the body (3 KiB as text when every byte becomes U+FFFD), 1 KiB of
    // the parser's message, the error's own words, and the gateway's cid.
    let limit = 4 * BODY_SNIPPET_LIMIT + 512 + error.cid().map_or(0, str::len);
    let shown = error.to_string();
    assert!(shown.len() <= limit, "an error of {} bytes", shown.len());
}

fuzz_target!(|body: &[u8]| {
    let total = GetTotalData::new("S_1".parse().expect("valid id"));
    let raw = RawCall::new("open.sandbox.echo");
    for status in [200, 500] {
        if let Err(e) = decode_response(&total, status, body) {
            check(&e);
        }
        if let Err(e) = decode_response(&raw, status, body) {
            check(&e);
        }
    }
});
