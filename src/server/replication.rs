//! The loop's side of replication (`replication.c`): a client that ran SYNC or PSYNC
//! waits for a BGSAVE, gets the snapshot it wrote as one bulk (`$<size>\r\n` and the
//! file's bytes, read in bounded chunks as its socket drains), then everything
//! propagated since that BGSAVE's fork, then the live stream. The commands and the state
//! are in `cmd/replication.rs`.

use super::client::Client;
use super::clients::queue_write;
use super::event_loop::EventLoop;
use crate::cmd::persistence as flow;
use crate::cmd::propagate::Batch;
use crate::cmd::replication::{encode_batch, encode_command, LinkState, ReplicaLink};
use crate::net::{Fd, Poller};
use crate::server::log::Level;
use bytes::{Bytes, BytesMut};

/// Snapshot bytes queued ahead of a replica's socket at most (Redis sends one
/// PROTO_IOBUF_LEN chunk per writable event; a few in flight keep the socket busy).
const TRANSFER_QUEUED_BYTES: usize = 256 * 1024;
/// One read of the snapshot file.
const TRANSFER_CHUNK_BYTES: usize = 64 * 1024;

impl<P: Poller> EventLoop<P> {
    /// After SYNC/PSYNC ran for `client` (out of its slot): attach it, and start the
    /// BGSAVE that makes its snapshot, unless one is running (then it waits for the next).
    pub(super) fn replica_sync_requested(&mut self, client: &mut Client, psync: bool) {
        // What earlier commands propagated is already in the snapshot this replica gets.
        self.feed_propagated();
        self.state.propagation.replicas = true;
        self.state.propagation.disabled = false;
        let addr = client.session.addr.clone();
        let ip = addr.rsplit_once(':').map_or(addr.as_str(), |(ip, _)| ip);
        let ip = ip.trim_start_matches('[').trim_end_matches(']').to_string();
        if psync {
            self.log(
                Level::Notice,
                &format!("Replica {addr} asks for synchronization"),
            );
            self.log(
                Level::Notice,
                &format!("Full resync requested by replica {addr}"),
            );
        } else {
            self.log(
                Level::Notice,
                &format!("Replica {addr} asks for synchronization"),
            );
        }
        let repl = &mut self.state.repl;
        if !repl.backlog_active {
            // createReplicationBacklog with a new replication id (changeReplicationId).
            repl.replid = new_replid(&mut self.state.rng);
            repl.backlog_active = true;
            repl.backlog_first_byte_offset = repl.master_repl_offset + 1;
            let message = format!(
                "Replication backlog created, my new replication IDs are '{}' and '{}'",
                repl.replid, "0000000000000000000000000000000000000000"
            );
            self.log(Level::Notice, &message);
        }
        let now_s = self.state.now_us / 1_000_000;
        let mut link = ReplicaLink {
            fd: client.fd.0,
            ip,
            listening_port: client.session.replica_listening_port,
            state: LinkState::WaitBgsaveStart,
            psync,
            ack_offset: 0,
            ack_time_s: now_s,
            pending: BytesMut::new(),
            transfer: None,
        };
        if self.state.persist.child.is_some() {
            // A BGSAVE another replica waits for began at the same point of the stream:
            // this one can share its snapshot and what was kept since.
            let sharing = self
                .state
                .repl
                .links
                .values()
                .find(|l| l.state == LinkState::WaitBgsaveEnd && l.psync == psync);
            if let Some(other) = sharing {
                link.pending = other.pending.clone();
                link.state = LinkState::WaitBgsaveEnd;
                if psync {
                    full_resync_line(
                        client,
                        &self.state.repl.replid,
                        self.state.repl.master_repl_offset,
                    );
                }
                self.state.repl.links.insert(client.session.id, link);
                self.log(Level::Notice, "Waiting for end of BGSAVE for SYNC");
            } else {
                self.state.repl.links.insert(client.session.id, link);
                self.log(
                    Level::Notice,
                    "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC",
                );
            }
            return;
        }
        self.state.repl.links.insert(client.session.id, link);
        self.start_bgsave_for_replication(Some(client));
    }

