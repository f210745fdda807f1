//! Lenient decoders for the loosely typed parts of the gateway's `data`: map keys without
//! allocation, strings that may arrive as numbers, ints that may arrive as strings, objects
//! that may arrive as `null`/`""`, and "one object or a list".

/// Implements `Deserialize` and `Serialize` for a struct with an `extra` map.
///
/// Each field is listed as `field: Wrapper = "stored_name" | "wire_name" ...`: the first name
/// is the one it is serialized under (snake_case, so stored data reads well), all names are
/// accepted when deserializing (the gateway's names, and the stored ones for round trips).
/// `Wrapper` is a private lenient decoder whose `.0` is the field's value. A field seen twice
/// (under any of its names) is an error rather than a silent overwrite. Every other key lands
/// in `extra`, and is serialized back at the top level as it came, so
/// serialize-then-deserialize is lossless.
///
/// Options, in this order, each followed by a comma:
/// - `data_of = METHOD`: the type is the whole `data` of that method, and an object holding
///   none of the known fields (not even as `null`) is an error naming the method: it is some
///   other answer, not this method's.
/// - `null = default`: `null` decodes to the default (an absent `data` reads as `null`).
macro_rules! lenient_object {
    ($ty:ident, $expecting:literal, $(data_of = $method:expr,)? $(null = $null:ident,)? {
        $( $field:ident : $wrapper:ty = $name:literal $(| $alias:literal)* ),* $(,)?
    }) => {
        lenient_deserialize!($ty, $expecting, $(data_of = $method,)? $(null = $null,)? {
            $( $field : $wrapper = $name $(| $alias)* ),*
        });

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let known = [$( $name ),*].len();
                let mut map = serializer.serialize_map(Some(known + self.extra.len()))?;
                $( map.serialize_entry($name, &self.$field)?; )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    };
}

/// The `Deserialize` half of [`lenient_object!`], for types that must not be serialized (they
/// hold a secret).
macro_rules! lenient_deserialize {
    ($ty:ident, $expecting:literal, $(data_of = $method:expr,)? $(null = $null:ident,)? {
        $( $field:ident : $wrapper:ty = $name:literal $(| $alias:literal)* ),* $(,)?
    }) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;

                impl<'de> ::serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$ty, A::Error> {
                        $( let mut $field = None; )*
                        let mut extra = ::std::collections::BTreeMap::new();
                        while let Some(crate::lenient::Key(key)) = map.next_key()? {
                            match &*key {
                                $( $name $(| $alias)* => {
                                    if $field.is_some() {
                                        return Err(::serde::de::Error::duplicate_field($name));
                                    }
                                    $field = Some(map.next_value::<$wrapper>()?.0);
                                } )*
                                _ => {
                                    crate::answer_limits::count()?;
                                    let crate::answer_limits::CountedValue(value) = map.next_value()?;
                                    extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        let _seen_known = false $(|| $field.is_some())*;
                        $(
                            if !_seen_known {
                                return Err(::serde::de::Error::custom(format_args!(
                                    "none of the documented fields of {}'s data is present: \
                                     this is not its answer (check the endpoint URL)",
                                    $method,
                                )));
                            }
                        )?
                        Ok($ty { $( $field: $field.unwrap_or_default(), )* extra })
                    }

                    $(
                        fn visit_unit<E: ::serde::de::Error>(self) -> Result<$ty, E> {
                            Ok(<$ty>::$null())
                        }
                    )?
                }

                deserializer.deserialize_any(ObjectVisitor)
            }
        }
    };
}

/// The `Visitor` methods for `null` (and an `Option`'s `Some`, read as the value inside):
/// `null` decodes to `$absent`.
macro_rules! null_means {
    ($absent:expr) => {
        fn visit_unit<E: ::serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }

        fn visit_none<E: ::serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }

        fn visit_some<D: ::serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    };
}

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use secrecy::SecretString;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// A map key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A documented string: a number or boolean becomes its text, `null` becomes `None`, and
/// `""` stays `Some("")` (for text, the empty string is a value, not an absence).
pub(crate) struct LenientString(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringVisitor;

        impl<'de> Visitor<'de> for StringVisitor {
            type Value = LenientString;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or null")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientString(Some(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(LenientString(Some(v)))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(LenientString(Some(v.to_string())))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LenientString(Some(v.to_string())))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(LenientString(Some(v.to_string())))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(LenientString(Some(float_text(v))))
            }

            null_means!(LenientString(None));
        }

        deserializer.deserialize_any(StringVisitor)
    }
}

/// A secret text (a login token): a string, or a number as its text; `null`, `""` and white
/// space mean none (a blank token is no token). Held as a [`SecretString`] from the start.
pub(crate) struct LenientSecret(pub(crate) Option<SecretString>);

impl<'de> Deserialize<'de> for LenientSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let LenientString(text) = LenientString::deserialize(deserializer)?;
        Ok(LenientSecret(
            text.filter(|t| !t.trim().is_empty())
                .map(SecretString::from),
        ))
    }
}

/// A documented int: a JSON integer, an integral float, or a string holding an integer
/// (white space around it is ignored); `null` and `""` become `None`.
pub(crate) struct LenientInt(pub(crate) Option<i64>);

impl<'de> Deserialize<'de> for LenientInt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntVisitor;

        impl<'de> Visitor<'de> for IntVisitor {
            type Value = LenientInt;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, a string holding an integer, or null")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LenientInt(Some(v)))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(|v| LenientInt(Some(v)))
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                float_to_i64(v)
                    .map(|v| LenientInt(Some(v)))
                    .ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let trimmed = v.trim();
                if trimmed.is_empty() {
                    return Ok(LenientInt(None));
                }
                trimmed
                    .parse()
                    .map(|v| LenientInt(Some(v)))
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }

            null_means!(LenientInt(None));
        }

        deserializer.deserialize_any(IntVisitor)
    }
}

