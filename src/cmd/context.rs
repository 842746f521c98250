//! What a command handler may see and change.

use crate::config::Config;
use crate::db::Keyspace;
use crate::resp::Reply;
use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// Everything a handler works on. Built by the event loop for each batch of commands.
pub struct Ctx<'a> {
    pub keyspace: &'a mut Keyspace,
    pub session: &'a mut Session,
    pub server: &'a mut ServerState,
    /// The other connected clients, for CLIENT LIST / KILL and INFO clients.
    pub clients: &'a mut dyn ClientRegistry,
    /// The Poller's clock, read around each command for its INFO commandstats and
    /// SLOWLOG time, and slept on by DEBUG SLEEP.
    pub clock: &'a mut dyn crate::net::Clock,
    /// Every file the command touches (SAVE, BGSAVE's fork, DEBUG RELOAD).
    pub storage: &'a mut dyn crate::storage::Storage,
}

impl Ctx<'_> {
    /// Current time in milliseconds since the epoch, as set by the loop.
    pub fn now_ms(&self) -> u64 {
        self.server.now_us / 1000
    }

    /// A command changed `key` in the client's db in place: signalModifiedKey, and
    /// `server.dirty += dirty` (Redis counts per element changed).
    pub fn modified(&mut self, key: &[u8], dirty: u64) {
        self.keyspace.signal_modified_key(self.session.db, key);
        self.server.dirty += dirty;
    }

    /// `server.dirty += n` alone (the keyspace already told watchers: `set`, `remove`).
    pub fn add_dirty(&mut self, n: u64) {
        self.server.dirty += n;
    }
}

/// Per-connection command state (the part of Redis's `client` struct that commands read
/// and write). The event loop owns the connection's buffers; this is the rest.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: u64,
    /// Set by `dispatch` when CLIENT PAUSE postpones the command: the loop keeps it for
    /// after the pause.
    pub postponed: bool,
    /// Selected database index.
    pub db: usize,
    pub name: Option<Bytes>,
    /// Protocol version: 2 or 3 (HELLO switches it).
    pub resp: u8,
    pub fd: u32,
    pub addr: String,
    pub laddr: String,
    pub created_ms: u64,
    pub last_interaction_ms: u64,
    /// Name of the last command run, for CLIENT LIST's `cmd=`.
    pub last_cmd: &'static str,
    /// Set by QUIT, CLIENT KILL of oneself and protocol errors: the connection is closed
    /// once the pending replies are written.
    pub close_after_reply: bool,
    /// False until AUTH succeeds when a password is set.
    pub authenticated: bool,
    /// The ACL user the connection runs as (Redis's `c->user`), by name.
    pub user: Bytes,
    /// Query buffer and output sizes, refreshed by the loop for CLIENT LIST of oneself.
    pub qbuf_len: usize,
    pub qbuf_free: usize,
    pub omem: usize,
    /// Replies are waiting to be written (CLIENT LIST's `events=rw`).
    pub output_pending: bool,
    /// Between MULTI and EXEC/DISCARD: the queued commands.
    pub multi: Option<MultiState>,
    /// True while EXEC runs the queued commands (blocking commands do not block).
    pub in_exec: bool,
    /// The client a Lua script's commands run as (CLIENT_SCRIPT).
    pub in_script: bool,
    /// CLIENT REPLY OFF: no command replies are written to this client (pub/sub pushes
    /// still are).
    pub reply_off: bool,
    /// In MONITOR mode: receives every command the server runs; may not touch keys.
    pub monitor: bool,
    /// Attached with SYNC/PSYNC: gets the replication stream, and no replies.
    pub replica: bool,
    /// REPLCONF listening-port.
    pub replica_listening_port: u16,
    /// CLIENT REPLY SKIP: how many commands, the SKIP itself included, still have their
    /// replies dropped (2 after SKIP: itself and the next one).
    pub reply_skip: u8,
    /// Channels and patterns this client is subscribed to.
    pub channels: BTreeSet<Bytes>,
    pub patterns: BTreeSet<Bytes>,
    /// Shard channels (SSUBSCRIBE), counted apart from the others.
    pub shard_channels: BTreeSet<Bytes>,
    /// Set by a blocking command that found nothing: the loop parks the client.
    pub blocked: Option<BlockSpec>,
    /// Replies to write before the current command's reply (pub/sub messages to oneself,
    /// the confirmations of a multi-channel SUBSCRIBE).
    pub pushes: Vec<Reply>,
    /// Bytes of reply this client may still be sent before its `client-output-buffer-limit`
    /// hard limit closes it, set by the loop before each command (without a hard limit,
    /// and for a script's commands, `client_sized::MAX_REPLY_MEMORY`): what a client-sized
    /// reply may grow to. EXEC charges each reply to the commands after it.
    pub reply_budget: u64,
    /// A client-sized reply outgrew [`Session::reply_budget`]: the loop closes the client
    /// for its output limit, as Redis does once CLIENT_CLOSE_ASAP is set.
    pub output_limit_reached: bool,
}

