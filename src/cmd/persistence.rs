//! SAVE, BGSAVE, LASTSAVE, and the save and load flows FLUSHALL, DEBUG RELOAD, SHUTDOWN
//! and the loop's cron share (Redis's `rdbSave`, `rdbSaveBackground`,
//! `backgroundSaveDoneHandler`, `rdbLoad`). Files go through the [`Storage`]; what Redis
//! logs is queued in `server.persist.log` for the loop to write.

use super::table::*;
use super::{Ctx, ServerState};
use crate::db::Keyspace;
use crate::persist::rdb::SaveOptions;
use crate::persist::snapshot::{self, Duplicates, LoadReport};
use crate::persist::state::RdbChild;
use crate::resp::Reply;
use crate::storage::{ChildExit, Storage};
use bytes::Bytes;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("bgsave", -1, NO_ASYNC_LOADING | ADMIN | NOSCRIPT, Group::Server, bgsave_cmd)
        .doc("1.0.0", "Asynchronously save the dataset to disk", "O(1)")
        .history(&[("3.2.2", "Added the `SCHEDULE` option.")]),
    cmd("lastsave", 1, LOADING | STALE | FAST, Group::Server, lastsave_cmd).acl(ACL_ADMIN | ACL_DANGEROUS)
        .tips(&["nondeterministic_output"])
        .doc("1.0.0", "Get the UNIX time stamp of the last successful save to disk", "O(1)"),
    cmd("save", 1, NO_ASYNC_LOADING | ADMIN | NOSCRIPT | NO_MULTI, Group::Server, save_cmd)
        .doc("1.0.0", "Synchronously save the dataset to disk", "O(N) where N is the total number of keys in all databases"),
];

/// Redis's `shared.err`: what SAVE, BGSAVE and DEBUG RELOAD answer when saving failed
/// (the reason is in the log).
const ERR_PLAIN: &str = "ERR";

fn save_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    if ctx.server.persist.child.is_some() {
        return Err(Reply::err("ERR Background save already in progress"));
    }
    ctx.server.persist.rdb_saves += 1;
    if rdb_save(ctx.storage, ctx.keyspace, ctx.server) {
        Ok(Reply::OK)
    } else {
        Err(Reply::err(ERR_PLAIN))
    }
}

/// BGSAVE [SCHEDULE].
fn bgsave_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    match argv.get(1) {
        None => {}
        Some(arg) if argv.len() == 2 && arg.eq_ignore_ascii_case(b"schedule") => {}
        Some(_) => return Err(Reply::err("ERR syntax error")),
    }
    let schedule = argv.len() == 2;
    if ctx.server.persist.child.is_some() {
        return Err(Reply::err("ERR Background save already in progress"));
    }
    if super::aof::has_active_child(ctx.server) || ctx.session.in_exec {
        // A fork inside EXEC would snapshot half a transaction: Redis defers it, as it
        // defers one while an AOF rewrite runs if asked to.
        if schedule || ctx.session.in_exec {
            ctx.server.persist.bgsave_scheduled = true;
            return Ok(Reply::simple("Background saving scheduled"));
        }
        return Err(Reply::err("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."));
    }
    if rdb_save_background(ctx.storage, ctx.keyspace, ctx.server) {
        Ok(Reply::simple("Background saving started"))
    } else {
        Err(Reply::err(ERR_PLAIN))
    }
}

fn lastsave_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(ctx.server.persist.lastsave_s as i64))
}

/// The FUNCTION libraries' code, saved with the keys.
fn function_codes(server: &ServerState) -> Vec<Bytes> {
    server.scripting.as_ref().map_or_else(Vec::new, |s| {
        s.functions
            .libraries
            .values()
            .map(|lib| lib.code.clone())
            .collect()
    })
}

fn save_options(server: &ServerState, keyspace: &Keyspace) -> SaveOptions {
    SaveOptions {
        compression: server.config.get("rdbcompression").as_deref() == Some("yes"),
        checksum: server.config.get("rdbchecksum").as_deref() == Some("yes"),
        now_secs: server.now_us / 1_000_000,
        used_mem: server.used_memory(keyspace),
        aof_base: false,
        now_ms: server.now_us / 1000,
        access: {
            let policy = server.config.maxmemory_policy;
            (policy.is_lru() || policy.is_lfu()).then(|| server.access_clock())
        },
    }
}

