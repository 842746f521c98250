//! Generic key commands and the expire family (db.c, expire.c, object.c).

use super::args::{arg_i32, arg_i64, is, scan_cursor, scan_opts, ScanOpts, ERR_SYNTAX};
use super::reply::scan_reply;
use super::table::{CmdResult, Command};
use super::Ctx;
use crate::db::Ttl;
use crate::db::Value;
use crate::resp::Reply;
use crate::util::glob::stringmatchlen;
use crate::util::{c_str, printf_s};
use bytes::Bytes;

const ERR_SAME: &str = "ERR source and destination objects are the same";
const ERR_DB_RANGE: &str = "ERR DB index is out of range";

fn del_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let mut n = 0;
    for k in &argv[1..] {
        // Lazy expiry first: an expired key is not counted as deleted.
        if ctx.keyspace.exists(db, k, now) {
            ctx.keyspace.remove(db, k);
            n += 1;
        }
    }
    Ok(Reply::Integer(n))
}

fn exists_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    // Repeated keys count each time, as in Redis.
    let n = argv[1..]
        .iter()
        .filter(|k| ctx.keyspace.lookup_read(db, k, now).is_some())
        .count();
    Ok(Reply::Integer(n as i64))
}

fn type_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let t = ctx
        .keyspace
        .lookup_read(ctx.session.db, &argv[1], now)
        .map_or("none", Value::type_name);
    Ok(Reply::simple(t))
}

fn rename_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], nx: bool) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let Some(value) = ctx.keyspace.lookup_write(db, &argv[1], now).cloned() else {
        return Err(Reply::err("ERR no such key"));
    };
    if argv[1] == argv[2] {
        return if nx {
            Ok(Reply::Integer(0))
        } else {
            Ok(Reply::OK)
        };
    }
    let expire = ctx.keyspace.get_expire(db, &argv[1]);
    if ctx.keyspace.exists(db, &argv[2], now) {
        if nx {
            return Ok(Reply::Integer(0));
        }
        ctx.keyspace.remove(db, &argv[2]);
    }
    ctx.keyspace.remove(db, &argv[1]);
    let ttl = expire.map_or(Ttl::Clear, Ttl::At);
    ctx.keyspace.set(db, argv[2].clone(), value, ttl);
    if nx {
        Ok(Reply::Integer(1))
    } else {
        Ok(Reply::OK)
    }
}

fn rename_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, false)
}

fn renamenx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, true)
}

/// getIntFromObjectOrReply + selectDb's range check.
fn db_index(ctx: &Ctx<'_>, arg: &[u8]) -> Result<usize, Reply> {
    let id = arg_i32(arg)?;
    if id < 0 || id as usize >= ctx.keyspace.databases() {
        return Err(Reply::err(ERR_DB_RANGE));
    }
    Ok(id as usize)
}

fn copy_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let src = ctx.session.db;
    let mut dst = src;
    let mut replace = false;
    let mut j = 3;
    while j < argv.len() {
        if is(&argv[j], "replace") {
            replace = true;
        } else if is(&argv[j], "db") && j + 1 < argv.len() {
            dst = db_index(ctx, &argv[j + 1])?;
            j += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    if src == dst && argv[1] == argv[2] {
        return Err(Reply::err(ERR_SAME));
    }
    let now = ctx.now_ms();
    let Some(value) = ctx.keyspace.lookup_write(src, &argv[1], now).cloned() else {
        return Ok(Reply::Integer(0));
    };
    let expire = ctx.keyspace.get_expire(src, &argv[1]);
    if ctx.keyspace.exists(dst, &argv[2], now) {
        if !replace {
            return Ok(Reply::Integer(0));
        }
        ctx.keyspace.remove(dst, &argv[2]);
    }
    ctx.keyspace.set(
        dst,
        argv[2].clone(),
        value,
        expire.map_or(Ttl::Clear, Ttl::At),
    );
    Ok(Reply::Integer(1))
}

fn move_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let dst = db_index(ctx, &argv[2])?;
    let src = ctx.session.db;
    if src == dst {
        return Err(Reply::err(ERR_SAME));
    }
    let now = ctx.now_ms();
    if !ctx.keyspace.exists(src, &argv[1], now) || ctx.keyspace.exists(dst, &argv[1], now) {
        return Ok(Reply::Integer(0));
    }
    let expire = ctx.keyspace.get_expire(src, &argv[1]);
    let Some(value) = ctx.keyspace.remove(src, &argv[1]) else {
        return Ok(Reply::Integer(0));
    };
    ctx.keyspace.set(
        dst,
        argv[1].clone(),
        value,
        expire.map_or(Ttl::Clear, Ttl::At),
    );
    Ok(Reply::Integer(1))
}

