//! The checker on histories this project writes or generates itself, in the two formats
//! `sim check` reads (Jepsen EDN key-value events and Jepsen's etcd log lines), each with
//! a verdict known by construction. Unlike `porcupine.rs`, nothing here reads a file.

use sim::checker::jepsen::parse_history;
use sim::checker::{CheckResult, Verdict};

fn checked(text: &str) -> CheckResult {
    parse_history(text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .check(None)
}

fn linearizable(text: &str) -> bool {
    match checked(text).verdict {
        Verdict::Linearizable => true,
        Verdict::NotLinearizable(_) => false,
        Verdict::Unknown => panic!("no deadline, yet unknown"),
    }
}

/// One EDN event: `process type f key value` (`value` already in EDN: `nil`, `"x"`).
fn edn(events: &[(u32, &str, &str, &str, &str)]) -> String {
    events
        .iter()
        .map(|(process, kind, f, key, value)| {
            format!(
                "{{:process {process}, :type :{kind}, :f :{f}, :key \"{key}\", :value {value}}}\n"
            )
        })
        .collect()
}

/// Jepsen etcd log lines: `process type f value`, tab-separated as Jepsen writes them.
fn etcd(events: &[(u32, &str, &str, &str)]) -> String {
    events
        .iter()
        .map(|(process, kind, f, value)| {
            format!("INFO  jepsen.util - {process}\t:{kind}\t:{f}\t{value}\n")
        })
        .collect()
}

#[test]
fn kv_concurrent_appends_and_reads() {
    // Two appends overlap; one read sees the first alone, a later one both in the order
    // that read implies. Key "b" is independent and untouched by "a"'s ops.
    let h = edn(&[
        (0, "invoke", "append", "a", "\"x\""),
        (1, "invoke", "append", "a", "\"y\""),
        (2, "invoke", "get", "a", "nil"),
        (2, "ok", "get", "a", "\"y\""),
        (0, "ok", "append", "a", "\"x\""),
        (1, "ok", "append", "a", "\"y\""),
        (2, "invoke", "get", "a", "nil"),
        (2, "ok", "get", "a", "\"yx\""),
        (3, "invoke", "get", "b", "nil"),
        (3, "ok", "get", "b", "\"\""),
    ]);
    assert!(linearizable(&h));
}

#[test]
fn kv_stale_read_is_not_linearizable() {
    let h = edn(&[
        (0, "invoke", "put", "a", "\"1\""),
        (0, "ok", "put", "a", "\"1\""),
        (0, "invoke", "put", "a", "\"2\""),
        (0, "ok", "put", "a", "\"2\""),
        (1, "invoke", "get", "a", "nil"),
        (1, "ok", "get", "a", "\"1\""),
    ]);
    assert!(!linearizable(&h));
}

#[test]
fn kv_unknown_outcome_may_apply_or_not_but_not_both() {
    let put_info = [
        (0, "invoke", "put", "a", "\"1\""),
        (0, "info", "put", "a", "\"1\""),
    ];
    let read = |v: &'static str| [(1, "invoke", "get", "a", "nil"), (1, "ok", "get", "a", v)];
    assert!(linearizable(&edn(&[put_info, read("\"1\"")].concat())));
    assert!(linearizable(&edn(&[put_info, read("\"\"")].concat())));
    assert!(!linearizable(&edn(&[
        put_info,
        read("\"1\""),
        read("\"\"")
    ]
    .concat())));
}

#[test]
fn etcd_register_with_cas_failures_and_timeouts() {
    // A failed CAS did not happen; a timed-out write may have. Reads: nil, then 3, then 0.
    let h = etcd(&[
        (0, "invoke", "read", "nil"),
        (0, "ok", "read", "nil"),
        (1, "invoke", "write", "3"),
        (1, "ok", "write", "3"),
        (2, "invoke", "cas", "[1 4]"),
        (2, "fail", "cas", "[1 4]"),
        (3, "invoke", "write", "9"),
        (3, "info", "write", ":timed-out"),
        (0, "invoke", "read", "nil"),
        (0, "ok", "read", "3"),
        (2, "invoke", "cas", "[3 0]"),
        (2, "ok", "cas", "[3 0]"),
        (0, "invoke", "read", "nil"),
        (0, "ok", "read", "0"),
    ]);
    assert!(linearizable(&h));
}

#[test]
fn etcd_read_of_a_value_never_written_is_not_linearizable() {
    let h = etcd(&[
        (1, "invoke", "write", "3"),
        (1, "ok", "write", "3"),
        (2, "invoke", "cas", "[3 0]"),
        (2, "ok", "cas", "[3 0]"),
        (0, "invoke", "read", "nil"),
        (0, "ok", "read", "3"),
    ]);
    assert!(!linearizable(&h));
}

/// Two overlapping writes, then a read. Read 2: writing 1 then 2, in call order, fits
/// at once. Read 1: that first order is a dead end the search has to undo and try the
/// writes the other way round. Read 1 and then 2: no order fits, after trying both.
#[test]
fn etcd_search_backtracks_out_of_a_dead_end() {
    let writes = [
        (0, "invoke", "write", "1"),
        (1, "invoke", "write", "2"),
        (0, "ok", "write", "1"),
        (1, "ok", "write", "2"),
    ];
    let read = |v: &'static str| [(2, "invoke", "read", "nil"), (2, "ok", "read", v)];
    let straight = checked(&etcd(&[writes.as_slice(), &read("2")].concat()));
    let backtracked = checked(&etcd(&[writes.as_slice(), &read("1")].concat()));
    assert_eq!(straight.verdict, Verdict::Linearizable);
    assert_eq!(backtracked.verdict, Verdict::Linearizable);
    assert!(
        backtracked.explored > straight.explored,
        "a dead end costs configurations: {} vs {}",
        backtracked.explored,
        straight.explored
    );
    let refuted = checked(&etcd(&[writes.as_slice(), &read("1"), &read("2")].concat()));
    assert!(matches!(refuted.verdict, Verdict::NotLinearizable(_)));
    // Refuted only after both orders of the writes were tried.
    assert!(refuted.explored >= backtracked.explored);
}

/// A small deterministic generator (xorshift) for generated histories.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A kv history of `processes` clients over `keys` keys, linearizable by construction:
/// each op takes effect on a real store at the instant its completion is logged, inside
/// its window. A few puts end `:info` (applied or not, the history does not say).
/// Returns the EDN text and, per op completed by an `:ok` get, its line number.
fn generated_kv_history(seed: u64, processes: u32, keys: u64, ops: usize) -> (String, Vec<usize>) {
    let mut rng = Rng(seed | 1);
    let mut store = vec![String::new(); keys as usize];
    let mut pending: Vec<Option<(String, u64, String)>> = vec![None; processes as usize];
    let mut lines = Vec::new();
    let mut gets = Vec::new();
    let mut infos = 0;
    let mut started = 0;
    while started < ops || pending.iter().any(Option::is_some) {
        let p = rng.below(u64::from(processes)) as usize;
        match pending[p].take() {
            None if started < ops => {
                started += 1;
                let key = rng.below(keys);
                let (f, value) = match rng.below(3) {
                    0 => ("get", "nil".to_string()),
                    1 => ("put", format!("\"p{p}.{started}\"")),
                    _ => ("append", format!("\"a{p}.{started} \"")),
                };
                lines.push(format!(
                    "{{:process {p}, :type :invoke, :f :{f}, :key \"{key}\", :value {value}}}"
                ));
                pending[p] = Some((f.to_string(), key, value));
            }
            None => {}
            Some((f, key, value)) => {
                let slot = &mut store[key as usize];
                let bare = value.trim_matches('"');
                let (kind, value) = match f.as_str() {
                    "get" => {
                        gets.push(lines.len());
                        ("ok", format!("{slot:?}"))
                    }
                    "put" if infos < 3 && rng.below(20) == 0 => {
                        infos += 1;
                        if rng.below(2) == 0 {
                            *slot = bare.to_string();
                        }
                        ("info", value)
                    }
                    "put" => {
                        *slot = bare.to_string();
                        ("ok", value)
                    }
                    _ => {
                        slot.push_str(bare);
                        ("ok", value)
                    }
                };
                lines.push(format!(
                    "{{:process {p}, :type :{kind}, :f :{f}, :key \"{key}\", :value {value}}}"
                ));
            }
        }
    }
    (lines.join("\n"), gets)
}

/// `text` with the values the `:ok` gets at `lines` report replaced by one nobody wrote.
fn with_bad_reads(text: &str, lines: &[usize]) -> String {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            if lines.contains(&i) {
                let cut = line.find(":value ").expect("a value") + ":value ".len();
                format!("{}\"never written\"}}", &line[..cut])
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn generated_kv_histories_pass_and_a_bad_read_fails() {
    for seed in 1..=5 {
        let (text, gets) = generated_kv_history(seed, 5, 4, 300);
        let ok = checked(&text);
        assert_eq!(ok.verdict, Verdict::Linearizable, "seed {seed}");
        assert_eq!(ok.partitions, 4, "seed {seed}: one partition per key");
        let bad = with_bad_reads(&text, &gets[gets.len() / 2..gets.len() / 2 + 1]);
        assert!(!linearizable(&bad), "seed {seed}");
    }
}

/// The failure reported for a history with several failing partitions is the same on
/// every run: it depends on the search's step counts, not on thread timing.
#[test]
fn failure_report_with_several_failing_partitions_is_deterministic() {
    let (text, gets) = generated_kv_history(42, 8, 6, 600);
    // A bad read in the second half of every fourth get: several keys fail.
    let bad_lines: Vec<usize> = gets[gets.len() / 2..].iter().step_by(4).copied().collect();
    let bad = with_bad_reads(&text, &bad_lines);
    let first = checked(&bad).verdict;
    assert!(matches!(first, Verdict::NotLinearizable(_)));
    for _ in 0..5 {
        assert_eq!(checked(&bad).verdict, first);
    }
}
