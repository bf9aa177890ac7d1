//! Finding and loading the policy of a project.
//!
//! Places, in order: an explicit `--policy FILE`; else `.npm-sigverify.yaml`,
//! `.npm-sigverify.yml`, `.npm-sigverify.json` or the `"npm-sigverify"` key of `package.json`
//! at the project root. Two of those at once is an error: a reader could not tell which applies.

use crate::convert::{self, Ctx};
use crate::error::{PolicyError, Position};
use crate::model::Policy;
use crate::node::{self, Value};
use std::path::{Path, PathBuf};

/// The policy file names looked for at the project root.
pub const POLICY_FILES: [&str; 3] = [
    ".npm-sigverify.yaml",
    ".npm-sigverify.yml",
    ".npm-sigverify.json",
];

/// The key of a policy embedded in package.json.
pub const PACKAGE_JSON_KEY: &str = "npm-sigverify";

/// The syntax of a policy text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2.
    Yaml,
    /// Strict JSON.
    Json,
}

/// A policy and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The checked policy (`trust.internalKeys` resolved against the policy file's directory).
    pub policy: Policy,
    /// The file it was read from.
    pub path: PathBuf,
    /// True when it came from the `npm-sigverify` key of package.json.
    pub from_package_json: bool,
}

/// Parses and checks a policy text. `file` names it in error messages.
pub fn load_str(file: &str, text: &str, format: Format) -> Result<Policy, PolicyError> {
    let root = match format {
        Format::Yaml => node::parse_yaml(file, text)?,
        Format::Json => node::parse_json(file, text)?,
    };
    convert::policy(&Ctx { file }, &root)
}

/// The policy text as a JSON value (YAML typed by the YAML 1.2 core schema), e.g. to check it
/// against `schema/npm-sigverify.schema.json` or to print it. Syntax errors only.
pub fn document_json(
    file: &str,
    text: &str,
    format: Format,
) -> Result<serde_json::Value, PolicyError> {
    let root = match format {
        Format::Yaml => node::parse_yaml(file, text)?,
        Format::Json => node::parse_json(file, text)?,
    };
    Ok(node::to_json(&root))
}

/// Finds the project's policy. `Ok(None)` means there is none: npm's behaviour applies.
pub fn discover(
    project_dir: &Path,
    explicit: Option<&Path>,
) -> Result<Option<LoadedPolicy>, PolicyError> {
    if let Some(path) = explicit {
        return load_file(path).map(Some);
    }
    let mut found: Vec<PathBuf> = POLICY_FILES
        .iter()
        .map(|f| project_dir.join(f))
        .filter(|p| p.is_file())
        .collect();
    let from_pkg = load_package_json(&project_dir.join("package.json"))?;
    if let Some(loaded) = &from_pkg {
        found.push(loaded.path.clone());
    }
    if found.len() > 1 {
        let names: Vec<_> = found.iter().map(|p| display_name(p)).collect();
        return Err(PolicyError::Parse {
            file: names[0].clone(),
            pos: Position { line: 1, column: 1 },
            message: format!(
                "several policies found ({}); keep exactly one",
                names.join(", ")
            ),
        });
    }
    match found.pop() {
        None => Ok(None),
        Some(_) if from_pkg.is_some() => Ok(from_pkg),
        Some(path) => load_file(&path).map(Some),
    }
}

/// Loads a policy file; its extension chooses the syntax (`package.json` means its key).
pub fn load_file(path: &Path) -> Result<LoadedPolicy, PolicyError> {
    if path.file_name().is_some_and(|n| n == "package.json") {
        return load_package_json(path)?.ok_or_else(|| PolicyError::Parse {
            file: display_name(path),
            pos: Position { line: 1, column: 1 },
            message: format!(
                "no policy under a \"{PACKAGE_JSON_KEY}\" key in package.json (allowScripts alone is not one)"
            ),
        });
    }
    let text = read(path)?;
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        _ => Format::Yaml,
    };
    let policy = load_str(&display_name(path), &text, format)?;
    Ok(finish(policy, path, false))
}

/// Reads the `npm-sigverify` key of a package.json, if the file and the key exist.
fn load_package_json(path: &Path) -> Result<Option<LoadedPolicy>, PolicyError> {
    if !path.is_file() {
        return Ok(None);
    }
    let name = display_name(path);
    let root = node::parse_json(&name, &read(path)?)?;
    let Value::Map(entries) = &root.value else {
        return Ok(None);
    };
    let Some(entry) = entries.iter().find(|e| e.key == PACKAGE_JSON_KEY) else {
        return Ok(None);
    };
    // `{"allowScripts": [...]}` alone is the safe install's allow-list, not a policy: a project
    // may keep it there beside a policy file.
    if is_install_config_only(&entry.value) {
        return Ok(None);
    }
    let policy = convert::policy(&Ctx { file: &name }, &entry.value)?;
    Ok(Some(finish(policy, path, true)))
}

/// Resolves the paths a policy names (`trust.internalKeys`, `trust.sigstoreRoot`, the
/// certificate authorities' files, `signals.pins.file`) against the directory of the policy file.
fn finish(mut policy: Policy, path: &Path, from_package_json: bool) -> LoadedPolicy {
    let dir = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: &mut std::path::PathBuf| {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    };
    let trust = &mut policy.trust;
    let files = [
        trust.internal_keys.as_mut(),
        trust.sigstore_root.as_mut(),
        policy.signals.pins_file.as_mut(),
    ];
    files.into_iter().flatten().for_each(resolve);
    for ca in policy.trust.certificate_authorities.values_mut() {
        let lists = [
            &mut ca.roots,
            &mut ca.intermediates,
            &mut ca.crls,
            &mut ca.timestamp_authorities,
        ];
        lists.into_iter().flatten().for_each(resolve);
    }
    LoadedPolicy {
        policy,
        path: path.to_path_buf(),
        from_package_json,
    }
}

fn read(path: &Path) -> Result<String, PolicyError> {
    std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// True for a package.json `npm-sigverify` object holding nothing but `allowScripts`.
fn is_install_config_only(node: &node::Node) -> bool {
    match &node.value {
        Value::Map(entries) => {
            !entries.is_empty() && entries.iter().all(|e| e.key == "allowScripts")
        }
        _ => false,
    }
}

/// The name shown in messages: the path as given.
fn display_name(path: &Path) -> String {
    path.display().to_string()
}
