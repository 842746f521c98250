//! Server commands: TIME, SHUTDOWN, INFO and the CONFIG container. CONFIG's subcommands
//! are resolved by the table ([`super::table::resolve`]), like every container's.

use super::connection::{help_reply, lossy};
use super::table::*;
use super::{Action, Ctx};
use crate::config::{Config, ConfigError};
use crate::resp::Reply;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("config", -2, 0, Group::Server, container).subcommands(CONFIG_SUBCOMMANDS)
        .doc("2.0.0", "A container for server configuration commands", "Depends on subcommand."),
    cmd("info", -1, LOADING | STALE, Group::Server, info).acl(ACL_DANGEROUS).tips(&["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        .doc("1.0.0", "Get information and statistics about the server", "O(1)")
        .history(&[("7.0.0", "Added support for taking multiple section arguments.")]),
    cmd("shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, Group::Server, shutdown)
        .doc("1.0.0", "Synchronously save the dataset to disk and then shut down the server", "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)")
        .history(&[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")]),
    cmd("time", 1, LOADING | STALE | FAST, Group::Server, time).tips(&["nondeterministic_output"])
        .doc("2.6.0", "Return the current server time", "O(1)"),
];

/// CONFIG's subcommands, sorted by name.
#[rustfmt::skip]
pub const CONFIG_SUBCOMMANDS: &[Command] = &[
    cmd("config|get", -3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_get)
        .doc("2.0.0", "Get the values of configuration parameters", "O(N) when N is the number of configuration parameters provided")
        .history(&[("7.0.0", "Added the ability to pass multiple pattern parameters in one call")]),
    cmd("config|help", 2, LOADING | STALE, Group::Server, config_help)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("config|resetstat", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_resetstat)
        .doc("2.0.0", "Reset the stats returned by INFO", "O(1)"),
    cmd("config|rewrite", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_rewrite)
        .doc("2.8.0", "Rewrite the configuration file with the in memory configuration", "O(1)"),
    cmd("config|set", -4, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_set).tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .doc("2.0.0", "Set configuration parameters to the given values", "O(N) when N is the number of configuration parameters provided")
        .history(&[("7.0.0", "Added the ability to set multiple parameters in one call.")]),
];

// ---------------------------------------------------------------------------------------
// TIME, SHUTDOWN

fn time(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    let now_us = ctx.server.now_us;
    Reply::Array(vec![
        Reply::bulk((now_us / 1_000_000).to_string()),
        Reply::bulk((now_us % 1_000_000).to_string()),
    ])
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. seedis has no persistence and no
/// shutdown grace period, so every accepted form stops at once and nothing is there
/// to ABORT. On success no reply reaches the client: the loop closes everything.
fn shutdown(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
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
            return Reply::err("ERR syntax error");
        }
    }
    if (save && nosave) || (abort && (save || nosave || other)) {
        return Reply::err("ERR syntax error");
    }
    if abort {
        return Reply::err("ERR No shutdown in progress.");
    }
    ctx.server.actions.push(Action::Shutdown);
    // The loop drops this reply with the connection; OK is what a caller would see if
    // it ever were written.
    Reply::OK
}

// ---------------------------------------------------------------------------------------
// CONFIG

fn config_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    help_reply(
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
    )
}

/// CONFIG GET pattern [pattern ...]: a name without glob characters is looked up
/// directly and echoed as given; a glob matches names and aliases case-insensitively.
/// Each name appears once (Redis collects them in a case-insensitive dictionary).
fn config_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
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
    Reply::Map(pairs)
}

/// CONFIG SET name value [name value ...], Redis 7.0 semantics: every name is checked
/// (unknown, immutable, duplicate) before any value is applied, and the values are
/// applied all or nothing.
fn config_set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if !argv.len().saturating_sub(2).is_multiple_of(2) {
        return Reply::err("ERR syntax error");
    }
    let mut seen: Vec<&'static str> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in argv.get(2..).unwrap_or_default().chunks_exact(2) {
        let name = String::from_utf8_lossy(&pair[0]).into_owned();
        let value = String::from_utf8_lossy(&pair[1]).into_owned();
        let Some((canonical, mutable)) = Config::lookup(&name) else {
            return Reply::error(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                lossy(&pair[0], 128)
            ));
        };
        if !mutable {
            return set_failed(&name, "can't set immutable config");
        }
        if seen.contains(&canonical) {
            return set_failed(&name, "duplicate parameter");
        }
        seen.push(canonical);
        pairs.push((name, value));
    }
    let mut updated = ctx.server.config.clone();
    for (name, value) in &pairs {
        match updated.set(name, value) {
            Ok(()) => {}
            Err(ConfigError::Invalid(why)) => return set_failed(name, &why),
            Err(ConfigError::Immutable) => return set_failed(name, "can't set immutable config"),
            Err(ConfigError::Unknown) => {
                return Reply::error(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                ))
            }
        }
    }
    ctx.server.config = updated;
    Reply::OK
}

