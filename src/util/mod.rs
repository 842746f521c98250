//! Redis's `util.c` (and the libc routines it leans on), ported once, byte-exact: every
//! parser and printer whose answer reaches a client goes through here, so that resp, db
//! and cmd agree with each other and with Redis 7.0.15. Nothing here depends on the rest
//! of the crate.
//!
//! - [`bitops`] has bitops.c's popcount, bitpos and BITFIELD's integer codec;
//! - [`int`] has `string2ll` and `ll2string`;
//! - [`float`] has `strtod`, `string2d` and `%.17g` (`d2string`);
//! - [`ldouble`] has `string2ld` and `ld2string` over an exact model of x87 `long double`;
//! - [`glob`] has `stringmatchlen`;
//! - [`ctype`] has `isspace` in the C locale;
//! - [`printf_s`] and [`c_str`] are what `%.Ns` and `%s` print of a client's bytes in an
//!   error text.

pub mod bitops;
pub mod ctype;
pub mod float;
pub mod glob;
pub mod int;
pub mod ldouble;

/// What C's `printf("%.*s", max, arg)` prints of a client's argument: the bytes before
/// the first NUL (C strings end there), at most `max` of them, raw. Redis quotes
/// arguments in error texts this way (`'%.128s'`), so the echo is byte-exact, invalid
/// UTF-8 included.
pub fn printf_s(arg: &[u8], max: usize) -> &[u8] {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    &arg[..end.min(max)]
}

/// What C's `printf("%s", arg)` prints of a client's argument: the bytes before the first
/// NUL, raw, however many (Redis's `'%s'` in error texts such as CONFIG SET's).
pub fn c_str(arg: &[u8]) -> &[u8] {
    printf_s(arg, usize::MAX)
}

/// Redis's `sdscatrepr`: the bytes in double quotes, with `\\`, `"`, `\n`, `\r`, `\t`,
/// `\a` and `\b` escaped, other printable ASCII as is and everything else as `\xHH`.
/// MONITOR prints arguments this way, and `sdssplitargs` reads them back.
pub fn sds_repr(arg: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in arg {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::printf_s;

    #[test]
    fn printf_s_stops_at_nul_and_precision() {
        assert_eq!(printf_s(b"ab\0cd", 128), b"ab");
        assert_eq!(printf_s(b"\xff\xfeabc", 3), b"\xff\xfea");
        assert_eq!(printf_s(b"", 3), b"");
    }
}
