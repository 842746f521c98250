//! The pop cores the list and sorted-set families share with their blocking variants
//! (t_list.c, t_zset.c): push/pop/move over the keyspace, the ZPOP core, the LMPOP/ZMPOP
//! argument parser and the replies a successful pop gives. Every mutation goes through
//! [`Keyspace::write_as`], [`Keyspace::set`] and [`Keyspace::remove_if_empty`], so a list or
//! sorted set emptied by a pop is deleted.

use super::args::{arg_at_least_one, is, syntax_error, wrongtype};
use super::Ctx;
use crate::config::special::{LIST, ZSET};
use crate::db::list::{End, List};
use crate::db::zset::ZSetValue;
use crate::db::{Keyspace, Ttl, Value};
use crate::resp::Reply;
use bytes::Bytes;

// ---- Lists ----------------------------------------------------------------------------

/// The list at `key` for writing: Ok(None) when missing, WRONGTYPE for another type.
pub fn list_mut<'a>(
    ks: &'a mut Keyspace,
    db: usize,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<&'a mut List>, Reply> {
    ks.write_as(db, key, now_ms).map_err(|_| wrongtype())
}

/// Deletes `key` if it holds an empty list (after a pop or removal), announcing `del`.
pub fn delete_list_if_empty(ks: &mut Keyspace, db: usize, key: &[u8]) {
    ks.remove_if_empty_notify::<List>(db, key);
}

fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

/// How a push goes: at which end, only onto an existing list (the X variants), and the
/// list-max-listpack-size a list created by it gets.
#[derive(Clone, Copy)]
pub struct Push {
    pub end: End,
    pub only_existing: bool,
    pub fill: i64,
}

/// LPUSH/RPUSH (and the X variants with `only_existing`): pushes `elems` one by one at
/// `end`, creating the list if needed. Returns the new length (0 for an X miss).
pub fn push(
    ks: &mut Keyspace,
    db: usize,
    key: &Bytes,
    now_ms: u64,
    elems: &[Bytes],
    how: Push,
) -> Result<usize, Reply> {
    if let Some(l) = list_mut(ks, db, key, now_ms)? {
        for e in elems {
            l.push(how.end, e);
        }
        let n = l.len();
        if !elems.is_empty() {
            ks.signal_modified_key(db, key);
            ks.notify(db, LIST, push_event(how.end), key);
        }
        return Ok(n);
    }
    if how.only_existing || elems.is_empty() {
        return Ok(0);
    }
    let mut l = List::new(how.fill);
    for e in elems {
        l.push(how.end, e);
    }
    let n = l.len();
    // dbAdd (`new`), then the push's event.
    ks.set(db, key.clone(), Value::list(l), Ttl::Keep);
    ks.notify(db, LIST, push_event(how.end), key);
    Ok(n)
}

/// Pops up to `count` elements from `end` of the list at `key` (deleting it if emptied).
/// Ok(None) when the key is missing; WRONGTYPE for another type. `count` 0 pops nothing.
pub fn pop_from(
    ks: &mut Keyspace,
    db: usize,
    key: &[u8],
    now_ms: u64,
    end: End,
    count: usize,
) -> Result<Option<Vec<Bytes>>, Reply> {
    let Some(l) = list_mut(ks, db, key, now_ms)? else {
        return Ok(None);
    };
    let n = count.min(l.len());
    let out: Vec<Bytes> = (0..n).filter_map(|_| l.pop(end)).collect();
    if !out.is_empty() {
        ks.signal_modified_key(db, key);
        // listElementsRemoved: the pop's event, then `del` if it emptied the list.
        ks.notify(db, LIST, pop_event(end), key);
    }
    delete_list_if_empty(ks, db, key);
    Ok(Some(out))
}

