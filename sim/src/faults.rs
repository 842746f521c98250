//! The fault plan: which misbehaviours the simulated kernel injects, and how often.
//!
//! Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): rather than every run
//! enabling every fault at a fixed rate, each seed enables a random *subset* of faults at
//! random rates. A run without short reads stresses pipelining harder; a run with only
//! resets finds cleanup bugs that a flood of other faults would mask. The plan is drawn
//! from the run's RNG, so the seed alone reproduces it.
//!
//! A rate is a probability in `0.0..=1.0`, consulted at the one decision point the fault
//! belongs to (see [`Fault`] for where each is rolled). Every roll comes from the kernel's
//! single ChaCha stream, so a plan plus a seed replays exactly.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// One kind of misbehaviour the kernel can inject. The doc of each variant says where the
/// kernel rolls its rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// Per connection per delivery step: only a random prefix of the in-flight bytes
    /// reaches the server (a split anywhere: inside "\r\n", inside a length).
    PartialDelivery,
    /// Per read: return 1..n bytes although more are buffered. The buffer stays non-empty,
    /// so no new edge comes: the server must read on until `WouldBlock`.
    ShortRead,
    /// Per write: accept 1..n bytes although there is room for more.
    ShortWrite,
    /// Per write: `WouldBlock` although there is room. A writable event follows (if the
    /// interest is registered), so a correct server never hangs on it.
    WriteEagain,
    /// Per poll: one live connection with readable interest gets a readable event with
    /// nothing to read.
    SpuriousReadable,
    /// Per connection per delivery step: the connection is reset (RST), preferably while
    /// bytes are still in flight, i.e. in the middle of a pipeline. The server sees
    /// EPOLLHUP|EPOLLERR and ECONNRESET.
    Reset,
    /// Per connection per delivery step: the client shuts its write side (FIN after the
    /// bytes already in flight) and sends nothing more.
    HalfClose,
    /// Per accept: fail with EMFILE; the connection stays pending and the listener is
    /// reported readable again on the next poll.
    AcceptEmfile,
    /// Slow readers: the send buffer shrinks to [`FaultPlan::slow_send_buffer_capacity`]
    /// and, per `client_recv`, the client takes nothing (rate) or only a few bytes.
    SlowReader,
    /// Per delivery step: each connection is skipped with probability 1/2, and every poll
    /// returns its events in a shuffled order, so arrival order across clients varies.
    ShuffleDelivery,
    /// Per poll: the clock jumps forward by up to [`FaultPlan::clock_jump_max_us`]
    /// (across TTLs, client timeouts, cron ticks).
    ClockJump,
}

impl Fault {
    /// Every fault, in a fixed order (the order of names in `--faults` output).
    pub const ALL: [Fault; 11] = [
        Fault::PartialDelivery,
        Fault::ShortRead,
        Fault::ShortWrite,
        Fault::WriteEagain,
        Fault::SpuriousReadable,
        Fault::Reset,
        Fault::HalfClose,
        Fault::AcceptEmfile,
        Fault::SlowReader,
        Fault::ShuffleDelivery,
        Fault::ClockJump,
    ];

