//! Sorted set commands (t_zset.c). Values live in [`ZSetValue`]; every mutation goes
//! through the keyspace's `lookup_write` / `set` / `remove`, and a sorted set emptied by
//! a command is deleted, as in Redis.
//!
//! Ranges are answered from the order-statistics tree: "how many elements sort before
//! this bound" gives a rank window, and the window is read with `Tree::range`, so every
//! reply is at most as large as the sorted set itself, whatever the argv's counts say.

use super::strings::ERR_SYNTAX;
use super::table::Command;
use bytes::Bytes;

const ERR_NOT_FLOAT: &str = "ERR value is not a valid float";
const ERR_MINMAX_FLOAT: &str = "ERR min or max is not a float";
const ERR_MINMAX_LEX: &str = "ERR min or max not valid string range item";

/// C's isspace in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// strtod over the whole of `s` (no leading space allowed here): the value and whether
/// strtod would set ERANGE (overflow to infinity, or a non-zero number rounding to 0).
/// None when the text is not entirely a number, and for NaN (every caller rejects it).
fn strtod_full(s: &[u8]) -> Option<(f64, bool)> {
    let (neg, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return Some((sign * f64::INFINITY, false));
    }
    if rest.len() > 2 && rest[0] == b'0' && (rest[1] == b'x' || rest[1] == b'X') {
        return parse_hex(&rest[2..]).map(|(v, r)| (sign * v, r));
    }
    // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
    let mut i = 0;
    let mut mant_digits = 0;
    let mut nonzero = false;
    while i < rest.len() && rest[i].is_ascii_digit() {
        nonzero |= rest[i] != b'0';
        mant_digits += 1;
        i += 1;
    }
    if i < rest.len() && rest[i] == b'.' {
        i += 1;
        while i < rest.len() && rest[i].is_ascii_digit() {
            nonzero |= rest[i] != b'0';
            mant_digits += 1;
            i += 1;
        }
    }
    if mant_digits == 0 {
        return None;
    }
    if i < rest.len() && (rest[i] == b'e' || rest[i] == b'E') {
        i += 1;
        if i < rest.len() && (rest[i] == b'+' || rest[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != rest.len() {
        return None;
    }
    let text = std::str::from_utf8(rest).ok()?;
    let v: f64 = text.parse().ok()?;
    let erange = v.is_infinite() || (v == 0.0 && nonzero);
    Some((sign * v, erange))
}

/// The part of a hex float after "0x": hexdigits [. hexdigits] [p [sign] digits].
fn parse_hex(s: &[u8]) -> Option<(f64, bool)> {
    let mut v = 0.0f64;
    let mut exp: i64 = 0;
    let mut digits = 0;
    let mut i = 0;
    let mut frac = false;
    while i < s.len() {
        let c = s[i];
        if c == b'.' && !frac {
            frac = true;
        } else if let Some(d) = (c as char).to_digit(16) {
            v = v * 16.0 + d as f64;
            digits += 1;
            if frac {
                exp -= 4;
            }
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] == b'p' || s[i] == b'P') {
        i += 1;
        let neg = match s.get(i) {
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
        let start = i;
        let mut e: i64 = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            e = (e * 10 + (s[i] - b'0') as i64).min(1 << 20);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp += if neg { -e } else { e };
    }
    if i != s.len() {
        return None;
    }
    let exp = exp.clamp(-4000, 4000) as i32;
    let r = v * 2f64.powi(exp.clamp(-1074, 1023)) * 2f64.powi(exp - exp.clamp(-1074, 1023));
    let erange = r.is_infinite() || (r == 0.0 && v != 0.0);
    Some((r, erange))
}

/// string2d (getDoubleFromObject): the whole argument is a number, no leading space, no
/// NaN, no overflow or underflow to zero.
pub(crate) fn parse_score(arg: &[u8]) -> Option<f64> {
    if arg.first().is_none_or(|&c| is_c_space(c)) {
        return None;
    }
    match strtod_full(arg)? {
        (_, true) => None,
        (v, false) if v.is_nan() => None,
        (v, false) => Some(v),
    }
}

/// The strtod of zslParseRange: the text up to a NUL, leading spaces skipped, overflow
/// allowed (1e400 is inf); the empty string is 0.
fn parse_range_number(s: &[u8]) -> Option<f64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s.iter().position(|&c| !is_c_space(c))?;
    strtod_full(&s[start..]).map(|(v, _)| v)
}

/// A score interval (zrangespec).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// zslParseRange: `(` makes a bound exclusive.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let one = |s: &[u8]| -> Option<(f64, bool)> {
            match s.first() {
                Some(b'(') => parse_range_number(&s[1..]).map(|v| (v, true)),
                _ => parse_range_number(s).map(|v| (v, false)),
            }
        };
        let (min, minex) = one(min)?;
        let (max, maxex) = one(max)?;
        Some(ScoreRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// zslIsInRange's first test: ranges that are always empty.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One end of a lex range: `-`, `+`, `[x` or `(x`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LexBound {
    NegInf,
    PosInf,
    Incl(Bytes),
    Excl(Bytes),
}

impl LexBound {
    /// zslParseLexRangeItem (the C string ends at a NUL, so "+\0x" is "+").
    fn parse(s: &Bytes) -> Option<LexBound> {
        let ends = |n: usize| s.get(n).is_none_or(|&c| c == 0);
        match s.first() {
            Some(b'+') if ends(1) => Some(LexBound::PosInf),
            Some(b'-') if ends(1) => Some(LexBound::NegInf),
            Some(b'(') => Some(LexBound::Excl(s.slice(1..))),
            Some(b'[') => Some(LexBound::Incl(s.slice(1..))),
            _ => None,
        }
    }
}

/// A lex interval (zlexrangespec).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub fn parse(min: &Bytes, max: &Bytes) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    pub fn gte_min(&self, v: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Incl(s) => v >= s.as_ref(),
            LexBound::Excl(s) => v > s.as_ref(),
        }
    }

    pub fn lte_max(&self, v: &[u8]) -> bool {
        match &self.max {
            LexBound::PosInf => true,
            LexBound::NegInf => false,
            LexBound::Incl(s) => v <= s.as_ref(),
            LexBound::Excl(s) => v < s.as_ref(),
        }
    }
}

