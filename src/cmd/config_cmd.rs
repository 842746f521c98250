//! CONFIG GET, SET, RESETSTAT, REWRITE and HELP (config.c). The subcommand table is
//! `server_cmds::CONFIG_SUBCOMMANDS`; the parameters themselves live in [`Config`].

use super::reply::help_reply;
use super::table::*;
use super::Ctx;
use crate::config::{Config, ConfigError};
use crate::resp::Reply;
use crate::util::c_str;
use crate::util::glob::stringmatchlen;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("config", -2, 0, Group::Server, container).subcommands(CONFIG_SUBCOMMANDS)
        .doc("2.0.0", "A container for server configuration commands", "Depends on subcommand."),
];

/// CONFIG's subcommands, sorted by name.
#[rustfmt::skip]
pub const CONFIG_SUBCOMMANDS: &[Command] = &[
    cmd("config|get", -3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_get)
        .doc("2.0.0", "Get the values of configuration parameters", "O(N) when N is the number of configuration parameters provided")
        .history(&[("7.0.0", "Added the ability to pass multiple pattern parameters in one call")]),
    cmd("config|help", 2, LOADING | STALE, Group::Server, config_help)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("config|resetstat", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_resetstat)
        .doc("2.0.0", "Reset the stats returned by INFO", "O(1)"),
    cmd("config|rewrite", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_rewrite)
        .doc("2.8.0", "Rewrite the configuration file with the in memory configuration", "O(1)"),
    cmd("config|set", -4, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, config_set).tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .doc("2.0.0", "Set configuration parameters to the given values", "O(N) when N is the number of configuration parameters provided")
        .history(&[("7.0.0", "Added the ability to set multiple parameters in one call.")]),
];

pub fn config_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}

/// CONFIG GET pattern [pattern ...]: a name without glob characters is looked up
/// directly and echoed as given; a glob matches names and aliases case-insensitively.
/// Each name appears once (Redis collects them in a case-insensitive dictionary).
pub fn config_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut seen: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    let mut add = |name: String, value: String, pairs: &mut Vec<(Reply, Reply)>| {
        let lower = name.to_ascii_lowercase();
        if !seen.contains(&lower) {
            seen.push(lower);
            pairs.push((Reply::bulk(name), Reply::bulk(value)));
        }
    };
    for pattern in argv.get(2..).unwrap_or_default() {
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            let Ok(name) = std::str::from_utf8(pattern) else {
                continue;
            };
            if let Some(value) = ctx.server.config.get(name) {
                add(name.to_string(), value, &mut pairs);
            }
            continue;
        }
        for name in Config::names_and_aliases() {
            if stringmatchlen(pattern, name.as_bytes(), true) {
                if let Some(value) = ctx.server.config.get(name) {
                    add(name.to_string(), value, &mut pairs);
                }
            }
        }
    }
    Ok(Reply::Map(pairs))
}

/// CONFIG SET name value [name value ...], Redis 7.0 semantics: every name is checked
/// (unknown, immutable, duplicate) before any value is applied, and the values are
/// applied all or nothing.
pub fn config_set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if !argv.len().saturating_sub(2).is_multiple_of(2) {
        return Err(Reply::err("ERR syntax error"));
    }
    let mut seen: Vec<&'static str> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in argv.get(2..).unwrap_or_default().chunks_exact(2) {
        let name = String::from_utf8_lossy(&pair[0]).into_owned();
        let value = String::from_utf8_lossy(&pair[1]).into_owned();
        let Some((canonical, mutable)) = Config::lookup(&name) else {
            return Err(Reply::error_bytes(
                [
                    b"ERR Unknown option or number of arguments for CONFIG SET - '",
                    c_str(&pair[0]),
                    b"'",
                ]
                .concat(),
            ));
        };
        if !mutable {
            return Err(set_failed(&name, "can't set immutable config"));
        }
        if is_protected(canonical) && !protected_allowed(ctx) {
            return Err(set_failed(&name, "can't set protected config"));
        }
        if seen.contains(&canonical) {
            return Err(set_failed(&name, "duplicate parameter"));
        }
        seen.push(canonical);
        pairs.push((name, value));
    }
    let mut updated = ctx.server.config.clone();
    for (name, value) in &pairs {
        match updated.set(name, value) {
            Ok(()) => {}
            Err(ConfigError::Invalid(why)) => return Err(set_failed(name, &why)),
            Err(ConfigError::Immutable) => {
                return Err(set_failed(name, "can't set immutable config"))
            }
            Err(ConfigError::Unknown) => {
                return Err(Reply::error(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                )))
            }
        }
    }
    // `setConfigDirOption` chdirs: the one setting that changes the process. It goes last,
    // once every other value parsed, so a refused CONFIG SET leaves the directory alone.
    // Through the storage, which resolves every relative path (dump.rdb) against it.
    if let Some((name, value)) = pairs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("dir"))
    {
        match ctx.storage.set_working_dir(value) {
            Ok(absolute) => updated.dir = absolute,
            Err(e) => return Err(set_failed(name, &crate::persist::snapshot::os_reason(&e))),
        }
    }
    let old_appendonly = ctx.server.config.appendonly;
    ctx.server.config = updated;
    if seen.contains(&"appendonly") && ctx.server.config.appendonly != old_appendonly {
        // updateAppendonly: starting the AOF may fail, and then the old value stays.
        if let Err(why) = super::aof::apply_appendonly(ctx) {
            ctx.server.config.appendonly = old_appendonly;
            return Err(set_failed("appendonly", why));
        }
    }
    if seen.contains(&"requirepass") {
        // updateRequirePass: requirepass is the default user's password.
        let password = ctx.server.config.requirepass.clone();
        ctx.server.acl.set_requirepass(password.as_bytes());
    }
    Ok(Reply::OK)
}

