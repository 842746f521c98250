//! Connection commands: PING, ECHO, QUIT, HELLO, AUTH and the CLIENT container.
//!
//! These read and change the caller's [`Session`](super::Session) and, for CLIENT LIST and
//! CLIENT KILL, the other connections through [`ClientRegistry`](super::ClientRegistry).
//! Replies and error texts are Redis 7.0.15's, checked against a real server.

use super::reply::help_reply;
use super::table::*;
use super::{ClientInfo, Ctx};
use crate::resp::Reply;
use crate::util::c_str;
use crate::util::int::string2ll;
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("auth", -2, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Group::Connection, auth)
        .doc("1.0.0", "Authenticate to the server", "O(N) where N is the number of passwords defined for the user")
        .history(&[("6.0.0", "Added ACL style (username and password).")]),
    cmd("client", -2, 0, Group::Connection, container).subcommands(CLIENT_SUBCOMMANDS)
        .doc("2.4.0", "A container for client connection commands", "Depends on subcommand."),
    cmd("echo", 2, LOADING | STALE | FAST, Group::Connection, echo)
        .doc("1.0.0", "Echo the given string", "O(1)"),
    cmd("hello", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Group::Connection, hello)
        .doc("6.0.0", "Handshake with Redis", "O(1)")
        .history(&[("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context.")]),
    cmd("ping", -1, FAST, Group::Connection, ping).tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .doc("1.0.0", "Ping the server", "O(1)"),
    cmd("quit", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Group::Connection, quit)
        .doc("1.0.0", "Close the connection", "O(1)"),
];

