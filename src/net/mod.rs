//! The Poller seam: everything the event loop asks of the outside world.
//!
//! The server core does all of its I/O and reads all of its time through this trait, so
//! that the same loop runs on epoll in production ([`mio::MioPoller`]) and inside the
//! simulator's seeded kernel in tests. The trait is descriptor-based, like the `ae` API
//! Redis is built on: listeners and clients are small integers ([`Fd`]) and the loop asks
//! the poller to act on them.
//!
//! # Readiness is edge-triggered
//! A readiness event is reported when a descriptor *becomes* ready and is not repeated
//! while it stays ready (EPOLLET, which is what mio uses). A handler that stops reading
//! before the socket would block — for fairness, after 16 KiB — must remember that the
//! descriptor is still readable and come back to it without waiting for a new event. The
//! loop keeps that memory; the simulator's kernel is edge-triggered too, so a lost wakeup
//! is a bug the sweep finds.
//!
//! Re-arming interest with [`Poller::set_interest`] reports readiness that already holds
//! (as `EPOLL_CTL_MOD` does): asking for writability on a socket with room in its send
//! buffer yields a writable event on the next poll.

pub mod mio;

use bytes::BytesMut;
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::time::Duration;

/// A descriptor: a listener or a connected socket. In production it is the OS's file
/// descriptor number; in the simulator, the lowest free number, as a kernel would pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fd(pub u32);

impl std::fmt::Display for Fd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One readiness report for one descriptor.
///
/// EPOLLHUP and EPOLLERR are first-class: a hang-up or an error is reported even when the
/// loop asked for neither, and the loop treats it as readable and writable (as Redis's
/// `ae_epoll.c` does) so that the next read or write surfaces the condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub fd: Fd,
    pub readable: bool,
    pub writable: bool,
    /// The peer closed its side, or both directions are shut (EPOLLHUP / EPOLLRDHUP).
    pub hup: bool,
    /// The socket has a pending error (EPOLLERR), e.g. a connection reset.
    pub error: bool,
}

/// A connection the listener accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub fd: Fd,
    pub peer: SocketAddr,
    pub local: SocketAddr,
}

