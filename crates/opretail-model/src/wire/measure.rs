//! [`Measure`]: a number as the gateway sent it, leniently decoded.

use std::fmt::{self, Write as _};
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::lenient::{Key, float_to_i64};

/// Texts that mean "no value", decoded to `None` like `null` and `""` (ASCII case ignored).
/// Reports show a dash or "N/A" where a figure is not available; failing the whole response
/// for it would be worse than reporting the figure as absent.
const PLACEHOLDERS: &[&str] = &[
    "-", "--", "---", "—", "——", "n/a", "na", "null", "none", "暂无", "无",
];

/// Currency signs accepted in front of a number, as in `"¥1,234.50"`.
const CURRENCY_SIGNS: &[char] = &['¥', '￥', '$', '€', '£'];

const EXPECTING: &str = "a number, a numeric string such as \"1,234\" or \"35.2%\", or null";

/// A number from the gateway, with its unit and original text when it came as text.
///
/// The gateway sends its figures as JSON numbers, as numeric strings, or (with `needUnit=1`)
/// as text with a unit: `123`, `35.2`, `"123"`, `"35.2%"`, `"1,234人"`, `"¥5,678.90"`,
/// `"1.2345678E7"`. A `Measure` holds the number ([`value`](Measure::value),
/// [`as_i64`](Measure::as_i64)), the unit ([`unit`](Measure::unit): the text after the
/// number, or a currency sign before it) and, whenever the wire value was text that is not
/// exactly the number's plain rendering, that text ([`text`](Measure::text)), so nothing the
/// gateway said is lost or altered: `"5678.90元"` keeps `5678.90元`, `"007"` keeps `007`.
///
/// Accepted text: white space around, a sign, a currency sign, digits with `,` or `，`
/// thousands separators (each followed by exactly three digits), a decimal point, an
/// exponent, then any unit that does not start like a number. Integers without a decimal
/// point or exponent are kept exactly as `i64`; others are `f64`. Rejected (a serde error that
/// names the field): text without digits (`"abc"`, `"%"`, `"NaN"`), ambiguous or several
/// numbers (`"1,5"`, `"12-15"`, `"1.2.3"`), numbers out of `f64` range, booleans, lists and
/// objects. The number is the one written, never scaled: `"1.2万"` is 1.2 with unit `万`.
/// In [`TotalData`](crate::TotalData), `null`, `""`, white space and the placeholders `"-"`,
/// `"--"`, `"N/A"`, `"暂无"` mean no value (`None`): reports print them where a figure is not
/// available, and failing the whole response for that would help nobody.
///
/// JSON numbers are taken as `serde_json` reads them: a float is an `f64`, so `35.20` is
/// 35.2 (only text is kept as written), and without `serde_json`'s `float_roundtrip` feature
/// a float with many digits may come back one unit in the last place off after a round trip.
///
/// Serialized, a `Measure` without text is a plain JSON number; one with text is
/// `{"value": 35.2, "unit": "%", "text": "35.2%"}` (`unit` left out when there is none).
/// Both forms deserialize back to an equal `Measure`: the stored `text` is decoded again.
///
/// ```
/// use opretail_model::Measure;
///
/// let m: Measure = serde_json::from_str(r#""5,678.90元""#)?;
/// assert_eq!(m.value(), 5678.9);
/// assert_eq!(m.unit(), Some("元"));
/// assert_eq!(m.text(), Some("5,678.90元"));
/// assert_eq!(m.to_string(), "5,678.90元");
///
/// let n: Measure = serde_json::from_str("1234")?;
/// assert_eq!((n.as_i64(), n.unit(), n.text()), (Some(1234), None, None));
/// assert_eq!(serde_json::to_string(&n)?, "1234");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Measure {
    number: Number,
    /// The text as sent, when it is kept: rare, so boxed, which keeps a measure at 24 bytes
    /// (a series of a year by the hour for 300 stores holds 21 million of them).
    text: Option<Box<Text>>,
}

/// A measure's text as sent, and where its unit stands in it.
#[derive(Clone, PartialEq)]
struct Text {
    text: String,
    /// A unit only ever comes with a text.
    unit: Option<Range<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Int(i64),
    Float(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(v) => fmt::Display::fmt(v, f),
            // `Display` of f64 is the shortest text that reads back the same, without `.0`.
            Number::Float(v) => fmt::Display::fmt(v, f),
        }
    }
}

impl Measure {
    /// The number, as `f64`.
    pub fn value(&self) -> f64 {
        match self.number {
            Number::Int(v) => v as f64,
            Number::Float(v) => v,
        }
    }

    /// The number as `i64`, when it is integral and fits (`"35.0%"` gives 35, `35.2` none).
    pub fn as_i64(&self) -> Option<i64> {
        match self.number {
            Number::Int(v) => Some(v),
            Number::Float(v) => float_to_i64(v),
        }
    }

