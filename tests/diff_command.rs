//! Differential test for COMMAND's introspection, generated from the command table: for
//! every command and subcommand seedis implements, `COMMAND INFO name` and `COMMAND DOCS
//! name` are compared byte for byte (RESP3, so sets, maps and arrays count) with a real
//! redis-server 7.0, and so is `COMMAND GETKEYSANDFLAGS` / `GETKEYS` for typical and
//! generated argvs. Deliberate differences, normalised away on both sides:
//! - DOCS `arguments` are not in the table (seedis leaves them out);
//! - a container's subcommands are those seedis implements (CLIENT PAUSE, PUBSUB
//!   SHARDCHANNELS... are not), listed sorted (Redis lists them in its hash table's
//!   per-process order).

mod common;

use common::{read_reply, reply_len, resp_command, Server};
use std::io::Write;
use std::net::TcpStream;

/// A reply as a tree: the header line (with its payload for strings) and the children.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Node {
    head: Vec<u8>,
    children: Vec<Node>,
}

fn parse(data: &[u8], at: usize) -> Node {
    let len = reply_len(data, at).expect("complete reply");
    let line_end = data[at..].windows(2).position(|w| w == b"\r\n").unwrap() + at;
    if !matches!(data[at], b'*' | b'~' | b'%' | b'>' | b'|') {
        return Node {
            head: data[at..at + len].to_vec(),
            children: Vec::new(),
        };
    }
    let mut children = Vec::new();
    let mut pos = line_end + 2;
    while pos < at + len {
        children.push(parse(data, pos));
        pos += reply_len(data, pos).unwrap();
    }
    Node {
        head: data[at..line_end + 2].to_vec(),
        children,
    }
}

