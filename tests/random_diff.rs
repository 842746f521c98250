//! Random differential testing: seeded random command scripts, per command family, sent
//! to seedis and to a real redis-server 7.0 and compared reply by reply, byte for byte.
//! Scripts mix valid commands over a few colliding keys with wrong types, bad numbers and
//! wrong arities, so that error paths are held to Redis's texts too. Replies whose order
//! is a hash table's (SMEMBERS, SUNION...) are compared as multisets (`~`).
//!
//! Bounded: `SCRIPTS_PER_FAMILY` scripts of `COMMANDS_PER_SCRIPT` commands each; set
//! SEEDIS_DIFF_SCRIPTS to run more (e.g. thousands) by hand.

mod common;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

const SCRIPTS_PER_FAMILY: usize = 40;
const COMMANDS_PER_SCRIPT: usize = 60;

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

    /// A key of the family, sometimes another family's key (WRONGTYPE paths).
    fn key(&mut self, prefix: &str) -> String {
        if self.below(12) == 0 {
            let other = self.pick(&["s", "l", "h", "S", "z"]);
            return format!("{other}{}", self.below(3));
        }
        format!("{prefix}{}", self.below(3))
    }

    fn value(&mut self) -> String {
        match self.below(6) {
            0 => self.below(100).to_string(),
            1 => format!("-{}", self.below(50)),
            2 => self.pick(&["a", "b", "c", "x", "y"]).to_string(),
            3 => format!("{}.{}", self.below(10), self.below(10)),
            4 => self
                .pick(&[
                    "9223372036854775807",
                    "-9223372036854775808",
                    "1e3",
                    "abc",
                    "''",
                ])
                .to_string(),
            _ => format!("v{}", self.below(20)),
        }
    }

    fn int(&mut self) -> String {
        match self.below(8) {
            0 => self
                .pick(&["-1", "0", "x", "9223372036854775807", "-100"])
                .to_string(),
            _ => (self.below(7) as i64 - 2).to_string(),
        }
    }

    fn member(&mut self) -> String {
        if self.below(3) == 0 {
            self.below(20).to_string()
        } else {
            self.pick(&["a", "b", "c", "d", "e"]).to_string()
        }
    }

    fn score(&mut self) -> String {
        match self.below(10) {
            0 => self.pick(&["inf", "-inf", "nan", "x", "1e400"]).to_string(),
            1 => format!("{}.5", self.below(5)),
            _ => (self.below(9) as i64 - 3).to_string(),
        }
    }

    fn strings(&mut self) -> String {
        let k = self.key("s");
        let v = self.value();
        match self.below(22) {
            0 => format!("SET {k} {v}"),
            1 => format!(
                "SET {k} {v} {}",
                self.pick(&[
                    "NX", "XX", "GET", "NX GET", "XX GET", "KEEPTTL", "EX 100", "PX 0", "EX x"
                ])
            ),
            2 => format!("GET {k}"),
            3 => format!("INCR {k}"),
            4 => format!("INCRBY {k} {}", self.int()),
            5 => format!("DECRBY {k} {}", self.int()),
            6 => format!("INCRBYFLOAT {k} {v}"),
            7 => format!("APPEND {k} {v}"),
            8 => format!("STRLEN {k}"),
            9 => format!("GETRANGE {k} {} {}", self.int(), self.int()),
            10 => format!("SETRANGE {k} {} {v}", self.below(6)),
            11 => format!("GETDEL {k}"),
            12 => format!("GETSET {k} {v}"),
            13 => format!("MSET {k} {v} {} {}", self.key("s"), self.value()),
            14 => format!("MGET {k} {} {}", self.key("s"), self.key("l")),
            15 => format!("MSETNX {k} {v} {} {}", self.key("s"), self.value()),
            16 => format!("SETNX {k} {v}"),
            17 => format!("DEL {k} {}", self.key("s")),
            18 => format!("EXISTS {k} {k}"),
            19 => format!("TYPE {k}"),
            20 => format!("RENAME {k} {}", self.key("s")),
            _ => format!(
                "GETEX {k} {}",
                self.pick(&["PERSIST", "EX 100", "", "PX x"])
            ),
        }
    }

    fn lists(&mut self) -> String {
        let k = self.key("l");
        let m = self.member();
        match self.below(20) {
            0 | 1 => format!("LPUSH {k} {m} {}", self.member()),
            2 | 3 => format!("RPUSH {k} {m}"),
            4 => format!("LPUSHX {k} {m}"),
            5 => format!("LPOP {k}"),
            6 => format!("RPOP {k} {}", self.int()),
            7 => format!("LLEN {k}"),
            8 => format!("LRANGE {k} {} {}", self.int(), self.int()),
            9 => format!("LINDEX {k} {}", self.int()),
            10 => format!("LSET {k} {} {m}", self.int()),
            11 => format!(
                "LINSERT {k} {} {} {m}",
                self.pick(&["BEFORE", "AFTER", "MIDDLE"]),
                self.member()
            ),
            12 => format!("LREM {k} {} {m}", self.int()),
            13 => format!("LTRIM {k} {} {}", self.int(), self.int()),
            14 => format!(
                "LPOS {k} {m} {}",
                self.pick(&["", "RANK -1", "COUNT 0", "RANK 0", "MAXLEN 2"])
            ),
            15 => format!("RPOPLPUSH {k} {}", self.key("l")),
            16 => format!(
                "LMOVE {k} {} {} {}",
                self.key("l"),
                self.pick(&["LEFT", "RIGHT", "UP"]),
                self.pick(&["LEFT", "RIGHT"])
            ),
            17 => format!(
                "LMPOP {} {k} {} {}",
                self.pick(&["1", "2", "0"]),
                self.key("l"),
                self.pick(&["LEFT", "RIGHT COUNT 2", "LEFT COUNT 0"])
            ),
            18 => format!("DEL {k}"),
            _ => format!("TYPE {k}"),
        }
    }

    fn hashes(&mut self) -> String {
        let k = self.key("h");
        let f = self.member();
        let v = self.value();
        match self.below(16) {
            0 | 1 => format!("HSET {k} {f} {v}"),
            2 => format!("HSET {k} {f} {v} {} {}", self.member(), self.value()),
            3 => format!("HSETNX {k} {f} {v}"),
            4 => format!("HGET {k} {f}"),
            5 => format!("HMGET {k} {f} {}", self.member()),
            6 => format!("HDEL {k} {f} {}", self.member()),
            7 => format!("HLEN {k}"),
            8 => format!("HSTRLEN {k} {f}"),
            9 => format!("HEXISTS {k} {f}"),
            10 => format!("HINCRBY {k} {f} {}", self.int()),
            11 => format!("HINCRBYFLOAT {k} {f} {v}"),
            12 => format!("~HKEYS {k}"),
            13 => format!("~HVALS {k}"),
            14 => format!("~HGETALL {k}"),
            _ => format!("HSET {k}"),
        }
    }

    fn sets(&mut self) -> String {
        let k = self.key("S");
        let m = self.member();
        match self.below(16) {
            0..=2 => format!("SADD {k} {m} {}", self.member()),
            3 => format!("SREM {k} {m}"),
            4 => format!("SISMEMBER {k} {m}"),
            5 => format!("SMISMEMBER {k} {m} {}", self.member()),
            6 => format!("SCARD {k}"),
            7 => format!("~SMEMBERS {k}"),
            8 => format!("SMOVE {k} {} {m}", self.key("S")),
            9 => format!("~SINTER {k} {}", self.key("S")),
            10 => format!("~SUNION {k} {}", self.key("S")),
            11 => format!("~SDIFF {k} {}", self.key("S")),
            12 => format!(
                "SINTERCARD 2 {k} {} {}",
                self.key("S"),
                self.pick(&["", "LIMIT 1", "LIMIT -1"])
            ),
            13 => format!("SUNIONSTORE {} {k} {}", self.key("S"), self.key("S")),
            14 => format!("SDIFFSTORE {} {k} {}", self.key("S"), self.key("S")),
            _ => format!("SINTERSTORE {} {k} {}", self.key("S"), self.key("S")),
        }
    }

    fn zsets(&mut self) -> String {
        let k = self.key("z");
        let m = self.member();
        let s = self.score();
        match self.below(20) {
            0..=2 => format!("ZADD {k} {s} {m} {} {}", self.score(), self.member()),
            3 => format!(
                "ZADD {k} {} {s} {m}",
                self.pick(&["NX", "XX", "GT", "LT", "CH", "INCR", "GT CH", "NX XX"])
            ),
            4 => format!("ZINCRBY {k} {s} {m}"),
            5 => format!("ZSCORE {k} {m}"),
            6 => format!("ZMSCORE {k} {m} {}", self.member()),
            7 => format!("ZRANK {k} {m}"),
            8 => format!("ZREVRANK {k} {m}"),
            9 => format!("ZREM {k} {m}"),
            10 => format!("ZCARD {k}"),
            11 => format!(
                "ZRANGE {k} {} {} {}",
                self.int(),
                self.int(),
                self.pick(&["", "WITHSCORES", "REV", "REV WITHSCORES"])
            ),
            12 => format!(
                "ZRANGE {k} {} {} BYSCORE {}",
                self.pick(&["-inf", "(1", "0", "x"]),
                self.pick(&["+inf", "(3", "2"]),
                self.pick(&["", "LIMIT 0 2", "WITHSCORES", "REV"])
            ),
            13 => format!(
                "ZRANGEBYLEX {k} {} {}",
                self.pick(&["-", "[a", "(b", "x"]),
                self.pick(&["+", "[c", "(d"])
            ),
            14 => format!(
                "ZCOUNT {k} {} {}",
                self.pick(&["-inf", "(0", "1"]),
                self.pick(&["+inf", "(2", "3"])
            ),
            15 => format!("ZPOPMIN {k} {}", self.pick(&["", "1", "2", "-1"])),
            16 => format!("ZPOPMAX {k}"),
            17 => format!(
                "ZUNIONSTORE {} 2 {k} {} {}",
                self.key("z"),
                self.key("z"),
                self.pick(&["", "WEIGHTS 2 1", "AGGREGATE MAX", "AGGREGATE X"])
            ),
            18 => format!("ZINTER 2 {k} {} WITHSCORES", self.key("z")),
            _ => format!("ZREMRANGEBYRANK {k} {} {}", self.int(), self.int()),
        }
    }
}

