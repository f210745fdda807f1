//! The gateway's response envelope: `stat` (`cid`, `code`, `codename`, `systime`), `result`,
//! `data`.

use chrono::{DateTime, FixedOffset};
use opretail_model::ReturnCode;
use serde::Serialize;

use crate::call::Data;

/// The gateway's time as sent in `stat.systime`: `yyyy-MM-dd HH:mm:ss` at the gateway's offset.
pub(crate) fn systime(now: &DateTime<FixedOffset>) -> String {
    now.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// One answer's envelope, ready to serialise.
pub(crate) struct Envelope<'a> {
    pub(crate) cid: &'a str,
    pub(crate) code: &'a ReturnCode,
    pub(crate) result: &'a str,
    pub(crate) now: &'a DateTime<FixedOffset>,
    /// The payload, on success.
    pub(crate) data: Option<Data>,
    pub(crate) quirks: bool,
}

/// `stat`, the envelope's first field; its fields serialise in the platform's order.
#[derive(Serialize)]
struct Stat<'a> {
    cid: &'a str,
    code: Code,
    codename: &'a str,
    systime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    elapsed: Option<u32>,
}

/// `stat.code`: a string from the platform, a number from loose gateways.
#[derive(Serialize)]
#[serde(untagged)]
enum Code {
    Text(String),
    Number(i64),
}

impl Envelope<'_> {
    /// The JSON bytes, fields in the platform's order: `stat`, `result`, `data`. Strict:
    /// `stat.code` is a string and `data` is absent on errors. Quirks: `stat.code` is a
    /// number, an error carries `"data": null`, and extra fields appear.
    ///
    /// Written field by field rather than derived, so that `data` (any payload) goes
    /// straight into the answer's buffer.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let quirks = self.quirks;
        let stat = Stat {
            cid: self.cid,
            code: if quirks {
                Code::Number(self.code.code())
            } else {
                Code::Text(self.code.code().to_string())
            },
            codename: self.code.name(),
            systime: systime(self.now),
            elapsed: quirks.then_some(1),
        };
        // A getTotalData answer is about 1.3 KB: room for it from the start, instead of
        // growing from 128 bytes by copies (about 2 % of the sandbox's instructions per call).
        let mut bytes = Vec::with_capacity(2048);
        bytes.extend_from_slice(b"{\"stat\":");
        write(&mut bytes, &stat);
        bytes.extend_from_slice(b",\"result\":");
        write(&mut bytes, &self.result);
        match (&self.data, quirks) {
            (Some(data), _) => {
                bytes.extend_from_slice(b",\"data\":");
                data.write_json(&mut bytes);
            }
            (None, true) => bytes.extend_from_slice(b",\"data\":null"),
            (None, false) => {}
        }
        if quirks {
            bytes.extend_from_slice(b",\"version\":\"sandbox\"");
        }
        bytes.push(b'}');
        bytes
    }
}

/// Appends the JSON text of `value`.
fn write(bytes: &mut Vec<u8>, value: &impl Serialize) {
    serde_json::to_writer(bytes, value)
        .expect("an envelope's parts have string keys only and write to memory");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::gateway_offset;
    use serde_json::Value;

    fn epoch() -> DateTime<FixedOffset> {
        DateTime::UNIX_EPOCH.with_timezone(&gateway_offset())
    }

    fn strict_bytes_start_with_stat() -> bool {
        let code = ReturnCode::Success;
        Envelope {
            cid: "c\"1",
            code: &code,
            result: "ok",
            now: &epoch(),
            data: Some(Data::new(serde_json::json!({"a": 1}))),
            quirks: false,
        }
        .into_bytes()
        .starts_with(br#"{"stat":{"cid":"c\"1","code":"0","codename":"SUCCESS","systime":"1970-01-01 08:00:00"},"result":"ok","data":{"a":1}}"#)
    }

    #[test]
    fn systime_is_gateway_local() {
        let now = DateTime::from_timestamp(1_795_832_100, 0)
            .unwrap()
            .with_timezone(&gateway_offset());
        assert_eq!(systime(&now), "2026-11-28 10:15:00");
    }

    #[test]
    fn error_envelopes_have_no_data_unless_quirky() {
        let code = ReturnCode::SignWrong;
        let strict = Envelope {
            cid: "c1",
            code: &code,
            result: "bad",
            now: &epoch(),
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
            now: &epoch(),
            data: None,
            quirks: true,
        };
        let v: Value = serde_json::from_slice(&quirky.into_bytes()).unwrap();
        assert_eq!(v["stat"]["code"], 7);
        assert!(v["data"].is_null() && v.get("data").is_some());
    }
}
