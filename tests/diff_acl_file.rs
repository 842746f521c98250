//! ACL SAVE and ACL LOAD with `aclfile`, against a real redis-server 7.0: the file ACL
//! SAVE writes (byte for byte), ACL LOAD of a good file, of one with every kind of error
//! (the whole error text, nothing loaded), of a missing file, and startup with the file.
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::{fresh_dir, resp_command, roundtrip, Server};

fn ask(server: &Server, line: &str) -> String {
    let mut conn = server.raw();
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    String::from_utf8_lossy(&roundtrip(&mut conn, &resp_command(&argv))).into_owned()
}

const INITIAL: &str = "user default on nopass ~* &* +@all\nuser bob on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~b* +@read\n";

fn start_both(label: &str) -> Option<(Server, Server)> {
    let dirs = [
        fresh_dir(&format!("{label}-r")),
        fresh_dir(&format!("{label}-s")),
    ];
    for d in &dirs {
        std::fs::write(d.join("users.acl"), INITIAL).unwrap();
    }
    let args = |d: &std::path::PathBuf| {
        vec![
            "--dir".to_string(),
            d.display().to_string(),
            "--aclfile".into(),
            "users.acl".into(),
        ]
    };
    let ra = args(&dirs[0]);
    let sa = args(&dirs[1]);
    let redis = Server::start_redis(&ra.iter().map(String::as_str).collect::<Vec<_>>())?;
    let seedis = Server::start(&sa.iter().map(String::as_str).collect::<Vec<_>>());
    Some((redis, seedis))
}

#[test]
fn acl_save_and_load_match_redis() {
    let Some((redis, seedis)) = start_both("aclfile") else {
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    let steps: &[(&str, Option<&str>)] = &[
        ("ACL LIST", None),
        // One command per rule set: Redis lists several in its hash table's order.
        ("ACL SETUSER alice on >pw +@hash -hdel ~k* &ch* (+get ~h*)", None),
        ("ACL SETUSER carol off", None),
        ("ACL SAVE", None),
        ("ACL LIST", None),
        // A file with every kind of mistake: nothing changes.
        ("ACL LOAD", Some("user a on +nosuch +alsonot\nfoo bar\nuser a on\nuser b on >x <y\n\n   \nuser c (+get\nuser d\ton\n")),
        ("ACL LIST", None),
        ("ACL LOAD", Some("user zed on nopass +ping ~*\r\nuser  default on nopass +@all ~* &*\n")),
        ("ACL LIST", None),
        ("ACL LOAD", Some("user zed on nopass +@all\n")),
        ("ACL USERS", None),
        ("ACL SAVE x", None),
    ];
    for (line, file) in steps {
        if let Some(text) = file {
            for s in [&redis, &seedis] {
                std::fs::write(s.dir.join("users.acl"), text).unwrap();
            }
        }
        let (expected, got) = (ask(&redis, line), ask(&seedis, line));
        assert_eq!(got, expected, "{line}");
        if *line == "ACL SAVE" {
            let read = |s: &Server| std::fs::read_to_string(s.dir.join("users.acl")).unwrap();
            assert_eq!(read(&seedis), read(&redis), "the saved file");
        }
    }
    // A missing file.
    for s in [&redis, &seedis] {
        std::fs::remove_file(s.dir.join("users.acl")).unwrap();
    }
    assert_eq!(ask(&seedis, "ACL LOAD"), ask(&redis, "ACL LOAD"));
}

#[test]
fn without_aclfile_load_and_save_are_refused_as_in_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    let seedis = Server::start(&[]);
    for line in ["ACL LOAD", "ACL SAVE"] {
        assert_eq!(ask(&seedis, line), ask(&redis, line));
    }
}

/// A server started with an ACL file gets its users; a bad file stops the start.
#[test]
fn startup_loads_the_file_and_refuses_a_bad_one() {
    let Some((redis, seedis)) = start_both("aclstart") else {
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    assert_eq!(ask(&seedis, "ACL LIST"), ask(&redis, "ACL LIST"));
    assert_eq!(
        ask(&seedis, "AUTH bob password"),
        ask(&redis, "AUTH bob password")
    );
    let dir = fresh_dir("aclbad");
    std::fs::write(dir.join("users.acl"), "user x on +nosuch\n").unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_seedis-server"))
        .args(["--port", "0", "--dir"])
        .arg(&dir)
        .args(["--aclfile", "users.acl"])
        .stdout(std::process::Stdio::piped())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}
