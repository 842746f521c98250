//! The reply encoder: a [`Reply`] rendered for RESP2 or RESP3, byte for byte as Redis
//! 7.0.15's `addReply*` functions write it, plus [`encode_command`] for clients.

use super::Reply;
use crate::util::float::d2string;
use crate::util::int::{ll2string, LL_STR_MAX};
use bytes::{BufMut, Bytes, BytesMut};

/// Where an encoded reply goes: headers and small payloads are written into [`Sink::buf`];
/// a bulk string's payload goes through [`Sink::payload`], which a sink may keep by
/// reference instead of copying (the server's reply buffer does for big values, so a GET
/// of 1 MiB is written to the socket from the keyspace's own bytes).
pub trait Sink {
    fn buf(&mut self) -> &mut BytesMut;

    /// A bulk string's data, without its CRLF. Copied by default.
    fn payload(&mut self, data: &Bytes) {
        self.buf().put_slice(data);
    }
}

impl Sink for BytesMut {
    fn buf(&mut self) -> &mut BytesMut {
        self
    }
}

/// Appends `reply` to `out` in protocol `proto` (3 for RESP3, anything else for RESP2).
///
/// RESP2 renders the RESP3 types as Redis does: both nulls as `$-1`/`*-1`, a map as a flat
/// array, a set and a push as arrays, a double as a bulk string, a boolean as `:1`/`:0`
/// and a verbatim string as a bulk string of its text.
pub fn encode(reply: &Reply, proto: u8, out: &mut BytesMut) {
    encode_to(reply, proto, out);
}

/// [`encode`] into any [`Sink`]: the same bytes, with bulk payloads handed to the sink.
pub fn encode_to<S: Sink + ?Sized>(reply: &Reply, proto: u8, sink: &mut S) {
    let resp3 = proto == 3;
    match reply {
        Reply::Bulk(data) => {
            let out = sink.buf();
            put_header(b'$', len_i64(data.len()), out);
            sink.payload(data);
            sink.buf().put_slice(b"\r\n");
        }
        Reply::Array(items) => put_aggregate(b'*', items, proto, sink),
        Reply::Set(items) => put_aggregate(if resp3 { b'~' } else { b'*' }, items, proto, sink),
        Reply::Push(items) => put_aggregate(if resp3 { b'>' } else { b'*' }, items, proto, sink),
        Reply::Map(pairs) => {
            let n = len_i64(pairs.len());
            if resp3 {
                put_header(b'%', n, sink.buf());
            } else {
                put_header(b'*', n.saturating_mul(2), sink.buf());
            }
            for (key, value) in pairs {
                encode_to(key, proto, sink);
                encode_to(value, proto, sink);
            }
        }
        Reply::Attribute(pairs) if resp3 => {
            put_header(b'|', len_i64(pairs.len()), sink.buf());
            for (key, value) in pairs {
                encode_to(key, proto, sink);
                encode_to(value, proto, sink);
            }
        }
        Reply::Attribute(_) => {}
        scalar => encode_scalar(scalar, resp3, sink.buf()),
    }
}

/// Everything but bulk strings and aggregates: always written into the buffer.
fn encode_scalar(reply: &Reply, resp3: bool, out: &mut BytesMut) {
    match reply {
        Reply::Simple(text) => {
            out.put_u8(b'+');
            put_line_text(text, out);
        }
        Reply::Error(text) => {
            out.put_u8(b'-');
            put_line_text(text, out);
        }
        Reply::Integer(n) => put_header(b':', *n, out),
        Reply::Null if resp3 => out.put_slice(b"_\r\n"),
        Reply::Null => out.put_slice(b"$-1\r\n"),
        Reply::NullArray if resp3 => out.put_slice(b"_\r\n"),
        Reply::NullArray => out.put_slice(b"*-1\r\n"),
        Reply::Double(d) => {
            let text = d2string(*d);
            if resp3 {
                out.put_u8(b',');
                out.put_slice(text.as_bytes());
                out.put_slice(b"\r\n");
            } else {
                put_bulk(text.as_bytes(), out);
            }
        }
        Reply::Bool(b) if resp3 => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::Bool(b) => out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" }),
        Reply::Verbatim(format, text) if resp3 => {
            // `addReplyVerbatim`: the format is exactly 3 bytes, then ':' and the text.
            let mut fmt = [b' '; 3];
            for (dst, src) in fmt.iter_mut().zip(format.bytes()) {
                *dst = src;
            }
            put_header(b'=', len_i64(text.len()).saturating_add(4), out);
            out.put_slice(&fmt);
            out.put_u8(b':');
            out.put_slice(text);
            out.put_slice(b"\r\n");
        }
        Reply::Verbatim(_, text) => put_bulk(text, out),
        Reply::BigNum(digits) if resp3 => {
            out.put_u8(b'(');
            put_line_text(digits, out);
        }
        Reply::BigNum(digits) => put_bulk(digits, out),
        // `encode_to` does not send these here; if it ever did, they still come out right.
        Reply::Bulk(_)
        | Reply::Array(_)
        | Reply::Set(_)
        | Reply::Push(_)
        | Reply::Map(_)
        | Reply::Attribute(_) => {
            encode_to(reply, if resp3 { 3 } else { 2 }, out);
        }
    }
}

