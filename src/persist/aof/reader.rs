//! Reading an AOF's commands as `loadSingleAppendOnlyFile` reads them, sans-IO: lines
//! with fgets into a 1024-byte buffer (`AOF_ANNOTATION_LINE_MAX_LEN`), `#` annotations
//! skipped, `*<argc>` then `$<len>` + bytes + two bytes per argument. Each outcome is
//! the label Redis jumps to (fmterr, readerr at EOF = uxeof, readerr elsewhere).
//!
//! Nothing is allocated from a count or length the file announces: an argument is taken
//! only once its bytes are there, so a hostile file costs at most its own size.

use bytes::Bytes;

/// `AOF_ANNOTATION_LINE_MAX_LEN`: fgets reads at most one byte less.
const LINE_BUFFER: usize = 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A whole command, and the offset just past it (`ftello` after it).
    Command(Vec<Bytes>, usize),
    /// The end of the file between commands.
    Eof,
    /// `fmterr`: "Bad file format reading the append only file".
    FormatError,
    /// `readerr` at the end of the file (`uxeof`): a command cut short.
    UnexpectedEof,
    /// `readerr` before the end: a line that is read as an empty C string.
    ReadError,
}

/// A cursor over an AOF's bytes.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// C's `feof`: a read ran into the end (not merely reached it).
    eof: bool,
}

impl<'a> Reader<'a> {
    /// Reads from `start` (past an RDB preamble).
    pub fn new(data: &'a [u8], start: usize) -> Reader<'a> {
        Reader {
            data,
            pos: start.min(data.len()),
            eof: false,
        }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// fgets: up to and including a newline, at most `LINE_BUFFER - 1` bytes; `None` when
    /// nothing is left. What is returned is read as a C string (up to a NUL).
    fn fgets(&mut self) -> Option<&'a [u8]> {
        let rest = &self.data[self.pos..];
        if rest.is_empty() {
            self.eof = true;
            return None;
        }
        let max = LINE_BUFFER - 1;
        let take = match rest.iter().take(max).position(|&b| b == b'\n') {
            Some(nl) => nl + 1,
            None => {
                self.eof = rest.len() < max;
                rest.len().min(max)
            }
        };
        self.pos += take;
        Some(crate::util::c_str(&rest[..take]))
    }

    /// `fread(n)`: all `n` bytes or nothing (the stream is then at its end).
    fn fread(&mut self, n: usize) -> Option<&'a [u8]> {
        let rest = &self.data[self.pos..];
        if rest.len() < n {
            self.pos = self.data.len();
            self.eof = true;
            return None;
        }
        self.pos += n;
        Some(&rest[..n])
    }

    fn read_error(&self) -> Step {
        if self.eof {
            Step::UnexpectedEof
        } else {
            Step::ReadError
        }
    }

    /// The next command, or why there is none.
    pub fn next_step(&mut self) -> Step {
        let line = loop {
            match self.fgets() {
                None => return Step::Eof,
                Some(line) if line.first() == Some(&b'#') => continue,
                Some(line) => break line,
            }
        };
        if line.first() != Some(&b'*') {
            // An empty C string (a NUL first) is not '*' either.
            return Step::FormatError;
        }
        if line.len() == 1 {
            return self.read_error();
        }
        let argc = atoi(&line[1..]);
        if argc < 1 {
            return Step::FormatError;
        }
        let mut argv = Vec::new();
        for _ in 0..argc {
            let Some(line) = self.fgets() else {
                return self.read_error();
            };
            if line.first() != Some(&b'$') {
                return Step::FormatError;
            }
            // strtol into an unsigned long: a negative length is huge, and no file holds it.
            let len = crate::util::int::strtoll(&line[1..]).0;
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            let arg = if len == 0 {
                Bytes::new()
            } else {
                match self.fread(len) {
                    Some(bytes) => Bytes::copy_from_slice(bytes),
                    None => return self.read_error(),
                }
            };
            // The CRLF after the bytes is discarded unread.
            if self.fread(2).is_none() {
                return self.read_error();
            }
            argv.push(arg);
        }
        Step::Command(argv, self.pos)
    }
}

/// C's `atoi` (as `strtol`, truncated to int).
fn atoi(text: &[u8]) -> i64 {
    let v = crate::util::int::strtoll(text).0;
    // The int Redis stores it in: the low 32 bits.
    i64::from(v as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(data: &[u8]) -> Vec<Step> {
        let mut r = Reader::new(data, 0);
        let mut out = Vec::new();
        loop {
            let step = r.next_step();
            let done = !matches!(step, Step::Command(..));
            out.push(step);
            if done {
                return out;
            }
        }
    }

    fn cmd(words: &[&str], end: usize) -> Step {
        Step::Command(
            words
                .iter()
                .map(|w| Bytes::copy_from_slice(w.as_bytes()))
                .collect(),
            end,
        )
    }

    #[test]
    fn commands_and_annotations() {
        let data = b"#TS:1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n";
        assert_eq!(
            steps(data),
            vec![cmd(&["SELECT", "0"], 30), cmd(&["MULTI"], 45), Step::Eof]
        );
    }

    #[test]
    fn cut_commands_are_unexpected_eof() {
        let whole = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
        for cut in 1..whole.len() {
            let s = steps(&whole[..cut]);
            assert_eq!(s, vec![Step::UnexpectedEof], "cut at {cut}");
        }
        assert_eq!(
            steps(whole),
            vec![cmd(&["SET", "k", "v"], whole.len()), Step::Eof]
        );
    }

    #[test]
    fn bad_formats() {
        assert_eq!(steps(b"SET k v\r\n"), vec![Step::FormatError]);
        assert_eq!(steps(b"*0\r\n"), vec![Step::FormatError]);
        assert_eq!(steps(b"*1\r\nfoo\r\n"), vec![Step::FormatError]);
        assert_eq!(steps(b"*\0\r\n"), vec![Step::ReadError]);
        // A huge announced length is no allocation: the file ends first.
        assert_eq!(
            steps(b"*1\r\n$99999999999\r\nab"),
            vec![Step::UnexpectedEof]
        );
        assert_eq!(steps(b"*1\r\n$-1\r\nab"), vec![Step::UnexpectedEof]);
        assert_eq!(
            steps(b"*2147483647\r\n$1\r\na\r\n"),
            vec![Step::UnexpectedEof]
        );
    }
}
