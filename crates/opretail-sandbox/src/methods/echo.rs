//! `open.sandbox.echo` v1: answers with its business parameters, to test raw calls and UTF-8.

use serde_json::{Map, Value};

use super::Call;
use crate::validate::Rejection;

/// The method's name.
pub(crate) const METHOD: &str = "open.sandbox.echo";

pub(crate) fn handle(call: &Call<'_>) -> Result<Value, Rejection> {
    let data: Map<String, Value> = call
        .params
        .business()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    Ok(Value::Object(data))
}
