//! The AOF directory against a real redis-server 7.0.15 (skipped with a line when it is
//! not installed): Redis loads the appendonlydir seedis wrote and seedis loads Redis's,
//! with the same DEBUG DIGEST; the same commands make byte-identical incremental files
//! and manifests on both.

mod common;

use common::{fresh_dir, which, Server};
use redis::{Connection, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

type Start = fn(&Path, &[&str]) -> Option<Server>;

fn args_for<'a>(dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--dir", dir, "--appendonly", "yes"];
    args.extend_from_slice(extra);
    args
}

fn start_seedis(dir: &Path, extra: &[&str]) -> Option<Server> {
    let dir = dir.to_string_lossy().into_owned();
    Some(Server::start(&args_for(&dir, extra)))
}

fn start_redis(dir: &Path, extra: &[&str]) -> Option<Server> {
    let dir = dir.to_string_lossy().into_owned();
    Server::start_redis(&args_for(&dir, extra))
}

fn q(conn: &mut Connection, args: &[&str]) -> Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(conn)
        .unwrap_or_else(|e| Value::SimpleString(format!("ERROR {e}")))
}

fn text(conn: &mut Connection, args: &[&str]) -> String {
    match q(conn, args) {
        Value::SimpleString(s) => s,
        Value::Okay => "OK".into(),
        Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
        Value::Int(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

fn wait_rewrite(conn: &mut Connection) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info = text(conn, &["INFO", "persistence"]);
        if info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0") {
            return;
        }
        assert!(Instant::now() < deadline, "the rewrite never ended");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every type and encoding (small and big collections), TTLs, a transaction, a Lua
/// function, several databases.
fn write_dataset(conn: &mut Connection, round: usize) {
    q(conn, &["SET", &format!("s{round}"), "v"]);
    q(conn, &["SET", "n", "12345"]);
    q(conn, &["INCRBYFLOAT", "f", "1.5"]);
    q(conn, &["SET", "ttl", "x", "EX", "1000"]);
    for i in 0..150 {
        let i = i.to_string();
        q(conn, &["RPUSH", "biglist", &i]);
        q(conn, &["HSET", "bighash", &i, &i]);
        q(conn, &["SADD", "bigset", &format!("m{i}")]);
        q(conn, &["SADD", "intset", &i]);
        q(conn, &["ZADD", "bigzset", &i, &i]);
    }
    q(conn, &["RPUSH", "l", "a", "b"]);
    q(conn, &["HSET", "h", "f", "1"]);
    q(conn, &["ZADD", "z", "0.1", "a", "inf", "b"]);
    q(conn, &["SELECT", "5"]);
    q(conn, &["MULTI"]);
    q(conn, &["SET", "db5", "1"]);
    q(conn, &["PEXPIRE", "db5", "500000"]);
    q(conn, &["EXEC"]);
    q(conn, &["SELECT", "0"]);
}

/// `from` writes a dataset (with a rewrite between two rounds), is killed; `to` loads
/// the same directory. Both digests must agree.
fn load_across(from: Start, to: Start, preamble: &str) -> Option<()> {
    let dir = fresh_dir("diff-aof");
    let extra = [
        "--aof-use-rdb-preamble",
        preamble,
        "--appendfsync",
        "always",
    ];
    let digest = {
        let server = from(&dir, &extra)?;
        let mut conn = server.client();
        q(
            &mut conn,
            &[
                "FUNCTION",
                "LOAD",
                "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
            ],
        );
        write_dataset(&mut conn, 0);
        assert!(
            text(&mut conn, &["BGREWRITEAOF"]).starts_with("Background append only file rewriting")
        );
        wait_rewrite(&mut conn);
        write_dataset(&mut conn, 1);
        let digest = text(&mut conn, &["DEBUG", "DIGEST"]);
        let _ = Command::new("kill")
            .args(["-9", &server.pid().to_string()])
            .status();
        digest
    };
    let server = to(&dir, &extra)?;
    let mut conn = server.client();
    assert_eq!(
        text(&mut conn, &["DEBUG", "DIGEST"]),
        digest,
        "preamble {preamble}"
    );
    assert_eq!(
        text(&mut conn, &["FCALL", "f", "0"]),
        "1",
        "preamble {preamble}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Some(())
}

#[test]
fn redis_loads_seedis_appendonlydir_and_seedis_loads_redis() {
    if which("redis-server").is_none() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    for preamble in ["yes", "no"] {
        load_across(start_seedis, start_redis, preamble).expect("redis-server runs");
        load_across(start_redis, start_seedis, preamble).expect("redis-server runs");
    }
}

/// The files both write for the same commands (no TTLs, whose absolute times differ).
fn files_after(start: Start) -> Option<Vec<(String, Vec<u8>)>> {
    let dir = fresh_dir("diff-aof-bytes");
    {
        let server = start(&dir, &["--appendfsync", "always"])?;
        let mut conn = server.client();
        q(&mut conn, &["SET", "a", "1"]);
        q(&mut conn, &["SELECT", "2"]);
        q(&mut conn, &["RPUSH", "l", "x", "y"]);
        q(&mut conn, &["MULTI"]);
        q(&mut conn, &["INCR", "c"]);
        q(&mut conn, &["SADD", "s", "m"]);
        q(&mut conn, &["EXEC"]);
        q(&mut conn, &["SPOP", "s"]);
        q(&mut conn, &["BGREWRITEAOF"]);
        wait_rewrite(&mut conn);
        q(&mut conn, &["HSET", "h", "f", "v"]);
        q(&mut conn, &["FLUSHDB"]);
        let _ = Command::new("kill")
            .args(["-9", &server.pid().to_string()])
            .status();
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.join("appendonlydir")).expect("appendonlydir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".manifest") || name.ends_with(".incr.aof") {
            files.push((name, std::fs::read(entry.path()).expect("read")));
        }
    }
    files.sort();
    let _ = std::fs::remove_dir_all(&dir);
    Some(files)
}

#[test]
fn manifest_and_incr_files_are_redis_s_bytes() {
    let Some(redis) = files_after(start_redis) else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let seedis = files_after(start_seedis).expect("seedis runs");
    let show = |files: &[(String, Vec<u8>)]| -> Vec<(String, String)> {
        files
            .iter()
            .map(|(n, d)| (n.clone(), String::from_utf8_lossy(d).into_owned()))
            .collect()
    };
    assert_eq!(show(&seedis), show(&redis));
}
