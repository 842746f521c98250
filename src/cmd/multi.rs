//! Transactions (multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH, and RESET.
//!
//! Queueing happens in [`super::table::dispatch`] (processCommand's job); EXEC runs the
//! queued commands one after the other through the same dispatch, so nothing else runs
//! in between (the loop is single-threaded and does not yield inside a command). Watched
//! keys live in the keyspace, which dirties watchers on every mutation path.

use super::table::*;
use super::{Ctx, MultiState};
use crate::resp::Reply;
use bytes::Bytes;

fn multi_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.session.multi.is_some() {
        return Err(Reply::err("ERR MULTI calls can not be nested"));
    }
    ctx.session.multi = Some(MultiState::default());
    Ok(Reply::OK)
}

fn discard_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.session.multi.take().is_none() {
        return Err(Reply::err("ERR DISCARD without MULTI"));
    }
    ctx.keyspace.unwatch_all(ctx.session.id);
    Ok(Reply::OK)
}

fn exec_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let Some(multi) = ctx.session.multi.take() else {
        return Err(Reply::err("ERR EXEC without MULTI"));
    };
    let id = ctx.session.id;
    let now = ctx.now_ms();
    if multi.errored {
        ctx.keyspace.unwatch_all(id);
        return Err(Reply::err(
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    // (The planted bug `watch-expiry-ignored` forgets isWatchedKeyExpired: a watched
    // key that expired but was not deleted yet goes unnoticed.)
    let failed = ctx.keyspace.watch_failed(
        id,
        if cfg!(feature = "planted-bug-watch-expiry-ignored") {
            0
        } else {
            now
        },
    );
    // (The planted bug `exec-keeps-watches` unwatches only when EXEC aborts.)
    if failed || !cfg!(feature = "planted-bug-exec-keeps-watches") {
        ctx.keyspace.unwatch_all(id);
    }
    if failed {
        return Ok(Reply::NullArray);
    }
    ctx.session.in_exec = true;
    let mut replies = Vec::with_capacity(multi.queued.len());
    for argv in &multi.queued {
        let reply = super::execute(ctx, argv);
        // The transaction's replies go out together: a client-sized reply later in it may
        // only take what the earlier ones left of the client's budget.
        let spent = super::client_sized::wire_len(&reply);
        ctx.session.reply_budget = ctx.session.reply_budget.saturating_sub(spent);
        replies.push(reply);
    }
    ctx.session.in_exec = false;
    ctx.session.last_cmd = "exec";
    Ok(Reply::Array(replies))
}

fn watch_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if ctx.session.multi.is_some() {
        return Err(Reply::err("ERR WATCH inside MULTI is not allowed"));
    }
    let now = ctx.now_ms();
    let (id, db) = (ctx.session.id, ctx.session.db);
    for key in &argv[1..] {
        ctx.keyspace.watch(id, db, key, now);
    }
    Ok(Reply::OK)
}

fn unwatch_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.keyspace.unwatch_all(ctx.session.id);
    Ok(Reply::OK)
}

/// RESET: leaves MULTI, unwatches, unsubscribes, selects db 0, RESP2, no name.
fn reset_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.session.multi = None;
    ctx.keyspace.unwatch_all(ctx.session.id);
    ctx.server.pubsub.remove_client(ctx.session);
    ctx.session.db = 0;
    ctx.session.resp = 2;
    ctx.session.name = None;
    // clientSetDefaultAuth: back to the default user.
    ctx.session.user = Bytes::from_static(b"default");
    ctx.session.authenticated = !ctx.server.acl.default_requires_auth();
    Ok(Reply::simple("RESET"))
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("discard", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Group::Transactions, discard_cmd)
        .doc("2.0.0", "Discard all commands issued after MULTI", "O(N), when N is the number of queued commands"),
    cmd("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG, Group::Transactions, exec_cmd)
        .doc("1.2.0", "Execute all commands issued after MULTI", "Depends on commands in the transaction"),
    cmd("multi", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Group::Transactions, multi_cmd)
        .doc("1.2.0", "Mark the start of a transaction block", "O(1)"),
    cmd("reset", 1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Group::Connection, reset_cmd)
        .doc("6.2.0", "Reset the connection", "O(1)"),
    cmd("unwatch", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Group::Transactions, unwatch_cmd)
        .doc("2.2.0", "Forget about all watched keys", "O(1)"),
    cmd("watch", -2, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Group::Transactions, watch_cmd).keys(&[range(1, -1, 1, RO)])
        .doc("2.2.0", "Watch the given keys to determine execution of the MULTI/EXEC block", "O(1) for every key."),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::Harness;
    use crate::resp::Reply;

    #[test]
    fn queue_exec_and_abort() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["EXEC"]), Reply::err("ERR EXEC without MULTI"));
        assert_eq!(h.run(&["MULTI"]), Reply::OK);
        assert_eq!(h.run(&["SET", "a", "1"]), Reply::simple("QUEUED"));
        assert_eq!(h.run(&["INCR", "a"]), Reply::simple("QUEUED"));
        assert_eq!(
            h.run(&["EXEC"]),
            Reply::Array(vec![Reply::OK, Reply::Integer(2)])
        );
        h.run(&["MULTI"]);
        assert!(h.run(&["NOSUCH"]).is_error());
        assert_eq!(
            h.run(&["EXEC"]),
            Reply::err("EXECABORT Transaction discarded because of previous errors.")
        );
        // WATCH then one's own write: EXEC fails, and the watch is gone afterwards.
        h.run(&["WATCH", "a"]);
        h.run(&["SET", "a", "5"]);
        h.run(&["MULTI"]);
        assert_eq!(h.run(&["EXEC"]), Reply::NullArray);
        h.run(&["MULTI"]);
        assert_eq!(h.run(&["EXEC"]), Reply::Array(vec![]));
        assert!(h.keyspace.tracked_clients().is_empty());
        h.keyspace.check_invariants().unwrap();
    }

    #[test]
    fn blocking_commands_do_not_block_inside_exec() {
        let mut h = Harness::new();
        h.run(&["MULTI"]);
        h.run(&["BLPOP", "q", "0"]);
        h.run(&["BLMOVE", "q", "d", "LEFT", "RIGHT", "0"]);
        assert_eq!(
            h.run(&["EXEC"]),
            Reply::Array(vec![Reply::NullArray, Reply::Null])
        );
        assert!(h.session.blocked.is_none());
        // Outside EXEC the command asks the loop to park the client.
        h.run(&["BLPOP", "q", "0"]);
        assert!(h.session.blocked.is_some());
        assert!(h.keyspace.is_blocked(h.session.id));
    }
}
