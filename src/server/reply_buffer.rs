//! A client's pending output: encoded replies waiting to be written.
//!
//! Like Redis's 16 KiB `buf` followed by a list of reply blocks: small replies are encoded
//! into the open `tail`; once it holds [`BLOCK_BYTES`] it is frozen into a block and a new
//! tail begins, so a large backlog never gets copied when the buffer grows. A write takes
//! as many blocks as fit in one `writev`.
//!
//! A bulk payload of [`BY_REFERENCE_BYTES`] or more is not copied at all (Redis 7.0 copies
//! every reply into its buffers): the tail is frozen, and the payload's `Bytes` (shared
//! with the keyspace, a reference count) becomes a block of its own, written to the socket
//! from where the value lives. A GET of 1 MiB or an LRANGE of big elements costs iovecs,
//! not copies.

use crate::resp::encode::{self, Sink};
use crate::resp::Reply;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use std::collections::VecDeque;
use std::io::IoSlice;

/// Size of one output block (Redis's PROTO_REPLY_CHUNK_BYTES).
pub const BLOCK_BYTES: usize = 16 * 1024;

/// Bulk payloads at least this big are queued by reference, not copied: past a block's
/// size a copy costs more than the extra iovec and block it saves.
pub const BY_REFERENCE_BYTES: usize = BLOCK_BYTES;

/// At most this many slices in one writev (well under IOV_MAX = 1024).
pub const MAX_IOVECS: usize = 64;

#[derive(Default, Debug)]
pub struct ReplyBuffer {
    blocks: VecDeque<Bytes>,
    tail: BytesMut,
    /// Bytes in `blocks`: kept so that the limit checks are O(1).
    queued: usize,
}

impl ReplyBuffer {
    pub fn new() -> ReplyBuffer {
        ReplyBuffer::default()
    }

    pub fn len(&self) -> usize {
        self.queued + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one reply, encoded for protocol version `proto`.
    pub fn push_reply(&mut self, reply: &Reply, proto: u8) {
        encode::encode_to(reply, proto, self);
        self.seal_full_tail();
    }

    /// Appends bytes already in wire form.
    pub fn push_raw(&mut self, data: &[u8]) {
        self.tail.extend_from_slice(data);
        self.seal_full_tail();
    }

    /// Appends bytes already in wire form without copying them: they become a block of
    /// their own (a snapshot's chunks, a replication stream's backlog).
    pub fn push_bytes(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        self.seal_tail();
        self.queued += data.len();
        self.blocks.push_back(data);
    }

    fn seal_full_tail(&mut self) {
        if self.tail.len() >= BLOCK_BYTES {
            self.seal_tail();
        }
    }

    /// Freezes what the tail holds into a block; the tail goes on in its spare capacity.
    fn seal_tail(&mut self) {
        if !self.tail.is_empty() {
            let block = self.tail.split().freeze();
            self.queued += block.len();
            self.blocks.push_back(block);
        }
    }

    /// The front of the buffer as slices for one vectored write: fills `slices` and
    /// returns how many it used (at most [`MAX_IOVECS`]).
    pub fn io_slices<'a>(&'a self, slices: &mut [IoSlice<'a>; MAX_IOVECS]) -> usize {
        let mut used = 0;
        for block in self.blocks.iter().take(MAX_IOVECS - 1) {
            slices[used] = IoSlice::new(block);
            used += 1;
        }
        if used == self.blocks.len() && !self.tail.is_empty() {
            slices[used] = IoSlice::new(&self.tail);
            used += 1;
        }
        used
    }

    /// Drops the first `n` bytes, which were written.
    pub fn consume(&mut self, mut n: usize) {
        assert!(
            n <= self.len(),
            "consumed {n} of {} pending bytes",
            self.len()
        );
        while n > 0 {
            match self.blocks.front_mut() {
                Some(block) if block.len() <= n => {
                    n -= block.len();
                    self.queued -= block.len();
                    self.blocks.pop_front();
                }
                Some(block) => {
                    block.advance(n);
                    self.queued -= n;
                    n = 0;
                }
                None => {
                    self.tail.advance(n);
                    n = 0;
                }
            }
        }
        if self.is_empty() && self.tail.capacity() > 4 * BLOCK_BYTES {
            // Give back memory a burst of big replies left behind.
            self.tail = BytesMut::new();
        }
    }

    /// Bytes of memory held. A payload queued by reference counts in full, as the copy
    /// Redis would make of it does.
    pub fn memory(&self) -> usize {
        self.len()
    }

    /// What Redis counts against `client-output-buffer-limit` and shows as CLIENT LIST's
    /// `omem` (`c->reply_bytes`): not the first 16 KiB of pending replies, which sit in the
    /// client's static buffer, only the reply list behind it, whose nodes are at least
    /// 16 KiB each. So a limit below 16 KiB never closes a client over a small reply, as
    /// on Redis 7.0.
    pub fn limit_memory(&self) -> usize {
        self.len().saturating_sub(BLOCK_BYTES).div_ceil(BLOCK_BYTES) * BLOCK_BYTES
    }

    /// Blocks waiting behind the tail (CLIENT LIST's `oll`).
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }
}

