#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod canonical;
mod method;
mod rsa_mode;
mod signature;

pub use canonical::{Explanation, SECRET_MASK, explain, sorted_pairs};
pub use method::{SignMethod, UnknownSignMethod};
pub use rsa_mode::{
    KeyError, RSA_SIGN_METHOD, RsaSigningKey, RsaVerifyingKey, sign_rsa, verify_rsa,
};
pub use signature::{Signature, sign, verify};

/// The name of the signature parameter. It is never part of what is signed.
pub const SIG_PARAM: &str = "_sig";