/// A transaction being queued (Redis's `c->mstate` and CLIENT_DIRTY_EXEC).
#[derive(Clone, Debug, Default)]
pub struct MultiState {
    pub queued: Vec<Vec<Bytes>>,
    /// Bytes of the queued arguments, for the memory bound and CLIENT LIST `multi-mem`.
    pub bytes: usize,
    /// A command was refused while queueing: EXEC aborts.
    pub errored: bool,
}

/// What a blocked client waits for.
#[derive(Clone, Debug)]
pub struct BlockSpec {
    pub db: usize,
    pub keys: Vec<Bytes>,
    /// Absolute unix time in ms; 0 waits forever.
    pub deadline_ms: u64,
    /// The blocking command, re-run against the ready key when one is signalled.
    pub argv: Vec<Bytes>,
    /// XREAD/XREADGROUP: what the client waits for on each key (Redis's `bpop`).
    pub stream: Option<StreamBlock>,
}

/// A blocked XREAD/XREADGROUP: the IDs it waits past, per key in `keys` order (`$`
/// resolved when it blocked), its COUNT, and its group.
#[derive(Clone, Debug)]
pub struct StreamBlock {
    pub ids: Vec<crate::db::stream::StreamId>,
    pub count: usize,
    /// Group, consumer, NOACK.
    pub group: Option<(Bytes, Bytes, bool)>,
}

impl Session {
    pub fn new(id: u64, fd: u32, addr: String, laddr: String, now_ms: u64) -> Session {
        Session {
            id,
            db: 0,
            name: None,
            resp: 2,
            fd,
            addr,
            laddr,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL",
            postponed: false,
            close_after_reply: false,
            authenticated: true,
            user: Bytes::from_static(b"default"),
            qbuf_len: 0,
            qbuf_free: 0,
            omem: 0,
            output_pending: false,
            multi: None,
            in_exec: false,
            in_script: false,
            reply_off: false,
            monitor: false,
            replica: false,
            replica_listening_port: 0,
            reply_skip: 0,
            channels: BTreeSet::new(),
            patterns: BTreeSet::new(),
            shard_channels: BTreeSet::new(),
            blocked: None,
            pushes: Vec::new(),
            reply_budget: super::client_sized::MAX_REPLY_MEMORY,
            output_limit_reached: false,
        }
    }

