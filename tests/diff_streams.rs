//! Streams against a real redis-server 7.0.15: fixed scripts for every command, option
//! and error text, seeded random scripts, DUMP payloads exchanged both ways (byte-equal),
//! and blocking XREAD/XREADGROUP over TCP. `*` IDs are made deterministic by moving the
//! stream's last ID far into the future first (XSETID), so `*` is last_id + 1 on both;
//! lines whose replies hold wall-clock or idle times are masked (`@`).

mod common;

use common::{read_reply, resp_command, Server};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::io::Write;
use std::time::Duration;

const FAR: &str = "99999999999999";

const SCRIPTS: &[&[&str]] = &[
    // XADD forms and errors
    &[
        "XADD s 1-1 f v",
        "XADD s 1-1 f v",
        "XADD s 1-0 f v",
        "XADD s 0-0 f v",
        "XADD s 0-* f v",
        "XADD t 0-* f v",
        "XADD s 1-* f v",
        "XADD s 2-* a b c d",
        "XADD s 2-* a b c d",
        "XADD s 3 f v",
        "XADD s + f v",
        "XADD s - f v",
        "XADD s 18446744073709551616-0 f v",
        "XADD s abc f v",
        "XADD s 5-1 f",
        "XADD s 5-1",
        "XADD s 5-1 f v g",
        "XADD s NOMKSTREAM 6-1 f v",
        "XADD nokey NOMKSTREAM 6-1 f v",
        "EXISTS nokey",
        "XADD s MAXLEN 2 7-1 f v",
        "XLEN s",
        "XADD s MAXLEN = 5 8-1 f v",
        "XADD s MAXLEN ~ 1 9-1 f v",
        "XADD s MAXLEN -1 10-1 f v",
        "XADD s MAXLEN x 10-1 f v",
        "XADD s MAXLEN 1 MINID 1 10-1 f v",
        "XADD s MINID 8 10-1 f v",
        "XADD s MINID + 10-1 f v",
        "XADD s LIMIT 5 10-1 f v",
        "XADD s MAXLEN 5 LIMIT 5 10-1 f v",
        "XADD s MAXLEN ~ 5 LIMIT -1 10-1 f v",
        "XADD s MAXLEN ~ 5 LIMIT 5 10-1 f v",
        "XRANGE s - +",
        "SET str x",
        "XADD str 1-1 f v",
        "XADD str NOMKSTREAM 1-1 f v",
        "XADD mx 18446744073709551615-18446744073709551615 f v",
        "XADD mx 18446744073709551615-* f v",
        "XADD mx * f v",
        "XADD my 5-18446744073709551615 f v",
        "XADD my 5-* f v",
        "TYPE s",
        "OBJECT ENCODING s",
        "XADD",
        "XADD s",
    ],
    // XRANGE / XREVRANGE / XLEN / XDEL
    &[
        "XADD s 1-1 a 1",
        "XADD s 1-2 b 2",
        "XADD s 2-0 a 3 b 4",
        "XADD s 3-5 a 5",
        "XADD s 4-0 c 6",
        "XRANGE s - +",
        "XRANGE s - + COUNT 2",
        "XRANGE s - + COUNT 0",
        "XRANGE s - + COUNT -1",
        "XRANGE s - + COUNT x",
        "XRANGE s - + COUNT",
        "XRANGE s - + FOO 1",
        "XRANGE s 1 1",
        "XRANGE s (1-1 +",
        "XRANGE s - (3-5",
        "XRANGE s (- +",
        "XRANGE s ( +",
        "XRANGE s (18446744073709551615-18446744073709551615 +",
        "XRANGE s - (0-0",
        "XRANGE s 3 2",
        "XRANGE s x +",
        "XREVRANGE s + -",
        "XREVRANGE s + - COUNT 1",
        "XREVRANGE s (4 (1-1",
        "XREVRANGE s 2 2",
        "XRANGE nokey - +",
        "XREVRANGE nokey + - COUNT 0",
        "XLEN s",
        "XLEN nokey",
        "XDEL s 1-2 2-0 9-9",
        "XDEL s 1-1 x",
        "XDEL s -",
        "XDEL nokey 1-1",
        "XRANGE s - +",
        "XDEL s 1-1 3-5 4-0",
        "XLEN s",
        "EXISTS s",
        "XRANGE s - +",
        "XADD s 4-0 f v",
        "XADD s 4-1 f v",
        "SET str x",
        "XRANGE str - +",
        "XLEN str",
        "XDEL str 1",
        "DEBUG DIGEST-VALUE s",
    ],
    // node splits, trimming, DUMP bytes, digest
    &[
        "CONFIG SET stream-node-max-entries 3",
        "XADD s 1-1 a 1 b 2",
        "XADD s 2-1 a 1 b 2",
        "XADD s 3-1 b 1 a 2",
        "XADD s 4-1 a 1",
        "XADD s 5-1 a 1 b 2",
        "XADD s 6-1 x y",
        "XADD s 7-1 12 34 -5 0",
        "XADD s 8-1 a 1 b 2",
        "DUMP s",
        "DEBUG DIGEST-VALUE s",
        "XINFO STREAM s",
        "XTRIM s MAXLEN ~ 5",
        "XTRIM s MAXLEN 6",
        "XTRIM s MAXLEN = 5",
        "XTRIM s MINID 5",
        "XTRIM s MINID ~ 7",
        "XTRIM s MAXLEN ~ 0 LIMIT 1",
        "XTRIM s MAXLEN 1 LIMIT 1",
        "XTRIM s",
        "XTRIM s FOO 1",
        "XTRIM s LIMIT 1",
        "XTRIM s MAXLEN",
        "XTRIM s MAXLEN -1",
        "XTRIM s MINID x",
        "XTRIM nokey MAXLEN 0",
        "XTRIM nokey FOO",
        "DUMP s",
        "XINFO STREAM s",
        "XDEL s 6-1",
        "XINFO STREAM s",
        "DUMP s",
        "XTRIM s MAXLEN 0",
        "XINFO STREAM s",
        "DUMP s",
        "CONFIG SET stream-node-max-bytes 60",
        "XADD b 1-1 f 0123456789012345678901234567890123456789",
        "XADD b 1-2 f 0123456789012345678901234567890123456789",
        "XADD b 1-3 g 0123456789012345678901234567890123456789",
        "XINFO STREAM b",
        "DUMP b",
        "CONFIG SET stream-node-max-bytes 4096",
        "CONFIG SET stream-node-max-entries 100",
        "~CONFIG GET stream-node-*",
    ],
    // XSETID
    &[
        "XADD s 5-5 f v",
        "XSETID s 5-4",
        "XSETID s 5-5",
        "XSETID s 9-0",
        "XSETID s 9-0 ENTRIESADDED 0",
        "XSETID s 9-0 ENTRIESADDED -1",
        "XSETID s 9-0 ENTRIESADDED 10 MAXDELETEDID 9-1",
        "XSETID s 9-0 ENTRIESADDED 10 MAXDELETEDID 3-0",
        "XSETID s 9-0 FOO 1",
        "XSETID s 9-0 ENTRIESADDED",
        "XSETID s +",
        "XSETID nokey 1-1",
        "XINFO STREAM s",
        "XADD s 9-0 f v",
        "XADD s 9-* f v",
        "XDEL s 5-5",
        "XDEL s 9-1",
        "XSETID s 1-1",
        "XINFO STREAM s",
        "SET str x",
        "XSETID str 1",
    ],
    // groups: create, read, ack, pending
    &[
        "XGROUP CREATE s g $",
        "XGROUP CREATE s g $ MKSTREAM",
        "XGROUP CREATE s g $ MKSTREAM",
        "XGROUP CREATE s g2 0 ENTRIESREAD 3",
        "XGROUP CREATE s g3 0 ENTRIESREAD -2",
        "XGROUP CREATE s g3 0 FOO",
        "XGROUP CREATE s g3 x",
        "XGROUP CREATE s g3 +",
        "XADD s 1-1 a 1",
        "XADD s 2-1 b 2",
        "XADD s 3-1 c 3",
        "XREADGROUP GROUP g alice STREAMS s >",
        "XREADGROUP GROUP g2 alice COUNT 1 STREAMS s >",
        "XREADGROUP GROUP g2 bob STREAMS s >",
        "XREADGROUP GROUP g2 bob STREAMS s >",
        "XREADGROUP GROUP g2 alice STREAMS s 0",
        "XREADGROUP GROUP g2 bob STREAMS s 0-0",
        "XREADGROUP GROUP g2 carol STREAMS s 0",
        "XREADGROUP GROUP nogroup bob STREAMS s >",
        "XREADGROUP GROUP g2 bob STREAMS nokey >",
        "XREADGROUP GROUP g2 bob STREAMS s $",
        "XREADGROUP GROUP g2 bob STREAMS s",
        "XREADGROUP GROUP g2 bob STREAMS s s > >",
        "XREADGROUP STREAMS s >",
        "XREADGROUP GROUP g2 bob NOACK COUNT x STREAMS s >",
        "XREAD GROUP g2 bob STREAMS s >",
        "XREAD NOACK STREAMS s 0",
        "XPENDING s g2",
        "XPENDING s g",
        "@XPENDING s g2 - + 10",
        "@XPENDING s g2 - + 10 bob",
        "@XPENDING s g2 - + 10 nobody",
        "@XPENDING s g2 IDLE 0 - + 10",
        "@XPENDING s g2 (1-1 + 1",
        "XPENDING s g2 - + x",
        "XPENDING s g2 - +",
        "XPENDING s g2 IDLE x - + 1",
        "XPENDING s g2 IDLE 5 - +",
        "XPENDING s nogroup",
        "XPENDING nokey g",
        "XACK s g2 1-1 2-1 9-9",
        "XACK s g2 x",
        "XACK s nogroup 1-1",
        "XACK nokey g 1-1",
        "XPENDING s g2",
        "XDEL s 3-1",
        "XREADGROUP GROUP g2 bob STREAMS s 0",
        "XINFO GROUPS s",
        "@XINFO CONSUMERS s g2",
        "XINFO CONSUMERS s nogroup",
        "XINFO STREAM s",
        "@XINFO STREAM s FULL",
        "@XINFO STREAM s FULL COUNT 1",
        "XINFO STREAM s FULL COUNT x",
        "XINFO STREAM s FOO",
        "XINFO STREAM nokey",
        "XINFO HELP",
        "XINFO HELP x",
        "XINFO FOO s",
        "XGROUP HELP",
        "XGROUP FOO s g",
        "XGROUP SETID s g2 1-1",
        "XGROUP SETID s g2 $ ENTRIESREAD 1",
        "XGROUP SETID s nogroup 0",
        "XGROUP SETID nokey g 0",
        "XINFO GROUPS s",
        "XGROUP CREATECONSUMER s g2 dave",
        "XGROUP CREATECONSUMER s g2 dave",
        "XGROUP CREATECONSUMER s nogroup dave",
        "XGROUP DELCONSUMER s g2 bob",
        "XGROUP DELCONSUMER s g2 bob",
        "XGROUP DESTROY s g3",
        "XGROUP DESTROY s g",
        "XGROUP DESTROY nokey g",
        "XINFO GROUPS s",
        "?DUMP s",
        "SET str x",
        "XGROUP CREATE str g 0",
        "XREADGROUP GROUP g a STREAMS str >",
        "XINFO STREAM str",
    ],
    // XREAD
    &[
        "XADD a 1-1 f v",
        "XADD a 2-1 f v",
        "XADD b 1-1 g w",
        "XREAD STREAMS a b 0 0",
        "XREAD COUNT 1 STREAMS a b 1-1 0",
        "XREAD STREAMS a $",
        "XREAD STREAMS a b 2-1 1-1",
        "XREAD STREAMS nokey 0",
        "XREAD STREAMS a >",
        "XREAD STREAMS a",
        "XREAD STREAMS a b 0",
        "XREAD COUNT -5 STREAMS a 0",
        "XREAD BLOCK -1 STREAMS a 0",
        "XREAD BLOCK x STREAMS a 0",
        "XREAD FOO STREAMS a 0",
        "XREAD STREAMS a x",
        "XREAD STREAMS a +",
        "?HELLO 3",
        "XREAD STREAMS a b 0 0",
        "XREADGROUP GROUP g c STREAMS a >",
        "XGROUP CREATE a g 0",
        "XREADGROUP GROUP g c STREAMS a >",
        "XINFO STREAM a",
        "XINFO GROUPS a",
        "MULTI",
        "XREAD BLOCK 0 STREAMS a $",
        "EXEC",
        "EVAL \"return redis.call('xread','BLOCK','0','STREAMS','a','$')\" 0",
        "EVAL \"return redis.call('xread','STREAMS','a','0')\" 0",
        "SET str x",
        "XREAD STREAMS str 0",
    ],
    // XCLAIM / XAUTOCLAIM
    &[
        "XGROUP CREATE s g 0 MKSTREAM",
        "XADD s 1-1 a 1",
        "XADD s 2-1 b 2",
        "XADD s 3-1 c 3",
        "XADD s 4-1 d 4",
        "XREADGROUP GROUP g alice STREAMS s >",
        "XCLAIM s g bob 0 1-1",
        "XCLAIM s g bob 0 1-1 2-1 JUSTID",
        "XCLAIM s g bob 3600000 3-1",
        "XCLAIM s g bob 0 3-1 RETRYCOUNT 7",
        "XCLAIM s g carol 0 4-1 IDLE 1000 JUSTID",
        "XCLAIM s g carol 0 4-1 TIME 1 JUSTID",
        "XCLAIM s g carol 0 9-9 FORCE",
        "XDEL s 2-1",
        "XCLAIM s g carol 0 2-1 FORCE",
        "XCLAIM s g carol 0 2-1",
        "XACK s g 3-1",
        "XCLAIM s g dave 0 3-1 FORCE JUSTID",
        "XCLAIM s g dave 0 3-1 FORCE JUSTID LASTID 10-0",
        "XINFO GROUPS s",
        "XCLAIM s g bob x 1-1",
        "XCLAIM s g bob 0 1-1 IDLE x",
        "XCLAIM s g bob 0 1-1 TIME x",
        "XCLAIM s g bob 0 1-1 RETRYCOUNT x",
        "XCLAIM s g bob 0 1-1 LASTID x",
        "XCLAIM s g bob 0 1-1 FOO",
        "XCLAIM s g bob 0 x",
        "XCLAIM s nogroup bob 0 1-1",
        "XCLAIM nokey g bob 0 1-1",
        "XPENDING s g",
        "XADD s 5-1 e 5",
        "XADD s 6-1 f 6",
        "XREADGROUP GROUP g alice STREAMS s >",
        "XDEL s 5-1",
        "XAUTOCLAIM s g eve 0 0",
        "XAUTOCLAIM s g eve 0 0 COUNT 1",
        "XAUTOCLAIM s g eve 0 (1-1 COUNT 1 JUSTID",
        "XAUTOCLAIM s g eve 3600000 0",
        "XAUTOCLAIM s g eve 0 0 COUNT 0",
        "XAUTOCLAIM s g eve 0 0 COUNT x",
        "XAUTOCLAIM s g eve x 0",
        "XAUTOCLAIM s g eve 0 x",
        "XAUTOCLAIM s g eve 0 0 FOO",
        "XAUTOCLAIM s nogroup eve 0 0",
        "XAUTOCLAIM nokey g eve 0 0",
        "XPENDING s g",
        "@XPENDING s g - + 100",
        "XINFO GROUPS s",
        "@XINFO CONSUMERS s g",
        "?DUMP s",
    ],
];

