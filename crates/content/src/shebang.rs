//! The one content change npm makes to an installed file: bin-links' `fix-bin`.
//!
//! `bin-links/lib/fix-bin.js` (npm 7-11), run on each package bin after linking it:
//! 1. reads the first 2048 bytes and tests `/^#![^\n]+\r\n/` on them (`isWindowsHashBang`);
//! 2. if it matches, reads the whole file as UTF-8 (`readFile(file, 'utf8')`), replaces
//!    `/^(#![^\n]+)\r\n/` with `$1\n` and writes the string back as UTF-8 (`dos2Unix`).
//!
//! So the only byte removed is the `\r` before the first `\n`, but the UTF-8 round trip also
//! replaces every invalid UTF-8 sequence of the file with U+FFFD. Node and Rust both replace
//! maximal invalid subparts (WHATWG / Unicode recommended practice), so
//! `String::from_utf8_lossy` gives the same bytes; a test with a real `npm install` checks it.

/// How far `isWindowsHashBang` looks for the end of the first line.
const PROBE_LEN: usize = 2048;

/// True when npm's fix-bin would rewrite a file starting with these bytes.
///
/// `prefix` must hold at least the first `min(len, 2048)` bytes of the file.
pub(crate) fn is_windows_hashbang(prefix: &[u8]) -> bool {
    let probe = &prefix[..prefix.len().min(PROBE_LEN)];
    if !probe.starts_with(b"#!") {
        return false;
    }
    // `[^\n]+\r\n` after `#!`: the first LF must have a CR before it and at least one byte
    // between `#!` and that CR. UTF-8 decoding never creates or hides CR/LF bytes, so the
    // byte-level test equals the regex on the decoded string.
    match probe.iter().position(|&b| b == b'\n') {
        Some(lf) => lf >= 4 && probe[lf - 1] == b'\r',
        None => false,
    }
}

/// The bytes fix-bin writes for `content`, or `None` when it leaves the file alone.
pub(crate) fn fix_bin_bytes(content: &[u8]) -> Option<Vec<u8>> {
    if !is_windows_hashbang(content) {
        return None;
    }
    let text = String::from_utf8_lossy(content);
    // Position in the decoded text: the first '\n' stays the first '\n' after decoding.
    let lf = text.find('\n')?;
    let mut fixed = String::with_capacity(text.len());
    fixed.push_str(&text[..lf - 1]);
    fixed.push_str(&text[lf..]);
    Some(fixed.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_only_a_crlf_first_line() {
        assert!(is_windows_hashbang(b"#!/usr/bin/env node\r\nx"));
        assert!(!is_windows_hashbang(b"#!/usr/bin/env node\nx\r\n"));
        assert!(!is_windows_hashbang(b"// no shebang\r\n"));
        // `[^\n]+` needs one byte between `#!` and the CR.
        assert!(!is_windows_hashbang(b"#!\r\n"));
        assert!(is_windows_hashbang(b"#!\r\r\n"));
    }

    #[test]
    fn ignores_a_first_line_longer_than_the_probe() {
        let mut long = b"#!".to_vec();
        long.extend(std::iter::repeat_n(b'a', PROBE_LEN));
        long.extend_from_slice(b"\r\n");
        assert!(!is_windows_hashbang(&long));
    }

    #[test]
    fn fixes_only_the_first_line() {
        let fixed = fix_bin_bytes(b"#!/bin/sh\r\necho\r\n").unwrap();
        assert_eq!(fixed, b"#!/bin/sh\necho\r\n");
    }

    #[test]
    fn replaces_invalid_utf8_like_node() {
        let fixed = fix_bin_bytes(b"#!/bin/sh\r\n\xff\xfe ok").unwrap();
        assert_eq!(fixed, "#!/bin/sh\n\u{fffd}\u{fffd} ok".as_bytes());
    }
}
