//! The `data` of `open.shopweb.passengerFlow.getTotalData`.

use serde::{Deserialize, Serialize};

/// Passenger-flow totals of a store or an enterprise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TotalData {}
