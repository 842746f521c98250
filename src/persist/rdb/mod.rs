//! RDB version 10, as Redis 7.0 writes and reads it: whole snapshots (dump.rdb, the AOF's
//! RDB preamble) and single values (DUMP / RESTORE payloads). Sans-IO: encoding streams
//! into an `io::Write`, decoding reads a byte slice.
//!
//! - `format`: rdb.h's constants; `crc64`, `lzf`: Redis's checksum and compressor, ported
//!   so the bytes are Redis's.
//! - `encode`: lengths, strings and every value in the encoding Redis 7.0 writes (listpack,
//!   intset and quicklist bytes are written as they are in memory, as Redis does).
//! - `reader`, `decode`, `legacy`: loading, with every length checked against the input
//!   and every listpack/ziplist/zipmap/intset validated deeply; older encodings (ziplist,
//!   zipmap, quicklist v1, text-double zsets) converted as Redis 7.0 converts them.
//!
//! Expired keys: [`load`] hands every key with its expire time, expired or not; the caller
//! decides (Redis drops keys already expired when a master loads a file, and keeps them
//! when loading an AOF preamble or as a replica).

mod crc64;
mod decode;
mod encode;
mod format;
mod legacy;
mod lzf;
mod reader;

use std::io::{self, Write};

use bytes::Bytes;

use crate::db::{Keyspace, Value};
pub use crc64::crc64;
pub use format::RDB_VERSION;
use format::*;
use reader::Reader;

/// Options of a snapshot write (`rdbcompression`, `rdbchecksum`, aux fields).
#[derive(Clone, Debug)]
pub struct SaveOptions {
    /// `rdbcompression yes`: LZF-compress strings longer than 20 bytes when it pays.
    pub compression: bool,
    /// `rdbchecksum yes`: a CRC64 trailer; `no` writes eight zero bytes.
    pub checksum: bool,
    /// Unix time in seconds for the `ctime` aux field.
    pub now_secs: u64,
    /// `used-mem` aux field.
    pub used_mem: u64,
    /// `aof-base` aux field: 1 when this is an AOF base file's preamble.
    pub aof_base: bool,
    /// Current time in ms: keys already expired at this time are still written (Redis
    /// writes them; the loader drops them), but this is passed for `lru`/`lfu` aux data.
    pub now_ms: u64,
    /// Under an LRU or LFU maxmemory policy, each key's idle time (IDLE) or counter
    /// (FREQ) is written before it, read off its access clock as of this clock.
    pub access: Option<crate::db::access::AccessClock>,
}

/// The settings loading converts under (Redis reads them from `server.*`), and the SipHash
/// keys of the dicts it builds. `Default` is Redis's defaults with zero hash keys.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub databases: usize,
    pub hash_max_listpack_entries: u64,
    pub hash_max_listpack_value: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    pub set_max_intset_entries: u64,
    pub list_max_listpack_size: i64,
    pub hash_keys: (u64, u64),
    /// `rdbchecksum yes`: verify a file's CRC64 (a zero checksum is never checked).
    pub verify_checksum: bool,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            databases: 16,
            hash_max_listpack_entries: 128,
            hash_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            set_max_intset_entries: 512,
            list_max_listpack_size: -2,
            hash_keys: (0, 0),
            verify_checksum: true,
        }
    }
}

impl LoadOptions {
    /// The thresholds of `config`, the keyspace's hash keys.
    pub fn from_config(config: &crate::config::Config, hash_keys: (u64, u64)) -> LoadOptions {
        LoadOptions {
            databases: config.databases,
            hash_max_listpack_entries: config.hash_max_listpack_entries,
            hash_max_listpack_value: config.hash_max_listpack_value,
            zset_max_listpack_entries: config.zset_max_listpack_entries,
            zset_max_listpack_value: config.zset_max_listpack_value,
            set_max_intset_entries: config.set_max_intset_entries,
            list_max_listpack_size: config.list_max_listpack_size,
            hash_keys,
            verify_checksum: true,
        }
    }
}