#[test]
fn stream_scripts_match_redis() {
    common::diff::assert_scripts_match(SCRIPTS);
}

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
        if self.below(15) == 0 {
            return "str".into();
        }
        format!("x{}", self.below(2))
    }

    fn id(&mut self) -> String {
        match self.below(10) {
            0 => self.pick(&["-", "+", "0", "x", "0-0"]).into(),
            1 => format!("({}-{}", self.below(8), self.below(3)),
            2 => format!("{}", self.below(8)),
            _ => format!("{}-{}", self.below(8), self.below(3)),
        }
    }

    fn group(&mut self) -> String {
        format!("g{}", self.below(3))
    }

    fn consumer(&mut self) -> String {
        self.pick(&["alice", "bob", "carol"]).into()
    }

    fn line(&mut self) -> String {
        let k = self.key();
        match self.below(24) {
            0..=4 => {
                let id = match self.below(6) {
                    0 => "*".to_string(),
                    1 => format!("{}-*", self.below(8)),
                    _ => format!("{}-{}", self.below(8), self.below(3)),
                };
                let trim = match self.below(8) {
                    0 => format!("MAXLEN {} ", self.below(4)),
                    1 => format!("MAXLEN ~ {} ", self.below(4)),
                    2 => format!("MINID {} ", self.id()),
                    3 => "NOMKSTREAM ".into(),
                    _ => String::new(),
                };
                let fields = match self.below(4) {
                    0 => "a 1 b 2",
                    1 => "a 1",
                    2 => "b x a y",
                    _ => "a",
                };
                format!("XADD {k} {trim}{id} {fields}")
            }
            5 => format!("XSETID {k} {FAR}-{}", self.below(3)),
            6 => format!(
                "XRANGE {k} {} {} COUNT {}",
                self.id(),
                self.id(),
                self.below(4)
            ),
            7 => format!("XREVRANGE {k} {} {}", self.id(), self.id()),
            8 => format!("XLEN {k}"),
            9 => format!("XDEL {k} {} {}", self.id(), self.id()),
            10 => match self.below(3) {
                0 => format!("XTRIM {k} MAXLEN {}", self.below(5)),
                1 => format!("XTRIM {k} MINID ~ {}", self.id()),
                _ => format!("XTRIM {k} MINID {}", self.id()),
            },
            11 => format!(
                "XGROUP CREATE {k} {} {} {}",
                self.group(),
                self.pick(&["0", "$", "3-0", "x"]),
                self.pick(&["", "MKSTREAM", "ENTRIESREAD 2"])
            ),
            12 | 13 => format!(
                "XREADGROUP GROUP {} {} {}COUNT {} STREAMS {k} {}",
                self.group(),
                self.consumer(),
                self.pick(&["", "NOACK "]),
                self.below(3),
                self.pick(&[">", ">", "0", "2-0"])
            ),
            14 => format!("XACK {k} {} {} {}", self.group(), self.id(), self.id()),
            15 => format!("XPENDING {k} {}", self.group()),
            16 => format!("@XPENDING {k} {} - + 5 {}", self.group(), self.consumer()),
            17 => format!(
                "XCLAIM {k} {} {} 0 {} {}",
                self.group(),
                self.consumer(),
                self.id(),
                self.pick(&["", "JUSTID", "FORCE", "RETRYCOUNT 3"])
            ),
            18 => format!(
                "XAUTOCLAIM {k} {} {} 0 {} COUNT {}",
                self.group(),
                self.consumer(),
                self.id(),
                1 + self.below(3)
            ),
            19 => format!(
                "XGROUP {} {k} {} {}",
                self.pick(&["SETID", "CREATECONSUMER", "DELCONSUMER", "DESTROY"]),
                self.group(),
                self.pick(&["0", "$", "bob", "alice"])
            ),
            20 => format!("XINFO GROUPS {k}"),
            21 => format!("XINFO STREAM {k}"),
            22 => format!("XREAD COUNT {} STREAMS {k} {}", self.below(3), self.id()),
            // Consumers' seen times are wall-clock: the payload is not comparable.
            _ => format!("?DUMP {k}"),
        }
    }
}

