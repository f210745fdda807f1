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

use crate::engine::Paging;
use crate::{Error, Gateway, GetDepartments, GetDeptListByPage, Operation, Params};

/// The page size asked for by default. The platform's own default is 10; 100 was seen to
/// work, and its cap is not published.
pub const DEFAULT_STORE_PAGE_SIZE: NonZeroU32 = NonZeroU32::new(100).expect("100 is not zero");

/// Which page (from 1) of how many stores: what both store lists send first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) number: NonZeroU32,
    pub(crate) size: NonZeroU32,
}

impl Default for Page {
    fn default() -> Self {
        Page::FIRST
    }
}

impl Page {
    /// The first page of [`DEFAULT_STORE_PAGE_SIZE`] stores.
    pub(crate) const FIRST: Page = Page {
        number: NonZeroU32::MIN,
        size: DEFAULT_STORE_PAGE_SIZE,
    };

    pub(crate) fn params(self) -> Params<'static> {
        vec![
            (
                ListStores::PARAM_PAGE_NUMBER,
                Cow::Owned(self.number.to_string()),
            ),
            (
                ListStores::PARAM_PAGE_SIZE,
                Cow::Owned(self.size.to_string()),
            ),
        ]
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
    /// Parameter name of both store lists: the page number, from 1.
    pub const PARAM_PAGE_NUMBER: &'static str = "pageNumber";
    /// Parameter name of both store lists: the page size.
    pub const PARAM_PAGE_SIZE: &'static str = "pageSize";

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
}

impl StorePages {
    /// A walk of the whole store list of a gateway profile, with the defaults of
    /// [`StorePages::new`].
    pub fn for_gateway(gateway: Gateway) -> Self {
        StorePages::new(ListStores::for_gateway(gateway))
    }
}

/// What a transport's generic `walk` drives: the stores of each page as it comes.
impl Paging for StorePages {
    type Request = ListStores;
    type Item = Store;

    fn next_request(&self) -> Option<ListStores> {
        StorePages::next_request(self)
    }

    fn on_page(&mut self, page: StorePage) -> Vec<Store> {
        if StorePages::on_page(self, &page) {
            page.stores
        } else {
            Vec::new()
        }
    }

    fn truncation(&self) -> Option<Error> {
        StorePages::truncation(self)
    }
}