/// One key read from a snapshot.
#[derive(Debug)]
pub struct LoadedKey {
    pub db: usize,
    pub key: Bytes,
    pub value: Value,
    /// Absolute expire time in ms since the epoch.
    pub expire_ms: Option<u64>,
    /// RDB_OPCODE_IDLE: seconds since the key's last access, when saved under LRU.
    pub idle_s: Option<u64>,
    /// RDB_OPCODE_FREQ: the LFU counter, when saved under LFU.
    pub freq: Option<u8>,
}

/// What a snapshot held besides keys.
#[derive(Debug, Default)]
pub struct LoadedInfo {
    /// How many bytes of the input the RDB took (an AOF base with an RDB preamble goes on
    /// after them).
    pub consumed: usize,
    /// Aux fields in file order (`redis-ver`, `ctime`, `aof-base`...).
    pub aux: Vec<(Bytes, Bytes)>,
    /// FUNCTION libraries' source code (RDB_OPCODE_FUNCTION2), in file order.
    pub functions: Vec<Bytes>,
    /// Keys whose value was an empty aggregate, skipped as Redis skips them.
    pub empty_keys_skipped: u64,
}

/// Why a snapshot or payload could not be read. `message` is what Redis logs or replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    pub message: String,
}

impl RdbError {
    pub fn new(message: impl Into<String>) -> RdbError {
        RdbError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Redis 7.0.15's version, as the `redis-ver` aux field says it.
const REDIS_VERSION: &str = "7.0.15";

fn write_aux(out: &mut dyn Write, key: &str, val: &[u8]) -> io::Result<()> {
    out.write_all(&[OPCODE_AUX])?;
    encode::write_string(out, key.as_bytes(), true)?;
    encode::write_string(out, val, true)
}

/// Writes every database of `keyspace` (and the FUNCTION libraries' code) as an RDB file,
/// in rdbSaveRio's order: magic, aux fields, functions, then per non-empty database
/// SELECTDB, RESIZEDB and its keys, EOF and the checksum.
pub fn write_snapshot(
    keyspace: &Keyspace,
    functions: &[Bytes],
    opts: &SaveOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut w = crc64::CrcWriter { inner: out, crc: 0 };
    let compress = opts.compression;
    w.write_all(format!("REDIS{RDB_VERSION:04}").as_bytes())?;
    write_aux(&mut w, "redis-ver", REDIS_VERSION.as_bytes())?;
    write_aux(&mut w, "redis-bits", b"64")?;
    write_aux(&mut w, "ctime", opts.now_secs.to_string().as_bytes())?;
    write_aux(&mut w, "used-mem", opts.used_mem.to_string().as_bytes())?;
    write_aux(&mut w, "aof-base", if opts.aof_base { b"1" } else { b"0" })?;
    for code in functions {
        w.write_all(&[OPCODE_FUNCTION2])?;
        encode::write_string(&mut w, code, compress)?;
    }
    for dbid in 0..keyspace.databases() {
        let db = keyspace.db(dbid);
        if db.dict.is_empty() {
            continue;
        }
        w.write_all(&[OPCODE_SELECTDB])?;
        encode::write_len(&mut w, dbid as u64)?;
        w.write_all(&[OPCODE_RESIZEDB])?;
        encode::write_len(&mut w, db.dict.len() as u64)?;
        encode::write_len(&mut w, db.expires.len() as u64)?;
        for (key, value) in db.dict.iter() {
            let lru = key.lru();
            let key = key.as_bytes();
            if let Some(&when) = db.expires.get(key) {
                w.write_all(&[OPCODE_EXPIRETIME_MS])?;
                w.write_all(&when.to_le_bytes())?;
            }
            // rdbSaveKeyValuePair: IDLE under an LRU policy, FREQ under an LFU one.
            if let Some(clock) = &opts.access {
                if clock.lfu {
                    w.write_all(&[OPCODE_FREQ, clock.lfu_decr_and_return(lru) as u8])?;
                } else {
                    w.write_all(&[OPCODE_IDLE])?;
                    encode::write_len(&mut w, clock.idle_ms(lru) / 1000)?;
                }
            }
            w.write_all(&[encode::value_type(value)])?;
            encode::write_string(&mut w, key, compress)?;
            encode::write_value(&mut w, value, compress)?;
        }
    }
    w.write_all(&[OPCODE_EOF])?;
    let crc = if opts.checksum { w.crc } else { 0 };
    w.inner.write_all(&crc.to_le_bytes())
}

/// Reads an RDB file with Redis's default thresholds (see [`load_with`]).
pub fn load(
    input: &[u8],
    databases: usize,
    on_key: &mut dyn FnMut(LoadedKey),
) -> Result<LoadedInfo, RdbError> {
    let opts = LoadOptions {
        databases,
        ..LoadOptions::default()
    };
    load_with(input, &opts, on_key)
}

/// rdbLoadRio: reads an RDB file, handing each key to `on_key` in file order, converting
/// values under `opts`' thresholds. Databases beyond `opts.databases` are an error, as in
/// Redis. Keys come with their expire time whether or not it has passed.
pub fn load_with(
    input: &[u8],
    opts: &LoadOptions,
    on_key: &mut dyn FnMut(LoadedKey),
) -> Result<LoadedInfo, RdbError> {
    let mut r = Reader::new(input);
    let magic = r.bytes(9)?;
    if &magic[..5] != b"REDIS" {
        return Err(RdbError::new("Wrong signature trying to load DB from file"));
    }
    let version = crate::util::int::atoi(&magic[5..]);
    if !(1..=i32::from(RDB_VERSION)).contains(&version) {
        return Err(RdbError::new(format!(
            "Can't handle RDB format version {version}"
        )));
    }
    let mut info = LoadedInfo::default();
    let mut db = 0usize;
    let mut expire: Option<u64> = None;
    let (mut idle_s, mut freq): (Option<u64>, Option<u8>) = (None, None);
    loop {
        let t = r.u8()?;
        match t {
            OPCODE_EXPIRETIME => {
                let secs = u32::from_le_bytes(r.bytes(4)?.try_into().expect("4"));
                expire = Some(u64::from(secs) * 1000);
            }
            OPCODE_EXPIRETIME_MS => expire = Some(r.u64_le()?),
            OPCODE_FREQ => freq = Some(r.u8()?),
            OPCODE_IDLE => idle_s = Some(r.len()?),
            OPCODE_EOF => break,
            OPCODE_SELECTDB => {
                let id = r.len()?;
                if id >= opts.databases as u64 {
                    return Err(RdbError::new(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                        opts.databases
                    )));
                }
                db = id as usize;
            }
            OPCODE_RESIZEDB => {
                r.len()?;
                r.len()?;
            }
            OPCODE_AUX => {
                let k = r.string()?;
                let v = r.string()?;
                info.aux.push((Bytes::from(k), Bytes::from(v)));
            }
            OPCODE_MODULE_AUX => {
                let id = r.len()?;
                return Err(RdbError::new(format!(
                    "The RDB file contains AUX module data I can't load: no matching module '{}'",
                    decode::module_name(id)
                )));
            }
            OPCODE_FUNCTION2 => {
                let code = r.string().map_err(|_| {
                    RdbError::new("Failed loading library, Failed loading library payload")
                })?;
                info.functions.push(Bytes::from(code));
            }
            OPCODE_FUNCTION => info.functions.push(Bytes::from(read_old_function(&mut r)?)),
            _ => {
                let key = Bytes::from(r.string()?);
                match decode::read_value(&mut r, t, opts)? {
                    Some(value) => on_key(LoadedKey {
                        db,
                        key,
                        value,
                        expire_ms: expire,
                        idle_s,
                        freq,
                    }),
                    None => info.empty_keys_skipped += 1,
                }
                expire = None;
                (idle_s, freq) = (None, None);
            }
        }
    }
    if version >= 5 {
        let expected = crc64(0, r.consumed());
        let stored = r.u64_le()?;
        if opts.verify_checksum && stored != 0 && stored != expected {
            return Err(RdbError::new(format!(
                "Wrong RDB checksum expected: ({expected:x}) but got ({stored:x}). Aborting now."
            )));
        }
    }
    info.consumed = r.pos;
    Ok(info)
}

/// RDB_OPCODE_FUNCTION (7.0 rc1/rc2): name, engine, optional description, code, turned
/// into the shebang form rdbFunctionLoad builds.
fn read_old_function(r: &mut Reader<'_>) -> Result<Vec<u8>, RdbError> {
    let fail = |what: &str| RdbError::new(format!("Failed loading library, {what}"));
    let name = r
        .string()
        .map_err(|_| fail("Failed loading library name"))?;
    let engine = r.string().map_err(|_| fail("Failed loading engine name"))?;
    let has_desc = r
        .len()
        .map_err(|_| fail("Failed loading library description indicator"))?;
    if has_desc != 0 {
        r.string()
            .map_err(|_| fail("Failed loading library description"))?;
    }
    let blob = r
        .string()
        .map_err(|_| fail("Failed loading library blob"))?;
    let mut out = b"#!".to_vec();
    out.extend_from_slice(&engine);
    out.extend_from_slice(b" name=");
    out.extend_from_slice(&name);
    out.push(b'\n');
    out.extend_from_slice(&blob);
    Ok(out)
}

/// DUMP's payload: the value's RDB encoding, then the RDB version (2 bytes LE) and a
/// CRC64 of everything before it (8 bytes LE). Compressed, as with Redis's default
/// `rdbcompression yes`.
pub fn dump_payload(value: &Value) -> Vec<u8> {
    dump_payload_with(value, true)
}

/// createDumpPayload with `rdbcompression` given.
pub fn dump_payload_with(value: &Value, compression: bool) -> Vec<u8> {
    let mut out = vec![encode::value_type(value)];
    encode::write_value(&mut out, value, compression).expect("writing to a Vec cannot fail");
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// RESTORE's check and decode of a DUMP payload, with Redis's default thresholds (see
/// [`restore_payload_with`]).
pub fn restore_payload(payload: &[u8]) -> Result<Value, RdbError> {
    restore_payload_with(payload, &LoadOptions::default())
}

/// The error RESTORE replies for a payload whose footer does not check.
pub const ERR_PAYLOAD_FOOTER: &str = "DUMP payload version or checksum are wrong";
/// The error RESTORE replies for a payload whose value does not decode.
pub const ERR_BAD_FORMAT: &str = "Bad data format";

/// verifyDumpPayload, then rdbLoadObjectType + rdbLoadObject. Bytes between the value
/// and the footer are ignored, as Redis ignores them. An empty aggregate is a bad format.
pub fn restore_payload_with(payload: &[u8], opts: &LoadOptions) -> Result<Value, RdbError> {
    if payload.len() < 10 {
        return Err(RdbError::new(ERR_PAYLOAD_FOOTER));
    }
    let footer = &payload[payload.len() - 10..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let crc = u64::from_le_bytes(footer[2..].try_into().expect("8"));
    if version > RDB_VERSION || crc64(0, &payload[..payload.len() - 8]) != crc {
        return Err(RdbError::new(ERR_PAYLOAD_FOOTER));
    }
    let bad = |_| RdbError::new(ERR_BAD_FORMAT);
    // Redis reads the value out of the whole payload: a value may run into the footer.
    let mut r = Reader::new(payload);
    let t = r.u8().map_err(bad)?;
    if !decode::is_object_type(t) {
        return Err(RdbError::new(ERR_BAD_FORMAT));
    }
    match decode::read_value(&mut r, t, opts).map_err(bad)? {
        Some(v) => Ok(v),
        None => Err(RdbError::new(ERR_BAD_FORMAT)),
    }
}

#[cfg(test)]
mod tests;
