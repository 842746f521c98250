//! CLIENT PAUSE / UNPAUSE (networking.c's pauseClients, Redis 7.0): while clients are
//! paused, a command that `dispatch` would run is postponed instead — left un-executed,
//! with the client's later input, until the pause ends (CLIENT UNPAUSE, or its deadline
//! on the Poller's clock); then it is run as if it had just arrived, and may be postponed
//! again under a new pause. `ALL` postpones every command, `WRITE` those that may write
//! or replicate (write commands, EVAL/EVALSHA/FCALL, PUBLISH, PFCOUNT, an EXEC whose
//! queue holds a write). Eviction and the active expire cycle wait too, so the dataset
//! stays still.

use super::args::is;
use super::table::{lookup, CmdResult, Command};
use super::Ctx;
use crate::resp::Reply;
use bytes::Bytes;

/// server.client_pause_type: ordered, the more restrictive the greater.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseKind {
    #[default]
    Off,
    Write,
    All,
}

/// The pause CLIENT PAUSE set (Redis's PAUSE_BY_CLIENT_COMMAND purpose; seedis has no
/// other, no replication or failover).
#[derive(Clone, Copy, Debug, Default)]
pub struct PauseState {
    kind: PauseKind,
    end_ms: u64,
    /// The pause ended or weakened: postponed clients are to run again
    /// (unblockPostponedClients). The loop takes it.
    release: bool,
}

impl PauseState {
    /// pauseClients: a second pause keeps the more restrictive kind and the later end.
    pub fn pause(&mut self, end_ms: u64, kind: PauseKind, now_ms: u64) {
        if self.kind == PauseKind::Off {
            (self.kind, self.end_ms) = (kind, end_ms);
        } else {
            self.kind = self.kind.max(kind);
            self.end_ms = self.end_ms.max(end_ms);
        }
        self.update(now_ms);
    }

    /// unpauseClients.
    pub fn unpause(&mut self) {
        if self.kind != PauseKind::Off {
            self.kind = PauseKind::Off;
            self.release = true;
        }
    }

    /// updateClientPauseTypeAndEndTime: a pause whose end passed is over.
    fn update(&mut self, now_ms: u64) {
        if self.kind != PauseKind::Off && self.end_ms < now_ms {
            self.kind = PauseKind::Off;
            self.release = true;
        }
    }

    /// checkClientPauseTimeoutAndReturnIfPaused.
    pub fn check(&mut self, now_ms: u64) -> bool {
        self.update(now_ms);
        self.kind != PauseKind::Off
    }

    pub fn kind(&self) -> PauseKind {
        self.kind
    }

    /// When the pause ends, in ms (for the loop's poll timeout); None when not paused.
    pub fn end_ms(&self) -> Option<u64> {
        (self.kind != PauseKind::Off).then_some(self.end_ms)
    }

    /// Whether postponed clients are due to run again (and clears it).
    pub fn take_release(&mut self) -> bool {
        std::mem::take(&mut self.release)
    }
}

/// processCommand's pause check: whether `cmd` must wait for the pause to end.
pub fn postpones(ctx: &mut Ctx<'_>, cmd: &Command) -> bool {
    let now_ms = ctx.now_ms();
    if ctx.session.in_exec || !ctx.server.pause.check(now_ms) {
        return false;
    }
    match ctx.server.pause.kind() {
        PauseKind::All => true,
        PauseKind::Write => may_replicate(ctx, cmd),
        PauseKind::Off => false,
    }
}

/// CMD_WRITE | CMD_MAY_REPLICATE, and EXEC by its queue's flags.
fn may_replicate(ctx: &Ctx<'_>, cmd: &Command) -> bool {
    const MAY_REPLICATE: &[&str] = &["eval", "evalsha", "fcall", "pfcount", "publish", "spublish"];
    let own = |c: &Command| c.is_write() || MAY_REPLICATE.contains(&c.name);
    if cmd.name == "exec" {
        return ctx.session.multi.as_ref().is_some_and(|m| {
            m.queued
                .iter()
                .any(|argv| lookup(&argv[0]).is_some_and(&own))
        });
    }
    own(cmd)
}

/// CLIENT PAUSE timeout [WRITE|ALL].
pub fn client_pause(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let kind = match argv.get(3) {
        None => PauseKind::All,
        Some(m) if is(m, "write") => PauseKind::Write,
        Some(m) if is(m, "all") => PauseKind::All,
        Some(_) => return Err(Reply::err("ERR CLIENT PAUSE mode must be WRITE or ALL")),
    };
    if argv.len() > 4 {
        // clientCommand's catch-all (addReplySubcommandSyntaxError).
        return Err(Reply::error_bytes(
            [
                b"ERR unknown subcommand or wrong number of arguments for '",
                crate::util::printf_s(&argv[1], 128),
                b"'. Try CLIENT HELP.",
            ]
            .concat(),
        ));
    }
    let now_ms = ctx.now_ms();
    let end_ms = timeout_ms(&argv[2], now_ms)?;
    ctx.server.pause.pause(end_ms, kind, now_ms);
    Ok(Reply::OK)
}

/// getTimeoutFromObjectOrReply in milliseconds: an absolute end time (0 for 0).
fn timeout_ms(arg: &[u8], now_ms: u64) -> Result<u64, Reply> {
    let t = crate::util::int::string2ll(arg)
        .ok_or(Reply::err("ERR timeout is not an integer or out of range"))?;
    if t < 0 {
        return Err(Reply::err("ERR timeout is negative"));
    }
    if t == 0 {
        return Ok(0);
    }
    if t > i64::MAX - now_ms as i64 {
        return Err(Reply::err("ERR timeout is out of range"));
    }
    Ok(t as u64 + now_ms)
}

/// CLIENT UNPAUSE.
pub fn client_unpause(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    ctx.server.pause.unpause();
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_combine_and_end_as_redis() {
        let mut p = PauseState::default();
        p.pause(1000, PauseKind::Write, 0);
        assert!(p.check(500));
        p.pause(800, PauseKind::All, 500);
        assert_eq!((p.kind(), p.end_ms()), (PauseKind::All, Some(1000)));
        assert!(!p.take_release());
        assert!(
            p.check(1000),
            "an end equal to now still holds (end < now ends it)"
        );
        assert!(!p.check(1001));
        assert!(p.take_release());
        assert!(!p.take_release());
        p.pause(0, PauseKind::All, 5);
        assert!(!p.check(5), "CLIENT PAUSE 0 ends at once");
        p.pause(100, PauseKind::Write, 5);
        p.unpause();
        assert!(!p.check(6) && p.take_release());
        assert_eq!(
            timeout_ms(b"-1", 0),
            Err(Reply::err("ERR timeout is negative"))
        );
        assert_eq!(
            timeout_ms(b"x", 0),
            Err(Reply::err("ERR timeout is not an integer or out of range"))
        );
        assert_eq!(
            timeout_ms(b"9223372036854775807", 10),
            Err(Reply::err("ERR timeout is out of range"))
        );
    }
}
