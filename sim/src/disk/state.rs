//! The disk's contents: inodes with durable and page-cache data, the namespace as the
//! process sees it and as it would survive a power loss, and what a power loss leaves.
//!
//! # Model
//! - Every inode has `durable` bytes (on the platter) and `cache` bytes (the page cache:
//!   what reads return). A write lands in the cache and is recorded as *dirty* (with its
//!   bytes and offset); `fsync`/`fdatasync` copies the cache to `durable` and forgets the
//!   dirty list.
//! - A failed fsync (EIO) is Linux's "fsyncgate": each dirty write it covered lands whole,
//!   torn or not at all, and is no longer dirty, so a later fsync succeeds without making
//!   it durable. The cache keeps what was written: the process reads back data that a
//!   power loss will not bring back.
//! - Names: `names` is the namespace the process sees; `durable_names` what survives a
//!   power loss. Every create, rename and unlink changes `names` at once and is logged as a
//!   [`DirOp`] of its directory; `sync_dir` makes that directory's logged ops durable. On
//!   power loss each directory keeps a seeded *prefix* of its unsynced ops (a journaling
//!   filesystem commits metadata in order): none, some or all of them.
//! - `create` of an existing path links a fresh inode under the name (the old one stays
//!   durable under it until the directory is synced). Real `O_TRUNC` truncates in place;
//!   both let a power loss bring back the old contents, which is what matters here.
//! - A rename within one directory is one op (atomic across power loss); across
//!   directories it is an unlink in one and a link in the other, each durable with its own
//!   directory's sync. Directories themselves (`mkdir`) are durable at once.
//! - Process crash: open files are dropped; the page cache, the dirty lists and the
//!   unsynced directory ops all survive (the kernel still has them).
//! - Power loss: every inode's data becomes `durable` plus, for each dirty write in order,
//!   the whole write, a torn part of it (a prefix of its sectors, or any subset, at
//!   [`DiskPlan::sector_bytes`] boundaries of the file offset; missing sectors read as
//!   what was there before, zeros past the old end) or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use seedis::storage::{ChildExit, ChildPid, FileId, Storage};

use super::plan::DiskPlan;
use crate::faults::{below, chance};

/// Most files open at once (EMFILE beyond).
pub const OPEN_FILES_MAX: usize = 256;
/// Most dirty writes one inode remembers; beyond it the oldest are made durable (as a
/// kernel's writeback would), which bounds the memory of a long run without syncs.
pub const DIRTY_WRITES_MAX: usize = 4096;

/// One unsynced change of a file's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DirtyWrite {
    pub offset: usize,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Inode {
    pub durable: Vec<u8>,
    pub cache: Vec<u8>,
    pub dirty: Vec<DirtyWrite>,
    /// When the process that wrote this file saw the data it holds: its creation time,
    /// or for a forked child's file the fork's (the child writes memory as it was then).
    pub born_us: u64,
}

/// One unsynced change of a directory: names set (to an inode) or removed, together.
#[derive(Clone, Debug)]
pub(crate) struct DirOp {
    pub dir: String,
    pub changes: Vec<(String, Option<u64>)>,
}

#[derive(Clone, Debug)]
struct OpenFile {
    ino: u64,
    /// Read position (writes always append).
    pos: usize,
    writable: bool,
}

/// A forked child's file operation, recorded while the child runs on a scratch copy and
/// replayed on the real disk at its virtual time (see `super::SimDisk::fork`).
#[derive(Clone, Debug)]
pub(crate) enum ChildOp {
    Create(String, FileId),
    OpenAppend(String, FileId),
    /// The bytes the write took (a short write records its prefix).
    Write(FileId, Vec<u8>),
    Fsync(FileId),
    /// An fsync that failed with EIO in the child: replayed as fsyncgate.
    FsyncFailed(FileId),
    Close(FileId),
    Rename(String, String),
    SyncDir(String),
    Unlink(String),
    Mkdir(String),
}

