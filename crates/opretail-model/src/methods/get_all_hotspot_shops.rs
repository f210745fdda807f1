//! `open.passengerflow.getAllHotspotShops`: an enterprise's stores with their counting
//! devices and each device's online flag, a page at a time. Also home of [`Device`], the
//! device record every device method answers with.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::num::NonZeroU32;

use super::list_stores::Page;
use crate::lenient::{LenientCount, LenientFlag, LenientInt, LenientString, OneOrMany};
use crate::{EntityId, EntityKind, Error, Operation, Params};

/// The method name of the stores-with-devices list.
pub const METHOD_GET_ALL_HOTSPOT_SHOPS: &str = "open.passengerflow.getAllHotspotShops";

/// `open.passengerflow.getAllHotspotShops` (v1, classic gateway): one page of an enterprise's
/// stores, each with its counting devices and whether each is online.
///
/// Sends `orgid` (the enterprise id without `O_`, required), `pageNumber`, `pageSize`, and
/// when set `depId` (one store) or `shopId` (a tenant store code). The parameters are
/// documented by the platform; the answer's shape rests on third-party use only (see
/// [`HotspotShopPage`]). Needs a token; idempotent.
///
/// ```
/// use opretail_model::{GetAllHotspotShops, Operation};
///
/// let op = GetAllHotspotShops::new(&"O_42".parse()?)?.store(&"S_1001".parse()?)?;
/// assert_eq!(
///     op.params(),
///     [
///         ("orgid", "42".into()),
///         ("pageNumber", "1".into()),
///         ("pageSize", "100".into()),
///         ("depId", "1001".into()),
///     ]
/// );
/// assert!(GetAllHotspotShops::new(&"S_1001".parse()?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAllHotspotShops {
    enterprise: EntityId,
    page: Page,
    store: Option<EntityId>,
    shop_code: Option<String>,
}

impl GetAllHotspotShops {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_ALL_HOTSPOT_SHOPS;
    /// Parameter name: the enterprise id without `O_`.
    pub const PARAM_ORG_ID: &'static str = "orgid";
    /// Parameter name: one store id without `S_`.
    pub const PARAM_DEP_ID: &'static str = "depId";
    /// Parameter name: one tenant store code.
    pub const PARAM_SHOP_ID: &'static str = "shopId";

    /// The first page of the stores of `enterprise` (an `O_…` id).
    pub fn new(enterprise: &EntityId) -> Result<Self, Error> {
        if enterprise.kind() != EntityKind::Enterprise {
            return Err(Error::invalid_input(
                Self::PARAM_ORG_ID,
                format!(
                    "{enterprise} is not an enterprise; this method lists the stores of one \
                     enterprise (O_…): for one store's devices use getDeviceList"
                ),
            ));
        }
        Ok(GetAllHotspotShops {
            enterprise: enterprise.clone(),
            page: Page::default(),
            store: None,
            shop_code: None,
        })
    }

    /// Which page (from 1) of how many stores.
    pub fn page(mut self, number: NonZeroU32, size: NonZeroU32) -> Self {
        self.page = Page { number, size };
        self
    }

    /// Only this store (`depId`, an `S_…` id).
    pub fn store(mut self, store: &EntityId) -> Result<Self, Error> {
        if store.kind() != EntityKind::Store {
            return Err(Error::invalid_input(
                Self::PARAM_DEP_ID,
                format!("{store} is not a store (S_…)"),
            ));
        }
        self.store = Some(store.clone());
        Ok(self)
    }

    /// Only the store with this tenant store code (`shopId`); trimmed, empty means none.
    pub fn shop_code(mut self, code: impl AsRef<str>) -> Self {
        let code = code.as_ref().trim();
        self.shop_code = (!code.is_empty()).then(|| code.to_owned());
        self
    }

    /// The enterprise asked about.
    pub fn enterprise(&self) -> &EntityId {
        &self.enterprise
    }

    /// The page number asked for.
    pub fn page_number(&self) -> NonZeroU32 {
        self.page.number
    }
}

