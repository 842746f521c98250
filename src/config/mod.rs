//! The server's settings: one table (`params.rs`, every parameter of Redis 7.0.15) that
//! the command line, a redis.conf file, CONFIG GET and CONFIG SET all go through, so a
//! setting cannot exist in one and not the others.
//!
//! The settings the server acts on (`hz`, `timeout`, the limits, the encodings'
//! thresholds...) are typed fields of [`Config`], read directly by the loop and the
//! commands; every other parameter is accepted, validated and kept exactly as Redis keeps
//! it, so tools that set them (redis.conf, test suites, operators' scripts) work, and
//! CONFIG GET answers what they set.

pub mod params;
pub mod policy;
pub mod special;
mod value;

use crate::resp::parse::split_args;
use params::{Kind, Param, IMMUTABLE, MULTI_ARG, PARAMS};
use special::OutputLimit;
use std::fmt::Write as _;
pub use value::Value;

/// Every setting seedis acts on, plus the stored values of the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub bind: String,
    pub port: u16,
    /// Cron frequency: active expiry and idle-client checks run `hz` times a second.
    pub hz: u32,
    /// Close a client idle for this many seconds (0 = never).
    pub timeout_s: u64,
    pub maxclients: u64,
    pub databases: usize,
    pub loglevel: String,
    /// Empty: log to standard output.
    pub logfile: String,
    pub proto_max_bulk_len: u64,
    pub client_query_buffer_limit: u64,
    /// Empty: no password.
    pub requirepass: String,
    pub protected_mode: bool,
    /// DEBUG SET-ACTIVE-EXPIRE (not a parameter).
    pub active_expire_enabled: bool,
    /// `client-output-buffer-limit`: hard limit, soft limit, soft seconds (0 = none).
    pub output_limit_normal: OutputLimit,
    pub output_limit_replica: OutputLimit,
    pub output_limit_pubsub: OutputLimit,
    pub list_max_listpack_size: i64,
    pub hash_max_listpack_entries: u64,
    pub hash_max_listpack_value: u64,
    pub set_max_intset_entries: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    /// A sparse HyperLogLog bigger than this many bytes is promoted to dense.
    pub hll_sparse_max_bytes: u64,
    /// A stream node (listpack) is closed at this many bytes (0: no limit but 1 GiB).
    pub stream_node_max_bytes: u64,
    /// ... or at this many entries, deleted ones included (0: no limit).
    pub stream_node_max_entries: i64,
    pub tcp_backlog: u64,
    pub save: String,
    pub appendonly: bool,
    pub dir: String,
    /// Per-command latency histograms for INFO latencystats.
    pub latency_tracking: bool,
    /// busy-reply-threshold (alias lua-time-limit), ms: past it a running script lets
    /// the loop answer other clients -BUSY (0: never).
    pub busy_reply_threshold_ms: i64,
    /// SLOWLOG: commands at least this many µs long are logged (negative: none).
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    /// Past this many bytes of used memory keys are evicted, or writes refused (0: no
    /// limit).
    pub maxmemory: u64,
    pub maxmemory_policy: policy::EvictionPolicy,
    /// Keys sampled per database per eviction pool refill.
    pub maxmemory_samples: u64,
    /// 0..=100: how long one command's eviction may run (evictionTimeLimitUs).
    pub maxmemory_eviction_tenacity: u64,
    pub lfu_log_factor: u64,
    pub lfu_decay_time: u64,
    /// LATENCY: events at least this many ms long are sampled (0: the monitor is off).
    pub latency_monitor_threshold: i64,
    /// Seconds between the PINGs a master puts in its replication stream.
    pub repl_ping_replica_period: u64,
    /// INFO `repl_backlog_size`.
    pub repl_backlog_size: u64,
    /// `notify-keyspace-events` as NOTIFY_* bits (`special::KEYSPACE`...); 0: none.
    pub notify_keyspace_events: u32,
    /// `user <name> rules...` directives, in file order (loaded after `requirepass`,
    /// as Redis's ACLLoadConfiguredUsers does).
    pub acl_users: Vec<Vec<bytes::Bytes>>,
    /// The values of the parameters without a field above, by index in [`PARAMS`].
    stored: Vec<Value>,
}

