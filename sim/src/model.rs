//! The reference model: a plain sequential description of what each workload command
//! does to the keys it touches, for the linearizability checker.
//!
//! Time is part of the model because of TTLs. An op is known to take effect at some
//! instant of its window `[call, return]`, so whether a key with a TTL is still alive at
//! that instant may be uncertain; the model then allows both (a non-deterministic step).
//! A relative TTL set at an uncertain instant is an uncertain deadline, kept as an
//! interval of milliseconds. Redis's rule is that a key is expired when `now > when`.

use crate::checker::Model;
use bytes::Bytes;
use seedis::resp::Reply;

/// A key of the workload's small key space (`k0`, `k1`, ...), so clients collide.
pub type KeyId = u8;

/// Whether a SET applies only when the key is absent (NX) or present (XX).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetCond {
    Always,
    Nx,
    Xx,
}

/// The commands the simulated clients send.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Set {
        key: KeyId,
        value: Bytes,
        ttl_ms: Option<u64>,
        cond: SetCond,
        get: bool,
    },
    Get(KeyId),
    Del(Vec<KeyId>),
    Exists(Vec<KeyId>),
    IncrBy(KeyId, i64),
    Append(KeyId, Bytes),
    GetDel(KeyId),
    Strlen(KeyId),
    MSet(Vec<(KeyId, Bytes)>),
    MGet(Vec<KeyId>),
    PExpire(KeyId, u64),
    Persist(KeyId),
    PTtl(KeyId),
    Ping,
}

pub fn key_name(key: KeyId) -> String {
    format!("k{key}")
}

impl Cmd {
    /// The command as the client sends it.
    pub fn argv(&self) -> Vec<Vec<u8>> {
        let k = |key: &KeyId| key_name(*key).into_bytes();
        let mut argv: Vec<Vec<u8>> = Vec::new();
        match self {
            Cmd::Set {
                key,
                value,
                ttl_ms,
                cond,
                get,
            } => {
                argv.extend([b"SET".to_vec(), k(key), value.to_vec()]);
                if let Some(ms) = ttl_ms {
                    argv.extend([b"PX".to_vec(), ms.to_string().into_bytes()]);
                }
                match cond {
                    SetCond::Always => {}
                    SetCond::Nx => argv.push(b"NX".to_vec()),
                    SetCond::Xx => argv.push(b"XX".to_vec()),
                }
                if *get {
                    argv.push(b"GET".to_vec());
                }
            }
            Cmd::Get(key) => argv.extend([b"GET".to_vec(), k(key)]),
            Cmd::Del(keys) => {
                argv.push(b"DEL".to_vec());
                argv.extend(keys.iter().map(k));
            }
            Cmd::Exists(keys) => {
                argv.push(b"EXISTS".to_vec());
                argv.extend(keys.iter().map(k));
            }
            Cmd::IncrBy(key, by) => {
                argv.extend([b"INCRBY".to_vec(), k(key), by.to_string().into_bytes()])
            }
            Cmd::Append(key, value) => argv.extend([b"APPEND".to_vec(), k(key), value.to_vec()]),
            Cmd::GetDel(key) => argv.extend([b"GETDEL".to_vec(), k(key)]),
            Cmd::Strlen(key) => argv.extend([b"STRLEN".to_vec(), k(key)]),
            Cmd::MSet(pairs) => {
                argv.push(b"MSET".to_vec());
                for (key, value) in pairs {
                    argv.push(k(key));
                    argv.push(value.to_vec());
                }
            }
            Cmd::MGet(keys) => {
                argv.push(b"MGET".to_vec());
                argv.extend(keys.iter().map(k));
            }
            Cmd::PExpire(key, ms) => {
                argv.extend([b"PEXPIRE".to_vec(), k(key), ms.to_string().into_bytes()])
            }
            Cmd::Persist(key) => argv.extend([b"PERSIST".to_vec(), k(key)]),
            Cmd::PTtl(key) => argv.extend([b"PTTL".to_vec(), k(key)]),
            Cmd::Ping => argv.push(b"PING".to_vec()),
        }
        argv
    }

