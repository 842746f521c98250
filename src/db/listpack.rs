//! Redis 7.0's listpack (listpack.c), byte for byte, so the RDB writer can store these
//! bytes as they are (RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK, quicklist nodes).
//!
//! Layout: `<total-bytes u32 LE> <num-elements u16 LE> <entry>* <0xFF>`. An entry is an
//! encoding byte (plus length or integer bytes), the data, and a "backlen": the size of
//! encoding + data, written so it can be read from its last byte backwards, which is what
//! makes reverse iteration possible. An element that is a canonical integer (`string2ll`)
//! is stored in the smallest integer encoding; anything else as a 6-, 12- or 32-bit-length
//! string. The element count saturates at 65535 ("unknown"), and is then counted by
//! walking, as Redis does.
//!
//! Positions are byte offsets into the listpack; the terminator's offset is the "end"
//! position, where an insert appends.

use crate::util::int::{ll2string, string2ll, LL_STR_MAX};
use bytes::Bytes;

pub const HDR_SIZE: usize = 6;
const EOF: u8 = 0xFF;
/// LP_HDR_NUMELE_UNKNOWN: the header's count when it no longer fits in 16 bits.
const NUMELE_UNKNOWN: u16 = u16::MAX;

const ENC_7BIT_UINT: u8 = 0x00;
const ENC_6BIT_STR: u8 = 0x80;
const ENC_13BIT_INT: u8 = 0xC0;
const ENC_12BIT_STR: u8 = 0xE0;
const ENC_32BIT_STR: u8 = 0xF0;
const ENC_16BIT_INT: u8 = 0xF1;
const ENC_24BIT_INT: u8 = 0xF2;
const ENC_32BIT_INT: u8 = 0xF3;
const ENC_64BIT_INT: u8 = 0xF4;

/// LISTPACK_MAX_SAFETY_SIZE: no listpack grows past 1 GiB; Redis converts the value to
/// its big encoding (or gives a list element a node of its own) rather than go beyond.
pub const MAX_SAFETY_SIZE: usize = 1 << 30;

/// lpSafeToAdd: may a listpack of `bytes` bytes (0 for a new one) take `add` more?
pub fn safe_to_add(lp: Option<&Listpack>, add: usize) -> bool {
    lp.map_or(0, Listpack::bytes_len).saturating_add(add) <= MAX_SAFETY_SIZE
}

/// One element as stored: the listpack keeps integers as integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Entry<'_> {
    /// The element's bytes (an integer in decimal, as Redis replies with it).
    pub fn to_bytes(self) -> Bytes {
        match self {
            Entry::Str(s) => Bytes::copy_from_slice(s),
            Entry::Int(v) => {
                let mut buf = [0u8; LL_STR_MAX];
                Bytes::copy_from_slice(ll2string(v, &mut buf))
            }
        }
    }

    /// lpCompare: equal to `s` as bytes. An integer entry equals only the canonical
    /// spelling of its value, which is what string2ll accepts.
    pub fn eq_bytes(self, s: &[u8]) -> bool {
        match self {
            Entry::Str(e) => e == s,
            Entry::Int(v) => string2ll(s) == Some(v),
        }
    }

    /// Calls `f` with the element's bytes without allocating.
    pub fn with_bytes<T>(self, f: impl FnOnce(&[u8]) -> T) -> T {
        match self {
            Entry::Str(s) => f(s),
            Entry::Int(v) => {
                let mut buf = [0u8; LL_STR_MAX];
                f(ll2string(v, &mut buf))
            }
        }
    }

    /// Length in bytes of the element's text.
    pub fn byte_len(self) -> usize {
        self.with_bytes(|b| b.len())
    }
}

/// Many elements as `Bytes` with one allocation: their texts go into one buffer and each
/// is a slice of it (a reference count, not a malloc, per element), for the replies that
/// list many elements (LRANGE, ZRANGE).
pub fn collect_bytes<'a>(entries: impl Iterator<Item = Entry<'a>>) -> Vec<Bytes> {
    let mut buf = Vec::new();
    let mut ends = Vec::new();
    for e in entries {
        e.with_bytes(|b| buf.extend_from_slice(b));
        ends.push(buf.len());
    }
    let all = Bytes::from(buf);
    let mut start = 0;
    ends.into_iter()
        .map(|end| {
            let b = all.slice(start..end);
            start = end;
            b
        })
        .collect()
}

