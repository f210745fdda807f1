use std::fmt;

use crate::SIG_PARAM;

/// Requests up to this many parameters are sorted on the stack.
const STACK_PAIRS: usize = 24;

/// Runs `f` on the pairs in signing order, without allocating for ordinary requests and
/// without sorting pairs that already come in order (as the SDK's own requests do).
pub(crate) fn with_sorted_pairs<'a, I, K, V, R>(
    pairs: I,
    f: impl FnOnce(&[(&'a str, &'a str)]) -> R,
) -> R
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let mut stack: [(&str, &str); STACK_PAIRS] = [("", ""); STACK_PAIRS];
    let mut len = 0;
    let mut iter = pairs
        .into_iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, _)| k.as_bytes() != SIG_PARAM.as_bytes());
    for pair in iter.by_ref() {
        if len == STACK_PAIRS {
            let mut heap: Vec<(&str, &str)> = stack.to_vec();
            heap.push(pair);
            heap.extend(iter);
            heap.sort_unstable();
            return f(&heap);
        }
        stack[len] = pair;
        len += 1;
    }
    let sorted = &mut stack[..len];
    if !sorted.is_sorted_by(|a, b| cmp_pair(a, b).is_le()) {
        sorted.sort_unstable_by(cmp_pair);
    }
    f(sorted)
}

/// Byte-wise order of names, then values: the same order as `str`'s `Ord`, written out so
/// that the short names of a request compare inline instead of through `memcmp` calls.
#[inline]
fn cmp_pair(a: &(&str, &str), b: &(&str, &str)) -> std::cmp::Ordering {
    cmp_bytes(a.0.as_bytes(), b.0.as_bytes())
        .then_with(|| cmp_bytes(a.1.as_bytes(), b.1.as_bytes()))
}

#[inline]
fn cmp_bytes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// What stands for the secret in an [`Explanation`].
pub const SECRET_MASK: &str = "<secret>";

/// The pairs that are signed, in signing order: `_sig` left out, sorted by name byte by byte
/// (then by value, so that the order of the input never matters, even for repeated names).
///
/// The pairs are borrowed; nothing is copied.
///
/// ```
/// let pairs = [("id", "S_1"), ("_sig", "X"), ("Zeta", "z"), ("_aid", "S107")];
/// let sorted: Vec<_> = opretail_sign::sorted_pairs(&pairs).into_iter().map(|(k, _)| k).collect();
/// assert_eq!(sorted, ["Zeta", "_aid", "id"]);
/// ```
pub fn sorted_pairs<'a, I, K, V>(pairs: I) -> Vec<(&'a str, &'a str)>
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let mut sorted: Vec<(&str, &str)> = pairs
        .into_iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, _)| *k != SIG_PARAM)
        .collect();
    // `str`'s `Ord` is byte-wise, which is exactly the gateway's rule.
    sorted.sort_unstable();
    sorted
}

/// The canonical string of a request with the secret masked, for debugging `SIGN_WRONG`.
///
/// Shows `<secret>name1value1name2value2…<secret>`: exactly what is hashed, with the secret
/// replaced by [`SECRET_MASK`]. Should the secret also occur inside a value, it is masked
/// there too; and should masking still leave it visible (a secret that is a piece of the
/// mask itself), the text is withheld. The explanation never contains the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Explanation {
    text: String,
}

impl Explanation {
    /// The masked canonical string.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

/// Explains what [`sign`](crate::sign) hashes for these pairs, with the secret masked.
///
/// ```
/// let pairs = [("_aid", "S107"), ("orgid", "1"), ("_sig", "ignored")];
/// let explained = opretail_sign::explain(&pairs, "test");
/// assert_eq!(explained.as_str(), "<secret>_aidS107orgid1<secret>");
/// ```
pub fn explain<'a, I, K, V>(pairs: I, secret: &str) -> Explanation
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let mut middle = String::new();
    for (k, v) in sorted_pairs(pairs) {
        middle.push_str(k);
        middle.push_str(v);
    }
    if !secret.is_empty() && middle.contains(secret) {
        middle = middle.replace(secret, SECRET_MASK);
    }
    let text = format!("{SECRET_MASK}{middle}{SECRET_MASK}");
    if secret.is_empty() || !text.contains(secret) {
        return Explanation { text };
    }
    let withheld = "<withheld: the secret cannot be masked in this canonical string>";
    let text = if withheld.contains(secret) {
        String::new()
    } else {
        withheld.to_owned()
    };
    Explanation { text }
}
