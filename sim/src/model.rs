//! The reference model: a plain sequential description of what each workload command
//! does to the keys it touches, for the linearizability checker.
//!
//! Time is part of the model because of TTLs. An op is known to take effect at some
//! instant of its window `[call, return]`, so whether a key with a TTL is still alive at
//! that instant may be uncertain; the model then allows both (a non-deterministic step).
//! A relative TTL set at an uncertain instant is an uncertain deadline, kept as an
//! interval of milliseconds. Redis's rule is that a key is expired when `now > when`.
//!
//! Values are typed as in Redis: strings, lists, hashes, sets and sorted sets. A command
//! of one family on a key holding another type answers WRONGTYPE and changes nothing; an
//! aggregate emptied by a removal is deleted; modifying an aggregate keeps its TTL.
//! Sorted-set scores are integers (the workload only sends small integral scores and
//! increments, which doubles represent exactly and Redis prints as plain integers).

use crate::bitmodel;
use crate::checker::hash::fx_hash;
use crate::checker::Model;
use crate::workload::{
    key_name, limited_denial, Cmd, KeyId, SetCond, TimedCmd, XId, LOCK_EXTEND_SCRIPT,
    LOCK_REACQUIRE_SCRIPT, LOCK_RELEASE_SCRIPT,
};
use bytes::Bytes;
use seedis::resp::Reply;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A key's value, typed as in Redis. Aggregates are never empty (an emptied one is
/// deleted). Sorted-set scores are integers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MValue {
    Str(Bytes),
    List(Vec<Bytes>),
    Hash(BTreeMap<Bytes, Bytes>),
    Set(BTreeSet<Bytes>),
    ZSet(BTreeMap<Bytes, i64>),
    /// A HyperLogLog (a string in Redis) as its non-zero registers: the model's own
    /// plain state, so bugs in Redis's sparse/dense encoding, promotion or merging show;
    /// and whether its cached cardinality is valid (a PFCOUNT that recomputes it writes
    /// the key, which WATCH sees).
    Hll(BTreeMap<u16, u8>, bool),
    Stream(MStream),
}

/// A stream entry: its ID (ms, seq) and its field-value pairs.
pub type MStreamEntry = ((u64, u64), Vec<(Bytes, Bytes)>);

/// A stream: its entries in ID order and its last ID (which XDEL and trimming leave
/// where it is). Never deleted for being empty, as in Redis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MStream {
    pub entries: Vec<MStreamEntry>,
    pub last: (u64, u64),
    /// An `XADD *` whose reply never came may have run at any later instant, with an ID
    /// no one saw: from then on the stream's contents are not predicted (its replies are
    /// accepted as they come) until the key is deleted.
    pub uncertain: bool,
}

impl MValue {
    fn type_name(&self) -> &'static str {
        match self {
            MValue::Str(_) => "string",
            MValue::List(_) => "list",
            MValue::Hash(_) => "hash",
            MValue::Set(_) => "set",
            MValue::ZSet(_) => "zset",
            MValue::Hll(..) => "string",
            MValue::Stream(_) => "stream",
        }
    }

    fn is_empty_aggregate(&self) -> bool {
        !matches!(self, MValue::Str(_) | MValue::Hll(..) | MValue::Stream(_)) && self.len() == 0
    }

    /// The elements of an aggregate (a string is not one: 0).
    fn len(&self) -> usize {
        match self {
            MValue::Str(_) => 0,
            MValue::List(l) => l.len(),
            MValue::Hash(h) => h.len(),
            MValue::Set(s) => s.len(),
            MValue::ZSet(z) => z.len(),
            MValue::Hll(..) => 0,
            MValue::Stream(st) => st.entries.len(),
        }
    }

    /// Removes a hash field or a (sorted-)set member: whether it was there. Strings and
    /// lists have no such items.
    fn remove_item(&mut self, item: &Bytes) -> bool {
        match self {
            MValue::Hash(h) => h.remove(item).is_some(),
            MValue::Set(s) => s.remove(item),
            MValue::ZSet(z) => z.remove(item).is_some(),
            MValue::Str(_) | MValue::List(_) | MValue::Hll(..) | MValue::Stream(_) => false,
        }
    }
}

/// A value shared by every model state that holds it, with its hash computed once.
///
/// The checker clones, hashes and compares states far more often than the model changes
/// them: most steps are reads, or change one key of several. Sharing makes a state's clone
/// a reference-count bump per key, and the cached hash makes hashing it O(keys) instead of
/// O(elements). Mutation goes through [`SharedValue::make_mut`] alone, which copies the
/// value if another state holds it and forgets the cached hash.
pub struct SharedValue(Arc<HashedValue>);

struct HashedValue {
    value: MValue,
    /// `fx_hash(value) | 1`, or 0 while not computed yet.
    hash: AtomicU64,
}

impl Clone for HashedValue {
    fn clone(&self) -> Self {
        HashedValue {
            value: self.value.clone(),
            hash: AtomicU64::new(self.hash.load(Ordering::Relaxed)),
        }
    }
}

impl SharedValue {
    pub fn new(value: MValue) -> SharedValue {
        SharedValue(Arc::new(HashedValue {
            value,
            hash: AtomicU64::new(0),
        }))
    }

    /// The value, for changing: unshared first if another state holds it.
    pub fn make_mut(&mut self) -> &mut MValue {
        let inner = Arc::make_mut(&mut self.0);
        *inner.hash.get_mut() = 0;
        &mut inner.value
    }

    fn content_hash(&self) -> u64 {
        let cached = self.0.hash.load(Ordering::Relaxed);
        if cached != 0 {
            return cached;
        }
        let hash = fx_hash(&self.0.value) | 1;
        self.0.hash.store(hash, Ordering::Relaxed);
        hash
    }
}

impl Clone for SharedValue {
    fn clone(&self) -> Self {
        SharedValue(Arc::clone(&self.0))
    }
}

impl std::ops::Deref for SharedValue {
    type Target = MValue;
    fn deref(&self) -> &MValue {
        &self.0.value
    }
}

impl PartialEq for SharedValue {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.content_hash() == other.content_hash() && self.0.value == other.0.value)
    }
}

impl Eq for SharedValue {}

impl Hash for SharedValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.content_hash());
    }
}

impl std::fmt::Debug for SharedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.value.fmt(f)
    }
}

/// A key's value and, if it has one, its deadline as an interval `[lo, hi]` of ms.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub value: SharedValue,
    pub expire: Option<(u64, u64)>,
}

impl Entry {
    fn string(value: Bytes) -> Entry {
        Entry {
            value: SharedValue::new(MValue::Str(value)),
            expire: None,
        }
    }
}

/// The error of a script whose `redis.call` met a key of another type on `line`.
fn script_wrongtype(script: &str, line: u32) -> Reply {
    let sha = seedis::script::lua_env::sha1_hex(script.as_bytes());
    Reply::error(format!(
        "WRONGTYPE Operation against a key holding the wrong kind of value script: {sha}, on @user_script:{line}."
    ))
}

/// One connection's WATCH of a key (Redis's `watchedKey`) and whether the key was
/// touched since (Redis keeps one CLIENT_DIRTY_CAS flag per client; EXEC aborts if any of
/// its connection's entries is dirty, which is the same).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Watch {
    pub key: KeyId,
    pub conn: u64,
    pub dirty: Dirty,
}

/// Whether a watched key was touched since WATCH. Exact, as Redis 7.0 signals: a write
/// that changed nothing (a duplicate SADD, ZINCRBY 0, SREM of an absent member, a failed
/// SET NX, a WRONGTYPE error) leaves a watcher clean (`tests/diff_watch_noop_writes.rs`
/// checks seedis against redis-server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dirty {
    No,
    Yes,
}

/// A client blocked by BLPOP on an empty key, and what a push served it, if any yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Waiter {
    pub key: KeyId,
    pub conn: u64,
    /// The earliest instant (ms) its timeout may fire: the BLPOP's call plus its timeout.
    pub deadline: u64,
    pub served: Option<Bytes>,
    /// Its reply never came (the connection died): no end op follows, and the server
    /// drops it at some point, which the model leaves open.
    pub dead: bool,
}

/// The state of the keys of one partition, sorted by key, the WATCHes on them and the
/// clients blocked on them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct State {
    pub keys: Vec<(KeyId, Entry)>,
    /// Sorted by (key, conn); one entry per pair.
    pub watches: Vec<Watch>,
    /// In the order they blocked: a push serves the longest-waiting client first.
    pub waiters: Vec<Waiter>,
    /// No op can come next in this order unless it may have taken effect at this instant
    /// (ms) or later: a BLPOP timed out here, after its deadline, so whatever follows it
    /// happened after that deadline too.
    pub floor: u64,
}

impl State {
    /// After a command (a whole EXEC included), clients blocked on `keys` are served from
    /// the head of the list, longest-waiting first, while it has elements
    /// (handleClientsBlockedOnKeys); a key of another type serves nobody. A waiter whose
    /// connection died may have been dropped by the server already, or served (its
    /// reply lost): both outcomes go to `out`.
    fn serve_into(mut self, keys: &[KeyId], out: &mut Vec<State>) {
        for &key in keys {
            while let Some(i) = self
                .waiters
                .iter()
                .position(|w| w.key == key && w.served.is_none())
            {
                if !matches!(self.get(key).map(|e| &*e.value), Some(MValue::List(l)) if !l.is_empty())
                {
                    break;
                }
                if self.waiters[i].dead {
                    let mut dropped = self.clone();
                    dropped.waiters.remove(i);
                    dropped.serve_into(keys, out);
                }
                let Some(MValue::List(list)) = self.get_mut(key).map(|e| e.value.make_mut()) else {
                    unreachable!("checked to be a list")
                };
                let element = list.remove(0);
                self.drop_if_empty(key);
                if self.waiters[i].dead {
                    self.waiters.remove(i);
                } else {
                    self.waiters[i].served = Some(element);
                }
            }
        }
        out.push(self);
    }

    /// A write or an expiry reached `key` (signalModifiedKey): its watchers are dirty.
    fn touch(&mut self, key: KeyId) {
        self.touch_as(key, Dirty::Yes);
    }

    fn touch_as(&mut self, key: KeyId, how: Dirty) {
        for w in self.watches.iter_mut().filter(|w| w.key == key) {
            w.dirty = w.dirty.max(how);
        }
    }

    /// WATCH: a key already watched by the connection keeps its state.
    fn watch(&mut self, key: KeyId, conn: u64) {
        if let Err(i) = self
            .watches
            .binary_search_by(|w| (w.key, w.conn).cmp(&(key, conn)))
        {
            self.watches.insert(
                i,
                Watch {
                    key,
                    conn,
                    dirty: Dirty::No,
                },
            );
        }
    }

    /// EXEC: how dirty the connection's watched keys are; its watches end.
    fn exec_unwatch(&mut self, conn: u64) -> Dirty {
        let dirty = self
            .watches
            .iter()
            .filter(|w| w.conn == conn)
            .map(|w| w.dirty)
            .max()
            .unwrap_or(Dirty::No);
        self.watches.retain(|w| w.conn != conn);
        dirty
    }

    fn get(&self, key: KeyId) -> Option<&Entry> {
        self.keys
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &self.keys[i].1)
    }

    fn get_mut(&mut self, key: KeyId) -> Option<&mut Entry> {
        match self.keys.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => Some(&mut self.keys[i].1),
            Err(_) => None,
        }
    }

    fn put(&mut self, key: KeyId, entry: Entry) {
        match self.keys.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => self.keys[i].1 = entry,
            Err(i) => self.keys.insert(i, (key, entry)),
        }
    }

    fn remove(&mut self, key: KeyId) -> Option<Entry> {
        match self.keys.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => Some(self.keys.remove(i).1),
            Err(_) => None,
        }
    }

    /// Deletes `key` if it holds an emptied aggregate.
    fn drop_if_empty(&mut self, key: KeyId) {
        if self.get(key).is_some_and(|e| e.value.is_empty_aggregate()) {
            self.remove(key);
        }
    }

    /// The string at `key`: Ok(None) when missing, Err for another type.
    fn string(&self, key: KeyId) -> Result<Option<&Bytes>, Expect> {
        match self.get(key).map(|e| &*e.value) {
            None => Ok(None),
            Some(MValue::Str(s)) => Ok(Some(s)),
            Some(_) => Err(wrongtype()),
        }
    }

    /// The value at `key` for a read by a command of the type `want` (a constructor of an
    /// empty value): Ok(None) when missing, Err(WRONGTYPE) for another type.
    fn typed(&self, key: KeyId, want: fn() -> MValue) -> Result<Option<&MValue>, Expect> {
        match self.get(key) {
            None => Ok(None),
            Some(e) if std::mem::discriminant(&*e.value) != std::mem::discriminant(&want()) => {
                Err(wrongtype())
            }
            Some(e) => Ok(Some(&e.value)),
        }
    }

    /// `typed`, for changing the value; with `create`, a missing key gets a new, empty
    /// value of that type (which `drop_if_empty` removes if it stays empty).
    fn typed_mut(
        &mut self,
        key: KeyId,
        want: fn() -> MValue,
        create: bool,
    ) -> Result<Option<&mut MValue>, Expect> {
        if self.typed(key, want)?.is_none() {
            if !create {
                return Ok(None);
            }
            self.put(
                key,
                Entry {
                    value: SharedValue::new(want()),
                    expire: None,
                },
            );
        }
        Ok(self.get_mut(key).map(|e| e.value.make_mut()))
    }
}

fn new_list() -> MValue {
    MValue::List(Vec::new())
}

fn new_hash() -> MValue {
    MValue::Hash(BTreeMap::new())
}

fn new_set() -> MValue {
    MValue::Set(BTreeSet::new())
}

fn new_zset() -> MValue {
    MValue::ZSet(BTreeMap::new())
}

fn new_hll() -> MValue {
    // createHLLObject's cache is valid (0) until the PFADD that created it invalidates it.
    MValue::Hll(BTreeMap::new(), true)
}

/// PFCOUNT's estimate of registers (Redis's estimator, a pure function of the
/// register histogram, reused from the server crate).
pub fn hll_estimate(registers: &BTreeMap<u16, u8>) -> i64 {
    let mut histo = [0i64; 64];
    histo[0] = (seedis::db::hll::REGISTERS - registers.len()) as i64;
    for &r in registers.values() {
        histo[usize::from(r)] += 1;
    }
    seedis::db::hll::estimate(&histo) as i64
}

/// Adds elements to registers (the hash is Redis's, reused): whether one grew.
fn hll_add(registers: &mut BTreeMap<u16, u8>, elements: &[Bytes]) -> bool {
    let mut changed = false;
    for e in elements {
        let (index, count) = seedis::db::hll::pat_len(e);
        let r = registers.entry(index as u16).or_insert(0);
        if count > *r {
            *r = count;
            changed = true;
        }
    }
    changed
}

/// The decoded position of a geo set's score (one of the workload's fixed points).
fn geo_point(score: i64) -> Option<&'static crate::workload::GeoPoint> {
    crate::workload::GEO_POINTS
        .iter()
        .find(|p| p.score == score)
}

