//! Writing to stdout without ever panicking: a reader that closes the pipe early
//! (`verify --json | head -1`) ends the output quietly, and the command keeps its own exit
//! status (`println!` would panic with "failed printing to stdout: Broken pipe").

use std::io::Write;

use sigverify_core::model::redact::Redactor;

/// Prints `text` (and a newline when it has none) to stdout; a closed stdout is not an error.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(text.as_bytes())
        .and_then(|()| match text.ends_with('\n') || text.is_empty() {
            true => Ok(()),
            false => out.write_all(b"\n"),
        })
        .and_then(|()| out.flush());
    // Any write error (a closed pipe, a full disk) leaves nothing sensible to do with the
    // output; the exit code still says how the command went.
    let _ = result;
}

/// Streams output through `write` to a buffered stdout, then a newline, removing secrets line
/// by line on the way ([`ScrubbedLines`]); a closed stdout is not an error (as [`print`]). For
/// documents too large to build as one string first.
pub fn print_streamed(
    redactor: &Redactor,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) {
    // Buffered on both sides: the scrubber sees 64 KiB at a time instead of every token the
    // JSON writer emits, and stdout (line-buffered) gets large writes, not one per line.
    let stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut out =
        std::io::BufWriter::with_capacity(64 * 1024, ScrubbedLines::new(stdout, redactor));
    let result = write(&mut out)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    let _ = result;
}

/// A writer that removes secrets and URL credentials from each complete line before passing it
/// on: the last line of defence [`print`]'s callers apply to whole texts, for streamed JSON. A
/// secret or a credential URL sits inside one JSON string, and a JSON string never spans lines
/// (a newline in it is written `\n`), so scrubbing by line finds everything scrubbing the whole
/// text would.
pub struct ScrubbedLines<'a, W: Write> {
    inner: W,
    pending: Vec<u8>,
    redactor: &'a Redactor,
}

impl<'a, W: Write> ScrubbedLines<'a, W> {
    pub fn new(inner: W, redactor: &'a Redactor) -> Self {
        ScrubbedLines {
            inner,
            pending: Vec::new(),
            redactor,
        }
    }

    /// Writes the first `end` pending bytes (whole lines, or everything at the end) scrubbed.
    fn emit(&mut self, end: usize) -> std::io::Result<()> {
        // Lines are scrubbed one by one only when the chunk holds something to remove (a
        // secret or a credential never spans lines, so the chunk finds whatever a line would).
        let chunk = &self.pending[..end];
        if !self.redactor.touches(&String::from_utf8_lossy(chunk)) {
            self.inner.write_all(chunk)?;
            self.pending.drain(..end);
            return Ok(());
        }
        for line in self.pending[..end].split_inclusive(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            if self.redactor.touches(&text) {
                self.inner.write_all(self.redactor.text(&text).as_bytes())?;
            } else {
                self.inner.write_all(line)?;
            }
        }
        self.pending.drain(..end);
        Ok(())
    }
}

impl<W: Write> Write for ScrubbedLines<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if buf.contains(&b'\n') {
            let end = self
                .pending
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            self.emit(end)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.emit(self.pending.len())?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_lines_are_scrubbed_like_the_whole_text() {
        let redactor = Redactor::new(["npm_SECRET123".to_string()]);
        let text = "{\n  \"a\": \"token npm_SECRET123 here\",\n  \"b\": \"https://u:p@host/x\",\n  \"c\": \"clean\"\n}";
        // In small pieces (splitting the secret and the URL across writes), and in one piece
        // (one chunk holding clean lines and the ones to scrub).
        for size in [3, text.len()] {
            let mut out = Vec::new();
            {
                let mut writer = ScrubbedLines::new(&mut out, &redactor);
                for piece in text.as_bytes().chunks(size) {
                    writer.write_all(piece).unwrap();
                }
                writer.flush().unwrap();
            }
            let streamed = String::from_utf8(out).unwrap();
            assert_eq!(streamed, redactor.text(text));
            assert!(!streamed.contains("npm_SECRET123") && !streamed.contains("u:p@"));
        }
    }
}
