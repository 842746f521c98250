//! HyperLogLog as Redis 7.0.15 stores it (hyperloglog.c): a plain string that starts with
//! the 16-byte `HYLL` header (magic, encoding, 3 unused bytes, the cached cardinality in
//! 8 little-endian bytes whose top bit marks it stale), followed by either the dense
//! registers (16384 × 6 bits, 12288 bytes) or the sparse opcodes (ZERO `00xxxxxx`, XZERO
//! `01xxxxxx xxxxxxxx`, VAL `1vvvvvxx`). Every function here is a port of its C
//! counterpart, step for step, so the bytes a command leaves are Redis's bytes and the
//! estimate is Redis's estimate. Pure functions over byte buffers: the command layer
//! (`cmd/hll.rs`) owns lookups, replies and notifications; the simulator's model reuses
//! the hash and the estimator.
//!
//! Reads one byte past the end of a buffer read 0, as Redis reads the sds terminator.

/// Register index bits (HLL_P).
pub const P: u32 = 14;
/// Bits of the hash that count zeroes (HLL_Q).
pub const Q: u32 = 64 - P;
/// Number of registers (HLL_REGISTERS).
pub const REGISTERS: usize = 1 << P;
const P_MASK: u64 = REGISTERS as u64 - 1;
const BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// Header size (HLL_HDR_SIZE).
pub const HDR_SIZE: usize = 16;
/// A dense HLL's exact size (HLL_DENSE_SIZE).
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;

const SPARSE_XZERO_BIT: u8 = 0x40;
const SPARSE_VAL_BIT: u8 = 0x80;
const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;
/// The seed Redis hashes elements with.
const HASH_SEED: u64 = 0xadc8_3b19;

/// The sparse representation is not valid (Redis's `-1` / `C_ERR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash64A as Redis modified it (endian-neutral reads).
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    // `seed ^ (len * m)` with `len` an int and `seed` an unsigned int: both widen to u64.
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        for (i, &b) in rest.iter().enumerate().rev() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// hllPatLen: the register an element maps to and the length of its `000..1` run.
pub fn pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, HASH_SEED);
    let index = (hash & P_MASK) as usize;
    // The forced bit makes the run end by Q + 1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// createHLLObject: an empty sparse HLL (one XZERO per 16384 registers), cache valid 0.
pub fn new_sparse() -> Vec<u8> {
    let mut s = vec![0u8; HDR_SIZE];
    s[..4].copy_from_slice(b"HYLL");
    s[4] = SPARSE;
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(SPARSE_XZERO_MAX_LEN);
        push_xzero(&mut s, n);
        left -= n;
    }
    s
}

/// The checks of isHLLObjectOrReply on a string's bytes (type aside).
pub fn is_valid_object(s: &[u8]) -> bool {
    s.len() >= HDR_SIZE
        && &s[..4] == b"HYLL"
        && s[4] <= MAX_ENCODING
        && (s[4] != DENSE || s.len() == DENSE_SIZE)
}

pub fn encoding(s: &[u8]) -> u8 {
    s[4]
}

/// The cached cardinality when it is valid (HLL_VALID_CACHE).
pub fn cached_card(s: &[u8]) -> Option<u64> {
    if s[15] & 0x80 != 0 {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[8..16]);
    Some(u64::from_le_bytes(b))
}

pub fn set_cached_card(s: &mut [u8], card: u64) {
    s[8..16].copy_from_slice(&card.to_le_bytes());
}

/// HLL_INVALIDATE_CACHE.
pub fn invalidate_cache(s: &mut [u8]) {
    s[15] |= 0x80;
}

fn byte_at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// HLL_DENSE_GET_REGISTER over the register bytes.
pub fn dense_get(regs: &[u8], regnum: usize) -> u8 {
    let byte = regnum * BITS / 8;
    let fb = (regnum * BITS) & 7;
    let b0 = u32::from(byte_at(regs, byte));
    let b1 = u32::from(byte_at(regs, byte + 1));
    (((b0 >> fb) | (b1 << (8 - fb))) & u32::from(REGISTER_MAX)) as u8
}

