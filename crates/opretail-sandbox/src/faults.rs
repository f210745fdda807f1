//! Faults on purpose: latency, broken HTTP, broken JSON and gateway errors, on a plan.

use std::collections::VecDeque;
use std::time::Duration;

/// One way for a request to go wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 502 with an HTML page, as a proxy in front of the gateway sends.
    Http502Html,
    /// The connection is closed without any response.
    CloseConnection,
    /// HTTP 200 with a matching `Content-Length` and only the first half of a valid envelope.
    TruncatedJson,
    /// HTTP 200 with an HTML body instead of JSON.
    NonJson200,
    /// A gateway answer with this code (for example `-500`, `-999`, `-100`) and no `data`.
    Gateway(i64),
    /// HTTP 200 with a JSON-looking body of this many bytes, streamed without being held in
    /// memory, to test a client's body limit.
    HugeBody(usize),
    /// This much extra latency for this request, which is then answered normally. A client
    /// that closes the connection meanwhile ends the request at once (see
    /// [`Counters::in_flight`](crate::Counters::in_flight)), so a client's whole-call deadline
    /// can be tested with a long delay.
    Delay(Duration),
    /// An HTTP redirect: this status (a 3xx such as 301, 302, 307 or 308) with this
    /// `Location` and an empty body, to test that a client does not follow it. A status
    /// outside 100..=999 or a `Location` that is not a valid header value is answered with
    /// HTTP 500 and a text body saying so.
    Redirect {
        /// The HTTP status.
        status: u16,
        /// The `Location` header's value.
        location: String,
    },
}

/// The kind of a [`Fault`], without its data: what [`Counters`](crate::Counters) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// [`Fault::Http502Html`].
    Http502Html,
    /// [`Fault::CloseConnection`].
    CloseConnection,
    /// [`Fault::TruncatedJson`].
    TruncatedJson,
    /// [`Fault::NonJson200`].
    NonJson200,
    /// [`Fault::Gateway`].
    Gateway,
    /// [`Fault::HugeBody`].
    HugeBody,
    /// [`Fault::Delay`].
    Delay,
    /// [`Fault::Redirect`].
    Redirect,
    /// The plan's added latency ([`FaultPlan::with_latency`]), when it was more than zero.
    Latency,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 9] = [
        FaultKind::Http502Html,
        FaultKind::CloseConnection,
        FaultKind::TruncatedJson,
        FaultKind::NonJson200,
        FaultKind::Gateway,
        FaultKind::HugeBody,
        FaultKind::Delay,
        FaultKind::Redirect,
        FaultKind::Latency,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl Fault {
    /// The kind of this fault.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Http502Html => FaultKind::Http502Html,
            Fault::CloseConnection => FaultKind::CloseConnection,
            Fault::TruncatedJson => FaultKind::TruncatedJson,
            Fault::NonJson200 => FaultKind::NonJson200,
            Fault::Gateway(_) => FaultKind::Gateway,
            Fault::HugeBody(_) => FaultKind::HugeBody,
            Fault::Delay(_) => FaultKind::Delay,
            Fault::Redirect { .. } => FaultKind::Redirect,
        }
    }
}

/// Which faults to inject: added latency, random faults from a seed, and a script.
///
/// For each request, the script comes first (its next fault, if any, is used up); otherwise
/// one random draw picks at most one of the random faults. The latency applies to every
/// request. The default plan injects nothing.
///
/// ```
/// use std::time::Duration;
/// use opretail_sandbox::{Fault, FaultPlan};
///
/// // The next two requests get -500, then everything is normal.
/// let plan = FaultPlan::default().then(Fault::Gateway(-500)).then(Fault::Gateway(-500));
/// // 10 ms (+ up to 5 ms) for every request, and one in ten closes the connection.
/// let noisy = FaultPlan::default()
///     .with_latency(Duration::from_millis(10), Duration::from_millis(5))
///     .with_random(Fault::CloseConnection, 0.1)
///     .seed(7);
/// # let _ = (plan, noisy);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    latency: Duration,
    jitter: Duration,
    random: Vec<(Fault, f64)>,
    seed: u64,
    script: VecDeque<Fault>,
}

