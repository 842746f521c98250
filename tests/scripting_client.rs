//! A real client library's scripting against seedis (issue #12): the `redis` crate's
//! `Script` sends EVALSHA, gets NOSCRIPT the first time and falls back to EVAL (which
//! caches the script), then EVALSHA succeeds; and a lock built on SET NX plus redis-py's
//! release script, as applications use it.

mod common;

use common::Server;

#[test]
fn redis_crate_script_evalsha_falls_back_to_eval() {
    let server = Server::start(&[]);
    let mut con = server.client();
    let script = redis::Script::new("return redis.call('incrby', KEYS[1], ARGV[1])");
    let sha = script.get_hash().to_string();
    let exists: Vec<i64> = redis::cmd("SCRIPT")
        .arg("EXISTS")
        .arg(&sha)
        .query(&mut con)
        .unwrap();
    assert_eq!(exists, vec![0]);
    let first: i64 = script.key("counter").arg(5).invoke(&mut con).unwrap();
    assert_eq!(first, 5);
    let exists: Vec<i64> = redis::cmd("SCRIPT")
        .arg("EXISTS")
        .arg(&sha)
        .query(&mut con)
        .unwrap();
    assert_eq!(exists, vec![1], "the EVAL fallback cached the script");
    let second: i64 = script.key("counter").arg(2).invoke(&mut con).unwrap();
    assert_eq!(second, 7);
    let _: () = redis::cmd("SET")
        .arg("text")
        .arg("x")
        .query(&mut con)
        .unwrap();
    let err = redis::Script::new("return redis.call('incr', KEYS[1])")
        .key("text")
        .invoke::<i64>(&mut con)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("value is not an integer or out of range"),
        "{err}"
    );
}

#[test]
fn a_lock_with_redis_py_s_release_script() {
    let server = Server::start(&[]);
    let mut con = server.client();
    let release = redis::Script::new(
        "local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1",
    );
    let acquire = |con: &mut redis::Connection, token: &str| -> bool {
        let r: Option<String> = redis::cmd("SET")
            .arg("lock")
            .arg(token)
            .arg("NX")
            .arg("PX")
            .arg(30000)
            .query(con)
            .unwrap();
        r.is_some()
    };
    assert!(acquire(&mut con, "a"));
    assert!(!acquire(&mut con, "b"));
    let released: i64 = release.key("lock").arg("b").invoke(&mut con).unwrap();
    assert_eq!(released, 0, "another owner's token does not release");
    let released: i64 = release.key("lock").arg("a").invoke(&mut con).unwrap();
    assert_eq!(released, 1);
    assert!(acquire(&mut con, "b"));
}
