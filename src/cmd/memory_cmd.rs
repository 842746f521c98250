//! MEMORY USAGE and MEMORY HELP (object.c's memoryCommand). USAGE reports seedis's own
//! bytes for a key (its entry, its name and its value, big collections sampled as Redis
//! samples them), so `redis-cli --memkeys` and operators see what the key costs here.
//!
//! DOCTOR, STATS, PURGE and MALLOC-STATS are not here yet: their reports are built on
//! the process's RSS and the allocator's fragmentation figures, which seedis does not
//! read yet (INFO memory lacks them too, issue #14).

use super::args::is;
use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use crate::util::int::string2ll;
use bytes::Bytes;

/// OBJ_COMPUTE_SIZE_DEF_SAMPLES.
const DEFAULT_SAMPLES: usize = 5;

const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
];

fn memory_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(
        HELP.iter().map(|l| Reply::simple(l)).collect(),
    ))
}

/// MEMORY USAGE key [SAMPLES count]: options parsed before the key is looked up, as Redis
/// does, so a bad option is an error even for a missing key.
fn memory_usage(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut samples = DEFAULT_SAMPLES;
    let mut j = 3;
    while j < argv.len() {
        if is(&argv[j], "samples") && j + 1 < argv.len() {
            let Some(n) = string2ll(&argv[j + 1]) else {
                return Err(Reply::err("ERR value is not an integer or out of range"));
            };
            samples = match n {
                n if n < 0 => return Err(Reply::err("ERR syntax error")),
                0 => usize::MAX,
                n => usize::try_from(n).unwrap_or(usize::MAX),
            };
            j += 2;
        } else {
            return Err(Reply::err("ERR syntax error"));
        }
    }
    match ctx
        .keyspace
        .key_memory_usage(ctx.session.db, &argv[2], samples)
    {
        Some(bytes) => Ok(Reply::Integer(i64::try_from(bytes).unwrap_or(i64::MAX))),
        None => Ok(Reply::Null),
    }
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("memory", -2, 0, Group::Server, container).subcommands(MEMORY_SUBCOMMANDS)
        .doc("4.0.0", "A container for memory diagnostics commands", "Depends on subcommand."),
];

/// MEMORY's subcommands, sorted by name.
#[rustfmt::skip]
pub const MEMORY_SUBCOMMANDS: &[Command] = &[
    cmd("memory|help", 2, LOADING | STALE, Group::Server, memory_help)
        .doc("4.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("memory|usage", -3, READONLY, Group::Server, memory_usage).keys(&[key(2, RO)])
        .doc("4.0.0", "Estimate the memory usage of a key", "O(N) where N is the number of samples."),
];

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{e, Harness};
    use crate::resp::Reply;

    fn usage(h: &mut Harness, line: &str) -> i64 {
        match h.run(line) {
            Reply::Integer(n) => n,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn usage_grows_with_the_value_and_samples_big_collections() {
        let mut h = Harness::new();
        assert_eq!(h.run("MEMORY USAGE nokey"), Reply::Null);
        assert_eq!(
            h.run("MEMORY USAGE nokey SAMPLES x"),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(
            h.run("MEMORY USAGE nokey SAMPLES -1"),
            e("ERR syntax error")
        );
        assert_eq!(h.run("MEMORY USAGE nokey FOO"), e("ERR syntax error"));
        assert_eq!(h.run("MEMORY USAGE nokey SAMPLES"), e("ERR syntax error"));
        h.run("SET small 1");
        h.run(&format!("SET big {}", "x".repeat(10_000)));
        let small = usage(&mut h, "MEMORY USAGE small");
        let big = usage(&mut h, "MEMORY USAGE big");
        assert!(small > 0 && big > small + 10_000, "{small} {big}");
        for i in 0..1000 {
            h.run(&format!(
                "HSET h field{i} {}",
                if i < 5 { "v" } else { "a-much-longer-value" }
            ));
        }
        // The first five sampled entries are not the ones with short values in general, but
        // sampling all of them must count every entry.
        let all = usage(&mut h, "MEMORY USAGE h SAMPLES 0");
        assert!(all > 1000 * 48, "{all}");
        let sampled = usage(&mut h, "MEMORY USAGE h");
        assert!(sampled > 1000 * 40, "{sampled}");
    }
}
