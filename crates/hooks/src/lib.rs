//! Install-time protection for npm projects.
//!
//! * `init` puts `npm-sigverify` into the project's npm lifecycle hooks (`preinstall`:
//!   lockfile verification, `postinstall`: installed tree verification), keeping the user's own
//!   scripts and the file's formatting.
//! * `install` is the safe install: verify the lockfile, `npm ci --ignore-scripts`, verify what
//!   landed, then run the install scripts of verified (and allowed) packages only.

mod approvals;
mod approve;
mod ci_flags;
mod error;
mod init;
mod install;
mod jsonedit;
mod manifest;
mod npm;
mod policy;
mod render;
mod scripts;

pub use approvals::{
    Approval, ApprovalFile, Judgement, NpmAllowScripts, ProjectApprovals, APPROVALS_FILE,
};
pub use approve::{approve_scripts, Approved};
pub use error::{InstallError, ManifestError, NpmError};
pub use init::{init_hooks, InitOutcome};
pub use install::{safe_install, Event, InstallOptions, InstallOutcome};
pub use manifest::{add_hooks, remove_hooks, Edit, Hook, HookChange};
pub use npm::default_npm;
pub use policy::ScriptPolicy;
pub use render::{failures, init_text, install_text, NPM_CAVEAT};
pub use scripts::{
    plan_scripts, plan_scripts_with, root_scripts, ScriptPackage, ScriptPlan, Withheld, ROOT_EVENTS,
};