fn scripts(family: &str, seed: u64) -> Vec<Vec<String>> {
    let count = std::env::var("SEEDIS_DIFF_SCRIPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SCRIPTS_PER_FAMILY);
    let mut gen = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    (0..count)
        .map(|_| {
            (0..COMMANDS_PER_SCRIPT)
                .map(|_| {
                    let line = match family {
                        "strings" => gen.strings(),
                        "lists" => gen.lists(),
                        "hashes" => gen.hashes(),
                        "sets" => gen.sets(),
                        _ => gen.zsets(),
                    };
                    // Collapse the double spaces an empty option leaves.
                    line.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .collect()
        })
        .collect()
}

fn check_family(family: &str, seed: u64) {
    let owned = scripts(family, seed);
    let lines: Vec<Vec<&str>> = owned
        .iter()
        .map(|s| s.iter().map(String::as_str).collect())
        .collect();
    let refs: Vec<&[&str]> = lines.iter().map(Vec::as_slice).collect();
    common::diff::assert_scripts_match(&refs);
}

#[test]
fn random_strings_match_redis() {
    check_family("strings", 1);
}

#[test]
fn random_lists_match_redis() {
    check_family("lists", 2);
}

#[test]
fn random_hashes_match_redis() {
    check_family("hashes", 3);
}

#[test]
fn random_sets_match_redis() {
    check_family("sets", 4);
}

#[test]
fn random_zsets_match_redis() {
    check_family("zsets", 5);
}
