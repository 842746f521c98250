//! Busy scripts in the simulator: seeds with `Extras::busy` send a spinning script that
//! the kernel's administrator kills with SCRIPT KILL while it runs. Every run must pass
//! (each spinner answered Redis's kill error, each kill +OK, each -BUSY reply inside a
//! spinner's window), and over a few seeds clients must actually have met -BUSY.

use sim::run::{run, RunConfig};

#[test]
fn spinning_scripts_are_killed_and_others_get_busy_meanwhile() {
    let (mut kills, mut busy) = (0, 0);
    for seed in 0..40 {
        let report = run(&RunConfig::new(seed));
        assert!(
            report.failure.is_none(),
            "seed {seed}: {:?}",
            report.failure
        );
        kills += report.busy_kills;
        busy += report.busy_replies;
    }
    assert!(
        kills > 5 && busy > 10,
        "{kills} kills, {busy} -BUSY replies"
    );
}
