//! Files replaced atomically (a temporary file beside, fsynced, renamed over), and Parquet
//! files written and read whole.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::SchemaRef;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::{KeyValue, ParquetMetaDataReader, SortingColumn};
use parquet::file::properties::WriterProperties;

use super::columns;
use crate::stream::Stream;

/// What each file says of its times, in its key-value metadata.
pub(crate) const TIMES_NOTE: &str = "times are the gateway's local time (UTC+08:00 unless the client was configured otherwise), \
     without a zone: a timestamp holds the local wall-clock time, not adjusted to UTC";

/// The rows a reader hands at once: one batch for a day of hourly rows of a few hundred
/// stores, so that a merge has few sources.
const READ_BATCH_ROWS: usize = 8_192;

/// The temporary file `path` is written to before it replaces it: hidden, and not ending in
/// `.parquet` or `.json`, so that no reader globbing the directory takes it for data.
pub(crate) fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Replaces `path` by what `write` writes, atomically: readers and a process killed at any
/// point see the old file or the new one, whole. The file and then its directory are
/// fsynced, so that the rename outlives a power cut too.
pub(crate) fn replace(path: &Path, write: impl FnOnce(File) -> io::Result<File>) -> io::Result<()> {
    let temporary = temporary(path);
    let file = write(File::create(&temporary)?)?;
    put_in_place(file, &temporary, path)
}

/// Makes `file`, written at `temporary`, the file `path`: fsynced, closed (Windows renames
/// no open file), renamed over it, and the rename made durable.
pub(crate) fn put_in_place(file: File, temporary: &Path, path: &Path) -> io::Result<()> {
    file.sync_all()?;
    drop(file);
    fs::rename(temporary, path)?;
    sync_directory(path.parent().unwrap_or(Path::new(".")))
}

/// Creates `dir` and the directories above it that are missing, each fsynced into its
/// parent.
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir(parent)?;
    }
    match fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    sync_directory(
        dir.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )
}

/// Makes the entries of `dir` durable: on Unix a directory is fsynced like a file; elsewhere
/// the rename is as durable as the system makes it.
fn sync_directory(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `batch` of `stream` as the Parquet file `path`, atomically.
pub(crate) fn write_parquet(
    path: &Path,
    stream: Stream,
    batch: &RecordBatch,
) -> Result<(), String> {
    let table = stream.table();
    let sorting = table
        .primary_key
        .iter()
        .filter_map(|name| table.position(name))
        .map(|at| SortingColumn {
            column_idx: at as i32,
            descending: false,
            nulls_first: false,
        })
        .collect();
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_sorting_columns(Some(sorting))
        .set_key_value_metadata(Some(vec![
            KeyValue::new("opretail.stream".to_owned(), stream.name().to_owned()),
            KeyValue::new(
                "opretail.primary_key".to_owned(),
                table.primary_key.join(","),
            ),
            KeyValue::new("opretail.times".to_owned(), TIMES_NOTE.to_owned()),
        ]))
        .build();
    replace(path, |file| {
        let mut writer =
            ArrowWriter::try_new(BufWriter::new(file), batch.schema(), Some(properties))
                .map_err(io::Error::other)?;
        writer.write(batch).map_err(io::Error::other)?;
        let mut buffered = writer.into_inner().map_err(io::Error::other)?;
        buffered.flush()?;
        buffered.into_inner().map_err(|e| e.into_error())
    })
    .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The rows of the Parquet file `path`, or `None` when there is none; an error when it does
/// not read or does not have `schema`'s columns.
pub(crate) fn read_parquet(
    path: &Path,
    schema: &SchemaRef,
) -> Result<Option<Vec<RecordBatch>>, String> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open {}: {e}", path.display())),
    };
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "{} does not read as Parquet ({e}): move it out of the directory and sync its days again (--since)",
            path.display()
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| unreadable(&e))?;
    if !columns::same_columns(builder.schema(), schema) {
        return Err(format!(
            "{} does not have the columns of the catalog (opretail discover): move it out of the directory and sync its days again (--since)",
            path.display()
        ));
    }
    let reader = builder
        .with_batch_size(READ_BATCH_ROWS)
        .build()
        .map_err(|e| unreadable(&e))?;
    reader
        .map(|batch| batch.map_err(|e| unreadable(&e)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The rows of the Parquet file `path`, from its footer.
pub(crate) fn row_count(path: &Path) -> Result<u64, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&file)
        .map_err(|e| format!("{} does not read as Parquet: {e}", path.display()))?;
    Ok(u64::try_from(metadata.file_metadata().num_rows()).unwrap_or(0))
}

/// Adds the `store_id`s of the Parquet file `path` (its first column) to `stores`.
pub(crate) fn store_ids(path: &Path, stores: &mut BTreeSet<String>) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let unreadable = |e: parquet::errors::ParquetError| {
        format!("{} does not read as Parquet: {e}", path.display())
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(unreadable)?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), [0]);
    for batch in builder
        .with_projection(mask)
        .with_batch_size(READ_BATCH_ROWS)
        .build()
        .map_err(unreadable)?
    {
        let batch = batch.map_err(|e| format!("{} does not read: {e}", path.display()))?;
        let ids = batch
            .columns()
            .first()
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| format!("{} has no store_id column of text", path.display()))?;
        for at in 0..ids.len() {
            if ids.is_valid(at) && !stores.contains(ids.value(at)) {
                stores.insert(ids.value(at).to_owned());
            }
        }
    }
    Ok(())
}

/// The data files of a stream's directory: `part.parquet` in it (stores) or in its `date=`
/// directories, in day order.
pub(crate) fn data_files(stream_dir: &Path, by_day: bool) -> Result<Vec<PathBuf>, String> {
    let cannot = |e: io::Error| format!("cannot list {}: {e}", stream_dir.display());
    if !by_day {
        let file = stream_dir.join(super::PART);
        return Ok(if file.is_file() {
            vec![file]
        } else {
            Vec::new()
        });
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(stream_dir).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        if entry.file_name().to_string_lossy().starts_with("date=") {
            let file = entry.path().join(super::PART);
            if file.is_file() {
                files.push(file);
            }
        }
    }
    files.sort();
    Ok(files)
}
