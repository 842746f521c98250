//! Redis's own tools against seedis: redis-cli (one-shot and reading commands from
//! stdin, which makes it ask COMMAND DOCS like an interactive session) and
//! redis-benchmark (a short, bounded run). Skipped where redis-tools is not installed,
//! required in CI.

mod common;

use common::{which, Server};
use std::io::Write;
use std::process::{Command, Stdio};

fn tool(name: &str) -> Option<String> {
    let path = which(name);
    if path.is_none() {
        assert!(!common::tools_required(), "{name} is required in CI");
        eprintln!("{name} not installed: skipping");
    }
    path
}

#[test]
fn redis_cli_talks_to_seedis() {
    let Some(cli) = tool("redis-cli") else { return };
    let server = Server::start(&[]);
    let port = server.port.to_string();
    let run = |args: &[&str]| {
        let out = Command::new(&cli)
            .args(["-p", &port])
            .args(args)
            .output()
            .expect("run redis-cli");
        assert!(out.status.success(), "redis-cli {args:?} failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(run(&["PING"]), "PONG");
    assert_eq!(run(&["SET", "greeting", "hello world"]), "OK");
    assert_eq!(run(&["GET", "greeting"]), "hello world");
    assert_eq!(run(&["INCRBY", "n", "5"]), "5");
    assert!(run(&["INFO", "server"]).contains("redis_version:7.0.15"));
    // Not a terminal: redis-cli prints raw replies, a RESP3 map as key and value lines.
    let hello = run(&["-3", "HELLO", "3"]);
    assert_eq!(
        hello.lines().take(3).collect::<Vec<_>>(),
        ["server redis", "version 7.0.15", "proto 3"]
    );

    // Commands on stdin, as a script or a pipe would send them.
    let mut child = Command::new(&cli)
        .args(["-p", &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn redis-cli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"RPUSH l a b c\nLRANGE l 0 -1\nDBSIZE\n")
        .expect("write commands");
    let out = child.wait_with_output().expect("redis-cli exits");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        ["3", "a", "b", "c", "3"],
        "{text}"
    );
}

#[test]
fn redis_benchmark_runs_against_seedis() {
    let Some(bench) = tool("redis-benchmark") else {
        return;
    };
    let server = Server::start(&[]);
    for pipeline in ["1", "16"] {
        let out = Command::new(&bench)
            .args([
                "-p",
                &server.port.to_string(),
                "-t",
                "set,get,incr,lpush,sadd,zadd",
                "-n",
                "2000",
            ])
            .args(["-c", "10", "-P", pipeline, "-q"])
            .output()
            .expect("run redis-benchmark");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        for test in ["SET", "GET", "INCR", "LPUSH", "SADD", "ZADD"] {
            // Progress updates end in '\r'; the result line follows the last one.
            assert!(
                text.split(['\r', '\n']).map(str::trim).any(
                    |l| l.starts_with(&format!("{test}:")) && l.contains("requests per second")
                ),
                "no {test} result with -P {pipeline}: {text}"
            );
        }
    }
    let mut conn = server.client();
    let size: u64 = redis::cmd("DBSIZE").query(&mut conn).unwrap();
    assert!(size > 0);
}
