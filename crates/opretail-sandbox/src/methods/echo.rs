//! `open.sandbox.echo` v1: answers with its business parameters, to test raw calls and UTF-8.
//! Sandbox only.

use serde_json::{Map, Value};

use crate::call::{Call, Data};
use crate::rejection::Rejection;

/// The sandbox's own method that answers with its business parameters.
pub const METHOD_ECHO: &str = "open.sandbox.echo";
pub(crate) const METHOD: &str = METHOD_ECHO;
pub(crate) const VERSION: &str = "v1";

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let data: Map<String, Value> = call
        .params
        .business()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    Ok(Data::new(Value::Object(data)))
}
