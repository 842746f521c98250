//! The hash type: a small hash is a "listpack" (field/value pairs in insertion order, as
//! Redis's listpack keeps them), a big one a [`Dict`] ("hashtable"). A hash converts once,
//! when it gets more than hash-max-listpack-entries fields or a field or value longer than
//! hash-max-listpack-value bytes, and never converts back (Redis 7.0's t_hash.c).
//!
//! Iteration order is deterministic: insertion order for a listpack, bucket order of the
//! seeded [`Dict`] for a hashtable. Random picks draw from the RNG the caller passes.

use super::Dict;
use bytes::Bytes;
use rand_core::RngCore;

enum Repr {
    Listpack(Vec<(Bytes, Bytes)>),
    Table(Dict<Bytes>),
}

pub struct Hash {
    repr: Repr,
    /// The keyspace's SipHash keys, for the dict built on conversion.
    hash_keys: (u64, u64),
}

/// The conversion thresholds (hash-max-listpack-entries / -value).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_entries: u64,
    pub max_value: u64,
}

impl Hash {
    /// An empty listpack-encoded hash (createHashObject).
    pub fn new(hash_keys: (u64, u64)) -> Hash {
        Hash {
            repr: Repr::Listpack(Vec::new()),
            hash_keys,
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(v) => v.len(),
            Repr::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        if self.is_listpack() {
            "listpack"
        } else {
            "hashtable"
        }
    }

    pub fn get(&self, field: &[u8]) -> Option<&Bytes> {
        match &self.repr {
            Repr::Listpack(v) => v.iter().find(|(f, _)| f.as_ref() == field).map(|(_, v)| v),
            Repr::Table(d) => d.get(field),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// hashTypeConvert to a hashtable (no-op if it already is one).
    pub fn convert_to_table(&mut self) {
        if let Repr::Listpack(v) = &mut self.repr {
            let mut d = Dict::new(self.hash_keys);
            for (f, val) in std::mem::take(v) {
                d.insert(f, val);
            }
            self.repr = Repr::Table(d);
        }
    }

    /// hashTypeTryConversion: converts when any of `args` (fields and values about to be
    /// written) is longer than the value limit.
    pub fn convert_for_args(&mut self, args: &[Bytes], limits: Limits) {
        if self.is_listpack() && args.iter().any(|a| a.len() as u64 > limits.max_value) {
            self.convert_to_table();
        }
    }

    /// hashTypeSet: inserts or overwrites; true if the field is new. Converts first if the
    /// field or value is too long, and after if the hash has too many fields.
    pub fn insert(&mut self, field: Bytes, value: Bytes, limits: Limits) -> bool {
        if self.is_listpack()
            && (field.len() as u64 > limits.max_value || value.len() as u64 > limits.max_value)
        {
            self.convert_to_table();
        }
        let new = match &mut self.repr {
            Repr::Listpack(v) => match v.iter_mut().find(|(f, _)| *f == field) {
                Some(slot) => {
                    slot.1 = value;
                    false
                }
                None => {
                    v.push((field, value));
                    true
                }
            },
            Repr::Table(d) => d.insert(field, value).is_none(),
        };
        if self.is_listpack() && self.len() as u64 > limits.max_entries {
            self.convert_to_table();
        }
        new
    }

    /// Removes a field; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(v) => match v.iter().position(|(f, _)| f.as_ref() == field) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            Repr::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Every pair, in the hash's (deterministic) order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&Bytes, &Bytes)> + '_> {
        match &self.repr {
            Repr::Listpack(v) => Box::new(v.iter().map(|(f, v)| (f, v))),
            Repr::Table(d) => Box::new(d.iter()),
        }
    }

    /// One random pair (HRANDFIELD without a count), or None when empty.
    pub fn random_pair(&self, rng: &mut impl RngCore) -> Option<(&Bytes, &Bytes)> {
        match &self.repr {
            Repr::Listpack(v) => {
                if v.is_empty() {
                    return None;
                }
                let (f, val) = &v[(rng.next_u64() % v.len() as u64) as usize];
                Some((f, val))
            }
            Repr::Table(d) => d.random_entry(rng),
        }
    }

    /// One HSCAN step: a listpack is returned whole with cursor 0 (as Redis does); a
    /// hashtable one bucket per call, with the dict's reverse-binary cursor.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&Bytes, &Bytes)) -> u64 {
        match &self.repr {
            Repr::Listpack(v) => {
                for (k, val) in v {
                    f(k, val);
                }
                0
            }
            Repr::Table(d) => d.scan(cursor, f),
        }
    }

    pub fn memory_estimate(&self) -> usize {
        let per = if self.is_listpack() { 4 } else { 48 };
        self.iter()
            .map(|(f, v)| per + f.len() + v.len())
            .sum::<usize>()
            + 16
    }

    /// No duplicate field, not empty (an emptied hash is deleted), the dict sound.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.is_empty() {
            return Err("empty hash stored".into());
        }
        match &self.repr {
            Repr::Listpack(v) => {
                let mut seen = std::collections::BTreeSet::new();
                for (f, _) in v {
                    if !seen.insert(f) {
                        return Err(format!("listpack hash has field {f:?} twice"));
                    }
                }
                Ok(())
            }
            Repr::Table(d) => d.check_invariants(),
        }
    }
}

impl Clone for Hash {
    fn clone(&self) -> Hash {
        let repr = match &self.repr {
            Repr::Listpack(v) => Repr::Listpack(v.clone()),
            Repr::Table(d) => {
                let mut n = Dict::new(self.hash_keys);
                for (f, v) in d.iter() {
                    n.insert(f.clone(), v.clone());
                }
                Repr::Table(n)
            }
        };
        Hash {
            repr,
            hash_keys: self.hash_keys,
        }
    }
}

/// Equal when they hold the same pairs, whatever the encoding or order.
impl PartialEq for Hash {
    fn eq(&self, o: &Hash) -> bool {
        self.len() == o.len() && self.iter().all(|(f, v)| o.get(f) == Some(v))
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    const L: Limits = Limits {
        max_entries: 3,
        max_value: 5,
    };

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn converts_on_count_and_length_and_never_back() {
        let mut h = Hash::new((1, 2));
        assert!(h.insert(b("a"), b("1"), L));
        assert!(!h.insert(b("a"), b("2"), L));
        assert!(h.insert(b("b"), b("1"), L));
        assert!(h.insert(b("c"), b("1"), L));
        assert!(h.is_listpack());
        assert_eq!(
            h.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
            vec![b("a"), b("b"), b("c")]
        );
        assert!(h.insert(b("d"), b("1"), L));
        assert_eq!(h.encoding_name(), "hashtable");
        assert!(h.remove(b"d") && h.remove(b"c"));
        assert_eq!(h.encoding_name(), "hashtable");
        let mut g = Hash::new((1, 2));
        g.insert(b("x"), b("123456"), L);
        assert!(!g.is_listpack());
        assert_eq!(g.get(b"x"), Some(&b("123456")));
        let c = h.clone();
        assert_eq!(c, h);
        c.check_invariants().unwrap();
    }

    #[test]
    fn scan_and_random() {
        let mut h = Hash::new((1, 2));
        for i in 0..50 {
            h.insert(Bytes::from(format!("f{i}")), b("v"), L);
        }
        let mut seen = Vec::new();
        let mut cur = 0;
        loop {
            cur = h.scan(cur, |f, _| seen.push(f.clone()));
            if cur == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 50);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (f, _) = h.random_pair(&mut rng).unwrap();
        assert!(h.contains(f));
    }
}
