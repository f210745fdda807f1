//! The gateway's response envelope: `stat` (`cid`, `code`, `codename`, `systime`), `result`,
//! `data`.

use bytes::Bytes;
use opretail_model::ReturnCode;
use opretail_sign::{Timestamp, UtcOffset};
#[cfg(test)]
use serde_json::Value;

/// The gateway's time as sent in `stat.systime`: `yyyy-MM-dd HH:mm:ss`, UTC+08:00.
pub(crate) fn systime(now_unix: i64) -> String {
    match Timestamp::from_unix(now_unix, UtcOffset::GATEWAY) {
        Ok(ts) => {
            let d = ts.as_str();
            format!(
                "{}-{}-{} {}:{}:{}",
                &d[0..4],
                &d[4..6],
                &d[6..8],
                &d[8..10],
                &d[10..12],
                &d[12..14]
            )
        }
        Err(_) => String::new(),
    }
}

/// One answer's envelope, ready to serialise.
pub(crate) struct Envelope<'a> {
    pub(crate) cid: &'a str,
    pub(crate) code: &'a ReturnCode,
    pub(crate) result: &'a str,
    pub(crate) now_unix: i64,
    /// The payload's JSON text, written as it is.
    pub(crate) data: Option<Bytes>,
    pub(crate) quirks: bool,
}

impl Envelope<'_> {
    /// The JSON bytes. Strict: `stat.code` is a string and `data` is absent on errors.
    /// Quirks: `stat.code` is a number, an error carries `"data": null`, and extra fields
    /// appear.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        // Written by hand so that the fields come in the platform's order (`stat` first);
        // a `serde_json::Map` would sort them.
        let mut out = Vec::with_capacity(1024);
        out.extend_from_slice(b"{\"stat\":{\"cid\":");
        push_json(&mut out, self.cid);
        out.extend_from_slice(b",\"code\":");
        if self.quirks {
            out.extend_from_slice(self.code.code().to_string().as_bytes());
        } else {
            push_json(&mut out, &self.code.code().to_string());
        }
        out.extend_from_slice(b",\"codename\":");
        push_json(&mut out, self.code.name());
        out.extend_from_slice(b",\"systime\":");
        push_json(&mut out, &systime(self.now_unix));
        if self.quirks {
            out.extend_from_slice(b",\"elapsed\":1");
        }
        out.extend_from_slice(b"},\"result\":");
        push_json(&mut out, self.result);
        match (self.data, self.quirks) {
            (Some(data), _) => {
                out.extend_from_slice(b",\"data\":");
                out.extend_from_slice(&data);
            }
            (None, true) => out.extend_from_slice(b",\"data\":null"),
            (None, false) => {}
        }
        if self.quirks {
            out.extend_from_slice(b",\"version\":\"sandbox\"");
        }
        out.push(b'}');
        out
    }
}

fn push_json(out: &mut Vec<u8>, text: &str) {
    // Serialising a string into a `Vec` cannot fail.
    let _ = serde_json::to_writer(out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict_bytes_start_with_stat() -> bool {
        let code = ReturnCode::Success;
        Envelope {
            cid: "c\"1",
            code: &code,
            result: "ok",
            now_unix: 0,
            data: Some(Bytes::from_static(br#"{"a":1}"#)),
            quirks: false,
        }
        .into_bytes()
        .starts_with(br#"{"stat":{"cid":"c\"1","code":"0","codename":"SUCCESS","systime":"1970-01-01 08:00:00"},"result":"ok","data":{"a":1}}"#)
    }

    #[test]
    fn systime_is_gateway_local() {
        assert_eq!(systime(1_795_832_100), "2026-11-28 10:15:00");
    }

    #[test]
    fn error_envelopes_have_no_data_unless_quirky() {
        let code = ReturnCode::SignWrong;
        let strict = Envelope {
            cid: "c1",
            code: &code,
            result: "bad",
            now_unix: 0,
            data: None,
            quirks: false,
        };
        let v: Value = serde_json::from_slice(&strict.into_bytes()).unwrap();
        assert_eq!(v["stat"]["code"], "7");
        assert!(strict_bytes_start_with_stat());
        assert!(v.get("data").is_none());
        let quirky = Envelope {
            cid: "c1",
            code: &code,
            result: "bad",
            now_unix: 0,
            data: None,
            quirks: true,
        };
        let v: Value = serde_json::from_slice(&quirky.into_bytes()).unwrap();
        assert_eq!(v["stat"]["code"], 7);
        assert!(v["data"].is_null() && v.get("data").is_some());
    }
}
