//! Differential test of DEBUG against a real redis-server 7.0: DIGEST and DIGEST-VALUE
//! (the same data must give the same hex in both, across every type and encoding),
//! PROTOCOL in RESP2 and RESP3, POPULATE, OBJECT, ERROR, HELP, and the
//! `enable-debug-command` refusal. Replies are compared byte for byte.
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::{resp_command, Server};
use std::io::{Read, Write};
use std::net::TcpStream;

/// Sends one command, then a PING, and returns everything before the PONG: a command
/// may answer with more than one reply (a push or an attribute, then the reply).
fn exchange(stream: &mut TcpStream, argv: &[&[u8]]) -> Vec<u8> {
    let mut request = resp_command(argv);
    request.extend_from_slice(&resp_command(&[b"PING"]));
    stream.write_all(&request).expect("write");
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    while !data.ends_with(b"+PONG\r\n") {
        let n = stream.read(&mut buf).expect("read");
        assert!(n > 0, "closed: {:?}", String::from_utf8_lossy(&data));
        data.extend_from_slice(&buf[..n]);
    }
    data.truncate(data.len() - b"+PONG\r\n".len());
    data
}

fn words(line: &str) -> Vec<&[u8]> {
    line.split(' ').map(str::as_bytes).collect()
}

/// DEBUG OBJECT's address and LRU clock differ between any two servers; the rest
/// (encoding, serializedlength, the quicklist's figures) must not.
fn mask_object(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply);
    text.split(' ')
        .map(|w| {
            if w.starts_with("at:") {
                "at:<addr>"
            } else if w.starts_with("lru:") {
                "lru:<clock>"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn dataset() -> Vec<String> {
    let mut lines: Vec<String> = [
        "SET s hello",
        "SET n 12345",
        "SET neg -7",
        "RPUSH l a b 1 2 -3 9999999999",
        "SADD st x y 1",
        "SADD ints 1 2 3 -5",
        "ZADD z 1 a 2.5 b -0.1 c 1e300 d",
        "HSET h f v g 1",
        "SET e v EX 100",
        "HSET he f v",
        "EXPIRE he 1000",
        "SELECT 3",
        "SET k v",
        "SELECT 0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Big enough for the other encodings: quicklist of several nodes, hashtable,
    // skiplist, a set that is a hashtable.
    for i in 0..300 {
        lines.push(format!("RPUSH biglist element-{i}"));
        lines.push(format!("HSET bighash field-{i} value-{i}"));
        lines.push(format!("ZADD bigzset {i}.5 member-{i}"));
        lines.push(format!("SADD bigset member-{i}"));
    }
    lines
}

const QUERIES: &[&str] = &[
    "DEBUG DIGEST",
    "DEBUG DIGEST-VALUE s n neg l st ints z h e he missing biglist bighash bigzset bigset",
    "DEBUG DIGEST-VALUE",
    "DEBUG ERROR FOO bar",
    "DEBUG ERROR x",
    "DEBUG HELP",
    "DEBUG nosuch",
    "DEBUG OBJECT missing",
    "DEBUG PROTOCOL nosuch",
    "DEBUG POPULATE -1",
    "DEBUG POPULATE x",
    "DEBUG POPULATE 10",
    "DEBUG POPULATE 5 pre 20",
    "DEBUG POPULATE 5 short 3",
    "DEBUG POPULATE 3 zero 0",
    "DEBUG POPULATE 3 s",
    "MGET key:0 key:9 pre:0 pre:4 short:2 zero:1",
    "DEBUG DIGEST",
    "DEBUG POPULATE 1 a b c",
];

const PROTOCOL_TYPES: &[&str] = &[
    "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push",
    "verbatim", "true", "false",
];

fn run_all(server: &Server) -> Vec<String> {
    let mut out = Vec::new();
    let mut conn = server.raw();
    for line in dataset() {
        exchange(&mut conn, &words(&line));
    }
    for q in QUERIES {
        let reply = exchange(&mut conn, &words(q));
        out.push(format!("{q} => {}", String::from_utf8_lossy(&reply)));
    }
    for key in [
        "s", "n", "l", "biglist", "st", "bigset", "z", "bigzset", "h", "bighash",
    ] {
        let reply = exchange(&mut conn, &[b"DEBUG", b"OBJECT", key.as_bytes()]);
        out.push(format!("DEBUG OBJECT {key} => {}", mask_object(&reply)));
    }
    for proto in ["2", "3"] {
        if proto == "3" {
            exchange(&mut conn, &[b"HELLO", b"3"]);
        }
        for t in PROTOCOL_TYPES {
            let reply = exchange(&mut conn, &[b"DEBUG", b"PROTOCOL", t.as_bytes()]);
            out.push(format!(
                "RESP{proto} DEBUG PROTOCOL {t} => {:?}",
                String::from_utf8_lossy(&reply)
            ));
        }
    }
    out
}

#[test]
fn debug_replies_match_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    let seedis = Server::start(&[]);
    let expected = run_all(&redis);
    let got = run_all(&seedis);
    for (e, g) in expected.iter().zip(&got) {
        assert_eq!(g, e);
    }
    assert_eq!(got.len(), expected.len());
}

#[test]
fn enable_debug_command_refuses_as_redis() {
    for setting in ["no", "local", "yes"] {
        let Some(redis) = Server::start_redis(&["--enable-debug-command", setting]) else {
            eprintln!("SKIPPED: redis-server is not installed");
            return;
        };
        let seedis = Server::start(&["--enable-debug-command", setting]);
        let mut r = redis.raw();
        let mut s = seedis.raw();
        for q in ["DEBUG DIGEST-VALUE nokey", "DEBUG nosuch", "DEBUG"] {
            let expected = exchange(&mut r, &words(q));
            let got = exchange(&mut s, &words(q));
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "enable-debug-command {setting}: {q}"
            );
        }
    }
}
