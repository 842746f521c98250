//! The production [`Storage`]: real files in the working directory, `fork(2)` for
//! BGSAVE's child, and a background thread for the fsyncs the loop does not wait for
//! (Redis's bio). With `src/net/mio.rs`, the only module that touches the OS.

use super::{ChildExit, ChildPid, FileId, Storage};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Real files, named by [`FileId`]s handed out in order.
pub struct FsStorage {
    files: BTreeMap<u32, File>,
    next_id: u32,
    /// The bio thread, started on the first background fsync.
    bio: Option<Bio>,
    /// Set in a forked child: background fsyncs run inline there (the child has no bio
    /// thread: threads do not survive `fork`).
    in_child: bool,
}

/// Redis's `BIO_AOF_FSYNC` worker: fsyncs handed over a channel, counted until done.
struct Bio {
    jobs: Sender<File>,
    pending: Arc<AtomicUsize>,
    _thread: JoinHandle<()>,
}

impl Bio {
    fn start() -> io::Result<Bio> {
        let (jobs, queue) = mpsc::channel::<File>();
        let pending = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pending);
        let thread = std::thread::Builder::new()
            .name("bio_aof".into())
            .spawn(move || {
                for file in queue {
                    // Redis's bio logs nothing on a failed background fsync either; the
                    // next foreground write or fsync reports the error.
                    let _ = file.sync_data();
                    counter.fetch_sub(1, Ordering::AcqRel);
                }
            })?;
        Ok(Bio {
            jobs,
            pending,
            _thread: thread,
        })
    }
}

impl Default for FsStorage {
    fn default() -> Self {
        FsStorage::new()
    }
}

impl FsStorage {
    pub fn new() -> FsStorage {
        FsStorage {
            files: BTreeMap::new(),
            next_id: 1,
            bio: None,
            in_child: false,
        }
    }

    fn add(&mut self, file: File) -> FileId {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.files.insert(id, file);
        FileId(id)
    }

    fn file(&mut self, file: FileId) -> io::Result<&mut File> {
        self.files
            .get_mut(&file.0)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
    }
}

