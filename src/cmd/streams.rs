//! Stream commands without consumer groups (t_stream.c): XADD, XRANGE, XREVRANGE, XLEN,
//! XDEL, XTRIM, XSETID. XREAD is in `stream_read.rs`, groups in `stream_groups.rs`,
//! XINFO in `stream_info.rs`.

use super::args::{arg_i64, is, ERR_SYNTAX};
use super::notify::{self, STREAM};
use super::stream_common::*;
use super::table::*;
use super::Ctx;
use crate::db::stream::{AppendError, ParsedId, Stream, StreamId, TrimArgs, TrimStrategy};
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use bytes::Bytes;

/// streamParseAddOrTrimArgsOrReply's result.
struct AddTrimArgs {
    trim: TrimArgs,
    /// Index of the MAXLEN/MINID value (for the `~` rewrite).
    trim_arg_idx: usize,
    id: Option<ParsedId>,
    no_mkstream: bool,
    /// XADD: index of the ID argument.
    id_pos: usize,
}

fn parse_add_trim(ctx: &Ctx<'_>, argv: &[Bytes], xadd: bool) -> Result<AddTrimArgs, Reply> {
    const BOTH: &str =
        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
    let mut a = AddTrimArgs {
        trim: TrimArgs {
            strategy: TrimStrategy::None,
            approx: false,
            limit: 0,
        },
        trim_arg_idx: 0,
        id: None,
        no_mkstream: false,
        id_pos: 0,
    };
    let mut limit_given = false;
    let mut i = 2;
    while i < argv.len() {
        let moreargs = argv.len() - 1 - i;
        let opt = &argv[i];
        if xadd && opt.as_ref() == b"*" {
            break;
        } else if (is(opt, "maxlen") || is(opt, "minid")) && moreargs > 0 {
            if a.trim.strategy != TrimStrategy::None {
                return Err(Reply::err(BOTH));
            }
            let maxlen = is(opt, "maxlen");
            a.trim.approx = false;
            let next = &argv[i + 1];
            if moreargs >= 2 && next.as_ref() == b"~" {
                a.trim.approx = true;
                i += 1;
            } else if moreargs >= 2 && next.as_ref() == b"=" {
                i += 1;
            }
            if maxlen {
                let n = arg_i64(&argv[i + 1])?;
                if n < 0 {
                    return Err(Reply::err("ERR The MAXLEN argument must be >= 0."));
                }
                a.trim.strategy = TrimStrategy::MaxLen(n as u64);
            } else {
                a.trim.strategy = TrimStrategy::MinId(strict_id_arg(&argv[i + 1], 0)?);
            }
            i += 1;
            a.trim_arg_idx = i;
        } else if is(opt, "limit") && moreargs > 0 {
            let n = arg_i64(&argv[i + 1])?;
            if n < 0 {
                return Err(Reply::err("ERR The LIMIT argument must be >= 0."));
            }
            a.trim.limit = n;
            limit_given = true;
            i += 1;
        } else if xadd && is(opt, "nomkstream") {
            a.no_mkstream = true;
        } else if xadd {
            a.id = Some(xadd_id_arg(opt)?);
            break;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    a.id_pos = i;
    if a.trim.limit != 0 && a.trim.strategy == TrimStrategy::None {
        return Err(Reply::err(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && a.trim.strategy == TrimStrategy::None {
        return Err(Reply::err(
            "ERR syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if limit_given {
        if !a.trim.approx {
            return Err(Reply::err(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if a.trim.approx {
        // At most 100 nodes' worth of work, capped both ways.
        let mut limit = 100i64.saturating_mul(ctx.server.config.stream_node_max_entries);
        if limit <= 0 {
            limit = 10000;
        }
        a.trim.limit = limit.min(1_000_000);
    } else {
        a.trim.limit = 0;
    }
    Ok(a)
}

/// streamRewriteApproxSpecifier + streamRewriteTrimArgument: `~ n` becomes `= <what the
/// stream holds now>` so a replica trims exactly as this server did.
fn rewrite_trim(argv: &mut [Bytes], s: &Stream, a: &AddTrimArgs) {
    argv[a.trim_arg_idx - 1] = Bytes::from_static(b"=");
    argv[a.trim_arg_idx] = match a.trim.strategy {
        TrimStrategy::MaxLen(_) => Bytes::from(s.length.to_string()),
        _ => s.edge_id(true, false).to_bytes(),
    };
}

fn xadd_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let a = parse_add_trim(ctx, argv, true)?;
    let field_pos = a.id_pos + 1;
    let nfields = argv.len().saturating_sub(field_pos);
    if nfields < 2 || nfields % 2 == 1 {
        return Err(Reply::err(
            "ERR wrong number of arguments for 'xadd' command",
        ));
    }
    if let Some(p) = a.id {
        if p.seq_given && p.id.is_zero() {
            return Err(Reply::err(
                "ERR The ID specified in XADD must be greater than 0-0",
            ));
        }
    }
    let key = &argv[1];
    let db = ctx.session.db;
    let now = ctx.now_ms();
    let limits = node_limits(ctx);
    if stream_mut(ctx, key)?.is_none() {
        if a.no_mkstream {
            return Ok(Reply::Null);
        }
        ctx.keyspace
            .set(db, key.clone(), Value::stream(Stream::new()), Ttl::Keep);
    }
    let s = stream_in(ctx, db, key).expect("stream just looked up");
    if s.last_id == StreamId::MAX {
        return Err(Reply::err(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let id =
        match s.append(&argv[field_pos..], a.id, now, limits) {
            Ok(id) => id,
            Err(AppendError::NotGreater) => return Err(Reply::err(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            )),
            Err(AppendError::TooLarge) => {
                return Err(Reply::err("ERR Elements are too large to be stored"))
            }
        };
    ctx.modified(key, 1);
    notify::notify(ctx, STREAM, "xadd", key);
    let mut rewritten: Option<Vec<Bytes>> = None;
    if a.trim.strategy != TrimStrategy::None {
        let s = stream_in(ctx, db, key).expect("stream");
        let trimmed = s.trim(a.trim);
        if a.trim.approx {
            let mut v = argv.to_vec();
            rewrite_trim(&mut v, s, &a);
            rewritten = Some(v);
        }
        if trimmed > 0 {
            notify::notify(ctx, STREAM, "xtrim", key);
        }
    }
    if !a.id.is_some_and(|p| p.seq_given) {
        let mut v = rewritten.unwrap_or_else(|| argv.to_vec());
        v[a.id_pos] = id.to_bytes();
        rewritten = Some(v);
    }
    if let Some(v) = rewritten {
        ctx.propagate_as(v);
    }
    ctx.keyspace.signal_stream(db, key);
    Ok(id_reply(id))
}

fn xrange_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], rev: bool) -> CmdResult {
    let (start_arg, end_arg) = if rev {
        (&argv[3], &argv[2])
    } else {
        (&argv[2], &argv[3])
    };
    let (mut start, start_ex) = interval_id_arg(start_arg, 0)?;
    if start_ex {
        start = start
            .incr()
            .ok_or(Reply::err("ERR invalid start ID for the interval"))?;
    }
    let (mut end, end_ex) = interval_id_arg(end_arg, u64::MAX)?;
    if end_ex {
        end = end
            .decr()
            .ok_or(Reply::err("ERR invalid end ID for the interval"))?;
    }
    let mut count: i64 = -1;
    let mut j = 4;
    while j < argv.len() {
        if is(&argv[j], "count") && j + 1 < argv.len() {
            count = arg_i64(&argv[j + 1])?.max(0);
            j += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    let Some(s) = stream_ref(ctx, &argv[1])? else {
        return Ok(Reply::Array(vec![]));
    };
    if count == 0 {
        return Ok(Reply::NullArray);
    }
    let count = if count < 0 { 0 } else { count as usize };
    let entries = s.range(start, end, rev, count);
    Ok(Reply::Array(entries.into_iter().map(entry_reply).collect()))
}

fn xrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    xrange_generic(ctx, argv, false)
}

fn xrevrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    xrange_generic(ctx, argv, true)
}

fn xlen_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let s = stream_ref(ctx, &argv[1])?;
    Ok(Reply::Integer(s.map_or(0, |s| s.length as i64)))
}

fn xdel_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    if stream_mut(ctx, key)?.is_none() {
        return Ok(Reply::Integer(0));
    }
    // Every ID is checked before any is deleted.
    let ids = argv[2..]
        .iter()
        .map(|a| strict_id_arg(a, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let db = ctx.session.db;
    let s = stream_in(ctx, db, key).expect("stream");
    let mut deleted = 0u64;
    let mut first_entry = false;
    for id in ids {
        if s.delete(id) {
            if id == s.first_id {
                first_entry = true;
            }
            if id > s.max_deleted_entry_id {
                s.max_deleted_entry_id = id;
            }
            deleted += 1;
        }
    }
    if deleted > 0 {
        if s.length == 0 {
            s.first_id = StreamId::MIN;
        } else if first_entry {
            s.first_id = s.edge_id(true, true);
        }
        ctx.modified(key, deleted);
        notify::notify(ctx, STREAM, "xdel", key);
    }
    Ok(Reply::Integer(deleted as i64))
}

fn xtrim_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let a = parse_add_trim(ctx, argv, false)?;
    let key = &argv[1];
    let Some(s) = stream_mut(ctx, key)? else {
        return Ok(Reply::Integer(0));
    };
    let deleted = s.trim(a.trim);
    if deleted > 0 {
        if a.trim.approx {
            let mut v = argv.to_vec();
            rewrite_trim(&mut v, s, &a);
            ctx.propagate_as(v);
        }
        notify::notify(ctx, STREAM, "xtrim", key);
        ctx.modified(key, deleted);
    }
    Ok(Reply::Integer(deleted as i64))
}

fn xsetid_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let id = strict_id_arg(&argv[2], 0)?;
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let moreargs = argv.len() - 1 - i;
        if is(&argv[i], "entriesadded") && moreargs > 0 {
            entries_added = arg_i64(&argv[i + 1])?;
            if entries_added < 0 {
                return Err(Reply::err("ERR entries_added must be positive"));
            }
            i += 2;
        } else if is(&argv[i], "maxdeletedid") && moreargs > 0 {
            max_xdel = strict_id_arg(&argv[i + 1], 0)?;
            if id < max_xdel {
                return Err(Reply::err(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
            i += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    let key = &argv[1];
    let Some(s) = stream_mut(ctx, key)? else {
        return Err(Reply::err("ERR no such key"));
    };
    if s.length > 0 {
        if id < s.last_valid_id() {
            return Err(Reply::err(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added != -1 && s.length > entries_added as u64 {
            return Err(Reply::err(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_entry_id = max_xdel;
    }
    ctx.add_dirty(1);
    notify::notify(ctx, STREAM, "xsetid", key);
    Ok(Reply::OK)
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("xadd", -5, WRITE | DENYOOM | FAST, Group::Stream, xadd_cmd).keys(&[key(1, RW | UPDATE).notes("UPDATE instead of INSERT because of the optional trimming feature")]).tips(&["nondeterministic_output"])
        .doc("5.0.0", "Appends a new entry to a stream", "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.")
        .history(&[("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."), ("7.0.0", "Added support for the `<ms>-*` explicit ID form.")]),
    cmd("xdel", -3, WRITE | FAST, Group::Stream, xdel_cmd).keys(&[key(1, RW | DELETE)])
        .doc("5.0.0", "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", "O(1) for each single item to delete in the stream, regardless of the stream size."),
    cmd("xlen", 2, READONLY | FAST, Group::Stream, xlen_cmd).keys(&[key(1, RO)])
        .doc("5.0.0", "Return the number of entries in a stream", "O(1)"),
    cmd("xrange", -4, READONLY, Group::Stream, xrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval", "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).")
        .history(&[("6.2.0", "Added exclusive ranges.")]),
    cmd("xrevrange", -4, READONLY, Group::Stream, xrevrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).")
        .history(&[("6.2.0", "Added exclusive ranges.")]),
    cmd("xsetid", -3, WRITE | DENYOOM | FAST, Group::Stream, xsetid_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("5.0.0", "An internal command for replicating stream values", "O(1)")
        .history(&[("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments.")]),
    cmd("xtrim", -4, WRITE, Group::Stream, xtrim_cmd).keys(&[key(1, RW | DELETE)]).tips(&["nondeterministic_output"])
        .doc("5.0.0", "Trims the stream to (approximately if '~' is passed) a certain size", "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.")
        .history(&[("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option.")]),
];
