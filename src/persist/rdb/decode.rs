//! rdbLoadObject: one value of any type Redis 7.0 loads, converted to seedis's in-memory
//! types under the configured thresholds, as Redis converts (a listpack longer than
//! hash-max-listpack-entries becomes a hashtable...). Every listpack, ziplist, zipmap and
//! intset is validated deeply first, and beyond Redis's checks, a sorted set listpack must
//! be in order with parseable scores and a hash or zset must hold no field twice, so a
//! loaded value always passes the keyspace's invariants.

use bytes::Bytes;
use std::collections::BTreeSet;

use super::format::*;
use super::legacy::{self, Elem};
use super::reader::{eof, Reader};
use super::{LoadOptions, RdbError};
use crate::db::hash::{self, Hash};
use crate::db::intset::IntSet;
use crate::db::list::{End, List, PACKED_THRESHOLD};
use crate::db::listpack::{self, Entry, Listpack};
use crate::db::set::SetValue;
use crate::db::stream::group::INVALID_ENTRIES_READ;
use crate::db::stream::{node, Consumer, ConsumerGroup, Nack, Stream, StreamId};
use crate::db::zset::{self, cmp_entry, ZSetValue};
use crate::db::{Dict, Value};
use crate::util::float::strtod;

fn corrupt(msg: impl Into<String>) -> RdbError {
    RdbError::new(msg)
}

/// rdbIsObjectType.
pub fn is_object_type(t: u8) -> bool {
    t <= TYPE_MODULE_2 || (TYPE_HASH_ZIPMAP..=TYPE_STREAM_LISTPACKS_2).contains(&t)
}

/// The value of type `t` at the reader. `Ok(None)` is an empty aggregate (Redis's
/// RDB_LOAD_ERR_EMPTY_KEY: a file loader skips the key, RESTORE says "Bad data format").
pub fn read_value(r: &mut Reader<'_>, t: u8, o: &LoadOptions) -> Result<Option<Value>, RdbError> {
    let v = match t {
        TYPE_STRING => Value::str(Bytes::from(r.string()?)),
        TYPE_LIST => {
            let n = r.count()?;
            let mut l = List::new(o.list_max_listpack_size);
            for _ in 0..n {
                l.push(End::Tail, &r.string()?);
            }
            Value::list(l)
        }
        TYPE_SET => read_set(r, o)?,
        TYPE_ZSET | TYPE_ZSET_2 => read_zset(r, t, o)?,
        TYPE_HASH => read_hash(r, o)?,
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => read_quicklist(r, t, o)?,
        TYPE_HASH_ZIPMAP | TYPE_LIST_ZIPLIST | TYPE_SET_INTSET | TYPE_ZSET_ZIPLIST
        | TYPE_ZSET_LISTPACK | TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            read_encoded(r.string()?, t, o)?
        }
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 => read_stream(r, t)?,
        TYPE_MODULE | TYPE_MODULE_2 => {
            let id = r.len()?;
            return Err(corrupt(format!(
                "The RDB file contains module data I can't load: no matching module '{}'",
                module_name(id)
            )));
        }
        _ => return Err(corrupt(format!("Unknown RDB encoding type {t}"))),
    };
    Ok(match &v {
        Value::Str(_) => Some(v),
        _ if is_empty(&v) => None,
        _ => Some(v),
    })
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Str(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        Value::Stream(_) => false,
    }
}

