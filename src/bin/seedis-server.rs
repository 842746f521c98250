//! `seedis-server [config-file] [--option value ...]`: the real server on epoll.
//!
//! Settings are applied in Redis's order: defaults, then the config file, then the
//! command line, all through the one table in `seedis::config`.

use clap::Parser;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use seedis::config::{Config, ConfigError};
use seedis::net::mio::MioPoller;
use seedis::server::log::{Level, Log, WriterLog};
use seedis::server::EventLoop;
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "seedis-server",
    version,
    about = "A Redis-compatible key-value server"
)]
struct Args {
    /// A redis.conf-style file (`name value` lines), applied before the flags below.
    config_file: Option<String>,
    /// TCP port to listen on.
    #[arg(long)]
    port: Option<String>,
    /// Addresses to listen on, space separated (default 127.0.0.1).
    #[arg(long)]
    bind: Option<String>,
    /// Cron frequency in Hz (active expiry, idle clients).
    #[arg(long)]
    hz: Option<String>,
    /// Close clients idle for this many seconds (0 = never).
    #[arg(long)]
    timeout: Option<String>,
    #[arg(long)]
    maxclients: Option<String>,
    #[arg(long)]
    databases: Option<String>,
    /// debug, verbose, notice, warning or nothing.
    #[arg(long)]
    loglevel: Option<String>,
    /// Log to this file instead of standard output.
    #[arg(long)]
    logfile: Option<String>,
    #[arg(long)]
    requirepass: Option<String>,
    #[arg(long = "protected-mode")]
    protected_mode: Option<String>,
    #[arg(long = "proto-max-bulk-len")]
    proto_max_bulk_len: Option<String>,
    #[arg(long = "client-query-buffer-limit")]
    client_query_buffer_limit: Option<String>,
    /// `class hard soft seconds`, e.g. "normal 64mb 0 0".
    #[arg(long = "client-output-buffer-limit")]
    client_output_buffer_limit: Option<String>,
    /// Accepted for compatibility with scripts written for redis-server; seedis keeps
    /// no snapshot.
    #[arg(long)]
    save: Option<String>,
    #[arg(long)]
    appendonly: Option<String>,
    /// Seed of the server's RNG (RANDOMKEY, hash seeds): makes a run reproducible.
    /// Default: drawn from the OS.
    #[arg(long)]
    seed: Option<u64>,
}

impl Args {
    fn overrides(&self) -> Vec<(&'static str, &String)> {
        let pairs: [(&'static str, &Option<String>); 15] = [
            ("port", &self.port),
            ("bind", &self.bind),
            ("hz", &self.hz),
            ("timeout", &self.timeout),
            ("maxclients", &self.maxclients),
            ("databases", &self.databases),
            ("loglevel", &self.loglevel),
            ("logfile", &self.logfile),
            ("requirepass", &self.requirepass),
            ("protected-mode", &self.protected_mode),
            ("proto-max-bulk-len", &self.proto_max_bulk_len),
            ("client-query-buffer-limit", &self.client_query_buffer_limit),
            (
                "client-output-buffer-limit",
                &self.client_output_buffer_limit,
            ),
            ("save", &self.save),
            ("appendonly", &self.appendonly),
        ];
        pairs
            .into_iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| (name, v)))
            .collect()
    }
}

fn load_config(args: &Args) -> Result<Config, String> {
    let mut config = Config::default();
    if let Some(path) = &args.config_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("Fatal error, can't open config file '{path}': {e}"))?;
        config.apply_file(&text).map_err(|(line, why)| {
            format!("*** FATAL CONFIG FILE ERROR (seedis) ***\nReading the configuration file, at line {line}\n>>> {why}")
        })?;
    }
    for (name, value) in args.overrides() {
        config.set_at_startup(name, value).map_err(|e| match e {
            ConfigError::Invalid(why) => format!("Invalid --{name} '{value}': {why}"),
            other => format!("Invalid --{name} '{value}': {other:?}"),
        })?;
    }
    Ok(config)
}

/// Redis's `getAbsolutePath` (util.c), which INFO's `executable` (from argv[0]) and
/// `config_file` show: a path that starts with `/` stays as it is; any other is joined to
/// the working directory, folding only its leading `../` components into it, so
/// `./../r.conf` run in `/a/b` is `/a/b/./../r.conf`, as redis-server 7.0 prints it.
fn absolute_path(cwd: &str, path: &str) -> String {
    let mut relative = path.trim_matches([' ', '\r', '\n', '\t']);
    if relative.starts_with('/') {
        return relative.to_string();
    }
    let mut absolute = cwd.to_string();
    if !absolute.ends_with('/') {
        absolute.push('/');
    }
    while let Some(rest) = relative.strip_prefix("../") {
        relative = rest;
        if absolute.len() > 1 {
            // Drop the directory's last component, keeping the '/' before it.
            let last_slash = absolute[..absolute.len() - 1].rfind('/');
            absolute.truncate(last_slash.map_or(0, |i| i + 1));
        }
    }
    absolute + relative
}

