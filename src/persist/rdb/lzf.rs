//! LZF as Redis ships it (lzf_c.c / lzf_d.c, liblzf 3.6 with HLOG 16, VERY_FAST, no
//! INIT_HTAB): the compressor is a line-by-line port, so the bytes it produces equal
//! Redis's and a DUMP of a long string is byte-identical. The decompressor checks every
//! back reference and length against its buffers (lzf_d.c's CHECK_INPUT), so corrupt
//! input is an error, never a read or write out of bounds.

const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

fn first(ip: &[u8], i: usize) -> u32 {
    (u32::from(ip[i]) << 8) | u32::from(ip[i + 1])
}

fn next(v: u32, ip: &[u8], i: usize) -> u32 {
    (v << 8) | u32::from(ip[i + 2])
}

/// IDX with VERY_FAST: `((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1)` in unsigned 32 bits.
fn idx(h: u32) -> usize {
    ((h >> (24 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// lzf_compress into at most `out_len` bytes; None when it does not fit (Redis then stores
/// the string verbatim). Redis's uninitialised hash table is taken as empty: slots hold
/// positions, and position 0 can never be a reference (`ref > in_data`).
pub fn compress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let in_len = input.len();
    if in_len == 0 || out_len == 0 {
        return None;
    }
    let mut htab = vec![0usize; HSIZE];
    let mut out = vec![0u8; out_len];
    let ip_data = input;
    let mut ip = 0usize;
    let mut op = 0usize;
    let mut lit: usize = 0;
    op += 1; // start run
    let mut hval = first(ip_data, 0);
    // `ip < in_end - 2` with in_end - 2 possibly "negative" for tiny inputs.
    while ip + 2 < in_len {
        hval = next(hval, ip_data, ip);
        let slot = idx(hval);
        let reference = htab[slot];
        htab[slot] = ip;
        let off = ip.wrapping_sub(reference).wrapping_sub(1);
        if reference > 0
            && off < MAX_OFF
            && ip_data[reference + 2] == ip_data[ip + 2]
            && ip_data[reference] == ip_data[ip]
            && ip_data[reference + 1] == ip_data[ip + 1]
        {
            let mut len = 2usize;
            let maxlen = (in_len - ip - len).min(MAX_REF);
            if op + 3 + 1 >= out_len && op - usize::from(lit == 0) + 3 + 1 >= out_len {
                return None;
            }
            out[op - lit - 1] = (lit as u8).wrapping_sub(1); // stop run
            op -= usize::from(lit == 0); // undo run if length is zero
            'matching: {
                if maxlen > 16 {
                    for _ in 0..16 {
                        len += 1;
                        if ip_data[reference + len] != ip_data[ip + len] {
                            break 'matching;
                        }
                    }
                }
                loop {
                    len += 1;
                    if !(len < maxlen && ip_data[reference + len] == ip_data[ip + len]) {
                        break;
                    }
                }
            }
            len -= 2; // len is now #octets - 1
            ip += 1;
            if len < 7 {
                out[op] = ((off >> 8) + (len << 5)) as u8;
                op += 1;
            } else {
                out[op] = ((off >> 8) + (7 << 5)) as u8;
                out[op + 1] = (len - 7) as u8;
                op += 2;
            }
            out[op] = off as u8;
            op += 1;
            lit = 0;
            op += 1; // start run
            ip += len + 1;
            if ip + 2 >= in_len {
                break;
            }
            // VERY_FAST: rehash the last two positions of the match.
            ip -= 2;
            hval = first(ip_data, ip);
            hval = next(hval, ip_data, ip);
            htab[idx(hval)] = ip;
            ip += 1;
            hval = next(hval, ip_data, ip);
            htab[idx(hval)] = ip;
            ip += 1;
        } else {
            if op >= out_len {
                return None;
            }
            lit += 1;
            out[op] = ip_data[ip];
            op += 1;
            ip += 1;
            if lit == MAX_LIT {
                out[op - lit - 1] = (lit - 1) as u8;
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_len {
        return None;
    }
    while ip < in_len {
        lit += 1;
        out[op] = ip_data[ip];
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            out[op - lit - 1] = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    out[op - lit - 1] = (lit as u8).wrapping_sub(1); // end run
    op -= usize::from(lit == 0);
    out.truncate(op);
    Some(out)
}

/// lzf_decompress into exactly `out_len` bytes: None unless the input decodes to exactly
/// that many (Redis's "Invalid LZF compressed string").
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < (1 << 5) {
            let n = ctrl + 1;
            if out.len() + n > out_len || ip + n > input.len() {
                return None;
            }
            out.extend_from_slice(&input[ip..ip + n]);
            ip += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip)?);
                ip += 1;
            }
            let low = usize::from(*input.get(ip)?);
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            let n = len + 2;
            if out.len() + n > out_len || back > out.len() {
                return None;
            }
            let start = out.len() - back;
            // Overlapping copies repeat the pattern, byte by byte, as lzf_d.c does.
            for k in 0..n {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn compresses_repetition_and_gives_up_on_noise() {
        let data = b"a".repeat(100);
        let c = compress(&data, data.len() - 4).unwrap();
        assert!(c.len() < 10);
        assert_eq!(decompress(&c, 100).unwrap(), data);
        let noise: Vec<u8> = (0..64u32).map(|i| (i * 97 % 251) as u8).collect();
        assert_eq!(compress(&noise, noise.len() - 4), None);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(decompress(&[0x20, 0x00], 3), None); // back reference before the start
        assert_eq!(decompress(&[0x05, b'a'], 6), None); // literal runs past the input
        assert_eq!(decompress(&[0x00, b'a'], 2), None); // too short
        assert_eq!(decompress(&[0x00, b'a', 0x20, 0x00], 4).unwrap(), b"aaaa");
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(0u8..4, 0..3000)) {
            if let Some(c) = compress(&data, data.len().saturating_sub(4)) {
                prop_assert_eq!(decompress(&c, data.len()).unwrap(), data);
            }
        }
    }
}
