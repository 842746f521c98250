//! The set type (t_set.c), with Redis 7.0's two encodings:
//! - `intset`: every member is a canonical i64 and there are at most
//!   set-max-intset-entries of them; Redis's intset bytes ([`IntSet`]), sorted, so
//!   SMEMBERS lists them ascending.
//! - `hashtable`: anything else, a [`Dict`] with the keyspace's seeded hashing, so SSCAN,
//!   SRANDMEMBER and SPOP are a pure function of the seed and the operations.
//!
//! (Redis 7.2 added a `listpack` encoding for small non-integer sets; 7.0.15 goes straight
//! to `hashtable`, checked with OBJECT ENCODING on the real server.) A set never converts
//! back from `hashtable` to `intset`, as in Redis.

use super::dict::Dict;
use super::intset::IntSet;
use crate::util::int::{ll2string, string2ll, LL_STR_MAX};
use bytes::Bytes;
use rand_core::RngCore;

pub enum SetValue {
    /// Redis's intset bytes (see [`IntSet`]).
    IntSet(IntSet),
    Hash(Box<Dict<()>>),
}

/// An intset member as the bytes Redis replies with.
fn int_bytes(n: i64) -> Bytes {
    let mut buf = [0u8; LL_STR_MAX];
    Bytes::copy_from_slice(ll2string(n, &mut buf))
}

/// A copy of a dict's entries into a fresh dict with the same seeds.
pub(crate) fn copy_dict<V: Clone>(d: &Dict<V>) -> Dict<V> {
    let mut out = Dict::new(d.hash_keys());
    for (k, v) in d.iter() {
        out.insert(k.clone(), v.clone());
    }
    out
}

impl Clone for SetValue {
    fn clone(&self) -> SetValue {
        match self {
            SetValue::IntSet(v) => SetValue::IntSet(v.clone()),
            SetValue::Hash(d) => SetValue::Hash(Box::new(copy_dict(d))),
        }
    }
}

impl std::fmt::Debug for SetValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.members()).finish()
    }
}

impl PartialEq for SetValue {
    fn eq(&self, other: &SetValue) -> bool {
        self.len() == other.len() && self.members().all(|m| other.contains(&m))
    }
}

impl SetValue {
    /// setTypeCreate: an intset when the first member is an integer, else a hashtable.
    pub fn new_for(first: &[u8], hash_keys: (u64, u64)) -> SetValue {
        if string2ll(first).is_some() {
            SetValue::IntSet(IntSet::new())
        } else {
            SetValue::Hash(Box::new(Dict::new(hash_keys)))
        }
    }

    /// createIntsetObject: what the *STORE commands start from.
    pub fn new_intset() -> SetValue {
        SetValue::IntSet(IntSet::new())
    }

