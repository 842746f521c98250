//! Server commands: TIME, SHUTDOWN, INFO and the CONFIG and COMMAND containers, plus the
//! subcommand plumbing every container command (CONFIG, CLIENT, COMMAND) shares.
//!
//! Container commands: Redis 7.0 resolves `CONFIG GET` to the subcommand `config|get`
//! before it checks arity or authentication, and reports errors under the full name. The
//! table keeps one entry per container; [`resolve`] finds the subcommand so that
//! [`super::table::dispatch`] can check arity and auth the way Redis does.

use super::connection;
use super::reply::{help_reply, lossy};
use super::table::{self, CmdResult, Command};
use super::{Action, Ctx};
use crate::config::{Config, ConfigError};
use crate::resp::Reply;
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
        handler: info,
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
        config_get,
    ),
    sub(
        "config|help",
        2,
        INTROSPECT,
        &["slow"],
        "Show helpful text about the different subcommands",
        "5.0.0",
        config_help,
    ),
    sub(
        "config|resetstat",
        2,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Reset the stats returned by INFO",
        "2.0.0",
        config_resetstat,
    ),
    sub(
        "config|rewrite",
        2,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Rewrite the configuration file with the in memory configuration",
        "2.8.0",
        config_rewrite,
    ),
    sub(
        "config|set",
        -4,
        CONFIG_ADMIN,
        ADMIN_ACL,
        "Set configuration parameters to the given values",
        "2.0.0",
        config_set,
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
        let text = format!(
            "ERR unknown subcommand '{}'. Try {} HELP.",
            lossy(wanted, 128),
            String::from_utf8_lossy(container).to_ascii_uppercase()
        );
        return Err(Reply::error(text.replace(['\r', '\n'], " ")));
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
// CONFIG

fn config_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}

/// CONFIG GET pattern [pattern ...]: a name without glob characters is looked up
/// directly and echoed as given; a glob matches names and aliases case-insensitively.
/// Each name appears once (Redis collects them in a case-insensitive dictionary).
fn config_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut seen: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    let mut add = |name: String, value: String, pairs: &mut Vec<(Reply, Reply)>| {
        let lower = name.to_ascii_lowercase();
        if !seen.contains(&lower) {
            seen.push(lower);
            pairs.push((Reply::bulk(name), Reply::bulk(value)));
        }
    };
    for pattern in argv.get(2..).unwrap_or_default() {
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            let Ok(name) = std::str::from_utf8(pattern) else {
                continue;
            };
            if let Some(value) = ctx.server.config.get(name) {
                add(name.to_string(), value, &mut pairs);
            }
            continue;
        }
        for name in Config::names_and_aliases() {
            if glob_match(pattern, name.as_bytes(), true) {
                if let Some(value) = ctx.server.config.get(name) {
                    add(name.to_string(), value, &mut pairs);
                }
            }
        }
    }
    Ok(Reply::Map(pairs))
}

/// CONFIG SET name value [name value ...], Redis 7.0 semantics: every name is checked
/// (unknown, immutable, duplicate) before any value is applied, and the values are
/// applied all or nothing.
fn config_set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if !argv.len().saturating_sub(2).is_multiple_of(2) {
        return Err(Reply::err("ERR syntax error"));
    }
    let mut seen: Vec<&'static str> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in argv.get(2..).unwrap_or_default().chunks_exact(2) {
        let name = String::from_utf8_lossy(&pair[0]).into_owned();
        let value = String::from_utf8_lossy(&pair[1]).into_owned();
        let Some((canonical, mutable)) = Config::lookup(&name) else {
            return Err(Reply::error(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                lossy(&pair[0], 128)
            )));
        };
        if !mutable {
            return Ok(set_failed(&name, "can't set immutable config"));
        }
        if seen.contains(&canonical) {
            return Ok(set_failed(&name, "duplicate parameter"));
        }
        seen.push(canonical);
        pairs.push((name, value));
    }
    let mut updated = ctx.server.config.clone();
    for (name, value) in &pairs {
        match updated.set(name, value) {
            Ok(()) => {}
            Err(ConfigError::Invalid(why)) => return Ok(set_failed(name, &why)),
            Err(ConfigError::Immutable) => {
                return Ok(set_failed(name, "can't set immutable config"))
            }
            Err(ConfigError::Unknown) => {
                return Err(Reply::error(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                )))
            }
        }
    }
    ctx.server.config = updated;
    Ok(Reply::OK)
}

