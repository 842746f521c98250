//! The ae-style event loop: Redis's `aeMain` written against the [`Poller`] seam.
//!
//! One iteration ([`EventLoop::run_once`]) is Redis's `aeProcessEvents`:
//! 1. **before sleep**: free clients marked for closing, then write pending replies
//!    (at most [`WRITE_BYTES_PER_ROUND`] per client per round); only a client whose
//!    socket could not take everything gets writable interest.
//! 2. **poll** for readiness, with a timeout up to the next cron tick (zero when a client
//!    still has unread bytes or unsent replies that no new event would announce).
//! 3. **file events**: accept on listeners; on a client, the read handler (one read of at
//!    most 16 KiB, then every whole command in the query buffer is executed in order),
//!    then the write handler. A hang-up or error is handled as readable and writable, so
//!    the read or write surfaces it and frees the client.
//! 4. **time events**: the cron at `hz`: shutdown on a signal, idle-client timeout,
//!    active expiry. Sums with the clock saturate, so a clock at `u64::MAX` (DEBUG SLEEP)
//!    runs the cron every pass instead of wrapping.
//!
//! The client slots, the registry commands see and the output limit are in `clients.rs`;
//! what must hold between passes, in `invariants.rs`.
//!
//! Readiness is edge-triggered (see [`crate::net`]): the loop keeps its own memory of
//! sockets that may still be readable (`read_backlog`) and re-arms writable interest when
//! it stops writing for fairness rather than because the socket was full.

use crate::cmd::propagate::{self, PropagationSink};
use crate::cmd::{self, blocking, Action, Ctx, ServerState, Session};
use crate::config::Config;
use crate::db::Keyspace;
use crate::net::{Accepted, Event, Fd, Poller};
use crate::resp::parse::Limits;
use crate::resp::Reply;
use crate::resp::PROTO_MBULK_BIG_ARG;
use crate::server::client::{Client, OutputLimits};
use crate::server::clients::{queue_write, ClientRef, Clients, OutputLimit};
use crate::server::log::{Level, Log};
use crate::server::reply_buffer::MAX_IOVECS;
use crate::storage::Storage;
use bytes::{Bytes, BytesMut};
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use std::collections::BTreeMap;
use std::io::{self, IoSlice};
use std::time::Duration;

/// Room made in the query buffer for one read (Redis's PROTO_IOBUF_LEN).
pub const READ_CHUNK_BYTES: usize = 16 * 1024;
/// A bulk at least this big is read exactly, straight into its own allocation
/// (Redis's PROTO_MBULK_BIG_ARG; the parser makes that allocation).
pub const BIG_ARG_BYTES: usize = PROTO_MBULK_BIG_ARG;
/// Most bytes one ordinary read asks for. A big argument's `$<len>` line can come at the
/// start of such a read; what the read brought of the argument is then copied once into
/// the argument's own allocation, so this bounds that copy (Redis moves all of it).
pub const READ_MAX_BYTES: usize = 4 * READ_CHUNK_BYTES;
/// An empty query buffer with more capacity than this is replaced by a small one. Above
/// the few ordinary reads a pipelining client's buffer settles at (a buffer that empties at
/// the end of every pipelined batch would otherwise be dropped and regrown each batch).
pub const QUERY_SHRINK_ABOVE_BYTES: usize = 4 * READ_MAX_BYTES;
/// Most bytes one read of a big argument grows its allocation by, once the argument is
/// larger than the parser preallocates for.
pub const BIG_READ_BYTES: usize = 1024 * 1024;
/// Bytes written to one client per round before others get a turn (NET_MAX_WRITES_PER_EVENT).
pub const WRITE_BYTES_PER_ROUND: usize = 64 * 1024;
/// Connections accepted per listener event (MAX_ACCEPTS_PER_CALL).
pub const ACCEPTS_PER_EVENT: usize = 1000;

const MAX_CLIENTS_REACHED: &[u8] = b"-ERR max number of clients reached\r\n";

/// Redis 7.0's refusal for a non-loopback client while protected mode is on and the
/// default user has no password.
const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Protected mode (Redis 7.0 `clientAcceptHandler`): no password and a peer that is not
/// on the loopback interface.
fn refused_by_protected_mode(state: &ServerState, accepted: &Accepted) -> bool {
    state.config.protected_mode
        && state.acl.default_user().nopass()
        && !accepted.peer.ip().is_loopback()
}

pub struct EventLoop<P: Poller> {
    pub(super) poller: P,
    listeners: Vec<Fd>,
    /// Clients by descriptor, with the pending-writes and to-free schedules.
    pub(super) clients: Clients,
    pub(super) keyspace: Keyspace,
    pub(super) state: ServerState,
    /// Every file: snapshots, and the fork that writes them in the background.
    pub(super) storage: Box<dyn Storage>,
    log: Box<dyn Log>,
    events: Vec<Event>,
    /// The first event of `events` not handled yet.
    next_event: usize,
    /// Clients whose sockets may hold unread bytes (no edge will announce them).
    pub(super) read_backlog: Vec<ClientRef>,
    /// Blocked clients (BLPOP...) by id, with their descriptor.
    pub(super) blocked: BTreeMap<u64, Fd>,
    /// Clients just served or timed out of a block: their buffered commands run next.
    unblocked: Vec<ClientRef>,
    /// Clients with a command CLIENT PAUSE postponed, released when the pause ends.
    postponed: Vec<ClientRef>,
    /// A listener stopped accepting before the backlog was empty.
    accept_backlog: bool,
    /// Accepting failed (EMFILE...): the cron tries again.
    accept_failed: bool,
    next_cron_us: u64,
    shutting_down: bool,
    /// A signal asked for a shutdown whose save failed: the server goes on.
    signal_shutdown_failed: bool,
    /// Passes of the loop so far.
    iteration: u64,
    /// Where the clients cron goes on next (a slot index).
    pub(super) clients_cron_cursor: usize,
    /// Where propagated commands go (the AOF, the simulator's replay oracle); without
    /// one they are dropped.
    propagation_sink: Option<Box<dyn PropagationSink>>,
    /// When an AOF write error was last retried by the cron, s.
    pub(super) aof_error_retry_s: u64,
}