    /// Channels plus patterns (the count SUBSCRIBE replies with).
    pub fn subscriptions(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// In pub/sub mode (Redis's CLIENT_PUBSUB): any channel, pattern or shard channel.
    pub fn in_pubsub(&self) -> bool {
        self.subscriptions() > 0 || !self.shard_channels.is_empty()
    }

    /// The CLIENT LIST `flags=` letters that apply.
    /// Whether replies to this client are being dropped (CLIENT REPLY OFF or SKIP).
    pub fn replies_suppressed(&self) -> bool {
        self.reply_off || self.reply_skip > 0 || self.replica
    }

    /// After each command (`resetClient`): one command fewer to skip.
    pub fn command_done(&mut self) {
        self.reply_skip = self.reply_skip.saturating_sub(1);
    }

    pub fn flags(&self) -> String {
        let mut f = String::new();
        if self.replica {
            f.push('S');
        }
        if self.monitor {
            f.push('O');
        }
        if self.blocked.is_some() {
            f.push('b');
        }
        if self.in_pubsub() {
            f.push('P');
        }
        if self.multi.is_some() {
            f.push('x');
        }
        if f.is_empty() {
            f.push('N');
        }
        f
    }

    /// This session as one CLIENT LIST line's fields.
    pub fn info(&self, now_ms: u64) -> ClientInfo {
        ClientInfo {
            id: self.id,
            addr: self.addr.clone(),
            laddr: self.laddr.clone(),
            fd: self.fd,
            name: self.name.clone().unwrap_or_default(),
            age_s: now_ms.saturating_sub(self.created_ms) / 1000,
            idle_s: now_ms.saturating_sub(self.last_interaction_ms) / 1000,
            db: self.db,
            qbuf: self.qbuf_len,
            qbuf_free: self.qbuf_free,
            omem: self.omem,
            events: if self.output_pending { "rw" } else { "r" },
            cmd: self.last_cmd,
            resp: self.resp,
            flags: self.flags(),
            sub: self.channels.len(),
            psub: self.patterns.len(),
            ssub: self.shard_channels.len(),
            multi: self.multi.as_ref().map_or(-1, |m| m.queued.len() as i64),
            multi_mem: self.multi.as_ref().map_or(0, |m| m.bytes),
            user: self.user.clone(),
        }
    }
}

/// One client as CLIENT LIST and CLIENT INFO describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInfo {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub fd: u32,
    pub name: Bytes,
    pub age_s: u64,
    pub idle_s: u64,
    pub db: usize,
    pub qbuf: usize,
    pub qbuf_free: usize,
    pub omem: usize,
    pub events: &'static str,
    pub cmd: &'static str,
    pub resp: u8,
    pub flags: String,
    pub sub: usize,
    pub psub: usize,
    pub ssub: usize,
    pub multi: i64,
    pub multi_mem: usize,
    pub user: Bytes,
}

impl ClientInfo {
    /// The line Redis 7.0 prints for a client in CLIENT LIST / CLIENT INFO.
    pub fn to_line(&self) -> String {
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem=0 multi-mem={} rbs=1024 rbp=0 obl=0 oll=0 omem={} tot-mem={} events={} cmd={} user={} redir=-1 resp={}",
            self.id,
            self.addr,
            self.laddr,
            self.fd,
            String::from_utf8_lossy(&self.name),
            self.age_s,
            self.idle_s,
            self.flags,
            self.db,
            self.sub,
            self.psub,
            self.ssub,
            self.multi,
            self.qbuf,
            self.qbuf_free,
            self.multi_mem,
            self.omem,
            self.qbuf + self.qbuf_free + self.omem + self.multi_mem + 1024,
            self.events,
            self.cmd,
            String::from_utf8_lossy(&self.user),
            self.resp
        )
    }
}