/// CLIENT's subcommands, sorted by name. PAUSE, TRACKING, CACHING, UNBLOCK and friends
/// are not implemented: they answer "unknown subcommand" rather than pretend.
#[rustfmt::skip]
pub const CLIENT_SUBCOMMANDS: &[Command] = &[
    cmd("client|getname", 2, NOSCRIPT | LOADING | STALE, Group::Connection, client_getname)
        .doc("2.6.9", "Get the current connection name", "O(1)"),
    cmd("client|help", 2, LOADING | STALE, Group::Connection, client_help)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("client|id", 2, NOSCRIPT | LOADING | STALE, Group::Connection, client_id)
        .doc("5.0.0", "Returns the client ID for the current connection", "O(1)"),
    cmd("client|info", 2, NOSCRIPT | LOADING | STALE, Group::Connection, client_info).tips(&["nondeterministic_output"])
        .doc("6.2.0", "Returns information about the current client connection.", "O(1)"),
    cmd("client|kill", -3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Connection, client_kill)
        .doc("2.4.0", "Kill the connection of a client", "O(N) where N is the number of client connections")
        .history(&[("2.8.12", "Added new filter format."), ("2.8.12", "`ID` option."), ("3.2.0", "Added `master` type in for `TYPE` option."), ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."), ("6.2.0", "`LADDR` option.")]),
    cmd("client|list", -2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Connection, client_list).tips(&["nondeterministic_output"])
        .doc("2.4.0", "Get the list of client connections", "O(N) where N is the number of client connections")
        .history(&[("2.8.12", "Added unique client `id` field."), ("5.0.0", "Added optional `TYPE` filter."), ("6.0.0", "Added `user` field."), ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."), ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."), ("7.0.3", "Added `ssub` field.")]),
    cmd("client|no-evict", 3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Connection, client_no_evict)
        .doc("7.0.0", "Set client eviction mode for the current connection", "O(1)"),
    cmd("client|pause", -3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Connection, super::pause::client_pause)
        .doc("2.9.50", "Stop processing commands from clients for some time", "O(1)")
        .history(&[("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")]),
    cmd("client|reply", 3, NOSCRIPT | LOADING | STALE, Group::Connection, client_reply)
        .doc("3.2.0", "Instruct the server whether to reply to commands", "O(1)"),
    cmd("client|setname", 3, NOSCRIPT | LOADING | STALE, Group::Connection, client_setname)
        .doc("2.6.9", "Set the current connection name", "O(1)"),
    cmd("client|unblock", -3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Connection, client_unblock)
        .doc("5.0.0", "Unblock a client blocked in a blocking command from a different connection", "O(log N) where N is the number of client connections"),
    cmd("client|unpause", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Connection, super::pause::client_unpause)
        .doc("6.2.0", "Resume processing of clients that were paused", "O(N) Where N is the number of paused clients"),
];

fn ping(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if ctx.session.resp == 2 && ctx.session.in_pubsub() && argv.len() <= 2 {
        // Subscribed RESP2 mode: a ["pong", message] array.
        let msg = argv.get(1).cloned().unwrap_or_default();
        return Ok(Reply::Array(vec![
            Reply::bulk(Bytes::from_static(b"pong")),
            Reply::Bulk(msg),
        ]));
    }
    match argv.len() {
        1 => Ok(Reply::simple("PONG")),
        // With a message PING is ECHO: a bulk string in both protocols (outside of
        // RESP2 subscribed mode, above).
        2 => Ok(Reply::Bulk(argv[1].clone())),
        // The table's arity (-1) lets any count through; Redis caps PING at one message.
        _ => Err(Reply::err(
            "ERR wrong number of arguments for 'ping' command",
        )),
    }
}

fn echo(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    match argv.get(1) {
        Some(msg) => Ok(Reply::Bulk(msg.clone())),
        None => Err(Reply::err(
            "ERR wrong number of arguments for 'echo' command",
        )),
    }
}

/// QUIT: +OK, then the loop closes the connection once the reply is written.
fn quit(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.session.close_after_reply = true;
    Ok(Reply::OK)
}

/// Redis's `addAuthErrReply` text: the same for a wrong user and a wrong password, so a
/// client cannot probe which user names exist.
const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

fn auth(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (user, pass) = match argv {
        [_, pass] => {
            // The two-argument form keeps its pre-ACL error when there is no password.
            if ctx.server.acl.default_user().nopass() {
                return Err(Reply::err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
            }
            (Bytes::from_static(b"default"), pass)
        }
        [_, user, pass] => (user.clone(), pass),
        _ => return Err(Reply::err("ERR syntax error")),
    };
    if super::acl_cmd::authenticate(ctx, &argv[0], &user, pass) {
        Ok(Reply::OK)
    } else {
        Err(Reply::err(WRONGPASS))
    }
}

/// Redis's `validateClientName`: printable ASCII other than space (33..=126).
fn valid_client_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

const BAD_CLIENT_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";

fn set_name(ctx: &mut Ctx<'_>, name: &Bytes) {
    // An empty name clears it, as CLIENT SETNAME "" does in Redis.
    ctx.session.name = if name.is_empty() {
        None
    } else {
        Some(name.clone())
    };
}

/// HELLO [protover [AUTH user pass] [SETNAME name]], in Redis's order of checks:
/// version, options, credentials, then "must be authenticated", and only then changes.
fn hello(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut version = None;
    if let Some(arg) = argv.get(1) {
        let Some(v) = string2ll(arg) else {
            return Err(Reply::err(
                "ERR Protocol version is not an integer or out of range",
            ));
        };
        if !(2..=3).contains(&v) {
            return Err(Reply::err("NOPROTO unsupported protocol version"));
        }
        version = Some(v as u8);
    }
    let mut creds = None;
    let mut name = None;
    let mut j = 2;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
            creds = Some((&argv[j + 1], &argv[j + 2]));
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
            if !valid_client_name(&argv[j + 1]) {
                return Err(Reply::err(BAD_CLIENT_NAME));
            }
            name = Some(argv[j + 1].clone());
            j += 2;
        } else {
            return Err(Reply::error_bytes(
                [b"ERR Syntax error in HELLO option '", c_str(opt), b"'"].concat(),
            ));
        }
    }
    if let Some((user, pass)) = creds {
        if !super::acl_cmd::authenticate(ctx, &argv[0], user, pass) {
            return Err(Reply::err(WRONGPASS));
        }
    }
    if !ctx.session.authenticated {
        return Err(Reply::err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
    }
    if let Some(name) = name {
        set_name(ctx, &name);
    }
    if let Some(v) = version {
        ctx.session.resp = v;
    }
    let field = |s: &'static str| Reply::bulk(s);
    Ok(Reply::Map(vec![
        (field("server"), field("redis")),
        (field("version"), field("7.0.15")),
        (field("proto"), Reply::Integer(i64::from(ctx.session.resp))),
        (field("id"), Reply::Integer(clamp_i64(ctx.session.id))),
        (field("mode"), field("standalone")),
        (field("role"), field("master")),
        (field("modules"), Reply::Array(Vec::new())),
    ]))
}

fn client_id(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(clamp_i64(ctx.session.id)))
}

