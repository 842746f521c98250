//! The server's settings: one table that the command line, a redis.conf file, CONFIG GET
//! and CONFIG SET all go through, so that a setting cannot exist in one and not the others.

use crate::util::int::{memtoull, strtoll};
use std::fmt::Write as _;

/// Every setting seedis has, with Redis 7.0's defaults.
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
    pub active_expire_enabled: bool,
    /// `client-output-buffer-limit normal`: hard limit, soft limit, soft seconds (0 = none).
    pub output_limit_normal: (u64, u64, u64),
    pub output_limit_pubsub: (u64, u64, u64),
    pub list_max_listpack_size: i64,
    pub hash_max_listpack_entries: u64,
    pub hash_max_listpack_value: u64,
    pub set_max_intset_entries: u64,
    pub set_max_listpack_entries: u64,
    pub set_max_listpack_value: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    pub tcp_backlog: u64,
    pub save: String,
    pub appendonly: bool,
    pub dir: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1".into(),
            port: 6379,
            hz: 10,
            timeout_s: 0,
            maxclients: 10_000,
            databases: 16,
            loglevel: "notice".into(),
            logfile: String::new(),
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            requirepass: String::new(),
            protected_mode: true,
            active_expire_enabled: true,
            output_limit_normal: (0, 0, 0),
            output_limit_pubsub: (32 * 1024 * 1024, 8 * 1024 * 1024, 60),
            list_max_listpack_size: -2,
            hash_max_listpack_entries: 128,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            tcp_backlog: 511,
            save: String::new(),
            appendonly: false,
            dir: ".".into(),
        }
    }
}

/// Whether a setting can change at run time (CONFIG SET) or only at startup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mutability {
    Runtime,
    Startup,
}

/// The names CONFIG GET knows, with their aliases and mutability, in Redis's spelling.
const PARAMS: &[(&str, &[&str], Mutability)] = &[
    ("bind", &[], Mutability::Startup),
    ("port", &[], Mutability::Startup),
    ("hz", &[], Mutability::Runtime),
    ("timeout", &[], Mutability::Runtime),
    ("maxclients", &[], Mutability::Runtime),
    ("databases", &[], Mutability::Startup),
    ("loglevel", &[], Mutability::Runtime),
    ("logfile", &[], Mutability::Startup),
    ("proto-max-bulk-len", &[], Mutability::Runtime),
    ("client-query-buffer-limit", &[], Mutability::Runtime),
    ("requirepass", &[], Mutability::Runtime),
    ("protected-mode", &[], Mutability::Runtime),
    ("client-output-buffer-limit", &[], Mutability::Runtime),
    (
        "list-max-listpack-size",
        &["list-max-ziplist-size"],
        Mutability::Runtime,
    ),
    (
        "hash-max-listpack-entries",
        &["hash-max-ziplist-entries"],
        Mutability::Runtime,
    ),
    (
        "hash-max-listpack-value",
        &["hash-max-ziplist-value"],
        Mutability::Runtime,
    ),
    ("set-max-intset-entries", &[], Mutability::Runtime),
    ("set-max-listpack-entries", &[], Mutability::Runtime),
    ("set-max-listpack-value", &[], Mutability::Runtime),
    (
        "zset-max-listpack-entries",
        &["zset-max-ziplist-entries"],
        Mutability::Runtime,
    ),
    (
        "zset-max-listpack-value",
        &["zset-max-ziplist-value"],
        Mutability::Runtime,
    ),
    ("tcp-backlog", &[], Mutability::Startup),
    ("save", &[], Mutability::Runtime),
    ("appendonly", &[], Mutability::Runtime),
    ("dir", &[], Mutability::Runtime),
];

/// Why a setting was refused; the text is what Redis puts after the parameter name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Unknown,
    Immutable,
    Invalid(String),
}

