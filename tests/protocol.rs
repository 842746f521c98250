//! The wire protocol over real TCP: pipelining, big values, many clients, and every
//! protocol error answered with Redis's exact text and followed by a close. Each error
//! case also runs against a real redis-server when one is installed, so the expected
//! bytes are Redis's own, not a guess.

mod common;

use common::{read_exactly, read_reply, read_until_close, resp_command, Server};
use std::io::Write;
use std::time::Duration;

/// (name, request bytes, exact reply before the close)
fn protocol_error_cases() -> Vec<(&'static str, Vec<u8>, &'static [u8])> {
    let mut long_count = b"*".to_vec();
    long_count.extend(std::iter::repeat_n(b'1', 70 * 1024));
    let mut long_bulk_count = b"*1\r\n$".to_vec();
    long_bulk_count.extend(std::iter::repeat_n(b'1', 70 * 1024));
    let long_inline = vec![b'a'; 70 * 1024];
    vec![
        (
            "multibulk length not a number",
            b"*abc\r\n".to_vec(),
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            "multibulk length too big",
            b"*2147483648\r\n".to_vec(),
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            "bulk length not a number",
            b"*1\r\n$abc\r\n".to_vec(),
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "bulk length negative",
            b"*1\r\n$-3\r\n".to_vec(),
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "bulk over proto-max-bulk-len",
            b"*1\r\n$536870913\r\n".to_vec(),
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "no dollar",
            b"*1\r\nfoo\r\n".to_vec(),
            b"-ERR Protocol error: expected '$', got 'f'\r\n",
        ),
        (
            "unbalanced quotes",
            b"set \"a b\r\n".to_vec(),
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            "too big inline",
            long_inline,
            b"-ERR Protocol error: too big inline request\r\n",
        ),
        (
            "too big mbulk count",
            long_count,
            b"-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (
            "too big bulk count",
            long_bulk_count,
            b"-ERR Protocol error: too big bulk count string\r\n",
        ),
    ]
}

fn assert_error_then_close(server: &Server, name: &str, request: &[u8], expected: &[u8]) {
    let mut stream = server.raw();
    // A command before the bad one is answered first: nothing is lost.
    stream.write_all(b"PING\r\n").unwrap();
    stream.write_all(request).unwrap();
    let (data, closed) = read_until_close(&mut stream, Duration::from_secs(5));
    let mut want = b"+PONG\r\n".to_vec();
    want.extend_from_slice(expected);
    assert_eq!(
        String::from_utf8_lossy(&data),
        String::from_utf8_lossy(&want),
        "{name}: reply"
    );
    assert!(
        closed,
        "{name}: the server must close the connection after a protocol error"
    );
}

#[test]
fn protocol_errors_are_answered_exactly_then_closed() {
    let server = Server::start(&[]);
    for (name, request, expected) in protocol_error_cases() {
        assert_error_then_close(&server, name, &request, expected);
    }
    // The server is still serving others.
    let mut conn = server.client();
    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn protocol_errors_match_real_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the comparison");
        return;
    };
    for (name, request, expected) in protocol_error_cases() {
        assert_error_then_close(&redis, name, &request, expected);
    }
}

