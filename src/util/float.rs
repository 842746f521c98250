//! Doubles as Redis's util.c and libc read and write them: glibc's `strtod` (C locale),
//! Redis's `string2d` (the strict whole-argument rule of every float argument) and
//! `%.17g` (`d2string`, `addReplyDouble`). The x87 `long double` of INCRBYFLOAT is
//! [`super::ldouble`].
//!
//! Every routine here is linear in its input: [`strtod`] finds the longest number that
//! C would read in one pass and converts only that.

use super::ctype::is_space;

/// What C's `strtod` returns: the value, how many bytes it read (`eptr - nptr`; 0 when
/// it read no number, even if it skipped spaces) and whether it set `ERANGE` with an
/// infinite or zero result (an overflow, or a non-zero number that rounds to zero: the
/// only `ERANGE` cases Redis looks at).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strtod {
    pub value: f64,
    pub len: usize,
    pub erange: bool,
}

/// glibc's `strtod` in the C locale over `s` (which C would see up to its first NUL: a
/// NUL is never part of a number, so the scan stops there by itself). Leading `isspace`
/// bytes are skipped, then: an optional sign and `inf`, `infinity`, `nan`, `nan(chars)`
/// (any case), a hexadecimal float (`0x1.8p3`), or a decimal one (`1.5e3`, `.5`, `5.`).
/// The longest such prefix is read; an incomplete exponent (`1e`, `0x1p+`) is left
/// unread. Correctly rounded to nearest, like glibc.
pub fn strtod(s: &[u8]) -> Strtod {
    const NOTHING: Strtod = Strtod {
        value: 0.0,
        len: 0,
        erange: false,
    };
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let mut at = start;
    let negative = match s.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    // Negation, not a multiplication by -1, so that "-nan" has its sign bit as in C.
    let signed = |magnitude: f64| if negative { -magnitude } else { magnitude };
    let rest = &s[at..];
    let starts_with =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if starts_with(b"infinity") || starts_with(b"inf") {
        let len = if starts_with(b"infinity") { 8 } else { 3 };
        return Strtod {
            value: signed(f64::INFINITY),
            len: at + len,
            erange: false,
        };
    }
    if starts_with(b"nan") {
        let mut len = 3;
        // "nan(n-char-sequence)": read only when the parenthesis closes.
        if rest.get(3) == Some(&b'(') {
            let chars = rest[4..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            if rest.get(4 + chars) == Some(&b')') {
                len = 4 + chars + 1;
            }
        }
        return Strtod {
            value: signed(f64::NAN),
            len: at + len,
            erange: false,
        };
    }
    if rest.len() > 2 && rest[0] == b'0' && rest[1].eq_ignore_ascii_case(&b'x') {
        if let Some((magnitude, len, erange)) = hex_float(&rest[2..]) {
            return Strtod {
                value: signed(magnitude),
                len: at + 2 + len,
                erange,
            };
        }
        // "0x" with no hex digit after it: the "0" alone is the number.
    }
    let Some(len) = decimal_len(rest) else {
        return NOTHING;
    };
    let text = &rest[..len];
    // The scan above accepted only ASCII digits, '.', 'e', and signs: Rust's parser
    // takes exactly this grammar and rounds correctly, as glibc does.
    let magnitude: f64 = std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0);
    let mantissa_end = text
        .iter()
        .position(|c| c.eq_ignore_ascii_case(&b'e'))
        .unwrap_or(len);
    let nonzero = text[..mantissa_end]
        .iter()
        .any(|c| (b'1'..=b'9').contains(c));
    Strtod {
        value: signed(magnitude),
        len: at + len,
        erange: magnitude.is_infinite() || (magnitude == 0.0 && nonzero),
    }
}

