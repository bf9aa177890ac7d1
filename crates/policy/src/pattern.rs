//! Package patterns (`@acme/*`, `left-pad`, `*`) and value globs (`github.com/acme/*`).
//!
//! In both, `*` matches any run of characters except `/` and `**` matches anything; the bare
//! package pattern `*` is the catch-all and matches every package, scoped or not.

use regex::Regex;

/// A glob over strings such as repositories and workflow refs.
#[derive(Debug, Clone)]
pub struct Glob {
    source: String,
    regex: Regex,
}

impl Glob {
    /// Compiles a glob; fails on an empty pattern or a run of three or more `*`.
    pub fn parse(source: &str) -> Result<Self, String> {
        if source.is_empty() {
            return Err("empty pattern".into());
        }
        if source.contains("***") {
            return Err(format!("pattern '{source}' has '***' (use '*' or '**')"));
        }
        let mut re = String::from("^");
        let mut rest = source;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                re.push_str(".*");
                rest = r;
            } else if let Some(r) = rest.strip_prefix('*') {
                re.push_str("[^/]*");
                rest = r;
            } else {
                let end = rest.find('*').unwrap_or(rest.len());
                re.push_str(&regex::escape(&rest[..end]));
                rest = &rest[end..];
            }
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| format!("pattern '{source}': {e}"))?;
        Ok(Glob {
            source: source.to_string(),
            regex,
        })
    }

    /// True when the whole of `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Number of non-wildcard characters: longer means more specific.
    fn literal_len(&self) -> usize {
        self.source.chars().filter(|c| *c != '*').count()
    }
}

/// The class of a package pattern, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PatternClass {
    /// `left-pad`, `@acme/lib`.
    Exact,
    /// `@acme/*`.
    Scope,
    /// Any other glob: `@acme/lib-*`, `left-*`, `@*/*`.
    Glob,
    /// `*`.
    Any,
}

/// A pattern selecting packages by name.
#[derive(Debug, Clone)]
pub struct PackagePattern {
    class: PatternClass,
    glob: Glob,
}

impl PackagePattern {
    /// The catch-all pattern `*`.
    pub fn any() -> Self {
        PackagePattern::parse("*").expect("'*' is a valid pattern")
    }

    /// Parses and checks a package pattern.
    pub fn parse(source: &str) -> Result<Self, String> {
        check_package_shape(source)?;
        let glob = Glob::parse(source)?;
        let class = if source == "*" {
            PatternClass::Any
        } else if !source.contains('*') {
            PatternClass::Exact
        } else if source.starts_with('@')
            && source.ends_with("/*")
            && !source[..source.len() - 2].contains('*')
        {
            PatternClass::Scope
        } else {
            PatternClass::Glob
        };
        Ok(PackagePattern { class, glob })
    }

    /// True when the pattern covers the package `name`.
    pub fn matches(&self, name: &str) -> bool {
        self.class == PatternClass::Any || self.glob.matches(name)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.glob.as_str()
    }

    /// The class of the pattern.
    pub fn class(&self) -> PatternClass {
        self.class
    }

    /// Sort key: smaller is more specific (class first, then longer literal text).
    pub fn specificity(&self) -> (PatternClass, usize) {
        (self.class, usize::MAX - self.glob.literal_len())
    }
}

/// Checks the characters and the `@scope/name` shape of a package pattern.
fn check_package_shape(source: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~*".contains(c);
    let (scope, name) = match source.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((s, n)) => (Some(s), n),
            None => {
                return Err(format!(
                    "pattern '{source}': a scoped pattern needs '@scope/name'"
                ))
            }
        },
        None => (None, source),
    };
    let parts_ok = scope.is_none_or(|s| !s.is_empty() && s.chars().all(allowed))
        && !name.is_empty()
        && name.chars().all(allowed);
    if !parts_ok {
        return Err(format!(
            "pattern '{source}' is not a package name or glob (letters, digits, - . _ ~ and *, optionally '@scope/')"
        ));
    }
    Ok(())
}

/// Normalises a repository URL to `host/owner/repo` (lower case, no scheme, no `.git`).
///
/// Accepts `https://github.com/o/r`, `git+https://github.com/o/r.git`, `git@github.com:o/r`,
/// `github:o/r` and `github.com/o/r`.
pub fn normalize_repository(url: &str) -> String {
    let mut s = url.trim().to_ascii_lowercase();
    for prefix in ["git+", "https://", "http://", "ssh://", "git://", "git@"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    if let Some(rest) = s.strip_prefix("github:") {
        s = format!("github.com/{rest}");
    }
    s = s.replacen("github.com:", "github.com/", 1);
    let s = s.trim_end_matches('/');
    s.strip_suffix(".git").unwrap_or(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_forms_normalise_alike() {
        for url in [
            "https://github.com/Acme/Lib",
            "git+https://github.com/acme/lib.git",
            "git@github.com:acme/lib.git",
            "github:acme/lib",
            "ssh://git@github.com/acme/lib",
        ] {
            assert_eq!(normalize_repository(url), "github.com/acme/lib", "{url}");
        }
    }

    #[test]
    fn globs() {
        let g = Glob::parse("github.com/acme/*").unwrap();
        assert!(g.matches("github.com/acme/lib") && !g.matches("github.com/acme/lib/sub"));
        assert!(Glob::parse("github.com/**")
            .unwrap()
            .matches("github.com/a/b"));
        assert!(
            Glob::parse("a.b").unwrap().matches("a.b")
                && !Glob::parse("a.b").unwrap().matches("axb")
        );
        assert!(Glob::parse("").is_err() && Glob::parse("***").is_err());
    }

    #[test]
    fn pattern_classes() {
        let class = |p: &str| PackagePattern::parse(p).unwrap().class();
        assert_eq!(class("left-pad"), PatternClass::Exact);
        assert_eq!(class("@acme/*"), PatternClass::Scope);
        assert_eq!(class("@*/*"), PatternClass::Glob);
        assert_eq!(class("@acme/lib-*"), PatternClass::Glob);
        assert_eq!(class("*"), PatternClass::Any);
        for bad in ["@acme", "@/x", "a/b", "a b", "@a/b/c", ""] {
            assert!(PackagePattern::parse(bad).is_err(), "{bad}");
        }
    }
}
