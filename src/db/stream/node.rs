//! One stream node: a listpack in t_stream.c's exact layout, so its bytes are what Redis
//! stores in an RDB file and a DUMP payload.
//!
//! ```text
//! master entry: count | deleted | num-fields | field_1 .. field_N | 0
//! each entry:   flags | ms-diff | seq-diff | [num-fields | field_i value_i ..] | lp-count
//!               (with SAMEFIELDS the field names are the master's and only values follow)
//! ```
//! IDs are deltas from the node's master ID (its key in the stream's map); `lp-count` is
//! the number of listpack elements of the entry before it, so the node can be walked
//! backwards; a deleted entry keeps its place with the DELETED flag (a tombstone).

use super::StreamId;
use crate::db::listpack::{Entry, Listpack};
use crate::util::int::{ll2string, string2ll, LL_STR_MAX};
use bytes::Bytes;

pub const FLAG_DELETED: i64 = 1;
pub const FLAG_SAMEFIELDS: i64 = 2;

/// lpGetInteger: validated nodes hold integers where integers are expected.
pub fn int_at(lp: &Listpack, p: usize) -> i64 {
    match lp.get(p) {
        Entry::Int(v) => v,
        Entry::Str(s) => string2ll(s).unwrap_or(0),
    }
}

fn int_if_valid(lp: &Listpack, p: usize) -> Option<i64> {
    match lp.get(p) {
        Entry::Int(v) => Some(v),
        Entry::Str(s) => string2ll(s),
    }
}

fn push_int(lp: &mut Listpack, v: i64) {
    let mut buf = [0u8; LL_STR_MAX];
    lp.push_back(ll2string(v, &mut buf));
}

fn replace_int(lp: &mut Listpack, p: usize, v: i64) {
    let mut buf = [0u8; LL_STR_MAX];
    lp.replace(p, ll2string(v, &mut buf));
}

/// A node's master entry: live and deleted counts and the master field names.
pub struct Master {
    pub count: i64,
    pub deleted: i64,
    /// Positions of the master field names.
    pub fields: Vec<usize>,
    /// Position of the first entry, None for a node of no entries.
    pub first_entry: Option<usize>,
}

pub fn master(lp: &Listpack) -> Master {
    let p = lp.first().expect("stream node has a master entry");
    let count = int_at(lp, p);
    let p = lp.next(p).expect("stream node: deleted count");
    let deleted = int_at(lp, p);
    let p = lp.next(p).expect("stream node: field count");
    let n = int_at(lp, p).max(0) as usize;
    let mut fields = Vec::with_capacity(n);
    let mut p = lp.next(p);
    for _ in 0..n {
        let at = p.expect("stream node: master field");
        fields.push(at);
        p = lp.next(at);
    }
    // p is the master terminator (0).
    let first_entry = p.and_then(|t| lp.next(t));
    Master {
        count,
        deleted,
        fields,
        first_entry,
    }
}

/// One entry found in a node.
#[derive(Clone, Copy, Debug)]
pub struct RawEntry {
    pub id: StreamId,
    pub flags: i64,
    pub flags_pos: usize,
    pub num_fields: usize,
    /// Position of the first field name (or the first value, with SAMEFIELDS).
    pub body: usize,
    /// Position of the next entry's flags, None at the end of the node.
    pub next: Option<usize>,
}

impl RawEntry {
    pub fn deleted(&self) -> bool {
        self.flags & FLAG_DELETED != 0
    }
}

/// Reads the entry whose flags are at `p`.
pub fn entry_at(lp: &Listpack, master_id: StreamId, p: usize) -> RawEntry {
    let flags = int_at(lp, p);
    let q = lp.next(p).expect("stream entry: ms delta");
    let ms = master_id.ms.wrapping_add(int_at(lp, q) as u64);
    let q = lp.next(q).expect("stream entry: seq delta");
    let seq = master_id.seq.wrapping_add(int_at(lp, q) as u64);
    let mut q = lp.next(q).expect("stream entry: body");
    // With SAMEFIELDS the count is the master's, filled in by the caller.
    let num_fields = if flags & FLAG_SAMEFIELDS != 0 {
        0
    } else {
        let n = int_at(lp, q).max(0) as usize;
        q = lp.next(q).expect("stream entry: fields");
        n
    };
    RawEntry {
        id: StreamId::new(ms, seq),
        flags,
        flags_pos: p,
        num_fields,
        body: q,
        next: None,
    }
}

/// Every entry of a node (tombstones included), in order.
pub fn entries(lp: &Listpack, master_id: StreamId) -> Vec<RawEntry> {
    let m = master(lp);
    let mut out = Vec::with_capacity((m.count + m.deleted).clamp(0, 4096) as usize);
    let mut p = m.first_entry;
    while let Some(at) = p {
        let mut e = entry_at(lp, master_id, at);
        // With no fields, the body is lp-count itself.
        let mut q = Some(e.body);
        let skip = if e.flags & FLAG_SAMEFIELDS != 0 {
            e.num_fields = m.fields.len();
            e.num_fields
        } else {
            e.num_fields * 2
        };
        for _ in 0..skip {
            q = q.and_then(|x| lp.next(x));
        }
        // q is lp-count.
        p = q.and_then(|x| lp.next(x));
        e.next = p;
        out.push(e);
    }
    out
}