fn client_getname(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    match &ctx.session.name {
        Some(name) => Ok(Reply::Bulk(name.clone())),
        None => Ok(Reply::Null),
    }
}

fn client_setname(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(name) = argv.get(2) else {
        return Err(Reply::err(
            "ERR wrong number of arguments for 'client|setname' command",
        ));
    };
    if !valid_client_name(name) {
        return Err(Reply::err(BAD_CLIENT_NAME));
    }
    set_name(ctx, name);
    Ok(Reply::OK)
}

/// Every client, the caller included, in id order (Redis lists in connection order,
/// which is id order too since ids only grow).
fn all_clients(ctx: &Ctx<'_>) -> Vec<ClientInfo> {
    let now_ms = ctx.now_ms();
    let mut list = ctx.clients.list(now_ms);
    let me = ctx.session.info(now_ms);
    let at = list.partition_point(|c| c.id < me.id);
    list.insert(at, me);
    list
}

/// Client classes CLIENT LIST TYPE and CLIENT KILL TYPE accept. Every seedis client is
/// `normal`; the others are valid names that simply match nobody.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Other,
}

fn client_type(name: &[u8]) -> Option<ClientType> {
    let lower = name.to_ascii_lowercase();
    match lower.as_slice() {
        b"normal" => Some(ClientType::Normal),
        b"slave" | b"replica" | b"master" | b"pubsub" => Some(ClientType::Other),
        _ => None,
    }
}

fn unknown_type(name: &[u8]) -> Reply {
    Reply::error_bytes([b"ERR Unknown client type '", c_str(name), b"'"].concat())
}

/// The text form of a client list: one line per client, each ended by `\n`.
fn lines(clients: &[ClientInfo]) -> Bytes {
    let mut out = String::new();
    for c in clients {
        out.push_str(&c.to_line());
        out.push('\n');
    }
    Bytes::from(out)
}

/// CLIENT LIST [TYPE type | ID id [id ...]].
fn client_list(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let clients = all_clients(ctx);
    let selected: Vec<ClientInfo> = if argv.len() == 4 && argv[2].eq_ignore_ascii_case(b"type") {
        match client_type(&argv[3]) {
            None => return Ok(unknown_type(&argv[3])),
            Some(ClientType::Normal) => clients,
            Some(ClientType::Other) => Vec::new(),
        }
    } else if argv.len() > 3 && argv[2].eq_ignore_ascii_case(b"id") {
        let mut picked = Vec::new();
        for arg in &argv[3..] {
            let Some(id) = string2ll(arg) else {
                return Err(Reply::err("ERR Invalid client ID"));
            };
            picked.extend(clients.iter().filter(|c| clamp_i64(c.id) == id).cloned());
        }
        // Ids that name no client are skipped; none at all gives an empty text.
        picked
    } else if argv.len() != 2 {
        return Err(Reply::err("ERR syntax error"));
    } else {
        clients
    };
    Ok(Reply::Verbatim("txt", lines(&selected)))
}

