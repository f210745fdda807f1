//! Bytes that must wait longer than memory should hold them: an unnamed temporary file, and a
//! compact, exact encoding of the cells of a row to keep in it.
//!
//! `passenger-flow series` writes a group of stores only once all of its calls are in (half a
//! series would read as quiet hours), and a group may take hundreds of calls. Each answer is
//! packed into [`Record`]s as soon as it is in and kept here, so what waits is on disk, not
//! decoded in memory, whatever the gateway sends.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use serde_json::{Number, Value};

use crate::failure::Failure;

/// An unnamed temporary file (gone when dropped, or when the process ends however it ends)
/// that bytes are appended to and read back from.
pub struct Spill {
    file: BufWriter<File>,
    len: u64,
}

/// Where appended bytes lie in a [`Spill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Their first byte.
    pub start: u64,
    /// How many.
    pub len: u32,
}

impl Spill {
    /// A new, empty file in the system's temporary directory (`TMPDIR` on Unix).
    pub fn new() -> Result<Spill, Failure> {
        let file = tempfile::tempfile().map_err(|e| trouble("make", &e))?;
        Ok(Spill {
            file: BufWriter::new(file),
            len: 0,
        })
    }

    /// Appends `bytes`; gives where they start.
    pub fn append(&mut self, bytes: &[u8]) -> Result<u64, Failure> {
        self.file
            .write_all(bytes)
            .map_err(|e| trouble("write to", &e))?;
        let start = self.len;
        self.len += bytes.len() as u64;
        Ok(start)
    }

    /// Reads the bytes of `span` back into `out` (replacing what it held).
    pub fn read(&mut self, span: Span, out: &mut Vec<u8>) -> Result<(), Failure> {
        self.file.flush().map_err(|e| trouble("write to", &e))?;
        let file = self.file.get_mut();
        out.clear();
        out.resize(span.len as usize, 0);
        file.seek(SeekFrom::Start(span.start))
            .and_then(|_| file.read_exact(out))
            .and_then(|()| file.seek(SeekFrom::End(0)).map(drop))
            .map_err(|e| trouble("read back", &e))
    }
}

fn trouble(what: &str, error: &std::io::Error) -> Failure {
    Failure::Failed(format!(
        "cannot {what} a temporary file in {} (answers wait there until their rows can be \
         written): {error}; set TMPDIR to a directory with room",
        std::env::temp_dir().display()
    ))
}

/// A run of cells, written by [`Record::cells`] and read back by [`Record::read`]: texts,
/// integers and floats exactly as they were (a float's bits, not its text), so that a row made
/// from them is the row the cells would have made at once.
#[derive(Debug, Default)]
pub struct Record {
    bytes: Vec<u8>,
}

const NULL: u8 = 0;
const INT: u8 = 1;
const UINT: u8 = 2;
const FLOAT: u8 = 3;
const TEXT: u8 = 4;
/// Anything else (never made by the listing commands' cells), as JSON text.
const JSON: u8 = 5;

impl Record {
    /// An empty record.
    pub fn new() -> Record {
        Record::default()
    }

    /// Its bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Appends a count.
    pub fn count(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&n.to_le_bytes());
    }

    /// Appends an optional integer.
    pub fn integer(&mut self, n: Option<i64>) {
        match n {
            Some(n) => {
                self.bytes.push(INT);
                self.bytes.extend_from_slice(&n.to_le_bytes());
            }
            None => self.bytes.push(NULL),
        }
    }

    /// Appends an optional text.
    pub fn text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.tagged(TEXT, text.as_bytes()),
            None => self.bytes.push(NULL),
        }
    }

    /// Appends cells.
    pub fn cells<'v>(&mut self, cells: impl IntoIterator<Item = &'v Value>) {
        for cell in cells {
            self.cell(cell);
        }
    }

    fn cell(&mut self, cell: &Value) {
        match cell {
            Value::Null => self.bytes.push(NULL),
            Value::String(text) => self.tagged(TEXT, text.as_bytes()),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.bytes.push(INT);
                    self.bytes.extend_from_slice(&i.to_le_bytes());
                } else if let Some(u) = n.as_u64() {
                    self.bytes.push(UINT);
                    self.bytes.extend_from_slice(&u.to_le_bytes());
                } else {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    self.bytes.push(FLOAT);
                    self.bytes.extend_from_slice(&f.to_bits().to_le_bytes());
                }
            }
            other => self.tagged(JSON, other.to_string().as_bytes()),
        }
    }

    fn tagged(&mut self, tag: u8, bytes: &[u8]) {
        self.bytes.push(tag);
        self.count(bytes.len());
        self.bytes.extend_from_slice(bytes);
    }

    /// A reader of `bytes`, as written by a record.
    pub fn read(bytes: &[u8]) -> Reader<'_> {
        Reader { bytes }
    }
}

