//! Round trips (keyspace -> write_snapshot -> load -> the same keyspace; value -> DUMP ->
//! RESTORE -> the same value and bytes), the file's framing, and corrupt input.

use super::*;
use crate::db::hash::{self, Hash};
use crate::db::list::{End, List};
use crate::db::set::SetValue;
use crate::db::zset::{self, ZSetValue};
use crate::db::Ttl;
use proptest::prelude::*;

const KEYS: (u64, u64) = (7, 11);

fn opts() -> LoadOptions {
    LoadOptions {
        hash_keys: KEYS,
        ..LoadOptions::default()
    }
}

fn save_opts(compression: bool, checksum: bool) -> SaveOptions {
    SaveOptions {
        compression,
        checksum,
        now_secs: 1_700_000_000,
        used_mem: 123_456,
        aof_base: false,
        now_ms: 1_700_000_000_000,
        access: None,
    }
}

/// A value of each kind, from a seed: strings (int, short, long compressible), lists of
/// one and many nodes, small and big hashes, sets and sorted sets.
#[derive(Clone, Debug)]
enum Spec {
    Int(i64),
    Str(Vec<u8>),
    List(Vec<Vec<u8>>),
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    Set(Vec<Vec<u8>>),
    ZSet(Vec<(Vec<u8>, f64)>),
}

fn build(spec: &Spec) -> Option<Value> {
    Some(match spec {
        Spec::Int(n) => Value::int(*n),
        Spec::Str(s) => Value::str(Bytes::from(s.clone())),
        Spec::List(items) => {
            let mut l = List::new(-2);
            for i in items {
                l.push(End::Tail, i);
            }
            Value::list(l)
        }
        Spec::Hash(pairs) => {
            let mut h = Hash::new();
            let lim = hash::Limits {
                max_entries: 128,
                max_value: 64,
                hash_keys: KEYS,
            };
            for (f, v) in pairs {
                h.insert(Bytes::from(f.clone()), Bytes::from(v.clone()), lim);
            }
            Value::hash(h)
        }
        Spec::Set(members) => {
            let mut s = SetValue::new_for(members.first()?, KEYS);
            for m in members {
                s.insert(&Bytes::from(m.clone()), 512, KEYS);
            }
            Value::set(s)
        }
        Spec::ZSet(pairs) => {
            let mut z = ZSetValue::new(true, KEYS);
            let lim = zset::Limits {
                max_entries: 128,
                max_value: 64,
                hash_keys: KEYS,
            };
            for (m, s) in pairs {
                z.set(&Bytes::from(m.clone()), *s, lim);
            }
            Value::zset(z)
        }
    })
    .filter(|v| v.check_invariants().is_ok())
}

fn element() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (-1000i64..1000).prop_map(|n| n.to_string().into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        proptest::collection::vec(b'a'..b'e', 0..30),
        (1usize..200).prop_map(|n| b"xy".repeat(n)),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        any::<i64>().prop_map(Spec::Int),
        element().prop_map(Spec::Str),
        proptest::collection::vec(element(), 1..400).prop_map(Spec::List),
        proptest::collection::vec((element(), element()), 1..200).prop_map(Spec::Hash),
        proptest::collection::vec(element(), 1..700).prop_map(Spec::Set),
        proptest::collection::vec(
            (
                element(),
                prop_oneof![(-50i64..50).prop_map(|n| n as f64), any::<f64>()]
            ),
            1..200
        )
        .prop_map(|v| Spec::ZSet(v.into_iter().filter(|(_, s)| !s.is_nan()).collect())),
    ]
}

fn same_value(a: &Value, b: &Value) -> bool {
    a == b && a.encoding_name() == b.encoding_name()
}

/// The DUMP bytes are a function of the value when no encoding is a hashtable (whose
/// iteration order depends on the dict's history).
fn has_dict(v: &Value) -> bool {
    matches!(v.encoding_name(), "hashtable")
}

