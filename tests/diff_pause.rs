//! CLIENT PAUSE / UNPAUSE / UNBLOCK against a real redis-server 7.0.15: the replies and
//! error texts byte for byte, and the timing rule (under WRITE a read is served at once
//! and a write waits for the pause's end; under ALL everything waits), over raw sockets.
//! Skipped with a line when redis-server is absent.

mod common;

use common::{read_reply, resp_command, Server};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn send(s: &mut TcpStream, args: &[&str]) -> (String, Duration) {
    let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let start = Instant::now();
    s.write_all(&resp_command(&argv)).unwrap();
    let reply = read_reply(s);
    (
        String::from_utf8_lossy(&reply).into_owned(),
        start.elapsed(),
    )
}

/// One server's transcript: replies, and for the timed ones whether they waited.
fn transcript(server: &Server) -> Vec<String> {
    let mut admin = server.raw();
    let mut other = server.raw();
    let mut out = Vec::new();
    let mut log = |(reply, waited): (String, Duration), slow: Option<bool>| {
        let mut line = reply;
        if let Some(expected_slow) = slow {
            let was_slow = waited >= Duration::from_millis(250);
            assert_eq!(was_slow, expected_slow, "{line:?} took {waited:?}");
        }
        line.push('|');
        out.push(line);
    };
    log(send(&mut admin, &["SET", "k", "1"]), None);
    for args in [
        &["CLIENT", "PAUSE", "-1"][..],
        &["CLIENT", "PAUSE", "x"],
        &["CLIENT", "PAUSE", "1", "foo"],
        &["CLIENT", "PAUSE", "1", "all", "x"],
        &["CLIENT", "UNBLOCK", "x"],
        &["CLIENT", "UNBLOCK", "1", "foo"],
        &["CLIENT", "UNBLOCK", "999999"],
        &["CLIENT", "UNPAUSE"],
    ] {
        log(send(&mut admin, args), None);
    }
    log(send(&mut admin, &["CLIENT", "PAUSE", "400", "WRITE"]), None);
    log(send(&mut other, &["GET", "k"]), Some(false));
    log(send(&mut other, &["EVAL", "return 1", "0"]), Some(true));
    log(send(&mut admin, &["CLIENT", "PAUSE", "400", "WRITE"]), None);
    log(send(&mut other, &["SET", "k", "2"]), Some(true));
    log(send(&mut other, &["MULTI"]), None);
    log(send(&mut other, &["GET", "k"]), None);
    log(send(&mut other, &["EXEC"]), Some(false));
    log(send(&mut admin, &["CLIENT", "PAUSE", "400", "ALL"]), None);
    log(send(&mut other, &["GET", "k"]), Some(true));
    // UNPAUSE releases a postponed write at once.
    log(
        send(&mut admin, &["CLIENT", "PAUSE", "5000", "WRITE"]),
        None,
    );
    other
        .write_all(&resp_command(&[b"SET", b"k", b"3"]))
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    log(send(&mut admin, &["CLIENT", "UNPAUSE"]), None);
    let start = Instant::now();
    let reply = read_reply(&mut other);
    assert!(start.elapsed() < Duration::from_millis(1000));
    log(
        (String::from_utf8_lossy(&reply).into_owned(), Duration::ZERO),
        None,
    );
    // CLIENT UNBLOCK of a BLPOP: TIMEOUT answers its timeout reply, ERROR -UNBLOCKED.
    for reason in ["TIMEOUT", "ERROR"] {
        let (id, _) = send(&mut other, &["CLIENT", "ID"]);
        let id = id.trim_start_matches(':').trim().to_string();
        other
            .write_all(&resp_command(&[b"BLPOP", b"q", b"0"]))
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        log(send(&mut admin, &["CLIENT", "UNBLOCK", &id, reason]), None);
        let reply = read_reply(&mut other);
        log(
            (String::from_utf8_lossy(&reply).into_owned(), Duration::ZERO),
            None,
        );
    }
    out
}

#[test]
fn pause_and_unblock_match_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("redis-server not installed: skipping the CLIENT PAUSE comparison");
        return;
    };
    let seedis = Server::start(&[]);
    assert_eq!(transcript(&redis), transcript(&seedis));
}
