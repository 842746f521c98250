//! What INFO commandstats, errorstats and latencystats report (server.c's `call()`,
//! `rejectCommand` and `afterErrorReply`): per command calls, microseconds, rejected and
//! failed calls and a latency histogram; per error prefix a count; and the total of error
//! replies. CONFIG RESETSTAT clears it all.

use std::collections::BTreeMap;

/// One command's counters (`redisCommand.calls`, `.microseconds`, ...).
#[derive(Clone, Debug, Default)]
pub struct CommandStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    pub latency: LatencyHistogram,
}

#[derive(Clone, Debug, Default)]
pub struct CommandStats {
    /// By full name (`get`, `config|get`).
    pub commands: BTreeMap<&'static str, CommandStat>,
    /// By error prefix (`ERR`, `WRONGTYPE`): Redis keeps them in a radix tree, so INFO
    /// lists them sorted.
    pub errors: BTreeMap<Vec<u8>, u64>,
    pub total_error_replies: u64,
}

impl CommandStats {
    /// A command ran (`call()`): its time, and whether its own reply was an error.
    pub fn record_call(&mut self, name: &'static str, usec: u64, failed: bool, latency: bool) {
        let stat = self.commands.entry(name).or_default();
        stat.calls += 1;
        stat.usec = stat.usec.saturating_add(usec);
        if latency {
            stat.latency.record(usec.saturating_mul(1000));
        }
        if failed {
            stat.failed_calls += 1;
        }
    }

    /// A command was refused before it ran (arity, auth, unknown subcommand...).
    pub fn record_rejected(&mut self, name: &'static str) {
        self.commands.entry(name).or_default().rejected_calls += 1;
    }

    /// An error reply went out (`afterErrorReply`): counted under its prefix, the text up
    /// to the first space within its first 32 bytes, or `ERR` when there is none.
    pub fn record_error(&mut self, text: &[u8]) {
        self.total_error_replies += 1;
        // The reply text here has no leading '-'; Redis searches "-PREFIX rest".
        let window = &text[..text.len().min(31)];
        let prefix = match window.iter().position(|&b| b == b' ') {
            Some(at) => &text[..at],
            None => b"ERR",
        };
        *self.errors.entry(prefix.to_vec()).or_default() += 1;
    }
}

/// Latencies in nanoseconds with two significant digits, as Redis's hdr_histogram
/// (1 ns to 1 s, precision 2): 256 one-unit slots, then 128 slots per power of two.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    /// Bucket index -> count; sparse, as most commands see a few distinct latencies.
    counts: BTreeMap<u32, u64>,
    total: u64,
}

const SUB_BUCKETS: u64 = 256;
const HALF: u64 = SUB_BUCKETS / 2;
/// LATENCY_HISTOGRAM_MAX_VALUE: longer latencies are recorded as 1 s.
const MAX_VALUE_NS: u64 = 1_000_000_000;
/// The last slot of hdr's counts array for that range: 23 buckets of 128 half-slots
/// after the first, `(23 + 1) * 128 - 1` (values up to 2^30 - 1 ns).
const LAST_INDEX: u32 = 3071;

