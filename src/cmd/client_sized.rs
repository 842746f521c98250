//! Replies whose size the client chooses with a count: HRANDFIELD, SRANDMEMBER and
//! ZRANDMEMBER with a negative count sample with repetition, so the reply holds as many
//! elements as the client asked for, whatever the collection's size. Every such reply is
//! built through [`ClientSized`], the one place the bound lives:
//!
//! - As Redis 7.0.15 does (`if (c->flags & CLIENT_CLOSE_ASAP) break;` in
//!   hrandfieldWithCountCommand, srandmemberWithCountCommand, zrandmemberWithCountCommand),
//!   the reply stops growing as soon as the client is past its
//!   `client-output-buffer-limit` hard limit: the loop closes the client, the reply is
//!   never written. [`Session::reply_budget`] is what the client may still be sent.
//! - Where no hard limit applies (the `normal` class's default is `0 0 0`), Redis goes on
//!   until the machine runs out of memory: `HRANDFIELD k -6004235030193880749` took
//!   redis-server 7.0.15 past 4.8 GB before it was killed. seedis stops a client-sized
//!   reply at [`MAX_REPLY_MEMORY`] of server memory and closes that client the same way,
//!   so one command cannot take the server down; and a count that could not fit even if
//!   every element were empty is refused before any work with Redis's
//!   `ERR value is out of range` (the error Redis gives these commands' WITHVALUES and
//!   WITHSCORES forms for counts beyond ±LONG_MAX/2).
//!
//! Replies of range commands (LRANGE, ZRANGE, HGETALL, SCAN's COUNT, LPOS's COUNT...) are
//! bounded by the collection, which is already in memory; they are not client-sized.

use super::context::Session;
use crate::resp::Reply;

/// The most server memory one client-sized reply may take while it is built (the reply
/// tree: each element and its bytes). Far above any sane sampling reply (a million
/// 100-byte fields is about 150 MB), far below what takes a server down.
pub const MAX_REPLY_MEMORY: u64 = 1 << 30;

/// Memory an element of the reply costs at the least: its slot in the reply tree.
const MIN_ELEMENT_MEMORY: u64 = std::mem::size_of::<Reply>() as u64;

pub const ERR_OUT_OF_RANGE: &str = "ERR value is out of range";

/// The error a client-sized reply ends with when it is cut short: the loop closes the
/// client without writing it, so only a script's `redis.call` ever sees it.
pub const ERR_REPLY_TOO_BIG: &str =
    "ERR the reply exceeds the client's output buffer limit and the client is being closed";

/// A reply being built element by element under the client's budget.
pub struct ClientSized {
    items: Vec<Reply>,
    /// Bytes the client may still be sent before its output limit closes it.
    wire_budget: u64,
    wire: u64,
    memory: u64,
}

impl ClientSized {
    /// Starts a reply of `count` draws of `elements_per_draw` elements each, refusing a
    /// count no reply could hold.
    pub fn new(session: &Session, count: u64, elements_per_draw: u64) -> Result<Self, Reply> {
        let least = count
            .saturating_mul(elements_per_draw)
            .saturating_mul(MIN_ELEMENT_MEMORY);
        if least > MAX_REPLY_MEMORY {
            return Err(Reply::err(ERR_OUT_OF_RANGE));
        }
        // Capacity grows with what is actually produced: a reply cut short by the budget
        // must not have allocated for the whole count up front.
        let capacity = (count.saturating_mul(elements_per_draw)).min(1024) as usize;
        Ok(ClientSized {
            items: Vec::with_capacity(capacity),
            wire_budget: session.reply_budget,
            wire: 0,
            memory: 0,
        })
    }

