//! pnpm's `.bin` entries are shell shims (written by `@zkochan/cmd-shim`, `generateShShim`)
//! that `exec` a bin's interpreter on its file. A shim is a whole shell script, so reading one
//! path out of it is not enough (a restored `node_modules` can add a line that runs anything
//! before the signed bin): a shim is accepted only when it is, byte for byte, the script
//! cmd-shim writes for one file, with the interpreter that file's own first line names. Only
//! the absolute paths of the install (`NODE_PATH`, a prepended `PATH`, pnpm's own node) are
//! read from the script, and they may not lead into folders of this project no check reads:
//! inside the project, module paths and `PATH` folders only into its checked `node_modules`,
//! and pnpm's own node never (it lives in pnpm's home). Outside the project (a tree pnpm
//! installed elsewhere and that was moved here keeps its old absolute paths) they may not lead
//! into a dot folder of a `node_modules` but pnpm's store, nor pnpm's node into any
//! `node_modules`.

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
pub(super) fn target(
    project: &Project,
    bin_dir: &Path,
    name: &str,
    script: &str,
) -> Result<String, String> {
    let not_a_shim = || format!("not a pnpm shim for {name} (a script pnpm would not write)");
    let install = install_paths(script);
    let values = [
        (install.node_path, PathKind::Modules),
        (install.prepend_path, PathKind::Commands),
        (install.node_exec, PathKind::Node),
    ];
    if let Some(bad) = values
        .into_iter()
        .filter_map(|(value, kind)| Some((value?, kind)))
        .flat_map(|(value, kind)| value.split(':').map(move |entry| (entry, kind)))
        .find(|&(entry, kind)| !project.allows(entry, kind))
        .map(|(entry, _)| entry)
    {
        return Err(format!(
            "a pnpm shim for {name} whose paths lead to {bad}, which pnpm would not write (in this project, paths lead into its checked node_modules only, and pnpm's own node is never there)"
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

/// What a path of a shim is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathKind {
    /// A `NODE_PATH` folder: modules are loaded from it.
    Modules,
    /// A folder prepended to `PATH`: commands are run from it.
    Commands,
    /// pnpm's own node (`nodeExecPath`), which pnpm keeps in its home, never in a project.
    Node,
}

/// The project a shim was found in: where the paths it takes from the install may lead.
pub(super) struct Project {
    /// `<root>/` as given and as the kernel resolves it (pnpm writes the path it ran in).
    roots: Vec<String>,
}

impl Project {
    pub(super) fn new(root: &Path) -> Project {
        let mut roots: Vec<String> = [Some(root.to_path_buf()), std::fs::canonicalize(root).ok()]
            .into_iter()
            .flatten()
            .filter(|r| r.is_absolute())
            .map(|r| format!("{}/", r.to_string_lossy().trim_end_matches('/')))
            .collect();
        roots.dedup();
        Project { roots }
    }

    /// An absolute path with no `.`/`..` segment that, in the project, leads into its
    /// `node_modules` (into no dot folder there but pnpm's `.pnpm`, whose entries the inventory
    /// reads) and is not pnpm's node; outside it, leads into no dot folder of a `node_modules`
    /// but `.pnpm`, and for pnpm's node, into no `node_modules` at all.
    fn allows(&self, entry: &str, kind: PathKind) -> bool {
        if !entry.starts_with('/') || entry.split('/').any(|s| s == "." || s == "..") {
            return false;
        }
        let inside = self.roots.iter().find_map(|root| {
            let rest = entry.strip_prefix(root.as_str());
            rest.or_else(|| (format!("{entry}/") == *root).then_some(""))
        });
        match (inside, kind) {
            (Some(rest), _) => kind != PathKind::Node && in_checked_node_modules(rest),
            (None, PathKind::Node) => !entry.split('/').any(|s| s == "node_modules"),
            (None, _) => no_dot_folder_in_node_modules(&entry[1..]),
        }
    }
}

/// A path relative to the project that lies in its top `node_modules`, and in no dot folder
/// there but `.pnpm`.
fn in_checked_node_modules(rest: &str) -> bool {
    rest.split('/').next() == Some("node_modules") && no_dot_folder_in_node_modules(rest)
}

/// No segment right after a `node_modules` one is a dot folder, but pnpm's `.pnpm`.
fn no_dot_folder_in_node_modules(path: &str) -> bool {
    let mut after_node_modules = false;
    for segment in path.split('/') {
        if after_node_modules && segment.starts_with('.') && segment != ".pnpm" {
            return false;
        }
        after_node_modules = segment == "node_modules";
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
    fn install_paths_stay_in_the_projects_checked_folders() {
        let project = Project {
            roots: vec!["/p/".into()],
        };
        let module = |e: &str| project.allows(e, PathKind::Modules);
        let program = |e: &str| project.allows(e, PathKind::Commands);
        let node = |e: &str| project.allows(e, PathKind::Node);
        assert!(node("/home/u/.local/share/pnpm/nodejs/22/bin/node"));
        assert!(
            !node("/p/node_modules/.pnpm/node"),
            "pnpm keeps no node in a project"
        );
        assert!(program("/p/node_modules/.pnpm/a@1/node_modules/a/bin"));
        assert!(module("/p/node_modules/.pnpm/a@1/node_modules"));
        assert!(module("/p/node_modules/.pnpm/node_modules"));
        assert!(program("/home/u/.local/share/pnpm/nodejs/22/bin/node"));

        assert!(!module("/p/node_modules/.evil"));
        assert!(!module("/p/node_modules/.pnpm/a@1/node_modules/.evil"));
        assert!(!module("/p/node_modules/.pnpm/../.evil"));
        assert!(!module("node_modules/.pnpm"));
        // A folder of this project outside node_modules (a restored `.pnpm-store`) is read by
        // no check.
        assert!(!program("/p/.pnpm-store/v10/bin"));
        assert!(!module("/p/vendor/node_modules"));
        assert!(!program("/p"));
        // A tree installed elsewhere and moved here keeps its old paths: outside the project,
        // as pnpm writes them.
        assert!(module("/q/node_modules/.pnpm/a@1/node_modules"));
        assert!(!module("/q/node_modules/.evil"));
        assert!(!node("/q/node_modules/.pnpm/node"));
        assert!(
            program("/pother/bin"),
            "outside the project: /p is no prefix of /pother"
        );
        // Quotes or expansions in a value are never read as a path.
        let shim = node_shim("../a/cli.js").replace(NODE_PATH, "x\"; curl evil; echo \"");
        assert_eq!(install_paths(&shim).node_path, None);
    }
}
