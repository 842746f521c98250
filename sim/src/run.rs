//! One simulated run: the real server loop on the simulated kernel, driven by a seeded
//! workload of pipelining clients, then checked.
//!
//! A run is a sequence of steps. Each step the workload's RNG picks one of: a client
//! sends a pipelined batch, a client reads what arrived, the network delivers in-flight
//! bytes, or the server runs one pass of its loop. After every server pass the server's
//! and the kernel's invariants are checked. When the workload is done the clients drain
//! their replies, hang up, and the server must free every connection.
//!
//! This is the driver: what the clients send comes from [`crate::workload`], what it may
//! answer from [`crate::model`].
//!
//! A run fails when an invariant breaks, the history is not linearizable, a client waits
//! for a reply that never comes although its connection is alive (a lost wakeup, a
//! dropped write), a descriptor leaks, or the server panics.

use crate::checker::{self, Operation, Verdict};
use crate::disk::{DiskPlan, SimDisk};
use crate::faults::FaultPlan;
use crate::kernel::{ConnId, SimPoller};
use crate::recovery::{self, Epoch};
use crate::workload::{
    channel_name, key_name, limited_script, Cmd, Extras, Families, Generator, KeyId, TimedCmd,
    ValueSource, CHANNELS, LIMITED_USER, SUBSCRIBER_CONNECTIONS,
};
use bytes::{Bytes, BytesMut};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use seedis::cmd::propagate::{Batch, PropagationSink};
use seedis::cmd::replay::{keyspace_difference, Replayer};
use seedis::config::Config;
use seedis::resp::decode::decode_reply;
use seedis::resp::encode::encode_command;
use seedis::resp::Reply;
use seedis::server::log::NullLog;
use seedis::server::EventLoop;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// What a run does; everything not given is drawn from the seed.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub seed: u64,
    pub clients: usize,
    pub ops_per_client: usize,
    /// Keys the workload draws from: few, so that clients collide.
    pub keys: u8,
    /// `None`: swarm testing, the seed picks the faults and their rates.
    pub faults: Option<FaultPlan>,
    /// Most commands a client has in flight at once.
    pub pipeline_max: usize,
    /// Whether MSET/MGET/EXISTS name several keys. Multi-key ops join the keys'
    /// partitions, which makes the check much more expensive, so by default only some
    /// seeds (one in four) use them.
    pub multi_key: bool,
    /// The data-type families the workload uses (swarm testing: drawn from the seed).
    pub families: Families,
    /// Transactions, blocking pops and pub/sub (swarm testing: drawn from the seed).
    pub extras: Extras,
    /// Whether a client pipelines more commands behind a BLPOP that may block (one seed
    /// in four): they wait in the server's query buffer until it is served. Their
    /// outcome is unknown when the connection dies meanwhile, which makes the check
    /// costly, so most seeds have clients wait for the BLPOP's answer.
    pub pipeline_behind_block: bool,
    /// When the server process crashes or the machine loses power, and how it is
    /// restarted (swarm testing: drawn from the seed, on in about one seed in four).
    pub crashes: CrashPlan,
    /// The simulated disk's faults (drawn from the seed).
    pub disk: DiskPlan,
    /// `appendonly yes` with this `appendfsync` policy (seeds with crashes only; drawn
    /// from the seed: half of them), or RDB only.
    pub aof: Option<AofPolicy>,
}

/// The `appendfsync` policy of a seed that runs with the AOF.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AofPolicy {
    Always,
    Everysec,
    No,
}

impl AofPolicy {
    pub fn name(self) -> &'static str {
        match self {
            AofPolicy::Always => "always",
            AofPolicy::Everysec => "everysec",
            AofPolicy::No => "no",
        }
    }

    /// Half the seeds run with the AOF (it matters only in seeds that crash): `always`
    /// in half of those, `everysec` and `no` in a quarter each. A stream of its own, so
    /// every other draw of a seed is as before.
    pub fn from_seed(seed: u64) -> Option<AofPolicy> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(9);
        match rng.next_u32() % 8 {
            0 | 1 => Some(AofPolicy::Always),
            2 => Some(AofPolicy::Everysec),
            3 => Some(AofPolicy::No),
            _ => None,
        }
    }
}

/// How the server dies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashKind {
    /// kill -9: the page cache survives.
    Process,
    /// Power loss: only what was made durable survives (torn writes, lost renames).
    Power,
}

/// Where in a server pass the process dies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// Between two passes of the loop.
    BetweenPasses,
    /// Right after the n-th next reply write (n ≥ 1): that reply reached the socket,
    /// nothing after it did.
    AfterWrites(u64),
    /// Right after the n-th next storage call (n ≥ 1): between a SAVE's write, fsync
    /// and rename, or inside a BGSAVE's bookkeeping. Falls back to a crash between
    /// passes if no storage call comes within [`CRASH_ARMED_PASSES_MAX`] passes.
    AfterStorageCalls(u64),
}

/// One crash of a run: at which server pass it is armed, where it strikes, what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crash {
    pub at_pass: u64,
    pub point: CrashPoint,
    pub kind: CrashKind,
}

/// The crashes of a run, in pass order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrashPlan {
    pub crashes: Vec<Crash>,
}

impl CrashPlan {
    pub fn none() -> CrashPlan {
        CrashPlan::default()
    }

    /// One seed in four crashes, one to three times, at passes spread over a typical
    /// run, at a point and of a kind drawn from the seed. Stream 8 of the seed, so the
    /// other streams (and the seeds without crashes) are as before.
    pub fn from_seed(seed: u64) -> CrashPlan {
        CrashPlan::drawn(seed, false)
    }

    /// The seed's crashes; with `always`, every seed crashes (the draw is the same, only
    /// the one-in-four gate is skipped).
    pub fn drawn(seed: u64, always: bool) -> CrashPlan {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(8);
        if !rng.next_u32().is_multiple_of(4) && !always {
            return CrashPlan::none();
        }
        let count = 1 + rng.next_u32() % 3;
        let mut crashes: Vec<Crash> = (0..count)
            .map(|_| Crash {
                at_pass: 5 + u64::from(rng.next_u32() % 600),
                point: match rng.next_u32() % 3 {
                    0 => CrashPoint::BetweenPasses,
                    1 => CrashPoint::AfterWrites(1 + u64::from(rng.next_u32() % 4)),
                    _ => CrashPoint::AfterStorageCalls(1 + u64::from(rng.next_u32() % 8)),
                },
                kind: if rng.next_u32().is_multiple_of(2) {
                    CrashKind::Process
                } else {
                    CrashKind::Power
                },
            })
            .collect();
        crashes.sort_by_key(|c| c.at_pass);
        CrashPlan { crashes }
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.crashes.iter().any(|c| c.kind == CrashKind::Process) {
            names.push("process-crash");
        }
        if self.crashes.iter().any(|c| c.kind == CrashKind::Power) {
            names.push("power-loss");
        }
        names
    }
}

/// Passes a crash point inside a pass may stay armed before the crash happens anyway.
pub const CRASH_ARMED_PASSES_MAX: u64 = 50;

/// The default pipeline depth: joined partitions (multi-key ops, transactions) make
/// deep pipelines expensive to check.
pub fn default_pipeline(multi_key: bool, extras: Extras) -> usize {
    if multi_key || extras.txn {
        2
    } else {
        8
    }
}

impl RunConfig {
    pub fn new(seed: u64) -> RunConfig {
        RunConfig {
            seed,
            clients: 8,
            ops_per_client: 50,
            keys: 5,
            faults: None,
            pipeline_max: default_pipeline(seed.is_multiple_of(4), Extras::from_seed(seed)),
            multi_key: seed.is_multiple_of(4),
            families: Families::from_seed(seed),
            extras: Extras::from_seed(seed),
            pipeline_behind_block: seed % 4 == 1,
            crashes: CrashPlan::from_seed(seed),
            disk: DiskPlan::from_seed(seed),
            aof: AofPolicy::from_seed(seed),
        }
    }

    /// The AOF policy in force: only seeds that crash run with the AOF (its oracle is
    /// the restart's).
    pub fn aof_policy(&self) -> Option<AofPolicy> {
        self.aof.filter(|_| !self.crashes.crashes.is_empty())
    }
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// A server or kernel invariant broke after a step.
    Invariant(String),
    /// The history has no linearization; the checker's explanation.
    NotLinearizable(String),
    /// A client on a live connection never got its replies.
    Hang(String),
    /// After a crash and restart, the server holds what no snapshot held, or refused to
    /// start from a file it should have loaded.
    Durability(String),
    /// A connection the server should have freed was still open at the end.
    Leak(String),
    /// The server (or the simulator) panicked.
    Panic(String),
    /// Replaying the propagated commands (what the AOF would hold) did not rebuild the
    /// server's keyspace.
    Replay(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Invariant(s) => write!(f, "invariant violated: {s}"),
            Failure::NotLinearizable(s) => write!(f, "history not linearizable: {s}"),
            Failure::Hang(s) => write!(f, "hang: {s}"),
            Failure::Durability(s) => write!(f, "durability: {s}"),
            Failure::Leak(s) => write!(f, "leak: {s}"),
            Failure::Panic(s) => write!(f, "panic: {s}"),
            Failure::Replay(s) => write!(f, "propagation does not replay: {s}"),
        }
    }
}

