//! LATENCY: Redis's latency monitor (latency.c, sparkline.c). Events slower than
//! `latency-monitor-threshold` ms are sampled into a per-event ring of 160 samples (one per
//! second at most: a second's worst), which LATEST, HISTORY, GRAPH, DOCTOR and RESET read.
//! HISTOGRAM reports the per-command latency histograms INFO latencystats keeps.
//!
//! Events sampled: `command` and `fast-command` (every call, by the command's FAST flag)
//! and `expire-cycle` (the active expiry of the cron). Redis's other events come from
//! parts seedis does not have yet (AOF, fork, eviction, defrag).

use super::table::*;
use super::Ctx;
use crate::resp::Reply;
use bytes::Bytes;
use std::collections::BTreeMap;

/// LATENCY_TS_LEN.
const SAMPLES: usize = 160;
/// LATENCY_GRAPH_COLS.
const GRAPH_COLUMNS: usize = 80;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sample {
    /// Unix time in seconds; 0 is an empty slot.
    time: i64,
    latency_ms: u64,
}

#[derive(Clone, Debug)]
struct TimeSeries {
    /// The slot the next sample goes to.
    idx: usize,
    /// All-time maximum, kept across the ring's wrap.
    max: u64,
    samples: [Sample; SAMPLES],
}

/// The monitor's events, by name.
#[derive(Clone, Debug, Default)]
pub struct LatencyMonitor {
    events: BTreeMap<&'static str, TimeSeries>,
}

impl LatencyMonitor {
    /// latencyAddSampleIfNeeded: samples `latency_ms` for `event` when the monitor is on
    /// and the event is at least as slow as the threshold.
    pub fn add_if_needed(
        &mut self,
        threshold_ms: i64,
        event: &'static str,
        latency_ms: u64,
        now_s: i64,
    ) {
        if Self::samples(threshold_ms, latency_ms) {
            self.add(event, latency_ms, now_s);
        }
    }

    /// Whether an event this long is sampled: callers on the hot path ask first, so a
    /// command that is not slow costs no clock read.
    pub fn samples(threshold_ms: i64, latency_ms: u64) -> bool {
        threshold_ms > 0 && latency_ms >= threshold_ms as u64
    }

    /// latencyAddSample: one sample per second per event, the second's worst.
    fn add(&mut self, event: &'static str, latency_ms: u64, now_s: i64) {
        let ts = self.events.entry(event).or_insert_with(|| TimeSeries {
            idx: 0,
            max: 0,
            samples: [Sample::default(); SAMPLES],
        });
        ts.max = ts.max.max(latency_ms);
        let prev = (ts.idx + SAMPLES - 1) % SAMPLES;
        if ts.samples[prev].time == now_s {
            ts.samples[prev].latency_ms = ts.samples[prev].latency_ms.max(latency_ms);
            return;
        }
        ts.samples[ts.idx] = Sample {
            time: now_s,
            latency_ms,
        };
        ts.idx = (ts.idx + 1) % SAMPLES;
    }

    /// latencyResetEvent: drops one event (case-insensitively), or all; how many.
    fn reset(&mut self, event: Option<&[u8]>) -> i64 {
        let before = self.events.len();
        self.events
            .retain(|name, _| event.is_some_and(|e| !name.as_bytes().eq_ignore_ascii_case(e)));
        (before - self.events.len()) as i64
    }

    fn find(&self, event: &[u8]) -> Option<(&'static str, &TimeSeries)> {
        // dictFetchValue on a case-sensitive dict of event names.
        self.events
            .iter()
            .find(|(name, _)| name.as_bytes() == event)
            .map(|(name, ts)| (*name, ts))
    }
}

impl TimeSeries {
    /// The samples in time order, oldest first.
    fn in_order(&self) -> impl Iterator<Item = &Sample> {
        (0..SAMPLES)
            .map(move |j| &self.samples[(self.idx + j) % SAMPLES])
            .filter(|s| s.time != 0)
    }
}

const HELP: &[&str] = &[
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
    "HELP",
    "    Prints this help.",
];

