//! Sorted set commands (t_zset.c). Values live in [`ZSetValue`]; every mutation goes
//! through the keyspace's `lookup_write` / `set` / `remove`, and a sorted set emptied by
//! a command is deleted, as in Redis.
//!
//! Ranges are answered from the order-statistics tree: "how many elements sort before
//! this bound" gives a rank window, and the window is read with `Tree::range`, so every
//! reply is at most as large as the sorted set itself, whatever the argv's counts say.

use super::args::{
    arg_i64, arg_positive, arg_range, is, scan_cursor, scan_opts, wrongtype, ERR_NOT_FLOAT,
    ERR_SYNTAX,
};
use super::client_sized::ClientSized;
use super::notify::{self, notify};
use super::pop::{pairs_reply, parse_zset_mpop, zpop, zpop_argv, PopWhere};
use super::reply::{empty_scan, scan_reply};
use super::table::*;
use super::Ctx;
use crate::db::set::SetValue;
use crate::db::zset::{cmp_entry, Limits, ZSetValue};
use crate::db::{Keyspace, Ttl, Value};
use crate::resp::Reply;
use crate::util::float::{d2string, string2d, strtod};
use crate::util::glob::stringmatchlen;
use bytes::Bytes;
use rand_core::RngCore;
use std::collections::{BTreeMap, BTreeSet};

const ERR_MINMAX_FLOAT: &str = "ERR min or max is not a float";
const ERR_MINMAX_LEX: &str = "ERR min or max not valid string range item";
const ERR_NAN: &str = "ERR resulting score is not a number (NaN)";

/// zset-max-listpack-entries / -value and the keyspace's hash keys, for conversions.
fn limits(ctx: &Ctx<'_>) -> Limits {
    Limits {
        max_entries: ctx.server.config.zset_max_listpack_entries,
        max_value: ctx.server.config.zset_max_listpack_value,
        hash_keys: ctx.keyspace.hash_keys(),
    }
}

/// string2d (getDoubleFromObject): the whole argument is a number, no leading space, no
/// NaN, no overflow or underflow to zero.
pub(crate) fn parse_score(arg: &[u8]) -> Option<f64> {
    // Redis never stores a negative zero (checked: ZADD k -0 m; ZSCORE k m is 0).
    string2d(arg).map(|v| v + 0.0)
}

/// The strtod of zslParseRange: the text up to a NUL, leading spaces skipped, overflow
/// allowed (1e400 is inf); the empty string is 0.
fn parse_range_number(s: &[u8]) -> Option<f64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    let number = strtod(s);
    (number.len == s.len() && !number.value.is_nan()).then_some(number.value)
}

/// A score interval (zrangespec).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// zslParseRange: `(` makes a bound exclusive.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let one = |s: &[u8]| -> Option<(f64, bool)> {
            match s.first() {
                Some(b'(') => parse_range_number(&s[1..]).map(|v| (v, true)),
                _ => parse_range_number(s).map(|v| (v, false)),
            }
        };
        let (min, minex) = one(min)?;
        let (max, maxex) = one(max)?;
        Some(ScoreRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// zslIsInRange's first test: ranges that are always empty.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One end of a lex range: `-`, `+`, `[x` or `(x`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LexBound {
    NegInf,
    PosInf,
    Incl(Bytes),
    Excl(Bytes),
}

impl LexBound {
    /// zslParseLexRangeItem (the C string ends at a NUL, so "+\0x" is "+").
    fn parse(s: &Bytes) -> Option<LexBound> {
        let ends = |n: usize| s.get(n).is_none_or(|&c| c == 0);
        match s.first() {
            Some(b'+') if ends(1) => Some(LexBound::PosInf),
            Some(b'-') if ends(1) => Some(LexBound::NegInf),
            Some(b'(') => Some(LexBound::Excl(s.slice(1..))),
            Some(b'[') => Some(LexBound::Incl(s.slice(1..))),
            _ => None,
        }
    }
}

/// A lex interval (zlexrangespec).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub fn parse(min: &Bytes, max: &Bytes) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    pub fn gte_min(&self, v: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Incl(s) => v >= s.as_ref(),
            LexBound::Excl(s) => v > s.as_ref(),
        }
    }

    /// zzlIsInLexRange's "always empty" test: min above max, or equal with an
    /// exclusive end ('-' sorts below and '+' above every string).
    pub fn is_empty(&self) -> bool {
        fn key(b: &LexBound) -> (i8, &[u8]) {
            match b {
                LexBound::NegInf => (-1, b""),
                LexBound::PosInf => (1, b""),
                LexBound::Incl(s) | LexBound::Excl(s) => (0, s.as_ref()),
            }
        }
        let exclusive =
            matches!(self.min, LexBound::Excl(_)) || matches!(self.max, LexBound::Excl(_));
        match key(&self.min).cmp(&key(&self.max)) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => exclusive,
            std::cmp::Ordering::Less => false,
        }
    }

    pub fn lte_max(&self, v: &[u8]) -> bool {
        match &self.max {
            LexBound::PosInf => true,
            LexBound::NegInf => false,
            LexBound::Incl(s) => v <= s.as_ref(),
            LexBound::Excl(s) => v < s.as_ref(),
        }
    }
}

// ---- Lookups and shared reply shapes ----

/// The sorted set at `key` for reading (hit/miss counted), or WRONGTYPE.
fn read_zset<'a>(
    ks: &'a mut Keyspace,
    db: usize,
    key: &[u8],
    now: u64,
) -> Result<Option<&'a ZSetValue>, Reply> {
    ks.read_as(db, key, now).map_err(|_| wrongtype())
}

/// The sorted set at `key` for writing, or WRONGTYPE.
fn write_zset<'a>(
    ks: &'a mut Keyspace,
    db: usize,
    key: &[u8],
    now: u64,
) -> Result<Option<&'a mut ZSetValue>, Reply> {
    ks.write_as(db, key, now).map_err(|_| wrongtype())
}

/// Deletes `key` if it holds an empty sorted set.
fn delete_if_empty(ks: &mut Keyspace, db: usize, key: &[u8]) {
    ks.remove_if_empty::<ZSetValue>(db, key);
}

/// Deletes `key` if a removal emptied its sorted set, announcing `del`.
fn delete_if_empty_notify(ctx: &mut Ctx<'_>, key: &[u8]) {
    if ctx
        .keyspace
        .remove_if_empty::<ZSetValue>(ctx.session.db, key)
    {
        notify(ctx, notify::GENERIC, "del", key);
    }
}

