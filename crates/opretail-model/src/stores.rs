//! Stores: the list a user's account can see, page by page, and how to walk all pages.
//!
//! The cloud gateway answers `open.organize.departments.getDepartments`, the classic one
//! `open.shopweb.departments.getDeptListByPage`; both need a login token and both decode
//! into a [`StorePage`]. [`StorePages`] walks the pages without doing I/O.

mod pages;
mod store;

use std::borrow::Cow;
use std::num::NonZeroU32;

pub use pages::{DEFAULT_MAX_STORE_PAGES, StorePages};
pub use store::{Store, StorePage};

use crate::{Gateway, Operation, Params};

/// The method name of the cloud gateway's store list.
pub const METHOD_GET_DEPARTMENTS: &str = "open.organize.departments.getDepartments";
/// The method name of the classic gateway's store list.
pub const METHOD_GET_DEPT_LIST_BY_PAGE: &str = "open.shopweb.departments.getDeptListByPage";

/// The page size asked for by default. The platform's own default is 10; 100 was seen to
/// work, and its cap is not published.
pub const DEFAULT_STORE_PAGE_SIZE: NonZeroU32 = NonZeroU32::new(100).expect("100 is not zero");

/// Which page (from 1) of how many stores: what both store lists send first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    number: NonZeroU32,
    size: NonZeroU32,
}

impl Page {
    /// The first page of [`DEFAULT_STORE_PAGE_SIZE`] stores.
    const FIRST: Page = Page {
        number: NonZeroU32::MIN,
        size: DEFAULT_STORE_PAGE_SIZE,
    };

    fn params(self) -> Params<'static> {
        vec![
            ("pageNumber", Cow::Owned(self.number.to_string())),
            ("pageSize", Cow::Owned(self.size.to_string())),
        ]
    }
}

/// `open.organize.departments.getDepartments` (v1, cloud gateway): one page of the stores the
/// logged-in user can see, optionally filtered by name (`deptName`, a parameter seen only in
/// third-party use).
///
/// Needs a token; idempotent. Pages count from 1.
///
/// ```
/// use std::num::NonZeroU32;
/// use opretail_model::{GetDepartments, Operation};
///
/// let op = GetDepartments::new()
///     .page(NonZeroU32::new(2).unwrap(), NonZeroU32::new(50).unwrap())
///     .dept_name("Shanghai");
/// assert_eq!(
///     op.params(),
///     [("pageNumber", "2".into()), ("pageSize", "50".into()), ("deptName", "Shanghai".into())]
/// );
/// assert!(op.needs_token() && op.idempotent());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetDepartments {
    page: Page,
    dept_name: Option<String>,
}

impl GetDepartments {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_DEPARTMENTS;

    /// The first page of [`DEFAULT_STORE_PAGE_SIZE`] stores, unfiltered.
    pub fn new() -> Self {
        GetDepartments {
            page: Page::FIRST,
            dept_name: None,
        }
    }

    /// Which page (from 1) of how many stores.
    pub fn page(mut self, number: NonZeroU32, size: NonZeroU32) -> Self {
        self.page = Page { number, size };
        self
    }

    /// Only stores whose name matches `name` (`deptName`).
    pub fn dept_name(mut self, name: impl Into<String>) -> Self {
        self.dept_name = Some(name.into());
        self
    }

    /// The page number asked for.
    pub fn page_number(&self) -> NonZeroU32 {
        self.page.number
    }
}

impl Default for GetDepartments {
    fn default() -> Self {
        Self::new()
    }
}

impl Operation for GetDepartments {
    type Output = StorePage;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let mut params = self.page.params();
        if let Some(name) = &self.dept_name {
            params.push(("deptName", name.as_str().into()));
        }
        params
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn data_is_required(&self) -> bool {
        true
    }
}

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetDeptListByPage {
    page: Page,
    shop_ids: Vec<String>,
    name: Option<String>,
}

impl GetDeptListByPage {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_DEPT_LIST_BY_PAGE;

    /// The first page of [`DEFAULT_STORE_PAGE_SIZE`] stores, unfiltered.
    pub fn new() -> Self {
        GetDeptListByPage {
            page: Page::FIRST,
            shop_ids: Vec::new(),
            name: None,
        }
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

impl Default for GetDeptListByPage {
    fn default() -> Self {
        Self::new()
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
            params.push(("shopIds", Cow::Owned(self.shop_ids.join(","))));
        }
        if let Some(name) = &self.name {
            params.push(("name", name.as_str().into()));
        }
        params
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn data_is_required(&self) -> bool {
        true
    }
}

/// A page of the store list on either gateway: what [`StorePages`] asks for.
///
/// ```
/// use opretail_model::{Gateway, ListStores, Operation};
///
/// assert_eq!(ListStores::for_gateway(Gateway::Cloud).method(), "open.organize.departments.getDepartments");
/// assert_eq!(ListStores::for_gateway(Gateway::Classic).method(), "open.shopweb.departments.getDeptListByPage");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStores {
    /// The cloud gateway's method.
    Departments(GetDepartments),
    /// The classic gateway's method.
    DeptListByPage(GetDeptListByPage),
}

impl ListStores {
    /// The unfiltered store list of a gateway profile.
    pub fn for_gateway(gateway: Gateway) -> Self {
        match gateway {
            Gateway::Cloud => ListStores::Departments(GetDepartments::new()),
            Gateway::Classic => ListStores::DeptListByPage(GetDeptListByPage::new()),
        }
    }

    /// The same request for another page.
    pub fn page(self, number: NonZeroU32, size: NonZeroU32) -> Self {
        match self {
            ListStores::Departments(op) => ListStores::Departments(op.page(number, size)),
            ListStores::DeptListByPage(op) => ListStores::DeptListByPage(op.page(number, size)),
        }
    }

    /// The page number asked for.
    pub fn page_number(&self) -> NonZeroU32 {
        match self {
            ListStores::Departments(op) => op.page_number(),
            ListStores::DeptListByPage(op) => op.page_number(),
        }
    }

    fn operation(&self) -> &dyn Operation<Output = StorePage> {
        match self {
            ListStores::Departments(op) => op,
            ListStores::DeptListByPage(op) => op,
        }
    }
}

impl From<GetDepartments> for ListStores {
    fn from(op: GetDepartments) -> Self {
        ListStores::Departments(op)
    }
}

impl From<GetDeptListByPage> for ListStores {
    fn from(op: GetDeptListByPage) -> Self {
        ListStores::DeptListByPage(op)
    }
}

impl Operation for ListStores {
    type Output = StorePage;

    fn method(&self) -> &str {
        self.operation().method()
    }

    fn params(&self) -> Params<'_> {
        self.operation().params()
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn data_is_required(&self) -> bool {
        true
    }
}
