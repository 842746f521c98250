//! SORT and SORT_RO (sort.c): sort a list, set or sorted set numerically or
//! lexicographically, by its elements or by other keys (`BY pattern`, `GET pattern`, with
//! `->field` for hash fields), with LIMIT, DESC, and STORE into a list.
//!
//! Order where Redis leaves it to `qsort` (elements that compare equal under ALPHA BY)
//! is the input order here (a stable sort). ALPHA compares bytes, which is what Redis's
//! `strcoll` does in the C and C.UTF-8 locales.

use super::args::{is, ERR_SYNTAX, WRONGTYPE};
use super::notify::{self, notify};
use super::table::*;
use super::Ctx;
use crate::db::list::List;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use crate::util::float::strtod;
use crate::util::int::string2ll;
use bytes::Bytes;
use std::cmp::Ordering;

/// One element to sort (redisSortObject): the element, and what it sorts by.
struct Item {
    element: Bytes,
    score: f64,
    /// ALPHA BY: the looked-up value, None when the key (or field) is missing.
    by: Option<Bytes>,
}

struct Options {
    desc: bool,
    alpha: bool,
    limit: Option<(i64, i64)>,
    store: Option<Bytes>,
    by: Option<Bytes>,
    /// BY a pattern without `*`: nothing to sort by.
    dont_sort: bool,
    gets: Vec<Bytes>,
}

/// `ACLUserCheckCmdWithUnrestrictedKeyAccess(..., CMD_KEY_ACCESS)`: BY and GET read keys
/// named by the data, so they need read access to every key.
fn full_key_access(ctx: &Ctx<'_>, argv: &[Bytes], readonly: bool) -> bool {
    let name: &[u8] = if readonly { b"sort_ro" } else { b"sort" };
    let (Some(cmd), Some(user)) = (lookup(name), ctx.server.acl.user(&ctx.session.user)) else {
        return true;
    };
    crate::acl::check_command_unrestricted(user, cmd, argv, crate::acl::selector::READ)
}

fn parse(ctx: &Ctx<'_>, argv: &[Bytes], readonly: bool) -> Result<Options, Reply> {
    let mut o = Options {
        desc: false,
        alpha: false,
        limit: None,
        store: None,
        by: None,
        dont_sort: false,
        gets: Vec::new(),
    };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let arg = &argv[j];
        if is(arg, "asc") {
            o.desc = false;
        } else if is(arg, "desc") {
            o.desc = true;
        } else if is(arg, "alpha") {
            o.alpha = true;
        } else if is(arg, "limit") && left >= 2 {
            let long = |a: &Bytes| {
                string2ll(a).ok_or(Reply::err("ERR value is not an integer or out of range"))
            };
            o.limit = Some((long(&argv[j + 1])?, long(&argv[j + 2])?));
            j += 2;
        } else if !readonly && is(arg, "store") && left >= 1 {
            o.store = Some(argv[j + 1].clone());
            j += 1;
        } else if is(arg, "by") && left >= 1 {
            o.by = Some(argv[j + 1].clone());
            // A constant pattern (no '*' before any NUL) sorts nothing.
            o.dont_sort = !c_str(&argv[j + 1]).contains(&b'*');
            if !o.dont_sort && !full_key_access(ctx, argv, readonly) {
                return Err(Reply::err(
                    "ERR BY option of SORT denied due to insufficient ACL permissions.",
                ));
            }
            j += 1;
        } else if is(arg, "get") && left >= 1 {
            if !full_key_access(ctx, argv, readonly) {
                return Err(Reply::err(
                    "ERR GET option of SORT denied due to insufficient ACL permissions.",
                ));
            }
            o.gets.push(argv[j + 1].clone());
            j += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// The bytes C's string functions see: up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

/// lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by
/// the element and the key read (a string), or, with `->field` after the `*`, the hash
/// field. None for a pattern without `*`, a missing key or field, or another type.
fn lookup_by_pattern(ctx: &mut Ctx<'_>, pattern: &[u8], element: &Bytes) -> Option<Bytes> {
    if c_str(pattern) == b"#" {
        return Some(element.clone());
    }
    let text = c_str(pattern);
    let star = text.iter().position(|&c| c == b'*')?;
    let arrow = text[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|at| star + 1 + at)
        .filter(|&at| at + 2 < text.len());
    let (key_end, field) = match arrow {
        Some(at) => (at, Some(&pattern[at + 2..])),
        None => (pattern.len(), None),
    };
    let mut key = Vec::with_capacity(key_end + element.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let now = ctx.now_ms();
    let value = ctx.keyspace.lookup_read(ctx.session.db, &key, now)?;
    match (field, value) {
        (Some(field), Value::Hash(h)) => h.get(field),
        (None, Value::Str(s)) => Some(s.to_bytes()),
        _ => None,
    }
}

fn sort_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, false)
}

fn sort_ro_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, true)
}

