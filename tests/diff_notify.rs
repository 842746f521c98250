//! Keyspace notifications against a real redis-server 7.0.15: a subscriber on
//! `__key*__:*` (and on a marker channel) while seeded random scripts over every family
//! run on another connection, under several `notify-keyspace-events` settings. After
//! each command the script publishes a marker, so the pushed messages are compared
//! command by command, message for message (channel, payload, order, db).
//!
//! Active expiry is off (DEBUG SET-ACTIVE-EXPIRE 0) so that expirations happen lazily,
//! where both servers meet the key; a `PEXPIRE k 1` is followed by a short pause so the
//! key is certainly expired when the next command looks. The active cycle's `expired`
//! events are compared separately, as a set (its sampling order is random in both).

mod common;

use common::{read_reply, reply_len, resp_command, Server};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Scripts compared by default; SEEDIS_DIFF_SCRIPTS runs more by hand.
const SCRIPTS: usize = 24;
const COMMANDS_PER_SCRIPT: usize = 100;

/// The settings the scripts run under (one per script, in turn).
const FLAG_SETS: &[&str] = &[
    "KEA", "KEAmn", "Eg", "KEAn", "K$", "Kl", "KEAm", "Ex", "En", "Em", "Ehz", "Ks", "KEgx", "AKE",
    "Kgt", "KEAmn",
];

struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    fn below(&mut self, n: u32) -> u32 {
        self.rng.next_u32() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u32) as usize]
    }

    /// A key of a family, sometimes another family's (WRONGTYPE paths, no events).
    fn key(&mut self, prefix: &str) -> String {
        if self.below(10) == 0 {
            let other = self.pick(&["s", "l", "h", "S", "z"]);
            return format!("{other}{}", self.below(3));
        }
        format!("{prefix}{}", self.below(3))
    }

    fn any_key(&mut self) -> String {
        let p = self.pick(&["s", "l", "h", "S", "z"]);
        format!("{p}{}", self.below(3))
    }

    fn member(&mut self) -> String {
        if self.below(3) == 0 {
            self.below(8).to_string()
        } else {
            self.pick(&["a", "b", "c", "d"]).to_string()
        }
    }

    fn command(&mut self) -> String {
        match self.below(6) {
            0 => self.strings(),
            1 => self.lists(),
            2 => self.hashes(),
            3 => self.sets(),
            4 => self.zsets(),
            _ => self.generic(),
        }
    }

    fn strings(&mut self) -> String {
        let k = self.key("s");
        let v = self.pick(&["1", "a", "2.5", "x"]);
        match self.below(20) {
            0 => format!("SET {k} {v}"),
            1 => format!(
                "SET {k} {v} {}",
                self.pick(&["NX", "XX", "GET", "EX 100", "PX 100000 GET", "KEEPTTL"])
            ),
            2 => format!("GET {k}"),
            3 => format!("INCR {k}"),
            4 => format!("DECRBY {k} 2"),
            5 => format!("INCRBYFLOAT {k} 1.5"),
            6 => format!("APPEND {k} {v}"),
            7 => format!("SETRANGE {k} {} {}", self.below(3), self.pick(&["zz", ""])),
            8 => format!("GETDEL {k}"),
            9 => format!("GETSET {k} {v}"),
            10 => format!("MSET {k} {v} {} 3", self.key("s")),
            11 => format!("MSETNX {k} {v} {} 3", self.key("s")),
            12 => format!("SETNX {k} {v}"),
            13 => format!("SETEX {k} 100 {v}"),
            14 => format!("PSETEX {k} 100000 {v}"),
            15 => format!("MGET {k} {}", self.key("s")),
            16 => format!("STRLEN {k}"),
            17 => format!(
                "GETEX {k} {}",
                self.pick(&["PERSIST", "EX 100", "", "EXAT 1"])
            ),
            18 => format!("GETRANGE {k} 0 -1"),
            _ => format!("INCRBY {k} x"),
        }
    }

    fn lists(&mut self) -> String {
        let k = self.key("l");
        let m = self.member();
        match self.below(20) {
            0 | 1 => format!("LPUSH {k} {m} {}", self.member()),
            2 => format!("RPUSH {k} {m}"),
            3 => format!("{} {k} {m}", self.pick(&["LPUSHX", "RPUSHX"])),
            4 => format!("LPOP {k}"),
            5 => format!("RPOP {k} {}", self.pick(&["0", "1", "5"])),
            6 => format!("LSET {k} {} {m}", self.pick(&["0", "-1", "9"])),
            7 => format!(
                "LINSERT {k} {} {} {m}",
                self.pick(&["BEFORE", "AFTER"]),
                self.member()
            ),
            8 => format!("LREM {k} {} {m}", self.pick(&["0", "1", "-1"])),
            9 => format!(
                "LTRIM {k} {} {}",
                self.pick(&["0", "1", "5"]),
                self.pick(&["-1", "0", "1"])
            ),
            10 => format!("RPOPLPUSH {k} {}", self.key("l")),
            11 => format!(
                "LMOVE {k} {} {} {}",
                self.key("l"),
                self.pick(&["LEFT", "RIGHT"]),
                self.pick(&["LEFT", "RIGHT"])
            ),
            12 => format!(
                "LMPOP 2 {k} {} {}",
                self.key("l"),
                self.pick(&["LEFT", "RIGHT COUNT 2", "LEFT COUNT 9"])
            ),
            13 => format!("BLPOP {k} {} 0.01", self.key("l")),
            14 => format!("BRPOP {k} 0.01"),
            15 => format!("BLMOVE {k} {} RIGHT LEFT 0.01", self.key("l")),
            16 => format!("BLMPOP 0.01 1 {k} LEFT COUNT 2"),
            17 => format!("LRANGE {k} 0 -1"),
            18 => format!("LLEN {k}"),
            _ => format!("LINDEX {k} 0"),
        }
    }

    fn hashes(&mut self) -> String {
        let k = self.key("h");
        let f = self.member();
        match self.below(12) {
            0..=2 => format!("HSET {k} {f} 1 {} 2", self.member()),
            3 => format!("HMSET {k} {f} v"),
            4 => format!("HSETNX {k} {f} v"),
            5 => format!("HDEL {k} {f} {}", self.member()),
            6 => format!("HINCRBY {k} {f} 3"),
            7 => format!("HINCRBYFLOAT {k} {f} 1.5"),
            8 => format!("HGET {k} {f}"),
            9 => format!("HGETALL {k}"),
            10 => format!("HEXISTS {k} {f}"),
            _ => format!("HLEN {k}"),
        }
    }

    fn sets(&mut self) -> String {
        let k = self.key("S");
        let m = self.member();
        match self.below(14) {
            0..=2 => format!("SADD {k} {m} {}", self.member()),
            3 => format!("SREM {k} {m} {}", self.member()),
            4 => format!("SMOVE {k} {} {m}", self.key("S")),
            5 => format!("SPOP {k} {}", self.pick(&["0", "100"])),
            6 => format!("SINTERSTORE {} {k} {}", self.key("S"), self.key("S")),
            7 => format!("SUNIONSTORE {} {k} {}", self.key("S"), self.key("S")),
            8 => format!("SDIFFSTORE {} {k} {}", self.key("S"), self.key("S")),
            9 => format!("SINTER {k} {}", self.key("S")),
            10 => format!("SUNION {k} {}", self.key("S")),
            11 => format!("SISMEMBER {k} {m}"),
            12 => format!("SCARD {k}"),
            _ => format!("SINTERCARD 2 {k} {}", self.key("S")),
        }
    }

    fn zsets(&mut self) -> String {
        let k = self.key("z");
        let m = self.member();
        match self.below(20) {
            0..=2 => format!("ZADD {k} {} {m} 2 {}", self.below(4), self.member()),
            3 => format!(
                "ZADD {k} {} 1 {m}",
                self.pick(&["NX", "XX", "GT", "LT", "CH", "INCR"])
            ),
            4 => format!("ZINCRBY {k} 2 {m}"),
            5 => format!("ZREM {k} {m} {}", self.member()),
            6 => format!("ZPOPMIN {k} {}", self.pick(&["", "1", "5"])),
            7 => format!("ZPOPMAX {k}"),
            8 => format!("ZMPOP 2 {k} {} MIN COUNT 2", self.key("z")),
            9 => format!("BZPOPMIN {k} 0.01"),
            10 => format!("BZMPOP 0.01 1 {k} MAX"),
            11 => format!("ZREMRANGEBYRANK {k} 0 {}", self.pick(&["0", "-1"])),
            12 => format!("ZREMRANGEBYSCORE {k} 0 {}", self.pick(&["1", "+inf"])),
            13 => format!("ZREMRANGEBYLEX {k} - {}", self.pick(&["[b", "+"])),
            14 => format!("ZUNIONSTORE {} 2 {k} {}", self.key("z"), self.key("z")),
            15 => format!("ZINTERSTORE {} 2 {k} {}", self.key("z"), self.key("z")),
            16 => format!("ZDIFFSTORE {} 2 {k} {}", self.key("z"), self.key("z")),
            17 => format!("ZRANGESTORE {} {k} 0 -1", self.key("z")),
            18 => format!("ZSCORE {k} {m}"),
            _ => format!("ZRANGE {k} 0 -1"),
        }
    }

    fn generic(&mut self) -> String {
        let k = self.any_key();
        match self.below(22) {
            0 => format!("DEL {k} {}", self.any_key()),
            1 => format!("UNLINK {k}"),
            2 => format!(
                "EXPIRE {k} {}",
                self.pick(&["100", "0", "-1", "100 NX", "100 GT"])
            ),
            3 => format!("PEXPIRE {k} 1"),
            4 => format!("PEXPIREAT {k} {}", self.pick(&["1", "99999999999999"])),
            5 => format!("EXPIREAT {k} 1"),
            6 => format!("PERSIST {k}"),
            7 => format!("RENAME {k} {}", self.any_key()),
            8 => format!("RENAMENX {k} {}", self.any_key()),
            9 => format!("MOVE {k} 1"),
            10 => format!(
                "COPY {k} {} {}",
                self.any_key(),
                self.pick(&["", "REPLACE", "DB 1", "DB 1 REPLACE"])
            ),
            11 => "SWAPDB 0 1".to_string(),
            12 => format!("SORT {} STORE {k}", self.pick(&["l0", "S1", "z2", "nokey"])),
            13 => format!("EXISTS {k}"),
            14 => format!("TYPE {k}"),
            15 => format!("TTL {k}"),
            16 => format!("PTTL {k}"),
            17 => format!("OBJECT ENCODING {k}"),
            18 => format!("TOUCH {k}"),
            19 => format!("DUMP {k}"),
            20 => format!("EXPIRETIME {k}"),
            _ => format!("SORT {k} ALPHA"),
        }
    }
}

