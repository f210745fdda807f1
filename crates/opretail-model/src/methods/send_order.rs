//! One till order upload (a write): `sendOrder` v2, the order as JSON in `iposJson`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::methods::report_sales::{MAX_SHOP_ID_CHARS, PARAM_ENTERPRISE_ID, check_enterprise_id};
use crate::{Error, Operation, Params, SalesStore, Uploaded};

/// The method name of the order upload.
pub const METHOD_SEND_ORDER: &str = "open.ovopark.pos.sendOrder";

/// The longest `machineId` and `ticketId` the platform documents.
pub const MAX_ORDER_ID_CHARS: usize = 60;

/// One order (a till ticket), as the platform takes it in `iposJson`: the store (`depId` or
/// `shopId`), the register (`machineId`, required) and any other documented field
/// (`shopName`, `cashierId`, `cashierName`, `guideId`, `guideNo`, `ticketId`, …) or one the
/// documentation cut off, set with [`Order::field`].
///
/// ```
/// use opretail_model::Order;
///
/// let order = Order::new("S_1001".parse()?, "POS-1")?
///     .ticket_id("T-0001")?
///     .field("cashierName", "王芳");
/// assert_eq!(order.to_json(), r#"{"cashierName":"王芳","depId":1001,"machineId":"POS-1","ticketId":"T-0001"}"#);
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    fields: Map<String, Value>,
}

impl Order {
    /// Field name: the register.
    pub const FIELD_MACHINE_ID: &'static str = "machineId";
    /// Field name: the ticket number.
    pub const FIELD_TICKET_ID: &'static str = "ticketId";

    /// An order of `store` rung up on the register `machine_id` (not empty, at most
    /// [`MAX_ORDER_ID_CHARS`] characters).
    pub fn new(store: SalesStore, machine_id: &str) -> Result<Order, Error> {
        let mut fields = Map::new();
        match store {
            SalesStore::DepId(id) => fields.insert(SalesStore::PARAM_DEP_ID.into(), id.into()),
            SalesStore::ShopId(code) => {
                fields.insert(SalesStore::PARAM_SHOP_ID.into(), code.into())
            }
        };
        let machine_id = checked_id(Self::FIELD_MACHINE_ID, machine_id)?;
        fields.insert(Self::FIELD_MACHINE_ID.into(), machine_id.into());
        Ok(Order { fields })
    }

    /// The ticket number (not empty, at most [`MAX_ORDER_ID_CHARS`] characters).
    pub fn ticket_id(mut self, ticket_id: &str) -> Result<Order, Error> {
        let ticket_id = checked_id(Self::FIELD_TICKET_ID, ticket_id)?;
        self.fields
            .insert(Self::FIELD_TICKET_ID.into(), ticket_id.into());
        Ok(self)
    }

    /// Any other field, sent as given. The store and `machineId` are set by
    /// [`Order::new`] and cannot be changed here: such a name is ignored.
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Order {
        let fixed = [
            SalesStore::PARAM_DEP_ID,
            SalesStore::PARAM_SHOP_ID,
            Self::FIELD_MACHINE_ID,
        ];
        if !fixed.contains(&name) {
            self.fields.insert(name.to_owned(), value.into());
        }
        self
    }

    /// The order as the JSON text sent in `iposJson`, fields sorted by name.
    pub fn to_json(&self) -> String {
        Value::Object(self.fields.clone()).to_string()
    }
}

fn checked_id(field: &'static str, text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty()
        || text.chars().count() > MAX_ORDER_ID_CHARS.min(MAX_SHOP_ID_CHARS)
        || text.chars().any(char::is_control)
    {
        return Err(Error::invalid_input(
            field,
            format!(
                "give 1 to {MAX_ORDER_ID_CHARS} characters without control characters, as the \
                 platform documents"
            ),
        ));
    }
    Ok(text.to_owned())
}

/// `open.ovopark.pos.sendOrder` (**v2**): uploads one order.
///
/// Sends `orgId` (the open-platform enterprise id), `enterpriseId` (the business-platform
/// one) and `iposJson` (the [`Order`] as JSON text). **Not idempotent**: a repeat after a
/// lost answer could record the order twice, so it is retried only when the request surely
/// did not run (no connection, or `-100`). Needs no token.
///
/// ```
/// use opretail_model::{Operation, Order, SendOrder};
///
/// let order = Order::new("SH001".parse()?, "POS-1")?;
/// let op = SendOrder::new(42, 88_001, &order)?;
/// assert_eq!(op.version(), "v2");
/// assert_eq!(
///     op.params(),
///     [
///         ("orgId", "42".into()),
///         ("enterpriseId", "88001".into()),
///         ("iposJson", r#"{"machineId":"POS-1","shopId":"SH001"}"#.into()),
///     ]
/// );
/// assert!(!op.idempotent());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOrder {
    org_id: i64,
    enterprise_id: i64,
    ipos_json: String,
}

impl SendOrder {
    /// The method name.
    pub const METHOD: &'static str = METHOD_SEND_ORDER;
    /// The method version.
    pub const VERSION: &'static str = "v2";
    /// Parameter name: the open-platform enterprise id.
    pub const PARAM_ORG_ID: &'static str = "orgId";
    /// Parameter name: the business-platform enterprise id.
    pub const PARAM_ENTERPRISE_ID: &'static str = PARAM_ENTERPRISE_ID;
    /// Parameter name: the order as JSON text.
    pub const PARAM_IPOS_JSON: &'static str = "iposJson";

    /// Uploads `order` for the open-platform enterprise `org_id` and the business-platform
    /// enterprise `enterprise_id` (both refused unless positive).
    pub fn new(org_id: i64, enterprise_id: i64, order: &Order) -> Result<Self, Error> {
        Ok(SendOrder {
            org_id: check_enterprise_id(Self::PARAM_ORG_ID, org_id)?,
            enterprise_id: check_enterprise_id(PARAM_ENTERPRISE_ID, enterprise_id)?,
            ipos_json: order.to_json(),
        })
    }
}

impl Operation for SendOrder {
    type Output = Uploaded;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn version(&self) -> &str {
        Self::VERSION
    }

    fn params(&self) -> Params<'_> {
        vec![
            (Self::PARAM_ORG_ID, Cow::Owned(self.org_id.to_string())),
            (
                PARAM_ENTERPRISE_ID,
                Cow::Owned(self.enterprise_id.to_string()),
            ),
            (Self::PARAM_IPOS_JSON, Cow::Borrowed(&self.ipos_json)),
        ]
    }

    fn data_is_required(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        let store = SalesStore::DepId(1);
        assert!(Order::new(store.clone(), "").is_err());
        assert!(Order::new(store.clone(), &"m".repeat(61)).is_err());
        let order = Order::new(store, " POS-1 ").unwrap();
        assert!(order.to_json().contains(r#""machineId":"POS-1""#));
        let e = order.clone().ticket_id("a\nb").unwrap_err();
        assert!(e.to_string().contains("ticketId"), "{e}");
        assert!(SendOrder::new(0, 1, &order).is_err());
        assert!(SendOrder::new(1, 0, &order).is_err());
    }

    #[test]
    fn the_store_and_register_cannot_be_overwritten_by_a_field() {
        let order = Order::new(SalesStore::DepId(1), "POS-1")
            .unwrap()
            .field("depId", 2)
            .field("machineId", "other")
            .field("guideNo", 7);
        let json: Value = serde_json::from_str(&order.to_json()).unwrap();
        assert_eq!(json["depId"], 1);
        assert_eq!(json["machineId"], "POS-1");
        assert_eq!(json["guideNo"], 7);
    }
}
