//! An in-memory [`Storage`]: deterministic, without faults, everything durable at once.
//! For unit tests, the fuzz targets and the simulator until it has a disk of its own.
//!
//! A "forked" child runs to completion inside [`Storage::fork`], on the same files (the
//! loop's memory cannot change under it, since nothing else runs meanwhile); its exit is
//! reported by the next [`Storage::poll_children`], as a real child's would be.

use super::{ChildExit, ChildPid, FileId, Storage};
use std::collections::BTreeMap;
use std::io;

#[derive(Default)]
pub struct MemStorage {
    /// Every file by path.
    files: BTreeMap<String, Vec<u8>>,
    /// Directories made with `mkdir` (the working directory always exists).
    dirs: Vec<String>,
    open: BTreeMap<u32, OpenFile>,
    next_file: u32,
    next_pid: u32,
    ended: Vec<(ChildPid, ChildExit)>,
}

struct OpenFile {
    path: String,
    /// Read position; writes always append.
    read_at: usize,
}

impl MemStorage {
    pub fn new() -> MemStorage {
        MemStorage::default()
    }

    /// A file's contents, for tests.
    pub fn contents(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Puts a file in place, for tests.
    pub fn put(&mut self, path: &str, data: &[u8]) {
        self.files.insert(path.to_string(), data.to_vec());
    }

    fn open_file(&mut self, path: &str) -> FileId {
        self.next_file += 1;
        self.open.insert(
            self.next_file,
            OpenFile {
                path: path.to_string(),
                read_at: 0,
            },
        );
        FileId(self.next_file)
    }

    fn path_of(&self, file: FileId) -> io::Result<String> {
        self.open
            .get(&file.0)
            .map(|f| f.path.clone())
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
    }
}

fn not_found() -> io::Error {
    io::Error::from(io::ErrorKind::NotFound)
}

/// The directory part of a path, "." for a bare name.
fn parent(path: &str) -> &str {
    path.rfind('/').map_or(".", |at| &path[..at])
}

impl Storage for MemStorage {
    fn create(&mut self, path: &str) -> io::Result<FileId> {
        self.files.insert(path.to_string(), Vec::new());
        Ok(self.open_file(path))
    }

    fn open_append(&mut self, path: &str) -> io::Result<FileId> {
        self.files.entry(path.to_string()).or_default();
        Ok(self.open_file(path))
    }

    fn open_read(&mut self, path: &str) -> io::Result<FileId> {
        if !self.files.contains_key(path) {
            return Err(not_found());
        }
        Ok(self.open_file(path))
    }

    fn write(&mut self, file: FileId, data: &[u8]) -> io::Result<usize> {
        let path = self.path_of(file)?;
        // A file unlinked or renamed away while open keeps no contents here.
        if let Some(contents) = self.files.get_mut(&path) {
            contents.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn read(&mut self, file: FileId, buf: &mut [u8]) -> io::Result<usize> {
        let open = self
            .open
            .get_mut(&file.0)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))?;
        let contents = self.files.get(&open.path).map_or(&[][..], Vec::as_slice);
        let rest = contents.get(open.read_at..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        open.read_at += n;
        Ok(n)
    }

    fn fsync(&mut self, file: FileId) -> io::Result<()> {
        self.path_of(file).map(|_| ())
    }

    fn fdatasync(&mut self, file: FileId) -> io::Result<()> {
        self.path_of(file).map(|_| ())
    }

    fn close(&mut self, file: FileId) {
        self.open.remove(&file.0);
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        let data = self.files.remove(from).ok_or_else(not_found)?;
        self.files.insert(to.to_string(), data);
        for open in self.open.values_mut() {
            if open.path == from {
                open.path = to.to_string();
            }
        }
        Ok(())
    }

    fn sync_dir(&mut self, _dir: &str) -> io::Result<()> {
        Ok(())
    }

    fn unlink(&mut self, path: &str) -> io::Result<()> {
        self.files.remove(path).map(|_| ()).ok_or_else(not_found)
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        if !self.dirs.iter().any(|d| d == path) {
            self.dirs.push(path.to_string());
        }
        Ok(())
    }

    fn list(&mut self, dir: &str) -> io::Result<Vec<String>> {
        if dir != "." && !self.dirs.iter().any(|d| d == dir) {
            return Err(not_found());
        }
        Ok(self
            .files
            .keys()
            .filter(|path| parent(path) == dir)
            .map(|path| path.rsplit('/').next().unwrap_or(path).to_string())
            .collect())
    }

    fn size(&mut self, path: &str) -> io::Result<Option<u64>> {
        Ok(self.files.get(path).map(|f| f.len() as u64))
    }

    fn truncate(&mut self, path: &str, len: u64) -> io::Result<()> {
        let file = self.files.get_mut(path).ok_or_else(not_found)?;
        file.truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(())
    }

    fn fsync_background(&mut self, file: FileId) -> io::Result<()> {
        self.path_of(file).map(|_| ())
    }

    fn background_fsyncs_pending(&mut self) -> usize {
        0
    }

    fn fork(&mut self, child: &mut dyn FnMut(&mut dyn Storage) -> i32) -> io::Result<ChildPid> {
        self.next_pid += 1;
        let pid = ChildPid(self.next_pid);
        let code = child(self);
        self.ended.push((pid, ChildExit::Exited(code)));
        Ok(pid)
    }

    fn poll_children(&mut self) -> Vec<(ChildPid, ChildExit)> {
        std::mem::take(&mut self.ended)
    }

    /// One directory only: `.` (or the `/`-rooted name tests gave it) stays where it is.
    fn set_working_dir(&mut self, dir: &str) -> io::Result<String> {
        if dir == "." || self.dirs.iter().any(|d| d == dir) {
            Ok(dir.to_string())
        } else {
            Err(not_found())
        }
    }

    fn kill_child(&mut self, _pid: ChildPid) {
        // The child has already finished: its exit is what poll_children reports.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{read_to_end, write_all};

    #[test]
    fn write_rename_read_list() {
        let mut s = MemStorage::new();
        let f = s.create("temp-1.rdb").unwrap();
        write_all(&mut s, f, b"abc").unwrap();
        s.fsync(f).unwrap();
        s.close(f);
        s.rename("temp-1.rdb", "dump.rdb").unwrap();
        assert_eq!(read_to_end(&mut s, "dump.rdb").unwrap(), b"abc");
        assert_eq!(s.list(".").unwrap(), vec!["dump.rdb"]);
        assert_eq!(s.size("dump.rdb").unwrap(), Some(3));
        assert_eq!(
            s.open_read("nope").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        s.mkdir("appendonlydir").unwrap();
        s.put("appendonlydir/a.aof", b"x");
        assert_eq!(s.list("appendonlydir").unwrap(), vec!["a.aof"]);
        assert_eq!(s.list(".").unwrap(), vec!["dump.rdb"]);
    }

    #[test]
    fn a_child_runs_at_once_and_its_exit_is_polled_once() {
        let mut s = MemStorage::new();
        let pid = s
            .fork(&mut |child| {
                let f = child.create("out").unwrap();
                write_all(child, f, b"x").unwrap();
                0
            })
            .unwrap();
        assert_eq!(s.contents("out"), Some(&b"x"[..]));
        assert_eq!(s.poll_children(), vec![(pid, ChildExit::Exited(0))]);
        assert!(s.poll_children().is_empty());
    }
}
