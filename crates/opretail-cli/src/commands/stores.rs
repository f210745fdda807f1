//! `opretail stores`: every store the user can see, fetched page by page as rows are written.

use futures_util::{Stream, StreamExt, TryStreamExt};
use opretail_model::{EntityId, Error, Store, StorePages};

use crate::args::StoresArgs;
use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::{Gateway, NO_TOKEN_HINT};
use crate::output::ErrorInfo;
use crate::output::tidy::{TidyWriter, figure, text};

/// The columns of `stores`.
const COLUMNS: &[&str] = &[
    "id",
    "name",
    "shop_code",
    "organisation",
    "address",
    "phone",
    "open_status",
    "longitude",
    "latitude",
];

/// Lists the stores, filtered by name.
pub async fn run(gateway: &Gateway, args: &StoresArgs) -> Result<(), Failure> {
    let format = crate::args::ListFormat::or_default(args.output);
    if gateway.is_sandbox() {
        say!("note: sandbox data, not from the real gateway");
    }
    let needle = args.name.as_deref().map(str::to_lowercase);
    let mut stores = std::pin::pin!(all_stores(gateway));
    let mut out = TidyWriter::new(COLUMNS, format, args.csv_raw, std::io::stdout().lock())?;
    while let Some(store) = stores.next().await {
        let store = store.map_err(|e| call_failed("the store list", &e))?;
        let matches = match (&needle, &store.name) {
            (None, _) => true,
            (Some(needle), Some(name)) => name.to_lowercase().contains(needle),
            (Some(_), None) => false,
        };
        if matches {
            out.row(row(&store))?;
        }
    }
    out.finish()?;
    Ok(())
}

/// Every store of the user, page by page as the stream is read.
pub fn all_stores(gateway: &Gateway) -> impl Stream<Item = Result<Store, Error>> + Send + 'static {
    gateway
        .client
        .walk(StorePages::for_gateway(gateway.client.config().gateway()))
}

/// The ids of every store of the user, in list order.
pub async fn all_store_ids(gateway: &Gateway) -> Result<Vec<EntityId>, Failure> {
    let stores: Vec<Store> = all_stores(gateway)
        .try_collect()
        .await
        .map_err(|e| call_failed("the store list", &e))?;
    let ids: Vec<EntityId> = stores.iter().filter_map(Store::entity_id).collect();
    if ids.is_empty() {
        return Err(Failure::Failed(
            "the user sees no store with an id: nothing to ask for".to_owned(),
        ));
    }
    Ok(ids)
}

fn row(store: &Store) -> Vec<serde_json::Value> {
    vec![
        text(store.entity_id().as_ref().map(EntityId::as_str)),
        text(store.name.as_deref()),
        text(store.shop_id.as_deref()),
        text(store.organize_name.as_deref()),
        text(store.address.as_deref()),
        text(store.phone.as_deref()),
        store
            .open_status
            .map_or(serde_json::Value::Null, Into::into),
        figure(store.longitude.as_ref()),
        figure(store.latitude.as_ref()),
    ]
}

/// One failed call, as a message: what was asked, what went wrong, what to do.
pub fn call_failed(what: &str, error: &Error) -> Failure {
    let info = ErrorInfo::of(error);
    let hint = if matches!(error, Error::InvalidInput { .. }) && info.message.contains("token") {
        format!("; {NO_TOKEN_HINT}")
    } else {
        String::new()
    };
    Failure::Failed(format!("{what} failed: {}{hint}", info.line()))
}
