//! CLIENT REPLY ON|OFF|SKIP against a real redis-server 7.0.15: the same pipeline,
//! including pub/sub messages while replies are off, gives the same bytes back.
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::{resp_command, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Everything the server sends within `quiet` of silence (bounded by 5 s).
fn drain(stream: &mut TcpStream, quiet: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(quiet)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

fn session(server: &Server) -> Vec<u8> {
    let mut sub = server.raw();
    let mut publisher = server.raw();
    let mut pipeline = Vec::new();
    for cmd in [
        &[&b"SET"[..], b"a", b"1"][..],
        &[b"CLIENT", b"REPLY", b"SKIP"],
        &[b"GET", b"a"],
        &[b"GET", b"a"],
        &[b"CLIENT", b"REPLY", b"OFF"],
        &[b"CLIENT", b"REPLY", b"SKIP"],
        &[b"INCR", b"a"],
        &[b"SUBSCRIBE", b"ch"],
    ] {
        pipeline.extend(resp_command(cmd));
    }
    sub.write_all(&pipeline).unwrap();
    let mut first = drain(&mut sub, Duration::from_millis(200));
    publisher
        .write_all(&resp_command(&[b"PUBLISH", b"ch", b"unseen"]))
        .unwrap();
    drain(&mut publisher, Duration::from_millis(100));
    sub.write_all(&resp_command(&[b"CLIENT", b"REPLY", b"ON"]))
        .unwrap_or(());
    first.extend(drain(&mut sub, Duration::from_millis(200)));
    first
}

#[test]
fn client_reply_off_and_skip_answer_as_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the CLIENT REPLY differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let want = session(&redis);
    let got = session(&seedis);
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&want)
    );
    assert!(!want.is_empty());
}
