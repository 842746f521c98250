//! maxmemory and eviction against a real redis-server 7.0.15. Memory per key differs
//! between the servers, so each gets a limit relative to its own `used_memory`, and what
//! is compared is what Redis guarantees: the OOM refusals and error texts (byte for
//! byte), which keys a policy may take (volatile-* only keys with a TTL, volatile-ttl
//! the nearest deadlines first), and, statistically, that LRU and LFU keep the keys in
//! use. Skipped with a line when redis-server is absent.

mod common;

use common::Server;
use redis::{Connection, Value};

const KEEP: usize = 300;
const TTL: usize = 300;

fn q(c: &mut Connection, args: &[&str]) -> Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    match cmd.query::<Value>(c) {
        Ok(v) => v,
        Err(e) => Value::SimpleString(format!("ERR-REPLY {e}")),
    }
}

fn int(c: &mut Connection, args: &[&str]) -> i64 {
    match q(c, args) {
        Value::Int(n) => n,
        other => panic!("{args:?}: {other:?}"),
    }
}

fn info_field(c: &mut Connection, section: &str, field: &str) -> u64 {
    let Value::BulkString(text) = q(c, &["INFO", section]) else {
        panic!("INFO")
    };
    let text = String::from_utf8(text).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field}"))
        .trim()
        .parse()
        .unwrap()
}

/// Fills the keyspace; returns the bytes the data took by the server's own count.
fn fill(c: &mut Connection) -> u64 {
    let before = info_field(c, "memory", "used_memory");
    let value = "v".repeat(200);
    let mut pipe = redis::pipe();
    for i in 0..KEEP {
        pipe.cmd("SET")
            .arg(format!("keep:{i}"))
            .arg(&value)
            .ignore();
    }
    for i in 0..TTL {
        // Deadlines in key order: ttl:0 expires first.
        pipe.cmd("SET")
            .arg(format!("ttl:{i}"))
            .arg(&value)
            .arg("EX")
            .arg(10_000 + i)
            .ignore();
    }
    pipe.query::<()>(c).unwrap();
    info_field(c, "memory", "used_memory").saturating_sub(before)
}

/// Sends `SET z 1` until it is refused (an eviction that hit its time limit goes on in
/// the background, in both servers); returns the refusal.
fn until_refused(c: &mut Connection) -> String {
    for _ in 0..500 {
        let reply = format!("{:?}", q(c, &["SET", "z", "1"]));
        if reply.contains("OOM") {
            return reply;
        }
        q(c, &["DEL", "z"]);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("never refused")
}

fn exists(c: &mut Connection, key: &str) -> bool {
    int(c, &["EXISTS", key]) == 1
}

/// Sets `policy` and a limit `to_free` bytes under the server's current use, then runs
/// one command, which evicts first.
fn squeeze(c: &mut Connection, policy: &str, samples: &str, to_free: u64) {
    q(c, &["CONFIG", "SET", "maxmemory-policy", policy]);
    q(c, &["CONFIG", "SET", "maxmemory-samples", samples]);
    let used = info_field(c, "memory", "used_memory");
    q(
        c,
        &["CONFIG", "SET", "maxmemory", &(used - to_free).to_string()],
    );
    q(c, &["PING"]);
}

struct Outcome {
    evicted: u64,
    keep_left: usize,
    ttl_left: Vec<usize>,
}

fn outcome(c: &mut Connection) -> Outcome {
    // Lift the limit so these reads evict nothing more.
    q(c, &["CONFIG", "SET", "maxmemory", "0"]);
    Outcome {
        evicted: info_field(c, "stats", "evicted_keys"),
        keep_left: (0..KEEP)
            .filter(|i| exists(c, &format!("keep:{i}")))
            .count(),
        ttl_left: (0..TTL)
            .filter(|i| exists(c, &format!("ttl:{i}")))
            .collect(),
    }
}

fn servers() -> Option<(Server, Server)> {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("redis-server not installed: skipping the eviction comparison");
        return None;
    };
    Some((redis, Server::start(&[])))
}

