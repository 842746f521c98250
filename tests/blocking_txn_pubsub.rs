//! Two (or more) real connections over TCP: blocking pops woken by another client,
//! timeouts, FIFO order, disconnects while blocked; WATCH invalidated by another client
//! and by expiry; SUBSCRIBE/PSUBSCRIBE + PUBLISH in RESP2 and RESP3. Every wait is
//! bounded.

mod common;

use common::{read_exactly, read_reply, resp_command, Server};
use std::io::Write;
use std::net::TcpStream;
use std::thread::sleep;
use std::time::{Duration, Instant};

fn send(stream: &mut TcpStream, argv: &[&str]) {
    let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    stream.write_all(&resp_command(&args)).unwrap();
}

fn call(stream: &mut TcpStream, argv: &[&str]) -> Vec<u8> {
    send(stream, argv);
    read_reply(stream)
}

fn info_field(conn: &mut redis::Connection, field: &str) -> String {
    let info: String = redis::cmd("INFO").arg("clients").query(conn).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_string))
        .unwrap_or_default()
}

/// Waits (bounded) until `blocked_clients` reaches `n`.
fn wait_blocked(conn: &mut redis::Connection, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while info_field(conn, "blocked_clients") != n.to_string() {
        assert!(Instant::now() < deadline, "never saw {n} blocked clients");
        sleep(Duration::from_millis(5));
    }
}

#[test]
fn blpop_is_woken_by_another_clients_push() {
    let server = Server::start(&[]);
    let mut waiter = server.raw();
    let mut other = server.client();
    send(&mut waiter, &["BLPOP", "q", "5"]);
    send(&mut waiter, &["PING"]); // pipelined behind the block
    wait_blocked(&mut other, 1);
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut other).unwrap();
    assert!(list.contains("flags=b"), "{list}");
    let n: i64 = redis::cmd("LPUSH")
        .arg("q")
        .arg("x")
        .query(&mut other)
        .unwrap();
    assert_eq!(n, 1);
    let want = b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n+PONG\r\n";
    assert_eq!(read_exactly(&mut waiter, want.len()), want);
    let len: i64 = redis::cmd("LLEN").arg("q").query(&mut other).unwrap();
    assert_eq!(len, 0);
    assert_eq!(info_field(&mut other, "blocked_clients"), "0");
}

#[test]
fn blocking_timeout_fires_on_time() {
    let server = Server::start(&[]);
    let mut conn = server.raw();
    for cmd in [
        &["BLPOP", "nokey", "0.2"][..],
        &["BZPOPMIN", "nokey", "0.2"],
        &["BLMOVE", "nokey", "d", "LEFT", "RIGHT", "0.2"],
    ] {
        let start = Instant::now();
        assert_eq!(call(&mut conn, cmd), b"*-1\r\n");
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(190), "{cmd:?} took {took:?}");
        assert!(took < Duration::from_millis(1500), "{cmd:?} took {took:?}");
    }
    call(&mut conn, &["HELLO", "3"]);
    assert_eq!(call(&mut conn, &["BRPOP", "nokey", "0.05"]), b"_\r\n");
}

#[test]
fn blocked_clients_are_served_first_come_first_served() {
    let server = Server::start(&[]);
    let mut first = server.raw();
    let mut second = server.raw();
    let mut other = server.client();
    send(&mut first, &["BRPOP", "a", "q", "5"]);
    wait_blocked(&mut other, 1);
    send(&mut second, &["BLPOP", "q", "5"]);
    wait_blocked(&mut other, 2);
    let _: i64 = redis::cmd("RPUSH")
        .arg("q")
        .arg("1")
        .arg("2")
        .arg("3")
        .query(&mut other)
        .unwrap();
    assert_eq!(read_reply(&mut first), b"*2\r\n$1\r\nq\r\n$1\r\n3\r\n");
    assert_eq!(read_reply(&mut second), b"*2\r\n$1\r\nq\r\n$1\r\n1\r\n");
    let rest: Vec<String> = redis::cmd("LRANGE")
        .arg("q")
        .arg(0)
        .arg(-1)
        .query(&mut other)
        .unwrap();
    assert_eq!(rest, vec!["2"]);
}

#[test]
fn push_inside_exec_wakes_and_blmove_chains() {
    let server = Server::start(&[]);
    let mut mover = server.raw();
    let mut popper = server.raw();
    let mut other = server.raw();
    send(&mut mover, &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "5"]);
    send(&mut popper, &["BZPOPMIN", "z", "5"]);
    let mut admin = server.client();
    wait_blocked(&mut admin, 2);
    assert_eq!(call(&mut other, &["MULTI"]), b"+OK\r\n");
    call(&mut other, &["LPUSH", "src", "v"]);
    call(&mut other, &["ZADD", "z", "2", "m"]);
    assert_eq!(call(&mut other, &["EXEC"]), b"*2\r\n:1\r\n:1\r\n");
    assert_eq!(read_reply(&mut mover), b"$1\r\nv\r\n");
    assert_eq!(
        read_reply(&mut popper),
        b"*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        call(&mut other, &["LRANGE", "dst", "0", "-1"]),
        b"*1\r\n$1\r\nv\r\n"
    );
}

