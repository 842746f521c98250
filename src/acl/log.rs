//! ACL LOG (acl.c's `ACLLog`): the newest refusals first; a refusal like one of the ten
//! newest entries (same reason, context, object and user, within 60 s) bumps that entry's
//! count and moves it to the front instead of adding one.

use bytes::Bytes;
use std::collections::VecDeque;

/// Entries closer in time than this are grouped (`ACL_LOG_GROUPING_MAX_TIME_DELTA`).
const GROUPING_MS: u64 = 60_000;
/// How many of the newest entries a new one is compared against.
const SCAN: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Command,
    Key,
    Channel,
    Auth,
}

impl Reason {
    pub fn name(self) -> &'static str {
        match self {
            Reason::Command => "command",
            Reason::Key => "key",
            Reason::Channel => "channel",
            Reason::Auth => "auth",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Toplevel,
    Multi,
    Lua,
}

impl Context {
    pub fn name(self) -> &'static str {
        match self {
            Context::Toplevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub count: u64,
    pub reason: Reason,
    pub context: Context,
    pub object: Bytes,
    pub username: Bytes,
    /// Milliseconds since the epoch of the last update.
    pub ctime_ms: u64,
    /// The client's CLIENT LIST line at the last update.
    pub client_info: Bytes,
}

#[derive(Clone, Debug, Default)]
pub struct AclLog {
    entries: VecDeque<Entry>,
}

impl AclLog {
    /// `addACLLogEntry`, trimmed to `max_len` entries.
    pub fn add(&mut self, entry: Entry, max_len: u64) {
        let similar = |e: &Entry| {
            e.reason == entry.reason
                && e.context == entry.context
                && e.ctime_ms.abs_diff(entry.ctime_ms) <= GROUPING_MS
                && e.object == entry.object
                && e.username == entry.username
        };
        if let Some(at) = self.entries.iter().take(SCAN).position(similar) {
            let mut found = self.entries.remove(at).expect("entry in range");
            found.count += 1;
            found.ctime_ms = entry.ctime_ms;
            found.client_info = entry.client_info;
            self.entries.push_front(found);
            return;
        }
        self.entries.push_front(entry);
        let max = usize::try_from(max_len).unwrap_or(usize::MAX);
        self.entries.truncate(max);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}
