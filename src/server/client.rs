//! One connected client: its descriptor, query buffer and parser state, pending replies,
//! and the flags that tie it into the loop's read and write schedules.

use crate::cmd::{ClientInfo, Session};
use crate::config::Config;

/// The `client-output-buffer-limit` classes seedis has: (hard, soft, soft seconds).
#[derive(Clone, Copy, Debug)]
pub struct OutputLimits {
    pub normal: (u64, u64, u64),
    pub replica: (u64, u64, u64),
    pub pubsub: (u64, u64, u64),
}

impl OutputLimits {
    pub fn of(config: &Config) -> OutputLimits {
        OutputLimits {
            normal: config.output_limit_normal,
            replica: config.output_limit_replica,
            pubsub: config.output_limit_pubsub,
        }
    }
}
use crate::net::Fd;
use crate::resp::parse::RequestParser;
use crate::server::reply_buffer::ReplyBuffer;
use bytes::BytesMut;

pub struct Client {
    pub fd: Fd,
    pub session: Session,
    /// A command CLIENT PAUSE postponed: it runs, before anything read after it, when
    /// the pause ends.
    pub postponed: Option<Vec<bytes::Bytes>>,
    /// Bytes read and not yet parsed into a whole command.
    pub query: BytesMut,
    /// Survives across reads: a half-received request is never re-scanned.
    pub parser: RequestParser,
    pub out: ReplyBuffer,
    /// Writable interest is registered with the poller.
    pub writable_armed: bool,
    /// On the loop's pending-writes list (replies queued since the last before-sleep).
    pub pending_write: bool,
    /// The socket may still hold unread bytes: the last read was not cut short by
    /// WouldBlock, and readiness is edge-triggered, so no new event would come for them.
    pub read_backlog: bool,
    /// Close as soon as the loop gets to it, without writing what is pending
    /// (CLIENT KILL, a limit reached, a read or write error).
    pub close_asap: bool,
    /// The loop pass of the last read: one read per client per pass.
    pub last_read_iteration: u64,
    /// Last read or write, in µs: the idle `timeout` is measured from it.
    pub last_io_us: u64,
    /// Since when the output has been over the soft limit (µs), if it is.
    pub soft_limit_since_us: Option<u64>,
    /// Bytes of commands parsed out of the query buffer in the current pass. Redis
    /// trims its query buffer only after running every command a read brought, so
    /// CLIENT LIST's `qbuf` counts them (the running command included); this adds them
    /// back.
    pub parsed_this_pass: usize,
}

impl Client {
    pub fn new(fd: Fd, session: Session, now_us: u64) -> Client {
        Client {
            fd,
            session,
            query: BytesMut::new(),
            parser: RequestParser::new(),
            postponed: None,
            out: ReplyBuffer::new(),
            writable_armed: false,
            pending_write: false,
            read_backlog: false,
            close_asap: false,
            last_read_iteration: 0,
            last_io_us: now_us,
            soft_limit_since_us: None,
            parsed_this_pass: 0,
        }
    }

    /// Whether the loop should stop reading and parsing this client's input.
    pub fn is_closing(&self) -> bool {
        self.close_asap || self.session.close_after_reply
    }

    /// `client-output-buffer-limit` for this client's class (replica, pubsub while
    /// subscribed, normal otherwise): true when the hard limit is passed, or the soft limit has been
    /// for longer than its seconds (checkClientOutputBufferLimits).
    pub fn over_output_limit(&mut self, limits: &OutputLimits, now_us: u64) -> bool {
        let (hard, soft, secs) = self.class_limits(limits);
        let used = self.out.limit_memory() as u64;
        if hard > 0 && used > hard {
            return true;
        }
        if soft > 0 && used > soft {
            let since = *self.soft_limit_since_us.get_or_insert(now_us);
            // checkClientOutputBufferLimits: past the soft limit for *more than* the
            // configured seconds.
            return now_us.saturating_sub(since) / 1_000_000 > secs;
        }
        self.soft_limit_since_us = None;
        false
    }

    /// This client's `client-output-buffer-limit` (hard, soft, seconds), by getClientType:
    /// a replica first, then a subscriber, else normal.
    fn class_limits(&self, limits: &OutputLimits) -> (u64, u64, u64) {
        if self.session.replica {
            limits.replica
        } else if self.session.in_pubsub() {
            limits.pubsub
        } else {
            limits.normal
        }
    }

    /// What a client-sized reply may still add before the hard limit closes this client
    /// (`Session::reply_budget`).
    pub fn reply_budget(&self, limits: &OutputLimits) -> u64 {
        match self.class_limits(limits).0 {
            0 => crate::cmd::client_sized::MAX_REPLY_MEMORY,
            hard => hard.saturating_sub(self.out.limit_memory() as u64),
        }
    }

    /// Refreshes the buffer sizes CLIENT INFO reports for this client, before a command.
    pub fn refresh_session_sizes(&mut self) {
        record_buffer_sizes(
            &self.query,
            self.parsed_this_pass,
            &self.out,
            &mut self.session,
        );
    }

    /// This client as CLIENT LIST shows it, with its buffers' sizes as they are now.
    pub fn info(&self, now_ms: u64) -> ClientInfo {
        let mut session = self.session.clone();
        record_buffer_sizes(&self.query, self.parsed_this_pass, &self.out, &mut session);
        session.info(now_ms)
    }
}

fn record_buffer_sizes(query: &BytesMut, parsed: usize, out: &ReplyBuffer, session: &mut Session) {
    session.qbuf_len = query.len() + parsed;
    session.qbuf_free = query.capacity() - query.len();
    session.omem = out.limit_memory();
    session.output_pending = !out.is_empty();
}
