//! Failures as a person reads them: the checker's verdict in words, a history shrunk to
//! the fewest ops that still fail, and a redis-cli script that replays it.

use crate::checker::{self, FailureInfo, Verdict};
use crate::model::RedisModel;
use crate::run::{run, Failure, HistoryOp, RunConfig, RunReport};
use seedis::resp::Reply;

/// One op in one line: `client 3 GET k1 -> "c2-7"  [12.345 ms .. 12.400 ms]`.
pub fn describe_op(op: &HistoryOp) -> String {
    let reply = match &op.output {
        Some(reply) => describe_reply(reply),
        None => "? (no reply: connection lost)".to_string(),
    };
    let ret = match op.ret {
        Some(ret) => format!("{:.3} ms", ret as f64 / 1000.0),
        None => "never".to_string(),
    };
    format!(
        "client {} {} -> {}  [{:.3} ms .. {}]",
        op.client,
        op.input.cmd.cli_line().replace('\n', "; "),
        reply,
        op.call as f64 / 1000.0,
        ret
    )
}

fn describe_reply(reply: &Reply) -> String {
    match reply {
        Reply::Simple(s) => String::from_utf8_lossy(s).into_owned(),
        Reply::Error(e) => format!("(error) {}", String::from_utf8_lossy(e)),
        Reply::Integer(n) => format!("(integer) {n}"),
        Reply::Bulk(b) => format!("{:?}", String::from_utf8_lossy(b)),
        Reply::Null | Reply::NullArray => "(nil)".to_string(),
        Reply::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(describe_reply)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!("{other:?}"),
    }
}

/// The checker's failure in words.
pub fn explain(history: &[HistoryOp], info: &FailureInfo) -> String {
    let mut out = format!(
        "{} ops of one key group can be ordered, but then none of the next candidates fits.\n",
        info.prefix.len()
    );
    out.push_str("  linearized so far (in order):\n");
    let skip = info.prefix.len().saturating_sub(12);
    if skip > 0 {
        out.push_str(&format!("    ... {skip} earlier ops\n"));
    }
    for &i in &info.prefix[skip..] {
        out.push_str(&format!("    #{i} {}\n", describe_op(&history[i])));
    }
    out.push_str(&format!("  state then: {}\n", info.state_after_prefix));
    out.push_str("  none of these can go next:\n");
    for &i in &info.stuck {
        out.push_str(&format!("    #{i} {}\n", describe_op(&history[i])));
    }
    if let Some(i) = info.blocking {
        out.push_str(&format!(
            "  and #{i} returned before later ops began, so they cannot wait for it\n"
        ));
    }
    out
}

fn is_linearizable(history: &[HistoryOp]) -> bool {
    !matches!(
        checker::check(&RedisModel, history, None).verdict,
        Verdict::NotLinearizable(_)
    )
}

/// Shrinks a non-linearizable history, keeping only what a real run could have
/// produced, so that what is left still means something:
/// 1. the failing partition alone (other keys are independent);
/// 2. the shortest prefix in call order that still fails, where ops that had not
///    returned by the cut become ops with unknown outcome (a history cut short);
/// 3. then reads (commands that change nothing) removed one at a time while it still
///    fails: a history without some reads is one the clients could have run.
///
/// Writes are never removed: a read of a value nobody wrote fails trivially.
pub fn shrink_history(history: &[HistoryOp]) -> Vec<HistoryOp> {
    let result = checker::check(&RedisModel, history, None);
    let Verdict::NotLinearizable(info) = result.verdict else {
        return history.to_vec();
    };
    let mut ops: Vec<HistoryOp> = info.partition.iter().map(|&i| history[i].clone()).collect();
    ops.sort_by_key(|op| op.call);
    // Shortest failing prefix, by binary search on the number of ops called.
    let (mut good, mut bad) = (0usize, ops.len());
    while bad - good > 1 {
        let mid = (good + bad) / 2;
        if is_linearizable(&prefix_at(&ops, mid)) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    let mut ops = prefix_at(&ops, bad);
    let mut i = 0;
    while i < ops.len() {
        if !ops[i].input.cmd.is_read_only() {
            i += 1;
            continue;
        }
        let mut candidate = ops.clone();
        candidate.remove(i);
        if !is_linearizable(&candidate) {
            ops = candidate;
        } else {
            i += 1;
        }
    }
    ops
}

/// The first `n` ops by call time; those that returned after the last call are cut
/// to unknown outcomes, as if the history had been recorded up to that instant.
fn prefix_at(ops: &[HistoryOp], n: usize) -> Vec<HistoryOp> {
    let Some(cut) = ops.get(n.saturating_sub(1)).map(|op| op.call) else {
        return Vec::new();
    };
    ops[..n]
        .iter()
        .map(|op| {
            let mut op = op.clone();
            if op.ret.is_some_and(|ret| ret > cut) {
                op.ret = None;
                op.output = None;
                op.input.ret_ms = None;
            }
            op
        })
        .collect()
}

/// Shrinks a failing run's shape: fewer clients, then fewer ops per client, as long as
/// the same seed still fails in the same way (same kind of failure).
pub fn shrink_run(config: &RunConfig, failure: &Failure) -> RunConfig {
    let same_kind = |report: &RunReport| {
        report
            .failure
            .as_ref()
            .is_some_and(|f| std::mem::discriminant(f) == std::mem::discriminant(failure))
    };
    let mut best = config.clone();
    while best.clients > 1 {
        let mut smaller = best.clone();
        smaller.clients -= 1;
        if same_kind(&run(&smaller)) {
            best = smaller;
        } else {
            break;
        }
    }
    let mut step = best.ops_per_client / 2;
    while step > 0 {
        let mut smaller = best.clone();
        smaller.ops_per_client = best.ops_per_client.saturating_sub(step).max(1);
        if smaller.ops_per_client < best.ops_per_client && same_kind(&run(&smaller)) {
            best = smaller;
        } else {
            step /= 2;
        }
    }
    best
}

/// A redis-cli script replaying the ops in the order they were called, each with the
/// reply seedis gave as a comment, for running against a real server:
/// `redis-cli -p 6379 < replay.txt`.
pub fn redis_cli_script(history: &[HistoryOp]) -> String {
    let mut ops: Vec<&HistoryOp> = history.iter().collect();
    ops.sort_by_key(|op| (op.call, op.client));
    let mut out = String::from("FLUSHALL\n");
    for op in ops {
        let reply = op
            .output
            .as_ref()
            .map(describe_reply)
            .unwrap_or_else(|| "unknown".into());
        out.push_str(&format!(
            "# client {} at {:.3} ms, seedis answered: {reply}\n{}\n",
            op.client,
            op.call as f64 / 1000.0,
            op.input.cmd.cli_line()
        ));
    }
    out
}
