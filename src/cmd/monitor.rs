//! MONITOR (server.c's `monitorCommand`, replication.c's `replicationFeedMonitors`): a
//! client that sends MONITOR receives every command the server runs afterwards, as one
//! status line each: `+<secs>.<µs> [<db> <addr>] "arg" "arg"...`. Administrative
//! commands and those flagged skip_monitor are never shown.

use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use crate::util::sds_repr;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("monitor", 1, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, monitor)
        .doc("1.0.0", "Listen for all requests received by the server in real time", ""),
];

/// The clients in MONITOR mode, by (fd, id): an entry whose client is gone is dropped
/// the first time a line cannot be delivered to it.
#[derive(Clone, Debug, Default)]
pub struct Monitors {
    clients: Vec<(u32, u64)>,
}

impl Monitors {
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

fn monitor(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.session.in_exec {
        // A transaction expects one reply per command (CLIENT_DENY_BLOCKING).
        return Err(Reply::err(
            "ERR MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    if ctx.session.monitor {
        // Already monitoring: Redis ignores it, with no reply at all.
        ctx.session.reply_skip = ctx.session.reply_skip.max(1);
        return Ok(Reply::OK);
    }
    ctx.session.monitor = true;
    let who = (ctx.session.fd, ctx.session.id);
    ctx.server.monitors.clients.push(who);
    Ok(Reply::OK)
}

/// `replicationFeedMonitors` after a command ran (the dispatcher calls it): the line
/// goes to every monitor, the running client included if it is one.
pub fn feed(ctx: &mut Ctx<'_>, cmd: &Command, argv: &[Bytes]) {
    if ctx.server.monitors.is_empty() || cmd.has(ADMIN) || cmd.has(SKIP_MONITOR) {
        return;
    }
    let now_us = ctx.clock.now_us();
    let mut line = format!(
        "{}.{:06} [{} {}] ",
        now_us / 1_000_000,
        now_us % 1_000_000,
        ctx.session.db,
        ctx.session.addr
    )
    .into_bytes();
    for (j, arg) in argv.iter().enumerate() {
        if j > 0 {
            line.push(b' ');
        }
        sds_repr(arg, &mut line);
    }
    let line = Reply::Simple(Bytes::from(line));
    let me = (ctx.session.fd, ctx.session.id);
    let mut monitors = std::mem::take(&mut ctx.server.monitors.clients);
    monitors.retain(|&(fd, id)| {
        if (fd, id) == me {
            ctx.session.pushes.push(line.clone());
            true
        } else {
            ctx.clients.deliver(fd, id, &line)
        }
    });
    ctx.server.monitors.clients = monitors;
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{e, Harness};
    use crate::resp::Reply;

    #[test]
    fn a_monitor_sees_the_commands_that_run_and_not_admin_ones() {
        let mut h = Harness::new();
        assert_eq!(h.run("MONITOR"), Reply::OK);
        h.session.pushes.clear();
        h.run(&["ECHO", "a b\n"]);
        h.run("CONFIG GET hz");
        assert_eq!(
            h.run("SET k v"),
            e("ERR Replica can't interact with the keyspace")
        );
        let lines: Vec<String> = h
            .session
            .pushes
            .drain(..)
            .map(|r| match r {
                Reply::Simple(s) => String::from_utf8_lossy(&s).into_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].ends_with(&format!(" [0 {}] \"ECHO\" \"a b\\n\"", h.session.addr)),
            "{}",
            lines[0]
        );
        let mut h = Harness::new();
        h.run("MULTI");
        h.run("MONITOR");
        let Reply::Array(replies) = h.run("EXEC") else {
            panic!()
        };
        assert_eq!(
            replies,
            vec![e("ERR MONITOR isn't allowed for DENY BLOCKING client")]
        );
    }
}
