//! How a typed parameter's text becomes a value and back, as `config.c` does it for its
//! bool, string, enum and numeric types (`boolConfigSet`, `enumConfigSet`,
//! `numericParseString`, `numericBoundaryCheck`, and their `...Get` twins).

use super::params::{Kind, NumType, MEMORY, OCTAL, PERCENT};
use crate::util::int::{memtoull, string2ll};

/// A parameter's value, typed as `config.c` stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    /// `None`: an EMPTY_STRING_IS_NULL string that is not set.
    Str(Option<String>),
    Enum(i32),
    /// Numbers are C `long long`s (unsigned types keep their bits).
    Num(i64),
    /// A special parameter, kept as the text CONFIG GET prints.
    Special(String),
}

/// `yesnotoi`: `yes` or `no`, any case.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    if text.eq_ignore_ascii_case("yes") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("no") {
        Ok(false)
    } else {
        Err("argument must be 'yes' or 'no'".into())
    }
}

/// `configEnumGetValue`: one name, or for a multi-word (bit flag) enum one or more names
/// OR-ed together; names compare case-insensitively.
pub fn parse_enum(values: &[(&str, i32)], words: &[&str], bitflags: bool) -> Result<i32, String> {
    let refuse = || {
        let names: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
        format!(
            "argument(s) must be one of the following: {}",
            names.join(", ")
        )
    };
    if words.is_empty() || (!bitflags && words.len() != 1) {
        return Err(refuse());
    }
    let mut result = 0;
    for word in words {
        let mut matched = false;
        for (name, value) in values {
            if word.eq_ignore_ascii_case(name) {
                result |= value;
                matched = true;
            }
        }
        if !matched {
            return Err(refuse());
        }
    }
    Ok(result)
}

/// `configEnumGetName`: the first name with exactly this value, or for bit flags the
/// names of the flags set (high to low as listed), or `unknown`.
pub fn enum_name(values: &[(&str, i32)], value: i32, bitflags: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = value;
    for (name, v) in values {
        if *v == value {
            return (*name).to_string();
        }
        if bitflags && *v != 0 && *v == (unmatched & v) {
            names.push(name);
            unmatched &= !v;
        }
    }
    if names.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    names.join(" ")
}

/// `numericParseString` then `numericBoundaryCheck`.
pub fn parse_num(
    text: &str,
    ty: NumType,
    lower: i64,
    upper: i64,
    flags: u8,
) -> Result<i64, String> {
    let value = parse_num_text(text, flags)?;
    check_bounds(value, ty, lower, upper, flags)?;
    Ok(value)
}

fn parse_num_text(text: &str, flags: u8) -> Result<i64, String> {
    let bytes = text.as_bytes();
    if flags & MEMORY != 0 {
        if let Some(n) = memtoull(bytes) {
            return Ok(n as i64);
        }
    }
    if flags & PERCENT != 0 && bytes.len() > 1 && bytes.ends_with(b"%") {
        if let Some(n) = string2ll(&bytes[..bytes.len() - 1]).filter(|n| *n >= 0) {
            // Percentages are stored negated.
            return Ok(-n);
        }
    }
    if flags & OCTAL != 0 {
        if let Some(n) = strtoll_octal_strict(bytes) {
            return Ok(n);
        }
    }
    if flags == 0 {
        if let Some(n) = string2ll(bytes) {
            return Ok(n);
        }
    }
    Err(if flags & MEMORY != 0 && flags & PERCENT != 0 {
        "argument must be a memory or percent value"
    } else if flags & MEMORY != 0 {
        "argument must be a memory value"
    } else if flags & OCTAL != 0 {
        "argument couldn't be parsed as an octal number"
    } else {
        "argument couldn't be parsed into an integer"
    }
    .into())
}

