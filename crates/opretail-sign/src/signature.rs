use std::fmt;

use md5::Md5;
use sha1::{Digest, Sha1};

use crate::SignMethod;
use crate::canonical::with_sorted_pairs;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The two upper-case hex digits of every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [HEX_UPPER[i >> 4], HEX_UPPER[i & 0x0f]];
        i += 1;
    }
    table
};

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
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(*byte)]);
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

/// Collects bytes into a block-sized stack buffer before they reach the hasher: many tiny
/// `update` calls cost more than the hashing itself for a 10-parameter request.
struct Feed<D: Digest> {
    hasher: D,
    buf: [u8; 256],
    len: usize,
}

impl<D: Digest> Feed<D> {
    fn new() -> Self {
        Feed {
            hasher: D::new(),
            buf: [0; 256],
            len: 0,
        }
    }

    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        if let Some(room) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            room.copy_from_slice(bytes);
            self.len += bytes.len();
            return;
        }
        self.hasher.update(&self.buf[..self.len]);
        self.len = 0;
        if bytes.len() > self.buf.len() {
            self.hasher.update(bytes);
        } else {
            self.buf[..bytes.len()].copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }

    fn finish(mut self) -> Signature {
        self.hasher.update(&self.buf[..self.len]);
        Signature::from_digest(&self.hasher.finalize())
    }
}

/// The canonical text of ordinary requests fits in this many bytes and is hashed in one
/// `update`; longer text goes through [`Feed`] in buffer-sized pieces.
const ONE_SHOT: usize = 512;

fn hash<D: Digest>(secret: &str, sorted: &[(&str, &str)]) -> Signature {
    let total = 2 * secret.len() + sorted.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    if total <= ONE_SHOT {
        let mut buf = [0u8; ONE_SHOT];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            buf[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(secret.as_bytes());
        for (name, value) in sorted {
            put(name.as_bytes());
            put(value.as_bytes());
        }
        put(secret.as_bytes());
        return Signature::from_digest(&D::digest(&buf[..total]));
    }
    // The canonical text goes to the hasher in buffer-sized pieces: it is never built whole.
    let mut feed = Feed::<D>::new();
    feed.push(secret.as_bytes());
    for (name, value) in sorted {
        feed.push(name.as_bytes());
        feed.push(value.as_bytes());
    }
    feed.push(secret.as_bytes());
    feed.finish()
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
    with_sorted_pairs(pairs, |sorted| match method {
        SignMethod::Md5 => hash::<Md5>(secret, sorted),
        SignMethod::Sha1 => hash::<Sha1>(secret, sorted),
    })
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
