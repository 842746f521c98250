//! The whole server (`seedis::server::EventLoop`) on the simulated kernel, fed arbitrary
//! bytes by several clients that also read, close, half-close and reset at will.
//!
//! Input format (a tiny byte code, so seeds are real traffic with a few op bytes around
//! it; see `fuzz/make-seeds.py`):
//! - byte 0: the kernel's seed; bit 7 set = a swarm fault plan drawn from bits 0..6,
//!   else no faults (the input alone then decides every split).
//! - then records `op [args]`: `op & 7` is the action, `(op >> 3) & 3` the client slot,
//!   `op >> 5` a parameter 0..7:
//!   - 0, 1: send: a length byte (0xff: a u16 LE length follows), then that many bytes;
//!     the slot connects first if it has no connection;
//!   - 2: one network step (`deliver`: every connection, faults applied);
//!   - 3: deliver up to 4^param bytes of this client's in-flight data;
//!   - 4: 1 + param server passes (`run_once`);
//!   - 5: the client reads up to 4^(param+1) bytes;
//!   - 6: param 0..3 close, 4..5 shut the write side, 6 reset, 7 forget (a new connection
//!     on the next send, the old one left open);
//!   - 7: the clock jumps 10^(param % 7) ms.
//!
//! Checked after every pass: no panic, `run_once` succeeds, `server.check_invariants()`,
//! `poller().check_invariants()` and no descriptor misuse (`violations()` empty). At the
//! end, after draining, every client's received bytes are a sequence of well-formed
//! replies (a tail cut short only where the client stopped reading).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use seedis::config::Config;
use seedis::resp::decode_reply;
use seedis::server::log::NullLog;
use seedis::server::EventLoop;
use sim::faults::FaultPlan;
use sim::kernel::{ConnId, SimPoller};
use std::time::Duration;

const SLOTS: usize = 4;
/// Server passes per input at most (a pass is cheap, but inputs are many).
const PASSES_MAX: usize = 2_000;
/// Rounds of deliver + pass + read at the end.
const DRAIN_ROUNDS: usize = 6;

struct Client {
    conn: ConnId,
    received: Vec<u8>,
}

struct Harness {
    server: EventLoop<SimPoller>,
    slots: [Option<usize>; SLOTS],
    clients: Vec<Client>,
    passes: usize,
}

impl Harness {
    fn pass(&mut self) -> bool {
        if self.passes >= PASSES_MAX || self.server.is_shut_down() {
            return false;
        }
        self.passes += 1;
        if let Err(e) = self.server.run_once() {
            panic!("run_once failed: {e}");
        }
        self.check();
        if self.server.is_shut_down() {
            // SHUTDOWN: what `run` does after its last pass.
            self.server
                .run()
                .expect("closing everything after SHUTDOWN");
            self.check();
        }
        true
    }

    fn check(&self) {
        if let Err(e) = self.server.check_invariants() {
            panic!("server invariant: {e}");
        }
        let kernel = self.server.poller();
        if let Err(e) = kernel.check_invariants() {
            panic!("kernel invariant: {e}");
        }
        if let Some(v) = kernel.violations().first() {
            panic!("descriptor misuse: {v}");
        }
    }

    fn client(&mut self, slot: usize, connect: bool) -> Option<usize> {
        if self.slots[slot].is_none() && connect {
            let conn = self.server.poller_mut().connect();
            self.clients.push(Client {
                conn,
                received: Vec::new(),
            });
            self.slots[slot] = Some(self.clients.len() - 1);
        }
        self.slots[slot]
    }

    fn recv(&mut self, i: usize, max: usize) {
        let conn = self.clients[i].conn;
        let got = self.server.poller_mut().client_recv(conn, max);
        self.clients[i].received.extend_from_slice(&got);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let plan = if first & 0x80 != 0 {
        FaultPlan::swarm_from_seed(u64::from(first & 0x7f))
    } else {
        FaultPlan::none()
    };
    let poller = SimPoller::new(u64::from(first), plan);
    let server = EventLoop::new(
        poller,
        Box::new(seedis::storage::MemStorage::new()),
        Config::default(),
        ChaCha8Rng::seed_from_u64(u64::from(first)),
        Box::new(NullLog),
    )
    .expect("the simulated listener opens");
    let mut h = Harness {
        server,
        slots: [None; SLOTS],
        clients: Vec::new(),
        passes: 0,
    };
    h.check();

    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let slot = usize::from(op >> 3) & 3;
        let param = u32::from(op >> 5);
        match op & 7 {
            0 | 1 => {
                let mut len = usize::from(rest.first().copied().unwrap_or(0));
                rest = rest.get(1..).unwrap_or_default();
                if len == 0xff && rest.len() >= 2 {
                    len = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
                    rest = &rest[2..];
                }
                let (bytes, tail) = rest.split_at(len.min(rest.len()));
                rest = tail;
                if let Some(i) = h.client(slot, true) {
                    let conn = h.clients[i].conn;
                    h.server.poller_mut().client_send(conn, bytes);
                }
            }
            2 => {
                h.server.poller_mut().deliver();
            }
            3 => {
                if let Some(i) = h.client(slot, false) {
                    let conn = h.clients[i].conn;
                    h.server.poller_mut().deliver_some(conn, 1 << (2 * param));
                }
            }
            4 => {
                for _ in 0..=param {
                    h.pass();
                }
            }
            5 => {
                if let Some(i) = h.client(slot, false) {
                    h.recv(i, 1 << (2 * param + 2));
                }
            }
            6 => {
                if let Some(i) = h.client(slot, false) {
                    let conn = h.clients[i].conn;
                    let kernel = h.server.poller_mut();
                    match param {
                        0..=3 => {
                            kernel.client_close(conn);
                            h.slots[slot] = None;
                        }
                        4 | 5 => kernel.client_shutdown_write(conn),
                        6 => {
                            kernel.client_reset(conn);
                            h.slots[slot] = None;
                        }
                        _ => h.slots[slot] = None,
                    }
                }
            }
            _ => {
                let ms = 10u64.pow(param % 7);
                h.server
                    .poller_mut()
                    .advance_clock(Duration::from_millis(ms));
            }
        }
    }

    // Drain: let everything in flight arrive and every reply be read.
    for _ in 0..DRAIN_ROUNDS {
        h.server.poller_mut().deliver();
        h.pass();
        for i in 0..h.clients.len() {
            h.recv(i, usize::MAX);
        }
    }

    for (i, client) in h.clients.iter().enumerate() {
        let mut at = 0;
        // Every reply takes at least 3 bytes, so this loop is bounded.
        while at < client.received.len() {
            match decode_reply(&client.received[at..]) {
                Ok(Some((_, used))) => at += used,
                // Cut short: the client stopped reading, or a big reply is still being
                // written to a slow reader. Never an error.
                Ok(None) => break,
                Err(e) => panic!(
                    "client {i} received a malformed reply at byte {at}: {e}: {:?}",
                    String::from_utf8_lossy(
                        &client.received[at..client.received.len().min(at + 200)]
                    )
                ),
            }
        }
    }
});
