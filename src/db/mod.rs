//! The keyspace: `databases` numbered databases, each a main [`Dict`] of key -> [`Value`]
//! and, as in Redis, a separate `expires` dict of key -> absolute unix time in ms.
//!
//! Time and randomness are injected: every lookup takes `now_ms` (lazy expiry: a key whose
//! time has passed is deleted by whoever looks at it), and [`Keyspace::active_expire_cycle`]
//! takes the RNG it samples with. Nothing here reads a clock or an OS RNG, so a simulated
//! run is a pure function of its seed.

pub mod access;
pub mod dict;
pub mod digest;
pub mod events;
pub mod evict;
pub mod geohash;
pub mod hash;
pub mod hll;
pub mod intset;
pub mod key;
pub mod list;
pub mod listpack;
pub mod memory;
pub mod set;
pub mod stream;
pub mod track;
pub mod value;
pub mod zset;

pub use dict::Dict;
pub use key::Key;
pub use value::{StrEncoding, Value};

use crate::config::special::{EXPIRED, KEY_MISS, NEW};
use crate::util::glob::stringmatchlen;
use bytes::Bytes;
pub use events::KeyEvent;
use rand_core::RngCore;
use std::collections::BTreeSet;
use track::{Tracking, WatchEntry};

/// Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP.
pub const EXPIRE_KEYS_PER_LOOP: usize = 20;
/// Redis's ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE: keep going while more than this percent
/// of a sample had expired.
pub const EXPIRE_ACCEPTABLE_STALE_PERCENT: usize = 10;
/// Deterministic stand-in for Redis's time limit (25% of a cron tick): at most this many
/// sampling loops per database per cycle. Redis checks its clock every 16 loops, so 16 is
/// the smallest amount of work its slow cycle ever does before it may stop.
pub const EXPIRE_MAX_LOOPS_PER_DB: usize = 16;

/// Buckets each cron tick moves for a rehash in progress, in the first database that has
/// one (its keys' table first, else its expires'): Redis's incrementallyRehash spends 1 ms per tick; a
/// bucket count instead of a time keeps the simulator deterministic. 10,000 buckets hold
/// about as many keys, on the order of a millisecond of work.
pub const CRON_REHASH_BUCKETS: usize = 10_000;

/// One database. Keys are stored inline in the nodes ([`Key`]); the expires table has its
/// own copy of each key that has a TTL (Redis shares the sds: a key with a TTL costs the
/// copy here, a key without costs nothing).
pub struct Db {
    pub dict: Dict<Value, Key>,
    pub expires: Dict<u64, Key>,
    /// Redis's db->avg_ttl: a running estimate updated by the active expire cycle.
    pub avg_ttl_ms: u64,
}

impl Db {
    fn new(hash_keys: (u64, u64)) -> Db {
        Db {
            dict: Dict::new(hash_keys),
            expires: Dict::new(hash_keys),
            avg_ttl_ms: 0,
        }
    }
}

/// Counters INFO stats reads. They include lazy and active expiry alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyspaceStats {
    pub expired_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
}

pub struct Keyspace {
    dbs: Vec<Db>,
    hash_keys: (u64, u64),
    pub stats: KeyspaceStats,
    /// Which database the next active expire cycle starts from (Redis's static
    /// `current_db`), so no database is starved when cycles stop early.
    expire_db_cursor: usize,
    /// Which database the cron's rehashing looks at first (Redis's `rehash_db`).
    rehash_db_cursor: usize,
    /// WATCHed keys and keys blocked clients wait on: every mutation below reports here.
    track: Tracking,
    /// Keys deleted by expiry (lazy or active) since the last [`Keyspace::take_expired`],
    /// in deletion order: each becomes a propagated DEL (Redis's propagateDeletion), in
    /// its place among the commands' own propagation.
    expired_log: Vec<(usize, Bytes)>,
    /// Keyspace notifications raised here (expired, new, keymiss), for the command
    /// layer to publish in order.
    events: events::KeyEvents,
    /// Loading a dataset (an AOF's commands): nothing expires, as in Redis's
    /// keyIsExpired and checkAlreadyExpired while `server.loading`.
    loading: bool,
    /// The time and settings keys' access clocks follow (set by the server before each
    /// command and cron step, as Redis caches `server.lruclock` and `server.unixtime`).
    pub access: access::AccessClock,
    /// LFU's random increments.
    access_rng: access::AccessRng,
    /// The eviction pool (see `evict.rs`).
    evictor: evict::Evictor,
}

/// The value at `key` with its access clock updated as lookupKey does (unless a child
/// is saving). A function of the parts it borrows, so a caller can count hits meanwhile.
fn touch_access<'a>(
    dict: &'a mut Dict<Value, Key>,
    key: &[u8],
    clock: &access::AccessClock,
    rng: &mut access::AccessRng,
) -> Option<&'a mut Value> {
    let (k, v) = dict.get_entry_mut(key)?;
    if !clock.frozen {
        let r = if clock.lfu { rng.next_unit() } else { 0.0 };
        k.set_lru(clock.touched(k.lru(), r));
    }
    Some(v)
}

/// The key holds a value of another type (the WRONGTYPE error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongType;

/// What to do with an existing TTL when a key is written (SET's KEEPTTL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ttl {
    /// Remove any TTL (a plain SET).
    Clear,
    /// Keep whatever TTL the key had (KEEPTTL; also in-place updates like APPEND).
    Keep,
    /// Expire at this unix time in ms.
    At(u64),
}

impl Keyspace {
    /// `databases` is clamped to at least 1; `hash_keys` seed every dict's SipHash.
    pub fn new(databases: usize, hash_keys: (u64, u64)) -> Keyspace {
        let n = databases.max(1);
        Keyspace {
            dbs: (0..n).map(|_| Db::new(hash_keys)).collect(),
            hash_keys,
            stats: KeyspaceStats::default(),
            expire_db_cursor: 0,
            rehash_db_cursor: 0,
            track: Tracking::new(n),
            expired_log: Vec::new(),
            events: events::KeyEvents::default(),
            loading: false,
            access: access::AccessClock::default(),
            access_rng: access::AccessRng::new(hash_keys.0 ^ hash_keys.1.rotate_left(17)),
            evictor: evict::Evictor::default(),
        }
    }

