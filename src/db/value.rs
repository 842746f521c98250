//! Values stored in the keyspace: strings, lists, hashes, sets and sorted sets, each with
//! its own `type_name` and encoding, so commands match on the variant and answer WRONGTYPE
//! for the others.
//!
//! A `Value` is 24 bytes, because it sits inside every dict node of the keyspace: a
//! string is held as Redis holds it — an integer as an `i64` (encoding `int`), a short
//! string inline ([`INLINE_STR`] bytes, no allocation), a longer one in one `Bytes` behind
//! a thin pointer — and the aggregates are boxed, so a key holding a small string pays for
//! no aggregate's size. OBJECT ENCODING reports Redis's encoding, which is decided when the
//! string is stored and is independent of where its bytes live.

use super::hash::Hash;
use super::list::List;
use crate::util::int::{ll2string, string2ll, LL_STR_MAX};
use bytes::{Bytes, BytesMut};

use super::set::SetValue;
use super::stream::Stream;
use super::zset::ZSetValue;

/// OBJECT ENCODING of a string, decided when the string is stored, as Redis decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrEncoding {
    /// A canonical i64 of at most 20 bytes stored by SET-like commands or INCR.
    Int,
    /// At most 44 bytes (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
    Embstr,
    /// Anything else, and every string modified in place (APPEND, SETRANGE).
    Raw,
}

/// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
pub const EMBSTR_SIZE_LIMIT: usize = 44;

/// The longest string kept inside the value itself.
pub const INLINE_STR: usize = 21;

/// A string value. Its bytes are a pure function of what was stored: an `Int` is the
/// canonical decimal text of its number (only canonical integers are stored that way).
#[derive(Clone)]
pub enum StrValue {
    Int(i64),
    /// Embstr or raw (a short string APPEND made), stored inline.
    Inline {
        enc: StrEncoding,
        len: u8,
        buf: [u8; INLINE_STR],
    },
    /// Embstr or raw, longer than [`INLINE_STR`].
    Heap(Box<(Bytes, StrEncoding)>),
}

impl StrValue {
    fn new(data: Bytes, enc: StrEncoding) -> StrValue {
        debug_assert!(enc != StrEncoding::Int);
        if data.len() <= INLINE_STR {
            let mut buf = [0; INLINE_STR];
            buf[..data.len()].copy_from_slice(&data);
            StrValue::Inline {
                enc,
                len: data.len() as u8,
                buf,
            }
        } else {
            StrValue::Heap(Box::new((data, enc)))
        }
    }

    pub fn encoding(&self) -> StrEncoding {
        match self {
            StrValue::Int(_) => StrEncoding::Int,
            StrValue::Inline { enc, .. } => *enc,
            StrValue::Heap(b) => b.1,
        }
    }

