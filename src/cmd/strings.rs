//! String commands (t_string.c).

use super::args::{arg_i64, is, wrongtype, ERR_NOT_FLOAT, ERR_NOT_INT, ERR_SYNTAX};
use super::notify::{self, notify};
use super::table::*;
use super::Ctx;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use crate::util::int::string2ll;
use crate::util::ldouble::LongDouble;
use bytes::{Bytes, BytesMut};

const ERR_TOO_BIG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// The string at `key` for reading (lazy expiry, hit/miss counted), or WRONGTYPE.
fn read_str(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let now = ctx.now_ms();
    match ctx.keyspace.lookup_read(ctx.session.db, key, now) {
        None => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(wrongtype),
    }
}

/// The string at `key` for writing (lazy expiry, no stats), or WRONGTYPE.
fn write_str(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let now = ctx.now_ms();
    match ctx.keyspace.lookup_write(ctx.session.db, key, now) {
        None => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(wrongtype),
    }
}

/// DEL, or UNLINK when the lazyfree setting `param` is on (Redis propagates what it did).
fn del_or_unlink(ctx: &Ctx<'_>, param: &str) -> Bytes {
    if ctx.server.config.get(param).as_deref() == Some("yes") {
        Bytes::from_static(b"UNLINK")
    } else {
        Bytes::from_static(b"DEL")
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
) -> CmdResult {
    let when = match &o.expire {
        Some((arg, unit, kind)) => Some(expire_ms(ctx, arg, *unit, *kind, cmd)?),
        None => None,
    };
    let old = if o.get {
        bulk_or_null(read_str(ctx, key)?)
    } else {
        Reply::Null
    };
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let found = ctx.keyspace.exists(db, key, now);
    if (o.nx && found) || (o.xx && !found) {
        return Ok(if o.get { old } else { abort });
    }
    let ttl = match (when, o.keepttl) {
        (Some(ms), _) => Ttl::At(ms),
        (None, true) => Ttl::Keep,
        (None, false) => Ttl::Clear,
    };
    let propagated_val = when.and_then(|_| val.as_str());
    ctx.keyspace.set(db, key.clone(), val, ttl);
    ctx.add_dirty(1);
    notify(ctx, notify::STRING, "set", key);
    if when.is_some() {
        notify(ctx, notify::GENERIC, "expire", key);
    }
    if let Some(ms) = when {
        // Replicated as SET key value PXAT <absolute ms> (options dropped).
        if let Some(v) = propagated_val {
            ctx.propagate_as(vec![
                Bytes::from_static(b"SET"),
                key.clone(),
                v,
                Bytes::from_static(b"PXAT"),
                Bytes::from(ms.to_string()),
            ]);
        }
    }
    if o.get {
        Ok(old)
    } else {
        Ok(ok)
    }
}

fn set_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let o = parse_set_opts(argv, 3, Caller::Set)?;
    if o.get && o.expire.is_none() {
        // Replicated without its GET arguments (set_generic rewrites a SET with a TTL).
        let without_get = argv
            .iter()
            .enumerate()
            .filter(|(j, a)| *j < 3 || !a.eq_ignore_ascii_case(b"get"))
            .map(|(_, a)| a.clone())
            .collect();
        ctx.propagate_as(without_get);
    }
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

fn setnx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
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

fn setex_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], unit: Unit, cmd: &str) -> CmdResult {
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

fn setex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    setex_generic(ctx, argv, Unit::Seconds, "setex")
}

fn psetex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    setex_generic(ctx, argv, Unit::Millis, "psetex")
}

// ---- GET family -----------------------------------------------------------------------

fn get_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    Ok(bulk_or_null(read_str(ctx, &argv[1])?))
}

