//! What the server remembers about saving (Redis's `server.lastsave`,
//! `lastbgsave_status`, `child_pid`, `rdb_bgsave_scheduled`...): read by INFO
//! persistence, LASTSAVE, the save points and the MISCONF check.

use crate::storage::ChildPid;

/// Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this many
/// seconds before trying again.
pub const BGSAVE_RETRY_DELAY_S: u64 = 5;

/// A log line the save and load paths want written; the loop, which owns the log,
/// writes them after the command or cron step that queued them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogLine {
    Notice(String),
    Warning(String),
}

/// The BGSAVE child running now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RdbChild {
    pub pid: ChildPid,
    /// When it was forked, µs (INFO `rdb_current_bgsave_time_sec`).
    pub start_us: u64,
    /// The temp file it writes, removed if it is killed.
    pub temp_file: String,
}

#[derive(Clone, Debug)]
pub struct PersistState {
    /// Unix time in s of the last successful save (LASTSAVE); startup time at first.
    pub lastsave_s: u64,
    /// `lastbgsave_status`: false after a failed SAVE or BGSAVE (MISCONF), true again
    /// after a successful one.
    pub last_bgsave_ok: bool,
    /// When the last BGSAVE was attempted, s (save points retry after a failure only
    /// [`BGSAVE_RETRY_DELAY_S`] later).
    pub last_bgsave_try_s: u64,
    /// `server.dirty` when the running BGSAVE forked: subtracted when it succeeds.
    pub dirty_before_bgsave: u64,
    pub child: Option<RdbChild>,
    /// BGSAVE SCHEDULE (or BGSAVE inside MULTI) while a child runs: start one later.
    pub bgsave_scheduled: bool,
    /// INFO `rdb_saves`: SAVEs and BGSAVEs started.
    pub rdb_saves: u64,
    /// INFO `rdb_last_bgsave_time_sec`: -1 until a BGSAVE ends.
    pub last_bgsave_time_s: i64,
    /// INFO `rdb_last_load_keys_expired` / `rdb_last_load_keys_loaded`.
    pub last_load_keys_expired: u64,
    pub last_load_keys_loaded: u64,
    /// Lines for the loop to log.
    pub log: Vec<LogLine>,
}

impl PersistState {
    pub fn new(now_s: u64) -> PersistState {
        PersistState {
            lastsave_s: now_s,
            last_bgsave_ok: true,
            last_bgsave_try_s: 0,
            dirty_before_bgsave: 0,
            child: None,
            bgsave_scheduled: false,
            rdb_saves: 0,
            last_bgsave_time_s: -1,
            last_load_keys_expired: 0,
            last_load_keys_loaded: 0,
            log: Vec::new(),
        }
    }

    pub fn notice(&mut self, line: impl Into<String>) {
        self.log.push(LogLine::Notice(line.into()));
    }

    pub fn warning(&mut self, line: impl Into<String>) {
        self.log.push(LogLine::Warning(line.into()));
    }
}

/// The `save` setting's pairs `(seconds, changes)`, as CONFIG GET prints them
/// (`"3600 1 300 100"`; empty for none). Anything unparsable is skipped: the setting
/// was validated when it was set.
pub fn save_points(save: &str) -> Vec<(u64, u64)> {
    let numbers: Vec<u64> = save
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    numbers.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

/// serverCron's check: the first save point that is due, if any.
pub fn due_save_point(
    points: &[(u64, u64)],
    dirty: u64,
    now_s: u64,
    state: &PersistState,
) -> Option<(u64, u64)> {
    let may_retry = now_s.saturating_sub(state.last_bgsave_try_s) > BGSAVE_RETRY_DELAY_S
        || state.last_bgsave_ok;
    points.iter().copied().find(|&(seconds, changes)| {
        dirty >= changes && now_s.saturating_sub(state.lastsave_s) > seconds && may_retry
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_points_parse_the_config_text() {
        assert_eq!(
            save_points("3600 1 300 100 60 10000"),
            vec![(3600, 1), (300, 100), (60, 10000)]
        );
        assert!(save_points("").is_empty());
    }

    #[test]
    fn a_save_point_is_due_after_its_seconds_with_its_changes() {
        let mut state = PersistState::new(1000);
        let points = save_points("3600 1 300 100");
        assert_eq!(due_save_point(&points, 0, 10_000, &state), None);
        assert_eq!(due_save_point(&points, 1, 4600, &state), None);
        assert_eq!(due_save_point(&points, 1, 4601, &state), Some((3600, 1)));
        assert_eq!(due_save_point(&points, 100, 1301, &state), Some((300, 100)));
        // After a failure, only once the retry delay has passed.
        state.last_bgsave_ok = false;
        state.last_bgsave_try_s = 1300;
        assert_eq!(due_save_point(&points, 100, 1305, &state), None);
        assert_eq!(due_save_point(&points, 100, 1306, &state), Some((300, 100)));
    }
}