fn snapshot(ks: &Keyspace, functions: &[Bytes], so: &SaveOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_snapshot(ks, functions, so, &mut out).unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn keyspace_round_trip(
        keys in proptest::collection::vec(
            (0usize..16, element(), spec(), proptest::option::of(0u64..u64::MAX / 2)), 0..20),
        compression in any::<bool>(),
        checksum in any::<bool>(),
    ) {
        let mut ks = Keyspace::new(16, KEYS);
        for (db, key, spec, ttl) in &keys {
            if let Some(v) = build(spec) {
                ks.set(*db, Bytes::from(key.clone()), v, ttl.map_or(Ttl::Clear, Ttl::At));
            }
        }
        let functions = vec![Bytes::from("#!lua name=lib\nredis.register_function('f', function() return 1 end)")];
        let file = snapshot(&ks, &functions, &save_opts(compression, checksum));
        let mut loaded = Keyspace::new(16, KEYS);
        let mut n = 0;
        let info = load_with(&file, &opts(), &mut |k| {
            n += 1;
            loaded.set(k.db, k.key, k.value, k.expire_ms.map_or(Ttl::Clear, Ttl::At));
        }).unwrap();
        prop_assert_eq!(info.consumed, file.len());
        prop_assert_eq!(&info.functions, &functions);
        let mut total = 0;
        for db in 0..16 {
            total += ks.db(db).dict.len();
            prop_assert_eq!(ks.db(db).dict.len(), loaded.db(db).dict.len());
            for (k, v) in ks.db(db).dict.iter() {
                let got = loaded.db(db).dict.get(k.as_bytes()).unwrap();
                prop_assert!(same_value(v, got), "{:?} vs {:?}", v, got);
                got.check_invariants().unwrap();
                prop_assert_eq!(ks.get_expire(db, k.as_bytes()), loaded.get_expire(db, k.as_bytes()));
                if !has_dict(v) {
                    prop_assert_eq!(dump_payload(v), dump_payload(got));
                }
            }
        }
        prop_assert_eq!(n, total);
    }

    #[test]
    fn dump_restore_round_trip(spec in spec(), compression in any::<bool>()) {
        if let Some(v) = build(&spec) {
            let payload = dump_payload_with(&v, compression);
            let back = restore_payload_with(&payload, &opts()).unwrap();
            prop_assert!(same_value(&v, &back));
            if !has_dict(&v) {
                prop_assert_eq!(dump_payload_with(&back, compression), payload);
            }
        }
    }

    /// Arbitrary bytes and single-byte corruptions of valid files: an error or a value
    /// that passes the invariants, never a panic.
    #[test]
    fn corrupt_input_is_an_error(spec in spec(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4), cut in any::<usize>()) {
        if let Some(v) = build(&spec) {
            let payload = dump_payload_with(&v, true);
            let mut bad = payload.clone();
            for (at, x) in &flips {
                let i = at % bad.len();
                bad[i] ^= x | 1;
            }
            // A bad footer is caught by the checksum; recompute it to reach the decoder.
            let n = bad.len();
            let crc = crc64(0, &bad[..n - 8]);
            bad[n - 8..].copy_from_slice(&crc.to_le_bytes());
            if let Ok(v) = restore_payload_with(&bad, &opts()) {
                v.check_invariants().unwrap();
            }
            let mut ks = Keyspace::new(16, KEYS);
            ks.set(0, Bytes::from("k"), v, Ttl::Clear);
            let mut file = snapshot(&ks, &[], &save_opts(true, false));
            let i = flips[0].0 % file.len();
            file[i] ^= flips[0].1 | 1;
            file.truncate(file.len() - cut % 3);
            let _ = load_with(&file, &opts(), &mut |k| k.value.check_invariants().unwrap());
        }
    }
}

#[test]
fn file_framing_as_redis_writes_it() {
    let mut ks = Keyspace::new(16, KEYS);
    ks.set(
        3,
        Bytes::from("k"),
        Value::int(5),
        Ttl::At(1_800_000_000_000),
    );
    let file = snapshot(&ks, &[], &save_opts(true, true));
    assert_eq!(&file[..9], b"REDIS0010");
    // aux redis-ver 7.0.15, redis-bits as an 8-bit integer encoding
    assert_eq!(&file[9..12], &[0xfa, 9, b'r']);
    let mut expected = vec![0xfe, 3, 0xfb, 1, 1, 0xfc];
    expected.extend_from_slice(&1_800_000_000_000u64.to_le_bytes());
    expected.extend_from_slice(&[0, 1, b'k', 0xc0, 5, 0xff]);
    assert_eq!(
        &file[file.len() - 8 - expected.len()..file.len() - 8],
        &expected[..]
    );
    let crc = crc64(0, &file[..file.len() - 8]);
    assert_eq!(&file[file.len() - 8..], &crc.to_le_bytes());
    let no_crc = snapshot(&ks, &[], &save_opts(true, false));
    assert_eq!(&no_crc[no_crc.len() - 8..], &[0; 8]);

    let info = load_with(&file, &opts(), &mut |k| {
        assert_eq!(
            (k.db, &k.key[..], k.expire_ms),
            (3, &b"k"[..], Some(1_800_000_000_000))
        );
    })
    .unwrap();
    let aux: Vec<(&[u8], &[u8])> = info.aux.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    assert_eq!(
        aux,
        vec![
            (&b"redis-ver"[..], &b"7.0.15"[..]),
            (b"redis-bits", b"64"),
            (b"ctime", b"1700000000"),
            (b"used-mem", b"123456"),
            (b"aof-base", b"0"),
        ]
    );
}