fn coord(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// The haversine distance in metres, as Redis computes it (geohashGetDistance).
fn geo_distance(lon1d: f64, lat1d: f64, lon2d: f64, lat2d: f64) -> f64 {
    const D_R: f64 = std::f64::consts::PI / 180.0;
    const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;
    let (lon1r, lon2r) = (lon1d * D_R, lon2d * D_R);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return EARTH_RADIUS_IN_METERS * ((lat2d * D_R) - (lat1d * D_R)).abs();
    }
    let (lat1r, lat2r) = (lat1d * D_R, lat2d * D_R);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// A distance as Redis replies it: rounded (ties to even) to 4 decimals.
fn distance_reply(d: f64) -> Reply {
    let v = (d * 10000.0).round_ties_even() as i64;
    Reply::Bulk(Bytes::from(format!("{}.{:04}", v / 10000, v % 10000)))
}

fn new_stream() -> MValue {
    MValue::Stream(MStream::default())
}

fn stream_id_reply((ms, seq): (u64, u64)) -> Reply {
    Reply::Bulk(Bytes::from(format!("{ms}-{seq}")))
}

/// An entry as XRANGE shows it.
pub fn stream_entry_reply((id, fields): &MStreamEntry) -> Reply {
    let mut flat = Vec::with_capacity(fields.len() * 2);
    for (f, v) in fields {
        flat.push(Reply::Bulk(f.clone()));
        flat.push(Reply::Bulk(v.clone()));
    }
    Reply::Array(vec![stream_id_reply(*id), Reply::Array(flat)])
}

/// The ID `XADD key *` generates at instant `t` (ms) after `last`, as streamNextID.
fn auto_stream_id(last: (u64, u64), t: u64) -> (u64, u64) {
    if t > last.0 {
        (t, 0)
    } else {
        (last.0, last.1.saturating_add(1))
    }
}

/// Whether `reply` is an ID `XADD *` may have generated at some instant of [lo, hi].
fn auto_id_in_window(reply: &Reply, last: (u64, u64), lo: u64, hi: u64) -> Option<(u64, u64)> {
    let Reply::Bulk(text) = reply else {
        return None;
    };
    let text = std::str::from_utf8(text).ok()?;
    let (ms, seq) = text.split_once('-')?;
    let id = (ms.parse::<u64>().ok()?, seq.parse::<u64>().ok()?);
    let by_clock = id.1 == 0 && id.0 > last.0 && lo <= id.0 && id.0 <= hi;
    let by_sequence = id == (last.0, last.1.wrapping_add(1)) && lo <= last.0;
    (by_clock || by_sequence).then_some(id)
}

/// What a command must have answered: one exact reply, or a PTTL within a range.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Exact(Reply),
    /// An integer in a range (PTTL, PUBLISH's receiver count).
    IntBetween(i64, i64),
    /// EXEC's array: one expectation per queued command.
    Array(Vec<Expect>),
    /// Anything: the reply is checked by a later op (a blocked BLPOP's end).
    Any,
}

impl Expect {
    fn accepts(&self, output: &Reply) -> bool {
        match (self, output) {
            (Expect::Exact(want), got) => want == got,
            (Expect::IntBetween(lo, hi), Reply::Integer(n)) => lo <= n && n <= hi,
            (Expect::Any, _) => true,
            (Expect::Array(want), Reply::Array(got)) => {
                want.len() == got.len() && want.iter().zip(got).all(|(w, g)| w.accepts(g))
            }
            _ => false,
        }
    }
}

const WRONG_INTEGER: &str = "ERR value is not an integer or out of range";
const OVERFLOW: &str = "ERR increment or decrement would overflow";
const HASH_NOT_INTEGER: &str = "ERR hash value is not an integer";
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn wrongtype() -> Expect {
    Expect::Exact(Reply::err(WRONGTYPE))
}

fn int(n: usize) -> Expect {
    Expect::Exact(Reply::Integer(n as i64))
}

fn bulk_or_null(v: Option<&Bytes>) -> Reply {
    v.map_or(Reply::Null, |v| Reply::Bulk(v.clone()))
}

/// A sorted-set score as Redis replies it in RESP2: `%.17g` of an integral double is
/// the integer's decimal text (for the small scores of the workload).
fn score_reply(score: i64) -> Reply {
    Reply::Bulk(Bytes::from(score.to_string()))
}

/// Members ordered as in a sorted set: by score, then bytewise by member.
fn zset_order(z: &BTreeMap<Bytes, i64>) -> Vec<(i64, &Bytes)> {
    let mut items: Vec<(i64, &Bytes)> = z.iter().map(|(m, s)| (*s, m)).collect();
    items.sort();
    items
}

/// LRANGE's index arithmetic (listTypeRange): the inclusive range, or None if empty.
fn list_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { start + len } else { start };
    let mut stop = if stop < 0 { stop + len } else { stop };
    if start < 0 {
        start = 0;
    }
    if start > stop || start >= len {
        return None;
    }
    if stop >= len {
        stop = len - 1;
    }
    Some((start as usize, stop as usize))
}

/// The workload's commands over Redis's data types and TTLs.
pub struct RedisModel;

impl RedisModel {
    /// Every way the touched keys' TTLs may have resolved at the op's instant: each key
    /// with an uncertain deadline is either still alive or already expired.
    fn resolutions(state: &State, keys: &[KeyId], lo: u64, hi: u64) -> Vec<State> {
        let mut views = vec![state.clone()];
        let mut seen: Vec<KeyId> = Vec::new();
        for &key in keys {
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let Some(Entry {
                expire: Some((elo, ehi)),
                ..
            }) = state.get(key)
            else {
                continue;
            };
            // Expired at instant t iff t > when; t in [lo, hi], when in [elo, ehi].
            let may_be_expired = hi > *elo;
            let may_be_alive = lo <= *ehi;
            let mut next = Vec::with_capacity(views.len() * 2);
            for view in views {
                if may_be_expired {
                    // Expiry is a change a watcher sees (deleted lazily or by the cron,
                    // or found expired by EXEC itself: isWatchedKeyExpired).
                    let mut gone = view.clone();
                    gone.remove(key);
                    gone.touch(key);
                    next.push(gone);
                }
                if may_be_alive {
                    next.push(view);
                }
            }
            views = next;
        }
        views
    }

    /// HDEL, SREM, ZREM: removes `items` from the aggregate of type `want` at `key`, which
    /// is deleted if that empties it; answers how many were there.
    fn remove_items(
        view: &mut State,
        key: KeyId,
        want: fn() -> MValue,
        items: &[Bytes],
    ) -> Result<Expect, Expect> {
        let Some(value) = view.typed_mut(key, want, false)? else {
            return Ok(int(0));
        };
        let removed = items.iter().filter(|item| value.remove_item(item)).count();
        view.drop_if_empty(key);
        Ok(int(removed))
    }

    /// LLEN, HLEN, SCARD, ZCARD: the size of the aggregate of type `want` at `key`, 0 when
    /// it is missing.
    fn cardinality(view: &State, key: KeyId, want: fn() -> MValue) -> Result<Expect, Expect> {
        Ok(int(view.typed(key, want)?.map_or(0, MValue::len)))
    }

    /// An op without a reply that ran `XADD key *`: the ID it generated is unknown, so the
    /// stream at `key` becomes [`MStream::uncertain`].
    fn mark_unseen_auto_ids(view: &mut State, cmd: &Cmd) {
        let cmds = match cmd {
            Cmd::Multi { cmds, .. } => cmds.as_slice(),
            other => std::slice::from_ref(other),
        };
        for c in cmds {
            if let Cmd::XAdd {
                key, id: XId::Auto, ..
            } = c
            {
                if let Some(MValue::Stream(st)) = view.get_mut(*key).map(|e| e.value.make_mut()) {
                    st.uncertain = true;
                }
            }
        }
    }

    /// The instant a transaction ran, as far as its `XADD *` replies tell: the ms of a
    /// generated ID with sequence 0 within the window (a clock ID), else the window's start
    /// (an ID that only bumps the sequence is the same at any instant up to the last ID).
    fn exec_instant(cmd: &Cmd, output: Option<&Reply>, lo: u64, hi: u64) -> u64 {
        let (Cmd::Multi { cmds, .. }, Some(Reply::Array(items))) = (cmd, output) else {
            return lo;
        };
        for (c, item) in cmds.iter().zip(items) {
            if let (Cmd::XAdd { id: XId::Auto, .. }, Reply::Bulk(text)) = (c, item) {
                let parsed = std::str::from_utf8(text)
                    .ok()
                    .and_then(|t| t.split_once('-'))
                    .and_then(|(m, s)| Some((m.parse::<u64>().ok()?, s.parse::<u64>().ok()?)));
                if let Some((ms, 0)) = parsed {
                    if (lo..=hi).contains(&ms) {
                        return ms;
                    }
                }
            }
        }
        lo
    }

    /// Applies `cmd` to a view whose TTLs are resolved; returns what it must answer.
    fn apply(view: &mut State, cmd: &Cmd, lo: u64, hi: u64) -> Expect {
        match Self::apply_inner(view, cmd, lo, hi) {
            Ok(expect) | Err(expect) => expect,
        }
    }

    /// `apply`, and the watchers of every key the command modified are touched, as Redis
    /// signals them: a command that changed a key's value or TTL, and on success some
    /// that signal even when nothing changed (SET, INCRBY 0, HSET of the same value,
    /// PEXPIRE; measured against redis-server 7.0.15), but not ZINCRBY 0, a ZADD/SADD
    /// that changed nothing, a failed SET NX or an error.
    fn apply_touching(view: &mut State, cmd: &Cmd, lo: u64, hi: u64) -> Expect {
        if view.watches.is_empty() || matches!(cmd, Cmd::Multi { .. }) {
            // Nobody to tell (a transaction's commands touch one by one, in apply_inner).
            return Self::apply(view, cmd, lo, hi);
        }
        let keys = cmd.keys();
        let before: Vec<Option<Entry>> = keys.iter().map(|k| view.get(*k).cloned()).collect();
        let result = Self::apply_inner(view, cmd, lo, hi);
        let signals_on_success = result.is_ok()
            && matches!(
                cmd,
                // SET XX of the same value changed nothing, but setKey signals.
                Cmd::Set {
                    cond: SetCond::Always | SetCond::Xx,
                    ..
                } | Cmd::MSet(_)
                    | Cmd::IncrBy(..)
                    | Cmd::HIncrBy(..)
                    | Cmd::HSet(..)
                    | Cmd::LPush(..)
                    | Cmd::RPush(..)
                    | Cmd::Append(..)
                    | Cmd::PExpire(..)
                    | Cmd::Restore { .. }
            );
        for (key, old) in keys.iter().zip(before) {
            let now = view.get(*key);
            if old.as_ref() != now || (signals_on_success && now.is_some()) {
                view.touch(*key);
            }
        }
        // PFMERGE signals its destination (even unchanged), never its sources: found by
        // seed 98, where the model had PFMERGE p2 p0 p2 abort a WATCH of p0.
        if let (Ok(_), Cmd::PfMerge(dest, _)) = (&result, cmd) {
            if view.get(*dest).is_some() {
                view.touch(*dest);
            }
        }
        // BITOP's setKey signals its destination even when the value is the same.
        if let (Ok(_), Cmd::BitOp(_, dest, _)) = (&result, cmd) {
            if view.get(*dest).is_some() {
                view.touch(*dest);
            }
        }
        // SORT ... STORE sets its destination (setKey signals even the same list); the
        // sorted key is only read.
        if let (
            Ok(_),
            Cmd::Sort {
                store: Some(dest), ..
            },
        ) = (&result, cmd)
        {
            if view.get(*dest).is_some() {
                view.touch(*dest);
            }
        }
        match result {
            Ok(expect) | Err(expect) => expect,
        }
    }

    /// SORT, as its documentation states it: elements in numeric order (ties by bytes) or
    /// byte order, reversed for DESC, LIMIT's window (negative offset 0, negative count
    /// all), the result replied or stored as a list (an empty result deletes the
    /// destination). A numeric sort of an element that is not a number is an error.
    fn sort(
        view: &mut State,
        key: KeyId,
        desc: bool,
        alpha: bool,
        limit: Option<(i64, i64)>,
        store: Option<KeyId>,
    ) -> Result<Expect, Expect> {
        let mut elements: Vec<Bytes> = match view.get(key).map(|e| &*e.value) {
            None => Vec::new(),
            Some(MValue::List(l)) => l.clone(),
            Some(MValue::Set(s)) => s.iter().cloned().collect(),
            Some(MValue::ZSet(z)) => z.keys().cloned().collect(),
            Some(_) => return Err(wrongtype()),
        };
        if alpha {
            elements.sort();
        } else {
            let number = |e: &Bytes| -> Option<f64> {
                if e.is_empty() {
                    return Some(0.0);
                }
                let n: f64 = std::str::from_utf8(e).ok()?.parse().ok()?;
                (!n.is_nan()).then_some(n)
            };
            let mut scored = Vec::with_capacity(elements.len());
            for e in elements {
                let Some(n) = number(&e) else {
                    return Err(Expect::Exact(Reply::err(
                        "ERR One or more scores can't be converted into double",
                    )));
                };
                scored.push((n, e));
            }
            scored.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            elements = scored.into_iter().map(|(_, e)| e).collect();
        }
        if desc {
            elements.reverse();
        }
        let (offset, count) = limit.unwrap_or((0, -1));
        let offset = offset.max(0) as usize;
        let picked: Vec<Bytes> = if count < 0 {
            elements.into_iter().skip(offset).collect()
        } else {
            elements
                .into_iter()
                .skip(offset)
                .take(count as usize)
                .collect()
        };
        let Some(dest) = store else {
            return Ok(Expect::Exact(Reply::Array(
                picked.into_iter().map(Reply::Bulk).collect(),
            )));
        };
        let n = picked.len();
        if n > 0 {
            view.put(
                dest,
                Entry {
                    value: SharedValue::new(MValue::List(picked)),
                    expire: None,
                },
            );
        } else {
            view.remove(dest);
        }
        Ok(int(n))
    }