/// Length of the decimal float at the start of `s`: digits, an optional '.' and digits
/// (at least one digit in all), then an exponent only if it has a digit. None if `s`
/// does not start with one.
fn decimal_len(s: &[u8]) -> Option<usize> {
    let digits_from = |i: usize| s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_digits = digits_from(0);
    let mut len = int_digits;
    let mut frac_digits = 0;
    if s.get(len) == Some(&b'.') {
        frac_digits = digits_from(len + 1);
        len += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    Some(len + exponent_len(&s[len..], b'e'))
}

/// Length of an exponent (`marker`, optional sign, at least one digit) at the start of
/// `s`, or 0 when there is none or it is incomplete.
fn exponent_len(s: &[u8], marker: u8) -> usize {
    if !s.first().is_some_and(|c| c.eq_ignore_ascii_case(&marker)) {
        return 0;
    }
    let sign = usize::from(matches!(s.get(1), Some(b'+' | b'-')));
    let digits = s[1 + sign..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 {
        0
    } else {
        1 + sign + digits
    }
}

/// The hexadecimal float after "0x": hex digits, an optional '.' and hex digits (at least
/// one in all), an optional binary exponent `p[sign]digits`. Returns the magnitude,
/// correctly rounded (to nearest, ties to even, subnormals included), the length read,
/// and the ERANGE flag as in [`Strtod`].
fn hex_float(s: &[u8]) -> Option<(f64, usize, bool)> {
    // The significand's leading 60 bits, exactly, and whether any 1 bit followed.
    let mut significand: u64 = 0;
    let mut sticky = false;
    // The value is significand * 2^exp2 (plus the sticky bits below it).
    let mut exp2: i64 = 0;
    let mut digits = 0;
    let mut i = 0;
    let mut after_point = false;
    while i < s.len() {
        let c = s[i];
        if c == b'.' && !after_point {
            after_point = true;
        } else if let Some(d) = (c as char).to_digit(16) {
            digits += 1;
            if significand >> 56 == 0 {
                significand = significand << 4 | u64::from(d);
                if after_point {
                    exp2 -= 4;
                }
            } else {
                sticky |= d != 0;
                if !after_point {
                    exp2 += 4;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    let exp_len = exponent_len(&s[i..], b'p');
    if exp_len > 0 {
        let text = &s[i + 1..i + exp_len];
        let (negative, digits) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        // Beyond a few thousand the exponent only decides inf or 0: clamp, stay in i64.
        let magnitude = digits
            .iter()
            .fold(0i64, |e, d| (e * 10 + i64::from(d - b'0')).min(1 << 20));
        exp2 += if negative { -magnitude } else { magnitude };
        i += exp_len;
    }
    if significand == 0 {
        return Some((0.0, i, false));
    }
    // Normalise to bit 63 set, folding the sticky bits into bit 0 (below any rounding
    // position: at least 11 bits are always dropped).
    let shift = significand.leading_zeros();
    let mantissa = significand << shift | u64::from(sticky);
    let exp2 = exp2 - i64::from(shift);
    // The value is mantissa * 2^exp2 with mantissa in [2^63, 2^64): its binary exponent.
    let top = exp2 + 63;
    if top > 1023 {
        return Some((f64::INFINITY, i, true));
    }
    // Significant bits kept: 53 for normals, fewer for subnormals, possibly none.
    let keep = if top >= -1022 { 53 } else { 53 - (-1022 - top) }.max(0);
    let drop = 64 - keep as u32;
    let wide = u128::from(mantissa);
    let mut kept = (wide >> drop) as u64;
    let rest = wide & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    if rest > half || (rest == half && kept & 1 == 1) {
        kept += 1;
    }
    let value = kept as f64 * pow2(exp2 + i64::from(drop));
    let erange = value.is_infinite() || value == 0.0;
    Some((value, i, erange))
}

/// 2^n as an exact f64, for n from -1074 (the least subnormal) to 1023.
fn pow2(n: i64) -> f64 {
    match n {
        n if n > 1023 => f64::INFINITY,
        -1022..=1023 => f64::from_bits(((n + 1023) as u64) << 52),
        -1074..=-1023 => f64::from_bits(1u64 << (n + 1074)),
        _ => 0.0,
    }
}

/// Redis's `string2d` (and `getDoubleFromObject`): the whole of `s` is one number for
/// `strtod`, with no leading space, and it is neither NaN nor out of range (an overflow
/// to infinity or an underflow to zero; a literal `inf` is fine).
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.first().is_none_or(|&c| is_space(c)) {
        return None;
    }
    let r = strtod(s);
    if r.len != s.len() || r.erange || r.value.is_nan() {
        return None;
    }
    Some(r.value)
}

/// A double as Redis 7.0.15's `addReplyDouble` (and `d2string`) prints it: C's `"%.17g"`, except that the
/// infinities are spelled `inf` and `-inf` on every platform. (7.2 switched to the
/// shortest round-trip form; 7.0 prints `1.1` as `1.1000000000000001`.) NaN prints as
/// glibc does, `nan` or `-nan`; Redis itself never replies with a NaN.
pub fn d2string(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    // `{:.16e}` gives exactly 17 significant digits, correctly rounded (ties to even on the
    // exact binary value, as glibc's printf): "d.dddddddddddddddde<exp>".
    let sci = format!("{:.16e}", d);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(24);
    if negative {
        out.push('-');
    }
    // %g: plain notation when -4 <= exponent < precision (17), else exponent notation;
    // trailing zeros of the fraction are dropped, and the point with them if none is left.
    if (-4..17).contains(&exp) {
        if exp >= 0 {
            let point = exp as usize + 1;
            out.push_str(&digits[..point]);
            let frac = digits[point..].trim_end_matches('0');
            if !frac.is_empty() {
                out.push('.');
                out.push_str(frac);
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(digits.trim_end_matches('0'));
        }
    } else {
        out.push_str(&digits[..1]);
        let frac = digits[1..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        // C prints at least two exponent digits, with a sign.
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_matches_glibc() {
        // (input, bits of the value, bytes read, ERANGE with an infinite or zero result),
        // from glibc 2.x's strtod called through Python's ctypes on the same input.
        let cases: &[(&[u8], u64, usize, bool)] = &[
            (&b""[..], 0x0000000000000000, 0, false),
            (&b"  "[..], 0x0000000000000000, 0, false),
            (&b" \x0b12abc"[..], 0x4028000000000000, 4, false),
            (&b"1.5e3x"[..], 0x4097700000000000, 5, false),
            (&b"1e"[..], 0x3ff0000000000000, 1, false),
            (&b"1e+"[..], 0x3ff0000000000000, 1, false),
            (&b"-.5"[..], 0xbfe0000000000000, 3, false),
            (&b"5."[..], 0x4014000000000000, 2, false),
            (&b"."[..], 0x0000000000000000, 0, false),
            (&b"-"[..], 0x0000000000000000, 0, false),
            (&b"+inf"[..], 0x7ff0000000000000, 4, false),
            (&b"-infinity"[..], 0xfff0000000000000, 9, false),
            (&b"infinit"[..], 0x7ff0000000000000, 3, false),
            (&b"INF"[..], 0x7ff0000000000000, 3, false),
            (&b"nan"[..], 0x7ff8000000000000, 3, false),
            (&b"-nan(abc_1)"[..], 0xfff8000000000000, 11, false),
            (&b"nan(abc"[..], 0x7ff8000000000000, 3, false),
            (&b"0x"[..], 0x0000000000000000, 1, false),
            (&b"0x1p-2"[..], 0x3fd0000000000000, 6, false),
            (&b"0X1.8P+1"[..], 0x4008000000000000, 8, false),
            (&b"0x.8"[..], 0x3fe0000000000000, 4, false),
            (&b"0x1p"[..], 0x3ff0000000000000, 3, false),
            (&b"0x1p-1074"[..], 0x0000000000000001, 9, false),
            (&b"0x1p-1075"[..], 0x0000000000000000, 9, true),
            (
                &b"0x1.0000000000001p-1075"[..],
                0x0000000000000001,
                23,
                false,
            ),
            (
                &b"0x1.fffffffffffff8p1023"[..],
                0x7ff0000000000000,
                23,
                true,
            ),
            (
                &b"0x1.fffffffffffff7ffp1023"[..],
                0x7fefffffffffffff,
                25,
                false,
            ),
            (
                &b"0x123456789abcdef123p0"[..],
                0x44323456789abcdf,
                22,
                false,
            ),
            (&b"0x1.00000000000008p0"[..], 0x3ff0000000000000, 20, false),
            (
                &b"0x1.000000000000080000001p0"[..],
                0x3ff0000000000001,
                27,
                false,
            ),
            (&b"0x1.00000000000018p0"[..], 0x3ff0000000000002, 20, false),
            (
                &b"0x0.0000000000000000000000000001p+100"[..],
                0x3f30000000000000,
                37,
                false,
            ),
            (&b"0x8p-1078"[..], 0x0000000000000000, 9, true),
            (&b"0xcp-1077"[..], 0x0000000000000002, 9, false),
            (&b"1e400"[..], 0x7ff0000000000000, 5, true),
            (&b"-1e400"[..], 0xfff0000000000000, 6, true),
            (&b"1e-400"[..], 0x0000000000000000, 6, true),
            (&b"4.9e-324"[..], 0x0000000000000001, 8, false),
            (
                &b"2.4703282292062328e-324"[..],
                0x0000000000000001,
                23,
                false,
            ),
            (&b"0e-99999"[..], 0x0000000000000000, 8, false),
            (&b"1e99999999999999999999"[..], 0x7ff0000000000000, 22, true),
            (
                &b"123456789012345678901234567890"[..],
                0x45f8ee90ff6c373e,
                30,
                false,
            ),
            (&b"0.1"[..], 0x3fb999999999999a, 3, false),
            (&b"1_000"[..], 0x3ff0000000000000, 1, false),
            (&b"12\x0034"[..], 0x4028000000000000, 2, false),
            (&b"0x1g"[..], 0x3ff0000000000000, 3, false),
            (&b"00012"[..], 0x4028000000000000, 5, false),
            (&b"1e0001"[..], 0x4024000000000000, 6, false),
            (&b"-0"[..], 0x8000000000000000, 2, false),
            (&b"\xff1"[..], 0x0000000000000000, 0, false),
        ];
        for &(input, bits, len, erange) in cases {
            let got = strtod(input);
            let want_nan = f64::from_bits(bits).is_nan();
            assert!(
                (want_nan
                    && got.value.is_nan()
                    && got.value.is_sign_negative() == (bits >> 63 == 1))
                    || got.value.to_bits() == bits,
                "{input:?}: {:#x} want {bits:#x}",
                got.value.to_bits()
            );
            assert_eq!((got.len, got.erange), (len, erange), "{input:?}");
        }
    }

    #[test]
    fn strtod_is_linear() {
        // The old DEBUG SLEEP parser tried every prefix: a megabyte took minutes.
        let long = "1".repeat(1 << 20) + "x";
        let got = strtod(long.as_bytes());
        assert_eq!(got.len, 1 << 20);
        assert!(got.value.is_infinite() && got.erange);
    }

    #[test]
    fn string2d_follows_redis() {
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
            ("4.9e-324", 5e-324),
        ] {
            assert_eq!(string2d(s.as_bytes()), Some(v), "{s}");
        }
        for s in [
            "", " 1", "1 ", "nan", "1e400", "1e-400", "abc", "1e", "0x", "--1", "1\0", "\u{b}1",
        ] {
            assert_eq!(string2d(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn doubles_match_redis_7_0() {
        // Seen from redis-server 7.0.15 (ZADD then ZSCORE, RESP2 and RESP3).
        for (d, text) in [
            (1.1, "1.1000000000000001"),
            (3.0, "3"),
            (1e20, "1e+20"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            // A tie at the 17th digit: glibc rounds half to even.
            (f64::from_bits(0x431fffffffffffff - 2), "2251799813685247.2"),
        ] {
            assert_eq!(d2string(d), text);
        }
        assert_eq!(d2string(f64::NAN), "nan");
    }

    #[test]
    fn doubles_match_c_printf() {
        // Produced by Python's '%.17g' (correctly rounded like glibc), incl. random bit patterns.
        let cases: &[(f64, &str)] = &[
            (f64::from_bits(0x0000000000000000), "0"),
            (f64::from_bits(0x8000000000000000), "-0"),
            (f64::from_bits(0x3ff0000000000000), "1"),
            (f64::from_bits(0xbff8000000000000), "-1.5"),
            (f64::from_bits(0x3fb999999999999a), "0.10000000000000001"),
            (f64::from_bits(0x3ff199999999999a), "1.1000000000000001"),
            (f64::from_bits(0x4341c37937e08000), "10000000000000000"),
            (f64::from_bits(0x4376345785d8a000), "1e+17"),
            (f64::from_bits(0x437b69b4ba630f35), "1.2345678901234568e+17"),
            (f64::from_bits(0x3f1a36e2eb1c432d), "0.0001"),
            (f64::from_bits(0x3ee4f8b588e368f1), "1.0000000000000001e-05"),
            (f64::from_bits(0x3f202e4b6ce5dc68), "0.00012344999999999999"),
            (f64::from_bits(0x431ffffffffffffd), "2251799813685247.2"),
            (f64::from_bits(0x431fffffffffffff), "2251799813685247.8"),
            (
                f64::from_bits(0x0000000000000001),
                "4.9406564584124654e-324",
            ),
            (
                f64::from_bits(0x7fefffffffffffff),
                "1.7976931348623157e+308",
            ),
            (f64::from_bits(0x4008000000000000), "3"),
            (f64::from_bits(0x4059000000000000), "100"),
            (f64::from_bits(0x444b1ae4d6e2ef50), "1e+21"),
            (f64::from_bits(0x40c81cd6c8b43958), "12345.678"),
            (f64::from_bits(0x4376345785d8a000), "1e+17"),
            (f64::from_bits(0x4376345785d89fff), "99999999999999984"),
            (f64::from_bits(0x3fd3333333333333), "0.29999999999999999"),
            (
                f64::from_bits(0xf2a74de452e6b438),
                "-1.989032661366619e+244",
            ),
            (f64::from_bits(0xc1254f7b4de6bc41), "-698301.65215099615"),
            (f64::from_bits(0x0c5c7fd0a6a3a450), "3.980498358697587e-249"),
            (f64::from_bits(0xc12a18aeda73d2dc), "-855127.42666491447"),
            (
                f64::from_bits(0x1818e811892f902b),
                "1.3647584518757569e-192",
            ),
            (f64::from_bits(0xc1106538aa29bbfe), "-268622.16617482889"),
            (
                f64::from_bits(0xe8e25d940ed90475),
                "-1.7160537630466207e+197",
            ),
            (f64::from_bits(0x40cd0bbbb24d45c0), "14871.466378840501"),
            (
                f64::from_bits(0x1600a35a099950d8),
                "1.0613447212142254e-202",
            ),
            (f64::from_bits(0xc10033250fb807b4), "-132708.63267522829"),
            (f64::from_bits(0x3d9c172411e20b8f), "6.3870161585135632e-12"),
            (f64::from_bits(0xc128fb1bf255fc60), "-818573.9733122699"),
            (
                f64::from_bits(0x0f21ddb66cad4a26),
                "8.7797532256802712e-236",
            ),
            (f64::from_bits(0x4123f3107faa06d8), "653704.24934407603"),
            (
                f64::from_bits(0xf28c105d1fb17c23),
                "-5.9881801593860111e+243",
            ),
            (f64::from_bits(0xc120e464243e0f0c), "-553522.07078597089"),
            (
                f64::from_bits(0x953f48f1a09f76b5),
                "-2.4361176994848409e-206",
            ),
            (f64::from_bits(0x412b5373c5137304), "895417.88491401123"),
            (
                f64::from_bits(0x95e60af593bd04cf),
                "-3.5152797062666699e-203",
            ),
            (f64::from_bits(0xc109397867d49564), "-206639.05069843971"),
            (f64::from_bits(0x3898d190f9ebdacc), "4.6678633181812096e-36"),
            (f64::from_bits(0xc12baca5470c238f), "-906834.63876448746"),
            (
                f64::from_bits(0x2217beaddbc496cb),
                "1.9015657400796622e-144",
            ),
            (f64::from_bits(0xc119aeb5b597bcf6), "-420781.42733664752"),
            (
                f64::from_bits(0x8a6a63ec24ede6a4),
                "-1.7163996725272777e-258",
            ),
            (f64::from_bits(0xc12753ff0c352f28), "-764415.52384326328"),
            (
                f64::from_bits(0x8f6d05584ef8aa38),
                "-2.2818334634712625e-234",
            ),
            (f64::from_bits(0x41234b796fbd2958), "632252.71824006271"),
            (
                f64::from_bits(0x1a61dbe22e44158b),
                "1.3449551894627777e-181",
            ),
            (f64::from_bits(0x4103ec029e5c88c0), "163200.32732493244"),
            (f64::from_bits(0x301850c5a38fd547), "5.2498223088143036e-77"),
            (f64::from_bits(0xc10f272750fed2dc), "-255204.91454853758"),
            (
                f64::from_bits(0xb64ce4228c38fb29),
                "-3.9536256982247919e-47",
            ),
            (f64::from_bits(0xc12aaf6c19a097da), "-874422.05005335365"),
            (
                f64::from_bits(0x9e7769b10f4205b4),
                "-6.5051418615487723e-162",
            ),
            (f64::from_bits(0xc121f2652612b0c2), "-588082.57436134689"),
            (
                f64::from_bits(0x881ed162ae2eb154),
                "-1.4583679262758548e-269",
            ),
            (f64::from_bits(0xc101ad7b1bfa6674), "-144815.38866119424"),
            (
                f64::from_bits(0x7731af10506bf2ef),
                "1.4255183989699612e+266",
            ),
            (f64::from_bits(0x4104e39dd0ed62c0), "171123.72701527737"),
            (f64::from_bits(0x5c90a9587403e430), "7.750545741548908e+137"),
            (f64::from_bits(0xc1187148066c556e), "-400466.00627263531"),
            (f64::from_bits(0x2e05319acb5c7427), "5.3269600817830169e-87"),
            (f64::from_bits(0x41184a93784735a0), "397988.86745914258"),
            (
                f64::from_bits(0x14f4733f3e7d1bfb),
                "9.9526840090024479e-208",
            ),
            (f64::from_bits(0x41022b7b5d383238), "148847.42051734193"),
            (
                f64::from_bits(0x7ebff20686734721),
                "3.4229783989470719e+302",
            ),
            (f64::from_bits(0x4126e585fb7799d8), "750274.99114685785"),
            (
                f64::from_bits(0x72e6cc3ababced20),
                "3.1132849561694472e+245",
            ),
            (f64::from_bits(0xc119e2f1e18140fe), "-424124.47021962691"),
            (
                f64::from_bits(0x12bd4acefaecbd38),
                "2.0745096302730225e-218",
            ),
            (f64::from_bits(0xc1274fb8e3112197), "-763868.44349007576"),
            (
                f64::from_bits(0x2a3af4d46b0a18e8),
                "2.9383455973541661e-105",
            ),
            (f64::from_bits(0x411f63a76fbfe7cc), "514281.85913049872"),
            (
                f64::from_bits(0xeeeacbe226e87555),
                "-1.9837344250050814e+226",
            ),
            (f64::from_bits(0xc0d58e73239bda80), "-22073.799048388842"),
            (
                f64::from_bits(0xf646e1f40a097c97),
                "-5.629271400715247e+261",
            ),
            (f64::from_bits(0x411488beda2eb478), "336431.71306879027"),
            (
                f64::from_bits(0x8ede0d7ac3baea9e),
                "-4.6151547070255599e-237",
            ),
            (f64::from_bits(0x4101d41f0b604c58), "146051.88055476802"),
            (
                f64::from_bits(0xd17f9acae01f5057),
                "-3.8373366379117136e+84",
            ),
            (f64::from_bits(0xc116bc63e5afe5a4), "-372504.97430380643"),
            (
                f64::from_bits(0x59a54a7bb1fee08f),
                "7.0372547696645247e+123",
            ),
            (f64::from_bits(0x41070a1e089f4598), "188739.75421003695"),
            (
                f64::from_bits(0xcc011cdd9474031b),
                "-1.3427313830183207e+58",
            ),
            (f64::from_bits(0xc0f5625565fa9438), "-87589.337397173862"),
            (
                f64::from_bits(0x17f5e837d70820fe),
                "3.0010119427191346e-193",
            ),
            (f64::from_bits(0x412b24246163f9a4), "889362.19021587493"),
            (f64::from_bits(0xb2715945795e8229), "-1.029599445714058e-65"),
            (f64::from_bits(0x411409c1a4cfe7f8), "328304.41094934894"),
            (f64::from_bits(0xbb2d420f0f88080b), "-1.210084267904234e-23"),
            (f64::from_bits(0x411898a02ba1a760), "402984.04260884784"),
            (
                f64::from_bits(0x93f448b3a5aa3c81),
                "-1.5063173670565552e-212",
            ),
            (f64::from_bits(0x412e189fc2038a94), "986191.87893326813"),
            (
                f64::from_bits(0x72158370d269a9a5),
                "3.5862982565236525e+241",
            ),
            (f64::from_bits(0xc11a4b63be456c36), "-430808.93581170158"),
            (
                f64::from_bits(0xe315128862c33a4f),
                "-1.9881605394901064e+169",
            ),
            (f64::from_bits(0x41149665ba217d40), "337305.43176837638"),
            (
                f64::from_bits(0xf0ce583505c6af07),
                "-2.412056419517317e+235",
            ),
            (f64::from_bits(0xc0f2b416d6a1df98), "-76609.427400468267"),
        ];
        for (d, text) in cases {
            assert_eq!(d2string(*d), *text, "bits {:#x}", d.to_bits());
        }
    }
}
