//! Events processed while a script is busy: Redis's `processEventsWhileBlocked`.
//!
//! A script past `busy-reply-threshold` calls this from its count hook, with its own
//! command still on the stack and its client out of its slot. Up to [`ROUNDS`] rounds of
//! non-blocking I/O: accept, read, run the other clients' commands (through the
//! [`BlockedServer`], whose `dispatch` answers -BUSY to all but `allow-busy` commands),
//! write their replies. Freeing a client needs the keyspace (blocks, watches), so a
//! client that goes away here is only scheduled (`close_asap`); the loop frees it in its
//! next before-sleep. Blocked clients (BLPOP...) are read but their commands wait, as in
//! the loop. Events of the caller's descriptor are dropped here;
//! [`EventLoop::after_blocked_processing`] makes up for them.

use super::clients::{queue_write, Registry};
use super::event_loop::{accept_client, read_size, write_client};
use super::log::Level;
use super::EventLoop;
use crate::cmd::busy::BlockedServer;
use crate::cmd::Action;
use crate::net::{Event, Fd, Poller, PollerClock};
use crate::resp::parse::Limits;
use crate::resp::Reply;
use crate::server::client::Client;
use std::io;
use std::time::Duration;

/// Rounds per call, stopping early when one finds nothing to do (Redis: 4).
const ROUNDS: usize = 4;
/// Connections accepted per listener event here (the loop's bound).
const ACCEPTS: usize = super::event_loop::ACCEPTS_PER_EVENT;

