//! ACL (acl.c's `aclCommand`) and the ACL steps of other commands: the permission check
//! dispatch makes before every command, AUTH's credentials check, and the log entries
//! both write.

use super::args::ERR_NOT_INT;
use super::reply::help_reply;
use super::table::*;
use super::Ctx;
use crate::acl::log::{Context, Entry, Reason};
use crate::acl::{self, Denial};
use crate::resp::Reply;
use crate::util::c_str;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("acl", -2, 0, Group::Server, container).subcommands(ACL_SUBCOMMANDS)
        .doc("6.0.0", "A container for Access List Control commands ", "Depends on subcommand."),
];

const ADMIN_SUB: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

#[rustfmt::skip]
const ACL_SUBCOMMANDS: &[Command] = &[
    cmd("acl|cat", -2, NOSCRIPT | LOADING | STALE, Group::Server, acl_cat)
        .doc("6.0.0", "List the ACL categories or the commands inside a category", "O(1) since the categories and commands are a fixed set."),
    cmd("acl|deluser", -3, ADMIN_SUB, Group::Server, acl_deluser)
        .doc("6.0.0", "Remove the specified ACL users and the associated rules", "O(1) amortized time considering the typical user."),
    cmd("acl|dryrun", -4, ADMIN_SUB, Group::Server, acl_dryrun)
        .doc("7.0.0", "Returns whether the user can execute the given command without executing the command.", "O(1)."),
    cmd("acl|genpass", -2, NOSCRIPT | LOADING | STALE, Group::Server, acl_genpass)
        .doc("6.0.0", "Generate a pseudorandom secure password to use for ACL users", "O(1)"),
    cmd("acl|getuser", 3, ADMIN_SUB, Group::Server, acl_getuser)
        .doc("6.0.0", "Get the rules for a specific ACL user", "O(N). Where N is the number of password, command and pattern rules that the user has.")
        .history(&[("6.2.0", "Added Pub/Sub channel patterns."), ("7.0.0", "Added selectors and changed the format of key and channel patterns from a list to their rule representation.")]),
    cmd("acl|help", 2, LOADING | STALE, Group::Server, acl_help)
        .doc("6.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("acl|list", 2, ADMIN_SUB, Group::Server, acl_list)
        .doc("6.0.0", "List the current ACL rules in ACL config file format", "O(N). Where N is the number of configured users."),
    cmd("acl|load", 2, ADMIN_SUB, Group::Server, acl_load)
        .doc("6.0.0", "Reload the ACLs from the configured ACL file", "O(N). Where N is the number of configured users."),
    cmd("acl|log", -2, ADMIN_SUB, Group::Server, acl_log)
        .doc("6.0.0", "List latest events denied because of ACLs in place", "O(N) with N being the number of entries shown."),
    cmd("acl|save", 2, ADMIN_SUB, Group::Server, acl_save)
        .doc("6.0.0", "Save the current ACL rules in the configured ACL file", "O(N). Where N is the number of configured users."),
    cmd("acl|setuser", -3, ADMIN_SUB, Group::Server, acl_setuser)
        .doc("6.0.0", "Modify or create the rules for a specific ACL user", "O(N). Where N is the number of rules provided.")
        .history(&[("6.2.0", "Added Pub/Sub channel patterns."), ("7.0.0", "Added selectors and key based permissions.")]),
    cmd("acl|users", 2, ADMIN_SUB, Group::Server, acl_users)
        .doc("6.0.0", "List the username of all the configured ACL rules", "O(N). Where N is the number of configured users."),
    cmd("acl|whoami", 2, NOSCRIPT | LOADING | STALE, Group::Server, acl_whoami)
        .doc("6.0.0", "Return the name of the user associated to the current connection", "O(1)"),
];

/// Adds an entry to the ACL log for the calling client (`addACLLogEntry`).
pub fn log_denial(
    ctx: &mut Ctx<'_>,
    reason: Reason,
    context: Context,
    object: Bytes,
    username: Option<Bytes>,
) {
    let now_ms = ctx.now_ms();
    let client_info = Bytes::from(ctx.session.info(now_ms).to_line());
    let entry = Entry {
        count: 1,
        reason,
        context,
        object,
        username: username.unwrap_or_else(|| ctx.session.user.clone()),
        ctime_ms: now_ms,
        client_info,
    };
    let max_len = acl::log_max_len(&ctx.server.config);
    ctx.server.acl.log.add(entry, max_len);
}

/// What a refusal logs as its object: the command's full name or the argument.
fn denial_object(denial: Denial, cmd: &Command, argv: &[Bytes]) -> (Reason, Bytes) {
    match denial {
        Denial::Command => (Reason::Command, Bytes::from_static(cmd.name.as_bytes())),
        Denial::Key(pos) => (Reason::Key, argv[pos].clone()),
        Denial::Channel(pos) => (Reason::Channel, argv[pos].clone()),
    }
}

/// The caller's permission to run `cmd` (`ACLCheckAllPerm`), logged when refused.
/// A user deleted under a running connection is allowed nothing.
pub fn check(
    ctx: &mut Ctx<'_>,
    cmd: &'static Command,
    argv: &[Bytes],
    context: Context,
) -> Result<(), Denial> {
    let result = match ctx.server.acl.user(&ctx.session.user) {
        Some(user) => {
            let root = user.root();
            if root.all_commands && root.all_keys && root.all_channels {
                return Ok(());
            }
            acl::check_command(user, cmd, argv)
        }
        None => Err(Denial::Command),
    };
    if let Err(denial) = result {
        let (reason, object) = denial_object(denial, cmd, argv);
        log_denial(ctx, reason, context, object, None);
    }
    result
}

/// processCommand's refusal texts.
pub fn noperm_reply(denial: Denial, cmd: &Command) -> Reply {
    match denial {
        Denial::Command => Reply::error(format!(
            "NOPERM this user has no permissions to run the '{}' command",
            cmd.name
        )),
        Denial::Key(_) => Reply::err(
            "NOPERM this user has no permissions to access one of the keys used as arguments",
        ),
        Denial::Channel(_) => Reply::err(
            "NOPERM this user has no permissions to access one of the channels used as arguments",
        ),
    }
}

/// EXEC's text for a queued command the rules no longer allow (multi.c).
pub fn noperm_at_exec(denial: Denial) -> Reply {
    let reason = match denial {
        Denial::Command => "no permission to execute the command or subcommand",
        Denial::Key(_) => "no permission to touch the specified keys",
        Denial::Channel(_) => "no permission to access one of the channels used as arguments",
    };
    Reply::error(format!("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}"))
}

/// A script's text for a refused `redis.call` (`getAclErrorMessage`).
pub fn noperm_in_script(denial: Denial) -> String {
    let why = match denial {
        Denial::Command => "can't run this command or subcommand",
        Denial::Key(_) => {
            "can't access at least one of the keys mentioned in the command arguments"
        }
        Denial::Channel(_) => "can't publish to the channel mentioned in the command",
    };
    format!("The user executing the script {why}")
}

/// `ACLAuthenticateUser`: on success the connection runs as `user`; a failure is logged.
/// `command` is the name as the client sent it (the log's object).
pub fn authenticate(ctx: &mut Ctx<'_>, command: &Bytes, user: &Bytes, password: &[u8]) -> bool {
    if ctx.server.acl.credentials_ok(user, password) {
        ctx.session.authenticated = true;
        ctx.session.user = user.clone();
        return true;
    }
    let context = if ctx.session.multi.is_some() {
        Context::Multi
    } else {
        Context::Toplevel
    };
    log_denial(
        ctx,
        Reason::Auth,
        context,
        command.clone(),
        Some(user.clone()),
    );
    false
}

/// Closes every connection running as one of `names` (`ACLFreeUserAndKillClients`):
/// the caller after its reply, others at once; the caller falls back to `default`,
/// unauthenticated.
fn kill_clients_of(ctx: &mut Ctx<'_>, names: &[Bytes]) {
    let now_ms = ctx.now_ms();
    let mut matches = |c: &super::ClientInfo| names.contains(&c.user);
    ctx.clients.kill(&mut matches, now_ms);
    if names.contains(&ctx.session.user) {
        ctx.session.user = Bytes::from_static(b"default");
        ctx.session.authenticated = false;
        ctx.session.close_after_reply = true;
    }
}

fn acl_setuser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let name = &argv[2];
    if !acl::user::valid_name(name) {
        return Err(Reply::err(
            "ERR Usernames can't contain spaces or null characters",
        ));
    }
    let pubsub_all = acl::pubsub_default_all(&ctx.server.config);
    match ctx.server.acl.set_user(name, &argv[3..], pubsub_all) {
        Ok(Some(original)) => {
            kill_revoked_subscribers(ctx, name, &original);
            Ok(Reply::OK)
        }
        Ok(None) => Ok(Reply::OK),
        Err(text) => Err(Reply::error_bytes([b"ERR ".as_slice(), &text].concat())),
    }
}

