//! The command table: one declarative entry per command and subcommand, from which
//! dispatch and all of COMMAND's introspection (COUNT, LIST, INFO, DOCS, GETKEYS,
//! GETKEYSANDFLAGS) are generated.
//!
//! Each family file (`strings.rs`, `keys.rs`, ...) exports `pub const COMMANDS: &[Command]`,
//! built with [`cmd`] and a few `const` builder methods, in the shape of Redis 7.0's
//! command JSON: name, arity, flags, key specs, group, docs, and a handler. What Redis
//! derives, the table derives the same way: the legacy first/last/step key range and the
//! `movablekeys` flag from the key specs (`populateCommandLegacyRangeSpec`), the ACL
//! categories from the flags and group (`setImplicitACLCategories`). A container (CONFIG,
//! CLIENT, ...) lists its subcommands in its entry; [`resolve`] finds the subcommand.
//! [`all`] joins the families, sorted by name, and [`dispatch`] looks a command up by
//! binary search on its lower-cased name (no hash map: nothing here may depend on a
//! seeded hasher).

use super::Ctx;
use crate::resp::Reply;
use crate::util::{c_str, printf_s};
use bytes::Bytes;
use std::sync::OnceLock;

/// What a handler returns: `Err` carries an error reply, so handlers can use `?`.
/// Both arms reach the client the same way; dispatch only unwraps.
pub type CmdResult = Result<Reply, Reply>;

