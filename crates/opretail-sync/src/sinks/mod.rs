//! The sinks, each behind the cargo feature of its name, and [`Target::open`], which picks
//! one (here rather than beside `Target`, which the sinks use: no cycle).

#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use crate::sink::{Sink, SinkError};
use crate::target::Target;

impl Target {
    /// Opens the target: the database connection or the directory. Nothing is created yet.
    pub fn open(&self) -> Result<Box<dyn Sink>, SinkError> {
        match self {
            #[cfg(feature = "sqlite")]
            Target::Sqlite(path) => Ok(Box::new(crate::sinks::sqlite::SqliteSink::open(path)?)),
            #[cfg(feature = "postgres")]
            Target::Postgres(url) => Ok(Box::new(crate::sinks::postgres::PostgresSink::connect(
                secrecy::ExposeSecret::expose_secret(url),
            )?)),
            #[cfg(feature = "parquet")]
            Target::Parquet(dir) => Ok(Box::new(crate::sinks::parquet::ParquetSink::open(dir)?)),
            #[allow(unreachable_patterns)]
            other => Err(SinkError::new(
                other.to_string(),
                format!(
                    "this build has no {} sink: build with the `{}` feature",
                    other.kind(),
                    other.kind()
                ),
            )),
        }
    }
}