/// `ACLKillPubsubClientsIfNeeded`: after SETUSER, the user's clients subscribed to a
/// channel or pattern the new rules no longer allow are closed.
fn kill_revoked_subscribers(ctx: &mut Ctx<'_>, name: &Bytes, original: &acl::User) {
    let Some(user) = ctx.server.acl.user(name) else {
        return;
    };
    let Some(allowed) = acl::revoked_channels(user, original) else {
        return;
    };
    let mut violators = std::collections::BTreeSet::new();
    ctx.server
        .pubsub
        .each_subscription(|id, channel, is_pattern| {
            if !acl::selector::channel_in_list(&allowed, channel, is_pattern) {
                violators.insert(id);
            }
        });
    let now_ms = ctx.now_ms();
    let mut matches = |c: &super::ClientInfo| c.user == name && violators.contains(&c.id);
    ctx.clients.kill(&mut matches, now_ms);
    if ctx.session.user == name && violators.contains(&ctx.session.id) {
        ctx.session.close_after_reply = true;
    }
}

fn acl_deluser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv[2..].iter().any(|n| c_str(n) == b"default") {
        return Err(Reply::err("ERR The 'default' user cannot be removed"));
    }
    let mut deleted = Vec::new();
    for name in &argv[2..] {
        if ctx.server.acl.users.remove(name).is_some() {
            deleted.push(name.clone());
        }
    }
    kill_clients_of(ctx, &deleted);
    Ok(Reply::Integer(deleted.len() as i64))
}

