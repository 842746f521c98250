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
    /// The birth (see `SimDisk::file_origin`) of the dump.rdb it loaded, if any.
    pub loaded_from: Option<u64>,
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
/// is one instant's, and one round trip. The server's TIME comes last: the TTLs are
/// relative to it (the clock may jump before the reply reaches the reader).
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
out[#KEYS + 1] = redis.call('TIME') \
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

/// The model state of [`READ_ALL_SCRIPT`]'s reply.
pub fn state_from_reply(keys: &[KeyId], reply: &Reply) -> Result<State, String> {
    let Reply::Array(items) = reply else {
        return Err(format!("the keyspace read answered {reply:?}"));
    };
    if items.len() != keys.len() + 1 {
        return Err(format!("{} entries for {} keys", items.len(), keys.len()));
    }
    let now_ms = match &items[keys.len()] {
        Reply::Array(time) if time.len() == 2 => {
            let number = |r: &Reply| -> Result<u64, String> {
                std::str::from_utf8(&bulk(r)?)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| format!("TIME {r:?}"))
            };
            number(&time[0])? * 1000 + number(&time[1])? / 1000
        }
        other => return Err(format!("TIME answered {other:?}")),
    };
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
            b"string" if Family::of_key(key) == Family::Hll => {
                hll_registers(&elements.first().cloned().unwrap_or_default())?
            }
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

/// The registers of a recovered HLL key, decoded from Redis's bytes (sparse or dense).
fn hll_registers(bytes: &Bytes) -> Result<MValue, String> {
    use seedis::db::hll;
    let mut s = bytes.to_vec();
    if !hll::is_valid_object(&s) || hll::sparse_to_dense(&mut s).is_err() {
        return Err(format!("HLL key holds no valid HLL ({} bytes)", s.len()));
    }
    let registers = hll::dense_registers(&s)
        .into_iter()
        .enumerate()
        .filter(|(_, r)| *r != 0)
        .map(|(i, r)| (i as u16, r))
        .collect();
    Ok(MValue::Hll(registers, hll::cached_card(&s).is_some()))
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

/// The reads that reveal a recovered state whole, each with the reply the recovered
/// server holds: TYPE of every workload key, and for each present key its contents
/// (GET; LRANGE 0 -1; HLEN and HGET of every field; SCARD and SISMEMBER of every member;
/// ZRANGE 0 -1 and ZSCORE of every member). Placed in the history at the instant a
/// snapshot was taken, they say "the state then was this", which the checker must fit
/// into a linearization of the life that took it.
pub fn snapshot_reads(keys: &[KeyId], state: &State) -> Vec<(crate::workload::Cmd, Reply)> {
    use crate::workload::Cmd;
    let mut reads = Vec::new();
    for &key in keys {
        let entry = state.keys.iter().find(|(k, _)| *k == key).map(|(_, e)| e);
        let Some(entry) = entry else {
            reads.push((Cmd::Type(key), Reply::simple("none")));
            continue;
        };
        let value: &MValue = &entry.value;
        let type_name = match value {
            MValue::Str(_) => "string",
            MValue::List(_) => "list",
            MValue::Hash(_) => "hash",
            MValue::Set(_) => "set",
            MValue::ZSet(_) => "zset",
            MValue::Hll(..) => "string",
            MValue::Stream(_) => "stream",
        };
        reads.push((Cmd::Type(key), Reply::simple(type_name)));
        match value {
            MValue::Str(v) => reads.push((Cmd::Get(key), Reply::Bulk(v.clone()))),
            MValue::List(l) => reads.push((
                Cmd::LRange(key, 0, -1),
                Reply::Array(l.iter().cloned().map(Reply::Bulk).collect()),
            )),
            MValue::Hash(h) => {
                reads.push((Cmd::HLen(key), Reply::Integer(h.len() as i64)));
                for (field, v) in h {
                    reads.push((Cmd::HGet(key, field.clone()), Reply::Bulk(v.clone())));
                }
            }
            MValue::Set(members) => {
                reads.push((Cmd::SCard(key), Reply::Integer(members.len() as i64)));
                for m in members {
                    reads.push((Cmd::SIsMember(key, m.clone()), Reply::Integer(1)));
                }
            }
            // Its bytes are Redis's encoding, and a PFCOUNT would write the cache: the
            // TYPE above is the read (the contents are compared across lives).
            MValue::Hll(..) => {}
            MValue::Stream(st) => reads.push((
                Cmd::XRange {
                    key,
                    rev: false,
                    count: None,
                },
                Reply::Array(
                    st.entries
                        .iter()
                        .map(crate::model::stream_entry_reply)
                        .collect(),
                ),
            )),
            MValue::ZSet(z) => {
                let mut order: Vec<(&i64, &Bytes)> = z.iter().map(|(m, s)| (s, m)).collect();
                order.sort();
                reads.push((
                    Cmd::ZRangeAll(key),
                    Reply::Array(
                        order
                            .iter()
                            .map(|(_, m)| Reply::Bulk((*m).clone()))
                            .collect(),
                    ),
                ));
                for (m, s) in z {
                    reads.push((
                        Cmd::ZScore(key, m.clone()),
                        Reply::Bulk(Bytes::from(s.to_string())),
                    ));
                }
            }
        }
    }
    reads
}

/// The AOF directory and manifest the simulated server writes (the defaults).
const AOF_DIR: &str = "appendonlydir";
const AOF_MANIFEST: &str = "appendonlydir/appendonly.aof.manifest";

/// `redis-check-aof --fix`: the first file of the manifest that does not read to its end
/// cleanly is cut after its last whole command (before an unfinished MULTI). Only the
/// last file unless `any_file` (with `everysec` or `no` a power loss may tear an older
/// file's unsynced tail too). True if there was a bad tail to cut.
pub fn fix_aof_tail(disk: &mut crate::disk::SimDisk, any_file: bool) -> bool {
    use seedis::persist::aof::manifest::Manifest;
    let Some(text) = disk.contents(AOF_MANIFEST) else {
        return false;
    };
    let Ok(manifest) = Manifest::parse(&text) else {
        return false;
    };
    let files: Vec<String> = manifest
        .files_to_load()
        .map(|f| format!("{AOF_DIR}/{}", f.file_name))
        .collect();
    let candidates = if any_file {
        &files[..]
    } else {
        &files[files.len().saturating_sub(1)..]
    };
    for path in candidates {
        let Some(data) = disk.contents(path) else {
            return false;
        };
        if let Some(cut) = bad_tail(&data) {
            return seedis::storage::Storage::truncate(disk, path, cut as u64).is_ok();
        }
    }
    false
}

/// Where to cut an AOF file that does not read cleanly to its end, if it does not.
fn bad_tail(data: &[u8]) -> Option<usize> {
    use seedis::persist::aof::reader::{Reader, Step};
    if data.starts_with(b"REDIS") {
        // An RDB base is fsynced before it is named: nothing to cut there.
        return None;
    }
    let mut reader = Reader::new(data, 0);
    let (mut valid, mut in_multi) = (0, false);
    loop {
        match reader.next_step() {
            Step::Command(argv, end) => {
                if argv[0].eq_ignore_ascii_case(b"multi") {
                    in_multi = true;
                } else if argv[0].eq_ignore_ascii_case(b"exec") {
                    in_multi = false;
                    valid = end;
                } else if !in_multi {
                    valid = end;
                }
            }
            Step::Eof if !in_multi => return None,
            _ => return Some(valid),
        }
    }
}
