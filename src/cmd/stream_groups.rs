//! Consumer group commands (t_stream.c): XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/
//! DELCONSUMER/HELP, XACK, XPENDING, XCLAIM, XAUTOCLAIM. XREADGROUP is with XREAD in
//! `stream_read.rs`.

use super::args::{arg_i64, is, ERR_SYNTAX};
use super::notify::{self, STREAM};
use super::reply::help_reply;
use super::stream_common::*;
use super::table::*;
use super::Ctx;
use crate::db::stream::group::INVALID_ENTRIES_READ;
use crate::db::stream::{Consumer, ConsumerGroup, Nack, Stream, StreamId};
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use crate::util::c_str;
use bytes::Bytes;

fn subcommand_syntax_error(argv: &[Bytes]) -> Reply {
    Reply::error_bytes(
        [
            b"ERR unknown subcommand or wrong number of arguments for '".as_slice(),
            crate::util::printf_s(&argv[1], 128),
            b"'. Try XGROUP HELP.",
        ]
        .concat(),
    )
}

fn nogroup(key: &[u8], group: &[u8]) -> Reply {
    Reply::error_bytes(
        [
            b"NOGROUP No such key '".as_slice(),
            c_str(key),
            b"' or consumer group '",
            c_str(group),
            b"'",
        ]
        .concat(),
    )
}

fn getll(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    crate::util::int::string2ll(arg).ok_or(Reply::err(msg))
}

/// streamCreateConsumer with SCC_DEFAULT when missing, else streamLookupConsumer
/// (refreshing its seen time unless `no_refresh`).
fn lookup_or_create_consumer(ctx: &mut Ctx<'_>, key: &Bytes, group: &[u8], name: &Bytes) {
    let now = ctx.now_ms() as i64;
    let db = ctx.session.db;
    let Some(g) = stream_in(ctx, db, key).and_then(|s| s.groups.get_mut(group)) else {
        return;
    };
    if let Some(c) = g.consumers.get_mut(name) {
        c.seen_time = now;
        return;
    }
    g.consumers.insert(
        name.clone(),
        Consumer {
            seen_time: now,
            pel: Default::default(),
        },
    );
    ctx.add_dirty(1);
    notify::notify(ctx, STREAM, "xgroup-createconsumer", key);
}

