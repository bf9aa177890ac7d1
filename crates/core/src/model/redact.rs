//! Keeping secrets out of every output: credentials inside URLs (`https://user:password@host/`)
//! and configured tokens are replaced by `***` in the report, and so in `--json`, every report
//! format, the audit log, `--trace` and error messages, which are all rendered from it.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What to hide.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Configured secrets (tokens, passwords, `_auth` values), hidden wherever they appear.
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these secrets (empty and very short values are ignored: hiding `a`
    /// everywhere would garble the output without protecting anything).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        // Longest first, so a secret that contains another is hidden whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with URL credentials and every configured secret replaced by `***`.
    pub fn text(&self, text: &str) -> String {
        let mut out = url_credentials(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }

    /// True when `text` would change.
    pub fn touches(&self, text: &str) -> bool {
        has_url_credentials(text) || self.secrets.iter().any(|s| text.contains(s.as_str()))
    }

    /// `value` with every string in it redacted (through its JSON form, so no field can be
    /// forgotten). A value with nothing to hide is returned as it is.
    pub fn value<T: Serialize + DeserializeOwned>(&self, value: T) -> T {
        // The compact JSON text holds every string of `value`, each character escaped on its
        // own: a secret (raw or in its escaped form) or a URL with credentials found nowhere in
        // it is in no string either, and the value's tree (millions of allocations for a big
        // report) is never built.
        match serde_json::to_string(&value) {
            Ok(text) if !self.touches_json(&text) => return value,
            Ok(_) => {}
            Err(_) => return value,
        }
        let Ok(mut json) = serde_json::to_value(&value) else {
            return value;
        };
        if !self.walk(&mut json) {
            return value;
        }
        serde_json::from_value(json).unwrap_or(value)
    }

    /// True when a JSON text may hold something to hide (keys too: it may say yes needlessly,
    /// never no wrongly).
    fn touches_json(&self, text: &str) -> bool {
        has_url_credentials(text)
            || self.secrets.iter().any(|s| {
                let escaped = serde_json::to_string(s).unwrap_or_default();
                let escaped = escaped.trim_matches('"');
                text.contains(s.as_str()) || text.contains(escaped)
            })
    }

    /// Redacts every string of `json` in place; true when something changed.
    fn walk(&self, json: &mut Value) -> bool {
        match json {
            Value::String(s) if self.touches(s) => {
                *s = self.text(s);
                true
            }
            Value::Array(items) => items.iter_mut().fold(false, |c, v| self.walk(v) | c),
            Value::Object(map) => map.values_mut().fold(false, |c, v| self.walk(v) | c),
            _ => false,
        }
    }
}

/// One URL with its user information removed.
pub fn url(text: &str) -> String {
    url_credentials(text)
}

/// Every `scheme://user[:password]@host` in `text` becomes `scheme://***@host`.
fn url_credentials(text: &str) -> String {
    if !has_url_credentials(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(authority_end).unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn has_url_credentials(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let tail = &rest[i + 3..];
        let end = tail.find(authority_end).unwrap_or(tail.len());
        if tail[..end].contains('@') {
            return true;
        }
        rest = &tail[end..];
    }
    false
}

/// Where the part of a URL that may hold credentials ends: at its path or query, or where the
/// URL itself ends in a text. Not at `,` `'` `)` `]` `#`: a password may hold those unencoded
/// (URL parsers keep the sub-delimiters in user information, and a `#` in a password makes the
/// URL invalid, and then echoed as written), and the part is redacted up to its last `@` only.
fn authority_end(c: char) -> bool {
    matches!(c, '/' | '?' | '"' | '<' | '>' | '`' | '\\') || c.is_whitespace()
}

/// The user information of every URL in `value` (an npm setting: a registry, a proxy), whole
/// and as its password alone, read leniently (up to the last `@` before the host), so a URL no
/// parser accepts is covered too: as configured secrets they are hidden wherever they appear.
pub fn url_secrets(value: &str) -> Vec<String> {
    // A URL a parser accepts names its own user information (an `@` in its path is none).
    if let Ok(url) = url::Url::parse(value.trim()) {
        return url.password().map(str::to_string).into_iter().collect();
    }
    let mut secrets = Vec::new();
    for (i, _) in value.match_indices("://") {
        let tail = &value[i + 3..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let Some(at) = tail[..end].rfind('@') else {
            continue;
        };
        let user_info = &tail[..at];
        secrets.push(user_info.to_string());
        if let Some((_, password)) = user_info.split_once(':') {
            secrets.push(password.to_string());
        }
    }
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_hidden_everywhere_in_a_text() {
        let text =
            "GET https://alice:s3cret@r.test/a/-/a-1.tgz failed; see http://bob@x.test:8080/?q";
        assert_eq!(
            url_credentials(text),
            "GET https://***@r.test/a/-/a-1.tgz failed; see http://***@x.test:8080/?q"
        );
        assert_eq!(
            url_credentials("mail a@b.c and https://r.test/x"),
            "mail a@b.c and https://r.test/x"
        );
        assert_eq!(
            url("git+ssh://git@github.com/o/r.git"),
            "git+ssh://***@github.com/o/r.git"
        );
        // Passwords with the characters URL parsers keep unencoded, or that break the URL.
        for (password, shown) in [
            ("Up,streamS3cret", "'http://***@127.0.0.1:9/plain'"),
            ("a'b)c]d", "'http://***@127.0.0.1:9/plain'"),
            ("S3cr#etPW", "'http://***@127.0.0.1:9/plain'"),
        ] {
            let text = format!("'http://gate:{password}@127.0.0.1:9/plain'");
            assert_eq!(url_credentials(&text), shown, "{password}");
        }
        // A scoped package's URL names no user.
        let scoped = "https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz (see http://r.test)";
        assert_eq!(url_credentials(scoped), scoped);
    }

    #[test]
    fn url_settings_give_their_user_information_as_secrets() {
        assert_eq!(
            url_secrets("http://ci-bot:S3cr/et?PW@127.0.0.1:8/"),
            ["ci-bot:S3cr/et?PW", "S3cr/et?PW"]
        );
        assert!(url_secrets("https://registry.npmjs.org/").is_empty());
        // An `@` in a valid URL's path is no user information (a scoped registry path).
        assert!(url_secrets("https://npm.pkg.github.com/@acme").is_empty());
        assert_eq!(
            url_secrets("https://ci-bot:S3cr,etPW@r.test/@acme"),
            ["S3cr,etPW"]
        );
        let r = Redactor::new(url_secrets("http://ci-bot:S3cr/et?PW@127.0.0.1:8/"));
        assert_eq!(
            r.text("cannot reach http://ci-bot:S3cr/et?PW@127.0.0.1:8/x"),
            "cannot reach http://***@127.0.0.1:8/x"
        );
    }

    #[test]
    fn secrets_with_characters_json_escapes_are_hidden_too() {
        let secret = "pa\"ss\\word\n1";
        let r = Redactor::new([secret.to_string()]);
        let value = serde_json::json!({ "m": format!("auth {secret} failed"), "k": "clean" });
        let clean = r.value(value);
        assert_eq!(clean["m"], "auth *** failed");
        assert_eq!(clean["k"], "clean");
        let untouched = serde_json::json!({ "m": "nothing here" });
        assert_eq!(r.value(untouched.clone()), untouched);
    }

    #[test]
    fn secrets_are_hidden_inside_any_value() {
        let r = Redactor::new(["npm_TOKEN123".to_string(), "x".to_string()]);
        let value =
            serde_json::json!({ "a": ["token npm_TOKEN123", { "u": "https://u:p@h/" }], "n": 1 });
        let clean = r.value(value);
        let text = clean.to_string();
        assert!(
            !text.contains("npm_TOKEN123") && !text.contains("u:p@"),
            "{text}"
        );
        assert!(text.contains("***"));
        assert_eq!(r.text("x marks"), "x marks");
    }
}
