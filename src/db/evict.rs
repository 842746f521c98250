//! Choosing keys to evict (evict.c's evictionPoolPopulate and performEvictions' pick):
//! the keyspace's half of eviction. The command layer (`cmd::evict`) decides when to
//! evict and deletes, counts, notifies and propagates what this picks.
//!
//! LRU, LFU and volatile-ttl sample `maxmemory-samples` keys per database
//! (`Dict::some_entries`, dictGetSomeKeys) into a 16-entry pool kept sorted by score
//! (idle time, 255 minus the LFU counter, or "sooner deadline"), and take the best
//! entry that still exists; the random policies take a random key of the next database
//! in turn. Entries are key names: a key deleted meanwhile is a ghost, skipped.

use super::Keyspace;
use crate::config::policy::EvictionPolicy;
use bytes::Bytes;
use rand_core::RngCore;

/// Redis's EVPOOL_SIZE.
pub const POOL_SIZE: usize = 16;

#[derive(Clone, Debug)]
struct PoolEntry {
    /// The score: higher is a better candidate.
    idle: u64,
    key: Bytes,
    db: usize,
}

/// The eviction pool (EvictionPoolLRU) and the random policies' database cursor
/// (performEvictions' static `next_db`), kept between evictions as Redis keeps them.
#[derive(Clone, Debug, Default)]
pub struct Evictor {
    /// Ascending by `idle`; `None`s only at the end (the C array's NULL keys).
    pool: [Option<PoolEntry>; POOL_SIZE],
    next_db: usize,
}

impl Evictor {
    /// evictionPoolPopulate's insertion of one sampled key.
    fn insert(&mut self, idle: u64, key: &[u8], db: usize) {
        let pool = &mut self.pool;
        let mut k = 0;
        while k < POOL_SIZE && pool[k].as_ref().is_some_and(|e| e.idle < idle) {
            k += 1;
        }
        if k == 0 && pool[POOL_SIZE - 1].is_some() {
            // Worse than everything in a full pool.
            return;
        }
        if k < POOL_SIZE && pool[k].is_none() {
            // An empty slot: nothing to move.
        } else if pool[POOL_SIZE - 1].is_none() {
            // Room on the right: shift k.. right by one.
            pool[k..].rotate_right(1);
        } else {
            // Full: drop the worst (leftmost) and insert at k-1.
            k -= 1;
            pool[..=k].rotate_left(1);
        }
        pool[k] = Some(PoolEntry {
            idle,
            key: Bytes::copy_from_slice(key),
            db,
        });
    }

    /// How many entries the pool holds (for tests and invariants).
    pub fn pool_len(&self) -> usize {
        self.pool.iter().filter(|e| e.is_some()).count()
    }

    /// The pool is sorted and packed to the left.
    pub fn check_invariants(&self) -> Result<(), String> {
        let used = self.pool_len();
        if self.pool[..used].iter().any(Option::is_none) {
            return Err("eviction pool has a hole".into());
        }
        let sorted = self.pool[..used]
            .windows(2)
            .all(|w| w[0].as_ref().map(|e| e.idle) <= w[1].as_ref().map(|e| e.idle));
        if !sorted {
            return Err("eviction pool out of order".into());
        }
        Ok(())
    }
}

impl Keyspace {
    /// performEvictions' choice of the next key to evict under `policy`, or None when
    /// no key can be (no key at all, or none with a TTL for a volatile policy).
    pub fn eviction_candidate(
        &mut self,
        policy: EvictionPolicy,
        samples: usize,
        rng: &mut impl RngCore,
    ) -> Option<(usize, Bytes)> {
        if policy == EvictionPolicy::NoEviction {
            return None;
        }
        if !policy.uses_pool() {
            return self.random_candidate(policy, rng);
        }
        loop {
            let mut total_keys = 0;
            for db in 0..self.dbs.len() {
                let keys = if policy.is_allkeys() {
                    self.dbs[db].dict.len()
                } else {
                    self.dbs[db].expires.len()
                };
                if keys != 0 {
                    self.populate(db, policy, samples, rng);
                    total_keys += keys;
                }
            }
            if total_keys == 0 {
                return None;
            }
            // From the best (rightmost) entry down; each is taken out of the pool, and a
            // ghost (deleted since it was sampled) is passed over.
            for k in (0..POOL_SIZE).rev() {
                let Some(entry) = self.evictor.pool[k].take() else {
                    continue;
                };
                let d = &self.dbs[entry.db];
                let exists = if policy.is_allkeys() {
                    d.dict.contains_key(&entry.key)
                } else {
                    d.expires.contains_key(&entry.key)
                };
                // Every slot right of k is empty by now (taken or never filled), so
                // the pool stays packed to the left.
                if exists {
                    return Some((entry.db, entry.key));
                }
            }
        }
    }

    /// evictionPoolPopulate for one database.
    fn populate(
        &mut self,
        db: usize,
        policy: EvictionPolicy,
        samples: usize,
        rng: &mut impl RngCore,
    ) {
        let clock = self.access;
        let d = &self.dbs[db];
        let mut scored: Vec<(u64, Bytes)> = Vec::with_capacity(samples);
        if policy.is_allkeys() {
            for (k, _) in d.dict.some_entries(samples, rng) {
                let lru = k.lru();
                scored.push((
                    score(policy, &clock, lru, 0),
                    Bytes::copy_from_slice(k.as_bytes()),
                ));
            }
        } else {
            for (k, &when) in d.expires.some_entries(samples, rng) {
                // The clock is the value's, in the main dict.
                let lru = d.dict.get_key(k.as_bytes()).map_or(0, |k| k.lru());
                scored.push((
                    score(policy, &clock, lru, when),
                    Bytes::copy_from_slice(k.as_bytes()),
                ));
            }
        }
        for (idle, key) in scored {
            self.evictor.insert(idle, &key, db);
        }
    }

