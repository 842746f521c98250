//! The list type: Redis 7.0's quicklist, a sequence of [`Listpack`] nodes (OBJECT
//! ENCODING answers `quicklist` for any list; the listpack list encoding only arrived in
//! 7.2). A node takes a push while it stays within list-max-listpack-size (negative: a
//! size class of 4..64 KiB; positive: a count, with an 8 KiB safety limit), using
//! quicklist.c's 7.0 size estimate; LINSERT into a full node goes to a neighbour or
//! splits the node and merges what fits, as `_quicklistInsert` does. A list keeps the
//! fill it was created with, as Redis does (CONFIG SET applies to new lists).
//! `list-compress-depth` (LZF of interior nodes) is not implemented: nodes stay raw.
//!
//! Elements come out as owned [`Bytes`]: a listpack holds no `Bytes` to lend.

use super::listpack::{collect_bytes, Entry, Listpack, HDR_SIZE};
use bytes::Bytes;
use std::collections::VecDeque;

/// Which end of a list: LEFT/head or RIGHT/tail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

impl End {
    /// getListPositionFromObjectOrReply's parse: LEFT or RIGHT, any case.
    pub fn parse(arg: &[u8]) -> Option<End> {
        if arg.eq_ignore_ascii_case(b"left") {
            Some(End::Head)
        } else if arg.eq_ignore_ascii_case(b"right") {
            Some(End::Tail)
        } else {
            None
        }
    }
}

/// quicklist.c's optimization_level: the node size limits of fill -1..-5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// SIZE_SAFETY_LIMIT: the most bytes a count-limited node may hold.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// The header and terminator of one listpack, saved when two nodes merge.
const LP_OVERHEAD: usize = HDR_SIZE + 1;

/// quicklistSetFill: clamped to -5..=32767.
pub fn clamp_fill(fill: i64) -> i16 {
    fill.clamp(-5, i64::from(i16::MAX)) as i16
}

/// _quicklistNodeSizeMeetsOptimizationRequirement.
fn meets_optimization(sz: usize, fill: i16) -> bool {
    if fill >= 0 {
        return false;
    }
    let offset = (-i32::from(fill) - 1) as usize;
    OPTIMIZATION_LEVEL.get(offset).is_some_and(|&lim| sz <= lim)
}

/// Whether a node of `sz` bytes and `count` elements is within the fill (the shared tail
/// of _quicklistNodeAllowInsert and _quicklistNodeAllowMerge in 7.0).
fn within_fill(sz: usize, count: usize, fill: i16) -> bool {
    if meets_optimization(sz, fill) {
        true
    } else if sz > SIZE_SAFETY_LIMIT {
        false
    } else {
        fill >= 0 && count <= fill as usize
    }
}

/// packed_threshold: an element this large never shares a node (Redis makes it a "plain"
/// node; here it is a listpack of one element), so no listpack passes 4 GiB.
#[cfg(not(test))]
pub const PACKED_THRESHOLD: usize = 1 << 30;
/// Small enough for the unit tests to cross (Redis has DEBUG QUICKLIST-PACKED-THRESHOLD
/// for the same purpose), above every element size the node-count tests use.
#[cfg(test)]
pub const PACKED_THRESHOLD: usize = 10_000;

/// _quicklistNodeAllowInsert (7.0): may `node` take one more element of `sz` bytes? The
/// overhead is the ziplist-era estimate 7.0 still uses.
fn allow_insert(node: &Listpack, fill: i16, sz: usize) -> bool {
    if sz >= PACKED_THRESHOLD || (node.len() == 1 && node.bytes_len() >= PACKED_THRESHOLD) {
        return false;
    }
    let mut overhead = if sz < 254 { 1 } else { 5 };
    overhead += if sz < 64 {
        1
    } else if sz < 16384 {
        2
    } else {
        5
    };
    within_fill(node.bytes_len() + sz + overhead, node.len() + 1, fill)
}

