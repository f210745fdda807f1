//! Hostile answers to the envelope decoder: deep nesting, huge numbers, long strings,
//! invalid UTF-8, duplicate keys, arbitrary JSON in every slot. Nothing panics, and what an
//! error keeps of the answer stays small whatever the answer's size.

use opretail_model::engine::{BODY_SNIPPET_LIMIT, decode_response};
use opretail_model::{Error, GetTotalData, RawCall, Response};
use proptest::prelude::*;

fn raw() -> RawCall {
    RawCall::new("open.sandbox.echo")
}

fn total() -> GetTotalData {
    GetTotalData::new("S_1001".parse().expect("valid id"))
}

/// The most text an error's `Display` may hold about the answer: a snippet of 1 KiB of the
/// body (up to 3 KiB as text: each byte that is not UTF-8 shows as U+FFFD), at most 1 KiB of
/// the parser's message, and the error's own words.
const ERROR_TEXT_LIMIT: usize = 3 * BODY_SNIPPET_LIMIT + BODY_SNIPPET_LIMIT + 512;

/// Checks what one decoding may produce from `body`: an error's text is bounded (the
/// gateway's own `result` message and `cid` are the exceptions: they are the answer itself,
/// so they may be as large as the body), and an output is no larger than the body it came
/// from by more than a constant factor.
fn check_bounded<T: std::fmt::Debug>(
    body: &[u8],
    outcome: &Result<Response<T>, Error>,
) -> Result<(), String> {
    match outcome {
        Err(Error::Gateway(gateway)) => {
            let message = gateway.message.as_deref().map_or(0, str::len);
            let rest = format!("{}", gateway.code).len()
                + gateway.cid.as_deref().map_or(0, str::len)
                + gateway.systime.as_deref().map_or(0, str::len);
            if message + rest > body.len() + 64 {
                return Err(format!(
                    "a gateway error larger than the body: {message} + {rest} > {}",
                    body.len()
                ));
            }
        }
        Err(error) => {
            let cid = error.cid().map_or(0, str::len);
            let shown = error.to_string();
            let debug = format!("{error:?}");
            // `Debug` escapes quotes and control characters: up to six bytes for one.
            if shown.len() > ERROR_TEXT_LIMIT + cid || debug.len() > 6 * ERROR_TEXT_LIMIT + cid {
                return Err(format!(
                    "an error of {} bytes ({} in Debug) from a body of {}: {}…",
                    shown.len(),
                    debug.len(),
                    body.len(),
                    shown.chars().take(300).collect::<String>()
                ));
            }
        }
        Ok(response) => {
            // Numbers re-printed may grow a little (`1e2` → `100.0`); never by a multiple.
            let shown = format!("{:?}", response.output).len();
            if shown > 4 * body.len() + 1024 {
                return Err(format!(
                    "an output of {shown} bytes from {} bytes",
                    body.len()
                ));
            }
        }
    }
    Ok(())
}

/// Decodes `body` as both operations, asserting the bounds of [`check_bounded`].
fn decode_both(body: &[u8]) {
    for status in [200, 502] {
        let outcome = decode_response(&raw(), status, body);
        if let Err(problem) = check_bounded(body, &outcome) {
            panic!("RawCall, status {status}: {problem}");
        }
        let outcome = decode_response(&total(), status, body);
        if let Err(problem) = check_bounded(body, &outcome) {
            panic!("GetTotalData, status {status}: {problem}");
        }
    }
}