/// Counters for reports and for tests that a fault fired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskStats {
    pub writes: u64,
    pub bytes_written: u64,
    pub fsyncs: u64,
    pub write_eio: u64,
    pub write_enospc: u64,
    pub short_writes: u64,
    pub fsync_eio: u64,
    pub renames: u64,
    pub dir_syncs: u64,
    pub process_crashes: u64,
    pub power_losses: u64,
    pub forks: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Disk {
    pub plan: DiskPlan,
    pub rng: ChaCha8Rng,
    pub inodes: BTreeMap<u64, Inode>,
    next_ino: u64,
    pub names: BTreeMap<String, u64>,
    pub durable_names: BTreeMap<String, u64>,
    pub dir_log: Vec<DirOp>,
    dirs: BTreeSet<String>,
    open: BTreeMap<u32, OpenFile>,
    next_file: u32,
    /// Faults are rolled only when on: off while a child's recorded ops are replayed
    /// (their faults were rolled when the child ran).
    pub faults_on: bool,
    /// `Some` on a forked child's scratch copy: its operations, in order.
    pub journal: Option<Vec<ChildOp>>,
    /// Virtual time the last fsync took, for the shared clock (µs).
    pub last_fsync_latency_us: u64,
    /// The time new files are born at (kept by the owner: the clock's time, or a
    /// replayed child's fork time).
    pub now_us: u64,
    /// Inodes whose contents a power loss changed (torn or lost writes), since the last
    /// call of `take_damaged`.
    pub damaged: BTreeSet<u64>,
    pub stats: DiskStats,
    pub trace: u64,
}

fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => ".",
    }
}

fn err(kind: io::ErrorKind, what: &str) -> io::Error {
    io::Error::new(kind, what.to_string())
}

/// EIO, ENOSPC and EMFILE have no stable `io::ErrorKind` of their own everywhere; the raw
/// OS codes make them read as the real errors (`Input/output error`...).
fn os_error(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}
const EIO: i32 = 5;
const ENOSPC: i32 = 28;
const EMFILE: i32 = 24;

impl Disk {
    pub fn new(seed: u64, plan: DiskPlan) -> Disk {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(7);
        Disk {
            plan,
            rng,
            inodes: BTreeMap::new(),
            next_ino: 1,
            names: BTreeMap::new(),
            durable_names: BTreeMap::new(),
            dir_log: Vec::new(),
            dirs: [".".to_string()].into_iter().collect(),
            open: BTreeMap::new(),
            next_file: 1,
            faults_on: true,
            journal: None,
            last_fsync_latency_us: 0,
            now_us: 0,
            damaged: BTreeSet::new(),
            stats: DiskStats::default(),
            trace: 0xcbf2_9ce4_8422_2325,
        }
    }