    pub fn len(&self) -> usize {
        match self {
            SetValue::IntSet(v) => v.len(),
            SetValue::Hash(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            SetValue::IntSet(_) => "intset",
            SetValue::Hash(_) => "hashtable",
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            SetValue::IntSet(v) => string2ll(m).is_some_and(|n| v.contains(n)),
            SetValue::Hash(d) => d.contains_key(m),
        }
    }

    /// Converts an intset to a hashtable with the given seeds.
    fn convert(&mut self, hash_keys: (u64, u64)) {
        if let SetValue::IntSet(v) = self {
            let mut d = Dict::new(hash_keys);
            for n in v.iter() {
                d.insert(int_bytes(n), ());
            }
            *self = SetValue::Hash(Box::new(d));
        }
    }

    /// setTypeAdd: true if the member was new. `max_intset` is set-max-intset-entries.
    pub fn insert(&mut self, m: &Bytes, max_intset: u64, hash_keys: (u64, u64)) -> bool {
        if let SetValue::IntSet(v) = self {
            match string2ll(m) {
                Some(n) => {
                    if !v.insert(n) {
                        return false;
                    }
                    if v.len() as u64 > max_intset {
                        self.convert(hash_keys);
                    }
                    return true;
                }
                None => self.convert(hash_keys),
            }
        }
        match self {
            SetValue::Hash(d) => {
                if d.contains_key(m) {
                    false
                } else {
                    d.insert(m.clone(), ());
                    true
                }
            }
            SetValue::IntSet(_) => false,
        }
    }

    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            SetValue::IntSet(v) => string2ll(m).is_some_and(|n| v.remove(n)),
            SetValue::Hash(d) => d.remove(m).is_some(),
        }
    }

    /// Every member, in the encoding's order (ascending for an intset).
    pub fn members(&self) -> Box<dyn Iterator<Item = Bytes> + '_> {
        match self {
            SetValue::IntSet(v) => Box::new(v.iter().map(int_bytes)),
            SetValue::Hash(d) => Box::new(d.keys().cloned()),
        }
    }

    /// setTypeRandomElement. None when empty.
    pub fn random(&self, rng: &mut impl RngCore) -> Option<Bytes> {
        match self {
            SetValue::IntSet(v) => {
                if v.is_empty() {
                    return None;
                }
                let i = (rng.next_u64() % v.len() as u64) as usize;
                Some(int_bytes(v.get(i)))
            }
            SetValue::Hash(d) => d.fair_random_entry(rng).map(|(k, _)| k.clone()),
        }
    }

    /// One SSCAN step. An intset is returned whole with cursor 0, as Redis does.
    pub fn scan(&self, cursor: u64, out: &mut Vec<Bytes>) -> u64 {
        match self {
            SetValue::IntSet(_) => {
                out.extend(self.members());
                0
            }
            SetValue::Hash(d) => d.scan(cursor, |k, _| out.push(k.clone())),
        }
    }

    /// MEMORY USAGE's estimate: [`super::hash::Hash::memory_usage`]'s sampling.
    pub fn memory_usage(&self, samples: usize) -> usize {
        match self {
            SetValue::IntSet(v) => 16 + v.heap_size(),
            SetValue::Hash(d) => {
                d.buckets() * std::mem::size_of::<usize>() * 3
                    + super::memory::sampled(d.keys().map(|k| 48 + k.len()), samples, d.len())
            }
        }
    }

    pub fn memory_estimate(&self) -> usize {
        match self {
            SetValue::IntSet(v) => 16 + v.heap_size(),
            SetValue::Hash(d) => {
                d.buckets() * std::mem::size_of::<usize>() * 3
                    + d.keys().map(|k| 48 + k.len()).sum::<usize>()
            }
        }
    }

    pub fn check_invariants(&self) -> Result<(), String> {
        match self {
            SetValue::IntSet(v) => v.check_invariants()?,
            SetValue::Hash(d) => d.check_invariants()?,
        }
        if self.is_empty() {
            return Err("empty set stored".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_converts_on_string_or_size() {
        let mut s = SetValue::new_for(b"3", (1, 2));
        assert!(s.insert(&Bytes::from("3"), 2, (1, 2)));
        assert!(s.insert(&Bytes::from("-1"), 2, (1, 2)));
        assert!(!s.insert(&Bytes::from("3"), 2, (1, 2)));
        assert_eq!(s.encoding_name(), "intset");
        let m: Vec<Bytes> = s.members().collect();
        assert_eq!(m, vec![Bytes::from("-1"), Bytes::from("3")]);
        assert!(s.insert(&Bytes::from("7"), 2, (1, 2)));
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"7") && s.contains(b"-1"));
        let mut t = SetValue::new_for(b"1", (1, 2));
        t.insert(&Bytes::from("1"), 512, (1, 2));
        t.insert(&Bytes::from("01"), 512, (1, 2));
        assert_eq!(t.encoding_name(), "hashtable");
        assert!(t.contains(b"01") && t.contains(b"1") && !t.contains(b"2"));
        assert!(t.remove(b"01"));
        t.check_invariants().unwrap();
        assert_eq!(t.clone(), t);
    }
}
