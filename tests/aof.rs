//! The append-only file of the real binary: writes come back after kill -9, `appendfsync
//! always` under a write load loses no acknowledged write, BGREWRITEAOF while writing,
//! a truncated tail with `aof-load-truncated` yes and no, and redis-check-aof (when
//! installed) accepts the directory seedis writes.

mod common;

use common::{fresh_dir, which, Server};
use redis::{Connection, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn start_in(dir: &Path, extra: &[&str]) -> Server {
    let dir = dir.to_string_lossy().into_owned();
    let mut args = vec!["--dir", dir.as_str(), "--appendonly", "yes"];
    args.extend_from_slice(extra);
    Server::start(&args)
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
        Value::Nil => "(nil)".into(),
        other => format!("{other:?}"),
    }
}

fn info_field(conn: &mut Connection, field: &str) -> String {
    let info = text(conn, &["INFO", "persistence"]);
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_default()
        .to_string()
}

fn kill_9(server: &Server) {
    let _ = Command::new("kill")
        .args(["-9", &server.pid().to_string()])
        .status();
}

/// A mixed dataset: every type, a TTL, a transaction, two databases.
fn write_dataset(conn: &mut Connection) {
    q(conn, &["SET", "s", "v"]);
    q(conn, &["INCRBY", "n", "41"]);
    q(conn, &["RPUSH", "l", "a", "b", "c"]);
    q(conn, &["HSET", "h", "f", "1", "g", "2"]);
    q(conn, &["SADD", "set", "x", "y", "7"]);
    q(conn, &["ZADD", "z", "1.5", "m", "-2", "n"]);
    q(conn, &["EXPIRE", "s", "1000"]);
    q(conn, &["SELECT", "3"]);
    q(conn, &["MULTI"]);
    q(conn, &["SET", "in3", "1"]);
    q(conn, &["LPUSH", "l3", "q"]);
    q(conn, &["EXEC"]);
    q(conn, &["SELECT", "0"]);
}

#[test]
fn writes_come_back_after_kill_9() {
    let dir = fresh_dir("aof-kill9");
    let digest = {
        let server = start_in(&dir, &["--appendfsync", "always"]);
        let mut conn = server.client();
        write_dataset(&mut conn);
        assert_eq!(info_field(&mut conn, "aof_enabled"), "1");
        let digest = text(&mut conn, &["DEBUG", "DIGEST"]);
        kill_9(&server);
        digest
    };
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["DEBUG", "DIGEST"]), digest);
    assert_eq!(text(&mut conn, &["LINDEX", "l", "2"]), "c");
    assert!(text(&mut conn, &["TTL", "s"]).parse::<i64>().unwrap() > 990);
    // DEBUG LOADAOF reads the same files back.
    assert_eq!(text(&mut conn, &["DEBUG", "LOADAOF"]), "OK");
    assert_eq!(text(&mut conn, &["DEBUG", "DIGEST"]), digest);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Clients write their own keys as fast as they can; the server is killed with SIGKILL
