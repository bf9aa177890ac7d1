//! Release lines: the versions a signal compares a version with.
//!
//! A release line is a semver major, or `0.MINOR` below 1.0.0 (semver treats each 0.x minor as
//! breaking), as in provenance-downgrade detection. Never compared across lines: a new major
//! may be published another way (pnpm #10202). "Earlier" is by semver precedence only, never by
//! the registry's `time`, which is unsigned and which mirrors drop or reorder; a backport
//! `1.2.9` published after `1.3.0` is compared with `1.2.8`.

use node_semver::Version;

/// The release line of a version (`2`, `0.4`), or `None` when it is not semver.
pub(crate) fn release_line(version: &str) -> Option<String> {
    let v = Version::parse(version.trim()).ok()?;
    Some(match v.major {
        0 => format!("0.{}", v.minor),
        major => major.to_string(),
    })
}

/// The at most `n` nearest versions of `version`'s release line below it, nearest first.
pub(crate) fn earlier_in_line<'a>(
    versions: impl Iterator<Item = &'a str>,
    version: &str,
    n: usize,
) -> Vec<String> {
    let (Ok(own), Some(line)) = (Version::parse(version.trim()), release_line(version)) else {
        return Vec::new();
    };
    let mut earlier: Vec<(Version, &str)> = versions
        .filter_map(|v| Some((Version::parse(v.trim()).ok()?, v)))
        .filter(|(parsed, v)| *parsed < own && release_line(v).as_ref() == Some(&line))
        .collect();
    earlier.sort_by(|a, b| b.0.cmp(&a.0));
    earlier
        .into_iter()
        .take(n)
        .map(|(_, v)| v.to_string())
        .collect()
}

/// True when `to` is a patch or minor update of `from` (same major, higher version).
pub(crate) fn is_minor_or_patch_update(from: &str, to: &str) -> bool {
    match (Version::parse(from.trim()), Version::parse(to.trim())) {
        (Ok(from), Ok(to)) => from.major == to.major && to > from,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_earlier_versions() {
        assert_eq!(release_line("2.3.1").as_deref(), Some("2"));
        assert_eq!(release_line("0.4.7-beta.1").as_deref(), Some("0.4"));
        assert_eq!(release_line("latest"), None);
        let all = [
            "1.0.0",
            "1.1.0",
            "1.2.9",
            "1.3.0",
            "2.0.0",
            "0.9.0",
            "1.3.1-rc.1",
            "junk",
        ];
        let earlier = |v: &str, n| earlier_in_line(all.iter().copied(), v, n);
        assert_eq!(earlier("1.3.1", 3), ["1.3.1-rc.1", "1.3.0", "1.2.9"]);
        assert_eq!(earlier("1.3.0", 10), ["1.2.9", "1.1.0", "1.0.0"]);
        assert_eq!(
            earlier("2.0.0", 10),
            Vec::<String>::new(),
            "never across majors"
        );
        assert_eq!(earlier("1.0.0", 10), Vec::<String>::new());
        assert!(is_minor_or_patch_update("1.2.3", "1.3.0"));
        assert!(!is_minor_or_patch_update("1.2.3", "2.0.0"));
        assert!(!is_minor_or_patch_update("1.2.3", "1.2.2"));
    }
}
