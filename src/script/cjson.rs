//! The `cjson` library (lua-cjson 2.1.0 as Redis bundles it): `cjson.encode`,
//! `cjson.decode` and `cjson.null`, with lua-cjson's default settings (numbers at 14
//! significant digits, `/` escaped, sparse arrays refused past ratio 2 / safe 10, depth
//! 1000 both ways). Functions return `(value)` or `(message, "where")` for the prelude's
//! raiser, which prefixes the caller's position as luaL_error does. The configuration
//! functions (`encode_keep_buffer`, ...) are not provided.

use mlua::{LightUserData, Lua, MultiValue, Table, Value};

const MAX_DEPTH: usize = 1000;
const SPARSE_RATIO: i64 = 2;
const SPARSE_SAFE: i64 = 10;

pub fn open(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "encode",
        lua.create_function(|lua, args: MultiValue| {
            if args.len() != 1 {
                return fail(
                    lua,
                    "bad argument #1 to 'encode' (expected 1 argument)".into(),
                );
            }
            let mut out = Vec::new();
            match encode(&args[0], 0, &mut out) {
                Ok(()) => Ok((Value::String(lua.create_string(&out)?), None)),
                Err(e) => fail(lua, e),
            }
        })?,
    )?;
    t.set(
        "decode",
        lua.create_function(|lua, args: MultiValue| {
            if args.len() != 1 {
                return fail(
                    lua,
                    "bad argument #1 to 'decode' (expected 1 argument)".into(),
                );
            }
            let text = match &args[0] {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Integer(n) => n.to_string().into_bytes(),
                Value::Number(n) => crate::util::float::d2string(*n).into_bytes(),
                other => {
                    return fail(
                        lua,
                        format!(
                            "bad argument #1 to 'decode' (string expected, got {})",
                            other.type_name()
                        ),
                    )
                }
            };
            let mut p = Parser {
                lua,
                s: &text,
                at: 0,
            };
            match p.document() {
                Ok(v) => Ok((v, None)),
                Err(e) => fail(lua, e),
            }
        })?,
    )?;
    t.set(
        "null",
        Value::LightUserData(LightUserData(std::ptr::null_mut())),
    )?;
    t.set("_NAME", "cjson")?;
    t.set("_VERSION", "2.1.0")?;
    Ok(t)
}

fn fail(lua: &Lua, msg: String) -> mlua::Result<(Value, Option<&'static str>)> {
    Ok((Value::String(lua.create_string(msg)?), Some("where")))
}

fn exception(v: &Value, reason: &str) -> String {
    format!("Cannot serialise {}: {reason}", v.type_name())
}

fn encode(v: &Value, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    match v {
        Value::String(s) => encode_string(&s.as_bytes(), out),
        Value::Integer(n) => out.extend_from_slice(fmt_g14(*n as f64).as_bytes()),
        Value::Number(n) => {
            if !n.is_finite() {
                return Err(exception(v, "must not be NaN or Inf"));
            }
            out.extend_from_slice(fmt_g14(*n).as_bytes());
        }
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Table(t) => {
            let depth = depth + 1;
            if depth > MAX_DEPTH {
                return Err(format!("Cannot serialise, excessive nesting ({depth})"));
            }
            match array_length(t).map_err(|_| exception(v, "excessively sparse array"))? {
                Some(len) if len > 0 => {
                    out.push(b'[');
                    for i in 1..=len {
                        if i > 1 {
                            out.push(b',');
                        }
                        let item: Value = t.raw_get(i).map_err(|e| e.to_string())?;
                        encode(&item, depth, out)?;
                    }
                    out.push(b']');
                }
                _ => {
                    out.push(b'{');
                    let mut first = true;
                    for pair in t.clone().pairs::<Value, Value>() {
                        let (k, val) = pair.map_err(|e| e.to_string())?;
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        match &k {
                            Value::Integer(_) | Value::Number(_) => {
                                out.push(b'"');
                                encode(&k, depth, out)?;
                                out.extend_from_slice(b"\":");
                            }
                            Value::String(s) => {
                                encode_string(&s.as_bytes(), out);
                                out.push(b':');
                            }
                            _ => return Err(exception(&k, "table key must be a number or string")),
                        }
                        encode(&val, depth, out)?;
                    }
                    out.push(b'}');
                }
            }
        }
        _ => return Err(exception(v, "type not supported")),
    }
    Ok(())
}

