//! Install-time protection for npm, pnpm, Yarn and Bun projects.
//!
//! * `init` puts `npm-sigverify` into the project's lifecycle hooks (`preinstall`: lockfile
//!   verification, `postinstall`: installed tree verification), keeping the user's own scripts
//!   and the file's formatting, and says how the project's manager runs them.
//! * `install` is the safe install: verify the lockfile, install it with the project's manager
//!   and every script off, verify what landed, then run the install scripts of the packages the
//!   policy accepts (and the project's and the manager's allow-lists admit) only.

mod allow;
mod approvals;
mod approve;
mod ci_flags;
mod error;
mod init;
mod install;
mod installer;
mod jsonedit;
mod lifecycle;
mod manifest;
mod npm;
mod policy;
mod preflight;
mod render;
mod scripts;

pub use allow::ManagerAllowList;
pub use approvals::{
    Approval, ApprovalFile, Judgement, NpmAllowScripts, ProjectApprovals, APPROVALS_FILE,
};
pub use approve::{approve_scripts, Approved};
pub use error::{InstallError, ManifestError, NpmError};
pub use init::{init_hooks, InitOutcome};
pub use install::{safe_install, Event, InstallOptions, InstallOutcome};
pub use installer::Installer;
pub use manifest::{add_hooks, remove_hooks, Edit, Hook, HookChange};
pub use npm::{default_npm, Command};
pub use policy::ScriptPolicy;
pub use render::{caveat, failures, init_text, install_text, NPM_CAVEAT};
pub use scripts::{
    plan_scripts, plan_scripts_with, root_scripts, ScriptPackage, ScriptPlan, Withheld, ROOT_EVENTS,
};
