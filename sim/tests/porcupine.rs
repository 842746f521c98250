//! Every history from Porcupine's test data gets the verdict Porcupine's own tests expect.
//!
//! The histories are Porcupine's, published under its licence, and stay outside this
//! repository: in `../shared/histories/porcupine` beside the checkout (CI has it). Without
//! that folder this test says so in one line and passes; the checker's own tests
//! (`checker_histories.rs` and the unit tests) need no files.

use std::io::Write;
use std::path::{Path, PathBuf};

use sim::checker::jepsen::parse_history;
use sim::checker::Verdict;

/// The folder of Porcupine's histories, if it is there.
fn data_dir() -> Option<PathBuf> {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("sim/ is inside the checkout");
    let beside = checkout.parent().unwrap_or(checkout);
    let dir = beside.join("shared/histories/porcupine");
    if dir.is_dir() {
        return Some(dir);
    }
    // Straight to stderr: the test harness captures `eprintln!` of a passing test, and a
    // skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "porcupine: skipped, {} is not there (Porcupine's histories live beside the checkout)",
        dir.display()
    );
    None
}

fn verdict_of(path: &Path) -> Verdict {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let history = parse_history(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    history.check(None).verdict
}

/// One test, so that a missing folder gives one line. Also: the failure reported for a
/// published history with several failing partitions does not depend on thread timing.
#[test]
fn porcupine_verdicts() {
    let Some(dir) = data_dir() else { return };
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

    let path = dir.join("kv/c50-bad.txt");
    let first = verdict_of(&path);
    assert!(matches!(first, Verdict::NotLinearizable(_)));
    for _ in 0..5 {
        assert_eq!(verdict_of(&path), first);
    }
}
