//! LCS (t_string.c's lcsCommand): the longest common subsequence of two strings by the
//! textbook dynamic programme, its table bounded by proto-max-bulk-len as in Redis; the
//! reply is the subsequence, its length (LEN), or the matching ranges (IDX), walked back
//! from the end of both strings exactly as Redis walks them so ties resolve the same way.

use super::args::{arg_i64, is, syntax_error};
use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use crate::util::c_str;
use bytes::Bytes;

const ERR_NOT_STRINGS: &str = "ERR The specified keys must contain string values";

/// The string at `key` (empty when missing); `None` if the key holds another type.
fn lookup(ctx: &mut Ctx<'_>, key: &[u8]) -> Option<Bytes> {
    let now = ctx.now_ms();
    match ctx.keyspace.lookup_read(ctx.session.db, key, now) {
        None => Some(Bytes::new()),
        Some(v) => v.as_str(),
    }
}

fn lcs_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    // Both keys are looked up before either is checked.
    let a = lookup(ctx, &argv[1]);
    let b = lookup(ctx, &argv[2]);
    let (Some(a), Some(b)) = (a, b) else {
        return Err(Reply::err(ERR_NOT_STRINGS));
    };
    let (mut get_idx, mut get_len, mut with_match_len) = (false, false, false);
    let mut min_match_len: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let opt = c_str(&argv[j]);
        let more = argv.len() - 1 - j;
        if is(opt, "idx") {
            get_idx = true;
        } else if is(opt, "len") {
            get_len = true;
        } else if is(opt, "withmatchlen") {
            with_match_len = true;
        } else if is(opt, "minmatchlen") && more > 0 {
            min_match_len = arg_i64(&argv[j + 1])?.max(0);
            j += 1;
        } else {
            return Err(syntax_error());
        }
        j += 1;
    }
    if get_len && get_idx {
        return Err(Reply::err(
            "ERR If you want both the length and indexes, please just use IDX.",
        ));
    }
    if a.len() as u64 >= u64::from(u32::MAX - 1) || b.len() as u64 >= u64::from(u32::MAX - 1) {
        return Err(Reply::err("ERR String too long for LCS"));
    }
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u128 + 1) * (blen as u128 + 1);
    let failed =
        || Reply::err("ERR Insufficient memory, failed allocating transient memory for LCS");
    let bytes = cells * 4;
    if bytes > u128::from(u64::MAX) {
        return Err(failed());
    }
    if bytes > ctx.server.config.proto_max_bulk_len as u128 {
        return Err(Reply::err(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    let cells = usize::try_from(cells).map_err(|_| failed())?;
    let mut table: Vec<u32> = Vec::new();
    table.try_reserve_exact(cells).map_err(|_| failed())?;
    table.resize(cells, 0);
    let at = |i: usize, j: usize| j + i * (blen + 1);
    for i in 1..=alen {
        for j in 1..=blen {
            table[at(i, j)] = if a[i - 1] == b[j - 1] {
                table[at(i - 1, j - 1)] + 1
            } else {
                table[at(i - 1, j)].max(table[at(i, j - 1)])
            };
        }
    }
    let total = table[at(alen, blen)];
    let compute_lcs = get_idx || !get_len;
    if !compute_lcs {
        return Ok(Reply::Integer(i64::from(total)));
    }

    // Walk back from the end; `a_start == alen` means no range is open.
    let mut result = vec![0u8; total as usize];
    let mut idx = total as usize;
    let mut matches = Vec::new();
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0, 0, 0);
    let (mut i, mut j) = (alen, blen);
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            result[idx - 1] = a[i - 1];
            if a_start == alen {
                (a_start, a_end, b_start, b_end) = (i - 1, i - 1, j - 1, j - 1);
            } else if a_start == i && b_start == j {
                // Contiguous with the open range: extend it backwards.
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            j -= 1;
        } else {
            if table[at(i - 1, j)] > table[at(i, j - 1)] {
                i -= 1;
            } else {
                j -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        // Redis computes the length in uint32_t arithmetic (it wraps on a range
        // emitted right after a restart; the value is then not shown).
        let match_len = (a_end as u32).wrapping_sub(a_start as u32).wrapping_add(1);
        if emit {
            if (min_match_len == 0 || i64::from(match_len) >= min_match_len) && get_idx {
                let pair = |s: usize, e: usize| {
                    Reply::Array(vec![Reply::Integer(s as i64), Reply::Integer(e as i64)])
                };
                let mut m = vec![pair(a_start, a_end), pair(b_start, b_end)];
                if with_match_len {
                    m.push(Reply::Integer(i64::from(match_len)));
                }
                matches.push(Reply::Array(m));
            }
            a_start = alen;
        }
    }
    if get_idx {
        return Ok(Reply::Map(vec![
            (
                Reply::Bulk(Bytes::from_static(b"matches")),
                Reply::Array(matches),
            ),
            (
                Reply::Bulk(Bytes::from_static(b"len")),
                Reply::Integer(i64::from(total)),
            ),
        ]));
    }
    Ok(Reply::Bulk(Bytes::from(result)))
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("lcs", -3, READONLY, Group::String, lcs_cmd).keys(&[range(1, 1, 1, RO | ACCESS)])
        .doc("7.0.0", "Find longest common substring", "O(N*M) where N and M are the lengths of s1 and s2, respectively"),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    fn arr(v: Vec<Reply>) -> Reply {
        Reply::Array(v)
    }

    #[test]
    fn lcs_string_len_and_idx() {
        let mut h = Harness::new();
        assert_eq!(h.run("MSET a ohmytext b mynewtext"), Reply::OK);
        assert_eq!(h.run("LCS a b"), b("mytext"));
        assert_eq!(h.run("LCS a b LEN"), i(6));
        assert_eq!(
            h.run("LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN"),
            Reply::Map(vec![
                (
                    b("matches"),
                    arr(vec![arr(vec![
                        arr(vec![i(4), i(7)]),
                        arr(vec![i(5), i(8)]),
                        i(4)
                    ])])
                ),
                (b("len"), i(6)),
            ])
        );
        assert_eq!(
            h.run("LCS a b IDX"),
            Reply::Map(vec![
                (
                    b("matches"),
                    arr(vec![
                        arr(vec![arr(vec![i(4), i(7)]), arr(vec![i(5), i(8)])]),
                        arr(vec![arr(vec![i(2), i(3)]), arr(vec![i(0), i(1)])]),
                    ])
                ),
                (b("len"), i(6)),
            ])
        );
        assert_eq!(
            h.run("LCS a b LEN IDX"),
            e("ERR If you want both the length and indexes, please just use IDX.")
        );
        assert_eq!(h.run("LCS a b FOO"), e("ERR syntax error"));
        assert_eq!(h.run("LCS a b MINMATCHLEN"), e("ERR syntax error"));
        assert_eq!(
            h.run("LCS a b MINMATCHLEN x"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run("LCS a nokey"), b(""));
        assert_eq!(h.run("SET n 12345"), Reply::OK);
        assert_eq!(h.run("SET m 2x4"), Reply::OK);
        assert_eq!(h.run("LCS n m"), b("24"));
        assert_eq!(h.run("LPUSH l x"), i(1));
        assert_eq!(
            h.run("LCS a l"),
            e("ERR The specified keys must contain string values")
        );
        assert_eq!(h.run("CONFIG SET proto-max-bulk-len 1048576"), Reply::OK);
        assert_eq!(h.run("SETRANGE big 600 x"), i(601));
        assert_eq!(
            h.run("LCS big big"),
            e("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        );
    }
}
