//! INCRBYFLOAT's number type: an exact software model of C `long double` as Redis 7.0
//! sees it on x86-64, the x87 80-bit extended format (64-bit significand with an
//! explicit integer bit, 15-bit exponent, gradual underflow).
//!
//! Redis parses operands with `strtold` (util.c `string2ld`), adds them in `long double`
//! and prints the sum with `ld2string(.., LD_STR_HUMAN)`, i.e. `%.17Lf` with trailing
//! zeros trimmed. glibc rounds both conversions correctly (to nearest, ties to even) and
//! x87 addition is correctly rounded too, so every step here is computed exactly with a
//! small big integer and rounded once. That makes the result the same bits Redis gets,
//! on any CPU, without relying on the host's `long double`.

use super::ctype::is_space;
use std::cmp::Ordering;

/// Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs of this length or more.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

/// Significand width of the x87 extended format, integer bit included.
const MANT_BITS: i64 = 64;
/// Weight (as a power of two) of the last significand bit of subnormals and of the
/// smallest normals: 2^(1 - 16383 - 63).
const MIN_ULP_EXP: i64 = -16445;
/// Weight of the last significand bit of the largest finite values: 2^(16383 - 63).
const MAX_ULP_EXP: i64 = 16320;

/// A value of the x87 extended type.
#[derive(Clone, Copy, Debug)]
pub struct LongDouble {
    neg: bool,
    kind: Kind,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `mant * 2^exp`. Canonical: zero has `mant == 0`; normals have bit 63 set and
    /// `exp >= MIN_ULP_EXP`; subnormals have bit 63 clear and `exp == MIN_ULP_EXP`.
    /// Canonical form makes `exp` the weight of the last bit, which is what rounding
    /// and formatting work from.
    Finite {
        mant: u64,
        exp: i64,
    },
    Inf,
    Nan,
}

impl LongDouble {
    const fn zero(neg: bool) -> LongDouble {
        LongDouble {
            neg,
            kind: Kind::Finite { mant: 0, exp: 0 },
        }
    }

    const fn inf(neg: bool) -> LongDouble {
        LongDouble {
            neg,
            kind: Kind::Inf,
        }
    }

    const NAN: LongDouble = LongDouble {
        neg: false,
        kind: Kind::Nan,
    };

