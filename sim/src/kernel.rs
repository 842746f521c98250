//! The simulated kernel: sockets, edge-triggered readiness and a virtual clock behind the
//! [`Poller`] seam.
//!
//! The server core runs against [`SimPoller`] exactly as it runs against epoll. The
//! simulator plays the other side: its clients hold a [`ConnId`] (never an [`Fd`]) and move
//! bytes with [`SimPoller::client_send`], [`SimPoller::deliver`] and
//! [`SimPoller::client_recv`] between iterations of the server's loop, reaching the kernel
//! through the loop's `poller_mut()`. Nothing here is shared or interior-mutable.
//!
//! # Model
//! Each connection is two byte pipes:
//! - client → server: `client_send` puts bytes *in flight*; a delivery step moves them
//!   (maybe only a prefix, under [`Fault::PartialDelivery`]) into the server socket's
//!   receive buffer, which `read` drains. A FIN from the client travels behind its bytes.
//! - server → client: `write` appends to the socket's send buffer (bounded: a full buffer
//!   is `WouldBlock`), which `client_recv` drains.
//!
//! # Readiness: edge-triggered, re-checked at delivery
//! An edge is queued when a socket *becomes* readable (receive buffer empty → non-empty,
//! FIN or RST arrives, backlog empty → non-empty) or *becomes* writable (a write hit a full
//! buffer or a spurious EAGAIN, and room appeared), and when `set_interest` re-arms an
//! interest whose condition already holds (EPOLL_CTL_MOD). An edge is only queued for a
//! registered interest; hup and error always are. Like Linux's `ep_send_events`, `poll`
//! re-checks each queued edge against the current interest and state and drops what no
//! longer holds, so a stale edge never reaches the server unless a fault makes it spurious
//! on purpose. Linux is laxer in one way: it re-queues an ET readable edge on *every*
//! packet, even into a non-empty buffer. This kernel does not, which is the strictest
//! reading of the contract and so the one that finds lost-wakeup bugs.
//!
//! # Determinism
//! All choices come from one ChaCha8 stream seeded by the run's seed, all state lives in
//! `Vec`/`VecDeque`/`BTreeMap`, and the clock is virtual. The same seed and the same
//! sequence of calls give the same behaviour and the same [`SimPoller::trace_hash`].
//!
//! # Bounds (every queue has one)
//! See [`KernelConfig`]: in-flight bytes, receive and send buffers per connection, the
//! accept backlog, the number of fds, of connections ever made, of events per poll and of
//! recorded violations.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, IoSlice};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use bytes::BytesMut;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use seedis::net::{Accepted, Event, Fd, Poller};

use crate::clock::SimClock;
use crate::faults::{below, chance, Fault, FaultPlan};

/// 2023-11-14T22:13:20Z: a fixed, plausible epoch, so TTL arithmetic looks like a real
/// server's and never depends on the host clock.
pub const EPOCH_US: u64 = 1_700_000_000_000_000;

/// The first descriptor handed out: 0, 1 and 2 are stdio in a real process, and a server
/// that treats fd 0 as "none" should be caught by its own tests, not by luck here.
const FIRST_FD: u32 = 3;

/// Upper bound of the random latency a poll that returns events adds to the clock, in µs:
/// small enough not to cross timers by itself, large enough that timestamps differ.
const POLL_LATENCY_MAX_US: u64 = 20;

/// First fake client port; peers get `40000 + id % PEER_PORT_SPAN`.
const PEER_PORT_FIRST: u16 = 40_000;
const PEER_PORT_SPAN: u32 = 25_000;

/// Limits of the simulated kernel. Every queue it keeps is bounded by one of these.
#[derive(Clone, Debug)]
pub struct KernelConfig {
    /// Server socket's send buffer (server → client), bytes. A full buffer makes `write`
    /// return `WouldBlock`. Replaced by the plan's small capacity under slow readers.
    pub send_buffer_capacity: usize,
    /// Server socket's receive buffer (client → server), bytes. Delivery stops when it is
    /// full and the rest waits in flight, as TCP flow control would.
    pub recv_buffer_capacity: usize,
    /// Bytes one client may have in flight; `client_send` accepts no more (a client's
    /// own socket buffer, in effect).
    pub in_flight_capacity: usize,
    /// Pending connections on the listener (`somaxconn`); a `connect` beyond it is refused.
    pub backlog_capacity: usize,
    /// Open descriptors (`RLIMIT_NOFILE`); `accept` beyond it fails with EMFILE.
    pub fd_limit: u32,
    /// Connections ever made (ids are never reused, so each keeps its record for the
    /// leak check); `connect` beyond it panics: the workload must stay under it.
    pub conn_limit: usize,
    /// Events one `poll` returns (`maxevents`); the rest stay queued for the next poll.
    pub events_per_poll_max: usize,
    /// Use-after-close reports kept; later ones are only counted.
    pub violations_max: usize,
}

impl Default for KernelConfig {
    fn default() -> KernelConfig {
        KernelConfig {
            send_buffer_capacity: 64 * 1024,
            recv_buffer_capacity: 64 * 1024,
            in_flight_capacity: 1024 * 1024,
            backlog_capacity: 128,
            fd_limit: 1024,
            conn_limit: 100_000,
            events_per_poll_max: 1024,
            violations_max: 100,
        }
    }
}

/// A simulated client's handle on its connection. Ids are dense and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u32);

/// Counters for the simulator's report: how much happened and which faults fired.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct KernelStats {
    pub polls: u64,
    pub events: u64,
    pub accepts: u64,
    pub connects: u64,
    pub connects_refused: u64,
    pub reads: u64,
    pub bytes_read: u64,
    pub writes: u64,
    pub bytes_written: u64,
    pub bytes_delivered: u64,
    pub bytes_client_received: u64,
    pub partial_deliveries: u64,
    pub short_reads: u64,
    pub short_writes: u64,
    pub write_eagains: u64,
    pub spurious_readables: u64,
    pub resets: u64,
    pub half_closes: u64,
    pub accept_emfiles: u64,
    pub slow_recvs: u64,
    pub clock_jumps: u64,
    /// Polls that found nothing queued with `timeout == None` (a real server would sleep
    /// forever there; the simulator returns at once instead of hanging).
    pub idle_forever_polls: u64,
    pub violations: u64,
}

/// Readiness bits an edge carries until `poll` reports it.
#[derive(Clone, Copy, Debug, Default)]
struct Edge {
    readable: bool,
    writable: bool,
    hup: bool,
    error: bool,
    /// Report `readable` even if nothing is readable (the spurious-readiness fault).
    spurious: bool,
}

#[derive(Clone, Copy, Debug)]
enum FdKind {
    Listener,
    Conn(ConnId),
}

#[derive(Clone, Copy, Debug)]
struct FdEntry {
    kind: FdKind,
    readable: bool,
    writable: bool,
}

#[derive(Debug)]
struct Listener {
    fd: Fd,
    addr: String,
    local: SocketAddr,
    /// Connections waiting for `accept`, oldest first. Bounded by `backlog_capacity`.
    backlog: VecDeque<ConnId>,
    /// An accept failed with EMFILE for lack of descriptors: report the listener again
    /// when a descriptor is freed.
    emfile_pending: bool,
}

#[derive(Debug, Default)]
struct Conn {
    server_fd: Option<Fd>,
    /// Client → server bytes not yet delivered. Bounded by `in_flight_capacity`.
    in_flight: VecDeque<u8>,
    /// Delivered bytes the server has not read. Bounded by `recv_buffer_capacity`.
    recv_buf: VecDeque<u8>,
    /// Server → client bytes the client has not read. Bounded by `send_buffer_capacity`.
    send_buf: VecDeque<u8>,
    /// The client shut its write side; a FIN follows the in-flight bytes.
    client_write_shut: bool,
    /// The FIN reached the server: once `recv_buf` drains, `read` returns 0.
    fin_delivered: bool,
    /// The client closed: it reads nothing more, server writes fail with EPIPE.
    client_closed: bool,
    /// RST: server reads and writes fail with ECONNRESET; all buffers were dropped.
    reset: bool,
    /// The server accepted and then closed its descriptor.
    server_closed: bool,
    /// The server was told the connection ended (read 0, a read/write error, or a
    /// hup/error event): from then on it owes a `close`.
    server_saw_end: bool,
    /// A write found the send buffer full (or got a spurious EAGAIN): the next room that
    /// appears is a writable edge (SOCK_NOSPACE in Linux).
    write_blocked: bool,
    /// Bytes the client sent, and bytes the server has read, since the connection began.
    client_sent: u64,
    server_read: u64,
    /// A server write here once took less than it offered (EAGAIN, a short write, a
    /// full buffer): replies may then have waited in the server for a later pass.
    write_ever_incomplete: bool,
    /// The simulator's own observer (reading a restarted server's keyspace): never reset
    /// or half-closed by a fault, so the observation always completes.
    observer: bool,
}

impl Conn {
    fn readable(&self) -> bool {
        !self.recv_buf.is_empty() || self.fin_delivered || self.reset
    }

