//! [`StorePages`]: walking every page of a store list, without I/O.

use std::collections::HashSet;
use std::num::NonZeroU32;

use super::{DEFAULT_STORE_PAGE_SIZE, ListStores, StorePage};
use crate::Error;

/// The most pages [`StorePages`] asks for by default: 1000 pages, 100 000 stores at the
/// default page size. A bound on a walk whose end depends on what the gateway says.
pub const DEFAULT_MAX_STORE_PAGES: NonZeroU32 = NonZeroU32::new(1000).expect("1000 is not zero");

/// Walks the pages of a store list: says which page to ask for next and, told what each page
/// held, when to stop. No I/O: a client drives it.
///
/// The walk stops after a page that brings the stores seen to the `total` the gateway
/// announced (the latest one it sent), after an empty page, or after
/// [`max_pages`](StorePages::max_pages) pages ([`StorePages::hit_page_cap`] then says so). A
/// short page does not end the walk by itself: the gateway may cap the page size below the
/// one asked for.
///
/// A broken or hostile gateway cannot make the walk run on: a page that names a store an
/// earlier page named (the pages repeat), or whose entries all lack both id and name (no real
/// store), ends it, and [`StorePages::truncation`] says why. Such a page's entries are not
/// counted, and [`Paging::on_page`](crate::engine::Paging::on_page) hands none of them out.
///
/// ```
/// use opretail_model::{Gateway, ListStores, Operation, StorePage, StorePages};
///
/// let mut pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud));
/// let mut stores = Vec::new();
/// while let Some(request) = pages.next_request() {
///     // A client would send `request` here; this is what the gateway might answer:
///     let body = match request.page_number().get() {
///         1 => r#"{"total": 3, "rows": [{"id": 1}, {"id": 2}]}"#,
///         _ => r#"{"total": 3, "rows": [{"id": 3}]}"#,
///     };
///     let page: StorePage = serde_json::from_str(body)?;
///     pages.on_page(&page);
///     stores.extend(page.stores);
/// }
/// assert_eq!(stores.len(), 3);
/// assert!(!pages.hit_page_cap());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StorePages {
    request: ListStores,
    page_size: NonZeroU32,
    max_pages: NonZeroU32,
    next_page: Option<NonZeroU32>,
    seen: u64,
    total: Option<u64>,
    hit_cap: bool,
    /// The ids named so far: a page naming one again repeats an earlier page.
    ids: HashSet<String>,
    /// Why the walk stopped on a page that no real gateway sends.
    broken: Option<String>,
}

impl StorePages {
    /// A walk of `request`'s list (its filters kept, its page replaced), from page 1, with
    /// pages of [`DEFAULT_STORE_PAGE_SIZE`] and at most [`DEFAULT_MAX_STORE_PAGES`] pages.
    pub fn new(request: impl Into<ListStores>) -> Self {
        StorePages {
            request: request.into(),
            page_size: DEFAULT_STORE_PAGE_SIZE,
            max_pages: DEFAULT_MAX_STORE_PAGES,
            next_page: Some(NonZeroU32::MIN),
            seen: 0,
            total: None,
            hit_cap: false,
            ids: HashSet::new(),
            broken: None,
        }
    }

    /// How many stores to ask for per page. Default: 100.
    pub fn page_size(mut self, size: NonZeroU32) -> Self {
        self.page_size = size;
        self
    }

    /// The most pages to ask for. Default: [`DEFAULT_MAX_STORE_PAGES`].
    pub fn max_pages(mut self, pages: NonZeroU32) -> Self {
        self.max_pages = pages;
        self
    }

    /// The request for the next page, or `None` when the walk is over.
    pub fn next_request(&self) -> Option<ListStores> {
        let page = self.next_page?;
        Some(self.request.clone().page(page, self.page_size))
    }

