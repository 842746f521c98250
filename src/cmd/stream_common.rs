//! What the stream families share (a ground floor, like `pop.rs`): ID arguments with
//! Redis's error texts, entry replies, typed lookups, node limits from the config, and
//! the read core of XREAD/XREADGROUP (streamReplyWithRange) that blocked clients are
//! served with too.

use super::args::wrongtype;
use super::Ctx;
use crate::db::stream::{parse_id, NodeLimits, ParsedId, Stream, StreamEntry, StreamId};
use crate::resp::Reply;
use bytes::Bytes;

pub const ERR_INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// streamParseIDOrReply (`-` and `+` allowed).
pub fn id_arg(arg: &[u8], missing_seq: u64) -> Result<StreamId, Reply> {
    parse_id(arg, missing_seq, false, false)
        .map(|p| p.id)
        .ok_or(Reply::err(ERR_INVALID_ID))
}

/// streamParseStrictIDOrReply without the `<ms>-*` form.
pub fn strict_id_arg(arg: &[u8], missing_seq: u64) -> Result<StreamId, Reply> {
    parse_id(arg, missing_seq, true, false)
        .map(|p| p.id)
        .ok_or(Reply::err(ERR_INVALID_ID))
}

/// streamParseStrictIDOrReply with `seq_given` (XADD's ID).
pub fn xadd_id_arg(arg: &[u8]) -> Result<ParsedId, Reply> {
    parse_id(arg, 0, true, true).ok_or(Reply::err(ERR_INVALID_ID))
}

/// streamParseIntervalIDOrReply: a `(` prefix (on more than one character) excludes.
pub fn interval_id_arg(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Reply> {
    if arg.len() > 1 && arg[0] == b'(' {
        Ok((strict_id_arg(&arg[1..], missing_seq)?, true))
    } else {
        Ok((id_arg(arg, missing_seq)?, false))
    }
}

pub fn node_limits(ctx: &Ctx<'_>) -> NodeLimits {
    NodeLimits {
        max_bytes: ctx.server.config.stream_node_max_bytes,
        max_entries: ctx.server.config.stream_node_max_entries,
    }
}

/// One entry as replies show it: `[id, [field, value, ...]]`.
pub fn entry_reply((id, fields): StreamEntry) -> Reply {
    let mut flat = Vec::with_capacity(fields.len() * 2);
    for (f, v) in fields {
        flat.push(Reply::Bulk(f));
        flat.push(Reply::Bulk(v));
    }
    Reply::Array(vec![Reply::Bulk(id.to_bytes()), Reply::Array(flat)])
}

pub fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// The stream at `key` for reading (hit/miss counted).
pub fn stream_ref<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Result<Option<&'a Stream>, Reply> {
    let now = ctx.now_ms();
    ctx.keyspace
        .read_as(ctx.session.db, key, now)
        .map_err(|_| wrongtype())
}

/// The stream at `key` for writing.
pub fn stream_mut<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Result<Option<&'a mut Stream>, Reply> {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    ctx.keyspace.write_as(db, key, now).map_err(|_| wrongtype())
}

/// The stream at `key` in `db` without counting or expiring (serving blocked clients
/// after the key was looked up).
pub fn stream_in<'a>(ctx: &'a mut Ctx<'_>, db: usize, key: &[u8]) -> Option<&'a mut Stream> {
    match ctx.keyspace.peek_mut(db, key) {
        Some(crate::db::Value::Stream(s)) => Some(s),
        _ => None,
    }
}

/// What a consumer-group read needs to know besides the range.
pub struct GroupRead<'a> {
    pub group: &'a Bytes,
    pub consumer: &'a Bytes,
    pub noack: bool,
}

