//! The gateway's response envelope: `stat` (`cid`, `code`, `codename`, `systime`), `result`,
//! `data`.

use opretail_model::ReturnCode;
use opretail_sign::{Timestamp, UtcOffset};
use serde_json::{Map, Value};

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
    pub(crate) data: Option<Value>,
    pub(crate) quirks: bool,
}

impl Envelope<'_> {
    /// The JSON bytes. Strict: `stat.code` is a string and `data` is absent on errors.
    /// Quirks: `stat.code` is a number, an error carries `"data": null`, and extra fields
    /// appear.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let mut stat = Map::with_capacity(5);
        stat.insert("cid".into(), Value::String(self.cid.to_owned()));
        let code = if self.quirks {
            Value::from(self.code.code())
        } else {
            Value::String(self.code.code().to_string())
        };
        stat.insert("code".into(), code);
        stat.insert(
            "codename".into(),
            Value::String(self.code.name().to_owned()),
        );
        stat.insert("systime".into(), Value::String(systime(self.now_unix)));
        if self.quirks {
            stat.insert("elapsed".into(), Value::from(1));
        }
        let mut top = Map::with_capacity(4);
        top.insert("stat".into(), Value::Object(stat));
        top.insert("result".into(), Value::String(self.result.to_owned()));
        match (self.data, self.quirks) {
            (Some(data), _) => {
                top.insert("data".into(), data);
            }
            (None, true) => {
                top.insert("data".into(), Value::Null);
            }
            (None, false) => {}
        }
        if self.quirks {
            top.insert("version".into(), Value::String("sandbox".into()));
        }
        // Serialising a `Value` with string keys cannot fail.
        serde_json::to_vec(&Value::Object(top)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
