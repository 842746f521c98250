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

/// redis-py's `Lock` scripts (redis/lock.py), verbatim.
const LOCK_RELEASE: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1
    ";
const LOCK_EXTEND: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        local expiration = redis.call('pttl', KEYS[1])
        if not expiration then
            expiration = 0
        end
        if expiration < 0 then
            return 0
        end

        local newttl = ARGV[2]
        if ARGV[3] == \"0\" then
            newttl = ARGV[2] + expiration
        end
        redis.call('pexpire', KEYS[1], newttl)
        return 1
    ";
const LOCK_REACQUIRE: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('pexpire', KEYS[1], ARGV[2])
        return 1
    ";

/// What redis-py's Lock sends (acquire with SET NX PX, then its three scripts through
/// EVALSHA after SCRIPT LOAD, as `register_script` does), answered by seedis and by a
/// real redis-server: every reply equal byte for byte. TTLs are compared as buckets
/// (PTTL moves with the clock).
#[test]
fn redis_py_lock_scripts_answer_as_redis_does() {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("redis-server not installed: skipping the differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let run = |server: &Server| -> Vec<String> {
        let mut s = server.raw();
        let mut out = Vec::new();
        let mut call = |argv: &[&str]| -> String {
            let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
            String::from_utf8_lossy(&common::roundtrip(&mut s, &common::resp_command(&argv)))
                .into_owned()
        };
        let sha = |script: &str| seedis::script::lua_env::sha1_hex(script.as_bytes());
        for script in [LOCK_RELEASE, LOCK_EXTEND, LOCK_REACQUIRE] {
            out.push(call(&["SCRIPT", "LOAD", script]));
        }
        let (release, extend, reacquire) =
            (sha(LOCK_RELEASE), sha(LOCK_EXTEND), sha(LOCK_REACQUIRE));
        let ttl_bucket = |reply: String| -> String {
            let ms: i64 = reply.trim_start_matches(':').trim().parse().unwrap_or(-3);
            format!("ttl bucket {}", if ms < 0 { ms } else { ms / 10_000 })
        };
        out.push(call(&["SET", "lock", "t0", "NX", "PX", "10000"]));
        out.push(call(&["SET", "lock", "t1", "NX", "PX", "10000"]));
        out.push(call(&["EVALSHA", &release, "1", "lock", "t1"]));
        out.push(call(&["EVALSHA", &extend, "1", "lock", "t1", "5000", "0"]));
        out.push(call(&["EVALSHA", &extend, "1", "lock", "t0", "25000", "0"]));
        out.push(ttl_bucket(call(&["PTTL", "lock"])));
        out.push(call(&["EVALSHA", &extend, "1", "lock", "t0", "5000", "1"]));
        out.push(ttl_bucket(call(&["PTTL", "lock"])));
        out.push(call(&["EVALSHA", &reacquire, "1", "lock", "t1", "50000"]));
        out.push(call(&["EVALSHA", &reacquire, "1", "lock", "t0", "50000"]));
        out.push(ttl_bucket(call(&["PTTL", "lock"])));
        out.push(call(&["EVALSHA", &release, "1", "lock", "t0"]));
        out.push(call(&["EXISTS", "lock"]));
        out.push(call(&["EVALSHA", &release, "1", "lock", "t0"]));
        out.push(call(&["EVALSHA", &extend, "1", "lock", "t0", "1", "0"]));
        // A lock without a TTL is not extended; one of another type is an error.
        out.push(call(&["SET", "lock", "t0"]));
        out.push(call(&["EVALSHA", &extend, "1", "lock", "t0", "1000", "0"]));
        out.push(call(&["DEL", "lock"]));
        out.push(call(&["RPUSH", "lock", "x"]));
        for script in [&release, &extend, &reacquire] {
            out.push(call(&["EVALSHA", script, "1", "lock", "t0", "1", "0"]));
        }
        out
    };
    assert_eq!(run(&seedis), run(&redis));
}