    /// Writable in epoll's sense: a write would not block (room, or an error to report).
    fn writable(&self, capacity: usize) -> bool {
        self.send_buf.len() < capacity || self.reset || self.client_closed
    }
}

/// The simulated kernel. See the module docs.
/// Bytes to send while a script spins.
struct BusySend {
    conn: ConnId,
    bytes: Vec<u8>,
    delay_us: u64,
    /// Set at the script's first hook call.
    at_us: Option<u64>,
}

pub struct SimPoller {
    /// See [`SimPoller::plan_send_while_busy`].
    busy_send: Option<BusySend>,
    config: KernelConfig,
    plan: FaultPlan,
    /// The one source of randomness: every fault decision and chunk size.
    rng: ChaCha8Rng,
    /// The virtual clock, shared with the simulated disk.
    clock: SimClock,
    listener: Option<Listener>,
    /// Open descriptors. Bounded by `fd_limit` (+1 for the listener).
    fds: BTreeMap<u32, FdEntry>,
    /// All connections ever made, indexed by `ConnId`. Bounded by `conn_limit`.
    conns: Vec<Conn>,
    /// Queued edges, at most one entry per open descriptor.
    ready: BTreeMap<u32, Edge>,
    /// Most an idle poll advances the clock (see `set_idle_jump_max`).
    idle_jump_max_us: u64,
    /// Use-after-close and similar misuse. Bounded by `violations_max`.
    violations: Vec<String>,
    stats: KernelStats,
    trace: u64,
    /// Kill the process right after this many more successful server writes (a crash
    /// "right after a reply was written").
    crash_after_writes: Option<u64>,
}

/// FNV-1a 64: tiny, portable, and enough to tell two traces apart.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Operation codes mixed into the trace hash.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Op {
    Poll = 1,
    Listen,
    Accept,
    Read,
    Write,
    SetInterest,
    Close,
    Sleep,
    Connect,
    ClientSend,
    Deliver,
    ClientRecv,
    ClientShutdown,
    ClientClose,
    ClientReset,
    Event,
    Error,
    Crash,
}

impl SimPoller {
    /// A kernel with default limits whose every decision derives from `seed`.
    pub fn new(seed: u64, plan: FaultPlan) -> SimPoller {
        SimPoller::with_config(seed, plan, KernelConfig::default())
    }

    pub fn with_config(seed: u64, plan: FaultPlan, mut config: KernelConfig) -> SimPoller {
        if plan.enabled(Fault::SlowReader) {
            config.send_buffer_capacity = plan.slow_send_buffer_capacity.max(1);
        }
        // Zero-sized buffers would make every write block forever: not a fault, a hang.
        assert!(config.send_buffer_capacity > 0 && config.recv_buffer_capacity > 0);
        assert!(config.in_flight_capacity > 0 && config.events_per_poll_max > 0);
        let mut kernel = SimPoller {
            busy_send: None,
            config,
            plan,
            rng: ChaCha8Rng::seed_from_u64(seed),
            clock: SimClock::new(EPOCH_US),
            listener: None,
            fds: BTreeMap::new(),
            conns: Vec::new(),
            ready: BTreeMap::new(),
            idle_jump_max_us: u64::MAX,
            violations: Vec::new(),
            stats: KernelStats::default(),
            trace: FNV_OFFSET,
            crash_after_writes: None,
        };
        kernel.mix(&seed.to_le_bytes());
        kernel
    }

    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    pub fn config(&self) -> &KernelConfig {
        &self.config
    }

    pub fn stats(&self) -> &KernelStats {
        &self.stats
    }

    /// A hash of every syscall, client action and result so far (ops, fds, byte counts and
    /// byte contents). Two runs behaved identically iff (with overwhelming probability)
    /// their hashes are equal.
    pub fn trace_hash(&self) -> u64 {
        self.trace
    }

    /// Advances the virtual clock (the simulator's "nothing runnable, jump to the next
    /// timer"). The clock never goes backwards.
    /// Caps how far an idle `poll` moves the clock. While simulated clients are active,
    /// a real server's poll would be woken by their next packet long before its timer; the
    /// simulator sets a small cap then, and lifts it (u64::MAX) when the clients go quiet.
    pub fn set_idle_jump_max(&mut self, max: Duration) {
        self.idle_jump_max_us = u64::try_from(max.as_micros()).unwrap_or(u64::MAX);
    }

    /// The clock, for the simulated disk to share.
    pub fn clock(&self) -> SimClock {
        self.clock.clone()
    }

    /// Arms a crash point: the process dies right after its `writes`-th next successful
    /// write (1 = the next one). What it does after that is ignored (see
    /// [`SimClock::process_dead`]) until the driver calls [`SimPoller::crash_process`].
    pub fn crash_after_writes(&mut self, writes: u64) {
        self.crash_after_writes = Some(writes.max(1));
    }

    /// The server process died (kill -9, a crash, a power loss): every descriptor it held
    /// is closed by the kernel. A connection with bytes the server never read is reset
    /// (as Linux does when a socket with unread data is closed); the others get a FIN
    /// after the replies already in their send buffer. The listener goes, and the
    /// connections in its backlog are reset. A new server may then `listen` again.
    pub fn crash_process(&mut self) {
        self.crash_after_writes = None;
        self.clock.set_process_dead(false);
        self.trace_op(Op::Crash, 0, 0);
        let fds: Vec<(u32, FdEntry)> = std::mem::take(&mut self.fds).into_iter().collect();
        self.ready.clear();
        for (_, entry) in fds {
            match entry.kind {
                FdKind::Listener => {
                    if let Some(l) = self.listener.take() {
                        for id in l.backlog {
                            self.client_reset(id);
                        }
                    }
                }
                FdKind::Conn(id) => {
                    let c = &mut self.conns[id.0 as usize];
                    c.server_fd = None;
                    c.server_closed = true;
                    if !c.recv_buf.is_empty() || !c.in_flight.is_empty() {
                        c.reset = true;
                        c.client_closed = true;
                        c.client_write_shut = true;
                        c.send_buf.clear();
                    }
                    c.in_flight.clear();
                    c.recv_buf.clear();
                }
            }
        }
        // Connections made but never accepted are in no descriptor: reset them too.
        for c in &mut self.conns {
            if c.server_fd.is_none() && !c.server_closed && !c.reset {
                c.reset = true;
                c.client_closed = true;
                c.client_write_shut = true;
                c.in_flight.clear();
                c.recv_buf.clear();
                c.send_buf.clear();
            }
        }
    }

    pub fn advance_clock(&mut self, d: Duration) {
        self.clock.advance_us(duration_us(d));
    }

    // ---- Client side: the simulator's workload ------------------------------------

    /// Opens a connection to the listener. It waits in the accept backlog and the listener
    /// becomes readable. Without a listener or with a full backlog the connection is
    /// refused: it is born reset ([`SimPoller::is_reset`]) and never accepted.
    pub fn connect(&mut self) -> ConnId {
        // Ids are never reused (each keeps its record for the leak check), so the bound
        // is on the workload: it must not open more than `conn_limit` in one run.
        assert!(
            self.conns.len() < self.config.conn_limit,
            "more than conn_limit ({}) connections in one run",
            self.config.conn_limit
        );
        let refused = match &self.listener {
            None => true,
            Some(l) => l.backlog.len() >= self.config.backlog_capacity,
        };
        self.conns.push(Conn::default());
        let id = ConnId(self.conns.len() as u32 - 1);
        self.stats.connects += 1;
        self.trace_op(Op::Connect, id.0, u64::from(refused));
        if refused {
            self.stats.connects_refused += 1;
            let c = &mut self.conns[id.0 as usize];
            c.reset = true;
            c.client_closed = true;
            return id;
        }
        let listener = self
            .listener
            .as_mut()
            .expect("checked above: listener exists");
        let was_empty = listener.backlog.is_empty();
        listener.backlog.push_back(id);
        let fd = listener.fd;
        if was_empty {
            self.edge(fd, true, false, false, false);
        }
        id
    }

    /// Queues bytes for the server; returns how many were taken (fewer when the in-flight
    /// queue is near `in_flight_capacity`, 0 once the connection is shut, closed or reset,
    /// or the server closed it).
    /// A connection for the simulator's own observations: no fault resets or half-closes
    /// it (the others, partial delivery, short reads and writes, still apply).
    /// An administrator's bytes (SCRIPT KILL) for the next script that spins: sent and
    /// delivered on `conn` `delay_us` of virtual time after that script's first hook
    /// call. The simulated clients cannot act while the server is inside a pass, so the
    /// kernel plays the administrator whose command arrives while the script runs.
    pub fn plan_send_while_busy(&mut self, conn: ConnId, bytes: Vec<u8>, delay_us: u64) {
        self.busy_send = Some(BusySend {
            conn,
            bytes,
            delay_us,
            at_us: None,
        });
    }

