//! The writing half: lengths, strings (integer encodings, LZF), every value in the
//! encoding Redis 7.0 writes for it (rdbSaveObjectType / rdbSaveObject).

use std::io::{self, Write};

use super::format::*;
use super::lzf;
use crate::db::list::PACKED_THRESHOLD;
use crate::db::set::SetValue;
use crate::db::stream::Stream;
use crate::db::value::StrValue;
use crate::db::Value;
use crate::util::int::{ll2string, string2ll, LL_STR_MAX};

/// rdbSaveLen.
pub fn write_len(out: &mut dyn Write, len: u64) -> io::Result<()> {
    if len < 1 << 6 {
        out.write_all(&[(len as u8) | (LEN_6BIT << 6)])
    } else if len < 1 << 14 {
        out.write_all(&[((len >> 8) as u8) | (LEN_14BIT << 6), len as u8])
    } else if len <= u64::from(u32::MAX) {
        out.write_all(&[LEN_32BIT])?;
        out.write_all(&(len as u32).to_be_bytes())
    } else {
        out.write_all(&[LEN_64BIT])?;
        out.write_all(&len.to_be_bytes())
    }
}

/// rdbEncodeInteger: the 2..5 byte form of an integer that fits 32 bits.
fn encode_integer(v: i64, buf: &mut [u8; 5]) -> Option<usize> {
    const ENC: u8 = LEN_ENCVAL << 6;
    if (-(1 << 7)..1 << 7).contains(&v) {
        buf[0] = ENC | ENC_INT8;
        buf[1] = v as u8;
        Some(2)
    } else if (-(1 << 15)..1 << 15).contains(&v) {
        buf[0] = ENC | ENC_INT16;
        buf[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        Some(3)
    } else if (-(1i64 << 31)..1i64 << 31).contains(&v) {
        buf[0] = ENC | ENC_INT32;
        buf[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        Some(5)
    } else {
        None
    }
}

/// rdbSaveLongLongAsStringObject: an int-encoded string.
pub fn write_int_string(out: &mut dyn Write, v: i64) -> io::Result<()> {
    let mut buf = [0u8; 5];
    if let Some(n) = encode_integer(v, &mut buf) {
        return out.write_all(&buf[..n]);
    }
    let mut text = [0u8; LL_STR_MAX];
    let s = ll2string(v, &mut text);
    write_len(out, s.len() as u64)?;
    out.write_all(s)
}

/// rdbSaveRawString: an integer encoding for a short canonical integer, LZF for a string
/// over 20 bytes that shrinks by at least 4 (when `compress`), else verbatim.
pub fn write_string(out: &mut dyn Write, s: &[u8], compress: bool) -> io::Result<()> {
    if s.len() <= 11 {
        let mut buf = [0u8; 5];
        if let Some(n) = string2ll(s).and_then(|v| encode_integer(v, &mut buf)) {
            return out.write_all(&buf[..n]);
        }
    }
    if compress && s.len() > 20 {
        if let Some(c) = lzf::compress(s, s.len() - 4) {
            out.write_all(&[(LEN_ENCVAL << 6) | ENC_LZF])?;
            write_len(out, c.len() as u64)?;
            write_len(out, s.len() as u64)?;
            return out.write_all(&c);
        }
    }
    write_len(out, s.len() as u64)?;
    out.write_all(s)
}

/// rdbSaveObjectType.
pub fn value_type(v: &Value) -> u8 {
    match v {
        Value::Str(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Set(s) => match **s {
            SetValue::IntSet(_) => TYPE_SET_INTSET,
            SetValue::Hash(_) => TYPE_SET,
        },
        Value::ZSet(z) if z.is_listpack() => TYPE_ZSET_LISTPACK,
        Value::ZSet(_) => TYPE_ZSET_2,
        Value::Hash(h) if h.is_listpack() => TYPE_HASH_LISTPACK,
        Value::Hash(_) => TYPE_HASH,
        Value::Stream(_) => TYPE_STREAM_LISTPACKS_2,
    }
}

/// rdbSaveObject: the value's body (after its type byte).
pub fn write_value(out: &mut dyn Write, v: &Value, compress: bool) -> io::Result<()> {
    match v {
        Value::Str(StrValue::Int(n)) => write_int_string(out, *n),
        Value::Str(s) => write_string(out, &s.to_bytes(), compress),
        Value::List(l) => {
            write_len(out, l.nodes().count() as u64)?;
            for node in l.nodes() {
                // A big element alone in its node is what Redis keeps as a plain node.
                let plain = node.len() == 1 && node.bytes_len() >= PACKED_THRESHOLD;
                if plain {
                    write_len(out, CONTAINER_PLAIN)?;
                    let e = node.iter().next().expect("a node of one element");
                    e.with_bytes(|b| write_string(out, b, compress))?;
                } else {
                    write_len(out, CONTAINER_PACKED)?;
                    write_string(out, node.as_bytes(), compress)?;
                }
            }
            Ok(())
        }
        Value::Set(s) => match &**s {
            SetValue::IntSet(is) => write_string(out, is.as_bytes(), compress),
            SetValue::Hash(d) => {
                write_len(out, d.len() as u64)?;
                for (m, ()) in d.iter() {
                    write_string(out, m, compress)?;
                }
                Ok(())
            }
        },
        Value::ZSet(z) => match z.listpack() {
            Some(lp) => write_string(out, lp.as_bytes(), compress),
            None => {
                // From the greatest to the smallest, as Redis walks its skiplist backwards.
                let entries = z.iter();
                write_len(out, entries.len() as u64)?;
                for (score, m) in entries.iter().rev() {
                    write_string(out, m, compress)?;
                    out.write_all(&score.to_le_bytes())?;
                }
                Ok(())
            }
        },
        Value::Stream(st) => write_stream(out, st, compress),
        Value::Hash(h) => match h.listpack() {
            Some(lp) => write_string(out, lp.as_bytes(), compress),
            None => {
                write_len(out, h.len() as u64)?;
                for (f, val) in h.iter() {
                    write_string(out, &f, compress)?;
                    write_string(out, &val, compress)?;
                }
                Ok(())
            }
        },
    }
}

/// rdbSaveObject's OBJ_STREAM part (RDB_TYPE_STREAM_LISTPACKS_2).
fn write_stream(out: &mut dyn Write, s: &Stream, compress: bool) -> io::Result<()> {
    write_len(out, s.nodes().len() as u64)?;
    for (master_id, lp) in s.nodes() {
        write_string(out, &master_id.encode(), compress)?;
        write_string(out, lp.as_bytes(), compress)?;
    }
    for n in [
        s.length,
        s.last_id.ms,
        s.last_id.seq,
        s.first_id.ms,
        s.first_id.seq,
        s.max_deleted_entry_id.ms,
        s.max_deleted_entry_id.seq,
        s.entries_added,
    ] {
        write_len(out, n)?;
    }
    write_len(out, s.groups.len() as u64)?;
    for (name, g) in &s.groups {
        write_string(out, name, compress)?;
        write_len(out, g.last_id.ms)?;
        write_len(out, g.last_id.seq)?;
        write_len(out, g.entries_read as u64)?;
        write_len(out, g.pel.len() as u64)?;
        for (id, nack) in &g.pel {
            out.write_all(&id.encode())?;
            out.write_all(&nack.delivery_time.to_le_bytes())?;
            write_len(out, nack.delivery_count)?;
        }
        write_len(out, g.consumers.len() as u64)?;
        for (cname, c) in &g.consumers {
            write_string(out, cname, compress)?;
            out.write_all(&c.seen_time.to_le_bytes())?;
            write_len(out, c.pel.len() as u64)?;
            for id in &c.pel {
                out.write_all(&id.encode())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn enc(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> Vec<u8> {
        let mut v = Vec::new();
        f(&mut v).unwrap();
        v
    }

    #[test]
    fn lengths_as_rdb_save_len() {
        assert_eq!(enc(|o| write_len(o, 10)), [10]);
        assert_eq!(enc(|o| write_len(o, 300)), [0x41, 0x2c]);
        assert_eq!(enc(|o| write_len(o, 70000)), [0x80, 0, 1, 0x11, 0x70]);
        assert_eq!(
            enc(|o| write_len(o, 1 << 40)),
            [0x81, 0, 0, 1, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn strings_as_rdb_save_raw_string() {
        assert_eq!(enc(|o| write_string(o, b"12", true)), [0xc0, 12]);
        assert_eq!(enc(|o| write_string(o, b"-300", true)), [0xc1, 0xd4, 0xfe]);
        assert_eq!(
            enc(|o| write_string(o, b"012", true)),
            [3, b'0', b'1', b'2']
        );
        assert_eq!(
            enc(|o| write_int_string(o, 1 << 40)),
            [13, b'1', b'0', b'9', b'9', b'5', b'1', b'1', b'6', b'2', b'7', b'7', b'7', b'6']
        );
        let long = Bytes::from("a".repeat(50));
        let c = enc(|o| write_string(o, &long, true));
        assert_eq!(c[0], 0xc3);
        assert_eq!(enc(|o| write_string(o, &long, false))[0], 50);
    }
}
