//! `sim check FILE... [--json] [--bench N] [--html OUT] [--timeout SECONDS]`.
//!
//! Exit code: 0 = every history linearizable, 1 = some history is not, 2 = some file could
//! not be read or parsed, or some verdict is unknown (timeout) — "could not decide" is not a
//! pass, and not a proven failure either.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

/// `println!` that ignores a closed stdout (`sim check ... | head`) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use super::engine::{check, CheckResult, Model, Operation, Verdict};
use super::html;
use super::jepsen::{parse_history, History};
use super::models::{KvInput, KvModel, KvOp, KvOutput, RegInput, RegOutput, RegisterModel};

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// History files: Jepsen EDN event maps (get/put/append kv) or Jepsen etcd logs
    /// (read/write/cas register); the format is detected from the content.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print one JSON document with every file's result instead of text.
    #[arg(long)]
    pub json: bool,
    /// Check every file N times and report the median time.
    #[arg(long, value_name = "N")]
    pub bench: Option<u32>,
    /// Write a self-contained HTML page drawing each history per client, failures marked.
    #[arg(long, value_name = "OUT")]
    pub html: Option<PathBuf>,
    /// Give up on a history after this many seconds (verdict "unknown").
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

/// One file's outcome, as printed in `--json` mode.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    /// "kv" or "register"; empty when the file could not be parsed.
    pub model: String,
    /// "linearizable", "not_linearizable", "unknown" or "error".
    pub verdict: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub ops: usize,
    pub partitions: usize,
    /// Configurations the search memoized (its work).
    pub explored: u64,
    pub runs: u32,
    /// Median wall time over `runs` runs.
    pub time_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureReport>,
    /// The ops, for the HTML view (not serialized: the input file has them).
    #[serde(skip)]
    pub timeline: Vec<html::OpView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    /// Op indices (in invocation order, from 0) of the longest linearizable prefix.
    pub prefix: Vec<usize>,
    pub state_after_prefix: String,
    /// Ops that could have gone next; none is legal after the prefix.
    pub stuck: Vec<usize>,
    pub blocking: Option<usize>,
    pub partition_ops: usize,
    /// The explanation in words, one line per entry.
    pub explanation: Vec<String>,
}

pub fn run_check_cli(args: CheckArgs) -> i32 {
    let runs = args.bench.unwrap_or(1).max(1);
    let deadline = args
        .timeout
        .and_then(|s| Duration::try_from_secs_f64(s).ok());
    let mut reports = Vec::new();
    for file in &args.files {
        let report = check_file(file, runs, deadline);
        if !args.json {
            print_text(&report, args.bench.is_some());
        }
        reports.push(report);
    }
    if args.json {
        match serde_json::to_string_pretty(&reports) {
            Ok(s) => out!("{s}"),
            Err(e) => {
                eprintln!("sim check: cannot encode JSON: {e}");
                return 2;
            }
        }
    }
    let mut code = 0;
    if let Some(out) = &args.html {
        if let Err(e) = std::fs::write(out, html::render(&reports)) {
            eprintln!("sim check: cannot write {}: {e}", out.display());
            code = 2;
        }
    }
    for r in &reports {
        code = code.max(match r.verdict.as_str() {
            "linearizable" => 0,
            "not_linearizable" => 1,
            _ => 2,
        });
    }
    code
}

fn check_file(file: &std::path::Path, runs: u32, deadline: Option<Duration>) -> FileReport {
    let mut report = FileReport {
        file: file.display().to_string(),
        model: String::new(),
        verdict: "error".into(),
        error: None,
        ops: 0,
        partitions: 0,
        explored: 0,
        runs,
        time_ms: 0.0,
        failure: None,
        timeline: Vec::new(),
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            report.error = Some(format!("cannot read: {e}"));
            return report;
        }
    };
    match parse_history(&text) {
        Err(e) => report.error = Some(e.to_string()),
        Ok(History::Kv(h)) => {
            report.model = "kv".into();
            run_model(&mut report, &KvModel, &h, runs, deadline, describe_kv);
        }
        Ok(History::Register(h)) => {
            report.model = "register".into();
            run_model(
                &mut report,
                &RegisterModel,
                &h,
                runs,
                deadline,
                describe_reg,
            );
        }
    }
    report
}

