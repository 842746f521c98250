//! Keyspace notifications (`notify.c`): a command that changed a key announces it with
//! [`notify`], naming the event's class (`STRING`, `LIST`, ... `GENERIC`, `EXPIRED`,
//! `EVICTED`) and Redis's event name (`"set"`, `"lpush"`, `"del"`, `"expired"`...).
//! When `notify-keyspace-events` enables the class, the event is published, as Redis
//! does, on `__keyspace@<db>__:<key>` (message: the event) and/or
//! `__keyevent@<db>__:<event>` (message: the key), through the same delivery as PUBLISH.
//!
//! Commands call it after their change, in Redis's order (one call per
//! `notifyKeyspaceEvent` in Redis's source), so subscribers see the same sequence.

use super::pubsub::publish;
use super::Ctx;
use bytes::{BufMut, Bytes, BytesMut};

pub use crate::config::special::{
    EVICTED, EXPIRED, GENERIC, HASH, KEYEVENT, KEYSPACE, KEY_MISS, LIST, NEW, SET, STREAM, STRING,
    ZSET,
};

/// `notifyKeyspaceEvent(class, event, key, db)` for a key of the client's current db.
pub fn notify(ctx: &mut Ctx<'_>, class: u32, event: &str, key: &[u8]) {
    let db = ctx.session.db;
    notify_db(ctx, class, event, key, db);
}

/// `notifyKeyspaceEvent` for a key of any db (MOVE, SWAPDB, COPY ... DB, expiry).
pub fn notify_db(ctx: &mut Ctx<'_>, class: u32, event: &str, key: &[u8], db: usize) {
    // What the keyspace raised before this (an expiry, a key's creation) came first.
    publish_pending(ctx);
    publish_event(ctx, class, event, key, db);
}

/// The classes the keyspace should queue events for (its own: expired, new, keymiss;
/// and those of the cores that queue through it): none unless a channel kind (K or E)
/// is on.
pub fn keyspace_mask(flags: u32) -> u32 {
    if flags & (KEYSPACE | KEYEVENT) == 0 {
        0
    } else {
        flags & !(KEYSPACE | KEYEVENT)
    }
}

/// Before a command or cron step: tells the keyspace which of its own events to queue.
pub fn arm_keyspace(ctx: &mut Ctx<'_>) {
    let mask = keyspace_mask(ctx.server.config.notify_keyspace_events);
    ctx.keyspace.set_notify_mask(mask);
}

/// Publishes the events the keyspace queued (expired, new, keymiss), in order.
pub fn publish_pending(ctx: &mut Ctx<'_>) {
    if !ctx.keyspace.has_events() {
        return;
    }
    for e in ctx.keyspace.take_events() {
        publish_event(ctx, e.class, e.event, &e.key, e.db);
    }
}

fn publish_event(ctx: &mut Ctx<'_>, class: u32, event: &str, key: &[u8], db: usize) {
    let flags = ctx.server.config.notify_keyspace_events;
    // Nothing is published unless the class is enabled and at least one of K/E is.
    if flags & class == 0 || flags & (KEYSPACE | KEYEVENT) == 0 {
        return;
    }
    let db_text = db.to_string();
    if flags & KEYSPACE != 0 {
        let channel = channel("__keyspace@", &db_text, key);
        publish(ctx, &channel, &Bytes::copy_from_slice(event.as_bytes()));
    }
    if flags & KEYEVENT != 0 {
        let channel = channel("__keyevent@", &db_text, event.as_bytes());
        publish(ctx, &channel, &Bytes::copy_from_slice(key));
    }
}

/// Whether any class in `class` is enabled (for callers that would build a key or event
/// name only to publish it).
pub fn enabled(ctx: &Ctx<'_>, class: u32) -> bool {
    let flags = ctx.server.config.notify_keyspace_events;
    flags & class != 0 && flags & (KEYSPACE | KEYEVENT) != 0
}

fn channel(prefix: &str, db: &str, suffix: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(prefix.len() + db.len() + 3 + suffix.len());
    out.put_slice(prefix.as_bytes());
    out.put_slice(db.as_bytes());
    out.put_slice(b"__:");
    out.put_slice(suffix);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use crate::cmd::testkit::Harness;
    use crate::resp::Reply;

    fn pushes(h: &mut Harness) -> Vec<String> {
        std::mem::take(&mut h.session.pushes)
            .into_iter()
            .map(|r| match r {
                Reply::Push(parts) => parts
                    .iter()
                    .map(|p| match p {
                        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn events_reach_subscribers_only_for_enabled_classes() {
        let mut h = Harness::new();
        // RESP3: a subscribed client may still run commands.
        h.run(&["HELLO", "3"]);
        h.run(&["PSUBSCRIBE", "__key*__:*"]);
        h.session.pushes.clear();
        h.run(&["SET", "k", "v"]);
        assert!(pushes(&mut h).is_empty(), "disabled by default");

        h.run(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        h.run(&["SET", "k", "v", "EX", "10"]);
        assert_eq!(
            pushes(&mut h),
            [
                "pmessage __key*__:* __keyspace@0__:k set",
                "pmessage __key*__:* __keyevent@0__:set k",
                "pmessage __key*__:* __keyspace@0__:k expire",
                "pmessage __key*__:* __keyevent@0__:expire k",
            ]
        );

        // A class that is not enabled publishes nothing; E alone skips keyspace channels.
        h.run(&["CONFIG", "SET", "notify-keyspace-events", "Eg"]);
        h.run(&["SET", "k", "v", "EX", "10"]);
        assert_eq!(
            pushes(&mut h),
            ["pmessage __key*__:* __keyevent@0__:expire k"]
        );
        // Classes without K or E publish nothing at all.
        h.run(&["CONFIG", "SET", "notify-keyspace-events", "A"]);
        h.run(&["SET", "k", "v"]);
        assert!(pushes(&mut h).is_empty());
        assert_eq!(
            h.run(&["CONFIG", "GET", "notify-keyspace-events"]),
            Reply::Map(vec![(
                Reply::Bulk("notify-keyspace-events".into()),
                Reply::Bulk("A".into())
            )])
        );
    }
}