/// A handler: runs a command whose name and arity were already checked.
pub type Handler = fn(&mut Ctx<'_>, &[Bytes]) -> CmdResult;

// ---------------------------------------------------------------------------------------
// Command flags (CMD_* in Redis), rendered by COMMAND INFO in the order of FLAG_NAMES.

pub const WRITE: u32 = 1 << 0;
pub const READONLY: u32 = 1 << 1;
pub const DENYOOM: u32 = 1 << 2;
pub const ADMIN: u32 = 1 << 3;
pub const PUBSUB: u32 = 1 << 4;
pub const NOSCRIPT: u32 = 1 << 5;
pub const BLOCKING: u32 = 1 << 6;
pub const LOADING: u32 = 1 << 7;
pub const STALE: u32 = 1 << 8;
pub const SKIP_MONITOR: u32 = 1 << 9;
pub const SKIP_SLOWLOG: u32 = 1 << 10;
pub const FAST: u32 = 1 << 11;
pub const NO_AUTH: u32 = 1 << 12;
pub const NO_MANDATORY_KEYS: u32 = 1 << 13;
pub const NO_ASYNC_LOADING: u32 = 1 << 14;
pub const NO_MULTI: u32 = 1 << 15;
/// Derived from the key specs by [`Command::keys`]; never written in an entry.
pub const MOVABLE_KEYS: u32 = 1 << 16;
pub const ALLOW_BUSY: u32 = 1 << 17;

/// Redis's `addReplyCommandFlags` order (`module`, `asking` and the hidden flags omitted).
const FLAG_NAMES: &[(u32, &str)] = &[
    (WRITE, "write"),
    (READONLY, "readonly"),
    (DENYOOM, "denyoom"),
    (ADMIN, "admin"),
    (PUBSUB, "pubsub"),
    (NOSCRIPT, "noscript"),
    (BLOCKING, "blocking"),
    (LOADING, "loading"),
    (STALE, "stale"),
    (SKIP_MONITOR, "skip_monitor"),
    (SKIP_SLOWLOG, "skip_slowlog"),
    (FAST, "fast"),
    (NO_AUTH, "no_auth"),
    (NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (NO_ASYNC_LOADING, "no_async_loading"),
    (NO_MULTI, "no_multi"),
    (MOVABLE_KEYS, "movablekeys"),
    (ALLOW_BUSY, "allow_busy"),
];

// ---------------------------------------------------------------------------------------
// ACL categories, in Redis's ACLCommandCategories order (which COMMAND INFO follows).

pub const ACL_KEYSPACE: u32 = 1 << 0;
pub const ACL_READ: u32 = 1 << 1;
pub const ACL_WRITE: u32 = 1 << 2;
pub const ACL_SET: u32 = 1 << 3;
pub const ACL_SORTEDSET: u32 = 1 << 4;
pub const ACL_LIST: u32 = 1 << 5;
pub const ACL_HASH: u32 = 1 << 6;
pub const ACL_STRING: u32 = 1 << 7;
pub const ACL_BITMAP: u32 = 1 << 8;
pub const ACL_HYPERLOGLOG: u32 = 1 << 9;
pub const ACL_GEO: u32 = 1 << 10;
pub const ACL_STREAM: u32 = 1 << 11;
pub const ACL_PUBSUB: u32 = 1 << 12;
pub const ACL_ADMIN: u32 = 1 << 13;
pub const ACL_FAST: u32 = 1 << 14;
pub const ACL_SLOW: u32 = 1 << 15;
pub const ACL_BLOCKING: u32 = 1 << 16;
pub const ACL_DANGEROUS: u32 = 1 << 17;
pub const ACL_CONNECTION: u32 = 1 << 18;
pub const ACL_TRANSACTION: u32 = 1 << 19;
pub const ACL_SCRIPTING: u32 = 1 << 20;

/// Category names without the `@`, in Redis's order.
pub const ACL_NAMES: &[(u32, &str)] = &[
    (ACL_KEYSPACE, "keyspace"),
    (ACL_READ, "read"),
    (ACL_WRITE, "write"),
    (ACL_SET, "set"),
    (ACL_SORTEDSET, "sortedset"),
    (ACL_LIST, "list"),
    (ACL_HASH, "hash"),
    (ACL_STRING, "string"),
    (ACL_BITMAP, "bitmap"),
    (ACL_HYPERLOGLOG, "hyperloglog"),
    (ACL_GEO, "geo"),
    (ACL_STREAM, "stream"),
    (ACL_PUBSUB, "pubsub"),
    (ACL_ADMIN, "admin"),
    (ACL_FAST, "fast"),
    (ACL_SLOW, "slow"),
    (ACL_BLOCKING, "blocking"),
    (ACL_DANGEROUS, "dangerous"),
    (ACL_CONNECTION, "connection"),
    (ACL_TRANSACTION, "transaction"),
    (ACL_SCRIPTING, "scripting"),
];

/// The family a command belongs to, as COMMAND DOCS `group` reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Group {
    Generic,
    String,
    List,
    Set,
    SortedSet,
    Hash,
    Hyperloglog,
    Geo,
    PubSub,
    Transactions,
    Connection,
    Server,
    Scripting,
    Bitmap,
    Stream,
}

impl Group {
    pub const fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::Hyperloglog => "hyperloglog",
            Group::Geo => "geo",
            Group::PubSub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::Bitmap => "bitmap",
            Group::Stream => "stream",
        }
    }

    /// The category every (non-container) command of the group has in Redis's JSON;
    /// pub/sub commands get theirs from the `pubsub` flag, server commands vary.
    const fn acl(self) -> u32 {
        match self {
            Group::Generic => ACL_KEYSPACE,
            Group::String => ACL_STRING,
            Group::List => ACL_LIST,
            Group::Set => ACL_SET,
            Group::SortedSet => ACL_SORTEDSET,
            Group::Hash => ACL_HASH,
            Group::Hyperloglog => ACL_HYPERLOGLOG,
            Group::Geo => ACL_GEO,
            Group::Transactions => ACL_TRANSACTION,
            Group::Connection => ACL_CONNECTION,
            Group::Scripting => ACL_SCRIPTING,
            Group::Bitmap => ACL_BITMAP,
            Group::Stream => ACL_STREAM,
            Group::PubSub | Group::Server => 0,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Key specs (Redis 7.0's `key_specs`), and their flags in Redis's rendering order.

pub const RO: u16 = 1 << 0;
pub const RW: u16 = 1 << 1;
pub const OW: u16 = 1 << 2;
pub const RM: u16 = 1 << 3;
pub const ACCESS: u16 = 1 << 4;
pub const UPDATE: u16 = 1 << 5;
pub const INSERT: u16 = 1 << 6;
pub const DELETE: u16 = 1 << 7;
pub const NOT_KEY: u16 = 1 << 8;
pub const INCOMPLETE: u16 = 1 << 9;
pub const VARIABLE_FLAGS: u16 = 1 << 10;

pub const KEY_FLAG_NAMES: &[(u16, &str)] = &[
    (RO, "RO"),
    (RW, "RW"),
    (OW, "OW"),
    (RM, "RM"),
    (ACCESS, "access"),
    (UPDATE, "update"),
    (INSERT, "insert"),
    (DELETE, "delete"),
    (NOT_KEY, "not_key"),
    (INCOMPLETE, "incomplete"),
    (VARIABLE_FLAGS, "variable_flags"),
];

/// Where the search for keys starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i32),
    /// After the first argument equal to `keyword`, searched from `startfrom` (negative:
    /// from the end, backwards).
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    /// Nowhere the table can say (SORT's BY, GET and STORE): the command's getkeys
    /// procedure finds the keys.
    Unknown,
}

/// How many keys follow the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindKeys {
    /// Keys up to `lastkey` (relative to the start; negative: from the end), every `step`;
    /// with `limit` > 0 and `lastkey` -1, only 1/limit of the remaining arguments.
    Range { lastkey: i32, step: i32, limit: i32 },
    /// The argument at `keynumidx` (relative to the start) counts the keys, which begin
    /// at `firstkey` (relative to the start), every `step`.
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        step: i32,
    },
    /// Paired with [`BeginSearch::Unknown`].
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub begin: BeginSearch,
    pub find: FindKeys,
    pub flags: u16,
    pub notes: &'static str,
}

/// One key at a fixed index: the most common spec by far.
pub const fn key(index: i32, flags: u16) -> KeySpec {
    range(index, 0, 1, flags)
}

/// Keys from `index` to `lastkey` (relative to `index`, or negative from the end).
pub const fn range(index: i32, lastkey: i32, step: i32, flags: u16) -> KeySpec {
    KeySpec {
        begin: BeginSearch::Index(index),
        find: FindKeys::Range {
            lastkey,
            step,
            limit: 0,
        },
        flags,
        notes: "",
    }
}

/// One key right after the first `keyword` found from `startfrom` (GEORADIUS's STORE).
pub const fn keyword_key(keyword: &'static str, startfrom: i32, flags: u16) -> KeySpec {
    KeySpec {
        begin: BeginSearch::Keyword { keyword, startfrom },
        find: FindKeys::Range {
            lastkey: 0,
            step: 1,
            limit: 0,
        },
        flags,
        notes: "",
    }
}

/// A count at `index` followed by that many keys (ZUNIONSTORE, LMPOP, ...).
pub const fn keynum(index: i32, flags: u16) -> KeySpec {
    KeySpec {
        begin: BeginSearch::Index(index),
        find: FindKeys::Keynum {
            keynumidx: 0,
            firstkey: 1,
            step: 1,
        },
        flags,
        notes: "",
    }
}

