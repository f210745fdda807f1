//! Replay protection: a `_sig` seen again inside the window is refused.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The most signatures remembered at once. Past it the oldest is forgotten early, so a flood
/// of signed requests costs at most a few megabytes.
pub const MAX_REPLAY_ENTRIES: usize = 100_000;

/// Signatures seen, each with the time (Unix seconds) until which it is refused again.
pub(crate) struct ReplayCache {
    inner: Mutex<Seen>,
    capacity: usize,
}

#[derive(Default)]
struct Seen {
    until: HashMap<Box<str>, i64>,
    /// The same entries in the order recorded. The window is the same for every entry, so
    /// this is also the order in which they expire.
    order: VecDeque<(i64, Box<str>)>,
}

impl Seen {
    fn forget_front(&mut self) {
        if let Some((until, sig)) = self.order.pop_front() {
            // A signature recorded again after it expired has a later entry: keep that one.
            if self.until.get(&sig) == Some(&until) {
                self.until.remove(&sig);
            }
        }
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache::with_capacity(MAX_REPLAY_ENTRIES)
    }
}

impl ReplayCache {
    /// A cache remembering at most `capacity` signatures (at least one).
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        ReplayCache {
            inner: Mutex::new(Seen::default()),
            capacity: capacity.max(1),
        }
    }

    /// Records `sig` until `now + window`; false if it was already recorded and not expired.
    pub(crate) fn first_use(&self, sig: &str, now: i64, window: i64) -> bool {
        let sig = sig.to_ascii_uppercase();
        let mut seen = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while seen.order.front().is_some_and(|(until, _)| *until < now) {
            seen.forget_front();
        }
        if seen
            .until
            .get(sig.as_str())
            .is_some_and(|until| *until >= now)
        {
            return false;
        }
        while seen.order.len() >= self.capacity {
            seen.forget_front();
        }
        let until = now.saturating_add(window);
        let sig = sig.into_boxed_str();
        seen.until.insert(sig.clone(), until);
        seen.order.push_back((until, sig));
        true
    }

    /// How many signatures are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        let seen = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        debug_assert!(seen.until.len() <= seen.order.len());
        seen.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_use_inside_window_is_refused_then_forgotten() {
        let cache = ReplayCache::default();
        assert!(cache.first_use("abc", 100, 10));
        assert!(!cache.first_use("ABC", 105, 10));
        assert!(cache.first_use("abc", 111, 10));
        assert!(cache.first_use("other", 111, 10));
        assert!(!cache.first_use("abc", 115, 10));
    }

    #[test]
    fn expired_entries_are_dropped() {
        let cache = ReplayCache::default();
        for i in 0..1_000 {
            assert!(cache.first_use(&format!("sig{i}"), 100, 10));
        }
        assert_eq!(cache.len(), 1_000);
        assert!(cache.first_use("late", 111, 10));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn the_cap_forgets_the_oldest_first() {
        let cache = ReplayCache::with_capacity(3);
        for sig in ["a", "b", "c", "d"] {
            assert!(cache.first_use(sig, 100, 600));
        }
        assert_eq!(cache.len(), 3);
        assert!(!cache.first_use("d", 101, 600));
        assert!(!cache.first_use("b", 101, 600));
        // "a" was pushed out by "d".
        assert!(cache.first_use("a", 101, 600));
    }
}