fn latency_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(
        HELP.iter().map(|l| Reply::simple(l)).collect(),
    ))
}

fn latency_history(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some((_, ts)) = ctx.server.latency.find(&argv[2]) else {
        return Ok(Reply::Array(Vec::new()));
    };
    Ok(Reply::Array(
        ts.in_order()
            .map(|s| {
                Reply::Array(vec![
                    Reply::Integer(s.time),
                    Reply::Integer(s.latency_ms as i64),
                ])
            })
            .collect(),
    ))
}

fn latency_latest(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let events = ctx.server.latency.events.iter().map(|(name, ts)| {
        let last = ts.samples[(ts.idx + SAMPLES - 1) % SAMPLES];
        Reply::Array(vec![
            Reply::bulk(*name),
            Reply::Integer(last.time),
            Reply::Integer(last.latency_ms as i64),
            Reply::Integer(ts.max as i64),
        ])
    });
    Ok(Reply::Array(events.collect()))
}

fn latency_reset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let monitor = &mut ctx.server.latency;
    let resets = if argv.len() == 2 {
        monitor.reset(None)
    } else {
        argv[2..].iter().map(|e| monitor.reset(Some(e))).sum()
    };
    Ok(Reply::Integer(resets))
}

fn latency_graph(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let now_s = (ctx.clock.now_us() / 1_000_000) as i64;
    let Some((event, ts)) = ctx.server.latency.find(&argv[2]) else {
        return Err(Reply::error_bytes(
            [b"ERR No samples available for event '", &argv[2][..], b"'"].concat(),
        ));
    };
    Ok(Reply::Verbatim("txt", Bytes::from(graph(event, ts, now_s))))
}

fn latency_doctor(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let now_s = (ctx.clock.now_us() / 1_000_000) as i64;
    Ok(Reply::Verbatim(
        "txt",
        Bytes::from(doctor::report(ctx, now_s)),
    ))
}

/// LATENCY HISTOGRAM [command ...]: a map of command name to its calls and cumulative
/// latency distribution; unknown names are skipped, a container stands for its
/// subcommands.
fn latency_histogram(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let stats = &ctx.server.command_stats.commands;
    let entry = |name: &'static str| {
        let stat = stats.get(name).filter(|s| !s.latency.is_empty())?;
        let cdf = stat.latency.log_cdf();
        Some((
            Reply::bulk(name),
            Reply::Map(vec![
                (
                    Reply::bulk("calls"),
                    Reply::Integer(stat.latency.total() as i64),
                ),
                (
                    Reply::bulk("histogram_usec"),
                    Reply::Map(
                        cdf.into_iter()
                            .map(|(us, n)| (Reply::Integer(us as i64), Reply::Integer(n as i64)))
                            .collect(),
                    ),
                ),
            ]),
        ))
    };
    let with_subcommands = |cmd: &'static Command| {
        std::iter::once(cmd)
            .chain(cmd.subcommands.iter())
            .filter_map(|c| entry(c.name))
    };
    let pairs: Vec<(Reply, Reply)> = if argv.len() == 2 {
        all().iter().flat_map(with_subcommands).collect()
    } else {
        argv[2..]
            .iter()
            .filter_map(|name| lookup_full_name(name))
            .flat_map(with_subcommands)
            .collect()
    };
    Ok(Reply::Map(pairs))
}

/// latencyCommandGenSparkeline: a title, a rule, and the samples as a sparkline labelled
/// with how long ago each was taken.
fn graph(event: &str, ts: &TimeSeries, now_s: i64) -> String {
    let mut seq = sparkline::Sequence::default();
    let (mut min, mut max) = (0u64, 0u64);
    for (n, s) in ts.in_order().enumerate() {
        if n == 0 {
            (min, max) = (s.latency_ms, s.latency_ms);
        } else {
            min = min.min(s.latency_ms);
            max = max.max(s.latency_ms);
        }
        let elapsed = now_s - s.time;
        let label = if elapsed < 60 {
            format!("{elapsed}s")
        } else if elapsed < 3600 {
            format!("{}m", elapsed / 60)
        } else if elapsed < 3600 * 24 {
            format!("{}h", elapsed / 3600)
        } else {
            format!("{}d", elapsed / (3600 * 24))
        };
        seq.add(s.latency_ms as f64, label);
    }
    let mut out = format!(
        "{event} - high {max} ms, low {min} ms (all time high {} ms)\n",
        ts.max
    );
    out.push_str(&"-".repeat(GRAPH_COLUMNS));
    out.push('\n');
    sparkline::render(&mut out, &seq, GRAPH_COLUMNS, 4);
    out
}

