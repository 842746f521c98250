//! Generic key commands and the expire family (db.c, expire.c, object.c).

use super::args::{arg_i32, arg_i64, is, scan_cursor, scan_opts, ScanOpts, ERR_SYNTAX};
use super::notify::{self, notify, notify_db};
use super::reply::scan_reply;
use super::table::*;
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
            notify(ctx, notify::GENERIC, "del", k);
            ctx.add_dirty(1);
            n += 1;
        }
    }
    Ok(Reply::Integer(n))
}

/// EXISTS looks without touching (LOOKUP_NOTOUCH); TOUCH is the same count with a touch.
fn count_existing(ctx: &mut Ctx<'_>, argv: &[Bytes], touch: bool) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    // Repeated keys count each time, as in Redis.
    let n = argv[1..]
        .iter()
        .filter(|k| {
            if touch {
                ctx.keyspace.lookup_read(db, k, now).is_some()
            } else {
                ctx.keyspace.lookup_read_notouch(db, k, now).is_some()
            }
        })
        .count();
    Ok(Reply::Integer(n as i64))
}

fn exists_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    count_existing(ctx, argv, false)
}

fn type_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let t = ctx
        .keyspace
        .lookup_read_notouch(ctx.session.db, &argv[1], now)
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
    // The object moves, and its access clock with it.
    let lru = ctx.keyspace.lru_of(db, &argv[1]);
    ctx.keyspace.remove(db, &argv[1]);
    let ttl = expire.map_or(Ttl::Clear, Ttl::At);
    ctx.keyspace.set(db, argv[2].clone(), value, ttl);
    if let Some(lru) = lru {
        ctx.keyspace.set_lru(db, &argv[2], lru);
    }
    notify(ctx, notify::GENERIC, "rename_from", &argv[1]);
    notify(ctx, notify::GENERIC, "rename_to", &argv[2]);
    ctx.add_dirty(1);
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
    // lookupKeyRead: a missing source is a `keymiss`.
    let Some(value) = ctx.keyspace.lookup_read(src, &argv[1], now).cloned() else {
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
    notify_db(ctx, notify::GENERIC, "copy_to", &argv[2], dst);
    ctx.add_dirty(1);
    Ok(Reply::Integer(1))
}

