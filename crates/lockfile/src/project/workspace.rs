//! Workspace globs of the root `package.json` (`"workspaces": ["packages/*"]`).
//!
//! npm expands them with `@npmcli/map-workspaces` (minimatch); the subset needed to tell
//! whether a folder is a workspace is: `*` and `?` within one path segment, `**` for any
//! number of segments, a leading `./`, a trailing `/`, and `!` to exclude.

/// The compiled workspace patterns of one project.
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspaces {
    include: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
}

impl Workspaces {
    /// Compiles the patterns as written in `package.json`.
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ws = Workspaces::default();
        for pattern in patterns {
            match pattern.strip_prefix('!') {
                Some(negated) => ws.exclude.push(segments(negated)),
                None => ws.include.push(segments(pattern)),
            }
        }
        ws
    }

    /// Whether the folder at `path` (relative to the root, `/`-separated) is a workspace.
    pub(crate) fn matches(&self, path: &str) -> bool {
        let path = segments(path);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        // A folder inside node_modules is never a workspace, whatever the glob says.
        if path.contains(&"node_modules") {
            return false;
        }
        let hit = |pats: &Vec<Vec<String>>| pats.iter().any(|p| match_segments(p, &path));
        hit(&self.include) && !hit(&self.exclude)
    }
}

fn segments(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in path.split('/').filter(|s| !s.is_empty() && *s != ".") {
        // `**/**` is the same as `**`; collapsing keeps matching polynomial.
        if !(seg == "**" && out.last().is_some_and(|l| l == "**")) {
            out.push(seg.to_string());
        }
    }
    out
}

/// One pass per pattern segment over the path, O(pattern × path): backtracking over where
/// each `**` ends was exponential in the number of `**` (`**/a/**/a/…/**/b` on `a/a/…/a`).
fn match_segments(pattern: &[String], path: &[&str]) -> bool {
    // reach[j]: the pattern segments seen so far match exactly the first j path segments.
    let mut reach = vec![false; path.len() + 1];
    reach[0] = true;
    for seg in pattern {
        if seg == "**" {
            // Any number of segments: every prefix at or after a reachable one is reachable.
            let mut seen = false;
            for r in reach.iter_mut() {
                seen |= *r;
                *r = seen;
            }
        } else {
            for j in (1..=path.len()).rev() {
                reach[j] = reach[j - 1] && match_glob(seg, path[j - 1]);
            }
            reach[0] = false;
        }
    }
    reach[path.len()]
}

/// The longest folder name a file system holds (NAME_MAX). Longer segments never name a real
/// folder and never match: `glob_chars` is O(pattern × name), minutes for 100 KB names.
const MAX_SEGMENT: usize = 255;

/// `*` and `?` within one segment; a leading dot is only matched literally (minimatch).
fn match_glob(pattern: &str, text: &str) -> bool {
    if text.len() > MAX_SEGMENT || pattern.len() > MAX_SEGMENT {
        return false;
    }
    if text.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_chars(&p, &t)
}

/// Wildcard match with one backtrack point: linear-ish even for hostile `*a*a*a*` patterns.
fn glob_chars(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            // Let the last `*` swallow one more character and retry.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::Workspaces;

    #[test]
    fn star_matches_one_segment() {
        let ws = Workspaces::new(["packages/*"]);
        assert!(ws.matches("packages/a"));
        assert!(ws.matches("./packages/a/"));
        assert!(!ws.matches("packages/a/b"));
        assert!(!ws.matches("packages"));
        assert!(!ws.matches("packages/.hidden"));
        assert!(!ws.matches("other/a"));
    }

    #[test]
    fn plain_folder_and_globstar() {
        let ws = Workspaces::new(["./tools/cli", "apps/**"]);
        assert!(ws.matches("tools/cli"));
        assert!(!ws.matches("tools/other"));
        assert!(ws.matches("apps/web"));
        assert!(ws.matches("apps/web/nested"));
        assert!(!ws.matches("apps/web/node_modules/x"));
    }

    #[test]
    fn negation_and_question_mark() {
        let ws = Workspaces::new(["pkg-?", "libs/*", "!libs/legacy"]);
        assert!(ws.matches("pkg-a"));
        assert!(!ws.matches("pkg-ab"));
        assert!(Workspaces::new(["*a*b*"]).matches("xaybz"));
        assert!(!Workspaces::new(["*a*b*"]).matches("xbya"));
        assert!(ws.matches("libs/new"));
        assert!(!ws.matches("libs/legacy"));
    }

    #[test]
    fn no_patterns_match_nothing() {
        assert!(!Workspaces::new([]).matches("packages/a"));
    }
}