    /// Redis's string2ld: `strtold` must consume the whole string; a leading space,
    /// NaN, and out-of-range results (overflow to infinity, underflow to zero, which
    /// strtold flags with ERANGE) are refused. A literal "inf"/"infinity" is accepted:
    /// only the sum is checked for infinity, by the caller.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS || is_space(s[0]) {
            return None;
        }
        let (neg, body) = match s[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble::inf(neg));
        }
        // "nan" and "nan(...)" fall through and fail below: Redis rejects NaN anyway.
        let number = match body {
            [b'0', x, rest @ ..] if x.eq_ignore_ascii_case(&b'x') => parse_hex(rest)?,
            _ => parse_decimal(body)?,
        };
        let v = match number {
            // An exact zero is no range error, whatever the exponent ("0e-99999").
            Number::Binary(big, _) if big.is_zero() => return Some(LongDouble::zero(neg)),
            Number::Binary(big, exp2) => round(neg, &big, exp2, false),
            Number::Decimal(big, m) => decimal_to_binary(neg, big, m),
            // strtold's ERANGE cases, which string2ld refuses.
            Number::Overflow | Number::Underflow => return None,
        };
        match v.kind {
            Kind::Inf | Kind::Finite { mant: 0, .. } => None,
            _ => Some(v),
        }
    }

    /// `(long double)v`, exact: an i64 fits the 64-bit significand (HINCRBYFLOAT on an
    /// integer-encoded field).
    pub fn from_i64(v: i64) -> LongDouble {
        round(
            v < 0,
            &Big::from_u128(u128::from(v.unsigned_abs())),
            0,
            false,
        )
    }

    pub fn is_finite(self) -> bool {
        matches!(self.kind, Kind::Finite { .. })
    }

    /// ld2string with LD_STR_HUMAN: `%.17Lf`, trailing zeros (and a bare '.') trimmed,
    /// "-0" printed as "0". Infinities and NaN as ld2string spells them.
    pub fn to_redis_string(self) -> String {
        let (mant, exp) = match self.kind {
            Kind::Inf if self.neg => return "-inf".into(),
            Kind::Inf => return "inf".into(),
            Kind::Nan => return "nan".into(),
            Kind::Finite { mant, exp } => (mant, exp),
        };
        // The value times 10^17, rounded to an integer: its digits are %.17Lf's.
        let scaled = if exp >= 0 {
            // An integer: no fraction to round.
            let mut b = Big::from_u128(u128::from(mant)).shl(exp as u64);
            b.mul_pow5(17);
            b.shl(17).to_decimal()
        } else {
            // mant * 10^17 < 2^121 fits a u128; divide by 2^-exp rounding half to even,
            // as glibc's printf does on the exact binary value.
            let p = u128::from(mant) * 10u128.pow(17);
            let sh = exp.unsigned_abs();
            let q = if sh >= 128 {
                0 // p < 2^121 <= half of 2^sh: rounds to zero
            } else {
                let q = p >> sh;
                let r = p & ((1u128 << sh) - 1);
                let half = 1u128 << (sh - 1);
                if r > half || (r == half && q & 1 == 1) {
                    q + 1
                } else {
                    q
                }
            };
            q.to_string()
        };
        let digits = format!("{scaled:0>18}");
        let (int, frac) = digits.split_at(digits.len() - 17);
        let frac = frac.trim_end_matches('0');
        let mut out = String::with_capacity(digits.len() + 2);
        if self.neg {
            out.push('-');
        }
        out.push_str(int);
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        if out == "-0" {
            out = "0".into();
        }
        out
    }

    fn finite_parts(self) -> Option<(bool, u64, i64)> {
        match self.kind {
            Kind::Finite { mant, exp } => Some((self.neg, mant, exp)),
            _ => None,
        }
    }
}