impl Config {
    /// The canonical names of every setting, in table order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PARAMS.iter().map(|(name, _, _)| *name)
    }

    /// Every name a setting answers to: canonical names, then aliases, in table order.
    pub fn names_and_aliases() -> impl Iterator<Item = &'static str> {
        Self::names().chain(
            PARAMS
                .iter()
                .flat_map(|(_, aliases, _)| aliases.iter().copied()),
        )
    }

    /// The canonical name of a setting (by name or alias, any case) and whether CONFIG
    /// SET may change it at run time.
    pub fn lookup(name: &str) -> Option<(&'static str, bool)> {
        Self::canonical(name).map(|(n, m)| (n, m == Mutability::Runtime))
    }

    fn canonical(name: &str) -> Option<(&'static str, Mutability)> {
        let lower = name.to_ascii_lowercase();
        PARAMS
            .iter()
            .find(|(n, aliases, _)| *n == lower || aliases.contains(&lower.as_str()))
            .map(|(n, _, m)| (*n, *m))
    }

    /// The value of a setting as CONFIG GET shows it, by canonical name or alias.
    pub fn get(&self, name: &str) -> Option<String> {
        let (name, _) = Self::canonical(name)?;
        Some(match name {
            "bind" => self.bind.clone(),
            "port" => self.port.to_string(),
            "hz" => self.hz.to_string(),
            "timeout" => self.timeout_s.to_string(),
            "maxclients" => self.maxclients.to_string(),
            "databases" => self.databases.to_string(),
            "loglevel" => self.loglevel.clone(),
            "logfile" => self.logfile.clone(),
            "proto-max-bulk-len" => self.proto_max_bulk_len.to_string(),
            "client-query-buffer-limit" => self.client_query_buffer_limit.to_string(),
            "requirepass" => self.requirepass.clone(),
            "protected-mode" => yes_no(self.protected_mode),
            "client-output-buffer-limit" => {
                let (nh, ns, nt) = self.output_limit_normal;
                let (ph, ps, pt) = self.output_limit_pubsub;
                format!("normal {nh} {ns} {nt} slave 268435456 67108864 60 pubsub {ph} {ps} {pt}")
            }
            "list-max-listpack-size" => self.list_max_listpack_size.to_string(),
            "hash-max-listpack-entries" => self.hash_max_listpack_entries.to_string(),
            "hash-max-listpack-value" => self.hash_max_listpack_value.to_string(),
            "set-max-intset-entries" => self.set_max_intset_entries.to_string(),
            "set-max-listpack-entries" => self.set_max_listpack_entries.to_string(),
            "set-max-listpack-value" => self.set_max_listpack_value.to_string(),
            "zset-max-listpack-entries" => self.zset_max_listpack_entries.to_string(),
            "zset-max-listpack-value" => self.zset_max_listpack_value.to_string(),
            "tcp-backlog" => self.tcp_backlog.to_string(),
            "save" => self.save.clone(),
            "appendonly" => yes_no(self.appendonly),
            "dir" => self.dir.clone(),
            _ => return None,
        })
    }

    /// CONFIG SET: only settings that may change at run time.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        match Self::canonical(name) {
            None => Err(ConfigError::Unknown),
            Some((_, Mutability::Startup)) => Err(ConfigError::Immutable),
            Some((name, Mutability::Runtime)) => self.apply(name, value),
        }
    }

    /// A setting from the command line or a config file: startup-only ones included.
    pub fn set_at_startup(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        match Self::canonical(name) {
            None => Err(ConfigError::Unknown),
            Some((name, _)) => self.apply(name, value),
        }
    }

    fn apply(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        match name {
            "bind" => self.bind = value.split_whitespace().collect::<Vec<_>>().join(" "),
            "port" => self.port = parse_num(value, 0, 65535)? as u16,
            // Redis accepts any non-negative int and clamps it to 1..=500 (updateHZ).
            "hz" => self.hz = parse_num(value, 0, i32::MAX as u64)?.clamp(1, 500) as u32,
            "timeout" => self.timeout_s = parse_num(value, 0, i32::MAX as u64)?,
            "maxclients" => self.maxclients = parse_num(value, 1, u32::MAX as u64)?,
            "databases" => self.databases = parse_num(value, 1, i32::MAX as u64)? as usize,
            "loglevel" => match value.to_ascii_lowercase().as_str() {
                v @ ("debug" | "verbose" | "notice" | "warning" | "nothing") => {
                    self.loglevel = v.to_string()
                }
                _ => return Err(ConfigError::Invalid("argument(s) must be one of the following: debug, verbose, notice, warning, nothing".into())),
            },
            "logfile" => self.logfile = value.to_string(),
            "proto-max-bulk-len" => self.proto_max_bulk_len = parse_memory(value, 1024 * 1024, i64::MAX as u64)?,
            "client-query-buffer-limit" => {
                self.client_query_buffer_limit = parse_memory(value, 1024 * 1024, i64::MAX as u64)?
            }
            "requirepass" => self.requirepass = value.to_string(),
            "protected-mode" => self.protected_mode = parse_yes_no(value)?,
            "client-output-buffer-limit" => self.apply_output_limits(value)?,
            "list-max-listpack-size" => {
                self.list_max_listpack_size = parse_signed(value, -5, i32::MAX as i64)?
            }
            "hash-max-listpack-entries" => self.hash_max_listpack_entries = parse_num(value, 0, u64::MAX / 2)?,
            "hash-max-listpack-value" => self.hash_max_listpack_value = parse_num(value, 0, u64::MAX / 2)?,
            "set-max-intset-entries" => self.set_max_intset_entries = parse_num(value, 0, u64::MAX / 2)?,
            "set-max-listpack-entries" => self.set_max_listpack_entries = parse_num(value, 0, u64::MAX / 2)?,
            "set-max-listpack-value" => self.set_max_listpack_value = parse_num(value, 0, u64::MAX / 2)?,
            "zset-max-listpack-entries" => self.zset_max_listpack_entries = parse_num(value, 0, u64::MAX / 2)?,
            "zset-max-listpack-value" => self.zset_max_listpack_value = parse_num(value, 0, u64::MAX / 2)?,
            "tcp-backlog" => self.tcp_backlog = parse_num(value, 0, i32::MAX as u64)?,
            "save" => self.save = value.to_string(),
            "appendonly" => self.appendonly = parse_yes_no(value)?,
            "dir" => self.dir = value.to_string(),
            _ => return Err(ConfigError::Unknown),
        }
        Ok(())
    }

    /// `client-output-buffer-limit <class> <hard> <soft> <seconds> [<class> ...]`.
    fn apply_output_limits(&mut self, value: &str) -> Result<(), ConfigError> {
        let words: Vec<&str> = value.split_whitespace().collect();
        if !words.len().is_multiple_of(4) {
            return Err(ConfigError::Invalid(
                "Wrong number of arguments in buffer limit configuration.".into(),
            ));
        }
        let mut updated = (self.output_limit_normal, self.output_limit_pubsub);
        for chunk in words.chunks(4) {
            let class = chunk[0].to_ascii_lowercase();
            if !matches!(class.as_str(), "normal" | "pubsub" | "slave" | "replica") {
                return Err(ConfigError::Invalid(
                    "Invalid client class specified in buffer limit configuration.".into(),
                ));
            }
            // updateClientOutputBufferLimit: memtoull for the two sizes, and strtoll for
            // the seconds stored into an `int`, so 4294967297 is 1 second and 2147483648
            // (negative as an int) is refused.
            let (hard, soft) = (memtoull(chunk[1].as_bytes()), memtoull(chunk[2].as_bytes()));
            let (secs, end) = strtoll(chunk[3].as_bytes());
            let secs = secs as i32;
            let (Some(hard), Some(soft), true, true) =
                (hard, soft, secs >= 0, end == chunk[3].len())
            else {
                return Err(ConfigError::Invalid(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                        .into(),
                ));
            };
            let secs = secs as u64;
            match class.as_str() {
                "normal" => updated.0 = (hard, soft, secs),
                "pubsub" => updated.1 = (hard, soft, secs),
                _ => {}
            }
        }
        (self.output_limit_normal, self.output_limit_pubsub) = updated;
        Ok(())
    }

    /// Applies a redis.conf file's text: `name value...` lines, `#` comments, quoted
    /// values. Returns the 1-based line number and reason of the first bad line.
    pub fn apply_file(&mut self, text: &str) -> Result<(), (usize, String)> {
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = split_config_line(line);
            if words.is_empty() {
                continue;
            }
            let name = words.remove(0);
            let value = words.join(" ");
            self.set_at_startup(&name, &value).map_err(|e| {
                let why = match e {
                    ConfigError::Unknown => {
                        "Bad directive or wrong number of arguments".to_string()
                    }
                    ConfigError::Immutable => "can't set immutable config".to_string(),
                    ConfigError::Invalid(why) => why,
                };
                (index + 1, format!("'{line}': {why}"))
            })?;
        }
        Ok(())
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

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_string()
}

