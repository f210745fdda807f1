//! Live counters: requests received, answers by code, faults injected.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::faults::FaultKind;

// The codes the sandbox answers most get a lock-free slot; any other code goes to the map.
const FAST_CODES: [i64; 22] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, -100, -500, -999, 4001,
];

#[derive(Default)]
pub(crate) struct LiveCounters {
    requests: AtomicU64,
    fast: [AtomicU64; FAST_CODES.len()],
    other: Mutex<BTreeMap<i64, u64>>,
    faults: [AtomicU64; FaultKind::ALL.len()],
}

impl LiveCounters {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn answer(&self, code: i64) {
        match FAST_CODES.iter().position(|c| *c == code) {
            Some(i) => {
                self.fast[i].fetch_add(1, Ordering::Relaxed);
            }
            None => {
                let mut other = self.other.lock().unwrap_or_else(|e| e.into_inner());
                *other.entry(code).or_default() += 1;
            }
        }
    }

    pub(crate) fn fault(&self, kind: FaultKind) {
        self.faults[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let mut answers = self.other.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for (code, n) in FAST_CODES.iter().zip(&self.fast) {
            let n = n.load(Ordering::Relaxed);
            if n > 0 {
                answers.insert(*code, n);
            }
        }
        let faults = FaultKind::ALL
            .iter()
            .map(|k| (*k, self.faults[k.index()].load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect();
        Counters {
            requests: self.requests.load(Ordering::Relaxed),
            answers,
            faults,
        }
    }
}

/// A snapshot of the sandbox's counters.
///
/// A request is counted when it reaches `POST /m.api` (a body too large for the sandbox
/// included); an answer when a gateway envelope
/// (success, gateway error or business error, injected or not) is sent; a fault when it is
/// injected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    requests: u64,
    answers: BTreeMap<i64, u64>,
    faults: BTreeMap<FaultKind, u64>,
}

impl Counters {
    /// Requests received.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Envelopes sent with this `stat.code`.
    pub fn answers(&self, code: i64) -> u64 {
        self.answers.get(&code).copied().unwrap_or(0)
    }

    /// Envelopes sent, by code.
    pub fn answers_by_code(&self) -> &BTreeMap<i64, u64> {
        &self.answers
    }

    /// Envelopes sent, all codes together.
    pub fn answers_total(&self) -> u64 {
        self.answers.values().sum()
    }

    /// Faults of this kind injected.
    pub fn faults(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }

    /// Faults injected, all kinds together.
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }
}
