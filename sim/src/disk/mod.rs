//! The simulated disk: [`SimDisk`] implements [`seedis::storage::Storage`] deterministically
//! from the run's seed, on the simulation's virtual clock ([`SimClock`]).
//!
//! The contents model (page cache and durable data, directory entries durable only after
//! `sync_dir`, torn writes on power loss, fsyncgate) is in [`state`]; the fault plan in
//! [`plan`]. This module adds what happens in time:
//!
//! - **fsync latency**: the plan's latency moves the shared clock (the caller blocks).
//! - **Background fsyncs** (`fsync_background`) complete at a seeded virtual instant; until
//!   then the data is only in the page cache. A crash drops them.
//! - **fork**: the child closure runs at once, on a *scratch copy* of the disk that
//!   records every file operation it makes (with its faults rolled then). The recorded
//!   operations are then *queued* on the real disk at virtual instants spread over the
//!   child's run time (seeded), the last one at its completion, when `poll_children`
//!   reports the exit. We queue rather than apply everything at completion because a
//!   crash in the middle must leave what a real child would have left: a half-written
//!   temp file, or a whole one fsynced but not yet renamed; and we queue rather than
//!   apply at once because the child's rename must not be visible (to the parent, or
//!   after a crash) before the child got that far. A crash (process or power) kills the
//!   child: its queued operations are dropped, what already landed stays.
//!
//! Queued work is settled lazily: before every storage call and at a crash, everything due
//! by the clock's current time lands, in time order.

pub mod plan;
pub mod state;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

use rand_core::RngCore;
use seedis::storage::{ChildExit, ChildPid, FileId, Storage};

use crate::clock::SimClock;
use crate::faults::below;
pub use plan::DiskPlan;
pub use state::DiskStats;
use state::{ChildOp, Disk};

/// SIGUSR1: what `kill_child` sends (Redis's way to stop a child without it being taken
/// for a crash).
const SIGUSR1: i32 = 10;

struct Child {
    pid: ChildPid,
    /// Recorded operations still to land, each with its virtual time, in order.
    queue: std::collections::VecDeque<(u64, ChildOp)>,
    /// The child's FileIds (on its scratch copy) to the real disk's.
    files: BTreeMap<FileId, FileId>,
    exit_at_us: u64,
    exit_code: i32,
    /// When it forked: the instant of the memory it writes.
    forked_us: u64,
}

struct Inner {
    disk: Disk,
    clock: SimClock,
    children: Vec<Child>,
    /// Exits reached and not yet collected by `poll_children`.
    exited: Vec<(ChildPid, ChildExit)>,
    /// Background fsyncs: (completion time, file's inode).
    background: Vec<(u64, u64)>,
    next_pid: u32,
    /// Every child's fork time, by pid (a run forks a bounded number of times).
    forked_at: BTreeMap<ChildPid, u64>,
    /// Kill the process right after this many more storage calls (a crash point between
    /// a SAVE's write, fsync and rename).
    crash_after_ops: Option<u64>,
    /// The fork time of the latest child whose success (exit 0) the parent collected
    /// with `poll_children`: the parent then counts its snapshot as done.
    acked_child_snapshot_us: Option<u64>,
}

/// A handle on the simulated disk. Clones share the disk: the server holds one as its
/// storage, the simulator keeps one to crash it, restart on it and inspect it.
#[derive(Clone)]
pub struct SimDisk {
    inner: Rc<RefCell<Inner>>,
}

impl SimDisk {
    pub fn new(seed: u64, plan: DiskPlan, clock: SimClock) -> SimDisk {
        SimDisk {
            inner: Rc::new(RefCell::new(Inner {
                disk: Disk::new(seed, plan),
                clock,
                children: Vec::new(),
                exited: Vec::new(),
                background: Vec::new(),
                next_pid: 1000,
                forked_at: BTreeMap::new(),
                crash_after_ops: None,
                acked_child_snapshot_us: None,
            })),
        }
    }

    /// The process died (kill -9, a panic, OOM): open files and children are gone, the page
    /// cache stays. Work due by now lands first.
    pub fn process_crash(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.settle();
        inner.kill_everything();
        inner.crash_after_ops = None;
        inner.disk.process_crash();
    }