    /// The keys the command touches.
    pub fn keys(&self) -> Vec<KeyId> {
        match self {
            Cmd::Set { key, .. }
            | Cmd::Get(key)
            | Cmd::IncrBy(key, _)
            | Cmd::Append(key, _)
            | Cmd::GetDel(key)
            | Cmd::Strlen(key)
            | Cmd::PExpire(key, _)
            | Cmd::Persist(key)
            | Cmd::PTtl(key) => vec![*key],
            Cmd::Del(keys) | Cmd::Exists(keys) | Cmd::MGet(keys) => keys.clone(),
            Cmd::MSet(pairs) => pairs.iter().map(|(k, _)| *k).collect(),
            Cmd::Ping => Vec::new(),
        }
    }

    /// True for commands that change nothing (the shrinker may drop them).
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            Cmd::Get(_) | Cmd::Exists(_) | Cmd::Strlen(_) | Cmd::MGet(_) | Cmd::PTtl(_) | Cmd::Ping
        )
    }

    /// One redis-cli line, for replay scripts.
    pub fn cli_line(&self) -> String {
        self.argv()
            .iter()
            .map(|a| {
                let s = String::from_utf8_lossy(a);
                if s.is_empty() || s.contains([' ', '"', '\'']) {
                    format!("{s:?}")
                } else {
                    s.into_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A command with the window in which it took effect, in virtual milliseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedCmd {
    pub cmd: Cmd,
    pub call_ms: u64,
    /// `None`: the reply never came; the op may have run at any later time.
    pub ret_ms: Option<u64>,
}

/// A key's value and, if it has one, its deadline as an interval `[lo, hi]` of ms.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub value: Bytes,
    pub expire: Option<(u64, u64)>,
}

/// The state of the keys of one partition, sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct State {
    pub keys: Vec<(KeyId, Entry)>,
}

impl State {
    fn get(&self, key: KeyId) -> Option<&Entry> {
        self.keys
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &self.keys[i].1)
    }

    fn get_mut(&mut self, key: KeyId) -> Option<&mut Entry> {
        match self.keys.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => Some(&mut self.keys[i].1),
            Err(_) => None,
        }
    }

    fn put(&mut self, key: KeyId, entry: Entry) {
        match self.keys.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => self.keys[i].1 = entry,
            Err(i) => self.keys.insert(i, (key, entry)),
        }
    }

    fn remove(&mut self, key: KeyId) -> Option<Entry> {
        match self.keys.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => Some(self.keys.remove(i).1),
            Err(_) => None,
        }
    }
}

/// What a command must have answered: one exact reply, or a PTTL within a range.
#[derive(Debug, PartialEq)]
enum Expect {
    Exact(Reply),
    PttlBetween(i64, i64),
}

impl Expect {
    fn accepts(&self, output: &Reply) -> bool {
        match (self, output) {
            (Expect::Exact(want), got) => want == got,
            (Expect::PttlBetween(lo, hi), Reply::Integer(n)) => lo <= n && n <= hi,
            _ => false,
        }
    }
}

const WRONG_INTEGER: &str = "ERR value is not an integer or out of range";
const OVERFLOW: &str = "ERR increment or decrement would overflow";

/// The workload's commands over Redis's strings and TTLs.
pub struct RedisModel;

impl RedisModel {
    /// Every way the touched keys' TTLs may have resolved at the op's instant: each key
    /// with an uncertain deadline is either still alive or already expired.
    fn resolutions(state: &State, keys: &[KeyId], lo: u64, hi: u64) -> Vec<State> {
        let mut views = vec![state.clone()];
        let mut seen: Vec<KeyId> = Vec::new();
        for &key in keys {
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let Some(Entry {
                expire: Some((elo, ehi)),
                ..
            }) = state.get(key)
            else {
                continue;
            };
            // Expired at instant t iff t > when; t in [lo, hi], when in [elo, ehi].
            let may_be_expired = hi > *elo;
            let may_be_alive = lo <= *ehi;
            let mut next = Vec::with_capacity(views.len() * 2);
            for view in views {
                if may_be_expired {
                    let mut gone = view.clone();
                    gone.remove(key);
                    next.push(gone);
                }
                if may_be_alive {
                    next.push(view);
                }
            }
            views = next;
        }
        views
    }

