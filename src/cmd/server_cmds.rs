//! Server commands: TIME, SHUTDOWN and COMMAND, the tables of the CONFIG and COMMAND
//! containers (CONFIG's handlers are in `config_cmd.rs`, INFO's in `info.rs`), plus the
//! subcommand plumbing every container command (CONFIG, CLIENT, COMMAND) shares.
//!
//! Container commands: Redis 7.0 resolves `CONFIG GET` to the subcommand `config|get`
//! before it checks arity or authentication, and reports errors under the full name. The
//! table keeps one entry per container; [`resolve`] finds the subcommand so that
//! [`super::table::dispatch`] can check arity and auth the way Redis does.

use super::connection;
use super::reply::help_reply;
use super::table::{self, CmdResult, Command};
use super::{Action, Ctx};
use crate::resp::Reply;
use crate::util::glob::stringmatchlen;
use crate::util::{c_str, printf_s};
use bytes::Bytes;

pub const COMMANDS: &[Command] = &[
    Command {
        name: "command",
        arity: -1,
        flags: &["loading", "stale"],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["slow", "connection"],
        summary: "Get array of Redis command details",
        since: "2.8.13",
        group: "server",
        handler: command,
    },
    Command {
        name: "config",
        arity: -2,
        flags: &[],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["slow"],
        summary: "A container for server configuration commands",
        since: "2.0.0",
        group: "server",
        handler: container,
    },
    Command {
        name: "info",
        arity: -1,
        flags: &["loading", "stale"],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["slow", "dangerous"],
        summary: "Get information and statistics about the server",
        since: "1.0.0",
        group: "server",
        handler: super::info::info,
    },
    Command {
        name: "shutdown",
        arity: -1,
        flags: &[
            "admin",
            "noscript",
            "loading",
            "stale",
            "no_multi",
            "allow_busy",
        ],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["admin", "slow", "dangerous"],
        summary: "Synchronously save the dataset to disk and then shut down the server",
        since: "1.0.0",
        group: "server",
        handler: shutdown,
    },
    Command {
        name: "time",
        arity: 1,
        flags: &["loading", "stale", "fast"],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl: &["fast"],
        summary: "Return the current server time",
        since: "2.6.0",
        group: "server",
        handler: time,
    },
];

/// A subcommand entry of a server-group container (full name `container|sub`).
const fn sub(
    name: &'static str,
    arity: i32,
    flags: &'static [&'static str],
    acl: &'static [&'static str],
    summary: &'static str,
    since: &'static str,
    handler: table::Handler,
) -> Command {
    Command {
        name,
        arity,
        flags,
        first_key: 0,
        last_key: 0,
        step: 0,
        acl,
        summary,
        since,
        group: "server",
        handler,
    }
}

const CONFIG_ADMIN: &[&str] = &["admin", "noscript", "loading", "stale"];
const ADMIN_ACL: &[&str] = &["admin", "slow", "dangerous"];
const INTROSPECT: &[&str] = &["loading", "stale"];
const INTROSPECT_ACL: &[&str] = &["slow", "connection"];

/// CONFIG's subcommands, sorted by name.
pub const CONFIG_SUBCOMMANDS: &[Command] = &[
    sub(
        "config|get",
        -3,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Get the values of configuration parameters",
        "2.0.0",
        super::config_cmd::config_get,
    ),
    sub(
        "config|help",
        2,
        INTROSPECT,
        &["slow"],
        "Show helpful text about the different subcommands",
        "5.0.0",
        super::config_cmd::config_help,
    ),
    sub(
        "config|resetstat",
        2,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Reset the stats returned by INFO",
        "2.0.0",
        super::config_cmd::config_resetstat,
    ),
    sub(
        "config|rewrite",
        2,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Rewrite the configuration file with the in memory configuration",
        "2.8.0",
        super::config_cmd::config_rewrite,
    ),
    sub(
        "config|set",
        -4,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Set configuration parameters to the given values",
        "2.0.0",
        super::config_cmd::config_set,
    ),
];

