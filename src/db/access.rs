//! The per-key access clock Redis keeps in `robj.lru` (evict.c, object.c), and the rules
//! that read and update it: an LRU clock in seconds, or, under an LFU policy, the last
//! decrement time in minutes (16 bits) and a logarithmic access counter (8 bits).
//!
//! Pure functions of an [`AccessClock`] (the time and the settings, as the server had them
//! when the command started: Redis reads its cached `server.lruclock` and
//! `server.unixtime`) and of one random draw for LFU's probabilistic increment.

/// Redis's LRU_CLOCK_MAX: the 24-bit clock wraps.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
/// Redis's LRU_CLOCK_RESOLUTION, in ms.
pub const LRU_CLOCK_RESOLUTION: u64 = 1000;
/// Redis's LFU_INIT_VAL: a new key's counter, so it is not evicted before it was used.
pub const LFU_INIT_VAL: u32 = 5;

/// The time and the settings the access clock depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessClock {
    pub now_ms: u64,
    /// An LFU maxmemory policy is selected (MAXMEMORY_FLAG_LFU).
    pub lfu: bool,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    /// A child process is saving: lookups do not touch keys (Redis avoids copy-on-write
    /// of every page a read would dirty: `hasActiveChildProcess()` in lookupKey).
    pub frozen: bool,
}

impl Default for AccessClock {
    fn default() -> Self {
        AccessClock {
            now_ms: 0,
            lfu: false,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            frozen: false,
        }
    }
}

impl AccessClock {
    /// LRU_CLOCK(): seconds, wrapping at 24 bits.
    pub fn lru_clock(&self) -> u32 {
        ((self.now_ms / LRU_CLOCK_RESOLUTION) & u64::from(LRU_CLOCK_MAX)) as u32
    }

    /// LFUGetTimeInMinutes().
    pub fn lfu_minutes(&self) -> u32 {
        ((self.now_ms / 1000 / 60) & 65535) as u32
    }

    /// createObject's `lru`: a new value's clock.
    pub fn initial(&self) -> u32 {
        if self.lfu {
            (self.lfu_minutes() << 8) | LFU_INIT_VAL
        } else {
            self.lru_clock()
        }
    }

    /// estimateObjectIdleTime, in ms.
    pub fn idle_ms(&self, lru: u32) -> u64 {
        let clock = u64::from(self.lru_clock());
        let lru = u64::from(lru);
        if clock >= lru {
            (clock - lru) * LRU_CLOCK_RESOLUTION
        } else {
            (clock + (u64::from(LRU_CLOCK_MAX) - lru)) * LRU_CLOCK_RESOLUTION
        }
    }

    /// LFUTimeElapsed: minutes since `ldt`, wrapping at 16 bits.
    fn lfu_elapsed(&self, ldt: u32) -> u32 {
        let now = self.lfu_minutes();
        if now >= ldt {
            now - ldt
        } else {
            65535 - ldt + now
        }
    }

    /// LFUDecrAndReturn: the counter after one decrement per `lfu-decay-time` minutes.
    pub fn lfu_decr_and_return(&self, lru: u32) -> u32 {
        let ldt = lru >> 8;
        let counter = lru & 255;
        // lfu-decay-time 0: the counter never decays.
        let periods = self
            .lfu_elapsed(ldt)
            .checked_div(self.lfu_decay_time)
            .unwrap_or(0);
        counter.saturating_sub(periods)
    }

    /// LFULogIncr with `r` uniform in [0, 1]: the higher the counter, the less likely
    /// an access increments it.
    pub fn lfu_log_incr(&self, counter: u32, r: f64) -> u32 {
        if counter >= 255 {
            return 255;
        }
        let baseval = (f64::from(counter) - f64::from(LFU_INIT_VAL)).max(0.0);
        let p = 1.0 / (baseval * f64::from(self.lfu_log_factor) + 1.0);
        if r < p {
            counter + 1
        } else {
            counter
        }
    }

    /// lookupKey's update: the clock a key has after an access.
    pub fn touched(&self, lru: u32, r: f64) -> u32 {
        if self.lfu {
            let counter = self.lfu_log_incr(self.lfu_decr_and_return(lru), r);
            (self.lfu_minutes() << 8) | counter
        } else {
            self.lru_clock()
        }
    }

