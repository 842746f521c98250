//! Differential test of the bitmap commands and LCS against a real redis-server 7.0:
//! seeded random scripts of SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
//! BITFIELD_RO and LCS over a few string keys shared with SET, APPEND, SETRANGE, INCR
//! and GET (and a list key, for WRONGTYPE), with every option and malformed arguments,
//! in RESP2 and RESP3. For every command the reply, the change of `server.dirty`
//! (INFO persistence) and OBJECT ENCODING of the touched key are compared byte for
//! byte, and a second connection subscribed to every keyspace notification must receive
//! the same messages in the same order. Skipped (loudly) where redis-server is missing.
//!
//! Bounded: `SCRIPTS` scripts of `COMMANDS_PER_SCRIPT` commands; SEEDIS_DIFF_SCRIPTS
//! runs more by hand.

mod common;

use common::{read_reply, resp_command, Server};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::io::{Read, Write};
use std::net::TcpStream;

const SCRIPTS: usize = 60;
const COMMANDS_PER_SCRIPT: usize = 50;

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

    fn key(&mut self) -> String {
        match self.below(14) {
            0 => "list".into(),
            1 => "missing".into(),
            _ => format!("b{}", self.below(3)),
        }
    }

    /// A bit offset: mostly small, sometimes a few KiB in, sometimes malformed or past
    /// the 512 MiB limit.
    fn offset(&mut self) -> String {
        match self.below(20) {
            0 => self
                .pick(&[
                    "-1",
                    "x",
                    "",
                    "4294967296",
                    "1.5",
                    "+1",
                    "99999999999999999999",
                ])
                .into(),
            1..=3 => (self.below(40_000)).to_string(),
            _ => self.below(70).to_string(),
        }
    }

    /// A range index for BITCOUNT / BITPOS.
    fn index(&mut self) -> String {
        match self.below(12) {
            0 => self
                .pick(&["x", "-9223372036854775808", "9223372036854775807"])
                .into(),
            1..=3 => format!("-{}", self.below(70)),
            _ => self.below(70).to_string(),
        }
    }

    fn unit(&mut self) -> &'static str {
        self.pick(&["BIT", "BYTE", "bit", "byte", "BITS"])
    }

    fn field_type(&mut self) -> String {
        match self.below(15) {
            0 => self
                .pick(&["u64", "i65", "i0", "x8", "u", "I8", "u-1"])
                .into(),
            1 => "i64".into(),
            2 => "u63".into(),
            _ => format!("{}{}", self.pick(&["i", "u"]), 1 + self.below(20)),
        }
    }

    fn field_offset(&mut self) -> String {
        match self.below(6) {
            0 => format!("#{}", self.below(10)),
            1 => self.pick(&["#", "#-1", "-3", "y"]).into(),
            _ => self.below(100).to_string(),
        }
    }

    fn number(&mut self) -> String {
        match self.below(8) {
            0 => self
                .pick(&["9223372036854775807", "-9223372036854775808", "abc", "1.5"])
                .into(),
            1..=2 => format!("-{}", self.below(300)),
            _ => self.below(300).to_string(),
        }
    }

    fn value(&mut self) -> String {
        match self.below(5) {
            0 => self.below(100_000).to_string(),
            1 => self
                .pick(&["''", "ohmytext", "mynewtext", "\u{7f}\u{1}"])
                .into(),
            _ => {
                let n = 1 + self.below(40);
                (0..n)
                    .map(|_| char::from(b'a' + self.below(4) as u8))
                    .collect()
            }
        }
    }

    fn bitfield_ops(&mut self, read_only: bool) -> String {
        let mut out = Vec::new();
        for _ in 0..self.below(5) {
            let op = if read_only && self.below(6) != 0 {
                "GET"
            } else {
                self.pick(&["GET", "SET", "INCRBY", "OVERFLOW", "get", "incrby", "NOPE"])
            };
            match op {
                "GET" | "get" => out.push(format!(
                    "{op} {} {}",
                    self.field_type(),
                    self.field_offset()
                )),
                "SET" | "INCRBY" | "incrby" => out.push(format!(
                    "{op} {} {} {}",
                    self.field_type(),
                    self.field_offset(),
                    self.number()
                )),
                "OVERFLOW" => {
                    let mode = self.pick(&["WRAP", "SAT", "FAIL", "fail", "BAD"]);
                    out.push(format!("OVERFLOW {mode}"));
                }
                _ => out.push(op.into()),
            }
        }
        // Now and then a truncated operation.
        if self.below(15) == 0 {
            out.push(self.pick(&["GET u8", "SET i8 0", "OVERFLOW"]).into());
        }
        out.join(" ")
    }

    fn command(&mut self) -> String {
        let k = self.key();
        match self.below(17) {
            0 => format!(
                "SETBIT {k} {} {}",
                self.offset(),
                self.pick(&["0", "1", "1", "2", "-1", "x"])
            ),
            1 => format!("GETBIT {k} {}", self.offset()),
            2 => match self.below(4) {
                0 => format!("BITCOUNT {k}"),
                1 => format!("BITCOUNT {k} {} {}", self.index(), self.index()),
                2 => format!(
                    "BITCOUNT {k} {} {} {}",
                    self.index(),
                    self.index(),
                    self.unit()
                ),
                _ => format!("BITCOUNT {k} {}", self.index()),
            },
            3 | 4 => {
                let bit = self.pick(&["0", "1", "1", "0", "2", "x"]);
                match self.below(5) {
                    0 => format!("BITPOS {k} {bit}"),
                    1 => format!("BITPOS {k} {bit} {}", self.index()),
                    2 => format!("BITPOS {k} {bit} {} {}", self.index(), self.index()),
                    3 => format!(
                        "BITPOS {k} {bit} {} {} {}",
                        self.index(),
                        self.index(),
                        self.unit()
                    ),
                    _ => format!("BITPOS {k} {bit} 0 -1 bit extra"),
                }
            }
            5 => {
                let op = self.pick(&["AND", "OR", "XOR", "NOT", "or", "NAND"]);
                let n = if op == "NOT" && self.below(4) != 0 {
                    1
                } else {
                    1 + self.below(3)
                };
                let srcs: Vec<String> = (0..n).map(|_| self.key()).collect();
                format!("BITOP {op} {} {}", self.key(), srcs.join(" "))
            }
            6 | 7 => format!("BITFIELD {k} {}", self.bitfield_ops(false)),
            8 => format!("BITFIELD_RO {k} {}", self.bitfield_ops(true)),
            9 => {
                let opts = match self.below(8) {
                    0 => "".to_string(),
                    1 => "LEN".into(),
                    2 => "IDX".into(),
                    3 => format!("IDX MINMATCHLEN {}", self.pick(&["0", "2", "4", "-1", "x"])),
                    4 => "IDX WITHMATCHLEN MINMATCHLEN 2".into(),
                    5 => "LEN IDX".into(),
                    6 => self.pick(&["FOO", "MINMATCHLEN", "WITHMATCHLEN"]).into(),
                    _ => "IDX WITHMATCHLEN".into(),
                };
                format!("LCS {k} {} {opts}", self.key())
            }
            10 | 11 => format!("SET {k} {}", self.value()),
            12 => format!("APPEND {k} {}", self.value()),
            13 => format!("SETRANGE {k} {} {}", self.below(60), self.value()),
            14 => format!("INCRBY {k} {}", self.below(1000)),
            15 => format!("GET {k}"),
            _ => format!("STRLEN {k}"),
        }
    }
}

