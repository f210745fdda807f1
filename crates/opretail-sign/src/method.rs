use std::fmt;
use std::str::FromStr;

/// The hash algorithm named by the `_sm` parameter.
///
/// ```
/// use opretail_sign::SignMethod;
///
/// assert_eq!("MD5".parse::<SignMethod>().unwrap(), SignMethod::Md5);
/// assert_eq!(SignMethod::Sha1.as_str(), "sha1");
/// assert!("sha256".parse::<SignMethod>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    /// MD5, 32 hex digits. The gateway's default and the SDK's.
    #[default]
    Md5,
    /// SHA-1, 40 hex digits.
    Sha1,
}

impl SignMethod {
    /// Every method the gateway accepts.
    pub const ALL: [SignMethod; 2] = [SignMethod::Md5, SignMethod::Sha1];

    /// The value sent as `_sm`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Sha1 => "sha1",
        }
    }

    /// The number of hex digits of a signature made with this method.
    pub const fn hex_len(self) -> usize {
        match self {
            SignMethod::Md5 => 32,
            SignMethod::Sha1 => 40,
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sign method name other than `md5` or `sha1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSignMethod(pub String);

impl fmt::Display for UnknownSignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown sign method {:?}: the gateway accepts `md5` or `sha1`",
            self.0
        )
    }
}

impl std::error::Error for UnknownSignMethod {}

impl FromStr for SignMethod {
    type Err = UnknownSignMethod;

    /// Parses `md5` or `sha1` in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("md5") {
            Ok(SignMethod::Md5)
        } else if s.eq_ignore_ascii_case("sha1") {
            Ok(SignMethod::Sha1)
        } else {
            Err(UnknownSignMethod(s.to_owned()))
        }
    }
}