/// HLL_DENSE_SET_REGISTER. The last register's second byte is past the registers, and
/// Redis only ORs zero bits into it there, so it is skipped.
pub fn dense_set_register(regs: &mut [u8], regnum: usize, val: u8) {
    let byte = regnum * BITS / 8;
    let fb = (regnum * BITS) & 7;
    let v = u32::from(val);
    let max = u32::from(REGISTER_MAX);
    regs[byte] &= !((max << fb) as u8);
    regs[byte] |= (v << fb) as u8;
    if let Some(b) = regs.get_mut(byte + 1) {
        *b &= !((max >> (8 - fb)) as u8);
        *b |= (v >> (8 - fb)) as u8;
    }
}

/// hllDenseSet: raise register `index` to `count`; true if it changed.
pub fn dense_set(regs: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(regs, index) {
        dense_set_register(regs, index, count);
        true
    } else {
        false
    }
}

fn push_xzero(out: &mut Vec<u8>, len: usize) {
    let l = len - 1;
    out.push((l >> 8) as u8 | SPARSE_XZERO_BIT);
    out.push((l & 0xff) as u8);
}

fn val_op(val: u8, len: usize) -> u8 {
    ((val - 1) << 2 | (len as u8 - 1)) | SPARSE_VAL_BIT
}

fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}

fn is_xzero(b: u8) -> bool {
    b & 0xc0 == SPARSE_XZERO_BIT
}

fn is_val(b: u8) -> bool {
    b & SPARSE_VAL_BIT != 0
}

fn zero_len(b: u8) -> usize {
    usize::from(b & 0x3f) + 1
}

fn xzero_len(s: &[u8], p: usize) -> usize {
    ((usize::from(s[p] & 0x3f) << 8) | usize::from(byte_at(s, p + 1))) + 1
}

fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}

fn val_len(b: u8) -> usize {
    usize::from(b & 0x3) + 1
}

/// One sparse opcode, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Zero(usize),
    XZero(usize),
    Val { value: u8, len: usize },
}

/// The opcodes of a sparse HLL's body, in order (PFDEBUG DECODE, the merges).
pub fn sparse_ops(s: &[u8]) -> impl Iterator<Item = Op> + '_ {
    let mut p = HDR_SIZE;
    std::iter::from_fn(move || {
        if p >= s.len() {
            return None;
        }
        let b = s[p];
        Some(if is_zero(b) {
            p += 1;
            Op::Zero(zero_len(b))
        } else if is_xzero(b) {
            let len = xzero_len(s, p);
            p += 2;
            Op::XZero(len)
        } else {
            p += 1;
            Op::Val {
                value: val_value(b),
                len: val_len(b),
            }
        })
    })
}

/// hllSparseToDense: converts in place; a no-op on a dense HLL.
pub fn sparse_to_dense(s: &mut Vec<u8>) -> Result<(), Corrupt> {
    if s[4] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&s[..HDR_SIZE]);
    dense[4] = DENSE;
    let mut idx = 0usize;
    for op in sparse_ops(s) {
        match op {
            Op::Zero(n) | Op::XZero(n) => idx += n,
            Op::Val { value, len } => {
                if len + idx > REGISTERS {
                    break;
                }
                for _ in 0..len {
                    dense_set_register(&mut dense[HDR_SIZE..], idx, value);
                    idx += 1;
                }
            }
        }
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    *s = dense;
    Ok(())
}

