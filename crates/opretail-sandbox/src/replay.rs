//! Replay protection: a `_sig` seen again inside the tolerance window is refused.

use std::collections::HashMap;
use std::sync::Mutex;

const SHARDS: usize = 16;

/// Signatures seen, each with the time (Unix seconds) after which it may be forgotten.
/// Sharded so that concurrent requests rarely wait on one another; each shard forgets its
/// expired entries at most once a second.
pub(crate) struct ReplayCache {
    shards: [Mutex<Shard>; SHARDS],
}

#[derive(Default)]
struct Shard {
    seen: HashMap<Box<str>, i64>,
    pruned_at: i64,
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache {
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
        }
    }
}

impl ReplayCache {
    /// Records `sig` until `now + window`; false if it was already recorded and not expired.
    pub(crate) fn first_use(&self, sig: &str, now: i64, window: i64) -> bool {
        let sig = sig.to_ascii_uppercase();
        let shard_index = sig.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        }) % SHARDS;
        let mut shard = self.shards[shard_index]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shard.pruned_at != now {
            shard.pruned_at = now;
            shard.seen.retain(|_, until| *until >= now);
        }
        match shard.seen.get(sig.as_str()) {
            Some(until) if *until >= now => false,
            _ => {
                shard
                    .seen
                    .insert(sig.into_boxed_str(), now.saturating_add(window));
                true
            }
        }
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
    }
}
