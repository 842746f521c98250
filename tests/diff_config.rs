//! Differential test of CONFIG against a real redis-server 7.0.15 (issue #14): the same
//! parameter names (aliases included) with the same defaults in `CONFIG GET *`, and the
//! same answer, byte for byte, to CONFIG SET and the CONFIG GET after it for values at
//! and past every kind of bound. Skipped (loudly) where redis-server is not installed;
//! CI installs it.

mod common;

use common::{read_reply, resp_command, Server};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;

/// Parameters whose values differ by how each server was started (port, working
/// directory, the harness's flags) or by seedis's one deliberate default (bind).
const STARTUP_DEPENDENT: &[&str] = &[
    "port",
    "bind",
    "dir",
    "save",
    "appendonly",
    "loglevel",
    "enable-debug-command",
];

fn send(stream: &mut TcpStream, args: &[&[u8]]) -> Vec<u8> {
    stream.write_all(&resp_command(args)).unwrap();
    read_reply(stream)
}

/// CONFIG GET * as name -> value (RESP2 flat array of bulks).
fn all_params(stream: &mut TcpStream) -> BTreeMap<String, String> {
    let reply = send(stream, &[b"CONFIG", b"GET", b"*"]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let mut lines = text.split("\r\n").skip(1);
    let mut out = BTreeMap::new();
    while let (Some(_), Some(name), Some(_), Some(value)) =
        (lines.next(), lines.next(), lines.next(), lines.next())
    {
        out.insert(name.to_string(), value.to_string());
    }
    out
}

/// (parameter, value) pairs: every type, its bounds, units, aliases and special syntax.
const SETS: &[(&str, &str)] = &[
    ("maxmemory", "100mb"),
    ("maxmemory", "1.5gb"),
    ("maxmemory", "-1"),
    ("maxmemory", "18446744073709551615"),
    ("maxmemory-policy", "ALLKEYS-LRU"),
    ("maxmemory-policy", "nope"),
    ("maxmemory-clients", "10%"),
    ("maxmemory-clients", "101%"),
    ("maxmemory-clients", "1kb"),
    ("maxmemory-clients", "x%"),
    ("notify-keyspace-events", "KEA"),
    ("notify-keyspace-events", "Elgx"),
    ("notify-keyspace-events", "KQ"),
    ("notify-keyspace-events", ""),
    ("list-compress-depth", "2"),
    ("list-compress-depth", "-1"),
    ("repl-ping-replica-period", "0"),
    ("repl-ping-slave-period", "20"),
    ("lua-time-limit", "100"),
    ("busy-reply-threshold", "9223372036854775807"),
    ("slowlog-log-slower-than", "-1"),
    ("slowlog-log-slower-than", "-2"),
    ("slowlog-max-len", "9223372036854775807"),
    ("hash-max-ziplist-entries", "64"),
    ("hash-max-listpack-value", "1kb"),
    ("active-expire-effort", "11"),
    ("hz", "0"),
    ("hz", "1000"),
    ("appendfsync", "always"),
    ("appendfsync", "sometimes"),
    ("oom-score-adj", "relative"),
    ("oom-score-adj-values", "0 100 2001"),
    ("oom-score-adj-values", "0 100 200"),
    ("oom-score-adj-values", "0 100"),
    ("shutdown-on-sigterm", "now save"),
    ("shutdown-on-sigterm", "save nosave"),
    ("shutdown-on-sigterm", ""),
    ("latency-tracking-info-percentiles", "50 99.99 100"),
    ("latency-tracking-info-percentiles", "101"),
    ("latency-tracking-info-percentiles", ""),
    ("save", "900 1 300 10"),
    ("save", "900"),
    ("save", "0 1"),
    ("save", ""),
    ("client-output-buffer-limit", "replica 1gb 512mb 120"),
    ("client-output-buffer-limit", "master 1 1 1"),
    ("dbfilename", "x/y.rdb"),
    ("dbfilename", "other.rdb"),
    ("daemonize", "yes"),
    ("unixsocketperm", "700"),
    ("proc-title-template", "{title} {nope}"),
    ("proc-title-template", "{title} {port}"),
    ("activerehashing", "maybe"),
    ("activerehashing", "NO"),
    ("masteruser", ""),
    ("watchdog-period", "0"),
    ("key-load-delay", "5"),
    ("no-such-parameter", "1"),
    ("stream-node-max-bytes", "8kb"),
    ("tracking-table-max-keys", "1k"),
];

#[test]
fn config_get_and_set_answer_as_redis() {
    let Some(redis) = Server::start_redis(&["--enable-protected-configs", "yes"]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the CONFIG differential test");
        return;
    };
    let seedis = Server::start(&["--enable-protected-configs", "yes"]);
    let mut r = redis.raw();
    let mut s = seedis.raw();

    let (theirs, ours) = (all_params(&mut r), all_params(&mut s));
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs), "CONFIG GET * names");
    for (name, value) in &theirs {
        if !STARTUP_DEPENDENT.contains(&name.as_str()) {
            assert_eq!(ours.get(name), Some(value), "default of {name}");
        }
    }

    let mut differences = Vec::new();
    for (name, value) in SETS {
        let set: &[&[u8]] = &[b"CONFIG", b"SET", name.as_bytes(), value.as_bytes()];
        let get: &[&[u8]] = &[b"CONFIG", b"GET", name.as_bytes()];
        for request in [set, get] {
            let (want, got) = (send(&mut r, request), send(&mut s, request));
            if want != got {
                differences.push(format!(
                    "{request:?}\n  redis:  {}\n  seedis: {}",
                    String::from_utf8_lossy(&want),
                    String::from_utf8_lossy(&got)
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
