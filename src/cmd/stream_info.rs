//! XINFO STREAM [FULL [COUNT]], GROUPS, CONSUMERS, HELP (t_stream.c's xinfoCommand).

use super::args::arg_i64;
use super::args::is;
use super::reply::help_reply;
use super::stream_common::*;
use super::table::*;
use super::Ctx;
use crate::db::stream::group::INVALID_ENTRIES_READ;
use crate::db::stream::{ConsumerGroup, Stream, StreamId};
use crate::resp::Reply;
use crate::util::c_str;
use bytes::Bytes;

fn subcommand_syntax_error(argv: &[Bytes]) -> Reply {
    Reply::error_bytes(
        [
            b"ERR unknown subcommand or wrong number of arguments for '".as_slice(),
            crate::util::printf_s(&argv[1], 128),
            b"'. Try XINFO HELP.",
        ]
        .concat(),
    )
}

fn b(s: &'static str) -> Reply {
    Reply::Bulk(Bytes::from_static(s.as_bytes()))
}

/// The nodes of Redis's rax holding keys `keys` (all the same length, sorted, distinct),
/// as a radix tree with compressed single-child chains builds it: what XINFO's
/// `radix-tree-nodes` reports.
pub fn rax_nodes(keys: &[[u8; 16]]) -> u64 {
    fn count(keys: &[[u8; 16]], depth: usize) -> u64 {
        if depth == 16 || keys.is_empty() {
            return 1;
        }
        // The longest common prefix from `depth` becomes one compressed node.
        let first = &keys[0];
        let last = &keys[keys.len() - 1];
        let mut lcp = depth;
        while lcp < 16 && first[lcp] == last[lcp] {
            lcp += 1;
        }
        if lcp > depth {
            return 1 + count(keys, lcp);
        }
        // A branching node, one child per distinct next byte.
        let mut total = 1;
        let mut i = 0;
        while i < keys.len() {
            let byte = keys[i][depth];
            let mut j = i;
            while j < keys.len() && keys[j][depth] == byte {
                j += 1;
            }
            total += count(&keys[i..j], depth + 1);
            i = j;
        }
        total
    }
    let depth = 0;
    count(keys, depth)
}

/// streamReplyWithCGLag.
fn lag_reply(s: &Stream, g: &ConsumerGroup) -> Reply {
    if s.entries_added == 0 {
        return Reply::Integer(0);
    }
    if g.entries_read != INVALID_ENTRIES_READ && !s.range_has_tombstones(Some(g.last_id), None) {
        return Reply::Integer((s.entries_added as i64).wrapping_sub(g.entries_read));
    }
    match s.estimate_distance(g.last_id) {
        Some(read) => Reply::Integer((s.entries_added as i64).wrapping_sub(read as i64)),
        None => Reply::Null,
    }
}

fn entries_read_reply(g: &ConsumerGroup) -> Reply {
    if g.entries_read != INVALID_ENTRIES_READ {
        Reply::Integer(g.entries_read)
    } else {
        Reply::Null
    }
}

fn stream_info(s: &Stream, argv: &[Bytes]) -> CmdResult {
    let opts = &argv[3..];
    let mut count: i64 = 10;
    let full = !opts.is_empty();
    if full {
        if opts.len() != 1 && opts.len() != 3 {
            return Err(subcommand_syntax_error(argv));
        }
        if !is(&opts[0], "full") {
            return Err(subcommand_syntax_error(argv));
        }
        if opts.len() == 3 {
            if !is(&opts[1], "count") {
                return Err(subcommand_syntax_error(argv));
            }
            count = arg_i64(&opts[2])?;
            if count < 0 {
                count = 10;
            }
        }
    }
    let keys: Vec<[u8; 16]> = s.nodes().map(|(id, _)| id.encode()).collect();
    let mut m = vec![
        (b("length"), Reply::Integer(s.length as i64)),
        (b("radix-tree-keys"), Reply::Integer(keys.len() as i64)),
        (
            b("radix-tree-nodes"),
            Reply::Integer(rax_nodes(&keys) as i64),
        ),
        (b("last-generated-id"), id_reply(s.last_id)),
        (b("max-deleted-entry-id"), id_reply(s.max_deleted_entry_id)),
        (b("entries-added"), Reply::Integer(s.entries_added as i64)),
        (b("recorded-first-entry-id"), id_reply(s.first_id)),
    ];
    if !full {
        m.push((b("groups"), Reply::Integer(s.groups.len() as i64)));
        let edge = |rev| {
            s.range(StreamId::MIN, StreamId::MAX, rev, 1)
                .pop()
                .map_or(Reply::Null, entry_reply)
        };
        m.push((b("first-entry"), edge(false)));
        m.push((b("last-entry"), edge(true)));
        return Ok(Reply::Map(m));
    }
    let limit = if count == 0 {
        usize::MAX
    } else {
        count as usize
    };
    let entries = s.range(StreamId::MIN, StreamId::MAX, false, count as usize);
    m.push((
        b("entries"),
        Reply::Array(entries.into_iter().map(entry_reply).collect()),
    ));
    let groups = s
        .groups
        .iter()
        .map(|(name, g)| {
            let pending = g
                .pel
                .iter()
                .take(limit)
                .map(|(id, n)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::Bulk(n.consumer.clone()),
                        Reply::Integer(n.delivery_time),
                        Reply::Integer(n.delivery_count as i64),
                    ])
                })
                .collect();
            let consumers = g
                .consumers
                .iter()
                .map(|(cname, c)| {
                    let cpel = c
                        .pel
                        .iter()
                        .take(limit)
                        .map(|id| {
                            let n = &g.pel[id];
                            Reply::Array(vec![
                                id_reply(*id),
                                Reply::Integer(n.delivery_time),
                                Reply::Integer(n.delivery_count as i64),
                            ])
                        })
                        .collect();
                    Reply::Map(vec![
                        (b("name"), Reply::Bulk(cname.clone())),
                        (b("seen-time"), Reply::Integer(c.seen_time)),
                        (b("pel-count"), Reply::Integer(c.pel.len() as i64)),
                        (b("pending"), Reply::Array(cpel)),
                    ])
                })
                .collect();
            Reply::Map(vec![
                (b("name"), Reply::Bulk(name.clone())),
                (b("last-delivered-id"), id_reply(g.last_id)),
                (b("entries-read"), entries_read_reply(g)),
                (b("lag"), lag_reply(s, g)),
                (b("pel-count"), Reply::Integer(g.pel.len() as i64)),
                (b("pending"), Reply::Array(pending)),
                (b("consumers"), Reply::Array(consumers)),
            ])
        })
        .collect();
    m.push((b("groups"), Reply::Array(groups)));
    Ok(Reply::Map(m))
}