    /// The name used on the command line (`--faults partial-delivery,short-read`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::PartialDelivery => "partial-delivery",
            Fault::ShortRead => "short-read",
            Fault::ShortWrite => "short-write",
            Fault::WriteEagain => "write-eagain",
            Fault::SpuriousReadable => "spurious-readable",
            Fault::Reset => "reset",
            Fault::HalfClose => "half-close",
            Fault::AcceptEmfile => "accept-emfile",
            Fault::SlowReader => "slow-reader",
            Fault::ShuffleDelivery => "shuffle-delivery",
            Fault::ClockJump => "clock-jump",
        }
    }

    /// Parses a name; `partial-read` is accepted as an alias of `partial-delivery`.
    pub fn from_name(name: &str) -> Option<Fault> {
        if name == "partial-read" {
            return Some(Fault::PartialDelivery);
        }
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The highest rate swarm testing draws for this fault. Faults that end a connection
    /// (reset, half-close) are rolled per connection per delivery step, so their rates
    /// stay low or no connection would live long enough to pipeline anything; faults that
    /// only slice bytes can be frequent.
    pub fn max_rate(self) -> f64 {
        match self {
            Fault::PartialDelivery => 0.9,
            Fault::ShortRead => 0.9,
            Fault::ShortWrite => 0.9,
            Fault::WriteEagain => 0.3,
            Fault::SpuriousReadable => 0.3,
            Fault::Reset => 0.01,
            Fault::HalfClose => 0.01,
            // Below 1 so that an accept always succeeds eventually.
            Fault::AcceptEmfile => 0.5,
            Fault::SlowReader => 0.8,
            Fault::ShuffleDelivery => 1.0,
            Fault::ClockJump => 0.05,
        }
    }

    fn index(self) -> usize {
        // ALL lists the variants in declaration order.
        self as usize
    }
}

/// Which faults are on, at what rate, plus the two faults' parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultPlan {
    /// Rate per fault, indexed by `Fault as usize`; 0.0 means off.
    rates: [f64; Fault::ALL.len()],
    /// Largest forward clock jump under [`Fault::ClockJump`], in microseconds.
    pub clock_jump_max_us: u64,
    /// Send buffer size under [`Fault::SlowReader`], in bytes (at least 1).
    pub slow_send_buffer_capacity: usize,
}

/// Default parameters: jumps up to 5 s cross the TTLs a workload sets (seconds) and the
/// 100 ms cron period many times; a 64-byte send buffer makes every multi-reply pipeline
/// hit a full buffer.
const CLOCK_JUMP_MAX_US_DEFAULT: u64 = 5_000_000;
const SLOW_SEND_BUFFER_CAPACITY_DEFAULT: usize = 64;

impl FaultPlan {
    /// No faults: whole deliveries in connection order, full reads and writes, no resets.
    pub fn none() -> FaultPlan {
        FaultPlan {
            rates: [0.0; Fault::ALL.len()],
            clock_jump_max_us: CLOCK_JUMP_MAX_US_DEFAULT,
            slow_send_buffer_capacity: SLOW_SEND_BUFFER_CAPACITY_DEFAULT,
        }
    }

    /// Every fault on, each at a random rate between a tenth of its maximum and its maximum.
    pub fn all(rng: &mut impl RngCore) -> FaultPlan {
        let mut plan = FaultPlan::none();
        for fault in Fault::ALL {
            let max = fault.max_rate();
            plan.set(fault, max / 10.0 + unit(rng) * (max - max / 10.0));
        }
        plan.draw_parameters(rng);
        plan
    }

    /// Swarm testing: each fault is on with probability 1/2, at a random rate up to its
    /// maximum.
    pub fn swarm(rng: &mut impl RngCore) -> FaultPlan {
        let mut plan = FaultPlan::none();
        for fault in Fault::ALL {
            if rng.next_u32() & 1 == 1 {
                // Never exactly 0: an enabled fault should be able to fire.
                plan.set(fault, fault.max_rate() * (0.01 + 0.99 * unit(rng)));
            }
        }
        plan.draw_parameters(rng);
        plan
    }

    /// The swarm plan of a run's seed, drawn from ChaCha8 stream 1 of that seed: the
    /// kernel uses stream 0 of the same seed, so the plan's draws and the kernel's
    /// decisions are independent while one number still reproduces both.
    pub fn swarm_from_seed(seed: u64) -> FaultPlan {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(1);
        FaultPlan::swarm(&mut rng)
    }

