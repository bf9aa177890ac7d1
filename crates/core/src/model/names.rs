//! Names for the lockfile reader's types as they appear in reports.

use sigverify_lockfile::{Input, Source};

/// The report name of what was read.
pub fn input_name(input: Input) -> &'static str {
    match input {
        Input::Shrinkwrap => "shrinkwrap",
        Input::PackageLock => "package-lock",
        Input::HiddenLockfile => "hidden-lockfile",
        Input::NodeModules => "node-modules",
    }
}

/// The report name of how a package was installed.
pub fn source_kind(source: &Source) -> &'static str {
    match source {
        Source::Registry { .. } => "registry",
        Source::Git { .. } => "git",
        Source::Directory { .. } => "directory",
        Source::LocalTarball { .. } => "local-tarball",
        Source::RemoteTarball { .. } => "remote-tarball",
        Source::Workspace { .. } => "workspace",
        Source::Bundled => "bundled",
    }
}

/// The folder name of an `npm:` alias.
pub fn source_alias(source: &Source) -> Option<&str> {
    match source {
        Source::Registry { alias } => alias.as_deref(),
        _ => None,
    }
}
