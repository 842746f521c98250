//! The master side of replication (Redis 7.0's `replication.c`): SYNC and PSYNC attach a
//! client as a replica, which gets a snapshot (the RDB a BGSAVE writes, sent as one bulk)
//! and then the stream of propagated commands (`propagate.rs`), with a SELECT wherever the
//! database changes; REPLCONF and ROLE. Redis's own test suite reads this stream
//! (`attach_to_replication_stream`) to check what each command propagates.
//!
//! This file holds the commands and the state they share with the event loop
//! ([`ReplState`]); moving the snapshot and the stream to the replicas' sockets is the
//! loop's part (`server/replication.rs`).
//!
//! Not built: the replica side (REPLICAOF/SLAVEOF), partial resynchronization (PSYNC
//! always answers FULLRESYNC; no backlog is kept), diskless sync, WAIT.

use super::args::{arg_i64, is, ERR_SYNTAX};
use super::table::*;
use super::{Action, Ctx};
use crate::resp::Reply;
use crate::util::c_str;
use bytes::{BufMut, Bytes, BytesMut};
use std::collections::BTreeMap;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("psync", -3, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, Group::Server, sync_cmd)
        .doc("2.8.0", "Internal command used for replication", ""),
    cmd("replconf", -1, ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY, Group::Server, replconf_cmd)
        .doc("3.0.0", "An internal command for configuring the replication stream", "O(1)")
        .doc_flags(DOC_SYSCMD),
    cmd("role", 1, NOSCRIPT | LOADING | STALE | FAST, Group::Server, role_cmd)
        .acl(ACL_ADMIN | ACL_DANGEROUS)
        .doc("2.8.12", "Return the role of the instance in the context of replication", "O(1)"),
    cmd("sync", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, Group::Server, sync_cmd)
        .doc("1.0.0", "Internal command used for replication", ""),
];

/// Where a replica is in its synchronization (`slave->replstate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Waiting for a BGSAVE to start (another child was running).
    WaitBgsaveStart,
    /// Its snapshot is being written; the stream since the fork is kept for it.
    WaitBgsaveEnd,
    /// The snapshot is being sent.
    SendBulk,
    /// Receiving the command stream.
    Online,
}

impl LinkState {
    /// INFO replication's `state=` names.
    pub fn name(self) -> &'static str {
        match self {
            LinkState::WaitBgsaveStart | LinkState::WaitBgsaveEnd => "wait_bgsave",
            LinkState::SendBulk => "send_bulk",
            LinkState::Online => "online",
        }
    }
}

/// One attached replica.
#[derive(Debug)]
pub struct ReplicaLink {
    pub fd: u32,
    /// The peer's IP (INFO `ip=`).
    pub ip: String,
    /// What REPLCONF listening-port said (0 if nothing).
    pub listening_port: u16,
    pub state: LinkState,
    /// Attached with PSYNC: it is told `+FULLRESYNC <replid> <offset>` when its BGSAVE starts.
    pub psync: bool,
    /// REPLCONF ACK's offset and when it came (seconds).
    pub ack_offset: u64,
    pub ack_time_s: u64,
    /// The stream propagated since its snapshot's fork, sent after the snapshot.
    pub pending: BytesMut,
    /// The snapshot being sent: the open file and the bytes still to read.
    pub transfer: Option<(crate::storage::FileId, u64)>,
}

/// Replication state shared by the commands (INFO, ROLE) and the loop.
#[derive(Debug)]
pub struct ReplState {
    /// `master_replid`: changes when the first replica creates the backlog.
    pub replid: String,
    /// Bytes of command stream produced so far (`master_repl_offset`).
    pub master_repl_offset: u64,
    /// Whether a replica ever attached (Redis creates its backlog then).
    pub backlog_active: bool,
    pub backlog_first_byte_offset: u64,
    /// Attached replicas by client id.
    pub links: BTreeMap<u64, ReplicaLink>,
    /// The database the stream last SELECTed (`server.slaveseldb`); `None` forces a SELECT.
    pub stream_db: Option<usize>,
    /// When the cron last sent the replicas a PING (`repl-ping-replica-period`), seconds.
    pub last_ping_s: u64,
    /// When replicas waiting for a snapshot last got their keep-alive newline, seconds.
    pub newline_sent_s: u64,
}

