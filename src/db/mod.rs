//! The keyspace (placeholder until the keyspace lands).

pub struct Keyspace {}