fn is_protected(name: &str) -> bool {
    crate::config::lookup_param(name)
        .is_some_and(|(_, p)| p.flags & crate::config::params::PROTECTED != 0)
}

/// `allowProtectedAction`: `enable-protected-configs yes`, or `local` and the client
/// connected over the loopback interface.
fn protected_allowed(ctx: &Ctx<'_>) -> bool {
    match ctx.server.config.get("enable-protected-configs").as_deref() {
        Some("yes") => true,
        Some("local") => {
            let addr = &ctx.session.addr;
            addr.starts_with("127.0.0.1:") || addr.starts_with("[::1]:") || addr.starts_with("::1:")
        }
        _ => false,
    }
}

fn set_failed(name: &str, why: &str) -> Reply {
    let name: String = name.chars().take(128).collect();
    let text = format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");
    Reply::error(text.replace(['\r', '\n'], " "))
}

pub fn config_resetstat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.server.stats = Default::default();
    ctx.server.command_stats = Default::default();
    ctx.server.used_memory_peak = 0;
    ctx.keyspace.stats.expired_keys = 0;
    ctx.keyspace.stats.keyspace_hits = 0;
    ctx.keyspace.stats.keyspace_misses = 0;
    Ok(Reply::OK)
}

/// CONFIG REWRITE: the core cannot write files (it has no I/O), and the server is not
/// given a config file to rewrite, so this is Redis's error for that case.
pub fn config_rewrite(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.server.config_file.is_empty() {
        Err(Reply::err(
            "ERR The server is running without a config file",
        ))
    } else {
        Err(Reply::err(
            "ERR Rewriting config file: not supported by seedis",
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, text, Harness};
    use crate::resp::Reply;

    #[test]
    fn config_get_patterns_aliases_and_resp3_map() {
        let mut h = Harness::new();
        let hz = || (b("hz"), b("10"));
        assert_eq!(h.run(&["config", "get", "hz"]), Reply::Map(vec![hz()]));
        assert_eq!(
            h.run(&["config", "get", "hz", "HZ"]),
            Reply::Map(vec![hz()])
        );
        // A plain name is echoed as the user spelled it.
        assert_eq!(
            h.run(&["config", "get", "HZ"]),
            Reply::Map(vec![(b("HZ"), b("10"))])
        );
        assert_eq!(h.run(&["config", "get", "nosuch"]), Reply::Map(vec![]));
        assert_eq!(h.run(&["config", "get", "h?"]), Reply::Map(vec![hz()]));
        let Reply::Map(pairs) = h.run(&["config", "get", "*ziplist*"]) else {
            panic!()
        };
        let names: Vec<String> = pairs.iter().map(|(k, _)| text(k)).collect();
        assert_eq!(names.len(), 5);
        assert!(names.contains(&"hash-max-ziplist-entries".to_string()));
        let Reply::Map(all) = h.run(&["config", "get", "*"]) else {
            panic!()
        };
        assert!(all.len() > 20);
    }

    #[test]
    fn config_set_is_checked_then_atomic() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["config", "set", "hz", "5", "hz"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["config", "set", "foo", "1"]),
            e("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        );
        assert_eq!(h.run(&["config", "set", "hz", "abc"]), e("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"));
        assert_eq!(
            h.run(&["config", "set", "hz", "5", "HZ", "6"]),
            e("ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter")
        );
        assert_eq!(h.run(&["config", "set", "databases", "3"]), e("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"));
        // Unknown names are found before any value is tried.
        assert_eq!(
            h.run(&["config", "set", "hz", "x", "foo", "1"]),
            e("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        );
        // A bad second value leaves the first unapplied.
        assert_eq!(h.run(&["config", "set", "hz", "7", "maxclients", "0"]), e("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"));
        assert_eq!(h.server.config.hz, 10);
        assert_eq!(
            h.run(&["config", "set", "hz", "7", "maxclients", "50"]),
            Reply::OK
        );
        assert_eq!((h.server.config.hz, h.server.config.maxclients), (7, 50));
        // Redis clamps hz rather than refusing it.
        assert_eq!(h.run(&["config", "set", "hz", "600"]), Reply::OK);
        assert_eq!(h.server.config.hz, 500);
    }

    #[test]
    fn config_resetstat_rewrite_help() {
        let mut h = Harness::new();
        h.server.stats.total_commands_processed = 9;
        h.keyspace.stats.keyspace_hits = 3;
        assert_eq!(h.run(&["config", "resetstat"]), Reply::OK);
        assert_eq!(
            (
                h.server.stats.total_commands_processed,
                h.keyspace.stats.keyspace_hits
            ),
            (0, 0)
        );
        assert_eq!(
            h.run(&["config", "rewrite"]),
            e("ERR The server is running without a config file")
        );
        let Reply::Array(lines) = h.run(&["config", "help"]) else {
            panic!()
        };
        assert_eq!(
            lines[0],
            Reply::simple("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        );
        assert_eq!(lines.len(), 11);
    }
}
