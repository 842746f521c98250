//! HyperLogLog commands (hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
//! The representation itself is `db::hll`; an HLL is a plain string in the keyspace
//! (raw-encoded once an HLL command touched it, as `dbUnshareStringValue` leaves it).

use super::args::wrongtype;
use super::notify::{self, notify};
use super::table::*;
use super::Ctx;
use crate::db::hll::{self, Corrupt};
use crate::db::value::StrValue;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use bytes::Bytes;
use rand_core::RngCore;

const ERR_INVALID_HLL: &str = "INVALIDOBJ Corrupted HLL object detected";
const ERR_NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";

fn invalid() -> Reply {
    Reply::err(ERR_INVALID_HLL)
}

/// isHLLObjectOrReply: the value's bytes if it is a string holding a valid HLL header.
fn hll_bytes(v: &Value) -> Result<Bytes, Reply> {
    let s = v.as_str().ok_or_else(wrongtype)?;
    if !hll::is_valid_object(&s) {
        return Err(Reply::err(ERR_NOT_HLL));
    }
    Ok(s)
}

/// The value's bytes as an owned buffer: moved out of a long string (no copy when it
/// is not shared), copied out of the compact forms.
fn take_bytes(v: &mut Value) -> Vec<u8> {
    match v {
        Value::Str(StrValue::Heap(b)) => Vec::from(std::mem::take(&mut b.0)),
        other => other.as_str().map(|b| b.to_vec()).unwrap_or_default(),
    }
}

/// Runs `f` on the HLL at `v` in place. The value is raw afterwards, as Redis's
/// `dbUnshareStringValue` leaves it, even when `f` fails part-way (Redis changes the
/// string in place, so what was done before an error stays).
fn with_hll_mut<R>(v: &mut Value, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buf = take_bytes(v);
    let out = f(&mut buf);
    *v = Value::str_raw(Bytes::from(buf));
    out
}

fn sparse_max(ctx: &Ctx<'_>) -> u64 {
    ctx.server.config.hll_sparse_max_bytes
}

// ---- PFADD -------------------------------------------------------------------------

fn pfadd_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let db = ctx.session.db;
    let now = ctx.now_ms();
    let max_bytes = sparse_max(ctx);
    let key = &argv[1];
    let mut updated = 0u64;
    if ctx.keyspace.lookup_write(db, key, now).is_none() {
        let fresh = hll::new_sparse();
        ctx.keyspace.set(
            db,
            key.clone(),
            Value::str_raw(Bytes::from(fresh)),
            Ttl::Keep,
        );
        updated += 1;
    }
    let Some(v) = ctx.keyspace.peek_mut(db, key) else {
        return Err(invalid());
    };
    hll_bytes(v)?;
    let result = with_hll_mut(v, |s| -> Result<u64, Corrupt> {
        let mut changed = 0;
        for ele in &argv[2..] {
            if hll::add(s, ele, max_bytes)? {
                changed += 1;
            }
        }
        if updated + changed > 0 {
            hll::invalidate_cache(s);
        }
        Ok(changed)
    });
    updated += result.map_err(|_| invalid())?;
    if updated > 0 {
        ctx.modified(key, 0);
        notify(ctx, notify::STRING, "pfadd", key);
        ctx.add_dirty(updated);
    }
    Ok(Reply::Integer(i64::from(updated > 0)))
}

// ---- PFCOUNT -----------------------------------------------------------------------

fn pfcount_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let db = ctx.session.db;
    let now = ctx.now_ms();
    if argv.len() > 2 {
        // The union of several HLLs, merged into plain byte registers.
        let mut max = Box::new([0u8; hll::REGISTERS]);
        for key in &argv[1..] {
            let Some(v) = ctx.keyspace.lookup_read(db, key, now) else {
                continue;
            };
            let s = hll_bytes(v)?;
            hll::merge_into(&mut max, &s).map_err(|_| invalid())?;
        }
        return Ok(Reply::Integer(hll::count_raw(&max) as i64));
    }
    let key = &argv[1];
    let Some(v) = ctx.keyspace.lookup_read(db, key, now) else {
        return Ok(Reply::Integer(0));
    };
    hll_bytes(v)?;
    let Some(v) = ctx.keyspace.peek_mut(db, key) else {
        return Ok(Reply::Integer(0));
    };
    // The cache is written back into the string: a read-only command that changes the
    // value, so it is signalled and counted in `dirty` (and thus propagated) as in Redis.
    let (card, recomputed) = with_hll_mut(v, |s| {
        if let Some(card) = hll::cached_card(s) {
            return Ok((card, false));
        }
        let card = hll::count(s)?;
        hll::set_cached_card(s, card);
        Ok((card, true))
    })
    .map_err(|_: Corrupt| invalid())?;
    if recomputed {
        ctx.modified(key, 1);
    }
    Ok(Reply::Integer(card as i64))
}

