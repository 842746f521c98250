//! The server-side request parser: Redis 7.0.15's `processInputBuffer`,
//! `processMultibulkBuffer` and `processInlineBuffer`, as a sans-IO state machine.
//!
//! The caller appends whatever it read to a `BytesMut` and calls
//! [`RequestParser::next_command`] until it returns `Ok(None)`. Parsed bytes are removed
//! from the front of the buffer; a half-received request keeps its progress in the parser
//! (`multibulklen` / `bulklen` in Redis), so nothing is re-scanned from its start, and
//! the search for a line end resumes where the last call stopped. A 100 MiB value
//! arriving in 16 KiB reads costs O(n) overall.
//!
//! Quirks of Redis 7.0.15 that are reproduced on purpose (each checked against a real
//! `redis-server` 7.0.15; see the tests at the bottom):
//! - Line ends are found with `strchr`, which stops at a NUL byte. A NUL before the line's
//!   `\r` (multibulk) or `\n` (inline) therefore hides the line end for ever: the parser
//!   waits until more than 64 KiB are pending and then reports the "too big" error.
//! - A count or length line ends at its first `\r`; the byte after it is skipped without
//!   being checked (`*1\rX$4\r\nPING\r\n` is a valid PING).
//! - The two bytes after a bulk argument's data are skipped without being checked
//!   (`*1\r\n$4\r\nPINGxx` is a valid PING).
//! - The 64 KiB limit applies to everything pending when the parser runs, so whether a
//!   line longer than 64 KiB is accepted depends on how it was split into reads, exactly
//!   as in Redis (which reads 16 KiB at a time).
//! - Numbers follow `string2ll`: no sign `+`, no leading zeros, no `-0`, at most 20 bytes.
//!
//! # Copies
//! An argument shorter than [`PROTO_MBULK_BIG_ARG`] is copied once out of the buffer, as
//! Redis's `createStringObject` copies it. A big one gets an allocation of its own as soon
//! as its `$<len>` line is parsed (what was buffered of it moves there: Redis's `sdsrange`
//! of the query buffer), the caller reads the rest straight into it, and once complete the
//! argument *is* that allocation: no copy, and it keeps nothing else alive. A big argument
//! that arrived together with other requests is copied, as Redis copies it when the query
//! buffer holds more than the argument.

use crate::util::ctype::is_space;
use crate::util::int::string2ll;
use bytes::{Buf, Bytes, BytesMut};

/// Longest count line, length line or inline request Redis waits for (`PROTO_INLINE_MAX_SIZE`).
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;

/// Bulk arguments at least this long are "big" (`PROTO_MBULK_BIG_ARG`): Redis reads exactly
/// the missing bytes for them, and this parser hands them out without copying.
pub const PROTO_MBULK_BIG_ARG: usize = 32 * 1024;

/// A big argument's own allocation is made for its whole length up to this size; past it,
/// the allocation grows as the bytes arrive, so a client that announces 512 MiB and sends
/// nothing does not make the server allocate 512 MiB (Redis 7.0 would).
pub const BIG_ARG_PREALLOC_MAX: usize = 4 * 1024 * 1024;

/// The largest multibulk count: 7.0 checks `ll > INT_MAX` (6.x had 1024*1024).
const MULTIBULK_COUNT_MAX: i64 = i32::MAX as i64;

/// Before AUTH, Redis refuses requests that could make it allocate much for a stranger.
const UNAUTH_MULTIBULK_COUNT_MAX: i64 = 10;
const UNAUTH_BULK_LEN_MAX: i64 = 16384;

/// Redis's `argv` starts at most this big and grows as arguments arrive, so a count line
/// alone cannot make it allocate much.
const ARGV_PREALLOC_MAX: usize = 1024;

/// The limits that depend on configuration and on the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `proto-max-bulk-len` (default 512 MiB).
    pub proto_max_bulk_len: u64,
    /// False while the client still has to AUTH: then a multibulk count above 10 or a bulk
    /// length above 16384 is a protocol error.
    pub authenticated: bool,
}

impl Default for Limits {
    /// Redis's defaults for an authenticated client.
    fn default() -> Self {
        Limits {
            proto_max_bulk_len: 512 * 1024 * 1024,
            authenticated: true,
        }
    }
}

/// A protocol error: the full error text without the leading `-` and the CRLF, e.g.
/// `ERR Protocol error: invalid multibulk length`, as bytes (one text quotes a byte of
/// the request, raw). The connection is closed after the reply, as Redis's
/// `CLIENT_CLOSE_AFTER_REPLY` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub Bytes);