/// COMMAND's subcommands, sorted by name.
pub const COMMAND_SUBCOMMANDS: &[Command] = &[
    sub(
        "command|count",
        2,
        INTROSPECT,
        INTROSPECT_ACL,
        "Get total number of Redis commands",
        "2.8.13",
        command_count,
    ),
    sub(
        "command|docs",
        -2,
        INTROSPECT,
        INTROSPECT_ACL,
        "Get array of specific Redis command documentation",
        "7.0.0",
        command_docs,
    ),
    sub(
        "command|getkeys",
        -4,
        INTROSPECT,
        INTROSPECT_ACL,
        "Extract keys given a full Redis command",
        "2.8.13",
        command_getkeys,
    ),
    sub(
        "command|help",
        2,
        INTROSPECT,
        INTROSPECT_ACL,
        "Show helpful text about the different subcommands",
        "5.0.0",
        command_help,
    ),
    sub(
        "command|info",
        -2,
        INTROSPECT,
        INTROSPECT_ACL,
        "Get array of specific Redis command details, or all when no argument is given.",
        "2.8.13",
        command_info,
    ),
    sub(
        "command|list",
        -2,
        INTROSPECT,
        INTROSPECT_ACL,
        "Get an array of Redis command names",
        "7.0.0",
        command_list,
    ),
];

/// The subcommands of a container command (empty for ordinary commands).
pub fn subcommands(container: &str) -> &'static [Command] {
    match container {
        "client" => connection::CLIENT_SUBCOMMANDS,
        "command" => COMMAND_SUBCOMMANDS,
        "config" => CONFIG_SUBCOMMANDS,
        "pubsub" => super::pubsub::PUBSUB_SUBCOMMANDS,
        _ => &[],
    }
}

/// Resolves `argv` to the subcommand it names when `cmd` is a container, checking the
/// subcommand's arity; an ordinary command resolves to itself. `cmd`'s own arity has
/// been checked, so a container has at least its subcommand name.
pub fn resolve(cmd: &'static Command, argv: &[Bytes]) -> Result<&'static Command, Reply> {
    let subs = subcommands(cmd.name);
    if subs.is_empty() {
        return Ok(cmd);
    }
    // COMMAND alone is a command of its own; the other containers' arity (-2) already
    // guarantees a subcommand name.
    let (Some(container), Some(wanted)) = (argv.first(), argv.get(1)) else {
        return Ok(cmd);
    };
    let found = subs.iter().find(|s| {
        s.name
            .split_once('|')
            .is_some_and(|(_, short)| short.as_bytes().eq_ignore_ascii_case(wanted))
    });
    let Some(found) = found else {
        return Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand '",
                printf_s(wanted, 128),
                b"'. Try ",
                &c_str(container).to_ascii_uppercase(),
                b" HELP.",
            ]
            .concat(),
        ));
    };
    if !found.arity_ok(argv.len()) {
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for '{}' command",
            found.name
        )));
    }
    Ok(found)
}

/// The handler of a container's table entry: runs the subcommand. Dispatch normally
/// resolves first; this keeps a direct call correct too.
pub fn container(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(cmd) = argv.first().and_then(|name| table::lookup(name)) else {
        return Err(Reply::err("ERR unknown command"));
    };
    match resolve(cmd, argv) {
        Ok(found) if !std::ptr::eq(found, cmd) => (found.handler)(ctx, argv),
        Ok(_) => Err(Reply::err("ERR unknown command")),
        Err(reply) => Ok(reply),
    }
}

// ---------------------------------------------------------------------------------------
// TIME, SHUTDOWN

fn time(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let now_us = ctx.server.now_us;
    Ok(Reply::Array(vec![
        Reply::bulk((now_us / 1_000_000).to_string()),
        Reply::bulk((now_us % 1_000_000).to_string()),
    ]))
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. seedis has no persistence and no
/// shutdown grace period, so every accepted form stops at once and nothing is there
/// to ABORT. On success no reply reaches the client: the loop closes everything.
fn shutdown(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (mut save, mut nosave, mut abort, mut other) = (false, false, false, false);
    for arg in argv.get(1..).unwrap_or_default() {
        if arg.eq_ignore_ascii_case(b"nosave") {
            nosave = true;
        } else if arg.eq_ignore_ascii_case(b"save") {
            save = true;
        } else if arg.eq_ignore_ascii_case(b"now") || arg.eq_ignore_ascii_case(b"force") {
            other = true;
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
    ctx.server.actions.push(Action::Shutdown);
    // The loop drops this reply with the connection; OK is what a caller would see if
    // it ever were written.
    Ok(Reply::OK)
}

// ---------------------------------------------------------------------------------------
// COMMAND

/// COMMAND with no subcommand: COMMAND INFO for every command.
fn command(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 1 {
        return container(ctx, argv);
    }
    Ok(Reply::Array(
        table::all().iter().map(command_info_entry).collect(),
    ))
}

fn command_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
        ],
    ))
}

fn command_count(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(table::all().len() as i64))
}

/// A command or a subcommand by its full name (`get`, `config|get`), case-insensitively.
fn lookup_full(name: &[u8]) -> Option<&'static Command> {
    let text = std::str::from_utf8(name).ok()?.to_ascii_lowercase();
    match text.split_once('|') {
        None => table::lookup(text.as_bytes()),
        Some((container, _)) => subcommands(container).iter().find(|c| c.name == text),
    }
}

