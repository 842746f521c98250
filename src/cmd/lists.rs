//! List commands (t_list.c). The push/pop/move cores live in `pop.rs` (shared with the
//! blocking variants in `blocking.rs`); every mutation goes through the keyspace's
//! `write_as` / `set` / `remove`, and a list emptied by a command is deleted.

use super::args::{arg_i64, arg_range, is, wrongtype, ERR_POSITIVE, ERR_SYNTAX};
use super::notify::{self, notify};
use super::pop::{
    delete_list_if_empty, key_elements_reply, list_mut, move_one, mpop, parse_list_mpop, pop_from,
    propagate_mpop, push, Push,
};
use super::table::*;
use super::Ctx;
use crate::db::list::{self, End, List};
use crate::resp::Reply;
use bytes::Bytes;

/// The list at `key` for reading (hit/miss counted).
fn list_ref<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Result<Option<&'a List>, Reply> {
    let now = ctx.now_ms();
    ctx.keyspace
        .read_as(ctx.session.db, key, now)
        .map_err(|_| wrongtype())
}

fn bulks(v: Vec<Bytes>) -> Reply {
    Reply::Array(v.into_iter().map(Reply::Bulk).collect())
}

// ---- Push -----------------------------------------------------------------------------

fn push_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], end: End, only_existing: bool) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let how = Push {
        end,
        only_existing,
        fill: ctx.server.config.list_max_listpack_size,
    };
    let n = push(ctx.keyspace, db, &argv[1], now, &argv[2..], how)?;
    if n > 0 {
        ctx.add_dirty(argv.len() as u64 - 2);
    }
    Ok(Reply::Integer(n as i64))
}

fn lpush_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Head, false)
}

fn rpush_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Tail, false)
}

fn lpushx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Head, true)
}

fn rpushx_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Tail, true)
}

// ---- Pop ------------------------------------------------------------------------------

/// popGenericCommand: without a count, one bulk or nil; with one, an array (a missing key
/// is a null array, count 0 on an existing list an empty array).
fn pop_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], end: End) -> CmdResult {
    if argv.len() > 3 {
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for '{}' command",
            if end == End::Head { "lpop" } else { "rpop" }
        )));
    }
    let count = match argv.get(2) {
        Some(a) => Some(arg_range(a, 0, i64::MAX, Some(ERR_POSITIVE))? as usize),
        None => None,
    };
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let popped = pop_from(ctx.keyspace, db, &argv[1], now, end, count.unwrap_or(1))?;
    ctx.add_dirty(popped.as_ref().map_or(0, |v| v.len() as u64));
    match popped {
        None if count.is_some() => Ok(Reply::NullArray),
        None => Ok(Reply::Null),
        Some(v) if count.is_some() => Ok(bulks(v)),
        Some(v) => Ok(v.into_iter().next().map_or(Reply::Null, Reply::Bulk)),
    }
}

fn lpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Head)
}

fn rpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Tail)
}

fn lmove_reply(ctx: &mut Ctx<'_>, src: &Bytes, dst: &Bytes, from: End, to: End) -> CmdResult {
    let now = ctx.now_ms();
    let to = Push {
        end: to,
        only_existing: false,
        fill: ctx.server.config.list_max_listpack_size,
    };
    let v = move_one(ctx.keyspace, ctx.session.db, src, dst, now, from, to)?;
    if v.is_some() {
        ctx.add_dirty(1);
    }
    Ok(v.map_or(Reply::Null, Reply::Bulk))
}

fn rpoplpush_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    lmove_reply(ctx, &argv[1], &argv[2], End::Tail, End::Head)
}

fn lmove_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (Some(from), Some(to)) = (End::parse(&argv[3]), End::parse(&argv[4])) else {
        return Err(Reply::err(ERR_SYNTAX));
    };
    lmove_reply(ctx, &argv[1], &argv[2], from, to)
}

