//! What must hold between passes of the loop, checked by the simulator and the
//! `server_bytes` fuzz target after every pass: each client sits in the slot of its
//! descriptor, its flags agree with the loop's schedules, pending output always has a
//! writer, the limits hold, and blocking, WATCH and pub/sub state has no trace of a client
//! that is gone. The keyspace's own invariants are checked last.

use crate::net::Poller;
use crate::server::EventLoop;
use std::collections::BTreeSet;

impl<P: Poller> EventLoop<P> {
    /// Checks what must hold between iterations; the simulator calls it after every step.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut live = 0;
        for (index, client) in self.clients.slots() {
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
                    .clients
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
            let (hard, _, _) = if client.session.replica {
                self.state.config.output_limit_replica
            } else if client.session.in_pubsub() {
                self.state.config.output_limit_pubsub
            } else {
                self.state.config.output_limit_normal
            };
            if hard > 0 && client.out.limit_memory() as u64 > hard && !client.close_asap {
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
        if live != self.clients.count() {
            return Err(format!(
                "{live} live clients, count says {}",
                self.clients.count()
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
        for client in self.clients.iter() {
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
            if s.in_pubsub() {
                subscribed += 1;
                let counts = subscribers.get(&(s.id, s.fd)).copied().unwrap_or_default();
                let own = (s.channels.len(), s.patterns.len(), s.shard_channels.len());
                if counts != own {
                    return Err(format!(
                        "client id={} subscriptions {own:?} indexed as {counts:?}",
                        s.id
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
        // Every replica link is a live replica client, and only a link sending its
        // snapshot has a file open.
        for (&id, link) in &self.state.repl.links {
            let client = self.clients.get(crate::net::Fd(link.fd));
            if !client.is_some_and(|c| c.session.id == id && c.session.replica) {
                return Err(format!("replica link {id} has no replica client"));
            }
            let sending = link.state == crate::cmd::replication::LinkState::SendBulk;
            if link.transfer.is_some() != sending {
                return Err(format!(
                    "replica link {id} in {:?} with a transfer",
                    link.state
                ));
            }
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
