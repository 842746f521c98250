//! BITFIELD and BITFIELD_RO (bitfieldGeneric): every operation is parsed (and every
//! error found) before the key is touched; then the key is looked up once — for reading
//! when there are only GETs, else created or grown up to the farthest bit written — and
//! the operations run in order, each with the OVERFLOW mode in force where it appeared.

use super::{bit_offset, edit_bits, read_bits};
use crate::cmd::args::{arg_i64, is, syntax_error};
use crate::cmd::notify::{self, notify};
use crate::cmd::table::CmdResult;
use crate::cmd::Ctx;
use crate::resp::Reply;
use crate::util::bitops::{
    get_signed, get_unsigned, set_unsigned, signed_overflow, unsigned_overflow, Overflow,
};
use crate::util::c_str;
use crate::util::int::string2ll;
use bytes::Bytes;

const ERR_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Get,
    Set,
    IncrBy,
}

#[derive(Clone, Copy)]
struct Op {
    kind: Kind,
    offset: u64,
    /// SET's value or INCRBY's increment.
    value: i64,
    overflow: Overflow,
    bits: u32,
    signed: bool,
}

/// getBitfieldTypeFromArgument: `i1`..`i64` or `u1`..`u63` (read as a C string).
fn field_type(arg: &[u8]) -> Result<(bool, u32), Reply> {
    let arg = c_str(arg);
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(Reply::err(ERR_TYPE)),
    };
    match string2ll(&arg[1..]) {
        Some(bits) if bits >= 1 && bits <= if signed { 64 } else { 63 } => {
            Ok((signed, bits as u32))
        }
        _ => Err(Reply::err(ERR_TYPE)),
    }
}

/// The operations, and the farthest bit a SET or INCRBY reaches (None: only GETs).
fn parse(ctx: &Ctx<'_>, argv: &[Bytes]) -> Result<(Vec<Op>, Option<u64>), Reply> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut highest_write: Option<u64> = None;
    let mut j = 2;
    while j < argv.len() {
        let remaining = argv.len() - j - 1;
        let sub = c_str(&argv[j]);
        let kind = if is(sub, "get") && remaining >= 2 {
            Kind::Get
        } else if is(sub, "set") && remaining >= 3 {
            Kind::Set
        } else if is(sub, "incrby") && remaining >= 3 {
            Kind::IncrBy
        } else if is(sub, "overflow") && remaining >= 1 {
            let mode = c_str(&argv[j + 1]);
            overflow = if is(mode, "wrap") {
                Overflow::Wrap
            } else if is(mode, "sat") {
                Overflow::Sat
            } else if is(mode, "fail") {
                Overflow::Fail
            } else {
                return Err(Reply::err("ERR Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(syntax_error());
        };
        let (signed, bits) = field_type(&argv[j + 1])?;
        let offset = bit_offset(ctx, &argv[j + 2], bits)?;
        let mut value = 0;
        if kind != Kind::Get {
            let last = offset + u64::from(bits) - 1;
            highest_write = Some(highest_write.map_or(last, |h| h.max(last)));
            value = arg_i64(&argv[j + 3])?;
        }
        ops.push(Op {
            kind,
            offset,
            value,
            overflow,
            bits,
            signed,
        });
        j += if kind == Kind::Get { 3 } else { 4 };
    }
    Ok((ops, highest_write))
}

/// A GET: up to 9 bytes copied from the field's first byte, zero beyond the string.
fn get_field(src: &[u8], op: &Op) -> i64 {
    let byte = op.offset >> 3;
    let mut buf = [0u8; 9];
    if let Some(rest) = usize::try_from(byte).ok().and_then(|b| src.get(b..)) {
        let n = rest.len().min(9);
        buf[..n].copy_from_slice(&rest[..n]);
    }
    let offset = op.offset - byte * 8;
    if op.signed {
        get_signed(&buf, offset, op.bits)
    } else {
        get_unsigned(&buf, offset, op.bits) as i64
    }
}

/// A SET or INCRBY on the (grown) string: its reply, and whether it changed anything
/// (or the string was created or grown: `dirty`).
fn write_field(bytes: &mut [u8], op: &Op, dirty: bool) -> (Reply, bool) {
    let (overflowed, old, new, ret) = if op.signed {
        let old = get_signed(bytes, op.offset, op.bits);
        let (over, new, ret) = match op.kind {
            Kind::IncrBy => {
                let over = signed_overflow(old, op.value, op.bits, op.overflow);
                let new = over.unwrap_or(old.wrapping_add(op.value));
                (over.is_some(), new, new)
            }
            _ => {
                let over = signed_overflow(op.value, 0, op.bits, op.overflow);
                (over.is_some(), over.unwrap_or(op.value), old)
            }
        };
        (over, old as u64, new as u64, ret)
    } else {
        let old = get_unsigned(bytes, op.offset, op.bits);
        let (over, new, ret) = match op.kind {
            Kind::IncrBy => {
                let over = unsigned_overflow(old, op.value, op.bits, op.overflow);
                let new = over.unwrap_or(old.wrapping_add(op.value as u64));
                (over.is_some(), new, new)
            }
            _ => {
                let over = unsigned_overflow(op.value as u64, 0, op.bits, op.overflow);
                (over.is_some(), over.unwrap_or(op.value as u64), old)
            }
        };
        (over, old, new, ret as i64)
    };
    if overflowed && op.overflow == Overflow::Fail {
        return (Reply::Null, false);
    }
    set_unsigned(bytes, op.offset, op.bits, new);
    (Reply::Integer(ret), dirty || old != new)
}

fn bitfield_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], read_only_cmd: bool) -> CmdResult {
    let (ops, highest_write) = parse(ctx, argv)?;
    let key = &argv[1];
    let Some(highest) = highest_write else {
        let src = read_bits(ctx, key)?.unwrap_or_default();
        return Ok(Reply::Array(
            ops.iter()
                .map(|op| Reply::Integer(get_field(&src, op)))
                .collect(),
        ));
    };
    if read_only_cmd {
        return Err(Reply::err(
            "ERR BITFIELD_RO only supports the GET subcommand",
        ));
    }
    let (replies, changes) = edit_bits(ctx, key, highest, |bytes, dirty| {
        let mut changes: u64 = 0;
        let replies: Vec<Reply> = ops
            .iter()
            .map(|op| {
                if op.kind == Kind::Get {
                    return Reply::Integer(get_field(bytes, op));
                }
                let (reply, changed) = write_field(bytes, op, dirty);
                changes += u64::from(changed);
                reply
            })
            .collect();
        (replies, changes)
    })?;
    if changes > 0 {
        ctx.modified(key, changes);
        notify(ctx, notify::STRING, "setbit", key);
    }
    Ok(Reply::Array(replies))
}

pub(super) fn bitfield_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, argv, false)
}

pub(super) fn bitfield_ro_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, argv, true)
}