    pub fn mix(&mut self, code: u8, value: u64) {
        for b in std::iter::once(code).chain(value.to_le_bytes()) {
            self.trace = (self.trace ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn record(&mut self, op: ChildOp) {
        if let Some(journal) = self.journal.as_mut() {
            journal.push(op);
        }
    }

    fn roll(&mut self, p: f64) -> bool {
        self.faults_on && chance(&mut self.rng, p)
    }

    fn check_dir(&self, path: &str) -> io::Result<()> {
        if path.is_empty() || path.ends_with('/') {
            return Err(err(io::ErrorKind::InvalidInput, "empty file name"));
        }
        if !self.dirs.contains(dir_of(path)) {
            return Err(err(io::ErrorKind::NotFound, "no such directory"));
        }
        Ok(())
    }

    fn log_dir(&mut self, changes: Vec<(String, Option<u64>)>) {
        // Group by directory: one op per directory touched (see the module docs).
        let mut by_dir: BTreeMap<String, Vec<(String, Option<u64>)>> = BTreeMap::new();
        for (path, ino) in changes {
            by_dir
                .entry(dir_of(&path).to_string())
                .or_default()
                .push((path, ino));
        }
        for (dir, changes) in by_dir {
            self.dir_log.push(DirOp { dir, changes });
        }
    }

    fn open_file(&mut self, ino: u64, writable: bool) -> io::Result<FileId> {
        if self.open.len() >= OPEN_FILES_MAX {
            return Err(os_error(EMFILE));
        }
        let id = self.next_file;
        self.next_file = self.next_file.wrapping_add(1).max(1);
        self.open.insert(
            id,
            OpenFile {
                ino,
                pos: 0,
                writable,
            },
        );
        Ok(FileId(id))
    }

    fn handle(&self, file: FileId) -> io::Result<&OpenFile> {
        self.open
            .get(&file.0)
            .ok_or_else(|| err(io::ErrorKind::InvalidInput, "bad file descriptor"))
    }

    fn new_inode(&mut self) -> u64 {
        let ino = self.next_ino;
        self.next_ino += 1;
        self.inodes.insert(
            ino,
            Inode {
                born_us: self.now_us,
                ..Inode::default()
            },
        );
        ino
    }

    fn cached_bytes(&self) -> u64 {
        self.inodes.values().map(|i| i.cache.len() as u64).sum()
    }

    /// The inode an open file refers to.
    pub fn ino_of(&self, file: FileId) -> Option<u64> {
        self.open.get(&file.0).map(|f| f.ino)
    }

    /// The file behind a path as the process sees it.
    pub fn contents(&self, path: &str) -> Option<&[u8]> {
        let ino = self.names.get(path)?;
        self.inodes.get(ino).map(|i| i.cache.as_slice())
    }

    /// Data a file's dirty writes covered, made durable or lost (fsyncgate).
    pub fn fsync_failed(&mut self, ino: u64) {
        let sector = self.plan.sector_bytes;
        if let Some(inode) = self.inodes.get_mut(&ino) {
            for write in std::mem::take(&mut inode.dirty) {
                land(&mut self.rng, &mut inode.durable, &write, sector);
            }
        }
    }

    /// A successful fsync: the dirty writes reach the platter, whole. Not a copy of the
    /// cache: data a failed fsync lost is no longer dirty and stays lost (fsyncgate).
    pub fn make_durable(&mut self, ino: u64) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            for write in std::mem::take(&mut inode.dirty) {
                write_at(&mut inode.durable, &write);
            }
            // A truncation (the AOF loader's) is durable with the data.
            let len = inode.cache.len();
            if inode.durable.len() > len {
                inode.durable.truncate(len);
            }
        }
    }

    fn fsync_inner(&mut self, file: FileId) -> io::Result<()> {
        let ino = self.handle(file)?.ino;
        self.stats.fsyncs += 1;
        self.last_fsync_latency_us = if self.faults_on && self.plan.fsync_latency_max_us > 0 {
            below(&mut self.rng, self.plan.fsync_latency_max_us + 1)
        } else {
            0
        };
        let dirty = self.inodes.get(&ino).is_some_and(|i| !i.dirty.is_empty());
        // An fsync with nothing dirty has nothing to fail on.
        if dirty && self.roll(self.plan.fsync_eio) {
            self.stats.fsync_eio += 1;
            self.mix(b'F', 1);
            self.fsync_failed(ino);
            self.record(ChildOp::FsyncFailed(file));
            return Err(os_error(EIO));
        }
        self.mix(b'f', ino);
        self.make_durable(ino);
        self.record(ChildOp::Fsync(file));
        Ok(())
    }

    /// Power loss: see the module docs. Open files are gone too.
    pub fn power_loss(&mut self) {
        self.stats.power_losses += 1;
        self.open.clear();
        let sector = self.plan.sector_bytes;
        for (&ino, inode) in self.inodes.iter_mut() {
            let mut data = std::mem::take(&mut inode.durable);
            for write in std::mem::take(&mut inode.dirty) {
                land(&mut self.rng, &mut data, &write, sector);
            }
            if data != inode.cache {
                self.damaged.insert(ino);
            }
            inode.cache.clone_from(&data);
            inode.durable = data;
        }
        let log = std::mem::take(&mut self.dir_log);
        let dirs: BTreeSet<String> = log.iter().map(|op| op.dir.clone()).collect();
        for dir in dirs {
            let ops: Vec<&DirOp> = log.iter().filter(|op| op.dir == dir).collect();
            let kept = below(&mut self.rng, ops.len() as u64 + 1) as usize;
            for op in &ops[..kept] {
                apply_changes(&mut self.durable_names, &op.changes);
            }
        }
        self.names = self.durable_names.clone();
        self.collect_garbage();
        let hash = self.names.len() as u64;
        self.mix(b'P', hash);
    }

    /// Process crash: open files are dropped, everything the kernel holds stays.
    pub fn process_crash(&mut self) {
        self.stats.process_crashes += 1;
        self.open.clear();
        self.collect_garbage();
        self.mix(b'C', 0);
    }

    /// Inodes no name (cached, durable or pending) and no open file refers to are gone.
    fn collect_garbage(&mut self) {
        let mut live: BTreeSet<u64> = self.names.values().copied().collect();
        live.extend(self.durable_names.values().copied());
        for op in &self.dir_log {
            live.extend(op.changes.iter().filter_map(|(_, ino)| *ino));
        }
        live.extend(self.open.values().map(|f| f.ino));
        self.inodes.retain(|ino, _| live.contains(ino));
    }
}

fn apply_changes(names: &mut BTreeMap<String, u64>, changes: &[(String, Option<u64>)]) {
    for (path, ino) in changes {
        match ino {
            Some(ino) => names.insert(path.clone(), *ino),
            None => names.remove(path),
        };
    }
}

fn write_at(data: &mut Vec<u8>, write: &DirtyWrite) {
    let end = write.offset + write.data.len();
    if data.len() < end {
        data.resize(end, 0);
    }
    data[write.offset..end].copy_from_slice(&write.data);
}

/// How much of one unsynced write a power loss (or a failed fsync) leaves on the platter.
pub(crate) fn land(rng: &mut ChaCha8Rng, data: &mut Vec<u8>, write: &DirtyWrite, sector: usize) {
    // The write's sector-aligned pieces, by absolute file offset.
    let end = write.offset + write.data.len();
    let mut pieces = Vec::new();
    let mut start = write.offset;
    while start < end {
        let next = ((start / sector) + 1) * sector;
        let stop = next.min(end);
        pieces.push((start, stop));
        start = stop;
    }
    let keep: Vec<bool> = match rng.next_u32() % 4 {
        0 => vec![true; pieces.len()],
        1 => vec![false; pieces.len()],
        2 => {
            let k = below(rng, pieces.len() as u64 + 1) as usize;
            (0..pieces.len()).map(|i| i < k).collect()
        }
        _ => (0..pieces.len())
            .map(|_| rng.next_u32().is_multiple_of(2))
            .collect(),
    };
    for ((from, to), keep) in pieces.into_iter().zip(keep) {
        if !keep {
            continue;
        }
        if data.len() < to {
            data.resize(to, 0);
        }
        data[from..to].copy_from_slice(&write.data[from - write.offset..to - write.offset]);
    }
}

/// The disk as a `Storage`: used directly by a forked child (on its scratch copy, with a
/// journal), and by [`super::SimDisk`] under its lock for the parent.
impl Storage for Disk {
    fn create(&mut self, path: &str) -> io::Result<FileId> {
        self.check_dir(path)?;
        let ino = self.new_inode();
        let file = match self.open_file(ino, true) {
            Ok(file) => file,
            Err(e) => {
                self.inodes.remove(&ino);
                return Err(e);
            }
        };
        self.names.insert(path.to_string(), ino);
        self.log_dir(vec![(path.to_string(), Some(ino))]);
        self.mix(b'c', ino);
        self.record(ChildOp::Create(path.to_string(), file));
        Ok(file)
    }