fn getset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let old = read_str(ctx, &argv[1])?;
    ctx.keyspace.set(
        ctx.session.db,
        argv[1].clone(),
        Value::str(argv[2].clone()),
        Ttl::Clear,
    );
    notify(ctx, notify::STRING, "set", &argv[1]);
    ctx.add_dirty(1);
    ctx.propagate_as(vec![
        Bytes::from_static(b"SET"),
        argv[1].clone(),
        argv[2].clone(),
    ]);
    Ok(bulk_or_null(old))
}

fn getdel_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    match read_str(ctx, &argv[1])? {
        Some(v) => {
            ctx.keyspace.remove(ctx.session.db, &argv[1]);
            notify(ctx, notify::GENERIC, "del", &argv[1]);
            ctx.add_dirty(1);
            ctx.propagate_as(vec![
                del_or_unlink(ctx, "lazyfree-lazy-user-del"),
                argv[1].clone(),
            ]);
            Ok(Reply::Bulk(v))
        }
        None => Ok(Reply::Null),
    }
}

fn getex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let o = parse_set_opts(argv, 2, Caller::GetEx)?;
    let v = match read_str(ctx, &argv[1])? {
        Some(v) => v,
        None => return Ok(Reply::Null),
    };
    let db = ctx.session.db;
    if let Some((arg, unit, kind)) = &o.expire {
        let when = expire_ms(ctx, arg, *unit, *kind, "getex")?;
        // checkAlreadyExpired applies to EXAT/PXAT only: EX/PX are always in the future.
        if *kind == ExpireKind::Absolute && when <= ctx.now_ms() && !ctx.keyspace.is_loading() {
            ctx.keyspace.remove(db, &argv[1]);
            notify(ctx, notify::GENERIC, "del", &argv[1]);
            let del = del_or_unlink(ctx, "lazyfree-lazy-expire");
            ctx.propagate_as(vec![del, argv[1].clone()]);
        } else {
            ctx.keyspace.set_expire(db, &argv[1], when);
            notify(ctx, notify::GENERIC, "expire", &argv[1]);
            ctx.propagate_as(vec![
                Bytes::from_static(b"PEXPIREAT"),
                argv[1].clone(),
                Bytes::from(when.to_string()),
            ]);
        }
        ctx.add_dirty(1);
    } else if o.persist && ctx.keyspace.persist(db, &argv[1]) {
        notify(ctx, notify::GENERIC, "persist", &argv[1]);
        ctx.add_dirty(1);
        ctx.propagate_as(vec![Bytes::from_static(b"PERSIST"), argv[1].clone()]);
    }
    Ok(Reply::Bulk(v))
}

fn mget_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
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
                Some(s) => Reply::Bulk(s),
                None => Reply::Null,
            }
        })
        .collect();
    Ok(Reply::Array(out))
}

fn mset_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], nx: bool) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        let name = if nx { "msetnx" } else { "mset" };
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for '{name}' command"
        )));
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    if nx
        && argv[1..]
            .chunks(2)
            .any(|kv| ctx.keyspace.exists(db, &kv[0], now))
    {
        return Ok(Reply::Integer(0));
    }
    ctx.add_dirty(argv.len() as u64 / 2);
    for kv in argv[1..].chunks(2) {
        // MSET stores the argument objects as parsed: no int encoding (checked on 7.0.15).
        ctx.keyspace.set(
            db,
            kv[0].clone(),
            Value::str_plain(kv[1].clone()),
            Ttl::Clear,
        );
        notify(ctx, notify::STRING, "set", &kv[0]);
    }
    if nx {
        Ok(Reply::Integer(1))
    } else {
        Ok(Reply::OK)
    }
}

fn mset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    mset_generic(ctx, argv, false)
}

fn msetnx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    mset_generic(ctx, argv, true)
}

// ---- In-place modifications -----------------------------------------------------------