fn move_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let dst = db_index(ctx, &argv[2])?;
    let src = ctx.session.db;
    if src == dst {
        return Err(Reply::err(ERR_SAME));
    }
    let now = ctx.now_ms();
    if ctx.keyspace.lookup_write(src, &argv[1], now).is_none()
        || ctx.keyspace.exists(dst, &argv[1], now)
    {
        return Ok(Reply::Integer(0));
    }
    let expire = ctx.keyspace.get_expire(src, &argv[1]);
    // The object moves, and its access clock with it.
    let lru = ctx.keyspace.lru_of(src, &argv[1]);
    let Some(value) = ctx.keyspace.remove(src, &argv[1]) else {
        return Ok(Reply::Integer(0));
    };
    ctx.keyspace.set(
        dst,
        argv[1].clone(),
        value,
        expire.map_or(Ttl::Clear, Ttl::At),
    );
    if let Some(lru) = lru {
        ctx.keyspace.set_lru(dst, &argv[1], lru);
    }
    notify_db(ctx, notify::GENERIC, "move_from", &argv[1], src);
    notify_db(ctx, notify::GENERIC, "move_to", &argv[1], dst);
    ctx.add_dirty(1);
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
    count_existing(ctx, argv, true)
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
    ctx.add_dirty(1);
    // checkAlreadyExpired: a time in the past deletes, except while loading.
    if when <= now as i64 && !ctx.keyspace.is_loading() {
        ctx.keyspace.remove(db, &argv[1]);
        notify(ctx, notify::GENERIC, "del", &argv[1]);
        // Replicated as the deletion it was.
        let lazy = ctx.server.config.get("lazyfree-lazy-expire").as_deref() == Some("yes");
        let del: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
        ctx.propagate_as(vec![Bytes::from_static(del), argv[1].clone()]);
    } else {
        ctx.keyspace.set_expire(db, &argv[1], when as u64);
        notify(ctx, notify::GENERIC, "expire", &argv[1]);
        // Replicated as PEXPIREAT <absolute ms>, its options kept.
        let mut prop = argv.to_vec();
        prop[0] = Bytes::from_static(b"PEXPIREAT");
        if cmd != "pexpireat" {
            prop[2] = Bytes::from(when.to_string());
        }
        // (The planted bug `propagate-relative-ttl` propagates EXPIRE/PEXPIRE as sent.)
        if !cfg!(feature = "planted-bug-propagate-relative-ttl") {
            ctx.propagate_as(prop);
        }
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
    if ctx
        .keyspace
        .lookup_read_notouch(db, &argv[1], now)
        .is_none()
    {
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
        // Redis's `(ttl+500)/1000`, rounded to the nearest second. Near i64::MAX the sum
        // leaves i64, but Redis still answers the rounded value (EXPIRETIME of a key at
        // PEXPIREAT 9223372036854775807 is 9223372036854776), so round without the sum.
        ttl / 1000 + i64::from(ttl % 1000 >= 500)
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
    if done {
        notify(ctx, notify::GENERIC, "persist", &argv[1]);
        ctx.add_dirty(1);
    }
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
    // LOOKUP_NOTOUCH|LOOKUP_NONOTIFY: OBJECT raises no `keymiss` and touches no clock.
    let db = ctx.session.db;
    let Some(v) = ctx.keyspace.lookup_read_nonotify(db, &argv[2], now) else {
        return Ok(Reply::Null);
    };
    match *name {
        "encoding" => Ok(Reply::bulk(v.encoding_name())),
        "refcount" => {
            let shared = v.encoding_name() == "int"
                && v.as_str()
                    .and_then(|s| crate::util::int::string2ll(&s))
                    .is_some_and(|n| (0..10_000).contains(&n));
            Ok(Reply::Integer(if shared { SHARED_REFCOUNT } else { 1 }))
        }
        "idletime" => {
            let clock = ctx.keyspace.access;
            if clock.lfu {
                return Err(Reply::err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
            }
            let lru = ctx.keyspace.lru_of(db, &argv[2]).unwrap_or(0);
            Ok(Reply::Integer((clock.idle_ms(lru) / 1000) as i64))
        }
        _ => {
            let clock = ctx.keyspace.access;
            if !clock.lfu {
                return Err(Reply::err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
            }
            let lru = ctx.keyspace.lru_of(db, &argv[2]).unwrap_or(0);
            Ok(Reply::Integer(i64::from(clock.lfu_decr_and_return(lru))))
        }
    }
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("copy", -3, WRITE | DENYOOM, Group::Generic, copy_cmd).keys(&[key(1, RO | ACCESS), key(2, OW | UPDATE)])
        .doc("6.2.0", "Copy a key", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values."),
    cmd("del", -2, WRITE, Group::Generic, del_cmd).keys(&[range(1, -1, 1, RM | DELETE)]).tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .doc("1.0.0", "Delete a key", "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."),
    cmd("exists", -2, READONLY | FAST, Group::Generic, exists_cmd).keys(&[range(1, -1, 1, RO)]).tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .doc("1.0.0", "Determine if a key exists", "O(N) where N is the number of keys to check.")
        .history(&[("3.0.3", "Accepts multiple `key` arguments.")]),
    cmd("expire", -3, WRITE | FAST, Group::Generic, expire_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("1.0.0", "Set a key's time to live in seconds", "O(1)")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    cmd("expireat", -3, WRITE | FAST, Group::Generic, expireat_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("1.2.0", "Set the expiration for a key as a UNIX timestamp", "O(1)")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    cmd("expiretime", 2, READONLY | FAST, Group::Generic, expiretime_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("7.0.0", "Get the expiration Unix timestamp for a key", "O(1)"),
    cmd("keys", 2, READONLY, Group::Generic, keys_cmd).acl(ACL_DANGEROUS).tips(&["request_policy:all_shards", "nondeterministic_output_order"])
        .doc("1.0.0", "Find all keys matching the given pattern", "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length."),
    cmd("move", 3, WRITE | FAST, Group::Generic, move_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.0.0", "Move a key to another database", "O(1)"),
    cmd("object", -2, 0, Group::Generic, container).subcommands(OBJECT_SUBCOMMANDS)
        .doc("2.2.3", "A container for object introspection commands", "Depends on subcommand."),
    cmd("persist", 2, WRITE | FAST, Group::Generic, persist_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("2.2.0", "Remove the expiration from a key", "O(1)"),
    cmd("pexpire", -3, WRITE | FAST, Group::Generic, pexpire_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("2.6.0", "Set a key's time to live in milliseconds", "O(1)")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    cmd("pexpireat", -3, WRITE | FAST, Group::Generic, pexpireat_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("2.6.0", "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "O(1)")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    cmd("pexpiretime", 2, READONLY | FAST, Group::Generic, pexpiretime_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("7.0.0", "Get the expiration Unix timestamp for a key in milliseconds", "O(1)"),
    cmd("pttl", 2, READONLY | FAST, Group::Generic, pttl_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("2.6.0", "Get the time to live for a key in milliseconds", "O(1)")
        .history(&[("2.8.0", "Added the -2 reply.")]),
    cmd("randomkey", 1, READONLY, Group::Generic, randomkey_cmd).tips(&["request_policy:all_shards", "nondeterministic_output"])
        .doc("1.0.0", "Return a random key from the keyspace", "O(1)"),
    cmd("rename", 3, WRITE, Group::Generic, rename_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, OW | UPDATE)])
        .doc("1.0.0", "Rename a key", "O(1)"),
    cmd("renamenx", 3, WRITE | FAST, Group::Generic, renamenx_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, OW | INSERT)])
        .doc("1.0.0", "Rename a key, only if the new key does not exist", "O(1)")
        .history(&[("3.2.0", "The command no longer returns an error when source and destination names are the same.")]),
    cmd("scan", -2, READONLY, Group::Generic, scan_cmd).tips(&["nondeterministic_output", "request_policy:special"])
        .doc("2.8.0", "Incrementally iterate the keys space", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.")
        .history(&[("6.0.0", "Added the `TYPE` subcommand.")]),
    cmd("touch", -2, READONLY | FAST, Group::Generic, touch_cmd).keys(&[range(1, -1, 1, RO)]).tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .doc("3.2.1", "Alters the last access time of a key(s). Returns the number of existing keys specified.", "O(N) where N is the number of keys that will be touched."),
    cmd("ttl", 2, READONLY | FAST, Group::Generic, ttl_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("1.0.0", "Get the time to live for a key in seconds", "O(1)")
        .history(&[("2.8.0", "Added the -2 reply.")]),
    cmd("type", 2, READONLY | FAST, Group::Generic, type_cmd).keys(&[key(1, RO)])
        .doc("1.0.0", "Determine the type stored at key", "O(1)"),
    cmd("unlink", -2, WRITE | FAST, Group::Generic, del_cmd).keys(&[range(1, -1, 1, RM | DELETE)]).tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .doc("4.0.0", "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of."),
];

/// OBJECT's subcommands, sorted by name; one handler serves them all.
#[rustfmt::skip]
pub const OBJECT_SUBCOMMANDS: &[Command] = &[
    cmd("object|encoding", 3, READONLY, Group::Generic, object_cmd).keys(&[key(2, RO)]).tips(&["nondeterministic_output"])
        .doc("2.2.3", "Inspect the internal encoding of a Redis object", "O(1)"),
    cmd("object|freq", 3, READONLY, Group::Generic, object_cmd).keys(&[key(2, RO)]).tips(&["nondeterministic_output"])
        .doc("4.0.0", "Get the logarithmic access frequency counter of a Redis object", "O(1)"),
    cmd("object|help", 2, LOADING | STALE, Group::Generic, object_cmd)
        .doc("6.2.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("object|idletime", 3, READONLY, Group::Generic, object_cmd).keys(&[key(2, RO)]).tips(&["nondeterministic_output"])
        .doc("2.2.3", "Get the time since a Redis object was last accessed", "O(1)"),
    cmd("object|refcount", 3, READONLY, Group::Generic, object_cmd).keys(&[key(2, RO)]).tips(&["nondeterministic_output"])
        .doc("2.2.3", "Get the number of references to the value of the key", "O(1)"),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    /// OBJECT IDLETIME counts seconds since the last touching access (reads and writes;
    /// not TYPE, EXISTS, TTL or OBJECT itself); OBJECT FREQ is LFU's counter; each
    /// answers Redis's error under the other kind of policy.
    #[test]
    fn idle_time_and_frequency_follow_accesses() {
        let mut h = Harness::new();
        h.run("SET k v");
        h.run("SET other v");
        h.advance_ms(10_000);
        assert_eq!(h.run("OBJECT IDLETIME k"), i(10));
        for notouch in ["TYPE k", "EXISTS k", "TTL k", "OBJECT ENCODING k"] {
            h.run(notouch);
        }
        assert_eq!(h.run("OBJECT IDLETIME k"), i(10));
        h.run("GET k");
        assert_eq!(h.run("OBJECT IDLETIME k"), i(0));
        h.advance_ms(3_000);
        h.run("TOUCH other");
        h.run("RENAME k k2");
        assert_eq!(h.run("OBJECT IDLETIME other"), i(0));
        assert_eq!(h.run("OBJECT IDLETIME k2"), i(0));
        assert!(
            matches!(h.run("OBJECT FREQ k2"), Reply::Error(t) if t.starts_with(b"ERR An LFU maxmemory policy is not selected"))
        );
        h.run("CONFIG SET maxmemory-policy allkeys-lfu");
        assert!(
            matches!(h.run("OBJECT IDLETIME k2"), Reply::Error(t) if t.starts_with(b"ERR An LFU maxmemory policy is selected"))
        );
        h.run("SET f v");
        assert_eq!(h.run("OBJECT FREQ f"), i(5), "LFU_INIT_VAL");
        for _ in 0..5 {
            h.run("GET f");
        }
        // At or below LFU_INIT_VAL each access counts; then the odds fall.
        assert!(matches!(h.run("OBJECT FREQ f"), Reply::Integer(n) if (6..=10).contains(&n)));
        h.run("SET f w");
        assert!(
            matches!(h.run("OBJECT FREQ f"), Reply::Integer(n) if n > 5),
            "an overwrite keeps the counter"
        );
        h.advance_ms(3 * 60_000);
        let before = h.run("OBJECT FREQ f");
        assert!(
            matches!(before, Reply::Integer(n) if n >= 3),
            "one decrement per minute"
        );
        // RESTORE's FREQ sets the counter under LFU, IDLETIME the clock under LRU.
        let Reply::Bulk(payload) = h.run("DUMP f") else {
            panic!("DUMP")
        };
        let restore = |h: &mut Harness, key: &str, opt: &str, n: &str| {
            let argv: Vec<bytes::Bytes> = ["RESTORE", key, "0"]
                .iter()
                .map(|a| bytes::Bytes::from(a.to_string()))
                .chain([payload.clone()])
                .chain([opt, n].iter().map(|a| bytes::Bytes::from(a.to_string())))
                .collect();
            h.argv(&argv)
        };
        assert_eq!(restore(&mut h, "r1", "FREQ", "100"), Reply::OK);
        assert_eq!(h.run("OBJECT FREQ r1"), i(100));
        h.run("CONFIG SET maxmemory-policy volatile-lru");
        assert_eq!(restore(&mut h, "r2", "IDLETIME", "1000"), Reply::OK);
        assert_eq!(h.run("OBJECT IDLETIME r2"), i(1000));
        assert_eq!(h.run("GET r2"), b("w"));
        assert_eq!(h.run("OBJECT IDLETIME r2"), i(0));
        let _ = e;
    }

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
        // Seconds round to the nearest at the end of the clock (Redis 7.0.15's answers).
        h.run("SET k v");
        assert_eq!(h.run("PEXPIREAT k 9223372036854775499"), i(1));
        assert_eq!(h.run("EXPIRETIME k"), i(9223372036854775));
        assert_eq!(h.run("PEXPIREAT k 9223372036854775807"), i(1));
        assert_eq!(h.run("EXPIRETIME k"), i(9223372036854776));
        assert_eq!(h.run("PEXPIRETIME k"), i(i64::MAX));
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
