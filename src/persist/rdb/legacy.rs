//! The encodings older Redis versions wrote and 7.0 still loads: ziplists (lists, hashes
//! and sorted sets up to 6.2, quicklist v1 nodes) and zipmaps (hashes up to 2.4). Both
//! are validated deeply before anything is read from them (ziplistValidateIntegrity and
//! zipmapValidateIntegrity with `deep`), and come out as a list of elements.

/// One element: bytes, or an integer (which Redis converts to a listpack integer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elem {
    Str(Vec<u8>),
    Int(i64),
}

impl Elem {
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Elem::Str(s) => s,
            Elem::Int(v) => v.to_string().into_bytes(),
        }
    }
}

const ZL_HEADER: usize = 10;
const ZL_END: u8 = 0xFF;
const ZL_BIG_PREVLEN: u8 = 0xFE;

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Every element of a ziplist, after checking the header, each entry's prevlen, encoding
/// and size, the tail offset, the count and the terminator.
pub fn ziplist_entries(zl: &[u8]) -> Result<Vec<Elem>, String> {
    let bad = |what: &str| Err(format!("ziplist: {what}"));
    if zl.len() < ZL_HEADER + 1 {
        return bad("shorter than its header");
    }
    if le_u32(&zl[0..4]) as usize != zl.len() {
        return bad("zlbytes disagrees with its size");
    }
    let tail = le_u32(&zl[4..8]) as usize;
    if tail > zl.len() - 1 {
        return bad("tail offset out of range");
    }
    if zl[zl.len() - 1] != ZL_END {
        return bad("not terminated by 0xFF");
    }
    let header_count = u16::from_le_bytes([zl[8], zl[9]]);
    let end = zl.len() - 1;
    let mut p = ZL_HEADER;
    let mut prev_size = 0usize;
    let mut last = ZL_HEADER;
    let mut out = Vec::new();
    while p < end {
        let start = p;
        // prevlen
        let (prevlen, n) = if zl[p] < ZL_BIG_PREVLEN {
            (zl[p] as usize, 1)
        } else if zl[p] == ZL_BIG_PREVLEN {
            if p + 5 > end {
                return bad("prevlen runs past the end");
            }
            (le_u32(&zl[p + 1..p + 5]) as usize, 5)
        } else {
            return bad("0xFF inside the entries");
        };
        if prevlen != prev_size {
            return bad("prevlen disagrees with the previous entry");
        }
        p += n;
        let enc = *zl.get(p).filter(|_| p < end).ok_or("ziplist: truncated")?;
        let need = |p: usize, k: usize| -> Result<&[u8], String> {
            if p + k > end {
                Err("ziplist: entry runs past the end".to_string())
            } else {
                Ok(&zl[p..p + k])
            }
        };
        let elem = match enc >> 6 {
            0 => {
                let len = (enc & 0x3F) as usize;
                p += 1;
                let s = need(p, len)?.to_vec();
                p += len;
                Elem::Str(s)
            }
            1 => {
                let b = need(p, 2)?;
                let len = (((b[0] & 0x3F) as usize) << 8) | b[1] as usize;
                p += 2;
                let s = need(p, len)?.to_vec();
                p += len;
                Elem::Str(s)
            }
            2 => {
                if enc != 0x80 {
                    return bad("bad string encoding");
                }
                let b = need(p, 5)?;
                let len = u32::from_be_bytes([b[1], b[2], b[3], b[4]]) as usize;
                p += 5;
                let s = need(p, len)?.to_vec();
                p += len;
                Elem::Str(s)
            }
            _ => {
                p += 1;
                let (width, v): (usize, Option<i64>) = match enc {
                    0xC0 => (2, None),
                    0xD0 => (4, None),
                    0xE0 => (8, None),
                    0xF0 => (3, None),
                    0xFE => (1, None),
                    0xF1..=0xFD => (0, Some(i64::from(enc & 0x0F) - 1)),
                    _ => return bad("bad integer encoding"),
                };
                let b = need(p, width)?;
                p += width;
                Elem::Int(match (v, width) {
                    (Some(v), _) => v,
                    (None, 1) => i64::from(b[0] as i8),
                    (None, 2) => i64::from(i16::from_le_bytes([b[0], b[1]])),
                    (None, 3) => i64::from(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8),
                    (None, 4) => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    _ => i64::from_le_bytes(b.try_into().expect("8 bytes")),
                })
            }
        };
        prev_size = p - start;
        last = start;
        out.push(elem);
    }
    if tail != last {
        return bad("tail offset does not point at the last entry");
    }
    if header_count != u16::MAX && header_count as usize != out.len() {
        return bad("header count disagrees with the entries");
    }
    Ok(out)
}