fn client_info(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let me = ctx.session.info(ctx.now_ms());
    Ok(Reply::Verbatim("txt", lines(std::slice::from_ref(&me))))
}

/// The filters of CLIENT KILL's new form; every given one must match.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    addr: Option<String>,
    laddr: Option<String>,
    normal_only: Option<bool>,
    user: Option<Bytes>,
    skip_me: bool,
}

impl KillFilter {
    fn matches(&self, c: &ClientInfo) -> bool {
        self.id.is_none_or(|id| c.id == id)
            && self.addr.as_ref().is_none_or(|a| &c.addr == a)
            && self.laddr.as_ref().is_none_or(|a| &c.laddr == a)
            && self.normal_only != Some(false)
            && self.user.as_ref().is_none_or(|u| c.user == u)
    }
}

/// CLIENT KILL addr (old form: +OK or "No such client") or
/// CLIENT KILL <filter> <value> ... (new form: the number of clients killed).
fn client_kill(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now_ms = ctx.now_ms();
    if argv.len() == 3 {
        // The old form does not skip the caller.
        let addr = String::from_utf8_lossy(&argv[2]).into_owned();
        let mut matcher = |c: &ClientInfo| c.addr == addr;
        let mut killed = ctx.clients.kill(&mut matcher, now_ms);
        if ctx.session.addr == addr {
            ctx.session.close_after_reply = true;
            killed += 1;
        }
        return if killed == 0 {
            Err(Reply::err("ERR No such client"))
        } else {
            Ok(Reply::OK)
        };
    }
    let mut filter = KillFilter {
        skip_me: true,
        ..KillFilter::default()
    };
    let mut i = 2;
    while i < argv.len() {
        let opt = &argv[i];
        let Some(value) = argv.get(i + 1) else {
            return Err(Reply::err("ERR syntax error"));
        };
        if opt.eq_ignore_ascii_case(b"id") {
            match string2ll(value) {
                Some(id) if id >= 1 => filter.id = Some(id as u64),
                _ => return Err(Reply::err("ERR client-id should be greater than 0")),
            }
        } else if opt.eq_ignore_ascii_case(b"type") {
            match client_type(value) {
                None => return Ok(unknown_type(value)),
                Some(t) => filter.normal_only = Some(t == ClientType::Normal),
            }
        } else if opt.eq_ignore_ascii_case(b"addr") {
            filter.addr = Some(String::from_utf8_lossy(value).into_owned());
        } else if opt.eq_ignore_ascii_case(b"laddr") {
            filter.laddr = Some(String::from_utf8_lossy(value).into_owned());
        } else if opt.eq_ignore_ascii_case(b"user") {
            if ctx.server.acl.user(value).is_none() {
                return Err(Reply::error_bytes(
                    [b"ERR No such user '", c_str(value), b"'"].concat(),
                ));
            }
            filter.user = Some(value.clone());
        } else if opt.eq_ignore_ascii_case(b"skipme") {
            if value.eq_ignore_ascii_case(b"yes") {
                filter.skip_me = true;
            } else if value.eq_ignore_ascii_case(b"no") {
                filter.skip_me = false;
            } else {
                return Err(Reply::err("ERR syntax error"));
            }
        } else {
            return Err(Reply::err("ERR syntax error"));
        }
        i += 2;
    }
    let mut matcher = |c: &ClientInfo| filter.matches(c);
    let mut killed = ctx.clients.kill(&mut matcher, now_ms);
    if !filter.skip_me && filter.matches(&ctx.session.info(now_ms)) {
        ctx.session.close_after_reply = true;
        killed += 1;
    }
    Ok(Reply::Integer(killed as i64))
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client was blocked on keys (it gets its
/// timeout reply, or `-UNBLOCKED client unblocked via CLIENT UNBLOCK`), else 0.
fn client_unblock(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 4 {
        return Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand or wrong number of arguments for '",
                crate::util::printf_s(&argv[1], 128),
                b"'. Try CLIENT HELP.",
            ]
            .concat(),
        ));
    }
    let error = match argv.get(3) {
        None => false,
        Some(r) if r.eq_ignore_ascii_case(b"timeout") => false,
        Some(r) if r.eq_ignore_ascii_case(b"error") => true,
        Some(_) => {
            return Err(Reply::err(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ))
        }
    };
    let id = super::args::arg_i64(&argv[2])?;
    let unblocked = u64::try_from(id).is_ok_and(|id| ctx.clients.unblock(id, error));
    Ok(Reply::Integer(i64::from(unblocked)))
}