/// One op of the recorded history, as the checker and the reports see it.
pub type HistoryOp = Operation<TimedCmd, Reply>;

#[derive(Clone, Debug)]
pub struct RunReport {
    pub seed: u64,
    pub faults: Vec<&'static str>,
    pub clients: usize,
    pub ops: usize,
    /// Ops whose connection died before the reply: outcome unknown.
    pub unknown_ops: usize,
    pub steps: u64,
    pub server_passes: u64,
    pub virtual_ms: u64,
    /// Same seed and configuration, same hash: on every run, on every machine.
    pub trace_hash: u64,
    pub failure: Option<Failure>,
    /// Search steps the checker took (memoized configurations): its share of the work.
    pub check_explored: u64,
    /// The checker ran out of its time budget: neither pass nor fail for linearizability.
    pub check_inconclusive: bool,
    pub history: Vec<HistoryOp>,
    pub kernel: crate::kernel::KernelStats,
    /// Times the server was crashed and restarted.
    pub restarts: u64,
    /// Keys the restarted servers held, summed over restarts (0: no restart found a
    /// snapshot to load, and the durability oracle had nothing to compare).
    pub recovered_keys: u64,
    pub disk: crate::disk::DiskStats,
    /// Busy scripts (`Extras::busy`): spinning scripts killed, and ops answered -BUSY
    /// (checked against the spinners' windows, then left out of the history).
    pub busy_kills: u64,
    pub busy_replies: u64,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// Most an idle server pass moves the virtual clock while clients are busy.
const IDLE_JUMP_MS: u64 = 2;
/// Wall-clock seconds the linearizability check of one run may take.
const CHECK_SECONDS: u64 = 5;
/// Steps a run may take before the workload is declared stuck.
const STEP_LIMIT: u64 = 2_000_000;
/// Steps without any op sent or answered before the run is declared hung (a server that
/// stopped reading, writing or accepting): keeps a hung run short and its memory bounded.
const STALL_STEPS: u64 = 20_000;
/// After the workload, the steps given to clients to collect their last replies.
const DRAIN_STEPS: u64 = 20_000;
/// Server passes after every client hung up, for the server to notice and free them.
const CLOSE_PASSES: u64 = 200;
/// The snapshot file the server writes (`dbfilename`'s default).
const DUMP_FILE: &str = "dump.rdb";
/// History client ids of the reads that stand for a snapshot (one per restart).
const SNAPSHOT_CLIENT: u64 = 900_000_000;
/// Virtual time a restart takes.
const RESTART_MS: u64 = 5;
/// Restarts after AOF exits a run allows (a full disk would make every life exit).
const AOF_EXITS_MAX: u64 = 64;
/// Attempts to start a server whose AOF files a disk fault kept from opening.
const START_ATTEMPTS_MAX: usize = 16;
/// How far back an `everysec` process crash may lose acknowledged writes: a write may be
/// postponed up to 2 s while a background fsync is pending, plus a cron tick.
const EVERYSEC_LOSS_US: u64 = 2_200_000;
/// Connections the reading of a restarted server's keyspace may take (faults reset some).
const RECOVERY_READ_ATTEMPTS: usize = 20;
/// Server passes one such reading may take.
const RECOVERY_READ_PASSES: usize = 2_000;

/// The pattern the subscriber's keyspace notifications arrive on.
const KEYEVENTS: &[u8] = b"__keyevent@*__:*";

/// The pub/sub subscriber: it subscribes, reads what is pushed, and leaves abruptly.
#[derive(Default)]
struct Subscriber {
    conn: Option<ConnId>,
    connections: u8,
    received: Vec<u8>,
}

struct SimClient {
    id: u64,
    /// Where this client's unique values come from.
    values: ValueSource,
    /// Connections this client opened so far: history ops are attributed to
    /// `id * 1000 + connections` so that each connection has its own program order.
    connections: u64,
    conn: Option<ConnId>,
    /// History indices of the ops sent and not yet answered, in send order.
    in_flight: VecDeque<usize>,
    /// Reply bytes received and not yet decoded.
    received: Vec<u8>,
    ops_left: usize,
    /// MULTI's and the queued commands' replies for the transaction awaiting EXEC's.
    prelude: Vec<Reply>,
    /// Commands of a script drawn earlier, to send before drawing anything new.
    pending: VecDeque<Cmd>,
    /// An optimistic-locking script waiting for its GET's reply (key, the GET's history
    /// index once sent) to send its transaction.
    cas: Option<(KeyId, Option<usize>)>,
    /// Runs as the restricted ACL user: AUTH first on every connection.
    limited: bool,
}

impl SimClient {
    /// Between a WATCH sent and its EXEC sent: no new transaction or WATCH is drawn.
    fn watching(&self) -> bool {
        !self.pending.is_empty() || self.cas.is_some()
    }

    /// Commands this client may still send: pending ones and scripts still to draw.
    fn has_work(&self) -> bool {
        self.ops_left > 0 || !self.pending.is_empty()
    }
}

/// Runs one seed. Never panics: a panic of the server is reported as a failure.
pub fn run(config: &RunConfig) -> RunReport {
    let config = config.clone();
    match std::panic::catch_unwind(|| run_inner(&config)) {
        Ok(report) => report,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            RunReport {
                seed: config.seed,
                faults: plan_for(&config)
                    .names()
                    .into_iter()
                    .chain(config.crashes.names())
                    .chain(config.disk.names())
                    .collect(),
                clients: config.clients,
                ops: 0,
                unknown_ops: 0,
                steps: 0,
                server_passes: 0,
                virtual_ms: 0,
                trace_hash: 0,
                failure: Some(Failure::Panic(message)),
                check_explored: 0,
                check_inconclusive: false,
                history: Vec::new(),
                kernel: Default::default(),
                restarts: 0,
                recovered_keys: 0,
                disk: Default::default(),
                busy_kills: 0,
                busy_replies: 0,
            }
        }
    }
}

fn plan_for(config: &RunConfig) -> FaultPlan {
    config
        .faults
        .clone()
        .unwrap_or_else(|| FaultPlan::swarm_from_seed(config.seed))
}

