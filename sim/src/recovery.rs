//! Crash and restart: what the restarted server holds, and how the history is checked
//! across restarts.
//!
//! A run with crashes is a sequence of *epochs*, one per life of the server process. Each
//! epoch's history is checked for linearizability on its own, starting from the state the
//! server recovered at its start ([`FromState`]): every connection died with the process,
//! so no WATCH or blocked client crosses a restart, and ops in flight at the crash have
//! unknown outcomes within their own epoch.
//!
//! The durability oracle (RDB) ties the epochs together: what the restarted server holds
//! must be a snapshot it was entitled to recover (see `ARCHITECTURE.md`, "Crash testing").

use bytes::Bytes;
use seedis::resp::Reply;

use crate::checker::Model;
use crate::model::{Entry, MValue, RedisModel, SharedValue, State};
use crate::workload::{key_name, Family, KeyId, TimedCmd};

/// One life of the server process.
#[derive(Clone, Debug)]
pub struct Epoch {
    /// Virtual time (µs) the process started: ops called from then on are this epoch's.
    pub start_us: u64,
    /// What the server held when it started serving.
    pub init: State,
}

/// The workload's model from a given initial state (the state a restart recovered).
pub struct FromState<'a> {
    pub init: &'a State,
}

impl Model for FromState<'_> {
    type State = State;
    type Input = TimedCmd;
    type Output = Reply;

    fn init(&self) -> Vec<State> {
        vec![self.init.clone()]
    }

    fn step(&self, state: &State, input: &TimedCmd, output: Option<&Reply>, out: &mut Vec<State>) {
        RedisModel.step(state, input, output, out)
    }

    fn partition_keys(&self, input: &TimedCmd, keys: &mut Vec<u64>) {
        RedisModel.partition_keys(input, keys)
    }

    fn ordered_per_client(&self) -> bool {
        RedisModel.ordered_per_client()
    }
}

/// Every key the workload may use (all families, `keys` per family), in id order.
pub fn workload_keys(keys: u8) -> Vec<KeyId> {
    Family::ALL
        .iter()
        .flat_map(|f| (0..keys).map(move |i| f.key(i)))
        .collect()
}

/// One EVAL that reads every workload key whole, with its TTL: atomic, so the state read
/// is one instant's, and one round trip.
pub const READ_ALL_SCRIPT: &str = "local out = {} \
for i, k in ipairs(KEYS) do \
  local t = redis.call('TYPE', k).ok \
  local v = {} \
  if t == 'string' then v = {redis.call('GET', k)} \
  elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1) \
  elseif t == 'hash' then v = redis.call('HGETALL', k) \
  elseif t == 'set' then v = redis.call('SMEMBERS', k) \
  elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES') end \
  out[i] = {t, redis.call('PTTL', k), v} \
end \
return out";

/// The EVAL command reading `keys`.
pub fn read_all_command(keys: &[KeyId]) -> Vec<Vec<u8>> {
    let mut argv = vec![
        b"EVAL".to_vec(),
        READ_ALL_SCRIPT.as_bytes().to_vec(),
        keys.len().to_string().into_bytes(),
    ];
    argv.extend(keys.iter().map(|&k| key_name(k).into_bytes()));
    argv
}

fn bulk(reply: &Reply) -> Result<Bytes, String> {
    match reply {
        Reply::Bulk(b) => Ok(b.clone()),
        Reply::Simple(b) => Ok(b.clone()),
        other => Err(format!("expected a string, got {other:?}")),
    }
}

/// The model state of [`READ_ALL_SCRIPT`]'s reply, read at `now_ms`.
pub fn state_from_reply(keys: &[KeyId], reply: &Reply, now_ms: u64) -> Result<State, String> {
    let Reply::Array(items) = reply else {
        return Err(format!("the keyspace read answered {reply:?}"));
    };
    if items.len() != keys.len() {
        return Err(format!("{} entries for {} keys", items.len(), keys.len()));
    }
    let mut state = State::default();
    for (&key, item) in keys.iter().zip(items) {
        let Reply::Array(parts) = item else {
            return Err(format!("entry {item:?}"));
        };
        let [kind, pttl, Reply::Array(values)] = parts.as_slice() else {
            return Err(format!("entry {item:?}"));
        };
        let kind = bulk(kind)?;
        let Reply::Integer(pttl) = pttl else {
            return Err(format!("PTTL {pttl:?}"));
        };
        let elements: Vec<Bytes> = values.iter().map(bulk).collect::<Result<_, _>>()?;
        let pairs = || elements.chunks(2).map(|p| (p[0].clone(), p[1].clone()));
        let value = match &kind[..] {
            b"none" => continue,
            b"string" => MValue::Str(elements.first().cloned().unwrap_or_default()),
            b"list" => MValue::List(elements.clone()),
            b"hash" => MValue::Hash(pairs().collect()),
            b"set" => MValue::Set(elements.iter().cloned().collect()),
            b"zset" => MValue::ZSet(
                pairs()
                    .map(|(m, s)| {
                        let score = std::str::from_utf8(&s)
                            .ok()
                            .and_then(|s| s.parse::<i64>().ok())
                            .ok_or_else(|| format!("zset score {s:?} is not an integer"))?;
                        Ok((m, score))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            other => return Err(format!("type {:?}", String::from_utf8_lossy(other))),
        };
        // A TTL read at `now_ms` (±1 ms of rounding): the deadline's interval.
        let expire = (*pttl >= 0).then(|| {
            let deadline = now_ms.saturating_add(*pttl as u64);
            (deadline.saturating_sub(1), deadline.saturating_add(1))
        });
        state.keys.push((
            key,
            Entry {
                value: SharedValue::new(value),
                expire,
            },
        ));
    }
    Ok(state)
}

/// A state's keys and values, for comparing a recovered state with a snapshot's
/// (TTLs as "has one or not": their intervals depend on when each was read).
pub fn contents(state: &State) -> Vec<(KeyId, MValue, bool)> {
    state
        .keys
        .iter()
        .map(|(k, e)| (*k, (*e.value).clone(), e.expire.is_some()))
        .collect()
}
