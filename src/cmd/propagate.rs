//! Command propagation (server.c's `alsoPropagate` / `propagatePendingCommands`): after
//! each top-level command, the commands Redis 7.0 would write to the AOF and send to
//! replicas, in order, as one [`Batch`].
//!
//! The rules, as `call()` applies them:
//! - a command whose run changed `server.dirty` is propagated as its argv (or as the argv
//!   it rewrote itself to, [`Ctx::propagate_as`]: relative TTLs made absolute, SPOP as
//!   SREMs...), unless it called [`Ctx::prevent_propagation`] (scripts, SPOP with a
//!   count) or is EXEC; FLUSHDB/FLUSHALL force it even when nothing changed;
//! - commands may add others ([`Ctx::also_propagate`]), and keys deleted by expiry
//!   while the command ran become DELs (UNLINK under `lazyfree-lazy-expire`) in their
//!   place, before the command itself;
//! - commands run by EXEC or a script are propagated by their own nested dispatch; the
//!   top-level batch is wrapped in MULTI/EXEC when it holds more than one command;
//! - keys deleted by the active expire cycle are a batch of DELs, never wrapped.
//!
//! The batch carries the database of each command; whoever writes it (the AOF) emits a
//! SELECT when the database changes. Nothing here writes anywhere: the event loop hands
//! each batch to its [`PropagationSink`].

use super::{Ctx, ServerState};
use crate::db::Keyspace;
use bytes::Bytes;

/// One command to propagate, with the database it ran in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Propagated {
    pub db: usize,
    pub argv: Vec<Bytes>,
}

/// What one top-level command (or one active-expire cycle) propagated, at the server's
/// time when it ran: replaying `ops` at `now_us` does what the command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub now_us: u64,
    pub ops: Vec<Propagated>,
}

/// The consumer of propagated batches (the AOF, replicas, the simulator's replay oracle).
pub trait PropagationSink {
    fn feed(&mut self, batch: &Batch);
}

/// Per-call propagation state saved around a nested call (Redis keeps it in the client's
/// flags and restores it after `call()`).
#[derive(Default)]
pub struct CallState {
    prevent: bool,
    force: bool,
    rewritten: Option<Vec<Bytes>>,
}

/// `server.also_propagate` and the running call's flags. Lives in `ServerState`.
#[derive(Default)]
pub struct Propagation {
    /// Commands collected during the current top-level call.
    pending: Vec<Propagated>,
    /// Nesting of dispatches (Redis's `in_nested_call`, plus one for the top level).
    depth: u32,
    call: CallState,
    /// Whole batches waiting for the event loop to hand them on.
    ready: Vec<Batch>,
}

/// Bound on batches kept when nobody drains them (a core driven without an event loop,
/// as in unit tests and fuzzers): the oldest are dropped.
const MAX_UNDRAINED_BATCHES: usize = 4096;

impl Propagation {
    /// The batches completed since the last call, oldest first.
    pub fn take_batches(&mut self) -> Vec<Batch> {
        std::mem::take(&mut self.ready)
    }

    fn push_batch(&mut self, batch: Batch) {
        if self.ready.len() >= MAX_UNDRAINED_BATCHES {
            self.ready.remove(0);
        }
        self.ready.push(batch);
    }
}

/// Moves the keys expiry deleted so far into the pending list, as DELs (UNLINK under
/// `lazyfree-lazy-expire`, as propagateDeletion does).
fn collect_expired(server: &mut ServerState, keyspace: &mut Keyspace) {
    if !keyspace.has_expired_pending() {
        return;
    }
    let lazy = server.config.get("lazyfree-lazy-expire").as_deref() == Some("yes");
    let del = Bytes::from_static(if lazy { b"UNLINK" } else { b"DEL" });
    for (db, key) in keyspace.take_expired() {
        server.propagation.pending.push(Propagated {
            db,
            argv: vec![del.clone(), key],
        });
    }
}

/// propagatePendingCommands: what is pending (expired keys included) becomes one
/// batch, wrapped in MULTI/EXEC when it holds several commands and `multi` allows (not
/// for the active expire cycle's DELs). Nothing happens inside a command (depth > 0).
pub fn propagate_pending(server: &mut ServerState, keyspace: &mut Keyspace, multi: bool) {
    collect_expired(server, keyspace);
    let now_us = server.now_us;
    let p = &mut server.propagation;
    if p.depth > 0 || p.pending.is_empty() {
        return;
    }
    let mut ops = std::mem::take(&mut p.pending);
    if multi && ops.len() > 1 {
        let (first_db, last_db) = (ops[0].db, ops[ops.len() - 1].db);
        ops.insert(
            0,
            Propagated {
                db: first_db,
                argv: vec![Bytes::from_static(b"MULTI")],
            },
        );
        ops.push(Propagated {
            db: last_db,
            argv: vec![Bytes::from_static(b"EXEC")],
        });
    }
    p.push_batch(Batch { now_us, ops });
}

impl Ctx<'_> {
    /// alsoPropagate: `argv` is propagated after what is pending, in the client's db.
    pub fn also_propagate(&mut self, argv: Vec<Bytes>) {
        collect_expired(self.server, self.keyspace);
        let db = self.session.db;
        self.server
            .propagation
            .pending
            .push(Propagated { db, argv });
    }

    /// rewriteClientCommandVector: if the running command is propagated, it is as `argv`.
    pub fn propagate_as(&mut self, argv: Vec<Bytes>) {
        self.server.propagation.call.rewritten = Some(argv);
    }

    /// preventCommandPropagation: the running command itself is not propagated (what it
    /// passed to [`Ctx::also_propagate`] still is).
    pub fn prevent_propagation(&mut self) {
        self.server.propagation.call.prevent = true;
    }

    /// forceCommandPropagation: propagated even if it changed nothing (FLUSHALL).
    pub fn force_propagation(&mut self) {
        self.server.propagation.call.force = true;
    }

    /// Before a command's handler: a fresh call state; the caller's is returned to be
    /// given back to [`Ctx::propagation_leave`].
    pub(super) fn propagation_enter(&mut self) -> (CallState, u64) {
        let p = &mut self.server.propagation;
        p.depth += 1;
        (std::mem::take(&mut p.call), self.server.dirty)
    }

    /// After a command's handler (the end of Redis's `call()`): propagates it if it
    /// changed the dataset, restores the caller's call state, and at the top level
    /// closes the batch (afterCommand -> propagatePendingCommands).
    pub(super) fn propagation_leave(
        &mut self,
        saved: (CallState, u64),
        argv: &[Bytes],
        is_exec: bool,
    ) {
        let (caller, dirty_before) = saved;
        let call = std::mem::replace(&mut self.server.propagation.call, caller);
        // call(): `dirty = server.dirty - dirty; if (dirty < 0) dirty = 0;` a command
        // that lowered it (SAVE, DEBUG RELOAD reset it to 0) changed nothing.
        let changed = self.server.dirty > dirty_before;
        if (changed || call.force) && !call.prevent && !is_exec {
            let argv = call.rewritten.unwrap_or_else(|| argv.to_vec());
            self.also_propagate(argv);
        }
        let p = &mut self.server.propagation;
        p.depth = p.depth.saturating_sub(1);
        if p.depth == 0 {
            self.propagate_pending(true);
        }
    }

    /// Closes the batch of a unit of work run outside `dispatch` (a served blocked
    /// client): see [`propagate_pending`].
    pub fn propagate_pending(&mut self, multi: bool) {
        propagate_pending(self.server, self.keyspace, multi);
    }
}