    /// The machine lost power: a process crash, then everything not durable is lost or
    /// torn (see [`state`]).
    pub fn power_loss(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.settle();
        inner.kill_everything();
        inner.crash_after_ops = None;
        inner.disk.power_loss();
    }

    /// Lands the work due by the clock's current time (the simulator calls it after each
    /// server pass, so background completions happen while the server serves).
    pub fn settle(&self) {
        self.inner.borrow_mut().settle();
    }

    /// A file's contents as the process would read them, `None` if absent.
    pub fn contents(&self, path: &str) -> Option<Vec<u8>> {
        self.inner.borrow().disk.contents(path).map(<[u8]>::to_vec)
    }

    /// Every path, as the process sees the namespace.
    pub fn paths(&self) -> Vec<String> {
        self.inner.borrow().disk.names.keys().cloned().collect()
    }

    /// What a restart finds at `path`: the file's birth (see `state::Inode::born_us`) and
    /// whether the last power loss damaged it, or `None` without a file.
    pub fn file_origin(&self, path: &str) -> Option<(u64, bool)> {
        let inner = self.inner.borrow();
        let ino = inner.disk.names.get(path)?;
        let inode = inner.disk.inodes.get(ino)?;
        Some((inode.born_us, inner.disk.damaged.contains(ino)))
    }

    /// Forgets which files the last power loss damaged (called once a restart has been
    /// judged).
    pub fn clear_damage(&self) {
        self.inner.borrow_mut().disk.damaged.clear();
    }

    /// The fork time of the latest BGSAVE-like child whose success the parent collected.
    pub fn acked_child_snapshot_us(&self) -> Option<u64> {
        self.inner.borrow().acked_child_snapshot_us
    }

    /// Children that have not exited yet.
    pub fn children_running(&self) -> usize {
        self.inner.borrow().children.len()
    }

    pub fn stats(&self) -> DiskStats {
        self.inner.borrow().disk.stats.clone()
    }

    pub fn plan(&self) -> DiskPlan {
        self.inner.borrow().disk.plan.clone()
    }

    /// A hash of every disk operation and fault, for the run's trace hash.
    pub fn trace_hash(&self) -> u64 {
        self.inner.borrow().disk.trace
    }

    /// Arms a crash point: the process dies right after its `ops`-th next storage call
    /// (1 = the next one). Later calls of the doomed process fail and change nothing,
    /// until the driver crashes the disk (`process_crash` or `power_loss`).
    pub fn crash_after_ops(&self, ops: u64) {
        self.inner.borrow_mut().crash_after_ops = Some(ops.max(1));
    }

    /// A storage call of the process: refused once it is dead, counted towards a crash
    /// point otherwise.
    fn with<T>(&self, f: impl FnOnce(&mut Disk) -> io::Result<T>) -> io::Result<T> {
        let mut inner = self.inner.borrow_mut();
        if inner.clock.process_dead() {
            return Err(dead());
        }
        inner.settle();
        let result = f(&mut inner.disk);
        inner.count_towards_crash();
        result
    }
}

/// What a call of a process that already died gets (it will never see it: the driver
/// discards everything the doomed process does).
fn dead() -> io::Error {
    io::Error::other("the simulated process is dead")
}

impl Inner {
    fn count_towards_crash(&mut self) {
        if let Some(left) = self.crash_after_ops.as_mut() {
            *left -= 1;
            if *left == 0 {
                self.crash_after_ops = None;
                self.clock.set_process_dead(true);
            }
        }
    }