fn script(seed: u64) -> Vec<String> {
    let mut gen = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    (0..COMMANDS_PER_SCRIPT)
        .map(|_| {
            gen.command()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn send(stream: &mut TcpStream, line: &str) -> Vec<u8> {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    stream.write_all(&resp_command(&argv)).unwrap();
    read_reply(stream)
}

/// One pushed message as text: `[pattern ]channel payload`.
fn render(msg: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut at = msg.iter().position(|&b| b == b'\n').unwrap() + 1;
    while at < msg.len() {
        let len = reply_len(msg, at).unwrap();
        let item = &msg[at..at + len];
        let body_start = item.iter().position(|&b| b == b'\n').unwrap() + 1;
        parts.push(String::from_utf8_lossy(&item[body_start..item.len() - 2]).into_owned());
        at += len;
    }
    parts.join(" ")
}

/// Reads pushed messages until the marker `last` arrives; each marker closes a group.
fn read_groups(sub: &mut TcpStream, last: usize) -> Vec<Vec<String>> {
    let mut groups = vec![Vec::new()];
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        while let Some(len) = (!data.is_empty()).then(|| reply_len(&data, 0)).flatten() {
            let msg: Vec<u8> = data.drain(..len).collect();
            let text = render(&msg);
            if let Some(n) = text.strip_prefix("message mark ") {
                if n.parse::<usize>().unwrap() == last {
                    return groups;
                }
                groups.push(Vec::new());
            } else {
                groups.last_mut().unwrap().push(text);
            }
        }
        assert!(Instant::now() < deadline, "the marker never arrived");
        let n = sub.read(&mut buf).expect("subscriber read");
        assert!(n > 0, "subscriber closed");
        data.extend_from_slice(&buf[..n]);
    }
}

/// Runs `lines` under `flags`: the notifications each command caused, in order.
fn notifications(server: &Server, flags: &str, lines: &[String]) -> Vec<Vec<String>> {
    let mut cmd = server.raw();
    for argv in [
        &[&b"FLUSHALL"[..]][..],
        &[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"],
        &[b"CONFIG", b"SET", b"notify-keyspace-events", b""],
    ] {
        cmd.write_all(&resp_command(argv)).unwrap();
        read_reply(&mut cmd);
    }
    let mut sub = server.raw();
    sub.write_all(&resp_command(&[b"PSUBSCRIBE", b"__key*__:*"]))
        .unwrap();
    read_reply(&mut sub);
    sub.write_all(&resp_command(&[b"SUBSCRIBE", b"mark"]))
        .unwrap();
    read_reply(&mut sub);
    cmd.write_all(&resp_command(&[
        b"CONFIG",
        b"SET",
        b"notify-keyspace-events",
        flags.as_bytes(),
    ]))
    .unwrap();
    assert_eq!(read_reply(&mut cmd), b"+OK\r\n", "flags {flags}");
    for (i, line) in lines.iter().enumerate() {
        send(&mut cmd, line);
        if line.starts_with("PEXPIRE ") {
            // The key's millisecond passes before anything looks at it again.
            std::thread::sleep(Duration::from_millis(3));
        }
        send(&mut cmd, &format!("PUBLISH mark {i}"));
    }
    read_groups(&mut sub, lines.len() - 1)
}

#[test]
fn notifications_match_redis_command_by_command() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the notification differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let mut messages = 0;
    let mut commands = 0;
    let scripts = std::env::var("SEEDIS_DIFF_SCRIPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SCRIPTS);
    for s in 0..scripts {
        let flags = FLAG_SETS[s % FLAG_SETS.len()];
        let lines = script(s as u64 + 1);
        let want = notifications(&redis, flags, &lines);
        let got = notifications(&seedis, flags, &lines);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(
                got.get(i),
                want.get(i),
                "script {s} (flags {flags}), command {i}: {line}\nscript so far:\n{}",
                lines[..=i].join("\n")
            );
        }
        assert_eq!(got.len(), want.len());
        messages += want.iter().map(Vec::len).sum::<usize>();
        commands += lines.len();
    }
    eprintln!("{commands} commands, {messages} notifications compared");
    assert!(
        messages > 500,
        "too few notifications to mean much: {messages}"
    );
}

/// The active expire cycle announces `expired` (and nothing else) for each key it
/// removes, in the key's db.
#[test]
fn active_expiry_announces_expired_keys() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the active-expiry notification test");
        return;
    };
    let seedis = Server::start(&[]);
    let run = |server: &Server| {
        let mut cmd = server.raw();
        send(&mut cmd, "CONFIG SET notify-keyspace-events KEx");
        let mut sub = server.raw();
        sub.write_all(&resp_command(&[b"PSUBSCRIBE", b"__key*__:*"]))
            .unwrap();
        read_reply(&mut sub);
        sub.write_all(&resp_command(&[b"SUBSCRIBE", b"mark"]))
            .unwrap();
        read_reply(&mut sub);
        for i in 0..20 {
            send(&mut cmd, &format!("SET k{i} v PX 1"));
        }
        send(&mut cmd, "SELECT 3");
        send(&mut cmd, "SET other v PX 1");
        // The cron runs every 100 ms: within a second every key is found.
        std::thread::sleep(Duration::from_millis(1000));
        send(&mut cmd, "PUBLISH mark 0");
        let mut all: Vec<String> = read_groups(&mut sub, 0).concat();
        all.sort();
        all
    };
    let want = run(&redis);
    assert_eq!(want.len(), 42, "{want:?}");
    assert_eq!(run(&seedis), want);
}

