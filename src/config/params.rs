//! Every parameter of Redis 7.0.15, as its `config.c` declares them (`static_configs`):
//! name, alias, flags, type with bounds, and the default a pristine redis-server 7.0.15
//! reports in CONFIG GET. Written out from that table once (and checked against a real
//! server by `tests/diff_config.rs`); the parsing and printing rules live in `value.rs`.

/// `IMMUTABLE_CONFIG`: only a config file or the command line may set it.
pub const IMMUTABLE: u16 = 1 << 0;
/// `SENSITIVE_CONFIG`: its value is redacted from logs (passwords).
pub const SENSITIVE: u16 = 1 << 1;
/// `DEBUG_CONFIG`: for testing; CONFIG REWRITE leaves it out unless changed.
pub const DEBUG: u16 = 1 << 2;
/// `MULTI_ARG_CONFIG`: the value is a list of words.
pub const MULTI_ARG: u16 = 1 << 3;
/// `HIDDEN_CONFIG`: CONFIG GET with a pattern does not list it; its exact name does.
pub const HIDDEN: u16 = 1 << 4;
/// `PROTECTED_CONFIG`: CONFIG SET needs `enable-protected-configs`.
pub const PROTECTED: u16 = 1 << 5;
/// `DENY_LOADING_CONFIG`: CONFIG SET is refused while a dataset loads.
pub const DENY_LOADING: u16 = 1 << 6;
/// `VOLATILE_CONFIG`: setting the same value counts as a change.
pub const VOLATILE: u16 = 1 << 7;

/// Numeric flags (`MEMORY_CONFIG`, `PERCENT_CONFIG`, `OCTAL_CONFIG`).
pub const MEMORY: u8 = 1 << 0;
pub const PERCENT: u8 = 1 << 1;
pub const OCTAL: u8 = 1 << 2;

/// The C type a numeric setting is stored in: it decides whether the bounds are
/// compared as signed or unsigned numbers (`numericBoundaryCheck`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumType {
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    SizeT,
    SSizeT,
    TimeT,
    OffT,
}

impl NumType {
    /// `unsigned long long`, `unsigned int` and `size_t` are range-checked unsigned.
    pub fn unsigned_bounds(self) -> bool {
        matches!(self, NumType::ULongLong | NumType::UInt | NumType::SizeT)
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `yes` / `no`.
    Bool,
    /// A string; with `empty_is_null` an empty value means "not set".
    Str { empty_is_null: bool },
    /// One of the names (several for MULTI_ARG enums, whose values are bit flags).
    /// Names may share a value; GET prints the first.
    Enum {
        values: &'static [(&'static str, i32)],
    },
    /// A number within `lower..=upper` (C `long long`s, compared per [`NumType`]).
    Num {
        ty: NumType,
        lower: i64,
        upper: i64,
        flags: u8,
    },
    /// Parsed and printed by its own code (`special.rs`).
    Special,
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u16,
    pub kind: Kind,
    /// The value as CONFIG GET prints it on a server started with no settings.
    pub default: &'static str,
}

