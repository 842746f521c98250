//! The RDB loader and RESTORE's decoder over hostile input: `persist::rdb::load_with` and
//! `restore_payload_with` must return an error or values that pass the keyspace's
//! invariants, never panic or allocate beyond what the input can back.
//!
//! Input: byte 0 picks the mode, byte 1 the conversion thresholds (small ones, so listpack
//! -> hashtable conversions happen on small inputs), the rest is the data:
//! - 0: the data is an RDB file;
//! - 1: the data is a DUMP payload body; a valid version and CRC64 footer is appended, so
//!   the decoder (not the checksum) sees every mutation;
//! - 2: the data is a whole DUMP payload, footer included;
//! - 3: structured: a valid file (every type and encoding, TTLs, several databases, a
//!   function) is mutated by the data, read as (offset u16, xor u8) triples, its checksum
//!   recomputed when the first data byte is odd, then loaded.
//! Every value that comes back is DUMPed and RESTOREd again: the same value, the same
//! encoding.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use seedis::db::hash::{self, Hash};
use seedis::db::list::{End, List};
use seedis::db::set::SetValue;
use seedis::db::zset::{self, ZSetValue};
use seedis::db::{Keyspace, Ttl, Value};
use seedis::persist::rdb::{self, LoadOptions, SaveOptions};
use std::sync::OnceLock;

fn options(b: u8) -> LoadOptions {
    LoadOptions {
        databases: 4 + usize::from(b & 15),
        hash_max_listpack_entries: u64::from(b & 7) * 4,
        hash_max_listpack_value: 8 + u64::from(b >> 5) * 8,
        zset_max_listpack_entries: u64::from((b >> 3) & 7) * 4,
        zset_max_listpack_value: 8 + u64::from(b >> 6) * 16,
        set_max_intset_entries: u64::from(b & 31),
        list_max_listpack_size: i64::from(b % 7) - 5,
        hash_keys: (1, 2),
        verify_checksum: b & 1 == 0,
    }
}

fn check(v: &Value, opts: &LoadOptions) {
    v.check_invariants().expect("a loaded value passes the invariants");
    let payload = rdb::dump_payload(v);
    let back = rdb::restore_payload_with(&payload, opts).expect("a DUMP restores");
    assert_eq!(&back, v);
    assert_eq!(back.encoding_name(), v.encoding_name());
    back.check_invariants().expect("restored value sound");
}

/// A valid file to mutate: one key of every encoding, with TTLs, in dbs 0 and 2.
fn base_file() -> &'static [u8] {
    static FILE: OnceLock<Vec<u8>> = OnceLock::new();
    FILE.get_or_init(|| {
        let keys = (1, 2);
        let mut ks = Keyspace::new(4, keys);
        let b = |s: &str| Bytes::from(s.to_string());
        ks.set(0, b("int"), Value::int(-123456), Ttl::Clear);
        ks.set(0, b("str"), Value::str(b(&"abc".repeat(20))), Ttl::At(1 << 41));
        let mut l = List::new(-2);
        for i in 0..40 {
            l.push(End::Tail, format!("e{i}").as_bytes());
        }
        ks.set(0, b("list"), Value::list(l), Ttl::Clear);
        for (name, n) in [("h", 4), ("H", 200)] {
            let mut h = Hash::new();
            let lim = hash::Limits { max_entries: 128, max_value: 64, hash_keys: keys };
            for i in 0..n {
                h.insert(Bytes::from(format!("f{i}")), Bytes::from(i.to_string()), lim);
            }
            ks.set(2, b(name), Value::hash(h), Ttl::Clear);
        }
        for (name, members) in [("is", vec!["1", "-70000", "5"]), ("ss", vec!["a", "b"])] {
            let mut s = SetValue::new_for(members[0].as_bytes(), keys);
            for m in members {
                s.insert(&b(m), 512, keys);
            }
            ks.set(2, b(name), Value::set(s), Ttl::Clear);
        }
        for (name, listpack) in [("z", true), ("Z", false)] {
            let mut z = ZSetValue::new(listpack, keys);
            let lim = zset::Limits { max_entries: 128, max_value: 64, hash_keys: keys };
            for i in 0..6 {
                z.set(&Bytes::from(format!("m{i}")), f64::from(i) / 3.0, lim);
            }
            ks.set(0, b(name), Value::zset(z), Ttl::At(1 << 42));
        }
        let opts = SaveOptions {
            compression: true,
            checksum: true,
            now_secs: 1,
            used_mem: 2,
            aof_base: false,
            now_ms: 1000,
            access: None,
        };
        let mut out = Vec::new();
        rdb::write_snapshot(&ks, &[b("#!lua name=l\nreturn 1")], &opts, &mut out).unwrap();
        out
    })
}

fn load(input: &[u8], opts: &LoadOptions) {
    if let Ok(info) = rdb::load_with(input, opts, &mut |k| {
        assert!(k.db < opts.databases);
        check(&k.value, opts);
    }) {
        assert!(info.consumed <= input.len());
    }
}

fn restore(payload: &[u8], opts: &LoadOptions) {
    if let Ok(v) = rdb::restore_payload_with(payload, opts) {
        check(&v, opts);
    }
}

fuzz_target!(|input: &[u8]| {
    let (Some(&mode), Some(&limits)) = (input.first(), input.get(1)) else {
        return;
    };
    let data = &input[2..];
    let opts = options(limits);
    match mode % 4 {
        0 => load(data, &opts),
        1 => {
            let mut p = data.to_vec();
            p.extend_from_slice(&rdb::RDB_VERSION.to_le_bytes());
            let crc = rdb::crc64(0, &p);
            p.extend_from_slice(&crc.to_le_bytes());
            restore(&p, &opts);
        }
        2 => restore(data, &opts),
        _ => {
            let mut file = base_file().to_vec();
            for t in data.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([t[0], t[1]])) % file.len();
                file[at] ^= t[2];
            }
            if data.first().is_some_and(|b| b & 1 == 1) {
                let n = file.len();
                let crc = rdb::crc64(0, &file[..n - 8]);
                file[n - 8..].copy_from_slice(&crc.to_le_bytes());
            }
            load(&file, &LoadOptions { verify_checksum: true, ..opts });
        }
    }
});
