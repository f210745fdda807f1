//! Daily sales upload (a write), and what the three sales uploads share: the store, the
//! figures, the answer and the platform's refusal of a repeated upload.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::answer_limits::CountedValue;
use crate::{Error, GatewayError, Operation, Params, ReturnCode};

/// The method name of the daily sales upload.
pub const METHOD_REPORT_SALES: &str = "open.ovopark.pos.reportSales";

/// The longest tenant store code (`shopId`) the platform documents (for `sendOrder`; the
/// same limit is applied to the other uploads).
pub const MAX_SHOP_ID_CHARS: usize = 60;

/// The store sales are uploaded for: the platform's store id (`depId`) or the tenant's own
/// store code (`shopId`). The platform takes either; `depId` wins when both are sent, so the
/// SDK sends exactly one.
///
/// ```
/// use opretail_model::SalesStore;
///
/// assert_eq!("S_1001".parse::<SalesStore>()?, SalesStore::DepId(1001));
/// assert_eq!("1001".parse::<SalesStore>()?, SalesStore::DepId(1001));
/// assert_eq!("SH001".parse::<SalesStore>()?, SalesStore::ShopId("SH001".into()));
/// assert!("".parse::<SalesStore>().is_err());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SalesStore {
    /// The platform's store id (`depId`, the number of an `S_…` id).
    DepId(i64),
    /// The tenant's own store code (`shopId`), at most [`MAX_SHOP_ID_CHARS`] characters.
    ShopId(String),
}

impl SalesStore {
    /// Parameter name: the platform's store id.
    pub const PARAM_DEP_ID: &'static str = "depId";
    /// Parameter name: the tenant's store code.
    pub const PARAM_SHOP_ID: &'static str = "shopId";

    /// The parameter that names the store, and its value.
    pub fn param(&self) -> (&'static str, Cow<'_, str>) {
        match self {
            SalesStore::DepId(id) => (Self::PARAM_DEP_ID, Cow::Owned(id.to_string())),
            SalesStore::ShopId(code) => (Self::PARAM_SHOP_ID, Cow::Borrowed(code)),
        }
    }
}

/// `S_1001` or `1001` is a `depId`; anything else a `shopId` (trimmed, not empty, at most
/// [`MAX_SHOP_ID_CHARS`] characters, no control characters).
impl FromStr for SalesStore {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let digits = text.strip_prefix("S_").unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return match digits.parse::<i64>() {
                Ok(id) if id > 0 => Ok(SalesStore::DepId(id)),
                _ => Err(Error::invalid_input(
                    SalesStore::PARAM_DEP_ID,
                    format!("{text:?} is not a store id: give a positive number such as S_1001"),
                )),
            };
        }
        if text.is_empty() {
            return Err(Error::invalid_input(
                "store",
                "the store is empty: give its id (S_1001) or the tenant's store code",
            ));
        }
        if text.chars().count() > MAX_SHOP_ID_CHARS || text.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                SalesStore::PARAM_SHOP_ID,
                format!(
                    "a store code has at most {MAX_SHOP_ID_CHARS} characters and no control \
                     characters; give the store's id (S_1001) or its code"
                ),
            ));
        }
        Ok(SalesStore::ShopId(text.to_owned()))
    }
}

impl fmt::Display for SalesStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SalesStore::DepId(id) => write!(f, "S_{id}"),
            SalesStore::ShopId(code) => f.write_str(code),
        }
    }
}

/// An amount of money in yuan with at most two decimals, kept exactly (in fen), sent as
/// text with two decimals (`1234.50`).
///
/// ```
/// use opretail_model::Amount;
///
/// let amount: Amount = "1234.5".parse()?;
/// assert_eq!((amount.fen(), amount.to_string()), (123_450, "1234.50".to_owned()));
/// assert!("-1".parse::<Amount>().is_err() && "1.234".parse::<Amount>().is_err());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(u64);

impl Amount {
    /// An amount of `fen` hundredths of a yuan.
    pub fn from_fen(fen: u64) -> Amount {
        Amount(fen)
    }

    /// The amount in fen.
    pub fn fen(self) -> u64 {
        self.0
    }
}