/// hllSparseSet: raise register `index` to `count` in a sparse HLL, promoting it to dense
/// when the value does not fit a VAL opcode or the string would outgrow `max_bytes`
/// (hll-sparse-max-bytes). True if a register changed.
pub fn sparse_set(
    s: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_bytes: u64,
) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(s, index, count);
    }
    // Step 1: the opcode covering `index`.
    let end = s.len();
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    while p < end {
        let b = s[p];
        let mut oplen = 1;
        if is_zero(b) {
            span = zero_len(b);
        } else if is_val(b) {
            span = val_len(b);
        } else {
            span = xzero_len(s, p);
            oplen = 2;
        }
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    let b = s[p];
    let oldlen = if is_xzero(b) { 2 } else { 1 };
    let next = (p + oldlen < end).then_some(p + oldlen);
    let (op_zero, op_xzero) = (is_zero(b), is_xzero(b));
    let runlen = if op_zero {
        zero_len(b)
    } else if op_xzero {
        xzero_len(s, p)
    } else {
        val_len(b)
    };

    // Step 2: cases A, B (a VAL) and C (a ZERO of one register) are updated in place.
    let mut in_place = false;
    if !op_zero && !op_xzero {
        if val_value(b) >= count {
            return Ok(false);
        }
        if runlen == 1 {
            s[p] = val_op(count, 1);
            in_place = true;
        }
    }
    if op_zero && runlen == 1 {
        s[p] = val_op(count, 1);
        in_place = true;
    }

    if !in_place {
        // Case D: split the opcode into up to three.
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        let last = first + span - 1;
        if op_zero || op_xzero {
            let push_zeros = |seq: &mut Vec<u8>, len: usize| {
                if len > SPARSE_ZERO_MAX_LEN {
                    push_xzero(seq, len);
                } else {
                    seq.push((len - 1) as u8);
                }
            };
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
        } else {
            let curval = val_value(b);
            if index != first {
                seq.push(val_op(curval, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(curval, last - index));
            }
        }
        // Step 3: put the sequence in place of the opcode.
        let delta = seq.len() as i64 - oldlen as i64;
        if delta > 0 && (s.len() as u64).saturating_add(delta as u64) > max_bytes {
            return promote(s, index, count);
        }
        let new_len = (s.len() as i64 + delta) as usize;
        let tail: Vec<u8> = next.map_or_else(Vec::new, |n| s[n..end].to_vec());
        s.truncate(p);
        s.extend_from_slice(&seq);
        s.extend_from_slice(&tail);
        // A truncated trailing XZERO (corrupt input) loses a byte here, as in Redis.
        s.resize(new_len, 0);
    }

    // Step 4: merge adjacent VAL opcodes of the same value, scanning up to 5 opcodes.
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < s.len() && scan > 0 {
        scan -= 1;
        let b = s[p];
        if is_xzero(b) {
            p += 2;
            continue;
        } else if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < s.len() && is_val(s[p + 1]) {
            let (v1, v2) = (val_value(b), val_value(s[p + 1]));
            if v1 == v2 {
                let len = val_len(b) + val_len(s[p + 1]);
                if len <= SPARSE_VAL_MAX_LEN {
                    s[p + 1] = val_op(v1, len);
                    s.remove(p);
                    continue;
                }
            }
        }
        p += 1;
    }
    invalidate_cache(s);
    Ok(true)
}

fn promote(s: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(s)?;
    Ok(dense_set(&mut s[HDR_SIZE..], index, count))
}

/// hllAdd: one element into a valid HLL of either encoding; true if a register changed.
pub fn add(s: &mut Vec<u8>, ele: &[u8], max_bytes: u64) -> Result<bool, Corrupt> {
    let (index, count) = pat_len(ele);
    match s[4] {
        DENSE => Ok(dense_set(&mut s[HDR_SIZE..], index, count)),
        SPARSE => sparse_set(s, index, count, max_bytes),
        _ => Err(Corrupt),
    }
}

/// hllMerge: `max[i] = max(max[i], register i)` over a valid HLL.
pub fn merge_into(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), Corrupt> {
    if s[4] == DENSE {
        for (i, m) in max.iter_mut().enumerate() {
            let v = dense_get(&s[HDR_SIZE..], i);
            if v > *m {
                *m = v;
            }
        }
        return Ok(());
    }
    let mut i = 0usize;
    for op in sparse_ops(s) {
        match op {
            Op::Zero(n) | Op::XZero(n) => i += n,
            Op::Val { value, len } => {
                if len + i > REGISTERS {
                    break;
                }
                for m in &mut max[i..i + len] {
                    if value > *m {
                        *m = value;
                    }
                }
                i += len;
            }
        }
    }
    if i != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

/// hllSigma (Ertl, arXiv:1702.01284).
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prime = z;
        z += x * y;
        y += y;
        if z_prime == z {
            return z;
        }
    }
}

/// hllTau (Ertl, arXiv:1702.01284). `powf` is libm's pow, as Redis calls it.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prime = z;
        y *= 0.5;
        z -= (1.0 - x).powf(2.0) * y;
        if z_prime == z {
            return z / 3.0;
        }
    }
}