    /// The unit: the text after the number (`%`, `人`, `元`, `人次`), or a currency sign
    /// before it (`¥`) when nothing follows.
    pub fn unit(&self) -> Option<&str> {
        let text = self.text.as_deref()?;
        text.text.get(text.unit.clone()?)
    }

    /// The text the gateway sent, when it differs from the plain rendering of the number.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref().map(|text| text.text.as_str())
    }

    fn plain(number: Number) -> Measure {
        Measure { number, text: None }
    }

    fn with_text(number: Number, text: String, unit: Option<Range<usize>>) -> Measure {
        Measure {
            number,
            text: Some(Box::new(Text { text, unit })),
        }
    }
}

impl From<i64> for Measure {
    fn from(v: i64) -> Measure {
        Measure::plain(Number::Int(v))
    }
}

impl fmt::Debug for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Measure")
            .field("value", &self.number)
            .field("unit", &self.unit())
            .field("text", &self.text())
            .finish()
    }
}

/// The original text when there is one, else the number (integers without `.0`).
impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(text) => f.write_str(text),
            None => self.number.fmt(f),
        }
    }
}

/// The text is not a number; the caller turns this into a serde error naming the field.
pub(crate) struct NotANumber;

/// Decodes a text: `Ok(None)` for no value (empty, white space, a placeholder).
pub(crate) fn parse_text(text: &str) -> Result<Option<Measure>, NotANumber> {
    match parse_number(text) {
        Ok((number, unit)) => {
            let keep_text = unit.is_some() || !renders_as(number, text);
            Ok(Some(if keep_text {
                Measure::with_text(number, text.to_owned(), unit)
            } else {
                Measure::plain(number)
            }))
        }
        // Checked only when there is no number, so the common case pays nothing for it.
        Err(NotANumber) if is_no_value(text.trim()) => Ok(None),
        Err(NotANumber) => Err(NotANumber),
    }
}

fn is_no_value(trimmed: &str) -> bool {
    trimmed.is_empty() || PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(trimmed))
}

/// The number in `text` and the byte range of its unit in `text`.
fn parse_number(text: &str) -> Result<(Number, Option<Range<usize>>), NotANumber> {
    // Every slice taken below is a suffix of `text`, which locates it in `text`.
    let offset = |suffix: &str| text.len() - suffix.len();

    // A sign and a currency sign, in either order: "-¥12", "¥-12".
    let mut rest = text.trim_start();
    let (mut negative, mut signed, mut currency) = (false, false, None);
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            Some(c @ ('-' | '+')) if !signed => {
                (negative, signed) = (c == '-', true);
                rest = chars.as_str();
            }
            Some(c) if currency.is_none() && CURRENCY_SIGNS.contains(&c) => {
                currency = Some(offset(rest)..offset(rest) + c.len_utf8());
                rest = chars.as_str().trim_start();
            }
            _ => break,
        }
    }

    let bytes = rest.as_bytes();
    let digits_from = |at: usize| {
        bytes
            .get(at..)
            .map_or(0, |b| b.iter().take_while(|b| b.is_ascii_digit()).count())
    };

    // Integer part, with thousands separators each followed by exactly three digits.
    let mut end = digits_from(0);
    let int_digits = end;
    loop {
        let separator = match rest[end..].chars().next() {
            Some(c @ (',' | '，')) if int_digits > 0 => c.len_utf8(),
            _ => break,
        };
        if digits_from(end + separator) != 3 {
            return Err(NotANumber);
        }
        end += separator + 3;
    }

    let mut is_float = false;
    if bytes.get(end) == Some(&b'.') {
        let fraction = digits_from(end + 1);
        if int_digits == 0 && fraction == 0 {
            return Err(NotANumber);
        }
        end += 1 + fraction;
        is_float = true;
    } else if int_digits == 0 {
        return Err(NotANumber);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exponent = digits_from(end + 1 + sign);
        if exponent > 0 {
            end += 1 + sign + exponent;
            is_float = true;
        }
    }

    let tail = rest[end..].trim_start();
    if tail.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | '，' | '+' | '-'))
    {
        return Err(NotANumber);
    }

    let literal = &rest[..end];
    let int = if is_float {
        None
    } else {
        parse_int(literal, negative)
    };
    let number = match int {
        Some(v) => Number::Int(v),
        // Not integral, or too large for i64: the text is kept, so nothing is lost.
        _ => Number::Float(parse_float(literal, negative)?),
    };
    let unit = tail.trim_end();
    let unit = if unit.is_empty() {
        currency
    } else {
        Some(offset(tail)..offset(tail) + unit.len())
    };
    Ok((number, unit))
}

/// The integer of a literal of digits and separators, `None` when it overflows `i64`.
fn parse_int(literal: &str, negative: bool) -> Option<i64> {
    literal
        .bytes()
        .filter(u8::is_ascii_digit)
        .try_fold(0i64, |acc, digit| {
            let digit = i64::from(digit - b'0');
            acc.checked_mul(10)?
                .checked_add(if negative { -digit } else { digit })
        })
}