#[rustfmt::skip]
pub const PARAMS: &[Param] = &[
    Param { name: "rdbchecksum", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "yes" },
    Param { name: "daemonize", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "no" },
    Param { name: "io-threads-do-reads", alias: None, flags: DEBUG | IMMUTABLE, kind: Kind::Bool, default: "no" },
    Param { name: "always-show-logo", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "no" },
    Param { name: "protected-mode", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "rdbcompression", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "rdb-del-sync-files", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "activerehashing", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "stop-writes-on-bgsave-error", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "set-proc-title", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "yes" },
    Param { name: "dynamic-hz", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "lazyfree-lazy-eviction", alias: None, flags: DEBUG, kind: Kind::Bool, default: "no" },
    Param { name: "lazyfree-lazy-expire", alias: None, flags: DEBUG, kind: Kind::Bool, default: "no" },
    Param { name: "lazyfree-lazy-server-del", alias: None, flags: DEBUG, kind: Kind::Bool, default: "no" },
    Param { name: "lazyfree-lazy-user-del", alias: None, flags: DEBUG, kind: Kind::Bool, default: "no" },
    Param { name: "lazyfree-lazy-user-flush", alias: None, flags: DEBUG, kind: Kind::Bool, default: "no" },
    Param { name: "repl-disable-tcp-nodelay", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "repl-diskless-sync", alias: None, flags: DEBUG, kind: Kind::Bool, default: "yes" },
    Param { name: "aof-rewrite-incremental-fsync", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "no-appendfsync-on-rewrite", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "cluster-require-full-coverage", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "rdb-save-incremental-fsync", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "aof-load-truncated", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "aof-use-rdb-preamble", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "aof-timestamp-enabled", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "cluster-replica-no-failover", alias: Some("cluster-slave-no-failover"), flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "replica-lazy-flush", alias: Some("slave-lazy-flush"), flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "replica-serve-stale-data", alias: Some("slave-serve-stale-data"), flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "replica-read-only", alias: Some("slave-read-only"), flags: DEBUG, kind: Kind::Bool, default: "yes" },
    Param { name: "replica-ignore-maxmemory", alias: Some("slave-ignore-maxmemory"), flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "jemalloc-bg-thread", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "activedefrag", alias: None, flags: DEBUG, kind: Kind::Bool, default: "no" },
    Param { name: "syslog-enabled", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "no" },
    Param { name: "cluster-enabled", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "no" },
    Param { name: "appendonly", alias: None, flags: DENY_LOADING, kind: Kind::Bool, default: "no" },
    Param { name: "cluster-allow-reads-when-down", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "cluster-allow-pubsubshard-when-down", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "crash-log-enabled", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "crash-memcheck-enabled", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "use-exit-on-panic", alias: None, flags: HIDDEN, kind: Kind::Bool, default: "no" },
    Param { name: "disable-thp", alias: None, flags: IMMUTABLE, kind: Kind::Bool, default: "yes" },
    Param { name: "cluster-allow-replica-migration", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "replica-announced", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "latency-tracking", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "aof-disable-auto-gc", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "replica-ignore-disk-write-errors", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "aclfile", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: false }, default: "" },
    Param { name: "unixsocket", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "pidfile", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "replica-announce-ip", alias: Some("slave-announce-ip"), flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "masteruser", alias: None, flags: SENSITIVE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "cluster-announce-ip", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "cluster-config-file", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: false }, default: "nodes.conf" },
    Param { name: "cluster-announce-hostname", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "syslog-ident", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: false }, default: "redis" },
    Param { name: "dbfilename", alias: None, flags: PROTECTED, kind: Kind::Str { empty_is_null: false }, default: "dump.rdb" },
    Param { name: "appendfilename", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: false }, default: "appendonly.aof" },
    Param { name: "appenddirname", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: false }, default: "appendonlydir" },
    Param { name: "server_cpulist", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "bio_cpulist", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "aof_rewrite_cpulist", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "bgsave_cpulist", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "ignore-warnings", alias: None, flags: 0, kind: Kind::Str { empty_is_null: false }, default: "" },
    Param { name: "proc-title-template", alias: None, flags: 0, kind: Kind::Str { empty_is_null: false }, default: "{title} {listen-addr} {server-mode}" },
    Param { name: "bind-source-addr", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "logfile", alias: None, flags: IMMUTABLE, kind: Kind::Str { empty_is_null: false }, default: "" },
    Param { name: "masterauth", alias: None, flags: SENSITIVE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "requirepass", alias: None, flags: SENSITIVE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "supervised", alias: None, flags: IMMUTABLE, kind: Kind::Enum { values: &[("upstart", 3), ("systemd", 2), ("auto", 1), ("no", 0)] }, default: "no" },
    Param { name: "syslog-facility", alias: None, flags: IMMUTABLE, kind: Kind::Enum { values: &[("user", 8), ("local0", 128), ("local1", 136), ("local2", 144), ("local3", 152), ("local4", 160), ("local5", 168), ("local6", 176), ("local7", 184)] }, default: "local0" },
    Param { name: "repl-diskless-load", alias: None, flags: DEBUG | DENY_LOADING, kind: Kind::Enum { values: &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)] }, default: "disabled" },
    Param { name: "loglevel", alias: None, flags: 0, kind: Kind::Enum { values: &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)] }, default: "notice" },
    Param { name: "maxmemory-policy", alias: None, flags: 0, kind: Kind::Enum { values: &[("volatile-lru", 0), ("volatile-lfu", 1), ("volatile-random", 2), ("volatile-ttl", 3), ("allkeys-lru", 4), ("allkeys-lfu", 5), ("allkeys-random", 6), ("noeviction", 7)] }, default: "noeviction" },
    Param { name: "appendfsync", alias: None, flags: 0, kind: Kind::Enum { values: &[("everysec", 2), ("always", 1), ("no", 0)] }, default: "everysec" },
    Param { name: "oom-score-adj", alias: None, flags: 0, kind: Kind::Enum { values: &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)] }, default: "no" },
    Param { name: "acl-pubsub-default", alias: None, flags: 0, kind: Kind::Enum { values: &[("allchannels", 1), ("resetchannels", 0)] }, default: "resetchannels" },
    Param { name: "sanitize-dump-payload", alias: None, flags: DEBUG, kind: Kind::Enum { values: &[("no", 0), ("yes", 1), ("clients", 2)] }, default: "no" },
    Param { name: "enable-protected-configs", alias: None, flags: IMMUTABLE, kind: Kind::Enum { values: &[("no", 0), ("yes", 1), ("local", 2)] }, default: "no" },
    Param { name: "enable-debug-command", alias: None, flags: IMMUTABLE, kind: Kind::Enum { values: &[("no", 0), ("yes", 1), ("local", 2)] }, default: "no" },
    Param { name: "enable-module-command", alias: None, flags: IMMUTABLE, kind: Kind::Enum { values: &[("no", 0), ("yes", 1), ("local", 2)] }, default: "no" },
    Param { name: "cluster-preferred-endpoint-type", alias: None, flags: 0, kind: Kind::Enum { values: &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)] }, default: "ip" },
    Param { name: "propagation-error-behavior", alias: None, flags: 0, kind: Kind::Enum { values: &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)] }, default: "ignore" },
    Param { name: "shutdown-on-sigint", alias: None, flags: MULTI_ARG, kind: Kind::Enum { values: &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)] }, default: "default" },
    Param { name: "shutdown-on-sigterm", alias: None, flags: MULTI_ARG, kind: Kind::Enum { values: &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)] }, default: "default" },
    Param { name: "databases", alias: None, flags: IMMUTABLE, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 2147483647, flags: 0 }, default: "16" },
    Param { name: "port", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "6379" },
    Param { name: "io-threads", alias: None, flags: DEBUG | IMMUTABLE, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 128, flags: 0 }, default: "1" },
    Param { name: "auto-aof-rewrite-percentage", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "100" },
    Param { name: "cluster-replica-validity-factor", alias: Some("cluster-slave-validity-factor"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "10" },
    Param { name: "list-max-listpack-size", alias: Some("list-max-ziplist-size"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: -2147483648, upper: 2147483647, flags: 0 }, default: "-2" },
    Param { name: "tcp-keepalive", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "300" },
    Param { name: "cluster-migration-barrier", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "1" },
    Param { name: "active-defrag-cycle-min", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 99, flags: 0 }, default: "1" },
    Param { name: "active-defrag-cycle-max", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 99, flags: 0 }, default: "25" },
    Param { name: "active-defrag-threshold-lower", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 1000, flags: 0 }, default: "10" },
    Param { name: "active-defrag-threshold-upper", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 1000, flags: 0 }, default: "100" },
    Param { name: "lfu-log-factor", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "10" },
    Param { name: "lfu-decay-time", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "1" },
    Param { name: "replica-priority", alias: Some("slave-priority"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "100" },
    Param { name: "repl-diskless-sync-delay", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "5" },
    Param { name: "maxmemory-samples", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 2147483647, flags: 0 }, default: "5" },
    Param { name: "maxmemory-eviction-tenacity", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 100, flags: 0 }, default: "10" },
    Param { name: "timeout", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "replica-announce-port", alias: Some("slave-announce-port"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "0" },
    Param { name: "tcp-backlog", alias: None, flags: IMMUTABLE, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "511" },
    Param { name: "cluster-port", alias: None, flags: IMMUTABLE, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "0" },
    Param { name: "cluster-announce-bus-port", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "0" },
    Param { name: "cluster-announce-port", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "0" },
    Param { name: "cluster-announce-tls-port", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "0" },
    Param { name: "repl-timeout", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 2147483647, flags: 0 }, default: "60" },
    Param { name: "repl-ping-replica-period", alias: Some("repl-ping-slave-period"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 2147483647, flags: 0 }, default: "10" },
    Param { name: "list-compress-depth", alias: None, flags: DEBUG, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "rdb-key-save-delay", alias: None, flags: HIDDEN, kind: Kind::Num { ty: NumType::Int, lower: -2147483648, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "key-load-delay", alias: None, flags: HIDDEN, kind: Kind::Num { ty: NumType::Int, lower: -2147483648, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "active-expire-effort", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 1, upper: 10, flags: 0 }, default: "1" },
    Param { name: "hz", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "10" },
    Param { name: "min-replicas-to-write", alias: Some("min-slaves-to-write"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "min-replicas-max-lag", alias: Some("min-slaves-max-lag"), flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "10" },
    Param { name: "watchdog-period", alias: None, flags: HIDDEN, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "shutdown-timeout", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "10" },
    Param { name: "repl-diskless-sync-max-replicas", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "0" },
    Param { name: "maxclients", alias: None, flags: 0, kind: Kind::Num { ty: NumType::UInt, lower: 1, upper: 4294967295, flags: 0 }, default: "10000" },
    Param { name: "unixsocketperm", alias: None, flags: IMMUTABLE, kind: Kind::Num { ty: NumType::UInt, lower: 0, upper: 511, flags: OCTAL }, default: "0" },
    Param { name: "socket-mark-id", alias: None, flags: IMMUTABLE, kind: Kind::Num { ty: NumType::UInt, lower: 0, upper: 4294967295, flags: 0 }, default: "0" },
    Param { name: "active-defrag-max-scan-fields", alias: None, flags: 0, kind: Kind::Num { ty: NumType::ULong, lower: 1, upper: 9223372036854775807, flags: 0 }, default: "1000" },
    Param { name: "slowlog-max-len", alias: None, flags: 0, kind: Kind::Num { ty: NumType::ULong, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "128" },
    Param { name: "acllog-max-len", alias: None, flags: 0, kind: Kind::Num { ty: NumType::ULong, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "128" },
    Param { name: "busy-reply-threshold", alias: Some("lua-time-limit"), flags: 0, kind: Kind::Num { ty: NumType::LongLong, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "5000" },
    Param { name: "cluster-node-timeout", alias: None, flags: 0, kind: Kind::Num { ty: NumType::LongLong, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "15000" },
    Param { name: "slowlog-log-slower-than", alias: None, flags: 0, kind: Kind::Num { ty: NumType::LongLong, lower: -1, upper: 9223372036854775807, flags: 0 }, default: "10000" },
    Param { name: "latency-monitor-threshold", alias: None, flags: 0, kind: Kind::Num { ty: NumType::LongLong, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "0" },
    Param { name: "proto-max-bulk-len", alias: None, flags: DEBUG, kind: Kind::Num { ty: NumType::LongLong, lower: 1048576, upper: 9223372036854775807, flags: MEMORY }, default: "536870912" },
    Param { name: "stream-node-max-entries", alias: None, flags: 0, kind: Kind::Num { ty: NumType::LongLong, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "100" },
    Param { name: "repl-backlog-size", alias: None, flags: 0, kind: Kind::Num { ty: NumType::LongLong, lower: 1, upper: 9223372036854775807, flags: MEMORY }, default: "1048576" },
    Param { name: "maxmemory", alias: None, flags: 0, kind: Kind::Num { ty: NumType::ULongLong, lower: 0, upper: -1, flags: MEMORY }, default: "0" },
    Param { name: "cluster-link-sendbuf-limit", alias: None, flags: 0, kind: Kind::Num { ty: NumType::ULongLong, lower: 0, upper: -1, flags: MEMORY }, default: "0" },
    Param { name: "hash-max-listpack-entries", alias: Some("hash-max-ziplist-entries"), flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "512" },
    Param { name: "set-max-intset-entries", alias: None, flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "512" },
    Param { name: "zset-max-listpack-entries", alias: Some("zset-max-ziplist-entries"), flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "128" },
    Param { name: "active-defrag-ignore-bytes", alias: None, flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 1, upper: 9223372036854775807, flags: MEMORY }, default: "104857600" },
    Param { name: "hash-max-listpack-value", alias: Some("hash-max-ziplist-value"), flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: MEMORY }, default: "64" },
    Param { name: "stream-node-max-bytes", alias: None, flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: MEMORY }, default: "4096" },
    Param { name: "zset-max-listpack-value", alias: Some("zset-max-ziplist-value"), flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: MEMORY }, default: "64" },
    Param { name: "hll-sparse-max-bytes", alias: None, flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: MEMORY }, default: "3000" },
    Param { name: "tracking-table-max-keys", alias: None, flags: 0, kind: Kind::Num { ty: NumType::SizeT, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "1000000" },
    Param { name: "client-query-buffer-limit", alias: None, flags: DEBUG, kind: Kind::Num { ty: NumType::SizeT, lower: 1048576, upper: 9223372036854775807, flags: MEMORY }, default: "1073741824" },
    Param { name: "maxmemory-clients", alias: None, flags: 0, kind: Kind::Num { ty: NumType::SSizeT, lower: -100, upper: 9223372036854775807, flags: MEMORY | PERCENT }, default: "0" },
    Param { name: "repl-backlog-ttl", alias: None, flags: 0, kind: Kind::Num { ty: NumType::TimeT, lower: 0, upper: 9223372036854775807, flags: 0 }, default: "3600" },
    Param { name: "auto-aof-rewrite-min-size", alias: None, flags: 0, kind: Kind::Num { ty: NumType::OffT, lower: 0, upper: 9223372036854775807, flags: MEMORY }, default: "67108864" },
    Param { name: "loading-process-events-interval-bytes", alias: None, flags: HIDDEN, kind: Kind::Num { ty: NumType::OffT, lower: 1024, upper: 2147483647, flags: 0 }, default: "2097152" },
    Param { name: "tls-port", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 65535, flags: 0 }, default: "0" },
    Param { name: "tls-session-cache-size", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "20480" },
    Param { name: "tls-session-cache-timeout", alias: None, flags: 0, kind: Kind::Num { ty: NumType::Int, lower: 0, upper: 2147483647, flags: 0 }, default: "300" },
    Param { name: "tls-cluster", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "tls-replication", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "tls-auth-clients", alias: None, flags: 0, kind: Kind::Enum { values: &[("no", 0), ("yes", 1), ("optional", 2)] }, default: "yes" },
    Param { name: "tls-prefer-server-ciphers", alias: None, flags: 0, kind: Kind::Bool, default: "no" },
    Param { name: "tls-session-caching", alias: None, flags: 0, kind: Kind::Bool, default: "yes" },
    Param { name: "tls-cert-file", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-key-file", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-key-file-pass", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-client-cert-file", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-client-key-file", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-client-key-file-pass", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-dh-params-file", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-ca-cert-file", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-ca-cert-dir", alias: None, flags: VOLATILE, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-protocols", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-ciphers", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "tls-ciphersuites", alias: None, flags: 0, kind: Kind::Str { empty_is_null: true }, default: "" },
    Param { name: "dir", alias: None, flags: PROTECTED | DENY_LOADING, kind: Kind::Special, default: "." },
    Param { name: "save", alias: None, flags: MULTI_ARG, kind: Kind::Special, default: "3600 1 300 100 60 10000" },
    Param { name: "client-output-buffer-limit", alias: None, flags: MULTI_ARG, kind: Kind::Special, default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60" },
    Param { name: "oom-score-adj-values", alias: None, flags: MULTI_ARG, kind: Kind::Special, default: "0 200 800" },
    Param { name: "notify-keyspace-events", alias: None, flags: 0, kind: Kind::Special, default: "" },
    Param { name: "bind", alias: None, flags: MULTI_ARG, kind: Kind::Special, default: "* -::*" },
    Param { name: "replicaof", alias: Some("slaveof"), flags: IMMUTABLE | MULTI_ARG, kind: Kind::Special, default: "" },
    Param { name: "latency-tracking-info-percentiles", alias: None, flags: MULTI_ARG, kind: Kind::Special, default: "50 99 99.9" },

];