impl std::ops::Neg for LongDouble {
    type Output = LongDouble;
    fn neg(self) -> LongDouble {
        LongDouble {
            neg: !self.neg,
            kind: self.kind,
        }
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;
    /// IEEE addition, exact then rounded once to nearest-even.
    fn add(self, o: LongDouble) -> LongDouble {
        let (Some((s1, m1, e1)), Some((s2, m2, e2))) = (self.finite_parts(), o.finite_parts())
        else {
            return match (self.kind, o.kind) {
                (Kind::Nan, _) | (_, Kind::Nan) => LongDouble::NAN,
                (Kind::Inf, Kind::Inf) if self.neg != o.neg => LongDouble::NAN,
                (Kind::Inf, _) => self,
                _ => o,
            };
        };
        if m1 == 0 && m2 == 0 {
            // -0 + -0 = -0; any other sum of zeros is +0 (round to nearest).
            return LongDouble::zero(s1 && s2);
        }
        if m1 == 0 {
            return o;
        }
        if m2 == 0 {
            return self;
        }
        // Align both on the smaller last-bit weight; the exponent gap is at most ~32800
        // bits, so the exact sum is a modest big integer.
        let emin = e1.min(e2);
        let a = Big::from_u128(u128::from(m1)).shl((e1 - emin) as u64);
        let b = Big::from_u128(u128::from(m2)).shl((e2 - emin) as u64);
        if s1 == s2 {
            return round(s1, &a.add(&b), emin, false);
        }
        match a.cmp(&b) {
            Ordering::Equal => LongDouble::zero(false), // x - x = +0
            Ordering::Greater => round(s1, &a.sub(&b), emin, false),
            Ordering::Less => round(s2, &b.sub(&a), emin, false),
        }
    }
}

impl std::ops::Sub for LongDouble {
    type Output = LongDouble;
    fn sub(self, o: LongDouble) -> LongDouble {
        self + (-o)
    }
}

impl std::ops::Mul for LongDouble {
    type Output = LongDouble;
    /// IEEE multiplication: the 128-bit product is exact, then rounded once.
    fn mul(self, o: LongDouble) -> LongDouble {
        let neg = self.neg != o.neg;
        match (self.kind, o.kind) {
            (Kind::Nan, _) | (_, Kind::Nan) => LongDouble::NAN,
            (Kind::Inf, Kind::Finite { mant: 0, .. })
            | (Kind::Finite { mant: 0, .. }, Kind::Inf) => LongDouble::NAN,
            (Kind::Inf, _) | (_, Kind::Inf) => LongDouble::inf(neg),
            (Kind::Finite { mant: m1, exp: e1 }, Kind::Finite { mant: m2, exp: e2 }) => {
                let p = u128::from(m1) * u128::from(m2);
                if p == 0 {
                    return LongDouble::zero(neg);
                }
                round(neg, &Big::from_u128(p), e1 + e2, false)
            }
        }
    }
}

/// Exponent digits beyond this cannot change the outcome (inputs are under 5120 bytes,
/// so the digits can shift the value by only ~5120 decades); clamping keeps the
/// arithmetic in i64.
const EXP_CLAMP: i64 = 1_000_000_000;

/// Parses an optional exponent after the mantissa: `marker`, optional sign, at least one
/// decimal digit, then the end of input. strtold would stop before an incomplete
/// exponent, leaving trailing garbage that string2ld rejects, so that is `None` too.
fn parse_exponent(s: &[u8], marker: u8) -> Option<i64> {
    let Some((&m, rest)) = s.split_first() else {
        return Some(0);
    };
    if !m.eq_ignore_ascii_case(&marker) {
        return None;
    }
    let (neg, digits) = match rest {
        [b'-', d @ ..] => (true, d),
        [b'+', d @ ..] => (false, d),
        d => (false, d),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mag = digits.iter().fold(0i64, |acc, &d| {
        (acc * 10 + i64::from(d - b'0')).min(EXP_CLAMP)
    });
    Some(if neg { -mag } else { mag })
}

/// Splits `int[.frac]` at the first byte that is not a `radix` digit. Returns the digit
/// values (integer then fraction), the fraction length and the rest of the input.
fn split_mantissa(s: &[u8], radix: u32) -> Option<(Vec<u8>, i64, &[u8])> {
    let digit = |c: u8| char::from(c).to_digit(radix).map(|d| d as u8);
    let mut digits = Vec::new();
    let mut i = 0;
    while let Some(d) = s.get(i).and_then(|&c| digit(c)) {
        digits.push(d);
        i += 1;
    }
    let mut frac_len = 0i64;
    if s.get(i) == Some(&b'.') {
        i += 1;
        while let Some(d) = s.get(i).and_then(|&c| digit(c)) {
            digits.push(d);
            frac_len += 1;
            i += 1;
        }
    }
    if digits.is_empty() {
        return None; // "", ".", "e5": no conversion at all
    }
    Some((digits, frac_len, &s[i..]))
}

/// A parsed literal before rounding.
enum Number {
    /// `big * 2^exp`.
    Binary(Big, i64),
    /// `big / 10^m`, `m > 0`.
    Decimal(Big, u64),
    /// Certainly beyond the largest finite value.
    Overflow,
    /// Nonzero but certainly below half the smallest subnormal.
    Underflow,
}

/// A decimal mantissa with optional `e` exponent.
fn parse_decimal(s: &[u8]) -> Option<Number> {
    let (digits, frac_len, rest) = split_mantissa(s, 10)?;
    let mut exp10 = parse_exponent(rest, b'e')? - frac_len;
    // Trailing zeros only scale by ten: fold them into the exponent to keep numbers small.
    let sig_end = digits.iter().rposition(|&d| d != 0).map_or(0, |p| p + 1);
    exp10 += (digits.len() - sig_end) as i64;
    let sig_start = digits.iter().position(|&d| d != 0).unwrap_or(sig_end);
    let sig = &digits[sig_start..sig_end];
    if sig.is_empty() {
        return Some(Number::Binary(Big::zero(), 0));
    }
    // The value lies in [10^(n+exp10-1), 10^(n+exp10)). The largest finite value is
    // ~1.19e4932 and half the smallest subnormal ~1.8e-4951, so beyond these bounds the
    // outcome is known, and within them 10^|exp10| stays a few thousand digits.
    let n = sig.len() as i64;
    if n + exp10 > 4933 {
        return Some(Number::Overflow);
    }
    if n + exp10 <= -4951 {
        return Some(Number::Underflow);
    }
    let mut big = Big::zero();
    for chunk in sig.chunks(9) {
        let v = chunk.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d));
        big.mul_add_small(10u32.pow(chunk.len() as u32), v);
    }
    if exp10 >= 0 {
        // D * 10^k = D * 5^k * 2^k: an exact integer, rounded by `round`.
        big.mul_pow5(exp10.unsigned_abs());
        return Some(Number::Binary(big, exp10));
    }
    Some(Number::Decimal(big, exp10.unsigned_abs()))
}