#[test]
fn random_stream_scripts_match_redis() {
    let count: usize = std::env::var("SEEDIS_DIFF_SCRIPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut gen = Gen {
        rng: ChaCha8Rng::seed_from_u64(13),
    };
    let owned: Vec<Vec<String>> = (0..count)
        .map(|_| {
            let mut lines = vec![
                "SET str x".to_string(),
                "CONFIG SET stream-node-max-entries 2".to_string(),
            ];
            lines.extend((0..60).map(|_| {
                let l = gen.line();
                l.split_whitespace().collect::<Vec<_>>().join(" ")
            }));
            lines.push("XRANGE x0 - +".into());
            lines.push("XRANGE x1 - +".into());
            lines.push("DEBUG DIGEST".into());
            lines
        })
        .collect();
    // A `*` is only deterministic once the stream's last ID is in the future.
    let owned: Vec<Vec<String>> = owned
        .into_iter()
        .map(|s| {
            s.into_iter()
                .map(|l| {
                    if l.starts_with("XADD") && l.split(' ').any(|w| w == "*") {
                        let key = l.split(' ').nth(1).unwrap_or("x0").to_string();
                        format!("XADD {key} {FAR}-* z 0\n{l}")
                    } else {
                        l
                    }
                })
                .flat_map(|l| l.split('\n').map(str::to_string).collect::<Vec<_>>())
                .collect()
        })
        .collect();
    let lines: Vec<Vec<&str>> = owned
        .iter()
        .map(|s| s.iter().map(String::as_str).collect())
        .collect();
    let refs: Vec<&[&str]> = lines.iter().map(Vec::as_slice).collect();
    common::diff::assert_scripts_match(&refs);
}

