//! The linearizability search: Wing & Gong's algorithm with Lowe's memoization, the way
//! Porcupine runs it, over a history split into independent partitions.
//!
//! A history is linearizable if its operations can be put in one sequential order that (a)
//! respects real time — an op that returned before another was called comes first — and (b)
//! is a legal run of the sequential model. The search walks a doubly linked list of call and
//! return events sorted by time. At any point the candidates for "next linearized op" are the
//! ops whose call comes before the first return still in the list (an op cannot be ordered
//! after an op that returned before it was called). Linearizing an op unlinks its call and
//! return ("lift"); backtracking relinks them ("unlift", dancing-links style, LIFO). A
//! configuration is the set of linearized ops plus the model state; each is explored at most
//! once, remembered in a [`MemoTable`].
//!
//! Ops whose outcome is unknown (`ret == None`, the client never saw a reply) return at
//! +infinity: they may be linearized anywhere after their call, or never — the search succeeds
//! as soon as every op *with* a known return is linearized.
//!
//! Partitioning (P-compositionality): ops that share no key are independent, and a history is
//! linearizable iff every partition is. Partitions are checked in parallel; the result is still
//! deterministic (see [`check`]).

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::hash::{fx_hash, mix64, FxHashMap, MemoTable};

/// A sequential specification of the object under test.
///
/// `Sync` because partitions are checked on several threads that share the model and the
/// history; states never cross threads.
pub trait Model: Sync {
    type State: Clone + Eq + Hash + Debug;
    type Input: Debug + Sync;
    type Output: Debug + Sync;

    /// The possible initial states (several = the initial state is itself uncertain). The
    /// history is linearizable if it is from at least one of them.
    fn init(&self) -> Vec<Self::State>;

    /// Push onto `out` every state the model may be in after applying `input` in `state` and
    /// answering `output`; push nothing if that is illegal. `output == None` means the outcome
    /// is unknown (the client never saw the reply): any output is acceptable. Several states
    /// model non-determinism (a TTL straddling an expiry, an unknown CAS). `out` is empty on
    /// entry; the checker reuses it so that stepping does not allocate.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
        out: &mut Vec<Self::State>,
    );

    /// Push the keys `input` touches onto `keys` (empty on entry). Ops sharing a key land in
    /// one partition (union-find), and each partition is checked from `init()` on its own, so
    /// the model's state only ever has to describe the keys of one partition.
    ///
    /// Pushing *no* key means "this op touches everything" (FLUSHALL, DBSIZE): the whole
    /// history then becomes one partition. That is the safe default — a model that does not
    /// partition at all simply pushes nothing. An op that truly touches nothing (PING) should
    /// push a dedicated key of its own instead.
    ///
    /// Keys must be exact: two different keys that map to one u64 merely merge partitions,
    /// which is only sound if the model's state can describe both keys.
    fn partition_keys(&self, input: &Self::Input, keys: &mut Vec<u64>);
}

/// One operation of a history. Times are in any unit, only their order matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation<I, O> {
    pub client: u64,
    pub input: I,
    /// `None`: the output is unknown (the model's `step` gets `None`).
    pub output: Option<O>,
    pub call: u64,
    /// `None`: the op never returned as far as the client knows; it may or may not have taken
    /// effect. A `ret` before `call` is treated as `ret == call`.
    pub ret: Option<u64>,
}

/// Why a history is not linearizable, in terms of indices into the checked history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureInfo {
    /// All ops of the partition that failed (the lowest-numbered failing partition, numbered
    /// by first op), in history order.
    pub partition: Vec<usize>,
    /// The longest linearizable prefix the search found, in linearization order.
    pub prefix: Vec<usize>,
    /// The model state after `prefix`, `Debug`-formatted.
    pub state_after_prefix: String,
    /// The ops that were candidates to go next after `prefix` (called before the earliest
    /// pending return); each of them is illegal in `state_after_prefix`.
    pub stuck: Vec<usize>,
    /// The pending op with the earliest return: it had to be linearized before any op called
    /// after that return, so the search could not wait for later ops to fix the state.
    pub blocking: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    NotLinearizable(FailureInfo),
    /// The deadline passed before every partition was decided (and none had failed).
    Unknown,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    pub verdict: Verdict,
    /// Ops in the history.
    pub ops: usize,
    /// Independent partitions the history was split into.
    pub partitions: usize,
    /// Configurations memoized over all partitions: a measure of the search's work.
    pub explored: u64,
    pub elapsed: Duration,
}