/// _quicklistNodeAllowMerge.
fn allow_merge(a: &Listpack, b: &Listpack, fill: i16) -> bool {
    within_fill(
        (a.bytes_len() + b.bytes_len()).saturating_sub(LP_OVERHEAD),
        a.len() + b.len(),
        fill,
    )
}

fn single(v: &[u8]) -> Listpack {
    let mut lp = Listpack::new();
    lp.push_back(v);
    lp
}

/// A quicklist. `len` is the element count; no node is ever empty.
#[derive(Clone)]
pub struct List {
    nodes: VecDeque<Listpack>,
    len: usize,
    fill: i16,
}

impl PartialEq for List {
    fn eq(&self, o: &List) -> bool {
        self.len == o.len && self.iter().eq(o.iter())
    }
}

impl std::fmt::Debug for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|e| e.to_bytes()))
            .finish()
    }
}

impl List {
    /// An empty list with list-max-listpack-size `fill` (quicklistNew).
    pub fn new(fill: i64) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill: clamp_fill(fill),
        }
    }

    /// A list of the nodes an RDB file holds (quicklistAppendListpack: each node kept as it
    /// is), with fill `fill`. The caller (the RDB loader) drops empty nodes and gives an
    /// element of PACKED_THRESHOLD bytes or more a node of its own.
    pub fn from_nodes(nodes: Vec<Listpack>, fill: i64) -> List {
        let len = nodes.iter().map(Listpack::len).sum();
        List {
            nodes: nodes.into(),
            len,
            fill: clamp_fill(fill),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The nodes' listpacks, head to tail (what RDB_TYPE_LIST_QUICKLIST_2 stores).
    pub fn nodes(&self) -> impl Iterator<Item = &Listpack> {
        self.nodes.iter()
    }

    /// quicklistPushHead / quicklistPushTail.
    pub fn push(&mut self, end: End, v: &[u8]) {
        if self.nodes.capacity() == 0 {
            // Most lists are one node: room for exactly one instead of VecDeque's first
            // growth to four (72 bytes per small list).
            self.nodes.reserve_exact(1);
        }
        let fill = self.fill;
        match end {
            End::Head => match self.nodes.front_mut() {
                Some(n) if allow_insert(n, fill, v.len()) => {
                    n.push_front(v);
                }
                _ => self.nodes.push_front(single(v)),
            },
            End::Tail => match self.nodes.back_mut() {
                Some(n) if allow_insert(n, fill, v.len()) => {
                    n.push_back(v);
                }
                _ => self.nodes.push_back(single(v)),
            },
        }
        self.len += 1;
    }

    /// quicklistPop: the element at `end`, its node dropped once empty.
    pub fn pop(&mut self, end: End) -> Option<Bytes> {
        if self.nodes.is_empty() {
            return None;
        }
        let (i, node) = match end {
            End::Head => (0, self.nodes.front_mut()?),
            End::Tail => (self.nodes.len() - 1, self.nodes.back_mut()?),
        };
        let p = match end {
            End::Head => node.first(),
            End::Tail => node.last(),
        }
        .expect("quicklist nodes are never empty");
        let v = node.get(p).to_bytes();
        node.delete(p);
        self.after_delete(i, 1);
        Some(v)
    }

    /// Accounts for `n` elements deleted from node `i`, dropping it if it is now empty.
    fn after_delete(&mut self, i: usize, n: usize) {
        self.len -= n;
        if self.nodes[i].is_empty() {
            self.nodes.remove(i);
        }
    }

    /// The node holding element `index` and the index within it.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.len {
            return None;
        }
        // Walk from the nearer end, as quicklistGetIteratorAtIdx does.
        if index < self.len / 2 {
            let mut at = index;
            for (i, n) in self.nodes.iter().enumerate() {
                let c = n.len();
                if at < c {
                    return Some((i, at));
                }
                at -= c;
            }
        } else {
            let mut from_end = self.len - 1 - index;
            for (i, n) in self.nodes.iter().enumerate().rev() {
                let c = n.len();
                if from_end < c {
                    return Some((i, c - 1 - from_end));
                }
                from_end -= c;
            }
        }
        None
    }

    /// The element at `index` (0-based from the head).
    pub fn get(&self, index: usize) -> Option<Bytes> {
        let (i, at) = self.locate(index)?;
        let n = &self.nodes[i];
        Some(n.get(n.seek(at as i64)?).to_bytes())
    }

    /// quicklistReplaceAtIndex: LSET. False if out of range.
    pub fn set(&mut self, index: usize, v: &[u8]) -> bool {
        let Some((i, at)) = self.locate(index) else {
            return false;
        };
        if v.len() >= PACKED_THRESHOLD && self.nodes[i].len() > 1 {
            // quicklistReplaceEntry: a large element gets a node of its own, the old
            // node split around it.
            self.isolate(i, at, at + 1, v);
            return true;
        }
        let n = &mut self.nodes[i];
        let p = n.seek(at as i64).expect("located");
        n.replace(p, v);
        true
    }

    /// Node `i` becomes its elements `..head`, a node holding only `v`, and its elements
    /// `tail..` (the parts left out when empty): where a large element goes.
    fn isolate(&mut self, i: usize, head: usize, tail: usize, v: &[u8]) {
        let n = &mut self.nodes[i];
        let mut rest = n.clone();
        if let Some(p) = n.seek(head as i64) {
            n.delete_range(p, usize::MAX);
        }
        rest.delete_range(HDR_SIZE, tail);
        let mut j = i;
        if n.is_empty() {
            self.nodes.remove(i);
        } else {
            j += 1;
        }
        self.nodes.insert(j, single(v));
        if !rest.is_empty() {
            self.nodes.insert(j + 1, rest);
        }
    }

    /// Elements in order, from both ends.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Entry<'_>> + '_ {
        self.nodes.iter().flat_map(|n| n.iter())
    }

    /// Elements with indexes in `start..end`, in order.
    pub fn range(&self, start: usize, end: usize) -> Vec<Bytes> {
        let end = end.min(self.len);
        if start >= end {
            return Vec::new();
        }
        let (i, at) = self.locate(start).expect("start < len");
        let first = self.nodes[i].iter().skip(at);
        let rest = self.nodes.iter().skip(i + 1).flat_map(|n| n.iter());
        collect_bytes(first.chain(rest).take(end - start))
    }

    /// The index of the first element equal to `v` (LINSERT's pivot search).
    pub fn position(&self, v: &[u8]) -> Option<usize> {
        self.iter().position(|e| e.eq_bytes(v))
    }

    /// _quicklistInsert: `v` goes before or after the element at `index`.
    pub fn insert(&mut self, index: usize, after: bool, v: &[u8]) {
        let (i, at) = self.locate(index).expect("LINSERT's pivot is in the list");
        let fill = self.fill;
        let sz = v.len();
        let count = self.nodes[i].len();
        let full = !allow_insert(&self.nodes[i], fill, sz);
        let at_tail = after && at == count - 1;
        let at_head = !after && at == 0;
        let avail_next = at_tail
            && self
                .nodes
                .get(i + 1)
                .is_some_and(|n| allow_insert(n, fill, sz));
        let avail_prev = at_head && i > 0 && allow_insert(&self.nodes[i - 1], fill, sz);
        self.len += 1;
        if sz >= PACKED_THRESHOLD {
            // A large element gets a node of its own, splitting its neighbour if it lands
            // inside one (_quicklistInsert's isLargeElement branch).
            let k = if after { at + 1 } else { at };
            self.isolate(i, k, k, v);
        } else if !full {
            let n = &mut self.nodes[i];
            let p = n.seek(at as i64).expect("located");
            let q = if after {
                n.next(p).unwrap_or(n.end())
            } else {
                p
            };
            n.insert(q, v);
        } else if avail_next {
            self.nodes[i + 1].push_front(v);
        } else if avail_prev {
            self.nodes[i - 1].push_back(v);
        } else if (at_tail && i + 1 == self.nodes.len()) || (at_head && i == 0) {
            self.nodes.insert(if after { i + 1 } else { i }, single(v));
        } else {
            // _quicklistSplitNode: after keeps [0..=at] and the new node takes the rest
            // (with `v` at its head); before, the new node takes [0..at) (with `v` at its
            // tail) and goes in front.
            let n = &mut self.nodes[i];
            let mut new = n.clone();
            let center = if after {
                // At the node's tail (its next node full) the new node gets `v` alone.
                if let Some(p) = n.seek(at as i64 + 1) {
                    n.delete_range(p, usize::MAX);
                }
                new.delete_range(HDR_SIZE, at + 1);
                new.push_front(v);
                self.nodes.insert(i + 1, new);
                i
            } else {
                n.delete_range(HDR_SIZE, at);
                let p = new.seek(at as i64).expect("not at head");
                new.delete_range(p, usize::MAX);
                new.push_back(v);
                self.nodes.insert(i, new);
                i + 1
            };
            self.merge_around(center);
        }
    }

    /// Merges node `b` into node `a` (a = b - 1): _quicklistListpackMerge.
    fn merge_pair(&mut self, a: usize) {
        let b = self.nodes.remove(a + 1).expect("merge partner");
        let dst = &mut self.nodes[a];
        for e in b.iter() {
            e.with_bytes(|x| dst.push_back(x));
        }
    }

    /// _quicklistMergeNodes around `center`: prev_prev+prev, next+next_next, then center
    /// with prev, then the result with next.
    fn merge_around(&mut self, mut center: usize) {
        let fill = self.fill;
        if center >= 2 && allow_merge(&self.nodes[center - 1], &self.nodes[center - 2], fill) {
            self.merge_pair(center - 2);
            center -= 1;
        }
        if center + 2 < self.nodes.len()
            && allow_merge(&self.nodes[center + 1], &self.nodes[center + 2], fill)
        {
            self.merge_pair(center + 1);
        }
        if center >= 1 && allow_merge(&self.nodes[center], &self.nodes[center - 1], fill) {
            self.merge_pair(center - 1);
            center -= 1;
        }
        if center + 1 < self.nodes.len()
            && allow_merge(&self.nodes[center], &self.nodes[center + 1], fill)
        {
            self.merge_pair(center);
        }
    }

    /// LREM: removes up to `limit` elements equal to `v`, from the head or the tail.
    /// Returns how many went.
    pub fn remove_matching(&mut self, v: &[u8], limit: u64, from_tail: bool) -> u64 {
        let mut removed = 0;
        let order: Vec<usize> = if from_tail {
            (0..self.nodes.len()).rev().collect()
        } else {
            (0..self.nodes.len()).collect()
        };
        // Nodes emptied on the way are dropped at the end, so the indexes stay valid.
        for i in order {
            let n = &mut self.nodes[i];
            let mut p = if from_tail { n.last() } else { n.first() };
            while let Some(q) = p {
                if removed >= limit {
                    break;
                }
                if n.get(q).eq_bytes(v) {
                    n.delete(q);
                    removed += 1;
                    p = if from_tail {
                        n.prev(q)
                    } else {
                        (q < n.end()).then_some(q)
                    };
                } else {
                    p = if from_tail { n.prev(q) } else { n.next(q) };
                }
            }
        }
        self.nodes.retain(|n| !n.is_empty());
        self.len -= removed as usize;
        removed
    }

    /// LTRIM: keeps the elements with indexes in `start..=end` (quicklistDelRange on both
    /// sides); None empties the list.
    pub fn trim(&mut self, keep: Option<(usize, usize)>) {
        let Some((start, end)) = keep else {
            self.nodes.clear();
            self.len = 0;
            return;
        };
        let tail = self.len - 1 - end.min(self.len - 1);
        self.delete_range(End::Head, start);
        self.delete_range(End::Tail, tail);
    }

    /// quicklistDelRange at one end: whole nodes go, the last one is cut.
    fn delete_range(&mut self, end: End, mut n: usize) {
        while n > 0 {
            let (i, node) = match end {
                End::Head => (0, self.nodes.front_mut()),
                End::Tail => (self.nodes.len().wrapping_sub(1), self.nodes.back_mut()),
            };
            let Some(node) = node else { return };
            let c = node.len();
            let k = c.min(n);
            let p = match end {
                End::Head => HDR_SIZE,
                End::Tail => node.seek((c - k) as i64).expect("k <= count"),
            };
            node.delete_range(p, k);
            n -= k;
            self.after_delete(i, k);
        }
    }

    /// Rough heap bytes, for INFO memory.
    pub fn memory_estimate(&self) -> usize {
        32 + self.nodes.iter().map(|n| 32 + n.heap_size()).sum::<usize>()
    }

    /// Every node a sound, non-empty listpack; the count agrees with the nodes.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut total = 0;
        for n in &self.nodes {
            n.check_invariants()?;
            if n.is_empty() {
                return Err("empty quicklist node".into());
            }
            if n.len() > 1 && n.iter().any(|e| e.byte_len() >= PACKED_THRESHOLD) {
                return Err("a large element shares a quicklist node".into());
            }
            total += n.len();
        }
        if total != self.len {
            return Err(format!("quicklist counts {}, nodes hold {total}", self.len));
        }
        if self.len == 0 {
            return Err("empty list stored".into());
        }
        Ok(())
    }
}