    fn open_append(&mut self, path: &str) -> io::Result<FileId> {
        self.check_dir(path)?;
        let file = match self.names.get(path) {
            Some(&ino) => self.open_file(ino, true)?,
            None => {
                let ino = self.new_inode();
                let file = self.open_file(ino, true)?;
                self.names.insert(path.to_string(), ino);
                self.log_dir(vec![(path.to_string(), Some(ino))]);
                file
            }
        };
        self.mix(b'a', u64::from(file.0));
        self.record(ChildOp::OpenAppend(path.to_string(), file));
        Ok(file)
    }

    fn open_read(&mut self, path: &str) -> io::Result<FileId> {
        let ino = *self
            .names
            .get(path)
            .ok_or_else(|| err(io::ErrorKind::NotFound, "No such file or directory"))?;
        self.open_file(ino, false)
    }

    fn write(&mut self, file: FileId, data: &[u8]) -> io::Result<usize> {
        let handle = self.handle(file)?;
        if !handle.writable {
            return Err(err(io::ErrorKind::PermissionDenied, "not open for writing"));
        }
        let ino = handle.ino;
        if data.is_empty() {
            return Ok(0);
        }
        self.stats.writes += 1;
        if self.roll(self.plan.write_eio) {
            self.stats.write_eio += 1;
            self.mix(b'E', ino);
            return Err(os_error(EIO));
        }
        let full = self.cached_bytes() + data.len() as u64 > self.plan.capacity_bytes;
        if full || self.roll(self.plan.write_enospc) {
            self.stats.write_enospc += 1;
            self.mix(b'N', ino);
            return Err(os_error(ENOSPC));
        }
        let mut n = data.len();
        if n > 1 && self.roll(self.plan.short_write) {
            self.stats.short_writes += 1;
            n = 1 + below(&mut self.rng, n as u64 - 1) as usize;
        }
        let data = &data[..n];
        let inode = self
            .inodes
            .get_mut(&ino)
            .expect("an open file's inode exists");
        let offset = inode.cache.len();
        inode.cache.extend_from_slice(data);
        inode.dirty.push(DirtyWrite {
            offset,
            data: data.to_vec(),
        });
        if inode.dirty.len() > DIRTY_WRITES_MAX {
            // Writeback of the oldest write: it is on the platter now.
            let oldest = inode.dirty.remove(0);
            write_at(&mut inode.durable, &oldest);
        }
        self.stats.bytes_written += n as u64;
        self.mix(b'w', n as u64);
        self.record(ChildOp::Write(file, data.to_vec()));
        Ok(n)
    }

