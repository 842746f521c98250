//! Encoder and decoders agree with each other.
//!
//! - A structured [`Reply`] (an `Arbitrary` tree, no NaN, nesting bounded below the
//!   decoder's 64) encoded as RESP3 decodes to itself (both nulls read back as `_`), and
//!   encoded as RESP2 decodes to its `to_resp2()` rendering; proper prefixes of the wire
//!   (up to 64, spread) are "incomplete", never an error; bytes after it are not consumed.
//! - An arbitrary argv through `encode_command` parses back, with `RequestParser`, to
//!   the same argv, consuming everything and leaving the parser idle.
#![no_main]

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use seedis::resp::{decode_reply, encode, encode_command, Limits, Reply, RequestParser};

/// Aggregates nested deeper than this become leaves (the decoder allows 64).
const DEPTH_MAX: usize = 12;

/// Proper prefixes checked per encoding.
const PREFIXES_MAX: usize = 64;

#[derive(Arbitrary, Debug)]
enum Tree {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Vec<u8>),
    Null,
    NullArray,
    Array(Vec<Tree>),
    Map(Vec<(Tree, Tree)>),
    Set(Vec<Tree>),
    Double(f64),
    SpecialDouble(u8),
    Bool(bool),
    Verbatim(bool, Vec<u8>),
    Push(Vec<Tree>),
}

/// A simple string or error is one line: the encoder turns CR and LF into spaces.
fn line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn to_reply(tree: &Tree, depth: usize) -> Reply {
    let all =
        |items: &[Tree]| -> Vec<Reply> { items.iter().map(|t| to_reply(t, depth + 1)).collect() };
    let deep = depth >= DEPTH_MAX;
    match tree {
        Tree::Simple(s) => Reply::status(line(s)),
        Tree::Error(s) => Reply::error(line(s)),
        Tree::Integer(n) => Reply::Integer(*n),
        Tree::Bulk(b) => Reply::Bulk(Bytes::copy_from_slice(b)),
        Tree::Null => Reply::Null,
        Tree::NullArray => Reply::NullArray,
        Tree::Array(_) | Tree::Map(_) | Tree::Set(_) | Tree::Push(_) if deep => Reply::Null,
        Tree::Array(items) => Reply::Array(all(items)),
        Tree::Set(items) => Reply::Set(all(items)),
        Tree::Push(items) => Reply::Push(all(items)),
        Tree::Map(pairs) => Reply::Map(
            pairs
                .iter()
                .map(|(k, v)| (to_reply(k, depth + 1), to_reply(v, depth + 1)))
                .collect(),
        ),
        Tree::Double(d) if d.is_nan() => Reply::Double(0.0),
        Tree::Double(d) => Reply::Double(*d),
        Tree::SpecialDouble(k) => Reply::Double(match k % 8 {
            0 => f64::INFINITY,
            1 => f64::NEG_INFINITY,
            2 => -0.0,
            3 => f64::MIN_POSITIVE,
            4 => 5e-324,
            5 => f64::MAX,
            6 => 0.1,
            _ => 1e17,
        }),
        Tree::Bool(b) => Reply::Bool(*b),
        Tree::Verbatim(markdown, text) => Reply::Verbatim(
            if *markdown { "mkd" } else { "txt" },
            Bytes::copy_from_slice(text),
        ),
    }
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

#[derive(Arbitrary, Debug)]
struct Input {
    tree: Tree,
    trailing: Vec<u8>,
    argv: Vec<Vec<u8>>,
}

fuzz_target!(|input: Input| {
    let reply = to_reply(&input.tree, 0);
    for proto in [2u8, 3] {
        let want = if proto == 3 {
            resp3_form(&reply)
        } else {
            reply.to_resp2()
        };
        let mut wire = BytesMut::new();
        encode(&reply, proto, &mut wire);
        // Decoding restarts from the first byte, so checking every prefix is quadratic:
        // check at most PREFIXES_MAX of them, spread over the wire, the last ones included.
        let step = wire.len().div_ceil(PREFIXES_MAX).max(1);
        let cuts = (0..wire.len())
            .step_by(step)
            .chain(wire.len().saturating_sub(3)..wire.len());
        for cut in cuts {
            assert_eq!(decode_reply(&wire[..cut]), Ok(None), "prefix {cut}");
        }
        let len = wire.len();
        wire.extend_from_slice(&input.trailing);
        assert_eq!(decode_reply(&wire), Ok(Some((want, len))), "RESP{proto}");
    }

    let refs: Vec<&[u8]> = input.argv.iter().map(Vec::as_slice).collect();
    let mut wire = BytesMut::new();
    encode_command(&refs, &mut wire);
    let mut parser = RequestParser::new();
    let got = parser.next_command(&mut wire, &Limits::default());
    if refs.is_empty() {
        // `*0` is a request with no arguments: skipped, as Redis does.
        assert_eq!(got, Ok(None));
    } else {
        let want: Vec<Bytes> = refs.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        assert_eq!(got, Ok(Some(want)));
    }
    assert!(wire.is_empty(), "{} bytes left", wire.len());
    assert!(parser.is_idle());
});