impl<P: Poller> EventLoop<P> {
    /// Opens the listeners named by `config.bind` and `config.port` and sets up the
    /// keyspace, seeding its hash tables from `rng`.
    pub fn new(
        mut poller: P,
        storage: Box<dyn Storage>,
        config: Config,
        mut rng: ChaCha8Rng,
        mut log: Box<dyn Log>,
    ) -> io::Result<EventLoop<P>> {
        let now_us = poller.now_us();
        let mut listeners = Vec::new();
        for host in config.bind.split_whitespace() {
            // Redis's "-::1" means "optional": skip it if the address is unavailable.
            let (host, optional) = match host.strip_prefix('-') {
                Some(h) => (h, true),
                None => (host, false),
            };
            // Redis's wildcards: `*` is every IPv4 address, `::*` every IPv6 one.
            let host = match host {
                "*" => "0.0.0.0",
                "::*" => "::",
                other => other,
            };
            let addr = if host.contains(':') {
                format!("[{host}]:{}", config.port)
            } else {
                format!("{host}:{}", config.port)
            };
            match poller.listen(&addr) {
                Ok(fd) => listeners.push(fd),
                Err(e) if optional => {
                    log.log(Level::Warning, now_us, &format!("Skipping {addr}: {e}"));
                }
                Err(e) => return Err(io::Error::new(e.kind(), format!("{addr}: {e}"))),
            }
        }
        let hash_keys = (rng.next_u64(), rng.next_u64());
        let keyspace = Keyspace::new(config.databases, hash_keys);
        let mut state = ServerState::new(config, rng, now_us);
        let next_cron_us = next_cron_tick(now_us, state.config.hz);
        // Until a sink is installed nobody wants propagated commands.
        state.propagation.disabled = true;
        Ok(EventLoop {
            poller,
            listeners,
            clients: Clients::default(),
            keyspace,
            state,
            storage,
            log,
            events: Vec::with_capacity(1024),
            next_event: 0,
            read_backlog: Vec::new(),
            blocked: BTreeMap::new(),
            unblocked: Vec::new(),
            postponed: Vec::new(),
            accept_backlog: false,
            accept_failed: false,
            next_cron_us,
            shutting_down: false,
            signal_shutdown_failed: false,
            iteration: 0,
            clients_cron_cursor: 0,
            propagation_sink: None,
            aof_error_retry_s: 0,
        })
    }

    pub fn poller(&self) -> &P {
        &self.poller
    }

    /// The storage, for tests and the simulator (a crash keeps its files).
    pub fn storage_mut(&mut self) -> &mut dyn Storage {
        &mut *self.storage
    }

    pub fn poller_mut(&mut self) -> &mut P {
        &mut self.poller
    }

