//! `_sm=rsa`: the vendor's newer signing mode. SHA1withRSA (RSASSA-PKCS1-v1_5 over SHA-1) of
//! the byte-sorted `name`+`value` text of every parameter but `_sig`, with no secret around
//! it, the signature in standard base64. The developer signs with their own private key and
//! the platform verifies with the public key registered in its console.
//!
//! The keys come as the console gives them: the base64 text of a PKCS#8 `PrivateKeyInfo`
//! (private) or of a `SubjectPublicKeyInfo` (public), on one line or several; PEM files
//! (`BEGIN PRIVATE KEY`, `BEGIN RSA PRIVATE KEY`, `BEGIN PUBLIC KEY`, `BEGIN RSA PUBLIC
//! KEY`) are read too. Encrypted private keys are refused with the command that decrypts
//! them. Key types never show their material in `Debug`.
//!
//! The `rsa` crate (RustCrypto, 0.9) is still exposed to the Marvin timing attack (RUSTSEC-2023-0071)
//! on private-key operations an attacker can time at scale. Signing here happens on the
//! developer's own machine, with their own key, a few times a second at most, and nothing
//! is decrypted, so the attack has nothing to observe.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1_rsa::Sha1;

use crate::canonical::{canonical_text, sorted_pairs};
use crate::signature::Signature;

/// The `_sm` value of this mode.
pub const RSA_SIGN_METHOD: &str = "rsa";

/// Why a key could not be read. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// A developer's RSA private key, ready to sign requests.
///
/// ```
/// # let pem = include_str!("../tests/data/rsa-test-key.pem");
/// let key = opretail_sign::RsaSigningKey::from_text(pem)?;
/// assert_eq!(format!("{key:?}"), "RsaSigningKey(1024 bits, material not shown)");
/// # Ok::<(), opretail_sign::KeyError>(())
/// ```
#[derive(Clone)]
pub struct RsaSigningKey {
    key: pkcs1v15::SigningKey<Sha1>,
    bits: usize,
}

/// A public RSA key, to verify `_sig` as the gateway does.
#[derive(Clone)]
pub struct RsaVerifyingKey {
    key: pkcs1v15::VerifyingKey<Sha1>,
    bits: usize,
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaSigningKey({} bits, material not shown)", self.bits)
    }
}

impl fmt::Debug for RsaVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaVerifyingKey({} bits)", self.bits)
    }
}

/// The PEM label of `text`, when it is PEM.
fn pem_label(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("-----BEGIN ")?;
    rest.split_once("-----").map(|(label, _)| label)
}

/// The bytes of base64 text, whitespace (line breaks) ignored.
fn base64_der(text: &str, what: &str) -> Result<Vec<u8>, KeyError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| {
        KeyError(format!(
            "the {what} is neither PEM nor base64: give the key text from the developer console \
             (base64) or a PEM file"
        ))
    })
}

impl RsaSigningKey {
    /// Reads a private key: the console's base64 PKCS#8 text, or a PEM file (PKCS#8 or
    /// PKCS#1).
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError("the private key is empty".into()));
        }
        let unreadable = |form: &str| {
            KeyError(format!(
                "the private key is not a readable RSA key ({form}); give the PKCS#8 key from \
                 the developer console, as base64 text or PEM"
            ))
        };
        let key = match pem_label(text) {
            Some("PRIVATE KEY") => {
                RsaPrivateKey::from_pkcs8_pem(text).map_err(|_| unreadable("PKCS#8 PEM"))?
            }
            Some("RSA PRIVATE KEY") => {
                RsaPrivateKey::from_pkcs1_pem(text).map_err(|_| unreadable("PKCS#1 PEM"))?
            }
            Some("ENCRYPTED PRIVATE KEY") => {
                return Err(KeyError(
                    "the private key is encrypted; decrypt it first: openssl pkcs8 -in \
                     key.pem -out plain.pem (keep the result private)"
                        .into(),
                ));
            }
            Some(other) => {
                return Err(KeyError(format!(
                    "a PEM `{other}` is not an RSA private key; give the PRIVATE KEY"
                )));
            }
            None => {
                let der = base64_der(text, "private key")?;
                RsaPrivateKey::from_pkcs8_der(&der)
                    .or_else(|_| RsaPrivateKey::from_pkcs1_der(&der))
                    .map_err(|_| unreadable("base64 DER"))?
            }
        };
        let bits = rsa::traits::PublicKeyParts::size(&key) * 8;
        Ok(RsaSigningKey {
            key: pkcs1v15::SigningKey::new(key),
            bits,
        })
    }

    /// The public half, to register with the platform or to verify with.
    pub fn verifying_key(&self) -> RsaVerifyingKey {
        use rsa::signature::Keypair as _;
        RsaVerifyingKey {
            key: self.key.verifying_key(),
            bits: self.bits,
        }
    }
}

