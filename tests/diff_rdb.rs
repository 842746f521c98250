//! The RDB file and DUMP payloads against a real redis-server 7.0.15, both directions:
//! (a) Redis fills every type and encoding, SAVEs, and seedis's loader reads its
//!     dump.rdb: every key, value, encoding and TTL as Redis holds it;
//! (b) seedis's `write_snapshot` of the same dataset passes `redis-check-rdb`, and a
//!     redis-server started on that file holds what seedis holds;
//! (c) DUMP in Redis -> RESTORE in seedis -> DUMP in seedis gives Redis's bytes (and the
//!     other way round), for every value whose encoding is not a hashtable (a hashtable's
//!     order is its dict's).
//! Skipped with a message when redis-server is not installed.

mod common;

use bytes::Bytes;
use common::Server;
use redis::Connection;
use seedis::db::{Keyspace, Ttl};
use seedis::persist::rdb::{self, LoadOptions, SaveOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const LIBRARY: &str =
    "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 1 end)";

/// A deterministic byte soup LZF cannot shrink.
fn noise(n: usize) -> String {
    let mut x: u32 = 12345;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            char::from(b'!' + ((x >> 16) % 90) as u8)
        })
        .collect()
}

/// Every type in each of its encodings, TTLs, three databases.
fn dataset() -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let mut c = |args: &[&str]| cmds.push(args.iter().map(|s| s.to_string()).collect());
    c(&["SELECT", "0"]);
    c(&["SET", "int", "12345"]);
    c(&["SET", "neg", "-7"]);
    c(&["SET", "i32", "-2000000000"]);
    c(&["SET", "bigint", "9223372036854775807"]);
    c(&["SET", "str", "hello"]);
    c(&["SET", "zero-padded", "007"]);
    c(&["SET", "long", &"abcdefgh".repeat(40)]);
    c(&["SET", "noise", &noise(300)]);
    c(&["SET", "raw", "ab"]);
    c(&["APPEND", "raw", "cd"]);
    c(&["SET", "ttl", "v", "PXAT", "4102444800123"]);
    c(&["RPUSH", "list", "a", "b", "c", "1", "2", "300000", "-5"]);
    let many: Vec<String> = (0..3000).map(|i| format!("element-{i}")).collect();
    let mut rpush = vec!["RPUSH", "biglist"];
    rpush.extend(many.iter().map(String::as_str));
    c(&rpush);
    let huge = "z".repeat(20000);
    c(&["RPUSH", "hugelist", "a", &huge, "b"]);
    c(&["PEXPIREAT", "biglist", "4102444800999"]);
    c(&["HSET", "hash", "f1", "v1", "f2", "2", "n", "-300"]);
    let mut hset = vec!["HSET".to_string(), "bighash".to_string()];
    for i in 0..200 {
        hset.push(format!("field{i}"));
        hset.push(format!("value{i}"));
    }
    let refs: Vec<&str> = hset.iter().map(String::as_str).collect();
    c(&refs);
    c(&["HSET", "longvalhash", "f", &"x".repeat(100)]);
    c(&["SADD", "intset", "1", "2", "3", "-5", "70000", "5000000000"]);
    let nums: Vec<String> = (0..600).map(|i| i.to_string()).collect();
    let mut sadd = vec!["SADD", "bigintset"];
    sadd.extend(nums.iter().map(String::as_str));
    c(&sadd);
    c(&["SADD", "strset", "a", "b", "c"]);
    c(&[
        "ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e",
    ]);
    let mut zadd = vec!["ZADD".to_string(), "bigzset".to_string()];
    for i in 0..200 {
        zadd.push(format!("{}", i as f64 / 7.0));
        zadd.push(format!("m{i}"));
    }
    let refs: Vec<&str> = zadd.iter().map(String::as_str).collect();
    c(&refs);
    c(&["ZADD", "longzset", "3", &"y".repeat(80)]);
    c(&["SELECT", "3"]);
    c(&["SET", "in-db3", "x"]);
    c(&["RPUSH", "list-db3", "q"]);
    c(&["SELECT", "15"]);
    c(&["SET", "in-db15", &"compress me ".repeat(10)]);
    c(&["PEXPIREAT", "in-db15", "4102444800000"]);
    c(&["SELECT", "0"]);
    cmds
}

