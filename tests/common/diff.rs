//! The differential harness: run command scripts against seedis and a real
//! redis-server 7.0 and compare every reply byte for byte. Line prefixes: `~` compares an
//! array as a multiset, `?` sends without comparing, `@` masks integers (times).

use super::{read_reply, resp_command, Server};
use std::io::Write;

/// Splits a script line into arguments; `'...'` quotes an argument with spaces.
fn words(line: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('\'') {
            let end = stripped.find('\'').expect("closing quote");
            out.push(stripped.as_bytes()[..end].to_vec());
            rest = stripped[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            out.push(rest.as_bytes()[..end].to_vec());
            rest = rest[end..].trim_start();
        }
    }
    out
}

fn run_script(server: &Server, script: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut stream = server.raw();
    let mut replies = Vec::new();
    stream.write_all(&resp_command(&[b"FLUSHALL"])).unwrap();
    read_reply(&mut stream);
    for line in script {
        let unordered = line.starts_with('~');
        let masked = line.starts_with('@');
        let argv = words(line.trim_start_matches(['~', '?', '@']));
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        stream.write_all(&resp_command(&refs)).unwrap();
        let reply = read_reply(&mut stream);
        let reply = if unordered {
            sorted_array(&reply)
        } else if masked {
            mask_integers(&reply)
        } else {
            reply
        };
        replies.push((line.to_string(), reply));
    }
    replies
}

/// Every integer line of a reply as `:T` (`@` lines: replies that hold wall-clock times
/// and idle times, XPENDING's and XINFO's, compared in shape and every other element).
fn mask_integers(reply: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(reply.len());
    for line in reply.split_inclusive(|&b| b == b'\n') {
        if line.first() == Some(&b':') {
            out.extend_from_slice(b":T\r\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// An array reply with its elements sorted, nested arrays too (SCAN's key list), for
/// order-free comparison. Other replies are returned unchanged.
fn sorted_array(reply: &[u8]) -> Vec<u8> {
    if !matches!(reply.first(), Some(b'*' | b'~' | b'%')) {
        return reply.to_vec();
    }
    let header_end = reply.windows(2).position(|w| w == b"\r\n").expect("header") + 2;
    let mut items = Vec::new();
    let mut at = header_end;
    while at < reply.len() {
        let len = super::reply_len(reply, at).expect("complete element");
        items.push(sorted_array(&reply[at..at + len]));
        at += len;
    }
    items.sort();
    let mut out = reply[..header_end].to_vec();
    for item in items {
        out.extend(item);
    }
    out
}

/// Runs every script on both servers (a fresh FLUSHALL before each) and fails with the
/// list of differing replies. Skips when redis-server is missing, except in CI.
pub fn assert_scripts_match(scripts: &[&[&str]]) {
    let Some(redis) = Server::start_redis(&["--enable-debug-command", "yes"]) else {
        assert!(!super::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let mut mismatches = Vec::new();
    for script in scripts {
        let want = run_script(&redis, script);
        let got = run_script(&seedis, script);
        for ((line, w), (_, g)) in want.iter().zip(&got) {
            // `?`: sent, but the reply is not compared (HELLO's client id).
            if w != g && !line.starts_with('?') {
                mismatches.push(format!(
                    "{line:?}\n   redis:  {:?}\n   seedis: {:?}",
                    String::from_utf8_lossy(w),
                    String::from_utf8_lossy(g)
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} replies differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