    /// startBgsaveForReplication: one BGSAVE for every replica waiting for one to start.
    /// `current` is the client whose command asked (out of its slot).
    fn start_bgsave_for_replication(&mut self, mut current: Option<&mut Client>) {
        self.log(Level::Notice, "Starting BGSAVE for SYNC with target: disk");
        let started =
            flow::rdb_save_background(&mut *self.storage, &self.keyspace, &mut self.state);
        self.write_persist_log();
        let waiting: Vec<u64> = self
            .state
            .repl
            .links
            .iter()
            .filter(|(_, l)| l.state == LinkState::WaitBgsaveStart)
            .map(|(&id, _)| id)
            .collect();
        if !started {
            self.log(Level::Warning, "BGSAVE for replication failed");
        }
        // The stream after the fork starts with a SELECT (Redis resets slaveseldb).
        self.state.repl.stream_db = None;
        let (replid, offset) = (
            self.state.repl.replid.clone(),
            self.state.repl.master_repl_offset,
        );
        for id in waiting {
            let Some(link) = self.state.repl.links.get_mut(&id) else {
                continue;
            };
            let fd = Fd(link.fd);
            let psync = link.psync;
            if started {
                link.state = LinkState::WaitBgsaveEnd;
            } else {
                self.state.repl.links.remove(&id);
            }
            let mut queued = Vec::new();
            let client = match current.as_deref_mut() {
                Some(client) if client.session.id == id => Some(client),
                _ => self.clients_get_current(fd, id),
            };
            if let Some(client) = client {
                if !started {
                    client
                        .out
                        .push_raw(b"-ERR BGSAVE failed, replication can't continue\r\n");
                    client.session.close_after_reply = true;
                } else if psync {
                    full_resync_line(client, &replid, offset);
                }
                queue_write(client, &mut queued);
            }
            self.clients.pending_writes.extend(queued);
        }
    }

    /// replicationFeedSlaves for the batches of one pass: online replicas get the stream
    /// now, those waiting for their snapshot keep it for later.
    pub(super) fn feed_replicas(&mut self, batches: &[Batch]) {
        if self.state.repl.links.is_empty() || batches.is_empty() {
            return;
        }
        let mut stream = BytesMut::new();
        for batch in batches {
            stream.extend_from_slice(&encode_batch(&batch.ops, &mut self.state.repl.stream_db));
        }
        self.feed_stream(&stream);
    }

    /// Appends raw stream bytes for every replica past WAIT_BGSAVE_START.
    fn feed_stream(&mut self, stream: &[u8]) {
        self.state.repl.master_repl_offset += stream.len() as u64;
        let ids: Vec<(u64, u32, LinkState)> = self
            .state
            .repl
            .links
            .iter()
            .map(|(&id, l)| (id, l.fd, l.state))
            .collect();
        for (id, fd, state) in ids {
            match state {
                LinkState::WaitBgsaveStart => {}
                LinkState::WaitBgsaveEnd | LinkState::SendBulk => {
                    if let Some(link) = self.state.repl.links.get_mut(&id) {
                        link.pending.extend_from_slice(stream);
                    }
                }
                LinkState::Online => {
                    let mut queued = Vec::new();
                    if let Some(client) = self.clients_get_current(Fd(fd), id) {
                        client.out.push_raw(stream);
                        queue_write(client, &mut queued);
                    }
                    self.clients.pending_writes.extend(queued);
                }
            }
        }
    }

