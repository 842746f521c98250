//! Database-level commands: SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, and DEBUG's
//! keyspace-related subcommands (SET-ACTIVE-EXPIRE, SLEEP).

use super::args::{is, ERR_SYNTAX};
use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use crate::util::int::string2ll;
use bytes::Bytes;

const ERR_DB_RANGE: &str = "ERR DB index is out of range";

/// getIntFromObjectOrReply with a custom message: an i32 by string2ll rules.
fn int_arg(arg: &[u8], msg: &'static str) -> Result<i32, Reply> {
    string2ll(arg)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or(Reply::err(msg))
}

fn select_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let id = int_arg(&argv[1], "ERR value is not an integer or out of range")?;
    if id < 0 || id as usize >= ctx.keyspace.databases() {
        return Err(Reply::err(ERR_DB_RANGE));
    }
    ctx.session.db = id as usize;
    Ok(Reply::OK)
}

fn swapdb_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let a = int_arg(&argv[1], "ERR invalid first DB index")?;
    let b = int_arg(&argv[2], "ERR invalid second DB index")?;
    let n = ctx.keyspace.databases();
    if a < 0 || b < 0 || a as usize >= n || b as usize >= n {
        return Err(Reply::err(ERR_DB_RANGE));
    }
    // Sessions keep their index, so every client now sees the other database's data, as
    // in Redis (which swaps the dicts under the db structs clients point to).
    let now = ctx.now_ms();
    ctx.keyspace.swap_db(a as usize, b as usize, now);
    ctx.add_dirty(1);
    Ok(Reply::OK)
}

fn dbsize_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(ctx.keyspace.dbsize(ctx.session.db) as i64))
}

/// getFlushCommandFlags: at most one argument, ASYNC or SYNC (both act synchronously
/// here: there is no background thread to free memory on).
fn flush_args_ok(argv: &[Bytes]) -> bool {
    match argv.len() {
        1 => true,
        2 => is(&argv[1], "sync") || is(&argv[1], "async"),
        _ => false,
    }
}

fn flushdb_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if !flush_args_ok(argv) {
        return Err(Reply::err(ERR_SYNTAX));
    }
    // emptyData counts the keys removed; the flush is propagated even if none were.
    let removed = ctx.keyspace.dbsize(ctx.session.db) as u64;
    ctx.keyspace.flush_db(ctx.session.db);
    ctx.add_dirty(removed);
    ctx.force_propagation();
    Ok(Reply::OK)
}

fn flushall_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if !flush_args_ok(argv) {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let removed: u64 = (0..ctx.keyspace.databases())
        .map(|db| ctx.keyspace.dbsize(db) as u64)
        .sum();
    ctx.keyspace.flush_all();
    ctx.add_dirty(removed);
    super::persistence::reset_rdb_after_flushall(ctx);
    ctx.force_propagation();
    Ok(Reply::OK)
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("dbsize", 1, READONLY | FAST, Group::Server, dbsize_cmd).acl(ACL_KEYSPACE).tips(&["request_policy:all_shards", "response_policy:agg_sum"])
        .doc("1.0.0", "Return the number of keys in the selected database", "O(1)"),
    cmd("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, super::debug::debug_cmd)
        .doc("1.0.0", "A container for debugging commands", "Depends on subcommand.").doc_flags(DOC_SYSCMD),
    cmd("flushall", -1, WRITE, Group::Server, flushall_cmd).acl(ACL_DANGEROUS | ACL_KEYSPACE).tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .doc("1.0.0", "Remove all keys from all databases", "O(N) where N is the total number of keys in all databases")
        .history(&[("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")]),
    cmd("flushdb", -1, WRITE, Group::Server, flushdb_cmd).acl(ACL_DANGEROUS | ACL_KEYSPACE).tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .doc("1.0.0", "Remove all keys from the current database", "O(N) where N is the number of keys in the selected database")
        .history(&[("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")]),
    cmd("select", 2, LOADING | STALE | FAST, Group::Connection, select_cmd)
        .doc("1.0.0", "Change the selected database for the current connection", "O(1)"),
    cmd("swapdb", 3, WRITE | FAST, Group::Server, swapdb_cmd).acl(ACL_DANGEROUS | ACL_KEYSPACE)
        .doc("4.0.0", "Swaps two Redis databases", "O(N) where N is the count of clients watching or blocking on keys from both databases."),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn select_swapdb_flush() {
        let mut h = Harness::new();
        assert_eq!(h.run("SELECT 16"), e("ERR DB index is out of range"));
        assert_eq!(
            h.run("SELECT x"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("SWAPDB x 1"), e("ERR invalid first DB index"));
        assert_eq!(h.run("SWAPDB 1 x"), e("ERR invalid second DB index"));
        assert_eq!(h.run("SWAPDB 1 99"), e("ERR DB index is out of range"));
        h.run("SET a 1");
        assert_eq!(h.run("SWAPDB 0 2"), Reply::OK);
        assert_eq!(h.run("DBSIZE"), i(0));
        assert_eq!(h.run("SELECT 2"), Reply::OK);
        assert_eq!(h.run("DBSIZE"), i(1));
        assert_eq!(h.run("FLUSHDB foo"), e("ERR syntax error"));
        assert_eq!(h.run("FLUSHDB ASYNC SYNC"), e("ERR syntax error"));
        assert_eq!(h.run("FLUSHDB sync"), Reply::OK);
        assert_eq!(h.run("DBSIZE"), i(0));
        h.run("SET a 1");
        assert_eq!(h.run("FLUSHALL ASYNC"), Reply::OK);
        assert_eq!(h.keyspace.info_keyspace(), "");
    }

    #[test]
    fn debug_subcommands() {
        let mut h = Harness::new();
        assert_eq!(h.run("DEBUG SET-ACTIVE-EXPIRE 0"), Reply::OK);
        assert!(!h.server.config.active_expire_enabled);
        assert_eq!(h.run("DEBUG set-active-expire 1"), Reply::OK);
        assert!(h.server.config.active_expire_enabled);
        let start = h.server.now_us;
        assert_eq!(h.run("DEBUG SLEEP 0.5"), Reply::OK);
        assert_eq!(h.server.now_us, start + 500_000);
        assert!(h.run("DEBUG nope").is_error());
        for no_sleep in ["-1", "1e13", "1e60", "nan", "-inf"] {
            assert_eq!(h.run(&format!("DEBUG SLEEP {no_sleep}")), Reply::OK);
        }
        assert_eq!(h.server.now_us, start + 500_000, "none of those sleeps");
        assert_eq!(h.run("DEBUG SLEEP 9000000000000"), Reply::OK);
        assert_eq!(h.server.now_us, start + 500_000 + 9_000_000_000_000_000_000);
        // The slow log sees the sleep, as Redis's does (the sleep is inside the command).
        h.run("CONFIG SET slowlog-log-slower-than 100000");
        h.run("SLOWLOG RESET");
        h.run("DEBUG SLEEP 0.2");
        let crate::resp::Reply::Array(entries) = h.run("SLOWLOG GET") else {
            panic!()
        };
        assert_eq!(entries.len(), 1);
    }
}