    /// objectSetLRUOrLFU: the clock RESTORE's IDLETIME/FREQ and RDB's IDLE/FREQ opcodes
    /// give a value; None when the one matching the policy is absent. `idle_s` in
    /// seconds.
    pub fn restored(&self, freq: Option<u8>, idle_s: Option<u64>) -> Option<u32> {
        if self.lfu {
            freq.map(|f| (self.lfu_minutes() << 8) | u32::from(f))
        } else {
            let idle = idle_s? as i64;
            let clock = i64::from(self.lru_clock());
            let mut abs = clock.wrapping_sub(idle);
            if abs < 0 {
                abs += i64::from(LRU_CLOCK_MAX);
            }
            // A huge idle time still lands somewhere on the 24-bit clock, as Redis's
            // assignment to the bit-field truncates.
            Some((abs as u64 & u64::from(LRU_CLOCK_MAX)) as u32)
        }
    }
}

/// A small deterministic generator for LFU's increments (Redis calls `rand()`), seeded
/// from the keyspace's dict keys, which come from the server's seeded RNG.
#[derive(Clone, Debug)]
pub struct AccessRng(u64);

impl AccessRng {
    pub fn new(seed: u64) -> AccessRng {
        AccessRng(seed | 1)
    }

    /// Uniform in [0, 1] (xorshift64*).
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / ((1u64 << 53) - 1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(now_s: u64, lfu: bool) -> AccessClock {
        AccessClock {
            now_ms: now_s * 1000,
            lfu,
            ..AccessClock::default()
        }
    }

    #[test]
    fn lru_idle_time_wraps_like_redis() {
        let c = clock(1000, false);
        assert_eq!(c.idle_ms(c.lru_clock()), 0);
        assert_eq!(c.idle_ms(990), 10_000);
        // A clock past now is a wrap: (now + MAX - lru) seconds.
        assert_eq!(
            c.idle_ms(1001),
            (1000 + u64::from(LRU_CLOCK_MAX) - 1001) * 1000
        );
    }

    #[test]
    fn lfu_counter_decays_per_period_and_grows_logarithmically() {
        let c = clock(600, true); // minute 10
        let lru = (7 << 8) | 20; // last decrement at minute 7, counter 20
        assert_eq!(c.lfu_decr_and_return(lru), 17);
        let slow = AccessClock {
            lfu_decay_time: 2,
            ..c
        };
        assert_eq!(slow.lfu_decr_and_return(lru), 19);
        let never = AccessClock {
            lfu_decay_time: 0,
            ..c
        };
        assert_eq!(never.lfu_decr_and_return(lru), 20);
        // At or below LFU_INIT_VAL every access counts; above, with probability
        // 1/((counter-5)*factor+1).
        assert_eq!(c.lfu_log_incr(5, 0.999), 6);
        assert_eq!(c.lfu_log_incr(6, 0.05), 7);
        assert_eq!(c.lfu_log_incr(6, 0.1), 6);
        assert_eq!(c.lfu_log_incr(255, 0.0), 255);
        assert_eq!(c.initial(), (10 << 8) | 5);
        assert_eq!(c.touched((10 << 8) | 5, 0.5), (10 << 8) | 6);
    }

    #[test]
    fn restored_clock_follows_the_policy() {
        let lru = clock(100, false);
        assert_eq!(lru.restored(Some(3), None), None);
        assert_eq!(lru.restored(None, Some(40)), Some(60));
        assert_eq!(lru.restored(None, Some(140)), Some(LRU_CLOCK_MAX - 40));
        let lfu = clock(120, true);
        assert_eq!(lfu.restored(None, Some(40)), None);
        assert_eq!(lfu.restored(Some(3), None), Some((2 << 8) | 3));
    }

    #[test]
    fn rng_stays_in_the_unit_interval() {
        let mut r = AccessRng::new(42);
        for _ in 0..1000 {
            let x = r.next_unit();
            assert!((0.0..=1.0).contains(&x));
        }
    }
}
