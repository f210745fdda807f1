//! Keeps a database of every store's passenger flow up to date: the engine behind
//! `opretail sync`, usable from a Rust service.
//!
//! A run reads the store list, then for each stream and store asks the gateway for the
//! buckets from a little before the store's high-water mark (the lookback, so that hours the
//! platform revises converge) up to now, and upserts them into the target with the new mark
//! in the same transaction. A run repeated gives the same rows; a run killed at any point is
//! completed by the next one, with no gap and no duplicate.
//!
//! ```no_run
//! use opretail_sync::{Engine, SyncOptions, Target};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = opretail::Client::from_env()?;
//! let target: Target = "sqlite:footfall.db".parse()?;
//! let summary = Engine::new(client, SyncOptions::default())
//!     .run(target.open()?, |_progress| {})
//!     .await?;
//! println!("{} rows written, {} stores failed", summary.rows, summary.failures.len());
//! # Ok(())
//! # }
//! ```
//!
//! Sinks are cargo features: `sqlite` (default), `postgres`, `parquet`. The TLS stack is the
//! one chosen on the `opretail` crate (`rustls` or `native-tls`).

mod answers;
mod calls;
mod engine;
mod plan;
pub mod read;
mod rows;
mod sink;
pub mod sinks;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
mod stream;
mod target;

pub use engine::{Engine, Progress, StoreFailure, Stores, Summary, SyncError, SyncOptions};
pub use plan::{DEFAULT_LOOKBACK_DAYS, DEFAULT_SINCE_DAYS, parse_lookback};
pub use rows::{Batch, Cell, Mark, RawAnswer, Rows};
pub use sink::{LastRun, Outcome, RunEnd, RunStart, Sink, SinkError, Status, StreamStatus};
pub use stream::{Catalog, Column, ColumnType, OnConflict, Stream, Table, catalog};
pub use target::Target;
