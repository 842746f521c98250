//! `server.dirty` against a real redis-server 7.0: for each case, a setup, then one
//! command; the change of INFO persistence `rdb_changes_since_last_save` across that
//! command must be Redis's (per key or element changed, 0 for a no-op, SET always 1,
//! DEL by the count deleted, FLUSHALL by the keys removed...). The same delta is what
//! decides whether a command is propagated to the AOF.

mod common;

use common::{read_reply, resp_command, Server};
use std::io::Write;
use std::net::TcpStream;

/// `(setup, command)`: lines split on spaces, `""` is an empty argument.
const CASES: &[(&[&str], &str)] = &[
    // Strings.
    (&[], "SET k v"),
    (&["SET k v"], "SET k v"),
    (&["SET k v"], "SET k w NX"),
    (&[], "SET k w XX"),
    (&["SET k v"], "SET k w XX GET"),
    (&[], "SET k v EX 100"),
    (&[], "SETEX k 100 v"),
    (&[], "PSETEX k 100000 v"),
    (&[], "SETNX k v"),
    (&["SET k v"], "SETNX k v"),
    (&[], "MSET a 1 b 2 c 3"),
    (&["SET b 1"], "MSETNX a 1 b 2"),
    (&[], "MSETNX a 1 b 2"),
    (&["SET k v"], "GETSET k w"),
    (&["SET k v"], "GETDEL k"),
    (&[], "GETDEL k"),
    (&["SET k v"], "GETEX k"),
    (&["SET k v"], "GETEX k EX 100"),
    (&["SET k v"], "GETEX k PERSIST"),
    (&["SET k v EX 100"], "GETEX k PERSIST"),
    (&["SET k v"], "GETEX k EXAT 1"),
    (&["SET k v"], "APPEND k w"),
    (&["SET k v"], "APPEND k \"\""),
    (&[], "APPEND k w"),
    (&["SET k v"], "SETRANGE k 0 \"\""),
    (&["SET k v"], "SETRANGE k 3 x"),
    (&[], "SETRANGE k 0 \"\""),
    (&[], "INCR k"),
    (&["SET k 5"], "INCRBY k 0"),
    (&["SET k x"], "INCR k"),
    (&["SET k 5"], "DECRBY k 2"),
    (&["SET k 5"], "INCRBYFLOAT k 0.5"),
    // Keys and TTLs.
    (&["SET a 1", "SET b 2"], "DEL a b c"),
    (&["SET a 1", "SET b 2"], "UNLINK a b c"),
    (&["SET k v"], "EXPIRE k 100"),
    (&["SET k v"], "EXPIRE k 100 XX"),
    (&["SET k v EX 100"], "EXPIRE k 10 GT"),
    (&["SET k v"], "PEXPIRE k -1"),
    (&[], "EXPIRE k 100"),
    (&["SET k v"], "EXPIREAT k 1"),
    (&["SET k v"], "PEXPIREAT k 99999999999999"),
    (&["SET k v"], "PERSIST k"),
    (&["SET k v EX 100"], "PERSIST k"),
    (&["SET k v"], "RENAME k j"),
    (&["SET k v"], "RENAME k k"),
    (&["SET k v", "SET j w"], "RENAMENX k j"),
    (&["SET k v"], "COPY k j"),
    (&["SET k v", "SET j w"], "COPY k j"),
    (&["SET k v", "SET j w"], "COPY k j REPLACE"),
    (&["SET k v"], "MOVE k 1"),
    (&["SET k v", "SELECT 1", "SET k v", "SELECT 0"], "MOVE k 1"),
    (&["SET a 1", "SET b 2"], "FLUSHDB"),
    (&[], "FLUSHDB"),
    (
        &["SET a 1", "SELECT 2", "SET b 2", "SET c 3", "SELECT 0"],
        "FLUSHALL",
    ),
    (&[], "SWAPDB 0 1"),
    // Lists.
    (&[], "LPUSH k a b c"),
    (&["RPUSH k a"], "RPUSH k b c"),
    (&[], "LPUSHX k a b"),
    (&["RPUSH k a"], "RPUSHX k b c"),
    (&["RPUSH k a b c"], "LPOP k"),
    (&["RPUSH k a b c"], "RPOP k 2"),
    (&["RPUSH k a b c"], "LPOP k 0"),
    (&["RPUSH k a b c"], "LPOP k 10"),
    (&[], "LPOP k"),
    (&["RPUSH k a b"], "LMOVE k j LEFT RIGHT"),
    (&["RPUSH k a b"], "RPOPLPUSH k k"),
    (&["RPUSH k a b c"], "LMPOP 2 x k RIGHT COUNT 2"),
    (&["RPUSH k a b c"], "BLPOP x k 1"),
    (&["RPUSH k a b c"], "BLMPOP 1 1 k LEFT COUNT 5"),
    (&["RPUSH k a b"], "BLMOVE k j RIGHT LEFT 1"),
    (&["RPUSH k a b a c a"], "LREM k 2 a"),
    (&["RPUSH k a b"], "LREM k 0 x"),
    (&["RPUSH k a b c d"], "LTRIM k 1 2"),
    (&["RPUSH k a b"], "LTRIM k 0 -1"),
    (&["RPUSH k a b"], "LSET k 0 z"),
    (&["RPUSH k a b"], "LINSERT k BEFORE b x"),
    (&["RPUSH k a b"], "LINSERT k BEFORE q x"),
    // Hashes.
    (&[], "HSET k a 1 b 2"),
    (&["HSET k a 1"], "HSET k a 1 b 2"),
    (&["HSET k a 1"], "HMSET k a 1"),
    (&["HSET k a 1"], "HSETNX k a 2"),
    (&["HSET k a 1"], "HSETNX k b 2"),
    (&["HSET k a 1 b 2"], "HDEL k a b c"),
    (&["HSET k a 1"], "HDEL k x"),
    (&["HSET k a 1"], "HINCRBY k a 0"),
    (&["HSET k a 1"], "HINCRBYFLOAT k a 1.5"),
    // Sets.
    (&[], "SADD k a b c"),
    (&["SADD k a"], "SADD k a b"),
    (&["SADD k a b c"], "SREM k a b x"),
    (&["SADD k a b c"], "SPOP k"),
    (&["SADD k a b c"], "SPOP k 2"),
    (&["SADD k a b c"], "SPOP k 10"),
    (&["SADD k a b c"], "SPOP k 0"),
    (&["SADD k a", "SADD j b"], "SMOVE k j a"),
    (&["SADD k a", "SADD j a"], "SMOVE k j a"),
    (&["SADD k a"], "SMOVE k j x"),
    (&["SADD a 1 2", "SADD b 2 3"], "SINTERSTORE d a b"),
    (&["SADD a 1 2", "SADD b 2 3"], "SUNIONSTORE d a b"),
    (&["SADD a 1 2", "SET d x"], "SDIFFSTORE d a a"),
    (&[], "SINTERSTORE d a b"),
    // Sorted sets.
    (&[], "ZADD k 1 a 2 b"),
    (&["ZADD k 1 a"], "ZADD k 1 a 3 b"),
    (&["ZADD k 1 a"], "ZADD k CH 5 a"),
    (&["ZADD k 1 a"], "ZADD k NX 5 a"),
    (&["ZADD k 1 a"], "ZINCRBY k 0 a"),
    (&["ZADD k 1 a"], "ZINCRBY k 2 a"),
    (&["ZADD k 1 a 2 b"], "ZREM k a x"),
    (&["ZADD k 1 a 2 b 3 c"], "ZREMRANGEBYSCORE k 1 2"),
    (&["ZADD k 1 a 2 b 3 c"], "ZREMRANGEBYRANK k 0 -1"),
    (&["ZADD k 1 a 2 b 3 c"], "ZREMRANGEBYLEX k - +"),
    (&["ZADD k 1 a 2 b 3 c"], "ZPOPMIN k 2"),
    (&["ZADD k 1 a 2 b 3 c"], "ZPOPMAX k"),
    (&["ZADD k 1 a 2 b 3 c"], "ZMPOP 1 k MIN COUNT 5"),
    (&["ZADD k 1 a 2 b 3 c"], "BZPOPMIN k 1"),
    (&["ZADD k 1 a 2 b 3 c"], "BZMPOP 1 1 k MAX COUNT 2"),
    (&["ZADD a 1 x", "ZADD b 2 y"], "ZUNIONSTORE d 2 a b"),
    (&["ZADD a 1 x", "ZADD b 2 y"], "ZINTERSTORE d 2 a b"),
    (&["ZADD a 1 x", "SET d v"], "ZDIFFSTORE d 1 q"),
    (&["ZADD a 1 x 2 y"], "ZRANGESTORE d a 0 -1"),
    // Transactions and scripts: the commands inside count.
    (
        &[],
        "EVAL return(redis.call('set','a','1')..redis.call('del','a','b')) 0",
    ),
    (
        &["SADD s a"],
        "EVAL return(redis.call('sadd',KEYS[1],'a','b','c')) 1 s",
    ),
];