/// A field and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// The field/value pairs of a zipmap, after checking every length and the terminator.
pub fn zipmap_pairs(zm: &[u8]) -> Result<Vec<Pair>, String> {
    let bad = |what: &str| Err(format!("zipmap: {what}"));
    let Some(&count) = zm.first() else {
        return bad("empty");
    };
    let mut p = 1usize;
    // A length (1 byte, or 254 + u32 LE); None at the 0xFF terminator.
    let read_len = |p: &mut usize| -> Result<Option<usize>, String> {
        match zm.get(*p) {
            None => Err("zipmap: truncated".into()),
            Some(255) => Ok(None),
            Some(254) => {
                let b = zm.get(*p + 1..*p + 5).ok_or("zipmap: truncated")?;
                *p += 5;
                Ok(Some(le_u32(b) as usize))
            }
            Some(&l) => {
                *p += 1;
                Ok(Some(l as usize))
            }
        }
    };
    let take = |p: &mut usize, n: usize| -> Result<Vec<u8>, String> {
        let s = zm.get(*p..p.saturating_add(n)).ok_or("zipmap: truncated")?;
        *p += n;
        Ok(s.to_vec())
    };
    let mut out = Vec::new();
    while let Some(flen) = read_len(&mut p)? {
        let field = take(&mut p, flen)?;
        let Some(vlen) = read_len(&mut p)? else {
            return bad("field without a value");
        };
        let free = *zm.get(p).ok_or("zipmap: truncated")? as usize;
        p += 1;
        let value = take(&mut p, vlen)?;
        take(&mut p, free)?;
        out.push((field, value));
    }
    if p + 1 != zm.len() {
        return bad("bytes after the terminator");
    }
    if count < 254 && count as usize != out.len() {
        return bad("count disagrees with the entries");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist of "ab", 5, -300 as Redis 6 writes it.
    fn sample() -> Vec<u8> {
        let entries: Vec<Vec<u8>> = vec![
            vec![0, 0x02, b'a', b'b'],
            vec![4, 0xF6],
            vec![2, 0xC0, 0xD4, 0xFE],
        ];
        let body: Vec<u8> = entries.concat();
        let total = ZL_HEADER + body.len() + 1;
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&((ZL_HEADER + 6) as u32).to_le_bytes());
        zl.extend_from_slice(&3u16.to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(0xFF);
        zl
    }

    #[test]
    fn reads_and_validates_a_ziplist() {
        let zl = sample();
        assert_eq!(
            ziplist_entries(&zl).unwrap(),
            vec![Elem::Str(b"ab".to_vec()), Elem::Int(5), Elem::Int(-300)]
        );
        for i in 0..zl.len() {
            let mut bad = zl.clone();
            bad[i] ^= 0x55;
            let _ = ziplist_entries(&bad); // never panics
            let _ = ziplist_entries(&zl[..i]);
        }
        let mut wrong_prev = zl.clone();
        wrong_prev[14] = 3;
        assert!(ziplist_entries(&wrong_prev).is_err());
    }

    #[test]
    fn reads_a_zipmap() {
        let zm = [
            2, 1, b'a', 1, 0, b'x', 2, b'b', b'c', 3, 1, b'y', b'z', b'w', 0, 255,
        ];
        assert_eq!(
            zipmap_pairs(&zm).unwrap(),
            vec![
                (b"a".to_vec(), b"x".to_vec()),
                (b"bc".to_vec(), b"yzw".to_vec())
            ]
        );
        assert!(zipmap_pairs(&zm[..zm.len() - 1]).is_err());
    }
}
