//! The storage seam: every file the server reads or writes (RDB snapshots, the AOF and its
//! manifest) goes through [`Storage`], beside the [`crate::net::Poller`] for sockets and
//! time. Production uses real files; the simulator uses a simulated disk with a page cache,
//! durable contents, torn writes and crashes, so `sim --seed N` can prove what each fsync
//! policy promises.
//!
//! Paths are relative to the server's working directory (the binary `chdir`s to `dir`, as
//! Redis does), `/`-separated.
//!
//! Background work is modelled on what Redis does with processes and threads:
//! - [`Storage::fork`] is `fork()`: the child sees the memory as it was at the call (the
//!   snapshot a BGSAVE or BGREWRITEAOF writes) and runs while the loop goes on serving.
//! - [`Storage::fsync_background`] is Redis's bio fsync job (`appendfsync everysec`).

use std::io;

pub mod fs;
pub mod mem;

pub use mem::MemStorage;

/// An open file, named by the storage (like a descriptor).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A background child (a forked process in production), named by its pid.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChildPid(pub u32);

/// How a child ended, as `waitpid` reports it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChildExit {
    /// `exit(code)`: 0 is success.
    Exited(i32),
    /// Killed by a signal (the parent's `kill_child`, or a crash).
    Signaled(i32),
}

pub trait Storage {
    /// Creates `path` (truncating it if it exists) and opens it for writing.
    fn create(&mut self, path: &str) -> io::Result<FileId>;
    /// Opens `path` for appending, creating it if it does not exist.
    fn open_append(&mut self, path: &str) -> io::Result<FileId>;
    /// Opens an existing file for reading (`NotFound` if absent).
    fn open_read(&mut self, path: &str) -> io::Result<FileId>;
    /// Writes at the end of a file opened for writing. May write less than `data` (a short
    /// write); the caller retries the rest.
    fn write(&mut self, file: FileId, data: &[u8]) -> io::Result<usize>;
    /// Reads the next bytes of a file opened for reading into `buf`; 0 at its end.
    fn read(&mut self, file: FileId, buf: &mut [u8]) -> io::Result<usize>;
    /// `fsync(2)`: data and metadata durable when it returns Ok.
    fn fsync(&mut self, file: FileId) -> io::Result<()>;
    /// `fdatasync(2)`: data durable when it returns Ok.
    fn fdatasync(&mut self, file: FileId) -> io::Result<()>;
    /// Closes a file. Closing does not make anything durable.
    fn close(&mut self, file: FileId);
    /// `rename(2)`, atomic; durable only once the directory is synced.
    fn rename(&mut self, from: &str, to: &str) -> io::Result<()>;
    /// `fsync` of a directory: makes its entries (creations, renames, unlinks) durable.
    fn sync_dir(&mut self, dir: &str) -> io::Result<()>;
    fn unlink(&mut self, path: &str) -> io::Result<()>;
    /// Creates a directory (Ok if it already exists).
    fn mkdir(&mut self, path: &str) -> io::Result<()>;
    /// The names (not paths) of a directory's entries, sorted.
    fn list(&mut self, dir: &str) -> io::Result<Vec<String>>;
    /// A file's size, `None` if it does not exist.
    fn size(&mut self, path: &str) -> io::Result<Option<u64>>;
    /// `truncate(2)`: cuts `path` to `len` bytes (the AOF loader's `aof-load-truncated`,
    /// the writer's undo of a short write). Like a write, durable only after an fsync.
    fn truncate(&mut self, path: &str, len: u64) -> io::Result<()> {
        let _ = (path, len);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    /// Starts an fsync the loop does not wait for (Redis's bio `BIO_AOF_FSYNC`).
    fn fsync_background(&mut self, file: FileId) -> io::Result<()>;
    /// How many background fsyncs have not finished yet (`aof_bio_fsync_status`).
    fn background_fsyncs_pending(&mut self) -> usize;

    /// `fork()`: runs `child` as a child process would, against a storage of its own, on
    /// the memory as it is now; its return value is the child's exit code. Returns at once
    /// in the parent; [`Storage::poll_children`] reports the exit later.
    fn fork(&mut self, child: &mut dyn FnMut(&mut dyn Storage) -> i32) -> io::Result<ChildPid>;
    /// Children that ended since the last call (`waitpid(-1, WNOHANG)`).
    fn poll_children(&mut self) -> Vec<(ChildPid, ChildExit)>;
    /// `chdir(2)` (CONFIG SET dir): every relative path is resolved in `dir` from now on;
    /// returns the new working directory as an absolute path (`getcwd`). A storage
    /// without directories of its own refuses.
    fn set_working_dir(&mut self, dir: &str) -> io::Result<String> {
        let _ = dir;
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    /// Kills a running child (`kill(pid, SIGUSR1)` in Redis, so it is not taken for a
    /// crash); its exit is still reported by `poll_children`.
    fn kill_child(&mut self, pid: ChildPid);
}

/// Writes all of `data`, retrying short writes (Redis's `rioWrite` loop).
pub fn write_all(storage: &mut dyn Storage, file: FileId, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        let n = storage.write(file, data)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short write of 0 bytes",
            ));
        }
        data = &data[n..];
    }
    Ok(())
}

/// Reads a whole file.
pub fn read_to_end(storage: &mut dyn Storage, path: &str) -> io::Result<Vec<u8>> {
    let file = storage.open_read(path)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let result = loop {
        match storage.read(file, &mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    storage.close(file);
    result.map(|()| out)
}

/// An `io::Write` over a storage file, so encoders can stream into it.
pub struct StorageWriter<'a> {
    pub storage: &'a mut dyn Storage,
    pub file: FileId,
}

impl io::Write for StorageWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.storage.write(self.file, buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
