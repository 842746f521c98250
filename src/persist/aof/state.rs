//! What the server remembers about its AOF (Redis's `server.aof_*` fields): read by the
//! flows in `cmd/aof.rs`, INFO persistence, the MISCONF check and the loop.

use super::manifest::Manifest;
use crate::storage::{ChildPid, FileId};

/// `server.aof_state`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AofStatus {
    Off,
    On,
    /// `appendonly yes` was set at runtime: on once the first rewrite completes.
    WaitRewrite,
}

/// The `appendfsync` policy.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FsyncPolicy {
    No,
    Always,
    Everysec,
}

impl FsyncPolicy {
    pub fn from_config(text: Option<&str>) -> FsyncPolicy {
        match text {
            Some("always") => FsyncPolicy::Always,
            Some("no") => FsyncPolicy::No,
            _ => FsyncPolicy::Everysec,
        }
    }
}

/// The BGREWRITEAOF child running now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofChild {
    pub pid: ChildPid,
    /// `aof_rewrite_time_start`, s.
    pub start_s: u64,
    /// The file it renames its result to (`temp-rewriteaof-bg-<pid>.aof`).
    pub temp_file: String,
}

#[derive(Clone, Debug)]
pub struct AofState {
    pub status: AofStatus,
    pub manifest: Manifest,
    /// `aof_fd`: the incremental file (or the temp one while waiting for a rewrite).
    pub file: Option<FileId>,
    /// Its name in the AOF directory.
    pub file_name: String,
    /// `aof_buf`: what the commands of this pass appended, written in before-sleep.
    pub buf: Vec<u8>,
    /// `aof_selected_db`: `None` forces a SELECT before the next command.
    pub selected_db: Option<usize>,
    /// `aof_cur_timestamp`: the last `#TS:` written.
    pub cur_timestamp_s: u64,
    pub last_fsync_s: u64,
    /// `aof_flush_postponed_start`: 0 when no write is postponed.
    pub flush_postponed_start_s: u64,
    pub delayed_fsync: u64,
    pub last_incr_size: u64,
    pub last_incr_fsync_offset: u64,
    pub current_size: u64,
    pub rewrite_base_size: u64,
    pub rewrite_scheduled: bool,
    /// `aof_last_write_status`; with the error's text (`aof_last_write_errno`).
    pub last_write_ok: bool,
    pub last_write_error: String,
    /// When a write error was last logged (one line per 30 s).
    pub last_write_error_log_s: u64,
    pub child: Option<AofChild>,
    pub rewrite_time_last_s: i64,
    pub last_bgrewrite_ok: bool,
    /// INFO `aof_rewrites` and `aof_rewrites_consecutive_failures`.
    pub rewrites: u64,
    pub consecutive_failures: u64,
    /// `aofRewriteLimited`'s statics.
    pub limit_next_delay_minutes: u64,
    pub limit_next_rewrite_s: u64,
    /// Redis would `exit(1)` now (a write or fsync error with `appendfsync always`): the
    /// loop stops the process with this line logged.
    pub fatal: Option<String>,
}

impl AofState {
    pub fn new(now_s: u64) -> AofState {
        AofState {
            status: AofStatus::Off,
            manifest: Manifest::default(),
            file: None,
            file_name: String::new(),
            buf: Vec::new(),
            selected_db: None,
            cur_timestamp_s: 0,
            last_fsync_s: now_s,
            flush_postponed_start_s: 0,
            delayed_fsync: 0,
            last_incr_size: 0,
            last_incr_fsync_offset: 0,
            current_size: 0,
            rewrite_base_size: 0,
            rewrite_scheduled: false,
            last_write_ok: true,
            last_write_error: String::new(),
            last_write_error_log_s: 0,
            child: None,
            rewrite_time_last_s: -1,
            last_bgrewrite_ok: true,
            rewrites: 0,
            consecutive_failures: 0,
            limit_next_delay_minutes: 0,
            limit_next_rewrite_s: 0,
            fatal: None,
        }
    }

    pub fn is_on(&self) -> bool {
        self.status != AofStatus::Off
    }

    /// `feedAppendOnlyFile` for each command of a propagated batch: a `#TS:` annotation
    /// when the second changed (with `aof-timestamp-enabled`), a SELECT when the
    /// database changed, the command. Appended to the buffer only when AOF is on or a
    /// rewrite that will switch it on is running.
    pub fn feed(&mut self, batch: &crate::cmd::propagate::Batch, timestamps: bool) {
        if self.status == AofStatus::Off {
            return;
        }
        let now_s = batch.now_us / 1_000_000;
        let keep = self.status == AofStatus::On || self.child.is_some();
        let mut out = Vec::new();
        for op in &batch.ops {
            if timestamps && self.cur_timestamp_s < now_s {
                self.cur_timestamp_s = now_s;
                out.extend_from_slice(super::timestamp_annotation(now_s).as_bytes());
            }
            if self.selected_db != Some(op.db) {
                super::cat_select(&mut out, op.db);
                self.selected_db = Some(op.db);
            }
            super::cat_command(&mut out, &op.argv);
        }
        if keep {
            self.buf.extend_from_slice(&out);
        }
    }
}
