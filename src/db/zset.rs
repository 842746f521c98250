//! The sorted set type (t_zset.c).
//!
//! Redis keeps a skiplist with span counts plus a member -> score dict. Here the ordered
//! part is an order-statistics treap (an arena of nodes with subtree sizes), keyed by
//! (score, member) exactly as the skiplist orders its nodes, so ZRANK, select-by-rank and
//! "how many elements sort before this bound" are O(log n) expected. The treap's
//! priorities come from a private splitmix64 counter, so the shape is deterministic and
//! never visible in a reply.
//!
//! The encoding is only a name here: `listpack` while the set is small (Redis 7.0's
//! zset-max-listpack-entries / -value rules, applied at the same moments Redis applies
//! them), `skiplist` once converted. Nothing converts back except the *STORE commands,
//! which call [`ZSetValue::shrink_encoding`] as zsetConvertToListpackIfNeeded does.

use super::dict::Dict;
use super::set::copy_dict;
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

/// A sorted set: the ordered index plus member -> score.
pub struct ZSetValue {
    pub tree: Tree,
    pub dict: Dict<f64>,
    /// OBJECT ENCODING: `listpack` (true) or `skiplist`.
    pub listpack: bool,
}

impl Clone for ZSetValue {
    fn clone(&self) -> ZSetValue {
        ZSetValue {
            tree: self.tree.clone(),
            dict: copy_dict(&self.dict),
            listpack: self.listpack,
        }
    }
}

impl std::fmt::Debug for ZSetValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.tree.iter()).finish()
    }
}

impl PartialEq for ZSetValue {
    fn eq(&self, o: &ZSetValue) -> bool {
        self.tree.iter() == o.tree.iter()
    }
}

impl ZSetValue {
    pub fn new(listpack: bool, hash_keys: (u64, u64)) -> ZSetValue {
        ZSetValue {
            tree: Tree::new(),
            dict: Dict::new(hash_keys),
            listpack,
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    pub fn encoding_name(&self) -> &'static str {
        if self.listpack {
            "listpack"
        } else {
            "skiplist"
        }
    }

    pub fn score(&self, m: &[u8]) -> Option<f64> {
        self.dict.get(m).copied()
    }

    /// Sets `m`'s score (adding it if absent); returns the old score. Applies the
    /// listpack -> skiplist conversion rule of zsetAdd (entries and value length).
    pub fn set(&mut self, m: &Bytes, score: f64, max_entries: u64, max_value: u64) -> Option<f64> {
        match self.dict.get_mut(m) {
            Some(old) => {
                let prev = *old;
                *old = score;
                if prev.to_bits() != score.to_bits() {
                    self.tree.remove(prev, m);
                    self.tree.insert(score, m.clone());
                }
                Some(prev)
            }
            None => {
                if self.listpack
                    && (self.len() as u64 + 1 > max_entries || m.len() as u64 > max_value)
                {
                    self.listpack = false;
                }
                self.dict.insert(m.clone(), score);
                self.tree.insert(score, m.clone());
                None
            }
        }
    }

    pub fn remove(&mut self, m: &[u8]) -> Option<f64> {
        let score = self.dict.remove(m)?;
        self.tree.remove(score, m);
        Some(score)
    }

    /// 0-based rank in ascending order.
    pub fn rank(&self, m: &[u8]) -> Option<usize> {
        let score = self.score(m)?;
        Some(
            self.tree
                .count_before(|s, mm| cmp_entry((s, mm), (score, m)) == Ordering::Less),
        )
    }

    /// zsetConvertToListpackIfNeeded (the *STORE commands): back to listpack when small.
    pub fn shrink_encoding(&mut self, max_entries: u64, max_value: u64) {
        if !self.listpack
            && self.len() as u64 <= max_entries
            && self.dict.keys().all(|k| k.len() as u64 <= max_value)
        {
            self.listpack = true;
        }
    }

    pub fn memory_estimate(&self) -> usize {
        self.dict.buckets() * std::mem::size_of::<usize>() * 3
            + self
                .dict
                .keys()
                .map(|k| 2 * k.len() + 48 + std::mem::size_of::<Node>())
                .sum::<usize>()
    }

    pub fn check_invariants(&self) -> Result<(), String> {
        self.dict.check_invariants()?;
        let entries = self.tree.check_invariants()?;
        if entries.len() != self.dict.len() {
            return Err(format!(
                "zset tree has {} entries, dict {}",
                entries.len(),
                self.dict.len()
            ));
        }
        for (s, m) in &entries {
            if s.is_nan() {
                return Err("NaN score".into());
            }
            match self.dict.get(m) {
                Some(d) if d.to_bits() == s.to_bits() => {}
                _ => return Err(format!("zset member {m:?} disagrees with dict")),
            }
        }
        if entries.is_empty() {
            return Err("empty zset stored".into());
        }
        Ok(())
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

    #[test]
    fn basics() {
        let mut z = ZSetValue::new(true, (1, 2));
        assert_eq!(z.set(&Bytes::from("a"), 2.0, 2, 64), None);
        assert_eq!(z.set(&Bytes::from("b"), 1.0, 2, 64), None);
        assert_eq!(z.encoding_name(), "listpack");
        assert_eq!(z.rank(b"a"), Some(1));
        assert_eq!(z.set(&Bytes::from("c"), 1.0, 2, 64), None);
        assert_eq!(z.encoding_name(), "skiplist");
        assert_eq!(z.rank(b"c"), Some(1));
        assert_eq!(z.set(&Bytes::from("a"), 0.0, 2, 64), Some(2.0));
        assert_eq!(z.rank(b"a"), Some(0));
        z.check_invariants().unwrap();
        assert_eq!(z.remove(b"b"), Some(1.0));
        assert_eq!(z.remove(b"b"), None);
        let r: Vec<_> = z.tree.iter().into_iter().map(|(_, m)| m).collect();
        assert_eq!(r, vec![Bytes::from("a"), Bytes::from("c")]);
        z.shrink_encoding(2, 64);
        assert_eq!(z.encoding_name(), "listpack");
        assert_eq!(z.clone(), z);
    }

    proptest! {
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
                        z.set(&member, score, 128, 64);
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
                        let below = z.tree.count_before(|sc, _| sc < score);
                        prop_assert_eq!(below, v.iter().filter(|k| k.0 < score).count());
                        let lo = (m as usize) % (v.len() + 1);
                        let hi = lo + (s.unsigned_abs() as usize);
                        let got: Vec<K> = z.tree.range(lo, hi).into_iter().map(|(s, m)| K(s, m.to_vec())).collect();
                        let want: Vec<K> = v.iter().skip(lo).take(hi - lo).cloned().collect();
                        prop_assert_eq!(got, want);
                        if let Some(k) = v.get(lo) {
                            let (s2, m2) = z.tree.select(lo).unwrap();
                            prop_assert_eq!(K(s2, m2.to_vec()), k.clone());
                        }
                    }
                }
                z.check_invariants().or_else(|e| if model.is_empty() { Ok(()) } else { Err(e) }).map_err(TestCaseError::fail)?;
                prop_assert_eq!(z.len(), model.len());
            }
            let all: Vec<K> = z.tree.iter().into_iter().map(|(s, m)| K(s, m.to_vec())).collect();
            prop_assert_eq!(all, model.into_iter().collect::<Vec<_>>());
        }
    }
}