    fn send_planned_while_busy(&mut self) {
        let now = self.clock.now_us();
        let Some(plan) = self.busy_send.as_mut() else {
            return;
        };
        let at = *plan.at_us.get_or_insert(now.saturating_add(plan.delay_us));
        if now < at {
            return;
        }
        let Some(plan) = self.busy_send.take() else {
            return;
        };
        let sent = self.client_send(plan.conn, &plan.bytes);
        self.deliver_some(plan.conn, sent);
    }

    pub fn connect_observer(&mut self) -> ConnId {
        let conn = self.connect();
        if let Some(c) = self.conns.get_mut(conn.0 as usize) {
            c.observer = true;
        }
        conn
    }

    pub fn client_send(&mut self, conn: ConnId, bytes: &[u8]) -> usize {
        let cap = self.config.in_flight_capacity;
        let Some(c) = self.conns.get_mut(conn.0 as usize) else {
            return 0;
        };
        let n = if c.client_write_shut || c.reset || c.server_closed {
            0
        } else {
            bytes.len().min(cap - c.in_flight.len())
        };
        c.in_flight.extend(&bytes[..n]);
        c.client_sent += n as u64;
        self.trace_op(Op::ClientSend, conn.0, n as u64);
        self.mix(&bytes[..n]);
        n
    }

    /// True when the client can still send (not shut, closed, reset, or closed by the server).
    pub fn client_can_send(&self, conn: ConnId) -> bool {
        self.conns.get(conn.0 as usize).is_some_and(|c| {
            !(c.client_write_shut || c.client_closed || c.reset || c.server_closed)
        })
    }

    /// One network step: moves in-flight bytes of every connection into the server's
    /// receive buffers (all that fits, or a random split under partial delivery; some
    /// connections skipped under shuffled delivery), delivers FINs, and injects resets and
    /// half-closes into live connections. Returns the bytes delivered.
    ///
    /// All randomness comes from the kernel's own stream (not a caller's RNG), so the
    /// kernel's behaviour is a function of its seed and the calls made to it.
    pub fn deliver(&mut self) -> usize {
        let mut total = 0;
        // Bounded by `conn_limit`.
        for id in 0..self.conns.len() as u32 {
            let conn = ConnId(id);
            let c = &self.conns[id as usize];
            if c.reset || c.server_closed {
                continue; // dead: nothing travels any more
            }
            let observer = c.observer;
            if !observer && chance(&mut self.rng, self.plan.rate(Fault::Reset)) {
                // Deliver part of the pipeline first, so a reset of a busy connection
                // lands mid-stream; an idle one is simply reset.
                let pending = self.conns[id as usize].in_flight.len();
                if pending > 1 {
                    let part = 1 + below(&mut self.rng, pending as u64 - 1) as usize;
                    total += self.deliver_some(conn, part);
                }
                self.stats.resets += 1;
                self.client_reset(conn);
                continue;
            }
            if !self.conns[id as usize].client_write_shut
                && !observer
                && chance(&mut self.rng, self.plan.rate(Fault::HalfClose))
            {
                self.stats.half_closes += 1;
                self.client_shutdown_write(conn);
            }
            if !self.conn_in_network(conn) {
                continue;
            }
            if chance(&mut self.rng, self.plan.rate(Fault::ShuffleDelivery))
                && self.rng.next_u32() & 1 == 1
            {
                continue; // this one's packets arrive in a later step
            }
            let pending = self.conns[id as usize].in_flight.len();
            let max =
                if pending > 1 && chance(&mut self.rng, self.plan.rate(Fault::PartialDelivery)) {
                    self.stats.partial_deliveries += 1;
                    // A strict split (1..pending): lands anywhere, "\r" | "\n" included.
                    1 + below(&mut self.rng, pending as u64 - 1) as usize
                } else {
                    pending
                };
            total += self.deliver_some(conn, max);
        }
        total
    }

    /// Moves up to `max_bytes` of `conn`'s in-flight bytes into the server's receive
    /// buffer (bounded by its free room), then the FIN if everything before it arrived.
    /// Returns the bytes moved. No faults are rolled here: the caller chose the split.
    pub fn deliver_some(&mut self, conn: ConnId, max_bytes: usize) -> usize {
        let recv_cap = self.config.recv_buffer_capacity;
        let Some(c) = self.conns.get_mut(conn.0 as usize) else {
            return 0;
        };
        if c.reset || c.server_closed {
            return 0;
        }
        let was_empty = c.recv_buf.is_empty();
        let n = max_bytes
            .min(c.in_flight.len())
            .min(recv_cap - c.recv_buf.len());
        c.recv_buf.extend(c.in_flight.drain(..n));
        let became_readable = was_empty && n > 0;
        let fin = c.client_write_shut && !c.fin_delivered && c.in_flight.is_empty();
        if fin {
            c.fin_delivered = true;
        }
        let fd = c.server_fd;
        self.stats.bytes_delivered += n as u64;
        self.trace_op(Op::Deliver, conn.0, n as u64 | (u64::from(fin) << 63));
        if let Some(fd) = fd {
            if became_readable || fin {
                self.edge(fd, true, false, fin, false);
            }
        }
        n
    }

    /// Bytes still in flight towards the server, over all connections (0 = network idle).
    pub fn in_flight_bytes(&self) -> usize {
        self.conns.iter().map(|c| c.in_flight.len()).sum()
    }

    /// Takes up to `max` bytes the server wrote. Under slow readers the client may take
    /// fewer or none. Room appearing in a send buffer that had blocked a write is a
    /// writable edge.
    pub fn client_recv(&mut self, conn: ConnId, max: usize) -> Vec<u8> {
        let cap = self.config.send_buffer_capacity;
        let slow = self.plan.rate(Fault::SlowReader);
        let Some(c) = self.conns.get(conn.0 as usize) else {
            return Vec::new();
        };
        if c.client_closed {
            return Vec::new();
        }
        let available = c.send_buf.len().min(max);
        let mut n = available;
        if available > 0 && chance(&mut self.rng, slow) {
            self.stats.slow_recvs += 1;
            // Half the time nothing, else a few bytes: a reader that keeps the server's
            // buffer full and dribbles.
            n = if self.rng.next_u32() & 1 == 0 {
                0
            } else {
                1 + below(&mut self.rng, available.min(16) as u64) as usize
            };
        }
        let c = &mut self.conns[conn.0 as usize];
        let out: Vec<u8> = c.send_buf.drain(..n).collect();
        let wake = n > 0 && c.write_blocked && c.send_buf.len() < cap;
        if wake {
            c.write_blocked = false;
        }
        let fd = c.server_fd;
        self.stats.bytes_client_received += n as u64;
        self.trace_op(Op::ClientRecv, conn.0, n as u64);
        self.mix(&out);
        if let (true, Some(fd)) = (wake, fd) {
            self.edge(fd, false, true, false, false);
        }
        out
    }

    /// Bytes the client has sent on the connection so far (the offset its next byte
    /// will have) and bytes the server has read of them: a command whose last byte's
    /// offset the server has read was read by then.
    pub fn stream_offsets(&self, conn: ConnId) -> (u64, u64) {
        self.conns
            .get(conn.0 as usize)
            .map_or((0, 0), |c| (c.client_sent, c.server_read))
    }

    /// The client shut only its write side (still reading, no reset), and every server
    /// write on the connection took all it offered: then the server had no reply left
    /// waiting when it read the EOF (Redis writes replies in beforeSleep, before the next
    /// read), and must have sent every reply of what it read.
    pub fn half_closed_with_complete_writes(&self, conn: ConnId) -> bool {
        self.conns.get(conn.0 as usize).is_some_and(|c| {
            c.client_write_shut && !c.client_closed && !c.reset && !c.write_ever_incomplete
        })
    }

    /// Bytes the server wrote that the client has not taken yet.
    pub fn client_pending(&self, conn: ConnId) -> usize {
        self.conns
            .get(conn.0 as usize)
            .map_or(0, |c| c.send_buf.len())
    }

    /// Half-close: a FIN follows the bytes in flight. Once the server has read everything
    /// delivered before it, its `read` returns 0. The client can still receive.
    pub fn client_shutdown_write(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(conn.0 as usize) else {
            return;
        };
        let first = !c.client_write_shut;
        c.client_write_shut = true;
        self.trace_op(Op::ClientShutdown, conn.0, u64::from(first));
        // A FIN with nothing in flight arrives at once; otherwise it rides behind the bytes.
        if first && self.conns[conn.0 as usize].in_flight.is_empty() {
            self.deliver_some(conn, 0);
        }
    }

    /// Full close. As in Linux, closing with unread received data (replies the client has
    /// not taken) sends RST instead of FIN, so the server sees a reset; otherwise it is a
    /// half-close plus "reads nothing more", and server writes fail with EPIPE.
    pub fn client_close(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get(conn.0 as usize) else {
            return;
        };
        if c.client_closed {
            return;
        }
        if !c.send_buf.is_empty() {
            self.client_reset(conn);
            return;
        }
        self.trace_op(Op::ClientClose, conn.0, 0);
        self.client_shutdown_write(conn);
        let c = &mut self.conns[conn.0 as usize];
        c.client_closed = true;
        // A write blocked on a full buffer must learn of the close: report writable (the
        // next write fails with EPIPE). Unreachable today (a full buffer means unread data
        // and so RST), kept so the rule does not depend on that.
        if c.write_blocked {
            c.write_blocked = false;
            if let Some(fd) = c.server_fd {
                self.edge(fd, false, true, false, false);
            }
        }
    }