/// Keys only the getkeys procedure can find (KSPEC_BS_UNKNOWN, KSPEC_FK_UNKNOWN).
pub const fn unknown_keys(flags: u16) -> KeySpec {
    KeySpec {
        begin: BeginSearch::Unknown,
        find: FindKeys::Unknown,
        flags,
        notes: "",
    }
}

impl KeySpec {
    pub const fn notes(mut self, notes: &'static str) -> KeySpec {
        self.notes = notes;
        self
    }
}

/// Redis's native `getkeys_proc`s that seedis needs. GETKEYS uses one only when a spec
/// has variable flags or the specs fail on the argv (getKeysFromCommandWithSpecs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetKeys {
    None,
    /// `genericGetKeys(store, count, first, step)`: an `atoi` key count at `count`, keys
    /// from `first`, the destination (if `store` > 0) last; key flags left empty.
    NumKeys {
        store: i32,
        count: i32,
        first: i32,
        step: i32,
    },
    /// `setGetKeys`: SET's key is RW/access/update with GET, OW/update without.
    Set,
    /// `sortGetKeys`: the sorted key, and the last STORE's destination.
    Sort,
    /// `sortROGetKeys`: the sorted key.
    SortRo,
    /// `bitfieldGetKeys`: the key, RO/access while only GETs (and OVERFLOWs) come first.
    Bitfield,
}

/// COMMAND DOCS `doc_flags`.
pub const DOC_DEPRECATED: u8 = 1 << 0;
pub const DOC_SYSCMD: u8 = 1 << 1;

/// COMMAND DOCS fields (the `arguments` are left out: nothing here needs them yet).
#[derive(Clone, Copy)]
pub struct Docs {
    pub summary: &'static str,
    pub since: &'static str,
    pub complexity: &'static str,
    pub doc_flags: u8,
    pub deprecated_since: &'static str,
    pub replaced_by: &'static str,
    /// (version, change) pairs.
    pub history: &'static [(&'static str, &'static str)],
}

/// One entry of the table, in the shape COMMAND INFO and COMMAND DOCS report.
#[derive(Clone, Copy)]
pub struct Command {
    /// Lower-case name; a subcommand's is `container|sub`.
    pub name: &'static str,
    /// Redis's convention: `n` means exactly n arguments including the name, `-n` at least n.
    pub arity: i32,
    /// The `u32` flag bits above.
    pub flags: u32,
    pub group: Group,
    pub handler: Handler,
    pub key_specs: &'static [KeySpec],
    /// The legacy key range, derived from the key specs: first, last (negative counts
    /// from the end), step. 0,0,0 = no keys.
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    /// ACL categories beyond the implicit ones (see [`Command::acl_categories`]).
    pub acl_extra: u32,
    /// Whether the group's category applies (containers have none).
    pub group_acl: bool,
    pub getkeys: GetKeys,
    /// COMMAND INFO tips, e.g. `nondeterministic_output`.
    pub tips: &'static [&'static str],
    /// A container's subcommands, sorted by name.
    pub subcommands: &'static [Command],
    pub docs: Docs,
}

/// An entry with no keys, no docs and nothing extra: chain the builders for the rest.
pub const fn cmd(
    name: &'static str,
    arity: i32,
    flags: u32,
    group: Group,
    handler: Handler,
) -> Command {
    Command {
        name,
        arity,
        flags,
        group,
        handler,
        key_specs: &[],
        first_key: 0,
        last_key: 0,
        step: 0,
        acl_extra: 0,
        group_acl: true,
        getkeys: GetKeys::None,
        tips: &[],
        subcommands: &[],
        docs: Docs {
            summary: "",
            since: "",
            complexity: "",
            doc_flags: 0,
            deprecated_since: "",
            replaced_by: "",
            history: &[],
        },
    }
}

impl Command {
    /// COMMAND DOCS' since, summary and complexity.
    pub const fn doc(
        mut self,
        since: &'static str,
        summary: &'static str,
        complexity: &'static str,
    ) -> Command {
        self.docs.since = since;
        self.docs.summary = summary;
        self.docs.complexity = complexity;
        self
    }

    /// The key specs, and what Redis derives from them: the legacy range and
    /// `movablekeys` (populateCommandLegacyRangeSpec).
    pub const fn keys(mut self, specs: &'static [KeySpec]) -> Command {
        self.key_specs = specs;
        if specs.is_empty() {
            return self;
        }
        if let [KeySpec {
            begin: BeginSearch::Index(pos),
            find: FindKeys::Range { lastkey, step, .. },
            flags,
            ..
        }] = specs
        {
            // Exactly one range spec: it is the legacy range.
            self.first_key = *pos;
            self.last_key = if *lastkey >= 0 {
                *lastkey + *pos
            } else {
                *lastkey
            };
            self.step = *step;
            if *flags & INCOMPLETE != 0 {
                self.flags |= MOVABLE_KEYS;
            }
            return self;
        }
        let (mut first, mut last, mut prev_last) = (i32::MAX, 0i32, 0i32);
        let mut i = 0;
        while i < specs.len() {
            let spec = &specs[i];
            i += 1;
            let (BeginSearch::Index(pos), FindKeys::Range { lastkey, step, .. }) =
                (spec.begin, spec.find)
            else {
                self.flags |= MOVABLE_KEYS;
                continue;
            };
            if step != 1 || (prev_last != 0 && prev_last != pos - 1) {
                self.flags |= MOVABLE_KEYS;
                continue;
            }
            if spec.flags & INCOMPLETE != 0 {
                self.flags |= MOVABLE_KEYS;
            }
            if pos < first {
                first = pos;
            }
            let abs_last = if lastkey >= 0 { lastkey + pos } else { lastkey };
            // Redis compares as unsigned, so a negative (from the end) last key wins.
            if (abs_last as u32) > (last as u32) {
                last = abs_last;
            }
            prev_last = last;
        }
        if first == i32::MAX {
            self.flags |= MOVABLE_KEYS;
            return self;
        }
        self.first_key = first;
        self.last_key = last;
        self.step = 1;
        self
    }