impl Default for Config {
    fn default() -> Self {
        let mut config = Config {
            bind: String::new(),
            port: 0,
            hz: 0,
            timeout_s: 0,
            maxclients: 0,
            databases: 0,
            loglevel: String::new(),
            logfile: String::new(),
            proto_max_bulk_len: 0,
            client_query_buffer_limit: 0,
            requirepass: String::new(),
            protected_mode: false,
            active_expire_enabled: true,
            output_limit_normal: (0, 0, 0),
            output_limit_replica: (0, 0, 0),
            output_limit_pubsub: (0, 0, 0),
            list_max_listpack_size: 0,
            hash_max_listpack_entries: 0,
            hash_max_listpack_value: 0,
            set_max_intset_entries: 0,
            zset_max_listpack_entries: 0,
            zset_max_listpack_value: 0,
            hll_sparse_max_bytes: 0,
            stream_node_max_bytes: 0,
            stream_node_max_entries: 0,
            tcp_backlog: 0,
            save: String::new(),
            appendonly: false,
            dir: String::new(),
            latency_tracking: false,
            busy_reply_threshold_ms: 5000,
            slowlog_log_slower_than: 0,
            slowlog_max_len: 0,
            latency_monitor_threshold: 0,
            notify_keyspace_events: 0,
            repl_ping_replica_period: 0,
            repl_backlog_size: 0,
            maxmemory: 0,
            maxmemory_policy: policy::EvictionPolicy::NoEviction,
            maxmemory_samples: 0,
            maxmemory_eviction_tenacity: 0,
            lfu_log_factor: 0,
            lfu_decay_time: 0,
            acl_users: Vec::new(),
            stored: vec![Value::Special(String::new()); PARAMS.len()],
        };
        for (index, param) in PARAMS.iter().enumerate() {
            // The table's defaults are CONFIG GET's texts, which parse back to themselves
            // (a unit test checks every one) but for `replicaof`'s "" (no master), which
            // Redis never parses either.
            if config
                .set_words(param.name, &words_of(param, param.default))
                .is_err()
            {
                config.stored[index] = Value::Special(param.default.to_string());
            }
        }
        // seedis's one deliberate difference from Redis's defaults: it listens on the
        // loopback interface unless told otherwise (Redis: "* -::*" behind protected mode).
        config.bind = "127.0.0.1".into();
        config
    }
}

/// Why a setting was refused; the text is what Redis puts after the parameter name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Unknown,
    Immutable,
    Invalid(String),
}

/// A config file line that stopped the load: its 1-based number, the line, and why, as
/// Redis prints them (`Reading the configuration file, at line N` / `>>> 'line'` / why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub line_number: usize,
    pub line: String,
    pub reason: String,
}

/// Redis 7.0's deprecated directives, accepted in a file and ignored.
const DEPRECATED: [&str; 3] = [
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// Parameters Redis changes at run time that seedis takes only at startup: moving the
/// listening socket is not built yet, and accepting the value without moving it would
/// be a lie. CONFIG SET answers "can't set immutable config" for them.
const RESTART_ONLY: [&str; 2] = ["port", "bind"];

/// The table entry for a name or alias, any case (`lookupConfig`).
pub fn lookup_param(name: &str) -> Option<(usize, &'static Param)> {
    PARAMS.iter().enumerate().find(|(_, p)| {
        p.name.eq_ignore_ascii_case(name) || p.alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
    })
}

/// CONFIG SET's words for a value: a multi-word parameter is split at every single space
/// (`sdssplitlen(value, " ")`, so two spaces make an empty word, and an empty value no
/// words); any other takes the value whole.
fn words_of<'a>(param: &Param, value: &'a str) -> Vec<&'a str> {
    if param.flags & MULTI_ARG != 0 {
        if value.is_empty() {
            Vec::new()
        } else {
            value.split(' ').collect()
        }
    } else {
        vec![value]
    }
}