    /// RST: drops every buffer; the server's next read or write fails with ECONNRESET and
    /// it gets an event with hup and error set (always reported, whatever its interest).
    pub fn client_reset(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(conn.0 as usize) else {
            return;
        };
        if c.reset {
            return;
        }
        c.reset = true;
        c.client_closed = true;
        c.client_write_shut = true;
        c.in_flight.clear();
        c.recv_buf.clear();
        c.send_buf.clear();
        let fd = c.server_fd;
        self.trace_op(Op::ClientReset, conn.0, 0);
        if let Some(fd) = fd {
            self.edge(fd, true, true, true, true);
        }
    }

    /// The server closed its descriptor for this connection.
    pub fn is_closed_by_server(&self, conn: ConnId) -> bool {
        self.conns
            .get(conn.0 as usize)
            .is_some_and(|c| c.server_closed)
    }

    /// The client would read EOF now: the server closed and every reply was taken.
    pub fn client_eof(&self, conn: ConnId) -> bool {
        self.conns
            .get(conn.0 as usize)
            .is_some_and(|c| c.server_closed && c.send_buf.is_empty())
    }

    /// The connection was reset (by the client, a fault, or refused at connect).
    pub fn is_reset(&self, conn: ConnId) -> bool {
        self.conns.get(conn.0 as usize).is_some_and(|c| c.reset)
    }

    /// The server accepted this connection (it may have closed it since).
    pub fn is_accepted(&self, conn: ConnId) -> bool {
        self.conns
            .get(conn.0 as usize)
            .is_some_and(|c| c.server_fd.is_some() || c.server_closed)
    }

    /// The descriptor the server holds for `conn`, while open.
    pub fn conn_fd(&self, conn: ConnId) -> Option<Fd> {
        self.conns.get(conn.0 as usize).and_then(|c| c.server_fd)
    }

    /// Connections made so far (ids are `0..conn_count()`).
    pub fn conn_count(&self) -> usize {
        self.conns.len()
    }

    // ---- Invariant helpers ---------------------------------------------------------

    /// Open descriptors, ascending (the listener included).
    pub fn open_fds(&self) -> Vec<Fd> {
        self.fds.keys().map(|&n| Fd(n)).collect()
    }

    /// `(readable, writable)` interest of an open descriptor.
    pub fn interest(&self, fd: Fd) -> Option<(bool, bool)> {
        self.fds.get(&fd.0).map(|e| (e.readable, e.writable))
    }

    /// Misuse the server committed: read/write/set_interest/accept/close on a descriptor
    /// that is closed or was never opened. Each also returned EBADF. Empty for a correct
    /// server. At most `violations_max` are kept; `stats().violations` counts them all.
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Leaked connections: the server was told the connection ended (read 0, an error,
    /// or a hup/error event) but still holds its descriptor. Check at quiescence.
    pub fn leaks(&self) -> Vec<ConnId> {
        self.conns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.server_fd.is_some() && c.server_saw_end)
            .map(|(i, _)| ConnId(i as u32))
            .collect()
    }

    /// Checks the kernel's own bookkeeping (cheap enough to call after every server
    /// iteration): descriptors and connections point at each other, queued edges belong
    /// to open descriptors, every buffer is within its bound.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (&n, entry) in &self.fds {
            if n < FIRST_FD {
                return Err(format!("fd {n} below the first descriptor"));
            }
            match entry.kind {
                FdKind::Listener => {
                    if self.listener.as_ref().map(|l| l.fd) != Some(Fd(n)) {
                        return Err(format!("fd {n} is a listener the kernel does not have"));
                    }
                }
                FdKind::Conn(id) => {
                    if self.conns[id.0 as usize].server_fd != Some(Fd(n)) {
                        return Err(format!("fd {n} and connection {} disagree", id.0));
                    }
                }
            }
        }
        if self.fds.len() > self.config.fd_limit as usize {
            return Err("more descriptors than fd_limit".into());
        }
        if let Some(&n) = self.ready.keys().find(|n| !self.fds.contains_key(n)) {
            return Err(format!("edge queued for fd {n}, which is closed"));
        }
        if let Some(l) = &self.listener {
            if l.backlog.len() > self.config.backlog_capacity {
                return Err("backlog over capacity".into());
            }
        }
        for (i, c) in self.conns.iter().enumerate() {
            if let Some(fd) = c.server_fd {
                if !self.fds.contains_key(&fd.0) {
                    return Err(format!("connection {i} holds fd {fd}, which is closed"));
                }
            }
            if c.in_flight.len() > self.config.in_flight_capacity
                || c.recv_buf.len() > self.config.recv_buffer_capacity
                || c.send_buf.len() > self.config.send_buffer_capacity
            {
                return Err(format!("connection {i} has a buffer over its bound"));
            }
            if c.reset && !(c.in_flight.is_empty() && c.recv_buf.is_empty()) {
                return Err(format!("connection {i} was reset but still carries bytes"));
            }
        }
        Ok(())
    }

    // ---- Internals -----------------------------------------------------------------

    fn conn_in_network(&self, conn: ConnId) -> bool {
        let c = &self.conns[conn.0 as usize];
        !c.reset
            && !c.server_closed
            && (!c.in_flight.is_empty() || (c.client_write_shut && !c.fin_delivered))
    }

    /// Queues an edge for `fd` if the matching interest is registered (hup and error are
    /// always queued), merging with an edge already queued.
    fn edge(&mut self, fd: Fd, readable: bool, writable: bool, hup: bool, error: bool) {
        let Some(entry) = self.fds.get(&fd.0) else {
            return;
        };
        let readable = readable && entry.readable;
        let writable = writable && entry.writable;
        if !(readable || writable || hup || error) {
            return;
        }
        let e = self.ready.entry(fd.0).or_default();
        e.readable |= readable;
        e.writable |= writable;
        e.hup |= hup;
        e.error |= error;
    }

    /// Current (readable, writable, hup, error) state of an open descriptor.
    fn state(&self, entry: &FdEntry) -> (bool, bool, bool, bool) {
        match entry.kind {
            FdKind::Listener => {
                let pending = self
                    .listener
                    .as_ref()
                    .is_some_and(|l| !l.backlog.is_empty());
                (pending, false, false, false)
            }
            FdKind::Conn(id) => {
                let c = &self.conns[id.0 as usize];
                (
                    c.readable(),
                    c.writable(self.config.send_buffer_capacity),
                    c.fin_delivered || c.reset,
                    c.reset,
                )
            }
        }
    }

    /// Looks up an open descriptor; a closed or never-opened one is a violation and EBADF.
    fn lookup(&mut self, fd: Fd, op: &str) -> io::Result<FdEntry> {
        if let Some(&entry) = self.fds.get(&fd.0) {
            return Ok(entry);
        }
        self.violation(format!("{op} on fd {fd}, which is not open"));
        self.trace_op(Op::Error, fd.0, 9);
        Err(ebadf())
    }

    fn conn_of(&mut self, fd: Fd, op: &str) -> io::Result<ConnId> {
        match self.lookup(fd, op)?.kind {
            FdKind::Conn(id) => Ok(id),
            FdKind::Listener => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{op} on listener fd {fd}"),
            )),
        }
    }

    fn violation(&mut self, text: String) {
        self.stats.violations += 1;
        if self.violations.len() < self.config.violations_max {
            self.violations.push(text);
        }
    }

    fn alloc_fd(&mut self) -> Option<Fd> {
        if self.fds.len() >= self.config.fd_limit as usize {
            return None;
        }
        // Lowest free number, as POSIX requires of open/accept. The map is sorted, so the
        // first gap in the key sequence is it.
        let mut n = FIRST_FD;
        for &used in self.fds.keys() {
            if used != n {
                break;
            }
            n += 1;
        }
        Some(Fd(n))
    }

    fn mix(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.trace ^= u64::from(b);
            self.trace = self.trace.wrapping_mul(FNV_PRIME);
        }
    }

    fn trace_op(&mut self, op: Op, fd: u32, value: u64) {
        self.mix(&[op as u8]);
        self.mix(&fd.to_le_bytes());
        self.mix(&value.to_le_bytes());
    }
}