/// `server.rdb_filename`.
pub fn rdb_filename(server: &ServerState) -> String {
    server
        .config
        .get("dbfilename")
        .unwrap_or_else(|| "dump.rdb".into())
}

/// `rdbSave`, in the loop: the whole snapshot now. On success `dirty` is reset and
/// LASTSAVE moves; false (with the reason logged) otherwise.
pub fn rdb_save(storage: &mut dyn Storage, keyspace: &Keyspace, server: &mut ServerState) -> bool {
    let temp = format!("temp-{}.rdb", server.pid);
    let filename = rdb_filename(server);
    let opts = save_options(server, keyspace);
    let functions = function_codes(server);
    let root = server.config.dir.clone();
    match snapshot::write_rdb_file(
        storage, keyspace, &functions, &opts, &filename, &temp, &root,
    ) {
        Ok(()) => {
            server.persist.notice("DB saved on disk");
            server.dirty = 0;
            server.persist.lastsave_s = server.now_us / 1_000_000;
            server.persist.last_bgsave_ok = true;
            true
        }
        Err(message) => {
            server.persist.warning(message);
            false
        }
    }
}

/// The temp file a BGSAVE child writes. Redis names it after the child's pid, which the
/// child reads with getpid(); the storage seam hands the child no pid, so the parent
/// names it, distinct from SAVE's `temp-<pid>.rdb` so a SAVE after a killed child never
/// shares a file with it.
fn bgsave_temp_file(server: &ServerState) -> String {
    format!("temp-bgsave-{}.rdb", server.pid)
}

/// `rdbSaveBackground`: forks a child that writes the snapshot while the loop goes on.
/// False if a child already runs or the fork failed (logged).
pub fn rdb_save_background(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    server: &mut ServerState,
) -> bool {
    if super::aof::has_active_child(server) {
        return false;
    }
    let now_s = server.now_us / 1_000_000;
    server.persist.rdb_saves += 1;
    server.persist.dirty_before_bgsave = server.dirty;
    server.persist.last_bgsave_try_s = now_s;
    let temp = bgsave_temp_file(server);
    let filename = rdb_filename(server);
    let opts = save_options(server, keyspace);
    let functions = function_codes(server);
    let root = server.config.dir.clone();
    let forked = storage.fork(
        &mut |child: &mut dyn Storage| match snapshot::write_rdb_file(
            child, keyspace, &functions, &opts, &filename, &temp, &root,
        ) {
            Ok(()) => 0,
            Err(_) => 1,
        },
    );
    match forked {
        Ok(pid) => {
            server
                .persist
                .notice(format!("Background saving started by pid {}", pid.0));
            server.persist.child = Some(RdbChild {
                pid,
                start_us: server.now_us,
                temp_file: temp,
            });
            true
        }
        Err(e) => {
            server.persist.last_bgsave_ok = false;
            server.persist.warning(format!(
                "Can't save in background: fork: {}",
                snapshot::os_reason(&e)
            ));
            false
        }
    }
}

/// `backgroundSaveDoneHandlerDisk` and the bookkeeping after it: called by the cron
/// when the BGSAVE child ended.
pub fn background_save_done(storage: &mut dyn Storage, server: &mut ServerState, exit: ChildExit) {
    let Some(child) = server.persist.child.take() else {
        return;
    };
    let now_s = server.now_us / 1_000_000;
    match exit {
        ChildExit::Exited(0) => {
            server
                .persist
                .notice("Background saving terminated with success");
            server.dirty = server
                .dirty
                .saturating_sub(server.persist.dirty_before_bgsave);
            server.persist.lastsave_s = now_s;
            server.persist.last_bgsave_ok = true;
        }
        ChildExit::Exited(_) => {
            server.persist.warning("Background saving error");
            server.persist.last_bgsave_ok = false;
        }
        ChildExit::Signaled(signal) => {
            server
                .persist
                .warning(format!("Background saving terminated by signal {signal}"));
            let _ = storage.unlink(&child.temp_file);
            // SIGUSR1 is how the server kills its own child: not an error.
            if signal != libc::SIGUSR1 {
                server.persist.last_bgsave_ok = false;
            }
        }
    }
    server.persist.last_bgsave_time_s = (now_s.saturating_sub(child.start_us / 1_000_000)) as i64;
}

