//! The server: the event loop and the client state machine, written only against the
//! [`crate::net::Poller`] seam.

mod acl_file;
mod blocked;
pub mod client;
mod clients;
pub mod event_loop;
mod invariants;
pub mod log;
mod persistence;
mod replication;
pub mod reply_buffer;
#[cfg(test)]
mod scripted_poller;

pub use event_loop::EventLoop;
