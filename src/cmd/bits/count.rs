//! BITCOUNT and BITPOS: ranges in bytes or (7.0) bits, negative indexes from the end,
//! checked in Redis's order (the key first for BITCOUNT, the bit argument first for
//! BITPOS), so the same malformed call gets the same answer.

use super::read_bits;
use crate::cmd::args::{arg_i64, is, syntax_error};
use crate::cmd::table::CmdResult;
use crate::cmd::Ctx;
use crate::resp::Reply;
use crate::util::bitops::{bitpos, popcount};
use crate::util::c_str;
use bytes::Bytes;

/// BIT or BYTE (strcasecmp on the C string), else a syntax error.
fn is_bit_unit(arg: &[u8]) -> Result<bool, Reply> {
    let arg = c_str(arg);
    if is(arg, "bit") {
        Ok(true)
    } else if is(arg, "byte") {
        Ok(false)
    } else {
        Err(syntax_error())
    }
}

/// A range resolved to bytes, with Redis's masks for the bits of the first and last
/// byte that lie outside a BIT range.
struct ByteRange {
    start: i64,
    end: i64,
    first_neg_mask: u8,
    last_neg_mask: u8,
}

/// The index arithmetic BITCOUNT and BITPOS share: negative indexes from the end, clamped
/// to the string, and BIT ranges turned into bytes plus edge masks.
fn resolve(mut start: i64, mut end: i64, strlen: i64, is_bit: bool) -> ByteRange {
    let totlen = if is_bit { strlen << 3 } else { strlen };
    if start < 0 {
        start += totlen;
    }
    if end < 0 {
        end += totlen;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= totlen {
        end = totlen - 1;
    }
    let (mut first_neg_mask, mut last_neg_mask) = (0, 0);
    if is_bit && start <= end {
        first_neg_mask = !((1u16 << (8 - (start & 7))) - 1) as u8;
        last_neg_mask = ((1u16 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    ByteRange {
        start,
        end,
        first_neg_mask,
        last_neg_mask,
    }
}

/// BITCOUNT key [start end [BYTE|BIT]]
pub(super) fn bitcount_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(p) = read_bits(ctx, &argv[1])? else {
        return Ok(Reply::Integer(0));
    };
    let strlen = p.len() as i64;
    let r = match argv.len() {
        4 | 5 => {
            let start = arg_i64(&argv[2])?;
            let end = arg_i64(&argv[3])?;
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Integer(0));
            }
            let is_bit = match argv.get(4) {
                Some(unit) => is_bit_unit(unit)?,
                None => false,
            };
            resolve(start, end, strlen, is_bit)
        }
        2 => resolve(0, strlen - 1, strlen, false),
        _ => return Err(syntax_error()),
    };
    if r.start > r.end {
        return Ok(Reply::Integer(0));
    }
    let (start, end) = (r.start as usize, r.end as usize);
    let mut count = popcount(&p[start..=end]);
    // Bits of the edge bytes outside a BIT range were counted: take them back.
    count -= u64::from((p[start] & r.first_neg_mask).count_ones());
    count -= u64::from((p[end] & r.last_neg_mask).count_ones());
    Ok(Reply::Integer(count as i64))
}

/// BITPOS key bit [start [end [BYTE|BIT]]]
pub(super) fn bitpos_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let bit = match arg_i64(&argv[2])? {
        0 => false,
        1 => true,
        _ => return Err(Reply::err("ERR The bit argument must be 1 or 0.")),
    };
    // A missing key is an infinite run of zeros.
    let Some(p) = read_bits(ctx, &argv[1])? else {
        return Ok(Reply::Integer(if bit { -1 } else { 0 }));
    };
    let strlen = p.len() as i64;
    let mut end_given = false;
    let r = match argv.len() {
        4..=6 => {
            let start = arg_i64(&argv[3])?;
            let is_bit = match argv.get(5) {
                Some(unit) => is_bit_unit(unit)?,
                None => false,
            };
            let end = match argv.get(4) {
                Some(end) => {
                    end_given = true;
                    arg_i64(end)?
                }
                None if is_bit => (strlen << 3) + 7,
                None => strlen - 1,
            };
            resolve(start, end, strlen, is_bit)
        }
        3 => resolve(0, strlen - 1, strlen, false),
        _ => return Err(syntax_error()),
    };
    if r.start > r.end {
        return Ok(Reply::Integer(-1));
    }
    let (mut start, end) = (r.start as usize, r.end as usize);
    let mut bytes = end - start + 1;
    // Ported from bitposCommand: the edge bytes of a BIT range are searched on their own,
    // with the bits outside the range set to what is not searched for.
    let hide = |byte: u8, mask: u8| if bit { byte & !mask } else { byte | mask };
    let pos = 'search: {
        if r.first_neg_mask != 0 {
            let mut first = hide(p[start], r.first_neg_mask);
            if r.last_neg_mask != 0 && bytes == 1 {
                first = hide(first, r.last_neg_mask);
            }
            let pos = bitpos(&[first], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'search pos;
            }
            start += 1;
            bytes -= 1;
        }
        let middle = bytes - usize::from(r.last_neg_mask != 0);
        if middle > 0 {
            let pos = bitpos(&p[start..start + middle], bit);
            if bytes == middle || (pos != -1 && pos != (middle as i64) << 3) {
                break 'search pos;
            }
            start += middle;
            bytes -= middle;
        }
        bitpos(&[hide(p[end], r.last_neg_mask)], bit)
    };
    // With an explicit end, a clear bit "found" just past the range is not there.
    if end_given && !bit && pos == (bytes as i64) << 3 {
        return Ok(Reply::Integer(-1));
    }
    Ok(Reply::Integer(if pos == -1 {
        -1
    } else {
        pos + ((start as i64) << 3)
    }))
}