fn cmd(stream: &mut std::net::TcpStream, args: &[&str]) -> Vec<u8> {
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    stream.write_all(&resp_command(&refs)).unwrap();
    read_reply(stream)
}

/// DUMP of seedis RESTOREd into Redis, and back: the payloads are the same bytes.
#[test]
fn dump_payloads_cross_both_ways() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping");
        return;
    };
    let seedis = Server::start(&[]);
    let mut a = seedis.raw();
    let mut b = redis.raw();
    let setup: &[&[&str]] = &[
        &["CONFIG", "SET", "stream-node-max-entries", "4"],
        &["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"],
        &["XADD", "s", "1-1", "a", "1", "b", "hello"],
        &["XADD", "s", "2-1", "a", "2", "b", "world"],
        &["XADD", "s", "3-1", "c", "3"],
        &["XADD", "s", "4-1", "a", "x", "b", "y"],
        &[
            "XADD",
            "s",
            "5-1",
            "long",
            "0123456789012345678901234567890123456789",
        ],
        &["XADD", "s", "6-1", "a", "-12345678901"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "alice",
            "COUNT",
            "3",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XCLAIM",
            "s",
            "g",
            "bob",
            "0",
            "2-1",
            "TIME",
            "1700000000000",
        ],
        &["XDEL", "s", "4-1"],
        &["XGROUP", "CREATE", "s", "h", "$", "ENTRIESREAD", "5"],
    ];
    for c in setup {
        let x = cmd(&mut a, c);
        let y = cmd(&mut b, c);
        if c[0] != "XREADGROUP" {
            assert_eq!(x, y, "{c:?}");
        }
    }
    // Delivery and seen times are wall-clock: set them the same way on both sides.
    for c in [
        [
            "XCLAIM",
            "s",
            "g",
            "alice",
            "0",
            "1-1",
            "TIME",
            "1700000000001",
        ],
        [
            "XCLAIM",
            "s",
            "g",
            "alice",
            "0",
            "3-1",
            "TIME",
            "1700000000002",
        ],
    ] {
        cmd(&mut a, &c);
        cmd(&mut b, &c);
    }
    let dump_a = cmd(&mut a, &["DUMP", "s"]);
    let dump_b = cmd(&mut b, &["DUMP", "s"]);
    // Seen times of consumers differ (wall clock); everything before them is equal.
    let payload = |d: &[u8]| {
        let start = d.iter().position(|&c| c == b'\n').unwrap() + 1;
        d[start..d.len() - 2].to_vec()
    };
    let (pa, pb) = (payload(&dump_a), payload(&dump_b));
    assert_eq!(pa.len(), pb.len());
    // Each side restores the other's payload and dumps it back unchanged.
    for (conn, other) in [(&mut a, &pb), (&mut b, &pa)] {
        let restore: Vec<&[u8]> = vec![b"RESTORE", b"r", b"0", other];
        conn.write_all(&resp_command(&restore)).unwrap();
        assert_eq!(read_reply(conn), b"+OK\r\n");
        let back = cmd(conn, &["DUMP", "r"]);
        assert_eq!(payload(&back), *other);
        assert_eq!(
            cmd(conn, &["XRANGE", "r", "-", "+"]),
            cmd(conn, &["XRANGE", "s", "-", "+"])
        );
    }
    assert_eq!(
        cmd(&mut a, &["DEBUG", "DIGEST-VALUE", "r"]),
        cmd(&mut b, &["DEBUG", "DIGEST-VALUE", "r"])
    );
}

