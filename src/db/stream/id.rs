//! Stream IDs (streamID): `<ms>-<seq>`, two unsigned 64-bit halves ordered as one 128-bit
//! number, which is what the derived ordering gives.

use bytes::Bytes;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// streamIncrID: the successor, None past the last possible ID.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                return None;
            }
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// streamDecrID: the predecessor, None before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                return None;
            }
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// createStreamIDString.
    pub fn to_bytes(self) -> Bytes {
        Bytes::from(self.to_string())
    }

    /// streamEncodeID: 128 bits big endian, the rax key.
    pub fn encode(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.ms.to_be_bytes());
        b[8..].copy_from_slice(&self.seq.to_be_bytes());
        b
    }

    /// streamDecodeID of exactly 16 bytes.
    pub fn decode(b: &[u8]) -> Option<StreamId> {
        if b.len() != 16 {
            return None;
        }
        let ms = u64::from_be_bytes(b[..8].try_into().ok()?);
        let seq = u64::from_be_bytes(b[8..].try_into().ok()?);
        Some(StreamId::new(ms, seq))
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// How an ID argument was given (streamGenericParseIDOrReply's outputs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedId {
    pub id: StreamId,
    /// False for the `<ms>-*` form (only accepted where `seq_given` is asked for).
    pub seq_given: bool,
}

/// util.c's string2ull: string2ll when it succeeds (a negative value is refused), else
/// glibc's strtoull over the whole string: leading spaces, a sign (a `-` negates modulo
/// 2^64, as C does), decimal digits, and nothing after; overflow is an error.
fn string2ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = crate::util::int::string2ll(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while i < s.len() && crate::util::ctype::is_space(s[i]) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// streamGenericParseIDOrReply: `-`/`+` (unless `strict`), `<ms>`, `<ms>-<seq>`, and
/// `<ms>-*` when `allow_star_seq`. None is "Invalid stream ID".
pub fn parse_id(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    allow_star_seq: bool,
) -> Option<ParsedId> {
    if arg.len() > 127 {
        return None;
    }
    // The C code works on a NUL-terminated copy: an embedded NUL ends the string.
    let arg = match arg.iter().position(|&c| c == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    if strict && (arg == b"-" || arg == b"+") {
        return None;
    }
    if arg == b"-" {
        return Some(ParsedId {
            id: StreamId::MIN,
            seq_given: true,
        });
    }
    if arg == b"+" {
        return Some(ParsedId {
            id: StreamId::MAX,
            seq_given: true,
        });
    }
    let (ms_part, seq_part) = match arg.iter().position(|&c| c == b'-') {
        Some(n) => (&arg[..n], Some(&arg[n + 1..])),
        None => (arg, None),
    };
    let ms = string2ull(ms_part)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if allow_star_seq => (0, false),
        Some(s) => (string2ull(s)?, true),
        None => (missing_seq, true),
    };
    Some(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_like_redis() {
        let p = |s: &str| parse_id(s.as_bytes(), 0, false, false).map(|p| p.id);
        assert_eq!(p("-"), Some(StreamId::MIN));
        assert_eq!(p("+"), Some(StreamId::MAX));
        assert_eq!(p("5"), Some(StreamId::new(5, 0)));
        assert_eq!(p("5-3"), Some(StreamId::new(5, 3)));
        assert_eq!(
            p("18446744073709551615-18446744073709551615"),
            Some(StreamId::MAX)
        );
        assert_eq!(p("18446744073709551616"), None);
        assert_eq!(p("-1"), None);
        assert_eq!(p("5-"), None);
        assert_eq!(p("5-*"), None);
        assert_eq!(p("a"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("1-2-3"), None);
        // strtoull's leniency after string2ll gives up.
        assert_eq!(p("007-01"), Some(StreamId::new(7, 1)));
        assert_eq!(p(" 5"), Some(StreamId::new(5, 0)));
        assert_eq!(p("5- -1"), Some(StreamId::new(5, u64::MAX)));
        assert_eq!(parse_id(b"+", 0, true, false), None);
        let star = parse_id(b"7-*", 0, true, true).unwrap();
        assert_eq!((star.id, star.seq_given), (StreamId::new(7, 0), false));
        assert_eq!(
            parse_id(b"7", u64::MAX, false, false).unwrap().id,
            StreamId::new(7, u64::MAX)
        );
    }

    #[test]
    fn successor_and_predecessor() {
        assert_eq!(StreamId::MAX.incr(), None);
        assert_eq!(StreamId::MIN.decr(), None);
        assert_eq!(StreamId::new(1, u64::MAX).incr(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::new(2, 0).decr(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(&StreamId::new(3, 4).to_bytes()[..], b"3-4");
        assert_eq!(
            StreamId::decode(&StreamId::new(9, 10).encode()),
            Some(StreamId::new(9, 10))
        );
    }
}
