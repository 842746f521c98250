//! `Dict<V>`: the keyspace's hash table, keyed by `Bytes`, after Redis's `dict.c`.
//!
//! - Power-of-two bucket array with separate chaining (one `Vec` per bucket; an empty
//!   bucket costs no allocation).
//! - Keyed SipHash-1-3: the keys come from the server's seeded RNG, so the layout (and with
//!   it SCAN order and random picks) is a pure function of the seed and the operations.
//! - Resizing follows Redis's thresholds: grow to the next power of two `>= used + 1` when
//!   `used >= size` (load factor 1); shrink to the next power of two `>= used` (minimum 4)
//!   when `used * 100 / size < 10`. Redis rehashes incrementally to bound latency; here the
//!   rehash is done **all at once** inside the insert/remove that crosses a threshold. That
//!   keeps exactly one table alive at any time, which makes SCAN and the invariants simple,
//!   at the cost of an O(n) pause on resize (acceptable for this server's sizes).
//! - SCAN uses Redis's reverse-binary cursor (`dictScan`): the cursor's bits are incremented
//!   from the most significant of the mask down, so every bucket of a smaller table maps to
//!   a contiguous run of cursors of a bigger one and vice versa. An element present for the
//!   whole scan is returned at least once however the table grows or shrinks in between.

use bytes::Bytes;
use rand_core::RngCore;
use siphasher::sip::SipHasher13;
use std::hash::Hasher;

/// Redis's `DICT_HT_INITIAL_SIZE`.
const INITIAL_SIZE: usize = 4;
/// Redis's `HASHTABLE_MIN_FILL`: shrink when fewer than this percent of buckets are used.
const MIN_FILL_PERCENT: usize = 10;
/// Random picks try this many random buckets before falling back to a linear walk, so a
/// sparse table can never make a pick loop for long.
const RANDOM_BUCKET_TRIES: usize = 64;

struct Entry<V> {
    key: Bytes,
    value: V,
}

pub struct Dict<V> {
    buckets: Vec<Vec<Entry<V>>>,
    used: usize,
    hash_keys: (u64, u64),
}

impl<V> Dict<V> {
    pub fn new(hash_keys: (u64, u64)) -> Dict<V> {
        Dict {
            buckets: Vec::new(),
            used: 0,
            hash_keys,
        }
    }

    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// The SipHash keys this dict was seeded with (for building a copy).
    pub fn hash_keys(&self) -> (u64, u64) {
        self.hash_keys
    }