    /// Parses `--faults`: a comma-separated list of names (see [`Fault::name`]), or `all`
    /// or `none`. Each named fault runs at half its maximum rate.
    pub fn from_names(list: &str) -> Result<FaultPlan, String> {
        let mut plan = FaultPlan::none();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "none" => {}
                "all" => {
                    for fault in Fault::ALL {
                        plan.set(fault, fault.max_rate() / 2.0);
                    }
                }
                _ => {
                    let fault = Fault::from_name(name).ok_or_else(|| {
                        let known: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                        format!("unknown fault `{name}` (known: {})", known.join(","))
                    })?;
                    plan.set(fault, fault.max_rate() / 2.0);
                }
            }
        }
        Ok(plan)
    }

    /// The enabled faults' names, in [`Fault::ALL`] order (for logs and `--faults` replay).
    pub fn names(&self) -> Vec<&'static str> {
        Fault::ALL
            .into_iter()
            .filter(|&f| self.enabled(f))
            .map(Fault::name)
            .collect()
    }

    /// The rate of `fault` (0.0 when off).
    pub fn rate(&self, fault: Fault) -> f64 {
        self.rates[fault.index()]
    }

    /// Sets a rate; clamped into `0.0..=1.0` (NaN counts as off).
    pub fn set(&mut self, fault: Fault, rate: f64) {
        self.rates[fault.index()] = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
    }

    /// Builder form of [`FaultPlan::set`].
    pub fn with(mut self, fault: Fault, rate: f64) -> FaultPlan {
        self.set(fault, rate);
        self
    }

    pub fn enabled(&self, fault: Fault) -> bool {
        self.rate(fault) > 0.0
    }

    fn draw_parameters(&mut self, rng: &mut impl RngCore) {
        // 1 ms .. 10 s: some jumps stay under a cron tick, some cross many TTLs.
        self.clock_jump_max_us = 1_000 + below(rng, 10_000_000);
        // 1 .. 256 bytes: a 1-byte buffer makes every reply a sequence of short writes.
        self.slow_send_buffer_capacity = 1 + below(rng, 256) as usize;
    }
}

/// A uniform float in `[0, 1)` from the top 53 bits: IEEE arithmetic on integers, so the
/// same on every machine.
pub(crate) fn unit(rng: &mut impl RngCore) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift (no modulo bias worth
/// the name at 64 bits, and no rejection loop to bound).
pub(crate) fn below(rng: &mut impl RngCore, n: u64) -> u64 {
    debug_assert!(n > 0, "below(0) has no value");
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// True with probability `p`.
pub(crate) fn chance(rng: &mut impl RngCore, p: f64) -> bool {
    // Skip the draw for a disabled fault, so turning a fault off does not shift the stream
    // for the ones left on more than necessary.
    p > 0.0 && unit(rng) < p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for fault in Fault::ALL {
            assert_eq!(Fault::from_name(fault.name()), Some(fault));
            assert_eq!(Fault::ALL[fault.index()], fault);
        }
        let plan = FaultPlan::from_names("short-read, reset").unwrap();
        assert_eq!(plan.names(), vec!["short-read", "reset"]);
        assert!(FaultPlan::from_names("bogus").is_err());
        assert_eq!(FaultPlan::from_names("all").unwrap().names().len(), 11);
        assert!(FaultPlan::from_names("").unwrap().names().is_empty());
    }

    #[test]
    fn swarm_is_seeded_and_varies() {
        let a = FaultPlan::swarm(&mut ChaCha8Rng::seed_from_u64(1));
        let b = FaultPlan::swarm(&mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(a, b);
        assert_eq!(FaultPlan::swarm_from_seed(9), FaultPlan::swarm_from_seed(9));
        let distinct: std::collections::BTreeSet<Vec<&str>> = (0..32)
            .map(|s| FaultPlan::swarm(&mut ChaCha8Rng::seed_from_u64(s)).names())
            .collect();
        assert!(distinct.len() > 8, "swarm should pick varied subsets");
        let all = FaultPlan::all(&mut ChaCha8Rng::seed_from_u64(3));
        for fault in Fault::ALL {
            assert!(all.rate(fault) > 0.0 && all.rate(fault) <= fault.max_rate());
        }
    }
}
