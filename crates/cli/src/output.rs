//! Writing to stdout without ever panicking: a reader that closes the pipe early
//! (`verify --json | head -1`) ends the output quietly, and the command keeps its own exit
//! status (`println!` would panic with "failed printing to stdout: Broken pipe").

use std::io::Write;

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