impl Operation for GetAllHotspotShops {
    type Output = HotspotShopPage;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let mut params = vec![(Self::PARAM_ORG_ID, self.enterprise.local_part().into())];
        params.extend(self.page.params());
        if let Some(store) = &self.store {
            params.push((Self::PARAM_DEP_ID, store.local_part().into()));
        }
        if let Some(code) = &self.shop_code {
            params.push((Self::PARAM_SHOP_ID, Cow::Borrowed(code.as_str())));
        }
        params
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}

/// A counting device: its id, name, MAC address, whether it is online, and its stream URL.
///
/// Every field is optional and read leniently (a flag as `true`, `1` or `"1"`; ids as
/// numbers or text); the shape rests on third-party use (`{online, deviceUrl, deviceName,
/// mac}` in a Go client, `{id, mac, …}` in the platform's `getDeviceList` page, whose other
/// fields are not published). Undocumented fields are kept in [`Device::extra`].
///
/// ```
/// use opretail_model::Device;
///
/// let device: Device = serde_json::from_str(
///     r#"{"id": 7, "mac": "a1b2c3d4e5f6", "deviceName": "Door", "online": "0", "sn": "X1"}"#,
/// )?;
/// assert_eq!(device.id.as_deref(), Some("7"));
/// assert_eq!(device.online, Some(false));
/// assert_eq!(device.mac_tail(4).as_deref(), Some("E5F6"));
/// assert_eq!(device.extra["sn"], "X1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Device {
    /// The device id (`id` or `deviceId`), as text.
    pub id: Option<String>,
    /// Its name (`deviceName` or `name`).
    pub name: Option<String>,
    /// Its MAC address as the gateway wrote it (`mac`).
    pub mac: Option<String>,
    /// Whether it is online (`online`, `isOnline` or `status`).
    pub online: Option<bool>,
    /// Its stream or snapshot URL (`deviceUrl`).
    pub url: Option<String>,
    /// The store it belongs to (`depId`), when the record says.
    pub dep_id: Option<String>,
    /// Other fields, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Device {
    /// The MAC address as 12 upper-case hex digits (separators and case ignored), when it is
    /// one.
    pub fn normalized_mac(&self) -> Option<String> {
        let digits: String = self
            .mac
            .as_deref()?
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.' | ' '))
            .collect();
        (digits.len() == 12 && digits.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| digits.to_ascii_uppercase())
    }

    /// The last `n` characters of the normalized MAC address: enough to tell devices apart
    /// without publishing the address.
    pub fn mac_tail(&self, n: usize) -> Option<String> {
        let mac = self.normalized_mac()?;
        Some(mac[mac.len().saturating_sub(n)..].to_owned())
    }
}

lenient_object!(Device, "a device object", {
    id: LenientString = "id" | "deviceId",
    name: LenientString = "deviceName" | "name",
    mac: LenientString = "mac",
    online: LenientFlag = "online" | "isOnline" | "status",
    url: LenientString = "deviceUrl",
    dep_id: LenientString = "depId",
});

/// A store with its counting devices: an entry of [`HotspotShopPage::shops`].
///
/// ```
/// use opretail_model::HotspotShop;
///
/// // One device given as a lone object: a list of one.
/// let shop: HotspotShop = serde_json::from_str(
///     r#"{"depId": 1001, "depName": "Mall", "nums": "1", "devices": {"mac": "A1B2C3D4E5F6", "online": true}}"#,
/// )?;
/// assert_eq!(shop.entity_id().unwrap().as_str(), "S_1001");
/// assert_eq!(shop.devices.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct HotspotShop {
    /// The store id (`depId`), as text.
    pub dep_id: Option<String>,
    /// Its name (`depName`).
    pub name: Option<String>,
    /// How many devices it has, as the gateway counts (`nums`).
    pub device_count: Option<i64>,
    /// Its devices (`devices`; one object is a list of one, `null` none).
    pub devices: Vec<Device>,
    /// Other fields, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl HotspotShop {
    /// The store's id (`S_<depId>`), when `depId` is a usable number.
    pub fn entity_id(&self) -> Option<EntityId> {
        EntityId::store(self.dep_id.as_deref()?.trim()).ok()
    }
}

