//! `maxmemory-policy`, typed: which keys eviction may pick and how it ranks them
//! (server.h's MAXMEMORY_* values and flags). The numbers are the enum's values in
//! Redis's config table, which CONFIG GET prints by name.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionPolicy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    NoEviction,
}

impl EvictionPolicy {
    pub const ALL: [EvictionPolicy; 8] = [
        EvictionPolicy::VolatileLru,
        EvictionPolicy::VolatileLfu,
        EvictionPolicy::VolatileRandom,
        EvictionPolicy::VolatileTtl,
        EvictionPolicy::AllkeysLru,
        EvictionPolicy::AllkeysLfu,
        EvictionPolicy::AllkeysRandom,
        EvictionPolicy::NoEviction,
    ];

    /// From the config table's enum value (the order of [`EvictionPolicy::ALL`]).
    pub fn from_enum(v: i32) -> Option<EvictionPolicy> {
        usize::try_from(v)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    pub fn to_enum(self) -> i32 {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(7) as i32
    }

    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::VolatileLru => "volatile-lru",
            EvictionPolicy::VolatileLfu => "volatile-lfu",
            EvictionPolicy::VolatileRandom => "volatile-random",
            EvictionPolicy::VolatileTtl => "volatile-ttl",
            EvictionPolicy::AllkeysLru => "allkeys-lru",
            EvictionPolicy::AllkeysLfu => "allkeys-lfu",
            EvictionPolicy::AllkeysRandom => "allkeys-random",
            EvictionPolicy::NoEviction => "noeviction",
        }
    }

    /// MAXMEMORY_FLAG_LFU: keys' clocks hold LFU counters.
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLfu | EvictionPolicy::AllkeysLfu
        )
    }

    /// MAXMEMORY_FLAG_LRU.
    pub fn is_lru(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLru | EvictionPolicy::AllkeysLru
        )
    }

    /// MAXMEMORY_FLAG_ALLKEYS: any key may go, not only keys with a TTL.
    pub fn is_allkeys(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllkeysLru | EvictionPolicy::AllkeysLfu | EvictionPolicy::AllkeysRandom
        )
    }

    /// The policies that rank keys through the eviction pool (the others pick at random).
    pub fn uses_pool(self) -> bool {
        self.is_lru() || self.is_lfu() || self == EvictionPolicy::VolatileTtl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_match_the_config_table() {
        let param = crate::config::params::PARAMS
            .iter()
            .find(|p| p.name == "maxmemory-policy")
            .unwrap();
        let crate::config::params::Kind::Enum { values } = param.kind else {
            panic!("maxmemory-policy is an enum")
        };
        for (name, v) in values {
            let p = EvictionPolicy::from_enum(*v).unwrap();
            assert_eq!(p.name(), *name);
            assert_eq!(p.to_enum(), *v);
        }
    }
}