impl ReplState {
    /// The initial replication id is derived from the run id, so that creating the
    /// state draws nothing from the server's RNG (the simulator's runs stay as they are).
    pub fn new(run_id: &str) -> ReplState {
        ReplState {
            replid: sha1_smol::Sha1::from(run_id).digest().to_string(),
            master_repl_offset: 0,
            backlog_active: false,
            backlog_first_byte_offset: 0,
            links: BTreeMap::new(),
            stream_db: None,
            last_ping_s: 0,
            newline_sent_s: 0,
        }
    }

    /// `repl_backlog_histlen`: stream bytes since the backlog was created, up to its size.
    pub fn backlog_histlen(&self, backlog_size: u64) -> u64 {
        if !self.backlog_active {
            return 0;
        }
        (self.master_repl_offset + 1 - self.backlog_first_byte_offset).min(backlog_size)
    }
}

/// Appends `argv` to `out` as a RESP multibulk, as the stream carries commands.
pub fn encode_command(out: &mut BytesMut, argv: &[Bytes]) {
    out.put_u8(b'*');
    out.put_slice(argv.len().to_string().as_bytes());
    out.put_slice(b"\r\n");
    for arg in argv {
        out.put_u8(b'$');
        out.put_slice(arg.len().to_string().as_bytes());
        out.put_slice(b"\r\n");
        out.put_slice(arg);
        out.put_slice(b"\r\n");
    }
}

/// `replicationFeedSlaves` for one batch: each command, preceded by a SELECT when its
/// database is not the one the stream is in.
pub fn encode_batch(
    ops: &[super::propagate::Propagated],
    stream_db: &mut Option<usize>,
) -> BytesMut {
    let mut out = BytesMut::new();
    for op in ops {
        if *stream_db != Some(op.db) {
            let db = Bytes::from(op.db.to_string());
            encode_command(&mut out, &[Bytes::from_static(b"SELECT"), db]);
            *stream_db = Some(op.db);
        }
        encode_command(&mut out, &op.argv);
    }
    out
}

/// SYNC and PSYNC (`syncCommand`): the client becomes a replica; the loop starts (or
/// waits for) the BGSAVE that makes its snapshot. A replica's own commands get no
/// replies, so neither does this one: PSYNC's `+FULLRESYNC` is written by the loop when
/// the BGSAVE starts, as Redis writes it.
fn sync_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if ctx.session.replica {
        // Already a replica: ignored, as Redis does.
        return Ok(Reply::OK);
    }
    if ctx.session.output_pending {
        return Err(Reply::err(
            "ERR SYNC and PSYNC are invalid with pending output",
        ));
    }
    let psync = is(&argv[0], "psync");
    if psync {
        // The offset must be a number even though no partial resync is possible.
        arg_i64(&argv[2])?;
    }
    ctx.session.replica = true;
    ctx.server.actions.push(Action::ReplicaSync { psync });
    Ok(Reply::OK)
}

/// A command that answers nothing at all (Redis returns without a reply).
fn no_reply(ctx: &mut Ctx<'_>) -> CmdResult {
    ctx.session.reply_skip = ctx.session.reply_skip.max(1);
    Ok(Reply::OK)
}