/// A hex mantissa (after "0x") with optional binary `p` exponent.
fn parse_hex(s: &[u8]) -> Option<Number> {
    let (digits, frac_len, rest) = split_mantissa(s, 16)?;
    let exp2 = parse_exponent(rest, b'p')? - 4 * frac_len;
    let mut big = Big::zero();
    for &d in digits.iter().skip_while(|&&d| d == 0) {
        big.mul_add_small(16, u32::from(d));
    }
    Some(Number::Binary(big, exp2))
}

/// `d / 10^m`, correctly rounded: d / 5^m * 2^-m, with the quotient computed to 65+
/// bits and the remainder kept as a sticky bit.
fn decimal_to_binary(neg: bool, d: Big, m: u64) -> LongDouble {
    let mut den = Big::from_u128(1);
    den.mul_pow5(m);
    // Scale so the quotient has exactly 66 or 67 bits: enough for 64 significand bits,
    // the rounding bit, and an exact sticky bit from the remainder.
    let shift = 66 - (d.bit_len() as i64 - den.bit_len() as i64);
    let (mut rem, den) = if shift >= 0 {
        (d.shl(shift as u64), den)
    } else {
        (d, den.shl(shift.unsigned_abs()))
    };
    let mut q = 0u128;
    for i in (0..=66u64).rev() {
        let t = den.shl(i);
        if rem.cmp(&t) != Ordering::Less {
            rem = rem.sub(&t);
            q |= 1u128 << i;
        }
    }
    round(neg, &Big::from_u128(q), -shift - m as i64, !rem.is_zero())
}

/// Rounds `n * 2^e` (plus a positive amount below the last bit of `n` when `sticky`) to
/// the extended format: nearest, ties to even, with gradual underflow and overflow to
/// infinity.
fn round(neg: bool, n: &Big, e: i64, sticky: bool) -> LongDouble {
    let bl = n.bit_len() as i64;
    if bl == 0 {
        return LongDouble::zero(neg);
    }
    // Weight of the last kept bit: 64 bits below the top, but never below the
    // subnormal quantum.
    let mut ulp = (bl + e - MANT_BITS).max(MIN_ULP_EXP);
    if ulp > MAX_ULP_EXP {
        return LongDouble::inf(neg);
    }
    let shift = ulp - e;
    let mant = if shift <= 0 {
        // Exact: n has at most 64 - |shift| bits here.
        n.low_u64() << shift.unsigned_abs()
    } else {
        let sh = shift as u64;
        let mant = n.bits_from(sh);
        let half = n.bit(sh - 1);
        let rest = sticky || n.any_below(sh - 1);
        if half && (rest || mant & 1 == 1) {
            mant.checked_add(1).unwrap_or_else(|| {
                // Carried out of 64 bits: 2^64 * 2^ulp = 2^63 * 2^(ulp+1).
                ulp += 1;
                1 << 63
            })
        } else {
            mant
        }
    };
    if ulp > MAX_ULP_EXP {
        return LongDouble::inf(neg);
    }
    if mant == 0 {
        return LongDouble::zero(neg);
    }
    LongDouble {
        neg,
        kind: Kind::Finite { mant, exp: ulp },
    }
}