/// The seam between the server core and the world: sockets, readiness and time.
pub trait Poller {
    /// Waits until at least one registered descriptor is ready or `timeout` passes
    /// (`None` waits forever, `Some(ZERO)` does not wait) and appends the events to
    /// `events`, which the caller has cleared. An interrupted wait returns no events.
    fn poll(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()>;

    /// Opens a listening socket on `addr` (`host:port`), registered for readability.
    fn listen(&mut self, addr: &str) -> io::Result<Fd>;

    /// Accepts one pending connection, registered for readability only.
    /// `Ok(None)` means none is pending (EAGAIN). Errors such as EMFILE leave the
    /// connection pending; the loop logs them and tries again on a later event.
    fn accept(&mut self, listener: Fd) -> io::Result<Option<Accepted>>;

    /// Reads at most `max` bytes (`max > 0`), appending them to `buf`: straight into the
    /// query buffer (or a big argument's own allocation), as Redis's `connRead` into
    /// `querybuf + qblen`, so no byte is copied through a scratch buffer on its way in.
    /// The caller reserves the room (`buf.capacity() - buf.len() >= max`); a poller may
    /// reserve more itself but never writes past `max`. `Ok(0)` means the peer closed its
    /// side; `WouldBlock` means no data now (the loop waits for the next readable event).
    fn read(&mut self, fd: Fd, buf: &mut BytesMut, max: usize) -> io::Result<usize>;

    /// Writes (vectored) as much as the socket takes now; may be short. `WouldBlock`
    /// means the send buffer is full.
    fn write(&mut self, fd: Fd, bufs: &[IoSlice<'_>]) -> io::Result<usize>;

    /// Sets which readiness the loop wants to hear about. Readable interest stays on for
    /// every live connection; writable interest is on exactly while replies are pending.
    fn set_interest(&mut self, fd: Fd, readable: bool, writable: bool) -> io::Result<()>;

    /// Closes a descriptor. No event for it is reported after this call returns, and its
    /// number may be reused by a later `accept`.
    fn close(&mut self, fd: Fd);

    /// Wall-clock time in microseconds since the Unix epoch. The only clock the core reads.
    /// It saturates at `u64::MAX` rather than wrapping (DEBUG SLEEP can take the simulated
    /// clock there), and every sum the loop makes with it saturates too.
    fn now_us(&self) -> u64;

    /// Blocks the whole server for `duration` (DEBUG SLEEP). The simulator advances its
    /// virtual clock instead.
    fn sleep(&mut self, duration: Duration);

    /// True once the process was asked to stop (SIGINT/SIGTERM). Checked from the cron,
    /// as Redis checks `shutdown_asap`.
    fn shutdown_requested(&self) -> bool {
        false
    }

    /// A running script executed `instructions` more Lua instructions (its count hook).
    /// Real time passes by itself; the simulator's virtual clock moves here, so a script
    /// that spins eventually crosses `busy-reply-threshold` there too.
    fn cpu_burned(&mut self, instructions: u64) {
        let _ = instructions;
    }
}

/// The part of the [`Poller`] a command may use while it runs: the clock, to time itself
/// (INFO commandstats, SLOWLOG), and a blocking sleep (DEBUG SLEEP, which Redis runs
/// inside the command, so the slow log sees it).
pub trait Clock {
    fn now_us(&self) -> u64;
    fn sleep(&mut self, duration: Duration);

    /// See [`Poller::cpu_burned`].
    fn cpu_burned(&mut self, instructions: u64) {
        let _ = instructions;
    }

    /// The whole Poller behind this clock, when there is one (the loop's): a script past
    /// `busy-reply-threshold` processes events through it while it runs (Redis's
    /// `processEventsWhileBlocked`). Clocks of commands run outside a loop have none.
    fn as_poller(&mut self) -> Option<&mut dyn Poller> {
        None
    }
}

impl<P: Poller> Clock for P {
    fn now_us(&self) -> u64 {
        Poller::now_us(self)
    }

    fn sleep(&mut self, duration: Duration) {
        Poller::sleep(self, duration)
    }

    fn cpu_burned(&mut self, instructions: u64) {
        Poller::cpu_burned(self, instructions)
    }

    fn as_poller(&mut self) -> Option<&mut dyn Poller> {
        Some(self)
    }
}

/// A Poller behind a `dyn` reference as a [`Clock`] (the clock of the commands a busy
/// script's nested processing runs).
pub struct PollerClock<'a>(pub &'a mut dyn Poller);

impl Clock for PollerClock<'_> {
    fn now_us(&self) -> u64 {
        self.0.now_us()
    }

    fn sleep(&mut self, duration: Duration) {
        self.0.sleep(duration)
    }

    fn cpu_burned(&mut self, instructions: u64) {
        self.0.cpu_burned(instructions)
    }

    fn as_poller(&mut self) -> Option<&mut dyn Poller> {
        Some(&mut *self.0)
    }
}

/// A clock that moves only when told to: sleeping advances it (saturating). For running
/// commands outside a loop (unit tests, property tests, the `commands` fuzz target).
#[derive(Clone, Copy, Debug)]
pub struct ManualClock {
    pub now_us: u64,
}

/// Virtual time one Lua instruction takes where time is simulated (ManualClock, the
/// simulator's kernel): 10 ns, so the 100000 between two hook calls are 1 ms.
pub const SIMULATED_NS_PER_INSTRUCTION: u64 = 10;

impl Clock for ManualClock {
    fn now_us(&self) -> u64 {
        self.now_us
    }

    fn cpu_burned(&mut self, instructions: u64) {
        let micros = instructions.saturating_mul(SIMULATED_NS_PER_INSTRUCTION) / 1000;
        self.now_us = self.now_us.saturating_add(micros);
    }

    fn sleep(&mut self, duration: Duration) {
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        self.now_us = self.now_us.saturating_add(micros);
    }
}
