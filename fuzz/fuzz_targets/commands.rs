//! Arbitrary command sequences through `seedis::cmd::execute`, against one keyspace.
//!
//! Names come mostly from the real table (`seedis::cmd::table::all()`, so families added
//! later are fuzzed without touching this file), arguments from a few colliding keys,
//! small and extreme integers, floats, option words and arbitrary bytes. The clock moves
//! forward sometimes and the active-expire cycle runs sometimes, so expiry paths run.
//! Checked after every command: no panic, `Keyspace::check_invariants`, and the reply
//! encodes (in the session's protocol) to exactly one reply the client decoder accepts.
#![no_main]

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use seedis::cmd::context::NoClients;
use seedis::cmd::{ClientInfo, ClientRegistry};
use seedis::cmd::{execute, table, Ctx, ServerState, Session};
use seedis::config::Config;
use seedis::db::Keyspace;
use seedis::resp::{decode_reply, encode};

/// A registry with no other clients whose administrator stops a busy script (SCRIPT
/// KILL, or SHUTDOWN NOSAVE once it wrote), so a looping EVAL ends past the threshold.
struct Admin;

impl ClientRegistry for Admin {
    fn list(&self, now_ms: u64) -> Vec<ClientInfo> {
        NoClients.list(now_ms)
    }
    fn kill(&mut self, m: &mut dyn FnMut(&ClientInfo) -> bool, now_ms: u64) -> usize {
        NoClients.kill(m, now_ms)
    }
    fn count(&self) -> usize {
        1
    }
    fn process_events_while_blocked(
        &mut self,
        _poller: Option<&mut dyn seedis::net::Poller>,
        server: &mut dyn seedis::cmd::busy::BlockedServer,
    ) {
        seedis::cmd::busy::stop_as_admin(server.state());
    }
}

/// Option words and subcommands the handlers look for, and values that hit edge cases.
const WORDS: &[&str] = &[
    "while true do end",
    "redis.call('incr', KEYS[1]) while true do end",
    "local t = {} for i = 1, 1e9 do t[i % 10] = i end",
    "return redis.call('get', KEYS[1])",
    // maxmemory, eviction policies, access clocks, CLIENT PAUSE / UNBLOCK.
    "maxmemory",
    "maxmemory-policy",
    "allkeys-lru",
    "allkeys-lfu",
    "volatile-ttl",
    "volatile-random",
    "IDLETIME",
    "FREQ",
    "WRITE",
    "TIMEOUT",
    "ERROR",
    "NX",
    "XX",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "KEEPTTL",
    "GET",
    "SET",
    "PERSIST",
    "GT",
    "LT",
    "CH",
    "INCR",
    "WITHSCORES",
    "LIMIT",
    "COUNT",
    "MATCH",
    "TYPE",
    "REPLACE",
    "DB",
    "ASYNC",
    "SYNC",
    "BYSCORE",
    "BYLEX",
    "REV",
    "LEFT",
    "RIGHT",
    "BEFORE",
    "AFTER",
    "WITHVALUES",
    "ABSTTL",
    "IDLETIME",
    "FREQ",
    "HELP",
    "RESETSTAT",
    "REWRITE",
    "LIST",
    "KILL",
    "ID",
    "INFO",
    "SETNAME",
    "GETNAME",
    "REPLY",
    "NO-EVICT",
    "ENCODING",
    "REFCOUNT",
    "DOCS",
    "GETKEYS",
    "SLEEP",
    "SET-ACTIVE-EXPIRE",
    "AUTH",
    "default",
    "hz",
    "timeout",
    "maxclients",
    "requirepass",
    "databases",
    "active-expire-enabled",
    // Keyspace notifications (published to the session's own subscriptions) and
    // sharded pub/sub's subcommands.
    "notify-keyspace-events",
    "KEA",
    "KEAmn",
    "__key*__:*",
    "SHARDCHANNELS",
    "SHARDNUMSUB",
    "string",
    "*",
    "k*",
    "?",
    "[a-z]",
    "\\",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "16",
    "1.5",
    "-0",
    "0.0",
    "1e3",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "",
    " ",
    "all",
    "everything",
    "server",
    "keyspace",
    "clients",
    "memory",
    "stats",
    "WITHDIST",
    "WITHHASH",
    "WITHCOORD",
    "ANY",
    "ASC",
    "DESC",
    "STORE",
    "STOREDIST",
    "FROMMEMBER",
    "FROMLONLAT",
    "BYRADIUS",
    "BYBOX",
    "m",
    "km",
    "ft",
    "mi",
    "13.361389",
    "38.115556",
    "-85.05112878",
    "180",
    "GETREG",
    "DECODE",
    "TODENSE",
    "hll-sparse-max-bytes",
    "HYLL",
    // Bitmaps (BITCOUNT/BITPOS units, BITOP, BITFIELD) and LCS.
    "BIT",
    "BYTE",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "INCRBY",
    "OVERFLOW",
    "WRAP",
    "SAT",
    "FAIL",
    "i1",
    "i8",
    "u8",
    "i64",
    "u63",
    "u64",
    "#1",
    "#-1",
    "IDX",
    "LEN",
    "MINMATCHLEN",
    "WITHMATCHLEN",
    // streams
    "STREAMS",
    "GROUP",
    "NOACK",
    "BLOCK",
    "MKSTREAM",
    "ENTRIESREAD",
    "ENTRIESADDED",
    "MAXDELETEDID",
    "MAXLEN",
    "MINID",
    "NOMKSTREAM",
    "~",
    "=",
    "*",
    "$",
    ">",
    "-",
    "+",
    "0-1",
    "1-*",
    "(1-0",
    "18446744073709551615-18446744073709551615",
    "CREATE",
    "SETID",
    "DESTROY",
    "CREATECONSUMER",
    "DELCONSUMER",
    "STREAM",
    "GROUPS",
    "CONSUMERS",
    "FULL",
    "JUSTID",
    "FORCE",
    "IDLE",
    "TIME",
    "RETRYCOUNT",
    "LASTID",
];

