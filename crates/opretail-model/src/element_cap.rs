//! The bound on how many rows and elements one answer decodes into
//! ([`Config::max_elements_per_answer`](crate::Config::max_elements_per_answer)).
//!
//! A body limit caps bytes, not what they decode into: 16 MiB of `{},` are five million
//! empty buckets of a few hundred bytes each. So the decoders count, while they decode, every
//! list item, every undocumented field and everything inside one, and stop at the cap. The
//! count lives in a thread-local set for the duration of one decoding
//! ([`decode_response_capped`](crate::decode_response_capped)): serde gives a `Deserialize`
//! impl no other way to learn a limit, and decoding never leaves the thread it started on.
//! Outside such a scope (a `serde_json::from_str` of a stored value) nothing is counted.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

thread_local! {
    /// Elements still allowed in the decoding under way; `None` outside one.
    static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    /// Whether the decoding under way went past its cap.
    static EXCEEDED: Cell<bool> = const { Cell::new(false) };
}

/// One capped decoding: the cap holds until the scope is dropped (then the one before, if
/// any, holds again).
pub(crate) struct Scope {
    previous_left: Option<usize>,
    previous_exceeded: bool,
}

impl Scope {
    /// Counts from zero up to `cap` elements.
    pub(crate) fn new(cap: usize) -> Scope {
        Scope {
            previous_left: LEFT.with(|left| left.replace(Some(cap))),
            previous_exceeded: EXCEEDED.with(|e| e.replace(false)),
        }
    }

    /// Whether the decoding went past the cap.
    pub(crate) fn exceeded(&self) -> bool {
        EXCEEDED.with(Cell::get)
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        LEFT.with(|left| left.set(self.previous_left));
        EXCEEDED.with(|e| e.set(self.previous_exceeded));
    }
}

/// Counts one element; an error once the cap is passed.
pub(crate) fn count<E: de::Error>() -> Result<(), E> {
    LEFT.with(|left| match left.get() {
        None => Ok(()),
        Some(0) => {
            EXCEEDED.with(|e| e.set(true));
            Err(E::custom("more rows and elements than an answer may hold"))
        }
        Some(n) => {
            left.set(Some(n - 1));
            Ok(())
        }
    })
}

/// Any JSON value, each array item and object entry in it counted.
pub(crate) struct CountedValue(pub(crate) serde_json::Value);

impl<'de> Deserialize<'de> for CountedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = CountedValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<CountedValue, E> {
        Ok(CountedValue(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CountedValue, E> {
        Ok(CountedValue(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CountedValue, E> {
        Ok(CountedValue(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<CountedValue, E> {
        Ok(CountedValue(
            serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CountedValue, E> {
        Ok(CountedValue(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<CountedValue, E> {
        Ok(CountedValue(v.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<CountedValue, E> {
        Ok(CountedValue(serde_json::Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<CountedValue, E> {
        Ok(CountedValue(serde_json::Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<CountedValue, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CountedValue, A::Error> {
        let mut items = Vec::new();
        while let Some(CountedValue(item)) = seq.next_element()? {
            count()?;
            items.push(item);
        }
        Ok(CountedValue(serde_json::Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CountedValue, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(crate::lenient::Key(key)) = map.next_key()? {
            count()?;
            let CountedValue(value) = map.next_value()?;
            object.insert(key.into_owned(), value);
        }
        Ok(CountedValue(serde_json::Value::Object(object)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_only_within_a_scope() {
        let many = format!("[{}]", vec!["{}"; 100].join(","));
        assert!(serde_json::from_str::<CountedValue>(&many).is_ok());
        {
            let scope = Scope::new(99);
            assert!(serde_json::from_str::<CountedValue>(&many).is_err());
            assert!(scope.exceeded());
        }
        {
            let scope = Scope::new(100);
            assert!(serde_json::from_str::<CountedValue>(&many).is_ok());
            assert!(!scope.exceeded());
        }
        assert!(serde_json::from_str::<CountedValue>(&many).is_ok());
    }
}
