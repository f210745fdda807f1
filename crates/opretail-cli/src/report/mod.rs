//! The HTML report of `opretail report`: its numbers ([`figures`]), its charts ([`charts`])
//! and its page ([`page`]). Pure: rows in, one page of text out.

pub mod charts;
pub mod figures;
pub mod page;
