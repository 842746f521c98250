//! The loop's clients: slots indexed by descriptor, the one place a client leaves its slot
//! while its commands run, the [`Registry`] through which commands see the other clients,
//! and the one `client-output-buffer-limit` check every path that queues replies applies.
//!
//! A client that runs commands is out of its slot, so that the commands can look at (and
//! kill, or deliver messages to) the other clients through the registry without aliasing
//! it. Taking it out and putting it back happen only in
//! [`EventLoop::with_client_out_of_slot`], so no path can forget to put it back.

use crate::cmd::{ClientInfo, ClientRegistry};
use crate::config::Config;
use crate::net::{Fd, Poller};
use crate::resp::Reply;
use crate::server::client::{Client, OutputLimits};
use crate::server::log::{Level, Log};
use crate::server::EventLoop;

/// A scheduled client, named by descriptor and id: descriptors are reused after close,
/// so a list entry whose id no longer matches belongs to a client that is gone.
pub(super) type ClientRef = (Fd, u64);

/// Clients by descriptor number, and the two schedules commands add to (a reply queued
/// for another client, a client killed or over its output limit).
#[derive(Default)]
pub(super) struct Clients {
    slots: Vec<Option<Box<Client>>>,
    count: usize,
    /// Clients with replies queued since the last before-sleep.
    pub(super) pending_writes: Vec<ClientRef>,
    /// Clients to free before the next poll (killed, limits, errors).
    pub(super) to_free: Vec<ClientRef>,
    /// CLIENT UNBLOCK's targets, each with `error` (ERROR rather than TIMEOUT): the loop
    /// unblocks them after the command.
    pub(super) unblock_requests: Vec<(ClientRef, bool)>,
}

impl Clients {
    /// Connected clients, the one out of its slot while its commands run included.
    pub(super) fn count(&self) -> usize {
        self.count
    }

    pub(super) fn get(&self, fd: Fd) -> Option<&Client> {
        self.slots.get(fd.0 as usize).and_then(|s| s.as_deref())
    }

    pub(super) fn get_mut(&mut self, fd: Fd) -> Option<&mut Client> {
        self.slots
            .get_mut(fd.0 as usize)
            .and_then(|s| s.as_deref_mut())
    }

    /// The id of the client in `fd`'s slot, if one is there.
    pub(super) fn id_of(&self, fd: Fd) -> Option<u64> {
        self.get(fd).map(|c| c.session.id)
    }

    /// Whether a scheduled entry still names the client in its slot.
    pub(super) fn is_current(&self, (fd, id): ClientRef) -> bool {
        self.id_of(fd) == Some(id)
    }

