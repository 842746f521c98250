//! String commands (t_string.c), plus the argument helpers the keyspace families share.

use super::table::Command;
use super::Ctx;
use crate::db::ldouble::LongDouble;
use crate::db::value::parse_i64;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use bytes::{Bytes, BytesMut};

pub(crate) const WRONGTYPE: &str =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
pub(crate) const ERR_SYNTAX: &str = "ERR syntax error";
pub(crate) const ERR_NOT_INT: &str = "ERR value is not an integer or out of range";
const ERR_TOO_BIG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// ASCII case-insensitive comparison with a lower-case option name.
pub(crate) fn is(arg: &[u8], lower: &str) -> bool {
    arg.eq_ignore_ascii_case(lower.as_bytes())
}

/// getLongLongFromObjectOrReply.
pub(crate) fn arg_i64(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64(arg).ok_or(Reply::err(ERR_NOT_INT))
}

/// getIntFromObjectOrReply with Redis's default message.
pub(crate) fn arg_i32(arg: &[u8]) -> Result<i32, Reply> {
    arg_i64(arg).and_then(|v| i32::try_from(v).map_err(|_| Reply::err(ERR_NOT_INT)))
}

pub(crate) fn wrongtype() -> Reply {
    Reply::err(WRONGTYPE)
}

/// The string at `key` for reading (lazy expiry, hit/miss counted), or WRONGTYPE.
fn read_str(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let now = ctx.now_ms();
    match ctx.keyspace.lookup_read(ctx.session.db, key, now) {
        None => Ok(None),
        Some(v) => v.as_str().cloned().map(Some).ok_or_else(wrongtype),
    }
}

/// The string at `key` for writing (lazy expiry, no stats), or WRONGTYPE.
fn write_str(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let now = ctx.now_ms();
    match ctx.keyspace.lookup_write(ctx.session.db, key, now) {
        None => Ok(None),
        Some(v) => v.as_str().cloned().map(Some).ok_or_else(wrongtype),
    }
}

fn bulk_or_null(v: Option<Bytes>) -> Reply {
    v.map_or(Reply::Null, Reply::Bulk)
}

/// checkStringLength: the final length must fit proto-max-bulk-len.
fn check_len(ctx: &Ctx<'_>, total: u128) -> Result<(), Reply> {
    if total > ctx.server.config.proto_max_bulk_len as u128 {
        return Err(Reply::err(ERR_TOO_BIG));
    }
    Ok(())
}

// ---- SET and its option parser ------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    /// EX / PX: relative to now.
    Relative,
    /// EXAT / PXAT: absolute.
    Absolute,
}