/// INFO's `executable` and `config_file` for this process. Without a working directory
/// (Redis's getcwd failing) a relative path is shown as given.
fn process_paths(config_file: Option<&str>) -> (String, String) {
    let cwd = std::env::current_dir()
        .map(|dir| dir.to_string_lossy().into_owned())
        .ok();
    let absolute = |path: &str| match &cwd {
        Some(cwd) => absolute_path(cwd, path),
        None => path.to_string(),
    };
    let argv0 = std::env::args_os()
        .next()
        .map(|arg| arg.to_string_lossy().into_owned())
        .unwrap_or_default();
    (
        absolute(&argv0),
        config_file.map(absolute).unwrap_or_default(),
    )
}

fn seed_from_os() -> [u8; 32] {
    let mut seed = [0u8; 32];
    if let Ok(mut urandom) = std::fs::File::open("/dev/urandom") {
        if urandom.read_exact(&mut seed).is_ok() {
            return seed;
        }
    }
    // No /dev/urandom: the time and pid still make runs differ.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    seed[..16].copy_from_slice(&nanos.to_le_bytes());
    seed[16..20].copy_from_slice(&std::process::id().to_le_bytes());
    seed
}

fn make_log(config: &Config) -> Result<Box<dyn Log>, String> {
    let pid = std::process::id();
    let min_level = Level::from_name(&config.loglevel);
    if config.logfile.is_empty() {
        return Ok(Box::new(WriterLog {
            pid,
            min_level,
            out: std::io::stdout(),
        }));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&config.logfile)
        .map_err(|e| format!("Can't open the log file '{}': {e}", config.logfile))?;
    Ok(Box::new(WriterLog {
        pid,
        min_level,
        out: file,
    }))
}

/// Keeps glibc from giving every big allocation its own `mmap` and returning it with
/// `munmap` when freed. A 1 MiB value is an allocation of its own (its bytes are read
/// straight into it), so a stream of `SET k <1 MiB>` mapped, faulted in page by page
/// (zeroed by the kernel) and unmapped 1 MiB per command: a quarter of the server's time
/// in `perf` (page faults, unmapping), and 20 % more CPU per request than Redis, whose
/// jemalloc keeps such memory for reuse. With these settings allocations under 32 MiB come
/// from the heap and are reused, and up to 128 MiB free at the heap's top is kept rather
/// than trimmed after every free. (No effect on other C libraries.)
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocation thresholds; called once at start,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024 * 1024);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let args = Args::parse();
    let config = match load_config(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    let log = match make_log(&config) {
        Ok(log) => log,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    let rng = match args.seed {
        Some(seed) => ChaCha8Rng::seed_from_u64(seed),
        None => ChaCha8Rng::from_seed(seed_from_os()),
    };
    let poller = match MioPoller::new() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("Failed creating the event loop: {e}");
            return ExitCode::from(1);
        }
    };
    let port = config.port;
    let bind = config.bind.clone();
    let mut server = match EventLoop::new(poller, config, rng, log) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("Could not create server TCP listening socket {e}");
            return ExitCode::from(1);
        }
    };
    let (executable, config_file) = process_paths(args.config_file.as_deref());
    server.set_process_info(std::process::id(), executable, config_file);
    server.log(
        Level::Notice,
        &format!(
            "seedis {} started, pid={}",
            env!("CARGO_PKG_VERSION"),
            std::process::id()
        ),
    );
    server.log(
        Level::Notice,
        &format!("Running mode=standalone, port={port}."),
    );
    server.log(
        Level::Notice,
        &format!("Ready to accept connections tcp on {bind} port {port}"),
    );
    if let Err(e) = server.run() {
        server.log(Level::Warning, &format!("Event loop failed: {e}"));
        return ExitCode::from(1);
    }
    server.log(Level::Warning, "seedis is now ready to exit, bye bye...");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::absolute_path;

    /// Pinned to what redis-server 7.0.15 prints in INFO, started from /tmp/srvtest/sub.
    #[test]
    fn absolute_paths_are_what_redis_prints() {
        let cwd = "/tmp/srvtest/sub";
        assert_eq!(
            absolute_path(cwd, "redis-server"),
            "/tmp/srvtest/sub/redis-server"
        );
        assert_eq!(
            absolute_path(cwd, "./../r.conf"),
            "/tmp/srvtest/sub/./../r.conf"
        );
        assert_eq!(
            absolute_path(cwd, "./../sub/../r.conf"),
            "/tmp/srvtest/sub/./../sub/../r.conf"
        );
        assert_eq!(
            absolute_path(cwd, "../../srvtest/sub/../../../usr/bin/redis-server"),
            "/tmp/srvtest/sub/../../../usr/bin/redis-server"
        );
        assert_eq!(absolute_path(cwd, "../r.conf"), "/tmp/srvtest/r.conf");
        assert_eq!(absolute_path(cwd, "/etc/redis.conf"), "/etc/redis.conf");
        assert_eq!(absolute_path(cwd, " r.conf\n"), "/tmp/srvtest/sub/r.conf");
        // Leading ../ never climbs above the root.
        assert_eq!(absolute_path("/", "../../r.conf"), "/r.conf");
        assert_eq!(absolute_path("/tmp/", "../../r.conf"), "/r.conf");
    }
}