    /// ACL categories beyond those the flags and the group imply.
    pub const fn acl(mut self, categories: u32) -> Command {
        self.acl_extra |= categories;
        self
    }

    pub const fn tips(mut self, tips: &'static [&'static str]) -> Command {
        self.tips = tips;
        self
    }

    pub const fn getkeys(mut self, getkeys: GetKeys) -> Command {
        self.getkeys = getkeys;
        self
    }

    /// Exactly these categories besides the implied ones: not its group's (SORT is in the
    /// generic group but not in @keyspace).
    pub const fn acl_only(mut self, categories: u32) -> Command {
        self.acl_extra = categories;
        self.group_acl = false;
        self
    }

    /// Makes this a container of `subs` (sorted by name); like Redis's containers it has
    /// no category of its group.
    pub const fn subcommands(mut self, subs: &'static [Command]) -> Command {
        self.subcommands = subs;
        self.group_acl = false;
        self
    }

    pub const fn history(mut self, history: &'static [(&'static str, &'static str)]) -> Command {
        self.docs.history = history;
        self
    }

    pub const fn deprecated(mut self, since: &'static str, replaced_by: &'static str) -> Command {
        self.docs.doc_flags |= DOC_DEPRECATED;
        self.docs.deprecated_since = since;
        self.docs.replaced_by = replaced_by;
        self
    }

    pub const fn doc_flags(mut self, doc_flags: u8) -> Command {
        self.docs.doc_flags |= doc_flags;
        self
    }

    /// Whether `argc` (the name included) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    pub fn is_write(&self) -> bool {
        self.has(WRITE)
    }

    /// setImplicitACLCategories: the flags' categories, the group's, the explicit extras,
    /// and @slow for whatever is not @fast.
    pub fn acl_categories(&self) -> u32 {
        let mut acl = self.acl_extra;
        if self.group_acl {
            acl |= self.group.acl();
        }
        // READONLY implies @read except for scripting commands (EVAL_RO, FCALL_RO),
        // as Redis's setImplicitACLCategories says.
        let read = if acl & ACL_SCRIPTING == 0 {
            ACL_READ
        } else {
            0
        };
        let implied: [(u32, u32); 6] = [
            (WRITE, ACL_WRITE),
            (READONLY, read),
            (ADMIN, ACL_ADMIN | ACL_DANGEROUS),
            (PUBSUB, ACL_PUBSUB),
            (FAST, ACL_FAST),
            (BLOCKING, ACL_BLOCKING),
        ];
        for (flag, category) in implied {
            if self.has(flag) {
                acl |= category;
            }
        }
        if acl & ACL_FAST == 0 {
            acl |= ACL_SLOW;
        }
        acl
    }

    /// The flag names COMMAND INFO shows, in Redis's order.
    pub fn flag_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        FLAG_NAMES
            .iter()
            .filter(|(bit, _)| self.flags & bit != 0)
            .map(|(_, name)| *name)
    }

    /// The ACL category names (without `@`), in Redis's order.
    pub fn acl_names(&self) -> impl Iterator<Item = &'static str> {
        let acl = self.acl_categories();
        ACL_NAMES
            .iter()
            .filter(move |(bit, _)| acl & bit != 0)
            .map(|(_, name)| *name)
    }

    /// doesCommandHaveKeys: a getkeys proc, or a spec that names real keys.
    pub fn has_keys(&self) -> bool {
        self.getkeys != GetKeys::None || self.key_specs.iter().any(|s| s.flags & NOT_KEY == 0)
    }
}

/// Every family's commands, joined and sorted by name once.
pub fn all() -> &'static [Command] {
    static TABLE: OnceLock<Vec<Command>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let families: &[&[Command]] = &[
            super::strings::COMMANDS,
            super::hll::COMMANDS,
            super::geo::COMMANDS,
            super::bits::COMMANDS,
            super::lcs::COMMANDS,
            super::streams::COMMANDS,
            super::stream_read::COMMANDS,
            super::stream_groups::COMMANDS,
            super::stream_info::COMMANDS,
            super::keys::COMMANDS,
            super::dump_restore::COMMANDS,
            super::aof::COMMANDS,
            super::db_cmds::COMMANDS,
            super::connection::COMMANDS,
            super::server_cmds::COMMANDS,
            super::info::COMMANDS,
            super::config_cmd::COMMANDS,
            super::command_cmd::COMMANDS,
            super::lists::COMMANDS,
            super::hashes::COMMANDS,
            super::sets::COMMANDS,
            super::zsets::COMMANDS,
            super::multi::COMMANDS,
            super::pubsub::COMMANDS,
            super::blocking::COMMANDS,
            super::slowlog::COMMANDS,
            super::monitor::COMMANDS,
            super::replication::COMMANDS,
            super::scripting::COMMANDS,
            super::memory_cmd::COMMANDS,
            super::latency::COMMANDS,
            super::sort::COMMANDS,
            super::persistence::COMMANDS,
            super::acl_cmd::COMMANDS,
        ];
        let mut table: Vec<Command> = families.iter().flat_map(|f| f.iter().copied()).collect();
        table.sort_by(|a, b| a.name.cmp(b.name));
        for pair in table.windows(2) {
            assert!(
                pair[0].name != pair[1].name,
                "command {} defined twice",
                pair[0].name
            );
        }
        table
    })
}

