//! DEBUG: Redis's `debugCommand` (debug.c), the subcommands a test suite or an operator
//! uses that make sense in seedis. Crash subcommands (SEGFAULT, PANIC, ASSERT, OOM),
//! allocator controls (MALLCTL), replication and cluster ones are not here: they answer
//! the unknown-subcommand error.
//!
//! Redis refuses DEBUG unless `enable-debug-command` allows it for this client; that check
//! is in the dispatcher (`table::protected_command_refused`), before authentication, as in
//! processCommand.

use super::args::is;
use super::table::*;
use super::Ctx;
use crate::db::digest::hex;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use crate::util::float::strtod;
use crate::util::int::{atoi, string2ll};
use crate::util::printf_s;
use bytes::{BufMut, Bytes, BytesMut};
use std::time::Duration;

/// `DEBUG HELP`, line for line as Redis 7.0.15 built with jemalloc prints it.
const HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
    "HELP",
    "    Prints this help.",
];

const PROTOCOL_TYPES: &str = "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

pub(super) fn debug_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let sub = &argv[1];
    let argc = argv.len();
    if is(sub, "help") && argc == 2 {
        Ok(Reply::Array(
            HELP.iter().map(|l| Reply::simple(l)).collect(),
        ))
    } else if is(sub, "set-active-expire") && argc == 3 {
        ctx.server.config.active_expire_enabled = atoi(&argv[2]) != 0;
        Ok(Reply::OK)
    } else if is(sub, "sleep") && argc == 3 {
        sleep(ctx, &argv[2]);
        Ok(Reply::OK)
    } else if is(sub, "object") && argc == 3 {
        object(ctx, &argv[2])
    } else if is(sub, "populate") && (3..=5).contains(&argc) {
        populate(ctx, argv)
    } else if is(sub, "digest") && argc == 2 {
        Ok(Reply::status(hex(&ctx.keyspace.digest())))
    } else if is(sub, "digest-value") {
        let db = ctx.session.db;
        let digests = argv[2..]
            .iter()
            .map(|key| Reply::status(hex(&ctx.keyspace.digest_value(db, key))))
            .collect();
        Ok(Reply::Array(digests))
    } else if is(sub, "protocol") && argc == 3 {
        protocol(ctx, &argv[2])
    } else if is(sub, "reload") {
        super::persistence::debug_reload(ctx, &argv[2..])
    } else if is(sub, "loadaof") {
        super::aof::debug_loadaof(ctx)
    } else if is(sub, "error") && argc == 3 {
        // The argument is the whole error line, code included; CR/LF become spaces.
        Err(Reply::Error(argv[2].clone()))
    } else {
        Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand or wrong number of arguments for '",
                printf_s(sub, 128),
                b"'. Try DEBUG HELP.",
            ]
            .concat(),
        ))
    }
}

fn sleep(ctx: &mut Ctx<'_>, arg: &[u8]) {
    // `strtod(argv[2], NULL)`: the longest number at the start, else 0.
    let secs = strtod(arg).value;
    // Redis: `long long utime = dtime*1000000;` then nanosleep. On x86-64 a product
    // outside i64, or NaN, converts to i64::MIN, and nanosleep refuses any negative time:
    // redis-server 7.0.15 answers +OK at once to DEBUG SLEEP -1, 1e13 or 1e60.
    let micros = secs * 1_000_000.0;
    let micros = if (0.0..9_223_372_036_854_775_808.0).contains(&micros) {
        micros as u64
    } else {
        0
    };
    ctx.clock.sleep(Duration::from_micros(micros));
    ctx.server.now_us = ctx.clock.now_us();
}

/// `DEBUG OBJECT key`: Redis's line. The address is the value's; `refcount` as OBJECT
/// REFCOUNT; `lru` the key's access clock and `lru_seconds_idle` read as an LRU clock
/// whatever the policy (as Redis prints them); `serializedlength` the value's RDB
/// encoding length.
fn object(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let db = ctx.session.db;
    let lru = ctx.keyspace.lru_of(db, key).unwrap_or(0);
    let idle = ctx.keyspace.access.idle_ms(lru) / 1000;
    // dictFind: no lazy expiry, no hit/miss counting.
    let Some(value) = ctx.keyspace.db(db).dict.get(key) else {
        return Err(Reply::err("ERR no such key"));
    };
    // OBJ_SHARED_REFCOUNT: the integers 0..9999 are shared objects.
    let shared = value.encoding_name() == "int"
        && value
            .as_str()
            .and_then(|s| string2ll(&s))
            .is_some_and(|n| (0..10_000).contains(&n));
    let refcount = if shared { i64::from(i32::MAX) } else { 1 };
    // rdbSavedObjectLen: the value's encoding without its type byte; the DUMP payload
    // adds the type byte and a 10-byte footer (version, CRC64).
    let serialized = crate::persist::rdb::dump_payload(value)
        .len()
        .saturating_sub(11);
    let mut extra = String::new();
    if let Value::List(list) = value {
        let nodes = list.nodes().count();
        let uncompressed: usize = list.nodes().map(|n| n.bytes_len()).sum();
        let avg = list.len() as f64 / nodes.max(1) as f64;
        extra = format!(
            " ql_nodes:{nodes} ql_avg_node:{avg:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{uncompressed}",
            ctx.server.config.list_max_listpack_size,
            i32::from(ctx.server.config.get("list-compress-depth").as_deref() != Some("0")),
        );
    }
    Ok(Reply::Simple(Bytes::from(format!(
        "Value at:{:p} refcount:{refcount} encoding:{} serializedlength:{serialized} lru:{lru} lru_seconds_idle:{idle}{extra}",
        value as *const Value,
        value.encoding_name(),
    ))))
}

