//! `Dict<V, K>`: the keyspace's hash table, after Redis's `dict.c`, rehashed incrementally.
//!
//! - Two power-of-two tables of singly linked chains (one boxed node per entry, a bucket is
//!   one nullable pointer). While a resize is in progress (`rehash_idx` is set), `ht[0]` is
//!   the old table and `ht[1]` the new one: every insert, remove and `get_mut` first moves
//!   one bucket from `ht[0]` to `ht[1]` (Redis's `_dictRehashStep`), visiting at most ten
//!   empty buckets, and the server's cron moves a bounded number more
//!   ([`Dict::rehash`], Redis's `incrementallyRehash`). Lookups and removals look in both
//!   tables; inserts go to `ht[1]`. So no single operation pays for the whole table: the
//!   pause Redis avoids this way is the one a load of millions of keys would otherwise hit
//!   at every power of two. Every step is counted in buckets, never timed, so a simulated
//!   run stays a pure function of its seed.
//! - Keyed SipHash-1-3: the keys come from the server's seeded RNG, so the layout (and with
//!   it SCAN order and random picks) is a pure function of the seed and the operations.
//! - Resizing follows Redis's thresholds: grow to the next power of two `>= used + 1` when
//!   `used >= size` (load factor 1); shrink to the next power of two `>= used` (minimum 4)
//!   when `used * 100 / size < 10`. Neither starts while a rehash is in progress.
//! - SCAN uses Redis's reverse-binary cursor (`dictScan`), over both tables while
//!   rehashing: the smaller table's bucket, then every bucket of the bigger table that
//!   expands it. An element present for the whole scan is returned at least once however
//!   the table grows, shrinks or rehashes in between.
//! - The key type is generic ([`DictKey`]): collections keep `Bytes` (so their members are
//!   handed out without copies), the keyspace stores its keys inline ([`super::key::Key`]).

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
/// Redis's `dictRehash`: a step that moves `n` buckets gives up after `n * 10` empty ones,
/// so a sparse old table (after a shrink starts) cannot make one step long.
const EMPTY_VISITS_PER_BUCKET: usize = 10;

/// What a dict can be keyed by: anything that is a byte string.
pub trait DictKey {
    fn key_bytes(&self) -> &[u8];
}

impl DictKey for Bytes {
    fn key_bytes(&self) -> &[u8] {
        self
    }
}

struct Node<V, K> {
    next: Link<V, K>,
    key: K,
    value: V,
}

type Link<V, K> = Option<Box<Node<V, K>>>;

/// One table: a power-of-two array of chains (or no array at all) and its entry count.
struct Table<V, K> {
    buckets: Box<[Link<V, K>]>,
    used: usize,
}

impl<V, K> Table<V, K> {
    fn empty() -> Table<V, K> {
        Table {
            buckets: Box::new([]),
            used: 0,
        }
    }

    /// A table of `size` empty buckets, allocated zeroed: a big table's pages are then
    /// mapped lazily as buckets fill, instead of all being written at once when a resize
    /// starts (Redis uses zcalloc for the same reason).
    fn with_size(size: usize) -> Table<V, K> {
        assert!(size.is_power_of_two());
        let zeroed = Box::<[Link<V, K>]>::new_zeroed_slice(size);
        // SAFETY: `Option<Box<T>>` is guaranteed to be represented as a nullable pointer,
        // `None` being null (the null-pointer optimization documented for `Option`), so an
        // all-zero bucket array is an array of `None`s.
        let buckets = unsafe { zeroed.assume_init() };
        Table { buckets, used: 0 }
    }

    fn size(&self) -> usize {
        self.buckets.len()
    }

    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }
}

impl<V, K> Drop for Table<V, K> {
    /// Chains are unlinked one node at a time: the default recursive drop of a long chain
    /// could exhaust the stack. An empty table (the old one when a rehash ends) is freed
    /// without a walk over its millions of empty buckets.
    fn drop(&mut self) {
        if self.used == 0 {
            return;
        }
        for bucket in self.buckets.iter_mut() {
            let mut cur = bucket.take();
            while let Some(mut node) = cur {
                cur = node.next.take();
            }
        }
    }
}

/// The entries of one chain, in chain order.
struct Chain<'a, V, K> {
    cur: Option<&'a Node<V, K>>,
}