impl RsaVerifyingKey {
    /// Reads a public key: base64 `SubjectPublicKeyInfo` text, or a PEM file (`PUBLIC KEY`
    /// or `RSA PUBLIC KEY`).
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError("the public key is empty".into()));
        }
        let unreadable = |form: &str| {
            KeyError(format!(
                "the public key is not a readable RSA key ({form}); give the public key as \
                 base64 SubjectPublicKeyInfo or PEM"
            ))
        };
        let key = match pem_label(text) {
            Some("PUBLIC KEY") => {
                RsaPublicKey::from_public_key_pem(text).map_err(|_| unreadable("PEM"))?
            }
            Some("RSA PUBLIC KEY") => {
                RsaPublicKey::from_pkcs1_pem(text).map_err(|_| unreadable("PKCS#1 PEM"))?
            }
            Some(other) => {
                return Err(KeyError(format!(
                    "a PEM `{other}` is not an RSA public key; give the PUBLIC KEY"
                )));
            }
            None => {
                let der = base64_der(text, "public key")?;
                RsaPublicKey::from_public_key_der(&der)
                    .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
                    .map_err(|_| unreadable("base64 DER"))?
            }
        };
        let bits = rsa::traits::PublicKeyParts::size(&key) * 8;
        Ok(RsaVerifyingKey {
            key: pkcs1v15::VerifyingKey::new(key),
            bits,
        })
    }
}

/// Signs `(name, value)` pairs in `_sm=rsa` mode: SHA1withRSA of `name1value1name2value2…`
/// (sorted byte by byte, `_sig` left out, no secret), in standard base64.
///
/// ```
/// use opretail_sign::{RsaSigningKey, sign_rsa, verify_rsa};
///
/// # let pem = include_str!("../tests/data/rsa-test-key.pem");
/// let key = RsaSigningKey::from_text(pem)?;
/// let pairs = [("_aid", "S107"), ("_sm", "rsa"), ("id", "S_1001")];
/// let sig = sign_rsa(&key, &pairs);
/// assert!(verify_rsa(&key.verifying_key(), &pairs, sig.as_str()));
/// assert!(!verify_rsa(&key.verifying_key(), &[("_aid", "S108")], sig.as_str()));
/// # Ok::<(), opretail_sign::KeyError>(())
/// ```
pub fn sign_rsa<'a, I, K, V>(key: &RsaSigningKey, pairs: I) -> Signature
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let text = canonical_text("", &sorted_pairs(pairs));
    let signature = key.key.sign(text.as_bytes());
    Signature::new(STANDARD.encode(signature.to_bytes()))
}

/// Checks a claimed `_sig` in `_sm=rsa` mode against the pairs, as the gateway does; `false`
/// for anything that is not a base64 signature of the pairs by this key.
pub fn verify_rsa<'a, I, K, V>(key: &RsaVerifyingKey, pairs: I, claimed: &str) -> bool
where
    I: IntoIterator<Item = &'a (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let Ok(bytes) = STANDARD.decode(claimed.trim()) else {
        return false;
    };
    let Ok(signature) = pkcs1v15::Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    let text = canonical_text("", &sorted_pairs(pairs));
    key.key.verify(text.as_bytes(), &signature).is_ok()
}