/// `getPositiveLongFromObjectOrReply` with no message of its own: one error for a
/// negative number and for no number at all.
fn positive_long(arg: &[u8]) -> Result<i64, Reply> {
    match string2ll(arg) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(Reply::err("ERR value is out of range, must be positive")),
    }
}

/// `DEBUG POPULATE count [prefix] [size]`: string keys `prefix:j` holding `value:j`
/// (padded with zero bytes, or cut, to `size`), skipping keys that exist.
fn populate(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let count = positive_long(&argv[2])?;
    let size = match argv.get(4) {
        Some(arg) => Some(positive_long(arg)?).filter(|&n| n > 0),
        None => None,
    };
    let prefix: &[u8] = argv.get(3).map_or(b"key", |p| &p[..]);
    let db = ctx.session.db;
    let now = ctx.now_ms();
    for j in 0..count {
        let mut key = BytesMut::with_capacity(prefix.len() + 21);
        key.put_slice(prefix);
        key.put_slice(format!(":{j}").as_bytes());
        if ctx.keyspace.exists(db, &key, now) {
            continue;
        }
        let text = format!("value:{j}");
        let data = match size {
            None => Bytes::from(text),
            Some(size) => {
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                let mut data = vec![0u8; size];
                let n = size.min(text.len());
                data[..n].copy_from_slice(&text.as_bytes()[..n]);
                Bytes::from(data)
            }
        };
        ctx.keyspace
            .set(db, key.freeze(), Value::str_plain(data), Ttl::Clear);
    }
    Ok(Reply::OK)
}

/// `DEBUG PROTOCOL type`: one test value of each RESP3 type.
fn protocol(ctx: &mut Ctx<'_>, name: &[u8]) -> CmdResult {
    let reply = if is(name, "string") {
        Reply::bulk("Hello World")
    } else if is(name, "integer") {
        Reply::Integer(12345)
    } else if is(name, "double") {
        // Redis's literal, not pi.
        #[allow(clippy::approx_constant)]
        Reply::Double(3.141)
    } else if is(name, "bignum") {
        Reply::BigNum(Bytes::from_static(b"1234567999999999999999999999999999999"))
    } else if is(name, "null") {
        Reply::Null
    } else if is(name, "array") {
        Reply::Array((0..3).map(Reply::Integer).collect())
    } else if is(name, "set") {
        Reply::Set((0..3).map(Reply::Integer).collect())
    } else if is(name, "map") {
        Reply::Map(
            (0..3)
                .map(|j| (Reply::Integer(j), Reply::Bool(j == 1)))
                .collect(),
        )
    } else if is(name, "attrib") {
        if ctx.session.resp >= 3 {
            ctx.session.pushes.push(Reply::Attribute(vec![(
                Reply::bulk("key-popularity"),
                Reply::Array(vec![Reply::bulk("key:123"), Reply::Integer(90)]),
            )]));
        }
        // An attribute is not a reply: a real one follows it.
        Reply::bulk("Some real reply following the attribute")
    } else if is(name, "push") {
        if ctx.session.resp < 3 {
            return Err(Reply::err("ERR RESP2 is not supported by this command"));
        }
        ctx.session.pushes.push(Reply::Push(vec![
            Reply::bulk("server-cpu-usage"),
            Reply::Integer(42),
        ]));
        // A push is out of band: a synchronous reply follows it.
        Reply::bulk("Some real reply following the push reply")
    } else if is(name, "true") {
        Reply::Bool(true)
    } else if is(name, "false") {
        Reply::Bool(false)
    } else if is(name, "verbatim") {
        Reply::Verbatim("txt", Bytes::from_static(b"This is a verbatim\nstring"))
    } else {
        return Err(Reply::err(PROTOCOL_TYPES));
    };
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{e, Harness};
    use crate::resp::Reply;

    fn digest(h: &mut Harness) -> Reply {
        h.run("DEBUG DIGEST")
    }

    #[test]
    fn digest_ignores_encoding_and_sees_ttl_and_db() {
        let mut h = Harness::new();
        assert_eq!(digest(&mut h), Reply::status("0".repeat(40)));
        h.run("SADD s 1 2 3");
        let intset = digest(&mut h);
        // Converted to a hashtable and back to the same members: same digest.
        h.run("SADD s x");
        h.run("SREM s x");
        assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("hashtable"));
        assert_eq!(digest(&mut h), intset);
        h.run("EXPIRE s 100");
        let with_ttl = digest(&mut h);
        assert_ne!(with_ttl, intset);
        h.run("PERSIST s");
        assert_eq!(digest(&mut h), intset);
        h.run("MOVE s 1");
        assert_ne!(digest(&mut h), intset, "the db index is hashed");
    }

    #[test]
    fn populate_and_errors() {
        let mut h = Harness::new();
        h.run("SET key:1 mine");
        assert_eq!(h.run("DEBUG POPULATE 3"), Reply::OK);
        assert_eq!(
            h.run("GET key:1"),
            Reply::bulk("mine"),
            "existing keys are kept"
        );
        assert_eq!(h.run("GET key:2"), Reply::bulk("value:2"));
        assert_eq!(h.run("DEBUG POPULATE 1 p 9"), Reply::OK);
        assert_eq!(h.run("STRLEN p:0"), crate::cmd::testkit::i(9));
        assert_eq!(
            h.run("DEBUG POPULATE -1"),
            e("ERR value is out of range, must be positive")
        );
        assert_eq!(h.run("DEBUG ERROR BOOM"), e("BOOM"));
        assert_eq!(h.run("DEBUG OBJECT nokey"), e("ERR no such key"));
    }
}
