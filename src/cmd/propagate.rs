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
    /// Nobody consumes batches (no AOF, no replica, no oracle): nothing is collected,
    /// as Redis's shouldPropagate skips the work. `server.dirty` still counts.
    pub disabled: bool,
    /// A sink (the simulator's oracle) takes every batch, AOF or not.
    pub sink_installed: bool,
    /// A replica attached (from then on the stream is produced).
    pub replicas: bool,
}

/// Bound on batches kept when nobody drains them (a core driven without an event loop,
/// as in unit tests and fuzzers): the oldest are dropped.
const MAX_UNDRAINED_BATCHES: usize = 4096;

impl Propagation {
    /// Inside a command (EXEC's or a script's nested calls included).
    pub fn is_nested(&self) -> bool {
        self.depth > 0
    }

    /// Propagation is wanted while a sink is installed, the AOF is on, or a replica ever
    /// attached (Redis keeps its backlog fed).
    pub fn update_wanted(&mut self, aof_on: bool) {
        self.disabled = !self.sink_installed && !aof_on && !self.replicas;
    }

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
    if server.propagation.disabled {
        keyspace.take_expired();
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

/// propagateDeletion for a key deleted outside any command's own propagation (eviction):
/// `argv` (DEL or UNLINK key) joins the pending list in `db`.
pub fn propagate_deletion(server: &mut ServerState, db: usize, argv: Vec<Bytes>) {
    if server.propagation.disabled {
        return;
    }
    server.propagation.pending.push(Propagated { db, argv });
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
    let aof_on = server.aof.is_on();
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
    let batch = Batch { now_us, ops };
    if aof_on {
        let timestamps = server.config.get("aof-timestamp-enabled").as_deref() == Some("yes");
        server.aof.feed(&batch, timestamps);
    }
    server.propagation.push_batch(batch);
}

impl Ctx<'_> {
    /// alsoPropagate: `argv` is propagated after what is pending, in the client's db.
    pub fn also_propagate(&mut self, argv: Vec<Bytes>) {
        collect_expired(self.server, self.keyspace);
        if self.server.propagation.disabled {
            return;
        }
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
        let wanted = !self.server.propagation.disabled;
        if wanted && (changed || call.force) && !call.prevent && !is_exec {
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

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::{Harness, T0_MS};

    /// The batches `lines` propagated, each as its commands joined with " | ".
    fn propagated(h: &mut Harness, lines: &[&str]) -> Vec<String> {
        for line in lines {
            h.run(*line);
        }
        h.server
            .propagation
            .take_batches()
            .iter()
            .map(|b| {
                b.ops
                    .iter()
                    .map(|op| format!("{}:{}", op.db, crate::cmd::replay::show(&op.argv)))
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    }

    #[test]
    fn writes_are_propagated_as_redis_rewrites_them() {
        let mut h = Harness::new();
        let t = T0_MS;
        let got = propagated(
            &mut h,
            &[
                "SET k v EX 100",
                "SET k v",
                "SADD s a",
                "SADD s a",
                "EXPIRE k 10 NX",
                "GETEX k PERSIST",
                "GET nothing",
                "INCRBYFLOAT f 1.5",
                "HINCRBYFLOAT h x 2",
                "RPUSH l a b",
                "BLPOP l 1",
                "LMPOP 1 l RIGHT COUNT 5",
                "ZADD z 1 a 2 b",
                "BZPOPMIN z 1",
                "ZMPOP 1 z MAX COUNT 9",
                "SET g 1",
                "SET g 2 GET",
                "FLUSHDB",
            ],
        );
        let want = vec![
            format!("0:SET k v PXAT {}", t + 100_000),
            "0:SET k v".into(),
            "0:SADD s a".into(),
            format!("0:PEXPIREAT k {} NX", t + 10_000),
            "0:PERSIST k".into(),
            "0:SET f 1.5 KEEPTTL".into(),
            "0:HSET h x 2".into(),
            "0:RPUSH l a b".into(),
            "0:LPOP l".into(),
            "0:RPOP l 1".into(),
            "0:ZADD z 1 a 2 b".into(),
            "0:ZPOPMIN z".into(),
            "0:ZPOPMAX z 1".into(),
            "0:SET g 1".into(),
            "0:SET g 2".into(),
            "0:FLUSHDB".into(),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn units_of_several_commands_are_wrapped() {
        let mut h = Harness::new();
        let t = T0_MS;
        // MULTI/EXEC: the writes inside, wrapped when more than one; SELECT is the
        // consumer's business (each op carries its db).
        let got = propagated(
            &mut h,
            &[
                "MULTI", "SET a 1", "SELECT 2", "INCR a", "GET a", "EXEC", "MULTI", "SET b 1",
                "GET b", "EXEC", "MULTI", "GET b", "EXEC",
            ],
        );
        assert_eq!(
            got,
            vec![
                "0:MULTI | 0:SET a 1 | 2:INCR a | 2:EXEC".to_string(),
                "2:SET b 1".into(),
            ]
        );
        // A script: its writes, never the script; SPOP with a count: SREMs.
        h.run("SELECT 0");
        let got = propagated(
            &mut h,
            &[
                "EVAL return(redis.call('set',KEYS[1],'x')..redis.call('expire',KEYS[1],5)) 1 k",
                "EVAL return(redis.call('get',KEYS[1])) 1 k",
                "SADD s 1",
                "SPOP s 5",
                "SADD s 1 2 3",
            ],
        );
        assert_eq!(
            got,
            vec![
                format!("0:MULTI | 0:set k x | 0:PEXPIREAT k {} | 0:EXEC", t + 5000),
                "0:SADD s 1".into(),
                "0:DEL s".into(),
                "0:SADD s 1 2 3".into(),
            ]
        );
        let got = propagated(&mut h, &["SPOP s 2"]);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("0:MULTI | 0:SREM s "), "{got:?}");
        // Expired keys found on access are DELs, before the command that found them.
        let got = propagated(&mut h, &["SET e 1 PX 10", "SET f 1 PX 10"]);
        assert_eq!(got.len(), 2);
        h.advance_ms(20);
        let got = propagated(&mut h, &["GET e", "INCR f", "PEXPIRE k 0"]);
        assert_eq!(
            got,
            vec![
                "0:DEL e".to_string(),
                "0:MULTI | 0:DEL f | 0:INCR f | 0:EXEC".into(),
                "0:DEL k".into(),
            ]
        );
    }
}
