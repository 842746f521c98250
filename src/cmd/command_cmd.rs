//! COMMAND and its subcommands: introspection generated from the command table.
//!
//! COUNT, LIST, INFO and DOCS render the [`Command`] entries in Redis 7.0.15's shapes;
//! GETKEYS and GETKEYSANDFLAGS find keys the way Redis's `getKeysFromCommandWithSpecs`
//! does: from the key specs, falling back to the command's native getkeys procedure when
//! a spec has variable flags or does not fit the argv. Commands and subcommands are listed
//! sorted by name (Redis lists them in its hash table's order, which varies per process).

use super::reply::help_reply;
use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("command", -1, LOADING | STALE, Group::Server, command).acl(ACL_CONNECTION).tips(&["nondeterministic_output_order"]).subcommands(COMMAND_SUBCOMMANDS)
        .doc("2.8.13", "Get array of Redis command details", "O(N) where N is the total number of Redis commands"),
];

/// COMMAND's subcommands, sorted by name.
#[rustfmt::skip]
pub const COMMAND_SUBCOMMANDS: &[Command] = &[
    cmd("command|count", 2, LOADING | STALE, Group::Server, command_count).acl(ACL_CONNECTION)
        .doc("2.8.13", "Get total number of Redis commands", "O(1)"),
    cmd("command|docs", -2, LOADING | STALE, Group::Server, command_docs).acl(ACL_CONNECTION).tips(&["nondeterministic_output_order"])
        .doc("7.0.0", "Get array of specific Redis command documentation", "O(N) where N is the number of commands to look up"),
    cmd("command|getkeys", -4, LOADING | STALE, Group::Server, command_getkeys).acl(ACL_CONNECTION)
        .doc("2.8.13", "Extract keys given a full Redis command", "O(N) where N is the number of arguments to the command"),
    cmd("command|getkeysandflags", -4, LOADING | STALE, Group::Server, command_getkeysandflags).acl(ACL_CONNECTION)
        .doc("7.0.0", "Extract keys and access flags given a full Redis command", "O(N) where N is the number of arguments to the command"),
    cmd("command|help", 2, LOADING | STALE, Group::Server, command_help).acl(ACL_CONNECTION)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("command|info", -2, LOADING | STALE, Group::Server, command_info).acl(ACL_CONNECTION).tips(&["nondeterministic_output_order"])
        .doc("2.8.13", "Get array of specific Redis command details, or all when no argument is given.", "O(N) where N is the number of commands to look up")
        .history(&[("7.0.0", "Allowed to be called with no argument to get info on all commands.")]),
    cmd("command|list", -2, LOADING | STALE, Group::Server, command_list).acl(ACL_CONNECTION).tips(&["nondeterministic_output_order"])
        .doc("7.0.0", "Get an array of Redis command names", "O(N) where N is the total number of Redis commands"),
];

/// COMMAND with no subcommand: COMMAND INFO for every command.
fn command(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 1 {
        return container(ctx, argv);
    }
    Ok(Reply::Array(all().iter().map(info_entry).collect()))
}

fn command_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    ))
}

fn command_count(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(all().len() as i64))
}

fn set_of<'a>(names: impl Iterator<Item = &'a str>, prefix: &str) -> Reply {
    Reply::Set(
        names
            .map(|n| Reply::Simple(format!("{prefix}{n}").into()))
            .collect(),
    )
}

fn key_flags(flags: u16) -> Reply {
    let names = KEY_FLAG_NAMES.iter().filter(|(bit, _)| flags & bit != 0);
    set_of(names.map(|(_, name)| *name), "")
}

fn int(n: i32) -> Reply {
    Reply::Integer(i64::from(n))
}

