//! Scripting commands: EVAL, EVALSHA and their _RO forms, SCRIPT, FUNCTION, FCALL and
//! FCALL_RO. The Lua side is `crate::script`; this file holds Redis's rules around it:
//! argument checks, the script flags (`scriptPrepareForRun`) and what a script may call
//! (`scriptCall`: arity, noscript, writes from read-only scripts).
//!
//! A script runs inside its command; past busy-reply-threshold its count hook lets the
//! loop answer other clients (`super::busy`), and SCRIPT KILL / FUNCTION KILL stop it.

use super::args::{arg_i64, is};
use super::busy::{self, ScriptRun};
use super::reply::help_reply;
use super::table::*;
use super::{Ctx, Session};
use crate::resp::Reply;
use crate::script::{self, CallOutcome, Host, Scripting};
use crate::util::glob::stringmatchlen;
use bytes::Bytes;

const NOSCRIPT_ERR: Reply = Reply::err("NOSCRIPT No matching script. Please use EVAL.");
const RO_WRITE_ERR: Reply =
    Reply::err("ERR Can not execute a script with write flag using *_ro command.");

const EVAL_KEYS: &[KeySpec] = &[keynum(2, RW | ACCESS | UPDATE)
    .notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")];
const EVALSHA_KEYS: &[KeySpec] = &[keynum(2, RW | ACCESS | UPDATE)];
const EVAL_RO_KEYS: &[KeySpec] = &[keynum(2, RO | ACCESS)
    .notes("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")];
const EVALSHA_RO_KEYS: &[KeySpec] = &[keynum(2, RO | ACCESS)];

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("eval", -3, NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE, Group::Scripting, eval)
        .keys(EVAL_KEYS).doc("2.6.0", "Execute a Lua script server side", "Depends on the script that is executed."),
    cmd("eval_ro", -3, NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY, Group::Scripting, eval_ro)
        .keys(EVAL_RO_KEYS).doc("7.0.0", "Execute a read-only Lua script server side", "Depends on the script that is executed."),
    cmd("evalsha", -3, NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE, Group::Scripting, evalsha)
        .keys(EVALSHA_KEYS).doc("2.6.0", "Execute a Lua script server side", "Depends on the script that is executed."),
    cmd("evalsha_ro", -3, NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY, Group::Scripting, evalsha_ro)
        .keys(EVALSHA_RO_KEYS).doc("7.0.0", "Execute a read-only Lua script server side", "Depends on the script that is executed."),
    cmd("fcall", -3, NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE, Group::Scripting, fcall)
        .keys(EVAL_KEYS).doc("7.0.0", "Invoke a function", "Depends on the function that is executed."),
    cmd("fcall_ro", -3, NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY, Group::Scripting, fcall_ro)
        .keys(EVAL_RO_KEYS).doc("7.0.0", "Invoke a read-only function", "Depends on the function that is executed."),
    cmd("function", -2, 0, Group::Scripting, container)
        .doc("7.0.0", "A container for function commands", "Depends on subcommand.")
        .subcommands(FUNCTION_SUBCOMMANDS),
    cmd("script", -2, 0, Group::Scripting, container)
        .doc("2.6.0", "A container for Lua scripts management commands", "Depends on subcommand.")
        .subcommands(SCRIPT_SUBCOMMANDS),
];

