//! The sorted set type (t_zset.c).
//!
//! Redis keeps a skiplist with span counts plus a member -> score dict. Here the ordered
//! part is an order-statistics treap (an arena of nodes with subtree sizes), keyed by
//! (score, member) exactly as the skiplist orders its nodes, so ZRANK, select-by-rank and
//! "how many elements sort before this bound" are O(log n) expected. The treap's
//! priorities come from a private splitmix64 counter, so the shape is deterministic and
//! never visible in a reply.
//!
//! A small sorted set is a [`Listpack`] of member, score, member, score... sorted by
//! (score, member), the bytes Redis 7.0 keeps (and an RDB file stores); scores that are
//! integers are integer entries, others d2string's `%.17g` text. It converts to the tree
//! and dict ("skiplist") at zset-max-listpack-entries / -value, at the moments Redis's
//! zsetAdd converts. Nothing converts back except the *STORE commands, which call
//! [`ZSetValue::shrink_encoding`] as zsetConvertToListpackIfNeeded does.

use super::dict::Dict;
use super::listpack::{self, Entry, Listpack};
use super::set::copy_dict;
use crate::util::float::{d2string, strtod};
use crate::util::int::{ll2string, LL_STR_MAX};
use bytes::Bytes;
use std::cmp::Ordering;

const NIL: u32 = u32::MAX;

#[derive(Clone)]
struct Node {
    score: f64,
    member: Bytes,
    pri: u64,
    left: u32,
    right: u32,
    size: u32,
}

/// Orders (score, member) pairs like the skiplist: by score, then by member bytes.
pub fn cmp_entry(a: (f64, &[u8]), b: (f64, &[u8])) -> Ordering {
    a.0.partial_cmp(&b.0)
        .unwrap_or(Ordering::Equal)
        .then_with(|| a.1.cmp(b.1))
}

/// The ordered index: an arena treap with subtree sizes.
#[derive(Clone)]
pub struct Tree {
    nodes: Vec<Node>,
    free: Vec<u32>,
    root: u32,
    counter: u64,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        Tree {
            nodes: Vec::new(),
            free: Vec::new(),
            root: NIL,
            counter: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.size(self.root)
    }

    pub fn is_empty(&self) -> bool {
        self.root == NIL
    }

    fn size(&self, n: u32) -> usize {
        if n == NIL {
            0
        } else {
            self.nodes[n as usize].size as usize
        }
    }

    fn fix(&mut self, n: u32) {
        let (l, r) = {
            let node = &self.nodes[n as usize];
            (node.left, node.right)
        };
        let s = 1 + self.size(l) + self.size(r);
        self.nodes[n as usize].size = s as u32;
    }

