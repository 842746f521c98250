//! The parameters `config.c` parses with code of their own (`createSpecialConfig`): each
//! takes the words of its value and returns the text CONFIG GET prints, or Redis's error.

use crate::util::float::string2d;
use crate::util::int::{memtoull, strtoll};

/// Output limits of one client class: hard bytes, soft bytes, soft seconds.
pub type OutputLimit = (u64, u64, u64);

/// `setConfigSaveOption`: pairs of `seconds changes` (seconds ≥ 1, changes ≥ 0), or a
/// single empty word for none.
pub fn save(words: &[&str]) -> Result<String, String> {
    let words: &[&str] = if words.len() == 1 && words[0].is_empty() {
        &[]
    } else {
        words
    };
    let invalid = || "Invalid save parameters".to_string();
    if !words.len().is_multiple_of(2) {
        return Err(invalid());
    }
    let mut numbers = Vec::with_capacity(words.len());
    for (j, word) in words.iter().enumerate() {
        let (value, end) = strtoll(word.as_bytes());
        // An empty word has no digits: strtoll leaves `end` at its (empty) end.
        if end != word.len() || (j % 2 == 0 && value < 1) || (j % 2 == 1 && value < 0) {
            return Err(invalid());
        }
        numbers.push(value);
    }
    // Seconds are a time_t, changes an int.
    let text: Vec<String> = numbers
        .chunks(2)
        .map(|pair| format!("{} {}", pair[0], pair[1] as i32))
        .collect();
    Ok(text.join(" "))
}

/// `setConfigBindOption`: up to 16 addresses; a single empty word is none.
pub fn bind(words: &[&str]) -> Result<String, String> {
    if words.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    if words.len() == 1 && words[0].is_empty() {
        return Ok(String::new());
    }
    Ok(words.join(" "))
}

/// `setConfigOOMScoreAdjValuesOption`: three integers within ±2000.
pub fn oom_score_adj_values(words: &[&str]) -> Result<String, String> {
    if words.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut values = Vec::with_capacity(3);
    for word in words {
        let (value, end) = strtoll(word.as_bytes());
        if end != word.len() || !(-2000..=2000).contains(&value) {
            return Err(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
            );
        }
        values.push(value.to_string());
    }
    Ok(values.join(" "))
}

