//! SLOWLOG (slowlog.c): commands that ran for at least `slowlog-log-slower-than`
//! microseconds, newest first, at most `slowlog-max-len` of them. The entries are
//! recorded by the dispatcher ([`super::table::dispatch`]) with the time it measured.

use super::args::arg_range;
use super::reply::help_reply;
use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use bytes::Bytes;
use std::collections::VecDeque;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("slowlog", -2, 0, Group::Server, container).subcommands(SLOWLOG_SUBCOMMANDS)
        .doc("2.2.12", "A container for slow log commands", "Depends on subcommand."),
];

#[rustfmt::skip]
const SLOWLOG_SUBCOMMANDS: &[Command] = &[
    cmd("slowlog|get", -2, ADMIN | LOADING | STALE, Group::Server, slowlog_get).tips(&["request_policy:all_nodes", "nondeterministic_output"])
        .doc("2.2.12", "Get the slow log's entries", "O(N) where N is the number of entries returned")
        .history(&[("4.0.0", "Added client IP address, port and name to the reply.")]),
    cmd("slowlog|help", 2, LOADING | STALE, Group::Server, slowlog_help)
        .doc("6.2.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("slowlog|len", 2, ADMIN | LOADING | STALE, Group::Server, slowlog_len).tips(&["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"])
        .doc("2.2.12", "Get the slow log's length", "O(1)"),
    cmd("slowlog|reset", 2, ADMIN | LOADING | STALE, Group::Server, slowlog_reset).tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .doc("2.2.12", "Clear all entries from the slow log", "O(N) where N is the number of entries in the slowlog"),
];

/// SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING.
const MAX_ARGC: usize = 32;
const MAX_STRING: usize = 128;

#[derive(Clone, Debug)]
pub struct Entry {
    id: u64,
    time_s: u64,
    duration_us: u64,
    argv: Vec<Bytes>,
    peer: String,
    name: Bytes,
}

#[derive(Clone, Debug, Default)]
pub struct Slowlog {
    /// Newest first.
    entries: VecDeque<Entry>,
    next_id: u64,
}

impl Slowlog {
    /// `slowlogPushEntryIfNeeded`: logged if `duration_us >= slower_than` (a negative
    /// threshold disables the log), then trimmed to `max_len`. Long argument lists and
    /// long arguments are cut as Redis cuts them.
    #[allow(clippy::too_many_arguments)]
    pub fn push_if_needed(
        &mut self,
        argv: &[Bytes],
        duration_us: u64,
        slower_than: i64,
        max_len: u64,
        now_s: u64,
        peer: &str,
        name: &Bytes,
    ) {
        if slower_than < 0 {
            return;
        }
        if duration_us >= slower_than as u64 {
            let argc = argv.len().min(MAX_ARGC);
            let mut logged = Vec::with_capacity(argc);
            for (j, arg) in argv.iter().take(argc).enumerate() {
                if argc != argv.len() && j == argc - 1 {
                    let more = argv.len() - argc + 1;
                    logged.push(Bytes::from(format!("... ({more} more arguments)")));
                } else if arg.len() > MAX_STRING {
                    let mut cut = arg[..MAX_STRING].to_vec();
                    cut.extend_from_slice(
                        format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes(),
                    );
                    logged.push(Bytes::from(cut));
                } else {
                    logged.push(arg.clone());
                }
            }
            self.entries.push_front(Entry {
                id: self.next_id,
                time_s: now_s,
                duration_us,
                argv: logged,
                peer: peer.to_string(),
                name: name.clone(),
            });
            self.next_id += 1;
        }
        self.trim(max_len);
    }

    /// Drops the oldest entries past `max_len` (after every command, as Redis does, so a
    /// lowered `slowlog-max-len` takes effect at once).
    pub fn trim(&mut self, max_len: u64) {
        while self.entries.len() as u64 > max_len {
            self.entries.pop_back();
        }
    }
}

fn slowlog_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    ))
}

fn slowlog_reset(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.server.slowlog.entries.clear();
    Ok(Reply::OK)
}

fn slowlog_len(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(ctx.server.slowlog.entries.len() as i64))
}

fn slowlog_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        // addReplySubcommandSyntaxError, echoing the subcommand as typed.
        return Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand or wrong number of arguments for '",
                crate::util::printf_s(&argv[1], 128),
                b"'. Try SLOWLOG HELP.",
            ]
            .concat(),
        ));
    }
    let count = match argv.get(2) {
        None => 10,
        Some(arg) => {
            let n = arg_range(
                arg,
                -1,
                i64::MAX,
                Some("ERR count should be greater than or equal to -1"),
            )?;
            if n == -1 {
                ctx.server.slowlog.entries.len()
            } else {
                usize::try_from(n).unwrap_or(usize::MAX)
            }
        }
    };
    let entries = ctx.server.slowlog.entries.iter().take(count);
    Ok(Reply::Array(
        entries
            .map(|e| {
                Reply::Array(vec![
                    Reply::Integer(e.id as i64),
                    Reply::Integer(e.time_s as i64),
                    Reply::Integer(e.duration_us as i64),
                    Reply::Array(e.argv.iter().cloned().map(Reply::Bulk).collect()),
                    Reply::bulk(e.peer.clone()),
                    Reply::Bulk(e.name.clone()),
                ])
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn slowlog_keeps_the_newest_entries_cut_as_redis_cuts_them() {
        let mut h = Harness::new();
        h.run("CONFIG SET slowlog-log-slower-than 0");
        h.run("CONFIG SET slowlog-max-len 3");
        h.run("SLOWLOG RESET");
        let long = "x".repeat(200);
        h.run(&format!("SET k {long}"));
        let mut many = vec!["RPUSH".to_string(), "l".to_string()];
        many.extend((0..40).map(|n| n.to_string()));
        h.run(&many.iter().map(String::as_str).collect::<Vec<_>>()[..]);
        let Reply::Array(entries) = h.run("SLOWLOG GET") else {
            panic!()
        };
        // Newest first; CONFIG SET and SLOWLOG RESET were logged too, and the oldest fell
        // off at 3 entries.
        assert_eq!(entries.len(), 3);
        let Reply::Array(newest) = &entries[0] else {
            panic!()
        };
        let Reply::Array(args) = &newest[3] else {
            panic!()
        };
        assert_eq!(args.len(), 32);
        assert_eq!(args[31], b("... (11 more arguments)"));
        let Reply::Array(set) = &entries[1] else {
            panic!()
        };
        let Reply::Array(args) = &set[3] else {
            panic!()
        };
        assert_eq!(
            args[2],
            b(&format!("{}... (72 more bytes)", "x".repeat(128)))
        );
        assert_eq!(h.run("SLOWLOG LEN"), i(3));
        assert_eq!(
            h.run("SLOWLOG GET -2"),
            e("ERR count should be greater than or equal to -1")
        );
        h.run("CONFIG SET slowlog-log-slower-than -1");
        h.run("SLOWLOG RESET");
        h.run("PING");
        assert_eq!(h.run("SLOWLOG LEN"), i(0));
    }
}