    /// The string's bytes (a copy for the compact forms, a shared buffer for a long one).
    pub fn to_bytes(&self) -> Bytes {
        match self {
            StrValue::Int(n) => {
                let mut buf = [0; LL_STR_MAX];
                Bytes::copy_from_slice(ll2string(*n, &mut buf))
            }
            StrValue::Inline { len, buf, .. } => Bytes::copy_from_slice(&buf[..usize::from(*len)]),
            StrValue::Heap(b) => b.0.clone(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            StrValue::Int(n) => {
                let mut buf = [0; LL_STR_MAX];
                ll2string(*n, &mut buf).len()
            }
            StrValue::Inline { len, .. } => usize::from(*len),
            StrValue::Heap(b) => b.0.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Redis's `dbUnshareStringValue` + `sdsgrowzero` for the bit commands: the string
    /// becomes raw, at least `min_len` bytes long (new bytes zero), and `edit` changes it
    /// in place. A long string's buffer is reused when nothing else holds it (a reply
    /// still being written does: then it is copied once, as Redis unshares it), and grows
    /// by doubling, so SETBIT on a big string costs O(1) amortized, not a copy per call.
    pub fn edit_raw<R>(&mut self, min_len: usize, edit: impl FnOnce(&mut [u8]) -> R) -> R {
        if let StrValue::Int(_) = self {
            *self = StrValue::new(self.to_bytes(), StrEncoding::Raw);
        }
        if let StrValue::Inline { len, .. } = self {
            if usize::from(*len).max(min_len) > INLINE_STR {
                let mut grown = BytesMut::with_capacity(min_len);
                grown.extend_from_slice(&self.to_bytes());
                *self = StrValue::Heap(Box::new((grown.freeze(), StrEncoding::Raw)));
            }
        }
        match self {
            StrValue::Int(_) => unreachable!("converted above"),
            StrValue::Inline { enc, len, buf } => {
                *enc = StrEncoding::Raw;
                let old = usize::from(*len);
                if min_len > old {
                    buf[old..min_len].fill(0);
                    *len = min_len as u8;
                }
                edit(&mut buf[..usize::from(*len)])
            }
            StrValue::Heap(heap) => {
                heap.1 = StrEncoding::Raw;
                let mut bytes = std::mem::take(&mut heap.0)
                    .try_into_mut()
                    .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
                if bytes.len() < min_len {
                    bytes.resize(min_len, 0);
                }
                let out = edit(&mut bytes);
                heap.0 = bytes.freeze();
                out
            }
        }
    }
}

impl PartialEq for StrValue {
    fn eq(&self, other: &StrValue) -> bool {
        self.encoding() == other.encoding() && self.to_bytes() == other.to_bytes()
    }
}

impl std::fmt::Debug for StrValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}({:?})", self.encoding(), self.to_bytes())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(StrValue),
    /// Always `quicklist` in Redis 7.0.
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<SetValue>),
    ZSet(Box<ZSetValue>),
    Stream(Box<Stream>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 24);

impl Value {
    /// A string as Redis stores a command argument after tryObjectEncoding (SET, GETSET,
    /// SETEX, SETNX...): `int` if it is a canonical integer, else embstr/raw by length.
    pub fn str(data: Bytes) -> Value {
        match string2ll(&data) {
            Some(n) if data.len() <= 20 => Value::int(n),
            _ => Value::str_plain(data),
        }
    }

    /// A string stored as the argument object was created, without tryObjectEncoding
    /// (MSET, MSETNX, INCRBYFLOAT's result): embstr or raw by length only.
    pub fn str_plain(data: Bytes) -> Value {
        let enc = len_encoding(data.len());
        Value::Str(StrValue::new(data, enc))
    }

    /// A string that was modified in place (APPEND, SETRANGE): always raw.
    pub fn str_raw(data: Bytes) -> Value {
        Value::Str(StrValue::new(data, StrEncoding::Raw))
    }

    /// An integer result (INCR and friends): always int-encoded.
    pub fn int(n: i64) -> Value {
        Value::Str(StrValue::Int(n))
    }

    /// A list value.
    pub fn list(l: List) -> Value {
        Value::List(Box::new(l))
    }

    /// A hash value.
    pub fn hash(h: Hash) -> Value {
        Value::Hash(Box::new(h))
    }

    /// A set value.
    pub fn set(s: SetValue) -> Value {
        Value::Set(Box::new(s))
    }

    /// A sorted set value.
    pub fn zset(z: ZSetValue) -> Value {
        Value::ZSet(Box::new(z))
    }

    /// A stream value.
    pub fn stream(s: Stream) -> Value {
        Value::Stream(Box::new(s))
    }

