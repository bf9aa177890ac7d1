//! pnpm's `.bin` entries are shell shims (written by `@zkochan/cmd-shim`, `generateShShim`)
//! that `exec` a bin's interpreter on its file. A shim is a whole shell script, so reading one
//! path out of it is not enough (a restored `node_modules` can add a line that runs anything
//! before the signed bin): a shim is accepted only when it is, byte for byte, the script
//! cmd-shim writes for one file, with the interpreter that file's own first line names. Only
//! the absolute paths of the install (`NODE_PATH`, a prepended `PATH`, pnpm's own node) are
//! read from the script, and they may not lead into folders no check reads.

use std::path::Path;

/// Everything before the optional `PATH` and `NODE_PATH` blocks: pnpm 10+ (MinGW and MSYS
/// too), then pnpm 9.
const HEADERS: [&str; 2] = [
    "#!/bin/sh\nbasedir=$(dirname \"$(echo \"$0\" | sed -e 's,\\\\,/,g')\")\n\ncase `uname` in\n    *CYGWIN*|*MINGW*|*MSYS*)\n        if command -v cygpath > /dev/null 2>&1; then\n            basedir=`cygpath -w \"$basedir\"`\n        fi\n    ;;\nesac\n\n",
    "#!/bin/sh\nbasedir=$(dirname \"$(echo \"$0\" | sed -e 's,\\\\,/,g')\")\n\ncase `uname` in\n    *CYGWIN*) basedir=`cygpath -w \"$basedir\"`;;\nesac\n\n",
];

/// The values a shim takes from the install rather than from its target.
#[derive(Debug, Default, PartialEq, Eq)]
struct InstallPaths<'s> {
    prepend_path: Option<&'s str>,
    node_path: Option<&'s str>,
    /// pnpm's configured node (`nodeExecPath`), run instead of `node` from `PATH`.
    node_exec: Option<&'s str>,
}

/// The file (relative to the `.bin` folder) that the pnpm shim `script` at `<bin_dir>/<name>`
/// runs, when the script is exactly the one cmd-shim writes for it.
pub(super) fn target(bin_dir: &Path, name: &str, script: &str) -> Result<String, String> {
    let not_a_shim = || format!("not a pnpm shim for {name} (a script pnpm would not write)");
    let install = install_paths(script);
    if let Some(bad) = [install.prepend_path, install.node_path, install.node_exec]
        .into_iter()
        .flatten()
        .flat_map(|v| v.split(':'))
        .find(|entry| !is_install_path(entry))
    {
        return Err(format!(
            "a pnpm shim for {name} whose paths lead to {bad}, which pnpm would not write"
        ));
    }
    candidates(script)
        .find(|file| {
            let runtime = first_bytes(&bin_dir.join(file))
                .map(|bytes| runtime(&String::from_utf8_lossy(&bytes), file));
            runtime.is_some_and(|runtime| {
                HEADERS
                    .iter()
                    .any(|header| render(header, file, &runtime, &install) == script)
            })
        })
        .map(str::to_string)
        .ok_or_else(not_a_shim)
}

/// Enough of a bin file to read its first line: all of it up to 64 KiB (cmd-shim trims the
/// whole file before splitting lines), else that much (a first line longer than that names no
/// interpreter a shim could run). Bins can be large native executables.
fn first_bytes(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    const LIMIT: u64 = 64 * 1024;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(LIMIT)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Every `"$basedir/<path>"` of the script that could be its target: one of them is. A target
/// lies outside `.bin` (`../…`); the interpreter's own spellings (`"$basedir/node"`,
/// `"$basedir//bin/sh"`: cmd-shim prefixes the program with `$basedir/` for its `-x` test) are
/// not read as candidates.
fn candidates(script: &str) -> impl Iterator<Item = &str> {
    script
        .split("\"$basedir/")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(path, _)| path))
        .filter(|path| path.starts_with("../"))
}