#[derive(Default)]
struct SetOpts {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    expire: Option<(Bytes, Unit, ExpireKind)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Caller {
    Set,
    GetEx,
}

/// parseExtendedStringArgumentsOrReply: options from argv[start..]. Each option is
/// refused (syntax error) when a conflicting one came before it; repeating an expire
/// option of the same kind is allowed (the last one wins), as in Redis.
fn parse_set_opts(argv: &[Bytes], start: usize, caller: Caller) -> Result<SetOpts, Reply> {
    let mut o = SetOpts::default();
    let mut j = start;
    while j < argv.len() {
        let opt = &argv[j];
        let next = argv.get(j + 1);
        let kind_of = |o: &SetOpts| o.expire.as_ref().map(|(_, u, k)| (*u, *k));
        let is_set = caller == Caller::Set;
        if is(opt, "nx") && !o.xx && is_set {
            o.nx = true;
        } else if is(opt, "xx") && !o.nx && is_set {
            o.xx = true;
        } else if is(opt, "get") && is_set {
            o.get = true;
        } else if is(opt, "keepttl") && !o.persist && o.expire.is_none() && is_set {
            o.keepttl = true;
        } else if is(opt, "persist") && caller == Caller::GetEx && o.expire.is_none() && !o.keepttl
        {
            o.persist = true;
        } else if let (Some(next), Some((unit, kind))) = (
            next,
            [
                ("ex", Unit::Seconds, ExpireKind::Relative),
                ("px", Unit::Millis, ExpireKind::Relative),
                ("exat", Unit::Seconds, ExpireKind::Absolute),
                ("pxat", Unit::Millis, ExpireKind::Absolute),
            ]
            .iter()
            .find(|(n, _, _)| is(opt, n))
            .map(|(_, u, k)| (*u, *k)),
        ) {
            if o.keepttl || o.persist || kind_of(&o).is_some_and(|k| k != (unit, kind)) {
                return Err(Reply::err(ERR_SYNTAX));
            }
            o.expire = Some((next.clone(), unit, kind));
            j += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// getExpireMillisecondsOrReply: the absolute expire time in ms. Zero or negative,
/// or an overflow, is "invalid expire time in '<cmd>' command".
fn expire_ms(
    ctx: &Ctx<'_>,
    arg: &[u8],
    unit: Unit,
    kind: ExpireKind,
    cmd: &str,
) -> Result<u64, Reply> {
    let invalid = || Reply::error(format!("ERR invalid expire time in '{cmd}' command"));
    let mut ms = arg_i64(arg)?;
    if ms <= 0 || (unit == Unit::Seconds && ms > i64::MAX / 1000) {
        return Err(invalid());
    }
    if unit == Unit::Seconds {
        ms *= 1000;
    }
    if kind == ExpireKind::Relative {
        ms = ms.checked_add(ctx.now_ms() as i64).ok_or_else(invalid)?;
    }
    Ok(ms as u64)
}

/// setGenericCommand. `abort` / `ok` are the replies for a NX/XX miss and for success.
fn set_generic(
    ctx: &mut Ctx<'_>,
    key: &Bytes,
    val: Value,
    o: &SetOpts,
    cmd: &str,
    ok: Reply,
    abort: Reply,
) -> Reply {
    let when = match &o.expire {
        Some((arg, unit, kind)) => match expire_ms(ctx, arg, *unit, *kind, cmd) {
            Ok(ms) => Some(ms),
            Err(e) => return e,
        },
        None => None,
    };
    let mut old = Reply::Null;
    if o.get {
        match read_str(ctx, key) {
            Ok(v) => old = bulk_or_null(v),
            Err(e) => return e,
        }
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let found = ctx.keyspace.exists(db, key, now);
    if (o.nx && found) || (o.xx && !found) {
        return if o.get { old } else { abort };
    }
    let ttl = match (when, o.keepttl) {
        (Some(ms), _) => Ttl::At(ms),
        (None, true) => Ttl::Keep,
        (None, false) => Ttl::Clear,
    };
    ctx.keyspace.set(db, key.clone(), val, ttl);
    if o.get {
        old
    } else {
        ok
    }
}

fn set_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let o = match parse_set_opts(argv, 3, Caller::Set) {
        Ok(o) => o,
        Err(e) => return e,
    };
    set_generic(
        ctx,
        &argv[1],
        Value::str(argv[2].clone()),
        &o,
        "set",
        Reply::OK,
        Reply::Null,
    )
}

fn setnx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let o = SetOpts {
        nx: true,
        ..SetOpts::default()
    };
    set_generic(
        ctx,
        &argv[1],
        Value::str(argv[2].clone()),
        &o,
        "setnx",
        Reply::Integer(1),
        Reply::Integer(0),
    )
}

fn setex_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], unit: Unit, cmd: &str) -> Reply {
    let o = SetOpts {
        expire: Some((argv[2].clone(), unit, ExpireKind::Relative)),
        ..SetOpts::default()
    };
    set_generic(
        ctx,
        &argv[1],
        Value::str(argv[3].clone()),
        &o,
        cmd,
        Reply::OK,
        Reply::Null,
    )
}

fn setex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    setex_generic(ctx, argv, Unit::Seconds, "setex")
}

fn psetex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    setex_generic(ctx, argv, Unit::Millis, "psetex")
}

// ---- GET family -----------------------------------------------------------------------

fn get_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    read_str(ctx, &argv[1]).map_or_else(|e| e, bulk_or_null)
}

