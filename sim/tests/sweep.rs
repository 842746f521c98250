//! The simulator in `cargo test`: a fixed sweep under swarm faults, a sweep with every
//! fault on, and determinism (same seed, same trace).

use sim::faults::FaultPlan;
use sim::run::{run, RunConfig};

fn assert_sweep(seeds: std::ops::Range<u64>, faults: Option<FaultPlan>) {
    let mut failures = Vec::new();
    for seed in seeds {
        let mut config = RunConfig::new(seed);
        config.faults = faults.clone();
        let report = run(&config);
        if let Some(failure) = report.failure {
            failures.push(format!(
                "seed {seed}: {failure}  (reproduce: sim --seed {seed})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn swarm_sweep_passes() {
    assert_sweep(0..300, None);
}

#[test]
fn every_fault_at_once_sweep_passes() {
    assert_sweep(
        1000..1100,
        Some(FaultPlan::from_names("all").expect("all faults")),
    );
}

#[test]
fn same_seed_same_trace() {
    for seed in [7, 8, 1234] {
        let a = run(&RunConfig::new(seed));
        let b = run(&RunConfig::new(seed));
        assert_eq!(a.trace_hash, b.trace_hash, "seed {seed}");
        assert_eq!(a.history, b.history, "seed {seed}");
        assert_eq!(a.steps, b.steps, "seed {seed}");
    }
    let a = run(&RunConfig::new(1));
    let b = run(&RunConfig::new(2));
    assert_ne!(a.trace_hash, b.trace_hash);
}