/// Digits with an optional point and one or two decimals; no sign, no exponent, no
/// thousands separators, so that what is sent is exactly what was meant.
impl FromStr for Amount {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let refuse = || {
            Error::invalid_input(
                "total",
                format!(
                    "{text:?} is not an amount: give yuan with at most two decimals, such as \
                     1234.50 (no sign, no separators, no unit)"
                ),
            )
        };
        let (whole, decimals) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(decimals) || decimals.len() > 2 {
            return Err(refuse());
        }
        if text.ends_with('.') {
            return Err(refuse());
        }
        let yuan: u64 = whole.parse().map_err(|_| refuse())?;
        let mut fen: u64 = decimals.parse().unwrap_or(0);
        if decimals.len() == 1 {
            fen *= 10;
        }
        yuan.checked_mul(100)
            .and_then(|f| f.checked_add(fen))
            .map(Amount)
            .ok_or_else(refuse)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The figures of one store and period: transactions, amount and customers.
///
/// ```
/// use opretail_model::Sales;
///
/// let sales = Sales::new(12, "3456.70".parse()?, 10);
/// assert_eq!((sales.deals, sales.buyers, sales.total.fen()), (12, 10, 345_670));
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sales {
    /// Transactions (`dealNum`).
    pub deals: u64,
    /// The amount sold (`total`).
    pub total: Amount,
    /// Customers who bought (`dealPersonNum`).
    pub buyers: u64,
}

impl Sales {
    /// Parameter name: transactions.
    pub const PARAM_DEAL_NUM: &'static str = "dealNum";
    /// Parameter name: the amount.
    pub const PARAM_TOTAL: &'static str = "total";
    /// Parameter name: customers.
    pub const PARAM_DEAL_PERSON_NUM: &'static str = "dealPersonNum";

    /// The figures.
    pub fn new(deals: u64, total: Amount, buyers: u64) -> Sales {
        Sales {
            deals,
            total,
            buyers,
        }
    }

    /// The three parameters, as strings (the platform documents them as strings).
    pub(crate) fn params(&self) -> [(&'static str, Cow<'static, str>); 3] {
        [
            (Self::PARAM_DEAL_NUM, Cow::Owned(self.deals.to_string())),
            (Self::PARAM_TOTAL, Cow::Owned(self.total.to_string())),
            (
                Self::PARAM_DEAL_PERSON_NUM,
                Cow::Owned(self.buyers.to_string()),
            ),
        ]
    }
}

/// Parameter name shared by the uploads: the business-platform enterprise id.
pub const PARAM_ENTERPRISE_ID: &str = "enterpriseId";
/// Parameter name shared by the daily and hourly uploads: the day or the hour.
pub const PARAM_CREATE_TIME: &str = "createTime";

/// Refuses an enterprise id that is not positive.
pub(crate) fn check_enterprise_id(param: &'static str, id: i64) -> Result<i64, Error> {
    if id > 0 {
        Ok(id)
    } else {
        Err(Error::invalid_input(
            param,
            format!(
                "{id} is not an enterprise id: give the business-platform enterprise id (a \
                 login answers it as enterpriseId)"
            ),
        ))
    }
}

/// `open.ovopark.pos.reportSales` (v1): uploads one store's sales of one day.
///
/// Sends `enterpriseId`, `depId` or `shopId` ([`SalesStore`]), `createTime` (`yyyy-MM-dd`),
/// `dealNum`, `total` and `dealPersonNum` (as strings). **Not idempotent**: a repeat after a
/// lost answer could count the day twice or be refused as a repeated upload, so it is
/// retried only when the request surely did not run (no connection, or `-100`). Needs no
/// token (the platform's page names none).
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{Operation, ReportSales, Sales};
///
/// let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
/// let op = ReportSales::new(88_001, "S_1001".parse()?, day, Sales::new(12, "3456.7".parse()?, 10))?;
/// assert_eq!(
///     op.params(),
///     [
///         ("enterpriseId", "88001".into()),
///         ("depId", "1001".into()),
///         ("createTime", "2026-11-28".into()),
///         ("dealNum", "12".into()),
///         ("total", "3456.70".into()),
///         ("dealPersonNum", "10".into()),
///     ]
/// );
/// assert!(!op.idempotent() && !op.needs_token());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSales {
    enterprise_id: i64,
    store: SalesStore,
    day: NaiveDate,
    sales: Sales,
}

impl ReportSales {
    /// The method name.
    pub const METHOD: &'static str = METHOD_REPORT_SALES;
    /// Parameter name: the enterprise.
    pub const PARAM_ENTERPRISE_ID: &'static str = PARAM_ENTERPRISE_ID;
    /// Parameter name: the day.
    pub const PARAM_CREATE_TIME: &'static str = PARAM_CREATE_TIME;