#[rustfmt::skip]
const SCRIPT_SUBCOMMANDS: &[Command] = &[
    cmd("script|debug", 3, NOSCRIPT, Group::Scripting, script_debug)
        .doc("3.2.0", "Set the debug mode for executed scripts.", "O(1)"),
    cmd("script|exists", -3, NOSCRIPT, Group::Scripting, script_exists)
        .tips(&["request_policy:all_shards", "response_policy:agg_logical_and"])
        .doc("2.6.0", "Check existence of scripts in the script cache.", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation)."),
    cmd("script|flush", -2, NOSCRIPT, Group::Scripting, script_flush)
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .doc("2.6.0", "Remove all the scripts from the script cache.", "O(N) with N being the number of scripts in cache")
        .history(&[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")]),
    cmd("script|help", 2, LOADING | STALE, Group::Scripting, script_help)
        .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("script|kill", 2, NOSCRIPT | ALLOW_BUSY, Group::Scripting, script_kill)
        .tips(&["request_policy:all_shards", "response_policy:one_succeeded"])
        .doc("2.6.0", "Kill the script currently in execution.", "O(1)"),
    cmd("script|load", 3, NOSCRIPT | STALE, Group::Scripting, script_load)
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .doc("2.6.0", "Load the specified Lua script into the script cache.", "O(N) with N being the length in bytes of the script body."),
];

#[rustfmt::skip]
const FUNCTION_SUBCOMMANDS: &[Command] = &[
    cmd("function|delete", 3, NOSCRIPT | WRITE, Group::Scripting, function_delete)
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .doc("7.0.0", "Delete a function by name", "O(1)"),
    cmd("function|flush", -2, NOSCRIPT | WRITE, Group::Scripting, function_flush)
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .doc("7.0.0", "Deleting all functions", "O(N) where N is the number of functions deleted"),
    cmd("function|help", 2, LOADING | STALE, Group::Scripting, function_help)
        .doc("7.0.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("function|kill", 2, NOSCRIPT | ALLOW_BUSY, Group::Scripting, function_kill)
        .tips(&["request_policy:all_shards", "response_policy:one_succeeded"])
        .doc("7.0.0", "Kill the function currently in execution.", "O(1)"),
    cmd("function|list", -2, NOSCRIPT, Group::Scripting, function_list)
        .tips(&["nondeterministic_output_order"])
        .doc("7.0.0", "List information about all the functions", "O(N) where N is the number of functions"),
    cmd("function|load", -3, NOSCRIPT | WRITE | DENYOOM, Group::Scripting, function_load)
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .doc("7.0.0", "Create a function with the given arguments (name, code, description)", "O(1) (considering compilation time is redundant)"),
    cmd("function|stats", 2, NOSCRIPT | ALLOW_BUSY, Group::Scripting, function_stats)
        .tips(&["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        .doc("7.0.0", "Return information about the function currently running (name, description, duration)", "O(1)"),
];

/// Runs `f` with the scripting state taken out of the server, so a script's commands
/// can borrow the whole `Ctx`. No scripting command is callable from a script
/// (all are `noscript`), so nothing looks for the state while it is out.
fn with_scripting<R>(ctx: &mut Ctx<'_>, f: impl FnOnce(&mut Scripting, &mut Ctx<'_>) -> R) -> R {
    let mut scripting = ctx
        .server
        .scripting
        .take()
        .unwrap_or_else(|| Box::new(Scripting::new(command_exists)));
    let result = f(&mut scripting, ctx);
    ctx.server.scripting = Some(scripting);
    result
}

/// A FUNCTION library read from an RDB file (`rdbFunctionLoad`): loaded as FUNCTION
/// LOAD would, replacing a library of the same name only when `replace` (DEBUG RELOAD
/// MERGE). The error is Redis's text.
pub fn load_library_from_rdb(
    server: &mut super::ServerState,
    code: &Bytes,
    replace: bool,
) -> Result<(), String> {
    let scripting = server
        .scripting
        .get_or_insert_with(|| Box::new(Scripting::new(command_exists)));
    scripting.load_library(code, replace).map(|_| ())
}

/// `redis.acl_check_cmd`'s lookup.
fn command_exists(name: &[u8]) -> bool {
    lookup(name).is_some()
}

/// The client a script's commands run as (Redis's `lua_client`): the caller's database,
/// RESP 2 until `redis.setresp`, and never blocking (as inside MULTI).
struct ScriptHost<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    session: Session,
    read_only: bool,
}

impl<'c, 'a> ScriptHost<'c, 'a> {
    fn new(ctx: &'c mut Ctx<'a>, read_only: bool) -> ScriptHost<'c, 'a> {
        let now_ms = ctx.now_ms();
        let mut session = Session::new(0, 0, String::new(), String::new(), now_ms);
        session.db = ctx.session.db;
        session.user = ctx.session.user.clone();
        session.in_exec = true;
        session.in_script = true;
        ScriptHost {
            ctx,
            session,
            read_only,
        }
    }
}

impl ScriptHost<'_, '_> {
    /// scriptVerifyACL: the caller's user, logged in the `lua` context with the caller's
    /// client info.
    fn acl_check(
        &mut self,
        cmd: &'static Command,
        argv: &[Bytes],
    ) -> Result<(), crate::acl::Denial> {
        super::acl_cmd::check(self.ctx, cmd, argv, crate::acl::log::Context::Lua)
    }
}

impl Host for ScriptHost<'_, '_> {
    fn wants_interrupts(&self) -> bool {
        self.ctx.server.config.busy_reply_threshold_ms > 0
    }

    fn interrupt(&mut self) -> bool {
        super::busy::interrupt(self.ctx)
    }

    /// `luaRedisAclCheckCmdPermissionsCommand`: the caller's user against the command as
    /// `lookupCommand` finds it (a container's subcommand by the second argument).
    fn acl_allows(&mut self, argv: &[Bytes]) -> bool {
        let Some(base) = argv.first().and_then(|name| lookup(name)) else {
            return false;
        };
        let cmd = match argv.get(1) {
            Some(sub) if !base.subcommands.is_empty() => match find_subcommand(base, sub) {
                Some(cmd) => cmd,
                None => return false,
            },
            _ => base,
        };
        self.ctx
            .server
            .acl
            .user(&self.ctx.session.user)
            .is_some_and(|user| crate::acl::check_command(user, cmd, argv).is_ok())
    }

    /// `scriptCall`: the checks Redis makes before a script's command, then the command.
    fn call(&mut self, argv: &[Bytes], resp: u8) -> CallOutcome {
        let Some(mut cmd) = lookup(&argv[0]) else {
            return CallOutcome::Refused("Unknown Redis command called from script".into());
        };
        if !cmd.subcommands.is_empty() && argv.len() >= 2 {
            match find_subcommand(cmd, &argv[1]) {
                Some(sub) => cmd = sub,
                None => {
                    return CallOutcome::Refused("Unknown Redis command called from script".into())
                }
            }
        }
        if !cmd.arity_ok(argv.len()) {
            return CallOutcome::Refused(
                "Wrong number of args calling Redis command from script".into(),
            );
        }
        if cmd.has(NOSCRIPT) {
            return CallOutcome::Refused("This Redis command is not allowed from script".into());
        }
        if let Err(denial) = self.acl_check(cmd, argv) {
            return CallOutcome::Refused(super::acl_cmd::noperm_in_script(denial));
        }
        // PUBLISH is "may-replicate" in Redis, which read-only scripts treat as a write.
        if self.read_only && (cmd.is_write() || cmd.name == "publish") {
            return CallOutcome::Refused(
                "Write commands are not allowed from read-only scripts.".into(),
            );
        }
        // SCRIPT_WRITE_DIRTY: from now on the script cannot be killed.
        if cmd.is_write() {
            if let Some(run) = self.ctx.server.script_run.as_mut() {
                run.wrote = true;
            }
        }
        self.session.resp = resp;
        self.session.last_cmd = cmd.name;
        let mut sub = Ctx {
            keyspace: &mut *self.ctx.keyspace,
            session: &mut self.session,
            server: &mut *self.ctx.server,
            clients: &mut *self.ctx.clients,
            clock: &mut *self.ctx.clock,
            storage: &mut *self.ctx.storage,
        };
        // call(): each of the script's writes is propagated on its own (wrapped in
        // MULTI/EXEC with the others when the script's command ends).
        let propagation = sub.propagation_enter();
        let reply = (cmd.handler)(&mut sub, argv).unwrap_or_else(|e| e);
        sub.propagation_leave(propagation, argv, false);
        self.session.pushes.clear();
        CallOutcome::Reply(reply)
    }
}

/// `scriptPrepareForRun`'s checks on the script's flags; returns whether the run is
/// read-only.
fn prepare(flags: u32, ro: bool) -> Result<bool, Reply> {
    if flags & script::FLAG_EVAL_COMPAT_MODE != 0 {
        return Ok(ro);
    }
    let no_writes = flags & script::FLAG_NO_WRITES != 0;
    if !no_writes && ro {
        return Err(RO_WRITE_ERR);
    }
    Ok(ro || no_writes)
}

/// numkeys as EVAL and FCALL check it.
fn numkeys(argv: &[Bytes], bad: Option<&'static str>) -> Result<usize, Reply> {
    let n = match bad {
        None => arg_i64(&argv[2])?,
        Some(msg) => crate::util::int::string2ll(&argv[2]).ok_or(Reply::err(msg))?,
    };
    if n > argv.len() as i64 - 3 {
        return Err(Reply::err(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    if n < 0 {
        return Err(Reply::err("ERR Number of keys can't be negative"));
    }
    Ok(n as usize)
}

fn eval(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, false, false)
}

fn eval_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, false, true)
}

fn evalsha(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, true, false)
}

fn evalsha_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, true, true)
}