lenient_object!(HotspotShop, "a store-with-devices object", {
    dep_id: LenientString = "depId",
    name: LenientString = "depName",
    device_count: LenientInt = "nums",
    devices: OneOrMany<Device> = "devices",
});

/// One page of stores with devices: the `data` of `getAllHotspotShops`.
///
/// `all` is the number of stores on all pages; `total` is kept too (a third-party client
/// reads it as a page count). The stores come in `list` (one object is a list of one).
/// `null` is an empty page.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct HotspotShopPage {
    /// `total`, as sent (a page count or a record count: sources differ).
    pub total: Option<u64>,
    /// How many stores there are on all pages (`all`).
    pub all: Option<u64>,
    /// The stores of this page.
    pub shops: Vec<HotspotShop>,
    /// Other fields (`pageNumber`, `pageSize`…), as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(HotspotShopPage, "a page of stores with devices", data_of = METHOD_GET_ALL_HOTSPOT_SHOPS, null = default, {
    total: LenientCount = "total",
    all: LenientCount = "all",
    shops: OneOrMany<HotspotShop> = "list" | "rows" | "records",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_decode_in_every_shape_seen() {
        let page: HotspotShopPage = serde_json::from_str(
            r#"{"total": 1, "all": "2", "pageNumber": 1, "pageSize": 20, "list": [
                {"depId": 1001, "depName": "A", "nums": 2, "devices": [
                    {"online": 1, "deviceUrl": "rtsp://x", "deviceName": "Door", "mac": "a1:b2:c3:d4:e5:f6"},
                    {"online": false, "deviceName": "Side", "mac": null}
                ]},
                {"depId": "1002", "depName": "B", "devices": null, "region": "East"}
            ]}"#,
        )
        .unwrap();
        assert_eq!((page.total, page.all), (Some(1), Some(2)));
        assert_eq!(page.shops.len(), 2);
        let a = &page.shops[0];
        assert_eq!(a.devices[0].online, Some(true));
        assert_eq!(
            a.devices[0].normalized_mac().as_deref(),
            Some("A1B2C3D4E5F6")
        );
        assert_eq!(a.devices[1].mac_tail(4), None);
        assert!(page.shops[1].devices.is_empty());
        assert_eq!(page.shops[1].extra["region"], "East");
        assert_eq!(page.extra["pageSize"], 20);

        // The Go client's type: `list` as one object.
        let lone: HotspotShopPage =
            serde_json::from_str(r#"{"list": {"depId": 7, "devices": []}}"#).unwrap();
        assert_eq!(lone.shops[0].entity_id().unwrap().as_str(), "S_7");
        let empty: HotspotShopPage = serde_json::from_str("null").unwrap();
        assert!(empty.shops.is_empty());
    }

    #[test]
    fn a_mac_is_normalized_only_when_it_is_one() {
        let with = |mac: &str| Device {
            mac: Some(mac.into()),
            ..Device::default()
        };
        assert_eq!(
            with("aa-bb-cc-dd-ee-ff").normalized_mac().as_deref(),
            Some("AABBCCDDEEFF")
        );
        assert_eq!(with("AABBCCDDEEF").normalized_mac(), None);
        assert_eq!(with("zzbbccddeeff").normalized_mac(), None);
        assert_eq!(with("aabbccddeeff").mac_tail(4).as_deref(), Some("EEFF"));
    }

    #[test]
    fn only_an_enterprise_and_a_store_are_taken() {
        let org: EntityId = "O_42".parse().unwrap();
        let op = GetAllHotspotShops::new(&org).unwrap();
        assert!(op.clone().store(&org).is_err());
        let op = op.shop_code("  ");
        assert!(!op.params().iter().any(|(name, _)| *name == "shopId"));
        assert_eq!(op.shop_code(" A01 ").params().last().unwrap().1, "A01");
    }
}