fn selector_fields(s: &acl::selector::Selector) -> Vec<(Reply, Reply)> {
    vec![
        (Reply::bulk("commands"), Reply::bulk(s.describe_commands())),
        (Reply::bulk("keys"), Reply::bulk(s.describe_keys())),
        (Reply::bulk("channels"), Reply::bulk(s.describe_channels())),
    ]
}

fn acl_getuser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(user) = ctx.server.acl.user(&argv[2]) else {
        return Ok(Reply::Null);
    };
    let flags = acl::user::FLAG_NAMES
        .iter()
        .filter(|(bit, _)| user.flags & bit != 0)
        .map(|(_, name)| Reply::bulk(*name))
        .collect();
    let passwords = user
        .passwords
        .iter()
        .map(|p| Reply::bulk(p.clone()))
        .collect();
    let mut fields = vec![
        (Reply::bulk("flags"), Reply::Set(flags)),
        (Reply::bulk("passwords"), Reply::Array(passwords)),
    ];
    fields.extend(selector_fields(user.root()));
    let selectors = user.selectors[1..]
        .iter()
        .map(|s| Reply::Map(selector_fields(s)))
        .collect();
    fields.push((Reply::bulk("selectors"), Reply::Array(selectors)));
    Ok(Reply::Map(fields))
}

