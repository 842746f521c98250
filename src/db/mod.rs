//! The keyspace (placeholder until the keyspace lands).

pub struct Keyspace {}

impl Keyspace {
    pub fn new(_databases: usize, _hash_keys: (u64, u64)) -> Keyspace {
        Keyspace {}
    }
    pub fn active_expire_cycle(&mut self, _now_ms: u64, _rng: &mut impl rand_core::RngCore) -> u64 {
        0
    }
    pub fn check_invariants(&self) -> Result<(), String> {
        Ok(())
    }
}
