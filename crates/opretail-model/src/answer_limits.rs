//! The bounds on what one answer decodes into ([`AnswerLimits`]).
//!
//! A body limit caps bytes, not what they decode into: 16 MiB of `{},` are five million
//! empty buckets of over 500 bytes each. So the decoders count, while they decode, every row
//! (a list item: a store, a bucket, a share, a configuration item) and every element of what
//! the SDK does not type (an undocumented field, and every item and entry inside one), and
//! stop at the limit. The counts live in a thread-local set for the duration of one decoding
//! ([`decode_response_capped`](crate::engine::decode_response_capped)): serde gives a `Deserialize`
//! impl no other way to learn a limit, and decoding never leaves the thread it started on.
//! Outside such a scope (a `serde_json::from_str` of a stored value) nothing is counted.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// The default of [`AnswerLimits::max_rows`]: above the largest legitimate answer (a series
/// call of 20 ids over 31 days by the hour is 14,880 buckets; a store page is at most its
/// page size, 100 by default), and about 11 MB of decoded buckets at most.
pub const DEFAULT_MAX_ROWS_PER_ANSWER: usize = 20_000;
/// The default of [`AnswerLimits::max_elements`]: room for several undocumented fields on
/// every row of the largest legitimate answer, and about 10 MB of decoded values at most.
pub const DEFAULT_MAX_ELEMENTS_PER_ANSWER: usize = 100_000;

/// The most one answer may decode into: rows (list items: stores, buckets, shares,
/// configuration items) and elements (undocumented fields kept in an `extra` map, and every
/// item and entry inside them). Decoding stops with [`Error::Decode`](crate::Error::Decode),
/// naming the method and the limit, as soon as an answer passes either. A raw call's
/// `serde_json::Value` is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AnswerLimits {
    /// The most rows. Default: [`DEFAULT_MAX_ROWS_PER_ANSWER`].
    pub max_rows: usize,
    /// The most elements of undocumented fields. Default: [`DEFAULT_MAX_ELEMENTS_PER_ANSWER`].
    pub max_elements: usize,
}

impl Default for AnswerLimits {
    fn default() -> Self {
        AnswerLimits {
            max_rows: DEFAULT_MAX_ROWS_PER_ANSWER,
            max_elements: DEFAULT_MAX_ELEMENTS_PER_ANSWER,
        }
    }
}

impl AnswerLimits {
    /// At most `max_rows` rows and `max_elements` elements.
    pub fn new(max_rows: usize, max_elements: usize) -> Self {
        AnswerLimits {
            max_rows,
            max_elements,
        }
    }
}

/// Which limit a decoding passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Passed {
    Rows,
    Elements,
}

/// What is left of the limits of the decoding under way, and which one it passed.
#[derive(Clone, Copy)]
struct Budget {
    rows: usize,
    elements: usize,
    passed: Option<Passed>,
}

thread_local! {
    /// The budget of the decoding under way; `None` outside one.
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

/// One limited decoding: the limits hold until the scope is dropped (then the ones before,
/// if any, hold again).
pub(crate) struct Scope {
    previous: Option<Budget>,
}

impl Scope {
    /// Counts from zero up to `limits`.
    pub(crate) fn new(limits: AnswerLimits) -> Scope {
        let budget = Budget {
            rows: limits.max_rows,
            elements: limits.max_elements,
            passed: None,
        };
        Scope {
            previous: BUDGET.with(|b| b.replace(Some(budget))),
        }
    }

    /// Which limit the decoding passed, if any.
    pub(crate) fn passed(&self) -> Option<Passed> {
        BUDGET.with(|b| b.get().and_then(|budget| budget.passed))
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        BUDGET.with(|b| b.set(self.previous));
    }
}

/// Takes one of `what` from the budget; an error once its limit is passed.
fn take<E: de::Error>(what: Passed) -> Result<(), E> {
    BUDGET.with(|cell| {
        let Some(mut budget) = cell.get() else {
            return Ok(());
        };
        let left = match what {
            Passed::Rows => &mut budget.rows,
            Passed::Elements => &mut budget.elements,
        };
        let result = match left.checked_sub(1) {
            Some(rest) => {
                *left = rest;
                Ok(())
            }
            None => {
                budget.passed = Some(what);
                Err(E::custom(match what {
                    Passed::Rows => "more rows than an answer may hold",
                    Passed::Elements => "more undocumented values than an answer may hold",
                }))
            }
        };
        cell.set(Some(budget));
        result
    })
}

/// Counts one row (a list item).
pub(crate) fn count_row<E: de::Error>() -> Result<(), E> {
    take(Passed::Rows)
}

/// Counts one element of an undocumented field.
pub(crate) fn count<E: de::Error>() -> Result<(), E> {
    take(Passed::Elements)
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
            let scope = Scope::new(AnswerLimits::new(0, 99));
            assert!(serde_json::from_str::<CountedValue>(&many).is_err());
            assert_eq!(scope.passed(), Some(Passed::Elements));
        }
        {
            let scope = Scope::new(AnswerLimits::new(0, 100));
            assert!(serde_json::from_str::<CountedValue>(&many).is_ok());
            assert_eq!(scope.passed(), None);
        }
        assert!(serde_json::from_str::<CountedValue>(&many).is_ok());
    }
}
