//! Server commands: TIME and SHUTDOWN. INFO is in `info.rs`, CONFIG in `config_cmd.rs`,
//! COMMAND in `command_cmd.rs`; containers are resolved by the table
//! ([`super::table::resolve`]).

use super::persistence::{prepare_for_shutdown, ShutdownFlags};
use super::table::*;
use super::{Action, Ctx};
use crate::resp::Reply;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, Group::Server, shutdown)
        .doc("1.0.0", "Synchronously save the dataset to disk and then shut down the server", "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)")
        .history(&[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")]),
    cmd("time", 1, LOADING | STALE | FAST, Group::Server, time).tips(&["nondeterministic_output"])
        .doc("2.6.0", "Return the current server time", "O(1)"),
];

// ---------------------------------------------------------------------------------------
// TIME, SHUTDOWN

fn time(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let now_us = ctx.server.now_us;
    Ok(Reply::Array(vec![
        Reply::bulk((now_us / 1_000_000).to_string()),
        Reply::bulk((now_us % 1_000_000).to_string()),
    ]))
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: saves first when save points are
/// configured (or SAVE), unless NOSAVE; a failed save keeps the server running unless
/// FORCE. seedis has no replicas to wait for (no shutdown grace period), so NOW changes
/// nothing and there is never a pending shutdown to ABORT. On success no reply reaches
/// the client: the loop closes everything.
fn shutdown(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (mut save, mut nosave, mut abort, mut other) = (false, false, false, false);
    let mut force = false;
    for arg in argv.get(1..).unwrap_or_default() {
        if arg.eq_ignore_ascii_case(b"nosave") {
            nosave = true;
        } else if arg.eq_ignore_ascii_case(b"save") {
            save = true;
        } else if arg.eq_ignore_ascii_case(b"now") {
            other = true;
        } else if arg.eq_ignore_ascii_case(b"force") {
            other = true;
            force = true;
        } else if arg.eq_ignore_ascii_case(b"abort") {
            abort = true;
        } else {
            return Err(Reply::err("ERR syntax error"));
        }
    }
    if (save && nosave) || (abort && (save || nosave || other)) {
        return Err(Reply::err("ERR syntax error"));
    }
    if abort {
        return Err(Reply::err("ERR No shutdown in progress."));
    }
    // A timed-out script: only NOSAVE may stop the server under it.
    if !nosave {
        if let Some(busy) = super::busy::busy_refusal(ctx.server) {
            return Err(busy);
        }
    }
    let flags = ShutdownFlags {
        save,
        nosave,
        force,
    };
    if !prepare_for_shutdown(ctx.storage, ctx.keyspace, ctx.server, flags) {
        return Err(Reply::err("ERR Errors trying to SHUTDOWN. Check logs."));
    }
    ctx.server.actions.push(Action::Shutdown);
    // The loop drops this reply with the connection; OK is what a caller would see if
    // it ever were written.
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{b, e, Harness};
    use proptest::prelude::*;

    #[test]
    fn time_splits_seconds_and_micros() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["TIME"]),
            Reply::Array(vec![b("1704067200"), b("123456")])
        );
        assert_eq!(
            h.run(&["time", "x"]),
            e("ERR wrong number of arguments for 'time' command")
        );
    }

    #[test]
    fn container_errors_match_redis() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["config"]),
            e("ERR wrong number of arguments for 'config' command")
        );
        assert_eq!(
            h.run(&["config", "foo"]),
            e("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
        );
        assert_eq!(
            h.run(&["Config", "foo"]),
            e("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
        );
        assert_eq!(
            h.run(&["config", "get"]),
            e("ERR wrong number of arguments for 'config|get' command")
        );
        assert_eq!(
            h.run(&["config", "resetstat", "x"]),
            e("ERR wrong number of arguments for 'config|resetstat' command")
        );
        assert_eq!(
            h.run(&["client", "foo"]),
            e("ERR unknown subcommand 'foo'. Try CLIENT HELP.")
        );
        assert_eq!(
            h.run(&["command", "foo"]),
            e("ERR unknown subcommand 'foo'. Try COMMAND HELP.")
        );
        assert_eq!(
            h.run(&["command", "count", "x"]),
            e("ERR wrong number of arguments for 'command|count' command")
        );
        assert_eq!(h.session.last_cmd, "NULL");
        h.run(&["client", "id"]);
        assert_eq!(h.session.last_cmd, "client|id");
    }

    #[test]
    fn shutdown_forms() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["shutdown", "abort"]),
            e("ERR No shutdown in progress.")
        );
        assert_eq!(h.run(&["shutdown", "foo"]), e("ERR syntax error"));
        assert_eq!(
            h.run(&["shutdown", "save", "nosave"]),
            e("ERR syntax error")
        );
        assert_eq!(h.run(&["shutdown", "now", "abort"]), e("ERR syntax error"));
        assert!(h.server.actions.is_empty());
        h.run(&["shutdown", "NOSAVE", "now"]);
        assert_eq!(h.server.actions, vec![Action::Shutdown]);
    }

    proptest! {
        /// Fuzzers send arbitrary argv: no admin command may panic on any of it.
        #[test]
        fn never_panics(
            name in prop::sample::select(vec![
                "config", "client", "command", "info", "shutdown", "time", "hello", "auth",
                "ping", "echo", "quit", "CONFIG", "nosuch",
            ]),
            sub in prop::sample::select(vec![
                "get", "set", "help", "resetstat", "rewrite", "id", "list", "kill", "info",
                "setname", "getname", "reply", "no-evict", "count", "docs", "getkeys", "3",
                "2", "type", "id", "*", "x",
            ]),
            rest in prop::collection::vec(
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..6),
                    prop::sample::select(vec![
                        b"hz".to_vec(), b"id".to_vec(), b"type".to_vec(), b"auth".to_vec(),
                        b"[".to_vec(), b"*".to_vec(), b"-1".to_vec(), b"0".to_vec(),
                        b"skipme".to_vec(), b"normal".to_vec(), b"get".to_vec(),
                    ]),
                ],
                0..6),
        ) {
            let mut h = Harness::new();
            h.other(9, "10.0.0.1:1");
            let mut argv = vec![Bytes::from(name), Bytes::from(sub)];
            argv.extend(rest.into_iter().map(Bytes::from));
            for n in 1..=argv.len() {
                let _ = h.argv(&argv[..n]);
            }
        }
    }
}
