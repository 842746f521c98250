//! DUMP and RESTORE (cluster.c's dumpCommand / restoreCommand): a value as its RDB
//! encoding with the RDB version and a CRC64 (`persist::rdb`), and back.

use super::args::{arg_i64, is, ERR_SYNTAX};
use super::notify::{self, notify};
use super::table::*;
use super::Ctx;
use crate::db::Ttl;
use crate::persist::rdb::{self, LoadOptions};
use crate::resp::Reply;
use bytes::Bytes;

const ERR_BUSYKEY: &str = "BUSYKEY Target key name already exists.";
const ERR_TTL: &str = "ERR Invalid TTL value, must be >= 0";
const ERR_IDLETIME: &str = "ERR Invalid IDLETIME value, must be >= 0";
const ERR_FREQ: &str = "ERR Invalid FREQ value, must be >= 0 and <= 255";

fn dump_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let db = ctx.session.db;
    match ctx.keyspace.lookup_read(db, &argv[1], now) {
        None => Ok(Reply::Null),
        Some(v) => Ok(Reply::Bulk(Bytes::from(rdb::dump_payload(v)))),
    }
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency].
/// IDLETIME and FREQ set the key's access clock when the policy tracks that one
/// (objectSetLRUOrLFU), and are otherwise checked and ignored, as in Redis.
fn restore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut j = 4;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if is(&argv[j], "replace") {
            replace = true;
        } else if is(&argv[j], "absttl") {
            absttl = true;
        } else if is(&argv[j], "idletime") && more && freq.is_none() {
            let v = arg_i64(&argv[j + 1])?;
            if v < 0 {
                return Err(Reply::err(ERR_IDLETIME));
            }
            idle = Some(v);
            j += 1;
        } else if is(&argv[j], "freq") && more && idle.is_none() {
            let v = arg_i64(&argv[j + 1])?;
            if !(0..=255).contains(&v) {
                return Err(Reply::err(ERR_FREQ));
            }
            freq = Some(v);
            j += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    let now = ctx.now_ms();
    let db = ctx.session.db;
    let key = &argv[1];
    if !replace && ctx.keyspace.exists(db, key, now) {
        return Err(Reply::err(ERR_BUSYKEY));
    }
    let mut ttl = arg_i64(&argv[2])?;
    if ttl < 0 {
        return Err(Reply::err(ERR_TTL));
    }
    let opts = LoadOptions::from_config(&ctx.server.config, ctx.keyspace.hash_keys());
    let value = rdb::restore_payload_with(&argv[3], &opts)
        .map_err(|e| Reply::error(format!("ERR {}", e.message)))?;
    let deleted =
        replace && ctx.keyspace.exists(db, key, now) && ctx.keyspace.remove(db, key).is_some();
    if ttl != 0 && !absttl {
        // Redis adds in signed 64 bits without a check; wrapping keeps its outcome (a sum
        // that overflows is negative, so "already expired").
        ttl = ttl.wrapping_add(now as i64);
    }
    // checkAlreadyExpired: a deadline not after now (never while loading an AOF).
    if ttl != 0 && ttl <= now as i64 && !ctx.keyspace.is_loading() {
        if deleted {
            // What happened is a deletion: that is what replicas and the AOF get.
            ctx.propagate_as(vec![Bytes::from_static(b"DEL"), key.clone()]);
            notify(ctx, notify::GENERIC, "del", key);
            ctx.add_dirty(1);
        }
        return Ok(Reply::OK);
    }
    let expire = if ttl != 0 {
        Ttl::At(ttl as u64)
    } else {
        Ttl::Clear
    };
    ctx.keyspace.set(db, key.clone(), value, expire);
    let clock = ctx.keyspace.access;
    let restored = clock.restored(freq.map(|f| f as u8), idle.map(|i| i as u64));
    if let Some(lru) = restored {
        ctx.keyspace.set_lru(db, key, lru);
    }
    notify(ctx, notify::GENERIC, "restore", key);
    if ttl != 0 && !absttl {
        // Propagated with the TTL as the absolute time it became, and ABSTTL, so a
        // replica or an AOF loaded later expires the key when this server does.
        let mut rewritten = argv.to_vec();
        rewritten[2] = Bytes::from(ttl.to_string());
        rewritten.push(Bytes::from_static(b"ABSTTL"));
        ctx.propagate_as(rewritten);
    }
    ctx.add_dirty(1);
    Ok(Reply::OK)
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("dump", 2, READONLY, Group::Generic, dump_cmd).keys(&[key(1, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("2.6.0", "Return a serialized version of the value stored at the specified key.", "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."),
    cmd("restore", -4, WRITE | DENYOOM, Group::Generic, restore_cmd).keys(&[key(1, OW | UPDATE)]).acl(ACL_DANGEROUS)
        .doc("2.6.0", "Create a key using the provided serialized value, previously obtained using DUMP.", "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).")
        .history(&[("3.0.0", "Added the `REPLACE` modifier."), ("5.0.0", "Added the `ABSTTL` modifier."), ("5.0.0", "Added the `IDLETIME` and `FREQ` options.")]),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness, T0_MS};
    use crate::resp::Reply;
    use bytes::Bytes;

    fn dump(h: &mut Harness, key: &str) -> Bytes {
        match h.run(&["DUMP", key]) {
            Reply::Bulk(p) => p,
            other => panic!("DUMP {key}: {other:?}"),
        }
    }

    fn restore(h: &mut Harness, args: &[&[u8]]) -> Reply {
        let mut argv = vec![Bytes::from("RESTORE")];
        argv.extend(args.iter().map(|a| Bytes::copy_from_slice(a)));
        h.argv(&argv)
    }

    #[test]
    fn dump_and_restore_every_type() {
        let mut h = Harness::new();
        h.run("SET s hello");
        h.run("RPUSH l a b 3");
        h.run("HSET h f v");
        h.run("SADD st 1 2");
        h.run("ZADD z 1 a 2 b");
        assert_eq!(h.run("DUMP nosuch"), Reply::Null);
        // The writes above count too once commands count their changes (propagate).
        let dirty_before = h.server.dirty;
        for k in ["s", "l", "h", "st", "z"] {
            let p = dump(&mut h, k);
            let copy = format!("{k}2");
            assert_eq!(restore(&mut h, &[copy.as_bytes(), b"0", &p]), Reply::OK);
            assert_eq!(dump(&mut h, &copy), p);
            assert_eq!(h.run(&["TTL", &copy]), i(-1));
        }
        assert_eq!(h.run("LRANGE l2 0 -1"), h.run("LRANGE l 0 -1"));
        assert_eq!(h.server.dirty - dirty_before, 5);
    }

    #[test]
    fn restore_options_and_errors() {
        let mut h = Harness::new();
        h.run("SET s v");
        let p = dump(&mut h, "s");
        assert_eq!(
            restore(&mut h, &[b"s", b"0", &p]),
            e("BUSYKEY Target key name already exists.")
        );
        assert_eq!(restore(&mut h, &[b"s", b"0", &p, b"REPLACE"]), Reply::OK);
        assert_eq!(
            restore(&mut h, &[b"t", b"-1", &p]),
            e("ERR Invalid TTL value, must be >= 0")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"x", &p]),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"0", b"junkjunkjunk"]),
            e("ERR DUMP payload version or checksum are wrong")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"0", &p, b"IDLETIME", b"-1"]),
            e("ERR Invalid IDLETIME value, must be >= 0")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"0", &p, b"FREQ", b"256"]),
            e("ERR Invalid FREQ value, must be >= 0 and <= 255")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"0", &p, b"FREQ", b"1", b"IDLETIME", b"1"]),
            e("ERR syntax error")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"0", &p, b"IDLETIME"]),
            e("ERR syntax error")
        );
        assert_eq!(
            restore(&mut h, &[b"t", b"0", &p, b"bogus"]),
            e("ERR syntax error")
        );
        // A relative TTL, an absolute one, and one in the past (nothing created; with
        // REPLACE the old key is deleted).
        assert_eq!(restore(&mut h, &[b"t", b"5000", &p]), Reply::OK);
        assert_eq!(h.run("PTTL t"), i(5000));
        let at = (T0_MS + 9000).to_string();
        assert_eq!(
            restore(&mut h, &[b"u", at.as_bytes(), &p, b"ABSTTL"]),
            Reply::OK
        );
        assert_eq!(h.run("PEXPIRETIME u"), i(T0_MS as i64 + 9000));
        assert_eq!(restore(&mut h, &[b"w", b"1", &p, b"ABSTTL"]), Reply::OK);
        assert_eq!(h.run("EXISTS w"), i(0));
        let dirty = h.server.dirty;
        assert_eq!(
            restore(&mut h, &[b"s", b"1", &p, b"ABSTTL", b"REPLACE"]),
            Reply::OK
        );
        assert_eq!(h.run("EXISTS s"), i(0));
        assert_eq!(h.server.dirty, dirty + 1);
        assert_eq!(h.run("GET t"), b("v"));
        // A payload whose body is corrupt but whose footer checks.
        let mut bad = p.to_vec();
        bad[1] = 0x3f;
        let n = bad.len();
        let crc = crate::persist::rdb::crc64(0, &bad[..n - 8]);
        bad[n - 8..].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(
            restore(&mut h, &[b"x", b"0", &bad]),
            e("ERR Bad data format")
        );
    }
}
