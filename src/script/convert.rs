//! Conversions between Redis replies and Lua values, as Redis 7.0's `script_lua.c` does
//! them: `redisProtocolToLuaType` (a command's reply, in the script's RESP version, into
//! Lua) and `luaReplyToRedisReply` (a script's result into a reply).
//!
//! The second walks the Lua stack itself, with the same `lua_checkstack(4)` per value as
//! Redis, so a too-deep (or self-referencing) table ends in the same nested
//! `-ERR reached lua stack limit` at the same depth (Lua's stack limit is 8000 slots).

use crate::resp::Reply;
use crate::util::float::d2string;
use bytes::Bytes;
use mlua::ffi;
use mlua::{Lua, Table, Value};
use std::ffi::c_int;

/// A command's reply as the script sees it (`redis.call`'s result). An error reply is
/// the error table `{err=..., ignore_error_stats_update=true}`.
pub fn reply_to_lua(lua: &Lua, reply: &Reply, resp: u8) -> mlua::Result<Value> {
    if resp == 2 {
        return to_lua(lua, &reply.to_resp2(), 2);
    }
    to_lua(lua, reply, 3)
}

fn to_lua(lua: &Lua, reply: &Reply, resp: u8) -> mlua::Result<Value> {
    Ok(match reply {
        Reply::Integer(n) => Value::Number(*n as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(b)?),
        Reply::Simple(s) => {
            let t = lua.create_table()?;
            t.raw_set("ok", lua.create_string(s)?)?;
            Value::Table(t)
        }
        Reply::Error(e) => Value::Table(error_table(lua, &[b"-", &e[..]].concat(), true)?),
        Reply::Null | Reply::NullArray if resp == 2 => Value::Boolean(false),
        Reply::Null | Reply::NullArray => Value::Nil,
        Reply::Bool(b) => Value::Boolean(*b),
        Reply::BigNum(digits) => {
            let t = lua.create_table()?;
            t.raw_set("big_number", lua.create_string(digits)?)?;
            Value::Table(t)
        }
        // redisProtocolToLuaType_Attribute: attributes are skipped.
        Reply::Attribute(_) => Value::Nil,
        Reply::Double(d) => {
            let t = lua.create_table()?;
            t.raw_set("double", *d)?;
            Value::Table(t)
        }
        Reply::Verbatim(format, text) => {
            let inner = lua.create_table()?;
            inner.raw_set("string", lua.create_string(text)?)?;
            inner.raw_set("format", *format)?;
            let t = lua.create_table()?;
            t.raw_set("verbatim_string", inner)?;
            Value::Table(t)
        }
        Reply::Array(items) | Reply::Push(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item, resp)?)?;
            }
            Value::Table(t)
        }
        Reply::Map(pairs) => {
            let inner = lua.create_table()?;
            for (k, v) in pairs {
                inner.raw_set(to_lua(lua, k, resp)?, to_lua(lua, v, resp)?)?;
            }
            let t = lua.create_table()?;
            t.raw_set("map", inner)?;
            Value::Table(t)
        }
        Reply::Set(items) => {
            let inner = lua.create_table()?;
            for item in items {
                inner.raw_set(to_lua(lua, item, resp)?, true)?;
            }
            let t = lua.create_table()?;
            t.raw_set("set", inner)?;
            Value::Table(t)
        }
    })
}

/// `luaPushErrorBuff`: "-CODE msg" (or "msg", code ERR) as `{err="CODE msg"}`; `ignore`
/// adds the `ignore_error_stats_update` field Redis sets on a command's own errors.
pub fn error_table(lua: &Lua, buf: &[u8], ignore: bool) -> mlua::Result<Table> {
    let buf = crate::util::c_str(buf);
    let (code, msg): (&[u8], &[u8]) = match buf.strip_prefix(b"-") {
        Some(rest) => match rest.iter().position(|&c| c == b' ') {
            Some(sp) => (&rest[..sp], &rest[sp + 1..]),
            None => (b"ERR", rest),
        },
        None => (b"ERR", buf),
    };
    let is_crlf = |c: &u8| *c == b'\r' || *c == b'\n';
    let start = msg.iter().position(|c| !is_crlf(c)).unwrap_or(msg.len());
    let end = msg
        .iter()
        .rposition(|c| !is_crlf(c))
        .map_or(start, |e| e + 1);
    let t = lua.create_table()?;
    t.raw_set(
        "err",
        lua.create_string([code, b" ", &msg[start..end.max(start)]].concat())?,
    )?;
    if ignore {
        t.raw_set("ignore_error_stats_update", true)?;
    }
    Ok(t)
}