const KEYS: &[&str] = &["k", "k0", "k1", "{k}2", "", "counter"];

#[derive(Arbitrary, Debug)]
enum Name {
    Table(u16),
    TableUpper(u16),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Arg {
    Key(u8),
    Small(i8),
    Int(i64),
    Float(f64),
    Word(u8),
    OtherName(u16),
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Step {
    Command(Name, Vec<Arg>),
    Command2(Name, Vec<Arg>),
    AdvanceMs(u16),
    AdvanceS(u16),
    ActiveExpire,
}

#[derive(Arbitrary, Debug)]
struct Input {
    seed: u64,
    steps: Vec<Step>,
}

/// At most this many steps per input, so one input cannot take long.
const STEPS_MAX: usize = 200;

fn name(n: &Name) -> Bytes {
    let table = table::all();
    match n {
        Name::Table(i) => Bytes::from_static(table[*i as usize % table.len()].name.as_bytes()),
        Name::TableUpper(i) => {
            Bytes::from(table[*i as usize % table.len()].name.to_ascii_uppercase())
        }
        Name::Raw(b) => Bytes::copy_from_slice(b),
    }
}

fn arg(a: &Arg) -> Bytes {
    match a {
        Arg::Key(i) => Bytes::from_static(KEYS[*i as usize % KEYS.len()].as_bytes()),
        Arg::Small(n) => Bytes::from(n.to_string()),
        Arg::Int(n) => Bytes::from(n.to_string()),
        Arg::Float(f) => Bytes::from(f.to_string()),
        Arg::Word(i) => Bytes::from_static(WORDS[*i as usize % WORDS.len()].as_bytes()),
        Arg::OtherName(i) => {
            let table = table::all();
            Bytes::from_static(table[*i as usize % table.len()].name.as_bytes())
        }
        Arg::Bytes(b) => Bytes::copy_from_slice(b),
    }
}

/// Commands left out: raising proto-max-bulk-len would let SETRANGE / APPEND allocate
/// 512 MiB per input, DEBUG POPULATE can create any number of keys of any size, and
/// PFSELFTEST adds ten million elements to two HLLs: slow, not a bug.
fn allowed(argv: &[Bytes]) -> bool {
    let raises_bulk_len = argv[0].eq_ignore_ascii_case(b"config")
        && argv[1..]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(b"proto-max-bulk-len"));
    let big_populate = argv[0].eq_ignore_ascii_case(b"debug")
        && argv.get(1).is_some_and(|a| a.eq_ignore_ascii_case(b"populate"))
        && [argv.get(2), argv.get(4)].into_iter().flatten().any(|n| {
            std::str::from_utf8(n)
                .ok()
                .and_then(|n| n.parse::<i64>().ok())
                .is_none_or(|n| n > 1000)
        });
    let selftest = argv[0].eq_ignore_ascii_case(b"pfselftest");
    // Without a threshold a looping script would never be stopped.
    let unbounds_scripts = argv[0].eq_ignore_ascii_case(b"config")
        && argv[1..].iter().any(|a| {
            a.eq_ignore_ascii_case(b"busy-reply-threshold") || a.eq_ignore_ascii_case(b"lua-time-limit")
        });
    !(raises_bulk_len || big_populate || selftest || unbounds_scripts)
}

/// One command as a redis-cli line (non-printable bytes escaped), for SEEDIS_FUZZ_TRACE.
fn printable(argv: &[Bytes]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|a| format!("\"{}\"", a.escape_ascii()))
        .collect();
    words.join(" ")
}

