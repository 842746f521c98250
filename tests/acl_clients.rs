//! ACL effects on other connections, on seedis and on a real redis-server 7.0.15 alike:
//! ACL DELUSER closes the user's connections, SETUSER closes the user's subscribers whose
//! channels it revokes (and no one else), CLIENT KILL USER, and the ACL LOG entries the
//! refusals leave (every field but the client info and the age, which differ by nature).

mod common;

use common::{read_until_close, resp_command, roundtrip, Server};
use std::net::TcpStream;
use std::time::Duration;

fn send(stream: &mut TcpStream, line: &str) -> String {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    String::from_utf8_lossy(&roundtrip(stream, &resp_command(&argv))).into_owned()
}

fn closed(stream: &mut TcpStream) -> bool {
    read_until_close(stream, Duration::from_millis(500)).1
}

/// What happens to other connections, as a list of observations.
fn observe(server: &Server) -> Vec<String> {
    let mut admin = server.raw();
    let mut seen = Vec::new();
    send(&mut admin, "ACL SETUSER a on >pw +@all ~* &*");
    send(
        &mut admin,
        "ACL SETUSER b on >pw +@all ~* resetchannels &news.* &sport",
    );
    let mut a = server.raw();
    seen.push(send(&mut a, "AUTH a pw"));
    let mut sub_news = server.raw();
    send(&mut sub_news, "AUTH b pw");
    seen.push(send(&mut sub_news, "SUBSCRIBE news.1"));
    let mut sub_sport = server.raw();
    send(&mut sub_sport, "AUTH b pw");
    seen.push(send(&mut sub_sport, "PSUBSCRIBE sport"));
    // Revoking `sport` closes only the pattern subscriber.
    seen.push(send(&mut admin, "ACL SETUSER b resetchannels &news.*"));
    seen.push(format!("sport closed: {}", closed(&mut sub_sport)));
    seen.push(format!("news closed: {}", closed(&mut sub_news)));
    // DELUSER closes a's connection.
    seen.push(send(&mut admin, "ACL DELUSER a"));
    seen.push(format!("a closed: {}", closed(&mut a)));
    // CLIENT KILL USER.
    seen.push(send(&mut admin, "CLIENT KILL USER b"));
    seen.push(format!("news closed: {}", closed(&mut sub_news)));
    seen.push(send(&mut admin, "CLIENT KILL USER a"));
    // The log: a refused command, key, channel and AUTH.
    send(&mut admin, "ACL LOG RESET");
    send(
        &mut admin,
        "ACL SETUSER c on nopass +@all -flushall %R~r* resetchannels",
    );
    let mut c = server.raw();
    send(&mut c, "AUTH c x");
    for line in [
        "FLUSHALL",
        "SET r1 v",
        "SET r1 v",
        "PUBLISH ch m",
        "MULTI",
        "GET other",
    ] {
        seen.push(send(&mut c, line));
    }
    seen.push(send(&mut c, "DISCARD"));
    seen.push(send(&mut c, "AUTH c wrong"));
    seen.push(send(&mut c, "AUTH nosuch wrong"));
    let log = roundtrip(&mut admin, &resp_command(&[b"ACL", b"LOG"]));
    seen.push(log_without_volatile_fields(&log));
    send(&mut admin, "ACL DELUSER b c");
    seen
}

/// ACL LOG's entries with `age-seconds` and `client-info` values dropped.
fn log_without_volatile_fields(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply);
    let mut out = Vec::new();
    let mut skip = false;
    for line in text.split("\r\n") {
        if skip {
            if !line.starts_with('$') {
                skip = false;
            }
            continue;
        }
        if line == "age-seconds" || line == "client-info" {
            skip = true;
        }
        out.push(line);
    }
    out.join(" ")
}

#[test]
fn other_connections_and_the_log_match_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping");
        return;
    };
    let seedis = Server::start(&[]);
    let want = observe(&redis);
    let got = observe(&seedis);
    assert_eq!(got, want);
    assert!(want.iter().any(|s| s == "sport closed: true"));
    assert!(want.iter().any(|s| s == "news closed: false"));
}

#[test]
fn user_lines_of_the_configuration_match_redis() {
    let args = [
        "--requirepass",
        "pw",
        "--user",
        "app",
        "on",
        ">apppw",
        "~a*",
        "+get",
        "(+set",
        "~b*)",
        "--user",
        "off-user",
    ];
    let Some(redis) = Server::start_redis(&args) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        return;
    };
    let seedis = Server::start(&args);
    let observe = |server: &Server| {
        let mut s = server.raw();
        [
            "PING",
            "AUTH app apppw",
            "GET a1",
            "SET b1 x",
            "SET a1 x",
            "AUTH default pw",
            "ACL LIST",
        ]
        .iter()
        .map(|line| send(&mut s, line))
        .collect::<Vec<_>>()
    };
    assert_eq!(observe(&seedis), observe(&redis));
}
