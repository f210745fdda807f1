//! Rows finished out of order wait here until every earlier row is written.

use std::collections::BTreeMap;

/// How many bytes of finished rows may wait for an earlier, unfinished one: 16 MiB, about
/// 40,000 rows of JSON. When it is full, no new id starts until the earliest unfinished id is
/// done, so a batch never holds more than this (plus the rows of the calls in flight).
pub const REORDER_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Rendered rows keyed by their position in the output.
#[derive(Debug)]
pub struct Reorder {
    next: usize,
    waiting: BTreeMap<usize, Vec<u8>>,
    bytes: usize,
    limit: usize,
}

impl Reorder {
    /// An empty buffer that counts itself full from `limit` bytes on.
    pub fn new(limit: usize) -> Reorder {
        Reorder {
            next: 0,
            waiting: BTreeMap::new(),
            bytes: 0,
            limit,
        }
    }

    /// Puts the row of `position` in; it must not have been given before.
    pub fn insert(&mut self, position: usize, row: Vec<u8>) {
        self.bytes += row.len();
        self.waiting.insert(position, row);
    }

    /// Moves every row that can now be written, in order, to the end of `out`.
    pub fn drain_ready(&mut self, out: &mut Vec<u8>) {
        while let Some(entry) = self.waiting.first_entry() {
            if *entry.key() != self.next {
                break;
            }
            let row = entry.remove();
            self.bytes -= row.len();
            out.extend_from_slice(&row);
            self.next += 1;
        }
    }

    /// Whether the rows waiting have reached the limit.
    pub fn is_full(&self) -> bool {
        self.bytes >= self.limit
    }

    /// How many rows have been drained: the rows of positions `0..written()`.
    pub fn written(&self) -> usize {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_out_in_position_order() {
        let mut buffer = Reorder::new(6);
        let mut out = Vec::new();
        buffer.insert(2, b"c".to_vec());
        buffer.insert(1, b"b".to_vec());
        buffer.drain_ready(&mut out);
        assert!(out.is_empty());
        buffer.insert(0, b"a".to_vec());
        buffer.drain_ready(&mut out);
        assert_eq!(out, b"abc");
        assert_eq!(buffer.written(), 3);
    }

    #[test]
    fn the_buffer_says_when_it_is_full() {
        let mut buffer = Reorder::new(4);
        buffer.insert(1, b"bb".to_vec());
        assert!(!buffer.is_full());
        buffer.insert(2, b"cc".to_vec());
        assert!(buffer.is_full());
        buffer.insert(0, b"a".to_vec());
        buffer.drain_ready(&mut Vec::new());
        assert!(!buffer.is_full());
    }
}