impl Poller for SimPoller {
    fn poll(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        self.stats.polls += 1;
        if chance(&mut self.rng, self.plan.rate(Fault::ClockJump)) {
            self.stats.clock_jumps += 1;
            let jump = 1 + below(&mut self.rng, self.plan.clock_jump_max_us.max(1));
            self.clock.advance_us(jump);
        }
        if chance(&mut self.rng, self.plan.rate(Fault::SpuriousReadable)) {
            let candidates: Vec<u32> = self
                .fds
                .iter()
                .filter(|(_, e)| e.readable && matches!(e.kind, FdKind::Conn(_)))
                .map(|(&n, _)| n)
                .collect();
            if !candidates.is_empty() {
                let n = candidates[below(&mut self.rng, candidates.len() as u64) as usize];
                self.stats.spurious_readables += 1;
                let e = self.ready.entry(n).or_default();
                e.readable = true;
                e.spurious = true;
            }
        }

        let mut order: Vec<u32> = self.ready.keys().copied().collect();
        if self.plan.enabled(Fault::ShuffleDelivery) {
            // Fisher–Yates, bounded by the number of queued edges.
            for i in (1..order.len()).rev() {
                let j = below(&mut self.rng, i as u64 + 1) as usize;
                order.swap(i, j);
            }
        }
        let start = events.len();
        for n in order {
            if events.len() - start >= self.config.events_per_poll_max {
                break;
            }
            let edge = self.ready.remove(&n).expect("order lists queued edges");
            let Some(entry) = self.fds.get(&n).copied() else {
                continue; // close() drops queued edges; kept for robustness.
            };
            // Re-check at delivery (ep_send_events): report only what still holds and is
            // still wanted, unless the fault makes this readable edge spurious on purpose.
            let (readable, writable, hup, error) = self.state(&entry);
            let event = Event {
                fd: Fd(n),
                readable: edge.readable && entry.readable && (readable || edge.spurious),
                writable: edge.writable && entry.writable && writable,
                hup: edge.hup && hup,
                error: edge.error && error,
            };
            if !(event.readable || event.writable || event.hup || event.error) {
                continue;
            }
            if let FdKind::Conn(id) = entry.kind {
                if event.hup || event.error {
                    self.conns[id.0 as usize].server_saw_end = true;
                }
            }
            let bits = u64::from(event.readable)
                | u64::from(event.writable) << 1
                | u64::from(event.hup) << 2
                | u64::from(event.error) << 3;
            self.trace_op(Op::Event, n, bits);
            events.push(event);
        }
        let returned = events.len() - start;
        self.stats.events += returned as u64;
        if returned > 0 {
            // Saturating: DEBUG SLEEP can bring the clock to u64::MAX (issue #18).
            let latency = below(&mut self.rng, POLL_LATENCY_MAX_US + 1);
            self.clock.advance_us(latency);
        } else {
            match timeout {
                // Nothing runnable: jump to the caller's next timer, or less when the
                // simulator says its clients are busy (their next packet would wake us).
                Some(d) => {
                    let cap = Duration::from_micros(self.idle_jump_max_us);
                    self.advance_clock(d.min(cap))
                }
                // Would sleep forever; the simulator drives the network between polls, so
                // return empty rather than hang.
                None => self.stats.idle_forever_polls += 1,
            }
        }
        self.trace_op(Op::Poll, returned as u32, self.clock.now_us());
        Ok(())
    }

    fn listen(&mut self, addr: &str) -> io::Result<Fd> {
        if let Some((lfd, same)) = self.listener.as_ref().map(|l| (l.fd, l.addr == addr)) {
            self.trace_op(Op::Listen, lfd.0, 1);
            if same {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("{addr}: address already in use"),
                ));
            }
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the simulated kernel has one listener",
            ));
        }
        let fd = self
            .alloc_fd()
            .ok_or_else(|| io::Error::other("EMFILE: too many open files"))?;
        let local = addr
            .parse()
            .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 6379));
        self.fds.insert(
            fd.0,
            FdEntry {
                kind: FdKind::Listener,
                readable: true,
                writable: false,
            },
        );
        self.listener = Some(Listener {
            fd,
            addr: addr.to_owned(),
            local,
            backlog: VecDeque::new(),
            emfile_pending: false,
        });
        self.trace_op(Op::Listen, fd.0, 0);
        self.mix(addr.as_bytes());
        Ok(fd)
    }

    fn accept(&mut self, listener: Fd) -> io::Result<Option<Accepted>> {
        let entry = self.lookup(listener, "accept")?;
        if !matches!(entry.kind, FdKind::Listener) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("accept on non-listener fd {listener}"),
            ));
        }
        let l = self
            .listener
            .as_ref()
            .expect("a Listener fd has a listener");
        let Some(&conn) = l.backlog.front() else {
            self.trace_op(Op::Accept, listener.0, 0);
            return Ok(None);
        };
        let local = l.local;
        let injected = chance(&mut self.rng, self.plan.rate(Fault::AcceptEmfile));
        let fd = if injected { None } else { self.alloc_fd() };
        let Some(fd) = fd else {
            self.trace_op(Op::Accept, listener.0, u64::MAX);
            let l = self.listener.as_mut().expect("checked above");
            if injected {
                // The descriptors are not really exhausted: report the listener again at
                // once so the connection is not stranded (the trait promises "tries again
                // on a later event").
                self.stats.accept_emfiles += 1;
                self.ready.entry(listener.0).or_default().readable = true;
            } else {
                // Really out of descriptors: report again when one is freed.
                l.emfile_pending = true;
            }
            return Err(io::Error::other("EMFILE: too many open files"));
        };
        self.listener
            .as_mut()
            .expect("checked above")
            .backlog
            .pop_front();
        self.fds.insert(
            fd.0,
            FdEntry {
                kind: FdKind::Conn(conn),
                readable: true,
                writable: false,
            },
        );
        self.conns[conn.0 as usize].server_fd = Some(fd);
        self.stats.accepts += 1;
        self.trace_op(
            Op::Accept,
            listener.0,
            u64::from(fd.0) << 32 | u64::from(conn.0),
        );
        // Registration (EPOLL_CTL_ADD) reports what already holds: bytes or a FIN or RST
        // that arrived before the accept.
        let (readable, _, hup, error) = self.state(&self.fds[&fd.0]);
        if readable || hup || error {
            self.edge(fd, readable, false, hup, error);
        }
        let port = PEER_PORT_FIRST + (conn.0 % PEER_PORT_SPAN) as u16;
        Ok(Some(Accepted {
            fd,
            peer: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            local,
        }))
    }

    fn write(&mut self, fd: Fd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if self.clock.process_dead() {
            // The process is dead: nothing it writes reaches anyone.
            return Ok(total);
        }
        let written = self.write_live(fd, bufs)?;
        if written > 0 {
            if let Some(left) = self.crash_after_writes.as_mut() {
                *left -= 1;
                if *left == 0 {
                    self.crash_after_writes = None;
                    self.clock.set_process_dead(true);
                }
            }
        }
        Ok(written)
    }

    fn set_interest(&mut self, fd: Fd, readable: bool, writable: bool) -> io::Result<()> {
        let mut entry = self.lookup(fd, "set_interest")?;
        entry.readable = readable;
        entry.writable = writable;
        self.fds.insert(fd.0, entry);
        self.trace_op(
            Op::SetInterest,
            fd.0,
            u64::from(readable) | u64::from(writable) << 1,
        );
        // Re-arm (EPOLL_CTL_MOD): readiness that already holds is reported.
        let (r, w, hup, error) = self.state(&entry);
        let (r, w) = (r && readable, w && writable);
        if r || w || hup || error {
            self.edge(fd, r, w, hup, error);
        }
        Ok(())
    }

    fn close(&mut self, fd: Fd) {
        let Some(entry) = self.fds.remove(&fd.0) else {
            self.violation(format!("close of fd {fd}, which is not open"));
            self.trace_op(Op::Error, fd.0, 9);
            return;
        };
        // The promise of the trait: nothing queued for this number survives, so a reuse
        // of the number starts clean.
        self.ready.remove(&fd.0);
        self.trace_op(Op::Close, fd.0, 0);
        match entry.kind {
            FdKind::Listener => {
                // Pending connections die with the listener: their clients see a reset.
                let l = self.listener.take().expect("a Listener fd has a listener");
                for id in l.backlog {
                    self.client_reset(id);
                }
            }
            FdKind::Conn(id) => {
                let c = &mut self.conns[id.0 as usize];
                c.server_fd = None;
                c.server_closed = true;
                // Nothing more reaches a closed socket.
                c.in_flight.clear();
                c.recv_buf.clear();
            }
        }
        if let Some(l) = self.listener.as_mut() {
            if l.emfile_pending {
                l.emfile_pending = false;
                let lfd = l.fd;
                if !l.backlog.is_empty() {
                    self.edge(lfd, true, false, false, false);
                }
            }
        }
    }

    fn now_us(&self) -> u64 {
        self.clock.now_us()
    }

    fn sleep(&mut self, duration: Duration) {
        self.advance_clock(duration);
        self.trace_op(Op::Sleep, 0, duration_us(duration));
    }

    /// A script's instructions take virtual time, so a spinning one crosses
    /// busy-reply-threshold here too.
    fn cpu_burned(&mut self, instructions: u64) {
        let micros = instructions.saturating_mul(seedis::net::SIMULATED_NS_PER_INSTRUCTION) / 1000;
        self.clock.advance_us(micros);
        self.send_planned_while_busy();
    }

    fn read(&mut self, fd: Fd, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        if self.clock.process_dead() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.read_live(fd, buf, max)
    }
}

