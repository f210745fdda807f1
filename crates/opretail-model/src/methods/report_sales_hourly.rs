//! Hourly sales upload (a write), the one upload that can replace what it sent before.

use std::borrow::Cow;

use chrono::{NaiveDateTime, Timelike};

use crate::methods::report_sales::{
    PARAM_CREATE_TIME, PARAM_ENTERPRISE_ID, check_enterprise_id, upload_params,
};
use crate::{Error, Operation, Params, Sales, SalesStore, Uploaded};

/// The method name of the hourly sales upload.
pub const METHOD_REPORT_SALES_HOURLY: &str = "open.ovopark.pos.reportSalesHourly";

/// `open.ovopark.pos.reportSalesHourly` (v1): uploads one store's sales of one hour.
///
/// Sends what [`ReportSales`](crate::ReportSales) sends, with `createTime` as the start of
/// the hour (`yyyy-MM-dd HH:00:00`), and `isCover`: `0` by default, `1` after
/// [`ReportSalesHourly::replace`]. The platform refuses a second upload for the same store
/// and hour unless `isCover=1`, which overwrites (see [`duplicate_upload`](crate::duplicate_upload)).
///
/// So the operation is idempotent only when it replaces: with `isCover=1` a repeat leaves
/// the same figures, and it is retried like a read; with `isCover=0` it is retried only
/// when the request surely did not run (no connection, or `-100`).
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{Operation, ReportSalesHourly, Sales};
///
/// let hour = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap();
/// let op = ReportSalesHourly::new(88_001, "SH001".parse()?, hour, Sales::new(3, "420".parse()?, 3))?;
/// assert_eq!(
///     op.params(),
///     [
///         ("enterpriseId", "88001".into()),
///         ("shopId", "SH001".into()),
///         ("createTime", "2026-11-28 10:00:00".into()),
///         ("dealNum", "3".into()),
///         ("total", "420.00".into()),
///         ("dealPersonNum", "3".into()),
///         ("isCover", "0".into()),
///     ]
/// );
/// assert!(!op.idempotent());
/// assert!(op.replace(true).idempotent());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSalesHourly {
    enterprise_id: i64,
    store: SalesStore,
    hour: NaiveDateTime,
    sales: Sales,
    replace: bool,
}

impl ReportSalesHourly {
    /// The method name.
    pub const METHOD: &'static str = METHOD_REPORT_SALES_HOURLY;
    /// Parameter name: the enterprise.
    pub const PARAM_ENTERPRISE_ID: &'static str = PARAM_ENTERPRISE_ID;
    /// Parameter name: the hour.
    pub const PARAM_CREATE_TIME: &'static str = PARAM_CREATE_TIME;
    /// Parameter name: `1` overwrites figures uploaded before, `0` does not.
    pub const PARAM_IS_COVER: &'static str = "isCover";

    /// The sales of `store` in the hour that starts at `hour` (minutes and seconds must be
    /// zero), for the business-platform enterprise `enterprise_id`. Does not replace.
    pub fn new(
        enterprise_id: i64,
        store: SalesStore,
        hour: NaiveDateTime,
        sales: Sales,
    ) -> Result<Self, Error> {
        if hour.minute() != 0 || hour.second() != 0 || hour.nanosecond() != 0 {
            return Err(Error::invalid_input(
                PARAM_CREATE_TIME,
                format!(
                    "{} is not the start of an hour: give the hour as yyyy-MM-dd HH:00:00",
                    hour.format("%Y-%m-%d %H:%M:%S")
                ),
            ));
        }
        Ok(ReportSalesHourly {
            enterprise_id: check_enterprise_id(PARAM_ENTERPRISE_ID, enterprise_id)?,
            store,
            hour,
            sales,
            replace: false,
        })
    }

    /// Whether to overwrite figures uploaded before for the same store and hour
    /// (`isCover=1`), which also makes the call safe to repeat.
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// Whether it overwrites.
    pub fn replaces(&self) -> bool {
        self.replace
    }

    /// The store.
    pub fn store(&self) -> &SalesStore {
        &self.store
    }

    /// The start of the hour.
    pub fn hour(&self) -> NaiveDateTime {
        self.hour
    }
}

impl Operation for ReportSalesHourly {
    type Output = Uploaded;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let hour = self.hour.format("%Y-%m-%d %H:%M:%S").to_string();
        let mut params = upload_params(self.enterprise_id, &self.store, hour, &self.sales);
        params.push((
            Self::PARAM_IS_COVER,
            Cow::Borrowed(if self.replace { "1" } else { "0" }),
        ));
        params
    }

    /// A replacing upload leaves the same figures however often it runs; an adding one
    /// does not.
    fn idempotent(&self) -> bool {
        self.replace
    }

    fn data_is_required(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn only_whole_hours_are_accepted() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let e = ReportSalesHourly::new(
            1,
            SalesStore::DepId(1),
            day.and_hms_opt(10, 30, 0).unwrap(),
            Sales::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("createTime"), "{e}");
        let e = ReportSalesHourly::new(
            -4,
            SalesStore::DepId(1),
            day.and_hms_opt(10, 0, 0).unwrap(),
            Sales::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("enterpriseId"), "{e}");
    }

    #[test]
    fn replacing_sends_is_cover_and_is_safe_to_repeat() {
        let hour = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(23, 0, 0)
            .unwrap();
        let op = ReportSalesHourly::new(1, SalesStore::DepId(9), hour, Sales::default())
            .unwrap()
            .replace(true);
        assert!(op.replaces() && op.idempotent() && !op.needs_token());
        assert!(op.params().contains(&("isCover", "1".into())));
        assert!(op.params().contains(&("depId", "9".into())));
    }
}
