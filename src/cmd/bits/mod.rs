//! Bitmap commands (bitops.c): SETBIT and GETBIT here, BITCOUNT and BITPOS in `count`,
//! BITOP in `bitop`, BITFIELD and BITFIELD_RO in `bitfield`. They work on string values
//! (an integer-encoded string is read as its decimal text) and write them in place
//! through [`crate::db::value::StrValue::edit_raw`], which leaves them raw as Redis's
//! `dbUnshareStringValue` does. The bit arithmetic itself is `util::bitops`.

mod bitfield;
mod bitop;
mod count;

use super::args::wrongtype;
use super::notify::{self, notify};
use super::table::*;
use super::Ctx;
use crate::db::Value;
use crate::resp::Reply;
use crate::util::int::string2ll;
use bytes::Bytes;

const ERR_BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";
const ERR_BIT_VALUE: &str = "ERR bit is not an integer or out of range";

/// getBitOffsetFromArgument: a bit offset whose byte fits proto-max-bulk-len (the limit
/// is not applied while loading, Redis's mustObeyClient). With `hash_bits` > 0 (BITFIELD)
/// `#N` means N fields of that width.
fn bit_offset(ctx: &Ctx<'_>, arg: &[u8], hash_bits: u32) -> Result<u64, Reply> {
    let err = || Reply::err(ERR_BIT_OFFSET);
    let use_hash = hash_bits > 0 && arg.first() == Some(&b'#');
    let digits = if use_hash { &arg[1..] } else { arg };
    let mut offset = string2ll(digits).ok_or_else(err)?;
    if use_hash {
        // Redis multiplies in a long long; what it overflows to is then range-checked.
        offset = offset.wrapping_mul(i64::from(hash_bits));
    }
    if offset < 0
        || (!ctx.keyspace.is_loading()
            && (offset >> 3) as u64 >= ctx.server.config.proto_max_bulk_len)
    {
        return Err(err());
    }
    Ok(offset as u64)
}

/// lookupKeyRead for a bit command: the string's bytes (an integer as its text), None
/// when missing, WRONGTYPE for another type.
fn read_bits(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let now = ctx.now_ms();
    match ctx.keyspace.lookup_read(ctx.session.db, key, now) {
        None => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(wrongtype),
    }
}

/// lookupStringForBitCommand + the edit: the string at `key`, created (zeros) when
/// missing or zero-padded so that bit `max_bit` exists, is handed to `edit` with whether
/// it was created or grew (Redis's `dirty`). WRONGTYPE before anything changes.
fn edit_bits<R>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    max_bit: u64,
    edit: impl FnOnce(&mut [u8], bool) -> R,
) -> Result<R, Reply> {
    // The offset was checked against proto-max-bulk-len (an usize), so this fits.
    let len = usize::try_from(max_bit >> 3).map_err(|_| Reply::err(ERR_BIT_OFFSET))? + 1;
    let now = ctx.now_ms();
    let db = ctx.session.db;
    match ctx.keyspace.lookup_write(db, key, now) {
        Some(Value::Str(s)) => {
            let grew = s.len() < len;
            Ok(s.edit_raw(len, |bytes| edit(bytes, grew)))
        }
        Some(_) => Err(wrongtype()),
        None => {
            let mut bytes = vec![0u8; len];
            let out = edit(&mut bytes, true);
            ctx.keyspace
                .add(db, key, Value::str_raw(Bytes::from(bytes)));
            Ok(out)
        }
    }
}

fn setbit_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &argv[2], 0)?;
    let on = string2ll(&argv[3]).ok_or(Reply::err(ERR_BIT_VALUE))?;
    if on & !1 != 0 {
        return Err(Reply::err(ERR_BIT_VALUE));
    }
    let byte = (offset >> 3) as usize;
    let shift = 7 - (offset & 7);
    let (was, changed) = edit_bits(ctx, &argv[1], offset, |bytes, dirty| {
        let was = (bytes[byte] >> shift) & 1;
        let changed = dirty || i64::from(was) != on;
        if changed {
            bytes[byte] = (bytes[byte] & !(1 << shift)) | ((on as u8) << shift);
        }
        (was, changed)
    })?;
    if changed {
        ctx.modified(&argv[1], 1);
        notify(ctx, notify::STRING, "setbit", &argv[1]);
    }
    Ok(Reply::Integer(i64::from(was)))
}

fn getbit_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &argv[2], 0)?;
    let Some(s) = read_bits(ctx, &argv[1])? else {
        return Ok(Reply::Integer(0));
    };
    let byte = (offset >> 3) as usize;
    let bit = s.get(byte).map_or(0, |b| (b >> (7 - (offset & 7))) & 1);
    Ok(Reply::Integer(i64::from(bit)))
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("bitcount", -2, READONLY, Group::Bitmap, count::bitcount_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.6.0", "Count set bits in a string", "O(N)")
        .history(&[("7.0.0", "Added the `BYTE|BIT` option.")]),
    cmd("bitfield", -2, WRITE | DENYOOM, Group::Bitmap, bitfield::bitfield_cmd).keys(&[key(1, RW | UPDATE | ACCESS | VARIABLE_FLAGS).notes("This command allows both access and modification of the key")]).getkeys(GetKeys::Bitfield)
        .doc("3.2.0", "Perform arbitrary bitfield integer operations on strings", "O(1) for each subcommand specified"),
    cmd("bitfield_ro", -2, READONLY | FAST, Group::Bitmap, bitfield::bitfield_ro_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("6.0.0", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", "O(1) for each subcommand specified"),
    cmd("bitop", -4, WRITE | DENYOOM, Group::Bitmap, bitop::bitop_cmd).keys(&[key(2, OW | UPDATE), range(3, -1, 1, RO | ACCESS)])
        .doc("2.6.0", "Perform bitwise operations between strings", "O(N)"),
    cmd("bitpos", -3, READONLY, Group::Bitmap, count::bitpos_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.8.7", "Find first bit set or clear in a string", "O(N)")
        .history(&[("7.0.0", "Added the `BYTE|BIT` option.")]),
    cmd("getbit", 3, READONLY | FAST, Group::Bitmap, getbit_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("2.2.0", "Returns the bit value at offset in the string value stored at key", "O(1)"),
    cmd("setbit", 4, WRITE | DENYOOM, Group::Bitmap, setbit_cmd).keys(&[key(1, RW | ACCESS | UPDATE)])
        .doc("2.2.0", "Sets or clears the bit at offset in the string value stored at key", "O(1)"),
];

#[cfg(test)]
mod tests;
