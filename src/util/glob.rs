//! Glob-style matching: a port of Redis 7.0's `stringmatchlen` (util.c), quirks included,
//! so that every pattern matches exactly what Redis matches: KEYS, SCAN/HSCAN/SSCAN/ZSCAN
//! MATCH, PSUBSCRIBE and PUBSUB CHANNELS (case-sensitive), CONFIG GET and COMMAND LIST
//! FILTERBY PATTERN (case-insensitive).
//!
//! - `*` any run, `?` any byte, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges are swapped),
//!   `\x` escapes `x` (also inside brackets).
//! - An unterminated `[` class ends at the end of the pattern.
//! - C reads the NUL terminator past the end of the pattern in a few places; here a read
//!   past the end yields 0, which behaves identically.
//! - Range bounds compare as C's signed `char` on x86 (bytes >= 0x80 are negative), as
//!   Redis does; `nocase` folds ASCII letters only (`tolower` in the C locale).
//! - Recursion (one level per `*`) is capped at 1000 levels like Redis 7.0.15's
//!   CVE-2022-36021 fix: deeper patterns do not match. Once the rest of a pattern after a
//!   `*` is known not to match anywhere, earlier `*`s give up too (Redis's
//!   `skipLongerMatches`), so a hostile pattern costs O(pattern x string), not exponential.

/// Redis's `stringmatchlen`: whether `string` matches the glob `pattern`; `nocase` folds
/// ASCII case as Redis's `nocase = 1` does.
pub fn stringmatchlen(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn lower(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn match_impl(
    pattern: &[u8],
    string: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: u32,
) -> bool {
    if nesting > 1000 {
        return false;
    }
    let (mut p, mut s) = (0usize, 0usize);
    while p < pattern.len() && s < string.len() {
        match pattern[p] {
            b'*' => {
                while p + 1 < pattern.len() && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while s < string.len() {
                    if match_impl(
                        &pattern[p + 1..],
                        &string[s..],
                        nocase,
                        skip_longer,
                        nesting + 1,
                    ) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                // No match of the rest anywhere in the remaining string: earlier stars
                // cannot help either (Redis's skipLongerMatches).
                *skip_longer = true;
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let not = at(pattern, p) == b'^';
                if not {
                    p += 1;
                }
                let mut matched = false;
                let c = string[s];
                loop {
                    if at(pattern, p) == b'\\' && pattern.len() >= p + 2 {
                        p += 1;
                        if pattern[p] == c {
                            matched = true;
                        }
                    } else if at(pattern, p) == b']' {
                        break;
                    } else if p >= pattern.len() {
                        // Unterminated class: step back so the shared `p += 1` below
                        // lands exactly at the end.
                        p -= 1;
                        break;
                    } else if pattern.len() >= p + 3 && pattern[p + 1] == b'-' {
                        // Signed-char comparison, as C on x86.
                        let mut start = pattern[p] as i8 as i32;
                        let mut end = pattern[p + 2] as i8 as i32;
                        let mut ch = c as i8 as i32;
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = lower_i(start);
                            end = lower_i(end);
                            ch = lower_i(ch);
                        }
                        p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if lower(pattern[p], nocase) == lower(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s += 1;
            }
            b'\\' => {
                if pattern.len() >= p + 2 {
                    p += 1;
                }
                if lower(pattern[p], nocase) != lower(string[s], nocase) {
                    return false;
                }
                s += 1;
            }
            other => {
                if lower(other, nocase) != lower(string[s], nocase) {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while at(pattern, p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && s == string.len()
}

fn lower_i(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::stringmatchlen;

    fn matches(pattern: &[u8], string: &[u8]) -> bool {
        stringmatchlen(pattern, string, false)
    }

    #[test]
    fn basics() {
        // Redis quirk: the loop never runs on an empty string, so "*" does not match ""
        // (KEYS and SCAN special-case the pattern "*" before matching).
        assert!(!matches(b"*", b""));
        assert!(matches(b"*", b"anything"));
        assert!(matches(b"", b""));
        assert!(!matches(b"", b"a"));
        assert!(matches(b"h?llo", b"hello"));
        assert!(!matches(b"h?llo", b"hllo"));
        assert!(matches(b"h*llo", b"heeeello"));
        assert!(matches(b"h*llo", b"hllo"));
        assert!(matches(b"h[ae]llo", b"hallo"));
        assert!(!matches(b"h[ae]llo", b"hillo"));
        assert!(matches(b"h[^e]llo", b"hallo"));
        assert!(!matches(b"h[^e]llo", b"hello"));
        assert!(matches(b"h[a-b]llo", b"hbllo"));
        assert!(matches(b"h[b-a]llo", b"hallo"));
        assert!(!matches(b"h[a-b]llo", b"hcllo"));
        assert!(matches(b"a\\*b", b"a*b"));
        assert!(!matches(b"a\\*b", b"axb"));
        assert!(matches(b"[\\]]", b"]"));
        assert!(matches(b"a*", b"a"));
        assert!(matches(b"a**", b"a"));
        assert!(!matches(b"a*b", b"a"));
        assert!(matches(b"*a*b*", b"xxaxxbxx"));
    }

    #[test]
    fn quirks() {
        // Unterminated class: matches a member and then the pattern ends.
        assert!(matches(b"[ab", b"a"));
        assert!(!matches(b"[ab", b"c"));
        // Trailing backslash matches itself.
        assert!(matches(b"a\\", b"a\\"));
        // "[a-]" is the range a..']' (swapped) and then an unterminated class, checked
        // against Redis 7.0.15: matches "]" and "a", not "-".
        assert!(matches(b"[a-]", b"]"));
        assert!(matches(b"[a-]", b"a"));
        assert!(!matches(b"[a-]", b"-"));
        // Empty class never matches; `[]` followed by more reads `]` as terminator.
        assert!(!matches(b"[]", b"a"));
        assert!(matches(b"[^]", b"a"));
    }

    #[test]
    fn deep_and_adversarial_patterns_terminate() {
        let pat = "a*".repeat(2000);
        assert!(!matches(pat.as_bytes(), "a".repeat(3000).as_bytes()));
        let pat = format!("{}b", "*a".repeat(30));
        assert!(!matches(pat.as_bytes(), "a".repeat(60).as_bytes()));
    }

    #[test]
    fn nocase_folds_ascii_only() {
        assert!(stringmatchlen(b"HZ", b"hz", true));
        assert!(!stringmatchlen(b"HZ", b"hz", false));
        assert!(stringmatchlen(b"[A-C]x", b"bX", true));
        assert!(stringmatchlen(b"max*", b"MAXMEMORY", true));
        assert!(!stringmatchlen(b"\xc3\x84", "\u{e4}".as_bytes(), true));
    }

    #[test]
    fn range_bounds_are_signed_chars() {
        // [a-\xff] is the range -1..=97 once swapped: '5' is in it, \x80 (-128) is not.
        assert!(matches(b"[a-\xff]", b"5"));
        assert!(!matches(b"[a-\xff]", b"\x80"));
    }
}
