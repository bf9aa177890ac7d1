//! `pin`: verify the tree and record each package's verified publishing identity in
//! sigverify.pins.json (existing pins are kept; `--update NAME` replaces them).

use std::fmt::Write;

use sigverify_core::pin_tree;

use crate::error::CliError;
use crate::signal_args::PinArgs;
use crate::{apply_policy, options, provenance_options};

/// Runs `pin`; exit 1 when some packages could not be pinned.
pub async fn run_pin(args: PinArgs) -> Result<(String, i32), CliError> {
    let mut opts = options(
        args.dir.clone(),
        args.lockfile.clone(),
        args.offline.clone(),
        &[],
        &args.evidence,
    );
    opts.provenance = provenance_options(&args.provenance);
    opts.signals = args.signals.overrides();
    apply_policy(&mut opts, &args.policy);
    let run = pin_tree(&opts, &args.update).await?;
    let code = i32::from(!run.outcome.refused.is_empty());
    if args.json {
        let doc = serde_json::json!({ "file": run.path, "outcome": run.outcome });
        return Ok((
            serde_json::to_string_pretty(&doc).expect("json renders"),
            code,
        ));
    }
    let o = &run.outcome;
    let mut text = format!(
        "npm-sigverify pin: {} ({} added, {} updated, {} kept)\n",
        run.path.display(),
        o.added.len(),
        o.updated.len(),
        o.kept
    );
    for (what, list) in [("added", &o.added), ("updated", &o.updated)] {
        if !list.is_empty() {
            let _ = writeln!(text, "  {what}: {}", list.join(", "));
        }
    }
    for (id, why) in &o.refused {
        let _ = writeln!(text, "  not pinned: {id}: {why}");
    }
    if !o.refused.is_empty() {
        text.push_str(
            "  fix: run `npm-sigverify verify` and resolve the failures above, then pin again\n",
        );
    }
    Ok((text, code))
}
