//! The stream type (t_stream.c, stream.h): nodes that are listpacks in Redis's exact
//! layout ([`node`]), kept in a map ordered by master ID (Redis's rax of 128-bit
//! big-endian keys orders them the same way), with the stream's counters and its
//! consumer groups ([`group`]).
//!
//! An emptied stream stays a key (Redis never deletes a stream for being empty).

pub mod group;
pub mod id;
pub mod node;

use crate::db::listpack::Listpack;
use bytes::Bytes;
use std::collections::BTreeMap;

pub use group::{Consumer, ConsumerGroup, Nack};
pub use id::{parse_id, ParsedId, StreamId};
use node::{Master, RawEntry};

/// STREAM_LISTPACK_MAX_SIZE: no node (and no single entry) grows past 1 GiB.
pub const LISTPACK_MAX_SIZE: u64 = 1 << 30;

/// `stream-node-max-bytes` and `stream-node-max-entries`.
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    pub max_bytes: u64,
    pub max_entries: i64,
}

/// Why streamAppendItem refused an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendError {
    /// EDOM: the ID is not greater than the last one.
    NotGreater,
    /// ERANGE (and the `<ms>-*` sequence overflow, which leaves errno alone).
    TooLarge,
}

/// XADD/XTRIM's trimming arguments (streamAddTrimArgs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimStrategy {
    None,
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrimArgs {
    pub strategy: TrimStrategy,
    pub approx: bool,
    /// Most entries to remove; 0 is no limit.
    pub limit: i64,
}