/// streamReplyWithRange for XREAD/XREADGROUP from `start` on (no end, forward): the
/// entries, with the group's last ID, read counter and PELs updated and the XCLAIM /
/// XGROUP SETID propagation Redis emits. `key` names the stream for propagation.
pub fn read_range(
    ctx: &mut Ctx<'_>,
    db: usize,
    key: &Bytes,
    start: StreamId,
    count: usize,
    group: Option<&GroupRead<'_>>,
) -> Vec<Reply> {
    let now = ctx.now_ms() as i64;
    let Some(s) = stream_in(ctx, db, key) else {
        return Vec::new();
    };
    let entries = s.range(start, StreamId::MAX, false, count);
    let Some(gr) = group else {
        return entries.into_iter().map(entry_reply).collect();
    };
    let mut props: Vec<Vec<Bytes>> = Vec::new();
    let mut propagate_last_id = false;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let id = entry.0;
        let has_tombstones_after = s.range_has_tombstones(Some(id), None);
        let estimate = s.estimate_distance(id);
        let entries_added = s.entries_added;
        let Some(g) = s.groups.get_mut(gr.group) else {
            break;
        };
        if id > g.last_id {
            if g.entries_read != crate::db::stream::group::INVALID_ENTRIES_READ
                && !has_tombstones_after
            {
                g.entries_read += 1;
            } else if entries_added != 0 {
                g.entries_read = estimate.map_or(-1, |n| n as i64);
            }
            g.last_id = id;
            if gr.noack {
                propagate_last_id = true;
            }
        }
        if !gr.noack {
            g.deliver(id, gr.consumer, now);
            let nack = &g.pel[&id];
            props.push(xclaim_argv(key, gr.group, id.to_bytes(), nack, g.last_id));
        }
        out.push(entry_reply(entry));
    }
    let setid = if propagate_last_id {
        s.groups
            .get(gr.group)
            .map(|g| setid_argv(key, gr.group, g.last_id, g.entries_read))
    } else {
        None
    };
    for p in props {
        ctx.also_propagate(p);
    }
    if let Some(p) = setid {
        ctx.also_propagate(p);
    }
    out
}

/// streamPropagateXCLAIM (`id` as the argument that named it).
pub fn xclaim_argv(
    key: &Bytes,
    group: &Bytes,
    id: Bytes,
    nack: &crate::db::stream::Nack,
    last_id: StreamId,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XCLAIM"),
        key.clone(),
        group.clone(),
        nack.consumer.clone(),
        Bytes::from_static(b"0"),
        id,
        Bytes::from_static(b"TIME"),
        Bytes::from(nack.delivery_time.to_string()),
        Bytes::from_static(b"RETRYCOUNT"),
        Bytes::from(nack.delivery_count.to_string()),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        last_id.to_bytes(),
    ]
}

/// streamPropagateGroupID.
pub fn setid_argv(key: &Bytes, group: &Bytes, last_id: StreamId, entries_read: i64) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        key.clone(),
        group.clone(),
        last_id.to_bytes(),
        Bytes::from_static(b"ENTRIESREAD"),
        Bytes::from(entries_read.to_string()),
    ]
}

/// streamPropagateConsumerCreation.
pub fn createconsumer_argv(key: &Bytes, group: &Bytes, consumer: &Bytes) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"CREATECONSUMER"),
        key.clone(),
        group.clone(),
        consumer.clone(),
    ]
}

/// The history of a consumer (streamReplyWithRangeFromConsumerPEL): its pending IDs
/// from `start`, each with its entry or a null for one deleted since, and delivery
/// counters bumped for those found.
pub fn read_history(
    ctx: &mut Ctx<'_>,
    db: usize,
    key: &Bytes,
    start: StreamId,
    count: usize,
    gr: &GroupRead<'_>,
) -> Vec<Reply> {
    let now = ctx.now_ms() as i64;
    let Some(s) = stream_in(ctx, db, key) else {
        return Vec::new();
    };
    let ids: Vec<StreamId> = match s
        .groups
        .get(gr.group)
        .and_then(|g| g.consumers.get(gr.consumer))
    {
        Some(c) => c
            .pel
            .range(start..)
            .take(if count == 0 { usize::MAX } else { count })
            .copied()
            .collect(),
        None => return Vec::new(),
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        match s.get(id) {
            Some(fields) => {
                out.push(entry_reply((id, fields)));
                if let Some(n) = s.groups.get_mut(gr.group).and_then(|g| g.pel.get_mut(&id)) {
                    n.delivery_time = now;
                    n.delivery_count += 1;
                }
            }
            None => out.push(Reply::Array(vec![id_reply(id), Reply::NullArray])),
        }
    }
    out
}
