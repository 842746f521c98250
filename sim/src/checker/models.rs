//! Sequential models for Jepsen-style histories: a key-value store (Porcupine's kv data) and
//! one register (Jepsen's etcd test), as in `../shared/histories/porcupine` beside the checkout.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::engine::Model;
use super::hash::fx_hash;

// ---------------------------------------------------------------------------------------------
// Key-value store: get / put / append on string keys (Porcupine's kv test data).

/// A key: its name (for humans) and an exact id interned by the parser (for partitioning —
/// ids are exact, so a partition never mixes two keys and the state can be one value).
#[derive(Clone, PartialEq, Eq)]
pub struct KvKey {
    pub id: u64,
    pub name: Arc<str>,
}

impl fmt::Debug for KvKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvOp {
    Get,
    Put(Arc<str>),
    Append(Arc<str>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvInput {
    pub key: KvKey,
    pub op: KvOp,
}

/// A get's value; puts and appends answer `Ok`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvOutput {
    Value(Arc<str>),
    Ok,
}

/// The value of the partition's one key ("" = missing, as in Porcupine's model). The hash is
/// computed once per new value: values grow with every append, and the memo table hashes and
/// compares states far more often than the model creates them.
#[derive(Clone)]
pub struct KvState {
    hash: u64,
    value: Arc<str>,
}

impl KvState {
    pub fn new(value: Arc<str>) -> Self {
        KvState {
            hash: fx_hash(&*value),
            value,
        }
    }
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl PartialEq for KvState {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && (Arc::ptr_eq(&self.value, &other.value) || self.value == other.value)
    }
}
impl Eq for KvState {}
impl Hash for KvState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}
impl fmt::Debug for KvState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.value)
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct KvModel;

impl Model for KvModel {
    type State = KvState;
    type Input = KvInput;
    type Output = KvOutput;

    fn init(&self) -> Vec<KvState> {
        vec![KvState::new(Arc::from(""))]
    }

    fn step(
        &self,
        state: &KvState,
        input: &KvInput,
        output: Option<&KvOutput>,
        out: &mut Vec<KvState>,
    ) {
        match (&input.op, output) {
            (KvOp::Get, Some(KvOutput::Value(v))) => {
                if *state.value == **v {
                    out.push(state.clone());
                }
            }
            // A get with an unknown reply changes nothing; a get answered "OK" is nonsense.
            (KvOp::Get, None) => out.push(state.clone()),
            (KvOp::Get, Some(KvOutput::Ok)) => {}
            (KvOp::Put(v), None | Some(KvOutput::Ok)) => out.push(KvState::new(v.clone())),
            (KvOp::Append(v), None | Some(KvOutput::Ok)) => {
                let mut s = String::with_capacity(state.value.len() + v.len());
                s.push_str(&state.value);
                s.push_str(v);
                out.push(KvState::new(Arc::from(s)));
            }
            (KvOp::Put(_) | KvOp::Append(_), Some(KvOutput::Value(_))) => {}
        }
    }

    fn partition_keys(&self, input: &KvInput, keys: &mut Vec<u64>) {
        keys.push(input.key.id);
    }
}

// ---------------------------------------------------------------------------------------------
// One register: read / write / cas (Jepsen's etcd test). Initial value nil.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegInput {
    Read,
    Write(i64),
    Cas { from: i64, to: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegOutput {
    /// The value read; `None` = nil.
    Read(Option<i64>),
    Write,
    /// Whether the compare succeeded. Jepsen logs a failed compare as `:fail`, which the
    /// parser drops (a `:fail` op did not happen), so `Cas(false)` only comes from other
    /// sources; the model still handles it: the register did not hold `from`.
    Cas(bool),
}

#[derive(Debug, Default, Clone, Copy)]
pub struct RegisterModel;

impl Model for RegisterModel {
    /// `None` = nil.
    type State = Option<i64>;
    type Input = RegInput;
    type Output = RegOutput;

    fn init(&self) -> Vec<Option<i64>> {
        vec![None]
    }

    fn step(
        &self,
        state: &Option<i64>,
        input: &RegInput,
        output: Option<&RegOutput>,
        out: &mut Vec<Option<i64>>,
    ) {
        match (*input, output) {
            (RegInput::Read, Some(&RegOutput::Read(v))) if v == *state => {
                out.push(*state);
            }
            (RegInput::Read, None) => out.push(*state),
            (RegInput::Write(v), None | Some(RegOutput::Write)) => out.push(Some(v)),
            (RegInput::Cas { from, to }, None) => {
                // Unknown outcome: if linearized here it applies iff the compare holds. (That it
                // may not have run at all is the checker's business: it may skip the op.)
                out.push(if *state == Some(from) {
                    Some(to)
                } else {
                    *state
                });
            }
            (RegInput::Cas { from, to }, Some(&RegOutput::Cas(ok))) => {
                if ok && *state == Some(from) {
                    out.push(Some(to));
                } else if !ok && *state != Some(from) {
                    out.push(*state);
                }
            }
            // Mismatched input and output kinds: no legal step.
            _ => {}
        }
    }

    /// One register: everything is one partition.
    fn partition_keys(&self, _input: &RegInput, keys: &mut Vec<u64>) {
        keys.push(0);
    }
}