/// LMOVE/RPOPLPUSH's core: pops from `from` of `src` and pushes at `to` of `dst`
/// (creating it). Ok(None) when `src` is missing. WRONGTYPE if either key holds another
/// type, checked before anything moves. `src == dst` rotates the list.
pub fn move_one(
    ks: &mut Keyspace,
    db: usize,
    src: &[u8],
    dst: &Bytes,
    now_ms: u64,
    from: End,
    to: Push,
) -> Result<Option<Bytes>, Reply> {
    if list_mut(ks, db, src, now_ms)?.is_none_or(|l| l.is_empty()) {
        return Ok(None);
    }
    list_mut(ks, db, dst, now_ms)?;
    let Some(v) = list_mut(ks, db, src, now_ms)?.and_then(|l| l.pop(from)) else {
        return Ok(None);
    };
    // lmoveGenericCommand: the push (and its events) first, then the pop's event.
    push(ks, db, dst, now_ms, std::slice::from_ref(&v), to)?;
    ks.notify(db, LIST, pop_event(from), src);
    ks.signal_modified_key(db, src);
    delete_list_if_empty(ks, db, src);
    Ok(Some(v))
}

/// LMPOP's core (mpopGenericCommand): pops up to `count` from the first non-empty list
/// among `keys`. Ok(None) when all are missing; WRONGTYPE at the first key of another
/// type met before a non-empty list.
pub fn mpop(
    ks: &mut Keyspace,
    db: usize,
    keys: &[Bytes],
    now_ms: u64,
    end: End,
    count: usize,
) -> Result<Option<(Bytes, Vec<Bytes>)>, Reply> {
    for k in keys {
        if list_mut(ks, db, k, now_ms)?.is_none_or(|l| l.is_empty()) {
            continue;
        }
        let popped = pop_from(ks, db, k, now_ms, end, count)?.unwrap_or_default();
        return Ok(Some((k.clone(), popped)));
    }
    Ok(None)
}

/// LMPOP and BLMPOP (served at once or later) are propagated as `[LR]POP key count`,
/// with the count of elements popped.
pub fn propagate_mpop(ctx: &mut Ctx<'_>, end: End, key: &Bytes, popped: usize) {
    ctx.add_dirty(popped as u64);
    ctx.propagate_as(pop_argv(end, key, Some(popped)));
}

/// `LPOP key [count]` / `RPOP key [count]`: how list pops are propagated.
pub fn pop_argv(end: End, key: &Bytes, count: Option<usize>) -> Vec<Bytes> {
    let name: &'static [u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
    let mut argv = vec![Bytes::from_static(name), key.clone()];
    argv.extend(count.map(|c| Bytes::from(c.to_string())));
    argv
}

/// `ZPOPMIN key [count]` / `ZPOPMAX key [count]`: how sorted-set pops are propagated.
pub fn zpop_argv(where_: PopWhere, key: &Bytes, count: Option<usize>) -> Vec<Bytes> {
    let name: &'static [u8] = match where_ {
        PopWhere::Min => b"ZPOPMIN",
        PopWhere::Max => b"ZPOPMAX",
    };
    let mut argv = vec![Bytes::from_static(name), key.clone()];
    argv.extend(count.map(|c| Bytes::from(c.to_string())));
    argv
}

/// The reply LMPOP (and BLMPOP) give for a successful pop: [key, [elements]].
pub fn key_elements_reply(key: Bytes, elems: Vec<Bytes>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(key),
        Reply::Array(elems.into_iter().map(Reply::Bulk).collect()),
    ])
}

// ---- Sorted sets ----------------------------------------------------------------------

/// Which end a pop takes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopWhere {
    Min,
    Max,
}

