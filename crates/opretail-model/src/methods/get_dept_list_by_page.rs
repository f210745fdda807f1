//! `open.shopweb.departments.getDeptListByPage`: the classic gateway's store list, a page at
//! a time.

use std::borrow::Cow;
use std::num::NonZeroU32;

use super::list_stores::Page;
use crate::{Operation, Params, StorePage};

/// The method name of the classic gateway's store list.
pub const METHOD_GET_DEPT_LIST_BY_PAGE: &str = "open.shopweb.departments.getDeptListByPage";

/// `open.shopweb.departments.getDeptListByPage` (v1, classic gateway): one page of the stores
/// the logged-in user can see, optionally only those with the given tenant store codes
/// (`shopIds`, sent comma-separated) or matching a name (`name`).
///
/// Needs a token; idempotent. Pages count from 1. The parameters are documented by the
/// platform; the shape of the answer only by third-party use.
///
/// ```
/// use opretail_model::{GetDeptListByPage, Operation};
///
/// let op = GetDeptListByPage::new().shop_ids(["A01", " B02 ", ""]).name("Mall");
/// assert_eq!(
///     op.params(),
///     [
///         ("pageNumber", "1".into()),
///         ("pageSize", "100".into()),
///         ("shopIds", "A01,B02".into()),
///         ("name", "Mall".into()),
///     ]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetDeptListByPage {
    page: Page,
    shop_ids: Vec<String>,
    name: Option<String>,
}

impl GetDeptListByPage {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_DEPT_LIST_BY_PAGE;
    /// Parameter name: the tenant store codes, comma-separated.
    pub const PARAM_SHOP_IDS: &'static str = "shopIds";
    /// Parameter name: the name filter.
    pub const PARAM_NAME: &'static str = "name";

    /// The first page of [`DEFAULT_STORE_PAGE_SIZE`](crate::DEFAULT_STORE_PAGE_SIZE) stores,
    /// unfiltered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Which page (from 1) of how many stores.
    pub fn page(mut self, number: NonZeroU32, size: NonZeroU32) -> Self {
        self.page = Page { number, size };
        self
    }

    /// Only the stores with these tenant store codes (`shopIds`). Codes are trimmed; empty
    /// ones are left out.
    pub fn shop_ids<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.shop_ids = codes
            .into_iter()
            .map(|code| code.as_ref().trim().to_owned())
            .filter(|code| !code.is_empty())
            .collect();
        self
    }

    /// Only stores whose name matches `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The page number asked for.
    pub fn page_number(&self) -> NonZeroU32 {
        self.page.number
    }
}

impl Operation for GetDeptListByPage {
    type Output = StorePage;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let mut params = self.page.params();
        if !self.shop_ids.is_empty() {
            params.push((Self::PARAM_SHOP_IDS, Cow::Owned(self.shop_ids.join(","))));
        }
        if let Some(name) = &self.name {
            params.push((Self::PARAM_NAME, name.as_str().into()));
        }
        params
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}
