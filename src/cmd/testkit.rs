//! The test kit every command unit test uses: a keyspace, a server state, one session
//! and a registry of fake other clients, at a fixed time with a seeded RNG. Commands
//! run through [`execute`](crate::cmd::execute), so name lookup, arity and MULTI
//! queueing are exercised too; the keyspace's invariants are checked after each one.

use crate::cmd::{execute, ClientInfo, ClientRegistry, Ctx, ServerState, Session};
use crate::config::Config;
use crate::db::Keyspace;
use crate::resp::Reply;
use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

/// 2024-01-01T00:00:00Z plus a bit, in microseconds: the kit's clock at start.
pub const START_US: u64 = 1_704_067_200_123_456;
/// The same instant in milliseconds.
pub const T0_MS: u64 = START_US / 1000;

/// Other clients, with the ids of those CLIENT KILL marked.
#[derive(Default)]
pub struct FakeClients {
    pub others: Vec<ClientInfo>,
    pub killed: Vec<u64>,
}

impl ClientRegistry for FakeClients {
    fn list(&self, _now_ms: u64) -> Vec<ClientInfo> {
        self.others.clone()
    }
    fn kill(&mut self, matches: &mut dyn FnMut(&ClientInfo) -> bool, _: u64) -> usize {
        let hit: Vec<u64> = self
            .others
            .iter()
            .filter(|c| matches(c))
            .map(|c| c.id)
            .collect();
        self.killed.extend(&hit);
        hit.len()
    }
    fn count(&self) -> usize {
        self.others.len() + 1
    }
}

/// What [`Harness::run`] accepts: a line split on single spaces (`"SET k v"`), or the
/// arguments one by one (`&["CLIENT", "SETNAME", "a b"]`) when one holds a space.
pub trait Line {
    fn argv(&self) -> Vec<Bytes>;
}

impl Line for str {
    fn argv(&self) -> Vec<Bytes> {
        self.split(' ')
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }
}

impl Line for String {
    fn argv(&self) -> Vec<Bytes> {
        self.as_str().argv()
    }
}

impl Line for [&str] {
    fn argv(&self) -> Vec<Bytes> {
        self.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }
}

impl<const N: usize> Line for [&str; N] {
    fn argv(&self) -> Vec<Bytes> {
        self.as_slice().argv()
    }
}

/// One client's view of a server: session id 5 from 127.0.0.1:50000 (fd 8).
pub struct Harness {
    pub keyspace: Keyspace,
    pub session: Session,
    pub server: ServerState,
    pub clients: FakeClients,
    /// The files SAVE and friends write.
    pub storage: crate::storage::MemStorage,
}

impl Harness {
    pub fn new() -> Harness {
        let server = ServerState::new(Config::default(), ChaCha8Rng::seed_from_u64(1), START_US);
        let session = Session::new(
            5,
            8,
            "127.0.0.1:50000".into(),
            "127.0.0.1:6379".into(),
            T0_MS,
        );
        Harness {
            keyspace: Keyspace::new(16, (11, 22)),
            session,
            server,
            clients: FakeClients::default(),
            storage: crate::storage::MemStorage::new(),
        }
    }

    /// Registers another connected client (for CLIENT LIST / KILL).
    pub fn other(&mut self, id: u64, addr: &str) {
        let mut s = Session::new(id, 9, addr.into(), "127.0.0.1:6379".into(), 0);
        s.last_cmd = "ping";
        self.clients.others.push(s.info(self.server.now_us / 1000));
    }

    /// Runs one command given as a [`Line`].
    pub fn run<L: Line + ?Sized>(&mut self, line: &L) -> Reply {
        self.argv(&line.argv())
    }

    /// Runs one command given as raw arguments.
    pub fn argv(&mut self, argv: &[Bytes]) -> Reply {
        let mut clock = crate::net::ManualClock {
            now_us: self.server.now_us,
        };
        let mut ctx = Ctx {
            keyspace: &mut self.keyspace,
            session: &mut self.session,
            server: &mut self.server,
            clients: &mut self.clients,
            clock: &mut clock,
            storage: &mut self.storage,
        };
        let reply = execute(&mut ctx, argv);
        self.keyspace.check_invariants().unwrap();
        reply
    }

    pub fn advance_ms(&mut self, ms: u64) {
        self.server.now_us += ms * 1000;
    }
}

/// A bulk string reply.
pub fn b(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

/// An error reply.
pub fn e(s: &str) -> Reply {
    Reply::error(s.to_string())
}

/// An integer reply.
pub fn i(n: i64) -> Reply {
    Reply::Integer(n)
}

/// The text of a bulk or verbatim reply.
pub fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a string reply: {other:?}"),
    }
}