/// `strtoll(s, &end, 8)` accepted only without overflow and with nothing after the digits
/// (leading spaces and a sign are fine, as in C).
fn strtoll_octal_strict(s: &[u8]) -> Option<i64> {
    let start = s
        .iter()
        .position(|&c| !crate::util::ctype::is_space(c))
        .unwrap_or(s.len());
    let (negative, digits) = match s.get(start) {
        Some(b'-') => (true, &s[start + 1..]),
        Some(b'+') => (false, &s[start + 1..]),
        _ => (false, &s[start..]),
    };
    if digits.is_empty() || !digits.iter().all(|c| (b'0'..=b'7').contains(c)) {
        // No digits (C leaves `end` at the start, which is not '\0' unless empty: an empty
        // text parses as 0 with no error).
        return if s.is_empty() { Some(0) } else { None };
    }
    let mut magnitude: i128 = 0;
    for &d in digits {
        magnitude = magnitude * 8 + i128::from(d - b'0');
        if magnitude > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

fn check_bounds(value: i64, ty: NumType, lower: i64, upper: i64, flags: u8) -> Result<(), String> {
    if ty.unsigned_bounds() {
        let (v, lo, hi) = (value as u64, lower as u64, upper as u64);
        if v > hi || v < lo {
            return Err(if flags & OCTAL != 0 {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if flags & PERCENT != 0 && value < 0 {
        if value < lower {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -lower
            ));
        }
    } else if value > upper || value < lower {
        return Err(format!(
            "argument must be between {lower} and {upper} inclusive"
        ));
    }
    Ok(())
}

/// `numericConfigGet`.
pub fn num_text(value: i64, flags: u8) -> String {
    if flags & PERCENT != 0 && value < 0 {
        format!("{}%", -(value as i128))
    } else if flags & MEMORY != 0 {
        (value as u64).to_string()
    } else if flags & OCTAL != 0 {
        format!("{:o}", value as u64)
    } else {
        value.to_string()
    }
}

/// A typed value as CONFIG GET prints it.
pub fn value_text(kind: &Kind, value: &Value, multi_arg: bool) -> String {
    match (kind, value) {
        (_, Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        (_, Value::Str(s)) => s.clone().unwrap_or_default(),
        (Kind::Enum { values }, Value::Enum(v)) => enum_name(values, *v, multi_arg),
        (Kind::Num { flags, .. }, Value::Num(n)) => num_text(*n, *flags),
        (_, Value::Special(text)) => text.clone(),
        (_, Value::Enum(v)) => v.to_string(),
        (_, Value::Num(n)) => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_and_print_as_redis() {
        // Answers of redis-server 7.0.15 to CONFIG SET / GET.
        let hz = |t: &str| parse_num(t, NumType::Int, 0, i32::MAX as i64, 0);
        assert_eq!(hz("10"), Ok(10));
        assert_eq!(
            hz("+5"),
            Err("argument couldn't be parsed into an integer".into())
        );
        assert_eq!(
            hz("-1"),
            Err("argument must be between 0 and 2147483647 inclusive".into())
        );
        let maxmemory = |t: &str| parse_num(t, NumType::ULongLong, 0, -1, MEMORY);
        assert_eq!(maxmemory("100mb"), Ok(100 << 20));
        assert_eq!(
            maxmemory("18446744073709551615").map(|n| num_text(n, MEMORY)),
            Ok("18446744073709551615".into())
        );
        assert_eq!(
            maxmemory("1.5gb"),
            Err("argument must be a memory value".into())
        );
        let clients = |t: &str| parse_num(t, NumType::SSizeT, -100, i64::MAX, MEMORY | PERCENT);
        assert_eq!(
            clients("10%").map(|n| num_text(n, MEMORY | PERCENT)),
            Ok("10%".into())
        );
        assert_eq!(
            clients("101%"),
            Err("percentage argument must be less or equal to 100".into())
        );
        assert_eq!(
            clients("x"),
            Err("argument must be a memory or percent value".into())
        );
        let perm = |t: &str| parse_num(t, NumType::UInt, 0, 0o777, OCTAL);
        assert_eq!(perm("700").map(|n| num_text(n, OCTAL)), Ok("700".into()));
        assert_eq!(
            perm("800"),
            Err("argument couldn't be parsed as an octal number".into())
        );
        assert_eq!(
            perm("1000"),
            Err("argument must be between 0 and 777 inclusive".into())
        );
    }

    #[test]
    fn enums_parse_and_print_as_redis() {
        let oom = [("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
        assert_eq!(parse_enum(&oom, &["RELATIVE"], false), Ok(1));
        assert_eq!(enum_name(&oom, 1, false), "yes");
        assert_eq!(
            parse_enum(&oom, &["x"], false),
            Err("argument(s) must be one of the following: no, yes, relative, absolute".into())
        );
        let sig = [
            ("default", 0),
            ("save", 1),
            ("nosave", 2),
            ("now", 4),
            ("force", 8),
        ];
        assert_eq!(parse_enum(&sig, &["now", "save"], true), Ok(5));
        assert_eq!(enum_name(&sig, 5, true), "save now");
        assert_eq!(enum_name(&sig, 0, true), "default");
        assert!(parse_enum(&sig, &[], true).is_err());
    }
}
