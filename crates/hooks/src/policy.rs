//! The project's own allow-list of install scripts: package.json
//! `"npm-sigverify": { "allowScripts": ["esbuild", "@acme/*"] }`.

use serde_json::Value;

use crate::error::ManifestError;

/// Which verified packages may run install scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptPolicy {
    /// No allow-list: every verified package may.
    AllVerified,
    /// Only verified packages whose name matches one of these patterns (`*` matches any run of
    /// characters, so `@acme/*` is a whole scope).
    Allow(Vec<String>),
}

impl ScriptPolicy {
    /// Reads the policy from a package.json text.
    pub fn from_manifest(text: &str) -> Result<ScriptPolicy, ManifestError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc: Value =
            serde_json::from_str(text).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        let Some(section) = doc.get("npm-sigverify") else {
            return Ok(ScriptPolicy::AllVerified);
        };
        let section = section.as_object().ok_or(ManifestError::Field {
            field: "npm-sigverify".into(),
            expected: "an object",
        })?;
        let Some(list) = section.get("allowScripts") else {
            return Ok(ScriptPolicy::AllVerified);
        };
        let bad = || ManifestError::Field {
            field: "npm-sigverify.allowScripts".into(),
            expected: "an array of package names or patterns",
        };
        let list = list.as_array().ok_or_else(bad)?;
        let patterns = list
            .iter()
            .map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        Ok(ScriptPolicy::Allow(patterns))
    }

    /// Whether the package `name` may run its install scripts (once verified).
    pub fn allows(&self, name: &str) -> bool {
        match self {
            ScriptPolicy::AllVerified => true,
            ScriptPolicy::Allow(patterns) => patterns.iter().any(|p| glob(p, name)),
        }
    }
}

/// `*` matches any run of characters (including `/`); everything else matches itself.
fn glob(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty(); // no `*`: exact match
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_cases() {
        let cases = [
            ("esbuild", "esbuild", true),
            ("esbuild", "esbuild-wasm", false),
            ("@acme/*", "@acme/tool", true),
            ("@acme/*", "@acme-evil/tool", false),
            ("@acme/*", "@acme", false),
            ("*", "anything", true),
            ("es*d", "esbuild", true),
            ("es*d", "esbuilder", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "acb", false),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(glob(pattern, name), want, "{pattern} vs {name}");
        }
    }

    #[test]
    fn reads_the_allow_list() {
        let text = r#"{"npm-sigverify": {"allowScripts": ["esbuild", "@acme/*"]}}"#;
        let policy = ScriptPolicy::from_manifest(text).unwrap();
        assert!(policy.allows("esbuild") && policy.allows("@acme/x"));
        assert!(!policy.allows("left-pad"));
    }

    #[test]
    fn no_section_allows_every_verified_package() {
        let policy = ScriptPolicy::from_manifest(r#"{"name": "x"}"#).unwrap();
        assert_eq!(policy, ScriptPolicy::AllVerified);
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let policy = ScriptPolicy::from_manifest(r#"{"npm-sigverify": {"allowScripts": []}}"#);
        assert!(!policy.unwrap().allows("esbuild"));
    }

    #[test]
    fn rejects_wrong_shapes() {
        for text in [
            r#"{"npm-sigverify": {"allowScripts": "esbuild"}}"#,
            r#"{"npm-sigverify": {"allowScripts": [1]}}"#,
            r#"{"npm-sigverify": {"allowScripts": [""]}}"#,
            r#"{"npm-sigverify": []}"#,
            r#"{"npm-sigverify": "#,
        ] {
            let err = ScriptPolicy::from_manifest(text).unwrap_err();
            assert_eq!(err.code(), "EPACKAGEJSON", "{text}");
        }
    }
}
