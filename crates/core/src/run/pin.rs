//! `npm-sigverify pin`: verify the tree, then record each package's verified publishing
//! identity in the pin file (see [`crate::signals::pins`]).

use std::path::PathBuf;

use sigverify_policy::{Action, SignalKind};

use crate::config::VerifyOptions;
use crate::decide::AppliedPolicy;
use crate::error::VerifyError;
use crate::model::Report;
use crate::run::tree::verify_tree;
use crate::signals::pin_update::{update_pins, PinUpdate};
use crate::signals::pins_file;

/// What `pin` did.
#[derive(Debug, Clone)]
pub struct PinRun {
    /// The verification the pins were taken from.
    pub report: Report,
    /// The pin file written.
    pub path: PathBuf,
    /// Pins added, replaced, kept, and packages refused.
    pub outcome: PinUpdate,
}

/// Verifies the tree of `options` and updates its pin file; `update` names the packages whose
/// pins are replaced with their current identity.
pub async fn pin_tree(options: &VerifyOptions, update: &[String]) -> Result<PinRun, VerifyError> {
    let mut options = options.clone();
    // Pins are compared (as warnings: an --update is expected to differ) and identities read;
    // installed files are not what a pin is about.
    options
        .signals
        .actions
        .insert(SignalKind::Pins, Action::Warn);
    options.contents = false;
    let report = verify_tree(&options).await?;
    let root = PathBuf::from(&report.project);
    let env = options.environment.as_deref();
    let policy = AppliedPolicy::load(&root, &options.policy, env, &options.signals)?;
    let path = pins_file(policy.environment.signals.pins_file.as_ref(), &root);
    let outcome = update_pins(&report, &path, update)?;
    Ok(PinRun {
        report,
        path,
        outcome,
    })
}
