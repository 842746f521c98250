//! The `rand48` generator Redis's scripts draw `math.random` from (`rand.c`): the same
//! sequence on every platform. Redis 7.0 keeps one state for the whole process, never
//! reseeded between scripts (only `math.randomseed` does), starting from rand48's fixed
//! initial value: deterministic without any per-script reseed.

/// 48-bit linear congruential state, as three 16-bit words in Redis.
#[derive(Clone, Copy, Debug)]
pub struct Rand48 {
    x: u64,
}

const A: u64 = 0x5_DEEC_E66D;
const C: u64 = 0xB;
const MASK48: u64 = (1 << 48) - 1;

/// `REDIS_LRAND48_MAX`: `lrand48` returns values below 2^31.
pub const LRAND48_MAX: i64 = i32::MAX as i64;

impl Rand48 {
    /// `redisSrand48(seed)`: the high word is 0x330E's partner, the seed's 32 bits above it.
    pub fn new(seed: i32) -> Rand48 {
        let seed = seed as u32 as u64;
        Rand48 {
            x: (seed << 16) | 0x330E,
        }
    }

    /// `redisLrand48`: the next state's top 31 bits.
    pub fn next_i32(&mut self) -> i32 {
        self.x = (A.wrapping_mul(self.x).wrapping_add(C)) & MASK48;
        (self.x >> 17) as i32
    }

    /// What `math.random` starts from: `(lrand48() % MAX) / MAX`.
    pub fn next_unit(&mut self) -> f64 {
        (i64::from(self.next_i32()) % LRAND48_MAX) as f64 / LRAND48_MAX as f64
    }
}

impl Default for Rand48 {
    /// The static initial state of `rand.c` (`X2 X1 X0` = 0x1234 0xABCD 0x330E).
    fn default() -> Rand48 {
        Rand48 {
            x: 0x1234_ABCD_330E,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_libc_lrand48_after_srand48() {
        // glibc's srand48(seed); lrand48(), printed by a C program (same algorithm).
        let mut r = Rand48::new(0);
        assert_eq!(r.next_i32(), 366850414);
        assert_eq!(r.next_i32(), 1610402240);
        assert_eq!(r.next_i32(), 206956554);
        assert_eq!(Rand48::new(-5).next_i32(), 1754100061);
    }

    #[test]
    fn fresh_state_matches_a_fresh_redis() {
        // `EVAL "return {math.random(1000000), math.random(1000000)}" 0` on a freshly
        // started redis-server 7.0.15 answers 396465, 840486.
        let mut r = Rand48::default();
        let draw = |r: &mut Rand48| (r.next_unit() * 1_000_000.0).floor() + 1.0;
        assert_eq!(draw(&mut r), 396465.0);
        assert_eq!(draw(&mut r), 840486.0);
    }
}