    /// TYPE's answer.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Str(s) => match s.encoding() {
                StrEncoding::Int => "int",
                StrEncoding::Embstr => "embstr",
                StrEncoding::Raw => "raw",
            },
            Value::List(_) => "quicklist",
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::ZSet(z) => z.encoding_name(),
            Value::Stream(_) => "stream",
        }
    }

    /// A string's bytes (copied out of the compact forms), None for other types.
    pub fn as_str(&self) -> Option<Bytes> {
        match self {
            Value::Str(s) => Some(s.to_bytes()),
            _ => None,
        }
    }

    /// MEMORY USAGE: the value's bytes, with big collections sampled (`samples`
    /// elements at most; `usize::MAX` looks at all of them).
    pub fn memory_usage(&self, samples: usize) -> usize {
        std::mem::size_of::<Value>()
            + match self {
                Value::Str(StrValue::Heap(b)) => 48 + b.0.len(),
                Value::Str(_) => 0,
                Value::List(l) => l.memory_usage(samples),
                Value::Hash(h) => h.memory_usage(samples),
                Value::Set(s) => s.memory_usage(samples),
                Value::ZSet(z) => z.memory_usage(samples),
                Value::Stream(s) => s.memory_usage(samples),
            }
    }

    /// Rough heap bytes, for INFO memory.
    pub fn memory_estimate(&self) -> usize {
        match self {
            Value::Str(StrValue::Heap(b)) => 48 + b.0.len(),
            Value::Str(_) => 0,
            Value::List(l) => super::list::memory_estimate(l),
            Value::Hash(h) => h.memory_estimate(),
            Value::Set(s) => s.memory_estimate(),
            Value::ZSet(z) => z.memory_estimate(),
            Value::Stream(s) => s.memory_estimate(),
        }
    }

    /// Per-value invariants: an aggregate is never stored empty, and is internally sound;
    /// a string is in its most compact form.
    pub fn check_invariants(&self) -> Result<(), String> {
        match self {
            Value::Str(StrValue::Heap(b)) if b.0.len() <= INLINE_STR => {
                Err("short string stored on the heap".into())
            }
            Value::Str(StrValue::Heap(b)) if b.1 == StrEncoding::Int => {
                Err("int-encoded string stored as bytes".into())
            }
            Value::Str(StrValue::Inline {
                enc: StrEncoding::Int,
                ..
            }) => Err("int-encoded string stored as bytes".into()),
            Value::Str(_) => Ok(()),
            Value::List(l) if l.is_empty() => Err("empty list stored".into()),
            Value::List(l) => l.check_invariants(),
            Value::Hash(h) => h.check_invariants(),
            Value::Set(s) => s.check_invariants(),
            Value::ZSet(z) => z.check_invariants(),
            // The one aggregate Redis keeps when empty.
            Value::Stream(s) => s.check_invariants(),
        }
    }
}