/// noeviction: the exact OOM refusals (a write, a write queued in MULTI, EXEC's abort),
/// reads and DEL still served, nothing evicted.
#[test]
fn noeviction_refuses_writes_exactly_as_redis() {
    let Some((redis, seedis)) = servers() else {
        return;
    };
    let mut replies = Vec::new();
    for server in [&redis, &seedis] {
        let mut c = server.client();
        fill(&mut c);
        q(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
        let script: &[&[&str]] = &[
            &["SET", "x", "1"],
            &["GET", "keep:1"],
            &["LPUSH", "l", "a"],
            &["INCR", "keep:1"],
            &["MULTI"],
            &["SET", "y", "1"],
            &["GET", "keep:1"],
            &["EXEC"],
            &["DEL", "keep:2"],
            &["DBSIZE"],
            &["OBJECT", "FREQ", "keep:3"],
        ];
        let got: Vec<String> = script
            .iter()
            .map(|args| format!("{:?}", q(&mut c, args)))
            .collect();
        q(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
        q(
            &mut c,
            &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
        );
        let mut got = got;
        got.push(format!(
            "{:?}",
            q(&mut c, &["OBJECT", "IDLETIME", "keep:3"])
        ));
        replies.push((got, info_field(&mut c, "stats", "evicted_keys")));
    }
    assert_eq!(replies[0], replies[1]);
    assert_eq!(replies[1].1, 0);
}

/// volatile-*: only keys with a TTL go; once none is left, writes get OOM and the keys
/// without TTL are all still there. volatile-ttl (with every key sampled) takes the
/// nearest deadlines first, so the survivors are a suffix.
#[test]
fn volatile_policies_take_only_keys_with_a_ttl() {
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let Some((redis, seedis)) = servers() else {
            return;
        };
        let mut oom = Vec::new();
        for server in [&redis, &seedis] {
            let mut c = server.client();
            let data = fill(&mut c);
            squeeze(&mut c, policy, "64", data / 6);
            let o = outcome(&mut c);
            assert!(o.evicted > 0, "{policy}: nothing evicted");
            assert_eq!(o.keep_left, KEEP, "{policy}: a key without TTL was evicted");
            assert_eq!(o.ttl_left.len() as u64, TTL as u64 - o.evicted, "{policy}");
            if policy == "volatile-ttl" {
                // Sampling is approximate: most evicted keys are among the nearest
                // deadlines (twice as many keys as were evicted).
                let evicted: Vec<usize> = (0..TTL).filter(|i| !o.ttl_left.contains(i)).collect();
                let near = evicted.iter().filter(|&&i| i < 2 * evicted.len()).count();
                assert!(
                    near * 10 >= evicted.len() * 9,
                    "{policy} on {}: evicted {evicted:?}",
                    server.url()
                );
            }
            // Squeeze past what the TTL keys hold: all of them go, then OOM.
            q(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
            oom.push(until_refused(&mut c));
            q(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
            assert_eq!(int(&mut c, &["DBSIZE"]), KEEP as i64, "{policy}");
        }
        assert_eq!(oom[0], oom[1], "{policy}");
        assert!(oom[1].contains("OOM"), "{policy}: {}", oom[1]);
    }
}

/// allkeys-lru and allkeys-lfu keep what is used: after touching the `keep:*` half (LRU:
/// after the rest has been idle 2 s; LFU: many times), an eviction of a sixth of the
/// keys takes mostly from the other half, on both servers. allkeys-random takes from
/// both halves.
#[test]
fn lru_and_lfu_keep_the_keys_in_use() {
    let Some((redis, seedis)) = servers() else {
        return;
    };
    let mut results = Vec::new();
    for (policy, server) in [
        ("allkeys-lru", &redis),
        ("allkeys-lru", &seedis),
        ("allkeys-lfu", &redis),
        ("allkeys-lfu", &seedis),
        ("allkeys-random", &redis),
        ("allkeys-random", &seedis),
    ] {
        let mut c = server.client();
        q(&mut c, &["FLUSHALL"]);
        q(&mut c, &["CONFIG", "RESETSTAT"]);
        q(&mut c, &["CONFIG", "SET", "maxmemory-policy", policy]);
        let data = fill(&mut c);
        if policy == "allkeys-lru" {
            std::thread::sleep(std::time::Duration::from_millis(2100));
        }
        let rounds = if policy == "allkeys-lfu" { 20 } else { 1 };
        for _ in 0..rounds {
            let mut pipe = redis::pipe();
            for i in 0..KEEP {
                pipe.cmd("GET").arg(format!("keep:{i}")).ignore();
            }
            pipe.query::<()>(&mut c).unwrap();
        }
        squeeze(&mut c, policy, "10", data / 6);
        let o = outcome(&mut c);
        let keep_lost = KEEP - o.keep_left;
        let other_lost = TTL - o.ttl_left.len();
        assert!(o.evicted >= 50, "{policy}: evicted {}", o.evicted);
        results.push((policy, keep_lost, other_lost));
        if policy == "allkeys-random" {
            assert!(
                keep_lost > 0 && other_lost > 0,
                "{policy}: {keep_lost} {other_lost}"
            );
        } else {
            assert!(
                keep_lost * 10 <= other_lost,
                "{policy}: lost {keep_lost} used keys and {other_lost} others"
            );
        }
        q(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
    }
    eprintln!("(policy, used keys lost, unused keys lost), redis then seedis: {results:?}");
}
