//! Blocking pops (t_list.c, t_zset.c, blocked.c): BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP
//! BZPOPMIN BZPOPMAX BZMPOP.
//!
//! A blocking command first tries what its non-blocking twin would do. When every key
//! is missing (and it is not running inside EXEC, where it behaves as non-blocking), it
//! records a [`BlockSpec`] in the session and registers the client on its keys in the
//! keyspace; the loop then parks the client. When a write makes one of the keys ready,
//! the loop calls [`serve`] for the waiting clients in FIFO order; on timeout it replies
//! with a null array.

use super::args::ERR_SYNTAX;
use super::pop::{
    key_elements_reply, move_one, mpop, pairs_reply, parse_list_mpop, parse_zset_mpop, pop_argv,
    pop_from, propagate_mpop, zpop, zpop_argv, PopWhere, Push,
};
use super::table::*;
use super::{BlockSpec, Ctx};
use crate::db::list::End;
use crate::db::Value;
use crate::resp::Reply;
use crate::util::ldouble::LongDouble;
use bytes::Bytes;

/// getTimeoutFromObjectOrReply in seconds: the absolute deadline in ms, 0 for none.
/// Like Redis, the seconds are a long double, times 1000 truncated to a C `long long`
/// (out of range turns into LLONG_MIN on x86: "timeout is negative").
pub fn parse_timeout(arg: &[u8], now_ms: u64) -> Result<u64, Reply> {
    let Some(v) = LongDouble::parse(arg) else {
        return Err(Reply::err("ERR timeout is not a float or out of range"));
    };
    let secs: f64 = v.to_redis_string().parse().unwrap_or(f64::NAN);
    let ms = secs * 1000.0;
    let tval: i64 = if ms.is_finite() && ms > -9.2e18 && ms < 9.2e18 {
        ms.trunc() as i64
    } else {
        i64::MIN
    };
    if tval < 0 {
        return Err(Reply::err("ERR timeout is negative"));
    }
    if tval == 0 {
        return Ok(0);
    }
    Ok(now_ms.saturating_add(tval as u64))
}

/// Parks the caller on `keys` unless it runs inside EXEC, where the reply is a null.
fn block(ctx: &mut Ctx<'_>, argv: &[Bytes], keys: &[Bytes], deadline_ms: u64) -> CmdResult {
    if ctx.session.in_exec {
        return Ok(Reply::NullArray);
    }
    let db = ctx.session.db;
    ctx.keyspace.block(ctx.session.id, db, keys);
    ctx.session.blocked = Some(BlockSpec {
        db,
        keys: keys.to_vec(),
        deadline_ms,
        argv: argv.to_vec(),
        stream: None,
    });
    // Not sent: the loop sees `blocked` and replies later.
    Ok(Reply::NullArray)
}

fn bpop(ctx: &mut Ctx<'_>, argv: &[Bytes], end: End) -> CmdResult {
    let now = ctx.now_ms();
    let deadline = parse_timeout(&argv[argv.len() - 1], now)?;
    // (The planted bug `timeout-early` gives up halfway through the timeout.)
    let deadline = if cfg!(feature = "planted-bug-timeout-early") && deadline > now {
        now + (deadline - now) / 2
    } else {
        deadline
    };
    let keys = &argv[1..argv.len() - 1];
    match mpop(ctx.keyspace, ctx.session.db, keys, now, end, 1)? {
        Some((k, mut v)) if !v.is_empty() => {
            // Replicated as the non-blocking pop.
            ctx.add_dirty(1);
            ctx.propagate_as(pop_argv(end, &k, None));
            Ok(Reply::Array(vec![
                Reply::Bulk(k),
                Reply::Bulk(v.swap_remove(0)),
            ]))
        }
        _ => block(ctx, argv, keys, deadline),
    }
}

fn blpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bpop(ctx, argv, End::Head)
}

fn brpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bpop(ctx, argv, End::Tail)
}