#[test]
fn load_errors_as_redis_logs_them() {
    let err = |input: &[u8]| load_with(input, &opts(), &mut |_| {}).unwrap_err().message;
    assert_eq!(
        err(b"REDIX0010"),
        "Wrong signature trying to load DB from file"
    );
    assert_eq!(err(b"REDIS0011"), "Can't handle RDB format version 11");
    assert_eq!(err(b"REDIS0010"), "Unexpected EOF reading RDB file");
    assert!(err(b"REDIS0010\xfe\x10").starts_with("FATAL: Data file was created"));
    let mut ks = Keyspace::new(16, KEYS);
    ks.set(0, Bytes::from("k"), Value::int(5), Ttl::Clear);
    let mut file = snapshot(&ks, &[], &save_opts(true, true));
    let n = file.len();
    file[n - 1] ^= 1;
    assert!(err(&file).starts_with("Wrong RDB checksum expected"));
    // Old versions have no checksum: nothing is read after EOF.
    let v4 = b"REDIS0004\x00\x01k\xc0\x05\xff";
    let mut keys = 0;
    let info = load_with(v4, &opts(), &mut |_| keys += 1).unwrap();
    assert_eq!((keys, info.consumed), (1, v4.len()));
    assert!(err(b"REDIS0010\xf7\x01").contains("AUX module data"));
}

#[test]
fn restore_errors() {
    let v = Value::str(Bytes::from("hello"));
    let mut p = dump_payload(&v);
    assert_eq!(
        restore_payload(&p[..9]).unwrap_err().message,
        ERR_PAYLOAD_FOOTER
    );
    let n = p.len();
    p[n - 1] ^= 1;
    assert_eq!(restore_payload(&p).unwrap_err().message, ERR_PAYLOAD_FOOTER);
    // version 11 is refused even with a good checksum
    let mut p = dump_payload(&v);
    p[n - 10] = 11;
    let crc = crc64(0, &p[..n - 8]);
    p[n - 8..].copy_from_slice(&crc.to_le_bytes());
    assert_eq!(restore_payload(&p).unwrap_err().message, ERR_PAYLOAD_FOOTER);
    // unknown type byte, and an empty list
    for body in [&[8u8][..], &[18, 0]] {
        let mut p = body.to_vec();
        p.extend_from_slice(&10u16.to_le_bytes());
        let crc = crc64(0, &p);
        p.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(restore_payload(&p).unwrap_err().message, ERR_BAD_FORMAT);
    }
}

/// DUMPs taken from real Redis 7.0.15 (`SET k 42; DUMP k` and `RPUSH l a b 1; DUMP l`).
#[test]
fn payloads_from_redis() {
    let int42 = b"\x00\xc0*\n\x00\x81\xfb\\\xfa\x86cOP";
    let v = restore_payload(int42).unwrap();
    assert_eq!(v.as_str().unwrap(), "42");
    assert_eq!(v.encoding_name(), "int");
    assert_eq!(dump_payload(&v), int42);
    let list = b"\x12\x01\x02\x0f\x0f\x00\x00\x00\x03\x00\x81a\x02\x81b\x02\x01\x01\xff\n\x00\xe0\x1b\xabJG\xceY\"";
    let v = restore_payload(list).unwrap();
    let Value::List(l) = &v else { panic!() };
    assert_eq!(
        l.range(0, 3),
        vec![Bytes::from("a"), Bytes::from("b"), Bytes::from("1")]
    );
    assert_eq!(dump_payload(&v), list);
}

#[test]
fn legacy_encodings_load() {
    // RDB_TYPE_ZSET (text doubles), RDB_TYPE_LIST, an intset past set-max-intset-entries.
    let o = LoadOptions {
        set_max_intset_entries: 1,
        ..opts()
    };
    let mut body = vec![3u8, 2, 1, b'a', 3, b'1', b'.', b'5', 1, b'b', 254];
    body.extend_from_slice(&10u16.to_le_bytes());
    let crc = crc64(0, &body);
    body.extend_from_slice(&crc.to_le_bytes());
    let z = restore_payload_with(&body, &o).unwrap();
    let Value::ZSet(z) = z else { panic!() };
    assert_eq!(z.score(b"a"), Some(1.5));
    assert_eq!(z.score(b"b"), Some(f64::INFINITY));
    assert_eq!(z.encoding_name(), "listpack");

    let mut set = SetValue::new_intset();
    for m in ["1", "2", "3"] {
        set.insert(&Bytes::from(m), 512, KEYS);
    }
    let p = dump_payload(&Value::set(set));
    assert_eq!(p[0], 11);
    let back = restore_payload_with(&p, &o).unwrap();
    assert_eq!(back.encoding_name(), "hashtable");
}
