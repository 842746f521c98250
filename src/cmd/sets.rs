//! Set commands (t_set.c). Values live in [`SetValue`]; every mutation goes through
//! the keyspace's `lookup_write` / `set` / `remove`, and a set emptied by a command is
//! deleted, as in Redis.

use super::args::{arg_i64, arg_range, is, scan_cursor, scan_opts, wrongtype, ERR_SYNTAX};
use super::client_sized::ClientSized;
use super::notify::{self, notify};
use super::reply::{empty_scan, scan_reply};
use super::table::*;
use super::Ctx;
use crate::db::set::SetValue;
use crate::db::{Keyspace, Ttl, Value};
use crate::resp::Reply;
use crate::util::glob::stringmatchlen;
use bytes::Bytes;
use rand_core::RngCore;
use std::collections::BTreeSet;

/// The set at `key` for reading (hit/miss counted), or WRONGTYPE.
fn read_set<'a>(
    ks: &'a mut Keyspace,
    db: usize,
    key: &[u8],
    now: u64,
) -> Result<Option<&'a SetValue>, Reply> {
    ks.read_as(db, key, now).map_err(|_| wrongtype())
}

/// The set at `key` for writing, or WRONGTYPE.
fn write_set<'a>(
    ks: &'a mut Keyspace,
    db: usize,
    key: &[u8],
    now: u64,
) -> Result<Option<&'a mut SetValue>, Reply> {
    ks.write_as(db, key, now).map_err(|_| wrongtype())
}

/// Deletes `key` if it holds an empty set (after SREM, SPOP, SMOVE), announcing `del`.
fn delete_if_empty(ks: &mut Keyspace, db: usize, key: &[u8]) {
    ks.remove_if_empty_notify::<SetValue>(db, key);
}

fn bulks(items: impl IntoIterator<Item = Bytes>) -> Vec<Reply> {
    items.into_iter().map(Reply::Bulk).collect()
}

fn sadd_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let max = ctx.server.config.set_max_intset_entries;
    let hk = ctx.keyspace.hash_keys();
    let key = &argv[1];
    if write_set(ctx.keyspace, db, key, now)?.is_none() {
        let v = SetValue::new_for(&argv[2], hk);
        ctx.keyspace.set(db, key.clone(), Value::set(v), Ttl::Clear);
    }
    let Ok(Some(set)) = write_set(ctx.keyspace, db, key, now) else {
        return Ok(Reply::Integer(0));
    };
    let added = argv[2..].iter().filter(|m| set.insert(m, max, hk)).count();
    if added > 0 {
        ctx.modified(key, added as u64);
        notify(ctx, notify::SET, "sadd", key);
    }
    Ok(Reply::Integer(added as i64))
}

fn srem_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let Some(set) = write_set(ctx.keyspace, db, &argv[1], now)? else {
        return Ok(Reply::Integer(0));
    };
    let mut n = 0;
    for m in &argv[2..] {
        if set.remove(m) {
            n += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    if n > 0 {
        ctx.modified(&argv[1], n as u64);
        notify(ctx, notify::SET, "srem", &argv[1]);
    }
    delete_if_empty(ctx.keyspace, db, &argv[1]);
    Ok(Reply::Integer(n))
}

fn sismember_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    match read_set(ctx.keyspace, ctx.session.db, &argv[1], now)? {
        Some(s) => Ok(Reply::Integer(s.contains(&argv[2]) as i64)),
        None => Ok(Reply::Integer(0)),
    }
}

fn smismember_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let s = read_set(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|m| Reply::Integer(s.is_some_and(|s| s.contains(m)) as i64))
            .collect(),
    ))
}

fn scard_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let s = read_set(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Integer(s.map_or(0, |s| s.len() as i64)))
}

fn smembers_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let s = read_set(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Set(s.map_or_else(Vec::new, |s| bulks(s.members()))))
}