fn client_no_evict(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    // seedis never evicts clients, so the flag has nothing to change; the syntax is checked.
    match argv.get(2) {
        Some(v) if v.eq_ignore_ascii_case(b"on") || v.eq_ignore_ascii_case(b"off") => Ok(Reply::OK),
        _ => Err(Reply::err("ERR syntax error")),
    }
}

/// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing: the loop drops every reply
/// while the session says so (`Session::replies_suppressed`).
fn client_reply(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let session = &mut *ctx.session;
    match argv.get(2) {
        Some(v) if v.eq_ignore_ascii_case(b"on") => {
            session.reply_off = false;
            session.reply_skip = 0;
            Ok(Reply::OK)
        }
        Some(v) if v.eq_ignore_ascii_case(b"off") => {
            session.reply_off = true;
            Ok(Reply::OK)
        }
        Some(v) if v.eq_ignore_ascii_case(b"skip") => {
            if !session.reply_off {
                session.reply_skip = 2;
            }
            Ok(Reply::OK)
        }
        _ => Err(Reply::err("ERR syntax error")),
    }
}

fn client_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "CLIENT",
        &[
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    ))
}

/// A client id as RESP's signed integer: ids are allocated from 1 upwards and never come
/// near i64::MAX, but a saturating conversion keeps this panic-free anyway.
fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, text, Harness};
    use crate::resp::Reply;

    fn hello_map(proto: i64, id: i64) -> Reply {
        Reply::Map(vec![
            (b("server"), b("redis")),
            (b("version"), b("7.0.15")),
            (b("proto"), Reply::Integer(proto)),
            (b("id"), Reply::Integer(id)),
            (b("mode"), b("standalone")),
            (b("role"), b("master")),
            (b("modules"), Reply::Array(vec![])),
        ])
    }

    #[test]
    fn ping_echo_quit() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["PING"]), Reply::simple("PONG"));
        assert_eq!(h.run(&["ping", "hi"]), b("hi"));
        assert_eq!(
            h.run(&["ping", "a", "b"]),
            e("ERR wrong number of arguments for 'ping' command")
        );
        assert_eq!(h.run(&["echo", "x"]), b("x"));
        assert_eq!(
            h.run(&["echo"]),
            e("ERR wrong number of arguments for 'echo' command")
        );
        assert!(!h.session.close_after_reply);
        assert_eq!(h.run(&["quit"]), Reply::OK);
        assert!(h.session.close_after_reply);
    }

    #[test]
    fn hello_versions_and_options() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["hello"]), hello_map(2, 5));
        assert_eq!(
            h.run(&["hello", "4"]),
            e("NOPROTO unsupported protocol version")
        );
        assert_eq!(
            h.run(&["hello", "x"]),
            e("ERR Protocol version is not an integer or out of range")
        );
        assert_eq!(
            h.run(&["hello", "3", "foo"]),
            e("ERR Syntax error in HELLO option 'foo'")
        );
        assert_eq!(
            h.run(&["hello", "2", "auth", "a"]),
            e("ERR Syntax error in HELLO option 'auth'")
        );
        assert_eq!(
            h.run(&["hello", "2", "setname", "a b"]),
            e("ERR Client names cannot contain spaces, newlines or special characters.")
        );
        assert_eq!(
            h.run(&["hello", "2", "auth", "foo", "x"]),
            e("WRONGPASS invalid username-password pair or user is disabled.")
        );
        assert_eq!(h.session.resp, 2);
        // No password configured: `default` accepts any password.
        assert_eq!(
            h.run(&["hello", "3", "auth", "default", "x", "setname", "n"]),
            hello_map(3, 5)
        );
        assert_eq!(h.session.resp, 3);
        assert_eq!(h.session.name.as_deref(), Some(&b"n"[..]));
    }

    #[test]
    fn auth_and_noauth() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["auth", "x"]), e("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
        assert_eq!(h.run(&["auth", "default", "x"]), Reply::OK);
        assert_eq!(
            h.run(&["auth", "foo", "x"]),
            e("WRONGPASS invalid username-password pair or user is disabled.")
        );
        assert_eq!(h.run(&["auth", "a", "b", "c"]), e("ERR syntax error"));

        assert_eq!(h.run(&["config", "set", "requirepass", "pw"]), Reply::OK);
        h.session.authenticated = false;
        assert_eq!(h.run(&["ping"]), e("NOAUTH Authentication required."));
        assert_eq!(
            h.run(&["config", "get", "hz"]),
            e("NOAUTH Authentication required.")
        );
        // Unknown commands, arity errors and unknown subcommands come before the auth check.
        assert_eq!(
            h.run(&["foo"]),
            e("ERR unknown command 'foo', with args beginning with: ")
        );
        assert_eq!(
            h.run(&["echo"]),
            e("ERR wrong number of arguments for 'echo' command")
        );
        assert_eq!(
            h.run(&["config", "foo"]),
            e("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
        );
        let must = e("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        assert_eq!(h.run(&["hello"]), must);
        assert_eq!(h.run(&["hello", "3"]), must);
        assert_eq!(
            h.run(&["hello", "1", "auth", "default", "pw"]),
            e("NOPROTO unsupported protocol version")
        );
        assert_eq!(
            h.run(&["hello", "3", "auth", "default", "bad"]),
            e("WRONGPASS invalid username-password pair or user is disabled.")
        );
        assert_eq!(h.session.resp, 2);
        assert_eq!(
            h.run(&["auth", "bad"]),
            e("WRONGPASS invalid username-password pair or user is disabled.")
        );
        assert_eq!(
            h.run(&["auth", "other", "pw"]),
            e("WRONGPASS invalid username-password pair or user is disabled.")
        );
        assert!(!h.session.authenticated);
        assert_eq!(h.run(&["auth", "pw"]), Reply::OK);
        assert_eq!(h.run(&["ping"]), Reply::simple("PONG"));
        h.session.authenticated = false;
        assert_eq!(
            h.run(&["hello", "2", "auth", "default", "pw"]),
            hello_map(2, 5)
        );
        assert!(h.session.authenticated);
        h.session.authenticated = false;
        assert_eq!(h.run(&["quit"]), Reply::OK);
    }

    #[test]
    fn client_names_and_ids() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["client", "id"]), Reply::Integer(5));
        assert_eq!(
            h.run(&["client", "id", "x"]),
            e("ERR wrong number of arguments for 'client|id' command")
        );
        assert_eq!(h.run(&["client", "getname"]), Reply::Null);
        assert_eq!(
            h.run(&["client", "setname", "a b"]),
            e("ERR Client names cannot contain spaces, newlines or special characters.")
        );
        assert_eq!(h.run(&["client", "setname", "me"]), Reply::OK);
        assert_eq!(h.run(&["client", "getname"]), b("me"));
        assert_eq!(h.run(&["client", "setname", ""]), Reply::OK);
        assert_eq!(h.run(&["client", "getname"]), Reply::Null);
        assert_eq!(h.run(&["client", "no-evict", "on"]), Reply::OK);
        assert_eq!(h.run(&["client", "no-evict", "x"]), e("ERR syntax error"));
        assert_eq!(h.run(&["client", "reply", "on"]), Reply::OK);
        assert_eq!(h.run(&["client", "reply", "foo"]), e("ERR syntax error"));
    }

    #[test]
    fn client_list_and_info() {
        let mut h = Harness::new();
        h.other(2, "10.0.0.1:1");
        h.other(9, "10.0.0.2:2");
        let list = text(&h.run(&["client", "list"]));
        let ids: Vec<&str> = list
            .lines()
            .map(|l| l.split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(ids, ["id=2", "id=5", "id=9"]);
        assert!(list.ends_with("resp=2\n"));
        assert!(list.contains("id=5 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=8 name= "));
        assert!(list.contains(" cmd=client|list "));
        assert!(matches!(
            h.run(&["client", "list"]),
            Reply::Verbatim("txt", _)
        ));
        assert_eq!(text(&h.run(&["client", "list", "type", "Normal"])), list);
        assert_eq!(text(&h.run(&["client", "list", "type", "pubsub"])), "");
        assert_eq!(
            h.run(&["client", "list", "type", "foo"]),
            e("ERR Unknown client type 'foo'")
        );
        assert_eq!(
            h.run(&["client", "list", "id", "1", "x"]),
            e("ERR Invalid client ID")
        );
        assert_eq!(h.run(&["client", "list", "id"]), e("ERR syntax error"));
        assert_eq!(h.run(&["client", "list", "foo"]), e("ERR syntax error"));
        assert_eq!(text(&h.run(&["client", "list", "id", "999"])), "");
        let two = text(&h.run(&["client", "list", "id", "9", "2"]));
        assert!(two.starts_with("id=9 ") && two.contains("\nid=2 "));
        let me = text(&h.run(&["client", "info"]));
        assert!(
            me.starts_with("id=5 ")
                && me.ends_with(" cmd=client|info user=default redir=-1 resp=2\n")
        );
    }

    #[test]
    fn client_kill_forms() {
        let mut h = Harness::new();
        h.other(2, "10.0.0.1:1");
        h.other(9, "10.0.0.2:2");
        assert_eq!(
            h.run(&["client", "kill", "1.2.3.4:5"]),
            e("ERR No such client")
        );
        assert_eq!(h.run(&["client", "kill", "10.0.0.1:1"]), Reply::OK);
        assert_eq!(h.clients.killed, [2]);
        assert_eq!(h.run(&["client", "kill", "id", "999"]), Reply::Integer(0));
        assert_eq!(
            h.run(&["client", "kill", "id", "x"]),
            e("ERR client-id should be greater than 0")
        );
        assert_eq!(
            h.run(&["client", "kill", "id", "0"]),
            e("ERR client-id should be greater than 0")
        );
        assert_eq!(
            h.run(&["client", "kill", "foo", "bar"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["client", "kill", "a", "b", "c"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["client", "kill", "id", "9", "type"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["client", "kill", "skipme", "maybe"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["client", "kill", "type", "foo"]),
            e("ERR Unknown client type 'foo'")
        );
        assert_eq!(
            h.run(&["client", "kill", "user", "nobody"]),
            e("ERR No such user 'nobody'")
        );
        assert_eq!(
            h.run(&["client", "kill", "maxage", "1"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["client", "kill", "type", "master"]),
            Reply::Integer(0)
        );
        h.clients.killed.clear();
        assert_eq!(h.run(&["client", "kill", "id", "9"]), Reply::Integer(1));
        assert_eq!(h.clients.killed, [9]);
        assert!(!h.session.close_after_reply);
        // SKIPME yes is the default; SKIPME no takes the caller along.
        assert_eq!(
            h.run(&["client", "kill", "type", "normal", "skipme", "no"]),
            Reply::Integer(3)
        );
        assert!(h.session.close_after_reply);
    }
}