    /// `apply`, with Err for a reply that left the state as it was (WRONGTYPE...).
    fn apply_inner(view: &mut State, cmd: &Cmd, lo: u64, hi: u64) -> Result<Expect, Expect> {
        let deadline = |ms: u64| (lo.saturating_add(ms), hi.saturating_add(ms));
        Ok(match cmd {
            Cmd::Set {
                key,
                value,
                ttl_ms,
                cond,
                get,
            } => {
                // SET ... GET reads the old value first: WRONGTYPE before anything else.
                let old = if *get {
                    view.string(*key)?.cloned()
                } else {
                    None
                };
                let exists = view.get(*key).is_some();
                let applies = match cond {
                    SetCond::Always => true,
                    SetCond::Nx => !exists,
                    SetCond::Xx => exists,
                };
                if applies {
                    let mut entry = Entry::string(value.clone());
                    entry.expire = ttl_ms.map(deadline);
                    view.put(*key, entry);
                }
                Expect::Exact(match (get, applies) {
                    (true, _) => bulk_or_null(old.as_ref()),
                    (false, true) => Reply::OK,
                    (false, false) => Reply::Null,
                })
            }
            Cmd::Get(key) => Expect::Exact(bulk_or_null(view.string(*key)?)),
            Cmd::Del(keys) => {
                let mut n = 0;
                for key in keys {
                    n += usize::from(view.remove(*key).is_some());
                }
                int(n)
            }
            Cmd::Exists(keys) => int(keys.iter().filter(|k| view.get(**k).is_some()).count()),
            Cmd::IncrBy(key, by) => {
                let current = match view.string(*key)? {
                    None => 0i64,
                    Some(s) => {
                        parse_redis_int(s).ok_or(Expect::Exact(Reply::err(WRONG_INTEGER)))?
                    }
                };
                let new = current
                    .checked_add(*by)
                    .ok_or(Expect::Exact(Reply::err(OVERFLOW)))?;
                let expire = view.get(*key).and_then(|e| e.expire);
                let mut entry = Entry::string(Bytes::from(new.to_string()));
                entry.expire = expire;
                view.put(*key, entry);
                Expect::Exact(Reply::Integer(new))
            }
            Cmd::Append(key, suffix) => {
                let mut data = view.string(*key)?.map_or_else(Vec::new, |s| s.to_vec());
                let expire = view.get(*key).and_then(|e| e.expire);
                data.extend_from_slice(suffix);
                let len = data.len();
                let mut entry = Entry::string(Bytes::from(data));
                entry.expire = expire;
                view.put(*key, entry);
                int(len)
            }
            Cmd::GetDel(key) => {
                let old = view.string(*key)?.cloned();
                if old.is_some() {
                    view.remove(*key);
                }
                Expect::Exact(bulk_or_null(old.as_ref()))
            }
            Cmd::Strlen(key) => int(view.string(*key)?.map_or(0, |s| s.len())),
            Cmd::SetBit(key, offset, on) => {
                let mut data = view.string(*key)?.map_or_else(Vec::new, |s| s.to_vec());
                let existed = view.get(*key).is_some();
                let (old, changed) = bitmodel::setbit(&mut data, *offset, *on);
                if changed || !existed {
                    let expire = view.get(*key).and_then(|e| e.expire);
                    let mut entry = Entry::string(Bytes::from(data));
                    entry.expire = expire;
                    view.put(*key, entry);
                }
                int(usize::from(old))
            }
            Cmd::GetBit(key, offset) => int(usize::from(
                view.string(*key)?
                    .is_some_and(|s| bitmodel::get_bit(s, *offset)),
            )),
            Cmd::BitCount(key, range) => Expect::Exact(Reply::Integer(
                view.string(*key)?
                    .map_or(0, |s| bitmodel::bitcount(s, *range)),
            )),
            Cmd::BitPos { key, bit, range } => {
                Expect::Exact(Reply::Integer(match view.string(*key)? {
                    None if *bit => -1,
                    None => 0,
                    Some(s) => bitmodel::bitpos(s, *bit, *range),
                }))
            }
            Cmd::BitOp(op, dest, srcs) => {
                let mut values = Vec::with_capacity(srcs.len());
                for src in srcs {
                    values.push(view.string(*src)?.cloned().unwrap_or_default());
                }
                let refs: Vec<&[u8]> = values.iter().map(|v| &v[..]).collect();
                let result = bitmodel::bitop(*op, &refs);
                let len = result.len();
                if len > 0 {
                    // Stored without a TTL, whatever the destination held.
                    view.put(*dest, Entry::string(Bytes::from(result)));
                } else {
                    view.remove(*dest);
                }
                int(len)
            }
            Cmd::BitField(key, ops) => {
                let old = view.string(*key)?.cloned();
                let (replies, new) = bitmodel::bitfield(old.as_deref(), ops);
                if let Some(data) = new {
                    let expire = view.get(*key).and_then(|e| e.expire);
                    let mut entry = Entry::string(Bytes::from(data));
                    entry.expire = expire;
                    view.put(*key, entry);
                }
                Expect::Exact(Reply::Array(replies))
            }
            Cmd::Dump(key) => Expect::Exact(match view.get(*key).map(|e| &*e.value) {
                None => Reply::Null,
                // DUMP of a string is a function of its bytes (int-encoded or not).
                Some(MValue::Str(s)) => Reply::Bulk(Bytes::from(
                    seedis::persist::rdb::dump_payload(&seedis::db::Value::str(s.clone())),
                )),
                // The workload DUMPs only strings-family keys, which hold strings.
                Some(_) => return Ok(Expect::Any),
            }),
            Cmd::Restore {
                key,
                value,
                ttl_ms,
                replace,
                corrupt,
            } => {
                // Redis's order: options, BUSYKEY, the TTL, then the payload's footer.
                if !replace && view.get(*key).is_some() {
                    return Err(Expect::Exact(Reply::err(
                        "BUSYKEY Target key name already exists.",
                    )));
                }
                if *corrupt {
                    return Err(Expect::Exact(Reply::err(
                        "ERR DUMP payload version or checksum are wrong",
                    )));
                }
                let mut entry = Entry::string(value.clone());
                entry.expire = (*ttl_ms > 0).then(|| deadline(*ttl_ms));
                view.put(*key, entry);
                Expect::Exact(Reply::OK)
            }
            Cmd::Sort {
                key,
                desc,
                alpha,
                limit,
                store,
            } => Self::sort(view, *key, *desc, *alpha, *limit, *store)?,
            // The script runs atomically: one step of the model.
            Cmd::Cas { key, expected, new } => match view.string(*key) {
                Err(_) => Expect::Exact(Reply::Integer(-1)),
                Ok(Some(v)) if v == expected => {
                    view.put(*key, Entry::string(new.clone()));
                    int(1)
                }
                Ok(_) => int(0),
            },
            // redis-py's lock scripts: one atomic step each. Their GET is redis.call, so
            // another type fails the script with its error and position.
            Cmd::LockRelease { key, token } => match view.string(*key) {
                Err(_) => Expect::Exact(script_wrongtype(LOCK_RELEASE_SCRIPT, 2)),
                Ok(Some(v)) if v == token => {
                    view.remove(*key);
                    view.touch(*key);
                    int(1)
                }
                Ok(_) => int(0),
            },
            Cmd::LockReacquire { key, token, ms } => match view.string(*key) {
                Err(_) => Expect::Exact(script_wrongtype(LOCK_REACQUIRE_SCRIPT, 2)),
                Ok(Some(v)) if v == token => {
                    if let Some(e) = view.get_mut(*key) {
                        e.expire = Some(deadline(*ms));
                    }
                    view.touch(*key);
                    int(1)
                }
                Ok(_) => int(0),
            },
            Cmd::LockExtend {
                key,
                token,
                ms,
                replace,
            } => match view.string(*key) {
                Err(_) => Expect::Exact(script_wrongtype(LOCK_EXTEND_SCRIPT, 2)),
                Ok(Some(v)) if v == token => {
                    let e = view.get_mut(*key).expect("just read");
                    match e.expire {
                        // PTTL -1: no TTL to extend.
                        None => int(0),
                        // newttl = ARGV[2] + PTTL: the old deadline moved by `ms`.
                        Some((elo, ehi)) => {
                            e.expire = Some(if *replace {
                                deadline(*ms)
                            } else {
                                (elo.saturating_add(*ms), ehi.saturating_add(*ms))
                            });
                            view.touch(*key);
                            int(1)
                        }
                    }
                }
                Ok(_) => int(0),
            },
            Cmd::Transfer { from, to, amount } => {
                let n = i64::from(*amount);
                match Self::apply_inner(view, &Cmd::IncrBy(*from, -n), lo, hi) {
                    Err(_) => Expect::Exact(Reply::Integer(-1)),
                    Ok(Expect::Exact(Reply::Integer(a))) => {
                        view.touch(*from);
                        let undo = Cmd::IncrBy(*from, n);
                        if a < 0 {
                            let _ = Self::apply_inner(view, &undo, lo, hi);
                            int(0)
                        } else {
                            match Self::apply_inner(view, &Cmd::IncrBy(*to, n), lo, hi) {
                                Err(_) => {
                                    let _ = Self::apply_inner(view, &undo, lo, hi);
                                    Expect::Exact(Reply::Integer(-1))
                                }
                                Ok(_) => {
                                    view.touch(*to);
                                    int(1)
                                }
                            }
                        }
                    }
                    Ok(other) => unreachable!("INCRBY answered {other:?}"),
                }
            }
            Cmd::MSet(pairs) => {
                for (key, value) in pairs {
                    view.put(*key, Entry::string(value.clone()));
                }
                Expect::Exact(Reply::OK)
            }
            // MGET answers nil for a key of another type; an HLL's bytes are Redis's
            // encoding, which the model does not keep: any bulk there.
            Cmd::MGet(keys)
                if keys
                    .iter()
                    .any(|k| matches!(view.get(*k).map(|e| &*e.value), Some(MValue::Hll(..)))) =>
            {
                Expect::Array(
                    keys.iter()
                        .map(|k| match view.get(*k).map(|e| &*e.value) {
                            Some(MValue::Hll(..)) => Expect::Any,
                            _ => Expect::Exact(bulk_or_null(view.string(*k).ok().flatten())),
                        })
                        .collect(),
                )
            }
            Cmd::MGet(keys) => Expect::Exact(Reply::Array(
                keys.iter()
                    .map(|k| bulk_or_null(view.string(*k).ok().flatten()))
                    .collect(),
            )),
            Cmd::PExpire(key, ms) => match view.get_mut(*key) {
                Some(e) => {
                    e.expire = Some(deadline(*ms));
                    int(1)
                }
                None => int(0),
            },
            Cmd::Persist(key) => match view.get_mut(*key) {
                Some(e) if e.expire.is_some() => {
                    e.expire = None;
                    int(1)
                }
                _ => int(0),
            },
            Cmd::PTtl(key) => match view.get(*key) {
                None => Expect::Exact(Reply::Integer(-2)),
                Some(Entry { expire: None, .. }) => Expect::Exact(Reply::Integer(-1)),
                Some(Entry {
                    expire: Some((elo, ehi)),
                    ..
                }) => {
                    // An unknown deadline reaches u64::MAX: clamp, don't wrap.
                    let min = i64::try_from(elo.saturating_sub(hi)).unwrap_or(i64::MAX);
                    let max = i64::try_from(ehi.saturating_sub(lo)).unwrap_or(i64::MAX);
                    Expect::IntBetween(min, max)
                }
            },
            Cmd::Type(key) => Expect::Exact(Reply::simple(
                view.get(*key).map_or("none", |e| e.value.type_name()),
            )),
            Cmd::Ping => Expect::Exact(Reply::simple("PONG")),
            Cmd::Auth => Expect::Exact(Reply::OK),
            Cmd::LPush(key, elems) | Cmd::RPush(key, elems) => {
                let head = matches!(cmd, Cmd::LPush(..));
                let Some(MValue::List(list)) = view.typed_mut(*key, new_list, true)? else {
                    unreachable!("created as a list")
                };
                for e in elems {
                    if head {
                        list.insert(0, e.clone());
                    } else {
                        list.push(e.clone());
                    }
                }
                int(list.len())
            }
            Cmd::LPop(key) | Cmd::RPop(key) => {
                let Some(MValue::List(list)) = view.typed_mut(*key, new_list, false)? else {
                    return Ok(Expect::Exact(Reply::Null));
                };
                let popped = if matches!(cmd, Cmd::LPop(_)) {
                    (!list.is_empty()).then(|| list.remove(0))
                } else {
                    list.pop()
                };
                view.drop_if_empty(*key);
                Expect::Exact(bulk_or_null(popped.as_ref()))
            }
            Cmd::LLen(key) => Self::cardinality(view, *key, new_list)?,
            Cmd::XAdd { key, .. }
            | Cmd::XLen(key)
            | Cmd::XRange { key, .. }
            | Cmd::XDel(key, _)
            | Cmd::XTrim(key, _)
                if matches!(view.get(*key).map(|e| &*e.value), Some(MValue::Stream(st)) if st.uncertain) =>
            {
                // Not predicted; an XADD most likely appended (its ID is past what the
                // client could see), which its watchers see.
                if matches!(cmd, Cmd::XAdd { .. }) {
                    view.touch(*key);
                }
                Expect::Any
            }
            Cmd::XAdd {
                key,
                id,
                maxlen,
                fields,
            } => {
                if *id == XId::Full(0, 0) {
                    return Err(Expect::Exact(Reply::err(
                        "ERR The ID specified in XADD must be greater than 0-0",
                    )));
                }
                // The stream is created before the ID is checked: a refused ID leaves it.
                let Some(MValue::Stream(st)) = view.typed_mut(*key, new_stream, true)? else {
                    unreachable!("a stream was just looked up or created")
                };
                let new = match *id {
                    XId::Auto => auto_stream_id(st.last, lo),
                    XId::Ms(ms) if ms == st.last.0 => (ms, st.last.1.saturating_add(1)),
                    XId::Ms(ms) => (ms, 0),
                    XId::Full(ms, seq) => (ms, seq),
                };
                if new <= st.last {
                    return Err(Expect::Exact(Reply::err(
                        "ERR The ID specified in XADD is equal or smaller than the target stream top item",
                    )));
                }
                st.entries.push((new, fields.clone()));
                st.last = new;
                if let Some(n) = maxlen {
                    let excess = st.entries.len().saturating_sub(*n as usize);
                    st.entries.drain(..excess);
                }
                Expect::Exact(stream_id_reply(new))
            }
            Cmd::XLen(key) => Self::cardinality(view, *key, new_stream)?,
            Cmd::XRange { key, rev, count } => match view.typed(*key, new_stream)? {
                None => Expect::Exact(Reply::Array(Vec::new())),
                Some(_) if *count == Some(0) => Expect::Exact(Reply::NullArray),
                Some(MValue::Stream(st)) => {
                    let take = count.map_or(usize::MAX, |n| n as usize);
                    let items: Vec<Reply> = if *rev {
                        st.entries
                            .iter()
                            .rev()
                            .take(take)
                            .map(stream_entry_reply)
                            .collect()
                    } else {
                        st.entries
                            .iter()
                            .take(take)
                            .map(stream_entry_reply)
                            .collect()
                    };
                    Expect::Exact(Reply::Array(items))
                }
                Some(_) => unreachable!("typed as a stream"),
            },
            Cmd::XDel(key, ids) => match view.typed_mut(*key, new_stream, false)? {
                Some(MValue::Stream(st)) => {
                    let before = st.entries.len();
                    st.entries.retain(|(id, _)| !ids.contains(id));
                    int(before - st.entries.len())
                }
                _ => int(0),
            },
            Cmd::XTrim(key, n) => match view.typed_mut(*key, new_stream, false)? {
                Some(MValue::Stream(st)) => {
                    let excess = st.entries.len().saturating_sub(*n as usize);
                    st.entries.drain(..excess);
                    int(excess)
                }
                _ => int(0),
            },
            Cmd::LRange(key, start, stop) => {
                let items = match view.typed(*key, new_list)? {
                    Some(MValue::List(list)) => match list_range(*start, *stop, list.len()) {
                        Some((s, e)) => list[s..=e].iter().cloned().map(Reply::Bulk).collect(),
                        None => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                Expect::Exact(Reply::Array(items))
            }
            Cmd::LIndex(key, index) => {
                let found = match view.typed(*key, new_list)? {
                    Some(MValue::List(list)) => {
                        let len = list.len() as i64;
                        let i = if *index < 0 { index + len } else { *index };
                        (0..len).contains(&i).then(|| list[i as usize].clone())
                    }
                    _ => None,
                };
                Expect::Exact(bulk_or_null(found.as_ref()))
            }
            Cmd::HSet(key, pairs) => {
                let Some(MValue::Hash(hash)) = view.typed_mut(*key, new_hash, true)? else {
                    unreachable!("created as a hash")
                };
                let mut created = 0;
                for (field, value) in pairs {
                    created += usize::from(hash.insert(field.clone(), value.clone()).is_none());
                }
                int(created)
            }
            Cmd::HGet(key, field) => match view.typed(*key, new_hash)? {
                Some(MValue::Hash(hash)) => Expect::Exact(bulk_or_null(hash.get(field))),
                _ => Expect::Exact(Reply::Null),
            },
            Cmd::HDel(key, fields) => Self::remove_items(view, *key, new_hash, fields)?,
            Cmd::HLen(key) => Self::cardinality(view, *key, new_hash)?,
            Cmd::HIncrBy(key, field, by) => {
                let Some(MValue::Hash(hash)) = view.typed_mut(*key, new_hash, true)? else {
                    unreachable!("created as a hash")
                };
                let current = match hash.get(field) {
                    None => Some(0),
                    Some(v) => parse_redis_int(v),
                };
                let result = match current.map(|c| c.checked_add(*by)) {
                    None => Err(Expect::Exact(Reply::err(HASH_NOT_INTEGER))),
                    Some(None) => Err(Expect::Exact(Reply::err(OVERFLOW))),
                    Some(Some(new)) => {
                        hash.insert(field.clone(), Bytes::from(new.to_string()));
                        Ok(Expect::Exact(Reply::Integer(new)))
                    }
                };
                // A hash created for a failed increment is not kept.
                view.drop_if_empty(*key);
                result?
            }
            Cmd::HExists(key, field) => match view.typed(*key, new_hash)? {
                Some(MValue::Hash(hash)) => int(usize::from(hash.contains_key(field))),
                _ => int(0),
            },
            Cmd::SAdd(key, members) => {
                let Some(MValue::Set(set)) = view.typed_mut(*key, new_set, true)? else {
                    unreachable!("created as a set")
                };
                int(members.iter().filter(|m| set.insert((*m).clone())).count())
            }
            Cmd::SRem(key, members) => Self::remove_items(view, *key, new_set, members)?,
            Cmd::SIsMember(key, member) => match view.typed(*key, new_set)? {
                Some(MValue::Set(set)) => int(usize::from(set.contains(member))),
                _ => int(0),
            },
            Cmd::SCard(key) => Self::cardinality(view, *key, new_set)?,
            Cmd::ZAdd(key, flags, pairs) => {
                // ZADD XX on a missing key creates nothing; otherwise the set is created
                // and, if nothing was added to it, deleted again.
                let create = !flags.xx;
                let Some(MValue::ZSet(z)) = view.typed_mut(*key, new_zset, create)? else {
                    return Ok(int(0));
                };
                let (mut added, mut updated) = (0, 0);
                for (score, member) in pairs {
                    match z.get(member).copied() {
                        Some(_) if flags.nx => {}
                        Some(cur) => {
                            if (flags.lt && *score >= cur) || (flags.gt && *score <= cur) {
                                continue;
                            }
                            if *score != cur {
                                z.insert(member.clone(), *score);
                                updated += 1;
                            }
                        }
                        None if flags.xx => {}
                        None => {
                            z.insert(member.clone(), *score);
                            added += 1;
                        }
                    }
                }
                view.drop_if_empty(*key);
                int(if flags.ch { added + updated } else { added })
            }
            Cmd::ZIncrBy(key, by, member) => {
                let Some(MValue::ZSet(z)) = view.typed_mut(*key, new_zset, true)? else {
                    unreachable!("created as a sorted set")
                };
                let score = z.get(member).copied().unwrap_or(0) + by;
                z.insert(member.clone(), score);
                Expect::Exact(score_reply(score))
            }
            Cmd::ZScore(key, member) => match view.typed(*key, new_zset)? {
                Some(MValue::ZSet(z)) => {
                    Expect::Exact(z.get(member).map_or(Reply::Null, |s| score_reply(*s)))
                }
                _ => Expect::Exact(Reply::Null),
            },
            Cmd::ZRank(key, member) => match view.typed(*key, new_zset)? {
                Some(MValue::ZSet(z)) if z.contains_key(member) => {
                    let rank = zset_order(z).iter().position(|(_, m)| *m == member);
                    Expect::Exact(rank.map_or(Reply::Null, |r| Reply::Integer(r as i64)))
                }
                _ => Expect::Exact(Reply::Null),
            },
            Cmd::ZRem(key, members) => Self::remove_items(view, *key, new_zset, members)?,
            Cmd::ZCard(key) => Self::cardinality(view, *key, new_zset)?,
            Cmd::ZRangeAll(key) => match view.typed(*key, new_zset)? {
                Some(MValue::ZSet(z)) => Expect::Exact(Reply::Array(
                    zset_order(z)
                        .into_iter()
                        .map(|(_, m)| Reply::Bulk(m.clone()))
                        .collect(),
                )),
                _ => Expect::Exact(Reply::Array(Vec::new())),
            },
            Cmd::PfAdd(key, elements) => {
                let created = view.get(*key).is_none();
                let Some(MValue::Hll(registers, cache_valid)) =
                    view.typed_mut(*key, new_hll, true)?
                else {
                    unreachable!("created as an HLL")
                };
                let changed = hll_add(registers, elements);
                if created || changed {
                    *cache_valid = false;
                }
                int(usize::from(created || changed))
            }
            Cmd::PfCount(keys) if keys.len() == 1 => {
                match view.typed_mut(keys[0], new_hll, false)? {
                    Some(MValue::Hll(registers, cache_valid)) => {
                        // Only a stale cache is written (and the key signalled).
                        if !*cache_valid {
                            *cache_valid = true;
                        }
                        Expect::Exact(Reply::Integer(hll_estimate(registers)))
                    }
                    _ => int(0),
                }
            }
            Cmd::PfCount(keys) => {
                let mut union: BTreeMap<u16, u8> = BTreeMap::new();
                for key in keys {
                    if let Some(MValue::Hll(registers, _)) = view.typed(*key, new_hll)? {
                        for (&i, &r) in registers {
                            let u = union.entry(i).or_insert(0);
                            *u = (*u).max(r);
                        }
                    }
                }
                Expect::Exact(Reply::Integer(hll_estimate(&union)))
            }
            Cmd::PfMerge(dest, sources) => {
                let mut union: BTreeMap<u16, u8> = BTreeMap::new();
                for key in std::iter::once(dest).chain(sources) {
                    if let Some(MValue::Hll(registers, _)) = view.typed(*key, new_hll)? {
                        for (&i, &r) in registers {
                            let u = union.entry(i).or_insert(0);
                            *u = (*u).max(r);
                        }
                    }
                }
                let Some(MValue::Hll(registers, cache_valid)) =
                    view.typed_mut(*dest, new_hll, true)?
                else {
                    unreachable!("created as an HLL")
                };
                *registers = union;
                *cache_valid = false;
                Expect::Exact(Reply::OK)
            }
            Cmd::GeoAdd(key, points) => {
                let Some(MValue::ZSet(z)) = view.typed_mut(*key, new_zset, true)? else {
                    unreachable!("created as a sorted set")
                };
                let mut added = 0;
                for (point, member) in points {
                    let score = crate::workload::GEO_POINTS[usize::from(*point)].score;
                    added += usize::from(z.insert(member.clone(), score).is_none());
                }
                int(added)
            }
            Cmd::GeoPos(key, members) => {
                let z = match view.typed(*key, new_zset)? {
                    Some(MValue::ZSet(z)) => Some(z),
                    _ => None,
                };
                Expect::Exact(Reply::Array(
                    members
                        .iter()
                        .map(
                            |m| match z.and_then(|z| z.get(m)).and_then(|s| geo_point(*s)) {
                                Some(p) => Reply::Array(vec![
                                    Reply::Bulk(Bytes::from_static(p.pos_lon.as_bytes())),
                                    Reply::Bulk(Bytes::from_static(p.pos_lat.as_bytes())),
                                ]),
                                None => Reply::NullArray,
                            },
                        )
                        .collect(),
                ))
            }
            Cmd::GeoDist(key, a, b) => {
                let z = match view.typed(*key, new_zset)? {
                    Some(MValue::ZSet(z)) => z,
                    _ => return Ok(Expect::Exact(Reply::Null)),
                };
                let (Some(p), Some(q)) = (
                    z.get(a).and_then(|s| geo_point(*s)),
                    z.get(b).and_then(|s| geo_point(*s)),
                ) else {
                    return Ok(Expect::Exact(Reply::Null));
                };
                let d = geo_distance(
                    coord(p.pos_lon),
                    coord(p.pos_lat),
                    coord(q.pos_lon),
                    coord(q.pos_lat),
                );
                Expect::Exact(distance_reply(d / 1000.0))
            }
            Cmd::GeoSearch(key, point, km) => {
                let z = match view.typed(*key, new_zset)? {
                    Some(MValue::ZSet(z)) => z,
                    _ => return Ok(Expect::Exact(Reply::Array(Vec::new()))),
                };
                let c = &crate::workload::GEO_POINTS[usize::from(*point)];
                let (cx, cy) = (coord(c.lon), coord(c.lat));
                let radius = f64::from(*km) * 1000.0;
                // Every point within the radius, nearest first; equal distances keep the
                // sorted set's order (Redis's sort is stable there).
                let mut found: Vec<(f64, i64, &Bytes)> = zset_order(z)
                    .into_iter()
                    .filter_map(|(s, m)| {
                        let p = geo_point(s)?;
                        let d = geo_distance(cx, cy, coord(p.pos_lon), coord(p.pos_lat));
                        (d <= radius).then_some((d, s, m))
                    })
                    .collect();
                found.sort_by(|a, b| a.0.total_cmp(&b.0));
                Expect::Exact(Reply::Array(
                    found
                        .into_iter()
                        .map(|(d, _, m)| {
                            Reply::Array(vec![Reply::Bulk(m.clone()), distance_reply(d / 1000.0)])
                        })
                        .collect(),
                ))
            }
            Cmd::Multi { cmds, .. } => Expect::Array(
                cmds.iter()
                    .map(|cmd| Self::apply_touching(view, cmd, lo, hi))
                    .collect(),
            ),
            // WATCH's state is the step's to keep (it needs the connection).
            Cmd::Watch(_) => Expect::Exact(Reply::OK),
            // A BLPOP that finds elements pops at once; on an empty key it blocks (the
            // step registers it) — or inside MULTI, where it cannot block, answers nil.
            Cmd::BLPop(key, _) => match view.typed_mut(*key, new_list, false)? {
                Some(MValue::List(list)) if !list.is_empty() => {
                    let head = list.remove(0);
                    view.drop_if_empty(*key);
                    Expect::Exact(blpop_reply(*key, head))
                }
                _ => Expect::Exact(Reply::NullArray),
            },
            // The step pairs it with its BLPOP's wait.
            Cmd::BLPopDone(_) => Expect::Any,
            Cmd::Publish { max_receivers, .. } => Expect::IntBetween(0, i64::from(*max_receivers)),
        })
    }
}

fn blpop_reply(key: KeyId, element: Bytes) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::from(key_name(key))),
        Reply::Bulk(element),
    ])
}