/// Rough heap bytes of a list, for INFO memory (the name value.rs calls).
pub fn memory_estimate(list: &List) -> usize {
    list.memory_estimate()
}

/// LRANGE's index arithmetic: the inclusive range of `[start, end]` within a list of
/// `len` elements, negative indexes counting from the end; None when empty.
pub fn range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 {
        start.saturating_add(len)
    } else {
        start
    };
    let mut end = if end < 0 {
        end.saturating_add(len)
    } else {
        end
    };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

/// A list index (negative from the end) as a position, if in range.
pub fn index(idx: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if idx < 0 { idx.checked_add(len)? } else { idx };
    (0..len).contains(&i).then_some(i as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model(l: &List) -> Vec<Vec<u8>> {
        l.iter().map(|e| e.to_bytes().to_vec()).collect()
    }

    /// Node counts redis-server 7.0.15 reports (DEBUG OBJECT's ql_nodes) after RPUSHing
    /// `n` elements of `size` bytes with list-max-listpack-size `fill`.
    #[test]
    fn node_counts_match_redis() {
        for &(fill, n, size, want) in NODE_COUNTS {
            let mut l = List::new(fill);
            for _ in 0..n {
                l.push(End::Tail, &vec![b'x'; size]);
            }
            assert_eq!(l.nodes.len(), want, "fill {fill}, {n} x {size} bytes");
            l.check_invariants().unwrap();
        }
    }

    /// LINSERT splits a full node and merges neighbours as 7.0's _quicklistInsert does:
    /// node counts after random LINSERTs, as redis-server 7.0.15's DEBUG OBJECT reports
    /// them (fill, pushed elements, element size, (pivot index, after)..., ql_nodes).
    #[test]
    fn linsert_node_counts_match_redis() {
        type Case = (i64, usize, usize, &'static [(usize, bool)], usize);
        let cases: &[Case] = &[
            (
                3,
                12,
                1,
                &[
                    (5, false),
                    (6, false),
                    (1, false),
                    (1, true),
                    (1, false),
                    (6, true),
                    (13, true),
                    (7, true),
                ],
                9,
            ),
            (
                3,
                12,
                1,
                &[
                    (6, true),
                    (9, true),
                    (3, false),
                    (9, false),
                    (12, true),
                    (7, true),
                    (4, true),
                    (4, false),
                ],
                8,
            ),
            (
                3,
                12,
                1,
                &[
                    (9, true),
                    (10, true),
                    (9, false),
                    (3, true),
                    (2, false),
                    (6, true),
                    (17, true),
                    (10, true),
                ],
                9,
            ),
            (
                3,
                12,
                1,
                &[
                    (7, true),
                    (3, false),
                    (11, false),
                    (1, false),
                    (15, false),
                    (14, true),
                    (2, true),
                    (13, true),
                ],
                7,
            ),
            (
                2,
                12,
                1,
                &[
                    (5, true),
                    (7, true),
                    (10, true),
                    (8, false),
                    (10, true),
                    (11, false),
                    (14, true),
                    (2, false),
                ],
                12,
            ),
            (
                2,
                12,
                1,
                &[
                    (7, false),
                    (1, true),
                    (11, true),
                    (9, false),
                    (14, true),
                    (12, false),
                    (11, true),
                    (14, true),
                ],
                11,
            ),
            (
                2,
                12,
                1,
                &[
                    (9, true),
                    (0, true),
                    (4, true),
                    (3, true),
                    (15, true),
                    (14, true),
                    (8, false),
                    (13, false),
                ],
                13,
            ),
            (
                2,
                12,
                1,
                &[
                    (4, false),
                    (5, false),
                    (6, false),
                    (2, true),
                    (4, true),
                    (7, true),
                    (5, true),
                    (0, true),
                ],
                11,
            ),
            (
                -1,
                30,
                500,
                &[
                    (17, true),
                    (18, true),
                    (8, false),
                    (32, false),
                    (3, true),
                    (25, true),
                    (25, true),
                    (25, true),
                ],
                6,
            ),
            (
                -1,
                30,
                500,
                &[
                    (2, false),
                    (14, true),
                    (21, false),
                    (6, true),
                    (9, false),
                    (23, false),
                    (4, false),
                    (24, true),
                ],
                6,
            ),
            (
                -1,
                30,
                500,
                &[
                    (8, false),
                    (19, true),
                    (7, true),
                    (31, false),
                    (29, true),
                    (19, true),
                    (6, false),
                    (16, true),
                ],
                6,
            ),
            (
                -1,
                30,
                500,
                &[
                    (22, true),
                    (0, true),
                    (23, true),
                    (1, false),
                    (19, false),
                    (5, false),
                    (16, false),
                    (10, true),
                ],
                6,
            ),
        ];
        for &(fill, n, size, ops, want) in cases {
            let mut l = List::new(fill);
            for i in 0..n {
                l.push(End::Tail, format!("e{i}:{}", "x".repeat(size)).as_bytes());
            }
            for (k, &(idx, after)) in ops.iter().enumerate() {
                l.insert(idx, after, format!("n{k}:{}", "y".repeat(size)).as_bytes());
                l.check_invariants().unwrap();
            }
            assert_eq!(l.nodes.len(), want, "fill {fill}, ops {ops:?}");
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(bool, Vec<u8>),
        Pop(bool),
        Insert(usize, bool, Vec<u8>),
        Set(usize, Vec<u8>),
        Rem(u8, u64, bool),
        Trim(usize, usize),
    }

    fn elem() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (0u8..4).prop_map(|v| vec![b'a' + v]),
            (0i64..300).prop_map(|v| v.to_string().into_bytes()),
            (1usize..3000).prop_map(|n| vec![b'z'; n]),
            (10_000usize..10_050).prop_map(|n| vec![b'L'; n]),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<bool>(), elem()).prop_map(|(h, e)| Op::Push(h, e)),
            1 => any::<bool>().prop_map(Op::Pop),
            2 => (any::<usize>(), any::<bool>(), elem()).prop_map(|(i, a, e)| Op::Insert(i, a, e)),
            1 => (any::<usize>(), elem()).prop_map(|(i, e)| Op::Set(i, e)),
            1 => (0u8..4, 0u64..3, any::<bool>()).prop_map(|(c, n, t)| Op::Rem(c, n, t)),
            1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Trim(a, b)),
        ]
    }

    proptest! {
        #[test]
        fn agrees_with_vecdeque(fill in prop_oneof![Just(-2i64), Just(-1), 0i64..5], ops in proptest::collection::vec(op(), 1..120)) {
            let mut l = List::new(fill);
            let mut m: VecDeque<Vec<u8>> = VecDeque::new();
            for op in ops {
                let n = m.len();
                match op {
                    Op::Push(head, e) => {
                        l.push(if head { End::Head } else { End::Tail }, &e);
                        if head { m.push_front(e) } else { m.push_back(e) }
                    }
                    Op::Pop(head) => {
                        let end = if head { End::Head } else { End::Tail };
                        let want = if head { m.pop_front() } else { m.pop_back() };
                        prop_assert_eq!(l.pop(end).map(|b| b.to_vec()), want);
                    }
                    Op::Insert(i, after, e) if n > 0 => {
                        let i = i % n;
                        l.insert(i, after, &e);
                        m.insert(if after { i + 1 } else { i }, e);
                    }
                    Op::Set(i, e) if n > 0 => {
                        let i = i % n;
                        prop_assert!(l.set(i, &e));
                        m[i] = e;
                    }
                    Op::Rem(c, limit, from_tail) => {
                        let v = vec![b'a' + c];
                        let limit = if limit == 0 { u64::MAX } else { limit };
                        let got = l.remove_matching(&v, limit, from_tail);
                        let mut idx: Vec<usize> = (0..n).filter(|&i| m[i] == v).collect();
                        if from_tail { idx.reverse(); }
                        idx.truncate(limit.min(n as u64) as usize);
                        idx.sort_unstable();
                        for &i in idx.iter().rev() { m.remove(i); }
                        prop_assert_eq!(got, idx.len() as u64);
                    }
                    Op::Trim(a, b) if n > 0 => {
                        let (a, b) = (a % n, b % n);
                        let keep = (a <= b).then_some((a, b));
                        l.trim(keep);
                        match keep {
                            None => m.clear(),
                            Some((a, b)) => { m.truncate(b + 1); m.drain(..a); }
                        }
                    }
                    _ => {}
                }
                prop_assert_eq!(l.len(), m.len());
                prop_assert_eq!(model(&l), m.iter().cloned().collect::<Vec<_>>());
                if !m.is_empty() {
                    l.check_invariants().map_err(TestCaseError::fail)?;
                    let i = m.len() / 3;
                    prop_assert_eq!(l.get(i).map(|b| b.to_vec()), Some(m[i].clone()));
                    let r: Vec<Vec<u8>> = l.range(i, i + 5).into_iter().map(|b| b.to_vec()).collect();
                    prop_assert_eq!(r, m.iter().skip(i).take(5).cloned().collect::<Vec<_>>());
                    let rev: Vec<Vec<u8>> = l.iter().rev().map(|e| e.to_bytes().to_vec()).collect();
                    prop_assert_eq!(rev, m.iter().rev().cloned().collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(range(0, -1, 3), Some((0, 2)));
        assert_eq!(range(-100, 100, 3), Some((0, 2)));
        assert_eq!(range(2, 1, 3), None);
        assert_eq!(range(3, 5, 3), None);
        assert_eq!(range(0, -1, 0), None);
        assert_eq!(range(i64::MIN, i64::MAX, 2), Some((0, 1)));
        assert_eq!(index(-1, 3), Some(2));
        assert_eq!(index(-4, 3), None);
        assert_eq!(index(3, 3), None);
        assert_eq!(index(i64::MIN, 3), None);
    }

    /// (fill, elements, element size, ql_nodes) measured on redis-server 7.0.15.
    const NODE_COUNTS: &[(i64, usize, usize, usize)] = &[
        (-2, 5000, 1, 2),
        (-2, 2000, 10, 3),
        (-2, 1000, 60, 8),
        (-2, 300, 100, 4),
        (-2, 100, 300, 4),
        (-2, 40, 1000, 5),
        (-2, 5, 5000, 5),
        (-2, 3, 9000, 3),
        (-1, 1000, 10, 3),
        (-1, 50, 200, 3),
        (-3, 500, 100, 4),
        (-5, 2000, 100, 4),
        (0, 10, 5, 10),
        (1, 10, 5, 10),
        (3, 10, 5, 4),
        (5, 100, 200, 20),
        (100, 300, 50, 3),
        (100, 50, 3000, 25),
        (4, 9, 2500, 3),
    ];
}
