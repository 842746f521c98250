//! `RequestParser::next_command` over arbitrary bytes, cut into reads in several ways.
//!
//! The whole input is the byte stream a client sent (so seeds are plain captured traffic
//! and `resp.dict` tokens mutate it directly). The cuts and the limits are derived from a
//! hash of the input, so every input replays exactly. Checked:
//! - no panic, and a bound on the calls the caller makes (every `Ok(Some)` consumed bytes);
//! - the buffer only shrinks, and a command never holds more argument bytes than were
//!   consumed since the previous one; when the buffer starts (with the parser idle) with
//!   the canonical encoding of the command returned, exactly that many bytes are consumed;
//!   consumed + left over == input;
//! - for inputs under 64 KiB (above, Redis's inline/bulk-count limits make the outcome
//!   depend on the split, see `src/resp/parse.rs`), the whole input in one read, the
//!   hash-derived cuts and one byte per read give the same commands, the same error and
//!   the same leftover.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use seedis::resp::{encode_command, Limits, ProtocolError, RequestParser, PROTO_INLINE_MAX_SIZE};

#[derive(Debug, PartialEq)]
struct Outcome {
    commands: Vec<Vec<Bytes>>,
    error: Option<ProtocolError>,
    /// Unparsed bytes and whether the parser was idle, when no error occurred.
    left: Option<(Vec<u8>, bool)>,
}

/// Feeds `input` in reads ending at `cuts` (sorted, each <= input.len()).
fn run(input: &[u8], cuts: &[usize], limits: &Limits) -> Outcome {
    let mut parser = RequestParser::new();
    let mut buf = BytesMut::new();
    let mut commands = Vec::new();
    let mut start = 0;
    let mut consumed_total = 0usize;
    let mut consumed_since_command = 0usize;
    for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
        if cut < start {
            continue;
        }
        buf.extend_from_slice(&input[start..cut]);
        start = cut;
        // Every Ok(Some) consumes at least one byte, so this bounds the calls.
        let mut calls_left = buf.len() + 1;
        loop {
            assert!(calls_left > 0, "parser returned commands without consuming");
            calls_left -= 1;
            let before = buf.len();
            let was_idle = parser.is_idle();
            // Copied only when it can matter: an idle parser at a multibulk request.
            let canonical_prefix = if was_idle && buf.first() == Some(&b'*') {
                Some(buf.to_vec())
            } else {
                None
            };
            let result = parser.next_command(&mut buf, limits);
            assert!(buf.len() <= before, "the parser grew the buffer");
            let consumed = before - buf.len();
            consumed_total += consumed;
            consumed_since_command += consumed;
            match result {
                Ok(Some(cmd)) => {
                    assert!(!cmd.is_empty(), "an empty command was returned");
                    assert!(consumed > 0, "a command consumed nothing");
                    let arg_bytes: usize = cmd.iter().map(Bytes::len).sum();
                    assert!(
                        arg_bytes <= consumed_since_command,
                        "{arg_bytes} argument bytes from {consumed_since_command} consumed"
                    );
                    if let Some(prefix) = &canonical_prefix {
                        let refs: Vec<&[u8]> = cmd.iter().map(|a| &a[..]).collect();
                        let mut wire = BytesMut::new();
                        encode_command(&refs, &mut wire);
                        if prefix.starts_with(&wire) {
                            assert_eq!(
                                consumed,
                                wire.len(),
                                "canonical request over-/under-consumed"
                            );
                        }
                    }
                    consumed_since_command = 0;
                    commands.push(cmd);
                }
                Ok(None) => break,
                Err(error) => {
                    return Outcome {
                        commands,
                        error: Some(error),
                        left: None,
                    }
                }
            }
        }
    }
    assert_eq!(
        consumed_total + buf.len(),
        input.len(),
        "bytes lost or invented"
    );
    Outcome {
        commands,
        error: None,
        left: Some((buf.to_vec(), parser.is_idle())),
    }
}

/// FNV-1a then SplitMix64: the cuts and limits are a function of the input.
struct Rng(u64);

impl Rng {
    fn from_input(data: &[u8]) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in data {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fuzz_target!(|data: &[u8]| {
    let mut rng = Rng::from_input(data);
    let limits = Limits {
        proto_max_bulk_len: match rng.below(4) {
            0 => 16,
            1 => 1024,
            _ => 512 * 1024 * 1024,
        },
        authenticated: rng.below(4) != 0,
    };
    let mut cuts: Vec<usize> = (0..rng.below(17))
        .map(|_| rng.below(data.len() + 1))
        .collect();
    cuts.sort_unstable();

    let whole = run(data, &[], &limits);
    let split = run(data, &cuts, &limits);
    if data.len() < PROTO_INLINE_MAX_SIZE {
        assert_eq!(whole, split, "cuts {cuts:?} changed the outcome");
        if data.len() <= 4096 {
            let every: Vec<usize> = (1..data.len()).collect();
            assert_eq!(whole, run(data, &every, &limits), "one byte per read");
        }
    }
});
