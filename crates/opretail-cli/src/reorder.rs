//! Rows finished out of order wait here until every earlier place is written.

use std::collections::BTreeMap;

/// How many bytes of finished rows may wait for an earlier, unfinished place: 16 MiB, about
/// 40,000 rows of JSON. When it is full, no new call starts until the earliest unfinished one
/// is done, so a command never holds more than this (plus the rows of the calls in flight).
pub const REORDER_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Rendered rows keyed by their place in the output; a place holds any number of rows.
#[derive(Debug)]
pub struct Reorder {
    next: usize,
    waiting: BTreeMap<usize, Vec<Vec<u8>>>,
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

    /// Puts the rows of `place` in; it must not have been given before.
    pub fn insert(&mut self, place: usize, rows: Vec<Vec<u8>>) {
        self.bytes += rows.iter().map(Vec::len).sum::<usize>();
        self.waiting.insert(place, rows);
    }

    /// Counts one place as written without holding it: for output in any order.
    pub fn skip(&mut self) {
        self.next += 1;
    }

    /// Moves the rows of every place that can now be written, in order, to the end of `out`.
    pub fn drain_ready(&mut self, out: &mut Vec<Vec<u8>>) {
        while let Some(entry) = self.waiting.first_entry() {
            if *entry.key() != self.next {
                break;
            }
            let rows = entry.remove();
            self.bytes -= rows.iter().map(Vec::len).sum::<usize>();
            out.extend(rows);
            self.next += 1;
        }
    }

    /// Whether the rows waiting, with `elsewhere` bytes held for them outside the buffer,
    /// have reached the limit.
    pub fn is_full(&self, elsewhere: usize) -> bool {
        self.bytes + elsewhere >= self.limit
    }

    /// How many places have been drained: the places `0..written()`.
    pub fn written(&self) -> usize {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drained(buffer: &mut Reorder) -> Vec<u8> {
        let mut rows = Vec::new();
        buffer.drain_ready(&mut rows);
        rows.concat()
    }

    #[test]
    fn rows_come_out_in_place_order() {
        let mut buffer = Reorder::new(6);
        buffer.insert(2, vec![b"c".to_vec()]);
        buffer.insert(1, vec![b"b".to_vec(), b"B".to_vec()]);
        assert!(drained(&mut buffer).is_empty());
        buffer.insert(0, vec![]);
        assert_eq!(drained(&mut buffer), b"bBc");
        assert_eq!(buffer.written(), 3);
    }

    #[test]
    fn the_buffer_says_when_it_is_full() {
        let mut buffer = Reorder::new(4);
        buffer.insert(1, vec![b"bb".to_vec()]);
        assert!(!buffer.is_full(0));
        buffer.insert(2, vec![b"cc".to_vec()]);
        assert!(buffer.is_full(0));
        buffer.insert(0, vec![b"a".to_vec()]);
        drained(&mut buffer);
        assert!(!buffer.is_full(0));
    }
}