impl<'a, V, K> Iterator for Chain<'a, V, K> {
    type Item = (&'a K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        let n = self.cur?;
        self.cur = n.next.as_deref();
        Some((&n.key, &n.value))
    }
}

fn chain<V, K>(link: &Link<V, K>) -> Chain<'_, V, K> {
    Chain {
        cur: link.as_deref(),
    }
}

/// The link in `link`'s chain that holds `key` (or the chain's final `None`).
fn find_link<'a, V, K: DictKey>(mut link: &'a mut Link<V, K>, key: &[u8]) -> &'a mut Link<V, K> {
    while link.as_ref().is_some_and(|n| n.key.key_bytes() != key) {
        // The condition just saw `Some`.
        link = &mut link.as_mut().expect("checked").next;
    }
    link
}

pub struct Dict<V, K = Bytes> {
    ht: [Table<V, K>; 2],
    /// Redis's `rehashidx`: the next bucket of `ht[0]` to move to `ht[1]`, or None when no
    /// rehash is in progress (then `ht[1]` has no buckets).
    rehash_idx: Option<usize>,
    hash_keys: (u64, u64),
}

impl<V, K: DictKey> Dict<V, K> {
    pub fn new(hash_keys: (u64, u64)) -> Dict<V, K> {
        Dict {
            ht: [Table::empty(), Table::empty()],
            rehash_idx: None,
            hash_keys,
        }
    }

    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The SipHash keys this dict was seeded with (for building a copy).
    pub fn hash_keys(&self) -> (u64, u64) {
        self.hash_keys
    }

