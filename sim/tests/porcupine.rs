//! Every history from Porcupine's test data gets the verdict Porcupine's own tests expect.

use std::path::PathBuf;

use sim::checker::jepsen::{parse_history, History};
use sim::checker::{check, KvModel, RegisterModel, Verdict};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/histories/porcupine")
}

fn verdict_of(path: &std::path::Path) -> Verdict {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let history = parse_history(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match history {
        History::Kv(h) => check(&KvModel, &h, None).verdict,
        History::Register(h) => check(&RegisterModel, &h, None).verdict,
    }
}

#[test]
fn porcupine_verdicts() {
    let dir = data_dir();
    let verdicts = std::fs::read_to_string(dir.join("verdicts.txt")).expect("verdicts.txt");
    let mut checked = 0;
    for line in verdicts.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (file, expected) = line.split_once(' ').expect("'FILE true|false'");
        let expected: bool = expected.trim().parse().expect("true or false");
        let verdict = verdict_of(&dir.join(file));
        match (&verdict, expected) {
            (Verdict::Linearizable, true) | (Verdict::NotLinearizable(_), false) => {}
            _ => panic!("{file}: expected linearizable={expected}, got {verdict:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 108);
}

/// The failure reported for a history with several failing partitions does not depend on
/// thread timing.
#[test]
fn failure_report_is_deterministic() {
    let path = data_dir().join("kv/c50-bad.txt");
    let first = verdict_of(&path);
    assert!(matches!(first, Verdict::NotLinearizable(_)));
    for _ in 0..5 {
        assert_eq!(verdict_of(&path), first);
    }
}
