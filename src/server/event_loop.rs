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
//!    active expiry.
//!
//! Readiness is edge-triggered (see [`crate::net`]): the loop keeps its own memory of
//! sockets that may still be readable (`read_backlog`) and re-arms writable interest when
//! it stops writing for fairness rather than because the socket was full.

use crate::cmd::{self, blocking, Action, ClientInfo, ClientRegistry, Ctx, ServerState, Session};
use crate::config::Config;
use crate::db::Keyspace;
use crate::net::{Accepted, Event, Fd, Poller};
use crate::resp::parse::Limits;
use crate::resp::Reply;
use crate::server::client::{Client, OutputLimits};
use crate::server::log::{Level, Log};
use crate::server::reply_buffer::MAX_IOVECS;
use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, IoSlice};
use std::time::Duration;

/// Bytes read per readable event (Redis's PROTO_IOBUF_LEN).
pub const READ_CHUNK_BYTES: usize = 16 * 1024;
/// A bulk at least this big is read exactly, straight into the query buffer
/// (Redis's PROTO_MBULK_BIG_ARG).
pub const BIG_ARG_BYTES: usize = 32 * 1024;
/// Most bytes one read of a big argument asks for.
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
fn refused_by_protected_mode(config: &Config, accepted: &Accepted) -> bool {
    config.protected_mode && config.requirepass.is_empty() && !accepted.peer.ip().is_loopback()
}

/// A scheduled client, named by descriptor and id: descriptors are reused after close,
/// so a list entry whose id no longer matches belongs to a client that is gone.
type ClientRef = (Fd, u64);

pub struct EventLoop<P: Poller> {
    poller: P,
    listeners: Vec<Fd>,
    /// Clients by descriptor number.
    clients: Vec<Option<Box<Client>>>,
    client_count: usize,
    keyspace: Keyspace,
    state: ServerState,
    log: Box<dyn Log>,
    events: Vec<Event>,
    /// Clients with replies queued since the last before-sleep.
    pending_writes: Vec<ClientRef>,
    /// Clients whose sockets may hold unread bytes (no edge will announce them).
    read_backlog: Vec<ClientRef>,
    /// Clients to free before the next poll (killed, limits, errors).
    to_free: Vec<ClientRef>,
    /// Blocked clients (BLPOP...) by id, with their descriptor.
    blocked: BTreeMap<u64, Fd>,
    /// Clients just served or timed out of a block: their buffered commands run next.
    unblocked: Vec<ClientRef>,
    /// A listener stopped accepting before the backlog was empty.
    accept_backlog: bool,
    /// Accepting failed (EMFILE...): the cron tries again.
    accept_failed: bool,
    /// Reused for every ordinary read, so the query buffer only grows by what arrived.
    read_scratch: Vec<u8>,
    next_cron_us: u64,
    shutting_down: bool,
    /// Passes of the loop so far.
    iteration: u64,
}

impl<P: Poller> EventLoop<P> {
    /// Opens the listeners named by `config.bind` and `config.port` and sets up the
    /// keyspace, seeding its hash tables from `rng`.
    pub fn new(
        mut poller: P,
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
        let state = ServerState::new(config, rng, now_us);
        let period = cron_period_us(state.config.hz);
        Ok(EventLoop {
            poller,
            listeners,
            clients: Vec::new(),
            client_count: 0,
            keyspace,
            state,
            log,
            events: Vec::with_capacity(1024),
            pending_writes: Vec::new(),
            read_backlog: Vec::new(),
            to_free: Vec::new(),
            blocked: BTreeMap::new(),
            unblocked: Vec::new(),
            accept_backlog: false,
            accept_failed: false,
            read_scratch: vec![0; READ_CHUNK_BYTES],
            next_cron_us: now_us + period,
            shutting_down: false,
            iteration: 0,
        })
    }

    pub fn poller(&self) -> &P {
        &self.poller
    }

    pub fn poller_mut(&mut self) -> &mut P {
        &mut self.poller
    }