/// Redis's string2ll: optional '-', digits, no leading zeros, no '+', no spaces.
pub fn parse_redis_int(data: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(data).ok()?;
    if text.is_empty() || text.len() > 20 || text.starts_with('+') {
        return None;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
        || text == "-0"
    {
        return None;
    }
    text.parse().ok()
}

impl Model for RedisModel {
    type State = State;
    type Input = TimedCmd;
    type Output = Reply;

    fn init(&self) -> Vec<State> {
        vec![State::default()]
    }

    fn step(&self, state: &State, input: &TimedCmd, output: Option<&Reply>, out: &mut Vec<State>) {
        let lo = input.call_ms;
        let hi = input.ret_ms.unwrap_or(u64::MAX);
        if hi < state.floor {
            return;
        }
        // A refused command answers its NOPERM and changes nothing.
        if let Some(text) = input.limited.then(|| limited_denial(&input.cmd)).flatten() {
            if output.is_none_or(|got| *got == Reply::err(text)) && !out.contains(state) {
                out.push(state.clone());
            }
            return;
        }
        let keys = input.cmd.keys();
        let mut push = |view: State, expect: Expect| {
            let legal = output.is_none_or(|got| expect.accepts(got));
            if legal && !out.contains(&view) {
                out.push(view);
            }
        };
        for mut view in Self::resolutions(state, &keys, lo, hi) {
            match &input.cmd {
                Cmd::Watch(keys) => {
                    for key in keys {
                        view.watch(*key, input.conn);
                    }
                    push(view, Expect::Exact(Reply::OK));
                }
                // EXEC unwatches first, then aborts exactly when a watched key was
                // touched since its WATCH (by anyone, this connection included).
                Cmd::Multi { .. } => {
                    let dirty = view.exec_unwatch(input.conn);
                    if dirty == Dirty::Yes {
                        push(view.clone(), Expect::Exact(Reply::NullArray));
                    } else {
                        // Every command of EXEC runs at one instant; an `XADD *` that
                        // answered a clock ID names it.
                        let at = Self::exec_instant(&input.cmd, output, lo, hi);
                        let expect = Self::apply(&mut view, &input.cmd, at, hi);
                        if output.is_none() {
                            Self::mark_unseen_auto_ids(&mut view, &input.cmd);
                        }
                        // Blocked clients are served after the whole EXEC.
                        let mut served = Vec::new();
                        view.serve_into(&keys, &mut served);
                        for view in served {
                            push(view, expect.clone());
                        }
                    }
                }
                // BLPOP on an empty or missing key blocks: it joins the key's queue, and
                // its end (the next op) says what it got. (A client blocked on a missing
                // key stays blocked if another type appears there, as in Redis 7.0.)
                Cmd::BLPop(key, ms)
                    if matches!(view.typed(*key, new_list), Ok(None))
                        || matches!(view.typed(*key, new_list), Ok(Some(v)) if v.len() == 0) =>
                {
                    view.waiters.push(Waiter {
                        key: *key,
                        conn: input.conn,
                        deadline: lo.saturating_add(*ms),
                        served: None,
                        dead: output.is_none(),
                    });
                    push(view, Expect::Any);
                }
                // A blocked BLPOP's end: what a push served it, or nil once its timeout
                // may have passed. No waiter: its BLPOP popped (or failed) at once.
                // Its reply never came: nothing to check, and its waiter (if any) is dead
                // and leaves the queue on its own (serve_into).
                Cmd::BLPopDone(_) if output.is_none() => push(view, Expect::Any),
                Cmd::BLPopDone(key) => {
                    let expect = match view.waiters.iter().position(|w| w.conn == input.conn) {
                        None => Expect::Any,
                        Some(i) => {
                            let waiter = view.waiters.remove(i);
                            match waiter.served {
                                Some(element) => Expect::Exact(blpop_reply(*key, element)),
                                None if hi >= waiter.deadline => {
                                    view.floor = view.floor.max(waiter.deadline);
                                    Expect::Exact(Reply::NullArray)
                                }
                                None => continue,
                            }
                        }
                    };
                    push(view, expect);
                }
                // `XADD key *`: the ID depends on the instant the server ran it; a reply
                // that is an ID some instant of the window gives names that instant.
                Cmd::XAdd {
                    key,
                    id: XId::Auto,
                    maxlen,
                    fields,
                } if output.is_some_and(|o| matches!(o, Reply::Bulk(_))) => {
                    let last = match view.typed(*key, new_stream) {
                        // Its contents are not predicted any more (an unseen `*` ID).
                        Ok(Some(MValue::Stream(st))) if st.uncertain => {
                            push(view, Expect::Any);
                            continue;
                        }
                        Ok(Some(MValue::Stream(st))) => st.last,
                        Ok(None) => (0, 0),
                        _ => continue,
                    };
                    let Some((ms, seq)) = output.and_then(|o| auto_id_in_window(o, last, lo, hi))
                    else {
                        continue;
                    };
                    let explicit = Cmd::XAdd {
                        key: *key,
                        id: XId::Full(ms, seq),
                        maxlen: *maxlen,
                        fields: fields.clone(),
                    };
                    let expect = Self::apply_touching(&mut view, &explicit, lo, hi);
                    let mut served = Vec::new();
                    view.serve_into(&keys, &mut served);
                    for view in served {
                        push(view, expect.clone());
                    }
                }
                cmd => {
                    let expect = Self::apply_touching(&mut view, cmd, lo, hi);
                    if output.is_none() {
                        Self::mark_unseen_auto_ids(&mut view, cmd);
                    }
                    let mut served = Vec::new();
                    view.serve_into(&keys, &mut served);
                    for view in served {
                        push(view, expect.clone());
                    }
                }
            }
        }
    }

    fn ordered_per_client(&self) -> bool {
        // `client` is one connection in the simulator's histories (see run.rs), and a
        // connection's commands run in the order they were sent.
        true
    }

    fn partition_keys(&self, input: &TimedCmd, keys: &mut Vec<u64>) {
        let touched = input.cmd.keys();
        if touched.is_empty() {
            // PING touches no key: all PINGs share a partition of their own.
            keys.push(u64::MAX);
        } else {
            keys.extend(touched.into_iter().map(u64::from));
        }
    }
}

/// The keyspace notifications (keyevent channel names, under `notify-keyspace-events
/// KEA`) that running `cmd` may publish, each with its key: what Redis's commands
/// announce on success, `del` where a removal can empty a container, `expired` for a key
/// the command gives a TTL (announced later by lazy or active expiry). A subscriber
/// must receive nothing else. Key misses and new keys are not in KEA.
pub fn keyspace_events(cmd: &Cmd) -> Vec<(KeyId, &'static str)> {
    let one = |key: &KeyId, events: &[&'static str]| -> Vec<(KeyId, &'static str)> {
        events.iter().map(|e| (*key, *e)).collect()
    };
    match cmd {
        Cmd::Set { key, ttl_ms, .. } => match ttl_ms {
            Some(_) => one(key, &["set", "expire", "expired"]),
            None => one(key, &["set"]),
        },
        Cmd::Del(keys) => keys.iter().map(|k| (*k, "del")).collect(),
        Cmd::IncrBy(k, _) => one(k, &["incrby"]),
        Cmd::Append(k, _) => one(k, &["append"]),
        Cmd::GetDel(k) => one(k, &["del"]),
        Cmd::Cas { key, .. } => one(key, &["set"]),
        // redis-py's lock scripts: DEL, PEXPIRE; a lock's TTL runs out later.
        Cmd::LockRelease { key, .. } => one(key, &["del", "expired"]),
        Cmd::LockExtend { key, .. } | Cmd::LockReacquire { key, .. } => {
            one(key, &["expire", "expired"])
        }
        Cmd::Transfer { from, to, .. } => vec![
            (*from, "decrby"),
            (*from, "incrby"),
            (*to, "incrby"),
            (*to, "decrby"),
        ],
        Cmd::MSet(pairs) => pairs.iter().map(|(k, _)| (*k, "set")).collect(),
        // A deadline already passed deletes the key instead.
        Cmd::PExpire(k, _) => one(k, &["expire", "del", "expired"]),
        Cmd::Persist(k) => one(k, &["persist"]),
        Cmd::LPush(k, _) => one(k, &["lpush"]),
        Cmd::RPush(k, _) => one(k, &["rpush"]),
        Cmd::LPop(k) | Cmd::BLPop(k, _) => one(k, &["lpop", "del"]),
        Cmd::RPop(k) => one(k, &["rpop", "del"]),
        Cmd::HSet(k, _) => one(k, &["hset"]),
        Cmd::HDel(k, _) => one(k, &["hdel", "del"]),
        Cmd::HIncrBy(k, _, _) => one(k, &["hincrby"]),
        Cmd::SAdd(k, _) => one(k, &["sadd"]),
        Cmd::SRem(k, _) => one(k, &["srem", "del"]),
        Cmd::ZAdd(k, _, _) => one(k, &["zadd"]),
        Cmd::ZIncrBy(k, _, _) => one(k, &["zincr"]),
        Cmd::ZRem(k, _) => one(k, &["zrem", "del"]),
        Cmd::Multi { cmds, .. } => cmds.iter().flat_map(keyspace_events).collect(),
        Cmd::Restore {
            key,
            ttl_ms,
            corrupt: false,
            ..
        } => match ttl_ms {
            0 => one(key, &["restore", "del"]),
            _ => one(key, &["restore", "del", "expired"]),
        },
        Cmd::Sort {
            store: Some(dest), ..
        } => one(dest, &["sortstore", "del"]),
        // PFMERGE announces its destination as `pfadd`; GEOADD runs as ZADD.
        Cmd::PfAdd(k, _) | Cmd::PfMerge(k, _) => one(k, &["pfadd"]),
        Cmd::GeoAdd(k, _) => one(k, &["zadd"]),
        Cmd::SetBit(k, ..) | Cmd::BitField(k, _) => one(k, &["setbit"]),
        Cmd::BitOp(_, dest, _) => one(dest, &["set", "del"]),
        Cmd::XAdd { key, .. } => one(key, &["xadd", "xtrim"]),
        Cmd::XDel(k, _) => one(k, &["xdel"]),
        Cmd::XTrim(k, _) => one(k, &["xtrim"]),
        Cmd::PfCount(_)
        | Cmd::GeoPos(..)
        | Cmd::GeoDist(..)
        | Cmd::GeoSearch(..)
        | Cmd::GetBit(..)
        | Cmd::BitCount(..)
        | Cmd::BitPos { .. }
        | Cmd::XLen(_)
        | Cmd::XRange { .. } => Vec::new(),
        Cmd::Get(_)
        | Cmd::Exists(_)
        | Cmd::Strlen(_)
        | Cmd::MGet(_)
        | Cmd::PTtl(_)
        | Cmd::Type(_)
        | Cmd::Ping
        | Cmd::Auth
        | Cmd::LLen(_)
        | Cmd::LRange(..)
        | Cmd::LIndex(..)
        | Cmd::HGet(..)
        | Cmd::HLen(_)
        | Cmd::HExists(..)
        | Cmd::SIsMember(..)
        | Cmd::SCard(_)
        | Cmd::ZScore(..)
        | Cmd::ZRank(..)
        | Cmd::ZCard(_)
        | Cmd::ZRangeAll(_)
        | Cmd::Watch(_)
        | Cmd::BLPopDone(_)
        | Cmd::Dump(_)
        | Cmd::Restore { .. }
        | Cmd::Sort { .. }
        | Cmd::Publish { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod keyspace_event_tests {
    use super::keyspace_events;
    use crate::workload::Cmd;
    use bytes::Bytes;

    #[test]
    fn events_follow_the_commands_and_transactions() {
        let set = |ttl_ms| Cmd::Set {
            key: 1,
            value: Bytes::from_static(b"v"),
            ttl_ms,
            cond: crate::workload::SetCond::Always,
            get: false,
        };
        assert_eq!(keyspace_events(&set(None)), [(1, "set")]);
        assert_eq!(
            keyspace_events(&set(Some(5))),
            [(1, "set"), (1, "expire"), (1, "expired")]
        );
        let multi = Cmd::Multi {
            watch: vec![],
            cmds: vec![Cmd::Get(0), Cmd::LPop(2), set(None)],
        };
        assert_eq!(
            keyspace_events(&multi),
            [(2, "lpop"), (2, "del"), (1, "set")]
        );
        assert!(keyspace_events(&Cmd::Get(0)).is_empty());
    }
}

/// What the model's tests share: ops, SETs, replies and the verdict.
#[cfg(test)]
mod test_kit {
    use super::*;
    use crate::checker::{check, Operation, Verdict};

    pub type Op = Operation<TimedCmd, Reply>;

    /// An op of `client` called at `call` and answered `output` at `ret` (ms).
    pub fn op(client: u64, cmd: Cmd, output: Reply, call: u64, ret: u64) -> Op {
        Operation {
            client,
            input: TimedCmd {
                cmd,
                conn: client,
                limited: false,
                call_ms: call,
                ret_ms: Some(ret),
            },
            output: Some(output),
            call,
            ret: Some(ret),
        }
    }

    /// An op of `client` called at `call` whose reply never came.
    pub fn unknown(client: u64, cmd: Cmd, call: u64) -> Op {
        Operation {
            client,
            input: TimedCmd {
                cmd,
                conn: client,
                limited: false,
                call_ms: call,
                ret_ms: None,
            },
            output: None,
            call,
            ret: None,
        }
    }

    /// `SET key v`.
    pub fn set(key: KeyId, v: &str) -> Cmd {
        Cmd::Set {
            key,
            value: Bytes::copy_from_slice(v.as_bytes()),
            ttl_ms: None,
            cond: SetCond::Always,
            get: false,
        }
    }

    /// `SET key v PX ms`.
    pub fn set_px(key: KeyId, v: &str, ms: u64) -> Cmd {
        Cmd::Set {
            key,
            value: Bytes::copy_from_slice(v.as_bytes()),
            ttl_ms: Some(ms),
            cond: SetCond::Always,
            get: false,
        }
    }

    pub fn bulk(v: &str) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(v.as_bytes()))
    }

    pub fn linearizable(history: &[Op]) -> bool {
        matches!(
            check(&RedisModel, history, None).verdict,
            Verdict::Linearizable
        )
    }
}

#[cfg(test)]
mod tests {
    use super::test_kit::*;
    use super::*;

    #[test]
    fn shared_values_rehash_after_change_and_copy_only_when_shared() {
        let list = |items: &[&'static str]| {
            SharedValue::new(MValue::List(
                items.iter().map(|i| Bytes::from(*i)).collect(),
            ))
        };
        let mut a = list(&["x"]);
        let _ = fx_hash(&a); // caches the hash of ["x"]
        let b = a.clone();
        let MValue::List(items) = a.make_mut() else {
            unreachable!()
        };
        items.push(Bytes::from("y"));
        // `b` still holds the old value; `a` hashes and compares as a fresh ["x", "y"].
        assert_eq!(*b, MValue::List(vec![Bytes::from("x")]));
        assert_eq!(fx_hash(&a), fx_hash(&list(&["x", "y"])));
        assert_eq!(a, list(&["x", "y"]));
        assert_ne!(a, b);
        assert_eq!(b, list(&["x"]));
    }

    #[test]
    fn stale_read_is_rejected() {
        let h = vec![
            op(1, set(0, "a"), Reply::OK, 0, 1),
            op(1, set(0, "b"), Reply::OK, 2, 3),
            op(2, Cmd::Get(0), bulk("a"), 4, 5),
        ];
        assert!(!linearizable(&h));
    }

    #[test]
    fn concurrent_read_may_see_either_side() {
        let h = vec![
            op(1, set(0, "a"), Reply::OK, 0, 1),
            op(1, set(0, "b"), Reply::OK, 2, 10),
            op(2, Cmd::Get(0), bulk("a"), 3, 5),
            op(3, Cmd::Get(0), bulk("b"), 4, 6),
        ];
        assert!(linearizable(&h));
    }

    #[test]
    fn lost_write_is_rejected() {
        let h = vec![
            op(1, Cmd::IncrBy(0, 1), Reply::Integer(1), 0, 1),
            op(2, Cmd::IncrBy(0, 1), Reply::Integer(1), 2, 3),
        ];
        assert!(!linearizable(&h));
    }

    #[test]
    fn expired_key_read_back_is_rejected_but_straddling_read_is_not() {
        let expired = vec![
            op(1, set_px(0, "a", 100), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), bulk("a"), 500, 501),
        ];
        assert!(!linearizable(&expired));
        let straddling = vec![
            op(1, set_px(0, "a", 100), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), bulk("a"), 50, 150),
            op(3, Cmd::Get(0), Reply::Null, 60, 160),
        ];
        assert!(linearizable(&straddling));
        // Once seen expired, the key cannot come back.
        let resurrected = vec![
            op(1, set_px(0, "a", 100), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), Reply::Null, 50, 150),
            op(3, Cmd::Get(0), bulk("a"), 151, 152),
        ];
        assert!(!linearizable(&resurrected));
    }

    #[test]
    fn pttl_must_fall_in_the_window() {
        let ok = vec![
            op(1, set_px(0, "a", 1000), Reply::OK, 0, 10),
            op(1, Cmd::PTtl(0), Reply::Integer(950), 50, 60),
        ];
        assert!(linearizable(&ok));
        let bad = vec![
            op(1, set_px(0, "a", 1000), Reply::OK, 0, 10),
            op(1, Cmd::PTtl(0), Reply::Integer(999), 50, 60),
        ];
        assert!(!linearizable(&bad));
    }

    #[test]
    fn swapped_pipelined_replies_are_rejected() {
        // One client pipelines SET then GET of another key; replies come back swapped.
        let h = vec![
            op(1, set(0, "x"), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), Reply::OK, 2, 4),
            op(2, Cmd::Strlen(0), bulk("x"), 2, 4),
        ];
        assert!(!linearizable(&h));
    }

    #[test]
    fn dump_and_restore() {
        let restore = |key, v: &str, replace, corrupt| Cmd::Restore {
            key,
            value: Bytes::from(v.to_string()),
            ttl_ms: 0,
            replace,
            corrupt,
        };
        let payload = |v: &str| {
            Reply::Bulk(Bytes::from(crate::workload::restore_payload(
                &Bytes::from(v.to_string()),
                false,
            )))
        };
        let busy = Reply::err("BUSYKEY Target key name already exists.");
        let bad = Reply::err("ERR DUMP payload version or checksum are wrong");
        let h = vec![
            op(1, Cmd::Dump(0), Reply::Null, 0, 1),
            op(1, set(0, "x"), Reply::OK, 2, 3),
            op(1, Cmd::Dump(0), payload("x"), 4, 5),
            op(1, restore(0, "y", false, false), busy, 6, 7),
            op(1, restore(0, "y", true, true), bad.clone(), 8, 9),
            op(1, restore(0, "y", true, false), Reply::OK, 10, 11),
            op(1, Cmd::Get(0), bulk("y"), 12, 13),
            op(1, restore(1, "12", false, false), Reply::OK, 14, 15),
            op(1, Cmd::Dump(1), payload("12"), 16, 17),
        ];
        assert!(linearizable(&h));
        // A DUMP of the value before the write, after it: not linearizable.
        let stale = vec![
            op(1, set(0, "x"), Reply::OK, 0, 1),
            op(1, restore(0, "y", true, false), Reply::OK, 2, 3),
            op(1, Cmd::Dump(0), payload("x"), 4, 5),
        ];
        assert!(!linearizable(&stale));
        // A corrupt payload into an existing key without REPLACE: BUSYKEY comes first.
        let order = vec![
            op(1, set(0, "x"), Reply::OK, 0, 1),
            op(1, restore(0, "y", false, true), bad, 2, 3),
        ];
        assert!(!linearizable(&order));
    }

    #[test]
    fn unknown_outcome_may_or_may_not_apply() {
        let unknown_set = unknown(1, set(0, "a"), 0);
        let applied = vec![unknown_set.clone(), op(2, Cmd::Get(0), bulk("a"), 5, 6)];
        assert!(linearizable(&applied));
        let not_applied = vec![unknown_set, op(2, Cmd::Get(0), Reply::Null, 5, 6)];
        assert!(linearizable(&not_applied));
    }

    #[test]
    fn redis_integer_rules() {
        assert_eq!(parse_redis_int(b"-12"), Some(-12));
        assert_eq!(parse_redis_int(b"012"), None);
        assert_eq!(parse_redis_int(b"-0"), None);
        assert_eq!(parse_redis_int(b"+1"), None);
        assert_eq!(parse_redis_int(b"9223372036854775808"), None);
    }
}