/// A key spec as COMMAND INFO shows it (addReplyCommandKeySpecs).
fn key_spec(spec: &KeySpec) -> Reply {
    let mut fields = Vec::with_capacity(4);
    if !spec.notes.is_empty() {
        fields.push((Reply::bulk("notes"), Reply::bulk(spec.notes)));
    }
    fields.push((Reply::bulk("flags"), key_flags(spec.flags)));
    let (kind, args) = match spec.begin {
        BeginSearch::Index(pos) => ("index", vec![(Reply::bulk("index"), int(pos))]),
        BeginSearch::Keyword { keyword, startfrom } => (
            "keyword",
            vec![
                (Reply::bulk("keyword"), Reply::bulk(keyword)),
                (Reply::bulk("startfrom"), int(startfrom)),
            ],
        ),
        BeginSearch::Unknown => ("unknown", Vec::new()),
    };
    fields.push((
        Reply::bulk("begin_search"),
        Reply::Map(vec![
            (Reply::bulk("type"), Reply::bulk(kind)),
            (Reply::bulk("spec"), Reply::Map(args)),
        ]),
    ));
    let (kind, args) = match spec.find {
        FindKeys::Range {
            lastkey,
            step,
            limit,
        } => (
            "range",
            vec![
                (Reply::bulk("lastkey"), int(lastkey)),
                (Reply::bulk("keystep"), int(step)),
                (Reply::bulk("limit"), int(limit)),
            ],
        ),
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            step,
        } => (
            "keynum",
            vec![
                (Reply::bulk("keynumidx"), int(keynumidx)),
                (Reply::bulk("firstkey"), int(firstkey)),
                (Reply::bulk("keystep"), int(step)),
            ],
        ),
        FindKeys::Unknown => ("unknown", Vec::new()),
    };
    fields.push((
        Reply::bulk("find_keys"),
        Reply::Map(vec![
            (Reply::bulk("type"), Reply::bulk(kind)),
            (Reply::bulk("spec"), Reply::Map(args)),
        ]),
    ));
    Reply::Map(fields)
}

/// The 10-element COMMAND INFO entry of Redis 7.0: name, arity, flags, first key, last
/// key, step, ACL categories, tips, key specs, subcommands.
fn info_entry(cmd: &'static Command) -> Reply {
    Reply::Array(vec![
        Reply::bulk(cmd.name),
        int(cmd.arity),
        set_of(cmd.flag_names(), ""),
        int(cmd.first_key),
        int(cmd.last_key),
        int(cmd.step),
        set_of(cmd.acl_names(), "@"),
        Reply::Set(cmd.tips.iter().map(|t| Reply::bulk(*t)).collect()),
        Reply::Set(cmd.key_specs.iter().map(key_spec).collect()),
        subcommands(cmd),
    ])
}

/// addReplyCommandSubCommands: an array of entries, but an empty set when there are none.
fn subcommands(cmd: &'static Command) -> Reply {
    if cmd.subcommands.is_empty() {
        return Reply::Set(Vec::new());
    }
    Reply::Array(cmd.subcommands.iter().map(info_entry).collect())
}

/// COMMAND INFO [name ...]: one entry per name, null for unknown names; all without names.
fn command_info(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        return Ok(Reply::Array(all().iter().map(info_entry).collect()));
    }
    Ok(Reply::Array(
        argv.get(2..)
            .unwrap_or_default()
            .iter()
            .map(|name| lookup_full_name(name).map_or(Reply::Null, info_entry))
            .collect(),
    ))
}

/// One COMMAND DOCS value (addReplyCommandDocs), without `arguments`.
fn docs_entry(cmd: &'static Command) -> Reply {
    let docs = &cmd.docs;
    let mut doc = vec![
        (Reply::bulk("summary"), Reply::bulk(docs.summary)),
        (Reply::bulk("since"), Reply::bulk(docs.since)),
        (Reply::bulk("group"), Reply::bulk(cmd.group.name())),
    ];
    // A few commands (MONITOR) document no complexity at all.
    if !docs.complexity.is_empty() {
        doc.push((Reply::bulk("complexity"), Reply::bulk(docs.complexity)));
    }
    if docs.doc_flags != 0 {
        let names = [(DOC_DEPRECATED, "deprecated"), (DOC_SYSCMD, "syscmd")];
        let names = names.iter().filter(|(bit, _)| docs.doc_flags & bit != 0);
        doc.push((
            Reply::bulk("doc_flags"),
            set_of(names.map(|(_, name)| *name), ""),
        ));
    }
    if !docs.deprecated_since.is_empty() {
        doc.push((
            Reply::bulk("deprecated_since"),
            Reply::bulk(docs.deprecated_since),
        ));
        doc.push((Reply::bulk("replaced_by"), Reply::bulk(docs.replaced_by)));
    }
    if !docs.history.is_empty() {
        let history = docs.history.iter().map(|(version, change)| {
            Reply::Array(vec![Reply::bulk(*version), Reply::bulk(*change)])
        });
        doc.push((Reply::bulk("history"), Reply::Set(history.collect())));
    }
    if !cmd.subcommands.is_empty() {
        let subs = cmd.subcommands.iter();
        doc.push((
            Reply::bulk("subcommands"),
            Reply::Map(subs.map(|s| (Reply::bulk(s.name), docs_entry(s))).collect()),
        ));
    }
    Reply::Map(doc)
}

