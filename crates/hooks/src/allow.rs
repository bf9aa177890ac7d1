//! The package manager's own allow-list of install scripts, honoured on top of ours: a package
//! runs its scripts under `npm-sigverify install` only if the manager would have run them too.
//!
//! - pnpm 10+: only `onlyBuiltDependencies` (package.json `pnpm` section or
//!   pnpm-workspace.yaml), or the names `allowBuilds` maps to `true`; without either list,
//!   none (pnpm 10's default).
//! - Bun: only `trustedDependencies` (package.json). Bun also trusts a built-in list of
//!   popular packages; we do not ship it, so without the field none run (stricter).
//! - Yarn 2-4: all, except with `enableScripts: false` (.yarnrc.yml) or
//!   `dependenciesMeta["<name>"].built: false`.
//! - npm: all, unless `ignore-scripts` is set (then none, as `npm ci` would run none); Yarn 1:
//!   all (npm's own `allowScripts` and ours are in [`crate::policy`]).

use std::path::Path;

use serde_json::Value;

use crate::installer::Installer;

/// Whose scripts the manager would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagerAllowList {
    /// Every package's.
    All,
    /// Only these names'; `source` says where the list comes from (for messages).
    Only {
        /// Allowed package names.
        names: Vec<String>,
        /// The setting that lists them.
        source: &'static str,
    },
    /// No package's: the manager's scripts are off.
    Off {
        /// The setting.
        source: &'static str,
    },
    /// Every package's except these names'.
    AllBut {
        /// Names whose builds are off.
        names: Vec<String>,
        /// The setting.
        source: &'static str,
    },
}

impl ManagerAllowList {
    /// Reads the list `installer` applies in the project `dir`.
    pub fn read(dir: &Path, installer: Installer) -> ManagerAllowList {
        let manifest = read_json(&dir.join("package.json"));
        match installer {
            Installer::Pnpm => pnpm(dir, &manifest),
            Installer::Bun => ManagerAllowList::Only {
                names: strings(&manifest["trustedDependencies"]),
                source: "Bun's trustedDependencies",
            },
            Installer::YarnBerry => berry(dir, &manifest),
            Installer::Npm => npm(dir),
            Installer::YarnClassic => ManagerAllowList::All,
        }
    }

    /// Whether the manager would run `name`'s install scripts; `Err` says which setting stops them.
    pub fn check(&self, name: &str) -> Result<(), String> {
        match self {
            ManagerAllowList::All => Ok(()),
            ManagerAllowList::Off { source } => Err(format!("{source} turns install scripts off")),
            ManagerAllowList::Only { names, source } if !names.iter().any(|n| n == name) => {
                Err(format!("not in {source}"))
            }
            ManagerAllowList::AllBut { names, source } if names.iter().any(|n| n == name) => {
                Err(format!("its builds are off in {source}"))
            }
            _ => Ok(()),
        }
    }
}

/// `pnpm-workspace.yaml` as JSON (`Null` when there is none or it cannot be read).
pub(crate) fn pnpm_workspace(dir: &Path) -> Value {
    sigverify_lockfile::read_regular_text(
        &dir.join("pnpm-workspace.yaml"),
        sigverify_lockfile::MANIFEST_LIMIT,
    )
    .ok()
    .and_then(|t| yaml_rust2::YamlLoader::load_from_str(&t).ok())
    .and_then(|docs| docs.into_iter().next())
    .map(|doc| yaml_to_json(&doc))
    .unwrap_or_default()
}

/// npm runs no package's scripts with `ignore-scripts` set (in an npmrc or `npm_config_*`).
fn npm(dir: &Path) -> ManagerAllowList {
    let overrides = sigverify_core::npmrc::ConfigOverrides::default();
    let config = sigverify_core::npmrc::NpmConfig::load(dir, &overrides).ok();
    match config.as_ref().and_then(|c| c.get("ignore-scripts")) {
        Some("true") => ManagerAllowList::Off {
            source: "npm's ignore-scripts setting",
        },
        _ => ManagerAllowList::All,
    }
}

