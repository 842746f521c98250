//! The production Poller: epoll through mio. The only module of seedis that touches
//! sockets, the system clock, signals or sleeps.
//!
//! Descriptors are the OS's own file descriptor numbers (as in Redis, where CLIENT LIST's
//! `fd=` is the real fd), used directly as mio tokens, and sockets are kept in a vector
//! indexed by that number.

use super::{Accepted, Event, Fd, Poller};
use bytes::BytesMut;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Token};
use std::io::{self, IoSlice, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How many readiness events one `epoll_wait` may return (Redis sizes its array to
/// maxclients; 1024 per call is plenty since the loop comes straight back).
const EVENTS_PER_POLL: usize = 1024;

enum Socket {
    Listener(TcpListener),
    Stream(TcpStream),
}

pub struct MioPoller {
    poll: mio::Poll,
    events: Events,
    /// Sockets by file descriptor number.
    sockets: Vec<Option<Socket>>,
    /// Raised by SIGINT/SIGTERM (signal-hook sets it from the handler).
    shutdown: Arc<AtomicBool>,
}

impl MioPoller {
    /// A poller that also reports SIGINT and SIGTERM through [`Poller::shutdown_requested`].
    pub fn new() -> io::Result<MioPoller> {
        let shutdown = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&shutdown))?;
        }
        Ok(MioPoller {
            poll: mio::Poll::new()?,
            events: Events::with_capacity(EVENTS_PER_POLL),
            sockets: Vec::new(),
            shutdown,
        })
    }

    fn slot(&mut self, fd: Fd) -> io::Result<&mut Socket> {
        self.sockets
            .get_mut(fd.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| io::Error::from_raw_os_error(libc_ebadf()))
    }

    fn insert(&mut self, fd: Fd, socket: Socket) {
        let index = fd.0 as usize;
        if self.sockets.len() <= index {
            self.sockets.resize_with(index + 1, || None);
        }
        debug_assert!(self.sockets[index].is_none(), "fd {fd} registered twice");
        self.sockets[index] = Some(socket);
    }
}

/// EBADF without a libc dependency: the value is 9 on every Linux architecture.
fn libc_ebadf() -> i32 {
    9
}

fn fd_of(raw: i32) -> Fd {
    Fd(raw as u32)
}

impl Poller for MioPoller {
    fn poll(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        }
        for ev in self.events.iter() {
            events.push(Event {
                fd: Fd(ev.token().0 as u32),
                readable: ev.is_readable(),
                writable: ev.is_writable(),
                hup: ev.is_read_closed() || ev.is_write_closed(),
                error: ev.is_error(),
            });
        }
        Ok(())
    }

    fn listen(&mut self, addr: &str) -> io::Result<Fd> {
        let sockaddr: SocketAddr = addr
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address"))?;
        let mut listener = TcpListener::bind(sockaddr)?;
        let fd = fd_of(listener.as_raw_fd());
        self.poll
            .registry()
            .register(&mut listener, Token(fd.0 as usize), Interest::READABLE)?;
        self.insert(fd, Socket::Listener(listener));
        Ok(fd)
    }

    fn accept(&mut self, listener: Fd) -> io::Result<Option<Accepted>> {
        let Socket::Listener(l) = self.slot(listener)? else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a listener",
            ));
        };
        let (mut stream, peer) = match l.accept() {
            Ok(pair) => pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) => return Err(e),
        };
        // Replies are small and latency matters more than packet count (Redis sets it too).
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr()?;
        let fd = fd_of(stream.as_raw_fd());
        self.poll
            .registry()
            .register(&mut stream, Token(fd.0 as usize), Interest::READABLE)?;
        self.insert(fd, Socket::Stream(stream));
        Ok(Some(Accepted { fd, peer, local }))
    }

    fn read(&mut self, fd: Fd, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        let raw = match self.slot(fd)? {
            Socket::Stream(s) => s.as_raw_fd(),
            Socket::Listener(_) => {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, "listener"))
            }
        };
        buf.reserve(max);
        let spare = buf.spare_capacity_mut();
        let want = max.min(spare.len());
        // SAFETY: `spare` is `want` writable bytes owned by `buf`; read(2) writes at most
        // `want` of them and returns how many, and only those are added to `buf`'s length.
        // `raw` is the socket of a live slot, owned by this poller.
        let got = unsafe { libc::read(raw, spare.as_mut_ptr().cast(), want) };
        let Ok(got) = usize::try_from(got) else {
            return Err(io::Error::last_os_error());
        };
        assert!(
            got <= want,
            "read(2) returned {got} for a {want}-byte buffer"
        );
        // SAFETY: the first `got` spare bytes were just initialised by read(2).
        unsafe { buf.set_len(buf.len() + got) };
        Ok(got)
    }

    fn write(&mut self, fd: Fd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self.slot(fd)? {
            Socket::Stream(s) => s.write_vectored(bufs),
            Socket::Listener(_) => Err(io::Error::new(io::ErrorKind::InvalidInput, "listener")),
        }
    }

    fn set_interest(&mut self, fd: Fd, readable: bool, writable: bool) -> io::Result<()> {
        let interest = match (readable, writable) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        };
        let registry = self.poll.registry();
        let socket = self
            .sockets
            .get_mut(fd.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| io::Error::from_raw_os_error(libc_ebadf()))?;
        let source: &mut dyn mio::event::Source = match socket {
            Socket::Listener(l) => l,
            Socket::Stream(s) => s,
        };
        match interest {
            Some(i) => registry.reregister(source, Token(fd.0 as usize), i),
            None => registry.deregister(source),
        }
    }

    fn close(&mut self, fd: Fd) {
        if let Some(slot) = self.sockets.get_mut(fd.0 as usize) {
            if let Some(mut socket) = slot.take() {
                let registry = self.poll.registry();
                let _ = match &mut socket {
                    Socket::Listener(l) => registry.deregister(l),
                    Socket::Stream(s) => registry.deregister(s),
                };
                // Dropping the socket closes the descriptor.
            }
        }
    }

    fn now_us(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Ordering::Relaxed)
    }
}