/// sparkline.c, with SPARKLINE_FILL (the only mode LATENCY GRAPH uses).
mod sparkline {
    const CHARSET_FILL: &[u8] = b"_o#";
    const LABEL_MARGIN_TOP: usize = 1;

    #[derive(Default)]
    pub struct Sequence {
        samples: Vec<(f64, String)>,
        min: f64,
        max: f64,
    }

    impl Sequence {
        pub fn add(&mut self, value: f64, label: String) {
            if self.samples.is_empty() {
                (self.min, self.max) = (value, value);
            } else if value < self.min {
                self.min = value;
            } else if value > self.max {
                self.max = value;
            }
            self.samples.push((value, label));
        }
    }

    pub fn render(out: &mut String, seq: &Sequence, columns: usize, rows: usize) {
        let mut j = 0;
        while j < seq.samples.len() {
            let len = (seq.samples.len() - j).min(columns);
            if j != 0 {
                out.push('\n');
            }
            render_range(out, seq, rows, j, len);
            j += columns;
        }
    }

    fn render_range(out: &mut String, seq: &Sequence, rows: usize, offset: usize, len: usize) {
        let mut relmax = seq.max - seq.min;
        if relmax == 0.0 {
            relmax = 1.0;
        }
        let charset_len = CHARSET_FILL.len() as i64;
        let steps = charset_len * rows as i64;
        let mut row = 0usize;
        loop {
            let mut more = false;
            let mut chars = vec![b' '; len];
            for (j, c) in chars.iter_mut().enumerate() {
                let (value, label) = &seq.samples[j + offset];
                let relval = value - seq.min;
                // `(int)(relval*steps)/relmax`, truncated into an int.
                let step = (((relval * steps as f64) as i64) as f64 / relmax) as i64;
                let step = step.clamp(0, steps - 1);
                if row < rows {
                    let charidx = step - (rows - row - 1) as i64 * charset_len;
                    more = true;
                    if (0..charset_len).contains(&charidx) {
                        *c = CHARSET_FILL[charidx as usize];
                    } else if charidx >= charset_len {
                        *c = b'|';
                    }
                } else {
                    // Every sample has a label, so the labels get a margin row first.
                    if row - rows < LABEL_MARGIN_TOP {
                        more = true;
                        break;
                    }
                    let label_char = row - rows - LABEL_MARGIN_TOP;
                    if let Some(&ch) = label.as_bytes().get(label_char) {
                        more = true;
                        *c = ch;
                    }
                }
            }
            if !more {
                break;
            }
            row += 1;
            out.push_str(&String::from_utf8_lossy(&chars));
            out.push('\n');
        }
    }
}

mod doctor;

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("latency", -2, 0, Group::Server, container).subcommands(LATENCY_SUBCOMMANDS)
        .doc("2.8.13", "A container for latency diagnostics commands", "Depends on subcommand."),
];

