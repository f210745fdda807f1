//! `opretail stores`: every store the user can see, fetched page by page as rows are written.

use futures_util::StreamExt;
use opretail_model::{EntityId, Error, Store};

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{Gateway, Tuning};
use crate::listing;
use crate::output::tidy::{Tidy, figure, text};
use crate::output::{Format, Sink, list_formats};
use crate::global::GlobalArgs;

/// Every store the user can see, one row per store. Needs the user: OPRETAIL_USER and
/// OPRETAIL_PASSWORD, OPRETAIL_TOKEN, or `opretail login` first.
#[derive(Debug, clap::Args)]
#[command(display_order = 6)]
pub struct Args {
    /// Only stores whose name contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT", value_parser = list_formats())]
    pub output: Option<Format>,

    /// With --output csv: write every cell exactly as received (see `passenger-flow total`).
    #[arg(long)]
    pub csv_raw: bool,
}

impl Args {
    /// Lists the stores.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        Gateway::run(
            global,
            Tuning::default(),
            async |gateway| run_with(gateway, &self).await,
        )
    }
}

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

/// Lists the stores, filtered by name, each row written as its page comes. The output is
/// closed on every exit: after the last page, a failed page, or a signal.
async fn run_with(gateway: &Gateway, args: &Args) -> Result<(), Failure> {
    let mut stop = fanout::listen()?;
    let (tidy, mut sink) = listing::open(gateway, COLUMNS, args.output, args.csv_raw)?;
    let walked = walk(gateway, args, &tidy, &mut sink, &mut stop).await;
    let closed = sink.finish();
    let walked = walked?;
    closed?;
    if sink.reader_gone() {
        return Err(Failure::BrokenPipe);
    }
    match walked {
        Some(signal) => {
            say!("interrupted after {} stores", sink.places_written());
            Err(Failure::Interrupted(signal))
        }
        None => Ok(()),
    }
}

/// Writes the rows of the store list until its end, a failure, a signal (returned) or the
/// reader going away.
async fn walk(
    gateway: &Gateway,
    args: &Args,
    tidy: &Tidy,
    sink: &mut Sink,
    stop: &mut crate::signals::StopRequest,
) -> Result<Option<crate::signals::Signal>, Failure> {
    let needle = args.name.as_deref().map(str::to_lowercase);
    let mut stores = std::pin::pin!(fanout::stores(gateway));
    let mut place = 0usize;
    loop {
        let store = tokio::select! {
            store = stores.next() => match store {
                Some(store) => store?,
                None => return Ok(None),
            },
            signal = stop.wait() => return Ok(Some(signal)),
        };
        let matches = match (&needle, &store.name) {
            (None, _) => true,
            (Some(needle), Some(name)) => name.to_lowercase().contains(needle),
            (Some(_), None) => false,
        };
        if matches {
            sink.put(place, vec![tidy.row(row(&store))?])?;
            place += 1;
            sink.flush()?;
            if sink.reader_gone() {
                return Ok(None);
            }
        }
    }
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

/// One failed call, as a message (kept here for the login command, which reports its failure
/// as the store list does).
pub fn call_failed(what: &str, error: &Error) -> Failure {
    fanout::call_failed(what, error)
}