    /// Applies `cmd` to a view whose TTLs are resolved; returns what it must answer.
    fn apply(view: &mut State, cmd: &Cmd, lo: u64, hi: u64) -> Expect {
        let bulk_or_null = |e: Option<&Entry>| match e {
            Some(e) => Reply::Bulk(e.value.clone()),
            None => Reply::Null,
        };
        let deadline = |ms: u64| (lo.saturating_add(ms), hi.saturating_add(ms));
        match cmd {
            Cmd::Set {
                key,
                value,
                ttl_ms,
                cond,
                get,
            } => {
                let old = view.get(*key).cloned();
                let applies = match cond {
                    SetCond::Always => true,
                    SetCond::Nx => old.is_none(),
                    SetCond::Xx => old.is_some(),
                };
                if applies {
                    let expire = ttl_ms.map(deadline);
                    view.put(
                        *key,
                        Entry {
                            value: value.clone(),
                            expire,
                        },
                    );
                }
                Expect::Exact(match (get, applies) {
                    (true, _) => bulk_or_null(old.as_ref()),
                    (false, true) => Reply::OK,
                    (false, false) => Reply::Null,
                })
            }
            Cmd::Get(key) => Expect::Exact(bulk_or_null(view.get(*key))),
            Cmd::Del(keys) => {
                let mut n = 0;
                for key in keys {
                    n += i64::from(view.remove(*key).is_some());
                }
                Expect::Exact(Reply::Integer(n))
            }
            Cmd::Exists(keys) => Expect::Exact(Reply::Integer(
                keys.iter().filter(|k| view.get(**k).is_some()).count() as i64,
            )),
            Cmd::IncrBy(key, by) => {
                let current = match view.get(*key) {
                    None => Some(0i64),
                    Some(e) => parse_redis_int(&e.value),
                };
                let Some(current) = current else {
                    return Expect::Exact(Reply::err(WRONG_INTEGER));
                };
                let Some(new) = current.checked_add(*by) else {
                    return Expect::Exact(Reply::err(OVERFLOW));
                };
                let expire = view.get(*key).and_then(|e| e.expire);
                let value = Bytes::from(new.to_string());
                view.put(*key, Entry { value, expire });
                Expect::Exact(Reply::Integer(new))
            }
            Cmd::Append(key, suffix) => {
                let (mut data, expire) = match view.get(*key) {
                    Some(e) => (e.value.to_vec(), e.expire),
                    None => (Vec::new(), None),
                };
                data.extend_from_slice(suffix);
                let len = data.len() as i64;
                view.put(
                    *key,
                    Entry {
                        value: Bytes::from(data),
                        expire,
                    },
                );
                Expect::Exact(Reply::Integer(len))
            }
            Cmd::GetDel(key) => Expect::Exact(bulk_or_null(view.remove(*key).as_ref())),
            Cmd::Strlen(key) => Expect::Exact(Reply::Integer(
                view.get(*key).map_or(0, |e| e.value.len() as i64),
            )),
            Cmd::MSet(pairs) => {
                for (key, value) in pairs {
                    view.put(
                        *key,
                        Entry {
                            value: value.clone(),
                            expire: None,
                        },
                    );
                }
                Expect::Exact(Reply::OK)
            }
            Cmd::MGet(keys) => Expect::Exact(Reply::Array(
                keys.iter().map(|k| bulk_or_null(view.get(*k))).collect(),
            )),
            Cmd::PExpire(key, ms) => match view.get_mut(*key) {
                Some(e) => {
                    e.expire = Some(deadline(*ms));
                    Expect::Exact(Reply::Integer(1))
                }
                None => Expect::Exact(Reply::Integer(0)),
            },
            Cmd::Persist(key) => match view.get_mut(*key) {
                Some(e) if e.expire.is_some() => {
                    e.expire = None;
                    Expect::Exact(Reply::Integer(1))
                }
                _ => Expect::Exact(Reply::Integer(0)),
            },
            Cmd::PTtl(key) => match view.get(*key) {
                None => Expect::Exact(Reply::Integer(-2)),
                Some(Entry { expire: None, .. }) => Expect::Exact(Reply::Integer(-1)),
                Some(Entry {
                    expire: Some((elo, ehi)),
                    ..
                }) => {
                    // An unknown deadline reaches u64::MAX: clamp, don't wrap.
                    let min = i64::try_from(elo.saturating_sub(hi)).unwrap_or(i64::MAX);
                    let max = i64::try_from(ehi.saturating_sub(lo)).unwrap_or(i64::MAX);
                    Expect::PttlBetween(min, max)
                }
            },
            Cmd::Ping => Expect::Exact(Reply::simple("PONG")),
        }
    }
}