fn getset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let old = match read_str(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    ctx.keyspace.set(
        ctx.session.db,
        argv[1].clone(),
        Value::str(argv[2].clone()),
        Ttl::Clear,
    );
    bulk_or_null(old)
}

fn getdel_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    match read_str(ctx, &argv[1]) {
        Ok(Some(v)) => {
            ctx.keyspace.remove(ctx.session.db, &argv[1]);
            Reply::Bulk(v)
        }
        Ok(None) => Reply::Null,
        Err(e) => e,
    }
}

fn getex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let o = match parse_set_opts(argv, 2, Caller::GetEx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let v = match read_str(ctx, &argv[1]) {
        Ok(Some(v)) => v,
        Ok(None) => return Reply::Null,
        Err(e) => return e,
    };
    let db = ctx.session.db;
    if let Some((arg, unit, kind)) = &o.expire {
        let when = match expire_ms(ctx, arg, *unit, *kind, "getex") {
            Ok(ms) => ms,
            Err(e) => return e,
        };
        // checkAlreadyExpired applies to EXAT/PXAT only: EX/PX are always in the future.
        if *kind == ExpireKind::Absolute && when <= ctx.now_ms() {
            ctx.keyspace.remove(db, &argv[1]);
        } else {
            ctx.keyspace.set_expire(db, &argv[1], when);
        }
    } else if o.persist {
        ctx.keyspace.persist(db, &argv[1]);
    }
    Reply::Bulk(v)
}

fn mget_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    // MGET answers nil for a key of another type instead of WRONGTYPE.
    let out = argv[1..]
        .iter()
        .map(|k| {
            match ctx
                .keyspace
                .lookup_read(db, k, now)
                .and_then(|v| v.as_str())
            {
                Some(s) => Reply::Bulk(s.clone()),
                None => Reply::Null,
            }
        })
        .collect();
    Reply::Array(out)
}

fn mset_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], nx: bool) -> Reply {
    if argv.len().is_multiple_of(2) {
        let name = if nx { "msetnx" } else { "mset" };
        return Reply::error(format!(
            "ERR wrong number of arguments for '{name}' command"
        ));
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    if nx
        && argv[1..]
            .chunks(2)
            .any(|kv| ctx.keyspace.exists(db, &kv[0], now))
    {
        return Reply::Integer(0);
    }
    for kv in argv[1..].chunks(2) {
        // MSET stores the argument objects as parsed: no int encoding (checked on 7.0.15).
        ctx.keyspace.set(
            db,
            kv[0].clone(),
            Value::str_plain(kv[1].clone()),
            Ttl::Clear,
        );
    }
    if nx {
        Reply::Integer(1)
    } else {
        Reply::OK
    }
}

fn mset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    mset_generic(ctx, argv, false)
}

fn msetnx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    mset_generic(ctx, argv, true)
}

// ---- In-place modifications -----------------------------------------------------------

fn append_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let db = ctx.session.db;
    match write_str(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => {
            // A new key stores the argument after tryObjectEncoding, like SET.
            ctx.keyspace
                .set(db, argv[1].clone(), Value::str(argv[2].clone()), Ttl::Clear);
            Reply::Integer(argv[2].len() as i64)
        }
        Ok(Some(old)) => {
            if let Err(e) = check_len(ctx, old.len() as u128 + argv[2].len() as u128) {
                return e;
            }
            let mut buf = BytesMut::with_capacity(old.len() + argv[2].len());
            buf.extend_from_slice(&old);
            buf.extend_from_slice(&argv[2]);
            let len = buf.len();
            ctx.keyspace
                .set(db, argv[1].clone(), Value::str_raw(buf.freeze()), Ttl::Keep);
            Reply::Integer(len as i64)
        }
    }
}

fn strlen_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    match read_str(ctx, &argv[1]) {
        Ok(v) => Reply::Integer(v.map_or(0, |s| s.len() as i64)),
        Err(e) => e,
    }
}

