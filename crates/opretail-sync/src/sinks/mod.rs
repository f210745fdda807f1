//! The sinks, each behind the cargo feature of its name.

#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "parquet")]
pub mod parquet;