#[cfg(test)]
mod typed_tests {
    use super::test_kit::*;
    use super::*;
    use crate::workload::{ZAddFlags, KEYS_PER_FAMILY};

    const K: KeyId = 0; // k0
    const L: KeyId = KEYS_PER_FAMILY; // l0
    const H: KeyId = 2 * KEYS_PER_FAMILY; // h0
    const S: KeyId = 3 * KEYS_PER_FAMILY; // s0
    const Z: KeyId = 4 * KEYS_PER_FAMILY; // z0

    fn b(v: &str) -> Bytes {
        Bytes::copy_from_slice(v.as_bytes())
    }

    fn bulks(vs: &[&str]) -> Reply {
        Reply::Array(vs.iter().map(|v| bulk(v)).collect())
    }

    fn wrong() -> Reply {
        Reply::err(WRONGTYPE)
    }

    /// Runs `steps` in order on one state at time 0 and checks each exact reply.
    fn run_seq(steps: &[(Cmd, Reply)]) -> State {
        let mut state = State::default();
        for (i, (cmd, want)) in steps.iter().enumerate() {
            let got = RedisModel::apply(&mut state, cmd, 0, 0);
            assert_eq!(
                got,
                Expect::Exact(want.clone()),
                "step {i}: {}",
                cmd.cli_line()
            );
        }
        state
    }

