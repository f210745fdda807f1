//! `opretail devices`: every counting device of the stores, whether it is online and the
//! last day it counted anyone, with flags for offline devices and devices that counted
//! nothing, for alarms from cron.

use chrono::{NaiveDate, TimeDelta, Utc};
use futures_util::StreamExt;
use opretail_model::{
    DateRange, Device, EntityId, EntityKind, GetDeviceList, Grain, ListDevicePassengerIndicator,
};
use serde_json::Value;

use crate::diag::say;
use crate::failure::Failure;
use crate::fanout;
use crate::gateway::{AnswerCaps, Gateway, Tuning, parse_rate};
use crate::ids::{IdSource, Ids};
use crate::listing;
use crate::output::tidy::text;
use crate::output::{Format, list_formats};
use crate::global::GlobalArgs;

/// How many days back "last day with flow" looks without `--zero-flow`.
const DEFAULT_LOOKBACK_DAYS: u16 = 7;

/// Every counting device of the stores: online or not, and the last day it counted
/// anyone. With --offline and --zero-flow DAYS, flags the devices to look at and exits 1
/// when there is one (for alarms from cron).
#[derive(Debug, clap::Args)]
#[command(display_order = 9)]
pub struct Args {
    /// The stores.
    #[command(flatten)]
    pub stores: IdSource,

    /// Flag devices that are offline (and exit 1 when there is one).
    #[arg(long)]
    pub offline: bool,

    /// Flag devices that counted nobody on any of the last DAYS complete days (and exit 1 when
    /// there is one); also how far back `last_flow_day` looks [default: 7].
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u16).range(1..=90))]
    pub zero_flow: Option<u16>,

    /// Show whole MAC addresses (by default only their last 4 characters).
    #[arg(long)]
    pub show_mac: bool,

    /// Calls in flight at once (one store's calls are made in turn).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// At most this many requests sent per second, retries and the login included.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Output format [default: table when stdout is a terminal, else json]
    #[arg(long, value_name = "FORMAT", value_parser = list_formats())]
    pub output: Option<Format>,

    /// With --output csv: write every cell exactly as received (see `passenger-flow total`).
    #[arg(long)]
    pub csv_raw: bool,
}

impl Args {
    /// Lists the devices and raises the flags asked for.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let ids = self.plan()?;
        Gateway::run(global, self.tuning(), async |gateway| {
            run_with(gateway, &self, ids).await
        })
    }
}

impl Args {
    /// The stores, checked before anything is sent: stores only.
    pub fn plan(&self) -> Result<Ids, Failure> {
        let ids = self.stores.read()?;
        if let Ids::Given(batch) = &ids
            && let Some(id) = batch
                .unique
                .iter()
                .find(|id| id.kind() != EntityKind::Store)
        {
            return Err(Failure::usage(format!(
                "{id} is not a store: devices are listed per store (S_…); give store ids or \
                 --all-stores"
            )));
        }
        Ok(ids)
    }

    /// The client's `--rate`.
    pub fn tuning(&self) -> Tuning {
        Tuning {
            rate_limit: self.rate,
            answer_caps: Some(AnswerCaps::DEVICE_LISTS),
        }
    }
}

/// The columns of `devices`.
const COLUMNS: &[&str] = &[
    "store",
    "device_id",
    "device",
    "mac",
    "online",
    "last_flow_day",
    "flags",
];

/// What was found of one device.
struct Found {
    device: Device,
    /// The last day of the lookback on which it counted someone; `None` when none did or
    /// its flow could not be asked for (no usable MAC address).
    last_flow_day: Option<NaiveDate>,
    /// Whether its flow was read.
    flow_read: bool,
}

