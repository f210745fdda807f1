//! Store and enterprise ids: `S_…` and `O_…`.

use std::fmt;
use std::str::FromStr;

/// The longest id accepted, in characters (the gateway's limit for string parameters).
pub const MAX_ID_CHARS: usize = 100;

/// What an [`EntityId`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// A store: prefix `S_`.
    Store,
    /// An enterprise (organisation): prefix `O_`.
    Enterprise,
}

impl EntityKind {
    /// The id prefix of this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            EntityKind::Store => "S_",
            EntityKind::Enterprise => "O_",
        }
    }
}

/// A store id (`S_1001`) or an enterprise id (`O_42`), checked before anything is sent.
///
/// ```
/// use opretail_model::{EntityId, EntityKind};
///
/// let id: EntityId = "S_1001".parse()?;
/// assert_eq!(id.kind(), EntityKind::Store);
/// assert_eq!(id.local_part(), "1001");
///
/// let err = "1001".parse::<EntityId>().unwrap_err();
/// assert!(err.to_string().contains("S_"));
/// # Ok::<(), opretail_model::InvalidId>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId {
    raw: String,
    kind: EntityKind,
}

impl EntityId {
    /// A store id from its local part: `EntityId::store("1001")` is `S_1001`.
    pub fn store(local: impl fmt::Display) -> Result<Self, InvalidId> {
        format!("S_{local}").parse()
    }

    /// An enterprise id from its local part: `EntityId::enterprise("42")` is `O_42`.
    pub fn enterprise(local: impl fmt::Display) -> Result<Self, InvalidId> {
        format!("O_{local}").parse()
    }

    /// The whole id, as sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Store or enterprise.
    pub fn kind(&self) -> EntityKind {
        self.kind
    }

    /// The id without its prefix.
    pub fn local_part(&self) -> &str {
        &self.raw[2..]
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityId({})", self.raw)
    }
}

impl AsRef<str> for EntityId {
    fn as_ref(&self) -> &str {
        &self.raw
    }
}

/// Why a text is not a store or enterprise id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    input: String,
    reason: InvalidIdReason,
}

/// The ways an id can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidIdReason {
    /// Empty text.
    Empty,
    /// No `S_` or `O_` prefix.
    MissingPrefix,
    /// A prefix in the wrong letter case (`s_1001`).
    LowerCasePrefix,
    /// Nothing after the prefix.
    EmptyLocalPart,
    /// White space or a control character somewhere.
    WhiteSpaceOrControl,
    /// Longer than [`MAX_ID_CHARS`].
    TooLong,
}

impl InvalidId {
    /// The reason.
    pub fn reason(&self) -> InvalidIdReason {
        self.reason
    }

    /// The rejected text (cut to 120 characters).
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid id {:?}: ", self.input)?;
        f.write_str(match self.reason {
            InvalidIdReason::Empty => {
                "it is empty; give a store id like S_1001 or an enterprise id like O_42"
            }
            InvalidIdReason::MissingPrefix => {
                "it needs the prefix S_ (store, e.g. S_1001) or O_ (enterprise, e.g. O_42)"
            }
            InvalidIdReason::LowerCasePrefix => {
                "the prefix is upper case: S_ for a store, O_ for an enterprise"
            }
            InvalidIdReason::EmptyLocalPart => "nothing follows the prefix",
            InvalidIdReason::WhiteSpaceOrControl => {
                "it contains white space or a control character"
            }
            InvalidIdReason::TooLong => "it is longer than 100 characters",
        })
    }
}

impl std::error::Error for InvalidId {}

impl FromStr for EntityId {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason| {
            Err(InvalidId {
                input: s.chars().take(120).collect(),
                reason,
            })
        };
        if s.is_empty() {
            return fail(InvalidIdReason::Empty);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return fail(InvalidIdReason::WhiteSpaceOrControl);
        }
        if s.chars().count() > MAX_ID_CHARS {
            return fail(InvalidIdReason::TooLong);
        }
        let kind = if s.starts_with("S_") {
            EntityKind::Store
        } else if s.starts_with("O_") {
            EntityKind::Enterprise
        } else if s.starts_with("s_") || s.starts_with("o_") {
            return fail(InvalidIdReason::LowerCasePrefix);
        } else {
            return fail(InvalidIdReason::MissingPrefix);
        };
        if s.len() == 2 {
            return fail(InvalidIdReason::EmptyLocalPart);
        }
        Ok(EntityId {
            raw: s.to_owned(),
            kind,
        })
    }
}

impl TryFrom<String> for EntityId {
    type Error = InvalidId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl TryFrom<&str> for EntityId {
    type Error = InvalidId;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// The ids of a comma-separated `id` parameter: in the order given, each once; none at all
/// is an error.
pub(crate) fn unique_ids(
    ids: impl IntoIterator<Item = EntityId>,
) -> Result<Vec<EntityId>, crate::Error> {
    let mut unique: Vec<EntityId> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    if unique.is_empty() {
        return Err(crate::Error::invalid_input(
            "id",
            "no id given; pass at least one store (S_…) or organization (O_…) id",
        ));
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> InvalidIdReason {
        s.parse::<EntityId>().unwrap_err().reason()
    }

    #[test]
    fn valid_ids() {
        let store: EntityId = "S_1001".parse().unwrap();
        assert_eq!(
            (store.kind(), store.local_part()),
            (EntityKind::Store, "1001")
        );
        let org = EntityId::enterprise(42).unwrap();
        assert_eq!((org.as_str(), org.kind()), ("O_42", EntityKind::Enterprise));
        assert!("S_门店7".parse::<EntityId>().is_ok());
        assert!(format!("S_{}", "9".repeat(98)).parse::<EntityId>().is_ok());
    }

    #[test]
    fn every_rejection_has_its_reason() {
        assert_eq!(reason(""), InvalidIdReason::Empty);
        assert_eq!(reason("1001"), InvalidIdReason::MissingPrefix);
        assert_eq!(reason("X_1001"), InvalidIdReason::MissingPrefix);
        assert_eq!(reason("s_1001"), InvalidIdReason::LowerCasePrefix);
        assert_eq!(reason("S_"), InvalidIdReason::EmptyLocalPart);
        assert_eq!(reason("S_10 01"), InvalidIdReason::WhiteSpaceOrControl);
        assert_eq!(reason(" S_1001"), InvalidIdReason::WhiteSpaceOrControl);
        assert_eq!(reason("S_1\u{0}"), InvalidIdReason::WhiteSpaceOrControl);
        assert_eq!(
            reason(&format!("S_{}", "9".repeat(99))),
            InvalidIdReason::TooLong
        );
    }

    #[test]
    fn messages_say_what_to_do() {
        let msg = "1001".parse::<EntityId>().unwrap_err().to_string();
        assert!(
            msg.contains("\"1001\"") && msg.contains("S_") && msg.contains("O_"),
            "{msg}"
        );
    }
}
