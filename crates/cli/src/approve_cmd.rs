//! `approve-scripts`: verify the project and approve the install scripts of the packages named,
//! each by its registry-signed integrity (sigverify.approvals.json).

use std::fmt::Write;
use std::path::PathBuf;

use sigverify_core::verify_tree;
use sigverify_hooks::approve_scripts;

use crate::error::CliError;
use crate::signal_args::ApproveArgs;
use crate::{apply_policy, options, provenance_options};

/// Runs `approve-scripts`.
pub async fn run_approve(args: ApproveArgs) -> Result<(String, i32), CliError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut opts = options(Some(dir.clone()), None, None, &[], &args.evidence);
    opts.provenance = provenance_options(&args.provenance);
    opts.signals = args.signals.overrides();
    apply_policy(&mut opts, &args.policy);
    // The installed tree when there is one (its files compared), else the lockfile alone.
    let installed = dir.join("node_modules").is_dir();
    opts.lockfile_only = !installed;
    opts.contents = installed;
    let report = verify_tree(&opts).await?;
    let root = PathBuf::from(&report.project);
    let done = approve_scripts(&report, &args.packages, &root)
        .map_err(|e| CliError::new(e.code(), e.to_string(), e.remediation()))?;
    if !done.missing.is_empty() {
        let why = format!(
            "not in the tree of {}: {}",
            report.project,
            done.missing.join(", ")
        );
        return Err(CliError::new(
            "ENOTINTREE",
            why,
            "check the names (and versions) against the lockfile",
        ));
    }
    let mut text = String::new();
    if let Some(path) = &done.path {
        let _ = writeln!(text, "npm-sigverify approve-scripts: {}", path.display());
    }
    for id in &done.approved {
        let _ = writeln!(text, "  approved: {id}");
    }
    for (id, why) in &done.refused {
        let _ = writeln!(text, "  not approved: {id}: {why}");
    }
    Ok((text, i32::from(!done.refused.is_empty())))
}