/// The reply a script's result turns into. `script_resp` is the RESP version the script
/// selected (it decides how booleans come out).
pub fn lua_to_reply(lua: &Lua, value: Value, script_resp: u8) -> Reply {
    let mut out = None;
    // SAFETY: the closure only uses the stack API on the state mlua hands it, inside
    // mlua's protected call; it leaves the stack as it found it plus nothing.
    let done = unsafe {
        lua.exec_raw::<()>((Value::Nil, value), |state| {
            out = Some(convert(state, script_resp));
        })
    };
    match (done, out) {
        (Ok(()), Some(reply)) => reply,
        _ => Reply::err("ERR reached lua stack limit"),
    }
}

unsafe fn to_bytes(state: *mut ffi::lua_State, idx: c_int) -> Bytes {
    let mut len = 0usize;
    let p = ffi::lua_tolstring(state, idx, &mut len);
    if p.is_null() {
        return Bytes::new();
    }
    Bytes::copy_from_slice(std::slice::from_raw_parts(p as *const u8, len))
}

/// The field `name` of the table at the top, pushed (lua_rawget); returns its type.
unsafe fn raw_field(state: *mut ffi::lua_State, name: &[u8]) -> c_int {
    ffi::lua_pushlstring(state, name.as_ptr() as *const _, name.len());
    ffi::lua_rawget(state, -2);
    ffi::lua_type(state, -1)
}

/// Converts and pops the value at the top of the stack (luaReplyToRedisReply).
unsafe fn convert(state: *mut ffi::lua_State, resp: u8) -> Reply {
    if ffi::lua_checkstack(state, 4) == 0 {
        ffi::lua_settop(state, -2);
        return Reply::err("ERR reached lua stack limit");
    }
    let reply = match ffi::lua_type(state, -1) {
        ffi::LUA_TSTRING => Reply::Bulk(to_bytes(state, -1)),
        ffi::LUA_TBOOLEAN => {
            let b = ffi::lua_toboolean(state, -1) != 0;
            if resp == 2 {
                if b {
                    Reply::Integer(1)
                } else {
                    Reply::Null
                }
            } else {
                Reply::Bool(b)
            }
        }
        ffi::LUA_TNUMBER => Reply::Integer(number_to_ll(ffi::lua_tonumber(state, -1))),
        ffi::LUA_TTABLE => return convert_table(state, resp),
        _ => Reply::Null,
    };
    ffi::lua_settop(state, -2);
    reply
}

