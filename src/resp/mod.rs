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

/// A reply as commands produce it, before it is encoded for the client's protocol
/// version. RESP3 types have a RESP2 rendering (see [`encode`](mod@encode)): a map becomes a flat
/// array, a double a bulk string, a boolean an integer, null `$-1` or `*-1`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// `+OK`: a status line, as bytes (CR and LF are sent as spaces).
    Simple(Bytes),
    /// `-ERR ...`: the full text after the `-`, error code included (`ERR`, `WRONGTYPE`).
    /// Bytes, not a `String`: an error that quotes a client's argument echoes its bytes
    /// as Redis does, invalid UTF-8 included.
    Error(Bytes),
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
    /// RESP3 big number (`(`), its decimal digits; RESP2 renders it as a bulk string.
    BigNum(Bytes),
    /// RESP3 attribute (`|`): metadata sent before the reply it annotates, as its own
    /// reply. RESP2 has no attributes: nothing is sent.
    Attribute(Vec<(Reply, Reply)>),
}

impl Reply {
    pub const OK: Reply = Reply::Simple(Bytes::from_static(b"OK"));

    /// An error from a static text, e.g. `Reply::err("ERR syntax error")`.
    pub const fn err(text: &'static str) -> Reply {
        Reply::Error(Bytes::from_static(text.as_bytes()))
    }

    /// An error from a formatted text.
    pub fn error(text: String) -> Reply {
        Reply::Error(Bytes::from(text))
    }

    /// An error from raw bytes, for texts that quote a client's arguments (which need not
    /// be UTF-8), e.g. with [`crate::util::printf_s`] as Redis's `%.128s`. As Redis's
    /// `addReplyErrorFormat` does (`sdstrim`), CR and LF at the end are dropped: a quoted
    /// argument may end with them. (The encoder turns the others into spaces.)
    pub fn error_bytes(mut text: Vec<u8>) -> Reply {
        while text.last().is_some_and(|&b| b == b'\r' || b == b'\n') {
            text.pop();
        }
        Reply::Error(text.into())
    }

    pub const fn simple(text: &'static str) -> Reply {
        Reply::Simple(Bytes::from_static(text.as_bytes()))
    }

    /// A status reply from a formatted text.
    pub fn status(text: String) -> Reply {
        Reply::Simple(Bytes::from(text))
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
