//! performEvictions (evict.c): before a command runs with `maxmemory` set, keys are
//! evicted under `maxmemory-policy` until used memory is back under the limit; when
//! nothing more can go, the caller refuses deny-oom commands with `-OOM`.
//!
//! The keyspace picks each key (`db::evict`); here it is deleted, counted
//! (`evicted_keys`), announced (`evicted` keyspace event, watchers told) and propagated
//! as a DEL (UNLINK under `lazyfree-lazy-eviction`), all evictions of one call as one
//! unwrapped batch. Memory is whatever `ServerState::used_memory` reports: jemalloc's
//! count in the server binary, the keyspace's deterministic estimate elsewhere (the
//! simulator), so eviction there is a function of the seed.

use super::{notify, Ctx};
use bytes::Bytes;

/// What performEvictions concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evict {
    /// Under the limit (or eviction is not allowed now).
    Ok,
    /// Over the limit, and the time limit stopped the evicting: it continues from the
    /// cron (Redis's evictionTimeProc).
    Running,
    /// Over the limit with nothing left that the policy may evict.
    Fail,
}

/// The counters and flags INFO reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct EvictionState {
    pub evicted_keys: u64,
    /// Eviction stopped at its time limit and the cron goes on with it.
    pub running: bool,
    /// When memory went over the limit without eviction bringing it back (µs).
    pub exceeded_since_us: Option<u64>,
    pub total_exceeded_us: u64,
}

impl EvictionState {
    /// INFO's `current_eviction_exceeded_time`, in ms.
    pub fn current_exceeded_ms(&self, now_us: u64) -> u64 {
        self.exceeded_since_us
            .map_or(0, |t| now_us.saturating_sub(t) / 1000)
    }
}

/// evictionTimeLimitUs: tenacity 0..=10 is 0..500 µs, then 15 % more per step, 100 is
/// no limit.
pub fn time_limit_us(tenacity: u64) -> u64 {
    match tenacity {
        0..=10 => 50 * tenacity,
        11..=99 => (500.0 * 1.15f64.powf(tenacity as f64 - 10.0)) as u64,
        _ => u64::MAX,
    }
}

/// performEvictions.
pub fn perform_evictions(ctx: &mut Ctx<'_>) -> Evict {
    let result = evict(ctx);
    // update_metrics.
    let now = ctx.server.now_us;
    let state = &mut ctx.server.eviction;
    match result {
        Evict::Running | Evict::Fail => {
            state.exceeded_since_us.get_or_insert(now);
        }
        Evict::Ok => {
            if let Some(since) = state.exceeded_since_us.take() {
                state.total_exceeded_us += now.saturating_sub(since);
            }
        }
    }
    result
}

fn evict(ctx: &mut Ctx<'_>) -> Evict {
    // isSafeToPerformEvictions: not while loading, nor while clients are paused (the
    // dataset stays still); and only before a top-level command (Redis's
    // processCommand), never inside EXEC or a script.
    let now_ms = ctx.now_ms();
    if ctx.keyspace.is_loading()
        || ctx.server.propagation.is_nested()
        || ctx.server.pause.check(now_ms)
    {
        return Evict::Ok;
    }
    let maxmemory = ctx.server.config.maxmemory;
    if maxmemory == 0 {
        return Evict::Ok;
    }
    let used = ctx.server.used_memory(ctx.keyspace);
    if used <= maxmemory {
        return Evict::Ok;
    }
    let policy = ctx.server.config.maxmemory_policy;
    if policy == crate::config::policy::EvictionPolicy::NoEviction {
        return Evict::Fail;
    }
    let to_free = used - maxmemory;
    let limit_us = time_limit_us(ctx.server.config.maxmemory_eviction_tenacity);
    let samples = ctx.server.config.maxmemory_samples.clamp(1, 1 << 16) as usize;
    let lazy = ctx.server.config.get("lazyfree-lazy-eviction").as_deref() == Some("yes");
    let start_us = ctx.clock.now_us();
    let mut freed: i64 = 0;
    let mut keys_freed = 0u64;
    let mut result = Evict::Ok;
    while freed < to_free as i64 {
        let Some((db, key)) = ctx
            .keyspace
            .eviction_candidate(policy, samples, &mut ctx.server.rng)
        else {
            result = Evict::Fail;
            break;
        };
        let before = ctx.server.used_memory(ctx.keyspace) as i64;
        let del_start = ctx.clock.now_us();
        // `remove` tells watchers (signalModifiedKey).
        ctx.keyspace.remove(db, &key);
        let del_ms = ctx.clock.now_us().saturating_sub(del_start) / 1000;
        add_latency(ctx, "eviction-del", del_ms);
        freed += before - ctx.server.used_memory(ctx.keyspace) as i64;
        ctx.server.eviction.evicted_keys += 1;
        notify::notify_db(ctx, notify::EVICTED, "evicted", &key, db);
        let del: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
        super::propagate::propagate_deletion(ctx.server, db, vec![Bytes::from_static(del), key]);
        keys_freed += 1;
        if keys_freed.is_multiple_of(16) && ctx.clock.now_us().saturating_sub(start_us) > limit_us {
            // Past the time limit: the cron goes on evicting (evictionTimeProc).
            ctx.server.eviction.running = true;
            break;
        }
    }
    if result != Evict::Fail && ctx.server.eviction.running {
        result = Evict::Running;
    }
    // The evictions' DELs are one batch, never wrapped in MULTI/EXEC.
    ctx.propagate_pending(false);
    let cycle_ms = ctx.clock.now_us().saturating_sub(start_us) / 1000;
    add_latency(ctx, "eviction-cycle", cycle_ms);
    result
}