impl Default for FaultPlan {
    fn default() -> Self {
        FaultPlan {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            random: Vec::new(),
            seed: 0x5eed,
            script: VecDeque::new(),
        }
    }
}

impl FaultPlan {
    /// A plan whose script is these faults, one per request, then nothing.
    pub fn script(faults: impl IntoIterator<Item = Fault>) -> Self {
        FaultPlan {
            script: faults.into_iter().collect(),
            ..FaultPlan::default()
        }
    }

    /// Appends a fault to the script: it hits the request after those already scripted.
    pub fn then(mut self, fault: Fault) -> Self {
        self.script.push_back(fault);
        self
    }

    /// Adds `fixed` plus a uniformly random part of at most `jitter` to every request.
    pub fn with_latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        self.latency = fixed;
        self.jitter = jitter;
        self
    }

    /// Injects `fault` into a request with probability `p` (clamped to 0..=1). The
    /// probabilities of all random faults add up; past 1, the later ones are drawn less.
    pub fn with_random(mut self, fault: Fault, p: f64) -> Self {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        self.random.push((fault, p));
        self
    }

    /// The seed of the random draws: the same seed and the same order of requests give
    /// the same faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether this plan can ever inject anything.
    pub fn is_empty(&self) -> bool {
        self.latency.is_zero()
            && self.jitter.is_zero()
            && self.script.is_empty()
            && self.random.iter().all(|(_, p)| *p <= 0.0)
    }
}

/// What the plan decided for one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) fault: Option<Fault>,
}

/// A plan being carried out: the plan and its random generator.
pub(crate) struct FaultState {
    plan: FaultPlan,
    rng: fastrand::Rng,
}

impl FaultState {
    pub(crate) fn new(plan: FaultPlan) -> Self {
        let rng = fastrand::Rng::with_seed(plan.seed);
        FaultState { plan, rng }
    }

    pub(crate) fn decide(&mut self) -> Decision {
        let mut latency = self.plan.latency;
        if !self.plan.jitter.is_zero() {
            let max = u64::try_from(self.plan.jitter.as_nanos()).unwrap_or(u64::MAX);
            latency += Duration::from_nanos(self.rng.u64(0..=max));
        }
        let fault = self.plan.script.pop_front().or_else(|| {
            if self.plan.random.is_empty() {
                return None;
            }
            let draw = self.rng.f64();
            let mut cumulative = 0.0;
            self.plan.random.iter().find_map(|(fault, p)| {
                cumulative += p;
                (draw < cumulative).then(|| fault.clone())
            })
        });
        Decision { latency, fault }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_first_then_random_reproducibly() {
        let plan = FaultPlan::default()
            .then(Fault::Gateway(-500))
            .with_random(Fault::NonJson200, 0.5)
            .seed(3);
        let mut a = FaultState::new(plan.clone());
        let mut b = FaultState::new(plan);
        assert_eq!(a.decide().fault, Some(Fault::Gateway(-500)));
        b.decide();
        let xs: Vec<_> = (0..200).map(|_| a.decide().fault).collect();
        let ys: Vec<_> = (0..200).map(|_| b.decide().fault).collect();
        assert_eq!(xs, ys);
        let hits = xs.iter().filter(|f| f.is_some()).count();
        assert!((50..150).contains(&hits), "{hits}");
    }

    #[test]
    fn kinds_index_their_place_in_all() {
        for (i, kind) in FaultKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i, "{kind:?}");
        }
    }

    #[test]
    fn empty_plans() {
        assert!(FaultPlan::default().is_empty());
        assert!(
            FaultPlan::default()
                .with_random(Fault::NonJson200, f64::NAN)
                .is_empty()
        );
        assert!(!FaultPlan::script([Fault::TruncatedJson]).is_empty());
    }
}