/// The install's values, read from where cmd-shim writes them (not validated here).
fn install_paths(script: &str) -> InstallPaths<'_> {
    let quoted_after = |prefix: &str, suffix: &str| {
        script.lines().find_map(|line| {
            line.strip_prefix(prefix)?
                .strip_suffix(suffix)
                .filter(|v| !v.contains(['"', '$', '`', '\\']))
        })
    };
    let node_exec = script
        .lines()
        .find(|line| line.starts_with('"') && !line.starts_with("\"$basedir/"))
        .map(|line| line[1..].split('"').next().unwrap_or_default())
        .filter(|v| !v.contains(['$', '`', '\\']));
    InstallPaths {
        prepend_path: quoted_after("export PATH=\"", ":$PATH\""),
        node_path: quoted_after("  export NODE_PATH=\"", "\""),
        node_exec,
    }
}

/// An absolute path of the install with no `.`/`..` segment, that does not lead into a dot
/// folder of a `node_modules` (only pnpm's `.pnpm` store is read by the checks).
fn is_install_path(entry: &str) -> bool {
    if !entry.starts_with('/') {
        return false;
    }
    let mut in_node_modules = false;
    for segment in entry.split('/').skip(1) {
        if segment == "." || segment == ".." {
            return false;
        }
        if in_node_modules && segment.starts_with('.') && segment != ".pnpm" {
            return false;
        }
        in_node_modules |= segment == "node_modules";
    }
    true
}

/// The interpreter cmd-shim runs a file with, and its extra arguments
/// (`searchScriptRuntime`): from the `#!` line, else from the file's extension.
#[derive(Debug, PartialEq, Eq)]
struct Runtime {
    program: Option<String>,
    args: String,
}

fn runtime(content: &str, file: &str) -> Runtime {
    let trimmed = content.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let first = trimmed.split('\n').next().unwrap_or_default();
    let first = first.trim_end_matches('\r');
    if let Some((program, args)) = shebang(first) {
        return Runtime {
            program: Some(program.to_string()),
            args: args.to_string(),
        };
    }
    let extension = Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    let program = match extension.as_deref() {
        Some("js" | "cjs" | "mjs") => Some("node"),
        Some("cmd" | "bat") => Some("cmd"),
        Some("ps1") => Some("pwsh"),
        Some("sh") => Some("sh"),
        _ => None,
    };
    Runtime {
        args: if program == Some("cmd") { "/C" } else { "" }.to_string(),
        program: program.map(str::to_string),
    }
}

/// `^#!\s*(?:\/usr\/bin\/env(?:\s+-S\s*)?)?\s*([^ \t]+)(.*)$`: the program and the rest.
fn shebang(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("#!")?.trim_start();
    // The end of the program's name, when there is one.
    let program_end = |s: &'_ str| -> Option<usize> {
        let end = s.find([' ', '\t']).unwrap_or(s.len());
        (end > 0).then_some(end)
    };
    let after_env = rest.strip_prefix("/usr/bin/env").map(|after| {
        let spaced = after.trim_start();
        match spaced.strip_prefix("-S") {
            Some(flag) if spaced.len() < after.len() => flag.trim_start(),
            _ => spaced,
        }
    });
    // The optional env group backtracks when nothing follows it.
    let rest = after_env
        .filter(|s| program_end(s).is_some())
        .unwrap_or(rest);
    let end = program_end(rest)?;
    Some((&rest[..end], &rest[end..]))
}