    fn next_pri(&mut self) -> u64 {
        // splitmix64
        self.counter = self.counter.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.counter;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Splits `t` into (nodes where `left_of` holds, the rest); `left_of` must hold for
    /// a prefix of the in-order sequence.
    fn split(&mut self, t: u32, left_of: &dyn Fn(f64, &[u8]) -> bool) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let goes_left = {
            let n = &self.nodes[t as usize];
            left_of(n.score, &n.member)
        };
        if goes_left {
            let right = self.nodes[t as usize].right;
            let (a, b) = self.split(right, left_of);
            self.nodes[t as usize].right = a;
            self.fix(t);
            (t, b)
        } else {
            let left = self.nodes[t as usize].left;
            let (a, b) = self.split(left, left_of);
            self.nodes[t as usize].left = b;
            self.fix(t);
            (a, t)
        }
    }

    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].pri >= self.nodes[b as usize].pri {
            let ar = self.nodes[a as usize].right;
            let m = self.merge(ar, b);
            self.nodes[a as usize].right = m;
            self.fix(a);
            a
        } else {
            let bl = self.nodes[b as usize].left;
            let m = self.merge(a, bl);
            self.nodes[b as usize].left = m;
            self.fix(b);
            b
        }
    }

    /// Inserts a pair the caller knows is absent.
    pub fn insert(&mut self, score: f64, member: Bytes) {
        let pri = self.next_pri();
        let node = Node {
            score,
            member,
            pri,
            left: NIL,
            right: NIL,
            size: 1,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        let key_score = self.nodes[id as usize].score;
        let key_member = self.nodes[id as usize].member.clone();
        let root = self.root;
        let (l, r) = self.split(root, &|s, m| {
            cmp_entry((s, m), (key_score, &key_member)) == Ordering::Less
        });
        let l = self.merge(l, id);
        self.root = self.merge(l, r);
    }

    /// Removes the pair; false if it was not there.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> bool {
        let root = self.root;
        let (l, r) = self.split(root, &|s, m| {
            cmp_entry((s, m), (score, member)) == Ordering::Less
        });
        let (mid, r) = self.split(r, &|s, m| {
            cmp_entry((s, m), (score, member)) != Ordering::Greater
        });
        let found = mid != NIL;
        if found {
            // At most one node compares equal (members are unique).
            self.nodes[mid as usize].member = Bytes::new();
            self.free.push(mid);
        }
        self.root = self.merge(l, r);
        if self.root == NIL {
            self.nodes.clear();
            self.free.clear();
        }
        found
    }

    /// How many elements satisfy `before`, which must hold for a prefix of the order.
    pub fn count_before(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        let mut t = self.root;
        let mut count = 0;
        while t != NIL {
            let n = &self.nodes[t as usize];
            if before(n.score, &n.member) {
                count += self.size(n.left) + 1;
                t = n.right;
            } else {
                t = n.left;
            }
        }
        count
    }

    /// The element at 0-based `rank`.
    pub fn select(&self, mut rank: usize) -> Option<(f64, &Bytes)> {
        let mut t = self.root;
        while t != NIL {
            let n = &self.nodes[t as usize];
            let ls = self.size(n.left);
            match rank.cmp(&ls) {
                Ordering::Less => t = n.left,
                Ordering::Equal => return Some((n.score, &n.member)),
                Ordering::Greater => {
                    rank -= ls + 1;
                    t = n.right;
                }
            }
        }
        None
    }

    /// In-order elements with ranks in `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Vec<(f64, Bytes)> {
        let end = end.min(self.len());
        let mut out = Vec::with_capacity(end.saturating_sub(start));
        // An in-order walk that skips subtrees entirely before `start`.
        let mut stack: Vec<(u32, usize)> = Vec::new();
        let mut t = self.root;
        let mut base = 0usize; // rank of the leftmost element of `t`'s subtree
        loop {
            while t != NIL {
                let n = &self.nodes[t as usize];
                let ls = self.size(n.left);
                if base + ls < start {
                    // This node and its left subtree are before `start`.
                    base += ls + 1;
                    t = n.right;
                } else {
                    stack.push((t, base + ls));
                    t = n.left;
                }
            }
            let Some((n, rank)) = stack.pop() else {
                break;
            };
            if rank >= end {
                break;
            }
            let node = &self.nodes[n as usize];
            out.push((node.score, node.member.clone()));
            base = rank + 1;
            t = node.right;
        }
        out
    }

    pub fn iter(&self) -> Vec<(f64, Bytes)> {
        self.range(0, self.len())
    }

    fn check(&self, t: u32, out: &mut Vec<(f64, Bytes)>) -> Result<usize, String> {
        if t == NIL {
            return Ok(0);
        }
        let n = &self.nodes[t as usize];
        for c in [n.left, n.right] {
            if c != NIL && self.nodes[c as usize].pri > n.pri {
                return Err("treap heap order broken".into());
            }
        }
        let l = self.check(n.left, out)?;
        out.push((n.score, n.member.clone()));
        let r = self.check(n.right, out)?;
        if n.size as usize != l + r + 1 {
            return Err(format!("node size {} != {}", n.size, l + r + 1));
        }
        Ok(l + r + 1)
    }

    pub fn check_invariants(&self) -> Result<Vec<(f64, Bytes)>, String> {
        let mut out = Vec::new();
        self.check(self.root, &mut out)?;
        for w in out.windows(2) {
            if cmp_entry((w[0].0, &w[0].1), (w[1].0, &w[1].1)) != Ordering::Less {
                return Err("tree out of order".into());
            }
        }
        if out.len() + self.free.len() != self.nodes.len() {
            return Err("arena leak".into());
        }
        Ok(out)
    }
}