impl ProtocolError {
    fn new(text: &str) -> Self {
        ProtocolError(format!("ERR Protocol error: {text}").into())
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl std::error::Error for ProtocolError {}

/// Where the parser is inside the current request (Redis: `reqtype`, `multibulklen`,
/// `bulklen`, and the `argv` built so far).
#[derive(Debug, Default)]
enum State {
    /// Between requests: the next byte decides the request type.
    #[default]
    Idle,
    /// An inline request: waiting for its `\n`.
    Inline,
    /// A multibulk request: waiting for the `\r` of its `*<count>` line.
    MultibulkCount,
    /// Inside a multibulk request whose count is known.
    Args {
        /// Arguments still to come, the current one included (`multibulklen`).
        remaining: usize,
        args: Vec<Bytes>,
        /// Length of the current argument once its `$<len>` line was read (`bulklen`).
        bulk_len: Option<usize>,
    },
}

/// Progress of the search for the end of the line at the front of the buffer. It survives
/// across calls so that a line arriving in many small reads is scanned once.
#[derive(Debug, Default)]
struct LineSearch {
    /// Bytes already searched without finding the terminator or a NUL.
    scanned: usize,
    /// Offset of the terminator, once found.
    found: Option<usize>,
    /// A NUL came first: `strchr` will never see the terminator of this line.
    blocked: bool,
}

enum LineEnd {
    At(usize),
    /// Not (yet) visible: the caller applies the 64 KiB limit.
    Pending,
}

impl LineSearch {
    /// Finds `target` (or, first, a NUL) in `buf`, resuming where the last search stopped.
    /// Assumes `buf` only grew at its end since the last call with this search state.
    fn find(&mut self, buf: &[u8], target: u8) -> LineEnd {
        if let Some(at) = self.found {
            if at < buf.len() {
                return LineEnd::At(at);
            }
            // The caller broke the append-only contract; searching again beats panicking.
            *self = LineSearch::default();
        }
        if self.blocked {
            return LineEnd::Pending;
        }
        let start = self.scanned.min(buf.len());
        match buf[start..].iter().position(|&b| b == target || b == 0) {
            Some(i) if buf[start + i] == 0 => {
                self.blocked = true;
                LineEnd::Pending
            }
            Some(i) => {
                self.found = Some(start + i);
                LineEnd::At(start + i)
            }
            None => {
                self.scanned = buf.len();
                LineEnd::Pending
            }
        }
    }
}

/// The incremental request parser of one client connection.
#[derive(Debug, Default)]
pub struct RequestParser {
    state: State,
    line: LineSearch,
    /// Bytes of the current bulk argument that were buffered when the last call returned
    /// `Ok(None)` (for [`RequestParser::bulk_remaining`]).
    bulk_buffered: usize,
    /// The buffer is the current big argument's own allocation: it starts with the
    /// argument and holds nothing else, so the argument can be split off without a copy.
    arg_owns_buffer: bool,
}

impl RequestParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the next complete command from the front of `buf`, removing its bytes.
    ///
    /// Returns `Ok(None)` when more bytes are needed; the progress made so far is kept, and
    /// the next call expects `buf` to hold the same unparsed bytes plus whatever arrived
    /// since. Empty inline lines and multibulk counts <= 0 are skipped, as Redis does. After
    /// an `Err` the connection must be closed (the parser's state is unspecified).
    ///
    /// Arguments of at least [`PROTO_MBULK_BIG_ARG`] bytes that were still arriving when
    /// their length was parsed get `buf` replaced by an allocation of their own, and are
    /// split off it without a copy (see the module's "Copies"). Others are copied, as
    /// Redis's `createStringObject` copies them: a `Bytes` that shares the read buffer would
    /// keep that whole buffer alive for as long as the keyspace holds the value.
    pub fn next_command(
        &mut self,
        buf: &mut BytesMut,
        limits: &Limits,
    ) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        // Every iteration either returns or consumes bytes from `buf`, so this terminates.
        loop {
            match self.state {
                State::Idle => {
                    let Some(&first) = buf.first() else {
                        return Ok(None);
                    };
                    self.line = LineSearch::default();
                    self.state = if first == b'*' {
                        State::MultibulkCount
                    } else {
                        State::Inline
                    };
                }
                State::Inline => {
                    let Some(args) = self.parse_inline(buf)? else {
                        return Ok(None);
                    };
                    self.state = State::Idle;
                    if !args.is_empty() {
                        return Ok(Some(args));
                    }
                }
                State::MultibulkCount => {
                    let Some(count) = self.parse_count(buf, limits)? else {
                        return Ok(None);
                    };
                    self.state = match usize::try_from(count) {
                        Ok(remaining) if remaining > 0 => State::Args {
                            remaining,
                            args: Vec::with_capacity(remaining.min(ARGV_PREALLOC_MAX)),
                            bulk_len: None,
                        },
                        // A count <= 0 is a request with no arguments: skipped.
                        _ => State::Idle,
                    };
                }
                State::Args { .. } => {
                    let Some(args) = self.parse_args(buf, limits)? else {
                        return Ok(None);
                    };
                    self.state = State::Idle;
                    return Ok(Some(args));
                }
            }
        }
    }

    /// If the parser is in the middle of a bulk argument, how many more bytes (including
    /// the trailing CRLF) it needs, counted from what was buffered when `next_command` last
    /// returned `Ok(None)`. The event loop reads exactly this much for big arguments (see
    /// [`RequestParser::bulk_len`]), as Redis's `readQueryFromClient` does.
    pub fn bulk_remaining(&self) -> Option<usize> {
        self.bulk_len()
            .map(|len| len.saturating_add(2).saturating_sub(self.bulk_buffered))
    }