/// Splits a line into arguments; `''` is an empty argument.
fn words(line: &str) -> Vec<Vec<u8>> {
    line.split_whitespace()
        .map(|w| {
            if w == "''" {
                Vec::new()
            } else {
                w.as_bytes().to_vec()
            }
        })
        .collect()
}

fn send(stream: &mut TcpStream, line: &str) -> Vec<u8> {
    let argv = words(line);
    let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    stream.write_all(&resp_command(&refs)).unwrap();
    read_reply(stream)
}

fn dirty(stream: &mut TcpStream) -> u64 {
    let info = send(stream, "INFO persistence");
    String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("rdb_changes_since_last_save in INFO persistence")
}

/// One script on one server: per command its reply, its dirty delta and the encoding
/// of its key; then every keyspace notification the subscriber received.
fn run(server: &Server, script: &[String], resp3: bool) -> (Vec<String>, Vec<u8>) {
    let mut c = server.raw();
    send(&mut c, "FLUSHALL");
    send(&mut c, "CONFIG SET notify-keyspace-events KEA");
    send(&mut c, "RPUSH list x");
    if resp3 {
        send(&mut c, "HELLO 3");
    }
    // The events the bit commands send (BITOP: set, del), and the end marker. Other
    // string commands' events are another change's business.
    let mut sub = server.raw();
    let patterns = ["setbit", "set", "del", "end"].map(|e| format!("__keyevent@*__:{e}"));
    let argv: Vec<&[u8]> = std::iter::once(&b"PSUBSCRIBE"[..])
        .chain(patterns.iter().map(|p| p.as_bytes()))
        .collect();
    sub.write_all(&resp_command(&argv)).unwrap();
    read_until(&mut sub, b"__:end\r\n:4\r\n");
    let mut out = Vec::new();
    for line in script {
        let before = dirty(&mut c);
        let reply = send(&mut c, line);
        let after = dirty(&mut c);
        let key = line
            .split_whitespace()
            .nth(if line.starts_with("BITOP") { 2 } else { 1 });
        let enc = key.map(|k| send(&mut c, &format!("OBJECT ENCODING {k}")));
        out.push(format!(
            "{line}\n    reply {:?} dirty {} encoding {:?}",
            String::from_utf8_lossy(&reply),
            after as i64 - before as i64,
            enc.map(|e| String::from_utf8_lossy(&e).into_owned())
        ));
    }
    // A marker message closes the notification stream.
    send(&mut c, "CONFIG SET notify-keyspace-events ''");
    send(&mut c, "PUBLISH __keyevent@9__:end the-end");
    let events = read_until(&mut sub, b"the-end\r\n");
    (out, events)
}

