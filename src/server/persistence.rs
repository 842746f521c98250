//! The loop's side of persistence: loading dump.rdb at startup, the cron's part
//! (reaping the BGSAVE child, save points, a scheduled BGSAVE), a signal's shutdown
//! save, and writing the lines the save and load paths queued
//! (`server.persist.log`) to the server's log.

use super::event_loop::EventLoop;
use crate::cmd::aof::{self, LoadResult};
use crate::cmd::persistence::{self as flow, ShutdownFlags};
use crate::net::Poller;
use crate::persist::aof::state::AofStatus;
use crate::persist::snapshot::Duplicates;
use crate::persist::state::{due_save_point, save_points, LogLine, BGSAVE_RETRY_DELAY_S};
use crate::server::log::Level;
use std::io;

impl<P: Poller> EventLoop<P> {
    /// The startup sequence `aofLoadManifestFromDisk`, `loadDataFromDisk`,
    /// `aofOpenIfNeededOnServerStart`, `aofDelHistoryFiles`: with `appendonly yes` the
    /// AOF files (which win over dump.rdb), else dump.rdb from `dir`/`dbfilename` if
    /// there is one. An unreadable or corrupt file is an error (the binary exits 1, as
    /// Redis does); the error (already logged) is the reason.
    pub fn load_data_from_disk(&mut self) -> Result<(), String> {
        let start_us = self.poller_mut().now_us();
        self.state.now_us = start_us;
        self.keyspace.access = self.state.access_clock();
        match aof::load_manifest_from_disk(&mut *self.storage, &self.state) {
            Ok(am) => self.state.aof.manifest = am,
            Err(lines) => {
                for line in &lines {
                    self.log(Level::Warning, line);
                }
                return Err(lines.join(""));
            }
        }
        if self.state.config.appendonly {
            aof::set_status(&mut self.state, AofStatus::On);
            let ret = aof::load_append_only_files(
                &mut *self.storage,
                &mut self.keyspace,
                &mut self.state,
                &mut self.poller,
            );
            let warnings = self.queued_warnings();
            self.write_persist_log();
            if matches!(ret, LoadResult::Failed | LoadResult::OpenErr) {
                return Err(format!("AOF loading failed: {warnings}"));
            }
            if ret != LoadResult::NotExist {
                let secs = self.poller_mut().now_us().saturating_sub(start_us) as f64 / 1e6;
                self.log(
                    Level::Notice,
                    &format!("DB loaded from append only file: {secs:.3} seconds"),
                );
            }
        } else {
            let loaded = flow::rdb_load(
                &mut *self.storage,
                &mut self.keyspace,
                &mut self.state,
                Duplicates::Refuse,
            );
            self.write_persist_log();
            match loaded {
                Ok(Some(_)) => {
                    let secs = self.poller_mut().now_us().saturating_sub(start_us) as f64 / 1e6;
                    self.log(
                        Level::Notice,
                        &format!("DB loaded from disk: {secs:.3} seconds"),
                    );
                }
                Ok(None) => {}
                Err(message) => {
                    self.log(Level::Warning, &message);
                    return Err(message);
                }
            }
        }
        let opened = aof::open_on_server_start(&mut *self.storage, &self.keyspace, &mut self.state);
        if opened {
            aof::delete_history_files(&mut *self.storage, &mut self.state);
        }
        let warnings = self.queued_warnings();
        self.write_persist_log();
        if opened {
            Ok(())
        } else {
            Err(format!("AOF could not be opened: {warnings}"))
        }
    }