/// rdbLoadObject's stream part. Beyond Redis's checks (which its deep sanitization
/// makes), every node must be consistent with its counts and the stream with its nodes,
/// so that nothing later walks off a malformed node.
fn read_stream(r: &mut Reader<'_>, t: u8) -> Result<Value, RdbError> {
    let mut s = Stream::new();
    let nodes = r.count()?;
    for _ in 0..nodes {
        let key = r.string()?;
        let Some(master_id) = StreamId::decode(&key) else {
            return Err(corrupt(
                "Stream node key entry is not the size of a stream ID",
            ));
        };
        let lp = Listpack::from_bytes(r.string()?)
            .map_err(|_| corrupt("Stream listpack integrity check failed."))?;
        if lp.is_empty() {
            return Err(corrupt("Empty listpack inside stream"));
        }
        node::validate(&lp, master_id)
            .map_err(|_| corrupt("Stream listpack integrity check failed."))?;
        if !s.insert_node(master_id, lp) {
            return Err(corrupt("Listpack re-added with existing key"));
        }
    }
    s.length = r.len()?;
    s.last_id = StreamId::new(r.len()?, r.len()?);
    if t == TYPE_STREAM_LISTPACKS_2 {
        s.first_id = StreamId::new(r.len()?, r.len()?);
        s.max_deleted_entry_id = StreamId::new(r.len()?, r.len()?);
        s.entries_added = r.len()?;
    } else {
        s.entries_added = s.length;
        s.first_id = s.edge_id(true, true);
    }
    if s.length > 0 && nodes == 0 {
        return Err(corrupt("Stream length inconsistent with rax entries"));
    }
    // Checked before the groups, whose entries_read estimate walks the entries.
    s.check_invariants()
        .map_err(|_| corrupt("Stream listpack integrity check failed."))?;
    let groups = r.count()?;
    for _ in 0..groups {
        let name = Bytes::from(r.string()?);
        let last_id = StreamId::new(r.len()?, r.len()?);
        let entries_read = if t == TYPE_STREAM_LISTPACKS_2 {
            r.len()? as i64
        } else {
            s.estimate_distance(last_id)
                .map_or(INVALID_ENTRIES_READ, |n| n as i64)
        };
        if s.groups.contains_key(&name) {
            return Err(corrupt(format!(
                "Duplicated consumer group name {}",
                String::from_utf8_lossy(&name)
            )));
        }
        let mut g = ConsumerGroup::new(last_id, entries_read);
        let pel = r.count()?;
        let mut unowned = BTreeSet::new();
        for _ in 0..pel {
            let id = StreamId::decode(r.bytes(16)?).ok_or_else(eof)?;
            let delivery_time = r.u64_le()? as i64;
            let delivery_count = r.len()?;
            let nack = Nack {
                delivery_time,
                delivery_count,
                consumer: Bytes::new(),
            };
            if g.pel.insert(id, nack).is_some() {
                return Err(corrupt(
                    "Duplicated global PEL entry loading stream consumer group",
                ));
            }
            unowned.insert(id);
        }
        let consumers = r.count()?;
        for _ in 0..consumers {
            let cname = Bytes::from(r.string()?);
            if g.consumers.contains_key(&cname) {
                return Err(corrupt("Duplicate stream consumer detected."));
            }
            let seen_time = r.u64_le()? as i64;
            let mut c = Consumer {
                seen_time,
                pel: Default::default(),
            };
            let n = r.count()?;
            for _ in 0..n {
                let id = StreamId::decode(r.bytes(16)?).ok_or_else(eof)?;
                let Some(nack) = g.pel.get_mut(&id) else {
                    return Err(corrupt("Consumer entry not found in group global PEL"));
                };
                if !unowned.remove(&id) {
                    // Redis lets the last consumer win; seedis keeps one owner per NACK.
                    return Err(corrupt(
                        "Duplicated consumer PEL entry  loading a stream consumer group",
                    ));
                }
                nack.consumer = cname.clone();
                c.pel.insert(id);
            }
            g.consumers.insert(cname, c);
        }
        if !unowned.is_empty() {
            return Err(corrupt("Stream CG PEL entry without consumer"));
        }
        s.groups.insert(name, g);
    }
    Ok(Value::stream(s))
}

/// moduleTypeNameByID: nine characters of six bits each above the 10-bit version.
pub fn module_name(id: u64) -> String {
    const CHARSET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut id = id >> 10;
    let mut name = [0u8; 9];
    for c in name.iter_mut().rev() {
        *c = CHARSET[(id & 63) as usize];
        id >>= 6;
    }
    String::from_utf8_lossy(&name).into_owned()
}

fn read_set(r: &mut Reader<'_>, o: &LoadOptions) -> Result<Value, RdbError> {
    let n = r.count()?;
    let max = o.set_max_intset_entries.min(1 << 30);
    let mut s = if n as u64 > max {
        SetValue::Hash(Box::new(Dict::new(o.hash_keys)))
    } else {
        SetValue::new_intset()
    };
    for _ in 0..n {
        let m = Bytes::from(r.string()?);
        // Within the intset limit by construction, so only a non-integer converts.
        if !s.insert(&m, u64::MAX, o.hash_keys) {
            return Err(corrupt("Duplicate set members detected"));
        }
    }
    Ok(Value::set(s))
}

fn zset_limits(o: &LoadOptions) -> zset::Limits {
    zset::Limits {
        max_entries: o.zset_max_listpack_entries,
        max_value: o.zset_max_listpack_value,
        hash_keys: o.hash_keys,
    }
}

fn read_zset(r: &mut Reader<'_>, t: u8, o: &LoadOptions) -> Result<Value, RdbError> {
    let n = r.count()?;
    let mut z = ZSetValue::new(false, o.hash_keys);
    for _ in 0..n {
        let m = Bytes::from(r.string()?);
        let score = if t == TYPE_ZSET_2 {
            r.binary_double()?
        } else {
            r.text_double()?
        };
        if score.is_nan() {
            return Err(corrupt("Zset with NAN score detected"));
        }
        if z.score(&m).is_some() {
            return Err(corrupt("Duplicate zset fields detected"));
        }
        z.set(&m, score, zset_limits(o));
    }
    // Converted after loading, since a file's sorted set is not in order.
    z.shrink_encoding(o.zset_max_listpack_entries, o.zset_max_listpack_value);
    Ok(Value::zset(z))
}

