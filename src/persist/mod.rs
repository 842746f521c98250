//! Persistence: the file formats Redis 7.0 writes, sans-IO ([`rdb`]), over the
//! [`crate::storage::Storage`] seam.

pub mod aof;
pub mod rdb;
pub mod snapshot;
pub mod state;

pub use state::PersistState;
