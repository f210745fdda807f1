//! `open.shopweb.departments.getDepsHavingFlowDevice`: the stores that have a counting
//! device.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::lenient::OneOrMany;
use crate::{Operation, Params, Store, StorePage};

/// The method name of the stores that have a counting device.
pub const METHOD_GET_DEPS_HAVING_FLOW_DEVICE: &str =
    "open.shopweb.departments.getDepsHavingFlowDevice";

/// `open.shopweb.departments.getDepsHavingFlowDevice`: the stores of the user that have a
/// passenger-flow device.
///
/// No business parameter. Known only from the vendor's .NET sample (the token goes in the
/// `authenticator` header); no documentation page shows it, nor its answer, which is read as
/// a list of stores (see [`FlowDeviceStores`]). Needs a token; idempotent.
///
/// ```
/// use opretail_model::{GetDepsHavingFlowDevice, Operation};
///
/// let op = GetDepsHavingFlowDevice::new();
/// assert!(op.params().is_empty() && op.needs_token() && op.idempotent());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetDepsHavingFlowDevice;

impl GetDepsHavingFlowDevice {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_DEPS_HAVING_FLOW_DEVICE;

    /// The call.
    pub fn new() -> Self {
        GetDepsHavingFlowDevice
    }
}

impl Operation for GetDepsHavingFlowDevice {
    type Output = FlowDeviceStores;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        Vec::new()
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}

/// The stores that have a counting device: the `data` of `getDepsHavingFlowDevice`.
///
/// No source shows this answer, so it is read leniently: a list of [`Store`] objects, or a
/// page of them as the store lists send (`rows`, `records` or `list`, with `total`); `null`
/// is none.
///
/// ```
/// use opretail_model::FlowDeviceStores;
///
/// let listed: FlowDeviceStores = serde_json::from_str(r#"[{"id": 1001, "name": "Mall"}]"#)?;
/// let paged: FlowDeviceStores = serde_json::from_str(r#"{"total": 1, "rows": [{"id": "1001"}]}"#)?;
/// assert_eq!(listed.stores[0].entity_id(), paged.stores[0].entity_id());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FlowDeviceStores {
    /// How many stores there are, when the answer is a page that says.
    pub total: Option<u64>,
    /// The stores.
    pub stores: Vec<Store>,
    /// Other fields of a page, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for FlowDeviceStores {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StoresVisitor;

        impl<'de> Visitor<'de> for StoresVisitor {
            type Value = FlowDeviceStores;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of stores, a page of stores, or null")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let OneOrMany(stores) = OneOrMany::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(FlowDeviceStores {
                    stores,
                    ..FlowDeviceStores::default()
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let page = StorePage::deserialize(MapAccessDeserializer::new(map))?;
                Ok(FlowDeviceStores {
                    total: page.total,
                    stores: page.stores,
                    extra: page.extra,
                })
            }

            null_means!(FlowDeviceStores::default());
        }

        deserializer.deserialize_any(StoresVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plausible_shape_decodes() {
        let list: FlowDeviceStores =
            serde_json::from_str(r#"[{"id": 1}, null, {"id": "2", "devCount": 3}]"#).unwrap();
        assert_eq!(list.stores.len(), 2);
        assert_eq!(list.stores[1].dev_count, Some(3));
        let page: FlowDeviceStores =
            serde_json::from_str(r#"{"total": "1", "records": {"id": 5}, "pages": 1}"#).unwrap();
        assert_eq!((page.total, page.stores.len()), (Some(1), 1));
        assert_eq!(page.extra["pages"], 1);
        assert!(
            serde_json::from_str::<FlowDeviceStores>("null")
                .unwrap()
                .stores
                .is_empty()
        );
        assert!(serde_json::from_str::<FlowDeviceStores>("42").is_err());
    }
}
