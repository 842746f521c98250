//! Busy scripts, as Redis 7.0 handles them (script.c's `scriptInterrupt` and
//! `scriptKill`, networking.c's `processEventsWhileBlocked`).
//!
//! A script's Lua count hook (every [`HOOK_INSTRUCTIONS`]) calls [`interrupt`]. Past
//! `busy-reply-threshold` the run is *timed out*: from then on each hook call lets the
//! loop process events through the `ClientRegistry` (accepting, reading, answering,
//! writing), and `dispatch` refuses every command without the `allow-busy` flag with
//! -BUSY. The commands that are let through (SCRIPT KILL, FUNCTION KILL/STATS, SHUTDOWN,
//! AUTH, HELLO, MULTI, WATCH...) never change the dataset, so the nested processing never
//! changes what the script sees; SCRIPT KILL marks the run killed, and the hook then
//! raises Redis's error in the script.

use super::context::NoClients;
use super::{Ctx, ServerState, Session};
use crate::net::Clock;
use crate::persist::state::LogLine;
use crate::resp::Reply;
use bytes::Bytes;

/// How many Lua instructions run between two calls of the hook (Redis: 100000).
pub const HOOK_INSTRUCTIONS: u64 = 100_000;

pub const BUSY_EVAL: Reply = Reply::err(
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
);
pub const BUSY_FUNCTION: Reply = Reply::err(
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
);
pub const NOTBUSY: Reply = Reply::err("NOTBUSY No scripts in execution right now.");
const UNKILLABLE: Reply = Reply::err("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");

/// The script running now (Redis's `scriptRunCtx`).
#[derive(Clone, Debug)]
pub struct ScriptRun {
    /// EVAL (SCRIPT_EVAL_MODE) or FCALL.
    pub eval_mode: bool,
    /// The SHA1 of an EVAL script or the function's name (`funcname`).
    pub name: Bytes,
    /// The caller's command (FUNCTION STATS shows it).
    pub caller_argv: Vec<Bytes>,
    pub start_us: u64,
    /// Past busy-reply-threshold (SCRIPT_TIMEDOUT).
    pub timed_out: bool,
    /// A write command ran (SCRIPT_WRITE_DIRTY): the script can no longer be killed.
    pub wrote: bool,
    /// SCRIPT KILL / FUNCTION KILL asked it to stop (SCRIPT_KILLED).
    pub killed: bool,
    /// The kill was logged (the hook raises it again on every line until it escapes).
    kill_raised: bool,
    /// FUNCTION's library and function counts when the run started (FUNCTION STATS
    /// answers them while the libraries are out with the running script).
    pub libraries: usize,
    pub functions: usize,
}

impl ScriptRun {
    pub fn new(eval_mode: bool, name: Bytes, caller_argv: &[Bytes], start_us: u64) -> ScriptRun {
        ScriptRun {
            eval_mode,
            name,
            caller_argv: caller_argv.to_vec(),
            start_us,
            timed_out: false,
            wrote: false,
            killed: false,
            kill_raised: false,
            libraries: 0,
            functions: 0,
        }
    }

    /// shared.slowevalerr or shared.slowscripterr.
    pub fn busy_error(&self) -> Reply {
        if self.eval_mode {
            BUSY_EVAL
        } else {
            BUSY_FUNCTION
        }
    }
}

/// processCommand's check: while a script is timed out, the error for a command
/// without `allow-busy`.
pub fn busy_refusal(server: &ServerState) -> Option<Reply> {
    server
        .script_run
        .as_ref()
        .filter(|run| run.timed_out)
        .map(ScriptRun::busy_error)
}

/// `scriptKill`: SCRIPT KILL (`is_eval`) or FUNCTION KILL.
pub fn kill(server: &mut ServerState, is_eval: bool) -> Result<Reply, Reply> {
    let Some(run) = server.script_run.as_mut() else {
        return Err(NOTBUSY);
    };
    if run.wrote {
        return Err(UNKILLABLE);
    }
    if is_eval && !run.eval_mode {
        return Err(BUSY_FUNCTION);
    }
    if !is_eval && run.eval_mode {
        return Err(BUSY_EVAL);
    }
    run.killed = true;
    Ok(Reply::OK)
}

