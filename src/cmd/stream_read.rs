//! XREAD and XREADGROUP (t_stream.c's xreadCommand, one function for both as in Redis),
//! and the serving of clients blocked on them (blocked.c's serveClientsBlockedOnStreamKey
//! and unblockDeletedStreamReadgroupClients).

use super::args::{arg_i64, is, ERR_SYNTAX};
use super::notify::STREAM;
use super::stream_common::*;
use super::table::*;
use super::{BlockSpec, Ctx, StreamBlock};
use crate::db::stream::{Consumer, StreamId};
use crate::db::Value;
use crate::resp::Reply;
use bytes::Bytes;

/// XREAD_BLOCKED_DEFAULT_COUNT: a blocked read without COUNT gets at most this many.
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// The consumer `name` of `group` at `key`: looked up (its seen time refreshed) or
/// created (dirty, notified, and with NOACK propagated as XGROUP CREATECONSUMER).
fn touch_consumer(
    ctx: &mut Ctx<'_>,
    db: usize,
    key: &Bytes,
    group: &Bytes,
    name: &Bytes,
    noack: bool,
) {
    let now = ctx.now_ms() as i64;
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
    super::notify::notify_db(ctx, STREAM, "xgroup-createconsumer", key, db);
    if noack {
        ctx.also_propagate(createconsumer_argv(key, group, name));
    }
}

/// The reply for one stream: `[key, entries]` in RESP2, a map entry in RESP3.
fn wrap(ctx: &Ctx<'_>, items: Vec<(Bytes, Vec<Reply>)>) -> Reply {
    if ctx.session.resp == 2 {
        Reply::Array(
            items
                .into_iter()
                .map(|(k, e)| Reply::Array(vec![Reply::Bulk(k), Reply::Array(e)]))
                .collect(),
        )
    } else {
        Reply::Map(
            items
                .into_iter()
                .map(|(k, e)| (Reply::Bulk(k), Reply::Array(e)))
                .collect(),
        )
    }
}