fn lmpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (keys, end, count) = parse_list_mpop(argv, 1)?;
    let now = ctx.now_ms();
    match mpop(ctx.keyspace, ctx.session.db, keys, now, end, count)? {
        Some((k, v)) => {
            propagate_mpop(ctx, end, &k, v.len());
            Ok(key_elements_reply(k, v))
        }
        None => Ok(Reply::NullArray),
    }
}

// ---- Read -----------------------------------------------------------------------------

fn llen_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let l = list_ref(ctx, &argv[1])?;
    Ok(Reply::Integer(l.map_or(0, |l| l.len() as i64)))
}

fn lrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (start, end) = (arg_i64(&argv[2])?, arg_i64(&argv[3])?);
    match list_ref(ctx, &argv[1])? {
        None => Ok(Reply::Array(Vec::new())),
        Some(l) => match list::range(start, end, l.len()) {
            None => Ok(Reply::Array(Vec::new())),
            Some((s, e)) => Ok(Reply::Array(
                l.range(s, e + 1).into_iter().map(Reply::Bulk).collect(),
            )),
        },
    }
}

fn lindex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let l = match list_ref(ctx, &argv[1])? {
        None => return Ok(Reply::Null),
        Some(l) => l,
    };
    let idx = arg_i64(&argv[2])?;
    Ok(list::index(idx, l.len())
        .and_then(|i| l.get(i))
        .map_or(Reply::Null, Reply::Bulk))
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len].
fn lpos_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: i64 = -1;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let opt = &argv[j];
        let parsed = if is(opt, "rank") && more {
            arg_i64(&argv[j + 1]).and_then(|r| {
                if r == 0 {
                    Err(Reply::err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"))
                } else {
                    rank = r;
                    Ok(())
                }
            })
        } else if is(opt, "count") && more {
            arg_range(
                &argv[j + 1],
                0,
                i64::MAX,
                Some("ERR COUNT can't be negative"),
            )
            .map(|c| count = c)
        } else if is(opt, "maxlen") && more {
            arg_range(
                &argv[j + 1],
                0,
                i64::MAX,
                Some("ERR MAXLEN can't be negative"),
            )
            .map(|m| maxlen = m)
        } else {
            Err(Reply::err(ERR_SYNTAX))
        };
        parsed?;
        j += 2;
    }
    let l = match list_ref(ctx, &argv[1])? {
        None if count != -1 => return Ok(Reply::Array(Vec::new())),
        None => return Ok(Reply::Null),
        Some(l) => l,
    };
    let from_tail = rank < 0;
    // Redis negates a negative rank in a C long: LONG_MIN stays negative, so every
    // match satisfies it (as RANK -1 would).
    let rank = if rank == i64::MIN {
        1
    } else {
        rank.unsigned_abs()
    };
    let len = l.len();
    let want = &argv[2];
    let mut matches: u64 = 0;
    let mut found = Vec::new();
    let mut walk: Box<dyn Iterator<Item = _>> = if from_tail {
        Box::new(l.iter().rev())
    } else {
        Box::new(l.iter())
    };
    for i in 0..len {
        if maxlen != 0 && i as i64 >= maxlen {
            break;
        }
        let pos = if from_tail { len - 1 - i } else { i };
        let Some(e) = walk.next() else { break };
        if e.eq_bytes(want) {
            matches += 1;
            if matches >= rank {
                found.push(Reply::Integer(pos as i64));
                if count != 0 && found.len() as i64 >= count.max(1) {
                    break;
                }
            }
        }
    }
    if count == -1 {
        Ok(found.into_iter().next().unwrap_or(Reply::Null))
    } else {
        Ok(Reply::Array(found))
    }
}

// ---- In-place writes ------------------------------------------------------------------

fn lset_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let l = match list_mut(ctx.keyspace, ctx.session.db, &argv[1], now)? {
        None => return Err(Reply::err("ERR no such key")),
        Some(l) => l,
    };
    let idx = arg_i64(&argv[2])?;
    match list::index(idx, l.len()) {
        Some(i) if l.set(i, &argv[3]) => {
            ctx.modified(&argv[1], 1);
            notify(ctx, notify::LIST, "lset", &argv[1]);
            Ok(Reply::OK)
        }
        _ => Err(Reply::err("ERR index out of range")),
    }
}

