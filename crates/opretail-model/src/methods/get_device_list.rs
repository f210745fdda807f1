//! `open.shopweb.device.getDeviceList`: one store's devices.

use std::collections::BTreeMap;

use crate::lenient::{LenientCount, OneOrMany};
use crate::{Device, EntityId, EntityKind, Error, Operation, Params};

/// The method name of a store's device list.
pub const METHOD_GET_DEVICE_LIST: &str = "open.shopweb.device.getDeviceList";

/// `open.shopweb.device.getDeviceList` (v1): the devices of one store.
///
/// Sends `id` (the store id without `S_`), as documented by the platform. The answer's
/// `records` are [`Device`]s; the platform's page shows `id` and `mac` and its other fields
/// are cut off, so the rest rests on third-party use. Needs a token; idempotent.
///
/// ```
/// use opretail_model::{GetDeviceList, Operation};
///
/// let op = GetDeviceList::new(&"S_1001".parse()?)?;
/// assert_eq!(op.params(), [("id", "1001".into())]);
/// assert!(GetDeviceList::new(&"O_42".parse()?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetDeviceList {
    store: EntityId,
}

impl GetDeviceList {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_DEVICE_LIST;
    /// Parameter name: the store id without `S_`.
    pub const PARAM_ID: &'static str = "id";

    /// The devices of `store` (an `S_…` id).
    pub fn new(store: &EntityId) -> Result<Self, Error> {
        if store.kind() != EntityKind::Store {
            return Err(Error::invalid_input(
                Self::PARAM_ID,
                format!(
                    "{store} is not a store; this method lists one store's devices (S_…): for \
                     an enterprise's use getAllHotspotShops"
                ),
            ));
        }
        Ok(GetDeviceList {
            store: store.clone(),
        })
    }

    /// The store asked about.
    pub fn store(&self) -> &EntityId {
        &self.store
    }
}

impl Operation for GetDeviceList {
    type Output = DeviceList;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        vec![(Self::PARAM_ID, self.store.local_part().into())]
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}

/// A store's devices: the `data` of `getDeviceList`.
///
/// The devices come in `records` (also read from `rows` or `list`; one object is a list of
/// one); `null` is none.
///
/// ```
/// use opretail_model::DeviceList;
///
/// let list: DeviceList = serde_json::from_str(r#"{"total": 1, "records": [{"id": 3, "mac": "A1B2C3D4E5F6"}]}"#)?;
/// assert_eq!(list.devices[0].id.as_deref(), Some("3"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct DeviceList {
    /// How many devices there are, when the gateway says.
    pub total: Option<u64>,
    /// The devices.
    pub devices: Vec<Device>,
    /// Other fields, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(DeviceList, "a device list", data_of = METHOD_GET_DEVICE_LIST, null = default, {
    total: LenientCount = "total",
    devices: OneOrMany<Device> = "records" | "rows" | "list",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_decode_leniently() {
        let list: DeviceList = serde_json::from_str(
            r#"{"records": {"id": "9", "mac": "a1b2c3d4e5f6", "online": "1", "firmware": "2.1"}, "pages": 1}"#,
        )
        .unwrap();
        assert_eq!(list.devices.len(), 1);
        assert_eq!(list.devices[0].online, Some(true));
        assert_eq!(list.devices[0].extra["firmware"], "2.1");
        assert_eq!(list.extra["pages"], 1);
        let none: DeviceList = serde_json::from_str(r#"{"records": []}"#).unwrap();
        assert!(none.devices.is_empty());
        assert!(
            serde_json::from_str::<DeviceList>("null")
                .unwrap()
                .devices
                .is_empty()
        );
    }
}