/// Lists the devices of every store, store by store in input order, and raises the flags
/// asked for; exit 1 when a flag is raised or a store's calls failed.
async fn run_with(gateway: &Gateway, args: &Args, ids: Ids) -> Result<(), Failure> {
    let mut stop = fanout::listen()?;
    let (tidy, mut sink) = listing::open(gateway, COLUMNS, args.output, args.csv_raw)?;
    let ids = match ids {
        Ids::Given(batch) => batch.unique,
        Ids::AllStores => fanout::all_store_ids(gateway, &mut stop).await?,
    };
    fanout::log_in_first(gateway).await?;
    let today = Utc::now()
        .with_timezone(&gateway.client.config().utc_offset())
        .date_naive();
    let lookback = i64::from(args.zero_flow.unwrap_or(DEFAULT_LOOKBACK_DAYS));
    // Complete days only: the running day would raise the flag every morning.
    let days = DateRange::new(
        today - TimeDelta::days(lookback),
        today - TimeDelta::days(1),
    )
    .map_err(|e| Failure::usage(format!("--zero-flow: {e}")))?;
    let mut results = std::pin::pin!(
        futures_util::stream::iter(ids.iter().enumerate())
            .map(|(index, id)| async move { (index, id, store_devices(gateway, id, days).await) })
            .buffered(usize::from(args.concurrency))
    );
    let (mut flagged, mut failed, mut devices) = (0usize, 0usize, 0usize);
    let mut signal = None;
    loop {
        let next = tokio::select! {
            next = results.next() => next,
            caught = stop.wait() => {
                signal = Some(caught);
                None
            }
        };
        let Some((index, id, found)) = next else {
            break;
        };
        let rows = match found {
            Ok(found) => {
                let mut rows = Vec::with_capacity(found.len());
                for item in &found {
                    let flags = flags_of(item, args);
                    flagged += usize::from(!flags.is_empty());
                    devices += 1;
                    rows.push(tidy.row(row(id, item, &flags, args.show_mac))?);
                }
                rows
            }
            Err(Failure::Failed(message)) => {
                failed += 1;
                say!("error: {message}");
                Vec::new()
            }
            // A failure every store would share (no token, a flag missing): stop now.
            Err(other) => {
                sink.finish()?;
                return Err(other);
            }
        };
        sink.put(index, rows)?;
        sink.flush()?;
        if sink.reader_gone() {
            break;
        }
    }
    let closed = sink.finish();
    closed?;
    if sink.reader_gone() {
        return Err(Failure::BrokenPipe);
    }
    if let Some(signal) = signal {
        say!("interrupted after {} stores", sink.places_written());
        return Err(Failure::Interrupted(signal));
    }
    if failed > 0 {
        say!(
            "{failed} of {} stores failed: their devices are left out",
            ids.len()
        );
    }
    if flagged > 0 {
        say!("{flagged} of {devices} devices flagged");
    }
    if failed > 0 || flagged > 0 {
        return Err(Failure::Reported);
    }
    Ok(())
}

/// A store's devices and, for each with a MAC address, its flow over `days`.
async fn store_devices(
    gateway: &Gateway,
    store: &EntityId,
    days: DateRange,
) -> Result<Vec<Found>, Failure> {
    let list = GetDeviceList::new(store).map_err(|e| Failure::usage(e.to_string()))?;
    let list = gateway
        .client
        .send(&list)
        .await
        .map_err(|e| fanout::call_failed(&format!("the devices of {store}"), &e))?;
    let mut found = Vec::with_capacity(list.devices.len());
    for device in list.devices {
        let Some(mac) = device.normalized_mac() else {
            found.push(Found {
                device,
                last_flow_day: None,
                flow_read: false,
            });
            continue;
        };
        let call = ListDevicePassengerIndicator::new(&mac, days, Grain::Day)
            .map_err(|e| Failure::usage(e.to_string()))?;
        let flow = gateway.client.send(&call).await.map_err(|e| {
            let tail = &mac[mac.len() - 4..];
            fanout::call_failed(&format!("the flow of device …{tail} of {store}"), &e)
        })?;
        let last_flow_day = flow
            .buckets
            .iter()
            .filter(|b| {
                b.passenger_flow
                    .as_ref()
                    .and_then(|m| m.as_i64())
                    .is_some_and(|n| n > 0)
            })
            .filter_map(|b| b.date_time().map(|t| t.date()))
            .max();
        found.push(Found {
            device,
            last_flow_day,
            flow_read: true,
        });
    }
    Ok(found)
}

/// The flags `args` asks for that `found` raises.
fn flags_of(found: &Found, args: &Args) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if args.offline && found.device.online == Some(false) {
        flags.push("offline");
    }
    if args.zero_flow.is_some() && found.flow_read && found.last_flow_day.is_none() {
        flags.push("zero_flow");
    }
    flags
}

fn row(store: &EntityId, found: &Found, flags: &[&str], show_mac: bool) -> Vec<Value> {
    let device = &found.device;
    let mac = if show_mac {
        device.normalized_mac().or_else(|| device.mac.clone())
    } else {
        device.mac_tail(4).map(|tail| format!("…{tail}"))
    };
    vec![
        store.as_str().into(),
        text(device.id.as_deref()),
        text(device.name.as_deref()),
        text(mac.as_deref()),
        device.online.map_or(Value::Null, Value::Bool),
        found
            .last_flow_day
            .map_or(Value::Null, |d| Value::String(d.to_string())),
        Value::String(flags.join(",")),
    ]
}
