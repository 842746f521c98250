//! The hash type: a small hash is a [`Listpack`] of field, value, field, value... in
//! insertion order (Redis's OBJ_ENCODING_LISTPACK, the very bytes an RDB file stores), a
//! big one a [`Dict`] ("hashtable"). A hash converts once, when it gets more than
//! hash-max-listpack-entries fields or a field or value longer than
//! hash-max-listpack-value bytes (or when the listpack would pass 1 GiB), and never
//! converts back (Redis 7.0's t_hash.c).
//!
//! Iteration order is deterministic: insertion order for a listpack, bucket order of the
//! seeded [`Dict`] for a hashtable. Random picks draw from the RNG the caller passes.
//! Fields and values come out as owned [`Bytes`]: a listpack holds no `Bytes` to lend.

use super::listpack::{self, Listpack};
use super::Dict;
use bytes::Bytes;
use rand_core::RngCore;

enum Repr {
    Listpack(Listpack),
    Table(Box<Dict<Bytes>>),
}

pub struct Hash {
    repr: Repr,
}

/// The conversion thresholds (hash-max-listpack-entries / -value), and the keyspace's
/// SipHash keys for the dict a conversion builds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_entries: u64,
    pub max_value: u64,
    pub hash_keys: (u64, u64),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

impl Hash {
    /// An empty listpack-encoded hash (createHashObject).
    pub fn new() -> Hash {
        Hash {
            repr: Repr::Listpack(Listpack::new()),
        }
    }