/// in the middle. Every write a client saw acknowledged must be there after the restart.
#[test]
fn appendfsync_always_loses_no_acknowledged_write_on_kill_9() {
    let dir = fresh_dir("aof-always");
    let server = start_in(&dir, &["--appendfsync", "always"]);
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Vec<Arc<AtomicU64>> = (0..4).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (stop, acked) = (stop.clone(), acked[w].clone());
            let mut conn = server.client();
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let ok: redis::RedisResult<()> = redis::cmd("SET")
                        .arg(format!("w{w}:{i}"))
                        .arg(i)
                        .query(&mut conn);
                    if ok.is_err() {
                        return;
                    }
                    acked.store(i, Ordering::SeqCst);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    kill_9(&server);
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    drop(server);
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    let mut total = 0;
    for (w, acked) in acked.iter().enumerate() {
        let n = acked.load(Ordering::SeqCst);
        assert!(n > 0, "worker {w} wrote nothing");
        total += n;
        for i in 1..=n {
            assert_eq!(
                text(&mut conn, &["GET", &format!("w{w}:{i}")]),
                i.to_string(),
                "acknowledged write w{w}:{i} lost"
            );
        }
    }
    assert!(total > 10, "only {total} writes in the load");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bgrewriteaof_while_writing_keeps_every_write() {
    let dir = fresh_dir("aof-rewrite");
    let digest = {
        let server = start_in(&dir, &["--appendfsync", "always"]);
        let mut conn = server.client();
        let mut admin = server.client();
        for round in 0..5 {
            // One rewrite at a time: a BGREWRITEAOF while one runs is refused ("already
            // in progress"), so each round starts after the last one ended.
            let deadline = Instant::now() + Duration::from_secs(10);
            while info_field(&mut admin, "aof_rewrite_in_progress") != "0" {
                assert!(Instant::now() < deadline, "a rewrite never ended");
                std::thread::sleep(Duration::from_millis(20));
            }
            let reply = text(&mut admin, &["BGREWRITEAOF"]);
            assert!(
                reply.starts_with("Background append only file rewriting"),
                "{reply}"
            );
            for i in 0..200 {
                q(
                    &mut conn,
                    &["RPUSH", &format!("list{}", i % 7), &format!("{round}:{i}")],
                );
                q(&mut conn, &["HINCRBY", "counts", &format!("r{round}"), "1"]);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while info_field(&mut admin, "aof_rewrite_in_progress") != "0" {
            assert!(Instant::now() < deadline, "the rewrite never ended");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(info_field(&mut admin, "aof_last_bgrewrite_status"), "ok");
        let files: Vec<String> = std::fs::read_dir(dir.join("appendonlydir"))
            .expect("the AOF directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        // History files were deleted: one base, one or two incr files, the manifest.
        assert!(files.len() <= 4, "{files:?}");
        let digest = text(&mut conn, &["DEBUG", "DIGEST"]);
        kill_9(&server);
        digest
    };
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["DEBUG", "DIGEST"]), digest);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the binary on `dir` until it exits by itself; its exit code and log.
fn run_to_exit(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let log = dir.join("startup.log");
    let _ = std::fs::remove_file(&log);
    let port = common::free_port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_seedis-server"))
        .args(["--port", &port, "--dir"])
        .arg(dir)
        .args(["--save", "", "--appendonly", "yes", "--logfile"])
        .arg(&log)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "kept running on a bad AOF");
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code(),
        std::fs::read_to_string(&log).unwrap_or_default(),
    )
}

#[test]
fn a_truncated_tail_is_refused_or_cut_as_aof_load_truncated_says() {
    let dir = fresh_dir("aof-truncated");
    {
        let server = start_in(&dir, &["--appendfsync", "always"]);
        let mut conn = server.client();
        q(&mut conn, &["SET", "first", "1"]);
        q(&mut conn, &["SET", "second", "2"]);
        kill_9(&server);
    }
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let data = std::fs::read(&incr).expect("the incr file");
    std::fs::write(&incr, &data[..data.len() - 3]).expect("cut it");
    let (code, log) = run_to_exit(&dir, &["--aof-load-truncated", "no"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains(
            "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"
        ),
        "{log}"
    );
    let server = start_in(&dir, &["--aof-load-truncated", "yes"]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["GET", "first"]), "1");
    assert_eq!(text(&mut conn, &["EXISTS", "second"]), "0");
    // The tail was cut: writes go on after the last whole command and load again.
    q(&mut conn, &["SET", "third", "3"]);
    kill_9(&server);
    drop(server);
    let server = start_in(&dir, &["--aof-load-truncated", "no"]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["GET", "third"]), "3");
    drop(server);
    // Garbage is refused whatever the setting.
    std::fs::write(&incr, b"*1\r\n$4\r\nPING\r\nnot a command\r\n").expect("garbage");
    let (code, log) = run_to_exit(&dir, &["--aof-load-truncated", "yes"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains("Bad file format reading the append only file"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_check_aof_accepts_seedis_files() {
    let Some(check) = which("redis-check-aof") else {
        eprintln!("redis-check-aof not installed: skipped");
        return;
    };
    for preamble in ["yes", "no"] {
        let dir = fresh_dir("aof-check");
        {
            let server = start_in(&dir, &["--aof-use-rdb-preamble", preamble]);
            let mut conn = server.client();
            write_dataset(&mut conn);
            text(&mut conn, &["BGREWRITEAOF"]);
            std::thread::sleep(Duration::from_millis(300));
            write_dataset(&mut conn);
            kill_9(&server);
        }
        let out = Command::new(&check)
            .arg(dir.join("appendonlydir/appendonly.aof.manifest"))
            .output()
            .expect("run redis-check-aof");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "preamble {preamble}: {stdout}");
        assert!(stdout.contains("is valid"), "preamble {preamble}: {stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
