//! Hash commands (t_hash.c). Every write goes through [`Keyspace::lookup_write`] /
//! [`Keyspace::set`] / [`Keyspace::remove`]; a hash emptied by HDEL is deleted.

use super::args::{
    arg_i64, arg_range, is, scan_cursor, scan_opts, wrongtype, ScanOpts, ERR_SYNTAX,
};
use super::client_sized::ClientSized;
use super::notify::{self, notify};
use super::reply::{empty_scan, scan_reply};
use super::table::*;
use super::Ctx;
use crate::db::hash::{Hash, Limits};
use crate::db::{Keyspace, Ttl, Value};
use crate::resp::Reply;
use crate::util::glob::stringmatchlen;
use crate::util::int::string2ll;
use crate::util::ldouble::LongDouble;
use bytes::Bytes;
use rand_core::RngCore;

fn limits(ctx: &Ctx<'_>) -> Limits {
    Limits {
        max_entries: ctx.server.config.hash_max_listpack_entries,
        max_value: ctx.server.config.hash_max_listpack_value,
        hash_keys: ctx.keyspace.hash_keys(),
    }
}

/// The hash at `key` for reading (hit/miss counted): Ok(None) when missing.
fn hash_ref<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Result<Option<&'a Hash>, Reply> {
    let now = ctx.now_ms();
    ctx.keyspace
        .read_as(ctx.session.db, key, now)
        .map_err(|_| wrongtype())
}

/// The hash at `key` for writing: Ok(None) when missing.
fn hash_mut<'a>(
    ks: &'a mut Keyspace,
    db: usize,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<&'a mut Hash>, Reply> {
    ks.write_as(db, key, now_ms).map_err(|_| wrongtype())
}

/// hashTypeLookupWriteOrCreate + the caller's edit: runs `f` on the existing hash, or on
/// a new one that is stored afterwards if `f` left it non-empty.
fn with_hash_or_create<T>(
    ctx: &mut Ctx<'_>,
    key: &Bytes,
    f: impl FnOnce(&mut Hash, Limits) -> T,
) -> Result<T, Reply> {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let lim = limits(ctx);
    if let Some(h) = hash_mut(ctx.keyspace, db, key, now)? {
        return Ok(f(h, lim));
    }
    let mut h = Hash::new();
    let out = f(&mut h, lim);
    if !h.is_empty() {
        ctx.keyspace.set(db, key.clone(), Value::hash(h), Ttl::Keep);
    }
    Ok(out)
}

fn hset_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], name: &str) -> CmdResult {
    if argv.len() % 2 == 1 {
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for '{name}' command"
        )));
    }
    let pairs = &argv[2..];
    let created = with_hash_or_create(ctx, &argv[1], |h, lim| {
        h.convert_for_args(pairs, lim);
        pairs
            .chunks_exact(2)
            .filter(|p| h.insert(p[0].clone(), p[1].clone(), lim))
            .count()
    });
    let created = created?;
    // hsetCommand signals and counts every pair, changed or not.
    ctx.modified(&argv[1], (pairs.len() / 2) as u64);
    notify(ctx, notify::HASH, "hset", &argv[1]);
    match created {
        _ if name == "hmset" => Ok(Reply::OK),
        n => Ok(Reply::Integer(n as i64)),
    }
}

fn hset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    hset_generic(ctx, argv, "hset")
}

fn hmset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    hset_generic(ctx, argv, "hmset")
}

fn hsetnx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let r = with_hash_or_create(ctx, &argv[1], |h, lim| {
        if h.contains(&argv[2]) {
            return 0;
        }
        h.convert_for_args(&argv[2..4], lim);
        h.insert(argv[2].clone(), argv[3].clone(), lim);
        1
    })?;
    if r == 1 {
        ctx.modified(&argv[1], 1);
        notify(ctx, notify::HASH, "hset", &argv[1]);
    }
    Ok(Reply::Integer(r))
}

fn hget_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let h = hash_ref(ctx, &argv[1])?;
    Ok(h.and_then(|h| h.get(&argv[2]))
        .map_or(Reply::Null, Reply::Bulk))
}

fn hmget_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let h = hash_ref(ctx, &argv[1])?;
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|f| h.and_then(|h| h.get(f)).map_or(Reply::Null, Reply::Bulk))
            .collect(),
    ))
}