    /// The length of the bulk argument being received, once its `$<len>` line was parsed.
    pub fn bulk_len(&self) -> Option<usize> {
        match self.state {
            State::Args { bulk_len, .. } => bulk_len,
            _ => None,
        }
    }

    /// True if no partial command is held in parser state (the next byte of the buffer
    /// starts a new request).
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// `processInlineBuffer`: one line up to `\n` (an `\r` before it is dropped), split
    /// like `sdssplitargs`. `Ok(Some(vec![]))` for a blank line.
    fn parse_inline(&mut self, buf: &mut BytesMut) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        let newline = match self.line.find(buf, b'\n') {
            LineEnd::At(at) => at,
            LineEnd::Pending => return too_big(buf, "too big inline request"),
        };
        let line_len = if newline > 0 && buf[newline - 1] == b'\r' {
            newline - 1
        } else {
            newline
        };
        let args = split_args(&buf[..line_len])
            .ok_or_else(|| ProtocolError::new("unbalanced quotes in request"))?;
        buf.advance(newline + 1);
        Ok(Some(args))
    }

    /// The `*<count>` line of `processMultibulkBuffer`. Returns the count once the line is
    /// complete and consumed.
    fn parse_count(
        &mut self,
        buf: &mut BytesMut,
        limits: &Limits,
    ) -> Result<Option<i64>, ProtocolError> {
        let Some(cr) = self.line_end(buf, "too big mbulk count string")? else {
            return Ok(None);
        };
        // buf[0] is '*' (that chose the request type), so cr >= 1; `get` keeps a caller
        // that broke the append-only contract from panicking the process.
        let count = match string2ll(buf.get(1..cr).unwrap_or_default()) {
            Some(n) if n <= MULTIBULK_COUNT_MAX => n,
            _ => return Err(ProtocolError::new("invalid multibulk length")),
        };
        if count > UNAUTH_MULTIBULK_COUNT_MAX && !limits.authenticated {
            return Err(ProtocolError::new("unauthenticated multibulk length"));
        }
        // The byte after '\r' is skipped unchecked, as Redis does.
        buf.advance((cr + 2).min(buf.len()));
        self.line = LineSearch::default();
        Ok(Some(count))
    }

    /// The `$<len>` lines and bulk data of `processMultibulkBuffer`. Returns the whole
    /// argument vector once the last argument arrived.
    fn parse_args(
        &mut self,
        buf: &mut BytesMut,
        limits: &Limits,
    ) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        loop {
            let State::Args { bulk_len, .. } = self.state else {
                // Only called in the Args state; nothing to do otherwise.
                return Ok(None);
            };
            let len = match bulk_len {
                Some(len) => len,
                None => {
                    let Some(len) = self.parse_bulk_len(buf, limits)? else {
                        return Ok(None);
                    };
                    if let State::Args { bulk_len, .. } = &mut self.state {
                        *bulk_len = Some(len);
                    }
                    if len >= PROTO_MBULK_BIG_ARG && buf.len() < len.saturating_add(2) {
                        self.move_to_own_allocation(buf, len);
                    }
                    len
                }
            };
            // The data plus the two bytes after it (not checked to be CRLF, as in Redis).
            let needed = len.saturating_add(2);
            if buf.len() < needed {
                self.bulk_buffered = buf.len();
                return Ok(None);
            }
            let arg = if std::mem::take(&mut self.arg_owns_buffer) {
                buf.split_to(len).freeze()
            } else {
                let arg = Bytes::copy_from_slice(&buf[..len]);
                buf.advance(len);
                arg
            };
            buf.advance(2);
            self.bulk_buffered = 0;
            if let State::Args {
                remaining,
                args,
                bulk_len,
            } = &mut self.state
            {
                args.push(arg);
                *bulk_len = None;
                *remaining -= 1;
                if *remaining == 0 {
                    return Ok(Some(std::mem::take(args)));
                }
            }
        }
    }

    /// A big argument is still arriving and `buf` holds only (the start of) it: gives it an
    /// allocation of its own, sized for all of it up to [`BIG_ARG_PREALLOC_MAX`] (Redis's
    /// `sdsrange` + `sdsMakeRoomForNonGreedy(ll+2)`). What was buffered of it is copied
    /// there once; the rest is read straight into it.
    fn move_to_own_allocation(&mut self, buf: &mut BytesMut, len: usize) {
        let capacity = len
            .saturating_add(2)
            .min(BIG_ARG_PREALLOC_MAX)
            .max(buf.len());
        let mut own = BytesMut::with_capacity(capacity);
        own.extend_from_slice(buf);
        *buf = own;
        self.arg_owns_buffer = true;
    }

    /// One `$<len>` line: returns the length once the line is complete and consumed.
    fn parse_bulk_len(
        &mut self,
        buf: &mut BytesMut,
        limits: &Limits,
    ) -> Result<Option<usize>, ProtocolError> {
        let Some(cr) = self.line_end(buf, "too big bulk count string")? else {
            return Ok(None);
        };
        // Redis looks at the type byte only once the whole line is there.
        if buf[0] != b'$' {
            return Err(ProtocolError(
                [
                    b"ERR Protocol error: expected '$', got '",
                    &[error_char(buf[0])][..],
                    b"'",
                ]
                .concat()
                .into(),
            ));
        }
        let len = match string2ll(buf.get(1..cr).unwrap_or_default()) {
            Some(n) if n >= 0 && n as u64 <= limits.proto_max_bulk_len => n,
            _ => return Err(ProtocolError::new("invalid bulk length")),
        };
        if len > UNAUTH_BULK_LEN_MAX && !limits.authenticated {
            return Err(ProtocolError::new("unauthenticated bulk length"));
        }
        let len = usize::try_from(len).map_err(|_| ProtocolError::new("invalid bulk length"))?;
        buf.advance((cr + 2).min(buf.len()));
        self.line = LineSearch::default();
        Ok(Some(len))
    }

    /// Finds the `\r` ending the count or length line at the front of `buf`. `Ok(None)`
    /// while it is not there, or is the last buffered byte (Redis wants one more byte,
    /// which it then skips without looking at it).
    fn line_end(
        &mut self,
        buf: &BytesMut,
        too_big_text: &str,
    ) -> Result<Option<usize>, ProtocolError> {
        match self.line.find(buf, b'\r') {
            // (The planted bug of the simulator experiment takes "\r" as the whole line
            // end, so a "\n" that arrives in the next read starts the next element.)
            LineEnd::At(cr) if cr + 2 <= buf.len() || cfg!(feature = "planted-bug-crlf-whole") => {
                Ok(Some(cr))
            }
            LineEnd::At(_) => Ok(None),
            LineEnd::Pending => too_big(buf, too_big_text),
        }
    }
}