fn xread_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], xreadgroup: bool) -> CmdResult {
    // The command is propagated through what it does (XCLAIM...), never as itself.
    ctx.prevent_propagation();
    let now = ctx.now_ms();
    let mut timeout: Option<u64> = None;
    let mut count: usize = 0;
    let mut streams_arg = 0;
    let mut noack = false;
    let mut group: Option<(Bytes, Bytes)> = None;
    let mut i = 1;
    while i < argv.len() {
        let moreargs = argv.len() - i - 1;
        let o = &argv[i];
        if is(o, "block") && moreargs > 0 {
            if ctx.session.in_script {
                return Err(Reply::Error(Bytes::from(format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    String::from_utf8_lossy(&argv[0])
                ))));
            }
            i += 1;
            let t = string_i64(&argv[i], "ERR timeout is not an integer or out of range")?;
            if t < 0 {
                return Err(Reply::err("ERR timeout is negative"));
            }
            timeout = Some(if t > 0 {
                now.saturating_add(t as u64)
            } else {
                0
            });
        } else if is(o, "count") && moreargs > 0 {
            i += 1;
            count = arg_i64(&argv[i])?.max(0) as usize;
        } else if is(o, "streams") && moreargs > 0 {
            streams_arg = i + 1;
            if !(argv.len() - streams_arg).is_multiple_of(2) {
                return Err(Reply::err(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            break;
        } else if is(o, "group") && moreargs >= 2 {
            if !xreadgroup {
                return Err(Reply::err(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            group = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 2;
        } else if is(o, "noack") {
            if !xreadgroup {
                return Err(Reply::err(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            noack = true;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    if streams_arg == 0 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    if xreadgroup && group.is_none() {
        return Err(Reply::err("ERR Missing GROUP option for XREADGROUP"));
    }
    let n = (argv.len() - streams_arg) / 2;
    let keys = &argv[streams_arg..streams_arg + n];
    let db = ctx.session.db;
    // IDs: MAX stands for `>`, as in Redis.
    let mut ids = Vec::with_capacity(n);
    for (k, arg) in keys.iter().zip(&argv[streams_arg + n..]) {
        let s = stream_ref(ctx, k)?;
        if let Some((g, _)) = &group {
            if s.is_none_or(|s| !s.groups.contains_key(g)) {
                return Err(Reply::Error(Bytes::from(
                    [
                        b"NOGROUP No such key '".as_slice(),
                        k,
                        b"' or consumer group '",
                        g,
                        b"' in XREADGROUP with GROUP option",
                    ]
                    .concat(),
                )));
            }
        }
        if arg.as_ref() == b"$" {
            if xreadgroup {
                return Err(Reply::err(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                ));
            }
            ids.push(s.map_or(StreamId::MIN, |s| s.last_id));
            continue;
        }
        if arg.as_ref() == b">" {
            if !xreadgroup {
                return Err(Reply::err(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                ));
            }
            ids.push(StreamId::MAX);
            continue;
        }
        ids.push(strict_id_arg(arg, 0)?);
    }
    let mut served: Vec<(Bytes, Vec<Reply>)> = Vec::new();
    for (idx, k) in keys.iter().enumerate() {
        let Some(s) = stream_ref(ctx, k)? else {
            continue;
        };
        let mut gt = ids[idx];
        let mut history = false;
        let serve = match &group {
            Some((g, _)) => {
                if gt != StreamId::MAX {
                    history = true;
                    true
                } else if s.length > 0 {
                    let last = s.groups.get(g).map_or(StreamId::MAX, |g| g.last_id);
                    if s.last_valid_id() > last {
                        gt = last;
                        true
                    } else {
                        false
                    }
                } else {
                    false
                }
            }
            None => s.length > 0 && s.last_valid_id() > gt,
        };
        if !serve {
            continue;
        }
        // Inclusive from the successor (which wraps to 0-0 past the last ID, as in C).
        let start = gt.incr().unwrap_or(StreamId::MIN);
        let entries = match &group {
            Some((g, c)) => {
                touch_consumer(ctx, db, k, g, c, noack);
                let gr = GroupRead {
                    group: g,
                    consumer: c,
                    noack,
                };
                let out = if history {
                    read_history(ctx, db, k, start, count, &gr)
                } else {
                    read_range(ctx, db, k, start, count, Some(&gr))
                };
                ctx.add_dirty(1);
                out
            }
            None => read_range(ctx, db, k, start, count, None),
        };
        served.push((k.clone(), entries));
    }
    if !served.is_empty() {
        return Ok(wrap(ctx, served));
    }
    if let Some(deadline_ms) = timeout {
        if ctx.session.in_exec || ctx.session.in_script {
            return Ok(Reply::NullArray);
        }
        ctx.keyspace.block(ctx.session.id, db, keys);
        ctx.session.blocked = Some(BlockSpec {
            db,
            keys: keys.to_vec(),
            deadline_ms,
            argv: argv.to_vec(),
            stream: Some(StreamBlock {
                ids,
                count: if count > 0 {
                    count
                } else {
                    BLOCKED_DEFAULT_COUNT
                },
                group: group.map(|(g, c)| (g, c, noack)),
            }),
        });
        return Ok(Reply::NullArray);
    }
    Ok(Reply::NullArray)
}

/// getLongLongFromObjectOrReply with a custom message.
fn string_i64(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    crate::util::int::string2ll(arg).ok_or(Reply::err(msg))
}

fn xread_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    xread_generic(ctx, argv, false)
}

fn xreadgroup_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    xread_generic(ctx, argv, true)
}

/// Serves a client blocked in XREAD/XREADGROUP on `key`, which was signalled: the reply
/// that unblocks it, or None to leave it blocked.
pub fn serve(ctx: &mut Ctx<'_>, spec: &BlockSpec, sb: &StreamBlock, key: &Bytes) -> Option<Reply> {
    let db = spec.db;
    let idx = spec.keys.iter().position(|k| k == key)?;
    let is_stream = matches!(ctx.keyspace.db(db).dict.get(key), Some(Value::Stream(_)));
    if !is_stream {
        // A deleted or replaced stream fails the group readers and leaves the others.
        return sb
            .group
            .as_ref()
            .map(|_| Reply::err("UNBLOCKED the stream key no longer exists"));
    }
    if !ctx.keyspace.stream_signalled(db, key) {
        return None;
    }
    let s = stream_in(ctx, db, key)?;
    let mut gt = sb.ids[idx];
    if let Some((g, _, _)) = &sb.group {
        match s.groups.get(g) {
            None => {
                return Some(unblock_error(
                    ctx,
                    "NOGROUP the consumer group this client was blocked on no longer exists",
                ))
            }
            Some(g) => gt = g.last_id,
        }
    }
    if s.last_id <= gt {
        return None;
    }
    let start = gt.incr().unwrap_or(StreamId::MIN);
    let entries = match &sb.group {
        Some((g, c, noack)) => {
            touch_consumer(ctx, db, key, g, c, *noack);
            let gr = GroupRead {
                group: g,
                consumer: c,
                noack: *noack,
            };
            read_range(ctx, db, key, start, sb.count, Some(&gr))
        }
        None => read_range(ctx, db, key, start, sb.count, None),
    };
    Some(wrap(ctx, vec![(key.clone(), entries)]))
}

/// An error that unblocks a client, counted in the error stats as addReplyError does.
fn unblock_error(ctx: &mut Ctx<'_>, text: &'static str) -> Reply {
    ctx.server.command_stats.record_error(text.as_bytes());
    Reply::err(text)
}

const XREAD_KEYS: KeySpec = KeySpec {
    begin: BeginSearch::Keyword {
        keyword: "STREAMS",
        startfrom: 1,
    },
    find: FindKeys::Range {
        lastkey: -1,
        step: 1,
        limit: 2,
    },
    flags: RO | ACCESS,
    notes: "",
};

const XREADGROUP_KEYS: KeySpec = KeySpec {
    begin: BeginSearch::Keyword {
        keyword: "STREAMS",
        startfrom: 4,
    },
    ..XREAD_KEYS
};

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("xread", -4, BLOCKING | READONLY, Group::Stream, xread_cmd).keys(&[XREAD_KEYS])
        .doc("5.0.0", "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data."),
    cmd("xreadgroup", -7, BLOCKING | WRITE, Group::Stream, xreadgroup_cmd).keys(&[XREADGROUP_KEYS])
        .doc("5.0.0", "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data."),
];