fn hdel_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let h = match hash_mut(ctx.keyspace, db, &argv[1], now)? {
        None => return Ok(Reply::Integer(0)),
        Some(h) => h,
    };
    let mut n = 0;
    for f in &argv[2..] {
        if h.remove(f) {
            n += 1;
        }
        if h.is_empty() {
            break;
        }
    }
    let emptied = h.is_empty();
    if n > 0 {
        ctx.modified(&argv[1], n as u64);
        notify(ctx, notify::HASH, "hdel", &argv[1]);
    }
    if emptied {
        ctx.keyspace.remove(db, &argv[1]);
        notify(ctx, notify::GENERIC, "del", &argv[1]);
    }
    Ok(Reply::Integer(n))
}

fn hlen_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let h = hash_ref(ctx, &argv[1])?;
    Ok(Reply::Integer(h.map_or(0, |h| h.len() as i64)))
}

fn hstrlen_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let h = hash_ref(ctx, &argv[1])?;
    Ok(Reply::Integer(
        h.and_then(|h| h.value_len(&argv[2]))
            .map_or(0, |n| n as i64),
    ))
}

fn hexists_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let h = hash_ref(ctx, &argv[1])?;
    Ok(Reply::Integer(
        h.is_some_and(|h| h.contains(&argv[2])) as i64
    ))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Keys,
    Vals,
    Both,
}

/// genericHgetallCommand: HGETALL is a map (an empty map for a missing key).
fn getall_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], part: Part) -> CmdResult {
    let h = hash_ref(ctx, &argv[1])?;
    let pairs = h.into_iter().flat_map(|h| h.iter());
    match part {
        Part::Keys => Ok(Reply::Array(pairs.map(|(f, _)| Reply::Bulk(f)).collect())),
        Part::Vals => Ok(Reply::Array(pairs.map(|(_, v)| Reply::Bulk(v)).collect())),
        Part::Both => Ok(Reply::Map(
            pairs
                .map(|(f, v)| (Reply::Bulk(f), Reply::Bulk(v)))
                .collect(),
        )),
    }
}

fn hkeys_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, Part::Keys)
}

fn hvals_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, Part::Vals)
}

fn hgetall_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, Part::Both)
}

fn hincrby_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let incr = arg_i64(&argv[3])?;
    let r = with_hash_or_create(ctx, &argv[1], |h, lim| {
        let old = match h.get(&argv[2]) {
            None => 0,
            Some(v) => string2ll(&v).ok_or(Reply::err("ERR hash value is not an integer"))?,
        };
        let new = old
            .checked_add(incr)
            .ok_or(Reply::err("ERR increment or decrement would overflow"))?;
        h.insert(argv[2].clone(), Bytes::from(new.to_string()), lim);
        Ok(new)
    });
    let n = r.and_then(|r| r)?;
    ctx.modified(&argv[1], 1);
    notify(ctx, notify::HASH, "hincrby", &argv[1]);
    Ok(Reply::Integer(n))
}

fn hincrbyfloat_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(incr) = LongDouble::parse(&argv[3]) else {
        return Err(Reply::err("ERR value is not a valid float"));
    };
    if !incr.is_finite() {
        return Err(Reply::err("ERR value is NaN or Infinity"));
    }
    let r = with_hash_or_create(ctx, &argv[1], |h, lim| {
        let old = match h.get(&argv[2]) {
            None => LongDouble::parse(b"0"),
            Some(v) => LongDouble::parse(&v),
        }
        .ok_or(Reply::err("ERR hash value is not a float"))?;
        let sum = old + incr;
        if !sum.is_finite() {
            return Err(Reply::err("ERR increment would produce NaN or Infinity"));
        }
        let text = Bytes::from(sum.to_redis_string());
        h.insert(argv[2].clone(), text.clone(), lim);
        Ok(text)
    });
    let t = r.and_then(|r| r)?;
    ctx.modified(&argv[1], 1);
    notify(ctx, notify::HASH, "hincrbyfloat", &argv[1]);
    // Replicated as HSET of the result, so a replay cannot round differently.
    ctx.propagate_as(vec![
        Bytes::from_static(b"HSET"),
        argv[1].clone(),
        argv[2].clone(),
        t.clone(),
    ]);
    Ok(Reply::Bulk(t))
}