fn append_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let db = ctx.session.db;
    match write_str(ctx, &argv[1])? {
        None => {
            // A new key stores the argument after tryObjectEncoding, like SET.
            ctx.keyspace
                .set(db, argv[1].clone(), Value::str(argv[2].clone()), Ttl::Clear);
            notify(ctx, notify::STRING, "append", &argv[1]);
            ctx.add_dirty(1);
            Ok(Reply::Integer(argv[2].len() as i64))
        }
        Some(old) => {
            check_len(ctx, old.len() as u128 + argv[2].len() as u128)?;
            let mut buf = BytesMut::with_capacity(old.len() + argv[2].len());
            buf.extend_from_slice(&old);
            buf.extend_from_slice(&argv[2]);
            let len = buf.len();
            ctx.keyspace
                .set(db, argv[1].clone(), Value::str_raw(buf.freeze()), Ttl::Keep);
            notify(ctx, notify::STRING, "append", &argv[1]);
            ctx.add_dirty(1);
            Ok(Reply::Integer(len as i64))
        }
    }
}

fn strlen_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let v = read_str(ctx, &argv[1])?;
    Ok(Reply::Integer(v.map_or(0, |s| s.len() as i64)))
}

fn getrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (mut start, mut end) = (arg_i64(&argv[2])?, arg_i64(&argv[3])?);
    let s = match read_str(ctx, &argv[1])? {
        Some(s) => s,
        None => return Ok(Reply::Bulk(Bytes::new())),
    };
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Ok(Reply::Bulk(Bytes::new()));
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
        return Ok(Reply::Bulk(Bytes::new()));
    }
    Ok(Reply::Bulk(s.slice(start as usize..=end as usize)))
}

fn setrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let offset = match arg_i64(&argv[2])? {
        o if o < 0 => return Err(Reply::err("ERR offset is out of range")),
        o => o as u64,
    };
    let value = &argv[3];
    let db = ctx.session.db;
    let old = write_str(ctx, &argv[1])?;
    if value.is_empty() {
        return Ok(Reply::Integer(old.map_or(0, |s| s.len() as i64)));
    }
    check_len(ctx, offset as u128 + value.len() as u128)?;
    // Both fit proto-max-bulk-len (at most u64 bytes), so the casts below are exact.
    let offset = offset as usize;
    let old = old.unwrap_or_default();
    let new_len = old.len().max(offset + value.len());
    let mut buf = BytesMut::zeroed(new_len);
    buf[..old.len()].copy_from_slice(&old);
    buf[offset..offset + value.len()].copy_from_slice(value);
    ctx.keyspace
        .set(db, argv[1].clone(), Value::str_raw(buf.freeze()), Ttl::Keep);
    notify(ctx, notify::STRING, "setrange", &argv[1]);
    ctx.add_dirty(1);
    Ok(Reply::Integer(new_len as i64))
}

// ---- Counters -----------------------------------------------------------------------

fn incr_generic(ctx: &mut Ctx<'_>, key: &Bytes, incr: i64) -> CmdResult {
    let old = write_str(ctx, key)?;
    let cur = match old {
        None => 0,
        Some(s) => match string2ll(&s) {
            Some(n) => n,
            None => return Err(Reply::err(ERR_NOT_INT)),
        },
    };
    let Some(new) = cur.checked_add(incr) else {
        return Err(Reply::err("ERR increment or decrement would overflow"));
    };
    // dbOverwrite keeps the TTL.
    ctx.keyspace
        .set(ctx.session.db, key.clone(), Value::int(new), Ttl::Keep);
    notify(ctx, notify::STRING, "incrby", key);
    ctx.add_dirty(1);
    Ok(Reply::Integer(new))
}

fn incr_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    incr_generic(ctx, &argv[1], 1)
}

fn decr_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    incr_generic(ctx, &argv[1], -1)
}

fn incrby_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let n = arg_i64(&argv[2])?;
    incr_generic(ctx, &argv[1], n)
}

fn decrby_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    match arg_i64(&argv[2])? {
        i64::MIN => Err(Reply::err("ERR decrement would overflow")),
        n => incr_generic(ctx, &argv[1], -n),
    }
}

