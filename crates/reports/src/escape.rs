//! Escaping for each output language. Every string from the report passes through one of
//! these before it reaches an output: package names and messages are attacker-controlled.

/// Escapes text for XML 1.0 content and attribute values. Characters XML 1.0 cannot carry at
/// all, even as references (most C0 controls, U+FFFE, U+FFFF), are written as `\u{..}` text.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as references so attribute-value normalisation cannot fold them to spaces.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if xml_forbidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Characters outside XML 1.0's `Char` production.
fn xml_forbidden(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || n == 0xFFFE || n == 0xFFFF
}

/// Escapes text for HTML content and quoted attribute values. Control characters other than
/// tab, newline and CR (dropped) are shown as `\u{..}` so they cannot hide in the page.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            // CR means nothing in HTML text; shown as \u{d} it only clutters CRLF messages.
            '\r' => {}
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Makes text safe inside one Markdown table cell: no line breaks, no `|`, no HTML, no
/// emphasis or link syntax (GitHub renders inline HTML in job summaries).
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            // A CRLF pair becomes one space, like a lone CR or LF.
            '\n' if prev == '\r' => {}
            '\r' | '\n' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if hidden_effect(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        prev = c;
    }
    out
}

/// Text for one terminal line: control characters (line breaks, escape sequences, DEL, C1)
/// and the formatting characters that reorder text (bidi overrides, isolates, marks) are shown
/// as `\u{..}`. A file name or registry field holding them could otherwise start a line of its
/// own (a CI log reads `::add-mask::` or `::stop-commands::` there), move the cursor over the
/// summary, hide text or make it read backwards.
pub fn terminal(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(hidden_effect) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match hidden_effect(c) {
            true => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            false => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A character with an effect on how the text around it shows.
fn hidden_effect(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes a GitHub workflow command's message (`::error ...::MESSAGE`): line breaks as GitHub
/// requires, other control and reordering characters as [`terminal`] shows them.
pub fn annotation_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    terminal(&s).into_owned()
}

/// Escapes a GitHub workflow command's property value (`file=`, `title=`): as the message,
/// plus `:` and `,` which would end the value.
pub fn annotation_property(s: &str) -> String {
    annotation_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_controls() {
        assert_eq!(
            xml("a<b>&\"'\u{1}\u{fffe}\n"),
            "a&lt;b&gt;&amp;&quot;&apos;\\u{1}\\u{fffe}&#10;"
        );
    }

    #[test]
    fn html_escapes_markup_and_controls() {
        assert_eq!(
            html("<script>x</script>&'\"\u{7f}"),
            "&lt;script&gt;x&lt;/script&gt;&amp;&#39;&quot;\\u{7f}"
        );
    }

    #[test]
    fn markdown_cell_stays_one_cell() {
        assert_eq!(
            markdown_cell("a|b\nc<img>[x](y)"),
            "a\\|b c&lt;img&gt;\\[x\\](y)"
        );
    }

    #[test]
    fn terminal_text_cannot_start_a_line_or_move_the_cursor() {
        assert_eq!(terminal("plain @acme/x"), "plain @acme/x");
        assert_eq!(
            terminal("a\n::add-mask::x\u{1b}[5A\u{202e}b"),
            "a\\u{a}::add-mask::x\\u{1b}[5A\\u{202e}b"
        );
        assert_eq!(annotation_data("a\u{1b}[8m\nb"), "a\\u{1b}[8m%0Ab");
    }

    #[test]
    fn annotation_escapes_as_github_requires() {
        assert_eq!(annotation_data("50%\r\nx:y,z"), "50%25%0D%0Ax:y,z");
        assert_eq!(annotation_property("50%\r\nx:y,z"), "50%25%0D%0Ax%3Ay%2Cz");
    }
}
