//! Redis's `util.c` (and the libc routines it leans on), ported once, byte-exact: every
//! parser and printer whose answer reaches a client goes through here, so that resp, db
//! and cmd agree with each other and with Redis 7.0.15. Nothing here depends on the rest
//! of the crate.
//!
//! - [`int`] has `string2ll` and `ll2string`;
//! - [`float`] has `strtod`, `string2d` and `%.17g` (`d2string`);
//! - [`ldouble`] has `string2ld` and `ld2string` over an exact model of x87 `long double`;
//! - [`glob`] has `stringmatchlen`;
//! - [`ctype`] has `isspace` in the C locale;
//! - [`printf_s`] and [`c_str`] are what `%.Ns` and `%s` print of a client's bytes in an
//!   error text.

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