impl Node {
    /// Rebuilds the RESP bytes, the aggregate headers recomputed from the children.
    fn bytes(&self, out: &mut Vec<u8>) {
        if self.head.first().is_some_and(|k| b"*~%>|".contains(k)) {
            let n = if matches!(self.head[0], b'%' | b'|') {
                self.children.len() / 2
            } else {
                self.children.len()
            };
            out.push(self.head[0]);
            out.extend(format!("{n}\r\n").as_bytes());
        } else {
            out.extend(&self.head);
        }
        for child in &self.children {
            child.bytes(out);
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.bytes(&mut out);
        out
    }

    /// A bulk string's payload.
    fn text(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        head.split_once("\r\n")
            .map_or(String::new(), |(_, rest)| rest.trim_end().to_string())
    }

    /// A map's (key, value) pairs.
    fn pairs(&self) -> Vec<(Node, Node)> {
        self.children
            .chunks(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect()
    }

    fn from_pairs(head: &[u8], pairs: Vec<(Node, Node)>) -> Node {
        Node {
            head: head.to_vec(),
            children: pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        }
    }
}

fn query(stream: &mut TcpStream, argv: &[&[u8]]) -> Vec<u8> {
    stream.write_all(&resp_command(argv)).unwrap();
    read_reply(stream)
}

fn connect(server: &Server) -> TcpStream {
    let mut stream = server.raw();
    query(&mut stream, &[b"HELLO", b"3"]);
    stream
}

/// A COMMAND INFO entry with its subcommands cut to `known` and sorted.
fn normal_info(mut entry: Node, known: &[String]) -> Node {
    if let Some(subs) = entry.children.get_mut(9) {
        subs.children
            .retain(|s| known.contains(&s.children[0].text()));
        subs.children = subs
            .children
            .drain(..)
            .map(|s| normal_info(s, known))
            .collect();
        subs.children.sort();
    }
    entry
}

/// A COMMAND DOCS value without `arguments`, its subcommands cut to `known` and sorted.
fn normal_docs(doc: Node, known: &[String]) -> Node {
    let mut pairs = Vec::new();
    for (k, v) in doc.pairs() {
        match k.text().as_str() {
            "arguments" => {}
            "subcommands" => {
                let mut subs: Vec<(Node, Node)> = v
                    .pairs()
                    .into_iter()
                    .filter(|(name, _)| known.contains(&name.text()))
                    .map(|(name, d)| (name, normal_docs(d, known)))
                    .collect();
                subs.sort();
                pairs.push((k, Node::from_pairs(&v.head, subs)));
            }
            _ => pairs.push((k, v)),
        }
    }
    Node::from_pairs(&doc.head, pairs)
}

/// Argument lists a command could be given: typical ones written by hand below, plus a
/// few generated from the arity so every command with keys is exercised.
fn generated_argvs(name: &str, arity: i64) -> Vec<Vec<String>> {
    let words: Vec<String> = name.split('|').map(str::to_string).collect();
    let need = arity.unsigned_abs() as usize;
    let mut out = Vec::new();
    for extra in 0..4 {
        let n = need + extra;
        if n < words.len() {
            continue;
        }
        let fill = n - words.len();
        let fills: [&dyn Fn(usize) -> String; 3] =
            [&|i| format!("k{i}"), &|_| "2".to_string(), &|i| {
                ["k", "2", "x", "y", "GET", "z", "1x"][i % 7].to_string()
            }];
        for fill_with in fills {
            let mut argv = words.clone();
            argv.extend((0..fill).map(fill_with));
            out.push(argv);
        }
    }
    out
}

const TYPICAL: &[&str] = &[
    "set k v",
    "set k v GET",
    "set k v get EX 10",
    "set k v NX",
    "get k",
    "mset a 1 b 2",
    "mset a 1 b",
    "mget a b c",
    "del a b c",
    "exists a b",
    "rename a b",
    "copy a b",
    "blpop a b 0",
    "brpoplpush a b 0",
    "blmove a b LEFT RIGHT 0",
    "blmpop 0 2 a b LEFT COUNT 2",
    "blmpop 0 1x a LEFT",
    "bzmpop 0 2 a b MIN",
    "bzpopmin a b 0",
    "lmpop 2 a b LEFT",
    "lmpop 0 a LEFT",
    "lmpop -1 a LEFT",
    "lmpop 3 a b LEFT",
    "lmpop ' 1' a LEFT",
    "zmpop 1 a MAX COUNT 3",
    "zunionstore d 2 a b WEIGHTS 1 2",
    "zunionstore d 1x a b",
    "zunionstore d 0 a",
    "zinterstore d 2 a b AGGREGATE MAX",
    "zdiffstore d 2 a b",
    "zunion 2 a b WITHSCORES",
    "zinter 3 a b",
    "zdiff 1 a",
    "zintercard 2 a b LIMIT 1",
    "sintercard 2 a b",
    "sintercard 1x a",
    "sinterstore d a b",
    "sunionstore d a",
    "smove a b m",
    "zrangestore d s 0 -1",
    "lmove a b LEFT RIGHT",
    "rpoplpush a b",
    "object encoding k",
    "object freq k",
    "object help",
    "object nosuch k",
    "client list",
    "client kill 1.2.3.4:5",
    "config get maxmemory",
    "command info get",
    "pubsub channels",
    "echo a b",
    "ping",
    "get",
    "get a b",
    "nosuch a b",
    "hset h f v",
    "expire k 10 NX",
    "swapdb 0 1",
    "move k 1",
    "watch a b",
];

#[test]
fn command_introspection_matches_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        assert!(!common::tools_required(), "redis-server is required in CI");
        eprintln!("redis-server not installed: skipping the differential test");
        return;
    };
    let seedis = Server::start(&[]);
    let (mut want, mut got) = (connect(&redis), connect(&seedis));
    let list = parse(&query(&mut got, &[b"COMMAND", b"LIST"]), 0);
    let names: Vec<String> = list.children.iter().map(Node::text).collect();
    assert!(names.len() > 180, "COMMAND LIST: {names:?}");
    let mut mismatches = Vec::new();
    let mut argvs: Vec<Vec<String>> = TYPICAL
        .iter()
        .map(|line| {
            // A quoted argument keeps its spaces.
            match line.split_once('\'') {
                Some((head, rest)) => {
                    let (quoted, tail) = rest.split_once('\'').unwrap();
                    let mut argv: Vec<String> =
                        head.split_whitespace().map(str::to_string).collect();
                    argv.push(quoted.to_string());
                    argv.extend(tail.split_whitespace().map(str::to_string));
                    argv
                }
                None => line.split_whitespace().map(str::to_string).collect(),
            }
        })
        .collect();
    for name in &names {
        let info_argv: &[&[u8]] = &[b"COMMAND", b"INFO", name.as_bytes()];
        let (a, b) = (query(&mut want, info_argv), query(&mut got, info_argv));
        let (a, b) = (parse(&a, 0), parse(&b, 0));
        let arity: i64 = b.children[0].children[1]
            .text()
            .parse()
            .unwrap_or_else(|_| {
                let head = String::from_utf8_lossy(&b.children[0].children[1].head);
                head.trim_start_matches(':').trim().parse().unwrap()
            });
        let (a, b) = (
            normal_info(a.children[0].clone(), &names),
            normal_info(b.children[0].clone(), &names),
        );
        if a.to_bytes() != b.to_bytes() {
            mismatches.push(format!(
                "COMMAND INFO {name}\n  redis:  {:?}\n  seedis: {:?}",
                String::from_utf8_lossy(&a.to_bytes()),
                String::from_utf8_lossy(&b.to_bytes())
            ));
        }
        let docs_argv: &[&[u8]] = &[b"COMMAND", b"DOCS", name.as_bytes()];
        let (a, b) = (query(&mut want, docs_argv), query(&mut got, docs_argv));
        let (a, b) = (parse(&a, 0), parse(&b, 0));
        let (a, b) = (
            normal_docs(a.children[1].clone(), &names),
            normal_docs(b.children[1].clone(), &names),
        );
        if a.to_bytes() != b.to_bytes() {
            mismatches.push(format!(
                "COMMAND DOCS {name}\n  redis:  {:?}\n  seedis: {:?}",
                String::from_utf8_lossy(&a.to_bytes()),
                String::from_utf8_lossy(&b.to_bytes())
            ));
        }
        argvs.extend(generated_argvs(name, arity));
    }
    for argv in &argvs {
        for sub in [&b"GETKEYSANDFLAGS"[..], b"GETKEYS"] {
            let mut full: Vec<&[u8]> = vec![b"COMMAND", sub];
            full.extend(argv.iter().map(|a| a.as_bytes()));
            let (a, b) = (query(&mut want, &full), query(&mut got, &full));
            if a != b {
                mismatches.push(format!(
                    "COMMAND {} {}\n  redis:  {:?}\n  seedis: {:?}",
                    String::from_utf8_lossy(sub),
                    argv.join(" "),
                    String::from_utf8_lossy(&a),
                    String::from_utf8_lossy(&b)
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} checks differ:\n{}",
        mismatches.len(),
        names.len() * 2 + argvs.len() * 2,
        mismatches.join("\n")
    );
}

#[test]
fn command_count_and_list_filters_match_redis_for_what_seedis_has() {
    // COUNT and LIST cover exactly the commands seedis implements, so only the filters
    // that pick implemented commands alone can be compared with Redis as they are.
    common::diff::assert_scripts_match(&[&[
        "~COMMAND LIST FILTERBY PATTERN config*",
        "~COMMAND LIST FILTERBY PATTERN z*store",
        "COMMAND LIST FILTERBY MODULE x",
        "COMMAND LIST FILTERBY ACLCAT nosuch",
        "COMMAND LIST FILTERBY foo bar",
        "COMMAND LIST x",
        "COMMAND HELP",
        "COMMAND COUNT x",
        "COMMAND GETKEYS",
        "COMMAND INFO nosuch get|x config|nosuch",
        "COMMAND DOCS nosuch",
    ]]);
}