impl LatencyHistogram {
    pub fn record(&mut self, ns: u64) {
        let ns = ns.clamp(1, MAX_VALUE_NS);
        *self.counts.entry(index_of(ns)).or_default() += 1;
        self.total += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many latencies were recorded (`total_count`).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// LATENCY HISTOGRAM's `histogram_usec` (fillCommandCDF): walking the histogram with
    /// hdr's logarithmic iterator (first level 1024 ns, base 2), each level's highest
    /// equivalent value in µs and the cumulative count up to it, where the count grew.
    pub fn log_cdf(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let (mut previous, mut seen) = (0u64, 0u64);
        let mut entries = self.counts.iter().peekable();
        let mut level = 1024u64;
        while seen < self.total {
            let level_index = index_of(level);
            if level_index > LAST_INDEX {
                // Past the histogram's range: hdr's iterator runs out of buckets and
                // reports the last one.
                let (low, size) = bucket_range(LAST_INDEX);
                out.push(((low + size - 1) / 1000, self.total));
                break;
            }
            while let Some((_, &count)) = entries.next_if(|(&index, _)| index <= level_index) {
                seen += count;
            }
            if seen > previous {
                let (low, size) = bucket_range(level_index);
                out.push(((low + size - 1) / 1000, seen));
                previous = seen;
            }
            level *= 2;
        }
        out
    }

    /// `hdr_value_at_percentile`: the highest value equivalent to the one at which the
    /// cumulative count reaches `percentile` percent of the total (rounded).
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let percentile = percentile.min(100.0);
        let wanted = (((percentile / 100.0) * self.total as f64) + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0;
        for (&index, &count) in &self.counts {
            seen += count;
            if seen >= wanted {
                let (low, size) = bucket_range(index);
                return if percentile == 0.0 {
                    low
                } else {
                    low + size - 1
                };
            }
        }
        0
    }
}

/// The slot of a value: exact below 256, then 128 slots per power of two.
fn index_of(value: u64) -> u32 {
    if value < SUB_BUCKETS {
        return value as u32;
    }
    // value >> shift lies in [128, 256).
    let shift = (63 - value.leading_zeros()) - 7;
    (SUB_BUCKETS + u64::from(shift - 1) * HALF + ((value >> shift) - HALF)) as u32
}

/// The lowest value of a slot and how many values it holds.
fn bucket_range(index: u32) -> (u64, u64) {
    let index = u64::from(index);
    if index < SUB_BUCKETS {
        return (index, 1);
    }
    let shift = (index - SUB_BUCKETS) / HALF + 1;
    let sub = (index - SUB_BUCKETS) % HALF + HALF;
    (sub << shift, 1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cover_values_with_two_significant_digits() {
        for value in [1u64, 255, 256, 257, 511, 512, 1000, 123_456, 999_999_999] {
            let (low, size) = bucket_range(index_of(value));
            assert!(low <= value && value < low + size, "{value}: {low}+{size}");
            assert!(
                size * 100 <= value.max(1) || size == 1,
                "{value}: slot {size} too wide"
            );
        }
        let mut h = LatencyHistogram::default();
        for ns in [1000, 1000, 1000, 2000, 50_000] {
            h.record(ns);
        }
        assert_eq!(h.value_at_percentile(50.0), 1003);
        assert!((49_800..=50_200).contains(&h.value_at_percentile(99.9)));
    }

    /// The counting rules of Redis 7.0.15's unit/info.tcl (errorstats, failed and rejected
    /// calls, MULTI/EXEC), seen through INFO as a client sees them.
    #[test]
    fn info_reports_calls_failures_rejections_and_error_prefixes() {
        use crate::cmd::testkit::{text, Harness};
        let mut h = Harness::new();
        h.run("SET a b");
        h.run("GET a extra"); // arity: rejected, not called
        h.run("LPUSH a x"); // WRONGTYPE: called and failed
        h.run("NOSUCHCOMMAND"); // no command to count, but an ERR
        h.run("CONFIG NOSUCH"); // unknown subcommand: no command either
        h.run("MULTI");
        h.run("SET k v");
        h.run("AUTH a"); // fails inside EXEC: AUTH failed, EXEC did not
        h.run("EXEC");
        let info = text(&h.run("INFO commandstats"));
        let stat = |name: &str| {
            let key = format!("cmdstat_{name}:");
            let line = info
                .lines()
                .find(|l| l.starts_with(&key))
                .unwrap_or("")
                .to_string();
            line.split(',')
                .filter(|f| !f.starts_with("usec"))
                .map(|f| f.rsplit('=').next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(stat("set"), "2,0,0", "{info}");
        assert_eq!(stat("get"), "0,1,0", "{info}");
        assert_eq!(stat("lpush"), "1,0,1", "{info}");
        assert_eq!(stat("auth"), "1,0,1", "{info}");
        assert_eq!(stat("exec"), "1,0,0", "{info}");
        assert!(!info.contains("cmdstat_config"), "{info}");
        let errors = text(&h.run("INFO errorstats"));
        assert!(errors.contains("errorstat_ERR:count=4\r\n"), "{errors}");
        assert!(
            errors.contains("errorstat_WRONGTYPE:count=1\r\n"),
            "{errors}"
        );
        h.run("CONFIG RESETSTAT");
        let errors = text(&h.run("INFO errorstats"));
        assert_eq!(errors, "# Errorstats\r\n");
    }

    /// Redis 7.0.15's unit/multi.tcl "EXEC fails if there are errors while queueing
    /// commands #2", and the plain refusal past maxmemory.
    #[test]
    fn past_maxmemory_writes_are_refused_and_queued_ones_abort_exec() {
        use crate::cmd::testkit::{b, e, Harness};
        use crate::resp::Reply;
        let oom = || e("OOM command not allowed when used memory > 'maxmemory'.");
        let mut h = Harness::new();
        h.run("SET k v");
        h.run("CONFIG SET maxmemory 1");
        assert_eq!(h.run("SET k2 v"), oom());
        assert_eq!(h.run("GET k"), b("v"), "reads still work");
        assert_eq!(
            h.run("DEL k2"),
            crate::cmd::testkit::i(0),
            "DEL is not denyoom"
        );
        h.run("MULTI");
        assert_eq!(h.run("GET k"), oom(), "anything queued is refused");
        h.server.config.maxmemory = 0; // another client's CONFIG SET, in the Tcl test
        assert_eq!(h.run("SET k3 v"), Reply::simple("QUEUED"));
        assert_eq!(
            h.run("EXEC"),
            e("EXECABORT Transaction discarded because of previous errors.")
        );
        assert_eq!(h.run("EXISTS k3"), crate::cmd::testkit::i(0));
        let stats = crate::cmd::testkit::text(&h.run("INFO errorstats"));
        assert!(stats.contains("errorstat_OOM:count=2"), "{stats}");
    }

    #[test]
    fn errors_count_by_prefix() {
        let mut s = CommandStats::default();
        s.record_error(b"ERR unknown command");
        s.record_error(b"WRONGTYPE Operation against a key");
        s.record_error(b"NOSPACEINTHISERRORATALL");
        assert_eq!(s.errors.get(&b"ERR"[..]), Some(&2));
        assert_eq!(s.errors.get(&b"WRONGTYPE"[..]), Some(&1));
        assert_eq!(s.total_error_replies, 3);
    }
}
