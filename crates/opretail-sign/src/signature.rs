use std::fmt;

use md5::Md5;
use sha1::{Digest, Sha1};

use crate::SignMethod;
use crate::canonical::{canonical_text, sorted_pairs};

/// A `_sig` value: upper-case hex, 32 digits for MD5 or 40 for SHA-1.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Signature(String);

impl Signature {
    /// The signature as sent in `_sig`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The signature's ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.0)
    }
}

impl AsRef<str> for Signature {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Signature> for String {
    fn from(sig: Signature) -> String {
        sig.0
    }
}

impl PartialEq<str> for Signature {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Signature {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Signs a set of `(name, value)` pairs as the gateway does.
///
/// Sorts by name byte by byte, leaves `_sig` out, keeps empty values, hashes
/// `secret + name1value1name2value2… + secret` as UTF-8 and hex-encodes in upper case.
/// Values are signed exactly as given: trimming is the caller's business.
///
/// ```
/// use opretail_sign::{sign, SignMethod};
///
/// // The platform vendor's worked example.
/// let pairs = [
///     ("_aid", "S107"), ("orgid", "1"), ("_akey", "test"), ("_requestMode", "post"),
///     ("_mt", "open.demo.queryOpenAccount"), ("_sm", "md5"), ("_version", "v1"),
///     ("_timestamp", "20171221132407"),
/// ];
/// assert_eq!(sign(SignMethod::Md5, "test", &pairs), "5489704B80A47394025527D6D51FB582");
/// ```
pub fn sign<'a, I, K, V>(method: SignMethod, secret: &str, pairs: I) -> Signature
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let text = canonical_text(secret, &sorted_pairs(pairs));
    let hex = match method {
        SignMethod::Md5 => hex::encode_upper(Md5::digest(text.as_bytes())),
        SignMethod::Sha1 => hex::encode_upper(Sha1::digest(text.as_bytes())),
    };
    Signature(hex)
}

/// Checks a claimed `_sig` against the pairs, as the gateway does.
///
/// The claimed signature may be in either hex case. The comparison takes the same time
/// wherever the first difference is, so it leaks nothing about the right signature.
///
/// ```
/// use opretail_sign::{verify, SignMethod};
///
/// let pairs = [("_aid", "S107"), ("orgid", "1")];
/// let sig = opretail_sign::sign(SignMethod::Sha1, "s3cret", &pairs);
/// assert!(verify(SignMethod::Sha1, &pairs, "s3cret", &sig.as_str().to_lowercase()));
/// assert!(!verify(SignMethod::Sha1, &pairs, "other", sig.as_str()));
/// ```
pub fn verify<'a, I, K, V>(method: SignMethod, pairs: I, secret: &str, claimed: &str) -> bool
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let expected = sign(method, secret, pairs);
    let expected = expected.as_bytes();
    let claimed = claimed.as_bytes();
    // The length of a signature is public (it follows from the method).
    if expected.len() != claimed.len() {
        return false;
    }
    let diff = expected
        .iter()
        .zip(claimed)
        .fold(0u8, |acc, (e, c)| acc | (e ^ c.to_ascii_uppercase()));
    diff == 0
}
