//! The replication stream against a real redis-server 7.0: a client attaches with SYNC
//! (as Redis's own test suite does in `attach_to_replication_stream`), gets the snapshot
//! bulk, then every command the script below propagates. Both servers run the same
//! script; the streams must be the same commands, in the same order, with the same
//! SELECTs and MULTI/EXEC blocks (absolute times, which differ between two runs, are
//! masked). Also: the snapshot is an RDB file, PSYNC answers FULLRESYNC, and INFO and
//! ROLE show the replica.

mod common;

use common::{read_reply, read_until_close, resp_command, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Lines split on spaces. Each one runs on the writing client, in order.
const SCRIPT: &[&str] = &[
    "SET a 1",
    "SET a 1 EX 100",
    "SET k v KEEPTTL",
    "SETEX s 100 v",
    "PSETEX p 100000 v",
    "GETEX k EX 100",
    "GETEX k PERSIST",
    "EXPIRE k 100",
    "PEXPIRE k 100000",
    "EXPIREAT k 99999999999",
    "EXPIRE nokey 100",
    "PERSIST k",
    "INCR n",
    "INCRBYFLOAT f 1.5",
    "APPEND a x",
    "SETRANGE a 5 y",
    "MSET m1 1 m2 2",
    "MSETNX m1 1 m3 3",
    "GETDEL m2",
    "DEL m1 m3 nokey",
    "RENAME a b",
    "SELECT 3",
    "SET in3 v",
    "MOVE in3 4",
    "COPY b b2",
    "SELECT 0",
    "LPUSH l a b c",
    "RPOP l",
    "LMOVE l l2 LEFT RIGHT",
    "LTRIM l 0 0",
    "LREM l 0 nothing",
    "HSET h f v g w",
    "HINCRBY h n 1",
    "HDEL h f nothing",
    "SADD s1 a b c",
    "SREM s1 a nothing",
    // SPOP picks at random: a one-member set makes the pick the same on both servers.
    "SADD one x",
    "SPOP one",
    "SMOVE s1 s2 b",
    "SUNIONSTORE s3 s1 s2",
    "ZADD z 1 a 2 b 3 c",
    "ZINCRBY z 1 a",
    "ZPOPMIN z",
    "ZREMRANGEBYSCORE z 0 2",
    "ZUNIONSTORE z2 1 z",
    "MULTI",
    "SET t1 1",
    "INCR t1",
    "EXEC",
    "MULTI",
    "GET t1",
    "EXEC",
    "EVAL redis.call('set','e','1');redis.call('incr','e') 0",
    "SWAPDB 0 1",
    "SWAPDB 0 1",
    "FLUSHDB",
    "SET last 1",
    "FLUSHALL",
];

/// Attaches a replica with SYNC and returns the connection after the snapshot bulk,
/// and the snapshot.
fn attach(server: &Server) -> (TcpStream, Vec<u8>) {
    let mut replica = server.raw();
    replica.write_all(b"SYNC\r\n").unwrap();
    replica
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // Newlines are keep-alives before the `$<len>` line.
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        replica.read_exact(&mut byte).expect("snapshot header");
        match byte[0] {
            b'\n' if line.is_empty() => {}
            b'\n' => break,
            other => line.push(other),
        }
    }
    let header = String::from_utf8(line).unwrap();
    let len: usize = header
        .trim_end_matches('\r')
        .strip_prefix('$')
        .unwrap_or_else(|| panic!("not a bulk header: {header:?}"))
        .parse()
        .unwrap();
    let mut snapshot = vec![0u8; len];
    replica.read_exact(&mut snapshot).unwrap();
    (replica, snapshot)
}

fn send(stream: &mut TcpStream, line: &str) -> Vec<u8> {
    let argv: Vec<&[u8]> = if let Some(script) = line.strip_prefix("EVAL ") {
        let (body, rest) = script.rsplit_once(' ').unwrap();
        vec![b"EVAL", body.as_bytes(), rest.as_bytes()]
    } else {
        line.split(' ').map(str::as_bytes).collect()
    };
    stream.write_all(&resp_command(&argv)).unwrap();
    read_reply(stream)
}