/// The 10-element COMMAND INFO entry of Redis 7.0: name, arity, flags, first key, last
/// key, step, ACL categories, tips, key specs, subcommands. The table has no tips or key
/// specs, so those are empty.
fn command_info_entry(cmd: &'static Command) -> Reply {
    let subs = cmd
        .name
        .split_once('|')
        .map_or_else(|| subcommands(cmd.name), |_| &[]);
    Reply::Array(vec![
        Reply::bulk(cmd.name),
        Reply::Integer(i64::from(cmd.arity)),
        Reply::Set(cmd.flags.iter().map(|f| Reply::simple(f)).collect()),
        Reply::Integer(i64::from(cmd.first_key)),
        Reply::Integer(i64::from(cmd.last_key)),
        Reply::Integer(i64::from(cmd.step)),
        Reply::Set(
            cmd.acl
                .iter()
                .map(|c| Reply::Simple(format!("@{c}").into()))
                .collect(),
        ),
        Reply::Set(Vec::new()),
        Reply::Set(Vec::new()),
        Reply::Set(subs.iter().map(command_info_entry).collect()),
    ])
}

/// COMMAND INFO [name ...]: one entry per name, null for unknown names; all without names.
fn command_info(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        return Ok(Reply::Array(
            table::all().iter().map(command_info_entry).collect(),
        ));
    }
    Ok(Reply::Array(
        argv.get(2..)
            .unwrap_or_default()
            .iter()
            .map(|name| lookup_full(name).map_or(Reply::Null, command_info_entry))
            .collect(),
    ))
}

/// One COMMAND DOCS value: summary, since, group, and a container's subcommands.
fn command_docs_entry(cmd: &'static Command) -> Reply {
    let mut doc = vec![
        (Reply::bulk("summary"), Reply::bulk(cmd.summary)),
        (Reply::bulk("since"), Reply::bulk(cmd.since)),
        (Reply::bulk("group"), Reply::bulk(cmd.group)),
    ];
    if !cmd.name.contains('|') {
        let subs = subcommands(cmd.name);
        if !subs.is_empty() {
            doc.push((
                Reply::bulk("subcommands"),
                Reply::Map(
                    subs.iter()
                        .map(|s| (Reply::bulk(s.name), command_docs_entry(s)))
                        .collect(),
                ),
            ));
        }
    }
    Reply::Map(doc)
}

/// COMMAND DOCS [name ...]: a map of name to docs; unknown names are left out.
fn command_docs(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmds: Vec<&'static Command> = if argv.len() == 2 {
        table::all().iter().collect()
    } else {
        argv.get(2..)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| lookup_full(n))
            .collect()
    };
    Ok(Reply::Map(
        cmds.into_iter()
            .map(|c| (Reply::bulk(c.name), command_docs_entry(c)))
            .collect(),
    ))
}

/// Every command's and subcommand's full name.
fn all_full_names() -> impl Iterator<Item = &'static Command> {
    table::all()
        .iter()
        .flat_map(|c| std::iter::once(c).chain(subcommands(c.name).iter()))
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].
fn command_list(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let names = all_full_names();
    let picked: Vec<Reply> = match argv {
        [_, _] => names.map(|c| Reply::bulk(c.name)).collect(),
        [_, _, filterby, kind, value] if filterby.eq_ignore_ascii_case(b"filterby") => {
            if kind.eq_ignore_ascii_case(b"module") {
                // No modules: nothing belongs to any.
                Vec::new()
            } else if kind.eq_ignore_ascii_case(b"aclcat") {
                names
                    .filter(|c| {
                        c.acl
                            .iter()
                            .any(|a| a.as_bytes().eq_ignore_ascii_case(value))
                    })
                    .map(|c| Reply::bulk(c.name))
                    .collect()
            } else if kind.eq_ignore_ascii_case(b"pattern") {
                names
                    .filter(|c| stringmatchlen(value, c.name.as_bytes(), true))
                    .map(|c| Reply::bulk(c.name))
                    .collect()
            } else {
                return Err(Reply::err("ERR syntax error"));
            }
        }
        _ => return Err(Reply::err("ERR syntax error")),
    };
    Ok(Reply::Array(picked))
}

