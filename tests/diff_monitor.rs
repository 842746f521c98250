//! MONITOR against a real redis-server 7.0.15: the same commands from another client
//! show up as the same lines (timestamps and client addresses aside), transactions and
//! hidden administrative commands included. Skipped (loudly) where redis-server is not
//! installed; CI installs it.

mod common;

use common::{read_reply, resp_command, Server};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn monitor_lines(server: &Server) -> Vec<String> {
    let mut monitor = server.raw();
    monitor.write_all(&resp_command(&[b"MONITOR"])).unwrap();
    assert_eq!(read_reply(&mut monitor), b"+OK\r\n");
    let mut other = server.raw();
    for cmd in [
        &[&b"SET"[..], b"k", b"a \"b\"\n\x01"][..],
        &[b"CONFIG", b"GET", b"hz"],
        &[b"MULTI"],
        &[b"INCR", b"n"],
        &[b"EXEC"],
        &[b"SELECT", b"2"],
        &[b"GET", b"k"],
    ] {
        other.write_all(&resp_command(cmd)).unwrap();
        read_reply(&mut other);
    }
    monitor
        .write_all(&resp_command(&[b"SET", b"x", b"y"]))
        .unwrap();
    monitor
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match monitor.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&data)
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|line| match line.find("] ") {
            // "+<time> [<db> <addr>] args": keep the db and the arguments.
            Some(end) => {
                let db = line[line.find('[').unwrap() + 1..]
                    .split(' ')
                    .next()
                    .unwrap();
                format!("{db} {}", &line[end + 2..])
            }
            None => line.to_string(),
        })
        .collect()
}

#[test]
fn monitor_shows_what_redis_shows() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the MONITOR differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let want = monitor_lines(&redis);
    assert_eq!(monitor_lines(&seedis), want);
    assert!(want.len() > 4, "{want:?}");
}