fn sort_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], readonly: bool) -> CmdResult {
    let mut o = parse(ctx, argv, readonly)?;
    let db = ctx.session.db;
    let now = ctx.now_ms();
    let kind = match ctx.keyspace.lookup_read(db, &argv[1], now) {
        None => None,
        Some(Value::List(_)) => Some("list"),
        Some(Value::Set(_)) => Some("set"),
        Some(Value::ZSet(_)) => Some("zset"),
        Some(_) => return Err(Reply::err(WRONGTYPE)),
    };
    // A set has no order of its own: when the result is stored or seen by a script, it is
    // sorted (ALPHA) so replicas and the AOF agree.
    if o.dont_sort && kind == Some("set") && (o.store.is_some() || ctx.session.in_script) {
        o.dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    if kind == Some("zset") {
        // zsetConvert(OBJ_ENCODING_SKIPLIST): SORT leaves a sorted set in its big encoding.
        let hash_keys = ctx.keyspace.hash_keys();
        if let Some(Value::ZSet(z)) = ctx.keyspace.peek_mut(db, &argv[1]) {
            z.convert_to_skiplist(hash_keys);
        }
    }
    let len = match ctx.keyspace.db(db).dict.get(&argv[1]) {
        Some(Value::List(l)) => l.len(),
        Some(Value::Set(s)) => s.len(),
        Some(Value::ZSet(z)) => z.len(),
        _ => 0,
    } as i64;
    // LIMIT, clamped to the object as Redis does (and never overflowing).
    let (limit_start, limit_count) = o.limit.unwrap_or((0, -1));
    let mut start = limit_start.max(0).min(len);
    let limit_count = limit_count.max(-1).min(len);
    let mut end = if limit_count < 0 {
        len - 1
    } else {
        start + limit_count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    let mut items = load(ctx, &argv[1], &o, &mut start, &mut end, len);
    let mut conversion_error = false;
    if !o.dont_sort {
        for item in &mut items {
            let by = match &o.by {
                Some(pattern) => match lookup_by_pattern(ctx, pattern, &item.element) {
                    Some(v) => v,
                    None => continue,
                },
                None => item.element.clone(),
            };
            if o.alpha {
                if o.by.is_some() {
                    item.by = Some(by);
                }
            } else {
                let parsed = strtod(&by);
                let trailing = by.get(parsed.len).is_some_and(|&c| c != 0);
                if trailing || parsed.erange || parsed.value.is_nan() {
                    conversion_error = true;
                }
                item.score = parsed.value;
            }
        }
        let (alpha, by_pattern, desc) = (o.alpha, o.by.is_some(), o.desc);
        items.sort_by(|a, b| {
            let cmp = compare(a, b, alpha, by_pattern);
            if desc {
                cmp.reverse()
            } else {
                cmp
            }
        });
    }
    let selected: Vec<&Item> = if end >= start {
        items[start as usize..=end as usize].iter().collect()
    } else {
        Vec::new()
    };
    if conversion_error {
        return Err(Reply::err(
            "ERR One or more scores can't be converted into double",
        ));
    }
    let mut out: Vec<Option<Bytes>> = Vec::new();
    for item in selected {
        if o.gets.is_empty() {
            out.push(Some(item.element.clone()));
        }
        for pattern in &o.gets {
            out.push(lookup_by_pattern(ctx, pattern, &item.element));
        }
    }
    let Some(store) = o.store else {
        return Ok(Reply::Array(
            out.into_iter()
                .map(|v| v.map_or(Reply::Null, Reply::Bulk))
                .collect(),
        ));
    };
    let count = out.len();
    if count > 0 {
        let mut list = List::new(ctx.server.config.list_max_listpack_size);
        for v in &out {
            list.push(crate::db::list::End::Tail, v.as_deref().unwrap_or(b""));
        }
        ctx.keyspace
            .set(db, store.clone(), Value::list(list), Ttl::Clear);
        notify(ctx, notify::LIST, "sortstore", &store);
        ctx.add_dirty(count as u64);
    } else if ctx.keyspace.remove(db, &store).is_some() {
        notify(ctx, notify::GENERIC, "del", &store);
        ctx.add_dirty(1);
    }
    Ok(Reply::Integer(count as i64))
}

/// The elements to sort, in the object's order; with nothing to sort and an ordered
/// object, only the LIMIT range (in DESC order for DESC), and `start`/`end` moved to it.
fn load(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    o: &Options,
    start: &mut i64,
    end: &mut i64,
    len: i64,
) -> Vec<Item> {
    let item = |element: Bytes| Item {
        element,
        score: 0.0,
        by: None,
    };
    let db = ctx.session.db;
    let Some(value) = ctx.keyspace.db(db).dict.get(key) else {
        return Vec::new();
    };
    let ranged = o.dont_sort && matches!(value, Value::List(_) | Value::ZSet(_));
    let count = if ranged {
        (*end - *start + 1).max(0) as usize
    } else {
        len as usize
    };
    let items: Vec<Item> = match value {
        Value::List(l) if ranged => {
            if *end < *start {
                Vec::new()
            } else if o.desc {
                let from = (len - *start - 1) as usize;
                l.range(0, from + 1)
                    .into_iter()
                    .rev()
                    .take(count)
                    .map(item)
                    .collect()
            } else {
                l.range(*start as usize, *start as usize + count)
                    .into_iter()
                    .map(item)
                    .collect()
            }
        }
        Value::List(l) => l.iter().map(|e| item(e.to_bytes())).collect(),
        Value::Set(s) => s.members().map(item).collect(),
        Value::ZSet(z) if ranged => {
            if count == 0 {
                Vec::new()
            } else if o.desc {
                let last = (len - 1 - *start) as usize;
                let first = last + 1 - count;
                z.range(first, last + 1)
                    .into_iter()
                    .rev()
                    .map(|(_, m)| item(m))
                    .collect()
            } else {
                let first = *start as usize;
                z.range(first, first + count)
                    .into_iter()
                    .map(|(_, m)| item(m))
                    .collect()
            }
        }
        Value::ZSet(z) => z.iter().into_iter().map(|(_, m)| item(m)).collect(),
        _ => Vec::new(),
    };
    if ranged {
        *end -= *start;
        *start = 0;
    }
    items
}

/// sortCompare, before DESC is applied.
fn compare(a: &Item, b: &Item, alpha: bool, by_pattern: bool) -> Ordering {
    if !alpha {
        return match a.score.partial_cmp(&b.score) {
            Some(Ordering::Equal) | None => a.element.cmp(&b.element),
            Some(order) => order,
        };
    }
    if by_pattern {
        return match (&a.by, &b.by) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        };
    }
    a.element.cmp(&b.element)
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("sort", -2, WRITE | DENYOOM, Group::Generic, sort_cmd).acl_only(ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_DANGEROUS)
        .keys(&[
            key(1, RO | ACCESS),
            unknown_keys(RO | ACCESS).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
            unknown_keys(OW | UPDATE).notes("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"),
        ])
        .getkeys(GetKeys::Sort)
        .doc("1.0.0", "Sort the elements in a list, set or sorted set", "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."),
    cmd("sort_ro", -2, READONLY, Group::Generic, sort_ro_cmd).acl_only(ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_DANGEROUS)
        .keys(&[
            key(1, RO | ACCESS),
            unknown_keys(RO | ACCESS).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
        ])
        .getkeys(GetKeys::SortRo)
        .doc("7.0.0", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."),
];
