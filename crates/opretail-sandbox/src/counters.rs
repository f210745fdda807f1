//! Live counters: requests received, answers by code, faults injected.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::faults::FaultKind;

#[derive(Default)]
pub(crate) struct LiveCounters {
    requests: AtomicU64,
    in_flight: AtomicU64,
    answers: Mutex<BTreeMap<i64, u64>>,
    faults: [AtomicU64; FaultKind::ALL.len()],
}

/// Counts a request as in flight until dropped, however its handler ends (answered, or
/// dropped with its connection).
pub(crate) struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl LiveCounters {
    /// Counts a request received; it is in flight until the guard is dropped.
    pub(crate) fn request(&self) -> InFlight<'_> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    pub(crate) fn answer(&self, code: i64) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        *answers.entry(code).or_default() += 1;
    }

    pub(crate) fn fault(&self, kind: FaultKind) {
        self.faults[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let answers = self
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let faults = FaultKind::ALL
            .iter()
            .map(|k| (*k, self.faults[k.index()].load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect();
        Counters {
            requests: self.requests.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            answers,
            faults,
            logins: 0,
        }
    }
}

/// A snapshot of the sandbox's counters.
///
/// A request is counted when it reaches `POST /m.api` or `POST /cloud.api` (a body too large for the sandbox
/// included); an answer when a gateway envelope
/// (success, gateway error or business error, injected or not) is sent; a fault when it is
/// injected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    requests: u64,
    in_flight: u64,
    answers: BTreeMap<i64, u64>,
    faults: BTreeMap<FaultKind, u64>,
    logins: u64,
}

impl Counters {
    pub(crate) fn with_logins(mut self, logins: u64) -> Self {
        self.logins = logins;
        self
    }

    /// Successful logins (`mobileLogin` and `ssoLogin` answers with a token).
    pub fn logins(&self) -> u64 {
        self.logins
    }

    /// Requests received.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Requests being handled at the time of the snapshot: received and neither answered
    /// nor abandoned (a request whose client closed the connection stops counting at once,
    /// even inside a [`Fault::Delay`](crate::Fault::Delay)).
    pub fn in_flight(&self) -> u64 {
        self.in_flight
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