fn set_failed(name: &str, why: &str) -> Reply {
    let name: String = name.chars().take(128).collect();
    let text = format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");
    Reply::error(text.replace(['\r', '\n'], " "))
}

fn config_resetstat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    ctx.server.stats = Default::default();
    ctx.server.used_memory_peak = 0;
    ctx.keyspace.stats.expired_keys = 0;
    ctx.keyspace.stats.keyspace_hits = 0;
    ctx.keyspace.stats.keyspace_misses = 0;
    Reply::OK
}

/// CONFIG REWRITE: the core cannot write files (it has no I/O), and the server is not
/// given a config file to rewrite, so this is Redis's error for that case.
fn config_rewrite(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if ctx.server.config_file.is_empty() {
        Reply::err("ERR The server is running without a config file")
    } else {
        Reply::err("ERR Rewriting config file: not supported by seedis")
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
fn info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
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
    Reply::Verbatim("txt", Bytes::from(out))
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

/// A harness for the admin commands' tests: one session, a server state, a keyspace and
/// a registry of fake other clients.
#[cfg(test)]
pub(crate) mod testkit {
    use crate::cmd::{ClientInfo, ClientRegistry, Ctx, ServerState, Session};
    use crate::config::Config;
    use crate::db::Keyspace;
    use crate::resp::Reply;
    use bytes::Bytes;
    use rand_core::SeedableRng;

    /// Other clients, with the ids of those CLIENT KILL marked.
    #[derive(Default)]
    pub struct FakeClients {
        pub others: Vec<ClientInfo>,
        pub killed: Vec<u64>,
    }

    impl ClientRegistry for FakeClients {
        fn list(&self, _now_ms: u64) -> Vec<ClientInfo> {
            self.others.clone()
        }
        fn kill(&mut self, matches: &mut dyn FnMut(&ClientInfo) -> bool, _: u64) -> usize {
            let hit: Vec<u64> = self
                .others
                .iter()
                .filter(|c| matches(c))
                .map(|c| c.id)
                .collect();
            self.killed.extend(&hit);
            hit.len()
        }
        fn count(&self) -> usize {
            self.others.len() + 1
        }
    }

    pub struct Harness {
        pub keyspace: Keyspace,
        pub session: Session,
        pub server: ServerState,
        pub clients: FakeClients,
    }

    /// 2024-01-01T00:00:00Z plus a bit, in microseconds.
    pub const START_US: u64 = 1_704_067_200_123_456;

    impl Harness {
        pub fn new() -> Harness {
            let rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            let server = ServerState::new(Config::default(), rng, START_US);
            let session = Session::new(
                5,
                8,
                "127.0.0.1:50000".into(),
                "127.0.0.1:6379".into(),
                START_US / 1000,
            );
            Harness {
                // The one place a keyspace is built: adjust here when the real one lands.
                keyspace: Keyspace::new(16, (1, 2)),
                session,
                server,
                clients: FakeClients::default(),
            }
        }

        pub fn other(&mut self, id: u64, addr: &str) {
            let mut s = Session::new(id, 9, addr.into(), "127.0.0.1:6379".into(), 0);
            s.last_cmd = "ping";
            self.clients.others.push(s.info(self.server.now_us / 1000));
        }

        pub fn run(&mut self, args: &[&str]) -> Reply {
            let argv: Vec<Bytes> = args
                .iter()
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect();
            self.run_bytes(&argv)
        }

        pub fn run_bytes(&mut self, argv: &[Bytes]) -> Reply {
            let mut ctx = Ctx {
                keyspace: &mut self.keyspace,
                session: &mut self.session,
                server: &mut self.server,
                clients: &mut self.clients,
            };
            crate::cmd::execute(&mut ctx, argv)
        }
    }

    pub fn err(text: &str) -> Reply {
        Reply::error(text.to_string())
    }

    pub fn bulk(text: &str) -> Reply {
        Reply::bulk(text.to_string())
    }

    /// The text of a bulk or verbatim reply.
    pub fn text(reply: &Reply) -> String {
        match reply {
            Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("not a string reply: {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{bulk, err, text, Harness, START_US};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn time_splits_seconds_and_micros() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["TIME"]),
            Reply::Array(vec![bulk("1704067200"), bulk("123456")])
        );
        assert_eq!(
            h.run(&["time", "x"]),
            err("ERR wrong number of arguments for 'time' command")
        );
    }

    #[test]
    fn container_errors_match_redis() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["config"]),
            err("ERR wrong number of arguments for 'config' command")
        );
        assert_eq!(
            h.run(&["config", "foo"]),
            err("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
        );
        assert_eq!(
            h.run(&["Config", "foo"]),
            err("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
        );
        assert_eq!(
            h.run(&["config", "get"]),
            err("ERR wrong number of arguments for 'config|get' command")
        );
        assert_eq!(
            h.run(&["config", "resetstat", "x"]),
            err("ERR wrong number of arguments for 'config|resetstat' command")
        );
        assert_eq!(
            h.run(&["client", "foo"]),
            err("ERR unknown subcommand 'foo'. Try CLIENT HELP.")
        );
        assert_eq!(
            h.run(&["command", "foo"]),
            err("ERR unknown subcommand 'foo'. Try COMMAND HELP.")
        );
        assert_eq!(
            h.run(&["command", "count", "x"]),
            err("ERR wrong number of arguments for 'command|count' command")
        );
        assert_eq!(h.session.last_cmd, "NULL");
        h.run(&["client", "id"]);
        assert_eq!(h.session.last_cmd, "client|id");
    }

    #[test]
    fn config_get_patterns_aliases_and_resp3_map() {
        let mut h = Harness::new();
        let hz = || (bulk("hz"), bulk("10"));
        assert_eq!(h.run(&["config", "get", "hz"]), Reply::Map(vec![hz()]));
        assert_eq!(
            h.run(&["config", "get", "hz", "HZ"]),
            Reply::Map(vec![hz()])
        );
        // A plain name is echoed as the user spelled it.
        assert_eq!(
            h.run(&["config", "get", "HZ"]),
            Reply::Map(vec![(bulk("HZ"), bulk("10"))])
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
            err("ERR syntax error")
        );
        assert_eq!(
            h.run(&["config", "set", "foo", "1"]),
            err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        );
        assert_eq!(h.run(&["config", "set", "hz", "abc"]), err("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"));
        assert_eq!(
            h.run(&["config", "set", "hz", "5", "HZ", "6"]),
            err("ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter")
        );
        assert_eq!(h.run(&["config", "set", "databases", "3"]), err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"));
        // Unknown names are found before any value is tried.
        assert_eq!(
            h.run(&["config", "set", "hz", "x", "foo", "1"]),
            err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        );
        // A bad second value leaves the first unapplied.
        assert_eq!(h.run(&["config", "set", "hz", "7", "maxclients", "0"]), err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"));
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
            err("ERR The server is running without a config file")
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
            err("ERR No shutdown in progress.")
        );
        assert_eq!(h.run(&["shutdown", "foo"]), err("ERR syntax error"));
        assert_eq!(
            h.run(&["shutdown", "save", "nosave"]),
            err("ERR syntax error")
        );
        assert_eq!(
            h.run(&["shutdown", "now", "abort"]),
            err("ERR syntax error")
        );
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
                let _ = h.run_bytes(&argv[..n]);
            }
        }
    }
}
