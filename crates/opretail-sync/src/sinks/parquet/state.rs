//! The JSON files beside the data: the marks (`_opretail_state.json`), the runs
//! (`_opretail_runs.json`) and the raw answers (`_opretail_raw/*.jsonl`), with the fields of
//! the SQL sinks' tables of the same names, so that `read_json` in DuckDB reads them as
//! those tables. Times are gateway-local `yyyy-MM-dd HH:mm:ss` text, as in SQLite.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::files;
use crate::rows::RawAnswer;
use crate::sink::LastRun;

const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A gateway-local time as the files write it.
pub(crate) fn time_text(at: NaiveDateTime) -> String {
    at.format(TIME_FORMAT).to_string()
}

fn read_time(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, TIME_FORMAT)
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// The marks: per stream name, per store, the end of its complete buckets. Streams are kept
/// by name, so that marks of a stream this build does not know survive its runs.
pub(crate) type Marks = BTreeMap<String, BTreeMap<String, NaiveDateTime>>;

/// A row of `_opretail_state`.
#[derive(Serialize, Deserialize)]
struct MarkRow {
    stream: String,
    store_id: String,
    complete_until: String,
}

/// Reads the marks file `path`; no file is no mark.
pub(crate) fn read_marks(path: &Path) -> Result<Marks, String> {
    let Some(rows) = read_json::<Vec<MarkRow>>(path)? else {
        return Ok(Marks::new());
    };
    let mut marks = Marks::new();
    for row in rows {
        let Some(at) = read_time(&row.complete_until) else {
            return Err(format!(
                "the mark of {} in {} is not a time ({:?}): fix or delete that entry of {}",
                row.store_id,
                row.stream,
                row.complete_until,
                path.display()
            ));
        };
        marks
            .entry(row.stream)
            .or_default()
            .insert(row.store_id, at);
    }
    Ok(marks)
}

/// Replaces the marks file `path` by `marks`, atomically.
pub(crate) fn write_marks(path: &Path, marks: &Marks) -> Result<(), String> {
    let rows: Vec<MarkRow> = marks
        .iter()
        .flat_map(|(stream, stores)| {
            stores.iter().map(move |(store, at)| MarkRow {
                stream: stream.clone(),
                store_id: store.clone(),
                complete_until: time_text(*at),
            })
        })
        .collect();
    write_json(path, &rows)
}

/// A row of `_opretail_runs`: a run that has not ended has no `finished_at`, `outcome`,
/// `rows` or `failed_stores`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunRow {
    pub(crate) run_id: i64,
    pub(crate) started_at: String,
    pub(crate) finished_at: Option<String>,
    pub(crate) outcome: Option<String>,
    /// The streams, comma-separated.
    pub(crate) streams: String,
    pub(crate) rows: Option<u64>,
    pub(crate) failed_stores: Option<u64>,
}

impl RunRow {
    /// The run as [`crate::Status`] shows it; `None` when its start is not a time.
    pub(crate) fn last_run(&self) -> Option<LastRun> {
        Some(LastRun {
            run_id: self.run_id,
            started_at: read_time(&self.started_at)?,
            finished_at: self.finished_at.as_deref().and_then(read_time),
            outcome: self.outcome.clone(),
            rows: self.rows,
            failed_stores: self.failed_stores,
        })
    }
}

/// Reads the runs file `path`; no file is no run.
pub(crate) fn read_runs(path: &Path) -> Result<Vec<RunRow>, String> {
    Ok(read_json(path)?.unwrap_or_default())
}

/// Replaces the runs file `path` by `runs`, atomically.
pub(crate) fn write_runs(path: &Path, runs: &[RunRow]) -> Result<(), String> {
    write_json(path, runs)
}

/// A row of `_opretail_raw`.
#[derive(Serialize)]
struct RawRow<'a> {
    run_id: i64,
    method: &'a str,
    params: &'a str,
    cid: Option<&'a str>,
    received_at: String,
    body: &'a str,
}

/// Appends `answers` to `out` as JSON lines.
pub(crate) fn raw_lines(answers: &[RawAnswer], out: &mut Vec<u8>) {
    for answer in answers {
        let row = RawRow {
            run_id: answer.run_id,
            method: &answer.method,
            params: &answer.params,
            cid: answer.cid.as_deref(),
            received_at: time_text(answer.received_at),
            body: &answer.body,
        };
        // Strings and numbers always serialize.
        if serde_json::to_writer(&mut *out, &row).is_ok() {
            out.push(b'\n');
        }
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, String> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    serde_json::from_slice(&text).map(Some).map_err(|e| {
        format!(
            "{} does not read ({e}): fix it, or delete it and let the next run start afresh",
            path.display()
        )
    })
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), String> {
    files::replace(path, |file| {
        let mut out = BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, value)?;
        out.write_all(b"\n")?;
        out.into_inner().map_err(|e| e.into_error())
    })
    .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_go_and_come_back_and_a_bad_one_is_named() {
        let dir = std::env::temp_dir().join(format!("opretail-sync-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("_opretail_state.json");
        let at = NaiveDate::from_ymd_opt(2026, 11, 3)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap();
        let mut marks = Marks::new();
        marks
            .entry("flow_hourly".into())
            .or_default()
            .insert("S_1".into(), at);
        write_marks(&path, &marks).unwrap();
        assert_eq!(read_marks(&path).unwrap(), marks);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"complete_until\": \"2026-11-03 14:00:00\"")
        );
        std::fs::write(
            &path,
            r#"[{"stream":"flow_daily","store_id":"S_9","complete_until":"soon"}]"#,
        )
        .unwrap();
        let error = read_marks(&path).unwrap_err();
        assert!(
            error.contains("S_9") && error.contains("\"soon\""),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(read_marks(&path).unwrap(), Marks::new(), "no file, no mark");
    }
}
