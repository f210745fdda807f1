//! How the JSON-tree methods write their figures: numbers, or text in quirks mode, and the
//! passenger-flow fields every indicator shares.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::synthesis::flow::Flow;

/// A count: a number, or its digits in quirks mode.
pub(crate) fn count(n: u64, quirks: bool) -> Value {
    tree(Figure::Count(n), quirks)
}

/// A percentage: a number with two decimals, or its text in quirks mode.
pub(crate) fn rate(percent: f64, quirks: bool) -> Value {
    tree(Figure::Rate(percent), quirks)
}

/// A figure as a JSON value, for the answers built as trees.
fn tree(figure: Figure, quirks: bool) -> Value {
    // A number or a string: nothing that can fail to become a value.
    serde_json::to_value(Written(figure, quirks)).unwrap_or(Value::Null)
}

/// A figure of an answer, before it is written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Figure {
    /// A count.
    Count(u64),
    /// A percentage, to two decimals in quirks mode.
    Rate(f64),
}

/// A figure as it is written: a number, or its text in quirks mode (the second field). The
/// typed answers serialize it straight into the body; [`count`] and [`rate`] make a tree of it.
#[derive(Clone, Copy)]
pub(crate) struct Written(pub(crate) Figure, pub(crate) bool);

impl Serialize for Written {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Written(Figure::Count(n), true) => serializer.collect_str(&n),
            Written(Figure::Count(n), false) => serializer.serialize_u64(n),
            Written(Figure::Rate(percent), true) => {
                serializer.collect_str(&format_args!("{percent:.2}"))
            }
            Written(Figure::Rate(percent), false) => serializer.serialize_f64(percent),
        }
    }
}

/// The name outside flow is sent under: the platform was seen to use both spellings, so
/// stores with an odd id get the other one.
pub(crate) fn outside_field(dep_id: i64) -> &'static str {
    if dep_id % 2 == 0 {
        "outsidePassengerFlow"
    } else {
        "outSidePassengerFlow"
    }
}

/// The passenger-flow fields of an indicator or a bucket, for the store `dep_id`: fitting
/// rate, entry rate, exits, outside, passing, entering, in the order a `serde_json::Map` sorts
/// them (either spelling of outside sorts in the same place), so that a typed answer can write
/// them in place.
pub(crate) fn flow_entries(flow: Flow, dep_id: i64) -> [(&'static str, Figure); 6] {
    [
        ("dressingRate", Figure::Rate(flow.dressing_rate())),
        ("inShopRate", Figure::Rate(flow.in_shop_rate())),
        ("outFlowCount", Figure::Count(flow.exits)),
        (outside_field(dep_id), Figure::Count(flow.outside())),
        ("passPassengerFlow", Figure::Count(flow.passing)),
        ("passengerFlow", Figure::Count(flow.entering)),
    ]
}

/// [`flow_entries`] as a JSON object, for the answers built as trees.
pub(crate) fn flow_fields(flow: Flow, dep_id: i64, quirks: bool) -> Map<String, Value> {
    flow_entries(flow, dep_id)
        .into_iter()
        .map(|(name, figure)| (name.to_owned(), tree(figure, quirks)))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quirks_write_text_and_odd_stores_the_other_spelling() {
        assert_eq!(count(12, false), json!(12));
        assert_eq!(count(12, true), json!("12"));
        assert_eq!(rate(8.1, true), json!("8.10"));
        let flow = Flow {
            entering: 10,
            passing: 30,
            exits: 9,
            fitting: 2,
        };
        let even = flow_fields(flow, 1002, false);
        assert_eq!(even["outsidePassengerFlow"], json!(40));
        assert_eq!(even["inShopRate"], json!(25.0));
        assert!(flow_fields(flow, 1001, true).contains_key("outSidePassengerFlow"));
        // NaN, which a JSON number cannot be, is written as `null`, as serde_json writes it.
        assert_eq!(rate(f64::NAN, false), Value::Null);
        assert_eq!(rate(33.333, true), json!("33.33"));
        assert_eq!(count(u64::MAX, true), json!(u64::MAX.to_string()));
    }
}