fn xgroup_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let opt = &argv[1];
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut exists = false;
    let mut group_exists = false;
    if argv.len() >= 4 {
        let create = is(opt, "create");
        let setid = is(opt, "setid");
        let mut i = 5;
        while i < argv.len() {
            if create && is(&argv[i], "mkstream") {
                mkstream = true;
                i += 1;
            } else if (create || setid) && is(&argv[i], "entriesread") && i + 1 < argv.len() {
                entries_read = arg_i64(&argv[i + 1])?;
                if entries_read < 0 && entries_read != INVALID_ENTRIES_READ {
                    return Err(Reply::err(
                        "ERR value for ENTRIESREAD must be positive or -1",
                    ));
                }
                i += 2;
            } else {
                return Err(subcommand_syntax_error(argv));
            }
        }
        if let Some(s) = stream_mut(ctx, &argv[2])? {
            exists = true;
            group_exists = s.groups.contains_key(&argv[3]);
        }
    }
    if argv.len() >= 4 && !mkstream {
        if !exists {
            return Err(Reply::err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."));
        }
        if !group_exists
            && (is(opt, "setid") || is(opt, "createconsumer") || is(opt, "delconsumer"))
        {
            return Err(Reply::error_bytes(
                [
                    b"NOGROUP No such consumer group '".as_slice(),
                    c_str(&argv[3]),
                    b"' for key name '",
                    c_str(&argv[2]),
                    b"'",
                ]
                .concat(),
            ));
        }
    }
    let db = ctx.session.db;
    let n = argv.len();
    if n == 2 && is(opt, "help") {
        return Ok(help_reply("XGROUP", XGROUP_HELP));
    }
    if is(opt, "create") && (5..=8).contains(&n) {
        let key = &argv[2];
        let id = if argv[4].as_ref() == b"$" {
            stream_mut(ctx, key)?.map_or(StreamId::MIN, |s| s.last_id)
        } else {
            strict_id_arg(&argv[4], 0)?
        };
        if !exists {
            ctx.keyspace
                .set(db, key.clone(), Value::stream(Stream::new()), Ttl::Keep);
            ctx.keyspace.signal_modified_key(db, key);
        }
        let s = stream_in(ctx, db, key).expect("stream");
        if s.groups.contains_key(&argv[3]) {
            return Err(Reply::err("BUSYGROUP Consumer Group name already exists"));
        }
        s.groups
            .insert(argv[3].clone(), ConsumerGroup::new(id, entries_read));
        ctx.add_dirty(1);
        notify::notify(ctx, STREAM, "xgroup-create", key);
        return Ok(Reply::OK);
    }
    if is(opt, "setid") && (n == 5 || n == 7) {
        let key = &argv[2];
        let s = stream_in(ctx, db, key).expect("stream");
        let id = if argv[4].as_ref() == b"$" {
            s.last_id
        } else {
            id_arg(&argv[4], 0)?
        };
        if let Some(g) = s.groups.get_mut(&argv[3]) {
            g.last_id = id;
            g.entries_read = entries_read;
        }
        ctx.add_dirty(1);
        notify::notify(ctx, STREAM, "xgroup-setid", key);
        return Ok(Reply::OK);
    }
    if is(opt, "destroy") && n == 4 {
        let key = &argv[2];
        let s = stream_in(ctx, db, key).expect("stream");
        if s.groups.remove(&argv[3]).is_none() {
            return Ok(Reply::Integer(0));
        }
        ctx.add_dirty(1);
        notify::notify(ctx, STREAM, "xgroup-destroy", key);
        ctx.keyspace.signal_stream(db, key);
        return Ok(Reply::Integer(1));
    }
    if is(opt, "createconsumer") && n == 5 {
        let key = &argv[2];
        let now = ctx.now_ms() as i64;
        let s = stream_in(ctx, db, key).expect("stream");
        let g = s.groups.get_mut(&argv[3]).expect("group checked");
        if g.consumers.contains_key(&argv[4]) {
            return Ok(Reply::Integer(0));
        }
        g.consumers.insert(
            argv[4].clone(),
            Consumer {
                seen_time: now,
                pel: Default::default(),
            },
        );
        ctx.add_dirty(1);
        notify::notify(ctx, STREAM, "xgroup-createconsumer", key);
        return Ok(Reply::Integer(1));
    }
    if is(opt, "delconsumer") && n == 5 {
        let key = &argv[2];
        let s = stream_in(ctx, db, key).expect("stream");
        let g = s.groups.get_mut(&argv[3]).expect("group checked");
        let Some(pending) = g.delete_consumer(&argv[4]) else {
            return Ok(Reply::Integer(0));
        };
        ctx.add_dirty(1);
        notify::notify(ctx, STREAM, "xgroup-delconsumer", key);
        return Ok(Reply::Integer(pending as i64));
    }
    Err(subcommand_syntax_error(argv))
}

const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
];

