//! Keyspace events raised inside the keyspace itself, where Redis calls
//! `notifyKeyspaceEvent` from db.c and expire.c: `expired` (lazy expiry in expireIfNeeded,
//! the active cycle), `new` (dbAdd) and `keymiss` (lookupKey's read miss).
//!
//! The keyspace has no client and no pub/sub; it queues the events here, in the order
//! they happen, and the command layer (`cmd::notify`) publishes them: before any event
//! a command raises itself, and once the command (or the cron's expire cycle) is over.
//! So subscribers see Redis's order. Only classes enabled in the mask are queued (the
//! command layer sets it from `notify-keyspace-events`), so a server without
//! notifications queues nothing.

use bytes::Bytes;

/// One event waiting to be published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    pub db: usize,
    /// The class bit (`NOTIFY_EXPIRED`, `NOTIFY_NEW`, `NOTIFY_KEY_MISS`).
    pub class: u32,
    pub event: &'static str,
    pub key: Bytes,
}

/// Bound on events queued without being drained (a keyspace driven without a command
/// layer, as in unit tests): the oldest are dropped past it.
const MAX_PENDING: usize = 1 << 16;

#[derive(Default, Debug)]
pub struct KeyEvents {
    /// Enabled classes (0 when neither keyspace nor keyevent channels are on).
    mask: u32,
    pending: Vec<KeyEvent>,
}

impl KeyEvents {
    pub fn set_mask(&mut self, mask: u32) {
        self.mask = mask;
    }

    pub fn enabled(&self, class: u32) -> bool {
        self.mask & class != 0
    }

    pub fn push(&mut self, db: usize, class: u32, event: &'static str, key: &[u8]) {
        if self.mask & class == 0 {
            return;
        }
        if self.pending.len() >= MAX_PENDING {
            self.pending.remove(0);
        }
        self.pending.push(KeyEvent {
            db,
            class,
            event,
            key: Bytes::copy_from_slice(key),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn take(&mut self) -> Vec<KeyEvent> {
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_enabled_classes_are_queued_in_order() {
        let mut e = KeyEvents::default();
        e.push(0, 1, "new", b"a");
        assert!(e.is_empty(), "mask 0 queues nothing");
        e.set_mask(1 | 4);
        e.push(0, 1, "new", b"a");
        e.push(1, 2, "keymiss", b"b");
        e.push(2, 4, "expired", b"c");
        let got: Vec<_> = e.take().into_iter().map(|e| (e.db, e.event)).collect();
        assert_eq!(got, [(0, "new"), (2, "expired")]);
        assert!(e.is_empty());
    }
}