    /// Takes note of what the page last returned by [`StorePages::next_request`] held.
    /// Ignored once the walk is over. Returns whether the page is sound: `false` for a page
    /// that ends the walk as broken (see [`StorePages`]), whose stores must not be used.
    pub fn on_page(&mut self, page: &StorePage) -> bool {
        let Some(number) = self.next_page else {
            return false;
        };
        if let Some(why) = self.broken_page(page) {
            self.broken = Some(format!("page {number} of the store list {why}"));
            self.next_page = None;
            return false;
        }
        self.seen += page.stores.len() as u64;
        self.total = page.total.or(self.total);
        let complete = page.stores.is_empty() || self.total.is_some_and(|t| self.seen >= t);
        self.next_page = if complete {
            None
        } else if number >= self.max_pages {
            self.hit_cap = true;
            None
        } else {
            number.checked_add(1)
        };
        true
    }

    /// What makes `page` one no real gateway sends, if anything; notes its ids otherwise.
    fn broken_page(&mut self, page: &StorePage) -> Option<String> {
        let real = |s: &&super::Store| s.id.is_some() || s.name.is_some();
        if !page.stores.is_empty() && !page.stores.iter().any(|s| real(&s)) {
            return Some(format!(
                "held {} entries and none has an id or a name",
                page.stores.len()
            ));
        }
        let mut fresh = HashSet::new();
        for id in page.stores.iter().filter_map(|s| s.id.as_deref()) {
            if self.ids.contains(id) || !fresh.insert(id) {
                // Quoted and clipped: the id is the gateway's text, of any length.
                let shown: String = id.chars().take(64).collect();
                return Some(format!(
                    "names store {shown:?} again: its pages repeat, so the walk would never end"
                ));
            }
        }
        self.ids.extend(fresh.into_iter().map(str::to_owned));
        None
    }

    /// Whether the walk is over.
    pub fn is_done(&self) -> bool {
        self.next_page.is_none()
    }

    /// Whether the walk stopped at [`max_pages`](StorePages::max_pages) with stores
    /// possibly left: the list is then incomplete.
    pub fn hit_page_cap(&self) -> bool {
        self.hit_cap
    }

    /// When the walk stopped at [`max_pages`](StorePages::max_pages) with stores possibly
    /// left, or on a broken page, the error saying so, for a client that hands out stores one
    /// by one and must not end an incomplete list as if it were whole.
    pub fn truncation(&self) -> Option<Error> {
        if let Some(why) = &self.broken {
            return Some(Error::Decode {
                path: "data.rows".to_owned(),
                message: format!(
                    "{why}; stopped after {} stores (the gateway is broken or is not the \
                     Opretail gateway)",
                    self.seen
                ),
                cid: None,
            });
        }
        self.hit_cap.then(|| {
            Error::invalid_input(
                "max_pages",
                format!(
                    "the store list stopped after {} pages of {} with {} of {} stores seen; \
                     raise StorePages::max_pages or page_size",
                    self.max_pages,
                    self.page_size,
                    self.seen,
                    self.total
                        .map_or_else(|| "more".to_owned(), |t| t.to_string()),
                ),
            )
        })
    }

    /// How many stores the pages so far held.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The latest `total` the gateway announced.
    pub fn total(&self) -> Option<u64> {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Gateway, Operation, Store};

    /// A page of `stores` stores, numbered from 1 on every page unless `named` is set.
    fn page(total: Option<u64>, stores: usize) -> StorePage {
        named(total, 0, stores)
    }

    /// A page of stores with ids `first + 1` to `first + n`.
    fn named(total: Option<u64>, first: usize, n: usize) -> StorePage {
        StorePage {
            total,
            stores: (first + 1..=first + n)
                .map(|i| Store {
                    id: Some(i.to_string()),
                    ..Store::default()
                })
                .collect(),
            ..StorePage::default()
        }
    }