/// `lua_array_length`: `Some(max)` when every key is an integer >= 1 (and the array is
/// not too sparse), `None` for an object; `Err` for a refused sparse array.
fn array_length(t: &Table) -> Result<Option<i64>, ()> {
    let (mut max, mut items) = (0i64, 0i64);
    for pair in t.clone().pairs::<Value, Value>() {
        let Ok((k, _)) = pair else { return Ok(None) };
        let k = match k {
            Value::Integer(n) => n as f64,
            Value::Number(n) => n,
            _ => return Ok(None),
        };
        if k != 0.0 && k.floor() == k && k >= 1.0 {
            if k > max as f64 {
                max = k as i64;
            }
            items += 1;
        } else {
            return Ok(None);
        }
    }
    if max > items * SPARSE_RATIO && max > SPARSE_SAFE {
        return Err(());
    }
    Ok(Some(max))
}

fn encode_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            8 => out.extend_from_slice(b"\\b"),
            9 => out.extend_from_slice(b"\\t"),
            10 => out.extend_from_slice(b"\\n"),
            12 => out.extend_from_slice(b"\\f"),
            13 => out.extend_from_slice(b"\\r"),
            0..=31 | 127 => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

/// C's `%.14g`, as Lua's own number formatting and lua-cjson's use.
pub fn fmt_g14(d: f64) -> String {
    const P: i32 = 14;
    if d == 0.0 {
        return if d.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{:.*e}", (P - 1) as usize, d);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..P).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", trim(mantissa), sign, exp.abs())
    } else {
        let decimals = (P - 1 - exp).max(0) as usize;
        trim(&format!("{:.*}", decimals, d))
    }
}