/// The estimator of hllCount, from the register histogram (64 buckets, as Redis's).
pub fn estimate(histo: &[i64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histo[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    // llroundl: halves away from zero, which `f64::round` does too.
    (ALPHA_INF * m * m / z).round() as u64
}

/// hllCount over a valid HLL; `Err` when a sparse body does not cover exactly
/// 16384 registers (the `invalid` flag).
pub fn count(s: &[u8]) -> Result<u64, Corrupt> {
    let mut histo = [0i64; 64];
    if s[4] == DENSE {
        for i in 0..REGISTERS {
            histo[usize::from(dense_get(&s[HDR_SIZE..], i))] += 1;
        }
    } else {
        let mut idx = 0usize;
        for op in sparse_ops(s) {
            match op {
                Op::Zero(n) | Op::XZero(n) => {
                    idx += n;
                    histo[0] += n as i64;
                }
                Op::Val { value, len } => {
                    idx += len;
                    histo[usize::from(value)] += len as i64;
                }
            }
        }
        if idx != REGISTERS {
            return Err(Corrupt);
        }
    }
    Ok(estimate(&histo))
}

/// hllCount over plain byte registers (HLL_RAW, PFCOUNT of several keys).
pub fn count_raw(regs: &[u8; REGISTERS]) -> u64 {
    let mut histo = [0i64; 64];
    for &r in regs.iter() {
        histo[usize::from(r & 63)] += 1;
    }
    estimate(&histo)
}

/// Every register of a valid dense HLL.
pub fn dense_registers(s: &[u8]) -> Vec<u8> {
    (0..REGISTERS)
        .map(|i| dense_get(&s[HDR_SIZE..], i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_hll_bytes_and_count() {
        let s = new_sparse();
        assert_eq!(s, b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert_eq!(count(&s), Ok(0));
    }

    #[test]
    fn murmur_matches_redis_for_known_elements() {
        // PFADD k a / PFDEBUG GETREG on redis-server 7.0.15: "a" sets one register.
        let (index, count) = pat_len(b"a");
        assert!(index < REGISTERS && (1..=51).contains(&count));
        // The tail bytes are mixed in little-endian order whatever the length.
        assert_ne!(murmur64a(b"abcdefgh1", 0), murmur64a(b"abcdefgh2", 0));
    }

    #[test]
    fn dense_registers_round_trip_without_touching_neighbours() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        for i in 0..REGISTERS {
            dense_set_register(&mut regs, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), (i % 64) as u8);
        }
    }

    #[test]
    fn sparse_and_dense_agree_and_promote() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        sparse_to_dense(&mut dense).unwrap();
        for j in 0..2000u32 {
            let e = j.to_le_bytes();
            add(&mut sparse, &e, 3000).unwrap();
            add(&mut dense, &e, 3000).unwrap();
            if j % 97 == 0 {
                assert_eq!(count(&sparse), count(&dense), "at {j}");
                if sparse[4] == SPARSE {
                    let mut copy = sparse.clone();
                    sparse_to_dense(&mut copy).unwrap();
                    assert_eq!(copy[HDR_SIZE..], dense[HDR_SIZE..], "at {j}");
                }
            }
        }
        assert_eq!(sparse[4], DENSE, "2000 elements outgrow 3000 bytes");
        assert_eq!(sparse.len(), DENSE_SIZE);
    }

    #[test]
    fn corrupt_sparse_is_detected_not_panicking() {
        let mut s = new_sparse();
        s.truncate(HDR_SIZE + 1); // half an XZERO
        assert_eq!(count(&s), Err(Corrupt));
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &s), Err(Corrupt));
        let _ = add(&mut s, b"x", 3000);
        let mut t = new_sparse();
        // A VAL past the end is dropped (Redis stops there, still valid); a ZERO is not.
        t.push(0x80);
        assert_eq!(sparse_to_dense(&mut t.clone()), Ok(()));
        t.pop();
        t.push(0x00);
        assert_eq!(sparse_to_dense(&mut t), Err(Corrupt));
        for junk in 0..=255u8 {
            let mut u = new_sparse();
            u[HDR_SIZE] = junk;
            let _ = add(&mut u, b"y", 3000);
            let _ = count(&u);
        }
    }
}