/// The conversion thresholds (zset-max-listpack-entries / -value), and the keyspace's
/// SipHash keys for the dict a conversion builds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_entries: u64,
    pub max_value: u64,
    pub hash_keys: (u64, u64),
}

/// The big encoding: the ordered index plus member -> score.
struct SkipList {
    tree: Tree,
    dict: Dict<f64>,
}

enum Repr {
    /// member, score, member, score... sorted by (score, member), as zzlInsert keeps them.
    Listpack(Listpack),
    Skiplist(Box<SkipList>),
}

/// A sorted set.
pub struct ZSetValue {
    repr: Repr,
}

/// double2ll: a score that is an integer within ±LLONG_MAX/2 is stored as an integer
/// entry (so -0 is stored as 0, as Redis stores it); any other as d2string's text.
fn score_text(score: f64) -> Vec<u8> {
    let lim = (i64::MAX / 2) as f64;
    if (-lim..=lim).contains(&score) && (score as i64) as f64 == score {
        let mut buf = [0u8; LL_STR_MAX];
        return ll2string(score as i64, &mut buf).to_vec();
    }
    d2string(score).into_bytes()
}

/// zzlGetScore: the score entry at `p`.
fn lp_score(lp: &Listpack, p: usize) -> f64 {
    match lp.get(p) {
        Entry::Int(v) => v as f64,
        Entry::Str(s) => strtod(s).value,
    }
}

/// The (member position, score position) pairs of a listpack zset, in order.
fn lp_pairs(lp: &Listpack) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut p = lp.first();
    std::iter::from_fn(move || {
        let m = p?;
        let s = lp
            .next(m)
            .expect("listpack zset has a score after each member");
        p = lp.next(s);
        Some((m, s))
    })
}

fn lp_member(lp: &Listpack, p: usize) -> Bytes {
    lp.get(p).to_bytes()
}

/// zzlInsert: before the first element that sorts after (score, member), else at the end.
fn lp_insert(lp: &mut Listpack, member: &[u8], score: f64) {
    let at = lp_pairs(lp).find(|&(m, s)| {
        let cur = lp_score(lp, s);
        cur > score || (cur == score && lp.get(m).with_bytes(|e| e > member))
    });
    let text = score_text(score);
    match at {
        Some((m, _)) => {
            let p = lp.insert(m, member);
            let after = lp.next(p).expect("the displaced element follows");
            lp.insert(after, &text);
        }
        None => {
            lp.push_back(member);
            lp.push_back(&text);
        }
    }
}