fn xinfo_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if is(&argv[1], "help") {
        if argv.len() != 2 {
            return Err(subcommand_syntax_error(argv));
        }
        return Ok(help_reply("XINFO", XINFO_HELP));
    }
    if argv.len() < 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let now = ctx.now_ms() as i64;
    let Some(s) = stream_ref(ctx, &argv[2])? else {
        return Err(Reply::err("ERR no such key"));
    };
    let opt = &argv[1];
    if is(opt, "consumers") && argv.len() == 4 {
        let Some(g) = s.groups.get(&argv[3]) else {
            return Err(Reply::error_bytes(
                [
                    b"NOGROUP No such consumer group '".as_slice(),
                    c_str(&argv[3]),
                    b"' for key name '",
                    c_str(&argv[2]),
                    b"'",
                ]
                .concat(),
            ));
        };
        let out = g
            .consumers
            .iter()
            .map(|(name, c)| {
                Reply::Map(vec![
                    (b("name"), Reply::Bulk(name.clone())),
                    (b("pending"), Reply::Integer(c.pel.len() as i64)),
                    (
                        b("idle"),
                        Reply::Integer(now.wrapping_sub(c.seen_time).max(0)),
                    ),
                ])
            })
            .collect();
        return Ok(Reply::Array(out));
    }
    if is(opt, "groups") && argv.len() == 3 {
        let out = s
            .groups
            .iter()
            .map(|(name, g)| {
                Reply::Map(vec![
                    (b("name"), Reply::Bulk(name.clone())),
                    (b("consumers"), Reply::Integer(g.consumers.len() as i64)),
                    (b("pending"), Reply::Integer(g.pel.len() as i64)),
                    (b("last-delivered-id"), id_reply(g.last_id)),
                    (b("entries-read"), entries_read_reply(g)),
                    (b("lag"), lag_reply(s, g)),
                ])
            })
            .collect();
        return Ok(Reply::Array(out));
    }
    if is(opt, "stream") {
        return stream_info(s, argv);
    }
    Err(subcommand_syntax_error(argv))
}

const XINFO_HELP: &[&str] = &[
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
];

#[rustfmt::skip]
pub const XINFO_SUBCOMMANDS: &[Command] = &[
    cmd("xinfo|consumers", 4, READONLY, Group::Stream, xinfo_cmd).keys(&[key(2, RO | ACCESS)]).tips(&["nondeterministic_output"])
        .doc("5.0.0", "List the consumers in a consumer group", "O(1)"),
    cmd("xinfo|groups", 3, READONLY, Group::Stream, xinfo_cmd).keys(&[key(2, RO | ACCESS)])
        .doc("5.0.0", "List the consumer groups of a stream", "O(1)")
        .history(&[("7.0.0", "Added the `entries-read` and `lag` fields")]),
    cmd("xinfo|help", 2, LOADING | STALE, Group::Stream, xinfo_cmd)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("xinfo|stream", -3, READONLY, Group::Stream, xinfo_cmd).keys(&[key(2, RO | ACCESS)])
        .doc("5.0.0", "Get information about a stream", "O(1)")
        .history(&[("6.0.0", "Added the `FULL` modifier."), ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields")]),
];

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("xinfo", -2, 0, Group::Stream, container).subcommands(XINFO_SUBCOMMANDS)
        .doc("5.0.0", "A container for stream introspection commands", "Depends on subcommand."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rax_node_counts() {
        let k = |ms: u64, seq: u64| StreamId::new(ms, seq).encode();
        assert_eq!(rax_nodes(&[]), 1);
        assert_eq!(rax_nodes(&[k(1, 0)]), 2);
        // Shared 15-byte prefix, a branch, two leaves.
        assert_eq!(rax_nodes(&[k(1, 0), k(1, 1)]), 4);
    }
}
