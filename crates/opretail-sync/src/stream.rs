//! The streams a sync keeps and the catalog of their tables: columns, types, primary keys.
//!
//! Every sink creates its tables from this catalog, and `opretail discover` prints it, so the
//! tables other tools read and the catalog they read about them cannot drift apart.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// One kind of data a sync keeps, as one table (or one set of Parquet files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// The store list as a dimension: one row per store ever seen.
    Stores,
    /// Passenger flow per store and hour.
    FlowHourly,
    /// Passenger flow per store and day (the platform de-duplicates faces per day, so a day
    /// is not the sum of its hours).
    FlowDaily,
    /// Visitors per store and day by gender and by age group.
    DemographicsDaily,
    /// `getTotalData` snapshots (today, this week, this month) with the time they were taken.
    Totals,
}

impl Stream {
    /// Every stream, in the order a run fills them.
    pub const ALL: [Stream; 5] = [
        Stream::Stores,
        Stream::FlowHourly,
        Stream::FlowDaily,
        Stream::DemographicsDaily,
        Stream::Totals,
    ];

    /// The streams a sync keeps unless told otherwise.
    pub const DEFAULT: [Stream; 3] = [Stream::Stores, Stream::FlowHourly, Stream::FlowDaily];

    /// The table's name: `stores`, `flow_hourly`, `flow_daily`, `demographics_daily`,
    /// `totals`.
    pub fn name(self) -> &'static str {
        self.table().name
    }

    /// The stream's table: its columns and primary key.
    pub fn table(self) -> &'static Table {
        match self {
            Stream::Stores => &STORES,
            Stream::FlowHourly => &FLOW_HOURLY,
            Stream::FlowDaily => &FLOW_DAILY,
            Stream::DemographicsDaily => &DEMOGRAPHICS_DAILY,
            Stream::Totals => &TOTALS,
        }
    }

    /// Whether the stream has a high-water mark per store (the series streams), as opposed to
    /// being read whole on every run (stores, totals).
    pub fn is_incremental(self) -> bool {
        matches!(
            self,
            Stream::FlowHourly | Stream::FlowDaily | Stream::DemographicsDaily
        )
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stream {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Stream::ALL
            .into_iter()
            .find(|s| s.name() == text.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Stream::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown stream {text:?}: the streams are {}",
                    names.join(", ")
                )
            })
    }
}

/// The type of a column, as each sink stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// A 64-bit signed integer.
    Integer,
    /// A 64-bit float.
    Real,
    /// True or false (SQLite: 0 or 1).
    Boolean,
    /// A calendar day at the gateway (SQLite: `yyyy-MM-dd` text).
    Date,
    /// A time of day at the gateway, without a zone: UTC+08:00 unless the client was
    /// configured otherwise (SQLite: `yyyy-MM-dd HH:mm:ss` text, which sorts as time does).
    Timestamp,
}

/// What an upsert does to a column when the row is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// The new value replaces the old one.
    Replace,
    /// The old value stays (a store's `first_seen`).
    Keep,
}

/// One column of a stream's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Whether it may be empty (the platform did not send the figure).
    pub nullable: bool,
    /// What an upsert does with it.
    pub on_conflict: OnConflict,
    /// What it holds.
    pub description: &'static str,
}

/// A stream's table: name, columns in order, primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// What a row is.
    pub description: &'static str,
    /// The columns, in table order.
    pub columns: &'static [Column],
    /// The primary key's columns.
    pub primary_key: &'static [&'static str],
}

impl Table {
    /// The position of column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

const fn col(name: &'static str, kind: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        kind,
        nullable: true,
        on_conflict: OnConflict::Replace,
        description,
    }
}

const fn key(name: &'static str, kind: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        kind,
        nullable: false,
        on_conflict: OnConflict::Replace,
        description,
    }
}

use ColumnType::{Boolean, Date, Integer, Real, Text, Timestamp};

const STORE_ID: Column = key("store_id", Text, "the store's id, S_<depId>");
const PARTIAL: Column = key(
    "partial",
    Boolean,
    "whether the bucket was still running when read; replaced once complete",
);
const FETCHED_AT: Column = key(
    "fetched_at",
    Timestamp,
    "when the row was read, gateway time",
);

/// Declares the passenger-flow figures shared by the hourly and daily tables.
macro_rules! flow_table {
    ($name:literal, $description:literal, $bucket:expr) => {
        Table {
            name: $name,
            description: $description,
            columns: &[
                STORE_ID,
                $bucket,
                col("entering", Integer, "entering flow (passengerFlow)"),
                col(
                    "passing",
                    Integer,
                    "passing flow, walked by (passPassengerFlow)",
                ),
                col(
                    "outside",
                    Integer,
                    "entering plus passing (outsidePassengerFlow)",
                ),
                col("entry_rate", Real, "entry rate in percent (inShopRate)"),
                col("exit", Integer, "exit flow (outFlowCount)"),
                col("fitting_rate", Real, "fitting rate (dressingRate)"),
                PARTIAL,
                FETCHED_AT,
            ],
            primary_key: &["store_id", $bucket.name],
        }
    };
}

