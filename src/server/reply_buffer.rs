//! A client's pending output: encoded replies waiting to be written.
//!
//! Like Redis's 16 KiB `buf` followed by a list of reply blocks: small replies are encoded
//! into the open `tail`; once it holds [`BLOCK_BYTES`] it is frozen into a block and a new
//! tail begins, so a large backlog never gets copied when the buffer grows. A write takes
//! as many blocks as fit in one `writev`.

use crate::resp::{encode, Reply};
use bytes::{Buf, Bytes, BytesMut};
use std::collections::VecDeque;
use std::io::IoSlice;

/// Size of one output block (Redis's PROTO_REPLY_CHUNK_BYTES).
pub const BLOCK_BYTES: usize = 16 * 1024;

/// At most this many slices in one writev (well under IOV_MAX = 1024).
pub const MAX_IOVECS: usize = 64;

#[derive(Default, Debug)]
pub struct ReplyBuffer {
    blocks: VecDeque<Bytes>,
    tail: BytesMut,
    /// Bytes in blocks plus tail: kept so that the limit checks are O(1).
    len: usize,
}

impl ReplyBuffer {
    pub fn new() -> ReplyBuffer {
        ReplyBuffer::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one reply, encoded for protocol version `proto`.
    pub fn push_reply(&mut self, reply: &Reply, proto: u8) {
        let before = self.tail.len();
        encode::encode(reply, proto, &mut self.tail);
        self.len += self.tail.len() - before;
        if self.tail.len() >= BLOCK_BYTES {
            let block = self.tail.split().freeze();
            self.blocks.push_back(block);
        }
    }

    /// Appends bytes already in wire form.
    pub fn push_raw(&mut self, data: &[u8]) {
        self.tail.extend_from_slice(data);
        self.len += data.len();
        if self.tail.len() >= BLOCK_BYTES {
            let block = self.tail.split().freeze();
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
        assert!(n <= self.len, "consumed {n} of {} pending bytes", self.len);
        self.len -= n;
        while n > 0 {
            match self.blocks.front_mut() {
                Some(block) if block.len() <= n => {
                    n -= block.len();
                    self.blocks.pop_front();
                }
                Some(block) => {
                    block.advance(n);
                    n = 0;
                }
                None => {
                    self.tail.advance(n);
                    n = 0;
                }
            }
        }
        if self.len == 0 && self.tail.capacity() > 4 * BLOCK_BYTES {
            // Give back memory a burst of big replies left behind.
            self.tail = BytesMut::new();
        }
    }

    /// Bytes of memory held.
    pub fn memory(&self) -> usize {
        self.len
    }

    /// What Redis counts against `client-output-buffer-limit` and shows as CLIENT LIST's
    /// `omem` (`c->reply_bytes`): not the first 16 KiB of pending replies, which sit in the
    /// client's static buffer, only the reply list behind it, whose nodes are at least
    /// 16 KiB each. So a limit below 16 KiB never closes a client over a small reply, as
    /// on Redis 7.0.
    pub fn limit_memory(&self) -> usize {
        self.len.saturating_sub(BLOCK_BYTES).div_ceil(BLOCK_BYTES) * BLOCK_BYTES
    }

    /// Blocks waiting behind the tail (CLIENT LIST's `oll`).
    pub fn block_count(&self) -> usize {
        self.blocks.len()
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
}