/// A listpack. The bytes are always a valid listpack (checked by [`validate`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Listpack {
    buf: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|e| e.to_bytes()))
            .finish()
    }
}

/// The encoding header of `ele` as lpEncodeGetType writes it: (header bytes, header
/// length, whether the data follows). An integer's bytes are all in the header.
fn encode_head(ele: &[u8], out: &mut [u8; 9]) -> (usize, bool) {
    if let Some(v) = string2ll(ele) {
        // Two's complement in the encoding's width, as Redis stores negative values.
        let n = if (0..=127).contains(&v) {
            out[0] = v as u8;
            1
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u64) & 0x1FFF;
            out[0] = ((u >> 8) as u8) | ENC_13BIT_INT;
            out[1] = u as u8;
            2
        } else {
            let (enc, width) = if (-32768..=32767).contains(&v) {
                (ENC_16BIT_INT, 2)
            } else if (-8_388_608..=8_388_607).contains(&v) {
                (ENC_24BIT_INT, 3)
            } else if (-2_147_483_648..=2_147_483_647).contains(&v) {
                (ENC_32BIT_INT, 4)
            } else {
                (ENC_64BIT_INT, 8)
            };
            out[0] = enc;
            out[1..1 + width].copy_from_slice(&v.to_le_bytes()[..width]);
            1 + width
        };
        return (n, false);
    }
    let len = ele.len();
    let n = if len < 64 {
        out[0] = ENC_6BIT_STR | len as u8;
        1
    } else if len < 4096 {
        out[0] = ENC_12BIT_STR | (len >> 8) as u8;
        out[1] = len as u8;
        2
    } else {
        out[0] = ENC_32BIT_STR;
        out[1..5].copy_from_slice(&(len as u32).to_le_bytes());
        5
    };
    (n, true)
}

/// lpEncodeBacklen: how many bytes the backlen of an entry of `l` bytes takes.
fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// lpEncodeBacklen: the first byte holds the highest 7 bits; every byte but the first has
/// its high bit set, so a reader walking backwards knows when to stop.
fn encode_backlen(l: usize, out: &mut [u8]) {
    let n = backlen_size(l);
    for (i, b) in out[..n].iter_mut().enumerate() {
        let shift = 7 * (n - 1 - i);
        let bits = ((l as u64 >> shift) & 127) as u8;
        *b = if i == 0 { bits } else { bits | 128 };
    }
}

/// lpDecodeBacklen, reading backwards from `last` (the backlen's last byte): the entry
/// size, and the backlen's own length. None if it runs off the start or exceeds 5 bytes.
fn decode_backlen(buf: &[u8], last: usize) -> Option<(usize, usize)> {
    let mut val = 0u64;
    let mut i = 0;
    loop {
        let b = *buf.get(last.checked_sub(i)?)?;
        val |= u64::from(b & 127) << (7 * i);
        i += 1;
        if b & 128 == 0 {
            return Some((val as usize, i));
        }
        if i == 5 {
            return None;
        }
    }
}

/// The size of encoding + data of the entry whose encoding byte starts `s` (lpCurrentEncodedSizeUnsafe),
/// or None for the terminator, an invalid encoding or a truncated header.
fn encoded_size(s: &[u8]) -> Option<usize> {
    let b = *s.first()?;
    Some(match b {
        _ if b & 0x80 == ENC_7BIT_UINT => 1,
        _ if b & 0xC0 == ENC_6BIT_STR => 1 + (b & 0x3F) as usize,
        _ if b & 0xE0 == ENC_13BIT_INT => 2,
        _ if b & 0xF0 == ENC_12BIT_STR => 2 + (((b & 0x0F) as usize) << 8 | *s.get(1)? as usize),
        ENC_16BIT_INT => 3,
        ENC_24BIT_INT => 4,
        ENC_32BIT_INT => 5,
        ENC_64BIT_INT => 9,
        ENC_32BIT_STR => 5 + u32::from_le_bytes(s.get(1..5)?.try_into().ok()?) as usize,
        _ => return None,
    })
}

