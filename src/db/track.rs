//! Who is interested in which keys: WATCHed keys (MULTI/EXEC's optimistic locking) and
//! keys that blocked clients wait on (BLPOP and friends).
//!
//! The state lives in the [`Keyspace`](super::Keyspace): its mutation methods (`set`,
//! `remove`, `set_expire`, `persist`, expiry, flushes, SWAPDB) report to it themselves;
//! a command that changes a value in place (through `write_as`) calls
//! `Keyspace::signal_modified_key` where Redis calls signalModifiedKey, so a write that
//! changes nothing leaves watchers clean. Lookups for writing still signal blocked
//! clients (a spurious ready key costs one retry; a missed one would hang a client).

use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One client's watch on a key (Redis's `watchedKey`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEntry {
    pub client: u64,
    /// The key was logically expired (but not yet deleted) when WATCH ran: its deletion
    /// by expiry is then no logical change (Redis 7.0's `wk->expired`).
    pub expired: bool,
}

#[derive(Default)]
pub struct Tracking {
    /// Per database: key -> watchers, in WATCH order.
    pub(super) watched: Vec<BTreeMap<Bytes, Vec<WatchEntry>>>,
    /// Per client: the (db, key) pairs it watches.
    pub(super) watches_of: BTreeMap<u64, Vec<(usize, Bytes)>>,
    /// Clients whose watched keys were touched (CLIENT_DIRTY_CAS).
    pub(super) dirty: BTreeSet<u64>,
    /// Per database: key -> clients blocked on it, first blocked first.
    pub(super) blocked: Vec<BTreeMap<Bytes, VecDeque<u64>>>,
    /// Per client: the db and keys it is blocked on.
    pub(super) blocked_on: BTreeMap<u64, (usize, Vec<Bytes>)>,
    /// Keys with blocked clients that were written since the last `take_ready`, in
    /// signal order (Redis's `server.ready_keys`), and the same as a set.
    pub(super) ready: Vec<(usize, Bytes)>,
    pub(super) ready_set: BTreeSet<(usize, Bytes)>,
    /// Streams signalled the way Redis signals them (XADD, XGROUP DESTROY, a stream
    /// replaced): only these serve blocked XREADs, since the other signals above are
    /// spurious for a stream reader (XSETID moves last_id without waking anyone).
    pub(super) stream_signals: BTreeSet<(usize, Bytes)>,
}

impl Tracking {
    pub fn new(databases: usize) -> Tracking {
        Tracking {
            watched: (0..databases).map(|_| BTreeMap::new()).collect(),
            blocked: (0..databases).map(|_| BTreeMap::new()).collect(),
            ..Tracking::default()
        }
    }

    /// Marks the watchers of `key` dirty (touchWatchedKey). `exists` says whether the key
    /// is in the dict now: a watcher that saw it expired and now sees it deleted is not
    /// dirtied, its flag is cleared instead.
    pub(super) fn touch_watchers(&mut self, db: usize, key: &[u8], exists: bool) {
        let Some(entries) = self.watched.get_mut(db).and_then(|m| m.get_mut(key)) else {
            return;
        };
        for e in entries.iter_mut() {
            if e.expired && !exists {
                e.expired = false;
                continue;
            }
            self.dirty.insert(e.client);
        }
    }

    /// Queues `key` as ready if clients block on it (signalKeyAsReady).
    pub(super) fn signal_ready(&mut self, db: usize, key: &[u8]) {
        let Some((k, _)) = self.blocked.get(db).and_then(|m| m.get_key_value(key)) else {
            return;
        };
        let entry = (db, k.clone());
        if self.ready_set.insert(entry.clone()) {
            self.ready.push(entry);
        }
    }

    pub fn has_watchers(&self) -> bool {
        !self.watches_of.is_empty()
    }

    pub fn has_blocked(&self) -> bool {
        !self.blocked_on.is_empty()
    }
}