/// The script `generateShShim` writes for `file` (relative to the `.bin` folder).
fn render(header: &str, file: &str, runtime: &Runtime, install: &InstallPaths<'_>) -> String {
    let target = format!("\"$basedir/{file}\"");
    let mut sh = header.to_string();
    if let Some(path) = install.prepend_path {
        sh += &format!("export PATH=\"{path}:$PATH\"\n");
    }
    if let Some(path) = install.node_path {
        sh += &format!("if [ -z \"$NODE_PATH\" ]; then\n  export NODE_PATH=\"{path}\"\nelse\n  export NODE_PATH=\"{path}:$NODE_PATH\"\nfi\n");
    }
    let args = &runtime.args;
    match (runtime.program.as_deref(), install.node_exec) {
        (None, _) => sh += &format!("{target}   \"$@\"\nexit $?\n"),
        (Some("node"), Some(node)) => {
            sh += &format!("\"{node}\" {args} {target} \"$@\"\nexit $?\n")
        }
        (Some(program), _) => {
            let program = program.replace('\\', "/");
            let long = format!("\"$basedir/{program}\"");
            sh += &format!("if [ -x {long} ]; then\n  exec {long} {args} {target} \"$@\"\nelse\n  exec {program} {args} {target} \"$@\"\nfi\n");
        }
    }
    sh
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE_PATH: &str =
        "/p/node_modules/.pnpm/alpha@1.0.0/node_modules:/p/node_modules/.pnpm/node_modules";

    fn node_shim(file: &str) -> String {
        let node = Runtime {
            program: Some("node".into()),
            args: String::new(),
        };
        let install = InstallPaths {
            node_path: Some(NODE_PATH),
            ..InstallPaths::default()
        };
        render(HEADERS[0], file, &node, &install)
    }

    #[test]
    fn renders_what_pnpm_writes() {
        let shim = node_shim("../.pnpm/alpha@1.0.0/node_modules/alpha/cli.js");
        assert!(shim.starts_with(
            "#!/bin/sh\nbasedir=$(dirname \"$(echo \"$0\" | sed -e 's,\\\\,/,g')\")\n"
        ));
        assert!(shim.ends_with("if [ -x \"$basedir/node\" ]; then\n  exec \"$basedir/node\"  \"$basedir/../.pnpm/alpha@1.0.0/node_modules/alpha/cli.js\" \"$@\"\nelse\n  exec node  \"$basedir/../.pnpm/alpha@1.0.0/node_modules/alpha/cli.js\" \"$@\"\nfi\n"));
        assert_eq!(install_paths(&shim).node_path, Some(NODE_PATH));
        let sh = Runtime {
            program: Some("/bin/sh".into()),
            args: String::new(),
        };
        let rendered = render(HEADERS[1], "../z/run", &sh, &InstallPaths::default());
        assert!(rendered.contains("exec \"$basedir//bin/sh\"  \"$basedir/../z/run\" \"$@\"\nelse\n  exec /bin/sh  \"$basedir/../z/run\""));
    }

    #[test]
    fn runtimes_follow_cmd_shim() {
        let rt = |content: &str, file: &str| {
            let r = runtime(content, file);
            (r.program, r.args)
        };
        let some = |p: &str, a: &str| (Some(p.to_string()), a.to_string());
        assert_eq!(rt("#!/usr/bin/env node\nx", "a"), some("node", ""));
        assert_eq!(
            rt("#!/usr/bin/env -S node --x=1\n", "a"),
            some("node", " --x=1")
        );
        assert_eq!(rt("#!/bin/sh\r\necho", "a"), some("/bin/sh", ""));
        assert_eq!(
            rt("\n\n#! /usr/bin/python3 -u\n", "a"),
            some("/usr/bin/python3", " -u")
        );
        assert_eq!(rt("console.log(1)", "cli.JS"), some("node", ""));
        assert_eq!(rt("echo", "run.cmd"), some("cmd", "/C"));
        assert_eq!(rt("echo", "run"), (None, String::new()));
    }

    #[test]
    fn install_paths_stay_out_of_dot_folders() {
        assert!(is_install_path("/p/node_modules/.pnpm/a@1/node_modules"));
        assert!(is_install_path(
            "/home/u/.local/share/pnpm/nodejs/22/bin/node"
        ));
        assert!(!is_install_path("/p/node_modules/.evil"));
        assert!(!is_install_path("/p/node_modules/.pnpm/../.evil"));
        assert!(!is_install_path("node_modules/.pnpm"));
        // Quotes or expansions in a value are never read as a path.
        let shim = node_shim("../a/cli.js").replace(NODE_PATH, "x\"; curl evil; echo \"");
        assert_eq!(install_paths(&shim).node_path, None);
    }
}