    /// After the BGSAVE child ended: replicas waiting for it start receiving the file
    /// (or are dropped if it failed); replicas that could not attach get a new BGSAVE.
    pub(super) fn replication_after_bgsave(&mut self, ok: bool) {
        let waiting: Vec<u64> = self
            .state
            .repl
            .links
            .iter()
            .filter(|(_, l)| l.state == LinkState::WaitBgsaveEnd)
            .map(|(&id, _)| id)
            .collect();
        let path = flow::rdb_filename(&self.state);
        for id in waiting {
            let opened = if ok {
                match (self.storage.size(&path), self.storage.open_read(&path)) {
                    (Ok(Some(size)), Ok(file)) => Some((file, size)),
                    (_, Ok(file)) => {
                        self.storage.close(file);
                        None
                    }
                    _ => None,
                }
            } else {
                None
            };
            let Some(link) = self.state.repl.links.get_mut(&id) else {
                continue;
            };
            let fd = Fd(link.fd);
            match opened {
                Some((file, size)) => {
                    link.state = LinkState::SendBulk;
                    link.transfer = Some((file, size));
                    let mut queued = Vec::new();
                    if let Some(client) = self.clients_get_current(fd, id) {
                        client.out.push_raw(format!("${size}\r\n").as_bytes());
                        queue_write(client, &mut queued);
                    }
                    self.clients.pending_writes.extend(queued);
                }
                None => {
                    self.state.repl.links.remove(&id);
                    self.log(
                        Level::Warning,
                        "SYNC failed. BGSAVE child returned an error",
                    );
                    if let Some(client) = self.clients_get_current(fd, id) {
                        client.close_asap = true;
                        self.clients.to_free.push((fd, id));
                    }
                }
            }
        }
        self.transfer_snapshots();
        let someone_waits = self
            .state
            .repl
            .links
            .values()
            .any(|l| l.state == LinkState::WaitBgsaveStart);
        if someone_waits && self.state.persist.child.is_none() {
            self.start_bgsave_for_replication(None);
        }
    }

    /// Queues the next chunks of each snapshot being sent, up to
    /// [`TRANSFER_QUEUED_BYTES`] ahead of the socket; a replica whose file is all queued
    /// gets what was propagated meanwhile and goes online. Called each before-sleep.
    pub(super) fn transfer_snapshots(&mut self) {
        let sending: Vec<u64> = self
            .state
            .repl
            .links
            .iter()
            .filter(|(_, l)| l.state == LinkState::SendBulk)
            .map(|(&id, _)| id)
            .collect();
        for id in sending {
            let Some(link) = self.state.repl.links.get_mut(&id) else {
                continue;
            };
            let fd = Fd(link.fd);
            let Some((file, mut remaining)) = link.transfer else {
                continue;
            };
            let Some(client) = self.clients.get_mut(fd).filter(|c| c.session.id == id) else {
                continue;
            };
            let mut failed = false;
            while remaining > 0 && client.out.len() < TRANSFER_QUEUED_BYTES {
                let mut chunk = vec![0u8; TRANSFER_CHUNK_BYTES.min(remaining as usize)];
                match self.storage.read(file, &mut chunk) {
                    Ok(n) if n > 0 => {
                        chunk.truncate(n);
                        remaining -= n as u64;
                        client.out.push_bytes(Bytes::from(chunk));
                    }
                    _ => {
                        failed = true;
                        break;
                    }
                }
            }
            let mut queued = Vec::new();
            queue_write(client, &mut queued);
            let addr = client.session.addr.clone();
            if failed {
                client.close_asap = true;
            } else if remaining == 0 {
                client
                    .out
                    .push_bytes(std::mem::take(&mut link.pending).freeze());
            }
            self.clients.pending_writes.extend(queued);
            link.transfer = Some((file, remaining));
            if failed {
                // The file shrank or could not be read: the replica cannot be served.
                self.storage.close(file);
                self.state.repl.links.remove(&id);
                self.clients.to_free.push((fd, id));
                self.log(
                    Level::Warning,
                    "Read error sending DB to replica: the file could not be read",
                );
            } else if remaining == 0 {
                self.storage.close(file);
                link.transfer = None;
                link.state = LinkState::Online;
                self.log(
                    Level::Notice,
                    &format!("Synchronization with replica {addr} succeeded"),
                );
            }
        }
    }