impl ZSetValue {
    /// An empty sorted set: listpack-encoded (createZsetListpackObject) or not.
    pub fn new(listpack: bool, hash_keys: (u64, u64)) -> ZSetValue {
        let repr = if listpack {
            Repr::Listpack(Listpack::new())
        } else {
            Repr::Skiplist(Box::new(SkipList {
                tree: Tree::new(),
                dict: Dict::new(hash_keys),
            }))
        };
        ZSetValue { repr }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.len() / 2,
            Repr::Skiplist(z) => z.dict.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.repr {
            Repr::Listpack(lp) => lp.is_empty(),
            Repr::Skiplist(z) => z.dict.is_empty(),
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// The listpack's bytes while the set is listpack-encoded (what RDB stores).
    pub fn listpack(&self) -> Option<&Listpack> {
        match &self.repr {
            Repr::Listpack(lp) => Some(lp),
            Repr::Skiplist(_) => None,
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        if self.is_listpack() {
            "listpack"
        } else {
            "skiplist"
        }
    }

    pub fn score(&self, m: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let p = lp.find(lp.first(), m, 1)?;
                Some(lp_score(lp, lp.next(p)?))
            }
            Repr::Skiplist(z) => z.dict.get(m).copied(),
        }
    }

    /// zsetConvert to a skiplist (no-op if it already is one).
    /// A listpack-encoded sorted set over `lp` as an RDB file holds it. The caller (the
    /// RDB loader) has checked it holds member/score pairs in order, no member twice.
    pub fn from_listpack(lp: Listpack) -> ZSetValue {
        ZSetValue {
            repr: Repr::Listpack(lp),
        }
    }

    /// zsetConvert to the skiplist encoding (also what the RDB loader does with a listpack
    /// longer than zset-max-listpack-entries).
    pub fn convert_to_skiplist(&mut self, hash_keys: (u64, u64)) {
        if let Repr::Listpack(lp) = &self.repr {
            let mut z = SkipList {
                tree: Tree::new(),
                dict: Dict::new(hash_keys),
            };
            for (m, s) in lp_pairs(lp) {
                let (m, s) = (lp_member(lp, m), lp_score(lp, s));
                z.dict.insert(m.clone(), s);
                z.tree.insert(s, m);
            }
            self.repr = Repr::Skiplist(Box::new(z));
        }
    }

    /// Sets `m`'s score (adding it if absent); returns the old score. Applies the
    /// listpack -> skiplist conversion rule of zsetAdd (entries and value length, checked
    /// before a new member goes in). The caller only calls this for a changed score.
    pub fn set(&mut self, m: &Bytes, score: f64, lim: Limits) -> Option<f64> {
        let old = self.score(m);
        if old.is_none()
            && self.listpack().is_some_and(|lp| {
                self.len() as u64 + 1 > lim.max_entries
                    || m.len() as u64 > lim.max_value
                    || !listpack::safe_to_add(Some(lp), m.len())
            })
        {
            self.convert_to_skiplist(lim.hash_keys);
        }
        match &mut self.repr {
            Repr::Listpack(lp) => {
                if old.is_some() {
                    // zzlDelete + zzlInsert: the element moves to its new place.
                    let p = lp.find(lp.first(), m, 1).expect("member just found");
                    lp.delete_range(p, 2);
                }
                lp_insert(lp, m, score);
            }
            Repr::Skiplist(z) => match z.dict.get_mut(m) {
                Some(cur) => {
                    let prev = *cur;
                    *cur = score;
                    if prev.to_bits() != score.to_bits() {
                        z.tree.remove(prev, m);
                        z.tree.insert(score, m.clone());
                    }
                }
                None => {
                    z.dict.insert(m.clone(), score);
                    z.tree.insert(score, m.clone());
                }
            },
        }
        old
    }

    pub fn remove(&mut self, m: &[u8]) -> Option<f64> {
        match &mut self.repr {
            Repr::Listpack(lp) => {
                let p = lp.find(lp.first(), m, 1)?;
                let score = lp_score(lp, lp.next(p)?);
                lp.delete_range(p, 2);
                Some(score)
            }
            Repr::Skiplist(z) => {
                let score = z.dict.remove(m)?;
                z.tree.remove(score, m);
                Some(score)
            }
        }
    }

    /// 0-based rank in ascending order.
    pub fn rank(&self, m: &[u8]) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(lp) => lp_pairs(lp).position(|(p, _)| lp.get(p).eq_bytes(m)),
            Repr::Skiplist(z) => {
                let score = *z.dict.get(m)?;
                Some(
                    z.tree
                        .count_before(|s, mm| cmp_entry((s, mm), (score, m)) == Ordering::Less),
                )
            }
        }
    }

    /// How many elements satisfy `before`, which must hold for a prefix of the order.
    pub fn count_before(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp_pairs(lp)
                .take_while(|&(m, s)| {
                    let score = lp_score(lp, s);
                    lp.get(m).with_bytes(|mb| before(score, mb))
                })
                .count(),
            Repr::Skiplist(z) => z.tree.count_before(before),
        }
    }

    /// The element at 0-based `rank`.
    pub fn select(&self, rank: usize) -> Option<(f64, Bytes)> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let m = lp.seek(i64::try_from(rank).ok()?.checked_mul(2)?)?;
                Some((lp_score(lp, lp.next(m)?), lp_member(lp, m)))
            }
            Repr::Skiplist(z) => z.tree.select(rank).map(|(s, m)| (s, m.clone())),
        }
    }

    /// Elements with ranks in `start..end`, in order.
    pub fn range(&self, start: usize, end: usize) -> Vec<(f64, Bytes)> {
        match &self.repr {
            Repr::Listpack(lp) => lp_pairs(lp)
                .skip(start)
                .take(end.saturating_sub(start))
                .map(|(m, s)| (lp_score(lp, s), lp_member(lp, m)))
                .collect(),
            Repr::Skiplist(z) => z.tree.range(start, end),
        }
    }

    /// Every element, in order.
    pub fn iter(&self) -> Vec<(f64, Bytes)> {
        self.range(0, self.len())
    }

    /// One ZSCAN step: a listpack is returned whole with cursor 0 (as Redis does); a
    /// skiplist's dict one bucket per call, with the dict's reverse-binary cursor.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Bytes, f64)) -> u64 {
        match &self.repr {
            Repr::Listpack(_) => {
                for (s, m) in self.iter() {
                    f(m, s);
                }
                0
            }
            Repr::Skiplist(z) => z.dict.scan(cursor, |k, v| f(k.clone(), *v)),
        }
    }

    /// zsetConvertToListpackIfNeeded (the *STORE commands): back to listpack when small.
    pub fn shrink_encoding(&mut self, max_entries: u64, max_value: u64) {
        let Repr::Skiplist(z) = &self.repr else {
            return;
        };
        let total = z
            .dict
            .keys()
            .map(Bytes::len)
            .fold(0usize, usize::saturating_add);
        if self.len() as u64 <= max_entries
            && z.dict.keys().all(|k| k.len() as u64 <= max_value)
            && listpack::safe_to_add(None, total)
        {
            let mut lp = Listpack::new();
            for (s, m) in z.tree.iter() {
                lp.push_back(&m);
                lp.push_back(&score_text(s));
            }
            self.repr = Repr::Listpack(lp);
        }
    }

    pub fn memory_estimate(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => 16 + lp.heap_size(),
            Repr::Skiplist(z) => {
                z.dict.buckets() * std::mem::size_of::<usize>() * 3
                    + z.dict
                        .keys()
                        .map(|k| 2 * k.len() + 48 + std::mem::size_of::<Node>())
                        .sum::<usize>()
            }
        }
    }

    pub fn check_invariants(&self) -> Result<(), String> {
        let entries = match &self.repr {
            Repr::Listpack(lp) => {
                lp.check_invariants()?;
                if lp.len() % 2 != 0 {
                    return Err("listpack zset has an odd number of entries".into());
                }
                let entries = self.iter();
                for w in entries.windows(2) {
                    if cmp_entry((w[0].0, &w[0].1), (w[1].0, &w[1].1)) != Ordering::Less {
                        return Err("listpack zset out of order or with a member twice".into());
                    }
                }
                entries
            }
            Repr::Skiplist(z) => {
                z.dict.check_invariants()?;
                let entries = z.tree.check_invariants()?;
                if entries.len() != z.dict.len() {
                    return Err(format!(
                        "zset tree has {} entries, dict {}",
                        entries.len(),
                        z.dict.len()
                    ));
                }
                for (s, m) in &entries {
                    match z.dict.get(m) {
                        Some(d) if d.to_bits() == s.to_bits() => {}
                        _ => return Err(format!("zset member {m:?} disagrees with dict")),
                    }
                }
                entries
            }
        };
        if entries.iter().any(|(s, _)| s.is_nan()) {
            return Err("NaN score".into());
        }
        if entries.is_empty() {
            return Err("empty zset stored".into());
        }
        Ok(())
    }
}