fn keys_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let keys = ctx.keyspace.keys_matching(ctx.session.db, &argv[1], now);
    Ok(Reply::Array(keys.into_iter().map(Reply::Bulk).collect()))
}

fn scan_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut cursor = scan_cursor(&argv[1])?;
    let ScanOpts {
        count,
        pattern,
        type_name,
    } = scan_opts(argv, 2, true)?;
    let db = ctx.session.db;
    // Redis: keep scanning buckets until `count` keys were collected, at most count*10
    // buckets per call (so sparse tables still return promptly).
    let mut found: Vec<(Bytes, &'static str)> = Vec::new();
    let mut max_iterations = count.saturating_mul(10);
    loop {
        cursor = ctx.keyspace.scan(db, cursor, &mut found);
        if cursor == 0 || max_iterations == 0 || found.len() as u64 >= count {
            break;
        }
        max_iterations -= 1;
    }
    let now = ctx.now_ms();
    let mut keys = Vec::new();
    for (k, t) in found {
        if pattern
            .as_ref()
            .is_some_and(|p| !stringmatchlen(p, &k, false))
        {
            continue;
        }
        if type_name
            .as_ref()
            .is_some_and(|want| !want.eq_ignore_ascii_case(t.as_bytes()))
        {
            continue;
        }
        if ctx.keyspace.expire_if_needed(db, &k, now) {
            continue;
        }
        keys.push(Reply::Bulk(k));
    }
    Ok(scan_reply(cursor, keys))
}

fn randomkey_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let key = ctx.keyspace.random_key(db, now, &mut ctx.server.rng);
    Ok(key.map_or(Reply::Null, Reply::Bulk))
}

fn touch_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    exists_cmd(ctx, argv)
}

// ---- Expire family ------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
}

