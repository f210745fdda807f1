//! One call of a stream for one store, turned into rows: the operation is sent through the
//! SDK, so that its decoding limits (rows and elements per answer) hold whatever a gateway
//! sends; with `--keep-raw`, the answer's `data` is kept as it came, read in the same pass.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use opretail::{
    Client, DateRange, EntityId, FlowMethod, GetAgeGroupAndGenderDistribution,
    GetManyShopsPassengerIndicatorData, GetTotalData, Grain, Operation, Params,
};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::answers;
use crate::plan::{Now, Window};
use crate::rows::{RawAnswer, Rows};
use crate::stream::Stream;

/// The rows of the call of `stream` for `id` over `window` (none for `totals`), and the
/// answer kept for the raw table when `keep` gives the run's number. The flow streams are
/// asked for with the name `flow`.
pub(crate) async fn rows(
    client: &Client,
    (stream, flow): (Stream, FlowMethod),
    id: &EntityId,
    window: Option<Window>,
    now: Now,
    keep: Option<i64>,
) -> Result<(Rows, Option<RawAnswer>), String> {
    let days = |w: Window| DateRange::new(w.first, w.last).map_err(|e| e.to_string());
    let keep = keep.map(|run_id| (run_id, now.at()));
    match (stream, window) {
        (Stream::FlowHourly | Stream::FlowDaily, Some(w)) => {
            let grain = if stream == Stream::FlowHourly {
                Grain::Hour
            } else {
                Grain::Day
            };
            let op = GetManyShopsPassengerIndicatorData::new([id.clone()], days(w)?, grain)
                .map_err(|e| e.to_string())?
                .flow_method(flow);
            let (series, raw) = send(client, op, keep).await?;
            Ok((answers::flow_rows(stream, id, w, series, now)?, raw))
        }
        (Stream::DemographicsDaily, Some(w)) => {
            let op = GetAgeGroupAndGenderDistribution::new([id.clone()], days(w)?)
                .map_err(|e| e.to_string())?;
            let (shares, raw) = send(client, op, keep).await?;
            Ok((answers::demographics_rows(id, w.first, &shares, now)?, raw))
        }
        (Stream::Totals, None) => {
            let (totals, raw) = send(client, GetTotalData::new(id.clone()), keep).await?;
            Ok((answers::totals_rows(id, &totals, now), raw))
        }
        (stream, _) => Err(format!("no call reads {stream}")),
    }
}

/// Sends `operation`; with `keep` (the run's number and the time), also its `data` as it
/// came, its business parameters and `cid`, for the raw table.
async fn send<O>(
    client: &Client,
    operation: O,
    keep: Option<(i64, NaiveDateTime)>,
) -> Result<(O::Output, Option<RawAnswer>), String>
where
    O: Operation + Send + Sync,
{
    let Some((run_id, received_at)) = keep else {
        return client
            .send(&operation)
            .await
            .map(|output| (output, None))
            .map_err(|e| e.to_string());
    };
    let params: serde_json::Map<String, serde_json::Value> = operation
        .params()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.into_owned())))
        .collect();
    let method = operation.method().to_owned();
    let response = client
        .send_with_meta(&KeepData(operation))
        .await
        .map_err(|e| e.to_string())?;
    let Kept { raw, output } = response.output;
    let raw = RawAnswer {
        run_id,
        method,
        params: serde_json::Value::Object(params).to_string(),
        cid: response.meta.cid,
        received_at,
        body: raw.get().to_owned(),
    };
    Ok((output, Some(raw)))
}

/// An operation whose output is also kept as the text it was read from.
struct KeepData<O>(O);

impl<O: Operation> Operation for KeepData<O> {
    type Output = Kept<O::Output>;

    fn method(&self) -> &str {
        self.0.method()
    }
    fn version(&self) -> &str {
        self.0.version()
    }
    fn params(&self) -> Params<'_> {
        self.0.params()
    }
    fn headers(&self) -> Vec<(&str, &str)> {
        self.0.headers()
    }
    fn idempotent(&self) -> bool {
        self.0.idempotent()
    }
    fn needs_token(&self) -> bool {
        self.0.needs_token()
    }
    fn answer_is_secret(&self) -> bool {
        self.0.answer_is_secret()
    }
    fn data_is_required(&self) -> bool {
        self.0.data_is_required()
    }
}

/// `data` as it came, and decoded.
struct Kept<T> {
    raw: Box<RawValue>,
    output: T,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Kept<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        // Decoded while the SDK decodes the answer, on the same thread: its limits on rows
        // and elements count this pass too.
        let output = serde_json::from_str(raw.get())
            .map_err(|e| D::Error::custom(Cow::<str>::Owned(e.to_string())))?;
        Ok(Kept { raw, output })
    }
}