fn spop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let count = match argv.get(2) {
        None => None,
        // getPositiveLongFromObjectOrReply: one message for junk and negatives alike.
        Some(a) => match arg_i64(a) {
            Ok(c) if c >= 0 => Some(c as u64),
            _ => return Err(Reply::err("ERR value is out of range, must be positive")),
        },
    };
    let rng = &mut ctx.server.rng;
    let Some(set) = write_set(ctx.keyspace, db, &argv[1], now)? else {
        return if count.is_some() {
            Ok(Reply::Set(vec![]))
        } else {
            Ok(Reply::Null)
        };
    };
    let key = &argv[1];
    let srem = |m: &Bytes| vec![Bytes::from_static(b"SREM"), key.clone(), m.clone()];
    let reply = match count {
        None => match set.random(rng) {
            Some(m) => {
                set.remove(&m);
                // Replicated as SREM of the member popped.
                ctx.propagate_as(srem(&m));
                ctx.modified(key, 1);
                notify(ctx, notify::SET, "spop", key);
                Reply::Bulk(m)
            }
            None => Reply::Null,
        },
        Some(0) => return Ok(Reply::Set(vec![])),
        Some(c) if c >= set.len() as u64 => {
            let size = set.len() as u64;
            let all = bulks(set.members());
            notify(ctx, notify::SET, "spop", key);
            ctx.keyspace.remove(db, key);
            notify(ctx, notify::GENERIC, "del", key);
            // The whole set: replicated as DEL.
            ctx.add_dirty(size);
            ctx.propagate_as(vec![Bytes::from_static(b"DEL"), key.clone()]);
            return Ok(Reply::Set(all));
        }
        Some(c) => {
            let mut popped = Vec::with_capacity(c as usize);
            for _ in 0..c {
                let Some(m) = set.random(rng) else { break };
                set.remove(&m);
                popped.push(m);
            }
            // One SREM per member, the SPOP itself not propagated (spopWithCountCommand).
            notify(ctx, notify::SET, "spop", key);
            ctx.add_dirty(c);
            ctx.modified(key, 0);
            for m in &popped {
                ctx.also_propagate(srem(m));
            }
            ctx.prevent_propagation();
            Reply::Set(bulks(popped))
        }
    };
    delete_if_empty(ctx.keyspace, db, key);
    Ok(reply)
}

fn srandmember_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let count = match argv.get(2) {
        None => None,
        Some(a) => Some(arg_range(a, -i64::MAX, i64::MAX, None)?),
    };
    let rng = &mut ctx.server.rng;
    let session = &mut *ctx.session;
    let Some(set) = read_set(ctx.keyspace, db, &argv[1], now)? else {
        return if count.is_some() {
            Ok(Reply::Array(vec![]))
        } else {
            Ok(Reply::Null)
        };
    };
    let Some(count) = count else {
        return Ok(set.random(rng).map_or(Reply::Null, Reply::Bulk));
    };
    if count < 0 {
        // With repetition: as many draws as the client asked, a client-sized reply.
        let draws = count.unsigned_abs();
        let mut reply = ClientSized::new(session, draws, 1)?;
        for _ in 0..draws {
            let Some(m) = set.random(rng) else { break };
            reply.push(session, Reply::Bulk(m))?;
        }
        return Ok(reply.finish());
    }
    Ok(Reply::Array(bulks_vec(random_members(set, count, rng))))
}

fn bulks_vec(v: Vec<Bytes>) -> Vec<Reply> {
    bulks(v)
}