fn len_encoding(len: usize) -> StrEncoding {
    if len <= EMBSTR_SIZE_LIMIT {
        StrEncoding::Embstr
    } else {
        StrEncoding::Raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(Value::str(Bytes::from("123")).encoding_name(), "int");
        assert_eq!(Value::str(Bytes::from("-0")).encoding_name(), "embstr");
        assert_eq!(
            Value::str(Bytes::from("x".repeat(44))).encoding_name(),
            "embstr"
        );
        assert_eq!(
            Value::str(Bytes::from("x".repeat(45))).encoding_name(),
            "raw"
        );
        assert_eq!(
            Value::str_plain(Bytes::from("123")).encoding_name(),
            "embstr"
        );
    }

    /// Where the bytes live is independent of the encoding OBJECT ENCODING reports, and
    /// every form gives back exactly the bytes stored.
    #[test]
    fn compact_forms_round_trip() {
        let cases: Vec<(Value, &[u8], &str)> = vec![
            (Value::str(Bytes::from("12345")), b"12345", "int"),
            (
                Value::str(Bytes::from("-9223372036854775808")),
                b"-9223372036854775808",
                "int",
            ),
            (Value::int(i64::MAX), b"9223372036854775807", "int"),
            (Value::str(Bytes::from("007")), b"007", "embstr"),
            (Value::str(Bytes::from("")), b"", "embstr"),
            (
                Value::str(Bytes::from("x".repeat(INLINE_STR))),
                &[b'x'; INLINE_STR],
                "embstr",
            ),
            (
                Value::str(Bytes::from("y".repeat(INLINE_STR + 1))),
                &[b'y'; INLINE_STR + 1],
                "embstr",
            ),
            (Value::str(Bytes::from("z".repeat(45))), &[b'z'; 45], "raw"),
            (Value::str_raw(Bytes::from("ab")), b"ab", "raw"),
            (Value::str_plain(Bytes::from("42")), b"42", "embstr"),
        ];
        for (v, bytes, enc) in cases {
            assert_eq!(v.as_str().as_deref(), Some(bytes), "{v:?}");
            assert_eq!(v.encoding_name(), enc, "{v:?}");
            v.check_invariants().unwrap();
            assert_eq!(v.clone(), v);
        }
        assert!(matches!(
            Value::str(Bytes::from("value:0000000001")),
            Value::Str(StrValue::Inline { .. })
        ));
        assert_ne!(
            Value::str(Bytes::from("1")),
            Value::str_plain(Bytes::from("1"))
        );
        assert_eq!(Value::list(List::new(-2)).as_str(), None);
    }

    /// The bit commands' in-place edit: no copy of an unshared long string, one copy when
    /// a reply still holds it (which keeps what it saw), growth zero-filled, always raw.
    #[test]
    fn edit_raw_is_in_place_unless_shared() {
        let heap_ptr = |v: &StrValue| match v {
            StrValue::Heap(b) => b.0.as_ptr(),
            _ => panic!("expected a heap string"),
        };
        let mut s = StrValue::new(Bytes::from(vec![0u8; 100]), StrEncoding::Raw);
        let before = heap_ptr(&s);
        s.edit_raw(100, |b| b[3] = 7);
        s.edit_raw(50, |b| b[4] = 8);
        assert_eq!(
            heap_ptr(&s),
            before,
            "an unshared string is edited where it is"
        );
        let held = s.to_bytes();
        s.edit_raw(100, |b| b[3] = 9);
        assert_ne!(heap_ptr(&s), before);
        assert_eq!(held[3], 7, "the holder keeps what it saw");
        drop(held);
        s.edit_raw(1000, |b| assert_eq!((b.len(), b[3], b[999]), (1000, 9, 0)));
        let mut small = StrValue::Int(12);
        small.edit_raw(4, |b| assert_eq!(b, b"12\0\0"));
        assert_eq!(small.encoding(), StrEncoding::Raw);
        small.edit_raw(30, |b| b[29] = 1);
        assert!(matches!(small, StrValue::Heap(_)));
        assert_eq!(&small.to_bytes()[..3], b"12\0");
        Value::Str(small).check_invariants().unwrap();
    }
}

/// A family's value type as found inside a [`Value`], so that the keyspace can hand a
/// command a typed reference, or report WRONGTYPE, in one place for every family.
pub trait Typed {
    fn of(value: &Value) -> Option<&Self>;
    fn of_mut(value: &mut Value) -> Option<&mut Self>;
    /// Redis never stores an empty aggregate: a command that empties one deletes the key.
    fn is_empty_aggregate(&self) -> bool;
}

macro_rules! typed {
    ($ty:ty, $variant:ident) => {
        impl Typed for $ty {
            fn of(value: &Value) -> Option<&Self> {
                match value {
                    Value::$variant(v) => Some(v.as_ref()),
                    _ => None,
                }
            }
            fn of_mut(value: &mut Value) -> Option<&mut Self> {
                match value {
                    Value::$variant(v) => Some(v.as_mut()),
                    _ => None,
                }
            }
            fn is_empty_aggregate(&self) -> bool {
                self.is_empty()
            }
        }
    };
}

typed!(List, List);
typed!(Hash, Hash);
typed!(SetValue, Set);
typed!(ZSetValue, ZSet);

impl Typed for Stream {
    fn of(value: &Value) -> Option<&Self> {
        match value {
            Value::Stream(v) => Some(v.as_ref()),
            _ => None,
        }
    }
    fn of_mut(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::Stream(v) => Some(v.as_mut()),
            _ => None,
        }
    }
    /// A stream stays a key when emptied.
    fn is_empty_aggregate(&self) -> bool {
        false
    }
}