/// Redis's string2ll: optional '-', digits, no leading zeros, no '+', no spaces.
pub fn parse_redis_int(data: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(data).ok()?;
    if text.is_empty() || text.len() > 20 || text.starts_with('+') {
        return None;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
        || text == "-0"
    {
        return None;
    }
    text.parse().ok()
}

impl Model for RedisModel {
    type State = State;
    type Input = TimedCmd;
    type Output = Reply;

    fn init(&self) -> Vec<State> {
        vec![State::default()]
    }

    fn step(&self, state: &State, input: &TimedCmd, output: Option<&Reply>, out: &mut Vec<State>) {
        let lo = input.call_ms;
        let hi = input.ret_ms.unwrap_or(u64::MAX);
        let keys = input.cmd.keys();
        for mut view in Self::resolutions(state, &keys, lo, hi) {
            let expect = Self::apply(&mut view, &input.cmd, lo, hi);
            let legal = output.is_none_or(|got| expect.accepts(got));
            if legal && !out.contains(&view) {
                out.push(view);
            }
        }
    }

    fn ordered_per_client(&self) -> bool {
        // `client` is one connection in the simulator's histories (see run.rs), and a
        // connection's commands run in the order they were sent.
        true
    }

    fn partition_keys(&self, input: &TimedCmd, keys: &mut Vec<u64>) {
        let touched = input.cmd.keys();
        if touched.is_empty() {
            // PING touches no key: all PINGs share a partition of their own.
            keys.push(u64::MAX);
        } else {
            keys.extend(touched.into_iter().map(u64::from));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::{check, Operation, Verdict};

    fn op(client: u64, cmd: Cmd, output: Reply, call: u64, ret: u64) -> Operation<TimedCmd, Reply> {
        Operation {
            client,
            input: TimedCmd {
                cmd,
                call_ms: call,
                ret_ms: Some(ret),
            },
            output: Some(output),
            call,
            ret: Some(ret),
        }
    }

    fn set(key: KeyId, v: &'static str, ttl_ms: Option<u64>) -> Cmd {
        Cmd::Set {
            key,
            value: Bytes::from(v),
            ttl_ms,
            cond: SetCond::Always,
            get: false,
        }
    }

    fn bulk(v: &'static str) -> Reply {
        Reply::Bulk(Bytes::from(v))
    }

    fn verdict(history: &[Operation<TimedCmd, Reply>]) -> bool {
        matches!(
            check(&RedisModel, history, None).verdict,
            Verdict::Linearizable
        )
    }

    #[test]
    fn stale_read_is_rejected() {
        let h = vec![
            op(1, set(0, "a", None), Reply::OK, 0, 1),
            op(1, set(0, "b", None), Reply::OK, 2, 3),
            op(2, Cmd::Get(0), bulk("a"), 4, 5),
        ];
        assert!(!verdict(&h));
    }

    #[test]
    fn concurrent_read_may_see_either_side() {
        let h = vec![
            op(1, set(0, "a", None), Reply::OK, 0, 1),
            op(1, set(0, "b", None), Reply::OK, 2, 10),
            op(2, Cmd::Get(0), bulk("a"), 3, 5),
            op(3, Cmd::Get(0), bulk("b"), 4, 6),
        ];
        assert!(verdict(&h));
    }

    #[test]
    fn lost_write_is_rejected() {
        let h = vec![
            op(1, Cmd::IncrBy(0, 1), Reply::Integer(1), 0, 1),
            op(2, Cmd::IncrBy(0, 1), Reply::Integer(1), 2, 3),
        ];
        assert!(!verdict(&h));
    }

    #[test]
    fn expired_key_read_back_is_rejected_but_straddling_read_is_not() {
        let expired = vec![
            op(1, set(0, "a", Some(100)), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), bulk("a"), 500, 501),
        ];
        assert!(!verdict(&expired));
        let straddling = vec![
            op(1, set(0, "a", Some(100)), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), bulk("a"), 50, 150),
            op(3, Cmd::Get(0), Reply::Null, 60, 160),
        ];
        assert!(verdict(&straddling));
        // Once seen expired, the key cannot come back.
        let resurrected = vec![
            op(1, set(0, "a", Some(100)), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), Reply::Null, 50, 150),
            op(3, Cmd::Get(0), bulk("a"), 151, 152),
        ];
        assert!(!verdict(&resurrected));
    }

    #[test]
    fn pttl_must_fall_in_the_window() {
        let ok = vec![
            op(1, set(0, "a", Some(1000)), Reply::OK, 0, 10),
            op(1, Cmd::PTtl(0), Reply::Integer(950), 50, 60),
        ];
        assert!(verdict(&ok));
        let bad = vec![
            op(1, set(0, "a", Some(1000)), Reply::OK, 0, 10),
            op(1, Cmd::PTtl(0), Reply::Integer(999), 50, 60),
        ];
        assert!(!verdict(&bad));
    }

    #[test]
    fn swapped_pipelined_replies_are_rejected() {
        // One client pipelines SET then GET of another key; replies come back swapped.
        let h = vec![
            op(1, set(0, "x", None), Reply::OK, 0, 1),
            op(2, Cmd::Get(0), Reply::OK, 2, 4),
            op(2, Cmd::Strlen(0), bulk("x"), 2, 4),
        ];
        assert!(!verdict(&h));
    }

    #[test]
    fn unknown_outcome_may_or_may_not_apply() {
        let unknown_set = Operation {
            client: 1,
            input: TimedCmd {
                cmd: set(0, "a", None),
                call_ms: 0,
                ret_ms: None,
            },
            output: None,
            call: 0,
            ret: None,
        };
        let applied = vec![unknown_set.clone(), op(2, Cmd::Get(0), bulk("a"), 5, 6)];
        assert!(verdict(&applied));
        let not_applied = vec![unknown_set, op(2, Cmd::Get(0), Reply::Null, 5, 6)];
        assert!(verdict(&not_applied));
    }

    #[test]
    fn redis_integer_rules() {
        assert_eq!(parse_redis_int(b"-12"), Some(-12));
        assert_eq!(parse_redis_int(b"012"), None);
        assert_eq!(parse_redis_int(b"-0"), None);
        assert_eq!(parse_redis_int(b"+1"), None);
        assert_eq!(parse_redis_int(b"9223372036854775808"), None);
    }
}

