//! The packument an installer receives: withheld versions removed from `versions` and `time`,
//! dist-tags that pointed at them moved to the best version left, and every tarball URL
//! pointing at the gate (so the bytes come through it and are checked on the way).

use std::collections::BTreeMap;

use semver::Version;
use serde_json::{Map, Value};

use crate::verdict::{Failure, Verdict};

/// What was served and why some versions were not.
#[derive(Debug)]
pub struct Rendered {
    /// The document.
    pub doc: Value,
    /// Versions removed, with why.
    pub removed: Vec<Failure>,
    /// Versions served although the policy fails them (warn mode).
    pub warned: Vec<Failure>,
    /// Dist-tags moved: (tag, from, to or none).
    pub moved: Vec<(String, String, Option<String>)>,
}

/// A dist-tag points at a version whose evidence could not be obtained: moving the tag would
/// silently downgrade every installer, so the packument is not served now (503).
#[derive(Debug)]
pub struct TagUnverifiable(pub String, pub Box<Failure>);

/// Renders the packument `doc` of `name` for installers reaching the gate at `public`.
pub fn render(
    doc: &Value,
    name: &str,
    verdicts: &BTreeMap<String, Verdict>,
    public: &str,
) -> Result<Rendered, TagUnverifiable> {
    let mut doc = doc.clone();
    let mut out = Rendered {
        doc: Value::Null,
        removed: Vec::new(),
        warned: Vec::new(),
        moved: Vec::new(),
    };
    let withheld = |v: &str| verdicts.get(v).is_none_or(Verdict::withheld);
    if let Some(Value::Object(tags)) = doc.get("dist-tags") {
        for (tag, target) in tags {
            let target = target.as_str().unwrap_or_default();
            if let Some(Verdict::Unverifiable(f)) = verdicts.get(target) {
                return Err(TagUnverifiable(tag.clone(), Box::new(f.clone())));
            }
        }
    }
    for (_, verdict) in verdicts.iter() {
        match verdict {
            Verdict::Block(f) | Verdict::Unverifiable(f) => out.removed.push(f.clone()),
            Verdict::Warn(f) => out.warned.push(f.clone()),
            Verdict::Serve => {}
        }
    }
    if let Some(Value::Object(versions)) = doc.get_mut("versions") {
        versions.retain(|v, _| !withheld(v));
        for (_, manifest) in versions.iter_mut() {
            rewrite_tarball(manifest, name, public);
        }
    }
    let kept: Vec<String> = match doc.get("versions") {
        Some(Value::Object(versions)) => versions.keys().cloned().collect(),
        _ => Vec::new(),
    };
    if let Some(Value::Object(time)) = doc.get_mut("time") {
        time.retain(|k, _| matches!(k.as_str(), "created" | "modified") || kept.contains(k));
    }
    if let Some(Value::Object(tags)) = doc.get_mut("dist-tags") {
        out.moved = repair_tags(tags, &kept);
    }
    out.doc = doc;
    Ok(out)
}

/// Moves every tag whose version is gone to the highest version left that is not newer and of
/// the same kind (a release for a release, a prerelease for a prerelease: a `next` channel never
/// falls back to an old stable line); drops it when there is none.
fn repair_tags(
    tags: &mut Map<String, Value>,
    kept: &[String],
) -> Vec<(String, String, Option<String>)> {
    let mut moved = Vec::new();
    let names: Vec<String> = tags.keys().cloned().collect();
    for tag in names {
        let target = tags[&tag].as_str().unwrap_or_default().to_string();
        if kept.contains(&target) {
            continue;
        }
        match replacement(&target, kept) {
            Some(to) => {
                tags.insert(tag.clone(), Value::String(to.clone()));
                moved.push((tag, target, Some(to)));
            }
            None => {
                tags.remove(&tag);
                moved.push((tag, target, None));
            }
        }
    }
    moved
}

fn replacement(target: &str, kept: &[String]) -> Option<String> {
    let target = Version::parse(target).ok()?;
    kept.iter()
        .filter_map(|v| Some((Version::parse(v).ok()?, v)))
        .filter(|(v, _)| *v <= target && v.pre.is_empty() == target.pre.is_empty())
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v.clone())
}

/// `dist.tarball` → `<public><name>/-/<file>`, keeping the upstream's file name (the gate
/// finds the version again by it).
fn rewrite_tarball(manifest: &mut Value, name: &str, public: &str) {
    let Some(dist) = manifest.get_mut("dist").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(upstream) = dist.get("tarball") else {
        return;
    };
    // A URL with no file name (`…/-/`, not a string) or a file name that is not one plain path
    // segment (`x/../../../-/evil.tgz` once decoded) cannot be served through the gate: left
    // as it is, installers would download it from upstream, past the gate's check.
    let file = upstream.as_str().and_then(file_of);
    let Some(file) = file.filter(|f| crate::route::valid_segment(f)) else {
        dist.remove("tarball");
        return;
    };
    let url = format!("{public}{name}/-/{file}");
    dist.insert("tarball".into(), Value::String(url));
}