/// COMMAND DOCS [name ...]: a map of name to docs; unknown names are left out.
fn command_docs(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let cmds: Vec<&'static Command> = if argv.len() == 2 {
        all().iter().collect()
    } else {
        argv.get(2..)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| lookup_full_name(n))
            .collect()
    };
    Ok(Reply::Map(
        cmds.into_iter()
            .map(|c| (Reply::bulk(c.name), docs_entry(c)))
            .collect(),
    ))
}

/// Every command and subcommand.
fn all_full_names() -> impl Iterator<Item = &'static Command> {
    all()
        .iter()
        .flat_map(|c| std::iter::once(c).chain(c.subcommands.iter()))
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].
fn command_list(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let names = all_full_names();
    let picked: Vec<Reply> = match argv {
        [_, _] => names.map(|c| Reply::bulk(c.name)).collect(),
        [_, _, filterby, kind, value] if filterby.eq_ignore_ascii_case(b"filterby") => {
            if kind.eq_ignore_ascii_case(b"module") {
                // No modules: nothing belongs to any.
                Vec::new()
            } else if kind.eq_ignore_ascii_case(b"aclcat") {
                let category = ACL_NAMES
                    .iter()
                    .find(|(_, name)| name.as_bytes().eq_ignore_ascii_case(value))
                    .map_or(0, |(bit, _)| *bit);
                names
                    .filter(|c| c.acl_categories() & category != 0)
                    .map(|c| Reply::bulk(c.name))
                    .collect()
            } else if kind.eq_ignore_ascii_case(b"pattern") {
                names
                    .filter(|c| crate::util::glob::stringmatchlen(value, c.name.as_bytes(), true))
                    .map(|c| Reply::bulk(c.name))
                    .collect()
            } else {
                return Err(Reply::err("ERR syntax error"));
            }
        }
        _ => return Err(Reply::err("ERR syntax error")),
    };
    Ok(Reply::Array(picked))
}

/// A key found in an argv: its index and the flags of the spec that found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRef {
    pub pos: usize,
    pub flags: u16,
}