    fn settle(&mut self) {
        let now = self.clock.now_us();
        self.disk.now_us = now;
        loop {
            // The earliest due event: a child's next op (ties: the older child first).
            let next_child = self
                .children
                .iter()
                .enumerate()
                .map(|(i, c)| match c.queue.front() {
                    Some(&(t, _)) => (t, i),
                    None => (c.exit_at_us, i),
                })
                .filter(|&(t, _)| t <= now)
                .min();
            let Some((_, i)) = next_child else {
                break;
            };
            let child = &mut self.children[i];
            match child.queue.pop_front() {
                Some((_, op)) => {
                    self.disk.now_us = child.forked_us;
                    replay(&mut self.disk, &mut child.files, op);
                    self.disk.now_us = now;
                }
                None => {
                    let child = self.children.remove(i);
                    // A child's files close with it.
                    for (_, real) in child.files {
                        self.disk.close(real);
                    }
                    self.exited
                        .push((child.pid, ChildExit::Exited(child.exit_code)));
                }
            }
        }
        let disk = &mut self.disk;
        self.background.retain(|&(t, ino)| {
            if t > now {
                return true;
            }
            disk.make_durable(ino);
            false
        });
    }

    fn kill_everything(&mut self) {
        for child in std::mem::take(&mut self.children) {
            for (_, real) in child.files {
                self.disk.close(real);
            }
        }
        self.exited.clear();
        self.background.clear();
    }
}

/// Applies one of a child's recorded operations to the real disk (faults off: they were
/// rolled when the child ran; a failed fsync is replayed as one).
fn replay(disk: &mut Disk, files: &mut BTreeMap<FileId, FileId>, op: ChildOp) {
    disk.faults_on = false;
    let file = |files: &BTreeMap<FileId, FileId>, f: FileId| files.get(&f).copied();
    match op {
        ChildOp::Create(path, local) => {
            if let Ok(real) = disk.create(&path) {
                files.insert(local, real);
            }
        }
        ChildOp::OpenAppend(path, local) => {
            if let Ok(real) = disk.open_append(&path) {
                files.insert(local, real);
            }
        }
        ChildOp::Write(local, data) => {
            if let Some(real) = file(files, local) {
                let _ = seedis::storage::write_all(disk, real, &data);
            }
        }
        ChildOp::Fsync(local) => {
            if let Some(real) = file(files, local) {
                let _ = disk.fsync(real);
            }
        }
        ChildOp::FsyncFailed(local) => {
            if let Some(real) = file(files, local) {
                if let Some(ino) = disk.ino_of(real) {
                    disk.fsync_failed(ino);
                }
            }
        }
        ChildOp::Close(local) => {
            if let Some(real) = files.remove(&local) {
                disk.close(real);
            }
        }
        ChildOp::Rename(from, to) => {
            let _ = disk.rename(&from, &to);
        }
        ChildOp::SyncDir(dir) => {
            let _ = disk.sync_dir(&dir);
        }
        ChildOp::Unlink(path) => {
            let _ = disk.unlink(&path);
        }
        ChildOp::Mkdir(path) => {
            let _ = disk.mkdir(&path);
        }
    }
    disk.faults_on = true;
}

