//! Writing and reading dump.rdb through the [`Storage`] seam, as Redis's `rdbSave` and
//! `rdbLoad` do: the snapshot goes to a temp file that is fsynced, then renamed over the
//! target, then the directory is fsynced; so a crash at any point leaves either the old
//! file or the new one, whole.

use super::rdb::{self, LoadedInfo, SaveOptions};
use crate::db::{Keyspace, Ttl};
use crate::storage::{Storage, StorageWriter};
use bytes::Bytes;
use std::io::{self, Write};

/// Buffer between the encoder and the storage: one write per 64 KiB, not per field.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// `strerror(errno)`: the OS's text without Rust's " (os error N)".
pub fn os_reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The directory part of a path, for the directory fsync after the rename
/// (`fsyncFileDir`).
fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(at) => &path[..at],
        None => ".",
    }
}

/// `rdbSave`: the snapshot into `temp`, fsynced, renamed to `filename`, directory
/// fsynced. `root` is the working directory, for the messages. On failure the temp
/// file is removed and the error is the line Redis logs.
pub fn write_rdb_file(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    functions: &[Bytes],
    opts: &SaveOptions,
    filename: &str,
    temp: &str,
    root: &str,
) -> Result<(), String> {
    let file = storage.create(temp).map_err(|e| {
        format!(
            "Failed opening the temp RDB file {temp} (in server root dir {root}) for saving: {}",
            os_reason(&e)
        )
    })?;
    let written = (|| -> Result<(), (&'static str, io::Error)> {
        let mut out = io::BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            StorageWriter {
                storage: &mut *storage,
                file,
            },
        );
        rdb::write_snapshot(keyspace, functions, opts, &mut out).map_err(|e| ("rdbSaveRio", e))?;
        out.flush().map_err(|e| ("fflush", e))?;
        drop(out);
        #[cfg(feature = "planted-bug-rdb-no-fsync")]
        return Ok(());
        #[allow(unreachable_code)]
        storage.fsync(file).map_err(|e| ("fsync", e))
    })();
    storage.close(file);
    if let Err((op, e)) = written {
        let _ = storage.unlink(temp);
        return Err(format!(
            "Write error saving DB on disk({op}): {}",
            os_reason(&e)
        ));
    }
    if let Err(e) = storage.rename(temp, filename) {
        let _ = storage.unlink(temp);
        return Err(format!(
            "Error moving temp DB file {temp} on the final destination {filename} (in server root dir {root}): {}",
            os_reason(&e)
        ));
    }
    #[cfg(feature = "planted-bug-rdb-no-dir-sync")]
    return Ok(());
    #[allow(unreachable_code)]
    storage.sync_dir(dir_of(filename)).map_err(|e| {
        format!(
            "Write error saving DB on disk(fsyncFileDir): {}",
            os_reason(&e)
        )
    })
}

/// What a load brought.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub info: LoadedInfo,
    pub keys_loaded: u64,
    /// Keys whose TTL had passed: skipped, as a master skips them.
    pub keys_expired: u64,
}

/// How to treat a key that is already in the keyspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicates {
    /// The file replaces it (DEBUG RELOAD MERGE: `RDBFLAGS_ALLOW_DUP`).
    Replace,
    /// The load fails (Redis panics: `RDB has duplicated key`).
    Refuse,
}

/// `rdbLoad`: reads `filename` into the keyspace, each value in the encoding `config`'s
/// thresholds give it (as Redis converts while loading). `Ok(None)` when the file does
/// not exist (a first start); `Err` is the line Redis logs before it gives up.
pub fn load_rdb_file(
    storage: &mut dyn Storage,
    filename: &str,
    keyspace: &mut Keyspace,
    config: &crate::config::Config,
    now_ms: u64,
    duplicates: Duplicates,
) -> Result<Option<LoadReport>, String> {
    let data = match crate::storage::read_to_end(storage, filename) {
        Ok(data) => data,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "Fatal error loading the DB: {}. Exiting.",
                os_reason(&e)
            ))
        }
    };
    let mut report = LoadReport::default();
    let mut duplicate: Option<String> = None;
    let databases = keyspace.databases();
    #[cfg(feature = "planted-bug-load-skips-last-key")]
    let mut held = None;
    let opts = rdb::LoadOptions {
        databases,
        ..rdb::LoadOptions::from_config(config, keyspace.hash_keys())
    };
    let info =
        rdb::load_with(&data, &opts, &mut |loaded| {
            if duplicate.is_some() || loaded.db >= databases {
                // The codec refuses such a db itself; this only keeps a codec bug from
                // indexing past the keyspace.
                return;
            }
            if loaded.expire_ms.is_some_and(|at| at < now_ms) {
                // rdbLoadRio on a master: an expired key is not loaded.
                report.keys_expired += 1;
                return;
            }
            if duplicates == Duplicates::Refuse && keyspace.exists(loaded.db, &loaded.key, now_ms) {
                duplicate = Some(format!(
                    "RDB has duplicated key '{}' in DB {}",
                    String::from_utf8_lossy(&loaded.key),
                    loaded.db
                ));
                return;
            }
            let ttl = loaded.expire_ms.map_or(Ttl::Clear, Ttl::At);
            // objectSetLRUOrLFU with the clock of the load.
            let lru = keyspace.access.restored(loaded.freq, loaded.idle_s);
            // Planted: each key is held back until the next one comes, so the last is lost.
            #[cfg(feature = "planted-bug-load-skips-last-key")]
            let Some((db, key, value, ttl)) =
                held.replace((loaded.db, loaded.key, loaded.value, ttl))
            else {
                return;
            };
            #[cfg(not(feature = "planted-bug-load-skips-last-key"))]
            let (db, key, value) = (loaded.db, loaded.key, loaded.value);
            if let Some(lru) = lru {
                keyspace.set(db, key.clone(), value, ttl);
                keyspace.set_lru(db, &key, lru);
            } else {
                keyspace.set(db, key, value, ttl);
            }
            report.keys_loaded += 1;
        })
        .map_err(|e| e.message)?;
    if let Some(message) = duplicate {
        return Err(message);
    }
    report.info = info;
    Ok(Some(report))
}