    /// Number of buckets (0 for a table that never held anything, as in Redis).
    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.hash_keys.0, self.hash_keys.1);
        h.write(key);
        h.finish()
    }

    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    fn slot(&self, key: &[u8]) -> Option<usize> {
        if self.buckets.is_empty() {
            return None;
        }
        Some(self.hash(key) as usize & self.mask())
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        let slot = self.slot(key)?;
        self.buckets[slot]
            .iter()
            .find(|e| e.key.as_ref() == key)
            .map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let slot = self.slot(key)?;
        self.buckets[slot]
            .iter_mut()
            .find(|e| e.key.as_ref() == key)
            .map(|e| &mut e.value)
    }

    /// The stored key equal to `key` (shares its buffer rather than copying).
    pub fn get_key(&self, key: &[u8]) -> Option<&Bytes> {
        let slot = self.slot(key)?;
        self.buckets[slot]
            .iter()
            .find(|e| e.key.as_ref() == key)
            .map(|e| &e.key)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: Bytes, value: V) -> Option<V> {
        if let Some(v) = self.get_mut(&key) {
            return Some(std::mem::replace(v, value));
        }
        // Redis's _dictExpandIfNeeded: load factor 1 triggers a grow.
        if self.buckets.is_empty() {
            self.resize(INITIAL_SIZE);
        } else if self.used >= self.buckets.len() {
            self.resize((self.used + 1).next_power_of_two());
        }
        let slot = self.hash(&key) as usize & self.mask();
        self.buckets[slot].push(Entry { key, value });
        self.used += 1;
        None
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let slot = self.slot(key)?;
        let pos = self.buckets[slot]
            .iter()
            .position(|e| e.key.as_ref() == key)?;
        let entry = self.buckets[slot].swap_remove(pos);
        self.used -= 1;
        self.shrink_if_needed();
        Some(entry.value)
    }

    /// Redis's htNeedsResize + dictResize, done right away instead of from serverCron.
    fn shrink_if_needed(&mut self) {
        let size = self.buckets.len();
        if size > INITIAL_SIZE && self.used * 100 / size < MIN_FILL_PERCENT {
            self.resize(self.used.max(INITIAL_SIZE).next_power_of_two());
        }
    }

    /// Rehashes every entry into a table of `size` buckets (a power of two).
    fn resize(&mut self, size: usize) {
        debug_assert!(size.is_power_of_two());
        let old = std::mem::take(&mut self.buckets);
        self.buckets = (0..size).map(|_| Vec::new()).collect();
        let mask = size - 1;
        for entry in old.into_iter().flatten() {
            let slot = self.hash(&entry.key) as usize & mask;
            self.buckets[slot].push(entry);
        }
    }

    /// Drops everything and frees the table.
    pub fn clear(&mut self) {
        self.buckets = Vec::new();
        self.used = 0;
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &V)> {
        self.buckets.iter().flatten().map(|e| (&e.key, &e.value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Bytes> {
        self.iter().map(|(k, _)| k)
    }

    /// One SCAN step (Redis's dictScan for a single table): calls `f` for every entry of
    /// the bucket the cursor names and returns the next cursor (0 = the scan is over).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&Bytes, &V)) -> u64 {
        if self.buckets.is_empty() {
            return 0;
        }
        let mask = self.mask() as u64;
        for e in &self.buckets[(cursor & mask) as usize] {
            f(&e.key, &e.value);
        }
        // Set the unmasked bits so that incrementing the reversed cursor carries into
        // the masked bits, then increment the reversed cursor.
        let mut v = cursor | !mask;
        v = v.reverse_bits();
        v = v.wrapping_add(1);
        v.reverse_bits()
    }

    /// A uniformly chosen bucket's random entry, like dictGetRandomKey (which is biased
    /// towards entries in short chains, as Redis's is). None when empty.
    pub fn random_entry(&self, rng: &mut impl RngCore) -> Option<(&Bytes, &V)> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask() as u64;
        let mut slot = None;
        for _ in 0..RANDOM_BUCKET_TRIES {
            let s = (rng.next_u64() & mask) as usize;
            if !self.buckets[s].is_empty() {
                slot = Some(s);
                break;
            }
        }
        // Fallback: walk from a random bucket to the next non-empty one. `used > 0`
        // guarantees one exists, so the walk ends within `size` steps.
        let slot = match slot {
            Some(s) => s,
            None => {
                let start = (rng.next_u64() & mask) as usize;
                let size = self.buckets.len();
                (0..size)
                    .map(|i| (start + i) & (size - 1))
                    .find(|&s| !self.buckets[s].is_empty())?
            }
        };
        let chain = &self.buckets[slot];
        let e = &chain[(rng.next_u64() % chain.len() as u64) as usize];
        Some((&e.key, &e.value))
    }

    /// Internal invariants: the count matches, every entry sits in its hash's bucket, no
    /// key appears twice, and the size is a power of two that respects the fill bounds.
    pub fn check_invariants(&self) -> Result<(), String> {
        let size = self.buckets.len();
        if size != 0 && !size.is_power_of_two() {
            return Err(format!("dict size {size} is not a power of two"));
        }
        let mut count = 0;
        for (i, chain) in self.buckets.iter().enumerate() {
            for (j, e) in chain.iter().enumerate() {
                count += 1;
                if self.hash(&e.key) as usize & self.mask() != i {
                    return Err(format!("key {:?} in wrong bucket {i}", e.key));
                }
                if chain[..j].iter().any(|o| o.key == e.key) {
                    return Err(format!("key {:?} appears twice", e.key));
                }
            }
        }
        if count != self.used {
            return Err(format!("dict used={} but holds {count} entries", self.used));
        }
        if size > 0 && self.used > size {
            return Err(format!("dict load factor over 1: {}/{size}", self.used));
        }
        if size > INITIAL_SIZE && self.used * 100 / size < MIN_FILL_PERCENT {
            return Err(format!("dict under-filled: {}/{size}", self.used));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;
    use std::collections::BTreeSet;

    fn key(i: u32) -> Bytes {
        Bytes::from(format!("k{i}"))
    }

    #[test]
    fn insert_get_remove_grow_shrink() {
        let mut d: Dict<u32> = Dict::new((1, 2));
        assert_eq!(d.buckets(), 0);
        for i in 0..1000 {
            assert_eq!(d.insert(key(i), i), None);
        }
        assert_eq!(d.len(), 1000);
        assert_eq!(d.buckets(), 1024);
        assert_eq!(d.insert(key(5), 50), Some(5));
        assert_eq!(d.get(b"k5"), Some(&50));
        d.check_invariants().unwrap();
        for i in 0..990 {
            assert!(d.remove(&key(i)).is_some());
            d.check_invariants().unwrap();
        }
        assert_eq!(d.len(), 10);
        assert!(d.buckets() <= 16);
        assert_eq!(d.remove(b"nope"), None);
        d.clear();
        assert!(d.is_empty());
        d.check_invariants().unwrap();
    }

    #[test]
    fn grows_at_load_factor_one() {
        let mut d: Dict<()> = Dict::new((0, 0));
        for i in 0..4 {
            d.insert(key(i), ());
        }
        assert_eq!(d.buckets(), 4);
        d.insert(key(4), ());
        assert_eq!(d.buckets(), 8);
    }

    #[test]
    fn scan_returns_everything_once_without_changes() {
        let mut d: Dict<u32> = Dict::new((3, 4));
        for i in 0..300 {
            d.insert(key(i), i);
        }
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            cursor = d.scan(cursor, |k, _| seen.push(k.clone()));
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 300);
        let set: BTreeSet<_> = seen.into_iter().collect();
        assert_eq!(set.len(), 300);
    }

    #[test]
    fn random_entry_is_deterministic_and_present() {
        let mut d: Dict<u32> = Dict::new((5, 6));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(d.random_entry(&mut rng).is_none());
        for i in 0..50 {
            d.insert(key(i), i);
        }
        let mut a = ChaCha8Rng::seed_from_u64(9);
        let mut b = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..100 {
            let (ka, _) = d.random_entry(&mut a).unwrap();
            let (kb, _) = d.random_entry(&mut b).unwrap();
            assert_eq!(ka, kb);
            assert!(d.contains_key(ka));
        }
    }

    proptest! {
        /// The SCAN guarantee: an element present from the start to the end of a full
        /// scan is returned, however the table grows and shrinks between calls.
        #[test]
        fn scan_guarantee_under_resizes(
            initial in 0u32..200,
            ops in proptest::collection::vec((any::<bool>(), 0u32..400), 0..300),
            seed in any::<u64>(),
        ) {
            let mut d: Dict<()> = Dict::new((seed, seed ^ 0x55));
            for i in 0..initial {
                d.insert(key(i), ());
            }
            // Keys >= 1000 come and go during the scan; keys < initial stay put.
            let stable: BTreeSet<Bytes> = (0..initial).map(key).collect();
            let mut seen = BTreeSet::new();
            let mut cursor = 0;
            let mut ops = ops.into_iter();
            let mut steps = 0;
            loop {
                cursor = d.scan(cursor, |k, _| { seen.insert(k.clone()); });
                steps += 1;
                prop_assert!(steps < 100_000);
                for (add, n) in ops.by_ref().take(3) {
                    if add { d.insert(key(1000 + n), ()); } else { d.remove(&key(1000 + n)); }
                }
                d.check_invariants().map_err(TestCaseError::fail)?;
                if cursor == 0 { break; }
            }
            for k in &stable {
                prop_assert!(seen.contains(k), "missed {:?}", k);
            }
        }
    }
}