    /// The sales of `store` on `day`, for the business-platform enterprise `enterprise_id`
    /// (refused unless positive).
    pub fn new(
        enterprise_id: i64,
        store: SalesStore,
        day: NaiveDate,
        sales: Sales,
    ) -> Result<Self, Error> {
        Ok(ReportSales {
            enterprise_id: check_enterprise_id(PARAM_ENTERPRISE_ID, enterprise_id)?,
            store,
            day,
            sales,
        })
    }

    /// The store.
    pub fn store(&self) -> &SalesStore {
        &self.store
    }

    /// The day.
    pub fn day(&self) -> NaiveDate {
        self.day
    }
}

/// The parameters of a sales upload of `store` for the day or hour `create_time`, daily and
/// hourly alike.
pub(crate) fn upload_params<'a>(
    enterprise_id: i64,
    store: &'a SalesStore,
    create_time: String,
    sales: &'a Sales,
) -> Params<'a> {
    let mut params = vec![
        (PARAM_ENTERPRISE_ID, Cow::Owned(enterprise_id.to_string())),
        store.param(),
        (PARAM_CREATE_TIME, Cow::Owned(create_time)),
    ];
    params.extend(sales.params());
    params
}

impl Operation for ReportSales {
    type Output = Uploaded;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let day = self.day.format("%Y-%m-%d").to_string();
        upload_params(self.enterprise_id, &self.store, day, &self.sales)
    }

    fn data_is_required(&self) -> bool {
        false
    }
}

/// The answer to an upload: whatever `data` the platform sent, kept as it came (`null`
/// when none). No source shows the answer of a successful upload, so nothing is typed.
///
/// ```
/// use opretail_model::Uploaded;
///
/// let none: Uploaded = serde_json::from_str("null")?;
/// assert!(none.data.is_null());
/// let some: Uploaded = serde_json::from_str(r#"{"id": 7}"#)?;
/// assert_eq!(some.data["id"], 7);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Uploaded {
    /// The `data` of the answer.
    pub data: serde_json::Value,
}

impl<'de> Deserialize<'de> for Uploaded {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let CountedValue(data) = CountedValue::deserialize(deserializer)?;
        Ok(Uploaded { data })
    }
}

/// Serialized as the `data` it holds.
impl Serialize for Uploaded {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.data.serialize(serializer)
    }
}

/// What to do when the platform refuses a repeated upload: the remedy
/// [`duplicate_upload`] stands for.
pub const DUPLICATE_UPLOAD_REMEDY: &str = "the platform already holds figures for this store and period; to overwrite them send \
     the hourly upload again with isCover=1 (ReportSalesHourly::replace, `opretail sales upload \
     --hourly --replace`)";