/// Everything the stream sends up to and including `marker`.
fn read_until(stream: &mut TcpStream, marker: &[u8]) -> Vec<u8> {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while !out.ends_with(marker) {
        let n = stream.read(&mut buf).expect("the marker arrives");
        assert!(n > 0, "connection closed before the marker");
        out.extend_from_slice(&buf[..n]);
    }
    out
}

fn scripts() -> Vec<Vec<String>> {
    let count = std::env::var("SEEDIS_DIFF_SCRIPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SCRIPTS);
    (0..count as u64)
        .map(|seed| {
            let mut g = Gen {
                rng: ChaCha8Rng::seed_from_u64(seed),
            };
            (0..COMMANDS_PER_SCRIPT).map(|_| g.command()).collect()
        })
        .collect()
}

/// Edge cases written by hand: the limits, the growth of big strings, integer-encoded
/// strings, LCS's reply shapes.
fn fixed_script() -> Vec<String> {
    [
        "CONFIG SET proto-max-bulk-len 1048576",
        "SETBIT big 8388607 0",
        "SETBIT big 8388608 1",
        "BITFIELD big GET u8 8388600 GET u8 8388608 SET u8 #1048575 1",
        "CONFIG SET proto-max-bulk-len 536870912",
        "STRLEN big",
        "BITOP AND big missing",
        "SETBIT b0 80000 1",
        "BITCOUNT b0",
        "BITPOS b0 1",
        "BITPOS b0 0 -1",
        "BITPOS b0 1 -1 -1 BYTE",
        "BITCOUNT b0 0 -1 BIT",
        "BITFIELD b0 GET u8 79992 SET i64 #1000 -5 GET i64 #1000",
        "SET b1 12345",
        "GETBIT b1 3",
        "BITCOUNT b1",
        "BITFIELD b1 GET u16 0",
        "SETBIT b1 7 0",
        "GET b1",
        "SET b2 ohmytext",
        "SET b1 mynewtext",
        "LCS b2 b1",
        "LCS b2 b1 LEN",
        "LCS b2 b1 IDX",
        "LCS b2 b1 IDX MINMATCHLEN 4 WITHMATCHLEN",
        "LCS b2 list",
        "BITOP NOT b2 missing",
        "BITOP AND b2 b1 missing",
        "BITFIELD missing OVERFLOW FAIL INCRBY u2 0 5",
        "EXISTS missing",
        "BITFIELD_RO b1",
        "BITFIELD b1 OVERFLOW SAT INCRBY i64 0 9223372036854775807 INCRBY i64 0 1",
        "BITFIELD b1 OVERFLOW WRAP INCRBY u63 0 9223372036854775807 INCRBY u63 0 2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn bitmaps_and_lcs_match_real_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the bitmap differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let mut all = scripts();
    all.push(fixed_script());
    let mut mismatches = Vec::new();
    let mut commands = 0;
    for (n, script) in all.iter().enumerate() {
        let resp3 = n % 3 == 2;
        let (want, want_events) = run(&redis, script, resp3);
        let (got, got_events) = run(&seedis, script, resp3);
        commands += script.len();
        for (w, g) in want.iter().zip(&got) {
            if w != g {
                mismatches.push(format!("script {n}: redis:\n  {w}\nseedis:\n  {g}"));
            }
        }
        if want_events != got_events {
            mismatches.push(format!(
                "script {n}: notifications differ\n  redis:  {:?}\n  seedis: {:?}",
                String::from_utf8_lossy(&want_events),
                String::from_utf8_lossy(&got_events)
            ));
        }
    }
    eprintln!(
        "diff_bits: {} scripts, {commands} commands compared",
        all.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} differences:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(15)].join("\n")
    );
}