    /// The clients in their slots, in descriptor order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Client> {
        self.slots.iter().flatten().map(|c| &**c)
    }

    /// Every slot with a client, with its index (which must be the client's fd).
    pub(super) fn slots(&self) -> impl Iterator<Item = (usize, &Client)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| slot.as_deref().map(|c| (index, c)))
    }

    /// Up to `n` descriptors of clients after `cursor` (a slot index), wrapping around;
    /// `cursor` moves past the last one returned (clientsCron's round robin).
    pub(super) fn round_robin(&self, cursor: &mut usize, n: usize) -> Vec<Fd> {
        let mut out = Vec::with_capacity(n);
        let slots = self.slots.len();
        let mut visited = 0;
        while out.len() < n.min(self.count) && visited < slots {
            let index = *cursor % slots;
            *cursor = index + 1;
            visited += 1;
            if let Some(client) = self.slots[index].as_deref() {
                out.push(client.fd);
            }
        }
        out
    }

    /// The descriptors of the clients in their slots, in order.
    pub(super) fn fds(&self) -> Vec<Fd> {
        self.iter().map(|c| c.fd).collect()
    }

    /// A newly accepted client. The poller gives out a descriptor only once it is free,
    /// so an occupied slot is a bug of the loop or the poller, not of any input.
    pub(super) fn insert(&mut self, client: Box<Client>) {
        let index = client.fd.0 as usize;
        if self.slots.len() <= index {
            self.slots.resize_with(index + 1, || None);
        }
        assert!(
            self.slots[index].is_none(),
            "accepted fd {} is still in use",
            client.fd
        );
        self.slots[index] = Some(client);
        self.count += 1;
    }

    /// Removes the client for good (it is being freed).
    pub(super) fn remove(&mut self, fd: Fd) -> Option<Box<Client>> {
        let client = self.slots.get_mut(fd.0 as usize)?.take()?;
        self.count -= 1;
        Some(client)
    }

    /// Out of its slot while its commands run; only [`EventLoop::with_client_out_of_slot`]
    /// calls this, and it always puts the client back.
    pub(super) fn take(&mut self, fd: Fd) -> Option<Box<Client>> {
        self.slots.get_mut(fd.0 as usize).and_then(Option::take)
    }

    pub(super) fn put_back(&mut self, client: Box<Client>) {
        let index = client.fd.0 as usize;
        // The slot stayed empty meanwhile: nothing is accepted while commands run.
        debug_assert!(self.slots[index].is_none(), "slot {index} refilled");
        self.slots[index] = Some(client);
    }

    /// Puts the client in slot `fd` on the pending-writes list.
    pub(super) fn queue_pending_write(&mut self, fd: Fd) {
        let index = fd.0 as usize;
        if let Some(Some(client)) = self.slots.get_mut(index) {
            queue_write(client, &mut self.pending_writes);
        }
    }

    /// The registry commands see, applying `limit` to the replies it queues.
    pub(super) fn registry<'a>(
        &'a mut self,
        limit: OutputLimit<'a>,
        listeners: &'a [Fd],
        read_backlog: &'a mut Vec<ClientRef>,
    ) -> Registry<'a> {
        Registry {
            clients: self,
            output_limit: limit,
            listeners,
            read_backlog,
            unhandled_events: &[],
            blocked_rounds: 0,
        }
    }
}

/// Puts `client` on the pending-writes list unless it is on it already.
pub(super) fn queue_write(client: &mut Client, pending_writes: &mut Vec<ClientRef>) {
    if !client.pending_write {
        client.pending_write = true;
        pending_writes.push((client.fd, client.session.id));
    }
}

/// `client-output-buffer-limit` (normal or pubsub class), as every path that queues
/// replies applies it: Redis 7.0's `closeClientOnOutputBufferLimitReached(c, async=1)`.
pub(super) struct OutputLimit<'a> {
    limits: OutputLimits,
    now_us: u64,
    pub(super) log: &'a mut dyn Log,
    /// Clients this closed, for INFO's `client_output_buffer_limit_disconnections`.
    pub(super) disconnections: u64,
}

impl<'a> OutputLimit<'a> {
    pub(super) fn new(config: &Config, now_us: u64, log: &'a mut dyn Log) -> OutputLimit<'a> {
        OutputLimit {
            limits: OutputLimits::of(config),
            now_us,
            log,
            disconnections: 0,
        }
    }

    /// Past the hard limit, or past the soft limit for too long, the client is scheduled
    /// to be closed (what it has pending is never written) instead of growing the server's
    /// memory, and the warning Redis writes is logged with the client's CLIENT LIST line.
    pub(super) fn enforce(&mut self, client: &mut Client, to_free: &mut Vec<ClientRef>) {
        if client.close_asap || !client.over_output_limit(&self.limits, self.now_us) {
            return;
        }
        self.close(client, to_free);
    }

    /// Closes `client` for its output limit: also what a client-sized reply that outgrew
    /// the client's budget comes to (`Session::output_limit_reached`).
    pub(super) fn close(&mut self, client: &mut Client, to_free: &mut Vec<ClientRef>) {
        if client.close_asap {
            return;
        }
        client.close_asap = true;
        to_free.push((client.fd, client.session.id));
        self.disconnections += 1;
        let info = client.info(self.now_us / 1000).to_line();
        self.log.log(
            Level::Warning,
            self.now_us,
            &format!(
                "Client {info} scheduled to be closed ASAP for overcoming of output buffer limits."
            ),
        );
    }
}

/// The loop's clients as commands see them (the caller is out of its slot meanwhile).
pub(super) struct Registry<'a> {
    pub(super) clients: &'a mut Clients,
    pub(super) output_limit: OutputLimit<'a>,
    /// For a busy script's nested processing (server/blocked.rs): the listeners to
    /// accept on, and the loop's list of clients that may hold unread bytes.
    pub(super) listeners: &'a [Fd],
    pub(super) read_backlog: &'a mut Vec<ClientRef>,
    /// Events of the loop's current pass not handled yet (the caller's command runs in
    /// the middle of the pass): edge-triggered, they would not be reported again.
    pub(super) unhandled_events: &'a [crate::net::Event],
    /// Rounds of nested processing a busy script ran: the events of the caller (out of
    /// its slot) it consumed must be made up for once the command is over.
    pub(super) blocked_rounds: u64,
}

