//! Integers as Redis's util.c reads and writes them: `string2ll` (the strict parser
//! behind every integer argument, the RESP length headers and the int encoding of
//! strings) and `ll2string`; and libc's lenient `atoi`, which a few DEBUG subcommands
//! use.

use super::ctype::is_space;

/// Redis's `LONG_STR_SIZE`: a text of this many bytes or more is never an i64.
const LONG_STR_SIZE: usize = 21;

/// Redis's `string2ll`: an optional `-`, then decimal digits with no leading zero ("0"
/// alone is fine), no `+`, no spaces, within i64, in fewer than 21 bytes. "-0" is
/// refused. Linear in the length, and the length is capped anyway.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= LONG_STR_SIZE {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        // -(2^63) is the one magnitude that fits only as a negative number.
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// The longest text [`ll2string`] writes: `-9223372036854775808`.
pub const LL_STR_MAX: usize = 20;

/// Redis's `ll2string`: `v` in decimal, written into the end of `buf`; returns the
/// written part. No allocation: the reply encoder calls this for every length header.
pub fn ll2string(v: i64, buf: &mut [u8; LL_STR_MAX]) -> &[u8] {
    let mut at = buf.len();
    // Work on the magnitude as u64 so i64::MIN needs no special case.
    let mut magnitude = v.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if v < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// glibc's `atoi`, i.e. `(int)strtol(s, NULL, 10)`: leading `isspace` bytes, an optional
/// sign, then as many digits as there are (nothing else is an error: no digits is 0);
/// `strtol` saturates at the i64 range and the cast to `int` keeps the low 32 bits.
pub fn atoi(s: &[u8]) -> i32 {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let (negative, digits) = match s[start..].split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, &s[start..]),
    };
    // The magnitude, saturated just past i64's range so that the sign can be applied.
    let magnitude = digits
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0u64, |v, &d| {
            v.saturating_mul(10)
                .saturating_add(u64::from(d - b'0'))
                .min(i64::MAX as u64 + 1)
        });
    let long = if negative {
        (magnitude as i64).wrapping_neg()
    } else {
        magnitude.min(i64::MAX as u64) as i64
    };
    long as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_matches_redis() {
        // Checked against redis-server 7.0.15 (`SET k <text>` then `OBJECT ENCODING k`
        // says "int" exactly for these, and `INCR` accepts exactly these).
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"10"), Some(10));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"-0"[..],
            b"+1",
            b" 1",
            b"1 ",
            b"01",
            b"-01",
            b"00",
            b"000000000000000000001",
            b"",
            b"-",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999",
            b"1a",
            b"1\0",
            b"\xff1",
        ] {
            assert_eq!(string2ll(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ll2string_round_trips() {
        let mut buf = [0; LL_STR_MAX];
        for v in [0, 1, -1, 42, -4200, i64::MAX, i64::MIN] {
            let text = ll2string(v, &mut buf).to_vec();
            assert_eq!(text, v.to_string().into_bytes());
            assert_eq!(string2ll(&text), Some(v));
        }
    }

    #[test]
    fn atoi_matches_glibc() {
        // From glibc's atoi through Python's ctypes.
        for (text, want) in [
            (&b"12"[..], 12),
            (b" \x0b\t-7x", -7),
            (b"+3", 3),
            (b"", 0),
            (b"x1", 0),
            (b"- 1", 0),
            (b"4294967296", 0),
            (b"4294967297", 1),
            (b"99999999999999999999", -1),
            (b"-99999999999999999999", 0),
            (b"-9223372036854775809", 0),
            (b"2147483648", i32::MIN),
        ] {
            assert_eq!(atoi(text), want, "{text:?}");
        }
    }
}