/// The stream as commands, each as its arguments joined by spaces; PINGs dropped and
/// absolute times (13-digit ms, 10-digit s) masked.
fn commands(stream: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let len = common::reply_len(stream, at).expect("a whole command in the stream");
        let text = String::from_utf8_lossy(&stream[at..at + len]).into_owned();
        at += len;
        let mut parts = text.split("\r\n").skip(1);
        let mut args = Vec::new();
        while let (Some(_), Some(arg)) = (parts.next(), parts.next()) {
            let masked = if arg.len() >= 10 && arg.bytes().all(|b| b.is_ascii_digit()) {
                "<time>".to_string()
            } else {
                arg.to_string()
            };
            args.push(masked);
        }
        let command = args.join(" ");
        if command != "PING" {
            out.push(command);
        }
    }
    out
}

fn run(server: &Server) -> (Vec<String>, Vec<u8>) {
    let (mut replica, snapshot) = attach(server);
    let mut client = server.raw();
    for line in SCRIPT {
        send(&mut client, line);
    }
    // A marker the stream must end with: everything before it has been sent.
    send(&mut client, "SET zz-end 1");
    let mut stream = Vec::new();
    for _ in 0..50 {
        let (data, closed) = read_until_close(&mut replica, Duration::from_millis(200));
        stream.extend_from_slice(&data);
        assert!(!closed, "the master closed the replica's connection");
        if stream.ends_with(b"zz-end\r\n$1\r\n1\r\n") {
            break;
        }
    }
    (commands(&stream), snapshot)
}

#[test]
fn the_stream_is_redis_stream() {
    let Some(redis) = Server::start_redis(&["--repl-ping-replica-period", "3600"]) else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let seedis = Server::start(&["--repl-ping-replica-period", "3600"]);
    let (expected, redis_snapshot) = run(&redis);
    let (actual, snapshot) = run(&seedis);
    assert!(redis_snapshot.starts_with(b"REDIS0010"));
    assert!(snapshot.starts_with(b"REDIS0010"), "{:?}", &snapshot[..9]);
    for (i, (e, a)) in expected.iter().zip(&actual).enumerate() {
        assert_eq!(e, a, "command {i} of the stream differs");
    }
    assert_eq!(expected.len(), actual.len(), "{expected:#?}\n{actual:#?}");
}

#[test]
fn psync_answers_fullresync_and_the_replica_shows() {
    let seedis = Server::start(&[]);
    let mut replica = seedis.raw();
    replica
        .write_all(&resp_command(&[b"REPLCONF", b"listening-port", b"6380"]))
        .unwrap();
    assert_eq!(read_reply(&mut replica), b"+OK\r\n");
    replica
        .write_all(&resp_command(&[b"PSYNC", b"?", b"-1"]))
        .unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        replica.read_exact(&mut byte).unwrap();
        line.push(byte[0]);
    }
    let line = String::from_utf8(line).unwrap();
    let parts: Vec<&str> = line.trim_end().split(' ').collect();
    assert_eq!(parts[0], "+FULLRESYNC", "{line}");
    assert_eq!(parts[1].len(), 40);
    assert_eq!(parts[2], "0");

    let mut client = seedis.raw();
    // The replica comes online once its snapshot is sent.
    let mut info = String::new();
    for _ in 0..100 {
        info = String::from_utf8_lossy(&send(&mut client, "INFO replication")).into_owned();
        if info.contains("state=online") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(info.contains("connected_slaves:1"), "{info}");
    assert!(
        info.contains("slave0:ip=127.0.0.1,port=6380,state=online,offset=0,lag="),
        "{info}"
    );
    assert!(
        info.contains(&format!("master_replid:{}", parts[1])),
        "{info}"
    );
    assert!(info.contains("repl_backlog_active:1"), "{info}");
    let role = send(&mut client, "ROLE");
    let role = String::from_utf8_lossy(&role);
    assert!(role.starts_with("*3\r\n$6\r\nmaster\r\n:"), "{role}");
    assert!(
        role.contains("$9\r\n127.0.0.1\r\n$4\r\n6380\r\n$1\r\n0\r\n"),
        "{role}"
    );
    let list = String::from_utf8_lossy(&send(&mut client, "CLIENT LIST")).into_owned();
    assert!(list.contains("flags=S"), "{list}");

    // A replica's own commands get no replies; its connection going away is noticed.
    replica.write_all(b"PING\r\n").unwrap();
    let (data, _) = read_until_close(&mut replica, Duration::from_millis(300));
    assert!(
        !String::from_utf8_lossy(&data).contains("PONG"),
        "{:?}",
        String::from_utf8_lossy(&data)
    );
    drop(replica);
    for _ in 0..100 {
        info = String::from_utf8_lossy(&send(&mut client, "INFO replication")).into_owned();
        if info.contains("connected_slaves:0") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(info.contains("connected_slaves:0"), "{info}");
}
