//! Calls of many operations that make one result: [`Paging`] (one page after another) and
//! [`Batch`] (all at once, merged), driven by each transport's `walk` and `send_batch`.

use crate::{Error, Operation};

/// A walk over pages: which request comes next, what each page holds, and whether the walk
/// stopped early. No I/O: a transport's `walk` sends the requests one after the other and
/// yields the items as they come.
pub trait Paging {
    /// The operation that asks for one page.
    type Request: Operation;
    /// What a page holds many of.
    type Item;

    /// The request for the next page, or `None` when the walk is over.
    fn next_request(&self) -> Option<Self::Request>;

    /// Takes in a page's answer and gives back its items.
    fn on_page(&mut self, page: <Self::Request as Operation>::Output) -> Vec<Self::Item>;

    /// Once the walk is over: an error when it stopped before the end (a page cap, say).
    fn truncation(&self) -> Option<Error>;
}

/// Many calls that make one result: the requests, how many may be in flight at once, and
/// how their answers merge. A transport's `send_batch` sends them (as its `send_all` does)
/// and merges the answers in request order; the first failing call ends it with its error.
pub trait Batch {
    /// The operation of each call.
    type Request: Operation;
    /// What the answers make together.
    type Merged;

    /// The calls to make, or why the batch cannot be made.
    fn requests(&self) -> Result<Vec<Self::Request>, Error>;

    /// The most calls in flight at once (at least 1).
    fn in_flight(&self) -> usize;

    /// The answers, in the order of [`Batch::requests`], merged.
    fn merge(&self, answers: Vec<<Self::Request as Operation>::Output>) -> Self::Merged;
}