/// getKeysUsingKeySpecs: the keys the specs find in `argv`, or None when a spec does not
/// fit it (or is incomplete), in which case Redis falls back to the getkeys procedure.
fn keys_by_specs(cmd: &Command, argv: &[Bytes]) -> Option<Vec<KeyRef>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in cmd.key_specs.iter().filter(|s| s.flags & NOT_KEY == 0) {
        let first = match spec.begin {
            BeginSearch::Index(pos) => i64::from(pos),
            BeginSearch::Keyword { keyword, startfrom } => {
                let found = if startfrom > 0 {
                    (i64::from(startfrom)..argc).find(|&i| is(argv, i, keyword))
                } else {
                    (1..=argc + i64::from(startfrom))
                        .rev()
                        .find(|&i| is(argv, i, keyword))
                };
                match found {
                    Some(at) => at + 1,
                    None => continue,
                }
            }
            // An unknown spec: the getkeys procedure decides.
            BeginSearch::Unknown => return None,
        };
        let (first, last, step) = match spec.find {
            FindKeys::Range {
                lastkey,
                step,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first + i64::from(lastkey)
                } else if limit == 0 {
                    argc + i64::from(lastkey)
                } else {
                    first + ((argc - first) / i64::from(limit) + i64::from(lastkey))
                };
                (first, last, i64::from(step))
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                step,
            } => {
                let at = usize::try_from(first + i64::from(keynumidx)).ok()?;
                let count = crate::util::int::string2ll(argv.get(at)?)?;
                if count < 0 {
                    return None;
                }
                let first = first + i64::from(firstkey);
                (first, first.saturating_add(count) - 1, i64::from(step))
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc || step <= 0 {
            return None;
        }
        let mut at = first;
        while at <= last {
            keys.push(KeyRef {
                pos: at as usize,
                flags: spec.flags,
            });
            at += step;
        }
        if spec.flags & INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

/// Whether `argv[i]` is `word`, case-insensitively.
fn is(argv: &[Bytes], i: i64, word: &str) -> bool {
    usize::try_from(i)
        .ok()
        .and_then(|i| argv.get(i))
        .is_some_and(|arg| arg.eq_ignore_ascii_case(word.as_bytes()))
}

/// C's `atoi` (strtol truncated to int): leading spaces, a sign, digits, then anything.
fn atoi(arg: &[u8]) -> i64 {
    let mut rest = arg;
    while let [b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c, tail @ ..] = rest {
        rest = tail;
    }
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    let mut value: i64 = 0;
    for &digit in rest.iter().take_while(|d| d.is_ascii_digit()) {
        value = value
            .saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'));
    }
    let value = if negative { -value } else { value };
    i64::from(value as i32)
}

/// The native getkeys procedures (genericGetKeys, setGetKeys).
fn keys_by_proc(cmd: &Command, argv: &[Bytes]) -> Vec<KeyRef> {
    match cmd.getkeys {
        GetKeys::None => Vec::new(),
        GetKeys::NumKeys {
            store,
            count,
            first,
            step,
        } => {
            let argc = argv.len() as i64;
            let num = argv.get(count as usize).map_or(0, |n| atoi(n));
            if num < 1 || num > (argc - i64::from(first)) / i64::from(step) {
                return Vec::new();
            }
            let mut keys: Vec<KeyRef> = (0..num)
                .map(|i| KeyRef {
                    pos: (i64::from(first) + i * i64::from(step)) as usize,
                    flags: 0,
                })
                .collect();
            if store > 0 {
                keys.push(KeyRef {
                    pos: store as usize,
                    flags: 0,
                });
            }
            keys
        }
        GetKeys::Set => {
            // Redis compares the C string: "get" followed by a NUL counts too.
            let get = argv.iter().skip(3).any(|arg| {
                arg.len() >= 3
                    && arg[..3].eq_ignore_ascii_case(b"get")
                    && arg.get(3).is_none_or(|&b| b == 0)
            });
            let flags = if get {
                RW | ACCESS | UPDATE
            } else {
                OW | UPDATE
            };
            vec![KeyRef { pos: 1, flags }]
        }
        GetKeys::Bitfield => {
            let mut read_only = true;
            let mut i = 2;
            while i < argv.len() {
                let remaining = argv.len() - i - 1;
                let arg = crate::util::c_str(&argv[i]);
                if arg.eq_ignore_ascii_case(b"get") && remaining >= 2 {
                    i += 2;
                } else if (arg.eq_ignore_ascii_case(b"set") || arg.eq_ignore_ascii_case(b"incrby"))
                    && remaining >= 3
                {
                    read_only = false;
                    break;
                } else if arg.eq_ignore_ascii_case(b"overflow") && remaining >= 1 {
                    i += 1;
                } else {
                    // A syntax error: safer to assume a write, as Redis does.
                    read_only = false;
                    break;
                }
                i += 1;
            }
            let flags = if read_only {
                RO | ACCESS
            } else {
                RW | ACCESS | UPDATE
            };
            vec![KeyRef { pos: 1, flags }]
        }
        GetKeys::Sort => {
            let mut keys = vec![KeyRef {
                pos: 1,
                flags: RO | ACCESS,
            }];
            let mut store = None;
            let mut i = 2;
            while i < argv.len() {
                let arg = &argv[i];
                if arg.eq_ignore_ascii_case(b"limit") {
                    i += 2;
                } else if arg.eq_ignore_ascii_case(b"get") || arg.eq_ignore_ascii_case(b"by") {
                    i += 1;
                } else if arg.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
                    // The last STORE counts, as in SORT itself.
                    store = Some(i + 1);
                }
                i += 1;
            }
            if let Some(pos) = store {
                keys.push(KeyRef {
                    pos,
                    flags: OW | UPDATE,
                });
            }
            keys
        }
        GetKeys::SortRo => vec![KeyRef {
            pos: 1,
            flags: RO | ACCESS,
        }],
    }
}

/// getKeysFromCommandWithSpecs: the specs when they are reliable and fit, else the
/// command's getkeys procedure.
pub fn command_keys(cmd: &Command, argv: &[Bytes]) -> Vec<KeyRef> {
    let variable = cmd.key_specs.iter().any(|s| s.flags & VARIABLE_FLAGS != 0);
    let real = cmd.key_specs.iter().any(|s| s.flags & NOT_KEY == 0);
    if real && !variable {
        if let Some(keys) = keys_by_specs(cmd, argv) {
            return keys;
        }
    }
    keys_by_proc(cmd, argv)
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS full-command... (getKeysSubcommandImpl).
fn getkeys(argv: &[Bytes], with_flags: bool) -> CmdResult {
    let inner = argv.get(2..).unwrap_or_default();
    let Some(base) = inner.first().and_then(|n| lookup(n)) else {
        return Err(Reply::err("ERR Invalid command specified"));
    };
    let cmd = match inner.get(1) {
        Some(sub) if !base.subcommands.is_empty() => match find_subcommand(base, sub) {
            Some(cmd) => cmd,
            None => return Err(Reply::err("ERR Invalid command specified")),
        },
        _ => base,
    };
    if !cmd.has_keys() {
        return Err(Reply::err("ERR The command has no key arguments"));
    }
    if !cmd.arity_ok(inner.len()) {
        return Err(Reply::err(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let keys = command_keys(cmd, inner);
    if keys.is_empty() {
        if cmd.has(NO_MANDATORY_KEYS) {
            return Ok(Reply::Array(Vec::new()));
        }
        return Err(Reply::err("ERR Invalid arguments specified for command"));
    }
    Ok(Reply::Array(
        keys.iter()
            .map(|k| {
                let key = Reply::Bulk(inner[k.pos].clone());
                if with_flags {
                    Reply::Array(vec![key, key_flags(k.flags)])
                } else {
                    key
                }
            })
            .collect(),
    ))
}

fn command_getkeys(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    getkeys(argv, false)
}

fn command_getkeysandflags(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    getkeys(argv, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{b, e, Harness};

    #[test]
    fn command_info_shape() {
        let mut h = Harness::new();
        let Reply::Array(entries) = h.run(&["command", "info", "ping", "nosuch"]) else {
            panic!()
        };
        assert_eq!(entries[1], Reply::Null);
        assert_eq!(
            entries[0],
            Reply::Array(vec![
                b("ping"),
                Reply::Integer(-1),
                Reply::Set(vec![Reply::simple("fast")]),
                Reply::Integer(0),
                Reply::Integer(0),
                Reply::Integer(0),
                Reply::Set(vec![Reply::simple("@fast"), Reply::simple("@connection")]),
                Reply::Set(vec![
                    b("request_policy:all_shards"),
                    b("response_policy:all_succeeded")
                ]),
                Reply::Set(vec![]),
                Reply::Set(vec![]),
            ])
        );
        let Reply::Array(config) = h.run(&["command", "info", "CONFIG"]) else {
            panic!()
        };
        let Reply::Array(config) = &config[0] else {
            panic!()
        };
        let Reply::Array(subs) = &config[9] else {
            panic!()
        };
        assert_eq!(subs.len(), crate::cmd::config_cmd::CONFIG_SUBCOMMANDS.len());
        let Reply::Array(get) = h.run(&["command", "info", "config|get"]) else {
            panic!()
        };
        let Reply::Array(get) = &get[0] else { panic!() };
        assert_eq!(get[1], Reply::Integer(-3));
        let n = all().len() as i64;
        assert_eq!(h.run(&["command", "count"]), Reply::Integer(n));
        let Reply::Array(every) = h.run(&["command"]) else {
            panic!()
        };
        assert_eq!(every.len() as i64, n);
        let Reply::Array(every) = h.run(&["command", "info"]) else {
            panic!()
        };
        assert_eq!(every.len() as i64, n);
    }

    #[test]
    fn command_docs_and_list() {
        let mut h = Harness::new();
        let docs = h.run(&["command", "docs", "ping", "nosuch"]);
        assert_eq!(
            docs,
            Reply::Map(vec![(
                b("ping"),
                Reply::Map(vec![
                    (b("summary"), b("Ping the server")),
                    (b("since"), b("1.0.0")),
                    (b("group"), b("connection")),
                    (b("complexity"), b("O(1)")),
                ])
            )])
        );
        let Reply::Map(every) = h.run(&["command", "docs"]) else {
            panic!()
        };
        assert_eq!(every.len(), all().len());
        assert_eq!(
            h.run(&["command", "list", "filterby", "pattern", "config*"]),
            Reply::Array(
                [
                    "config",
                    "config|get",
                    "config|help",
                    "config|resetstat",
                    "config|rewrite",
                    "config|set"
                ]
                .iter()
                .map(|n| b(n))
                .collect()
            )
        );
        assert_eq!(
            h.run(&["command", "list", "filterby", "aclcat", "nosuch"]),
            Reply::Array(vec![])
        );
        assert_eq!(
            h.run(&["command", "list", "filterby", "foo", "bar"]),
            e("ERR syntax error")
        );
        assert_eq!(h.run(&["command", "list", "x"]), e("ERR syntax error"));
    }

    #[test]
    fn command_getkeys_errors() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["command", "getkeys", "get"]),
            e("ERR wrong number of arguments for 'command|getkeys' command")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "nosuch", "a"]),
            e("ERR Invalid command specified")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "ping", "x"]),
            e("ERR The command has no key arguments")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "echo", "a", "b"]),
            e("ERR The command has no key arguments")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "get", "a", "b"]),
            e("ERR Invalid number of arguments specified for command")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "object", "foo", "k"]),
            e("ERR Invalid command specified")
        );
        assert_eq!(
            h.run(&["command", "getkeys", "zunionstore", "d", "0", "a"]),
            e("ERR Invalid arguments specified for command")
        );
    }

    #[test]
    fn getkeys_by_specs_and_procs() {
        let mut h = Harness::new();
        let keys = |h: &mut Harness, args: &[&str]| {
            let mut argv = vec!["command", "getkeys"];
            argv.extend(args);
            h.run(argv.as_slice())
        };
        let array = |names: &[&str]| Reply::Array(names.iter().map(|n| b(n)).collect());
        assert_eq!(
            keys(&mut h, &["mset", "a", "1", "b", "2"]),
            array(&["a", "b"])
        );
        assert_eq!(keys(&mut h, &["blpop", "a", "b", "0"]), array(&["a", "b"]));
        assert_eq!(
            keys(
                &mut h,
                &["zunionstore", "d", "2", "a", "b", "weights", "1", "2"]
            ),
            array(&["d", "a", "b"])
        );
        // A numkeys string2ll rejects: the specs fail and genericGetKeys's atoi decides,
        // listing the destination last.
        assert_eq!(
            keys(&mut h, &["zinterstore", "d", "1x", "a"]),
            array(&["a", "d"])
        );
        assert_eq!(keys(&mut h, &["object", "encoding", "k"]), array(&["k"]));
        let flags =
            |names: &[&'static str]| Reply::Set(names.iter().map(|n| Reply::simple(n)).collect());
        assert_eq!(
            h.run(&["command", "getkeysandflags", "set", "k", "v", "GET"]),
            Reply::Array(vec![Reply::Array(vec![
                b("k"),
                flags(&["RW", "access", "update"])
            ])])
        );
        assert_eq!(
            h.run(&["command", "getkeysandflags", "set", "k", "v"]),
            Reply::Array(vec![Reply::Array(vec![b("k"), flags(&["OW", "update"])])])
        );
    }

    #[test]
    fn atoi_is_c_atoi() {
        assert_eq!(atoi(b" 12abc"), 12);
        assert_eq!(atoi(b"-3"), -3);
        assert_eq!(atoi(b"x1"), 0);
        assert_eq!(atoi(b"4294967297"), 1);
    }
}