/// Reads back what a [`Record`] wrote, in the order it was written. Bytes that end early or
/// were not written by a record read as nothing (they never leave this process).
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        head
    }

    fn eight(&mut self) -> [u8; 8] {
        self.take(8).try_into().unwrap_or([0; 8])
    }

    /// A count.
    pub fn count(&mut self) -> usize {
        let n: [u8; 4] = self.take(4).try_into().unwrap_or([0; 4]);
        u32::from_le_bytes(n) as usize
    }

    /// An optional integer.
    pub fn integer(&mut self) -> Option<i64> {
        match self.cell() {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// An optional text.
    pub fn text(&mut self) -> Option<String> {
        match self.cell() {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// A cell.
    pub fn cell(&mut self) -> Value {
        let tag = self.take(1).first().copied().unwrap_or(NULL);
        match tag {
            INT => Value::from(i64::from_le_bytes(self.eight())),
            UINT => Value::from(u64::from_le_bytes(self.eight())),
            FLOAT => Number::from_f64(f64::from_bits(u64::from_le_bytes(self.eight())))
                .map_or(Value::Null, Value::Number),
            TEXT | JSON => {
                let len = self.count();
                let text = String::from_utf8_lossy(self.take(len)).into_owned();
                if tag == TEXT {
                    Value::String(text)
                } else {
                    serde_json::from_str(&text).unwrap_or(Value::Null)
                }
            }
            _ => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_read_back_exactly() {
        let cells = [
            json!(null),
            json!("2026-11-28 10:00:00"),
            json!(-12),
            json!(u64::MAX),
            json!(0.1 + 0.2),
            json!(35.2),
            json!("12人"),
            json!([1, {"a": "b"}]),
            json!(""),
        ];
        let mut record = Record::new();
        record.count(cells.len());
        record.integer(Some(-7));
        record.integer(None);
        record.text(Some("名"));
        record.text(None);
        record.cells(&cells);
        let mut reader = Record::read(record.bytes());
        assert_eq!(reader.count(), cells.len());
        assert_eq!(reader.integer(), Some(-7));
        assert_eq!(reader.integer(), None);
        assert_eq!(reader.text().as_deref(), Some("名"));
        assert_eq!(reader.text(), None);
        for cell in &cells {
            let back = reader.cell();
            // The same value, and the same text once written: a float keeps its every bit.
            assert_eq!(&back, cell);
            assert_eq!(back.to_string(), cell.to_string());
        }
    }

    #[test]
    fn a_short_record_reads_as_nothing() {
        let mut record = Record::new();
        record.text(Some("a longer text"));
        let cut = &record.bytes()[..6];
        let mut reader = Record::read(cut);
        assert_eq!(reader.text().as_deref(), Some("a"));
        assert_eq!(reader.cell(), Value::Null);
        assert_eq!(reader.count(), 0);
    }

    #[test]
    fn spans_read_back_between_appends() {
        let mut spill = Spill::new().expect("a temporary file");
        let first = spill.append(b"first").expect("written");
        let second = spill.append(b"second, longer").expect("written");
        let mut out = Vec::new();
        spill
            .read(
                Span {
                    start: second,
                    len: 14,
                },
                &mut out,
            )
            .expect("read");
        assert_eq!(out, b"second, longer");
        // Appending after a read goes on at the end.
        let third = spill.append(b"third").expect("written");
        assert_eq!(third, 19);
        spill
            .read(
                Span {
                    start: first,
                    len: 5,
                },
                &mut out,
            )
            .expect("read");
        assert_eq!(out, b"first");
        spill
            .read(
                Span {
                    start: third,
                    len: 5,
                },
                &mut out,
            )
            .expect("read");
        assert_eq!(out, b"third");
    }
}
