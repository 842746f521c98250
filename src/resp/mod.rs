//! RESP, sans-IO: the request parser ([`parse`]), the reply encoder ([`encode`](mod@encode)) and a
//! client-side reply decoder ([`decode`]) for the simulator, tests and fuzzers.
//!
//! Nothing here knows about sockets: the parser consumes a `BytesMut` that the caller
//! filled however it liked, and the encoder appends to one that the caller drains.

pub mod decode;
pub mod encode;
pub mod parse;

pub use decode::{decode_reply, DecodeError};
pub use encode::{encode, encode_command};
pub use parse::{Limits, ProtocolError, RequestParser, PROTO_INLINE_MAX_SIZE, PROTO_MBULK_BIG_ARG};

use bytes::Bytes;
use std::borrow::Cow;

/// A reply as commands produce it, before it is encoded for the client's protocol
/// version. RESP3 types have a RESP2 rendering (see [`encode`](mod@encode)): a map becomes a flat
/// array, a double a bulk string, a boolean an integer, null `$-1` or `*-1`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// `+OK`
    Simple(Cow<'static, str>),
    /// `-ERR ...`: the full text after the `-`, error code included (`ERR`, `WRONGTYPE`).
    Error(Cow<'static, str>),
    Integer(i64),
    Bulk(Bytes),
    /// A missing value: `$-1` in RESP2, `_` in RESP3.
    Null,
    /// A missing aggregate: `*-1` in RESP2, `_` in RESP3.
    NullArray,
    Array(Vec<Reply>),
    /// RESP3 map (`%`); RESP2 renders it as a flat array of key, value, key, value.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set (`~`); RESP2 renders it as an array.
    Set(Vec<Reply>),
    /// RESP3 double (`,`); RESP2 renders it as a bulk string with the same digits.
    Double(f64),
    /// RESP3 boolean (`#`); RESP2 renders it as the integer 1 or 0.
    Bool(bool),
    /// RESP3 verbatim string (`=`) with a 3-letter format such as `txt`; RESP2: bulk.
    Verbatim(&'static str, Bytes),
    /// RESP3 push (`>`) for out-of-band messages; RESP2 renders it as an array.
    Push(Vec<Reply>),
}

impl Reply {
    pub const OK: Reply = Reply::Simple(Cow::Borrowed("OK"));

    /// An error from a static text, e.g. `Reply::err("ERR syntax error")`.
    pub fn err(text: &'static str) -> Reply {
        Reply::Error(Cow::Borrowed(text))
    }

    /// An error from a formatted text.
    pub fn error(text: String) -> Reply {
        Reply::Error(Cow::Owned(text))
    }

    pub fn simple(text: &'static str) -> Reply {
        Reply::Simple(Cow::Borrowed(text))
    }

    pub fn bulk(data: impl Into<Bytes>) -> Reply {
        Reply::Bulk(data.into())
    }

    /// A bulk string copied from a byte slice.
    pub fn bulk_from(data: &[u8]) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(data))
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}