fn parse_yes_no(value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(ConfigError::Invalid(
            "argument must be 'yes' or 'no'".into(),
        )),
    }
}

/// Redis parses numeric settings with `string2ll`: no sign `+`, no leading zeros, no
/// spaces, nothing beyond i64.
fn parse_integer(value: &str) -> Result<i128, ConfigError> {
    crate::util::int::string2ll(value.as_bytes())
        .map(i128::from)
        .ok_or_else(|| ConfigError::Invalid("argument couldn't be parsed into an integer".into()))
}

fn parse_num(value: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    let n = parse_integer(value)?;
    if n < min as i128 || n > max as i128 {
        return Err(ConfigError::Invalid(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(n as u64)
}

fn parse_signed(value: &str, min: i64, max: i64) -> Result<i64, ConfigError> {
    let n = parse_integer(value)?;
    if n < min as i128 || n > max as i128 {
        return Err(ConfigError::Invalid(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(n as i64)
}

/// A memory-valued setting as Redis parses it (`numericParseString` with MEMORY_CONFIG):
/// [`memtoull`]'s units, then the bounds checked on the (possibly wrapped) value.
pub fn parse_memory(value: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    let bytes = memtoull(value.as_bytes())
        .ok_or_else(|| ConfigError::Invalid("argument must be a memory value".into()))?;
    if bytes < min || bytes > max {
        return Err(ConfigError::Invalid(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(bytes)
}

/// Splits a config line into words, honouring double and single quotes.
fn split_config_line(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' || c == '\'' {
            chars.next();
            for ch in chars.by_ref() {
                if ch == c {
                    break;
                }
                word.push(ch);
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                word.push(ch);
                chars.next();
            }
        }
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let max = i64::MAX as u64;
        assert_eq!(parse_memory("1kb", 0, max), Ok(1024));
        assert_eq!(parse_memory("1k", 0, max), Ok(1000));
        assert_eq!(parse_memory("2GB", 0, max), Ok(2 * 1024 * 1024 * 1024));
        assert!(parse_memory("12x", 0, max).is_err());
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
            assert_eq!(parse_memory(text, 1 << 20, max), range, "{text}");
        }
        assert_eq!(parse_memory("17592186044417gb", 1 << 20, max), Ok(1 << 30));
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
