//! The client-side reply decoder, for the simulator's clients, tests and fuzzers.
//!
//! It reads RESP2 and RESP3 from a byte slice and never trusts it: no panics, nesting at
//! most [`MAX_DEPTH`] aggregates deep, and no allocation sized by a count the peer sent
//! (an aggregate grows as its elements actually arrive).
//!
//! Decoding restarts from the first byte on every call, so a reply arriving in k pieces
//! costs O(k * size). That is fine for test clients; the server never decodes replies.

use super::Reply;
use bytes::Bytes;

/// At most this many aggregates may nest (Redis itself nests a few levels).
pub const MAX_DEPTH: usize = 64;

/// Capacity reserved up front for an aggregate, whatever its announced length.
const PREALLOC_MAX: usize = 64;

/// The input is not a valid reply; the text says where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// `Ok(None)`: the input ends before the reply does.
type Step<T> = Result<Option<T>, DecodeError>;

/// Decodes one complete reply from the front of `buf`, returning it with the number of
/// bytes it took, or `Ok(None)` if `buf` holds only a prefix of a reply.
///
/// Mapping: `+` Simple, `-` and `!` Error (invalid UTF-8 replaced), `:` Integer, `$` Bulk
/// (`$-1` Null), `*` Array (`*-1` NullArray), `_` Null, `,` Double, `#` Bool, `%` Map,
/// `~` Set, `>` Push, `=` Verbatim for the `txt` and `mkd` formats (any other format
/// becomes a Bulk of the whole payload, since the format must be a `&'static str`), `(`
/// big number as a Bulk of its digits. Attributes (`|`) are read and dropped.
pub fn decode_reply(buf: &[u8]) -> Result<Option<(Reply, usize)>, DecodeError> {
    let mut decoder = Decoder { buf, pos: 0 };
    Ok(decoder.reply(0)?.map(|reply| (reply, decoder.pos)))
}

struct Decoder<'a> {
    buf: &'a [u8],
    /// Offset of the next unread byte.
    pos: usize,
}

impl Decoder<'_> {
    fn reply(&mut self, depth: usize) -> Step<Reply> {
        if depth > MAX_DEPTH {
            return Err(error("nesting deeper than 64"));
        }
        // Attributes precede the reply they describe: skip any number of them.
        loop {
            let Some(&kind) = self.buf.get(self.pos) else {
                return Ok(None);
            };
            self.pos += 1;
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            let reply = match kind {
                b'+' => Reply::Simple(Bytes::copy_from_slice(line)),
                b'-' => Reply::Error(Bytes::copy_from_slice(line)),
                b':' => Reply::Integer(integer(line)?),
                b'$' => match length(line)? {
                    None => Reply::Null,
                    Some(len) => {
                        let Some(data) = self.payload(len)? else {
                            return Ok(None);
                        };
                        Reply::Bulk(Bytes::copy_from_slice(data))
                    }
                },
                b'!' | b'=' | b'(' => {
                    let payload = if kind == b'(' {
                        line
                    } else {
                        let len = length(line)?.ok_or_else(|| error("null blob"))?;
                        let Some(data) = self.payload(len)? else {
                            return Ok(None);
                        };
                        data
                    };
                    match kind {
                        b'!' => Reply::Error(Bytes::copy_from_slice(payload)),
                        b'=' => verbatim(payload),
                        _ => Reply::Bulk(Bytes::copy_from_slice(payload)),
                    }
                }
                b'_' if line.is_empty() => Reply::Null,
                b'_' => return Err(error("null with a payload")),
                b',' => Reply::Double(double(line)?),
                b'#' => match line {
                    b"t" => Reply::Bool(true),
                    b"f" => Reply::Bool(false),
                    _ => return Err(error("invalid boolean")),
                },
                b'*' | b'~' | b'>' => {
                    let Some(count) = length(line)? else {
                        if kind == b'*' {
                            return Ok(Some(Reply::NullArray));
                        }
                        return Err(error("null set or push"));
                    };
                    let Some(items) = self.items(count, depth)? else {
                        return Ok(None);
                    };
                    match kind {
                        b'*' => Reply::Array(items),
                        b'~' => Reply::Set(items),
                        _ => Reply::Push(items),
                    }
                }
                b'%' | b'|' => {
                    let count = length(line)?.ok_or_else(|| error("null map"))?;
                    let mut pairs = Vec::with_capacity(count.min(PREALLOC_MAX));
                    for _ in 0..count {
                        let Some(key) = self.reply(depth + 1)? else {
                            return Ok(None);
                        };
                        let Some(value) = self.reply(depth + 1)? else {
                            return Ok(None);
                        };
                        pairs.push((key, value));
                    }
                    if kind == b'|' {
                        continue;
                    }
                    Reply::Map(pairs)
                }
                other => {
                    return Err(error(&format!(
                        "unknown reply type byte {:?}",
                        char::from(other)
                    )))
                }
            };
            return Ok(Some(reply));
        }
    }

    fn items(&mut self, count: usize, depth: usize) -> Step<Vec<Reply>> {
        let mut items = Vec::with_capacity(count.min(PREALLOC_MAX));
        for _ in 0..count {
            let Some(item) = self.reply(depth + 1)? else {
                return Ok(None);
            };
            items.push(item);
        }
        Ok(Some(items))
    }

    /// The rest of the current line, up to CRLF (consumed, not returned).
    fn line(&mut self) -> Step<&[u8]> {
        let rest = &self.buf[self.pos.min(self.buf.len())..];
        let Some(cr) = rest.iter().position(|&b| b == b'\r' || b == b'\n') else {
            return Ok(None);
        };
        match rest.get(cr..cr + 2) {
            None => Ok(None),
            Some(b"\r\n") => {
                self.pos += cr + 2;
                Ok(Some(&rest[..cr]))
            }
            Some(_) => Err(error("line not ended by CRLF")),
        }
    }

    /// `len` bytes of data followed by CRLF.
    fn payload(&mut self, len: usize) -> Step<&[u8]> {
        let rest = &self.buf[self.pos.min(self.buf.len())..];
        let Some(end) = len.checked_add(2) else {
            return Err(error("length overflows"));
        };
        let Some(with_crlf) = rest.get(..end) else {
            return Ok(None);
        };
        if &with_crlf[len..] != b"\r\n" {
            return Err(error("bulk data not followed by CRLF"));
        }
        self.pos += end;
        Ok(Some(&with_crlf[..len]))
    }
}

