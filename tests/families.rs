//! Each data-type family through the `redis` client crate over real TCP, as an
//! application would use it (the byte-for-byte comparison with Redis is in diff_*.rs).

mod common;

use common::Server;
use std::collections::{BTreeSet, HashMap};

#[test]
fn lists_as_a_queue() {
    let server = Server::start(&[]);
    let mut c = server.client();
    let n: i64 = redis::cmd("RPUSH")
        .arg("jobs")
        .arg(&["a", "b", "c"])
        .query(&mut c)
        .unwrap();
    assert_eq!(n, 3);
    let _: i64 = redis::cmd("LPUSH")
        .arg("jobs")
        .arg("z")
        .query(&mut c)
        .unwrap();
    let all: Vec<String> = redis::cmd("LRANGE")
        .arg("jobs")
        .arg(0)
        .arg(-1)
        .query(&mut c)
        .unwrap();
    assert_eq!(all, ["z", "a", "b", "c"]);
    let first: Option<String> = redis::cmd("LPOP").arg("jobs").query(&mut c).unwrap();
    assert_eq!(first.as_deref(), Some("z"));
    let moved: String = redis::cmd("LMOVE")
        .arg("jobs")
        .arg("done")
        .arg("LEFT")
        .arg("RIGHT")
        .query(&mut c)
        .unwrap();
    assert_eq!(moved, "a");
    let len: i64 = redis::cmd("LLEN").arg("jobs").query(&mut c).unwrap();
    assert_eq!(len, 2);
    let kind: String = redis::cmd("TYPE").arg("done").query(&mut c).unwrap();
    assert_eq!(kind, "list");
}

#[test]
fn hashes_as_objects() {
    let server = Server::start(&[]);
    let mut c = server.client();
    let added: i64 = redis::cmd("HSET")
        .arg("user:1")
        .arg(&["name", "ada", "visits", "1"])
        .query(&mut c)
        .unwrap();
    assert_eq!(added, 2);
    let visits: i64 = redis::cmd("HINCRBY")
        .arg("user:1")
        .arg("visits")
        .arg(41)
        .query(&mut c)
        .unwrap();
    assert_eq!(visits, 42);
    let all: HashMap<String, String> = redis::cmd("HGETALL").arg("user:1").query(&mut c).unwrap();
    assert_eq!(all.get("name").map(String::as_str), Some("ada"));
    assert_eq!(all.get("visits").map(String::as_str), Some("42"));
    let gone: i64 = redis::cmd("HDEL")
        .arg("user:1")
        .arg("name")
        .query(&mut c)
        .unwrap();
    assert_eq!(gone, 1);
    let encoding: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("user:1")
        .query(&mut c)
        .unwrap();
    assert_eq!(encoding, "listpack");
}

#[test]
fn sets_for_membership() {
    let server = Server::start(&[]);
    let mut c = server.client();
    let _: i64 = redis::cmd("SADD")
        .arg("a")
        .arg(&["1", "2", "3"])
        .query(&mut c)
        .unwrap();
    let _: i64 = redis::cmd("SADD")
        .arg("b")
        .arg(&["2", "3", "4"])
        .query(&mut c)
        .unwrap();
    let inter: BTreeSet<String> = redis::cmd("SINTER")
        .arg("a")
        .arg("b")
        .query(&mut c)
        .unwrap();
    assert_eq!(inter, BTreeSet::from(["2".to_string(), "3".to_string()]));
    let member: bool = redis::cmd("SISMEMBER")
        .arg("a")
        .arg("1")
        .query(&mut c)
        .unwrap();
    assert!(member);
    let encoding: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("a")
        .query(&mut c)
        .unwrap();
    assert_eq!(encoding, "intset");
    let stored: i64 = redis::cmd("SUNIONSTORE")
        .arg("u")
        .arg("a")
        .arg("b")
        .query(&mut c)
        .unwrap();
    assert_eq!(stored, 4);
}

#[test]
fn sorted_sets_as_a_leaderboard() {
    let server = Server::start(&[]);
    let mut c = server.client();
    let _: i64 = redis::cmd("ZADD")
        .arg("board")
        .arg(&["10", "ada", "20", "bob", "15", "cy"])
        .query(&mut c)
        .unwrap();
    let score: f64 = redis::cmd("ZINCRBY")
        .arg("board")
        .arg(7.5)
        .arg("ada")
        .query(&mut c)
        .unwrap();
    assert_eq!(score, 17.5);
    let top: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg("board")
        .arg(0)
        .arg(-1)
        .arg("REV")
        .arg("WITHSCORES")
        .query(&mut c)
        .unwrap();
    assert_eq!(
        top,
        vec![
            ("bob".into(), 20.0),
            ("ada".into(), 17.5),
            ("cy".into(), 15.0)
        ]
    );
    let rank: Option<i64> = redis::cmd("ZRANK")
        .arg("board")
        .arg("cy")
        .query(&mut c)
        .unwrap();
    assert_eq!(rank, Some(0));
    let count: i64 = redis::cmd("ZCOUNT")
        .arg("board")
        .arg("(15")
        .arg("+inf")
        .query(&mut c)
        .unwrap();
    assert_eq!(count, 2);
}

#[test]
fn wrongtype_is_an_error_not_a_crash() {
    let server = Server::start(&[]);
    let mut c = server.client();
    let _: i64 = redis::cmd("RPUSH").arg("l").arg("x").query(&mut c).unwrap();
    let err = redis::cmd("GET")
        .arg("l")
        .query::<Option<String>>(&mut c)
        .unwrap_err();
    assert_eq!(err.code(), Some("WRONGTYPE"));
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
}