fn bmove(ctx: &mut Ctx<'_>, argv: &[Bytes], from: End, to: End, timeout: &[u8]) -> CmdResult {
    let now = ctx.now_ms();
    let deadline = parse_timeout(timeout, now)?;
    let to = Push {
        end: to,
        only_existing: false,
        fill: ctx.server.config.list_max_listpack_size,
    };
    match move_one(
        ctx.keyspace,
        ctx.session.db,
        &argv[1],
        &argv[2],
        now,
        from,
        to,
    )? {
        Some(v) => {
            ctx.add_dirty(1);
            ctx.propagate_as(move_argv(argv));
            Ok(Reply::Bulk(v))
        }
        None if ctx.session.in_exec => Ok(Reply::Null),
        None => block(ctx, argv, &argv[1..2], deadline),
    }
}

/// BRPOPLPUSH and BLMOVE are propagated as RPOPLPUSH and LMOVE (without the timeout).
fn move_argv(argv: &[Bytes]) -> Vec<Bytes> {
    if argv[0].eq_ignore_ascii_case(b"brpoplpush") {
        vec![
            Bytes::from_static(b"RPOPLPUSH"),
            argv[1].clone(),
            argv[2].clone(),
        ]
    } else {
        let mut out = vec![Bytes::from_static(b"LMOVE")];
        out.extend(argv[1..5].iter().cloned());
        out
    }
}

fn brpoplpush_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bmove(ctx, argv, End::Tail, End::Head, &argv[3])
}

fn blmove_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (Some(from), Some(to)) = (End::parse(&argv[3]), End::parse(&argv[4])) else {
        return Err(Reply::err(ERR_SYNTAX));
    };
    bmove(ctx, argv, from, to, &argv[5])
}

fn blmpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let deadline = parse_timeout(&argv[1], now)?;
    let (keys, end, count) = parse_list_mpop(argv, 2)?;
    match mpop(ctx.keyspace, ctx.session.db, keys, now, end, count)? {
        Some((k, v)) => {
            propagate_mpop(ctx, end, &k, v.len());
            Ok(key_elements_reply(k, v))
        }
        None => block(ctx, argv, keys, deadline),
    }
}

fn bzpop(ctx: &mut Ctx<'_>, argv: &[Bytes], where_: PopWhere) -> CmdResult {
    let now = ctx.now_ms();
    let deadline = parse_timeout(&argv[argv.len() - 1], now)?;
    let keys = &argv[1..argv.len() - 1];
    let db = ctx.session.db;
    for k in keys {
        match zpop(ctx.keyspace, db, k, now, where_, 1)? {
            Some(items) if !items.is_empty() => {
                ctx.add_dirty(items.len() as u64);
                ctx.propagate_as(zpop_argv(where_, k, None));
                return Ok(bzpop_reply(k, items));
            }
            _ => {}
        }
    }
    block(ctx, argv, keys, deadline)
}

fn bzpop_reply(key: &Bytes, items: Vec<(Bytes, f64)>) -> Reply {
    let mut out = vec![Reply::Bulk(key.clone())];
    out.extend(pairs_reply(items, false));
    Reply::Array(out)
}

fn bzmpop_reply(key: &Bytes, items: Vec<(Bytes, f64)>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(key.clone()),
        Reply::Array(pairs_reply(items, true)),
    ])
}

fn bzpopmin_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, PopWhere::Min)
}

fn bzpopmax_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, PopWhere::Max)
}

fn bzmpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let deadline = parse_timeout(&argv[1], now)?;
    let (keys, where_, count) = parse_zset_mpop(argv, 2)?;
    let db = ctx.session.db;
    for k in keys {
        match zpop(ctx.keyspace, db, k, now, where_, count)? {
            Some(items) if !items.is_empty() => {
                ctx.add_dirty(items.len() as u64);
                ctx.propagate_as(zpop_argv(where_, k, Some(items.len())));
                return Ok(bzmpop_reply(k, items));
            }
            _ => {}
        }
    }
    block(ctx, argv, keys, deadline)
}