fn hash_limits(o: &LoadOptions) -> hash::Limits {
    hash::Limits {
        max_entries: o.hash_max_listpack_entries,
        max_value: o.hash_max_listpack_value,
        hash_keys: o.hash_keys,
    }
}

fn read_hash(r: &mut Reader<'_>, o: &LoadOptions) -> Result<Value, RdbError> {
    let n = r.count()?;
    let mut pairs = Vec::new();
    let mut seen = BTreeSet::new();
    let mut table = n as u64 > o.hash_max_listpack_entries;
    let mut total = 0usize;
    for _ in 0..n {
        let f = Bytes::from(r.string()?);
        let v = Bytes::from(r.string()?);
        if !seen.insert(f.clone()) {
            return Err(corrupt("Duplicate hash fields detected"));
        }
        total = total.saturating_add(f.len() + v.len());
        if f.len() as u64 > o.hash_max_listpack_value
            || v.len() as u64 > o.hash_max_listpack_value
            || !listpack::safe_to_add(None, total)
        {
            table = true;
        }
        pairs.push((f, v));
    }
    let mut h = Hash::new();
    if table {
        h.convert_to_table(o.hash_keys);
    }
    for (f, v) in pairs {
        h.insert(f, v, hash_limits(o));
    }
    Ok(Value::hash(h))
}

fn read_quicklist(r: &mut Reader<'_>, t: u8, o: &LoadOptions) -> Result<Value, RdbError> {
    let n = r.count()?;
    let mut nodes = Vec::new();
    for _ in 0..n {
        let container = if t == TYPE_LIST_QUICKLIST_2 {
            r.len()?
        } else {
            CONTAINER_PACKED
        };
        if container != CONTAINER_PACKED && container != CONTAINER_PLAIN {
            return Err(corrupt("Quicklist integrity check failed."));
        }
        let data = r.string()?;
        if data.is_empty() {
            return Err(corrupt("Quicklist integrity check failed."));
        }
        let lp = if container == CONTAINER_PLAIN {
            let mut lp = Listpack::new();
            if !listpack::safe_to_add(None, data.len()) {
                return Err(corrupt("Quicklist integrity check failed."));
            }
            lp.push_back(&data);
            lp
        } else if t == TYPE_LIST_QUICKLIST_2 {
            let lp = Listpack::from_bytes(data)
                .map_err(|_| corrupt("Listpack integrity check failed."))?;
            if lp.len() > 1 && lp.iter().any(|e| e.byte_len() >= PACKED_THRESHOLD) {
                return Err(corrupt("Listpack integrity check failed."));
            }
            lp
        } else {
            let elems = legacy::ziplist_entries(&data)
                .map_err(|_| corrupt("Ziplist integrity check failed."))?;
            listpack_of(elems)?
        };
        // Empty nodes are skipped silently, as Redis does.
        if !lp.is_empty() {
            nodes.push(lp);
        }
    }
    Ok(Value::list(List::from_nodes(
        nodes,
        o.list_max_listpack_size,
    )))
}

/// Elements into one listpack (lpAppend each), refusing one that would pass 1 GiB.
fn listpack_of(elems: Vec<Elem>) -> Result<Listpack, RdbError> {
    let mut lp = Listpack::new();
    for e in elems {
        let b = e.into_bytes();
        if !listpack::safe_to_add(Some(&lp), b.len()) {
            return Err(corrupt("Ziplist integrity check failed."));
        }
        lp.push_back(&b);
    }
    Ok(lp)
}

/// Checks a listpack of pairs: an even count and no first-of-pair twice
/// (lpPairsValidateIntegrityAndDups).
fn check_pairs(lp: &Listpack) -> Result<(), ()> {
    if !lp.len().is_multiple_of(2) {
        return Err(());
    }
    let mut seen = BTreeSet::new();
    let mut it = lp.iter();
    while let Some(f) = it.next() {
        it.next();
        if !seen.insert(f.to_bytes()) {
            return Err(());
        }
    }
    Ok(())
}