    /// Whether a snapshot is still being queued (the loop must not sleep on it).
    pub(super) fn transfer_in_progress(&self) -> bool {
        self.state.repl.links.values().any(|l| {
            l.state == LinkState::SendBulk
                && self
                    .clients
                    .get(Fd(l.fd))
                    .is_some_and(|c| c.out.len() < TRANSFER_QUEUED_BYTES)
        })
    }

    /// replicationCron's master part: a newline each second to replicas waiting for
    /// their snapshot (so they know the master is alive), and a PING in the stream every
    /// `repl-ping-replica-period` seconds.
    pub(super) fn replication_cron(&mut self) {
        if self.state.repl.links.is_empty() {
            return;
        }
        let now_s = self.state.now_us / 1_000_000;
        let period = self.state.config.repl_ping_replica_period.max(1);
        // Redis pings when its count of replication-cron seconds is a multiple of the
        // period: counted here as seconds of uptime, once per second.
        let uptime_s = self.state.now_us.saturating_sub(self.state.start_us) / 1_000_000;
        if uptime_s.is_multiple_of(period) && self.state.repl.last_ping_s != now_s {
            self.state.repl.last_ping_s = now_s;
            // Sent in whatever database the stream is in: no SELECT.
            let mut ping = BytesMut::new();
            encode_command(&mut ping, &[Bytes::from_static(b"PING")]);
            self.feed_stream(&ping);
        }
        if self.state.repl.newline_sent_s != now_s {
            self.state.repl.newline_sent_s = now_s;
            let waiting: Vec<(u64, u32)> = self
                .state
                .repl
                .links
                .iter()
                .filter(|(_, l)| {
                    matches!(
                        l.state,
                        LinkState::WaitBgsaveStart | LinkState::WaitBgsaveEnd
                    )
                })
                .map(|(&id, l)| (id, l.fd))
                .collect();
            for (id, fd) in waiting {
                let mut queued = Vec::new();
                if let Some(client) = self.clients_get_current(Fd(fd), id) {
                    client.out.push_raw(b"\n");
                    queue_write(client, &mut queued);
                }
                self.clients.pending_writes.extend(queued);
            }
        }
        if self.state.persist.child.is_none()
            && self
                .state
                .repl
                .links
                .values()
                .any(|l| l.state == LinkState::WaitBgsaveStart)
        {
            self.start_bgsave_for_replication(None);
        }
    }

    /// A replica's connection is gone: forget it (and close its snapshot file).
    pub(super) fn replica_freed(&mut self, id: u64) {
        if let Some(link) = self.state.repl.links.remove(&id) {
            if let Some((file, _)) = link.transfer {
                self.storage.close(file);
            }
            let message = format!(
                "Connection with replica {}:{} lost.",
                link.ip, link.listening_port
            );
            self.log(Level::Notice, &message);
        }
    }

    fn clients_get_current(&mut self, fd: Fd, id: u64) -> Option<&mut Client> {
        self.clients.get_mut(fd).filter(|c| c.session.id == id)
    }
}

/// `+FULLRESYNC <replid> <offset>`, written to a PSYNC replica when its BGSAVE starts.
fn full_resync_line(client: &mut Client, replid: &str, offset: u64) {
    client
        .out
        .push_raw(format!("+FULLRESYNC {replid} {offset}\r\n").as_bytes());
}

/// changeReplicationId: 40 new random hex characters.
fn new_replid(rng: &mut rand_chacha::ChaCha8Rng) -> String {
    use rand_core::RngCore;
    let mut id = String::with_capacity(40);
    for _ in 0..20 {
        id.push_str(&format!("{:02x}", rng.next_u32() as u8));
    }
    id
}