impl Sink for ReplyBuffer {
    fn buf(&mut self) -> &mut BytesMut {
        &mut self.tail
    }

    fn payload(&mut self, data: &Bytes) {
        if data.len() >= BY_REFERENCE_BYTES {
            self.seal_tail();
            self.queued += data.len();
            self.blocks.push_back(data.clone());
        } else {
            self.tail.put_slice(data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(buf: &mut ReplyBuffer, step: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while !buf.is_empty() {
            let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
            let used = buf.io_slices(&mut slices);
            let mut take = step;
            let mut written = 0;
            for s in &slices[..used] {
                let n = s.len().min(take);
                out.extend_from_slice(&s[..n]);
                written += n;
                take -= n;
                if take == 0 {
                    break;
                }
            }
            buf.consume(written);
        }
        out
    }

    #[test]
    fn bytes_come_out_in_order_whatever_the_write_sizes() {
        for step in [1, 7, 100, BLOCK_BYTES, 10 * BLOCK_BYTES] {
            let mut buf = ReplyBuffer::new();
            let mut expected = Vec::new();
            for i in 0..5000u32 {
                let data = format!("{i:07}\r\n").repeat((i % 7) as usize);
                buf.push_raw(data.as_bytes());
                expected.extend_from_slice(data.as_bytes());
            }
            assert_eq!(buf.len(), expected.len());
            assert_eq!(drain(&mut buf, step), expected, "step {step}");
            assert!(buf.is_empty());
        }
    }

    /// Counts copies: a big bulk payload is written from the value's own bytes, and what
    /// comes out is byte for byte what the encoder writes, in order, mixed with small
    /// replies and whatever the write sizes.
    #[test]
    fn big_payloads_are_written_by_reference_and_in_order() {
        let big = Bytes::from(vec![b'v'; BY_REFERENCE_BYTES]);
        let huge = Bytes::from(vec![b'w'; 3 * BLOCK_BYTES + 5]);
        let replies = [
            Reply::OK,
            Reply::Bulk(big.clone()),
            Reply::Bulk(Bytes::from_static(b"small")),
            Reply::Array(vec![Reply::Bulk(huge.clone()), Reply::Integer(7)]),
            Reply::Bulk(Bytes::from(vec![b's'; BY_REFERENCE_BYTES - 1])),
        ];
        let mut expected = BytesMut::new();
        for reply in &replies {
            encode::encode(reply, 2, &mut expected);
        }
        for step in [1, 13, BLOCK_BYTES, 100 * BLOCK_BYTES] {
            let mut buf = ReplyBuffer::new();
            for reply in &replies {
                buf.push_reply(reply, 2);
            }
            assert_eq!(buf.len(), expected.len());
            let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
            let used = buf.io_slices(&mut slices);
            let by_reference: Vec<*const u8> = slices[..used].iter().map(|s| s.as_ptr()).collect();
            assert!(by_reference.contains(&big.as_ptr()), "big payload copied");
            assert!(
                by_reference.contains(&huge.as_ptr()),
                "payload in an array copied"
            );
            assert_eq!(drain(&mut buf, step), expected.to_vec(), "step {step}");
            assert!(buf.is_empty());
        }
    }
}