/// pnpm 10 reads these lists from package.json's `pnpm` field when there is one, else from
/// pnpm-workspace.yaml (measured with pnpm 10.34: with a `pnpm` field, the workspace file's
/// list builds nothing); later pnpm reads the workspace file. When both hold a list, only the
/// names both allow run: no pnpm would run a name only one of them lists (a list added to the
/// file pnpm ignores must not widen ours).
fn pnpm(dir: &Path, manifest: &Value) -> ManagerAllowList {
    let workspace = pnpm_workspace(dir);
    let in_manifest = manifest["pnpm"]
        .as_object()
        .map(|_| allowed_builds(&manifest["pnpm"]));
    let in_workspace = lists_builds(&workspace).then(|| allowed_builds(&workspace));
    let names = match (in_manifest, in_workspace) {
        (Some(mine), Some(theirs)) => mine.into_iter().filter(|n| theirs.contains(n)).collect(),
        (Some(names), None) | (None, Some(names)) => names,
        (None, None) => Vec::new(),
    };
    ManagerAllowList::Only {
        names,
        source: "pnpm's onlyBuiltDependencies / allowBuilds",
    }
}

/// True when a pnpm settings section holds a build allow-list.
fn lists_builds(section: &Value) -> bool {
    section.get("onlyBuiltDependencies").is_some() || section.get("allowBuilds").is_some()
}

/// The names a pnpm settings section allows to build.
fn allowed_builds(section: &Value) -> Vec<String> {
    let mut names = strings(&section["onlyBuiltDependencies"]);
    if let Some(map) = section["allowBuilds"].as_object() {
        names.extend(
            map.iter()
                .filter(|(_, v)| v == &&Value::Bool(true))
                .map(|(k, _)| k.clone()),
        );
    }
    names
}

/// Yarn's `enableScripts` off: in `.yarnrc.yml` (a YAML boolean, or the strings Yarn reads as
/// false) or `YARN_ENABLE_SCRIPTS`, which wins over the file.
fn berry_scripts_off(dir: &Path) -> bool {
    let off = |text: &str| matches!(text.trim().to_ascii_lowercase().as_str(), "false" | "0");
    if let Ok(value) = std::env::var("YARN_ENABLE_SCRIPTS") {
        return off(&value);
    }
    let text = sigverify_lockfile::read_regular_text(
        &dir.join(".yarnrc.yml"),
        sigverify_lockfile::MANIFEST_LIMIT,
    )
    .unwrap_or_default();
    // Line by line too: a spelling our YAML reader refuses (a tab) may be one Yarn reads.
    let by_line = text.lines().any(|line| {
        let setting: String = line
            .split('#')
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect();
        setting.strip_prefix("enableScripts:").is_some_and(off)
    });
    let parsed = yaml_rust2::YamlLoader::load_from_str(&text)
        .ok()
        .and_then(|docs| docs.into_iter().next())
        .map(|doc| yaml_to_json(&doc))
        .unwrap_or_default();
    by_line
        || match &parsed["enableScripts"] {
            Value::Bool(enabled) => !enabled,
            Value::String(text) => off(text),
            _ => false,
        }
}

fn berry(dir: &Path, manifest: &Value) -> ManagerAllowList {
    if berry_scripts_off(dir) {
        return ManagerAllowList::Off {
            source: ".yarnrc.yml enableScripts: false",
        };
    }
    let names = manifest["dependenciesMeta"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, meta)| meta["built"] == Value::Bool(false))
                .map(|(k, _)| strip_range(k))
                .collect()
        })
        .unwrap_or_default();
    ManagerAllowList::AllBut {
        names,
        source: "package.json dependenciesMeta",
    }
}

/// `name@range` keys of dependenciesMeta -> `name` (scoped names keep their leading `@`).
fn strip_range(key: &str) -> String {
    match key[1..].find('@') {
        Some(i) => key[..i + 1].to_string(),
        None => key.to_string(),
    }
}