/// The last path segment of a tarball URL (query and fragment dropped).
pub fn file_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let file = path.rsplit('/').next()?;
    (!file.is_empty()).then(|| crate::route::decode(file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sigverify_codes::Code;

    fn failure(version: &str, code: Code) -> Failure {
        Failure {
            package: format!("a@{version}"),
            version: version.into(),
            check: "registry-signature".into(),
            code,
            message: "bad".into(),
        }
    }

    fn doc() -> Value {
        json!({"name": "a", "dist-tags": {"latest": "1.2.0", "next": "2.0.0-rc.1"},
            "time": {"created": "t", "modified": "t", "1.0.0": "t", "1.1.0": "t", "1.2.0": "t", "2.0.0-rc.1": "t"},
            "versions": {
                "1.0.0": {"dist": {"tarball": "http://up/a/-/a-1.0.0.tgz"}},
                "1.1.0": {"dist": {"tarball": "http://up/a/-/a-1.1.0.tgz"}},
                "1.2.0": {"dist": {"tarball": "http://up/a/-/a-1.2.0.tgz"}},
                "2.0.0-rc.1": {"dist": {"tarball": "http://up/a/-/a-2.0.0-rc.1.tgz"}}}})
    }

    #[test]
    fn withheld_versions_leave_versions_time_and_tags() {
        let mut verdicts: BTreeMap<String, Verdict> = ["1.0.0", "1.1.0", "2.0.0-rc.1"]
            .iter()
            .map(|v| (v.to_string(), Verdict::Serve))
            .collect();
        verdicts.insert(
            "1.2.0".into(),
            Verdict::Block(failure("1.2.0", Code::IntegritySignature)),
        );
        let out = render(&doc(), "a", &verdicts, "http://gate/").unwrap();
        assert!(out.doc["versions"].get("1.2.0").is_none());
        assert!(out.doc["time"].get("1.2.0").is_none());
        assert_eq!(out.doc["time"]["created"], "t");
        assert_eq!(
            out.doc["dist-tags"]["latest"], "1.1.0",
            "never a prerelease for latest"
        );
        assert_eq!(out.doc["dist-tags"]["next"], "2.0.0-rc.1");
        assert_eq!(
            out.doc["versions"]["1.1.0"]["dist"]["tarball"],
            "http://gate/a/-/a-1.1.0.tgz"
        );
        assert_eq!(out.removed[0].short(), "1.2.0 EINTEGRITYSIGNATURE");
    }

    #[test]
    fn a_tarball_file_name_that_is_not_one_segment_gives_no_tarball_url() {
        let mut doc = doc();
        doc["versions"]["1.1.0"]["dist"]["tarball"] =
            json!("http://up/a/-/x%2F..%2F..%2F..%2F-%2Fevil.tgz");
        // No file name at all: left as it was, installers would fetch it from upstream.
        doc["versions"]["1.2.0"]["dist"]["tarball"] = json!("http://up/a/-/");
        let verdicts = ["1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1"]
            .iter()
            .map(|v| (v.to_string(), Verdict::Serve))
            .collect();
        let out = render(&doc, "a", &verdicts, "http://gate/").unwrap();
        for version in ["1.1.0", "1.2.0"] {
            let dist = &out.doc["versions"][version]["dist"];
            assert!(dist.get("tarball").is_none(), "{version}: {dist}");
        }
        assert_eq!(
            out.doc["versions"]["1.0.0"]["dist"]["tarball"],
            "http://gate/a/-/a-1.0.0.tgz"
        );
    }

    #[test]
    fn an_unjudged_version_is_withheld_and_an_unverifiable_tag_target_is_not_moved() {
        let mut verdicts = BTreeMap::new();
        verdicts.insert("1.0.0".to_string(), Verdict::Serve);
        let out = render(&doc(), "a", &verdicts, "http://gate/").unwrap();
        assert_eq!(out.doc["versions"].as_object().unwrap().len(), 1);
        assert_eq!(out.doc["dist-tags"]["latest"], "1.0.0");
        assert!(out.doc["dist-tags"].get("next").is_none());
        verdicts.insert(
            "1.2.0".into(),
            Verdict::Unverifiable(failure("1.2.0", Code::AttestationFetch)),
        );
        let err = render(&doc(), "a", &verdicts, "http://gate/").unwrap_err();
        assert_eq!(err.0, "latest");
    }
}