/// Appends a command as a multibulk request (`*<n>`, then `$<len>` and data per argument).
pub fn encode_command(argv: &[&[u8]], out: &mut BytesMut) {
    put_header(b'*', len_i64(argv.len()), out);
    for arg in argv {
        put_bulk(arg, out);
    }
}

/// Text of a simple string or an error, which must stay on one line: CR and LF become
/// spaces, as `addReplyErrorFormat` does (a raw newline would desynchronise the client).
fn put_line_text(text: &[u8], out: &mut BytesMut) {
    out.reserve(text.len() + 2);
    for &b in text {
        out.put_u8(if b == b'\r' || b == b'\n' { b' ' } else { b });
    }
    out.put_slice(b"\r\n");
}

fn put_bulk(data: &[u8], out: &mut BytesMut) {
    put_header(b'$', len_i64(data.len()), out);
    out.reserve(data.len() + 2);
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

fn put_aggregate<S: Sink + ?Sized>(kind: u8, items: &[Reply], proto: u8, sink: &mut S) {
    put_header(kind, len_i64(items.len()), sink.buf());
    for item in items {
        encode_to(item, proto, sink);
    }
}

/// `<kind><n>\r\n`, with the integer written without going through `fmt`.
fn put_header(kind: u8, n: i64, out: &mut BytesMut) {
    let mut buf = [0u8; LL_STR_MAX];
    let digits = ll2string(n, &mut buf);
    out.reserve(digits.len() + 3);
    out.put_u8(kind);
    out.put_slice(digits);
    out.put_slice(b"\r\n");
}

/// Lengths in memory always fit an i64 on the platforms we build for.
fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Reply {
    /// The reply a RESP2 client decodes from `encode(self, 2, ..)`: what the RESP3 types
    /// turn into on the wire. Used by tests and by the simulator's model to compare.
    pub fn to_resp2(&self) -> Reply {
        match self {
            Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
                Reply::Array(items.iter().map(Reply::to_resp2).collect())
            }
            Reply::Map(pairs) => Reply::Array(
                pairs
                    .iter()
                    .flat_map(|(k, v)| [k.to_resp2(), v.to_resp2()])
                    .collect(),
            ),
            Reply::Double(d) => Reply::bulk(d2string(*d)),
            Reply::Bool(b) => Reply::Integer(i64::from(*b)),
            Reply::Verbatim(_, text) | Reply::BigNum(text) => Reply::Bulk(text.clone()),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn enc(reply: &Reply, proto: u8) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode(reply, proto, &mut out);
        out.to_vec()
    }

    #[test]
    fn scalars_in_both_protocols() {
        let cases: &[(Reply, &[u8], &[u8])] = &[
            (Reply::OK, b"+OK\r\n", b"+OK\r\n"),
            (Reply::err("ERR x\r\ny"), b"-ERR x  y\r\n", b"-ERR x  y\r\n"),
            (Reply::Integer(-42), b":-42\r\n", b":-42\r\n"),
            (
                Reply::Integer(i64::MIN),
                b":-9223372036854775808\r\n",
                b":-9223372036854775808\r\n",
            ),
            (
                Reply::bulk_from(b"a\r\nb"),
                b"$4\r\na\r\nb\r\n",
                b"$4\r\na\r\nb\r\n",
            ),
            (Reply::Null, b"$-1\r\n", b"_\r\n"),
            (Reply::NullArray, b"*-1\r\n", b"_\r\n"),
            (
                Reply::Double(1.1),
                b"$18\r\n1.1000000000000001\r\n",
                b",1.1000000000000001\r\n",
            ),
            (Reply::Double(f64::INFINITY), b"$3\r\ninf\r\n", b",inf\r\n"),
            (
                Reply::Double(f64::NEG_INFINITY),
                b"$4\r\n-inf\r\n",
                b",-inf\r\n",
            ),
            (Reply::Bool(true), b":1\r\n", b"#t\r\n"),
            (Reply::Bool(false), b":0\r\n", b"#f\r\n"),
            (
                Reply::Verbatim("txt", Bytes::from_static(b"hi\n")),
                b"$3\r\nhi\n\r\n",
                b"=7\r\ntxt:hi\n\r\n",
            ),
        ];
        for (reply, resp2, resp3) in cases {
            assert_eq!(enc(reply, 2), *resp2, "{reply:?}");
            assert_eq!(enc(reply, 3), *resp3, "{reply:?}");
        }
    }

    #[test]
    fn aggregates_in_both_protocols() {
        let map = Reply::Map(vec![(Reply::bulk_from(b"k"), Reply::Integer(1))]);
        assert_eq!(enc(&map, 2), b"*2\r\n$1\r\nk\r\n:1\r\n");
        assert_eq!(enc(&map, 3), b"%1\r\n$1\r\nk\r\n:1\r\n");
        let set = Reply::Set(vec![Reply::Bool(true)]);
        assert_eq!(enc(&set, 2), b"*1\r\n:1\r\n");
        assert_eq!(enc(&set, 3), b"~1\r\n#t\r\n");
        let push = Reply::Push(vec![Reply::simple("message")]);
        assert_eq!(enc(&push, 2), b"*1\r\n+message\r\n");
        assert_eq!(enc(&push, 3), b">1\r\n+message\r\n");
        assert_eq!(enc(&Reply::Array(vec![]), 3), b"*0\r\n");
    }

    #[test]
    fn commands() {
        let mut out = BytesMut::new();
        encode_command(&[b"SET", b"k", b""], &mut out);
        assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }
}
