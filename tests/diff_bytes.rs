//! Differential test for replies that echo a client's bytes (issue #9, "bytes all the
//! way"): command names, subcommand names and arguments that are not UTF-8, hold a NUL,
//! CR or LF, or are longer than Redis quotes, sent multibulk and inline to seedis and to
//! a real redis-server 7.0; every reply is compared byte for byte.
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::{read_reply, resp_command, Server};
use std::io::Write;

/// One request on the wire: a multibulk command, or raw bytes (inline commands and
/// malformed protocol).
enum Request {
    Argv(Vec<Vec<u8>>),
    Raw(&'static [u8]),
}

fn argv(args: &[&[u8]]) -> Request {
    Request::Argv(args.iter().map(|a| a.to_vec()).collect())
}

/// 300 bytes of 0xe9 (Latin-1 'é', invalid UTF-8 on its own): longer than any quote.
fn long() -> Vec<u8> {
    vec![0xe9; 300]
}

fn with_long(before: &[&[u8]], after: &[&[u8]]) -> Request {
    let long = long();
    let mut args: Vec<&[u8]> = before.to_vec();
    args.push(&long);
    args.extend_from_slice(after);
    argv(&args)
}

/// Sessions: each runs on a fresh connection, in order. A protocol error closes the
/// connection, so it comes last in its session.
fn sessions() -> Vec<Vec<Request>> {
    vec![
        // Unknown commands: '%.128s' of the name, '%.*s' of the arguments while the
        // quoted part is under 128 bytes; %s stops at a NUL.
        vec![
            argv(&[b"\xff\xfeabc", b"\xc3", b"x"]),
            argv(&[b"ab\0cd", b"a\0b", b"c"]),
            argv(&[b"nosuch", &[b'a'; 200]]),
            argv(&[b"nosuch", &[b'a'; 100], &[b'b'; 100], b"c"]),
            argv(&[&[b'x'; 200]]),
            argv(&[b"nosuch", &[b'a'; 126], b"b"]),
            argv(&[b"nosuch", &[b'a'; 125], b"b"]),
            argv(&[b"nosuch", b"\0", &[0; 200], b"z"]),
            argv(&[b"nosuch", b"a\r\nb"]),
            argv(&[b"nosuch", b"x\r\n"]),
            argv(&[b"nosuch\n"]),
            with_long(&[b"\xffnosuch"], &[b"y"]),
            with_long(&[], &[b"\xfe"]),
        ],
        // Unknown subcommands of containers and of DEBUG: '%.128s'.
        vec![
            argv(&[b"CONFIG", b"\xffbad"]),
            argv(&[b"CONFIG", b"b\0ad"]),
            argv(&[b"CONFIG", b"x\n"]),
            with_long(&[b"CONFIG"], &[]),
            argv(&[b"CLIENT", b"\xfe"]),
            argv(&[b"COMMAND", b"\xfe"]),
            argv(&[b"OBJECT", b"\xfe", b"k"]),
            argv(&[b"OBJECT", b"a\0b", b"k"]),
            with_long(&[b"OBJECT"], &[b"k"]),
            argv(&[b"PUBSUB", b"\xfe"]),
            argv(&[b"DEBUG", b"\xfe"]),
            argv(&[b"DEBUG", b"a\0b"]),
            with_long(&[b"DEBUG"], &[]),
        ],
        // Arguments quoted whole with '%s' (up to a NUL; trailing CR LF trimmed).
        vec![
            argv(&[b"CONFIG", b"SET", b"\xffname", b"v"]),
            argv(&[b"CONFIG", b"SET", b"a\0b", b"v"]),
            argv(&[b"CONFIG", b"SET", b"x\r\n", b"v"]),
            with_long(&[b"CONFIG", b"SET"], &[b"v"]),
            argv(&[b"CONFIG", b"SET", b"hz", b"\xff"]),
            argv(&[b"CONFIG", b"GET", b"\xff"]),
            argv(&[b"CONFIG", b"GET", b"\xffA*"]),
            argv(&[b"HELLO", b"3", b"a\0b"]),
            argv(&[b"HELLO", b"2", b"\n"]),
            with_long(&[b"HELLO", b"2"], &[]),
            argv(&[b"CLIENT", b"KILL", b"TYPE", b"\xfe"]),
            with_long(&[b"CLIENT", b"KILL", b"TYPE"], &[]),
            argv(&[b"CLIENT", b"KILL", b"USER", b"\xfe"]),
            with_long(&[b"CLIENT", b"KILL", b"USER"], &[]),
            argv(&[b"SET", b"k", b"v"]),
            argv(&[b"EXPIRE", b"k", b"100", b"\xffa\0b"]),
            argv(&[b"EXPIRE", b"k", b"100", b"x\r\n"]),
            argv(&[b"EXPIRE", b"k", b"100", b"\r\nx"]),
            with_long(&[b"EXPIRE", b"k", b"100"], &[]),
        ],
        // The glob (stringmatchlen): range bounds compare as signed chars; CONFIG GET
        // matches without case, KEYS with it.
        vec![
            argv(&[b"FLUSHALL"]),
            argv(&[b"SET", b"5", b"v"]),
            argv(&[b"SET", b"\x80", b"v"]),
            argv(&[b"KEYS", b"[a-\xff]"]),
            argv(&[b"KEYS", b"[\x80-\x81]"]),
            argv(&[b"KEYS", b"\x80"]),
            argv(&[b"CONFIG", b"GET", b"[a-\xff]axclients"]),
            argv(&[b"CONFIG", b"GET", b"[L-M]AXCLIENT?"]),
            argv(&[b"FLUSHALL"]),
        ],
        // An unknown command inside MULTI aborts EXEC, which quotes the first error.
        vec![
            argv(&[b"MULTI"]),
            argv(&[b"\xffnosuch", b"\xfe"]),
            argv(&[b"EXEC"]),
        ],
        // Inline commands: split by sdssplitargs, "\xff" escapes decoded.
        vec![
            Request::Raw(b"\xff\xfe abc \xc3\r\n"),
            Request::Raw(b"nosuch \"\\xff\\x00z\" '\\x41'\r\n"),
            Request::Raw(b"\xfe\xff \xc3\xa9\r\n"),
            Request::Raw(b"a\x0bb\x0cc \xff\r\n"),
            Request::Raw(b"CONFIG \xff\r\n"),
            Request::Raw(b"CONFIG SET \"\\xe9\" v\r\n"),
        ],
        // A protocol error quotes the offending byte raw, then closes the connection.
        vec![Request::Raw(b"*1\r\n\xffabc\r\n")],
        vec![Request::Raw(b"*1\r\n\nabc\r\n")],
    ]
}

fn run(server: &Server, session: &[Request]) -> Vec<Vec<u8>> {
    let mut stream = server.raw();
    session
        .iter()
        .map(|request| {
            match request {
                Request::Argv(args) => {
                    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
                    stream.write_all(&resp_command(&refs))
                }
                Request::Raw(bytes) => stream.write_all(bytes),
            }
            .expect("write");
            read_reply(&mut stream)
        })
        .collect()
}

#[test]
fn echoed_bytes_match_real_redis() {
    let Some(redis) = Server::start_redis(&["--enable-debug-command", "yes"]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let mut mismatches = Vec::new();
    for (n, session) in sessions().iter().enumerate() {
        let want = run(&redis, session);
        let got = run(&seedis, session);
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            if w != g {
                mismatches.push(format!(
                    "session {n}, request {i}\n   redis:  {:?}\n   seedis: {:?}",
                    w.escape_ascii().to_string(),
                    g.escape_ascii().to_string()
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