/// The platform's refusal of a second upload for the same store and period, when `error`
/// is one; `None` otherwise.
///
/// The platform documents the refusal but not its return code. An answer counts as one when
/// its code is not one of the documented gateway codes and its code name or message says
/// "already", "duplicate" or "repeat" (or 重复, 已存在, 已上传, 已提交). The
/// sandbox's answer (`SALES_ALREADY_REPORTED`, 4009) is recognised so. Its remedy is
/// [`DUPLICATE_UPLOAD_REMEDY`].
///
/// ```
/// use opretail_model::{Error, GatewayError, ReturnCode, duplicate_upload};
///
/// let refusal = Error::Gateway(Box::new(GatewayError {
///     code: ReturnCode::from_wire(4009, Some("SALES_ALREADY_REPORTED")),
///     message: Some("sales of S_1001 for 2026-11-28 10:00 were reported already".into()),
///     cid: None,
///     systime: None,
/// }));
/// assert!(duplicate_upload(&refusal).is_some());
/// let repeat = Error::Gateway(Box::new(GatewayError {
///     code: ReturnCode::ApiCallRepeat,
///     message: None,
///     cid: None,
///     systime: None,
/// }));
/// assert!(duplicate_upload(&repeat).is_none());
/// ```
pub fn duplicate_upload(error: &Error) -> Option<&GatewayError> {
    let Error::Gateway(gateway) = error else {
        return None;
    };
    // A documented code (API_CALL_REPEAT above all) means something else.
    if gateway.code.is_documented() {
        return None;
    }
    let name = match &gateway.code {
        ReturnCode::Other { name, .. } => name.as_deref().unwrap_or(""),
        _ => "",
    };
    let name = name.to_ascii_lowercase();
    let message = gateway.message.as_deref().unwrap_or("").to_lowercase();
    let says = |text: &str| {
        // Not "exist" alone: "store does not exist" is another refusal.
        ["already", "duplicate", "repeat"]
            .iter()
            .any(|w| text.contains(w))
            || ["重复", "已存在", "已上传", "已提交"]
                .iter()
                .any(|w| text.contains(w))
    };
    (says(&name) || says(&message)).then_some(&**gateway)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_parse_as_ids_or_codes() {
        assert_eq!(
            " S_42 ".parse::<SalesStore>().unwrap(),
            SalesStore::DepId(42)
        );
        assert!("S_0".parse::<SalesStore>().is_err());
        assert!("S_99999999999999999999".parse::<SalesStore>().is_err());
        assert_eq!(
            "S_A1".parse::<SalesStore>().unwrap(),
            SalesStore::ShopId("S_A1".into())
        );
        assert!("a\u{7}b".parse::<SalesStore>().is_err());
        assert!("x".repeat(61).parse::<SalesStore>().is_err());
        assert!("字".repeat(60).parse::<SalesStore>().is_ok());
        assert_eq!(SalesStore::DepId(7).to_string(), "S_7");
        assert_eq!(
            SalesStore::ShopId("SH001".into()).param(),
            ("shopId", "SH001".into())
        );
    }

    #[test]
    fn amounts_are_exact() {
        for (text, fen) in [("0", 0), ("0.05", 5), ("12.3", 1230), ("7.00", 700)] {
            assert_eq!(text.parse::<Amount>().unwrap().fen(), fen, "{text}");
        }
        for bad in [
            "",
            ".5",
            "5.",
            "1,000",
            "+1",
            "-1",
            "1e3",
            "1.234",
            "¥5",
            "99999999999999999999",
        ] {
            let e = bad.parse::<Amount>().unwrap_err().to_string();
            assert!(e.contains("total") && e.contains("1234.50"), "{bad}: {e}");
        }
        assert_eq!(Amount::from_fen(5).to_string(), "0.05");
    }

    #[test]
    fn the_enterprise_must_be_positive() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let e = ReportSales::new(0, SalesStore::DepId(1), day, Sales::default()).unwrap_err();
        assert!(e.to_string().contains("enterpriseId"), "{e}");
    }

    #[test]
    fn a_tenant_code_is_sent_as_shop_id() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let op = ReportSales::new(1, "SH001".parse().unwrap(), day, Sales::default()).unwrap();
        let params = op.params();
        assert!(params.contains(&("shopId", "SH001".into())));
        assert!(!params.iter().any(|(name, _)| *name == "depId"));
        assert_eq!(op.version(), "v1");
        assert!(!op.data_is_required());
    }

    fn refusal(code: i64, name: Option<&str>, message: &str) -> Error {
        Error::Gateway(Box::new(GatewayError {
            code: ReturnCode::from_wire(code, name),
            message: Some(message.into()),
            cid: None,
            systime: None,
        }))
    }

    #[test]
    fn repeated_upload_refusals_are_recognised_by_name_or_message() {
        assert!(duplicate_upload(&refusal(5001, None, "该门店该时段数据已存在")).is_some());
        assert!(duplicate_upload(&refusal(5001, Some("DATA_REPEAT"), "")).is_some());
        assert!(duplicate_upload(&refusal(5001, None, "Record already exists")).is_some());
        assert!(duplicate_upload(&refusal(5001, Some("PARAM_ERROR"), "total is empty")).is_none());
        assert!(
            duplicate_upload(&refusal(
                5001,
                Some("STORE_NOT_EXIST"),
                "store does not exist"
            ))
            .is_none()
        );
        assert!(duplicate_upload(&refusal(5001, None, "门店不存在")).is_none());
        assert!(duplicate_upload(&refusal(-100, None, "repeat")).is_none());
        assert!(duplicate_upload(&Error::invalid_input("x", "already")).is_none());
    }

    #[test]
    fn answers_are_kept_as_they_came() {
        for text in ["null", "true", "\"ok\"", "12", "{\"a\":[1,2]}", "[]"] {
            let uploaded: Uploaded = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&uploaded).unwrap(), text);
        }
    }
}
