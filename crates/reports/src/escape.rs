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
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        prev = c;
    }
    out
}

/// Escapes a GitHub workflow command's message (`::error ...::MESSAGE`).
pub fn annotation_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
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
    fn annotation_escapes_as_github_requires() {
        assert_eq!(annotation_data("50%\r\nx:y,z"), "50%25%0D%0Ax:y,z");
        assert_eq!(annotation_property("50%\r\nx:y,z"), "50%25%0D%0Ax%3Ay%2Cz");
    }
}