    /// The keyspace, for a driver's checks (the simulator's replay oracle).
    pub fn keyspace(&self) -> &Keyspace {
        &self.keyspace
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Every batch of propagated commands (see `cmd::propagate`) is handed to `sink` in
    /// before-sleep, before any reply of the pass is written (where Redis writes its AOF).
    pub fn set_propagation_sink(&mut self, sink: Box<dyn PropagationSink>) {
        self.propagation_sink = Some(sink);
        self.state.propagation.sink_installed = true;
        self.state.propagation.disabled = false;
    }

    /// Hands the batches propagated since the last call to the sink (before-sleep does
    /// it each pass; a driver that stops the loop calls it to get the last ones).
    pub fn feed_propagated(&mut self) {
        let batches = self.state.propagation.take_batches();
        if let Some(sink) = self.propagation_sink.as_mut() {
            for batch in &batches {
                sink.feed(batch);
            }
        }
        self.feed_replicas(&batches);
    }

    /// What only the process knows, for INFO's server section: its id and the absolute
    /// paths of its executable and config file (empty without one). The binary tells the
    /// core; the simulator leaves them at 0 and empty.
    pub fn set_process_info(&mut self, pid: u32, executable: String, config_file: String) {
        self.state.pid = pid;
        self.state.executable = executable;
        self.state.config_file = config_file;
    }

    /// The allocator the binary installed, for INFO (the system's unless told).
    pub fn set_allocator(&mut self, allocator: crate::mem::Allocator) {
        self.state.allocator = allocator;
    }

    pub fn client_count(&self) -> usize {
        self.clients.count()
    }

    /// True once SHUTDOWN ran or a signal asked the server to stop.
    pub fn is_shut_down(&self) -> bool {
        self.shutting_down
    }

    /// Logs through the server's log, stamped with the poller's time.
    pub fn log(&mut self, level: Level, message: &str) {
        let now = self.poller.now_us();
        self.log.log(level, now, message);
    }

    /// Runs until SHUTDOWN or a signal, then closes every connection and listener.
    pub fn run(&mut self) -> io::Result<()> {
        while !self.shutting_down {
            self.run_once()?;
        }
        self.close_everything();
        Ok(())
    }

    /// One pass of the loop: before-sleep, poll, file events, time events.
    pub fn run_once(&mut self) -> io::Result<()> {
        self.before_sleep()?;
        self.iteration += 1;
        // Only clients flagged before this poll get their extra read now, and only if no
        // event read them this time: a before-sleep (which writes their replies) always
        // runs between two reads of one client, so a client that sends its last commands
        // and half-closes still gets every reply before the loop sees its EOF.
        let backlog = std::mem::take(&mut self.read_backlog);
        let timeout = if backlog.is_empty() {
            self.poll_timeout()
        } else {
            Some(Duration::ZERO)
        };
        self.events.clear();
        self.next_event = 0;
        self.poller.poll(&mut self.events, timeout)?;
        self.state.now_us = self.poller.now_us();
        // By index, so a busy script's nested processing sees the events not yet handled
        // (their edges will not come again).
        while let Some(&event) = self.events.get(self.next_event) {
            self.next_event += 1;
            self.handle_event(event);
        }
        self.events.clear();
        self.next_event = 0;
        self.drain_read_backlog(backlog);
        if self.accept_backlog {
            self.accept_backlog = false;
            for fd in self.listeners.clone() {
                self.accept_connections(fd);
            }
        }
        self.process_time_events();
        self.release_postponed();
        self.eviction_time_proc();
        self.handle_blocked_timeouts();
        Ok(())
    }

    /// unblockPostponedClients: when a pause ended or weakened, the clients it
    /// postponed run their command (and what followed it) in the next before-sleep.
    fn release_postponed(&mut self) {
        let now_ms = self.state.now_us / 1000;
        self.state.pause.check(now_ms);
        if self.state.pause.take_release() {
            let postponed = std::mem::take(&mut self.postponed);
            self.unblocked.extend(postponed);
        }
    }

    /// evictionTimeProc: a command's eviction stopped at its time limit goes on, a slice
    /// per pass of the loop (Redis's time event of 0 ms), with no client, until memory
    /// is under the limit or nothing is left to evict.
    fn eviction_time_proc(&mut self) {
        if !self.state.eviction.running {
            return;
        }
        let session = Session::new(0, 0, String::new(), String::new(), self.state.now_us / 1000);
        let mut no_client = Client::new(Fd(u32::MAX), session, self.state.now_us);
        self.keyspace.access = self.state.access_clock();
        self.with_ctx(&mut no_client, cmd::evict::eviction_cron);
    }

    fn poll_timeout(&self) -> Option<Duration> {
        if !self.read_backlog.is_empty()
            || self.accept_backlog
            || self.state.eviction.running
            || !self.clients.to_free.is_empty()
            || !self.unblocked.is_empty()
            || self.transfer_in_progress()
        {
            return Some(Duration::ZERO);
        }
        let now = self.poller.now_us();
        let mut wake = self.next_cron_us;
        if let Some(end_ms) = self.state.pause.end_ms() {
            // A pause is over once the clock passes its end.
            wake = wake.min(end_ms.saturating_add(1).saturating_mul(1000));
        }
        // A blocked client's deadline, so a 0.1 s timeout fires on time.
        for (&id, &fd) in &self.blocked {
            let Some(client) = self.clients.get(fd) else {
                continue;
            };
            if client.session.id != id {
                continue;
            }
            if let Some(spec) = &client.session.blocked {
                if spec.deadline_ms > 0 {
                    wake = wake.min(block_deadline_us(spec.deadline_ms));
                }
            }
        }
        Some(Duration::from_micros(wake.saturating_sub(now)))
    }

    fn handle_event(&mut self, event: Event) {
        if self.listeners.contains(&event.fd) {
            self.accept_connections(event.fd);
            return;
        }
        let Some(id) = self.clients.id_of(event.fd) else {
            return; // An event for a descriptor we no longer own.
        };
        if event.readable || event.hup || event.error {
            self.read_from_client(event.fd);
        }
        if (event.writable || event.hup || event.error) && self.clients.is_current((event.fd, id)) {
            // Redis's AE_BARRIER for `appendfsync always`: no reply goes out while the AOF
            // buffer holds writes not yet written (and fsynced) in before-sleep; the
            // client waits for that before-sleep instead.
            let aof_pending = !self.state.aof.buf.is_empty();
            let has_output = self
                .clients
                .get(event.fd)
                .is_some_and(|c| !c.out.is_empty() && !c.close_asap);
            if has_output && aof_pending {
                self.clients.queue_pending_write(event.fd);
            } else if has_output {
                self.write_to_client(event.fd);
            }
        }
    }

    // ---- accept ------------------------------------------------------------------------

    fn accept_connections(&mut self, listener: Fd) {
        for _ in 0..ACCEPTS_PER_EVENT {
            match self.poller.accept(listener) {
                Ok(Some(accepted)) => self.on_accept(accepted),
                Ok(None) => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // EMFILE and friends: the connection stays queued; the cron retries.
                    self.log(Level::Warning, &format!("Accepting client connection: {e}"));
                    self.accept_failed = true;
                    return;
                }
            }
        }
        // Stopped for fairness with connections still queued: no new edge will say so.
        self.accept_backlog = true;
    }

    fn on_accept(&mut self, accepted: Accepted) {
        accept_client(
            &mut self.poller,
            &mut self.clients,
            &mut self.state,
            &mut *self.log,
            accepted,
        );
    }

    // ---- read --------------------------------------------------------------------------

