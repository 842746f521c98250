use crate::cmd::testkit::{b, e, i, Harness};
use crate::resp::Reply;
use bytes::Bytes;

fn ints(v: &[i64]) -> Reply {
    Reply::Array(v.iter().map(|&n| i(n)).collect())
}

#[test]
fn setbit_getbit_grow_and_report_the_old_bit() {
    let mut h = Harness::new();
    assert_eq!(h.run("SETBIT k 7 1"), i(0));
    assert_eq!(h.run("GET k"), b("\x01"));
    assert_eq!(h.run("SETBIT k 7 1"), i(1));
    assert_eq!(h.run("SETBIT k 7 0"), i(1));
    assert_eq!(h.run("GETBIT k 7"), i(0));
    assert_eq!(h.run("SETBIT k 100 1"), i(0));
    assert_eq!(h.run("STRLEN k"), i(13));
    assert_eq!(h.run("GETBIT k 100"), i(1));
    assert_eq!(h.run("GETBIT k 10000"), i(0));
    assert_eq!(h.run("GETBIT nokey 0"), i(0));
    assert_eq!(h.run("OBJECT ENCODING k"), b("raw"));
    // An integer-encoded string is read and written as its decimal text.
    assert_eq!(h.run("SET n 1"), Reply::OK);
    assert_eq!(h.run("GETBIT n 2"), i(1)); // '1' is 0x31 = 0b00110001
    assert_eq!(h.run("SETBIT n 6 1"), i(0));
    assert_eq!(h.run("GET n"), b("3"));
    assert_eq!(h.run("OBJECT ENCODING n"), b("raw"));
    for bad in ["SETBIT k -1 1", "SETBIT k x 1", "SETBIT k 4294967296 1"] {
        assert_eq!(
            h.run(bad),
            e("ERR bit offset is not an integer or out of range"),
            "{bad}"
        );
    }
    for bad in ["SETBIT k 0 2", "SETBIT k 0 -1", "SETBIT k 0 x"] {
        assert_eq!(
            h.run(bad),
            e("ERR bit is not an integer or out of range"),
            "{bad}"
        );
    }
    assert_eq!(h.run("LPUSH l x"), i(1));
    assert_eq!(
        h.run("SETBIT l 0 1"),
        e("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn setbit_on_a_long_string_edits_in_place() {
    let mut h = Harness::new();
    assert_eq!(h.run("SETBIT big 80000 1"), i(0));
    let before = match h.run("GET big") {
        Reply::Bulk(b) => b,
        other => panic!("{other:?}"),
    };
    // A reply that still holds the buffer forces one copy; the old value is untouched.
    assert_eq!(h.run("SETBIT big 0 1"), i(0));
    assert_eq!(before[0], 0);
    drop(before);
    assert_eq!(h.run("SETBIT big 1 1"), i(0));
    assert_eq!(h.run("BITCOUNT big"), i(3));
    assert_eq!(h.run("STRLEN big"), i(10001));
}

#[test]
fn bitcount_ranges_bytes_and_bits() {
    let mut h = Harness::new();
    assert_eq!(h.run("SET s foobar"), Reply::OK);
    assert_eq!(h.run("BITCOUNT s"), i(26));
    assert_eq!(h.run("BITCOUNT s 0 0"), i(4));
    assert_eq!(h.run("BITCOUNT s 1 1"), i(6));
    assert_eq!(h.run("BITCOUNT s 1 1 BYTE"), i(6));
    assert_eq!(h.run("BITCOUNT s 5 30 BIT"), i(17));
    assert_eq!(h.run("BITCOUNT s -2 -1"), i(7));
    assert_eq!(h.run("BITCOUNT s -1 -2"), i(0));
    assert_eq!(h.run("BITCOUNT s -1 -2 foo"), i(0));
    assert_eq!(h.run("BITCOUNT s 0 -1 bit"), i(26));
    assert_eq!(h.run("BITCOUNT s 0 1 foo"), e("ERR syntax error"));
    assert_eq!(h.run("BITCOUNT s 0"), e("ERR syntax error"));
    assert_eq!(h.run("BITCOUNT s 0 1 bit x"), e("ERR syntax error"));
    assert_eq!(h.run("BITCOUNT nokey 0"), i(0));
    assert_eq!(
        h.run("BITCOUNT s a 1"),
        e("ERR value is not an integer or out of range")
    );
}

#[test]
fn bitpos_not_found_rules() {
    let mut h = Harness::new();
    assert_eq!(h.run("BITPOS nokey 1"), i(-1));
    assert_eq!(h.run("BITPOS nokey 0"), i(0));
    assert_eq!(
        h.run("BITPOS nokey 2"),
        e("ERR The bit argument must be 1 or 0.")
    );
    h.argv(&[
        Bytes::from("SET"),
        Bytes::from("k"),
        Bytes::from_static(b"\xff\xf0\x00"),
    ]);
    assert_eq!(h.run("BITPOS k 0"), i(12));
    assert_eq!(h.run("BITPOS k 1 2"), i(-1));
    assert_eq!(h.run("BITPOS k 1 7 15 BIT"), i(7));
    assert_eq!(h.run("BITPOS k 0 0 11 BIT"), i(-1));
    h.argv(&[
        Bytes::from("SET"),
        Bytes::from("f"),
        Bytes::from_static(b"\xff\xff\xff"),
    ]);
    // Without an end the string continues with zeros; with one it does not.
    assert_eq!(h.run("BITPOS f 0"), i(24));
    assert_eq!(h.run("BITPOS f 0 0"), i(24));
    assert_eq!(h.run("BITPOS f 0 0 -1"), i(-1));
    assert_eq!(h.run("BITPOS f 0 0 -1 bit"), i(-1));
    assert_eq!(h.run("BITPOS f 0 1 x y"), e("ERR syntax error"));
    h.argv(&[Bytes::from("SET"), Bytes::from("e"), Bytes::new()]);
    assert_eq!(h.run("BITPOS e 0"), i(-1));
}

#[test]
fn bitop_lengths_missing_keys_and_deletion() {
    let mut h = Harness::new();
    assert_eq!(h.run("SET a abc"), Reply::OK);
    assert_eq!(h.run("SET b a"), Reply::OK);
    assert_eq!(h.run("BITOP AND d a b nokey"), i(3));
    assert_eq!(h.run("GET d"), Reply::Bulk(Bytes::from_static(b"\0\0\0")));
    assert_eq!(h.run("BITOP OR d a b"), i(3));
    assert_eq!(h.run("GET d"), b("abc"));
    assert_eq!(h.run("BITOP XOR d a b"), i(3));
    assert_eq!(h.run("GET d"), Reply::Bulk(Bytes::from_static(b"\0bc")));
    assert_eq!(h.run("BITOP NOT d b"), i(1));
    assert_eq!(h.run("GET d"), Reply::Bulk(Bytes::from_static(b"\x9e")));
    assert_eq!(h.run("OBJECT ENCODING d"), b("raw"));
    assert_eq!(h.run("EXPIRE d 100"), i(1));
    assert_eq!(h.run("BITOP OR d a"), i(3));
    assert_eq!(h.run("TTL d"), i(-1));
    assert_eq!(h.run("BITOP OR d nokey"), i(0));
    assert_eq!(h.run("EXISTS d"), i(0));
    assert_eq!(
        h.run("BITOP NOT d a b"),
        e("ERR BITOP NOT must be called with a single source key.")
    );
    assert_eq!(h.run("BITOP NAND d a b"), e("ERR syntax error"));
    assert_eq!(h.run("LPUSH l x"), i(1));
    assert_eq!(
        h.run("BITOP OR d a l"),
        e("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn bitfield_get_set_incrby_overflow() {
    let mut h = Harness::new();
    assert_eq!(h.run("BITFIELD k SET i8 0 -100 GET u8 0"), ints(&[0, 156]));
    assert_eq!(h.run("BITFIELD k INCRBY i8 0 -100"), ints(&[56]));
    assert_eq!(
        h.run("BITFIELD k OVERFLOW SAT INCRBY i8 0 -200 OVERFLOW FAIL INCRBY i8 0 -1"),
        Reply::Array(vec![i(-128), Reply::Null])
    );
    assert_eq!(
        h.run("BITFIELD k SET u4 #1 15 GET u4 4 GET u4 #1"),
        ints(&[0, 15, 15])
    );
    assert_eq!(
        h.run("BITFIELD k INCRBY u2 100 1 OVERFLOW SAT incrby u2 102 1"),
        ints(&[1, 1])
    );
    assert_eq!(
        h.run("BITFIELD k SET i64 0 -1 GET u63 1"),
        ints(&[-8142508126285856768, i64::MAX])
    );
    assert_eq!(h.run("BITFIELD nokey GET i64 0 GET u1 #100"), ints(&[0, 0]));
    assert_eq!(h.run("EXISTS nokey"), i(0));
    assert_eq!(h.run("BITFIELD k"), Reply::Array(vec![]));
    let bad_type = e("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    for bad in [
        "BITFIELD k GET u64 0",
        "BITFIELD k GET i65 0",
        "BITFIELD k GET x8 0",
        "BITFIELD k GET i0 0",
    ] {
        assert_eq!(h.run(bad), bad_type, "{bad}");
    }
    assert_eq!(
        h.run("BITFIELD k GET u8 -1"),
        e("ERR bit offset is not an integer or out of range")
    );
    assert_eq!(
        h.run("BITFIELD k GET u8 #-1"),
        e("ERR bit offset is not an integer or out of range")
    );
    assert_eq!(
        h.run("BITFIELD k OVERFLOW foo"),
        e("ERR Invalid OVERFLOW type specified")
    );
    assert_eq!(h.run("BITFIELD k GET u8"), e("ERR syntax error"));
    assert_eq!(
        h.run("BITFIELD k SET u8 0 x"),
        e("ERR value is not an integer or out of range")
    );
    assert_eq!(
        h.run("BITFIELD_RO k SET u8 0 1"),
        e("ERR BITFIELD_RO only supports the GET subcommand")
    );
    assert_eq!(h.run("BITFIELD_RO k GET u8 0"), ints(&[255]));
    // A write that fails on a new key still creates it (Redis 7.0's lookupStringForBitCommand).
    assert_eq!(
        h.run("BITFIELD z OVERFLOW FAIL INCRBY u2 0 5"),
        Reply::Array(vec![Reply::Null])
    );
    assert_eq!(h.run("GET z"), Reply::Bulk(Bytes::from_static(b"\0")));
}

#[test]
fn bits_notifications_and_dirty() {
    let mut h = Harness::new();
    assert_eq!(h.run("CONFIG SET notify-keyspace-events KA"), Reply::OK);
    let dirty = h.server.dirty;
    assert_eq!(h.run("SETBIT k 1 1"), i(0));
    assert_eq!(h.run("SETBIT k 1 1"), i(1));
    assert_eq!(h.server.dirty, dirty + 1);
    assert_eq!(
        h.run("BITFIELD k SET u8 0 1 SET u8 8 0 GET u8 0"),
        ints(&[64, 0, 1])
    );
    // Both SETs count: the second grew the string.
    assert_eq!(h.server.dirty, dirty + 3);
    assert_eq!(h.run("BITFIELD k SET u8 0 1"), ints(&[1]));
    assert_eq!(h.server.dirty, dirty + 3);
    assert_eq!(h.run("BITOP NOT d k"), i(2));
    assert_eq!(h.run("BITOP AND d nokey"), i(0));
    assert_eq!(h.server.dirty, dirty + 5);
}