fn getrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let (mut start, mut end) = match (arg_i64(&argv[2]), arg_i64(&argv[3])) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let s = match read_str(ctx, &argv[1]) {
        Ok(Some(s)) => s,
        Ok(None) => return Reply::Bulk(Bytes::new()),
        Err(e) => return e,
    };
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Reply::Bulk(Bytes::new());
    }
    if start < 0 {
        start = start.saturating_add(len);
    }
    if end < 0 {
        end = end.saturating_add(len);
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return Reply::Bulk(Bytes::new());
    }
    Reply::Bulk(s.slice(start as usize..=end as usize))
}

fn setrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let offset = match arg_i64(&argv[2]) {
        Ok(o) if o < 0 => return Reply::err("ERR offset is out of range"),
        Ok(o) => o as u64,
        Err(e) => return e,
    };
    let value = &argv[3];
    let db = ctx.session.db;
    let old = match write_str(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if value.is_empty() {
        return Reply::Integer(old.map_or(0, |s| s.len() as i64));
    }
    if let Err(e) = check_len(ctx, offset as u128 + value.len() as u128) {
        return e;
    }
    // Both fit proto-max-bulk-len (at most u64 bytes), so the casts below are exact.
    let offset = offset as usize;
    let old = old.unwrap_or_default();
    let new_len = old.len().max(offset + value.len());
    let mut buf = BytesMut::zeroed(new_len);
    buf[..old.len()].copy_from_slice(&old);
    buf[offset..offset + value.len()].copy_from_slice(value);
    ctx.keyspace
        .set(db, argv[1].clone(), Value::str_raw(buf.freeze()), Ttl::Keep);
    Reply::Integer(new_len as i64)
}

// ---- Counters -----------------------------------------------------------------------

fn incr_generic(ctx: &mut Ctx<'_>, key: &Bytes, incr: i64) -> Reply {
    let old = match write_str(ctx, key) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let cur = match old {
        None => 0,
        Some(s) => match parse_i64(&s) {
            Some(n) => n,
            None => return Reply::err(ERR_NOT_INT),
        },
    };
    let Some(new) = cur.checked_add(incr) else {
        return Reply::err("ERR increment or decrement would overflow");
    };
    // dbOverwrite keeps the TTL.
    ctx.keyspace
        .set(ctx.session.db, key.clone(), Value::int(new), Ttl::Keep);
    Reply::Integer(new)
}

fn incr_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    incr_generic(ctx, &argv[1], 1)
}

fn decr_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    incr_generic(ctx, &argv[1], -1)
}

fn incrby_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    match arg_i64(&argv[2]) {
        Ok(n) => incr_generic(ctx, &argv[1], n),
        Err(e) => e,
    }
}

fn decrby_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    match arg_i64(&argv[2]) {
        Ok(i64::MIN) => Reply::err("ERR decrement would overflow"),
        Ok(n) => incr_generic(ctx, &argv[1], -n),
        Err(e) => e,
    }
}