    #[test]
    fn streams() {
        const X: KeyId = 5 * KEYS_PER_FAMILY; // x0
        let xadd = |id: XId, f: &str| Cmd::XAdd {
            key: X,
            id,
            maxlen: None,
            fields: vec![(b(f), b("v"))],
        };
        let entry = |id: &str, f: &str| {
            Reply::Array(vec![bulk(id), Reply::Array(vec![bulk(f), bulk("v")])])
        };
        let state = run_seq(&[
            (Cmd::XLen(X), Reply::Integer(0)),
            (xadd(XId::Full(0, 0), "f"), Reply::err("ERR The ID specified in XADD must be greater than 0-0")),
            (Cmd::Type(X), Reply::simple("none")),
            (xadd(XId::Full(2, 1), "f"), bulk("2-1")),
            (xadd(XId::Ms(2), "g"), bulk("2-2")),
            (xadd(XId::Full(1, 5), "f"), Reply::err("ERR The ID specified in XADD is equal or smaller than the target stream top item")),
            // `*` at instant 0, behind the last ID: the next sequence.
            (xadd(XId::Auto, "h"), bulk("2-3")),
            (Cmd::XRange { key: X, rev: false, count: Some(2) }, Reply::Array(vec![entry("2-1", "f"), entry("2-2", "g")])),
            (Cmd::XRange { key: X, rev: true, count: Some(1) }, Reply::Array(vec![entry("2-3", "h")])),
            (Cmd::XRange { key: X, rev: false, count: Some(0) }, Reply::NullArray),
            (Cmd::XDel(X, vec![(2, 2), (9, 9)]), Reply::Integer(1)),
            (Cmd::XTrim(X, 0), Reply::Integer(2)),
            // Emptied, a stream stays, and keeps its last ID.
            (Cmd::Type(X), Reply::simple("stream")),
            (xadd(XId::Full(2, 3), "f"), Reply::err("ERR The ID specified in XADD is equal or smaller than the target stream top item")),
            (Cmd::LLen(X), wrong()),
        ]);
        assert_eq!(state.keys.len(), 1);
        // A `*` reply is checked against the window: clock ms past the last ID, or the
        // next sequence if the clock may not have passed it.
        assert_eq!(
            auto_id_in_window(&bulk("10-0"), (2, 3), 5, 20),
            Some((10, 0))
        );
        assert_eq!(auto_id_in_window(&bulk("30-0"), (2, 3), 5, 20), None);
        assert_eq!(auto_id_in_window(&bulk("2-4"), (2, 3), 1, 20), Some((2, 4)));
        assert_eq!(auto_id_in_window(&bulk("2-4"), (2, 3), 3, 20), None);
    }

    #[test]
    fn lists() {
        let state = run_seq(&[
            (Cmd::LPop(L), Reply::Null),
            (Cmd::LPush(L, vec![b("a"), b("b")]), Reply::Integer(2)),
            (Cmd::RPush(L, vec![b("c")]), Reply::Integer(3)),
            (Cmd::LRange(L, 0, -1), bulks(&["b", "a", "c"])),
            (Cmd::LRange(L, -2, 10), bulks(&["a", "c"])),
            (Cmd::LRange(L, -10, 0), bulks(&["b"])),
            (Cmd::LRange(L, 2, 1), bulks(&[])),
            (Cmd::LRange(L, 3, 5), bulks(&[])),
            (Cmd::LIndex(L, -1), bulk("c")),
            (Cmd::LIndex(L, 3), Reply::Null),
            (Cmd::LIndex(L, -4), Reply::Null),
            (Cmd::LLen(L), Reply::Integer(3)),
            (Cmd::Type(L), Reply::simple("list")),
            (Cmd::LPop(L), bulk("b")),
            (Cmd::RPop(L), bulk("c")),
            (Cmd::RPop(L), bulk("a")),
            // Emptied: deleted.
            (Cmd::Exists(vec![L]), Reply::Integer(0)),
            (Cmd::Type(L), Reply::simple("none")),
            (Cmd::LLen(L), Reply::Integer(0)),
            (Cmd::LRange(L, 0, -1), bulks(&[])),
            (Cmd::LIndex(L, 0), Reply::Null),
        ]);
        assert!(state.keys.is_empty());
    }

    #[test]
    fn hashes() {
        let state = run_seq(&[
            (Cmd::HGet(H, b("f")), Reply::Null),
            (
                Cmd::HSet(H, vec![(b("f"), b("1")), (b("f"), b("2"))]),
                Reply::Integer(1),
            ),
            (
                Cmd::HSet(H, vec![(b("g"), b("x")), (b("f"), b("5"))]),
                Reply::Integer(1),
            ),
            (Cmd::HGet(H, b("f")), bulk("5")),
            (Cmd::HLen(H), Reply::Integer(2)),
            (Cmd::HIncrBy(H, b("f"), -7), Reply::Integer(-2)),
            (Cmd::HIncrBy(H, b("g"), 1), Reply::err(HASH_NOT_INTEGER)),
            (Cmd::HIncrBy(H, b("n"), 3), Reply::Integer(3)),
            (Cmd::HExists(H, b("n")), Reply::Integer(1)),
            (Cmd::HExists(H, b("zz")), Reply::Integer(0)),
            (
                Cmd::HDel(H, vec![b("f"), b("zz"), b("f")]),
                Reply::Integer(1),
            ),
            (Cmd::Type(H), Reply::simple("hash")),
            (Cmd::HDel(H, vec![b("g"), b("n")]), Reply::Integer(2)),
            (Cmd::Exists(vec![H]), Reply::Integer(0)),
            (Cmd::HDel(H, vec![b("g")]), Reply::Integer(0)),
            (Cmd::HLen(H), Reply::Integer(0)),
            (Cmd::HExists(H, b("g")), Reply::Integer(0)),
        ]);
        assert!(state.keys.is_empty());
    }

    #[test]
    fn sets() {
        let state = run_seq(&[
            (Cmd::SAdd(S, vec![b("a"), b("a")]), Reply::Integer(1)),
            (Cmd::SAdd(S, vec![b("a"), b("b")]), Reply::Integer(1)),
            (Cmd::SIsMember(S, b("b")), Reply::Integer(1)),
            (Cmd::SIsMember(S, b("c")), Reply::Integer(0)),
            (Cmd::SCard(S), Reply::Integer(2)),
            (Cmd::Type(S), Reply::simple("set")),
            (Cmd::SRem(S, vec![b("a"), b("c")]), Reply::Integer(1)),
            (Cmd::SRem(S, vec![b("b"), b("b")]), Reply::Integer(1)),
            (Cmd::Exists(vec![S]), Reply::Integer(0)),
            (Cmd::SRem(S, vec![b("b")]), Reply::Integer(0)),
            (Cmd::SCard(S), Reply::Integer(0)),
            (Cmd::SIsMember(S, b("b")), Reply::Integer(0)),
        ]);
        assert!(state.keys.is_empty());
    }

    #[test]
    fn sorted_sets() {
        let plain = ZAddFlags::default();
        let with = |f: fn(&mut ZAddFlags)| {
            let mut flags = ZAddFlags::default();
            f(&mut flags);
            flags
        };
        let state = run_seq(&[
            // XX on a missing key creates nothing.
            (
                Cmd::ZAdd(Z, with(|f| f.xx = true), vec![(1, b("a"))]),
                Reply::Integer(0),
            ),
            (Cmd::Exists(vec![Z]), Reply::Integer(0)),
            (
                Cmd::ZAdd(Z, plain, vec![(5, b("b")), (5, b("a")), (-3, b("c"))]),
                Reply::Integer(3),
            ),
            (Cmd::ZRangeAll(Z), bulks(&["c", "a", "b"])),
            (Cmd::ZRank(Z, b("b")), Reply::Integer(2)),
            (Cmd::ZRank(Z, b("x")), Reply::Null),
            (Cmd::ZScore(Z, b("c")), bulk("-3")),
            (Cmd::ZScore(Z, b("x")), Reply::Null),
            // NX: only new members; CH counts changes too.
            (
                Cmd::ZAdd(Z, with(|f| f.nx = true), vec![(9, b("a")), (0, b("d"))]),
                Reply::Integer(1),
            ),
            (Cmd::ZScore(Z, b("a")), bulk("5")),
            // XX CH: only existing members; an unchanged score is no change.
            (
                Cmd::ZAdd(
                    Z,
                    with(|f| (f.xx, f.ch) = (true, true)),
                    vec![(7, b("a")), (5, b("b")), (1, b("e"))],
                ),
                Reply::Integer(1),
            ),
            (Cmd::ZScore(Z, b("e")), Reply::Null),
            // GT: only raises (a new member is still added); LT only lowers.
            (
                Cmd::ZAdd(
                    Z,
                    with(|f| (f.gt, f.ch) = (true, true)),
                    vec![(6, b("a")), (8, b("b")), (2, b("f"))],
                ),
                Reply::Integer(2),
            ),
            (Cmd::ZScore(Z, b("a")), bulk("7")),
            (
                Cmd::ZAdd(Z, with(|f| f.lt = true), vec![(-5, b("a")), (9, b("b"))]),
                Reply::Integer(0),
            ),
            (Cmd::ZRangeAll(Z), bulks(&["a", "c", "d", "f", "b"])),
            (Cmd::ZIncrBy(Z, 3, b("c")), bulk("0")),
            (Cmd::ZIncrBy(Z, -4, b("new")), bulk("-4")),
            (Cmd::ZRank(Z, b("c")), Reply::Integer(2)),
            (Cmd::ZCard(Z), Reply::Integer(6)),
            (Cmd::Type(Z), Reply::simple("zset")),
            (
                Cmd::ZRem(Z, vec![b("a"), b("b"), b("c"), b("x")]),
                Reply::Integer(3),
            ),
            (
                Cmd::ZRem(Z, vec![b("d"), b("f"), b("new")]),
                Reply::Integer(3),
            ),
            (Cmd::Exists(vec![Z]), Reply::Integer(0)),
            (Cmd::ZCard(Z), Reply::Integer(0)),
            (Cmd::ZRangeAll(Z), bulks(&[])),
        ]);
        assert!(state.keys.is_empty());
    }

    fn cas(key: KeyId, expected: &str, new: &str) -> Cmd {
        Cmd::Cas {
            key,
            expected: b(expected),
            new: b(new),
        }
    }

    #[test]
    fn compare_and_set_script() {
        run_seq(&[
            (cas(K, "1", "x"), Reply::Integer(0)),
            (Cmd::Exists(vec![K]), Reply::Integer(0)),
            (Cmd::IncrBy(K, 1), Reply::Integer(1)),
            (Cmd::PExpire(K, 1000), Reply::Integer(1)),
            (cas(K, "2", "x"), Reply::Integer(0)),
            (cas(K, "1", "x"), Reply::Integer(1)),
            (Cmd::Get(K), bulk("x")),
            // SET inside the script drops the TTL.
            (Cmd::PTtl(K), Reply::Integer(-1)),
        ]);
    }

    #[test]
    fn lock_and_transfer_scripts() {
        let lock = |token: &str| Cmd::Set {
            key: K,
            value: b(token),
            ttl_ms: Some(1000),
            cond: SetCond::Nx,
            get: false,
        };
        let release = |token: &str| Cmd::LockRelease {
            key: K,
            token: b(token),
        };
        let extend = |token: &str, replace: bool| Cmd::LockExtend {
            key: K,
            token: b(token),
            ms: 500,
            replace,
        };
        let k1 = K + 1;
        let transfer = |from, to, amount| Cmd::Transfer { from, to, amount };
        let state = run_seq(&[
            (lock("t0"), Reply::OK),
            (lock("t1"), Reply::Null),
            (release("t1"), Reply::Integer(0)),
            // Added to the 1000 ms left.
            (extend("t0", false), Reply::Integer(1)),
        ]);
        assert_eq!(state.get(K).and_then(|e| e.expire), Some((1500, 1500)));
        let state = run_seq(&[
            (lock("t0"), Reply::OK),
            (extend("t0", true), Reply::Integer(1)),
        ]);
        assert_eq!(state.get(K).and_then(|e| e.expire), Some((500, 500)));
        run_seq(&[
            (lock("t0"), Reply::OK),
            (
                Cmd::LockReacquire {
                    key: K,
                    token: b("t1"),
                    ms: 100,
                },
                Reply::Integer(0),
            ),
            (release("t0"), Reply::Integer(1)),
            (Cmd::Exists(vec![K]), Reply::Integer(0)),
            // A lock without TTL is not extended (PTTL -1).
            (set(K, "t2"), Reply::OK),
            (extend("t2", false), Reply::Integer(0)),
            // Transfers: a missing source would go negative (and is left as "0").
            (transfer(k1, K, 3), Reply::Integer(0)),
            (Cmd::Get(k1), bulk("0")),
            (Cmd::IncrBy(k1, 5), Reply::Integer(5)),
            // The target holds "t2": not an integer, the source is restored.
            (transfer(k1, K, 3), Reply::Integer(-1)),
            (Cmd::Get(k1), bulk("5")),
            (set(K, "1"), Reply::OK),
            (transfer(k1, K, 3), Reply::Integer(1)),
            (Cmd::MGet(vec![k1, K]), Reply::Array(vec![bulk("2"), bulk("4")])),
            (Cmd::LPush(L, vec![b("a")]), Reply::Integer(1)),
            (transfer(L, K, 1), Reply::Integer(-1)),
            (
                release_on(L),
                Reply::error(format!(
                    "WRONGTYPE Operation against a key holding the wrong kind of value script: {}, on @user_script:2.",
                    seedis::script::lua_env::sha1_hex(LOCK_RELEASE_SCRIPT.as_bytes())
                )),
            ),
        ]);
    }

