//! The simulation's one virtual clock, shared by the kernel (which moves it at `poll` and
//! `sleep`) and the simulated disk (whose fsyncs take time, and whose background work —
//! forked children, background fsyncs — completes at virtual instants). Sharing one clock
//! is what lets a child's rename land "while the parent keeps serving".
//!
//! Single-threaded by construction (`Rc<Cell>`): one run lives on one thread.

use std::cell::Cell;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct SimClock {
    now_us: Rc<Cell<u64>>,
    /// The simulated process died in the middle of a server pass (a crash point inside a
    /// SAVE, right after a reply was written): from then on the kernel and the disk
    /// ignore what the doomed process still does, until the driver restarts it.
    dead: Rc<Cell<bool>>,
}

impl SimClock {
    pub fn new(now_us: u64) -> SimClock {
        SimClock {
            now_us: Rc::new(Cell::new(now_us)),
            dead: Rc::new(Cell::new(false)),
        }
    }

    pub fn now_us(&self) -> u64 {
        self.now_us.get()
    }

    /// Moves the clock forward (saturating: DEBUG SLEEP may reach `u64::MAX`). It never
    /// goes backwards.
    pub fn advance_us(&self, us: u64) {
        self.now_us.set(self.now_us.get().saturating_add(us));
    }

    pub fn process_dead(&self) -> bool {
        self.dead.get()
    }

    pub fn set_process_dead(&self, dead: bool) {
        self.dead.set(dead);
    }
}