fn set_failed(name: &str, why: &str) -> Reply {
    let name: String = name.chars().take(128).collect();
    let text = format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");
    Reply::error(text.replace(['\r', '\n'], " "))
}

fn config_resetstat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.server.stats = Default::default();
    ctx.server.used_memory_peak = 0;
    ctx.keyspace.stats.expired_keys = 0;
    ctx.keyspace.stats.keyspace_hits = 0;
    ctx.keyspace.stats.keyspace_misses = 0;
    Ok(Reply::OK)
}

/// CONFIG REWRITE: the core cannot write files (it has no I/O), and the server is not
/// given a config file to rewrite, so this is Redis's error for that case.
fn config_rewrite(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.server.config_file.is_empty() {
        Err(Reply::err(
            "ERR The server is running without a config file",
        ))
    } else {
        Err(Reply::err(
            "ERR Rewriting config file: not supported by seedis",
        ))
    }
}

// ---------------------------------------------------------------------------------------
// INFO

/// Every section, in Redis's output order; the flag says whether `default` includes it.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// INFO [section ...]: sections in Redis's fixed order whatever the argument order;
/// unknown names select nothing; `default`, `all` and `everything` select groups.
fn info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut wanted = [false; SECTIONS.len()];
    if argv.len() < 2 {
        for (w, (_, default)) in wanted.iter_mut().zip(SECTIONS) {
            *w = *default;
        }
    }
    for arg in argv.get(1..).unwrap_or_default() {
        let lower = arg.to_ascii_lowercase();
        for (w, (name, default)) in wanted.iter_mut().zip(SECTIONS) {
            *w |= match lower.as_slice() {
                b"all" | b"everything" => true,
                b"default" => *default,
                other => other == name.as_bytes(),
            };
        }
    }
    let mut out = String::new();
    for (_, (name, _)) in wanted.iter().zip(SECTIONS).filter(|(w, _)| **w) {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        info_section(ctx, name, &mut out);
    }
    Ok(Reply::Verbatim("txt", Bytes::from(out)))
}