/// C's `(long long)` of a double as x86-64 does it: out of range and NaN give i64::MIN.
fn number_to_ll(n: f64) -> i64 {
    // 2^63: the first double past i64's range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if n.is_nan() || !(-LIMIT..LIMIT).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

unsafe fn convert_table(state: *mut ffi::lua_State, resp: u8) -> Reply {
    // {err=...}: an error reply; its err, source, line (luaExtractErrorInformation).
    if raw_field(state, b"err") == ffi::LUA_TSTRING {
        ffi::lua_settop(state, -2);
        ffi::lua_getfield(state, -1, c"err".as_ptr());
        let msg = if ffi::lua_isstring(state, -1) != 0 {
            to_bytes(state, -1)
        } else {
            Bytes::new()
        };
        ffi::lua_settop(state, -3);
        return Reply::error_bytes(crate::util::c_str(&msg).to_vec());
    }
    ffi::lua_settop(state, -2);
    if raw_field(state, b"ok") == ffi::LUA_TSTRING {
        let ok = to_bytes(state, -1);
        ffi::lua_settop(state, -3);
        return Reply::Simple(Bytes::copy_from_slice(crate::util::c_str(&ok)));
    }
    ffi::lua_settop(state, -2);
    if raw_field(state, b"double") == ffi::LUA_TNUMBER {
        let d = ffi::lua_tonumber(state, -1);
        ffi::lua_settop(state, -3);
        return Reply::Double(d);
    }
    ffi::lua_settop(state, -2);
    if raw_field(state, b"big_number") == ffi::LUA_TSTRING {
        // RESP3's big number has no Reply of its own here yet: sent as the bulk string
        // RESP2 clients get (CR/LF mapped to spaces, as Redis does).
        let n: Vec<u8> = to_bytes(state, -1)
            .iter()
            .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
            .collect();
        ffi::lua_settop(state, -3);
        return Reply::Bulk(n.into());
    }
    ffi::lua_settop(state, -2);
    if raw_field(state, b"verbatim_string") == ffi::LUA_TTABLE {
        if raw_field(state, b"format") == ffi::LUA_TSTRING {
            let format = to_bytes(state, -1);
            if raw_field_at(state, b"string", -3) == ffi::LUA_TSTRING {
                let text = to_bytes(state, -1);
                ffi::lua_settop(state, -5);
                return match verbatim_format(&format) {
                    Some(f) => Reply::Verbatim(f, text),
                    None => Reply::Bulk(text),
                };
            }
            ffi::lua_settop(state, -2);
        }
        ffi::lua_settop(state, -2);
    }
    ffi::lua_settop(state, -2);
    if raw_field(state, b"map") == ffi::LUA_TTABLE {
        let mut pairs = Vec::new();
        ffi::lua_pushnil(state);
        while ffi::lua_next(state, -2) != 0 {
            ffi::lua_pushvalue(state, -2);
            let k = convert(state, resp);
            let v = convert(state, resp);
            pairs.push((k, v));
        }
        ffi::lua_settop(state, -3);
        return Reply::Map(pairs);
    }
    ffi::lua_settop(state, -2);
    if raw_field(state, b"set") == ffi::LUA_TTABLE {
        let mut items = Vec::new();
        ffi::lua_pushnil(state);
        while ffi::lua_next(state, -2) != 0 {
            ffi::lua_settop(state, -2);
            ffi::lua_pushvalue(state, -1);
            items.push(convert(state, resp));
        }
        ffi::lua_settop(state, -3);
        return Reply::Set(items);
    }
    ffi::lua_settop(state, -2);
    // An array: elements 1, 2, ... up to the first nil.
    let mut items = Vec::new();
    let mut j = 1.0;
    loop {
        ffi::lua_pushnumber(state, j);
        j += 1.0;
        ffi::lua_rawget(state, -2);
        if ffi::lua_type(state, -1) == ffi::LUA_TNIL {
            ffi::lua_settop(state, -2);
            break;
        }
        items.push(convert(state, resp));
    }
    ffi::lua_settop(state, -2);
    Reply::Array(items)
}

/// Like [`raw_field`] but on the table at `idx` (the verbatim table two slots down).
unsafe fn raw_field_at(state: *mut ffi::lua_State, name: &[u8], idx: c_int) -> c_int {
    ffi::lua_pushlstring(state, name.as_ptr() as *const _, name.len());
    ffi::lua_rawget(state, idx);
    ffi::lua_type(state, -1)
}

/// `Reply::Verbatim` carries a static format; the two Redis itself uses are kept,
/// any other is sent as a plain bulk string.
fn verbatim_format(format: &[u8]) -> Option<&'static str> {
    match format.get(..3) {
        Some(b"txt") => Some("txt"),
        Some(b"mkd") => Some("mkd"),
        _ => None,
    }
}

/// A Lua number as `redis.call` passes it to a command: `%.17g`.
pub fn number_arg(n: f64) -> Bytes {
    Bytes::from(d2string(n))
}