    pub fn databases(&self) -> usize {
        self.dbs.len()
    }

    pub fn db(&self, db: usize) -> &Db {
        &self.dbs[db]
    }

    /// While loading, keys do not expire (see `loading`).
    pub fn set_loading(&mut self, loading: bool) {
        self.loading = loading;
    }

    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// Deletes `key` if its TTL has passed; returns whether it did. Counts the expiry.
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8], now_ms: u64) -> bool {
        if self.loading {
            return false;
        }
        let d = &mut self.dbs[db];
        match d.expires.get(key) {
            // Redis's keyIsExpired: `now > when` (at `now == when` the key still lives,
            // with a TTL of 0).
            Some(&when) if now_ms > when => {
                d.expires.remove(key);
                if matches!(d.dict.remove(key), Some(Value::Stream(_))) {
                    self.stream_gone(db, key);
                }
                self.stats.expired_keys += 1;
                // deleteExpiredKeyAndPropagate: deleted, then `expired`, then the signal.
                self.events.push(db, EXPIRED, "expired", key);
                self.touch(db, key);
                self.expired_log.push((db, Bytes::copy_from_slice(key)));
                true
            }
            _ => false,
        }
    }

    /// The value at `key` as family `T` for reading (hit/miss counted): `Ok(None)` when
    /// missing, `Err(WrongType)` when the key holds another type.
    pub fn read_as<T: value::Typed>(
        &mut self,
        db: usize,
        key: &[u8],
        now_ms: u64,
    ) -> Result<Option<&T>, WrongType> {
        match self.lookup_read(db, key, now_ms) {
            None => Ok(None),
            Some(v) => T::of(v).map(Some).ok_or(WrongType),
        }
    }

    /// The value at `key` as family `T` for writing. Watchers are not told: a command
    /// that changes the value calls [`Keyspace::signal_modified_key`], as Redis's do.
    pub fn write_as<T: value::Typed>(
        &mut self,
        db: usize,
        key: &[u8],
        now_ms: u64,
    ) -> Result<Option<&mut T>, WrongType> {
        match self.lookup_write(db, key, now_ms) {
            None => Ok(None),
            Some(v) => T::of_mut(v).map(Some).ok_or(WrongType),
        }
    }

    /// Deletes `key` if it holds an empty `T` (after a pop or removal emptied it);
    /// returns whether it did.
    pub fn remove_if_empty<T: value::Typed>(&mut self, db: usize, key: &[u8]) -> bool {
        let empty = self.dbs[db]
            .dict
            .get(key)
            .and_then(T::of)
            .is_some_and(T::is_empty_aggregate);
        if empty {
            self.remove(db, key);
        }
        empty
    }

    /// Deletes `key` if it holds an empty `T`, announcing the deletion (`del`), as
    /// commands do after the event of the removal that emptied it.
    pub fn remove_if_empty_notify<T: value::Typed>(&mut self, db: usize, key: &[u8]) -> bool {
        let removed = self.remove_if_empty::<T>(db, key);
        if removed {
            self.notify(db, crate::config::special::GENERIC, "del", key);
        }
        removed
    }

    /// Queues a keyspace notification for the command layer to publish in order (see
    /// [`events`]): for the cores that work on the keyspace without a command context
    /// (the pop, push and move cores lists and sorted sets share with their blocking
    /// forms).
    pub fn notify(&mut self, db: usize, class: u32, event: &'static str, key: &[u8]) {
        self.events.push(db, class, event, key);
    }

    /// lookupKeyRead: lazy expiry, then the value (its access clock updated); counts a
    /// hit or a miss.
    pub fn lookup_read(&mut self, db: usize, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.expire_if_needed(db, key, now_ms);
        let v = touch_access(
            &mut self.dbs[db].dict,
            key,
            &self.access,
            &mut self.access_rng,
        );
        if v.is_some() {
            self.stats.keyspace_hits += 1;
        } else {
            self.stats.keyspace_misses += 1;
            self.events.push(db, KEY_MISS, "keymiss", key);
        }
        v.map(|v| &*v)
    }

    /// lookupKeyReadWithFlags(LOOKUP_NOTOUCH): lazy expiry and a hit or a miss (a miss
    /// raises `keymiss`), without touching the access clock (TYPE, EXISTS, TTL).
    pub fn lookup_read_notouch(&mut self, db: usize, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.expire_if_needed(db, key, now_ms);
        if self.dbs[db].dict.contains_key(key) {
            self.stats.keyspace_hits += 1;
        } else {
            self.stats.keyspace_misses += 1;
            self.events.push(db, KEY_MISS, "keymiss", key);
        }
        self.dbs[db].dict.get(key)
    }

    /// lookupKeyReadWithFlags(LOOKUP_NOTOUCH|LOOKUP_NONOTIFY) (OBJECT): lazy expiry and
    /// hit/miss counting, but no access-clock update and no `keymiss`.
    pub fn lookup_read_nonotify(&mut self, db: usize, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.expire_if_needed(db, key, now_ms);
        if self.dbs[db].dict.contains_key(key) {
            self.stats.keyspace_hits += 1;
        } else {
            self.stats.keyspace_misses += 1;
        }
        self.dbs[db].dict.get(key)
    }

    fn touch_access(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        touch_access(
            &mut self.dbs[db].dict,
            key,
            &self.access,
            &mut self.access_rng,
        )
    }

    /// The key's access clock (`robj.lru`), without touching it.
    pub fn lru_of(&self, db: usize, key: &[u8]) -> Option<u32> {
        self.dbs[db].dict.get_key(key).map(Key::lru)
    }

    /// Sets the key's access clock (RESTORE's IDLETIME/FREQ, RDB's opcodes, a value
    /// moved by RENAME or MOVE keeping its object's clock).
    pub fn set_lru(&mut self, db: usize, key: &[u8], lru: u32) {
        if let Some((k, _)) = self.dbs[db].dict.get_entry_mut(key) {
            k.set_lru(lru);
        }
    }

    /// lookupKeyWrite: lazy expiry, then the value, without touching hit/miss counters.
    pub fn lookup_write(&mut self, db: usize, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        self.expire_if_needed(db, key, now_ms);
        // (The planted bug `write-lookup-dirties-watch` brings back the old behaviour: a
        // lookup for writing dirties watchers even when the command changes nothing.)
        if cfg!(feature = "planted-bug-write-lookup-dirties-watch")
            && self.dbs[db].dict.contains_key(key)
        {
            self.touch(db, key);
        }
        if self.dbs[db].dict.contains_key(key) && self.track.has_blocked() {
            // A ready key is served by re-running the blocked command, so a spurious
            // signal costs nothing and a missed one would hang a client.
            self.track.signal_ready(db, key);
        }
        self.touch_access(db, key)
    }

    /// The value at `key`, for a change of encoding that changes no content (SORT's
    /// zsetConvert): no lazy expiry, no hit/miss count, and no watcher or blocked client
    /// is told, since nothing they could see changed.
    pub fn peek_mut(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        self.dbs[db].dict.get_mut(key)
    }

    /// Whether the key exists (after lazy expiry), without counting hits or misses.
    pub fn exists(&mut self, db: usize, key: &[u8], now_ms: u64) -> bool {
        self.expire_if_needed(db, key, now_ms);
        self.dbs[db].dict.contains_key(key)
    }

    /// Writes a value (setKey): inserts or overwrites, and applies `ttl`. The value is
    /// a new object: its access clock starts now, except that under an LFU policy an
    /// overwrite keeps the old counter (dbOverwrite).
    pub fn set(&mut self, db: usize, key: Bytes, value: Value, ttl: Ttl) {
        // dbOverwrite of a stream wakes its XREADGROUP clients (to fail them).
        if self.track.has_blocked() && matches!(self.dbs[db].dict.get(&key), Some(Value::Stream(_)))
        {
            self.track.stream_signals.insert((db, key.clone()));
        }
        let initial = self.access.initial();
        let lfu = self.access.lfu;
        let d = &mut self.dbs[db];
        match ttl {
            Ttl::Clear => {
                d.expires.remove(&key);
            }
            Ttl::Keep => {}
            Ttl::At(when) => {
                d.expires.insert(Key::new(&key), when);
            }
        }
        if let Some((k, v)) = d.dict.get_entry_mut(&key) {
            *v = value;
            if !lfu {
                k.set_lru(initial);
            }
        } else {
            d.dict
                .insert(Key::with_lru(&key, key::Lru::new(initial)), value);
            // dbAdd announces every key it creates.
            self.events.push(db, NEW, "new", &key);
        }
        self.touch(db, &key);
    }

    /// dbAdd: stores a value under a key that does not exist, without telling watchers
    /// (the command calls signalModifiedKey itself once it knows it changed something).
    pub fn add(&mut self, db: usize, key: &[u8], value: Value) {
        let initial = self.access.initial();
        let d = &mut self.dbs[db];
        debug_assert!(!d.dict.contains_key(key));
        d.dict
            .insert(Key::with_lru(key, key::Lru::new(initial)), value);
        self.events.push(db, NEW, "new", key);
    }

    /// Removes a key and its TTL; returns the value it held (no expiry check: callers
    /// that care call [`Keyspace::exists`] or a lookup first).
    pub fn remove(&mut self, db: usize, key: &[u8]) -> Option<Value> {
        let d = &mut self.dbs[db];
        d.expires.remove(key);
        let old = d.dict.remove(key);
        if old.is_some() {
            self.touch(db, key);
        }
        if matches!(old, Some(Value::Stream(_))) {
            self.stream_gone(db, key);
        }
        old
    }

    /// A stream was deleted: its blocked XREADGROUP clients are woken to fail (Redis's
    /// dbGenericDelete / scanDatabaseForDeletedStreams signal it).
    fn stream_gone(&mut self, db: usize, key: &[u8]) {
        if self.track.has_blocked() {
            self.track
                .stream_signals
                .insert((db, Bytes::copy_from_slice(key)));
            self.track.signal_ready(db, key);
        }
    }

    /// The blocked keys of `db` that hold streams now (before a flush or swap).
    fn blocked_streams(&self, db: usize) -> Vec<Bytes> {
        self.track.blocked[db]
            .keys()
            .filter(|k| matches!(self.dbs[db].dict.get(k), Some(Value::Stream(_))))
            .cloned()
            .collect()
    }

    /// Sets a TTL on an existing key; false if the key does not exist.
    pub fn set_expire(&mut self, db: usize, key: &[u8], when_ms: u64) -> bool {
        let d = &mut self.dbs[db];
        if !d.dict.contains_key(key) {
            return false;
        }
        d.expires.insert(Key::new(key), when_ms);
        self.touch(db, key);
        true
    }

    /// The key's absolute expire time, if any (no expiry check).
    pub fn get_expire(&self, db: usize, key: &[u8]) -> Option<u64> {
        self.dbs[db].expires.get(key).copied()
    }

    /// Removes the TTL; true if there was one.
    pub fn persist(&mut self, db: usize, key: &[u8]) -> bool {
        let had = self.dbs[db].expires.remove(key).is_some();
        if had {
            self.touch(db, key);
        }
        had
    }

    pub fn dbsize(&self, db: usize) -> usize {
        self.dbs.get(db).map_or(0, |d| d.dict.len())
    }

    pub fn expires_count(&self, db: usize) -> usize {
        self.dbs.get(db).map_or(0, |d| d.expires.len())
    }

    /// FLUSHDB.
    pub fn flush_db(&mut self, db: usize) {
        if db >= self.dbs.len() {
            return;
        }
        self.touch_all_in_db(db, None, 0);
        let streams = self.blocked_streams(db);
        if let Some(d) = self.dbs.get_mut(db) {
            d.dict.clear();
            d.expires.clear();
            d.avg_ttl_ms = 0;
        }
        for k in streams {
            self.stream_gone(db, &k);
        }
    }

    /// FLUSHALL.
    pub fn flush_all(&mut self) {
        for i in 0..self.dbs.len() {
            self.flush_db(i);
        }
    }

    /// SWAPDB: callers check the indexes.
    pub fn swap_db(&mut self, a: usize, b: usize, now_ms: u64) {
        if a >= self.dbs.len() || b >= self.dbs.len() {
            return;
        }
        self.touch_all_in_db(a, Some(b), now_ms);
        self.touch_all_in_db(b, Some(a), now_ms);
        let (sa, sb) = (self.blocked_streams(a), self.blocked_streams(b));
        self.dbs.swap(a, b);
        // scanDatabaseForDeletedStreams: a stream that is no longer one after the swap.
        for (db, keys) in [(a, sa), (b, sb)] {
            for k in keys {
                if !matches!(self.dbs[db].dict.get(&k), Some(Value::Stream(_))) {
                    self.stream_gone(db, &k);
                }
            }
        }
        // scanDatabaseForReadyKeys: blocked clients stay with the db index.
        for db in [a, b] {
            let keys: Vec<Bytes> = self.track.blocked[db].keys().cloned().collect();
            for k in keys {
                if self.dbs[db].dict.contains_key(&k) {
                    self.track.signal_ready(db, &k);
                }
            }
        }
    }

    /// Redis's signalModifiedKey, for a command that changed a value in place (through
    /// [`Keyspace::write_as`] / [`Keyspace::lookup_write`]): watchers of `key` are dirtied
    /// and blocked clients signalled. `set`, `remove`, `set_expire`, `persist` and
    /// expiry call it themselves. Call it while the key still exists (before a
    /// `remove_if_empty`), so it reads as a change, not as an expired key's deletion.
    pub fn signal_modified_key(&mut self, db: usize, key: &[u8]) {
        self.touch(db, key);
    }

    /// Which notification classes to queue (`notify-keyspace-events`, 0 when no channel
    /// kind is enabled); set by the command layer before each command and cron step.
    pub fn set_notify_mask(&mut self, mask: u32) {
        self.events.set_mask(if self.loading { 0 } else { mask });
    }

    /// The keyspace events raised since the last call, in order.
    pub fn take_events(&mut self) -> Vec<KeyEvent> {
        self.events.take()
    }

    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// The keys expiry deleted since the last call, in order (see `expired_log`).
    pub fn take_expired(&mut self) -> Vec<(usize, Bytes)> {
        std::mem::take(&mut self.expired_log)
    }

    /// Whether expiry deleted keys not yet taken by [`Keyspace::take_expired`].
    pub fn has_expired_pending(&self) -> bool {
        !self.expired_log.is_empty()
    }

    /// A key was written, deleted or expired: watchers are dirtied, blocked clients
    /// signalled (signalModifiedKey + signalKeyAsReady).
    fn touch(&mut self, db: usize, key: &[u8]) {
        if !self.track.has_watchers() && !self.track.has_blocked() {
            return;
        }
        let exists = self.dbs[db].dict.contains_key(key);
        self.track.touch_watchers(db, key, exists);
        if exists {
            self.track.signal_ready(db, key);
        }
    }

    /// touchAllWatchedKeysInDb: `emptied` is flushed (or swapped with `replaced_with`);
    /// watchers of a key that exists in either are dirtied.
    /// touchAllWatchedKeysInDb (7.0.15): watchers of keys that `emptied` held, or that
    /// `replaced_with` brings, are dirtied, except where nothing changes logically: an
    /// expired key that is now gone, an expired key replaced by another expired one, or a
    /// missing key replaced by an expired one (which the watcher then sees as expired).
    fn touch_all_in_db(&mut self, emptied: usize, replaced_with: Option<usize>, now_ms: u64) {
        let keys: Vec<Bytes> = self.track.watched[emptied].keys().cloned().collect();
        for key in keys {
            let in_emptied = self.dbs[emptied].dict.contains_key(&key);
            let in_other = replaced_with.is_some_and(|r| self.dbs[r].dict.contains_key(&key));
            if !in_emptied && !in_other {
                continue;
            }
            let other_expired = replaced_with.is_some_and(|r| self.is_expired(r, &key, now_ms));
            let Some(entries) = self.track.watched[emptied].get_mut(&key) else {
                continue;
            };
            for e in entries.iter_mut() {
                if e.expired {
                    if !in_other {
                        // An expired key now deleted: no logical change.
                        e.expired = false;
                        continue;
                    } else if other_expired {
                        // An expired key remains expired.
                        continue;
                    }
                } else if !in_emptied && other_expired {
                    // A missing key replaced by an expired one.
                    e.expired = true;
                    continue;
                }
                self.track.dirty.insert(e.client);
            }
        }
    }

    // ---- WATCH -------------------------------------------------------------------------

    /// WATCH `key` for `client` (watchForKey); a second WATCH of the same key is a no-op.
    pub fn watch(&mut self, client: u64, db: usize, key: &Bytes, now_ms: u64) {
        if db >= self.dbs.len() {
            return;
        }
        let mine = self.track.watches_of.entry(client).or_default();
        if mine.iter().any(|(d, k)| *d == db && k == key) {
            return;
        }
        mine.push((db, key.clone()));
        let expired = self.is_expired(db, key, now_ms);
        self.track.watched[db]
            .entry(key.clone())
            .or_default()
            .push(WatchEntry { client, expired });
    }

    /// Whether the key is logically expired but still in the dict (keyIsExpired).
    fn is_expired(&self, db: usize, key: &[u8], now_ms: u64) -> bool {
        self.dbs[db]
            .expires
            .get(key)
            .is_some_and(|&when| now_ms > when && !self.loading)
    }

    /// UNWATCH, EXEC, DISCARD, disconnect: forgets every watch of `client` and its
    /// dirty flag.
    pub fn unwatch_all(&mut self, client: u64) {
        self.track.dirty.remove(&client);
        let Some(keys) = self.track.watches_of.remove(&client) else {
            return;
        };
        for (db, key) in keys {
            let map = &mut self.track.watched[db];
            if let Some(entries) = map.get_mut(&key) {
                entries.retain(|e| e.client != client);
                if entries.is_empty() {
                    map.remove(&key);
                }
            }
        }
    }

    /// Whether EXEC must fail for `client`: a watched key was touched, or a watched key
    /// that was alive at WATCH time has logically expired since (isWatchedKeyExpired).
    pub fn watch_failed(&self, client: u64, now_ms: u64) -> bool {
        if self.track.dirty.contains(&client) {
            return true;
        }
        let Some(keys) = self.track.watches_of.get(&client) else {
            return false;
        };
        keys.iter().any(|(db, key)| {
            let expired_at_watch = self.track.watched[*db]
                .get(key)
                .and_then(|es| es.iter().find(|e| e.client == client))
                .is_some_and(|e| e.expired);
            !expired_at_watch && self.is_expired(*db, key, now_ms)
        })
    }

    /// How many keys `client` watches (CLIENT LIST `watch=`-like accounting).
    pub fn watch_count(&self, client: u64) -> usize {
        self.track.watches_of.get(&client).map_or(0, Vec::len)
    }

    // ---- blocking ----------------------------------------------------------------------

    /// Blocks `client` on `keys` of `db` (blockForKeys): it queues after the clients
    /// already waiting on each key. Replaces any earlier block of the same client.
    pub fn block(&mut self, client: u64, db: usize, keys: &[Bytes]) {
        if db >= self.dbs.len() {
            return;
        }
        self.unblock(client);
        let mut mine: Vec<Bytes> = Vec::with_capacity(keys.len());
        for k in keys {
            if mine.contains(k) {
                continue;
            }
            mine.push(k.clone());
            let queue = self.track.blocked[db].entry(k.clone()).or_default();
            // (The planted bug `blocked-lifo` serves the newest waiter first.)
            if cfg!(feature = "planted-bug-blocked-lifo") {
                queue.push_front(client);
            } else {
                queue.push_back(client);
            }
        }
        self.track.blocked_on.insert(client, (db, mine));
    }

    /// Removes `client` from every key it waits on; false if it was not blocked.
    pub fn unblock(&mut self, client: u64) -> bool {
        let Some((db, keys)) = self.track.blocked_on.remove(&client) else {
            return false;
        };
        let map = &mut self.track.blocked[db];
        for k in keys {
            if let Some(q) = map.get_mut(&k) {
                q.retain(|&c| c != client);
                if q.is_empty() {
                    map.remove(&k);
                }
            }
        }
        true
    }

    /// signalKeyAsReady for a stream (XADD, XGROUP DESTROY): its blocked readers may be
    /// served.
    pub fn signal_stream(&mut self, db: usize, key: &[u8]) {
        if self.track.has_blocked() {
            self.track
                .stream_signals
                .insert((db, Bytes::copy_from_slice(key)));
            self.track.signal_ready(db, key);
        }
    }

    /// Whether `key` was signalled as a stream since the ready keys were last handled.
    pub fn stream_signalled(&self, db: usize, key: &[u8]) -> bool {
        self.track
            .stream_signals
            .contains(&(db, Bytes::copy_from_slice(key)))
    }

    /// The end of handleClientsBlockedOnKeys: every stream signal has been acted on.
    pub fn clear_stream_signals(&mut self) {
        self.track.stream_signals.clear();
    }

    /// The keys signalled ready since the last call, in signal order.
    pub fn take_ready(&mut self) -> Vec<(usize, Bytes)> {
        self.track.ready_set.clear();
        std::mem::take(&mut self.track.ready)
    }

    /// The clients blocked on `key`, first blocked first.
    pub fn blocked_clients(&self, db: usize, key: &[u8]) -> Vec<u64> {
        self.track
            .blocked
            .get(db)
            .and_then(|m| m.get(key))
            .map_or_else(Vec::new, |q| q.iter().copied().collect())
    }

    pub fn is_blocked(&self, client: u64) -> bool {
        self.track.blocked_on.contains_key(&client)
    }

    /// Number of blocked clients (INFO `blocked_clients`).
    pub fn blocked_count(&self) -> usize {
        self.track.blocked_on.len()
    }

    /// Every client id that has watch or blocking state, for leak checks.
    pub fn tracked_clients(&self) -> BTreeSet<u64> {
        let mut ids: BTreeSet<u64> = self.track.watches_of.keys().copied().collect();
        ids.extend(self.track.blocked_on.keys().copied());
        ids.extend(self.track.dirty.iter().copied());
        ids
    }

    /// A random live key (RANDOMKEY): expired picks are deleted and another is drawn, like
    /// Redis's dbRandomKey. Bounded: if every one of 100 draws was expired (a db that is
    /// all stale), the last expired key is deleted too and None is returned.
    pub fn random_key(&mut self, db: usize, now_ms: u64, rng: &mut impl RngCore) -> Option<Bytes> {
        for _ in 0..100 {
            let key =
                Bytes::copy_from_slice(self.dbs[db].dict.fair_random_entry(rng)?.0.as_bytes());
            if !self.expire_if_needed(db, &key, now_ms) {
                return Some(key);
            }
        }
        None
    }

    /// Every live key of `db` that matches `pattern` (KEYS), expired ones deleted.
    pub fn keys_matching(&mut self, db: usize, pattern: &[u8], now_ms: u64) -> Vec<Bytes> {
        let all_keys = pattern == b"*";
        let candidates: Vec<Bytes> = self.dbs[db]
            .dict
            .keys()
            .map(Key::as_bytes)
            .filter(|k| all_keys || stringmatchlen(pattern, k, false))
            .map(Bytes::copy_from_slice)
            .collect();
        candidates
            .into_iter()
            .filter(|k| !self.expire_if_needed(db, k, now_ms))
            .collect()
    }

    /// One SCAN step over `db`'s main dict: the keys of the cursor's bucket (expired ones
    /// included; the caller filters) and the next cursor.
    pub fn scan(&self, db: usize, cursor: u64, out: &mut Vec<(Bytes, &'static str)>) -> u64 {
        self.dbs[db].dict.scan(cursor, |k, v| {
            out.push((Bytes::copy_from_slice(k.as_bytes()), v.type_name()))
        })
    }

    /// Redis's slow active expire cycle, with a loop bound instead of a time bound.
    ///
    /// For each database (starting where the last cycle stopped): sample up to 20 random
    /// keys with a TTL, delete the expired ones, and repeat while more than 10% of the
    /// sample had expired, at most [`EXPIRE_MAX_LOOPS_PER_DB`] times. Sampling draws from
    /// `rng`. Returns how many keys it expired (already added to `stats.expired_keys`).
    pub fn active_expire_cycle(&mut self, now_ms: u64, rng: &mut impl RngCore) -> u64 {
        let n = self.dbs.len();
        let mut total = 0;
        for i in 0..n {
            let db = (self.expire_db_cursor + i) % n;
            for _ in 0..EXPIRE_MAX_LOOPS_PER_DB {
                let num = self.dbs[db].expires.len();
                if num == 0 {
                    self.dbs[db].avg_ttl_ms = 0;
                    break;
                }
                let sample = num.min(EXPIRE_KEYS_PER_LOOP);
                let mut expired = 0;
                let mut ttl_sum = 0u64;
                let mut ttl_samples = 0u64;
                for _ in 0..sample {
                    let Some((k, &when)) = self.dbs[db].expires.random_entry(rng) else {
                        break;
                    };
                    if now_ms > when {
                        let k = k.clone();
                        let k = k.as_bytes();
                        self.remove(db, k);
                        self.events.push(db, EXPIRED, "expired", k);
                        self.stats.expired_keys += 1;
                        self.expired_log.push((db, Bytes::copy_from_slice(k)));
                        expired += 1;
                    } else {
                        // Deadlines can be anywhere up to i64::MAX ms: saturate.
                        ttl_sum = ttl_sum.saturating_add(when - now_ms);
                        ttl_samples += 1;
                    }
                }
                // Redis's running average: 2% of the new sample's mean per loop.
                if let Some(avg) = ttl_sum.checked_div(ttl_samples) {
                    let old = self.dbs[db].avg_ttl_ms;
                    self.dbs[db].avg_ttl_ms = if old == 0 {
                        avg
                    } else {
                        (old / 50) * 49 + avg / 50
                    };
                }
                total += expired as u64;
                if expired * 100 <= sample * EXPIRE_ACCEPTABLE_STALE_PERCENT {
                    break;
                }
            }
        }
        self.expire_db_cursor = (self.expire_db_cursor + 1) % n;
        total
    }

    /// Redis's databasesCron, resizing part: `tryResizeHashTables` for every database
    /// (shrinks that removals could not start while a rehash was in progress), then
    /// `incrementallyRehash`: [`CRON_REHASH_BUCKETS`] buckets of the first database (from
    /// where the last tick stopped) whose keys or expires are rehashing, keys first.
    pub fn cron_rehash(&mut self) {
        for d in &mut self.dbs {
            d.dict.shrink_if_needed();
            d.expires.shrink_if_needed();
        }
        let n = self.dbs.len();
        for _ in 0..n {
            let d = &mut self.dbs[self.rehash_db_cursor];
            if d.dict.is_rehashing() {
                d.dict.rehash(CRON_REHASH_BUCKETS);
                return;
            }
            if d.expires.is_rehashing() {
                d.expires.rehash(CRON_REHASH_BUCKETS);
                return;
            }
            self.rehash_db_cursor = (self.rehash_db_cursor + 1) % n;
        }
    }

    /// The INFO keyspace section's lines: `db0:keys=1,expires=0,avg_ttl=0\r\n` for every
    /// non-empty database, as Redis prints them.
    pub fn info_keyspace(&self) -> String {
        let mut out = String::new();
        for (i, d) in self.dbs.iter().enumerate() {
            let keys = d.dict.len();
            if keys > 0 {
                out.push_str(&format!(
                    "db{i}:keys={keys},expires={},avg_ttl={}\r\n",
                    d.expires.len(),
                    d.avg_ttl_ms
                ));
            }
        }
        out
    }

    /// A rough byte count of keys and values (for INFO memory), not an allocator's view.
    /// MEMORY USAGE key: the key's entry, its name and its value, without lazy expiry
    /// (Redis looks the entry up with dictFind). None for a missing key.
    pub fn key_memory_usage(&self, db: usize, key: &[u8], samples: usize) -> Option<usize> {
        let d = &self.dbs[db];
        let value = d.dict.get(key)?;
        // The entry: next pointer and key; a key longer than the inline room is on the heap.
        let entry = 8 + std::mem::size_of::<Key>();
        let heap_key = d.dict.get_key(key).map_or(0, Key::heap_size);
        Some(entry + heap_key + value.memory_usage(samples))
    }

    pub fn used_memory_estimate(&self) -> usize {
        // A node: next pointer, key, value (or deadline).
        const NODE: usize = 8 + std::mem::size_of::<Key>() + std::mem::size_of::<Value>();
        const EXPIRE_NODE: usize = 8 + std::mem::size_of::<Key>() + 8;
        let heap_key = Key::heap_size;
        let mut total = 0;
        for d in &self.dbs {
            total += (d.dict.buckets() + d.expires.buckets()) * std::mem::size_of::<usize>();
            for (k, v) in d.dict.iter() {
                total += NODE + heap_key(k) + v.memory_estimate();
            }
            for k in d.expires.keys() {
                total += EXPIRE_NODE + heap_key(k);
            }
        }
        total
    }

    /// Every key in `expires` is in the main dict, and both dicts are internally sound;
    /// the watch and blocking indexes agree with each other.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_tracking()?;
        self.check_evictor()?;
        for (i, d) in self.dbs.iter().enumerate() {
            d.dict
                .check_invariants()
                .map_err(|e| format!("db{i} dict: {e}"))?;
            d.expires
                .check_invariants()
                .map_err(|e| format!("db{i} expires: {e}"))?;
            if d.expires.len() > d.dict.len() {
                return Err(format!(
                    "db{i}: {} expires for {} keys",
                    d.expires.len(),
                    d.dict.len()
                ));
            }
            for (k, v) in d.dict.iter() {
                v.check_invariants()
                    .map_err(|e| format!("db{i} key {k:?}: {e}"))?;
            }
            for k in d.expires.keys() {
                if !d.dict.contains_key(k.as_bytes()) {
                    return Err(format!("db{i}: expire for missing key {k:?}"));
                }
            }
        }
        Ok(())
    }

    fn check_tracking(&self) -> Result<(), String> {
        let t = &self.track;
        let mut watch_entries = 0;
        for (db, map) in t.watched.iter().enumerate() {
            for (k, entries) in map {
                if entries.is_empty() {
                    return Err(format!("db{db}: empty watcher list for {k:?}"));
                }
                for e in entries {
                    watch_entries += 1;
                    let ok = t
                        .watches_of
                        .get(&e.client)
                        .is_some_and(|v| v.iter().any(|(d, kk)| *d == db && kk == k));
                    if !ok {
                        return Err(format!("watch of {k:?} by {} not indexed", e.client));
                    }
                }
            }
        }
        let indexed: usize = t.watches_of.values().map(Vec::len).sum();
        if indexed != watch_entries {
            return Err(format!(
                "{indexed} watches indexed, {watch_entries} entries"
            ));
        }
        if t.dirty.iter().any(|c| !t.watches_of.contains_key(c)) {
            return Err("dirty client without watches".into());
        }
        let mut block_entries = 0;
        for (db, map) in t.blocked.iter().enumerate() {
            for (k, q) in map {
                if q.is_empty() {
                    return Err(format!("db{db}: empty blocked queue for {k:?}"));
                }
                for c in q {
                    block_entries += 1;
                    let ok = t
                        .blocked_on
                        .get(c)
                        .is_some_and(|(d, keys)| *d == db && keys.contains(k));
                    if !ok {
                        return Err(format!("client {c} queued on {k:?} but not blocked"));
                    }
                }
            }
        }
        let indexed: usize = t.blocked_on.values().map(|(_, k)| k.len()).sum();
        if indexed != block_entries {
            return Err(format!(
                "{indexed} blocked keys indexed, {block_entries} queued"
            ));
        }
        Ok(())
    }

    /// The seed keys, for commands that build new dicts (none yet; kept for new types).
    pub fn hash_keys(&self) -> (u64, u64) {
        self.hash_keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    fn s(v: &str) -> Value {
        Value::str(Bytes::copy_from_slice(v.as_bytes()))
    }

    /// Mid-rehash (of the keys and of the expires), SCAN returns every key, lookups and
    /// random picks find them, TTLs stay attached, the invariants hold, and the cron
    /// finishes the rehash in bounded steps.
    #[test]
    fn keyspace_stays_right_during_a_rehash() {
        let mut ks = Keyspace::new(2, (9, 10));
        let n = 4096 + 1;
        for i in 0..n {
            let ttl = if i % 2 == 0 {
                Ttl::At(1_000_000 + i)
            } else {
                Ttl::Clear
            };
            ks.set(
                1,
                Bytes::from(format!("key:{i}")),
                Value::int(i as i64),
                ttl,
            );
        }
        assert!(
            ks.db(1).dict.is_rehashing(),
            "the last insert started a resize"
        );
        ks.check_invariants().unwrap();
        let mut seen = BTreeSet::new();
        let mut cursor = 0;
        let mut out = Vec::new();
        loop {
            cursor = ks.scan(1, cursor, &mut out);
            seen.extend(out.drain(..).map(|(k, _)| k));
            // One cron slice between SCAN calls: the scan spans the rest of the rehash.
            ks.cron_rehash();
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), n as usize);
        assert!(!ks.db(1).dict.is_rehashing());
        for i in (0..n).step_by(97) {
            let k = format!("key:{i}");
            assert_eq!(
                ks.lookup_read(1, k.as_bytes(), 0),
                Some(&Value::int(i as i64))
            );
            assert_eq!(
                ks.get_expire(1, k.as_bytes()),
                (i % 2 == 0).then_some(1_000_000 + i)
            );
        }
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..100 {
            let k = ks.random_key(1, 0, &mut rng).unwrap();
            assert!(seen.contains(&k));
        }
        // Deleting most keys starts a shrink; the cron carries it out.
        for i in 0..n - 10 {
            ks.remove(1, format!("key:{i}").as_bytes());
        }
        ks.check_invariants().unwrap();
        for _ in 0..100 {
            ks.cron_rehash();
        }
        assert!(ks.db(1).dict.buckets() <= 16, "{}", ks.db(1).dict.buckets());
        assert_eq!(ks.dbsize(1), 10);
        ks.check_invariants().unwrap();
    }

    /// Found by the `commands` fuzz target: deadlines near i64::MAX ms overflowed the
    /// cycle's TTL sum.
    #[test]
    fn active_expiry_survives_far_deadlines() {
        let mut ks = Keyspace::new(1, (1, 2));
        for i in 0..30 {
            ks.set(
                0,
                Bytes::from(format!("k{i}")),
                s("v"),
                Ttl::At(i64::MAX as u64 - i),
            );
        }
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(ks.active_expire_cycle(1_000, &mut rng), 0);
        assert_eq!(ks.dbsize(0), 30);
    }

    /// Redis's keyIsExpired is `now > when`: at the deadline itself the key lives.
    #[test]
    fn a_key_lives_through_its_deadline_millisecond() {
        let mut ks = Keyspace::new(1, (1, 2));
        ks.set(0, Bytes::from("a"), s("1"), Ttl::At(100));
        assert!(ks.lookup_read(0, b"a", 100).is_some());
        assert!(ks.lookup_read(0, b"a", 101).is_none());
    }

    #[test]
    fn lazy_expiry_counts_and_deletes() {
        let mut ks = Keyspace::new(16, (1, 2));
        ks.set(0, Bytes::from("a"), s("1"), Ttl::At(100));
        ks.set(0, Bytes::from("b"), s("2"), Ttl::Clear);
        assert!(ks.lookup_read(0, b"a", 100).is_some());
        assert!(ks.lookup_read(0, b"a", 101).is_none());
        assert_eq!(ks.stats.expired_keys, 1);
        assert_eq!(ks.stats.keyspace_hits, 1);
        assert_eq!(ks.stats.keyspace_misses, 1);
        assert_eq!(ks.dbsize(0), 1);
        ks.check_invariants().unwrap();
    }

    #[test]
    fn active_expire_removes_most_expired_keys() {
        let mut ks = Keyspace::new(2, (3, 4));
        for i in 0..200 {
            let when = if i % 4 == 0 { 10_000 } else { 50 };
            ks.set(1, Bytes::from(format!("k{i}")), s("v"), Ttl::At(when));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut total = 0;
        for _ in 0..50 {
            total += ks.active_expire_cycle(100, &mut rng);
            ks.check_invariants().unwrap();
        }
        assert_eq!(total, ks.stats.expired_keys);
        assert!(total >= 140, "expired {total}");
        assert!(ks.dbsize(1) >= 50);
        assert!(ks.info_keyspace().starts_with("db1:keys="));
    }

    #[test]
    fn info_keyspace_and_flush() {
        let mut ks = Keyspace::new(16, (0, 0));
        assert_eq!(ks.info_keyspace(), "");
        ks.set(3, Bytes::from("x"), s("1"), Ttl::Clear);
        assert_eq!(ks.info_keyspace(), "db3:keys=1,expires=0,avg_ttl=0\r\n");
        ks.swap_db(3, 0, 0);
        assert_eq!(ks.dbsize(0), 1);
        ks.flush_all();
        assert_eq!(ks.dbsize(0), 0);
    }

    #[test]
    fn watch_is_dirtied_by_every_write_path() {
        let mut ks = Keyspace::new(2, (0, 0));
        let k = Bytes::from("k");
        ks.set(0, k.clone(), s("1"), Ttl::Clear);
        ks.watch(7, 0, &k, 0);
        assert!(!ks.watch_failed(7, 0));
        ks.lookup_read(0, b"k", 0);
        assert!(!ks.watch_failed(7, 0));
        ks.remove(0, b"k");
        assert!(ks.watch_failed(7, 0));
        ks.unwatch_all(7);
        assert!(!ks.watch_failed(7, 0));
        // A missing key: FLUSHALL does not dirty, a creation does.
        ks.watch(7, 0, &k, 0);
        ks.flush_all();
        assert!(!ks.watch_failed(7, 0));
        ks.set(1, k.clone(), s("x"), Ttl::Clear);
        assert!(!ks.watch_failed(7, 0));
        ks.swap_db(0, 1, 0);
        assert!(ks.watch_failed(7, 0));
        ks.check_invariants().unwrap();
        ks.unwatch_all(7);
        assert!(ks.tracked_clients().is_empty());
    }

    /// A lookup for writing is not a change (Redis's lookupKeyWrite signals nothing): the
    /// command that changes the value signals; expiry is logged for propagation.
    #[test]
    fn only_signalled_changes_dirty_a_watch() {
        let mut ks = Keyspace::new(1, (0, 0));
        let k = Bytes::from("k");
        ks.set(0, k.clone(), s("1"), Ttl::At(100));
        ks.watch(1, 0, &k, 0);
        assert!(ks.lookup_write(0, b"k", 0).is_some());
        assert!(!ks.watch_failed(1, 0));
        ks.signal_modified_key(0, b"k");
        assert!(ks.watch_failed(1, 0));
        assert!(!ks.has_expired_pending());
        assert!(ks.lookup_write(0, b"k", 101).is_none());
        assert_eq!(ks.take_expired(), vec![(0, k)]);
        ks.unwatch_all(1);
        ks.check_invariants().unwrap();
    }

    #[test]
    fn watch_and_expiry() {
        let mut ks = Keyspace::new(1, (0, 0));
        let k = Bytes::from("k");
        // Alive at WATCH, expired later: EXEC fails, deleted or not.
        ks.set(0, k.clone(), s("1"), Ttl::At(100));
        ks.watch(1, 0, &k, 50);
        assert!(!ks.watch_failed(1, 100));
        assert!(ks.watch_failed(1, 101));
        ks.expire_if_needed(0, b"k", 101);
        assert!(ks.watch_failed(1, 101));
        // Already expired at WATCH: its deletion is no change, a new write is.
        ks.set(0, k.clone(), s("1"), Ttl::At(100));
        ks.watch(2, 0, &k, 200);
        ks.expire_if_needed(0, b"k", 200);
        assert!(!ks.watch_failed(2, 200));
        ks.set(0, k.clone(), s("2"), Ttl::Clear);
        assert!(ks.watch_failed(2, 200));
        ks.check_invariants().unwrap();
    }

    /// Redis's multi.tcl: SWAPDB of stale keys is no logical change for a watcher (a
    /// missing key replaced by an expired one; an expired key by another expired one),
    /// but a missing key replaced by a live one is.
    #[test]
    fn swapdb_of_stale_keys_does_not_dirty_watchers() {
        let x = Bytes::from("x");
        let now = 1_000;
        // db0 holds a stale x; the watcher watches the missing x of db1.
        let mut ks = Keyspace::new(2, (0, 0));
        ks.set(0, x.clone(), s("foo"), Ttl::At(now - 1));
        ks.watch(7, 1, &x, now);
        ks.swap_db(0, 1, now);
        assert!(!ks.watch_failed(7, now));
        // Both dbs hold a stale x.
        let mut ks = Keyspace::new(2, (0, 0));
        ks.set(0, x.clone(), s("bar"), Ttl::At(now - 1));
        ks.set(1, x.clone(), s("foo"), Ttl::At(now - 1));
        ks.watch(7, 1, &x, now);
        ks.swap_db(0, 1, now);
        assert!(!ks.watch_failed(7, now));
        // A live x replaces the missing one: a change.
        let mut ks = Keyspace::new(2, (0, 0));
        ks.set(0, x.clone(), s("live"), Ttl::Clear);
        ks.watch(7, 1, &x, now);
        ks.swap_db(0, 1, now);
        assert!(ks.watch_failed(7, now));
    }

    #[test]
    fn blocked_keys_are_signalled_in_order() {
        let mut ks = Keyspace::new(2, (0, 0));
        let (a, b) = (Bytes::from("a"), Bytes::from("b"));
        ks.block(1, 0, &[a.clone(), b.clone(), a.clone()]);
        ks.block(2, 0, std::slice::from_ref(&a));
        assert_eq!(ks.blocked_clients(0, b"a"), vec![1, 2]);
        assert_eq!(ks.blocked_count(), 2);
        ks.set(0, b.clone(), s("x"), Ttl::Clear);
        ks.set(0, a.clone(), s("x"), Ttl::Clear);
        ks.set(0, b.clone(), s("y"), Ttl::Clear);
        assert_eq!(ks.take_ready(), vec![(0, b.clone()), (0, a.clone())]);
        ks.check_invariants().unwrap();
        assert!(ks.unblock(1));
        assert!(!ks.unblock(1));
        assert_eq!(ks.blocked_clients(0, b"a"), vec![2]);
        // SWAPDB brings a key into db 1 where nobody waits, and one into db 0.
        ks.flush_all();
        ks.take_ready();
        ks.set(1, a.clone(), s("z"), Ttl::Clear);
        ks.swap_db(0, 1, 0);
        assert_eq!(ks.take_ready(), vec![(0, a)]);
        ks.unblock(2);
        ks.check_invariants().unwrap();
        assert!(ks.tracked_clients().is_empty());
    }
}
