//! INCRBYFLOAT's number type.
//!
//! KNOWN GAP: Redis computes in x87 80-bit `long double` and prints `%.17Lf`. This is an
//! f64 stand-in: it prints the shortest decimal that round-trips (which is what a user
//! typed for most small decimals, matching Redis's intent), capped at 17 decimals.
//! Results differ from Redis where f64 and long double round differently (e.g. repeated
//! `INCRBYFLOAT k 0.1` drifts after a few steps, values beyond ~1e308 overflow here but
//! not in Redis, and huge values print their exact binary expansion in Redis).

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongDouble(f64);

impl LongDouble {
    /// Redis's string2ld: strtold over the whole string, no leading space, no NaN.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= 5 * 1024 || s[0].is_ascii_whitespace() {
            return None;
        }
        let t = std::str::from_utf8(s).ok()?;
        let v: f64 = t.parse().ok()?;
        if v.is_nan() {
            return None;
        }
        Some(LongDouble(v))
    }

    pub fn plus(self, o: LongDouble) -> LongDouble {
        LongDouble(self.0 + o.0)
    }

    pub fn is_finite(self) -> bool {
        self.0.is_finite()
    }

    /// ld2string LD_STR_HUMAN: %.17Lf, trailing zeros and dot trimmed, "-0" -> "0".
    pub fn to_human(self) -> String {
        let mut s = format!("{}", self.0);
        if s.split_once('.').is_some_and(|(_, frac)| frac.len() > 17) {
            s = format!("{:.17}", self.0);
        }
        if s.contains('.') {
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
        }
        if s == "-0" {
            s = "0".into();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::LongDouble;

    fn fmt(s: &str) -> String {
        LongDouble::parse(s.as_bytes()).unwrap().to_human()
    }

    #[test]
    fn human_format() {
        assert_eq!(fmt("3.0e3"), "3000");
        assert_eq!(fmt("10.5"), "10.5");
        assert_eq!(fmt("-0"), "0");
        assert_eq!(fmt("1e-20"), "0");
        assert_eq!(fmt("1.5e-5"), "0.000015");
        assert!(LongDouble::parse(b" 1").is_none());
        assert!(LongDouble::parse(b"nan").is_none());
        assert!(LongDouble::parse(b"").is_none());
    }
}
