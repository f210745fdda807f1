//! The gateway's return codes (`stat.code`), with what each means and what to do about it.

use std::fmt;

macro_rules! return_codes {
    (
        published { $( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal, $meaning:literal, $remedy:literal; )* }
        seen { $( $(#[$seen_doc:meta])* $seen_variant:ident = $seen_code:literal, $seen_name:literal, $seen_meaning:literal, $seen_remedy:literal; )* }
    ) => {
        /// A gateway return code.
        ///
        /// Every code the SDK documents has a variant: the 21 of the platform's published
        /// table ([`ReturnCode::is_published`]) and a few the platform answers with but does
        /// not list there, such as [`ReturnCode::TokenNotExist`]. Any other code is kept, with
        /// the name the gateway sent, as [`ReturnCode::Other`], never folded into
        /// [`ReturnCode::UnknownError`].
        ///
        /// ```
        /// use opretail_model::ReturnCode;
        ///
        /// assert_eq!(ReturnCode::from_code(7), ReturnCode::SignWrong);
        /// assert_eq!(ReturnCode::SignWrong.name(), "SIGN_WRONG");
        /// let unknown = ReturnCode::from_wire(4711, Some("ID_PREFIX_WRONG"));
        /// assert_eq!((unknown.code(), unknown.name()), (4711, "ID_PREFIX_WRONG"));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ReturnCode {
            $( $(#[$doc])* $variant, )*
            $( $(#[$seen_doc])* $seen_variant, )*
            /// A code the platform does not document, kept as it came.
            Other {
                /// The numeric code.
                code: i64,
                /// The `codename` the gateway sent with it, if any.
                name: Option<String>,
            },
        }

        impl ReturnCode {
            /// Every code the SDK documents: the platform's published table in its order,
            /// then the codes seen on the platform but missing from that table.
            pub const DOCUMENTED: &'static [ReturnCode] = &[
                $( ReturnCode::$variant, )*
                $( ReturnCode::$seen_variant, )*
            ];

            /// The platform's published table, in its order (21 codes).
            pub const PUBLISHED: &'static [ReturnCode] = &[ $( ReturnCode::$variant, )* ];

            /// Whether the code is in the platform's published table. `false` for the codes
            /// seen on the platform but missing from it (and for [`ReturnCode::Other`]).
            pub fn is_published(&self) -> bool {
                matches!(self, $( ReturnCode::$variant )|*)
            }

            /// The numeric code.
            pub fn code(&self) -> i64 {
                match self {
                    $( ReturnCode::$variant => $code, )*
                    $( ReturnCode::$seen_variant => $seen_code, )*
                    ReturnCode::Other { code, .. } => *code,
                }
            }

            /// The documented name (`SIGN_WRONG`), or the name the gateway sent for an
            /// undocumented code (`UNDOCUMENTED` when it sent none).
            pub fn name(&self) -> &str {
                match self {
                    $( ReturnCode::$variant => $name, )*
                    $( ReturnCode::$seen_variant => $seen_name, )*
                    ReturnCode::Other { name, .. } => name.as_deref().unwrap_or("UNDOCUMENTED"),
                }
            }

            /// What the code means, from the platform's table (or from what was seen).
            pub fn meaning(&self) -> &'static str {
                match self {
                    $( ReturnCode::$variant => $meaning, )*
                    $( ReturnCode::$seen_variant => $seen_meaning, )*
                    ReturnCode::Other { .. } => "a code the platform does not document (often a business error of the method)",
                }
            }

            /// What the caller should do about it.
            pub fn remedy(&self) -> &'static str {
                match self {
                    $( ReturnCode::$variant => $remedy, )*
                    $( ReturnCode::$seen_variant => $seen_remedy, )*
                    ReturnCode::Other { .. } => "read the gateway's message and quote the cid to the platform's support",
                }
            }

            /// The documented code with this number, or [`ReturnCode::Other`] without a name.
            pub fn from_code(code: i64) -> ReturnCode {
                match code {
                    $( $code => ReturnCode::$variant, )*
                    $( $seen_code => ReturnCode::$seen_variant, )*
                    code => ReturnCode::Other { code, name: None },
                }
            }
        }
    };
}

return_codes! {
    published {
    /// `0`: the call succeeded.
    Success = 0, "SUCCESS", "call succeeded", "nothing to do";
    /// `1`: `_akey` is empty.
    KeyNotNull = 1, "KEY_NOTNULL", "_akey is empty", "send the _akey parameter";
    /// `2`: `_akey` is illegal.
    KeyUnlawful = 2, "KEY_UNLAWFUL", "_akey is illegal", "use the key the platform assigned to you";
    /// `3`: `_akey` has expired.
    KeyHasExpired = 3, "KEY_HAS_EXPIRED", "_akey has expired", "renew the service or contact the platform administrator";
    /// `4`: `_sm` is empty.
    SignMethodNotNull = 4, "SIGN_METHOD_NOTNULL", "_sm is empty", "send the _sm parameter";
    /// `5`: the `_sm` type does not exist.
    SignTypeNotExist = 5, "SIGN_TYPE_NOTEXIST", "_sm type does not exist", "use md5, sha1, sha256 or rsa (an older gateway takes md5 or sha1 only)";
    /// `6`: `_sig` is empty.
    SignNotNull = 6, "SIGN_NOTNULL", "_sig is empty", "send the _sig parameter";
    /// `7`: the signature is invalid.
    SignWrong = 7, "SIGN_WRONG", "invalid signature", "check the parameters, the secret (_asid) and the signing rule; `opretail sign --explain` shows what was signed";
    /// `8`: `_mt` is empty.
    MethodNotNull = 8, "METHOD_NOTNULL", "_mt is empty", "send the _mt parameter";
    /// `9`: the method (at that version) does not exist or is not registered.
    MethodNotExist = 9, "METHOD_NOTEXIST_CODE", "method _mt (at _version) does not exist or is not registered", "check the method name and version";
    /// `10`: `_requestMode` is empty.
    RequestModeNotNull = 10, "REQUESTMODE_NOTNULL", "_requestMode is empty", "send the _requestMode parameter";
    /// `11`: `_aid` is empty.
    ApplicationIdNotNull = 11, "APPLICATIONID_NOTNULL", "_aid is empty", "send the _aid parameter";
    /// `12`: `_aid` does not match the key.
    ApplicationIdNotSame = 12, "APPLICATIONID_NOTSAME", "_aid does not match the key", "_aid and _akey correspond one to one: use the _aid that belongs to your key";
    /// `13`: `_version` is empty.
    VersionNotNull = 13, "VERSION_NOTNULL", "_version is empty", "send the _version parameter";
    /// `14`: `_timestamp` is empty.
    TimestampNotNull = 14, "TIMESTAMP_NOTNULL", "_timestamp is empty", "send the _timestamp parameter";
    /// `15`: `_timestamp` is badly formatted.
    TimestampFormatError = 15, "TIMESTAMP_FORMAT_ERROR", "_timestamp is badly formatted", "format it as yyyyMMddHHmmss";
    /// `16`: `_timestamp` has expired.
    TimestampOvertime = 16, "TIMESTAMP_OVERTIME", "_timestamp has expired", "regenerate the timestamp for every call and check this machine's clock and the configured gateway UTC offset";
    /// `17`: the `_format` type does not exist.
    FormatTypeNotExist = 17, "FORMAT_TYPE_NOTEXIST", "_format type does not exist", "use json";
    /// `-100`: the interface was called repeatedly.
    ApiCallRepeat = -100, "API_CALL_REPEAT", "the interface is called repeatedly", "platform-side; reissue later with a fresh timestamp";
    /// `-500`: the API call failed with a system exception.
    ApiSystemCallError = -500, "API_SYSTEM_CALL_ERROR", "API call failed, system exception", "platform-side; reissue the request";
    /// `-999`: open-platform system exception.
    UnknownError = -999, "UNKNOWN_ERROR", "open-platform system exception", "reissue the request";
    }
    // Seen in answers of the login and token-guarded methods, absent from the published
    // table. The names are spelled as the platform sends them.
    seen {
    /// `103094` (`USERNAME_ERROE`, spelled so by the platform): the user name of a login is
    /// unknown. Not in the platform's published table.
    UsernameError = 103094, "USERNAME_ERROE", "the user name of the login is unknown", "check the user name: it is the business-platform account, not the developer console's";
    /// `103095` (`PASSWORD_ERROE`, spelled so by the platform): the password of a login is
    /// wrong. Not in the platform's published table.
    PasswordError = 103095, "PASSWORD_ERROE", "the password of the login is wrong", "check the password of the business-platform account";
    /// `9990001`: the login token is missing or has expired. Not in the platform's
    /// published table.
    TokenNotExist = 9990001, "TOKEN_NOT_EXIST", "the login token is missing or has expired", "log in again (mobileLogin or ssoLogin with the business-platform account) and retry with the new token; a developer-console ticket is not a login token";
    }
}

impl ReturnCode {
    /// The code for a `stat.code` and `stat.codename` as the gateway sent them.
    ///
    /// A documented number gives its variant whatever name came with it; an undocumented one
    /// keeps the name.
    pub fn from_wire(code: i64, name: Option<&str>) -> ReturnCode {
        match ReturnCode::from_code(code) {
            ReturnCode::Other { code, .. } => ReturnCode::Other {
                code,
                name: name.filter(|n| !n.is_empty()).map(str::to_owned),
            },
            known => known,
        }
    }

    /// Whether this is `SUCCESS`.
    pub fn is_success(&self) -> bool {
        matches!(self, ReturnCode::Success)
    }

    /// Whether the SDK documents this code (it has a variant with a meaning and a remedy):
    /// the platform's published table and the codes seen on the platform besides it.
    /// [`ReturnCode::is_published`] tells the two apart; only [`ReturnCode::Other`] is
    /// undocumented.
    pub fn is_documented(&self) -> bool {
        !matches!(self, ReturnCode::Other { .. })
    }

    /// Whether the code says the login token is missing or expired, so that logging in again
    /// and repeating the call once may succeed.
    pub fn needs_login(&self) -> bool {
        matches!(self, ReturnCode::TokenNotExist)
    }
}

impl fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_21_published_and_3_seen_codes_and_round_trips() {
        assert_eq!(ReturnCode::PUBLISHED.len(), 21);
        assert_eq!(ReturnCode::DOCUMENTED.len(), 24);
        assert_eq!(&ReturnCode::DOCUMENTED[..21], ReturnCode::PUBLISHED);
        for rc in ReturnCode::DOCUMENTED {
            assert_eq!(&ReturnCode::from_code(rc.code()), rc);
            assert_eq!(&ReturnCode::from_wire(rc.code(), Some(rc.name())), rc);
            assert!(rc.is_documented());
            assert!(!rc.meaning().is_empty() && !rc.remedy().is_empty());
        }
        let mut codes: Vec<i64> = ReturnCode::DOCUMENTED
            .iter()
            .map(ReturnCode::code)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 24, "codes are unique");
    }

    #[test]
    fn the_seen_codes_are_documented_but_not_published() {
        for (code, name, variant) in [
            (103_094, "USERNAME_ERROE", ReturnCode::UsernameError),
            (103_095, "PASSWORD_ERROE", ReturnCode::PasswordError),
            (9_990_001, "TOKEN_NOT_EXIST", ReturnCode::TokenNotExist),
        ] {
            let rc = ReturnCode::from_wire(code, Some(name));
            assert_eq!(rc, variant);
            assert_eq!((rc.code(), rc.name()), (code, name));
            assert!(rc.is_documented() && !rc.is_published(), "{rc}");
        }
        assert!(ReturnCode::PUBLISHED.iter().all(ReturnCode::is_published));
        assert!(!ReturnCode::from_code(4711).is_published());
        assert!(ReturnCode::TokenNotExist.remedy().contains("log in again"));
        assert!(ReturnCode::TokenNotExist.needs_login());
        assert!(!ReturnCode::SignWrong.needs_login());
    }

    #[test]
    fn names_match_the_platform_table() {
        let expected = [
            (0, "SUCCESS"),
            (1, "KEY_NOTNULL"),
            (2, "KEY_UNLAWFUL"),
            (3, "KEY_HAS_EXPIRED"),
            (4, "SIGN_METHOD_NOTNULL"),
            (5, "SIGN_TYPE_NOTEXIST"),
            (6, "SIGN_NOTNULL"),
            (7, "SIGN_WRONG"),
            (8, "METHOD_NOTNULL"),
            (9, "METHOD_NOTEXIST_CODE"),
            (10, "REQUESTMODE_NOTNULL"),
            (11, "APPLICATIONID_NOTNULL"),
            (12, "APPLICATIONID_NOTSAME"),
            (13, "VERSION_NOTNULL"),
            (14, "TIMESTAMP_NOTNULL"),
            (15, "TIMESTAMP_FORMAT_ERROR"),
            (16, "TIMESTAMP_OVERTIME"),
            (17, "FORMAT_TYPE_NOTEXIST"),
            (-100, "API_CALL_REPEAT"),
            (-500, "API_SYSTEM_CALL_ERROR"),
            (-999, "UNKNOWN_ERROR"),
        ];
        for (code, name) in expected {
            assert_eq!(ReturnCode::from_code(code).name(), name);
        }
    }

    #[test]
    fn unknown_codes_are_kept_with_their_name() {
        let rc = ReturnCode::from_wire(-998, Some("SOMETHING_NEW"));
        assert_eq!(
            rc,
            ReturnCode::Other {
                code: -998,
                name: Some("SOMETHING_NEW".into())
            }
        );
        assert_ne!(rc, ReturnCode::UnknownError);
        assert_eq!(rc.to_string(), "SOMETHING_NEW (-998)");
        assert_eq!(ReturnCode::from_wire(18, Some("")).name(), "UNDOCUMENTED");
        assert!(ReturnCode::Success.is_success());
        assert!(!ReturnCode::from_code(1).is_success());
    }
}
