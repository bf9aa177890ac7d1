//! The incident signals' findings, as checks: failing or advisory per the environment's action
//! for the signal (an excluded package's findings count for nothing).

use super::Checks;
use crate::environment::Environment;
use crate::evidence::PackageEvidence;
use crate::signals::Action;

/// One check per finding, named `signals.<signal>`.
pub(super) fn check(checks: &mut Checks, env: &Environment, ev: &PackageEvidence) {
    for finding in &ev.signals {
        let name = format!("signals.{}", finding.signal.as_str());
        let (code, message, evidence) = (
            finding.code,
            finding.message.clone(),
            finding.evidence.clone(),
        );
        match env.signals.action(finding.signal, &ev.name) {
            Action::Fail => checks.fail(&name, code, message, evidence),
            Action::Warn => checks.warn(&name, code, message, evidence),
            Action::Off => {}
        }
    }
}