    fn size(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    /// The page numbers asked for when the gateway gives `answers` in turn.
    fn walk(mut pages: StorePages, answers: &[StorePage]) -> (Vec<u32>, StorePages) {
        let mut asked = Vec::new();
        let mut answers = answers.iter();
        while let Some(request) = pages.next_request() {
            asked.push(request.page_number().get());
            pages.on_page(answers.next().expect("no more answers than requests"));
        }
        (asked, pages)
    }

    #[test]
    fn stops_when_the_total_is_reached() {
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Classic)).page_size(size(2));
        let (asked, pages) = walk(
            pages,
            &[
                named(Some(5), 0, 2),
                named(Some(5), 2, 2),
                named(Some(5), 4, 1),
            ],
        );
        assert_eq!(asked, [1, 2, 3]);
        assert_eq!((pages.seen(), pages.total()), (5, Some(5)));
        assert!(pages.is_done() && !pages.hit_page_cap());
    }

    #[test]
    fn without_a_total_stops_at_an_empty_page_not_a_short_one() {
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud));
        let (asked, pages) = walk(
            pages,
            &[named(None, 0, 100), named(None, 100, 40), page(None, 0)],
        );
        assert_eq!(asked, [1, 2, 3]);
        assert_eq!(pages.seen(), 140);
    }

    #[test]
    fn an_empty_page_ends_the_walk_even_below_the_total() {
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud));
        let (asked, _) = walk(pages, &[page(Some(500), 100), page(Some(500), 0)]);
        assert_eq!(asked, [1, 2]);
    }

    #[test]
    fn the_page_cap_ends_the_walk_and_says_so() {
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud)).max_pages(size(2));
        let (asked, pages) = walk(
            pages,
            &[named(Some(1000), 0, 100), named(Some(1000), 100, 100)],
        );
        assert_eq!(asked, [1, 2]);
        assert!(pages.hit_page_cap());
        let error = pages.truncation().expect("a truncated list says so");
        assert!(error.to_string().contains("200 of 1000"), "{error}");
        // Reaching the total on the last allowed page is no truncation.
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud)).max_pages(size(1));
        let (_, pages) = walk(pages, &[page(Some(3), 3)]);
        assert!(!pages.hit_page_cap());
        assert!(pages.truncation().is_none());
    }

    #[test]
    fn a_repeated_page_ends_the_walk_with_an_error() {
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud));
        let (asked, pages) = walk(
            pages,
            &[
                named(Some(999_999_999), 0, 100),
                named(Some(999_999_999), 0, 100),
            ],
        );
        assert_eq!(asked, [1, 2]);
        assert_eq!(pages.seen(), 100, "the repeated page is not counted");
        let error = pages.truncation().expect("a repeat says so").to_string();
        assert!(
            error.contains("page 2") && error.contains("store \"1\" again"),
            "{error}"
        );
    }

    #[test]
    fn a_page_of_entries_without_id_or_name_ends_the_walk_with_an_error() {
        let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud));
        let empty = StorePage {
            total: Some(999_999_999),
            stores: vec![Store::default(); 100],
            ..StorePage::default()
        };
        let mut pages = pages;
        assert!(!pages.on_page(&empty), "the page is broken");
        assert!(pages.is_done());
        let error = pages
            .truncation()
            .expect("an empty page says so")
            .to_string();
        assert!(error.contains("none has an id or a name"), "{error}");
        // Some entries without an id are fine while others are real stores.
        let mut pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud));
        let mut mixed = named(Some(2), 0, 1);
        mixed.stores.push(Store::default());
        assert!(pages.on_page(&mixed));
        assert!(pages.truncation().is_none());
    }

    #[test]
    fn filters_and_the_page_size_are_kept_on_every_page() {
        let request = crate::GetDepartments::new().dept_name("Mall");
        let mut pages = StorePages::new(request).page_size(size(7));
        pages.on_page(&named(None, 0, 7));
        let second = pages.next_request().unwrap();
        assert_eq!(
            second.params(),
            [
                ("pageNumber", "2".into()),
                ("pageSize", "7".into()),
                ("deptName", "Mall".into())
            ]
        );
        assert!(second.needs_token() && second.idempotent());
    }
}
