//! The replay oracle: what the AOF would rebuild. Every propagated [`Batch`] is run, in
//! order and at the time it was propagated, against a fresh server core; the keyspace it
//! builds must equal the live one (same keys, values and absolute TTLs). A write that is
//! not propagated, propagated twice, or propagated in a form that replays differently
//! (a relative TTL, a random pop, a float increment) shows up as a difference.
//!
//! Values are compared logically (type and contents), not by encoding: Redis itself
//! rebuilds some values in another encoding from its AOF (INCRBYFLOAT's result, stored
//! raw, comes back int-encoded from the SET it is propagated as).

use super::context::NoClients;
use super::propagate::Batch;
use super::{ClientRegistry, Ctx, ServerState, Session};
use crate::config::Config;
use crate::db::{Keyspace, Value};
use crate::net::ManualClock;
use crate::resp::Reply;
use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

/// A fresh server core fed with propagated batches.
pub struct Replayer {
    keyspace: Keyspace,
    server: ServerState,
    session: Session,
    /// The database the stream is in: as an AOF writer does, a SELECT is replayed before
    /// a command of another database (inside MULTI it is queued with the others).
    selected: usize,
    /// Added to each batch's time (see [`Replayer::loading`]).
    skew_us: u64,
    /// Files a replayed command may write (SAVE, DEBUG RELOAD): kept in memory.
    storage: crate::storage::MemStorage,
}

impl Replayer {
    /// A core that replays as Redis loads an AOF: nothing expires (`server.loading`),
    /// and every batch runs `skew_us` later than it was propagated, so a TTL propagated
    /// relative to the time instead of absolute lands elsewhere and shows.
    pub fn loading(config: Config, skew_us: u64) -> Replayer {
        let mut r = Replayer::new(config);
        r.keyspace.set_loading(true);
        r.skew_us = skew_us;
        r
    }

    /// A core with the live server's settings (encodings, lazyfree...), empty, that
    /// replays each batch at the time it was propagated.
    pub fn new(config: Config) -> Replayer {
        let databases = config.databases.max(1);
        let server = ServerState::new(config, ChaCha8Rng::seed_from_u64(0), 0);
        Replayer {
            keyspace: Keyspace::new(databases, (0x5eed, 0xa0f)),
            server,
            session: Session::new(0, 0, String::new(), String::new(), 0),
            selected: 0,
            skew_us: 0,
            storage: crate::storage::MemStorage::new(),
        }
    }

    pub fn keyspace(&self) -> &Keyspace {
        &self.keyspace
    }

    /// Runs one batch at its time. An error reply (nested in EXEC's included) means the
    /// propagated stream does not replay: it is returned with the command.
    pub fn apply(&mut self, batch: &Batch) -> Result<(), String> {
        let now_us = batch.now_us.saturating_add(self.skew_us);
        self.server.now_us = now_us;
        let mut clock = ManualClock { now_us };
        for op in &batch.ops {
            if op.db != self.selected {
                let select = [
                    Bytes::from_static(b"SELECT"),
                    Bytes::from(op.db.to_string()),
                ];
                self.run(&select, &mut clock, now_us, op.db)?;
                self.selected = op.db;
            }
            self.run(&op.argv, &mut clock, now_us, op.db)?;
        }
        // The replay's own propagation is of no interest.
        self.server.propagation.take_batches();
        self.keyspace.take_expired();
        Ok(())
    }

    fn run(
        &mut self,
        argv: &[Bytes],
        clock: &mut ManualClock,
        now_us: u64,
        db: usize,
    ) -> Result<(), String> {
        let mut clients = NoClients;
        {
            let reply = {
                let mut ctx = Ctx {
                    keyspace: &mut self.keyspace,
                    session: &mut self.session,
                    server: &mut self.server,
                    clients: &mut clients as &mut dyn ClientRegistry,
                    clock,
                    storage: &mut self.storage,
                };
                super::execute(&mut ctx, argv)
            };
            if let Some(error) = first_error(&reply) {
                return Err(format!(
                    "replaying {} in db {db} at {now_us} us: {error}",
                    show(argv),
                ));
            }
        }
        Ok(())
    }
}