/// HRANDFIELD key [count [WITHVALUES]].
fn hrandfield_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(count_arg) = argv.get(2) else {
        let Ctx {
            keyspace,
            session,
            server,
            ..
        } = ctx;
        let now = server.now_us / 1000;
        return match keyspace.lookup_read(session.db, &argv[1], now) {
            None => Ok(Reply::Null),
            Some(Value::Hash(h)) => h
                .random_pair(&mut server.rng)
                .map_or(Ok(Reply::Null), |(f, _)| Ok(Reply::Bulk(f))),
            Some(_) => Err(wrongtype()),
        };
    };
    let l = arg_range(count_arg, -i64::MAX, i64::MAX, None)?;
    let withvalues = match argv.get(3) {
        None => false,
        Some(a) if argv.len() == 4 && is(a, "withvalues") => true,
        Some(_) => return Err(Reply::err(ERR_SYNTAX)),
    };
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(Reply::err("ERR value is out of range"));
    }
    let resp3 = ctx.session.resp >= 3;
    let Ctx {
        keyspace,
        session,
        server,
        ..
    } = ctx;
    let now = server.now_us / 1000;
    let h = match keyspace.lookup_read(session.db, &argv[1], now) {
        None => return Ok(Reply::Array(Vec::new())),
        Some(Value::Hash(h)) => h,
        Some(_) => return Err(wrongtype()),
    };
    let rng = &mut server.rng;
    let count = l.unsigned_abs();
    if count == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let size = h.len() as u64;
    let pair = |f: Bytes, v: Bytes| {
        let f = Reply::Bulk(f);
        match (withvalues, resp3) {
            (false, _) => vec![f],
            (true, true) => vec![Reply::Array(vec![f, Reply::Bulk(v)])],
            (true, false) => vec![f, Reply::Bulk(v)],
        }
    };
    if l < 0 || count == 1 {
        // Repetitions allowed: `count` independent draws, as many as the client asked,
        // so the reply is client-sized.
        let per_draw = if withvalues && !resp3 { 2 } else { 1 };
        let mut reply = ClientSized::new(session, count, per_draw)?;
        for _ in 0..count {
            let Some((f, v)) = h.random_pair(rng) else {
                break;
            };
            for item in pair(f, v) {
                reply.push(session, item)?;
            }
        }
        return Ok(reply.finish());
    }
    let picks: Vec<(Bytes, Bytes)> = if count >= size {
        h.iter().collect()
    } else {
        // Distinct picks: a partial Fisher-Yates shuffle of the pairs.
        let mut all: Vec<(Bytes, Bytes)> = h.iter().collect();
        let n = all.len();
        for i in 0..count as usize {
            let j = i + (rng.next_u64() % (n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(count as usize);
        all
    };
    Ok(Reply::Array(
        picks.into_iter().flat_map(|(f, v)| pair(f, v)).collect(),
    ))
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]: a listpack comes back whole.
fn hscan_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut cursor = scan_cursor(&argv[2])?;
    let Some(h) = hash_ref(ctx, &argv[1])? else {
        return Ok(empty_scan());
    };
    let ScanOpts { count, pattern, .. } = scan_opts(argv, 3, false)?;
    let mut found: Vec<(Bytes, Bytes)> = Vec::new();
    let mut max_iterations = count.saturating_mul(10);
    loop {
        cursor = h.scan(cursor, |f, v| found.push((f, v)));
        if cursor == 0 || max_iterations == 0 || found.len() as u64 * 2 >= count {
            break;
        }
        max_iterations -= 1;
    }
    let mut items = Vec::with_capacity(found.len() * 2);
    for (f, v) in found {
        if pattern
            .as_ref()
            .is_some_and(|p| !stringmatchlen(p, &f, false))
        {
            continue;
        }
        items.push(Reply::Bulk(f));
        items.push(Reply::Bulk(v));
    }
    Ok(scan_reply(cursor, items))
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("hdel", -3, WRITE | FAST, Group::Hash, hdel_cmd).keys(&[key(1, RW | DELETE)])
        .doc("2.0.0", "Delete one or more hash fields", "O(N) where N is the number of fields to be removed.")
        .history(&[("2.4.0", "Accepts multiple `field` arguments.")]),
    cmd("hexists", 3, READONLY | FAST, Group::Hash, hexists_cmd).keys(&[key(1, RO)])
        .doc("2.0.0", "Determine if a hash field exists", "O(1)"),
    cmd("hget", 3, READONLY | FAST, Group::Hash, hget_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.0.0", "Get the value of a hash field", "O(1)"),
    cmd("hgetall", 2, READONLY, Group::Hash, hgetall_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("2.0.0", "Get all the fields and values in a hash", "O(N) where N is the size of the hash."),
    cmd("hincrby", 4, WRITE | DENYOOM | FAST, Group::Hash, hincrby_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("2.0.0", "Increment the integer value of a hash field by the given number", "O(1)"),
    cmd("hincrbyfloat", 4, WRITE | DENYOOM | FAST, Group::Hash, hincrbyfloat_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("2.6.0", "Increment the float value of a hash field by the given amount", "O(1)"),
    cmd("hkeys", 2, READONLY, Group::Hash, hkeys_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("2.0.0", "Get all the fields in a hash", "O(N) where N is the size of the hash."),
    cmd("hlen", 2, READONLY | FAST, Group::Hash, hlen_cmd).keys(&[key(1, RO)])
        .doc("2.0.0", "Get the number of fields in a hash", "O(1)"),
    cmd("hmget", -3, READONLY | FAST, Group::Hash, hmget_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.0.0", "Get the values of all the given hash fields", "O(N) where N is the number of fields being requested."),
    cmd("hmset", -4, WRITE | DENYOOM | FAST, Group::Hash, hmset_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("2.0.0", "Set multiple hash fields to multiple values", "O(N) where N is the number of fields being set.").deprecated("4.0.0", "`HSET` with multiple field-value pairs"),
    cmd("hrandfield", -2, READONLY, Group::Hash, hrandfield_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("6.2.0", "Get one or multiple random fields from a hash", "O(N) where N is the number of fields returned"),
    cmd("hscan", -3, READONLY, Group::Hash, hscan_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("2.8.0", "Incrementally iterate hash fields and associated values", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."),
    cmd("hset", -4, WRITE | DENYOOM | FAST, Group::Hash, hset_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("2.0.0", "Set the string value of a hash field", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.")
        .history(&[("4.0.0", "Accepts multiple `field` and `value` arguments.")]),
    cmd("hsetnx", 4, WRITE | DENYOOM | FAST, Group::Hash, hsetnx_cmd).keys(&[key(1, RW | INSERT)])
        .doc("2.0.0", "Set the value of a hash field, only if the field does not exist", "O(1)"),
    cmd("hstrlen", 3, READONLY | FAST, Group::Hash, hstrlen_cmd).keys(&[key(1, RO)])
        .doc("3.2.0", "Get the length of the value of a hash field", "O(1)"),
    cmd("hvals", 2, READONLY, Group::Hash, hvals_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("2.0.0", "Get all the values in a hash", "O(N) where N is the size of the hash."),
];

#[cfg(test)]
pub(crate) mod tests {
    use crate::cmd::table::Command;
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;
    use bytes::Bytes;

    const WRONG: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

    fn arr(items: &[&str]) -> Reply {
        Reply::Array(items.iter().map(|s| b(s)).collect())
    }

    #[test]
    fn set_get_del() {
        let mut h = Harness::new();
        assert_eq!(h.run("HSET h a 1 b 2"), i(2));
        assert_eq!(h.run("HSET h a 3 c 4"), i(1));
        assert_eq!(
            h.run("HSET h a"),
            e("ERR wrong number of arguments for 'hset' command")
        );
        assert_eq!(
            h.run("HSET h a 1 b"),
            e("ERR wrong number of arguments for 'hset' command")
        );
        assert_eq!(h.run("HMSET h d 5"), Reply::OK);
        assert_eq!(
            h.run("HMSET h d 5 e"),
            e("ERR wrong number of arguments for 'hmset' command")
        );
        assert_eq!(h.run("HSETNX h a 9"), i(0));
        assert_eq!(h.run("HSETNX h z 9"), i(1));
        assert_eq!(h.run("HGET h a"), b("3"));
        assert_eq!(h.run("HGET h q"), Reply::Null);
        assert_eq!(
            h.run("HMGET h a q"),
            Reply::Array(vec![b("3"), Reply::Null])
        );
        assert_eq!(h.run("HMGET nokey a"), Reply::Array(vec![Reply::Null]));
        assert_eq!(h.run("HLEN h"), i(5));
        assert_eq!(h.run("HSTRLEN h a"), i(1));
        assert_eq!(h.run("HEXISTS h q"), i(0));
        assert_eq!(h.run("HKEYS h"), arr(&["a", "b", "c", "d", "z"]));
        assert_eq!(h.run("HVALS h"), arr(&["3", "2", "4", "5", "9"]));
        assert_eq!(h.run("HGETALL nokey"), Reply::Map(Vec::new()));
        assert_eq!(h.run("OBJECT ENCODING h"), b("listpack"));
        assert_eq!(h.run("TYPE h"), Reply::Simple("hash".into()));
        assert_eq!(h.run("HDEL h a q b"), i(2));
        assert_eq!(h.run("HDEL h c d z"), i(3));
        assert_eq!(h.run("EXISTS h"), i(0));
        assert_eq!(h.run("HDEL h a"), i(0));
    }

    #[test]
    fn encoding_thresholds() {
        let mut h = Harness::new();
        assert_eq!(h.run("CONFIG SET hash-max-listpack-entries 2"), Reply::OK);
        h.run("HSET h a 1 b 2");
        assert_eq!(h.run("OBJECT ENCODING h"), b("listpack"));
        h.run("HSET h c 3");
        assert_eq!(h.run("OBJECT ENCODING h"), b("hashtable"));
        h.run("HDEL h a b");
        assert_eq!(h.run("OBJECT ENCODING h"), b("hashtable"));
        assert_eq!(h.run("CONFIG SET hash-max-listpack-entries 128"), Reply::OK);
        assert_eq!(h.run("CONFIG SET hash-max-listpack-value 3"), Reply::OK);
        h.run("HSET x a 1");
        assert_eq!(h.run("HSETNX x a 12345"), i(0));
        assert_eq!(h.run("OBJECT ENCODING x"), b("listpack"));
        assert_eq!(h.run("HINCRBY x a 1000"), i(1001));
        assert_eq!(h.run("OBJECT ENCODING x"), b("hashtable"));
        h.run("HSET y abcd 1");
        assert_eq!(h.run("OBJECT ENCODING y"), b("hashtable"));
        // A hashtable hash copies, renames and scans like any other.
        assert_eq!(h.run("COPY y y2"), i(1));
        assert_eq!(h.run("HGETALL y2"), Reply::Map(vec![(b("abcd"), b("1"))]));
        assert_eq!(
            h.run("HSCAN y 0"),
            Reply::Array(vec![b("0"), arr(&["abcd", "1"])])
        );
    }

    #[test]
    fn incr_family() {
        let mut h = Harness::new();
        assert_eq!(h.run("HINCRBY h n 5"), i(5));
        assert_eq!(
            h.run("HINCRBY h n x"),
            e("ERR value is not an integer or out of range")
        );
        h.run("HSET h s abc m 9223372036854775807");
        assert_eq!(
            h.run("HINCRBY h s 1"),
            e("ERR hash value is not an integer")
        );
        assert_eq!(
            h.run("HINCRBY h m 1"),
            e("ERR increment or decrement would overflow")
        );
        assert_eq!(h.run("HINCRBYFLOAT h f 1.5"), b("1.5"));
        assert_eq!(h.run("HINCRBYFLOAT h n 0.5"), b("5.5"));
        assert_eq!(
            h.run("HINCRBYFLOAT h s 1"),
            e("ERR hash value is not a float")
        );
        assert_eq!(
            h.run("HINCRBYFLOAT h f inf"),
            e("ERR value is NaN or Infinity")
        );
        assert_eq!(
            h.run("HINCRBYFLOAT h f x"),
            e("ERR value is not a valid float")
        );
        assert_eq!(
            h.run("HINCRBYFLOAT nokey f x"),
            e("ERR value is not a valid float")
        );
        assert_eq!(h.run("EXISTS nokey"), i(0));
    }

    #[test]
    fn a_client_sized_reply_is_bounded_in_one_place_for_every_random_command() {
        // Found by the `commands` fuzz target (issue #18): the reply was built whole,
        // 2.6 GB in 3 s, before anything was written. Counts no reply could hold are
        // refused up front, the same way by HRANDFIELD, SRANDMEMBER and ZRANDMEMBER.
        let mut h = Harness::new();
        h.run("HSET k f v");
        h.run("SADD s m");
        h.run("ZADD z 1 m");
        let out_of_range = e("ERR value is out of range");
        for cmd in [
            "HRANDFIELD k -6004235030193880749",
            "HRANDFIELD k -9223372036854775807",
            "HRANDFIELD k -100000000",
            "HRANDFIELD k -100000000 WITHVALUES",
            "SRANDMEMBER s -100000000",
            "SRANDMEMBER s -9223372036854775807",
            "ZRANDMEMBER z -100000000",
            "ZRANDMEMBER z -100000000 WITHSCORES",
        ] {
            assert_eq!(h.run(cmd), out_of_range, "{cmd}");
            assert!(!h.session.output_limit_reached, "{cmd}");
        }
        // A missing key answers before any count is looked at, as Redis does.
        assert_eq!(h.run("HRANDFIELD nokey -6004235030193880749"), arr(&[]));
        // Counts Redis serves are served whole: no cap below the memory bound.
        for (cmd, len) in [
            ("HRANDFIELD k -1048577", 1_048_577),
            ("HRANDFIELD k -1000 WITHVALUES", 2000),
            ("SRANDMEMBER s -1048577", 1_048_577),
            ("ZRANDMEMBER z -1000 WITHSCORES", 2000),
        ] {
            let Reply::Array(v) = h.run(cmd) else {
                panic!("{cmd}")
            };
            assert_eq!(v.len(), len, "{cmd}");
        }
    }

    #[test]
    fn a_client_sized_reply_stops_at_the_clients_output_limit() {
        // `$1\r\nf\r\n` is 7 bytes: a budget of 700 holds 100 draws, not 101.
        let mut h = Harness::new();
        h.run("HSET k f v");
        h.run("SADD s f");
        h.run("ZADD z 1 f");
        for (cmd, fits) in [
            ("HRANDFIELD k -100", true),
            ("HRANDFIELD k -101", false),
            ("SRANDMEMBER s -100", true),
            ("SRANDMEMBER s -101", false),
            ("ZRANDMEMBER z -100", true),
            ("ZRANDMEMBER z -101", false),
        ] {
            h.session.reply_budget = 700;
            h.session.output_limit_reached = false;
            let reply = h.run(cmd);
            assert_eq!(h.session.output_limit_reached, !fits, "{cmd}");
            if fits {
                assert!(
                    matches!(reply, Reply::Array(ref v) if v.len() == 100),
                    "{cmd}"
                );
            } else {
                assert_eq!(reply, e(super::super::client_sized::ERR_REPLY_TOO_BIG));
            }
        }
        // Inside MULTI, the replies before it spend the same budget.
        h.session.reply_budget = 700;
        h.session.output_limit_reached = false;
        h.run("MULTI");
        h.run("HRANDFIELD k -60");
        h.run("HRANDFIELD k -60");
        let Reply::Array(replies) = h.run("EXEC") else {
            panic!()
        };
        assert!(matches!(&replies[0], Reply::Array(v) if v.len() == 60));
        assert_eq!(replies[1], e(super::super::client_sized::ERR_REPLY_TOO_BIG));
        assert!(h.session.output_limit_reached);
    }

    #[test]
    fn hrandfield_shapes() {
        let mut h = Harness::new();
        h.run("HSET h a 1 b 2 c 3 d 4");
        assert_eq!(h.run("HRANDFIELD h 0"), arr(&[]));
        assert_eq!(h.run("HRANDFIELD h 10"), arr(&["a", "b", "c", "d"]));
        let Reply::Array(v) = h.run("HRANDFIELD h -10") else {
            panic!()
        };
        assert_eq!(v.len(), 10);
        let Reply::Array(mut v) = h.run("HRANDFIELD h 3") else {
            panic!()
        };
        assert_eq!(v.len(), 3);
        v.sort_by_key(|r| format!("{r:?}"));
        v.dedup();
        assert_eq!(v.len(), 3);
        let Reply::Array(v) = h.run("HRANDFIELD h 2 WITHVALUES") else {
            panic!()
        };
        assert_eq!(v.len(), 4);
        assert!(matches!(h.run("HRANDFIELD h"), Reply::Bulk(_)));
        assert_eq!(h.run("HRANDFIELD h 1 WITHVALUES x"), e("ERR syntax error"));
        assert_eq!(
            h.run("HRANDFIELD h 9223372036854775807 WITHVALUES"),
            e("ERR value is out of range")
        );
        assert_eq!(h.run("HRANDFIELD nokey"), Reply::Null);
        assert_eq!(h.run("HRANDFIELD nokey 3"), arr(&[]));
        h.session.resp = 3;
        assert_eq!(
            h.run("HRANDFIELD h 10 WITHVALUES"),
            Reply::Array(
                [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]
                    .iter()
                    .map(|(f, v)| Reply::Array(vec![b(f), b(v)]))
                    .collect()
            )
        );
        // Same seed, same picks.
        let mut a = Harness::new();
        let mut c = Harness::new();
        for x in [&mut a, &mut c] {
            x.run("CONFIG SET hash-max-listpack-entries 1");
            x.run("HSET h a 1 b 2 c 3 d 4 e 5");
        }
        assert_eq!(a.run("HRANDFIELD h -20"), c.run("HRANDFIELD h -20"));
    }

    #[test]
    fn hscan_covers_a_hashtable() {
        let mut h = Harness::new();
        // More fields than hash-max-listpack-entries (512 by default).
        for n in 0..600 {
            h.run(&format!("HSET h f{n} {n}"));
        }
        assert_eq!(h.run("OBJECT ENCODING h"), b("hashtable"));
        let mut cursor = "0".to_string();
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let Reply::Array(parts) = h.run(&format!("HSCAN h {cursor} COUNT 20")) else {
                panic!()
            };
            let (Reply::Bulk(c), Reply::Array(items)) = (&parts[0], &parts[1]) else {
                panic!()
            };
            for pair in items.chunks(2) {
                if let Reply::Bulk(f) = &pair[0] {
                    seen.insert(f.clone());
                }
            }
            cursor = String::from_utf8_lossy(c).into_owned();
            if cursor == "0" {
                break;
            }
        }
        assert_eq!(seen.len(), 600);
        assert_eq!(h.run("HSCAN h 0 COUNT 0"), e("ERR syntax error"));
        assert_eq!(h.run("HSCAN h x"), e("ERR invalid cursor"));
    }

    #[test]
    fn wrongtype() {
        let mut h = Harness::new();
        h.run("RPUSH l a");
        for cmd in [
            "HSET l a b",
            "HSETNX l a b",
            "HMSET l a b",
            "HGET l a",
            "HMGET l a",
            "HDEL l a",
            "HLEN l",
            "HSTRLEN l a",
            "HEXISTS l a",
            "HKEYS l",
            "HVALS l",
            "HGETALL l",
            "HINCRBY l a 1",
            "HINCRBYFLOAT l a 1",
            "HRANDFIELD l",
            "HRANDFIELD l 1",
            "HSCAN l 0",
        ] {
            assert_eq!(h.run(cmd), e(WRONG), "{cmd}");
        }
        h.run("HSET h a 1");
        assert_eq!(h.run("APPEND h x"), e(WRONG));
        assert_eq!(h.run("INCR h"), e(WRONG));
    }

    /// Random argv from a word list against keys of every type: no panic, invariants hold.
    pub(crate) fn fuzz_family(commands: &[Command]) {
        let mut h = Harness::new();
        let words: &[&[u8]] = &[
            b"",
            b"-1",
            b"0",
            b"1",
            b"2",
            b"3",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"LEFT",
            b"RIGHT",
            b"BEFORE",
            b"AFTER",
            b"RANK",
            b"COUNT",
            b"MAXLEN",
            b"MATCH",
            b"WITHVALUES",
            b"l",
            b"h",
            b"s",
            b"a",
            b"\xff\x00",
            b"1e400",
            b"inf",
            b"nan",
            b"1.5",
            b"*",
        ];
        let mut seed: u64 = 987654321;
        for round in 0..30_000 {
            if round % 500 == 0 {
                h.run("FLUSHALL");
                h.run("RPUSH l a b c a");
                h.run("HSET h a 1 b x");
                h.run("SET s 1");
                let lim = if round % 1000 == 0 { "1" } else { "128" };
                h.run(&format!("CONFIG SET hash-max-listpack-entries {lim}"));
            }
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let name = commands[(seed >> 33) as usize % commands.len()].name;
            let n = (seed >> 20) as usize % 7;
            let mut argv = vec![Bytes::from(name)];
            for j in 0..n {
                let w = words[((seed >> (j * 5)) as usize) % words.len()];
                argv.push(Bytes::copy_from_slice(w));
            }
            let _ = h.argv(&argv);
        }
    }

    #[test]
    fn arbitrary_argv_never_panics() {
        fuzz_family(super::COMMANDS);
    }
}