/// srandmemberWithCountCommand's distinct picks (a positive count; negative counts,
/// with repetition, are client-sized and built by the caller).
fn random_members(set: &SetValue, count: i64, rng: &mut impl RngCore) -> Vec<Bytes> {
    let size = set.len() as u64;
    if count <= 0 || size == 0 {
        return vec![];
    }
    let count = count as u64;
    if count >= size {
        return set.members().collect();
    }
    if count * 3 > size {
        // Copy everything, then drop random members until `count` remain.
        let mut all: Vec<Bytes> = set.members().collect();
        while all.len() as u64 > count {
            let i = (rng.next_u64() % all.len() as u64) as usize;
            all.swap_remove(i);
        }
        return all;
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(count as usize);
    while (out.len() as u64) < count {
        let Some(m) = set.random(rng) else { break };
        if seen.insert(m.clone()) {
            out.push(m);
        }
    }
    out
}

fn smove_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let (src, dst, m) = (&argv[1], &argv[2], &argv[3]);
    let max = ctx.server.config.set_max_intset_entries;
    let hk = ctx.keyspace.hash_keys();
    let src_exists = write_set(ctx.keyspace, db, src, now)?.is_some();
    let dst_exists = write_set(ctx.keyspace, db, dst, now)?.is_some();
    if !src_exists {
        return Ok(Reply::Integer(0));
    }
    if src == dst {
        let Ok(Some(s)) = write_set(ctx.keyspace, db, src, now) else {
            return Ok(Reply::Integer(0));
        };
        return Ok(Reply::Integer(s.contains(m) as i64));
    }
    let Ok(Some(s)) = write_set(ctx.keyspace, db, src, now) else {
        return Ok(Reply::Integer(0));
    };
    if !s.remove(m) {
        return Ok(Reply::Integer(0));
    }
    notify(ctx, notify::SET, "srem", src);
    ctx.modified(src, 1);
    delete_if_empty(ctx.keyspace, db, src);
    if !dst_exists {
        let v = SetValue::new_for(m, hk);
        ctx.keyspace.set(db, dst.clone(), Value::set(v), Ttl::Clear);
    }
    if let Ok(Some(d)) = write_set(ctx.keyspace, db, dst, now) {
        if d.insert(m, max, hk) {
            ctx.modified(dst, 1);
            notify(ctx, notify::SET, "sadd", dst);
        }
    }
    Ok(Reply::Integer(1))
}

/// Looks every key up for reading (lookupKeyRead, the *STORE forms too: a missing key
/// is a `keymiss`), WRONGTYPE if any is not a set; a missing key is None. Clones the
/// sets so the caller can then write the destination.
fn load_sets(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Result<Vec<Option<SetValue>>, Reply> {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        out.push(read_set(ctx.keyspace, db, k, now)?.cloned());
    }
    Ok(out)
}

/// Stores `result` at `dst` (or deletes `dst` when it is empty); the reply is its size.
/// `event` is the command's (`sinterstore`, `sunionstore`, `sdiffstore`).
fn store_set(ctx: &mut Ctx<'_>, dst: &Bytes, result: SetValue, event: &str) -> CmdResult {
    let db = ctx.session.db;
    let n = result.len();
    if n == 0 {
        if ctx.keyspace.remove(db, dst).is_some() {
            notify(ctx, notify::GENERIC, "del", dst);
            ctx.add_dirty(1);
        }
    } else {
        ctx.keyspace
            .set(db, dst.clone(), Value::set(result), Ttl::Clear);
        notify(ctx, notify::SET, event, dst);
        ctx.add_dirty(1);
    }
    Ok(Reply::Integer(n as i64))
}

/// sinterGenericCommand. `limit` is SINTERCARD's (0 = none).
fn sinter_generic(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    dst: Option<&Bytes>,
    card: Option<u64>,
) -> CmdResult {
    let sets = load_sets(ctx, keys)?;
    let max = ctx.server.config.set_max_intset_entries;
    let hk = ctx.keyspace.hash_keys();
    let mut present: Vec<SetValue> = Vec::with_capacity(sets.len());
    for s in sets {
        match s {
            Some(s) => present.push(s),
            None => {
                return match (dst, card) {
                    (Some(d), _) => store_set(ctx, d, SetValue::new_intset(), "sinterstore"),
                    (None, Some(_)) => Ok(Reply::Integer(0)),
                    (None, None) => Ok(Reply::Set(vec![])),
                }
            }
        }
    }
    present.sort_by_key(|s| s.len());
    let Some((first, rest)) = present.split_first() else {
        return Ok(Reply::Set(vec![]));
    };
    let mut out = Vec::new();
    for m in first.members() {
        if rest.iter().all(|s| s.contains(&m)) {
            out.push(m);
            if card.is_some_and(|l| l > 0 && out.len() as u64 >= l) {
                break;
            }
        }
    }
    if let Some(d) = dst {
        let mut result = SetValue::new_intset();
        for m in &out {
            result.insert(m, max, hk);
        }
        return store_set(ctx, d, result, "sinterstore");
    }
    if card.is_some() {
        return Ok(Reply::Integer(out.len() as i64));
    }
    Ok(Reply::Set(bulks(out)))
}