fn incrbyfloat_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let old = write_str(ctx, &argv[1])?;
    let cur = match old {
        None => LongDouble::parse(b"0"),
        Some(s) => LongDouble::parse(&s),
    };
    let (Some(cur), Some(incr)) = (cur, LongDouble::parse(&argv[2])) else {
        return Err(Reply::err(ERR_NOT_FLOAT));
    };
    let sum = cur + incr;
    if !sum.is_finite() {
        return Err(Reply::err("ERR increment would produce NaN or Infinity"));
    }
    let text = Bytes::from(sum.to_redis_string());
    // createStringObjectFromLongDouble: no int encoding; dbOverwrite keeps the TTL.
    ctx.keyspace.set(
        ctx.session.db,
        argv[1].clone(),
        Value::str_plain(text.clone()),
        Ttl::Keep,
    );
    notify(ctx, notify::STRING, "incrbyfloat", &argv[1]);
    ctx.add_dirty(1);
    // Replicated as SET key <result> KEEPTTL, so a replay cannot round differently.
    ctx.propagate_as(vec![
        Bytes::from_static(b"SET"),
        argv[1].clone(),
        text.clone(),
        Bytes::from_static(b"KEEPTTL"),
    ]);
    Ok(Reply::Bulk(text))
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("append", 3, WRITE | DENYOOM | FAST, Group::String, append_cmd).keys(&[key(1, RW | INSERT)])
        .doc("2.0.0", "Append a value to a key", "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation."),
    cmd("decr", 2, WRITE | DENYOOM | FAST, Group::String, decr_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.0.0", "Decrement the integer value of a key by one", "O(1)"),
    cmd("decrby", 3, WRITE | DENYOOM | FAST, Group::String, decrby_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.0.0", "Decrement the integer value of a key by the given number", "O(1)"),
    cmd("get", 2, READONLY | FAST, Group::String, get_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.0.0", "Get the value of a key", "O(1)"),
    cmd("getdel", 2, WRITE | FAST, Group::String, getdel_cmd).keys(&[key(1, RW | ACCESS | DELETE)])
        .doc("6.2.0", "Get the value of a key and delete the key", "O(1)"),
    cmd("getex", -2, WRITE | FAST, Group::String, getex_cmd).keys(&[key(1, RW | ACCESS | UPDATE).notes("RW and UPDATE because it changes the TTL")])
        .doc("6.2.0", "Get the value of a key and optionally set its expiration", "O(1)"),
    cmd("getrange", 4, READONLY, Group::String, getrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.4.0", "Get a substring of the string stored at a key", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."),
    cmd("getset", 3, WRITE | DENYOOM | FAST, Group::String, getset_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.0.0", "Set the string value of a key and return its old value", "O(1)").deprecated("6.2.0", "`SET` with the `!GET` argument"),
    cmd("incr", 2, WRITE | DENYOOM | FAST, Group::String, incr_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.0.0", "Increment the integer value of a key by one", "O(1)"),
    cmd("incrby", 3, WRITE | DENYOOM | FAST, Group::String, incrby_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.0.0", "Increment the integer value of a key by the given amount", "O(1)"),
    cmd("incrbyfloat", 3, WRITE | DENYOOM | FAST, Group::String, incrbyfloat_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("2.6.0", "Increment the float value of a key by the given amount", "O(1)"),
    cmd("mget", -2, READONLY | FAST, Group::String, mget_cmd).keys(&[range(1, -1, 1, RO | ACCESS)]).tips(&["request_policy:multi_shard"])
        .doc("1.0.0", "Get the values of all the given keys", "O(N) where N is the number of keys to retrieve."),
    cmd("mset", -3, WRITE | DENYOOM, Group::String, mset_cmd).keys(&[range(1, -1, 2, OW | UPDATE)]).tips(&["request_policy:multi_shard", "response_policy:all_succeeded"])
        .doc("1.0.1", "Set multiple keys to multiple values", "O(N) where N is the number of keys to set."),
    cmd("msetnx", -3, WRITE | DENYOOM, Group::String, msetnx_cmd).keys(&[range(1, -1, 2, OW | INSERT)]).tips(&["request_policy:multi_shard", "response_policy:agg_min"])
        .doc("1.0.1", "Set multiple keys to multiple values, only if none of the keys exist", "O(N) where N is the number of keys to set."),
    cmd("psetex", 4, WRITE | DENYOOM, Group::String, psetex_cmd).keys(&[key(1, OW | UPDATE)])
        .doc("2.6.0", "Set the value and expiration in milliseconds of a key", "O(1)"),
    cmd("set", -3, WRITE | DENYOOM, Group::String, set_cmd).keys(&[key(1, RW | ACCESS | UPDATE | VARIABLE_FLAGS).notes("RW and ACCESS due to the optional `GET` argument")]).getkeys(GetKeys::Set)
        .doc("1.0.0", "Set the string value of a key", "O(1)")
        .history(&[("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."), ("6.0.0", "Added the `KEEPTTL` option."), ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."), ("7.0.0", "Allowed the `NX` and `GET` options to be used together.")]),
    cmd("setex", 4, WRITE | DENYOOM, Group::String, setex_cmd).keys(&[key(1, OW | UPDATE)])
        .doc("2.0.0", "Set the value and expiration of a key", "O(1)"),
    cmd("setnx", 3, WRITE | DENYOOM | FAST, Group::String, setnx_cmd).keys(&[key(1, OW | INSERT)])
        .doc("1.0.0", "Set the value of a key, only if the key does not exist", "O(1)"),
    cmd("setrange", 4, WRITE | DENYOOM, Group::String, setrange_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("2.2.0", "Overwrite part of a string at key starting at the specified offset", "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument."),
    cmd("strlen", 2, READONLY | FAST, Group::String, strlen_cmd).keys(&[key(1, RO)])
        .doc("2.2.0", "Get the length of the value stored in a key", "O(1)"),
    cmd("substr", 4, READONLY, Group::String, getrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.0.0", "Get a substring of the string stored at a key", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.").deprecated("2.0.0", "`GETRANGE`"),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn set_get_and_options() {
        let mut h = Harness::new();
        assert_eq!(h.run("SET k v"), Reply::OK);
        assert_eq!(h.run("GET k"), b("v"));
        assert_eq!(h.run("GET nokey"), Reply::Null);
        assert_eq!(h.run("SET k v2 NX"), Reply::Null);
        assert_eq!(h.run("SET k v2 XX GET"), b("v"));
        assert_eq!(h.run("SET k2 v XX"), Reply::Null);
        assert_eq!(h.run("SET k v3 nx get"), b("v2"));
        assert_eq!(h.run("SET k v EX 10 EX 20"), Reply::OK);
        assert_eq!(h.run("TTL k"), i(20));
        assert_eq!(h.run("SET k v KEEPTTL"), Reply::OK);
        assert_eq!(h.run("TTL k"), i(20));
        assert_eq!(h.run("SET k v"), Reply::OK);
        assert_eq!(h.run("TTL k"), i(-1));
        for bad in [
            "SET k v NX XX",
            "SET k v EX",
            "SET k v KEEPTTL EX 1",
            "SET k v EX 1 PX 1",
            "SET k v FOO",
            "SET k v PERSIST",
        ] {
            assert_eq!(h.run(bad), e("ERR syntax error"), "{bad}");
        }
        for bad in [
            "SET k v EX 0",
            "SET k v EX -1",
            "SET k v EX 9223372036854775",
            "SET k v PX 9223372036854775807",
        ] {
            assert_eq!(
                h.run(bad),
                e("ERR invalid expire time in 'set' command"),
                "{bad}"
            );
        }
        assert_eq!(
            h.run("SET k v EX abc"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("SET k v PX 100"), Reply::OK);
        // Redis: expired once `now > when`, i.e. one millisecond after the deadline.
        h.advance_ms(101);
        assert_eq!(h.run("GET k"), Reply::Null);
        assert_eq!(h.keyspace.stats.expired_keys, 1);
        assert_eq!(h.run("SET k v PXAT 1"), Reply::OK);
        assert_eq!(h.run("GET k"), Reply::Null);
    }

    #[test]
    fn setnx_setex_getset_getdel_getex() {
        let mut h = Harness::new();
        assert_eq!(h.run("SETNX k 1"), i(1));
        assert_eq!(h.run("SETNX k 2"), i(0));
        assert_eq!(
            h.run("SETEX k 0 x"),
            e("ERR invalid expire time in 'setex' command")
        );
        assert_eq!(
            h.run("PSETEX k 0 x"),
            e("ERR invalid expire time in 'psetex' command")
        );
        assert_eq!(h.run("SETEX k 10 x"), Reply::OK);
        assert_eq!(h.run("PTTL k"), i(10_000));
        assert_eq!(h.run("GETSET k y"), b("x"));
        assert_eq!(h.run("TTL k"), i(-1));
        assert_eq!(h.run("GETEX k EX 5"), b("y"));
        assert_eq!(h.run("TTL k"), i(5));
        assert_eq!(h.run("GETEX k PERSIST"), b("y"));
        assert_eq!(h.run("TTL k"), i(-1));
        assert_eq!(h.run("GETEX k PERSIST EX 1"), e("ERR syntax error"));
        assert_eq!(h.run("GETEX k NX"), e("ERR syntax error"));
        assert_eq!(
            h.run("GETEX k PX 0"),
            e("ERR invalid expire time in 'getex' command")
        );
        assert_eq!(h.run("GETEX k PXAT 1"), b("y"));
        assert_eq!(h.run("EXISTS k"), i(0));
        assert_eq!(h.run("GETEX nokey EX 1"), Reply::Null);
        assert_eq!(h.run("SET k z"), Reply::OK);
        assert_eq!(h.run("GETDEL k"), b("z"));
        assert_eq!(h.run("GETDEL k"), Reply::Null);
    }

    #[test]
    fn mget_mset_msetnx() {
        let mut h = Harness::new();
        assert_eq!(h.run("MSET a 1 b 2"), Reply::OK);
        assert_eq!(
            h.run("MSET a"),
            e("ERR wrong number of arguments for 'mset' command")
        );
        assert_eq!(
            h.run("MGET a b c"),
            Reply::Array(vec![b("1"), b("2"), Reply::Null])
        );
        assert_eq!(h.run("MSETNX c 3 a 1"), i(0));
        assert_eq!(h.run("MSETNX c 3 d 4"), i(1));
        assert_eq!(h.run("OBJECT ENCODING a"), b("embstr"));
    }

    #[test]
    fn append_strlen_ranges() {
        let mut h = Harness::new();
        assert_eq!(h.run("APPEND k 123"), i(3));
        assert_eq!(h.run("OBJECT ENCODING k"), b("int"));
        assert_eq!(h.run("APPEND k 4"), i(4));
        assert_eq!(h.run("OBJECT ENCODING k"), b("raw"));
        assert_eq!(h.run("STRLEN k"), i(4));
        assert_eq!(h.run("STRLEN nokey"), i(0));
        assert_eq!(h.run("SET s Hello"), Reply::OK);
        assert_eq!(h.run("GETRANGE s 0 -1"), b("Hello"));
        assert_eq!(h.run("GETRANGE s -3 -1"), b("llo"));
        assert_eq!(h.run("GETRANGE s -1 -3"), b(""));
        assert_eq!(h.run("GETRANGE s 10 20"), b(""));
        assert_eq!(h.run("SUBSTR s 1 100"), b("ello"));
        assert_eq!(
            h.run("GETRANGE s x 1"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("GETRANGE nokey 0 1"), b(""));
        assert_eq!(h.run("SETRANGE s 6 World"), i(11));
        assert_eq!(
            h.run("GET s"),
            Reply::Bulk(bytes::Bytes::from_static(b"Hello\0World"))
        );
        assert_eq!(h.run("SETRANGE s -1 x"), e("ERR offset is out of range"));
        assert_eq!(
            h.run("SETRANGE s 536870912 x"),
            e("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        );
        assert_eq!(h.run("SETRANGE new 0 "), i(0));
        assert_eq!(h.run("EXISTS new"), i(0));
        assert_eq!(h.run("SETRANGE new 2 ab"), i(4));
    }

    #[test]
    fn counters() {
        let mut h = Harness::new();
        assert_eq!(h.run("INCR n"), i(1));
        assert_eq!(h.run("INCRBY n 10"), i(11));
        assert_eq!(h.run("DECR n"), i(10));
        assert_eq!(h.run("DECRBY n 20"), i(-10));
        assert_eq!(h.run("OBJECT ENCODING n"), b("int"));
        assert_eq!(
            h.run("DECRBY n -9223372036854775808"),
            e("ERR decrement would overflow")
        );
        assert_eq!(
            h.run("INCRBY n +1"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("SET n 9223372036854775807"), Reply::OK);
        assert_eq!(
            h.run("INCR n"),
            e("ERR increment or decrement would overflow")
        );
        assert_eq!(h.run("SET n 01"), Reply::OK);
        assert_eq!(
            h.run("INCR n"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("SET t 5 EX 100"), Reply::OK);
        assert_eq!(h.run("INCR t"), i(6));
        assert_eq!(h.run("TTL t"), i(100));
    }

    #[test]
    fn incrbyfloat_basics() {
        let mut h = Harness::new();
        assert_eq!(h.run("INCRBYFLOAT f 1"), b("1"));
        assert_eq!(h.run("OBJECT ENCODING f"), b("embstr"));
        assert_eq!(h.run("INCRBYFLOAT f 3.0e3"), b("3001"));
        assert_eq!(
            h.run("INCRBYFLOAT f abc"),
            e("ERR value is not a valid float")
        );
        assert_eq!(
            h.run("INCRBYFLOAT f inf"),
            e("ERR increment would produce NaN or Infinity")
        );
        assert_eq!(h.run("SET s 1x"), Reply::OK);
        assert_eq!(
            h.run("INCRBYFLOAT s 1"),
            e("ERR value is not a valid float")
        );
        assert_eq!(h.run("INCRBYFLOAT g 0.00000000000000000001"), b("0"));
    }

    #[test]
    fn wrongtype_is_reported() {
        let mut h = Harness::new();
        assert_eq!(h.run("LPUSH l x"), i(1));
        let wrongtype = e("WRONGTYPE Operation against a key holding the wrong kind of value");
        for cmd in [
            "GET l",
            "APPEND l x",
            "INCR l",
            "GETRANGE l 0 1",
            "SETRANGE l 0 x",
        ] {
            assert_eq!(h.run(cmd), wrongtype, "{cmd}");
        }
    }

    #[test]
    fn arbitrary_argv_never_panics() {
        use bytes::Bytes;
        let mut h = Harness::new();
        let words: &[&[u8]] = &[
            b"",
            b"-1",
            b"0",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"EX",
            b"PX",
            b"EXAT",
            b"PXAT",
            b"NX",
            b"XX",
            b"GET",
            b"KEEPTTL",
            b"PERSIST",
            b"k",
            b"\xff\x00",
            b"1e400",
            b"inf",
            b"-inf",
            b"nan",
            b"1.5",
        ];
        let names: Vec<&str> = super::COMMANDS.iter().map(|c| c.name).collect();
        let mut seed: u64 = 12345;
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let name = names[(seed >> 33) as usize % names.len()];
            let n = (seed >> 20) as usize % 6;
            let mut argv = vec![Bytes::from(name)];
            for j in 0..n {
                let w = words[((seed >> (j * 5)) as usize) % words.len()];
                argv.push(Bytes::copy_from_slice(w));
            }
            let _ = h.argv(&argv);
        }
    }
}