struct Parser<'a> {
    lua: &'a Lua,
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.at < self.s.len() && matches!(self.s[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    /// The name lua-cjson gives the token at the current position.
    fn token_name(&self) -> &'static str {
        match self.s.get(self.at) {
            None => "T_END",
            Some(b'{') => "T_OBJ_BEGIN",
            Some(b'}') => "T_OBJ_END",
            Some(b'[') => "T_ARR_BEGIN",
            Some(b']') => "T_ARR_END",
            Some(b'"') => "T_STRING",
            Some(b':') => "T_COLON",
            Some(b',') => "T_COMMA",
            Some(b'-' | b'0'..=b'9') => "T_NUMBER",
            Some(_) if self.s[self.at..].starts_with(b"true") => "T_BOOLEAN",
            Some(_) if self.s[self.at..].starts_with(b"false") => "T_BOOLEAN",
            Some(_) if self.s[self.at..].starts_with(b"null") => "T_NULL",
            Some(_) => "invalid token",
        }
    }

    fn expected(&self, what: &str) -> String {
        format!(
            "Expected {what} but found {} at character {}",
            self.token_name(),
            self.at + 1
        )
    }

    fn document(&mut self) -> Result<Value, String> {
        let v = self.value(0)?;
        self.skip_ws();
        if self.at < self.s.len() {
            return Err(self.expected("the end"));
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.skip_ws();
        let lua_err = |e: mlua::Error| e.to_string();
        match self.s.get(self.at) {
            Some(b'{') => {
                let depth = depth + 1;
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "Found too many nested data structures ({depth}) at character {}",
                        self.at + 1
                    ));
                }
                self.at += 1;
                let t = self.lua.create_table().map_err(lua_err)?;
                self.skip_ws();
                if self.s.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Value::Table(t));
                }
                loop {
                    self.skip_ws();
                    if self.s.get(self.at) != Some(&b'"') {
                        return Err(self.expected("object key string"));
                    }
                    let k = self.string()?;
                    self.skip_ws();
                    if self.s.get(self.at) != Some(&b':') {
                        return Err(self.expected("colon"));
                    }
                    self.at += 1;
                    let v = self.value(depth)?;
                    t.raw_set(self.lua.create_string(&k).map_err(lua_err)?, v)
                        .map_err(lua_err)?;
                    self.skip_ws();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Value::Table(t));
                        }
                        _ => return Err(self.expected("comma or object end")),
                    }
                }
            }
            Some(b'[') => {
                let depth = depth + 1;
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "Found too many nested data structures ({depth}) at character {}",
                        self.at + 1
                    ));
                }
                self.at += 1;
                let t = self.lua.create_table().map_err(lua_err)?;
                self.skip_ws();
                if self.s.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Value::Table(t));
                }
                let mut i = 1;
                loop {
                    let v = self.value(depth)?;
                    t.raw_set(i, v).map_err(lua_err)?;
                    i += 1;
                    self.skip_ws();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Value::Table(t));
                        }
                        _ => return Err(self.expected("comma or array end")),
                    }
                }
            }
            Some(b'"') => Ok(Value::String(
                self.lua.create_string(self.string()?).map_err(lua_err)?,
            )),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ if self.s[self.at..].starts_with(b"true") => {
                self.at += 4;
                Ok(Value::Boolean(true))
            }
            _ if self.s[self.at..].starts_with(b"false") => {
                self.at += 5;
                Ok(Value::Boolean(false))
            }
            _ if self.s[self.at..].starts_with(b"null") => {
                self.at += 4;
                Ok(Value::LightUserData(LightUserData(std::ptr::null_mut())))
            }
            _ => Err(self.expected("value")),
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        while self.at < self.s.len()
            && matches!(
                self.s[self.at],
                b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
            )
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .map(Value::Number)
            .ok_or_else(|| {
                format!(
                    "Expected value but found invalid number at character {}",
                    start + 1
                )
            })
    }

    fn string(&mut self) -> Result<Vec<u8>, String> {
        let start = self.at;
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.at) else {
                return Err(format!(
                    "Expected value but found unexpected end of string at character {}",
                    start + 1
                ));
            };
            self.at += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => {
                    // lua-cjson reports escape errors at the backslash.
                    let backslash = self.at;
                    let Some(&e) = self.s.get(self.at) else {
                        return Err(format!(
                            "Expected value but found unexpected end of string at character {}",
                            start + 1
                        ));
                    };
                    self.at += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let cp = self.unicode_escape().ok_or_else(|| {
                                format!(
                                    "Expected value but found invalid unicode escape code at character {}",
                                    backslash
                                )
                            })?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(cp.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            return Err(format!(
                                "Expected value but found invalid escape code at character {}",
                                backslash
                            ))
                        }
                    }
                }
                _ => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.at..self.at + 4)?;
        let v = u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()?;
        self.at += 4;
        Some(v)
    }

    /// `\uXXXX`, with a surrogate pair when the first is a high surrogate.
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.s.get(self.at..self.at + 2) != Some(b"\\u") {
                return None;
            }
            self.at += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return None;
            }
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
        }
        if (0xDC00..0xE000).contains(&hi) {
            return None;
        }
        char::from_u32(hi)
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_g14;

    #[test]
    fn numbers_print_as_percent_14g() {
        assert_eq!(fmt_g14(1.0), "1");
        assert_eq!(fmt_g14(0.1), "0.1");
        assert_eq!(fmt_g14(1e15), "1e+15");
        assert_eq!(fmt_g14(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(fmt_g14(0.0001), "0.0001");
        assert_eq!(fmt_g14(0.00001), "1e-05");
        assert_eq!(fmt_g14(-2.5), "-2.5");
        assert_eq!(fmt_g14(std::f64::consts::PI), "3.1415926535898");
    }
}