impl SimPoller {
    fn write_live(&mut self, fd: Fd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let id = self.conn_of(fd, "write")?;
        self.stats.writes += 1;
        let cap = self.config.send_buffer_capacity;
        let c = &mut self.conns[id.0 as usize];
        if c.reset || c.client_closed {
            c.server_saw_end = true;
            let kind = if c.reset {
                io::ErrorKind::ConnectionReset
            } else {
                io::ErrorKind::BrokenPipe
            };
            self.trace_op(Op::Write, fd.0, u64::MAX);
            return Err(kind.into());
        }
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total == 0 {
            self.trace_op(Op::Write, fd.0, 0);
            return Ok(0);
        }
        let room = cap - c.send_buf.len();
        if room == 0 {
            c.write_ever_incomplete = true;
            c.write_blocked = true;
            self.trace_op(Op::Write, fd.0, u64::MAX - 1);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if chance(&mut self.rng, self.plan.rate(Fault::WriteEagain)) {
            // Spurious EAGAIN with room: the room "appears" right away, so queue the
            // writable edge now. A server that registers writable interest after this
            // EAGAIN gets it from the re-arm instead. Either way, no hang.
            self.stats.write_eagains += 1;
            self.conns[id.0 as usize].write_ever_incomplete = true;
            self.trace_op(Op::Write, fd.0, u64::MAX - 2);
            self.edge(fd, false, true, false, false);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = total.min(room);
        if n > 1 && chance(&mut self.rng, self.plan.rate(Fault::ShortWrite)) {
            self.stats.short_writes += 1;
            n = 1 + below(&mut self.rng, n as u64 - 1) as usize;
        }
        let c = &mut self.conns[id.0 as usize];
        let mut left = n;
        let mut taken = Vec::with_capacity(n);
        for b in bufs {
            if left == 0 {
                break;
            }
            let k = b.len().min(left);
            taken.extend_from_slice(&b[..k]);
            left -= k;
        }
        c.send_buf.extend(&taken);
        if n < total {
            c.write_ever_incomplete = true;
        }
        if c.send_buf.len() == cap {
            // Full: the client reading makes room, which is then a writable edge.
            c.write_blocked = true;
        }
        self.stats.bytes_written += n as u64;
        self.trace_op(Op::Write, fd.0, n as u64);
        self.mix(&taken);
        Ok(n)
    }

    fn read_live(&mut self, fd: Fd, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        let id = self.conn_of(fd, "read")?;
        self.stats.reads += 1;
        let short = self.plan.rate(Fault::ShortRead);
        if max == 0 {
            // Ok(0) would read as EOF: a server that passes an empty buffer would close a
            // live client. Flag it; the kernel answers as Linux does.
            self.violation(format!("read on fd {fd} with an empty buffer"));
            self.trace_op(Op::Read, fd.0, 0);
            return Ok(0);
        }
        let c = &mut self.conns[id.0 as usize];
        if c.reset {
            c.server_saw_end = true;
            self.trace_op(Op::Read, fd.0, u64::MAX);
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        if c.recv_buf.is_empty() {
            if c.fin_delivered {
                c.server_saw_end = true;
                self.trace_op(Op::Read, fd.0, 0);
                return Ok(0);
            }
            self.trace_op(Op::Read, fd.0, u64::MAX - 1);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = max.min(c.recv_buf.len());
        if n > 1 && chance(&mut self.rng, short) {
            self.stats.short_reads += 1;
            n = 1 + below(&mut self.rng, n as u64 - 1) as usize;
        }
        let c = &mut self.conns[id.0 as usize];
        let start = buf.len();
        buf.extend(c.recv_buf.drain(..n));
        c.server_read += n as u64;
        self.stats.bytes_read += n as u64;
        self.trace_op(Op::Read, fd.0, n as u64);
        self.mix(&buf[start..]);
        Ok(n)
    }
}

fn duration_us(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn ebadf() -> io::Error {
    // EBADF has no ErrorKind of its own; the raw OS code keeps it recognisable.
    io::Error::from_raw_os_error(9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const ADDR: &str = "127.0.0.1:6379";

    fn poll_now(k: &mut SimPoller) -> Vec<Event> {
        let mut events = Vec::new();
        k.poll(&mut events, Some(Duration::ZERO)).unwrap();
        events
    }

    fn write_all_once(k: &mut SimPoller, fd: Fd, bytes: &[u8]) -> io::Result<usize> {
        k.write(fd, &[IoSlice::new(bytes)])
    }

    /// A kernel with no faults, one listener and one accepted connection.
    fn one_conn() -> (SimPoller, Fd, ConnId, Fd) {
        let mut k = SimPoller::new(7, FaultPlan::none());
        let l = k.listen(ADDR).unwrap();
        let c = k.connect();
        let events = poll_now(&mut k);
        assert_eq!(events.len(), 1);
        assert!(events[0].fd == l && events[0].readable);
        let a = k.accept(l).unwrap().unwrap();
        assert_eq!(a.local.port(), 6379);
        assert_eq!(a.peer.port(), 40_000);
        assert!(k.accept(l).unwrap().is_none());
        (k, l, c, a.fd)
    }

    // ---- A tiny edge-triggered echo server, written against the trait only ---------

    /// Per-connection state: bytes to echo, and the loop's memory that the socket may
    /// still be readable (edge-triggered: no event will say so again).
    #[derive(Default)]
    struct EchoConn {
        out: VecDeque<u8>,
        still_readable: bool,
        want_write: bool,
    }

    struct Echo {
        listener: Fd,
        conns: BTreeMap<Fd, EchoConn>,
    }

    /// Bytes one connection may read per turn before yielding to the others (fairness,
    /// like Redis's 16 KiB): it must then remember the socket is still readable.
    const READ_BUDGET: usize = 64;

    impl Echo {
        fn new<P: Poller>(p: &mut P) -> Echo {
            Echo {
                listener: p.listen(ADDR).unwrap(),
                conns: BTreeMap::new(),
            }
        }

        fn step<P: Poller>(&mut self, p: &mut P) {
            let mut events = Vec::new();
            p.poll(&mut events, Some(Duration::from_millis(1))).unwrap();
            for ev in events {
                if ev.fd == self.listener {
                    // Bounded: the backlog is.
                    for _ in 0..1024 {
                        match p.accept(self.listener) {
                            Ok(Some(a)) => {
                                let fresh = self.conns.insert(a.fd, EchoConn::default());
                                assert!(fresh.is_none(), "accept returned an fd in use");
                            }
                            Ok(None) | Err(_) => break,
                        }
                    }
                    continue;
                }
                let c = self
                    .conns
                    .get_mut(&ev.fd)
                    .unwrap_or_else(|| panic!("event for fd {} the server never had open", ev.fd));
                if ev.readable || ev.hup || ev.error {
                    c.still_readable = true;
                }
            }
            let fds: Vec<Fd> = self.conns.keys().copied().collect();
            for fd in fds {
                if self.conns[&fd].still_readable && !self.serve_read(p, fd) {
                    continue;
                }
                self.flush(p, fd);
            }
        }

        /// Reads up to the budget; false if the connection was closed.
        fn serve_read<P: Poller>(&mut self, p: &mut P, fd: Fd) -> bool {
            let mut buf = BytesMut::new();
            let mut budget = READ_BUDGET;
            while budget > 0 {
                match p.read(fd, &mut buf, 7) {
                    Ok(0) => return self.close(p, fd),
                    Ok(n) => {
                        let c = self.conns.get_mut(&fd).unwrap();
                        c.out.extend(&buf.split_to(n));
                        budget = budget.saturating_sub(n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.conns.get_mut(&fd).unwrap().still_readable = false;
                        return true;
                    }
                    Err(_) => return self.close(p, fd),
                }
            }
            true // budget spent: still_readable stays set, served next step
        }

        fn flush<P: Poller>(&mut self, p: &mut P, fd: Fd) {
            for _ in 0..1024 {
                let c = self.conns.get_mut(&fd).unwrap();
                if c.out.is_empty() {
                    if c.want_write {
                        c.want_write = false;
                        p.set_interest(fd, true, false).unwrap();
                    }
                    return;
                }
                let (a, b) = c.out.as_slices();
                match p.write(fd, &[IoSlice::new(a), IoSlice::new(b)]) {
                    Ok(n) => {
                        c.out.drain(..n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        if !c.want_write {
                            c.want_write = true;
                            p.set_interest(fd, true, true).unwrap();
                        }
                        return;
                    }
                    Err(_) => {
                        self.close(p, fd);
                        return;
                    }
                }
            }
        }

        fn close<P: Poller>(&mut self, p: &mut P, fd: Fd) -> bool {
            self.conns.remove(&fd);
            p.close(fd);
            false
        }
    }

    struct Client {
        conn: ConnId,
        payload: Vec<u8>,
        sent: usize,
        got: Vec<u8>,
    }

    struct Outcome {
        hash: u64,
        stats: KernelStats,
        /// Per client: (payload, echoed bytes).
        clients: Vec<(Vec<u8>, Vec<u8>, bool)>,
    }

    /// RESP-looking payloads, so splits fall inside "\r\n" and inside lengths.
    fn payload(i: usize, len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut j = 0;
        while out.len() < len {
            out.extend(
                format!(
                    "*2\r\n$3\r\nGET\r\n${}\r\nkey:{i}:{j}\r\n",
                    6 + digits(i) + digits(j)
                )
                .bytes(),
            );
            j += 1;
        }
        out.truncate(len);
        out
    }

    fn digits(n: usize) -> usize {
        n.to_string().len()
    }

    /// Drives `clients` echo clients against the echo server until every byte is echoed
    /// or its connection died, then closes everything and checks the kernel's invariants.
    fn run(seed: u64, plan: FaultPlan, clients: usize, len: usize) -> Outcome {
        let mut k = SimPoller::new(seed, plan);
        let mut server = Echo::new(&mut k);
        let mut cs: Vec<Client> = (0..clients)
            .map(|i| Client {
                conn: k.connect(),
                payload: payload(i, len),
                sent: 0,
                got: Vec::new(),
            })
            .collect();
        let done = |k: &SimPoller, c: &Client| {
            c.got.len() == c.payload.len() || k.is_reset(c.conn) || k.is_closed_by_server(c.conn)
        };
        let mut steps = 0;
        while !cs.iter().all(|c| done(&k, c)) {
            steps += 1;
            assert!(steps < 100_000, "echo run {seed} did not finish: a hang");
            for c in &mut cs {
                let end = (c.sent + 100).min(c.payload.len());
                c.sent += k.client_send(c.conn, &c.payload[c.sent..end]);
            }
            k.deliver();
            server.step(&mut k);
            for c in &mut cs {
                c.got.extend(k.client_recv(c.conn, 4096));
            }
            k.check_invariants().unwrap();
        }
        for c in &cs {
            k.client_close(c.conn);
        }
        for _ in 0..1_000 {
            if server.conns.is_empty() {
                break;
            }
            k.deliver();
            server.step(&mut k);
        }
        assert!(
            server.conns.is_empty(),
            "server kept connections open after close"
        );
        assert_eq!(k.open_fds(), vec![server.listener]);
        assert!(k.leaks().is_empty());
        assert!(k.violations().is_empty(), "{:?}", k.violations());
        Outcome {
            hash: k.trace_hash(),
            stats: k.stats().clone(),
            clients: cs
                .into_iter()
                .map(|c| {
                    let reset = k.is_reset(c.conn);
                    (c.payload, c.got, reset)
                })
                .collect(),
        }
    }

    /// Faults after which the server may legitimately drop bytes (the connection ends).
    fn ends_connections(f: Fault) -> bool {
        matches!(f, Fault::Reset | Fault::HalfClose)
    }

    fn check_echo(out: &Outcome, exact: bool) {
        for (payload, got, _) in &out.clients {
            assert!(
                payload.starts_with(got),
                "echo is not a prefix of what was sent"
            );
            if exact {
                assert_eq!(got.len(), payload.len(), "bytes lost");
            }
        }
    }

    #[test]
    fn echo_exactly_once_in_order_under_each_fault() {
        let out = run(1, FaultPlan::none(), 4, 1_000);
        check_echo(&out, true);
        for fault in Fault::ALL {
            for seed in 0..4 {
                let plan = FaultPlan::none().with(fault, fault.max_rate());
                let out = run(seed, plan, 6, 1_500);
                check_echo(&out, !ends_connections(fault));
            }
        }
    }

    #[test]
    fn each_fault_fires() {
        let fired = |f: Fault, s: &KernelStats| match f {
            Fault::PartialDelivery => s.partial_deliveries,
            Fault::ShortRead => s.short_reads,
            Fault::ShortWrite => s.short_writes,
            Fault::WriteEagain => s.write_eagains,
            Fault::SpuriousReadable => s.spurious_readables,
            Fault::Reset => s.resets,
            Fault::HalfClose => s.half_closes,
            Fault::AcceptEmfile => s.accept_emfiles,
            Fault::SlowReader => s.slow_recvs,
            // Visible only as order; checked by the determinism test's hash difference.
            Fault::ShuffleDelivery => 1,
            Fault::ClockJump => s.clock_jumps,
        };
        for fault in Fault::ALL {
            let out = run(3, FaultPlan::none().with(fault, fault.max_rate()), 8, 3_000);
            assert!(fired(fault, &out.stats) > 0, "{} never fired", fault.name());
        }
    }

    #[test]
    fn echo_under_swarm_and_all() {
        for seed in 0..64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let plan = if seed % 2 == 0 {
                FaultPlan::swarm(&mut rng)
            } else {
                FaultPlan::all(&mut rng)
            };
            let exact = !plan.enabled(Fault::Reset) && !plan.enabled(Fault::HalfClose);
            check_echo(&run(seed, plan, 8, 2_000), exact);
        }
    }

    #[test]
    fn same_seed_same_trace_other_seed_other_trace() {
        let plan = |s| FaultPlan::all(&mut ChaCha8Rng::seed_from_u64(s));
        let a = run(11, plan(11), 5, 1_000);
        let b = run(11, plan(11), 5, 1_000);
        assert_eq!(a.hash, b.hash);
        assert_eq!(a.stats, b.stats);
        let hashes: BTreeSet<u64> = (0..8).map(|s| run(s, plan(11), 5, 1_000).hash).collect();
        assert_eq!(hashes.len(), 8, "different seeds should trace differently");
        // Shuffled delivery changes the order of events even with nothing else on.
        let shuffled = FaultPlan::none().with(Fault::ShuffleDelivery, 1.0);
        assert_ne!(
            run(1, FaultPlan::none(), 5, 1_000).hash,
            run(1, shuffled, 5, 1_000).hash
        );
    }

    // ---- Edge-triggered semantics, one rule per test --------------------------------

    #[test]
    fn readable_edge_is_not_redelivered_and_rearm_reports_held_readiness() {
        let (mut k, _, c, fd) = one_conn();
        assert!(poll_now(&mut k).is_empty());
        k.client_send(c, b"hello");
        k.deliver();
        let events = poll_now(&mut k);
        assert_eq!(events.len(), 1);
        assert!(events[0].fd == fd && events[0].readable && !events[0].writable);
        assert!(poll_now(&mut k).is_empty(), "edge re-delivered");
        let mut buf = BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 2).unwrap(), 2);
        assert!(poll_now(&mut k).is_empty(), "a partial read is no new edge");
        // More data into a non-empty buffer: still no edge (the strict reading).
        k.client_send(c, b"!!");
        k.deliver();
        assert!(poll_now(&mut k).is_empty());
        // Re-arming reports readiness that holds.
        k.set_interest(fd, true, false).unwrap();
        let events = poll_now(&mut k);
        assert!(events.len() == 1 && events[0].readable);
        let mut buf = BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 16).unwrap(), 5);
        assert_eq!(&buf[..5], b"llo!!");
        let err = k.read(fd, &mut buf, 16).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        // Empty again: the next arrival is an edge.
        k.client_send(c, b"x");
        k.deliver();
        assert_eq!(poll_now(&mut k).len(), 1);
    }

    #[test]
    fn stale_readable_edge_is_dropped_at_poll() {
        let (mut k, _, c, fd) = one_conn();
        k.client_send(c, b"abc");
        k.deliver();
        let mut buf = BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 8).unwrap(), 3);
        // The edge was queued, but nothing is readable any more by the time of the poll.
        assert!(poll_now(&mut k).is_empty());
    }

    #[test]
    fn writable_edges_follow_a_full_buffer() {
        let config = KernelConfig {
            send_buffer_capacity: 10,
            ..KernelConfig::default()
        };
        let mut k = SimPoller::with_config(1, FaultPlan::none(), config);
        let l = k.listen(ADDR).unwrap();
        let c = k.connect();
        let fd = k.accept(l).unwrap().unwrap().fd;
        poll_now(&mut k);
        // No writable interest: no writable event, whatever the room.
        assert!(poll_now(&mut k).is_empty());
        k.set_interest(fd, true, true).unwrap();
        let events = poll_now(&mut k);
        assert!(events.len() == 1 && events[0].writable && !events[0].readable);
        assert!(poll_now(&mut k).is_empty());
        assert_eq!(write_all_once(&mut k, fd, &[b'a'; 25]).unwrap(), 10);
        let err = write_all_once(&mut k, fd, b"b").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(poll_now(&mut k).is_empty());
        assert_eq!(k.client_recv(c, 3), b"aaa");
        let events = poll_now(&mut k);
        assert!(events.len() == 1 && events[0].writable);
        assert!(poll_now(&mut k).is_empty());
        // Room that appears while the buffer was not blocked is no edge.
        k.client_recv(c, 3);
        assert!(poll_now(&mut k).is_empty());
    }

    #[test]
    fn spurious_eagain_is_followed_by_a_writable_event() {
        let plan = FaultPlan::none().with(Fault::WriteEagain, 1.0);
        let mut k = SimPoller::new(5, plan);
        let l = k.listen(ADDR).unwrap();
        k.connect();
        let fd = k.accept(l).unwrap().unwrap().fd;
        poll_now(&mut k);
        // Interest registered after the EAGAIN: the re-arm reports the room.
        let err = write_all_once(&mut k, fd, b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        k.set_interest(fd, true, true).unwrap();
        assert!(poll_now(&mut k).iter().any(|e| e.fd == fd && e.writable));
        // Interest already registered: the EAGAIN itself queues the edge.
        assert!(poll_now(&mut k).is_empty());
        write_all_once(&mut k, fd, b"x").unwrap_err();
        assert!(poll_now(&mut k).iter().any(|e| e.fd == fd && e.writable));
    }

    #[test]
    fn hup_and_error_are_reported_without_interest() {
        let (mut k, _, c, fd) = one_conn();
        k.set_interest(fd, false, false).unwrap();
        k.client_send(c, b"lost");
        k.deliver();
        assert!(
            poll_now(&mut k).is_empty(),
            "no readable interest, no readable event"
        );
        k.client_reset(c);
        let events = poll_now(&mut k);
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert!(e.fd == fd && e.hup && e.error && !e.readable && !e.writable);
        let mut buf = BytesMut::new();
        let err = k.read(fd, &mut buf, 4).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        let err = write_all_once(&mut k, fd, b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(k.leaks(), vec![c], "told of the reset but still open");
        k.close(fd);
        assert!(k.leaks().is_empty());
        assert!(k.is_closed_by_server(c));
    }

    #[test]
    fn half_close_reads_data_then_eof_and_client_still_receives() {
        let (mut k, _, c, fd) = one_conn();
        k.client_send(c, b"PING\r\n");
        k.client_shutdown_write(c);
        assert_eq!(
            k.client_send(c, b"more"),
            0,
            "nothing is sent after shutdown"
        );
        k.deliver();
        let events = poll_now(&mut k);
        assert!(events.len() == 1 && events[0].readable && events[0].hup);
        let mut buf = BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 64).unwrap(), 6);
        assert_eq!(k.read(fd, &mut buf, 64).unwrap(), 0);
        assert_eq!(write_all_once(&mut k, fd, b"+PONG\r\n").unwrap(), 7);
        assert_eq!(k.client_recv(c, 64), b"+PONG\r\n");
        k.client_close(c);
        let err = write_all_once(&mut k, fd, b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }

    /// What the driver's read stamps and half-close check rely on.
    #[test]
    fn stream_offsets_and_write_completeness() {
        let (mut k, _, c, fd) = one_conn();
        k.client_send(c, b"PING\r\nPING\r\n");
        assert_eq!(k.stream_offsets(c), (12, 0));
        k.deliver();
        let mut buf = bytes::BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 8).unwrap(), 8);
        assert_eq!(k.stream_offsets(c), (12, 8));
        k.client_shutdown_write(c);
        assert!(k.half_closed_with_complete_writes(c));
        // A write the buffer cannot take whole makes the connection's writes incomplete.
        let big = vec![b'x'; k.config().send_buffer_capacity + 1];
        assert_eq!(
            write_all_once(&mut k, fd, &big).unwrap(),
            k.config().send_buffer_capacity
        );
        assert!(!k.half_closed_with_complete_writes(c));
        k.client_reset(c);
        assert_eq!(k.stream_offsets(c), (12, 8));
    }

