//! Busy scripts over TCP (issue #12): a script past busy-reply-threshold does not freeze
//! the server. Other clients (new connections included) get -BUSY, the allow-busy
//! commands run, SCRIPT KILL / FUNCTION KILL stop a script that has not written,
//! -UNKILLABLE once it has, SHUTDOWN NOSAVE ends the server. Every exchange is run
//! against seedis and, when installed, a real redis-server 7.0.15, and the replies must
//! be equal byte for byte.

mod common;

use common::{read_reply, resp_command, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const THRESHOLD: &[&str] = &["--busy-reply-threshold", "100"];

fn connect(server: &Server) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

fn send(stream: &mut TcpStream, argv: &[&str]) {
    let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    stream.write_all(&resp_command(&argv)).expect("write");
}

fn call(stream: &mut TcpStream, argv: &[&str]) -> String {
    send(stream, argv);
    String::from_utf8_lossy(&read_reply(stream)).into_owned()
}

/// Pings on a fresh connection until the server answers -BUSY (the script crossed the
/// threshold).
fn wait_busy(server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut s = connect(server);
        if call(&mut s, &["PING"]).starts_with("-BUSY") {
            return;
        }
        assert!(Instant::now() < deadline, "the script never became busy");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What one server answers in the whole scenario, in order.
fn eval_scenario(server: &Server) -> Vec<String> {
    let mut out = Vec::new();
    let mut a = connect(server);
    let mut b = connect(server);
    out.push(call(&mut b, &["SET", "k", "v"]));
    out.push(call(&mut b, &["SCRIPT", "KILL"]));
    send(
        &mut a,
        &["EVAL", "local i = 0\nwhile true do\n i = i + 1\nend", "0"],
    );
    wait_busy(server);
    for argv in [
        &["GET", "k"][..],
        &["PING"],
        &["FUNCTION", "STATS"],
        &["FUNCTION", "KILL"],
        &["SHUTDOWN"],
        &["SHUTDOWN", "SAVE"],
        &["CLIENT", "LIST"],
        &["NOSUCH"],
        &["GET"],
        &["MULTI"],
        &["SET", "k", "w"],
        &["EXEC"],
        &["WATCH", "k"],
        &["UNWATCH"],
        &["HELLO", "3"],
        &["PING"],
        &["HELLO", "2"],
    ] {
        let reply = call(&mut b, argv);
        // HELLO's client id depends on how many connections came before.
        let reply = match reply.find("$2\r\nid\r\n:") {
            Some(at) => {
                let start = at + "$2\r\nid\r\n:".len();
                let end = start + reply[start..].find('\r').unwrap_or(0);
                format!("{}N{}", &reply[..start], &reply[end..])
            }
            None => reply,
        };
        out.push(reply);
    }
    // A connection accepted while the script runs is served too.
    let mut c = connect(server);
    out.push(call(&mut c, &["INCR", "n"]));
    out.push(call(&mut c, &["SCRIPT", "KILL"]));
    out.push(String::from_utf8_lossy(&read_reply(&mut a)).into_owned());
    out.push(call(&mut c, &["SCRIPT", "KILL"]));
    out.push(call(&mut b, &["GET", "k"]));
    out.push(call(&mut a, &["GET", "n"]));
    // A pcall in the script does not catch the kill.
    send(
        &mut a,
        &[
            "EVAL",
            "local i = 0\nwhile true do\n pcall(function() while true do i = i + 1 end end)\nend",
            "0",
        ],
    );
    wait_busy(server);
    out.push(call(&mut b, &["SCRIPT", "KILL"]));
    let killed = String::from_utf8_lossy(&read_reply(&mut a)).into_owned();
    // seedis names the position differently here (README, Scripting): compare the text.
    out.push(killed.split(" script: ").next().unwrap_or("").to_string());
    out
}

fn function_scenario(server: &Server) -> Vec<String> {
    let mut out = Vec::new();
    let mut a = connect(server);
    let mut b = connect(server);
    out.push(call(
        &mut b,
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=spin\nredis.register_function('spin', function(keys, args)\n while true do end\nend)",
        ],
    ));
    send(&mut a, &["FCALL", "spin", "1", "key1", "arg1"]);
    wait_busy(server);
    out.push(call(&mut b, &["GET", "k"]));
    out.push(call(&mut b, &["SCRIPT", "KILL"]));
    // FUNCTION STATS: all but the duration, which is timing.
    let stats = call(&mut b, &["FUNCTION", "STATS"]);
    let cut = stats.find("duration_ms").expect("a running script");
    let after = &stats[cut..];
    let rest = &after[after.find('\n').unwrap() + 1..];
    let rest = &rest[rest.find('\n').unwrap() + 1..];
    out.push(format!("{}{}", &stats[..cut], rest));
    out.push(call(&mut b, &["FUNCTION", "KILL"]));
    out.push(String::from_utf8_lossy(&read_reply(&mut a)).into_owned());
    out.push(call(&mut b, &["FUNCTION", "KILL"]));
    out.push(call(&mut a, &["PING"]));
    out
}

/// A script that wrote cannot be killed; SHUTDOWN NOSAVE ends the server, and the
/// script's caller gets no reply.
fn unkillable_scenario(server: &mut Server) -> Vec<String> {
    let mut out = Vec::new();
    let mut a = connect(server);
    let mut b = connect(server);
    send(
        &mut a,
        &[
            "EVAL",
            "redis.call('set', KEYS[1], 'x')\nwhile true do end",
            "1",
            "w",
        ],
    );
    wait_busy(server);
    out.push(call(&mut b, &["SCRIPT", "KILL"]));
    out.push(call(&mut b, &["SHUTDOWN"]));
    send(&mut b, &["SHUTDOWN", "NOSAVE"]);
    let exited = server.wait_exit(Duration::from_secs(10));
    out.push(format!("exited: {}", exited.is_some()));
    let mut rest = Vec::new();
    let _ = a.read_to_end(&mut rest);
    out.push(format!("caller got: {:?}", String::from_utf8_lossy(&rest)));
    out
}

fn compare(name: &str, run: impl Fn(&mut Server) -> Vec<String>) {
    let mut seedis = Server::start(THRESHOLD);
    let ours = run(&mut seedis);
    let Some(mut redis) = Server::start_redis(THRESHOLD) else {
        eprintln!("redis-server not installed: {name} checked against seedis's own answers only");
        assert!(ours.iter().any(|r| r.starts_with("-BUSY")), "{ours:?}");
        return;
    };
    let theirs = run(&mut redis);
    assert_eq!(
        ours, theirs,
        "{name}: seedis (left) and redis-server (right)"
    );
}

#[test]
fn busy_eval_answers_busy_and_is_killed() {
    compare("eval", |s| eval_scenario(s));
}

#[test]
fn busy_function_is_killed_by_function_kill() {
    compare("function", |s| function_scenario(s));
}

#[test]
fn a_script_that_wrote_is_unkillable_and_shutdown_nosave_ends_the_server() {
    compare("unkillable", unkillable_scenario);
}