/// Members (and scores) as the ZRANGE family replies: flat in RESP2, `[member, score]`
/// pairs in RESP3 when WITHSCORES.
fn range_reply(resp: u8, items: Vec<(Bytes, f64)>, withscores: bool) -> Reply {
    let mut out = Vec::with_capacity(items.len() * if withscores { 2 } else { 1 });
    for (m, s) in items {
        if !withscores {
            out.push(Reply::Bulk(m));
        } else if resp > 2 {
            out.push(Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)]));
        } else {
            out.push(Reply::Bulk(m));
            out.push(Reply::Double(s));
        }
    }
    Reply::Array(out)
}

/// A new sorted set holding `items`, built as the *STORE commands build theirs: the
/// result is listpack-encoded exactly when it fits zset-max-listpack-entries/value.
fn build_zset(ctx: &Ctx<'_>, items: &[(Bytes, f64)]) -> ZSetValue {
    let lim = limits(ctx);
    let mut z = ZSetValue::new(true, lim.hash_keys);
    for (m, s) in items {
        z.set(m, *s, lim);
    }
    z.shrink_encoding(lim.max_entries, lim.max_value);
    z
}

/// Stores `items` at `dst` (or deletes `dst` when there are none); replies the size.
/// `event` is the command's notification (`zrangestore`, `zunionstore`...).
fn store_items(ctx: &mut Ctx<'_>, dst: &Bytes, items: &[(Bytes, f64)], event: &str) -> CmdResult {
    let db = ctx.session.db;
    if items.is_empty() {
        if ctx.keyspace.remove(db, dst).is_some() {
            notify(ctx, notify::GENERIC, "del", dst);
            ctx.add_dirty(1);
        }
        return Ok(Reply::Integer(0));
    }
    let z = build_zset(ctx, items);
    let n = z.len();
    ctx.keyspace
        .set(db, dst.clone(), Value::zset(z), Ttl::Clear);
    notify(ctx, notify::ZSET, event, dst);
    ctx.add_dirty(1);
    Ok(Reply::Integer(n as i64))
}

// ---- ZADD / ZINCRBY ----

#[derive(Clone, Copy, Default)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

enum AddOutcome {
    /// Nothing done (NX on an existing member, XX on a missing one, GT/LT refused).
    Nop,
    Added(f64),
    Updated(f64),
    /// Processed, but the score did not change.
    Same(f64),
    Nan,
}

/// zsetAdd.
fn zset_add(z: &mut ZSetValue, score: f64, m: &Bytes, f: AddFlags, lim: Limits) -> AddOutcome {
    if score.is_nan() {
        return AddOutcome::Nan;
    }
    match z.score(m) {
        Some(cur) => {
            if f.nx {
                return AddOutcome::Nop;
            }
            let mut score = score;
            if f.incr {
                score += cur;
                if score.is_nan() {
                    return AddOutcome::Nan;
                }
            }
            if (f.lt && score >= cur) || (f.gt && score <= cur) {
                return AddOutcome::Nop;
            }
            if score != cur {
                z.set(m, score, lim);
                AddOutcome::Updated(score)
            } else {
                AddOutcome::Same(score)
            }
        }
        None if f.xx => AddOutcome::Nop,
        None => {
            z.set(m, score, lim);
            AddOutcome::Added(score)
        }
    }
}

/// zaddGenericCommand: ZADD, and ZINCRBY as ZADD INCR.
fn zadd_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], incr_cmd: bool) -> CmdResult {
    let mut f = AddFlags {
        incr: incr_cmd,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut idx = 2;
    while idx < argv.len() {
        let o = &argv[idx];
        if is(o, "nx") {
            f.nx = true;
        } else if is(o, "xx") {
            f.xx = true;
        } else if is(o, "ch") {
            ch = true;
        } else if is(o, "incr") {
            f.incr = true;
        } else if is(o, "gt") {
            f.gt = true;
        } else if is(o, "lt") {
            f.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let elements = argv.len() - idx;
    if elements % 2 == 1 || elements == 0 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let elements = elements / 2;
    if f.nx && f.xx {
        return Err(Reply::err(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if ((f.gt || f.lt) && f.nx) || (f.gt && f.lt) {
        return Err(Reply::err(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if f.incr && elements > 1 {
        return Err(Reply::err(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    let mut scores = Vec::with_capacity(elements);
    for j in 0..elements {
        match parse_score(&argv[idx + 2 * j]) {
            Some(s) => scores.push(s),
            None => return Err(Reply::err(ERR_NOT_FLOAT)),
        }
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let key = &argv[1];
    let lim = limits(ctx);
    let (maxe, maxv) = (lim.max_entries, lim.max_value);
    let nil = |f: AddFlags| {
        if f.incr {
            Reply::Null
        } else {
            Reply::Integer(0)
        }
    };
    if write_zset(ctx.keyspace, db, key, now)?.is_none() {
        if f.xx {
            return Ok(nil(f));
        }
        let listpack = !(maxe == 0 || maxv < argv[idx + 1].len() as u64);
        let z = ZSetValue::new(listpack, ctx.keyspace.hash_keys());
        ctx.keyspace
            .set(db, key.clone(), Value::zset(z), Ttl::Clear);
    }
    let Ok(Some(z)) = write_zset(ctx.keyspace, db, key, now) else {
        return Ok(nil(f));
    };
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last = 0.0;
    let mut nan = false;
    for (j, &score) in scores.iter().enumerate() {
        match zset_add(z, score, &argv[idx + 2 * j + 1], f, lim) {
            AddOutcome::Nop => {}
            AddOutcome::Added(s) => {
                added += 1;
                processed += 1;
                last = s;
            }
            AddOutcome::Updated(s) => {
                updated += 1;
                processed += 1;
                last = s;
            }
            AddOutcome::Same(s) => {
                processed += 1;
                last = s;
            }
            AddOutcome::Nan => {
                nan = true;
                break;
            }
        }
    }
    if added + updated > 0 {
        ctx.modified(key, (added + updated) as u64);
        let event = if f.incr { "zincr" } else { "zadd" };
        notify(ctx, notify::ZSET, event, key);
    }
    delete_if_empty(ctx.keyspace, db, key);
    if nan {
        return Err(Reply::err(ERR_NAN));
    }
    if f.incr {
        if processed > 0 {
            Ok(Reply::Double(last))
        } else {
            Ok(Reply::Null)
        }
    } else {
        Ok(Reply::Integer(if ch { added + updated } else { added }))
    }
}

fn zadd_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, false)
}

fn zincrby_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, true)
}

// ---- Single-key reads and ZREM ----

fn zrem_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let Some(z) = write_zset(ctx.keyspace, db, &argv[1], now)? else {
        return Ok(Reply::Integer(0));
    };
    let mut n = 0;
    for m in &argv[2..] {
        if z.remove(m).is_some() {
            n += 1;
            if z.is_empty() {
                break;
            }
        }
    }
    if n > 0 {
        ctx.modified(&argv[1], n as u64);
        notify(ctx, notify::ZSET, "zrem", &argv[1]);
    }
    delete_if_empty_notify(ctx, &argv[1]);
    Ok(Reply::Integer(n))
}

fn zcard_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let z = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Integer(z.map_or(0, |z| z.len() as i64)))
}

fn zscore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let z = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    match z.and_then(|z| z.score(&argv[2])) {
        Some(s) => Ok(Reply::Double(s)),
        None => Ok(Reply::Null),
    }
}

fn zmscore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let z = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|m| {
                z.and_then(|z| z.score(m))
                    .map_or(Reply::Null, Reply::Double)
            })
            .collect(),
    ))
}

fn zrank_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], rev: bool) -> CmdResult {
    let now = ctx.now_ms();
    let z = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    match z.and_then(|z| z.rank(&argv[2]).map(|r| (r, z.len()))) {
        Some((r, len)) => Ok(Reply::Integer(if rev { len - 1 - r } else { r } as i64)),
        None => Ok(Reply::Null),
    }
}

