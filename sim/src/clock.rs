//! The simulation's one virtual clock, shared by the kernel (which moves it at `poll` and
//! `sleep`) and the simulated disk (whose fsyncs take time, and whose background work —
//! forked children, background fsyncs — completes at virtual instants). Sharing one clock
//! is what lets a child's rename land "while the parent keeps serving".
//!
//! Single-threaded by construction (`Rc<Cell>`): one run lives on one thread.

use std::cell::Cell;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct SimClock(Rc<Cell<u64>>);

impl SimClock {
    pub fn new(now_us: u64) -> SimClock {
        SimClock(Rc::new(Cell::new(now_us)))
    }

    pub fn now_us(&self) -> u64 {
        self.0.get()
    }

    /// Moves the clock forward (saturating: DEBUG SLEEP may reach `u64::MAX`). It never
    /// goes backwards.
    pub fn advance_us(&self, us: u64) {
        self.0.set(self.0.get().saturating_add(us));
    }
}
