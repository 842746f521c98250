//! Restricted clients in the simulator: seeds with `Extras::acl` run half the clients as
//! the ACL user `limited`. The model predicts every NOPERM reply and that a refused
//! command changes nothing; here we check that refusals of every kind really happen
//! (a run where the server allowed them would fail the check) and that the runs pass.

use bytes::Bytes;
use seedis::resp::Reply;
use sim::faults::FaultPlan;
use sim::run::{run, RunConfig};
use sim::workload::{limited_denial, Cmd, Extras, Families};

#[test]
fn restricted_clients_get_every_kind_of_noperm_and_the_model_agrees() {
    let mut refusals = [0usize; 3];
    let mut allowed = 0;
    for seed in 0..20 {
        let mut config = RunConfig::new(seed);
        config.extras = Extras {
            acl: true,
            ..Extras::from_seed(seed)
        };
        config.families = Families::ALL;
        config.faults = Some(FaultPlan::from_names("none").expect("no faults"));
        let report = run(&config);
        assert!(
            report.failure.is_none(),
            "seed {seed}: {:?}",
            report.failure
        );
        for op in report.history.iter().filter(|op| op.input.limited) {
            let Some(Reply::Error(text)) = &op.output else {
                if op.output.is_some() && !matches!(op.input.cmd, Cmd::Auth) {
                    allowed += 1;
                }
                continue;
            };
            if !text.starts_with(b"NOPERM") {
                continue;
            }
            assert_eq!(
                Some(Bytes::copy_from_slice(text)),
                limited_denial(&op.input.cmd).map(|t| Bytes::from_static(t.as_bytes())),
                "{:?}",
                op.input.cmd
            );
            let kind = if text.ends_with(b"command") {
                0
            } else if text.ends_with(b"keys used as arguments") {
                1
            } else {
                2
            };
            refusals[kind] += 1;
        }
    }
    assert!(refusals[0] > 0 && refusals[1] > 0, "refusals {refusals:?}");
    assert!(allowed > 0, "no restricted command was allowed");
}
