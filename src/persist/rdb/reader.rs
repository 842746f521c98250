//! The reading half's ground floor: a cursor over the input with every read checked
//! against what remains (rioRead), lengths (rdbLoadLen), strings with their integer and
//! LZF encodings (rdbGenericLoadStringObject) and doubles.

use super::format::*;
use super::lzf;
use super::RdbError;
use crate::util::float::strtod;

/// LZF expands at most this much: a 2-byte back reference gives 8 bytes, a 3-byte one
/// 264. A claimed length beyond it is corrupt, and is refused before any allocation.
const LZF_MAX_RATIO: usize = 88;

pub fn eof() -> RdbError {
    RdbError::new("Unexpected EOF reading RDB file")
}

pub struct Reader<'a> {
    input: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Reader<'a> {
        Reader { input, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    pub fn consumed(&self) -> &'a [u8] {
        &self.input[..self.pos]
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        if n > self.remaining() {
            return Err(eof());
        }
        let s = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u8(&mut self) -> Result<u8, RdbError> {
        Ok(self.bytes(1)?[0])
    }

    pub fn u64_le(&mut self) -> Result<u64, RdbError> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into().expect("8")))
    }

    /// rdbLoadLenByRef: the length, and whether it is a special string encoding.
    pub fn len_or_enc(&mut self) -> Result<(u64, bool), RdbError> {
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => (u64::from(b & 0x3F), false),
            1 => (u64::from(b & 0x3F) << 8 | u64::from(self.u8()?), false),
            3 => (u64::from(b & 0x3F), true),
            _ => match b {
                LEN_32BIT => (
                    u64::from(u32::from_be_bytes(self.bytes(4)?.try_into().expect("4"))),
                    false,
                ),
                LEN_64BIT => (
                    u64::from_be_bytes(self.bytes(8)?.try_into().expect("8")),
                    false,
                ),
                _ => {
                    return Err(RdbError::new(format!(
                        "Unknown length encoding {b} in rdbLoadLen()"
                    )))
                }
            },
        })
    }

    /// rdbLoadLen for a plain length.
    pub fn len(&mut self) -> Result<u64, RdbError> {
        match self.len_or_enc()? {
            (n, false) => Ok(n),
            (_, true) => Err(eof()),
        }
    }

    /// A count of things each at least one byte long: more than the input holds is
    /// corrupt, so no caller reserves memory for a count the file cannot back.
    pub fn count(&mut self) -> Result<usize, RdbError> {
        let n = self.len()?;
        if n > self.remaining() as u64 {
            return Err(eof());
        }
        Ok(n as usize)
    }

    /// rdbGenericLoadStringObject: the string's bytes (an integer encoding as its decimal
    /// text, LZF decompressed).
    pub fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        let (len, encoded) = self.len_or_enc()?;
        if !encoded {
            if len > self.remaining() as u64 {
                return Err(eof());
            }
            return Ok(self.bytes(len as usize)?.to_vec());
        }
        let v: i64 = match len as u8 {
            ENC_INT8 => i64::from(self.u8()? as i8),
            ENC_INT16 => i64::from(i16::from_le_bytes(self.bytes(2)?.try_into().expect("2"))),
            ENC_INT32 => i64::from(i32::from_le_bytes(self.bytes(4)?.try_into().expect("4"))),
            ENC_LZF => return self.lzf_string(),
            other => {
                return Err(RdbError::new(format!(
                    "Unknown RDB string encoding type {other}"
                )))
            }
        };
        Ok(v.to_string().into_bytes())
    }

    /// rdbLoadLzfStringObject.
    fn lzf_string(&mut self) -> Result<Vec<u8>, RdbError> {
        let clen = self.len()?;
        let len = self.len()?;
        if clen > self.remaining() as u64 {
            return Err(eof());
        }
        let compressed = self.bytes(clen as usize)?;
        if len == 0 || len > (clen as usize as u64).saturating_mul(LZF_MAX_RATIO as u64) {
            return Err(RdbError::new("Invalid LZF compressed string"));
        }
        lzf::decompress(compressed, len as usize)
            .ok_or_else(|| RdbError::new("Invalid LZF compressed string"))
    }

    /// rdbLoadDoubleValue (RDB_TYPE_ZSET): a length byte and `%.17g` text, or 253..255
    /// for NaN, +inf, -inf.
    pub fn text_double(&mut self) -> Result<f64, RdbError> {
        let len = self.u8()?;
        match len {
            255 => Ok(f64::NEG_INFINITY),
            254 => Ok(f64::INFINITY),
            253 => Ok(f64::NAN),
            _ => {
                let text = self.bytes(len as usize)?;
                let parsed = strtod(text);
                if parsed.len == 0 {
                    return Err(eof());
                }
                Ok(parsed.value)
            }
        }
    }

    /// rdbLoadBinaryDoubleValue (RDB_TYPE_ZSET_2).
    pub fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.bytes(8)?.try_into().expect("8")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_strings() {
        let mut r = Reader::new(&[0x41, 0x2c, 0x80, 0, 1, 0x11, 0x70, 0xc1, 0xd4, 0xfe]);
        assert_eq!(r.len().unwrap(), 300);
        assert_eq!(r.len().unwrap(), 70000);
        assert_eq!(r.string().unwrap(), b"-300");
        assert_eq!(r.u8(), Err(eof()));
        // A length the input cannot back is refused before anything is allocated.
        let mut r = Reader::new(&[0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(r.string(), Err(eof()));
        let mut r = Reader::new(&[0xc3, 2, 0x81, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0]);
        assert!(r.string().is_err());
    }
}