    fn release_on(key: KeyId) -> Cmd {
        Cmd::LockRelease {
            key,
            token: b("t0"),
        }
    }

    #[test]
    fn wrong_types() {
        run_seq(&[
            (set(K, "v"), Reply::OK),
            (Cmd::LPush(K, vec![b("a")]), wrong()),
            (Cmd::HSet(K, vec![(b("f"), b("v"))]), wrong()),
            (Cmd::HIncrBy(K, b("f"), 1), wrong()),
            (Cmd::SAdd(K, vec![b("m")]), wrong()),
            (
                Cmd::ZAdd(K, ZAddFlags::default(), vec![(1, b("m"))]),
                wrong(),
            ),
            (
                Cmd::ZAdd(
                    K,
                    ZAddFlags {
                        xx: true,
                        ..ZAddFlags::default()
                    },
                    vec![(1, b("m"))],
                ),
                wrong(),
            ),
            (Cmd::ZIncrBy(K, 1, b("m")), wrong()),
            (Cmd::LPop(K), wrong()),
            (Cmd::LLen(K), wrong()),
            (Cmd::HGet(K, b("f")), wrong()),
            (Cmd::SRem(K, vec![b("m")]), wrong()),
            (Cmd::ZScore(K, b("m")), wrong()),
            (Cmd::ZRangeAll(K), wrong()),
            (Cmd::Get(K), bulk("v")),
            (Cmd::LPush(L, vec![b("a")]), Reply::Integer(1)),
            (Cmd::Get(L), wrong()),
            (Cmd::IncrBy(L, 1), wrong()),
            (Cmd::Append(L, b("x")), wrong()),
            (Cmd::Strlen(L), wrong()),
            (Cmd::GetDel(L), wrong()),
            // The CAS script answers -1 for another type and leaves it alone.
            (cas(L, "a", "b"), Reply::Integer(-1)),
            (Cmd::LLen(L), Reply::Integer(1)),
            (Cmd::HLen(L), wrong()),
            (Cmd::SCard(L), wrong()),
            (Cmd::ZCard(L), wrong()),
            (Cmd::ZRank(L, b("a")), wrong()),
            // MGET: nil for another type.
            (
                Cmd::MGet(vec![K, L]),
                Reply::Array(vec![bulk("v"), Reply::Null]),
            ),
            // SET ... GET on another type: WRONGTYPE, nothing set (even with NX/XX).
            (
                Cmd::Set {
                    key: L,
                    value: b("s"),
                    ttl_ms: None,
                    cond: SetCond::Xx,
                    get: true,
                },
                wrong(),
            ),
            (Cmd::Type(L), Reply::simple("list")),
            // SET NX sees the list; plain SET overwrites it.
            (
                Cmd::Set {
                    key: L,
                    value: b("s"),
                    ttl_ms: None,
                    cond: SetCond::Nx,
                    get: false,
                },
                Reply::Null,
            ),
            (set(L, "s"), Reply::OK),
            (Cmd::Type(L), Reply::simple("string")),
            (Cmd::LLen(L), wrong()),
            (Cmd::MSet(vec![(K, b("w"))]), Reply::OK),
            (Cmd::SAdd(S, vec![b("m")]), Reply::Integer(1)),
            (Cmd::MSet(vec![(S, b("w"))]), Reply::OK),
            (Cmd::Get(S), bulk("w")),
            (Cmd::Del(vec![L, S, K]), Reply::Integer(3)),
            (Cmd::SAdd(K, vec![b("m")]), Reply::Integer(1)),
            (Cmd::Type(K), Reply::simple("set")),
        ]);
    }

    #[test]
    fn bitmaps_share_string_keys() {
        use crate::workload::{BitOpKind, FieldOp};
        run_seq(&[
            (Cmd::SetBit(K, 7, true), Reply::Integer(0)),
            (Cmd::Get(K), bulk("\x01")),
            (Cmd::Append(K, b("a")), Reply::Integer(2)),
            (Cmd::BitCount(K, None), Reply::Integer(4)),
            (Cmd::BitCount(K, Some((8, 9, true))), Reply::Integer(1)),
            (
                Cmd::BitPos {
                    key: K,
                    bit: true,
                    range: Some((1, None)),
                },
                Reply::Integer(9),
            ),
            (Cmd::PExpire(K, 1000), Reply::Integer(1)),
            (Cmd::SetBit(K, 100, true), Reply::Integer(0)),
            (Cmd::Strlen(K), Reply::Integer(13)),
            // SETBIT edits in place: the TTL stays (PERSIST finds one).
            (Cmd::Persist(K), Reply::Integer(1)),
            (Cmd::PExpire(K, 1000), Reply::Integer(1)),
            (Cmd::LPush(L, vec![b("a")]), Reply::Integer(1)),
            (Cmd::SetBit(L, 1, true), wrong()),
            (Cmd::GetBit(L, 1), wrong()),
            (Cmd::BitOp(BitOpKind::Or, K, vec![L]), wrong()),
            // BITOP overwrites a destination of any type, without a TTL.
            (Cmd::BitOp(BitOpKind::Not, L, vec![K]), Reply::Integer(13)),
            (Cmd::Type(L), Reply::simple("string")),
            (Cmd::BitOp(BitOpKind::And, K, vec![S]), Reply::Integer(0)),
            (Cmd::Exists(vec![K]), Reply::Integer(0)),
            (
                Cmd::BitField(
                    S,
                    vec![FieldOp::Get {
                        signed: false,
                        bits: 8,
                        offset: 0,
                        hash: false,
                    }],
                ),
                Reply::Array(vec![Reply::Integer(0)]),
            ),
            (Cmd::Exists(vec![S]), Reply::Integer(0)),
        ]);
    }

    #[test]
    fn aggregates_keep_their_ttl() {
        let mut state = State::default();
        let mut step = |cmd: Cmd, at: u64| RedisModel::apply(&mut state, &cmd, at, at);
        assert_eq!(
            step(Cmd::RPush(L, vec![b("a")]), 0),
            Expect::Exact(Reply::Integer(1))
        );
        assert_eq!(
            step(Cmd::PExpire(L, 1000), 10),
            Expect::Exact(Reply::Integer(1))
        );
        assert_eq!(
            step(Cmd::LPush(L, vec![b("b")]), 20),
            Expect::Exact(Reply::Integer(2))
        );
        assert_eq!(step(Cmd::PTtl(L), 30), Expect::IntBetween(980, 980));
        assert_eq!(
            step(Cmd::HSet(H, vec![(b("f"), b("1"))]), 0),
            Expect::Exact(Reply::Integer(1))
        );
        assert_eq!(
            step(Cmd::PExpire(H, 100), 0),
            Expect::Exact(Reply::Integer(1))
        );
        assert_eq!(
            step(Cmd::HIncrBy(H, b("f"), 1), 5),
            Expect::Exact(Reply::Integer(2))
        );
        assert_eq!(step(Cmd::PTtl(H), 50), Expect::IntBetween(50, 50));
        assert_eq!(step(Cmd::Persist(H), 60), Expect::Exact(Reply::Integer(1)));
        assert_eq!(step(Cmd::PTtl(H), 70), Expect::Exact(Reply::Integer(-1)));
        // Once the list's deadline passed, it is gone (the checker resolves the expiry).
        let h = vec![
            op(1, Cmd::RPush(L, vec![b("a")]), Reply::Integer(1), 0, 1),
            op(1, Cmd::PExpire(L, 100), Reply::Integer(1), 2, 3),
            op(1, Cmd::RPush(L, vec![b("b")]), Reply::Integer(2), 4, 5),
            op(1, Cmd::LLen(L), Reply::Integer(2), 200, 201),
        ];
        assert!(!linearizable(&h));
        let mut h = h;
        h[3].output = Some(Reply::Integer(0));
        assert!(linearizable(&h));
    }

    #[test]
    fn element_popped_twice_is_rejected() {
        let h = vec![
            op(
                1,
                Cmd::RPush(L, vec![b("a"), b("b")]),
                Reply::Integer(2),
                0,
                1,
            ),
            op(2, Cmd::LPop(L), bulk("a"), 2, 5),
            op(3, Cmd::LPop(L), bulk("a"), 2, 5),
        ];
        assert!(!linearizable(&h));
        let mut ok = h.clone();
        ok[2].output = Some(bulk("b"));
        assert!(linearizable(&ok));
    }

    #[test]
    fn lost_hset_is_rejected() {
        let h = vec![
            op(
                1,
                Cmd::HSet(H, vec![(b("f"), b("1"))]),
                Reply::Integer(1),
                0,
                1,
            ),
            op(
                2,
                Cmd::HSet(H, vec![(b("g"), b("2"))]),
                Reply::Integer(1),
                2,
                3,
            ),
            op(3, Cmd::HLen(H), Reply::Integer(1), 4, 5),
        ];
        assert!(!linearizable(&h));
        let h = vec![
            op(
                1,
                Cmd::HSet(H, vec![(b("f"), b("1"))]),
                Reply::Integer(1),
                0,
                1,
            ),
            op(2, Cmd::HGet(H, b("f")), Reply::Null, 2, 3),
        ];
        assert!(!linearizable(&h));
    }

    #[test]
    fn zrank_inconsistent_with_scores_is_rejected() {
        let add = |score, m: &str| Cmd::ZAdd(Z, ZAddFlags::default(), vec![(score, b(m))]);
        let h = vec![
            op(1, add(5, "a"), Reply::Integer(1), 0, 1),
            op(1, add(3, "b"), Reply::Integer(1), 2, 3),
            op(2, Cmd::ZRank(Z, b("a")), Reply::Integer(0), 4, 5),
        ];
        assert!(!linearizable(&h));
        // Equal scores order by member.
        let h = vec![
            op(1, add(5, "b"), Reply::Integer(1), 0, 1),
            op(1, add(5, "a"), Reply::Integer(1), 2, 3),
            op(2, Cmd::ZRangeAll(Z), bulks(&["b", "a"]), 4, 5),
        ];
        assert!(!linearizable(&h));
    }

    #[test]
    fn double_counted_sadd_and_wrong_type_answers_are_rejected() {
        let h = vec![
            op(1, Cmd::SAdd(S, vec![b("m")]), Reply::Integer(1), 0, 3),
            op(2, Cmd::SAdd(S, vec![b("m")]), Reply::Integer(1), 1, 4),
        ];
        assert!(!linearizable(&h));
        // A list key read as a string.
        let h = vec![
            op(1, Cmd::LPush(L, vec![b("a")]), Reply::Integer(1), 0, 1),
            op(2, Cmd::Get(L), Reply::Null, 2, 3),
        ];
        assert!(!linearizable(&h));
        // An emptied set that still exists.
        let h = vec![
            op(1, Cmd::SAdd(S, vec![b("m")]), Reply::Integer(1), 0, 1),
            op(1, Cmd::SRem(S, vec![b("m")]), Reply::Integer(1), 2, 3),
            op(2, Cmd::Type(S), Reply::simple("set"), 4, 5),
        ];
        assert!(!linearizable(&h));
    }
}

#[cfg(test)]
mod regressions {
    use super::*;
    use crate::checker::{check, Operation, Verdict};

    /// Found by `sim --seed 25`: a SET PX whose reply was lost has a deadline interval
    /// reaching u64::MAX; PTTL's upper bound wrapped to a negative i64 and every PTTL
    /// after such a SET was rejected.
    #[test]
    fn pttl_after_a_set_px_with_unknown_outcome() {
        let e = 1_700_000_000_000_000u64;
        let set = Cmd::Set {
            key: 0,
            value: Bytes::from("c2-24"),
            ttl_ms: Some(1284),
            cond: SetCond::Always,
            get: false,
        };
        let history = vec![
            Operation {
                client: 1,
                input: TimedCmd {
                    cmd: set,
                    conn: 1,
                    limited: false,
                    call_ms: (e + 550) / 1000,
                    ret_ms: None,
                },
                output: None,
                call: e + 550,
                ret: None,
            },
            Operation {
                client: 2,
                input: TimedCmd {
                    cmd: Cmd::PTtl(0),
                    conn: 2,
                    limited: false,
                    call_ms: (e + 696) / 1000,
                    ret_ms: Some((e + 931).div_ceil(1000)),
                },
                output: Some(Reply::Integer(1284)),
                call: e + 696,
                ret: Some(e + 931),
            },
        ];
        let verdict = check(&RedisModel, &history, None).verdict;
        assert!(matches!(verdict, Verdict::Linearizable), "{verdict:?}");
    }
}

#[cfg(test)]
mod txn_tests {
    //! MULTI/EXEC, BLPOP and PUBLISH.
    use super::test_kit::*;
    use super::*;
    use crate::workload::KEYS_PER_FAMILY;

    const L0: KeyId = KEYS_PER_FAMILY;

    fn multi(cmds: Vec<Cmd>) -> Cmd {
        Cmd::Multi {
            watch: Vec::new(),
            cmds,
        }
    }

    fn txn_ab() -> Cmd {
        Cmd::Multi {
            watch: Vec::new(),
            cmds: vec![set(0, "a"), set(1, "b")],
        }
    }

    #[test]
    fn exec_seen_half_applied_is_rejected() {
        let exec = Reply::Array(vec![Reply::OK, Reply::OK]);
        let half = vec![
            op(1, txn_ab(), exec.clone(), 0, 10),
            op(2, Cmd::Get(0), bulk("a"), 1, 2),
            op(2, Cmd::Get(1), Reply::Null, 3, 4),
        ];
        assert!(!linearizable(&half));
        let whole = vec![
            op(1, txn_ab(), exec, 0, 10),
            op(2, Cmd::Get(0), bulk("a"), 1, 2),
            op(2, Cmd::Get(1), bulk("b"), 3, 4),
        ];
        assert!(linearizable(&whole));
        // A transaction whose connection died may or may not have run, but not halfway.
        let lost_half = vec![
            unknown(1, txn_ab(), 0),
            op(2, Cmd::Get(0), bulk("a"), 1, 2),
            op(2, Cmd::Get(1), Reply::Null, 3, 4),
        ];
        assert!(!linearizable(&lost_half));
        let lost_none = vec![
            unknown(1, txn_ab(), 0),
            op(2, Cmd::Get(0), Reply::Null, 1, 2),
            op(2, Cmd::Get(1), Reply::Null, 3, 4),
        ];
        assert!(linearizable(&lost_none));
    }

    #[test]
    fn exec_replies_follow_the_queued_commands_in_order() {
        let txn = multi(vec![
            Cmd::IncrBy(0, 1),
            Cmd::IncrBy(0, 1),
            Cmd::LPush(0, vec![]),
        ]);
        let good = Reply::Array(vec![
            Reply::Integer(1),
            Reply::Integer(2),
            Reply::err(WRONGTYPE),
        ]);
        assert!(linearizable(&[op(1, txn.clone(), good, 0, 1)]));
        let interleaved = Reply::Array(vec![
            Reply::Integer(1),
            Reply::Integer(1),
            Reply::err(WRONGTYPE),
        ]);
        assert!(!linearizable(&[op(1, txn.clone(), interleaved, 0, 1)]));
        let short = Reply::Array(vec![Reply::Integer(1), Reply::Integer(2)]);
        assert!(!linearizable(&[op(1, txn, short, 0, 1)]));
    }

