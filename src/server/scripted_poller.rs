//! A Poller for the server's unit tests: one listener, connections whose input the test
//! writes and whose output it reads, and a clock the test (and DEBUG SLEEP) moves.
//!
//! Much smaller than the simulator's kernel (which lives in the `sim` crate, out of reach
//! of this crate's unit tests): no faults, every write is taken whole, and readiness is
//! reported as an edge whenever input arrives or writable interest is armed.

use crate::net::{Accepted, Event, Fd, Poller};
use crate::server::EventLoop;
use bytes::BytesMut;
use std::collections::{BTreeMap, VecDeque};
use std::io::{self, IoSlice};
use std::time::Duration;

const LISTENER: Fd = Fd(3);

#[derive(Default)]
struct Conn {
    input: VecDeque<u8>,
    output: Vec<u8>,
}

pub struct ScriptedPoller {
    pub now_us: u64,
    next_fd: u32,
    backlog: VecDeque<Fd>,
    conns: BTreeMap<Fd, Conn>,
    edges: Vec<Event>,
}

impl ScriptedPoller {
    pub fn new(now_us: u64) -> ScriptedPoller {
        ScriptedPoller {
            now_us,
            next_fd: LISTENER.0 + 1,
            backlog: VecDeque::new(),
            conns: BTreeMap::new(),
            edges: Vec::new(),
        }
    }

    /// A new connection waiting in the listener's backlog.
    pub fn connect(&mut self) -> Fd {
        let fd = Fd(self.next_fd);
        self.next_fd += 1;
        self.backlog.push_back(fd);
        self.conns.insert(fd, Conn::default());
        self.edge(LISTENER, true, false);
        fd
    }

    /// The peer sends `data`.
    pub fn send(&mut self, fd: Fd, data: &[u8]) {
        if let Some(conn) = self.conns.get_mut(&fd) {
            conn.input.extend(data);
            self.edge(fd, true, false);
        }
    }

    /// Everything the server wrote to `fd` so far, taken.
    pub fn take_output(&mut self, fd: Fd) -> Vec<u8> {
        self.conns
            .get_mut(&fd)
            .map(|c| std::mem::take(&mut c.output))
            .unwrap_or_default()
    }

    pub fn is_open(&self, fd: Fd) -> bool {
        self.conns.contains_key(&fd)
    }

    fn edge(&mut self, fd: Fd, readable: bool, writable: bool) {
        self.edges.push(Event {
            fd,
            readable,
            writable,
            hup: false,
            error: false,
        });
    }

    fn conn(&mut self, fd: Fd) -> io::Result<&mut Conn> {
        self.conns
            .get_mut(&fd)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such descriptor"))
    }
}

impl Poller for ScriptedPoller {
    fn poll(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        if self.edges.is_empty() {
            // Nothing ready: the wait lasts its whole timeout, as the simulator's does.
            if let Some(d) = timeout {
                let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
                self.now_us = self.now_us.saturating_add(us);
            }
        }
        events.append(&mut self.edges);
        Ok(())
    }

    fn listen(&mut self, _addr: &str) -> io::Result<Fd> {
        Ok(LISTENER)
    }

    fn accept(&mut self, _listener: Fd) -> io::Result<Option<Accepted>> {
        Ok(self.backlog.pop_front().map(|fd| Accepted {
            fd,
            peer: "127.0.0.1:40000".parse().expect("a literal address"),
            local: "127.0.0.1:6379".parse().expect("a literal address"),
        }))
    }

    fn read(&mut self, fd: Fd, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        let conn = self.conn(fd)?;
        if conn.input.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = max.min(conn.input.len());
        buf.extend(conn.input.drain(..n));
        Ok(n)
    }

    fn write(&mut self, fd: Fd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let conn = self.conn(fd)?;
        let mut written = 0;
        for buf in bufs {
            conn.output.extend_from_slice(buf);
            written += buf.len();
        }
        Ok(written)
    }

    fn set_interest(&mut self, fd: Fd, _readable: bool, writable: bool) -> io::Result<()> {
        self.conn(fd)?;
        if writable {
            // EPOLL_CTL_MOD reports the readiness that already holds.
            self.edge(fd, false, true);
        }
        Ok(())
    }

    fn close(&mut self, fd: Fd) {
        self.conns.remove(&fd);
        self.backlog.retain(|&pending| pending != fd);
    }

    fn now_us(&self) -> u64 {
        self.now_us
    }

    fn sleep(&mut self, duration: Duration) {
        let us = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        self.now_us = self.now_us.saturating_add(us);
    }
}

/// A command as redis-cli sends it (a multibulk request).
pub fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `n` passes of the loop, with the server's invariants checked after each.
pub fn passes(server: &mut EventLoop<ScriptedPoller>, n: usize) {
    for _ in 0..n {
        server.run_once().expect("a scripted pass");
        server.check_invariants().expect("invariants");
    }
}