    /// The random policies: a random key of the next database (in turn) that has one.
    fn random_candidate(
        &mut self,
        policy: EvictionPolicy,
        rng: &mut impl RngCore,
    ) -> Option<(usize, Bytes)> {
        let n = self.dbs.len();
        for _ in 0..n {
            self.evictor.next_db = self.evictor.next_db.wrapping_add(1);
            let j = self.evictor.next_db % n;
            let d = &self.dbs[j];
            let picked = if policy.is_allkeys() {
                d.dict.random_entry(rng).map(|(k, _)| k.as_bytes())
            } else {
                d.expires.random_entry(rng).map(|(k, _)| k.as_bytes())
            };
            if let Some(key) = picked {
                return Some((j, Bytes::copy_from_slice(key)));
            }
        }
        None
    }

    /// The eviction pool's own invariants.
    pub fn check_evictor(&self) -> Result<(), String> {
        self.evictor.check_invariants()
    }
}

/// evictionPoolPopulate's score: the higher, the sooner evicted.
fn score(
    policy: EvictionPolicy,
    clock: &super::access::AccessClock,
    lru: u32,
    expire_at: u64,
) -> u64 {
    if policy.is_lru() {
        clock.idle_ms(lru)
    } else if policy.is_lfu() {
        255 - u64::from(clock.lfu_decr_and_return(lru))
    } else {
        // volatile-ttl: the sooner the deadline the better (ULLONG_MAX - when).
        u64::MAX - expire_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Ttl, Value};
    use rand_chacha::rand_core::SeedableRng;

    fn keyspace_with(n: usize) -> Keyspace {
        let mut ks = Keyspace::new(2, (1, 2));
        for i in 0..n {
            ks.access.now_ms = i as u64 * 1000;
            let ttl = if i % 2 == 0 {
                Ttl::At(1_000_000 - i as u64)
            } else {
                Ttl::Clear
            };
            ks.set(0, Bytes::from(format!("k{i}")), Value::int(i as i64), ttl);
        }
        ks.access.now_ms = n as u64 * 1000;
        ks
    }

    #[test]
    fn pool_keeps_the_best_sixteen_in_order() {
        let mut e = Evictor::default();
        for i in [
            5u64, 1, 9, 3, 7, 30, 20, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 2, 40,
        ] {
            e.insert(i, format!("k{i}").as_bytes(), 0);
            e.check_invariants().unwrap();
        }
        assert_eq!(e.pool_len(), POOL_SIZE);
        let scores: Vec<u64> = e.pool.iter().flatten().map(|p| p.idle).collect();
        assert_eq!(scores.last(), Some(&40));
        assert!(!scores.contains(&1) && !scores.contains(&2), "{scores:?}");
    }

    #[test]
    fn lru_picks_the_idlest_and_volatile_only_keys_with_ttl() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // 10 keys: with 10 samples every key is seen, so the pick is exact.
        let mut ks = keyspace_with(10);
        let (db, key) = ks
            .eviction_candidate(EvictionPolicy::AllkeysLru, 10, &mut rng)
            .unwrap();
        assert_eq!((db, &key[..]), (0, &b"k0"[..]));
        ks.remove(0, b"k0");
        let (_, key) = ks
            .eviction_candidate(EvictionPolicy::AllkeysLru, 10, &mut rng)
            .unwrap();
        assert_eq!(&key[..], b"k1");
        let (_, key) = ks
            .eviction_candidate(EvictionPolicy::VolatileLru, 10, &mut rng)
            .unwrap();
        assert_eq!(&key[..], b"k2", "k1 has no TTL");
        // volatile-ttl: the nearest deadline (k8's).
        let (_, key) = ks
            .eviction_candidate(EvictionPolicy::VolatileTtl, 10, &mut rng)
            .unwrap();
        assert_eq!(&key[..], b"k8");
        for _ in 0..50 {
            let (_, key) = ks
                .eviction_candidate(EvictionPolicy::VolatileRandom, 10, &mut rng)
                .unwrap();
            let i: usize = std::str::from_utf8(&key[1..]).unwrap().parse().unwrap();
            assert_eq!(i % 2, 0, "only keys with a TTL");
        }
        ks.evictor.check_invariants().unwrap();
    }

    #[test]
    fn nothing_to_evict() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut ks = Keyspace::new(2, (1, 2));
        for p in EvictionPolicy::ALL {
            assert_eq!(ks.eviction_candidate(p, 5, &mut rng), None);
        }
        ks.set(1, Bytes::from("x"), Value::int(1), Ttl::Clear);
        assert_eq!(
            ks.eviction_candidate(EvictionPolicy::VolatileLfu, 5, &mut rng),
            None
        );
        assert_eq!(
            ks.eviction_candidate(EvictionPolicy::AllkeysLfu, 5, &mut rng),
            Some((1, Bytes::from("x")))
        );
        assert_eq!(
            ks.eviction_candidate(EvictionPolicy::AllkeysRandom, 5, &mut rng),
            Some((1, Bytes::from("x")))
        );
    }
}