    /// Adds one element; past the client's budget (or [`MAX_REPLY_MEMORY`]) the client is
    /// marked to be closed for its output limit and the caller stops with the error.
    pub fn push(&mut self, session: &mut Session, item: Reply) -> Result<(), Reply> {
        self.wire += wire_len(&item);
        self.memory += MIN_ELEMENT_MEMORY + payload_len(&item);
        self.items.push(item);
        if self.wire > self.wire_budget || self.memory > MAX_REPLY_MEMORY {
            session.output_limit_reached = true;
            self.items = Vec::new();
            return Err(Reply::err(ERR_REPLY_TOO_BIG));
        }
        Ok(())
    }

    pub fn finish(self) -> Reply {
        Reply::Array(self.items)
    }
}

/// The bytes `item` takes on the wire: exact for bulks, an upper bound for the rest
/// (EXEC charges each queued command's reply to the budget of the next with it).
pub fn wire_len(item: &Reply) -> u64 {
    let aggregate = |items: &[Reply]| 24 + items.iter().map(wire_len).sum::<u64>();
    match item {
        Reply::Bulk(b) => bulk_len(b.len() as u64),
        Reply::Verbatim(_, b) | Reply::BigNum(b) => bulk_len(b.len() as u64 + 4),
        Reply::Simple(b) | Reply::Error(b) => b.len() as u64 + 3,
        // RESP3 `,<digits>\r\n`; RESP2 a bulk of the same digits: at most 24 digits.
        Reply::Double(_) => bulk_len(24),
        Reply::Integer(_) | Reply::Null | Reply::NullArray | Reply::Bool(_) => 24,
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => aggregate(items),
        Reply::Map(pairs) | Reply::Attribute(pairs) => {
            24 + pairs
                .iter()
                .map(|(k, v)| wire_len(k) + wire_len(v))
                .sum::<u64>()
        }
    }
}

fn bulk_len(len: u64) -> u64 {
    // `$<len>\r\n<data>\r\n`
    1 + len.checked_ilog10().unwrap_or(0) as u64 + 1 + 2 + len + 2
}

/// Heap bytes an element holds besides its slot (a pair's inner vector and bulks).
fn payload_len(item: &Reply) -> u64 {
    match item {
        Reply::Bulk(b) => b.len() as u64,
        Reply::Array(items) => items
            .iter()
            .map(|i| MIN_ELEMENT_MEMORY + payload_len(i))
            .sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn session(budget: u64) -> Session {
        let mut s = Session::new(1, 5, String::new(), String::new(), 0);
        s.reply_budget = budget;
        s
    }

    #[test]
    fn a_count_no_reply_could_hold_is_refused_before_any_work() {
        let s = session(u64::MAX);
        let too_many = MAX_REPLY_MEMORY / MIN_ELEMENT_MEMORY + 1;
        assert!(ClientSized::new(&s, too_many, 1).is_err());
        assert!(ClientSized::new(&s, too_many / 2 + 1, 2).is_err());
        assert!(ClientSized::new(&s, u64::MAX, 2).is_err());
        assert!(ClientSized::new(&s, too_many - 1, 1).is_ok());
    }

    #[test]
    fn the_reply_stops_at_the_clients_budget_and_marks_it_for_closing() {
        let mut s = session(100);
        let mut r = ClientSized::new(&s, 1000, 1).unwrap();
        let item = || Reply::Bulk(Bytes::from_static(b"0123456789"));
        // `$10\r\n0123456789\r\n` is 17 bytes: five fit in 100, the sixth does not.
        for _ in 0..5 {
            r.push(&mut s, item()).unwrap();
        }
        assert!(!s.output_limit_reached);
        assert_eq!(r.push(&mut s, item()), Err(Reply::err(ERR_REPLY_TOO_BIG)));
        assert!(s.output_limit_reached);
    }

    #[test]
    fn wire_lengths_are_the_encoded_lengths() {
        for len in [0usize, 1, 9, 10, 99, 100, 12345] {
            let item = Reply::Bulk(Bytes::from(vec![b'x'; len]));
            let mut out = bytes::BytesMut::new();
            crate::resp::encode::encode(&item, 2, &mut out);
            assert_eq!(wire_len(&item), out.len() as u64, "len {len}");
        }
    }
}