/// `evalGenericCommand`.
fn eval_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], evalsha: bool, ro: bool) -> CmdResult {
    if evalsha && argv[1].len() != 40 {
        return Err(NOSCRIPT_ERR);
    }
    let nkeys = numkeys(argv, None)?;
    // scriptResetRun: a script is propagated as the commands it ran, never as itself.
    ctx.prevent_propagation();
    with_scripting(ctx, |scripting, ctx| {
        let sha = if evalsha {
            let sha = script::sha_key(&argv[1]).ok_or(NOSCRIPT_ERR)?;
            if !scripting.script_exists(&sha) {
                return Err(NOSCRIPT_ERR);
            }
            sha
        } else {
            scripting.create_script(&argv[1])?
        };
        let flags = scripting.script(&sha).map_or(0, |s| s.flags);
        let read_only = prepare(flags, ro)?;
        let run = ScriptRun::new(true, Bytes::copy_from_slice(&sha), argv, ctx.clock.now_us());
        let (keys, args) = argv[3..].split_at(nkeys);
        Ok(running(ctx, run, |ctx| {
            let mut host = ScriptHost::new(ctx, read_only);
            scripting.run_script(&sha, keys, args, &mut host)
        }))
    })
}

/// Runs a script as `curr_run_ctx`: SCRIPT KILL, FUNCTION KILL/STATS and the busy
/// check see `run` while it goes on.
fn running(ctx: &mut Ctx<'_>, run: ScriptRun, f: impl FnOnce(&mut Ctx<'_>) -> Reply) -> Reply {
    ctx.server.script_run = Some(run);
    let reply = f(ctx);
    ctx.server.script_run = None;
    reply
}