fn first_error(reply: &Reply) -> Option<String> {
    match reply {
        Reply::Error(e) => Some(String::from_utf8_lossy(e).into_owned()),
        Reply::Array(items) => items.iter().find_map(first_error),
        _ => None,
    }
}

/// A command line for messages: arguments separated by spaces, non-text escaped.
pub fn show(argv: &[Bytes]) -> String {
    argv.iter()
        .map(|a| a.escape_ascii().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value's type and contents, independent of its encoding.
#[derive(Debug, PartialEq)]
enum Logical {
    Str(Bytes),
    List(Vec<Bytes>),
    Hash(Vec<(Bytes, Bytes)>),
    Set(Vec<Bytes>),
    /// Members in order with their scores' bits (so -0.0 and 0.0 differ, as in an RDB).
    ZSet(Vec<(Bytes, u64)>),
    /// Entries, counters and groups, without the consumers' seen times (a replayed
    /// XCLAIM creates its consumer at replay time).
    Stream(String),
}

fn logical(value: &Value) -> Logical {
    match value {
        Value::Str(_) => Logical::Str(value.as_str().unwrap_or_default()),
        Value::List(l) => Logical::List(l.range(0, l.len())),
        Value::Hash(h) => {
            let mut pairs: Vec<(Bytes, Bytes)> = h.iter().collect();
            pairs.sort();
            Logical::Hash(pairs)
        }
        Value::Set(s) => {
            let mut members: Vec<Bytes> = s.members().collect();
            members.sort();
            Logical::Set(members)
        }
        Value::ZSet(z) => Logical::ZSet(
            z.range(0, z.len())
                .into_iter()
                .map(|(score, m)| (m, score.to_bits()))
                .collect(),
        ),
        Value::Stream(st) => {
            use crate::db::stream::StreamId;
            let entries = st.range(StreamId::MIN, StreamId::MAX, false, 0);
            let groups: Vec<String> = st
                .groups
                .iter()
                .map(|(name, g)| {
                    let consumers: Vec<_> = g
                        .consumers
                        .iter()
                        .map(|(c, cons)| (c.clone(), cons.pel.clone()))
                        .collect();
                    format!(
                        "{name:?} last {} read {} pel {:?} consumers {consumers:?}",
                        g.last_id, g.entries_read, g.pel
                    )
                })
                .collect();
            Logical::Stream(format!(
                "{entries:?} len {} last {} first {} maxdel {} added {} groups {groups:?}",
                st.length, st.last_id, st.first_id, st.max_deleted_entry_id, st.entries_added
            ))
        }
    }
}

/// The first difference between two keyspaces (keys, values, TTLs), if any.
pub fn keyspace_difference(live: &Keyspace, replayed: &Keyspace) -> Option<String> {
    for db in 0..live.databases().max(replayed.databases()) {
        if db >= live.databases() || db >= replayed.databases() {
            return Some(format!("db{db} exists on one side only"));
        }
        let (a, b) = (live.db(db), replayed.db(db));
        for (key, value) in a.dict.iter() {
            let k = key.as_bytes();
            let shown = k.escape_ascii();
            let Some(other) = b.dict.get(k) else {
                return Some(format!(
                    "db{db} key {shown}: live only ({:?})",
                    logical(value)
                ));
            };
            let (lv, rv) = (logical(value), logical(other));
            if lv != rv {
                return Some(format!("db{db} key {shown}: live {lv:?}, replayed {rv:?}"));
            }
            let (lt, rt) = (a.expires.get(k), b.expires.get(k));
            if lt != rt {
                return Some(format!(
                    "db{db} key {shown}: live TTL {lt:?}, replayed TTL {rt:?}"
                ));
            }
        }
        if a.dict.len() != b.dict.len() {
            let extra = b
                .dict
                .iter()
                .find(|(k, _)| a.dict.get(k.as_bytes()).is_none())
                .map(|(k, v)| format!("{} ({:?})", k.as_bytes().escape_ascii(), logical(v)));
            return Some(format!(
                "db{db}: {} keys live, {} replayed; replayed only: {}",
                a.dict.len(),
                b.dict.len(),
                extra.unwrap_or_default()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::propagate::propagate_pending;
    use crate::cmd::testkit::Harness;
    use proptest::prelude::*;
    use rand_chacha::ChaCha8Rng;

    /// Runs `lines` on a live core, one every `step_ms`, with an active expire cycle now
    /// and then, replays what it propagated, and returns the first difference.
    fn live_vs_replay(lines: &[String], step_ms: &[u64]) -> Option<String> {
        let mut h = Harness::new();
        let mut replay = Replayer::new(Config::default());
        // As an AOF is loaded: a day later, nothing expiring.
        let mut load = Replayer::loading(Config::default(), 86_400_000_000);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for (n, (line, step)) in lines.iter().zip(step_ms).enumerate() {
            h.advance_ms(*step);
            h.run(line.as_str());
            if n % 7 == 6 {
                let now_ms = h.server.now_us / 1000;
                h.keyspace.active_expire_cycle(now_ms, &mut rng);
                propagate_pending(&mut h.server, &mut h.keyspace, false);
            }
            for batch in h.server.propagation.take_batches() {
                if let Err(e) = replay.apply(&batch) {
                    return Some(format!("after {line}: {e}"));
                }
                if let Err(e) = load.apply(&batch) {
                    return Some(format!("after {line}, loading: {e}"));
                }
            }
            if let Some(d) = keyspace_difference(&h.keyspace, replay.keyspace()) {
                return Some(format!("after {line}: {d}"));
            }
            if let Some(d) = keyspace_difference(&h.keyspace, load.keyspace()) {
                return Some(format!("after {line}, loading: {d}"));
            }
        }
        None
    }

    /// Writes of every family over three keys, with relative TTLs, random pops, float
    /// increments, transactions, scripts and database switches.
    fn command() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec!["a", "b", "c"]);
        let m = prop::sample::select(vec!["x", "y", "z", "1", "2"]);
        (key, m, 0..60u32, 0..3u32).prop_map(|(k, m, pick, n)| {
            let line = match pick {
                0 => format!("SET {k} {m}"),
                1 => format!("SET {k} {m} PX {}", 1 + n * 40),
                2 => format!("SETEX {k} 1 {m}"),
                3 => format!("INCR {k}"),
                4 => format!("INCRBYFLOAT {k} 0.1"),
                5 => format!("APPEND {k} {m}"),
                6 => format!("GETEX {k} PX {}", 10 + n * 30),
                7 => format!("GETEX {k} PERSIST"),
                8 => format!("GETDEL {k}"),
                9 => format!("EXPIRE {k} {n}"),
                10 => format!("PEXPIRE {k} {}", n * 50),
                11 => format!("PERSIST {k}"),
                12 => format!("DEL {k}"),
                13 => format!("RENAME {k} b"),
                14 => format!("COPY {k} c REPLACE"),
                15 => format!("GET {k}"),
                16 => format!("LPUSH {k} {m} {m}"),
                17 => format!("RPOP {k} {n}"),
                18 => format!("LMOVE {k} b LEFT RIGHT"),
                19 => format!("LMPOP 2 {k} a RIGHT COUNT {}", n + 1),
                20 => format!("BLPOP {k} 0.01"),
                21 => format!("LREM {k} 0 {m}"),
                22 => format!("LTRIM {k} 0 {n}"),
                23 => format!("HSET {k} {m} {n}"),
                24 => format!("HINCRBYFLOAT {k} {m} 1.5"),
                25 => format!("HDEL {k} {m}"),
                26 => format!("SADD {k} {m} 3"),
                27 => format!("SPOP {k}"),
                28 => format!("SPOP {k} {n}"),
                29 => format!("SMOVE {k} b {m}"),
                30 => format!("SINTERSTORE c {k} b"),
                31 => format!("ZADD {k} {n} {m}"),
                32 => format!("ZINCRBY {k} 2.5 {m}"),
                33 => format!("ZPOPMIN {k}"),
                34 => format!("ZMPOP 1 {k} MAX COUNT 2"),
                35 => format!("BZPOPMAX {k} 0.01"),
                36 => format!("ZUNIONSTORE c 2 {k} b"),
                37 => format!("SELECT {n}"),
                38 => format!("MOVE {k} {}", (n + 1) % 3),
                39 => "SWAPDB 0 1".to_string(),
                40 if n == 0 => "FLUSHDB".to_string(),
                41 => format!("EVAL return(redis.call('incr',KEYS[1])) 1 {k}"),
                42 => format!(
                    "EVAL redis.call('set',KEYS[1],'{m}');redis.call('pexpire',KEYS[1],{});\
                     return(redis.call('sadd',KEYS[2],'{m}')) 2 {k} s",
                    n * 20
                ),
                43 => "MULTI".to_string(),
                44 => "EXEC".to_string(),
                45 => "DISCARD".to_string(),
                46 => format!("SET {k} {m} KEEPTTL GET"),
                47 => format!("EXPIREAT {k} {n}"),
                48 => format!("HSETNX {k} {m} 1"),
                49 => format!("SREM {k} {m}"),
                50 => format!("MSET {k} {m} b {n}"),
                51 => format!("GETSET {k} {m}"),
                52 => format!("SETRANGE {k} {n} {m}"),
                53 => format!("ZREMRANGEBYSCORE {k} 0 {n}"),
                54 => format!("RPOPLPUSH {k} {k}"),
                55 => format!("PSETEX {k} {} {m}", 1 + n * 20),
                _ => format!("EXISTS {k}"),
            };
            line
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Replaying what a random command sequence propagated rebuilds its keyspace.
        #[test]
        fn replaying_the_propagated_commands_rebuilds_the_keyspace(
            lines in prop::collection::vec(command(), 1..60),
            steps in prop::collection::vec(0..40u64, 60),
        ) {
            let difference = live_vs_replay(&lines, &steps);
            prop_assert!(difference.is_none(), "{}", difference.unwrap_or_default());
        }
    }

    /// The oracle can fail: a write the propagation loses shows up.
    #[test]
    fn a_lost_write_is_a_difference() {
        let mut h = Harness::new();
        let mut replay = Replayer::new(Config::default());
        h.run("SET a 1");
        for batch in h.server.propagation.take_batches() {
            replay.apply(&batch).unwrap();
        }
        assert_eq!(keyspace_difference(&h.keyspace, replay.keyspace()), None);
        h.run("SADD s x");
        h.server.propagation.take_batches();
        let d = keyspace_difference(&h.keyspace, replay.keyspace()).unwrap();
        assert!(d.contains("key s"), "{d}");
        // A TTL propagated relative to the time differs when loaded later.
        let mut h2 = Harness::new();
        h2.run("SET a 1");
        h2.run("PEXPIRE a 5000");
        let mut replay = Replayer::loading(Config::default(), 1000);
        for mut batch in h2.server.propagation.take_batches() {
            for op in &mut batch.ops {
                if op.argv[0] == "PEXPIREAT" {
                    op.argv = vec![
                        Bytes::from_static(b"PEXPIRE"),
                        op.argv[1].clone(),
                        Bytes::from_static(b"5000"),
                    ];
                }
            }
            replay.apply(&batch).unwrap();
        }
        let d = keyspace_difference(&h2.keyspace, replay.keyspace()).unwrap();
        assert!(d.contains("TTL"), "{d}");
    }
}
