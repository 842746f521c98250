//! BGREWRITEAOF and the AOF's flows over the storage seam, as aof.c does them:
//! `flushAppendOnlyFile` (the buffer written in before-sleep, fsynced per
//! `appendfsync`), `startAppendOnly` / `stopAppendOnly` (CONFIG SET appendonly),
//! `rewriteAppendOnlyFileBackground` and `backgroundRewriteDoneHandler` (the manifest
//! dance), `loadAppendOnlyFiles` (startup, DEBUG LOADAOF) and
//! `aofOpenIfNeededOnServerStart`. Lines Redis logs are queued in `server.persist.log`.

use super::context::NoClients;
use super::table::*;
use super::{ClientRegistry, Ctx, ServerState, Session};
use crate::db::{Keyspace, Ttl};
use crate::persist::aof::manifest::{self, Manifest};
use crate::persist::aof::reader::{Reader, Step};
use crate::persist::aof::state::{AofChild, AofStatus, FsyncPolicy};
use crate::persist::rdb::{self, SaveOptions};
use crate::persist::snapshot::os_reason;
use crate::resp::Reply;
use crate::storage::{self, ChildExit, Storage, StorageWriter};
use bytes::Bytes;
use std::io::{self, Write};

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("bgrewriteaof", 1, NO_ASYNC_LOADING | ADMIN | NOSCRIPT, Group::Server, bgrewriteaof_cmd)
        .doc("1.0.0", "Asynchronously rewrite the append-only file", "O(1)"),
];

/// `AOF_WRITE_LOG_ERROR_RATE`: seconds between two logged write errors.
const WRITE_LOG_ERROR_RATE_S: u64 = 30;
/// `AOF_REWRITE_LIMITE_THRESHOLD` and `..._MAX_MINUTES`.
const REWRITE_LIMIT_THRESHOLD: u64 = 3;
const REWRITE_LIMIT_MAX_MINUTES: u64 = 60;

fn bgrewriteaof_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.server.aof.child.is_some() {
        return Err(Reply::err(
            "ERR Background append only file rewriting already in progress",
        ));
    }
    if has_active_child(ctx.server) || ctx.session.in_exec {
        ctx.server.aof.rewrite_scheduled = true;
        ctx.server.aof.consecutive_failures = 0;
        return Ok(Reply::simple(
            "Background append only file rewriting scheduled",
        ));
    }
    if rewrite_background(ctx.storage, ctx.keyspace, ctx.server) {
        Ok(Reply::simple(
            "Background append only file rewriting started",
        ))
    } else {
        Err(Reply::err("ERR Can't execute an AOF background rewriting. Please check the server logs for more information."))
    }
}

/// `hasActiveChildProcess`.
pub fn has_active_child(server: &ServerState) -> bool {
    server.persist.child.is_some() || server.aof.child.is_some()
}

fn aof_filename(server: &ServerState) -> String {
    server
        .config
        .get("appendfilename")
        .unwrap_or_else(|| "appendonly.aof".into())
}

fn aof_dirname(server: &ServerState) -> String {
    server
        .config
        .get("appenddirname")
        .unwrap_or_else(|| "appendonlydir".into())
}

fn flag(server: &ServerState, name: &str) -> bool {
    server.config.get(name).as_deref() == Some("yes")
}

fn fsync_policy(server: &ServerState) -> FsyncPolicy {
    FsyncPolicy::from_config(server.config.get("appendfsync").as_deref())
}

/// `makePath`.
fn path(dir: &str, name: &str) -> String {
    format!("{dir}/{name}")
}

fn now_s(server: &ServerState) -> u64 {
    server.now_us / 1_000_000
}

// ---- writing ---------------------------------------------------------------------------

/// `aofWrite`: short writes retried; the bytes written, and the error that stopped it.
fn aof_write(
    storage: &mut dyn Storage,
    file: storage::FileId,
    buf: &[u8],
) -> (usize, Option<io::Error>) {
    let mut written = 0;
    while written < buf.len() {
        match storage.write(file, &buf[written..]) {
            Ok(0) => return (written, Some(io::Error::from_raw_os_error(libc::ENOSPC))),
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (written, Some(e)),
        }
    }
    (written, None)
}

