//! RDB persistence of the real binary: SAVE and a restart in the same directory, BGSAVE,
//! save points, SHUTDOWN's save, kill -9, a corrupt dump.rdb, MISCONF, CONFIG SET dir,
//! and the same files and texts as a real redis-server 7.0.15 where one is installed.

mod common;

use common::{fresh_dir, which, Server};
use redis::{Connection, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dir_arg(dir: &Path) -> String {
    dir.to_string_lossy().into_owned()
}

fn start_in(dir: &Path, extra: &[&str]) -> Server {
    let dir = dir_arg(dir);
    let mut args = vec!["--dir", dir.as_str()];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// Starts seedis or Redis in a directory (None: Redis is not installed).
type StartIn = fn(&Path, &[&str]) -> Option<Server>;

fn start_redis_in(dir: &Path, extra: &[&str]) -> Option<Server> {
    let dir = dir_arg(dir);
    let mut args = vec!["--dir", dir.as_str()];
    args.extend_from_slice(extra);
    Server::start_redis(&args)
}

fn q(conn: &mut Connection, args: &[&str]) -> Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(conn).unwrap_or_else(|e| {
        let text = format!(
            "ERROR {} {}",
            e.code().unwrap_or(""),
            e.detail().unwrap_or("")
        );
        Value::SimpleString(text.trim_end().to_string())
    })
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

/// The value of one INFO field.
fn info_field(conn: &mut Connection, section: &str, field: &str) -> String {
    let info = text(conn, &["INFO", section]);
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
        .trim()
        .to_string()
}

/// Waits until no BGSAVE runs; panics after 30 s.
fn wait_bgsave_done(conn: &mut Connection) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(conn, "persistence", "rdb_bgsave_in_progress") != "0" {
        assert!(Instant::now() < deadline, "BGSAVE did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One of every type and encoding, TTLs, several databases and a FUNCTION library.
fn write_dataset(conn: &mut Connection) {
    let big = "x".repeat(100);
    for args in [
        &["SET", "str", "hello"][..],
        &["SET", "int", "12345"],
        &["SET", "big", &big],
        &["SET", "ttl", "v", "EX", "1000"],
        &["RPUSH", "list", "a", "b", "c"],
        &["HSET", "hash", "f1", "v1", "f2", "v2"],
        &["SADD", "intset", "1", "2", "3"],
        &["SADD", "set", "a", "b", "c"],
        &["ZADD", "zset", "1", "a", "2.5", "b"],
        &["SELECT", "5"],
        &["SET", "in5", "five"],
        &["SELECT", "0"],
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=mylib\nredis.register_function('myfunc', function() return 7 end)",
        ],
    ] {
        q(conn, args);
    }
    // Encodings past the listpack and intset limits.
    for i in 0..300 {
        let (n, s) = (i.to_string(), format!("m{i}"));
        q(conn, &["RPUSH", "biglist", &s]);
        q(conn, &["HSET", "bighash", &s, &n]);
        q(conn, &["SADD", "bigset", &s]);
        q(conn, &["ZADD", "bigzset", &n, &s]);
    }
}

/// What the dataset reads back as, for comparing two servers (or one across a restart).
fn read_dataset(conn: &mut Connection) -> Vec<String> {
    let mut out = Vec::new();
    for args in [
        &["GET", "str"][..],
        &["GET", "int"],
        &["STRLEN", "big"],
        &["LRANGE", "list", "0", "-1"],
        &["HGETALL", "hash"],
        &["SMEMBERS", "intset"],
        &["SISMEMBER", "set", "b"],
        &["SCARD", "set"],
        &["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
        &["LLEN", "biglist"],
        &["LINDEX", "biglist", "150"],
        &["HLEN", "bighash"],
        &["HGET", "bighash", "m299"],
        &["SCARD", "bigset"],
        &["ZSCORE", "bigzset", "m42"],
        &["OBJECT", "ENCODING", "intset"],
        &["OBJECT", "ENCODING", "bigset"],
        &["DBSIZE"],
        &["FCALL", "myfunc", "0"],
        &["SELECT", "5"],
        &["GET", "in5"],
        &["DBSIZE"],
        &["SELECT", "0"],
    ] {
        out.push(format!("{args:?} -> {:?}", q(conn, args)));
    }
    let ttl: i64 = text(conn, &["TTL", "ttl"]).parse().expect("ttl");
    assert!((990..=1000).contains(&ttl), "TTL after reload: {ttl}");
    out
}

#[test]
fn save_then_restart_brings_back_every_type_ttl_database_and_function() {
    let dir = fresh_dir("persist-restart");
    let before = {
        let server = start_in(&dir, &[]);
        let mut conn = server.client();
        write_dataset(&mut conn);
        assert_eq!(text(&mut conn, &["SAVE"]), "OK");
        assert_eq!(
            info_field(&mut conn, "persistence", "rdb_changes_since_last_save"),
            "0"
        );
        read_dataset(&mut conn)
    };
    assert!(dir.join("dump.rdb").exists());
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    assert_eq!(read_dataset(&mut conn), before);
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_last_load_keys_loaded"),
        "14"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kill_9_after_save_keeps_what_was_saved_and_only_that() {
    let dir = fresh_dir("persist-kill9");
    {
        let server = start_in(&dir, &[]);
        let mut conn = server.client();
        q(&mut conn, &["SET", "saved", "1"]);
        assert_eq!(text(&mut conn, &["SAVE"]), "OK");
        q(&mut conn, &["SET", "unsaved", "1"]);
        // Dropping the server is SIGKILL: no shutdown save.
    }
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["GET", "saved"]), "1");
    assert_eq!(text(&mut conn, &["EXISTS", "unsaved"]), "0");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expired_keys_are_not_loaded() {
    let dir = fresh_dir("persist-expired");
    {
        let server = start_in(&dir, &[]);
        let mut conn = server.client();
        q(&mut conn, &["SET", "short", "v", "PX", "300"]);
        q(&mut conn, &["SET", "long", "v"]);
        assert_eq!(text(&mut conn, &["SAVE"]), "OK");
    }
    std::thread::sleep(Duration::from_millis(400));
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["DBSIZE"]), "1");
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_last_load_keys_expired"),
        "1"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs a server binary to its exit (it must not start listening) and returns its exit
/// code and log.
fn run_to_exit(program: &str, dir: &Path) -> (Option<i32>, String) {
    let log = dir.join("startup.log");
    let port = common::free_port().to_string();
    let mut child = Command::new(program)
        .args(["--port", &port, "--dir"])
        .arg(dir)
        .args(["--save", "", "--logfile"])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{program} kept running on a corrupt dump.rdb");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code(),
        std::fs::read_to_string(&log).unwrap_or_default(),
    )
}

#[test]
fn a_corrupt_dump_refuses_startup_with_redis_s_message_and_exit_code() {
    let dir = fresh_dir("persist-corrupt");
    {
        let server = start_in(&dir, &[]);
        let mut conn = server.client();
        q(&mut conn, &["SET", "a", "1"]);
        q(&mut conn, &["RPUSH", "l", "a", "b", "c"]);
        assert_eq!(text(&mut conn, &["SAVE"]), "OK");
    }
    let path = dir.join("dump.rdb");
    let mut data = std::fs::read(&path).expect("dump");
    let at = data.len() - 12; // inside the last value, before the checksum
    data[at] ^= 0xff;
    std::fs::write(&path, &data).expect("corrupt it");
    let (code, log) = run_to_exit(env!("CARGO_BIN_EXE_seedis-server"), &dir);
    assert_eq!(code, Some(1), "seedis log:\n{log}");
    assert!(
        log.contains("Wrong RDB checksum expected"),
        "seedis log:\n{log}"
    );
    assert!(!log.contains("Ready to accept connections"));
    if let Some(redis) = which("redis-server") {
        let (code, redis_log) = run_to_exit(&redis, &dir);
        assert_eq!(code, Some(1), "redis log:\n{redis_log}");
        assert!(redis_log.contains("Wrong RDB checksum expected"));
    }
    // A file that is not an RDB at all.
    std::fs::write(&path, b"hello, not an rdb").expect("garbage");
    let (code, log) = run_to_exit(env!("CARGO_BIN_EXE_seedis-server"), &dir);
    assert_eq!(code, Some(1));
    assert!(
        log.contains("Wrong signature trying to load DB from file"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bgsave_saves_in_a_child_while_the_server_serves() {
    let dir = fresh_dir("persist-bgsave");
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    for i in 0..2000 {
        q(&mut conn, &["SET", &format!("k{i}"), &format!("v{i}")]);
    }
    let dirty: u64 = info_field(&mut conn, "persistence", "rdb_changes_since_last_save")
        .parse()
        .unwrap();
    assert_eq!(dirty, 2000);
    assert_eq!(text(&mut conn, &["BGSAVE"]), "Background saving started");
    // Writes while the child runs stay counted after it ends.
    q(&mut conn, &["SET", "during", "1"]);
    wait_bgsave_done(&mut conn);
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_last_bgsave_status"),
        "ok"
    );
    assert_eq!(info_field(&mut conn, "persistence", "rdb_saves"), "1");
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_changes_since_last_save"),
        "1"
    );
    assert_eq!(
        text(&mut conn, &["BGSAVE", "SCHEDULE", "x"]),
        "ERROR ERR syntax error"
    );
    assert_eq!(
        text(&mut conn, &["BGSAVE", "schedule"]),
        "Background saving started"
    );
    wait_bgsave_done(&mut conn);
    drop(server);
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    // The second BGSAVE had the write made during the first.
    assert_eq!(text(&mut conn, &["DBSIZE"]), "2001");
    assert_eq!(text(&mut conn, &["GET", "during"]), "1");
    assert_eq!(text(&mut conn, &["GET", "k1999"]), "v1999");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_save_point_starts_a_bgsave() {
    let dir = fresh_dir("persist-savepoint");
    let server = start_in(&dir, &["--save", "1 2"]);
    let mut conn = server.client();
    let lastsave: u64 = text(&mut conn, &["LASTSAVE"]).parse().unwrap();
    q(&mut conn, &["SET", "a", "1"]);
    std::thread::sleep(Duration::from_millis(2200));
    // One change is below the save point's two.
    assert_eq!(info_field(&mut conn, "persistence", "rdb_saves"), "0");
    q(&mut conn, &["SET", "b", "1"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&mut conn, "persistence", "rdb_saves") == "0" {
        assert!(Instant::now() < deadline, "the save point never fired");
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_bgsave_done(&mut conn);
    assert!(dir.join("dump.rdb").exists());
    let after: u64 = text(&mut conn, &["LASTSAVE"]).parse().unwrap();
    assert!(after > lastsave);
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_changes_since_last_save"),
        "0"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// SHUTDOWN saves with save points configured (or SAVE), not with NOSAVE.
#[test]
fn shutdown_saves_as_configured() {
    for (save, args, saved) in [
        ("3600 1", &["SHUTDOWN"][..], true),
        ("3600 1", &["SHUTDOWN", "NOSAVE"], false),
        ("", &["SHUTDOWN"], false),
        ("", &["SHUTDOWN", "SAVE", "NOW"], true),
    ] {
        let dir = fresh_dir("persist-shutdown");
        let mut server = start_in(&dir, &["--save", save]);
        let mut conn = server.client();
        q(&mut conn, &["SET", "k", "v"]);
        let _ = q(&mut conn, args);
        assert!(
            server.wait_exit(Duration::from_secs(10)).is_some(),
            "{args:?} did not stop the server"
        );
        assert_eq!(
            dir.join("dump.rdb").exists(),
            saved,
            "save {save:?}, {args:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A directory named dump.rdb makes the rename of every save fail. (Made after the
/// server started: at startup it is an unreadable dump, and the server refuses to run.)
fn block_saves(dir: &Path) {
    std::fs::create_dir(dir.join("dump.rdb")).expect("block dump.rdb");
}

#[test]
fn a_failed_shutdown_save_keeps_the_server_running_unless_force() {
    let mut replies = Vec::new();
    let servers: Vec<(&str, StartIn)> = vec![
        ("seedis", |d, a| Some(start_in(d, a))),
        ("redis", start_redis_in),
    ];
    for (name, start) in servers {
        let dir = fresh_dir("persist-shutdown-fail");
        let Some(mut server) = start(&dir, &["--save", "3600 1"]) else {
            eprintln!("redis-server not installed: seedis only");
            continue;
        };
        block_saves(&dir);
        let mut conn = server.client();
        let refused = text(&mut conn, &["SHUTDOWN"]);
        let save = text(&mut conn, &["SAVE"]);
        let ping = text(&mut conn, &["PING"]);
        let _ = q(&mut conn, &["SHUTDOWN", "FORCE"]);
        let exited = server.wait_exit(Duration::from_secs(10)).is_some();
        replies.push((name, refused, save, ping, exited));
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert_eq!(
        (
            replies[0].1.as_str(),
            replies[0].2.as_str(),
            replies[0].3.as_str(),
            replies[0].4
        ),
        (
            "ERROR ERR Errors trying to SHUTDOWN. Check logs.",
            "ERROR ERR",
            "PONG",
            true
        )
    );
    if let Some(redis) = replies.get(1) {
        let seedis = &replies[0];
        assert_eq!(
            (&seedis.1, &seedis.2, &seedis.3, seedis.4),
            (&redis.1, &redis.2, &redis.3, redis.4)
        );
    }
}

#[test]
fn a_failed_bgsave_refuses_writes_with_misconf_as_redis() {
    let mut seen = Vec::new();
    let servers: Vec<StartIn> = vec![|d, a| Some(start_in(d, a)), start_redis_in];
    for start in servers {
        let dir = fresh_dir("persist-misconf");
        let Some(server) = start(&dir, &["--save", "3600 1"]) else {
            continue;
        };
        block_saves(&dir);
        let mut conn = server.client();
        assert_eq!(text(&mut conn, &["BGSAVE"]), "Background saving started");
        wait_bgsave_done(&mut conn);
        let status = info_field(&mut conn, "persistence", "rdb_last_bgsave_status");
        let set = text(&mut conn, &["SET", "k", "v"]);
        let ping = text(&mut conn, &["PING"]);
        let get = text(&mut conn, &["GET", "k"]);
        q(
            &mut conn,
            &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
        );
        let set_after = text(&mut conn, &["SET", "k", "v"]);
        seen.push((status, set, ping, get, set_after));
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let seedis = &seen[0];
    assert_eq!(seedis.0, "err");
    assert!(seedis.1.starts_with("ERROR MISCONF"), "{}", seedis.1);
    if let Some(redis) = seen.get(1) {
        assert_eq!(seedis, redis);
    }
}

#[test]
fn flushall_saves_with_save_points_and_debug_reload_round_trips() {
    let dir = fresh_dir("persist-flushall");
    let server = start_in(&dir, &["--save", "3600 1"]);
    let mut conn = server.client();
    write_dataset(&mut conn);
    let before = read_dataset(&mut conn);
    assert_eq!(text(&mut conn, &["DEBUG", "RELOAD"]), "OK");
    assert_eq!(read_dataset(&mut conn), before);
    assert_eq!(text(&mut conn, &["DEBUG", "RELOAD", "NOSAVE"]), "OK");
    assert_eq!(read_dataset(&mut conn), before);
    q(&mut conn, &["SET", "extra", "1"]);
    // NOFLUSH and MERGE: the file's keys replace the ones in memory, others stay.
    assert_eq!(
        text(
            &mut conn,
            &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"]
        ),
        "OK"
    );
    assert_eq!(text(&mut conn, &["GET", "extra"]), "1");
    let size = std::fs::metadata(dir.join("dump.rdb")).unwrap().len();
    q(&mut conn, &["FLUSHALL"]);
    // FLUSHALL saved the empty dataset; its change is still counted.
    assert!(std::fs::metadata(dir.join("dump.rdb")).unwrap().len() < size);
    assert_ne!(
        info_field(&mut conn, "persistence", "rdb_changes_since_last_save"),
        "0"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_set_dir_and_dbfilename_move_the_snapshot() {
    let dir = fresh_dir("persist-dir");
    let other = fresh_dir("persist-dir-other");
    let protected = ["--enable-protected-configs", "yes"];
    let server = start_in(&dir, &protected);
    let mut conn = server.client();
    let missing = "/nonexistent/seedis-dir";
    let refused = text(&mut conn, &["CONFIG", "SET", "dir", missing]);
    assert_eq!(
        refused,
        "ERROR ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
    );
    if let Some(redis) = start_redis_in(&dir, &protected) {
        let mut rconn = redis.client();
        assert_eq!(
            text(&mut rconn, &["CONFIG", "SET", "dir", missing]),
            refused
        );
    }
    let other_s = dir_arg(&other);
    assert_eq!(text(&mut conn, &["CONFIG", "SET", "dir", &other_s]), "OK");
    let shown = match q(&mut conn, &["CONFIG", "GET", "dir"]) {
        Value::Array(items) => format!("{:?}", items[1]),
        other => format!("{other:?}"),
    };
    assert!(shown.contains(&*other_s), "{shown}");
    assert_eq!(
        text(&mut conn, &["CONFIG", "SET", "dbfilename", "snap.rdb"]),
        "OK"
    );
    q(&mut conn, &["SET", "k", "v"]);
    assert_eq!(text(&mut conn, &["SAVE"]), "OK");
    assert!(other.join("snap.rdb").exists());
    assert!(!dir.join("dump.rdb").exists());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

/// The same field names, in the same order, as redis-server 7.0.15's INFO persistence.
#[test]
fn info_persistence_has_redis_s_fields_in_redis_s_order() {
    let dir = fresh_dir("persist-info");
    let Some(redis) = start_redis_in(&dir, &[]) else {
        eprintln!("redis-server not installed: skipping");
        return;
    };
    let server = Server::start(&[]);
    let names = |conn: &mut Connection| -> Vec<String> {
        text(conn, &["INFO", "persistence"])
            .lines()
            .filter_map(|l| l.split(':').next())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(names(&mut server.client()), names(&mut redis.client()));
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

/// seedis starts on a dump.rdb real Redis wrote, and Redis on seedis's, with the same
/// contents either way.
#[test]
fn seedis_and_redis_start_on_each_other_s_dump() {
    let redis_dir = fresh_dir("persist-from-redis");
    let Some(redis) = start_redis_in(&redis_dir, &[]) else {
        eprintln!("redis-server not installed: skipping");
        return;
    };
    let mut rconn = redis.client();
    write_dataset(&mut rconn);
    let expected = read_dataset(&mut rconn);
    assert_eq!(text(&mut rconn, &["SAVE"]), "OK");
    drop(redis);
    let server = start_in(&redis_dir, &["--enable-protected-configs", "yes"]);
    let mut conn = server.client();
    assert_eq!(read_dataset(&mut conn), expected);
    // And back: seedis saves, Redis loads it.
    let seedis_dir = fresh_dir("persist-from-seedis");
    std::fs::copy(redis_dir.join("dump.rdb"), seedis_dir.join("unused")).unwrap();
    let seedis_dir_s = dir_arg(&seedis_dir);
    assert_eq!(
        text(&mut conn, &["CONFIG", "SET", "dir", &seedis_dir_s]),
        "OK"
    );
    assert_eq!(text(&mut conn, &["SAVE"]), "OK");
    drop(server);
    let redis = start_redis_in(&seedis_dir, &[]).expect("redis-server");
    let mut rconn = redis.client();
    assert_eq!(read_dataset(&mut rconn), expected);
    drop(redis);
    let _ = std::fs::remove_dir_all(&redis_dir);
    let _ = std::fs::remove_dir_all(&seedis_dir);
}

/// SIGTERM stops the server with the same save as SHUTDOWN.
#[test]
fn sigterm_saves_before_exiting() {
    let dir = fresh_dir("persist-sigterm");
    let mut server = start_in(&dir, &["--save", "3600 1"]);
    let mut conn = server.client();
    q(&mut conn, &["SET", "k", "v"]);
    let status = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let exit = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits on SIGTERM");
    assert!(exit.success(), "{exit:?}");
    let server = start_in(&dir, &[]);
    let mut conn = server.client();
    assert_eq!(text(&mut conn, &["GET", "k"]), "v");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
