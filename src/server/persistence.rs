//! The loop's side of persistence: loading dump.rdb at startup, the cron's part
//! (reaping the BGSAVE child, save points, a scheduled BGSAVE), a signal's shutdown
//! save, and writing the lines the save and load paths queued
//! (`server.persist.log`) to the server's log.

use super::event_loop::EventLoop;
use crate::cmd::persistence::{self as flow, ShutdownFlags};
use crate::net::Poller;
use crate::persist::snapshot::Duplicates;
use crate::persist::state::{due_save_point, save_points, LogLine, BGSAVE_RETRY_DELAY_S};
use crate::server::log::Level;

impl<P: Poller> EventLoop<P> {
    /// `loadDataFromDisk`: dump.rdb from `dir`/`dbfilename`, if there is one. An
    /// unreadable or corrupt file is an error (the binary exits 1, as Redis does);
    /// expired keys are skipped. The error (already logged) is the reason.
    pub fn load_data_from_disk(&mut self) -> Result<(), String> {
        let start_us = self.poller_mut().now_us();
        self.state.now_us = start_us;
        self.keyspace.access = self.state.access_clock();
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
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(message) => {
                self.log(Level::Warning, &message);
                Err(message)
            }
        }
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
        if self.state.persist.child.is_some() {
            for (pid, exit) in self.storage.poll_children() {
                if self
                    .state
                    .persist
                    .child
                    .as_ref()
                    .is_some_and(|c| c.pid == pid)
                {
                    flow::background_save_done(&mut *self.storage, &mut self.state, exit);
                    let ok = self.state.persist.last_bgsave_ok;
                    self.replication_after_bgsave(ok);
                }
            }
        }
        let now_s = self.state.now_us / 1_000_000;
        if self.state.persist.child.is_none() {
            let points = save_points(&self.state.config.save);
            let due = due_save_point(&points, self.state.dirty, now_s, &self.state.persist);
            if let Some((seconds, changes)) = due {
                self.state
                    .persist
                    .notice(format!("{changes} changes in {seconds} seconds. Saving..."));
                flow::rdb_save_background(&mut *self.storage, &self.keyspace, &mut self.state);
            }
        }
        let persist = &self.state.persist;
        if persist.child.is_none()
            && persist.bgsave_scheduled
            && (now_s.saturating_sub(persist.last_bgsave_try_s) > BGSAVE_RETRY_DELAY_S
                || persist.last_bgsave_ok)
            && flow::rdb_save_background(&mut *self.storage, &self.keyspace, &mut self.state)
        {
            self.state.persist.bgsave_scheduled = false;
        }
        self.write_persist_log();
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