fn fcall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, argv, false)
}

fn fcall_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, argv, true)
}

/// `fcallCommandGeneric`.
fn fcall_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], ro: bool) -> CmdResult {
    ctx.prevent_propagation();
    with_scripting(ctx, |scripting, ctx| {
        let Some(f) = scripting.functions.function(&argv[1]) else {
            return Err(Reply::err("ERR Function not found"));
        };
        let flags = f.flags;
        let nkeys = numkeys(argv, Some("ERR Bad number of keys provided"))?;
        let read_only = prepare(flags, ro)?;
        let mut run = ScriptRun::new(false, argv[1].clone(), argv, ctx.clock.now_us());
        run.libraries = scripting.functions.libraries.len();
        run.functions = scripting.functions.function_count();
        let (keys, args) = argv[3..].split_at(nkeys);
        Ok(running(ctx, run, |ctx| {
            let mut host = ScriptHost::new(ctx, read_only);
            scripting.run_function(&argv[1], keys, args, &mut host)
        }))
    })
}

// ---------------------------------------------------------------------------------------
// SCRIPT

fn script_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "SCRIPT",
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    ))
}

fn script_flush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let ok =
        argv.len() == 2 || (argv.len() == 3 && (is(&argv[2], "sync") || is(&argv[2], "async")));
    if !ok {
        return Err(Reply::err(
            "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
        ));
    }
    with_scripting(ctx, |s, _| s.flush_scripts());
    Ok(Reply::OK)
}