impl Clone for ZSetValue {
    fn clone(&self) -> ZSetValue {
        let repr = match &self.repr {
            Repr::Listpack(lp) => Repr::Listpack(lp.clone()),
            Repr::Skiplist(z) => Repr::Skiplist(Box::new(SkipList {
                tree: z.tree.clone(),
                dict: copy_dict(&z.dict),
            })),
        };
        ZSetValue { repr }
    }
}

impl std::fmt::Debug for ZSetValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for ZSetValue {
    fn eq(&self, o: &ZSetValue) -> bool {
        self.iter() == o.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// A totally ordered stand-in for (score, member) in the model.
    #[derive(Clone, Debug, PartialEq)]
    struct K(f64, Vec<u8>);
    impl Eq for K {}
    impl PartialOrd for K {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for K {
        fn cmp(&self, o: &Self) -> Ordering {
            cmp_entry((self.0, &self.1), (o.0, &o.1))
        }
    }

    fn lim(max_entries: u64) -> Limits {
        Limits {
            max_entries,
            max_value: 64,
            hash_keys: (1, 2),
        }
    }

    #[test]
    fn basics() {
        let mut z = ZSetValue::new(true, (1, 2));
        assert_eq!(z.set(&Bytes::from("a"), 2.0, lim(2)), None);
        assert_eq!(z.set(&Bytes::from("b"), 1.0, lim(2)), None);
        assert_eq!(z.encoding_name(), "listpack");
        assert_eq!(z.rank(b"a"), Some(1));
        assert_eq!(z.set(&Bytes::from("c"), 1.0, lim(2)), None);
        assert_eq!(z.encoding_name(), "skiplist");
        assert_eq!(z.rank(b"c"), Some(1));
        assert_eq!(z.set(&Bytes::from("a"), 0.0, lim(2)), Some(2.0));
        assert_eq!(z.rank(b"a"), Some(0));
        z.check_invariants().unwrap();
        assert_eq!(z.remove(b"b"), Some(1.0));
        assert_eq!(z.remove(b"b"), None);
        let r: Vec<_> = z.iter().into_iter().map(|(_, m)| m).collect();
        assert_eq!(r, vec![Bytes::from("a"), Bytes::from("c")]);
        z.shrink_encoding(2, 64);
        assert_eq!(z.encoding_name(), "listpack");
        assert_eq!(z.clone(), z);
    }

    /// The listpack is the one redis-server 7.0.15 DUMPs (rdbcompression off) after
    /// `ZADD z1 1 a 2.5 b -0 c 1e300 d 0.1 e`.
    #[test]
    fn listpack_bytes_match_redis() {
        let mut z = ZSetValue::new(true, (1, 2));
        for (s, m) in [
            (1.0, "a"),
            (2.5, "b"),
            (-0.0, "c"),
            (1e300, "d"),
            (0.1, "e"),
        ] {
            z.set(&Bytes::from(m), s, lim(128));
        }
        let want: &[u8] = b"\x4d\0\0\0\x0a\0\x81c\x02\x00\x01\x81e\x02\x930.10000000000000001\x14\
            \x81a\x02\x01\x01\x81b\x02\x832.5\x04\x81d\x02\x971.0000000000000001e+300\x18\xff";
        assert_eq!(z.listpack().unwrap().as_bytes(), want);
        // -0 went in as the integer 0, as double2ll stores it.
        assert_eq!(z.score(b"c").map(f64::to_bits), Some(0f64.to_bits()));
        assert_eq!(z.score(b"d"), Some(1e300));
        assert_eq!(z.score(b"e"), Some(0.1));
        // Converting to a skiplist and back gives the same bytes.
        let mut big = z.clone();
        big.set(&Bytes::from("f"), 9.0, lim(5));
        assert_eq!(big.encoding_name(), "skiplist");
        big.remove(b"f");
        big.shrink_encoding(128, 64);
        assert_eq!(big.listpack().unwrap().as_bytes(), want);
    }

    proptest! {
        #[test]
        fn listpack_agrees_with_skiplist(ops in proptest::collection::vec((0u8..3, 0u8..40, -6i8..6), 1..200)) {
            let mut lp = ZSetValue::new(true, (3, 4));
            let mut sk = ZSetValue::new(false, (3, 4));
            for (op, m, s) in ops {
                let member = Bytes::from(format!("m{m}"));
                // Halves, integers, and -0 (which the listpack stores as 0).
                let score = if s == -6 { -0.0 } else { s as f64 / 2.0 };
                match op {
                    0 | 1 => {
                        if lp.score(&member) != Some(score) {
                            prop_assert_eq!(lp.set(&member, score, lim(128)), sk.set(&member, score, lim(128)));
                        }
                    }
                    _ => prop_assert_eq!(lp.remove(&member), sk.remove(&member)),
                }
                prop_assert_eq!(lp.encoding_name(), "listpack");
                prop_assert_eq!(lp.iter(), sk.iter());
                prop_assert_eq!(lp.rank(&member), sk.rank(&member));
                let below = |sc: f64, _: &[u8]| sc < score;
                prop_assert_eq!(lp.count_before(below), sk.count_before(below));
                let r = m as usize % (lp.len() + 1);
                prop_assert_eq!(lp.select(r), sk.select(r));
                prop_assert_eq!(lp.range(r, r + 3), sk.range(r, r + 3));
                if !lp.is_empty() {
                    lp.check_invariants().map_err(TestCaseError::fail)?;
                }
            }
        }

        #[test]
        fn agrees_with_btreeset(ops in proptest::collection::vec((0u8..4, 0u8..40, -5i8..5), 1..400)) {
            let mut z = ZSetValue::new(false, (3, 4));
            let mut model: BTreeSet<K> = BTreeSet::new();
            for (op, m, s) in ops {
                let member = Bytes::from(format!("m{m}"));
                let score = s as f64 / 2.0;
                match op {
                    0 | 1 => {
                        if let Some(old) = z.score(&member) {
                            model.remove(&K(old, member.to_vec()));
                        }
                        z.set(&member, score, lim(128));
                        model.insert(K(score, member.to_vec()));
                    }
                    2 => {
                        let had = z.remove(&member);
                        if let Some(old) = had {
                            prop_assert!(model.remove(&K(old, member.to_vec())));
                        }
                    }
                    _ => {
                        // Rank and range queries.
                        let v: Vec<K> = model.iter().cloned().collect();
                        prop_assert_eq!(z.rank(&member), v.iter().position(|k| k.1 == member.as_ref()));
                        let below = z.count_before(|sc, _| sc < score);
                        prop_assert_eq!(below, v.iter().filter(|k| k.0 < score).count());
                        let lo = (m as usize) % (v.len() + 1);
                        let hi = lo + (s.unsigned_abs() as usize);
                        let got: Vec<K> = z.range(lo, hi).into_iter().map(|(s, m)| K(s, m.to_vec())).collect();
                        let want: Vec<K> = v.iter().skip(lo).take(hi - lo).cloned().collect();
                        prop_assert_eq!(got, want);
                        if let Some(k) = v.get(lo) {
                            let (s2, m2) = z.select(lo).unwrap();
                            prop_assert_eq!(K(s2, m2.to_vec()), k.clone());
                        }
                    }
                }
                z.check_invariants().or_else(|e| if model.is_empty() { Ok(()) } else { Err(e) }).map_err(TestCaseError::fail)?;
                prop_assert_eq!(z.len(), model.len());
            }
            let all: Vec<K> = z.iter().into_iter().map(|(s, m)| K(s, m.to_vec())).collect();
            prop_assert_eq!(all, model.into_iter().collect::<Vec<_>>());
        }
    }
}