fn run_model<M: Model>(
    report: &mut FileReport,
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    runs: u32,
    deadline: Option<Duration>,
    describe: fn(&M::Input, Option<&M::Output>) -> String,
) {
    let mut times = Vec::new();
    let mut first: Option<CheckResult> = None;
    for _ in 0..runs {
        let r = check(model, history, deadline);
        times.push(r.elapsed);
        first.get_or_insert(r);
    }
    let Some(result) = first else { return };
    times.sort();
    report.time_ms = times[times.len() / 2].as_secs_f64() * 1e3;
    report.ops = result.ops;
    report.partitions = result.partitions;
    report.explored = result.explored;
    report.verdict = match &result.verdict {
        Verdict::Linearizable => "linearizable",
        Verdict::NotLinearizable(_) => "not_linearizable",
        Verdict::Unknown => "unknown",
    }
    .into();
    report.timeline = history
        .iter()
        .map(|op| html::OpView {
            client: op.client,
            call: op.call,
            ret: op.ret,
            label: describe(&op.input, op.output.as_ref()),
            mark: html::Mark::Plain,
        })
        .collect();
    if let Verdict::NotLinearizable(info) = &result.verdict {
        for &i in &info.partition {
            report.timeline[i].mark = html::Mark::Partition;
        }
        for &i in &info.prefix {
            report.timeline[i].mark = html::Mark::Prefix;
        }
        for &i in &info.stuck {
            report.timeline[i].mark = html::Mark::Stuck;
        }
        if let Some(b) = info.blocking {
            report.timeline[b].mark = html::Mark::Blocking;
        }
        let show = |i: usize| {
            let op = &history[i];
            let ret = op.ret.map_or("?".to_string(), |r| r.to_string());
            format!(
                "#{i} client {} [t={}..{ret}] {}",
                op.client,
                op.call,
                describe(&op.input, op.output.as_ref())
            )
        };
        let mut lines = vec![format!(
            "a partition of {} ops has no linearization; the longest linearizable prefix has {} ops",
            info.partition.len(),
            info.prefix.len()
        )];
        const TAIL: usize = 8;
        if !info.prefix.is_empty() {
            let skip = info.prefix.len().saturating_sub(TAIL);
            lines.push(format!(
                "its last {} ops, in linearization order:",
                info.prefix.len() - skip
            ));
            lines.extend(
                info.prefix[skip..]
                    .iter()
                    .map(|&i| format!("  {}", show(i))),
            );
        }
        lines.push(format!(
            "model state after the prefix: {}",
            info.state_after_prefix
        ));
        lines.push("no op can go next; pending ops per client, each illegal in that state:".into());
        let mut stuck = info.stuck.clone();
        stuck.sort_by_key(|&i| (history[i].client, i));
        lines.extend(stuck.iter().map(|&i| format!("  {}", show(i))));
        if let Some(b) = info.blocking {
            let op = &history[b];
            lines.push(format!(
                "#{b} (client {}) returned at t={}, so it must be ordered before every op called after that; \
                 no op called earlier can make it legal",
                op.client,
                op.ret.unwrap_or(0)
            ));
        }
        report.failure = Some(FailureReport {
            prefix: info.prefix.clone(),
            state_after_prefix: info.state_after_prefix.clone(),
            stuck: info.stuck.clone(),
            blocking: info.blocking,
            partition_ops: info.partition.len(),
            explanation: lines,
        });
    }
}

fn describe_kv(input: &KvInput, output: Option<&KvOutput>) -> String {
    let out = match output {
        None => "?".to_string(),
        Some(KvOutput::Ok) => "ok".to_string(),
        Some(KvOutput::Value(v)) => format!("{v:?}"),
    };
    match &input.op {
        KvOp::Get => format!("get({:?}) -> {out}", input.key.name),
        KvOp::Put(v) => format!("put({:?}, {v:?}) -> {out}", input.key.name),
        KvOp::Append(v) => format!("append({:?}, {v:?}) -> {out}", input.key.name),
    }
}

fn describe_reg(input: &RegInput, output: Option<&RegOutput>) -> String {
    let out = match output {
        None => "?".to_string(),
        Some(RegOutput::Read(None)) => "nil".to_string(),
        Some(RegOutput::Read(Some(v))) => v.to_string(),
        Some(RegOutput::Write) => "ok".to_string(),
        Some(RegOutput::Cas(ok)) => if *ok { "ok" } else { "failed" }.to_string(),
    };
    match input {
        RegInput::Read => format!("read -> {out}"),
        RegInput::Write(v) => format!("write({v}) -> {out}"),
        RegInput::Cas { from, to } => format!("cas({from}, {to}) -> {out}"),
    }
}

fn print_text(r: &FileReport, bench: bool) {
    let timing = if bench {
        format!("median {:.3} ms over {} runs", r.time_ms, r.runs)
    } else {
        format!("{:.3} ms", r.time_ms)
    };
    match r.verdict.as_str() {
        "error" => out!("{}: error: {}", r.file, r.error.as_deref().unwrap_or("?")),
        v => {
            let word = match v {
                "linearizable" => "linearizable",
                "not_linearizable" => "NOT linearizable",
                _ => "UNKNOWN (timed out)",
            };
            out!(
                "{}: {word} ({} model, {} ops, {} partitions, {timing}, {} states explored)",
                r.file,
                r.model,
                r.ops,
                r.partitions,
                r.explored
            );
        }
    }
    if let Some(f) = &r.failure {
        for line in &f.explanation {
            out!("    {line}");
        }
    }
}