/// Unsigned big integer, little-endian 32-bit limbs, no high zero limbs.
#[derive(Clone, Debug)]
struct Big(Vec<u32>);

impl Big {
    fn zero() -> Big {
        Big(Vec::new())
    }

    fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v != 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big(limbs)
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn trim(mut self) -> Big {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(&top) => self.0.len() as u64 * 32 - u64::from(top.leading_zeros()),
        }
    }

    fn bit(&self, i: u64) -> bool {
        let limb = usize::try_from(i / 32).ok().and_then(|l| self.0.get(l));
        limb.is_some_and(|&l| (l >> (i % 32)) & 1 == 1)
    }

    /// Whether any bit below position `i` is set.
    fn any_below(&self, i: u64) -> bool {
        let full = usize::try_from(i / 32).unwrap_or(usize::MAX);
        if self.0.iter().take(full).any(|&l| l != 0) {
            return true;
        }
        let part = (i % 32) as u32;
        part != 0
            && self
                .0
                .get(full)
                .is_some_and(|&l| l & ((1 << part) - 1) != 0)
    }

    /// The 64 bits starting at position `lo`.
    fn bits_from(&self, lo: u64) -> u64 {
        (0..64u64)
            .filter(|&k| self.bit(lo.saturating_add(k)))
            .fold(0, |acc, k| acc | 1 << k)
    }

    fn low_u64(&self) -> u64 {
        self.bits_from(0)
    }

    fn mul_add_small(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let t = u64::from(*limb) * u64::from(m) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow5(&mut self, mut k: u64) {
        const FIVE_13: u32 = 1_220_703_125; // the largest power of five in a u32
        while k >= 13 {
            self.mul_add_small(FIVE_13, 0);
            k -= 13;
        }
        self.mul_add_small(5u32.pow(k as u32), 0);
    }

    fn shl(&self, bits: u64) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let limbs = (bits / 32) as usize;
        let sh = (bits % 32) as u32;
        let mut out = vec![0u32; limbs];
        out.reserve(self.0.len() + 1);
        let mut carry = 0u32;
        for &l in &self.0 {
            out.push((l << sh) | carry);
            carry = if sh == 0 { 0 } else { l >> (32 - sh) };
        }
        out.push(carry);
        Big(out).trim()
    }

    fn cmp(&self, o: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&o.0.len())
            .then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }

    fn add(&self, o: &Big) -> Big {
        let (long, short) = if self.0.len() >= o.0.len() {
            (self, o)
        } else {
            (o, self)
        };
        let mut out = Vec::with_capacity(long.0.len() + 1);
        let mut carry = 0u64;
        for (i, &l) in long.0.iter().enumerate() {
            let t = u64::from(l) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            out.push(t as u32);
            carry = t >> 32;
        }
        out.push(carry as u32);
        Big(out).trim()
    }

    /// `self - o`; callers guarantee `self >= o`.
    fn sub(&self, o: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for (i, &l) in self.0.iter().enumerate() {
            let mut t = i64::from(l) - i64::from(o.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(t < 0);
            if t < 0 {
                t += 1 << 32;
            }
            out.push(t as u32);
        }
        Big(out).trim()
    }

    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / u64::from(d)) as u32;
            rem = cur % u64::from(d);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        rem as u32
    }

    fn to_decimal(&self) -> String {
        // Nine digits per division keeps a ~5000-digit value to a few hundred passes.
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut out = chunks
            .pop()
            .map_or_else(|| "0".to_string(), |c| c.to_string());
        for c in chunks.iter().rev() {
            out.push_str(&format!("{c:09}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::LongDouble;

    fn ld(s: &str) -> LongDouble {
        LongDouble::parse(s.as_bytes()).unwrap_or_else(|| panic!("parse {s:?}"))
    }

    fn fmt(s: &str) -> String {
        ld(s).to_redis_string()
    }

    /// Runs INCRBYFLOAT steps from 0 and returns each reply as Redis would print it.
    fn incr_steps(steps: &[&str]) -> Vec<String> {
        let mut cur = ld("0");
        steps
            .iter()
            .map(|s| {
                cur = cur + ld(s);
                cur.to_redis_string()
            })
            .collect()
    }

    #[test]
    fn human_format() {
        assert_eq!(fmt("3.0e3"), "3000");
        assert_eq!(fmt("10.5"), "10.5");
        assert_eq!(fmt("-0"), "0");
        assert_eq!(fmt("1e-20"), "0");
        assert_eq!(fmt("-1e-20"), "0");
        assert_eq!(fmt("1.5e-5"), "0.000015");
        assert_eq!(fmt("0x1p3"), "8");
        assert_eq!(fmt("inf"), "inf");
        assert_eq!(fmt("-Infinity"), "-inf");
    }

    #[test]
    fn parse_rejects() {
        for bad in [
            "",
            " 1",
            "1 ",
            "\x0b1",
            "nan",
            "-nan",
            "NaN(1)",
            "1e",
            "1e+",
            ".",
            "-",
            "0x",
            "0x1p",
            "0x.p1",
            "infin",
            "1.2.3",
            "1e5000",
            "-1e5000",
            "1e-5000",
            "0x1p99999",
            "0x1p-99999",
            "1.18973149535723176509e4932",
            "1\x000",
            "- 1",
            "abc",
        ] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad:?}");
        }
        // string2ld's buffer: 5119 bytes is the longest input it takes.
        let long = |n: usize| format!("0.{}", "1".repeat(n - 2));
        assert_eq!(fmt(&long(5119)), "0.11111111111111111");
        assert!(LongDouble::parse(long(5120).as_bytes()).is_none());
        // Exact zeros are fine with any exponent; subnormals are accepted.
        for ok in ["0e-5000", "-0e99999", "1e-4940", ".5", "5.", "+1", "INF"] {
            assert!(LongDouble::parse(ok.as_bytes()).is_some(), "{ok:?}");
        }
    }

    /// Expected strings observed from redis-server 7.0.15 on x86-64.
    #[test]
    fn matches_redis() {
        let tenths: Vec<String> = (1..=10).map(|i| format!("{}", i as f64 / 10.0)).collect();
        let mut expect: Vec<&str> = tenths.iter().map(String::as_str).collect();
        expect.push("3001");
        let mut steps = vec!["0.1"; 10];
        steps.push("3.0e3");
        assert_eq!(incr_steps(&steps), expect);

        assert_eq!(
            incr_steps(&["0.1", "0.1", "0.1", "3.0e3"]),
            ["0.1", "0.2", "0.3", "3000.30000000000000004"]
        );
        let cases: &[(&[&str], &str)] = &[
            (&["5.0e-3", "1.1"], "1.105"),
            (&["1.1"], "1.1"),
            (&["-1.1"], "-1.1"),
            (&["0.000015"], "0.000015"),
            (&["1e-5"], "0.00001"),
            (&["1e20"], "100000000000000000000"),
            (&["123456789012345678901234567890"], "123456789012345678899921813504"),
            (&["0x1p3", "0x1.8p-1", "0X.8P1"], "9.75"),
            (&["10.5", "0.5"], "11"),
            (&["0", "-0"], "0"),
            (&["-0", "-0"], "0"),
            (&["-0.0"], "0"),
            // Exact ties at the 17th decimal round half to even.
            (&["0.000003814697265625"], "0.00000381469726562"),
            (&["0.000011444091796875"], "0.00001144409179688"),
            (&["-0.000003814697265625"], "-0.00000381469726562"),
            (&["1e-4940"], "0"),
            (&["9223372036854775807", "1"], "9223372036854775808"),
            (&["9223372036854775807", "1", "0.5"], "9223372036854775808"),
            (&["12345678.123456789"], "12345678.12345678899964696"),
            (&["1e17", "0.1"], "100000000000000000.1015625"),
            (&["0.1e1"], "1"),
            (&["-1.5"], "-1.5"),
            (
                &["1.7976931348623157e308", "1.7976931348623157e308"],
                "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768",
            ),
        ];
        for (steps, want) in cases {
            assert_eq!(
                incr_steps(steps).last().map(String::as_str),
                Some(*want),
                "{steps:?}"
            );
        }
        // 1e308 added eleven times: no overflow in the extended range.
        let sums = incr_steps(&["1e308"; 11]);
        assert!(sums[0].starts_with("9999999999999999999668587965584564566056009984741556720779704799492173486883806187210012692188853932044674722505401322315213474959396058359742081443019641876795910001960319077866310960450710666793915339578893891456054356306126836490161863021708658925344488162379130085575731814242451045272825504634392857804"));
        assert_eq!(sums[0].len(), 308);
        assert!(sums[10].starts_with("10999999999999999999927806182485020995072212454851968042183962085169241061378223999647402422130732108323110646732401762323493969942277924241220064683277698885872840621045730588238880387494475924369430563201484890052243779741116071505388617261641371066251327887081112062518137159759824476212562912797589566914"));
        assert_eq!(sums[10].len(), 310);
    }

    #[test]
    fn extremes() {
        // The largest finite value parses and prints its 4933-digit expansion; half an
        // ulp more overflows.
        let max = ld("1.18973149535723176502e4932");
        let s = max.to_redis_string();
        assert_eq!(s.len(), 4933);
        assert!(s.starts_with("118973149535723176502126385303097020516906332229462420044032373389173700552297072261641029033652888285354569780749557731442744315367028843419812557385374367867359320070697326320191591828296152436552951064679108661431179063216977883889613478656060039914875343321145491116008867984515486651285234014977303760000912547939396622315138362241783854274391783813871780588948754057516822634765923557697480511372564902088485522249479139937758502601177354918009979622602685950855888360815984690023564513234659447638493985927645628457966177293040780660922910271504608538808795932778162298682754783076808004015069494230341172895777710033571401055977524212405734700738625166011082837911962300846927720096515350020847447079244384854591288672300061908512647211195136146752763351956292759795725027800298079590419313960302147099703527646744553092202267965628099149823208332964124103850923918473478612192169721054348428704835340811304257300221642134891734717423480071488075100206439051723424765600472176809648610799494341570347632064355862420744350442438056613601760883747816538902780957697597728686007148702828795556714140463261583262360276289631617397848425448686060994827086796804807870251185893083854658422304090880599629459458620190376604844679092600222541053077590106576067134720012584640695703025713896098375799892695455305236856075868317922311363951946885088077187210470520395758748001314313144425494391994017575316933939236688185618912993172910425292123683515992232205099800167710278403536014082929639811512287776813570604578934353545169653956125404884644716978689321167108722908808277835051822885764606221873970285165508372099234948333443522898475123275372663606621390228126470623407535207172405866507951821730346378263135339370677490195019784169044182473806316282858685774143258116536404021840272491339332094921949842244273042701987304453662035026238695780468200360144729199712309553005720614186697485284685618651483271597448120312194675168637934309618961510733006555242148519520176285859509105183947250286387163249416761380499631979144187025430270675849519200883791516940158174004671147787720145964446117520405945350476472180797576111172084627363927960033967047003761337450955318415007379641260504792325166135484129188421134082301547330475406707281876350361733290800595189632520707167390454777712968226520622565143991937680440029238090311243791261477625596469422198137514696707944687035800439250765945161837981185939204954403611491531078225107269148697980924094677214272701240437718740921675661363493890045123235166814608932240069799317601780533819184998193300841098599393876029260139091141452600372028487213241195542428210183120421610446740462163533690058366460659115629876474552506814500393294140413149540067760295100596225302282300363147382468105964844244132486457313743759509641616804802412935187620466813563687753281467553879887177183651289394719533506188500326760735438867336800207438784965701457609034985757124304510203873049485425670247933932280911052604153852899484920399109194612991249163328991799809438033787952209313146694614970593966415237594928589096048991612194498998638483702248667224914892467841020618336462741696957630763248023558797524525373703543388296086275342774001633343405508353704850737454481975472222897528108302089868263302028525992308416805453968791141829762998896457648276528750456285492426516521775079951625966922911497778896235667095662713848201819134832168799586365263762097828507009933729439678463987902491451422274252700636394232799848397673998715441855420156224415492665301451550468548925862027608576183712976335876121538256512963353814166394951655600026415918655485005705261143195291991880795452239464962763563017858089669222640623538289853586759599064700838568712381032959192649484625076899225841930548076362021508902214922052806984201835084058693849381549890944546197789302911357651677540623227829831403347327660395223160342282471752818181884430488092132193355086987339586127607367086665237555567580317149010847732009642431878007000879734603290627894355374356444885190719161645514115576193939969076741515640282654366402676009508752394550734155613586793306603174472092444651353236664764973540085196704077110364053815007348689179836404957060618953500508984091382686953509006678332447257871219660441528492484004185093281190896363417573989716659600075948780061916409485433875852065711654107226099628815012314437794400874930194474433078438899570184271000480830501217712356062289507626904285680004771889315808935851559386317665294808903126774702966254511086154895839508779675546413794489596052797520987481383976257859210575628440175934932416214833956535018919681138909184379573470326940634289008780584694035245347939808067427323629788710086717580253156130235606487870925986528841635097252953709111431720488774740553905400942537542411931794417513706468964386151771884986701034153254238591108962471088538580868883777725864856414593426212108664758848926003176234596076950884914966244415660441955208681198977024"));
        assert!(!(max + max).is_finite());
        assert!(!(max * ld("2")).is_finite());
        assert!((max - max).is_finite());
        // 1.797...e308 (double's max) doubled stays finite in the extended range.
        assert!((ld("1.7976931348623157e308") * ld("1e10")).is_finite());
        // Smallest subnormal: 2^-16445; halving it rounds to even (zero), 0.75 of it up.
        let tiny = ld("0x1p-16445");
        assert_eq!((tiny * ld("0.5")).to_redis_string(), "0");
        assert!(LongDouble::parse(b"0x1p-16446").is_none());
        assert!(LongDouble::parse(b"0x1.8p-16446").is_some());
        assert_eq!(
            format!("{:?}", tiny + tiny),
            format!("{:?}", ld("0x1p-16444"))
        );
        // inf arithmetic and NaN.
        assert!(!(ld("inf") + ld("1")).is_finite());
        assert_eq!((ld("inf") + ld("-inf")).to_redis_string(), "nan");
        assert_eq!((ld("inf") * ld("0")).to_redis_string(), "nan");
        assert_eq!(
            LongDouble::from_i64(i64::MIN).to_redis_string(),
            "-9223372036854775808"
        );
        assert_eq!(LongDouble::from_i64(-7).to_redis_string(), "-7");
        assert_eq!((ld("1.5") * ld("-2")).to_redis_string(), "-3");
        assert_eq!((ld("1") - ld("0.25")).to_redis_string(), "0.75");
    }
}
