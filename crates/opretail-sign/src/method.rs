use std::fmt;
use std::str::FromStr;

/// The hash algorithm named by the `_sm` parameter.
///
/// ```
/// use opretail_sign::SignMethod;
///
/// assert_eq!("MD5".parse::<SignMethod>().unwrap(), SignMethod::Md5);
/// assert_eq!(SignMethod::Sha1.as_str(), "sha1");
/// assert_eq!("SHA256".parse::<SignMethod>().unwrap(), SignMethod::Sha256);
/// assert!("sha512".parse::<SignMethod>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    /// MD5, 32 hex digits. The gateway's default and the SDK's.
    #[default]
    Md5,
    /// SHA-1, 40 hex digits.
    Sha1,
    /// SHA-256, 64 hex digits: the vendor's newer SDKs offer it. The gateway's documentation
    /// still lists only `md5` and `sha1`.
    Sha256,
}

impl SignMethod {
    /// Every method the gateway accepts.
    pub const ALL: [SignMethod; 3] = [SignMethod::Md5, SignMethod::Sha1, SignMethod::Sha256];

    /// The value sent as `_sm`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Sha1 => "sha1",
            SignMethod::Sha256 => "sha256",
        }
    }

    /// The number of hex digits of a signature made with this method.
    pub const fn hex_len(self) -> usize {
        match self {
            SignMethod::Md5 => 32,
            SignMethod::Sha1 => 40,
            SignMethod::Sha256 => 64,
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sign method name other than `md5`, `sha1` or `sha256`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSignMethod(pub String);

impl fmt::Display for UnknownSignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown sign method {:?}: use `md5`, `sha1` or `sha256`",
            self.0
        )
    }
}

impl std::error::Error for UnknownSignMethod {}

impl FromStr for SignMethod {
    type Err = UnknownSignMethod;

    /// Parses `md5`, `sha1` or `sha256` in any letter case (the gateway lower-cases `_sm`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignMethod::ALL
            .into_iter()
            .find(|method| s.eq_ignore_ascii_case(method.as_str()))
            .ok_or_else(|| UnknownSignMethod(s.to_owned()))
    }
}