#[test]
fn query_buffer_limit_closes_without_reply() {
    let server = Server::start(&["--client-query-buffer-limit", "1mb"]);
    let mut stream = server.raw();
    // A bulk that never ends: 2 MiB announced, 1.5 MiB sent.
    stream
        .write_all(b"*2\r\n$3\r\nSET\r\n$2097152\r\n")
        .unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..24 {
        if stream.write_all(&chunk).is_err() {
            break; // Already closed: that is the point.
        }
    }
    let (data, closed) = read_until_close(&mut stream, Duration::from_secs(5));
    assert!(
        data.is_empty(),
        "no reply expected, got {:?}",
        String::from_utf8_lossy(&data)
    );
    assert!(closed);
    let mut conn = server.client();
    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn ten_thousand_pipelined_commands_in_one_write() {
    let server = Server::start(&[]);
    let mut stream = server.raw();
    let mut request = Vec::new();
    for i in 0..10_000 {
        request.extend(resp_command(&[
            b"SET",
            format!("k{i}").as_bytes(),
            format!("v{i}").as_bytes(),
        ]));
        request.extend(resp_command(&[b"INCR", b"counter"]));
    }
    stream.write_all(&request).unwrap();
    let mut expected = Vec::new();
    for i in 0..10_000 {
        expected.extend_from_slice(b"+OK\r\n");
        expected.extend_from_slice(format!(":{}\r\n", i + 1).as_bytes());
    }
    let got = read_exactly(&mut stream, expected.len());
    assert!(got == expected, "pipelined replies differ");
    let mut conn = server.client();
    let v: String = redis::cmd("GET").arg("k9999").query(&mut conn).unwrap();
    assert_eq!(v, "v9999");
}

#[test]
fn hundred_mebibyte_value_round_trips() {
    let server = Server::start(&[]);
    let mut conn = server.client();
    let value: Vec<u8> = (0..100 * 1024 * 1024)
        .map(|i: usize| (i % 251) as u8)
        .collect();
    let _: () = redis::cmd("SET")
        .arg("big")
        .arg(&value)
        .query(&mut conn)
        .unwrap();
    let len: usize = redis::cmd("STRLEN").arg("big").query(&mut conn).unwrap();
    assert_eq!(len, value.len());
    let back: Vec<u8> = redis::cmd("GET").arg("big").query(&mut conn).unwrap();
    assert!(back == value, "the value came back changed");
}

#[test]
fn thousand_concurrent_clients() {
    let server = Server::start(&[]);
    let mut streams: Vec<_> = (0..1000).map(|_| server.raw()).collect();
    for (i, s) in streams.iter_mut().enumerate() {
        s.write_all(&resp_command(&[
            b"SET",
            format!("c{i}").as_bytes(),
            i.to_string().as_bytes(),
        ]))
        .unwrap();
    }
    for s in streams.iter_mut() {
        assert_eq!(read_reply(s), b"+OK\r\n");
    }
    for (i, s) in streams.iter_mut().enumerate() {
        s.write_all(&resp_command(&[b"GET", format!("c{i}").as_bytes()]))
            .unwrap();
    }
    for (i, s) in streams.iter_mut().enumerate() {
        let v = i.to_string();
        assert_eq!(
            read_reply(s),
            format!("${}\r\n{v}\r\n", v.len()).into_bytes()
        );
    }
    let mut conn = server.client();
    let info: String = redis::cmd("INFO").arg("clients").query(&mut conn).unwrap();
    assert!(info.contains("connected_clients:1001"), "{info}");
}

#[test]
fn maxclients_refuses_with_redis_text() {
    let server = Server::start(&["--maxclients", "2"]);
    // Each connection is served before the next one opens, so the readiness probe of
    // Server::start has been freed by then.
    let mut a = server.raw();
    assert_eq!(common::roundtrip(&mut a, b"PING\r\n"), b"+PONG\r\n");
    let mut b = server.raw();
    assert_eq!(common::roundtrip(&mut b, b"PING\r\n"), b"+PONG\r\n");
    let mut c = server.raw();
    let (data, closed) = read_until_close(&mut c, Duration::from_secs(5));
    assert_eq!(
        String::from_utf8_lossy(&data),
        "-ERR max number of clients reached\r\n"
    );
    assert!(closed);
}

#[test]
fn quit_answers_then_closes() {
    let server = Server::start(&[]);
    let mut stream = server.raw();
    stream.write_all(b"PING\r\nQUIT\r\nPING\r\n").unwrap();
    let (data, closed) = read_until_close(&mut stream, Duration::from_secs(5));
    assert_eq!(data, b"+PONG\r\n+OK\r\n");
    assert!(closed);
}

#[test]
fn shutdown_exits_the_process() {
    let mut server = Server::start(&[]);
    let mut stream = server.raw();
    stream.write_all(b"SHUTDOWN NOSAVE\r\n").unwrap();
    let status = server
        .wait_exit(Duration::from_secs(5))
        .expect("server exits");
    assert!(status.success());
}
