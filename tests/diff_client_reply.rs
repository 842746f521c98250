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

/// CLIENT INFO's `qbuf` while it runs: Redis trims its query buffer only after the
/// commands a read brought have run, so the running command (and those before it in the
/// same pipeline) still count, as Redis 7.0.15's unit/introspection.tcl expects.
#[test]
fn client_info_counts_the_running_command_in_qbuf() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the qbuf differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let qbufs = |server: &Server| -> Vec<String> {
        let mut conn = server.raw();
        let one = resp_command(&[b"CLIENT", b"INFO"]);
        let pipeline = [resp_command(&[b"PING"]), one.clone(), one.clone()].concat();
        let mut out = Vec::new();
        for request in [one, pipeline] {
            conn.write_all(&request).unwrap();
            let text =
                String::from_utf8_lossy(&drain(&mut conn, Duration::from_millis(200))).into_owned();
            out.extend(
                text.split(' ')
                    .filter(|f| f.starts_with("qbuf="))
                    .map(str::to_string),
            );
        }
        out
    };
    let want = qbufs(&redis);
    assert_eq!(want, ["qbuf=26", "qbuf=66", "qbuf=66"]);
    assert_eq!(qbufs(&seedis), want);
}
