//! `sim`: run seedis in the simulator.
//!
//! ```text
//! sim --seed 42                 one deterministic run: verdict, faults, ops, trace hash
//! sim --seeds 0..10000          a sweep; failures print their seed
//! sim --seeds 0..1000 --shard 2/8   every 8th seed starting at the 2nd (CI matrices)
//! sim check FILE...             check Jepsen/Porcupine histories for linearizability
//! ```

use clap::{Args, Parser, Subcommand};
use serde_json::json;
use sim::checker::cli::{run_check_cli, CheckArgs};
use sim::disk::DiskPlan;
use sim::faults::FaultPlan;
use sim::report;
use sim::run::{default_pipeline, run, AofPolicy, CrashPlan, Failure, RunConfig, RunReport};
use sim::workload::{Extras, Families};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "sim",
    about = "seedis's deterministic simulator and linearizability checker",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check histories (Jepsen EDN / log) for linearizability.
    Check(CheckArgs),
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Run one seed.
    #[arg(long, conflicts_with = "seeds")]
    seed: Option<u64>,
    /// Run a range of seeds, `A..B` (B excluded).
    #[arg(long)]
    seeds: Option<String>,
    /// Run only seeds with index % N == K-1 of the range, written `K/N` (1-based).
    #[arg(long)]
    shard: Option<String>,
    /// Concurrent clients (default 8).
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Commands per client (default 50).
    #[arg(long, default_value_t = 50)]
    ops: usize,
    /// Keys the workload uses (few, so clients collide).
    #[arg(long, default_value_t = 5)]
    keys: u8,
    /// Faults to inject instead of the seed's random mix: a comma list of names,
    /// `all` or `none`.
    #[arg(long)]
    faults: Option<String>,
    /// Most commands a client pipelines at once (default 8, or 2 with multi-key ops or
    /// transactions, whose joined partitions make deep pipelines expensive to check).
    #[arg(long)]
    pipeline: Option<usize>,
    /// Whether MSET/MGET/EXISTS span several keys (default: one seed in four).
    #[arg(long)]
    multi_key: Option<bool>,
    /// Data-type families the workload uses instead of the seed's random mix: a comma
    /// list of strings, lists, hashes, sets, zsets, or `all`.
    #[arg(long)]
    families: Option<String>,
    /// Server crashes and power losses: `seed` (one seed in four crashes, 1 to 3 times),
    /// `always` (every seed does) or `none`.
    #[arg(long, default_value = "seed")]
    crashes: String,
    /// The simulated disk's faults (EIO, ENOSPC, short writes, fsync latency): `seed`
    /// (drawn per seed) or `none`.
    #[arg(long, default_value = "seed")]
    disk_faults: String,
    /// The append-only file in seeds that crash: `seed` (half of them, policy drawn),
    /// `always`, `everysec`, `no` (every crashing seed, that policy) or `none`.
    #[arg(long, default_value = "seed")]
    aof: String,
    /// Print a JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// Worker threads for a sweep (each seed still runs on one thread).
    #[arg(long)]
    jobs: Option<usize>,
    /// Write every op of the run, one line each, to this file (with --seed).
    #[arg(long)]
    dump_history: Option<String>,
    /// Don't shrink a failure (shrinking re-runs the seed many times).
    #[arg(long)]
    no_shrink: bool,
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Check(args)) => run_check_cli(args),
        None => simulate(cli.run),
    };
    std::process::exit(code);
}

fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("--seeds takes A..B, got {text:?}"))?;
    let a: u64 = a.parse().map_err(|_| format!("bad range start {a:?}"))?;
    let b: u64 = b.parse().map_err(|_| format!("bad range end {b:?}"))?;
    if b <= a {
        return Err(format!("empty range {text}"));
    }
    Ok((a, b))
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("--shard takes K/N, got {text:?}"))?;
    let k: u64 = k.parse().map_err(|_| format!("bad shard {k:?}"))?;
    let n: u64 = n.parse().map_err(|_| format!("bad shard count {n:?}"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("--shard {text}: need 1 <= K <= N"));
    }
    Ok((k - 1, n))
}

fn simulate(args: RunArgs) -> i32 {
    match simulate_inner(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("sim: {message}");
            2
        }
    }
}