/// One entry with its fields, as replies show it.
pub type StreamEntry = (StreamId, Vec<(Bytes, Bytes)>);

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Listpack>,
    pub length: u64,
    pub last_id: StreamId,
    /// The first live entry, 0-0 when empty.
    pub first_id: StreamId,
    pub max_deleted_entry_id: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Bytes, ConsumerGroup>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The nodes in order: master ID and listpack (RDB, DUMP, MEMORY USAGE).
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = (&StreamId, &Listpack)> {
        self.nodes.iter()
    }

    /// streamNextID.
    fn next_id(&self, now_ms: u64) -> Option<StreamId> {
        if now_ms > self.last_id.ms {
            Some(StreamId::new(now_ms, 0))
        } else {
            self.last_id.incr()
        }
    }

    /// streamAppendItem: `pairs` is field, value, field, value...
    pub fn append(
        &mut self,
        pairs: &[Bytes],
        use_id: Option<ParsedId>,
        now_ms: u64,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        debug_assert!(pairs.len().is_multiple_of(2));
        let id = match use_id {
            Some(p) if p.seq_given => p.id,
            Some(p) if self.last_id.ms == p.id.ms => {
                if self.last_id.seq == u64::MAX {
                    return Err(AppendError::TooLarge);
                }
                StreamId::new(p.id.ms, self.last_id.seq + 1)
            }
            Some(p) => p.id,
            // Past the last ID the C code wraps to 0-0, which the check below refuses.
            None => self.next_id(now_ms).unwrap_or(StreamId::MIN),
        };
        if id <= self.last_id {
            return Err(AppendError::NotGreater);
        }
        let total: u64 = pairs.iter().map(|b| b.len() as u64).sum();
        if total > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let max_bytes = match limits.max_bytes {
            0 => LISTPACK_MAX_SIZE,
            n => n.min(LISTPACK_MAX_SIZE),
        };
        let tail = self.nodes.last_key_value().map(|(k, lp)| {
            let m = node::master(lp);
            let full = lp.bytes_len() as u64 + total >= max_bytes
                || (limits.max_entries != 0
                    && m.count.saturating_add(m.deleted) >= limits.max_entries);
            (*k, full)
        });
        match tail {
            Some((master_id, false)) => {
                let lp = self.nodes.get_mut(&master_id).expect("tail node");
                let m = node::master(lp);
                let same = node::same_fields(lp, &m, pairs);
                node::set_counts(lp, m.count + 1, m.deleted);
                node::append_entry(lp, master_id, id, pairs, same);
            }
            _ => {
                let mut lp = node::new_node(pairs);
                node::append_entry(&mut lp, id, id, pairs, true);
                self.nodes.insert(id, lp);
            }
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Walks the entries from `start` to `end` (inclusive) forwards or backwards, calling
    /// `f` with each until it returns false. Tombstones are skipped unless asked for.
    pub fn scan(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        with_tombstones: bool,
        mut f: impl FnMut(&Listpack, &Master, &RawEntry) -> bool,
    ) {
        if start > end {
            return;
        }
        if !rev {
            let from = self
                .nodes
                .range(..=start)
                .next_back()
                .map_or(StreamId::MIN, |(k, _)| *k);
            for (master_id, lp) in self.nodes.range(from..) {
                if *master_id > end {
                    return;
                }
                let m = node::master(lp);
                for e in node::entries(lp, *master_id) {
                    if e.id < start || (e.deleted() && !with_tombstones) {
                        continue;
                    }
                    if e.id > end || !f(lp, &m, &e) {
                        return;
                    }
                }
            }
        } else {
            for (master_id, lp) in self.nodes.range(..=end).rev() {
                let m = node::master(lp);
                for e in node::entries(lp, *master_id).iter().rev() {
                    if e.id > end || (e.deleted() && !with_tombstones) {
                        continue;
                    }
                    if e.id < start || !f(lp, &m, e) {
                        return;
                    }
                }
            }
        }
    }

    /// The live entries from `start` to `end`, at most `count` (0: all).
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        count: usize,
    ) -> Vec<StreamEntry> {
        let mut out = Vec::new();
        self.scan(start, end, rev, false, |lp, m, e| {
            out.push((e.id, node::fields(lp, m, e)));
            count == 0 || out.len() < count
        });
        out
    }

    /// The live entry `id`, if any.
    pub fn get(&self, id: StreamId) -> Option<Vec<(Bytes, Bytes)>> {
        self.range(id, id, false, 1).pop().map(|(_, f)| f)
    }

    /// streamGetEdgeID: the first or last entry's ID (tombstones included or not);
    /// MAX for the first of an empty stream, MIN for its last.
    pub fn edge_id(&self, first: bool, skip_tombstones: bool) -> StreamId {
        let mut found = None;
        self.scan(
            StreamId::MIN,
            StreamId::MAX,
            !first,
            !skip_tombstones,
            |_, _, e| {
                found = Some(e.id);
                false
            },
        );
        found.unwrap_or(if first { StreamId::MAX } else { StreamId::MIN })
    }

    /// streamLastValidID: the last live entry (MIN when empty).
    pub fn last_valid_id(&self) -> StreamId {
        self.edge_id(false, true)
    }

    /// streamDeleteItem: marks the live entry `id` deleted (a node left with no live
    /// entry goes away); false if there is none.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master_id, _)) = self.nodes.range(..=id).next_back() else {
            return false;
        };
        let lp = self.nodes.get_mut(&master_id).expect("node");
        let Some(e) = node::entries(lp, master_id)
            .into_iter()
            .find(|e| e.id == id && !e.deleted())
        else {
            return false;
        };
        let m = node::master(lp);
        if m.count == 1 {
            self.nodes.remove(&master_id);
        } else {
            node::mark_deleted(lp, e.flags_pos, e.flags);
            node::set_counts(lp, m.count - 1, m.deleted + 1);
        }
        self.length -= 1;
        true
    }

    /// streamTrim: removes entries from the head; returns how many.
    pub fn trim(&mut self, args: TrimArgs) -> u64 {
        if args.strategy == TrimStrategy::None {
            return 0;
        }
        let mut deleted: u64 = 0;
        while let Some((&master_id, lp)) = self.nodes.first_key_value() {
            if let TrimStrategy::MaxLen(max) = args.strategy {
                if self.length <= max {
                    break;
                }
            }
            let m = node::master(lp);
            let entries = m.count as u64;
            if args.limit != 0 && deleted + entries > args.limit as u64 {
                break;
            }
            let remove_node = match args.strategy {
                TrimStrategy::MaxLen(max) => self.length - entries >= max,
                TrimStrategy::MinId(min) => {
                    let all = node::entries(lp, master_id);
                    all.last().is_some_and(|e| e.id < min)
                }
                TrimStrategy::None => false,
            };
            if remove_node {
                self.nodes.remove(&master_id);
                self.length -= entries;
                deleted += entries;
                continue;
            }
            if args.approx {
                break;
            }
            let lp = self.nodes.get_mut(&master_id).expect("node");
            let mut from_node = 0i64;
            for e in node::entries(lp, master_id) {
                let stop = match args.strategy {
                    TrimStrategy::MaxLen(max) => self.length <= max,
                    TrimStrategy::MinId(min) => e.id >= min,
                    TrimStrategy::None => true,
                };
                if stop {
                    break;
                }
                if !e.deleted() {
                    // Replacing a small integer by another keeps every position.
                    node::mark_deleted(lp, e.flags_pos, e.flags);
                    from_node += 1;
                    self.length -= 1;
                }
            }
            deleted += from_node as u64;
            node::set_counts(lp, m.count - from_node, m.deleted + from_node);
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.edge_id(true, true);
        }
        deleted
    }

    /// A node loaded from a file or payload (checked by the caller with
    /// [`node::validate`]).
    pub fn insert_node(&mut self, master_id: StreamId, lp: Listpack) -> bool {
        if self.nodes.contains_key(&master_id) {
            return false;
        }
        self.nodes.insert(master_id, lp);
        true
    }

    /// streamRangeHasTombstones.
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_entry_id && self.max_deleted_entry_id <= end
    }

    /// streamEstimateDistanceFromFirstEverEntry: None is SCG_INVALID_ENTRIES_READ.
    pub fn estimate_distance(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.length == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        match id.cmp(&self.last_id) {
            std::cmp::Ordering::Equal => return Some(self.entries_added),
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Less => {}
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            match id.cmp(&self.first_id) {
                std::cmp::Ordering::Less => {
                    return Some(self.entries_added.wrapping_sub(self.length))
                }
                std::cmp::Ordering::Equal => {
                    return Some(self.entries_added.wrapping_sub(self.length).wrapping_add(1))
                }
                std::cmp::Ordering::Greater => {}
            }
        }
        None
    }

    /// MEMORY USAGE: the nodes' bytes, sampled, plus the groups.
    pub fn memory_usage(&self, samples: usize) -> usize {
        let mut size = 64 + self.nodes.len() * 48;
        let mut seen = 0;
        let mut bytes = 0usize;
        for lp in self.nodes.values() {
            if seen >= samples {
                break;
            }
            bytes += lp.bytes_len();
            seen += 1;
        }
        if let Some(avg) = bytes.checked_div(seen) {
            size += avg * self.nodes.len();
        }
        for (name, g) in &self.groups {
            size += 64 + name.len() + g.pel.len() * 64;
            for (c, cons) in &g.consumers {
                size += 48 + c.len() + cons.pel.len() * 32;
            }
        }
        size
    }

    /// Rough heap bytes, for INFO memory.
    pub fn memory_estimate(&self) -> usize {
        self.memory_usage(usize::MAX)
    }

    /// The stream's invariants: every node sound and non-empty, counts adding up to the
    /// length, IDs in order and not past `last_id`, first_id the first live entry, and
    /// every group's PELs agreeing with each other.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut total = 0u64;
        let mut prev_last: Option<StreamId> = None;
        for (master_id, lp) in &self.nodes {
            lp.check_invariants()?;
            let (live, last) = node::validate(lp, *master_id)
                .map_err(|node::Malformed| format!("stream node {master_id} is malformed"))?;
            if prev_last.is_some_and(|p| p >= *master_id) {
                return Err(format!("stream node {master_id} overlaps the previous one"));
            }
            if last > self.last_id {
                return Err(format!("stream entry {last} past last_id {}", self.last_id));
            }
            prev_last = Some(last);
            total += live;
        }
        if total != self.length {
            return Err(format!("stream length {} but {total} entries", self.length));
        }
        let first = if self.length == 0 {
            StreamId::MIN
        } else {
            self.edge_id(true, true)
        };
        if first != self.first_id {
            return Err(format!(
                "stream first_id {} but first entry {first}",
                self.first_id
            ));
        }
        for (name, g) in &self.groups {
            g.check_invariants()
                .map_err(|e| format!("group {}: {e}", name.escape_ascii()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