fn zrank_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrank_generic(ctx, argv, false)
}

fn zrevrank_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrank_generic(ctx, argv, true)
}

/// The ranks `[lo, hi)` of the elements inside a score range.
fn score_window(z: &ZSetValue, r: &ScoreRange) -> (usize, usize) {
    if r.is_empty() {
        return (0, 0);
    }
    let lo = z.count_before(|s, _| !r.gte_min(s));
    let hi = z.count_before(|s, _| r.lte_max(s));
    (lo, hi.max(lo))
}

/// The ranks `[lo, hi)` of the elements inside a lex range, found the way Redis finds
/// them. A lex range only has a meaning when all scores are equal, but Redis answers
/// whatever its scan finds otherwise, and clients see that answer. For a listpack
/// (small) sorted set that is a linear scan, reproduced exactly: `zzlIsInLexRange`,
/// then `zzlFirstInLexRange` (forward) or `zzlLastInLexRange` (reverse), then the run
/// of neighbours still inside the range. A skiplist's answer on mixed scores depends on
/// its random levels and cannot be reproduced; there the tree's ordered search is used,
/// which agrees with Redis whenever the scores are equal.
fn lex_window(z: &ZSetValue, r: &LexRange, reverse: bool) -> (usize, usize) {
    if z.encoding_name() != "listpack" {
        let lo = z.count_before(|_, m| !r.gte_min(m));
        let hi = z.count_before(|_, m| r.lte_max(m));
        return (lo, hi.max(lo));
    }
    let items = z.iter();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return (0, 0);
    };
    if r.is_empty() || !r.gte_min(&last.1) || !r.lte_max(&first.1) {
        return (0, 0);
    }
    if !reverse {
        let Some(lo) = items.iter().position(|(_, m)| r.gte_min(m)) else {
            return (0, 0);
        };
        let run = items[lo..].iter().take_while(|(_, m)| r.lte_max(m)).count();
        (lo, lo + run)
    } else {
        let Some(end) = items.iter().rposition(|(_, m)| r.lte_max(m)) else {
            return (0, 0);
        };
        let run = items[..=end]
            .iter()
            .rev()
            .take_while(|(_, m)| r.gte_min(m))
            .count();
        (end + 1 - run, end + 1)
    }
}

fn zcount_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(r) = ScoreRange::parse(&argv[2], &argv[3]) else {
        return Err(Reply::err(ERR_MINMAX_FLOAT));
    };
    let now = ctx.now_ms();
    let z = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Integer(z.map_or(0, |z| {
        let (lo, hi) = score_window(z, &r);
        (hi - lo) as i64
    })))
}

fn zlexcount_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(r) = LexRange::parse(&argv[2], &argv[3]) else {
        return Err(Reply::err(ERR_MINMAX_LEX));
    };
    let now = ctx.now_ms();
    let z = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)?;
    Ok(Reply::Integer(z.map_or(0, |z| {
        let (lo, hi) = lex_window(z, &r, false);
        (hi - lo) as i64
    })))
}

// ---- ZRANGE family ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// Rank window `[lo, hi)` for start/end indexes (negative from the end), or None when the
/// range is empty (genericZrangebyrankCommand's sanitising).
fn rank_window(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    let end = end.min(llen - 1);
    Some((start as usize, end as usize + 1))
}

/// The elements of ranks `[lo, hi)` after LIMIT offset/count, in reply order.
fn limited(
    z: &ZSetValue,
    lo: usize,
    hi: usize,
    rev: bool,
    offset: i64,
    limit: i64,
) -> Vec<(Bytes, f64)> {
    if offset < 0 || (offset > 0 && offset as u64 >= z.len() as u64) {
        return Vec::new();
    }
    let n = hi.saturating_sub(lo);
    let offset = (offset as u64).min(n as u64) as usize;
    let take = if limit < 0 {
        n - offset
    } else {
        (limit as u64).min((n - offset) as u64) as usize
    };
    let (a, b) = if rev {
        (hi - offset - take, hi - offset)
    } else {
        (lo + offset, lo + offset + take)
    };
    let mut items: Vec<(Bytes, f64)> = z.range(a, b).into_iter().map(|(s, m)| (m, s)).collect();
    if rev {
        items.reverse();
    }
    items
}

