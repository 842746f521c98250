//! The command table: every command's name, arity, flags, key positions and handler.
//!
//! Each family file (`strings.rs`, `keys.rs`, ...) exports `pub const COMMANDS: &[Command]`;
//! [`all`] joins them, sorted by name, and [`dispatch`] looks a command up by binary search
//! on its lower-cased name (no hash map: nothing here may depend on a seeded hasher).

use super::Ctx;
use crate::resp::Reply;
use crate::util::printf_s;
use bytes::Bytes;
use std::sync::OnceLock;

/// What a handler returns: `Err` carries an error reply, so handlers can use `?`.
/// Both arms reach the client the same way; dispatch only unwraps.
pub type CmdResult = Result<Reply, Reply>;

/// A handler: runs a command whose name and arity were already checked.
pub type Handler = fn(&mut Ctx<'_>, &[Bytes]) -> CmdResult;

/// One entry of the table, in the shape COMMAND INFO reports.
#[derive(Clone, Copy)]
pub struct Command {
    /// Lower-case name.
    pub name: &'static str,
    /// Redis's convention: `n` means exactly n arguments including the name, `-n` at least n.
    pub arity: i32,
    /// COMMAND INFO flags, e.g. `&["write", "denyoom", "fast"]`.
    pub flags: &'static [&'static str],
    /// Key positions: first, last (negative counts from the end), step. 0,0,0 = no keys.
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    /// ACL categories without the `@`, e.g. `&["string", "fast"]`.
    pub acl: &'static [&'static str],
    /// COMMAND DOCS summary and the version the command appeared in.
    pub summary: &'static str,
    pub since: &'static str,
    /// The family, as COMMAND DOCS `group` reports it: "string", "generic", "server", ...
    pub group: &'static str,
    pub handler: Handler,
}

impl Command {
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

    pub fn is_write(&self) -> bool {
        self.flags.contains(&"write")
    }
}

/// Every family's commands, joined and sorted by name once.
pub fn all() -> &'static [Command] {
    static TABLE: OnceLock<Vec<Command>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let families: &[&[Command]] = &[
            super::strings::COMMANDS,
            super::keys::COMMANDS,
            super::db_cmds::COMMANDS,
            super::connection::COMMANDS,
            super::server_cmds::COMMANDS,
            super::lists::COMMANDS,
            super::hashes::COMMANDS,
            super::sets::COMMANDS,
            super::zsets::COMMANDS,
            super::multi::COMMANDS,
            super::pubsub::COMMANDS,
            super::blocking::COMMANDS,
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

/// Commands a RESP2 client in subscribed mode may run.
const SUBSCRIBED_ALLOWED: &[&str] = &[
    "ping",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
    "subscribe",
    "unsubscribe",
];

/// Commands that run at once instead of being queued inside MULTI.
const NOT_QUEUED: &[&str] = &["discard", "exec", "multi", "quit", "reset", "watch"];

/// Upper bound of the bytes a transaction may queue (Redis has none of its own; the
/// query buffer limit is the same order of magnitude).
pub const MULTI_MAX_BYTES: usize = 1 << 30;

/// Looks up and runs one command (processCommand): name, arity, subcommand, auth and
/// subscribed-mode checks, then MULTI queueing or the handler. A refused command flags
/// an open transaction so its EXEC aborts.
pub fn dispatch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
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
    let cmd = match super::server_cmds::resolve(cmd, argv) {
        Ok(cmd) => cmd,
        Err(reply) => return reject(ctx, Some(cmd), reply),
    };
    if !ctx.session.authenticated && !cmd.flags.contains(&"no_auth") {
        return reject(
            ctx,
            Some(cmd),
            Reply::err("NOAUTH Authentication required."),
        );
    }
    if ctx.session.resp == 2
        && ctx.session.subscriptions() > 0
        && !SUBSCRIBED_ALLOWED.contains(&cmd.name)
    {
        let e = Reply::error(format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            cmd.name
        ));
        return reject(ctx, Some(cmd), e);
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
    ctx.session.last_cmd = cmd.name;
    (cmd.handler)(ctx, argv).unwrap_or_else(|error| error)
}

/// rejectCommand: flags an open transaction; EXEC itself turns the error into an
/// EXECABORT and drops the transaction.
fn reject(ctx: &mut Ctx<'_>, cmd: Option<&Command>, error: Reply) -> Reply {
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