/// NOTIFY_* bits, in `notify.c`'s order (also the classes `cmd::notify` takes).
pub const KEYSPACE: u32 = 1 << 0;
pub const KEYEVENT: u32 = 1 << 1;
pub const GENERIC: u32 = 1 << 2;
pub const STRING: u32 = 1 << 3;
pub const LIST: u32 = 1 << 4;
pub const SET: u32 = 1 << 5;
pub const HASH: u32 = 1 << 6;
pub const ZSET: u32 = 1 << 7;
pub const EXPIRED: u32 = 1 << 8;
pub const EVICTED: u32 = 1 << 9;
pub const STREAM: u32 = 1 << 10;
pub const KEY_MISS: u32 = 1 << 11;
pub const MODULE: u32 = 1 << 13;
pub const NEW: u32 = 1 << 14;
/// `A`: every class but key misses and new keys.
pub const ALL: u32 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// `keyspaceEventsStringToFlags`.
pub fn notify_flags(classes: &str) -> Option<u32> {
    let mut flags = 0;
    for c in classes.bytes() {
        flags |= match c {
            b'A' => ALL,
            b'g' => GENERIC,
            b'$' => STRING,
            b'l' => LIST,
            b's' => SET,
            b'h' => HASH,
            b'z' => ZSET,
            b'x' => EXPIRED,
            b'e' => EVICTED,
            b'K' => KEYSPACE,
            b'E' => KEYEVENT,
            b't' => STREAM,
            b'm' => KEY_MISS,
            b'd' => MODULE,
            b'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// `keyspaceEventsFlagsToString`.
pub fn notify_text(flags: u32) -> String {
    let mut out = String::new();
    if flags & ALL == ALL {
        out.push('A');
    } else {
        for (bit, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ] {
            if flags & bit != 0 {
                out.push(c);
            }
        }
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & bit != 0 {
            out.push(c);
        }
    }
    out
}

/// `setConfigNotifyKeyspaceEventsOption`: one word of class characters, printed back in
/// Redis's canonical order.
pub fn notify_keyspace_events(words: &[&str]) -> Result<String, String> {
    if words.len() != 1 {
        return Err("wrong number of arguments".into());
    }
    // Kept as given: its rendering (`notify_text`) drops `n` under `A`, as Redis's
    // does, while the flags the server acts on keep it.
    notify_flags(words[0])
        .map(|_| words[0].to_string())
        .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
}

/// `setConfigReplicaOfOption`: `host port` or `no one`.
pub fn replicaof(words: &[&str]) -> Result<String, String> {
    if words.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    if words[0].eq_ignore_ascii_case("no") && words[1].eq_ignore_ascii_case("one") {
        return Ok(String::new());
    }
    let (port, end) = strtoll(words[1].as_bytes());
    if end != words[1].len() || !(0..=65535).contains(&port) {
        return Err("Invalid master port".into());
    }
    Ok(format!("{} {port}", words[0]))
}

/// `setConfigLatencyTrackingInfoPercentilesOutputOption`: percentiles in [0, 100],
/// printed as `%f` with trailing zeros trimmed.
pub fn latency_percentiles(words: &[&str]) -> Result<String, String> {
    if words.len() == 1 && words[0].is_empty() {
        return Ok(String::new());
    }
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        let Some(p) = string2d(word.as_bytes()) else {
            return Err("Invalid latency-tracking-info-percentiles parameters".into());
        };
        if !(0.0..=100.0).contains(&p) {
            return Err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                    .into(),
            );
        }
        let text = format!("{p:.6}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        out.push(text.to_string());
    }
    Ok(out.join(" "))
}

/// `updateClientOutputBufferLimit`: `class hard soft seconds` groups; all are checked
/// before any is applied. Returns the new (normal, pubsub) limits; replica limits are
/// accepted and kept in the text only.
pub fn client_output_buffer_limit(
    words: &[&str],
    current: [OutputLimit; 3],
) -> Result<[OutputLimit; 3], String> {
    if !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut updated = current;
    for chunk in words.chunks(4) {
        let class = match chunk[0].to_ascii_lowercase().as_str() {
            "normal" => 0,
            "slave" | "replica" => 1,
            "pubsub" => 2,
            _ => {
                return Err("Invalid client class specified in buffer limit configuration.".into())
            }
        };
        // memtoull for the two sizes, and strtoll for the seconds stored into an `int`,
        // so 4294967297 is 1 second and 2147483648 (negative as an int) is refused.
        let (hard, soft) = (memtoull(chunk[1].as_bytes()), memtoull(chunk[2].as_bytes()));
        let (secs, end) = strtoll(chunk[3].as_bytes());
        let secs = secs as i32;
        let (Some(hard), Some(soft), true, true) = (hard, soft, secs >= 0, end == chunk[3].len())
        else {
            return Err(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into(),
            );
        };
        updated[class] = (hard, soft, secs as u64);
    }
    Ok(updated)
}

/// `getConfigClientOutputBufferLimitOption`.
pub fn client_output_buffer_limit_text(limits: [OutputLimit; 3]) -> String {
    let [n, r, p] = limits;
    format!(
        "normal {} {} {} slave {} {} {} pubsub {} {} {}",
        n.0, n.1, n.2, r.0, r.1, r.2, p.0, p.1, p.2
    )
}

/// `validateProcTitleTemplate`: `{...}` names only from the known set, braces balanced,
/// and the template not empty once expanded.
pub fn proc_title_template_is_valid(template: &str) -> bool {
    const KNOWN: [&str; 7] = [
        "title",
        "listen-addr",
        "server-mode",
        "port",
        "tls-port",
        "unixsocket",
        "config-file",
    ];
    let mut rest = template;
    let mut expanded_any = false;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return false;
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return false;
        };
        if !KNOWN.contains(&&after[..close]) {
            return false;
        }
        expanded_any = true;
        rest = &after[close + 1..];
    }
    expanded_any || !template.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_values_parse_as_redis() {
        // Each answer checked against redis-server 7.0.15's CONFIG SET then GET.
        assert_eq!(
            save(&["3600", "1", "300", "100"]),
            Ok("3600 1 300 100".into())
        );
        assert_eq!(save(&[""]), Ok(String::new()));
        assert_eq!(save(&[]), Ok(String::new()));
        assert_eq!(save(&["0", "1"]), Err("Invalid save parameters".into()));
        assert_eq!(save(&["10"]), Err("Invalid save parameters".into()));
        assert_eq!(save(&["10", "x"]), Err("Invalid save parameters".into()));
        assert_eq!(notify_keyspace_events(&["KEA"]), Ok("KEA".into()));
        assert_eq!(notify_text(notify_flags("KEA").unwrap()), "AKE");
        assert_eq!(notify_text(notify_flags("Kx$g").unwrap()), "g$xK");
        // `n` is kept in the flags but not shown under `A`, as in Redis.
        assert_eq!(notify_text(notify_flags("KEAmn").unwrap()), "AKEm");
        assert_ne!(notify_flags("KEAmn").unwrap() & NEW, 0);
        assert_eq!(notify_keyspace_events(&[""]), Ok(String::new()));
        assert!(notify_keyspace_events(&["Q"]).is_err());
        assert_eq!(
            oom_score_adj_values(&["0", "200", "800"]),
            Ok("0 200 800".into())
        );
        assert!(oom_score_adj_values(&["0", "200", "2001"]).is_err());
        assert_eq!(
            latency_percentiles(&["50", "99.9", "100"]),
            Ok("50 99.9 100".into())
        );
        assert!(latency_percentiles(&["101"]).is_err());
        assert_eq!(replicaof(&["NO", "one"]), Ok(String::new()));
        assert_eq!(
            replicaof(&["h", "70000"]),
            Err("Invalid master port".into())
        );
        assert!(proc_title_template_is_valid(
            "{title} {listen-addr} {server-mode}"
        ));
        assert!(!proc_title_template_is_valid("{title} {nope}"));
        assert!(!proc_title_template_is_valid("{title"));
    }
}