fn sign_extend(u: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((u << shift) as i64) >> shift
}

/// lpGet on a valid entry.
fn decode(s: &[u8]) -> Entry<'_> {
    let b = s[0];
    let le = |n: usize| {
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(&s[1..1 + n]);
        u64::from_le_bytes(w)
    };
    match b {
        _ if b & 0x80 == ENC_7BIT_UINT => Entry::Int(i64::from(b & 0x7F)),
        _ if b & 0xC0 == ENC_6BIT_STR => Entry::Str(&s[1..1 + (b & 0x3F) as usize]),
        _ if b & 0xE0 == ENC_13BIT_INT => {
            Entry::Int(sign_extend(u64::from(b & 0x1F) << 8 | u64::from(s[1]), 13))
        }
        _ if b & 0xF0 == ENC_12BIT_STR => {
            let len = ((b & 0x0F) as usize) << 8 | s[1] as usize;
            Entry::Str(&s[2..2 + len])
        }
        ENC_16BIT_INT => Entry::Int(sign_extend(le(2), 16)),
        ENC_24BIT_INT => Entry::Int(sign_extend(le(3), 24)),
        ENC_32BIT_INT => Entry::Int(sign_extend(le(4), 32)),
        ENC_64BIT_INT => Entry::Int(le(8) as i64),
        ENC_32BIT_STR => {
            let len = u32::from_le_bytes([s[1], s[2], s[3], s[4]]) as usize;
            Entry::Str(&s[5..5 + len])
        }
        _ => unreachable!("listpack validated: bad encoding byte {b:#x}"),
    }
}

/// lpValidateIntegrity (deep): header, every entry's encoding, size and backlen, the
/// count (unless saturated) and the terminator. Returns the number of elements.
pub fn validate(buf: &[u8]) -> Result<usize, String> {
    if buf.len() < HDR_SIZE + 1 {
        return Err("listpack shorter than its header".into());
    }
    let total = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if total != buf.len() {
        return Err(format!(
            "listpack header says {total} bytes, has {}",
            buf.len()
        ));
    }
    if buf[buf.len() - 1] != EOF {
        return Err("listpack not terminated by 0xFF".into());
    }
    let mut p = HDR_SIZE;
    let mut count = 0usize;
    while p < buf.len() - 1 {
        let size = encoded_size(&buf[p..buf.len() - 1])
            .ok_or_else(|| format!("bad listpack entry at {p}"))?;
        let back = backlen_size(size);
        let end = p + size + back;
        if end > buf.len() - 1 {
            return Err(format!("listpack entry at {p} runs past the end"));
        }
        if decode_backlen(buf, end - 1) != Some((size, back)) {
            return Err(format!("listpack entry at {p} has a wrong backlen"));
        }
        p = end;
        count += 1;
    }
    let hdr = u16::from_le_bytes([buf[4], buf[5]]);
    if hdr != NUMELE_UNKNOWN && hdr as usize != count {
        return Err(format!("listpack header counts {hdr}, has {count}"));
    }
    Ok(count)
}

impl Listpack {
    /// lpNew: header and terminator only.
    pub fn new() -> Listpack {
        let mut buf = Vec::with_capacity(HDR_SIZE + 1);
        buf.extend_from_slice(&((HDR_SIZE + 1) as u32).to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes());
        buf.push(EOF);
        Listpack { buf }
    }

