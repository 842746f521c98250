//! C's `<ctype.h>` as Redis sees it: the "C" locale (Redis never calls `setlocale` for
//! LC_CTYPE), where the classes are ASCII-only.

/// C's `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`. Unlike [`u8::is_ascii_whitespace`]
/// it includes `\v` (0x0b), which `sdssplitargs` and `strtod` skip too.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::is_space;

    #[test]
    fn the_six_c_locale_spaces() {
        let spaces: Vec<u8> = (0..=255u8).filter(|&c| is_space(c)).collect();
        assert_eq!(spaces, b"\t\n\x0b\x0c\r ");
    }
}