/// zrangeGenericCommand. `start` is the index of the source key; `dst` is ZRANGESTORE's.
fn zrange_generic(
    ctx: &mut Ctx<'_>,
    argv: &[Bytes],
    start: usize,
    dst: Option<&Bytes>,
    mut rtype: RangeType,
    mut dir: Direction,
) -> CmdResult {
    let key = &argv[start];
    let (mut minidx, mut maxidx) = (start + 1, start + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = start + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if dst.is_none() && is(a, "withscores") {
            withscores = true;
        } else if is(a, "limit") && left >= 2 {
            offset = arg_i64(&argv[j + 1])?;
            limit = arg_i64(&argv[j + 2])?;
            j += 2;
        } else if dir == Direction::Auto && is(a, "rev") {
            dir = Direction::Reverse;
        } else if rtype == RangeType::Auto && is(a, "bylex") {
            rtype = RangeType::Lex;
        } else if rtype == RangeType::Auto && is(a, "byscore") {
            rtype = RangeType::Score;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    let rev = dir == Direction::Reverse;
    if rtype == RangeType::Auto {
        rtype = RangeType::Rank;
    }
    if limit != -1 && rtype == RangeType::Rank {
        return Err(Reply::err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && rtype == RangeType::Lex {
        return Err(Reply::err(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    if rev && rtype != RangeType::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let spec = match rtype {
        RangeType::Score => match ScoreRange::parse(&argv[minidx], &argv[maxidx]) {
            Some(r) => Spec::Score(r),
            None => return Err(Reply::err(ERR_MINMAX_FLOAT)),
        },
        RangeType::Lex => match LexRange::parse(&argv[minidx], &argv[maxidx]) {
            Some(r) => Spec::Lex(r),
            None => return Err(Reply::err(ERR_MINMAX_LEX)),
        },
        _ => Spec::Rank(arg_i64(&argv[minidx])?, arg_i64(&argv[maxidx])?),
    };
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let items = match read_zset(ctx.keyspace, db, key, now)? {
        None => Vec::new(),
        Some(z) => match spec {
            Spec::Rank(s, e) => match rank_window(z.len(), s, e) {
                None => Vec::new(),
                Some((lo, hi)) if rev => {
                    let len = z.len();
                    limited(z, len - hi, len - lo, true, 0, -1)
                }
                Some((lo, hi)) => limited(z, lo, hi, false, 0, -1),
            },
            Spec::Score(r) => {
                let (lo, hi) = score_window(z, &r);
                limited(z, lo, hi, rev, offset, limit)
            }
            Spec::Lex(r) => {
                let (lo, hi) = lex_window(z, &r, rev);
                limited(z, lo, hi, rev, offset, limit)
            }
        },
    };
    match dst {
        Some(d) => store_items(ctx, d, &items, "zrangestore"),
        None => Ok(range_reply(ctx.session.resp, items, withscores)),
    }
}

fn zrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Auto, Direction::Auto)
}

fn zrangestore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(
        ctx,
        argv,
        2,
        Some(&argv[1]),
        RangeType::Auto,
        Direction::Auto,
    )
}

fn zrevrange_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Rank, Direction::Reverse)
}

fn zrangebyscore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Score, Direction::Forward)
}

fn zrevrangebyscore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Score, Direction::Reverse)
}

fn zrangebylex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Lex, Direction::Forward)
}

fn zrevrangebylex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Lex, Direction::Reverse)
}

// ---- ZREMRANGEBY* ----

fn zremrange_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], rtype: RangeType) -> CmdResult {
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let spec = match rtype {
        RangeType::Score => match ScoreRange::parse(&argv[2], &argv[3]) {
            Some(r) => Spec::Score(r),
            None => return Err(Reply::err(ERR_MINMAX_FLOAT)),
        },
        RangeType::Lex => match LexRange::parse(&argv[2], &argv[3]) {
            Some(r) => Spec::Lex(r),
            None => return Err(Reply::err(ERR_MINMAX_LEX)),
        },
        _ => Spec::Rank(arg_i64(&argv[2])?, arg_i64(&argv[3])?),
    };
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let Some(z) = write_zset(ctx.keyspace, db, &argv[1], now)? else {
        return Ok(Reply::Integer(0));
    };
    let (lo, hi) = match spec {
        Spec::Rank(s, e) => match rank_window(z.len(), s, e) {
            Some(w) => w,
            None => return Ok(Reply::Integer(0)),
        },
        Spec::Score(r) => score_window(z, &r),
        Spec::Lex(r) => lex_window(z, &r, false),
    };
    let doomed = z.range(lo, hi);
    for (_, m) in &doomed {
        z.remove(m);
    }
    if !doomed.is_empty() {
        ctx.modified(&argv[1], doomed.len() as u64);
        let event = match rtype {
            RangeType::Score => "zremrangebyscore",
            RangeType::Lex => "zremrangebylex",
            _ => "zremrangebyrank",
        };
        notify(ctx, notify::ZSET, event, &argv[1]);
    }
    delete_if_empty_notify(ctx, &argv[1]);
    Ok(Reply::Integer(doomed.len() as i64))
}

fn zremrangebyrank_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, argv, RangeType::Rank)
}

fn zremrangebyscore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, argv, RangeType::Score)
}

fn zremrangebylex_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, argv, RangeType::Lex)
}

// ---- Pops ----

fn zpop_minmax(ctx: &mut Ctx<'_>, argv: &[Bytes], where_: PopWhere) -> CmdResult {
    if argv.len() > 3 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let count = match argv.get(2) {
        Some(a) => Some(arg_positive(a)? as u64),
        None => None,
    };
    let nested = ctx.session.resp > 2 && count.is_some();
    let now = ctx.now_ms();
    let db = ctx.session.db;
    match zpop(ctx.keyspace, db, &argv[1], now, where_, count.unwrap_or(1))? {
        None => Ok(Reply::Array(vec![])),
        Some(items) => {
            ctx.add_dirty(items.len() as u64);
            Ok(Reply::Array(pairs_reply(items, nested)))
        }
    }
}

fn zpopmin_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zpop_minmax(ctx, argv, PopWhere::Min)
}

fn zpopmax_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zpop_minmax(ctx, argv, PopWhere::Max)
}

fn zmpop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (keys, where_, count) = parse_zset_mpop(argv, 1)?;
    let now = ctx.now_ms();
    let db = ctx.session.db;
    for k in keys {
        if let Some(items) = zpop(ctx.keyspace, db, k, now, where_, count)? {
            // Replicated as ZPOPMIN/ZPOPMAX with the count popped.
            ctx.add_dirty(items.len() as u64);
            ctx.propagate_as(zpop_argv(where_, k, Some(items.len())));
            return Ok(Reply::Array(vec![
                Reply::Bulk(k.clone()),
                Reply::Array(pairs_reply(items, true)),
            ]));
        }
    }
    Ok(Reply::NullArray)
}