fn script_exists(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    with_scripting(ctx, |s, _| {
        Ok(Reply::Array(
            argv[2..]
                .iter()
                .map(|sha| Reply::Integer(i64::from(s.script_exists(sha))))
                .collect(),
        ))
    })
}

fn script_load(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    with_scripting(ctx, |s, _| {
        let sha = s.create_script(&argv[2])?;
        Ok(Reply::Bulk(Bytes::copy_from_slice(&sha)))
    })
}

/// `scriptKill` for EVAL: reachable while a script runs only through the busy loop.
fn script_kill(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    busy::kill(ctx.server, true)
}

/// The Lua debugger (LDB) is not implemented: NO is accepted (it is the state the
/// client is in); YES and SYNC are refused rather than silently ignored.
fn script_debug(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if is(&argv[2], "no") {
        Ok(Reply::OK)
    } else if is(&argv[2], "yes") || is(&argv[2], "sync") {
        Err(Reply::err(
            "ERR SCRIPT DEBUG is not supported by this server",
        ))
    } else {
        Err(Reply::err("ERR Use SCRIPT DEBUG YES/SYNC/NO"))
    }
}

// ---------------------------------------------------------------------------------------
// FUNCTION

fn function_load(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut replace = false;
    let mut pos = 2;
    while pos < argv.len() - 1 {
        let arg = &argv[pos];
        pos += 1;
        if is(arg, "replace") {
            replace = true;
            continue;
        }
        return Err(Reply::error_bytes(
            [b"ERR Unknown option given: ", crate::util::c_str(arg)].concat(),
        ));
    }
    let code = argv[pos].clone();
    let loaded = with_scripting(ctx, |s, _| {
        s.load_library(&code, replace)
            .map(Reply::Bulk)
            .map_err(|e| Reply::error(format!("ERR {e}")))
    })?;
    // Functions are data: loading one is a change to propagate.
    ctx.add_dirty(1);
    Ok(loaded)
}

fn function_delete(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let _: Reply = with_scripting(ctx, |s, _| {
        if s.functions.delete(&argv[2]) {
            Ok(Reply::OK)
        } else {
            Err(Reply::err("ERR Library not found"))
        }
    })?;
    ctx.add_dirty(1);
    Ok(Reply::OK)
}

fn function_flush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(Reply::err(
            "ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.",
        ));
    }
    if argv.len() == 3 && !is(&argv[2], "sync") && !is(&argv[2], "async") {
        return Err(Reply::err(
            "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
        ));
    }
    with_scripting(ctx, |s, _| s.functions.flush());
    ctx.add_dirty(1);
    Ok(Reply::OK)
}

fn function_kill(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    busy::kill(ctx.server, false)
}