/// `flushAppendOnlyFile`: writes the buffer to the incremental file and fsyncs it as
/// `appendfsync` says. Called in before-sleep, before any reply of the pass is written.
pub fn flush(storage: &mut dyn Storage, server: &mut ServerState, force: bool) {
    let Some(file) = server.aof.file else {
        return;
    };
    let policy = fsync_policy(server);
    let unixtime = now_s(server);
    let mut sync_in_progress = false;
    let aof = &server.aof;
    if aof.buf.is_empty() {
        // Nothing to write; maybe an fsync is still owed for what was written.
        let owed = aof.last_incr_fsync_offset != aof.last_incr_size;
        let everysec_due = policy == FsyncPolicy::Everysec
            && owed
            && unixtime > aof.last_fsync_s
            && storage.background_fsyncs_pending() == 0;
        if !(everysec_due || (policy == FsyncPolicy::Always && owed)) {
            return;
        }
        try_fsync(storage, server, file, policy, false);
        return;
    }
    if policy == FsyncPolicy::Everysec {
        sync_in_progress = storage.background_fsyncs_pending() > 0;
    }
    if policy == FsyncPolicy::Everysec && !force && sync_in_progress {
        let aof = &mut server.aof;
        if aof.flush_postponed_start_s == 0 {
            aof.flush_postponed_start_s = unixtime;
            return;
        } else if unixtime.saturating_sub(aof.flush_postponed_start_s) < 2 {
            return;
        }
        aof.delayed_fsync += 1;
        server.persist.notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
    }
    let buf = std::mem::take(&mut server.aof.buf);
    let (written, error) = aof_write(storage, file, &buf);
    server.aof.flush_postponed_start_s = 0;
    if written != buf.len() {
        let can_log =
            unixtime.saturating_sub(server.aof.last_write_error_log_s) > WRITE_LOG_ERROR_RATE_S;
        if can_log {
            server.aof.last_write_error_log_s = unixtime;
        }
        let mut kept = written;
        if written == 0 {
            let reason = error.as_ref().map_or_else(String::new, os_reason);
            if can_log {
                server
                    .persist
                    .warning(format!("Error writing to the AOF file: {reason}"));
            }
            server.aof.last_write_error = reason;
        } else {
            if can_log {
                server.persist.warning(format!(
                    "Short write while writing to the AOF file: (nwritten={written}, expected={})",
                    buf.len()
                ));
            }
            let name = path(&aof_dirname(server), &server.aof.file_name);
            match storage.truncate(&name, server.aof.last_incr_size) {
                Ok(()) => kept = 0,
                Err(e) => {
                    if can_log {
                        server.persist.warning(format!("Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {}", os_reason(&e)));
                    }
                }
            }
            server.aof.last_write_error = os_reason(&io::Error::from_raw_os_error(libc::ENOSPC));
        }
        if policy == FsyncPolicy::Always {
            server.aof.fatal = Some("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...".into());
            server.aof.buf = buf;
            return;
        }
        server.aof.last_write_ok = false;
        server.aof.current_size += kept as u64;
        server.aof.last_incr_size += kept as u64;
        server.aof.buf = buf[kept..].to_vec();
        return;
    }
    if !server.aof.last_write_ok {
        server
            .persist
            .warning("AOF write error looks solved, Redis can write again.");
        server.aof.last_write_ok = true;
    }
    server.aof.current_size += written as u64;
    server.aof.last_incr_size += written as u64;
    try_fsync(storage, server, file, policy, sync_in_progress);
}

