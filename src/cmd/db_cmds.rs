//! Database-level commands: SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, and DEBUG's
//! keyspace-related subcommands (SET-ACTIVE-EXPIRE, SLEEP).

use super::context::Action;
use super::strings::{is, ERR_SYNTAX};
use super::table::*;
use super::Ctx;
use crate::db::value::parse_i64;
use crate::resp::Reply;
use bytes::Bytes;
use std::time::Duration;

const ERR_DB_RANGE: &str = "ERR DB index is out of range";

/// getIntFromObjectOrReply with a custom message: an i32 by string2ll rules.
fn int_arg(arg: &[u8], msg: &'static str) -> Result<i32, Reply> {
    parse_i64(arg)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or(Reply::err(msg))
}

fn select_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let id = match int_arg(&argv[1], "ERR value is not an integer or out of range") {
        Ok(id) => id,
        Err(e) => return e,
    };
    if id < 0 || id as usize >= ctx.keyspace.databases() {
        return Reply::err(ERR_DB_RANGE);
    }
    ctx.session.db = id as usize;
    Reply::OK
}

fn swapdb_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let a = match int_arg(&argv[1], "ERR invalid first DB index") {
        Ok(v) => v,
        Err(e) => return e,
    };
    let b = match int_arg(&argv[2], "ERR invalid second DB index") {
        Ok(v) => v,
        Err(e) => return e,
    };
    let n = ctx.keyspace.databases();
    if a < 0 || b < 0 || a as usize >= n || b as usize >= n {
        return Reply::err(ERR_DB_RANGE);
    }
    // Sessions keep their index, so every client now sees the other database's data, as
    // in Redis (which swaps the dicts under the db structs clients point to).
    ctx.keyspace.swap_db(a as usize, b as usize);
    Reply::OK
}

fn dbsize_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    Reply::Integer(ctx.keyspace.dbsize(ctx.session.db) as i64)
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

fn flushdb_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if !flush_args_ok(argv) {
        return Reply::err(ERR_SYNTAX);
    }
    ctx.keyspace.flush_db(ctx.session.db);
    Reply::OK
}

fn flushall_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if !flush_args_ok(argv) {
        return Reply::err(ERR_SYNTAX);
    }
    ctx.keyspace.flush_all();
    Reply::OK
}

/// C's atoi: optional leading whitespace and sign, then digits; anything else stops it.
fn atoi(arg: &[u8]) -> i64 {
    let s = arg.trim_ascii_start();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.wrapping_mul(10).wrapping_add((c - b'0') as i64);
    }
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

/// C's strtod prefix parse, as DEBUG SLEEP uses it: the longest float prefix, else 0.
fn strtod_prefix(arg: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(arg.trim_ascii_start()).into_owned();
    (1..=s.len())
        .rev()
        .filter(|&n| s.is_char_boundary(n))
        .find_map(|n| s[..n].parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// DEBUG, keyspace subcommands only. Redis 7.0 refuses DEBUG unless
/// enable-debug-command is set; seedis allows these harmless ones for tests.
fn debug_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    if is(sub, "set-active-expire") && argv.len() == 3 {
        ctx.server.config.active_expire_enabled = atoi(&argv[2]) != 0;
        Reply::OK
    } else if is(sub, "sleep") && argv.len() == 3 {
        let secs = strtod_prefix(&argv[2]);
        // Negative, NaN or absurd durations sleep 0 / are clamped rather than panic.
        let micros = (secs * 1_000_000.0).clamp(0.0, u64::MAX as f64) as u64;
        ctx.server
            .actions
            .push(Action::Sleep(Duration::from_micros(micros)));
        Reply::OK
    } else {
        let shown = String::from_utf8_lossy(sub);
        Reply::error(format!(
            "ERR unknown subcommand or wrong number of arguments for '{shown}'. Try DEBUG HELP."
        ))
    }
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("dbsize", 1, READONLY | FAST, Group::Server, dbsize_cmd).acl(ACL_KEYSPACE).tips(&["request_policy:all_shards", "response_policy:agg_sum"])
        .doc("1.0.0", "Return the number of keys in the selected database", "O(1)"),
    cmd("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, debug_cmd)
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
    use crate::cmd::strings::harness::{e, i, H};
    use crate::cmd::Action;
    use crate::resp::Reply;

    #[test]
    fn select_swapdb_flush() {
        let mut h = H::new();
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
        assert_eq!(h.ks.info_keyspace(), "");
    }

    #[test]
    fn debug_subcommands() {
        let mut h = H::new();
        assert_eq!(h.run("DEBUG SET-ACTIVE-EXPIRE 0"), Reply::OK);
        assert!(!h.server.config.active_expire_enabled);
        assert_eq!(h.run("DEBUG set-active-expire 1"), Reply::OK);
        assert!(h.server.config.active_expire_enabled);
        assert_eq!(h.run("DEBUG SLEEP 0.5"), Reply::OK);
        assert_eq!(
            h.server.actions,
            vec![Action::Sleep(std::time::Duration::from_millis(500))]
        );
        assert!(h.run("DEBUG nope").is_error());
        assert_eq!(h.run("DEBUG SLEEP -1"), Reply::OK);
    }
}