pub const COMMANDS: &[Command] = &[];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_parsing_follows_string2d() {
        for (s, v) in [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("inf", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("0x10", 16.0),
            ("0x1p-2", 0.25),
        ] {
            assert_eq!(parse_score(s.as_bytes()), Some(v), "{s}");
        }
        for s in [
            "", " 1", "1 ", "nan", "1e400", "1e-400", "abc", "1e", "0x", "--1", "1\0",
        ] {
            assert_eq!(parse_score(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn range_parsing_follows_zslparserange() {
        let r = ScoreRange::parse(b"(1", b"+inf").unwrap();
        assert!(r.minex && !r.maxex && r.min == 1.0 && r.max == f64::INFINITY);
        assert_eq!(
            ScoreRange::parse(b"", b" 5").map(|r| (r.min, r.max)),
            Some((0.0, 5.0))
        );
        assert_eq!(
            ScoreRange::parse(b"1e400", b"(").map(|r| r.min),
            Some(f64::INFINITY)
        );
        assert!(ScoreRange::parse(b"nan", b"1").is_none());
        assert!(ScoreRange::parse(b"  ", b"1").is_none());
        assert!(ScoreRange::parse(b"1x", b"1").is_none());
        let l = LexRange::parse(&Bytes::from("[a"), &Bytes::from("(c")).unwrap();
        assert!(l.gte_min(b"a") && l.lte_max(b"b") && !l.lte_max(b"c"));
        assert!(LexRange::parse(&Bytes::from("a"), &Bytes::from("+")).is_none());
        assert!(LexRange::parse(&Bytes::from("+x"), &Bytes::from("+")).is_none());
        let _ = ERR_SYNTAX;
        let _ = (ERR_NOT_FLOAT, ERR_MINMAX_FLOAT, ERR_MINMAX_LEX);
    }
}