/// The typed value of a parameter from its words, or Redis's reason for refusing them.
fn parse(param: &Param, words: &[&str]) -> Result<Value, String> {
    let one = || -> Result<&str, String> {
        match words {
            [word] => Ok(word),
            _ => Err("wrong number of arguments".into()),
        }
    };
    Ok(match param.kind {
        Kind::Bool => Value::Bool(value::parse_bool(one()?)?),
        Kind::Str { empty_is_null } => {
            let text = one()?;
            check_string(param.name, text)?;
            Value::Str((!(empty_is_null && text.is_empty())).then(|| text.to_string()))
        }
        Kind::Enum { values } => {
            let bitflags = param.flags & MULTI_ARG != 0;
            let v = value::parse_enum(values, words, bitflags)?;
            if param.name.starts_with("shutdown-on-sig") && v & 1 != 0 && v & 2 != 0 {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
            }
            Value::Enum(v)
        }
        Kind::Num {
            ty,
            lower,
            upper,
            flags,
        } => Value::Num(value::parse_num(one()?, ty, lower, upper, flags)?),
        Kind::Special => Value::Special(match param.name {
            "save" => special::save(words)?,
            "bind" => special::bind(words)?,
            "oom-score-adj-values" => special::oom_score_adj_values(words)?,
            "notify-keyspace-events" => special::notify_keyspace_events(words)?,
            "replicaof" => special::replicaof(words)?,
            "latency-tracking-info-percentiles" => special::latency_percentiles(words)?,
            "dir" => one()?.to_string(),
            // Applied over the current limits by `Config::set_words`.
            "client-output-buffer-limit" => String::new(),
            other => unreachable!("special parameter {other} without a parser"),
        }),
    })
}

/// The string parameters Redis validates (`isValid...` functions).
fn check_string(name: &str, text: &str) -> Result<(), String> {
    let is_base_name = !text.contains(['/', '\\']);
    match name {
        "dbfilename" if !is_base_name => Err("dbfilename can't be a path, just a filename".into()),
        "appendfilename" if text.is_empty() => Err("appendfilename can't be empty".into()),
        "appendfilename" if !is_base_name => {
            Err("appendfilename can't be a path, just a filename".into())
        }
        "appenddirname" if text.is_empty() => Err("appenddirname can't be empty".into()),
        "appenddirname" if !is_base_name => {
            Err("appenddirname can't be a path, just a dirname".into())
        }
        "proc-title-template" if !special::proc_title_template_is_valid(text) => {
            Err("template format is invalid or contains unknown variables".into())
        }
        "cluster-announce-hostname" if text.len() >= 256 => {
            Err("Hostnames must be less than 256 characters".into())
        }
        "cluster-announce-hostname"
            if !text
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.') =>
        {
            Err("Hostnames may only contain alphanumeric characters, hyphens or dots".into())
        }
        _ => Ok(()),
    }
}