fn sinter_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sinter_generic(ctx, &argv[1..], None, None)
}

fn sinterstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sinter_generic(ctx, &argv[2..], Some(&argv[1]), None)
}

fn sintercard_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let numkeys = match arg_i64(&argv[1]) {
        Ok(n) if n > 0 => n as u64,
        _ => return Err(Reply::err("ERR numkeys should be greater than 0")),
    };
    if numkeys > (argv.len() - 2) as u64 {
        return Err(Reply::err(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0u64;
    let mut j = keys_end;
    while j < argv.len() {
        if is(&argv[j], "limit") && j + 1 < argv.len() {
            limit = match arg_i64(&argv[j + 1]) {
                Ok(l) if l >= 0 => l as u64,
                _ => return Err(Reply::err("ERR LIMIT can't be negative")),
            };
            j += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    sinter_generic(ctx, &argv[2..keys_end], None, Some(limit))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Diff,
}

/// sunionDiffGenericCommand: the result is built as a new set (intset first), so its
/// reply order is that set's own order, as in Redis.
fn sunion_diff_generic(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    dst: Option<&Bytes>,
    op: SetOp,
) -> CmdResult {
    let sets = load_sets(ctx, keys)?;
    let max = ctx.server.config.set_max_intset_entries;
    let hk = ctx.keyspace.hash_keys();
    let mut result = SetValue::new_intset();
    match op {
        SetOp::Union => {
            for s in sets.iter().flatten() {
                for m in s.members() {
                    result.insert(&m, max, hk);
                }
            }
        }
        SetOp::Diff => {
            if let Some(Some(first)) = sets.first() {
                for m in first.members() {
                    if !sets[1..].iter().flatten().any(|s| s.contains(&m)) {
                        result.insert(&m, max, hk);
                    }
                }
            }
        }
    }
    match dst {
        Some(d) => {
            let event = match op {
                SetOp::Union => "sunionstore",
                SetOp::Diff => "sdiffstore",
            };
            store_set(ctx, d, result, event)
        }
        None => Ok(Reply::Set(bulks(result.members()))),
    }
}

fn sunion_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[1..], None, SetOp::Union)
}

fn sunionstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[2..], Some(&argv[1]), SetOp::Union)
}

fn sdiff_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[1..], None, SetOp::Diff)
}

fn sdiffstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[2..], Some(&argv[1]), SetOp::Diff)
}