/// RESTORE (its payload is bytes no script line can carry): `restore` for a new key,
/// `new` + `restore` over REPLACE, `del` when REPLACE meets a deadline already past.
#[test]
fn restore_announces_as_redis_does() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the RESTORE notification test");
        return;
    };
    let seedis = Server::start(&[]);
    let run = |server: &Server| {
        let mut cmd = server.raw();
        send(&mut cmd, "CONFIG SET notify-keyspace-events KEAn");
        let mut sub = server.raw();
        sub.write_all(&resp_command(&[b"PSUBSCRIBE", b"__key*__:*"]))
            .unwrap();
        read_reply(&mut sub);
        sub.write_all(&resp_command(&[b"SUBSCRIBE", b"mark"]))
            .unwrap();
        read_reply(&mut sub);
        send(&mut cmd, "SET src hello");
        let dump = send(&mut cmd, "DUMP src");
        // `$<len>\r\n<payload>\r\n`
        let start = dump.iter().position(|&b| b == b'\n').unwrap() + 1;
        let payload = &dump[start..dump.len() - 2];
        let steps: [&[&[u8]]; 5] = [
            &[b"RESTORE", b"dst", b"0", payload],
            &[b"RESTORE", b"dst", b"0", payload],
            &[b"RESTORE", b"dst", b"0", payload, b"REPLACE"],
            &[b"RESTORE", b"dst", b"1", payload, b"REPLACE", b"ABSTTL"],
            &[b"RESTORE", b"gone", b"1", payload, b"ABSTTL"],
        ];
        for (i, argv) in steps.iter().enumerate() {
            cmd.write_all(&resp_command(argv)).unwrap();
            read_reply(&mut cmd);
            send(&mut cmd, &format!("PUBLISH mark {i}"));
        }
        read_groups(&mut sub, steps.len() - 1)
    };
    let want = run(&redis);
    assert!(
        want.concat().iter().any(|m| m.ends_with(" restore")),
        "{want:?}"
    );
    assert_eq!(run(&seedis), want);
}