/// No line end yet: wait, unless more than 64 KiB are pending.
fn too_big<T>(buf: &[u8], text: &str) -> Result<Option<T>, ProtocolError> {
    if buf.len() > PROTO_INLINE_MAX_SIZE {
        Err(ProtocolError::new(text))
    } else {
        Ok(None)
    }
}

/// The byte in "expected '$', got 'X'". Redis prints the raw byte (`%c`), after
/// replacing CR and LF with spaces (`addReplyErrorFormat`). (A NUL never gets here: like
/// Redis's `strchr`, the line search stops at one and waits.)
fn error_char(b: u8) -> u8 {
    match b {
        b'\r' | b'\n' => b' ',
        _ => b,
    }
}

/// Redis's `sdssplitargs` over one inline line, or a script's or library's shebang, or a
/// configuration line. `None` for unbalanced quotes or a closing quote followed by a
/// non-space. It reads a C string: a NUL ends the line (an unquoted NUL used to end a
/// token without being consumed, so a shebang holding one looped forever).
pub(crate) fn split_args(line: &[u8]) -> Option<Vec<Bytes>> {
    let line = crate::util::c_str(line);
    // Past the end reads as the C string's terminating NUL.
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        // Between tokens every isspace byte is skipped (\v and \f included) ...
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(args);
        }
        let mut current = Vec::new();
        let (mut in_dq, mut in_sq) = (false, false);
        loop {
            let c = at(p);
            if in_dq {
                if c == b'\\'
                    && at(p + 1) == b'x'
                    && at(p + 2).is_ascii_hexdigit()
                    && at(p + 3).is_ascii_hexdigit()
                {
                    current.push(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    current.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    // The closing quote must be followed by a space or the end.
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else if in_sq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    // ... but only these end an unquoted token (\v and \f do not).
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        if c != 0 {
                            p += 1;
                        }
                        break;
                    }
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    _ => current.push(c),
                }
            }
            p += 1;
        }
        args.push(Bytes::from(current));
    }
}