#[test]
fn blocked_client_disconnect_leaves_no_trace() {
    let server = Server::start(&[]);
    let mut other = server.client();
    {
        let mut gone = server.raw();
        send(&mut gone, &["BLPOP", "q", "0"]);
        wait_blocked(&mut other, 1);
    }
    wait_blocked(&mut other, 0);
    let n: i64 = redis::cmd("RPUSH")
        .arg("q")
        .arg("x")
        .query(&mut other)
        .unwrap();
    assert_eq!(n, 1);
    let len: i64 = redis::cmd("LLEN").arg("q").query(&mut other).unwrap();
    assert_eq!(len, 1, "nobody may have popped for the gone client");
}

#[test]
fn multi_exec_and_watch_across_clients() {
    let server = Server::start(&[]);
    let mut a = server.raw();
    let mut b = server.client();
    assert_eq!(call(&mut a, &["MULTI"]), b"+OK\r\n");
    assert_eq!(call(&mut a, &["INCR", "n"]), b"+QUEUED\r\n");
    assert_eq!(call(&mut a, &["INCR", "n"]), b"+QUEUED\r\n");
    assert_eq!(call(&mut a, &["EXEC"]), b"*2\r\n:1\r\n:2\r\n");
    // Another client's write invalidates the watch.
    assert_eq!(call(&mut a, &["WATCH", "n"]), b"+OK\r\n");
    let _: () = redis::cmd("SET").arg("n").arg(10).query(&mut b).unwrap();
    call(&mut a, &["MULTI"]);
    call(&mut a, &["INCR", "n"]);
    assert_eq!(call(&mut a, &["EXEC"]), b"*-1\r\n");
    // Untouched: EXEC runs.
    call(&mut a, &["WATCH", "n"]);
    let _: String = redis::cmd("GET").arg("n").query(&mut b).unwrap();
    call(&mut a, &["MULTI"]);
    call(&mut a, &["INCR", "n"]);
    assert_eq!(call(&mut a, &["EXEC"]), b"*1\r\n:11\r\n");
    // A key alive at WATCH that expires before EXEC fails it (Redis 7.0).
    let _: () = redis::cmd("SET")
        .arg("t")
        .arg(1)
        .arg("PX")
        .arg(100)
        .query(&mut b)
        .unwrap();
    call(&mut a, &["WATCH", "t"]);
    sleep(Duration::from_millis(200));
    call(&mut a, &["MULTI"]);
    call(&mut a, &["PING"]);
    assert_eq!(call(&mut a, &["EXEC"]), b"*-1\r\n");
    // RESP3: the null is `_`.
    call(&mut a, &["HELLO", "3"]);
    call(&mut a, &["WATCH", "n"]);
    let _: () = redis::cmd("DEL").arg("n").query(&mut b).unwrap();
    call(&mut a, &["MULTI"]);
    assert_eq!(call(&mut a, &["EXEC"]), b"_\r\n");
}

#[test]
fn subscribe_and_publish_resp2_and_resp3() {
    let server = Server::start(&[]);
    let mut sub2 = server.raw();
    let mut sub3 = server.raw();
    let mut publisher = server.client();
    assert_eq!(
        call(&mut sub2, &["SUBSCRIBE", "news"]),
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    );
    call(&mut sub3, &["HELLO", "3"]);
    assert_eq!(
        call(&mut sub3, &["PSUBSCRIBE", "n*"]),
        b">3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n"
    );
    let n: i64 = redis::cmd("PUBLISH")
        .arg("news")
        .arg("hi")
        .query(&mut publisher)
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        read_reply(&mut sub2),
        b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
    );
    assert_eq!(
        read_reply(&mut sub3),
        b">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
    );
    let numsub: Vec<redis::Value> = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg("news")
        .query(&mut publisher)
        .unwrap();
    assert_eq!(numsub[1], redis::Value::Int(1));
    let numpat: i64 = redis::cmd("PUBSUB")
        .arg("NUMPAT")
        .query(&mut publisher)
        .unwrap();
    assert_eq!(numpat, 1);
    // A RESP3 subscriber may run other commands and gets messages in between.
    assert_eq!(call(&mut sub3, &["GET", "x"]), b"_\r\n");
    // Disconnecting cleans the subscriptions up.
    drop(sub2);
    drop(sub3);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let n: i64 = redis::cmd("PUBLISH")
            .arg("news")
            .arg("x")
            .query(&mut publisher)
            .unwrap();
        if n == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "subscribers never went away");
        sleep(Duration::from_millis(5));
    }
}

#[test]
fn slow_subscriber_hits_the_pubsub_output_limit() {
    let server = Server::start(&["--client-output-buffer-limit", "pubsub 64kb 0 0"]);
    let mut sub = server.raw();
    call(&mut sub, &["SUBSCRIBE", "c"]);
    let mut publisher = server.client();
    let big = "x".repeat(64 * 1024);
    let deadline = Instant::now() + Duration::from_secs(10);
    // The subscriber never reads: its socket buffers fill, then its output buffer.
    loop {
        let n: i64 = redis::cmd("PUBLISH")
            .arg("c")
            .arg(&big)
            .query(&mut publisher)
            .unwrap();
        if n == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "slow subscriber never disconnected"
        );
    }
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query(&mut publisher)
        .unwrap();
    assert!(
        info.contains("client_output_buffer_limit_disconnections:1"),
        "{info}"
    );
}
