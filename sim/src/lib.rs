//! The simulator: seedis's own event loop and command code, run inside a seeded
//! simulated kernel, with every client-visible history checked for linearizability.
//!
//! - [`kernel`]: the simulated kernel, a seeded [`seedis::net::Poller`] with byte-queue
//!   sockets, edge-triggered readiness, a virtual clock and fault injection.
//! - [`clock`]: the virtual clock the kernel and the disk share.
//! - [`disk`]: the simulated disk behind [`seedis::storage::Storage`]: page cache, durable
//!   contents, torn writes, power loss and process crashes.
//! - [`faults`]: the fault plan (swarm testing: a random subset of faults per seed).
//! - [`workload`]: the commands clients send (their vocabulary) and the seeded generator.
//! - [`bitmodel`]: the model's bitmap commands, bit by bit.
//! - [`model`]: the spec: the sequential reference model of the workload's commands.
//! - [`run`]: the driver: one seeded run of clients, server and kernel, invariants, verdict.
//! - [`recovery`]: crash and restart: lives of the server, what a restart recovered.
//! - [`report`]: what a failure looks like to a person: explanation, shrinking, a
//!   redis-cli replay script.
//! - [`checker`]: the linearizability checker, also usable alone (`sim check`).

pub mod bitmodel;
pub mod checker;
pub mod clock;
pub mod disk;
pub mod faults;
pub mod kernel;
pub mod model;
pub mod recovery;
pub mod report;
pub mod run;
pub mod workload;
