//! Refusals: a gateway error or a business error, with the code and the text sent in
//! `result`.
//!
//! The sandbox's own business codes answer business parameters the platform does not
//! document a code for. They sit in the 4000s, away from the published table (0 to 17, -100,
//! -500, -999) and from the codes seen on the platform (103094, 103095, 9990001).

use opretail_model::ReturnCode;

/// A gateway error: the code, and the message sent in `result`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// The return code.
    pub(crate) code: ReturnCode,
    /// The text sent in `result`.
    pub(crate) message: String,
}

impl Rejection {
    /// A rejection whose message is the code's documented meaning followed by `detail`.
    pub(crate) fn new(code: ReturnCode, detail: impl std::fmt::Display) -> Self {
        let message = format!("{}: {detail}", code.meaning());
        Rejection { code, message }
    }
}

/// The sandbox's business code for an `id` (or `depId`) that is not a store (`S_…`) or
/// organisation (`O_…`) id (not a gateway code).
pub const ID_ILLEGAL: i64 = 4001;
/// The sandbox's business code for a `needUnit` other than `0` or `1`.
pub const NEED_UNIT_ILLEGAL: i64 = 4002;
/// The sandbox's business code for a `pageSize` over the sandbox's cap
/// ([`SandboxBuilder::max_page_size`](crate::SandboxBuilder::max_page_size)). Sandbox only:
/// the platform's cap and its answer are not published.
pub const PAGE_SIZE_TOO_LARGE: i64 = 4003;
/// The sandbox's business code for a time window longer than the sandbox accepts
/// ([`SandboxBuilder::max_window_days`](crate::SandboxBuilder::max_window_days)). Sandbox
/// only.
pub const WINDOW_TOO_LONG: i64 = 4004;
/// The sandbox's business code for more ids in one call than the sandbox accepts
/// ([`SandboxBuilder::max_ids_per_call`](crate::SandboxBuilder::max_ids_per_call)). Sandbox
/// only.
pub const TOO_MANY_IDS: i64 = 4005;
/// The sandbox's business code for a business parameter that is missing or malformed (a
/// time that is not `yyyy-MM-dd HH:mm:ss`, a `timeType` outside 1 to 6, a page number of 0,
/// …). Sandbox only.
pub const PARAM_ILLEGAL: i64 = 4006;
/// The sandbox's business code for a `depId` that is not a store of the demo tenant.
/// Sandbox only.
pub const STORE_NOT_FOUND: i64 = 4007;
/// The sandbox's code for a method the application was not granted
/// ([`SandboxBuilder::refuse_method`](crate::SandboxBuilder::refuse_method)). The platform
/// publishes no code for it (each method is granted to an application in the developer
/// console): clients should show whatever code comes as it came. Sandbox only.
pub const METHOD_NOT_GRANTED: i64 = 4008;

/// The sandbox's code for a second sales upload for the same store and period without
/// `isCover=1`. The platform documents the refusal but not its code: this is the sandbox's
/// choice, with a message that says "already" as
/// [`duplicate_upload`](opretail_model::duplicate_upload) expects. Sandbox only.
pub const SALES_ALREADY_REPORTED: i64 = 4009;
/// The sandbox's code for a sales upload of a new period once the sandbox keeps
/// [`MAX_SALES_PERIODS`](crate::MAX_SALES_PERIODS) of them. Sandbox only.
pub const SALES_LEDGER_FULL: i64 = 4010;

/// The name the sandbox sends in `stat.codename` for one of its own codes.
pub(crate) fn name(code: i64) -> Option<&'static str> {
    Some(match code {
        ID_ILLEGAL => "ID_ILLEGAL",
        NEED_UNIT_ILLEGAL => "NEED_UNIT_ILLEGAL",
        PAGE_SIZE_TOO_LARGE => "PAGE_SIZE_TOO_LARGE",
        WINDOW_TOO_LONG => "WINDOW_TOO_LONG",
        TOO_MANY_IDS => "TOO_MANY_IDS",
        PARAM_ILLEGAL => "PARAM_ILLEGAL",
        STORE_NOT_FOUND => "STORE_NOT_FOUND",
        METHOD_NOT_GRANTED => "METHOD_NOT_GRANTED",
        SALES_ALREADY_REPORTED => "SALES_ALREADY_REPORTED",
        SALES_LEDGER_FULL => "SALES_LEDGER_FULL",
        _ => return None,
    })
}

/// The return code for a number: a documented gateway code, or one of the sandbox's
/// business codes with its name.
pub(crate) fn return_code(code: i64) -> ReturnCode {
    ReturnCode::from_wire(code, name(code))
}

/// A business error with one of the sandbox's codes; `detail` is sent in `result`.
pub(crate) fn business_error(code: i64, detail: impl Into<String>) -> Rejection {
    Rejection {
        code: return_code(code),
        message: detail.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_codes_stay_clear_of_the_platforms() {
        for code in 4001..=4010 {
            let rc = return_code(code);
            assert!(!rc.is_documented(), "{code}");
            assert_eq!(rc.code(), code);
            assert_ne!(rc.name(), "UNDOCUMENTED");
        }
        assert_eq!(return_code(-500), ReturnCode::ApiSystemCallError);
    }
}