/// Finds a command by name, case-insensitively, without allocating.
pub fn lookup(name: &[u8]) -> Option<&'static Command> {
    let mut lower = [0u8; 32];
    if name.len() > lower.len() {
        return None;
    }
    for (dst, src) in lower.iter_mut().zip(name) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = &lower[..name.len()];
    let table = all();
    table
        .binary_search_by(|c| c.name.as_bytes().cmp(lower))
        .ok()
        .map(|i| &table[i])
}

/// A command or a subcommand by its full name (`get`, `config|get`), case-insensitively
/// (lookupCommandBySds).
pub fn lookup_full_name(name: &[u8]) -> Option<&'static Command> {
    match name.iter().position(|&b| b == b'|') {
        None => lookup(name),
        Some(bar) => find_subcommand(lookup(&name[..bar])?, &name[bar + 1..]),
    }
}

/// A container's subcommand by its short name (`get` of `config|get`), case-insensitively.
pub fn find_subcommand(container: &'static Command, wanted: &[u8]) -> Option<&'static Command> {
    container.subcommands.iter().find(|s| {
        s.name
            .split_once('|')
            .is_some_and(|(_, short)| short.as_bytes().eq_ignore_ascii_case(wanted))
    })
}

/// Resolves `argv` to the subcommand it names when `cmd` is a container, checking the
/// subcommand's arity; an ordinary command resolves to itself. `cmd`'s own arity has
/// been checked, so a container has at least its subcommand name.
pub fn resolve(cmd: &'static Command, argv: &[Bytes]) -> Result<&'static Command, Reply> {
    if cmd.subcommands.is_empty() {
        return Ok(cmd);
    }
    // COMMAND alone is a command of its own; the other containers' arity (-2) already
    // guarantees a subcommand name.
    let (Some(container), Some(wanted)) = (argv.first(), argv.get(1)) else {
        return Ok(cmd);
    };
    let Some(found) = find_subcommand(cmd, wanted) else {
        return Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand '",
                printf_s(wanted, 128),
                b"'. Try ",
                &c_str(container).to_ascii_uppercase(),
                b" HELP.",
            ]
            .concat(),
        ));
    };
    if !found.arity_ok(argv.len()) {
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for '{}' command",
            found.name
        )));
    }
    Ok(found)
}

/// The handler of a container's table entry: runs the subcommand. Dispatch normally
/// resolves first; this keeps a direct call correct too.
pub fn container(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(cmd) = argv.first().and_then(|name| lookup(name)) else {
        return Err(Reply::err("ERR unknown command"));
    };
    match resolve(cmd, argv) {
        Ok(found) if !std::ptr::eq(found, cmd) => (found.handler)(ctx, argv),
        Ok(_) => Err(Reply::err("ERR unknown command")),
        Err(reply) => Err(reply),
    }
}

/// Commands a RESP2 client in subscribed mode may run.
const SUBSCRIBED_ALLOWED: &[&str] = &[
    "ping",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
    "ssubscribe",
    "subscribe",
    "sunsubscribe",
    "unsubscribe",
];

/// Commands that run at once instead of being queued inside MULTI.
const NOT_QUEUED: &[&str] = &["discard", "exec", "multi", "quit", "reset", "watch"];

/// Upper bound of the bytes a transaction may queue (Redis has none of its own; the
/// query buffer limit is the same order of magnitude).
pub const MULTI_MAX_BYTES: usize = 1 << 30;

const DEBUG_NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// processCommand's CMD_PROTECTED check: DEBUG runs only where `enable-debug-command`
/// allows it (`yes`, or `local` for a client on 127.0.0.1 or ::1). MODULE, the other
/// protected command, does not exist in seedis.
fn protected_command_refused(ctx: &Ctx<'_>, cmd: &Command) -> bool {
    if cmd.name != "debug" {
        return false;
    }
    match ctx.server.config.get("enable-debug-command").as_deref() {
        Some("yes") => false,
        Some("local") => !is_local_peer(&ctx.session.addr),
        _ => true,
    }
}

/// islocalClient: the peer address (`ip:port`, `[ipv6]:port`) is a loopback one.
fn is_local_peer(addr: &str) -> bool {
    let ip = addr.rsplit_once(':').map_or(addr, |(ip, _port)| ip);
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    ip == "127.0.0.1" || ip == "::1"
}

/// Looks up and runs one command (processCommand): name, arity, subcommand, auth and
/// subscribed-mode checks, then MULTI queueing or the handler. A refused command flags
/// an open transaction so its EXEC aborts.
pub fn dispatch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let reply = dispatch_counted(ctx, argv);
    if let Reply::Error(text) = &reply {
        // afterErrorReply: every error a command (or its refusal) answers is counted.
        ctx.server.command_stats.record_error(text);
    }
    reply
}