/// Blocking reads over TCP: served by XADD in FIFO order, `$` resolved when blocking,
/// timeouts, XREADGROUP failed by the group's destruction and by the key's deletion.
#[test]
fn blocking_reads_match_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping");
        return;
    };
    let seedis = Server::start(&[]);
    let mut results = Vec::new();
    for server in [&redis, &seedis] {
        let mut out = Vec::new();
        let mut w = server.raw();
        let mut c1 = server.raw();
        let mut c2 = server.raw();
        cmd(&mut w, &["XADD", "s", "1-1", "f", "v"]);
        cmd(&mut w, &["XGROUP", "CREATE", "s", "g", "$"]);
        for c in [&mut c1, &mut c2] {
            let req = resp_command(&[b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"]);
            c.write_all(&req).unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
        out.push(cmd(&mut w, &["XADD", "s", "2-1", "f", "w"]));
        out.push(read_reply(&mut c1));
        out.push(read_reply(&mut c2));
        // A group reader is served and its PEL filled; a second one waits.
        for (c, name) in [(&mut c1, "alice"), (&mut c2, "bob")] {
            let req = resp_command(&[
                b"XREADGROUP",
                b"GROUP",
                b"g",
                name.as_bytes(),
                b"BLOCK",
                b"0",
                b"COUNT",
                b"1",
                b"STREAMS",
                b"s",
                b">",
            ]);
            c.write_all(&req).unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
        out.push(cmd(&mut w, &["XADD", "s", "3-1", "f", "x"]));
        out.push(read_reply(&mut c1));
        out.push(cmd(&mut w, &["XPENDING", "s", "g"]));
        out.push(cmd(&mut w, &["XGROUP", "DESTROY", "s", "g"]));
        out.push(read_reply(&mut c2));
        // Deleting the key fails a group reader; XREAD keeps waiting until it times out.
        cmd(&mut w, &["XGROUP", "CREATE", "s", "g", "$"]);
        c1.write_all(&resp_command(&[
            b"XREADGROUP",
            b"GROUP",
            b"g",
            b"a",
            b"BLOCK",
            b"0",
            b"STREAMS",
            b"s",
            b">",
        ]))
        .unwrap();
        c2.write_all(&resp_command(&[
            b"XREAD", b"BLOCK", b"300", b"STREAMS", b"s", b"$",
        ]))
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        out.push(cmd(&mut w, &["DEL", "s"]));
        out.push(read_reply(&mut c1));
        out.push(read_reply(&mut c2));
        // XSETID moves last_id without waking a reader (Redis does not signal it).
        cmd(&mut w, &["XADD", "t", "1-1", "f", "v"]);
        c1.write_all(&resp_command(&[
            b"XREAD", b"BLOCK", b"0", b"STREAMS", b"t", b"1-1",
        ]))
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        out.push(cmd(&mut w, &["XSETID", "t", "5-0"]));
        out.push(cmd(&mut w, &["XADD", "t", "6-0", "f", "v"]));
        out.push(read_reply(&mut c1));
        results.push(out);
    }
    assert_eq!(
        results[0]
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect::<Vec<_>>(),
        results[1]
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect::<Vec<_>>()
    );
}
