//! What one signed read tells: the clock (its `stat.systime`) and the key pair (its code).

use chrono::{NaiveDateTime, Utc};
use opretail_model::ReturnCode;

use super::{Check, Verdict, line};
use crate::gateway::Gateway;

/// How far the clocks may be apart before the line warns.
const MAX_SKEW_SECS: i64 = 60;

/// The gateway's `stat.systime` against this machine's clock at the middle of the call.
pub(super) fn clock(systime: Option<&str>, mid: chrono::DateTime<Utc>, gateway: &Gateway) -> Check {
    let Some(systime) = systime else {
        return line(
            "clock",
            Verdict::Skipped,
            "the answer had no stat.systime",
            "",
        );
    };
    let offset = gateway.client.config().utc_offset();
    let parsed = NaiveDateTime::parse_from_str(systime.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|t| t.and_local_timezone(offset).single());
    let Some(theirs) = parsed else {
        return line(
            "clock",
            Verdict::Warn,
            format!("stat.systime {systime:?} is not yyyy-MM-dd HH:mm:ss"),
            "the clock could not be compared; the gateway refuses stale timestamps with code 16",
        );
    };
    let skew = (theirs.with_timezone(&Utc) - mid).num_seconds();
    let found = format!(
        "the gateway's clock is {} s {} this machine's (stat.systime {systime}, UTC{offset})",
        skew.abs(),
        if skew >= 0 { "ahead of" } else { "behind" }
    );
    if skew.abs() > MAX_SKEW_SECS {
        line(
            "clock",
            Verdict::Warn,
            found,
            "set this machine's clock (NTP): the gateway refuses a _timestamp too far from its \
             own with code 16 TIMESTAMP_OVERTIME",
        )
    } else {
        line("clock", Verdict::Ok, found, "")
    }
}

/// What the probe's code says of the developer key, its secret and the application id.
pub(super) fn key_pair(code: &ReturnCode) -> Check {
    let shown = format!("{} {}", code.code(), code.name());
    let (verdict, found, remedy) = match code.code() {
        1 | 2 => (
            Verdict::Fail,
            format!("unknown key: the gateway answered {shown}"),
            "use the developer key (_akey) the platform assigned to you; the app's access key is not it",
        ),
        3 => (
            Verdict::Fail,
            format!("expired key: {shown}"),
            code.remedy(),
        ),
        7 => (
            Verdict::Fail,
            format!("wrong secret: the gateway answered {shown}"),
            "the secret (_asid) is not the key's: copy it again from the developer console",
        ),
        4 | 5 => (
            Verdict::Fail,
            format!("sign method refused: {shown}"),
            "use --sign-method md5 (or sha1): a gateway that refuses sha256 knows only these",
        ),
        11 | 12 => (
            Verdict::Fail,
            format!("wrong _aid: the gateway answered {shown}"),
            "use the application id registered with the key (--aid / OPRETAIL_AID)",
        ),
        16 => (
            Verdict::Fail,
            format!("timestamp refused: {shown}"),
            "set this machine's clock: the gateway refuses a stale _timestamp with code 16",
        ),
        -100 | -500 | -999 => (
            Verdict::Warn,
            format!("the gateway answered {shown}: the key pair could not be told apart"),
            "run again later",
        ),
        _ => (
            Verdict::Ok,
            format!("the key and its secret are accepted (the read answered {shown})"),
            "",
        ),
    };
    line("key pair", verdict, found, remedy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_pair_codes_are_told_apart() {
        assert_eq!(key_pair(&ReturnCode::KeyUnlawful).verdict, Verdict::Fail);
        assert!(
            key_pair(&ReturnCode::KeyUnlawful)
                .found
                .contains("unknown key")
        );
        assert!(
            key_pair(&ReturnCode::SignWrong)
                .found
                .contains("wrong secret")
        );
        assert!(
            key_pair(&ReturnCode::ApplicationIdNotSame)
                .found
                .contains("wrong _aid")
        );
        assert_eq!(key_pair(&ReturnCode::Success).verdict, Verdict::Ok);
        assert_eq!(key_pair(&ReturnCode::from_code(4006)).verdict, Verdict::Ok);
    }
}