    /// Takes bytes that claim to be a listpack (as an RDB file holds them), after checking
    /// every entry.
    pub fn from_bytes(buf: Vec<u8>) -> Result<Listpack, String> {
        validate(&buf)?;
        Ok(Listpack { buf })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes in use, as lpBytes answers.
    pub fn bytes_len(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes held (capacity included).
    pub fn heap_size(&self) -> usize {
        self.buf.capacity()
    }

    /// lpLength: the header's count, or a walk when it is saturated.
    pub fn len(&self) -> usize {
        match u16::from_le_bytes([self.buf[4], self.buf[5]]) {
            NUMELE_UNKNOWN => self.iter().count(),
            n => n as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buf[HDR_SIZE] == EOF
    }

    /// The terminator's position: inserting there appends.
    pub fn end(&self) -> usize {
        self.buf.len() - 1
    }

    /// lpFirst.
    pub fn first(&self) -> Option<usize> {
        (self.buf[HDR_SIZE] != EOF).then_some(HDR_SIZE)
    }

    /// lpLast.
    pub fn last(&self) -> Option<usize> {
        self.prev(self.end())
    }

    fn entry_size(&self, p: usize) -> usize {
        let size = encoded_size(&self.buf[p..]).expect("listpack validated");
        size + backlen_size(size)
    }

    /// lpNext: the entry after `p`, None past the last.
    pub fn next(&self, p: usize) -> Option<usize> {
        debug_assert!(p < self.end());
        let n = p + self.entry_size(p);
        (self.buf[n] != EOF).then_some(n)
    }

    /// lpPrev: the entry before `p` (which may be the end position), None before the first.
    pub fn prev(&self, p: usize) -> Option<usize> {
        if p <= HDR_SIZE {
            return None;
        }
        let (size, back) = decode_backlen(&self.buf, p - 1).expect("listpack validated");
        Some(p - back - size)
    }

    /// lpGet: the element at `p`.
    pub fn get(&self, p: usize) -> Entry<'_> {
        decode(&self.buf[p..])
    }

    /// lpSeek: the position of element `index`, negative counting from the end.
    pub fn seek(&self, index: i64) -> Option<usize> {
        let len = self.len() as i64;
        let i = if index < 0 {
            index.checked_add(len)?
        } else {
            index
        };
        if !(0..len).contains(&i) {
            return None;
        }
        // Walk from the nearer end, as lpSeek does.
        if i < len / 2 {
            let mut p = self.first()?;
            for _ in 0..i {
                p = self.next(p)?;
            }
            Some(p)
        } else {
            let mut p = self.last()?;
            for _ in 0..(len - 1 - i) {
                p = self.prev(p)?;
            }
            Some(p)
        }
    }

    /// Elements front to back.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            lp: self,
            front: HDR_SIZE,
            back: self.end(),
        }
    }

    /// Positions front to back.
    pub fn positions(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.iter_pos()
    }