    /// Number of buckets of both tables (0 for a table that never held anything, as in
    /// Redis).
    pub fn buckets(&self) -> usize {
        self.ht[0].size() + self.ht[1].size()
    }

    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        hash_with(self.hash_keys, key)
    }

    /// The tables a lookup must search: both while rehashing, else the first.
    fn live_tables(&self) -> usize {
        if self.is_rehashing() {
            2
        } else {
            1
        }
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|(_, v)| v)
    }

    fn find(&self, key: &[u8]) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let h = self.hash(key) as usize;
        for t in &self.ht[..self.live_tables()] {
            if t.size() == 0 {
                continue;
            }
            if let Some(found) = chain(&t.buckets[h & t.mask()]).find(|(k, _)| k.key_bytes() == key)
            {
                return Some(found);
            }
        }
        None
    }

    /// Like [`Dict::get`], and moves one bucket of a rehash in progress, as Redis's
    /// `dictFind` does (a shared `get` cannot).
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.find_node_mut(key).map(|n| &mut n.value)
    }

    /// Like [`Dict::get_mut`], with the stored key too (for metadata kept in it, such as
    /// the keyspace's access clock; changing its bytes would break the dict).
    pub fn get_entry_mut(&mut self, key: &[u8]) -> Option<(&mut K, &mut V)> {
        self.find_node_mut(key).map(|n| (&mut n.key, &mut n.value))
    }

    fn find_node_mut(&mut self, key: &[u8]) -> Option<&mut Node<V, K>> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key) as usize;
        let live = self.live_tables();
        // Which table holds it, found first so the mutable walk below runs once.
        let t = (0..live).find(|&t| {
            let tbl = &self.ht[t];
            tbl.size() != 0
                && chain(&tbl.buckets[h & tbl.mask()]).any(|(k, _)| k.key_bytes() == key)
        })?;
        let tbl = &mut self.ht[t];
        let mask = tbl.mask();
        find_link(&mut tbl.buckets[h & mask], key).as_deref_mut()
    }

    /// The stored key equal to `key`.
    pub fn get_key(&self, key: &[u8]) -> Option<&K> {
        self.find(key).map(|(k, _)| k)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if let Some(v) = self.get_mut(key.key_bytes()) {
            return Some(std::mem::replace(v, value));
        }
        self.expand_if_needed();
        let h = self.hash(key.key_bytes()) as usize;
        // While rehashing, new entries go to the new table only (Redis's dictAddRaw), so
        // the old one only ever empties.
        let t = &mut self.ht[usize::from(self.rehash_idx.is_some())];
        let slot = &mut t.buckets[h & t.mask()];
        *slot = Some(Box::new(Node {
            next: slot.take(),
            key,
            value,
        }));
        t.used += 1;
        None
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key) as usize;
        let live = self.live_tables();
        let mut removed = None;
        for t in &mut self.ht[..live] {
            if t.size() == 0 {
                continue;
            }
            let mask = t.mask();
            let link = find_link(&mut t.buckets[h & mask], key);
            if let Some(mut node) = link.take() {
                *link = node.next.take();
                t.used -= 1;
                removed = Some(node.value);
                break;
            }
        }
        if removed.is_some() {
            if self.is_rehashing() && self.ht[0].used == 0 {
                // The old table emptied by removals: the rehash is over (a zero-bucket
                // step just swaps the tables).
                self.rehash(0);
            }
            self.shrink_if_needed();
        }
        removed
    }

    /// Redis's `_dictExpandIfNeeded` (there is no child process here, so resizing is
    /// always allowed).
    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        if self.ht[0].size() == 0 {
            self.ht[0] = Table::with_size(INITIAL_SIZE);
        } else if self.ht[0].used >= self.ht[0].size() {
            self.start_resize((self.ht[0].used + 1).next_power_of_two());
        }
    }

    /// Redis's `htNeedsResize` + `dictResize`: called after removals and from the cron.
    pub fn shrink_if_needed(&mut self) {
        let size = self.ht[0].size();
        if !self.is_rehashing()
            && size > INITIAL_SIZE
            && self.ht[0].used * 100 / size < MIN_FILL_PERCENT
        {
            self.start_resize(self.ht[0].used.max(INITIAL_SIZE).next_power_of_two());
        }
    }

    /// Redis's `_dictExpand`: starts moving everything to a table of `size` buckets.
    fn start_resize(&mut self, size: usize) {
        if self.is_rehashing() || size == self.ht[0].size() || size < self.ht[0].used {
            return;
        }
        if self.ht[0].used == 0 {
            // Nothing to move: the new table replaces the old one at once.
            self.ht[0] = Table::with_size(size);
            return;
        }
        self.ht[1] = Table::with_size(size);
        self.rehash_idx = Some(0);
    }

    /// One bucket of a rehash in progress (Redis's `_dictRehashStep`).
    fn rehash_step(&mut self) {
        if self.is_rehashing() {
            self.rehash(1);
        }
    }

    /// Moves up to `n` non-empty buckets from the old table to the new one, visiting at
    /// most `10 * n` empty ones (Redis's `dictRehash`). Returns whether a rehash is still
    /// in progress.
    pub fn rehash(&mut self, n: usize) -> bool {
        let Some(mut idx) = self.rehash_idx else {
            return false;
        };
        let keys = self.hash_keys;
        let [old, new] = &mut self.ht;
        let mut empty_visits = n.saturating_mul(EMPTY_VISITS_PER_BUCKET);
        let new_mask = new.mask();
        for _ in 0..n {
            if old.used == 0 {
                break;
            }
            // `old.used > 0` means a non-empty bucket at or after `idx`: buckets before it
            // were all moved.
            assert!(idx < old.size(), "rehash index past a non-empty table");
            while old.buckets[idx].is_none() {
                idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_idx = Some(idx);
                    return true;
                }
            }
            let mut cur = old.buckets[idx].take();
            while let Some(mut node) = cur {
                cur = node.next.take();
                let slot =
                    &mut new.buckets[hash_with(keys, node.key.key_bytes()) as usize & new_mask];
                node.next = slot.take();
                *slot = Some(node);
                old.used -= 1;
                new.used += 1;
            }
            idx += 1;
        }
        if old.used == 0 {
            self.ht[0] = std::mem::replace(&mut self.ht[1], Table::empty());
            self.rehash_idx = None;
            return false;
        }
        self.rehash_idx = Some(idx);
        true
    }

    /// Drops everything and frees the tables.
    pub fn clear(&mut self) {
        self.ht = [Table::empty(), Table::empty()];
        self.rehash_idx = None;
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.ht
            .iter()
            .flat_map(|t| t.buckets.iter())
            .flat_map(chain)
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.iter().map(|(k, _)| k)
    }

    /// One SCAN step (Redis's dictScan): calls `f` for every entry of the buckets the
    /// cursor names and returns the next cursor (0 = the scan is over).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&K, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if !self.is_rehashing() {
            let t = &self.ht[0];
            let m0 = t.mask() as u64;
            chain(&t.buckets[(v & m0) as usize]).for_each(|(k, val)| f(k, val));
            // Set the unmasked bits so that incrementing the reversed cursor carries into
            // the masked bits, then increment the reversed cursor.
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
            return v;
        }
        let (small, big) = if self.ht[0].size() <= self.ht[1].size() {
            (&self.ht[0], &self.ht[1])
        } else {
            (&self.ht[1], &self.ht[0])
        };
        let m0 = small.mask() as u64;
        let m1 = big.mask() as u64;
        chain(&small.buckets[(v & m0) as usize]).for_each(|(k, val)| f(k, val));
        // Every bucket of the bigger table that expands the smaller table's bucket: the
        // cursor's bits above m0 (and within m1) run through all their values.
        loop {
            chain(&big.buckets[(v & m1) as usize]).for_each(|(k, val)| f(k, val));
            v |= !m1;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
            if v & (m0 ^ m1) == 0 {
                break;
            }
        }
        v
    }

    /// dictGetSomeKeys: up to `count` entries from a walk of consecutive buckets starting
    /// at a random one (of the bigger table, visiting both tables while rehashing),
    /// jumping elsewhere after runs of empty buckets, at most `10 * count` steps; past
    /// `count` entries a chain is reservoir-sampled to its end, so a long chain's tail is
    /// not starved. Redis also does a rehash step per entry here; this takes `&self` and
    /// leaves rehashing to its usual places.
    pub fn some_entries(&self, count: usize, rng: &mut impl RngCore) -> Vec<(&K, &V)> {
        let count = count.min(self.len());
        let mut out: Vec<(&K, &V)> = Vec::with_capacity(count);
        if count == 0 {
            return out;
        }
        let rehashing = self.rehash_idx;
        let tables = if rehashing.is_some() { 2 } else { 1 };
        let mut mask = self.ht[0].mask();
        if tables == 2 {
            mask = mask.max(self.ht[1].mask());
        }
        let mut i = (rng.next_u64() as usize) & mask;
        let mut empty_run = 0usize;
        let mut stored = 0usize;
        for _ in 0..count * 10 {
            for j in 0..tables {
                // Old-table buckets below the rehash index are empty; out of the new
                // table's range too, jump to the rehash index.
                match rehashing {
                    Some(idx) if j == 0 && i < idx && i >= self.ht[1].size() => i = idx,
                    Some(idx) if j == 0 && i < idx => continue,
                    _ => {}
                }
                if i >= self.ht[j].size() {
                    continue;
                }
                let link = &self.ht[j].buckets[i];
                if link.is_none() {
                    empty_run += 1;
                    if empty_run >= 5 && empty_run > count {
                        i = (rng.next_u64() as usize) & mask;
                        empty_run = 0;
                    }
                    continue;
                }
                empty_run = 0;
                for entry in chain(link) {
                    if stored < count {
                        out.push(entry);
                    } else {
                        let r = (rng.next_u64() % (stored as u64 + 1)) as usize;
                        if r < count {
                            out[r] = entry;
                        }
                    }
                    stored += 1;
                }
                if stored >= count {
                    return out;
                }
            }
            i = (i + 1) & mask;
        }
        out
    }

    /// dictGetFairRandomKey: a uniform pick among [`Dict::some_entries`]'s 15, which is
    /// far less biased than a random bucket's random entry (and exactly uniform for a
    /// dict of up to 15 entries); falls back to [`Dict::random_entry`] when the walk found
    /// nothing.
    pub fn fair_random_entry(&self, rng: &mut impl RngCore) -> Option<(&K, &V)> {
        const GETFAIR_NUM_ENTRIES: usize = 15;
        let some = self.some_entries(GETFAIR_NUM_ENTRIES, rng);
        if some.is_empty() {
            return self.random_entry(rng);
        }
        let at = (rng.next_u64() % some.len() as u64) as usize;
        Some(some[at])
    }

    /// A random bucket's random entry, like dictGetRandomKey (biased towards entries in
    /// short chains, as Redis's is; while rehashing, drawn from the old table's unmoved
    /// buckets and the new table). None when empty.
    pub fn random_entry(&self, rng: &mut impl RngCore) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        // Buckets are numbered across both tables: the old table's from `first` on, then
        // the new table's after them.
        let first = self.rehash_idx.unwrap_or(0);
        let size0 = self.ht[0].size();
        let span = (size0 + self.ht[1].size() - first) as u64;
        let bucket = |i: usize| -> &Link<V, K> {
            if i < size0 {
                &self.ht[0].buckets[i]
            } else {
                &self.ht[1].buckets[i - size0]
            }
        };
        let draw = |rng: &mut dyn RngCore| first + (rng.next_u64() % span) as usize;
        let mut slot = (0..RANDOM_BUCKET_TRIES)
            .map(|_| draw(rng))
            .find(|&i| bucket(i).is_some());
        if slot.is_none() {
            // Fallback: walk from a random bucket to the next non-empty one. A non-empty
            // dict has one in the span, so the walk ends within `span` steps.
            let start = draw(rng) - first;
            let span = span as usize;
            slot = (0..span)
                .map(|i| first + (start + i) % span)
                .find(|&i| bucket(i).is_some());
        }
        let link = bucket(slot?);
        let len = chain(link).count() as u64;
        chain(link).nth((rng.next_u64() % len) as usize)
    }

    /// Internal invariants, mid-rehash included: the counts match, every entry sits in its
    /// hash's bucket of its table, the old table's buckets before the rehash index are
    /// empty, no key appears twice (in a chain or across the tables), the sizes are powers
    /// of two, and the second table exists exactly while a rehash is in progress.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (n, t) in self.ht.iter().enumerate() {
            let size = t.size();
            if size != 0 && !size.is_power_of_two() {
                return Err(format!("dict table {n} size {size} is not a power of two"));
            }
        }
        match self.rehash_idx {
            None => {
                if self.ht[1].size() != 0 || self.ht[1].used != 0 {
                    return Err("dict has a second table but no rehash in progress".into());
                }
            }
            Some(idx) => {
                if self.ht[0].size() == 0 || self.ht[1].size() == 0 {
                    return Err("dict rehashing without two tables".into());
                }
                if self.ht[0].used == 0 {
                    return Err("dict rehashing from an empty table".into());
                }
                if idx >= self.ht[0].size() {
                    return Err(format!("dict rehash index {idx} past the old table"));
                }
                if self.ht[0].buckets[..idx].iter().any(Option::is_some) {
                    return Err(format!("dict old table has entries before index {idx}"));
                }
            }
        }
        for (n, t) in self.ht.iter().enumerate() {
            let mut count = 0;
            for (i, bucket) in t.buckets.iter().enumerate() {
                for (j, (k, _)) in chain(bucket).enumerate() {
                    count += 1;
                    let key = k.key_bytes();
                    let h = self.hash(key) as usize;
                    if h & t.mask() != i {
                        return Err(format!("key {key:?} in wrong bucket {i} of table {n}"));
                    }
                    if chain(bucket).take(j).any(|(o, _)| o.key_bytes() == key) {
                        return Err(format!("key {key:?} appears twice in table {n}"));
                    }
                    if n == 0 && self.ht[1].size() != 0 {
                        let other = &self.ht[1];
                        if chain(&other.buckets[h & other.mask()])
                            .any(|(o, _)| o.key_bytes() == key)
                        {
                            return Err(format!("key {key:?} is in both tables"));
                        }
                    }
                }
            }
            if count != t.used {
                return Err(format!(
                    "dict table {n} used={} but holds {count} entries",
                    t.used
                ));
            }
        }
        Ok(())
    }
}