fn linsert_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let after = if is(&argv[2], "after") {
        true
    } else if is(&argv[2], "before") {
        false
    } else {
        return Err(Reply::err(ERR_SYNTAX));
    };
    let now = ctx.now_ms();
    let l = match list_mut(ctx.keyspace, ctx.session.db, &argv[1], now)? {
        None => return Ok(Reply::Integer(0)),
        Some(l) => l,
    };
    match l.position(&argv[3]) {
        Some(i) => {
            l.insert(i, after, &argv[4]);
            let len = l.len();
            ctx.modified(&argv[1], 1);
            notify(ctx, notify::LIST, "linsert", &argv[1]);
            Ok(Reply::Integer(len as i64))
        }
        None => Ok(Reply::Integer(-1)),
    }
}

fn lrem_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let count = arg_i64(&argv[2])?;
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let l = match list_mut(ctx.keyspace, db, &argv[1], now)? {
        None => return Ok(Reply::Integer(0)),
        Some(l) => l,
    };
    let limit = if count == 0 {
        u64::MAX
    } else {
        count.unsigned_abs()
    };
    let removed = l.remove_matching(&argv[3], limit, count < 0);
    if removed > 0 {
        ctx.modified(&argv[1], removed);
        notify(ctx, notify::LIST, "lrem", &argv[1]);
    }
    delete_list_if_empty(ctx.keyspace, db, &argv[1]);
    Ok(Reply::Integer(removed as i64))
}