/// REPLCONF <option> <value> ... (`replconfCommand`): what a replica tells its master
/// about itself.
fn replconf_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(Reply::err(ERR_SYNTAX));
    }
    for pair in argv[1..].chunks(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if is(option, "listening-port") {
            // A C long stored in an int: Redis keeps the low bits too.
            ctx.session.replica_listening_port = arg_i64(value)? as u16;
        } else if is(option, "ip-address") {
            if value.len() >= NET_HOST_STR_LEN {
                return Err(Reply::Error(Bytes::from(format!(
                    "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                    value.len()
                ))));
            }
        } else if is(option, "capa") {
            // Capabilities this master does not use are ignored, as Redis ignores them.
        } else if is(option, "ack") {
            // Only a replica acknowledges, and nobody gets a reply.
            if !ctx.session.replica {
                return no_reply(ctx);
            }
            let Some(offset) = crate::util::int::string2ll(value) else {
                return no_reply(ctx);
            };
            let now_s = ctx.now_ms() / 1000;
            if let Some(link) = ctx.server.repl.links.get_mut(&ctx.session.id) {
                if offset > 0 && offset as u64 > link.ack_offset {
                    link.ack_offset = offset as u64;
                }
                link.ack_time_s = now_s;
            }
            return no_reply(ctx);
        } else if is(option, "getack") {
            // Sent by a master to its replicas; seedis is never a replica.
            return no_reply(ctx);
        } else if is(option, "rdb-only") {
            match crate::util::int::string2ll(value) {
                Some(0..=1) => {}
                Some(_) => {
                    return Err(Reply::err(
                        "ERR value is out of range, value must between 0 and 1",
                    ))
                }
                None => return Err(Reply::err("ERR value is not an integer or out of range")),
            }
        } else if is(option, "rdb-filter-only") {
            let filters = crate::resp::parse::split_args(value)
                .ok_or_else(|| Reply::err("ERR Missing rdb-filter-only values"))?;
            if let Some(bad) = filters.iter().find(|f| !is(f, "functions")) {
                return Err(Reply::Error(Bytes::from(
                    [
                        b"ERR Unsupported rdb-filter-only option: ".as_slice(),
                        c_str(bad),
                    ]
                    .concat(),
                )));
            }
        } else {
            return Err(Reply::Error(Bytes::from(
                [
                    b"ERR Unrecognized REPLCONF option: ".as_slice(),
                    c_str(option),
                ]
                .concat(),
            )));
        }
    }
    Ok(Reply::OK)
}

/// NET_HOST_STR_LEN: the longest host name a replica may announce, plus one.
const NET_HOST_STR_LEN: usize = 256;

/// ROLE: `master`, the stream offset, and each online replica's ip, port and acked offset.
fn role_cmd(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let repl = &ctx.server.repl;
    let replicas = repl
        .links
        .values()
        .filter(|l| l.state == LinkState::Online)
        .map(|l| {
            Reply::Array(vec![
                Reply::bulk(l.ip.clone()),
                Reply::bulk(l.listening_port.to_string()),
                Reply::bulk(l.ack_offset.to_string()),
            ])
        })
        .collect();
    Ok(Reply::Array(vec![
        Reply::bulk("master"),
        Reply::Integer(repl.master_repl_offset as i64),
        Reply::Array(replicas),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::propagate::Propagated;
    use crate::cmd::testkit::{e, Harness};

    fn op(db: usize, args: &[&str]) -> Propagated {
        Propagated {
            db,
            argv: args
                .iter()
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect(),
        }
    }

    #[test]
    fn the_stream_selects_a_database_only_when_it_changes() {
        let mut db = None;
        let first = encode_batch(&[op(0, &["SET", "k", "v"]), op(0, &["DEL", "k"])], &mut db);
        assert_eq!(
            &first[..],
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"
        );
        let second = encode_batch(&[op(0, &["INCR", "n"]), op(9, &["INCR", "n"])], &mut db);
        assert_eq!(
            &second[..],
            b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"
        );
        assert_eq!(db, Some(9));
    }

    #[test]
    fn replconf_errors_match_redis() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["REPLCONF", "listening-port"]),
            e("ERR syntax error")
        );
        assert_eq!(
            h.run(&["REPLCONF", "bogus", "1"]),
            e("ERR Unrecognized REPLCONF option: bogus")
        );
        assert_eq!(
            h.run(&["REPLCONF", "listening-port", "x"]),
            e("ERR value is not an integer or out of range")
        );
        assert_eq!(h.run(&["REPLCONF", "listening-port", "6380"]), Reply::OK);
        assert_eq!(h.run(&["REPLCONF"]), Reply::OK);
        assert_eq!(
            h.run(&["REPLCONF", "rdb-only", "2"]),
            e("ERR value is out of range, value must between 0 and 1")
        );
        assert_eq!(
            h.run(&["REPLCONF", "rdb-filter-only", "functions keys"]),
            e("ERR Unsupported rdb-filter-only option: keys")
        );
        assert_eq!(
            h.run(&["PSYNC", "?", "x"]),
            e("ERR value is not an integer or out of range")
        );
    }

    #[test]
    fn role_of_a_master_without_replicas() {
        let mut h = Harness::new();
        assert_eq!(
            h.run(&["ROLE"]),
            Reply::Array(vec![
                Reply::bulk("master"),
                Reply::Integer(0),
                Reply::Array(vec![])
            ])
        );
    }
}