fn dispatch_counted(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    ctx.keyspace.access = ctx.server.access_clock();
    let Some(name) = argv.first() else {
        return Reply::err("ERR empty command");
    };
    let Some(cmd) = lookup(name) else {
        return reject(ctx, None, unknown_command(argv));
    };
    if !cmd.arity_ok(argv.len()) {
        let e = Reply::error(format!(
            "ERR wrong number of arguments for '{}' command",
            cmd.name
        ));
        return reject(ctx, Some(cmd), e);
    }
    // Redis resolves a container's subcommand (CONFIG GET -> config|get) before the auth
    // check, so an unknown subcommand or bad arity is reported even before AUTH.
    let cmd = match resolve(cmd, argv) {
        Ok(cmd) => cmd,
        // No command is counted as rejected: Redis has none in hand (lookupCommand failed).
        Err(reply) => return reject(ctx, None, reply),
    };
    if protected_command_refused(ctx, cmd) {
        return reject(ctx, Some(cmd), Reply::err(DEBUG_NOT_ALLOWED));
    }
    if !ctx.session.authenticated && !cmd.has(NO_AUTH) {
        return reject(
            ctx,
            Some(cmd),
            Reply::err("NOAUTH Authentication required."),
        );
    }
    if let Err(reply) = acl_check(ctx, cmd, argv) {
        return reject(ctx, Some(cmd), reply);
    }
    // Redis checks maxmemory only outside a busy script (no eviction may run under it).
    if super::busy::busy_refusal(ctx.server).is_none() && out_of_memory(ctx, cmd) {
        return reject(
            ctx,
            Some(cmd),
            Reply::err("OOM command not allowed when used memory > 'maxmemory'."),
        );
    }
    if let Some(denial) = denied_by_disk_error(ctx, cmd) {
        return reject(ctx, Some(cmd), denial);
    }
    if ctx.session.resp == 2 && ctx.session.in_pubsub() && !SUBSCRIBED_ALLOWED.contains(&cmd.name) {
        let e = Reply::error(format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            cmd.name
        ));
        return reject(ctx, Some(cmd), e);
    }
    // A script past busy-reply-threshold: only `allow-busy` commands (checked before
    // MULTI queues anything, as Redis does).
    if !cmd.has(ALLOW_BUSY) {
        if let Some(busy) = super::busy::busy_refusal(ctx.server) {
            return reject(ctx, Some(cmd), busy);
        }
    }
    if super::pause::postpones(ctx, cmd) {
        // blockPostponeClient: the loop keeps this command and runs it after the pause.
        ctx.session.postponed = true;
        return Reply::Null;
    }
    if !ctx.session.in_exec && !NOT_QUEUED.contains(&cmd.name) {
        if let Some(multi) = ctx.session.multi.as_mut() {
            let bytes: usize = argv.iter().map(|a| a.len() + 16).sum();
            multi.bytes = multi.bytes.saturating_add(bytes);
            if multi.bytes > MULTI_MAX_BYTES {
                // Bounded like the query buffer: the connection is closed.
                ctx.session.multi = None;
                ctx.session.close_after_reply = true;
                ctx.server.stats.client_query_buffer_limit_disconnections += 1;
                return Reply::err("ERR transaction too large");
            }
            multi.queued.push(argv.to_vec());
            return Reply::simple("QUEUED");
        }
    }
    if ctx.session.monitor && (cmd.has(WRITE) || cmd.has(READONLY)) {
        // A MONITOR client is a replica to Redis, and replicas may not use the keyspace.
        return reject(
            ctx,
            Some(cmd),
            Reply::err("ERR Replica can't interact with the keyspace"),
        );
    }
    ctx.session.last_cmd = cmd.name;
    let start_us = ctx.clock.now_us();
    let propagation = ctx.propagation_enter();
    super::notify::arm_keyspace(ctx);
    let reply = (cmd.handler)(ctx, argv).unwrap_or_else(|error| error);
    // Expiries and misses the command met after its last own event.
    super::notify::publish_pending(ctx);
    ctx.propagation_leave(propagation, argv, cmd.name == "exec");
    let usec = ctx.clock.now_us().saturating_sub(start_us);
    // call(): a command whose own reply is an error failed (EXEC does not fail for the
    // errors of the commands it ran; those count as theirs).
    let failed = matches!(reply, Reply::Error(_));
    let track_latency = ctx.server.config.latency_tracking;
    ctx.server
        .command_stats
        .record_call(cmd.name, usec, failed, track_latency);
    // The latency monitor: a slow command is a `command` event, a slow FAST one a
    // `fast-command` event (one of them means the machine, not the command, is slow).
    let event = if cmd.has(FAST) {
        "fast-command"
    } else {
        "command"
    };
    let threshold = ctx.server.config.latency_monitor_threshold;
    if super::latency::LatencyMonitor::samples(threshold, usec / 1000) {
        let now_s = (ctx.clock.now_us() / 1_000_000) as i64;
        ctx.server
            .latency
            .add_if_needed(threshold, event, usec / 1000, now_s);
    }
    let config = &ctx.server.config;
    let (slower_than, max_len) = (config.slowlog_log_slower_than, config.slowlog_max_len);
    // Most commands are not slow and nobody MONITORs: only then are the arguments
    // looked at for secrets, and the client's name copied.
    let logged_slow = slower_than >= 0 && usec >= slower_than as u64;
    // What MONITOR and the slow log see: the arguments with secrets redacted.
    let redacted = if logged_slow || !ctx.server.monitors.is_empty() {
        redacted_argv(cmd, argv)
    } else {
        None
    };
    let shown = redacted.as_deref().unwrap_or(argv);
    super::monitor::feed(ctx, cmd, shown);
    if !cmd.has(SKIP_SLOWLOG) && !logged_slow && slower_than >= 0 {
        ctx.server.slowlog.trim(max_len);
    } else if !cmd.has(SKIP_SLOWLOG) && logged_slow {
        let name = ctx.session.name.clone().unwrap_or_default();
        let now_s = ctx.server.now_us / 1_000_000;
        ctx.server.slowlog.push_if_needed(
            shown,
            usec,
            slower_than,
            max_len,
            now_s,
            &ctx.session.addr,
            &name,
        );
    }
    reply
}

