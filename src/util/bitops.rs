//! The pure part of Redis's `bitops.c`: population count, first set/clear bit, and the
//! BITFIELD integer codec with its overflow rules, over byte slices. Bit 0 is the most
//! significant bit of byte 0, as in Redis.

/// `redisPopcount`: the number of set bits.
pub fn popcount(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut count: u64 = 0;
    for w in &mut words {
        // The chunk is exactly 8 bytes, so the conversion cannot fail.
        count += u64::from(u64::from_ne_bytes(w.try_into().unwrap_or([0; 8])).count_ones());
    }
    count
        + words
            .remainder()
            .iter()
            .map(|b| u64::from(b.count_ones()))
            .sum::<u64>()
}

/// `redisBitpos`: the position of the first bit equal to `bit`. When there is none, a
/// search for 1 answers -1 and a search for 0 answers `len * 8` (the string is read as
/// followed by zeros, the caller decides what that means).
pub fn bitpos(bytes: &[u8], bit: bool) -> i64 {
    let skip_word = if bit { 0 } else { u64::MAX };
    let mut words = bytes.chunks_exact(8);
    let mut pos: i64 = 0;
    for w in &mut words {
        let word = u64::from_be_bytes(w.try_into().unwrap_or([0; 8]));
        if word != skip_word {
            let found = if bit {
                word.leading_zeros()
            } else {
                word.leading_ones()
            };
            return pos + i64::from(found);
        }
        pos += 64;
    }
    for &b in words.remainder() {
        let found = if bit {
            b.leading_zeros()
        } else {
            b.leading_ones()
        };
        if found < 8 {
            return pos + i64::from(found);
        }
        pos += 8;
    }
    if bit {
        -1
    } else {
        pos
    }
}

/// `getUnsignedBitfield`: `bits` (1..=64) bits from bit `offset`, most significant first.
/// The caller guarantees the bits are inside `p`.
pub fn get_unsigned(p: &[u8], offset: u64, bits: u32) -> u64 {
    debug_assert!((1..=64).contains(&bits));
    let mut value: u64 = 0;
    for j in 0..u64::from(bits) {
        let at = offset + j;
        let bit = (p[(at >> 3) as usize] >> (7 - (at & 7))) & 1;
        value = (value << 1) | u64::from(bit);
    }
    value
}

/// `getSignedBitfield`: as [`get_unsigned`], sign-extended from bit `bits - 1`.
pub fn get_signed(p: &[u8], offset: u64, bits: u32) -> i64 {
    let mut value = get_unsigned(p, offset, bits);
    if bits < 64 && value & (1 << (bits - 1)) != 0 {
        value |= u64::MAX << bits;
    }
    value as i64
}

/// `setUnsignedBitfield`: the low `bits` bits of `value` at bit `offset`.
pub fn set_unsigned(p: &mut [u8], offset: u64, bits: u32, value: u64) {
    debug_assert!((1..=64).contains(&bits));
    for j in 0..u64::from(bits) {
        let bitval = u8::from(value & (1 << (u64::from(bits) - 1 - j)) != 0);
        let at = offset + j;
        let shift = 7 - (at & 7);
        let byte = &mut p[(at >> 3) as usize];
        *byte = (*byte & !(1 << shift)) | (bitval << shift);
    }
}

/// BITFIELD's OVERFLOW behaviours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// `checkUnsignedBitfieldOverflow`: `None` when `value + incr` fits `bits` unsigned bits;
/// otherwise the value to store instead (wrapped or saturated; for FAIL the wrapped one,
/// which the caller does not store). `value` may already be out of range (a SET).
pub fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    // Redis computes both in int64_t from unsigned arithmetic.
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = value.wrapping_neg() as i64;
    let wrap = || {
        let mask = if bits == 64 { 0 } else { u64::MAX << bits };
        value.wrapping_add(incr as u64) & !mask
    };
    if value > max || (incr > 0 && incr > maxincr) {
        Some(if ow == Overflow::Sat { max } else { wrap() })
    } else if incr < 0 && incr < minincr {
        Some(if ow == Overflow::Sat { 0 } else { wrap() })
    } else {
        None
    }
}

