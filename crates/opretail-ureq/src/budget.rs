//! The bytes of answers a client may hold at once (`Config::answer_bytes_in_flight`), shared
//! by every thread that sends through it, as the async client's.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// What is left of the budget, and the threads waiting for room.
#[derive(Debug)]
pub(crate) struct AnswerBudget {
    state: Mutex<State>,
    freed: Condvar,
    total: u64,
}

#[derive(Debug)]
struct State {
    free: u64,
    /// Threads waiting for room (for the tests, which wait for a thread to wait).
    waiting: usize,
}

/// Room held for one answer until it is decoded; given back when dropped.
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    budget: &'a AnswerBudget,
    bytes: u64,
}

impl AnswerBudget {
    /// A budget of `total` bytes.
    pub(crate) fn new(total: u64) -> AnswerBudget {
        AnswerBudget {
            state: Mutex::new(State {
                free: total,
                waiting: 0,
            }),
            freed: Condvar::new(),
            total,
        }
    }

    /// Waits until `bytes` fit beside the answers held, and holds them. More than the whole
    /// budget counts as the whole budget, so that any answer can be read on its own.
    pub(crate) fn reserve(&self, bytes: u64) -> Reservation<'_> {
        let bytes = bytes.min(self.total);
        let mut state = self.lock();
        state.waiting += 1;
        while state.free < bytes {
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.waiting -= 1;
        state.free -= bytes;
        Reservation {
            budget: self,
            bytes,
        }
    }

    /// The state, whatever a panicking thread left: it only counts bytes, which a panic
    /// between two statements cannot leave half-changed.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().waiting
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.lock().free += self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn an_answer_that_does_not_fit_waits_until_another_is_given_back() {
        let budget = AnswerBudget::new(10);
        std::thread::scope(|scope| {
            let held = budget.reserve(6);
            let (got, reserved) = mpsc::channel();
            let budget = &budget;
            scope.spawn(move || {
                let _room = budget.reserve(5);
                got.send(()).expect("the test listens");
            });
            // Yield until the thread waits: no sleeping, no timing.
            while budget.waiting() == 0 {
                std::thread::yield_now();
            }
            assert!(reserved.try_recv().is_err(), "5 bytes fit beside 6 of 10");
            drop(held);
            reserved.recv().expect("room once the first is given back");
        });
        assert_eq!(budget.lock().free, 10, "everything given back");
    }

    #[test]
    fn answers_that_fit_together_do_not_wait_and_a_huge_one_counts_as_the_whole() {
        let budget = AnswerBudget::new(10);
        let a = budget.reserve(4);
        let b = budget.reserve(6);
        assert_eq!(budget.lock().free, 0);
        drop((a, b));
        let whole = budget.reserve(u64::MAX);
        assert_eq!((whole.bytes, budget.lock().free), (10, 0));
    }
}