/// processCommand's ACL check (or, inside EXEC, multi.c's re-check with its own text).
fn acl_check(ctx: &mut Ctx<'_>, cmd: &'static Command, argv: &[Bytes]) -> Result<(), Reply> {
    use crate::acl::log::Context;
    let context = if ctx.session.in_exec || ctx.session.multi.is_some() {
        Context::Multi
    } else {
        Context::Toplevel
    };
    super::acl_cmd::check(ctx, cmd, argv, context).map_err(|denial| {
        if ctx.session.in_exec {
            super::acl_cmd::noperm_at_exec(denial)
        } else {
            super::acl_cmd::noperm_reply(denial, cmd)
        }
    })
}

/// The arguments as `redactClientCommandArgument` leaves them for the slow log and
/// MONITOR (None: nothing to hide): CONFIG SET's values of sensitive parameters, ACL
/// SETUSER's user and rules, AUTH's credentials, HELLO's AUTH pair — at the points the
/// commands redact them (a command refused before that point redacts nothing).
pub fn redacted_argv(cmd: &Command, argv: &[Bytes]) -> Option<Vec<Bytes>> {
    let hidden: Vec<usize> = match cmd.name {
        "config|set" => (2..argv.len())
            .step_by(2)
            .filter(|&pair| {
                let name = String::from_utf8_lossy(&argv[pair]).into_owned();
                pair + 1 < argv.len()
                    && crate::config::lookup_param(&name)
                        .is_some_and(|(_, p)| p.flags & crate::config::params::SENSITIVE != 0)
            })
            .map(|pair| pair + 1)
            .collect(),
        "acl|setuser" => (2..argv.len()).collect(),
        "auth" if argv.len() <= 3 => (1..argv.len()).collect(),
        "hello" => hello_secrets(argv),
        _ => return None,
    };
    if hidden.is_empty() {
        return None;
    }
    let mut out = argv.to_vec();
    for i in hidden {
        out[i] = Bytes::from_static(b"(redacted)");
    }
    Some(out)
}

/// HELLO's AUTH arguments, as helloCommand reaches them: after a valid protocol
/// version, each `AUTH user pass` until an option it does not know.
fn hello_secrets(argv: &[Bytes]) -> Vec<usize> {
    let mut hidden = Vec::new();
    if argv.len() >= 2 && !matches!(crate::util::int::string2ll(&argv[1]), Some(2 | 3)) {
        return hidden;
    }
    let mut j = 2;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if argv[j].eq_ignore_ascii_case(b"auth") && more >= 2 {
            hidden.extend([j + 1, j + 2]);
            j += 3;
        } else if argv[j].eq_ignore_ascii_case(b"setname") && more >= 1 {
            j += 2;
        } else {
            break;
        }
    }
    hidden
}

/// processCommand's maxmemory check: with `maxmemory` set, every command first evicts
/// what the policy allows (`evict::perform_evictions`); if memory is still over the
/// limit, a command that may grow memory (denyoom), or anything queued in MULTI but
/// EXEC, DISCARD, QUIT and RESET, is refused. Commands run by EXEC were checked when
/// queued, as in Redis.
fn out_of_memory(ctx: &mut Ctx<'_>, cmd: &Command) -> bool {
    if ctx.server.config.maxmemory == 0 || ctx.session.in_exec {
        return false;
    }
    let out_of_memory = super::evict::perform_evictions(ctx) == super::evict::Evict::Fail;
    let queued =
        ctx.session.multi.is_some() && !matches!(cmd.name, "exec" | "discard" | "quit" | "reset");
    out_of_memory && (cmd.has(DENYOOM) || queued)
}

/// processCommand's disk-error check: after a failed background save (with save points
/// and `stop-writes-on-bgsave-error`), write commands, PING, and an EXEC whose queue
/// holds a write are refused. Commands run by EXEC are not checked again.
fn denied_by_disk_error(ctx: &Ctx<'_>, cmd: &Command) -> Option<Reply> {
    if ctx.session.in_exec {
        return None;
    }
    let denial = if super::persistence::writes_denied_by_disk_error(ctx.server) {
        Reply::err(super::persistence::MISCONF)
    } else {
        Reply::error(super::aof::write_error_denial(ctx.server)?)
    };
    let queued_write = cmd.name == "exec"
        && ctx.session.multi.as_ref().is_some_and(|m| {
            m.queued
                .iter()
                .any(|argv| lookup(&argv[0]).is_some_and(|c| c.is_write()))
        });
    (cmd.is_write() || cmd.name == "ping" || queued_write).then_some(denial)
}

