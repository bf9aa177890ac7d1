//! `init`: our lifecycle hooks in (or out of) the project's package.json.

use std::path::{Path, PathBuf};

use crate::error::ManifestError;
use crate::installer::Installer;
use crate::manifest::{add_hooks, remove_hooks, Edit};

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOutcome {
    /// The package.json edited.
    pub path: PathBuf,
    /// The changes (the file is written only when [`Edit::changed`]).
    pub edit: Edit,
    /// The project's package manager (its lockfile's; npm without one), whose way of running
    /// the hooks [`crate::caveat`] explains.
    pub installer: Installer,
}

/// Adds our hooks to `<dir>/package.json`, or takes them out with `remove`.
pub fn init_hooks(dir: &Path, remove: bool) -> Result<InitOutcome, ManifestError> {
    let path = dir.join("package.json");
    let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Io {
        action: "read",
        path: path.clone(),
        source,
    })?;
    let edit = if remove {
        remove_hooks(&text)?
    } else {
        add_hooks(&text)?
    };
    if edit.changed() {
        std::fs::write(&path, &edit.text).map_err(|source| ManifestError::Io {
            action: "write",
            path: path.clone(),
            source,
        })?;
    }
    Ok(InitOutcome {
        path,
        edit,
        installer: installer_of(dir),
    })
}

/// The manager whose lockfile the project has (npm when it has none yet, or it is unreadable:
/// the hooks themselves work for every manager).
fn installer_of(dir: &Path) -> Installer {
    sigverify_lockfile::find_lockfile(dir)
        .and_then(|path| sigverify_lockfile::load_lockfile(&path))
        .map(|tree| Installer::from_manager(tree.manager.as_str()))
        .unwrap_or_default()
}
