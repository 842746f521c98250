//! `seedis-server [config-file] [--option value ...]`: the real server on epoll.
//!
//! Settings are applied in Redis's order: defaults, then the config file, then the
//! command line, all through the one table in `seedis::config`.

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use seedis::config::{Config, LoadError};
use seedis::net::mio::MioPoller;
use seedis::server::log::{Level, Log, WriterLog};
use seedis::server::EventLoop;
use seedis::storage::fs::FsStorage;
use std::io::Read;

/// jemalloc, as Redis ships with: measured against glibc's malloc with bench/memory.py
/// (README, "Memory").
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use std::process::ExitCode;

const USAGE: &str = "Usage: ./seedis-server [/path/to/redis.conf] [options] [-]
       ./seedis-server - (read config from stdin)
       ./seedis-server -v or --version
       ./seedis-server -h or --help

Examples:
       ./seedis-server (run the server with default conf)
       ./seedis-server /etc/redis/6379.conf
       ./seedis-server --port 7777
       ./seedis-server --port 7777 --replicaof 127.0.0.1 8888
       ./seedis-server /etc/myredis.conf --loglevel verbose -
       ./seedis-server /etc/myredis.conf --loglevel verbose

Every redis.conf directive is also an option: `--name value...` is read as the line
`name value...` after the file. seedis adds one: --seed N fixes the server's RNG
(RANDOMKEY, hash seeds) so a run is reproducible (default: drawn from the OS).";

/// The command line as redis-server reads it.
struct Args {
    config_file: Option<String>,
    config_from_stdin: bool,
    /// The options as config lines (`main()`'s `options` string).
    options: String,
    seed: Option<u64>,
}

enum Parsed {
    Run(Args),
    Exit(ExitCode),
}

/// redis-server's `main()` argument handling: a first argument not starting with `-` is
/// the config file; `-` (first or last) reads the config from stdin; every `--name`
/// starts a config line and the words after it are its (quoted) arguments; `--save`
/// with nothing after it means `save ""`.
fn parse_args(argv: &[String]) -> Result<Parsed, String> {
    let mut argv = argv.to_vec();
    let mut seed = None;
    if let Some(at) = argv.iter().position(|a| a == "--seed") {
        let value = argv.get(at + 1).ok_or("--seed needs a number")?;
        seed = Some(
            value
                .parse()
                .map_err(|_| format!("--seed: not a number: {value}"))?,
        );
        argv.drain(at..at + 2);
    }
    if argv.len() == 2 {
        match argv[1].as_str() {
            "-v" | "--version" => {
                println!(
                    "seedis server v={} (Redis 7.0.15 compatible) bits=64",
                    env!("CARGO_PKG_VERSION")
                );
                return Ok(Parsed::Exit(ExitCode::SUCCESS));
            }
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return Ok(Parsed::Exit(ExitCode::SUCCESS));
            }
            _ => {}
        }
    }
    let mut j = 1;
    let mut config_file = None;
    if argv.len() > 1 && !argv[1].starts_with('-') {
        config_file = Some(argv[1].clone());
        j = 2;
    }
    let mut options = String::new();
    let mut config_from_stdin = false;
    let mut handled_last_arg = true;
    while j < argv.len() {
        let arg = &argv[j];
        let last = j == argv.len() - 1;
        if arg == "-" && (j == 1 || last) {
            config_from_stdin = true;
        } else if handled_last_arg && arg.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&arg[2..]);
            options.push(' ');
            if arg.split_whitespace().count() == 1 {
                handled_last_arg = false;
                let next_is_option = !last && argv[j + 1].starts_with("--");
                if arg.eq_ignore_ascii_case("--save") && (next_is_option || last) {
                    options.push_str("\"\"");
                    handled_last_arg = next_is_option;
                }
            } else {
                handled_last_arg = true;
            }
        } else {
            options.push_str(&repr(arg));
            options.push(' ');
            handled_last_arg = true;
        }
        j += 1;
    }
    Ok(Parsed::Run(Args {
        config_file,
        config_from_stdin,
        options,
        seed,
    }))
}

/// `sdscatrepr`: the argument quoted so that `sdssplitargs` gives it back.
fn repr(arg: &str) -> String {
    let mut out = Vec::with_capacity(arg.len() + 2);
    seedis::util::sds_repr(arg.as_bytes(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Redis's fatal config error, as `loadServerConfigFromString` prints it.
fn fatal(error: &LoadError) -> String {
    format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}",
        error.line_number, error.line, error.reason
    )
}

fn load_config(args: &Args) -> Result<Config, String> {
    let mut text = String::new();
    if let Some(path) = &args.config_file {
        text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "Fatal error, can't open config file '{path}': {}",
                os_reason(&e)
            )
        })?;
    }
    if args.config_from_stdin {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("Fatal error, can't read config from stdin: {e}"))?;
    }
    if !args.options.is_empty() {
        text.push('\n');
        text.push_str(&args.options);
    }
    let mut config = Config::default();
    let mut include = |path: &str| {
        std::fs::read_to_string(path).map_err(|e| {
            format!(
                "Fatal error, can't open config file '{path}': {}",
                os_reason(&e)
            )
        })
    };
    config
        .apply_text(&text, &mut include)
        .map_err(|e| fatal(&e))?;
    // setConfigDirOption chdirs as it reads `dir`; CONFIG GET dir then shows getcwd().
    if config.dir != "." {
        std::env::set_current_dir(&config.dir).map_err(|e| {
            fatal(&LoadError {
                line_number: 0,
                line: format!("dir {}", config.dir),
                reason: os_reason(&e),
            })
        })?;
    }
    if let Ok(cwd) = std::env::current_dir() {
        config.dir = cwd.to_string_lossy().into_owned();
    }
    Ok(config)
}

/// `strerror(errno)` without Rust's " (os error N)" suffix.
fn os_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
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
        .map_err(|e| format!("Can't open the log file: {}", os_reason(&e)))?;
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
/// than trimmed after every free. (No effect on other C libraries.) Only for a build on
/// the system allocator (`--no-default-features`): jemalloc reuses such memory by itself.
#[cfg(not(feature = "jemalloc"))]
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
    #[cfg(not(feature = "jemalloc"))]
    tune_allocator();
    let argv: Vec<String> = std::env::args().collect();
    let args = match parse_args(&argv) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Exit(code)) => return code,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
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
    let mut server = match EventLoop::new(poller, Box::new(FsStorage::new()), config, rng, log) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("Could not create server TCP listening socket {e}");
            return ExitCode::from(1);
        }
    };
    let (executable, config_file) = process_paths(args.config_file.as_deref());
    server.set_process_info(std::process::id(), executable, config_file);
    #[cfg(feature = "jemalloc")]
    server.set_allocator(seedis::mem::jemalloc());
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
    if server.load_acl_file().is_err() || server.load_data_from_disk().is_err() {
        return ExitCode::from(1);
    }
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