struct Sim {
    server: EventLoop<SimPoller>,
    rng: ChaCha8Rng,
    clients: Vec<SimClient>,
    history: Vec<HistoryOp>,
    config: RunConfig,
    steps: u64,
    server_passes: u64,
    failure: Option<Failure>,
    check_explored: u64,
    check_inconclusive: bool,
    /// The step of the last op sent or answered.
    last_progress_step: u64,
    subscriber: Subscriber,
    /// Every message published, to check what the subscriber receives.
    published: std::collections::HashSet<Bytes>,
    /// Every (key, event) a command sent may announce (`model::keyspace_events`): the
    /// keyspace notifications the subscriber may receive.
    announced: std::collections::HashSet<(String, &'static str)>,
    /// Ops to close once the server has read their connection up to an offset
    /// (history index, connection, offset after the op's last byte).
    read_stamps: Vec<(usize, ConnId, u64)>,
    /// Per history op: its connection and where its last byte is on that stream.
    op_ends: Vec<(ConnId, u64)>,
    /// Every batch the server propagated in its current life, in order (its sink
    /// writes here).
    propagated: Rc<RefCell<Vec<Batch>>>,
    /// Per history op: the life of the server process it was sent to (index into
    /// `epochs`). Filtered along with the history before the check.
    op_lives: Vec<usize>,
    /// The simulated disk the server's storage is (kept across restarts).
    disk: SimDisk,
    /// The lives of the server process so far (one, without crashes).
    epochs: Vec<Epoch>,
    /// Crashes still to come, in pass order; the first one may be armed.
    crashes: VecDeque<Crash>,
    /// A crash point armed inside the passes (at this pass), waiting to strike.
    armed: Option<(Crash, u64)>,
    restarts: u64,
    /// The administrator: a connection of its own sending SAVE and BGSAVE (seeds with
    /// crashes), and the durability facts its replies establish.
    admin: Admin,
    /// Busy scripts (`Extras::busy`): the spinning script and its killer.
    busy: Busy,
    busy_replies: u64,
    /// Times the server exited on an AOF error (and was restarted).
    aof_exits: u64,
}

/// A script that spins until killed, on a connection of its own, and the SCRIPT KILL the
/// kernel delivers on another while it runs (`SimPoller::plan_send_while_busy`).
#[derive(Default)]
struct Busy {
    spinner: Option<ConnId>,
    killer: Option<ConnId>,
    /// The call time of the spinning script in flight.
    call_us: Option<u64>,
    spinner_received: Vec<u8>,
    killer_received: Vec<u8>,
    /// From the spinning script's call to its (killed) reply: only ops that overlap
    /// one of these may be answered -BUSY.
    windows: Vec<(u64, u64)>,
    kills: u64,
}

/// The spinning script and the killer's command.
const SPIN_SCRIPT: &[u8] = b"local n = 0 while true do n = n + 1 end";
/// The virtual time the sim's server lets a script run before it is busy.
pub const SIM_BUSY_THRESHOLD_MS: i64 = 20;

/// The server's propagation sink in a run: keeps every batch for the replay oracle.
struct RecordBatches(Rc<RefCell<Vec<Batch>>>);

impl PropagationSink for RecordBatches {
    fn feed(&mut self, batch: &Batch) {
        self.0.borrow_mut().push(batch.clone());
    }
}

/// SAVE and BGSAVE sent on a connection of their own, while the clients go on.
#[derive(Default)]
struct Admin {
    conn: Option<ConnId>,
    /// Sent and unanswered: whether it is a SAVE, and its call time.
    in_flight: VecDeque<(bool, u64)>,
    received: Vec<u8>,
    /// Call time of the latest SAVE that replied +OK: a snapshot at least that recent
    /// must survive any crash from then on (Redis fsyncs the file and its directory
    /// before replying).
    save_acked_us: Option<u64>,
}

/// Builds the server as the binary would: on the kernel, with the disk as its storage, the
/// run's configuration and its own RNG (a fresh stream for every restart, as a new process
/// seeds itself anew).
fn start_server(
    config: &RunConfig,
    poller: SimPoller,
    disk: &SimDisk,
    life: u64,
    propagated: &Rc<RefCell<Vec<Batch>>>,
) -> Result<EventLoop<SimPoller>, StartError> {
    // The server's own RNG: stream 3 of the seed (the kernel uses 0, the plan 1); a
    // restarted process's from stream 3 of the seed plus its life number.
    let mut server_rng = ChaCha8Rng::seed_from_u64(config.seed.wrapping_add(life));
    server_rng.set_stream(3);
    let mut server_config = Config::default();
    if config.extras.acl {
        // The workload's restricted user, created at start as a `user` line.
        server_config.acl_users.push(
            LIMITED_USER
                .iter()
                .map(|w| Bytes::from_static(w.as_bytes()))
                .collect(),
        );
    }
    if config.extras.busy_scripts() {
        server_config.busy_reply_threshold_ms = SIM_BUSY_THRESHOLD_MS;
    }
    // A failed BGSAVE (a disk fault) would make Redis refuse writes with MISCONF, which
    // the model does not know: turned off, as an operator may.
    server_config
        .set("stop-writes-on-bgsave-error", "no")
        .expect("a valid setting");
    // Half the seeds promote sparse HyperLogLogs to dense early, so runs cross it often.
    if config.seed % 2 == 1 {
        server_config
            .set("hll-sparse-max-bytes", "200")
            .expect("a valid setting");
    }
    if config.extras.pubsub {
        // Keyspace notifications, which the subscriber checks against the model.
        server_config
            .set("notify-keyspace-events", "KEA")
            .expect("a valid setting");
    }
    if let Some(policy) = config.aof_policy() {
        // Small thresholds, so automatic rewrites happen within a run.
        let preamble = if config.seed.is_multiple_of(3) {
            "no"
        } else {
            "yes"
        };
        for (name, value) in [
            ("appendonly", "yes"),
            ("appendfsync", policy.name()),
            ("auto-aof-rewrite-min-size", "2048"),
            ("auto-aof-rewrite-percentage", "100"),
            ("aof-use-rdb-preamble", preamble),
        ] {
            server_config.set(name, value).expect("a valid setting");
        }
    }
    let mut server = EventLoop::new(
        poller,
        Box::new(disk.clone()),
        server_config,
        server_rng,
        Box::new(NullLog),
    )
    .map_err(|error| StartError {
        error,
        kernel: None,
    })?;
    // As the binary does: dump.rdb (or the AOF), if there is one; a bad one stops the
    // start.
    if let Err(e) = server.load_data_from_disk() {
        let placeholder = SimPoller::new(0, FaultPlan::none());
        let kernel = std::mem::replace(server.poller_mut(), placeholder);
        return Err(StartError {
            error: std::io::Error::other(e),
            kernel: Some(Box::new(kernel)),
        });
    }
    // Loading propagates nothing; from here on every write is recorded for the replay
    // oracle, which starts from an empty keyspace (so it checks the first life only).
    server.set_propagation_sink(Box::new(RecordBatches(propagated.clone())));
    Ok(server)
}

/// Starts the server; in AOF seeds a start that a disk fault failed (Redis exits when it
/// cannot create or open its AOF files) is retried a few times, as an operator would.
fn start_server_retrying(
    config: &RunConfig,
    poller: SimPoller,
    disk: &SimDisk,
    life: u64,
    propagated: &Rc<RefCell<Vec<Batch>>>,
) -> Result<EventLoop<SimPoller>, StartError> {
    let mut started = start_server(config, poller, disk, life, propagated);
    for _ in 0..START_ATTEMPTS_MAX {
        let Err(e) = &started else {
            break;
        };
        let disk_fault = e.error.to_string().starts_with("AOF could not be opened");
        if config.aof_policy().is_none() || !disk_fault {
            break;
        }
        let Some(mut kernel) = recovered_kernel(&mut started) else {
            break;
        };
        kernel.advance_clock(std::time::Duration::from_millis(RESTART_MS));
        started = start_server(config, kernel, disk, life, propagated);
    }
    started
}

/// A start that failed, with the kernel the dead process leaves (for another attempt).
struct StartError {
    error: std::io::Error,
    kernel: Option<Box<SimPoller>>,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// The kernel a refused start leaves behind, its sockets closed as a dead process's.
fn recovered_kernel(started: &mut Result<EventLoop<SimPoller>, StartError>) -> Option<SimPoller> {
    let mut kernel = *started.as_mut().err()?.kernel.take()?;
    kernel.crash_process();
    Some(kernel)
}

fn run_inner(config: &RunConfig) -> RunReport {
    let plan = plan_for(config);
    let mut faults = plan.names();
    faults.extend(config.crashes.names());
    faults.extend(config.disk.names());
    faults.extend(config.aof_policy().map(|p| match p {
        AofPolicy::Always => "aof-always",
        AofPolicy::Everysec => "aof-everysec",
        AofPolicy::No => "aof-no",
    }));
    let poller = SimPoller::new(config.seed, plan);
    let mut disk_plan = config.disk.clone();
    if config.aof_policy().is_some() {
        // fsyncgate: after a failed fsync the page cache still serves the data, so the
        // restarted server loads it and goes on appending, while the platter has a hole
        // that a later power loss reveals mid-file. Redis has no answer to that (it
        // exits on the error, and the restart reads the cache); the AOF seeds leave
        // fsync errors out rather than flag Redis's design.
        disk_plan.fsync_eio = 0.0;
    }
    if config.aof_policy().is_some_and(|p| p != AofPolicy::Always) {
        // A failed AOF write makes Redis refuse writes with MISCONF until one succeeds
        // (`always` exits instead); the model does not know MISCONF, as with RDB's
        // stop-writes-on-bgsave-error.
        disk_plan.write_eio = 0.0;
        disk_plan.write_enospc = 0.0;
    }
    let disk = SimDisk::new(config.seed, disk_plan, poller.clock());
    let propagated = Rc::new(RefCell::new(Vec::new()));
    let server = match start_server_retrying(config, poller, &disk, 0, &propagated) {
        Ok(server) => server,
        Err(e) => panic!("the simulated listener opens: {e}"),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(2);
    let clients = (0..config.clients)
        .map(|i| SimClient {
            id: i as u64 + 1,
            values: ValueSource {
                client: i as u64 + 1,
                next_value: 0,
            },
            connections: 0,
            conn: None,
            in_flight: VecDeque::new(),
            received: Vec::new(),
            ops_left: config.ops_per_client,
            prelude: Vec::new(),
            pending: VecDeque::new(),
            cas: None,
            limited: config.extras.acl && i % 2 == 1,
        })
        .collect();
    let mut sim = Sim {
        server,
        rng,
        clients,
        history: Vec::new(),
        config: config.clone(),
        steps: 0,
        server_passes: 0,
        failure: None,
        check_explored: 0,
        check_inconclusive: false,
        last_progress_step: 0,
        subscriber: Subscriber::default(),
        published: Default::default(),
        announced: Default::default(),
        read_stamps: Vec::new(),
        op_ends: Vec::new(),
        propagated,
        op_lives: Vec::new(),
        disk,
        epochs: Vec::new(),
        crashes: config.crashes.crashes.iter().copied().collect(),
        armed: None,
        restarts: 0,
        admin: Admin::default(),
        busy: Busy::default(),
        busy_replies: 0,
        aof_exits: 0,
    };
    let start_us = sim.now_us();
    sim.epochs.push(Epoch {
        start_us,
        init: Default::default(),
        loaded_from: None,
    });
    sim.run_workload();
    if sim.failure.is_none() {
        sim.drain_and_close();
    }
    if sim.failure.is_none() {
        sim.check_replay();
    }
    if sim.failure.is_none() {
        // The end of a BLPOP whose reply never came says nothing: the model treats its
        // BLPOP as a waiter the server drops at some point. Leaving it out spares the
        // checker an op that could go anywhere.
        // Likewise an op whose last byte the server never read never ran: it is no
        // unknown outcome, it did not happen (every connection is closed by now).
        let busy_error =
            |op: &HistoryOp| matches!(&op.output, Some(Reply::Error(e)) if e.starts_with(b"BUSY "));
        if let Some(op) = sim
            .history
            .iter()
            .find(|op| busy_error(op) && !sim.busy_reply_allowed(op.call, op.ret))
        {
            sim.failure = Some(Failure::Invariant(format!(
                "client {} was answered -BUSY outside any busy script: {:?}",
                op.client, op.input.cmd
            )));
        }
        sim.busy_replies = sim.history.iter().filter(|op| busy_error(op)).count() as u64;
        let kernel = sim.server.poller();
        let history = std::mem::take(&mut sim.history);
        let lives = std::mem::take(&mut sim.op_lives);
        (sim.history, sim.op_lives) = history
            .into_iter()
            .zip(&sim.op_ends)
            .zip(lives)
            .filter(|((op, (conn, end)), _)| {
                !busy_error(op)
                    && (op.output.is_some()
                        || (kernel.stream_offsets(*conn).1 >= *end
                            && !matches!(op.input.cmd, Cmd::BLPopDone(_))))
            })
            .map(|((op, _), life)| (op, life))
            .unzip();
        sim.check_history();
    }
    let kernel = sim.server.poller().stats().clone();
    let virtual_ms =
        (seedis::net::Poller::now_us(sim.server.poller()) - crate::kernel::EPOCH_US) / 1000;
    let unknown_ops = sim.history.iter().filter(|op| op.ret.is_none()).count();
    let trace_hash = sim.trace_hash();
    RunReport {
        seed: config.seed,
        faults,
        clients: config.clients,
        ops: sim.history.len(),
        unknown_ops,
        steps: sim.steps,
        server_passes: sim.server_passes,
        virtual_ms,
        trace_hash,
        failure: sim.failure,
        check_explored: sim.check_explored,
        check_inconclusive: sim.check_inconclusive,
        history: sim.history,
        kernel,
        restarts: sim.restarts,
        recovered_keys: sim.epochs.iter().map(|e| e.init.keys.len() as u64).sum(),
        disk: sim.disk.stats(),
        busy_kills: sim.busy.kills,
        busy_replies: sim.busy_replies,
    }
}

impl Sim {
    fn now_us(&self) -> u64 {
        seedis::net::Poller::now_us(self.server.poller())
    }

    fn run_workload(&mut self) {
        // While clients are busy, an idle poll advances the clock by at most a little:
        // a real server would be woken by their next packet.
        self.server
            .poller_mut()
            .set_idle_jump_max(std::time::Duration::from_millis(IDLE_JUMP_MS));
        while self.failure.is_none() && self.steps < STEP_LIMIT {
            if self.workload_done() {
                return;
            }
            if self.steps - self.last_progress_step > STALL_STEPS {
                let waiting: Vec<String> = self
                    .clients
                    .iter()
                    .filter(|c| !c.in_flight.is_empty() || c.ops_left > 0)
                    .map(|c| {
                        format!(
                            "client {} ({} awaiting replies, {} to send)",
                            c.id,
                            c.in_flight.len(),
                            c.ops_left
                        )
                    })
                    .collect();
                self.failure = Some(Failure::Hang(format!(
                    "no byte received and no op sent or answered in {STALL_STEPS} steps: {}",
                    waiting.join(", ")
                )));
                return;
            }
            self.steps += 1;
            if self.config.extras.pubsub && self.rng.next_u32().is_multiple_of(16) {
                self.subscriber_step();
                continue;
            }
            if self.config.extras.busy_scripts()
                && self.config.crashes.crashes.is_empty()
                && self.rng.next_u32().is_multiple_of(40)
            {
                self.busy_step();
                continue;
            }
            // Seeds with crashes also save, so a crash has snapshots to find.
            if !self.config.crashes.crashes.is_empty() && self.rng.next_u32().is_multiple_of(24) {
                self.admin_step();
                continue;
            }
            match self.rng.next_u32() % 10 {
                0..=3 => {
                    let i = self.pick_client();
                    self.client_send(i);
                }
                4 => {
                    let i = self.pick_client();
                    self.client_receive(i);
                }
                5..=6 => {
                    self.server.poller_mut().deliver();
                }
                _ => {
                    self.server_pass();
                    // Clients read their replies soon after they are written (a slow
                    // reader is the kernel's fault to inject), so an op's window ends
                    // close to when it took effect and the check stays sharp.
                    for i in 0..self.clients.len() {
                        if self.failure.is_none() {
                            self.client_receive(i);
                        }
                    }
                }
            }
        }
        if self.failure.is_none() && !self.workload_done() {
            self.failure = Some(Failure::Hang(format!(
                "the workload did not finish in {STEP_LIMIT} steps"
            )));
        }
    }

    fn workload_done(&self) -> bool {
        self.clients
            .iter()
            .all(|c| !c.has_work() && c.cas.is_none() && c.in_flight.is_empty())
    }

    fn pick_client(&mut self) -> usize {
        (self.rng.next_u32() as usize) % self.clients.len()
    }

    fn server_pass(&mut self) {
        self.server_passes += 1;
        self.arm_crash();
        if self.failure.is_some() {
            return;
        }
        if let Err(e) = self.server.run_once() {
            if self.config.aof_policy().is_some() && self.aof_exits < AOF_EXITS_MAX {
                // Redis exits on an AOF write or fsync error with `appendfsync always`
                // (before any reply of the pass went out): the process is gone, as in a
                // crash, and is restarted.
                self.aof_exits += 1;
                self.crash_and_restart(CrashKind::Process);
                return;
            }
            self.failure = Some(Failure::Invariant(format!("run_once failed: {e}")));
            return;
        }
        if let Err(e) = self.server.check_invariants() {
            self.failure = Some(Failure::Invariant(format!("server: {e}")));
            return;
        }
        let kernel = self.server.poller();
        if let Err(e) = kernel.check_invariants() {
            self.failure = Some(Failure::Invariant(format!("kernel: {e}")));
            return;
        }
        if let Some(v) = kernel.violations().first() {
            self.failure = Some(Failure::Invariant(format!("descriptor misuse: {v}")));
        }
        self.disk.settle();
        if self.server.poller().clock().process_dead() {
            let crash = self.armed.take().map(|(c, _)| c);
            self.crash_and_restart(crash.map_or(CrashKind::Process, |c| c.kind));
            return;
        }
        self.stamp_reads();
    }

    /// Arms the next crash when its pass comes: a crash between passes strikes now, the
    /// others are handed to the kernel or the disk to strike inside a pass. An armed one
    /// that has not struck after a while strikes between passes.
    fn arm_crash(&mut self) {
        if let Some((crash, since)) = self.armed {
            if self.server_passes - since > CRASH_ARMED_PASSES_MAX {
                self.armed = None;
                self.crash_and_restart(crash.kind);
            }
            return;
        }
        let Some(&crash) = self.crashes.front() else {
            return;
        };
        if crash.at_pass > self.server_passes {
            return;
        }
        self.crashes.pop_front();
        match crash.point {
            CrashPoint::BetweenPasses => self.crash_and_restart(crash.kind),
            CrashPoint::AfterWrites(n) => {
                self.server.poller_mut().crash_after_writes(n);
                self.armed = Some((crash, self.server_passes));
            }
            CrashPoint::AfterStorageCalls(n) => {
                self.disk.crash_after_ops(n);
                self.armed = Some((crash, self.server_passes));
            }
        }
    }

    /// The process dies (and maybe the power): every connection with it, the disk keeps
    /// what it keeps; a new process starts on the same disk, and clients reconnect.
    fn crash_and_restart(&mut self, kind: CrashKind) {
        let placeholder = SimPoller::new(0, FaultPlan::none());
        let mut kernel = std::mem::replace(self.server.poller_mut(), placeholder);
        kernel.crash_process();
        match kind {
            CrashKind::Process => self.disk.process_crash(),
            CrashKind::Power => self.disk.power_loss(),
        }
        // Clients see their connections die; what they had in flight has unknown outcome.
        for i in 0..self.clients.len() {
            self.abandon_connection_after_crash(i);
        }
        self.subscriber.conn = None;
        self.read_stamps.clear();
        self.restarts += 1;
        self.admin.conn = None;
        self.admin.in_flight.clear();
        self.admin.received.clear();
        let crash_us = seedis::net::Poller::now_us(&kernel);
        // A new process takes a moment to start.
        kernel.advance_clock(std::time::Duration::from_millis(RESTART_MS));
        let origin = self.disk.file_origin(DUMP_FILE);
        let aof = self.config.aof_policy();
        let mut kernel = Some(kernel);
        let mut started = start_server_retrying(
            &self.config,
            kernel.take().expect("the kernel"),
            &self.disk,
            self.restarts,
            &self.propagated,
        );
        let mut fixed_tail = false;
        // A torn unsynced tail: the server refused it with Redis's message, as it must.
        // The operator runs redis-check-aof --fix (each run cuts the first file that
        // does not read to its end) and starts it again.
        while aof.is_some() && kind == CrashKind::Power && started.is_err() {
            let refused = started
                .as_ref()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            let Some(kernel) = recovered_kernel(&mut started) else {
                break;
            };
            let any_file = aof != Some(AofPolicy::Always);
            if !recovery::fix_aof_tail(&mut self.disk, any_file) {
                self.failure = Some(Failure::Durability(format!(
                    "the server refused its AOF after a power loss, and no tail to cut explains it: {refused}"
                )));
                return;
            }
            fixed_tail = true;
            started = start_server_retrying(
                &self.config,
                kernel,
                &self.disk,
                self.restarts,
                &self.propagated,
            );
        }
        self.disk.clear_damage();
        if let Some((born_us, true)) = origin {
            self.failure = Some(Failure::Durability(format!(
                "after a {kind:?} crash, {DUMP_FILE} (a snapshot of {:.3} ms) was damaged: \
                 it was put in place before its contents were durable; the server {}",
                born_us.saturating_sub(crate::kernel::EPOCH_US) as f64 / 1000.0,
                match &started {
                    Ok(_) => "loaded it anyway".to_string(),
                    Err(e) => format!("refused it ({e})"),
                }
            )));
            return;
        }
        match started {
            Ok(server) => self.server = server,
            Err(e) => {
                self.failure = Some(Failure::Durability(format!(
                    "the server refused to start after a {kind:?} crash: {e}"
                )));
                return;
            }
        }
        let start_us = self.now_us();
        let recovered = match self.read_recovered_state() {
            Ok(state) => state,
            Err(e) => {
                self.failure = Some(Failure::Hang(format!("after a restart: {e}")));
                return;
            }
        };
        let judged = match aof {
            Some(policy) => {
                self.judge_aof_recovery(kind, policy, crash_us, fixed_tail, &recovered);
                Ok(())
            }
            None => self.judge_recovery(kind, origin.map(|(born, _)| born), &recovered),
        };
        if let Err(e) = judged {
            self.failure = Some(Failure::Durability(e));
            return;
        }
        self.epochs.push(Epoch {
            start_us,
            init: recovered,
            loaded_from: origin.map(|(born, _)| born),
        });
    }

    /// The RDB durability oracle at a restart (see ARCHITECTURE.md, "Crash testing"):
    /// the file found must be at least as recent as every snapshot the server
    /// acknowledged, and what was loaded must be that snapshot: the state a previous life
    /// loaded from the same file, or the model's state at the instant the snapshot was
    /// taken, which reads placed at that instant make the checker verify.
    fn judge_recovery(
        &mut self,
        kind: CrashKind,
        born_us: Option<u64>,
        recovered: &crate::model::State,
    ) -> Result<(), String> {
        let at = |us: u64| us.saturating_sub(crate::kernel::EPOCH_US) as f64 / 1000.0;
        let acked = [
            self.admin.save_acked_us,
            self.disk.acked_child_snapshot_us(),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(acked) = acked {
            if born_us.is_none_or(|born| born < acked) {
                return Err(format!(
                    "after a {kind:?} crash the server recovered {} although a snapshot \
                     taken at {:.3} ms or later was acknowledged (SAVE replied +OK, or \
                     the parent collected a BGSAVE child's success)",
                    match born_us {
                        Some(born) => format!("the snapshot of {:.3} ms", at(born)),
                        None => format!("no {DUMP_FILE}"),
                    },
                    at(acked)
                ));
            }
        }
        let Some(born) = born_us else {
            if !recovered.keys.is_empty() {
                return Err(format!(
                    "after a {kind:?} crash there is no {DUMP_FILE}, yet the server holds {:?}",
                    recovery::contents(recovered)
                ));
            }
            return Ok(());
        };
        // Some life loaded this file before: this load must agree with that one (but for
        // keys with a TTL, which may have expired since).
        if let Some(earlier) = self.epochs.iter().find(|e| e.loaded_from == Some(born)) {
            let lasting = |s: &crate::model::State| {
                recovery::contents(s)
                    .into_iter()
                    .filter(|(_, _, ttl)| !ttl)
                    .collect::<Vec<_>>()
            };
            if lasting(&earlier.init) != lasting(recovered) {
                return Err(format!(
                    "the snapshot of {:.3} ms loaded as {:?}, but as {:?} before",
                    at(born),
                    recovery::contents(recovered),
                    recovery::contents(&earlier.init)
                ));
            }
            return Ok(());
        }
        // The life that took the snapshot (a power loss may bring back one older than
        // what the last life loaded, if that one's rename was never made durable).
        let life = self
            .epochs
            .iter()
            .rposition(|e| e.start_us <= born)
            .unwrap_or(0);
        // Its state at that instant must be what came back.
        // Keys whose TTL ran out between the snapshot and the load were skipped by the
        // loader, as Redis skips them: the file says which (the only use of the codec
        // here), and they are left out of the check rather than read at a window that
        // would resolve their expiry for the rest of the life too.
        let expired_at_load = self.keys_expired_in_dump();
        let keys: Vec<KeyId> = recovery::workload_keys(self.config.keys)
            .into_iter()
            .filter(|k| !expired_at_load.contains(&key_name(*k).into_bytes()))
            .collect();
        let client = SNAPSHOT_CLIENT + self.restarts;
        for (cmd, reply) in recovery::snapshot_reads(&keys, recovered) {
            self.history.push(Operation {
                client,
                input: TimedCmd {
                    cmd,
                    conn: client,
                    // The snapshot's reads are the harness's, as the default user.
                    limited: false,
                    call_ms: born / 1000,
                    ret_ms: Some(born.div_ceil(1000)),
                },
                output: Some(reply),
                call: born,
                ret: Some(born),
            });
            self.op_ends.push((ConnId(u32::MAX), 0));
            self.op_lives.push(life);
        }
        Ok(())
    }

    /// The AOF durability oracle at a restart (see ARCHITECTURE.md, "Crash testing"):
    /// the recovered state must be the model's state at some instant of the ending life
    /// between the latest write it must keep and the crash. Reads of the recovered
    /// contents are placed in that life's history over that window, so the checker must
    /// find a linearization (ops in flight at the crash included or not) in which they
    /// see exactly that state:
    /// - `always`: every acknowledged write is kept (the window opens at the latest
    ///   reply of the life);
    /// - `no`, and `everysec` on a process crash: what was written is in the page cache,
    ///   so only a postponed `everysec` buffer (up to 2 s) may be lost;
    /// - a power loss with `everysec` or `no` may lose unsynced data anywhere in the
    ///   files' tails (holes included), which is no prefix: only loading is checked.
    fn judge_aof_recovery(
        &mut self,
        kind: CrashKind,
        policy: AofPolicy,
        crash_us: u64,
        fixed_tail: bool,
        recovered: &crate::model::State,
    ) {
        let life = self.epochs.len() - 1;
        let life_start = self.epochs[life].start_us;
        let last_reply = self
            .history
            .iter()
            .zip(&self.op_lives)
            .filter(|(_, l)| **l == life)
            .filter_map(|(op, _)| op.ret)
            .max()
            .unwrap_or(life_start);
        let window_start = match (policy, kind) {
            (AofPolicy::Always, _) => last_reply,
            (AofPolicy::No, CrashKind::Process) => last_reply,
            (AofPolicy::Everysec, CrashKind::Process) => {
                last_reply.min(crash_us.saturating_sub(EVERYSEC_LOSS_US).max(life_start))
            }
            (_, CrashKind::Power) => return,
        };
        // A tail cut by the operator loses only unsynced writes: with `always` none that
        // was acknowledged.
        let _ = fixed_tail;
        // Keys absent now may have expired since the crash when the files set TTLs:
        // those are left out (their presence is not knowable from the outside).
        let may_expire = self.aof_sets_ttls();
        let keys: Vec<KeyId> = recovery::workload_keys(self.config.keys)
            .into_iter()
            .filter(|k| !may_expire || recovered.keys.iter().any(|(id, _)| id == k))
            .collect();
        let client = SNAPSHOT_CLIENT + self.restarts;
        for (cmd, reply) in recovery::snapshot_reads(&keys, recovered) {
            self.history.push(Operation {
                client,
                input: TimedCmd {
                    cmd,
                    conn: client,
                    limited: false,
                    call_ms: window_start / 1000,
                    ret_ms: Some(crash_us.div_ceil(1000)),
                },
                output: Some(reply),
                call: window_start,
                ret: Some(crash_us),
            });
            self.op_ends.push((ConnId(u32::MAX), 0));
            self.op_lives.push(life);
        }
    }

    /// Whether any file of the AOF directory sets a TTL (an absolute one, as propagated).
    fn aof_sets_ttls(&self) -> bool {
        self.disk
            .paths()
            .iter()
            .filter(|p| p.starts_with("appendonlydir/"))
            .filter_map(|p| self.disk.contents(p))
            .any(|data| {
                let has = |needle: &[u8]| {
                    data.windows(needle.len())
                        .any(|w| w.eq_ignore_ascii_case(needle))
                };
                has(b"PEXPIREAT") || has(b"PXAT") || has(b"ABSTTL") || data.starts_with(b"REDIS")
            })
    }

    /// Keys of the dump file that have a TTL: the loader may have skipped them as
    /// expired (decoded with the server's codec; an undecodable file lists none).
    fn keys_expired_in_dump(&self) -> std::collections::HashSet<Vec<u8>> {
        let mut keys = std::collections::HashSet::new();
        if let Some(data) = self.disk.contents(DUMP_FILE) {
            let _ = seedis::persist::rdb::load(&data, 16, &mut |loaded| {
                if loaded.expire_ms.is_some() {
                    keys.insert(loaded.key.to_vec());
                }
            });
        }
        keys
    }

    /// The administrator's move: send a SAVE or BGSAVE (at most two unanswered), and
    /// take its replies.
    fn admin_step(&mut self) {
        let conn = match self.admin.conn {
            Some(conn) => conn,
            None => {
                let conn = self.server.poller_mut().connect_observer();
                self.admin.conn = Some(conn);
                conn
            }
        };
        if self.admin.in_flight.len() < 2 {
            let draw = self.rng.next_u32();
            let save = draw.is_multiple_of(2);
            let mut wire = BytesMut::new();
            // AOF seeds also rewrite the AOF (the manifest dance, history deletion).
            let rewrite = self.config.aof_policy().is_some() && (draw / 2).is_multiple_of(2);
            let argv: &[&[u8]] = if save {
                &[b"SAVE"]
            } else if rewrite {
                &[b"BGREWRITEAOF"]
            } else {
                &[b"BGSAVE"]
            };
            encode_command(argv, &mut wire);
            if self.server.poller_mut().client_send(conn, &wire) == wire.len() {
                let now = self.now_us();
                self.admin.in_flight.push_back((save, now));
            }
        }
        self.admin_receive();
    }

    /// Busy scripts: send the spinning script (one at a time) with a SCRIPT KILL planned
    /// in the kernel, and check their replies: the script is killed with Redis's error,
    /// the kill answers +OK.
    fn busy_step(&mut self) {
        let kernel = self.server.poller_mut();
        let spinner = *self
            .busy
            .spinner
            .get_or_insert_with(|| kernel.connect_observer());
        let killer = *self
            .busy
            .killer
            .get_or_insert_with(|| kernel.connect_observer());
        if self.busy.call_us.is_none() {
            let mut eval = BytesMut::new();
            encode_command(&[b"EVAL", SPIN_SCRIPT, b"0"], &mut eval);
            let mut kill = BytesMut::new();
            encode_command(&[b"SCRIPT", b"KILL"], &mut kill);
            let delay_us = u64::from(self.rng.next_u32() % 40_000);
            let kernel = self.server.poller_mut();
            if kernel.client_send(spinner, &eval) == eval.len() {
                kernel.plan_send_while_busy(killer, kill.to_vec(), delay_us);
                self.busy.call_us = Some(self.now_us());
            }
        }
        self.busy_receive();
    }

    fn busy_receive(&mut self) {
        let (Some(spinner), Some(killer)) = (self.busy.spinner, self.busy.killer) else {
            return;
        };
        let kernel = self.server.poller_mut();
        let data = kernel.client_recv(spinner, 64 * 1024);
        self.busy.spinner_received.extend_from_slice(&data);
        let data = kernel.client_recv(killer, 64 * 1024);
        self.busy.killer_received.extend_from_slice(&data);
        while let Ok(Some((reply, used))) = decode_reply(&self.busy.spinner_received) {
            self.busy.spinner_received.drain(..used);
            let killed = matches!(&reply, Reply::Error(e)
                if e.starts_with(b"ERR Script killed by user with SCRIPT KILL... script: "));
            let Some(call) = self.busy.call_us.take().filter(|_| killed) else {
                self.failure = Some(Failure::Invariant(format!(
                    "the spinning script answered {reply:?}"
                )));
                return;
            };
            let now = self.now_us();
            self.busy.windows.push((call, now));
        }
        while let Ok(Some((reply, used))) = decode_reply(&self.busy.killer_received) {
            self.busy.killer_received.drain(..used);
            if reply != Reply::OK {
                self.failure = Some(Failure::Invariant(format!(
                    "SCRIPT KILL of a spinning script answered {reply:?}"
                )));
                return;
            }
            self.busy.kills += 1;
        }
    }

    /// An op answered -BUSY did not run: it must overlap a spinning script's window,
    /// and then it leaves the history (as an op the server never read).
    fn busy_reply_allowed(&self, call: u64, ret: Option<u64>) -> bool {
        self.busy
            .windows
            .iter()
            .any(|&(start, end)| call <= end && ret.is_none_or(|r| r >= start))
    }

    fn admin_receive(&mut self) {
        let Some(conn) = self.admin.conn else {
            return;
        };
        let data = self.server.poller_mut().client_recv(conn, 64 * 1024);
        self.admin.received.extend_from_slice(&data);
        while let Ok(Some((reply, used))) = decode_reply(&self.admin.received) {
            self.admin.received.drain(..used);
            let Some((save, call)) = self.admin.in_flight.pop_front() else {
                self.failure = Some(Failure::Invariant(format!(
                    "the administrator got a reply it never asked for: {reply:?}"
                )));
                return;
            };
            if save && reply == Reply::OK {
                self.admin.save_acked_us = Some(call);
            }
        }
        let kernel = self.server.poller();
        if kernel.is_reset(conn) || kernel.client_eof(conn) {
            self.admin.conn = None;
            self.admin.in_flight.clear();
            self.admin.received.clear();
        }
    }

    /// A client's connection died with the server process: unlike a connection the
    /// server closed, it owes the client nothing (no half-close check).
    fn abandon_connection_after_crash(&mut self, i: usize) {
        let client = &mut self.clients[i];
        if let Some(conn) = client.conn.take() {
            if !self.server.poller().is_reset(conn) {
                self.server.poller_mut().client_close(conn);
            }
        }
        client.in_flight.clear();
        client.received.clear();
        client.prelude.clear();
        client.pending.clear();
        client.cas = None;
    }

    /// What the restarted server holds, read whole in one EVAL on a connection of its
    /// own (retried if a fault resets it), before the clients come back.
    fn read_recovered_state(&mut self) -> Result<crate::model::State, String> {
        let keys = recovery::workload_keys(self.config.keys);
        let argv = recovery::read_all_command(&keys);
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let mut wire = BytesMut::new();
        encode_command(&refs, &mut wire);
        for _attempt in 0..RECOVERY_READ_ATTEMPTS {
            let conn = self.server.poller_mut().connect_observer();
            if self.server.poller_mut().client_send(conn, &wire) < wire.len() {
                self.server.poller_mut().client_reset(conn);
                continue;
            }
            let mut received = Vec::new();
            // The bound is on passes without progress: a keyspace of big values takes
            // many passes to arrive (the server writes 64 KiB per client per pass).
            let mut idle_passes = 0;
            while idle_passes < RECOVERY_READ_PASSES {
                self.server.poller_mut().deliver();
                self.server
                    .run_once()
                    .map_err(|e| format!("run_once: {e}"))?;
                let data = self.server.poller_mut().client_recv(conn, 1 << 20);
                idle_passes = if data.is_empty() { idle_passes + 1 } else { 0 };
                received.extend(data);
                if let Ok(Some((reply, _))) = decode_reply(&received) {
                    self.server.poller_mut().client_close(conn);
                    return recovery::state_from_reply(&keys, &reply);
                }
                let kernel = self.server.poller();
                if kernel.is_reset(conn) || kernel.client_eof(conn) {
                    break;
                }
            }
            if !self.server.poller().is_reset(conn) {
                self.server.poller_mut().client_close(conn);
            }
        }
        Err(format!(
            "the keyspace could not be read in {RECOVERY_READ_ATTEMPTS} attempts"
        ))
    }

    /// Ops whose last byte the server has now read took effect by now: their window
    /// closes here, even if the reply comes much later (a blocked BLPOP).
    fn stamp_reads(&mut self) {
        if self.read_stamps.is_empty() {
            return;
        }
        let now_us = self.now_us();
        let kernel = self.server.poller();
        let history = &mut self.history;
        self.read_stamps.retain(|&(index, conn, end)| {
            if kernel.stream_offsets(conn).1 < end {
                return true;
            }
            let op = &mut history[index];
            if op.ret.is_none() {
                op.ret = Some(now_us);
                op.input.ret_ms = Some(now_us.div_ceil(1000));
            }
            false
        });
    }

    /// A client sends a pipelined batch, connecting first if it has no connection.
    fn client_send(&mut self, i: usize) {
        let pipeline_max = self.config.pipeline_max;
        let client = &self.clients[i];
        if !client.has_work() || client.in_flight.len() >= pipeline_max {
            return;
        }
        if !self.config.pipeline_behind_block
            && client
                .in_flight
                .iter()
                .any(|&op| matches!(self.history[op].input.cmd, Cmd::BLPop(..)))
        {
            return;
        }
        let conn = match client.conn {
            Some(conn) => conn,
            None => {
                let conn = self.server.poller_mut().connect();
                self.clients[i].conn = Some(conn);
                self.clients[i].connections += 1;
                if self.clients[i].limited {
                    self.clients[i].pending.push_front(Cmd::Auth);
                }
                conn
            }
        };
        if !self.server.poller().client_can_send(conn) {
            // Half-closed or dead: collect what may still arrive, then start over.
            self.client_receive(i);
            return;
        }
        let room = pipeline_max - self.clients[i].in_flight.len();
        let available = self.clients[i].ops_left + self.clients[i].pending.len();
        let batch = 1 + (self.rng.next_u32() as usize) % room.min(available);
        let mut wire = BytesMut::new();
        let mut cmds = Vec::with_capacity(batch);
        // Where each command of the batch ends on the connection's byte stream.
        let mut ends: Vec<u64> = Vec::with_capacity(batch);
        for _ in 0..batch {
            let client = &mut self.clients[i];
            if client.pending.is_empty() {
                if client.ops_left == 0 {
                    break;
                }
                client.ops_left -= 1;
                let watching = client.watching();
                let script = Generator {
                    rng: &mut self.rng,
                    families: self.config.families,
                    keys: self.config.keys,
                    multi_key: self.config.multi_key,
                    extras: self.config.extras,
                }
                .next_script(&mut client.values, watching);
                if client.limited {
                    client.pending.extend(limited_script(script));
                } else {
                    client.pending.extend(script.cmds);
                    if let Some(key) = script.cas {
                        client.cas = Some((key, None));
                    }
                }
            }
            let Some(cmd) = client.pending.pop_front() else {
                break;
            };
            for argv in cmd.commands() {
                let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
                encode_command(&refs, &mut wire);
            }
            let inner = match &cmd {
                Cmd::Multi { cmds, .. } => cmds.as_slice(),
                one => std::slice::from_ref(one),
            };
            for c in inner {
                if let Cmd::Publish { message, .. } = c {
                    self.published.insert(message.clone());
                }
            }
            if self.config.extras.pubsub {
                for (key, event) in crate::model::keyspace_events(&cmd) {
                    self.announced.insert((key_name(key), event));
                }
            }
            ends.push(wire.len() as u64);
            let blocks = matches!(cmd, Cmd::BLPop(..));
            cmds.push(cmd);
            // A client that blocks sends nothing more until it is answered (except in
            // the seeds that test commands queued behind a blocked client).
            if blocks && !self.config.pipeline_behind_block {
                break;
            }
        }
        let in_line = self.clients[i].in_flight.is_empty();
        let (sent_before, _) = self.server.poller().stream_offsets(conn);
        let sent = self.server.poller_mut().client_send(conn, &wire);
        if sent == 0 {
            self.client_receive(i);
            return;
        }
        assert_eq!(
            sent,
            wire.len(),
            "a small batch must fit the in-flight budget"
        );
        let now_us = self.now_us();
        let client_id = self.clients[i].id * 1000 + self.clients[i].connections;
        for (n, cmd) in cmds.into_iter().enumerate() {
            let index = self.history.len();
            if let Some((key, get @ None)) = &mut self.clients[i].cas {
                if cmd == Cmd::Get(*key) {
                    *get = Some(index);
                }
            }
            // A BLPOP's second half, sharing its window (see Cmd::BLPopDone).
            let done = match &cmd {
                Cmd::BLPop(key, _) => Some(Cmd::BLPopDone(*key)),
                _ => None,
            };
            // With nothing before it on its connection, a command runs in the server
            // pass that reads its last byte: that bounds when a BLPOP joined the queue
            // of blocked clients, which is what FIFO service is measured from.
            let end = sent_before + ends[n];
            if done.is_some() && n == 0 && in_line {
                self.read_stamps.push((index, conn, end));
            }
            for cmd in std::iter::once(cmd).chain(done) {
                self.op_ends.push((conn, end));
                self.op_lives.push(self.epochs.len() - 1);
                self.history.push(Operation {
                    client: client_id,
                    input: TimedCmd {
                        cmd,
                        conn: client_id,
                        limited: self.clients[i].limited,
                        call_ms: now_us / 1000,
                        ret_ms: None,
                    },
                    output: None,
                    call: now_us,
                    ret: None,
                });
            }
            self.clients[i].in_flight.push_back(index);
        }
        self.last_progress_step = self.steps;
        // A batch job's way to end (`printf ... | nc -q1`): after its last commands the
        // client shuts its write side and reads until EOF. Every reply must come first.
        let client = &self.clients[i];
        if !client.has_work() && client.cas.is_none() && self.rng.next_u32().is_multiple_of(3) {
            self.server.poller_mut().client_shutdown_write(conn);
        }
    }

    /// A client takes what arrived, matches replies to its ops in order, and notices a
    /// dead connection.
    fn client_receive(&mut self, i: usize) {
        let Some(conn) = self.clients[i].conn else {
            return;
        };
        let data = self.server.poller_mut().client_recv(conn, 64 * 1024);
        let now_us = self.now_us();
        if !data.is_empty() {
            // Bytes moving are progress: a big reply to a slow reader takes thousands of
            // steps before it completes an op.
            self.last_progress_step = self.steps;
        }
        self.clients[i].received.extend_from_slice(&data);
        loop {
            let client = &mut self.clients[i];
            match decode_reply(&client.received) {
                Ok(Some((reply, used))) => {
                    client.received.drain(..used);
                    let Some(&index) = client.in_flight.front() else {
                        self.failure = Some(Failure::NotLinearizable(format!(
                            "client {} got a reply it never asked for: {reply:?}",
                            client.id
                        )));
                        return;
                    };
                    self.last_progress_step = self.steps;
                    // A transaction: MULTI's +OK and one +QUEUED per command come first;
                    // they are the runner's to check, EXEC's array is the model's.
                    if let Cmd::Multi { cmds, .. } = &self.history[index].input.cmd {
                        // MULTI's +OK, then a +QUEUED per command.
                        let oks = 1;
                        if client.prelude.len() < oks + cmds.len() {
                            let want = if client.prelude.len() < oks {
                                Reply::OK
                            } else {
                                Reply::simple("QUEUED")
                            };
                            if reply != want {
                                self.failure = Some(Failure::NotLinearizable(format!(
                                    "client {}: reply {} of the transaction {:?} is {reply:?}, \
                                     not {want:?} (before it: {:?})",
                                    client.id,
                                    client.prelude.len(),
                                    self.history[index].input.cmd.cli_line(),
                                    client.prelude
                                )));
                                return;
                            }
                            client.prelude.push(reply);
                            continue;
                        }
                        client.prelude.clear();
                    }
                    client.in_flight.pop_front();
                    // The optimistic-locking script's GET answered: its transaction next.
                    if let Some((key, Some(get))) = client.cas {
                        if get == index {
                            let txn = crate::workload::cas_txn(key, &reply, &mut client.values);
                            client.pending.push_front(txn);
                            client.cas = None;
                        }
                    }
                    let op = &mut self.history[index];
                    // A read stamp may have bounded the op's instant already.
                    if op.ret.is_none() {
                        op.ret = Some(now_us);
                        op.input.ret_ms = Some(now_us.div_ceil(1000));
                    }
                    op.output = Some(reply.clone());
                    if let Cmd::BLPop(..) = op.input.cmd {
                        let done = &mut self.history[index + 1];
                        debug_assert!(matches!(done.input.cmd, Cmd::BLPopDone(_)));
                        done.output = Some(reply);
                        done.ret = Some(now_us);
                        done.input.ret_ms = Some(now_us.div_ceil(1000));
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.failure = Some(Failure::NotLinearizable(format!(
                        "client {} got bytes that are not RESP: {e:?}",
                        client.id
                    )));
                    return;
                }
            }
        }
        let kernel = self.server.poller();
        let dead = kernel.is_reset(conn)
            || kernel.client_eof(conn)
            || (!kernel.client_can_send(conn) && self.clients[i].in_flight.is_empty());
        if kernel.client_eof(conn) && kernel.half_closed_with_complete_writes(conn) {
            if let Some(lost) = self.reply_lost_to_half_close(i, conn) {
                self.failure = Some(Failure::Hang(format!(
                    "client {} shut its write side; the server read {} and closed the \
                     connection without answering it",
                    self.clients[i].id,
                    self.history[lost].input.cmd.cli_line().replace('\n', "; ")
                )));
                return;
            }
        }
        if dead {
            self.abandon_connection(i);
        }
    }

    /// On a half-closed connection the server closed: the first unanswered op it had
    /// read, if any. A BLPOP and what follows it are exempt: a client blocked when the
    /// EOF is read is freed unanswered, as in Redis.
    fn reply_lost_to_half_close(&self, i: usize, conn: ConnId) -> Option<usize> {
        let read = self.server.poller().stream_offsets(conn).1;
        for &index in &self.clients[i].in_flight {
            if matches!(self.history[index].input.cmd, Cmd::BLPop(..)) {
                return None;
            }
            if self.op_ends[index].1 <= read {
                return Some(index);
            }
        }
        None
    }

    /// The connection is gone: unanswered ops have unknown outcomes.
    fn abandon_connection(&mut self, i: usize) {
        let client = &mut self.clients[i];
        if let Some(conn) = client.conn.take() {
            if !self.server.poller().is_reset(conn) && !self.server.poller().client_eof(conn) {
                self.server.poller_mut().client_close(conn);
            }
        }
        client.in_flight.clear();
        client.received.clear();
        client.prelude.clear();
        // A script's rest belongs to the connection that began it (its WATCH is gone).
        client.pending.clear();
        client.cas = None;
    }

    /// After the workload: let replies arrive, then every client hangs up and the server
    /// must free every connection.
    fn drain_and_close(&mut self) {
        self.server
            .poller_mut()
            .set_idle_jump_max(std::time::Duration::MAX);
        for _ in 0..DRAIN_STEPS {
            if self.clients.iter().all(|c| c.in_flight.is_empty()) {
                break;
            }
            self.server.poller_mut().deliver();
            self.server_pass();
            for i in 0..self.clients.len() {
                self.client_receive(i);
            }
            if self.failure.is_some() {
                return;
            }
        }
        if let Some(c) = self.clients.iter().find(|c| !c.in_flight.is_empty()) {
            self.failure = Some(Failure::Hang(format!(
                "client {} still waits for {} replies on a live connection",
                c.id,
                c.in_flight.len()
            )));
            return;
        }
        for i in 0..self.clients.len() {
            if let Some(conn) = self.clients[i].conn.take() {
                self.server.poller_mut().client_close(conn);
            }
        }
        if let Some(conn) = self.subscriber.conn.take() {
            if !self.server.poller().is_reset(conn) && !self.server.poller().client_eof(conn) {
                self.server.poller_mut().client_close(conn);
            }
        }
        // A spinning script in flight is killed (its killer's connection still open)
        // before the connections close: a spinner with nobody to kill it never ends.
        for _ in 0..DRAIN_STEPS {
            self.busy_receive();
            if self.busy.call_us.is_none() || self.failure.is_some() {
                break;
            }
            self.server.poller_mut().deliver();
            self.server_pass();
        }
        if let Some(call) = self.busy.call_us.take() {
            self.busy.windows.push((call, u64::MAX));
        }
        let busy = [self.busy.spinner.take(), self.busy.killer.take()];
        for conn in [self.admin.conn.take()].into_iter().chain(busy).flatten() {
            if !self.server.poller().is_reset(conn) && !self.server.poller().client_eof(conn) {
                self.server.poller_mut().client_close(conn);
            }
        }
        for _ in 0..CLOSE_PASSES {
            self.server.poller_mut().deliver();
            self.server_pass();
            if self.failure.is_some() || self.server.client_count() == 0 {
                break;
            }
        }
        if self.failure.is_none() && self.server.client_count() != 0 {
            self.failure = Some(Failure::Leak(format!(
                "{} clients still open after every peer hung up",
                self.server.client_count()
            )));
        }
        let leaks = self.server.poller().leaks();
        if self.failure.is_none() && !leaks.is_empty() {
            self.failure = Some(Failure::Leak(format!(
                "connections never closed: {leaks:?}"
            )));
        }
    }

    /// The replay oracle: every propagated batch, run in order at its time against a
    /// fresh core, must rebuild the live keyspace exactly (see `seedis::cmd::replay`).
    ///
    /// A run whose server restarted is not checked: its keyspace began from a snapshot,
    /// not from the empty one the replay starts from (the durability oracle checks it).
    fn check_replay(&mut self) {
        self.server.feed_propagated();
        let batches = std::mem::take(&mut *self.propagated.borrow_mut());
        if self.restarts > 0 {
            return;
        }
        let config = self.server.config().clone();
        // At the same times, and as an AOF is loaded (a day later, nothing expiring).
        let replays = [
            ("", Replayer::new(config.clone())),
            (
                " (loaded a day later)",
                Replayer::loading(config, 86_400_000_000),
            ),
        ];
        for (how, mut replay) in replays {
            for batch in &batches {
                if let Err(e) = replay.apply(batch) {
                    self.failure = Some(Failure::Replay(format!("{e}{how}")));
                    return;
                }
            }
            if let Some(d) = keyspace_difference(self.server.keyspace(), replay.keyspace()) {
                self.failure = Some(Failure::Replay(format!(
                    "after {} batches{how}: {d}",
                    batches.len()
                )));
                return;
            }
        }
    }

    fn check_history(&mut self) {
        // A bound on the search: a history with many unknown outcomes can make it
        // explode. Past it the verdict is inconclusive, which is reported, not failed.
        let budget = std::time::Duration::from_secs(CHECK_SECONDS);
        // Each life of the process is checked on its own, from what it recovered.
        for (e, epoch) in self.epochs.iter().enumerate() {
            let history: Vec<HistoryOp> = self
                .history
                .iter()
                .zip(&self.op_lives)
                .filter(|&(_, &life)| life == e)
                .map(|(op, _)| op.clone())
                .collect();
            let model = recovery::FromState { init: &epoch.init };
            let result = checker::check(&model, &history, Some(budget));
            self.check_explored += result.explored;
            self.check_inconclusive |= matches!(result.verdict, Verdict::Unknown);
            if let Verdict::NotLinearizable(info) = result.verdict {
                let life = if self.epochs.len() > 1 {
                    format!("in life {} of the server: ", e + 1)
                } else {
                    String::new()
                };
                self.failure = Some(Failure::NotLinearizable(format!(
                    "{life}{}",
                    crate::report::explain(&history, &info)
                )));
                return;
            }
        }
    }

    fn trace_hash(&self) -> u64 {
        // The kernel's hash covers every syscall and byte; fold in the history's shape.
        let mut hash = self.server.poller().trace_hash() ^ self.disk.trace_hash().rotate_left(17);
        hash = (hash ^ self.restarts).wrapping_mul(0x0000_0100_0000_01b3);
        for op in &self.history {
            for word in [op.client, op.call, op.ret.unwrap_or(u64::MAX)] {
                hash = (hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        hash
    }

    /// The subscriber's move: connect and subscribe, read what was pushed, or leave.
    fn subscriber_step(&mut self) {
        let Some(conn) = self.subscriber.conn else {
            if self.subscriber.connections >= SUBSCRIBER_CONNECTIONS {
                return;
            }
            let conn = self.server.poller_mut().connect();
            self.subscriber.connections += 1;
            self.subscriber.conn = Some(conn);
            self.subscriber.received.clear();
            let mut wire = BytesMut::new();
            let channels: Vec<String> = (0..CHANNELS as u8).map(channel_name).collect();
            let mut argv: Vec<&[u8]> = vec![b"SUBSCRIBE"];
            argv.extend(channels.iter().map(|c| c.as_bytes()));
            encode_command(&argv, &mut wire);
            if self.rng.next_u32().is_multiple_of(2) {
                encode_command(&[b"PSUBSCRIBE", b"ch*"], &mut wire);
            }
            if self.rng.next_u32().is_multiple_of(2) {
                encode_command(&[b"PSUBSCRIBE", KEYEVENTS], &mut wire);
            }
            self.server.poller_mut().client_send(conn, &wire);
            return;
        };
        let data = self.server.poller_mut().client_recv(conn, 64 * 1024);
        self.subscriber.received.extend_from_slice(&data);
        loop {
            match decode_reply(&self.subscriber.received) {
                Ok(Some((reply, used))) => {
                    self.subscriber.received.drain(..used);
                    if let Err(e) = self.check_pushed(&reply) {
                        self.failure = Some(Failure::Invariant(format!("subscriber: {e}")));
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.failure = Some(Failure::Invariant(format!(
                        "subscriber got bytes that are not RESP: {e:?}"
                    )));
                    return;
                }
            }
        }
        let kernel = self.server.poller();
        if kernel.is_reset(conn) || kernel.client_eof(conn) {
            self.subscriber.conn = None;
            return;
        }
        // Leave no trace: hang up abruptly mid-way, with subscriptions still on.
        match self.rng.next_u32() % 24 {
            0 => self.server.poller_mut().client_reset(conn),
            1 => self.server.poller_mut().client_close(conn),
            _ => return,
        }
        self.subscriber.conn = None;
    }

    /// A keyspace notification must be on db 0's keyevent channel, and name an event the
    /// model said some command sent on that key may announce.
    fn check_notification(
        &self,
        channel: Option<Bytes>,
        key: Option<Bytes>,
        reply: &Reply,
    ) -> Result<(), String> {
        let event = channel
            .as_deref()
            .and_then(|c| c.strip_prefix(b"__keyevent@0__:".as_slice()))
            .map(|e| String::from_utf8_lossy(e).into_owned());
        let key = key.map(|k| String::from_utf8_lossy(&k).into_owned());
        match (event, key) {
            (Some(event), Some(key))
                if self.announced.iter().any(|(k, e)| *k == key && *e == event) =>
            {
                Ok(())
            }
            _ => Err(format!(
                "notification {reply:?}, which no command sent may announce"
            )),
        }
    }

    /// A frame pushed to the subscriber must be a (p)subscribe confirmation or a message
    /// some client published.
    fn check_pushed(&self, reply: &Reply) -> Result<(), String> {
        let Reply::Array(items) = reply else {
            return Err(format!("pushed {reply:?}"));
        };
        let bulk = |i: usize| match items.get(i) {
            Some(Reply::Bulk(b)) => Some(b.clone()),
            _ => None,
        };
        let kind = bulk(0).unwrap_or_default();
        if kind == "pmessage" && bulk(1).as_deref() == Some(KEYEVENTS) {
            return self.check_notification(bulk(2), bulk(3), reply);
        }
        let payload = match (&kind[..], items.len()) {
            (b"subscribe" | b"psubscribe", 3) => return Ok(()),
            (b"message", 3) => bulk(2),
            (b"pmessage", 4) => bulk(3),
            _ => None,
        };
        match payload {
            Some(p) if self.published.contains(&p) => Ok(()),
            _ => Err(format!("pushed {reply:?}, which nobody published")),
        }
    }
}
