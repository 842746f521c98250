//! Integers as Redis's util.c reads and writes them: `string2ll` (the strict parser
//! behind every integer argument, the RESP length headers and the int encoding of
//! strings) and `ll2string`; libc's lenient `strtoll` and `atoi` (a few DEBUG
//! subcommands, the seconds of client-output-buffer-limit); and `memtoull`, behind every
//! memory-valued setting.

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

/// glibc's `strtoll(s, &end, 10)`: leading `isspace` bytes, an optional sign, then as
/// many digits as there are; saturates at the i64 range (ERANGE). Returns the value and
/// the index of `end`, which is 0 (the start) when there are no digits at all.
pub fn strtoll(s: &[u8]) -> (i64, usize) {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let (negative, digits_at) = match s.get(start) {
        Some(b'-') => (true, start + 1),
        Some(b'+') => (false, start + 1),
        _ => (false, start),
    };
    let digits = s[digits_at..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 {
        return (0, 0);
    }
    // The magnitude, saturated just past i64's range so that the sign can be applied.
    let magnitude = s[digits_at..digits_at + digits].iter().fold(0u64, |v, &d| {
        v.saturating_mul(10)
            .saturating_add(u64::from(d - b'0'))
            .min(i64::MAX as u64 + 1)
    });
    let value = if negative {
        (magnitude as i64).wrapping_neg()
    } else {
        magnitude.min(i64::MAX as u64) as i64
    };
    (value, digits_at + digits)
}

/// glibc's `atoi`, i.e. `(int)strtol(s, NULL, 10)`: nothing is an error (no digits is 0);
/// `strtol` saturates at the i64 range and the cast to `int` keeps the low 32 bits.
pub fn atoi(s: &[u8]) -> i32 {
    strtoll(s).0 as i32
}

/// Redis's `memtoull` (util.c), behind every memory-valued setting: decimal digits (none
/// is 0) then a case-insensitive unit, `b`, `k` (1000), `kb` (1024), `m`, `mb`, `g`, `gb`.
/// A leading `-`, any other unit (spaces and `+` included) or 128 digits or more are
/// errors (`None`). As in C, a number past u64 saturates (strtoull's ERANGE is not
/// checked) and the product with the unit wraps: `17592186044417gb` is 1073741824, and
/// Redis 7.0.15 accepts it as such.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = s[digits..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // memtoull copies the digits into a 128-byte buffer first.
    if digits >= 128 {
        return None;
    }
    let value = s[..digits].iter().fold(0u64, |v, &d| {
        v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some(value.wrapping_mul(mul))
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

    #[test]
    fn strtoll_is_glibcs() {
        assert_eq!(strtoll(b" \t+010x"), (10, 6));
        assert_eq!(strtoll(b"-0"), (0, 2));
        assert_eq!(strtoll(b""), (0, 0));
        assert_eq!(strtoll(b"  -"), (0, 0));
        assert_eq!(strtoll(b"x1"), (0, 0));
        assert_eq!(strtoll(b"99999999999999999999"), (i64::MAX, 20));
        assert_eq!(strtoll(b"-99999999999999999999"), (i64::MIN, 21));
        assert_eq!(strtoll(b"-9223372036854775808"), (i64::MIN, 20));
    }

    #[test]
    fn memtoull_matches_redis() {
        // Each checked with CONFIG SET client-query-buffer-limit on redis-server 7.0.15.
        assert_eq!(memtoull(b"1mb"), Some(1 << 20));
        assert_eq!(memtoull(b"01MB"), Some(1 << 20));
        assert_eq!(memtoull(b"1048576B"), Some(1 << 20));
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"99999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull(b"17592186044416gb"), Some(0));
        assert_eq!(memtoull(b"17592186044417gb"), Some(1 << 30));
        for bad in [
            &b"-1"[..],
            b"+1mb",
            b" 1mb",
            b"1mb ",
            b"1.5mb",
            b"12x",
            b"1kib",
        ] {
            assert_eq!(memtoull(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        let mut long = vec![b'0'; 127];
        long.push(b'1');
        assert_eq!(memtoull(&long), None);
        assert_eq!(memtoull(&long[1..]), Some(1));
    }
}