/// The lines `rdbLoadRio` logs for the aux fields it recognises, in file order.
pub fn aux_log_lines(aux: &[(Bytes, Bytes)], now_s: u64) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, value) in aux {
        let text = String::from_utf8_lossy(value);
        match &name[..] {
            b"redis-ver" => lines.push(format!("Loading RDB produced by version {text}")),
            b"ctime" => {
                let ctime: i64 = text.parse().unwrap_or(0);
                let age = (now_s as i64).saturating_sub(ctime).max(0);
                lines.push(format!("RDB age {age} seconds"));
            }
            b"used-mem" => {
                let used: f64 = text.parse().unwrap_or(0.0);
                lines.push(format!(
                    "RDB memory usage when created {:.2} Mb",
                    used / (1024.0 * 1024.0)
                ));
            }
            b"aof-base" if text != "0" => lines.push("RDB is base AOF".into()),
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemStorage;

    fn opts() -> SaveOptions {
        SaveOptions {
            compression: true,
            checksum: true,
            now_secs: 1_700_000_000,
            used_mem: 1 << 20,
            aof_base: false,
            now_ms: 1_700_000_000_000,
            access: None,
        }
    }

    #[test]
    fn an_absent_file_is_a_first_start() {
        let mut storage = MemStorage::new();
        let mut keyspace = Keyspace::new(16, (1, 2));
        let loaded = load_rdb_file(
            &mut storage,
            "dump.rdb",
            &mut keyspace,
            &crate::config::Config::default(),
            0,
            Duplicates::Refuse,
        );
        assert!(matches!(loaded, Ok(None)));
    }

    #[test]
    fn a_failed_encoding_leaves_the_old_file_and_no_temp_file() {
        let mut storage = MemStorage::new();
        storage.put("dump.rdb", b"old");
        let keyspace = Keyspace::new(16, (1, 2));
        let result = write_rdb_file(
            &mut storage,
            &keyspace,
            &[],
            &opts(),
            "dump.rdb",
            "temp-7.rdb",
            "/data",
        );
        if let Err(message) = result {
            assert!(message.starts_with("Write error saving DB on disk(rdbSaveRio): "));
            assert_eq!(storage.contents("dump.rdb"), Some(&b"old"[..]));
        } else {
            // The codec works: the file was replaced and the temp file is gone.
            assert_ne!(storage.contents("dump.rdb"), Some(&b"old"[..]));
        }
        assert_eq!(storage.contents("temp-7.rdb"), None);
    }

    #[test]
    fn aux_fields_are_logged_as_redis_logs_them() {
        let aux = vec![
            (Bytes::from("redis-ver"), Bytes::from("7.0.15")),
            (Bytes::from("redis-bits"), Bytes::from("64")),
            (Bytes::from("ctime"), Bytes::from("1000")),
            (Bytes::from("used-mem"), Bytes::from("964144")),
            (Bytes::from("aof-base"), Bytes::from("0")),
        ];
        assert_eq!(
            aux_log_lines(&aux, 1001),
            vec![
                "Loading RDB produced by version 7.0.15",
                "RDB age 1 seconds",
                "RDB memory usage when created 0.92 Mb"
            ]
        );
    }

    #[test]
    fn directories_of_paths() {
        assert_eq!(dir_of("dump.rdb"), ".");
        assert_eq!(dir_of("/dump.rdb"), "/");
        assert_eq!(dir_of("a/b/dump.rdb"), "a/b");
    }
}