/// rejectCommand: flags an open transaction; EXEC itself turns the error into an
/// EXECABORT and drops the transaction.
fn reject(ctx: &mut Ctx<'_>, cmd: Option<&Command>, error: Reply) -> Reply {
    if let Some(cmd) = cmd {
        ctx.server.command_stats.record_rejected(cmd.name);
    }
    if ctx.session.in_exec {
        return error;
    }
    if let Some(multi) = ctx.session.multi.as_mut() {
        multi.errored = true;
    }
    if cmd.is_some_and(|c| c.name == "exec") {
        ctx.session.multi = None;
        ctx.keyspace.unwatch_all(ctx.session.id);
        if let Reply::Error(text) = &error {
            let text = text.strip_prefix(b"ERR ").unwrap_or(text);
            return Reply::error_bytes(
                [b"EXECABORT Transaction discarded because of: ", text].concat(),
            );
        }
    }
    error
}

/// Redis's text for an unknown command, byte for byte: `'%.128s'` of the name, then
/// `'%.*s' ` per argument with the precision `128 - ` what is written so far, while that
/// is under 128 bytes. `%s` stops at a NUL byte; other bytes are echoed raw, invalid
/// UTF-8 included (the encoder turns CR and LF into spaces, as `sdsmapchars` does).
pub fn unknown_command(argv: &[Bytes]) -> Reply {
    let mut args = Vec::new();
    for arg in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push(b'\'');
        args.extend_from_slice(printf_s(arg, room));
        args.extend_from_slice(b"' ");
    }
    Reply::error_bytes(
        [
            b"ERR unknown command '",
            printf_s(&argv[0], 128),
            b"', with args beginning with: ",
            &args,
        ]
        .concat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_entry() -> impl Iterator<Item = &'static Command> {
        all()
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.subcommands.iter()))
    }

    #[test]
    fn sorted_unique_and_documented() {
        for pair in all().windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        for c in all() {
            for pair in c.subcommands.windows(2) {
                assert!(
                    pair[0].name < pair[1].name,
                    "{} before {}",
                    pair[0].name,
                    pair[1].name
                );
            }
        }
        for c in every_entry() {
            assert_eq!(c.name, c.name.to_ascii_lowercase());
            assert!(c.arity != 0, "{}", c.name);
            assert!(!c.docs.since.is_empty(), "{} has no since", c.name);
            assert!(!c.docs.summary.is_empty(), "{} has no summary", c.name);
            // These document no complexity (COMMAND DOCS on Redis 7.0.15).
            assert!(
                !c.docs.complexity.is_empty() || ["monitor", "psync", "sync"].contains(&c.name),
                "{} has no complexity",
                c.name
            );
            assert!(c.flags & MOVABLE_KEYS == 0 || !c.key_specs.is_empty());
        }
    }

    #[test]
    fn every_subcommand_resolves_under_its_container() {
        for c in all().iter().filter(|c| !c.subcommands.is_empty()) {
            assert!(c.arity < 0, "a container takes its subcommand: {}", c.name);
            for s in c.subcommands {
                let (container, short) = s.name.split_once('|').expect("container|sub");
                assert_eq!(container, c.name);
                let upper = Bytes::from(short.to_ascii_uppercase());
                let mut argv = vec![Bytes::from(c.name), upper];
                while !s.arity_ok(argv.len()) {
                    argv.push(Bytes::from_static(b"x"));
                }
                let found = resolve(c, &argv).unwrap_or_else(|_| panic!("{}", s.name));
                assert!(std::ptr::eq(found, s), "{}", s.name);
            }
            let unknown = [Bytes::from(c.name), Bytes::from_static(b"nosuch")];
            assert!(resolve(c, &unknown).is_err());
        }
    }

    #[test]
    fn every_handler_is_reachable_by_name() {
        for c in all() {
            let found = lookup(c.name.to_ascii_uppercase().as_bytes()).expect(c.name);
            assert!(std::ptr::eq(found, c));
            assert!(std::ptr::eq(
                resolve(c, &[Bytes::from(c.name)]).ok().unwrap(),
                c
            ));
        }
        assert!(lookup(b"nosuch").is_none());
        assert!(lookup(&[b'a'; 40]).is_none());
    }

    #[test]
    fn legacy_range_and_movablekeys_are_derived_like_redis() {
        let range_of = |name: &str| {
            let c = lookup(name.as_bytes()).unwrap();
            (c.first_key, c.last_key, c.step, c.has(MOVABLE_KEYS))
        };
        assert_eq!(range_of("get"), (1, 1, 1, false));
        assert_eq!(range_of("mset"), (1, -1, 2, false));
        assert_eq!(range_of("blpop"), (1, -2, 1, false));
        assert_eq!(range_of("lmove"), (1, 2, 1, false));
        assert_eq!(range_of("zunionstore"), (1, 1, 1, true));
        assert_eq!(range_of("lmpop"), (0, 0, 0, true));
        assert_eq!(range_of("ping"), (0, 0, 0, false));
    }

    #[test]
    fn acl_categories_are_implied_like_redis() {
        let names =
            |name: &str| -> Vec<&str> { lookup(name.as_bytes()).unwrap().acl_names().collect() };
        assert_eq!(names("get"), ["read", "string", "fast"]);
        assert_eq!(
            names("bzpopmin"),
            ["write", "sortedset", "fast", "blocking"]
        );
        assert_eq!(
            names("flushall"),
            ["keyspace", "write", "slow", "dangerous"]
        );
        assert_eq!(names("client"), ["slow"]);
        assert_eq!(names("publish"), ["pubsub", "fast"]);
    }
}
