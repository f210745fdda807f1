//! Bytes that must wait longer than memory should hold them: an unnamed temporary file.
//!
//! `passenger-flow series` writes a group of stores only once all of its calls are in (half a
//! series would read as quiet hours), and a group may take hundreds of calls. Each answer is
//! packed as soon as it is in and kept here, so what waits is on disk, not decoded in memory,
//! whatever the gateway sends.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

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

#[cfg(test)]
mod tests {
    use super::*;

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