/// expireGenericCommand. `base_ms` is now for EXPIRE/PEXPIRE and 0 for the *AT forms.
fn expire_generic(
    ctx: &mut Ctx<'_>,
    argv: &[Bytes],
    base_ms: i64,
    unit: Unit,
    cmd: &str,
) -> CmdResult {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in &argv[3..] {
        if is(opt, "nx") {
            nx = true;
        } else if is(opt, "xx") {
            xx = true;
        } else if is(opt, "gt") {
            gt = true;
        } else if is(opt, "lt") {
            lt = true;
        } else {
            return Err(Reply::error_bytes(
                [b"ERR Unsupported option ", c_str(opt)].concat(),
            ));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(Reply::err(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if gt && lt {
        return Err(Reply::err(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    let invalid = || Reply::error(format!("ERR invalid expire time in '{cmd}' command"));
    let mut when = arg_i64(&argv[2])?;
    if unit == Unit::Seconds {
        when = match when.checked_mul(1000) {
            Some(w) => w,
            None => return Ok(invalid()),
        };
    }
    let Some(when) = when.checked_add(base_ms) else {
        return Ok(invalid());
    };
    let now = ctx.now_ms();
    let db = ctx.session.db;
    if !ctx.keyspace.exists(db, &argv[1], now) {
        return Ok(Reply::Integer(0));
    }
    let current = ctx.keyspace.get_expire(db, &argv[1]).map(|c| c as i64);
    let refused = (nx && current.is_some())
        || (xx && current.is_none())
        // No TTL counts as infinite: GT always fails and LT always succeeds.
        || (gt && current.is_none_or(|c| when <= c))
        || (lt && current.is_some_and(|c| when >= c));
    if refused {
        return Ok(Reply::Integer(0));
    }
    if when <= now as i64 {
        ctx.keyspace.remove(db, &argv[1]);
    } else {
        ctx.keyspace.set_expire(db, &argv[1], when as u64);
    }
    Ok(Reply::Integer(1))
}

fn expire_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms() as i64;
    expire_generic(ctx, argv, now, Unit::Seconds, "expire")
}

fn pexpire_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms() as i64;
    expire_generic(ctx, argv, now, Unit::Millis, "pexpire")
}

fn expireat_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, Unit::Seconds, "expireat")
}

fn pexpireat_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, Unit::Millis, "pexpireat")
}

/// ttlGenericCommand: -2 no key, -1 no TTL, else the remaining (or absolute) time.
fn ttl_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], millis: bool, absolute: bool) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    if ctx.keyspace.lookup_read(db, &argv[1], now).is_none() {
        return Ok(Reply::Integer(-2));
    }
    let Some(when) = ctx.keyspace.get_expire(db, &argv[1]) else {
        return Ok(Reply::Integer(-1));
    };
    let ttl = if absolute {
        when
    } else {
        when.saturating_sub(now)
    };
    let ttl = ttl.min(i64::MAX as u64) as i64;
    Ok(Reply::Integer(if millis {
        ttl
    } else {
        ttl.saturating_add(500) / 1000
    }))
}

fn ttl_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, false)
}

fn pttl_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, false)
}

fn expiretime_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, true)
}

fn pexpiretime_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, true)
}

fn persist_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let done = ctx.keyspace.exists(db, &argv[1], now) && ctx.keyspace.persist(db, &argv[1]);
    Ok(Reply::Integer(done as i64))
}

// ---- OBJECT -------------------------------------------------------------------------

const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// Redis's OBJ_SHARED_REFCOUNT: integers 0..9999 are shared objects.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