impl ClientRegistry for Registry<'_> {
    fn list(&self, now_ms: u64) -> Vec<ClientInfo> {
        let mut list: Vec<ClientInfo> = self.clients.iter().map(|c| c.info(now_ms)).collect();
        list.sort_by_key(|info| info.id);
        list
    }

    fn kill(&mut self, matches: &mut dyn FnMut(&ClientInfo) -> bool, now_ms: u64) -> usize {
        let mut killed = 0;
        for client in self.clients.slots.iter_mut().flatten() {
            if client.close_asap {
                continue;
            }
            if matches(&client.session.info(now_ms)) {
                client.close_asap = true;
                self.clients.to_free.push((client.fd, client.session.id));
                killed += 1;
            }
        }
        killed
    }

    fn count(&self) -> usize {
        self.clients.count
    }

    fn process_events_while_blocked(
        &mut self,
        poller: Option<&mut dyn Poller>,
        server: &mut dyn crate::cmd::busy::BlockedServer,
    ) {
        if let Some(poller) = poller {
            self.process_blocked(poller, server);
        }
    }

    fn unblock(&mut self, id: u64, error: bool) -> bool {
        let target = self
            .clients
            .slots
            .iter()
            .flatten()
            .find(|c| c.session.id == id && c.session.blocked.is_some() && !c.close_asap)
            .map(|c| (c.fd, c.session.id));
        match target {
            Some(target) => {
                self.clients.unblock_requests.push((target, error));
                true
            }
            None => false,
        }
    }

    fn deliver(&mut self, fd: u32, id: u64, message: &Reply) -> bool {
        let Some(client) = self
            .clients
            .slots
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
        queue_write(client, &mut self.clients.pending_writes);
        self.output_limit.enforce(client, &mut self.clients.to_free);
        true
    }
}

/// Clients the cron visits per tick at least (CLIENTS_CRON_MIN_ITERATIONS).
const CLIENTS_CRON_MIN_ITERATIONS: usize = 5;
/// A query buffer wasting more than this is trimmed by the cron.
const QUERY_BUFFER_WASTE_BYTES: usize = 4 * 1024;
/// Seconds without a read or write after which an idle client's query buffer is freed.
const QUERY_BUFFER_IDLE_S: u64 = 2;

impl<P: Poller> EventLoop<P> {
    /// clientsCron: each tick visits `clients / hz` clients (at least
    /// [`CLIENTS_CRON_MIN_ITERATIONS`]), so each is seen about once a second and no tick
    /// walks them all. An idle client's query buffer is freed, as
    /// `clientsCronResizeQueryBuffer` frees it: thousands of idle connections should not
    /// each hold a read buffer.
    pub(super) fn clients_cron(&mut self) {
        let count = self.clients.count();
        let hz = self.state.config.hz.max(1) as usize;
        let iterations = (count / hz).max(CLIENTS_CRON_MIN_ITERATIONS.min(count));
        let now_s = self.state.now_us / 1_000_000;
        for fd in self
            .clients
            .round_robin(&mut self.clients_cron_cursor, iterations)
        {
            let Some(client) = self.clients.get_mut(fd) else {
                continue;
            };
            let idle_s = now_s.saturating_sub(client.last_io_us / 1_000_000);
            let waste = client.query.capacity() - client.query.len();
            if idle_s > QUERY_BUFFER_IDLE_S && waste > QUERY_BUFFER_WASTE_BYTES {
                // sdsRemoveFreeSpace: keep what is unparsed, nothing more.
                let mut trimmed = bytes::BytesMut::new();
                trimmed.extend_from_slice(&client.query);
                client.query = trimmed;
            }
        }
    }