/// The event loop's view of the connected clients other than the caller.
pub trait ClientRegistry {
    /// Every other client, in id order.
    fn list(&self, now_ms: u64) -> Vec<ClientInfo>;
    /// Marks the clients whose info matches for closing; returns how many matched.
    fn kill(&mut self, matches: &mut dyn FnMut(&ClientInfo) -> bool, now_ms: u64) -> usize;
    /// Number of connected clients, the caller included.
    fn count(&self) -> usize;
    /// CLIENT UNBLOCK: if client `id` is blocked (on keys), it is unblocked after this
    /// command, answered as a timeout or, with `error`, with `-UNBLOCKED`. False if no
    /// such client is blocked. The default has no other clients.
    fn unblock(&mut self, id: u64, error: bool) -> bool {
        let _ = (id, error);
        false
    }
    /// Queues an out-of-band message (a pub/sub message) on another client's output, in
    /// that client's protocol. False if no such client (it is gone).
    /// The default has no other clients to deliver to.
    fn deliver(&mut self, fd: u32, id: u64, message: &Reply) -> bool {
        let _ = (fd, id, message);
        false
    }
    /// Redis's `processEventsWhileBlocked`, called by a timed-out script: a few rounds of
    /// non-blocking I/O through `poller` (accept, read, run other clients' commands
    /// through `server`, write their replies). The caller stays out of its slot. The
    /// default has no loop to process; without a poller (commands run outside a loop)
    /// there is no I/O to do.
    fn process_events_while_blocked(
        &mut self,
        poller: Option<&mut dyn crate::net::Poller>,
        server: &mut dyn super::busy::BlockedServer,
    ) {
        let _ = (poller, server);
    }
}

/// A registry with no other clients: for tests and fuzzers that run commands alone.
pub struct NoClients;

impl ClientRegistry for NoClients {
    fn list(&self, _now_ms: u64) -> Vec<ClientInfo> {
        Vec::new()
    }
    fn kill(&mut self, _: &mut dyn FnMut(&ClientInfo) -> bool, _: u64) -> usize {
        0
    }
    fn count(&self) -> usize {
        1
    }
}

/// Requests a handler makes of the loop, carried out after the command returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// SHUTDOWN: stop the loop after flushing replies.
    Shutdown,
    /// SYNC/PSYNC made the client a replica: the loop starts its synchronization.
    ReplicaSync { psync: bool },
}

/// Counters INFO stats reports.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub total_net_input_bytes: u64,
    pub total_net_output_bytes: u64,
    pub client_query_buffer_limit_disconnections: u64,
    pub client_output_buffer_limit_disconnections: u64,
    pub evicted_clients: u64,
}

/// State shared by every connection: settings, counters, the RNG and the current time.
pub struct ServerState {
    pub config: Config,
    pub stats: Stats,
    /// CLIENT PAUSE's state (cmd/pause.rs).
    pub pause: super::pause::PauseState,
    /// `evicted_keys` and the eviction time counters (cmd/evict.rs).
    pub eviction: super::evict::EvictionState,
    /// The one RNG of the server (RANDOMKEY, SCAN order, SPOP...). Seeded by the binary
    /// from the OS, by the simulator from the run's seed.
    pub rng: ChaCha8Rng,
    /// Set by the loop from the Poller's clock before each batch of commands.
    pub now_us: u64,
    pub start_us: u64,
    /// 40 hex characters, drawn from the RNG at startup.
    pub run_id: String,
    pub tcp_port: u16,
    pub next_client_id: u64,
    pub actions: Vec<Action>,
    /// Channel and pattern subscriptions of every client.
    pub pubsub: super::pubsub::PubSub,
    /// The server's process id for INFO `process_id`. Set by the binary (the core never
    /// asks the OS); 0 in the simulator and tests.
    pub pid: u32,
    /// INFO `executable` and `config_file`: set by the binary, empty otherwise.
    pub executable: String,
    pub config_file: String,
    /// Highest `used_memory` INFO has reported, for `used_memory_peak`.
    pub used_memory_peak: usize,
    /// INFO commandstats, errorstats and latencystats.
    pub command_stats: super::stats::CommandStats,
    pub slowlog: super::slowlog::Slowlog,
    /// LATENCY's per-event samples (`latency-monitor-threshold`).
    pub latency: super::latency::LatencyMonitor,
    pub monitors: super::monitor::Monitors,
    /// EVAL's script cache and FUNCTION's libraries, with their Lua states (created on
    /// first use). `None` only while a script runs (src/cmd/scripting.rs takes it out).
    pub scripting: Option<Box<crate::script::Scripting>>,
    /// The script running now (Redis's `curr_run_ctx`): what SCRIPT KILL, FUNCTION KILL
    /// and FUNCTION STATS see, and, once it timed out, what `dispatch` refuses with -BUSY.
    pub script_run: Option<super::busy::ScriptRun>,
    /// The allocator the binary installed (INFO `mem_allocator`, `used_memory`).
    pub allocator: crate::mem::Allocator,
    /// Redis's `server.dirty`: changes to the dataset since the last successful save,
    /// counted as Redis counts them (per key or element changed). Save points, INFO
    /// `rdb_changes_since_last_save` and command propagation read it.
    pub dirty: u64,
    /// SAVE/BGSAVE bookkeeping: last save, the BGSAVE child, save statistics.
    pub persist: crate::persist::PersistState,
    /// The append-only file: its state, buffer, manifest and rewrite child.
    pub aof: crate::persist::aof::state::AofState,
    /// Commands to propagate (AOF, replicas): see `propagate.rs`.
    pub propagation: super::propagate::Propagation,
    /// ACL users and the ACL log.
    pub acl: crate::acl::Acl,
    /// Attached replicas and the replication stream's offset and id.
    pub repl: super::replication::ReplState,
}

