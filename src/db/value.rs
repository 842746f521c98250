//! Values stored in the keyspace. Only strings exist so far; lists, hashes, sets and
//! sorted sets become further variants of [`Value`], each with its own `type_name` and
//! encoding, so commands match on the variant and answer WRONGTYPE for the others.

use super::hash::Hash;
use super::list::List;
use crate::util::int::string2ll;
use bytes::Bytes;

use super::set::SetValue;
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

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str {
        data: Bytes,
        enc: StrEncoding,
    },
    /// Always `quicklist` in Redis 7.0.
    List(List),
    Hash(Hash),
    /// Inline: an intset or listpack is 24 bytes of handle, so no box (and no allocation)
    /// is needed between the key and its bytes.
    Set(SetValue),
    ZSet(ZSetValue),
}

impl Value {
    /// A string as Redis stores a command argument after tryObjectEncoding (SET, GETSET,
    /// SETEX, SETNX...): `int` if it is a canonical integer, else embstr/raw by length.
    pub fn str(data: Bytes) -> Value {
        let enc = if data.len() <= 20 && string2ll(&data).is_some() {
            StrEncoding::Int
        } else {
            len_encoding(data.len())
        };
        Value::Str { data, enc }
    }

    /// A string stored as the argument object was created, without tryObjectEncoding
    /// (MSET, MSETNX, INCRBYFLOAT's result): embstr or raw by length only.
    pub fn str_plain(data: Bytes) -> Value {
        let enc = len_encoding(data.len());
        Value::Str { data, enc }
    }

    /// A string that was modified in place (APPEND, SETRANGE): always raw.
    pub fn str_raw(data: Bytes) -> Value {
        Value::Str {
            data,
            enc: StrEncoding::Raw,
        }
    }

    /// An integer result (INCR and friends): always int-encoded.
    pub fn int(n: i64) -> Value {
        Value::Str {
            data: Bytes::from(n.to_string()),
            enc: StrEncoding::Int,
        }
    }

    /// TYPE's answer.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str { .. } => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Str { enc, .. } => match enc {
                StrEncoding::Int => "int",
                StrEncoding::Embstr => "embstr",
                StrEncoding::Raw => "raw",
            },
            Value::List(_) => "quicklist",
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::ZSet(z) => z.encoding_name(),
        }
    }

    pub fn as_str(&self) -> Option<&Bytes> {
        match self {
            Value::Str { data, .. } => Some(data),
            _ => None,
        }
    }

    /// Rough heap bytes, for INFO memory.
    pub fn memory_estimate(&self) -> usize {
        match self {
            Value::Str { data, .. } => 16 + data.len(),
            Value::List(l) => super::list::memory_estimate(l),
            Value::Hash(h) => h.memory_estimate(),
            Value::Set(s) => s.memory_estimate(),
            Value::ZSet(z) => z.memory_estimate(),
        }
    }

    /// Per-value invariants: an aggregate is never stored empty, and is internally sound.
    pub fn check_invariants(&self) -> Result<(), String> {
        match self {
            Value::Str { .. } => Ok(()),
            Value::List(l) => l.check_invariants(),
            Value::Hash(h) => h.check_invariants(),
            Value::Set(s) => s.check_invariants(),
            Value::ZSet(z) => z.check_invariants(),
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
                    Value::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn of_mut(value: &mut Value) -> Option<&mut Self> {
                match value {
                    Value::$variant(v) => Some(v),
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