/// A sorted set listpack must also be in (score, member) order with scores that parse
/// and are not NaN: seedis's listpack zset relies on it.
fn check_zset_order(lp: &Listpack) -> Result<(), ()> {
    let mut prev: Option<(f64, Bytes)> = None;
    let mut it = lp.iter();
    while let (Some(m), Some(s)) = (it.next(), it.next()) {
        let score = match s {
            Entry::Int(v) => v as f64,
            Entry::Str(t) => {
                let p = strtod(t);
                if p.len != t.len() || t.is_empty() {
                    return Err(());
                }
                p.value
            }
        };
        if score.is_nan() {
            return Err(());
        }
        let m = m.to_bytes();
        if let Some((ps, pm)) = &prev {
            if cmp_entry((*ps, pm), (score, &m)) != std::cmp::Ordering::Less {
                return Err(());
            }
        }
        prev = Some((score, m));
    }
    Ok(())
}

fn read_encoded(data: Vec<u8>, t: u8, o: &LoadOptions) -> Result<Value, RdbError> {
    Ok(match t {
        TYPE_HASH_ZIPMAP => {
            let pairs = legacy::zipmap_pairs(&data)
                .map_err(|_| corrupt("Zipmap integrity check failed."))?;
            let mut seen = BTreeSet::new();
            let mut lp = Listpack::new();
            let mut maxlen = 0usize;
            for (f, v) in pairs {
                maxlen = maxlen.max(f.len()).max(v.len());
                if !seen.insert(f.clone()) || !listpack::safe_to_add(Some(&lp), f.len() + v.len()) {
                    return Err(corrupt(format!(
                        "Hash zipmap with dup elements, or big length ({})",
                        f.len()
                    )));
                }
                lp.push_back(&f);
                lp.push_back(&v);
            }
            let mut h = Hash::from_listpack(lp);
            if h.len() as u64 > o.hash_max_listpack_entries
                || maxlen as u64 > o.hash_max_listpack_value
            {
                h.convert_to_table(o.hash_keys);
            }
            Value::hash(h)
        }
        TYPE_LIST_ZIPLIST => {
            let elems = legacy::ziplist_entries(&data)
                .map_err(|_| corrupt("List ziplist integrity check failed."))?;
            let mut l = List::new(o.list_max_listpack_size);
            for e in elems {
                l.push(End::Tail, &e.into_bytes());
            }
            Value::list(l)
        }
        TYPE_SET_INTSET => {
            let is =
                IntSet::from_bytes(data).map_err(|_| corrupt("Intset integrity check failed."))?;
            let mut s = SetValue::IntSet(is);
            if s.len() as u64 > o.set_max_intset_entries {
                let mut d = Dict::new(o.hash_keys);
                for m in s.members() {
                    d.insert(m, ());
                }
                s = SetValue::Hash(Box::new(d));
            }
            Value::set(s)
        }
        TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
            let lp = if t == TYPE_ZSET_ZIPLIST {
                let elems = legacy::ziplist_entries(&data)
                    .map_err(|_| corrupt("Zset ziplist integrity check failed."))?;
                listpack_of(elems)?
            } else {
                Listpack::from_bytes(data)
                    .map_err(|_| corrupt("Zset listpack integrity check failed."))?
            };
            if check_pairs(&lp).is_err() || check_zset_order(&lp).is_err() {
                return Err(corrupt(if t == TYPE_ZSET_ZIPLIST {
                    "Zset ziplist integrity check failed."
                } else {
                    "Zset listpack integrity check failed."
                }));
            }
            let mut z = ZSetValue::from_listpack(lp);
            if z.len() as u64 > o.zset_max_listpack_entries {
                z.convert_to_skiplist(o.hash_keys);
            }
            Value::zset(z)
        }
        TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            let lp = if t == TYPE_HASH_ZIPLIST {
                let elems = legacy::ziplist_entries(&data)
                    .map_err(|_| corrupt("Hash ziplist integrity check failed."))?;
                listpack_of(elems)?
            } else {
                Listpack::from_bytes(data)
                    .map_err(|_| corrupt("Hash listpack integrity check failed."))?
            };
            if check_pairs(&lp).is_err() {
                return Err(corrupt(if t == TYPE_HASH_ZIPLIST {
                    "Hash ziplist integrity check failed."
                } else {
                    "Hash listpack integrity check failed."
                }));
            }
            let mut h = Hash::from_listpack(lp);
            if h.len() as u64 > o.hash_max_listpack_entries {
                h.convert_to_table(o.hash_keys);
            }
            Value::hash(h)
        }
        _ => return Err(corrupt(format!("Unknown RDB encoding type {t}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        // "mymodtype" with encoding version 0 round-trips through the charset.
        let charset = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut id = 0u64;
        for c in b"mymodtype" {
            id = id << 6 | charset.iter().position(|x| x == c).unwrap() as u64;
        }
        assert_eq!(module_name(id << 10), "mymodtype");
    }
}