/// LATENCY's subcommands, sorted by name.
#[rustfmt::skip]
pub const LATENCY_SUBCOMMANDS: &[Command] = &[
    cmd("latency|doctor", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, latency_doctor).tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        .doc("2.8.13", "Return a human readable latency analysis report.", "O(1)"),
    cmd("latency|graph", 3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, latency_graph).tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        .doc("2.8.13", "Return a latency graph for the event.", "O(1)"),
    cmd("latency|help", 2, LOADING | STALE, Group::Server, latency_help)
        .doc("2.8.13", "Show helpful text about the different subcommands.", "O(1)"),
    cmd("latency|histogram", -2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, latency_histogram).tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        .doc("7.0.0", "Return the cumulative distribution of latencies of a subset of commands or all.", "O(N) where N is the number of commands with latency information being retrieved."),
    cmd("latency|history", 3, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, latency_history).tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        .doc("2.8.13", "Return timestamp-latency samples for the event.", "O(1)"),
    cmd("latency|latest", 2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, latency_latest).tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        .doc("2.8.13", "Return the latest latency samples for all events.", "O(1)"),
    cmd("latency|reset", -2, ADMIN | NOSCRIPT | LOADING | STALE, Group::Server, latency_reset).tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .doc("2.8.13", "Reset latency data for one or more events.", "O(1)"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{e, i, Harness};

    /// Redis 7.0.15's LATENCY GRAPH for samples of 50, 200 and 100 ms taken 3 s, 2 s and
    /// 0 s ago (captured from a real server with DEBUG SLEEP).
    #[test]
    fn graph_is_redis_sparkline() {
        let mut monitor = LatencyMonitor::default();
        let t0 = 1_796_316_215;
        monitor.add_if_needed(10, "command", 50, t0);
        monitor.add_if_needed(10, "command", 200, t0 + 1);
        monitor.add_if_needed(10, "command", 100, t0 + 3);
        let (event, ts) = monitor.find(b"command").unwrap();
        let expected = "command - high 200 ms, low 50 ms (all time high 200 ms)\n".to_string()
            + &"-".repeat(80)
            + "\n # \n | \n |o\n_||\n   \n320\nsss\n";
        assert_eq!(graph(event, ts, t0 + 3), expected);
    }

    #[test]
    fn one_sample_per_second_the_worst_and_the_ring_wraps() {
        let mut monitor = LatencyMonitor::default();
        monitor.add_if_needed(0, "command", 500, 1);
        assert!(monitor.events.is_empty(), "threshold 0: the monitor is off");
        monitor.add_if_needed(10, "command", 5, 1);
        assert!(monitor.events.is_empty(), "under the threshold");
        monitor.add_if_needed(10, "command", 20, 1);
        monitor.add_if_needed(10, "command", 30, 1);
        monitor.add_if_needed(10, "command", 25, 1);
        let ts = &monitor.events["command"];
        assert_eq!(
            ts.in_order().copied().collect::<Vec<_>>(),
            vec![Sample {
                time: 1,
                latency_ms: 30
            }]
        );
        for t in 2..=(SAMPLES as i64 + 10) {
            monitor.add_if_needed(10, "command", 11, t);
        }
        let ts = &monitor.events["command"];
        let times: Vec<i64> = ts.in_order().map(|s| s.time).collect();
        assert_eq!(times.len(), SAMPLES);
        assert_eq!(times[0], 11);
        assert_eq!(ts.max, 30, "the all-time maximum outlives its sample");
        assert_eq!(monitor.reset(Some(b"COMMAND")), 1);
        assert_eq!(monitor.reset(None), 0);
    }

    #[test]
    fn commands_sample_slow_calls() {
        let mut h = Harness::new();
        assert_eq!(h.run("LATENCY LATEST"), Reply::Array(vec![]));
        assert_eq!(h.run("LATENCY RESET"), i(0));
        assert_eq!(
            h.run("LATENCY GRAPH command"),
            e("ERR No samples available for event 'command'")
        );
        h.run("CONFIG SET latency-monitor-threshold 100");
        h.run("DEBUG SLEEP 0.25");
        let Reply::Array(latest) = h.run("LATENCY LATEST") else {
            panic!()
        };
        assert_eq!(latest.len(), 1);
        let Reply::Array(fields) = &latest[0] else {
            panic!()
        };
        assert_eq!(fields[0], Reply::bulk("command"));
        assert_eq!(fields[2], i(250));
        assert_eq!(fields[3], i(250));
        let Reply::Array(history) = h.run("LATENCY HISTORY command") else {
            panic!()
        };
        assert_eq!(history.len(), 1);
        assert_eq!(h.run("LATENCY RESET nosuch command"), i(1));
        assert_eq!(h.run("LATENCY HISTORY command"), Reply::Array(vec![]));
    }
}
