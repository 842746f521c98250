//! The simulator.
//!
//! - [`kernel`]: the simulated kernel, a seeded [`seedis::net::Poller`] with byte-queue
//!   sockets, edge-triggered readiness, a virtual clock and fault injection.
//! - [`faults`]: the fault plan (swarm testing: a random subset of faults per seed).

pub mod faults;
pub mod kernel;