/// flushAppendOnlyFile's `try_fsync` label.
fn try_fsync(
    storage: &mut dyn Storage,
    server: &mut ServerState,
    file: storage::FileId,
    policy: FsyncPolicy,
    sync_in_progress: bool,
) {
    if flag(server, "no-appendfsync-on-rewrite") && has_active_child(server) {
        return;
    }
    let unixtime = now_s(server);
    match policy {
        FsyncPolicy::Always => {
            #[cfg(feature = "planted-bug-aof-always-no-fsync")]
            let synced: io::Result<()> = Ok(());
            #[cfg(not(feature = "planted-bug-aof-always-no-fsync"))]
            let synced = storage.fdatasync(file);
            if let Err(e) = synced {
                server.aof.fatal = Some(format!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...", os_reason(&e)));
                return;
            }
            server.aof.last_incr_fsync_offset = server.aof.last_incr_size;
            server.aof.last_fsync_s = unixtime;
        }
        FsyncPolicy::Everysec if unixtime > server.aof.last_fsync_s => {
            if !sync_in_progress {
                // A bio job's error is not reported back here (no aof_bio_fsync_status).
                let _ = storage.fsync_background(file);
                server.aof.last_incr_fsync_offset = server.aof.last_incr_size;
            }
            server.aof.last_fsync_s = unixtime;
        }
        _ => {}
    }
}

// ---- the manifest ----------------------------------------------------------------------

/// `writeAofManifestFile`: temp file, write, fsync, rename, directory fsync.
fn write_manifest_file(storage: &mut dyn Storage, server: &mut ServerState, text: &str) -> bool {
    let dir = aof_dirname(server);
    let name = manifest::manifest_file_name(&aof_filename(server));
    let temp = manifest::temp_manifest_file_name(&aof_filename(server));
    let (final_path, temp_path) = (path(&dir, &name), path(&dir, &temp));
    let file = match storage.create(&temp_path) {
        Ok(file) => file,
        Err(e) => {
            server.persist.warning(format!(
                "Can't open the AOF manifest file {temp}: {}",
                os_reason(&e)
            ));
            return false;
        }
    };
    let result = (|| {
        if let Err(e) = storage::write_all(storage, file, text.as_bytes()) {
            return Err(format!(
                "Error trying to write the temporary AOF manifest file {temp}: {}",
                os_reason(&e)
            ));
        }
        #[cfg(feature = "planted-bug-aof-rename-before-fsync")]
        {
            storage.rename(&temp_path, &final_path).map_err(|e| {
                format!(
                    "Error trying to rename the temporary AOF manifest file {temp} into {name}: {}",
                    os_reason(&e)
                )
            })?;
        }
        if let Err(e) = storage.fsync(file) {
            return Err(format!(
                "Fail to fsync the temp AOF file {temp}: {}.",
                os_reason(&e)
            ));
        }
        #[cfg(not(feature = "planted-bug-aof-rename-before-fsync"))]
        if let Err(e) = storage.rename(&temp_path, &final_path) {
            return Err(format!(
                "Error trying to rename the temporary AOF manifest file {temp} into {name}: {}",
                os_reason(&e)
            ));
        }
        #[cfg(feature = "planted-bug-aof-manifest-no-dir-sync")]
        return Ok(());
        #[allow(unreachable_code)]
        storage.sync_dir(&dir).map_err(|e| {
            format!(
                "Fail to fsync AOF directory {final_path}: {}.",
                os_reason(&e)
            )
        })
    })();
    storage.close(file);
    match result {
        Ok(()) => true,
        Err(line) => {
            server.persist.warning(line);
            false
        }
    }
}

/// `persistAofManifest`.
fn persist_manifest(
    storage: &mut dyn Storage,
    server: &mut ServerState,
    am: &mut Manifest,
) -> bool {
    if !am.dirty {
        return true;
    }
    let text = am.to_text();
    let ok = write_manifest_file(storage, server, &text);
    if ok {
        am.dirty = false;
    }
    ok
}

/// `aofLoadManifestFromDisk`: an absent directory or manifest is an empty manifest (an
/// upgrade from a single-file AOF); a bad one is the lines to log before exiting.
pub fn load_manifest_from_disk(
    storage: &mut dyn Storage,
    server: &ServerState,
) -> Result<Manifest, Vec<String>> {
    let dir = aof_dirname(server);
    if storage.list(&dir).is_err() {
        return Ok(Manifest::default());
    }
    let name = manifest::manifest_file_name(&aof_filename(server));
    let full = path(&dir, &name);
    match storage.size(&full) {
        Ok(Some(_)) => {}
        _ => return Ok(Manifest::default()),
    }
    let data = storage::read_to_end(storage, &full).map_err(|e| {
        vec![format!(
            "Fatal error: can't open the AOF manifest file {full} for reading: {}",
            os_reason(&e)
        )]
    })?;
    Manifest::parse(&data).map_err(|e| e.log_lines())
}

/// `aofDelHistoryFiles`.
pub fn delete_history_files(storage: &mut dyn Storage, server: &mut ServerState) -> bool {
    if flag(server, "aof-disable-auto-gc") || server.aof.manifest.history.is_empty() {
        return true;
    }
    let dir = aof_dirname(server);
    for info in std::mem::take(&mut server.aof.manifest.history) {
        server.persist.notice(format!(
            "Removing the history file {} in the background",
            info.file_name
        ));
        let _ = storage.unlink(&path(&dir, &info.file_name));
    }
    let mut am = std::mem::take(&mut server.aof.manifest);
    am.dirty = true;
    let ok = persist_manifest(storage, server, &mut am);
    server.aof.manifest = am;
    ok
}

// ---- rewriting -------------------------------------------------------------------------

/// What a rewrite writes, taken in the parent (the child only has the storage).
struct RewriteJob {
    preamble: bool,
    opts: SaveOptions,
    functions: Vec<Bytes>,
    timestamp: Option<u64>,
    /// `temp-rewriteaof-<pid>.aof`.
    temp: String,
}

fn rewrite_job(server: &ServerState, keyspace: &Keyspace) -> RewriteJob {
    RewriteJob {
        preamble: flag(server, "aof-use-rdb-preamble"),
        opts: SaveOptions {
            compression: flag(server, "rdbcompression"),
            checksum: flag(server, "rdbchecksum"),
            now_secs: now_s(server),
            used_mem: server.used_memory(keyspace),
            aof_base: true,
            now_ms: server.now_us / 1000,
            access: {
                let policy = server.config.maxmemory_policy;
                (policy.is_lru() || policy.is_lfu()).then(|| server.access_clock())
            },
        },
        functions: server.scripting.as_ref().map_or_else(Vec::new, |s| {
            s.functions
                .libraries
                .values()
                .map(|l| l.code.clone())
                .collect()
        }),
        timestamp: flag(server, "aof-timestamp-enabled").then(|| now_s(server)),
        temp: format!("temp-rewriteaof-{}.aof", server.pid),
    }
}

/// `rewriteAppendOnlyFile`: the dataset into a temp file (RDB preamble or commands),
/// fsynced, renamed to `filename`. The error is the line Redis logs.
fn rewrite_file(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    job: &RewriteJob,
    filename: &str,
) -> Result<(), String> {
    let file = storage.create(&job.temp).map_err(|e| {
        format!(
            "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {}",
            os_reason(&e)
        )
    })?;
    let written = (|| -> io::Result<()> {
        let mut out = io::BufWriter::with_capacity(
            64 * 1024,
            StorageWriter {
                storage: &mut *storage,
                file,
            },
        );
        if job.preamble {
            rdb::write_snapshot(keyspace, &job.functions, &job.opts, &mut out)?;
        } else {
            crate::persist::aof::write_commands(keyspace, &job.functions, job.timestamp, &mut out)?;
        }
        out.flush()?;
        drop(out);
        storage.fsync(file)
    })();
    storage.close(file);
    if let Err(e) = written {
        let _ = storage.unlink(&job.temp);
        return Err(format!(
            "Write error writing append only file on disk: {}",
            os_reason(&e)
        ));
    }
    if let Err(e) = storage.rename(&job.temp, filename) {
        let _ = storage.unlink(&job.temp);
        return Err(format!(
            "Error moving temp append only file on the final destination: {}",
            os_reason(&e)
        ));
    }
    Ok(())
}

/// `openNewIncrAofForAppend`: a new incremental file (the temp one while waiting for
/// the first rewrite) in a new manifest, persisted before anything changes.
fn open_new_incr_for_append(storage: &mut dyn Storage, server: &mut ServerState) -> bool {
    if server.aof.status == AofStatus::Off {
        return true;
    }
    let filename = aof_filename(server);
    let dir = aof_dirname(server);
    let mut temp_am = None;
    let new_name = if server.aof.status == AofStatus::WaitRewrite {
        manifest::temp_incr_file_name(&filename)
    } else {
        let mut am = server.aof.manifest.clone();
        let name = am.new_incr_file(&filename);
        temp_am = Some(am);
        name
    };
    let new_file = match storage.create(&path(&dir, &new_name)) {
        Ok(file) => file,
        Err(e) => {
            server.persist.warning(format!(
                "Can't open the append-only file {new_name}: {}",
                os_reason(&e)
            ));
            return false;
        }
    };
    if let Some(am) = temp_am.as_mut() {
        if !persist_manifest(storage, server, am) {
            storage.close(new_file);
            return false;
        }
    }
    server.persist.notice(format!(
        "Creating AOF incr file {new_name} on background rewrite"
    ));
    if let Some(old) = server.aof.file.take() {
        // aof_background_fsync_and_close.
        let _ = storage.fsync_background(old);
        storage.close(old);
        server.aof.last_fsync_s = now_s(server);
    }
    server.aof.file = Some(new_file);
    server.aof.file_name = new_name;
    server.aof.last_incr_size = 0;
    server.aof.last_incr_fsync_offset = 0;
    if let Some(am) = temp_am {
        server.aof.manifest = am;
    }
    true
}

/// The file the rewrite child leaves for the parent (`temp-rewriteaof-bg-<pid>.aof`).
/// Named after the server's pid: the storage seam hands the child none of its own.
fn rewrite_result_file(server: &ServerState) -> String {
    format!("temp-rewriteaof-bg-{}.aof", server.pid)
}

/// `rewriteAppendOnlyFileBackground`.
pub fn rewrite_background(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    server: &mut ServerState,
) -> bool {
    if has_active_child(server) {
        return false;
    }
    let dir = aof_dirname(server);
    if let Err(e) = storage.mkdir(&dir) {
        server.persist.warning(format!(
            "Can't open or create append-only dir {dir}: {}",
            os_reason(&e)
        ));
        server.aof.last_bgrewrite_ok = false;
        return false;
    }
    server.aof.selected_db = None;
    flush(storage, server, true);
    if !open_new_incr_for_append(storage, server) {
        server.aof.last_bgrewrite_ok = false;
        return false;
    }
    server.aof.rewrites += 1;
    let job = rewrite_job(server, keyspace);
    let result_file = rewrite_result_file(server);
    let forked = storage.fork(&mut |child: &mut dyn Storage| match rewrite_file(
        child,
        keyspace,
        &job,
        &result_file,
    ) {
        Ok(()) => 0,
        Err(_) => 1,
    });
    match forked {
        Ok(pid) => {
            server.persist.notice(format!(
                "Background append only file rewriting started by pid {}",
                pid.0
            ));
            server.aof.rewrite_scheduled = false;
            server.aof.child = Some(AofChild {
                pid,
                start_s: now_s(server),
                temp_file: result_file,
            });
            true
        }
        Err(e) => {
            server.aof.last_bgrewrite_ok = false;
            server.persist.warning(format!(
                "Can't rewrite append only file in background: fork: {}",
                os_reason(&e)
            ));
            false
        }
    }
}

/// `backgroundRewriteDoneHandler`: on success the result becomes the new base, the
/// rewritten incremental files history, the manifest is persisted, history deleted.
pub fn background_rewrite_done(
    storage: &mut dyn Storage,
    server: &mut ServerState,
    exit: ChildExit,
) {
    let Some(child) = server.aof.child.take() else {
        return;
    };
    let filename = aof_filename(server);
    let dir = aof_dirname(server);
    match exit {
        ChildExit::Exited(0) => rewrite_succeeded(storage, server, &child, &filename, &dir),
        ChildExit::Exited(_) => {
            server.aof.last_bgrewrite_ok = false;
            server.aof.consecutive_failures += 1;
            server
                .persist
                .warning("Background AOF rewrite terminated with error");
        }
        ChildExit::Signaled(signal) => {
            if signal != libc::SIGUSR1 {
                server.aof.last_bgrewrite_ok = false;
                server.aof.consecutive_failures += 1;
            }
            server.persist.warning(format!(
                "Background AOF rewrite terminated by signal {signal}"
            ));
        }
    }
    // cleanup:
    let _ = storage.unlink(&child.temp_file);
    if server.aof.status == AofStatus::WaitRewrite {
        server.aof.buf.clear();
        let temp_incr = manifest::temp_incr_file_name(&filename);
        server.persist.notice(format!(
            "Removing the temp incr aof file {temp_incr} in the background"
        ));
        if let Some(file) = server.aof.file.take() {
            storage.close(file);
        }
        let _ = storage.unlink(&path(&dir, &temp_incr));
    }
    server.aof.rewrite_time_last_s = now_s(server).saturating_sub(child.start_s) as i64;
    if server.aof.status == AofStatus::WaitRewrite {
        server.aof.rewrite_scheduled = true;
    }
}

fn rewrite_succeeded(
    storage: &mut dyn Storage,
    server: &mut ServerState,
    child: &AofChild,
    filename: &str,
    dir: &str,
) {
    server
        .persist
        .notice("Background AOF rewrite terminated with success");
    let mut temp_am = server.aof.manifest.clone();
    let preamble = flag(server, "aof-use-rdb-preamble");
    let new_base = temp_am.new_base_file(filename, preamble);
    let new_base_path = path(dir, &new_base);
    if let Err(e) = storage.rename(&child.temp_file, &new_base_path) {
        server.persist.warning(format!(
            "Error trying to rename the temporary AOF base file {} into {new_base_path}: {}",
            child.temp_file,
            os_reason(&e)
        ));
        server.aof.last_bgrewrite_ok = false;
        server.aof.consecutive_failures += 1;
        return;
    }
    server.persist.notice(format!(
        "Successfully renamed the temporary AOF base file {} into {new_base}",
        child.temp_file
    ));
    let mut new_incr_path = None;
    if server.aof.status == AofStatus::WaitRewrite {
        let temp_incr = manifest::temp_incr_file_name(filename);
        let temp_incr_path = path(dir, &temp_incr);
        let new_incr = temp_am.new_incr_file(filename);
        let incr_path = path(dir, &new_incr);
        if let Err(e) = storage.rename(&temp_incr_path, &incr_path) {
            server.persist.warning(format!(
                "Error trying to rename the temporary AOF incr file {temp_incr_path} into {incr_path}: {}",
                os_reason(&e)
            ));
            let _ = storage.unlink(&new_base_path);
            server.aof.last_bgrewrite_ok = false;
            server.aof.consecutive_failures += 1;
            return;
        }
        server.persist.notice(format!(
            "Successfully renamed the temporary AOF incr file {temp_incr} into {new_incr}"
        ));
        server.aof.file_name = new_incr;
        new_incr_path = Some(incr_path);
    }
    // Planted: the file written during the rewrite goes to history with the rest.
    let keep_current =
        server.aof.file.is_some() && !cfg!(feature = "planted-bug-aof-rewrite-loses-writes");
    temp_am.mark_rewritten_incr_as_history(keep_current);
    if !persist_manifest(storage, server, &mut temp_am) {
        let _ = storage.unlink(&new_base_path);
        if let Some(p) = new_incr_path {
            let _ = storage.unlink(&p);
        }
        server.aof.last_bgrewrite_ok = false;
        server.aof.consecutive_failures += 1;
        return;
    }
    server.aof.manifest = temp_am;
    if server.aof.status != AofStatus::Off {
        let base_size = storage.size(&new_base_path).ok().flatten().unwrap_or(0);
        server.aof.current_size = base_size + server.aof.last_incr_size;
        server.aof.rewrite_base_size = server.aof.current_size;
    }
    delete_history_files(storage, server);
    server.aof.last_bgrewrite_ok = true;
    server.aof.consecutive_failures = 0;
    server
        .persist
        .notice("Background AOF rewrite finished successfully");
    if server.aof.status == AofStatus::WaitRewrite {
        server.aof.status = AofStatus::On;
    }
}

/// `killAppendOnlyChild`: the child is killed; its exit, reported later, is ignored.
pub fn kill_child(storage: &mut dyn Storage, server: &mut ServerState) {
    let Some(child) = server.aof.child.take() else {
        return;
    };
    server.persist.notice(format!(
        "Killing running AOF rewrite child: {}",
        child.pid.0
    ));
    storage.kill_child(child.pid);
    let _ = storage.unlink(&child.temp_file);
    server.aof.rewrite_time_last_s = -1;
}

/// `aofRewriteLimited`: after three failures in a row, automatic rewrites wait 1, 2, 4...
/// up to 60 minutes.
pub fn rewrite_limited(server: &mut ServerState) -> bool {
    let unixtime = now_s(server);
    let aof = &mut server.aof;
    if aof.consecutive_failures < REWRITE_LIMIT_THRESHOLD {
        aof.limit_next_delay_minutes = 0;
        aof.limit_next_rewrite_s = 0;
        return false;
    }
    if aof.limit_next_rewrite_s != 0 {
        if unixtime < aof.limit_next_rewrite_s {
            return true;
        }
        aof.limit_next_rewrite_s = 0;
        return false;
    }
    aof.limit_next_delay_minutes = if aof.limit_next_delay_minutes == 0 {
        1
    } else {
        (aof.limit_next_delay_minutes * 2).min(REWRITE_LIMIT_MAX_MINUTES)
    };
    aof.limit_next_rewrite_s = unixtime + aof.limit_next_delay_minutes * 60;
    let minutes = aof.limit_next_delay_minutes;
    server.persist.warning(format!("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {minutes} minutes"));
    true
}

// ---- turning it on and off ---------------------------------------------------------------

/// `startAppendOnly` (CONFIG SET appendonly yes). False when the rewrite could not start.
pub fn start(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    server: &mut ServerState,
    in_exec: bool,
) -> bool {
    debug_assert_eq!(server.aof.status, AofStatus::Off);
    set_status(server, AofStatus::WaitRewrite);
    if server.persist.child.is_some() {
        server.aof.rewrite_scheduled = true;
        server.persist.warning("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
    } else if in_exec {
        server.aof.rewrite_scheduled = true;
        server.persist.warning("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
    } else {
        if server.aof.child.is_some() {
            server.persist.warning("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
            kill_child(storage, server);
        }
        if !rewrite_background(storage, keyspace, server) {
            set_status(server, AofStatus::Off);
            server.persist.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return false;
        }
    }
    server.aof.last_fsync_s = now_s(server);
    if !server.aof.last_write_ok {
        server
            .persist
            .warning("AOF reopen, just ignore the last error.");
        server.aof.last_write_ok = true;
    }
    true
}

/// `stopAppendOnly` (CONFIG SET appendonly no).
pub fn stop(storage: &mut dyn Storage, server: &mut ServerState) {
    flush(storage, server, true);
    if let Some(file) = server.aof.file.take() {
        match storage.fsync(file) {
            Err(e) => server
                .persist
                .warning(format!("Fail to fsync the AOF file: {}", os_reason(&e))),
            Ok(()) => server.aof.last_fsync_s = now_s(server),
        }
        storage.close(file);
    }
    server.aof.selected_db = None;
    set_status(server, AofStatus::Off);
    server.aof.rewrite_scheduled = false;
    server.aof.last_incr_size = 0;
    server.aof.last_incr_fsync_offset = 0;
    kill_child(storage, server);
    server.aof.buf.clear();
}

/// The AOF's state, and whether commands are propagated (they are while it is on).
pub fn set_status(server: &mut ServerState, status: AofStatus) {
    server.aof.status = status;
    server.propagation.update_wanted(status != AofStatus::Off);
}

/// CONFIG SET's `updateAppendonly`, after the new value is in the config.
pub fn apply_appendonly(ctx: &mut Ctx<'_>) -> Result<(), &'static str> {
    let enabled = ctx.server.config.appendonly;
    let status = ctx.server.aof.status;
    if !enabled && status != AofStatus::Off {
        stop(ctx.storage, ctx.server);
    } else if enabled && status == AofStatus::Off {
        let in_exec = ctx.session.in_exec;
        if !start(ctx.storage, ctx.keyspace, ctx.server, in_exec) {
            return Err("Unable to turn on AOF. Check server logs.");
        }
    }
    Ok(())
}

/// `aofOpenIfNeededOnServerStart`: with AOF on, a base file is made for an empty start,
/// the last incremental file opened (or created) and the manifest persisted. False
/// means exit(1) (already logged).
pub fn open_on_server_start(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    server: &mut ServerState,
) -> bool {
    if server.aof.status != AofStatus::On {
        return true;
    }
    let dir = aof_dirname(server);
    let filename = aof_filename(server);
    if let Err(e) = storage.mkdir(&dir) {
        server.persist.warning(format!(
            "Can't open or create append-only dir {dir}: {}",
            os_reason(&e)
        ));
        return false;
    }
    let incr_len = server.aof.manifest.incr.len();
    if server.aof.manifest.base.is_none() && incr_len == 0 {
        let preamble = flag(server, "aof-use-rdb-preamble");
        let base = server.aof.manifest.new_base_file(&filename, preamble);
        let job = rewrite_job(server, keyspace);
        if let Err(line) = rewrite_file(storage, keyspace, &job, &path(&dir, &base)) {
            server.persist.warning(line);
            return false;
        }
        server
            .persist
            .notice(format!("Creating AOF base file {base} on server start"));
    }
    let name = server.aof.manifest.last_incr_file(&filename);
    let file = match storage.open_append(&path(&dir, &name)) {
        Ok(file) => file,
        Err(e) => {
            server.persist.warning(format!(
                "Can't open the append-only file {name}: {}",
                os_reason(&e)
            ));
            return false;
        }
    };
    server.aof.file = Some(file);
    server.aof.file_name = name.clone();
    let mut am = std::mem::take(&mut server.aof.manifest);
    let persisted = persist_manifest(storage, server, &mut am);
    server.aof.manifest = am;
    if !persisted {
        return false;
    }
    let size = storage.size(&path(&dir, &name)).ok().flatten().unwrap_or(0);
    server.aof.last_incr_size = size;
    server.aof.last_incr_fsync_offset = size;
    let verb = if incr_len > 0 { "Opening" } else { "Creating" };
    server
        .persist
        .notice(format!("{verb} AOF incr file {name} on server start"));
    true
}

// ---- loading -----------------------------------------------------------------------------

/// What loading one file (or all of them) came to (aof.c's `AOF_*` results).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LoadResult {
    Ok,
    NotExist,
    Empty,
    OpenErr,
    Failed,
    Truncated,
}

/// `loadAppendOnlyFiles` for the manifest in `server.aof.manifest` (with the upgrade of
/// an old single `appendonly.aof`). Commands run through the command table as a fake
/// client; nothing is propagated meanwhile.
pub fn load_append_only_files(
    storage: &mut dyn Storage,
    keyspace: &mut Keyspace,
    server: &mut ServerState,
    clock: &mut dyn crate::net::Clock,
) -> LoadResult {
    let filename = aof_filename(server);
    let dir = aof_dirname(server);
    let old_exists = storage.size(&filename).ok().flatten().is_some();
    if old_exists {
        let am = &server.aof.manifest;
        let dir_exists = storage.list(&dir).is_ok();
        let in_dir = storage
            .size(&path(&dir, &filename))
            .ok()
            .flatten()
            .is_some();
        let upgrade = !dir_exists
            || (am.base.is_none() && am.incr.is_empty())
            || (am.incr.is_empty()
                && am.base.as_ref().is_some_and(|b| b.file_name == filename)
                && !in_dir);
        if upgrade && upgrade_prepare(storage, server).is_err() {
            return LoadResult::Failed;
        }
    }
    let am = server.aof.manifest.clone();
    if am.base.is_none() && am.incr.is_empty() {
        return LoadResult::NotExist;
    }
    let total_num = am.files_to_load().count();
    let mut total_size = 0u64;
    for info in am.files_to_load() {
        match storage.size(&path(&dir, &info.file_name)) {
            Ok(Some(size)) => total_size += size,
            Ok(None) => {
                server.persist.warning(format!(
                    "Unable to obtain the AOF file {} length. stat: No such file or directory",
                    info.file_name
                ));
                return LoadResult::Failed;
            }
            Err(e) => {
                server.persist.warning(format!(
                    "Unable to obtain the AOF file {} length. stat: {}",
                    info.file_name,
                    os_reason(&e)
                ));
                return LoadResult::OpenErr;
            }
        }
    }
    if total_size == 0 {
        return LoadResult::Empty;
    }
    let mut base_size = 0;
    let mut ret = LoadResult::Ok;
    for (n, info) in am.files_to_load().enumerate() {
        let is_base = n == 0 && am.base.is_some();
        let last_file = n + 1 == total_num;
        if is_base {
            base_size = storage
                .size(&path(&dir, &info.file_name))
                .ok()
                .flatten()
                .unwrap_or(0);
        }
        let start_us = clock.now_us();
        ret = load_single_file(storage, keyspace, server, clock, &info.file_name);
        if ret == LoadResult::Ok || (ret == LoadResult::Truncated && last_file) {
            let secs = clock.now_us().saturating_sub(start_us) as f64 / 1e6;
            let kind = if is_base { "base" } else { "incr" };
            server.persist.notice(format!(
                "DB loaded from {kind} file {}: {secs:.3} seconds",
                info.file_name
            ));
        }
        if !is_base && ret == LoadResult::Empty {
            ret = LoadResult::Ok;
        }
        if ret == LoadResult::Truncated && !last_file {
            ret = LoadResult::Failed;
            server
                .persist
                .warning("Fatal error: the truncated file is not the last file");
        }
        if ret == LoadResult::OpenErr || ret == LoadResult::Failed {
            return ret;
        }
    }
    server.aof.current_size = total_size;
    server.aof.rewrite_base_size = base_size;
    ret
}

/// `aofUpgradePrepare`: an old `appendonly.aof` becomes the base of a new manifest, then
/// moves into the directory.
fn upgrade_prepare(storage: &mut dyn Storage, server: &mut ServerState) -> Result<(), ()> {
    let dir = aof_dirname(server);
    let filename = aof_filename(server);
    if let Err(e) = storage.mkdir(&dir) {
        server.persist.warning(format!(
            "Can't open or create append-only dir {dir}: {}",
            os_reason(&e)
        ));
        return Err(());
    }
    let mut am = server.aof.manifest.clone();
    am.base = Some(manifest::AofInfo {
        file_name: filename.clone(),
        file_seq: 1,
        file_type: manifest::FileType::Base,
    });
    am.curr_base_file_seq = 1;
    am.dirty = true;
    if !persist_manifest(storage, server, &mut am) {
        return Err(());
    }
    server.aof.manifest = am;
    if let Err(e) = storage.rename(&filename, &path(&dir, &filename)) {
        server.persist.warning(format!(
            "Error trying to move the old AOF file {filename} into dir {dir}: {}",
            os_reason(&e)
        ));
        return Err(());
    }
    server.persist.notice(format!(
        "Successfully migrated an old-style AOF file ({filename}) into the AOF directory ({dir})."
    ));
    Ok(())
}

/// `loadSingleAppendOnlyFile`.
fn load_single_file(
    storage: &mut dyn Storage,
    keyspace: &mut Keyspace,
    server: &mut ServerState,
    clock: &mut dyn crate::net::Clock,
    name: &str,
) -> LoadResult {
    let dir = aof_dirname(server);
    let full = path(&dir, name);
    let data = match storage::read_to_end(storage, &full) {
        Ok(data) => data,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            server.persist.warning(format!(
                "The append log file {name} doesn't exist: {}",
                os_reason(&e)
            ));
            return LoadResult::NotExist;
        }
        Err(e) => {
            server.persist.warning(format!(
                "Fatal error: can't open the append log file {name} for reading: {}",
                os_reason(&e)
            ));
            return LoadResult::OpenErr;
        }
    };
    if data.is_empty() {
        return LoadResult::Empty;
    }
    let old_status = server.aof.status;
    let old_disabled = server.propagation.disabled;
    server.aof.status = AofStatus::Off;
    server.propagation.disabled = true;
    let was_loading = keyspace.is_loading();
    keyspace.set_loading(true);
    let ret = replay_file(storage, keyspace, server, clock, name, &full, &data);
    keyspace.set_loading(was_loading);
    server.aof.status = old_status;
    server.propagation.disabled = old_disabled;
    ret
}

/// The body of `loadSingleAppendOnlyFile`: an RDB preamble, then commands.
fn replay_file(
    storage: &mut dyn Storage,
    keyspace: &mut Keyspace,
    server: &mut ServerState,
    clock: &mut dyn crate::net::Clock,
    name: &str,
    full: &str,
    data: &[u8],
) -> LoadResult {
    let old_style = name == aof_filename(server);
    let mut start = 0;
    if data.starts_with(b"REDIS") {
        server.persist.notice(if old_style {
            "Reading RDB preamble from AOF file..."
        } else {
            "Reading RDB base file on AOF loading..."
        });
        match load_preamble(keyspace, server, data) {
            Ok(consumed) => start = consumed,
            Err(line) => {
                server.persist.warning(line);
                server.persist.warning(if old_style {
                    format!("Error reading the RDB preamble of the AOF file {name}, AOF loading aborted")
                } else {
                    format!("Error reading the RDB base file {name}, AOF loading aborted")
                });
                // readerr: the preamble ended early or is corrupt; either way a failure.
                return LoadResult::Failed;
            }
        }
        if old_style {
            server.persist.notice("Reading the remaining AOF tail...");
        }
    }
    let truncated_ok = flag(server, "aof-load-truncated");
    let mut reader = Reader::new(data, start);
    let mut session = Session::new(0, u32::MAX, String::new(), String::new(), 0);
    let mut clients = NoClients;
    let mut valid_up_to = 0usize;
    let mut valid_before_multi = 0usize;
    let outcome = loop {
        match reader.next_step() {
            Step::Command(argv, end) => {
                let Some(command) = lookup(&argv[0]) else {
                    server.persist.warning(format!(
                        "Unknown command '{}' reading the append only file {name}",
                        String::from_utf8_lossy(crate::util::c_str(&argv[0]))
                    ));
                    return LoadResult::Failed;
                };
                if command.name == "multi" {
                    valid_before_multi = valid_up_to;
                }
                let mut ctx = Ctx {
                    keyspace: &mut *keyspace,
                    session: &mut session,
                    server: &mut *server,
                    clients: &mut clients as &mut dyn ClientRegistry,
                    clock: &mut *clock,
                    storage: &mut *storage,
                };
                super::execute(&mut ctx, &argv);
                if truncated_ok {
                    valid_up_to = end;
                }
            }
            Step::Eof => {
                if session.multi.is_some() {
                    server.persist.warning(format!(
                        "Revert incomplete MULTI/EXEC transaction in AOF file {name}"
                    ));
                    valid_up_to = valid_before_multi;
                    break Step::UnexpectedEof;
                }
                break Step::Eof;
            }
            other => break other,
        }
    };
    // The fake client's queued transaction, if any, is dropped unrun.
    session.multi = None;
    match outcome {
        Step::Eof => LoadResult::Ok,
        Step::FormatError => {
            server.persist.warning(format!("Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"));
            LoadResult::Failed
        }
        Step::ReadError => {
            server.persist.warning(format!(
                "Unrecoverable error reading the append only file {name}: Success"
            ));
            LoadResult::Failed
        }
        _ => {
            if truncated_ok {
                server.persist.warning(format!(
                    "!!! Warning: short read while loading the AOF file {name}!!!"
                ));
                server.persist.warning(format!(
                    "!!! Truncating the AOF {name} at offset {valid_up_to} !!!"
                ));
                match storage
                    .truncate(full, valid_up_to as u64)
                    .and_then(|()| sync_file(storage, full))
                {
                    Ok(()) => {
                        server.persist.warning(format!(
                            "AOF {name} loaded anyway because aof-load-truncated is enabled"
                        ));
                        return LoadResult::Truncated;
                    }
                    Err(e) => server.persist.warning(format!(
                        "Error truncating the AOF file {name}: {}",
                        os_reason(&e)
                    )),
                }
            }
            server.persist.warning(format!("Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."));
            LoadResult::Failed
        }
    }
}

/// Makes a truncation durable. Redis 7.0 does not fsync after the loader's truncate(2):
/// a power loss may then bring the cut tail back in a file that is no longer the last
/// one (the simulator found it), which no later load accepts. seedis syncs it.
fn sync_file(storage: &mut dyn Storage, path: &str) -> io::Result<()> {
    let file = storage.open_append(path)?;
    let synced = storage.fsync(file);
    storage.close(file);
    synced
}

/// An RDB preamble (`rdbLoadRio` with `RDBFLAGS_AOF_PREAMBLE`): expired keys are kept,
/// a duplicate is an error. Returns the bytes it took.
fn load_preamble(
    keyspace: &mut Keyspace,
    server: &mut ServerState,
    data: &[u8],
) -> Result<usize, String> {
    let opts = rdb::LoadOptions::from_config(&server.config, keyspace.hash_keys());
    let databases = keyspace.databases();
    let mut duplicate = None;
    let info = rdb::load_with(data, &opts, &mut |loaded| {
        if duplicate.is_some() || loaded.db >= databases {
            return;
        }
        if keyspace.db(loaded.db).dict.get(&loaded.key).is_some() {
            duplicate = Some(format!(
                "RDB has duplicated key '{}' in DB {}",
                String::from_utf8_lossy(&loaded.key),
                loaded.db
            ));
            return;
        }
        let ttl = loaded.expire_ms.map_or(Ttl::Clear, Ttl::At);
        keyspace.set(loaded.db, loaded.key, loaded.value, ttl);
    })
    .map_err(|e| e.message)?;
    if let Some(message) = duplicate {
        return Err(message);
    }
    for code in &info.functions {
        super::scripting::load_library_from_rdb(server, code, false)
            .map_err(|e| format!("Failed loading library, {e}"))?;
    }
    Ok(info.consumed)
}

/// DEBUG LOADAOF: flush, empty everything, load the files again. Redis exits when the
/// load is not OK or EMPTY: here the server stops as it would (`server.aof.fatal`).
pub fn debug_loadaof(ctx: &mut Ctx<'_>) -> CmdResult {
    if ctx.server.aof.status != AofStatus::Off {
        flush(ctx.storage, ctx.server, true);
    }
    ctx.keyspace.flush_all();
    if let Some(scripting) = ctx.server.scripting.as_mut() {
        scripting.functions.flush();
    }
    match load_manifest_from_disk(ctx.storage, ctx.server) {
        Ok(am) => ctx.server.aof.manifest = am,
        Err(lines) => {
            for line in lines {
                ctx.server.persist.warning(line);
            }
            ctx.server.aof.fatal = Some("AOF manifest unreadable by DEBUG LOADAOF".into());
            return Err(Reply::err("ERR AOF manifest unreadable"));
        }
    }
    delete_history_files(ctx.storage, ctx.server);
    let ret = load_append_only_files(ctx.storage, ctx.keyspace, ctx.server, ctx.clock);
    if ret != LoadResult::Ok && ret != LoadResult::Empty {
        ctx.server.aof.fatal = Some("DEBUG LOADAOF failed to load the AOF".into());
        return Err(Reply::err("ERR AOF loading failed"));
    }
    ctx.server.dirty = 0;
    ctx.server
        .persist
        .warning("Append Only File loaded by DEBUG LOADAOF");
    Ok(Reply::OK)
}

/// prepareForShutdown's AOF part: a rewrite child is killed (unless it writes the first
/// AOF and FORCE was not given: false, the server must go on), the buffer written and
/// the file fsynced.
pub fn prepare_for_shutdown(
    storage: &mut dyn Storage,
    server: &mut ServerState,
    force: bool,
) -> bool {
    if server.aof.child.is_some() {
        if server.aof.status == AofStatus::WaitRewrite {
            if force {
                server.persist.warning("Writing initial AOF. Exit anyway.");
            } else {
                server.persist.warning("Writing initial AOF, can't exit.");
                return false;
            }
        }
        server
            .persist
            .warning("There is a child rewriting the AOF. Killing it!");
        kill_child(storage, server);
    }
    if server.aof.status != AofStatus::Off {
        server.persist.notice("Calling fsync() on the AOF file.");
        flush(storage, server, true);
        if let Some(file) = server.aof.file {
            if let Err(e) = storage.fsync(file) {
                server
                    .persist
                    .warning(format!("Fail to fsync the AOF file: {}.", os_reason(&e)));
            }
        }
    }
    true
}

/// `writeCommandsDeniedByDiskError`'s AOF part: the refusal, if writes are refused.
pub fn write_error_denial(server: &ServerState) -> Option<String> {
    if server.aof.status != AofStatus::Off && !server.aof.last_write_ok {
        return Some(format!(
            "MISCONF Errors writing to the AOF file: {}",
            server.aof.last_write_error
        ));
    }
    None
}
