//! `open.organize.departments.getDepartments`: the cloud gateway's store list, a page at a
//! time.

use std::num::NonZeroU32;

use super::list_stores::Page;
use crate::{Operation, Params, StorePage};

/// The method name of the cloud gateway's store list.
pub const METHOD_GET_DEPARTMENTS: &str = "open.organize.departments.getDepartments";

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetDepartments {
    page: Page,
    dept_name: Option<String>,
}

impl GetDepartments {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_DEPARTMENTS;
    /// Parameter name: the name filter.
    pub const PARAM_DEPT_NAME: &'static str = "deptName";

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

impl Operation for GetDepartments {
    type Output = StorePage;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let mut params = self.page.params();
        if let Some(name) = &self.dept_name {
            params.push((Self::PARAM_DEPT_NAME, name.as_str().into()));
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