/// `functionStatsCommand`. While a function runs (the busy loop), the libraries are out
/// with it, so their counts are the ones the run noted at its start.
fn function_stats(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let running = match &ctx.server.script_run {
        Some(run) if run.eval_mode => return Err(busy::BUSY_EVAL),
        Some(run) => Some((
            Reply::Map(vec![
                (Reply::bulk("name"), Reply::Bulk(run.name.clone())),
                (
                    Reply::bulk("command"),
                    Reply::Array(run.caller_argv.iter().cloned().map(Reply::Bulk).collect()),
                ),
                (
                    Reply::bulk("duration_ms"),
                    Reply::Integer((ctx.clock.now_us().saturating_sub(run.start_us) / 1000) as i64),
                ),
            ]),
            run.libraries,
            run.functions,
        )),
        None => None,
    };
    let (running, libs, fns) = match running {
        Some((reply, libs, fns)) => (reply, libs as i64, fns as i64),
        None => with_scripting(ctx, |s, _| {
            (
                Reply::Null,
                s.functions.libraries.len() as i64,
                s.functions.function_count() as i64,
            )
        }),
    };
    {
        Ok(Reply::Map(vec![
            (Reply::bulk("running_script"), running),
            (
                Reply::bulk("engines"),
                Reply::Map(vec![(
                    Reply::bulk("LUA"),
                    Reply::Map(vec![
                        (Reply::bulk("libraries_count"), Reply::Integer(libs)),
                        (Reply::bulk("functions_count"), Reply::Integer(fns)),
                    ]),
                )]),
            ),
        ]))
    }
}

fn function_list(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut with_code = false;
    let mut pattern: Option<&Bytes> = None;
    let mut i = 2;
    while i < argv.len() {
        let arg = &argv[i];
        if !with_code && is(arg, "withcode") {
            with_code = true;
        } else if pattern.is_none() && is(arg, "libraryname") {
            if i >= argv.len() - 1 {
                return Err(Reply::err("ERR library name argument was not given"));
            }
            i += 1;
            pattern = Some(&argv[i]);
        } else {
            return Err(Reply::error_bytes(
                [b"ERR Unknown argument ", crate::util::c_str(arg)].concat(),
            ));
        }
        i += 1;
    }
    with_scripting(ctx, |s, _| {
        let mut out = Vec::new();
        for lib in s.functions.libraries.values() {
            if pattern.is_some_and(|p| !stringmatchlen(p, &lib.name, true)) {
                continue;
            }
            let functions = lib
                .functions
                .values()
                .map(|f| {
                    let flags = script::FLAG_NAMES
                        .iter()
                        .filter(|(bit, _)| f.flags & bit != 0)
                        .map(|(_, name)| Reply::simple(name))
                        .collect();
                    Reply::Map(vec![
                        (Reply::bulk("name"), Reply::Bulk(f.name.clone())),
                        (
                            Reply::bulk("description"),
                            f.desc.clone().map_or(Reply::Null, Reply::Bulk),
                        ),
                        (Reply::bulk("flags"), Reply::Set(flags)),
                    ])
                })
                .collect();
            let mut fields = vec![
                (Reply::bulk("library_name"), Reply::Bulk(lib.name.clone())),
                (Reply::bulk("engine"), Reply::bulk("LUA")),
                (Reply::bulk("functions"), Reply::Array(functions)),
            ];
            if with_code {
                fields.push((Reply::bulk("library_code"), Reply::Bulk(lib.code.clone())));
            }
            out.push(Reply::Map(fields));
        }
        Ok(Reply::Array(out))
    })
}

