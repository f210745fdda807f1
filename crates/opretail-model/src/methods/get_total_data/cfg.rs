//! `cfgData`: the passenger-flow configuration items.

use std::collections::BTreeMap;

use crate::lenient::{LenientInt, LenientString};

/// One passenger-flow configuration item (an element of `cfgData` of `getTotalData`).
///
/// Every field is optional. `kind` is the wire field `type` (an int, also accepted as a
/// numeric string); it is serialized as `type` too, since that is already snake_case.
/// `value` is documented as a string and kept as text (a number becomes its text).
/// Undocumented fields are kept in [`CfgItem::extra`].
///
/// ```
/// use opretail_model::CfgItem;
///
/// let item: CfgItem = serde_json::from_str(
///     r#"{"name": "进店率", "type": "1", "value": "35.2%", "key": "ENTER_RATE"}"#,
/// )?;
/// assert!(item.is_ratio());
/// assert_eq!(item.value.as_deref(), Some("35.2%"));
/// assert_eq!(serde_json::to_value(&item)?["type"], 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CfgItem {
    /// Name of the item (`name`), e.g. `进店率`.
    pub name: Option<String>,
    /// Kind of the item (wire `type`): `1` is a ratio (fitting rate, entry rate, ...); the
    /// platform documents no other value.
    pub kind: Option<i64>,
    /// Value of the item (`value`), as text.
    pub value: Option<String>,
    /// Keyword of the item (`key`).
    pub key: Option<String>,
    /// Fields the platform does not document, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl CfgItem {
    /// Whether the item is a ratio (`type` 1), such as the fitting or the entry rate.
    pub fn is_ratio(&self) -> bool {
        self.kind == Some(1)
    }
}

lenient_object!(CfgItem, "a cfgData item object", {
    name: LenientString = "name",
    kind: LenientInt = "type",
    value: LenientString = "value",
    key: LenientString = "key",
});
