//! How the JSON-tree methods write their figures: numbers, or text in quirks mode, and the
//! passenger-flow fields every indicator shares.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use crate::synthesis::flow::Flow;

/// A count: a number, or its digits in quirks mode.
pub(crate) fn count(n: u64, quirks: bool) -> Value {
    if quirks {
        Value::String(n.to_string())
    } else {
        json!(n)
    }
}

/// A percentage: a number with two decimals, or its text in quirks mode.
pub(crate) fn rate(percent: f64, quirks: bool) -> Value {
    if quirks {
        Value::String(format!("{percent:.2}"))
    } else {
        json!(percent)
    }
}

/// A count written as [`count`] writes it, without building a tree.
pub(crate) struct Count(pub(crate) u64, pub(crate) bool);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Count(n, quirks) = *self;
        if quirks {
            serializer.collect_str(&n)
        } else {
            serializer.serialize_u64(n)
        }
    }
}

/// A percentage written as [`rate`] writes it, without building a tree.
pub(crate) struct Rate(pub(crate) f64, pub(crate) bool);

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Rate(percent, quirks) = *self;
        if quirks {
            serializer.collect_str(&format_args!("{percent:.2}"))
        } else {
            serializer.serialize_f64(percent)
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

/// The passenger-flow fields of an indicator or a bucket, for the store `dep_id`: entering,
/// passing, outside, entry rate, exits, fitting rate.
pub(crate) fn flow_fields(flow: Flow, dep_id: i64, quirks: bool) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("passengerFlow".into(), count(flow.entering, quirks));
    fields.insert("passPassengerFlow".into(), count(flow.passing, quirks));
    fields.insert(outside_field(dep_id).into(), count(flow.outside(), quirks));
    fields.insert("inShopRate".into(), rate(flow.in_shop_rate(), quirks));
    fields.insert("outFlowCount".into(), count(flow.exits, quirks));
    fields.insert("dressingRate".into(), rate(flow.dressing_rate(), quirks));
    fields
}

#[cfg(test)]
mod tests {
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
        // The typed figures write what the tree does, NaN and whole rates included.
        for (n, percent) in [
            (0, 0.0),
            (12, 8.1),
            (u64::MAX, 100.0),
            (7, f64::NAN),
            (3, 33.333),
        ] {
            for quirks in [false, true] {
                let typed = serde_json::to_string(&(Count(n, quirks), Rate(percent, quirks)));
                let tree = serde_json::to_string(&(count(n, quirks), rate(percent, quirks)));
                assert_eq!(typed.unwrap(), tree.unwrap(), "{n} {percent} {quirks}");
            }
        }
    }
}