fn add_latency(ctx: &mut Ctx<'_>, event: &'static str, ms: u64) {
    let threshold = ctx.server.config.latency_monitor_threshold;
    let now_s = (ctx.server.now_us / 1_000_000) as i64;
    ctx.server
        .latency
        .add_if_needed(threshold, event, ms, now_s);
}

/// evictionTimeProc, from the cron: go on evicting until under the limit or out of
/// keys.
pub fn eviction_cron(ctx: &mut Ctx<'_>) {
    if !ctx.server.eviction.running {
        return;
    }
    ctx.server.eviction.running = false;
    if perform_evictions(ctx) == Evict::Running {
        ctx.server.eviction.running = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

    #[test]
    fn tenacity_limits_as_redis() {
        assert_eq!(time_limit_us(0), 0);
        assert_eq!(time_limit_us(10), 500);
        assert_eq!(time_limit_us(11), 575);
        assert_eq!(time_limit_us(100), u64::MAX);
    }

    fn used(h: &mut Harness) -> u64 {
        h.server.used_memory(&h.keyspace)
    }

    fn fill(h: &mut Harness, n: usize, ttl: bool) {
        for k in 0..n {
            if ttl {
                h.run(format!("SET key:{k} {} EX 1000", "v".repeat(100)).as_str());
            } else {
                h.run(format!("SET key:{k} {}", "v".repeat(100)).as_str());
            }
        }
    }

    /// Under each evicting policy, memory is brought back under the limit before the
    /// command, counted and propagated as DELs; volatile policies touch only keys with a
    /// TTL and fail (OOM) once none is left; noeviction refuses.
    #[test]
    fn evicts_under_each_policy_until_under_the_limit() {
        for policy in crate::config::policy::EvictionPolicy::ALL {
            let mut h = Harness::new();
            fill(&mut h, 50, false);
            fill_ttl_keys(&mut h);
            let limit = used(&mut h) - 2000;
            h.run(format!("CONFIG SET maxmemory-policy {}", policy.name()).as_str());
            h.run(format!("CONFIG SET maxmemory {limit}").as_str());
            h.server.propagation.take_batches();
            let reply = h.run("SET new 1");
            if policy == crate::config::policy::EvictionPolicy::NoEviction {
                assert_eq!(reply, e(OOM));
                assert_eq!(h.server.eviction.evicted_keys, 0);
                continue;
            }
            assert_eq!(reply, Reply::OK, "{policy:?}");
            let evicted = h.server.eviction.evicted_keys;
            assert!(evicted > 0, "{policy:?}");
            let batches = h.server.propagation.take_batches();
            let dels = batches[0]
                .ops
                .iter()
                .filter(|op| &op.argv[0][..] == b"DEL")
                .count();
            assert_eq!(dels as u64, evicted, "{policy:?}: one DEL per evicted key");
            if !policy.is_allkeys() {
                assert_eq!(h.run("DBSIZE"), i(50 + 20 - evicted as i64 + 1));
                // Only TTL keys went: every key:N is still there.
                assert_eq!(h.run("EXISTS key:0 key:49"), i(2), "{policy:?}");
                // With every volatile key gone, nothing more can be evicted.
                h.run("CONFIG SET maxmemory 1");
                assert_eq!(h.run("SET other 1"), e(OOM), "{policy:?}");
                assert!(!h.run("GET key:0").is_error());
                assert_eq!(h.run("DBSIZE"), i(51));
            }
            h.keyspace.check_invariants().unwrap();
        }
    }

    fn fill_ttl_keys(h: &mut Harness) {
        for k in 0..20 {
            h.run(format!("SET ttl:{k} {} EX {}", "v".repeat(100), 1000 + k).as_str());
        }
    }

    /// volatile-ttl evicts the nearest deadline first; allkeys-lru the idlest key.
    #[test]
    fn ttl_and_lru_pick_the_right_keys() {
        let mut h = Harness::new();
        fill_ttl_keys(&mut h);
        let limit = used(&mut h) - 10;
        h.run("CONFIG SET maxmemory-policy volatile-ttl");
        h.run("CONFIG SET maxmemory-samples 20");
        h.run(format!("CONFIG SET maxmemory {limit}").as_str());
        h.run("PING");
        assert_eq!(h.server.eviction.evicted_keys, 1);
        assert_eq!(h.run("EXISTS ttl:0"), i(0));
        assert_eq!(h.run("EXISTS ttl:1"), i(1));

        let mut h = Harness::new();
        fill(&mut h, 10, false);
        h.advance_ms(5000);
        for k in [0, 1, 2, 4, 5, 6, 7, 8, 9] {
            h.run(format!("GET key:{k}").as_str());
        }
        let limit = used(&mut h) - 10;
        h.run("CONFIG SET maxmemory-policy allkeys-lru");
        h.run("CONFIG SET maxmemory-samples 10");
        h.run(format!("CONFIG SET maxmemory {limit}").as_str());
        assert_eq!(h.run("GET key:0"), b(&"v".repeat(100)));
        assert_eq!(h.run("EXISTS key:3"), i(0), "the one key not read for 5 s");
        assert!(crate::cmd::testkit::text(&h.run("INFO stats")).contains("evicted_keys:1\r\n"));
    }
}
