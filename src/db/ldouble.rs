//! INCRBYFLOAT's number type. Placeholder on f64 until the x87 long double lands.

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
        let mut s = format!("{:.17}", self.0);
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