fn ltrim_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (start, end) = (arg_i64(&argv[2])?, arg_i64(&argv[3])?);
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let l = match list_mut(ctx.keyspace, db, &argv[1], now)? {
        None => return Ok(Reply::OK),
        Some(l) => l,
    };
    let keep = list::range(start, end, l.len());
    let before = l.len();
    l.trim(keep);
    let trimmed = before - l.len();
    // ltrimCommand signals even when nothing was trimmed.
    notify(ctx, notify::LIST, "ltrim", &argv[1]);
    ctx.modified(&argv[1], trimmed as u64);
    delete_list_if_empty(ctx.keyspace, db, &argv[1]);
    Ok(Reply::OK)
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("lindex", 3, READONLY, Group::List, lindex_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.0.0", "Get an element from a list by its index", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1)."),
    cmd("linsert", 5, WRITE | DENYOOM, Group::List, linsert_cmd).keys(&[key(1, RW | INSERT)])
        .doc("2.2.0", "Insert an element before or after another element in a list", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N)."),
    cmd("llen", 2, READONLY | FAST, Group::List, llen_cmd).keys(&[key(1, RO)])
        .doc("1.0.0", "Get the length of a list", "O(1)"),
    cmd("lmove", 5, WRITE | DENYOOM, Group::List, lmove_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, RW | INSERT)])
        .doc("6.2.0", "Pop an element from a list, push it to another list and return it", "O(1)"),
    cmd("lmpop", -4, WRITE, Group::List, lmpop_cmd).keys(&[keynum(1, RW | ACCESS | DELETE)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("7.0.0", "Pop elements from a list", "O(N+M) where N is the number of provided keys and M is the number of elements returned."),
    cmd("lpop", -2, WRITE | FAST, Group::List, lpop_cmd).keys(&[key(1, RW | ACCESS | DELETE)])
        .doc("1.0.0", "Remove and get the first elements in a list", "O(N) where N is the number of elements returned")
        .history(&[("6.2.0", "Added the `count` argument.")]),
    cmd("lpos", -3, READONLY, Group::List, lpos_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("6.0.6", "Return the index of matching elements on a list", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time."),
    cmd("lpush", -3, WRITE | DENYOOM | FAST, Group::List, lpush_cmd).keys(&[key(1, RW | INSERT)])
        .doc("1.0.0", "Prepend one or multiple elements to a list", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.")
        .history(&[("2.4.0", "Accepts multiple `element` arguments.")]),
    cmd("lpushx", -3, WRITE | DENYOOM | FAST, Group::List, lpushx_cmd).keys(&[key(1, RW | INSERT)])
        .doc("2.2.0", "Prepend an element to a list, only if the list exists", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.")
        .history(&[("4.0.0", "Accepts multiple `element` arguments.")]),
    cmd("lrange", 4, READONLY, Group::List, lrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.0.0", "Get a range of elements from a list", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range."),
    cmd("lrem", 4, WRITE, Group::List, lrem_cmd).keys(&[key(1, RW | DELETE)])
        .doc("1.0.0", "Remove elements from a list", "O(N+M) where N is the length of the list and M is the number of elements removed."),
    cmd("lset", 4, WRITE | DENYOOM, Group::List, lset_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("1.0.0", "Set the value of an element in a list by its index", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1)."),
    cmd("ltrim", 4, WRITE, Group::List, ltrim_cmd).keys(&[key(1, RW | DELETE)])
        .doc("1.0.0", "Trim a list to the specified range", "O(N) where N is the number of elements to be removed by the operation."),
    cmd("rpop", -2, WRITE | FAST, Group::List, rpop_cmd).keys(&[key(1, RW | ACCESS | DELETE)])
        .doc("1.0.0", "Remove and get the last elements in a list", "O(N) where N is the number of elements returned")
        .history(&[("6.2.0", "Added the `count` argument.")]),
    cmd("rpoplpush", 3, WRITE | DENYOOM, Group::List, rpoplpush_cmd).keys(&[key(1, RW | ACCESS | DELETE), key(2, RW | INSERT)])
        .doc("1.2.0", "Remove the last element in a list, prepend it to another list and return it", "O(1)").deprecated("6.2.0", "`LMOVE` with the `RIGHT` and `LEFT` arguments"),
    cmd("rpush", -3, WRITE | DENYOOM | FAST, Group::List, rpush_cmd).keys(&[key(1, RW | INSERT)])
        .doc("1.0.0", "Append one or multiple elements to a list", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.")
        .history(&[("2.4.0", "Accepts multiple `element` arguments.")]),
    cmd("rpushx", -3, WRITE | DENYOOM | FAST, Group::List, rpushx_cmd).keys(&[key(1, RW | INSERT)])
        .doc("2.2.0", "Append an element to a list, only if the list exists", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.")
        .history(&[("4.0.0", "Accepts multiple `element` arguments.")]),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    fn arr(items: &[&str]) -> Reply {
        Reply::Array(items.iter().map(|s| b(s)).collect())
    }

    const WRONG: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

    #[test]
    fn push_pop_len_range() {
        let mut h = Harness::new();
        assert_eq!(h.run("LPUSH l a b c"), i(3));
        assert_eq!(h.run("RPUSH l d"), i(4));
        assert_eq!(h.run("LRANGE l 0 -1"), arr(&["c", "b", "a", "d"]));
        assert_eq!(h.run("LRANGE l -2 100"), arr(&["a", "d"]));
        assert_eq!(h.run("LRANGE l 3 1"), arr(&[]));
        assert_eq!(
            h.run("LRANGE l x 1"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("LLEN l"), i(4));
        assert_eq!(h.run("LLEN nokey"), i(0));
        assert_eq!(h.run("TYPE l"), Reply::Simple("list".into()));
        assert_eq!(h.run("OBJECT ENCODING l"), b("quicklist"));
        assert_eq!(h.run("LPUSHX nokey a"), i(0));
        assert_eq!(h.run("EXISTS nokey"), i(0));
        assert_eq!(h.run("RPUSHX l e"), i(5));
        assert_eq!(h.run("LPOP l"), b("c"));
        assert_eq!(h.run("RPOP l 2"), arr(&["e", "d"]));
        assert_eq!(h.run("LPOP l 0"), arr(&[]));
        assert_eq!(
            h.run("LPOP l -1"),
            e("ERR value is out of range, must be positive")
        );
        assert_eq!(
            h.run("LPOP l x"),
            e("ERR value is out of range, must be positive")
        );
        assert_eq!(
            h.run("LPOP l 1 2"),
            e("ERR wrong number of arguments for 'lpop' command")
        );
        assert_eq!(h.run("LPOP nokey"), Reply::Null);
        assert_eq!(h.run("LPOP nokey 0"), Reply::NullArray);
        assert_eq!(h.run("LPOP l 10"), arr(&["b", "a"]));
        assert_eq!(h.run("EXISTS l"), i(0));
        assert_eq!(h.run("RPOP l"), Reply::Null);
    }

    #[test]
    fn index_set_insert_rem_trim() {
        let mut h = Harness::new();
        h.run("RPUSH l a b c a b c");
        assert_eq!(h.run("LINDEX l -1"), b("c"));
        assert_eq!(h.run("LINDEX l 6"), Reply::Null);
        assert_eq!(h.run("LINDEX nokey x"), Reply::Null);
        assert_eq!(h.run("LSET l 1 B"), Reply::OK);
        assert_eq!(h.run("LSET l 6 B"), e("ERR index out of range"));
        assert_eq!(h.run("LSET nokey 0 B"), e("ERR no such key"));
        assert_eq!(h.run("LINSERT l AFTER B x"), i(7));
        assert_eq!(h.run("LINSERT l before a y"), i(8));
        assert_eq!(h.run("LINSERT l BEFORE zz y"), i(-1));
        assert_eq!(h.run("LINSERT l AROUND a y"), e("ERR syntax error"));
        assert_eq!(h.run("LINSERT nokey BEFORE a y"), i(0));
        assert_eq!(
            h.run("LRANGE l 0 -1"),
            arr(&["y", "a", "B", "x", "c", "a", "b", "c"])
        );
        assert_eq!(h.run("LREM l -1 c"), i(1));
        assert_eq!(h.run("LREM l 0 a"), i(2));
        assert_eq!(h.run("LRANGE l 0 -1"), arr(&["y", "B", "x", "c", "b"]));
        assert_eq!(h.run("LTRIM l 1 -2"), Reply::OK);
        assert_eq!(h.run("LRANGE l 0 -1"), arr(&["B", "x", "c"]));
        assert_eq!(h.run("LTRIM l 2 1"), Reply::OK);
        assert_eq!(h.run("EXISTS l"), i(0));
        assert_eq!(h.run("LTRIM nokey 0 1"), Reply::OK);
    }

    #[test]
    fn lpos_options() {
        let mut h = Harness::new();
        h.run("RPUSH l a b c 1 2 3 c c");
        assert_eq!(h.run("LPOS l c"), i(2));
        assert_eq!(h.run("LPOS l c RANK -1"), i(7));
        assert_eq!(h.run("LPOS l c RANK -9223372036854775808"), i(7));
        assert_eq!(
            h.run("LPOS l c COUNT 0"),
            Reply::Array(vec![i(2), i(6), i(7)])
        );
        assert_eq!(
            h.run("LPOS l c COUNT 2 RANK -1"),
            Reply::Array(vec![i(7), i(6)])
        );
        assert_eq!(h.run("LPOS l c MAXLEN 2"), Reply::Null);
        assert_eq!(h.run("LPOS l c RANK 0"), e("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
        assert_eq!(h.run("LPOS l c COUNT x"), e("ERR COUNT can't be negative"));
        assert_eq!(
            h.run("LPOS l c MAXLEN -1"),
            e("ERR MAXLEN can't be negative")
        );
        assert_eq!(h.run("LPOS l c RANK"), e("ERR syntax error"));
        assert_eq!(h.run("LPOS nokey c COUNT 1"), arr(&[]));
    }

    #[test]
    fn move_and_mpop() {
        let mut h = Harness::new();
        h.run("RPUSH s a b c");
        assert_eq!(h.run("RPOPLPUSH s d"), b("c"));
        assert_eq!(h.run("LMOVE s d LEFT RIGHT"), b("a"));
        assert_eq!(h.run("LMOVE s d UP RIGHT"), e("ERR syntax error"));
        assert_eq!(h.run("LRANGE d 0 -1"), arr(&["c", "a"]));
        assert_eq!(h.run("RPOPLPUSH s s"), b("b"));
        assert_eq!(h.run("LRANGE s 0 -1"), arr(&["b"]));
        assert_eq!(h.run("SET str x"), Reply::OK);
        assert_eq!(h.run("RPOPLPUSH s str"), e(WRONG));
        assert_eq!(h.run("LRANGE s 0 -1"), arr(&["b"]));
        assert_eq!(h.run("RPOPLPUSH nokey str"), Reply::Null);
        assert_eq!(
            h.run("LMPOP 2 nokey d RIGHT COUNT 5"),
            Reply::Array(vec![b("d"), arr(&["a", "c"])])
        );
        assert_eq!(h.run("EXISTS d"), i(0));
        assert_eq!(h.run("LMPOP 1 nokey LEFT"), Reply::NullArray);
        assert_eq!(h.run("LMPOP 2 str s LEFT"), e(WRONG));
        assert_eq!(
            h.run("LMPOP 0 s LEFT"),
            e("ERR numkeys should be greater than 0")
        );
        assert_eq!(
            h.run("LMPOP 9223372036854775807 s LEFT"),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run("LMPOP 1 s LEFT COUNT 0"),
            e("ERR count should be greater than 0")
        );
        assert_eq!(
            h.run("LMPOP 1 s LEFT COUNT 1 COUNT 1"),
            e("ERR syntax error")
        );
    }

    #[test]
    fn wrongtype_and_expiry() {
        let mut h = Harness::new();
        h.run("HSET h f v");
        for cmd in [
            "LPUSH h a",
            "RPUSHX h a",
            "LPOP h",
            "RPOP h 1",
            "LLEN h",
            "LRANGE h 0 1",
            "LINDEX h 0",
            "LSET h 0 a",
            "LINSERT h BEFORE a b",
            "LREM h 0 a",
            "LTRIM h 0 1",
            "LPOS h a",
            "LMOVE h x LEFT LEFT",
            "LMPOP 1 h LEFT",
        ] {
            assert_eq!(h.run(cmd), e(WRONG), "{cmd}");
        }
        h.run("RPUSH l a");
        assert_eq!(h.run("GET l"), e(WRONG));
        assert_eq!(h.run("MGET l"), Reply::Array(vec![Reply::Null]));
        assert_eq!(h.run("PEXPIRE l 10"), i(1));
        h.advance_ms(11);
        assert_eq!(h.run("RPUSHX l b"), i(0));
        assert_eq!(h.run("RPUSH l b"), i(1));
        assert_eq!(h.run("TTL l"), i(-1));
    }

    /// The cores the blocking commands will use, called directly.
    #[test]
    fn cores_are_usable_directly() {
        use super::{mpop, pop_from, push, Push};
        use crate::db::list::End;
        use crate::db::Keyspace;
        use bytes::Bytes;
        let mut ks = Keyspace::new(1, (1, 2));
        let k = Bytes::from("k");
        assert_eq!(
            push(
                &mut ks,
                0,
                &k,
                0,
                &[Bytes::from("a")],
                Push {
                    end: End::Tail,
                    only_existing: false,
                    fill: -2
                }
            ),
            Ok(1)
        );
        assert_eq!(
            pop_from(&mut ks, 0, b"k", 0, End::Head, 5),
            Ok(Some(vec![Bytes::from("a")]))
        );
        assert_eq!(ks.dbsize(0), 0);
        assert_eq!(mpop(&mut ks, 0, &[k], 0, End::Head, 1), Ok(None));
        ks.check_invariants().unwrap();
    }

    #[test]
    fn arbitrary_argv_never_panics() {
        crate::cmd::hashes::tests::fuzz_family(super::COMMANDS);
    }
}