/// A count (a total): a [`LenientInt`] that must not be negative.
pub(crate) struct LenientCount(pub(crate) Option<u64>);

impl<'de> Deserialize<'de> for LenientCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match LenientInt::deserialize(deserializer)?.0 {
            None => Ok(LenientCount(None)),
            Some(v) => u64::try_from(v)
                .map(|v| LenientCount(Some(v)))
                .map_err(|_| {
                    de::Error::invalid_value(Unexpected::Signed(v), &"a count, zero or more")
                }),
        }
    }
}

/// A yes/no flag: `true`/`false`, an integer (`0` is no, anything else yes), or the text of
/// either (`"1"`, `"false"`, ASCII case ignored); `null` and `""` mean none.
pub(crate) struct LenientFlag(pub(crate) Option<bool>);

impl<'de> Deserialize<'de> for LenientFlag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;

        impl<'de> Visitor<'de> for FlagVisitor {
            type Value = LenientFlag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, an integer, their text, or null")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(LenientFlag(Some(v)))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LenientFlag(Some(v != 0)))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(LenientFlag(Some(v != 0)))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(LenientFlag(Some(v != 0.0)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let trimmed = v.trim();
                if trimmed.is_empty() {
                    return Ok(LenientFlag(None));
                }
                if trimmed.eq_ignore_ascii_case("true") {
                    return Ok(LenientFlag(Some(true)));
                }
                if trimmed.eq_ignore_ascii_case("false") {
                    return Ok(LenientFlag(Some(false)));
                }
                trimmed
                    .parse::<i64>()
                    .map(|n| LenientFlag(Some(n != 0)))
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }

            null_means!(LenientFlag(None));
        }

        deserializer.deserialize_any(FlagVisitor)
    }
}

/// Any JSON value, kept as it came; `null` means none. For fields whose type nobody has
/// seen documented.
pub(crate) struct AnyValue(pub(crate) Option<serde_json::Value>);

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let crate::answer_limits::CountedValue(value) = Deserialize::deserialize(deserializer)?;
        Ok(AnyValue((!value.is_null()).then_some(value)))
    }
}

/// The `i64` of an integral float, `None` when it has a fraction or does not fit.
pub(crate) fn float_to_i64(v: f64) -> Option<i64> {
    // -2^63 and 2^63: every integral f64 in between converts exactly.
    const RANGE: std::ops::Range<f64> = -9.223_372_036_854_776e18..9.223_372_036_854_776e18;
    (v.fract() == 0.0 && RANGE.contains(&v)).then_some(v as i64)
}

/// A JSON object decoded as `T`; `null`, `""` (white space only) mean none.
pub(crate) struct OptionalObject<T>(pub(crate) Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OptionalObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectVisitor(PhantomData))
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = OptionalObject<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|v| OptionalObject(Some(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(OptionalObject(None))
        } else {
            Err(E::invalid_type(Unexpected::Str(v), &self))
        }
    }

    null_means!(OptionalObject(None));
}

/// One object or a list of objects, as a list; `null` and `""` give an empty list, and
/// `null` items of a list are skipped (they carry nothing).
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object, a list of objects or null")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                // Counted before each item is decoded: a list of a million `{}` stops at the
                // cap instead of holding a million empty rows.
                loop {
                    crate::answer_limits::count_row()?;
                    match seq.next_element()? {
                        Some(OptionalObject(item)) => items.extend(item),
                        None => break,
                    }
                }
                Ok(OneOrMany(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                crate::answer_limits::count_row()?;
                T::deserialize(MapAccessDeserializer::new(map)).map(|v| OneOrMany(vec![v]))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.trim().is_empty() {
                    Ok(OneOrMany(Vec::new()))
                } else {
                    Err(E::invalid_type(Unexpected::Str(v), &self))
                }
            }

            null_means!(OneOrMany(Vec::new()));
        }

        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// A float as JSON writes it, in its shortest form (`21.5`, `1e-228`): `f64`'s `Display`
/// writes every digit of a tiny or huge number, hundreds of them for a few bytes of input.
pub(crate) fn float_text(v: f64) -> String {
    serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(json: &str) -> Result<Option<bool>, serde_json::Error> {
        serde_json::from_str::<LenientFlag>(json).map(|f| f.0)
    }

    #[test]
    fn flags_read_booleans_numbers_and_their_text() {
        for (json, expected) in [
            ("true", Some(true)),
            ("false", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("1.0", Some(true)),
            ("\"1\"", Some(true)),
            ("\" FALSE \"", Some(false)),
            ("\"\"", None),
            ("null", None),
        ] {
            assert_eq!(flag(json).unwrap(), expected, "{json}");
        }
        assert!(flag("\"yes\"").is_err());
        assert!(flag("[1]").is_err());
    }

    #[test]
    fn counts_refuse_negatives_and_secrets_refuse_blanks() {
        let count = |json| serde_json::from_str::<LenientCount>(json).map(|c| c.0);
        assert_eq!(count("\"12\"").unwrap(), Some(12));
        assert_eq!(count("null").unwrap(), None);
        assert!(count("-1").is_err());
        let secret = |json| serde_json::from_str::<LenientSecret>(json).unwrap().0;
        assert!(secret("\"  \"").is_none() && secret("null").is_none());
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&secret("\"t-1\"").unwrap()),
            "t-1"
        );
    }
}