fn incrbyfloat_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    const NOT_FLOAT: &str = "ERR value is not a valid float";
    let old = match write_str(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let cur = match old {
        None => LongDouble::parse(b"0"),
        Some(s) => LongDouble::parse(&s),
    };
    let (Some(cur), Some(incr)) = (cur, LongDouble::parse(&argv[2])) else {
        return Reply::err(NOT_FLOAT);
    };
    let sum = cur.plus(incr);
    if !sum.is_finite() {
        return Reply::err("ERR increment would produce NaN or Infinity");
    }
    let text = Bytes::from(sum.to_human());
    // createStringObjectFromLongDouble: no int encoding; dbOverwrite keeps the TTL.
    ctx.keyspace.set(
        ctx.session.db,
        argv[1].clone(),
        Value::str_plain(text.clone()),
        Ttl::Keep,
    );
    Reply::Bulk(text)
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

pub const COMMANDS: &[Command] = &[
    Command {
        name: "append",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Append a value to a key",
        since: "2.0.0",
        group: "string",
        handler: append_cmd,
    },
    Command {
        name: "decr",
        arity: 2,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Decrement the integer value of a key by one",
        since: "1.0.0",
        group: "string",
        handler: decr_cmd,
    },
    Command {
        name: "decrby",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Decrement the integer value of a key by the given number",
        since: "1.0.0",
        group: "string",
        handler: decrby_cmd,
    },
    Command {
        name: "get",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["read", "string", "fast"],
        summary: "Get the value of a key",
        since: "1.0.0",
        group: "string",
        handler: get_cmd,
    },
    Command {
        name: "getdel",
        arity: 2,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Get the value of a key and delete the key",
        since: "6.2.0",
        group: "string",
        handler: getdel_cmd,
    },
    Command {
        name: "getex",
        arity: -2,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Get the value of a key and optionally set its expiration",
        since: "6.2.0",
        group: "string",
        handler: getex_cmd,
    },
    Command {
        name: "getrange",
        arity: 4,
        flags: &["readonly"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["read", "string", "slow"],
        summary: "Get a substring of the string stored at a key",
        since: "2.4.0",
        group: "string",
        handler: getrange_cmd,
    },
    Command {
        name: "getset",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Set the string value of a key and return its old value",
        since: "1.0.0",
        group: "string",
        handler: getset_cmd,
    },
    Command {
        name: "incr",
        arity: 2,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Increment the integer value of a key by one",
        since: "1.0.0",
        group: "string",
        handler: incr_cmd,
    },
    Command {
        name: "incrby",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Increment the integer value of a key by the given amount",
        since: "1.0.0",
        group: "string",
        handler: incrby_cmd,
    },
    Command {
        name: "incrbyfloat",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Increment the float value of a key by the given amount",
        since: "2.6.0",
        group: "string",
        handler: incrbyfloat_cmd,
    },
    Command {
        name: "mget",
        arity: -2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: -1,
        step: 1,
        acl: &["read", "string", "fast"],
        summary: "Get the values of all the given keys",
        since: "1.0.0",
        group: "string",
        handler: mget_cmd,
    },
    Command {
        name: "mset",
        arity: -3,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: -1,
        step: 2,
        acl: &["write", "string", "slow"],
        summary: "Set multiple keys to multiple values",
        since: "1.0.1",
        group: "string",
        handler: mset_cmd,
    },
    Command {
        name: "msetnx",
        arity: -3,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: -1,
        step: 2,
        acl: &["write", "string", "slow"],
        summary: "Set multiple keys to multiple values, only if none of the keys exist",
        since: "1.0.1",
        group: "string",
        handler: msetnx_cmd,
    },
    Command {
        name: "psetex",
        arity: 4,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "slow"],
        summary: "Set the value and expiration in milliseconds of a key",
        since: "2.6.0",
        group: "string",
        handler: psetex_cmd,
    },
    Command {
        name: "set",
        arity: -3,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "slow"],
        summary: "Set the string value of a key",
        since: "1.0.0",
        group: "string",
        handler: set_cmd,
    },
    Command {
        name: "setex",
        arity: 4,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "slow"],
        summary: "Set the value and expiration of a key",
        since: "2.0.0",
        group: "string",
        handler: setex_cmd,
    },
    Command {
        name: "setnx",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "fast"],
        summary: "Set the value of a key, only if the key does not exist",
        since: "1.0.0",
        group: "string",
        handler: setnx_cmd,
    },
    Command {
        name: "setrange",
        arity: 4,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["write", "string", "slow"],
        summary: "Overwrite part of a string at key starting at the specified offset",
        since: "2.2.0",
        group: "string",
        handler: setrange_cmd,
    },
    Command {
        name: "strlen",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["read", "string", "fast"],
        summary: "Get the length of the value stored in a key",
        since: "2.2.0",
        group: "string",
        handler: strlen_cmd,
    },
    Command {
        name: "substr",
        arity: 4,
        flags: &["readonly"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["read", "string", "slow"],
        summary: "Get a substring of the string stored at a key",
        since: "1.0.0",
        group: "string",
        handler: getrange_cmd,
    },
];
