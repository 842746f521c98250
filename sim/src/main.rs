//! The simulator's command line. Only `check` for now; the simulation commands come later.

use clap::{Parser, Subcommand};
use sim::checker::cli::{run_check_cli, CheckArgs};

#[derive(Parser, Debug)]
#[command(
    name = "sim",
    about = "seedis's deterministic simulator and linearizability checker"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check histories for linearizability.
    Check(CheckArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => run_check_cli(args),
    };
    std::process::exit(code);
}