    /// The one place a client leaves its slot and comes back: `run` gets the loop and the
    /// client apart, so that it can execute the client's commands (which reach the other
    /// clients through a [`Registry`]). `None` if no client is in `fd`'s slot.
    pub(super) fn with_client_out_of_slot<R>(
        &mut self,
        fd: Fd,
        run: impl FnOnce(&mut Self, &mut Client) -> R,
    ) -> Option<R> {
        let mut client = self.clients.take(fd)?;
        let result = run(self, &mut client);
        self.clients.put_back(client);
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::server::log::{Level, Log};
    use crate::server::scripted_poller::{command, passes, ScriptedPoller};
    use crate::server::EventLoop;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct CapturedLog(Rc<RefCell<Vec<(Level, String)>>>);

    impl Log for CapturedLog {
        fn log(&mut self, level: Level, _now_us: u64, message: &str) {
            self.0.borrow_mut().push((level, message.to_string()));
        }
    }

    /// Both paths that queue replies (a client's own reply, a message PUBLISH delivers to
    /// another client) close a client past its hard limit, count it, and log Redis 7.0's
    /// warning with the client's CLIENT LIST line. Before issue #9 the delivery path did
    /// not log.
    #[test]
    fn every_reply_path_applies_the_output_limit_the_same_way() {
        let mut config = Config::default();
        config.output_limit_normal = (1000, 0, 0);
        config.output_limit_pubsub = (1000, 0, 0);
        let log = CapturedLog::default();
        let mut server = EventLoop::new(
            ScriptedPoller::new(1_700_000_000_000_000),
            Box::new(crate::storage::MemStorage::new()),
            config,
            ChaCha8Rng::seed_from_u64(3),
            Box::new(log.clone()),
        )
        .expect("the scripted listener opens");
        // Past the 16 KiB static buffer plus the 1000-byte limit (Redis counts only the
        // reply list behind that buffer).
        let big = vec![b'x'; 20_000];
        let reader = server.poller_mut().connect();
        let subscriber = server.poller_mut().connect();
        let publisher = server.poller_mut().connect();
        passes(&mut server, 1);

        let get_big = [command(&[b"SET", b"big", &big]), command(&[b"GET", b"big"])].concat();
        server.poller_mut().send(reader, &get_big);
        server
            .poller_mut()
            .send(subscriber, &command(&[b"SUBSCRIBE", b"ch"]));
        passes(&mut server, 2);
        server
            .poller_mut()
            .send(publisher, &command(&[b"PUBLISH", b"ch", &big]));
        passes(&mut server, 4);

        assert!(!server.poller().is_open(reader));
        assert!(!server.poller().is_open(subscriber));
        assert_eq!(server.poller_mut().take_output(publisher), b":1\r\n");
        let warnings: Vec<String> = log
            .0
            .borrow()
            .iter()
            .filter(|(level, _)| *level == Level::Warning)
            .map(|(_, message)| message.clone())
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        for (warning, fd) in warnings.iter().zip([reader, subscriber]) {
            assert!(
                warning.starts_with("Client id=")
                    && warning.contains(&format!(" fd={fd} "))
                    && warning.ends_with(
                        " scheduled to be closed ASAP for overcoming of output buffer limits."
                    ),
                "{warning}"
            );
        }
        server
            .poller_mut()
            .send(publisher, &command(&[b"INFO", b"stats"]));
        passes(&mut server, 2);
        let info = server.poller_mut().take_output(publisher);
        let info = String::from_utf8_lossy(&info);
        assert!(
            info.contains("\r\nclient_output_buffer_limit_disconnections:2\r\n"),
            "{info}"
        );
    }
}