fn acl_list(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(
        ctx.server
            .acl
            .users
            .values()
            .map(|u| Reply::bulk([b"user ".as_slice(), &u.name, b" ", &u.describe()].concat()))
            .collect(),
    ))
}

fn acl_users(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(
        ctx.server
            .acl
            .users
            .keys()
            .map(|n| Reply::Bulk(n.clone()))
            .collect(),
    ))
}

fn acl_whoami(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Bulk(ctx.session.user.clone()))
}

const NO_ACL_FILE: &str = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

fn acl_file(ctx: &Ctx<'_>) -> Result<String, Reply> {
    match ctx.server.config.get("aclfile").unwrap_or_default() {
        file if file.is_empty() => Err(Reply::err(NO_ACL_FILE)),
        file => Ok(file),
    }
}

/// ACL LOAD: the users of `aclfile`, all of them or none (the errors say why). Clients
/// keep their connections, as in Redis 7.0.
fn acl_load(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let file = acl_file(ctx)?;
    let users = load_acl_file(
        ctx.storage,
        &file,
        crate::acl::pubsub_default_all(&ctx.server.config),
    )
    .map_err(|e| Reply::error(format!("ERR {e}")))?;
    ctx.server.acl.users = users;
    Ok(Reply::OK)
}

/// ACLLoadFromFile: the file read through the storage, then parsed. Redis's text when
/// the file cannot be opened names the file and strerror's words.
pub fn load_acl_file(
    storage: &mut dyn crate::storage::Storage,
    file: &str,
    pubsub_all: bool,
) -> Result<std::collections::BTreeMap<Bytes, crate::acl::User>, String> {
    let text = crate::storage::read_to_end(storage, file).map_err(|e| {
        format!(
            "Error loading ACLs, opening file '{file}': {}",
            crate::persist::snapshot::os_reason(&e)
        )
    })?;
    crate::acl::file::from_text(&text, file, pubsub_all)
}

/// ACL SAVE: every user as an `aclfile` line, written to a temporary file renamed over
/// the file (no fsync, as Redis 7.0 does not).
fn acl_save(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let file = acl_file(ctx)?;
    let text = crate::acl::file::to_text(&ctx.server.acl);
    let tmp = format!("{file}.tmp-{}-{}", ctx.server.pid, ctx.now_ms());
    let storage = &mut *ctx.storage;
    let written = storage.create(&tmp).and_then(|f| {
        let result = crate::storage::write_all(storage, f, &text);
        storage.close(f);
        result
    });
    let renamed = written.and_then(|()| storage.rename(&tmp, &file));
    if renamed.is_err() {
        let _ = storage.unlink(&tmp);
        return Err(Reply::err("ERR There was an error trying to save the ACLs. Please check the server logs for more information"));
    }
    Ok(Reply::OK)
}

fn acl_cat(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(name) = argv.get(2) else {
        return Ok(Reply::Array(
            ACL_NAMES.iter().map(|(_, n)| Reply::bulk(*n)).collect(),
        ));
    };
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let Some(category) = acl::commands::category_by_name(c_str(name)) else {
        return Err(Reply::error_bytes(
            [
                b"ERR Unknown category '".as_slice(),
                crate::util::printf_s(name, 128),
                b"'",
            ]
            .concat(),
        ));
    };
    Ok(Reply::Array(
        acl::commands::index()
            .entries
            .iter()
            .filter(|c| c.acl_categories() & category != 0)
            .map(|c| Reply::bulk(c.name))
            .collect(),
    ))
}

/// `addReplySubcommandSyntaxError`.
fn subcommand_syntax_error(argv: &[Bytes]) -> Reply {
    Reply::error_bytes(
        [
            b"ERR unknown subcommand or wrong number of arguments for '".as_slice(),
            crate::util::printf_s(&argv[1], 128),
            b"'. Try ACL HELP.",
        ]
        .concat(),
    )
}