/// The pop core shared by ZPOPMIN/ZPOPMAX/ZMPOP (and the blocking variants): removes up
/// to `count` elements from the `where_` end of the sorted set at `key`, deleting the key
/// when it empties. `Ok(None)` when the key does not exist, WRONGTYPE when it is not a
/// sorted set; a `count` of 0 still checks the type.
pub fn zpop(
    ks: &mut Keyspace,
    db: usize,
    key: &[u8],
    now: u64,
    where_: PopWhere,
    count: u64,
) -> Result<Option<Vec<(Bytes, f64)>>, Reply> {
    let Some(z) = ks
        .write_as::<ZSetValue>(db, key, now)
        .map_err(|_| wrongtype())?
    else {
        return Ok(None);
    };
    let len = z.len();
    let n = count.min(len as u64) as usize;
    let mut items: Vec<(Bytes, f64)> = match where_ {
        PopWhere::Min => z.range(0, n),
        PopWhere::Max => z.range(len - n, len),
    }
    .into_iter()
    .map(|(s, m)| (m, s))
    .collect();
    if where_ == PopWhere::Max {
        items.reverse();
    }
    for (m, _) in &items {
        z.remove(m);
    }
    if !items.is_empty() {
        ks.signal_modified_key(db, key);
        let event = match where_ {
            PopWhere::Min => "zpopmin",
            PopWhere::Max => "zpopmax",
        };
        ks.notify(db, ZSET, event, key);
    }
    ks.remove_if_empty_notify::<ZSetValue>(db, key);
    Ok(Some(items))
}

/// Popped elements as `[member, score]` pairs, or flat when `nested` is false.
pub fn pairs_reply(items: Vec<(Bytes, f64)>, nested: bool) -> Vec<Reply> {
    let mut out = Vec::with_capacity(items.len() * 2);
    for (m, s) in items {
        if nested {
            out.push(Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)]));
        } else {
            out.push(Reply::Bulk(m));
            out.push(Reply::Double(s));
        }
    }
    out
}

/// LMPOP's and ZMPOP's arguments (and their blocking twins'), from `argv[numkeys_idx..]`:
/// `numkeys key [key ...] <side> [COUNT count]`, `side` parsed by `parse_side` (LEFT|RIGHT
/// or MIN|MAX). Returns the keys, the side and the count (default 1).
pub fn parse_mpop<W>(
    argv: &[Bytes],
    numkeys_idx: usize,
    parse_side: impl Fn(&[u8]) -> Option<W>,
) -> Result<(&[Bytes], W, u64), Reply> {
    let numkeys = arg_at_least_one(&argv[numkeys_idx], "ERR numkeys should be greater than 0")?;
    let side_idx = (numkeys as u64).saturating_add(numkeys_idx as u64 + 1);
    if side_idx >= argv.len() as u64 {
        return Err(syntax_error());
    }
    let side_idx = side_idx as usize;
    let side = parse_side(&argv[side_idx]).ok_or_else(syntax_error)?;
    let mut count = None;
    let mut j = side_idx + 1;
    while j < argv.len() {
        if count.is_none() && is(&argv[j], "count") && j + 1 < argv.len() {
            count =
                Some(arg_at_least_one(&argv[j + 1], "ERR count should be greater than 0")? as u64);
            j += 2;
        } else {
            return Err(syntax_error());
        }
    }
    Ok((&argv[numkeys_idx + 1..side_idx], side, count.unwrap_or(1)))
}

/// LMPOP's side: LEFT or RIGHT.
pub fn parse_list_mpop(
    argv: &[Bytes],
    numkeys_idx: usize,
) -> Result<(&[Bytes], End, usize), Reply> {
    let (keys, end, count) = parse_mpop(argv, numkeys_idx, End::parse)?;
    Ok((keys, end, count as usize))
}

/// ZMPOP's side: MIN or MAX.
pub fn parse_zset_mpop(
    argv: &[Bytes],
    numkeys_idx: usize,
) -> Result<(&[Bytes], PopWhere, u64), Reply> {
    parse_mpop(argv, numkeys_idx, |arg| {
        if is(arg, "min") {
            Some(PopWhere::Min)
        } else if is(arg, "max") {
            Some(PopWhere::Max)
        } else {
            None
        }
    })
}
