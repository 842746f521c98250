//! The ground floor every command family parses its arguments with: Redis's shared error
//! texts, typed getters that answer with Redis's exact error replies (the
//! `get*FromObjectOrReply` family of object.c), case-insensitive options, and the SCAN
//! options and cursor. An [`Args`] cursor walks `argv` for option lists.
//!
//! Every getter returns `Result<_, Reply>` so a handler (which returns
//! [`CmdResult`](super::table::CmdResult)) propagates the error reply with `?`.

use crate::resp::Reply;
use crate::util::int::string2ll;
use bytes::Bytes;

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const ERR_SYNTAX: &str = "ERR syntax error";
pub const ERR_NOT_INT: &str = "ERR value is not an integer or out of range";
pub const ERR_NOT_FLOAT: &str = "ERR value is not a valid float";
pub const ERR_POSITIVE: &str = "ERR value is out of range, must be positive";
pub const ERR_INVALID_CURSOR: &str = "ERR invalid cursor";

/// The reply for a key holding another type.
pub fn wrongtype() -> Reply {
    Reply::err(WRONGTYPE)
}

/// The reply for an unknown option or a missing option value.
pub fn syntax_error() -> Reply {
    Reply::err(ERR_SYNTAX)
}

/// ASCII case-insensitive comparison with a lower-case option name.
pub fn is(arg: &[u8], lower: &str) -> bool {
    arg.eq_ignore_ascii_case(lower.as_bytes())
}

/// getLongLongFromObjectOrReply: string2ll's rules, Redis's default message.
pub fn arg_i64(arg: &[u8]) -> Result<i64, Reply> {
    string2ll(arg).ok_or(Reply::err(ERR_NOT_INT))
}

/// getIntFromObjectOrReply with Redis's default message.
pub fn arg_i32(arg: &[u8]) -> Result<i32, Reply> {
    arg_i32_or(arg, ERR_NOT_INT)
}

/// getIntFromObjectOrReply with a custom message for junk and overflow alike.
pub fn arg_i32_or(arg: &[u8], msg: &'static str) -> Result<i32, Reply> {
    string2ll(arg)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or(Reply::err(msg))
}

/// getPositiveLongFromObjectOrReply: a non-negative integer, with one message
/// (`value is out of range, must be positive`) for junk and negatives alike.
pub fn arg_positive(arg: &[u8]) -> Result<i64, Reply> {
    match string2ll(arg) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(Reply::err(ERR_POSITIVE)),
    }
}

/// getRangeLongFromObjectOrReply: an integer in `min..=max`. With `msg`, every failure
/// (junk included) answers `msg`; without, junk is the default text and a value out of
/// range is `value is out of range, value must between <min> and <max>` (sic).
pub fn arg_range(arg: &[u8], min: i64, max: i64, msg: Option<&'static str>) -> Result<i64, Reply> {
    let v = arg_i64(arg).map_err(|e| msg.map_or(e, Reply::err))?;
    if v < min || v > max {
        return Err(match msg {
            Some(m) => Reply::err(m),
            None => Reply::error(format!(
                "ERR value is out of range, value must between {min} and {max}"
            )),
        });
    }
    Ok(v)
}

/// getRangeLongFromObjectOrReply(1, LONG_MAX) with one message for every failure, e.g.
/// `numkeys should be greater than 0`.
pub fn arg_at_least_one(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    arg_range(arg, 1, i64::MAX, Some(msg))
}

/// parseScanCursorOrReply (7.0): strtoul over the whole argument, base 10. A leading
/// space, trailing garbage or overflow is `invalid cursor`; a sign is accepted and a
/// minus wraps (strtoul's rule); an empty string is cursor 0. An embedded NUL ends the
/// C string, so parsing stops there.
pub fn scan_cursor(arg: &[u8]) -> Result<u64, Reply> {
    parse_cursor(arg).ok_or(Reply::err(ERR_INVALID_CURSOR))
}

fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let s = match arg.iter().position(|&b| b == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    if s.first()
        .is_some_and(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
    {
        return None;
    }
    if s.is_empty() {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// The options of SCAN, SSCAN, HSCAN and ZSCAN (scanGenericCommand).
#[derive(Debug, PartialEq)]
pub struct ScanOpts {
    /// COUNT: at least 1, default 10.
    pub count: u64,
    /// MATCH, except `*` (which matches everything and is dropped).
    pub pattern: Option<Bytes>,
    /// TYPE (SCAN only).
    pub type_name: Option<Bytes>,
}

/// Parses `[MATCH pattern] [COUNT count]` (and `[TYPE type]` when `allow_type`) from
/// `argv[start..]`. A COUNT below 1 and an unknown or incomplete option are syntax
/// errors; a non-integer COUNT is the integer error.
pub fn scan_opts(argv: &[Bytes], start: usize, allow_type: bool) -> Result<ScanOpts, Reply> {
    let mut opts = ScanOpts {
        count: 10,
        pattern: None,
        type_name: None,
    };
    let mut args = Args::new(argv, start);
    while let Some(opt) = args.next() {
        let Some(value) = args.next() else {
            return Err(syntax_error());
        };
        if is(opt, "count") {
            let count = arg_i64(value)?;
            if count < 1 {
                return Err(syntax_error());
            }
            opts.count = count as u64;
        } else if is(opt, "match") {
            opts.pattern = Some(value.clone()).filter(|p| p.as_ref() != b"*");
        } else if allow_type && is(opt, "type") {
            opts.type_name = Some(value.clone());
        } else {
            return Err(syntax_error());
        }
    }
    Ok(opts)
}

/// A cursor over `argv` from a position, for commands that take options.
pub struct Args<'a> {
    argv: &'a [Bytes],
    pos: usize,
}

impl<'a> Args<'a> {
    /// A cursor at `argv[pos]`.
    pub fn new(argv: &'a [Bytes], pos: usize) -> Args<'a> {
        Args { argv, pos }
    }

    /// The index of the next argument.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// How many arguments are left.
    pub fn remaining(&self) -> usize {
        self.argv.len().saturating_sub(self.pos)
    }

    /// The next argument without consuming it.
    pub fn peek(&self) -> Option<&'a Bytes> {
        self.argv.get(self.pos)
    }

    /// Consumes the next argument if it is the option `lower` (case-insensitive).
    pub fn eat(&mut self, lower: &str) -> bool {
        let found = self.peek().is_some_and(|a| is(a, lower));
        if found {
            self.pos += 1;
        }
        found
    }

    /// The next argument, or a syntax error when there is none (an option's value).
    pub fn value(&mut self) -> Result<&'a Bytes, Reply> {
        self.next().ok_or_else(syntax_error)
    }

    /// The next argument as an i64 (a syntax error when missing).
    pub fn i64(&mut self) -> Result<i64, Reply> {
        arg_i64(self.value()?)
    }
}

impl<'a> Iterator for Args<'a> {
    type Item = &'a Bytes;

    fn next(&mut self) -> Option<&'a Bytes> {
        let arg = self.argv.get(self.pos)?;
        self.pos += 1;
        Some(arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Bytes> {
        line.split(' ')
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn err(text: &'static str) -> Reply {
        Reply::err(text)
    }

    #[test]
    fn integers_follow_string2ll_and_redis_messages() {
        assert_eq!(arg_i64(b"-9223372036854775808"), Ok(i64::MIN));
        for bad in [
            &b""[..],
            b"+1",
            b"01",
            b" 1",
            b"1 ",
            b"-0",
            b"9223372036854775808",
        ] {
            assert_eq!(arg_i64(bad), Err(err(ERR_NOT_INT)), "{bad:?}");
        }
        assert_eq!(arg_i32(b"2147483647"), Ok(i32::MAX));
        assert_eq!(arg_i32(b"2147483648"), Err(err(ERR_NOT_INT)));
        assert_eq!(arg_i32_or(b"x", "ERR custom"), Err(err("ERR custom")));
        assert_eq!(arg_positive(b"0"), Ok(0));
        assert_eq!(arg_positive(b"-1"), Err(err(ERR_POSITIVE)));
        assert_eq!(arg_positive(b"x"), Err(err(ERR_POSITIVE)));
        assert_eq!(arg_at_least_one(b"0", "ERR count"), Err(err("ERR count")));
        assert_eq!(arg_at_least_one(b"x", "ERR count"), Err(err("ERR count")));
        assert_eq!(arg_at_least_one(b"3", "ERR count"), Ok(3));
        assert_eq!(arg_range(b"x", 0, 5, None), Err(err(ERR_NOT_INT)));
        assert_eq!(
            arg_range(b"6", 0, 5, None),
            Err(Reply::error(
                "ERR value is out of range, value must between 0 and 5".to_string()
            ))
        );
        assert_eq!(arg_range(b"5", 0, 5, None), Ok(5));
    }

    #[test]
    fn cursors_follow_strtoul() {
        assert_eq!(scan_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(scan_cursor(b""), Ok(0));
        assert_eq!(scan_cursor(b"+7"), Ok(7));
        assert_eq!(scan_cursor(b"12\x00junk"), Ok(12));
        assert_eq!(scan_cursor(b"18446744073709551615"), Ok(u64::MAX));
        for bad in [&b" 5"[..], b"5x", b"-", b"18446744073709551616"] {
            assert_eq!(scan_cursor(bad), Err(err(ERR_INVALID_CURSOR)), "{bad:?}");
        }
    }

    #[test]
    fn scan_options() {
        let opts = scan_opts(&argv("SCAN 0 match a* COUNT 5 type string"), 2, true).unwrap();
        assert_eq!(opts.count, 5);
        assert_eq!(opts.pattern.as_deref(), Some(&b"a*"[..]));
        assert_eq!(opts.type_name.as_deref(), Some(&b"string"[..]));
        let all = scan_opts(&argv("SSCAN k 0 MATCH *"), 3, false).unwrap();
        assert_eq!((all.count, all.pattern), (10, None));
        for bad in [
            "SSCAN k 0 TYPE string",
            "SSCAN k 0 COUNT 0",
            "SSCAN k 0 COUNT",
            "SSCAN k 0 FOO bar",
        ] {
            assert_eq!(
                scan_opts(&argv(bad), 3, false),
                Err(syntax_error()),
                "{bad}"
            );
        }
        assert_eq!(
            scan_opts(&argv("SSCAN k 0 COUNT x"), 3, false),
            Err(err(ERR_NOT_INT))
        );
    }

    #[test]
    fn cursor_walks_options() {
        let v = argv("CMD a LIMIT 3 rest");
        let mut args = Args::new(&v, 1);
        assert_eq!(args.remaining(), 4);
        assert!(!args.eat("limit"));
        assert_eq!(args.next().map(|a| &a[..]), Some(&b"a"[..]));
        assert!(args.eat("limit"));
        assert_eq!(args.i64(), Ok(3));
        assert_eq!(args.pos(), 4);
        assert_eq!(args.peek().map(|a| &a[..]), Some(&b"rest"[..]));
        assert_eq!(args.i64(), Err(err(ERR_NOT_INT)));
        assert_eq!(args.value(), Err(syntax_error()));
        assert!(is(b"WithScores", "withscores"));
    }
}
