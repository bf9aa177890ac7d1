//! The `npm ci` flags the safe install passes through from the user, and the check that
//! refuses every other argument.

/// The `npm ci` flags a user may pass through `install -- ...`. Everything else is refused: a
/// `--` would turn our `--ignore-scripts` into a positional argument, npm accepts abbreviated
/// and negated flags (`--ignore-script=false`, `--no-ignore-scripts`), and `--prefix` or
/// `--global` would install somewhere the verification never looks.
pub(crate) const ALLOWED_CI_FLAGS: [&str; 22] = [
    "--omit",
    "--include",
    "--audit",
    "--no-audit",
    "--fund",
    "--no-fund",
    "--loglevel",
    "--silent",
    "--quiet",
    "--verbose",
    "--prefer-offline",
    "--prefer-online",
    "--offline",
    "--cache",
    "--foreground-scripts",
    "--legacy-peer-deps",
    "--strict-peer-deps",
    "--workspace",
    "--workspaces",
    "--include-workspace-root",
    "--no-progress",
    "--fetch-timeout",
];

/// Checks the user's extra `npm ci` arguments against [`ALLOWED_CI_FLAGS`] (`--flag` or
/// `--flag=value` only). The error is the first argument refused.
pub(crate) fn check_ci_args(extra: &[String]) -> Result<(), String> {
    for arg in extra {
        let flag = arg.split_once('=').map_or(arg.as_str(), |(f, _)| f);
        if !ALLOWED_CI_FLAGS.contains(&flag) {
            return Err(arg.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_harmless_flags_pass() {
        let ok = |args: &[&str]| {
            check_ci_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).is_ok()
        };
        assert!(ok(&[
            "--omit=dev",
            "--no-audit",
            "--loglevel=warn",
            "--workspace=a"
        ]));
        for bad in [
            "--",
            "--ignore-scripts=false",
            "--no-ignore-scripts",
            "--ignore-script=false",
            "--prefix=/tmp/x",
            "-g",
            "--global",
            "--registry=http://evil/",
            "dev",
            "--script-shell=sh",
        ] {
            assert!(!ok(&[bad]), "{bad} passed");
        }
    }
}