    pub fn keyspace(&self) -> &Keyspace {
        &self.keyspace
    }

    pub fn state(&self) -> &ServerState {
        &self.state
    }

    /// For the binary to fill in what only the process knows (pid, executable, config file).
    pub fn state_mut(&mut self) -> &mut ServerState {
        &mut self.state
    }

    pub fn listeners(&self) -> &[Fd] {
        &self.listeners
    }

    pub fn client_count(&self) -> usize {
        self.client_count
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
        self.before_sleep();
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
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        self.poller.poll(&mut events, timeout)?;
        self.state.now_us = self.poller.now_us();
        for event in &events {
            self.handle_event(*event);
        }
        self.events = events;
        self.drain_read_backlog(backlog);
        if self.accept_backlog {
            self.accept_backlog = false;
            for fd in self.listeners.clone() {
                self.accept_connections(fd);
            }
        }
        self.process_time_events();
        self.handle_blocked_timeouts();
        Ok(())
    }

    fn poll_timeout(&self) -> Option<Duration> {
        if !self.read_backlog.is_empty()
            || self.accept_backlog
            || !self.to_free.is_empty()
            || !self.unblocked.is_empty()
        {
            return Some(Duration::ZERO);
        }
        let now = self.poller.now_us();
        let mut wake = self.next_cron_us;
        // A blocked client's deadline, so a 0.1 s timeout fires on time.
        for (&id, &fd) in &self.blocked {
            let Some(client) = self.clients.get(fd.0 as usize).and_then(|s| s.as_deref()) else {
                continue;
            };
            if client.session.id != id {
                continue;
            }
            if let Some(spec) = &client.session.blocked {
                if spec.deadline_ms > 0 {
                    wake = wake.min(spec.deadline_ms.saturating_mul(1000));
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
        let Some(id) = self.client_id(event.fd) else {
            return; // An event for a descriptor we no longer own.
        };
        if event.readable || event.hup || event.error {
            self.read_from_client(event.fd);
        }
        if (event.writable || event.hup || event.error) && self.client_id(event.fd) == Some(id) {
            if let Some(client) = self.client_mut(event.fd) {
                if !client.out.is_empty() && !client.close_asap {
                    self.write_to_client(event.fd);
                }
            }
        }
    }

    fn client_id(&self, fd: Fd) -> Option<u64> {
        self.clients
            .get(fd.0 as usize)
            .and_then(|slot| slot.as_ref())
            .map(|c| c.session.id)
    }

    fn client_mut(&mut self, fd: Fd) -> Option<&mut Client> {
        self.clients
            .get_mut(fd.0 as usize)
            .and_then(|slot| slot.as_deref_mut())
    }

    fn is_current(&self, (fd, id): ClientRef) -> bool {
        self.client_id(fd) == Some(id)
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
        let fd = accepted.fd;
        if self.client_count as u64 >= self.state.config.maxclients {
            // Best effort, as Redis does: one write, then close.
            let _ = self.poller.write(fd, &[IoSlice::new(MAX_CLIENTS_REACHED)]);
            self.poller.close(fd);
            self.state.stats.rejected_connections += 1;
            return;
        }
        if refused_by_protected_mode(&self.state.config, &accepted) {
            // Best effort, as Redis does: one write, then close.
            let _ = self
                .poller
                .write(fd, &[IoSlice::new(PROTECTED_MODE_DENIED)]);
            self.poller.close(fd);
            self.state.stats.rejected_connections += 1;
            return;
        }
        let now_us = self.state.now_us;
        let id = self.state.next_client_id;
        self.state.next_client_id += 1;
        let mut session = Session::new(
            id,
            fd.0,
            accepted.peer.to_string(),
            accepted.local.to_string(),
            now_us / 1000,
        );
        session.authenticated = self.state.config.requirepass.is_empty();
        let client = Box::new(Client::new(fd, session, now_us));
        let index = fd.0 as usize;
        if self.clients.len() <= index {
            self.clients.resize_with(index + 1, || None);
        }
        assert!(
            self.clients[index].is_none(),
            "accepted fd {fd} is still in use"
        );
        self.clients[index] = Some(client);
        self.client_count += 1;
        self.state.stats.total_connections_received += 1;
        self.log(Level::Verbose, &format!("Accepted {}", accepted.peer));
    }

    // ---- read --------------------------------------------------------------------------

    /// One read (Redis's `readQueryFromClient`), then every whole command is executed.
    fn read_from_client(&mut self, fd: Fd) {
        let limit = self.state.config.client_query_buffer_limit as usize;
        let Some(client) = self
            .clients
            .get_mut(fd.0 as usize)
            .and_then(|s| s.as_deref_mut())
        else {
            return;
        };
        if client.close_asap {
            return;
        }
        client.last_read_iteration = self.iteration;
        let big_bulk = client
            .parser
            .bulk_remaining()
            .filter(|&remaining| remaining >= BIG_ARG_BYTES);
        let result = match big_bulk {
            Some(remaining) => {
                // Read the rest of a big argument straight into the query buffer, at
                // most 1 MiB per read: the buffer grows (amortised doubling) with what
                // arrives, so a client that announces 512 MiB and sends nothing costs
                // nothing, and no allocation is sized by a number a client wrote.
                let start = client.query.len();
                let chunk = remaining.min(BIG_READ_BYTES);
                client.query.resize(start + chunk, 0);
                let result = self.poller.read(fd, &mut client.query[start..]);
                let got = *result.as_ref().unwrap_or(&0);
                client.query.truncate(start + got);
                result
            }
            None => {
                let result = self.poller.read(fd, &mut self.read_scratch);
                if let Ok(n) = result {
                    client.query.extend_from_slice(&self.read_scratch[..n]);
                }
                result
            }
        };
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
            if !self.is_current((fd, id)) {
                continue;
            }
            let Some(client) = self.client_mut(fd) else {
                continue;
            };
            if !client.read_backlog {
                continue;
            }
            if client.last_read_iteration == iteration {
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
        // The client leaves its slot while its commands run, so that commands can look
        // at (and kill) the other clients through the registry.
        let Some(mut client) = self.clients.get_mut(fd.0 as usize).and_then(Option::take) else {
            return;
        };
        while !client.is_closing() && !self.shutting_down && client.session.blocked.is_none() {
            let limits = Limits {
                proto_max_bulk_len: self.state.config.proto_max_bulk_len,
                authenticated: client.session.authenticated,
            };
            match client.parser.next_command(&mut client.query, &limits) {
                Ok(Some(argv)) => {
                    if !argv.is_empty() {
                        self.execute(&mut client, &argv);
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
        let id = client.session.id;
        if !client.out.is_empty() && !client.pending_write {
            client.pending_write = true;
            self.pending_writes.push((fd, id));
        }
        let close_now = client.session.close_after_reply && client.out.is_empty();
        self.clients[fd.0 as usize] = Some(client);
        if close_now {
            self.free_client(fd);
        }
    }

    fn execute(&mut self, client: &mut Client, argv: &[Bytes]) {
        client.refresh_session_sizes();
        client.session.last_interaction_ms = self.state.now_us / 1000;
        let mut registry = Registry {
            clients: &mut self.clients,
            to_free: &mut self.to_free,
            pending_writes: &mut self.pending_writes,
            limits: OutputLimits::of(&self.state.config),
            now_us: self.state.now_us,
            limit_disconnections: 0,
            count: self.client_count,
        };
        let mut ctx = Ctx {
            keyspace: &mut self.keyspace,
            session: &mut client.session,
            server: &mut self.state,
            clients: &mut registry,
        };
        let reply = cmd::execute(&mut ctx, argv);
        self.state.stats.total_commands_processed += 1;
        self.state.stats.client_output_buffer_limit_disconnections += registry.limit_disconnections;
        for push in std::mem::take(&mut client.session.pushes) {
            client.out.push_reply(&push, client.session.resp);
        }
        // SHUTDOWN answers nothing when it succeeds; a blocked client answers later.
        let shutdown = self.state.actions.contains(&Action::Shutdown);
        if client.session.blocked.is_some() {
            self.blocked.insert(client.session.id, client.fd);
        } else if !shutdown {
            client.out.push_reply(&reply, client.session.resp);
        }
        self.apply_output_limit(client);
        for action in std::mem::take(&mut self.state.actions) {
            match action {
                Action::Shutdown => {
                    self.log(Level::Warning, "User requested shutdown...");
                    self.shutting_down = true;
                }
                Action::Sleep(duration) => {
                    self.poller.sleep(duration);
                    self.state.now_us = self.poller.now_us();
                }
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
        let Some(mut client) = self.clients.get_mut(fd.0 as usize).and_then(Option::take) else {
            return;
        };
        let served = match client.session.blocked.clone() {
            Some(spec) if client.session.id == id => {
                let mut registry = Registry {
                    clients: &mut self.clients,
                    to_free: &mut self.to_free,
                    pending_writes: &mut self.pending_writes,
                    limits: OutputLimits::of(&self.state.config),
                    now_us: self.state.now_us,
                    limit_disconnections: 0,
                    count: self.client_count,
                };
                let mut ctx = Ctx {
                    keyspace: &mut self.keyspace,
                    session: &mut client.session,
                    server: &mut self.state,
                    clients: &mut registry,
                };
                let served = blocking::serve(&mut ctx, &spec, key);
                self.state.stats.client_output_buffer_limit_disconnections +=
                    registry.limit_disconnections;
                served
            }
            _ => None,
        };
        if let Some(reply) = served {
            self.finish_block(&mut client, &reply);
        }
        self.clients[fd.0 as usize] = Some(client);
    }

    /// Unblocks a client with its reply; its buffered commands run before the next poll.
    fn finish_block(&mut self, client: &mut Client, reply: &Reply) {
        let id = client.session.id;
        self.keyspace.unblock(id);
        self.blocked.remove(&id);
        client.session.blocked = None;
        client.out.push_reply(reply, client.session.resp);
        if !client.pending_write {
            client.pending_write = true;
            self.pending_writes.push((client.fd, id));
        }
        self.apply_output_limit(client);
        self.unblocked.push((client.fd, id));
    }

    /// Replies a null array to every blocked client whose deadline passed.
    fn handle_blocked_timeouts(&mut self) {
        if self.blocked.is_empty() {
            return;
        }
        let now_ms = self.poller.now_us() / 1000;
        let expired: Vec<(u64, Fd)> = self
            .blocked
            .iter()
            .filter(|(&id, &fd)| {
                self.clients
                    .get(fd.0 as usize)
                    .and_then(|s| s.as_deref())
                    .filter(|c| c.session.id == id)
                    .and_then(|c| c.session.blocked.as_ref())
                    .is_some_and(|b| b.deadline_ms > 0 && b.deadline_ms <= now_ms)
            })
            .map(|(&id, &fd)| (id, fd))
            .collect();
        for (_, fd) in expired {
            let Some(mut client) = self.clients.get_mut(fd.0 as usize).and_then(Option::take)
            else {
                continue;
            };
            self.finish_block(&mut client, &Reply::NullArray);
            self.clients[fd.0 as usize] = Some(client);
        }
    }

    /// processUnblockedClients: runs the commands that arrived while a client was blocked.
    fn process_unblocked(&mut self) {
        while !self.unblocked.is_empty() {
            for target in std::mem::take(&mut self.unblocked) {
                if self.is_current(target) {
                    self.process_input(target.0);
                }
            }
        }
    }

    /// `client-output-buffer-limit` (normal or pubsub class): past the hard limit, or
    /// past the soft limit for too long, the client is closed instead of growing the
    /// server's memory.
    fn apply_output_limit(&mut self, client: &mut Client) {
        let limits = OutputLimits::of(&self.state.config);
        if client.close_asap || !client.over_output_limit(&limits, self.state.now_us) {
            return;
        }
        client.close_asap = true;
        self.to_free.push((client.fd, client.session.id));
        self.state.stats.client_output_buffer_limit_disconnections += 1;
        self.log(
            Level::Warning,
            &format!(
                "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                client.session.id, client.session.addr
            ),
        );
    }

    // ---- write -------------------------------------------------------------------------

    fn before_sleep(&mut self) {
        self.process_unblocked();
        for target in std::mem::take(&mut self.to_free) {
            if self.is_current(target) {
                self.free_client(target.0);
            }
        }
        for (fd, id) in std::mem::take(&mut self.pending_writes) {
            if !self.is_current((fd, id)) {
                continue;
            }
            let Some(client) = self.client_mut(fd) else {
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
    }

    /// Writes up to [`WRITE_BYTES_PER_ROUND`] of the client's pending replies, then sets
    /// writable interest to match what is left.
    fn write_to_client(&mut self, fd: Fd) {
        let Some(client) = self
            .clients
            .get_mut(fd.0 as usize)
            .and_then(|s| s.as_deref_mut())
        else {
            return;
        };
        let mut written = 0usize;
        let mut socket_full = false;
        while !client.out.is_empty() && written < WRITE_BYTES_PER_ROUND {
            let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
            let used = client.out.io_slices(&mut slices);
            match self.poller.write(fd, &slices[..used]) {
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
                    self.log(Level::Verbose, &format!("Error writing to client: {e}"));
                    self.free_client(fd);
                    return;
                }
            }
        }
        if written > 0 {
            client.last_io_us = self.state.now_us;
            self.state.stats.total_net_output_bytes += written as u64;
        }
        if client.out.is_empty() {
            if client.session.close_after_reply {
                self.free_client(fd);
                return;
            }
            if client.writable_armed {
                client.writable_armed = false;
                if let Err(e) = self.poller.set_interest(fd, true, false) {
                    self.log(Level::Warning, &format!("Unregistering writable: {e}"));
                    self.free_client(fd);
                }
            }
        } else if (!client.writable_armed || !socket_full)
            && !cfg!(feature = "planted-bug-no-writable-interest")
        {
            // Either nobody listens for writability yet, or we stopped for fairness while
            // the socket could take more: re-arming reports the readiness that holds.
            client.writable_armed = true;
            if let Err(e) = self.poller.set_interest(fd, true, true) {
                self.log(Level::Warning, &format!("Registering writable: {e}"));
                self.free_client(fd);
            }
        }
    }

    // ---- close -------------------------------------------------------------------------

    fn free_client(&mut self, fd: Fd) {
        let Some(slot) = self.clients.get_mut(fd.0 as usize) else {
            return;
        };
        if let Some(mut client) = slot.take() {
            // No trace of the client may stay behind: blocks, watches, subscriptions.
            let id = client.session.id;
            self.keyspace.unblock(id);
            self.keyspace.unwatch_all(id);
            self.blocked.remove(&id);
            self.state.pubsub.remove_client(&mut client.session);
            self.client_count -= 1;
            self.poller.close(fd);
        }
    }

    fn close_everything(&mut self) {
        for index in 0..self.clients.len() {
            if self.clients[index].is_some() {
                self.free_client(Fd(index as u32));
            }
        }
        for fd in std::mem::take(&mut self.listeners) {
            self.poller.close(fd);
        }
    }

    // ---- time events -------------------------------------------------------------------

    fn process_time_events(&mut self) {
        let now = self.poller.now_us();
        let period = cron_period_us(self.state.config.hz);
        if now >= self.next_cron_us {
            self.state.now_us = now;
            self.server_cron();
            self.next_cron_us = now + period;
        } else if self.next_cron_us > now + period {
            // The clock went backwards: don't wait out the difference.
            self.next_cron_us = now + period;
        }
    }

    /// Redis's `serverCron`: signals, idle clients, active expiry.
    fn server_cron(&mut self) {
        if self.poller.shutdown_requested() && !self.shutting_down {
            self.log(Level::Warning, "Received signal, scheduling shutdown...");
            self.shutting_down = true;
            return;
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
                .flatten()
                .filter(|c| now.saturating_sub(c.last_io_us) > idle_limit_us)
                .map(|c| c.fd)
                .collect();
            for fd in idle {
                self.log(Level::Verbose, "Closing idle client");
                self.free_client(fd);
            }
        }
        if self.state.config.active_expire_enabled {
            let now_ms = self.state.now_us / 1000;
            // Counted in the keyspace's own stats, which INFO reads.
            self.keyspace
                .active_expire_cycle(now_ms, &mut self.state.rng);
        }
    }

    // ---- invariants --------------------------------------------------------------------

    /// Checks what must hold between iterations; the simulator calls it after every step.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut live = 0;
        for (index, slot) in self.clients.iter().enumerate() {
            let Some(client) = slot else { continue };
            live += 1;
            if client.fd.0 as usize != index {
                return Err(format!(
                    "client id={} in slot {index} has fd {}",
                    client.session.id, client.fd
                ));
            }
            if client.writable_armed && client.out.is_empty() && !client.close_asap {
                return Err(format!(
                    "client id={} has writable interest and nothing to write",
                    client.session.id
                ));
            }
            if !client.out.is_empty()
                && !client.writable_armed
                && !client.pending_write
                && !client.close_asap
            {
                return Err(format!(
                    "client id={} has replies that nothing will write",
                    client.session.id
                ));
            }
            if client.pending_write
                && !self
                    .pending_writes
                    .contains(&(client.fd, client.session.id))
            {
                return Err(format!(
                    "client id={} flagged pending but not queued",
                    client.session.id
                ));
            }
            if client.read_backlog && !self.read_backlog.contains(&(client.fd, client.session.id)) {
                return Err(format!(
                    "client id={} flagged readable but not queued",
                    client.session.id
                ));
            }
            let (hard, _, _) = if client.session.subscriptions() > 0 {
                self.state.config.output_limit_pubsub
            } else {
                self.state.config.output_limit_normal
            };
            if hard > 0 && client.out.memory() as u64 > hard && !client.close_asap {
                return Err(format!(
                    "client id={} over the output limit and not closing",
                    client.session.id
                ));
            }
            let qlimit = self.state.config.client_query_buffer_limit as usize;
            if client.query.len() > qlimit {
                return Err(format!(
                    "client id={} query buffer over the limit",
                    client.session.id
                ));
            }
        }
        if live != self.client_count {
            return Err(format!(
                "{live} live clients, count says {}",
                self.client_count
            ));
        }
        self.check_client_state()?;
        self.keyspace.check_invariants()
    }
}

impl<P: Poller> EventLoop<P> {
    /// Blocking, watch and pub/sub state agrees with the live clients: nothing is left
    /// of a disconnected client, and the three views of a blocked client agree.
    fn check_client_state(&self) -> Result<(), String> {
        let mut ids = BTreeSet::new();
        let subscribers = self.state.pubsub.subscribers();
        let mut subscribed = 0;
        for client in self.clients.iter().flatten() {
            let s = &client.session;
            ids.insert(s.id);
            let in_loop = self.blocked.get(&s.id) == Some(&client.fd);
            let in_keyspace = self.keyspace.is_blocked(s.id);
            if s.blocked.is_some() != in_loop || in_loop != in_keyspace {
                return Err(format!(
                    "client id={} blocked: session {}, loop {in_loop}, keyspace {in_keyspace}",
                    s.id,
                    s.blocked.is_some()
                ));
            }
            if s.subscriptions() > 0 {
                subscribed += 1;
                let counts = subscribers.get(&(s.id, s.fd)).copied().unwrap_or_default();
                if counts != (s.channels.len(), s.patterns.len()) {
                    return Err(format!(
                        "client id={} subscriptions {:?} indexed as {counts:?}",
                        s.id,
                        (s.channels.len(), s.patterns.len())
                    ));
                }
            }
            if s.in_exec || !s.pushes.is_empty() {
                return Err(format!("client id={} left mid-command state", s.id));
            }
        }
        if subscribed != subscribers.len() {
            return Err(format!(
                "{} subscribers indexed, {subscribed} clients subscribed",
                subscribers.len()
            ));
        }
        if let Some(id) = self.blocked.keys().find(|id| !ids.contains(id)) {
            return Err(format!("blocked client {id} is gone"));
        }
        if let Some(id) = self.keyspace.tracked_clients().difference(&ids).next() {
            return Err(format!("keyspace tracks client {id} that is gone"));
        }
        self.state.pubsub.check_invariants()
    }
}

fn cron_period_us(hz: u32) -> u64 {
    1_000_000 / u64::from(hz.max(1))
}

/// The loop's clients as commands see them (the caller is out of its slot meanwhile).
struct Registry<'a> {
    clients: &'a mut Vec<Option<Box<Client>>>,
    to_free: &'a mut Vec<ClientRef>,
    pending_writes: &'a mut Vec<ClientRef>,
    limits: OutputLimits,
    now_us: u64,
    limit_disconnections: u64,
    count: usize,
}

impl ClientRegistry for Registry<'_> {
    fn list(&self, now_ms: u64) -> Vec<ClientInfo> {
        let mut list: Vec<ClientInfo> = self
            .clients
            .iter()
            .flatten()
            .map(|c| {
                let mut session = c.session.clone();
                session.qbuf_len = c.query.len();
                session.qbuf_free = c.query.capacity() - c.query.len();
                session.omem = c.out.memory();
                session.info(now_ms)
            })
            .collect();
        list.sort_by_key(|info| info.id);
        list
    }

    fn kill(&mut self, matches: &mut dyn FnMut(&ClientInfo) -> bool, now_ms: u64) -> usize {
        let mut killed = 0;
        for client in self.clients.iter_mut().flatten() {
            if client.close_asap {
                continue;
            }
            if matches(&client.session.info(now_ms)) {
                client.close_asap = true;
                self.to_free.push((client.fd, client.session.id));
                killed += 1;
            }
        }
        killed
    }

    fn count(&self) -> usize {
        self.count
    }

    fn deliver(&mut self, fd: u32, id: u64, message: &Reply) -> bool {
        let Some(client) = self
            .clients
            .get_mut(fd as usize)
            .and_then(|s| s.as_deref_mut())
        else {
            return false;
        };
        if client.session.id != id {
            return false;
        }
        if client.close_asap {
            return true; // Counted, as Redis does, but never written.
        }
        client.out.push_reply(message, client.session.resp);
        if !client.pending_write {
            client.pending_write = true;
            self.pending_writes.push((client.fd, id));
        }
        if client.over_output_limit(&self.limits, self.now_us) {
            client.close_asap = true;
            self.to_free.push((client.fd, id));
            self.limit_disconnections += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(peer: &str) -> Accepted {
        Accepted {
            fd: Fd(7),
            peer: peer.parse().expect("addr"),
            local: "127.0.0.1:6379".parse().expect("addr"),
        }
    }

    #[test]
    fn protected_mode_refuses_only_remote_peers_without_a_password() {
        let mut config = Config::default();
        assert!(!refused_by_protected_mode(
            &config,
            &accepted("127.0.0.1:5000")
        ));
        assert!(!refused_by_protected_mode(
            &config,
            &accepted("127.8.9.1:5000")
        ));
        assert!(!refused_by_protected_mode(&config, &accepted("[::1]:5000")));
        assert!(refused_by_protected_mode(
            &config,
            &accepted("10.1.2.3:5000")
        ));
        assert!(refused_by_protected_mode(
            &config,
            &accepted("[2001:db8::1]:5000")
        ));
        config.requirepass = "secret".into();
        assert!(!refused_by_protected_mode(
            &config,
            &accepted("10.1.2.3:5000")
        ));
        config.requirepass.clear();
        config.protected_mode = false;
        assert!(!refused_by_protected_mode(
            &config,
            &accepted("10.1.2.3:5000")
        ));
    }
}