/// `checkSignedBitfieldOverflow`: as [`unsigned_overflow`] for `bits` signed bits.
pub fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    // Both may overflow in Redis; it relies on the two's complement result.
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        Some(if ow == Overflow::Sat { max } else { wrap() })
    } else if value < min
        || (bits != 64 && incr < minincr)
        || (value < 0 && incr < 0 && incr < minincr)
    {
        Some(if ow == Overflow::Sat { min } else { wrap() })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_bitpos(bytes: &[u8], bit: bool) -> i64 {
        for i in 0..bytes.len() * 8 {
            if ((bytes[i / 8] >> (7 - i % 8)) & 1 == 1) == bit {
                return i as i64;
            }
        }
        if bit {
            -1
        } else {
            bytes.len() as i64 * 8
        }
    }

    #[test]
    fn popcount_and_bitpos_match_the_bit_by_bit_definition() {
        let mut seed: u64 = 7;
        for len in 0..40 {
            for _ in 0..20 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        // Mostly 0x00 / 0xff runs, so the word skipping is exercised.
                        match (seed >> 60) % 4 {
                            0 => 0,
                            1 => 0xff,
                            _ => (seed >> 40) as u8,
                        }
                    })
                    .collect();
                let ones: u64 = bytes.iter().map(|b| u64::from(b.count_ones())).sum();
                assert_eq!(popcount(&bytes), ones);
                for bit in [false, true] {
                    assert_eq!(bitpos(&bytes, bit), naive_bitpos(&bytes, bit), "{bytes:?}");
                }
            }
        }
        assert_eq!(bitpos(&[], true), -1);
        assert_eq!(bitpos(&[], false), 0);
        assert_eq!(bitpos(&[0xff; 9], false), 72);
    }

    #[test]
    fn bitfield_get_set_round_trip() {
        let mut p = [0u8; 10];
        set_unsigned(&mut p, 3, 8, 0xAB);
        assert_eq!(get_unsigned(&p, 3, 8), 0xAB);
        assert_eq!(p[0], 0xAB >> 3);
        set_unsigned(&mut p, 5, 64, u64::MAX - 1);
        assert_eq!(get_unsigned(&p, 5, 64), u64::MAX - 1);
        assert_eq!(get_signed(&p, 5, 64), -2);
        set_unsigned(&mut p, 0, 4, 0b1000);
        assert_eq!(get_signed(&p, 0, 4), -8);
        assert_eq!(get_signed(&p, 0, 1), -1);
    }

    #[test]
    fn overflow_rules() {
        // u8: 250 + 10 wraps to 4, saturates at 255.
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Wrap), Some(4));
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Wrap), Some(251));
        assert_eq!(unsigned_overflow(5, -5, 8, Overflow::Wrap), None);
        // SET of -1 into u8 (value out of range, no increment).
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Overflow::Wrap), Some(255));
        // i8: 120 + 10 wraps to -126, saturates at 127; -120 - 10 at -128.
        assert_eq!(signed_overflow(120, 10, 8, Overflow::Wrap), Some(-126));
        assert_eq!(signed_overflow(120, 10, 8, Overflow::Sat), Some(127));
        assert_eq!(signed_overflow(-120, -10, 8, Overflow::Sat), Some(-128));
        assert_eq!(signed_overflow(-120, -8, 8, Overflow::Sat), None);
        assert_eq!(
            signed_overflow(i64::MAX, 1, 64, Overflow::Wrap),
            Some(i64::MIN)
        );
        assert_eq!(
            signed_overflow(i64::MIN, -1, 64, Overflow::Sat),
            Some(i64::MIN)
        );
        assert_eq!(
            signed_overflow(-1, i64::MIN, 64, Overflow::Sat),
            Some(i64::MIN)
        );
        assert_eq!(signed_overflow(0, i64::MIN, 64, Overflow::Sat), None);
    }
}