/// Serves a blocked client from `key`, which was signalled ready: the reply, or None
/// when the key holds nothing for it (missing, emptied by an earlier client, another
/// type), in which case the client stays blocked.
pub fn serve(ctx: &mut Ctx<'_>, spec: &BlockSpec, key: &Bytes) -> Option<Reply> {
    let reply = serve_and_propagate(ctx, spec, key);
    // The pops' keyspace events, before anything else runs.
    super::notify::publish_pending(ctx);
    // Each served client is a unit of its own (blocked.c's afterCommand per client).
    ctx.propagate_pending(true);
    reply
}

/// What [`serve`] does, each pop also propagated as its non-blocking form
/// (serveClientBlockedOnList, serveClientsBlockedOnSortedSetKey).
fn serve_and_propagate(ctx: &mut Ctx<'_>, spec: &BlockSpec, key: &Bytes) -> Option<Reply> {
    if let Some(sb) = &spec.stream {
        return super::stream_read::serve(ctx, spec, sb, key);
    }
    let now = ctx.now_ms();
    let db = spec.db;
    let argv = &spec.argv;
    let name = argv.first()?.to_ascii_lowercase();
    let is_list =
        matches!(ctx.keyspace.db(db).dict.get(key), Some(Value::List(l)) if !l.is_empty());
    let is_zset = matches!(ctx.keyspace.db(db).dict.get(key), Some(Value::ZSet(_)));
    match name.as_slice() {
        b"blpop" | b"brpop" if is_list => {
            let end = if name == b"blpop" {
                End::Head
            } else {
                End::Tail
            };
            let mut v = pop_from(ctx.keyspace, db, key, now, end, 1).ok()??;
            if !v.is_empty() {
                ctx.also_propagate(pop_argv(end, key, None));
            }
            (!v.is_empty()).then(|| {
                Reply::Array(vec![
                    Reply::Bulk(key.clone()),
                    Reply::Bulk(v.swap_remove(0)),
                ])
            })
        }
        b"brpoplpush" | b"blmove" if is_list => {
            let (from, to) = if name == b"brpoplpush" {
                (End::Tail, End::Head)
            } else {
                (End::parse(argv.get(3)?)?, End::parse(argv.get(4)?)?)
            };
            let to = Push {
                end: to,
                only_existing: false,
                fill: ctx.server.config.list_max_listpack_size,
            };
            match move_one(ctx.keyspace, db, key, argv.get(2)?, now, from, to) {
                Ok(Some(v)) => {
                    let side = |e: End| {
                        Bytes::from_static(if e == End::Head { b"left" } else { b"right" })
                    };
                    let prop = if name == b"brpoplpush" {
                        vec![
                            Bytes::from_static(b"RPOPLPUSH"),
                            key.clone(),
                            argv[2].clone(),
                        ]
                    } else {
                        vec![
                            Bytes::from_static(b"LMOVE"),
                            key.clone(),
                            argv[2].clone(),
                            side(from),
                            side(to.end),
                        ]
                    };
                    ctx.also_propagate(prop);
                    Some(Reply::Bulk(v))
                }
                Ok(None) => None,
                Err(e) => Some(e),
            }
        }
        b"blmpop" if is_list => {
            let (_, end, count) = parse_list_mpop(argv, 2).ok()?;
            let v = pop_from(ctx.keyspace, db, key, now, end, count).ok()??;
            if !v.is_empty() {
                ctx.add_dirty(v.len() as u64);
                ctx.also_propagate(pop_argv(end, key, Some(v.len())));
            }
            (!v.is_empty()).then(|| key_elements_reply(key.clone(), v))
        }
        b"bzpopmin" | b"bzpopmax" if is_zset => {
            let where_ = if name == b"bzpopmin" {
                PopWhere::Min
            } else {
                PopWhere::Max
            };
            let items = zpop(ctx.keyspace, db, key, now, where_, 1).ok()??;
            if !items.is_empty() {
                ctx.add_dirty(items.len() as u64);
                ctx.also_propagate(zpop_argv(where_, key, None));
            }
            (!items.is_empty()).then(|| bzpop_reply(key, items))
        }
        b"bzmpop" if is_zset => {
            let (_, where_, count) = parse_zset_mpop(argv, 2).ok()?;
            let items = zpop(ctx.keyspace, db, key, now, where_, count).ok()??;
            if !items.is_empty() {
                ctx.add_dirty(items.len() as u64);
                ctx.also_propagate(zpop_argv(where_, key, Some(items.len())));
            }
            (!items.is_empty()).then(|| bzmpop_reply(key, items))
        }
        _ => None,
    }
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("blmove", 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING, Group::List, blmove_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, RW | INSERT)])
        .doc("6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", "O(1)"),
    cmd("blmpop", -5, WRITE | BLOCKING, Group::List, blmpop_cmd).keys(&[keynum(2, RW | ACCESS | DELETE)]).getkeys(GetKeys::NumKeys { store: 0, count: 2, first: 3, step: 1 })
        .doc("7.0.0", "Pop elements from a list, or block until one is available", "O(N+M) where N is the number of provided keys and M is the number of elements returned."),
    cmd("blpop", -3, WRITE | NOSCRIPT | BLOCKING, Group::List, blpop_cmd).keys(&[range(1, -2, 1, RW | ACCESS | DELETE)])
        .doc("2.0.0", "Remove and get the first element in a list, or block until one is available", "O(N) where N is the number of provided keys.")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    cmd("brpop", -3, WRITE | NOSCRIPT | BLOCKING, Group::List, brpop_cmd).keys(&[range(1, -2, 1, RW | ACCESS | DELETE)])
        .doc("2.0.0", "Remove and get the last element in a list, or block until one is available", "O(N) where N is the number of provided keys.")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    cmd("brpoplpush", 4, WRITE | DENYOOM | NOSCRIPT | BLOCKING, Group::List, brpoplpush_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, RW | INSERT)])
        .doc("2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", "O(1)").deprecated("6.2.0", "`BLMOVE` with the `RIGHT` and `LEFT` arguments")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    cmd("bzmpop", -5, WRITE | BLOCKING, Group::SortedSet, bzmpop_cmd).keys(&[keynum(2, RW | ACCESS | DELETE)]).getkeys(GetKeys::NumKeys { store: 0, count: 2, first: 3, step: 1 })
        .doc("7.0.0", "Remove and return members with scores in a sorted set or block until one is available", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."),
    cmd("bzpopmax", -3, WRITE | NOSCRIPT | BLOCKING | FAST, Group::SortedSet, bzpopmax_cmd).keys(&[range(1, -2, 1, RW | ACCESS | DELETE)])
        .doc("5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "O(log(N)) with N being the number of elements in the sorted set.")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    cmd("bzpopmin", -3, WRITE | NOSCRIPT | BLOCKING | FAST, Group::SortedSet, bzpopmin_cmd).keys(&[range(1, -2, 1, RW | ACCESS | DELETE)])
        .doc("5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "O(log(N)) with N being the number of elements in the sorted set.")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_like_redis() {
        assert_eq!(parse_timeout(b"0", 1000), Ok(0));
        assert_eq!(parse_timeout(b"0.1", 1000), Ok(1100));
        assert_eq!(parse_timeout(b"-0.0001", 1000), Ok(0));
        assert_eq!(parse_timeout(b"0x10", 0), Ok(16000));
        let neg = Err(Reply::err("ERR timeout is negative"));
        let bad = Err(Reply::err("ERR timeout is not a float or out of range"));
        assert_eq!(parse_timeout(b"-1", 0), neg);
        assert_eq!(parse_timeout(b"1e30", 0), neg);
        assert_eq!(parse_timeout(b"inf", 0), neg);
        assert_eq!(parse_timeout(b"9223372036854775807", 0), neg);
        assert_eq!(parse_timeout(b"nan", 0), bad);
        assert_eq!(parse_timeout(b"abc", 0), bad);
        assert_eq!(parse_timeout(b"", 0), bad);
    }
}
