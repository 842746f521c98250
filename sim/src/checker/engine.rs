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
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::hash::{fx_hash, mix64, FxHashMap, MemoTable};

/// A sequential specification of the object under test.
///
/// `Sync` (and `Send` states) because partitions are checked on several threads that share
/// the model and the history.
pub trait Model: Sync {
    type State: Clone + Eq + Hash + Debug + Send;
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

    /// True when one client's ops take effect in the order they were called, whatever
    /// their intervals say: a Redis connection executes its pipelined commands in order,
    /// though they are all in flight at once. The search then only linearizes an op after
    /// its client's previous op (by call time, then history order) in the same partition.
    /// This is a constraint the system guarantees, so it only removes orders that cannot
    /// happen; it also prunes the search enormously for pipelined workloads.
    fn ordered_per_client(&self) -> bool {
        false
    }
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
/// Partitions are searched in rounds: in round `r` every undecided partition runs at most
/// `FIRST_BUDGET << r` more search steps (on as many threads as the machine has). The check
/// stops after the first round in which some partition fails, and reports the
/// lowest-numbered partition that failed in that round. A failure is thus found about as
/// fast as "stop at the first failing partition" (a bad history often has one quick
/// failure and other partitions that take ages to refute), yet the verdict and the
/// [`FailureInfo`] depend only on step counts, never on thread timing: deterministic, as the
/// project requires (only a `deadline` brings wall time in).
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    deadline: Option<Duration>,
) -> CheckResult {
    let start = Instant::now();
    let deadline_at = deadline.and_then(|d| start.checked_add(d));
    let parts = partition(model, history);
    let searches: Vec<Mutex<Search<'_, M>>> = parts
        .iter()
        .map(|ops| Mutex::new(Search::new(model, history, ops)))
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = (0..parts.len()).map(|_| None).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut verdict = Verdict::Linearizable;
    let mut round = 0u32;
    loop {
        let mut todo: Vec<usize> = (0..parts.len())
            .filter(|&p| outcomes[p].is_none())
            .collect();
        if todo.is_empty() {
            break;
        }
        // Biggest partitions first, so a big one does not start last on a busy pool.
        todo.sort_by_key(|&p| std::cmp::Reverse(parts[p].len()));
        let budget = FIRST_BUDGET.checked_shl(round).unwrap_or(u64::MAX);
        for (p, outcome) in run_round(&searches, &todo, budget, deadline_at, threads) {
            outcomes[p] = outcome;
        }
        round = round.saturating_add(1);
        // `outcomes` is indexed by partition number, so the first failure is the lowest.
        if let Some(info) = outcomes.iter().find_map(|o| match o {
            Some(Outcome::Fail(info)) => Some(info.clone()),
            _ => None,
        }) {
            verdict = Verdict::NotLinearizable(info);
            break;
        }
        if outcomes
            .iter()
            .any(|o| matches!(o, Some(Outcome::TimedOut)))
        {
            verdict = Verdict::Unknown;
            break;
        }
    }
    let explored = searches
        .iter()
        .map(|m| m.lock().map_or(0, |s| s.cache.len() as u64))
        .sum();
    CheckResult {
        verdict,
        ops: history.len(),
        partitions: parts.len(),
        explored,
        elapsed: start.elapsed(),
    }
}

/// Search steps a partition gets in the first round; doubled every round.
const FIRST_BUDGET: u64 = 1 << 14;

