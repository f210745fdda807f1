use std::fmt;

use md5::Md5;
use sha1::{Digest, Sha1};

use crate::{SignMethod, canonical::sorted_pairs};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// A `_sig` value: upper-case hex, 32 digits for MD5 or 40 for SHA-1. Stored inline, no
/// allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    hex: [u8; 40],
    len: u8,
}

impl Signature {
    fn from_digest(digest: &[u8]) -> Self {
        let mut hex = [0u8; 40];
        for (i, byte) in digest.iter().take(20).enumerate() {
            hex[2 * i] = HEX_UPPER[usize::from(byte >> 4)];
            hex[2 * i + 1] = HEX_UPPER[usize::from(byte & 0x0f)];
        }
        let len = (digest.len().min(20) * 2) as u8;
        Signature { hex, len }
    }

    /// The signature as sent in `_sig`.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into `hex`.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The signature's ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.hex[..usize::from(self.len)]
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.as_str())
    }
}

impl AsRef<str> for Signature {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Signature {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Signature {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

fn hash<D: Digest>(mut hasher: D, secret: &str, sorted: &[(&str, &str)]) -> Signature {
    // The canonical text goes into the hasher piece by piece: no buffer of it is built.
    hasher.update(secret.as_bytes());
    for (name, value) in sorted {
        hasher.update(name.as_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(secret.as_bytes());
    Signature::from_digest(&hasher.finalize())
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
    let sorted = sorted_pairs(pairs);
    match method {
        SignMethod::Md5 => hash(Md5::new(), secret, &sorted),
        SignMethod::Sha1 => hash(Sha1::new(), secret, &sorted),
    }
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