// ---- PFMERGE -----------------------------------------------------------------------

fn pfmerge_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let db = ctx.session.db;
    let now = ctx.now_ms();
    let max_bytes = sparse_max(ctx);
    let mut max = Box::new([0u8; hll::REGISTERS]);
    let mut use_dense = false;
    // The destination is the first source too, as in Redis.
    for key in &argv[1..] {
        let Some(v) = ctx.keyspace.lookup_read(db, key, now) else {
            continue;
        };
        let s = hll_bytes(v)?;
        use_dense |= hll::encoding(&s) == hll::DENSE;
        hll::merge_into(&mut max, &s).map_err(|_| invalid())?;
    }
    let dest = &argv[1];
    if ctx.keyspace.lookup_write(db, dest, now).is_none() {
        let fresh = Value::str_raw(Bytes::from(hll::new_sparse()));
        ctx.keyspace.set(db, dest.clone(), fresh, Ttl::Keep);
    }
    let Some(v) = ctx.keyspace.peek_mut(db, dest) else {
        return Err(invalid());
    };
    with_hll_mut(v, |s| {
        if use_dense {
            hll::sparse_to_dense(s)?;
        }
        for (j, &m) in max.iter().enumerate() {
            if m == 0 {
                continue;
            }
            if hll::encoding(s) == hll::DENSE {
                hll::dense_set(&mut s[hll::HDR_SIZE..], j, m);
            } else {
                // The destination was validated by the merge; Redis ignores the result.
                let _ = hll::sparse_set(s, j, m, max_bytes);
            }
        }
        hll::invalidate_cache(s);
        Ok(())
    })
    .map_err(|_: Corrupt| invalid())?;
    ctx.modified(dest, 0);
    // Redis announces a merge as a mass add.
    notify(ctx, notify::STRING, "pfadd", dest);
    ctx.add_dirty(1);
    Ok(Reply::OK)
}

// ---- PFDEBUG -----------------------------------------------------------------------

fn pfdebug_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let db = ctx.session.db;
    let now = ctx.now_ms();
    let sub = &argv[1];
    let key = &argv[2];
    let Some(v) = ctx.keyspace.lookup_write(db, key, now) else {
        return Err(Reply::err("ERR The specified key does not exist"));
    };
    hll_bytes(v)?;
    let lower = sub.to_ascii_lowercase();
    let (reply, dirty) = with_hll_mut(v, |s| -> Result<(Reply, u64), Reply> {
        match lower.as_slice() {
            b"getreg" => {
                let mut dirty = 0;
                if hll::encoding(s) == hll::SPARSE {
                    hll::sparse_to_dense(s).map_err(|_| invalid())?;
                    dirty = 1;
                }
                let regs = hll::dense_registers(s);
                let out = regs.iter().map(|&r| Reply::Integer(i64::from(r))).collect();
                Ok((Reply::Array(out), dirty))
            }
            b"decode" => {
                if hll::encoding(s) != hll::SPARSE {
                    return Err(Reply::err("ERR HLL encoding is not sparse"));
                }
                let text: Vec<String> = hll::sparse_ops(s)
                    .map(|op| match op {
                        hll::Op::Zero(n) => format!("z:{n}"),
                        hll::Op::XZero(n) => format!("Z:{n}"),
                        hll::Op::Val { value, len } => format!("v:{value},{len}"),
                    })
                    .collect();
                Ok((Reply::Bulk(Bytes::from(text.join(" "))), 0))
            }
            b"encoding" => {
                let name = if hll::encoding(s) == hll::DENSE {
                    "dense"
                } else {
                    "sparse"
                };
                Ok((Reply::Simple(Bytes::from_static(name.as_bytes())), 0))
            }
            b"todense" => {
                if hll::encoding(s) == hll::SPARSE {
                    hll::sparse_to_dense(s).map_err(|_| invalid())?;
                    return Ok((Reply::Integer(1), 1));
                }
                Ok((Reply::Integer(0), 0))
            }
            _ => {
                let mut text = b"ERR Unknown PFDEBUG subcommand '".to_vec();
                text.extend(sub.iter().take_while(|&&c| c != 0));
                text.push(b'\'');
                Err(Reply::error_bytes(text))
            }
        }
    })?;
    // A conversion changes no register: Redis forces propagation without a signal.
    ctx.add_dirty(dirty);
    Ok(reply)
}

