//! Sharded pub/sub against a real redis-server 7.0.15: SSUBSCRIBE, SUNSUBSCRIBE,
//! SPUBLISH and PUBSUB SHARDCHANNELS / SHARDNUMSUB, from RESP2 and RESP3 clients, with
//! plain channels and patterns alongside (shard channels are counted apart, patterns
//! never match them), the subscribed-mode restrictions, MULTI, and CLIENT INFO's
//! `sub=`/`psub=`/`ssub=` and flags. Three connections per server run one scripted
//! sequence; after each step everything each connection received is compared byte for
//! byte. Skipped (loudly) where redis-server is not installed.

mod common;

use common::{reply_len, resp_command, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// (connection, command). Connection 0 is RESP2, 1 switches to RESP3, 2 publishes.
const STEPS: &[(usize, &str)] = &[
    (1, "HELLO 3"),
    (0, "SSUBSCRIBE a b"),
    (0, "GET x"),
    (0, "PING"),
    (0, "SUBSCRIBE c"),
    (0, "PSUBSCRIBE *"),
    (0, "SSUBSCRIBE a"),
    (2, "SPUBLISH a hello"),
    (2, "PUBLISH a hi"),
    (2, "PUBLISH c there"),
    (2, "SPUBLISH c nobody"),
    (2, "SPUBLISH b x"),
    (1, "SSUBSCRIBE b z"),
    (1, "GET x"),
    (1, "SPUBLISH b self"),
    (2, "PUBSUB SHARDCHANNELS"),
    (2, "PUBSUB SHARDCHANNELS b*"),
    (2, "PUBSUB SHARDCHANNELS x y"),
    (2, "PUBSUB SHARDNUMSUB a b z q"),
    (2, "PUBSUB SHARDNUMSUB"),
    (2, "PUBSUB NUMSUB a b c"),
    (2, "PUBSUB CHANNELS"),
    (2, "PUBSUB NUMPAT"),
    (0, "SUNSUBSCRIBE a"),
    (0, "SUNSUBSCRIBE a"),
    (2, "SPUBLISH a gone"),
    (0, "UNSUBSCRIBE"),
    (0, "PUNSUBSCRIBE"),
    (0, "GET x"),
    (0, "SUNSUBSCRIBE"),
    (0, "GET x"),
    (0, "SUNSUBSCRIBE"),
    (2, "SUNSUBSCRIBE"),
    (2, "SUNSUBSCRIBE nothere"),
    (2, "MULTI"),
    (2, "SSUBSCRIBE x"),
    (2, "EXEC"),
    (2, "SPUBLISH a"),
    (2, "SSUBSCRIBE"),
    (1, "SUNSUBSCRIBE b"),
    (2, "PUBSUB SHARDNUMSUB b z"),
    (1, "RESET"),
    (2, "PUBSUB SHARDCHANNELS"),
    (2, "SPUBLISH z after-reset"),
    (0, "SSUBSCRIBE q"),
    (2, "SPUBLISH q last"),
];

/// Everything that arrives on `conn` until it has been quiet for a moment.
fn drain(conn: &mut TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 16384];
    conn.set_read_timeout(Some(Duration::from_millis(25)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(_) => {
                // Quiet: done once what arrived is whole replies.
                let mut at = 0;
                while at < data.len() {
                    match reply_len(&data, at) {
                        Some(n) => at += n,
                        None => break,
                    }
                }
                if at == data.len() {
                    break;
                }
            }
        }
    }
    data
}

/// An array reply's elements, sorted (header kept).
fn sorted_items(reply: &[u8]) -> Vec<u8> {
    let header = reply.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    let mut items = Vec::new();
    let mut at = header;
    while at < reply.len() {
        let n = reply_len(reply, at).unwrap();
        items.push(reply[at..at + n].to_vec());
        at += n;
    }
    items.sort();
    [reply[..header].to_vec(), items.concat()].concat()
}

/// CLIENT INFO's fields that pub/sub changes.
fn pubsub_fields(conn: &mut TcpStream) -> String {
    conn.write_all(&resp_command(&[b"CLIENT", b"INFO"]))
        .unwrap();
    let info = String::from_utf8_lossy(&drain(conn)).into_owned();
    info.split_whitespace()
        .filter(|f| {
            ["flags=", "sub=", "psub=", "ssub="]
                .iter()
                .any(|p| f.starts_with(p))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(server: &Server) -> Vec<String> {
    let mut conns = [server.raw(), server.raw(), server.raw()];
    let mut out = Vec::new();
    for (i, (who, line)) in STEPS.iter().enumerate() {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        conns[*who].write_all(&resp_command(&argv)).unwrap();
        for (c, conn) in conns.iter_mut().enumerate() {
            let got = drain(conn);
            // HELLO's reply names the server and its version: only its shape is the same.
            if line.starts_with("HELLO") && c == *who {
                continue;
            }
            // A channel list is in the server's hash order: compared as a set.
            let got = if line.contains("CHANNELS") && c == *who {
                sorted_items(&got)
            } else {
                got
            };
            out.push(format!(
                "step {i} ({who}: {line}) conn {c}: {}",
                String::from_utf8_lossy(&got)
            ));
        }
        if line.starts_with("SSUBSCRIBE") || line.starts_with("SUNSUBSCRIBE") {
            // A client in RESP2 pub/sub mode cannot run CLIENT INFO: ask from RESP3 only.
            if *who == 1 {
                out.push(format!("step {i} info: {}", pubsub_fields(&mut conns[1])));
            }
        }
    }
    out.push(format!("final info 2: {}", pubsub_fields(&mut conns[2])));
    out
}

#[test]
fn sharded_pubsub_matches_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the sharded pub/sub differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let want = run(&redis);
    let got = run(&seedis);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    assert_eq!(got.len(), want.len());
    eprintln!(
        "{} steps, {} observations compared",
        STEPS.len(),
        want.len()
    );
}
