//! Differential test of LATENCY and MEMORY USAGE's argument handling against a real
//! redis-server 7.0: the replies that do not depend on timing byte for byte (help, errors,
//! empty monitors, both DOCTOR reports without events), and the shape of those that do
//! (a sampled DEBUG SLEEP, HISTOGRAM's commands).
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::{resp_command, roundtrip, Server};

fn ask(server: &Server, lines: &[&str]) -> Vec<String> {
    let mut conn = server.raw();
    lines
        .iter()
        .map(|line| {
            let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
            let reply = roundtrip(&mut conn, &resp_command(&argv));
            format!("{line} => {}", String::from_utf8_lossy(&reply))
        })
        .collect()
}

const EXACT: &[&str] = &[
    "LATENCY HELP",
    "LATENCY HELP x",
    "LATENCY",
    "LATENCY nosuch",
    "LATENCY LATEST",
    "LATENCY LATEST x",
    "LATENCY HISTORY",
    "LATENCY HISTORY command",
    "LATENCY GRAPH command",
    "LATENCY RESET",
    "LATENCY RESET a b c",
    "LATENCY DOCTOR",
    "LATENCY HISTOGRAM nosuch",
    "CONFIG SET latency-monitor-threshold 1000",
    "LATENCY DOCTOR",
    "CONFIG GET latency-monitor-threshold",
    "CONFIG SET latency-monitor-threshold -1",
    "MEMORY HELP",
    "MEMORY USAGE",
    "MEMORY USAGE nokey",
    "MEMORY USAGE nokey SAMPLES",
    "MEMORY USAGE nokey SAMPLES -1",
    "MEMORY USAGE nokey SAMPLES x",
    "MEMORY USAGE nokey FOO 1",
    "MEMORY USAGE nokey SAMPLES 0",
];

#[test]
fn latency_and_memory_replies_match_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    let seedis = Server::start(&[]);
    let expected = ask(&redis, EXACT);
    let got = ask(&seedis, EXACT);
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
}

/// A slow command is sampled as a `command` event; HISTOGRAM lists exactly the commands
/// that ran, with their call counts.
#[test]
fn sampled_events_have_redis_shape() {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    let seedis = Server::start(&[]);
    for server in [&redis, &seedis] {
        let mut conn = server.client();
        let _: () = redis::cmd("CONFIG")
            .arg("RESETSTAT")
            .query(&mut conn)
            .unwrap();
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg("latency-monitor-threshold")
            .arg("50")
            .query(&mut conn)
            .unwrap();
        let _: () = redis::cmd("DEBUG")
            .arg("SLEEP")
            .arg("0.1")
            .query(&mut conn)
            .unwrap();
        let latest: Vec<(String, i64, i64, i64)> = redis::cmd("LATENCY")
            .arg("LATEST")
            .query(&mut conn)
            .unwrap();
        assert_eq!(latest.len(), 1, "{latest:?}");
        assert_eq!(latest[0].0, "command");
        assert!((100..150).contains(&latest[0].2), "{latest:?}");
        let history: Vec<(i64, i64)> = redis::cmd("LATENCY")
            .arg("HISTORY")
            .arg("command")
            .query(&mut conn)
            .unwrap();
        assert_eq!(history.len(), 1);
        let graph: String = redis::cmd("LATENCY")
            .arg("GRAPH")
            .arg("command")
            .query(&mut conn)
            .unwrap();
        assert!(graph.starts_with("command - high "), "{graph}");
        let doctor: String = redis::cmd("LATENCY")
            .arg("DOCTOR")
            .query(&mut conn)
            .unwrap();
        assert!(doctor.contains("1. command: 1 latency spikes"), "{doctor}");
        let _: () = redis::cmd("SET")
            .arg("a")
            .arg("b")
            .query(&mut conn)
            .unwrap();
        let histogram: redis::Value = redis::cmd("LATENCY")
            .arg("HISTOGRAM")
            .arg("set")
            .arg("debug")
            .arg("nosuch")
            .query(&mut conn)
            .unwrap();
        let text = format!("{histogram:?}");
        assert!(text.contains("\"set\"") || text.contains("set"), "{text}");
        let reset: i64 = redis::cmd("LATENCY").arg("RESET").query(&mut conn).unwrap();
        assert_eq!(reset, 1);
    }
}