fn sscan_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut cursor = scan_cursor(&argv[2])?;
    let now = ctx.now_ms();
    let Some(set) = read_set(ctx.keyspace, ctx.session.db, &argv[1], now)? else {
        return Ok(empty_scan());
    };
    let opts = scan_opts(argv, 3, false)?;
    let (count, pattern) = (opts.count, opts.pattern);
    let mut found = Vec::new();
    let mut max_iterations = count.saturating_mul(10);
    loop {
        cursor = set.scan(cursor, &mut found);
        if cursor == 0 || max_iterations == 0 || found.len() as u64 >= count {
            break;
        }
        max_iterations -= 1;
    }
    let items = found
        .into_iter()
        .filter(|m| pattern.as_ref().is_none_or(|p| stringmatchlen(p, m, false)))
        .map(Reply::Bulk)
        .collect();
    Ok(scan_reply(cursor, items))
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("sadd", -3, WRITE | DENYOOM | FAST, Group::Set, sadd_cmd).keys(&[key(1, RW | INSERT)])
        .doc("1.0.0", "Add one or more members to a set", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.")
        .history(&[("2.4.0", "Accepts multiple `member` arguments.")]),
    cmd("scard", 2, READONLY | FAST, Group::Set, scard_cmd).keys(&[key(1, RO)])
        .doc("1.0.0", "Get the number of members in a set", "O(1)"),
    cmd("sdiff", -2, READONLY, Group::Set, sdiff_cmd).keys(&[range(1, -1, 1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("1.0.0", "Subtract multiple sets", "O(N) where N is the total number of elements in all given sets."),
    cmd("sdiffstore", -3, WRITE | DENYOOM, Group::Set, sdiffstore_cmd).keys(&[key(1, OW | UPDATE), range(2, -1, 1, RO | ACCESS)])
        .doc("1.0.0", "Subtract multiple sets and store the resulting set in a key", "O(N) where N is the total number of elements in all given sets."),
    cmd("sinter", -2, READONLY, Group::Set, sinter_cmd).keys(&[range(1, -1, 1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("1.0.0", "Intersect multiple sets", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."),
    cmd("sintercard", -3, READONLY, Group::Set, sintercard_cmd).keys(&[keynum(1, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("7.0.0", "Intersect multiple sets and return the cardinality of the result", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."),
    cmd("sinterstore", -3, WRITE | DENYOOM, Group::Set, sinterstore_cmd).keys(&[key(1, RW | UPDATE), range(2, -1, 1, RO | ACCESS)])
        .doc("1.0.0", "Intersect multiple sets and store the resulting set in a key", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."),
    cmd("sismember", 3, READONLY | FAST, Group::Set, sismember_cmd).keys(&[key(1, RO)])
        .doc("1.0.0", "Determine if a given value is a member of a set", "O(1)"),
    cmd("smembers", 2, READONLY, Group::Set, smembers_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("1.0.0", "Get all the members in a set", "O(N) where N is the set cardinality."),
    cmd("smismember", -3, READONLY | FAST, Group::Set, smismember_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("6.2.0", "Returns the membership associated with the given elements for a set", "O(N) where N is the number of elements being checked for membership"),
    cmd("smove", 4, WRITE | FAST, Group::Set, smove_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, RW | INSERT)])
        .doc("1.0.0", "Move a member from one set to another", "O(1)"),
    cmd("spop", -2, WRITE | FAST, Group::Set, spop_cmd).keys(&[key(1, RW | ACCESS | DELETE)]).tips(&["nondeterministic_output"])
        .doc("1.0.0", "Remove and return one or multiple random members from a set", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.")
        .history(&[("3.2.0", "Added the `count` argument.")]),
    cmd("srandmember", -2, READONLY, Group::Set, srandmember_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("1.0.0", "Get one or multiple random members from a set", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.")
        .history(&[("2.6.0", "Added the optional `count` argument.")]),
    cmd("srem", -3, WRITE | FAST, Group::Set, srem_cmd).keys(&[key(1, RW | DELETE)])
        .doc("1.0.0", "Remove one or more members from a set", "O(N) where N is the number of members to be removed.")
        .history(&[("2.4.0", "Accepts multiple `member` arguments.")]),
    cmd("sscan", -3, READONLY, Group::Set, sscan_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("2.8.0", "Incrementally iterate Set elements", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."),
    cmd("sunion", -2, READONLY, Group::Set, sunion_cmd).keys(&[range(1, -1, 1, RO | ACCESS)]).tips(&["nondeterministic_output_order"])
        .doc("1.0.0", "Add multiple sets", "O(N) where N is the total number of elements in all given sets."),
    cmd("sunionstore", -3, WRITE | DENYOOM, Group::Set, sunionstore_cmd).keys(&[key(1, OW | UPDATE), range(2, -1, 1, RO | ACCESS)])
        .doc("1.0.0", "Add multiple sets and store the resulting set in a key", "O(N) where N is the total number of elements in all given sets."),
];
