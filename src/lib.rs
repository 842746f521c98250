//! seedis: a Redis-compatible key-value server on one event loop.
//!
//! Layers, top to bottom (data flows down, nothing flows back up):
//! - [`server`]: the ae-style event loop and the client state machine, written against
//!   the [`net::Poller`] seam only.
//! - [`cmd`]: the command table, one file per command family.
//! - [`db`]: the keyspace: values, expiry, hash tables with deterministic seeds.
//! - [`script`]: Lua 5.1 for EVAL and FUNCTION (sandbox, conversions), below [`cmd`].
//! - [`resp`]: the RESP request parser and reply encoder, sans-IO.
//! - [`mem`]: which allocator the binary installed, for INFO.
//! - [`config`]: the settings that exist, as CONFIG GET/SET and redis.conf see them.
//! - [`persist`]: RDB (and AOF) formats as Redis 7.0 writes them, sans-IO.
//! - [`storage`]: the Storage trait, the seam for every file, beside the Poller.
//! - [`net`]: the Poller trait; [`net::mio`] is the only module that touches the OS.
//! - [`util`]: Redis's `util.c` (string2ll, strtod, %.17g, the glob...), ported once and
//!   used by every layer above; it depends on nothing else in the crate.

pub mod acl;
pub mod cmd;
pub mod config;
pub mod db;
pub mod mem;
pub mod net;
pub mod persist;
pub mod resp;
pub mod script;
pub mod server;
pub mod storage;
pub mod util;