static STORES: Table = Table {
    name: "stores",
    description: "one row per store the user has seen, as the store list last showed it",
    columns: &[
        STORE_ID,
        col("name", Text, "the store's name"),
        col("shop_code", Text, "the tenant's own store code (shopId)"),
        col("organize_id", Text, "the organisation node (organizeId)"),
        col("organize_name", Text, "the organisation node's name"),
        col("address", Text, "the address"),
        col("longitude", Real, "longitude"),
        col("latitude", Real, "latitude"),
        col("open_status", Integer, "the platform's open status code"),
        Column {
            on_conflict: OnConflict::Keep,
            ..key(
                "first_seen",
                Timestamp,
                "when a sync first saw it, gateway time",
            )
        },
        key(
            "last_seen",
            Timestamp,
            "when a sync last saw it, gateway time",
        ),
    ],
    primary_key: &["store_id"],
};

static FLOW_HOURLY: Table = flow_table!(
    "flow_hourly",
    "passenger flow of one store in one hour",
    key(
        "bucket_start",
        Timestamp,
        "the start of the hour, gateway time"
    )
);

static FLOW_DAILY: Table = flow_table!(
    "flow_daily",
    "passenger flow of one store on one day",
    key("day", Date, "the day, at the gateway")
);

static DEMOGRAPHICS_DAILY: Table = Table {
    name: "demographics_daily",
    description: "visitors of one store on one day in one gender or age group",
    columns: &[
        STORE_ID,
        key("day", Date, "the day, at the gateway"),
        key("dimension", Text, "`gender` or `age`"),
        key(
            "grp",
            Text,
            "the group: unknown, male, female or gender_<code>; an age range as the platform names it",
        ),
        col("people", Integer, "visitors in the group"),
        col(
            "percentage",
            Real,
            "their share of the day's visitors, in percent",
        ),
        PARTIAL,
        FETCHED_AT,
    ],
    primary_key: &["store_id", "day", "dimension", "grp"],
};

static TOTALS: Table = Table {
    name: "totals",
    description: "a getTotalData snapshot of one store: today, this week and this month so far",
    columns: &[
        STORE_ID,
        key(
            "taken_at",
            Timestamp,
            "when the snapshot was taken, gateway time",
        ),
        col("day_flow", Integer, "visitors today so far (DAY_FLOW)"),
        col(
            "week_flow",
            Integer,
            "visitors this week so far (WEEK_FLOW)",
        ),
        col(
            "month_flow",
            Integer,
            "visitors this month so far (MONTH_FLOW)",
        ),
        col("total_sale", Real, "sales today (TOTAL_SALE)"),
        col("expenditure", Real, "spend per customer (EXPENDITURE)"),
        col("enter_rate", Real, "entry rate in percent (ENTER_RATE)"),
        col("buy_rate", Real, "purchase rate in percent (BUY_RATE)"),
        col("fitting_rate", Real, "fitting rate (FITTING_RATE)"),
    ],
    primary_key: &["store_id", "taken_at"],
};

/// The catalog of every stream, as `opretail discover` prints it (in the spirit of Singer's
/// and Airbyte's `discover`): for each stream its table, columns (name, type, nullable,
/// description) and primary key, so that other tools read the tables without guessing.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// How times are written.
    pub time_zone: &'static str,
    /// Every stream's table, in [`Stream::ALL`] order.
    pub streams: Vec<&'static Table>,
}

/// The catalog of every stream.
///
/// ```
/// let catalog = serde_json::to_value(opretail_sync::catalog())?;
/// let hourly = &catalog["streams"][1];
/// assert_eq!(hourly["name"], "flow_hourly");
/// assert_eq!(hourly["primary_key"], serde_json::json!(["store_id", "bucket_start"]));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn catalog() -> Catalog {
    Catalog {
        time_zone: "times are the gateway's local time (UTC+08:00 unless configured otherwise), without a zone",
        streams: Stream::ALL.iter().map(|s| s.table()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_column_exists_and_is_not_nullable() {
        for stream in Stream::ALL {
            let table = stream.table();
            for name in table.primary_key {
                let at = table.position(name).expect("a key column is a column");
                assert!(!table.columns[at].nullable, "{stream}.{name}");
            }
        }
    }

    #[test]
    fn streams_read_back_from_their_names_and_unknown_ones_are_listed() {
        for stream in Stream::ALL {
            assert_eq!(stream.name().parse::<Stream>(), Ok(stream));
        }
        let error = "flow_minutely".parse::<Stream>().unwrap_err();
        assert!(error.contains("flow_hourly, flow_daily"), "{error}");
    }
}