// SEEDIS_FUZZ_TRACE=1 prints every command an input runs, to replay a finding by hand:
// `SEEDIS_FUZZ_TRACE=1 cargo fuzz run commands fuzz/artifacts/commands/<file>`.
fuzz_target!(|input: Input| {
    let mut config = Config::default();
    // Enough for every code path, small enough that SETRANGE k 1000000 x stays fast.
    config.proto_max_bulk_len = 1 << 20;
    // A looping script is stopped after 10 ms of its (virtual) time.
    config.busy_reply_threshold_ms = 10;
    // DEBUG's subcommands (DIGEST, OBJECT, POPULATE, PROTOCOL...) are code to fuzz too.
    let _ = config.set_at_startup("enable-debug-command", "yes");
    let now_us = 1_700_000_000_000_000;
    let mut keyspace = Keyspace::new(config.databases, (input.seed, !input.seed));
    // One storage for the whole run, so a DEBUG RELOAD reads what a SAVE wrote.
    let mut storage = seedis::storage::MemStorage::new();
    let mut server = ServerState::new(config, ChaCha8Rng::seed_from_u64(input.seed), now_us);
    let mut session = Session::new(
        1,
        7,
        "127.0.0.1:40001".into(),
        "127.0.0.1:6379".into(),
        now_us / 1000,
    );
    let mut clients = Admin;
    let trace = std::env::var_os("SEEDIS_FUZZ_TRACE").is_some();
    for step in input.steps.iter().take(STEPS_MAX) {
        let (n, args) = match step {
            Step::Command(n, args) | Step::Command2(n, args) => (n, args),
            Step::AdvanceMs(ms) => {
                server.now_us += u64::from(*ms) * 1000;
                continue;
            }
            Step::AdvanceS(s) => {
                server.now_us += u64::from(*s) * 1_000_000;
                continue;
            }
            Step::ActiveExpire => {
                keyspace.active_expire_cycle(server.now_us / 1000, &mut server.rng);
                keyspace
                    .check_invariants()
                    .unwrap_or_else(|e| panic!("after active expire: {e}"));
                continue;
            }
        };
        let mut argv = vec![name(n)];
        argv.extend(args.iter().map(arg));
        if !allowed(&argv) {
            continue;
        }
        if trace {
            eprintln!("{}", printable(&argv));
        }
        // As the loop does before each command: this client has an 8 MiB hard output
        // limit, so a client-sized reply (HRANDFIELD k -N...) stops there, as on a server
        // whose clients are closed at their limit, instead of filling the fuzzer's memory.
        session.reply_budget = 8 << 20;
        session.output_limit_reached = false;
        let mut clock = seedis::net::ManualClock {
            now_us: server.now_us,
        };
        let mut ctx = Ctx {
            keyspace: &mut keyspace,
            session: &mut session,
            server: &mut server,
            clients: &mut clients,
            clock: &mut clock,
            storage: &mut storage,
        };
        let reply = execute(&mut ctx, &argv);
        server.actions.clear();
        keyspace
            .check_invariants()
            .unwrap_or_else(|e| panic!("after {argv:?}: {e}"));
        let mut wire = BytesMut::new();
        encode(&reply, session.resp, &mut wire);
        match decode_reply(&wire) {
            Ok(Some((_, used))) if used == wire.len() => {}
            other => panic!("{argv:?} replied {reply:?}, which decodes as {other:?}"),
        }
    }
});