impl ServerState {
    /// Redis's `zmalloc_used_memory`: the allocator's own count when it keeps one
    /// (jemalloc), else an estimate of the keyspace alone (the simulator and tests, so it
    /// is deterministic there).
    /// The access clock keys follow now: the time, the policy's LRU/LFU choice and its
    /// LFU settings, and whether a child is saving (no touching then).
    pub fn access_clock(&self) -> crate::db::access::AccessClock {
        let c = &self.config;
        crate::db::access::AccessClock {
            now_ms: self.now_us / 1000,
            lfu: c.maxmemory_policy.is_lfu(),
            lfu_log_factor: c.lfu_log_factor.min(u64::from(u32::MAX)) as u32,
            lfu_decay_time: c.lfu_decay_time.min(u64::from(u32::MAX)) as u32,
            frozen: self.persist.child.is_some(),
        }
    }

    pub fn used_memory(&self, keyspace: &crate::db::Keyspace) -> u64 {
        self.allocator
            .allocated
            .and_then(|f| f())
            .unwrap_or_else(|| keyspace.used_memory_estimate()) as u64
    }

    pub fn new(config: Config, mut rng: ChaCha8Rng, now_us: u64) -> ServerState {
        use rand_core::RngCore;
        let mut run_id = String::with_capacity(40);
        for _ in 0..20 {
            run_id.push_str(&format!("{:02x}", rng.next_u32() as u8));
        }
        let tcp_port = config.port;
        let acl = crate::acl::Acl::from_config(&config);
        let repl = super::replication::ReplState::new(&run_id);
        ServerState {
            repl,
            acl,
            config,
            stats: Stats::default(),
            eviction: Default::default(),
            pause: Default::default(),
            rng,
            now_us,
            start_us: now_us,
            run_id,
            tcp_port,
            next_client_id: 1,
            actions: Vec::new(),
            pubsub: super::pubsub::PubSub::default(),
            pid: 0,
            executable: String::new(),
            config_file: String::new(),
            used_memory_peak: 0,
            dirty: 0,
            persist: crate::persist::PersistState::new(now_us / 1_000_000),
            aof: crate::persist::aof::state::AofState::new(now_us / 1_000_000),
            propagation: Default::default(),
            command_stats: Default::default(),
            latency: Default::default(),
            slowlog: Default::default(),
            monitors: Default::default(),
            scripting: None,
            script_run: None,
            allocator: crate::mem::LIBC,
        }
    }
}