/// The parts of a YAML document the lists need (maps with string keys, sequences, scalars).
fn yaml_to_json(yaml: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match yaml {
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), yaml_to_json(v))))
                .collect(),
        ),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        _ => Value::Null,
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn read_json(path: &Path) -> Value {
    sigverify_lockfile::read_regular_text(path, sigverify_lockfile::MANIFEST_LIMIT)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_allow_what_their_manager_would_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"pnpm":{"onlyBuiltDependencies":["esbuild"]},"trustedDependencies":["sharp"],
               "dependenciesMeta":{"fsevents@2.3.3":{"built":false},"@s/x":{"built":false}}}"#,
        )
        .unwrap();
        let pnpm = ManagerAllowList::read(dir.path(), Installer::Pnpm);
        assert!(pnpm.check("esbuild").is_ok());
        assert!(pnpm
            .check("sharp")
            .unwrap_err()
            .contains("onlyBuiltDependencies"));
        let bun = ManagerAllowList::read(dir.path(), Installer::Bun);
        assert!(bun.check("sharp").is_ok());
        assert!(bun.check("esbuild").is_err());
        let berry = ManagerAllowList::read(dir.path(), Installer::YarnBerry);
        assert!(berry.check("fsevents").is_err());
        assert!(berry.check("@s/x").is_err());
        assert!(berry.check("esbuild").is_ok());
        assert_eq!(
            ManagerAllowList::read(dir.path(), Installer::Npm),
            ManagerAllowList::All
        );
        std::fs::write(dir.path().join(".yarnrc.yml"), "enableScripts: false\n").unwrap();
        let off = ManagerAllowList::read(dir.path(), Installer::YarnBerry);
        assert!(off.check("esbuild").is_err());
        for spelled in [
            "enableScripts:\tfalse\n",
            "enableScripts: \"false\"\n",
            "enableScripts: 'false' # no\n",
        ] {
            std::fs::write(dir.path().join(".yarnrc.yml"), spelled).unwrap();
            let off = ManagerAllowList::read(dir.path(), Installer::YarnBerry);
            assert!(off.check("esbuild").is_err(), "{spelled:?}");
        }
        std::fs::write(dir.path().join(".yarnrc.yml"), "enableScripts: true\n").unwrap();
        let on = ManagerAllowList::read(dir.path(), Installer::YarnBerry);
        assert!(on.check("esbuild").is_ok());
    }

    /// pnpm 10 reads package.json's `pnpm` lists when that field exists, else the workspace
    /// file's: a name only the other file lists never runs.
    #[test]
    fn pnpm_lists_in_two_files_allow_only_what_both_allow() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        let pnpm = || ManagerAllowList::read(dir.path(), Installer::Pnpm);
        write(
            "package.json",
            r#"{"pnpm":{"onlyBuiltDependencies":["tool"]}}"#,
        );
        write("pnpm-workspace.yaml", "onlyBuiltDependencies:\n  - evil\n");
        assert!(
            pnpm().check("evil").is_err(),
            "listed by the file pnpm 10 ignores"
        );
        assert!(
            pnpm().check("tool").is_err(),
            "listed by the file later pnpm ignores"
        );
        write(
            "pnpm-workspace.yaml",
            "onlyBuiltDependencies:\n  - evil\n  - tool\n",
        );
        assert!(pnpm().check("tool").is_ok());
        assert!(pnpm().check("evil").is_err());
        // A pnpm field without a list: pnpm 10 builds nothing, whatever the workspace lists.
        write("package.json", r#"{"pnpm":{"overrides":{}}}"#);
        assert!(pnpm().check("tool").is_err());
        // No pnpm field: the workspace file decides.
        write("package.json", r#"{"name":"p"}"#);
        assert!(pnpm().check("tool").is_ok());
        write(
            "pnpm-workspace.yaml",
            "allowBuilds:\n  tool: true\n  evil: false\n",
        );
        assert!(pnpm().check("tool").is_ok());
        assert!(pnpm().check("evil").is_err());
    }
}