    fn read(&mut self, file: FileId, buf: &mut [u8]) -> io::Result<usize> {
        let handle = self
            .open
            .get_mut(&file.0)
            .ok_or_else(|| err(io::ErrorKind::InvalidInput, "bad file descriptor"))?;
        let cache = &self.inodes[&handle.ino].cache;
        let rest = cache.get(handle.pos..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        handle.pos += n;
        Ok(n)
    }

    fn fsync(&mut self, file: FileId) -> io::Result<()> {
        self.fsync_inner(file)
    }

    fn fdatasync(&mut self, file: FileId) -> io::Result<()> {
        // Sizes are part of the data here (nothing else of the inode is modelled).
        self.fsync_inner(file)
    }

    fn close(&mut self, file: FileId) {
        if self.open.remove(&file.0).is_some() {
            self.record(ChildOp::Close(file));
        }
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        self.check_dir(to)?;
        let ino = *self
            .names
            .get(from)
            .ok_or_else(|| err(io::ErrorKind::NotFound, "No such file or directory"))?;
        self.stats.renames += 1;
        if from == to {
            return Ok(());
        }
        self.names.remove(from);
        self.names.insert(to.to_string(), ino);
        self.log_dir(vec![(from.to_string(), None), (to.to_string(), Some(ino))]);
        self.mix(b'r', ino);
        self.record(ChildOp::Rename(from.to_string(), to.to_string()));
        Ok(())
    }

    fn sync_dir(&mut self, dir: &str) -> io::Result<()> {
        if !self.dirs.contains(dir) {
            return Err(err(io::ErrorKind::NotFound, "no such directory"));
        }
        self.stats.dir_syncs += 1;
        let log = std::mem::take(&mut self.dir_log);
        for op in log {
            if op.dir == dir {
                apply_changes(&mut self.durable_names, &op.changes);
            } else {
                self.dir_log.push(op);
            }
        }
        self.mix(b'd', dir.len() as u64);
        self.record(ChildOp::SyncDir(dir.to_string()));
        Ok(())
    }

    fn unlink(&mut self, path: &str) -> io::Result<()> {
        if self.names.remove(path).is_none() {
            return Err(err(io::ErrorKind::NotFound, "No such file or directory"));
        }
        self.log_dir(vec![(path.to_string(), None)]);
        self.mix(b'u', path.len() as u64);
        self.record(ChildOp::Unlink(path.to_string()));
        self.collect_garbage();
        Ok(())
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        if !self.dirs.contains(dir_of(path)) {
            return Err(err(io::ErrorKind::NotFound, "no such directory"));
        }
        if self.names.contains_key(path) {
            return Err(err(io::ErrorKind::AlreadyExists, "File exists"));
        }
        self.dirs.insert(path.to_string());
        self.record(ChildOp::Mkdir(path.to_string()));
        Ok(())
    }

    fn list(&mut self, dir: &str) -> io::Result<Vec<String>> {
        if !self.dirs.contains(dir) {
            return Err(err(io::ErrorKind::NotFound, "no such directory"));
        }
        let mut out: Vec<String> = self
            .names
            .keys()
            .filter(|p| dir_of(p) == dir)
            .map(|p| match p.rfind('/') {
                Some(i) => p[i + 1..].to_string(),
                None => p.clone(),
            })
            .collect();
        out.extend(
            self.dirs
                .iter()
                .filter(|d| d.as_str() != "." && dir_of(d) == dir)
                .map(|d| d.rsplit('/').next().unwrap_or(d).to_string()),
        );
        out.sort();
        Ok(out)
    }

    fn size(&mut self, path: &str) -> io::Result<Option<u64>> {
        Ok(self.contents(path).map(|c| c.len() as u64))
    }

    /// Cuts the cached file; the cut reaches the platter with the next fsync (until then
    /// a power loss may bring the old tail back).
    fn truncate(&mut self, path: &str, len: u64) -> io::Result<()> {
        let ino = *self
            .names
            .get(path)
            .ok_or_else(|| err(io::ErrorKind::NotFound, "No such file or directory"))?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        let inode = self
            .inodes
            .get_mut(&ino)
            .expect("a named file's inode exists");
        if len < inode.cache.len() {
            inode.cache.truncate(len);
        }
        for write in &mut inode.dirty {
            let keep = len.saturating_sub(write.offset).min(write.data.len());
            write.data.truncate(keep);
        }
        inode.dirty.retain(|w| !w.data.is_empty());
        self.mix(b't', ino);
        Ok(())
    }

    fn fsync_background(&mut self, file: FileId) -> io::Result<()> {
        // Only reached in a forked child, which has no bio thread: do it in line.
        self.fsync_inner(file)
    }

    fn background_fsyncs_pending(&mut self) -> usize {
        0
    }

    fn fork(&mut self, _child: &mut dyn FnMut(&mut dyn Storage) -> i32) -> io::Result<ChildPid> {
        Err(err(
            io::ErrorKind::Unsupported,
            "a forked child does not fork again",
        ))
    }

    fn poll_children(&mut self) -> Vec<(ChildPid, ChildExit)> {
        Vec::new()
    }

    fn kill_child(&mut self, _pid: ChildPid) {}
}