fn hash_with(keys: (u64, u64), key: &[u8]) -> u64 {
    let mut h = SipHasher13::new_with_keys(keys.0, keys.1);
    h.write(key);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;
    use std::collections::{BTreeMap, BTreeSet};

    fn key(i: u32) -> Bytes {
        Bytes::from(format!("k{i}"))
    }

    /// Finishes a rehash in progress, as enough cron ticks would.
    fn settle<V>(d: &mut Dict<V>) {
        while d.rehash(100) {}
    }

    /// Found by Redis's own hash.tcl (HRANDFIELD -1000 on a 10-field hashtable): a random
    /// bucket's random entry favours entries alone in their bucket, and the chi-square of
    /// 1000 draws went to 100 (Redis's test wants under 40). The fair pick is uniform for
    /// a dict this small, also mid-rehash.
    #[test]
    fn fair_random_entry_is_uniform_on_small_dicts() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for rehashing in [false, true] {
            let mut d: Dict<u32> = Dict::new((1, 2));
            if rehashing {
                // Eight entries fill a table of eight: the ninth starts growing it.
                for i in 0..8 {
                    d.insert(key(i), i);
                }
                settle(&mut d);
                d.insert(key(8), 8);
                assert!(d.is_rehashing());
            } else {
                for i in 0..10 {
                    d.insert(key(i), i);
                }
                settle(&mut d);
            }
            let n = d.len();
            for _ in 0..20 {
                let mut counts = std::collections::HashMap::new();
                for _ in 0..100 * n {
                    let (k, _) = d.fair_random_entry(&mut rng).unwrap();
                    *counts.entry(k.clone()).or_insert(0u32) += 1;
                }
                assert_eq!(counts.len(), n);
                let chi: f64 = counts
                    .values()
                    .map(|&c| (f64::from(c) - 100.0).powi(2) / 100.0)
                    .sum();
                // df = n - 1 <= 15: p(chi >= 45) < 1e-4.
                assert!(chi < 45.0, "chi-square {chi} (rehashing: {rehashing})");
            }
        }
    }

    #[test]
    fn insert_get_remove_grow_shrink() {
        let mut d: Dict<u32> = Dict::new((1, 2));
        assert_eq!(d.buckets(), 0);
        for i in 0..1000 {
            assert_eq!(d.insert(key(i), i), None);
            d.check_invariants().unwrap();
        }
        assert_eq!(d.len(), 1000);
        settle(&mut d);
        assert_eq!(d.buckets(), 1024);
        assert_eq!(d.insert(key(5), 50), Some(5));
        assert_eq!(d.get(b"k5"), Some(&50));
        *d.get_mut(b"k6").unwrap() = 60;
        assert_eq!(d.get(b"k6"), Some(&60));
        d.check_invariants().unwrap();
        for i in 0..990 {
            assert!(d.remove(&key(i)).is_some());
            d.check_invariants().unwrap();
        }
        assert_eq!(d.len(), 10);
        settle(&mut d);
        d.shrink_if_needed();
        settle(&mut d);
        assert!(d.buckets() <= 16);
        assert_eq!(d.remove(b"nope"), None);
        d.clear();
        assert!(d.is_empty());
        d.check_invariants().unwrap();
    }

    /// The keyspace's memory per key rests on this: a key of up to 14 bytes with a small
    /// string or an integer is one 48-byte node (jemalloc's 48-byte size class).
    #[test]
    fn a_keyspace_node_is_48_bytes() {
        use crate::db::{Key, Value};
        assert_eq!(std::mem::size_of::<Node<Value, Key>>(), 48);
        assert_eq!(std::mem::size_of::<Node<u64, Key>>(), 32);
    }

    #[test]
    fn grows_at_load_factor_one_incrementally() {
        let mut d: Dict<()> = Dict::new((0, 0));
        for i in 0..4 {
            d.insert(key(i), ());
        }
        assert_eq!(d.buckets(), 4);
        assert!(!d.is_rehashing());
        d.insert(key(4), ());
        // The new table exists beside the old one until the buckets have moved.
        assert!(d.is_rehashing());
        assert_eq!(d.buckets(), 4 + 8);
        for i in 0..5 {
            assert!(d.contains_key(&key(i)));
        }
        d.check_invariants().unwrap();
        settle(&mut d);
        assert_eq!(d.buckets(), 8);
    }

    /// Removals can empty the old table before the rehash reaches its end (found by the
    /// zset proptest): the rehash is then over, not left running on an empty table.
    #[test]
    fn removals_that_empty_the_old_table_end_the_rehash() {
        let mut d: Dict<u32> = Dict::new((1, 2));
        for i in 0..64 {
            d.insert(key(i), i);
        }
        settle(&mut d);
        d.insert(key(64), 64);
        assert!(d.is_rehashing());
        let mut emptied_by_removal = false;
        while d.is_rehashing() {
            // The head of the old table's last chain: the step before the removal moves
            // the first chain, so the removal is what empties the table at the end.
            let k = d.ht[0]
                .buckets
                .iter()
                .rev()
                .find_map(|b| b.as_ref().map(|n| n.key.clone()))
                .unwrap();
            // Two single-entry chains left: the step moves the first, the removal takes the
            // second and so empties the old table.
            let chains = d.ht[0].buckets.iter().filter(|b| b.is_some()).count();
            let last_two = chains == 2 && d.ht[0].used == 2;
            assert!(d.remove(&k).is_some());
            d.check_invariants().unwrap();
            if last_two {
                assert!(!d.is_rehashing());
                emptied_by_removal = true;
            }
        }
        assert!(
            emptied_by_removal,
            "the case this test is for did not happen"
        );
        d.check_invariants().unwrap();
    }

    /// One operation moves one bucket (plus at most ten empty ones), never the table.
    #[test]
    fn each_operation_moves_a_bounded_number_of_entries() {
        let mut d: Dict<u32> = Dict::new((7, 8));
        for i in 0..4096 {
            d.insert(key(i), i);
        }
        settle(&mut d);
        d.insert(key(5000), 0);
        assert!(d.is_rehashing());
        let before = d.ht[1].used;
        d.insert(key(5001), 0);
        // One bucket moved (a chain is short: the load factor was 1) plus the new entry.
        assert!(
            d.ht[1].used - before <= 1 + 16,
            "moved {}",
            d.ht[1].used - before
        );
        let mut steps = 0;
        while d.is_rehashing() {
            d.get_mut(b"k1");
            steps += 1;
        }
        assert!(
            steps >= 1000,
            "rehash finished after only {steps} operations"
        );
        d.check_invariants().unwrap();
    }

    #[test]
    fn scan_returns_everything_once_without_changes() {
        let mut d: Dict<u32> = Dict::new((3, 4));
        for i in 0..300 {
            d.insert(key(i), i);
        }
        settle(&mut d);
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
        assert!(d.fair_random_entry(&mut rng).is_none());
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

    /// Mid-rehash, random picks reach entries in both tables.
    #[test]
    fn random_entry_reaches_both_tables_while_rehashing() {
        let mut d: Dict<u32> = Dict::new((11, 12));
        for i in 0..64 {
            d.insert(key(i), i);
        }
        settle(&mut d);
        d.insert(key(64), 64);
        for _ in 0..10 {
            d.get_mut(b"k0");
        }
        assert!(d.is_rehashing());
        let in_new: BTreeSet<Bytes> = d.ht[1]
            .buckets
            .iter()
            .flat_map(chain)
            .map(|(k, _)| k.clone())
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut old_hits, mut new_hits) = (0, 0);
        for _ in 0..2000 {
            let (k, _) = d.random_entry(&mut rng).unwrap();
            if in_new.contains(k) {
                new_hits += 1;
            } else {
                old_hits += 1;
            }
        }
        assert!(
            old_hits > 0 && new_hits > 0,
            "old {old_hits} new {new_hits}"
        );
    }

    proptest! {
        /// The SCAN guarantee: an element present from the start to the end of a full
        /// scan is returned, however the table grows, shrinks and rehashes between calls;
        /// lookups, random picks and the invariants stay right at every step.
        #[test]
        fn scan_guarantee_under_resizes(
            initial in 0u32..200,
            ops in proptest::collection::vec((0u8..4, 0u32..400), 0..300),
            seed in any::<u64>(),
        ) {
            let mut d: Dict<u32> = Dict::new((seed, seed ^ 0x55));
            let mut model = BTreeMap::new();
            for i in 0..initial {
                d.insert(key(i), i);
                model.insert(key(i), i);
            }
            // Keys >= 1000 come and go during the scan; keys < initial stay put.
            let stable: BTreeSet<Bytes> = (0..initial).map(key).collect();
            let mut seen = BTreeSet::new();
            let mut cursor = 0;
            let mut ops = ops.into_iter();
            let mut steps = 0;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            loop {
                cursor = d.scan(cursor, |k, _| { seen.insert(k.clone()); });
                steps += 1;
                prop_assert!(steps < 100_000);
                for (op, n) in ops.by_ref().take(3) {
                    let k = key(1000 + n);
                    match op {
                        0 | 1 => { prop_assert_eq!(d.insert(k.clone(), n), model.insert(k, n)); }
                        2 => { prop_assert_eq!(d.remove(&k), model.remove(&k)); }
                        _ => { d.rehash(1 + n as usize % 3); }
                    }
                }
                d.check_invariants().map_err(TestCaseError::fail)?;
                prop_assert_eq!(d.len(), model.len());
                for (k, v) in &model {
                    prop_assert_eq!(d.get(k), Some(v));
                }
                if let Some((k, v)) = d.random_entry(&mut rng) {
                    prop_assert_eq!(model.get(k), Some(v));
                }
                if cursor == 0 { break; }
            }
            for k in &stable {
                prop_assert!(seen.contains(k), "missed {:?}", k);
            }
            let all: BTreeMap<Bytes, u32> = d.iter().map(|(k, v)| (k.clone(), *v)).collect();
            prop_assert_eq!(all, model);
        }
    }
}
