//! WATCH and writes that change nothing, against a real redis-server 7.0: Redis dirties a
//! watcher only where a command calls signalModifiedKey, i.e. when it modified the key
//! (SET, INCRBY 0, HSET of the same value, PEXPIRE and LTRIM signal even without a
//! change; a duplicate SADD, an unchanged ZADD, ZINCRBY 0, SREM/HDEL/ZREM of absent
//! items, a failed SET NX, PERSIST without a TTL, LPOP of nothing and a WRONGTYPE error
//! do not). Each case: WATCH k, the write (on k, or on another key that names k), then
//! MULTI PING EXEC, whose reply (nil or [PONG]) must be Redis's.
//!
//! Found by the simulator's exact WATCH model (sim/src/model.rs): seedis used to dirty
//! watchers on every lookup-for-writing of an existing key. Commands now signal where
//! Redis's do (`Keyspace::signal_modified_key`).

mod common;

#[test]
fn noop_writes_leave_watch_clean() {
    let exec = |setup: &str, write: &'static str| -> Vec<String> {
        vec![
            setup.to_string(),
            "WATCH k".into(),
            write.into(),
            "MULTI".into(),
            "PING".into(),
            "EXEC".into(),
        ]
    };
    let cases = [
        exec("SADD k m", "SADD k m"),
        exec("SADD k m", "SREM k x"),
        exec("ZADD k 1 m", "ZADD k 1 m"),
        exec("ZADD k 1 m", "ZINCRBY k 0 m"),
        exec("ZADD k 1 m", "ZREM k x"),
        exec("HSET k f 1", "HDEL k x"),
        exec("HSET k f x", "HINCRBY k f 1"),
        exec("SET k 1", "SET k 2 NX"),
        exec("SET k 1", "PERSIST k"),
        exec("SET k 1", "LPOP k"),
        exec("RPUSH k a", "LREM k 0 x"),
        exec("SET k 1", "INCRBY k 0"),
        exec("HSET k f 1", "HSET k f 1"),
        // Strings and keys.
        exec("SET k 1", "SETRANGE k 0 ''"),
        exec("SET k 1", "APPEND k ''"),
        exec("SET k 1", "SET k 1 XX GET"),
        exec("SET k 1", "GETEX k"),
        exec("SET k 1", "GETEX k PERSIST"),
        exec("SET k 1", "GETDEL x"),
        exec("SET k 1", "EXPIRE k 100 XX"),
        exec("SET k 1", "EXPIRE k 100 GT"),
        exec("SET k 1", "PEXPIRE k 100"),
        exec("SET k 1", "RENAME k k"),
        exec("SET k 1", "RENAMENX x k"),
        exec("SET k 1", "COPY x k"),
        exec("SET k 1", "COPY k x"),
        exec("SET k 1", "MOVE k 1"),
        exec("SET k 1", "DEL x"),
        exec("SET k 1", "MSETNX k 2 y 3"),
        exec("SET k 1", "INCRBYFLOAT k 0"),
        // Lists.
        exec("RPUSH k a", "LTRIM k 0 -1"),
        exec("RPUSH k a", "LINSERT k BEFORE x y"),
        exec("RPUSH k a", "LSET k 0 a"),
        exec("RPUSH k a", "LPOP k 0"),
        exec("RPUSH k a", "RPOPLPUSH x k"),
        exec("RPUSH k a", "LMOVE k k LEFT RIGHT"),
        exec("RPUSH k a", "LPUSHX x a"),
        exec("RPUSH k a", "LMPOP 1 x LEFT"),
        exec("RPUSH k a", "BLPOP x 0.01"),
        // Sets.
        exec("SADD k m", "SMOVE k x y"),
        exec("SADD k m", "SMOVE x k m"),
        exec("SADD k m", "SPOP k 0"),
        exec("SADD k m", "SINTERSTORE k x"),
        exec("SADD k m", "SUNIONSTORE x y"),
        exec("SADD k m", "SDIFFSTORE k k"),
        // Sorted sets.
        exec("ZADD k 1 m", "ZADD k NX 2 m"),
        exec("ZADD k 1 m", "ZADD k GT 0 m"),
        exec("ZADD k 1 m", "ZREMRANGEBYSCORE k 5 6"),
        exec("ZADD k 1 m", "ZREMRANGEBYRANK k 5 6"),
        exec("ZADD k 1 m", "ZPOPMIN k 0"),
        exec("ZADD k 1 m", "ZMPOP 1 x MIN"),
        exec("ZADD k 1 m", "ZUNIONSTORE k 1 x"),
        exec("ZADD k 1 m", "ZRANGESTORE x k 5 6"),
        exec("ZADD k 1 m", "BZPOPMIN x 0.01"),
        // Hashes.
        exec("HSET k f 1", "HSETNX k f 2"),
        exec("HSET k f 1", "HINCRBYFLOAT k f 0"),
        // Databases and scripts.
        exec("SET k 1", "SWAPDB 1 2"),
        exec("SET k 1", "FLUSHDB"),
        exec("SET x 1", "FLUSHALL"),
        exec(
            "SADD k m",
            "EVAL 'return redis.call(\"sadd\", KEYS[1], \"m\")' 1 k",
        ),
        exec(
            "SADD k m",
            "EVAL 'return redis.call(\"sadd\", KEYS[1], \"n\")' 1 k",
        ),
    ];
    let scripts: Vec<Vec<&str>> = cases
        .iter()
        .map(|c| c.iter().map(String::as_str).collect())
        .collect();
    let refs: Vec<&[&str]> = scripts.iter().map(Vec::as_slice).collect();
    common::diff::assert_scripts_match(&refs);
}