// ---- ZRANDMEMBER ----

fn zrandmember_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let resp = ctx.session.resp;
    if argv.len() < 3 {
        let rng = &mut ctx.server.rng;
        let Some(z) = read_zset(ctx.keyspace, db, &argv[1], now)? else {
            return Ok(Reply::Null);
        };
        let r = (rng.next_u64() % z.len().max(1) as u64) as usize;
        return Ok(z.select(r).map_or(Reply::Null, |(_, m)| Reply::Bulk(m)));
    }
    let count = arg_range(&argv[2], -i64::MAX, i64::MAX, None)?;
    let mut withscores = false;
    if argv.len() > 4 || (argv.len() == 4 && !is(&argv[3], "withscores")) {
        return Err(Reply::err(ERR_SYNTAX));
    } else if argv.len() == 4 {
        withscores = true;
        if !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(Reply::err("ERR value is out of range"));
        }
    }
    let rng = &mut ctx.server.rng;
    let session = &mut *ctx.session;
    let Some(z) = read_zset(ctx.keyspace, db, &argv[1], now)? else {
        return Ok(Reply::Array(vec![]));
    };
    let size = z.len() as u64;
    let pick = |r: usize| z.select(r).map(|(s, m)| (m, s));
    if size > 0 && (count < 0 || count == 1) {
        // With repetition: as many draws as the client asked, a client-sized reply.
        let draws = count.unsigned_abs();
        let per_draw = if withscores && resp <= 2 { 2 } else { 1 };
        let mut reply = ClientSized::new(session, draws, per_draw)?;
        for _ in 0..draws {
            let Some((m, s)) = pick((rng.next_u64() % size) as usize) else {
                break;
            };
            let (m, s) = (Reply::Bulk(m), Reply::Double(s));
            match (withscores, resp > 2) {
                (false, _) => reply.push(session, m)?,
                (true, true) => reply.push(session, Reply::Array(vec![m, s]))?,
                (true, false) => {
                    reply.push(session, m)?;
                    reply.push(session, s)?;
                }
            }
        }
        return Ok(reply.finish());
    }
    let items: Vec<(Bytes, f64)> = if count == 0 || size == 0 {
        Vec::new()
    } else if count as u64 >= size {
        // The whole set, highest rank first (what 7.0 replies, checked on the server).
        let mut all: Vec<(Bytes, f64)> = z.iter().into_iter().map(|(s, m)| (m, s)).collect();
        all.reverse();
        all
    } else {
        // Distinct random ranks, in the order they were drawn.
        let count = count as u64;
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(count as usize);
        while (out.len() as u64) < count {
            let r = (rng.next_u64() % size) as usize;
            if seen.insert(r) {
                out.extend(pick(r));
            }
        }
        out
    };
    Ok(range_reply(resp, items, withscores))
}

// ---- ZUNION / ZINTER / ZDIFF and their STORE / CARD forms ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// An input of the set operations: a sorted set, or a plain set whose scores are 1.
enum Source {
    Missing,
    Z(ZSetValue),
    S(SetValue),
}

impl Source {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Z(z) => z.len(),
            Source::S(s) => s.len(),
        }
    }

    fn find(&self, m: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Z(z) => z.score(m),
            Source::S(s) => s.contains(m).then_some(1.0),
        }
    }

    fn items(&self) -> Vec<(Bytes, f64)> {
        match self {
            Source::Missing => Vec::new(),
            Source::Z(z) => z.iter().into_iter().map(|(s, m)| (m, s)).collect(),
            Source::S(s) => s.members().map(|m| (m, 1.0)).collect(),
        }
    }
}

/// zunionInterAggregate.
fn aggregate(target: &mut f64, val: f64, agg: Aggregate) {
    match agg {
        Aggregate::Sum => {
            *target += val;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// zunionInterDiffGenericCommand.
fn zsetop_generic(
    ctx: &mut Ctx<'_>,
    argv: &[Bytes],
    numkeys_idx: usize,
    dst: Option<&Bytes>,
    op: SetOp,
    card_only: bool,
    name: &str,
) -> CmdResult {
    let setnum = arg_i64(&argv[numkeys_idx])?;
    if setnum < 1 {
        return Err(Reply::error(format!(
            "ERR at least 1 input key is needed for '{name}' command"
        )));
    }
    if setnum as u64 > (argv.len() - (numkeys_idx + 1)) as u64 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let setnum = setnum as usize;
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let mut srcs: Vec<(Source, f64)> = Vec::with_capacity(setnum);
    for k in &argv[numkeys_idx + 1..numkeys_idx + 1 + setnum] {
        // lookupKeyRead for the *STORE forms too (a missing source is a `keymiss`).
        let v = ctx.keyspace.lookup_read(db, k, now);
        let src = match v {
            None => Source::Missing,
            Some(Value::ZSet(z)) => Source::Z(z.as_ref().clone()),
            Some(Value::Set(s)) => Source::S(s.as_ref().clone()),
            Some(_) => return Err(wrongtype()),
        };
        srcs.push((src, 1.0));
    }
    let mut agg = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0u64;
    let mut j = numkeys_idx + 1 + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let a = &argv[j];
        let full = op != SetOp::Diff && !card_only;
        if full && remaining > setnum && is(a, "weights") {
            j += 1;
            for src in srcs.iter_mut() {
                match parse_score(&argv[j]) {
                    Some(w) => src.1 = w,
                    None => return Err(Reply::err("ERR weight value is not a float")),
                }
                j += 1;
            }
        } else if full && remaining >= 2 && is(a, "aggregate") {
            let v = &argv[j + 1];
            agg = if is(v, "sum") {
                Aggregate::Sum
            } else if is(v, "min") {
                Aggregate::Min
            } else if is(v, "max") {
                Aggregate::Max
            } else {
                return Err(Reply::err(ERR_SYNTAX));
            };
            j += 2;
        } else if dst.is_none() && !card_only && is(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is(a, "limit") {
            limit = match arg_i64(&argv[j + 1]) {
                Ok(l) if l >= 0 => l as u64,
                _ => return Err(Reply::err("ERR LIMIT can't be negative")),
            };
            j += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    let mut result: Vec<(Bytes, f64)> = Vec::new();
    let mut cardinality = 0u64;
    match op {
        SetOp::Inter => {
            srcs.sort_by_key(|(s, _)| s.len());
            if srcs[0].0.len() > 0 {
                for (m, s0) in srcs[0].0.items() {
                    let mut score = srcs[0].1 * s0;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    let mut all = true;
                    for (src, w) in &srcs[1..] {
                        match src.find(&m) {
                            Some(v) => aggregate(&mut score, v * w, agg),
                            None => {
                                all = false;
                                break;
                            }
                        }
                    }
                    if !all {
                        continue;
                    }
                    if card_only {
                        cardinality += 1;
                        if limit > 0 && cardinality >= limit {
                            break;
                        }
                    } else {
                        result.push((m, score));
                    }
                }
            }
        }
        SetOp::Union => {
            srcs.sort_by_key(|(s, _)| s.len());
            let mut acc: BTreeMap<Bytes, f64> = BTreeMap::new();
            for (src, w) in &srcs {
                for (m, s) in src.items() {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(&m) {
                        Some(t) => aggregate(t, score, agg),
                        None => {
                            acc.insert(m, score);
                        }
                    }
                }
            }
            result = acc.into_iter().collect();
        }
        SetOp::Diff => {
            for (m, s) in srcs[0].0.items() {
                if !srcs[1..].iter().any(|(src, _)| src.find(&m).is_some()) {
                    result.push((m, s));
                }
            }
        }
    }
    if card_only {
        return Ok(Reply::Integer(cardinality as i64));
    }
    result.sort_by(|a, b| cmp_entry((a.1, &a.0), (b.1, &b.0)));
    match dst {
        Some(d) => store_items(ctx, d, &result, name),
        None => Ok(range_reply(ctx.session.resp, result, withscores)),
    }
}

fn zunion_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(ctx, argv, 1, None, SetOp::Union, false, "zunion")
}

fn zinter_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(ctx, argv, 1, None, SetOp::Inter, false, "zinter")
}

fn zdiff_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(ctx, argv, 1, None, SetOp::Diff, false, "zdiff")
}

fn zunionstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(
        ctx,
        argv,
        2,
        Some(&argv[1]),
        SetOp::Union,
        false,
        "zunionstore",
    )
}

fn zinterstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(
        ctx,
        argv,
        2,
        Some(&argv[1]),
        SetOp::Inter,
        false,
        "zinterstore",
    )
}