fn words(line: &str) -> Vec<Vec<u8>> {
    line.split(' ')
        .map(|w| {
            if w == "\"\"" {
                Vec::new()
            } else {
                w.as_bytes().to_vec()
            }
        })
        .collect()
}

fn send(stream: &mut TcpStream, line: &str) -> Vec<u8> {
    let argv = words(line);
    let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    stream.write_all(&resp_command(&refs)).unwrap();
    read_reply(stream)
}

fn dirty(stream: &mut TcpStream) -> u64 {
    let info = send(stream, "INFO persistence");
    let text = String::from_utf8_lossy(&info);
    text.lines()
        .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("rdb_changes_since_last_save in INFO persistence")
}

/// The delta of each case, with the command's reply (to show what happened).
fn deltas(server: &Server, multi: bool) -> Vec<(u64, String)> {
    let mut stream = server.raw();
    let mut out = Vec::new();
    for (setup, command) in CASES {
        send(&mut stream, "FLUSHALL");
        for line in *setup {
            send(&mut stream, line);
        }
        let before = dirty(&mut stream);
        let reply = if multi {
            send(&mut stream, "MULTI");
            send(&mut stream, command);
            send(&mut stream, "EXEC")
        } else {
            send(&mut stream, command)
        };
        let after = dirty(&mut stream);
        out.push((after - before, String::from_utf8_lossy(&reply).into_owned()));
    }
    out
}

fn compare(multi: bool) {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let want = deltas(&redis, multi);
    let got = deltas(&seedis, multi);
    // The table exercises counting: most cases change something, some nothing.
    let changed = want.iter().filter(|(d, _)| *d > 0).count();
    assert!(
        changed > CASES.len() / 2,
        "redis counted too little: {want:?}"
    );
    assert!(changed < CASES.len(), "every case counted: {want:?}");
    if std::env::var_os("SEEDIS_SHOW_DIRTY").is_some() {
        for ((_, command), (d, _)) in CASES.iter().zip(&want) {
            eprintln!("+{d} {command}");
        }
    }
    let mut mismatches = Vec::new();
    for (((setup, command), w), g) in CASES.iter().zip(&want).zip(&got) {
        if w.0 != g.0 {
            mismatches.push(format!(
                "{setup:?} then {command}: redis +{} ({:?}), seedis +{} ({:?})",
                w.0, w.1, g.0, g.1
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "dirty deltas differ:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn dirty_counts_match_redis() {
    compare(false);
}

/// Inside MULTI/EXEC each command counts as it does alone (EXEC adds nothing).
#[test]
fn dirty_counts_match_redis_inside_exec() {
    compare(true);
}