fn simulate_inner(args: &RunArgs) -> Result<i32, String> {
    let faults = match &args.faults {
        Some(list) => Some(FaultPlan::from_names(list)?),
        None => None,
    };
    let families = match &args.families {
        Some(list) => Some(Families::from_names(list)?),
        None => None,
    };
    let multi_key = |seed: u64| args.multi_key.unwrap_or(seed.is_multiple_of(4));
    let crashes = |seed: u64| match args.crashes.as_str() {
        "none" => Ok(CrashPlan::none()),
        "always" => Ok(CrashPlan::drawn(seed, true)),
        "seed" => Ok(CrashPlan::from_seed(seed)),
        other => Err(format!(
            "--crashes takes seed, always or none, not {other:?}"
        )),
    };
    crashes(0)?;
    let disk_plan = |seed: u64| match args.disk_faults.as_str() {
        "none" => Ok(DiskPlan::none()),
        "seed" => Ok(DiskPlan::from_seed(seed)),
        other => Err(format!("--disk-faults takes seed or none, not {other:?}")),
    };
    disk_plan(0)?;
    let config_for = |seed: u64| RunConfig {
        seed,
        clients: args.clients.max(1),
        ops_per_client: args.ops.max(1),
        keys: args.keys.max(1),
        faults: faults.clone(),
        pipeline_max: args
            .pipeline
            .unwrap_or(default_pipeline(multi_key(seed), Extras::from_seed(seed)))
            .max(1),
        multi_key: multi_key(seed),
        families: families.unwrap_or_else(|| Families::from_seed(seed)),
        extras: Extras::from_seed(seed),
        pipeline_behind_block: RunConfig::new(seed).pipeline_behind_block,
        crashes: crashes(seed).unwrap_or_default(),
        disk: disk_plan(seed).unwrap_or_else(|_| DiskPlan::none()),
        aof: match args.aof.as_str() {
            "none" => None,
            "always" => Some(AofPolicy::Always),
            "everysec" => Some(AofPolicy::Everysec),
            "no" => Some(AofPolicy::No),
            _ => AofPolicy::from_seed(seed),
        },
    };
    if let Some(seed) = args.seed {
        let config = config_for(seed);
        let started = Instant::now();
        let report = run(&config);
        let elapsed = started.elapsed();
        if let Some(path) = &args.dump_history {
            let text: String = report
                .history
                .iter()
                .enumerate()
                .map(|(i, op)| format!("#{i} {}\n", report::describe_op(op)))
                .collect();
            std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))?;
        }
        print_single(&report, &config, elapsed.as_secs_f64(), args);
        return Ok(if report.passed() { 0 } else { 1 });
    }
    let (start, end) = parse_range(args.seeds.as_deref().unwrap_or("0..100"))?;
    let (shard, shards) = match &args.shard {
        Some(text) => parse_shard(text)?,
        None => (0, 1),
    };
    let seeds: Vec<u64> = (start..end)
        .filter(|s| (s - start) % shards == shard)
        .collect();
    sweep(&seeds, &config_for, args)
}

fn print_single(report: &RunReport, config: &RunConfig, seconds: f64, args: &RunArgs) {
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report_json(report, seconds)).unwrap_or_default()
        );
        return;
    }
    println!(
        "seed {}: {}",
        report.seed,
        if report.passed() { "PASS" } else { "FAIL" }
    );
    println!("  faults:     {}", fault_list(report));
    println!("  families:   {}", config.families);
    if report.restarts > 0 {
        println!(
            "  crashes:    {} restarts, {} keys recovered, {} snapshots forked, {} fsyncs",
            report.restarts, report.recovered_keys, report.disk.forks, report.disk.fsyncs
        );
    }
    if report.busy_kills > 0 || report.busy_replies > 0 {
        println!(
            "  busy:       {} spinning scripts killed, {} ops answered -BUSY",
            report.busy_kills, report.busy_replies
        );
    }
    println!(
        "  clients:    {}   ops: {} ({} with unknown outcome)   steps: {}   server passes: {}",
        report.clients, report.ops, report.unknown_ops, report.steps, report.server_passes
    );
    println!(
        "  virtual time: {} ms   wall time: {:.1} ms",
        report.virtual_ms,
        seconds * 1000.0
    );
    println!(
        "  checker:    {} configurations explored",
        report.check_explored
    );
    println!("  trace hash: {:016x}", report.trace_hash);
    if let Some(failure) = &report.failure {
        print_failure(report, config, failure, args);
    }
}

fn fault_list(report: &RunReport) -> String {
    if report.faults.is_empty() {
        "none".into()
    } else {
        report.faults.join(",")
    }
}