fn object_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let sub = &argv[1];
    let known = ["encoding", "freq", "idletime", "refcount"];
    if is(sub, "help") {
        if argv.len() != 2 {
            return Err(Reply::err(
                "ERR wrong number of arguments for 'object|help' command",
            ));
        }
        return Ok(Reply::Array(
            OBJECT_HELP
                .iter()
                .map(|l| Reply::Simple((*l).into()))
                .collect(),
        ));
    }
    let Some(name) = known.iter().find(|n| is(sub, n)) else {
        return Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand '",
                printf_s(sub, 128),
                b"'. Try OBJECT HELP.",
            ]
            .concat(),
        ));
    };
    if argv.len() != 3 {
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for 'object|{name}' command"
        )));
    }
    let now = ctx.now_ms();
    let Some(v) = ctx.keyspace.lookup_read(ctx.session.db, &argv[2], now) else {
        return Ok(Reply::Null);
    };
    match *name {
        "encoding" => Ok(Reply::bulk(v.encoding_name())),
        "refcount" => {
            let shared = v.encoding_name() == "int"
                && v.as_str().and_then(|s| crate::util::int::string2ll(s)).is_some_and(|n| (0..10_000).contains(&n));
            Ok(Reply::Integer(if shared { SHARED_REFCOUNT } else { 1 }))
        }
        // Access times are not tracked: every key reads as just used.
        "idletime" => Ok(Reply::Integer(0)),
        _ => Err(Reply::err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")),
    }
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

pub const COMMANDS: &[Command] = &[
    Command {
        name: "copy",
        arity: -3,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: 2,
        step: 1,
        acl: &["keyspace", "write", "slow"],
        summary: "Copy a key",
        since: "6.2.0",
        group: "generic",
        handler: copy_cmd,
    },
    Command {
        name: "del",
        arity: -2,
        flags: &["write"],
        first_key: 1,
        last_key: -1,
        step: 1,
        acl: &["keyspace", "write", "slow"],
        summary: "Delete a key",
        since: "1.0.0",
        group: "generic",
        handler: del_cmd,
    },
    Command {
        name: "exists",
        arity: -2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: -1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Determine if a key exists",
        since: "1.0.0",
        group: "generic",
        handler: exists_cmd,
    },
    Command {
        name: "expire",
        arity: -3,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Set a key's time to live in seconds",
        since: "1.0.0",
        group: "generic",
        handler: expire_cmd,
    },
    Command {
        name: "expireat",
        arity: -3,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Set the expiration for a key as a UNIX timestamp",
        since: "1.2.0",
        group: "generic",
        handler: expireat_cmd,
    },
    Command {
        name: "expiretime",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Get the expiration Unix timestamp for a key",
        since: "7.0.0",
        group: "generic",
        handler: expiretime_cmd,
    },
    Command {
        name: "keys",
        arity: 2,
        flags: &["readonly"],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["keyspace", "read", "slow", "dangerous"],
        summary: "Find all keys matching the given pattern",
        since: "1.0.0",
        group: "generic",
        handler: keys_cmd,
    },
    Command {
        name: "move",
        arity: 3,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Move a key to another database",
        since: "1.0.0",
        group: "generic",
        handler: move_cmd,
    },
    Command {
        name: "object",
        arity: -2,
        flags: &[],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["slow"],
        summary: "A container for object introspection commands",
        since: "2.2.3",
        group: "generic",
        handler: object_cmd,
    },
    Command {
        name: "persist",
        arity: 2,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Remove the expiration from a key",
        since: "2.2.0",
        group: "generic",
        handler: persist_cmd,
    },
    Command {
        name: "pexpire",
        arity: -3,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Set a key's time to live in milliseconds",
        since: "2.6.0",
        group: "generic",
        handler: pexpire_cmd,
    },
    Command {
        name: "pexpireat",
        arity: -3,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        since: "2.6.0",
        group: "generic",
        handler: pexpireat_cmd,
    },
    Command {
        name: "pexpiretime",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Get the expiration Unix timestamp for a key in milliseconds",
        since: "7.0.0",
        group: "generic",
        handler: pexpiretime_cmd,
    },
    Command {
        name: "pttl",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Get the time to live for a key in milliseconds",
        since: "2.6.0",
        group: "generic",
        handler: pttl_cmd,
    },
    Command {
        name: "randomkey",
        arity: 1,
        flags: &["readonly"],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["keyspace", "read", "slow"],
        summary: "Return a random key from the keyspace",
        since: "1.0.0",
        group: "generic",
        handler: randomkey_cmd,
    },
    Command {
        name: "rename",
        arity: 3,
        flags: &["write"],
        first_key: 1,
        last_key: 2,
        step: 1,
        acl: &["keyspace", "write", "slow"],
        summary: "Rename a key",
        since: "1.0.0",
        group: "generic",
        handler: rename_cmd,
    },
    Command {
        name: "renamenx",
        arity: 3,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: 2,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Rename a key, only if the new key does not exist",
        since: "1.0.0",
        group: "generic",
        handler: renamenx_cmd,
    },
    Command {
        name: "scan",
        arity: -2,
        flags: &["readonly"],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["keyspace", "read", "slow"],
        summary: "Incrementally iterate the keys space",
        since: "2.8.0",
        group: "generic",
        handler: scan_cmd,
    },
    Command {
        name: "touch",
        arity: -2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: -1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
        since: "3.2.1",
        group: "generic",
        handler: touch_cmd,
    },
    Command {
        name: "ttl",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Get the time to live for a key in seconds",
        since: "1.0.0",
        group: "generic",
        handler: ttl_cmd,
    },
    Command {
        name: "type",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        acl: &["keyspace", "read", "fast"],
        summary: "Determine the type stored at key",
        since: "1.0.0",
        group: "generic",
        handler: type_cmd,
    },
    Command {
        name: "unlink",
        arity: -2,
        flags: &["write", "fast"],
        first_key: 1,
        last_key: -1,
        step: 1,
        acl: &["keyspace", "write", "fast"],
        summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
        since: "4.0.0",
        group: "generic",
        handler: del_cmd,
    },
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn del_exists_type_touch() {
        let mut h = Harness::new();
        h.run("MSET a 1 b 2");
        assert_eq!(h.run("EXISTS a a b c"), i(3));
        assert_eq!(h.run("TYPE a"), Reply::simple("string"));
        assert_eq!(h.run("TYPE zz"), Reply::simple("none"));
        assert_eq!(h.run("TOUCH a c"), i(1));
        assert_eq!(h.run("DEL a c"), i(1));
        assert_eq!(h.run("UNLINK b"), i(1));
        assert_eq!(h.run("DBSIZE"), i(0));
    }

    #[test]
    fn rename_copy_move() {
        let mut h = Harness::new();
        assert_eq!(h.run("RENAME a b"), e("ERR no such key"));
        h.run("SET a 1 EX 100");
        assert_eq!(h.run("RENAME a a"), Reply::OK);
        assert_eq!(h.run("RENAME a b"), Reply::OK);
        assert_eq!(h.run("TTL b"), i(100));
        h.run("SET c 3");
        assert_eq!(h.run("RENAMENX b c"), i(0));
        assert_eq!(h.run("RENAMENX b d"), i(1));
        assert_eq!(
            h.run("COPY d d"),
            e("ERR source and destination objects are the same")
        );
        assert_eq!(h.run("COPY d c"), i(0));
        assert_eq!(h.run("COPY d c REPLACE"), i(1));
        assert_eq!(h.run("GET c"), b("1"));
        assert_eq!(h.run("COPY d x DB 99"), e("ERR DB index is out of range"));
        assert_eq!(
            h.run("COPY d x DB x"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("COPY d x DB"), e("ERR syntax error"));
        assert_eq!(h.run("COPY d x DB 1"), i(1));
        assert_eq!(
            h.run("MOVE d 0"),
            e("ERR source and destination objects are the same")
        );
        assert_eq!(h.run("MOVE d 16"), e("ERR DB index is out of range"));
        assert_eq!(h.run("MOVE d 1"), i(1));
        assert_eq!(h.run("MOVE c 1"), i(1));
        assert_eq!(h.run("SELECT 1"), Reply::OK);
        assert_eq!(h.run("TTL d"), i(100));
        assert_eq!(h.run("DBSIZE"), i(3));
    }

    #[test]
    fn keys_scan_randomkey() {
        let mut h = Harness::new();
        assert_eq!(h.run("RANDOMKEY"), Reply::Null);
        for n in 0..100 {
            h.run(&format!("SET key:{n} v"));
        }
        h.run("SET other v");
        let Reply::Array(all) = h.run("KEYS key:*") else {
            panic!()
        };
        assert_eq!(all.len(), 100);
        let Reply::Array(one) = h.run("KEYS key:1?") else {
            panic!()
        };
        assert_eq!(one.len(), 10);
        let mut cursor = "0".to_string();
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let Reply::Array(r) = h.run(&format!("SCAN {cursor} MATCH key:* COUNT 7 TYPE STRING"))
            else {
                panic!()
            };
            let Reply::Bulk(c) = &r[0] else { panic!() };
            let Reply::Array(keys) = &r[1] else { panic!() };
            for k in keys {
                seen.insert(format!("{k:?}"));
            }
            cursor = String::from_utf8(c.to_vec()).unwrap();
            if cursor == "0" {
                break;
            }
        }
        assert_eq!(seen.len(), 100);
        assert_eq!(h.run("SCAN 0 COUNT 0"), e("ERR syntax error"));
        assert_eq!(h.run("SCAN abc"), e("ERR invalid cursor"));
        assert!(matches!(h.run("RANDOMKEY"), Reply::Bulk(_)));
    }

    #[test]
    fn expire_family() {
        let mut h = Harness::new();
        assert_eq!(h.run("EXPIRE nokey 10"), i(0));
        h.run("SET k v");
        assert_eq!(h.run("TTL k"), i(-1));
        assert_eq!(h.run("TTL nokey"), i(-2));
        assert_eq!(h.run("EXPIRE k 10 XX"), i(0));
        assert_eq!(h.run("EXPIRE k 10 GT"), i(0));
        assert_eq!(h.run("EXPIRE k 10 LT"), i(1));
        assert_eq!(h.run("EXPIRE k 20 NX"), i(0));
        assert_eq!(h.run("EXPIRE k 20 GT"), i(1));
        assert_eq!(h.run("EXPIRE k 5 GT"), i(0));
        assert_eq!(h.run("PTTL k"), i(20_000));
        assert_eq!(
            h.run("EXPIRE k 1 NX XX"),
            e("ERR NX and XX, GT or LT options at the same time are not compatible")
        );
        assert_eq!(
            h.run("EXPIRE k 1 GT LT"),
            e("ERR GT and LT options at the same time are not compatible")
        );
        assert_eq!(h.run("EXPIRE k 1 foo"), e("ERR Unsupported option foo"));
        assert_eq!(
            h.run("EXPIRE k 9223372036854775807"),
            e("ERR invalid expire time in 'expire' command")
        );
        assert_eq!(
            h.run("PEXPIRE k 9223372036854775807"),
            e("ERR invalid expire time in 'pexpire' command")
        );
        let at = crate::cmd::testkit::T0_MS / 1000 + 50;
        assert_eq!(h.run(&format!("EXPIREAT k {at}")), i(1));
        assert_eq!(h.run("EXPIRETIME k"), i(at as i64));
        assert_eq!(h.run("PEXPIRETIME k"), i(at as i64 * 1000));
        assert_eq!(h.run("PERSIST k"), i(1));
        assert_eq!(h.run("PERSIST k"), i(0));
        assert_eq!(h.run("EXPIRETIME k"), i(-1));
        assert_eq!(h.run("PEXPIREAT k 1"), i(1));
        assert_eq!(h.run("EXISTS k"), i(0));
        h.run("SET k v");
        assert_eq!(h.run("EXPIRE k -1"), i(1));
        assert_eq!(h.run("EXISTS k"), i(0));
    }

    #[test]
    fn object_subcommands() {
        let mut h = Harness::new();
        h.run("SET n 123");
        h.run("SET big 123456");
        assert_eq!(h.run("OBJECT ENCODING n"), b("int"));
        assert_eq!(h.run("OBJECT REFCOUNT n"), i(2147483647));
        assert_eq!(h.run("OBJECT REFCOUNT big"), i(1));
        assert_eq!(h.run("OBJECT IDLETIME n"), i(0));
        assert_eq!(h.run("OBJECT ENCODING nokey"), Reply::Null);
        assert_eq!(
            h.run("OBJECT ENCODING"),
            e("ERR wrong number of arguments for 'object|encoding' command")
        );
        assert_eq!(
            h.run("OBJECT foo"),
            e("ERR unknown subcommand 'foo'. Try OBJECT HELP.")
        );
        assert!(matches!(h.run("OBJECT HELP"), Reply::Array(v) if v.len() == 15));
    }
}
