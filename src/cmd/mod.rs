//! Commands: the table that maps a name to its arity, flags and handler, and one file per
//! command family. Handlers are plain functions over a [`Ctx`]: the keyspace, the calling
//! connection's session and the server's shared state. They never touch sockets or clocks:
//! the event loop sets `ctx.server.now_us` before it runs a batch of commands.
//!
//! Handlers return [`table::CmdResult`] (`Err` is an error reply) so arguments parse with
//! `?`. Families stand on a ground floor and never import one another: `args` (typed
//! argument getters, Redis's shared error texts, SCAN options), `reply` (shared reply
//! shapes), `pop` (the list and sorted-set pop cores the blocking commands reuse),
//! `context` and `table`; `testkit` is the one harness for their unit tests.

pub mod acl_cmd;
pub mod aof;
pub mod args;
pub mod bits;
pub mod blocking;
pub mod busy;
pub mod client_sized;
pub mod command_cmd;
pub mod config_cmd;
pub mod connection;
pub mod context;
pub mod db_cmds;
pub mod debug;
pub mod dump_restore;
pub mod evict;
pub mod geo;
pub mod hashes;
pub mod hll;
pub mod info;
pub mod keys;
pub mod latency;
pub mod lcs;
pub mod lists;
pub mod memory_cmd;
pub mod monitor;
pub mod multi;
pub mod notify;
pub mod pause;
pub mod persistence;
pub mod pop;
pub mod propagate;
pub mod pubsub;
pub mod replay;
pub mod replication;
pub mod reply;
pub mod scripting;
pub mod server_cmds;
pub mod sets;
pub mod slowlog;
pub mod sort;
pub mod stats;
pub mod stream_common;
pub mod stream_groups;
pub mod stream_info;
pub mod stream_read;
pub mod streams;
pub mod strings;
pub mod table;
#[cfg(test)]
pub(crate) mod testkit;
pub mod zsets;

pub use context::{
    Action, BlockSpec, ClientInfo, ClientRegistry, Ctx, MultiState, ServerState, Session, Stats,
    StreamBlock,
};

use crate::resp::Reply;
use bytes::Bytes;

/// Looks up `argv[0]`, checks arity and runs the command, returning its reply.
/// Never panics on any input: a bad argument is an error reply.
pub fn execute(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    table::dispatch(ctx, argv)
}