/// The field-value pairs of an entry.
pub fn fields(lp: &Listpack, m: &Master, e: &RawEntry) -> Vec<(Bytes, Bytes)> {
    let mut out = Vec::with_capacity(e.num_fields);
    let mut p = Some(e.body);
    if e.flags & FLAG_SAMEFIELDS != 0 {
        for &f in &m.fields {
            let v = p.expect("stream entry value");
            out.push((lp.get(f).to_bytes(), lp.get(v).to_bytes()));
            p = lp.next(v);
        }
    } else {
        for _ in 0..e.num_fields {
            let f = p.expect("stream entry field");
            let v = lp.next(f).expect("stream entry value");
            out.push((lp.get(f).to_bytes(), lp.get(v).to_bytes()));
            p = lp.next(v);
        }
    }
    out
}

/// A new node for its first entry, whose fields become the master fields.
pub fn new_node(pairs: &[Bytes]) -> Listpack {
    let mut lp = Listpack::new();
    push_int(&mut lp, 1);
    push_int(&mut lp, 0);
    push_int(&mut lp, (pairs.len() / 2) as i64);
    for f in pairs.iter().step_by(2) {
        lp.push_back(f);
    }
    push_int(&mut lp, 0);
    lp
}

/// Appends an entry to a node (its master count already accounts for it).
pub fn append_entry(
    lp: &mut Listpack,
    master_id: StreamId,
    id: StreamId,
    pairs: &[Bytes],
    same: bool,
) {
    let numfields = (pairs.len() / 2) as i64;
    let flags = if same { FLAG_SAMEFIELDS } else { 0 };
    push_int(lp, flags);
    push_int(lp, id.ms.wrapping_sub(master_id.ms) as i64);
    push_int(lp, id.seq.wrapping_sub(master_id.seq) as i64);
    if !same {
        push_int(lp, numfields);
    }
    for pair in pairs.chunks_exact(2) {
        if !same {
            lp.push_back(&pair[0]);
        }
        lp.push_back(&pair[1]);
    }
    let mut lp_count = numfields + 3;
    if !same {
        lp_count += numfields + 1;
    }
    push_int(lp, lp_count);
}

/// Whether `pairs` has exactly the master fields, in order.
pub fn same_fields(lp: &Listpack, m: &Master, pairs: &[Bytes]) -> bool {
    pairs.len() / 2 == m.fields.len()
        && m.fields
            .iter()
            .zip(pairs.iter().step_by(2))
            .all(|(&p, f)| lp.get(p).eq_bytes(f))
}

/// Sets the master entry's live and deleted counts.
pub fn set_counts(lp: &mut Listpack, count: i64, deleted: i64) {
    let p = lp.first().expect("stream node master");
    replace_int(lp, p, count);
    let p = lp.next(p).expect("stream node deleted count");
    replace_int(lp, p, deleted);
}

/// Marks the entry whose flags are at `flags_pos` deleted.
pub fn mark_deleted(lp: &mut Listpack, flags_pos: usize, flags: i64) {
    replace_int(lp, flags_pos, flags | FLAG_DELETED);
}

/// streamValidateListpackIntegrity (deep), plus what seedis relies on to never fail
/// later: counts that agree with the flags, at least one live entry, IDs in increasing
/// order from the master ID. Returns (live entries, last entry ID).
/// A node that breaks the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

pub fn validate(lp: &Listpack, master_id: StreamId) -> Result<(u64, StreamId), Malformed> {
    validate_inner(lp, master_id).map_err(|()| Malformed)
}

#[allow(clippy::result_unit_err)]
fn validate_inner(lp: &Listpack, master_id: StreamId) -> Result<(u64, StreamId), ()> {
    let elems: Vec<usize> = lp.positions().collect();
    let mut i = 0usize;
    let next_int = |i: &mut usize| -> Result<i64, ()> {
        let p = *elems.get(*i).ok_or(())?;
        *i += 1;
        int_if_valid(lp, p).ok_or(())
    };
    let count = next_int(&mut i)?;
    let deleted = next_int(&mut i)?;
    let master_fields = next_int(&mut i)?;
    if count <= 0 || deleted < 0 || master_fields < 0 {
        return Err(());
    }
    let master_fields = usize::try_from(master_fields).map_err(|_| ())?;
    i = i.checked_add(master_fields).ok_or(())?;
    if next_int(&mut i)? != 0 {
        return Err(());
    }
    let total = count.checked_add(deleted).ok_or(())?;
    let (mut live, mut dead) = (0i64, 0i64);
    let mut prev: Option<StreamId> = None;
    for _ in 0..total {
        let flags = next_int(&mut i)?;
        let ms = master_id.ms.wrapping_add(next_int(&mut i)? as u64);
        let seq = master_id.seq.wrapping_add(next_int(&mut i)? as u64);
        let id = StreamId::new(ms, seq);
        if id < master_id || prev.is_some_and(|p| p >= id) {
            return Err(());
        }
        prev = Some(id);
        let (fields, extra) = if flags & FLAG_SAMEFIELDS != 0 {
            (master_fields, 3)
        } else {
            let n = next_int(&mut i)?;
            if n < 0 {
                return Err(());
            }
            let n = usize::try_from(n).map_err(|_| ())?;
            i = i.checked_add(n).ok_or(())?;
            (n, 3 + n + 1)
        };
        i = i.checked_add(fields).ok_or(())?;
        if i > elems.len() {
            return Err(());
        }
        let lp_count = next_int(&mut i)?;
        if lp_count as u64 != (fields + extra) as u64 {
            return Err(());
        }
        if flags & FLAG_DELETED != 0 {
            dead += 1;
        } else {
            live += 1;
        }
    }
    if i != elems.len() || live != count || dead != deleted {
        return Err(());
    }
    Ok((count as u64, prev.ok_or(())?))
}