    /// A BLPOP as the driver records it: the op that ran it (known to have run by
    /// `ran_by`, when the server read it) and its end, answered `reply` at `ret`.
    fn blpop(client: u64, timeout: u64, reply: Reply, call: u64, ran_by: u64, ret: u64) -> [Op; 2] {
        [
            op(client, Cmd::BLPop(L0, timeout), reply.clone(), call, ran_by),
            op(client, Cmd::BLPopDone(L0), reply, call, ret),
        ]
    }

    fn got(v: &str) -> Reply {
        Reply::Array(vec![bulk("l0"), bulk(v)])
    }

    fn push(v: &'static str) -> Cmd {
        Cmd::RPush(L0, vec![Bytes::from(v)])
    }

    #[test]
    fn blpop_nil_while_the_list_had_elements_is_rejected() {
        let provably_full = [
            vec![op(1, push("x"), Reply::Integer(1), 0, 1)],
            blpop(2, 100, Reply::NullArray, 2, 3, 150).to_vec(),
            vec![op(1, Cmd::LLen(L0), Reply::Integer(1), 200, 201)],
        ]
        .concat();
        assert!(!linearizable(&provably_full));
        // A concurrent pop may have emptied it before the BLPOP ran.
        let emptied = [
            vec![op(1, push("x"), Reply::Integer(1), 0, 1)],
            blpop(2, 100, Reply::NullArray, 2, 5, 150).to_vec(),
            vec![op(3, Cmd::LPop(L0), bulk("x"), 3, 4)],
        ]
        .concat();
        assert!(linearizable(&emptied));
        let served_twice = [
            vec![op(1, push("x"), Reply::Integer(1), 0, 1)],
            blpop(2, 100, got("x"), 2, 3, 3).to_vec(),
            blpop(3, 100, got("x"), 2, 3, 3).to_vec(),
        ]
        .concat();
        assert!(!linearizable(&served_twice));
    }

    /// A push serves the client that blocked first; a client blocked when a push came
    /// cannot time out empty-handed; and a timeout never fires early.
    #[test]
    fn blocked_clients_are_served_first_come_first_served() {
        let in_order = |first: Reply, second: Reply| {
            linearizable(
                &[
                    blpop(1, 100, first, 0, 1, 20).to_vec(),
                    blpop(2, 100, second, 2, 3, 200).to_vec(),
                    vec![op(3, push("x"), Reply::Integer(1), 10, 11)],
                ]
                .concat(),
            )
        };
        assert!(in_order(got("x"), Reply::NullArray));
        assert!(!in_order(Reply::NullArray, got("x")));
        // The second one served although the first was still waiting: wrong, even if
        // the first times out much later.
        assert!(!linearizable(
            &[
                blpop(1, 100, Reply::NullArray, 0, 1, 150).to_vec(),
                blpop(2, 100, got("x"), 2, 3, 20).to_vec(),
                vec![op(3, push("x"), Reply::Integer(1), 10, 11)],
            ]
            .concat()
        ));
        // If the second BLPOP ran at an unknown time, it may have come first.
        assert!(linearizable(
            &[
                blpop(1, 100, Reply::NullArray, 0, 150, 150).to_vec(),
                blpop(2, 100, got("x"), 2, 20, 20).to_vec(),
                vec![op(3, push("x"), Reply::Integer(1), 10, 11)],
            ]
            .concat()
        ));
        // Timed out before its timeout could have passed.
        assert!(!linearizable(&blpop(1, 100, Reply::NullArray, 0, 1, 50)));
        assert!(linearizable(&blpop(1, 100, Reply::NullArray, 0, 1, 101)));
        // Served only after a whole EXEC: a transaction that pushes and pops again
        // leaves nothing for the blocked client.
        let txn = Cmd::Multi {
            watch: Vec::new(),
            cmds: vec![push("x"), Cmd::LPop(L0)],
        };
        let txn_reply = Reply::Array(vec![Reply::Integer(1), bulk("x")]);
        assert!(!linearizable(
            &[
                blpop(1, 100, got("x"), 0, 1, 20).to_vec(),
                vec![op(3, txn.clone(), txn_reply.clone(), 10, 11)],
            ]
            .concat()
        ));
        assert!(linearizable(
            &[
                blpop(1, 100, Reply::NullArray, 0, 1, 150).to_vec(),
                vec![op(3, txn, txn_reply, 10, 11)],
            ]
            .concat()
        ));
    }

    /// A client whose connection died while blocked may have been served (the element
    /// lost with its reply) or dropped first; either way it is not served twice.
    #[test]
    fn a_dead_blocked_client_may_or_may_not_take_an_element() {
        let dead_first = |second: Reply, llen: i64| {
            let mut dead = op(1, Cmd::BLPop(L0, 100), Reply::Null, 0, 1);
            dead.output = None;
            linearizable(
                &[
                    vec![dead],
                    blpop(2, 100, second, 2, 3, 200).to_vec(),
                    vec![op(3, push("x"), Reply::Integer(1), 10, 11)],
                    vec![op(3, Cmd::LLen(L0), Reply::Integer(llen), 300, 301)],
                ]
                .concat(),
            )
        };
        assert!(dead_first(got("x"), 0));
        assert!(dead_first(Reply::NullArray, 0));
        assert!(!dead_first(Reply::NullArray, 1));
        assert!(!dead_first(got("x"), 1));
    }

    #[test]
    fn publish_count_is_bounded() {
        let publish = |max| Cmd::Publish {
            channel: 0,
            message: Bytes::from("m"),
            max_receivers: max,
        };
        assert!(linearizable(&[op(1, publish(2), Reply::Integer(2), 0, 1)]));
        assert!(!linearizable(&[op(1, publish(0), Reply::Integer(1), 0, 1)]));
        assert!(!linearizable(&[op(1, publish(2), Reply::OK, 0, 1)]));
    }

    /// PFMERGE signals its destination only (hyperloglog.c): a WATCH of a source key
    /// stays clean. Seed 98 failed before the model knew it.
    #[test]
    fn pfmerge_touches_its_destination_not_its_sources() {
        let (p0, p2) = (
            crate::workload::Family::Hll.key(0),
            crate::workload::Family::Hll.key(2),
        );
        let watch = op(1, Cmd::Watch(vec![p0]), Reply::OK, 0, 1);
        let merge = op(2, Cmd::PfMerge(p2, vec![p0]), Reply::OK, 2, 3);
        let txn = Cmd::Multi {
            watch: vec![p0],
            cmds: vec![Cmd::PfCount(vec![p0])],
        };
        let committed = op(1, txn.clone(), Reply::Array(vec![Reply::Integer(0)]), 4, 5);
        assert!(linearizable(&[watch.clone(), merge.clone(), committed]));
        let aborted = op(1, txn, Reply::NullArray, 4, 5);
        assert!(!linearizable(&[watch, merge, aborted]));
    }

    #[test]
    fn watched_exec_aborts_exactly_when_touched() {
        let watch = |conn| op(conn, Cmd::Watch(vec![0, 1]), Reply::OK, 0, 1);
        let watched = Cmd::Multi {
            watch: vec![0, 1],
            cmds: vec![set(0, "a"), set(1, "b")],
        };
        let committed = Reply::Array(vec![Reply::OK, Reply::OK]);
        // Untouched: EXEC must commit, an abort is wrong.
        let untouched_abort = vec![watch(1), op(1, watched.clone(), Reply::NullArray, 2, 3)];
        assert!(!linearizable(&untouched_abort));
        let untouched_commit = vec![watch(1), op(1, watched.clone(), committed.clone(), 2, 3)];
        assert!(linearizable(&untouched_commit));
        // Touched by another client in between: EXEC must abort, a commit is wrong.
        let touched_commit = vec![
            watch(1),
            op(2, set(1, "x"), Reply::OK, 2, 3),
            op(1, watched.clone(), committed.clone(), 4, 5),
        ];
        assert!(!linearizable(&touched_commit));
        let touched_abort = vec![
            watch(1),
            op(2, set(1, "x"), Reply::OK, 2, 3),
            op(1, watched.clone(), Reply::NullArray, 4, 5),
            op(2, Cmd::Get(0), Reply::Null, 6, 7),
        ];
        assert!(linearizable(&touched_abort));
        // An abort that still applied its commands is wrong.
        let mut applied = touched_abort.clone();
        applied[3].output = Some(bulk("a"));
        assert!(!linearizable(&applied));
        // The connection's own write between WATCH and EXEC dirties it too.
        let own_write = vec![
            watch(1),
            op(1, Cmd::IncrBy(0, 0), Reply::Integer(0), 2, 3),
            op(1, watched.clone(), committed.clone(), 4, 5),
        ];
        assert!(!linearizable(&own_write));
        // A write concurrent with WATCH may have come before it: either answer is fine.
        let concurrent = vec![
            op(2, set(1, "x"), Reply::OK, 0, 3),
            watch(1),
            op(1, watched.clone(), committed, 4, 5),
        ];
        assert!(linearizable(&concurrent));
        // A transaction without WATCH never aborts.
        assert!(!linearizable(&[op(1, txn_ab(), Reply::NullArray, 0, 10)]));
        // A transaction whose connection died may or may not have run, but not halfway.
        let half = vec![
            watch(1),
            unknown(1, watched, 2),
            op(2, Cmd::Get(0), bulk("a"), 3, 4),
            op(2, Cmd::Get(1), Reply::Null, 5, 6),
        ];
        assert!(!linearizable(&half));
    }

    /// The optimistic-locking pattern: two clients read the same counter and both commit
    /// its increment; one update is lost, which EXEC's abort exists to prevent.
    #[test]
    fn lost_update_through_watch_is_rejected() {
        let incr_to = |v: &str| Cmd::Multi {
            watch: vec![0],
            cmds: vec![set(0, v)],
        };
        let committed = Reply::Array(vec![Reply::OK]);
        let lost = vec![
            op(3, set(0, "5"), Reply::OK, 0, 1),
            op(1, Cmd::Watch(vec![0]), Reply::OK, 2, 3),
            op(2, Cmd::Watch(vec![0]), Reply::OK, 2, 3),
            op(1, Cmd::Get(0), bulk("5"), 4, 5),
            op(2, Cmd::Get(0), bulk("5"), 4, 5),
            op(1, incr_to("6"), committed.clone(), 6, 9),
            op(2, incr_to("6"), committed.clone(), 6, 9),
        ];
        assert!(!linearizable(&lost));
        let mut one_wins = lost;
        one_wins[6].output = Some(Reply::NullArray);
        assert!(linearizable(&one_wins));
    }

    /// Redis 7.0's expiry rules, measured against redis-server 7.0.15: a key alive at
    /// WATCH that expires before EXEC aborts it (isWatchedKeyExpired); a key already
    /// expired at WATCH does not, even once deleted; a missing key created and deleted
    /// again in between does.
    #[test]
    fn watch_and_expiry() {
        let exec_set = Cmd::Multi {
            watch: vec![0],
            cmds: vec![set(0, "b")],
        };
        let committed = Reply::Array(vec![Reply::OK]);
        let expires_in_window = vec![
            op(2, set_px(0, "a", 50), Reply::OK, 0, 1),
            op(1, Cmd::Watch(vec![0]), Reply::OK, 10, 11),
            op(1, exec_set.clone(), committed.clone(), 100, 101),
        ];
        assert!(!linearizable(&expires_in_window));
        let mut aborted = expires_in_window.clone();
        aborted[2].output = Some(Reply::NullArray);
        assert!(linearizable(&aborted));
        // Straddling the deadline: either answer.
        let mut straddles = aborted.clone();
        straddles[2].call = 40;
        straddles[2].input.call_ms = 40;
        assert!(linearizable(&straddles));
        straddles[2].output = Some(committed.clone());
        assert!(linearizable(&straddles));
        // Expired before WATCH, then read (lazily deleted): EXEC commits.
        let expired_before = vec![
            op(2, set_px(0, "a", 5), Reply::OK, 0, 1),
            op(1, Cmd::Watch(vec![0]), Reply::OK, 10, 11),
            op(2, Cmd::Get(0), Reply::Null, 12, 13),
            op(1, exec_set.clone(), committed.clone(), 20, 21),
        ];
        assert!(linearizable(&expired_before));
        let mut expired_before_abort = expired_before;
        expired_before_abort[3].output = Some(Reply::NullArray);
        assert!(!linearizable(&expired_before_abort));
        // Missing at WATCH, created and deleted in between: EXEC aborts.
        let created_deleted = vec![
            op(1, Cmd::Watch(vec![0]), Reply::OK, 0, 1),
            op(2, set(0, "x"), Reply::OK, 2, 3),
            op(2, Cmd::Del(vec![0]), Reply::Integer(1), 4, 5),
            op(1, exec_set.clone(), committed.clone(), 6, 7),
        ];
        assert!(!linearizable(&created_deleted));
        // A DEL that found nothing is no change: EXEC commits.
        let del_nothing = vec![
            op(1, Cmd::Watch(vec![0]), Reply::OK, 0, 1),
            op(2, Cmd::Del(vec![0]), Reply::Integer(0), 2, 3),
            op(1, exec_set, Reply::NullArray, 4, 5),
        ];
        assert!(!linearizable(&del_nothing));
    }

    /// What counts as a touch, measured against redis-server 7.0.15: INCRBY 0 and a
    /// PEXPIRE do; a failed write on a missing key does not.
    #[test]
    fn what_touches_a_watched_key() {
        let exec = Cmd::Multi {
            watch: vec![0],
            cmds: vec![Cmd::Ping],
        };
        let committed = Reply::Array(vec![Reply::simple("PONG")]);
        let after = |write: Cmd, reply: Reply, exec_reply: Reply| {
            linearizable(&[
                op(2, set(0, "1"), Reply::OK, 0, 1),
                op(1, Cmd::Watch(vec![0]), Reply::OK, 2, 3),
                op(2, write, reply, 4, 5),
                op(1, exec.clone(), exec_reply, 6, 7),
            ])
        };
        for (write, reply) in [
            (Cmd::IncrBy(0, 0), Reply::Integer(1)),
            (Cmd::PExpire(0, 100_000), Reply::Integer(1)),
            (set(0, "1"), Reply::OK),
            (Cmd::Append(0, Bytes::from("x")), Reply::Integer(2)),
        ] {
            let line = write.cli_line();
            assert!(
                !after(write.clone(), reply.clone(), committed.clone()),
                "{line}"
            );
            assert!(after(write, reply, Reply::NullArray), "{line}");
        }
        // Writes to a missing key that change nothing: EXEC must commit.
        let on_missing = |write: Cmd, reply: Reply, exec_reply: Reply| {
            linearizable(&[
                op(1, Cmd::Watch(vec![KEYS_PER_FAMILY]), Reply::OK, 2, 3),
                op(2, write, reply, 4, 5),
                op(
                    1,
                    Cmd::Multi {
                        watch: vec![KEYS_PER_FAMILY],
                        cmds: vec![Cmd::Ping],
                    },
                    exec_reply,
                    6,
                    7,
                ),
            ])
        };
        for (write, reply) in [
            (Cmd::LPop(KEYS_PER_FAMILY), Reply::Null),
            (Cmd::PExpire(KEYS_PER_FAMILY, 10), Reply::Integer(0)),
            (Cmd::Del(vec![KEYS_PER_FAMILY]), Reply::Integer(0)),
        ] {
            let line = write.cli_line();
            assert!(
                on_missing(write.clone(), reply.clone(), committed.clone()),
                "{line}"
            );
            assert!(!on_missing(write, reply, Reply::NullArray), "{line}");
        }
    }
}