/// `killRDBChild`: the child is killed; the cron reaps it and removes its temp file.
pub fn kill_rdb_child(storage: &mut dyn Storage, server: &ServerState) {
    if let Some(child) = &server.persist.child {
        storage.kill_child(child.pid);
    }
}

/// Redis's `writeCommandsDeniedByDiskError` for RDB: save points are configured, the
/// last background save failed and `stop-writes-on-bgsave-error` is on.
pub fn writes_denied_by_disk_error(server: &ServerState) -> bool {
    !server.persist.last_bgsave_ok
        && !server.config.save.is_empty()
        && server.config.get("stop-writes-on-bgsave-error").as_deref() == Some("yes")
}

/// The refusal a write command gets then.
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// How SHUTDOWN (or a signal) asked to stop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownFlags {
    pub save: bool,
    pub nosave: bool,
    pub force: bool,
}

/// `prepareForShutdown` and `finishShutdown` up to the exit: a running BGSAVE is
/// killed and its temp file removed; with save points (unless NOSAVE) or SAVE, the
/// dataset is saved. False when that save failed and FORCE was not given: the server
/// must go on running.
pub fn prepare_for_shutdown(
    storage: &mut dyn Storage,
    keyspace: &Keyspace,
    server: &mut ServerState,
    flags: ShutdownFlags,
) -> bool {
    server.persist.warning("User requested shutdown...");
    if let Some(child) = server.persist.child.clone() {
        server
            .persist
            .warning("There is a child saving an .rdb. Killing it!");
        storage.kill_child(child.pid);
        let _ = storage.unlink(&child.temp_file);
    }
    if !super::aof::prepare_for_shutdown(storage, server, flags.force) {
        return false;
    }
    if (!server.config.save.is_empty() && !flags.nosave) || flags.save {
        server
            .persist
            .notice("Saving the final RDB snapshot before exiting.");
        if !rdb_save(storage, keyspace, server) {
            if flags.force {
                server
                    .persist
                    .warning("Error trying to save the DB. Exit anyway.");
            } else {
                server
                    .persist
                    .warning("Error trying to save the DB, can't exit.");
                server.persist.warning(
                    "Errors trying to shut down the server. Check the logs for more information.",
                );
                return false;
            }
        }
    }
    true
}

/// `rdbLoad` of `dbfilename` into the keyspace and the FUNCTION libraries. `Ok(None)`
/// when there is no file. The error is the line to log.
pub fn rdb_load(
    storage: &mut dyn Storage,
    keyspace: &mut Keyspace,
    server: &mut ServerState,
    duplicates: Duplicates,
) -> Result<Option<LoadReport>, String> {
    let filename = rdb_filename(server);
    let now_ms = server.now_us / 1000;
    // dbAddRDBLoad announces nothing: no `new` per loaded key (DEBUG RELOAD runs inside
    // a command whose notifications are armed; the next command re-arms them).
    keyspace.set_notify_mask(0);
    let loaded = snapshot::load_rdb_file(
        storage,
        &filename,
        keyspace,
        &server.config,
        now_ms,
        duplicates,
    )?;
    let Some(report) = loaded else {
        return Ok(None);
    };
    for line in snapshot::aux_log_lines(&report.info.aux, now_ms / 1000) {
        server.persist.notice(line);
    }
    for code in &report.info.functions {
        super::scripting::load_library_from_rdb(server, code, duplicates == Duplicates::Replace)
            .map_err(|e| format!("Failed loading library, {e}"))?;
    }
    server.persist.last_load_keys_loaded = report.keys_loaded;
    server.persist.last_load_keys_expired = report.keys_expired;
    server.persist.notice(format!(
        "Done loading RDB, keys loaded: {}, keys expired: {}.",
        report.keys_loaded, report.keys_expired
    ));
    Ok(Some(report))
}