// ---- PFSELFTEST --------------------------------------------------------------------

fn pfselftest_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let max_bytes = sparse_max(ctx);
    let rng = &mut ctx.server.rng;
    selftest(|| rng.next_u32() & 0x7fff_ffff, max_bytes, 1000, 10_000_000)
}

/// pfselftestCommand: the dense registers keep what is written to them without
/// disturbing neighbours, and sparse and dense HLLs fed the same elements agree on an
/// estimate within bounds (`rand` is C's `rand()`: 31 random bits).
fn selftest(
    mut rand: impl FnMut() -> u32,
    max_bytes: u64,
    cycles: u32,
    elements: u64,
) -> CmdResult {
    let mut bitcounters = vec![0u8; hll::DENSE_SIZE];
    bitcounters[..4].copy_from_slice(b"HYLL");
    let mut bytecounters = vec![0u8; hll::REGISTERS];
    for _ in 0..cycles {
        for (i, b) in bytecounters.iter_mut().enumerate() {
            let r = (rand() & 63) as u8;
            *b = r;
            hll::dense_set_register(&mut bitcounters[hll::HDR_SIZE..], i, r);
        }
        for (i, &b) in bytecounters.iter().enumerate() {
            let val = hll::dense_get(&bitcounters[hll::HDR_SIZE..], i);
            if val != b {
                return Err(Reply::error(format!(
                    "ERR TESTFAILED Register {i} should be {b} but is {val}"
                )));
            }
        }
    }
    bitcounters[hll::HDR_SIZE..].fill(0);
    let mut o = hll::new_sparse();
    let relerr = 1.04 / (hll::REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let seed = u64::from(rand()) | u64::from(rand()) << 32;
    for j in 1..=elements {
        let ele = (j ^ seed).to_le_bytes();
        let (index, count) = hll::pat_len(&ele);
        hll::dense_set(&mut bitcounters[hll::HDR_SIZE..], index, count);
        if hll::add(&mut o, &ele, max_bytes).is_err() {
            return Err(Reply::err("ERR TESTFAILED sparse HLL corrupted"));
        }
        if j != checkpoint {
            continue;
        }
        if j < max_bytes / 2 && hll::encoding(&o) != hll::SPARSE {
            return Err(Reply::err("ERR TESTFAILED sparse encoding not used"));
        }
        let dense_card = hll::count(&bitcounters).unwrap_or(0);
        if hll::count(&o) != Ok(dense_card) {
            return Err(Reply::err("ERR TESTFAILED dense/sparse disagree"));
        }
        let abserr = (checkpoint as i64 - dense_card as i64).unsigned_abs();
        let mut maxerr = (relerr * 6.0 * checkpoint as f64).ceil() as u64;
        // Redis allows more at 10, where collisions make a big error likely.
        if j == 10 {
            maxerr = 1;
        }
        if abserr > maxerr {
            return Err(Reply::error(format!(
                "ERR TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"
            )));
        }
        checkpoint *= 10;
    }
    Ok(Reply::OK)
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("pfadd", -2, WRITE | DENYOOM | FAST, Group::Hyperloglog, pfadd_cmd).keys(&[key(1, RW | INSERT)])
        .doc("2.8.9", "Adds the specified elements to the specified HyperLogLog.", "O(1) to add every element."),
    cmd("pfcount", -2, READONLY, Group::Hyperloglog, pfcount_cmd).keys(&[range(1, -1, 1, RW | ACCESS).notes("RW because it may change the internal representation of the key, and propagate to replicas")])
        .doc("2.8.9", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys."),
    cmd("pfdebug", 3, WRITE | DENYOOM | ADMIN, Group::Hyperloglog, pfdebug_cmd).keys(&[key(2, RW | ACCESS)])
        .doc("2.8.9", "Internal commands for debugging HyperLogLog values", "N/A").doc_flags(DOC_SYSCMD),
    cmd("pfmerge", -2, WRITE | DENYOOM, Group::Hyperloglog, pfmerge_cmd).keys(&[key(1, RW | ACCESS | INSERT), range(2, -1, 1, RO | ACCESS)])
        .doc("2.8.9", "Merge N different HyperLogLogs into a single one.", "O(N) to merge N HyperLogLogs, but with high constant times."),
    cmd("pfselftest", 1, ADMIN, Group::Hyperloglog, pfselftest_cmd)
        .doc("2.8.9", "An internal command for testing HyperLogLog values", "N/A").doc_flags(DOC_SYSCMD),
];

#[cfg(test)]
mod tests {
    use super::selftest;
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn selftest_passes_with_a_seeded_rand() {
        let mut x: u32 = 1;
        let rand = move || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            x >> 1
        };
        // Fewer cycles than the command's (debug builds are slow); same checks.
        assert_eq!(selftest(rand, 3000, 3, 100_000), Ok(Reply::OK));
    }

    #[test]
    fn pfadd_pfcount_cache_and_errors() {
        let mut h = Harness::new();
        assert_eq!(h.run("PFADD h a b c"), i(1));
        assert_eq!(h.run("PFADD h a"), i(0));
        assert_eq!(h.run("PFCOUNT h"), i(3));
        let dirty = h.server.dirty;
        assert_eq!(h.run("PFCOUNT h"), i(3));
        assert_eq!(h.server.dirty, dirty, "a cached count changes nothing");
        assert_eq!(h.run("PFADD n"), i(1));
        assert_eq!(h.run("PFCOUNT n h nokey"), i(3));
        assert_eq!(h.run("OBJECT ENCODING h"), b("raw"));
        h.run("SET s hello");
        assert_eq!(
            h.run("PFADD s a"),
            e("WRONGTYPE Key is not a valid HyperLogLog string value.")
        );
        h.run("LPUSH l a");
        assert_eq!(
            h.run("PFCOUNT l"),
            e("WRONGTYPE Operation against a key holding the wrong kind of value")
        );
        assert_eq!(h.run("PFDEBUG ENCODING h"), Reply::Simple("sparse".into()));
        assert_eq!(h.run("PFDEBUG DECODE n"), b("Z:16384"));
        assert_eq!(h.run("PFDEBUG TODENSE h"), i(1));
        assert_eq!(h.run("PFDEBUG TODENSE h"), i(0));
        assert_eq!(
            h.run("PFDEBUG DECODE h"),
            e("ERR HLL encoding is not sparse")
        );
        assert_eq!(
            h.run("PFDEBUG nope h"),
            e("ERR Unknown PFDEBUG subcommand 'nope'")
        );
        assert_eq!(
            h.run("PFDEBUG GETREG nokey"),
            e("ERR The specified key does not exist")
        );
        assert_eq!(h.run("PFCOUNT h"), i(3));
        assert_eq!(h.run("PFMERGE m h n"), Reply::OK);
        assert_eq!(h.run("PFDEBUG ENCODING m"), Reply::Simple("dense".into()));
        assert_eq!(h.run("PFCOUNT m"), i(3));
    }

    #[test]
    fn corrupt_sparse_is_invalidobj() {
        let mut h = Harness::new();
        h.run("PFADD h a b c");
        // Breaking the last opcode makes the registers not add up to 16384.
        h.run("APPEND h \x01");
        assert_eq!(
            h.run("PFCOUNT h"),
            e("INVALIDOBJ Corrupted HLL object detected")
        );
        assert_eq!(
            h.run("PFMERGE x h"),
            e("INVALIDOBJ Corrupted HLL object detected")
        );
    }
}