impl Config {
    /// The canonical names of every setting, in table order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PARAMS.iter().map(|p| p.name)
    }

    /// Every name CONFIG GET with a pattern may list: canonical names and aliases,
    /// without the hidden parameters (which answer only to their exact name).
    pub fn names_and_aliases() -> impl Iterator<Item = &'static str> {
        PARAMS
            .iter()
            .filter(|p| p.flags & params::HIDDEN == 0)
            .flat_map(|p| std::iter::once(p.name).chain(p.alias))
    }

    /// The canonical name of a setting (by name or alias, any case) and whether CONFIG
    /// SET may change it at run time.
    pub fn lookup(name: &str) -> Option<(&'static str, bool)> {
        lookup_param(name).map(|(_, p)| {
            (
                p.name,
                p.flags & IMMUTABLE == 0 && !RESTART_ONLY.contains(&p.name),
            )
        })
    }

    /// The value of a setting as CONFIG GET shows it, by canonical name or alias.
    pub fn get(&self, name: &str) -> Option<String> {
        let (index, param) = lookup_param(name)?;
        let value = self
            .load(param.name)
            .unwrap_or_else(|| self.stored[index].clone());
        Some(value::value_text(
            &param.kind,
            &value,
            param.flags & MULTI_ARG != 0,
        ))
    }

    /// CONFIG SET of one parameter: refused if immutable. A multi-word value is split at
    /// single spaces, as CONFIG SET splits it.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let (_, param) = lookup_param(name).ok_or(ConfigError::Unknown)?;
        if param.flags & IMMUTABLE != 0 || RESTART_ONLY.contains(&param.name) {
            return Err(ConfigError::Immutable);
        }
        self.set_words(name, &words_of(param, value))
    }

    /// A setting from the command line or a config file, immutable ones included: a
    /// multi-word parameter given as one non-empty word is split like a config line
    /// (quotes honoured), as `loadServerConfigFromString` does.
    pub fn set_at_startup(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let (_, param) = lookup_param(name).ok_or(ConfigError::Unknown)?;
        if param.flags & MULTI_ARG != 0 && !value.is_empty() {
            let words = split_words(value).ok_or_else(|| {
                ConfigError::Invalid("Unbalanced quotes in configuration line".into())
            })?;
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            return self.set_words(name, &refs);
        }
        self.set_words(name, &[value])
    }

    /// Sets a parameter from its words (no mutability check).
    pub fn set_words(&mut self, name: &str, words: &[&str]) -> Result<(), ConfigError> {
        let (index, param) = lookup_param(name).ok_or(ConfigError::Unknown)?;
        let value = parse(param, words).map_err(ConfigError::Invalid)?;
        if param.name == "client-output-buffer-limit" {
            let current = [
                self.output_limit_normal,
                self.output_limit_replica,
                self.output_limit_pubsub,
            ];
            let [n, r, p] = special::client_output_buffer_limit(words, current)
                .map_err(ConfigError::Invalid)?;
            (
                self.output_limit_normal,
                self.output_limit_replica,
                self.output_limit_pubsub,
            ) = (n, r, p);
            return Ok(());
        }
        if !self.store(param.name, value.clone()) {
            self.stored[index] = value;
        }
        Ok(())
    }

    /// A parameter the server acts on, from its field.
    fn load(&self, name: &str) -> Option<Value> {
        let num = |n: u64| Value::Num(n as i64);
        Some(match name {
            "bind" => Value::Special(self.bind.clone()),
            "port" => num(u64::from(self.port)),
            "hz" => num(u64::from(self.hz)),
            "timeout" => num(self.timeout_s),
            "maxclients" => num(self.maxclients),
            "databases" => num(self.databases as u64),
            "loglevel" => {
                let Kind::Enum { values } = lookup_param(name)?.1.kind else {
                    return None;
                };
                let v = values.iter().find(|(n, _)| *n == self.loglevel)?.1;
                Value::Enum(v)
            }
            "logfile" => Value::Str(Some(self.logfile.clone())),
            "proto-max-bulk-len" => num(self.proto_max_bulk_len),
            "client-query-buffer-limit" => num(self.client_query_buffer_limit),
            "requirepass" => Value::Str(Some(self.requirepass.clone())),
            "protected-mode" => Value::Bool(self.protected_mode),
            "client-output-buffer-limit" => {
                Value::Special(special::client_output_buffer_limit_text([
                    self.output_limit_normal,
                    self.output_limit_replica,
                    self.output_limit_pubsub,
                ]))
            }
            "list-max-listpack-size" => Value::Num(self.list_max_listpack_size),
            "hash-max-listpack-entries" => num(self.hash_max_listpack_entries),
            "hash-max-listpack-value" => num(self.hash_max_listpack_value),
            "set-max-intset-entries" => num(self.set_max_intset_entries),
            "zset-max-listpack-entries" => num(self.zset_max_listpack_entries),
            "zset-max-listpack-value" => num(self.zset_max_listpack_value),
            "hll-sparse-max-bytes" => num(self.hll_sparse_max_bytes),
            "stream-node-max-bytes" => num(self.stream_node_max_bytes),
            "stream-node-max-entries" => Value::Num(self.stream_node_max_entries),
            "tcp-backlog" => num(self.tcp_backlog),
            "save" => Value::Special(self.save.clone()),
            "appendonly" => Value::Bool(self.appendonly),
            "dir" => Value::Special(self.dir.clone()),
            "latency-tracking" => Value::Bool(self.latency_tracking),
            "busy-reply-threshold" => Value::Num(self.busy_reply_threshold_ms),
            "slowlog-log-slower-than" => Value::Num(self.slowlog_log_slower_than),
            "slowlog-max-len" => num(self.slowlog_max_len),
            "maxmemory" => num(self.maxmemory),
            "maxmemory-policy" => Value::Enum(self.maxmemory_policy.to_enum()),
            "maxmemory-samples" => num(self.maxmemory_samples),
            "maxmemory-eviction-tenacity" => num(self.maxmemory_eviction_tenacity),
            "lfu-log-factor" => num(self.lfu_log_factor),
            "lfu-decay-time" => num(self.lfu_decay_time),
            "latency-monitor-threshold" => Value::Num(self.latency_monitor_threshold),
            "notify-keyspace-events" => {
                Value::Special(special::notify_text(self.notify_keyspace_events))
            }
            "repl-ping-replica-period" => num(self.repl_ping_replica_period),
            "repl-backlog-size" => num(self.repl_backlog_size),
            _ => return None,
        })
    }

    /// Puts a parsed value into its field; false if the server does not act on it.
    fn store(&mut self, name: &str, value: Value) -> bool {
        // Every numeric field's bounds are enforced by the table before this.
        let num = |v: &Value| match v {
            Value::Num(n) => *n,
            _ => 0,
        };
        let text = |v: Value| match v {
            Value::Special(s) | Value::Str(Some(s)) => s,
            _ => String::new(),
        };
        match name {
            "bind" => self.bind = text(value),
            "port" => self.port = num(&value) as u16,
            // updateHZ: Redis keeps hz within 1..=500.
            "hz" => self.hz = num(&value).clamp(1, 500) as u32,
            "timeout" => self.timeout_s = num(&value) as u64,
            "maxclients" => self.maxclients = num(&value) as u64,
            "databases" => self.databases = num(&value) as usize,
            "loglevel" => {
                let Kind::Enum { values } = PARAMS
                    .iter()
                    .find(|p| p.name == "loglevel")
                    .map_or(Kind::Bool, |p| p.kind)
                else {
                    return false;
                };
                let Value::Enum(v) = value else { return false };
                self.loglevel = value::enum_name(values, v, false);
            }
            "logfile" => self.logfile = text(value),
            "proto-max-bulk-len" => self.proto_max_bulk_len = num(&value) as u64,
            "client-query-buffer-limit" => self.client_query_buffer_limit = num(&value) as u64,
            "requirepass" => self.requirepass = text(value),
            "protected-mode" => self.protected_mode = value == Value::Bool(true),
            "list-max-listpack-size" => self.list_max_listpack_size = num(&value),
            "hash-max-listpack-entries" => self.hash_max_listpack_entries = num(&value) as u64,
            "hash-max-listpack-value" => self.hash_max_listpack_value = num(&value) as u64,
            "set-max-intset-entries" => self.set_max_intset_entries = num(&value) as u64,
            "zset-max-listpack-entries" => self.zset_max_listpack_entries = num(&value) as u64,
            "zset-max-listpack-value" => self.zset_max_listpack_value = num(&value) as u64,
            "hll-sparse-max-bytes" => self.hll_sparse_max_bytes = num(&value) as u64,
            "stream-node-max-bytes" => self.stream_node_max_bytes = num(&value) as u64,
            "stream-node-max-entries" => self.stream_node_max_entries = num(&value),
            "tcp-backlog" => self.tcp_backlog = num(&value) as u64,
            "save" => self.save = text(value),
            "appendonly" => self.appendonly = value == Value::Bool(true),
            "dir" => self.dir = text(value),
            "latency-tracking" => self.latency_tracking = value == Value::Bool(true),
            "busy-reply-threshold" => self.busy_reply_threshold_ms = num(&value),
            "slowlog-log-slower-than" => self.slowlog_log_slower_than = num(&value),
            "slowlog-max-len" => self.slowlog_max_len = num(&value) as u64,
            "maxmemory" => self.maxmemory = num(&value) as u64,
            "maxmemory-policy" => {
                let Value::Enum(v) = value else { return false };
                let Some(p) = policy::EvictionPolicy::from_enum(v) else {
                    return false;
                };
                self.maxmemory_policy = p;
            }
            "maxmemory-samples" => self.maxmemory_samples = num(&value) as u64,
            "maxmemory-eviction-tenacity" => self.maxmemory_eviction_tenacity = num(&value) as u64,
            "lfu-log-factor" => self.lfu_log_factor = num(&value) as u64,
            "lfu-decay-time" => self.lfu_decay_time = num(&value) as u64,
            "latency-monitor-threshold" => self.latency_monitor_threshold = num(&value),
            "repl-ping-replica-period" => self.repl_ping_replica_period = num(&value) as u64,
            "repl-backlog-size" => self.repl_backlog_size = num(&value) as u64,
            // Already validated and canonical (special::notify_keyspace_events).
            "notify-keyspace-events" => {
                self.notify_keyspace_events = special::notify_flags(&text(value)).unwrap_or(0)
            }
            _ => return false,
        }
        true
    }

    /// Loads a redis.conf text as `loadServerConfigFromString` does: `#` comments, lines
    /// split like `sdssplitargs` (quotes), names any case; a single-word parameter takes
    /// exactly one argument; `include` reads another file through `read_include`;
    /// deprecated directives are ignored; anything else stops the load with Redis's error.
    pub fn apply_text(
        &mut self,
        text: &str,
        read_include: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<(), LoadError> {
        for (index, raw) in text.split('\n').enumerate() {
            let line = raw.trim_matches([' ', '\t', '\r', '\n']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |reason: String| LoadError {
                line_number: index + 1,
                line: line.to_string(),
                reason,
            };
            let Some(words) = split_words(line) else {
                return Err(fail("Unbalanced quotes in configuration line".into()));
            };
            let Some((name, args)) = words.split_first() else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            if let Some((_, param)) = lookup_param(&name) {
                let multi = param.flags & MULTI_ARG != 0;
                if !multi && args.len() != 1 {
                    return Err(fail("wrong number of arguments".into()));
                }
                let result = if multi && args.len() == 1 && !args[0].is_empty() {
                    // `--save "3600 1 300 100"`: one argument holding several words.
                    let inner = split_words(&args[0]).unwrap_or_default();
                    let refs: Vec<&str> = inner.iter().map(String::as_str).collect();
                    self.set_words(&name, &refs)
                } else {
                    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                    self.set_words(&name, &refs)
                };
                match result {
                    Ok(()) => continue,
                    Err(ConfigError::Invalid(why)) => return Err(fail(why)),
                    Err(_) => {
                        return Err(fail("Bad directive or wrong number of arguments".into()))
                    }
                }
            }
            if DEPRECATED.contains(&name.as_str()) && args.len() == 1 {
                continue;
            }
            match (name.as_str(), args.len()) {
                ("user", n) if n >= 1 => {
                    let words: Vec<bytes::Bytes> = split_args(crate::util::c_str(line.as_bytes()))
                        .unwrap_or_default()
                        .into_iter()
                        .skip(1)
                        .collect();
                    crate::acl::validate_config_user(&words, &self.acl_users).map_err(fail)?;
                    self.acl_users.push(words);
                }
                ("include", 1) => {
                    let included = read_include(&args[0]).map_err(fail)?;
                    self.apply_text(&included, read_include)?;
                }
                _ => return Err(fail("Bad directive or wrong number of arguments".into())),
            }
        }
        // Out-of-range hz values from a file are brought within 1..=500 (already done by
        // the field's store).
        Ok(())
    }

    /// [`Config::apply_text`] for a text with no `include` lines.
    pub fn apply_file(&mut self, text: &str) -> Result<(), (usize, String)> {
        self.apply_text(text, &mut |_| Err("include is not available here".into()))
            .map_err(|e| (e.line_number, format!("'{}': {}", e.line, e.reason)))
    }

    /// The settings as a redis.conf text (CONFIG REWRITE's shape), for logs and tests.
    pub fn to_conf_text(&self) -> String {
        let mut out = String::new();
        for name in Self::names() {
            if let Some(value) = self.get(name) {
                let _ = writeln!(out, "{name} \"{value}\"");
            }
        }
        out
    }
}

/// `sdssplitargs` over a config line; `None` for unbalanced quotes.
fn split_words(line: &str) -> Option<Vec<String>> {
    let words = split_args(line.as_bytes())?;
    Some(
        words
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_and_prints_back_as_redis_reports_it() {
        let c = Config::default();
        for param in PARAMS {
            let want = match param.name {
                "bind" => "127.0.0.1",
                _ => param.default,
            };
            assert_eq!(c.get(param.name).as_deref(), Some(want), "{}", param.name);
            let mut fresh = Config::default();
            let parsed = fresh.set_words(param.name, &words_of(param, param.default));
            if param.name != "replicaof" {
                parsed.unwrap_or_else(|e| panic!("{}: {e:?}", param.name));
            }
        }
        assert_eq!(c.hz, 10);
        assert_eq!(c.hash_max_listpack_entries, 512);
        assert_eq!(c.output_limit_pubsub, (32 << 20, 8 << 20, 60));
        assert_eq!(c.loglevel, "notice");
        assert_eq!(
            Config::names_and_aliases().count(),
            192,
            "CONFIG GET * on 7.0.15"
        );
    }

    #[test]
    fn get_set_round_trip_and_aliases() {
        let mut c = Config::default();
        assert_eq!(c.get("hz").as_deref(), Some("10"));
        c.set("HZ", "50").unwrap();
        assert_eq!(c.hz, 50);
        c.set("hash-max-ziplist-entries", "7").unwrap();
        assert_eq!(c.get("hash-max-listpack-entries").as_deref(), Some("7"));
        assert_eq!(c.set("port", "1"), Err(ConfigError::Immutable));
        assert_eq!(c.set("nope", "1"), Err(ConfigError::Unknown));
        assert!(matches!(c.set("hz", "x"), Err(ConfigError::Invalid(_))));
    }

    #[test]
    fn output_buffer_limits_parse_as_redis() {
        // Each answer checked with CONFIG SET client-output-buffer-limit on 7.0.15.
        let mut c = Config::default();
        let bad = Err(ConfigError::Invalid(
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into(),
        ));
        c.set("client-output-buffer-limit", "normal 0 0 4294967297")
            .unwrap();
        assert_eq!(c.output_limit_normal, (0, 0, 1));
        c.set("client-output-buffer-limit", "NORMAL 1kb 2kb +010")
            .unwrap();
        assert_eq!(c.output_limit_normal, (1024, 2048, 10));
        c.set(
            "client-output-buffer-limit",
            "normal 99999999999999999999 0 -0",
        )
        .unwrap();
        assert_eq!(c.output_limit_normal, (u64::MAX, 0, 0));
        for text in [
            "normal 0 0 2147483648",
            "normal 0 0 9223372036854775808",
            "normal 0 0 0x10",
            "normal -1 0 0",
            "normal 1 1 1 pubsub 0 1.5mb 0",
        ] {
            assert_eq!(c.set("client-output-buffer-limit", text), bad, "{text}");
        }
        assert_eq!(
            c.output_limit_normal,
            (u64::MAX, 0, 0),
            "a refused value changes nothing"
        );
        // No classes at all is accepted and changes nothing.
        c.set("client-output-buffer-limit", "").unwrap();
        assert_eq!(c.output_limit_normal, (u64::MAX, 0, 0));
    }

    #[test]
    fn integers_parse_as_redis_string2ll() {
        // redis-server 7.0.15: CONFIG SET hz +5 / 007 / -0 / " 5" all answer "argument
        // couldn't be parsed into an integer"; 5 is accepted.
        let mut c = Config::default();
        for bad in ["+5", "007", "-0", " 5", "5 ", "99999999999999999999", ""] {
            assert_eq!(
                c.set("hz", bad),
                Err(ConfigError::Invalid(
                    "argument couldn't be parsed into an integer".into()
                )),
                "{bad:?}"
            );
        }
        c.set("hz", "5").unwrap();
        assert_eq!(c.hz, 5);
    }

    #[test]
    fn memory_units() {
        let mut c = Config::default();
        let mut qbuf = |text: &str| {
            c.set("client-query-buffer-limit", text)
                .map(|()| c.client_query_buffer_limit)
        };
        assert_eq!(qbuf("1gb"), Ok(1 << 30));
        assert_eq!(qbuf("2000k"), Ok(2_000_000));
        assert_eq!(
            qbuf("12x"),
            Err(ConfigError::Invalid(
                "argument must be a memory value".into()
            ))
        );
        // redis-server 7.0.15: past the bound (not "a memory value") for what memtoull
        // reads, however it got there.
        let range = Err(ConfigError::Invalid(
            "argument must be between 1048576 and 9223372036854775807 inclusive".into(),
        ));
        for text in [
            "9223372036854775808",
            "99999999999999999999",
            "kb",
            "17592186044416gb",
        ] {
            assert_eq!(qbuf(text), range, "{text}");
        }
        assert_eq!(qbuf("17592186044417gb"), Ok(1 << 30));
    }

    #[test]
    fn config_file() {
        let mut c = Config::default();
        c.apply_file("# comment\nport 7000\nrequirepass \"a b\"\nclient-output-buffer-limit normal 1mb 0 0\n")
            .unwrap();
        assert_eq!(c.port, 7000);
        assert_eq!(c.requirepass, "a b");
        assert_eq!(c.output_limit_normal, (1024 * 1024, 0, 0));
        assert_eq!(c.apply_file("bogus 1").unwrap_err().0, 1);
    }
}
