//! Redis's intset (intset.c), byte for byte, so the RDB writer can store these bytes as
//! they are (RDB_TYPE_SET_INTSET).
//!
//! Layout: `<encoding u32 LE> <length u32 LE> <contents>`, the contents sorted ascending,
//! every value little-endian in the encoding's width (2, 4 or 8 bytes). Adding a value
//! that does not fit the width upgrades every value to the wider one; an intset never
//! downgrades.

const HDR: usize = 8;

/// INTSET_ENC_INT16 / 32 / 64: the width in bytes.
fn value_encoding(v: i64) -> usize {
    if v < i64::from(i32::MIN) || v > i64::from(i32::MAX) {
        8
    } else if v < i64::from(i16::MIN) || v > i64::from(i16::MAX) {
        4
    } else {
        2
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct IntSet {
    buf: Vec<u8>,
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::new()
    }
}

impl std::fmt::Debug for IntSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl IntSet {
    /// intsetNew: 16-bit and empty.
    pub fn new() -> IntSet {
        let mut buf = Vec::with_capacity(HDR);
        buf.extend_from_slice(&2u32.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        IntSet { buf }
    }

    /// Takes bytes that claim to be an intset (as an RDB file holds them), after checking
    /// them (intsetValidateIntegrity with deep checks).
    pub fn from_bytes(buf: Vec<u8>) -> Result<IntSet, String> {
        let s = IntSet { buf };
        s.check_invariants()?;
        Ok(s)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Heap bytes held (capacity included).
    pub fn heap_size(&self) -> usize {
        self.buf.capacity()
    }

    /// The width of every value, in bytes.
    pub fn encoding(&self) -> usize {
        u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize
    }

    pub fn len(&self) -> usize {
        u32::from_le_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_len(&mut self, n: usize) {
        let n = u32::try_from(n).expect("intset length fits in u32");
        self.buf[4..8].copy_from_slice(&n.to_le_bytes());
    }

    /// The value at `i` (ascending order).
    pub fn get(&self, i: usize) -> i64 {
        Self::read(&self.buf, self.encoding(), i)
    }

    fn read(buf: &[u8], enc: usize, i: usize) -> i64 {
        let at = HDR + i * enc;
        let b = &buf[at..at + enc];
        match enc {
            2 => i64::from(i16::from_le_bytes([b[0], b[1]])),
            4 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            _ => i64::from_le_bytes(b.try_into().expect("8-byte slice")),
        }
    }

    fn write(buf: &mut [u8], enc: usize, i: usize, v: i64) {
        let at = HDR + i * enc;
        buf[at..at + enc].copy_from_slice(&v.to_le_bytes()[..enc]);
    }

    /// intsetSearch: Ok(index) if present, else Err(where it would go).
    pub fn search(&self, v: i64) -> Result<usize, usize> {
        if value_encoding(v) > self.encoding() {
            // Wider than any value held: beyond one end.
            return Err(if v < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(&v) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        self.search(v).is_ok()
    }

    /// intsetAdd: true if `v` was new.
    pub fn insert(&mut self, v: i64) -> bool {
        let enc = value_encoding(v);
        if enc > self.encoding() {
            self.upgrade_and_add(v, enc);
            return true;
        }
        let Err(pos) = self.search(v) else {
            return false;
        };
        let enc = self.encoding();
        let len = self.len();
        let old = self.buf.len();
        self.buf.reserve_exact(enc);
        self.buf.resize(old + enc, 0);
        let at = HDR + pos * enc;
        self.buf.copy_within(at..old, at + enc);
        Self::write(&mut self.buf, enc, pos, v);
        self.set_len(len + 1);
        true
    }

    /// intsetUpgradeAndAdd: every value to the new width; `v`, outside the old range,
    /// goes first (negative) or last (positive).
    fn upgrade_and_add(&mut self, v: i64, enc: usize) {
        let old_enc = self.encoding();
        let len = self.len();
        let mut buf = Vec::with_capacity(HDR + (len + 1) * enc);
        buf.extend_from_slice(&(enc as u32).to_le_bytes());
        buf.extend_from_slice(&((len + 1) as u32).to_le_bytes());
        buf.resize(HDR + (len + 1) * enc, 0);
        let prepend = usize::from(v < 0);
        for i in 0..len {
            Self::write(
                &mut buf,
                enc,
                i + prepend,
                Self::read(&self.buf, old_enc, i),
            );
        }
        Self::write(&mut buf, enc, if v < 0 { 0 } else { len }, v);
        self.buf = buf;
    }

    /// intsetRemove: true if `v` was there.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(pos) = self.search(v) else {
            return false;
        };
        let enc = self.encoding();
        let at = HDR + pos * enc;
        self.buf.drain(at..at + enc);
        let len = self.len();
        self.set_len(len - 1);
        if self.buf.capacity() > self.buf.len() + self.buf.len() / 4 + 16 {
            self.buf.shrink_to_fit();
        }
        true
    }

    /// Values ascending.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = i64> + ExactSizeIterator + '_ {
        let enc = self.encoding();
        (0..self.len()).map(move |i| Self::read(&self.buf, enc, i))
    }

    /// intsetValidateIntegrity: a known width, the length agrees with the bytes, values
    /// strictly ascending.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.buf.len() < HDR {
            return Err("intset shorter than its header".into());
        }
        let enc = self.encoding();
        if ![2, 4, 8].contains(&enc) {
            return Err(format!("intset encoding {enc}"));
        }
        if self.len().checked_mul(enc).and_then(|n| n.checked_add(HDR)) != Some(self.buf.len()) {
            return Err("intset length disagrees with its size".into());
        }
        let mut prev = None;
        for v in self.iter() {
            if prev.is_some_and(|p| p >= v) {
                return Err("intset not strictly ascending".into());
            }
            prev = Some(v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn of(vals: &[i64]) -> IntSet {
        let mut s = IntSet::new();
        for &v in vals {
            s.insert(v);
        }
        s
    }

    /// The intsets redis-server 7.0.15 DUMPs (RDB_TYPE_SET_INTSET) for `SADD s1 1 2 3`,
    /// `SADD s2 1 70000 -5` and `SADD s3 1 5000000000`.
    #[test]
    fn matches_redis_dump_bytes() {
        assert_eq!(
            of(&[1, 2, 3]).as_bytes(),
            b"\x02\0\0\0\x03\0\0\0\x01\0\x02\0\x03\0"
        );
        assert_eq!(
            of(&[1, 70000, -5]).as_bytes(),
            b"\x04\0\0\0\x03\0\0\0\xfb\xff\xff\xff\x01\0\0\0\x70\x11\x01\0"
        );
        assert_eq!(
            of(&[1, 5_000_000_000]).as_bytes(),
            b"\x08\0\0\0\x02\0\0\0\x01\0\0\0\0\0\0\0\0\xf2\x05\x2a\x01\0\0\0"
        );
    }

    #[test]
    fn never_downgrades_and_rejects_bad_bytes() {
        let mut s = of(&[1, i64::MIN]);
        assert!(s.remove(i64::MIN));
        assert_eq!(s.encoding(), 8);
        assert!(!s.remove(i64::MIN) && !s.contains(2));
        assert!(IntSet::from_bytes(b"\x02\0\0\0\x02\0\0\0\x02\0\x01\0".to_vec()).is_err());
        assert!(IntSet::from_bytes(b"\x03\0\0\0\0\0\0\0".to_vec()).is_err());
        assert!(IntSet::from_bytes(b"\x02\0\0\0\x01\0\0\0".to_vec()).is_err());
        assert!(IntSet::from_bytes(b"\x02\0\0".to_vec()).is_err());
    }

    proptest! {
        #[test]
        fn agrees_with_btreeset(ops in proptest::collection::vec((any::<bool>(), prop_oneof![
            -40i64..40, any::<i16>().prop_map(i64::from), any::<i32>().prop_map(i64::from), any::<i64>()
        ]), 1..200)) {
            let mut s = IntSet::new();
            let mut model = BTreeSet::new();
            for (add, v) in ops {
                if add {
                    prop_assert_eq!(s.insert(v), model.insert(v));
                } else {
                    prop_assert_eq!(s.remove(v), model.remove(&v));
                }
                s.check_invariants().map_err(TestCaseError::fail)?;
                prop_assert_eq!(s.iter().collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
                let widest = model.iter().map(|&v| value_encoding(v)).max().unwrap_or(2);
                prop_assert!(s.encoding() >= widest);
            }
        }
    }
}