fn error(text: &str) -> DecodeError {
    DecodeError(text.to_string())
}

/// A decimal i64 as Redis writes it: optional '-', digits.
fn integer(line: &[u8]) -> Result<i64, DecodeError> {
    let digits = line.strip_prefix(b"-").unwrap_or(line);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(error("invalid integer"));
    }
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| error("integer out of range"))
}

/// A length or count: `None` for -1 (null), an error for other negatives.
fn length(line: &[u8]) -> Result<Option<usize>, DecodeError> {
    match integer(line)? {
        -1 => Ok(None),
        n => usize::try_from(n)
            .map(Some)
            .map_err(|_| error("negative length")),
    }
}

fn double(line: &[u8]) -> Result<f64, DecodeError> {
    let text = std::str::from_utf8(line).map_err(|_| error("invalid double"))?;
    // Rust's parser knows "inf", "-inf" and "nan"; glibc may also print "-nan".
    match text {
        "-nan" => Ok(-f64::NAN),
        _ => text.parse().map_err(|_| error("invalid double")),
    }
}

/// `=<len>\r\nfmt:text`: the format is three bytes and a colon.
fn verbatim(payload: &[u8]) -> Reply {
    let text = || Bytes::copy_from_slice(payload.get(4..).unwrap_or_default());
    match payload.get(..4) {
        Some(b"txt:") => Reply::Verbatim("txt", text()),
        Some(b"mkd:") => Reply::Verbatim("mkd", text()),
        _ => Reply::Bulk(Bytes::copy_from_slice(payload)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::encode::encode;
    use bytes::BytesMut;
    use proptest::prelude::*;

    fn enc(reply: &Reply, proto: u8) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode(reply, proto, &mut out);
        out.to_vec()
    }

    #[test]
    fn every_type() {
        let cases: &[(&[u8], Reply)] = &[
            (b"+OK\r\n", Reply::OK),
            (b"-ERR no\r\n", Reply::err("ERR no")),
            (b"!7\r\nERR n\r\n\r\n", Reply::err("ERR n\r\n")),
            (b":-5\r\n", Reply::Integer(-5)),
            (b"$3\r\na\nb\r\n", Reply::bulk_from(b"a\nb")),
            (b"$-1\r\n", Reply::Null),
            (b"*-1\r\n", Reply::NullArray),
            (b"_\r\n", Reply::Null),
            (b",1.5\r\n", Reply::Double(1.5)),
            (b",-inf\r\n", Reply::Double(f64::NEG_INFINITY)),
            (b"#t\r\n", Reply::Bool(true)),
            (
                b"=7\r\ntxt:a\nb\r\n",
                Reply::Verbatim("txt", Bytes::from_static(b"a\nb")),
            ),
            (b"=7\r\nxyz:a\nb\r\n", Reply::bulk_from(b"xyz:a\nb")),
            (b"(123\r\n", Reply::bulk_from(b"123")),
            (
                b"%1\r\n+a\r\n:1\r\n",
                Reply::Map(vec![(Reply::simple("a"), Reply::Integer(1))]),
            ),
            (b"~1\r\n_\r\n", Reply::Set(vec![Reply::Null])),
            (
                b">2\r\n+pubsub\r\n:1\r\n",
                Reply::Push(vec![Reply::simple("pubsub"), Reply::Integer(1)]),
            ),
            (
                b"|1\r\n+ttl\r\n:3\r\n*1\r\n:1\r\n",
                Reply::Array(vec![Reply::Integer(1)]),
            ),
        ];
        for (wire, want) in cases {
            assert_eq!(
                decode_reply(wire),
                Ok(Some((want.clone(), wire.len()))),
                "{wire:?}"
            );
        }
    }

    #[test]
    fn invalid_inputs_are_errors() {
        for wire in [
            &b"?\r\n"[..],
            b":1x\r\n",
            b":\r\n",
            b":99999999999999999999\r\n",
            b"$-2\r\n",
            b"$3\r\nabcXY",
            b"+a\rb\r\n",
            b"+a\nb\r\n",
            b"#x\r\n",
            b"_x\r\n",
            b",abc\r\n",
            b"~-1\r\n",
            b"%-1\r\n",
        ] {
            assert!(decode_reply(wire).is_err(), "{wire:?}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        // 64 nested arrays are fine (still waiting for the innermost element) ...
        let deep = b"*1\r\n".repeat(MAX_DEPTH);
        assert_eq!(decode_reply(&deep), Ok(None));
        let mut complete = deep.clone();
        complete.extend_from_slice(b":1\r\n");
        assert!(matches!(decode_reply(&complete), Ok(Some(_))));
        // ... 65 are not.
        let deeper = b"*1\r\n".repeat(MAX_DEPTH + 1);
        assert!(decode_reply(&deeper).is_err());
    }

    #[test]
    fn huge_counts_allocate_nothing_up_front() {
        assert_eq!(decode_reply(b"*9223372036854775807\r\n:1\r\n"), Ok(None));
        assert_eq!(decode_reply(b"$9223372036854775807\r\nab"), Ok(None));
    }

    /// Text that survives a simple-string line unchanged.
    fn line_text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 :_.-]{0,12}"
    }

    fn reply_tree() -> impl Strategy<Value = Reply> {
        let leaf = prop_oneof![
            line_text().prop_map(Reply::status),
            line_text().prop_map(|s| Reply::error(format!("ERR {s}"))),
            any::<i64>().prop_map(Reply::Integer),
            prop::collection::vec(any::<u8>(), 0..20).prop_map(Reply::bulk),
            Just(Reply::Null),
            Just(Reply::NullArray),
            prop_oneof![
                any::<f64>().prop_filter("NaN never equals itself", |d| !d.is_nan()),
                Just(f64::INFINITY),
                Just(-0.0),
            ]
            .prop_map(Reply::Double),
            any::<bool>().prop_map(Reply::Bool),
            (
                prop_oneof![Just("txt"), Just("mkd")],
                prop::collection::vec(any::<u8>(), 0..20)
            )
                .prop_map(|(f, t)| Reply::Verbatim(f, Bytes::from(t))),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Reply::Array),
                prop::collection::vec(inner.clone(), 0..6).prop_map(Reply::Set),
                prop::collection::vec(inner.clone(), 0..6).prop_map(Reply::Push),
                prop::collection::vec((inner.clone(), inner), 0..4).prop_map(Reply::Map),
            ]
        })
    }

    /// What a RESP3 client reads back: `_` cannot tell the two nulls apart.
    fn resp3_form(reply: &Reply) -> Reply {
        let all = |items: &[Reply]| items.iter().map(resp3_form).collect();
        match reply {
            Reply::NullArray => Reply::Null,
            Reply::Array(items) => Reply::Array(all(items)),
            Reply::Set(items) => Reply::Set(all(items)),
            Reply::Push(items) => Reply::Push(all(items)),
            Reply::Map(pairs) => Reply::Map(
                pairs
                    .iter()
                    .map(|(k, v)| (resp3_form(k), resp3_form(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(reply in reply_tree(), proto in prop_oneof![Just(2u8), Just(3u8)], trailing in prop::collection::vec(any::<u8>(), 0..8)) {
            let want = if proto == 3 { resp3_form(&reply) } else { reply.to_resp2() };
            let wire = enc(&reply, proto);
            // Every proper prefix is incomplete, never an error.
            for cut in 0..wire.len() {
                prop_assert_eq!(decode_reply(&wire[..cut]), Ok(None), "prefix {}", cut);
            }
            let mut with_more = wire.clone();
            with_more.extend_from_slice(&trailing);
            prop_assert_eq!(decode_reply(&with_more), Ok(Some((want, wire.len()))));
        }

        #[test]
        fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(Some((_, used))) = decode_reply(&input) {
                prop_assert!(used <= input.len());
            }
        }

        #[test]
        fn mangled_replies_never_panic(reply in reply_tree(), at in any::<usize>(), byte in any::<u8>()) {
            let mut wire = enc(&reply, 3);
            if !wire.is_empty() {
                let i = at % wire.len();
                wire[i] = byte;
            }
            let _ = decode_reply(&wire);
        }
    }
}