    fn iter_pos(&self) -> PosIter<'_> {
        PosIter {
            lp: self,
            front: HDR_SIZE,
            back: self.end(),
        }
    }

    /// lpFind with a skip: the first element at or after `p`, looking at every
    /// `skip + 1`-th element, that equals `ele` (a hash's fields are every other entry).
    pub fn find(&self, mut p: Option<usize>, ele: &[u8], skip: usize) -> Option<usize> {
        while let Some(at) = p {
            if self.get(at).eq_bytes(ele) {
                return Some(at);
            }
            p = Some(at);
            for _ in 0..=skip {
                p = p.and_then(|q| self.next(q));
            }
        }
        None
    }

    fn set_count(&mut self, n: usize) {
        let hdr = u16::from_le_bytes([self.buf[4], self.buf[5]]);
        // Once saturated the header stays "unknown", as lpInsert leaves it.
        if hdr != NUMELE_UNKNOWN {
            let v = n.min(NUMELE_UNKNOWN as usize) as u16;
            self.buf[4..6].copy_from_slice(&v.to_le_bytes());
        }
    }

    fn set_total(&mut self) {
        let total = u32::try_from(self.buf.len()).expect("listpack over 4 GiB");
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
    }

    fn header_count(&self) -> usize {
        u16::from_le_bytes([self.buf[4], self.buf[5]]) as usize
    }

    /// lpInsertString before `p` (the end position appends). Returns the new entry's
    /// position, which is `p`.
    pub fn insert(&mut self, p: usize, ele: &[u8]) -> usize {
        assert!(
            p >= HDR_SIZE && p <= self.end(),
            "listpack insert off an entry"
        );
        let mut head = [0u8; 9];
        let (hlen, has_data) = encode_head(ele, &mut head);
        let size = hlen + if has_data { ele.len() } else { 0 };
        let back = backlen_size(size);
        let n = size + back;
        let old = self.buf.len();
        self.buf.reserve_exact(n);
        self.buf.resize(old + n, 0);
        self.buf.copy_within(p..old, p + n);
        self.buf[p..p + hlen].copy_from_slice(&head[..hlen]);
        if has_data {
            self.buf[p + hlen..p + size].copy_from_slice(ele);
        }
        encode_backlen(size, &mut self.buf[p + size..p + n]);
        let count = self.header_count();
        self.set_count(count + 1);
        self.set_total();
        p
    }

    /// lpAppend.
    pub fn push_back(&mut self, ele: &[u8]) -> usize {
        let end = self.end();
        self.insert(end, ele)
    }

    /// lpPrepend.
    pub fn push_front(&mut self, ele: &[u8]) -> usize {
        self.insert(HDR_SIZE, ele)
    }

    /// lpDelete: removes the element at `p`; the next element (or the end) is now at `p`.
    pub fn delete(&mut self, p: usize) {
        self.delete_range(p, 1);
    }

    /// lpDeleteRangeWithEntry: removes up to `count` elements from `p` on.
    pub fn delete_range(&mut self, p: usize, count: usize) {
        let mut q = p;
        let mut removed = 0;
        while removed < count && self.buf[q] != EOF {
            q += self.entry_size(q);
            removed += 1;
        }
        self.buf.drain(p..q);
        if self.header_count() != NUMELE_UNKNOWN as usize {
            let c = self.header_count() - removed;
            self.set_count(c);
        }
        self.set_total();
        // Redis reallocs to the exact size after a delete; give slack back once it is large.
        if self.buf.capacity() > self.buf.len() + self.buf.len() / 4 + 16 {
            self.buf.shrink_to_fit();
        }
    }

    /// lpReplace: the element at `p` becomes `ele`.
    pub fn replace(&mut self, p: usize, ele: &[u8]) {
        let size = self.entry_size(p);
        let old = self.header_count();
        self.buf.drain(p..p + size);
        // The count is restored below: a replace never changes it.
        self.insert(p, ele);
        if old != NUMELE_UNKNOWN as usize {
            self.set_count(old);
        }
    }

    /// The listpack's invariants (see [`validate`]).
    pub fn check_invariants(&self) -> Result<(), String> {
        validate(&self.buf).map(|_| ())
    }
}

/// Elements in order, from both ends.
pub struct Iter<'a> {
    lp: &'a Listpack,
    /// The next position to yield from the front.
    front: usize,
    /// One past the last position to yield (the start of the entry after it).
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Entry<'a>;
    fn next(&mut self) -> Option<Entry<'a>> {
        if self.front >= self.back {
            return None;
        }
        let p = self.front;
        self.front += self.lp.entry_size(p);
        Some(decode(&self.lp.buf[p..]))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<Entry<'a>> {
        if self.front >= self.back {
            return None;
        }
        let p = self.lp.prev(self.back)?;
        self.back = p;
        Some(decode(&self.lp.buf[p..]))
    }
}

struct PosIter<'a> {
    lp: &'a Listpack,
    front: usize,
    back: usize,
}

impl Iterator for PosIter<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.front >= self.back {
            return None;
        }
        let p = self.front;
        self.front += self.lp.entry_size(p);
        Some(p)
    }
}