fn info_section(ctx: &mut Ctx<'_>, name: &str, out: &mut String) {
    // `key:value\r\n`, or a bare `# Title\r\n` header when the key is one.
    let mut line = |k: &str, v: &dyn std::fmt::Display| {
        out.push_str(k);
        if !k.starts_with('#') {
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push_str("\r\n");
    };
    let server = &*ctx.server;
    let stats = &server.stats;
    let uptime_s = server.now_us.saturating_sub(server.start_us) / 1_000_000;
    match name {
        "server" => {
            line("# Server", &"");
            line("redis_version", &"7.0.15");
            line("redis_git_sha1", &"00000000");
            line("redis_git_dirty", &0);
            line("redis_build_id", &"0");
            line("redis_mode", &"standalone");
            line(
                "os",
                &format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            );
            line("arch_bits", &usize::BITS);
            line("monotonic_clock", &"POSIX clock_gettime");
            line("multiplexing_api", &"epoll");
            line("atomicvar_api", &"c11-builtin");
            line("gcc_version", &"0.0.0");
            line("process_id", &server.pid);
            line("process_supervised", &"no");
            line("run_id", &server.run_id);
            line("tcp_port", &server.tcp_port);
            line("server_time_usec", &server.now_us);
            line("uptime_in_seconds", &uptime_s);
            line("uptime_in_days", &(uptime_s / 86_400));
            line("hz", &server.config.hz);
            line("configured_hz", &server.config.hz);
            // Redis's LRU clock: seconds, 24 bits.
            line(
                "lru_clock",
                &((server.now_us / 1_000_000) & ((1 << 24) - 1)),
            );
            line("executable", &server.executable);
            line("config_file", &server.config_file);
            line("io_threads_active", &0);
        }
        "clients" => {
            line("# Clients", &"");
            line("connected_clients", &ctx.clients.count());
            line("cluster_connections", &0);
            line("maxclients", &server.config.maxclients);
            line("client_recent_max_input_buffer", &0);
            line("client_recent_max_output_buffer", &0);
            line("blocked_clients", &ctx.keyspace.blocked_count());
            line("tracking_clients", &0);
            line("clients_in_timeout_table", &0);
        }
        "memory" => {
            let used = ctx.keyspace.used_memory_estimate();
            let peak = server.used_memory_peak.max(used);
            line("# Memory", &"");
            line("used_memory", &used);
            line("used_memory_human", &bytes_to_human(used as u64));
            line("used_memory_rss", &used);
            line("used_memory_rss_human", &bytes_to_human(used as u64));
            line("used_memory_peak", &peak);
            line("used_memory_peak_human", &bytes_to_human(peak as u64));
            line("maxmemory", &0);
            line("maxmemory_human", &"0B");
            line("maxmemory_policy", &"noeviction");
            line("mem_allocator", &"libc");
            ctx.server.used_memory_peak = peak;
        }
        "persistence" => {
            line("# Persistence", &"");
            line("loading", &0);
            line("async_loading", &0);
            line("rdb_changes_since_last_save", &0);
            line("rdb_bgsave_in_progress", &0);
            line("rdb_last_save_time", &(server.start_us / 1_000_000));
            line("rdb_last_bgsave_status", &"ok");
            line("rdb_saves", &0);
            line("aof_enabled", &u8::from(server.config.appendonly));
            line("aof_rewrite_in_progress", &0);
            line("aof_last_write_status", &"ok");
        }
        "stats" => {
            line("# Stats", &"");
            line(
                "total_connections_received",
                &stats.total_connections_received,
            );
            line("total_commands_processed", &stats.total_commands_processed);
            line("instantaneous_ops_per_sec", &0);
            line("total_net_input_bytes", &stats.total_net_input_bytes);
            line("total_net_output_bytes", &stats.total_net_output_bytes);
            line("rejected_connections", &stats.rejected_connections);
            line("expired_keys", &ctx.keyspace.stats.expired_keys);
            line("evicted_keys", &0);
            line("evicted_clients", &stats.evicted_clients);
            line("keyspace_hits", &ctx.keyspace.stats.keyspace_hits);
            line("keyspace_misses", &ctx.keyspace.stats.keyspace_misses);
            line("pubsub_channels", &server.pubsub.channel_count());
            line("pubsub_patterns", &server.pubsub.pattern_count());
            line(
                "client_query_buffer_limit_disconnections",
                &stats.client_query_buffer_limit_disconnections,
            );
            line(
                "client_output_buffer_limit_disconnections",
                &stats.client_output_buffer_limit_disconnections,
            );
        }
        "replication" => {
            line("# Replication", &"");
            line("role", &"master");
            line("connected_slaves", &0);
            line("master_failover_state", &"no-failover");
            line("master_replid", &server.run_id);
            line(
                "master_replid2",
                &"0000000000000000000000000000000000000000",
            );
            line("master_repl_offset", &0);
            line("second_repl_offset", &-1);
            line("repl_backlog_active", &0);
            line("repl_backlog_size", &1_048_576);
            line("repl_backlog_first_byte_offset", &0);
            line("repl_backlog_histlen", &0);
        }
        "cpu" => {
            // CPU time is the OS's to measure; the sans-IO core reports zero.
            line("# CPU", &"");
            for key in [
                "used_cpu_sys",
                "used_cpu_user",
                "used_cpu_sys_children",
                "used_cpu_user_children",
                "used_cpu_sys_main_thread",
                "used_cpu_user_main_thread",
            ] {
                line(key, &"0.000000");
            }
        }
        "modules" => line("# Modules", &""),
        "commandstats" => line("# Commandstats", &""),
        "errorstats" => line("# Errorstats", &""),
        "latencystats" => line("# Latencystats", &""),
        "cluster" => {
            line("# Cluster", &"");
            line("cluster_enabled", &0);
        }
        "keyspace" => {
            line("# Keyspace", &"");
            out.push_str(&ctx.keyspace.info_keyspace());
        }
        _ => {}
    }
}

/// Redis's `bytesToHuman`: bytes below 1 KiB, then two decimals with K, M, G, T, P.
fn bytes_to_human(n: u64) -> String {
    const UNITS: [&str; 5] = ["K", "M", "G", "T", "P"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut size: u64 = 1024;
    for unit in UNITS {
        // `size` is 1024^k; the next unit starts at 1024^(k+1).
        if n / size < 1024 || unit == "P" {
            return format!("{:.2}{unit}", n as f64 / size as f64);
        }
        size *= 1024;
    }
    format!("{n}B")
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
                    .filter(|c| glob_match(value, c.name.as_bytes(), true))
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

// ---------------------------------------------------------------------------------------
// Glob matching

/// Redis's `stringmatchlen`: `*`, `?`, `[...]` with `^` negation, ranges and `\` escapes,
/// optionally case-insensitive. Like Redis 7.0.15 it gives up on a `*` once a longer
/// match is known to be hopeless, and bounds recursion, so hostile patterns stay cheap.
fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    glob_impl(pattern, s, nocase, &mut skip_longer, 0)
}

fn glob_impl(
    mut p: &[u8],
    mut s: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: usize,
) -> bool {
    // Redis caps nesting the same way: a pathological pattern fails instead of
    // recursing deep.
    if nesting > 1000 {
        return false;
    }
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                for start in 0..s.len() {
                    if glob_impl(&p[1..], &s[start..], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                }
                *skip_longer = true;
                return false;
            }
            b'?' => s = &s[1..],
            b'[' => {
                p = &p[1..];
                let negate = p.first() == Some(&b'^');
                if negate {
                    p = &p[1..];
                }
                let c = s[0];
                let mut hit = false;
                loop {
                    match p {
                        [] => break,
                        [b'\\', lit, ..] => {
                            p = &p[1..];
                            if *lit == c {
                                hit = true;
                            }
                        }
                        [b']', ..] => break,
                        [lo, b'-', hi, ..] => {
                            let (mut lo, mut hi, mut ch) = (*lo, *hi, c);
                            if lo > hi {
                                std::mem::swap(&mut lo, &mut hi);
                            }
                            if nocase {
                                lo = lo.to_ascii_lowercase();
                                hi = hi.to_ascii_lowercase();
                                ch = ch.to_ascii_lowercase();
                            }
                            p = &p[2..];
                            if (lo..=hi).contains(&ch) {
                                hit = true;
                            }
                        }
                        [lit, ..] => {
                            if eq(*lit, c) {
                                hit = true;
                            }
                        }
                    }
                    p = &p[1..];
                }
                if negate {
                    hit = !hit;
                }
                if !hit {
                    return false;
                }
                s = &s[1..];
                // `p` now sits on the `]` (or is empty when the class was unterminated);
                // the shared step below moves past it.
                if p.is_empty() {
                    if s.is_empty() {
                        return true;
                    }
                    return false;
                }
            }
            b'\\' if p.len() >= 2 => {
                p = &p[1..];
                if !eq(p[0], s[0]) {
                    return false;
                }
                s = &s[1..];
            }
            lit => {
                if !eq(lit, s[0]) {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{b, e, text, Harness, START_US};
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
    fn config_get_patterns_aliases_and_resp3_map() {
        let mut h = Harness::new();
        let hz = || (b("hz"), b("10"));
        assert_eq!(h.run(&["config", "get", "hz"]), Reply::Map(vec![hz()]));
        assert_eq!(
            h.run(&["config", "get", "hz", "HZ"]),
            Reply::Map(vec![hz()])
        );
        // A plain name is echoed as the user spelled it.
        assert_eq!(
            h.run(&["config", "get", "HZ"]),
            Reply::Map(vec![(b("HZ"), b("10"))])
        );
        assert_eq!(h.run(&["config", "get", "nosuch"]), Reply::Map(vec![]));
        assert_eq!(h.run(&["config", "get", "h?"]), Reply::Map(vec![hz()]));
        let Reply::Map(pairs) = h.run(&["config", "get", "*ziplist*"]) else {
            panic!()
        };
        let names: Vec<String> = pairs.iter().map(|(k, _)| text(k)).collect();
        assert_eq!(names.len(), 5);
        assert!(names.contains(&"hash-max-ziplist-entries".to_string()));
        let Reply::Map(all) = h.run(&["config", "get", "*"]) else {
            panic!()
        };
        assert!(all.len() > 20);
    }

    #[test]
    fn config_set_is_checked_then_atomic() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["config", "set", "hz", "5", "hz"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["config", "set", "foo", "1"]),
            e("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        );
        assert_eq!(h.run(&["config", "set", "hz", "abc"]), e("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"));
        assert_eq!(
            h.run(&["config", "set", "hz", "5", "HZ", "6"]),
            e("ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter")
        );
        assert_eq!(h.run(&["config", "set", "databases", "3"]), e("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"));
        // Unknown names are found before any value is tried.
        assert_eq!(
            h.run(&["config", "set", "hz", "x", "foo", "1"]),
            e("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        );
        // A bad second value leaves the first unapplied.
        assert_eq!(h.run(&["config", "set", "hz", "7", "maxclients", "0"]), e("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"));
        assert_eq!(h.server.config.hz, 10);
        assert_eq!(
            h.run(&["config", "set", "hz", "7", "maxclients", "50"]),
            Reply::OK
        );
        assert_eq!((h.server.config.hz, h.server.config.maxclients), (7, 50));
        // Redis clamps hz rather than refusing it.
        assert_eq!(h.run(&["config", "set", "hz", "600"]), Reply::OK);
        assert_eq!(h.server.config.hz, 500);
    }

    #[test]
    fn config_resetstat_rewrite_help() {
        let mut h = Harness::new();
        h.server.stats.total_commands_processed = 9;
        h.keyspace.stats.keyspace_hits = 3;
        assert_eq!(h.run(&["config", "resetstat"]), Reply::OK);
        assert_eq!(
            (
                h.server.stats.total_commands_processed,
                h.keyspace.stats.keyspace_hits
            ),
            (0, 0)
        );
        assert_eq!(
            h.run(&["config", "rewrite"]),
            e("ERR The server is running without a config file")
        );
        let Reply::Array(lines) = h.run(&["config", "help"]) else {
            panic!()
        };
        assert_eq!(
            lines[0],
            Reply::simple("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        );
        assert_eq!(lines.len(), 11);
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
    fn info_sections_and_framing() {
        let mut h = Harness::new();
        h.server.now_us = START_US + 90_000_000;
        h.server.pid = 4242;
        let all = text(&h.run(&["info"]));
        let headers: Vec<&str> = all.split("\r\n").filter(|l| l.starts_with('#')).collect();
        assert_eq!(
            headers,
            [
                "# Server",
                "# Clients",
                "# Memory",
                "# Persistence",
                "# Stats",
                "# Replication",
                "# CPU",
                "# Modules",
                "# Errorstats",
                "# Cluster",
                "# Keyspace"
            ]
        );
        assert!(all.starts_with("# Server\r\nredis_version:7.0.15\r\n"));
        assert!(all.contains("\r\nprocess_id:4242\r\n"));
        assert!(all.contains("\r\nuptime_in_seconds:90\r\n"));
        assert!(all.contains("\r\nio_threads_active:0\r\n\r\n# Clients\r\nconnected_clients:1\r\n"));
        assert!(all.ends_with("# Keyspace\r\n"));
        let everything = text(&h.run(&["info", "everything"]));
        assert!(
            everything.contains("# Commandstats\r\n") && everything.contains("# Latencystats\r\n")
        );
        // Fixed order whatever the argument order; names are case-insensitive.
        let two = text(&h.run(&["info", "KEYSPACE", "cpu"]));
        assert!(two.starts_with("# CPU\r\n"));
        assert!(two.ends_with("\r\n\r\n# Keyspace\r\n"));
        assert_eq!(text(&h.run(&["info", "foo"])), "");
        assert!(matches!(h.run(&["info"]), Reply::Verbatim("txt", _)));
    }

    #[test]
    fn info_counters() {
        let mut h = Harness::new();
        h.keyspace.stats.expired_keys = 4;
        h.keyspace.stats.keyspace_misses = 2;
        h.server.stats.total_connections_received = 11;
        h.other(9, "10.0.0.1:1");
        let stats = text(&h.run(&["info", "stats", "clients"]));
        assert!(stats.contains("\r\nexpired_keys:4\r\n"));
        assert!(stats.contains("\r\nkeyspace_misses:2\r\n"));
        assert!(stats.contains("\r\ntotal_connections_received:11\r\n"));
        assert!(stats.contains("\r\nconnected_clients:2\r\n"));
        assert!(text(&h.run(&["info", "memory"])).contains("\r\nused_memory_human:0B\r\n"));
    }

    #[test]
    fn human_bytes() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1392072), "1.33M");
        assert_eq!(bytes_to_human(1024), "1.00K");
        assert_eq!(bytes_to_human(25276510208), "23.54G");
        assert_eq!(bytes_to_human(u64::MAX), "16384.00P");
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

    #[test]
    fn glob_semantics() {
        let m = |p: &str, s: &str| glob_match(p.as_bytes(), s.as_bytes(), false);
        assert!(m("*", "anything"));
        assert!(!m("*", ""));
        assert!(m("", ""));
        assert!(m("h?llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hbllo"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("a*", "a"));
        assert!(m("a[", "ab") == m("a[", "ab"));
        assert!(!m("a[b", "ac"));
        assert!(m("[\\]]", "]"));
        assert!(glob_match(b"HZ", b"hz", true));
        assert!(!glob_match(b"HZ", b"hz", false));
        // Exponential in a naive matcher; the skip-longer rule keeps it instant.
        let p = "a*".repeat(40) + "b";
        assert!(!m(&p, &"a".repeat(60)));
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
