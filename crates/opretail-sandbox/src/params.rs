//! The request's parameters, read from the query string and the form body.

use std::borrow::Cow;
use std::collections::HashSet;

/// Every `name=value` pair of a request, in the order received: the query string's first, then
/// the body's. Percent-decoding follows `application/x-www-form-urlencoded` (`+` is a space);
/// bytes that are not UTF-8 become U+FFFD, which then fails the signature as it would on the
/// platform.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The fields of a JSON body: business parameters that are not signed.
    unsigned: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Params<'a> {
    /// Reads the pairs of an optional query string and a form body. Never fails: anything
    /// malformed is decoded as leniently as the form encoding allows and left to validation.
    pub fn parse(query: Option<&'a str>, body: &'a [u8]) -> Self {
        let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(12);
        if let Some(query) = query {
            pairs.extend(form_urlencoded::parse(query.as_bytes()));
        }
        pairs.extend(form_urlencoded::parse(body));
        Params {
            pairs,
            unsigned: Vec::new(),
        }
    }

    /// The parameters of a request with a JSON body (the cloud gateway's form for nested
    /// JSON): the signed ones from the query string, the body's fields as unsigned business
    /// parameters (text as it is, anything else as its JSON). `Err` when the body is not a
    /// JSON object; `Ok(None)` when there are more than `max_pairs` parameters in all.
    pub(crate) fn with_json_body(
        query: Option<&'a str>,
        body: &[u8],
        max_pairs: usize,
    ) -> Result<Option<Self>, String> {
        let Some(mut params) = Self::parse_at_most(query, b"", max_pairs) else {
            return Ok(None);
        };
        let object = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(object)) => object,
            _ => return Err("the JSON body is not a JSON object".to_owned()),
        };
        if params.pairs.len() + object.len() > max_pairs {
            return Ok(None);
        }
        params.unsigned = object
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                (Cow::Owned(name), Cow::Owned(value))
            })
            .collect();
        Ok(Some(params))
    }

    /// Like [`parse`](Self::parse), but `None` when there are more than `max_pairs` pairs;
    /// it stops reading at the first pair over.
    pub(crate) fn parse_at_most(
        query: Option<&'a str>,
        body: &'a [u8],
        max_pairs: usize,
    ) -> Option<Self> {
        let query = query.map(str::as_bytes).unwrap_or_default();
        let pairs: Vec<_> = form_urlencoded::parse(query)
            .chain(form_urlencoded::parse(body))
            .take(max_pairs.saturating_add(1))
            .collect();
        (pairs.len() <= max_pairs).then_some(Params {
            pairs,
            unsigned: Vec::new(),
        })
    }

    /// The value of the first pair with this name, or `""` when there is none: the gateway
    /// treats an absent parameter and an empty one alike.
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .chain(&self.unsigned)
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_ref())
    }

    /// The first name that occurs more than once, if any.
    pub fn duplicate_name(&self) -> Option<&str> {
        let mut seen = HashSet::with_capacity(self.pairs.len());
        self.pairs
            .iter()
            .map(|(name, _)| name.as_ref())
            .find(|name| !seen.insert(*name))
    }

    /// Every signed pair, as received (a JSON body's fields are not among them).
    pub fn pairs(&self) -> &[(Cow<'a, str>, Cow<'a, str>)] {
        &self.pairs
    }

    /// The business parameters: every pair whose name does not start with `_`.
    pub fn business(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .chain(&self.unsigned)
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_then_body_first_wins_and_duplicates_are_found() {
        let p = Params::parse(Some("a=1&_mt=x"), b"b=%E4%B8%AD+2&a=3");
        assert_eq!(p.get("a"), "1");
        assert_eq!(p.get("b"), "中 2");
        assert_eq!(p.get("missing"), "");
        assert_eq!(p.duplicate_name(), Some("a"));
        assert_eq!(p.business().count(), 3);
        assert_eq!(Params::parse(None, b"a=1&b=2").duplicate_name(), None);
        assert_eq!(
            Params::parse(Some("b=1"), b"a=1&b=2").duplicate_name(),
            Some("b")
        );
    }

    #[test]
    fn a_json_body_gives_unsigned_business_parameters() {
        let p = Params::with_json_body(Some("_mt=m&id=1"), br#"{"a":"x","b":{"c":1}}"#, 10)
            .unwrap()
            .unwrap();
        assert_eq!(
            (p.get("a"), p.get("b"), p.get("id")),
            ("x", r#"{"c":1}"#, "1")
        );
        assert_eq!(p.pairs().len(), 2, "only the query is signed");
        assert_eq!(p.business().count(), 3);
        assert!(Params::with_json_body(None, b"[1]", 10).is_err());
        assert!(Params::with_json_body(None, b"{", 10).is_err());
        assert_eq!(
            Params::with_json_body(Some("a=1"), br#"{"b":1}"#, 1),
            Ok(None)
        );
    }

    #[test]
    fn at_most_counts_the_query_and_the_body() {
        let p = Params::parse_at_most(Some("a=1"), b"b=2&c=3", 3).unwrap();
        assert_eq!(p, Params::parse(Some("a=1"), b"b=2&c=3"));
        assert_eq!(Params::parse_at_most(Some("a=1"), b"b=2&c=3&d", 3), None);
        assert_eq!(Params::parse_at_most(None, b"", 0), Some(Params::default()));
    }
}