fn print_failure(report: &RunReport, config: &RunConfig, failure: &Failure, args: &RunArgs) {
    println!("\n{failure}");
    if args.no_shrink {
        return;
    }
    match failure {
        Failure::NotLinearizable(_) if !report.history.is_empty() => {
            let shrunk = report::shrink_history(&report.history);
            println!("\nshrunk to {} ops that still fail:", shrunk.len());
            for op in &shrunk {
                println!("  {}", report::describe_op(op));
            }
            println!("\nreplay against a real server (redis-cli -p 6379 < replay.txt):");
            print!("{}", report::redis_cli_script(&shrunk));
        }
        _ => {
            let smaller = report::shrink_run(config, failure);
            println!(
                "\nstill fails with --clients {} --ops {} (seed {}): sim --seed {} --clients {} --ops {}{}",
                smaller.clients,
                smaller.ops_per_client,
                smaller.seed,
                smaller.seed,
                smaller.clients,
                smaller.ops_per_client,
                args.faults
                    .as_ref()
                    .map(|f| format!(" --faults {f}"))
                    .unwrap_or_default()
            );
        }
    }
}

fn report_json(report: &RunReport, seconds: f64) -> serde_json::Value {
    json!({
        "seed": report.seed,
        "passed": report.passed(),
        "failure": report.failure.as_ref().map(|f| f.to_string()),
        "faults": report.faults,
        "clients": report.clients,
        "ops": report.ops,
        "unknown_ops": report.unknown_ops,
        "steps": report.steps,
        "server_passes": report.server_passes,
        "virtual_ms": report.virtual_ms,
        "trace_hash": format!("{:016x}", report.trace_hash),
        "check_explored": report.check_explored,
        "check_inconclusive": report.check_inconclusive,
        "wall_ms": seconds * 1000.0,
        "kernel": report.kernel,
    })
}

fn sweep(
    seeds: &[u64],
    config_for: &(dyn Fn(u64) -> RunConfig + Sync),
    args: &RunArgs,
) -> Result<i32, String> {
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let total_ops = AtomicU64::new(0);
    let inconclusive: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    let failures: Mutex<Vec<RunReport>> = Mutex::new(Vec::new());
    let started = Instant::now();
    // A progress bar is for a person at a terminal, not for a log file.
    let show_progress = !args.json && std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&seed) = seeds.get(i) else { break };
                let report = run(&config_for(seed));
                total_ops.fetch_add(report.ops as u64, Ordering::Relaxed);
                if report.check_inconclusive {
                    inconclusive.lock().map(|mut s| s.push(seed)).ok();
                }
                if !report.passed() {
                    eprintln!("\nseed {seed} FAILED: {}", first_line_of_failure(&report));
                    failures.lock().map(|mut f| f.push(report)).ok();
                }
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if show_progress && (finished.is_multiple_of(10) || finished == seeds.len()) {
                    let width = 40;
                    let filled = finished * width / seeds.len().max(1);
                    eprint!(
                        "\r[{}{}] {finished}/{} seeds",
                        "#".repeat(filled),
                        ".".repeat(width - filled),
                        seeds.len()
                    );
                    let _ = std::io::stderr().flush();
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort_by_key(|r| r.seed);
    let ops = total_ops.load(Ordering::Relaxed);
    let mut inconclusive = inconclusive.into_inner().unwrap_or_default();
    inconclusive.sort_unstable();
    if args.json {
        let value = json!({
            "seeds": seeds.len(),
            "failed": failures.iter().map(|r| r.seed).collect::<Vec<_>>(),
            "failures": failures.iter().map(|r| report_json(r, 0.0)).collect::<Vec<_>>(),
            "ops": ops,
            "inconclusive": inconclusive,
            "seconds": seconds,
            "seeds_per_second": seeds.len() as f64 / seconds,
            "ops_per_second": ops as f64 / seconds,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        if show_progress {
            eprintln!();
        }
        println!(
            "{} seeds, {} passed, {} failed in {:.2} s ({:.0} seeds/s, {:.0} simulated ops/s on {jobs} threads)",
            seeds.len(),
            seeds.len() - failures.len(),
            failures.len(),
            seconds,
            seeds.len() as f64 / seconds,
            ops as f64 / seconds,
        );
        if !inconclusive.is_empty() {
            let list: Vec<String> = inconclusive.iter().map(u64::to_string).collect();
            println!(
                "  {} seeds passed without a complete linearizability check (budget spent): {}",
                inconclusive.len(),
                list.join(" ")
            );
        }
        for report in &failures {
            println!(
                "  seed {}: {}  (reproduce: sim --seed {})",
                report.seed,
                first_line_of_failure(report),
                report.seed
            );
        }
    }
    Ok(if failures.is_empty() { 0 } else { 1 })
}

/// A failed run's failure in one line, for sweep output.
fn first_line_of_failure(report: &RunReport) -> String {
    let Some(failure) = &report.failure else {
        return String::new();
    };
    failure.to_string().lines().next().unwrap_or("").to_string()
}