    /// A listpack-encoded hash over `lp` as an RDB file holds it. The caller (the RDB
    /// loader) has checked it holds field/value pairs with no field twice.
    pub fn from_listpack(lp: Listpack) -> Hash {
        Hash {
            repr: Repr::Listpack(lp),
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.len() / 2,
            Repr::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.repr {
            Repr::Listpack(lp) => lp.is_empty(),
            Repr::Table(d) => d.is_empty(),
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// The listpack's bytes while the hash is listpack-encoded (what RDB stores).
    pub fn listpack(&self) -> Option<&Listpack> {
        match &self.repr {
            Repr::Listpack(lp) => Some(lp),
            Repr::Table(_) => None,
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        if self.is_listpack() {
            "listpack"
        } else {
            "hashtable"
        }
    }

    /// The position of `field`'s entry in the listpack (fields are every other entry).
    fn lp_find(lp: &Listpack, field: &[u8]) -> Option<usize> {
        lp.find(lp.first(), field, 1)
    }

    pub fn get(&self, field: &[u8]) -> Option<Bytes> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let f = Self::lp_find(lp, field)?;
                let v = lp
                    .next(f)
                    .expect("listpack hash has a value after each field");
                Some(lp.get(v).to_bytes())
            }
            Repr::Table(d) => d.get(field).cloned(),
        }
    }

    /// HSTRLEN without copying the value.
    pub fn value_len(&self, field: &[u8]) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let f = Self::lp_find(lp, field)?;
                let v = lp
                    .next(f)
                    .expect("listpack hash has a value after each field");
                Some(lp.get(v).byte_len())
            }
            Repr::Table(d) => d.get(field).map(Bytes::len),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        match &self.repr {
            Repr::Listpack(lp) => Self::lp_find(lp, field).is_some(),
            Repr::Table(d) => d.contains_key(field),
        }
    }

    /// hashTypeConvert to a hashtable (no-op if it already is one).
    pub fn convert_to_table(&mut self, hash_keys: (u64, u64)) {
        if let Repr::Listpack(lp) = &self.repr {
            let mut d = Dict::new(hash_keys);
            let mut it = lp.iter();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                d.insert(f.to_bytes(), v.to_bytes());
            }
            self.repr = Repr::Table(Box::new(d));
        }
    }

    /// hashTypeTryConversion: converts when any of `args` (fields and values about to be
    /// written) is longer than the value limit.
    pub fn convert_for_args(&mut self, args: &[Bytes], limits: Limits) {
        let Repr::Listpack(lp) = &self.repr else {
            return;
        };
        let sum = args
            .iter()
            .map(Bytes::len)
            .fold(0usize, usize::saturating_add);
        if args.iter().any(|a| a.len() as u64 > limits.max_value)
            || !listpack::safe_to_add(Some(lp), sum)
        {
            self.convert_to_table(limits.hash_keys);
        }
    }

    /// hashTypeSet: inserts or overwrites; true if the field is new. Converts first if the
    /// field or value is too long, and after if the hash has too many fields.
    pub fn insert(&mut self, field: Bytes, value: Bytes, limits: Limits) -> bool {
        if self.is_listpack()
            && (field.len() as u64 > limits.max_value || value.len() as u64 > limits.max_value)
        {
            self.convert_to_table(limits.hash_keys);
        }
        let new = match &mut self.repr {
            Repr::Listpack(lp) => match Self::lp_find(lp, &field) {
                Some(f) => {
                    let v = lp
                        .next(f)
                        .expect("listpack hash has a value after each field");
                    lp.replace(v, &value);
                    false
                }
                None => {
                    lp.push_back(&field);
                    lp.push_back(&value);
                    true
                }
            },
            Repr::Table(d) => d.insert(field, value).is_none(),
        };
        if self.is_listpack() && self.len() as u64 > limits.max_entries {
            self.convert_to_table(limits.hash_keys);
        }
        new
    }

    /// Removes a field; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(lp) => match Self::lp_find(lp, field) {
                Some(f) => {
                    lp.delete_range(f, 2);
                    true
                }
                None => false,
            },
            Repr::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Every pair, in the hash's (deterministic) order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Bytes, Bytes)> + '_> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let mut it = lp.iter();
                Box::new(std::iter::from_fn(move || {
                    Some((it.next()?.to_bytes(), it.next()?.to_bytes()))
                }))
            }
            Repr::Table(d) => Box::new(d.iter().map(|(f, v)| (f.clone(), v.clone()))),
        }
    }

    /// One random pair (HRANDFIELD without a count), or None when empty.
    pub fn random_pair(&self, rng: &mut impl RngCore) -> Option<(Bytes, Bytes)> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let i = (rng.next_u64() % n as u64) as i64;
                let f = lp.seek(2 * i)?;
                let v = lp.next(f)?;
                Some((lp.get(f).to_bytes(), lp.get(v).to_bytes()))
            }
            Repr::Table(d) => d.random_entry(rng).map(|(f, v)| (f.clone(), v.clone())),
        }
    }

    /// One HSCAN step: a listpack is returned whole with cursor 0 (as Redis does); a
    /// hashtable one bucket per call, with the dict's reverse-binary cursor.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Bytes, Bytes)) -> u64 {
        match &self.repr {
            Repr::Listpack(_) => {
                for (k, v) in self.iter() {
                    f(k, v);
                }
                0
            }
            Repr::Table(d) => d.scan(cursor, |k, v| f(k.clone(), v.clone())),
        }
    }

    pub fn memory_estimate(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => 16 + lp.heap_size(),
            Repr::Table(d) => 16 + d.iter().map(|(f, v)| 48 + f.len() + v.len()).sum::<usize>(),
        }
    }

    /// Not empty (an emptied hash is deleted); a listpack sound, of field/value pairs with
    /// no field twice; the dict sound.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.is_empty() {
            return Err("empty hash stored".into());
        }
        match &self.repr {
            Repr::Listpack(lp) => {
                lp.check_invariants()?;
                if lp.len() % 2 != 0 {
                    return Err("listpack hash has an odd number of entries".into());
                }
                let mut seen = std::collections::BTreeSet::new();
                for (f, _) in self.iter() {
                    if !seen.insert(f.clone()) {
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
            Repr::Listpack(lp) => Repr::Listpack(lp.clone()),
            Repr::Table(d) => {
                let mut n = Dict::new(d.hash_keys());
                for (f, v) in d.iter() {
                    n.insert(f.clone(), v.clone());
                }
                Repr::Table(Box::new(n))
            }
        };
        Hash { repr }
    }
}

/// Equal when they hold the same pairs, whatever the encoding or order.
impl PartialEq for Hash {
    fn eq(&self, o: &Hash) -> bool {
        self.len() == o.len() && self.iter().all(|(f, v)| o.get(&f) == Some(v))
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
        hash_keys: (1, 2),
    };

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn converts_on_count_and_length_and_never_back() {
        let mut h = Hash::new();
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
        let mut g = Hash::new();
        g.insert(b("x"), b("123456"), L);
        assert!(!g.is_listpack());
        assert_eq!(g.get(b"x"), Some(b("123456")));
        let c = h.clone();
        assert_eq!(c, h);
        c.check_invariants().unwrap();
    }

    /// The listpack a hash holds is the one redis-server 7.0.15 DUMPs for the same
    /// commands: `HSET h a 1 b hello`, then `HSET h a 300` (replaced in place, an int).
    #[test]
    fn listpack_bytes_match_redis() {
        let mut h = Hash::new();
        let lim = Limits {
            max_entries: 128,
            max_value: 64,
            hash_keys: (1, 2),
        };
        h.insert(b("a"), b("1"), lim);
        h.insert(b("b"), b("hello"), lim);
        assert_eq!(
            h.listpack().unwrap().as_bytes(),
            b"\x16\0\0\0\x04\0\x81a\x02\x01\x01\x81b\x02\x85hello\x06\xff"
        );
        h.insert(b("a"), b("300"), lim);
        assert_eq!(
            h.listpack().unwrap().as_bytes(),
            b"\x17\0\0\0\x04\0\x81a\x02\xc1\x2c\x02\x81b\x02\x85hello\x06\xff"
        );
        assert_eq!(h.get(b"a"), Some(b("300")));
        assert!(h.remove(b"a"));
        assert_eq!(h.len(), 1);
        h.check_invariants().unwrap();
    }

    #[test]
    fn scan_and_random() {
        let mut h = Hash::new();
        for i in 0..50 {
            h.insert(Bytes::from(format!("f{i}")), b("v"), L);
        }
        let mut seen = Vec::new();
        let mut cur = 0;
        loop {
            cur = h.scan(cur, |f, _| seen.push(f));
            if cur == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 50);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (f, _) = h.random_pair(&mut rng).unwrap();
        assert!(h.contains(&f));
    }
}