fn success_with_data(data: &str) -> Vec<u8> {
    format!(r#"{{"stat":{{"cid":"c-1","code":0,"codename":"SUCCESS","systime":"2026-11-28 10:00:00"}},"result":"ok","data":{data}}}"#)
        .into_bytes()
}

fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for depth in [127, 129, 1_000, 100_000] {
        for (open, close, inner) in [("[", "]", "1"), (r#"{"a":"#, "}", "null")] {
            let deep = nested(depth, open, close, inner);
            decode_both(&success_with_data(&deep));
            decode_both(&success_with_data(&format!(r#"{{"DAY_FLOW":{deep}}}"#)));
            decode_both(deep.as_bytes());
            let in_stat = format!(r#"{{"stat":{{"code":0,"cid":{deep}}},"result":{deep}}}"#);
            decode_both(in_stat.as_bytes());
        }
    }
    // Past serde_json's recursion limit, a raw call's data is an error, not a crash.
    let deep = success_with_data(&nested(10_000, "[", "]", ""));
    assert!(decode_response(&raw(), 200, &deep).is_err());
    assert!(decode_response(&total(), 200, &deep).is_err());
}

#[test]
fn huge_numbers_are_errors_or_values_never_panics() {
    let numbers = [
        "1e400",
        "-1e400",
        "123456789012345678901234567890",
        "-9223372036854775809",
        "18446744073709551616",
        "0.0000000000000000000000000000001e-400",
        &"9".repeat(100_000),
    ];
    for n in numbers {
        decode_both(&success_with_data(&format!(
            r#"{{"DAY_FLOW":{n},"x":{n}}}"#
        )));
        decode_both(&success_with_data(n));
        decode_both(format!(r#"{{"stat":{{"code":{n},"cid":{n}}}}}"#).as_bytes());
        decode_both(format!(r#"{{"stat":{{"code":"{n}"}}}}"#).as_bytes());
    }
    // A code that does not fit is an envelope error, not a wrapped-around code.
    let body = br#"{"stat":{"code":"18446744073709551616"}}"#;
    assert!(matches!(
        decode_response(&raw(), 200, body),
        Err(Error::Envelope { .. })
    ));
}

#[test]
fn long_strings_anywhere_keep_errors_small() {
    let long = "x".repeat(1024 * 1024);
    let bodies = [
        success_with_data(&format!(r#""{long}""#)),
        success_with_data(&format!(r#"{{"DAY_FLOW":"{long}"}}"#)),
        success_with_data(&format!(r#"{{"DAY_FLOW":{{"{long}":1}}}}"#)),
        success_with_data(&format!(r#"{{"{long}":1}}"#)),
        format!(r#"{{"stat":{{"code":"{long}"}}}}"#).into_bytes(),
        format!(r#"{{"stat":{{"code":7,"codename":"{long}","cid":"{long}"}},"result":"{long}"}}"#)
            .into_bytes(),
        format!(r#"{{"stat":{{"code":0}},"result":"{long}","data":[1,"#).into_bytes(),
        format!(r#"{{"stat":"{long}"}}"#).into_bytes(),
        format!(r#"<html>{long}</html>"#).into_bytes(),
        long.clone().into_bytes(),
    ];
    for body in &bodies {
        decode_both(body);
    }
}

#[test]
fn invalid_utf8_inside_strings_is_not_json() {
    for bad in [
        &b"\xff"[..],
        b"\xc3\x28",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
    ] {
        for template in [
            &br#"{"stat":{"code":0,"cid":"a@b"},"data":{"DAY_FLOW":1}}"#[..],
            br#"{"stat":{"code":0},"data":{"DAY_FLOW":"a@b"}}"#,
            br#"{"stat":{"code":0},"data":{"a@b":1}}"#,
            br#"{"stat":{"code":7},"result":"a@b"}"#,
        ] {
            let at = template.iter().position(|b| *b == b'@').expect("a marker");
            let body = [&template[..at], bad, &template[at + 1..]].concat();
            decode_both(&body);
            for outcome in [
                decode_response(&raw(), 200, &body).map(drop),
                decode_response(&total(), 200, &body).map(drop),
            ] {
                assert!(
                    matches!(outcome, Err(Error::NotJson { .. })),
                    "{body:?}: {outcome:?}"
                );
            }
        }
    }
    // Escapes that are not characters (a lone surrogate) are refused as well.
    let body = br#"{"stat":{"code":0},"data":{"DAY_FLOW":"\ud800"}}"#;
    decode_both(body);
}

#[test]
fn bytes_that_are_not_utf8_keep_the_snippet_bounded() {
    // Found by the `decode_envelope` fuzz target (fuzz/regressions/decode_envelope/): a
    // kilobyte of 0xFF is three kilobytes of U+FFFD in the snippet, still bounded.
    let body = [&b"\""[..], &[0xff; 839]].concat();
    decode_both(&body);
    let error = decode_response(&raw(), 200, &body).unwrap_err();
    assert!(matches!(error, Error::NotJson { .. }), "{error}");
    let body = [&b"<html>"[..], &[0xff; 100_000]].concat();
    decode_both(&body);
}

#[test]
fn duplicate_keys_are_refused_or_decoded_never_panics() {
    let bodies: [&[u8]; 5] = [
        br#"{"stat":{"code":0},"stat":{"code":7}}"#,
        br#"{"stat":{"code":0,"code":7}}"#,
        br#"{"stat":{"code":0},"data":{"DAY_FLOW":1,"DAY_FLOW":2}}"#,
        br#"{"stat":{"code":0},"data":{"a":1,"a":2}}"#,
        br#"{"stat":{"code":0},"data":1,"data":2}"#,
    ];
    for body in bodies {
        decode_both(body);
    }
    // Which of two `stat.code`s wins must never turn an error into a success.
    let two_codes = br#"{"stat":{"code":7,"code":0}}"#;
    assert!(decode_response(&raw(), 200, two_codes).is_err());
}

#[test]
fn a_one_mebibyte_answer_decodes_into_something_of_its_size() {
    // A valid answer with a megabyte of extra fields: kept, not multiplied.
    let fields: Vec<String> = (0..40_000).map(|i| format!(r#""F{i}":{i}"#)).collect();
    let body = success_with_data(&format!(r#"{{"DAY_FLOW":1,{}}}"#, fields.join(",")));
    assert!(body.len() > 512 * 1024);
    decode_both(&body);
    let response = decode_response(&total(), 200, &body).expect("decodes");
    assert_eq!(response.output.extra.len(), 40_000);
}

/// Arbitrary JSON, as text: scalars at the leaves, arrays and objects (possibly with
/// repeated keys) above them.
fn json_text() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        "[0-9]{1,40}(\\.[0-9]{1,5})?(e[+-]?[0-9]{1,4})?",
        any::<String>().prop_map(|s| serde_json::to_string(&s).expect("a string serializes")),
        "\\PC{0,8}%?".prop_map(|s| format!("{s:?}")),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("DAY_FLOW".to_owned()),
                        Just("MONTH_FLOW".to_owned()),
                        Just("code".to_owned()),
                        "[a-zA-Z_]{0,12}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|fields| {
                let fields: Vec<String> = fields
                    .into_iter()
                    .map(|(k, v)| format!("{k:?}:{v}"))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }),
        ]
    })
    .boxed()
}

/// Envelopes with arbitrary JSON in every slot, some then mutated at the byte level.
fn hostile_envelope() -> impl Strategy<Value = Vec<u8>> {
    let envelope = (
        json_text(),
        prop_oneof![
            Just("0".to_owned()),
            Just("\"0\"".to_owned()),
            Just("-500".to_owned()),
            json_text()
        ],
        json_text(),
        json_text(),
        json_text(),
    )
        .prop_map(|(cid, code, codename, result, data)| {
            format!(
                r#"{{"stat":{{"cid":{cid},"code":{code},"codename":{codename}}},"result":{result},"data":{data}}}"#
            )
            .into_bytes()
        })
        .boxed();
    prop_oneof![
        3 => envelope.clone(),
        1 => json_text().prop_map(String::into_bytes),
        1 => (envelope, prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4))
            .prop_map(|(mut body, edits)| {
                for (at, byte) in edits {
                    let at = at.index(body.len());
                    body[at] = byte;
                }
                body
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_envelopes_never_panic_and_errors_stay_small(body in hostile_envelope()) {
        decode_both(&body);
    }
}

#[test]
fn a_tiny_float_as_a_code_name_stays_short() {
    // A found case: `codename` as -9.58e-228 was written out in 269 digits.
    decode_both(b"[[null,18,-9.58761342170246e-228]]");
}