fn hex_value(h: u8) -> u8 {
    match h {
        b'0'..=b'9' => h - b'0',
        b'a'..=b'f' => h - b'a' + 10,
        b'A'..=b'F' => h - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AUTH: Limits = Limits {
        proto_max_bulk_len: 512 * 1024 * 1024,
        authenticated: true,
    };
    const UNAUTH: Limits = Limits {
        proto_max_bulk_len: 512 * 1024 * 1024,
        authenticated: false,
    };

    /// What a parser made of a byte stream: the commands, then how it stopped.
    #[derive(Debug, PartialEq)]
    struct Outcome {
        commands: Vec<Vec<Bytes>>,
        error: Option<ProtocolError>,
        /// Bytes left unparsed, and whether the parser was idle, when no error occurred.
        left: Option<(Vec<u8>, bool)>,
    }

    /// Feeds `input` in chunks cut at `cuts` (offsets, any order, clamped), calling the
    /// parser after every chunk until it needs more, like the event loop.
    fn run(input: &[u8], cuts: &[usize], limits: &Limits) -> Outcome {
        let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
        cuts.push(input.len());
        cuts.sort_unstable();
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut commands = Vec::new();
        let mut start = 0;
        for cut in cuts {
            buf.extend_from_slice(&input[start..cut]);
            start = cut;
            loop {
                match parser.next_command(&mut buf, limits) {
                    Ok(Some(cmd)) => commands.push(cmd),
                    Ok(None) => break,
                    Err(e) => {
                        return Outcome {
                            commands,
                            error: Some(e),
                            left: None,
                        }
                    }
                }
            }
        }
        Outcome {
            commands,
            error: None,
            left: Some((buf.to_vec(), parser.is_idle())),
        }
    }

    fn parse_all(input: &[u8]) -> Outcome {
        run(input, &[], &AUTH)
    }

    fn cmd(args: &[&[u8]]) -> Vec<Bytes> {
        args.iter().map(|a| Bytes::copy_from_slice(a)).collect()
    }

    fn err(text: &str) -> Option<ProtocolError> {
        Some(ProtocolError(format!("ERR Protocol error: {text}").into()))
    }

    /// The start of an input, for assertion messages (some inputs are 64 KiB).
    fn head(input: &[u8]) -> String {
        format!(
            "{:?} ({} bytes)",
            &input[..input.len().min(40)],
            input.len()
        )
    }

    #[track_caller]
    fn assert_error(input: &[u8], limits: &Limits, text: &str) {
        assert_eq!(
            run(input, &[], limits).error,
            err(text),
            "input {}",
            head(input)
        );
    }

    #[track_caller]
    fn assert_waits(input: &[u8]) {
        let out = parse_all(input);
        assert_eq!(out.error, None, "input {}", head(input));
        assert!(out.commands.is_empty(), "input {}", head(input));
    }

    #[test]
    fn multibulk_pipeline() {
        let out =
            parse_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        assert_eq!(
            out.commands,
            vec![cmd(&[b"SET", b"k", b"v"]), cmd(&[b"GET", b"k"])]
        );
        assert_eq!(out.left, Some((vec![], true)));
    }

    #[test]
    fn empty_bulk_and_binary_data() {
        let out = parse_all(b"*2\r\n$0\r\n\r\n$3\r\n\0\r\n\r\n");
        assert_eq!(out.commands, vec![cmd(&[b"", b"\0\r\n"])]);
    }

    #[test]
    fn counts_at_most_zero_are_skipped() {
        // Checked on 7.0.15: `*0\r\nPING\r\n` and `*-5\r\n*1\r\n$4\r\nPING\r\n` both PONG.
        let out = parse_all(b"*0\r\nPING\r\n*-5\r\n*1\r\n$4\r\nPING\r\n");
        assert_eq!(out.commands, vec![cmd(&[b"PING"]), cmd(&[b"PING"])]);
    }

    #[test]
    fn invalid_multibulk_lengths() {
        for input in [
            &b"*\r\n"[..],
            b"*-0\r\n",
            b"*01\r\n",
            b"*+1\r\n",
            b"*1x\r\n",
            b"* 1\r\n",
            b"*2147483648\r\n",
            b"*99999999999999999999\r\n",
            b"*1\n$4\r\nPING\r\n",
        ] {
            assert_error(input, &AUTH, "invalid multibulk length");
        }
        // INT_MAX itself is accepted (7.0; 6.x capped the count at 1024*1024).
        assert_waits(b"*2147483647\r\n");
        assert_waits(b"*1048577\r\n");
    }

    /// A NUL ends what sdssplitargs reads (it reads a C string). An unquoted NUL used to end
    /// a token without being consumed, and the next token then began at it again, forever:
    /// `EVAL "#!lua<NUL>..."` or a FUNCTION LOAD shebang with one hung the server.
    #[test]
    fn split_args_stops_at_nul() {
        let words = |line: &[u8]| {
            split_args(line).map(|v| v.iter().map(|b| b.to_vec()).collect::<Vec<_>>())
        };
        assert_eq!(words(b"#!lua\0 name=x"), Some(vec![b"#!lua".to_vec()]));
        assert_eq!(words(b"a b\0c d"), Some(vec![b"a".to_vec(), b"b".to_vec()]));
        assert_eq!(words(b"\0"), Some(vec![]));
        assert_eq!(
            words(b"\"x\0y\""),
            None,
            "the NUL ends the quoted token unclosed"
        );
    }

    #[test]
    fn unauthenticated_limits() {
        assert_error(b"*11\r\n", &UNAUTH, "unauthenticated multibulk length");
        assert_error(b"*11x\r\n", &UNAUTH, "invalid multibulk length");
        assert_error(b"*1\r\n$16385\r\n", &UNAUTH, "unauthenticated bulk length");
        assert_error(b"*1\r\n$-1\r\n", &UNAUTH, "invalid bulk length");
        let out = run(b"*10\r\n$16384\r\n", &[], &UNAUTH);
        assert_eq!(out.error, None);
        assert_eq!(parse_all(b"*11\r\n").error, None);
    }

    #[test]
    fn invalid_bulk_lengths() {
        for input in [
            &b"*1\r\n$-1\r\n"[..],
            b"*1\r\n$01\r\n",
            b"*1\r\n$\r\n",
            b"*1\r\n$4x\r\n",
            b"*1\r\n$536870913\r\n",
        ] {
            assert_error(input, &AUTH, "invalid bulk length");
        }
        assert_waits(b"*1\r\n$536870912\r\n");
        let small = Limits {
            proto_max_bulk_len: 3,
            authenticated: true,
        };
        assert_error(b"*1\r\n$4\r\n", &small, "invalid bulk length");
        assert_eq!(
            run(b"*1\r\n$3\r\nabc\r\n", &[], &small).commands,
            vec![cmd(&[b"abc"])]
        );
    }

    #[test]
    fn expected_dollar() {
        assert_error(b"*1\r\nX4\r\n", &AUTH, "expected '$', got 'X'");
        // Redis replaces CR and LF in error texts by spaces (seen on 7.0.15).
        assert_error(b"*1\r\n\r\n", &AUTH, "expected '$', got ' '");
        assert_error(b"*1\r\n\n\r\n", &AUTH, "expected '$', got ' '");
        // Redis sends the raw byte 0xff (seen on 7.0.15).
        assert_eq!(
            parse_all(b"*1\r\n\xff\r\n").error,
            Some(ProtocolError(Bytes::from_static(
                b"ERR Protocol error: expected '$', got '\xff'"
            )))
        );
        // The type byte is looked at only once the whole line is there.
        assert_waits(b"*1\r\nX4");
    }

    #[test]
    fn bytes_after_cr_and_after_bulk_are_not_checked() {
        // Both seen on 7.0.15: each of these is a PING.
        let out = parse_all(b"*1\rX$4\r\nPING\r\n*1\r\n$4\rYPING\r\n*1\r\n$4\r\nPINGxx");
        assert_eq!(out.commands, vec![cmd(&[b"PING"]); 3]);
        // A '\r' that is the last byte waits for one more byte.
        assert_waits(b"*1\r");
        assert_waits(b"*1\r\n$4\r");
        assert_waits(b"*1\r\n$4\r\nPING\r");
    }

    #[test]
    fn too_big_lines() {
        let mut count = b"*".to_vec();
        count.resize(PROTO_INLINE_MAX_SIZE, b'1');
        assert_waits(&count);
        count.push(b'1');
        assert_error(&count, &AUTH, "too big mbulk count string");

        let mut bulk = b"*1\r\n".to_vec();
        let mut at_limit = b"$".to_vec();
        at_limit.resize(PROTO_INLINE_MAX_SIZE, b'1');
        bulk.extend_from_slice(&at_limit);
        assert_waits(&bulk);
        bulk.push(b'1');
        assert_error(&bulk, &AUTH, "too big bulk count string");
        // The limit is checked before the type byte.
        let mut x = b"*1\r\n".to_vec();
        x.resize(70000, b'X');
        assert_error(&x, &AUTH, "too big bulk count string");

        let mut inline = vec![b'A'; PROTO_INLINE_MAX_SIZE];
        assert_waits(&inline);
        inline.push(b'A');
        assert_error(&inline, &AUTH, "too big inline request");

        // A long line that arrives whole is accepted, as in Redis (which echoed a
        // 70000-byte inline argument sent in one write).
        let mut long = b"ECHO ".to_vec();
        long.resize(70005, b'a');
        long.extend_from_slice(b"\r\n");
        assert_eq!(parse_all(&long).commands.len(), 1);
        assert_eq!(
            run(&long, &[16384, 32768, 49152, 65536, 69000], &AUTH).error,
            err("too big inline request")
        );
    }

    #[test]
    fn nul_hides_the_line_end() {
        // 7.0.15 finds line ends with strchr: these never complete ...
        assert_waits(b"*1\0\r\n$4\r\nPING\r\n");
        assert_waits(b"PI\0NG\r\n");
        assert_waits(b"*1\r\n$4\0\r\nPING\r\n");
        // ... until more than 64 KiB are pending.
        let mut input = b"*1\0\r\n".to_vec();
        input.resize(70000, b'x');
        assert_error(&input, &AUTH, "too big mbulk count string");
        let mut input = b"PI\0NG\r\n".to_vec();
        input.resize(70000, b'\n');
        assert_error(&input, &AUTH, "too big inline request");
    }

    #[test]
    fn inline_commands() {
        let out = parse_all(b"\r\n\n  \r\nPING\r\nSET k  v\nGET\tk\r\n");
        assert_eq!(
            out.commands,
            vec![
                cmd(&[b"PING"]),
                cmd(&[b"SET", b"k", b"v"]),
                cmd(&[b"GET", b"k"])
            ]
        );
        // Only one '\r' before the '\n' is dropped; a lone '\r' splits arguments.
        assert_eq!(
            parse_all(b"PING\rfoo\n").commands,
            vec![cmd(&[b"PING", b"foo"])]
        );
        assert_eq!(parse_all(b"PING\r\r\n").commands, vec![cmd(&[b"PING"])]);
        assert_waits(b"PING\r");
    }

    #[test]
    fn inline_quotes_like_sdssplitargs() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"ECHO \"a\\x41\\n\"", &[b"ECHO", b"aA\n"]),
            (
                b"ECHO \"\\r\\t\\b\\a\\\\\\\"\\q\"",
                &[b"ECHO", b"\r\t\x08\x07\\\"q"],
            ),
            (b"ECHO \"\\xZZ\\x4\"", &[b"ECHO", b"xZZx4"]),
            (b"ECHO 'a\\'b'", &[b"ECHO", b"a'b"]),
            (b"ECHO 'a\\nb'", &[b"ECHO", b"a\\nb"]),
            (b"ECHO a\"b c\"", &[b"ECHO", b"ab c"]),
            (b"ECHO \"\"", &[b"ECHO", b""]),
            // \v and \f separate tokens when skipping blanks, but do not end a token.
            (b"ECHO a\x0bb", &[b"ECHO", b"a\x0bb"]),
            (b"\x0bECHO\x0ca", &[b"ECHO\x0ca"]),
            (b"ECHO \"a\"\x0b", &[b"ECHO", b"a"]),
            (b"ECHO \"a\" b", &[b"ECHO", b"a", b"b"]),
        ];
        for (line, want) in cases {
            let mut input = line.to_vec();
            input.extend_from_slice(b"\r\n");
            assert_eq!(parse_all(&input).commands, vec![cmd(want)], "line {line:?}");
        }
        for bad in [
            &b"ECHO \"a\"b\r\n"[..],
            b"ECHO \"abc\r\n",
            b"ECHO 'a'b\n",
            b"ECHO 'abc\n",
            b"ECHO \"a\\\"\n",
        ] {
            assert_error(bad, &AUTH, "unbalanced quotes in request");
        }
    }

    #[test]
    fn bulk_remaining_counts_missing_bytes() {
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::from(&b"*2\r\n$5\r\nab"[..]);
        assert_eq!(parser.next_command(&mut buf, &AUTH), Ok(None));
        assert!(!parser.is_idle());
        assert_eq!(parser.bulk_len(), Some(5));
        assert_eq!(parser.bulk_remaining(), Some(5));
        buf.extend_from_slice(b"cde\r\n$");
        assert_eq!(parser.next_command(&mut buf, &AUTH), Ok(None));
        assert_eq!(parser.bulk_remaining(), None);
        buf.extend_from_slice(b"1\r\nx\r\n");
        assert_eq!(
            parser.next_command(&mut buf, &AUTH),
            Ok(Some(cmd(&[b"abcde", b"x"])))
        );
        assert!(parser.is_idle());
        assert!(buf.is_empty());
    }

    #[test]
    fn big_value_in_small_reads_is_linear_and_zero_copy() {
        // 100 MiB in 16 KiB reads: quadratic rescans would take minutes.
        let len = 100 * 1024 * 1024;
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::with_capacity(64 * 1024);
        buf.extend_from_slice(format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${len}\r\n").as_bytes());
        assert_eq!(parser.next_command(&mut buf, &AUTH), Ok(None));
        let chunk = vec![b'v'; 16 * 1024];
        let mut sent = 0;
        while sent < len {
            // Like Redis, read exactly what is missing once the argument is big.
            let want = parser
                .bulk_remaining()
                .unwrap_or(chunk.len())
                .min(chunk.len());
            let n = want.min(len - sent);
            buf.extend_from_slice(&chunk[..n]);
            sent += n;
            assert_eq!(parser.next_command(&mut buf, &AUTH), Ok(None));
        }
        assert_eq!(parser.bulk_remaining(), Some(2));
        buf.extend_from_slice(b"\r\n");
        let got = parser
            .next_command(&mut buf, &AUTH)
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].len(), len);
        assert!(got[2].iter().all(|&b| b == b'v'));
    }

    /// Counts copies: a big argument still arriving when its length is parsed moves to an
    /// allocation of its own once (what was buffered of it), the rest is appended there,
    /// and the finished argument is that allocation, not a copy of it.
    #[test]
    fn big_argument_becomes_its_own_allocation() {
        let len = 40 * 1024;
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::with_capacity(16 * 1024);
        buf.extend_from_slice(format!("*2\r\n$3\r\nSET\r\n${len}\r\n").as_bytes());
        buf.extend_from_slice(&vec![b'a'; 1000]);
        let read_buffer = buf.as_ptr();
        assert_eq!(parser.next_command(&mut buf, &AUTH), Ok(None));
        let own = buf.as_ptr();
        assert_ne!(own, read_buffer, "moved out of the read buffer");
        assert_eq!(buf.len(), 1000);
        assert!(buf.capacity() >= len + 2, "sized for the whole argument");
        assert_eq!(parser.bulk_remaining(), Some(len + 2 - 1000));
        // The rest arrives in place, as the event loop reads it (exactly what is missing).
        buf.extend_from_slice(&vec![b'b'; len - 1000]);
        buf.extend_from_slice(b"\r\n");
        assert_eq!(
            buf.as_ptr(),
            own,
            "the rest was appended without a reallocation"
        );
        let argv = parser.next_command(&mut buf, &AUTH).ok().flatten();
        let argv = argv.unwrap_or_default();
        assert_eq!(argv.len(), 2);
        assert_eq!(
            argv[1].as_ptr(),
            own,
            "the argument is its allocation: no copy"
        );
        assert_eq!(&argv[1][..1000], &[b'a'; 1000][..]);
        assert!(argv[1][1000..].iter().all(|&b| b == b'b'));
        assert!(buf.is_empty() && parser.is_idle());
    }

    /// A big argument that arrived whole together with other requests is copied out (as
    /// Redis copies it): sharing would keep the whole read buffer alive with the value.
    #[test]
    fn big_argument_that_arrived_whole_is_copied() {
        let len = 33 * 1024;
        let mut input = format!("*2\r\n$4\r\nECHO\r\n${len}\r\n").into_bytes();
        input.extend_from_slice(&vec![b'x'; len]);
        input.extend_from_slice(b"\r\n*1\r\n$4\r\nPING\r\n");
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::from(&input[..]);
        let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.capacity();
        let argv = parser.next_command(&mut buf, &AUTH).ok().flatten();
        let argv = argv.unwrap_or_default();
        assert_eq!(argv[1].len(), len);
        assert!(!range.contains(&(argv[1].as_ptr() as usize)));
        assert_eq!(
            parser.next_command(&mut buf, &AUTH),
            Ok(Some(cmd(&[b"PING"])))
        );
    }

    /// An announced length past the preallocation cap does not allocate it up front.
    #[test]
    fn huge_announced_argument_preallocates_at_most_the_cap() {
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::from(&b"*1\r\n$536870912\r\nab"[..]);
        assert_eq!(parser.next_command(&mut buf, &AUTH), Ok(None));
        assert_eq!(&buf[..], b"ab");
        assert!(buf.capacity() <= BIG_ARG_PREALLOC_MAX);
    }

    #[test]
    fn long_line_in_small_reads_is_scanned_once() {
        // A 60 KiB inline line in 1-byte reads: rescanning from the start would be
        // 1.8e9 byte visits; resuming is 60 Ki.
        let mut line = b"ECHO ".to_vec();
        line.resize(60 * 1024, b'a');
        line.push(b'\n');
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut got = None;
        for &b in &line {
            buf.extend_from_slice(&[b]);
            if let Ok(Some(c)) = parser.next_command(&mut buf, &AUTH) {
                got = Some(c);
            }
        }
        assert_eq!(got.map(|c| c[1].len()), Some(60 * 1024 - 5));
    }

    /// One well-formed request, inline or multibulk, with its expected arguments.
    fn request() -> impl Strategy<Value = (Vec<u8>, Vec<Vec<u8>>)> {
        let multibulk = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..6)
            .prop_map(|args| {
                let mut wire = format!("*{}\r\n", args.len()).into_bytes();
                for a in &args {
                    wire.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                    wire.extend_from_slice(a);
                    wire.extend_from_slice(b"\r\n");
                }
                (wire, args)
            });
        let inline = prop::collection::vec("[a-zA-Z0-9]{1,10}", 1..5).prop_map(|args| {
            let wire = format!("{}\r\n", args.join(" ")).into_bytes();
            (wire, args.into_iter().map(String::into_bytes).collect())
        });
        prop_oneof![3 => multibulk, 1 => inline]
    }

    /// Bytes with a taste of the protocol, so that arbitrary input reaches deep states.
    fn protocolish() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            Just(b"*".to_vec()),
            Just(b"$".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\0".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"'".to_vec()),
            Just(b"\\".to_vec()),
            Just(b" ".to_vec()),
            "-?[0-9]{1,3}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 1..4),
        ];
        prop::collection::vec(token, 0..60).prop_map(|t| t.concat())
    }

    proptest! {
        #[test]
        fn any_split_of_a_pipeline_gives_the_same_commands(
            reqs in prop::collection::vec(request(), 1..8),
            cuts in prop::collection::vec(any::<usize>(), 0..10),
        ) {
            let wire: Vec<u8> = reqs.iter().flat_map(|(w, _)| w.clone()).collect();
            let want: Vec<Vec<Bytes>> = reqs.iter().map(|(_, a)| a.iter().map(|x| Bytes::copy_from_slice(x)).collect()).collect();
            let cuts: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
            let out = run(&wire, &cuts, &AUTH);
            prop_assert_eq!(out.commands, want);
            prop_assert_eq!(out.error, None);
            prop_assert_eq!(out.left, Some((vec![], true)));
        }

        #[test]
        fn any_split_of_any_bytes_gives_the_same_outcome(
            input in prop_oneof![protocolish(), prop::collection::vec(any::<u8>(), 0..200)],
            cuts in prop::collection::vec(any::<usize>(), 0..10),
            authenticated in any::<bool>(),
        ) {
            let limits = Limits { proto_max_bulk_len: 512 * 1024 * 1024, authenticated };
            let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
            // Inputs stay far below 64 KiB, where the outcome cannot depend on the split.
            prop_assert_eq!(run(&input, &cuts, &limits), run(&input, &[], &limits));
        }
    }
}