impl Registry<'_> {
    pub(super) fn process_blocked(
        &mut self,
        poller: &mut dyn Poller,
        server: &mut dyn BlockedServer,
    ) {
        self.blocked_rounds += 1;
        // First what the loop knows but has not acted on yet: the rest of its pass's
        // events, and clients that may hold unread bytes (the loop's backlog list of this
        // pass is out of reach, their flags are not).
        let mut events: Vec<Event> = self.unhandled_events.to_vec();
        for client in self.clients.iter() {
            if client.read_backlog {
                events.push(Event {
                    fd: client.fd,
                    readable: true,
                    writable: false,
                    hup: false,
                    error: false,
                });
            }
        }
        for round in 0..ROUNDS {
            if round > 0 {
                events.clear();
            }
            if poller.poll(&mut events, Some(Duration::ZERO)).is_err() {
                break;
            }
            let backlog = std::mem::take(self.read_backlog);
            if events.is_empty() && backlog.is_empty() && self.clients.pending_writes.is_empty() {
                break;
            }
            // Replies queued before this round (by the pass that ran the script, or the
            // round before) go out before any read, as Redis's beforeSleep runs first:
            // a client that sent a command and half-closed gets its reply before a read
            // sees its EOF.
            self.write_pending(poller, server);
            // One read per client per round, as in the loop.
            let mut read_this_round: Vec<Fd> = Vec::new();
            for event in &events {
                if self.listeners.contains(&event.fd) {
                    self.accept_all(poller, server, event.fd);
                    continue;
                }
                if (event.readable || event.hup || event.error)
                    && !read_this_round.contains(&event.fd)
                {
                    read_this_round.push(event.fd);
                    self.read_and_run(poller, server, event.fd);
                }
                if event.writable || event.hup || event.error {
                    self.write_one(poller, server, event.fd);
                }
            }
            for (fd, id) in backlog {
                if !self.clients.is_current((fd, id)) {
                    continue;
                }
                if read_this_round.contains(&fd) {
                    // Read already this round: its next read waits for the next one.
                    if self.clients.get(fd).is_some_and(|c| c.read_backlog)
                        && !self.read_backlog.contains(&(fd, id))
                    {
                        self.read_backlog.push((fd, id));
                    }
                    continue;
                }
                match self.clients.get_mut(fd) {
                    Some(client) if client.read_backlog => client.read_backlog = false,
                    _ => continue,
                }
                read_this_round.push(fd);
                self.read_and_run(poller, server, fd);
            }
            self.write_pending(poller, server);
            if server.state().actions.contains(&Action::Shutdown) {
                break;
            }
        }
        // The slow-script warning and the rest, logged now rather than after the script.
        let now = poller.now_us();
        for line in std::mem::take(&mut server.state().persist.log) {
            let (level, text) = match line {
                crate::persist::state::LogLine::Notice(t) => (Level::Notice, t),
                crate::persist::state::LogLine::Warning(t) => (Level::Warning, t),
            };
            self.output_limit.log.log(level, now, &text);
        }
    }

    fn accept_all(
        &mut self,
        poller: &mut dyn Poller,
        server: &mut dyn BlockedServer,
        listener: Fd,
    ) {
        for _ in 0..ACCEPTS {
            match poller.accept(listener) {
                Ok(Some(accepted)) => accept_client(
                    poller,
                    self.clients,
                    server.state(),
                    &mut *self.output_limit.log,
                    accepted,
                ),
                Ok(None) => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // EMFILE and friends: the connection stays queued; the loop retries.
                Err(_) => return,
            }
        }
    }

    /// Writes every client with queued replies (the loop's before-sleep writes).
    fn write_pending(&mut self, poller: &mut dyn Poller, server: &mut dyn BlockedServer) {
        for (fd, id) in std::mem::take(&mut self.clients.pending_writes) {
            if !self.clients.is_current((fd, id)) {
                continue;
            }
            if let Some(client) = self.clients.get_mut(fd) {
                client.pending_write = false;
            }
            self.write_one(poller, server, fd);
        }
    }

    /// Schedules a client to be freed by the loop (which can clear its keyspace traces).
    fn close_later(&mut self, fd: Fd) {
        let Some(client) = self.clients.get_mut(fd) else {
            return;
        };
        if !client.close_asap {
            client.close_asap = true;
            let id = client.session.id;
            self.clients.to_free.push((fd, id));
        }
    }

    /// One read of a client, as the loop's read handler, then its whole commands.
    fn read_and_run(&mut self, poller: &mut dyn Poller, server: &mut dyn BlockedServer, fd: Fd) {
        let limit = server.state().config.client_query_buffer_limit as usize;
        let now_us = poller.now_us();
        // No client in the slot: the script's own caller (or a descriptor just closed).
        let Some(client) = self.clients.get_mut(fd) else {
            return;
        };
        if client.close_asap {
            return;
        }
        let max = read_size(client);
        match poller.read(fd, &mut client.query, max) {
            Ok(0) => return self.close_later(fd),
            Ok(n) => {
                client.last_io_us = now_us;
                server.state().stats.total_net_input_bytes += n as u64;
                if !client.read_backlog {
                    client.read_backlog = true;
                    self.read_backlog.push((fd, client.session.id));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                client.read_backlog = false;
                return;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(_) => return self.close_later(fd),
        }
        if client.query.len() > limit {
            server
                .state()
                .stats
                .client_query_buffer_limit_disconnections += 1;
            return self.close_later(fd);
        }
        // Out of its slot while its commands run, as in the loop.
        let Some(mut client) = self.clients.take(fd) else {
            return;
        };
        run_buffered(poller, server, &mut client);
        if !client.out.is_empty() {
            queue_write(&mut client, &mut self.clients.pending_writes);
        }
        self.output_limit
            .enforce(&mut client, &mut self.clients.to_free);
        self.clients.put_back(client);
    }

    fn write_one(&mut self, poller: &mut dyn Poller, server: &mut dyn BlockedServer, fd: Fd) {
        let Some(client) = self.clients.get_mut(fd) else {
            return;
        };
        if client.close_asap || client.out.is_empty() && !client.session.close_after_reply {
            return;
        }
        let now_us = poller.now_us();
        let state = server.state();
        if !write_client(
            poller,
            client,
            now_us,
            &mut state.stats,
            &mut *self.output_limit.log,
        ) {
            self.close_later(fd);
        }
    }
}

/// The loop's `execute_buffered_commands` and `execute`, for another client while the
/// script runs: every whole command, answered through the busy check.
fn run_buffered(poller: &mut dyn Poller, server: &mut dyn BlockedServer, client: &mut Client) {
    client.parsed_this_pass = 0;
    while !client.is_closing()
        && client.session.blocked.is_none()
        && !server.state().actions.contains(&Action::Shutdown)
    {
        let limits = Limits {
            proto_max_bulk_len: server.state().config.proto_max_bulk_len,
            authenticated: client.session.authenticated,
        };
        let before = client.query.len();
        let parsed = client.parser.next_command(&mut client.query, &limits);
        client.parsed_this_pass += before.saturating_sub(client.query.len());
        match parsed {
            Ok(Some(argv)) if argv.is_empty() => {}
            Ok(Some(argv)) => {
                client.refresh_session_sizes();
                client.session.last_interaction_ms = poller.now_us() / 1000;
                let mut clock = PollerClock(&mut *poller);
                let reply = server.execute(&mut clock, &mut client.session, &argv);
                server.state().stats.total_commands_processed += 1;
                let suppressed =
                    client.session.replies_suppressed() && !matches!(reply, Reply::Push(_));
                for push in std::mem::take(&mut client.session.pushes) {
                    client.out.push_reply(&push, client.session.resp);
                }
                let shutdown = server.state().actions.contains(&Action::Shutdown);
                if !shutdown && !suppressed {
                    client.out.push_reply(&reply, client.session.resp);
                }
                client.session.command_done();
            }
            Ok(None) => break,
            Err(e) => {
                client
                    .out
                    .push_reply(&Reply::Error(e.0), client.session.resp);
                client.session.close_after_reply = true;
                client.query.clear();
            }
        }
    }
    client.parsed_this_pass = 0;
}

impl<P: Poller> EventLoop<P> {
    /// After a command whose script processed events: the caller's own readiness edges
    /// may have been consumed meanwhile, so it gets a read (a spurious one costs a
    /// WouldBlock) and, with replies pending, its writable interest re-armed (which
    /// reports the readiness that holds).
    pub(super) fn after_blocked_processing(&mut self, client: &mut Client) {
        // The nested rounds took the loop's backlog list, the caller's entry with it.
        client.read_backlog = true;
        let entry = (client.fd, client.session.id);
        if !self.read_backlog.contains(&entry) {
            self.read_backlog.push(entry);
        }
        if client.writable_armed {
            let _ = self.poller_mut().set_interest(client.fd, true, true);
        }
    }
}
