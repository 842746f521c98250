//! `Key`: a key as the keyspace stores it, in 16 bytes.
//!
//! Most keys are short (`user:1000`, `key:123456`): up to [`INLINE`] bytes live inside the
//! dict's node itself, so storing such a key costs no allocation of its own. A longer key
//! is one exact-size allocation behind a thin pointer. Redis spends an sds allocation on
//! every key; the keyspace's memory per key is what its users pay for.

use super::dict::DictKey;
use std::fmt;

/// Bytes a key can have and still be stored inline.
pub const INLINE: usize = 14;

#[derive(Clone, PartialEq, Eq)]
pub enum Key {
    Inline {
        len: u8,
        buf: [u8; INLINE],
    },
    /// Boxed twice so the pointer is thin and `Key` stays 16 bytes.
    Heap(Box<Box<[u8]>>),
}

const _: () = assert!(std::mem::size_of::<Key>() == 16);

impl Key {
    pub fn new(bytes: &[u8]) -> Key {
        if bytes.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..bytes.len()].copy_from_slice(bytes);
            Key::Inline {
                len: bytes.len() as u8,
                buf,
            }
        } else {
            Key::Heap(Box::new(bytes.into()))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, buf } => &buf[..usize::from(*len)],
            Key::Heap(b) => b,
        }
    }
}

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
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 1000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let k = Key::new(&bytes);
            assert_eq!(k.as_bytes(), &bytes[..]);
            assert_eq!(matches!(k, Key::Inline { .. }), len <= INLINE);
        }
        assert_eq!(format!("{:?}", Key::new(b"a\x00")), "b\"a\\0\"");
    }
}
