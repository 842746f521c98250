//! Deterministic hashing for the checker's memo table.
//!
//! The project forbids randomly seeded hashers (a simulated run must behave the same on every
//! machine), so the checker hashes with a tiny Fx-style hasher (the multiply-rotate hasher used
//! by rustc) and keeps its memo in its own open-addressing table: std's `HashMap` would force a
//! heap-allocated key per entry, while here every entry's bitset lives in one flat arena.

use std::hash::{BuildHasherDefault, Hash, Hasher};

/// rustc's FxHasher constant: odd, with well-spread bits.
const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A fast, unseeded (hence deterministic) hasher. Not DoS-resistant, which is fine: it only
/// ever hashes histories the user asked us to check.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // Mix the length in so "a" and "a\0" differ.
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// For `HashMap`s elsewhere in the checker (partitioning, key interning): deterministic.
pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

/// Hash any value with [`FxHasher`].
#[inline]
pub fn fx_hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = FxHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// splitmix64's finaliser: turns a counter into well-distributed bits. Used for the per-op
/// Zobrist keys of the linearized-set hash and to spread combined hashes over table slots.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The memo of configurations already explored: (set of linearized ops, model state).
///
/// Open addressing with linear probing; a slot holds `entry index + 1` (0 = empty). Each entry
/// stores its full 64-bit hash (compared first, so a probe rarely touches the bitset or the
/// state), its bitset in `bits[i * words .. (i + 1) * words]`, and its state. Entries are never
/// removed: a configuration that was explored without success stays a dead end for the rest of
/// the search.
pub struct MemoTable<S> {
    words: usize,
    slots: Vec<u32>,
    hashes: Vec<u64>,
    bits: Vec<u64>,
    states: Vec<S>,
}

impl<S: Eq> MemoTable<S> {
    pub fn new(words: usize) -> Self {
        MemoTable {
            words,
            slots: vec![0; 1024],
            hashes: Vec::new(),
            bits: Vec::new(),
            states: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Insert (bits, state) unless present. Returns true when it was new. `hash` must be a
    /// function of (bits, state) only.
    pub fn insert(&mut self, hash: u64, bits: &[u64], state: &S) -> bool
    where
        S: Clone,
    {
        debug_assert_eq!(bits.len(), self.words);
        // Keep the load factor at or under 1/2 so probe sequences stay short.
        if (self.states.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut pos = (mix64(hash) as usize) & mask;
        loop {
            let slot = self.slots[pos];
            if slot == 0 {
                break;
            }
            let i = (slot - 1) as usize;
            if self.hashes[i] == hash
                && self.bits[i * self.words..(i + 1) * self.words] == *bits
                && self.states[i] == *state
            {
                return false;
            }
            pos = (pos + 1) & mask;
        }
        // Entry indices are u32: a search that memoizes 4 billion configurations would need
        // hundreds of gigabytes anyway, and the deadline stops it long before.
        let index = self.states.len();
        self.slots[pos] = (index + 1) as u32;
        self.hashes.push(hash);
        self.bits.extend_from_slice(bits);
        self.states.push(state.clone());
        true
    }

    fn grow(&mut self) {
        let new_len = self.slots.len() * 2;
        let mut slots = vec![0u32; new_len];
        let mask = new_len - 1;
        for (i, &h) in self.hashes.iter().enumerate() {
            let mut pos = (mix64(h) as usize) & mask;
            while slots[pos] != 0 {
                pos = (pos + 1) & mask;
            }
            slots[pos] = (i + 1) as u32;
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_is_deterministic_and_discriminates() {
        assert_eq!(fx_hash("abc"), fx_hash("abc"));
        assert_ne!(fx_hash("a"), fx_hash("a\0"));
        assert_ne!(fx_hash(&1u64), fx_hash(&2u64));
    }

    #[test]
    fn memo_insert_and_grow() {
        let mut t = MemoTable::<u32>::new(2);
        for i in 0..5000u64 {
            assert!(t.insert(i % 7, &[i, 0], &(i as u32)));
        }
        for i in 0..5000u64 {
            assert!(!t.insert(i % 7, &[i, 0], &(i as u32)));
        }
        assert!(t.insert(3, &[3, 0], &4));
        assert_eq!(t.len(), 5001);
    }
}
