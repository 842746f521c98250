//! INFO (server.c's genInfoString): the sections in Redis's order and framing, filled
//! from the server state, the keyspace and the client registry.

use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("info", -1, LOADING | STALE, Group::Server, info).acl(ACL_DANGEROUS).tips(&["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        .doc("1.0.0", "Get information and statistics about the server", "O(1)")
        .history(&[("7.0.0", "Added support for taking multiple section arguments.")]),
];

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
pub fn info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
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
            // The allocator's own count when it keeps one (jemalloc), else an estimate
            // of the keyspace alone.
            let used = server.used_memory(ctx.keyspace) as usize;
            let peak = server.used_memory_peak.max(used);
            line("# Memory", &"");
            line("used_memory", &used);
            line("used_memory_human", &bytes_to_human(used as u64));
            line("used_memory_rss", &used);
            line("used_memory_rss_human", &bytes_to_human(used as u64));
            line("used_memory_peak", &peak);
            line("used_memory_peak_human", &bytes_to_human(peak as u64));
            let maxmemory = server.config.maxmemory;
            line("maxmemory", &maxmemory);
            line("maxmemory_human", &bytes_to_human(maxmemory));
            let policy = server.config.get("maxmemory-policy").unwrap_or_default();
            line("maxmemory_policy", &policy);
            line("mem_allocator", &server.allocator.name);
            ctx.server.used_memory_peak = peak;
        }
        "persistence" => {
            line("# Persistence", &"");
            let persist = &server.persist;
            let now_s = server.now_us / 1_000_000;
            // Loading happens before the server accepts clients, so no client sees 1.
            line("loading", &0);
            line("async_loading", &0);
            // Copy-on-write sizes come from the child's /proc in Redis; seedis does not
            // read them (0 is what Redis shows without a child).
            line("current_cow_peak", &0);
            line("current_cow_size", &0);
            line("current_cow_size_age", &0);
            line("current_fork_perc", &"0.00");
            line("current_save_keys_processed", &0);
            line("current_save_keys_total", &0);
            line("rdb_changes_since_last_save", &server.dirty);
            line("rdb_bgsave_in_progress", &u8::from(persist.child.is_some()));
            line("rdb_last_save_time", &persist.lastsave_s);
            let status = if persist.last_bgsave_ok { "ok" } else { "err" };
            line("rdb_last_bgsave_status", &status);
            line("rdb_last_bgsave_time_sec", &persist.last_bgsave_time_s);
            let current = persist
                .child
                .as_ref()
                .map_or(-1, |c| now_s.saturating_sub(c.start_us / 1_000_000) as i64);
            line("rdb_current_bgsave_time_sec", &current);
            line("rdb_saves", &persist.rdb_saves);
            line("rdb_last_cow_size", &0);
            line(
                "rdb_last_load_keys_expired",
                &persist.last_load_keys_expired,
            );
            line("rdb_last_load_keys_loaded", &persist.last_load_keys_loaded);
            let aof = &server.aof;
            line("aof_enabled", &u8::from(aof.is_on()));
            line("aof_rewrite_in_progress", &u8::from(aof.child.is_some()));
            line("aof_rewrite_scheduled", &u8::from(aof.rewrite_scheduled));
            line("aof_last_rewrite_time_sec", &aof.rewrite_time_last_s);
            let current = aof
                .child
                .as_ref()
                .map_or(-1, |c| now_s.saturating_sub(c.start_s) as i64);
            line("aof_current_rewrite_time_sec", &current);
            let status = if aof.last_bgrewrite_ok { "ok" } else { "err" };
            line("aof_last_bgrewrite_status", &status);
            line("aof_rewrites", &aof.rewrites);
            line(
                "aof_rewrites_consecutive_failures",
                &aof.consecutive_failures,
            );
            let status = if aof.last_write_ok { "ok" } else { "err" };
            line("aof_last_write_status", &status);
            line("aof_last_cow_size", &0);
            line("module_fork_in_progress", &0);
            line("module_fork_last_cow_size", &0);
            // `server.aof_enabled` is the configured value, as Redis prints these.
            if server.config.appendonly {
                line("aof_current_size", &aof.current_size);
                line("aof_base_size", &aof.rewrite_base_size);
                line("aof_pending_rewrite", &u8::from(aof.rewrite_scheduled));
                line("aof_buffer_length", &aof.buf.len());
                line(
                    "aof_pending_bio_fsync",
                    &ctx.storage.background_fsyncs_pending(),
                );
                line("aof_delayed_fsync", &aof.delayed_fsync);
            }
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
            line("evicted_keys", &server.eviction.evicted_keys);
            line("evicted_clients", &stats.evicted_clients);
            line(
                "total_eviction_exceeded_time",
                &(server.eviction.total_exceeded_us / 1000),
            );
            line(
                "current_eviction_exceeded_time",
                &server.eviction.current_exceeded_ms(server.now_us),
            );
            line("keyspace_hits", &ctx.keyspace.stats.keyspace_hits);
            line("keyspace_misses", &ctx.keyspace.stats.keyspace_misses);
            line(
                "total_error_replies",
                &server.command_stats.total_error_replies,
            );
            line("pubsub_channels", &server.pubsub.channel_count());
            line("pubsub_patterns", &server.pubsub.pattern_count());
            line("pubsubshard_channels", &server.pubsub.shard_channel_count());
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
            let repl = &server.repl;
            line("# Replication", &"");
            line("role", &"master");
            line("connected_slaves", &repl.links.len());
            for (i, link) in repl.links.values().enumerate() {
                let lag = (server.now_us / 1_000_000).saturating_sub(link.ack_time_s);
                line(
                    &format!("slave{i}"),
                    &format!(
                        "ip={},port={},state={},offset={},lag={}",
                        link.ip,
                        link.listening_port,
                        link.state.name(),
                        link.ack_offset,
                        lag
                    ),
                );
            }
            line("master_failover_state", &"no-failover");
            line("master_replid", &repl.replid);
            line(
                "master_replid2",
                &"0000000000000000000000000000000000000000",
            );
            line("master_repl_offset", &repl.master_repl_offset);
            line("second_repl_offset", &-1);
            line("repl_backlog_active", &u8::from(repl.backlog_active));
            line("repl_backlog_size", &server.config.repl_backlog_size);
            line(
                "repl_backlog_first_byte_offset",
                &repl.backlog_first_byte_offset,
            );
            line(
                "repl_backlog_histlen",
                &repl.backlog_histlen(server.config.repl_backlog_size),
            );
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
        "commandstats" => {
            line("# Commandstats", &"");
            for (name, stat) in &server.command_stats.commands {
                if stat.calls == 0 && stat.failed_calls == 0 && stat.rejected_calls == 0 {
                    continue;
                }
                // `%.2f` of a C float, as genRedisInfoStringCommandStats prints it.
                let per_call = if stat.calls == 0 {
                    0.0
                } else {
                    stat.usec as f32 / stat.calls as f32
                };
                line(
                    &format!("cmdstat_{name}"),
                    &format_args!(
                        "calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}",
                        stat.calls, stat.usec, stat.rejected_calls, stat.failed_calls
                    ),
                );
            }
        }
        "errorstats" => {
            line("# Errorstats", &"");
            for (prefix, count) in &server.command_stats.errors {
                let prefix = info_safe(prefix);
                line(
                    &format!("errorstat_{prefix}"),
                    &format_args!("count={count}"),
                );
            }
        }
        "latencystats" => {
            line("# Latencystats", &"");
            let percentiles: Vec<(String, f64)> = server
                .config
                .get("latency-tracking-info-percentiles")
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|p| Some((p.to_string(), p.parse().ok()?)))
                .collect();
            for (name, stat) in &server.command_stats.commands {
                if stat.latency.is_empty() {
                    continue;
                }
                let values: Vec<String> = percentiles
                    .iter()
                    .map(|(text, p)| {
                        let ns = stat.latency.value_at_percentile(*p);
                        format!("p{text}={:.3}", ns as f64 / 1000.0)
                    })
                    .collect();
                line(
                    &format!("latency_percentiles_usec_{name}"),
                    &values.join(","),
                );
            }
        }
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

/// `getSafeInfoString`: `#`, `:`, CR and LF become `_` so a name cannot break INFO's
/// `key:value` lines.
fn info_safe(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .chars()
        .map(|c| {
            if matches!(c, '#' | ':' | '\r' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{text, Harness, START_US};

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
}
