//! The keyspace (placeholder until the keyspace lands).

// TEMPORARY (admin branch only): the keyspace engineer provides the real `Keyspace` with
// these methods and counters; drop this module and its `pub use` when merging.
mod stub_for_admin;
pub use stub_for_admin::Keyspace;
