use std::fmt;

use crate::SIG_PARAM;

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

/// `secret + name1value1name2value2… + secret` for pairs already in signing order: the bytes
/// that [`sign`](crate::sign) hashes (it feeds the same pieces to the hasher one by one,
/// without building this text), for [`explain`] to show.
pub(crate) fn canonical_text(secret: &str, sorted: &[(&str, &str)]) -> String {
    let len = 2 * secret.len() + sorted.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let mut text = String::with_capacity(len);
    text.push_str(secret);
    for (name, value) in sorted {
        text.push_str(name);
        text.push_str(value);
    }
    text.push_str(secret);
    text
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
    let middle = canonical_text("", &sorted_pairs(pairs));
    let middle = if secret.is_empty() {
        middle
    } else {
        middle.replace(secret, SECRET_MASK)
    };
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