impl Storage for FsStorage {
    fn create(&mut self, path: &str) -> io::Result<FileId> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        Ok(self.add(file))
    }

    fn open_append(&mut self, path: &str) -> io::Result<FileId> {
        let file = OpenOptions::new().append(true).create(true).open(path)?;
        Ok(self.add(file))
    }

    fn open_read(&mut self, path: &str) -> io::Result<FileId> {
        let file = File::open(path)?;
        Ok(self.add(file))
    }

    fn write(&mut self, file: FileId, data: &[u8]) -> io::Result<usize> {
        loop {
            match self.file(file)?.write(data) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn read(&mut self, file: FileId, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.file(file)?.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn fsync(&mut self, file: FileId) -> io::Result<()> {
        self.file(file)?.sync_all()
    }

    fn fdatasync(&mut self, file: FileId) -> io::Result<()> {
        self.file(file)?.sync_data()
    }

    fn close(&mut self, file: FileId) {
        self.files.remove(&file.0);
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn sync_dir(&mut self, dir: &str) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn unlink(&mut self, path: &str) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        match fs::create_dir(path) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        }
    }

    fn list(&mut self, dir: &str) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn truncate(&mut self, path: &str, len: u64) -> io::Result<()> {
        fs::OpenOptions::new().write(true).open(path)?.set_len(len)
    }

    fn size(&mut self, path: &str) -> io::Result<Option<u64>> {
        match fs::metadata(path) {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn fsync_background(&mut self, file: FileId) -> io::Result<()> {
        let handle = self.file(file)?.try_clone()?;
        if self.in_child {
            return handle.sync_data();
        }
        if self.bio.is_none() {
            self.bio = Some(Bio::start()?);
        }
        let bio = self.bio.as_ref().expect("started above");
        bio.pending.fetch_add(1, Ordering::AcqRel);
        if bio.jobs.send(handle).is_err() {
            bio.pending.fetch_sub(1, Ordering::AcqRel);
            return Err(io::Error::other("the background fsync thread is gone"));
        }
        Ok(())
    }

    fn background_fsyncs_pending(&mut self) -> usize {
        self.bio
            .as_ref()
            .map_or(0, |bio| bio.pending.load(Ordering::Acquire))
    }

    fn fork(&mut self, child: &mut dyn FnMut(&mut dyn Storage) -> i32) -> io::Result<ChildPid> {
        // SAFETY: fork(2) has no memory-safety preconditions. The child below only runs
        // `child` (which encodes the snapshot it inherited) and then `_exit`s: it never
        // returns into the event loop, runs no destructors and writes to no inherited
        // socket. The allocators (glibc's malloc, jemalloc) reset their locks in the child
        // through their own pthread_atfork handlers, so allocating there is safe even if
        // the bio thread held a lock at the fork.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            close_inherited_sockets();
            self.in_child = true;
            // The bio thread does not exist in the child; its handle must not be joined
            // or dropped here.
            std::mem::forget(self.bio.take());
            let code = child(self);
            // SAFETY: `_exit` ends the child without running the parent's atexit handlers
            // or flushing stdio buffers it inherited (Redis's `exitFromChild`).
            unsafe { libc::_exit(code) };
        }
        Ok(ChildPid(pid as u32))
    }

    fn set_working_dir(&mut self, dir: &str) -> io::Result<String> {
        std::env::set_current_dir(dir)?;
        Ok(std::env::current_dir()?.to_string_lossy().into_owned())
    }

    fn poll_children(&mut self) -> Vec<(ChildPid, ChildExit)> {
        let mut ended = Vec::new();
        loop {
            let mut status: libc::c_int = 0;
            // SAFETY: waitpid writes only to `status`, a valid c_int on our stack.
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
            if pid <= 0 {
                return ended;
            }
            let exit = if libc::WIFSIGNALED(status) {
                ChildExit::Signaled(libc::WTERMSIG(status))
            } else {
                ChildExit::Exited(libc::WEXITSTATUS(status))
            };
            ended.push((ChildPid(pid as u32), exit));
        }
    }

    fn kill_child(&mut self, pid: ChildPid) {
        // SAFETY: kill(2) takes plain integers; SIGUSR1, as Redis, so the exit is not
        // taken for a crash. A pid that already ended is harmless (ESRCH), and the pid
        // is our own unreaped child, so it cannot have been reused.
        unsafe {
            libc::kill(pid.0 as libc::pid_t, libc::SIGUSR1);
        }
    }
}

/// Redis's `closeChildUnusedResourceAfterFork` for sockets: the child closes every socket
/// it inherited (listeners, clients), so it never writes to one and a parent that exits
/// while the child still runs frees its port. Closing a shared descriptor in the child
/// does not affect the parent's copy (nor its epoll registrations, which last as long as
/// the parent holds the socket).
fn close_inherited_sockets() {
    let Ok(entries) = fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    for fd in fds {
        // SAFETY: fstat writes only into `stat`, zero-initialised on our stack; close is
        // called only on descriptors fstat says are sockets, none of which the child uses
        // (its files are opened after this).
        unsafe {
            let mut stat: libc::stat = std::mem::zeroed();
            if libc::fstat(fd, &mut stat) == 0 && stat.st_mode & libc::S_IFMT == libc::S_IFSOCK {
                libc::close(fd);
            }
        }
    }
}

/// The descriptor of an open file, for tests that check it was closed.
#[cfg(test)]
fn raw_fd(storage: &FsStorage, file: FileId) -> Option<i32> {
    use std::os::unix::io::AsRawFd;
    storage.files.get(&file.0).map(|f| f.as_raw_fd())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{read_to_end, write_all};

    fn temp_dir(name: &str) -> String {
        let dir = std::env::temp_dir().join(format!("seedis-fs-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir.to_string_lossy().into_owned()
    }

    #[test]
    fn files_are_written_synced_renamed_and_read_back() {
        let dir = temp_dir("files");
        let mut storage = FsStorage::new();
        let tmp = format!("{dir}/temp.rdb");
        let file = storage.create(&tmp).expect("create");
        assert!(raw_fd(&storage, file).is_some());
        write_all(&mut storage, file, b"hello ").expect("write");
        write_all(&mut storage, file, b"world").expect("write");
        storage.fsync(file).expect("fsync");
        storage.fsync_background(file).expect("bio fsync");
        storage.close(file);
        assert!(raw_fd(&storage, file).is_none());
        storage
            .rename(&tmp, &format!("{dir}/dump.rdb"))
            .expect("rename");
        storage.sync_dir(&dir).expect("sync dir");
        assert_eq!(storage.list(&dir).expect("list"), vec!["dump.rdb"]);
        assert_eq!(
            read_to_end(&mut storage, &format!("{dir}/dump.rdb")).expect("read"),
            b"hello world"
        );
        assert_eq!(storage.size(&format!("{dir}/dump.rdb")).unwrap(), Some(11));
        assert_eq!(storage.size(&format!("{dir}/none")).unwrap(), None);
        assert_eq!(
            storage
                .open_read(&format!("{dir}/none"))
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_forked_child_writes_a_file_and_its_exit_code_is_reported() {
        let dir = temp_dir("fork");
        let mut storage = FsStorage::new();
        let path = format!("{dir}/child.txt");
        let pid = storage
            .fork(&mut |child| {
                let Ok(file) = child.create(&path) else {
                    return 1;
                };
                if write_all(child, file, b"from the child").is_err() {
                    return 2;
                }
                7
            })
            .expect("fork");
        let mut ended = Vec::new();
        for _ in 0..500 {
            ended.extend(storage.poll_children());
            if !ended.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(ended, vec![(pid, ChildExit::Exited(7))]);
        assert_eq!(fs::read(&path).expect("child's file"), b"from the child");
        let _ = fs::remove_dir_all(&dir);
    }
}