fn xack_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let has_group = match stream_ref(ctx, &argv[1])? {
        Some(s) => s.groups.contains_key(&argv[2]),
        None => false,
    };
    if !has_group {
        return Ok(Reply::Integer(0));
    }
    let ids = argv[3..]
        .iter()
        .map(|a| strict_id_arg(a, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let db = ctx.session.db;
    let g = stream_in(ctx, db, &argv[1])
        .and_then(|s| s.groups.get_mut(&argv[2]))
        .expect("group");
    let acked = ids.into_iter().filter(|&id| g.ack(id)).count() as u64;
    ctx.add_dirty(acked);
    Ok(Reply::Integer(acked as i64))
}

fn xpending_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let n = argv.len();
    let justinfo = n == 3;
    if n != 3 && !(6..=9).contains(&n) {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let (mut start, mut end) = (StreamId::MIN, StreamId::MAX);
    let mut count: i64 = 0;
    let mut minidle: i64 = 0;
    let mut consumer: Option<&Bytes> = None;
    if n >= 6 {
        let mut startidx = 3;
        if is(&argv[3], "idle") {
            minidle = arg_i64(&argv[4])?;
            if n < 8 {
                return Err(Reply::err(ERR_SYNTAX));
            }
            startidx += 2;
        }
        count = arg_i64(&argv[startidx + 2])?.max(0);
        let (s, sx) = interval_id_arg(&argv[startidx], 0)?;
        start = s;
        if sx {
            start = start
                .incr()
                .ok_or(Reply::err("ERR invalid start ID for the interval"))?;
        }
        let (e, ex) = interval_id_arg(&argv[startidx + 1], u64::MAX)?;
        end = e;
        if ex {
            end = end
                .decr()
                .ok_or(Reply::err("ERR invalid end ID for the interval"))?;
        }
        consumer = argv.get(startidx + 3);
    }
    let now = ctx.now_ms() as i64;
    let s = stream_ref(ctx, &argv[1])?;
    let Some(g) = s.and_then(|s| s.groups.get(&argv[2])) else {
        return Err(nogroup(&argv[1], &argv[2]));
    };
    if justinfo {
        let (Some(first), Some(last)) = (g.pel.keys().next(), g.pel.keys().next_back()) else {
            return Ok(Reply::Array(vec![
                Reply::Integer(0),
                Reply::Null,
                Reply::Null,
                Reply::NullArray,
            ]));
        };
        let consumers = g
            .consumers
            .iter()
            .filter(|(_, c)| !c.pel.is_empty())
            .map(|(name, c)| {
                Reply::Array(vec![
                    Reply::Bulk(name.clone()),
                    Reply::Bulk(Bytes::from(c.pel.len().to_string())),
                ])
            })
            .collect();
        return Ok(Reply::Array(vec![
            Reply::Integer(g.pel.len() as i64),
            id_reply(*first),
            id_reply(*last),
            Reply::Array(consumers),
        ]));
    }
    let ids: Vec<StreamId> = match consumer {
        Some(name) => match g.consumers.get(name) {
            None => return Ok(Reply::Array(vec![])),
            Some(c) => c.pel.range(start..).copied().collect(),
        },
        None => g.pel.range(start..).map(|(id, _)| *id).collect(),
    };
    let mut out = Vec::new();
    for id in ids {
        if count == 0 || id > end {
            break;
        }
        let nack = &g.pel[&id];
        if minidle != 0 && now.wrapping_sub(nack.delivery_time) < minidle {
            continue;
        }
        count -= 1;
        out.push(Reply::Array(vec![
            id_reply(id),
            Reply::Bulk(nack.consumer.clone()),
            Reply::Integer(now.wrapping_sub(nack.delivery_time).max(0)),
            Reply::Integer(nack.delivery_count as i64),
        ]));
    }
    Ok(Reply::Array(out))
}

/// The group of a claim, or NOGROUP.
fn claim_group(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<(), Reply> {
    match stream_ref(ctx, &argv[1])? {
        Some(s) if s.groups.contains_key(&argv[2]) => Ok(()),
        _ => Err(nogroup(&argv[1], &argv[2])),
    }
}

/// One PEL entry given to `name` (the NACK moved, or created by FORCE), timed and
/// counted as XCLAIM/XAUTOCLAIM do.
fn claim_one(g: &mut ConsumerGroup, id: StreamId, name: &Bytes, time: i64, retry: Option<u64>) {
    let nack = g.pel.entry(id).or_insert_with(|| Nack {
        delivery_time: time,
        delivery_count: 0,
        consumer: Bytes::new(),
    });
    let old = std::mem::replace(&mut nack.consumer, name.clone());
    nack.delivery_time = time;
    if let Some(r) = retry {
        nack.delivery_count = r;
    }
    if old != *name {
        if let Some(c) = g.consumers.get_mut(&old) {
            c.pel.remove(&id);
        }
    }
    if let Some(c) = g.consumers.get_mut(name) {
        c.pel.insert(id);
    }
}

fn xclaim_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    claim_group(ctx, argv)?;
    let minidle = getll(&argv[4], "ERR Invalid min-idle-time argument for XCLAIM")?.max(0);
    let mut j = 5;
    let mut ids = Vec::new();
    while j < argv.len() {
        match crate::db::stream::parse_id(&argv[j], 0, true, false) {
            Some(p) => ids.push((p.id, argv[j].clone())),
            None => break,
        }
        j += 1;
    }
    let now = ctx.now_ms() as i64;
    let (mut force, mut justid) = (false, false);
    let mut deliverytime: i64 = -1;
    let mut retrycount: i64 = -1;
    let mut last_id = StreamId::MIN;
    while j < argv.len() {
        let moreargs = argv.len() - 1 - j;
        let opt = &argv[j];
        if is(opt, "force") {
            force = true;
        } else if is(opt, "justid") {
            justid = true;
        } else if is(opt, "idle") && moreargs > 0 {
            j += 1;
            deliverytime = now.wrapping_sub(getll(
                &argv[j],
                "ERR Invalid IDLE option argument for XCLAIM",
            )?);
        } else if is(opt, "time") && moreargs > 0 {
            j += 1;
            deliverytime = getll(&argv[j], "ERR Invalid TIME option argument for XCLAIM")?;
        } else if is(opt, "retrycount") && moreargs > 0 {
            j += 1;
            retrycount = getll(
                &argv[j],
                "ERR Invalid RETRYCOUNT option argument for XCLAIM",
            )?;
        } else if is(opt, "lastid") && moreargs > 0 {
            j += 1;
            last_id = strict_id_arg(&argv[j], 0)?;
        } else {
            return Err(Reply::error_bytes(
                [
                    b"ERR Unrecognized XCLAIM option '".as_slice(),
                    c_str(opt),
                    b"'",
                ]
                .concat(),
            ));
        }
        j += 1;
    }
    ctx.prevent_propagation();
    let db = ctx.session.db;
    let (key, group, name) = (&argv[1], &argv[2], &argv[3]);
    let mut propagate_last_id = false;
    {
        let g = stream_in(ctx, db, key)
            .and_then(|s| s.groups.get_mut(group))
            .expect("group");
        if last_id > g.last_id {
            g.last_id = last_id;
            propagate_last_id = true;
        }
    }
    if deliverytime == -1 || deliverytime < 0 || deliverytime > now {
        deliverytime = now;
    }
    let mut out = Vec::new();
    let mut consumer_ready = false;
    for (id, id_arg) in ids {
        let s = stream_in(ctx, db, key).expect("stream");
        let exists = s.get(id);
        let g = s.groups.get_mut(group).expect("group");
        let Some(fields) = exists else {
            if let Some(nack) = g.pel.get(&id) {
                let p = xclaim_argv(key, group, id_arg, nack, g.last_id);
                g.ack(id);
                propagate_last_id = false;
                ctx.also_propagate(p);
                ctx.add_dirty(1);
            }
            continue;
        };
        let forced = force && !g.pel.contains_key(&id);
        if !forced {
            let Some(nack) = g.pel.get(&id) else {
                continue;
            };
            if minidle != 0 && now.wrapping_sub(nack.delivery_time) < minidle {
                continue;
            }
        }
        if !consumer_ready {
            lookup_or_create_consumer(ctx, key, group, name);
            consumer_ready = true;
        }
        let g = stream_in(ctx, db, key)
            .and_then(|s| s.groups.get_mut(group))
            .expect("group");
        // A NACK FORCE creates starts at one delivery (streamCreateNACK).
        let count = g.pel.get(&id).map_or(1, |n| n.delivery_count);
        let retry = if retrycount >= 0 {
            Some(retrycount as u64)
        } else if !justid {
            Some(count + 1)
        } else {
            Some(count)
        };
        claim_one(g, id, name, deliverytime, retry);
        out.push(if justid {
            id_reply(id)
        } else {
            entry_reply((id, fields))
        });
        let p = xclaim_argv(key, group, id_arg, &g.pel[&id], g.last_id);
        propagate_last_id = false;
        ctx.also_propagate(p);
        ctx.add_dirty(1);
    }
    if propagate_last_id {
        let g = stream_in(ctx, db, key)
            .and_then(|s| s.groups.get(group))
            .expect("group");
        let p = setid_argv(key, group, g.last_id, g.entries_read);
        ctx.also_propagate(p);
        ctx.add_dirty(1);
    }
    Ok(Reply::Array(out))
}

fn xautoclaim_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    const ATTEMPTS_FACTOR: i64 = 10;
    let minidle = getll(
        &argv[4],
        "ERR Invalid min-idle-time argument for XAUTOCLAIM",
    )?
    .max(0);
    let (mut start, ex) = interval_id_arg(&argv[5], 0)?;
    if ex {
        start = start
            .incr()
            .ok_or(Reply::err("ERR invalid start ID for the interval"))?;
    }
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argv.len() {
        let moreargs = argv.len() - 1 - j;
        if is(&argv[j], "count") && moreargs > 0 {
            let max_count = i64::MAX / 16;
            count = match crate::util::int::string2ll(&argv[j + 1]) {
                Some(v) if (1..=max_count).contains(&v) => v,
                _ => return Err(Reply::err("ERR COUNT must be > 0")),
            };
            j += 1;
        } else if is(&argv[j], "justid") {
            justid = true;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    claim_group(ctx, argv)?;
    ctx.prevent_propagation();
    let db = ctx.session.db;
    let (key, group, name) = (&argv[1], &argv[2], &argv[3]);
    let now = ctx.now_ms() as i64;
    let mut attempts = count.saturating_mul(ATTEMPTS_FACTOR);
    let pel: Vec<StreamId> = stream_in(ctx, db, key)
        .and_then(|s| s.groups.get(group))
        .map(|g| g.pel.range(start..).map(|(id, _)| *id).collect())
        .unwrap_or_default();
    let mut i = 0;
    let mut out = Vec::new();
    let mut deleted = Vec::new();
    let mut consumer_ready = false;
    while attempts > 0 && count > 0 && i < pel.len() {
        attempts -= 1;
        let id = pel[i];
        i += 1;
        let s = stream_in(ctx, db, key).expect("stream");
        let exists = s.get(id);
        let g = s.groups.get_mut(group).expect("group");
        let Some(fields) = exists else {
            let p = xclaim_argv(key, group, id.to_bytes(), &g.pel[&id], g.last_id);
            g.ack(id);
            ctx.also_propagate(p);
            ctx.add_dirty(1);
            deleted.push(id_reply(id));
            count -= 1;
            continue;
        };
        if minidle != 0 && now.wrapping_sub(g.pel[&id].delivery_time) < minidle {
            continue;
        }
        if !consumer_ready {
            lookup_or_create_consumer(ctx, key, group, name);
            consumer_ready = true;
        }
        let g = stream_in(ctx, db, key)
            .and_then(|s| s.groups.get_mut(group))
            .expect("group");
        let c = g.pel[&id].delivery_count;
        claim_one(g, id, name, now, Some(if justid { c } else { c + 1 }));
        out.push(if justid {
            id_reply(id)
        } else {
            entry_reply((id, fields))
        });
        count -= 1;
        let p = xclaim_argv(key, group, id.to_bytes(), &g.pel[&id], g.last_id);
        ctx.also_propagate(p);
        ctx.add_dirty(1);
    }
    let cursor = pel.get(i).copied().unwrap_or(StreamId::MIN);
    Ok(Reply::Array(vec![
        id_reply(cursor),
        Reply::Array(out),
        Reply::Array(deleted),
    ]))
}

#[rustfmt::skip]
pub const XGROUP_SUBCOMMANDS: &[Command] = &[
    cmd("xgroup|create", -5, WRITE | DENYOOM, Group::Stream, xgroup_cmd).keys(&[key(2, RW | INSERT)])
        .doc("5.0.0", "Create a consumer group.", "O(1)")
        .history(&[("7.0.0", "Added the `entries_read` named argument.")]),
    cmd("xgroup|createconsumer", 5, WRITE | DENYOOM, Group::Stream, xgroup_cmd).keys(&[key(2, RW | INSERT)])
        .doc("6.2.0", "Create a consumer in a consumer group.", "O(1)"),
    cmd("xgroup|delconsumer", 5, WRITE, Group::Stream, xgroup_cmd).keys(&[key(2, RW | DELETE)])
        .doc("5.0.0", "Delete a consumer from a consumer group.", "O(1)"),
    cmd("xgroup|destroy", 4, WRITE, Group::Stream, xgroup_cmd).keys(&[key(2, RW | DELETE)])
        .doc("5.0.0", "Destroy a consumer group.", "O(N) where N is the number of entries in the group's pending entries list (PEL)."),
    cmd("xgroup|help", 2, LOADING | STALE, Group::Stream, xgroup_cmd)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("xgroup|setid", -5, WRITE, Group::Stream, xgroup_cmd).keys(&[key(2, RW | UPDATE)])
        .doc("5.0.0", "Set a consumer group to an arbitrary last delivered ID value.", "O(1)")
        .history(&[("7.0.0", "Added the optional `entries_read` argument.")]),
];

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("xack", -4, WRITE | FAST, Group::Stream, xack_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("5.0.0", "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", "O(1) for each message ID processed."),
    cmd("xautoclaim", -6, WRITE | FAST, Group::Stream, xautoclaim_cmd).keys(&[key(1, RW | DELETE)]).tips(&["nondeterministic_output"])
        .doc("6.2.0", "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", "O(1) if COUNT is small.")
        .history(&[("7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL")]),
    cmd("xclaim", -6, WRITE | FAST, Group::Stream, xclaim_cmd).keys(&[key(1, RW | UPDATE)]).tips(&["nondeterministic_output"])
        .doc("5.0.0", "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", "O(log N) with N being the number of messages in the PEL of the consumer group."),
    cmd("xgroup", -2, 0, Group::Stream, container).subcommands(XGROUP_SUBCOMMANDS)
        .doc("5.0.0", "A container for consumer groups commands", "Depends on subcommand."),
    cmd("xpending", -3, READONLY, Group::Stream, xpending_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("5.0.0", "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.")
        .history(&[("6.2.0", "Added the `IDLE` option and exclusive range intervals.")]),
];