/// GENPASS_MAX_BITS.
const GENPASS_MAX_BITS: i64 = 4096;

fn acl_genpass(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    use rand_core::RngCore;
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let bits = match argv.get(2) {
        Some(arg) => crate::util::int::string2ll(arg).ok_or(Reply::err(ERR_NOT_INT))?,
        None => 256,
    };
    if bits <= 0 || bits > GENPASS_MAX_BITS {
        return Err(Reply::error(format!("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GENPASS_MAX_BITS}")));
    }
    let chars = ((bits + 3) / 4) as usize;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = vec![0u8; chars];
    ctx.server.rng.fill_bytes(&mut bytes);
    let pass: Vec<u8> = bytes.iter().map(|b| HEX[(b & 0x0f) as usize]).collect();
    Ok(Reply::bulk(pass))
}

fn acl_log(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let mut count: i64 = 10;
    if let Some(arg) = argv.get(2) {
        if c_str(arg).eq_ignore_ascii_case(b"reset") {
            ctx.server.acl.log.reset();
            return Ok(Reply::OK);
        }
        count = crate::util::int::string2ll(arg).ok_or(Reply::err(ERR_NOT_INT))?;
    }
    let count = usize::try_from(count.max(0)).unwrap_or(usize::MAX);
    let now_ms = ctx.now_ms();
    let entries = ctx
        .server
        .acl
        .log
        .iter()
        .take(count)
        .map(|e| {
            let age = now_ms.saturating_sub(e.ctime_ms) as f64 / 1000.0;
            Reply::Map(vec![
                (Reply::bulk("count"), Reply::Integer(e.count as i64)),
                (Reply::bulk("reason"), Reply::bulk(e.reason.name())),
                (Reply::bulk("context"), Reply::bulk(e.context.name())),
                (Reply::bulk("object"), Reply::Bulk(e.object.clone())),
                (Reply::bulk("username"), Reply::Bulk(e.username.clone())),
                (Reply::bulk("age-seconds"), Reply::Double(age)),
                (
                    Reply::bulk("client-info"),
                    Reply::Bulk(e.client_info.clone()),
                ),
            ])
        })
        .collect();
    Ok(Reply::Array(entries))
}

fn acl_dryrun(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(user) = ctx.server.acl.user(&argv[2]) else {
        return Err(Reply::error_bytes(
            [b"ERR User '".as_slice(), c_str(&argv[2]), b"' not found"].concat(),
        ));
    };
    let inner = &argv[3..];
    let not_found = || {
        Reply::error_bytes(
            [
                b"ERR Command '".as_slice(),
                c_str(&inner[0]),
                b"' not found",
            ]
            .concat(),
        )
    };
    let base = lookup(&inner[0]).ok_or_else(not_found)?;
    // lookupCommand: a container with a second argument names its subcommand.
    let cmd = match inner.get(1) {
        Some(sub) if !base.subcommands.is_empty() => {
            find_subcommand(base, sub).ok_or_else(not_found)?
        }
        _ => base,
    };
    if !cmd.arity_ok(inner.len()) {
        return Err(Reply::error(format!(
            "ERR wrong number of arguments for '{}' command",
            cmd.name
        )));
    }
    match acl::check_command(user, cmd, inner) {
        Ok(()) => Ok(Reply::OK),
        Err(Denial::Command) => Ok(Reply::bulk(format!(
            "This user has no permissions to run the '{}' command",
            cmd.name
        ))),
        Err(Denial::Key(pos)) => Ok(Reply::bulk(
            [
                b"This user has no permissions to access the '".as_slice(),
                c_str(&inner[pos]),
                b"' key",
            ]
            .concat(),
        )),
        Err(Denial::Channel(pos)) => Ok(Reply::bulk(
            [
                b"This user has no permissions to access the '".as_slice(),
                c_str(&inner[pos]),
                b"' channel",
            ]
            .concat(),
        )),
    }
}

fn acl_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "ACL",
        &[
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
        ],
    ))
}