fn zdiffstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(
        ctx,
        argv,
        2,
        Some(&argv[1]),
        SetOp::Diff,
        false,
        "zdiffstore",
    )
}

fn zintercard_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    zsetop_generic(ctx, argv, 1, None, SetOp::Inter, true, "zintercard")
}

// ---- ZSCAN ----

fn zscan_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut cursor = scan_cursor(&argv[2])?;
    let now = ctx.now_ms();
    let Some(z) = read_zset(ctx.keyspace, ctx.session.db, &argv[1], now)? else {
        return Ok(empty_scan());
    };
    let opts = scan_opts(argv, 3, false)?;
    let (count, pattern) = (opts.count, opts.pattern);
    let mut found: Vec<(Bytes, f64)> = Vec::new();
    if z.is_listpack() {
        // A listpack is returned whole in one call.
        found = z.iter().into_iter().map(|(s, m)| (m, s)).collect();
        cursor = 0;
    } else {
        let mut max_iterations = count.saturating_mul(10);
        loop {
            cursor = z.scan(cursor, |k, v| found.push((k, v)));
            if cursor == 0 || max_iterations == 0 || found.len() as u64 >= count {
                break;
            }
            max_iterations -= 1;
        }
    }
    let mut items = Vec::with_capacity(found.len() * 2);
    for (m, s) in found {
        if pattern
            .as_ref()
            .is_none_or(|p| stringmatchlen(p, &m, false))
        {
            items.push(Reply::Bulk(m));
            items.push(Reply::bulk(d2string(s)));
        }
    }
    Ok(scan_reply(cursor, items))
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("zadd", -4, WRITE | DENYOOM | FAST, Group::SortedSet, zadd_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("1.2.0", "Add one or more members to a sorted set, or update its score if it already exists", "O(log(N)) for each item added, where N is the number of elements in the sorted set.")
        .history(&[("2.4.0", "Accepts multiple elements."), ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."), ("6.2.0", "Added the `GT` and `LT` options.")]),
    cmd("zcard", 2, READONLY | FAST, Group::SortedSet, zcard_cmd).keys(&[key(1, RO)])
        .doc("1.2.0", "Get the number of members in a sorted set", "O(1)"),
    cmd("zcount", 4, READONLY | FAST, Group::SortedSet, zcount_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.0.0", "Count the members in a sorted set with scores within the given values", "O(log(N)) with N being the number of elements in the sorted set."),
    cmd("zdiff", -3, READONLY, Group::SortedSet, zdiff_cmd).keys(&[keynum(1, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("6.2.0", "Subtract multiple sorted sets", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."),
    cmd("zdiffstore", -4, WRITE | DENYOOM, Group::SortedSet, zdiffstore_cmd).keys(&[key(1, OW | UPDATE), keynum(2, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 1, count: 2, first: 3, step: 1 })
        .doc("6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."),
    cmd("zincrby", 4, WRITE | DENYOOM | FAST, Group::SortedSet, zincrby_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("1.2.0", "Increment the score of a member in a sorted set", "O(log(N)) where N is the number of elements in the sorted set."),
    cmd("zinter", -3, READONLY, Group::SortedSet, zinter_cmd).keys(&[keynum(1, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("6.2.0", "Intersect multiple sorted sets", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."),
    cmd("zintercard", -3, READONLY, Group::SortedSet, zintercard_cmd).keys(&[keynum(1, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("7.0.0", "Intersect multiple sorted sets and return the cardinality of the result", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."),
    cmd("zinterstore", -4, WRITE | DENYOOM, Group::SortedSet, zinterstore_cmd).keys(&[key(1, OW | UPDATE), keynum(2, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 1, count: 2, first: 3, step: 1 })
        .doc("2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."),
    cmd("zlexcount", 4, READONLY | FAST, Group::SortedSet, zlexcount_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.8.9", "Count the number of members in a sorted set between a given lexicographical range", "O(log(N)) with N being the number of elements in the sorted set."),
    cmd("zmpop", -4, WRITE, Group::SortedSet, zmpop_cmd).keys(&[keynum(1, RW | ACCESS | DELETE)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("7.0.0", "Remove and return members with scores in a sorted set", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."),
    cmd("zmscore", -3, READONLY | FAST, Group::SortedSet, zmscore_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("6.2.0", "Get the score associated with the given members in a sorted set", "O(N) where N is the number of members being requested."),
    cmd("zpopmax", -2, WRITE | FAST, Group::SortedSet, zpopmax_cmd).keys(&[key(1, RW | ACCESS | DELETE)])
        .doc("5.0.0", "Remove and return members with the highest scores in a sorted set", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."),
    cmd("zpopmin", -2, WRITE | FAST, Group::SortedSet, zpopmin_cmd).keys(&[key(1, RW | ACCESS | DELETE)])
        .doc("5.0.0", "Remove and return members with the lowest scores in a sorted set", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."),
    cmd("zrandmember", -2, READONLY, Group::SortedSet, zrandmember_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("6.2.0", "Get one or multiple random elements from a sorted set", "O(N) where N is the number of elements returned"),
    cmd("zrange", -4, READONLY, Group::SortedSet, zrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.2.0", "Return a range of members in a sorted set", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.")
        .history(&[("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.")]),
    cmd("zrangebylex", -4, READONLY, Group::SortedSet, zrangebylex_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.8.9", "Return a range of members in a sorted set, by lexicographical range", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").deprecated("6.2.0", "`ZRANGE` with the `BYLEX` argument"),
    cmd("zrangebyscore", -4, READONLY, Group::SortedSet, zrangebyscore_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.0.5", "Return a range of members in a sorted set, by score", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").deprecated("6.2.0", "`ZRANGE` with the `BYSCORE` argument")
        .history(&[("2.0.0", "Added the `WITHSCORES` modifier.")]),
    cmd("zrangestore", -5, WRITE | DENYOOM, Group::SortedSet, zrangestore_cmd).keys(&[key(1, OW | UPDATE), key(2, RO | ACCESS)])
        .doc("6.2.0", "Store a range of members from sorted set into another key", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."),
    cmd("zrank", 3, READONLY | FAST, Group::SortedSet, zrank_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.0.0", "Determine the index of a member in a sorted set", "O(log(N))"),
    cmd("zrem", -3, WRITE | FAST, Group::SortedSet, zrem_cmd).keys(&[key(1, RW | DELETE)])
        .doc("1.2.0", "Remove one or more members from a sorted set", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.")
        .history(&[("2.4.0", "Accepts multiple elements.")]),
    cmd("zremrangebylex", 4, WRITE, Group::SortedSet, zremrangebylex_cmd).keys(&[key(1, RW | DELETE)])
        .doc("2.8.9", "Remove all members in a sorted set between the given lexicographical range", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."),
    cmd("zremrangebyrank", 4, WRITE, Group::SortedSet, zremrangebyrank_cmd).keys(&[key(1, RW | DELETE)])
        .doc("2.0.0", "Remove all members in a sorted set within the given indexes", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."),
    cmd("zremrangebyscore", 4, WRITE, Group::SortedSet, zremrangebyscore_cmd).keys(&[key(1, RW | DELETE)])
        .doc("1.2.0", "Remove all members in a sorted set within the given scores", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."),
    cmd("zrevrange", -4, READONLY, Group::SortedSet, zrevrange_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.").deprecated("6.2.0", "`ZRANGE` with the `REV` argument"),
    cmd("zrevrangebylex", -4, READONLY, Group::SortedSet, zrevrangebylex_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYLEX` arguments"),
    cmd("zrevrangebyscore", -4, READONLY, Group::SortedSet, zrevrangebyscore_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYSCORE` arguments")
        .history(&[("2.1.6", "`min` and `max` can be exclusive.")]),
    cmd("zrevrank", 3, READONLY | FAST, Group::SortedSet, zrevrank_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", "O(log(N))"),
    cmd("zscan", -3, READONLY, Group::SortedSet, zscan_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("2.8.0", "Incrementally iterate sorted sets elements and associated scores", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."),
    cmd("zscore", 3, READONLY | FAST, Group::SortedSet, zscore_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("1.2.0", "Get the score associated with the given member in a sorted set", "O(1)"),
    cmd("zunion", -3, READONLY, Group::SortedSet, zunion_cmd).keys(&[keynum(1, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 0, count: 1, first: 2, step: 1 })
        .doc("6.2.0", "Add multiple sorted sets", "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."),
    cmd("zunionstore", -4, WRITE | DENYOOM, Group::SortedSet, zunionstore_cmd).keys(&[key(1, OW | UPDATE), keynum(2, RO | ACCESS)]).getkeys(GetKeys::NumKeys { store: 1, count: 2, first: 3, step: 1 })
        .doc("2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{b, e, i, Harness};

    fn d(v: f64) -> Reply {
        Reply::Double(v)
    }

    #[test]
    fn zadd_flags_and_replies() {
        let mut h = Harness::new();
        assert_eq!(h.run("ZADD z 1 a 2 b"), i(2));
        assert_eq!(h.run("ZADD z CH 3 a 1 c"), i(2));
        assert_eq!(h.run("ZADD z XX 5 nope"), i(0));
        assert_eq!(h.run("ZADD z INCR 2 a"), d(5.0));
        assert_eq!(h.run("ZADD z INCR NX 2 a"), Reply::Null);
        assert_eq!(h.run("ZADD z GT 1 a"), i(0));
        assert_eq!(h.run("ZSCORE z a"), d(5.0));
        assert_eq!(
            h.run("ZADD z NX XX 1 a"),
            e("ERR XX and NX options at the same time are not compatible")
        );
        assert_eq!(h.run("ZADD z 1 a 2"), e("ERR syntax error"));
        assert_eq!(h.run("ZADD z nan a"), e("ERR value is not a valid float"));
        assert_eq!(h.run("ZADD z inf a"), i(0));
        assert_eq!(
            h.run("ZINCRBY z -inf a"),
            e("ERR resulting score is not a number (NaN)")
        );
        assert_eq!(h.run("ZADD nokey XX 1 a"), i(0));
        assert_eq!(h.run("EXISTS nokey"), i(0));
        assert_eq!(h.run("ZCARD z"), i(3));
    }

    #[test]
    fn ranges_and_rank() {
        let mut h = Harness::new();
        h.run("ZADD z 1 a 2 b 3 c 4 d");
        assert_eq!(h.run("ZRANGE z 1 2"), Reply::Array(vec![b("b"), b("c")]));
        assert_eq!(h.run("ZRANGE z 0 0 REV"), Reply::Array(vec![b("d")]));
        assert_eq!(
            h.run("ZRANGEBYSCORE z (1 3 WITHSCORES"),
            Reply::Array(vec![b("b"), d(2.0), b("c"), d(3.0)])
        );
        assert_eq!(
            h.run("ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2"),
            Reply::Array(vec![b("c"), b("b")])
        );
        assert_eq!(
            h.run("ZRANGEBYLEX z [b (d"),
            Reply::Array(vec![b("b"), b("c")])
        );
        assert_eq!(h.run("ZREVRANK z a"), i(3));
        assert_eq!(h.run("ZCOUNT z (1 +inf"), i(3));
        assert_eq!(h.run("ZLEXCOUNT z - +"), i(4));
        h.session.resp = 3;
        assert_eq!(
            h.run("ZRANGE z 0 0 WITHSCORES"),
            Reply::Array(vec![Reply::Array(vec![b("a"), d(1.0)])])
        );
    }

    #[test]
    fn pops_delete_emptied_keys() {
        let mut h = Harness::new();
        h.run("ZADD z 1 a 2 b 3 c");
        assert_eq!(h.run("ZPOPMAX z"), Reply::Array(vec![b("c"), d(3.0)]));
        assert_eq!(
            h.run("ZMPOP 2 nokey z MIN COUNT 5"),
            Reply::Array(vec![
                b("z"),
                Reply::Array(vec![
                    Reply::Array(vec![b("a"), d(1.0)]),
                    Reply::Array(vec![b("b"), d(2.0)]),
                ]),
            ])
        );
        assert_eq!(h.run("EXISTS z"), i(0));
        assert_eq!(h.run("ZMPOP 1 z MIN"), Reply::NullArray);
        h.run("SET s x");
        assert!(h.run("ZPOPMIN s 0").is_error());
        let mut h2 = Harness::new();
        h2.run("ZADD z 1 a");
        let got = zpop(&mut h2.keyspace, 0, b"z", T0_MS_FOR_TEST, PopWhere::Max, 9).unwrap();
        assert_eq!(got, Some(vec![(Bytes::from("a"), 1.0)]));
        assert_eq!(h2.keyspace.dbsize(0), 0);
    }

    const T0_MS_FOR_TEST: u64 = crate::cmd::testkit::T0_MS;

    #[test]
    fn set_operations_take_sets_too() {
        let mut h = Harness::new();
        h.run("ZADD a 1 x 2 y");
        h.run("SADD s y z");
        assert_eq!(
            h.run("ZUNION 2 a s WITHSCORES"),
            Reply::Array(vec![b("x"), d(1.0), b("z"), d(1.0), b("y"), d(3.0)])
        );
        assert_eq!(h.run("ZINTERCARD 2 a s"), i(1));
        assert_eq!(h.run("ZDIFFSTORE d 2 a s"), i(1));
        assert_eq!(h.run("OBJECT ENCODING d"), b("listpack"));
        assert_eq!(h.run("ZINTERSTORE d 2 a nokey"), i(0));
        assert_eq!(h.run("EXISTS d"), i(0));
    }

    #[test]
    fn hostile_counts_never_panic() {
        let mut h = Harness::new();
        h.run("ZADD z 1 a 2 b 3 c");
        for line in [
            "ZRANDMEMBER z -9223372036854775808",
            "ZRANDMEMBER z -9223372036854775807",
            "ZRANDMEMBER z 9223372036854775807",
            "ZRANDMEMBER z -4611686018427387903 WITHSCORES",
            "ZRANDMEMBER z 2",
            "ZRANDMEMBER z -2 WITHSCORES",
            "ZRANGEBYSCORE z -inf +inf LIMIT 9223372036854775807 9223372036854775807",
            "ZREVRANGEBYSCORE z +inf -inf LIMIT 2 9223372036854775807",
            "ZRANGEBYLEX z - + LIMIT -9223372036854775808 -1",
            "ZRANGE z -9223372036854775808 9223372036854775807",
            "ZRANGE z 9223372036854775807 -9223372036854775808 REV",
            "ZREMRANGEBYRANK z -9223372036854775808 -9223372036854775808",
            "ZPOPMIN z 9223372036854775807",
            "ZADD z 1 a 2 b 3 c",
            "ZMPOP 9223372036854775807 z MIN",
            "ZMPOP 1 z MAX COUNT 9223372036854775807",
            "ZUNION 9223372036854775807 z",
            "ZINTERCARD 1 z LIMIT 9223372036854775807",
            "ZSCAN z 18446744073709551615 COUNT 9223372036854775807",
            "ZADD z 0x1p99999 a",
            "ZRANGEBYSCORE z ( (",
            "ZRANGESTORE d z 0 -1 BYSCORE LIMIT 0 -1",
        ] {
            let _ = h.run(line);
        }
        h.run("ZADD z 1 a");
        // With repetition, a count no reply could hold is refused, not allocated.
        assert!(h.run("ZRANDMEMBER z -9223372036854775807").is_error());
    }

    #[test]
    fn range_parsing_follows_zslparserange() {
        let r = ScoreRange::parse(b"(1", b"+inf").unwrap();
        assert!(r.minex && !r.maxex && r.min == 1.0 && r.max == f64::INFINITY);
        assert_eq!(
            ScoreRange::parse(b"", b" 5").map(|r| (r.min, r.max)),
            Some((0.0, 5.0))
        );
        assert_eq!(
            ScoreRange::parse(b"1e400", b"(").map(|r| r.min),
            Some(f64::INFINITY)
        );
        assert!(ScoreRange::parse(b"nan", b"1").is_none());
        assert!(ScoreRange::parse(b"  ", b"1").is_none());
        assert!(ScoreRange::parse(b"1x", b"1").is_none());
        let l = LexRange::parse(&Bytes::from("[a"), &Bytes::from("(c")).unwrap();
        assert!(l.gte_min(b"a") && l.lte_max(b"b") && !l.lte_max(b"c"));
        assert!(LexRange::parse(&Bytes::from("a"), &Bytes::from("+")).is_none());
        assert!(LexRange::parse(&Bytes::from("+x"), &Bytes::from("+")).is_none());
    }
}
