//! TEMPORARY STUB for the `admin` branch — delete on merge.
//!
//! INFO needs a few things from the keyspace that the keyspace engineer is writing in
//! parallel. This placeholder has exactly that surface so the admin commands compile and
//! their tests run; the real `crate::db::Keyspace` replaces it.

/// Placeholder keyspace: no data, only the counters and summaries INFO reads.
#[derive(Debug, Default)]
pub struct Keyspace {
    /// Keys removed because their TTL passed (INFO stats `expired_keys`).
    pub expired_keys: u64,
    /// Lookups that found a key / found none (INFO stats).
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
}

impl Keyspace {
    /// INFO keyspace body: one `db<N>:keys=..,expires=..,avg_ttl=..\r\n` line per non-empty db.
    pub fn info_keyspace(&self) -> String {
        String::new()
    }

    /// Approximate bytes held by the data, for INFO memory `used_memory`.
    pub fn used_memory_estimate(&self) -> usize {
        0
    }
}