/// Run every partition of `todo` for up to `budget` steps, in parallel. Returns each
/// partition's outcome (`None` = budget spent, undecided).
fn run_round<M: Model>(
    searches: &[Mutex<Search<'_, M>>],
    todo: &[usize],
    budget: u64,
    deadline_at: Option<Instant>,
    threads: usize,
) -> Vec<(usize, Option<Outcome>)> {
    let next_job = AtomicUsize::new(0);
    let run_jobs = || {
        let mut done = Vec::new();
        loop {
            let job = next_job.fetch_add(1, Ordering::Relaxed);
            let Some(&p) = todo.get(job) else { break };
            // A poisoned lock means a model panicked on another thread; that panic is
            // re-raised below, so this partition's result no longer matters.
            let outcome = match searches[p].lock() {
                Ok(mut s) => s.run(budget, deadline_at),
                Err(_) => Some(Outcome::TimedOut),
            };
            done.push((p, outcome));
        }
        done
    };
    // Spawning threads costs ~50 µs: not worth it for the first, short rounds of small
    // histories, which finish inline in less time than that.
    let workers = if budget <= FIRST_BUDGET && todo.len() < 64 {
        1
    } else {
        threads.min(todo.len())
    };
    if workers <= 1 {
        return run_jobs();
    }
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for _ in 1..workers {
            // A thread that cannot be spawned is no error: the others take its share.
            if let Ok(h) = std::thread::Builder::new().spawn_scoped(scope, run_jobs) {
                handles.push(h);
            }
        }
        let mut done = run_jobs();
        for h in handles {
            match h.join() {
                Ok(d) => done.extend(d),
                // Only a panicking model gets here; surface its panic unchanged.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    })
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

enum Outcome {
    Ok,
    Fail(FailureInfo),
    TimedOut,
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

/// The search of one partition, resumable so that partitions can share time in rounds.
struct Search<'a, M: Model> {
    model: &'a M,
    history: &'a [Operation<M::Input, M::Output>],
    /// History indices of this partition's ops; "local op j" is `ops[j]`.
    ops: &'a [usize],
    // The event list: node 0 = head, 1..=2n = call/return events in time order, 2n+1 = tail
    // (a return-like sentinel, so the walk never needs a null check).
    next: Vec<u32>,
    prev: Vec<u32>,
    tail: u32,
    /// Local op of a call node; u32::MAX for return nodes, head and tail.
    op_of: Vec<u32>,
    /// Return node of a call node.
    match_of: Vec<u32>,
    call_pos: Vec<u32>,
    ret_pos: Vec<u32>,
    /// Whether local op j has a known return (must be linearized).
    known: Vec<bool>,
    /// Local op that must be linearized before local op j (same client, called
    /// earlier), when the model orders ops per client; u32::MAX for none.
    pred: Vec<u32>,
    /// Per-op random words; the set's hash is the XOR of its members' (Zobrist hashing), so
    /// adding or removing an op updates it in O(1).
    zobrist: Vec<u64>,
    bits: Vec<u64>,
    bits_hash: u64,
    cache: MemoTable<M::State>,
    stack: Vec<Frame<M::State>>,
    alternatives: Vec<M::State>,
    scratch: Vec<M::State>,
    /// Known-return ops not linearized yet: 0 = success.
    remaining: usize,
    /// Initial states not tried yet (popped from the back, so stored reversed).
    inits: Vec<M::State>,
    /// The current state; `None` between initial states.
    state: Option<M::State>,
    entry: u32,
    best_prefix: Vec<u32>,
    best_state: Option<M::State>,
}

impl<'a, M: Model> Search<'a, M> {
    fn new(model: &'a M, history: &'a [Operation<M::Input, M::Output>], ops: &'a [usize]) -> Self {
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
        let nodes = 2 * n + 2;
        let mut op_of = vec![u32::MAX; nodes];
        let mut match_of = vec![0u32; nodes];
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
        let mut pred = vec![u32::MAX; n];
        if model.ordered_per_client() {
            let mut by_client: Vec<(u64, u64, usize, u32)> = ops
                .iter()
                .enumerate()
                .map(|(j, &i)| (history[i].client, history[i].call, i, j as u32))
                .collect();
            by_client.sort_unstable();
            for pair in by_client.windows(2) {
                if pair[0].0 == pair[1].0 {
                    pred[pair[1].3 as usize] = pair[0].3;
                }
            }
        }
        let words = n.div_ceil(64).max(1);
        let mut inits = model.init();
        inits.reverse();
        Search {
            model,
            history,
            ops,
            next: (1..=nodes as u32).collect(),
            prev: (0..nodes as u32).map(|x| x.wrapping_sub(1)).collect(),
            tail: (2 * n + 1) as u32,
            op_of,
            match_of,
            call_pos,
            ret_pos,
            remaining: known.iter().filter(|&&k| k).count(),
            known,
            pred,
            zobrist: (0..n as u64).map(|j| mix64(j ^ 0x5eed_0f0b5)).collect(),
            bits: vec![0; words],
            bits_hash: 0,
            cache: MemoTable::new(words),
            stack: Vec::with_capacity(n),
            alternatives: Vec::new(),
            scratch: Vec::new(),
            inits,
            state: None,
            entry: HEAD,
            best_prefix: Vec::new(),
            best_state: None,
        }
    }

    #[inline]
    fn key(bits_hash: u64, state: &M::State) -> u64 {
        bits_hash ^ mix64(fx_hash(state))
    }

    #[inline]
    fn toggle(&mut self, j: usize) {
        self.bits[j / 64] ^= 1 << (j % 64);
        self.bits_hash ^= self.zobrist[j];
    }

    /// Search for at most `budget` steps. `None` = undecided yet.
    fn run(&mut self, budget: u64, deadline_at: Option<Instant>) -> Option<Outcome> {
        let mut steps = 0u64;
        loop {
            if self.remaining == 0 {
                return Some(Outcome::Ok);
            }
            steps += 1;
            if steps > budget {
                return None;
            }
            if steps & 0x3ff == 0 && deadline_at.is_some_and(|d| Instant::now() >= d) {
                return Some(Outcome::TimedOut);
            }
            let Some(state) = self.state.take() else {
                // Start from the next initial state, or fail when none is left.
                let Some(init) = self.inits.pop() else {
                    return Some(Outcome::Fail(self.failure()));
                };
                if self.best_state.is_none() {
                    self.best_state = Some(init.clone());
                }
                // Several initial states may coincide; one exploration each is enough.
                if self.cache.insert(Self::key(0, &init), &self.bits, &init) {
                    self.state = Some(init);
                    self.entry = self.next[HEAD as usize];
                }
                continue;
            };
            let entry = self.entry;
            let j = if entry == self.tail {
                u32::MAX
            } else {
                self.op_of[entry as usize]
            };
            if j == u32::MAX {
                // A return (or the tail): its op was not linearized, and cannot be linearized
                // after anything further down the list. Backtrack.
                let Some(frame) = self.stack.pop() else {
                    // This initial state is exhausted; `state` stays None.
                    continue;
                };
                if self.alternatives.len() > frame.alts_lo {
                    // Same op, next possible state; the op stays linearized and lifted.
                    self.state = self.alternatives.pop();
                    self.stack.push(frame);
                    self.entry = self.next[HEAD as usize];
                    continue;
                }
                let fj = self.op_of[frame.node as usize] as usize;
                self.toggle(fj);
                if self.known[fj] {
                    self.remaining += 1;
                }
                unlift(
                    &mut self.next,
                    &mut self.prev,
                    frame.node,
                    self.match_of[frame.node as usize],
                );
                self.entry = self.next[frame.node as usize];
                self.state = Some(frame.old_state);
                continue;
            }
            let ju = j as usize;
            let before = self.pred[ju];
            if before != u32::MAX && self.bits[before as usize / 64] & (1 << (before % 64)) == 0 {
                // Its client's previous op is not linearized yet: not a candidate now.
                self.entry = self.next[entry as usize];
                self.state = Some(state);
                continue;
            }
            let op = &self.history[self.ops[ju]];
            self.scratch.clear();
            self.model
                .step(&state, &op.input, op.output.as_ref(), &mut self.scratch);
            if self.scratch.is_empty() {
                self.entry = self.next[entry as usize];
                self.state = Some(state);
                continue;
            }
            self.toggle(ju);
            let alts_lo = self.alternatives.len();
            for s in self.scratch.drain(..) {
                if self
                    .cache
                    .insert(Self::key(self.bits_hash, &s), &self.bits, &s)
                {
                    self.alternatives.push(s);
                }
            }
            let new_state = if self.alternatives.len() > alts_lo {
                self.alternatives.pop()
            } else {
                None
            };
            let Some(new_state) = new_state else {
                // Every next state was explored before: a dead end.
                self.toggle(ju);
                self.entry = self.next[entry as usize];
                self.state = Some(state);
                continue;
            };
            self.stack.push(Frame {
                node: entry,
                old_state: state,
                alts_lo,
            });
            if self.known[ju] {
                self.remaining -= 1;
            }
            lift(
                &mut self.next,
                &mut self.prev,
                entry,
                self.match_of[entry as usize],
            );
            if self.stack.len() > self.best_prefix.len() {
                self.best_prefix.clear();
                let op_of = &self.op_of;
                self.best_prefix
                    .extend(self.stack.iter().map(|f| op_of[f.node as usize]));
                self.best_state = Some(new_state.clone());
            }
            self.state = Some(new_state);
            self.entry = self.next[HEAD as usize];
        }
    }

    /// Describe the deepest point the search reached.
    fn failure(&self) -> FailureInfo {
        let n = self.ops.len();
        let mut linearized = vec![false; n];
        for &j in &self.best_prefix {
            linearized[j as usize] = true;
        }
        // The earliest pending return bounds which ops could go next.
        let blocking = (0..n)
            .filter(|&j| !linearized[j] && self.known[j])
            .min_by_key(|&j| self.ret_pos[j]);
        let bound = blocking.map_or(u32::MAX, |j| self.ret_pos[j]);
        let mut stuck: Vec<usize> = (0..n)
            .filter(|&j| !linearized[j] && self.call_pos[j] < bound)
            .collect();
        stuck.sort_by_key(|&j| self.call_pos[j]);
        FailureInfo {
            partition: self.ops.to_vec(),
            prefix: self
                .best_prefix
                .iter()
                .map(|&j| self.ops[j as usize])
                .collect(),
            state_after_prefix: self
                .best_state
                .as_ref()
                .map_or_else(|| "(no initial state)".to_string(), |s| format!("{s:?}")),
            stuck: stuck.into_iter().map(|j| self.ops[j]).collect(),
            blocking: blocking.map(|j| self.ops[j]),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::models::{RegInput as I, RegOutput as O, RegisterModel};

    fn op(
        client: u64,
        input: I,
        output: Option<O>,
        call: u64,
        ret: Option<u64>,
    ) -> Operation<I, O> {
        Operation {
            client,
            input,
            output,
            call,
            ret,
        }
    }
    fn ok(h: &[Operation<I, O>]) -> bool {
        match check(&RegisterModel, h, None).verdict {
            Verdict::Linearizable => true,
            Verdict::NotLinearizable(_) => false,
            Verdict::Unknown => panic!("no deadline, yet unknown"),
        }
    }

    #[test]
    fn stale_read() {
        let h = [
            op(0, I::Write(1), Some(O::Write), 0, Some(1)),
            op(1, I::Read, Some(O::Read(None)), 2, Some(3)),
        ];
        assert!(!ok(&h));
        let Verdict::NotLinearizable(info) = check(&RegisterModel, &h, None).verdict else {
            panic!()
        };
        assert_eq!(
            (info.prefix, info.stuck, info.blocking),
            (vec![0], vec![1], Some(1))
        );
        assert_eq!(info.state_after_prefix, "Some(1)");
        // Overlapping, the read may go first.
        let h = [
            op(0, I::Write(1), Some(O::Write), 0, Some(3)),
            op(1, I::Read, Some(O::Read(None)), 1, Some(2)),
        ];
        assert!(ok(&h));
    }

    #[test]
    fn lost_write() {
        let h = [
            op(0, I::Write(1), Some(O::Write), 0, Some(1)),
            op(1, I::Write(2), Some(O::Write), 2, Some(3)),
            op(0, I::Read, Some(O::Read(Some(1))), 4, Some(5)),
        ];
        assert!(!ok(&h));
    }

    /// A client pipelines a write and a read; the replies come back in the other order. The
    /// ops overlap, so the checker may order them either way — but not invent values.
    #[test]
    fn pipelined_replies_swapped() {
        let h = [
            op(0, I::Write(1), Some(O::Write), 0, Some(3)),
            op(0, I::Read, Some(O::Read(Some(1))), 1, Some(2)),
        ];
        assert!(ok(&h));
        let h = [
            op(0, I::Write(1), Some(O::Write), 0, Some(3)),
            op(0, I::Read, Some(O::Read(Some(2))), 1, Some(2)),
        ];
        assert!(!ok(&h));
    }

    #[test]
    fn unknown_outcome_both_ways() {
        let w = |call| op(0, I::Write(1), None, call, None);
        let r = |v, call| op(1, I::Read, Some(O::Read(v)), call, Some(call + 1));
        // It took effect ...
        assert!(ok(&[w(0), r(Some(1), 5)]));
        // ... or it never did ...
        assert!(ok(&[w(0), r(None, 5)]));
        // ... but not both, and not before it was called.
        assert!(!ok(&[w(0), r(Some(1), 5), r(None, 7)]));
        assert!(!ok(&[r(Some(1), 0), w(2)]));
        // An unknown CAS: applied or not, never half.
        let cas = op(0, I::Cas { from: 1, to: 2 }, None, 2, None);
        let write = op(1, I::Write(1), Some(O::Write), 0, Some(1));
        assert!(ok(&[write.clone(), cas.clone(), r(Some(2), 5)]));
        assert!(ok(&[write.clone(), cas.clone(), r(Some(1), 5)]));
        assert!(!ok(&[write, cas, r(Some(3), 5)]));
        // A read whose reply was lost constrains nothing.
        assert!(ok(&[op(2, I::Read, None, 0, None), r(None, 3)]));
    }

    /// A coin: `Flip` lands on either side (several next states), `Look` sees the side.
    struct Coin;
    impl Model for Coin {
        type State = Option<bool>;
        type Input = Option<bool>; // None = Flip, Some(side) = Look expecting `side`
        type Output = ();
        fn init(&self) -> Vec<Option<bool>> {
            vec![None]
        }
        fn step(
            &self,
            state: &Option<bool>,
            input: &Option<bool>,
            _: Option<&()>,
            out: &mut Vec<Option<bool>>,
        ) {
            match input {
                None => out.extend([Some(true), Some(false)]),
                Some(side) if *state == Some(*side) => out.push(*state),
                Some(_) => {}
            }
        }
        fn partition_keys(&self, _: &Option<bool>, keys: &mut Vec<u64>) {
            keys.push(0);
        }
    }

    #[test]
    fn non_deterministic_step() {
        let o = |input, call| Operation {
            client: 0,
            input,
            output: Some(()),
            call,
            ret: Some(call + 1),
        };
        let lin = |h: &[Operation<Option<bool>, ()>]| {
            matches!(check(&Coin, h, None).verdict, Verdict::Linearizable)
        };
        assert!(lin(&[o(None, 0), o(Some(false), 2), o(Some(false), 4)]));
        assert!(lin(&[o(None, 0), o(Some(true), 2)]));
        assert!(!lin(&[o(None, 0), o(Some(true), 2), o(Some(false), 4)]));
        assert!(lin(&[
            o(None, 0),
            o(Some(true), 2),
            o(None, 4),
            o(Some(false), 6)
        ]));
    }

    /// The KV model partitions by key; a model that gives no key puts everything together.
    #[test]
    fn partitions() {
        struct Global;
        impl Model for Global {
            type State = ();
            type Input = ();
            type Output = ();
            fn init(&self) -> Vec<()> {
                vec![()]
            }
            fn step(&self, _: &(), _: &(), _: Option<&()>, out: &mut Vec<()>) {
                out.push(());
            }
            fn partition_keys(&self, _: &(), _: &mut Vec<u64>) {}
        }
        let h: Vec<Operation<(), ()>> = (0..5)
            .map(|i| Operation {
                client: i,
                input: (),
                output: None,
                call: i,
                ret: Some(i + 1),
            })
            .collect();
        let r = check(&Global, &h, None);
        assert_eq!((r.partitions, r.verdict), (1, Verdict::Linearizable));
        assert_eq!(check(&Global, &[], None).verdict, Verdict::Linearizable);
    }

    #[test]
    fn deadline_gives_unknown() {
        // 16 concurrent writes and a read of a value nobody wrote: refuting it visits every
        // subset of the writes, far more than the 1024 steps between deadline checks.
        let mut h: Vec<_> = (0..16)
            .map(|i| op(i, I::Write(i as i64), Some(O::Write), 0, Some(100)))
            .collect();
        h.push(op(99, I::Read, Some(O::Read(Some(-1))), 50, Some(100)));
        let r = check(&RegisterModel, &h, Some(Duration::ZERO));
        assert_eq!(r.verdict, Verdict::Unknown);
    }
}