#[cfg(test)]
mod regressions {
    use super::*;
    use crate::checker::{check, Operation, Verdict};

    /// Found by `sim --seed 25`: a SET PX whose reply was lost has a deadline interval
    /// reaching u64::MAX; PTTL's upper bound wrapped to a negative i64 and every PTTL
    /// after such a SET was rejected.
    #[test]
    fn pttl_after_a_set_px_with_unknown_outcome() {
        let e = 1_700_000_000_000_000u64;
        let set = Cmd::Set {
            key: 0,
            value: Bytes::from("c2-24"),
            ttl_ms: Some(1284),
            cond: SetCond::Always,
            get: false,
        };
        let history = vec![
            Operation {
                client: 1,
                input: TimedCmd {
                    cmd: set,
                    call_ms: (e + 550) / 1000,
                    ret_ms: None,
                },
                output: None,
                call: e + 550,
                ret: None,
            },
            Operation {
                client: 2,
                input: TimedCmd {
                    cmd: Cmd::PTtl(0),
                    call_ms: (e + 696) / 1000,
                    ret_ms: Some((e + 931).div_ceil(1000)),
                },
                output: Some(Reply::Integer(1284)),
                call: e + 696,
                ret: Some(e + 931),
            },
        ];
        let verdict = check(&RedisModel, &history, None).verdict;
        assert!(matches!(verdict, Verdict::Linearizable), "{verdict:?}");
    }
}
