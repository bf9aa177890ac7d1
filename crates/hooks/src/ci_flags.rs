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

/// The allowed flags that take a value. They must be written `--flag=value`: a bare `--cache`
/// would take the NEXT argument as its value, and the next one is our `--ignore-scripts`.
const VALUE_FLAGS: [&str; 6] = [
    "--omit",
    "--include",
    "--loglevel",
    "--cache",
    "--workspace",
    "--fetch-timeout",
];

/// Checks the user's extra `npm ci` arguments against [`ALLOWED_CI_FLAGS`]: switches as
/// `--flag` (or `--flag=true|false`), flags with a value only as `--flag=value`. The error is the
/// first argument refused.
pub(crate) fn check_ci_args(extra: &[String]) -> Result<(), String> {
    for arg in extra {
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (arg.as_str(), None),
        };
        let takes_value = VALUE_FLAGS.contains(&flag);
        let allowed = ALLOWED_CI_FLAGS.contains(&flag)
            && match (takes_value, value) {
                (true, Some(v)) => !v.is_empty() && !v.starts_with('-'),
                (true, None) => false,
                (false, Some(v)) => matches!(v, "true" | "false"),
                (false, None) => true,
            };
        if !allowed {
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
            "--cache",
            "--omit",
            "--loglevel",
            "--include",
            "--fetch-timeout",
            "--workspace",
            "--cache=",
            "--cache=--ignore-scripts",
            "--offline=yes",
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