    #[test]
    fn close_with_unread_replies_is_a_reset() {
        let (mut k, _, c, fd) = one_conn();
        write_all_once(&mut k, fd, b"+OK\r\n").unwrap();
        k.client_close(c);
        assert!(k.is_reset(c));
        let events = poll_now(&mut k);
        assert!(events[0].error);
    }

    #[test]
    fn fd_reuse_gets_no_stale_events() {
        let (mut k, l, a, fd_a) = one_conn();
        k.client_send(a, b"queued for the old fd");
        k.deliver();
        k.set_interest(fd_a, true, true).unwrap();
        // Readable and writable edges are queued for fd_a; the server closes before polling.
        k.close(fd_a);
        let b = k.connect();
        let accepted = k.accept(l).unwrap().unwrap();
        assert_eq!(accepted.fd, fd_a, "lowest free descriptor is reused");
        assert_eq!(k.conn_fd(b), Some(fd_a));
        // Only the listener's edge for b's connect may show; nothing for the reused fd.
        let events = poll_now(&mut k);
        assert!(events.iter().all(|e| e.fd != fd_a), "{events:?}");
        // The old client's later bytes go nowhere.
        assert_eq!(k.client_send(a, b"x"), 0);
        k.deliver();
        assert!(poll_now(&mut k).is_empty());
        let mut buf = BytesMut::new();
        assert_eq!(
            k.read(fd_a, &mut buf, 8).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(k.open_fds(), vec![l, fd_a]);
        assert_eq!(k.interest(fd_a), Some((true, false)));
    }

    #[test]
    fn use_after_close_is_flagged_and_ebadf() {
        let (mut k, _, _, fd) = one_conn();
        k.close(fd);
        assert!(k.violations().is_empty());
        let mut buf = BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 4).unwrap_err().raw_os_error(), Some(9));
        assert_eq!(
            write_all_once(&mut k, fd, b"x").unwrap_err().raw_os_error(),
            Some(9)
        );
        assert_eq!(
            k.set_interest(fd, true, true).unwrap_err().raw_os_error(),
            Some(9)
        );
        k.close(fd);
        assert_eq!(
            k.read(Fd(99), &mut buf, 4).unwrap_err().raw_os_error(),
            Some(9)
        );
        assert_eq!(k.violations().len(), 5, "{:?}", k.violations());
        assert_eq!(k.interest(fd), None);
    }

    #[test]
    fn empty_read_buffer_is_flagged() {
        let (mut k, _, c, fd) = one_conn();
        k.client_send(c, b"x");
        k.deliver();
        assert_eq!(k.read(fd, &mut BytesMut::new(), 0).unwrap(), 0);
        assert_eq!(k.violations().len(), 1);
    }

    #[test]
    fn data_before_accept_is_reported_by_registration() {
        let mut k = SimPoller::new(1, FaultPlan::none());
        let l = k.listen(ADDR).unwrap();
        let c = k.connect();
        k.client_send(c, b"early");
        k.deliver();
        poll_now(&mut k);
        let fd = k.accept(l).unwrap().unwrap().fd;
        let events = poll_now(&mut k);
        assert!(events.len() == 1 && events[0].fd == fd && events[0].readable);
    }

    #[test]
    fn emfile_keeps_the_connection_pending_and_reports_the_listener_again() {
        let config = KernelConfig {
            fd_limit: 2,
            ..KernelConfig::default()
        };
        let mut k = SimPoller::with_config(1, FaultPlan::none(), config);
        let l = k.listen(ADDR).unwrap();
        let a = k.connect();
        let b = k.connect();
        let fd_a = k.accept(l).unwrap().unwrap().fd;
        assert!(k.accept(l).is_err());
        assert!(!k.is_accepted(b));
        poll_now(&mut k);
        k.close(fd_a);
        let events = poll_now(&mut k);
        assert!(events.iter().any(|e| e.fd == l && e.readable));
        assert_eq!(k.accept(l).unwrap().unwrap().fd, fd_a);
        assert!(k.is_accepted(b) && k.is_closed_by_server(a));
    }

    #[test]
    fn listen_twice_is_eaddrinuse() {
        let mut k = SimPoller::new(1, FaultPlan::none());
        k.listen(ADDR).unwrap();
        assert_eq!(k.listen(ADDR).unwrap_err().kind(), io::ErrorKind::AddrInUse);
    }

    #[test]
    fn clock_is_virtual_and_jumps_to_the_timeout() {
        let mut k = SimPoller::new(1, FaultPlan::none());
        assert_eq!(k.now_us(), EPOCH_US);
        let mut events = Vec::new();
        k.poll(&mut events, Some(Duration::from_secs(3))).unwrap();
        assert_eq!(k.now_us(), EPOCH_US + 3_000_000);
        k.sleep(Duration::from_millis(5));
        assert_eq!(k.now_us(), EPOCH_US + 3_005_000);
        // Nothing pending and no timeout: returns at once instead of hanging.
        k.poll(&mut events, None).unwrap();
        assert!(events.is_empty());
        assert_eq!(k.stats().idle_forever_polls, 1);
        let mut jumpy = SimPoller::new(1, FaultPlan::none().with(Fault::ClockJump, 1.0));
        jumpy.poll(&mut events, Some(Duration::ZERO)).unwrap();
        assert!(jumpy.now_us() > EPOCH_US);
    }

    #[test]
    fn leak_is_reported_when_server_ignores_eof() {
        let (mut k, _, c, fd) = one_conn();
        k.client_close(c);
        k.deliver();
        let mut buf = BytesMut::new();
        assert_eq!(k.read(fd, &mut buf, 4).unwrap(), 0);
        assert_eq!(k.leaks(), vec![c]);
    }
}