/// FLUSHALL's `flushAllDataAndResetRDB` after the keys are gone: a running BGSAVE is
/// killed (its snapshot is stale), and with save points configured the now empty
/// dataset is saved, `dirty` kept as it was so the flush still counts as a change.
pub fn reset_rdb_after_flushall(ctx: &mut Ctx<'_>) {
    if ctx.server.persist.child.is_some() {
        kill_rdb_child(ctx.storage, ctx.server);
    }
    if !ctx.server.config.save.is_empty() {
        let saved_dirty = ctx.server.dirty;
        rdb_save(ctx.storage, ctx.keyspace, ctx.server);
        ctx.server.dirty = saved_dirty;
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty everything (functions too),
/// load the file back.
pub fn debug_reload(ctx: &mut Ctx<'_>, options: &[Bytes]) -> CmdResult {
    let (mut flush, mut save, mut duplicates) = (true, true, Duplicates::Refuse);
    for opt in options {
        if opt.eq_ignore_ascii_case(b"merge") {
            duplicates = Duplicates::Replace;
        } else if opt.eq_ignore_ascii_case(b"noflush") {
            flush = false;
        } else if opt.eq_ignore_ascii_case(b"nosave") {
            save = false;
        } else {
            return Err(Reply::err(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            ));
        }
    }
    if save && !rdb_save(ctx.storage, ctx.keyspace, ctx.server) {
        return Err(Reply::err(ERR_PLAIN));
    }
    if flush {
        ctx.keyspace.flush_all();
        if let Some(scripting) = ctx.server.scripting.as_mut() {
            scripting.functions.flush();
        }
    }
    match rdb_load(ctx.storage, ctx.keyspace, ctx.server, duplicates) {
        Ok(_) => {
            ctx.server.persist.warning("DB reloaded by DEBUG RELOAD");
            Ok(Reply::OK)
        }
        Err(message) => {
            // Redis exits on a corrupt file here; seedis logs it and answers.
            ctx.server.persist.warning(message);
            Err(Reply::err(
                "ERR Error trying to load the RDB dump, check server logs.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::testkit::{e, Harness};
    use crate::persist::state::LogLine;

    #[test]
    fn argument_errors_match_redis() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["bgsave", "x"]), e("ERR syntax error"));
        assert_eq!(h.run(&["bgsave", "schedule", "x"]), e("ERR syntax error"));
        assert_eq!(
            h.run(&["save", "x"]),
            e("ERR wrong number of arguments for 'save' command")
        );
        assert_eq!(
            h.run(&["debug", "reload", "bad"]),
            e("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
        );
    }

    #[test]
    fn lastsave_is_the_start_until_a_save() {
        let mut h = Harness::new();
        let start = (h.server.now_us / 1_000_000) as i64;
        assert_eq!(h.run(&["lastsave"]), Reply::Integer(start));
    }

    /// With the codec still failing (or once it works), SAVE's outcome and its log line
    /// agree, and a failed save keeps `dirty`.
    #[test]
    fn save_reports_what_happened() {
        let mut h = Harness::new();
        h.server.dirty = 5;
        let reply = h.run(&["save"]);
        assert_eq!(h.server.persist.rdb_saves, 1);
        if reply == Reply::OK {
            assert_eq!(h.server.dirty, 0);
            assert!(h.storage.contents("dump.rdb").is_some());
            assert_eq!(
                h.server.persist.log,
                vec![LogLine::Notice("DB saved on disk".into())]
            );
        } else {
            assert_eq!(reply, e("ERR"));
            assert_eq!(h.server.dirty, 5);
            assert!(h.storage.contents("dump.rdb").is_none());
            assert!(matches!(&h.server.persist.log[..], [LogLine::Warning(w)]
                if w.starts_with("Write error saving DB on disk(rdbSaveRio): ")));
        }
        assert!(h.storage.contents("temp-0.rdb").is_none());
    }

    #[test]
    fn bgsave_runs_one_child_at_a_time_and_its_end_is_accounted() {
        let mut h = Harness::new();
        h.server.dirty = 3;
        assert_eq!(
            h.run(&["bgsave"]),
            Reply::simple("Background saving started")
        );
        assert!(h.server.persist.child.is_some());
        assert_eq!(h.server.persist.dirty_before_bgsave, 3);
        assert_eq!(
            h.run(&["bgsave"]),
            e("ERR Background save already in progress")
        );
        assert_eq!(
            h.run(&["save"]),
            e("ERR Background save already in progress")
        );
        h.server.dirty = 10; // seven changes while the child ran
        let ended = h.storage.poll_children();
        assert_eq!(ended.len(), 1);
        let (_, exit) = ended[0];
        background_save_done(&mut h.storage, &mut h.server, exit);
        assert!(h.server.persist.child.is_none());
        if exit == ChildExit::Exited(0) {
            assert_eq!(h.server.dirty, 7);
            assert!(h.server.persist.last_bgsave_ok);
        } else {
            assert_eq!(h.server.dirty, 10);
            assert!(!h.server.persist.last_bgsave_ok);
            // Writes are refused while save points are configured...
            assert_eq!(h.run(&["set", "k", "v"]), Reply::err(MISCONF));
            assert_eq!(h.run(&["ping"]), Reply::err(MISCONF));
            assert_eq!(h.run(&["get", "k"]), Reply::Null);
            // ... and allowed without them.
            h.run(&["config", "set", "save", ""]);
            assert_eq!(h.run(&["set", "k", "v"]), Reply::OK);
        }
    }

    #[test]
    fn a_child_killed_by_the_server_is_not_an_error() {
        let mut h = Harness::new();
        h.run(&["bgsave"]);
        let temp = h.server.persist.child.as_ref().unwrap().temp_file.clone();
        h.storage.put(&temp, b"partial");
        background_save_done(
            &mut h.storage,
            &mut h.server,
            ChildExit::Signaled(libc::SIGUSR1),
        );
        assert!(h.server.persist.last_bgsave_ok);
        assert!(h.storage.contents(&temp).is_none());
        h.run(&["bgsave"]);
        background_save_done(&mut h.storage, &mut h.server, ChildExit::Signaled(9));
        assert!(!h.server.persist.last_bgsave_ok);
    }

    #[test]
    fn bgsave_inside_exec_is_scheduled() {
        let mut h = Harness::new();
        h.run(&["multi"]);
        h.run(&["bgsave"]);
        assert_eq!(
            h.run(&["exec"]),
            Reply::Array(vec![Reply::simple("Background saving scheduled")])
        );
        assert!(h.server.persist.bgsave_scheduled);
        assert!(h.server.persist.child.is_none());
    }

    /// Found by Redis's zset.tcl ("ZSCORE after a DEBUG RELOAD - skiplist"): loading
    /// used the default thresholds, not the configured ones, so a sorted set kept as a
    /// skiplist under `zset-max-listpack-entries 0` came back as a listpack.
    #[test]
    fn a_reload_converts_under_the_configured_thresholds() {
        let mut h = Harness::new();
        for (param, value) in [
            ("zset-max-listpack-entries", "0"),
            ("hash-max-listpack-entries", "0"),
            ("set-max-intset-entries", "1"),
        ] {
            assert_eq!(h.run(&["CONFIG", "SET", param, value]), Reply::OK);
        }
        h.run(&["ZADD", "z", "1", "a"]);
        h.run(&["HSET", "h", "f", "v"]);
        h.run(&["SADD", "s", "1", "2"]);
        assert_eq!(h.run(&["DEBUG", "RELOAD"]), Reply::OK);
        for (key, encoding) in [("z", "skiplist"), ("h", "hashtable"), ("s", "hashtable")] {
            assert_eq!(
                h.run(&["OBJECT", "ENCODING", key]),
                crate::cmd::testkit::b(encoding),
                "{key}"
            );
        }
    }
}
