//! [`Store`] and [`StorePage`]: the records of the store lists.

use std::collections::BTreeMap;

use crate::lenient::{AnyValue, LenientCount, LenientFlag, LenientInt, LenientString, OneOrMany};
use crate::measure::LenientMeasure;
use crate::{EntityId, Measure};

/// A store, as the store lists describe it.
///
/// Every field is optional and decoded leniently: ids and codes are kept as text (a number
/// becomes its digits), counts and statuses accept numeric strings, flags accept `true`,
/// `1` or `"1"`, coordinates are [`Measure`]s, dates are kept as the text sent. The field
/// list comes from third-party use of the cloud gateway's `getDepartments`; the classic
/// gateway's `getDeptListByPage` records are assumed to share it (unconfirmed). Fields not
/// listed here are kept in [`Store::extra`].
///
/// Deserializing accepts the gateway's camelCase names and the snake_case names a `Store`
/// serializes under, so stored values read back equal.
///
/// ```
/// use opretail_model::Store;
///
/// let store: Store = serde_json::from_str(
///     r#"{"id": 1001, "name": "Nanjing Road", "devCount": "3", "hasPc": 1, "floor": "B1"}"#,
/// )?;
/// assert_eq!(store.entity_id().unwrap().as_str(), "S_1001");
/// assert_eq!((store.dev_count, store.has_pc), (Some(3), Some(true)));
/// assert_eq!(store.extra["floor"], "B1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Store {
    /// The store's id, the `depId` of the other methods (`id`), as text.
    pub id: Option<String>,
    /// Name (`name`).
    pub name: Option<String>,
    /// Address (`address`).
    pub address: Option<String>,
    /// Telephone (`phone`).
    pub phone: Option<String>,
    /// The organization node the store hangs under (`organizeId`); `O_<organizeId>` names it.
    pub organize_id: Option<String>,
    /// Name of that node (`organizeName`).
    pub organize_name: Option<String>,
    /// `depOrganizeId`.
    pub dep_organize_id: Option<String>,
    /// The business-platform enterprise id (`groupId`).
    pub group_id: Option<String>,
    /// The tenant's own store code (`shopId`), often empty.
    pub shop_id: Option<String>,
    /// Another tenant store code (`trilateralId`), often empty.
    pub trilateral_id: Option<String>,
    /// `countryCode`.
    pub country_code: Option<String>,
    /// `location`, as sent.
    pub location: Option<String>,
    /// `longitude`.
    pub longitude: Option<Measure>,
    /// `latitude`.
    pub latitude: Option<Measure>,
    /// `openStatus`.
    pub open_status: Option<i64>,
    /// `validateStatus`.
    pub validate_status: Option<i64>,
    /// `validateDate`, as sent.
    pub validate_date: Option<String>,
    /// `closeTime`, as sent.
    pub close_time: Option<String>,
    /// `createTime`, as sent.
    pub create_time: Option<String>,
    /// `deviceRegisterTime`, as sent.
    pub device_register_time: Option<String>,
    /// How many devices (`devCount`).
    pub dev_count: Option<i64>,
    /// `hasPc`.
    pub has_pc: Option<bool>,
    /// How many cameras (`ipcCurrentCount`).
    pub ipc_current_count: Option<i64>,
    /// How many cameras are allowed (`ipcCountLimit`).
    pub ipc_count_limit: Option<i64>,
    /// Whether the store's configuration is complete (`isCompleteconfig`).
    pub is_complete_config: Option<bool>,
    /// `servicePermission`, as sent (its type is not documented).
    pub service_permission: Option<serde_json::Value>,
    /// Fields not listed here, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Store {
    /// The store's id for the passenger-flow methods, `S_<id>`; `None` when the record has no
    /// usable `id`.
    pub fn entity_id(&self) -> Option<EntityId> {
        EntityId::store(self.id.as_deref()?.trim()).ok()
    }
}

lenient_object!(Store, "a store object", {
    id: LenientString = "id",
    name: LenientString = "name",
    address: LenientString = "address",
    phone: LenientString = "phone",
    organize_id: LenientString = "organize_id" | "organizeId",
    organize_name: LenientString = "organize_name" | "organizeName",
    dep_organize_id: LenientString = "dep_organize_id" | "depOrganizeId",
    group_id: LenientString = "group_id" | "groupId",
    shop_id: LenientString = "shop_id" | "shopId",
    trilateral_id: LenientString = "trilateral_id" | "trilateralId",
    country_code: LenientString = "country_code" | "countryCode",
    location: LenientString = "location",
    longitude: LenientMeasure = "longitude",
    latitude: LenientMeasure = "latitude",
    open_status: LenientInt = "open_status" | "openStatus",
    validate_status: LenientInt = "validate_status" | "validateStatus",
    validate_date: LenientString = "validate_date" | "validateDate",
    close_time: LenientString = "close_time" | "closeTime",
    create_time: LenientString = "create_time" | "createTime",
    device_register_time: LenientString = "device_register_time" | "deviceRegisterTime",
    dev_count: LenientInt = "dev_count" | "devCount",
    has_pc: LenientFlag = "has_pc" | "hasPc",
    ipc_current_count: LenientInt = "ipc_current_count" | "ipcCurrentCount",
    ipc_count_limit: LenientInt = "ipc_count_limit" | "ipcCountLimit",
    is_complete_config: LenientFlag = "is_complete_config" | "isCompleteconfig",
    service_permission: AnyValue = "service_permission" | "servicePermission",
});

/// One page of a store list: the `data` of `getDepartments` and `getDeptListByPage`.
///
/// `total` (the number of stores on all pages) is a number or a numeric string. The stores
/// are read from `rows` (cloud), `records` (classic), or `list`, whichever is present; one
/// object is a list of one. `null` is an empty page. Other paging fields (`pageNumber`,
/// `size`, `pages`, …) are kept in [`StorePage::extra`].
///
/// ```
/// use opretail_model::StorePage;
///
/// let page: StorePage = serde_json::from_str(r#"{"total": "2", "records": [{"id": 1}, {"id": "2"}], "pages": 1}"#)?;
/// assert_eq!(page.total, Some(2));
/// assert_eq!(page.stores.len(), 2);
/// assert_eq!(page.extra["pages"], 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StorePage {
    /// How many stores there are on all pages, when the gateway says.
    pub total: Option<u64>,
    /// The stores of this page.
    pub stores: Vec<Store>,
    /// Other fields of the page, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(StorePage, "a page of stores", data_of = "the store list", null = default, {
    total: LenientCount = "total",
    stores: OneOrMany<Store> = "stores" | "rows" | "records" | "list",
});