    /// One read (Redis's `readQueryFromClient`), then every whole command is executed.
    fn read_from_client(&mut self, fd: Fd) {
        let limit = self.state.config.client_query_buffer_limit as usize;
        let Some(client) = self.clients.get_mut(fd) else {
            return;
        };
        if client.close_asap {
            return;
        }
        client.last_read_iteration = self.iteration;
        let max = read_size(client);
        let result = self.poller.read(fd, &mut client.query, max);
        let n = match result {
            Ok(0) => {
                self.log(Level::Verbose, "Client closed connection");
                self.free_client(fd);
                return;
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                client.read_backlog = false;
                return;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(e) => {
                self.log(Level::Verbose, &format!("Reading from client: {e}"));
                self.free_client(fd);
                return;
            }
        };
        client.last_io_us = self.state.now_us;
        self.state.stats.total_net_input_bytes += n as u64;
        // Edge-triggered: only a WouldBlock proves the socket is drained. (The planted
        // bug of the simulator experiment forgets that, trusting a short read.)
        if !client.read_backlog && !cfg!(feature = "planted-bug-lost-wakeup") {
            client.read_backlog = true;
            self.read_backlog.push((fd, client.session.id));
        }
        if client.query.len() > limit {
            self.state.stats.client_query_buffer_limit_disconnections += 1;
            self.log(
                Level::Warning,
                "Closing client that reached max query buffer length",
            );
            self.free_client(fd);
            return;
        }
        self.process_input(fd);
    }

    /// Gives every client that may still hold unread bytes one more read.
    fn drain_read_backlog(&mut self, backlog: Vec<ClientRef>) {
        let iteration = self.iteration;
        for (fd, id) in backlog {
            if !self.clients.is_current((fd, id)) {
                continue;
            }
            let Some(client) = self.clients.get_mut(fd) else {
                continue;
            };
            if !client.read_backlog {
                continue;
            }
            // (The planted bug `eager-backlog-read` reads it again in the same pass.)
            if client.last_read_iteration == iteration
                && !cfg!(feature = "planted-bug-eager-backlog-read")
            {
                // An event read it this pass: keep it for the next one.
                self.read_backlog.push((fd, id));
                continue;
            }
            // Re-queued by read_from_client if this read is not the last.
            client.read_backlog = false;
            self.read_from_client(fd);
        }
    }

    /// Parses and executes every whole command in the client's query buffer.
    fn process_input(&mut self, fd: Fd) {
        let close_now = self.with_client_out_of_slot(fd, |this, client| {
            this.execute_buffered_commands(client);
            if !client.out.is_empty() {
                queue_write(client, &mut this.clients.pending_writes);
            }
            client.session.close_after_reply && client.out.is_empty()
        });
        if close_now == Some(true) {
            self.free_client(fd);
        }
    }

    /// Parses and executes commands until the query buffer holds no whole one, the
    /// client blocks or is closing, or the server shuts down.
    fn execute_buffered_commands(&mut self, client: &mut Client) {
        client.parsed_this_pass = 0;
        while !client.is_closing() && !self.shutting_down && client.session.blocked.is_none() {
            if client.postponed.is_some() {
                let now_ms = self.state.now_us / 1000;
                if self.state.pause.check(now_ms) {
                    // Still paused: the postponed command and everything after it wait.
                    break;
                }
                let argv = client.postponed.take().unwrap_or_default();
                self.execute(client, &argv);
                continue;
            }
            let limits = Limits {
                proto_max_bulk_len: self.state.config.proto_max_bulk_len,
                authenticated: client.session.authenticated,
            };
            let before = client.query.len();
            let parsed = client.parser.next_command(&mut client.query, &limits);
            client.parsed_this_pass += before.saturating_sub(client.query.len());
            match parsed {
                Ok(Some(argv)) => {
                    if !argv.is_empty() {
                        self.execute(client, &argv);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.log(
                        Level::Verbose,
                        &format!(
                            "Protocol error ({}) from client: {}",
                            e, client.session.addr
                        ),
                    );
                    client
                        .out
                        .push_reply(&Reply::Error(e.0), client.session.resp);
                    client.session.close_after_reply = true;
                    client.query.clear();
                }
            }
        }
        // Redis trims the query buffer once the pass is over.
        client.parsed_this_pass = 0;
    }

    /// Runs `command` with what every command sees: the keyspace, the client's session,
    /// the server's state and the other clients (a [`Registry`] that applies the output
    /// limit to what it queues for them). The one place a [`Ctx`] is built.
    ///
    /// [`Registry`]: crate::server::clients::Registry
    fn with_ctx<R>(&mut self, client: &mut Client, command: impl FnOnce(&mut Ctx<'_>) -> R) -> R {
        let limit = OutputLimit::new(&self.state.config, self.state.now_us, &mut *self.log);
        let mut registry = self
            .clients
            .registry(limit, &self.listeners, &mut self.read_backlog);
        registry.unhandled_events = self.events.get(self.next_event..).unwrap_or_default();
        let mut ctx = Ctx {
            keyspace: &mut self.keyspace,
            session: &mut client.session,
            server: &mut self.state,
            clients: &mut registry,
            clock: &mut self.poller,
            storage: &mut *self.storage,
        };
        let result = command(&mut ctx);
        self.state.stats.client_output_buffer_limit_disconnections +=
            registry.output_limit.disconnections;
        if registry.blocked_rounds > 0 {
            self.after_blocked_processing(client);
        }
        result
    }

    /// Runs `work` with a [`Ctx`] of no client (the cron's expire cycle publishing its
    /// `expired` events): a session of id 0, which no connection has, so every delivery
    /// goes through the registry.
    fn with_server_ctx<R>(&mut self, work: impl FnOnce(&mut Ctx<'_>) -> R) -> R {
        let limit = OutputLimit::new(&self.state.config, self.state.now_us, &mut *self.log);
        let mut registry = self
            .clients
            .registry(limit, &self.listeners, &mut self.read_backlog);
        let now_ms = self.state.now_us / 1000;
        let mut session = Session::new(0, u32::MAX, String::new(), String::new(), now_ms);
        let mut ctx = Ctx {
            keyspace: &mut self.keyspace,
            session: &mut session,
            server: &mut self.state,
            clients: &mut registry,
            clock: &mut self.poller,
            storage: &mut *self.storage,
        };
        let result = work(&mut ctx);
        self.state.stats.client_output_buffer_limit_disconnections +=
            registry.output_limit.disconnections;
        result
    }

    fn execute(&mut self, client: &mut Client, argv: &[Bytes]) {
        client.refresh_session_sizes();
        client.session.last_interaction_ms = self.state.now_us / 1000;
        client.session.reply_budget = client.reply_budget(&OutputLimits::of(&self.state.config));
        let reply = self.with_ctx(client, |ctx| cmd::execute(ctx, argv));
        if std::mem::take(&mut client.session.output_limit_reached) {
            // A client-sized reply outgrew the output limit: closed, nothing written
            // (Redis: CLIENT_CLOSE_ASAP, and prepareClientToWrite refuses what follows).
            let mut limit = OutputLimit::new(&self.state.config, self.state.now_us, &mut *self.log);
            limit.close(client, &mut self.clients.to_free);
            self.state.stats.client_output_buffer_limit_disconnections += limit.disconnections;
        }
        if std::mem::take(&mut client.session.postponed) {
            // CLIENT PAUSE: kept un-executed, unanswered, until the pause ends.
            client.postponed = Some(argv.to_vec());
            self.postponed.push((client.fd, client.session.id));
            return;
        }
        self.state.stats.total_commands_processed += 1;
        // CLIENT REPLY OFF|SKIP drops a command's reply but not pub/sub pushes (Redis
        // 7.0 writes those with CLIENT_PUSHING, past the flags).
        let suppressed = client.session.replies_suppressed() && !matches!(reply, Reply::Push(_));
        for push in std::mem::take(&mut client.session.pushes) {
            client.out.push_reply(&push, client.session.resp);
        }
        // SHUTDOWN answers nothing when it succeeds; a blocked client answers later.
        let shutdown = self.state.actions.contains(&Action::Shutdown);
        if client.session.blocked.is_some() {
            self.blocked.insert(client.session.id, client.fd);
        } else if !shutdown && !suppressed {
            client.out.push_reply(&reply, client.session.resp);
        }
        client.session.command_done();
        for ((fd, id), error) in std::mem::take(&mut self.clients.unblock_requests) {
            let reply = if error {
                Reply::err("UNBLOCKED client unblocked via CLIENT UNBLOCK")
            } else {
                Reply::NullArray
            };
            self.with_client_out_of_slot(fd, |this, target| {
                if target.session.id == id && target.session.blocked.is_some() {
                    this.finish_block(target, &reply);
                }
            });
        }
        self.apply_output_limit(client);
        self.write_persist_log();
        for action in std::mem::take(&mut self.state.actions) {
            match action {
                // SHUTDOWN saved (and logged) already.
                Action::Shutdown => self.shutting_down = true,
                Action::ReplicaSync { psync } => self.replica_sync_requested(client, psync),
            }
        }
        self.handle_ready_keys();
    }

    /// handleClientsBlockedOnKeys: serves the clients blocked on keys that writes made
    /// ready, first blocked first, until no key is ready (a served BLMOVE may make its
    /// destination ready in turn; every serve unblocks a client, so this ends).
    fn handle_ready_keys(&mut self) {
        loop {
            let ready = self.keyspace.take_ready();
            if ready.is_empty() {
                self.keyspace.clear_stream_signals();
                return;
            }
            for (db, key) in ready {
                for id in self.keyspace.blocked_clients(db, &key) {
                    self.serve_blocked(id, &key);
                }
            }
        }
    }

    fn serve_blocked(&mut self, id: u64, key: &Bytes) {
        let Some(&fd) = self.blocked.get(&id) else {
            return;
        };
        // The running client is out of its slot, and is never blocked while it runs.
        self.with_client_out_of_slot(fd, |this, client| {
            let served = match client.session.blocked.clone() {
                Some(spec) if client.session.id == id => {
                    this.with_ctx(client, |ctx| blocking::serve(ctx, &spec, key))
                }
                _ => None,
            };
            if let Some(reply) = served {
                this.finish_block(client, &reply);
            }
        });
    }

    /// Unblocks a client with its reply; its buffered commands run before the next poll.
    fn finish_block(&mut self, client: &mut Client, reply: &Reply) {
        let id = client.session.id;
        self.keyspace.unblock(id);
        self.blocked.remove(&id);
        client.session.blocked = None;
        if !client.session.reply_off {
            client.out.push_reply(reply, client.session.resp);
        }
        queue_write(client, &mut self.clients.pending_writes);
        self.apply_output_limit(client);
        self.unblocked.push((client.fd, id));
    }

    /// Replies a null array to every blocked client whose deadline passed.
    fn handle_blocked_timeouts(&mut self) {
        if self.blocked.is_empty() {
            return;
        }
        let now_us = self.poller.now_us();
        let expired: Vec<(u64, Fd)> = self
            .blocked
            .iter()
            .filter(|(&id, &fd)| {
                self.clients
                    .get(fd)
                    .filter(|c| c.session.id == id)
                    .and_then(|c| c.session.blocked.as_ref())
                    .is_some_and(|b| {
                        b.deadline_ms > 0 && block_deadline_us(b.deadline_ms) <= now_us
                    })
            })
            .map(|(&id, &fd)| (id, fd))
            .collect();
        for (_, fd) in expired {
            self.with_client_out_of_slot(fd, |this, client| {
                this.finish_block(client, &Reply::NullArray);
            });
        }
    }

    /// processUnblockedClients: runs the commands that arrived while a client was blocked.
    fn process_unblocked(&mut self) {
        while !self.unblocked.is_empty() {
            for target in std::mem::take(&mut self.unblocked) {
                if self.clients.is_current(target) {
                    self.process_input(target.0);
                }
            }
        }
    }

    /// The output limit for a client out of its slot (the one whose commands ran, or
    /// one just unblocked); the registry applies the same [`OutputLimit`] to the others.
    fn apply_output_limit(&mut self, client: &mut Client) {
        let mut limit = OutputLimit::new(&self.state.config, self.state.now_us, &mut *self.log);
        limit.enforce(client, &mut self.clients.to_free);
        self.state.stats.client_output_buffer_limit_disconnections += limit.disconnections;
    }

    // ---- write -------------------------------------------------------------------------

    fn before_sleep(&mut self) -> io::Result<()> {
        self.process_unblocked();
        self.feed_propagated();
        self.flush_append_only_file()?;
        self.transfer_snapshots();
        for target in std::mem::take(&mut self.clients.to_free) {
            if self.clients.is_current(target) {
                self.free_client(target.0);
            }
        }
        for (fd, id) in std::mem::take(&mut self.clients.pending_writes) {
            if !self.clients.is_current((fd, id)) {
                continue;
            }
            let Some(client) = self.clients.get_mut(fd) else {
                continue;
            };
            client.pending_write = false;
            if client.close_asap {
                continue;
            }
            if client.out.is_empty() {
                if client.session.close_after_reply {
                    self.free_client(fd);
                }
                continue;
            }
            self.write_to_client(fd);
        }
        Ok(())
    }

    /// Writes up to [`WRITE_BYTES_PER_ROUND`] of the client's pending replies, then sets
    /// writable interest to match what is left.
    fn write_to_client(&mut self, fd: Fd) {
        let Some(client) = self.clients.get_mut(fd) else {
            return;
        };
        let now_us = self.state.now_us;
        let stats = &mut self.state.stats;
        if !write_client(&mut self.poller, client, now_us, stats, &mut *self.log) {
            self.free_client(fd);
        }
    }

    // ---- close -------------------------------------------------------------------------

    fn free_client(&mut self, fd: Fd) {
        if let Some(mut client) = self.clients.remove(fd) {
            // No trace of the client may stay behind: blocks, watches, subscriptions.
            let id = client.session.id;
            self.keyspace.unblock(id);
            self.keyspace.unwatch_all(id);
            self.blocked.remove(&id);
            self.state.pubsub.remove_client(&mut client.session);
            if client.session.replica {
                self.replica_freed(id);
            }
            self.poller.close(fd);
        }
    }

    fn close_everything(&mut self) {
        for fd in self.clients.fds() {
            self.free_client(fd);
        }
        for fd in std::mem::take(&mut self.listeners) {
            self.poller.close(fd);
        }
    }

    // ---- time events -------------------------------------------------------------------

    fn process_time_events(&mut self) {
        let now = self.poller.now_us();
        let tick_after_now = next_cron_tick(now, self.state.config.hz);
        if now >= self.next_cron_us {
            self.state.now_us = now;
            self.server_cron();
            self.next_cron_us = tick_after_now;
        } else if self.next_cron_us > tick_after_now {
            // The clock went backwards: don't wait out the difference.
            self.next_cron_us = tick_after_now;
        }
    }

    /// Redis's `serverCron`: signals, idle clients, active expiry.
    fn server_cron(&mut self) {
        if self.poller.shutdown_requested() && !self.shutting_down && !self.signal_shutdown_failed {
            self.log(Level::Warning, "Received signal, scheduling shutdown...");
            if self.prepare_for_signal_shutdown() {
                self.shutting_down = true;
                return;
            }
            // The Poller's flag stays set: without this the cron would retry (and log)
            // every tick. Redis clears its `shutdown_asap` the same way.
            self.signal_shutdown_failed = true;
            self.log(
                Level::Warning,
                "SIGTERM received but errors trying to shut down the server, check the logs for more information",
            );
        }
        if std::mem::take(&mut self.accept_failed) {
            self.accept_backlog = true;
        }
        let timeout_s = self.state.config.timeout_s;
        if timeout_s > 0 {
            let now = self.state.now_us;
            let idle_limit_us = timeout_s.saturating_mul(1_000_000);
            let idle: Vec<Fd> = self
                .clients
                .iter()
                .filter(|c| now.saturating_sub(c.last_io_us) > idle_limit_us)
                .map(|c| c.fd)
                .collect();
            for fd in idle {
                self.log(Level::Verbose, "Closing idle client");
                self.free_client(fd);
            }
        }
        self.clients_cron();
        let paused = self.state.pause.check(self.state.now_us / 1000);
        if self.state.config.active_expire_enabled && !paused {
            let now_ms = self.state.now_us / 1000;
            let start_us = self.poller.now_us();
            // Counted in the keyspace's own stats, which INFO reads.
            let mask = cmd::notify::keyspace_mask(self.state.config.notify_keyspace_events);
            self.keyspace.set_notify_mask(mask);
            self.keyspace
                .active_expire_cycle(now_ms, &mut self.state.rng);
            if self.keyspace.has_events() {
                self.with_server_ctx(cmd::notify::publish_pending);
            }
            let elapsed_ms = self.poller.now_us().saturating_sub(start_us) / 1000;
            let threshold = self.state.config.latency_monitor_threshold;
            let now_s = (self.poller.now_us() / 1_000_000) as i64;
            self.state
                .latency
                .add_if_needed(threshold, "expire-cycle", elapsed_ms, now_s);
            // The cycle's DELs are one batch, never wrapped in MULTI/EXEC.
            propagate::propagate_pending(&mut self.state, &mut self.keyspace, false);
        }
        // Redis's activerehashing (always on here): a bounded slice of any resize in
        // progress, so an idle server's tables finish rehashing too.
        self.keyspace.cron_rehash();
        self.persistence_cron();
        self.replication_cron();
    }
}

/// Accepts one connection (the loop's and a busy script's nested processing share it):
/// refused past `maxclients` or by protected mode (one best-effort write, then close),
/// otherwise a new client in its slot.
pub(super) fn accept_client<P: Poller + ?Sized>(
    poller: &mut P,
    clients: &mut Clients,
    state: &mut ServerState,
    log: &mut dyn Log,
    accepted: Accepted,
) {
    let fd = accepted.fd;
    if clients.count() as u64 >= state.config.maxclients {
        // Best effort, as Redis does: one write, then close.
        let _ = poller.write(fd, &[IoSlice::new(MAX_CLIENTS_REACHED)]);
        poller.close(fd);
        state.stats.rejected_connections += 1;
        return;
    }
    if refused_by_protected_mode(state, &accepted) {
        // Best effort, as Redis does: one write, then close.
        let _ = poller.write(fd, &[IoSlice::new(PROTECTED_MODE_DENIED)]);
        poller.close(fd);
        state.stats.rejected_connections += 1;
        return;
    }
    let now_us = state.now_us;
    let id = state.next_client_id;
    state.next_client_id += 1;
    let mut session = Session::new(
        id,
        fd.0,
        accepted.peer.to_string(),
        accepted.local.to_string(),
        now_us / 1000,
    );
    session.authenticated = !state.acl.default_requires_auth();
    clients.insert(Box::new(Client::new(fd, session, now_us)));
    state.stats.total_connections_received += 1;
    log.log(
        Level::Verbose,
        poller.now_us(),
        &format!("Accepted {}", accepted.peer),
    );
}

/// Writes up to [`WRITE_BYTES_PER_ROUND`] of the client's pending replies, then sets
/// writable interest to match what is left. False: the client must be freed (an error,
/// or everything written with `close_after_reply`).
pub(super) fn write_client<P: Poller + ?Sized>(
    poller: &mut P,
    client: &mut Client,
    now_us: u64,
    stats: &mut crate::cmd::Stats,
    log: &mut dyn Log,
) -> bool {
    let fd = client.fd;
    let mut written = 0usize;
    let mut socket_full = false;
    while !client.out.is_empty() && written < WRITE_BYTES_PER_ROUND {
        let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
        let used = client.out.io_slices(&mut slices);
        match poller.write(fd, &slices[..used]) {
            Ok(0) => {
                socket_full = true;
                break;
            }
            Ok(n) => {
                client.out.consume(n);
                written += n;
                if cfg!(feature = "planted-bug-drop-write-tail") && !client.out.is_empty() {
                    // Planted bug: a short write drops what the socket did not take.
                    let rest = client.out.len();
                    client.out.consume(rest);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                socket_full = true;
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                log.log(
                    Level::Verbose,
                    poller.now_us(),
                    &format!("Error writing to client: {e}"),
                );
                return false;
            }
        }
    }
    if written > 0 {
        client.last_io_us = now_us;
        stats.total_net_output_bytes += written as u64;
    }
    if client.out.is_empty() {
        if client.session.close_after_reply {
            return false;
        }
        if client.writable_armed {
            client.writable_armed = false;
            if let Err(e) = poller.set_interest(fd, true, false) {
                log.log(
                    Level::Warning,
                    poller.now_us(),
                    &format!("Unregistering writable: {e}"),
                );
                return false;
            }
        }
    } else if (!client.writable_armed || !socket_full)
        && !cfg!(feature = "planted-bug-no-writable-interest")
    {
        // Either nobody listens for writability yet, or we stopped for fairness while
        // the socket could take more: re-arming reports the readiness that holds.
        client.writable_armed = true;
        if let Err(e) = poller.set_interest(fd, true, true) {
            log.log(
                Level::Warning,
                poller.now_us(),
                &format!("Registering writable: {e}"),
            );
            return false;
        }
    }
    true
}

/// How many bytes the next read of `client` asks for, after making room for them in its
/// query buffer (Redis 7.0's `readQueryFromClient`):
/// - inside a big bulk argument, exactly what it still lacks, into the argument's own
///   allocation (made by the parser): the read ends where the argument does, so the
///   argument is all its allocation holds;
/// - otherwise at least [`READ_CHUNK_BYTES`], and all the room the buffer has up to
///   [`READ_MAX_BYTES`], like Redis reading `sdsavail` once its buffer grew: a deep
///   pipeline takes fewer reads (and so fewer writes of replies), and the partial request
///   left at the end of a read is moved to the front only when the room behind it runs
///   short.
pub(super) fn read_size(client: &mut Client) -> usize {
    let big_remaining = match (client.parser.bulk_len(), client.parser.bulk_remaining()) {
        (Some(len), Some(remaining)) if len >= BIG_ARG_BYTES && remaining > 0 => Some(remaining),
        _ => None,
    };
    let query = &mut client.query;
    match big_remaining {
        Some(remaining) => {
            // A no-op within the parser's preallocation; past it, the allocation grows
            // by at most what one read brings, so none is sized by a length the client
            // only announced.
            query.reserve(remaining.min(BIG_READ_BYTES));
            remaining.min(query.capacity() - query.len())
        }
        None => {
            if query.capacity() - query.len() < READ_CHUNK_BYTES {
                // Redis's greedy `sdsMakeRoomFor` (a new allocation twice the data plus a
                // chunk): the buffer settles at a few times the longest partial request,
                // so the remainder moved to the front per read is a fraction of what the
                // read brings, and one read takes several pipelined requests.
                query.reserve(2 * READ_CHUNK_BYTES + query.len());
            }
            if query.is_empty() && query.capacity() > QUERY_SHRINK_ABOVE_BYTES {
                // An empty buffer that grew (or got back a big argument's allocation once
                // the keyspace let go of the value) is given back, as Redis's cron shrinks
                // idle query buffers.
                *query = BytesMut::with_capacity(2 * READ_CHUNK_BYTES);
            }
            (query.capacity() - query.len()).min(READ_MAX_BYTES)
        }
    }
}

/// A blocked client's deadline (ms, as the command computed it) on the loop's µs clock.
/// Compared in µs, saturated, so that a deadline past the clock's last millisecond
/// (u64::MAX µs, reachable by DEBUG SLEEP) still expires when the clock gets there,
/// rather than never: the poll timeout is computed from the same value.
fn block_deadline_us(deadline_ms: u64) -> u64 {
    deadline_ms.saturating_mul(1000)
}

/// When the cron runs next, one period of `hz` after `now_us`. Saturating: DEBUG SLEEP or
/// a clock jump can bring the clock to u64::MAX µs, and then the cron runs on every pass
/// rather than the sum wrapping to a time long past (or panicking in a debug build).
fn next_cron_tick(now_us: u64, hz: u32) -> u64 {
    now_us.saturating_add(1_000_000 / u64::from(hz.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::log::NullLog;
    use crate::server::scripted_poller::{command, passes, ScriptedPoller};
    use rand_core::SeedableRng;

    fn server_at(now_us: u64) -> EventLoop<ScriptedPoller> {
        let mut config = Config::default();
        config
            .set_at_startup("enable-debug-command", "yes")
            .expect("a valid setting");
        EventLoop::new(
            ScriptedPoller::new(now_us),
            Box::new(crate::storage::MemStorage::new()),
            config,
            ChaCha8Rng::seed_from_u64(7),
            Box::new(NullLog),
        )
        .expect("the scripted listener opens")
    }

    /// Found by the `server_bytes` fuzz target (issue #18): DEBUG SLEEP with a 60-digit
    /// number of seconds moves the clock to u64::MAX µs, and the cron's next tick
    /// (`now + period`) overflowed.
    /// clientsCronResizeQueryBuffer: an idle client's read buffer is freed by the cron
    /// (Redis's querybuf.tcl checks that `qbuf` + `qbuf-free` drops to 0 after 2 s).
    #[test]
    fn the_cron_frees_an_idle_clients_query_buffer() {
        let mut server = server_at(1_700_000_000_000_000);
        let idle = server.poller_mut().connect();
        let busy = server.poller_mut().connect();
        server
            .poller_mut()
            .send(idle, &command(&[b"CLIENT", b"SETNAME", b"idle"]));
        passes(&mut server, 3);
        assert_eq!(server.poller_mut().take_output(idle), b"+OK\r\n");
        let list = |server: &mut EventLoop<ScriptedPoller>| {
            server
                .poller_mut()
                .send(busy, &command(&[b"CLIENT", b"LIST"]));
            passes(server, 3);
            let out = String::from_utf8(server.poller_mut().take_output(busy)).unwrap();
            out.lines()
                .find(|l| l.contains("name=idle"))
                .map(|l| {
                    l.split(' ')
                        .filter(|f| f.starts_with("qbuf"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap()
        };
        assert_ne!(
            list(&mut server),
            "qbuf=0 qbuf-free=0",
            "a fresh buffer has room"
        );
        server
            .poller_mut()
            .send(busy, &command(&[b"DEBUG", b"SLEEP", b"3"]));
        passes(&mut server, 20);
        server.poller_mut().take_output(busy);
        assert_eq!(list(&mut server), "qbuf=0 qbuf-free=0");
        // The buffer grows back when the client speaks again.
        server.poller_mut().send(idle, &command(&[b"PING"]));
        passes(&mut server, 3);
        assert_eq!(server.poller_mut().take_output(idle), b"+PONG\r\n");
    }

    #[test]
    fn debug_sleep_to_the_end_of_time_keeps_the_loop_running() {
        let mut server = server_at(1_700_000_000_000_000);
        let fd = server.poller_mut().connect();
        // The longest sleep Redis takes is just under 2^63 us; three of them pass the end
        // of a u64 clock that starts in 2023. (A 60-digit argument overflowed it before Redis's
        // own conversion rule was followed; it now sleeps 0, as in Redis.)
        let eons = b"9000000000000";
        let sleep = command(&[b"DEBUG", b"SLEEP", eons]);
        for _ in 0..3 {
            server.poller_mut().send(fd, &sleep);
            passes(&mut server, 3);
        }
        assert_eq!(server.poller().now_us(), u64::MAX);
        assert_eq!(
            server.poller_mut().take_output(fd),
            b"+OK\r\n+OK\r\n+OK\r\n"
        );
        // The cron, blocked-client deadlines and the poll timeout all keep working at the
        // end of the clock.
        server
            .poller_mut()
            .send(fd, &command(&[b"BLPOP", b"nothing", b"0.01"]));
        passes(&mut server, 3);
        assert_eq!(server.poller_mut().take_output(fd), b"*-1\r\n");
        server.poller_mut().send(fd, &command(&[b"PING"]));
        passes(&mut server, 3);
        assert_eq!(server.poller_mut().take_output(fd), b"+PONG\r\n");
    }

    fn accepted(peer: &str) -> Accepted {
        Accepted {
            fd: Fd(7),
            peer: peer.parse().expect("addr"),
            local: "127.0.0.1:6379".parse().expect("addr"),
        }
    }

    #[test]
    fn protected_mode_refuses_only_remote_peers_without_a_password() {
        use rand_core::SeedableRng;
        let state = |config: Config| ServerState::new(config, ChaCha8Rng::seed_from_u64(1), 0);
        let mut config = Config::default();
        let open = state(config.clone());
        for local in ["127.0.0.1:5000", "127.8.9.1:5000", "[::1]:5000"] {
            assert!(!refused_by_protected_mode(&open, &accepted(local)));
        }
        for remote in ["10.1.2.3:5000", "[2001:db8::1]:5000"] {
            assert!(refused_by_protected_mode(&open, &accepted(remote)));
        }
        config.requirepass = "secret".into();
        assert!(!refused_by_protected_mode(
            &state(config.clone()),
            &accepted("10.1.2.3:5000")
        ));
        config.requirepass.clear();
        config.protected_mode = false;
        assert!(!refused_by_protected_mode(
            &state(config),
            &accepted("10.1.2.3:5000")
        ));
    }
}
