//! The AOF loader over hostile input: a manifest and the files it names, loaded as the
//! server loads them at startup (`cmd::aof::load_manifest_from_disk`, then
//! `load_append_only_files` through the command table). A bad manifest or file must be
//! an error (the lines Redis logs before exiting), never a panic or an allocation the
//! input cannot back; whatever loads must pass the keyspace's invariants.
//!
//! Input: byte 0 picks the mode, byte 1 the settings, the rest is the data:
//! - 0: the data is the manifest; the files it may name hold a valid base and incr file;
//! - 1: the data is the incremental file after a valid RDB base;
//! - 2: the data is the base file (an RDB preamble, or commands);
//! - 3: the data is an old single-file `appendonly.aof` (the upgrade path).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seedis::cmd::aof::{load_append_only_files, load_manifest_from_disk};
use seedis::cmd::ServerState;
use seedis::config::Config;
use seedis::db::Keyspace;
use seedis::net::ManualClock;
use seedis::persist::aof::state::AofStatus;
use seedis::storage::MemStorage;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

const DIR: &str = "appendonlydir";
const MANIFEST: &str = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
const INCR: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nm\r\n*1\r\n$4\r\nEXEC\r\n";

/// A valid RDB base holding one key (made by the server's own codec).
fn valid_base() -> Vec<u8> {
    let mut keyspace = Keyspace::new(16, (1, 2));
    keyspace.set(
        0,
        bytes::Bytes::from_static(b"base"),
        seedis::db::Value::str(bytes::Bytes::from_static(b"1")),
        seedis::db::Ttl::Clear,
    );
    let opts = seedis::persist::rdb::SaveOptions {
        compression: true,
        checksum: true,
        now_secs: 1_700_000_000,
        used_mem: 0,
        aof_base: true,
        now_ms: 1_700_000_000_000,
        access: None,
    };
    let mut out = Vec::new();
    seedis::persist::rdb::write_snapshot(&keyspace, &[], &opts, &mut out).expect("encodes");
    out
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 2 {
        return;
    }
    let (mode, settings, data) = (input[0] % 4, input[1], &input[2..]);
    let mut storage = MemStorage::new();
    let _ = seedis::storage::Storage::mkdir(&mut storage, DIR);
    let path = |name: &str| format!("{DIR}/{name}");
    let base = valid_base();
    match mode {
        0 => {
            storage.put(&path("appendonly.aof.manifest"), data);
            storage.put(&path("appendonly.aof.1.base.rdb"), &base);
            storage.put(&path("appendonly.aof.1.incr.aof"), INCR);
            storage.put(&path("appendonly.aof.2.incr.aof"), INCR);
        }
        1 => {
            storage.put(&path("appendonly.aof.manifest"), MANIFEST.as_bytes());
            storage.put(&path("appendonly.aof.1.base.rdb"), &base);
            storage.put(&path("appendonly.aof.1.incr.aof"), data);
        }
        2 => {
            storage.put(&path("appendonly.aof.manifest"), MANIFEST.as_bytes());
            storage.put(&path("appendonly.aof.1.base.rdb"), data);
            storage.put(&path("appendonly.aof.1.incr.aof"), INCR);
        }
        _ => storage.put("appendonly.aof", data),
    }
    let mut config = Config::default();
    let truncated = if settings & 1 == 0 { "yes" } else { "no" };
    config.set("aof-load-truncated", truncated).expect("valid");
    config.appendonly = true;
    let now_us = 1_700_000_000_000_000;
    let mut keyspace = Keyspace::new(config.databases, (1, 2));
    let mut server = ServerState::new(config, ChaCha8Rng::seed_from_u64(1), now_us);
    server.aof.status = AofStatus::On;
    let mut clock = ManualClock { now_us };
    match load_manifest_from_disk(&mut storage, &server) {
        Ok(am) => server.aof.manifest = am,
        Err(lines) => {
            assert!(!lines.is_empty(), "a refused manifest says why");
            return;
        }
    }
    let _ = load_append_only_files(&mut storage, &mut keyspace, &mut server, &mut clock);
    keyspace
        .check_invariants()
        .expect("whatever loads passes the invariants");
});