fn function_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(help_reply(
        "FUNCTION",
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn eval_reads_and_writes_through_the_command_table() {
        let mut h = Harness::new();
        let cas = "local v = redis.call('get', KEYS[1]) \
                   if v == ARGV[1] then redis.call('set', KEYS[1], ARGV[2]) return 1 end return 0";
        assert_eq!(h.run("SET k a"), Reply::OK);
        assert_eq!(h.run(&["EVAL", cas, "1", "k", "a", "b"]), i(1));
        assert_eq!(h.run(&["EVAL", cas, "1", "k", "a", "c"]), i(0));
        assert_eq!(h.run("GET k"), b("b"));
        // The script runs in the caller's database; SELECT inside it does not leak out.
        assert_eq!(h.run("SELECT 2"), Reply::OK);
        assert_eq!(
            h.run(&[
                "EVAL",
                "redis.call('select', 3) return redis.call('set', 'x', 1)",
                "0"
            ]),
            Reply::OK
        );
        assert_eq!(h.run("EXISTS x"), i(0));
        assert_eq!(h.run("SELECT 3"), Reply::OK);
        assert_eq!(h.run("EXISTS x"), i(1));
    }

    #[test]
    fn errors_are_replies_with_redis_texts() {
        let mut h = Harness::new();
        let sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";
        assert_eq!(
            h.run(&["EVALSHA", sha, "0"]),
            e("NOSCRIPT No matching script. Please use EVAL.")
        );
        assert_eq!(h.run(&["EVAL", "return 1", "0"]), i(1));
        assert_eq!(h.run(&["EVALSHA", sha, "0"]), i(1));
        let sha_of_nosuch = crate::script::lua_env::sha1_hex(b"return redis.call('nosuch')");
        assert_eq!(
            h.run(&["EVAL", "return redis.call('nosuch')", "0"]),
            e(&format!(
                "ERR Unknown Redis command called from script script: {sha_of_nosuch}, on @user_script:1."
            ))
        );
        let Reply::Error(text) = h.run(&["EVAL", "x = 1", "0"]) else {
            panic!("not an error")
        };
        assert!(text.starts_with(b"ERR user_script:1: Attempt to modify a readonly table script: "));
        assert!(text.ends_with(b", on @user_script:1."));
        assert_eq!(
            h.run(&["EVAL", "return 1", "2", "a"]),
            e("ERR Number of keys can't be greater than number of args")
        );
        assert_eq!(h.run(&["EVAL", "while", "0"]), e("ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'"));
        let Reply::Error(t) = h.run(&["EVAL_RO", "return redis.call('set', 'a', 1)", "0"]) else {
            panic!("EVAL_RO wrote")
        };
        assert!(
            t.starts_with(b"ERR Write commands are not allowed from read-only scripts. script: ")
        );
        assert_eq!(h.run("EXISTS a"), i(0));
    }

    #[test]
    fn functions_load_call_and_flush() {
        let mut h = Harness::new();
        let lib = "#!lua name=lib\nredis.register_function('incr2', function(keys) \
                   redis.call('incr', keys[1]) return redis.call('incr', keys[1]) end)";
        assert_eq!(h.run(&["FUNCTION", "LOAD", lib]), b("lib"));
        assert_eq!(
            h.run(&["FUNCTION", "LOAD", lib]),
            e("ERR Library 'lib' already exists")
        );
        assert_eq!(h.run(&["FCALL", "incr2", "1", "n"]), i(2));
        assert_eq!(
            h.run(&["FCALL_RO", "incr2", "1", "n"]),
            e("ERR Can not execute a script with write flag using *_ro command.")
        );
        assert_eq!(h.run("FUNCTION FLUSH"), Reply::OK);
        assert_eq!(
            h.run(&["FCALL", "incr2", "1", "n"]),
            e("ERR Function not found")
        );
        assert_eq!(h.run("GET n"), b("2"));
    }

    #[test]
    fn scripts_cannot_reach_the_os_and_randomness_is_redis_s_sequence() {
        let mut h = Harness::new();
        for global in [
            "os", "io", "require", "loadfile", "dofile", "debug", "print",
        ] {
            let Reply::Error(t) = h.run(&["EVAL", &format!("return {global}"), "0"]) else {
                panic!("{global} is reachable")
            };
            let want = format!("ERR user_script:1: Script attempted to access nonexistent global variable '{global}'");
            assert!(t.starts_with(want.as_bytes()), "{global}");
        }
        // A fresh redis-server 7.0.15 answers 396465 and 840486 here.
        assert_eq!(
            h.run(&[
                "EVAL",
                "return {math.random(1000000), math.random(1000000)}",
                "0"
            ]),
            Reply::Array(vec![i(396465), i(840486)])
        );
    }
}