/// What an administrator does about a busy script: SCRIPT KILL (or FUNCTION KILL), and
/// SHUTDOWN NOSAVE when the script wrote. For registries without clients that still
/// must end a spinning script (the `commands` fuzz target).
pub fn stop_as_admin(server: &mut ServerState) {
    let Some(run) = server.script_run.as_ref() else {
        return;
    };
    let eval_mode = run.eval_mode;
    if kill(server, eval_mode).is_err() {
        server.actions.push(super::Action::Shutdown);
        if let Some(run) = server.script_run.as_mut() {
            run.killed = true;
        }
    }
}

/// The server's side of `processEventsWhileBlocked`: what the registry needs to accept
/// clients and run their commands while the script's command is still on the stack.
pub trait BlockedServer {
    fn state(&mut self) -> &mut ServerState;
    /// Runs one command of another client. Only commands flagged `allow-busy` get past
    /// `dispatch`'s busy check, and none of them changes the dataset.
    fn execute(&mut self, clock: &mut dyn Clock, session: &mut Session, argv: &[Bytes]) -> Reply;
}

/// `scriptInterrupt`, from the count hook: whether the script must stop (killed).
pub fn interrupt(ctx: &mut Ctx<'_>) -> bool {
    ctx.clock.cpu_burned(HOOK_INSTRUCTIONS);
    let now_us = ctx.clock.now_us();
    let threshold = ctx.server.config.busy_reply_threshold_ms;
    let Some(run) = ctx.server.script_run.as_mut() else {
        return false;
    };
    if !run.timed_out {
        let elapsed_ms = now_us.saturating_sub(run.start_us) / 1000;
        if threshold <= 0 || elapsed_ms < threshold as u64 {
            return false;
        }
        run.timed_out = true;
        let line = format!(
            "Slow script detected: still in execution after {elapsed_ms} milliseconds. You can try killing the script using the {} command. Script name is: {}.",
            if run.eval_mode { "SCRIPT KILL" } else { "FUNCTION KILL" },
            String::from_utf8_lossy(&run.name)
        );
        ctx.server.persist.log.push(LogLine::Warning(line));
    }
    process_events_while_blocked(ctx);
    let Some(run) = ctx.server.script_run.as_mut() else {
        return false;
    };
    if run.killed && !run.kill_raised {
        run.kill_raised = true;
        ctx.server.persist.log.push(LogLine::Warning(
            "Lua script killed by user with SCRIPT KILL.".into(),
        ));
    }
    run.killed
}

fn process_events_while_blocked(ctx: &mut Ctx<'_>) {
    let Ctx {
        keyspace,
        server,
        clients,
        clock,
        storage,
        ..
    } = ctx;
    let poller = clock.as_poller();
    let mut nested = Nested {
        keyspace,
        server,
        storage,
    };
    clients.process_events_while_blocked(poller, &mut nested);
}

/// The parts of the caller's `Ctx` another client's command may use.
struct Nested<'n, 'a> {
    keyspace: &'n mut &'a mut crate::db::Keyspace,
    server: &'n mut &'a mut ServerState,
    storage: &'n mut &'a mut dyn crate::storage::Storage,
}

impl BlockedServer for Nested<'_, '_> {
    fn state(&mut self) -> &mut ServerState {
        self.server
    }

    fn execute(&mut self, clock: &mut dyn Clock, session: &mut Session, argv: &[Bytes]) -> Reply {
        let mut clients = NoClients;
        let mut ctx = Ctx {
            keyspace: self.keyspace,
            session,
            server: self.server,
            clients: &mut clients,
            clock,
            storage: &mut **self.storage,
        };
        let reply = super::execute(&mut ctx, argv);
        // SHUTDOWN NOSAVE: the server goes away, and the script with it.
        if ctx.server.actions.contains(&super::Action::Shutdown) {
            if let Some(run) = ctx.server.script_run.as_mut() {
                run.killed = true;
            }
        }
        reply
    }
}