/// Check `history` against `model`. `deadline` bounds the wall-clock time; when it passes,
/// the verdict is [`Verdict::Unknown`] (unless a partition was already found to fail).
///
/// Deterministic: the verdict and, on failure, the [`FailureInfo`] do not depend on thread
/// timing. A failing partition only cancels partitions numbered after it, so the reported
/// failure is always the lowest-numbered failing partition's.
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    deadline: Option<Duration>,
) -> CheckResult {
    let start = Instant::now();
    let deadline_at = deadline.and_then(|d| start.checked_add(d));
    let parts = partition(model, history);
    let control = Control {
        deadline_at,
        first_failed: AtomicUsize::new(usize::MAX),
    };

    // Biggest partitions first, so one big partition does not start last on a busy pool.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&p| std::cmp::Reverse(parts[p].len()));
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(parts.len());
    let next_job = AtomicUsize::new(0);
    let run_jobs = || {
        let mut done = Vec::new();
        loop {
            let job = next_job.fetch_add(1, Ordering::Relaxed);
            let Some(&p) = order.get(job) else { break };
            done.push((p, search(model, history, &parts[p], p, &control)));
        }
        done
    };

    let mut outcomes: Vec<Option<Outcome>> = (0..parts.len()).map(|_| None).collect();
    let mut explored = 0u64;
    let mut collect = |done: Vec<(usize, (Outcome, u64))>| {
        for (p, (outcome, n)) in done {
            explored += n;
            outcomes[p] = Some(outcome);
        }
    };
    if workers <= 1 {
        collect(run_jobs());
    } else {
        std::thread::scope(|scope| {
            let mut handles = Vec::new();
            for _ in 1..workers {
                // A thread that cannot be spawned is no error: the others take its share.
                if let Ok(h) = std::thread::Builder::new().spawn_scoped(scope, run_jobs) {
                    handles.push(h);
                }
            }
            collect(run_jobs());
            for h in handles {
                match h.join() {
                    Ok(done) => collect(done),
                    // Only a panicking model gets here; surface its panic unchanged.
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
    }

    // Lowest-numbered failure wins; otherwise any timeout (or cancellation, which only
    // happens after a failure) makes the verdict unknown.
    let mut verdict = Verdict::Linearizable;
    for outcome in outcomes {
        match outcome {
            Some(Outcome::Fail(info)) => {
                verdict = Verdict::NotLinearizable(info);
                break;
            }
            Some(Outcome::Ok) => {}
            Some(Outcome::Stopped) | None => verdict = Verdict::Unknown,
        }
    }
    CheckResult {
        verdict,
        ops: history.len(),
        partitions: parts.len(),
        explored,
        elapsed: start.elapsed(),
    }
}

/// Split op indices into partitions by shared keys, numbered by their first op.
fn partition<M: Model>(model: &M, history: &[Operation<M::Input, M::Output>]) -> Vec<Vec<usize>> {
    let n = history.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]]; // path halving
            x = parent[x];
        }
        x
    }
    let mut owner: FxHashMap<u64, usize> = FxHashMap::default();
    let mut keys = Vec::new();
    for (i, op) in history.iter().enumerate() {
        keys.clear();
        model.partition_keys(&op.input, &mut keys);
        if keys.is_empty() {
            // A global op: everything is one partition.
            return if n == 0 {
                Vec::new()
            } else {
                vec![(0..n).collect()]
            };
        }
        for &k in &keys {
            let other = *owner.entry(k).or_insert(i);
            let (a, b) = (find(&mut parent, i), find(&mut parent, other));
            if a != b {
                // Union towards the smaller index: a root is then its partition's first op.
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut index_of_root: FxHashMap<usize, usize> = FxHashMap::default();
    let mut parts: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        let p = *index_of_root.entry(root).or_insert_with(|| {
            parts.push(Vec::new());
            parts.len() - 1
        });
        parts[p].push(i);
    }
    parts
}

struct Control {
    deadline_at: Option<Instant>,
    /// Index of the lowest partition known to fail; partitions above it may stop.
    first_failed: AtomicUsize,
}

enum Outcome {
    Ok,
    Fail(FailureInfo),
    /// Deadline passed, or a lower partition failed.
    Stopped,
}

/// A linearized op on the search stack.
struct Frame<S> {
    /// The op's call node.
    node: u32,
    /// The state before the op.
    old_state: S,
    /// Alternatives (other possible next states) of this step still to try live in
    /// `alternatives[alts_lo..]` — the arena is a stack, so a frame's alternatives are on top
    /// whenever the search backtracks to it.
    alts_lo: usize,
}

const HEAD: u32 = 0;

/// Search one partition. Returns the outcome and the number of memoized configurations.
fn search<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    ops: &[usize],
    part_index: usize,
    control: &Control,
) -> (Outcome, u64) {
    let n = ops.len();
    // Events: (time, kind, local op) with calls (kind 0) before returns (kind 1) at equal
    // times — ops that touch the same instant count as concurrent, the permissive reading
    // (a checker must never reject a history the system may legally produce).
    let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(2 * n);
    for (j, &i) in ops.iter().enumerate() {
        let op = &history[i];
        let ret = op.ret.map_or(u64::MAX, |r| r.max(op.call));
        events.push((op.call, 0, j as u32));
        events.push((ret, 1, j as u32));
    }
    events.sort_unstable();

    // Nodes: 0 = head, 1..=2n = events in order, 2n+1 = tail (a return-like sentinel, so the
    // walk never needs a null check).
    let tail = (2 * n + 1) as u32;
    let nodes = 2 * n + 2;
    let mut next: Vec<u32> = (1..=nodes as u32).collect();
    let mut prev: Vec<u32> = (0..nodes as u32).map(|x| x.wrapping_sub(1)).collect();
    let mut op_of = vec![u32::MAX; nodes]; // local op of a call node, MAX for others
    let mut match_of = vec![0u32; nodes]; // return node of a call node
    let mut call_pos = vec![0u32; n];
    let mut ret_pos = vec![0u32; n];
    for (pos, &(_, kind, j)) in events.iter().enumerate() {
        let node = (pos + 1) as u32;
        if kind == 0 {
            op_of[node as usize] = j;
            call_pos[j as usize] = node;
        } else {
            ret_pos[j as usize] = node;
        }
    }
    for j in 0..n {
        match_of[call_pos[j] as usize] = ret_pos[j];
    }

    let known: Vec<bool> = ops.iter().map(|&i| history[i].ret.is_some()).collect();
    let zobrist: Vec<u64> = (0..n as u64).map(|j| mix64(j ^ 0x5eed_0f_0b5)).collect();
    let words = n.div_ceil(64).max(1);
    let mut bits = vec![0u64; words];
    let mut bits_hash = 0u64;
    let mut cache: MemoTable<M::State> = MemoTable::new(words);
    let mut stack: Vec<Frame<M::State>> = Vec::with_capacity(n);
    let mut alternatives: Vec<M::State> = Vec::new();
    let mut scratch: Vec<M::State> = Vec::new();
    let mut remaining = known.iter().filter(|&&k| k).count();

    let mut best_prefix: Vec<u32> = Vec::new();
    let mut best_state: Option<M::State> = None;
    let mut iterations = 0u64;

    let key = |bits_hash: u64, state: &M::State| bits_hash ^ mix64(fx_hash(state));

    for init in model.init() {
        let mut state = init;
        if best_state.is_none() {
            best_state = Some(state.clone());
        }
        // Several initial states may coincide; one exploration each is enough.
        if !cache.insert(key(0, &state), &bits, &state) {
            continue;
        }
        let mut entry = next[HEAD as usize];
        loop {
            if remaining == 0 {
                return (Outcome::Ok, cache.len() as u64);
            }
            iterations += 1;
            if iterations & 0x3ff == 0 {
                let cancelled = control.first_failed.load(Ordering::Relaxed) < part_index;
                let late = control.deadline_at.is_some_and(|d| Instant::now() >= d);
                if cancelled || late {
                    return (Outcome::Stopped, cache.len() as u64);
                }
            }
            let j = if entry == tail {
                u32::MAX
            } else {
                op_of[entry as usize]
            };
            if j == u32::MAX {
                // A return (or the tail): the op it belongs to was not linearized, and it cannot
                // be linearized after anything further down the list. Backtrack.
                let Some(frame) = stack.pop() else { break };
                if alternatives.len() > frame.alts_lo {
                    // Same op, next possible state; the op stays linearized and lifted.
                    if let Some(s) = alternatives.pop() {
                        state = s;
                    }
                    stack.push(frame);
                    entry = next[HEAD as usize];
                    continue;
                }
                state = frame.old_state;
                let fj = op_of[frame.node as usize] as usize;
                bits[fj / 64] &= !(1 << (fj % 64));
                bits_hash ^= zobrist[fj];
                if known[fj] {
                    remaining += 1;
                }
                unlift(
                    &mut next,
                    &mut prev,
                    frame.node,
                    match_of[frame.node as usize],
                );
                entry = next[frame.node as usize];
                continue;
            }
            let ju = j as usize;
            let op = &history[ops[ju]];
            scratch.clear();
            model.step(&state, &op.input, op.output.as_ref(), &mut scratch);
            if scratch.is_empty() {
                entry = next[entry as usize];
                continue;
            }
            bits[ju / 64] |= 1 << (ju % 64);
            bits_hash ^= zobrist[ju];
            let alts_lo = alternatives.len();
            for s in scratch.drain(..) {
                if cache.insert(key(bits_hash, &s), &bits, &s) {
                    alternatives.push(s);
                }
            }
            let Some(new_state) = (if alternatives.len() > alts_lo {
                alternatives.pop()
            } else {
                None
            }) else {
                // Every next state was explored before: a dead end.
                bits[ju / 64] &= !(1 << (ju % 64));
                bits_hash ^= zobrist[ju];
                entry = next[entry as usize];
                continue;
            };
            let old_state = std::mem::replace(&mut state, new_state);
            stack.push(Frame {
                node: entry,
                old_state,
                alts_lo,
            });
            if known[ju] {
                remaining -= 1;
            }
            lift(&mut next, &mut prev, entry, match_of[entry as usize]);
            if stack.len() > best_prefix.len() {
                best_prefix.clear();
                best_prefix.extend(stack.iter().map(|f| op_of[f.node as usize]));
                best_state = Some(state.clone());
            }
            entry = next[HEAD as usize];
        }
    }

    // No initial state led to a full linearization. Describe the deepest point reached.
    control
        .first_failed
        .fetch_min(part_index, Ordering::Relaxed);
    let mut linearized = vec![false; n];
    for &j in &best_prefix {
        linearized[j as usize] = true;
    }
    // The earliest pending return bounds which ops could go next.
    let blocking = (0..n)
        .filter(|&j| !linearized[j] && known[j])
        .min_by_key(|&j| ret_pos[j]);
    let bound = blocking.map_or(u32::MAX, |j| ret_pos[j]);
    let mut stuck: Vec<usize> = (0..n)
        .filter(|&j| !linearized[j] && call_pos[j] < bound)
        .collect();
    stuck.sort_by_key(|&j| call_pos[j]);
    let info = FailureInfo {
        partition: ops.to_vec(),
        prefix: best_prefix.iter().map(|&j| ops[j as usize]).collect(),
        state_after_prefix: best_state
            .map_or_else(|| "(no initial state)".to_string(), |s| format!("{s:?}")),
        stuck: stuck.into_iter().map(|j| ops[j]).collect(),
        blocking: blocking.map(|j| ops[j]),
    };
    (Outcome::Fail(info), cache.len() as u64)
}

/// Unlink a linearized op's call and return nodes.
#[inline]
fn lift(next: &mut [u32], prev: &mut [u32], call: u32, ret: u32) {
    for node in [call, ret] {
        let (p, nx) = (prev[node as usize], next[node as usize]);
        next[p as usize] = nx;
        prev[nx as usize] = p;
    }
}

/// Undo [`lift`]: relink in reverse order (dancing links need strict LIFO undo).
#[inline]
fn unlift(next: &mut [u32], prev: &mut [u32], call: u32, ret: u32) {
    for node in [ret, call] {
        let (p, nx) = (prev[node as usize], next[node as usize]);
        next[p as usize] = node;
        prev[nx as usize] = node;
    }
}