impl DoubleEndedIterator for PosIter<'_> {
    fn next_back(&mut self) -> Option<usize> {
        if self.front >= self.back {
            return None;
        }
        let p = self.lp.prev(self.back)?;
        self.back = p;
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lp_of(items: &[&[u8]]) -> Listpack {
        let mut lp = Listpack::new();
        for i in items {
            lp.push_back(i);
        }
        lp
    }

    fn model_of(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|e| e.to_bytes().to_vec()).collect()
    }

    #[test]
    fn empty_is_seven_bytes() {
        assert_eq!(Listpack::new().as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Listpacks cut out of redis-server 7.0.15's DUMP replies (with `rdbcompression no`;
    /// the payload after the type byte is a length-prefixed string holding the listpack).
    #[test]
    fn matches_redis_dump_bytes() {
        let x64 = "x".repeat(64);
        let cases: &[(&[&[u8]], &str)] = &[
            // HSET h1 a 1 b hello (RDB_TYPE_HASH_LISTPACK)
            (
                &[b"a", b"1", b"b", b"hello"],
                "16000000040081610201018162028568656c6c6f06ff",
            ),
            // HSET h2 n -1 m 128 big 100000 neg -3000000000 s <64 x> i64 -9223372036854775808
            (
                &[
                    b"n", b"-1", b"m", b"128", b"big", b"100000", b"neg", b"-3000000000",
                    b"s", x64.as_bytes(), b"i64", b"-9223372036854775808",
                ],
                concat!(
                    "810000000c00816e02dfff02816d02c080028362696704f2a0860104836e656704f400a22f4dffffffff",
                    "09817302e040787878787878787878787878787878787878787878787878787878787878787878787878",
                    "78787878787878787878787878787878787878787878787878787878428369363404f400000000000000",
                    "8009ff",
                ),
            ),
            // ZADD z1 1 a 2.5 b -0 c 1e300 d 0.1 e (RDB_TYPE_ZSET_LISTPACK): member, score
            (
                &[
                    b"c", b"0", b"e", b"0.10000000000000001", b"a", b"1", b"b", b"2.5", b"d",
                    b"1.0000000000000001e+300",
                ],
                concat!(
                    "4d0000000a00816302000181650293302e313030303030303030303030303030303114",
                    "816102010181620283322e350481640297312e30303030303030303030303030303031652b33303018ff"
                ),
            ),
            // RPUSH l1 a 1 b: the one node of a quicklist
            (&[b"a", b"1", b"b"], "0f00000003008161020101816202ff"),
        ];
        for (items, hex) in cases {
            let want = unhex(hex);
            assert_eq!(lp_of(items).as_bytes(), &want[..]);
            let lp = Listpack::from_bytes(want).unwrap();
            let got: Vec<Vec<u8>> = model_of(&lp);
            assert_eq!(got, items.iter().map(|i| i.to_vec()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn integer_encodings_and_limits() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (127, &[0x7F]),
            (128, &[0xC0, 0x80]),
            (-1, &[0xDF, 0xFF]),
            (-4096, &[0xD0, 0x00]),
            (4095, &[0xCF, 0xFF]),
            (4096, &[0xF1, 0x00, 0x10]),
            (-32768, &[0xF1, 0x00, 0x80]),
            (32768, &[0xF2, 0x00, 0x80, 0x00]),
            (8_388_608, &[0xF3, 0x00, 0x00, 0x80, 0x00]),
            (i64::MIN, &[0xF4, 0, 0, 0, 0, 0, 0, 0, 0x80]),
        ];
        for &(v, enc) in cases {
            let s = v.to_string();
            let lp = lp_of(&[s.as_bytes()]);
            let b = lp.as_bytes();
            assert_eq!(&b[HDR_SIZE..HDR_SIZE + enc.len()], enc, "{v}");
            assert_eq!(
                b[HDR_SIZE + enc.len()] as usize,
                enc.len(),
                "backlen of {v}"
            );
            assert_eq!(lp.get(HDR_SIZE), Entry::Int(v));
        }
        // Not canonical integers: strings.
        for s in ["-0", "01", "+1", " 1", "9223372036854775808", ""] {
            let lp = lp_of(&[s.as_bytes()]);
            assert_eq!(lp.get(HDR_SIZE), Entry::Str(s.as_bytes()));
        }
    }

    #[test]
    fn string_lengths_and_backlens() {
        for len in [0, 63, 64, 127, 128, 4095, 4096, 16383, 20000] {
            let s = vec![b'x'; len];
            let lp = lp_of(&[b"a", &s, b"b"]);
            lp.check_invariants().unwrap();
            assert_eq!(model_of(&lp), vec![b"a".to_vec(), s.clone(), b"b".to_vec()]);
            let rev: Vec<Vec<u8>> = lp.iter().rev().map(|e| e.to_bytes().to_vec()).collect();
            assert_eq!(rev, vec![b"b".to_vec(), s.clone(), b"a".to_vec()]);
        }
        let mut b = [0u8; 5];
        for l in [0, 127, 128, 16382, 16383, 2_097_150, 2_097_151, 268_435_455] {
            let n = backlen_size(l);
            encode_backlen(l, &mut b);
            assert_eq!(decode_backlen(&b, n - 1), Some((l, n)), "{l}");
        }
    }

    #[test]
    fn count_saturates_and_walks() {
        let mut lp = Listpack::new();
        for _ in 0..70000 {
            lp.push_back(b"1");
        }
        assert_eq!(&lp.as_bytes()[4..6], &[0xFF, 0xFF]);
        assert_eq!(lp.len(), 70000);
        lp.delete_range(HDR_SIZE, 10000);
        assert_eq!(lp.len(), 60000);
        lp.check_invariants().unwrap();
    }

    #[test]
    fn validate_rejects_corruption() {
        let good = lp_of(&[b"abc", b"12345", b"x"]).as_bytes().to_vec();
        assert!(Listpack::from_bytes(good.clone()).is_ok());
        for i in 0..good.len() {
            for bit in 0..8 {
                let mut bad = good.clone();
                bad[i] ^= 1 << bit;
                // Either refused, or still a consistent listpack (a data byte flipped).
                if let Ok(lp) = Listpack::from_bytes(bad) {
                    assert_eq!(lp.iter().count(), 3);
                }
            }
        }
        assert!(Listpack::from_bytes(good[..good.len() - 1].to_vec()).is_err());
        assert!(Listpack::from_bytes(vec![]).is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(usize, Vec<u8>),
        Delete(usize),
        DeleteRange(usize, usize),
        Replace(usize, Vec<u8>),
    }

    fn element() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<i64>().prop_map(|v| v.to_string().into_bytes()),
            (-5000i64..5000).prop_map(|v| v.to_string().into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..80),
            proptest::collection::vec(b'a'..b'c', 4000..4200),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<usize>(), element()).prop_map(|(i, e)| Op::Insert(i, e)),
            1 => any::<usize>().prop_map(Op::Delete),
            1 => (any::<usize>(), 0usize..4).prop_map(|(i, n)| Op::DeleteRange(i, n)),
            1 => (any::<usize>(), element()).prop_map(|(i, e)| Op::Replace(i, e)),
        ]
    }

    proptest! {
        #[test]
        fn agrees_with_vec(ops in proptest::collection::vec(op(), 1..60)) {
            let mut lp = Listpack::new();
            let mut model: Vec<Vec<u8>> = Vec::new();
            for op in ops {
                let n = model.len();
                match op {
                    Op::Insert(i, e) => {
                        let i = i % (n + 1);
                        let p = if i == n { lp.end() } else { lp.seek(i as i64).unwrap() };
                        lp.insert(p, &e);
                        model.insert(i, e);
                    }
                    Op::Delete(i) if n > 0 => {
                        let i = i % n;
                        let p = lp.seek(-((n - i) as i64)).unwrap();
                        lp.delete(p);
                        model.remove(i);
                    }
                    Op::DeleteRange(i, c) if n > 0 => {
                        let i = i % n;
                        lp.delete_range(lp.seek(i as i64).unwrap(), c);
                        model.drain(i..(i + c).min(n));
                    }
                    Op::Replace(i, e) if n > 0 => {
                        let i = i % n;
                        lp.replace(lp.seek(i as i64).unwrap(), &e);
                        model[i] = e;
                    }
                    _ => {}
                }
                lp.check_invariants().map_err(TestCaseError::fail)?;
                prop_assert_eq!(lp.len(), model.len());
                prop_assert_eq!(model_of(&lp), model.clone());
                let rev: Vec<Vec<u8>> = lp.iter().rev().map(|e| e.to_bytes().to_vec()).collect();
                let mut want = model.clone();
                want.reverse();
                prop_assert_eq!(rev, want);
                for (i, m) in model.iter().enumerate() {
                    let p = lp.seek(i as i64).unwrap();
                    prop_assert!(lp.get(p).eq_bytes(m));
                    prop_assert_eq!(lp.find(lp.first(), m, 0).map(|q| lp.get(q).to_bytes().to_vec()), Some(m.clone()));
                }
                // Mixed walks meet in the middle.
                let mut it = lp.iter();
                let mut both = Vec::new();
                while let Some(e) = if both.len() % 2 == 0 { it.next() } else { it.next_back() } {
                    both.push(e.to_bytes().to_vec());
                }
                prop_assert_eq!(both.len(), model.len());
            }
        }
    }
}