/// DEBUG RELOAD loads keys without announcing them (dbAddRDBLoad), even with `n` on.
#[test]
fn debug_reload_announces_nothing() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the DEBUG RELOAD notification test");
        return;
    };
    let seedis = Server::start(&[]);
    let run = |server: &Server| {
        let mut cmd = server.raw();
        send(&mut cmd, "SET a 1");
        send(&mut cmd, "RPUSH l x");
        send(&mut cmd, "CONFIG SET notify-keyspace-events KEAn");
        let mut sub = server.raw();
        sub.write_all(&resp_command(&[b"PSUBSCRIBE", b"__key*__:*"]))
            .unwrap();
        read_reply(&mut sub);
        sub.write_all(&resp_command(&[b"SUBSCRIBE", b"mark"]))
            .unwrap();
        read_reply(&mut sub);
        assert_eq!(send(&mut cmd, "DEBUG RELOAD"), b"+OK\r\n");
        send(&mut cmd, "PUBLISH mark 0");
        send(&mut cmd, "SET b 2");
        send(&mut cmd, "PUBLISH mark 1");
        read_groups(&mut sub, 1)
    };
    let want = run(&redis);
    assert!(want[0].is_empty() && want[1].len() == 4, "{want:?}");
    assert_eq!(run(&seedis), want);
}
