//! The append-only file as Redis 7.0 writes it, sans-IO: the command encoding
//! (`catAppendOnlyGenericCommand`, `feedAppendOnlyFile`'s SELECT and `#TS:` annotations),
//! the commands form of a rewrite (`rewriteAppendOnlyFileRio`), the manifest
//! ([`manifest`]) and the reader ([`reader`]). What the server remembers about its AOF is
//! [`state::AofState`]; the flows that write and load files through the storage seam
//! are in `cmd/aof.rs`.

pub mod manifest;
pub mod reader;
pub mod state;

use crate::db::{Keyspace, Value};
use bytes::Bytes;
use std::io::{self, Write};

/// `AOF_REWRITE_ITEMS_PER_CMD`: a rewrite splits big collections into commands of at
/// most this many elements.
pub const REWRITE_ITEMS_PER_CMD: usize = 64;

/// `catAppendOnlyGenericCommand`: `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument.
pub fn cat_command(out: &mut Vec<u8>, argv: &[Bytes]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// `feedAppendOnlyFile`'s SELECT before a command of another database.
pub fn cat_select(out: &mut Vec<u8>, db: usize) {
    let id = db.to_string();
    out.extend_from_slice(format!("*2\r\n$6\r\nSELECT\r\n${}\r\n{id}\r\n", id.len()).as_bytes());
}

/// `genAofTimestampAnnotationIfNeeded`'s text.
pub fn timestamp_annotation(unix_s: u64) -> String {
    format!("#TS:{unix_s}\r\n")
}

fn bulk(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    write!(out, "${}\r\n", bytes.len())?;
    out.write_all(bytes)?;
    out.write_all(b"\r\n")
}

/// `rewriteAppendOnlyFileRio`: commands that rebuild the dataset: FUNCTION LOAD for each
/// library, then per non-empty database a SELECT and, per key, SET / RPUSH / SADD / ZADD /
/// HMSET (at most [`REWRITE_ITEMS_PER_CMD`] elements each) and PEXPIREAT for a TTL.
/// `timestamp` is the `#TS:` line written first with `aof-timestamp-enabled`.
pub fn write_commands(
    keyspace: &Keyspace,
    functions: &[Bytes],
    timestamp: Option<u64>,
    out: &mut impl Write,
) -> io::Result<()> {
    if let Some(ts) = timestamp {
        out.write_all(timestamp_annotation(ts).as_bytes())?;
    }
    for code in functions {
        out.write_all(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n")?;
        bulk(out, code)?;
    }
    for db in 0..keyspace.databases() {
        let d = keyspace.db(db);
        if d.dict.is_empty() {
            continue;
        }
        out.write_all(b"*2\r\n$6\r\nSELECT\r\n")?;
        bulk(out, db.to_string().as_bytes())?;
        for (key, value) in d.dict.iter() {
            let key = key.as_bytes();
            write_key(out, key, value)?;
            if let Some(at) = d.expires.get(key) {
                out.write_all(b"*3\r\n$9\r\nPEXPIREAT\r\n")?;
                bulk(out, key)?;
                bulk(out, at.to_string().as_bytes())?;
            }
        }
    }
    Ok(())
}

/// One key's value as commands of at most [`REWRITE_ITEMS_PER_CMD`] elements.
fn write_key(out: &mut impl Write, key: &[u8], value: &Value) -> io::Result<()> {
    let (command, items): (&[u8], Vec<Vec<Bytes>>) = match value {
        Value::Str(_) => {
            out.write_all(b"*3\r\n$3\r\nSET\r\n")?;
            bulk(out, key)?;
            return bulk(out, &value.as_str().unwrap_or_default());
        }
        Value::List(l) => (
            b"RPUSH",
            l.range(0, l.len()).into_iter().map(|e| vec![e]).collect(),
        ),
        Value::Set(s) => (b"SADD", s.members().map(|m| vec![m]).collect()),
        Value::ZSet(z) => (
            b"ZADD",
            z.range(0, z.len())
                .into_iter()
                .map(|(score, m)| vec![Bytes::from(crate::util::float::d2string(score)), m])
                .collect(),
        ),
        Value::Hash(h) => (b"HMSET", h.iter().map(|(f, v)| vec![f, v]).collect()),
        Value::Stream(st) => return write_stream(out, key, st),
    };
    for chunk in items.chunks(REWRITE_ITEMS_PER_CMD) {
        let words: usize = chunk.iter().map(Vec::len).sum();
        write!(out, "*{}\r\n", 2 + words)?;
        bulk(out, command)?;
        bulk(out, key)?;
        for item in chunk {
            for word in item {
                bulk(out, word)?;
            }
        }
    }
    Ok(())
}

/// One command from its words.
fn write_command(out: &mut impl Write, words: &[&[u8]]) -> io::Result<()> {
    write!(out, "*{}\r\n", words.len())?;
    for word in words {
        bulk(out, word)?;
    }
    Ok(())
}

/// rewriteStreamObject: the entries as XADDs (an empty stream by the `XADD MAXLEN 0`
/// trick), XSETID with the last ID and counters, then each group with XGROUP CREATE, its
/// consumers without pending entries with XGROUP CREATECONSUMER and every pending entry
/// with an XCLAIM ... JUSTID FORCE, as Redis 7.0 writes them.
fn write_stream(
    out: &mut impl Write,
    key: &[u8],
    st: &crate::db::stream::Stream,
) -> io::Result<()> {
    use crate::db::stream::StreamId;
    if st.length > 0 {
        let entries = st.range(StreamId::MIN, StreamId::MAX, false, 0);
        for (id, fields) in entries {
            let id = id.to_bytes();
            let mut words: Vec<&[u8]> = vec![b"XADD", key, &id];
            for (f, v) in &fields {
                words.push(f);
                words.push(v);
            }
            write_command(out, &words)?;
        }
    } else {
        write_command(out, &[b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"])?;
    }
    let last = st.last_id.to_bytes();
    let added = st.entries_added.to_string();
    let max_deleted = st.max_deleted_entry_id.to_bytes();
    write_command(
        out,
        &[
            b"XSETID",
            key,
            &last,
            b"ENTRIESADDED",
            added.as_bytes(),
            b"MAXDELETEDID",
            &max_deleted,
        ],
    )?;
    for (name, group) in &st.groups {
        let last = group.last_id.to_bytes();
        let read = group.entries_read.to_string();
        write_command(
            out,
            &[
                b"XGROUP",
                b"CREATE",
                key,
                name,
                &last,
                b"ENTRIESREAD",
                read.as_bytes(),
            ],
        )?;
        for (consumer_name, consumer) in &group.consumers {
            if consumer.pel.is_empty() {
                write_command(
                    out,
                    &[b"XGROUP", b"CREATECONSUMER", key, name, consumer_name],
                )?;
                continue;
            }
            for id in &consumer.pel {
                let Some(nack) = group.pel.get(id) else {
                    continue;
                };
                let id = id.to_bytes();
                let time = nack.delivery_time.to_string();
                let count = nack.delivery_count.to_string();
                write_command(
                    out,
                    &[
                        b"XCLAIM",
                        key,
                        name,
                        consumer_name,
                        b"0",
                        &id,
                        b"TIME",
                        time.as_bytes(),
                        b"RETRYCOUNT",
                        count.as_bytes(),
                        b"JUSTID",
                        b"FORCE",
                    ],
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_encoded_as_redis_writes_them() {
        let mut out = Vec::new();
        cat_select(&mut out, 12);
        cat_command(
            &mut out,
            &[Bytes::from("SET"), Bytes::from("k"), Bytes::new()],
        );
        assert_eq!(
            out,
            b"*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
        );
        assert_eq!(timestamp_annotation(1700000000), "#TS:1700000000\r\n");
    }
}