impl Storage for SimDisk {
    fn create(&mut self, path: &str) -> io::Result<FileId> {
        self.with(|d| d.create(path))
    }
    fn open_append(&mut self, path: &str) -> io::Result<FileId> {
        self.with(|d| d.open_append(path))
    }
    fn open_read(&mut self, path: &str) -> io::Result<FileId> {
        self.with(|d| d.open_read(path))
    }
    fn write(&mut self, file: FileId, data: &[u8]) -> io::Result<usize> {
        self.with(|d| d.write(file, data))
    }
    fn read(&mut self, file: FileId, buf: &mut [u8]) -> io::Result<usize> {
        self.with(|d| d.read(file, buf))
    }
    fn fsync(&mut self, file: FileId) -> io::Result<()> {
        let result = self.with(|d| d.fsync(file));
        self.take_fsync_latency();
        result
    }
    fn fdatasync(&mut self, file: FileId) -> io::Result<()> {
        let result = self.with(|d| d.fdatasync(file));
        self.take_fsync_latency();
        result
    }
    fn close(&mut self, file: FileId) {
        let _ = self.with(|d| {
            d.close(file);
            Ok(())
        });
    }
    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        self.with(|d| d.rename(from, to))
    }
    fn sync_dir(&mut self, dir: &str) -> io::Result<()> {
        self.with(|d| d.sync_dir(dir))
    }
    fn unlink(&mut self, path: &str) -> io::Result<()> {
        self.with(|d| d.unlink(path))
    }
    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.with(|d| d.mkdir(path))
    }
    fn list(&mut self, dir: &str) -> io::Result<Vec<String>> {
        self.with(|d| d.list(dir))
    }
    fn size(&mut self, path: &str) -> io::Result<Option<u64>> {
        self.with(|d| d.size(path))
    }
    fn truncate(&mut self, path: &str, len: u64) -> io::Result<()> {
        self.with(|d| d.truncate(path, len))
    }

    fn fsync_background(&mut self, file: FileId) -> io::Result<()> {
        let mut inner = self.inner.borrow_mut();
        if inner.clock.process_dead() {
            return Err(dead());
        }
        inner.settle();
        let ino = inner
            .disk
            .ino_of(file)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "bad file descriptor"))?;
        let max = inner.disk.plan.background_fsync_delay_max_us.max(1);
        let delay = 1 + below(&mut inner.disk.rng, max);
        let at = inner.clock.now_us().saturating_add(delay);
        inner.background.push((at, ino));
        inner.disk.mix(b'b', ino);
        Ok(())
    }

    fn background_fsyncs_pending(&mut self) -> usize {
        let mut inner = self.inner.borrow_mut();
        inner.settle();
        inner.background.len()
    }

    fn fork(&mut self, child: &mut dyn FnMut(&mut dyn Storage) -> i32) -> io::Result<ChildPid> {
        let mut inner = self.inner.borrow_mut();
        if inner.clock.process_dead() {
            return Err(dead());
        }
        inner.settle();
        inner.count_towards_crash();
        inner.disk.stats.forks += 1;
        // The scratch copy: the disk as it is now, recording, with faults of its own.
        let mut scratch = inner.disk.clone();
        scratch.journal = Some(Vec::new());
        let seed = inner.disk.rng.next_u64();
        scratch.rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(seed);
        let exit_code = child(&mut scratch);
        let ops = scratch.journal.take().unwrap_or_default();
        let start = inner.clock.now_us();
        let max = inner.disk.plan.child_delay_max_us.max(1);
        let run_us = 1 + below(&mut inner.disk.rng, max);
        let count = ops.len() as u64;
        let queue = ops
            .into_iter()
            .enumerate()
            // Spread evenly, the last one at the exit: op i lands at start + run·(i+1)/n.
            .map(|(i, op)| (start + run_us * (i as u64 + 1) / count.max(1), op))
            .collect();
        let pid = ChildPid(inner.next_pid);
        inner.next_pid += 1;
        inner.forked_at.insert(pid, start);
        inner.disk.mix(b'k', u64::from(pid.0));
        inner.children.push(Child {
            pid,
            queue,
            files: BTreeMap::new(),
            exit_at_us: start + run_us,
            exit_code,
            forked_us: start,
        });
        Ok(pid)
    }

    fn poll_children(&mut self) -> Vec<(ChildPid, ChildExit)> {
        let mut inner = self.inner.borrow_mut();
        if inner.clock.process_dead() {
            return Vec::new();
        }
        inner.settle();
        let exited = std::mem::take(&mut inner.exited);
        for &(pid, exit) in &exited {
            if exit == ChildExit::Exited(0) {
                if let Some(&forked) = inner.forked_at.get(&pid) {
                    inner.acked_child_snapshot_us = Some(forked);
                }
            }
        }
        exited
    }

    fn kill_child(&mut self, pid: ChildPid) {
        let mut inner = self.inner.borrow_mut();
        inner.settle();
        if let Some(i) = inner.children.iter().position(|c| c.pid == pid) {
            let child = inner.children.remove(i);
            for (_, real) in child.files {
                inner.disk.close(real);
            }
            inner.exited.push((pid, ChildExit::Signaled(SIGUSR1)));
        }
    }
}

impl SimDisk {
    fn take_fsync_latency(&self) {
        let mut inner = self.inner.borrow_mut();
        let latency = std::mem::take(&mut inner.disk.last_fsync_latency_us);
        inner.clock.advance_us(latency);
    }

    /// Replaces the fault plan (tests: a fault for one step, then none).
    pub fn set_plan(&self, plan: DiskPlan) {
        self.inner.borrow_mut().disk.plan = plan;
    }
}

#[cfg(test)]
mod tests;
