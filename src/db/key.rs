//! `Key`: a key as the keyspace stores it, in 16 bytes, with the 24 bits of Redis's
//! per-object `lru` field beside it.
//!
//! Most keys are short (`user:1000`, `key:123456`): up to [`INLINE`] bytes live inside the
//! dict's node itself, so storing such a key costs no allocation of its own. A longer key
//! is one exact-size allocation behind a thin pointer. Redis spends an sds allocation on
//! every key; the keyspace's memory per key is what its users pay for.
//!
//! The access clock (Redis's `robj.lru`: an LRU clock in seconds, or LFU's minutes and
//! log counter, see [`super::access`]) lives in the key rather than the value: the value
//! has no spare byte (a 21-byte inline string fills it), while the key had three bytes
//! of inline room to give. So the clock costs no memory per key: the node stays 48 bytes,
//! and keys of 12 to 14 bytes, which were inline before, now take an allocation.

use super::dict::DictKey;
use std::fmt;

/// Bytes a key can have and still be stored inline.
pub const INLINE: usize = 11;

/// Redis's 24-bit `lru` field (LRU_BITS), little-endian in three bytes so it packs beside
/// the inline key bytes.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Lru([u8; 3]);

impl Lru {
    pub fn new(v: u32) -> Lru {
        let b = v.to_le_bytes();
        Lru([b[0], b[1], b[2]])
    }

    pub fn get(self) -> u32 {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], 0])
    }
}

#[derive(Clone)]
pub enum Key {
    Inline {
        len: u8,
        lru: Lru,
        buf: [u8; INLINE],
    },
    /// Boxed twice so the pointer is thin and `Key` stays 16 bytes.
    Heap { lru: Lru, bytes: Box<Box<[u8]>> },
}

const _: () = assert!(std::mem::size_of::<Key>() == 16);

impl Key {
    pub fn new(bytes: &[u8]) -> Key {
        Key::with_lru(bytes, Lru::default())
    }

    pub fn with_lru(bytes: &[u8], lru: Lru) -> Key {
        if bytes.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..bytes.len()].copy_from_slice(bytes);
            Key::Inline {
                len: bytes.len() as u8,
                lru,
                buf,
            }
        } else {
            Key::Heap {
                lru,
                bytes: Box::new(bytes.into()),
            }
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, buf, .. } => &buf[..usize::from(*len)],
            Key::Heap { bytes, .. } => bytes,
        }
    }

    /// The access clock (meaningful only in the main dict; the expires dict's copies
    /// keep 0).
    pub fn lru(&self) -> u32 {
        match self {
            Key::Inline { lru, .. } | Key::Heap { lru, .. } => lru.get(),
        }
    }

    pub fn set_lru(&mut self, v: u32) {
        match self {
            Key::Inline { lru, .. } | Key::Heap { lru, .. } => *lru = Lru::new(v),
        }
    }

    /// Bytes allocated for the key outside the node (0 when inline).
    pub fn heap_size(&self) -> usize {
        match self {
            Key::Inline { .. } => 0,
            Key::Heap { bytes, .. } => 16 + bytes.len(),
        }
    }
}

/// Keys are equal when their bytes are: the access clock is metadata, not identity.
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl DictKey for Key {
    fn key_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", bytes::Bytes::copy_from_slice(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_round_trip() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 14, 1000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut k = Key::new(&bytes);
            assert_eq!(k.as_bytes(), &bytes[..]);
            assert_eq!(matches!(k, Key::Inline { .. }), len <= INLINE);
            assert_eq!(k.lru(), 0);
            k.set_lru(0xAB_CDEF);
            assert_eq!(k.lru(), 0xAB_CDEF);
            assert_eq!(k.as_bytes(), &bytes[..], "the clock leaves the bytes alone");
            assert_eq!(k, Key::new(&bytes), "the clock is not part of equality");
        }
        assert_eq!(format!("{:?}", Key::new(b"a\x00")), "b\"a\\0\"");
    }

    #[test]
    fn lru_keeps_24_bits() {
        assert_eq!(Lru::new(0xFFFF_FFFF).get(), 0xFF_FFFF);
        assert_eq!(Lru::new(0x12_3456).get(), 0x12_3456);
    }
}
