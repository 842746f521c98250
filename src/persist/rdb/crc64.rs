//! Redis's CRC64 (crc64.c): the Jones polynomial 0xad93d23594c935a9, reflected, initial
//! value and final xor 0 — what RDB files and DUMP payloads end with. Table-driven, one
//! byte at a time, with the table built at compile time.

const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

const TABLE: [u64; 256] = build_table();

const fn build_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

/// crc64(crc, s, l): continues `crc` over `data`.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    for &b in data {
        crc = TABLE[((crc ^ u64::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

/// An `io::Write` that checksums what passes through it (rio's update_cksum).
pub struct CrcWriter<'a> {
    pub inner: &'a mut dyn std::io::Write,
    pub crc: u64,
}

impl std::io::Write for CrcWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc = crc64(self.crc, &buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// crc64.c's own test vectors.
    #[test]
    fn redis_test_vectors() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        let lorem = b"This is a test of the emergency broadcast system.";
        assert_eq!(crc64(0, lorem), crc64(crc64(0, &lorem[..10]), &lorem[10..]));
    }
}
