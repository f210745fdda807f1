//! `open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData` v1: the
//! second name of the many-stores flow method, with the same series as the first. Its hour
//! filter is spelled `starthour`/`endhour`, in lower case. Needs a token.

use opretail_model::FlowMethod;

use crate::call::{Call, Data};
use crate::rejection::Rejection;

pub(crate) const METHOD: &str = FlowMethod::CustomerFlow.name();
pub(crate) const VERSION: &str = "v1";

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    super::get_many_shops_passenger_indicator_data::series(call, FlowMethod::CustomerFlow.hour_params())
}