fn run(conn: &mut Connection, args: &[String]) -> redis::Value {
    let mut cmd = redis::cmd(&args[0]);
    for a in &args[1..] {
        cmd.arg(a.as_bytes());
    }
    cmd.query(conn).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn q(conn: &mut Connection, args: &[&str]) -> redis::Value {
    let owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run(conn, &owned)
}

fn strings(v: redis::Value) -> Vec<String> {
    match v {
        redis::Value::Array(items) => items.into_iter().flat_map(strings).collect(),
        redis::Value::BulkString(b) => vec![String::from_utf8_lossy(&b).into_owned()],
        redis::Value::Int(n) => vec![n.to_string()],
        redis::Value::Nil => vec!["(nil)".into()],
        redis::Value::SimpleString(s) => vec![s],
        redis::Value::Okay => vec!["OK".into()],
        other => vec![format!("{other:?}")],
    }
}

fn bulk(v: redis::Value) -> Vec<u8> {
    match v {
        redis::Value::BulkString(b) => b,
        other => panic!("not a bulk string: {other:?}"),
    }
}

/// What a database holds, as read with ordinary commands: per key its type, encoding,
/// value (set members and hash pairs sorted) and PEXPIRETIME.
type Contents = BTreeMap<(usize, String), Vec<String>>;

fn contents(conn: &mut Connection) -> Contents {
    let mut out = BTreeMap::new();
    for db in 0..16 {
        q(conn, &["SELECT", &db.to_string()]);
        let mut keys = strings(q(conn, &["KEYS", "*"]));
        keys.sort();
        for k in keys {
            let t = strings(q(conn, &["TYPE", &k])).remove(0);
            let mut row = vec![
                t.clone(),
                strings(q(conn, &["OBJECT", "ENCODING", &k])).remove(0),
            ];
            let mut value = match t.as_str() {
                "string" => strings(q(conn, &["GET", &k])),
                "list" => strings(q(conn, &["LRANGE", &k, "0", "-1"])),
                "hash" => {
                    let flat = strings(q(conn, &["HGETALL", &k]));
                    flat.chunks(2)
                        .map(|p| format!("{}={}", p[0], p[1]))
                        .collect()
                }
                "set" => strings(q(conn, &["SMEMBERS", &k])),
                "zset" => strings(q(conn, &["ZRANGE", &k, "0", "-1", "WITHSCORES"])),
                other => panic!("unexpected type {other}"),
            };
            if t == "hash" || t == "set" {
                value.sort();
            }
            row.extend(value);
            row.extend(strings(q(conn, &["PEXPIRETIME", &k])));
            out.insert((db, k), row);
        }
    }
    q(conn, &["SELECT", "0"]);
    out
}

fn fill(conn: &mut Connection) {
    for cmd in dataset() {
        run(conn, &cmd);
    }
    q(conn, &["FUNCTION", "LOAD", LIBRARY]);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seedis-diff-rdb-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A redis-server in a directory of its own (`dir`), so that a SAVE or DEBUG RELOAD
/// writes nowhere else and no other test's server loads what it wrote.
fn redis_or_skip(dir: &std::path::Path, args: &[&str]) -> Option<Server> {
    let mut all = vec!["--dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let s = Server::start_redis(&all);
    if s.is_none() {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the RDB differential test");
    }
    s
}

/// Every key of a file, RESTOREd (ABSTTL) into a server, db by db.
fn restore_all(conn: &mut Connection, file: &[u8], opts: &LoadOptions) -> rdb::LoadedInfo {
    let mut keys = Vec::new();
    let info = rdb::load_with(file, opts, &mut |k| keys.push(k)).unwrap();
    for k in keys {
        q(conn, &["SELECT", &k.db.to_string()]);
        let payload = rdb::dump_payload(&k.value);
        let mut cmd = redis::cmd("RESTORE");
        cmd.arg(&k.key[..])
            .arg(k.expire_ms.unwrap_or(0))
            .arg(payload)
            .arg("ABSTTL");
        let _: () = cmd.query(conn).unwrap();
    }
    q(conn, &["SELECT", "0"]);
    info
}

#[test]
fn seedis_loads_redis_dump_rdb() {
    let dir = temp_dir("a");
    let Some(redis) = redis_or_skip(
        &dir,
        &["--dbfilename", "dump.rdb", "--enable-debug-command", "yes"],
    ) else {
        return;
    };
    let mut r = redis.client();
    fill(&mut r);
    q(&mut r, &["SAVE"]);
    let file = std::fs::read(dir.join("dump.rdb")).unwrap();
    // What Redis itself holds after loading its file (a string APPEND made raw is
    // embstr again after a load, in Redis as in seedis).
    q(&mut r, &["DEBUG", "RELOAD"]);
    let seedis = Server::start(&[]);
    let mut s = seedis.client();
    let info = restore_all(&mut s, &file, &LoadOptions::default());
    assert_eq!(info.consumed, file.len());
    assert_eq!(info.functions, vec![Bytes::from(LIBRARY)]);
    let aux: BTreeMap<_, _> = info.aux.iter().cloned().collect();
    assert_eq!(
        aux.get(&Bytes::from("redis-ver")),
        Some(&Bytes::from("7.0.15"))
    );
    let want = contents(&mut r);
    assert!(want.len() > 20);
    let got = contents(&mut s);
    for (k, v) in &want {
        assert_eq!(got.get(k), Some(v), "key {k:?}");
    }
    assert_eq!(got.len(), want.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_loads_seedis_snapshot() {
    let Some(check) = common::which("redis-check-rdb") else {
        assert!(
            !common::tools_required(),
            "redis-check-rdb is required in CI"
        );
        eprintln!("redis-check-rdb not installed: skipping");
        return;
    };
    // What Redis holds after loading its own snapshot of the dataset.
    let reference_dir = temp_dir("b-reference");
    let Some(reference) = redis_or_skip(&reference_dir, &["--enable-debug-command", "yes"]) else {
        return;
    };
    let mut reference = reference.client();
    fill(&mut reference);
    q(&mut reference, &["DEBUG", "RELOAD"]);
    let want = contents(&mut reference);
    // The dataset as seedis builds it: filled over TCP, then DUMPed into a Keyspace.
    let seedis = Server::start(&[]);
    let mut s = seedis.client();
    fill(&mut s);
    let mut ks = Keyspace::new(16, (1, 2));
    let opts = LoadOptions {
        hash_keys: (1, 2),
        ..LoadOptions::default()
    };
    for (db, key) in want.keys() {
        q(&mut s, &["SELECT", &db.to_string()]);
        let payload = bulk(q(&mut s, &["DUMP", key]));
        let value = rdb::restore_payload_with(&payload, &opts).unwrap();
        let at = strings(q(&mut s, &["PEXPIRETIME", key]))
            .remove(0)
            .parse::<i64>()
            .unwrap();
        let ttl = if at > 0 {
            Ttl::At(at as u64)
        } else {
            Ttl::Clear
        };
        ks.set(*db, Bytes::from(key.clone()), value, ttl);
    }
    for (compression, checksum) in [(true, true), (false, false)] {
        let dir = temp_dir(&format!("b-{compression}"));
        let path = dir.join("seedis.rdb");
        let mut out = Vec::new();
        let save = SaveOptions {
            compression,
            checksum,
            now_secs: 1_700_000_000,
            used_mem: 1 << 20,
            aof_base: false,
            now_ms: 1_700_000_000_000,
            access: None,
        };
        rdb::write_snapshot(&ks, &[Bytes::from(LIBRARY)], &save, &mut out).unwrap();
        std::fs::write(&path, &out).unwrap();
        let status = Command::new(&check).arg(&path).output().unwrap();
        assert!(
            status.status.success(),
            "redis-check-rdb failed: {}",
            String::from_utf8_lossy(&status.stdout)
        );
        let redis =
            Server::start_redis(&["--dir", dir.to_str().unwrap(), "--dbfilename", "seedis.rdb"])
                .unwrap();
        let mut r = redis.client();
        let got = contents(&mut r);
        for (k, v) in &want {
            assert_eq!(got.get(k), Some(v), "key {k:?} (compression {compression})");
        }
        assert_eq!(got.len(), want.len());
        let libs = strings(q(&mut r, &["FUNCTION", "LIST"]));
        assert!(libs.contains(&"mylib".to_string()), "{libs:?}");
        drop(r);
        drop(redis);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&reference_dir);
}

#[test]
fn dump_payloads_cross_over_byte_for_byte() {
    let dir = temp_dir("c");
    let Some(redis) = redis_or_skip(&dir, &[]) else {
        return;
    };
    let seedis = Server::start(&[]);
    let mut r = redis.client();
    let mut s = seedis.client();
    fill(&mut r);
    fill(&mut s);
    let keys = contents(&mut r);
    let mut compared = 0;
    for ((db, key), row) in &keys {
        let dbs = db.to_string();
        q(&mut r, &["SELECT", &dbs]);
        q(&mut s, &["SELECT", &dbs]);
        let from_redis = bulk(q(&mut r, &["DUMP", key]));
        let from_seedis = bulk(q(&mut s, &["DUMP", key]));
        let copy = format!("{key}:copy");
        // Redis -> seedis -> DUMP, and seedis -> Redis -> DUMP.
        let restore = |conn: &mut Connection, payload: &[u8]| {
            let _: () = redis::cmd("RESTORE")
                .arg(&copy)
                .arg(0)
                .arg(payload)
                .query(conn)
                .unwrap();
            let back = bulk(q(conn, &["DUMP", &copy]));
            q(conn, &["DEL", &copy]);
            back
        };
        let redis_in_seedis = restore(&mut s, &from_redis);
        let seedis_in_redis = restore(&mut r, &from_seedis);
        if row[1] != "hashtable" {
            assert_eq!(from_seedis, from_redis, "DUMP {key} differs");
            assert_eq!(redis_in_seedis, from_redis, "{key}: Redis -> seedis");
            assert_eq!(seedis_in_redis, from_seedis, "{key}: seedis -> Redis");
            compared += 1;
        }
    }
    assert!(
        compared >= 18,
        "only {compared} values compared byte for byte"
    );
    drop(r);
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}