/// COMMAND GETKEYS command arg...: the keys by the command's first/last/step positions.
fn command_getkeys(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let inner = argv.get(2..).unwrap_or_default();
    let Some(cmd) = inner.first().and_then(|n| table::lookup(n)) else {
        return Err(Reply::err("ERR Invalid command specified"));
    };
    let cmd = match resolve(cmd, inner) {
        Ok(c) => c,
        Err(_) if inner.len() < 2 => {
            return Err(Reply::err(
                "ERR Invalid number of arguments specified for command",
            ))
        }
        Err(_) => return Err(Reply::err("ERR Invalid command specified")),
    };
    if !cmd.arity_ok(inner.len()) {
        return Err(Reply::err(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    if cmd.first_key <= 0 || cmd.step <= 0 {
        return Err(Reply::err("ERR The command has no key arguments"));
    }
    let argc = inner.len() as i64;
    let first = i64::from(cmd.first_key);
    let last = match i64::from(cmd.last_key) {
        l if l < 0 => argc + l,
        l => l,
    }
    .min(argc - 1);
    let keys: Vec<Reply> = (first..=last)
        .step_by(cmd.step as usize)
        .filter_map(|i| usize::try_from(i).ok().and_then(|i| inner.get(i)))
        .map(|k| Reply::Bulk(k.clone()))
        .collect();
    if keys.is_empty() {
        return Err(Reply::err("ERR The command has no key arguments"));
    }
    Ok(Reply::Array(keys))
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

    #[test]
    fn command_info_shape() {
        let mut h = Harness::new();
        let Reply::Array(entries) = h.run(&["command", "info", "ping", "nosuch"]) else {
            panic!()
        };
        assert_eq!(entries[1], Reply::Null);
        assert_eq!(
            entries[0],
            Reply::Array(vec![
                b("ping"),
                Reply::Integer(-1),
                Reply::Set(vec![Reply::simple("fast")]),
                Reply::Integer(0),
                Reply::Integer(0),
                Reply::Integer(0),
                Reply::Set(vec![Reply::simple("@fast"), Reply::simple("@connection")]),
                Reply::Set(vec![]),
                Reply::Set(vec![]),
                Reply::Set(vec![]),
            ])
        );
        let Reply::Array(config) = h.run(&["command", "info", "CONFIG"]) else {
            panic!()
        };
        let Reply::Array(config) = &config[0] else {
            panic!()
        };
        let Reply::Set(subs) = &config[9] else {
            panic!()
        };
        assert_eq!(subs.len(), CONFIG_SUBCOMMANDS.len());
        let Reply::Array(get) = h.run(&["command", "info", "config|get"]) else {
            panic!()
        };
        let Reply::Array(get) = &get[0] else { panic!() };
        assert_eq!(get[1], Reply::Integer(-3));
        let n = table::all().len() as i64;
        assert_eq!(h.run(&["command", "count"]), Reply::Integer(n));
        let Reply::Array(every) = h.run(&["command"]) else {
            panic!()
        };
        assert_eq!(every.len() as i64, n);
        let Reply::Array(every) = h.run(&["command", "info"]) else {
            panic!()
        };
        assert_eq!(every.len() as i64, n);
    }

    #[test]
    fn command_docs_and_list() {
        let mut h = Harness::new();
        let docs = h.run(&["command", "docs", "ping", "nosuch"]);
        assert_eq!(
            docs,
            Reply::Map(vec![(
                b("ping"),
                Reply::Map(vec![
                    (b("summary"), b("Ping the server")),
                    (b("since"), b("1.0.0")),
                    (b("group"), b("connection")),
                ])
            )])
        );
        let Reply::Map(all) = h.run(&["command", "docs"]) else {
            panic!()
        };
        assert_eq!(all.len(), table::all().len());
        assert_eq!(
            h.run(&["command", "list", "filterby", "pattern", "config*"]),
            Reply::Array(
                [
                    "config",
                    "config|get",
                    "config|help",
                    "config|resetstat",
                    "config|rewrite",
                    "config|set"
                ]
                .iter()
                .map(|n| b(n))
                .collect()
            )
        );
        assert_eq!(
            h.run(&["command", "list", "filterby", "aclcat", "nosuch"]),
            Reply::Array(vec![])
        );
        assert_eq!(
            h.run(&["command", "list", "filterby", "foo", "bar"]),
            e("ERR syntax error")
        );
        assert_eq!(h.run(&["command", "list", "x"]), e("ERR syntax error"));
    }

    #[test]
    fn command_getkeys_errors() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["command", "getkeys", "get"]),
            e("ERR wrong number of arguments for 'command|getkeys' command")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "nosuch", "a"]),
            e("ERR Invalid command specified")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "ping", "x"]),
            e("ERR The command has no key arguments")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "echo", "a", "b"]),
            e("ERR Invalid number of arguments specified for command")
        );
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
