//! [`ReplayGuard`]: no two requests with one signature, as the gateway's replay protection
//! wants.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

use opretail_sign::Signature;

use crate::Timestamp;

/// The signatures of the last few seconds, shared by every call of a client and its clones.
///
/// Identical calls in one second carry one `_timestamp`, hence one `_sig`, and the gateway
/// refuses the second (`API_CALL_REPEAT`, `-100`). The guard hands each signature out once:
/// a repeat is signed with a timestamp up to the configured backdate earlier, or must wait
/// for the next second. It only knows this process's calls: another process signing the same
/// request in the same second still meets `-100`, which the retry policy waits out.
#[derive(Debug, Default)]
pub struct ReplayGuard {
    recent: Mutex<RecentSignatures>,
}

impl ReplayGuard {
    /// A guard that has seen nothing.
    pub fn new() -> Self {
        ReplayGuard::default()
    }

    /// Signs with `sign(timestamp, seconds back)` at `now`, then at each second back up to
    /// `backdate`, and keeps the first signature not handed out yet; `None` when every one
    /// was (wait for the next second).
    pub fn claim(
        &self,
        now: Timestamp,
        backdate: i64,
        mut sign: impl FnMut(Timestamp, i64) -> Signature,
    ) -> Option<(Timestamp, Signature)> {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.forget_before(now.unix() - backdate);
        for back in 0..=backdate {
            let ts = now.earlier(back)?;
            let sig = sign(ts, back);
            if recent.claim(now.unix(), &sig) {
                return Some((ts, sig));
            }
        }
        None
    }
}

/// Signatures handed out recently, with the second they were handed out in, to forget them
/// in order.
#[derive(Debug, Default)]
struct RecentSignatures {
    seen: HashSet<Signature>,
    order: VecDeque<(i64, Signature)>,
}

impl RecentSignatures {
    /// Records `sig` unless it was handed out already; says whether it was free.
    fn claim(&mut self, now: i64, sig: &Signature) -> bool {
        if !self.seen.insert(sig.clone()) {
            return false;
        }
        self.order.push_back((now, sig.clone()));
        true
    }

    /// A signature handed out before `second` carries a timestamp before it, so it can never
    /// be chosen again: forget it.
    fn forget_before(&mut self, second: i64) {
        while self.order.front().is_some_and(|(at, _)| *at < second) {
            if let Some((_, sig)) = self.order.pop_front() {
                self.seen.remove(&sig);
            }
        }
    }
}
