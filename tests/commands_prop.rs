//! The `commands` fuzz target's property, as a proptest that runs in plain `cargo test`:
//! random command sequences (names from the real table, so every family is covered as it
//! lands; keys that collide; small and extreme integers; option words; arbitrary bytes),
//! with the clock moving forward and active expiry running now and then. After every
//! command: no panic, `Keyspace::check_invariants`, and the reply encodes to exactly one
//! reply the client decoder accepts. The fuzzer (`fuzz/fuzz_targets/commands.rs`) runs
//! the same property for hours; this keeps it in every test run, bounded to a few seconds.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use seedis::cmd::context::NoClients;
use seedis::cmd::{execute, table, Ctx, ServerState, Session};
use seedis::config::Config;
use seedis::db::Keyspace;
use seedis::resp::{decode_reply, encode};

const WORDS: &[&str] = &[
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
    "WITHSCORES",
    "LIMIT",
    "COUNT",
    "MATCH",
    "TYPE",
    "REPLACE",
    "DB",
    "ASYNC",
    "HELP",
    "LIST",
    "ID",
    "INFO",
    "SETNAME",
    "GETNAME",
    "ENCODING",
    "GETKEYS",
    "hz",
    "*",
    "k*",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "1.5",
    "inf",
    "-inf",
    "nan",
    "9223372036854775807",
    "-9223372036854775808",
    "",
];

const KEYS: &[&str] = &["k", "k0", "k1", "counter"];

#[derive(Clone, Debug)]
enum Step {
    Command(Vec<Vec<u8>>),
    AdvanceMs(u64),
    ActiveExpire,
}

fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(|k| k.as_bytes().to_vec()),
        2 => (-3i64..20).prop_map(|n| n.to_string().into_bytes()),
        1 => any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        3 => prop::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let names: Vec<&'static str> = table::all().iter().map(|c| c.name).collect();
    let command = (
        prop::sample::select(names),
        any::<bool>(),
        prop::collection::vec(arg(), 0..6),
    )
        .prop_map(|(name, upper, args)| {
            let name = if upper {
                name.to_ascii_uppercase()
            } else {
                name.to_string()
            };
            let mut argv = vec![name.into_bytes()];
            argv.extend(args);
            Step::Command(argv)
        });
    prop_oneof![
        10 => command,
        1 => (0u64..20_000).prop_map(Step::AdvanceMs),
        1 => Just(Step::ActiveExpire),
    ]
}

/// Raising proto-max-bulk-len would let SETRANGE allocate 512 MiB: slow, not a bug.
fn allowed(argv: &[Bytes]) -> bool {
    !(argv[0].eq_ignore_ascii_case(b"config")
        && argv[1..]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(b"proto-max-bulk-len")))
}

fn run(seed: u64, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut config = Config::default();
    config.proto_max_bulk_len = 1 << 20;
    let now_us = 1_700_000_000_000_000;
    let mut keyspace = Keyspace::new(config.databases, (seed, !seed));
    // One storage for the whole run, so a DEBUG RELOAD reads what a SAVE wrote.
    let mut storage = seedis::storage::MemStorage::new();
    let mut server = ServerState::new(config, ChaCha8Rng::seed_from_u64(seed), now_us);
    let mut session = Session::new(
        1,
        7,
        "127.0.0.1:40001".into(),
        "127.0.0.1:6379".into(),
        now_us / 1000,
    );
    let mut clients = NoClients;
    for step in steps {
        let argv: Vec<Bytes> = match step {
            Step::AdvanceMs(ms) => {
                server.now_us += ms * 1000;
                continue;
            }
            Step::ActiveExpire => {
                keyspace.active_expire_cycle(server.now_us / 1000, &mut server.rng);
                prop_assert_eq!(keyspace.check_invariants(), Ok(()), "after active expire");
                continue;
            }
            Step::Command(argv) => argv.iter().map(|a| Bytes::copy_from_slice(a)).collect(),
        };
        if !allowed(&argv) {
            continue;
        }
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
        prop_assert_eq!(keyspace.check_invariants(), Ok(()), "after {:?}", argv);
        let mut wire = BytesMut::new();
        encode(&reply, session.resp, &mut wire);
        let decoded = decode_reply(&wire);
        prop_assert!(
            matches!(decoded, Ok(Some((_, used))) if used == wire.len()),
            "{:?} replied {:?}, which decodes as {:?}",
            argv,
            reply,
            decoded
        );
    }
    Ok(())
}

proptest! {
    // 256 sequences of up to 60 steps: well under a second in a debug build.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_keep_the_keyspace_consistent(
        seed in any::<u64>(),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        run(seed, &steps)?;
    }
}