/// The finite `f64` of a literal of digits, separators, a decimal point and an exponent.
fn parse_float(literal: &str, negative: bool) -> Result<f64, NotANumber> {
    // Separators out, the sign in: on the stack for the lengths the gateway sends.
    let mut stack = [0u8; 64];
    let mut heap = Vec::new();
    let buffer: &mut [u8] = if literal.len() < stack.len() {
        &mut stack
    } else {
        heap.resize(literal.len() + 1, 0);
        &mut heap
    };
    let cleaned = negative
        .then_some(b'-')
        .into_iter()
        .chain(literal.bytes().filter(|b| b.is_ascii() && *b != b','));
    let mut len = 0;
    for (slot, byte) in buffer.iter_mut().zip(cleaned) {
        *slot = byte;
        len += 1;
    }
    match std::str::from_utf8(&buffer[..len]).map(str::parse::<f64>) {
        Ok(Ok(v)) if v.is_finite() => Ok(v),
        _ => Err(NotANumber),
    }
}

/// Whether `number` renders exactly as `text`, compared without allocating.
fn renders_as(number: Number, text: &str) -> bool {
    struct Compare<'a>(Option<&'a str>);

    impl fmt::Write for Compare<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.and_then(|rest| rest.strip_prefix(s));
            Ok(())
        }
    }

    let mut compare = Compare(Some(text));
    let _ = write!(compare, "{number}");
    compare.0 == Some("")
}

impl Serialize for Measure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(text) = self.text() else {
            return match self.number {
                Number::Int(v) => serializer.serialize_i64(v),
                Number::Float(v) => serializer.serialize_f64(v),
            };
        };
        let unit = self.unit();
        let mut map = serializer.serialize_map(Some(2 + usize::from(unit.is_some())))?;
        match self.number {
            Number::Int(v) => map.serialize_entry("value", &v)?,
            Number::Float(v) => map.serialize_entry("value", &v)?,
        }
        if let Some(unit) = unit {
            map.serialize_entry("unit", unit)?;
        }
        map.serialize_entry("text", text)?;
        map.end()
    }
}

/// A `Measure` is required here: `null`, `""` and the placeholders are errors. Inside
/// [`TotalData`](crate::TotalData) they mean `None` instead.
impl<'de> Deserialize<'de> for Measure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LenientMeasure::deserialize(deserializer)?
            .0
            .ok_or_else(|| de::Error::custom(format_args!("expected {EXPECTING}, found no value")))
    }
}

/// An optional [`Measure`]: `null`, `""` and the placeholders are `None`.
pub(crate) struct LenientMeasure(pub(crate) Option<Measure>);

impl<'de> Deserialize<'de> for LenientMeasure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(MeasureVisitor)
            .map(LenientMeasure)
    }
}

struct MeasureVisitor;

impl<'de> Visitor<'de> for MeasureVisitor {
    type Value = Option<Measure>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Measure::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(match i64::try_from(v) {
            Ok(v) => Measure::from(v),
            // Beyond i64 the f64 is rounded; the digits are kept as text, unless the float
            // renders as the same digits (text is kept only where it differs, so that a
            // measure reads back equal from its own serialization).
            Err(_) => {
                let number = Number::Float(v as f64);
                let digits = v.to_string();
                if number.to_string() == digits {
                    Measure::plain(number)
                } else {
                    Measure::with_text(number, digits, None)
                }
            }
        }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() {
            Ok(Some(Measure::plain(Number::Float(v))))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_text(v).map_err(|NotANumber| E::invalid_value(Unexpected::Str(v), &self))
    }

    null_means!(None);

    /// The stored form `{"value": …, "unit": …, "text": …}`: `text`, when present, is decoded
    /// again (so `value` and `unit` cannot contradict it); otherwise `value` is the number.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut value, mut text) = (None, None::<String>);
        while let Some(Key(key)) = map.next_key()? {
            match &*key {
                "value" => value = Some(map.next_value::<LenientMeasure>()?.0),
                "text" => text = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (text, value) {
            (Some(text), _) => match parse_text(&text) {
                Ok(Some(measure)) => Ok(Some(measure)),
                _ => Err(de::Error::invalid_value(
                    Unexpected::Str(&text),
                    &"the text of a stored measure, holding a number",
                )),
            },
            (None, Some(value)) => Ok(value),
            (None, None) => Err(de::Error::invalid_type(Unexpected::Map, &self)),
        }
    }
}

// A series of a year by the hour for many stores holds millions of measures: an optional one
// stays at 24 bytes (it was 64 before the text and unit were boxed together).
const _: () = assert!(std::mem::size_of::<Option<Measure>>() <= 24);
