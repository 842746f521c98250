//! BITOP AND|OR|XOR|NOT destkey srckey...: missing keys are empty strings (zeros), the
//! result is as long as the longest source; an empty result deletes the destination.

use super::read_bits;
use crate::cmd::args::{is, syntax_error};
use crate::cmd::notify::{self, notify};
use crate::cmd::table::CmdResult;
use crate::cmd::Ctx;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use crate::util::c_str;
use bytes::Bytes;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Xor,
    Not,
}

pub(super) fn bitop_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let name = c_str(&argv[1]);
    let op = if is(name, "and") {
        Op::And
    } else if is(name, "or") {
        Op::Or
    } else if is(name, "xor") {
        Op::Xor
    } else if is(name, "not") {
        Op::Not
    } else {
        return Err(syntax_error());
    };
    if op == Op::Not && argv.len() != 4 {
        return Err(Reply::err(
            "ERR BITOP NOT must be called with a single source key.",
        ));
    }
    // Every source is looked up (and counted as a hit or miss) in order; the first that
    // is not a string stops the command.
    let mut sources = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        sources.push(read_bits(ctx, key)?.unwrap_or_default());
    }
    let maxlen = sources.iter().map(Bytes::len).max().unwrap_or(0);
    let dest = &argv[2];
    if maxlen > 0 {
        let byte_at = |s: &Bytes, j: usize| s.get(j).copied().unwrap_or(0);
        let res: Vec<u8> = (0..maxlen)
            .map(|j| {
                let first = byte_at(&sources[0], j);
                let rest = sources[1..].iter().map(|s| byte_at(s, j));
                match op {
                    Op::Not => !first,
                    Op::And => rest.fold(first, |acc, b| acc & b),
                    Op::Or => rest.fold(first, |acc, b| acc | b),
                    Op::Xor => rest.fold(first, |acc, b| acc ^ b),
                }
            })
            .collect();
        // setKey looks the destination up for writing first (lazy expiry), then stores
        // createObject(OBJ_STRING, res): raw whatever its length, without a TTL.
        let now = ctx.now_ms();
        ctx.keyspace.exists(ctx.session.db, dest, now);
        ctx.keyspace.set(
            ctx.session.db,
            dest.clone(),
            Value::str_raw(Bytes::from(res)),
            Ttl::Clear,
        );
        notify(ctx, notify::STRING, "set", dest);
        ctx.add_dirty(1);
    } else if ctx.keyspace.remove(ctx.session.db, dest).is_some() {
        notify(ctx, notify::GENERIC, "del", dest);
        ctx.add_dirty(1);
    }
    Ok(Reply::Integer(maxlen as i64))
}
