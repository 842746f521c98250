//! The list type. Redis 7.0 stores every list as a quicklist (OBJECT ENCODING answers
//! `quicklist` for any list; the listpack list encoding only arrived in 7.2). A
//! [`VecDeque`] gives the same O(1) push and pop at both ends; LINDEX/LSET/LINSERT are
//! O(n) at worst, as in Redis.

use bytes::Bytes;
use std::collections::VecDeque;

pub type List = VecDeque<Bytes>;

/// Which end of a list: LEFT/head or RIGHT/tail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

impl End {
    /// getListPositionFromObjectOrReply's parse: LEFT or RIGHT, any case.
    pub fn parse(arg: &[u8]) -> Option<End> {
        if arg.eq_ignore_ascii_case(b"left") {
            Some(End::Head)
        } else if arg.eq_ignore_ascii_case(b"right") {
            Some(End::Tail)
        } else {
            None
        }
    }
}

pub fn push(list: &mut List, end: End, v: Bytes) {
    match end {
        End::Head => list.push_front(v),
        End::Tail => list.push_back(v),
    }
}

pub fn pop(list: &mut List, end: End) -> Option<Bytes> {
    match end {
        End::Head => list.pop_front(),
        End::Tail => list.pop_back(),
    }
}

/// LRANGE's index arithmetic: the inclusive range of `[start, end]` within a list of
/// `len` elements, negative indexes counting from the end; None when empty.
pub fn range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 {
        start.saturating_add(len)
    } else {
        start
    };
    let mut end = if end < 0 {
        end.saturating_add(len)
    } else {
        end
    };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

/// A list index (negative from the end) as a position, if in range.
pub fn index(idx: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if idx < 0 { idx.checked_add(len)? } else { idx };
    (0..len).contains(&i).then_some(i as usize)
}

pub fn memory_estimate(list: &List) -> usize {
    16 + list.iter().map(|v| 8 + v.len()).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(range(0, -1, 3), Some((0, 2)));
        assert_eq!(range(-100, 100, 3), Some((0, 2)));
        assert_eq!(range(2, 1, 3), None);
        assert_eq!(range(3, 5, 3), None);
        assert_eq!(range(0, -1, 0), None);
        assert_eq!(range(i64::MIN, i64::MAX, 2), Some((0, 1)));
        assert_eq!(index(-1, 3), Some(2));
        assert_eq!(index(-4, 3), None);
        assert_eq!(index(3, 3), None);
        assert_eq!(index(i64::MIN, 3), None);
    }
}