    /// The warnings queued so far, joined (the reason a start failed, for a caller
    /// without a log such as the simulator).
    fn queued_warnings(&self) -> String {
        self.state
            .persist
            .log
            .iter()
            .filter_map(|l| match l {
                LogLine::Warning(w) => Some(w.trim()),
                LogLine::Notice(_) => None,
            })
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// Writes what the save and load paths queued.
    pub(super) fn write_persist_log(&mut self) {
        for line in std::mem::take(&mut self.state.persist.log) {
            match line {
                LogLine::Notice(text) => self.log(Level::Notice, &text),
                LogLine::Warning(text) => self.log(Level::Warning, &text),
            }
        }
    }

    /// serverCron's persistence part: a child that ended is accounted for; with no
    /// child, the first due save point (or a scheduled BGSAVE) starts one.
    pub(super) fn persistence_cron(&mut self) {
        if !aof::has_active_child(&self.state)
            && self.state.aof.rewrite_scheduled
            && !aof::rewrite_limited(&mut self.state)
        {
            aof::rewrite_background(&mut *self.storage, &self.keyspace, &mut self.state);
        }
        let now_s = self.state.now_us / 1_000_000;
        if aof::has_active_child(&self.state) {
            for (pid, exit) in self.storage.poll_children() {
                let rdb = self
                    .state
                    .persist
                    .child
                    .as_ref()
                    .is_some_and(|c| c.pid == pid);
                let rewrite = self.state.aof.child.as_ref().is_some_and(|c| c.pid == pid);
                if rdb {
                    flow::background_save_done(&mut *self.storage, &mut self.state, exit);
                    let ok = self.state.persist.last_bgsave_ok;
                    self.replication_after_bgsave(ok);
                } else if rewrite {
                    aof::background_rewrite_done(&mut *self.storage, &mut self.state, exit);
                }
            }
        } else {
            let points = save_points(&self.state.config.save);
            let due = due_save_point(&points, self.state.dirty, now_s, &self.state.persist);
            if let Some((seconds, changes)) = due {
                self.state
                    .persist
                    .notice(format!("{changes} changes in {seconds} seconds. Saving..."));
                flow::rdb_save_background(&mut *self.storage, &self.keyspace, &mut self.state);
            }
            self.auto_rewrite();
        }
        let persist = &self.state.persist;
        if !aof::has_active_child(&self.state)
            && persist.bgsave_scheduled
            && (now_s.saturating_sub(persist.last_bgsave_try_s) > BGSAVE_RETRY_DELAY_S
                || persist.last_bgsave_ok)
            && flow::rdb_save_background(&mut *self.storage, &self.keyspace, &mut self.state)
        {
            self.state.persist.bgsave_scheduled = false;
        }
        let aof_state = &self.state.aof;
        if aof_state.is_on() && aof_state.flush_postponed_start_s != 0 {
            aof::flush(&mut *self.storage, &mut self.state, false);
        }
        // A write error is retried (about) once a second: the data is still buffered.
        let aof_state = &self.state.aof;
        if aof_state.is_on() && !aof_state.last_write_ok && now_s > self.aof_error_retry_s {
            self.aof_error_retry_s = now_s;
            aof::flush(&mut *self.storage, &mut self.state, false);
        }
        self.write_persist_log();
    }

    /// serverCron's automatic rewrite: the AOF grew by `auto-aof-rewrite-percentage`
    /// over its size after the last rewrite, and is past `auto-aof-rewrite-min-size`.
    fn auto_rewrite(&mut self) {
        let config = &self.state.config;
        let perc: u64 = config
            .get("auto-aof-rewrite-percentage")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let min_size: u64 = config
            .get("auto-aof-rewrite-min-size")
            .and_then(|v| crate::util::int::memtoull(v.as_bytes()))
            .unwrap_or(0);
        let aof_state = &self.state.aof;
        if aof_state.status != AofStatus::On
            || aof::has_active_child(&self.state)
            || perc == 0
            || aof_state.current_size <= min_size
        {
            return;
        }
        let base = aof_state.rewrite_base_size.max(1);
        let growth = (aof_state.current_size * 100 / base) as i64 - 100;
        if growth >= perc as i64 && !aof::rewrite_limited(&mut self.state) {
            self.state.persist.notice(format!(
                "Starting automatic rewriting of AOF on {growth}% growth"
            ));
            aof::rewrite_background(&mut *self.storage, &self.keyspace, &mut self.state);
        }
    }

    /// before-sleep's `flushAppendOnlyFile(0)`, before any reply is written. A write or
    /// fsync error with `appendfsync always` stops the process (Redis exits 1).
    pub(super) fn flush_append_only_file(&mut self) -> io::Result<()> {
        if self.state.aof.is_on() {
            aof::flush(&mut *self.storage, &mut self.state, false);
        }
        self.check_aof_fatal()
    }

    /// Redis's `exit(1)` after an AOF error it cannot recover from: logged, and the loop
    /// returns the error (the binary exits 1; the simulator sees the process die).
    pub(super) fn check_aof_fatal(&mut self) -> io::Result<()> {
        self.write_persist_log();
        match self.state.aof.fatal.clone() {
            Some(line) => {
                self.log(Level::Warning, &line);
                Err(io::Error::other(line))
            }
            None => Ok(()),
        }
    }

    /// A signal's shutdown (`shutdown-on-sigterm default`): save as SHUTDOWN without
    /// arguments would. False if the save failed: the server goes on.
    pub(super) fn prepare_for_signal_shutdown(&mut self) -> bool {
        let ok = flow::prepare_for_shutdown(
            &mut *self.storage,
            &self.keyspace,
            &mut self.state,
            ShutdownFlags::default(),
        );
        self.write_persist_log();
        ok
    }
}
