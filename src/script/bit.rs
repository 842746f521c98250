//! The `bit` library (LuaBitOp 1.0.2, as Redis bundles it): 32-bit operations on Lua
//! numbers. Arguments are normalized as LuaBitOp does on double-number Lua builds:
//! rounded to the nearest integer and taken modulo 2^32 (the 2^52+2^51 trick).
//! Each function returns `(result)` or `(message, "where")`: the prelude's raiser raises
//! the message with the caller's position, as luaL_argerror does.

use mlua::{Lua, MultiValue, Table, Value};

/// Why an argument was refused: the message LuaBitOp's `luaL_checknumber` gives.
fn bad_arg(i: usize, name: &str, v: Option<&Value>) -> String {
    let got = match v {
        None => "no value",
        Some(v) => v.type_name(),
    };
    format!("bad argument #{i} to '{name}' (number expected, got {got})")
}

/// `barg`: a number (or numeric string) as 32 bits.
fn barg(args: &MultiValue, i: usize, name: &str) -> Result<i32, String> {
    let v = args.get(i - 1);
    let n = match v {
        Some(Value::Integer(n)) => *n as f64,
        Some(Value::Number(n)) => *n,
        Some(Value::String(s)) => crate::util::float::string2d(s.as_bytes().as_ref())
            .or_else(|| lua_str_number(&s.as_bytes()))
            .ok_or_else(|| bad_arg(i, name, v))?,
        _ => return Err(bad_arg(i, name, v)),
    };
    Ok(((n + 6_755_399_441_055_744.0).to_bits() as u32) as i32)
}

/// Lua's string-to-number for what `string2d` refuses (hex, surrounding spaces).
fn lua_str_number(s: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(s).ok()?.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|v| v as f64);
    }
    t.parse::<f64>().ok()
}

type BitResult = Result<i32, String>;

fn ok(v: i32) -> BitResult {
    Ok(v)
}

/// The (value, how) pair the raiser expects.
fn out(lua: &Lua, r: BitResult) -> mlua::Result<(Value, Option<&'static str>)> {
    Ok(match r {
        Ok(v) => (Value::Number(f64::from(v)), None),
        Err(e) => (Value::String(lua.create_string(e)?), Some("where")),
    })
}

fn fold(args: &MultiValue, name: &str, f: fn(i32, i32) -> i32) -> BitResult {
    let mut acc = barg(args, 1, name)?;
    for i in 2..=args.len() {
        acc = f(acc, barg(args, i, name)?);
    }
    ok(acc)
}

fn unary(args: &MultiValue, name: &str, f: fn(i32) -> i32) -> BitResult {
    barg(args, 1, name).map(f)
}

fn shift(args: &MultiValue, name: &str, f: fn(i32, u32) -> i32) -> BitResult {
    let v = barg(args, 1, name)?;
    let n = barg(args, 2, name)?;
    ok(f(v, (n as u32) & 31))
}

/// The raw functions, by name.
pub fn open(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    macro_rules! def {
        ($name:literal, $body:expr) => {
            t.set(
                $name,
                lua.create_function(|lua, args: MultiValue| out(lua, $body(&args, $name)))?,
            )?;
        };
    }
    def!("tobit", |a, n| unary(a, n, |v| v));
    def!("bnot", |a, n| unary(a, n, |v: i32| !v));
    def!("bswap", |a, n| unary(a, n, i32::swap_bytes));
    def!("band", |a, n| fold(a, n, |x, y| x & y));
    def!("bor", |a, n| fold(a, n, |x, y| x | y));
    def!("bxor", |a, n| fold(a, n, |x, y| x ^ y));
    def!("lshift", |a, n| shift(a, n, |v, s| ((v as u32) << s)
        as i32));
    def!("rshift", |a, n| shift(a, n, |v, s| ((v as u32) >> s)
        as i32));
    def!("arshift", |a, n| shift(a, n, |v, s| v >> s));
    def!("rol", |a, n| shift(a, n, |v, s| (v as u32).rotate_left(s)
        as i32));
    def!("ror", |a, n| shift(a, n, |v, s| (v as u32).rotate_right(s)
        as i32));
    t.set(
        "tohex",
        lua.create_function(|lua, args: MultiValue| {
            let x = match barg(&args, 1, "tohex") {
                Ok(v) => v as u32,
                Err(e) => return Ok((Value::String(lua.create_string(e)?), Some("where"))),
            };
            let mut n = match args.get(1) {
                None => 8,
                Some(_) => match barg(&args, 2, "tohex") {
                    Ok(v) => v,
                    Err(e) => return Ok((Value::String(lua.create_string(e)?), Some("where"))),
                },
            };
            let upper = n < 0;
            if upper {
                n = n.wrapping_neg();
            }
            let n = n.clamp(0, 8) as usize;
            let full = if upper {
                format!("{x:08X}")
            } else {
                format!("{x:08x}")
            };
            Ok((Value::String(lua.create_string(&full[8 - n..])?), None))
        })?,
    )?;
    Ok(t)
}
